/* Adverse events (H9): the term list, report, update, the
 * physician's signed assessment, regulatory reports sent, per-patient and
 * clinic-wide lists with filters and CSV, the deadline dashboard. */
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/error_text.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "api/signature.h"
#include "app/adverse.h"
#include "core/adverse.h"
#include "core/lab_rules.h"
#include "store/bedside.h"

cc_status h_ae_terms(api_request *req, cc_error *err)
{
    (void)err;
    json_t *terms = json_array();
    for (size_t i = 0; i < adverse_term_count(); i++) {
        const adverse_term *t = adverse_term_at(i);
        json_t *grades = json_array();
        for (int g = 0; g < 5; g++)
            if (t->grades_en[g])
                json_array_append_new(grades, json_pack("{s:i, s:s, s:s}", "grade", g + 1, "en",
                                                        t->grades_en[g], "fr", t->grades_fr[g]));
        json_array_append_new(terms, json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "code", t->code,
                                               "en", t->name_en, "fr", t->name_fr, "soc", t->soc_en,
                                               "needs_text", t->needs_text, "grades", grades));
    }
    json_t *ser = json_array();
    for (unsigned b = 1; b < AE_SERIOUSNESS_ALL; b <<= 1)
        json_array_append_new(ser, json_string(adverse_seriousness_name(b)));
    api_reply(
        req, 200,
        json_pack(
            "{s:s, s:s, s:o, s:o, s:[sssss], s:[ss], s:[ssssss], s:[ssssss]}", "source",
            ADVERSE_SOURCE, "citation",
            "Common Terminology Criteria for Adverse Events (CTCAE) v5.0, U.S. DHHS, NIH, NCI, "
            "November 27, 2017; grade texts written from it. No MedDRA codes.",
            "terms", terms, "seriousness", ser, "relatedness", "unrelated", "unlikely", "possible",
            "probable", "definite", "expectedness", "expected", "unexpected", "action", "none",
            "interrupted", "slowed", "stopped", "treated", "other", "outcome", "recovering",
            "recovered", "recovered_with_sequelae", "not_recovered", "fatal", "unknown"));
    return CC_OK;
}

static const json_field AE_FIELDS[] = {
    {"patient_id", JF_INTEGER, true, 0},
    {"term", JF_STRING, true, 48},
    {"term_source", JF_STRING, false, 40},
    {"term_text", JF_STRING, false, 200},
    {"grade", JF_INTEGER, true, 0},
    {"onset_at", JF_STRING, true, 20},
    {"resolved_at", JF_STRING, false, 20},
    {"aware_at", JF_STRING, false, 20},
    {"seriousness", JF_ARRAY, false, 400},
    {"related_product", JF_STRING, true, 16},
    {"related_procedure", JF_STRING, true, 16},
    {"expectedness", JF_STRING, true, 16},
    {"action", JF_STRING, false, 16},
    {"outcome", JF_STRING, false, 32},
    {"description", JF_STRING, false, 4000},
    {"administration_ids", JF_ARRAY, false, 400},
    {"unit_ids", JF_ARRAY, false, 400},
    {"version", JF_INTEGER, false, 0},
    {"reason", JF_STRING, false, 2000},
    {NULL, JF_STRING, false, 0},
};

enum { AE_MAX_LINKS = 16 };

typedef struct {
    adverse_event_fields f;
    int64_t adm[AE_MAX_LINKS], units[AE_MAX_LINKS];
} ae_input;

static cc_status id_list(const json_t *body, const char *name, int64_t *out, size_t *n,
                         cc_error *err)
{
    json_t *a = json_object_get(body, name);
    *n = json_array_size(a);
    if (*n > AE_MAX_LINKS)
        return cc_fail(err, CC_INVALID, name, "too_many", "at most %d ids", AE_MAX_LINKS);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return cc_fail(err, CC_INVALID, name, "invalid_value", "%s holds positive ids", name);
        out[i] = json_integer_value(v);
    }
    return CC_OK;
}

/* Reads the body into the event's fields; the use case checks the values. */
static cc_status read_event(api_request *req, ae_input *in, cc_error *err)
{
    memset(in, 0, sizeof *in);
    const json_t *b = req->body;
    adverse_event_fields *f = &in->f;
    cc_status st = lab_check_body(b, AE_FIELDS, err);
    if (st == CC_OK)
        st = lab_body_id(b, "patient_id", true, &f->patient_id, err);
    f->term_source =
        json_get_string(b, "term_source") ? json_get_string(b, "term_source") : ADVERSE_SOURCE;
    f->term_code = json_get_string(b, "term");
    f->term_text = json_get_string(b, "term_text");
    json_int_t grade = json_integer_value(json_object_get(b, "grade"));
    f->grade = grade >= 0 && grade <= 9 ? (int)grade : -1;
    f->onset_at = json_get_string(b, "onset_at");
    f->resolved_at = json_get_string(b, "resolved_at");
    f->aware_at = json_get_string(b, "aware_at");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(b, "seriousness"), i, v)
    {
        unsigned bit;
        if (st == CC_OK && !adverse_seriousness_parse(json_string_value(v), &bit))
            st = cc_fail(
                err, CC_INVALID, "seriousness", "invalid_value",
                "seriousness criteria: death, life_threatening, hospitalisation, disability, "
                "congenital_anomaly, medically_important");
        else if (st == CC_OK)
            f->seriousness |= bit;
    }
    f->related_product = json_get_string(b, "related_product");
    f->related_procedure = json_get_string(b, "related_procedure");
    f->expectedness = json_get_string(b, "expectedness");
    f->action = json_get_string(b, "action");
    f->outcome = json_get_string(b, "outcome");
    f->description = json_get_string(b, "description");
    if (st == CC_OK)
        st = id_list(b, "administration_ids", in->adm, &f->n_administrations, err);
    if (st == CC_OK)
        st = id_list(b, "unit_ids", in->units, &f->n_units, err);
    f->administration_ids = in->adm;
    f->unit_ids = in->units;
    return st;
}

static cc_status reply_event(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    app_ctx c = api_app_ctx(req);
    json_t *view;
    cc_status st = app_adverse_view(&c, id, &view, err);
    if (st != CC_OK)
        return st;
    api_etag(req, json_integer_value(
                      json_object_get(json_object_get(view, "adverse_event"), "version")));
    api_reply(req, status, view);
    return CC_OK;
}

cc_status h_ae_create(api_request *req, cc_error *err)
{
    ae_input *in = arena_alloc(req->arena, sizeof *in);
    if (!in)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = read_event(req, in, err);
    if (st == CC_OK && (json_has(req->body, "version") || json_has(req->body, "reason")))
        st = cc_fail(err, CC_INVALID, json_has(req->body, "version") ? "version" : "reason",
                     "unknown_field", "a new event has no version or reason");
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    int64_t id = 0;
    st = app_adverse_report(&c, &in->f, &id, err);
    return api_reply_created(req, st, "/api/v1/adverse-events", id, reply_event, err);
}

cc_status h_ae_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_event, err);
}

cc_status h_ae_update(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    ae_input *in = arena_alloc(req->arena, sizeof *in);
    if (!in)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st == CC_OK)
        st = read_event(req, in, err);
    if (st != CC_OK)
        return st;
    const char *match = api_header(req, "If-Match");
    app_adverse_change change = {json_has(req->body, "version") || match, 0,
                                 json_get_string(req->body, "reason")};
    if (json_has(req->body, "version"))
        change.version = json_integer_value(json_object_get(req->body, "version"));
    else if (match)
        change.version = strtoll(match + (*match == '"'), NULL, 10);
    app_ctx c = api_app_ctx(req);
    st = app_adverse_update(&c, id, &in->f, &change, err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

cc_status h_ae_assess(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"meaning", JF_STRING, false, 400},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_signed(req, api_id_text_body(req, fields, &id, err), err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_adverse_require(&c, id, err);
    if (st != CC_OK)
        return st;
    st = app_adverse_assess(&c, id, json_get_string(req->body, "meaning"), err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

cc_status h_ae_report(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"kind", JF_STRING, true, 32},
                                        {"reported_at", JF_STRING, false, 20},
                                        {"reference", JF_STRING, false, 200},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    st = app_adverse_mark_reported(&c, id, json_get_string(req->body, "kind"),
                                   json_get_string(req->body, "reported_at"),
                                   json_get_string(req->body, "reference"), err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

static const char *const CSV_COLUMNS[] = {
    "id",          "patient_mrn", "family_name",     "given_names",       "term_source",
    "term_code",   "term_text",   "grade",           "onset_at",          "resolved_at",
    "aware_at",    "serious",     "related_product", "related_procedure", "expectedness",
    "action",      "outcome",     "product_type",    "batch_code",        "assessed_by",
    "assessed_at", "next_due_at",
};

/* The catalogue prefix of a column's coded values ("ae.rel." + "possible"),
 * or NULL when its values are data. */
static const char *csv_value_prefix(const char *column)
{
    static const struct {
        const char *column, *prefix;
    } coded[] = {{"related_product", "ae.rel."},
                 {"related_procedure", "ae.rel."},
                 {"expectedness", "ae.exp."},
                 {"action", "ae.action."},
                 {"outcome", "ae.outcome."}};
    for (size_t i = 0; i < sizeof coded / sizeof coded[0]; i++)
        if (strcmp(coded[i].column, column) == 0)
            return coded[i].prefix;
    return NULL;
}

cc_status h_ae_list(api_request *req, cc_error *err)
{
    adverse_event_query q = {.site_id = req->who.site_id, .serious = -1};
    bool csv = false;
    cc_status st = api_paging(req, &q.page, &q.per_page, err);
    if (st == CC_OK)
        st = lab_wants_csv(req, &csv, err);
    if (st == CC_OK)
        st = lab_query_id(req, "patient_id", &q.patient_id, err);
    q.term = api_query(req, "term");
    if (st == CC_OK && q.term && !adverse_term_find(q.term) && strlen(q.term) > 48)
        st = cc_fail(err, CC_INVALID, "term", "too_long", "term is at most 48 bytes");
    const char *grade = api_query(req, "grade");
    if (st == CC_OK && grade) {
        if (strlen(grade) != 1 || grade[0] < '1' || grade[0] > '5')
            st = cc_fail(err, CC_INVALID, "grade", "invalid_value", "grade is 1 to 5");
        else
            q.grade = grade[0] - '0';
    }
    const char *serious = api_query(req, "serious");
    if (st == CC_OK && serious) {
        if (strcmp(serious, "true") == 0)
            q.serious = 1;
        else if (strcmp(serious, "false") == 0)
            q.serious = 0;
        else
            st = cc_fail(err, CC_INVALID, "serious", "invalid_value", "serious is true or false");
    }
    const char *open = api_query(req, "open");
    if (st == CC_OK && open) {
        if (strcmp(open, "true") == 0 || strcmp(open, "false") == 0)
            q.open_only = strcmp(open, "true") == 0;
        else
            st = cc_fail(err, CC_INVALID, "open", "invalid_value", "open is true or false");
    }
    q.related = api_query(req, "related");
    if (st == CC_OK && q.related && strcmp(q.related, "related") != 0 &&
        !adverse_relatedness_is_valid(q.related))
        st = cc_fail(err, CC_INVALID, "related", "invalid_value",
                     "related: related, unrelated, unlikely, possible, probable, definite");
    q.product_type = api_query(req, "product_type");
    if (st == CC_OK && q.product_type && !lab_product_type_is_valid(q.product_type))
        st = cc_fail(err, CC_INVALID, "product_type", "invalid_value", "unknown product type");
    q.batch = api_query(req, "batch");
    if (st == CC_OK && q.batch && strlen(q.batch) > 40)
        st = cc_fail(err, CC_INVALID, "batch", "too_long", "batch is at most 40 bytes");
    if (st != CC_OK)
        return st;
    /* lang: headers and coded values in that catalogue's words; without
     * it the stable column names and codes, as before */
    const char *lang = NULL;
    if ((st = lab_csv_language(req, csv, &lang, err)) != CC_OK)
        return st;
    if (csv)
        q.per_page = 0;
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    int64_t total = 0;
    st = adverse_event_list_json(req->db, &q, &b, &total, err);
    if (st == CC_OK && !csv)
        st = lab_reply_page(req, b.data, q.page, q.per_page, total, err);
    if (st == CC_OK && csv) {
        json_t *rows = json_loads(b.data, 0, NULL);
        buf out;
        buf_init(&out, LAB_VIEW_MAX);
        size_t n = sizeof CSV_COLUMNS / sizeof CSV_COLUMNS[0];
        for (size_t c = 0; c < n; c++)
            lab_csv_field(&out, lab_csv_text(req, lang, "csv.ae.", CSV_COLUMNS[c]), c + 1 == n);
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            for (size_t c = 0; c < n; c++) {
                json_t *v = json_object_get(row, CSV_COLUMNS[c]);
                char num[32];
                const char *text = "";
                if (json_is_string(v))
                    text = lab_csv_text(req, lang, csv_value_prefix(CSV_COLUMNS[c]),
                                        json_string_value(v));
                else if (lang && strcmp(CSV_COLUMNS[c], "serious") == 0)
                    text = lab_csv_text(req, lang, "ae.",
                                        json_is_true(v) || json_integer_value(v) ? "yes" : "no");
                else if (json_is_integer(v)) {
                    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
                    text = num;
                }
                lab_csv_field(&out, text, c + 1 == n);
            }
        }
        json_decref(rows);
        char *bytes = buf_failed(&out) ? NULL : arena_alloc(req->arena, out.len + 1);
        if (!bytes)
            st =
                cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the export is too large; filter it");
        else {
            memcpy(bytes, out.data, out.len);
            api_reply_raw(req, 200, "text/csv; charset=utf-8", bytes, out.len);
        }
        buf_release(&out);
    }
    buf_release(&b);
    return st;
}

cc_status h_ae_deadlines(api_request *req, cc_error *err)
{
    app_ctx c = api_app_ctx(req);
    json_t *view;
    cc_status st = app_adverse_deadlines_view(&c, &view, err);
    if (st == CC_OK)
        api_reply(req, 200, view);
    return st;
}
