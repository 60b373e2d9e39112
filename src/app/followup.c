#include "app/followup.h"

#include <jansson.h>
#include <stdlib.h>

#include "store/followup.h"
#include "store/plans.h"

/* The follow-up schedule of a stored plan body, as store rows (arena memory). */
static cc_status schedule_of(app_ctx *c, const char *body_text, followup_spec **out, int *n_out,
                             cc_error *err)
{
    json_t *body = json_loads(body_text, 0, NULL);
    if (!body)
        return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan", "stored plan does not parse");
    arena_on_release(c->arena, (arena_cleanup_fn)json_decref, body);
    json_t *fu = json_object_get(body, "follow_up");
    size_t n = json_array_size(fu);
    followup_spec *specs = arena_alloc(c->arena, (n + 1) * sizeof *specs);
    if (!specs)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(fu, i);
        char *instruments =
            json_dumps(json_object_get(v, "instruments"), JSON_COMPACT | JSON_ENCODE_ANY);
        if (instruments)
            arena_on_release(c->arena, free, instruments);
        specs[i] = (followup_spec){json_string_value(json_object_get(v, "label")),
                                   (int)json_integer_value(json_object_get(v, "months")),
                                   json_string_value(json_object_get(v, "date")),
                                   json_string_value(json_object_get(v, "window_start")),
                                   json_string_value(json_object_get(v, "window_end")),
                                   instruments ? instruments : "[]"};
        if (!specs[i].label || !specs[i].target_date || !specs[i].window_start ||
            !specs[i].window_end)
            return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan",
                           "stored follow-up visit %zu is incomplete", i + 1);
    }
    *out = specs;
    *n_out = (int)n;
    return CC_OK;
}

cc_status app_followup_sync_plan(app_ctx *c, int64_t plan_id, int *created, int *redated,
                                 cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    plan_row row;
    followup_spec *specs = NULL;
    int n = 0;
    if ((st = plan_store_get(c->d, c->arena, plan_id, &row, err)) == CC_OK &&
        (st = schedule_of(c, row.body, &specs, &n, err)) == CC_OK)
        st = followup_store_sync(c->d, &c->actor, plan_id, specs, n, created, redated, err);
    return db_tx_end(c->d, st, err);
}
