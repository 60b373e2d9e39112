#include "plan_state.h"

#include <stddef.h>
#include <string.h>

/* THE transition table: the header lists the same rows, in the same order. */
static const struct {
    plan_state from;
    plan_event event;
    plan_state to;
} transitions[] = {
    {PLAN_DRAFT, PLAN_EV_APPROVE, PLAN_APPROVED},
    {PLAN_DRAFT, PLAN_EV_CANCEL, PLAN_CANCELLED},
    {PLAN_APPROVED, PLAN_EV_CANCEL, PLAN_CANCELLED},
    {PLAN_APPROVED, PLAN_EV_START, PLAN_IN_PROGRESS},
    {PLAN_IN_PROGRESS, PLAN_EV_COMPLETE, PLAN_COMPLETED},
};

static const char *const state_names[PLAN_STATE_COUNT] = {
    [PLAN_DRAFT] = "draft",
    [PLAN_APPROVED] = "approved",
    [PLAN_IN_PROGRESS] = "in_progress",
    [PLAN_COMPLETED] = "completed",
    [PLAN_CANCELLED] = "cancelled",
};

static const struct {
    const char *name;
    plan_state target;
} events[PLAN_EVENT_COUNT] = {
    [PLAN_EV_APPROVE] = {"approve", PLAN_APPROVED},
    [PLAN_EV_CANCEL] = {"cancel", PLAN_CANCELLED},
    [PLAN_EV_START] = {"start", PLAN_IN_PROGRESS},
    [PLAN_EV_COMPLETE] = {"complete", PLAN_COMPLETED},
};

static bool state_ok(plan_state s)
{
    return (unsigned)s < PLAN_STATE_COUNT;
}
static bool event_ok(plan_event e)
{
    return (unsigned)e < PLAN_EVENT_COUNT;
}

const char *plan_state_name(plan_state s)
{
    return state_ok(s) ? state_names[s] : "?";
}

const char *plan_event_name(plan_event e)
{
    return event_ok(e) ? events[e].name : "?";
}

bool plan_state_parse(const char *name, plan_state *out)
{
    if (!name)
        return false;
    for (int i = 0; i < PLAN_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0) {
            *out = (plan_state)i;
            return true;
        }
    return false;
}

bool plan_event_parse(const char *name, plan_event *out)
{
    if (!name)
        return false;
    for (int i = 0; i < PLAN_EVENT_COUNT; i++)
        if (strcmp(name, events[i].name) == 0) {
            *out = (plan_event)i;
            return true;
        }
    return false;
}

plan_state plan_event_target(plan_event e)
{
    return event_ok(e) ? events[e].target : PLAN_STATE_COUNT;
}

bool plan_state_allows(plan_state from, plan_event e)
{
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].from == from && transitions[i].event == e)
            return true;
    return false;
}

cc_status plan_state_apply(plan_state from, plan_event e, plan_state *to, cc_error *err)
{
    if (!state_ok(from))
        return cc_fail(err, CC_INVALID, "state", "invalid_state", "unknown plan state %d",
                       (int)from);
    if (!event_ok(e))
        return cc_fail(err, CC_INVALID, "event", "invalid_event", "unknown plan event %d", (int)e);
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].from == from && transitions[i].event == e) {
            if (to)
                *to = transitions[i].to;
            return CC_OK;
        }
    const char *name = state_names[from];
    switch (e) {
    case PLAN_EV_APPROVE:
        return cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                       "only a draft plan can be approved (this one is %s)", name);
    case PLAN_EV_CANCEL:
        return cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                       "only a draft or approved plan can be cancelled (this one is %s)", name);
    case PLAN_EV_START:
        return cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                       "only an approved plan starts its first administration (this one is %s)",
                       name);
    default:
        return cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                       "only a plan in progress can be completed (this one is %s)", name);
    }
}

bool plan_state_is_final(plan_state s)
{
    return s == PLAN_COMPLETED || s == PLAN_CANCELLED;
}

bool plan_state_is_active(plan_state s)
{
    return s == PLAN_APPROVED || s == PLAN_IN_PROGRESS;
}

bool plan_state_has_followup(plan_state s)
{
    return plan_state_is_active(s) || s == PLAN_COMPLETED;
}
