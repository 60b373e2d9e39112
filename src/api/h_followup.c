/* Follow-up (issue 7): visits generated from approved plans, the worklist
 * with states computed by core/followup (H10), resolutions, contact
 * attempts, the lost-to-follow-up threshold, and patient questionnaire links
 * (random single-purpose expiring tokens, stored hashed; public page data,
 * save-and-resume, submitted once as an observation with source "patient"). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "app/observation_measures.h"
#include "api/handlers.h"
#include "app/instruments_json.h"
#include "api/json_in.h"
#include "app/report_json.h"
#include "render/qr.h"
#include "render/report_charts.h"
#include "render/report_render.h"
#include "core/date.h"
#include "core/followup.h"
#include "core/text.h"
#include "store/clock.h"
#include "store/followup.h"
#include "store/plans.h"

enum { FOLLOWUP_VIEW_MAX = 8 << 20, LINK_DAYS_DEFAULT = 14, LINK_DAYS_MAX = 60 };

static json_t *loads_or_null(const char *text)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

cc_status api_parse_view(api_request *req, const buf *b, json_t **out, cc_error *err)
{
    if (buf_failed(b))
        return cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the answer is too large; filter it");
    *out = json_loads(b->data, JSON_DECODE_ANY, NULL);
    if (!*out)
        return cc_fail(err, CC_INTERNAL, NULL, "render_failed", "stored JSON does not parse");
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, *out);
    return CC_OK;
}

/* Adds "state" (core) and "days_overdue" to a visit object. */
void api_followup_add_state(json_t *visit, cc_date today)
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
    followup_state s = followup_state_of(status, ws, we, today);
    json_object_set_new(visit, "state", json_string(followup_state_name(s)));
    json_object_set_new(visit, "days_overdue", json_integer(s == FU_OVERDUE ? today - we : 0));
}

/* ---- generation from the plan ---- */

cc_status api_followup_sync_plan(api_request *req, int64_t plan_id, int *created, int *redated,
                                 cc_error *err)
{
    plan_row row;
    cc_status st = plan_store_get(req->db, req->arena, plan_id, &row, err);
    if (st != CC_OK)
        return st;
    json_t *body = json_loads(row.body, 0, NULL);
    if (!body)
        return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan", "stored plan does not parse");
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, body);
    json_t *fu = json_object_get(body, "follow_up");
    size_t n = json_array_size(fu);
    followup_spec *specs = arena_alloc(req->arena, (n + 1) * sizeof *specs);
    if (!specs)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(fu, i);
        char *instruments =
            json_dumps(json_object_get(v, "instruments"), JSON_COMPACT | JSON_ENCODE_ANY);
        if (instruments)
            arena_on_release(req->arena, free, instruments);
        specs[i] = (followup_spec){json_string_value(json_object_get(v, "label")),
                                   (int)json_integer_value(json_object_get(v, "months")),
                                   json_string_value(json_object_get(v, "date")),
                                   json_string_value(json_object_get(v, "window_start")),
                                   json_string_value(json_object_get(v, "window_end")),
                                   instruments ? instruments : "[]"};
        if (!specs[i].label || !specs[i].target_date || !specs[i].window_start ||
            !specs[i].window_end)
            return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan",
                           "stored follow-up visit %zu is incomplete", i + 1);
    }
    store_actor actor = api_actor(req);
    return followup_store_sync(req->db, &actor, plan_id, specs, (int)n, created, redated, err);
}

cc_status h_followup_sync(api_request *req, cc_error *err)
{
    int64_t id;
    int created = 0, redated = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK && json_object_size(req->body) > 0)
        st = cc_fail(err, CC_INVALID, json_object_iter_key(json_object_iter(req->body)),
                     "unknown_field", "this request takes no fields");
    if (st == CC_OK)
        st = api_followup_sync_plan(req, id, &created, &redated, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, FOLLOWUP_VIEW_MAX);
    json_t *visits = NULL;
    plan_row row;
    if ((st = plan_store_get(req->db, req->arena, id, &row, err)) == CC_OK &&
        (st = followup_store_list(req->db, false, NULL, row.patient_id, &b, err)) == CC_OK)
        st = api_parse_view(req, &b, &visits, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *mine = json_array();
    size_t i;
    json_t *v;
    cc_date today = api_today();
    json_array_foreach(visits, i, v)
    {
        if (json_integer_value(json_object_get(v, "plan_id")) == id) {
            api_followup_add_state(v, today);
            json_array_append(mine, v);
        }
    }
    api_reply(req, 200,
              json_pack("{s:I, s:i, s:i, s:o}", "plan_id", (json_int_t)id, "created", created,
                        "redated", redated, "visits", mine));
    return CC_OK;
}

/* ---- worklist and visit ---- */

cc_status h_followup_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, patient_id = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st != CC_OK)
        return st;
    const char *state = api_query(req, "state"), *patient = api_query(req, "patient_id");
    followup_state want = FU_OVERDUE;
    bool open = !state || strcmp(state, "open") == 0, all = state && strcmp(state, "all") == 0;
    if (!open && !all && !followup_state_parse(state, &want))
        return cc_fail(err, CC_INVALID, "state", "invalid_value",
                       "state must be open, all, upcoming, due, in_window, overdue or resolved");
    if (patient) {
        char *end;
        patient_id = strtoll(patient, &end, 10);
        if (end == patient || *end || patient_id < 1)
            return cc_fail(err, CC_INVALID, "patient_id", "invalid_value",
                           "patient_id must be an id");
    }
    cc_date today = api_today();
    char until[CC_DATE_TEXT];
    date_format(today + FOLLOWUP_DUE_LEAD_DAYS, until);
    bool scheduled_only = open || (!all && want != FU_RESOLVED);
    buf b;
    buf_init(&b, FOLLOWUP_VIEW_MAX);
    json_t *rows = NULL;
    st = followup_store_list(req->db, scheduled_only, open ? until : NULL, patient_id, &b, err);
    if (st == CC_OK)
        st = api_parse_view(req, &b, &rows, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    size_t i, total = 0;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        api_followup_add_state(v, today);
        followup_state s;
        followup_state_parse(json_string_value(json_object_get(v, "state")), &s);
        bool keep =
            all || (open ? (s == FU_DUE || s == FU_IN_WINDOW || s == FU_OVERDUE) : s == want);
        if (!keep)
            continue;
        total++;
        if (total > (size_t)((page - 1) * per_page) && total <= (size_t)(page * per_page))
            json_array_append(items, v);
    }
    json_t *counts = json_object();
    char today_text[CC_DATE_TEXT];
    date_format(today, today_text);
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I, s:s, s:o}", "items", items, "page", (json_int_t)page,
                        "per_page", (json_int_t)per_page, "total", (json_int_t)total, "today",
                        today_text, "counts", counts));
    json_array_foreach(rows, i, v)
    {
        const char *s = json_string_value(json_object_get(v, "state"));
        if (s)
            json_object_set_new(counts, s,
                                json_integer(json_integer_value(json_object_get(counts, s)) + 1));
    }
    return CC_OK;
}

cc_status h_followup_get(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, FOLLOWUP_VIEW_MAX);
    json_t *out = NULL;
    st = followup_store_get_json(req->db, id, &b, err);
    if (st == CC_OK)
        st = api_parse_view(req, &b, &out, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *visit = json_object_get(out, "visit");
    api_followup_add_state(visit, api_today());
    int threshold = FOLLOWUP_LOST_DEFAULT;
    if ((st = followup_store_lost_threshold(req->db, &threshold, err)) != CC_OK)
        return st;
    json_object_set_new(out, "lost_after_failed_contacts", json_integer(threshold));
    api_add_header(req, "ETag",
                   api_printf(req, "\"%lld\"",
                              (long long)json_integer_value(json_object_get(visit, "version"))));
    api_reply(req, 200, json_incref(out));
    return CC_OK;
}

static cc_status reply_visit(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    cc_status st = h_followup_get(req, err);
    (void)id;
    if (st == CC_OK)
        req->status = status;
    return st;
}

cc_status h_followup_resolve(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"status", JF_STRING, true, 16},
                                        {"reason", JF_STRING, false, 4000},
                                        {"died_on", JF_STRING, false, 10},
                                        {"cause", JF_STRING, false, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *status = json_get_string(req->body, "status"),
               *reason = json_get_string(req->body, "reason"),
               *died_on = json_get_string(req->body, "died_on"),
               *cause = json_get_string(req->body, "cause");
    followup_resolution r = {0};
    if (!followup_status_parse(status, &r.to) || r.to == FU_SCHEDULED)
        return cc_fail(err, CC_INVALID, "status", "invalid_value",
                       "status must be done, missed, withdrawn, lost or died");
    if ((reason && *reason && (st = text_check_line(reason, "reason", 1000, true, err)) != CC_OK) ||
        (cause && *cause && (st = text_check_line(cause, "cause", 1000, true, err)) != CC_OK))
        return st;
    r.has_reason = reason && *reason;
    r.has_cause = cause && *cause;
    if (died_on) {
        r.has_died_on = true;
        if ((st = date_parse(died_on, "died_on", &r.died_on, err)) != CC_OK)
            return st;
    }
    followup_visit_brief v;
    if ((st = followup_store_brief(req->db, id, &v, err)) != CC_OK ||
        (st = followup_check_resolution(v.status, &r, api_today(), err)) != CC_OK)
        return st;
    followup_store_resolution sr = {r.to, reason, died_on, cause};
    store_actor actor = api_actor(req);
    int closed = 0;
    if ((st = followup_store_resolve(req->db, &actor, id, &sr, &closed, err)) != CC_OK)
        return st;
    if ((st = reply_visit(req, 200, id, err)) == CC_OK)
        json_object_set_new(req->reply, "closed_later", json_integer(closed));
    return st;
}

cc_status h_followup_contact(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"channel", JF_STRING, true, 16},
                                        {"outcome", JF_STRING, true, 16},
                                        {"note", JF_STRING, false, 4000},
                                        {NULL, JF_STRING, false, 0}};
    static const char *const channels[] = {"phone", "email", "sms", "letter", "in_person"};
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *channel = json_get_string(req->body, "channel"),
               *outcome = json_get_string(req->body, "outcome"),
               *note = json_get_string(req->body, "note");
    bool known = false;
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        known |= strcmp(channel, channels[i]) == 0;
    if (!known)
        return cc_fail(err, CC_INVALID, "channel", "invalid_value",
                       "channel must be phone, email, sms, letter or in_person");
    if (!followup_contact_outcome_valid(outcome))
        return cc_fail(err, CC_INVALID, "outcome", "invalid_value",
                       "outcome must be reached, no_answer, wrong_number, message_left or refused");
    if (note && *note && (st = text_check_line(note, "note", 1000, true, err)) != CC_OK)
        return st;
    store_actor actor = api_actor(req);
    bool lost = false;
    if ((st = followup_store_contact(req->db, &actor, id, channel, outcome, note,
                                     followup_contact_failed(outcome), &lost, err)) != CC_OK)
        return st;
    if ((st = reply_visit(req, 201, id, err)) == CC_OK)
        json_object_set_new(req->reply, "became_lost", json_boolean(lost));
    return st;
}

cc_status h_followup_settings_get(api_request *req, cc_error *err)
{
    int n = FOLLOWUP_LOST_DEFAULT;
    cc_status st = followup_store_lost_threshold(req->db, &n, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 200,
              json_pack("{s:i, s:i}", "lost_after_failed_contacts", n, "due_lead_days",
                        FOLLOWUP_DUE_LEAD_DAYS));
    return CC_OK;
}

cc_status h_followup_settings_update(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"lost_after_failed_contacts", JF_INTEGER, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    json_int_t n = json_integer_value(json_object_get(req->body, "lost_after_failed_contacts"));
    if (n < 1 || n > FOLLOWUP_LOST_MAX)
        return cc_fail(err, CC_INVALID, "lost_after_failed_contacts", "out_of_range",
                       "lost_after_failed_contacts must be 1..%d", FOLLOWUP_LOST_MAX);
    store_actor actor = api_actor(req);
    if ((st = followup_store_set_lost_threshold(req->db, &actor, (int)n, err)) != CC_OK)
        return st;
    return h_followup_settings_get(req, err);
}

/* ---- patient questionnaire links ---- */

cc_status h_followup_link(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"instrument", JF_STRING, true, 40},
                                        {"days", JF_INTEGER, false, 0},
                                        {"base_url", JF_STRING, false, 200},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *instrument = json_get_string(req->body, "instrument");
    json_int_t days = json_has(req->body, "days")
                          ? json_integer_value(json_object_get(req->body, "days"))
                          : LINK_DAYS_DEFAULT;
    if (days < 1 || days > LINK_DAYS_MAX)
        return cc_fail(err, CC_INVALID, "days", "out_of_range", "days must be 1..%d",
                       LINK_DAYS_MAX);
    if (!instrument_find(instrument))
        return cc_fail(err, CC_INVALID, "instrument", "invalid_value",
                       "a patient link is for a questionnaire (not %.40s)", instrument);
    /* The address the patient opens (QR code): the caller's page, else this host. */
    const char *base = json_get_string(req->body, "base_url"), *host = api_header(req, "Host");
    if (base && ((strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0) ||
                 strpbrk(base, " \t\r\n\"<>#?") != NULL))
        return cc_fail(err, CC_INVALID, "base_url", "invalid_value",
                       "base_url is an http(s) address without spaces, quotes, # or ?");
    if (!base)
        base = api_printf(req, "http://%.100s/",
                          host && !strpbrk(host, " \t\r\n\"<>#?/") ? host : "localhost");
    buf b;
    buf_init(&b, FOLLOWUP_VIEW_MAX);
    json_t *view = NULL;
    st = followup_store_get_json(req->db, id, &b, err);
    if (st == CC_OK)
        st = api_parse_view(req, &b, &view, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *visit = json_object_get(view, "visit");
    if (strcmp(json_string_value(json_object_get(visit, "status")), "scheduled") != 0)
        return cc_fail(err, CC_CONFLICT, "status", "already_resolved",
                       "links are for scheduled visits (this one is %s)",
                       json_string_value(json_object_get(visit, "status")));
    json_t *instruments = json_object_get(visit, "instruments");
    bool listed = false;
    size_t i;
    json_t *v;
    json_array_foreach(instruments, i, v) listed |=
        json_is_string(v) && strcmp(json_string_value(v), instrument) == 0;
    if (!listed)
        return cc_fail(err, CC_INVALID, "instrument", "not_in_visit",
                       "the protocol does not name %.40s at this visit", instrument);
    char token[48], hash[65], expires[CC_INSTANT_TEXT];
    questionnaire_token_new(token);
    questionnaire_token_hash(token, hash);
    instant_format(store_now_seconds() + (int64_t)days * 86400, expires);
    const char *language = json_string_value(json_object_get(visit, "language"));
    int64_t link_id;
    store_actor actor = api_actor(req);
    if ((st = questionnaire_store_create(
             req->db, &actor, id, json_integer_value(json_object_get(visit, "patient_id")),
             instrument, language ? language : "en", hash, expires, &link_id, err)) != CC_OK)
        return st;
    size_t blen = strlen(base);
    const char *url =
        api_printf(req, "%s%s#/q/%s", base, blen && base[blen - 1] == '/' ? "" : "/", token);
    buf qr;
    buf_init(&qr, 1 << 20);
    cc_error qerr;
    bool have_qr = qr_svg(url, 4, &qr, &qerr) == CC_OK;
    api_reply(req, 201,
              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)link_id,
                        "token", token, "path", api_printf(req, "/#/q/%s", token), "url", url,
                        "expires_at", expires, "instrument", instrument, "language",
                        language ? language : "en", "qr_svg",
                        have_qr ? json_string(qr.data) : json_null()));
    buf_release(&qr);
    sodium_memzero(token, sizeof token);
    return CC_OK;
}

/* Finds an open link by its token: unknown 404, used or expired 409, with
 * messages the patient page shows as they are. */
static cc_status open_link(api_request *req, questionnaire_link *l, cc_error *err)
{
    const char *token = req->params[0];
    if (!token || strlen(token) < 20 || strlen(token) > 64)
        return cc_fail(err, CC_NOT_FOUND, "token", "unknown_link",
                       "this questionnaire link is not valid; ask the clinic for a new one");
    char hash[65];
    questionnaire_token_hash(token, hash);
    cc_status st = questionnaire_store_find(req->db, hash, l, err);
    if (st != CC_OK)
        return st;
    arena_on_release(req->arena, free, l->draft);
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
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

cc_status h_questionnaire_get(api_request *req, cc_error *err)
{
    questionnaire_link l;
    cc_status st = open_link(req, &l, err);
    if (st != CC_OK)
        return st;
    const instr_def *def = instrument_find(l.instrument);
    if (!def)
        return cc_fail(err, CC_INTERNAL, "instrument", "unknown_instrument",
                       "instrument no longer known");
    api_reply(req, 200,
              json_pack("{s:o, s:s, s:s, s:s, s:o}", "instrument", instruments_json_definition(def),
                        "language", l.language, "visit", l.visit_label, "expires_at", l.expires_at,
                        "draft", loads_or_null(l.draft)));
    return CC_OK;
}

static const json_field ANSWER_FIELDS[] = {{"answers", JF_OBJECT, true, 32768},
                                           {NULL, JF_STRING, false, 0}};

cc_status h_questionnaire_draft(api_request *req, cc_error *err)
{
    questionnaire_link l;
    cc_status st = json_check(req->body, ANSWER_FIELDS, err);
    if (st == CC_OK)
        st = open_link(req, &l, err);
    if (st != CC_OK)
        return st;
    json_t *answers = json_object_get(req->body, "answers");
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v)
    {
        if (!json_is_string(v) || strlen(key) > 40 || strlen(json_string_value(v)) > 2000)
            return cc_fail(err, CC_INVALID, api_printf(req, "answers.%.40s", key), "invalid_value",
                           "each answer is a text of at most 2000 bytes");
    }
    char *text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    arena_on_release(req->arena, free, text);
    if ((st = questionnaire_store_save_draft(req->db, l.id, text, err)) != CC_OK)
        return st;
    api_reply(req, 200, json_pack("{s:b, s:O}", "saved", 1, "draft", answers));
    return CC_OK;
}

cc_status h_questionnaire_submit(api_request *req, cc_error *err)
{
    questionnaire_link l;
    cc_status st = json_check(req->body, ANSWER_FIELDS, err);
    if (st == CC_OK)
        st = open_link(req, &l, err);
    if (st != CC_OK)
        return st;
    json_t *answers = json_object_get(req->body, "answers"), *scores = NULL;
    json_t *request = json_pack("{s:O}", "answers", answers);
    st = instruments_json_score(l.instrument, request, &scores, err);
    json_decref(request);
    if (st != CC_OK) {
        if (st == CC_INVALID && strncmp(err->field, "answers", 7) != 0) {
            char field[sizeof err->field];
            snprintf(field, sizeof field, "answers.%.50s", err->field);
            snprintf(err->field, sizeof err->field, "%s", field);
        }
        return st;
    }
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, scores);
    char *answers_text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    char *scores_text = json_dumps(scores, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    arena_on_release(req->arena, free, answers_text);
    arena_on_release(req->arena, free, scores_text);
    if (!answers_text || !scores_text)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    char today[CC_DATE_TEXT];
    date_format(api_today(), today);
    const instr_def *def = instrument_find(l.instrument);
    int64_t obs = 0;
    measure_value *measures = arena_alloc(req->arena, OBSERVATION_MEASURES_MAX * sizeof *measures);
    if (!measures)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    observation_fields f = {
        l.instrument,
        def ? def->version : "1",
        today,
        "patient",
        answers_text,
        scores_text,
        measures,
        observation_measures(l.instrument, scores, measures, OBSERVATION_MEASURES_MAX)};
    if ((st = questionnaire_store_submit(req->db, l.id, &f, &obs, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:b, s:I, s:s}", "submitted", 1, "observation_id", (json_int_t)obs,
                        "date", today));
    return CC_OK;
}

/* The report's query parameters, shared by every report route. */
static report_query report_query_of(api_request *req)
{
    return (report_query){api_query(req, "protocol"),  api_query(req, "from"),
                          api_query(req, "to"),        api_today(),
                          api_query(req, "condition"), api_query(req, "product_type"),
                          api_query(req, "route")};
}

/* The outcome report of the request's query (report_query_of), shared by
 * the report and its charts so that every parameter reaches both. */
static cc_status report_of_request(api_request *req, report_query *q, json_t **report,
                                   cc_error *err)
{
    *report = NULL;
    *q = report_query_of(req);
    cc_status st = report_query_check(req->db, req->arena, q, err);
    if (st == CC_OK)
        st = report_outcomes_json(req->db, req->arena, q, report, err);
    return st;
}

/* Replies with the bytes of b (copied into the arena) and, when not NULL, the
 * Content-Disposition; or fails with st or CC_TOO_LARGE. Releases b. */
static cc_status reply_buf(api_request *req, cc_status st, buf *b, const char *type,
                           const char *disposition, cc_error *err)
{
    if (st == CC_OK && buf_failed(b))
        st = cc_fail(err, CC_TOO_LARGE, NULL, "too_large",
                     "the report is too large for this format over HTTP");
    char *copy = st == CC_OK ? arena_alloc(req->arena, b->len + 1) : NULL;
    if (st == CC_OK && !copy)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (copy)
        memcpy(copy, b->data, b->len);
    size_t len = b->len;
    buf_release(b);
    if (st != CC_OK)
        return st;
    if (disposition)
        api_add_header(req, "Content-Disposition", disposition);
    api_reply_raw(req, 200, type, copy, len);
    return CC_OK;
}

cc_status h_report_outcomes(api_request *req, cc_error *err)
{
    static const struct {
        const char *name, *type, *ext;
    } formats[] = {{"csv", "text/csv; charset=utf-8", "csv"},
                   {"html", "text/html; charset=utf-8", "html"},
                   {"pdf", "application/pdf", "pdf"}};
    const char *format = api_query(req, "format");
    int fmt = -1;
    for (int i = 0; format && i < 3; i++)
        if (strcmp(format, formats[i].name) == 0)
            fmt = i;
    if (format && fmt < 0 && strcmp(format, "json") != 0)
        return cc_fail(err, CC_INVALID, "format", "invalid_value",
                       "format must be json, csv, html or pdf");
    report_query q;
    json_t *report = NULL;
    cc_status st = report_of_request(req, &q, &report, err);
    if (st != CC_OK)
        return st;
    if (fmt < 0) {
        api_reply(req, 200, report);
        return CC_OK;
    }
    buf b;
    buf_init(&b, (size_t)64 << 20);
    if (fmt == 0)
        report_outcomes_csv(report, &b);
    else
        st = fmt == 1 ? report_render_html(report, &b, err) : report_render_pdf(report, &b, err);
    json_decref(report);
    return reply_buf(
        req, st, &b, formats[fmt].type,
        api_printf(req, "attachment; filename=\"outcomes-%s.%s\"", q.protocol, formats[fmt].ext),
        err);
}

cc_status h_report_chart(api_request *req, cc_error *err)
{
    static const struct {
        const char *name;
        report_chart_kind kind;
    } kinds[] = {{"trajectory", REPORT_CHART_TRAJECTORY},
                 {"ais", REPORT_CHART_AIS},
                 {"ae", REPORT_CHART_AE}};
    const char *kind_text = api_query(req, "kind"), *measure_text = api_query(req, "measure");
    if (!kind_text)
        return cc_fail(err, CC_INVALID, "kind", "required",
                       "kind is required: trajectory, ais or ae");
    size_t k = 0;
    while (k < 3 && strcmp(kind_text, kinds[k].name) != 0)
        k++;
    if (k == 3)
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind must be trajectory, ais or ae");
    report_chart_kind kind = kinds[k].kind;
    size_t measure = 0;
    if (kind == REPORT_CHART_TRAJECTORY) {
        if (!measure_text)
            return cc_fail(err, CC_INVALID, "measure", "required",
                           "measure (an index into the report's measures) is required");
        size_t n = strspn(measure_text, "0123456789");
        if (n == 0 || n > 4 || measure_text[n])
            return cc_fail(err, CC_INVALID, "measure", "invalid_value",
                           "measure must be a whole number (an index into the report's measures)");
        measure = (size_t)strtoul(measure_text, NULL, 10);
    } else if (measure_text) {
        return cc_fail(err, CC_INVALID, "measure", "invalid_value",
                       "measure goes with kind=trajectory only");
    }
    report_query q;
    json_t *report = NULL;
    cc_status st = report_of_request(req, &q, &report, err);
    if (st != CC_OK)
        return st;
    const json_t *measures = json_object_get(report, "measures");
    const json_t *part = kind == REPORT_CHART_AIS  ? json_object_get(report, "ais")
                         : kind == REPORT_CHART_AE ? json_object_get(report, "adverse_events")
                                                   : json_array_get(measures, measure);
    if (kind == REPORT_CHART_TRAJECTORY && !part) {
        size_t n = json_array_size(measures);
        json_decref(report);
        return cc_fail(err, CC_INVALID, "measure", "out_of_range",
                       "measure must be below %zu, the number of measures in the report", n);
    }
    buf b;
    buf_init(&b, (size_t)16 << 20);
    st = report_chart_svg(kind, part, &b, err);
    json_decref(report);
    return reply_buf(req, st, &b, "image/svg+xml", NULL, err);
}
