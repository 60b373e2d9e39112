/* The answers and accessors of request.h: what every handler calls. They
 * read the request and its connection only, never the server or the route
 * table, so handlers do not depend on the server that calls them. */
#include "api/request.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/clock.h"

void api_reply(api_request *req, unsigned status, json_t *value)
{
    if (req->reply)
        json_decref(req->reply);
    req->status = status;
    req->reply = value;
}

void api_reply_raw(api_request *req, unsigned status, const char *content_type, const void *data,
                   size_t len)
{
    api_reply(req, status, NULL);
    req->raw_type = content_type;
    req->raw = data;
    req->raw_len = len;
}

void api_reply_json_text(api_request *req, unsigned status, const char *text, size_t len)
{
    char *copy = arena_strndup(req->arena, text, len);
    if (!copy) {
        api_reply(req, 500,
                  json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "internal", "message",
                            "request memory exhausted", "field", ""));
        return;
    }
    api_reply_raw(req, status, "application/json; charset=utf-8", copy, len);
}

void api_reply_list(api_request *req, const char *rows_json, int64_t page, int64_t per_page,
                    int64_t total)
{
    buf page_text;
    buf_init(&page_text, (size_t)1 << 26);
    buf_puts(&page_text, "{\"items\":");
    buf_puts(&page_text, rows_json);
    buf_printf(&page_text, ",\"page\":%lld,\"per_page\":%lld,\"total\":%lld}", (long long)page,
               (long long)per_page, (long long)total);
    api_reply_json_text(req, 200, page_text.data, page_text.len);
    buf_release(&page_text);
}

void api_add_header(api_request *req, const char *name, const char *value)
{
    if (req->n_headers < API_MAX_HEADERS) {
        req->header_names[req->n_headers] = name;
        req->header_values[req->n_headers] = value;
        req->n_headers++;
    }
}

const char *api_query(api_request *req, const char *name)
{
    for (int i = 0; i < req->n_query; i++)
        if (strcmp(req->query_names[i], name) == 0)
            return req->query_values[i];
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

bool api_query_replace(api_request *req, const char *name, const char *value)
{
    for (int i = 0; i < req->n_query; i++)
        if (strcmp(req->query_names[i], name) == 0) {
            req->query_values[i] = value;
            return true;
        }
    if (req->n_query >= API_MAX_PARAMS)
        return false;
    req->query_names[req->n_query] = name;
    req->query_values[req->n_query++] = value;
    return true;
}

typedef struct {
    const char *name;
    unsigned n;
} query_counter;

static enum MHD_Result count_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    query_counter *c = cls;
    (void)kind;
    (void)value;
    if (key && strcmp(key, c->name) == 0)
        c->n++;
    return MHD_YES;
}

unsigned api_query_count(api_request *req, const char *name)
{
    query_counter c = {name, 0};
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, count_argument, &c);
    return c.n;
}

void api_note_security_event(api_request *req, const char *kind, const char *username)
{
    if (req->n_events >= API_MAX_EVENTS)
        return;
    req->events[req->n_events].kind = kind;
    req->events[req->n_events].username =
        username && *username ? arena_strdup(req->arena, username) : NULL;
    req->n_events++;
}

const char *api_header(api_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

static bool parse_positive(const char *text, int64_t max, int64_t *out)
{
    if (!text || !*text || strlen(text) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

cc_status api_param_id(api_request *req, int i, int64_t *id, cc_error *err)
{
    if (!parse_positive(req->params[i], INT64_C(999999999999), id))
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no such record");
    return CC_OK;
}

cc_status api_paging(api_request *req, int64_t *page, int64_t *per_page, cc_error *err)
{
    const char *p = api_query(req, "page"), *pp = api_query(req, "per_page");
    *page = 1;
    *per_page = 50;
    if (p && !parse_positive(p, 1000000, page))
        return cc_fail(err, CC_INVALID, "page", "out_of_range",
                       "page must be a whole number from 1");
    if (pp && !parse_positive(pp, 200, per_page))
        return cc_fail(err, CC_INVALID, "per_page", "out_of_range", "per_page must be 1 to 200");
    return CC_OK;
}

cc_status api_expected_version(api_request *req, int64_t *version, cc_error *err)
{
    const char *match = api_header(req, "If-Match");
    if (match) {
        char *end;
        const char *p = match[0] == '"' ? match + 1 : match;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 1 || (*end && !(*end == '"' && end[1] == '\0')))
            return cc_fail(err, CC_INVALID, "If-Match", "invalid_version",
                           "If-Match must be the record's version, e.g. \"3\"");
        *version = v;
        return CC_OK;
    }
    json_t *v = json_object_get(req->body, "version");
    if (json_is_integer(v)) {
        *version = json_integer_value(v);
        return CC_OK;
    }
    return cc_fail(err, CC_INVALID, "If-Match", "precondition_required",
                   "send the version you are changing in If-Match");
}

const char *api_session_cookie_name(const api_request *req)
{
    return req->over_tls ? "__Host-cc_session" : "cc_session";
}

store_actor api_actor(const api_request *req)
{
    store_actor actor = {req->who.id, req->authenticated ? req->who.username : "public"};
    return actor;
}

char *api_printf(api_request *req, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    return arena_strdup(req->arena, small);
}

int32_t api_today(void)
{
    return store_today();
}

void api_access_note(api_request *req, const char *what, int64_t patient_id)
{
    if (patient_id <= 0)
        return;
    if (!req->access_what)
        req->access_what = what;
    for (size_t i = 0; i < req->n_access; i++)
        if (req->access_ids[i] == patient_id)
            return;
    if (req->n_access == req->cap_access) {
        size_t cap = req->cap_access ? req->cap_access * 2 : 16;
        int64_t *grown = arena_alloc(req->arena, cap * sizeof *grown);
        if (!grown) {
            req->access_lost = true;
            return;
        }
        if (req->n_access)
            memcpy(grown, req->access_ids, req->n_access * sizeof *grown);
        req->access_ids = grown;
        req->cap_access = cap;
    }
    req->access_ids[req->n_access++] = patient_id;
}

static void note_tree(api_request *req, const char *what, const json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item) note_tree(req, what, item);
        return;
    }
    if (!json_is_object(v))
        return;
    if (json_object_get(v, "family_name") &&
        (json_object_get(v, "mrn") || json_object_get(v, "patient_mrn"))) {
        const json_t *id = json_object_get(v, "patient_id");
        if (!id)
            id = json_object_get(v, "id");
        if (json_is_integer(id))
            api_access_note(req, what, (int64_t)json_integer_value(id));
    }
    const char *key;
    const json_t *member;
    json_object_foreach((json_t *)v, key, member) note_tree(req, what, member);
}

void api_access_note_reply(api_request *req, const char *what)
{
    if (req->reply) {
        note_tree(req, what, req->reply);
        return;
    }
    if (!req->raw || !req->raw_type || strncmp(req->raw_type, "application/json", 16) != 0)
        return;
    json_t *parsed = json_loadb(req->raw, req->raw_len, 0, NULL);
    if (parsed) {
        note_tree(req, what, parsed);
        json_decref(parsed);
    }
}
