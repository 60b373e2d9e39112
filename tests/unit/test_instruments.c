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
    /* EDSS: all FS 0 and unrestricted walking = 0.0 (Kurtzke 1983). */
    {"edss", EDSS_ZERO " ambulation=unrestricted", "edss=0.0"},
    /* EDSS: one FS grade 1 -> 1.0; two -> 1.5. */
    {"edss",
     "pyramidal=1 cerebellar=0 brainstem=0 sensory=0 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=1.0"},
    {"edss",
     "pyramidal=1 cerebellar=1 brainstem=0 sensory=0 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=1.5"},
    /* EDSS: one FS 2 -> 2.0; two -> 2.5; three -> 3.0. */
    {"edss",
     "pyramidal=2 cerebellar=0 brainstem=0 sensory=0 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=2.0"},
    {"edss",
     "pyramidal=2 cerebellar=2 brainstem=1 sensory=0 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=2.5"},
    {"edss",
     "pyramidal=2 cerebellar=2 brainstem=2 sensory=0 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=3.0"},
    /* EDSS: one FS 3 with one FS 2 -> 3.5. */
    {"edss",
     "pyramidal=3 cerebellar=0 brainstem=0 sensory=2 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=3.5"},
    /* EDSS: bowel/bladder 6 converts to 5 -> 5.0; visual 6 converts to 4 -> 4.0. */
    {"edss",
     "pyramidal=0 cerebellar=0 brainstem=0 sensory=0 bowel_bladder=6 visual=0 cerebral=0 "
     "ambulation=unrestricted",
     "edss=5.0 bowel_bladder=5"},
    {"edss",
     "pyramidal=0 cerebellar=0 brainstem=0 sensory=0 bowel_bladder=0 visual=6 cerebral=0 "
     "ambulation=unrestricted",
     "edss=4.0 visual=4"},
    /* EDSS: walking range sets a floor (300 m -> 4.5); aids decide alone (unilateral -> 6.0). */
    {"edss",
     "pyramidal=1 cerebellar=0 brainstem=0 sensory=0 bowel_bladder=0 visual=0 cerebral=0 "
     "ambulation=300m",
     "edss=4.5"},
    {"edss", EDSS_ZERO " ambulation=unilateral_aid", "edss=6.0"},
    {"edss", EDSS_ZERO " ambulation=bed_totally_helpless", "edss=9.5"},
    /* Satisfaction: items reported as given; domains counted better / worse,
     * "not_applicable" left out. */
    {"satisfaction",
     "satisfaction=4 pgic=2 change_motor=better change_pain=much_worse change_bowel=not_applicable "
     "would_recommend=yes comments=good",
     "satisfaction=4 pgic=2 change_motor=better would_recommend=yes domains_rated=2 "
     "domains_better=1 domains_worse=1"},
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

static void test_worked_examples(void **state)
{
    (void)state;
    int mismatches = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        cc_status st;
        cc_error err;
        cc_error_clear(&err);
        instr_result r = score_case(CASES[i].instrument, CASES[i].answers, &st, &err);
        if (st != CC_OK) {
            print_error("case %zu (%s): refused at %s: %s\n", i, CASES[i].instrument, err.field,
                        err.message);
            mismatches++;
            continue;
        }
        char storage[MAX_ANSWERS][2][64];
        instr_answer expect[MAX_ANSWERS];
        size_t n = parse_answers(CASES[i].expect, storage, expect);
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
                print_error("case %zu (%s): %s: expected %s, got %s\n", i, CASES[i].instrument,
                            expect[k].item, expect[k].value, got);
                mismatches++;
            }
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
    assert_int_equal(instrument_count(), 8);
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
        cmocka_unit_test(test_errors_name_the_item),
        cmocka_unit_test(test_definitions_well_formed),
        cmocka_unit_test(test_json_adapters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
