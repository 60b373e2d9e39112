/* Units: inventory, expiry list, freezer map, one unit with its custody
 * history, and every state change (each its own route, so the route table
 * says who may do it). Reads show the stored state; the use cases that
 * move a unit record due expiries first (H3, app/laboratory.h). */
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "core/isbt128.h"
#include "core/lab_rules.h"
#include "app/laboratory.h"
#include "store/lab.h"

static cc_status reply_unit(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_site_view(req, status, lab_unit_json, id, "unit", err);
}

/* ?name=true|false (absent: false); anything else is refused naming it. */
static cc_status query_flag(api_request *req, const char *name, bool *out, cc_error *err)
{
    const char *v = api_query(req, name);
    *out = v && strcmp(v, "true") == 0;
    if (v && !*out && strcmp(v, "false") != 0)
        return cc_fail(err, CC_INVALID, name, "invalid_value", "%s is true or false", name);
    return CC_OK;
}

cc_status h_unit_list(api_request *req, cc_error *err)
{
    lab_unit_query q = {.state = api_query(req, "state"),
                        .din = api_query(req, "din"),
                        .q = api_query(req, "q"),
                        .expiring_days = -1};
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    q.page = p.page;
    q.per_page = p.per_page;
    unit_state ignored;
    if (st == CC_OK && q.state && !unit_state_parse(q.state, &ignored))
        st = cc_fail(err, CC_INVALID, "state", "invalid_value", "unknown unit state");
    if (st == CC_OK)
        st = lab_query_id(req, "batch_id", &q.batch_id, err);
    if (st == CC_OK && q.q && strlen(q.q) > 40)
        st = cc_fail(err, CC_INVALID, "q", "too_long", "q is longer than 40 bytes");
    char scanned[ISBT128_DATA_TEXT];
    isbt128_din read;
    /* a scanned DIN (with its flags and check character) searches its data */
    if (st == CC_OK && q.q && isbt128_parse(q.q, "q", &read, NULL) == CC_OK) {
        isbt128_format_data(&read, scanned);
        q.q = scanned;
    }
    isbt128_din din;
    char data[ISBT128_DATA_TEXT];
    if (st == CC_OK && q.din) {
        /* any text form: keyed, scanned, printed */
        if ((st = isbt128_parse(q.din, "din", &din, err)) == CC_OK) {
            isbt128_format_data(&din, data);
            q.din = data;
        }
    }
    const char *within = api_query(req, "expiring_within");
    char today[CC_DATE_TEXT], until[CC_DATE_TEXT];
    if (st == CC_OK && within) {
        int64_t days;
        if (lab_query_id(req, "expiring_within", &days, err) != CC_OK || days > 3650)
            return cc_fail(err, CC_INVALID, "expiring_within", "invalid_value",
                           "expiring_within is a number of days, 1 to 3650");
        q.expiring_days = (int)days;
        date_format(api_today(), today);
        date_format(api_today() + (cc_date)days, until);
        q.today = today;
        q.until = until;
    }
    if (st == CC_OK)
        st = query_flag(req, "with_expired", &q.with_expired, err);
    if (st == CC_OK)
        st = query_flag(req, "arriving", &q.arriving, err);
    q.site_id = req->who.site_id;
    if (st == CC_OK)
        st = lab_unit_list_json(req->db, &q, p.rows, &p.total, err);
    return api_page_reply(req, st, &p, err);
}

cc_status h_unit_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_unit, err);
}

cc_status h_storage_map(api_request *req, cc_error *err)
{
    const char *freezer = api_query(req, "freezer");
    if (freezer && strlen(freezer) > 40)
        return cc_fail(err, CC_INVALID, "freezer", "too_long", "freezer is longer than 40 bytes");
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    cc_status st = lab_storage_json(req->db, req->who.site_id, freezer, &b, err);
    if (st == CC_OK) {
        json_t *positions = json_loads(b.data, 0, NULL);
        st = positions ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the map");
        if (positions)
            api_reply(req, 200, json_pack("{s:o}", "positions", positions));
    }
    buf_release(&b);
    return st;
}

/* One state change: check the body, then the use case decides. */
static cc_status act(api_request *req, const json_field *fields, lab_unit_request *a, cc_error *err)
{
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    a->reason = json_get_string(req->body, "reason");
    if (st == CC_OK)
        st = lab_body_patient(req, a->event == UNIT_EV_RESERVE, &a->patient_id, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_unit_act(&ctx, id, a, api_today(), err);
    return st == CC_OK ? reply_unit(req, 200, id, err) : st;
}

static const json_field REASON_ONLY[] = {{"reason", JF_STRING, false, 2000},
                                         {NULL, JF_STRING, false, 0}};
static const json_field REASON_REQUIRED[] = {{"reason", JF_STRING, true, 2000},
                                             {NULL, JF_STRING, false, 0}};

cc_status h_unit_reserve(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"patient_id", JF_INTEGER, false, 0},
                                        {"patient_mrn", JF_STRING, false, 12},
                                        {"product_type", JF_STRING, true, 16},
                                        {"dose_cells", JF_INTEGER, false, 0},
                                        {"plan_id", JF_INTEGER, false, 0},
                                        {"plan_item", JF_INTEGER, false, 0},
                                        {NULL, JF_STRING, false, 0}};
    lab_unit_request a = {.event = UNIT_EV_RESERVE};
    a.product_type = json_get_string(req->body, "product_type");
    /* the planned administration: both or neither */
    json_int_t plan = json_integer_value(json_object_get(req->body, "plan_id"));
    json_int_t item = json_integer_value(json_object_get(req->body, "plan_item"));
    bool has_plan = json_has(req->body, "plan_id"), has_item = json_has(req->body, "plan_item");
    if (has_plan != has_item)
        return cc_fail(err, CC_INVALID, has_plan ? "plan_item" : "plan_id", "required",
                       "plan_id and plan_item name the planned administration together");
    if (has_plan && (plan < 1 || !json_is_integer(json_object_get(req->body, "plan_id"))))
        return cc_fail(err, CC_INVALID, "plan_id", "invalid_value",
                       "plan_id must be a positive id");
    if (has_item &&
        (item < 1 || item > 1000 || !json_is_integer(json_object_get(req->body, "plan_item"))))
        return cc_fail(err, CC_INVALID, "plan_item", "invalid_value",
                       "plan_item must be 1 to 1000");
    a.plan_id = has_plan ? (int64_t)plan : 0;
    a.plan_item = has_item ? (int)item : 0;
    json_int_t dose = json_integer_value(json_object_get(req->body, "dose_cells"));
    if (json_has(req->body, "dose_cells") && (dose < 1 || dose > 10000000000000LL))
        return cc_fail(err, CC_INVALID, "dose_cells", "out_of_range",
                       "dose_cells must be 1 to 1e13");
    a.dose_cells = (uint64_t)(dose > 0 ? dose : 0);
    return act(req, fields, &a, err);
}

cc_status h_unit_unreserve(api_request *req, cc_error *err)
{
    lab_unit_request a = {.event = UNIT_EV_UNRESERVE};
    return act(req, REASON_ONLY, &a, err);
}

cc_status h_unit_issue(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"ward", JF_STRING, true, 100},
                                        {"patient_id", JF_INTEGER, false, 0},
                                        {"patient_mrn", JF_STRING, false, 12},
                                        {NULL, JF_STRING, false, 0}};
    lab_unit_request a = {.event = UNIT_EV_ISSUE};
    a.ward = json_get_string(req->body, "ward");
    if (lab_check_body(req->body, fields, err) == CC_OK &&
        lab_require_text(a.ward, "ward", err) != CC_OK)
        return CC_INVALID;
    return act(req, fields, &a, err);
}

cc_status h_unit_return(api_request *req, cc_error *err)
{
    lab_unit_request a = {.event = UNIT_EV_RETURN};
    return act(req, REASON_REQUIRED, &a, err);
}

cc_status h_unit_hold(api_request *req, cc_error *err)
{
    lab_unit_request a = {.event = UNIT_EV_HOLD};
    return act(req, REASON_REQUIRED, &a, err);
}

cc_status h_unit_discard(api_request *req, cc_error *err)
{
    lab_unit_request a = {.event = UNIT_EV_DISCARD};
    return act(req, REASON_REQUIRED, &a, err);
}

/* A state change under electronic signature: the body, then the
 * signature, then act. */
static cc_status signed_act(api_request *req, const json_field *fields, unit_event event,
                            cc_error *err)
{
    cc_status st = api_signed(req, lab_check_body(req->body, fields, err), err);
    lab_unit_request a = {.event = event};
    return st == CC_OK ? act(req, fields, &a, err) : st;
}

cc_status h_unit_release(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"reason", JF_STRING, false, 2000},
                                        {NULL, JF_STRING, false, 0}};
    return signed_act(req, fields, UNIT_EV_RELEASE, err);
}

cc_status h_unit_restock(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"reason", JF_STRING, true, 2000},
                                        {NULL, JF_STRING, false, 0}};
    return signed_act(req, fields, UNIT_EV_RESTOCK, err);
}

cc_status h_unit_move(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"freezer", JF_STRING, true, 40}, {"rack", JF_STRING, true, 40},
        {"box", JF_STRING, true, 40},     {"position", JF_STRING, true, 40},
        {"note", JF_STRING, false, 1000}, {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    const char *names[] = {"freezer", "rack", "box", "position"};
    for (int i = 0; st == CC_OK && i < 4; i++)
        st = lab_require_text(json_get_string(req->body, names[i]), names[i], err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_unit_move(&ctx, id, json_get_string(req->body, "freezer"),
                           json_get_string(req->body, "rack"), json_get_string(req->body, "box"),
                           json_get_string(req->body, "position"),
                           json_get_string(req->body, "note"), api_today(), err);
    return st == CC_OK ? reply_unit(req, 200, id, err) : st;
}

cc_status h_unit_custody(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"event", JF_STRING, true, 16},
                                        {"note", JF_STRING, true, 1000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK)
        st = lab_require_text(json_get_string(req->body, "note"), "note", err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_unit_note_event(&ctx, id, json_get_string(req->body, "event"),
                                 json_get_string(req->body, "note"), err);
    return st == CC_OK ? reply_unit(req, 201, id, err) : st;
}
