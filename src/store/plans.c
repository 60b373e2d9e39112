#include "plans.h"

#include <stdio.h>
#include <string.h>

#include "core/plan_state.h"
#include "store/sql.h"

static const char IMAGE[] =
    "SELECT id, patient_id, protocol_id, protocol_version, status, start_date, end_date,"
    " screening_id, approved_by, approved_at, meaning, cancel_reason, updated_at, version"
    " FROM plans WHERE id = ?";

static cc_status audit_plan(db *d, const store_actor *actor, const char *action, int64_t id,
                            const char *before, const char *reason, cc_error *err)
{
    return audit_log_change(d, actor, action, "plan", id, IMAGE, before, reason, err);
}

cc_status plan_store_create(db *d, const store_actor *actor, const plan_new *n, int64_t *id,
                            cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    db_stmt *s;
    st = db_prepare(
        d,
        "INSERT INTO plans (patient_id, protocol_id, protocol_version, status, start_date,"
        " end_date, request, body, created_at, created_by, updated_at, version)"
        " VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
        &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, n->patient_id);
        db_bind_text(s, 2, n->protocol_id);
        db_bind_int(s, 3, n->protocol_version);
        db_bind_text(s, 4, n->start_date);
        db_bind_text(s, 5, n->end_date);
        db_bind_text(s, 6, n->request);
        db_bind_text(s, 7, n->body);
        db_bind_text(s, 8, now);
        db_bind_text(s, 9, actor->username);
        db_bind_text(s, 10, now);
        db_step_result r = db_step(s, err);
        if (r == DB_ROW)
            *id = db_col_int(s, 0);
        db_done(s);
        st = r == DB_ROW ? CC_OK : r == DB_ERROR ? err->status : CC_INTERNAL;
    }
    if (st == CC_OK)
        st = audit_plan(d, actor, "create", *id, NULL, NULL, err);
    return db_tx_end(d, st, err);
}

#define COLUMNS                                                                                    \
    "p.id, p.patient_id, p.protocol_id, p.protocol_version, p.status, p.start_date, p.end_date,"   \
    " p.request, p.body, p.screening_id, u.username, p.approved_at, p.meaning, p.cancel_reason,"   \
    " p.created_at, p.created_by, p.updated_at, p.version"
#define FROM " FROM plans p LEFT JOIN users u ON u.id = p.approved_by"

static void read_row(arena *a, db_stmt *s, plan_row *r)
{
    r->id = db_col_int(s, 0);
    r->patient_id = db_col_int(s, 1);
    r->protocol_id = arena_strdup(a, db_col_text(s, 2));
    r->protocol_version = (int)db_col_int(s, 3);
    r->status = arena_strdup(a, db_col_text(s, 4));
    r->start_date = arena_strdup(a, db_col_text(s, 5));
    r->end_date = arena_strdup(a, db_col_text(s, 6));
    r->request = arena_strdup(a, db_col_text(s, 7));
    r->body = arena_strdup(a, db_col_text(s, 8));
    r->screening_id = db_col_is_null(s, 9) ? 0 : db_col_int(s, 9);
    r->approved_by = sql_col_dup(a, s, 10);
    r->approved_at = sql_col_dup(a, s, 11);
    r->meaning = arena_strdup(a, db_col_text(s, 12));
    r->cancel_reason = arena_strdup(a, db_col_text(s, 13));
    r->created_at = arena_strdup(a, db_col_text(s, 14));
    r->created_by = arena_strdup(a, db_col_text(s, 15));
    r->updated_at = arena_strdup(a, db_col_text(s, 16));
    r->version = db_col_int(s, 17);
}

cc_status plan_store_get(db *d, arena *a, int64_t id, plan_row *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT " COLUMNS FROM " WHERE p.id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        read_row(a, s, out);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no plan with id %lld", (long long)id);
    return out->body ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

cc_status plan_store_list(db *d, arena *a, int64_t patient_id, const char *status, plan_row **rows,
                          size_t *n, cc_error *err)
{
    db_stmt *s;
    cc_status st =
        db_prepare(d,
                   "SELECT " COLUMNS FROM " WHERE (? = 0 OR p.patient_id = ?)"
                   " AND (? IS NULL OR p.status = ? OR (? = 'active' AND p.status IN ('approved',"
                   " 'in_progress'))) ORDER BY p.id DESC LIMIT 200",
                   &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, patient_id);
    db_bind_int(s, 2, patient_id);
    db_bind_text(s, 3, status);
    db_bind_text(s, 4, status);
    db_bind_text(s, 5, status);
    *n = 0;
    *rows = arena_alloc(a, 200 * sizeof **rows);
    db_step_result r;
    while (*rows && (r = db_step(s, err)) == DB_ROW)
        read_row(a, s, &(*rows)[(*n)++]);
    db_done(s);
    if (!*rows)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return r == DB_ERROR ? err->status : CC_OK;
}

/* Moves plan id by event e through core/plan_state: reads its status in the
 * caller's transaction and refuses a move the table does not have. */
static cc_status check_move(db *d, int64_t id, plan_event e, plan_state *to, cc_error *err)
{
    char status[16] = "";
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT status FROM plans WHERE id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        snprintf(status, sizeof status, "%s", db_col_text(s, 0));
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no plan with id %lld", (long long)id);
    plan_state from;
    if (!plan_state_parse(status, &from))
        return cc_fail(err, CC_INTERNAL, "status", "corrupt_plan",
                       "plan %lld has an unknown status", (long long)id);
    return plan_state_apply(from, e, to, err);
}

static cc_status route_capacity(db *d, const char *route, int *slots, cc_error *err)
{
    db_stmt *s;
    cc_status st =
        db_prepare(d, "SELECT slots_per_day FROM clinic_capacity WHERE route = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, route);
    *slots = 0;
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *slots = (int)db_col_int(s, 0);
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

static cc_status booked(db *d, const char *date, const char *route, int *count, cc_error *err)
{
    db_stmt *s;
    cc_status st =
        db_prepare(d, "SELECT COUNT(*) FROM plan_slots WHERE slot_date = ? AND route = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, date);
    db_bind_text(s, 2, route);
    db_step_result r = db_step(s, err);
    *count = r == DB_ROW ? (int)db_col_int(s, 0) : 0;
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

static cc_status book_slots(db *d, int64_t id, const plan *pl, cc_error *err)
{
    cc_status st = CC_OK;
    for (int i = 0; i < pl->n_admins && st == CC_OK; i++) {
        char date[CC_DATE_TEXT];
        date_format(pl->admins[i].date, date);
        const char *route = protocol_route_name(pl->admins[i].route);
        int cap, used, mine = 0;
        for (int j = 0; j < pl->n_admins; j++)
            mine += pl->admins[j].date == pl->admins[i].date &&
                    pl->admins[j].route == pl->admins[i].route;
        if ((st = route_capacity(d, route, &cap, err)) != CC_OK ||
            (st = booked(d, date, route, &used, err)) != CC_OK)
            break;
        /* slots of this plan on the same day already inserted count in `used` */
        int inserted = 0;
        for (int j = 0; j < i; j++)
            inserted += pl->admins[j].date == pl->admins[i].date &&
                        pl->admins[j].route == pl->admins[i].route;
        if (used - inserted + mine > cap) {
            st = cc_fail(err, CC_CONFLICT, "capacity", "capacity_taken",
                         "the %s slots of %s were taken since the plan was drafted; draft it again",
                         route, date);
            break;
        }
        db_stmt *s;
        if ((st = db_prepare(d,
                             "INSERT INTO plan_slots (plan_id, slot_date, route) VALUES (?, ?, ?)",
                             &s, err)) != CC_OK)
            break;
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, date);
        db_bind_text(s, 3, route);
        st = db_run(s, err);
    }
    return st;
}

cc_status plan_store_approve(db *d, const store_actor *actor, int64_t id, int64_t screening_id,
                             const char *meaning, const plan *pl, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    buf before;
    buf_init(&before, 1 << 16);
    db_stmt *s;
    plan_state to;
    if ((st = check_move(d, id, PLAN_EV_APPROVE, &to, err)) != CC_OK)
        goto out;
    if ((st = audit_row_json(d, IMAGE, id, &before, err)) != CC_OK ||
        (st = book_slots(d, id, pl, err)) != CC_OK)
        goto out;
    if ((st = db_prepare(d,
                         "UPDATE plans SET status = ?, screening_id = ?, approved_by = ?,"
                         " approved_at = ?, meaning = ?, updated_at = ?, version = version + 1"
                         " WHERE id = ?",
                         &s, err)) != CC_OK)
        goto out;
    db_bind_text(s, 1, plan_state_name(to));
    if (screening_id > 0)
        db_bind_int(s, 2, screening_id);
    else
        db_bind_null(s, 2);
    if (actor->user_id > 0)
        db_bind_int(s, 3, actor->user_id);
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, now);
    db_bind_text(s, 5, meaning);
    db_bind_text(s, 6, now);
    db_bind_int(s, 7, id);
    if ((st = db_run(s, err)) == CC_OK)
        st = audit_plan(d, actor, "sign", id, before.data, meaning, err);
out:
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status plan_store_cancel(db *d, const store_actor *actor, int64_t id, const char *reason,
                            cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    buf before;
    buf_init(&before, 1 << 16);
    db_stmt *s;
    plan_state to;
    if ((st = check_move(d, id, PLAN_EV_CANCEL, &to, err)) != CC_OK)
        goto out;
    if ((st = audit_row_json(d, IMAGE, id, &before, err)) != CC_OK)
        goto out;
    if ((st = db_prepare(d, "DELETE FROM plan_slots WHERE plan_id = ?", &s, err)) != CC_OK)
        goto out;
    db_bind_int(s, 1, id);
    if ((st = db_run(s, err)) != CC_OK)
        goto out;
    if ((st = db_prepare(d,
                         "UPDATE plans SET status = ?, cancel_reason = ?, updated_at = ?,"
                         " version = version + 1 WHERE id = ?",
                         &s, err)) != CC_OK)
        goto out;
    db_bind_text(s, 1, plan_state_name(to));
    db_bind_text(s, 2, reason);
    db_bind_text(s, 3, now);
    db_bind_int(s, 4, id);
    if ((st = db_run(s, err)) == CC_OK)
        st = audit_plan(d, actor, "cancel", id, before.data, reason, err);
out:
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status plan_store_advance(db *d, const store_actor *actor, int64_t id, plan_event e,
                             cc_error *err)
{
    if (e != PLAN_EV_START && e != PLAN_EV_COMPLETE)
        return cc_fail(err, CC_INTERNAL, "event", "invalid_event",
                       "approval and cancellation carry their own data");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    plan_state to;
    buf before;
    buf_init(&before, 1 << 16);
    if ((st = check_move(d, id, e, &to, err)) == CC_OK)
        st = audit_row_json(d, IMAGE, id, &before, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(plan_state_name(to)), SQL_S(now), SQL_I(id)};
    if (st == CC_OK)
        st = sql_run(
            d, "UPDATE plans SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?", a,
            SQL_COUNT(a), NULL, err);
    if (st == CC_OK)
        st = audit_plan(d, actor, plan_event_name(e), id, before.data, NULL, err);
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status capacity_store_load(db *d, planner_calendar *cal, cc_error *err)
{
    for (int r = 0; r < RT_COUNT; r++)
        cal->capacity[r] = 0;
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT route, slots_per_day FROM clinic_capacity", &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        admin_route rt;
        if (protocol_route_parse(db_col_text(s, 0), &rt))
            cal->capacity[rt] = (int)db_col_int(s, 1);
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (!cal->used || cal->n_days <= 0)
        return CC_OK;
    memset(cal->used, 0, (size_t)cal->n_days * sizeof cal->used[0]);
    char from[CC_DATE_TEXT], to[CC_DATE_TEXT];
    date_format(cal->first, from);
    date_format(cal->first + cal->n_days - 1, to);
    if ((st = db_prepare(d,
                         "SELECT slot_date, route, COUNT(*) FROM plan_slots WHERE slot_date >= ?"
                         " AND slot_date <= ? GROUP BY slot_date, route",
                         &s, err)) != CC_OK)
        return st;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    while ((r = db_step(s, err)) == DB_ROW) {
        cc_date day;
        admin_route rt;
        cc_error ignored;
        if (date_parse(db_col_text(s, 0), "slot_date", &day, &ignored) != CC_OK ||
            !protocol_route_parse(db_col_text(s, 1), &rt))
            continue;
        int64_t n = db_col_int(s, 2);
        cal->used[day - cal->first][rt] = (uint16_t)(n > UINT16_MAX ? UINT16_MAX : n);
    }
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

cc_status capacity_store_set(db *d, const store_actor *actor, admin_route route, int slots,
                             cc_error *err)
{
    const char *name = protocol_route_name(route);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int before_slots;
    db_stmt *s;
    if ((st = route_capacity(d, name, &before_slots, err)) != CC_OK)
        return db_tx_end(d, st, err);
    if ((st = db_prepare(d, "DELETE FROM clinic_capacity WHERE route = ?", &s, err)) == CC_OK) {
        db_bind_text(s, 1, name);
        st = db_run(s, err);
    }
    if (st == CC_OK &&
        (st = db_prepare(d, "INSERT INTO clinic_capacity (route, slots_per_day) VALUES (?, ?)", &s,
                         err)) == CC_OK) {
        db_bind_text(s, 1, name);
        db_bind_int(s, 2, slots);
        st = db_run(s, err);
    }
    if (st == CC_OK) {
        char before[96], after[96];
        snprintf(before, sizeof before, "{\"route\":\"%s\",\"slots_per_day\":%d}", name,
                 before_slots);
        snprintf(after, sizeof after, "{\"route\":\"%s\",\"slots_per_day\":%d}", name, slots);
        audit_change ch = {"update", "clinic_capacity", (int64_t)route + 1, before, after, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    return db_tx_end(d, st, err);
}
