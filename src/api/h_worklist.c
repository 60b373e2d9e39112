/* The nurse worklist: planned administrations of approved plans
 * for a day and the next, earlier ones not yet given (overdue), the plans'
 * ancillary sessions (rehabilitation, nutrition, epidural stimulation) of
 * those days, and open post-procedure observation tasks, each with its
 * status and ward. A patient's ward is where the units of their plan were
 * issued (store bedside_plan_ward): the stay records no other. Asked for one
 * real ward, the list leaves out synthetic (demonstration) patients; a
 * demonstration ward (only synthetic patients were ever issued units there)
 * shows its own. */
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

/* Whether the list for ward leaves synthetic patients out: asked for one
 * ward that is not a demonstration ward. */
static cc_status hides_synthetic(api_request *req, const char *ward, bool *hide, cc_error *err)
{
    bool demo = false;
    cc_status st =
        ward && *ward ? bedside_ward_synthetic(req->db, req->who.site_id, ward, &demo, err) : CC_OK;
    *hide = ward && *ward && !demo;
    return st;
}

/* The active plans, and whether the list for ward leaves synthetic patients out. */
static cc_status active_plans(api_request *req, const char *ward, plan_row **plans, size_t *n,
                              bool *hide, cc_error *err)
{
    cc_status st = hides_synthetic(req, ward, hide, err);
    return st == CC_OK
               ? plan_store_list(req->db, req->arena, req->who.site_id, 0, "active", plans, n, err)
               : st;
}

/* A plan's patient and ward. */
static cc_status plan_patient(api_request *req, const plan_row *row, patient_record *p,
                              char ward[BEDSIDE_WARD_MAX], cc_error *err)
{
    cc_status st = patient_get(req->db, req->arena, row->patient_id, false, p, err);
    return st == CC_OK ? bedside_plan_ward(req->db, row->id, ward, err) : st;
}

cc_status api_worklist_administrations(api_request *req, cc_date from, cc_date to,
                                       bool with_overdue, const char *ward, json_t *items,
                                       cc_error *err)
{
    plan_row *plans = NULL;
    size_t n_plans = 0;
    bool one_ward = ward && *ward, hide = false;
    cc_status st = active_plans(req, ward, &plans, &n_plans, &hide, err);
    cc_date today = api_today();
    for (size_t i = 0; st == CC_OK && i < n_plans; i++) {
        patient_record p;
        char plan_ward[BEDSIDE_WARD_MAX];
        if ((st = plan_patient(req, &plans[i], &p, plan_ward, err)) != CC_OK ||
            (hide && p.synthetic))
            continue;
        json_t *body = json_loads(plans[i].body, 0, NULL);
        json_t *admins = json_object_get(body, "administrations");
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
            const char *unit_ward = plan_ward;
            size_t u;
            json_t *unit;
            json_array_foreach(units, u, unit)
            {
                const char *w = json_string_value(json_object_get(unit, "issued_ward"));
                if (w && *w)
                    unit_ward = w;
            }
            if (one_ward && strcmp(ward, unit_ward) != 0) {
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

/* The ancillary sessions of the active plans dated from..to: on each stay
 * day of a programme's first_day..last_day, sessions_per_day of it. */
static cc_status worklist_sessions(api_request *req, cc_date from, cc_date to, const char *ward,
                                   json_t *items, cc_error *err)
{
    plan_row *plans = NULL;
    size_t n_plans = 0;
    bool one_ward = ward && *ward, hide = false;
    cc_status st = active_plans(req, ward, &plans, &n_plans, &hide, err);
    for (size_t i = 0; st == CC_OK && i < n_plans; i++) {
        patient_record p;
        char plan_ward[BEDSIDE_WARD_MAX];
        if ((st = plan_patient(req, &plans[i], &p, plan_ward, err)) != CC_OK ||
            (hide && p.synthetic) || (one_ward && strcmp(ward, plan_ward) != 0))
            continue;
        json_t *body = json_loads(plans[i].body, 0, NULL);
        cc_date start;
        if (date_parse(json_string_value(json_object_get(body, "start")), "start", &start, NULL) !=
            CC_OK) {
            json_decref(body);
            continue;
        }
        for (cc_date date = from; date <= to; date++) {
            int day = (int)(date - start) + 1;
            char date_text[CC_DATE_TEXT];
            date_format(date, date_text);
            size_t k;
            json_t *a;
            json_array_foreach(json_object_get(body, "ancillary"), k, a)
            {
                json_int_t first = json_integer_value(json_object_get(a, "first_day"));
                json_int_t last = json_integer_value(json_object_get(a, "last_day"));
                json_int_t per_day = json_integer_value(json_object_get(a, "sessions_per_day"));
                if (day < first || day > last || per_day < 1)
                    continue;
                json_array_append_new(
                    items,
                    json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:O, s:O, s:I, s:s,"
                              " s:b}",
                              "kind", "session", "plan_id", (json_int_t)plans[i].id, "patient_id",
                              (json_int_t)p.id, "patient_mrn", p.mrn, "family_name", p.family_name,
                              "given_names", p.given_names, "date", date_text, "programme",
                              json_string_value(json_object_get(a, "id")), "day", day, "name",
                              json_object_get(a, "name"), "sessions_per_day",
                              json_object_get(a, "sessions_per_day"), "sessions", per_day, "ward",
                              plan_ward, "synthetic", p.synthetic));
            }
        }
        json_decref(body);
    }
    return st;
}

/* Open observation tasks due before until with their ward; asked for one
 * ward, only that ward's. */
static cc_status worklist_tasks(api_request *req, const char *until, const char *ward, int64_t now,
                                json_t **out, cc_error *err)
{
    bool hide = false;
    cc_status st = hides_synthetic(req, ward, &hide, err);
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    if (st == CC_OK)
        st = observation_tasks_open_json(req->db, req->who.site_id, until, &b, err);
    json_t *all = st == CC_OK ? parsed(b.data) : NULL;
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *tasks = json_array();
    char now_text[CC_INSTANT_TEXT];
    instant_format(now, now_text);
    size_t k;
    json_t *t;
    json_array_foreach(all, k, t)
    {
        char plan_ward[BEDSIDE_WARD_MAX];
        if ((st = bedside_plan_ward(req->db, json_integer_value(json_object_get(t, "plan_id")),
                                    plan_ward, err)) != CC_OK)
            break;
        bool synthetic = json_integer_value(json_object_get(t, "synthetic")) != 0;
        if ((hide && synthetic) || (ward && *ward && strcmp(ward, plan_ward) != 0))
            continue;
        const char *due = json_string_value(json_object_get(t, "due_at"));
        json_object_set_new(t, "overdue", json_boolean(due && strcmp(due, now_text) < 0));
        json_object_set_new(t, "ward", json_string(plan_ward));
        json_object_set_new(t, "synthetic", json_boolean(synthetic));
        json_array_append(tasks, t);
    }
    json_decref(all);
    if (st != CC_OK) {
        json_decref(tasks);
        return st;
    }
    *out = tasks;
    return CC_OK;
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
    json_t *items = json_array(), *sessions = json_array(), *tasks = NULL, *wards = NULL;
    int64_t now = store_now_seconds();
    st = api_worklist_administrations(req, day, day + 1, true, ward, items, err);
    if (st == CC_OK)
        st = worklist_sessions(req, day, day + 1, ward, sessions, err);
    char until[CC_INSTANT_TEXT];
    instant_format((int64_t)(day + 2) * 86400, until);
    if (st == CC_OK)
        st = worklist_tasks(req, until, ward, now, &tasks, err);
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    if (st == CC_OK && (st = bedside_wards_json(req->db, req->who.site_id, &b, err)) == CC_OK)
        wards = parsed(b.data);
    buf_release(&b);
    if (st != CC_OK) {
        json_decref(items);
        json_decref(sessions);
        json_decref(tasks);
        return st;
    }
    char now_text[CC_INSTANT_TEXT];
    instant_format(now, now_text);
    char day_out[CC_DATE_TEXT];
    date_format(day, day_out);
    api_reply(req, 200,
              json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "date", day_out, "now", now_text,
                        "administrations", items, "sessions", sessions, "tasks", tasks, "wards",
                        wards));
    return CC_OK;
}
