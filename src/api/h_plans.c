/* Treatment plans: draft from patient + protocol + start, view, approve with
 * the physician's signature (checked here; app/plans re-checks H4, H5, H6
 * inside its transaction), cancel with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "app/plans.h"
#include "app/programmes.h"
#include "app/protocol_json.h"
#include "core/text.h"
#include "store/bedside.h"
#include "store/patients.h"
#include "store/plans.h"

/* Changes an error's status (and code) in place, keeping field and message. */
static cc_status recode(cc_error *err, cc_status status, const char *code)
{
    err->status = status;
    if (code)
        snprintf(err->code, sizeof err->code, "%s", code);
    return status;
}

static json_t *parsed(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *plan_row_json(const plan_row *r)
{
    return json_pack(
        "{s:I, s:I, s:s, s:i, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s,"
        " s:s, s:s, s:I}",
        "id", (json_int_t)r->id, "patient_id", (json_int_t)r->patient_id, "protocol",
        r->protocol_id, "protocol_version", r->protocol_version, "status", r->status, "start",
        r->start_date, "end", r->end_date, "request", parsed(r->request), "plan", parsed(r->body),
        "screening_id", r->screening_id ? json_integer(r->screening_id) : json_null(),
        "approved_by", r->approved_by ? json_string(r->approved_by) : json_null(), "approved_at",
        r->approved_at ? json_string(r->approved_at) : json_null(), "meaning", r->meaning,
        "cancel_reason", r->cancel_reason, "created_at", r->created_at, "created_by", r->created_by,
        "updated_at", r->updated_at, "version", (json_int_t)r->version);
}

/* Each planned administration given at the bedside gets "given_on" (the
 * day it was given) and "late_days" (after its first planned date). */
static cc_status add_given(api_request *req, int64_t plan_id, json_t *o, cc_error *err)
{
    int items[PROTOCOL_MAX_ADMINISTRATIONS * 2];
    cc_date days[PROTOCOL_MAX_ADMINISTRATIONS * 2];
    size_t n = 0;
    cc_status st =
        bedside_plan_given(req->db, plan_id, items, days, sizeof items / sizeof items[0], &n, err);
    json_t *admins = json_object_get(json_object_get(o, "plan"), "administrations");
    size_t i;
    json_t *a;
    json_array_foreach(admins, i, a)
    {
        for (size_t k = 0; k < n; k++) {
            if (items[k] != (int)json_integer_value(json_object_get(a, "n")))
                continue;
            const char *first = json_string_value(json_object_get(a, "original_date"));
            cc_date planned;
            cc_error ignored;
            char given[CC_DATE_TEXT];
            date_format(days[k], given);
            json_object_set_new(a, "given_on", json_string(given));
            if (date_parse(first ? first : json_string_value(json_object_get(a, "date")), "date",
                           &planned, &ignored) == CC_OK)
                json_object_set_new(a, "late_days", json_integer(days[k] - planned));
        }
    }
    return st;
}

static cc_status reply_plan(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    plan_row row;
    cc_status st = plan_store_get(req->db, req->arena, id, &row, err);
    if (st != CC_OK)
        return st;
    json_t *o = plan_row_json(&row);
    if ((st = add_given(req, id, o, err)) != CC_OK) {
        json_decref(o);
        return st;
    }
    api_etag(req, row.version);
    api_reply(req, status, o);
    return CC_OK;
}

/* Comma-separated names, e.g. "intravenous,intrathecal". */
static cc_status parse_routes(const char *text, programme_input *in, cc_error *err)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[24];
        if (n == 0 || n >= sizeof name || in->n_cycle >= PROTOCOL_MAX_CYCLE)
            return cc_fail(err, CC_INVALID, "routes", "invalid_value",
                           "routes is a comma-separated list of 1 to 8 routes");
        memcpy(name, p, n);
        name[n] = '\0';
        if (!protocol_route_parse(name, &in->cycle[in->n_cycle]))
            return cc_fail(err, CC_INVALID, "routes", "invalid_value", "unknown route '%s'", name);
        in->n_cycle++;
        p += n + (p[n] == ',');
    }
    if (in->n_cycle == 0)
        return cc_fail(err, CC_INVALID, "routes", "invalid_value", "routes is empty");
    return CC_OK;
}

static cc_status parse_optional(const char *text, const protocol *p, unsigned *mask, cc_error *err)
{
    const char *s = text;
    while (*s) {
        size_t n = strcspn(s, ",");
        size_t i = 0;
        while (i < p->n_ancillary &&
               !(strlen(p->ancillary[i].id) == n && strncmp(p->ancillary[i].id, s, n) == 0))
            i++;
        if (i == p->n_ancillary || !p->ancillary[i].optional)
            return cc_fail(err, CC_INVALID, "ancillary", "invalid_value",
                           "ancillary names an optional programme of %s", p->id);
        *mask |= 1u << i;
        s += n + (s[n] == ',');
    }
    return CC_OK;
}

cc_status h_plan_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"patient_id", JF_INTEGER, true, 0}, {"protocol", JF_STRING, true, 31},
        {"version", JF_INTEGER, false, 0},   {"start", JF_STRING, true, 10},
        {"count", JF_INTEGER, false, 0},     {"product", JF_STRING, false, 16},
        {"routes", JF_STRING, false, 200},   {"ancillary", JF_STRING, false, 200},
        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    cc_date today = api_today();
    json_int_t version = json_integer_value(json_object_get(req->body, "version"));
    if (json_has(req->body, "version") && (version < 1 || version > 100000))
        return cc_fail(err, CC_INVALID, "version", "invalid_value", "version must be 1..100000");
    protocol *p = arena_alloc(req->arena, sizeof *p);
    if (!p)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if ((st = programme_load(req->db, req->arena, json_get_string(req->body, "protocol"),
                             (int)version, p, err)) != CC_OK)
        return st == CC_NOT_FOUND ? recode(err, CC_INVALID, "unknown_protocol") : st;
    int64_t patient_id = json_integer_value(json_object_get(req->body, "patient_id"));
    patient_record pt;
    if ((st = patient_get(req->db, req->arena, patient_id, true, &pt, err)) != CC_OK)
        return st == CC_NOT_FOUND ? cc_fail(err, CC_INVALID, "patient_id", "unknown_patient",
                                            "no patient with id %lld", (long long)patient_id)
                                  : st;
    programme_input in = {
        .protocol = p, .product = json_get_string(req->body, "product"), .as_of = today};
    if ((st = date_parse(json_get_string(req->body, "start"), "start", &in.earliest, err)) != CC_OK)
        return st;
    if (in.earliest < today || in.earliest > today + 2 * 365)
        return cc_fail(err, CC_INVALID, "start", "out_of_range",
                       "start must be between today and two years from now");
    json_t *count = json_object_get(req->body, "count");
    if (count) {
        json_int_t c = json_integer_value(count);
        if (c < p->admin_min || c > p->admin_max)
            return cc_fail(err, CC_INVALID, "count", "out_of_range",
                           "%s allows %d to %d administrations", p->id, p->admin_min, p->admin_max);
        in.count = (int)c;
    }
    const char *routes = json_get_string(req->body, "routes");
    const char *optional = json_get_string(req->body, "ancillary");
    if ((routes && (st = parse_routes(routes, &in, err)) != CC_OK) ||
        (optional && (st = parse_optional(optional, p, &in.optional_ancillary, err)) != CC_OK) ||
        (st = app_newest_weight(&pt, &in.weight_g, &in.weight_date, err)) != CC_OK)
        return st;
    in.age_years = programme_age_years(pt.birth_date, in.earliest);
    planner_calendar cal;
    plan pl;
    dose_result dose;
    quote q;
    if ((st = programme_calendar(req->db, req->arena, req->who.site_id, in.earliest, &cal, err)) !=
            CC_OK ||
        (st = programme_plan(&in, &cal, &pl, &dose, &q, err)) != CC_OK)
        return st;
    char weight_date[CC_DATE_TEXT], earliest[CC_DATE_TEXT];
    date_format(in.weight_date, weight_date);
    date_format(in.earliest, earliest);
    json_t *request = json_pack("{s:i, s:s, s:I, s:s, s:i, s:s, s:i, s:i}", "count", pl.n_admins,
                                "product", protocol_product_name(pl.admins[0].product), "per_admin",
                                (json_int_t)dose.per_admin, "earliest", earliest, "weight_g",
                                in.weight_g, "weight_date", weight_date, "age_years", in.age_years,
                                "optional_ancillary", (int)in.optional_ancillary);
    json_t *cycle = json_array();
    for (size_t i = 0; i < in.n_cycle; i++)
        json_array_append_new(cycle, json_string(protocol_route_name(in.cycle[i])));
    json_object_set_new(request, "routes", cycle);
    char *request_text = json_dumps(request, JSON_COMPACT);
    json_decref(request);
    const char **conditions = arena_alloc(req->arena, (pt.n_conditions + 1) * sizeof *conditions);
    if (!conditions)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    for (size_t i = 0; i < pt.n_conditions; i++)
        conditions[i] = pt.conditions[i].icd10;
    json_t *body = plan_to_json(p, &pl, &dose, &q, conditions, pt.n_conditions, pt.birth_date);
    char *body_text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    if (request_text)
        arena_on_release(req->arena, free, request_text);
    if (body_text)
        arena_on_release(req->arena, free, body_text);
    if (!request_text || !body_text)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    char start[CC_DATE_TEXT], end[CC_DATE_TEXT];
    date_format(pl.start, start);
    date_format(pl.end, end);
    plan_new n = {patient_id, p->id, p->version, start, end, request_text, body_text};
    app_ctx c = api_app_ctx(req);
    int64_t id = 0;
    st = app_plan_create(&c, &n, in.weight_g, &id, err);
    return api_reply_created(req, st, "/api/v1/plans", id, reply_plan, err);
}

cc_status h_plan_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_plan, err);
}

cc_status h_plan_list(api_request *req, cc_error *err)
{
    const char *patient = api_query(req, "patient_id"), *status = api_query(req, "status");
    int64_t patient_id = 0;
    if (patient) {
        char *end;
        patient_id = strtoll(patient, &end, 10);
        if (end == patient || *end || patient_id < 1)
            return cc_fail(err, CC_INVALID, "patient_id", "invalid_value",
                           "patient_id must be an id");
    }
    plan_state wanted;
    if (status && !plan_state_parse(status, &wanted))
        return cc_fail(err, CC_INVALID, "status", "invalid_value",
                       "status must be draft, approved, in_progress, completed or cancelled");
    plan_row *rows;
    size_t n;
    int64_t page, per_page, total = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st == CC_OK)
        st = plan_store_page(req->db, req->arena, req->who.site_id, patient_id, status, page,
                             per_page, &rows, &n, &total, err);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    for (size_t i = 0; i < n && st == CC_OK; i++) {
        json_t *o = plan_row_json(&rows[i]);
        st = add_given(req, rows[i].id, o, err);
        json_array_append_new(items, o);
    }
    if (st != CC_OK) {
        json_decref(items);
        return st;
    }
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", items, "page", (json_int_t)page,
                        "per_page", (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

cc_status h_plan_approve(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"meaning", JF_STRING, false, 800},
                                        {"dose_reason", JF_STRING, false, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    const char *meaning = json_get_string(req->body, "meaning");
    const char *dose_reason = json_get_string(req->body, "dose_reason");
    if ((meaning && (st = text_check_line(meaning, "meaning", 200, true, err)) != CC_OK) ||
        (dose_reason &&
         (st = text_check_line(dose_reason, "dose_reason", 1000, true, err)) != CC_OK))
        return st;
    if ((st = api_check_signature(req, json_get_string(req->body, "password"), err)) != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    int visits = 0;
    if ((st = app_plan_approve(&c, id, meaning, dose_reason, api_today(), &visits, err)) != CC_OK)
        return st;
    if ((st = reply_plan(req, 200, id, err)) == CC_OK)
        json_object_set_new(req->reply, "follow_up_visits", json_integer(visits));
    return st;
}

cc_status h_plan_cancel(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"reason", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    const char *reason = json_get_string(req->body, "reason");
    if (st == CC_OK)
        st = text_check_line(reason, "reason", 1000, true, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    if ((st = app_plan_cancel(&c, id, reason, err)) != CC_OK)
        return st;
    return reply_plan(req, 200, id, err);
}

/* The reason of a move: one line, required. */
static cc_status move_reason(api_request *req, const char **reason, cc_error *err)
{
    *reason = json_get_string(req->body, "reason");
    return text_check_line(*reason, "reason", 1000, true, err);
}

static cc_status reply_moved(api_request *req, int64_t id, int redated, cc_error *err)
{
    cc_status st = reply_plan(req, 200, id, err);
    if (st == CC_OK)
        json_object_set_new(req->reply, "follow_up_redated", json_integer(redated));
    return st;
}

cc_status h_plan_move_item(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"date", JF_STRING, true, 10},
                                        {"reason", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, item;
    app_plan_move m = {.today = api_today()};
    cc_status st = api_id_body(req, fields, &id, err);
    if (st == CC_OK)
        st = api_param_id(req, 1, &item, err);
    if (st == CC_OK)
        st = date_parse(json_get_string(req->body, "date"), "date", &m.date, err);
    if (st == CC_OK)
        st = move_reason(req, &m.reason, err);
    if (st != CC_OK)
        return st;
    if (item > PROTOCOL_MAX_ADMINISTRATIONS)
        return cc_fail(err, CC_NOT_FOUND, "item", "not_found",
                       "plan %lld has no administration %lld", (long long)id, (long long)item);
    m.id = id;
    m.item = (int)item;
    app_ctx c = api_app_ctx(req);
    int redated = 0;
    st = app_plan_move_item(&c, &m, &redated, err);
    return st == CC_OK ? reply_moved(req, id, redated, err) : st;
}

cc_status h_plan_shift(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"days", JF_INTEGER, true, 0},
                                        {"from_item", JF_INTEGER, false, 0},
                                        {"reason", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    app_plan_move m = {.today = api_today()};
    cc_status st = api_id_body(req, fields, &id, err);
    if (st == CC_OK)
        st = move_reason(req, &m.reason, err);
    if (st != CC_OK)
        return st;
    json_int_t days = json_integer_value(json_object_get(req->body, "days"));
    json_int_t from = json_integer_value(json_object_get(req->body, "from_item"));
    if (days < 1 || days > PLANNER_MAX_SHIFT_DAYS)
        return cc_fail(err, CC_INVALID, "days", "out_of_range", "days must be 1..%d",
                       PLANNER_MAX_SHIFT_DAYS);
    if (json_has(req->body, "from_item") && (from < 1 || from > PROTOCOL_MAX_ADMINISTRATIONS))
        return cc_fail(err, CC_INVALID, "from_item", "out_of_range", "from_item must be 1..%d",
                       PROTOCOL_MAX_ADMINISTRATIONS);
    m.id = id;
    m.days = (int)days;
    m.item = (int)from;
    app_ctx c = api_app_ctx(req);
    int redated = 0;
    st = app_plan_shift(&c, &m, &redated, err);
    return st == CC_OK ? reply_moved(req, id, redated, err) : st;
}

cc_status h_capacity_get(api_request *req, cc_error *err)
{
    planner_calendar cal = {0};
    cc_status st = capacity_store_load(req->db, req->who.site_id, &cal, err);
    if (st != CC_OK)
        return st;
    json_t *o = json_object();
    for (int r = 0; r < RT_COUNT; r++)
        json_object_set_new(o, protocol_route_name((admin_route)r), json_integer(cal.capacity[r]));
    api_reply(req, 200, json_pack("{s:o}", "slots_per_day", o));
    return CC_OK;
}

cc_status h_capacity_update(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"intravenous", JF_INTEGER, false, 0},
                                        {"intrathecal", JF_INTEGER, false, 0},
                                        {"local", JF_INTEGER, false, 0},
                                        {"inhalation", JF_INTEGER, false, 0},
                                        {"topical", JF_INTEGER, false, 0},
                                        {"graft", JF_INTEGER, false, 0},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    for (const json_field *f = fields; f->name; f++) {
        json_t *v = json_object_get(req->body, f->name);
        if (v && (json_integer_value(v) < 0 || json_integer_value(v) > PLANNER_MAX_SLOTS))
            return cc_fail(err, CC_INVALID, f->name, "out_of_range", "%s must be 0..%d slots a day",
                           f->name, PLANNER_MAX_SLOTS);
    }
    if (json_object_size(req->body) == 0)
        return cc_fail(err, CC_INVALID, "", "required", "give at least one route's slots per day");
    store_actor actor = api_actor(req);
    for (const json_field *f = fields; f->name; f++) {
        json_t *v = json_object_get(req->body, f->name);
        admin_route r;
        if (v && protocol_route_parse(f->name, &r) &&
            (st = capacity_store_set(req->db, &actor, req->who.site_id, r,
                                     (int)json_integer_value(v), err)) != CC_OK)
            return st;
    }
    return h_capacity_get(req, err);
}
