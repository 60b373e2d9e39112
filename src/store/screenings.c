#include "screenings.h"

#include <string.h>

#include "store/sql.h"

static const char IMAGE[] =
    "SELECT id, patient_id, protocol_id, protocol_version, verdict, reasons, oldest_date,"
    " evaluated_on, decision, override, override_reason, meaning, decided_by, decided_at,"
    " created_at, created_by, version FROM screenings WHERE id = ?";

static cc_status audit_screening(db *d, const store_actor *actor, const char *action, int64_t id,
                            const char *before, const char *reason, cc_error *err)
{
    return audit_log_change(d, actor, action, "screening", id, IMAGE, before, reason, err);
}

static cc_status require_patient(db *d, int64_t id, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT id FROM patients WHERE id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_step_result r = db_step(s, err);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "patient_id", "not_found", "no patient with id %lld",
                       (long long)id);
    return CC_OK;
}

cc_status screening_store_create(db *d, const store_actor *actor, const screening_new *n,
                                 int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    db_stmt *s = NULL;
    if ((st = require_patient(d, n->patient_id, err)) == CC_OK)
        st = db_prepare(d,
                        "INSERT INTO screenings (patient_id, protocol_id, protocol_version, body,"
                        " verdict, reasons, oldest_date, evaluated_on, created_at, created_by, version)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                        &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, n->patient_id);
        db_bind_text(s, 2, n->protocol_id);
        db_bind_int(s, 3, n->protocol_version);
        db_bind_text(s, 4, n->body);
        db_bind_text(s, 5, n->verdict);
        db_bind_text(s, 6, n->reasons);
        db_bind_text(s, 7, n->oldest_date);
        db_bind_text(s, 8, n->evaluated_on);
        db_bind_text(s, 9, now);
        db_bind_text(s, 10, actor->username);
        db_step_result r = db_step(s, err);
        if (r == DB_ROW)
            *id = db_col_int(s, 0);
        db_done(s);
        st = r == DB_ROW ? CC_OK : r == DB_ERROR ? err->status : CC_INTERNAL;
    }
    if (st == CC_OK)
        st = audit_screening(d, actor, "create", *id, NULL, NULL, err);
    return db_tx_end(d, st, err);
}

#define COLUMNS                                                                                  \
    "s.id, s.patient_id, s.protocol_id, s.protocol_version, s.body, s.verdict, s.reasons,"       \
    " s.oldest_date, s.evaluated_on, s.decision, s.override, s.override_reason, s.meaning,"      \
    " u.username, s.decided_at, s.created_at, s.created_by, s.version"
#define FROM " FROM screenings s LEFT JOIN users u ON u.id = s.decided_by"


static void read_row(arena *a, db_stmt *s, screening_row *r)
{
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
}

static cc_status one(db *d, arena *a, db_stmt *s, screening_row *out, const char *what, cc_error *err)
{
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        read_row(a, s, out);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "%s", what);
    (void)d;
    return out->body && out->reasons ? CC_OK
                                     : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

cc_status screening_store_get(db *d, arena *a, int64_t id, screening_row *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT " COLUMNS FROM " WHERE s.id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    return one(d, a, s, out, "no screening with this id", err);
}

cc_status screening_store_latest_decided(db *d, arena *a, int64_t patient_id,
                                         const char *protocol_id, screening_row *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT " COLUMNS FROM " WHERE s.patient_id = ? AND s.protocol_id = ?"
                              " AND s.decision IS NOT NULL ORDER BY s.decided_at DESC, s.id DESC LIMIT 1",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, patient_id);
    db_bind_text(s, 2, protocol_id);
    return one(d, a, s, out, "no signed eligibility decision for this programme", err);
}

cc_status screening_store_list(db *d, arena *a, int64_t patient_id, const char *protocol_id,
                               screening_row **rows, size_t *n, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT " COLUMNS FROM " WHERE s.patient_id = ? AND"
                              " (? IS NULL OR s.protocol_id = ?) ORDER BY s.id DESC LIMIT 100",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, patient_id);
    db_bind_text(s, 2, protocol_id);
    db_bind_text(s, 3, protocol_id);
    *n = 0;
    *rows = arena_alloc(a, 100 * sizeof **rows);
    db_step_result r;
    while (*rows && (r = db_step(s, err)) == DB_ROW)
        read_row(a, s, &(*rows)[(*n)++]);
    db_done(s);
    if (!*rows)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return r == DB_ERROR ? err->status : CC_OK;
}

cc_status screening_store_decide(db *d, const store_actor *actor, int64_t id, const char *decision,
                                 bool override, const char *override_reason, const char *meaning,
                                 cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf before;
    buf_init(&before, 1 << 18);
    db_stmt *s;
    char now[21];
    store_now_text(now);
    if ((st = audit_row_json(d, IMAGE, id, &before, err)) != CC_OK)
        goto out;
    if (strcmp(before.data, "null") == 0) {
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no screening with id %lld", (long long)id);
        goto out;
    }
    if ((st = db_prepare(d,
                         "UPDATE screenings SET decision = ?, override = ?, override_reason = ?,"
                         " meaning = ?, decided_by = ?, decided_at = ?, version = version + 1"
                         " WHERE id = ? AND decision IS NULL",
                         &s, err)) != CC_OK)
        goto out;
    db_bind_text(s, 1, decision);
    db_bind_int(s, 2, override);
    db_bind_text(s, 3, override_reason ? override_reason : "");
    db_bind_text(s, 4, meaning);
    if (actor->user_id > 0)
        db_bind_int(s, 5, actor->user_id);
    else
        db_bind_null(s, 5);
    db_bind_text(s, 6, now);
    db_bind_int(s, 7, id);
    if ((st = db_run(s, err)) != CC_OK)
        goto out;
    /* the row changed only when it was undecided */
    buf after;
    buf_init(&after, 1 << 18);
    st = audit_row_json(d, IMAGE, id, &after, err);
    bool unchanged = st == CC_OK && strcmp(after.data, before.data) == 0;
    buf_release(&after);
    if (st != CC_OK)
        goto out;
    if (unchanged) {
        st = cc_fail(err, CC_CONFLICT, "decision", "already_decided",
                     "this screening already has a signed decision; record a new screening");
        goto out;
    }
    st = audit_screening(d, actor, "sign", id, before.data, meaning, err);
out:
    buf_release(&before);
    return db_tx_end(d, st, err);
}
