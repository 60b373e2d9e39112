/*
 * plans: treatment plans, the slots approved plans book in the clinic
 * calendar, and each site's capacity per route.
 *
 * Every status change asks core/plan_state (the only table of transitions)
 * with the status read inside the write transaction: a move the table does
 * not have is CC_CONFLICT "wrong_state" and writes nothing. Approval books
 * the slots, cancellation frees them, start and complete only move the
 * status (the bedside administrations drive them).
 *
 * Approval re-counts, inside its write transaction, the slots the plan's
 * site already booked on each of the plan's days against that site's
 * capacity (another site's bookings never count): if another approval took the last slot since
 * the plan was drafted it fails with CC_CONFLICT "capacity_taken" and books
 * nothing, so an approved calendar never exceeds capacity.
 * Every change writes its audit entry in the same transaction; the approval
 * entry (action "sign") carries the signature's meaning as its reason.
 * Ownership: rows are allocated from the caller's arena.
 */
#ifndef CC_STORE_PLANS_H
#define CC_STORE_PLANS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/plan_state.h"
#include "core/planner.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    int64_t id, patient_id;
    char *protocol_id;
    int protocol_version;
    char *status, *start_date, *end_date, *request, *body;
    int64_t screening_id; /* 0 until approved */
    char *approved_by, *approved_at, *meaning, *cancel_reason;
    char *created_at, *created_by, *updated_at;
    int64_t version;
} plan_row;

typedef struct {
    int64_t patient_id;
    const char *protocol_id;
    int protocol_version;
    const char *start_date, *end_date, *request, *body;
} plan_new;

cc_status plan_store_create(db *d, const store_actor *actor, const plan_new *n, int64_t *id,
                            cc_error *err);
cc_status plan_store_get(db *d, arena *a, int64_t id, plan_row *out, cc_error *err);
/* One page of plan_store_list's rows (no cap) and their *total. */
cc_status plan_store_page(db *d, arena *a, int64_t site_id, int64_t patient_id, const char *status,
                          int64_t page, int64_t per_page, plan_row **rows, size_t *n,
                          int64_t *total, cc_error *err);
/* patient_id 0: every patient; status NULL: any; "active": approved or in
 * progress (plan_state_is_active). Newest first, at most 200. */
cc_status plan_store_list(db *d, arena *a, int64_t site_id, int64_t patient_id, const char *status,
                          plan_row **rows, size_t *n, cc_error *err);
cc_status plan_store_approve(db *d, const store_actor *actor, int64_t id, int64_t screening_id,
                             const char *meaning, const plan *pl, cc_error *err);
cc_status plan_store_cancel(db *d, const store_actor *actor, int64_t id, const char *reason,
                            cc_error *err);
/* PLAN_EV_START or PLAN_EV_COMPLETE, audited with the event's name as action. */
cc_status plan_store_advance(db *d, const store_actor *actor, int64_t id, plan_event e,
                             cc_error *err);

/* Writes a moved plan (app/plans decided the move): its dates and body,
 * version + 1, and its slots booked again with the capacity re-counted as at
 * approval; one audit entry (action "move" or "shift", the physician's
 * reason) with the dates and body before and after. Only an approved or
 * in-progress plan moves: otherwise CC_CONFLICT "wrong_state". */
cc_status plan_store_reschedule(db *d, const store_actor *actor, int64_t id, const char *action,
                                const char *reason, const char *body, const plan *pl,
                                cc_error *err);

/* Fills cal->capacity from the site's capacity (a route it has not set:
 * the capacity a new site starts with) and cal->used (caller allocates
 * n_days rows, zeroed here) from the slots of the site's approved plans. */
cc_status capacity_store_load(db *d, int64_t site_id, planner_calendar *cal, cc_error *err);
/* Sets the site's slots per day for a route; audited on "site_capacity"
 * (id: the site) with the route. */
cc_status capacity_store_set(db *d, const store_actor *actor, int64_t site_id, admin_route route,
                             int slots, cc_error *err);

#endif
