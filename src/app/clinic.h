/*
 * app/clinic: the administrator's clinic settings use case: the clinic's
 * name and public base URL (store/clinic_site), checked and written with
 * the audit entry in one transaction. Fields NULL are left as they are.
 * Errors: CC_INVALID naming the field, storage errors; nothing written on
 * any error. Strings are borrowed for the call. Not thread-safe.
 */
#ifndef CC_APP_CLINIC_H
#define CC_APP_CLINIC_H

#include "app/app.h"

cc_status app_clinic_site_set(const app_ctx *c, const char *name, const char *public_base_url,
                              cc_error *err);

#endif
