#include "app/visits.h"

#include <string.h>

#include "core/date.h"
#include "core/followup.h"
#include "core/text.h"
#include "store/followup.h"

enum { VISIT_TEXT_MAX = 1000 };

static cc_date today(void)
{
    return instant_date(store_now_seconds());
}

static bool given(const char *text)
{
    return text && *text;
}

/* A free text that is given must be one clean line of at most VISIT_TEXT_MAX. */
static cc_status check_text(const char *text, const char *field, cc_error *err)
{
    return given(text) ? text_check_line(text, field, VISIT_TEXT_MAX, true, err) : CC_OK;
}

cc_status app_visit_resolve(const app_ctx *c, int64_t id, const char *status, const char *reason,
                            const char *died_on, const char *cause, int *closed, cc_error *err)
{
    followup_resolution r = {0};
    *closed = 0;
    if (!followup_status_parse(status, &r.to) || r.to == FU_SCHEDULED)
        return cc_fail(err, CC_INVALID, "status", "invalid_value",
                       "status must be done, missed, withdrawn, lost or died");
    cc_status st = check_text(reason, "reason", err);
    if (st == CC_OK)
        st = check_text(cause, "cause", err);
    r.has_reason = given(reason);
    r.has_cause = given(cause);
    r.has_died_on = died_on != NULL;
    if (st == CC_OK && died_on)
        st = date_parse(died_on, "died_on", &r.died_on, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    followup_visit_brief v;
    if ((st = followup_store_brief(c->d, id, &v, err)) == CC_OK &&
        (st = followup_check_resolution(v.status, &r, today(), err)) == CC_OK) {
        followup_store_resolution sr = {r.to, reason, died_on, cause};
        st = followup_store_resolve(c->d, &c->actor, id, &sr, closed, err);
    }
    return db_tx_end(c->d, st, err);
}

cc_status app_visit_contact(const app_ctx *c, int64_t id, const char *channel, const char *outcome,
                            const char *note, bool *became_lost, cc_error *err)
{
    static const char *const CHANNELS[] = {"phone", "email", "sms", "letter", "in_person"};
    *became_lost = false;
    bool known = false;
    for (size_t i = 0; i < sizeof CHANNELS / sizeof CHANNELS[0]; i++)
        known |= strcmp(channel, CHANNELS[i]) == 0;
    if (!known)
        return cc_fail(err, CC_INVALID, "channel", "invalid_value",
                       "channel must be phone, email, sms, letter or in_person");
    if (!followup_contact_outcome_valid(outcome))
        return cc_fail(err, CC_INVALID, "outcome", "invalid_value",
                       "outcome must be reached, no_answer, wrong_number, message_left or refused");
    cc_status st = check_text(note, "note", err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = followup_store_contact(c->d, &c->actor, id, channel, outcome, note,
                                followup_contact_failed(outcome), became_lost, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_observation_check(const char *date, const char *source, cc_error *err)
{
    cc_date when;
    cc_status st = date_parse(date, "date", &when, err);
    if (st != CC_OK)
        return st;
    if (when > today())
        return cc_fail(err, CC_INVALID, "date", "out_of_range", "date cannot be in the future");
    if (!source || (strcmp(source, "clinician") != 0 && strcmp(source, "patient") != 0))
        return cc_fail(err, CC_INVALID, "source", "invalid_value",
                       "source must be clinician or patient");
    return CC_OK;
}

cc_status app_observation_create(const app_ctx *c, int64_t patient_id, const observation_fields *f,
                                 int64_t *id, cc_error *err)
{
    cc_status st = app_observation_check(f->observed_on, f->source, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = observation_add(c->d, &c->actor, patient_id, f, id, err);
    return db_tx_end(c->d, st, err);
}
