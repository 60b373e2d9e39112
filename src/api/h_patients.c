/* Patients: search, create (with the duplicate warning), view, edit, weights, conditions,
 * erasure requests (recorded and refused). */
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "app/patients.h"
#include "store/timeline.h"

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A patient as a jansson value, for the rare replies that embed one in an
 * error (duplicates, conflicts); NULL when it cannot be read. */
static json_t *patient_value(api_request *req, int64_t id)
{
    buf text;
    buf_init(&text, (size_t)1 << 24);
    int64_t version;
    cc_error ignored;
    json_t *v = patient_render(req->db, id, &text, &version, &ignored) == CC_OK
                    ? json_loadb(text.data, text.len, 0, NULL)
                    : NULL;
    buf_release(&text);
    return v;
}

/* The patient as the answer: of any site (after a write the handler
 * checked), or only of the session's (a read that skipped site_scope). */
static cc_status reply_patient_of(api_request *req, unsigned status, int64_t id, bool any_site,
                                  cc_error *err)
{
    buf text;
    buf_init(&text, (size_t)1 << 24);
    int64_t version = 0;
    cc_status st =
        any_site ? patient_render(req->db, id, &text, &version, err)
                 : patient_render_at_site(req->db, id, req->who.site_id, &text, &version, err);
    if (st == CC_OK) {
        api_etag(req, version);
        api_reply_json_text(req, status, text.data, text.len);
    }
    buf_release(&text);
    return st;
}

static cc_status reply_patient(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return reply_patient_of(req, status, id, true, err);
}

static cc_status reply_patient_here(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return reply_patient_of(req, status, id, false, err);
}

static const struct {
    const char *name;
    patient_sort sort;
} SORTS[] = {
    {"family_name", PATIENT_SORT_FAMILY_NAME}, {"given_names", PATIENT_SORT_GIVEN_NAMES},
    {"birth_date", PATIENT_SORT_BIRTH_DATE},   {"mrn", PATIENT_SORT_MRN},
    {"created_at", PATIENT_SORT_CREATED_AT},
};

cc_status h_patient_list(api_request *req, cc_error *err)
{
    patient_query q = {
        .q = api_query(req, "q"), .sort = PATIENT_SORT_FAMILY_NAME, .site_id = req->who.site_id};
    cc_status st = api_paging(req, &q.page, &q.per_page, err);
    if (st != CC_OK)
        return st;
    if (q.q && strlen(q.q) > 200)
        return cc_fail(err, CC_INVALID, "q", "too_long", "q is longer than 200 bytes");
    req->access_what = q.q && *q.q ? "search" : "list";
    const char *sort = api_query(req, "sort"), *order = api_query(req, "order");
    if (sort) {
        size_t i = 0;
        while (i < sizeof SORTS / sizeof SORTS[0] && strcmp(SORTS[i].name, sort) != 0)
            i++;
        if (i == sizeof SORTS / sizeof SORTS[0])
            return cc_fail(err, CC_INVALID, "sort", "invalid_value",
                           "sort must be family_name, given_names, birth_date, mrn or created_at");
        q.sort = SORTS[i].sort;
    }
    if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0)
        return cc_fail(err, CC_INVALID, "order", "invalid_value", "order must be asc or desc");
    q.descending = order && strcmp(order, "desc") == 0;
    buf items;
    buf_init(&items, (size_t)1 << 24);
    int64_t total = 0;
    if ((st = patient_search_render(req->db, &q, &items, &total, err)) == CC_OK)
        api_reply_list(req, items.data, q.page, q.per_page, total);
    buf_release(&items);
    return st;
}

static const json_field PATIENT_FIELDS[] = {
    {"family_name", JF_STRING, false, 400},
    {"given_names", JF_STRING, false, 400},
    {"birth_date", JF_STRING, false, 10},
    {"sex", JF_STRING, false, 10},
    {"language", JF_STRING, false, 2},
    {"email", JF_STRING, false, 1016},
    {"phone", JF_STRING, false, 160},
    {"address", JF_STRING, false, 1600},
    {"weight_kg", JF_NUMBER, false, 0},
    {"confirm_duplicate", JF_BOOLEAN, false, 0},
    {"version", JF_INTEGER, false, 0},
    {"reason", JF_STRING, false, 1000},
    {NULL, JF_STRING, false, 0},
};

static patient_fields fields_from(const json_t *body)
{
    patient_fields f = {
        json_get_string(body, "family_name"), json_get_string(body, "given_names"),
        json_get_string(body, "birth_date"),  json_get_string(body, "sex"),
        json_get_string(body, "language"),    json_get_string(body, "email"),
        json_get_string(body, "phone"),       json_get_string(body, "address"),
    };
    return f;
}

/* Adds the possible duplicates to the error reply (422) so the user can look. */
static void attach_matches(api_request *req, const patient_matches *dup)
{
    json_t *matches = json_array();
    for (size_t i = 0; i < dup->n; i++) {
        json_t *match = patient_value(req, dup->ids[i]);
        if (match)
            json_array_append_new(matches, match);
    }
    api_reply(req, 422, json_pack("{s:o}", "matches", matches));
}

cc_status h_patient_create(api_request *req, cc_error *err)
{
    cc_status st = json_check(req->body, PATIENT_FIELDS, err);
    if (st != CC_OK)
        return st;
    if (json_has(req->body, "version") || json_has(req->body, "reason"))
        return cc_fail(err, CC_INVALID, json_has(req->body, "version") ? "version" : "reason",
                       "unknown_field", "a new patient has no version and needs no reason");
    app_patient_new n = {
        .fields = fields_from(req->body),
        .has_weight = json_has(req->body, "weight_kg"),
        .weight_kg = json_number_value(json_object_get(req->body, "weight_kg")),
        .confirm_duplicate = json_get_bool(req->body, "confirm_duplicate"),
    };
    app_ctx c = api_app_ctx(req);
    patient_matches dup;
    int64_t id = 0;
    st = app_patient_create(&c, &n, &id, &dup, err);
    if (st == CC_CONFLICT && strcmp(err->code, "possible_duplicate") == 0)
        attach_matches(req, &dup);
    return api_reply_created(req, st, "/api/v1/patients", id, reply_patient, err);
}

void h_patient_prefetch(api_request *req)
{
    int64_t id;
    cc_error ignored;
    if (api_param_id(req, 0, &id, &ignored) == CC_OK)
        patient_render_prefetch(req->db, id);
}

cc_status h_patient_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_patient_here, err);
}

cc_status h_patient_update(api_request *req, cc_error *err)
{
    int64_t id, version = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = json_check(req->body, PATIENT_FIELDS, err);
    if (st != CC_OK)
        return st;
    if (json_has(req->body, "weight_kg") || json_has(req->body, "confirm_duplicate"))
        return cc_fail(err, CC_INVALID,
                       json_has(req->body, "weight_kg") ? "weight_kg" : "confirm_duplicate",
                       "unknown_field", "this field cannot be changed here");
    if ((st = api_expected_version(req, &version, err)) != CC_OK)
        return st;
    patient_fields f = fields_from(req->body);
    app_ctx c = api_app_ctx(req);
    st = app_patient_update(&c, id, version, &f, json_get_string(req->body, "reason"), err);
    if (st == CC_CONFLICT) {
        /* Give the client the current record so it can show what changed. */
        json_t *current = patient_value(req, id);
        if (current)
            api_reply(req, 409, json_pack("{s:o}", "current", current));
        return st;
    }
    return st == CC_OK ? reply_patient(req, 200, id, err) : st;
}

cc_status h_patient_add_weight(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"date", JF_STRING, true, 10}, {"kg", JF_NUMBER, true, 0}, {NULL, JF_STRING, false, 0}};
    int64_t id, weight_id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    const char *date = json_get_string(req->body, "date");
    int grams = 0;
    app_ctx c = api_app_ctx(req);
    if ((st = app_patient_add_weight(&c, id, date,
                                     json_number_value(json_object_get(req->body, "kg")),
                                     &weight_id, &grams, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:I, s:s, s:f}", "id", (json_int_t)weight_id, "patient_id",
                        (json_int_t)id, "date", date, "kg", grams / 1000.0));
    return CC_OK;
}

cc_status h_patient_add_condition(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"icd10", JF_STRING, true, 8},
                                        {"label", JF_STRING, true, 800},
                                        {"onset_date", JF_STRING, false, 10},
                                        {"details", JF_OBJECT, false, 4096},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, condition_id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    const char *icd10 = json_get_string(req->body, "icd10"),
               *label = json_get_string(req->body, "label"),
               *onset = json_get_string(req->body, "onset_date");
    json_t *details = json_object_get(req->body, "details");
    char *details_text = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (details_text)
        arena_on_release(req->arena, free, details_text);
    app_ctx c = api_app_ctx(req);
    st = app_patient_add_condition(&c, id, icd10, label, onset, details_text, &condition_id, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)condition_id,
                        "patient_id", (json_int_t)id, "icd10", icd10, "label", label, "onset_date",
                        text_or_null(onset), "details",
                        details ? json_incref(details) : json_object()));
    return CC_OK;
}

/* The request is recorded, then answered with its refusal as an error (409,
 * the refusal's code and text in the caller's language) and what is kept:
 * nothing is erased. */
cc_status h_patient_erasure_request(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"reason", JF_STRING, true, 500},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    const char *refusal = NULL;
    patient_trace_links links = {0};
    if ((st = app_patient_erasure_request(&c, id, json_get_string(req->body, "reason"), &refusal,
                                          &links, err)) != CC_OK)
        return st;
    bool trace = strcmp(refusal, "traceability_retention") == 0;
    req->reply = json_pack("{s:{s:I, s:s, s:[], s:[s,s,s,s], s:I, s:I, s:o}}", "erasure_request",
                           "patient_id", (json_int_t)id, "decision", "refused", "erased", "kept",
                           "identity", "units_received", "donations", "clinical_record",
                           "units_received", (json_int_t)links.units_received, "donations",
                           (json_int_t)links.donations, "retention_years",
                           trace ? json_integer(TRACEABILITY_RETENTION_YEARS) : json_null());
    if (trace)
        return cc_fail(err, CC_CONFLICT, NULL, "traceability_retention",
                       "refused: identified traceability data (donor - unit - recipient) is "
                       "kept at least 30 years (Directive 2004/23/EC art. 8(4), 2006/86/EC "
                       "art. 9(2)); nothing was erased, the request is recorded");
    return cc_fail(err, CC_CONFLICT, NULL, "erasure_not_available",
                   "refused: this system keeps the clinical record and erases nothing; "
                   "the request is recorded for the data protection officer");
}

cc_status h_patient_timeline(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, 8 << 20);
    st = patient_timeline_json(req->db, id, &b, err);
    json_t *reply = NULL;
    if (st == CC_OK)
        st = api_parse_view(req, &b, &reply, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    api_reply(req, 200, json_incref(reply));
    return CC_OK;
}
