/* The audit trail, the security events and the access log, read-only, for admin and qa. */
#include <string.h>

#include "api/handler_steps.h"
#include "api/handlers.h"
#include "store/access_log.h"
#include "store/audit.h"
#include "store/security.h"

static json_t *json_or_null(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

cc_status h_audit_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, total = 0, entity_id = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st != CC_OK)
        return st;
    const char *entity = api_query(req, "entity"), *id = api_query(req, "id");
    if (entity &&
        (strlen(entity) > 40 || strspn(entity, "abcdefghijklmnopqrstuvwxyz_") != strlen(entity)))
        return cc_fail(err, CC_INVALID, "entity", "invalid_value",
                       "entity must be a lower-case name such as patient");
    if (id) {
        req->params[0] = id;
        if (api_param_id(req, 0, &entity_id, err) != CC_OK)
            return cc_fail(err, CC_INVALID, "id", "invalid_value",
                           "id must be a positive whole number");
    }
    audit_record *items;
    size_t n;
    if ((st = audit_list(req->db, req->arena, req->who.site_id, entity, entity_id, page, per_page,
                         &items, &n, &total, err)) != CC_OK)
        return st;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const audit_record *a = &items[i];
        json_array_append_new(
            list,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s}", "seq",
                      (json_int_t)a->seq, "at", a->at, "user", a->username, "action", a->action,
                      "entity", a->entity, "entity_id", a->entity_id, "before",
                      json_or_null(a->before), "after", json_or_null(a->after), "reason",
                      a->reason ? a->reason : "", "hash", a->hash, "prev_hash", a->prev_hash));
    }
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", list, "page", (json_int_t)page, "per_page",
                        (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

static const char *const EVENT_KINDS[] = {
    "login_failed",    "signature_failed", "account_locked", "csrf_refused",
    "session_expired", "token_revoked",    "token_expired",  NULL};

cc_status h_security_event_list(api_request *req, cc_error *err)
{
    const char *username = api_query(req, "username"), *kind = api_query(req, "kind");
    if (username && user_check_username(username, err) != CC_OK)
        return cc_fail(err, CC_INVALID, "username", "invalid_value",
                       "username is 1 to %d of a-z, 0-9, '.', '_' and '-'", USER_NAME_MAX);
    const char *const *k = EVENT_KINDS;
    while (kind && *k && strcmp(*k, kind) != 0)
        k++;
    if (kind && !*k)
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind is login_failed, signature_failed, account_locked, csrf_refused, "
                       "session_expired, token_revoked or token_expired");
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    if (st == CC_OK)
        st = security_event_list_json(req->db, username, kind, p.page, p.per_page, p.rows, &p.total,
                                      err);
    return api_page_reply(req, st, &p, err);
}

cc_status h_access_log_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, total = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st != CC_OK)
        return st;
    const char *mrn = api_query(req, "patient"), *username = api_query(req, "username");
    if (!mrn == !username)
        return cc_fail(err, CC_INVALID, mrn ? "username" : "patient", "invalid_value",
                       "give either patient (an MRN) or username, not both");
    const char *given = mrn ? mrn : username;
    if (!*given || strlen(given) > 64)
        return cc_fail(err, CC_INVALID, mrn ? "patient" : "username", "invalid_value",
                       "%s must be 1 to 64 characters", mrn ? "patient" : "username");
    db *access = NULL;
    if ((st = access_log_open(req->data_dir, &access, err)) != CC_OK)
        return st;
    buf rows;
    buf_init(&rows, (size_t)1 << 24);
    if ((st = access_log_page_json(req->db, access, req->who.site_id, mrn, username, page, per_page,
                                   &rows, &total, err)) == CC_OK)
        api_reply_list(req, rows.data, page, per_page, total);
    buf_release(&rows);
    db_close(access);
    return st;
}
