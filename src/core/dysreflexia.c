#include "dysreflexia.h"

#include <stdio.h>
#include <string.h>

bool sci_condition_code(const char *icd10)
{
    static const char *const CODES[] = {"S14.1", "S24.1", "S34.1", "T91.3", "G82"};
    for (size_t i = 0; icd10 && i < sizeof CODES / sizeof CODES[0]; i++) {
        size_t n = strlen(CODES[i]);
        if (strncmp(icd10, CODES[i], n) == 0 &&
            (icd10[n] == '\0' || icd10[n] == '.' || (icd10[n] >= '0' && icd10[n] <= '9')))
            return true;
    }
    return false;
}

/* Rank of a level from C1 = 1 down to S5; 0 when not a level. */
static int level_rank(const char *level)
{
    static const struct {
        char region;
        int count;
    } REGIONS[] = {{'C', 8}, {'T', 12}, {'L', 5}, {'S', 5}};
    if (!level || !level[0] || !level[1])
        return 0;
    int number = 0;
    for (const char *p = level + 1; *p; p++) {
        if (*p < '0' || *p > '9' || p - level > 2)
            return 0;
        number = number * 10 + (*p - '0');
    }
    int before = 0;
    for (size_t i = 0; i < sizeof REGIONS / sizeof REGIONS[0]; i++) {
        if (level[0] == REGIONS[i].region)
            return number >= 1 && number <= REGIONS[i].count ? before + number : 0;
        before += REGIONS[i].count;
    }
    return 0;
}

bool sci_level_is_valid(const char *level)
{
    return level_rank(level) > 0;
}

bool sci_level_at_or_above_t6(const char *level)
{
    int r = level_rank(level);
    return r >= 1 && r <= 8 + 6;
}

const char *sci_level_higher(const char *a, const char *b)
{
    int ra = level_rank(a), rb = level_rank(b);
    if (!ra)
        return b;
    if (!rb)
        return a;
    return ra <= rb ? a : b;
}

bool vitals_dysreflexia(const char *level, bool has_baseline, int baseline_systolic,
                        const vitals *v, vitals_finding *out)
{
    if (!sci_level_at_or_above_t6(level) || !has_baseline || !v->has_systolic)
        return false;
    int rise = v->systolic - baseline_systolic;
    if (rise < DYSREFLEXIA_RISE_MMHG)
        return false;
    *out = (vitals_finding){.code = "autonomic_dysreflexia", .field = "systolic"};
    snprintf(out->en, sizeof out->en,
             "Possible autonomic dysreflexia (injury at %s): systolic %d mmHg, %d above the "
             "baseline of %d",
             level, v->systolic, rise, baseline_systolic);
    snprintf(out->fr, sizeof out->fr,
             "Dysréflexie autonome possible (lésion %s) : systolique %d mmHg, %d au-dessus de la "
             "valeur de base de %d",
             level, v->systolic, rise, baseline_systolic);
    return true;
}
