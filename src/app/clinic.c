#include "app/clinic.h"

#include "store/clinic_site.h"

cc_status app_clinic_site_set(const app_ctx *c, const char *name, const char *public_base_url,
                              cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st == CC_OK)
        st = clinic_site_set(c->d, &c->actor, name, public_base_url, err);
    return db_tx_end(c->d, st, err);
}
