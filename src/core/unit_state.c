#include "unit_state.h"

#include <stddef.h>
#include <string.h>

/* THE transition table: the header lists the same rows, in the same order. */
static const struct {
    unit_state from;
    unit_event event;
    unit_state to;
} transitions[] = {
    {UNIT_QUARANTINE, UNIT_EV_RELEASE, UNIT_RELEASED},
    {UNIT_QUARANTINE, UNIT_EV_DISCARD, UNIT_DISCARDED},
    {UNIT_QUARANTINE, UNIT_EV_EXPIRE, UNIT_EXPIRED},
    {UNIT_RELEASED, UNIT_EV_RESERVE, UNIT_RESERVED},
    {UNIT_RELEASED, UNIT_EV_ISSUE, UNIT_ISSUED},
    {UNIT_RELEASED, UNIT_EV_HOLD, UNIT_QUARANTINE},
    {UNIT_RELEASED, UNIT_EV_DISCARD, UNIT_DISCARDED},
    {UNIT_RELEASED, UNIT_EV_EXPIRE, UNIT_EXPIRED},
    {UNIT_RESERVED, UNIT_EV_UNRESERVE, UNIT_RELEASED},
    {UNIT_RESERVED, UNIT_EV_ISSUE, UNIT_ISSUED},
    {UNIT_RESERVED, UNIT_EV_HOLD, UNIT_QUARANTINE},
    {UNIT_RESERVED, UNIT_EV_DISCARD, UNIT_DISCARDED},
    {UNIT_RESERVED, UNIT_EV_EXPIRE, UNIT_EXPIRED},
    {UNIT_ISSUED, UNIT_EV_ADMINISTER, UNIT_ADMINISTERED},
    {UNIT_ISSUED, UNIT_EV_RETURN, UNIT_RETURNED},
    {UNIT_ISSUED, UNIT_EV_DISCARD, UNIT_DISCARDED},
    {UNIT_RETURNED, UNIT_EV_RESTOCK, UNIT_RELEASED},
    {UNIT_RETURNED, UNIT_EV_HOLD, UNIT_QUARANTINE},
    {UNIT_RETURNED, UNIT_EV_DISCARD, UNIT_DISCARDED},
    {UNIT_RETURNED, UNIT_EV_EXPIRE, UNIT_EXPIRED},
    {UNIT_EXPIRED, UNIT_EV_DISCARD, UNIT_DISCARDED},
};

static const char *const state_names[UNIT_STATE_COUNT] = {
    [UNIT_QUARANTINE] = "quarantine",     [UNIT_RELEASED] = "released",
    [UNIT_RESERVED] = "reserved",         [UNIT_ISSUED] = "issued",
    [UNIT_ADMINISTERED] = "administered", [UNIT_DISCARDED] = "discarded",
    [UNIT_EXPIRED] = "expired",           [UNIT_RETURNED] = "returned",
};

static const struct {
    const char *name;
    unit_state target;
} events[UNIT_EVENT_COUNT] = {
    [UNIT_EV_RELEASE] = {"release", UNIT_RELEASED},
    [UNIT_EV_RESERVE] = {"reserve", UNIT_RESERVED},
    [UNIT_EV_UNRESERVE] = {"unreserve", UNIT_RELEASED},
    [UNIT_EV_ISSUE] = {"issue", UNIT_ISSUED},
    [UNIT_EV_ADMINISTER] = {"administer", UNIT_ADMINISTERED},
    [UNIT_EV_RETURN] = {"return", UNIT_RETURNED},
    [UNIT_EV_RESTOCK] = {"restock", UNIT_RELEASED},
    [UNIT_EV_HOLD] = {"hold", UNIT_QUARANTINE},
    [UNIT_EV_DISCARD] = {"discard", UNIT_DISCARDED},
    [UNIT_EV_EXPIRE] = {"expire", UNIT_EXPIRED},
};

static bool state_ok(unit_state s)
{
    return (unsigned)s < UNIT_STATE_COUNT;
}
static bool event_ok(unit_event e)
{
    return (unsigned)e < UNIT_EVENT_COUNT;
}

const char *unit_state_name(unit_state s)
{
    return state_ok(s) ? state_names[s] : "?";
}

const char *unit_event_name(unit_event e)
{
    return event_ok(e) ? events[e].name : "?";
}

bool unit_state_parse(const char *name, unit_state *out)
{
    if (!name)
        return false;
    for (int i = 0; i < UNIT_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0) {
            *out = (unit_state)i;
            return true;
        }
    return false;
}

bool unit_event_parse(const char *name, unit_event *out)
{
    if (!name)
        return false;
    for (int i = 0; i < UNIT_EVENT_COUNT; i++)
        if (strcmp(name, events[i].name) == 0) {
            *out = (unit_event)i;
            return true;
        }
    return false;
}

unit_state unit_event_target(unit_event e)
{
    return event_ok(e) ? events[e].target : UNIT_STATE_COUNT;
}

bool unit_state_allows(unit_state from, unit_event e)
{
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].from == from && transitions[i].event == e)
            return true;
    return false;
}

cc_status unit_state_apply(unit_state from, unit_event e, unit_state *to, cc_error *err)
{
    if (!state_ok(from))
        return cc_fail(err, CC_INVALID, "state", "invalid_state", "unknown unit state %d",
                       (int)from);
    if (!event_ok(e))
        return cc_fail(err, CC_INVALID, "event", "invalid_event", "unknown unit event %d", (int)e);
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].from == from && transitions[i].event == e) {
            if (to)
                *to = transitions[i].to;
            return CC_OK;
        }
    const char *why = "";
    if (from == UNIT_ADMINISTERED)
        why = ": an administered unit never moves again";
    else if (from == UNIT_DISCARDED)
        why = ": a discarded unit never moves again";
    return cc_fail(err, CC_CONFLICT, "state", "invalid_transition",
                   "unit cannot go from %s to %s (event \"%s\")%s", state_names[from],
                   state_names[events[e].target], events[e].name, why);
}

bool unit_state_is_final(unit_state s)
{
    return s == UNIT_ADMINISTERED || s == UNIT_DISCARDED;
}

bool unit_is_expired(cc_date expiry, cc_date on)
{
    return on > expiry;
}

static cc_status check_not_expired(cc_date expiry, cc_date on, cc_error *err)
{
    if (!unit_is_expired(expiry, on))
        return CC_OK;
    char text[CC_DATE_TEXT];
    date_format(expiry, text);
    return cc_fail(err, CC_CONFLICT, "unit", "unit_expired", "unit expired on %s", text);
}

cc_status unit_check_issuable(unit_state s, cc_date expiry, cc_date on, cc_error *err)
{
    if (s == UNIT_ADMINISTERED)
        return cc_fail(err, CC_CONFLICT, "unit", "unit_already_administered",
                       "unit was already administered; it cannot be issued again");
    if (s != UNIT_RELEASED && s != UNIT_RESERVED)
        return cc_fail(err, CC_CONFLICT, "unit", "unit_not_released",
                       "unit is %s: only a released or reserved unit can be issued",
                       unit_state_name(s));
    return check_not_expired(expiry, on, err);
}

cc_status unit_check_administrable(unit_state s, cc_date expiry, cc_date on, cc_error *err)
{
    if (s == UNIT_ADMINISTERED)
        return cc_fail(err, CC_CONFLICT, "unit", "unit_already_administered",
                       "unit was already administered; it cannot be administered again");
    if (s != UNIT_ISSUED)
        return cc_fail(err, CC_CONFLICT, "unit", "unit_not_issued",
                       "unit is %s: only an issued unit can be administered", unit_state_name(s));
    return check_not_expired(expiry, on, err);
}
