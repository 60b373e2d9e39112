/*
 * request: what a handler sees of one HTTP request, and how it answers.
 *
 * The server fills an api_request, checks the route's permission, parses the
 * JSON body (an object, or NULL for bodiless methods) and calls the handler.
 * A handler answers by setting status and body (a jansson value the request
 * owns: api_reply steals the reference) or by returning a failure status
 * with err filled; the server renders errors as
 * {"error":{"code","message","field"}} with the mapped HTTP status.
 * Everything hangs on req->arena and is released after the response is sent,
 * so a handler never frees.
 */
#ifndef CC_REQUEST_H
#define CC_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/ratelimit.h"
#include "core/arena.h"
#include "core/status.h"
#include "store/users.h"

enum { API_MAX_PARAMS = 4, API_MAX_HEADERS = 4, API_MAX_EVENTS = 2 };

typedef struct api_server api_server;
typedef struct db db; /* store/db.h: the worker thread's connection, passed to app */

/* The server's throttles that handlers count against (ratelimit.h). */
typedef struct {
    ratelimit *login_by_user, *login_by_addr, *public_form;
} api_limits;

typedef struct api_request_s {
    const char *method;
    const char *path;
    const char *params[API_MAX_PARAMS]; /* {placeholders} of the route, in order */
    json_t *body;                       /* parsed object or NULL */
    arena *arena;
    db *db;
    api_server *server;   /* the server's own business: handlers use limits and may_read */
    const char *data_dir; /* for the databases beside the clinical one (access log) */
    api_limits *limits;
    /* Whether the caller's role may GET path according to the route table
     * (the server answers it, so that a handler never depends on the table
     * that names it). */
    bool (*may_read)(const struct api_request_s *req, const char *path);
    struct MHD_Connection *connection;
    /* The client's address: the TCP peer, or the address a trusted proxy
     * forwards (server.c resolves it once per request). */
    const char *remote_addr;
    /* The request reached us over TLS (through a proxy declared as TLS). */
    bool over_tls;
    bool authenticated;
    user_identity who;
    /* The handler reads a replica (serve --read-database) whose data lag
     * behind the primary by replica_lag seconds; reports say so. */
    bool on_replica;
    double replica_lag;
    /* Security events noted during the request (api_note_security_event):
     * the server records them after the handler, outside its transaction,
     * with the address and the route pattern. */
    struct {
        const char *kind, *username;
    } events[API_MAX_EVENTS];
    int n_events;
    /* answer */
    unsigned status;
    json_t *reply;
    const char *header_names[API_MAX_HEADERS];
    const char *header_values[API_MAX_HEADERS];
    int n_headers;
    /* a non-JSON answer (api_reply_raw): bytes in the arena */
    const char *raw_type;
    const void *raw;
    size_t raw_len;
    /* the patients whose identified data the answer shows, for the access
     * log (api_access_note); access_what overrides the route's kind */
    const char *access_what;
    int64_t *access_ids;
    size_t n_access, cap_access;
    bool access_lost; /* a note did not fit in memory: the answer is refused */
    /* query arguments replaced before the handler runs (site_scope.h: an id
     * of another site's record reads as one no record has) */
    const char *query_names[API_MAX_PARAMS], *query_values[API_MAX_PARAMS];
    int n_query;
    const char *hidden_id; /* the id text so replaced (the first), for the error's words */
} api_request;

/* Sets the answer; steals value. */
void api_reply(api_request *req, unsigned status, json_t *value);
/* Answers with bytes of another media type (PDF, PNG, CSV) instead of JSON;
 * data must live in the request's arena (or be static). */
void api_reply_raw(api_request *req, unsigned status, const char *content_type, const void *data,
                   size_t len);
/* Answers with JSON already rendered as text (copied into the arena). */
void api_reply_json_text(api_request *req, unsigned status, const char *text, size_t len);
/* Answers 200 with a page of a list: {"items": <rows_json>, "page",
 * "per_page", "total"}; rows_json is a JSON array as text (sql_rows_json). */
void api_reply_list(api_request *req, const char *rows_json, int64_t page, int64_t per_page,
                    int64_t total);
/* Adds a response header; name and value must outlive the request (arena or literal). */
void api_add_header(api_request *req, const char *name, const char *value);
/* Notes a security event (store/security.h) of kind about username (an
 * existing account, or NULL); copied into the arena. Past API_MAX_EVENTS a
 * note is dropped. */
void api_note_security_event(api_request *req, const char *kind, const char *username);
/* Query-string argument or NULL (a replaced one: its replacement). */
const char *api_query(api_request *req, const char *name);
/* Replaces query argument name for the rest of the request (value: arena or
 * literal); false when API_MAX_PARAMS are replaced already. */
bool api_query_replace(api_request *req, const char *name, const char *value);
/* How many times the query string names the argument ("?a=1&a=2": 2). */
unsigned api_query_count(api_request *req, const char *name);
/* Request header or NULL. */
const char *api_header(api_request *req, const char *name);
/* Path parameter i as a positive id; CC_NOT_FOUND when it is not one. */
cc_status api_param_id(api_request *req, int i, int64_t *id, cc_error *err);
/* page and per_page query arguments with defaults and bounds. */
cc_status api_paging(api_request *req, int64_t *page, int64_t *per_page, cc_error *err);
/* The version a change is based on: If-Match ("N" or N) or an integer
 * "version" in the body; neither is CC_INVALID code "precondition_required" (428). */
cc_status api_expected_version(api_request *req, int64_t *version, cc_error *err);
/* The name of the session cookie: "__Host-cc_session" over TLS (the
 * browser then keeps it to this origin and to https), else "cc_session".
 * A request is only authenticated by the cookie of its own kind. */
const char *api_session_cookie_name(const api_request *req);
/* The acting user for store calls. */
store_actor api_actor(const api_request *req);
/* Formats into arena memory. */
char *api_printf(api_request *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Today's date in the clinic's calendar (UTC for now). */
int32_t api_today(void);

/* Records that the answer shows patient_id's identified data as what
 * ("record", "search", "list", "label", "lookback", "report"); a patient is
 * noted once per request. The server writes the access rows when the
 * request succeeds. */
void api_access_note(api_request *req, const char *what, int64_t patient_id);
/* Notes every patient the JSON answer names: each object with a
 * "family_name" is one patient, its id the object's "patient_id" or else
 * its "id". For routes whose answers list patients. */
void api_access_note_reply(api_request *req, const char *what);

typedef cc_status (*api_handler)(api_request *req, cc_error *err);

#endif
