#include "patients.h"

#include <stdio.h>
#include <string.h>

#include "core/mrn.h"
#include "core/text.h"
#include "store/counters.h"
#include "store/sql.h"

static const char PATIENT_IMAGE[] =
    "SELECT id, mrn, family_name, given_names, birth_date, sex, language, email, phone,"
    " address, synthetic, version, created_at, updated_at, site_id FROM patients WHERE id = ?";
static const audit_entity PATIENT = {"patient", PATIENT_IMAGE};
static const audit_entity PATIENT_WEIGHT = {
    "patient_weight",
    "SELECT id, patient_id, measured_on, grams, recorded_at FROM patient_weights WHERE id = ?"};
static const audit_entity PATIENT_CONDITION = {
    "patient_condition", "SELECT id, patient_id, icd10, label, onset_date, details, recorded_at"
                         " FROM patient_conditions WHERE id = ?"};

static cc_status keep_duplicate(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    patient_matches *dup = ctx;
    dup->ids[dup->n++] = db_col_int(row, 0);
    return CC_OK;
}

/* Found by the names and birth date (patients_identity), a handful of rows
 * whatever the site's size: "+ 0" keeps the site's own index out of it,
 * which PostgreSQL chose or combined with it when the statement was first
 * planned before the table's statistics were taken, a scan growing with
 * the site's patients for as long as the connection kept that plan. */
static const char DUPLICATES_SQL[] =
    "SELECT id FROM patients WHERE identity_key = ? AND site_id + 0 = ? ORDER BY id LIMIT 8";

/* Within the site: another site's patients are not shown to its users. */
static cc_status find_duplicates(db *d, const char *identity_key, int64_t site_id,
                                 patient_matches *dup, cc_error *err)
{
    dup->n = 0;
    sql_arg a[] = {SQL_S(identity_key), SQL_I(site_id)};
    return sql_each(d, DUPLICATES_SQL, a, SQL_COUNT(a), keep_duplicate, dup, NULL, err);
}

static cc_status insert_weight(db *d, const store_actor *actor, int64_t patient_id,
                               const char *date, int grams, int64_t *weight_id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg args[] = {SQL_I(patient_id), SQL_S(date), SQL_I(grams), SQL_S(now),
                      SQL_ID(actor->user_id)};
    return audit_create(d, actor, &PATIENT_WEIGHT,
                        "INSERT INTO patient_weights (patient_id,"
                        " measured_on, grams, recorded_at, recorded_by)"
                        " VALUES (?, ?, ?, ?, ?) RETURNING id",
                        args, SQL_COUNT(args), NULL, weight_id, err);
}

cc_status patient_create_in_tx(db *d, const store_actor *actor, const patient_fields *f,
                               int64_t site_id, bool synthetic, bool confirm_duplicate,
                               int weight_grams, int64_t *id, patient_matches *dup, cc_error *err)
{
    char identity[PATIENT_SEARCH_KEY_MAX];
    patient_identity_key(f->family_name, f->given_names, f->birth_date, identity, sizeof identity);
    /* The lookup goes with the number's allocation (one round trip on
     * PostgreSQL); a refused duplicate rolls the number back with the rest. */
    sql_arg a[] = {SQL_S(identity), SQL_I(site_id)};
    cc_status st = sql_prefetch(d, DUPLICATES_SQL, a, SQL_COUNT(a), err);
    int64_t sequence;
    if (st == CC_OK)
        st = counter_next(d, "mrn", &sequence, err);
    if (st == CC_OK)
        st = find_duplicates(d, identity, site_id, dup, err);
    if (st != CC_OK)
        return st;
    if (dup->n > 0 && !confirm_duplicate)
        return cc_fail(err, CC_CONFLICT, "family_name", "possible_duplicate",
                       "a patient with the same names and birth date exists; confirm to create "
                       "another record");
    char mrn[MRN_TEXT];
    if (!mrn_format((uint32_t)sequence, mrn))
        return cc_fail(err, CC_STORAGE, NULL, "mrn_exhausted", "no medical record numbers left");
    char key[PATIENT_SEARCH_KEY_MAX], now[21];
    patient_search_key(f->family_name, f->given_names, mrn, f->birth_date, key, sizeof key);
    store_now_text(now);
    sql_arg args[] = {SQL_S(mrn),
                      SQL_S(f->family_name),
                      SQL_S(f->given_names),
                      SQL_S(f->birth_date),
                      SQL_S(f->sex),
                      SQL_S(f->language),
                      SQL_S(f->email ? f->email : ""),
                      SQL_S(f->phone ? f->phone : ""),
                      SQL_S(f->address ? f->address : ""),
                      SQL_S(key),
                      SQL_S(identity),
                      SQL_I(synthetic),
                      SQL_S(now),
                      SQL_S(now),
                      SQL_I(site_id)};
    st = audit_create(d, actor, &PATIENT,
                      "INSERT INTO patients (mrn, family_name, given_names,"
                      " birth_date, sex, language, email, phone, address,"
                      " search_key, identity_key, synthetic, version, created_at,"
                      " updated_at, site_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1,"
                      " ?, ?, ?) RETURNING id",
                      args, SQL_COUNT(args), NULL, id, err);
    if (st == CC_OK && weight_grams > 0) {
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
    st = patient_create_in_tx(d, actor, f, 1, synthetic, confirm_duplicate, weight_grams, id, dup,
                              err);
    return db_tx_end(d, st, err);
}

#define PATIENT_COLUMNS                                                                            \
    "id, mrn, family_name, given_names, birth_date, sex, language, email, phone, address,"         \
    " synthetic, version, created_at, updated_at"

static bool read_patient(arena *a, db_stmt *s, void *item)
{
    patient_record *p = item;
    memset(p, 0, sizeof *p);
    p->id = db_col_int(s, 0);
    char **text[] = {&p->mrn,      &p->family_name, &p->given_names, &p->birth_date, &p->sex,
                     &p->language, &p->email,       &p->phone,       &p->address};
    for (int c = 1; c <= 9; c++)
        *text[c - 1] = sql_col_dup(a, s, c);
    p->synthetic = db_col_int(s, 10) != 0;
    p->version = db_col_int(s, 11);
    p->created_at = sql_col_dup(a, s, 12);
    p->updated_at = sql_col_dup(a, s, 13);
    return true;
}

static bool read_weight(arena *a, db_stmt *s, void *item)
{
    patient_weight *w = item;
    w->date = sql_col_dup(a, s, 0);
    w->grams = (int)db_col_int(s, 1);
    return true;
}

static bool read_condition(arena *a, db_stmt *s, void *item)
{
    patient_condition *c = item;
    c->id = db_col_int(s, 0);
    c->icd10 = sql_col_dup(a, s, 1);
    c->label = sql_col_dup(a, s, 2);
    c->onset_date = sql_col_dup(a, s, 3);
    c->details_json = sql_col_dup(a, s, 4);
    return true;
}

static cc_status load_children(db *d, arena *a, patient_record *p, cc_error *err)
{
    sql_arg id[] = {SQL_I(p->id)};
    cc_status st = sql_fill(d, a,
                            "SELECT measured_on, grams FROM patient_weights WHERE patient_id = ?"
                            " ORDER BY measured_on DESC, id DESC LIMIT 200",
                            id, 1, read_weight, sizeof *p->weights, 200, (void **)&p->weights,
                            &p->n_weights, err);
    if (st == CC_OK)
        st = sql_fill(d, a,
                      "SELECT id, icd10, label, onset_date, details FROM patient_conditions"
                      " WHERE patient_id = ? ORDER BY id LIMIT 200",
                      id, 1, read_condition, sizeof *p->conditions, 200, (void **)&p->conditions,
                      &p->n_conditions, err);
    return st;
}

static cc_status no_patient(cc_error *err, const char *field, int64_t id)
{
    return cc_fail(err, CC_NOT_FOUND, field, "not_found", "no patient with id %lld", (long long)id);
}

cc_status patient_get(db *d, arena *a, int64_t id, bool with_children, patient_record *out,
                      cc_error *err)
{
    cc_status st = sql_fill_one(d, a, "SELECT " PATIENT_COLUMNS " FROM patients WHERE id = ?",
                                (sql_arg[]){SQL_I(id)}, 1, read_patient, out, err);
    if (st == CC_NOT_FOUND)
        return no_patient(err, "id", id);
    return st == CC_OK && with_children ? load_children(d, a, out, err) : st;
}

static const char *pick(const char *given, const char *stored)
{
    return given ? given : stored;
}

cc_status patient_update(db *d, const store_actor *actor, int64_t id, int64_t expected_version,
                         const patient_fields *f, const char *reason, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    arena *a = arena_create(1 << 20);
    patient_record cur;
    if (!a)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK)
        st = patient_get(d, a, id, false, &cur, err);
    if (st == CC_OK && cur.version != expected_version)
        st = cc_fail(err, CC_CONFLICT, "version", "version_conflict",
                     "the patient was changed by someone else (version %lld, you had %lld)",
                     (long long)cur.version, (long long)expected_version);
    if (st == CC_OK) {
        patient_fields m = {pick(f->family_name, cur.family_name),
                            pick(f->given_names, cur.given_names),
                            pick(f->birth_date, cur.birth_date),
                            pick(f->sex, cur.sex),
                            pick(f->language, cur.language),
                            pick(f->email, cur.email),
                            pick(f->phone, cur.phone),
                            pick(f->address, cur.address)};
        char key[PATIENT_SEARCH_KEY_MAX], identity[PATIENT_SEARCH_KEY_MAX], now[21];
        patient_search_key(m.family_name, m.given_names, cur.mrn, m.birth_date, key, sizeof key);
        patient_identity_key(m.family_name, m.given_names, m.birth_date, identity, sizeof identity);
        store_now_text(now);
        sql_arg args[] = {SQL_S(m.family_name),   SQL_S(m.given_names), SQL_S(m.birth_date),
                          SQL_S(m.sex),           SQL_S(m.language),    SQL_S(m.email),
                          SQL_S(m.phone),         SQL_S(m.address),     SQL_S(key),
                          SQL_S(identity),        SQL_S(now),           SQL_I(id),
                          SQL_I(expected_version)};
        st = audit_update(d, actor, &PATIENT, "update", id,
                          "UPDATE patients SET family_name = ?, given_names = ?,"
                          " birth_date = ?, sex = ?, language = ?, email = ?,"
                          " phone = ?, address = ?, search_key = ?,"
                          " identity_key = ?, updated_at = ?,"
                          " version = version + 1 WHERE id = ? AND version = ?",
                          args, SQL_COUNT(args), reason, err);
    }
    arena_release(a);
    return db_tx_end(d, st, err);
}

static cc_status require_patient(db *d, int64_t id, cc_error *err)
{
    return sql_require_id(d, "SELECT birth_date FROM patients WHERE id = ?", id, "id", "patient",
                          err);
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
                                      const char *details_json, int64_t *condition_id,
                                      cc_error *err)
{
    char now[21];
    store_now_text(now);
    cc_status st = require_patient(d, id, err);
    sql_arg args[] = {SQL_I(id),
                      SQL_S(icd10),
                      SQL_S(label),
                      SQL_S(onset_date),
                      SQL_S(details_json ? details_json : "{}"),
                      SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &PATIENT_CONDITION,
                          "INSERT INTO patient_conditions (patient_id, icd10,"
                          " label, onset_date, details, recorded_at)"
                          " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          args, SQL_COUNT(args), NULL, condition_id, err);
    return st;
}

cc_status patient_add_condition(db *d, const store_actor *actor, int64_t id, const char *icd10,
                                const char *label, const char *onset_date, const char *details_json,
                                int64_t *condition_id, cc_error *err)
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
#define SEARCH_WHERE                                                                               \
    " FROM patients WHERE site_id = ? AND search_key LIKE ? ESCAPE '\\'"                           \
    " AND search_key LIKE ? ESCAPE '\\' AND search_key LIKE ? ESCAPE '\\'"                         \
    " AND search_key LIKE ? ESCAPE '\\'"
/* The API's JSON shape: synthetic as a boolean (a "_json" column is inlined). */
#define PATIENT_JSON_COLUMNS                                                                       \
    "id, mrn, family_name, given_names, birth_date, sex, language, email, phone, address,"         \
    " CASE WHEN synthetic = 1 THEN 'true' ELSE 'false' END AS synthetic_json, version,"            \
    " created_at, updated_at"
#define SEARCH_JSON_SQL(order)                                                                     \
    "SELECT " PATIENT_JSON_COLUMNS SEARCH_WHERE " ORDER BY " order ", id LIMIT ? OFFSET ?"

static const char *const SEARCH_JSON[PATIENT_SORT_COUNT][2] = {
    {SEARCH_JSON_SQL("search_key"), SEARCH_JSON_SQL("search_key DESC")},
    {SEARCH_JSON_SQL("given_names, family_name"),
     SEARCH_JSON_SQL("given_names DESC, family_name DESC")},
    {SEARCH_JSON_SQL("birth_date"), SEARCH_JSON_SQL("birth_date DESC")},
    {SEARCH_JSON_SQL("mrn"), SEARCH_JSON_SQL("mrn DESC")},
    {SEARCH_JSON_SQL("created_at"), SEARCH_JSON_SQL("created_at DESC")},
};

enum { MAX_TERMS = 4 };

/* %term% with the term's own % _ and \ taken literally (ESCAPE '\'). */
static void like_term(const char *term, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    out[n++] = '%';
    for (size_t i = 0; i < len && n + 3 < cap; i++) {
        if (term[i] == '%' || term[i] == '_' || term[i] == '\\')
            out[n++] = '\\';
        out[n++] = term[i];
    }
    out[n++] = '%';
    out[n] = '\0';
}

static void split_terms(const char *q, char patterns[MAX_TERMS][PATIENT_SEARCH_KEY_MAX + 3])
{
    char folded[PATIENT_SEARCH_KEY_MAX];
    text_fold(q ? q : "", folded, sizeof folded);
    int n = 0;
    for (char *p = folded; *p && n < MAX_TERMS;) {
        char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        like_term(p, len, patterns[n++], PATIENT_SEARCH_KEY_MAX + 3);
        p += len + (end ? 1 : 0);
    }
    for (; n < MAX_TERMS; n++)
        snprintf(patterns[n], PATIENT_SEARCH_KEY_MAX + 3, "%%");
}

/* The lists of a patient's JSON: weights, newest first, conditions,
 * medications, allergies and the consultation requests it came from. */
static const sql_json_list PATIENT_LISTS[] = {
    {"weights", "SELECT measured_on AS date, grams / 1000.0 AS kg FROM patient_weights"
                " WHERE patient_id = ? ORDER BY measured_on DESC, id DESC"},
    {"conditions", "SELECT id, icd10, label, onset_date, details AS details_json"
                   " FROM patient_conditions WHERE patient_id = ? ORDER BY id"},
    {"medications", "SELECT id, name, class, dose, start_date, stop_date"
                    " FROM patient_medications WHERE patient_id = ? ORDER BY id"},
    {"allergies", "SELECT id, substance, reaction, severity FROM patient_allergies"
                  " WHERE patient_id = ? ORDER BY id"},
    /* the request the patient was converted from, its message kept as a note */
    {"consultation_requests", "SELECT id, created_at, message FROM consultation_requests"
                              " WHERE patient_id = ? ORDER BY id"},
};
enum { N_LISTS = sizeof PATIENT_LISTS / sizeof PATIENT_LISTS[0] };

/* The row a view reads: its site and version (read here, not rendered) and
 * the API's fields. */
enum { VIEW_SITE, VIEW_VERSION, VIEW_FIELDS };
static const char VIEW_ROW[] =
    "SELECT site_id, version, " PATIENT_JSON_COLUMNS " FROM patients WHERE id = ?";

typedef struct {
    bool any_site;
    int64_t site_id;
    int64_t *version;
    buf *out;
} view_row;

static cc_status render_view_row(void *ctx, db_stmt *row, cc_error *err)
{
    view_row *v = ctx;
    if (!v->any_site && db_col_int(row, VIEW_SITE) != v->site_id)
        return cc_fail(err, CC_NOT_FOUND, NULL, "not_found", "another site's record");
    *v->version = db_col_int(row, VIEW_VERSION);
    sql_row_object(row, VIEW_FIELDS, v->out);
    return CC_OK;
}

static cc_status view_prefetch(db *d, const sql_arg *args, cc_error *err)
{
    cc_status st = sql_prefetch(d, VIEW_ROW, args, 1, err);
    return st == CC_OK ? sql_lists_prefetch(d, PATIENT_LISTS, N_LISTS, args, 1, err) : st;
}

void patient_render_prefetch(db *d, int64_t id)
{
    sql_arg args[] = {SQL_I(id)};
    cc_error ignored; /* a hint: the render prepares them again */
    view_prefetch(d, args, &ignored);
}

/* The patient's row and lists in one snapshot, sent to the database
 * together (one round trip on PostgreSQL, unless queued already); another
 * site's patient, when one is given, is answered as no patient, before
 * anything of it is rendered. */
static cc_status render_view(db *d, int64_t id, view_row *v, cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    cc_status st = view_prefetch(d, args, err);
    if (st == CC_OK)
        st = sql_first(d, VIEW_ROW, args, 1, render_view_row, v, err);
    if (st == CC_NOT_FOUND)
        return no_patient(err, "id", id);
    if (st != CC_OK)
        return st;
    buf_truncate(v->out, v->out->len - 1); /* reopen the object to add its lists */
    st = sql_lists_json(d, PATIENT_LISTS, N_LISTS, args, 1, v->out, err);
    buf_putc(v->out, '}');
    return st;
}

cc_status patient_render(db *d, int64_t id, buf *out, int64_t *version, cc_error *err)
{
    view_row v = {true, 0, version, out};
    return render_view(d, id, &v, err);
}

cc_status patient_render_at_site(db *d, int64_t id, int64_t site_id, buf *out, int64_t *version,
                                 cc_error *err)
{
    view_row v = {false, site_id, version, out};
    return render_view(d, id, &v, err);
}

cc_status patient_search_render(db *d, const patient_query *q, buf *items, int64_t *total,
                                cc_error *err)
{
    char patterns[MAX_TERMS][PATIENT_SEARCH_KEY_MAX + 3];
    split_terms(q->q, patterns);
    sql_arg args[MAX_TERMS + 1] = {SQL_I(q->site_id)};
    for (int i = 0; i < MAX_TERMS; i++)
        args[i + 1] = SQL_S(patterns[i]);
    sql_page_query page = {"SELECT COUNT(*)" SEARCH_WHERE,
                           SEARCH_JSON[q->sort][q->descending],
                           args,
                           MAX_TERMS + 1,
                           0,
                           q->page,
                           q->per_page};
    return sql_page_json(d, &page, items, total, err);
}

cc_status patient_names_render(db *d, int64_t site_id, const char *q, int64_t page,
                               int64_t per_page, buf *items, int64_t *total, cc_error *err)
{
    char patterns[MAX_TERMS][PATIENT_SEARCH_KEY_MAX + 3];
    split_terms(q, patterns);
    sql_arg args[MAX_TERMS + 1] = {SQL_I(site_id)};
    for (int i = 0; i < MAX_TERMS; i++)
        args[i + 1] = SQL_S(patterns[i]);
    sql_page_query pq = {"SELECT COUNT(*)" SEARCH_WHERE,
                         "SELECT id, mrn, family_name, given_names" SEARCH_WHERE
                         " ORDER BY search_key, id LIMIT ? OFFSET ?",
                         args,
                         MAX_TERMS + 1,
                         0,
                         page,
                         per_page};
    return sql_page_json(d, &pq, items, total, err);
}

cc_status patient_id_by_mrn(db *d, int64_t site_id, const char *mrn, int64_t *id, cc_error *err)
{
    sql_arg a[] = {SQL_S(mrn ? mrn : ""), SQL_I(site_id)};
    *id = 0;
    cc_status st =
        sql_scalar(d, "SELECT id FROM patients WHERE mrn = ? AND site_id = ?", a, 2, id, err);
    if (st == CC_OK && *id == 0)
        return cc_fail(err, CC_NOT_FOUND, "patient_mrn", "not_found", "no patient with MRN %.12s",
                       mrn ? mrn : "");
    return st;
}

cc_status patient_trace_links_get(db *d, int64_t id, patient_trace_links *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(id)};
    int64_t exists = 0, received = 0, donations = 0;
    cc_status st = sql_scalar(d, "SELECT COUNT(*) FROM patients WHERE id = ?", a, 1, &exists, err);
    if (st == CC_OK && !exists)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld",
                       (long long)id);
    if (st == CC_OK)
        st = sql_scalar(d,
                        "SELECT (SELECT COUNT(*) FROM administration_units au JOIN administrations"
                        " x ON x.id = au.administration_id WHERE x.patient_id = ?)"
                        " + (SELECT COUNT(*) FROM unit_administrations WHERE patient_id = ?)",
                        (sql_arg[]){SQL_I(id), SQL_I(id)}, 2, &received, err);
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM donors WHERE patient_id = ?", a, 1, &donations,
                        err);
    out->units_received = received;
    out->donations = donations;
    return st;
}

cc_status patient_erasure_request_record(db *d, const store_actor *actor, int64_t id,
                                         const char *reason, const char *refusal, cc_error *err)
{
    buf after;
    buf_init(&after, 256);
    buf_puts(&after, "{\"decision\":\"refused\",\"code\":");
    buf_json_string(&after, refusal);
    buf_puts(&after, ",\"erased\":[]}");
    audit_change ch = {
        "erasure_request", "patient", id, NULL, buf_failed(&after) ? "{}" : after.data, reason};
    cc_status st = audit_append(d, actor, &ch, err);
    buf_release(&after);
    return st;
}
