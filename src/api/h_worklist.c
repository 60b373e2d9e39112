/* The nurse worklist: planned administrations of approved plans
 * for a day and the next, earlier ones not yet given (overdue), and open
 * post-procedure observation tasks, each with its status. */
#include <string.h>

#include "api/handlers.h"
#include "api/lab_api.h"
#include "core/bedside.h"
#include "store/bedside.h"
#include "store/patients.h"
#include "store/plans.h"

static json_t *parsed(const char *text)
{
    json_t *v = json_loads(text ? text : "null", 0, NULL);
    return v ? v : json_null();
}

cc_status api_worklist_administrations(api_request *req, cc_date from, cc_date to,
                                       bool with_overdue, const char *ward, json_t *items,
                                       cc_error *err)
{
    plan_row *plans = NULL;
    size_t n_plans = 0;
    cc_status st = plan_store_list(req->db, req->arena, 0, "active", &plans, &n_plans, err);
    cc_date today = api_today();
    for (size_t i = 0; st == CC_OK && i < n_plans; i++) {
        json_t *body = json_loads(plans[i].body, 0, NULL);
        json_t *admins = json_object_get(body, "administrations");
        patient_record p;
        st = patient_get(req->db, req->arena, plans[i].patient_id, false, &p, err);
        size_t k;
        json_t *a;
        json_array_foreach(admins, k, a)
        {
            if (st != CC_OK)
                break;
            cc_date date;
            if (date_parse(json_string_value(json_object_get(a, "date")), "date", &date, NULL) !=
                CC_OK)
                continue;
            int item = (int)json_integer_value(json_object_get(a, "n"));
            char ref[BEDSIDE_REF_MAX];
            bedside_plan_ref(plans[i].id, item, ref, sizeof ref);
            int64_t given = 0;
            if ((st = bedside_item_record(req->db, ref, &given, err)) != CC_OK)
                break;
            bool in_range = date >= from && date <= to;
            bool overdue = !given && date < today;
            if (!in_range && !(with_overdue && overdue))
                continue;
            buf b;
            buf_init(&b, 1 << 16);
            st = bedside_units_for_ref_json(req->db, ref, &b, err);
            json_t *units = st == CC_OK ? parsed(b.data) : json_array();
            buf_release(&b);
            const char *unit_ward = "";
            size_t u;
            json_t *unit;
            json_array_foreach(units, u, unit)
            {
                const char *w = json_string_value(json_object_get(unit, "issued_ward"));
                if (w && *w)
                    unit_ward = w;
            }
            if (ward && *ward && strcmp(ward, unit_ward) != 0) {
                json_decref(units);
                continue;
            }
            json_t *o = json_pack(
                "{s:s, s:s, s:I, s:i, s:I, s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:s, s:s, s:b, s:o}",
                "kind", "administration", "plan_ref", ref, "plan_id", (json_int_t)plans[i].id,
                "item", item, "patient_id", (json_int_t)p.id, "patient_mrn", p.mrn, "family_name",
                p.family_name, "given_names", p.given_names, "date", json_object_get(a, "date"),
                "route", json_object_get(a, "route"), "product", json_object_get(a, "product"),
                "amount",
                json_object_get(a, "cells") ? json_object_get(a, "cells")
                                            : json_object_get(a, "volume_ul"),
                "status", given ? "given" : "planned", "ward", unit_ward, "overdue", overdue,
                "units", units);
            if (o && given)
                json_object_set_new(o, "administration_id", json_integer((json_int_t)given));
            if (o)
                json_object_set_new(o, "synthetic", json_boolean(p.synthetic));
            json_array_append_new(items, o);
        }
        json_decref(body);
    }
    return st;
}

cc_status h_worklist(api_request *req, cc_error *err)
{
    const char *day_text = api_query(req, "date"), *ward = api_query(req, "ward");
    cc_date day = api_today();
    cc_status st = day_text ? date_parse(day_text, "date", &day, err) : CC_OK;
    if (st == CC_OK && ward && strlen(ward) > 100)
        st = cc_fail(err, CC_INVALID, "ward", "too_long", "ward is longer than 100 bytes");
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    int64_t now = store_now_seconds();
    st = api_worklist_administrations(req, day, day + 1, true, ward, items, err);
    char until[CC_INSTANT_TEXT];
    instant_format((int64_t)(day + 2) * 86400, until);
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    if (st == CC_OK)
        st = observation_tasks_open_json(req->db, until, &b, err);
    json_t *tasks = st == CC_OK ? parsed(b.data) : NULL;
    buf_release(&b);
    if (st != CC_OK) {
        json_decref(items);
        return st;
    }
    size_t k;
    json_t *t;
    char now_text[CC_INSTANT_TEXT];
    instant_format(now, now_text);
    json_array_foreach(tasks, k, t)
    {
        const char *due = json_string_value(json_object_get(t, "due_at"));
        json_object_set_new(t, "overdue", json_boolean(due && strcmp(due, now_text) < 0));
    }
    char day_out[CC_DATE_TEXT];
    date_format(day, day_out);
    api_reply(req, 200,
              json_pack("{s:s, s:s, s:o, s:o}", "date", day_out, "now", now_text, "administrations",
                        items, "tasks", tasks));
    return CC_OK;
}
