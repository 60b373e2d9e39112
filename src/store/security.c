#include "store/security.h"

#include <stdio.h>

#include "store/audit.h"
#include "store/clock.h"
#include "store/sql.h"

typedef struct {
    int64_t user_id, failures, window_start, locked_until;
    int64_t unseen_failures, unseen_last_failure, unseen_locked_until;
} failure_row;

static cc_status read_failures(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    failure_row *r = ctx;
    r->user_id = db_col_int(row, 0);
    r->failures = db_col_int(row, 1);
    r->window_start = db_col_int(row, 2);
    r->locked_until = db_col_int(row, 3);
    r->unseen_failures = db_col_int(row, 4);
    r->unseen_last_failure = db_col_int(row, 5);
    r->unseen_locked_until = db_col_int(row, 6);
    return CC_OK;
}

/* The account's row, zeros when it never failed; CC_NOT_FOUND without an account. */
static cc_status load(db *d, const char *username, failure_row *r, cc_error *err)
{
    *r = (failure_row){0};
    return sql_first(d,
                     "SELECT u.id, COALESCE(f.failures, 0), COALESCE(f.window_start, 0),"
                     " COALESCE(f.locked_until, 0), COALESCE(f.unseen_failures, 0),"
                     " COALESCE(f.unseen_last_failure, 0), COALESCE(f.unseen_locked_until, 0)"
                     " FROM users u LEFT JOIN login_failures f ON f.user_id = u.id"
                     " WHERE u.username = ?",
                     (sql_arg[]){SQL_S(username ? username : "")}, 1, read_failures, r, err);
}

static cc_status save(db *d, const failure_row *r, cc_error *err)
{
    sql_arg args[] = {SQL_I(r->user_id),
                      SQL_I(r->failures),
                      SQL_I(r->window_start),
                      SQL_I(r->locked_until),
                      SQL_I(r->unseen_failures),
                      SQL_I(r->unseen_last_failure),
                      SQL_I(r->unseen_locked_until)};
    return sql_run(d,
                   "INSERT INTO login_failures (user_id, failures, window_start,"
                   " locked_until, unseen_failures, unseen_last_failure, unseen_locked_until)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                   " failures = excluded.failures, window_start = excluded.window_start,"
                   " locked_until = excluded.locked_until,"
                   " unseen_failures = excluded.unseen_failures,"
                   " unseen_last_failure = excluded.unseen_last_failure,"
                   " unseen_locked_until = excluded.unseen_locked_until",
                   args, SQL_COUNT(args), NULL, err);
}

cc_status login_lock_remaining(db *d, const char *username, int64_t now, int64_t *wait,
                               cc_error *err)
{
    failure_row r;
    cc_status st = load(d, username, &r, err);
    *wait = st == CC_OK && r.locked_until > now ? r.locked_until - now : 0;
    return st == CC_NOT_FOUND ? CC_OK : st;
}

static cc_status audit_lock(db *d, const failure_row *r, cc_error *err)
{
    char after[96], until[CC_INSTANT_TEXT];
    instant_format(r->locked_until, until);
    snprintf(after, sizeof after, "{\"locked_until\":\"%s\"}", until);
    store_actor system = {0, "system"};
    audit_change ch = {"lock", "user", r->user_id, NULL, after, NULL};
    return audit_append(d, &system, &ch, err);
}

cc_status login_failure_record(db *d, const char *username, int64_t now, bool *known,
                               int64_t *locked_until, cc_error *err)
{
    *known = false;
    *locked_until = 0;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    failure_row r;
    st = load(d, username, &r, err);
    if (st == CC_NOT_FOUND)
        return db_tx_end(d, CC_OK, err);
    *known = st == CC_OK;
    bool lock_over = r.locked_until != 0 && r.locked_until <= now;
    if (st == CC_OK && (now - r.window_start >= LOGIN_FAILURE_WINDOW || lock_over)) {
        r.failures = 0;
        r.window_start = now;
        r.locked_until = 0;
    }
    r.failures++;
    r.unseen_failures++;
    r.unseen_last_failure = now;
    if (st == CC_OK && r.failures >= LOGIN_LOCK_FAILURES && r.locked_until <= now) {
        r.locked_until = r.unseen_locked_until = *locked_until = now + LOGIN_LOCK_SECONDS;
        st = audit_lock(d, &r, err);
    }
    if (st == CC_OK)
        st = save(d, &r, err);
    return db_tx_end(d, st, err);
}

static cc_status load_by_id(db *d, int64_t user_id, failure_row *r, cc_error *err)
{
    *r = (failure_row){0};
    return sql_first(d,
                     "SELECT user_id, failures, window_start, locked_until, unseen_failures,"
                     " unseen_last_failure, unseen_locked_until FROM login_failures"
                     " WHERE user_id = ?",
                     (sql_arg[]){SQL_I(user_id)}, 1, read_failures, r, err);
}

cc_status login_success_record(db *d, int64_t user_id, login_notice *notice, cc_error *err)
{
    if (notice)
        *notice = (login_notice){0};
    failure_row r;
    /* The common case, an account that never failed, reads and writes nothing more. */
    cc_status st = load_by_id(d, user_id, &r, err);
    if (st == CC_NOT_FOUND)
        return CC_OK;
    if (st != CC_OK)
        return st;
    if (r.failures == 0 && (!notice || r.unseen_failures == 0))
        return CC_OK;
    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    st = load_by_id(d, user_id, &r, err);
    if (st == CC_OK && notice) {
        *notice = (login_notice){r.unseen_failures, r.unseen_last_failure, r.unseen_locked_until};
        r.unseen_failures = r.unseen_last_failure = r.unseen_locked_until = 0;
    }
    r.failures = 0;
    r.window_start = 0;
    if (st == CC_OK)
        st = save(d, &r, err);
    return db_tx_end(d, st, err);
}

cc_status security_event_add(db *d, const security_event *ev, cc_error *err)
{
    char at[CC_INSTANT_TEXT];
    store_now_text(at);
    sql_arg args[] = {SQL_S(at), SQL_S(ev->kind), SQL_S(ev->username),
                      SQL_S(ev->address ? ev->address : "unknown"), SQL_S(ev->route)};
    return sql_run(d,
                   "INSERT INTO security_events (at, kind, username, address, route)"
                   " VALUES (?, ?, ?, ?, ?)",
                   args, SQL_COUNT(args), NULL, err);
}

cc_status security_event_list_json(db *d, const char *username, const char *kind, int64_t page,
                                   int64_t per_page, buf *out, int64_t *total, cc_error *err)
{
    sql_arg args[] = {SQL_S(username), SQL_S(username), SQL_S(kind), SQL_S(kind)};
    sql_page_query q = {"SELECT COUNT(*) FROM security_events"
                        " WHERE (? IS NULL OR username = ?) AND (? IS NULL OR kind = ?)",
                        "SELECT id, at, kind, username, address, route FROM security_events"
                        " WHERE (? IS NULL OR username = ?) AND (? IS NULL OR kind = ?)"
                        " ORDER BY id DESC LIMIT ? OFFSET ?",
                        args,
                        SQL_COUNT(args),
                        0,
                        page,
                        per_page};
    return sql_page_json(d, &q, out, total, err);
}
