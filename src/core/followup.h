/*
 * followup: the follow-up visit rules (hazard H10 "follow-up visit
 * missed unnoticed").
 *
 * A visit has a target date and an inclusive window [window_start,
 * window_end]. Its recorded status is "scheduled" until someone resolves it
 * as done, missed, withdrawn (reason), lost (to follow-up, after a
 * configurable number of failed contacts) or died (date, cause). A scheduled
 * visit's worklist state is computed from the dates, never stored:
 *
 *   upcoming   today < window_start - FOLLOWUP_DUE_LEAD_DAYS
 *   due        window_start - FOLLOWUP_DUE_LEAD_DAYS <= today < window_start
 *   in_window  window_start <= today <= window_end
 *   overdue    today > window_end                      (H10: on the worklist
 *                                                         until resolved)
 *
 * Transitions: only a scheduled visit is resolved (else "already_resolved");
 * a resolution is final. Withdrawn and died also close the patient's later
 * scheduled visits of the same plan (the store applies it; see
 * followup_closes_later).
 *
 * Dates are cc_date day numbers. Pure, no allocation, thread-safe.
 */
#ifndef CC_FOLLOWUP_H
#define CC_FOLLOWUP_H

#include <stdbool.h>

#include "date.h"
#include "status.h"

enum { FOLLOWUP_DUE_LEAD_DAYS = 14, FOLLOWUP_LOST_DEFAULT = 3, FOLLOWUP_LOST_MAX = 20 };

typedef enum {
    FU_SCHEDULED = 0,
    FU_DONE,
    FU_MISSED,
    FU_WITHDRAWN,
    FU_LOST,
    FU_DIED,
    FU_STATUS_COUNT_
} followup_status;

typedef enum { FU_UPCOMING = 0, FU_DUE, FU_IN_WINDOW, FU_OVERDUE, FU_RESOLVED } followup_state;

/* "scheduled", "done", "missed", "withdrawn", "lost", "died". */
const char *followup_status_name(followup_status s);
bool followup_status_parse(const char *text, followup_status *out);
/* "upcoming", "due", "in_window", "overdue", "resolved". */
const char *followup_state_name(followup_state s);
bool followup_state_parse(const char *text, followup_state *out);

/* The worklist state of a visit on day today. */
followup_state followup_state_of(followup_status status, cc_date window_start, cc_date window_end,
                                 cc_date today);

/* What a resolution needs. died_on/cause only for FU_DIED, reason for
 * withdrawn, missed and lost (text checks are the caller's). */
typedef struct {
    followup_status to;
    bool has_reason;  /* non-empty reason given */
    bool has_died_on; /* a date of death given */
    cc_date died_on;
    bool has_cause;
} followup_resolution;

/* Checks a resolution of a visit currently in `from`, on day today:
 * CC_CONFLICT "already_resolved" unless from is scheduled; CC_INVALID
 * "status" when to is scheduled; "reason" required for withdrawn, missed,
 * lost; "died_on" (not in the future) and "cause" for died; died_on and
 * cause refused for the other statuses. */
cc_status followup_check_resolution(followup_status from, const followup_resolution *r,
                                    cc_date today, cc_error *err);

/* Whether resolving one visit as s also closes the later scheduled visits. */
bool followup_closes_later(followup_status s);

/* Contact attempts: "reached", "no_answer", "wrong_number", "message_left",
 * "refused". All but reached count as failed. */
bool followup_contact_outcome_valid(const char *outcome);
bool followup_contact_failed(const char *outcome);
/* True when failed_contacts (after this one) reaches the threshold
 * (1..FOLLOWUP_LOST_MAX): the visit becomes lost to follow-up. */
bool followup_lost_after(int failed_contacts, int threshold);

#endif
