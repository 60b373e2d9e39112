#include "api/site_scope.h"

#include <string.h>

#include "store/sites.h"

/* The largest id api_param_id accepts: no table holds that many rows. */
static const char NO_RECORD[] = "999999999999";

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

cc_status api_site_scope(api_request *req, const api_route *route, cc_error *err)
{
    if (!req->authenticated || !req->db)
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
        req->params[0] = NO_RECORD;
        return CC_OK;
    }
    return CC_OK;
}
