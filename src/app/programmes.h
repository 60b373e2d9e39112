/*
 * programmes: the glue shared by the CLI (`cellclinic plan`, `protocols`)
 * and the API handlers (h_protocols, h_screenings, h_plans): find a protocol
 * version, and turn a patient's facts into dose, plan and quote by calling
 * core in order (dose -> planner -> quote).
 *
 * Ownership: protocol values are copied into the caller's struct; the
 * calendar's used rows are arena memory. Thread-safe (no shared state).
 */
#ifndef CC_PROGRAMMES_H
#define CC_PROGRAMMES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dose.h"
#include "core/planner.h"
#include "core/protocol.h"
#include "core/quote.h"
#include "store/db.h"

/* Loads protocol id at version (0: the latest) from the database, or from
 * the versions shipped in the binary when d is NULL. CC_NOT_FOUND naming
 * field "protocol" or "version". */
cc_status programme_load(db *d, arena *a, const char *id, int version, protocol *out,
                         cc_error *err);

typedef struct {
    const protocol *protocol;
    int count;           /* 0: the protocol's default */
    const char *product; /* NULL: the protocol's default */
    cc_date earliest;
    int weight_g;
    cc_date weight_date;
    int age_years; /* -1 unknown */
    cc_date as_of;
    unsigned optional_ancillary;
    admin_route cycle[PROTOCOL_MAX_CYCLE];
    size_t n_cycle;
} programme_input;

cc_status programme_plan(const programme_input *in, const planner_calendar *cal, plan *pl,
                         dose_result *dose, quote *q, cc_error *err);

/* A calendar covering every day a plan from `earliest` can touch, loaded
 * from the database (the site's capacity and approved slots), in arena
 * memory. */
cc_status programme_calendar(db *d, arena *a, int64_t site_id, cc_date earliest,
                             planner_calendar *cal, cc_error *err);

/* Whole years from a "YYYY-MM-DD" birth date to `on`; -1 when unparseable. */
int programme_age_years(const char *birth_date, cc_date on);

#endif
