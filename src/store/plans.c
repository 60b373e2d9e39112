#include "plans.h"

#include <stdio.h>
#include <string.h>

#include "core/plan_state.h"
#include "store/sql.h"

static const char IMAGE[] =
    "SELECT id, patient_id, protocol_id, protocol_version, status, start_date, end_date,"
    " screening_id, approved_by, approved_at, meaning, cancel_reason, updated_at, version"
    " FROM plans WHERE id = ?";

static const audit_entity PLAN = {"plan", IMAGE};

cc_status plan_store_create(db *d, const store_actor *actor, const plan_new *n, int64_t *id,
                            cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(n->patient_id),
                   SQL_S(n->protocol_id),
                   SQL_I(n->protocol_version),
                   SQL_S(n->start_date),
                   SQL_S(n->end_date),
                   SQL_S(n->request),
                   SQL_S(n->body),
                   SQL_S(now),
                   SQL_S(actor->username),
                   SQL_S(now),
                   SQL_I(n->patient_id)};
    /* a plan belongs to its patient's site */
    return audit_create(d, actor, &PLAN,
                        "INSERT INTO plans (patient_id, protocol_id, protocol_version, status,"
                        " start_date, end_date, request, body, created_at, created_by, updated_at,"
                        " version, site_id) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, 1,"
                        " (SELECT site_id FROM patients WHERE id = ?)) RETURNING id",
                        a, SQL_COUNT(a), NULL, id, err);
}

#define COLUMNS                                                                                    \
    "p.id, p.patient_id, p.protocol_id, p.protocol_version, p.status, p.start_date, p.end_date,"   \
    " p.request, p.body, p.screening_id, u.username, p.approved_at, p.meaning, p.cancel_reason,"   \
    " p.created_at, p.created_by, p.updated_at, p.version"
#define FROM " FROM plans p LEFT JOIN users u ON u.id = p.approved_by"

static bool read_row(arena *a, db_stmt *s, void *item)
{
    plan_row *r = item;
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
    return r->body != NULL && r->cancel_reason != NULL && r->updated_at != NULL;
}

static cc_status not_found(cc_status st, int64_t id, cc_error *err)
{
    return st == CC_NOT_FOUND ? cc_fail(err, CC_NOT_FOUND, "id", "not_found",
                                        "no plan with id %lld", (long long)id)
                              : st;
}

cc_status plan_store_get(db *d, arena *a, int64_t id, plan_row *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    return not_found(
        sql_fill_one(d, a, "SELECT " COLUMNS FROM " WHERE p.id = ?", args, 1, read_row, out, err),
        id, err);
}

#define PLAN_FILTER                                                                                \
    " WHERE (? = 0 OR p.patient_id = ?)"                                                           \
    " AND (? IS NULL OR p.status = ? OR (? = 'active' AND p.status IN ('approved',"                \
    " 'in_progress'))) AND p.site_id = ?"

cc_status plan_store_page(db *d, arena *a, int64_t site_id, int64_t patient_id, const char *status,
                          int64_t page, int64_t per_page, plan_row **rows, size_t *n,
                          int64_t *total, cc_error *err)
{
    sql_arg args[] = {SQL_I(patient_id), SQL_I(patient_id), SQL_S(status),
                      SQL_S(status),     SQL_S(status),     SQL_I(site_id)};
    sql_page_query q = {.count_sql = "SELECT COUNT(*)" FROM PLAN_FILTER,
                        .sql = "SELECT " COLUMNS FROM PLAN_FILTER
                               " ORDER BY p.id DESC LIMIT ? OFFSET ?",
                        .args = args,
                        .n = SQL_COUNT(args),
                        .page = page,
                        .per_page = per_page};
    return sql_page(d, a, &q, read_row, sizeof **rows, (void **)rows, n, total, err);
}

cc_status plan_store_list(db *d, arena *a, int64_t site_id, int64_t patient_id, const char *status,
                          plan_row **rows, size_t *n, cc_error *err)
{
    sql_arg args[] = {SQL_I(patient_id), SQL_I(patient_id), SQL_S(status),
                      SQL_S(status),     SQL_S(status),     SQL_I(site_id)};
    return sql_fill(d, a,
                    "SELECT " COLUMNS FROM " WHERE (? = 0 OR p.patient_id = ?)"
                    " AND (? IS NULL OR p.status = ? OR (? = 'active' AND p.status IN ('approved',"
                    " 'in_progress'))) AND p.site_id = ? ORDER BY p.id DESC LIMIT 200",
                    args, SQL_COUNT(args), read_row, sizeof **rows, 200, (void **)rows, n, err);
}

/* Moves plan id by event e through core/plan_state: reads its status in the
 * caller's transaction and refuses a move the table does not have. */
static cc_status copy_status(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    snprintf(ctx, 16, "%s", db_col_text(row, 0));
    return CC_OK;
}

static cc_status check_move(db *d, int64_t id, plan_event e, plan_state *to, cc_error *err)
{
    char status[16] = "";
    sql_arg args[] = {SQL_I(id)};
    cc_status st = not_found(
        sql_first(d, "SELECT status FROM plans WHERE id = ?", args, 1, copy_status, status, err),
        id, err);
    if (st != CC_OK)
        return st;
    plan_state from;
    if (!plan_state_parse(status, &from))
        return cc_fail(err, CC_INTERNAL, "status", "corrupt_plan",
                       "plan %lld has an unknown status", (long long)id);
    return plan_state_apply(from, e, to, err);
}

/* A site's slots per day for a route: its own, or the capacity a site
 * starts with (clinic_capacity). */
static const char ROUTE_CAPACITY_SQL[] =
    "SELECT COALESCE((SELECT slots_per_day FROM site_capacity WHERE site_id = ? AND route = ?),"
    " (SELECT slots_per_day FROM clinic_capacity WHERE route = ?), 0)";

static cc_status route_capacity(db *d, int64_t site_id, const char *route, int *slots,
                                cc_error *err)
{
    sql_arg args[] = {SQL_I(site_id), SQL_S(route), SQL_S(route)};
    int64_t n = 0;
    cc_status st = sql_scalar(d, ROUTE_CAPACITY_SQL, args, 3, &n, err);
    *slots = (int)n;
    return st;
}

/* The slots the site's plans booked on that day and route. */
static cc_status booked(db *d, int64_t site_id, const char *date, const char *route, int *count,
                        cc_error *err)
{
    sql_arg args[] = {SQL_S(date), SQL_S(route), SQL_I(site_id)};
    int64_t n = 0;
    cc_status st = sql_scalar(d,
                              "SELECT COUNT(*) FROM plan_slots s JOIN plans p ON p.id = s.plan_id"
                              " WHERE s.slot_date = ? AND s.route = ? AND p.site_id = ?",
                              args, 3, &n, err);
    *count = (int)n;
    return st;
}

static cc_status book_slots(db *d, int64_t id, const plan *pl, cc_error *err)
{
    /* the plan's site, read in the transaction that books: its capacity and
     * its bookings only */
    int64_t site_id = 0;
    sql_arg key[] = {SQL_I(id)};
    cc_status st = sql_scalar(d, "SELECT site_id FROM plans WHERE id = ?", key, 1, &site_id, err);
    for (int i = 0; i < pl->n_admins && st == CC_OK; i++) {
        char date[CC_DATE_TEXT];
        date_format(pl->admins[i].date, date);
        const char *route = protocol_route_name(pl->admins[i].route);
        int cap, used, mine = 0;
        for (int j = 0; j < pl->n_admins; j++)
            mine += pl->admins[j].date == pl->admins[i].date &&
                    pl->admins[j].route == pl->admins[i].route;
        if ((st = route_capacity(d, site_id, route, &cap, err)) != CC_OK ||
            (st = booked(d, site_id, date, route, &used, err)) != CC_OK)
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
        sql_arg a[] = {SQL_I(id), SQL_S(date), SQL_S(route)};
        st = sql_run(d, "INSERT INTO plan_slots (plan_id, slot_date, route) VALUES (?, ?, ?)", a,
                     SQL_COUNT(a), NULL, err);
    }
    return st;
}

typedef struct {
    int64_t id;
    const plan *pl;
} approval;

static cc_status book_approval_slots(db *d, int64_t id, void *ctx, cc_error *err)
{
    (void)id;
    const approval *ap = ctx;
    return book_slots(d, ap->id, ap->pl, err);
}

static cc_status clear_slots(db *d, int64_t id, void *ctx, cc_error *err)
{
    (void)ctx;
    sql_arg a[] = {SQL_I(id)};
    return sql_run(d, "DELETE FROM plan_slots WHERE plan_id = ?", a, 1, NULL, err);
}

/* Moves plan id by event e (core/plan_state, read inside the transaction),
 * writes the new status with the event's own columns, then (may be NULL)
 * the child rows, and one audit entry. */
static cc_status move(db *d, const store_actor *actor, int64_t id, plan_event e, const char *action,
                      const char *set_sql, const sql_arg *set_args, int n_set, const char *reason,
                      cc_status (*then)(db *, int64_t, void *, cc_error *), void *ctx,
                      cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    plan_state to;
    if ((st = check_move(d, id, e, &to, err)) == CC_OK) {
        sql_arg args[8] = {SQL_S(plan_state_name(to))};
        for (int i = 0; i < n_set && i < 6; i++)
            args[1 + i] = set_args[i];
        args[1 + n_set] = SQL_I(id);
        audit_mutation m = {.action = action,
                            .entity = PLAN.entity,
                            .id = id,
                            .image_sql = IMAGE,
                            .change_sql = set_sql,
                            .args = args,
                            .n = n_set + 2,
                            .reason = reason,
                            .then = then,
                            .ctx = ctx};
        st = audit_mutate(d, actor, &m, err);
    }
    return db_tx_end(d, st, err);
}

cc_status plan_store_approve(db *d, const store_actor *actor, int64_t id, int64_t screening_id,
                             const char *meaning, const plan *pl, cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg set[] = {SQL_ID(screening_id), SQL_ID(actor->user_id), SQL_S(now), SQL_S(meaning),
                     SQL_S(now)};
    approval ap = {id, pl};
    return move(d, actor, id, PLAN_EV_APPROVE, "sign",
                "UPDATE plans SET status = ?, screening_id = ?, approved_by = ?, approved_at = ?,"
                " meaning = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                set, SQL_COUNT(set), meaning, book_approval_slots, &ap, err);
}

cc_status plan_store_cancel(db *d, const store_actor *actor, int64_t id, const char *reason,
                            cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg set[] = {SQL_S(reason), SQL_S(now)};
    return move(d, actor, id, PLAN_EV_CANCEL, "cancel",
                "UPDATE plans SET status = ?, cancel_reason = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                set, SQL_COUNT(set), reason, clear_slots, NULL, err);
}

cc_status plan_store_advance(db *d, const store_actor *actor, int64_t id, plan_event e,
                             cc_error *err)
{
    if (e != PLAN_EV_START && e != PLAN_EV_COMPLETE)
        return cc_fail(err, CC_INTERNAL, "event", "invalid_event",
                       "approval and cancellation carry their own data");
    char now[21];
    store_now_text(now);
    sql_arg set[] = {SQL_S(now)};
    return move(d, actor, id, e, plan_event_name(e),
                "UPDATE plans SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                set, SQL_COUNT(set), NULL, NULL, NULL, err);
}

/* The before and after images of a move: the dates and the schedule. */
static const char SCHEDULE_IMAGE[] =
    "SELECT id, status, start_date, end_date, body, version FROM plans WHERE id = ?";

static cc_status rebook_slots(db *d, int64_t id, void *ctx, cc_error *err)
{
    cc_status st = clear_slots(d, id, NULL, err);
    return st == CC_OK ? book_slots(d, id, ctx, err) : st;
}

cc_status plan_store_reschedule(db *d, const store_actor *actor, int64_t id, const char *action,
                                const char *reason, const char *body, const plan *pl, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char status[16] = "";
    sql_arg key[] = {SQL_I(id)};
    plan_state state;
    st = not_found(
        sql_first(d, "SELECT status FROM plans WHERE id = ?", key, 1, copy_status, status, err), id,
        err);
    if (st == CC_OK && (!plan_state_parse(status, &state) || !plan_state_is_active(state)))
        st = cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                     "only an approved plan or one in progress moves (this one is %s)", status);
    if (st == CC_OK) {
        char now[21], start[CC_DATE_TEXT], end[CC_DATE_TEXT];
        store_now_text(now);
        date_format(pl->start, start);
        date_format(pl->end, end);
        sql_arg args[] = {SQL_S(start), SQL_S(end), SQL_S(body), SQL_S(now), SQL_I(id)};
        audit_mutation m = {.action = action,
                            .entity = PLAN.entity,
                            .id = id,
                            .image_sql = SCHEDULE_IMAGE,
                            .change_sql = "UPDATE plans SET start_date = ?, end_date = ?, body = ?,"
                                          " updated_at = ?, version = version + 1 WHERE id = ?",
                            .args = args,
                            .n = SQL_COUNT(args),
                            .reason = reason,
                            .then = rebook_slots,
                            .ctx = (void *)pl};
        st = audit_mutate(d, actor, &m, err);
    }
    return db_tx_end(d, st, err);
}

static cc_status read_capacity(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    planner_calendar *cal = ctx;
    admin_route rt;
    if (protocol_route_parse(db_col_text(row, 0), &rt))
        cal->capacity[rt] = (int)db_col_int(row, 1);
    return CC_OK;
}

static cc_status read_used(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    planner_calendar *cal = ctx;
    cc_date day;
    admin_route rt;
    cc_error ignored;
    if (date_parse(db_col_text(row, 0), "slot_date", &day, &ignored) != CC_OK ||
        !protocol_route_parse(db_col_text(row, 1), &rt))
        return CC_OK;
    int64_t n = db_col_int(row, 2);
    cal->used[day - cal->first][rt] = (uint16_t)(n > UINT16_MAX ? UINT16_MAX : n);
    return CC_OK;
}

cc_status capacity_store_load(db *d, int64_t site_id, planner_calendar *cal, cc_error *err)
{
    for (int r = 0; r < RT_COUNT; r++)
        cal->capacity[r] = 0;
    sql_arg site[] = {SQL_I(site_id)};
    cc_status st = sql_each(d,
                            "SELECT c.route, COALESCE(s.slots_per_day, c.slots_per_day)"
                            " FROM clinic_capacity c LEFT JOIN site_capacity s"
                            " ON s.route = c.route AND s.site_id = ?",
                            site, 1, read_capacity, cal, NULL, err);
    if (st != CC_OK || !cal->used || cal->n_days <= 0)
        return st;
    memset(cal->used, 0, (size_t)cal->n_days * sizeof cal->used[0]);
    char from[CC_DATE_TEXT], to[CC_DATE_TEXT];
    date_format(cal->first, from);
    date_format(cal->first + cal->n_days - 1, to);
    sql_arg args[] = {SQL_S(from), SQL_S(to), SQL_I(site_id)};
    return sql_each(d,
                    "SELECT s.slot_date, s.route, COUNT(*) FROM plan_slots s"
                    " JOIN plans p ON p.id = s.plan_id WHERE s.slot_date >= ?"
                    " AND s.slot_date <= ? AND p.site_id = ? GROUP BY s.slot_date, s.route",
                    args, 3, read_used, cal, NULL, err);
}

cc_status capacity_store_set(db *d, const store_actor *actor, int64_t site_id, admin_route route,
                             int slots, cc_error *err)
{
    const char *name = protocol_route_name(route);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int before_slots;
    sql_arg del[] = {SQL_I(site_id), SQL_S(name)},
            ins[] = {SQL_I(site_id), SQL_S(name), SQL_I(slots)};
    if ((st = route_capacity(d, site_id, name, &before_slots, err)) == CC_OK &&
        (st = sql_run(d, "DELETE FROM site_capacity WHERE site_id = ? AND route = ?", del, 2, NULL,
                      err)) == CC_OK)
        st =
            sql_run(d, "INSERT INTO site_capacity (site_id, route, slots_per_day) VALUES (?, ?, ?)",
                    ins, 3, NULL, err);
    if (st == CC_OK) {
        char before[128], after[128];
        snprintf(before, sizeof before, "{\"site_id\":%lld,\"route\":\"%s\",\"slots_per_day\":%d}",
                 (long long)site_id, name, before_slots);
        snprintf(after, sizeof after, "{\"site_id\":%lld,\"route\":\"%s\",\"slots_per_day\":%d}",
                 (long long)site_id, name, slots);
        audit_change ch = {"update", "site_capacity", site_id, before, after, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    return db_tx_end(d, st, err);
}
