/*
 * Unit tests of the outcome instruments (core/instruments) and their JSON
 * adapters (app/instruments_json). Each row is a worked example: answers as
 * "item=value" pairs, and the outputs expected, with the rule it exercises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "app/instruments_json.h"
#include "core/instruments.h"

enum { MAX_ANSWERS = 64 };

/* splits "a=1 b=2" into answers; storage keeps the strings */
static size_t parse_answers(const char *text, char storage[][2][64], instr_answer *answers)
{
    size_t n = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        const char *eq = memchr(p, '=', len);
        assert_non_null(eq);
        assert_true(n < MAX_ANSWERS);
        snprintf(storage[n][0], 64, "%.*s", (int)(eq - p), p);
        snprintf(storage[n][1], 64, "%.*s", (int)(len - (size_t)(eq - p) - 1), eq + 1);
        answers[n].item = storage[n][0];
        answers[n].value = storage[n][1];
        n++;
        p += len;
    }
    return n;
}

#define ALS_ALL4                                                                                   \
    "speech=4 salivation=4 swallowing=4 handwriting=4 cutting_food=4 dressing_hygiene=4 "          \
    "turning_in_bed=4 walking=4 climbing_stairs=4 dyspnea=4 orthopnea=4 "                          \
    "respiratory_insufficiency=4"
#define SCIM_MAX                                                                                   \
    "feeding=3 bathing_upper=3 bathing_lower=3 dressing_upper=4 dressing_lower=4 grooming=3 "      \
    "respiration=10 bladder=15 bowel=10 toilet=5 bed_mobility=6 transfer_bed_wheelchair=2 "        \
    "transfer_wheelchair_toilet=2 mobility_indoors=8 mobility_moderate=8 mobility_outdoors=8 "     \
    "stairs=3 transfer_wheelchair_car=2 transfer_ground_wheelchair=1"
#define NBD_ZERO                                                                                   \
    "frequency=daily time=under_30_min discomfort=no tablets=no drops=no "                         \
    "digital=less_than_weekly incontinence=less_than_monthly incontinence_medication=no "          \
    "flatus=no skin=no"
#define KOOS_P "P1=2 P2=1 P3=1 P4=0 P5=0 P6=1 P7=2 P8=0 P9=1"
#define EDSS_ZERO                                                                                  \
    "pyramidal=0 cerebellar=0 brainstem=0 sensory=0 bowel_bladder=0 visual=0 cerebral=0"

static const struct {
    const char *instrument;
    const char *answers;
    const char *expect; /* "name=value ..." ; "band=code" checks the band */
} CASES[] = {
    /* ALSFRS-R: all normal = 48, each subscore 12 (Cedarbaum 1999). */
    {"alsfrs-r", ALS_ALL4, "total=48 bulbar=12 fine_motor=12 gross_motor=12 respiratory=12"},
    /* ALSFRS-R: subscores are sums of items 1-3, 4-6, 7-9, 10-12. */
    {"alsfrs-r",
     "speech=3 salivation=4 swallowing=3 handwriting=2 cutting_food=2 dressing_hygiene=3 "
     "turning_in_bed=3 walking=2 climbing_stairs=1 dyspnea=4 orthopnea=4 "
     "respiratory_insufficiency=4",
     "total=35 bulbar=10 fine_motor=7 gross_motor=6 respiratory=12"},
    /* ALSFRS-R: gastrostomy form of item 5 counts the same; delta-FS =
     * (48 - 36) / 12 months = 1.00 (Kimura 2006). */
    {"alsfrs-r",
     "speech=3 salivation=3 swallowing=3 handwriting=3 cutting_food_gastrostomy=3 "
     "dressing_hygiene=3 "
     "turning_in_bed=3 walking=3 climbing_stairs=3 dyspnea=3 orthopnea=3 "
     "respiratory_insufficiency=3 "
     "months_since_onset=12",
     "total=36 fine_motor=9 delta_fs=1.00"},
    /* NRS: each of current, average, worst reported on its own, 0-10. */
    {"nrs-pain", "current=3 average=5 worst=10", "current=3 average=5 worst=10"},
    /* Modified Ashworth: ordinal codes kept as text, highest grade by rank (1+ < 2). */
    {"mas", "elbow_flexors_right=1+ knee_extensors_left=1",
     "elbow_flexors_right=1+ knee_extensors_left=1 highest=1+"},
    {"mas", "elbow_flexors_right=1+ knee_extensors_left=2", "highest=2"},
    /* SCIM III: maximum 100 = 20 + 40 + 40 (Itzkovich 2007). */
    {"scim-iii", SCIM_MAX, "total=100 self_care=20 respiration_sphincter=40 mobility=40"},
    /* SCIM III: a mixed example, subscale sums. */
    {"scim-iii",
     "feeding=3 bathing_upper=3 bathing_lower=1 dressing_upper=4 dressing_lower=1 grooming=3 "
     "respiration=10 bladder=11 bowel=8 toilet=2 bed_mobility=6 transfer_bed_wheelchair=2 "
     "transfer_wheelchair_toilet=1 mobility_indoors=1 mobility_moderate=1 mobility_outdoors=1 "
     "stairs=0 transfer_wheelchair_car=1 transfer_ground_wheelchair=0",
     "total=59 self_care=15 respiration_sphincter=31 mobility=13"},
    /* NBD: weighted items; 0 is "very minor" (Krogh 2006). */
    {"nbd", NBD_ZERO, "total=0 band=very_minor"},
    /* NBD: 3 + 2 + 6 + 2 = 13, upper edge of "moderate". */
    {"nbd",
     "frequency=daily time=31_60_min discomfort=no tablets=yes drops=no digital=weekly_or_more "
     "incontinence=less_than_monthly incontinence_medication=no flatus=yes skin=no",
     "total=13 band=moderate"},
    /* NBD band edges: 6 very minor, 7 minor, 9 minor, 10 moderate, 14 severe, 47 severe. */
    {"nbd",
     "frequency=less_than_weekly time=under_30_min discomfort=no tablets=no drops=no "
     "digital=less_than_weekly incontinence=less_than_monthly incontinence_medication=no flatus=no "
     "skin=no",
     "total=6 band=very_minor"},
    {"nbd",
     "frequency=less_than_weekly time=under_30_min discomfort=no tablets=no drops=no "
     "digital=less_than_weekly incontinence=less_than_monthly incontinence_medication=no flatus=no "
     "skin=no",
     "total=6"},
    {"nbd",
     "frequency=2_6_per_week time=under_30_min discomfort=no tablets=no drops=no "
     "digital=weekly_or_more incontinence=less_than_monthly incontinence_medication=no flatus=no "
     "skin=no",
     "total=7 band=minor"},
    {"nbd",
     "frequency=2_6_per_week time=under_30_min discomfort=yes tablets=yes drops=yes "
     "digital=less_than_weekly incontinence=less_than_monthly incontinence_medication=no flatus=no "
     "skin=no",
     "total=7 band=minor"},
    {"nbd",
     "frequency=daily time=31_60_min discomfort=no tablets=no drops=no "
     "digital=weekly_or_more incontinence=less_than_monthly incontinence_medication=no flatus=no "
     "skin=no",
     "total=9 band=minor"},
    {"nbd",
     "frequency=daily time=31_60_min discomfort=no tablets=no drops=no "
     "digital=weekly_or_more incontinence=less_than_monthly incontinence_medication=no flatus=no "
     "skin=yes",
     "total=12 band=moderate"},
    {"nbd",
     "frequency=daily time=under_30_min discomfort=no tablets=no drops=no "
     "digital=less_than_weekly incontinence=1_4_per_month incontinence_medication=yes flatus=no "
     "skin=no",
     "total=10 band=moderate"},
    {"nbd",
     "frequency=daily time=over_60_min discomfort=no tablets=no drops=no "
     "digital=less_than_weekly incontinence=1_6_per_week incontinence_medication=no flatus=no "
     "skin=no",
     "total=14 band=severe"},
    {"nbd",
     "frequency=less_than_weekly time=over_60_min discomfort=yes tablets=yes drops=yes "
     "digital=weekly_or_more incontinence=daily incontinence_medication=yes flatus=yes skin=yes",
     "total=47 band=severe"},
    /* KOOS: 100 - mean * 25 per subscale; P: 8/9 -> 77.8 (Roos 2003). */
    {"koos", KOOS_P, "pain=77.8"},
    /* KOOS: fewer than half of a subscale's items -> no score (2012 rule: symptoms needs 4). */
    {"koos", "S1=0 S2=0 S3=4 " KOOS_P, "pain=77.8 symptoms=absent"},
    {"koos", "S1=0 S2=0 S3=4 S4=4 Q1=4 Q2=4", "symptoms=50.0 qol=0.0 pain=absent"},
    /* Satisfaction: items reported as given; domains counted better / worse,
     * "not_applicable" left out. */
    {"satisfaction",
     "satisfaction=4 pgic=2 change_motor=better change_pain=much_worse change_bowel=not_applicable "
     "would_recommend=yes comments=good",
     "satisfaction=4 pgic=2 change_motor=better would_recommend=yes domains_rated=2 "
     "domains_better=1 domains_worse=1"},
    /* Satisfaction version 2: the spina bifida outcome domains are domains like the others. */
    {"satisfaction",
     "satisfaction=5 pgic=1 change_development=much_better change_cognition=better "
     "change_muscle_strength=no_change change_seizures=worse would_recommend=yes",
     "change_development=much_better change_cognition=better change_muscle_strength=no_change "
     "change_seizures=worse domains_rated=4 domains_better=2 domains_worse=1"},
    /* FLACC (Merkel 1997): five categories 0-2 each, total 0-10. */
    {"flacc", "face=0 legs=0 activity=0 cry=0 consolability=0", "total=0"},
    {"flacc", "face=2 legs=2 activity=2 cry=2 consolability=2", "total=10"},
    {"flacc", "face=1 legs=0 activity=2 cry=1 consolability=1", "total=5"},
    {"flacc", "face=0 legs=1 activity=0 cry=0 consolability=0", "total=1"},
    /* NBSS (Welk 2014; NBRG scoring): incontinence 0-29 + storage/voiding 0-22 +
     * consequences 0-23 = total 0-74; quality of life 0-4 reported apart, never added. */
    {"nbss", "incontinence=0 storage_voiding=0 consequences=0 quality_of_life=4",
     "total=0 incontinence=0 storage_voiding=0 consequences=0 quality_of_life=4"},
    {"nbss", "incontinence=29 storage_voiding=22 consequences=23 quality_of_life=0",
     "total=74 incontinence=29 storage_voiding=22 consequences=23 quality_of_life=0"},
    /* the median domain scores of the adults with cerebral palsy (Pariser et al., Urology
     * 2019;128:107-111): 12 + 9 + 2 = 23, quality of life 1 */
    {"nbss", "incontinence=12 storage_voiding=9 consequences=2 quality_of_life=1",
     "total=23 incontinence=12 storage_voiding=9 consequences=2 quality_of_life=1"},
};

static instr_result score_case(const char *instrument, const char *answers_text, cc_status *st,
                               cc_error *err)
{
    static char storage[MAX_ANSWERS][2][64];
    instr_answer answers[MAX_ANSWERS];
    size_t n = parse_answers(answers_text, storage, answers);
    const instr_def *def = instrument_find(instrument);
    assert_non_null(def);
    instr_result r;
    *st = instrument_score(def, NULL, answers, n, &r, err);
    return r;
}

/* Scores answers with instrument and counts the expected outputs ("name=value
 * ...", "band=code" for the band) it misses, printing each under label. */
static int mismatches_of(const char *instrument, const char *answers, const char *expect_text,
                         const char *label, size_t row)
{
    cc_status st;
    cc_error err;
    cc_error_clear(&err);
    instr_result r = score_case(instrument, answers, &st, &err);
    if (st != CC_OK) {
        print_error("%s %zu: refused at %s: %s\n", label, row, err.field, err.message);
        return 1;
    }
    char storage[MAX_ANSWERS][2][64];
    instr_answer expect[MAX_ANSWERS];
    size_t n = parse_answers(expect_text, storage, expect);
    int mismatches = 0;
    for (size_t k = 0; k < n; k++) {
        char got[32] = "absent";
        if (strcmp(expect[k].item, "band") == 0) {
            snprintf(got, sizeof got, "%s", r.band ? r.band->code : "absent");
        } else {
            const instr_output *o = instrument_output(&r, expect[k].item);
            if (o != NULL)
                instrument_output_format(o, got, sizeof got);
        }
        if (strcmp(got, expect[k].value) != 0) {
            print_error("%s %zu: %s: expected %s, got %s\n", label, row, expect[k].item,
                        expect[k].value, got);
            mismatches++;
        }
    }
    return mismatches;
}

static void test_worked_examples(void **state)
{
    (void)state;
    int mismatches = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        mismatches += mismatches_of(CASES[i].instrument, CASES[i].answers, CASES[i].expect,
                                    CASES[i].instrument, i);
    assert_int_equal(mismatches, 0);
}

/*
 * EDSS step boundaries. Source: Kappos L, Neurostatus-EDSS scoring
 * definitions, version 04/10.2, and the Neurostatus-EDSS scoring table,
 * version 04/10.3 (University Hospital Basel, neurostatus.net; the table's
 * rows as taught in learn.neurostatus-uhb.com "How to score the
 * Neurostatus-EDSS"), after Kurtzke JF, Neurology 1983;33:1444-1452.
 * fs: the grades as examined, in the order pyramidal, cerebellar,
 * brainstem, sensory, bowel/bladder, visual, cerebral; also: further
 * outputs to check ("name=value ...").
 */
static const struct {
    const char *fs, *ambulation, *step, *also, *rule;
} EDSS_STEPS[] = {
    {"0000000", "unrestricted", "0.0", "", "0.0: all FS 0"},
    {"0000001", "unrestricted", "0.0", "cerebral=1", "0.0: cerebral 1 is allowed"},
    {"1000000", "unrestricted", "1.0", "", "1.0: one FS 1"},
    {"0000011", "unrestricted", "1.0", "", "1.0: one FS 1, cerebral excluded"},
    {"1100000", "unrestricted", "1.5", "", "1.5: more than one FS 1"},
    {"1111111", "unrestricted", "1.5", "", "1.5: every FS 1"},
    {"2000000", "unrestricted", "2.0", "", "2.0: one FS 2"},
    {"2111111", "unrestricted", "2.0", "", "2.0: one FS 2, others 0 or 1"},
    {"0000002", "unrestricted", "2.0", "cerebral=2", "2.0: cerebral 2 counts"},
    {"0000000", "fully_ambulatory", "2.0", "", "2.0: the lowest step with ambulation 1"},
    {"2200000", "unrestricted", "2.5", "", "2.5: two FS 2"},
    {"2211111", "fully_ambulatory", "2.5", "", "2.5: two FS 2, others 0 or 1"},
    {"3000000", "unrestricted", "3.0", "", "3.0: one FS 3"},
    {"3111111", "fully_ambulatory", "3.0", "", "3.0: one FS 3, others 0 or 1"},
    {"2220000", "unrestricted", "3.0", "", "3.0: three FS 2"},
    {"2222000", "unrestricted", "3.0", "", "3.0: four FS 2"},
    {"3200000", "unrestricted", "3.5", "", "3.5: one FS 3 and one FS 2"},
    {"3220000", "unrestricted", "3.5", "", "3.5: one FS 3 and two FS 2"},
    {"3300000", "unrestricted", "3.5", "", "3.5: two FS 3, others 0 or 1"},
    {"2222200", "unrestricted", "3.5", "", "3.5: five FS 2"},
    {"2222220", "unrestricted", "4.0", "", "4.0: six FS 2"},
    {"2222222", "unrestricted", "4.0", "", "4.0: seven FS 2"},
    {"3222000", "unrestricted", "4.0", "", "4.0: one FS 3 and three FS 2"},
    {"3320000", "unrestricted", "4.0", "", "4.0: two FS 3 and one FS 2"},
    {"3330000", "unrestricted", "4.0", "", "4.0: three FS 3"},
    {"3333000", "fully_ambulatory", "4.0", "", "4.0: four FS 3"},
    {"4000000", "unrestricted", "4.0", "", "4.0: one FS 4, others 0"},
    {"4111111", "unrestricted", "4.0", "", "4.0: one FS 4, others 0 or 1"},
    {"4200000", "unrestricted", "4.5", "", "4.5: one FS 4 and one FS 2"},
    {"4300000", "unrestricted", "4.5", "", "4.5: one FS 4 and one FS 3"},
    {"4330000", "unrestricted", "4.5", "", "4.5: one FS 4 and two FS 3"},
    {"3333300", "unrestricted", "4.5", "", "4.5: five FS 3"},
    {"0000000", "300m", "4.5", "", "4.5: ambulation 300-499 m"},
    {"4333000", "unrestricted", "5.0", "", "5.0: one FS 4 and three FS 3"},
    {"4400000", "unrestricted", "5.0", "", "5.0: two FS 4"},
    {"3333340", "unrestricted", "5.0", "", "5.0: six FS 3 (visual 4 converts to 3)"},
    {"3333343", "unrestricted", "5.0", "", "5.0: seven FS 3"},
    {"0500000", "unrestricted", "5.0", "", "5.0: one FS 5"},
    {"6000000", "unrestricted", "5.0", "", "5.0: pyramidal 6"},
    {"4400000", "300m", "5.0", "", "5.0: FS above the 300 m floor"},
    {"0000000", "200m", "5.0", "", "5.0: ambulation 200-299 m"},
    {"0000000", "100m", "5.5", "", "5.5: ambulation 100-199 m"},
    {"5500000", "100m", "5.5", "", "5.5: ambulation decides from 5.5"},
    {"0000000", "under_100m", "6.0", "", "6.0: walks < 100 m without help"},
    {"0000000", "unilateral_aid_50m", "6.0", "", "6.0: unilateral assistance >= 50 m"},
    {"0000000", "bilateral_aid_120m", "6.0", "", "6.0: bilateral assistance >= 120 m"},
    {"0000000", "unilateral_aid_under_50m", "6.5", "", "6.5: unilateral assistance < 50 m"},
    {"0000000", "bilateral_aid_5m", "6.5", "", "6.5: bilateral assistance 5-119 m"},
    {"0000000", "wheelchair_self", "7.0", "", "7.0: < 5 m with aid, wheelchair alone"},
    {"0000000", "wheelchair_assisted", "7.5", "", "7.5: wheelchair with help"},
    {"0000000", "bed_chair", "8.0", "", "8.0: bed or chair, effective use of arms"},
    {"0000000", "bed_most_of_day", "8.5", "", "8.5: bed much of the day"},
    {"0000000", "bed_communicates", "9.0", "", "9.0: helpless, communicates and eats"},
    {"0000000", "bed_totally_helpless", "9.5", "", "9.5: totally helpless"},
    {"0000000", "death_ms", "10.0", "", "10: death due to MS"},
    /* conversions: bowel/bladder 1..6 -> 1 2 3 3 4 5 */
    {"0000100", "unrestricted", "1.0", "bowel_bladder=1", "bowel/bladder 1 -> 1"},
    {"0000200", "unrestricted", "2.0", "bowel_bladder=2", "bowel/bladder 2 -> 2"},
    {"0000300", "unrestricted", "3.0", "bowel_bladder=3", "bowel/bladder 3 -> 3"},
    {"0000400", "unrestricted", "3.0", "bowel_bladder=3", "bowel/bladder 4 -> 3"},
    {"0000500", "unrestricted", "4.0", "bowel_bladder=4", "bowel/bladder 5 -> 4"},
    {"0000600", "unrestricted", "5.0", "bowel_bladder=5", "bowel/bladder 6 -> 5"},
    /* visual 1..6 -> 1 2 2 3 3 4 */
    {"0000010", "unrestricted", "1.0", "visual=1", "visual 1 -> 1"},
    {"0000020", "unrestricted", "2.0", "visual=2", "visual 2 -> 2"},
    {"0000030", "unrestricted", "2.0", "visual=2", "visual 3 -> 2"},
    {"0000040", "unrestricted", "3.0", "visual=3", "visual 4 -> 3"},
    {"0000050", "unrestricted", "3.0", "visual=3", "visual 5 -> 3"},
    {"0000060", "unrestricted", "4.0", "visual=4", "visual 6 -> 4"},
};

static void test_edss_steps(void **state)
{
    (void)state;
    static const char *const fs_items[] = {"pyramidal",     "cerebellar", "brainstem", "sensory",
                                           "bowel_bladder", "visual",     "cerebral"};
    int mismatches = 0;
    for (size_t i = 0; i < sizeof EDSS_STEPS / sizeof EDSS_STEPS[0]; i++) {
        char answers[400];
        size_t len = 0;
        for (size_t k = 0; k < 7; k++)
            len += (size_t)snprintf(answers + len, sizeof answers - len, "%s=%c ", fs_items[k],
                                    EDSS_STEPS[i].fs[k]);
        snprintf(answers + len, sizeof answers - len, "ambulation=%s", EDSS_STEPS[i].ambulation);
        char expect[200], label[80];
        snprintf(expect, sizeof expect, "edss=%s %s", EDSS_STEPS[i].step, EDSS_STEPS[i].also);
        snprintf(label, sizeof label, "EDSS (%s) row", EDSS_STEPS[i].rule);
        mismatches += mismatches_of("edss", answers, expect, label, i);
    }
    assert_int_equal(mismatches, 0);
}

/*
 * KOOS answer wordings per item, 0 to 4, as printed on the English KOOS
 * form (KOOS LK 1.0, koos.nu; Roos and Lohmander, Health Qual Life Outcomes
 * 2003;1:64). French: the project's translation of the same wordings (see
 * instruments_defs.c: the validated French form was not available).
 */
#define KOOS_NA "Never/Rarely/Sometimes/Often/Always", "Jamais/Rarement/Parfois/Souvent/Toujours"
#define KOOS_AN "Always/Often/Sometimes/Rarely/Never", "Toujours/Souvent/Parfois/Rarement/Jamais"
#define KOOS_NE "None/Mild/Moderate/Severe/Extreme", "Aucune/Légère/Modérée/Sévère/Extrême"
#define KOOS_PF                                                                                    \
    "Never/Monthly/Weekly/Daily/Always",                                                           \
        "Jamais/Tous les mois/Toutes les semaines/Tous les jours/Tout le temps"
#define KOOS_AW                                                                                    \
    "Never/Monthly/Weekly/Daily/Constantly",                                                       \
        "Jamais/Tous les mois/Toutes les semaines/Tous les jours/Constamment"
#define KOOS_LS                                                                                    \
    "Not at all/Mildly/Moderately/Severely/Totally",                                               \
        "Pas du tout/Un peu/Modérément/Beaucoup/Totalement"
#define KOOS_CF                                                                                    \
    "Not at all/Mildly/Moderately/Severely/Extremely",                                             \
        "Pas du tout/Un peu/Modérément/Beaucoup/Extrêmement"
static const struct {
    const char *item, *en, *fr; /* labels of answers 0..4, '/' between */
} KOOS_LABELS[] = {
    {"S1", KOOS_NA},  {"S2", KOOS_NA},  {"S3", KOOS_NA},  {"S4", KOOS_AN},  {"S5", KOOS_AN},
    {"S6", KOOS_NE},  {"S7", KOOS_NE},  {"P1", KOOS_PF},  {"P2", KOOS_NE},  {"P3", KOOS_NE},
    {"P4", KOOS_NE},  {"P5", KOOS_NE},  {"P6", KOOS_NE},  {"P7", KOOS_NE},  {"P8", KOOS_NE},
    {"P9", KOOS_NE},  {"A1", KOOS_NE},  {"A2", KOOS_NE},  {"A3", KOOS_NE},  {"A4", KOOS_NE},
    {"A5", KOOS_NE},  {"A6", KOOS_NE},  {"A7", KOOS_NE},  {"A8", KOOS_NE},  {"A9", KOOS_NE},
    {"A10", KOOS_NE}, {"A11", KOOS_NE}, {"A12", KOOS_NE}, {"A13", KOOS_NE}, {"A14", KOOS_NE},
    {"A15", KOOS_NE}, {"A16", KOOS_NE}, {"A17", KOOS_NE}, {"SP1", KOOS_NE}, {"SP2", KOOS_NE},
    {"SP3", KOOS_NE}, {"SP4", KOOS_NE}, {"SP5", KOOS_NE}, {"Q1", KOOS_AW},  {"Q2", KOOS_LS},
    {"Q3", KOOS_CF},  {"Q4", KOOS_NE},
};

/* The labels of item's options, in order, joined by '/'. */
static void option_labels(const instr_item *it, bool french, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int k = 0; k < it->n_options && len < cap; k++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", k ? "/" : "",
                                french ? it->options[k].fr : it->options[k].en);
}

static void test_koos_labels(void **state)
{
    (void)state;
    const instr_def *def = instrument_find("koos");
    assert_non_null(def);
    size_t rows = sizeof KOOS_LABELS / sizeof KOOS_LABELS[0];
    assert_int_equal(rows, 42);
    assert_int_equal(def->n_items, 42);
    int mismatches = 0;
    for (size_t i = 0; i < rows; i++) {
        const instr_item *it = NULL;
        for (int j = 0; j < def->n_items; j++)
            if (strcmp(def->items[j].id, KOOS_LABELS[i].item) == 0)
                it = &def->items[j];
        if (it == NULL) {
            print_error("KOOS %s: no such item\n", KOOS_LABELS[i].item);
            mismatches++;
            continue;
        }
        for (int k = 0; k < it->n_options; k++)
            if (it->options[k].points != k || atoi(it->options[k].code) != k)
                mismatches++;
        char en[200], fr[200];
        option_labels(it, false, en, sizeof en);
        option_labels(it, true, fr, sizeof fr);
        if (strcmp(en, KOOS_LABELS[i].en) != 0 || strcmp(fr, KOOS_LABELS[i].fr) != 0) {
            print_error("KOOS %s: labels %s | %s, expected %s | %s\n", it->id, en, fr,
                        KOOS_LABELS[i].en, KOOS_LABELS[i].fr);
            mismatches++;
        }
    }
    assert_int_equal(mismatches, 0);
}

static void test_errors_name_the_item(void **state)
{
    (void)state;
    static const struct {
        const char *instrument, *answers, *field, *code;
    } cases[] = {
        /* missing required item */
        {"alsfrs-r", "salivation=4", "speech", "missing"},
        /* out of range */
        {"alsfrs-r", "speech=5 " ALS_ALL4, "speech", "invalid_value"},
        /* both forms of item 5 */
        {"alsfrs-r", ALS_ALL4 " cutting_food_gastrostomy=3", "cutting_food", "invalid_value"},
        /* months since onset must be above 0 */
        {"alsfrs-r", ALS_ALL4 " months_since_onset=0", "months_since_onset", "invalid_value"},
        {"alsfrs-r", ALS_ALL4 " months_since_onset=abc", "months_since_onset", "invalid_value"},
        /* unknown item */
        {"nrs-pain", "current=3 average=4 worst=5 mood=2", "mood", "unknown_item"},
        {"nrs-pain", "current=11 average=4 worst=5", "current", "invalid_value"},
        {"nrs-pain", "current=3 current=4 average=4 worst=5", "current", "duplicate_item"},
        /* a Modified Ashworth grade is ordinal, never a float */
        {"mas", "elbow_flexors_right=1.5", "elbow_flexors_right", "invalid_value"},
        {"mas", "", "answers", "missing"},
        /* SCIM III item 5 takes only its printed scores */
        {"scim-iii", "respiration=3", "respiration", "invalid_value"},
        {"nbd", "frequency=weekly", "frequency", "invalid_value"},
        {"koos", "S1=5", "S1", "invalid_value"},
        {"edss", EDSS_ZERO, "ambulation", "missing"},
        {"satisfaction", "satisfaction=4 pgic=8 would_recommend=yes", "pgic", "invalid_value"},
        {"satisfaction", "satisfaction=4 pgic=3 would_recommend=maybe", "would_recommend",
         "invalid_value"},
        {"satisfaction", "satisfaction=4 pgic=3 would_recommend=yes change_seizures=often",
         "change_seizures", "invalid_value"},
        /* FLACC: each category 0-2, all five required */
        {"flacc", "face=3 legs=0 activity=0 cry=0 consolability=0", "face", "invalid_value"},
        {"flacc", "face=0 legs=0 activity=0 consolability=0", "cry", "missing"},
        {"flacc", "face=0 legs=0.5 activity=0 cry=0 consolability=0", "legs", "invalid_value"},
        /* NBSS: each domain within its published range, whole numbers */
        {"nbss", "incontinence=30 storage_voiding=0 consequences=0 quality_of_life=0",
         "incontinence", "invalid_value"},
        {"nbss", "incontinence=0 storage_voiding=23 consequences=0 quality_of_life=0",
         "storage_voiding", "invalid_value"},
        {"nbss", "incontinence=0 storage_voiding=0 consequences=24 quality_of_life=0",
         "consequences", "invalid_value"},
        {"nbss", "incontinence=0 storage_voiding=0 consequences=0 quality_of_life=5",
         "quality_of_life", "invalid_value"},
        {"nbss", "incontinence=1.5 storage_voiding=0 consequences=0 quality_of_life=0",
         "incontinence", "invalid_value"},
        {"nbss", "incontinence=3 storage_voiding=0 consequences=0", "quality_of_life", "missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cc_status st;
        cc_error err;
        cc_error_clear(&err);
        score_case(cases[i].instrument, cases[i].answers, &st, &err);
        if (st != CC_INVALID || strcmp(err.field, cases[i].field) != 0 ||
            strcmp(err.code, cases[i].code) != 0)
            fail_msg("error case %zu (%s): got status %d field '%s' code '%s'", i,
                     cases[i].instrument, (int)st, err.field, err.code);
    }
    /* wrong version */
    instr_result r;
    cc_error err;
    instr_answer a = {"current", "1"};
    assert_int_equal(instrument_score(instrument_find("nrs-pain"), "2", &a, 1, &r, &err),
                     CC_INVALID);
    assert_string_equal(err.field, "version");
    /* free text has a length limit */
    static char long_text[2100];
    memset(long_text, 'x', sizeof long_text - 1);
    instr_answer s[4] = {
        {"satisfaction", "4"}, {"pgic", "3"}, {"would_recommend", "no"}, {"comments", long_text}};
    assert_int_equal(instrument_score(instrument_find("satisfaction"), NULL, s, 4, &r, &err),
                     CC_INVALID);
    assert_string_equal(err.field, "comments");
}

/* Every definition is well formed: unique item ids, labels in both
 * languages, options present, groups in range. */
static void test_definitions_well_formed(void **state)
{
    (void)state;
    assert_int_equal(instrument_count(), 10);
    /* scored by staff, never by a patient link: the observation scale and the transcribed form */
    assert_true(instrument_find("flacc")->staff_only);
    assert_true(instrument_find("nbss")->staff_only);
    assert_false(instrument_find("nrs-pain")->staff_only);
    assert_false(instrument_find("satisfaction")->staff_only);
    for (int d = 0; d < instrument_count(); d++) {
        const instr_def *def = instrument_at(d);
        assert_non_null(def->en);
        assert_non_null(def->fr);
        assert_ptr_equal(instrument_find(def->id), def);
        assert_true(def->n_items > 0 && def->n_items <= 64);
        for (int i = 0; i < def->n_items; i++) {
            const instr_item *it = &def->items[i];
            assert_true(it->en && it->fr && it->en[0] && it->fr[0]);
            assert_true(it->group < def->n_groups);
            if (it->kind == INSTR_OPTIONS) {
                assert_true(it->n_options > 0);
                for (int k = 0; k < it->n_options; k++)
                    assert_true(it->options[k].en && it->options[k].fr);
            }
            for (int j = i + 1; j < def->n_items; j++)
                assert_string_not_equal(it->id, def->items[j].id);
        }
    }
    assert_null(instrument_find("nope"));
}

static void test_json_adapters(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *in = json_loads(
        "{\"version\":\"1\",\"answers\":{\"current\":3,\"average\":\"5\",\"worst\":8}}", 0, &jerr);
    assert_non_null(in);
    json_t *out = NULL;
    cc_error err;
    assert_int_equal(instruments_json_score("nrs-pain", in, &out, &err), CC_OK);
    assert_string_equal(json_string_value(json_object_get(out, "instrument")), "nrs-pain");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "scores"), "worst")),
                     8);
    json_decref(out);
    json_decref(in);

    /* MAS answers must be strings or integers; 1.5 as a JSON real is refused */
    in = json_loads("{\"answers\":{\"elbow_flexors_right\":1.5}}", 0, &jerr);
    assert_int_equal(instruments_json_score("mas", in, &out, &err), CC_INVALID);
    assert_string_equal(err.field, "elbow_flexors_right");
    json_decref(in);

    /* unknown top-level key, wrong version, unknown instrument */
    in = json_loads("{\"answers\":{},\"extra\":1}", 0, &jerr);
    assert_int_equal(instruments_json_score("nrs-pain", in, &out, &err), CC_INVALID);
    assert_string_equal(err.field, "extra");
    json_decref(in);
    in = json_loads("{\"version\":\"9\",\"answers\":{}}", 0, &jerr);
    assert_int_equal(instruments_json_score("nrs-pain", in, &out, &err), CC_INVALID);
    assert_string_equal(err.field, "version");
    json_decref(in);
    in = json_loads("{\"answers\":{}}", 0, &jerr);
    assert_int_equal(instruments_json_score("nope", in, &out, &err), CC_NOT_FOUND);
    json_decref(in);

    /* the list names every instrument with its version and items */
    json_t *list = instruments_json_list();
    assert_int_equal(json_array_size(list), (size_t)instrument_count());
    json_t *first = json_array_get(list, 0);
    assert_non_null(json_object_get(first, "items"));
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_examples),
        cmocka_unit_test(test_edss_steps),
        cmocka_unit_test(test_koos_labels),
        cmocka_unit_test(test_errors_name_the_item),
        cmocka_unit_test(test_definitions_well_formed),
        cmocka_unit_test(test_json_adapters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
