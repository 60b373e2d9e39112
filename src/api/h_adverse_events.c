/* Adverse events (issue 5, H9): the term list, report, update, the
 * physician's signed assessment, regulatory reports sent, per-patient and
 * clinic-wide lists with filters and CSV, the deadline dashboard. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
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
                json_array_append_new(grades, json_pack("{s:i, s:s, s:s}", "grade", g + 1, "en", t->grades_en[g],
                                                        "fr", t->grades_fr[g]));
        json_array_append_new(terms, json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "code", t->code, "en", t->name_en,
                                               "fr", t->name_fr, "soc", t->soc_en, "needs_text", t->needs_text,
                                               "grades", grades));
    }
    json_t *ser = json_array();
    for (unsigned b = 1; b < AE_SERIOUSNESS_ALL; b <<= 1)
        json_array_append_new(ser, json_string(adverse_seriousness_name(b)));
    api_reply(req, 200,
              json_pack("{s:s, s:s, s:o, s:o, s:[sssss], s:[ss], s:[ssssss], s:[ssssss]}", "source", ADVERSE_SOURCE,
                        "citation",
                        "Common Terminology Criteria for Adverse Events (CTCAE) v5.0, U.S. DHHS, NIH, NCI, "
                        "November 27, 2017; grade texts written from it. No MedDRA codes.",
                        "terms", terms, "seriousness", ser, "relatedness", "unrelated", "unlikely", "possible",
                        "probable", "definite", "expectedness", "expected", "unexpected", "action", "none",
                        "interrupted", "slowed", "stopped", "treated", "other", "outcome", "recovering", "recovered",
                        "recovered_with_sequelae", "not_recovered", "fatal", "unknown"));
    return CC_OK;
}

static const json_field AE_FIELDS[] = {
    {"patient_id", JF_INTEGER, true, 0},         {"term", JF_STRING, true, 48},
    {"term_source", JF_STRING, false, 40},       {"term_text", JF_STRING, false, 200},
    {"grade", JF_INTEGER, true, 0},              {"onset_at", JF_STRING, true, 20},
    {"resolved_at", JF_STRING, false, 20},       {"aware_at", JF_STRING, false, 20},
    {"seriousness", JF_ARRAY, false, 400},       {"related_product", JF_STRING, true, 16},
    {"related_procedure", JF_STRING, true, 16},  {"expectedness", JF_STRING, true, 16},
    {"action", JF_STRING, false, 16},            {"outcome", JF_STRING, false, 32},
    {"description", JF_STRING, false, 4000},     {"administration_ids", JF_ARRAY, false, 400},
    {"unit_ids", JF_ARRAY, false, 400},          {"version", JF_INTEGER, false, 0},
    {"reason", JF_STRING, false, 2000},          {NULL, JF_STRING, false, 0},
};

enum { AE_MAX_LINKS = 16 };

typedef struct {
    adverse_event_fields f;
    int64_t adm[AE_MAX_LINKS], units[AE_MAX_LINKS];
    adverse_deadline deadlines[3];
    size_t n_deadlines;
    char aware[CC_INSTANT_TEXT];
} ae_input;

static cc_status id_list(const json_t *body, const char *name, int64_t *out, size_t *n, cc_error *err)
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

/* Checks the body and computes the deadlines with core. */
static cc_status read_event(api_request *req, ae_input *in, cc_error *err)
{
    memset(in, 0, sizeof *in);
    const json_t *b = req->body;
    adverse_event_fields *f = &in->f;
    cc_status st = lab_check_body(b, AE_FIELDS, err);
    if (st == CC_OK)
        st = lab_body_id(b, "patient_id", true, &f->patient_id, err);
    f->term_source = json_get_string(b, "term_source") ? json_get_string(b, "term_source") : ADVERSE_SOURCE;
    f->term_code = json_get_string(b, "term");
    f->term_text = json_get_string(b, "term_text");
    const adverse_term *term = NULL;
    if (st == CC_OK && strcmp(f->term_source, ADVERSE_SOURCE) == 0) {
        term = adverse_term_find(f->term_code);
        if (!term)
            st = cc_fail(err, CC_INVALID, "term", "unknown_term", "unknown term: see /api/v1/adverse-events/terms");
        else if (term->needs_text && (!f->term_text || !*f->term_text))
            st = cc_fail(err, CC_INVALID, "term_text", "required", "\"other\" needs term_text (specify)");
    } else if (st == CC_OK && strcmp(f->term_source, "site") != 0) {
        st = cc_fail(err, CC_INVALID, "term_source", "invalid_value", "term_source is %s or site", ADVERSE_SOURCE);
    } else if (st == CC_OK && (!f->term_text || !*f->term_text)) {
        st = cc_fail(err, CC_INVALID, "term_text", "required", "a site term needs its text");
    }
    json_int_t grade = json_integer_value(json_object_get(b, "grade"));
    f->grade = grade >= 0 && grade <= 9 ? (int)grade : -1;
    if (st == CC_OK)
        st = adverse_check_grade(term, f->grade, err);
    int64_t onset = 0, resolved = 0, aware = 0, now = store_now_seconds();
    f->onset_at = json_get_string(b, "onset_at");
    f->resolved_at = json_get_string(b, "resolved_at");
    f->aware_at = json_get_string(b, "aware_at");
    if (st == CC_OK)
        st = instant_parse(f->onset_at, "onset_at", &onset, err);
    if (st == CC_OK && onset > now + 300)
        st = cc_fail(err, CC_INVALID, "onset_at", "in_future", "onset_at is in the future");
    if (st == CC_OK && f->resolved_at && (st = instant_parse(f->resolved_at, "resolved_at", &resolved, err)) == CC_OK &&
        (resolved < onset || resolved > now + 300))
        st = cc_fail(err, CC_INVALID, "resolved_at", "out_of_range", "resolved_at is between the onset and now");
    if (st == CC_OK && f->aware_at && (st = instant_parse(f->aware_at, "aware_at", &aware, err)) == CC_OK &&
        (aware < onset || aware > now + 300))
        st = cc_fail(err, CC_INVALID, "aware_at", "out_of_range", "aware_at is between the onset and now");
    if (st == CC_OK && !f->aware_at) {
        aware = now; /* the clinic learns of it when it is recorded */
        instant_format(aware, in->aware);
        f->aware_at = in->aware;
    }
    json_t *ser = json_object_get(b, "seriousness");
    size_t i;
    json_t *v;
    json_array_foreach(ser, i, v) {
        unsigned bit;
        if (st == CC_OK && !adverse_seriousness_parse(json_string_value(v), &bit))
            st = cc_fail(err, CC_INVALID, "seriousness", "invalid_value",
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
    if (st == CC_OK && !adverse_relatedness_is_valid(f->related_product))
        st = cc_fail(err, CC_INVALID, "related_product", "invalid_value",
                     "relatedness: unrelated, unlikely, possible, probable, definite");
    if (st == CC_OK && !adverse_relatedness_is_valid(f->related_procedure))
        st = cc_fail(err, CC_INVALID, "related_procedure", "invalid_value",
                     "relatedness: unrelated, unlikely, possible, probable, definite");
    if (st == CC_OK && !adverse_expectedness_is_valid(f->expectedness))
        st = cc_fail(err, CC_INVALID, "expectedness", "invalid_value", "expectedness: expected or unexpected");
    if (st == CC_OK && f->action && !adverse_action_is_valid(f->action))
        st = cc_fail(err, CC_INVALID, "action", "invalid_value",
                     "action: none, interrupted, slowed, stopped, treated, other");
    if (st == CC_OK && f->outcome && !adverse_outcome_is_valid(f->outcome))
        st = cc_fail(err, CC_INVALID, "outcome", "invalid_value",
                     "outcome: recovering, recovered, recovered_with_sequelae, not_recovered, fatal, unknown");
    if (st == CC_OK && f->grade == 5 && !(f->seriousness & AE_DEATH))
        st = cc_fail(err, CC_INVALID, "seriousness", "death_not_marked", "a grade 5 event is serious: death");
    if (st == CC_OK && f->outcome && strcmp(f->outcome, "fatal") == 0 && !(f->seriousness & AE_DEATH))
        st = cc_fail(err, CC_INVALID, "seriousness", "death_not_marked", "a fatal outcome is serious: death");
    if (st == CC_OK)
        st = id_list(b, "administration_ids", in->adm, &f->n_administrations, err);
    if (st == CC_OK)
        st = id_list(b, "unit_ids", in->units, &f->n_units, err);
    f->administration_ids = in->adm;
    f->unit_ids = in->units;
    vitals_limits limits;
    adverse_rules rules;
    if (st == CC_OK)
        st = bedside_settings_load(req->db, &limits, &rules, err);
    if (st == CC_OK) {
        adverse_facts facts = {f->seriousness, strcmp(f->expectedness, "unexpected") == 0, f->related_product,
                               f->related_procedure, aware};
        in->n_deadlines = adverse_deadlines(&facts, &rules, in->deadlines);
    }
    return st;
}

static cc_status reply_event(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    cc_status st = adverse_event_json(req->db, id, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, status, b.data, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    /* deadline status now (H9) */
    vitals_limits limits;
    adverse_rules rules;
    if (bedside_settings_load(req->db, &limits, &rules, err) != CC_OK)
        return err->status;
    json_t *e = json_object_get(req->reply, "adverse_event");
    json_t *dls = json_object_get(req->reply, "deadlines");
    int64_t now = store_now_seconds();
    size_t i;
    json_t *d;
    json_array_foreach(dls, i, d) {
        int64_t due = 0, rep = 0;
        instant_parse(json_string_value(json_object_get(d, "due_at")), NULL, &due, NULL);
        const char *r = json_string_value(json_object_get(d, "reported_at"));
        if (r)
            instant_parse(r, NULL, &rep, NULL);
        json_object_set_new(d, "status", json_string(adverse_deadline_status_name(
                                             adverse_deadline_state(due, rep, now, &rules))));
    }
    json_t *criteria = json_array();
    unsigned bits = (unsigned)json_integer_value(json_object_get(e, "seriousness"));
    for (unsigned b2 = 1; b2 < AE_SERIOUSNESS_ALL; b2 <<= 1)
        if (bits & b2)
            json_array_append_new(criteria, json_string(adverse_seriousness_name(b2)));
    json_object_set_new(e, "seriousness", criteria);
    api_add_header(req, "ETag",
                   api_printf(req, "\"%lld\"", (long long)json_integer_value(json_object_get(e, "version"))));
    return CC_OK;
}

cc_status h_ae_create(api_request *req, cc_error *err)
{
    ae_input *in = arena_alloc(req->arena, sizeof *in);
    if (!in)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = read_event(req, in, err);
    if (st == CC_OK && (json_has(req->body, "version") || json_has(req->body, "reason")))
        st = cc_fail(err, CC_INVALID, json_has(req->body, "version") ? "version" : "reason", "unknown_field",
                     "a new event has no version or reason");
    if (st != CC_OK)
        return st;
    store_actor actor = api_actor(req);
    int64_t id;
    st = adverse_event_create(req->db, &actor, &in->f, in->deadlines, in->n_deadlines, &id, err);
    if (st != CC_OK)
        return st;
    api_add_header(req, "Location", api_printf(req, "/api/v1/adverse-events/%lld", (long long)id));
    return reply_event(req, 201, id, err);
}

cc_status h_ae_get(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

cc_status h_ae_update(api_request *req, cc_error *err)
{
    int64_t id, version = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    ae_input *in = arena_alloc(req->arena, sizeof *in);
    if (!in)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    adverse_event_head h;
    if (st == CC_OK)
        st = lab_check_body(req->body, AE_FIELDS, err); /* the body first: 400 before 404 */
    if (st == CC_OK)
        st = adverse_event_head_get(req->db, id, &h, err);
    if (st == CC_OK)
        st = read_event(req, in, err);
    if (st == CC_OK && in->f.patient_id != h.patient_id)
        st = cc_fail(err, CC_INVALID, "patient_id", "immutable", "an event stays with its patient");
    const char *match = api_header(req, "If-Match");
    if (st == CC_OK) {
        if (json_has(req->body, "version"))
            version = json_integer_value(json_object_get(req->body, "version"));
        else if (match)
            version = strtoll(match + (*match == '"'), NULL, 10);
        else
            return cc_fail(err, CC_INVALID, "version", "version_required", "send If-Match or version");
    }
    /* awareness never moves after the first report: keep the stored instant */
    if (st == CC_OK && !json_has(req->body, "aware_at")) {
        snprintf(in->aware, sizeof in->aware, "%.20s", h.aware_at);
        in->f.aware_at = in->aware;
        int64_t aware = 0;
        instant_parse(h.aware_at, NULL, &aware, NULL);
        vitals_limits limits;
        adverse_rules rules;
        st = bedside_settings_load(req->db, &limits, &rules, err);
        adverse_facts facts = {in->f.seriousness, strcmp(in->f.expectedness, "unexpected") == 0,
                               in->f.related_product, in->f.related_procedure, aware};
        in->n_deadlines = adverse_deadlines(&facts, &rules, in->deadlines);
    }
    if (st != CC_OK)
        return st;
    store_actor actor = api_actor(req);
    st = adverse_event_update(req->db, &actor, id, version, &in->f, in->deadlines, in->n_deadlines,
                              json_get_string(req->body, "reason"), err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

cc_status h_ae_assess(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"meaning", JF_STRING, false, 400},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_check_body(req->body, fields, err);
    adverse_event_head h;
    if (st == CC_OK)
        st = adverse_event_head_get(req->db, id, &h, err);
    if (st == CC_OK)
        st = api_check_signature_forbidden(req, json_get_string(req->body, "password"), err);
    if (st != CC_OK)
        return st;
    const char *meaning = json_get_string(req->body, "meaning");
    store_actor actor = api_actor(req);
    st = adverse_event_assess(req->db, &actor, id,
                              meaning && *meaning ? meaning
                                                  : "I have assessed this adverse event: grade, seriousness, "
                                                    "relatedness and expectedness as recorded",
                              err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

cc_status h_ae_report(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"kind", JF_STRING, true, 16},
                                        {"reported_at", JF_STRING, false, 20},
                                        {"reference", JF_STRING, false, 200},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_check_body(req->body, fields, err);
    adverse_report_kind kind;
    if (st == CC_OK && !adverse_report_kind_parse(json_get_string(req->body, "kind"), &kind))
        st = cc_fail(err, CC_INVALID, "kind", "invalid_value", "kind: initial, expedited or followup");
    int64_t at = store_now_seconds();
    const char *text = json_get_string(req->body, "reported_at");
    if (st == CC_OK && text && (st = instant_parse(text, "reported_at", &at, err)) == CC_OK &&
        at > store_now_seconds() + 300)
        st = cc_fail(err, CC_INVALID, "reported_at", "in_future", "reported_at is in the future");
    if (st != CC_OK)
        return st;
    char when[CC_INSTANT_TEXT];
    instant_format(at, when);
    store_actor actor = api_actor(req);
    st = adverse_event_report(req->db, &actor, id, adverse_report_kind_name(kind), when,
                              json_get_string(req->body, "reference"), err);
    return st == CC_OK ? reply_event(req, 200, id, err) : st;
}

static const char *const CSV_COLUMNS[] = {
    "id",           "patient_mrn",  "family_name",       "given_names", "term_source", "term_code",
    "term_text",    "grade",        "onset_at",          "resolved_at", "aware_at",    "serious",
    "related_product", "related_procedure", "expectedness", "action",   "outcome",     "product_type",
    "batch_code",   "assessed_by",  "assessed_at",       "next_due_at",
};

cc_status h_ae_list(api_request *req, cc_error *err)
{
    adverse_event_query q = {.serious = -1};
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
    q.related = api_query(req, "related");
    if (st == CC_OK && q.related && strcmp(q.related, "related") != 0 && !adverse_relatedness_is_valid(q.related))
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
            lab_csv_field(&out, CSV_COLUMNS[c], c + 1 == n);
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) {
            for (size_t c = 0; c < n; c++) {
                json_t *v = json_object_get(row, CSV_COLUMNS[c]);
                char num[32];
                const char *text = "";
                if (json_is_string(v))
                    text = json_string_value(v);
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
            st = cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the export is too large; filter it");
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
    vitals_limits limits;
    adverse_rules rules;
    cc_status st = bedside_settings_load(req->db, &limits, &rules, err);
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    if (st == CC_OK)
        st = adverse_deadlines_open_json(req->db, &b, err);
    json_t *rows = st == CC_OK ? json_loads(b.data, 0, NULL) : NULL;
    buf_release(&b);
    if (st != CC_OK)
        return st;
    if (!rows)
        return cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the deadlines");
    int64_t now = store_now_seconds();
    size_t i, overdue = 0, soon = 0;
    json_t *d;
    json_array_foreach(rows, i, d) {
        int64_t due = 0;
        instant_parse(json_string_value(json_object_get(d, "due_at")), NULL, &due, NULL);
        adverse_deadline_status s = adverse_deadline_state(due, 0, now, &rules);
        overdue += s == AE_DL_OVERDUE;
        soon += s == AE_DL_DUE_SOON;
        json_object_set_new(d, "status", json_string(adverse_deadline_status_name(s)));
    }
    char now_text[CC_INSTANT_TEXT];
    instant_format(now, now_text);
    api_reply(req, 200, json_pack("{s:s, s:I, s:I, s:o}", "now", now_text, "overdue", (json_int_t)overdue, "due_soon",
                                  (json_int_t)soon, "deadlines", rows));
    return CC_OK;
}
