/* Follow-up: visits generated from approved plans, the worklist
 * with states computed by core/followup (H10), resolutions, contact
 * attempts, the lost-to-follow-up threshold, and patient questionnaire links
 * (random single-purpose expiring tokens, stored hashed; public page data,
 * save-and-resume, submitted once as an observation with source "patient"). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "api/app_context.h"
#include "api/error_text.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "app/instruments_json.h"
#include "api/json_in.h"
#include "app/report_json.h"
#include "app/report_numbers.h"
#include "app/visits.h"
#include "render/qr.h"
#include "render/report_charts.h"
#include "render/report_render.h"
#include "app/followup.h"
#include "core/date.h"
#include "core/followup.h"
#include "store/followup.h"
#include "store/plans.h"
#include "store/report_data.h"

enum { FOLLOWUP_VIEW_MAX = 8 << 20 };

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
    app_visit_add_state(visit, today);
}

/* ---- generation from the plan ---- */

cc_status h_followup_sync(api_request *req, cc_error *err)
{
    int64_t id;
    int created = 0, redated = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK && json_object_size(req->body) > 0)
        st = cc_fail(err, CC_INVALID, json_object_iter_key(json_object_iter(req->body)),
                     "unknown_field", "this request takes no fields");
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_followup_sync_plan(&c, id, &created, &redated, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, FOLLOWUP_VIEW_MAX);
    json_t *visits = NULL;
    plan_row row;
    if ((st = plan_store_get(req->db, req->arena, id, &row, err)) == CC_OK &&
        (st = followup_store_list(req->db, req->who.site_id, false, NULL, row.patient_id, &b,
                                  err)) == CC_OK)
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
    app_worklist_query q = {.state = api_query(req, "state")};
    cc_status st = api_paging(req, &q.page, &q.per_page, err);
    if (st != CC_OK)
        return st;
    const char *patient = api_query(req, "patient_id");
    if (patient) {
        char *end;
        q.patient_id = strtoll(patient, &end, 10);
        if (end == patient || *end || q.patient_id < 1)
            return cc_fail(err, CC_INVALID, "patient_id", "invalid_value",
                           "patient_id must be an id");
    }
    app_ctx c = api_app_ctx(req);
    json_t *reply;
    if ((st = app_visit_worklist(&c, &q, &reply, err)) != CC_OK)
        return st;
    api_reply(req, 200, reply);
    return CC_OK;
}

cc_status h_followup_get(api_request *req, cc_error *err)
{
    int64_t id, version = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    json_t *reply;
    if ((st = app_visit_view(&c, id, &reply, &version, err)) != CC_OK)
        return st;
    api_etag(req, version);
    api_reply(req, 200, reply);
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
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    int closed = 0;
    if ((st = app_visit_resolve(&c, id, json_get_string(req->body, "status"),
                                json_get_string(req->body, "reason"),
                                json_get_string(req->body, "died_on"),
                                json_get_string(req->body, "cause"), &closed, err)) != CC_OK)
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
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    bool lost = false;
    if ((st = app_visit_contact(&c, id, json_get_string(req->body, "channel"),
                                json_get_string(req->body, "outcome"),
                                json_get_string(req->body, "note"), &lost, err)) != CC_OK)
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
    app_ctx c = api_app_ctx(req);
    if ((st = app_visit_set_lost_threshold(
             &c, json_integer_value(json_object_get(req->body, "lost_after_failed_contacts")),
             err)) != CC_OK)
        return st;
    return h_followup_settings_get(req, err);
}

/* ---- patient questionnaire links ---- */

cc_status h_followup_link(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"instrument", JF_STRING, true, 40},
                                        {"days", JF_INTEGER, false, 0},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    const char *instrument = json_get_string(req->body, "instrument");
    int64_t days = json_integer_value(json_object_get(req->body, "days"));
    app_ctx c = api_app_ctx(req);
    app_questionnaire_link link;
    if ((st = app_questionnaire_link_create(
             &c, id, instrument, json_has(req->body, "days") ? &days : NULL, &link, err)) != CC_OK)
        return st;
    const char *token = link.token;
    /* The address the patient opens (QR code): the clinic's public base URL,
     * never the staff browser's (it may be an internal address). */
    const char *url = api_printf(req, "%s#/q/%s", link.site.public_base_url, token);
    buf qr;
    buf_init(&qr, 1 << 20);
    cc_error qerr;
    bool have_qr = qr_svg(url, 4, &qr, &qerr) == CC_OK;
    api_reply(req, 201,
              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)link.id,
                        "token", token, "path", api_printf(req, "/#/q/%s", token), "url", url,
                        "expires_at", link.expires_at, "instrument", instrument, "language",
                        link.language, "clinic_name", link.site.name, "qr_svg",
                        have_qr ? json_string(qr.data) : json_null()));
    buf_release(&qr);
    sodium_memzero(link.token, sizeof link.token);
    return CC_OK;
}

static cc_status open_link(api_request *req, questionnaire_link *l, cc_error *err)
{
    app_ctx c = api_app_ctx(req);
    return app_questionnaire_open(&c, req->params[0], l, err);
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
    app_ctx c = api_app_ctx(req);
    if ((st = app_questionnaire_save_draft(&c, req->params[0], text, err)) != CC_OK)
        return st;
    api_reply(req, 200, json_pack("{s:b, s:O}", "saved", 1, "draft", answers));
    return CC_OK;
}

cc_status h_questionnaire_submit(api_request *req, cc_error *err)
{
    cc_status st = json_check(req->body, ANSWER_FIELDS, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    int64_t obs = 0;
    char today[CC_DATE_TEXT];
    if ((st = app_questionnaire_submit(&c, req->params[0], json_object_get(req->body, "answers"),
                                       &obs, today, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:b, s:I, s:s}", "submitted", 1, "observation_id", (json_int_t)obs,
                        "date", today));
    return CC_OK;
}

/* The report's query parameters, shared by every report route; the reader's
 * role decides its privacy (report_query_privacy). */
static cc_status report_query_of(api_request *req, report_query *q, cc_error *err)
{
    *q = (report_query){api_query(req, "protocol"),
                        api_query(req, "from"),
                        api_query(req, "to"),
                        api_today(),
                        api_query(req, "condition"),
                        api_query(req, "product_type"),
                        api_query(req, "route"),
                        true,
                        0,
                        NULL,
                        0};
    const char *text = api_query(req, "min_group");
    int asked = 0;
    if (text) {
        size_t n = strspn(text, "0123456789");
        asked = n > 0 && n <= 3 && !text[n] ? (int)strtol(text, NULL, 10) : -1;
        if (asked < 1 || asked > REPORT_MIN_GROUP_MAX)
            return cc_fail(err, CC_INVALID, "min_group", "out_of_range",
                           "min_group must be a whole number 1..%d", REPORT_MIN_GROUP_MAX);
    }
    /* the sites pooled: the session's, or those named that the reader works in */
    site_ref *sites = NULL;
    cc_status st = site_pool(req->db, req->arena, req->who.id, req->who.site_id,
                             api_query(req, "sites"), &sites, &q->n_sites, err);
    q->sites = sites;
    if (st != CC_OK)
        return st;
    return report_query_privacy(req->db, user_role_reads_identities(req->who.role), asked, q, err);
}

/* The outcome report of the request's query (report_query_of), shared by
 * the report and its charts so that every parameter reaches both. */
static cc_status report_of_request(api_request *req, report_query *q, json_t **report,
                                   cc_error *err)
{
    *report = NULL;
    cc_status st = report_query_of(req, q, err);
    if (st == CC_OK)
        st = report_query_check(req->db, req->arena, q, err);
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

/* The outcome CSV with its header row in lang's words ("csv.outcomes.<column>");
 * the rows keep their stable codes and numbers. */
static void outcomes_csv(api_request *req, const json_t *report, const char *lang, buf *b)
{
    if (!lang) {
        report_outcomes_csv(report, b);
        return;
    }
    buf raw;
    buf_init(&raw, b->max);
    report_outcomes_csv(report, &raw);
    const char *data = raw.data ? raw.data : "";
    const char *eol = memchr(data, '\n', raw.len);
    size_t head_len = eol ? (size_t)(eol - data) : raw.len;
    char *head = api_printf(req, "%.*s", (int)head_len, data);
    char *save = NULL;
    const char *first = strtok_r(head ? head : (char *)"", ",\r", &save);
    for (const char *col = first; col;) {
        const char *next = strtok_r(NULL, ",\r", &save);
        const char *text = catalogue_text(lang, api_printf(req, "csv.outcomes.%s", col));
        report_csv_cell(b, text ? text : col, next == NULL);
        col = next;
    }
    if (eol)
        buf_append(b, eol + 1, raw.len - head_len - 1);
    buf_release(&raw);
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
    /* lang: the CSV's column headers, the HTML and PDF report in that
     * catalogue's words; HTML and PDF default to the caller's language */
    const char *lang = api_query(req, "lang");
    if (lang && (fmt < 0 || !catalogue_has_language(lang)))
        return cc_fail(err, CC_INVALID, "lang", "invalid_value",
                       "lang: a catalogue's language, with format=csv, html or pdf");
    if (!lang && fmt > 0)
        lang = error_text_language(req->who.language[0] ? req->who.language : NULL,
                                   api_header(req, "Accept-Language"), "rep.doc.title");
    const report_words words = {lang, catalogue_text};
    report_query q;
    json_t *report = NULL;
    cc_status st = report_of_request(req, &q, &report, err);
    if (st != CC_OK)
        return st;
    if (req->on_replica) { /* pooled data that may lag: the report says from where */
        json_t *source = json_object_get(report, "source");
        json_object_set_new(source, "replica", json_true());
        json_object_set_new(source, "lag_seconds", json_real(req->replica_lag));
    }
    if (fmt < 0) {
        api_reply(req, 200, report);
        return CC_OK;
    }
    buf b;
    buf_init(&b, (size_t)64 << 20);
    if (fmt == 0)
        outcomes_csv(req, report, lang, &b);
    else
        st = fmt == 1 ? report_render_html(report, &words, &b, err)
                      : report_render_pdf(report, &words, &b, err);
    json_decref(report);
    return reply_buf(
        req, st, &b, formats[fmt].type,
        api_printf(req, "attachment; filename=\"outcomes-%s.%s\"", q.protocol, formats[fmt].ext),
        err);
}

cc_status h_report_settings_get(api_request *req, cc_error *err)
{
    int k = REPORT_MIN_GROUP_DEFAULT;
    cc_status st = report_store_min_group(req->db, &k, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 200, json_pack("{s:i}", "min_group", k));
    return CC_OK;
}

cc_status h_report_settings_update(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"min_group", JF_INTEGER, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    if ((st = app_report_set_min_group(
             &c, json_integer_value(json_object_get(req->body, "min_group")), err)) != CC_OK)
        return st;
    return h_report_settings_get(req, err);
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
    const char *lang = api_query(req, "lang");
    if (lang && !catalogue_has_language(lang))
        return cc_fail(err, CC_INVALID, "lang", "invalid_value", "lang: a catalogue's language");
    if (!lang)
        lang = error_text_language(req->who.language[0] ? req->who.language : NULL,
                                   api_header(req, "Accept-Language"), "rep.doc.title");
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
    const report_words words = {lang, catalogue_text};
    report_charts_use_words(&words);
    st = report_chart_svg(kind, part, &b, err);
    report_charts_use_words(NULL);
    json_decref(report);
    return reply_buf(req, st, &b, "image/svg+xml", NULL, err);
}
