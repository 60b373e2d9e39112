/* Account lifecycle: an administrator's actions on an account, and a user's
 * own password and sessions. */
#include <stdio.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "app/users.h"
#include "store/users.h"

static const json_field NO_FIELDS[] = {{NULL, JF_STRING, false, 0}};

/* The account after an administrator's action. */
static cc_status reply_account(api_request *req, cc_status st, int64_t id, cc_error *err)
{
    user_account a;
    if (st == CC_OK)
        st = user_load(req->db, id, &a, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 200,
              json_pack("{s:I, s:s, s:s, s:b, s:b}", "id", (json_int_t)a.id, "username", a.username,
                        "role", a.role, "active", a.active, "must_change_password",
                        a.must_change_password));
    return CC_OK;
}

static cc_status set_active(api_request *req, bool active, cc_error *err)
{
    int64_t id;
    cc_status st = api_id_body(req, NO_FIELDS, &id, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_user_set_active(&c, id, active, err);
    return reply_account(req, st, id, err);
}

cc_status h_user_disable(api_request *req, cc_error *err)
{
    return set_active(req, false, err);
}

cc_status h_user_enable(api_request *req, cc_error *err)
{
    return set_active(req, true, err);
}

cc_status h_user_set_role(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"role", JF_STRING, true, 16}, {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_user_set_role(&c, id, json_get_string(req->body, "role"), err);
    return reply_account(req, st, id, err);
}

cc_status h_user_reset_password(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_user_reset_password(&c, id, json_get_string(req->body, "password"), "password",
                                     err);
    return reply_account(req, st, id, err);
}

cc_status h_user_end_sessions(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_user_end_sessions(&c, id, err);
    return reply_account(req, st, id, err);
}

/* The current password goes through the one throttled password check. */
cc_status h_password_change(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"current_password", JF_STRING, true, 256},
                                        {"new_password", JF_STRING, true, 256},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *current = json_get_string(req->body, "current_password");
    const char *password = json_get_string(req->body, "new_password");
    /* a new password the rules refuse costs no attempt of the current one */
    if ((st = app_user_new_password_acceptable(req->who.username, current, password, err)) != CC_OK)
        return st;
    user_identity again;
    st = api_password_check(req, req->who.username, current, API_PASSWORD_SIGNATURE, &again, NULL,
                            err);
    if (st == CC_OK && again.id != req->who.id)
        st = CC_UNAUTHENTICATED;
    if (st == CC_UNAUTHENTICATED)
        return cc_fail(err, CC_INVALID, "current_password", "wrong_password",
                       "the current password is wrong");
    if (st == CC_RATE_LIMITED)
        snprintf(err->field, sizeof err->field, "current_password");
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_user_change_password(&c, req->who.id, req->who.session_id, current, password, err);
    if (st != CC_OK)
        return st;
    req->who.must_change_password = false;
    api_reply(req, 200, json_pack("{s:b, s:b}", "changed", 1, "must_change_password", 0));
    return CC_OK;
}

cc_status h_own_session_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, total = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    session_info *items = NULL;
    size_t n = 0;
    if (st == CC_OK)
        st =
            session_list(req->db, req->arena, req->who.id, page, per_page, &items, &n, &total, err);
    if (st != CC_OK)
        return st;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        char created[CC_INSTANT_TEXT], seen[CC_INSTANT_TEXT];
        instant_format(items[i].created_at, created);
        instant_format(items[i].last_seen, seen);
        json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)items[i].id,
                                              "created_at", created, "last_seen", seen, "current",
                                              items[i].id == req->who.session_id));
    }
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", rows, "page", (json_int_t)page, "per_page",
                        (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

cc_status h_own_session_end(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = session_end(req->db, &req->who, id, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "ended", 1));
    return CC_OK;
}
