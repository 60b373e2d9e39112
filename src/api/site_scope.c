#include "api/site_scope.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "store/sites.h"

/* The largest id api_param_id accepts: no table holds that many rows. */
static const char NO_RECORD[] = "999999999999";
static const json_int_t NO_RECORD_ID = 999999999999LL;

static const struct {
    const char *pattern; /* the route's pattern, or the start of it before a '/' */
    site_record kind;
} SCOPED[] = {
    {"/api/v1/patients/{id}", SITE_PATIENT},
    {"/api/v1/lookback/patients/{id}", SITE_PATIENT},
    {"/api/v1/plans/{id}", SITE_PLAN},
    {"/api/v1/administrations/{id}", SITE_ADMINISTRATION},
    {"/api/v1/donors/{id}", SITE_DONOR},
    {"/api/v1/lookback/donors/{id}", SITE_DONOR},
    {"/api/v1/batches/{id}", SITE_BATCH},
    {"/api/v1/lookback/batches/{id}", SITE_BATCH},
    {"/api/v1/units/{id}", SITE_UNIT},
    {"/api/v1/screenings/{id}", SITE_SCREENING},
    {"/api/v1/adverse-events/{id}", SITE_ADVERSE_EVENT},
    {"/api/v1/follow-up/{id}", SITE_FOLLOWUP_VISIT},
    {"/api/v1/collections/{id}", SITE_COLLECTION},
    {"/api/v1/lookback/collections/{id}", SITE_COLLECTION},
};

/* Records named by id in a body or a query: each route that takes one,
 * the argument and the record it names (an array of ids: each of them). */
typedef enum { IN_BODY, IN_QUERY } place;
static const struct {
    const char *method, *pattern;
    place at;
    const char *name;
    site_record kind;
} NAMED[] = {
    {"POST", "/api/v1/administrations/verify", IN_BODY, "plan_id", SITE_PLAN},
    {"POST", "/api/v1/administrations", IN_BODY, "plan_id", SITE_PLAN},
    {"GET", "/api/v1/administrations", IN_QUERY, "patient_id", SITE_PATIENT},
    {"POST", "/api/v1/adverse-events", IN_BODY, "patient_id", SITE_PATIENT},
    {"POST", "/api/v1/adverse-events", IN_BODY, "administration_ids", SITE_ADMINISTRATION},
    {"POST", "/api/v1/adverse-events", IN_BODY, "unit_ids", SITE_UNIT},
    {"PATCH", "/api/v1/adverse-events/{id}", IN_BODY, "administration_ids", SITE_ADMINISTRATION},
    {"PATCH", "/api/v1/adverse-events/{id}", IN_BODY, "unit_ids", SITE_UNIT},
    {"GET", "/api/v1/adverse-events", IN_QUERY, "patient_id", SITE_PATIENT},
    {"GET", "/api/v1/collections", IN_QUERY, "donor_id", SITE_DONOR},
    {"POST", "/api/v1/collections", IN_BODY, "donor_id", SITE_DONOR},
    {"POST", "/api/v1/batches", IN_BODY, "collection_ids", SITE_COLLECTION},
    {"POST", "/api/v1/donors", IN_BODY, "patient_id", SITE_PATIENT},
    {"POST", "/api/v1/plans", IN_BODY, "patient_id", SITE_PATIENT},
    {"GET", "/api/v1/plans", IN_QUERY, "patient_id", SITE_PATIENT},
    {"POST", "/api/v1/screenings", IN_BODY, "patient_id", SITE_PATIENT},
    {"POST", "/api/v1/units/{id}/reserve", IN_BODY, "patient_id", SITE_PATIENT},
    {"POST", "/api/v1/units/{id}/reserve", IN_BODY, "plan_id", SITE_PLAN},
    {"POST", "/api/v1/units/{id}/issue", IN_BODY, "patient_id", SITE_PATIENT},
    {"GET", "/api/v1/planned-administrations", IN_QUERY, "patient_id", SITE_PATIENT},
    {"GET", "/api/v1/follow-up", IN_QUERY, "patient_id", SITE_PATIENT},
    {"GET", "/api/v1/units", IN_QUERY, "batch_id", SITE_BATCH},
};

/* Whether id names a record of another site (or none: then nothing changes
 * either way); CC_OK with *elsewhere, or a database failure. */
static cc_status elsewhere(api_request *req, site_record kind, int64_t id, bool *out, cc_error *err)
{
    cc_status st = site_owns(req->db, kind, id, req->who.site_id, "id", err);
    *out = st == CC_NOT_FOUND;
    if (st == CC_NOT_FOUND) {
        cc_error_clear(err);
        st = CC_OK;
    }
    return st;
}

static void remember(api_request *req, const char *sent)
{
    if (!req->hidden_id)
        req->hidden_id = sent;
}

static cc_status hide_body_id(api_request *req, json_t *v, site_record kind, cc_error *err)
{
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return CC_OK; /* the handler's own answer to a malformed id */
    bool hide;
    cc_status st = elsewhere(req, kind, json_integer_value(v), &hide, err);
    if (st == CC_OK && hide) {
        remember(req, api_printf(req, "%lld", (long long)json_integer_value(v)));
        json_integer_set(v, NO_RECORD_ID);
    }
    return st;
}

static cc_status hide_named(api_request *req, size_t i, cc_error *err)
{
    if (NAMED[i].at == IN_QUERY) {
        const char *v = api_query(req, NAMED[i].name);
        char *end;
        long long id = v ? strtoll(v, &end, 10) : 0;
        if (!v || end == v || *end || id < 1)
            return CC_OK;
        bool hide;
        cc_status st = elsewhere(req, NAMED[i].kind, id, &hide, err);
        if (st == CC_OK && hide) {
            remember(req, v);
            if (!api_query_replace(req, NAMED[i].name, NO_RECORD))
                st = cc_fail(err, CC_INTERNAL, NULL, "too_many", "too many scoped arguments");
        }
        return st;
    }
    json_t *v = json_object_get(req->body, NAMED[i].name);
    if (!json_is_array(v))
        return hide_body_id(req, v, NAMED[i].kind, err);
    size_t k;
    json_t *e;
    cc_status st = CC_OK;
    json_array_foreach(v, k, e)
    {
        if ((st = hide_body_id(req, e, NAMED[i].kind, err)) != CC_OK)
            break;
    }
    return st;
}

cc_status api_site_scope(api_request *req, const api_route *route, cc_error *err)
{
    if (!req->authenticated || !req->db)
        return CC_OK;
    for (size_t i = 0; i < sizeof NAMED / sizeof *NAMED; i++) {
        if (strcmp(route->method, NAMED[i].method) != 0 ||
            strcmp(route->pattern, NAMED[i].pattern) != 0)
            continue;
        cc_status st = hide_named(req, i, err);
        if (st != CC_OK)
            return st;
    }
    if (route->flags & ROUTE_SITE_IN_HANDLER)
        return CC_OK;
    for (size_t i = 0; i < sizeof SCOPED / sizeof *SCOPED; i++) {
        size_t n = strlen(SCOPED[i].pattern);
        if (strncmp(route->pattern, SCOPED[i].pattern, n) != 0 ||
            (route->pattern[n] != '\0' && route->pattern[n] != '/'))
            continue;
        int64_t id;
        cc_error ignored;
        if (api_param_id(req, 0, &id, &ignored) != CC_OK)
            return CC_OK;
        cc_status st = site_owns(req->db, SCOPED[i].kind, id, req->who.site_id, "id", err);
        if (st != CC_NOT_FOUND)
            return st;
        /* the handler answers as for a record that does not exist, in its own
         * order (a signature checks the password first, whatever the record) */
        cc_error_clear(err);
        remember(req, req->params[0]);
        req->params[0] = NO_RECORD;
        return CC_OK;
    }
    return CC_OK;
}

void api_site_scope_answer(const api_request *req, cc_error *err)
{
    char *at = req->hidden_id ? strstr(err->message, NO_RECORD) : NULL;
    if (!at)
        return;
    char rest[sizeof err->message];
    snprintf(rest, sizeof rest, "%s", at + strlen(NO_RECORD));
    size_t used = (size_t)(at - err->message);
    snprintf(at, sizeof err->message - used, "%s%s", req->hidden_id, rest);
}
