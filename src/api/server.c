#include "server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/request.h"
#include "api/routes.h"
#include "api/web_assets.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/text.h"
#include "store/clock.h"
#include "store/datadir.h"

enum {
    REQUEST_ARENA_CAP = 16 << 20,
    DEFAULT_BODY_LIMIT = 64 << 10,
    MAX_CONNECTIONS_DB = 64,
    SHUTDOWN_GRACE_MS = 10000,
};

typedef struct {
    api_request req;
    const api_route *route;
    route_match match;
    buf body;
    size_t body_limit;
    bool too_large;
    bool started;
    struct timespec start;
} conn_state;

/* Per-thread connections, listed so that shutdown can close them. */
static _Thread_local db *thread_db;
static pthread_mutex_t db_list_lock = PTHREAD_MUTEX_INITIALIZER;
static db *db_list[MAX_CONNECTIONS_DB];
static int db_count;
static atomic_int in_flight;

static db *worker_db(api_server *server, cc_error *err)
{
    if (thread_db)
        return thread_db;
    db *d = NULL;
    if (datadir_connect(server->config.data_dir, &d, err) != CC_OK)
        return NULL;
    pthread_mutex_lock(&db_list_lock);
    if (db_count < MAX_CONNECTIONS_DB)
        db_list[db_count++] = d;
    pthread_mutex_unlock(&db_list_lock);
    thread_db = d;
    return d;
}

/* After a storage failure the connection may be stuck read-only or broken;
 * the next request of this thread opens a fresh one, so service resumes as
 * soon as space or write access returns. */
static void drop_worker_db(void)
{
    if (!thread_db)
        return;
    pthread_mutex_lock(&db_list_lock);
    for (int i = 0; i < db_count; i++) {
        if (db_list[i] == thread_db) {
            db_list[i] = db_list[--db_count];
            break;
        }
    }
    pthread_mutex_unlock(&db_list_lock);
    db_close(thread_db);
    thread_db = NULL;
}

static void close_all_dbs(void)
{
    pthread_mutex_lock(&db_list_lock);
    for (int i = 0; i < db_count; i++)
        db_close(db_list[i]);
    db_count = 0;
    pthread_mutex_unlock(&db_list_lock);
}

/* ---- request helpers (request.h) ---- */

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
        api_reply(req, 500, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "internal", "message",
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
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
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
        return cc_fail(err, CC_INVALID, "page", "out_of_range", "page must be a whole number from 1");
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

int32_t api_today(void) { return store_today(); }

/* ---- responses ---- */

static unsigned http_status_of(const cc_error *err)
{
    static const struct {
        const char *code;
        unsigned status;
    } by_code[] = {
        {"possible_duplicate", 422},
        {"precondition_required", 428},
        {"unsupported_media_type", 415},
        {"method_not_allowed", 405},
    };
    for (size_t i = 0; i < sizeof by_code / sizeof by_code[0]; i++)
        if (strcmp(err->code, by_code[i].code) == 0)
            return by_code[i].status;
    switch (err->status) {
    case CC_OK: return 200;
    case CC_INVALID: return 400;
    case CC_UNAUTHENTICATED: return 401;
    case CC_FORBIDDEN: return 403;
    case CC_NOT_FOUND: return 404;
    case CC_CONFLICT: return 409;
    case CC_TOO_LARGE: return 413;
    case CC_RATE_LIMITED: return 429;
    case CC_STORAGE: return 503;
    case CC_INTERNAL: return 500;
    }
    return 500;
}

static void set_error_reply(api_request *req, const cc_error *in)
{
    /* Messages quote input and are cut to fit: mend any split character so
     * the error itself always renders. */
    cc_error copy = *in;
    const cc_error *err = &copy;
    text_make_valid_utf8(copy.code);
    text_make_valid_utf8(copy.field);
    text_make_valid_utf8(copy.message);
    req->raw_type = NULL; /* an error is always JSON */
    json_t *body = json_is_object(req->reply) ? json_incref(req->reply) : json_object();
    json_object_set_new(body, "error",
                        json_pack("{s:s, s:s, s:s}", "code", err->code, "message", err->message,
                                  "field", err->field));
    api_reply(req, http_status_of(err), body);
}

static void add_security_headers(struct MHD_Response *r, bool api)
{
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (api)
        MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result send_raw(struct MHD_Connection *c, api_request *req)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(req->raw_len, (void *)req->raw, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    add_security_headers(r, true);
    MHD_add_response_header(r, "Content-Type", req->raw_type);
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(r, req->header_names[i], req->header_values[i]);
    enum MHD_Result ret = MHD_queue_response(c, req->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, api_request *req)
{
    if (req->raw_type && !req->reply)
        return send_raw(c, req);
    char *text = req->reply ? json_dumps(req->reply, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (!text && req->reply) {
        req->status = 500;
        text = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"cannot render\",\"field\":\"\"}}");
    }
    struct MHD_Response *r = text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE)
                                  : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    add_security_headers(r, true);
    if (text)
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(r, req->header_names[i], req->header_values[i]);
    enum MHD_Result ret = MHD_queue_response(c, req->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, api_request *req, const cc_error *err)
{
    set_error_reply(req, err);
    return send_json(c, req);
}

static enum MHD_Result send_asset(struct MHD_Connection *c, api_request *req)
{
    const char *path = strcmp(req->path, "/") == 0 ? "/index.html" : req->path;
    for (const web_asset *a = web_assets; a->path; a++) {
        if (strcmp(a->path, path) != 0)
            continue;
        struct MHD_Response *r =
            MHD_create_response_from_buffer(a->size, (void *)a->data, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
        add_security_headers(r, false);
        MHD_add_response_header(r, "Content-Type", a->content_type);
        MHD_add_response_header(r, "Cache-Control", "no-cache");
        req->status = 200;
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    cc_error err;
    cc_fail(&err, CC_NOT_FOUND, "", "not_found", "no such page");
    return send_error(c, req, &err);
}

/* ---- authentication and permission ---- */

static cc_status authenticate(api_request *req, cc_error *err)
{
    const char *auth = api_header(req, "Authorization");
    if (auth) {
        if (strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) != SECRET_HEX - 1)
            return cc_fail(err, CC_UNAUTHENTICATED, "Authorization", "invalid_token",
                           "Authorization must be 'Bearer' and a token");
        cc_status st = token_lookup(req->db, auth + 7, &req->who, err);
        req->authenticated = st == CC_OK;
        return st;
    }
    const char *cookie = MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, "cc_session");
    if (!cookie || strlen(cookie) != SECRET_HEX - 1)
        return cc_fail(err, CC_UNAUTHENTICATED, "", "not_logged_in", "log in first");
    cc_status st = session_lookup(req->db, cookie, &req->who, err);
    req->authenticated = st == CC_OK;
    return st;
}

static bool is_mutation(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static cc_status check_access(api_request *req, const api_route *route, cc_error *err)
{
    if (route->roles & ROLE_PUBLIC) {
        cc_error ignored;
        /* Public routes still know who is calling when someone is logged in
         * (not the liveness check, which never touches the database). */
        if (req->db && (api_header(req, "Authorization") ||
            MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, "cc_session")))
            authenticate(req, &ignored);
        return CC_OK;
    }
    cc_status st = authenticate(req, err);
    if (st != CC_OK)
        return st;
    if (!(route->roles & api_role_bit(req->who.role)))
        return cc_fail(err, CC_FORBIDDEN, "", "forbidden", "your role (%s) may not do this",
                       req->who.role);
    if (!req->who.by_token && is_mutation(req->method)) {
        const char *csrf = api_header(req, "X-CSRF-Token");
        if (!csrf || strlen(csrf) != SECRET_HEX - 1 ||
            sodium_memcmp(csrf, req->who.csrf, SECRET_HEX - 1) != 0)
            return cc_fail(err, CC_FORBIDDEN, "X-CSRF-Token", "csrf",
                           "missing or wrong X-CSRF-Token header");
    }
    return CC_OK;
}

static cc_status parse_body(conn_state *cs, cc_error *err)
{
    api_request *req = &cs->req;
    if (cs->body.len == 0) {
        if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PATCH") == 0 ||
            strcmp(req->method, "PUT") == 0)
            return cc_fail(err, CC_INVALID, "", "invalid_json", "the request body must be a JSON object");
        return CC_OK;
    }
    const char *type = api_header(req, "Content-Type");
    if (!type || strncmp(type, "application/json", 16) != 0)
        return cc_fail(err, CC_INVALID, "Content-Type", "unsupported_media_type",
                       "send the body as application/json");
    json_error_t jerr;
    json_t *body = json_loadb(cs->body.data, cs->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!body)
        return cc_fail(err, CC_INVALID, "", "invalid_json", "malformed JSON at line %d column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, body);
    if (!json_is_object(body) && !(cs->route->flags & ROUTE_ANY_JSON))
        return cc_fail(err, CC_INVALID, "", "invalid_json", "the request body must be a JSON object");
    req->body = body;
    return CC_OK;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, conn_state *cs)
{
    api_request *req = &cs->req;
    cc_error err;
    cc_error_clear(&err);
    if (strcmp(req->path, "/healthz") != 0 && strncmp(req->path, "/api/", 5) != 0) {
        if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
            cc_fail(&err, CC_NOT_FOUND, "", "not_found", "no such page");
            return send_error(c, req, &err);
        }
        return send_asset(c, req);
    }
    if (cs->match == ROUTE_NO_PATH) {
        cc_fail(&err, CC_NOT_FOUND, "", "not_found", "no such endpoint");
        return send_error(c, req, &err);
    }
    if (cs->match == ROUTE_NO_METHOD) {
        cc_fail(&err, CC_INVALID, "", "method_not_allowed", "method %s not allowed here", req->method);
        return send_error(c, req, &err);
    }
    if (cs->too_large) {
        cc_fail(&err, CC_TOO_LARGE, "", "body_too_large", "the request body exceeds %zu bytes",
                cs->body_limit);
        return send_error(c, req, &err);
    }
    cc_status st = CC_OK;
    if (!(cs->route->flags & ROUTE_NO_DB)) {
        req->db = worker_db(req->server, &err);
        st = req->db ? CC_OK : err.status;
    }
    /* A reading route sees one snapshot, credentials included: one set of
     * locks per request instead of one per statement. */
    if (st == CC_OK && (cs->route->flags & ROUTE_READ_ONLY))
        st = db_begin_read(req->db, &err);
    if (st == CC_OK)
        st = check_access(req, cs->route, &err);
    if (st == CC_OK)
        st = parse_body(cs, &err);
    if (st == CC_OK) {
        req->status = 200;
        st = cs->route->handler(req, &err);
    }
    if (req->db)
        db_rollback(req->db); /* a handler never leaves a transaction open */
    if (req->db && req->who.needs_touch) {
        cc_error ignored; /* a missed touch only shortens the idle window */
        session_touch(req->db, &req->who, &ignored);
    }
    if (st == CC_STORAGE)
        drop_worker_db();
    if (st != CC_OK)
        return send_error(c, req, &err);
    return send_json(c, req);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    (void)version;
    api_server *server = cls;
    conn_state *cs = *req_cls;
    if (!cs) {
        arena *a = arena_create(REQUEST_ARENA_CAP);
        if (!a)
            return MHD_NO;
        cs = arena_alloc(a, sizeof *cs);
        cs->req.arena = a;
        cs->req.server = server;
        cs->req.connection = c;
        cs->req.method = arena_strdup(a, method);
        cs->req.path = arena_strdup(a, url);
        clock_gettime(CLOCK_MONOTONIC, &cs->start);
        cs->match = api_route_find(method, url, a, cs->req.params, &cs->route);
        cs->body_limit = cs->route && cs->route->body_limit ? cs->route->body_limit : DEFAULT_BODY_LIMIT;
        buf_init(&cs->body, cs->body_limit);
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > cs->body_limit)
            cs->too_large = true;
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        char addr[INET6_ADDRSTRLEN] = "unknown";
        if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)info->client_addr)->sin_addr, addr, sizeof addr);
        cs->req.remote_addr = arena_strdup(a, addr);
        atomic_fetch_add(&in_flight, 1);
        cs->started = true;
        *req_cls = cs;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!cs->too_large) {
            buf_append(&cs->body, upload_data, *upload_data_size);
            cs->too_large = buf_failed(&cs->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(c, cs);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    api_server *server = cls;
    conn_state *cs = *req_cls;
    if (!cs)
        return;
    if (!server->config.quiet) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ms = (double)(end.tv_sec - cs->start.tv_sec) * 1e3 +
                    (double)(end.tv_nsec - cs->start.tv_nsec) / 1e6;
        char at[CC_INSTANT_TEXT];
        store_now_text(at);
        fprintf(stderr, "%s %s %s %u %.1fms\n", at, cs->req.method, cs->req.path,
                cs->req.status ? cs->req.status : 500, ms);
    }
    if (cs->req.reply)
        json_decref(cs->req.reply);
    buf_release(&cs->body);
    arena_release(cs->req.arena);
    *req_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

cc_status api_server_run(const api_config *config, cc_error *err)
{
    api_server server = {.config = *config};
    server.login_by_user = ratelimit_create(5, 15 * 60);
    server.login_by_addr = ratelimit_create(20, 15 * 60);
    server.public_form = ratelimit_create(10, 3600);
    cc_status st = CC_OK;
    struct MHD_Daemon *daemon = NULL;
    if (!server.login_by_user || !server.login_by_addr || !server.public_form) {
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        goto out;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(config->port)};
    if (inet_pton(AF_INET, config->host, &addr.sin_addr) != 1) {
        st = cc_fail(err, CC_INVALID, "listen", "invalid_address", "--listen needs an IPv4 address and port");
        goto out;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* worker threads inherit the mask */

    daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, &server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, config->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        &server, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_END);
    if (!daemon) {
        st = cc_fail(err, CC_STORAGE, "listen", "cannot_listen", "cannot listen on %s:%u",
                     config->host, (unsigned)config->port);
        goto out;
    }
    printf("cellclinic: serving http://%s:%u/ with %u threads (data: %s)\n", config->host,
           (unsigned)config->port, config->threads, config->data_dir);
    fflush(stdout);
    int sig;
    sigdelset(&stop, SIGPIPE);
    sigwait(&stop, &sig);
    fprintf(stderr, "cellclinic: stopping (signal %d); finishing requests in flight\n", sig);
    MHD_quiesce_daemon(daemon);
    for (int waited = 0; atomic_load(&in_flight) > 0 && waited < SHUTDOWN_GRACE_MS; waited += 10)
        usleep(10000);
    MHD_stop_daemon(daemon);
    close_all_dbs();
out:
    ratelimit_free(server.login_by_user);
    ratelimit_free(server.login_by_addr);
    ratelimit_free(server.public_form);
    return st;
}

void api_routes_print(FILE *out)
{
    fprintf(out, "[\n");
    for (size_t i = 0; i < api_route_count; i++) {
        char roles[128];
        api_route_roles_text(&api_routes[i], roles, sizeof roles);
        fprintf(out, "  {\"method\": \"%s\", \"path\": \"%s\", \"roles\": [",
                api_routes[i].method, api_routes[i].pattern);
        /* roles text is "a, b, c": print each name quoted */
        const char *p = roles;
        while (*p) {
            size_t len = strcspn(p, ",");
            fprintf(out, "\"%.*s\"%s", (int)len, p, p[len] ? ", " : "");
            p += len;
            while (*p == ',' || *p == ' ')
                p++;
        }
        fprintf(out, "]}%s\n", i + 1 < api_route_count ? "," : "");
    }
    fprintf(out, "]\n");
}
