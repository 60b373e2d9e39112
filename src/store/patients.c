#include "patients.h"

#include <stdio.h>
#include <string.h>

#include "core/mrn.h"
#include "core/text.h"
#include "store/counters.h"
#include "store/sql.h"

static const char PATIENT_IMAGE[] =
    "SELECT id, mrn, family_name, given_names, birth_date, sex, language, email, phone,"
    " address, synthetic, version, created_at, updated_at FROM patients WHERE id = ?";

static cc_status find_duplicates(db *d, const char *identity_key, patient_matches *dup, cc_error *err)
{
    dup->n = 0;
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT id FROM patients WHERE identity_key = ? ORDER BY id LIMIT 8", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, identity_key);
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW && dup->n < 8)
        dup->ids[dup->n++] = db_col_int(s, 0);
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

static cc_status audit_patient(db *d, const store_actor *actor, const char *action, int64_t id,
                               const char *before, const char *reason, cc_error *err)
{
    return audit_log_change(d, actor, action, "patient", id, PATIENT_IMAGE, before, reason, err);
}

static cc_status insert_weight(db *d, const store_actor *actor, int64_t patient_id, const char *date,
                               int grams, int64_t *weight_id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "INSERT INTO patient_weights (patient_id, measured_on, grams, recorded_at,"
                              " recorded_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, patient_id);
    db_bind_text(s, 2, date);
    db_bind_int(s, 3, grams);
    db_bind_text(s, 4, now);
    if (actor->user_id > 0)
        db_bind_int(s, 5, actor->user_id);
    else
        db_bind_null(s, 5);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *weight_id = db_col_int(s, 0);
    db_done(s);
    if (r != DB_ROW)
        return r == DB_ERROR ? err->status : CC_INTERNAL;
    return audit_log_change(d, actor, "create", "patient_weight", *weight_id,
                            "SELECT id, patient_id, measured_on, grams, recorded_at"
                            " FROM patient_weights WHERE id = ?",
                            NULL, NULL, err);
}

cc_status patient_create_in_tx(db *d, const store_actor *actor, const patient_fields *f,
                               bool synthetic, bool confirm_duplicate, int weight_grams,
                               int64_t *id, patient_matches *dup, cc_error *err)
{
    char identity[PATIENT_SEARCH_KEY_MAX];
    patient_identity_key(f->family_name, f->given_names, f->birth_date, identity, sizeof identity);
    cc_status st = find_duplicates(d, identity, dup, err);
    if (st != CC_OK)
        return st;
    if (dup->n > 0 && !confirm_duplicate)
        return cc_fail(err, CC_CONFLICT, "family_name", "possible_duplicate",
                       "a patient with the same names and birth date exists; confirm to create "
                       "another record");
    int64_t sequence;
    if ((st = counter_next(d, "mrn", &sequence, err)) != CC_OK)
        return st;
    char mrn[MRN_TEXT];
    if (!mrn_format((uint32_t)sequence, mrn))
        return cc_fail(err, CC_STORAGE, NULL, "mrn_exhausted", "no medical record numbers left");
    char key[PATIENT_SEARCH_KEY_MAX], now[21];
    patient_search_key(f->family_name, f->given_names, mrn, f->birth_date, key, sizeof key);
    store_now_text(now);
    db_stmt *s;
    st = db_prepare(d,
                    "INSERT INTO patients (mrn, family_name, given_names, birth_date, sex, language,"
                    " email, phone, address, search_key, identity_key, synthetic, version,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
                    " RETURNING id",
                    &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, mrn);
    db_bind_text(s, 2, f->family_name);
    db_bind_text(s, 3, f->given_names);
    db_bind_text(s, 4, f->birth_date);
    db_bind_text(s, 5, f->sex);
    db_bind_text(s, 6, f->language);
    db_bind_text(s, 7, f->email ? f->email : "");
    db_bind_text(s, 8, f->phone ? f->phone : "");
    db_bind_text(s, 9, f->address ? f->address : "");
    db_bind_text(s, 10, key);
    db_bind_text(s, 11, identity);
    db_bind_int(s, 12, synthetic);
    db_bind_text(s, 13, now);
    db_bind_text(s, 14, now);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *id = db_col_int(s, 0);
    db_done(s);
    if (r != DB_ROW)
        return r == DB_ERROR ? err->status : CC_INTERNAL;
    if ((st = audit_patient(d, actor, "create", *id, NULL, NULL, err)) != CC_OK)
        return st;
    if (weight_grams > 0) {
        char today[CC_DATE_TEXT];
        date_format(instant_date(store_now_seconds()), today);
        int64_t weight_id;
        st = insert_weight(d, actor, *id, today, weight_grams, &weight_id, err);
    }
    return st;
}

cc_status patient_create(db *d, const store_actor *actor, const patient_fields *f, bool synthetic,
                         bool confirm_duplicate, int weight_grams, int64_t *id,
                         patient_matches *dup, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = patient_create_in_tx(d, actor, f, synthetic, confirm_duplicate, weight_grams, id, dup, err);
    return db_tx_end(d, st, err);
}


#define PATIENT_COLUMNS                                                                       \
    "id, mrn, family_name, given_names, birth_date, sex, language, email, phone, address,"   \
    " synthetic, version, created_at, updated_at"

static void read_patient(arena *a, db_stmt *s, patient_record *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_col_int(s, 0);
    p->mrn = sql_col_dup(a, s, 1);
    p->family_name = sql_col_dup(a, s, 2);
    p->given_names = sql_col_dup(a, s, 3);
    p->birth_date = sql_col_dup(a, s, 4);
    p->sex = sql_col_dup(a, s, 5);
    p->language = sql_col_dup(a, s, 6);
    p->email = sql_col_dup(a, s, 7);
    p->phone = sql_col_dup(a, s, 8);
    p->address = sql_col_dup(a, s, 9);
    p->synthetic = db_col_int(s, 10) != 0;
    p->version = db_col_int(s, 11);
    p->created_at = sql_col_dup(a, s, 12);
    p->updated_at = sql_col_dup(a, s, 13);
}

static cc_status load_children(db *d, arena *a, patient_record *p, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT measured_on, grams FROM patient_weights WHERE patient_id = ?"
                              " ORDER BY measured_on DESC, id DESC LIMIT 200",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, p->id);
    size_t cap = 200;
    p->weights = arena_alloc(a, cap * sizeof *p->weights);
    db_step_result r;
    while (p->weights && (r = db_step(s, err)) == DB_ROW) {
        p->weights[p->n_weights].date = sql_col_dup(a, s, 0);
        p->weights[p->n_weights].grams = (int)db_col_int(s, 1);
        p->n_weights++;
    }
    db_done(s);
    st = db_prepare(d,
                    "SELECT id, icd10, label, onset_date, details FROM patient_conditions"
                    " WHERE patient_id = ? ORDER BY id LIMIT 200",
                    &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, p->id);
    p->conditions = arena_alloc(a, cap * sizeof *p->conditions);
    while (p->conditions && (r = db_step(s, err)) == DB_ROW) {
        patient_condition *c = &p->conditions[p->n_conditions++];
        c->id = db_col_int(s, 0);
        c->icd10 = sql_col_dup(a, s, 1);
        c->label = sql_col_dup(a, s, 2);
        c->onset_date = sql_col_dup(a, s, 3);
        c->details_json = sql_col_dup(a, s, 4);
    }
    db_done(s);
    if (!p->weights || !p->conditions)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return CC_OK;
}

cc_status patient_get(db *d, arena *a, int64_t id, bool with_children, patient_record *out,
                      cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT " PATIENT_COLUMNS " FROM patients WHERE id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        read_patient(a, s, out);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld", (long long)id);
    return with_children ? load_children(d, a, out, err) : CC_OK;
}

static const char *pick(const char *given, const char *stored) { return given ? given : stored; }

cc_status patient_update(db *d, const store_actor *actor, int64_t id, int64_t expected_version,
                         const patient_fields *f, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    arena *a = arena_create(1 << 20);
    buf before;
    buf_init(&before, 1 << 16);
    patient_record cur;
    if (!a) {
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        goto out;
    }
    if ((st = patient_get(d, a, id, false, &cur, err)) != CC_OK)
        goto out;
    if (cur.version != expected_version) {
        st = cc_fail(err, CC_CONFLICT, "version", "version_conflict",
                     "the patient was changed by someone else (version %lld, you had %lld)",
                     (long long)cur.version, (long long)expected_version);
        goto out;
    }
    if ((st = audit_row_json(d, PATIENT_IMAGE, id, &before, err)) != CC_OK)
        goto out;
    patient_fields m = {pick(f->family_name, cur.family_name), pick(f->given_names, cur.given_names),
                        pick(f->birth_date, cur.birth_date),   pick(f->sex, cur.sex),
                        pick(f->language, cur.language),       pick(f->email, cur.email),
                        pick(f->phone, cur.phone),             pick(f->address, cur.address)};
    char key[PATIENT_SEARCH_KEY_MAX], identity[PATIENT_SEARCH_KEY_MAX], now[21];
    patient_search_key(m.family_name, m.given_names, cur.mrn, m.birth_date, key, sizeof key);
    patient_identity_key(m.family_name, m.given_names, m.birth_date, identity, sizeof identity);
    store_now_text(now);
    db_stmt *s;
    st = db_prepare(d,
                    "UPDATE patients SET family_name = ?, given_names = ?, birth_date = ?, sex = ?,"
                    " language = ?, email = ?, phone = ?, address = ?, search_key = ?,"
                    " identity_key = ?, updated_at = ?, version = version + 1"
                    " WHERE id = ? AND version = ?",
                    &s, err);
    if (st != CC_OK)
        goto out;
    db_bind_text(s, 1, m.family_name);
    db_bind_text(s, 2, m.given_names);
    db_bind_text(s, 3, m.birth_date);
    db_bind_text(s, 4, m.sex);
    db_bind_text(s, 5, m.language);
    db_bind_text(s, 6, m.email);
    db_bind_text(s, 7, m.phone);
    db_bind_text(s, 8, m.address);
    db_bind_text(s, 9, key);
    db_bind_text(s, 10, identity);
    db_bind_text(s, 11, now);
    db_bind_int(s, 12, id);
    db_bind_int(s, 13, expected_version);
    if ((st = db_run(s, err)) != CC_OK)
        goto out;
    st = audit_patient(d, actor, "update", id, before.data, NULL, err);
out:
    buf_release(&before);
    arena_release(a);
    return db_tx_end(d, st, err);
}

static cc_status require_patient(db *d, int64_t id, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT birth_date FROM patients WHERE id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_step_result r = db_step(s, err);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld", (long long)id);
    return CC_OK;
}

cc_status patient_add_weight(db *d, const store_actor *actor, int64_t id, const char *date,
                             int grams, int64_t *weight_id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    if ((st = require_patient(d, id, err)) == CC_OK)
        st = insert_weight(d, actor, id, date, grams, weight_id, err);
    return db_tx_end(d, st, err);
}

cc_status patient_add_condition_in_tx(db *d, const store_actor *actor, int64_t id,
                                      const char *icd10, const char *label, const char *onset_date,
                                      const char *details_json, int64_t *condition_id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    db_stmt *s = NULL;
    cc_status st = require_patient(d, id, err);
    if (st == CC_OK)
        st = db_prepare(d,
                        "INSERT INTO patient_conditions (patient_id, icd10, label, onset_date,"
                        " details, recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, icd10);
    db_bind_text(s, 3, label);
    db_bind_text(s, 4, onset_date);
    db_bind_text(s, 5, details_json ? details_json : "{}");
    db_bind_text(s, 6, now);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *condition_id = db_col_int(s, 0);
    db_done(s);
    if (r != DB_ROW)
        return r == DB_ERROR ? err->status : CC_INTERNAL;
    return audit_log_change(d, actor, "create", "patient_condition", *condition_id,
                            "SELECT id, patient_id, icd10, label, onset_date, details, recorded_at"
                            " FROM patient_conditions WHERE id = ?",
                            NULL, NULL, err);
}

cc_status patient_add_condition(db *d, const store_actor *actor, int64_t id, const char *icd10,
                                const char *label, const char *onset_date,
                                const char *details_json, int64_t *condition_id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = patient_add_condition_in_tx(d, actor, id, icd10, label, onset_date, details_json,
                                     condition_id, err);
    return db_tx_end(d, st, err);
}

/* One literal per sort order, so each is a cached prepared statement. Up to
 * four words of the query must each appear in the folded search key. */
#define SEARCH_WHERE                                                                          \
    " FROM patients WHERE search_key LIKE ? AND search_key LIKE ? AND search_key LIKE ?"     \
    " AND search_key LIKE ?"
/* The API's JSON shape: synthetic as a boolean (a "_json" column is inlined). */
#define PATIENT_JSON_COLUMNS                                                                  \
    "id, mrn, family_name, given_names, birth_date, sex, language, email, phone, address,"   \
    " CASE WHEN synthetic = 1 THEN 'true' ELSE 'false' END AS synthetic_json, version,"     \
    " created_at, updated_at"
#define SEARCH_JSON_SQL(order)                                                                \
    "SELECT " PATIENT_JSON_COLUMNS SEARCH_WHERE " ORDER BY " order ", id LIMIT ? OFFSET ?"

static const char *const SEARCH_JSON[PATIENT_SORT_COUNT][2] = {
    {SEARCH_JSON_SQL("search_key"), SEARCH_JSON_SQL("search_key DESC")},
    {SEARCH_JSON_SQL("given_names, family_name"), SEARCH_JSON_SQL("given_names DESC, family_name DESC")},
    {SEARCH_JSON_SQL("birth_date"), SEARCH_JSON_SQL("birth_date DESC")},
    {SEARCH_JSON_SQL("mrn"), SEARCH_JSON_SQL("mrn DESC")},
    {SEARCH_JSON_SQL("created_at"), SEARCH_JSON_SQL("created_at DESC")},
};


static const char COUNT_SQL[] =
    "SELECT COUNT(*) FROM patients WHERE search_key LIKE ? AND search_key LIKE ?"
    " AND search_key LIKE ? AND search_key LIKE ?";

enum { MAX_TERMS = 4 };


static void split_terms(const char *q, char patterns[MAX_TERMS][PATIENT_SEARCH_KEY_MAX + 3])
{
    char folded[PATIENT_SEARCH_KEY_MAX];
    text_fold(q ? q : "", folded, sizeof folded);
    int n = 0;
    for (char *p = folded; *p && n < MAX_TERMS;) {
        char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(patterns[n++], PATIENT_SEARCH_KEY_MAX + 3, "%%%.*s%%", (int)len, p);
        p += len + (end ? 1 : 0);
    }
    for (; n < MAX_TERMS; n++)
        snprintf(patterns[n], PATIENT_SEARCH_KEY_MAX + 3, "%%");
}


cc_status patient_render(db *d, int64_t id, buf *out, int64_t *version, cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    cc_status st = sql_scalar(d, "SELECT version FROM patients WHERE id = ?", args, 1, version, err);
    if (st == CC_OK && *version == 0)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld", (long long)id);
    if (st == CC_OK)
        st = sql_rows_json(d, "SELECT " PATIENT_JSON_COLUMNS " FROM patients WHERE id = ?", args, 1,
                           true, out, err);
    if (st != CC_OK)
        return st;
    out->len--; /* reopen the object to add its lists */
    buf_puts(out, ",\"weights\":");
    st = sql_rows_json(d,
                       "SELECT measured_on AS date, grams / 1000.0 AS kg FROM patient_weights"
                       " WHERE patient_id = ? ORDER BY measured_on DESC, id DESC",
                       args, 1, false, out, err);
    if (st == CC_OK) {
        buf_puts(out, ",\"conditions\":");
        st = sql_rows_json(d,
                           "SELECT id, icd10, label, onset_date, details AS details_json"
                           " FROM patient_conditions WHERE patient_id = ? ORDER BY id",
                           args, 1, false, out, err);
    }
    buf_putc(out, '}');
    return st;
}

cc_status patient_search_render(db *d, const patient_query *q, buf *items, int64_t *total,
                                cc_error *err)
{
    char patterns[MAX_TERMS][PATIENT_SEARCH_KEY_MAX + 3];
    split_terms(q->q, patterns);
    sql_arg args[MAX_TERMS + 2];
    for (int i = 0; i < MAX_TERMS; i++)
        args[i] = SQL_S(patterns[i]);
    cc_status st = sql_scalar(d, COUNT_SQL, args, MAX_TERMS, total, err);
    args[MAX_TERMS] = SQL_I(q->per_page);
    args[MAX_TERMS + 1] = SQL_I((q->page - 1) * q->per_page);
    if (st == CC_OK)
        st = sql_rows_json(d, SEARCH_JSON[q->sort][q->descending], args, MAX_TERMS + 2, false, items,
                           err);
    return st;
}
