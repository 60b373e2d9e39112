/*
 * app/sites: the administrator's sites and memberships, and a user's switch
 * of the site their session works in (store/sites.h), each checked and
 * written with its audit entry in one transaction. Errors: CC_INVALID naming
 * the field (a site the user is not a member of: field "site"), CC_NOT_FOUND,
 * CC_CONFLICT; nothing written on any error. Strings are borrowed for the
 * call. Not thread-safe.
 */
#ifndef CC_APP_SITES_H
#define CC_APP_SITES_H

#include "app/app.h"
#include "store/sites.h"

cc_status app_site_create(const app_ctx *c, const site_fields *f, int64_t *id, cc_error *err);
cc_status app_site_update(const app_ctx *c, int64_t id, int64_t expected_version,
                          const site_fields *f, cc_error *err);
/* Moves the session to the site of code; *site_id receives it. */
cc_status app_session_switch_site(const app_ctx *c, int64_t session_id, const char *code,
                                  int64_t *site_id, cc_error *err);
cc_status app_user_sites_set(const app_ctx *c, int64_t user_id, const char *const *codes, size_t n,
                             bool all_sites, cc_error *err);

#endif
