/*
 * consult: the rules of a public consultation request.
 *
 * Limits (code points): name 1..200, email 0..254 (contains '@'), phone
 * 0..40, at least one of email and phone; condition 1..200; message 0..4000
 * (may hold newlines); language en|fr; birth_date optional, not in the
 * future. Decline reason 1..1000. Request states: new -> converted | declined;
 * only a new request may move.
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
} consult_fields;

cc_status consult_check(const consult_fields *f, cc_date today, cc_error *err);
cc_status consult_check_reason(const char *reason, cc_error *err);
/* CC_CONFLICT unless status is "new". */
cc_status consult_check_open(const char *status, cc_error *err);

#endif
