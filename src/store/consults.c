#include "consults.h"

#include <string.h>

#include "store/sql.h"

static const char CONSULT_IMAGE[] =
    "SELECT id, name, email, phone, birth_date, condition_text, message, language, status,"
    " patient_id, decline_reason, synthetic, version, created_at, updated_at"
    " FROM consultation_requests WHERE id = ?";

#define CONSULT_COLUMNS                                                                      \
    "id, name, email, phone, birth_date, condition_text, message, language, status,"        \
    " patient_id, decline_reason, synthetic, version, created_at, updated_at"

static cc_status audit_consult(db *d, const store_actor *actor, const char *action, int64_t id,
                               const char *before, const char *reason, cc_error *err)
{
    return audit_log_change(d, actor, action, "consultation_request", id, CONSULT_IMAGE, before,
                            reason, err);
}

cc_status consult_create(db *d, const store_actor *actor, const consult_fields *f, bool synthetic,
                         int64_t *id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    st = db_prepare(d,
                    "INSERT INTO consultation_requests (name, email, phone, birth_date,"
                    " condition_text, message, language, status, synthetic, version, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'new', ?, 1, ?, ?) RETURNING id",
                    &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, f->name);
        db_bind_text(s, 2, f->email ? f->email : "");
        db_bind_text(s, 3, f->phone ? f->phone : "");
        db_bind_text(s, 4, f->birth_date);
        db_bind_text(s, 5, f->condition);
        db_bind_text(s, 6, f->message ? f->message : "");
        db_bind_text(s, 7, f->language);
        db_bind_int(s, 8, synthetic);
        db_bind_text(s, 9, now);
        db_bind_text(s, 10, now);
        db_step_result r = db_step(s, err);
        if (r == DB_ROW)
            *id = db_col_int(s, 0);
        db_done(s);
        if (r != DB_ROW)
            st = r == DB_ERROR ? err->status : CC_INTERNAL;
    }
    if (st == CC_OK)
        st = audit_consult(d, actor, "create", *id, NULL, NULL, err);
    return db_tx_end(d, st, err);
}


static void read_consult(arena *a, db_stmt *s, consult_record *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_col_int(s, 0);
    c->name = sql_col_dup(a, s, 1);
    c->email = sql_col_dup(a, s, 2);
    c->phone = sql_col_dup(a, s, 3);
    c->birth_date = sql_col_dup(a, s, 4);
    c->condition = sql_col_dup(a, s, 5);
    c->message = sql_col_dup(a, s, 6);
    c->language = sql_col_dup(a, s, 7);
    c->status = sql_col_dup(a, s, 8);
    c->patient_id = db_col_is_null(s, 9) ? 0 : db_col_int(s, 9);
    c->decline_reason = sql_col_dup(a, s, 10);
    c->synthetic = db_col_int(s, 11) != 0;
    c->version = db_col_int(s, 12);
    c->created_at = sql_col_dup(a, s, 13);
    c->updated_at = sql_col_dup(a, s, 14);
}

cc_status consult_get(db *d, arena *a, int64_t id, consult_record *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT " CONSULT_COLUMNS " FROM consultation_requests WHERE id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        read_consult(a, s, out);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no consultation request with id %lld",
                       (long long)id);
    return CC_OK;
}

cc_status consult_list(db *d, arena *a, const char *status, int64_t page, int64_t per_page,
                       consult_record **items, size_t *n, int64_t *total, cc_error *err)
{
    *n = 0;
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT COUNT(*) FROM consultation_requests WHERE status = ? OR ? = ''", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, status ? status : "");
    db_bind_text(s, 2, status ? status : "");
    if (db_step(s, err) == DB_ROW)
        *total = db_col_int(s, 0);
    db_done(s);
    st = db_prepare(d,
                    "SELECT " CONSULT_COLUMNS " FROM consultation_requests WHERE status = ? OR ? = ''"
                    " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                    &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, status ? status : "");
    db_bind_text(s, 2, status ? status : "");
    db_bind_int(s, 3, per_page);
    db_bind_int(s, 4, (page - 1) * per_page);
    *items = arena_alloc(a, (size_t)per_page * sizeof **items);
    db_step_result r = DB_DONE;
    while (*items && (r = db_step(s, err)) == DB_ROW)
        read_consult(a, s, &(*items)[(*n)++]);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return *items ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
}

/* Loads the request's status inside the transaction and checks it is open. */
static cc_status lock_open_request(db *d, int64_t id, buf *before, bool *synthetic, cc_error *err)
{
    arena *a = arena_create(1 << 16);
    if (!a)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    consult_record cur;
    cc_status st = consult_get(d, a, id, &cur, err);
    if (st == CC_OK) {
        st = consult_check_open(cur.status, err);
        *synthetic = cur.synthetic;
    }
    arena_release(a);
    if (st == CC_OK)
        st = audit_row_json(d, CONSULT_IMAGE, id, before, err);
    return st;
}

cc_status consult_decline(db *d, const store_actor *actor, int64_t id, const char *reason,
                          cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf before;
    buf_init(&before, 1 << 16);
    char now[21];
    store_now_text(now);
    bool synthetic = false;
    st = lock_open_request(d, id, &before, &synthetic, err);
    db_stmt *s;
    if (st == CC_OK)
        st = db_prepare(d,
                        "UPDATE consultation_requests SET status = 'declined', decline_reason = ?,"
                        " updated_at = ?, version = version + 1 WHERE id = ?",
                        &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, reason);
        db_bind_text(s, 2, now);
        db_bind_int(s, 3, id);
        st = db_run(s, err);
    }
    if (st == CC_OK)
        st = audit_consult(d, actor, "decline", id, before.data, reason, err);
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status consult_convert(db *d, const store_actor *actor, int64_t id, const patient_fields *f,
                          bool confirm_duplicate, int64_t *patient_id, patient_matches *dup,
                          cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf before;
    buf_init(&before, 1 << 16);
    char now[21];
    store_now_text(now);
    bool synthetic = false;
    st = lock_open_request(d, id, &before, &synthetic, err);
    if (st == CC_OK)
        st = patient_create_in_tx(d, actor, f, synthetic, confirm_duplicate, 0, patient_id, dup, err);
    db_stmt *s;
    if (st == CC_OK)
        st = db_prepare(d,
                        "UPDATE consultation_requests SET status = 'converted', patient_id = ?,"
                        " updated_at = ?, version = version + 1 WHERE id = ?",
                        &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, *patient_id);
        db_bind_text(s, 2, now);
        db_bind_int(s, 3, id);
        st = db_run(s, err);
    }
    if (st == CC_OK)
        st = audit_consult(d, actor, "convert", id, before.data, NULL, err);
    buf_release(&before);
    return db_tx_end(d, st, err);
}
