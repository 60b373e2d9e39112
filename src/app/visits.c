#include "app/visits.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/instruments_json.h"
#include "app/isncsci_json.h"
#include "app/observation_measures.h"
#include "core/date.h"
#include "core/followup.h"
#include "core/instruments.h"
#include "core/text.h"
#include "store/followup.h"
#include "store/clock.h"

static const char ISNCSCI_ID[] = "isncsci", ISNCSCI_VERSION[] = "2019";

enum { VISIT_TEXT_MAX = 1000, LINK_DAYS_DEFAULT = 14, LINK_DAYS_MAX = 60, VIEW_MAX = 8 << 20 };

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
        (st = followup_check_resolution(v.status, &r, store_today(), err)) == CC_OK) {
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

static cc_status check_date_and_source(const char *date, const char *source, cc_error *err)
{
    cc_date when;
    cc_status st = date_parse(date, "date", &when, err);
    if (st != CC_OK)
        return st;
    if (when > store_today())
        return cc_fail(err, CC_INVALID, "date", "out_of_range", "date cannot be in the future");
    if (!source || (strcmp(source, "clinician") != 0 && strcmp(source, "patient") != 0))
        return cc_fail(err, CC_INVALID, "source", "invalid_value",
                       "source must be clinician or patient");
    return CC_OK;
}

/* Scores answers with the named instrument; *scores is a new reference. */
static cc_status score_answers(const char *instrument, const char *version, const json_t *answers,
                               json_t **scores, const char **used_version, cc_error *err)
{
    if (strcmp(instrument, ISNCSCI_ID) == 0) {
        if (version && strcmp(version, ISNCSCI_VERSION) != 0)
            return cc_fail(err, CC_INVALID, "version", "unknown_version",
                           "ISNCSCI version must be %s", ISNCSCI_VERSION);
        *used_version = ISNCSCI_VERSION;
        cc_status st = isncsci_json_classify(answers, scores, err);
        if (st == CC_INVALID) {
            char field[sizeof err->field];
            snprintf(field, sizeof field, "answers.%.50s", err->field);
            snprintf(err->field, sizeof err->field, "%s", field);
        }
        return st;
    }
    const instr_def *def = instrument_find(instrument);
    if (!def)
        return cc_fail(err, CC_INVALID, "instrument", "unknown_instrument", "no instrument %.40s",
                       instrument);
    json_t *request = json_pack("{s:O}", "answers", (json_t *)answers);
    if (version)
        json_object_set_new(request, "version", json_string(version));
    cc_status st = instruments_json_score(instrument, request, scores, err);
    json_decref(request);
    *used_version = def->version;
    return st;
}

/* The stored form of scored answers: texts and measures in the ctx's arena;
 * scores is released with the arena too. */
static cc_status observation_of(const app_ctx *c, const char *instrument, const char *version,
                                const char *date, const char *source, const json_t *answers,
                                json_t *scores, observation_fields *f, cc_error *err)
{
    arena_on_release(c->arena, (arena_cleanup_fn)json_decref, scores);
    char *answers_text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    char *scores_text = json_dumps(scores, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    arena_on_release(c->arena, free, answers_text);
    arena_on_release(c->arena, free, scores_text);
    measure_value *measures = arena_alloc(c->arena, OBSERVATION_MEASURES_MAX * sizeof *measures);
    if (!answers_text || !scores_text || !measures)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    *f = (observation_fields){
        instrument,   version,
        date,         source,
        answers_text, scores_text,
        measures,     observation_measures(instrument, scores, measures, OBSERVATION_MEASURES_MAX)};
    return CC_OK;
}

cc_status app_observation_create(const app_ctx *c, int64_t patient_id, const app_observation_new *n,
                                 app_observation_made *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    observation_fields f;
    cc_status st = check_date_and_source(n->date, n->source, err);
    const instr_def *def = n->instrument ? instrument_find(n->instrument) : NULL;
    if (st == CC_OK && def && def->staff_only && strcmp(n->source, "patient") == 0)
        st = cc_fail(err, CC_INVALID, "source", "staff_only",
                     "source: %s is scored by staff (clinician), not reported by the patient",
                     def->id);
    if (st == CC_OK)
        st = score_answers(n->instrument, n->version, n->answers, &out->scores, &out->version, err);
    if (st == CC_OK)
        st = observation_of(c, n->instrument, out->version, n->date, n->source, n->answers,
                            out->scores, &f, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = observation_add(c->d, &c->actor, patient_id, &f, &out->id, err);
    return db_tx_end(c->d, st, err);
}

/* A store view (JSON text) as a value released with the ctx's arena. */
static cc_status parse_view(const app_ctx *c, const buf *b, json_t **out, cc_error *err)
{
    if (buf_failed(b))
        return cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the answer is too large; filter it");
    *out = json_loads(b->data, JSON_DECODE_ANY, NULL);
    if (!*out)
        return cc_fail(err, CC_INTERNAL, NULL, "render_failed", "stored JSON does not parse");
    arena_on_release(c->arena, (arena_cleanup_fn)json_decref, *out);
    return CC_OK;
}

/* One visit as stored now: {"visit": {status, patient, language,
 * instruments...}, contacts, links}, released with the ctx's arena. */
static cc_status load_visit(const app_ctx *c, int64_t id, json_t **view, cc_error *err)
{
    buf b;
    buf_init(&b, VIEW_MAX);
    *view = NULL;
    cc_status st = followup_store_get_json(c->d, id, &b, err);
    if (st == CC_OK)
        st = parse_view(c, &b, view, err);
    buf_release(&b);
    return st;
}

static cc_status link_create_in_tx(const app_ctx *c, int64_t visit_id, const char *instrument,
                                   int days, app_questionnaire_link *out, cc_error *err)
{
    json_t *view = NULL;
    cc_status st = load_visit(c, visit_id, &view, err);
    if (st != CC_OK)
        return st;
    json_t *visit = json_object_get(view, "visit");
    const char *status = json_string_value(json_object_get(visit, "status"));
    if (!status || strcmp(status, "scheduled") != 0)
        return cc_fail(err, CC_CONFLICT, "status", "already_resolved",
                       "links are for scheduled visits (this one is %s)", status ? status : "?");
    bool listed = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(visit, "instruments"), i, v) listed |=
        json_is_string(v) && strcmp(json_string_value(v), instrument) == 0;
    if (!listed)
        return cc_fail(err, CC_INVALID, "instrument", "not_in_visit",
                       "the protocol does not name %.40s at this visit", instrument);
    if ((st = site_identity_get(c->d, c->site_id, &out->site, err)) != CC_OK)
        return st;
    if (!out->site.public_base_url[0])
        return cc_fail(err, CC_CONFLICT, "public_base_url", "public_base_url_not_configured",
                       "the clinic's public base URL is not set: an administrator sets it in "
                       "Settings, Clinic, before links are made");
    const char *language = json_string_value(json_object_get(visit, "language"));
    snprintf(out->language, sizeof out->language, "%s", language ? language : "en");
    char hash[65];
    questionnaire_token_new(out->token);
    questionnaire_token_hash(out->token, hash);
    instant_format(store_now_seconds() + (int64_t)days * 86400, out->expires_at);
    return questionnaire_store_create(
        c->d, &c->actor, visit_id, json_integer_value(json_object_get(visit, "patient_id")),
        instrument, out->language, hash, out->expires_at, &out->id, err);
}

cc_status app_questionnaire_link_create(const app_ctx *c, int64_t visit_id, const char *instrument,
                                        const int64_t *days_given, app_questionnaire_link *out,
                                        cc_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t days = days_given ? *days_given : LINK_DAYS_DEFAULT;
    if (days < 1 || days > LINK_DAYS_MAX)
        return cc_fail(err, CC_INVALID, "days", "out_of_range", "days must be 1..%d",
                       LINK_DAYS_MAX);
    const instr_def *def = instrument_find(instrument);
    if (!def)
        return cc_fail(err, CC_INVALID, "instrument", "invalid_value",
                       "a patient link is for a questionnaire (not %.40s)", instrument);
    /* an observation scale (FLACC) or a transcribed form is scored by staff, never
     * by the patient or a parent from a link */
    if (def->staff_only)
        return cc_fail(err, CC_INVALID, "instrument", "staff_only",
                       "%s is scored by staff at the visit, not by the patient from a link",
                       def->id);
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = link_create_in_tx(c, visit_id, instrument, (int)days, out, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_questionnaire_open(const app_ctx *c, const char *token, questionnaire_link *l,
                                 cc_error *err)
{
    memset(l, 0, sizeof *l);
    if (!token || strlen(token) < 20 || strlen(token) > 64)
        return cc_fail(err, CC_NOT_FOUND, "token", "unknown_link",
                       "this questionnaire link is not valid; ask the clinic for a new one");
    char hash[65];
    questionnaire_token_hash(token, hash);
    cc_status st = questionnaire_store_find(c->d, hash, l, err);
    if (l->draft)
        arena_on_release(c->arena, free, l->draft);
    if (st != CC_OK)
        return st;
    char now[CC_INSTANT_TEXT];
    instant_format(store_now_seconds(), now);
    if (l->used)
        return cc_fail(
            err, CC_CONFLICT, "token", "link_used",
            "this questionnaire was already submitted; thank you. Each link works once.");
    if (strcmp(now, l->expires_at) >= 0)
        return cc_fail(err, CC_CONFLICT, "token", "link_expired",
                       "this questionnaire link expired on %s; ask the clinic for a new one",
                       l->expires_at);
    if (strcmp(l->visit_status, "scheduled") != 0)
        return cc_fail(err, CC_CONFLICT, "token", "link_closed",
                       "this follow-up visit is closed; the questionnaire is no longer needed");
    return CC_OK;
}

cc_status app_questionnaire_save_draft(const app_ctx *c, const char *token,
                                       const char *answers_json, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    questionnaire_link l;
    if ((st = app_questionnaire_open(c, token, &l, err)) == CC_OK)
        st = questionnaire_store_save_draft(c->d, l.id, answers_json, err);
    return db_tx_end(c->d, st, err);
}

/* Scores a patient's answers with the link's questionnaire; errors name the
 * answer ("answers.<item>"). */
static cc_status score_link_answers(const char *instrument, const json_t *answers, json_t **scores,
                                    const char **version, cc_error *err)
{
    cc_status st = score_answers(instrument, NULL, answers, scores, version, err);
    if (st == CC_INVALID && strncmp(err->field, "answers", 7) != 0) {
        char field[sizeof err->field];
        snprintf(field, sizeof field, "answers.%.50s", err->field);
        snprintf(err->field, sizeof err->field, "%s", field);
    }
    return st;
}

static cc_status submit_in_tx(const app_ctx *c, const char *token, const json_t *answers,
                              int64_t *observation_id, const char *date, cc_error *err)
{
    questionnaire_link l;
    json_t *scores = NULL;
    const char *version = NULL;
    cc_status st = app_questionnaire_open(c, token, &l, err);
    if (st == CC_OK)
        st = score_link_answers(l.instrument, answers, &scores, &version, err);
    if (st != CC_OK)
        return st;
    observation_fields f;
    if ((st = observation_of(c, l.instrument, version, date, "patient", answers, scores, &f,
                             err)) != CC_OK)
        return st;
    return questionnaire_store_submit(c->d, l.id, &f, observation_id, err);
}

cc_status app_questionnaire_submit(const app_ctx *c, const char *token, const json_t *answers,
                                   int64_t *observation_id, char date[CC_DATE_TEXT], cc_error *err)
{
    date_format(store_today(), date);
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = submit_in_tx(c, token, answers, observation_id, date, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_visit_set_lost_threshold(const app_ctx *c, int64_t failed_contacts, cc_error *err)
{
    if (failed_contacts < 1 || failed_contacts > FOLLOWUP_LOST_MAX)
        return cc_fail(err, CC_INVALID, "lost_after_failed_contacts", "out_of_range",
                       "lost_after_failed_contacts must be 1..%d", FOLLOWUP_LOST_MAX);
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = followup_store_set_lost_threshold(c->d, &c->actor, (int)failed_contacts, err);
    return db_tx_end(c->d, st, err);
}

void app_visit_add_state(json_t *visit, cc_date on)
{
    followup_status status = FU_SCHEDULED;
    cc_date ws = 0, we = 0;
    cc_error ignored;
    followup_status_parse(json_string_value(json_object_get(visit, "status")), &status);
    if (date_parse(json_string_value(json_object_get(visit, "window_start")), "w", &ws, &ignored) !=
            CC_OK ||
        date_parse(json_string_value(json_object_get(visit, "window_end")), "w", &we, &ignored) !=
            CC_OK)
        return;
    followup_state s = followup_state_of(status, ws, we, on);
    json_object_set_new(visit, "state", json_string(followup_state_name(s)));
    json_object_set_new(visit, "days_overdue", json_integer(s == FU_OVERDUE ? on - we : 0));
}

cc_status app_visit_worklist(const app_ctx *c, const app_worklist_query *q, json_t **reply,
                             cc_error *err)
{
    *reply = NULL;
    followup_state want = FU_OVERDUE;
    bool open = !q->state || strcmp(q->state, "open") == 0;
    bool all = q->state && strcmp(q->state, "all") == 0;
    if (!open && !all && !followup_state_parse(q->state, &want))
        return cc_fail(err, CC_INVALID, "state", "invalid_value",
                       "state must be open, all, upcoming, due, in_window, overdue or resolved");
    cc_date on = store_today();
    char until[CC_DATE_TEXT];
    date_format(on + FOLLOWUP_DUE_LEAD_DAYS, until);
    bool scheduled_only = open || (!all && want != FU_RESOLVED);
    buf b;
    buf_init(&b, VIEW_MAX);
    json_t *rows = NULL;
    cc_status st = followup_store_list(c->d, c->site_id, scheduled_only, open ? until : NULL,
                                       q->patient_id, &b, err);
    if (st == CC_OK)
        st = parse_view(c, &b, &rows, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *items = json_array(), *counts = json_object();
    size_t i, total = 0;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        app_visit_add_state(v, on);
        followup_state s = FU_UPCOMING;
        const char *name = json_string_value(json_object_get(v, "state"));
        if (name)
            json_object_set_new(
                counts, name, json_integer(json_integer_value(json_object_get(counts, name)) + 1));
        bool known = followup_state_parse(name, &s);
        bool keep =
            all ||
            (known && (open ? (s == FU_DUE || s == FU_IN_WINDOW || s == FU_OVERDUE) : s == want));
        if (!keep)
            continue;
        total++;
        if (total > (size_t)((q->page - 1) * q->per_page) &&
            total <= (size_t)(q->page * q->per_page))
            json_array_append(items, v);
    }
    char on_text[CC_DATE_TEXT];
    date_format(on, on_text);
    *reply = json_pack("{s:o, s:I, s:I, s:I, s:s, s:o}", "items", items, "page",
                       (json_int_t)q->page, "per_page", (json_int_t)q->per_page, "total",
                       (json_int_t)total, "today", on_text, "counts", counts);
    return *reply ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

cc_status app_visit_view(const app_ctx *c, int64_t id, json_t **reply, int64_t *version,
                         cc_error *err)
{
    *reply = NULL;
    json_t *out = NULL;
    cc_status st = load_visit(c, id, &out, err);
    int threshold = FOLLOWUP_LOST_DEFAULT;
    if (st == CC_OK)
        st = followup_store_lost_threshold(c->d, &threshold, err);
    if (st != CC_OK)
        return st;
    json_t *visit = json_object_get(out, "visit");
    app_visit_add_state(visit, store_today());
    json_object_set_new(out, "lost_after_failed_contacts", json_integer(threshold));
    *version = json_integer_value(json_object_get(visit, "version"));
    *reply = json_incref(out);
    return CC_OK;
}
