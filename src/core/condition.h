/*
 * condition: the structured details of a patient's condition, by kind.
 *
 * A condition's kind follows from its ICD-10 code:
 *   sci            S14.*, S24.*, S34.*, T09.3, T91.3, G82.* (spinal cord injury)
 *   spina_bifida   Q05.*, Q76.0
 *   ms             G35 (multiple sclerosis)
 *   als            G12.2* (motor neuron disease)
 *   other          anything else
 * Each kind has its details (every one optional):
 *   sci            level (neurological level C1..C8, T1..T12, L1..L5, S1..S5),
 *                  ais (AIS grade A..E)
 *   spina_bifida   type (myelomeningocele, meningocele, lipomyelomeningocele,
 *                  occulta), level (lesion level, as above)
 *   ms             course (relapsing_remitting, secondary_progressive,
 *                  primary_progressive), edss_at_diagnosis (0..10 by 0.5)
 *   als            onset_region (bulbar, limb, respiratory)
 * and every kind a free-text note (one line, up to 500 code points).
 *
 * Functions keep no state and allocate nothing; thread-safe. Errors name the
 * field "details" and say which detail is wrong.
 */
#ifndef CC_CONDITION_H
#define CC_CONDITION_H

#include <stdbool.h>

#include "status.h"

typedef enum {
    CONDITION_OTHER,
    CONDITION_SCI,
    CONDITION_SPINA_BIFIDA,
    CONDITION_MS,
    CONDITION_ALS,
} condition_kind;

enum { CONDITION_NOTE_MAX = 500 };

condition_kind condition_kind_of(const char *icd10);

/* Whether text is a neurological level C1..C8, T1..T12, L1..L5 or S1..S5. */
bool condition_level_is_valid(const char *text);

/* One detail of a condition of kind: key with its value, either text
 * (is_number false) or a number. CC_INVALID naming "details" when the key
 * is not a detail of that kind or the value is not one of its values. */
cc_status condition_check_detail(condition_kind kind, const char *key, bool is_number,
                                 const char *text, double number, cc_error *err);

#endif
