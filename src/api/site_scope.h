/*
 * site_scope: a request reaches only its session's site's records.
 *
 * Routes whose first path parameter is a patient, plan, administration,
 * donor, batch or unit (by id) are checked before their handler runs: for a
 * record of another site the handler sees an id no record has, so that it answers
 * exactly as for a missing record (404, after whatever it checks first: a
 * signature checks the password whatever the record) and the record's
 * existence does not show (a route marked ROUTE_SITE_IN_HANDLER reads its
 * record for the session's site itself, the check in the read's statement,
 * and gets the same answer). The same holds for the ids a body or a query
 * names (NAMED in site_scope.c: a plan's patient, a collection's donor, an
 * adverse event's administrations and units, a list's patient filter...):
 * another site's id is replaced by one no record has, and an error message
 * naming it names the id sent (api_site_scope_answer). Identifiers looked up
 * by text (MRN, DIN) are scoped where they are looked up (the store's
 * lookups take the site). Lists and searches filter in the store with
 * the session's site (req->who.site_id). A parameter that is not an id is
 * left to the handler's own answer. Not thread-safe (one request each).
 */
#ifndef CC_API_SITE_SCOPE_H
#define CC_API_SITE_SCOPE_H

#include "api/request.h"
#include "api/routes.h"

cc_status api_site_scope(api_request *req, const api_route *route, cc_error *err);
/* After the handler: an error's message that names the replaced id names
 * the one the caller sent, as for a record that does not exist. */
void api_site_scope_answer(const api_request *req, cc_error *err);

#endif
