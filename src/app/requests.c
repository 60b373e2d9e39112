#include "app/requests.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "store/consults.h"
#include "store/clock.h"

cc_status app_request_create(const app_ctx *c, const consult_fields *f, int64_t *id, cc_error *err)
{
    cc_status st = consult_check(f, store_today(), err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = consult_create(c->d, &c->actor, f, c->synthetic, id, err);
    return db_tx_end(c->d, st, err);
}

/* The family name is the last word of the request's name, the given names
 * what comes before it (empty when the name is one word). */
static const char *name_part(arena *a, const char *name, bool family)
{
    const char *space = strrchr(name, ' ');
    if (!space)
        return family ? name : "";
    return family ? arena_strdup(a, space + 1) : arena_strndup(a, name, (size_t)(space - name));
}

static const char *either(const char *given, const char *fallback)
{
    return given ? given : fallback;
}

cc_status app_request_convert(const app_ctx *c, int64_t id, const app_request_conversion *in,
                              int64_t *patient_id, patient_matches *dup, cc_error *err)
{
    dup->n = 0;
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    consult_record r;
    if ((st = consult_get(c->d, c->arena, id, &r, err)) == CC_OK &&
        (st = consult_check_open(r.status, err)) == CC_OK) {
        patient_fields f = {
            in->family_name ? in->family_name : name_part(c->arena, r.name, true),
            in->given_names ? in->given_names : name_part(c->arena, r.name, false),
            either(in->birth_date, r.birth_date),
            either(in->sex, "unknown"),
            either(in->language, r.language),
            r.email,
            r.phone,
            NULL,
        };
        consult_condition_row cond = {NULL, NULL, NULL, "{}"};
        char details[32];
        bool has_condition =
            consult_condition(r.diagnosis, r.injury_level, &cond.icd10, &cond.label);
        if (has_condition) {
            /* the visitor's own words name the condition when given */
            if (r.condition && *r.condition)
                cond.label = r.condition;
            cond.onset_date = r.injury_date;
            if (r.injury_level && *r.injury_level) {
                snprintf(details, sizeof details, "{\"level\":\"%s\"}", r.injury_level);
                cond.details_json = details;
            }
        }
        if (!f.family_name || !f.given_names)
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
        else if ((st = patient_check_fields(&f, true, store_today(), err)) == CC_OK &&
                 (!has_condition ||
                  (st = patient_check_condition(cond.icd10, cond.label, cond.onset_date,
                                                store_today(), err)) == CC_OK))
            st = consult_convert(c->d, &c->actor, id, c->site_id, &f, has_condition ? &cond : NULL,
                                 in->confirm_duplicate, patient_id, dup, err);
    }
    return db_tx_end(c->d, st, err);
}

cc_status app_request_decline(const app_ctx *c, int64_t id, const char *reason, cc_error *err)
{
    cc_status st = consult_check_reason(reason, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = consult_decline(c->d, &c->actor, id, reason, err);
    return db_tx_end(c->d, st, err);
}
