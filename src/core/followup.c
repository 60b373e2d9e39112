#include "followup.h"

#include <string.h>

static const char *const STATUS_NAMES[FU_STATUS_COUNT_] = {"scheduled", "done", "missed",
                                                           "withdrawn", "lost", "died"};
static const char *const STATE_NAMES[] = {"upcoming", "due", "in_window", "overdue", "resolved"};

const char *followup_status_name(followup_status s)
{
    return (unsigned)s < FU_STATUS_COUNT_ ? STATUS_NAMES[s] : "?";
}

bool followup_status_parse(const char *text, followup_status *out)
{
    for (int i = 0; text && i < FU_STATUS_COUNT_; i++)
        if (strcmp(text, STATUS_NAMES[i]) == 0) {
            *out = (followup_status)i;
            return true;
        }
    return false;
}

const char *followup_state_name(followup_state s)
{
    return (unsigned)s <= FU_RESOLVED ? STATE_NAMES[s] : "?";
}

bool followup_state_parse(const char *text, followup_state *out)
{
    for (int i = 0; text && i <= FU_RESOLVED; i++)
        if (strcmp(text, STATE_NAMES[i]) == 0) {
            *out = (followup_state)i;
            return true;
        }
    return false;
}

followup_state followup_state_of(followup_status status, cc_date window_start, cc_date window_end,
                                 cc_date today)
{
    if (status != FU_SCHEDULED)
        return FU_RESOLVED;
    if (today > window_end)
        return FU_OVERDUE;
    if (today >= window_start)
        return FU_IN_WINDOW;
    if (today >= window_start - FOLLOWUP_DUE_LEAD_DAYS)
        return FU_DUE;
    return FU_UPCOMING;
}

cc_status followup_check_resolution(followup_status from, const followup_resolution *r,
                                    cc_date today, cc_error *err)
{
    if (from != FU_SCHEDULED)
        return cc_fail(err, CC_CONFLICT, "status", "already_resolved",
                       "this visit is already %s; a resolution is final",
                       followup_status_name(from));
    if (r->to == FU_SCHEDULED || (unsigned)r->to >= FU_STATUS_COUNT_)
        return cc_fail(err, CC_INVALID, "status", "invalid_value",
                       "status must be done, missed, withdrawn, lost or died");
    bool needs_reason = r->to == FU_WITHDRAWN || r->to == FU_MISSED || r->to == FU_LOST;
    if (needs_reason && !r->has_reason)
        return cc_fail(err, CC_INVALID, "reason", "required", "a %s visit needs a reason",
                       followup_status_name(r->to));
    if (r->to == FU_DIED) {
        if (!r->has_died_on)
            return cc_fail(err, CC_INVALID, "died_on", "required", "the date of death is required");
        if (r->died_on > today)
            return cc_fail(err, CC_INVALID, "died_on", "out_of_range",
                           "the date of death cannot be in the future");
        if (!r->has_cause)
            return cc_fail(err, CC_INVALID, "cause", "required", "the cause of death is required");
    } else if (r->has_died_on || r->has_cause) {
        return cc_fail(err, CC_INVALID, r->has_died_on ? "died_on" : "cause", "not_allowed",
                       "died_on and cause are only for status died");
    }
    return CC_OK;
}

bool followup_closes_later(followup_status s)
{
    return s == FU_WITHDRAWN || s == FU_DIED;
}

static const char *const OUTCOMES[] = {"reached", "no_answer", "wrong_number", "message_left",
                                       "refused"};

bool followup_contact_outcome_valid(const char *outcome)
{
    for (size_t i = 0; outcome && i < sizeof OUTCOMES / sizeof OUTCOMES[0]; i++)
        if (strcmp(outcome, OUTCOMES[i]) == 0)
            return true;
    return false;
}

bool followup_contact_failed(const char *outcome)
{
    return followup_contact_outcome_valid(outcome) && strcmp(outcome, "reached") != 0;
}

bool followup_lost_after(int failed_contacts, int threshold)
{
    return threshold >= 1 && failed_contacts >= threshold;
}
