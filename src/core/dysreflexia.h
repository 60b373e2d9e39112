/*
 * dysreflexia: the autonomic dysreflexia alert for a patient with a spinal
 * cord injury at T6 or above, from a systolic reading and the patient's
 * baseline.
 *
 * Definition: autonomic dysreflexia is "an increase in SBP > 20 mmHg above
 * baseline" (International standards to document remaining autonomic
 * function after spinal cord injury: Alexander MS et al., Spinal Cord
 * 2009;47:36-43; revised by Krassioukov A et al., J Spinal Cord Med
 * 2012;35:201-210); the Consortium for Spinal Cord Medicine's guideline
 * (Acute management of autonomic dysreflexia, 2nd ed., 2001) gives "20 to 40
 * mmHg above baseline". The alert fires at a rise of 20 mmHg or more
 * (DYSREFLEXIA_RISE_MMHG, inclusive, as the guideline's lower bound and the
 * clinic's rule), whatever the absolute value: resting pressures after a
 * cervical or high thoracic injury are low (often 90-110 mmHg systolic), so
 * 125 mmHg may already be a crisis that the ward's limits never flag. It
 * applies to injuries at T6 or above (C1-C8, T1-T6), where the splanchnic
 * sympathetic outflow lies below the lesion.
 *
 * Levels are the worksheet's text ("C5", "T6"); sci_level_at_or_above_t6 is
 * false for anything else (lower levels, malformed text, NULL).
 * sci_condition_code: the ICD-10 codes of a spinal cord injury the SCI
 * protocol lists (S14.1, S24.1, S34.1, T91.3, G82), with or without
 * sub-codes.
 *
 * Pure, no allocation, thread-safe. Messages in English and French.
 */
#ifndef CC_DYSREFLEXIA_H
#define CC_DYSREFLEXIA_H

#include <stdbool.h>

#include "vitals.h"

enum { DYSREFLEXIA_RISE_MMHG = 20 };

bool sci_condition_code(const char *icd10);
bool sci_level_is_valid(const char *level);
bool sci_level_at_or_above_t6(const char *level);
/* Of two valid levels, the more rostral ("C5" over "T4"); a invalid -> b. */
const char *sci_level_higher(const char *a, const char *b);

/* True, with the finding (code "autonomic_dysreflexia", field "systolic")
 * written to *out, when level is at or above T6, a baseline is known, v has
 * a systolic and it is DYSREFLEXIA_RISE_MMHG or more above the baseline. */
bool vitals_dysreflexia(const char *level, bool has_baseline, int baseline_systolic,
                        const vitals *v, vitals_finding *out);

#endif
