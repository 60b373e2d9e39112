/* What the pickers of the interface search: patients by MRN and name only
 * (no chart: the laboratory may find the patient it reserves for and see
 * nothing else), and the planned administrations of one patient that are
 * not given yet, so a unit is reserved for one of them by choosing it. */
#include <ctype.h>
#include <string.h>

#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/lab_api.h"
#include "core/bedside.h"
#include "store/bedside.h"
#include "store/lab.h"
#include "store/patients.h"
#include "store/plans.h"

cc_status h_patient_lookup(api_request *req, cc_error *err)
{
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    const char *q = api_query(req, "q");
    if (st == CC_OK && q && strlen(q) > 200)
        st = cc_fail(err, CC_INVALID, "q", "too_long", "q is longer than 200 bytes");
    req->access_what = q && *q ? "search" : "list";
    if (st == CC_OK)
        st = patient_names_render(req->db, req->who.site_id, q, p.page, p.per_page, p.rows,
                                  &p.total, err);
    return api_page_reply(req, st, &p, err);
}

/* One planned administration of plan row as the picker shows it. */
static json_t *planned_item(const plan_row *row, json_t *a, int item, const char *ref,
                            json_int_t reserved)
{
    char product[24];
    snprintf(product, sizeof product, "%s", json_string_value(json_object_get(a, "product")));
    for (char *c = product; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    json_t *volume = json_object_get(a, "volume_ul");
    return json_pack("{s:I, s:i, s:s, s:O, s:O, s:s, s:O, s:s, s:I}", "plan_id",
                     (json_int_t)row->id, "item", item, "plan_ref", ref, "date",
                     json_object_get(a, "date"), "route", json_object_get(a, "route"),
                     "product_type", product, "amount",
                     volume ? volume : json_object_get(a, "cells"), "dose_unit",
                     volume ? "microlitres" : "cells", "reserved_units", reserved);
}

cc_status h_planned_administrations(api_request *req, cc_error *err)
{
    int64_t patient_id = 0;
    cc_status st = lab_query_id(req, "patient_id", &patient_id, err);
    if (st == CC_OK && patient_id == 0)
        st = cc_fail(err, CC_INVALID, "patient_id", "required", "patient_id is required");
    bool exists = false;
    if (st == CC_OK)
        st = lab_patient_exists(req->db, patient_id, &exists, err);
    if (st == CC_OK && !exists)
        st = cc_fail(err, CC_NOT_FOUND, "patient_id", "not_found", "no patient with id %lld",
                     (long long)patient_id);
    plan_row *plans = NULL;
    size_t n_plans = 0;
    if (st == CC_OK)
        st = plan_store_list(req->db, req->arena, req->who.site_id, patient_id, "active", &plans,
                             &n_plans, err);
    json_t *items = json_array();
    for (size_t i = 0; st == CC_OK && i < n_plans; i++) {
        json_t *body = json_loads(plans[i].body, 0, NULL);
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(body, "administrations"), k, a)
        {
            int item = (int)json_integer_value(json_object_get(a, "n"));
            char ref[BEDSIDE_REF_MAX];
            bedside_plan_ref(plans[i].id, item, ref, sizeof ref);
            int64_t given = 0;
            if ((st = bedside_item_record(req->db, ref, &given, err)) != CC_OK)
                break;
            if (given)
                continue;
            buf b;
            buf_init(&b, 1 << 16);
            st = bedside_units_for_ref_json(req->db, ref, &b, err);
            json_t *units = st == CC_OK ? json_loads(b.data, 0, NULL) : NULL;
            buf_release(&b);
            json_array_append_new(
                items, planned_item(&plans[i], a, item, ref, (json_int_t)json_array_size(units)));
            json_decref(units);
        }
        json_decref(body);
    }
    if (st != CC_OK) {
        json_decref(items);
        return st;
    }
    api_reply(req, 200, json_pack("{s:o}", "items", items));
    return CC_OK;
}
