#include "coagulation.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const TEST_CODES[COAG_TEST_COUNT] = {"plt", "inr", "aptt"};
static const char *const TEST_UNITS[COAG_TEST_COUNT] = {"10^9/L", "1", "s"};
static const char *const TEST_EN[COAG_TEST_COUNT] = {"platelet count", "INR", "aPTT"};
static const char *const TEST_FR[COAG_TEST_COUNT] = {"numération plaquettaire", "INR", "TCA"};

static const char *const CLASSES[MED_CLASS_COUNT] = {
    "anticoagulant", "antiplatelet",  "nsaid",          "analgesic",
    "antispasmodic", "antiepileptic", "corticosteroid", "immunosuppressant",
    "antibiotic",    "other",
};

const char *coag_test_code(coag_test t)
{
    return (unsigned)t < COAG_TEST_COUNT ? TEST_CODES[t] : "";
}

const char *med_class_name(med_class c)
{
    return (unsigned)c < MED_CLASS_COUNT ? CLASSES[c] : "";
}

bool med_class_parse(const char *name, med_class *out)
{
    for (int i = 0; name && i < MED_CLASS_COUNT; i++)
        if (strcmp(name, CLASSES[i]) == 0) {
            *out = (med_class)i;
            return true;
        }
    return false;
}

bool coag_drug_blocks(med_class cls, cc_date start, bool stopped, cc_date stop, cc_date day)
{
    if (cls != MED_ANTICOAGULANT && cls != MED_ANTIPLATELET)
        return false;
    if (start > day)
        return false;
    return !stopped || day - stop < COAG_DRUG_CLEAR_DAYS;
}

/* One finding; en and fr are finished sentences. */
static void add(coag_finding *out, size_t *n, coag_problem problem, coag_test test,
                const char *subject, const char *observed, const char *limit, const char *en,
                const char *fr)
{
    if (*n >= COAG_MAX_FINDINGS)
        return;
    coag_finding *x = &out[(*n)++];
    memset(x, 0, sizeof *x);
    x->problem = problem;
    x->test = test;
    snprintf(x->subject, sizeof x->subject, "%s", subject);
    snprintf(x->observed, sizeof x->observed, "%s", observed);
    snprintf(x->limit, sizeof x->limit, "%s", limit);
    snprintf(x->en, sizeof x->en, "%s", en);
    snprintf(x->fr, sizeof x->fr, "%s", fr);
}

/* A number with a decimal point (en) and a decimal comma (fr). */
static void num(double v, char en[32], char fr[32])
{
    snprintf(en, 32, "%g", v);
    snprintf(fr, 32, "%s", en);
    char *dot = strchr(fr, '.');
    if (dot)
        *dot = ',';
}

static void check_result(const coag_facts *f, coag_test t, coag_finding *out, size_t *n)
{
    const coag_result *r = &f->results[t];
    const char *code = TEST_CODES[t];
    char limit[96], lim_en[32], lim_fr[32], en[COAG_TEXT], fr[COAG_TEXT];
    bool usable = r->has && isfinite(r->value) && r->unit && strcmp(r->unit, TEST_UNITS[t]) == 0 &&
                  (t != COAG_APTT || (r->has_ref_high && isfinite(r->ref_high)));
    double bound = t == COAG_PLT ? COAG_MIN_PLATELETS : t == COAG_INR ? COAG_MAX_INR : r->ref_high;
    num(bound, lim_en, lim_fr);
    if (t == COAG_PLT)
        snprintf(limit, sizeof limit, ">= %s 10^9/L", lim_en);
    else if (t == COAG_INR)
        snprintf(limit, sizeof limit, "<= %s", lim_en);
    else
        snprintf(limit, sizeof limit, "<= laboratory upper limit");
    if (!usable) {
        bool aptt = t == COAG_APTT;
        snprintf(en, sizeof en,
                 "No usable %s result (in %s%s): it is needed before a lumbar puncture.",
                 TEST_EN[t], TEST_UNITS[t], aptt ? ", with the laboratory's reference range" : "");
        snprintf(fr, sizeof fr,
                 "Aucun résultat utilisable de %s (en %s%s) : il est exigé avant une ponction "
                 "lombaire.",
                 TEST_FR[t], TEST_UNITS[t],
                 aptt ? ", avec les valeurs de référence du laboratoire" : "");
        add(out, n, COAG_MISSING, t, code, "missing", limit, en, fr);
        return;
    }
    char v_en[32], v_fr[32], observed[96], day[CC_DATE_TEXT];
    num(r->value, v_en, v_fr);
    snprintf(observed, sizeof observed, "%s %s", v_en, r->unit);
    bool low = t == COAG_PLT;
    if (low ? r->value < bound : r->value > bound) {
        snprintf(en, sizeof en, "The %s is %s %s, %s the limit of %s for a lumbar puncture.",
                 TEST_EN[t], v_en, TEST_UNITS[t], low ? "below" : "above", lim_en);
        snprintf(fr, sizeof fr,
                 "Le résultat de %s est de %s %s, %s la limite de %s pour une ponction lombaire.",
                 TEST_FR[t], v_fr, TEST_UNITS[t], low ? "sous" : "au-dessus de", lim_fr);
        add(out, n, COAG_OUT_OF_RANGE, t, code, observed, limit, en, fr);
    }
    if (f->check_age && (f->today - r->date > COAG_MAX_AGE_DAYS || r->date > f->today)) {
        int y, m, d;
        date_to_ymd(r->date, &y, &m, &d);
        date_format(r->date, day);
        char obs[96], lim[96], day_fr[16];
        snprintf(day_fr, sizeof day_fr, "%02d/%02d/%04d", d, m, y);
        snprintf(obs, sizeof obs, "sampled %s", day);
        snprintf(lim, sizeof lim, "at most %d days old", COAG_MAX_AGE_DAYS);
        snprintf(en, sizeof en,
                 "The latest %s (%s) is more than %d days old: repeat it before the lumbar "
                 "puncture.",
                 TEST_EN[t], day, COAG_MAX_AGE_DAYS);
        snprintf(fr, sizeof fr,
                 "Le dernier résultat de %s (%s) date de plus de %d jours : refaites-le avant la "
                 "ponction lombaire.",
                 TEST_FR[t], day_fr, COAG_MAX_AGE_DAYS);
        add(out, n, COAG_STALE, t, code, obs, lim, en, fr);
    }
}

size_t coag_check(const coag_facts *f, coag_finding out[COAG_MAX_FINDINGS])
{
    size_t n = 0;
    for (int t = 0; t < COAG_TEST_COUNT; t++)
        check_result(f, (coag_test)t, out, &n);
    for (size_t i = 0; f->meds && i < f->n_meds; i++) {
        const coag_medication *m = &f->meds[i];
        if (!coag_drug_blocks(m->cls, m->start, m->stopped, m->stop, f->today))
            continue;
        bool anti = m->cls == MED_ANTICOAGULANT;
        const char *name = m->name ? m->name : "";
        char observed[96], en[COAG_TEXT], fr[COAG_TEXT];
        snprintf(observed, sizeof observed, "%.60s (%s)", name, CLASSES[m->cls]);
        snprintf(en, sizeof en,
                 "%.60s (%s) is on the medication list: it must have been stopped at least %d "
                 "days before a lumbar puncture.",
                 name, anti ? "anticoagulant" : "antiplatelet", COAG_DRUG_CLEAR_DAYS);
        snprintf(fr, sizeof fr,
                 "%.60s (%s) figure dans la liste des traitements : il doit être arrêté depuis au "
                 "moins %d jours avant une ponction lombaire.",
                 name, anti ? "anticoagulant" : "antiagrégant plaquettaire", COAG_DRUG_CLEAR_DAYS);
        add(out, &n, COAG_DRUG_ACTIVE, COAG_TEST_COUNT, "medication", observed, "none current", en,
            fr);
    }
    return n;
}
