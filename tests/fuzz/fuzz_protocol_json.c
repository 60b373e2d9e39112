/* libFuzzer target: a protocol version as POST /api/v1/protocols receives it.
 * Any bytes must give CC_OK or a named-field error, never a crash
 * or a leak; a protocol that is accepted must plan every allowed count in an
 * empty clinic, and every plan must pass planner_check (H5) with doses inside
 * the bounds (H4). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "app/protocol_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    protocol p;
    cc_error err;
    cc_status st = protocol_from_json(body, &p, &err);
    json_decref(body);
    if (st != CC_OK) {
        if (st != CC_INVALID)
            abort(); /* bad input is CC_INVALID, nothing else */
        return 0;
    }
    planner_calendar cal = {0};
    for (int r = 0; r < RT_COUNT; r++)
        cal.capacity[r] = 1;
    for (int count = p.admin_min; count <= p.admin_max; count++) {
        dose_input in = {p.dose.weight_min_g, 20000, -1, 20000};
        if (p.dose.age_required)
            in.age_years = p.dose.age_min_years;
        dose_result dose;
        if (dose_compute(&p.dose, count, &in, &dose, &err) != CC_OK)
            continue; /* a count no whole step can satisfy is refused, by design */
        if (!dose_within_bounds(&p.dose, count, dose.per_admin, in.weight_g))
            abort();
        planner_request q = {.protocol = &p, .count = count, .product = p.default_product,
                             .per_admin = dose.per_admin, .earliest = 20000};
        plan pl;
        if (planner_plan(&q, &cal, &pl, &err) != CC_OK || planner_check(&q, &cal, &pl, &err) != CC_OK)
            abort(); /* protocol_check promised an empty clinic fits every count */
        quote qt;
        quote_build(&p, &pl, &qt, &err);
    }
    return 0;
}
