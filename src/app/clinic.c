#include "app/clinic.h"

#include "store/sites.h"

cc_status app_clinic_site_set(const app_ctx *c, const site_fields *f, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st == CC_OK)
        st = site_update_latest(c->d, &c->actor, c->site_id, f, err);
    return db_tx_end(c->d, st, err);
}
