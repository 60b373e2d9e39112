#include "app/programmes.h"

#include <string.h>

#include "app/protocol_json.h"
#include "store/plans.h"
#include "store/protocols.h"
#include "store/protocols_builtin.h"

cc_status programme_load(db *d, arena *a, const char *id, int version, protocol *out, cc_error *err)
{
    if (!protocol_id_is_valid(id))
        return cc_fail(err, CC_NOT_FOUND, "protocol", "not_found", "no protocol '%.40s'",
                       id ? id : "");
    const char *text = NULL;
    if (d) {
        protocol_row row;
        cc_status st = protocol_store_get(d, a, id, version, &row, err);
        if (st != CC_OK)
            return st;
        text = row.body;
    } else {
        int best = 0;
        for (const protocol_builtin *b = protocol_builtins; b->id; b++)
            if (strcmp(b->id, id) == 0 && (version ? b->version == version : b->version > best)) {
                best = b->version;
                text = b->json;
            }
        if (!text)
            return version ? cc_fail(err, CC_NOT_FOUND, "version", "not_found",
                                     "%s has no version %d", id, version)
                           : cc_fail(err, CC_NOT_FOUND, "protocol", "not_found",
                                     "no protocol '%.40s'", id);
    }
    cc_error inner;
    cc_status st = protocol_from_text(text, out, &inner);
    if (st != CC_OK) /* stored versions were checked when published */
        return cc_fail(err, CC_INTERNAL, "protocol", "corrupt_protocol",
                       "stored protocol %s does not parse: %s", id, inner.message);
    return CC_OK;
}

cc_status programme_plan(const programme_input *in, const planner_calendar *cal, plan *pl,
                         dose_result *dose, quote *q, cc_error *err)
{
    const protocol *p = in->protocol;
    product_type product = p->default_product;
    if (in->product && !protocol_product_parse(in->product, &product))
        return cc_fail(err, CC_INVALID, "product", "invalid_value", "unknown product '%.40s'",
                       in->product);
    int count = in->count ? in->count : p->admin_default;
    if (count < p->admin_min || count > p->admin_max)
        return cc_fail(err, CC_INVALID, "count", "out_of_range",
                       "%s allows %d to %d administrations", p->id, p->admin_min, p->admin_max);
    dose_input di = {in->weight_g, in->weight_date, in->age_years, in->as_of};
    cc_status st = dose_compute(&p->dose, count, &di, dose, err);
    if (st != CC_OK)
        return st;
    planner_request req = {.protocol = p,
                           .count = count,
                           .product = product,
                           .per_admin = dose->per_admin,
                           .earliest = in->earliest,
                           .optional_ancillary = in->optional_ancillary,
                           .n_cycle = in->n_cycle};
    memcpy(req.cycle, in->cycle, sizeof req.cycle);
    if ((st = planner_plan(&req, cal, pl, err)) != CC_OK)
        return st;
    return quote_build(p, pl, q, err);
}

cc_status programme_calendar(db *d, arena *a, int64_t site_id, cc_date earliest,
                             planner_calendar *cal, cc_error *err)
{
    memset(cal, 0, sizeof *cal);
    cal->first = earliest;
    cal->n_days = PLANNER_HORIZON_DAYS + 120 /* lead time */ + PROTOCOL_STAY_LIMIT + 1;
    cal->used = arena_alloc(a, (size_t)cal->n_days * sizeof cal->used[0]);
    if (!cal->used)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return capacity_store_load(d, site_id, cal, err);
}

int programme_age_years(const char *birth_date, cc_date on)
{
    cc_date b;
    cc_error ignored;
    if (!birth_date || date_parse(birth_date, "birth_date", &b, &ignored) != CC_OK)
        return -1;
    return protocol_age_on(b, on);
}
