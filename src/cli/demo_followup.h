/*
 * demo_followup: the follow-up part of `cellclinic demo` (issue 7). Up to
 * patients / 5 (at most 120) of the synthetic patients without a plan get a
 * treated SCI history (see demo_followup.c). The same seed gives the same
 * data for the same day. *made counts the patients given a history.
 */
#ifndef CC_CLI_DEMO_FOLLOWUP_H
#define CC_CLI_DEMO_FOLLOWUP_H

#include <stdint.h>

#include "core/date.h"
#include "store/db.h"

cc_status demo_followup(db *d, uint64_t seed, int64_t patients, cc_date today, int64_t *made,
                        cc_error *err);

#endif
