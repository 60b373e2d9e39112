/*
 * demo_followup: the follow-up part of `cellclinic demo`. Up to
 * patients * 2 / 5 (at most 300) of the synthetic patients without a plan or
 * screening are screened for the programme of their condition (see
 * demo_followup.c): about 1 in 8 is signed not eligible, the others get a
 * treated history when the planner can serve them. The same seed gives the
 * same data for the same day. *made counts them; per_programme follows
 * demo_programme_ids.
 */
#ifndef CC_CLI_DEMO_FOLLOWUP_H
#define CC_CLI_DEMO_FOLLOWUP_H

#include <stdint.h>

#include "core/date.h"
#include "store/db.h"

enum { DEMO_PROGRAMMES = 5 };
extern const char *const demo_programme_ids[DEMO_PROGRAMMES];

typedef struct {
    int64_t treated, not_eligible;
    int64_t per_programme[DEMO_PROGRAMMES];
} demo_followup_counts;

cc_status demo_followup(db *d, uint64_t seed, int64_t patients, cc_date today,
                        demo_followup_counts *made, cc_error *err);

#endif
