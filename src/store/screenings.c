#include "screenings.h"

#include <string.h>

#include "store/sql.h"

static const char IMAGE[] =
    "SELECT id, patient_id, protocol_id, protocol_version, verdict, reasons, oldest_date,"
    " evaluated_on, decision, override, override_reason, meaning, decided_by, decided_at,"
    " created_at, created_by, version FROM screenings WHERE id = ?";
static const audit_entity SCREENING = {"screening", IMAGE};

cc_status screening_store_create(db *d, const store_actor *actor, const screening_new *n,
                                 int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = sql_require_id(d, "SELECT id FROM patients WHERE id = ?", n->patient_id, "patient_id",
                        "patient", err);
    char now[21];
    store_now_text(now);
    sql_arg args[] = {SQL_I(n->patient_id),  SQL_S(n->protocol_id),  SQL_I(n->protocol_version),
                      SQL_S(n->body),        SQL_S(n->verdict),      SQL_S(n->reasons),
                      SQL_S(n->oldest_date), SQL_S(n->evaluated_on), SQL_S(now),
                      SQL_S(actor->username)};
    if (st == CC_OK)
        st = audit_create(d, actor, &SCREENING,
                          "INSERT INTO screenings (patient_id, protocol_id,"
                          " protocol_version, body, verdict, reasons, oldest_date,"
                          " evaluated_on, created_at, created_by, version)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                          args, SQL_COUNT(args), NULL, id, err);
    return db_tx_end(d, st, err);
}

#define COLUMNS                                                                                    \
    "s.id, s.patient_id, s.protocol_id, s.protocol_version, s.body, s.verdict, s.reasons,"         \
    " s.oldest_date, s.evaluated_on, s.decision, s.override, s.override_reason, s.meaning,"        \
    " u.username, s.decided_at, s.created_at, s.created_by, s.version"
#define FROM " FROM screenings s LEFT JOIN users u ON u.id = s.decided_by"

static bool read_row(arena *a, db_stmt *s, void *item)
{
    screening_row *r = item;
    r->id = db_col_int(s, 0);
    r->patient_id = db_col_int(s, 1);
    r->protocol_id = arena_strdup(a, db_col_text(s, 2));
    r->protocol_version = (int)db_col_int(s, 3);
    r->body = arena_strdup(a, db_col_text(s, 4));
    r->verdict = arena_strdup(a, db_col_text(s, 5));
    r->reasons = arena_strdup(a, db_col_text(s, 6));
    r->oldest_date = sql_col_dup(a, s, 7);
    r->evaluated_on = arena_strdup(a, db_col_text(s, 8));
    r->decision = sql_col_dup(a, s, 9);
    r->override = db_col_int(s, 10) != 0;
    r->override_reason = arena_strdup(a, db_col_text(s, 11));
    r->meaning = arena_strdup(a, db_col_text(s, 12));
    r->decided_by = sql_col_dup(a, s, 13);
    r->decided_at = sql_col_dup(a, s, 14);
    r->created_at = arena_strdup(a, db_col_text(s, 15));
    r->created_by = arena_strdup(a, db_col_text(s, 16));
    r->version = db_col_int(s, 17);
    return r->body && r->reasons;
}

static cc_status one(db *d, arena *a, const char *sql, const sql_arg *args, int n,
                     screening_row *out, const char *what, cc_error *err)
{
    cc_status st = sql_fill_one(d, a, sql, args, n, read_row, out, err);
    return st == CC_NOT_FOUND ? cc_fail(err, CC_NOT_FOUND, "id", "not_found", "%s", what) : st;
}

cc_status screening_store_get(db *d, arena *a, int64_t id, screening_row *out, cc_error *err)
{
    return one(d, a, "SELECT " COLUMNS FROM " WHERE s.id = ?", (sql_arg[]){SQL_I(id)}, 1, out,
               "no screening with this id", err);
}

cc_status screening_store_latest_decided(db *d, arena *a, int64_t patient_id,
                                         const char *protocol_id, screening_row *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(patient_id), SQL_S(protocol_id)};
    return one(d, a,
               "SELECT " COLUMNS FROM " WHERE s.patient_id = ? AND s.protocol_id = ?"
               " AND s.decision IS NOT NULL ORDER BY s.decided_at DESC, s.id DESC LIMIT 1",
               args, SQL_COUNT(args), out, "no signed eligibility decision for this programme",
               err);
}

cc_status screening_store_page(db *d, arena *a, int64_t patient_id, const char *protocol_id,
                               int64_t page, int64_t per_page, screening_row **rows, size_t *n,
                               int64_t *total, cc_error *err)
{
    sql_arg args[] = {SQL_I(patient_id), SQL_S(protocol_id), SQL_S(protocol_id)};
    sql_page_query q = {.count_sql = "SELECT COUNT(*)" FROM " WHERE s.patient_id = ? AND"
                                     " (? IS NULL OR s.protocol_id = ?)",
                        .sql = "SELECT " COLUMNS FROM " WHERE s.patient_id = ? AND"
                               " (? IS NULL OR s.protocol_id = ?) ORDER BY s.id DESC"
                               " LIMIT ? OFFSET ?",
                        .args = args,
                        .n = SQL_COUNT(args),
                        .page = page,
                        .per_page = per_page};
    return sql_page(d, a, &q, read_row, sizeof **rows, (void **)rows, n, total, err);
}

cc_status screening_store_list(db *d, arena *a, int64_t patient_id, const char *protocol_id,
                               screening_row **rows, size_t *n, cc_error *err)
{
    sql_arg args[] = {SQL_I(patient_id), SQL_S(protocol_id), SQL_S(protocol_id)};
    return sql_fill(d, a,
                    "SELECT " COLUMNS FROM " WHERE s.patient_id = ? AND"
                    " (? IS NULL OR s.protocol_id = ?) ORDER BY s.id DESC LIMIT 100",
                    args, SQL_COUNT(args), read_row, sizeof **rows, 100, (void **)rows, n, err);
}

cc_status screening_store_decide(db *d, const store_actor *actor, int64_t id, const char *decision,
                                 bool override, const char *override_reason, const char *meaning,
                                 cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t decided = 0;
    st = sql_require_id(d, "SELECT id FROM screenings WHERE id = ?", id, "id", "screening", err);
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM screenings WHERE id = ? AND decision IS NOT NULL",
                        (sql_arg[]){SQL_I(id)}, 1, &decided, err);
    if (st == CC_OK && decided)
        st = cc_fail(err, CC_CONFLICT, "decision", "already_decided",
                     "this screening already has a signed decision; record a new screening");
    char now[21];
    store_now_text(now);
    sql_arg args[] = {
        SQL_S(decision), SQL_I(override),        SQL_S(override_reason ? override_reason : ""),
        SQL_S(meaning),  SQL_ID(actor->user_id), SQL_S(now),
        SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &SCREENING, "sign", id,
                          "UPDATE screenings SET decision = ?, override = ?,"
                          " override_reason = ?, meaning = ?, decided_by = ?,"
                          " decided_at = ?, version = version + 1"
                          " WHERE id = ? AND decision IS NULL",
                          args, SQL_COUNT(args), meaning, err);
    return db_tx_end(d, st, err);
}
