/* Consultation requests: the public form and the coordinators' inbox. */
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "app/requests.h"
#include "store/consults.h"

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *empty_as_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *consult_json(const consult_record *c)
{
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:I}",
                  "id", (json_int_t)c->id, "name", c->name, "email", c->email, "phone", c->phone,
                  "birth_date", text_or_null(c->birth_date), "condition", c->condition, "message",
                  c->message, "language", c->language, "status", c->status, "patient_id",
                  c->patient_id ? json_integer(c->patient_id) : json_null(), "decline_reason",
                  text_or_null(c->decline_reason), "synthetic", c->synthetic, "created_at",
                  c->created_at, "updated_at", c->updated_at, "version", (json_int_t)c->version);
    json_object_set_new(o, "country", empty_as_null(c->country));
    json_object_set_new(o, "diagnosis", empty_as_null(c->diagnosis));
    json_object_set_new(o, "injury_level", empty_as_null(c->injury_level));
    json_object_set_new(o, "injury_date", empty_as_null(c->injury_date));
    json_object_set_new(o, "consent", json_boolean(c->consent));
    return o;
}

cc_status h_consult_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"name", JF_STRING, true, 800},        {"email", JF_STRING, false, 1016},
        {"phone", JF_STRING, false, 160},      {"birth_date", JF_STRING, false, 10},
        {"condition", JF_STRING, false, 800},  {"message", JF_STRING, false, 16000},
        {"language", JF_STRING, true, 2},      {"country", JF_STRING, false, 2},
        {"diagnosis", JF_STRING, false, 40},   {"injury_level", JF_STRING, false, 3},
        {"injury_date", JF_STRING, false, 10}, {"consent", JF_BOOLEAN, false, 0},
        {NULL, JF_STRING, false, 0},
    };
    int64_t now = store_now_seconds();
    int wait = ratelimit_blocked(req->limits->public_form, req->db, req->remote_addr, now);
    if (wait > 0) {
        api_add_header(req, "Retry-After", api_printf(req, "%d", wait));
        return cc_fail(err, CC_RATE_LIMITED, "", "too_many_requests",
                       "too many requests from your address; try again in %d seconds", wait);
    }
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    consult_fields f = {
        json_get_string(req->body, "name"),        json_get_string(req->body, "email"),
        json_get_string(req->body, "phone"),       json_get_string(req->body, "birth_date"),
        json_get_string(req->body, "condition"),   json_get_string(req->body, "message"),
        json_get_string(req->body, "language"),    json_get_string(req->body, "country"),
        json_get_string(req->body, "diagnosis"),   json_get_string(req->body, "injury_level"),
        json_get_string(req->body, "injury_date"), json_get_bool(req->body, "consent")};
    app_ctx c = api_app_ctx(req);
    c.actor = (store_actor){0, "public"};
    int64_t id;
    if ((st = app_request_create(&c, &f, &id, err)) != CC_OK)
        return st;
    ratelimit_hit(req->limits->public_form, req->db, req->remote_addr, now);
    api_reply(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "new"));
    return CC_OK;
}

cc_status h_consult_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, total = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st != CC_OK)
        return st;
    const char *status = api_query(req, "status");
    if (status && strcmp(status, "new") != 0 && strcmp(status, "converted") != 0 &&
        strcmp(status, "declined") != 0)
        return cc_fail(err, CC_INVALID, "status", "invalid_value",
                       "status must be new, converted or declined");
    consult_record *items;
    size_t n;
    if ((st = consult_list(req->db, req->arena, status, page, per_page, &items, &n, &total, err)) !=
        CC_OK)
        return st;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, consult_json(&items[i]));
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", list, "page", (json_int_t)page, "per_page",
                        (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

cc_status h_consult_get(api_request *req, cc_error *err)
{
    int64_t id;
    consult_record c;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = consult_get(req->db, req->arena, id, &c, err);
    if (st == CC_OK)
        api_reply(req, 200, consult_json(&c));
    return st;
}

cc_status h_consult_convert(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"family_name", JF_STRING, false, 400},
        {"given_names", JF_STRING, false, 400},
        {"birth_date", JF_STRING, false, 10},
        {"sex", JF_STRING, false, 10},
        {"language", JF_STRING, false, 2},
        {"confirm_duplicate", JF_BOOLEAN, false, 0},
        {NULL, JF_STRING, false, 0},
    };
    int64_t id, patient_id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_request_conversion in = {
        json_get_string(req->body, "family_name"), json_get_string(req->body, "given_names"),
        json_get_string(req->body, "birth_date"),  json_get_string(req->body, "sex"),
        json_get_string(req->body, "language"),    json_get_bool(req->body, "confirm_duplicate"),
    };
    app_ctx c = api_app_ctx(req);
    patient_matches dup;
    st = app_request_convert(&c, id, &in, &patient_id, &dup, err);
    if (st == CC_CONFLICT && strcmp(err->code, "possible_duplicate") == 0) {
        json_t *ids = json_array();
        for (size_t i = 0; i < dup.n; i++)
            json_array_append_new(ids, json_integer(dup.ids[i]));
        api_reply(req, 422, json_pack("{s:o}", "match_ids", ids));
    }
    if (st != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "patient_id",
                        (json_int_t)patient_id, "status", "converted"));
    return CC_OK;
}

cc_status h_consult_decline(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"reason", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_request_decline(&c, id, json_get_string(req->body, "reason"), err);
    if (st == CC_OK)
        api_reply(req, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "declined"));
    return st;
}
