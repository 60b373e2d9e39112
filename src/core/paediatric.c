#include "paediatric.h"

#include <stdio.h>
#include <string.h>

paed_sex paed_sex_parse(const char *text)
{
    if (text && strcmp(text, "male") == 0)
        return PAED_SEX_MALE;
    if (text && strcmp(text, "female") == 0)
        return PAED_SEX_FEMALE;
    return PAED_SEX_UNKNOWN;
}

int paed_age_months(cc_date birth, cc_date on)
{
    if (birth > on)
        return -1;
    int by, bm, bd, y, m, d;
    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(on, &y, &m, &d);
    int months = (y - by) * 12 + (m - bm);
    /* the month is not complete before the birth day, unless `on` is the
     * last day of a month shorter than the birth day (born 31 Jan: one month
     * on 28 Feb) */
    cc_date next;
    if (d < bd && date_from_ymd(y, m, d + 1, &next))
        months--;
    return months;
}

bool paed_is_child(int age_months)
{
    return age_months >= 0 && age_months < PAED_ADULT_MONTHS;
}

bool paed_haemoglobin_min(int age_years, double *g_per_dl)
{
    static const struct {
        int below_years;
        double min;
    } bands[] = {{5, 11.0}, {12, 11.5}, {15, 12.0}};
    if (age_years < 1)
        return false;
    for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
        if (age_years < bands[i].below_years) {
            *g_per_dl = bands[i].min;
            return true;
        }
    return false;
}

/* A band of centiles: it applies below `below_months`. */
typedef struct {
    int below_months, first, ninety_ninth;
} centile_band;

enum { FLEMING_BANDS = 13 };

/* Fleming et al. 2011, table 2. */
static const centile_band HEART_RATE[FLEMING_BANDS] = {
    {3, 107, 181},  {6, 104, 175},  {9, 98, 168},   {12, 93, 161}, {18, 88, 156},
    {24, 82, 149},  {36, 76, 142},  {48, 70, 136},  {72, 65, 131}, {96, 59, 123},
    {144, 52, 115}, {180, 47, 108}, {216, 43, 104},
};

/* Fleming et al. 2011, respiratory-rate 1st and 99th centiles, the same 13
 * age bands as HEART_RATE; copied from a reproduction of the manuscript's web
 * appendix Web Table 4 (see paediatric.h for where, and the one cell the
 * authors' own centile curves round differently: 2-3 years, 1st centile). */
static const centile_band RESPIRATORY_RATE[FLEMING_BANDS] = {
    {3, 25, 66},   {6, 24, 64},   {9, 23, 61},   {12, 22, 58}, {18, 21, 53},
    {24, 19, 46},  {36, 18, 38},  {48, 17, 33},  {72, 17, 29}, {96, 16, 27},
    {144, 14, 25}, {180, 12, 23}, {216, 11, 22},
};

/* WHO IMCI fast breathing: abnormal at `fast` per minute or more. Under 2
 * years it is stricter than Fleming's 99th centile and is kept there. */
static const struct {
    int below_months, fast;
} FAST_BREATHING[] = {{2, 60}, {12, 50}, {60, 40}};

/* The Fourth Report, tables 3 (boys) and 4 (girls), 5th height percentile:
 * systolic 90th, 95th, 99th percentiles, then diastolic; row i is age i + 1. */
typedef struct {
    int s90, s95, s99, d90, d95, d99;
} bp_row;

static const bp_row BOYS[17] = {
    {94, 98, 105, 49, 54, 61},   /* 1 y */
    {97, 101, 109, 54, 59, 66},  /* 2 y */
    {100, 104, 111, 59, 63, 71}, /* 3 y */
    {102, 106, 113, 62, 66, 74}, /* 4 y */
    {104, 108, 115, 65, 69, 77}, /* 5 y */
    {105, 109, 116, 68, 72, 80}, /* 6 y */
    {106, 110, 117, 70, 74, 82}, /* 7 y */
    {107, 111, 119, 71, 75, 83}, /* 8 y */
    {109, 113, 120, 72, 76, 84}, /* 9 y */
    {111, 115, 122, 73, 77, 85}, /* 10 y */
    {113, 117, 124, 74, 78, 86}, /* 11 y */
    {115, 119, 126, 74, 78, 86}, /* 12 y */
    {117, 121, 128, 75, 79, 87}, /* 13 y */
    {120, 124, 131, 75, 80, 87}, /* 14 y */
    {122, 126, 134, 76, 81, 88}, /* 15 y */
    {125, 129, 136, 78, 82, 90}, /* 16 y */
    {127, 131, 139, 80, 84, 92}, /* 17 y */
};

static const bp_row GIRLS[17] = {
    {97, 100, 108, 52, 56, 64},  /* 1 y */
    {98, 102, 109, 57, 61, 69},  /* 2 y */
    {100, 104, 111, 61, 65, 73}, /* 3 y */
    {101, 105, 112, 64, 68, 76}, /* 4 y */
    {103, 107, 114, 66, 70, 78}, /* 5 y */
    {104, 108, 115, 68, 72, 80}, /* 6 y */
    {106, 110, 117, 69, 73, 81}, /* 7 y */
    {108, 112, 119, 71, 75, 82}, /* 8 y */
    {110, 114, 121, 72, 76, 83}, /* 9 y */
    {112, 116, 123, 73, 77, 84}, /* 10 y */
    {114, 118, 125, 74, 78, 85}, /* 11 y */
    {116, 119, 127, 75, 79, 86}, /* 12 y */
    {117, 121, 128, 76, 80, 87}, /* 13 y */
    {119, 123, 130, 77, 81, 88}, /* 14 y */
    {120, 124, 131, 78, 82, 89}, /* 15 y */
    {121, 125, 132, 78, 82, 90}, /* 16 y */
    {122, 125, 133, 78, 82, 90}, /* 17 y */
};

static int lower(int a, int b)
{
    return a < b ? a : b;
}

/* The percentiles for a child of 1..17 years; false at any other age. */
static bool bp_percentiles(int age_months, paed_sex sex, bp_row *out)
{
    int years = age_months / 12;
    if (years < 1 || years > 17)
        return false;
    const bp_row *b = &BOYS[years - 1], *g = &GIRLS[years - 1];
    if (sex == PAED_SEX_MALE)
        *out = *b;
    else if (sex == PAED_SEX_FEMALE)
        *out = *g;
    else
        *out = (bp_row){lower(b->s90, g->s90), lower(b->s95, g->s95), lower(b->s99, g->s99),
                        lower(b->d90, g->d90), lower(b->d95, g->d95), lower(b->d99, g->d99)};
    return true;
}

void paed_vitals_limits(int age_months, vitals_limits *l)
{
    if (!paed_is_child(age_months))
        return;
    /* both tables end at 216 months, so a child always finds a band */
    size_t band = 0;
    while (age_months >= HEART_RATE[band].below_months)
        band++;
    l->heart_rate_low = HEART_RATE[band].first;
    l->heart_rate_high = HEART_RATE[band].ninety_ninth;
    l->respiratory_rate_low = RESPIRATORY_RATE[band].first;
    l->respiratory_rate_high = RESPIRATORY_RATE[band].ninety_ninth;
    /* the stricter of the two upper limits: a child breathing fast by WHO's
     * definition is abnormal even inside Fleming's 99th centile */
    for (size_t i = 0; i < sizeof FAST_BREATHING / sizeof FAST_BREATHING[0]; i++)
        if (age_months < FAST_BREATHING[i].below_months) {
            l->respiratory_rate_high = lower(l->respiratory_rate_high, FAST_BREATHING[i].fast - 1);
            break;
        }
    /* PALS hypotension; abnormal strictly below the limit, as vitals_abnormal */
    int years = age_months / 12;
    l->systolic_low = age_months < 1 ? 60 : years < 1 ? 70 : years < 10 ? 70 + 2 * years : 90;
    l->diastolic_low = 1;
    bp_row r;
    if (bp_percentiles(age_months, PAED_SEX_UNKNOWN, &r)) {
        l->systolic_high = 300;
        l->diastolic_high = 200;
    }
}

static int grade_of(int value, int p90, int p95, int p99)
{
    return value > p99 + 5 ? 3 : value >= p95 ? 2 : value > p90 ? 1 : 0;
}

int paed_hypertension_grade(int age_months, paed_sex sex, const vitals *v)
{
    bp_row r;
    if (!paed_is_child(age_months) || !bp_percentiles(age_months, sex, &r))
        return 0;
    int grade = 0, g;
    bool adolescent = age_months >= 13 * 12;
    if (v->has_systolic) {
        g = grade_of(v->systolic, r.s90, r.s95, r.s99);
        if (adolescent && g < 2 && v->systolic >= 130)
            g = 2;
        if (adolescent && g < 1 && v->systolic >= 120)
            g = 1;
        grade = g > grade ? g : grade;
    }
    if (v->has_diastolic) {
        g = grade_of(v->diastolic, r.d90, r.d95, r.d99);
        if (adolescent && g < 2 && v->diastolic >= 80)
            g = 2;
        grade = g > grade ? g : grade;
    }
    return grade;
}

bool paed_hypertension(int age_months, paed_sex sex, const vitals *v, vitals_finding *out)
{
    int grade = paed_hypertension_grade(age_months, sex, v);
    if (grade < 1)
        return false;
    bp_row r;
    bp_percentiles(age_months, sex, &r);
    memset(out, 0, sizeof *out);
    snprintf(out->code, sizeof out->code, "hypertension_grade_%d", grade);
    snprintf(out->field, sizeof out->field, "%s", v->has_systolic ? "systolic" : "diastolic");
    char bp[24];
    if (v->has_systolic && v->has_diastolic)
        snprintf(bp, sizeof bp, "%d/%d", v->systolic, v->diastolic);
    else
        snprintf(bp, sizeof bp, "%d", v->has_systolic ? v->systolic : v->diastolic);
    snprintf(out->en, sizeof out->en,
             "Blood pressure %s mmHg at %d year%s: hypertension grade %d (CTCAE v5.0, children; "
             "95th percentile %d/%d)",
             bp, age_months / 12, age_months < 24 ? "" : "s", grade, r.s95, r.d95);
    snprintf(out->fr, sizeof out->fr,
             "Pression artérielle %s mmHg à %d an%s : hypertension de grade %d (CTCAE v5.0, "
             "enfant ; 95e percentile %d/%d)",
             bp, age_months / 12, age_months < 24 ? "" : "s", grade, r.s95, r.d95);
    return true;
}
