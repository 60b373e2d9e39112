#include "consults.h"

#include <string.h>

#include "store/sql.h"

#define CONSULT_COLUMNS                                                                            \
    "id, name, email, phone, birth_date, condition_text, message, language, status,"               \
    " patient_id, decline_reason, synthetic, version, created_at, updated_at, country,"            \
    " diagnosis, injury_level, injury_date, contact_consent"

static const char CONSULT_IMAGE[] =
    "SELECT " CONSULT_COLUMNS " FROM consultation_requests WHERE id = ?";
static const audit_entity CONSULTATION_REQUEST = {"consultation_request", CONSULT_IMAGE};

cc_status consult_create(db *d, const store_actor *actor, const consult_fields *f, bool synthetic,
                         int64_t *id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg args[] = {SQL_S(f->name),
                      SQL_S(f->email ? f->email : ""),
                      SQL_S(f->phone ? f->phone : ""),
                      SQL_S(f->birth_date),
                      SQL_S(f->condition ? f->condition : ""),
                      SQL_S(f->message ? f->message : ""),
                      SQL_S(f->language),
                      SQL_I(synthetic),
                      SQL_S(now),
                      SQL_S(now),
                      SQL_S(f->country ? f->country : ""),
                      SQL_S(f->diagnosis ? f->diagnosis : ""),
                      SQL_S(f->injury_level ? f->injury_level : ""),
                      SQL_S(f->injury_date),
                      SQL_I(f->consent)};
    return audit_create(d, actor, &CONSULTATION_REQUEST,
                        "INSERT INTO consultation_requests (name, email, phone,"
                        " birth_date, condition_text, message, language, status,"
                        " synthetic, version, created_at, updated_at, country, diagnosis,"
                        " injury_level, injury_date, contact_consent)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, 'new', ?, 1, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        args, SQL_COUNT(args), NULL, id, err);
}

static bool read_consult(arena *a, db_stmt *s, void *item)
{
    consult_record *c = item;
    memset(c, 0, sizeof *c);
    c->id = db_col_int(s, 0);
    char **text[] = {&c->name,      &c->email,   &c->phone,    &c->birth_date,
                     &c->condition, &c->message, &c->language, &c->status};
    for (int col = 1; col <= 8; col++)
        *text[col - 1] = sql_col_dup(a, s, col);
    c->patient_id = db_col_is_null(s, 9) ? 0 : db_col_int(s, 9);
    c->decline_reason = sql_col_dup(a, s, 10);
    c->synthetic = db_col_int(s, 11) != 0;
    c->version = db_col_int(s, 12);
    c->created_at = sql_col_dup(a, s, 13);
    c->updated_at = sql_col_dup(a, s, 14);
    c->country = sql_col_dup(a, s, 15);
    c->diagnosis = sql_col_dup(a, s, 16);
    c->injury_level = sql_col_dup(a, s, 17);
    c->injury_date = sql_col_dup(a, s, 18);
    c->consent = db_col_int(s, 19) != 0;
    return true;
}

cc_status consult_get(db *d, arena *a, int64_t id, consult_record *out, cc_error *err)
{
    cc_status st =
        sql_fill_one(d, a, CONSULT_IMAGE, (sql_arg[]){SQL_I(id)}, 1, read_consult, out, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no consultation request with id %lld",
                       (long long)id);
    return st;
}

cc_status consult_list(db *d, arena *a, const char *status, int64_t page, int64_t per_page,
                       consult_record **items, size_t *n, int64_t *total, cc_error *err)
{
    sql_arg args[] = {SQL_S(status ? status : ""), SQL_S(status ? status : "")};
    sql_page_query q = {"SELECT COUNT(*) FROM consultation_requests WHERE status = ? OR ? = ''",
                        "SELECT " CONSULT_COLUMNS " FROM consultation_requests"
                        " WHERE status = ? OR ? = '' ORDER BY created_at DESC, id DESC"
                        " LIMIT ? OFFSET ?",
                        args,
                        SQL_COUNT(args),
                        0,
                        page,
                        per_page};
    return sql_page(d, a, &q, read_consult, sizeof **items, (void **)items, n, total, err);
}

/* Begins the transaction and checks inside it that the request is still
 * open; on failure no transaction is left open. */
static cc_status begin_on_open_request(db *d, int64_t id, bool *synthetic, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    arena *a = arena_create(1 << 16);
    consult_record cur;
    st = a ? consult_get(d, a, id, &cur, err)
           : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK) {
        st = consult_check_open(cur.status, err);
        *synthetic = cur.synthetic;
    }
    arena_release(a);
    return st == CC_OK ? st : db_tx_end(d, st, err);
}

/* Closes an open request (status 'declined' or 'converted') with its entry. */
static cc_status close_request(db *d, const store_actor *actor, int64_t id, const char *action,
                               const char *change_sql, sql_arg detail, const char *reason,
                               cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg args[] = {detail, SQL_S(now), SQL_I(id)};
    return audit_update(d, actor, &CONSULTATION_REQUEST, action, id, change_sql, args,
                        SQL_COUNT(args), reason, err);
}

cc_status consult_decline(db *d, const store_actor *actor, int64_t id, const char *reason,
                          cc_error *err)
{
    bool synthetic = false;
    cc_status st = begin_on_open_request(d, id, &synthetic, err);
    if (st != CC_OK)
        return st;
    st = close_request(d, actor, id, "decline",
                       "UPDATE consultation_requests SET status = 'declined', decline_reason = ?,"
                       " updated_at = ?, version = version + 1 WHERE id = ?",
                       SQL_S(reason), reason, err);
    return db_tx_end(d, st, err);
}

cc_status consult_convert(db *d, const store_actor *actor, int64_t id, int64_t site_id,
                          const patient_fields *f, const consult_condition_row *condition,
                          bool confirm_duplicate, int64_t *patient_id, patient_matches *dup,
                          cc_error *err)
{
    bool synthetic = false;
    cc_status st = begin_on_open_request(d, id, &synthetic, err);
    if (st != CC_OK)
        return st;
    st = patient_create_in_tx(d, actor, f, site_id, synthetic, confirm_duplicate, 0, patient_id,
                              dup, err);
    int64_t condition_id;
    if (st == CC_OK && condition)
        st = patient_add_condition_in_tx(d, actor, *patient_id, condition->icd10, condition->label,
                                         condition->onset_date, condition->details_json,
                                         &condition_id, err);
    if (st == CC_OK)
        st = close_request(d, actor, id, "convert",
                           "UPDATE consultation_requests SET status = 'converted', patient_id = ?,"
                           " updated_at = ?, version = version + 1 WHERE id = ?",
                           SQL_I(*patient_id), NULL, err);
    return db_tx_end(d, st, err);
}
