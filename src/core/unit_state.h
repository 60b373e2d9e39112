/*
 * unit_state: the life cycle of a cell unit, as one transition table.
 *
 * Purpose: the only way a unit changes state (DESIGN.md section 3, hazards
 * H2 unit not released, H3 expired unit, H12 unit issued or administered
 * twice). The store records the move and its custody event; this module only
 * decides whether the move is allowed.
 *
 *    +<------------- hold -------------+<----------- hold ------------+
 *    |                                 |                              |
 *    v                                 |                              |
 * [quarantine] ----- release -----> [released] ----- reserve -----> [reserved]
 *    ^                               ^    |   <------ unreserve -----    |
 *    |                       restock |    |                              | issue
 *    |                               |    +-------- issue ---------+     |
 *    |                               |                             v     v
 *    +------------ hold ---------- [returned] <---- return ---- [    issued    ]
 *                                                                     |
 *                                                                 administer
 *                                                                     v
 *                                                              [administered]
 *                                                               final (H12)
 *   and to the side:
 *   expire : quarantine, released, reserved, returned  ------> [expired]
 *   discard: quarantine, released, reserved, issued,
 *            returned, expired                          ------> [discarded] final
 *
 * The same table as rows (from --event--> to); the code holds exactly these:
 *   quarantine --release-->    released     QA release; caller has checked QC
 *                                           results and donor eligibility (H2, H13)
 *   quarantine --discard-->    discarded    failed QC, ineligible donor
 *   quarantine --expire-->     expired
 *   released   --reserve-->    reserved     held for one patient's plan
 *   released   --issue-->      issued       off-the-shelf issue without reservation
 *   released   --hold-->       quarantine   late QC result, lookback, recall
 *   released   --discard-->    discarded
 *   released   --expire-->     expired
 *   reserved   --unreserve-->  released
 *   reserved   --issue-->      issued       leaves the lab for the bedside
 *   reserved   --hold-->       quarantine
 *   reserved   --discard-->    discarded
 *   reserved   --expire-->     expired
 *   issued     --administer--> administered final (H12)
 *   issued     --return-->     returned     not given; back to the lab
 *   issued     --discard-->    discarded    destroyed at the bedside (e.g. broken bag)
 *   returned   --restock-->    released     QA decision that the unit stayed fit
 *   returned   --hold-->       quarantine   QA wants a new test first
 *   returned   --discard-->    discarded
 *   returned   --expire-->     expired
 *   expired    --discard-->    discarded    records the physical destruction
 * Every event always leads to the same state (unit_event_target): release,
 * unreserve and restock to released, hold to quarantine, and so on.
 * Deliberately absent: issued --expire-- (an issued unit is out of the lab's
 * custody: the bedside check blocks it, H3, and the ward returns or discards
 * it); issued --issue-- and administered --anything-- (H12); any way into
 * issued that does not pass through release (H2).
 *
 * Dates: an expiry is a calendar date (date.h) and the unit is usable through
 * the end of that day; on the day after, it is expired.
 *
 * Bad input: an enum value out of range is CC_INVALID ("state" or "event");
 * a pair not in the table is CC_CONFLICT, code "invalid_transition", with a
 * message naming the current state and the state the event leads to.
 * Names are the lowercase words above. Pure, no allocation, thread-safe.
 */
#ifndef CC_UNIT_STATE_H
#define CC_UNIT_STATE_H

#include <stdbool.h>

#include "date.h"
#include "status.h"

typedef enum {
    UNIT_QUARANTINE = 0,
    UNIT_RELEASED,
    UNIT_RESERVED,
    UNIT_ISSUED,
    UNIT_ADMINISTERED,
    UNIT_DISCARDED,
    UNIT_EXPIRED,
    UNIT_RETURNED,
    UNIT_STATE_COUNT
} unit_state;

typedef enum {
    UNIT_EV_RELEASE = 0,
    UNIT_EV_RESERVE,
    UNIT_EV_UNRESERVE,
    UNIT_EV_ISSUE,
    UNIT_EV_ADMINISTER,
    UNIT_EV_RETURN,
    UNIT_EV_RESTOCK,
    UNIT_EV_HOLD,
    UNIT_EV_DISCARD,
    UNIT_EV_EXPIRE,
    UNIT_EVENT_COUNT
} unit_event;

/* "quarantine", "released", ...; "?" when out of range. Static strings. */
const char *unit_state_name(unit_state s);
/* "release", "reserve", ...; "?" when out of range. Static strings. */
const char *unit_event_name(unit_event e);
/* Exact lowercase name -> value. False (out untouched) when unknown or NULL. */
bool unit_state_parse(const char *name, unit_state *out);
bool unit_event_parse(const char *name, unit_event *out);

/* The state an event leads to whenever it is allowed. UNIT_STATE_COUNT when
 * e is out of range. */
unit_state unit_event_target(unit_event e);

/* Applies e to a unit in state from. CC_OK and *to set when the table has the
 * pair; CC_CONFLICT ("invalid_transition") otherwise, *to untouched. */
cc_status unit_state_apply(unit_state from, unit_event e, unit_state *to, cc_error *err);

/* True when the table has the pair. */
bool unit_state_allows(unit_state from, unit_event e);

/* True for administered and discarded: no event leaves them. */
bool unit_state_is_final(unit_state s);

/* True when on is after the expiry date (usable through its expiry day). */
bool unit_is_expired(cc_date expiry, cc_date on);

/* H2/H3: CC_OK when a unit in state s with this expiry may be issued on date
 * on: s is released or reserved and the unit is not expired. CC_CONFLICT
 * otherwise: "unit_not_released" naming the state, "unit_expired" naming the
 * expiry date, "unit_already_administered" (H12). field is "unit". */
cc_status unit_check_issuable(unit_state s, cc_date expiry, cc_date on, cc_error *err);

/* H2/H3/H12 at the bedside: CC_OK when s is issued and the unit is not
 * expired on date on; CC_CONFLICT with the codes above otherwise
 * ("unit_not_issued" for a state other than issued or administered). */
cc_status unit_check_administrable(unit_state s, cc_date expiry, cc_date on, cc_error *err);

#endif
