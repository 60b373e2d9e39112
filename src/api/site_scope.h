/*
 * site_scope: a request reaches only its session's site's records.
 *
 * Routes whose first path parameter is a patient, plan, administration,
 * donor, batch or unit (by id) are checked before their handler runs: for a
 * record of another site the handler sees an id no record has, so that it answers
 * exactly as for a missing record (404, after whatever it checks first: a
 * signature checks the password whatever the record) and the record's
 * existence does not show. Lists and searches filter in the store with
 * the session's site (req->who.site_id). A parameter that is not an id is
 * left to the handler's own answer. Not thread-safe (one request each).
 */
#ifndef CC_API_SITE_SCOPE_H
#define CC_API_SITE_SCOPE_H

#include "api/request.h"
#include "api/routes.h"

cc_status api_site_scope(api_request *req, const api_route *route, cc_error *err);

#endif
