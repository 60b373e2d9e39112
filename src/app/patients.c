#include "app/patients.h"

#include <string.h>

#include <jansson.h>

#include "core/condition.h"
#include "core/date.h"
#include "core/text.h"
#include "store/clock.h"

cc_status app_patient_create(const app_ctx *c, const app_patient_new *n, int64_t *id,
                             patient_matches *dup, cc_error *err)
{
    dup->n = 0;
    int grams = 0;
    cc_status st = patient_check_fields(&n->fields, true, store_today(), err);
    if (st == CC_OK && n->has_weight)
        st = patient_check_weight(n->weight_kg, "weight_kg", &grams, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    /* The duplicate lookup runs in here, under the write lock. */
    st = patient_create_in_tx(c->d, &c->actor, &n->fields, c->site_id, c->synthetic,
                              n->confirm_duplicate, grams, id, dup, err);
    return db_tx_end(c->d, st, err);
}

/* A reason is required and kept in the audit entry: clean text, line breaks allowed. */
static cc_status check_reason(const char *reason, cc_error *err)
{
    cc_status st = audit_require_reason(true, reason, err);
    if (st == CC_OK && !text_is_clean_utf8(reason, strlen(reason), true))
        st =
            cc_fail(err, CC_INVALID, "reason", "invalid_text",
                    "reason must be UTF-8 text without control or invisible formatting characters");
    return st;
}

cc_status app_patient_update(const app_ctx *c, int64_t id, int64_t expected_version,
                             const patient_fields *f, const char *reason, cc_error *err)
{
    cc_status st = patient_check_fields(f, false, store_today(), err);
    if (st == CC_OK)
        st = check_reason(reason, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = patient_update(c->d, &c->actor, id, expected_version, f, reason, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_patient_add_weight(const app_ctx *c, int64_t id, const char *date, double kg,
                                 int64_t *weight_id, int *grams, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    patient_record p;
    if ((st = patient_get(c->d, c->arena, id, false, &p, err)) == CC_OK &&
        (st = patient_check_weight_date(date, p.birth_date, store_today(), err)) == CC_OK &&
        (st = patient_check_weight(kg, "kg", grams, err)) == CC_OK)
        st = patient_add_weight(c->d, &c->actor, id, date, *grams, weight_id, err);
    return db_tx_end(c->d, st, err);
}

/* Each detail against its condition's kind (core/condition.h). */
static cc_status check_details(const char *icd10, const char *details_json, cc_error *err)
{
    if (!details_json)
        return CC_OK;
    json_t *details = json_loads(details_json, 0, NULL);
    cc_status st = json_is_object(details) ? CC_OK
                                           : cc_fail(err, CC_INVALID, "details", "invalid_value",
                                                     "details is an object");
    condition_kind kind = condition_kind_of(icd10);
    const char *key;
    json_t *v;
    json_object_foreach(details, key, v)
    {
        if (st != CC_OK)
            break;
        if (!json_is_string(v) && !json_is_number(v))
            st = cc_fail(err, CC_INVALID, "details", "invalid_value",
                         "a detail is a text or a number");
        else
            st = condition_check_detail(kind, key, json_is_number(v), json_string_value(v),
                                        json_number_value(v), err);
    }
    json_decref(details);
    return st;
}

cc_status app_patient_add_condition(const app_ctx *c, int64_t id, const char *icd10,
                                    const char *label, const char *onset_date,
                                    const char *details_json, int64_t *condition_id, cc_error *err)
{
    cc_status st = patient_check_condition(icd10, label, onset_date, store_today(), err);
    if (st == CC_OK)
        st = check_details(icd10, details_json, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = patient_add_condition_in_tx(c->d, &c->actor, id, icd10, label, onset_date, details_json,
                                     condition_id, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_patient_erasure_request(const app_ctx *c, int64_t id, const char *reason,
                                      const char **refusal, patient_trace_links *links,
                                      cc_error *err)
{
    *refusal = NULL;
    cc_status st = check_reason(reason, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    if ((st = patient_trace_links_get(c->d, id, links, err)) == CC_OK) {
        *refusal = patient_erasure_refusal(links);
        st = patient_erasure_request_record(c->d, &c->actor, id, reason, *refusal, err);
    }
    return db_tx_end(c->d, st, err);
}
