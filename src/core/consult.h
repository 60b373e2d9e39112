/*
 * consult: the rules of a public consultation request.
 *
 * Limits (code points): name 1..200, email 0..254 (contains '@'), phone
 * 0..40, at least one of email and phone; condition 0..200, required unless a
 * diagnosis other than "other" is chosen; message 0..4000 (may hold
 * newlines); language en|fr|de; birth_date optional, not in the future;
 * country optional, an ISO 3166-1 alpha-2 code; diagnosis optional, one of
 * consult_diagnoses; injury_level (C1..S5) and injury_date (not in the
 * future, not before birth_date) only with diagnosis "sci"; consent (to be
 * contacted) must be given. Decline reason 1..1000. Request states: new ->
 * converted | declined; only a new request may move.
 * Pure, thread-safe; errors are CC_INVALID naming the field.
 */
#ifndef CC_CONSULT_H
#define CC_CONSULT_H

#include <stdbool.h>

#include "date.h"
#include "status.h"

enum { CONSULT_NAME_MAX = 200, CONSULT_MESSAGE_MAX = 4000, CONSULT_REASON_MAX = 1000 };

typedef struct {
    const char *name, *email, *phone, *birth_date, *condition, *message, *language;
    const char *country, *diagnosis, *injury_level, *injury_date; /* NULL: not given */
    bool consent;
} consult_fields;

/* The diagnoses the public form offers, NULL-terminated. */
extern const char *const consult_diagnoses[];

/* The patient condition a request's diagnosis stands for (ICD-10 code and
 * English label; a spinal cord injury's code follows its level's region);
 * false for "other", NULL or an unknown diagnosis. */
bool consult_condition(const char *diagnosis, const char *injury_level, const char **icd10,
                       const char **label);

cc_status consult_check(const consult_fields *f, cc_date today, cc_error *err);
cc_status consult_check_reason(const char *reason, cc_error *err);
/* CC_CONFLICT unless status is "new". */
cc_status consult_check_open(const char *status, cc_error *err);

#endif
