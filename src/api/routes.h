/*
 * routes: the one route table of the API, with its permission column.
 *
 * Each row: method, path pattern ("{id}" matches one path segment), handler,
 * the roles allowed, and the largest body accepted. A row with no role bit
 * is denied to everyone: forgetting the column fails closed, and a test
 * walks the table to make sure none is left empty.
 */
#ifndef CC_ROUTES_H
#define CC_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "api/request.h"

enum {
    ROLE_ADMIN = 1 << 0,
    ROLE_COORDINATOR = 1 << 1,
    ROLE_PHYSICIAN = 1 << 2,
    ROLE_NURSE = 1 << 3,
    ROLE_LAB = 1 << 4,
    ROLE_QA = 1 << 5,
    ROLE_ANALYST = 1 << 6,
    ROLES_ANY = (1 << 7) - 1, /* any logged-in role */
    ROLE_PUBLIC = 1 << 8,     /* no login needed */
};

typedef struct {
    const char *method;
    const char *pattern;
    api_handler handler;
    unsigned roles;
    size_t body_limit; /* bytes; 0 means the default (64 KiB) */
    unsigned flags;    /* ROUTE_* below */
} api_route;

enum {
    ROUTE_NO_DB = 1 << 0,     /* answers without the database (liveness) */
    ROUTE_ANY_JSON = 1 << 1,  /* the body may be any JSON value, not only an object */
    ROUTE_READ_ONLY = 1 << 2, /* the handler only reads: run it in one read transaction */
    /* open to a session whose password an administrator reset (it may do
     * nothing else until it has changed the password) */
    ROUTE_PASSWORD_CHANGE = 1 << 3,
    /* open to a session restricted to enrolling its second factor (api/login.h) */
    ROUTE_MFA_ENROLMENT = 1 << 4,
    /* The answer shows identified patient data: its patients go to the
     * access log under this kind (the handler's api_access_note, or else
     * every patient the JSON answer names). */
    ROUTE_ACCESS_RECORD = 1 << 5,
    ROUTE_ACCESS_LIST = 1 << 6,
    ROUTE_ACCESS_LABEL = 1 << 7,
    ROUTE_ACCESS_LOOKBACK = 1 << 8,
    ROUTE_ACCESS_REPORT = 1 << 9,
    /* a read that may compute for long (a report): it runs on the server's
     * workers, not on a thread that serves other connections (server.c) */
    ROUTE_SLOW = 1 << 10,
    /* a read of pooled, possibly lagging data (reports, analysts' exports):
     * with serve --read-database it runs on the replica, after the caller's
     * credentials were checked on the primary (server.c) */
    ROUTE_REPLICA = 1 << 11,
    /* the handler reads its record (the path's id) for the session's site
     * only, another site's being answered as a missing one: site_scope
     * leaves that id alone (one statement fewer per read) */
    ROUTE_SITE_IN_HANDLER = 1 << 12,
};

/* NULL, or what queues the reads of a read-only route's handler (a hint to
 * the engine, db_prefetch) before the credential is looked up, so that they
 * reach PostgreSQL in the lookup's round trip; only the handler reads their
 * rows, after every check (a refused request's are dropped with its
 * transaction). */
typedef void (*api_prefetch)(api_request *req);
api_prefetch api_route_prefetch(const api_route *route);

/* The access-log kind of a route ("record", "list", ...) or NULL. */
const char *api_route_access_kind(const api_route *route);

extern const api_route api_routes[];
extern const size_t api_route_count;

/* Bit of a role name, 0 when unknown. */
unsigned api_role_bit(const char *role);
/* Role names allowed by a route, as written in docs/api.md ("public", "any",
 * or a comma-separated list). Writes into out. */
void api_route_roles_text(const api_route *route, char *out, size_t cap);

typedef enum { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD } route_match;

/* Finds the route for method and path; params receive arena copies of the
 * placeholders. */
route_match api_route_find(const char *method, const char *path, arena *a,
                           const char *params[API_MAX_PARAMS], const api_route **out);

#endif
