#include "screening.h"

#include <string.h>

/* LOINC codes from the LOINC table (loinc.org); units are the ones the
 * shipped rules are written in. */
static const screening_test CATALOGUE[] = {
    {"hb", "718-7", "g/dL", "Haemoglobin", "Hémoglobine", false},
    {"wbc", "6690-2", "10^9/L", "Leukocytes", "Leucocytes", false},
    {"plt", "777-3", "10^9/L", "Platelets", "Plaquettes", false},
    {"creatinine", "2160-0", "mg/dL", "Creatinine", "Créatinine", false},
    {"alt", "1742-6", "U/L", "ALT", "ALAT", false},
    {"ast", "1920-8", "U/L", "AST", "ASAT", false},
    {"bilirubin", "1975-2", "mg/dL", "Total bilirubin", "Bilirubine totale", false},
    {"inr", "6301-6", "1", "INR", "INR", false},
    {"aptt", "14979-9", "s", "aPTT", "TCA", false},
    {"hiv", "31201-7", "", "HIV 1+2 antibodies", "Anticorps VIH 1+2", true},
    {"hbv", "5196-1", "", "Hepatitis B surface antigen", "Antigène HBs", true},
    {"hcv", "16128-1", "", "Hepatitis C antibodies", "Anticorps hépatite C", true},
    {"syphilis", "20507-0", "", "Syphilis (RPR)", "Syphilis (RPR)", true},
    {NULL, NULL, NULL, NULL, NULL, false},
};

static const char *const FINDINGS[FINDING_COUNT] = {"ecg", "echocardiography", "organ_function"};
static const char *const HISTORY[] = {"cancer_history", "pregnancy", "active_infection"};

const screening_test *screening_test_find(const char *code)
{
    for (const screening_test *t = CATALOGUE; code && t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t;
    return NULL;
}

const screening_test *screening_catalogue(void)
{
    return CATALOGUE;
}

const char *screening_finding_name(finding_kind k)
{
    return (unsigned)k < FINDING_COUNT ? FINDINGS[k] : "";
}

bool screening_finding_parse(const char *name, finding_kind *out)
{
    for (int i = 0; name && i < FINDING_COUNT; i++)
        if (strcmp(name, FINDINGS[i]) == 0) {
            *out = (finding_kind)i;
            return true;
        }
    return false;
}

bool screening_history_is_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof HISTORY / sizeof HISTORY[0]; i++)
        if (strcmp(name, HISTORY[i]) == 0)
            return true;
    return false;
}

const char *screening_tri_name(tri_state t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

const char *screening_finding_state_name(finding_state f)
{
    return f == FINDING_NORMAL ? "normal" : f == FINDING_ABNORMAL ? "abnormal" : "not_done";
}

const screening_result *screening_result_find(const screening *s, const char *code)
{
    for (size_t i = 0; i < s->n_results; i++)
        if (strcmp(s->results[i].test, code) == 0)
            return &s->results[i];
    return NULL;
}
