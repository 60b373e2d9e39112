#include "vitals.h"

#include <stdio.h>
#include <string.h>

void vitals_default_limits(vitals_limits *out)
{
    *out = (vitals_limits){.systolic_low = 90,
                           .systolic_high = 180,
                           .diastolic_low = 50,
                           .diastolic_high = 110,
                           .heart_rate_low = 50,
                           .heart_rate_high = 120,
                           .spo2_low = 92,
                           .temperature_low_dc = 350,
                           .fever_dc = 380,
                           .respiratory_rate_low = 10,
                           .respiratory_rate_high = 24,
                           .lie_flat_minutes = 0};
}

cc_status vitals_check_limits(const vitals_limits *l, cc_error *err)
{
    const struct {
        const char *name;
        int low, high;
    } pairs[] = {
        {"systolic", l->systolic_low, l->systolic_high},
        {"diastolic", l->diastolic_low, l->diastolic_high},
        {"heart_rate", l->heart_rate_low, l->heart_rate_high},
        {"spo2", l->spo2_low, 101},
        {"temperature", l->temperature_low_dc, l->fever_dc},
        {"respiratory_rate", l->respiratory_rate_low, l->respiratory_rate_high},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i].low <= 0 || pairs[i].low >= pairs[i].high || pairs[i].high > 1000)
            return cc_fail(err, CC_INVALID, pairs[i].name, "invalid_limits",
                           "the %s limits must be positive with low below high", pairs[i].name);
    if (l->lie_flat_minutes < 0 || l->lie_flat_minutes > 1440)
        return cc_fail(err, CC_INVALID, "lie_flat_minutes", "out_of_range",
                       "lie_flat_minutes must be 0 (no bed rest) to 1440");
    return CC_OK;
}

cc_status vitals_check(const vitals *v, cc_error *err)
{
    const struct {
        bool has;
        int value, low, high;
        const char *name, *unit;
    } rows[] = {
        {v->has_systolic, v->systolic, 30, 300, "systolic", "mmHg"},
        {v->has_diastolic, v->diastolic, 10, 200, "diastolic", "mmHg"},
        {v->has_heart_rate, v->heart_rate, 20, 300, "heart_rate", "/min"},
        {v->has_spo2, v->spo2, 50, 100, "spo2", "%"},
        {v->has_temperature, v->temperature_dc, 300, 450, "temperature", "tenths of C"},
        {v->has_respiratory_rate, v->respiratory_rate, 4, 80, "respiratory_rate", "/min"},
    };
    bool any = false;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (!rows[i].has)
            continue;
        any = true;
        if (rows[i].value < rows[i].low || rows[i].value > rows[i].high)
            return cc_fail(err, CC_INVALID, rows[i].name, "out_of_range", "%s must be %d to %d %s",
                           rows[i].name, rows[i].low, rows[i].high, rows[i].unit);
    }
    if (!any)
        return cc_fail(err, CC_INVALID, "vitals", "required", "give at least one vital sign");
    if (v->has_systolic && v->has_diastolic && v->diastolic >= v->systolic)
        return cc_fail(err, CC_INVALID, "diastolic", "out_of_range",
                       "the diastolic pressure must be below the systolic");
    return CC_OK;
}

static void finding(vitals_finding *out, size_t *n, const char *code, const char *field,
                    const char *en, const char *fr)
{
    if (*n >= VITALS_MAX_FINDINGS)
        return;
    vitals_finding *f = &out[(*n)++];
    snprintf(f->code, sizeof f->code, "%s", code);
    snprintf(f->field, sizeof f->field, "%s", field);
    snprintf(f->en, sizeof f->en, "%s", en);
    snprintf(f->fr, sizeof f->fr, "%s", fr);
}

size_t vitals_abnormal(const vitals *v, const vitals_limits *l, vitals_finding *out)
{
    size_t n = 0;
    char en[VITALS_TEXT], fr[VITALS_TEXT];
#define LOW_HIGH(has, value, lo, hi, name, label_en, label_fr, unit)                               \
    do {                                                                                           \
        if ((has) && (value) < (lo)) {                                                             \
            snprintf(en, sizeof en, "%s %d %s is below %d", label_en, value, unit, lo);            \
            snprintf(fr, sizeof fr, "%s %d %s est inférieur(e) à %d", label_fr, value, unit, lo);  \
            finding(out, &n, name "_low", name, en, fr);                                           \
        } else if ((has) && (value) > (hi)) {                                                      \
            snprintf(en, sizeof en, "%s %d %s is above %d", label_en, value, unit, hi);            \
            snprintf(fr, sizeof fr, "%s %d %s est supérieur(e) à %d", label_fr, value, unit, hi);  \
            finding(out, &n, name "_high", name, en, fr);                                          \
        }                                                                                          \
    } while (0)
    LOW_HIGH(v->has_systolic, v->systolic, l->systolic_low, l->systolic_high, "systolic",
             "Systolic pressure", "Pression systolique", "mmHg");
    LOW_HIGH(v->has_diastolic, v->diastolic, l->diastolic_low, l->diastolic_high, "diastolic",
             "Diastolic pressure", "Pression diastolique", "mmHg");
    LOW_HIGH(v->has_heart_rate, v->heart_rate, l->heart_rate_low, l->heart_rate_high, "heart_rate",
             "Heart rate", "Fréquence cardiaque", "/min");
    LOW_HIGH(v->has_spo2, v->spo2, l->spo2_low, 100, "spo2", "SpO2", "SpO2", "%");
    LOW_HIGH(v->has_respiratory_rate, v->respiratory_rate, l->respiratory_rate_low,
             l->respiratory_rate_high, "respiratory_rate", "Respiratory rate",
             "Fréquence respiratoire", "/min");
#undef LOW_HIGH
    if (v->has_temperature && v->temperature_dc >= l->fever_dc) {
        snprintf(en, sizeof en, "Temperature %d.%d C: fever (%d.%d C or more)",
                 v->temperature_dc / 10, v->temperature_dc % 10, l->fever_dc / 10,
                 l->fever_dc % 10);
        snprintf(fr, sizeof fr, "Température %d,%d °C : fièvre (%d,%d °C ou plus)",
                 v->temperature_dc / 10, v->temperature_dc % 10, l->fever_dc / 10,
                 l->fever_dc % 10);
        finding(out, &n, "temperature_high", "temperature", en, fr);
    } else if (v->has_temperature && v->temperature_dc < l->temperature_low_dc) {
        snprintf(en, sizeof en, "Temperature %d.%d C is below %d.%d C", v->temperature_dc / 10,
                 v->temperature_dc % 10, l->temperature_low_dc / 10, l->temperature_low_dc % 10);
        snprintf(fr, sizeof fr, "Température %d,%d °C inférieure à %d,%d °C",
                 v->temperature_dc / 10, v->temperature_dc % 10, l->temperature_low_dc / 10,
                 l->temperature_low_dc % 10);
        finding(out, &n, "temperature_low", "temperature", en, fr);
    }
    return n;
}

static const char *const OBS_NAMES[OBS_KIND_COUNT] = {"vitals", "lie_flat", "headache_check",
                                                      "site_check", "neuro_check"};

const char *obs_kind_name(obs_kind k)
{
    return (unsigned)k < OBS_KIND_COUNT ? OBS_NAMES[k] : "?";
}

bool obs_kind_parse(const char *name, obs_kind *out)
{
    for (int i = 0; name && i < OBS_KIND_COUNT; i++)
        if (strcmp(name, OBS_NAMES[i]) == 0) {
            *out = (obs_kind)i;
            return true;
        }
    return false;
}

static const obs_step DEFAULT_STEPS[] = {
    {OBS_VITALS, 15},  {OBS_VITALS, 30},  {OBS_VITALS, 45},  {OBS_VITALS, 60},
    {OBS_VITALS, 120}, {OBS_VITALS, 180}, {OBS_VITALS, 240}, {OBS_VITALS, 300},
};
static const obs_step LP_STEPS[] = {
    {OBS_NEURO_CHECK, 60},   {OBS_NEURO_CHECK, 120},     {OBS_HEADACHE_CHECK, 120},
    {OBS_SITE_CHECK, 120},   {OBS_NEURO_CHECK, 360},     {OBS_HEADACHE_CHECK, 360},
    {OBS_NEURO_CHECK, 1440}, {OBS_HEADACHE_CHECK, 1440}, {OBS_SITE_CHECK, 1440},
};

size_t obs_plan_generate_from(const obs_step *steps, size_t n, int64_t ended_at, obs_task *out,
                              size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        obs_task t = {steps[i].kind, ended_at + (int64_t)steps[i].minutes * 60};
        size_t j = k++;
        while (j > 0 && out[j - 1].due_at > t.due_at) { /* stable insertion by due time */
            out[j] = out[j - 1];
            j--;
        }
        out[j] = t;
    }
    return k;
}

size_t obs_plan_generate(const char *route, int64_t ended_at, int lie_flat_minutes, obs_task *out,
                         size_t cap)
{
    obs_step steps[sizeof DEFAULT_STEPS / sizeof DEFAULT_STEPS[0] +
                   sizeof LP_STEPS / sizeof LP_STEPS[0] + 1];
    size_t n = 0;
    for (size_t i = 0; i < sizeof DEFAULT_STEPS / sizeof DEFAULT_STEPS[0]; i++)
        steps[n++] = DEFAULT_STEPS[i];
    if (route && strcmp(route, "intrathecal") == 0) {
        for (size_t i = 0; i < sizeof LP_STEPS / sizeof LP_STEPS[0]; i++)
            steps[n++] = LP_STEPS[i];
        if (lie_flat_minutes > 0)
            steps[n++] = (obs_step){OBS_LIE_FLAT, lie_flat_minutes};
    }
    return obs_plan_generate_from(steps, n, ended_at, out, cap);
}
