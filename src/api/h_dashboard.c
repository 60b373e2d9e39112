/* The dashboard: the page a user lands on after login, as one
 * read-only answer with a section per worklist of the clinic and the
 * laboratory. Each section is a count, its first DASHBOARD_ITEMS items and
 * the web page that lists them all; a role sees a section only when the
 * route table lets it read the list the section comes from, so the
 * permission stays written in one place (routes.c). Every definition is
 * borrowed from the list it summarises: the bedside worklist's planned
 * administrations, the follow-up worklist's overdue state (core/followup),
 * the adverse-event list, the laboratory's expiry filter and the batch
 * release readiness (core/qc_spec through lab_batch_readiness), the units
 * to receive (the unit list's arriving filter), the consultation-request
 * inbox's new requests. Every section but the group's one inbox counts the
 * session's site's records only. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/lab_api.h"
#include "core/adverse.h"
#include "core/date.h"
#include "core/qc_spec.h"
#include "store/bedside.h"
#include "store/consults.h"
#include "store/followup.h"
#include "store/lab.h"
#include "store/lab_release.h"

enum { DASHBOARD_ITEMS = 20, DAYS_DEFAULT = 7, DAYS_MAX = 90, BATCH_PAGE = 200 };

/* A new object with the listed keys of row (null when row lacks one);
 * "synthetic" (a stored 0/1 or a boolean) always comes out as a boolean. */
static json_t *pick(const json_t *row, const char *const *keys)
{
    json_t *o = json_object();
    for (; *keys; keys++) {
        json_t *v = json_object_get(row, *keys);
        if (strcmp(*keys, "synthetic") == 0)
            json_object_set_new(o, *keys,
                                json_boolean(json_is_true(v) || json_integer_value(v) != 0));
        else
            json_object_set_new(o, *keys, v ? json_incref(v) : json_null());
    }
    return o;
}

static json_t *section(json_int_t total, json_t *items, const char *link)
{
    return json_pack("{s:I, s:o, s:s}", "total", total, "items", items, "link", link);
}

/* ?days=: absent is the default; once, digits only, 1..DAYS_MAX. */
static cc_status parse_days(api_request *req, int *days, cc_error *err)
{
    unsigned n = api_query_count(req, "days");
    *days = DAYS_DEFAULT;
    if (n == 0)
        return CC_OK;
    if (n > 1)
        return cc_fail(err, CC_INVALID, "days", "repeated", "days is given more than once");
    const char *text = api_query(req, "days");
    int v = 0;
    bool ok = text && *text && strlen(text) <= 2;
    for (const char *p = text; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9';
        v = v * 10 + (*p - '0');
    }
    if (!ok || v < 1 || v > DAYS_MAX)
        return cc_fail(err, CC_INVALID, "days", "invalid_value",
                       "days is a number of days, 1 to %d", DAYS_MAX);
    *days = v;
    return CC_OK;
}

/* Today's planned administrations (the bedside worklist's entries for one
 * day), each with planned / in_progress / done. */
static cc_status administrations_today(api_request *req, cc_date today, json_t **out, cc_error *err)
{
    static const char *const KEYS[] = {
        "plan_id",     "item",        "plan_ref",          "patient_id",
        "patient_mrn", "family_name", "given_names",       "synthetic",
        "date",        "route",       "product",           "amount",
        "ward",        "status",      "administration_id", NULL};
    json_t *all = json_array();
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, all);
    cc_status st = api_worklist_administrations(req, today, today, false, NULL, all, err);
    json_t *items = json_array();
    json_t *counts = json_pack("{s:i, s:i, s:i}", "planned", 0, "in_progress", 0, "done", 0);
    size_t i;
    json_t *a;
    json_array_foreach(all, i, a)
    {
        if (st != CC_OK)
            break;
        const char *status = "planned";
        json_int_t id = json_integer_value(json_object_get(a, "administration_id"));
        if (id > 0) {
            int64_t patient_id;
            char route[16] = "", recorded[16] = "";
            st = administration_head(req->db, id, &patient_id, route, recorded, err);
            status = strcmp(recorded, "in_progress") == 0 ? "in_progress" : "done";
        } else
            json_object_set_new(a, "administration_id", json_null());
        json_object_set_new(a, "status", json_string(status));
        json_object_set_new(counts, status,
                            json_integer(json_integer_value(json_object_get(counts, status)) + 1));
        if (i < DASHBOARD_ITEMS)
            json_array_append_new(items, pick(a, KEYS));
    }
    if (st != CC_OK) {
        json_decref(items);
        json_decref(counts);
        return st;
    }
    *out = section((json_int_t)json_array_size(all), items, "#/bedside");
    json_object_set_new(*out, "counts", counts);
    return CC_OK;
}

/* Follow-up visits in the worklist's overdue state (H10), oldest window first. */
static cc_status overdue_visits(api_request *req, cc_date today, json_t **out, cc_error *err)
{
    static const char *const KEYS[] = {
        "id",    "plan_id", "patient_id",  "mrn",        "family_name",  "given_names", "synthetic",
        "label", "months",  "target_date", "window_end", "days_overdue", NULL};
    char today_text[CC_DATE_TEXT];
    date_format(today, today_text);
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    json_t *rows = NULL;
    cc_status st = followup_store_list(req->db, req->who.site_id, true, today_text, 0, &b, err);
    if (st == CC_OK)
        st = api_parse_view(req, &b, &rows, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    json_int_t total = 0;
    size_t i;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        api_followup_add_state(v, today);
        const char *state = json_string_value(json_object_get(v, "state"));
        if (!state || strcmp(state, "overdue") != 0)
            continue;
        if (total++ < DASHBOARD_ITEMS)
            json_array_append_new(items, pick(v, KEYS));
    }
    *out = section(total, items, "#/follow-up?state=overdue");
    return CC_OK;
}

/* Serious events still open (not resolved: the list's open=true), the
 * soonest unreported deadline first, with that deadline's status (H9). */
static cc_status open_serious_events(api_request *req, json_t **out, cc_error *err)
{
    static const char *const KEYS[] = {"id",          "patient_id", "patient_mrn", "family_name",
                                       "given_names", "synthetic",  "term_code",   "term_text",
                                       "grade",       "onset_at",   "resolved_at", "next_due_at",
                                       NULL};
    vitals_limits limits;
    adverse_rules rules;
    cc_status st = bedside_settings_load(req->db, &limits, &rules, err);
    adverse_event_query q = {.site_id = req->who.site_id,
                             .serious = 1,
                             .open_only = true,
                             .page = 1,
                             .per_page = DASHBOARD_ITEMS};
    int64_t total = 0;
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    json_t *rows = NULL;
    if (st == CC_OK)
        st = adverse_event_list_json(req->db, &q, &b, &total, err);
    if (st == CC_OK)
        st = api_parse_view(req, &b, &rows, err);
    buf_release(&b);
    if (st != CC_OK)
        return st;
    int64_t now = store_now_seconds();
    json_t *items = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(rows, i, e)
    {
        json_t *o = pick(e, KEYS);
        const adverse_term *term =
            adverse_term_find(json_string_value(json_object_get(e, "term_code")));
        json_object_set_new(o, "term_name",
                            term ? json_pack("{s:s, s:s}", "en", term->name_en, "fr", term->name_fr)
                                 : json_null());
        const char *due_text = json_string_value(json_object_get(e, "next_due_at"));
        int64_t due = 0;
        if (due_text && instant_parse(due_text, "next_due_at", &due, NULL) == CC_OK)
            json_object_set_new(o, "deadline_status",
                                json_string(adverse_deadline_status_name(
                                    adverse_deadline_state(due, 0, now, &rules))));
        else
            json_object_set_new(o, "deadline_status", json_null());
        json_array_append_new(items, o);
    }
    *out = section((json_int_t)total, items, "#/adverse-events?serious=true&open=true");
    return CC_OK;
}

/* One page of the unit list, parsed into *rows (left alone when rows is
 * NULL: only the total is wanted). */
static cc_status unit_page(api_request *req, const lab_unit_query *q, json_t **rows, int64_t *total,
                           cc_error *err)
{
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    cc_status st = lab_unit_list_json(req->db, q, &b, total, err);
    if (st == CC_OK && rows)
        st = api_parse_view(req, &b, rows, err);
    buf_release(&b);
    return st;
}

/* Units in stock expiring within days (the inventory's expiry filter) and
 * those already past their expiry and not yet discarded, expiry first. */
static cc_status units_expiring(api_request *req, cc_date today, int days, json_t **out,
                                cc_error *err)
{
    static const char *const KEYS[] = {"id",           "din",      "din_check",  "product_code",
                                       "product_type", "batch_id", "batch_code", "state",
                                       "expiry",       NULL};
    char today_text[CC_DATE_TEXT], until[CC_DATE_TEXT], yesterday[CC_DATE_TEXT];
    date_format(today, today_text);
    date_format(today + days, until);
    date_format(today - 1, yesterday);
    lab_unit_query q = {.expiring_days = days,
                        .today = today_text,
                        .until = until,
                        .with_expired = true,
                        .page = 1,
                        .per_page = DASHBOARD_ITEMS,
                        .site_id = req->who.site_id};
    int64_t total = 0, expired = 0;
    json_t *rows = NULL;
    cc_status st = unit_page(req, &q, &rows, &total, err);
    /* the same filter up to yesterday: how many are already expired */
    q.until = yesterday;
    q.per_page = 1;
    if (st == CC_OK)
        st = unit_page(req, &q, NULL, &expired, err);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    size_t i;
    json_t *u;
    json_array_foreach(rows, i, u)
    {
        json_t *o = pick(u, KEYS);
        cc_date expiry = today;
        date_parse(json_string_value(json_object_get(u, "expiry")), "expiry", &expiry, NULL);
        json_object_set_new(o, "days_left", json_integer(expiry - today));
        json_object_set_new(o, "expired", json_boolean(expiry < today));
        json_array_append_new(items, o);
    }
    *out = section((json_int_t)total, items,
                   api_printf(req, "#/lab/inventory?expiring_within=%d", days));
    json_object_set_new(*out, "expired", json_integer(expired));
    json_object_set_new(*out, "days", json_integer(days));
    return CC_OK;
}

/* Units shipped to the session's site and not received yet (the unit
 * list's arriving=true: the units page's tab of units to receive). */
static cc_status units_arriving(api_request *req, json_t **out, cc_error *err)
{
    static const char *const KEYS[] = {"id",           "din",          "din_check",
                                       "product_code", "product_type", "site_code",
                                       "site_name",    "expiry",       NULL};
    lab_unit_query q = {.expiring_days = -1,
                        .page = 1,
                        .per_page = DASHBOARD_ITEMS,
                        .site_id = req->who.site_id,
                        .arriving = true};
    int64_t total = 0;
    json_t *rows = NULL;
    cc_status st = unit_page(req, &q, &rows, &total, err);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    size_t i;
    json_t *u;
    json_array_foreach(rows, i, u) json_array_append_new(items, pick(u, KEYS));
    *out = section((json_int_t)total, items, "#/lab/arrivals");
    return CC_OK;
}

/* Whether a batch's QC is complete: no required result missing or pending
 * (and a specification exists). What remains is QA's decision: release
 * when ready, else reject or resolve what blocks it. */
static bool qc_complete(const lab_readiness *r)
{
    size_t n = r->n_blocks < LAB_MAX_BLOCKS ? r->n_blocks : LAB_MAX_BLOCKS;
    for (size_t i = 0; i < n; i++)
        if (r->blocks[i].kind == QC_BLOCK_MISSING || r->blocks[i].kind == QC_BLOCK_PENDING ||
            r->blocks[i].kind == QC_BLOCK_NO_SPEC)
            return false;
    return true;
}

/* Every batch in process (the laboratory's list with status=in_process),
 * oldest first, each saying whether it still waits for QC results or awaits
 * QA's release decision (ready, or blocked by how many reasons). */
static cc_status batches_awaiting_release(api_request *req, json_t **out, cc_error *err)
{
    static const char *const KEYS[] = {"id",         "code",       "product_type",
                                       "created_at", "unit_count", NULL};
    json_t *waiting = json_array();
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, waiting);
    cc_status st = CC_OK;
    int64_t total = 1;
    for (int64_t page = 1; st == CC_OK && (page - 1) * BATCH_PAGE < total; page++) {
        buf b;
        buf_init(&b, LAB_VIEW_MAX);
        json_t *rows = NULL;
        st = lab_batch_list_json(req->db, req->who.site_id, "in_process", NULL, page, BATCH_PAGE,
                                 &b, &total, err);
        if (st == CC_OK)
            st = api_parse_view(req, &b, &rows, err);
        buf_release(&b);
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            if (st != CC_OK)
                break;
            lab_readiness r;
            st = lab_batch_readiness(req->db, json_integer_value(json_object_get(row, "id")), &r,
                                     err);
            if (st != CC_OK)
                continue;
            json_t *o = pick(row, KEYS);
            json_object_set_new(o, "qc_complete", json_boolean(qc_complete(&r)));
            json_object_set_new(o, "ready", json_boolean(r.ready));
            json_object_set_new(o, "blocks", json_integer((json_int_t)r.n_blocks));
            json_array_append_new(waiting, o);
        }
    }
    if (st != CC_OK)
        return st;
    /* the store lists newest first; the longest waiting come first here */
    json_t *items = json_array();
    size_t n = json_array_size(waiting);
    for (size_t i = 0; i < n && i < DASHBOARD_ITEMS; i++)
        json_array_append(items, json_array_get(waiting, n - 1 - i));
    *out = section((json_int_t)n, items, "#/lab?status=in_process");
    return CC_OK;
}

/* The inbox's new consultation requests, newest first. */
static cc_status new_requests(api_request *req, json_t **out, cc_error *err)
{
    consult_record *rows;
    size_t n;
    int64_t total = 0;
    cc_status st =
        consult_list(req->db, req->arena, "new", 1, DASHBOARD_ITEMS, &rows, &n, &total, err);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id",
                                               (json_int_t)rows[i].id, "name", rows[i].name,
                                               "diagnosis", rows[i].diagnosis, "condition",
                                               rows[i].condition, "created_at", rows[i].created_at,
                                               "synthetic", rows[i].synthetic));
    *out = section((json_int_t)total, items, "#/requests?status=new");
    return CC_OK;
}

cc_status h_dashboard(api_request *req, cc_error *err)
{
    int days;
    cc_status st = parse_days(req, &days, err);
    if (st != CC_OK)
        return st;
    cc_date today = api_today();
    json_t *sections = json_object();
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, sections);
    json_t *s = NULL;
    if (req->may_read(req, "/api/v1/worklist") &&
        (st = administrations_today(req, today, &s, err)) == CC_OK)
        json_object_set_new(sections, "administrations_today", s);
    if (st == CC_OK && req->may_read(req, "/api/v1/follow-up") &&
        (st = overdue_visits(req, today, &s, err)) == CC_OK)
        json_object_set_new(sections, "overdue_visits", s);
    if (st == CC_OK && req->may_read(req, "/api/v1/adverse-events") &&
        (st = open_serious_events(req, &s, err)) == CC_OK)
        json_object_set_new(sections, "open_serious_events", s);
    if (st == CC_OK && req->may_read(req, "/api/v1/units") &&
        (st = units_expiring(req, today, days, &s, err)) == CC_OK)
        json_object_set_new(sections, "units_expiring", s);
    if (st == CC_OK && req->may_read(req, "/api/v1/units") &&
        (st = units_arriving(req, &s, err)) == CC_OK)
        json_object_set_new(sections, "units_arriving", s);
    if (st == CC_OK && req->may_read(req, "/api/v1/batches") &&
        (st = batches_awaiting_release(req, &s, err)) == CC_OK)
        json_object_set_new(sections, "batches_awaiting_release", s);
    if (st == CC_OK && req->may_read(req, "/api/v1/consultation-requests") &&
        (st = new_requests(req, &s, err)) == CC_OK)
        json_object_set_new(sections, "new_requests", s);
    if (st != CC_OK)
        return st;
    char today_text[CC_DATE_TEXT];
    date_format(today, today_text);
    api_reply(req, 200,
              json_pack("{s:s, s:i, s:i, s:O}", "today", today_text, "days", days, "limit",
                        DASHBOARD_ITEMS, "sections", sections));
    return CC_OK;
}
