/*
 * plan_state: the life cycle of a treatment plan, as one transition table.
 *
 * Purpose: the only way a plan changes status (DESIGN.md section 3; hazards
 * H4, H5, H6 are re-checked by the approval before its event is applied, and
 * a cancelled or completed plan can never be given again, H12). The store
 * records the move with its audit entry; this module only decides whether
 * the move is allowed.
 *
 *   [draft] --approve--> [approved] --start--> [in_progress] --complete--> [completed]
 *      |                     |                                               final
 *      +------ cancel -------+-----------> [cancelled] final
 *
 * The same table as rows (from --event--> to); the code holds exactly these:
 *   draft       --approve-->  approved     physician's signature; books the slots
 *   draft       --cancel-->   cancelled    with a reason
 *   approved    --cancel-->   cancelled    with a reason; frees the slots
 *   approved    --start-->    in_progress  its first administration is recorded
 *   in_progress --complete--> completed    its last administration is recorded
 * Every event always leads to the same state (plan_event_target).
 * Deliberately absent: in_progress --cancel-- (cells were given: the course
 * is closed by its administrations, not erased), anything out of completed
 * or cancelled, and any way into in_progress that skips the approval.
 *
 * Bad input: an enum value out of range is CC_INVALID ("state" or "event");
 * a pair not in the table is CC_CONFLICT, field "status", code "wrong_state",
 * with a message naming the current status. Names are the lowercase words
 * above. Pure, no allocation, thread-safe.
 */
#ifndef CC_PLAN_STATE_H
#define CC_PLAN_STATE_H

#include <stdbool.h>

#include "status.h"

typedef enum {
    PLAN_DRAFT = 0,
    PLAN_APPROVED,
    PLAN_IN_PROGRESS,
    PLAN_COMPLETED,
    PLAN_CANCELLED,
    PLAN_STATE_COUNT
} plan_state;

typedef enum {
    PLAN_EV_APPROVE = 0,
    PLAN_EV_CANCEL,
    PLAN_EV_START,
    PLAN_EV_COMPLETE,
    PLAN_EVENT_COUNT
} plan_event;

/* "draft", "approved", "in_progress", ...; "?" when out of range. Static strings. */
const char *plan_state_name(plan_state s);
/* "approve", "cancel", "start", "complete"; "?" when out of range. */
const char *plan_event_name(plan_event e);
/* Exact lowercase name -> value. False (out untouched) when unknown or NULL. */
bool plan_state_parse(const char *name, plan_state *out);
bool plan_event_parse(const char *name, plan_event *out);

/* The state an event leads to whenever it is allowed; PLAN_STATE_COUNT when
 * e is out of range. */
plan_state plan_event_target(plan_event e);

/* Applies e to a plan in state from. CC_OK and *to set when the table has
 * the pair; CC_CONFLICT ("wrong_state") otherwise, *to untouched. */
cc_status plan_state_apply(plan_state from, plan_event e, plan_state *to, cc_error *err);

/* True when the table has the pair. */
bool plan_state_allows(plan_state from, plan_event e);

/* True for completed and cancelled: no event leaves them. */
bool plan_state_is_final(plan_state s);

/* True for approved and in_progress: its planned administrations may be given. */
bool plan_state_is_active(plan_state s);

/* True for approved, in_progress and completed: the treatment was approved
 * and not cancelled, so its follow-up visits are due (H10). */
bool plan_state_has_followup(plan_state s);

#endif
