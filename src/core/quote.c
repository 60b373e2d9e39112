#include "quote.h"

#include <stdio.h>
#include <string.h>

#define PRICE_LIMIT INT64_C(100000000000) /* 10^11 cents: one billion euros */

static cc_status add(quote *q, const char *code, const char *detail, int quantity, int64_t unit,
                     cc_error *err)
{
    if (unit < 0 || unit >= PRICE_LIMIT || quantity < 0 || q->n_lines >= QUOTE_MAX_LINES)
        return cc_fail(err, CC_INVALID, "price", "invalid_value", "price out of range for %s",
                       code);
    quote_line *l = &q->lines[q->n_lines++];
    snprintf(l->code, sizeof l->code, "%s", code);
    snprintf(l->detail, sizeof l->detail, "%s", detail);
    l->quantity = quantity;
    l->unit_cents = unit;
    l->amount_cents = unit * quantity;
    q->total_cents += l->amount_cents;
    return CC_OK;
}

cc_status quote_build(const protocol *p, const plan *pl, quote *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->currency, sizeof out->currency, "%s", p->price.currency);
    cc_status st = add(out, "stay", "", pl->stay_days, p->price.stay_per_day, err);
    for (int i = 0; st == CC_OK && i < pl->n_admins; i++) {
        product_type t = pl->admins[i].product;
        st = add(out, "administration", protocol_product_name(t), 1, p->price.administration[t],
                 err);
    }
    for (int i = 0; st == CC_OK && i < pl->n_ancillary; i++) {
        const ancillary_programme *a = &p->ancillary[pl->ancillary[i].index];
        char code[48];
        snprintf(code, sizeof code, "ancillary:%s", a->id);
        st = add(out, code, a->id, pl->ancillary[i].sessions, a->price_cents, err);
    }
    if (st == CC_OK)
        st = add(out, "examinations", "", 1, p->price.examinations, err);
    if (st != CC_OK)
        return st;
    out->range_min_cents = p->price.range_min;
    out->range_max_cents = p->price.range_max;
    out->outside_range =
        out->total_cents < out->range_min_cents || out->total_cents > out->range_max_cents;
    return CC_OK;
}
