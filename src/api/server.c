#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api/acceptor.h"
#include "api/access_queue.h"
#include "api/error_text.h"
#include "api/request.h"
#include "api/routes.h"
#include "api/site_scope.h"
#include "api/web_assets.h"
#include "api/commit_queue.h"
#include "api/worker_pool.h"
#include "app/app.h"
#include "app/laboratory.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/text.h"
#include "store/clock.h"
#include "store/datadir.h"
#include "store/security.h"

enum {
    REQUEST_ARENA_CAP = 16 << 20,
    DEFAULT_BODY_LIMIT = 64 << 10,
    MAX_CONNECTIONS_DB = 128, /* polling threads and workers */
    SHUTDOWN_GRACE_MS = 10000,
    /* What we accept of a request head. The library's buffer is larger
     * (CONNECTION_MEMORY), so that requests beyond these limits still reach
     * the handler and get our JSON error with the security headers instead
     * of the library's fixed page; only a head larger than the whole buffer
     * gets the library's answer. 40 KiB holds 200 headers of 100 bytes, with
     * the library's own records of them. It is no larger because the library
     * zeroes all of it between the requests of a connection: at 64 KiB that
     * zeroing was a tenth of the CPU of a patient read. */
    MAX_TARGET_BYTES = 8 << 10,
    MAX_HEAD_BYTES = 16 << 10,
    CONNECTION_MEMORY = 40 << 10,
    /* descriptors beyond the connections: listening socket, the loop's wake-up descriptor, database
     * files, the expiry timer */
    SPARE_DESCRIPTORS = 64,
};

typedef struct {
    api_request req;
    const api_route *route;
    route_match match;
    buf body;
    size_t body_limit;
    bool too_large;
    bool started;
    /* the request target, as sent, before the library decodes it */
    bool target_control;
    size_t target_len;
    bool http11;
    struct timespec start;
    /* work handed to the worker pool (hand_to_worker) and its outcome */
    int work; /* WORK_* */
    worker_job job;
    /* a write in a batch of the commit queue (run_batch) */
    commit_job commit;
    bool again;          /* to run again alone after the batch */
    int events_prepared; /* security events noted before the handler */
    cc_status st;
    cc_error err;
    struct MHD_Response *response;
    atomic_bool answer_ready;
} conn_state;

enum {
    WORK_NONE,
    WORK_ALL,          /* the whole request */
    WORK_WRITES_AFTER, /* a read's writes after its transaction (writes_after) */
    WORK_BATCH,        /* a write: its checks here, its action in a batch (run_batch) */
    WORK_ANSWER,       /* a write done in a durable batch: its access log entry and answer */
};

/* Per-thread connections, listed so that shutdown can close them. */
static _Thread_local db *thread_db;
static pthread_mutex_t db_list_lock = PTHREAD_MUTEX_INITIALIZER;
static db *db_list[MAX_CONNECTIONS_DB];
static int db_count;
static atomic_int in_flight;

/* This thread's connection to location in *slot, opened on first use. */
static db *thread_connection(db **slot, const char *location, cc_error *err)
{
    if (*slot)
        return *slot;
    db *d = NULL;
    if (datadir_connect(location, &d, err) != CC_OK)
        return NULL;
    db_checkpoint_elsewhere(d);
    pthread_mutex_lock(&db_list_lock);
    if (db_count < MAX_CONNECTIONS_DB)
        db_list[db_count++] = d;
    pthread_mutex_unlock(&db_list_lock);
    *slot = d;
    return d;
}

static db *worker_db(api_server *server, cc_error *err)
{
    return thread_connection(&thread_db, server->config.data_dir, err);
}

/* The replica of serve --read-database, per thread as the primary's. */
static _Thread_local db *thread_read_db;

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

/* ---- expiry timer (H3) ----
 * Units pass their expiry with the calendar, not with a request: this
 * thread records due expiries at start and then every minute, with its own
 * connection, so that the stored state is current without any read
 * writing. CELLCLINIC_EXPIRY_INTERVAL (seconds, 1 to 86400) changes the
 * period: tests that age a unit behind the server's back set it long. */
enum { EXPIRY_PERIOD_S = 60, EXPIRY_PERIOD_MAX_S = 86400 };

typedef struct {
    const char *data_dir;
    int period_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
} expiry_timer;

static int expiry_period(void)
{
    const char *text = getenv("CELLCLINIC_EXPIRY_INTERVAL");
    char *end;
    long s = text ? strtol(text, &end, 10) : 0;
    return text && *text && !*end && s >= 1 && s <= EXPIRY_PERIOD_MAX_S ? (int)s : EXPIRY_PERIOD_S;
}

/* One sweep on a connection of its own, closed at once: a connection held
 * between sweeps could pin SQLite's shared-memory index of the data
 * directory in the state it was opened in (read-only during a storage
 * failure) for every connection of the process. */
static void expire_due_units(const expiry_timer *t)
{
    cc_error err;
    db *d = NULL;
    if (datadir_connect(t->data_dir, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic: expiry timer: %s\n", err.message);
        return;
    }
    app_ctx ctx = app_ctx_system(d, NULL);
    int64_t n = 0;
    if (app_lab_expire_due(&ctx, api_today(), &n, &err) != CC_OK)
        fprintf(stderr, "cellclinic: expiry timer: %s\n", err.message);
    db_close(d);
}

static void *expiry_loop(void *arg)
{
    expiry_timer *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        pthread_mutex_unlock(&t->lock);
        expire_due_units(t);
        pthread_mutex_lock(&t->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->period_s;
        int rc = 0;
        while (!t->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&t->wake, &t->lock, &until);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

static bool expiry_timer_start(expiry_timer *t, const char *data_dir)
{
    *t = (expiry_timer){.data_dir = data_dir, .period_s = expiry_period()};
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, expiry_loop, t) == 0)
        return true;
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    return false;
}

/* Wakes the thread, waits for its sweep in progress to end, and joins it. */
static void expiry_timer_stop(expiry_timer *t)
{
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
}

/* ---- request helpers (request.h) ---- */

/* ---- responses ---- */

static unsigned http_status_of(const cc_error *err)
{
    static const struct {
        const char *code;
        unsigned status;
    } by_code[] = {
        {"possible_duplicate", 422},    {"access_log_unavailable", 503},
        {"precondition_required", 428}, {"unsupported_media_type", 415},
        {"method_not_allowed", 405},    {"uri_too_long", 414},
        {"headers_too_large", 431},
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
    /* The message is the catalogue's, in the caller's language; the code
     * and field stay as they are for programs. In English the sentence of
     * the failure, with its specifics (limits, allowed values), is the
     * detail. */
    const char *language = error_text_language(req->who.language[0] ? req->who.language : NULL,
                                               api_header(req, "Accept-Language"), err->code);
    char message[2 * sizeof copy.message];
    error_text_render(language, err, message, sizeof message);
    json_t *error =
        json_pack("{s:s, s:s, s:s}", "code", err->code, "message", message, "field", err->field);
    if (strcmp(language, "en") == 0)
        json_object_set_new(error, "detail", json_string(err->message));
    json_t *body = json_is_object(req->reply) ? json_incref(req->reply) : json_object();
    json_object_set_new(body, "error", error);
    api_add_header(req, "Content-Language", language);
    api_reply(req, http_status_of(err), body);
}

static void add_security_headers(struct MHD_Response *r, const api_request *req, bool api)
{
    MHD_add_response_header(
        r, "Content-Security-Policy",
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    if (req->over_tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (api)
        MHD_add_response_header(r, "Cache-Control", "no-store");
}

/* The answer as a response of the library, built on any thread (a worker
 * builds its own, so that rendering a large answer stays off the polling
 * threads); NULL when out of memory. */
static struct MHD_Response *raw_response(api_request *req)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(req->raw_len, (void *)req->raw, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return NULL;
    add_security_headers(r, req, true);
    MHD_add_response_header(r, "Content-Type", req->raw_type);
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(r, req->header_names[i], req->header_values[i]);
    return r;
}

static struct MHD_Response *json_response(api_request *req)
{
    if (req->raw_type && !req->reply)
        return raw_response(req);
    char *text = req->reply ? json_dumps(req->reply, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (!text && req->reply) {
        req->status = 500;
        text = strdup(
            "{\"error\":{\"code\":\"internal\",\"message\":\"cannot render\",\"field\":\"\"}}");
    }
    struct MHD_Response *r =
        text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return NULL;
    }
    add_security_headers(r, req, true);
    if (text)
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(r, req->header_names[i], req->header_values[i]);
    return r;
}

/* The answer of a request that ended with st (err filled when not CC_OK). */
static struct MHD_Response *answer_response(api_request *req, cc_status st, const cc_error *err)
{
    if (st != CC_OK)
        set_error_reply(req, err);
    return json_response(req);
}

/* Must be called from the access handler (the library's rule); consumes r. */
static enum MHD_Result queue_answer(struct MHD_Connection *c, api_request *req,
                                    struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, req->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, api_request *req)
{
    return queue_answer(c, req, json_response(req));
}

static enum MHD_Result send_error(struct MHD_Connection *c, api_request *req, const cc_error *err)
{
    set_error_reply(req, err);
    return send_json(c, req);
}

/* The asset's path without a version prefix ("/v/<version>/app.js" is
 * "/app.js"); *lasting when the prefix is this build's. A page of an earlier
 * build gets today's file, to be revalidated. */
static const char *asset_path(const char *path, bool *lasting)
{
    *lasting = false;
    if (strcmp(path, "/") == 0)
        return "/index.html";
    size_t n = strlen(web_asset_prefix);
    if (strncmp(path, web_asset_prefix, n) == 0) {
        *lasting = true;
        return path + n - 1;
    }
    if (strncmp(path, "/v/", 3) == 0 && strchr(path + 3, '/'))
        return strchr(path + 3, '/');
    return path;
}

static enum MHD_Result send_asset(struct MHD_Connection *c, api_request *req)
{
    bool lasting;
    const char *path = asset_path(req->path, &lasting);
    for (const web_asset *a = web_assets; a->path; a++) {
        if (strcmp(a->path, path) != 0)
            continue;
        /* under this build's prefix the content never changes: kept by the
         * browser without asking; elsewhere no-cache with a validator: the
         * browser asks each time and keeps its copy (and the scripts'
         * compiled code) while it is unchanged */
        const char *held = api_header(req, "If-None-Match");
        unsigned status = held && strcmp(held, a->etag) == 0 ? 304 : 200;
        struct MHD_Response *r = MHD_create_response_from_buffer(
            status == 200 ? a->size : 0, (void *)a->data, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
        add_security_headers(r, req, false);
        if (status == 200)
            MHD_add_response_header(r, "Content-Type", a->content_type);
        MHD_add_response_header(r, "Cache-Control",
                                lasting ? "public, max-age=31536000, immutable" : "no-cache");
        MHD_add_response_header(r, "ETag", a->etag);
        req->status = status;
        enum MHD_Result ret = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
        return ret;
    }
    cc_error err;
    cc_fail(&err, CC_NOT_FOUND, "", "not_found", "no such page");
    return send_error(c, req, &err);
}

/* ---- authentication and permission ---- */

/* A credential that was once good (an expired session, a revoked or expired token) is
 * a security event; the lookup left only the account's name in who. */
static cc_status credential_checked(api_request *req, cc_status st, const cc_error *err)
{
    req->authenticated = st == CC_OK;
    static const char *const once_good[] = {"session_expired", "token_revoked", "token_expired"};
    for (size_t i = 0; st == CC_UNAUTHENTICATED && i < sizeof once_good / sizeof *once_good; i++)
        if (strcmp(err->code, once_good[i]) == 0)
            api_note_security_event(req, once_good[i], req->who.username);
    if (st != CC_OK)
        memset(&req->who, 0, sizeof req->who);
    return st;
}

static cc_status authenticate(api_request *req, cc_error *err)
{
    const char *auth = api_header(req, "Authorization");
    if (auth) {
        if (strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) != SECRET_HEX - 1)
            return cc_fail(err, CC_UNAUTHENTICATED, "Authorization", "invalid_token",
                           "Authorization must be 'Bearer' and a token");
        return credential_checked(req, token_lookup(req->db, auth + 7, &req->who, err), err);
    }
    const char *cookie =
        MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, api_session_cookie_name(req));
    if (!cookie || strlen(cookie) != SECRET_HEX - 1)
        return cc_fail(err, CC_UNAUTHENTICATED, "", "not_logged_in", "log in first");
    return credential_checked(req, session_lookup(req->db, cookie, &req->who, err), err);
}

static bool is_mutation(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* What the credential itself allows, whatever the role: a session whose
 * password an administrator reset only changes it or logs out; a read-only
 * token only reads. */
static cc_status check_credential_limits(api_request *req, const api_route *route, cc_error *err)
{
    if (req->who.must_change_password && !(route->flags & ROUTE_PASSWORD_CHANGE))
        return cc_fail(err, CC_FORBIDDEN, "", "password_change_required",
                       "change your password first (POST /api/v1/session/password)");
    if (req->who.read_only && is_mutation(req->method))
        return cc_fail(err, CC_FORBIDDEN, "Authorization", "token_read_only",
                       "this token is read-only");
    return CC_OK;
}

static cc_status check_access(api_request *req, const api_route *route, cc_error *err)
{
    if (route->roles & ROLE_PUBLIC) {
        cc_error ignored;
        /* Public routes still know who is calling when someone is logged in
         * (not the liveness check, which never touches the database). */
        if (req->db && (api_header(req, "Authorization") ||
                        MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND,
                                                    api_session_cookie_name(req))))
            authenticate(req, &ignored);
        return CC_OK;
    }
    cc_status st = authenticate(req, err);
    if (st != CC_OK)
        return st;
    if (!(route->roles & api_role_bit(req->who.role)))
        return cc_fail(err, CC_FORBIDDEN, "", "forbidden", "your role (%s) may not do this",
                       req->who.role);
    if (req->who.mfa_enrolment_only && !(route->flags & ROUTE_MFA_ENROLMENT))
        return cc_fail(err, CC_FORBIDDEN, "", "mfa_enrolment_required",
                       "your role logs in with an authenticator: enrol one first "
                       "(POST /api/v1/mfa/enrol)");
    if ((st = check_credential_limits(req, route, err)) != CC_OK)
        return st;
    if (!req->who.by_token && is_mutation(req->method)) {
        const char *csrf = api_header(req, "X-CSRF-Token");
        if (!csrf || strlen(csrf) != SECRET_HEX - 1 ||
            sodium_memcmp(csrf, req->who.csrf, SECRET_HEX - 1) != 0) {
            api_note_security_event(req, "csrf_refused", req->who.username);
            return cc_fail(err, CC_FORBIDDEN, "X-CSRF-Token", "csrf",
                           "missing or wrong X-CSRF-Token header");
        }
    }
    return CC_OK;
}

static cc_status parse_body(conn_state *cs, cc_error *err)
{
    api_request *req = &cs->req;
    if (cs->body.len == 0) {
        if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PATCH") == 0 ||
            strcmp(req->method, "PUT") == 0)
            return cc_fail(err, CC_INVALID, "", "invalid_json",
                           "the request body must be a JSON object");
        return CC_OK;
    }
    const char *type = api_header(req, "Content-Type");
    if (!type || strncmp(type, "application/json", 16) != 0)
        return cc_fail(err, CC_INVALID, "Content-Type", "unsupported_media_type",
                       "send the body as application/json");
    json_error_t jerr;
    json_t *body =
        json_loadb(cs->body.data, cs->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!body)
        return cc_fail(err, CC_INVALID, "", "invalid_json",
                       "malformed JSON at line %d column %d: %s", jerr.line, jerr.column,
                       jerr.text);
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, body);
    if (!json_is_object(body) && !(cs->route->flags & ROUTE_ANY_JSON))
        return cc_fail(err, CC_INVALID, "", "invalid_json",
                       "the request body must be a JSON object");
    req->body = body;
    return CC_OK;
}

/* After the handler's transaction: a read-only route may note one too. A
 * failure to record is reported on stderr and does not change the answer. */
static void record_security_events(api_request *req, const api_route *route)
{
    for (int i = 0; req->db && i < req->n_events; i++) {
        security_event ev = {req->events[i].kind, req->events[i].username, req->remote_addr,
                             route->pattern};
        cc_error e;
        if (security_event_add(req->db, &ev, &e) != CC_OK)
            fprintf(stderr, "cellclinic: security event %s not recorded: %s\n", ev.kind, e.message);
    }
}

static bool route_may_read(const api_request *req, const char *path)
{
    const char *params[API_MAX_PARAMS] = {0};
    const api_route *route = NULL;
    if (api_route_find("GET", path, NULL, params, &route) != ROUTE_FOUND)
        return false;
    return (route->roles & api_role_bit(req->who.role)) != 0;
}

/* ---- the request head ----
 * The library decodes the path before the handler sees it (an encoded NUL
 * would cut it short) and accepts heads up to its buffer: the target is
 * judged as sent, and sizes by our own limits. */

static bool is_control_byte(unsigned char ch)
{
    return ch < 0x20 || ch == 0x7f;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Whether the target, raw or percent-decoded, holds a C0 control, DEL or
 * a C1 control (UTF-8 C2 80 to C2 9F). */
static bool target_has_control(const char *target)
{
    unsigned prev = 0;
    for (const char *p = target; *p; p++) {
        unsigned ch = (unsigned char)*p;
        if (ch == '%' && hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0) {
            ch = (unsigned)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
            p += 2;
        }
        if (is_control_byte((unsigned char)ch) || (prev == 0xc2 && ch >= 0x80 && ch <= 0x9f))
            return true;
        prev = ch;
    }
    return false;
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

/* Checked before routing, so that every path, pages included, answers the
 * same JSON error. */
static cc_status check_head(conn_state *cs, cc_error *err)
{
    api_request *req = &cs->req;
    if (cs->target_control)
        return cc_fail(err, CC_INVALID, "path", "bad_path",
                       "the address holds a control character");
    if (cs->target_len > MAX_TARGET_BYTES)
        return cc_fail(err, CC_INVALID, "path", "uri_too_long", "the address exceeds %d bytes",
                       MAX_TARGET_BYTES);
    size_t head = 0;
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, add_header_size, &head);
    if (head > MAX_HEAD_BYTES)
        return cc_fail(err, CC_INVALID, "", "headers_too_large",
                       "the request headers exceed %d bytes", MAX_HEAD_BYTES);
    if (cs->http11 && !api_header(req, "Host"))
        return cc_fail(err, CC_INVALID, "Host", "missing_host",
                       "an HTTP/1.1 request needs a Host header");
    return CC_OK;
}

/* ---- the client's address ---- */

static bool peer_address(struct MHD_Connection *c, struct in_addr *out)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr || info->client_addr->sa_family != AF_INET)
        return false;
    *out = ((const struct sockaddr_in *)info->client_addr)->sin_addr;
    return true;
}

static bool proxy_trusted(const api_server *server, struct in_addr peer)
{
    uint32_t host = ntohl(peer.s_addr);
    for (int i = 0; i < server->n_proxies; i++)
        if ((host & server->proxies[i].mask) == server->proxies[i].addr)
            return true;
    return false;
}

static enum MHD_Result note_forwarded_for(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0)
        *(const char **)cls = value;
    return MHD_YES;
}

/* One IPv4 or IPv6 address, spaces around allowed, in canonical form. */
static bool parse_address(const char *text, size_t len, char out[INET6_ADDRSTRLEN])
{
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    char copy[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    if (len == 0 || len >= sizeof copy)
        return false;
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (inet_pton(AF_INET, copy, bin) == 1)
        return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) != NULL;
    if (inet_pton(AF_INET6, copy, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL;
    return false;
}

/* Who the client is, for the throttles and the access log: the TCP peer,
 * unless the peer is a trusted proxy; then the last hop of
 * X-Forwarded-For (the address the proxy itself saw and appended; earlier
 * hops are the client's say) or else X-Real-IP. A header from any other
 * peer is ignored, so a client cannot choose the address it is counted
 * under. */
static void resolve_client(const api_server *server, api_request *req)
{
    char addr[INET6_ADDRSTRLEN] = "unknown";
    struct in_addr peer;
    if (peer_address(req->connection, &peer)) {
        inet_ntop(AF_INET, &peer, addr, sizeof addr);
        if (proxy_trusted(server, peer)) {
            req->over_tls = server->config.proxy_tls;
            const char *forwarded = NULL;
            MHD_get_connection_values(req->connection, MHD_HEADER_KIND, note_forwarded_for,
                                      &forwarded);
            const char *hop = forwarded ? strrchr(forwarded, ',') : NULL;
            hop = hop ? hop + 1 : forwarded;
            const char *real = api_header(req, "X-Real-IP");
            char seen[INET6_ADDRSTRLEN];
            if ((hop && parse_address(hop, strlen(hop), seen)) ||
                (real && parse_address(real, strlen(real), seen)))
                snprintf(addr, sizeof addr, "%s", seen);
        }
    }
    req->remote_addr = arena_strdup(req->arena, addr);
}

/* Queues the access rows of a successful answer that shows identified
 * patient data; without its rows the answer is not sent. */
static cc_status log_access(api_request *req, const api_route *route, cc_error *err)
{
    const char *kind = api_route_access_kind(route);
    if (!kind || req->status >= 300)
        return CC_OK;
    /* a route under a patient's own path is about that patient */
    static const char *const PATIENT_PATHS[] = {"/api/v1/patients/{id}",
                                                "/api/v1/lookback/patients/{id}"};
    for (size_t i = 0; req->n_access == 0 && i < 2; i++) {
        int64_t id;
        cc_error ignored;
        if (strncmp(route->pattern, PATIENT_PATHS[i], strlen(PATIENT_PATHS[i])) == 0 &&
            api_param_id(req, 0, &id, &ignored) == CC_OK)
            api_access_note(req, req->access_what ? req->access_what : kind, id);
    }
    if (req->n_access == 0)
        api_access_note_reply(req, req->access_what ? req->access_what : kind);
    if (req->n_access == 0)
        return CC_OK;
    access_entry *rows =
        req->access_lost ? NULL : arena_alloc(req->arena, req->n_access * sizeof *rows);
    if (!rows)
        return cc_fail(err, CC_INTERNAL, "", "access_log_unavailable",
                       "the access log cannot record this read; try again");
    /* the time as text, formatted once a second per thread: reads come by thousands */
    static _Thread_local int64_t at_seconds = -1;
    static _Thread_local char at[CC_INSTANT_TEXT];
    int64_t now = store_now_seconds();
    if (now != at_seconds) {
        instant_format(now, at);
        at_seconds = now;
    }
    _Static_assert(sizeof rows->username == sizeof req->who.username, "same username size");
    for (size_t i = 0; i < req->n_access; i++) {
        access_entry *e = &rows[i];
        memcpy(e->at, at, sizeof at);
        e->user_id = req->who.id;
        memcpy(e->username, req->who.username, sizeof e->username);
        e->patient_id = req->access_ids[i];
        e->what = req->access_what ? req->access_what : kind;
        e->route = route->pattern;
    }
    if (!access_queue_push(req->server->access, rows, req->n_access))
        return cc_fail(err, CC_INTERNAL, "", "access_log_unavailable",
                       "the access log is not keeping up; try again in a moment");
    return CC_OK;
}

/* ---- where a request runs ----
 * A polling thread of the library serves its connections one request at a
 * time: a request that waits there for the write lock and the log's sync (a
 * write under 64 writers: hundreds of milliseconds) makes every read queued
 * behind it on that thread wait as long. Such requests run on the worker
 * pool instead, with the workers' own connections, their HTTP connection
 * suspended meanwhile (the library neither reads it nor times it out) and
 * resumed with the answer built. The polling threads run the reads, which
 * no writer blocks (WAL). */

/* Every route that may write (all but the read-only ones; logins too,
 * whose password hash is slow on purpose) and the long reads. */
static bool runs_on_worker(const api_route *route)
{
    if (route->flags & ROUTE_NO_DB)
        return false;
    return !(route->flags & ROUTE_READ_ONLY) || (route->flags & ROUTE_SLOW);
}

/* The rest of a ROUTE_REPLICA request reads the replica, in one snapshot,
 * and knows its lag; the credentials were checked on the primary (a new
 * session may not have reached the replica yet). */
static cc_status to_replica(api_request *req, cc_error *err)
{
    db *replica = thread_connection(&thread_read_db, req->server->config.read_location, err);
    if (!replica)
        return err->status;
    bool is_replica = false;
    cc_status st = db_replica_lag(replica, &is_replica, &req->replica_lag, err);
    if (st == CC_OK)
        st = db_begin_read(replica, err);
    if (st != CC_OK)
        return st;
    db_rollback(req->db);
    req->db = replica;
    req->on_replica = true;
    return CC_OK;
}

/* A transaction the database aborted for another's sake (PostgreSQL's
 * serialization failure or deadlock) wrote nothing: the handler runs again,
 * on a clean answer, a bounded number of times. */
enum { HANDLER_ATTEMPTS = 3 };

static void forget_answer(api_request *req, int n_events)
{
    json_decref(req->reply);
    req->reply = NULL;
    req->n_headers = 0;
    req->raw_type = NULL;
    req->raw = NULL;
    req->raw_len = 0;
    req->access_what = NULL;
    req->n_access = 0;
    req->access_lost = false;
    req->n_events = n_events;
}

static cc_status run_handler(api_request *req, const api_route *route, int attempts, cc_error *err)
{
    int n_events = req->n_events;
    cc_status st = CC_OK;
    for (int attempt = 1; attempt <= attempts; attempt++) {
        req->status = 200;
        st = route->handler(req, err);
        if (!app_transaction_aborted(st, err) || attempt == attempts)
            break;
        db_rollback(req->db);
        forget_answer(req, n_events);
        cc_error_clear(err);
    }
    return st;
}

/* Before the handler: the connection, the credentials, the body and the
 * ids of other sites. */
static cc_status prepare(conn_state *cs, cc_error *err)
{
    api_request *req = &cs->req;
    cc_status st = CC_OK;
    if (!(cs->route->flags & ROUTE_NO_DB)) {
        req->db = worker_db(req->server, err);
        st = req->db ? CC_OK : err->status;
    }
    /* A reading route sees one snapshot, credentials included: one set of
     * locks per request instead of one per statement. */
    if (st == CC_OK && (cs->route->flags & ROUTE_READ_ONLY))
        st = db_begin_read(req->db, err);
    api_prefetch prefetch = api_route_prefetch(cs->route);
    if (st == CC_OK && (cs->route->flags & ROUTE_READ_ONLY) && prefetch)
        prefetch(req);
    if (st == CC_OK)
        st = check_access(req, cs->route, err);
    if (st == CC_OK)
        st = parse_body(cs, err);
    if (st == CC_OK)
        st = api_site_scope(req, cs->route, err);
    return st;
}

/* The handler (on the replica for a route that reads one), run up to
 * attempts times while the database aborts it for another's sake. */
static cc_status act(conn_state *cs, int attempts, cc_error *err)
{
    api_request *req = &cs->req;
    db *primary = req->db;
    cc_status st = CC_OK;
    if ((cs->route->flags & ROUTE_REPLICA) && req->server->config.read_location)
        st = to_replica(req, err);
    if (st == CC_OK) {
        st = run_handler(req, cs->route, attempts, err);
        if (st != CC_OK)
            api_site_scope_answer(req, err);
    }
    if (req->db != primary) { /* back to the primary for the access log and what follows */
        db_rollback(req->db);
        req->db = primary;
    }
    return st;
}

/* The request's work on this thread's connection, to the end of its
 * transaction; the writes that follow (writes_after) are apart so that a
 * read can leave them to a worker. */
static cc_status handle(conn_state *cs, cc_error *err)
{
    api_request *req = &cs->req;
    cc_status st = prepare(cs, err);
    if (st == CC_OK)
        st = act(cs, HANDLER_ATTEMPTS, err);
    if (st == CC_OK)
        st = log_access(req, cs->route, err);
    if (req->db)
        db_rollback(req->db); /* a handler never leaves a transaction open */
    return st;
}

static bool has_writes_after(const conn_state *cs)
{
    return !(cs->route->flags & ROUTE_NO_DB) && (cs->req.n_events > 0 || cs->req.who.needs_touch);
}

/* The security events noted and the session's touch, each its own
 * statement after the request's transaction, on req->db. */
static void writes_after(api_request *req, const api_route *route)
{
    record_security_events(req, route);
    if (req->db && req->who.needs_touch) {
        cc_error ignored; /* a missed touch only shortens the idle window */
        session_touch(req->db, &req->who, &ignored);
    }
}

static void answer_from_worker(conn_state *cs)
{
    cs->response = answer_response(&cs->req, cs->st, &cs->err);
    atomic_store_explicit(&cs->answer_ready, true, memory_order_release);
    MHD_resume_connection(cs->req.connection);
}

/* The whole request on this worker, in its own transaction. */
static void run_alone(conn_state *cs)
{
    cc_error_clear(&cs->err);
    cs->st = handle(cs, &cs->err);
    if (cs->req.db)
        writes_after(&cs->req, cs->route);
    if (cs->st == CC_STORAGE)
        drop_worker_db();
}

/* The writes after a request that ran on another connection. */
static void run_on_worker_writes(conn_state *cs)
{
    cc_error ignored;
    cs->req.db = worker_db(cs->req.server, &ignored);
    if (cs->req.db)
        writes_after(&cs->req, cs->route);
}

static void prepare_for_batch(conn_state *cs);
static void answer_after_batch(conn_state *cs);

static void run_on_worker(worker_job *job)
{
    conn_state *cs = (conn_state *)(void *)((char *)job - offsetof(conn_state, job));
    if (cs->work == WORK_BATCH) {
        prepare_for_batch(cs);
        return;
    }
    if (cs->work == WORK_ANSWER) {
        answer_after_batch(cs);
        return;
    }
    if (cs->work == WORK_ALL)
        run_alone(cs);
    else /* the read ran on a polling thread's connection */
        run_on_worker_writes(cs);
    answer_from_worker(cs);
}

/* ---- the commit queue (commit_queue.h) ----
 * The writes of authenticated users run in batches: one write transaction
 * and one durable commit for every request waiting, each request's action
 * in its own savepoint (db_batch_begin), so that a request that fails
 * leaves nothing and the others stay. Every request of a batch is answered
 * after the batch's commit, never before. A request's credentials, body
 * and sites are checked first on any worker, in parallel, as a write alone
 * checks them before its transaction; only its action waits for the batch.
 * The logins and public forms (their password hashes and throttles) and the
 * long reads run alone. */
static bool batched(const api_route *route)
{
    return !(route->flags & (ROUTE_NO_DB | ROUTE_READ_ONLY | ROUTE_SLOW)) &&
           !(route->roles & ROLE_PUBLIC);
}

/* One checked request in the batch's transaction, up to the end of its
 * action. */
static void run_in_batch(conn_state *cs, db *d)
{
    api_request *req = &cs->req;
    req->db = d;
    cs->st = act(cs, 1, &cs->err);
    db_rollback(d); /* an action its handler left open; the batch goes on */
    /* aborted for another transaction's sake (a deadlock with another
     * program): once the batch has released the write lock it runs again */
    cs->again = app_transaction_aborted(cs->st, &cs->err);
    if (!cs->again)
        writes_after(req, cs->route);
}

/* A request whose batch was lost before its commit, or that the database
 * aborted: its handler again, alone, on a clean answer. */
static void run_again_alone(conn_state *cs)
{
    api_request *req = &cs->req;
    forget_answer(req, cs->events_prepared);
    cc_error_clear(&cs->err);
    req->db = worker_db(req->server, &cs->err);
    cs->st = req->db ? act(cs, HANDLER_ATTEMPTS, &cs->err) : cs->err.status;
    if (cs->st == CC_OK)
        cs->st = log_access(req, cs->route, &cs->err);
    if (req->db) {
        db_rollback(req->db);
        writes_after(req, cs->route);
    }
    if (cs->st == CC_STORAGE)
        drop_worker_db();
}

/* A request done in a batch that did not commit: it answers the commit's
 * error, as it would have alone; one that failed on its own keeps its error. */
static void fail_with_batch(conn_state *cs, const cc_error *err)
{
    if (cs->st != CC_OK && !cs->again)
        return;
    forget_answer(&cs->req, cs->events_prepared);
    cs->st = err->status;
    cs->err = *err;
    cs->again = false;
}

static void hand_answer_over(conn_state *cs);

static void run_batch(void *ctx, commit_job **jobs, int n)
{
    api_server *server = ctx;
    conn_state *batch[COMMIT_BATCH_MAX];
    for (int i = 0; i < n; i++)
        batch[i] = (conn_state *)(void *)((char *)jobs[i] - offsetof(conn_state, commit));
    cc_error err;
    cc_error_clear(&err);
    db *d = worker_db(server, &err);
    int ran = 0;
    bool lost = false;
    if (d && db_batch_begin(d, &err) == CC_OK) {
        while (ran < n && db_batch_intact(d))
            run_in_batch(batch[ran++], d);
        lost = !db_batch_intact(d);
        if (lost) { /* the engine rolled it back: the requests run alone */
            db_batch_rollback(d);
            for (int i = 0; i < ran; i++)
                batch[i]->again = true;
        } else if (db_batch_commit(d, &err) != CC_OK) {
            for (int i = 0; i < ran; i++)
                fail_with_batch(batch[i], &err);
            if (err.status == CC_STORAGE)
                drop_worker_db();
        }
    }
    for (int i = 0; i < n; i++) {
        conn_state *cs = batch[i];
        if (i >= ran || cs->again) {
            run_again_alone(cs);
            answer_from_worker(cs);
        } else if (n > 1) {
            hand_answer_over(cs);
        } else { /* alone: no batch waits behind it */
            answer_after_batch(cs);
        }
    }
}

/* A request of a batch, once the batch is durable (or failed). */
static void answer_after_batch(conn_state *cs)
{
    if (cs->st == CC_OK)
        cs->st = log_access(&cs->req, cs->route, &cs->err);
    answer_from_worker(cs);
}

/* The answers are made on the other workers while this one runs the next
 * batch: only the actions and the commit wait in line. */
static void hand_answer_over(conn_state *cs)
{
    cs->req.db = NULL; /* the runner's connection, busy with the next batch */
    cs->work = WORK_ANSWER;
    if (!worker_pool_submit(cs->req.server->workers, &cs->job))
        answer_after_batch(cs); /* the pool is stopping */
}

/* On a worker, in parallel with the others: a write's credentials, body and
 * sites, checked as a write alone checks them before its transaction; then
 * its action goes to the next batch. A refused request is answered here. */
static void prepare_for_batch(conn_state *cs)
{
    api_request *req = &cs->req;
    cc_error_clear(&cs->err);
    cs->st = prepare(cs, &cs->err);
    cs->events_prepared = req->n_events;
    if (cs->st != CC_OK) {
        if (req->db)
            writes_after(req, cs->route);
        if (cs->st == CC_STORAGE)
            drop_worker_db();
        answer_from_worker(cs);
        return;
    }
    if (commit_queue_submit(req->server->commits, &cs->commit))
        return;          /* the batch answers */
    run_again_alone(cs); /* stopping: the action runs here, alone */
    answer_from_worker(cs);
}

/* Suspends the connection and queues its work; the library calls
 * on_request again once the worker has resumed it. */
static enum MHD_Result hand_to_worker(struct MHD_Connection *c, conn_state *cs, int work)
{
    cs->work = work;
    cs->job.run = run_on_worker;
    MHD_suspend_connection(c);
    /* A pool that is stopping (shutdown) refuses: the work runs here, and
     * still resumes the connection itself. */
    if (!worker_pool_submit(cs->req.server->workers, &cs->job))
        run_on_worker(&cs->job);
    return MHD_YES;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, conn_state *cs)
{
    api_request *req = &cs->req;
    cc_error err;
    cc_error_clear(&err);
    if (check_head(cs, &err) != CC_OK)
        return send_error(c, req, &err);
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
        cc_fail(&err, CC_INVALID, "", "method_not_allowed", "method %s not allowed here",
                req->method);
        return send_error(c, req, &err);
    }
    if (cs->too_large) {
        cc_fail(&err, CC_TOO_LARGE, "", "body_too_large", "the request body exceeds %zu bytes",
                cs->body_limit);
        return send_error(c, req, &err);
    }
    if (batched(cs->route) && cs->req.server->commits)
        return hand_to_worker(c, cs, WORK_BATCH);
    if (runs_on_worker(cs->route))
        return hand_to_worker(c, cs, WORK_ALL);
    cc_error_clear(&cs->err);
    cs->st = handle(cs, &cs->err);
    if (cs->st == CC_STORAGE)
        drop_worker_db();
    if (has_writes_after(cs))
        return hand_to_worker(c, cs, WORK_WRITES_AFTER);
    return queue_answer(c, req, answer_response(req, cs->st, &cs->err));
}

static conn_state *conn_state_new(api_server *server, struct MHD_Connection *c)
{
    arena *a = arena_create(REQUEST_ARENA_CAP);
    if (!a)
        return NULL;
    conn_state *cs = arena_alloc(a, sizeof *cs);
    if (!cs) {
        arena_release(a);
        return NULL;
    }
    cs->req.arena = a;
    cs->req.server = server;
    cs->req.limits = &server->limits;
    cs->req.data_dir = server->config.data_dir;
    cs->req.may_read = route_may_read;
    cs->req.connection = c;
    return cs;
}

/* The library's first look at a request: the target as sent. What it
 * returns is the request's state from then on. */
static void *on_target(void *cls, const char *target, struct MHD_Connection *c)
{
    conn_state *cs = conn_state_new(cls, c);
    if (cs) {
        cs->target_len = strlen(target);
        cs->target_control = target_has_control(target);
    }
    return cs;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    api_server *server = cls;
    conn_state *cs = *req_cls;
    if (!cs)
        return MHD_NO; /* on_target could not allocate */
    if (!cs->started) {
        arena *a = cs->req.arena;
        cs->req.method = arena_strdup(a, method);
        cs->req.path = arena_strdup(a, url);
        cs->http11 = strcmp(version, MHD_HTTP_VERSION_1_1) == 0;
        clock_gettime(CLOCK_MONOTONIC, &cs->start);
        cs->match = api_route_find(method, url, a, cs->req.params, &cs->route);
        cs->body_limit =
            cs->route && cs->route->body_limit ? cs->route->body_limit : DEFAULT_BODY_LIMIT;
        buf_init(&cs->body, cs->body_limit);
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > cs->body_limit)
            cs->too_large = true;
        resolve_client(server, &cs->req);
        atomic_fetch_add(&in_flight, 1);
        cs->started = true;
        return MHD_YES;
    }
    if (cs->work != WORK_NONE) {
        /* resumed by its worker; a call before that (not expected while
         * suspended) has nothing to send yet */
        if (!atomic_load_explicit(&cs->answer_ready, memory_order_acquire))
            return MHD_YES;
        struct MHD_Response *r = cs->response;
        cs->response = NULL;
        return queue_answer(c, &cs->req, r);
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
    /* A request the library refused before the handler saw it (its own
     * error page) has only its target: nothing to log or count. */
    if (cs->started && !server->config.quiet) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ms = (double)(end.tv_sec - cs->start.tv_sec) * 1e3 +
                    (double)(end.tv_nsec - cs->start.tv_nsec) / 1e6;
        char at[CC_INSTANT_TEXT];
        store_now_text(at);
        /* the pattern, not the path: a token in a URL stays out of the log */
        const char *shown = cs->route               ? cs->route->pattern
                            : cs->req.status == 200 ? cs->req.path
                                                    : "(no such path)";
        fprintf(stderr, "%s %s %s %s %u %.1fms\n", at, cs->req.remote_addr, cs->req.method, shown,
                cs->req.status ? cs->req.status : 500, ms);
    }
    if (cs->response)
        MHD_destroy_response(cs->response);
    if (cs->req.reply)
        json_decref(cs->req.reply);
    if (cs->started) {
        buf_release(&cs->body);
        atomic_fetch_sub(&in_flight, 1);
    }
    arena_release(cs->req.arena);
    *req_cls = NULL;
}

cc_status api_parse_trusted_proxies(const char *list, api_proxy_net out[API_MAX_TRUSTED_PROXIES],
                                    int *n, cc_error *err)
{
    *n = 0;
    for (const char *p = list ? list : ""; *p;) {
        size_t len = strcspn(p, ",");
        char item[24];
        if (len == 0 || len >= sizeof item || *n == API_MAX_TRUSTED_PROXIES)
            return cc_fail(err, CC_INVALID, "trusted-proxy", "invalid_address",
                           "--trusted-proxy takes up to %d IPv4 addresses or ADDR/BITS, "
                           "separated by commas",
                           API_MAX_TRUSTED_PROXIES);
        memcpy(item, p, len);
        item[len] = '\0';
        long bits = 32;
        char *slash = strchr(item, '/');
        if (slash) {
            char *end;
            *slash = '\0';
            bits = strtol(slash + 1, &end, 10);
            if (end == slash + 1 || *end || bits < 0 || bits > 32)
                bits = -1;
        }
        struct in_addr a;
        if (bits < 0 || inet_pton(AF_INET, item, &a) != 1)
            return cc_fail(err, CC_INVALID, "trusted-proxy", "invalid_address",
                           "--trusted-proxy: %.*s is not an IPv4 address or ADDR/BITS", (int)len,
                           p);
        uint32_t mask = bits == 0 ? 0 : UINT32_MAX << (32 - bits);
        out[(*n)++] = (api_proxy_net){ntohl(a.s_addr) & mask, mask};
        p += len;
        if (*p == ',' && !*++p)
            return cc_fail(err, CC_INVALID, "trusted-proxy", "invalid_address",
                           "--trusted-proxy: the list ends with a comma");
    }
    return CC_OK;
}

/* Enough workers that concurrent writers share the log's syncs (group
 * commit: a sync covers every commit made while it waits); few enough that
 * they do not crowd the readers. CELLCLINIC_WORKERS (1 to 64) overrides. */
enum { WORKERS_DEFAULT = 8, WORKERS_MAX = 64 };

static unsigned worker_count(void)
{
    const char *text = getenv("CELLCLINIC_WORKERS");
    char *end;
    long n = text ? strtol(text, &end, 10) : 0;
    return text && *text && !*end && n >= 1 && n <= WORKERS_MAX ? (unsigned)n : WORKERS_DEFAULT;
}

/* Raises the soft descriptor limit so that every allowed connection has
 * one (poll has no FD_SETSIZE bound); returns how many connections fit. */
static unsigned fit_descriptor_limit(unsigned wanted)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)wanted + SPARE_DESCRIPTORS;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return wanted;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= need)
        return wanted;
    getrlimit(RLIMIT_NOFILE, &rl);
    unsigned fit = rl.rlim_cur > 2 * SPARE_DESCRIPTORS ? (unsigned)(rl.rlim_cur - SPARE_DESCRIPTORS)
                                                       : SPARE_DESCRIPTORS;
    fprintf(stderr, "cellclinic: the descriptor limit allows %u connections, not %u\n", fit,
            wanted);
    return fit;
}

/* The connection's end, for the acceptor's count of open connections. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
        acceptor_connection_closed(cls);
}

cc_status api_server_run(const api_config *config, cc_error *err)
{
    api_server server = {.config = *config};
    if (api_parse_trusted_proxies(config->trusted_proxies, server.proxies, &server.n_proxies,
                                  err) != CC_OK)
        return err->status;
    if (error_text_init(err) != CC_OK) /* parsed once, read by every worker */
        return err->status;
    unsigned max_connections = fit_descriptor_limit(
        config->max_connections ? config->max_connections : API_DEFAULT_MAX_CONNECTIONS);
    unsigned per_address =
        config->per_address_connections < max_connections ? config->per_address_connections : 0;
    unsigned idle_timeout =
        config->idle_timeout_s ? config->idle_timeout_s : API_DEFAULT_IDLE_TIMEOUT_S;
    server.limits.login_by_user = ratelimit_create("login_user", 5, 15 * 60);
    server.limits.login_by_addr = ratelimit_create("login_address", 20, 15 * 60);
    server.limits.public_form = ratelimit_create("public_form", 10, 3600);
    cc_status st = CC_OK;
    struct MHD_Daemon *daemon = NULL;
    acceptor *accepting = NULL;
    if (!server.limits.login_by_user || !server.limits.login_by_addr ||
        !server.limits.public_form) {
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        goto out;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(config->port)};
    if (inet_pton(AF_INET, config->host, &addr.sin_addr) != 1) {
        st = cc_fail(err, CC_INVALID, "listen", "invalid_address",
                     "--listen needs an IPv4 address and port");
        goto out;
    }
    int listen_fd = acceptor_listen(&addr);
    if (listen_fd < 0) {
        st = cc_fail(err, CC_STORAGE, "listen", "cannot_listen", "cannot listen on %s:%u: %s",
                     config->host, (unsigned)config->port, strerror(errno));
        goto out;
    }
    accepting = acceptor_new(listen_fd, max_connections);
    if (!accepting) {
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        goto out;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* worker threads inherit the mask */

    server.access = access_queue_start(config->data_dir);
    if (!server.access) {
        st = cc_fail(err, CC_INTERNAL, NULL, "thread", "cannot start the access log writer");
        goto out;
    }
    server.workers = worker_pool_start(worker_count());
    server.commits =
        server.workers ? commit_queue_create(server.workers, run_batch, &server) : NULL;
    if (!server.commits) {
        worker_pool_stop(server.workers);
        commit_queue_release(server.commits);
        access_queue_stop(server.access);
        st = cc_fail(err, CC_INTERNAL, NULL, "thread", "cannot start the worker threads");
        goto out;
    }
    /* poll(), not epoll: libmicrohttpd 0.9.75's epoll loop takes 128 events
     * a call and, after a full batch, waits again with the whole idle
     * timeout, so a thread with 128 or more connections readable at once
     * stops until a connection times out (one thread fell from tens of
     * thousands to a few hundred answers/s at 256 connections, and the
     * connection timed out lost its request). The poll loop looks at every
     * connection on each turn. A pool of one is no pool to the library: it
     * is not asked for, which spares a warning. */
    struct MHD_OptionItem pool[] = {
        {config->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, config->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, &server, MHD_OPTION_ARRAY, pool, MHD_OPTION_URI_LOG_CALLBACK,
        on_target, &server, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &server,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, accepting, MHD_OPTION_CONNECTION_TIMEOUT,
        idle_timeout, MHD_OPTION_CONNECTION_LIMIT,
        acceptor_daemon_limit(max_connections, config->threads), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        per_address, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_END);
    if (!daemon) {
        worker_pool_stop(server.workers);
        commit_queue_release(server.commits);
        access_queue_stop(server.access);
        st = cc_fail(err, CC_INTERNAL, NULL, "thread", "cannot start the polling threads");
        goto out;
    }
    expiry_timer timer;
    bool timer_started = expiry_timer_start(&timer, config->data_dir);
    if (!timer_started || !acceptor_start(accepting, daemon)) {
        if (timer_started)
            expiry_timer_stop(&timer);
        worker_pool_stop(server.workers);
        commit_queue_release(server.commits);
        MHD_stop_daemon(daemon);
        access_queue_stop(server.access);
        st = cc_fail(err, CC_INTERNAL, NULL, "thread",
                     timer_started ? "cannot start the acceptor" : "cannot start the expiry timer");
        goto out;
    }
    printf("cellclinic: serving http://%s:%u/ with %u threads (data: %s)\n", config->host,
           (unsigned)config->port, config->threads, config->data_dir);
    fflush(stdout);
    int sig;
    sigdelset(&stop, SIGPIPE);
    sigwait(&stop, &sig);
    fprintf(stderr, "cellclinic: stopping (signal %d); finishing requests in flight\n", sig);
    acceptor_stop(accepting); /* no new connection from here */
    for (int waited = 0; atomic_load(&in_flight) > 0 && waited < SHUTDOWN_GRACE_MS; waited += 10)
        usleep(10000);
    /* Every worker's request finished and its connection resumed: the
     * library refuses to stop with a connection suspended. */
    worker_pool_stop(server.workers);
    unsigned long long writes, batches;
    int largest;
    commit_queue_counts(server.commits, &writes, &batches, &largest);
    fprintf(stderr, "cellclinic: %llu writes committed in %llu batches (the largest: %d)\n", writes,
            batches, largest);
    commit_queue_release(server.commits);
    MHD_stop_daemon(daemon);
    acceptor_free(accepting);
    accepting = NULL;
    expiry_timer_stop(&timer);
    access_queue_stop(server.access); /* writes the rows still queued */
    close_all_dbs();
out:
    acceptor_free(accepting);
    ratelimit_free(server.limits.login_by_user);
    ratelimit_free(server.limits.login_by_addr);
    ratelimit_free(server.limits.public_form);
    return st;
}

void api_routes_print(FILE *out)
{
    fprintf(out, "[\n");
    for (size_t i = 0; i < api_route_count; i++) {
        char roles[128];
        api_route_roles_text(&api_routes[i], roles, sizeof roles);
        fprintf(out, "  {\"method\": \"%s\", \"path\": \"%s\", \"roles\": [", api_routes[i].method,
                api_routes[i].pattern);
        /* roles text is "a, b, c": print each name quoted */
        const char *p = roles;
        while (*p) {
            size_t len = strcspn(p, ",");
            fprintf(out, "\"%.*s\"%s", (int)len, p, p[len] ? ", " : "");
            p += len;
            while (*p == ',' || *p == ' ')
                p++;
        }
        const char *kind = api_route_access_kind(&api_routes[i]);
        fprintf(out, "]%s%s%s}%s\n", kind ? ", \"access\": \"" : "", kind ? kind : "",
                kind ? "\"" : "", i + 1 < api_route_count ? "," : "");
    }
    fprintf(out, "]\n");
}
