#include "app/sites.h"

cc_status app_site_create(const app_ctx *c, const site_fields *f, int64_t *id, cc_error *err)
{
    return site_create(c->d, &c->actor, f, id, err);
}

cc_status app_site_update(const app_ctx *c, int64_t id, int64_t expected_version,
                          const site_fields *f, cc_error *err)
{
    return site_update(c->d, &c->actor, id, expected_version, f, err);
}

cc_status app_session_switch_site(const app_ctx *c, int64_t session_id, const char *code,
                                  int64_t *site_id, cc_error *err)
{
    return site_session_switch(c->d, &c->actor, session_id, c->actor.user_id, code, site_id, err);
}

cc_status app_user_sites_set(const app_ctx *c, int64_t user_id, const char *const *codes, size_t n,
                             bool all_sites, cc_error *err)
{
    return site_user_memberships_set(c->d, &c->actor, user_id, codes, n, all_sites, err);
}
