/*
 * app/clinic: the administrator's clinic settings use case: the name and
 * public base URL of the site the session works in (store/sites.h, one
 * record per site), checked and written with the audit entry in one
 * transaction, whatever its version (the form carries none). Fields NULL are left as they are.
 * Errors: CC_INVALID naming the field, storage errors; nothing written on
 * any error. Strings are borrowed for the call. Not thread-safe.
 */
#ifndef CC_APP_CLINIC_H
#define CC_APP_CLINIC_H

#include "app/app.h"
#include "store/sites.h"

cc_status app_clinic_site_set(const app_ctx *c, const site_fields *f, cc_error *err);

#endif
