/* Adverse events: the event, its links to administrations and units, its
 * reporting deadlines (H9). */
#include <stdio.h>
#include <string.h>

#include "store/bedside.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char AE_IMAGE[] =
    "SELECT id, patient_id, term_source, term_code, term_text, grade, onset_at, resolved_at, "
    "aware_at,"
    " seriousness, serious, related_product, related_procedure, expectedness, action, outcome,"
    " description, assessed_by, assessed_at, assessment_meaning, reported_by, created_at, "
    "updated_at,"
    " version FROM adverse_events WHERE id = ?";
static const audit_entity ADVERSE_EVENT = {"adverse_event", AE_IMAGE};
static const audit_entity ADVERSE_EVENT_DEADLINE = {
    "adverse_event_deadline", "SELECT * FROM adverse_event_deadlines WHERE id = ?"};

static cc_status write_links(db *d, int64_t id, const adverse_event_fields *f, cc_error *err)
{
    cc_status st = CC_OK;
    for (size_t i = 0; st == CC_OK && i < f->n_administrations; i++) {
        int64_t patient = 0;
        sql_arg a[] = {SQL_I(f->administration_ids[i])};
        st = sql_scalar(d, "SELECT patient_id FROM administrations WHERE id = ?", a, 1, &patient,
                        err);
        if (st == CC_OK && !patient)
            st = cc_fail(err, CC_NOT_FOUND, "administration_ids", "not_found",
                         "no administration with id %lld", (long long)f->administration_ids[i]);
        if (st == CC_OK && patient != f->patient_id)
            st = cc_fail(err, CC_INVALID, "administration_ids", "other_patient",
                         "administration %lld is another patient's",
                         (long long)f->administration_ids[i]);
        sql_arg l[] = {SQL_I(id), SQL_I(f->administration_ids[i])};
        if (st == CC_OK)
            st = sql_run(d,
                         "INSERT INTO adverse_event_links (adverse_event_id, administration_id) "
                         "VALUES (?, ?)",
                         l, N(l), NULL, err);
    }
    for (size_t i = 0; st == CC_OK && i < f->n_units; i++) {
        st = sql_require_id(d, "SELECT id FROM units WHERE id = ?", f->unit_ids[i], "unit_ids",
                            "unit", err);
        sql_arg l[] = {SQL_I(id), SQL_I(f->unit_ids[i])};
        if (st == CC_OK)
            st = sql_run(
                d, "INSERT INTO adverse_event_links (adverse_event_id, unit_id) VALUES (?, ?)", l,
                N(l), NULL, err);
    }
    return st;
}

/* Replaces the deadlines not yet reported by the given set. */
static cc_status write_deadlines(db *d, int64_t id, const adverse_deadline *dl, size_t n,
                                 cc_error *err)
{
    sql_arg a[] = {SQL_I(id)};
    cc_status st = sql_run(
        d, "DELETE FROM adverse_event_deadlines WHERE adverse_event_id = ? AND reported_at IS NULL",
        a, 1, NULL, err);
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        char due[21];
        instant_format(dl[i].due_at, due);
        int64_t kept = 0;
        sql_arg k[] = {SQL_I(id), SQL_S(adverse_report_kind_name(dl[i].kind))};
        st = sql_scalar(
            d,
            "SELECT COUNT(*) FROM adverse_event_deadlines WHERE adverse_event_id = ? AND kind = ?",
            k, 2, &kept, err);
        sql_arg r[] = {SQL_I(id), SQL_S(adverse_report_kind_name(dl[i].kind)), SQL_S(due)};
        if (st == CC_OK && !kept)
            st = sql_run(d,
                         "INSERT INTO adverse_event_deadlines (adverse_event_id, kind, due_at) "
                         "VALUES (?, ?, ?)",
                         r, N(r), NULL, err);
    }
    return st;
}

static void field_args(const adverse_event_fields *f, sql_arg *a)
{
    a[0] = SQL_S(f->term_source);
    a[1] = SQL_S(f->term_code);
    a[2] = SQL_S(f->term_text ? f->term_text : "");
    a[3] = SQL_I(f->grade);
    a[4] = SQL_S(f->onset_at);
    a[5] = f->resolved_at ? SQL_S(f->resolved_at) : SQL_N;
    a[6] = SQL_S(f->aware_at);
    a[7] = SQL_I(f->seriousness);
    a[8] = SQL_I(f->seriousness ? 1 : 0);
    a[9] = SQL_S(f->related_product);
    a[10] = SQL_S(f->related_procedure);
    a[11] = SQL_S(f->expectedness);
    a[12] = SQL_S(f->action ? f->action : "none");
    a[13] = SQL_S(f->outcome ? f->outcome : "unknown");
    a[14] = SQL_S(f->description ? f->description : "");
}

/* The event's links and deadlines, written after its row by audit_mutate. */
typedef struct {
    const adverse_event_fields *f;
    const adverse_deadline *deadlines;
    size_t n_deadlines;
    bool replace_links;
} event_children;

static cc_status write_children(db *d, int64_t id, void *ctx, cc_error *err)
{
    const event_children *c = ctx;
    cc_status st = CC_OK;
    if (c->replace_links && (c->f->n_administrations || c->f->n_units)) {
        st = sql_run(d, "DELETE FROM adverse_event_links WHERE adverse_event_id = ?",
                     (sql_arg[]){SQL_I(id)}, 1, NULL, err);
        if (st == CC_OK)
            st = write_links(d, id, c->f, err);
    } else if (!c->replace_links) {
        st = write_links(d, id, c->f, err);
    }
    if (st == CC_OK)
        st = write_deadlines(d, id, c->deadlines, c->n_deadlines, err);
    return st;
}

cc_status adverse_event_create(db *d, const store_actor *actor, const adverse_event_fields *f,
                               const adverse_deadline *deadlines, size_t n_deadlines, int64_t *id,
                               cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = sql_require_id(d, "SELECT id FROM patients WHERE id = ?", f->patient_id, "patient_id",
                        "patient", err);
    char now[21];
    store_now_text(now);
    sql_arg a[19];
    field_args(f, a);
    a[15] = SQL_I(f->patient_id);
    a[16] = SQL_S(actor->username);
    a[17] = SQL_S(now);
    a[18] = SQL_S(now);
    event_children children = {f, deadlines, n_deadlines, false};
    if (st == CC_OK)
        st = audit_mutate(d, actor,
                          &(audit_mutation){.action = "create",
                                            .entity = "adverse_event",
                                            .created_id = id,
                                            .image_sql = AE_IMAGE,
                                            .change_sql =
                                                "INSERT INTO adverse_events (term_source, "
                                                "term_code, term_text, grade, onset_at,"
                                                " resolved_at, aware_at, seriousness, serious, "
                                                "related_product, related_procedure,"
                                                " expectedness, action, outcome, description, "
                                                "patient_id, reported_by, created_at,"
                                                " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, "
                                                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
                                                " RETURNING id",
                                            .args = a,
                                            .n = N(a),
                                            .then = write_children,
                                            .ctx = &children},
                          err);
    return db_tx_end(d, st, err);
}

static cc_status read_head(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    adverse_event_head *out = ctx;
    out->id = db_col_int(s, 0);
    out->patient_id = db_col_int(s, 1);
    out->version = db_col_int(s, 2);
    snprintf(out->term_code, sizeof out->term_code, "%s", db_col_text(s, 3));
    snprintf(out->related_product, sizeof out->related_product, "%s", db_col_text(s, 4));
    snprintf(out->related_procedure, sizeof out->related_procedure, "%s", db_col_text(s, 5));
    snprintf(out->expectedness, sizeof out->expectedness, "%s", db_col_text(s, 6));
    out->seriousness = (unsigned)db_col_int(s, 7);
    snprintf(out->aware_at, sizeof out->aware_at, "%s", db_col_text(s, 8));
    snprintf(out->assessed_at, sizeof out->assessed_at, "%s", db_col_text(s, 9));
    return CC_OK;
}

static cc_status no_event(cc_error *err, int64_t id)
{
    return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no adverse event with id %lld",
                   (long long)id);
}

cc_status adverse_event_head_get(db *d, int64_t id, adverse_event_head *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = sql_first(
        d,
        "SELECT id, patient_id, version, term_code, related_product, related_procedure,"
        " expectedness, seriousness, aware_at, assessed_at FROM adverse_events WHERE id = ?",
        (sql_arg[]){SQL_I(id)}, 1, read_head, out, err);
    return st == CC_NOT_FOUND ? no_event(err, id) : st;
}

cc_status adverse_event_update(db *d, const store_actor *actor, int64_t id,
                               int64_t expected_version, const adverse_event_fields *f,
                               const adverse_deadline *deadlines, size_t n_deadlines,
                               const char *reason, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    adverse_event_head h;
    st = adverse_event_head_get(d, id, &h, err);
    if (st == CC_OK && h.version != expected_version)
        st = cc_fail(err, CC_CONFLICT, "version", "stale_version",
                     "the adverse event changed (version %lld, not %lld): reload it",
                     (long long)h.version, (long long)expected_version);
    /* a signed assessment locks the record: changes need a reason */
    if (st == CC_OK)
        st = audit_require_reason(h.assessed_at[0] != '\0', reason, err);
    char now[21];
    store_now_text(now);
    sql_arg a[18];
    field_args(f, a);
    a[15] = SQL_S(now);
    a[16] = SQL_I(id);
    a[17] = SQL_I(expected_version);
    event_children children = {f, deadlines, n_deadlines, true};
    if (st == CC_OK)
        st = audit_mutate(
            d, actor,
            &(audit_mutation){
                .action = "update",
                .entity = "adverse_event",
                .id = id,
                .image_sql = AE_IMAGE,
                .change_sql =
                    "UPDATE adverse_events SET term_source = ?, term_code = ?, term_text = ?, "
                    "grade = ?,"
                    " onset_at = ?, resolved_at = ?, aware_at = ?, seriousness = ?, serious = ?,"
                    " related_product = ?, related_procedure = ?, expectedness = ?, action = ?, "
                    "outcome = ?,"
                    " description = ?, updated_at = ?, version = version + 1 WHERE id = ? AND "
                    "version = ?",
                .args = a,
                .n = N(a),
                .reason = reason,
                .then = write_children,
                .ctx = &children},
            err);
    return db_tx_end(d, st, err);
}

cc_status adverse_event_assess(db *d, const store_actor *actor, int64_t id, const char *meaning,
                               cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(actor->username), SQL_S(now), SQL_S(meaning), SQL_S(now), SQL_I(id)};
    cc_status st = audit_update(d, actor, &ADVERSE_EVENT, "sign", id,
                                "UPDATE adverse_events SET assessed_by = ?, assessed_at = ?,"
                                " assessment_meaning = ?, updated_at = ?, version = version + 1"
                                " WHERE id = ?",
                                a, N(a), meaning, err);
    return st == CC_NOT_FOUND ? no_event(err, id) : st;
}

cc_status adverse_event_report(db *d, const store_actor *actor, int64_t id, const char *kind,
                               const char *reported_at, const char *reference, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    adverse_event_head h;
    st = adverse_event_head_get(d, id, &h, err);
    int64_t dl = 0, done = 0;
    sql_arg k[] = {SQL_I(id), SQL_S(kind)};
    if (st == CC_OK)
        st = sql_scalar(
            d, "SELECT id FROM adverse_event_deadlines WHERE adverse_event_id = ? AND kind = ?", k,
            2, &dl, err);
    if (st == CC_OK && !dl)
        st = cc_fail(err, CC_NOT_FOUND, "kind", "no_deadline", "this event has no %s report due",
                     kind);
    sql_arg one[] = {SQL_I(dl)};
    if (st == CC_OK)
        st = sql_scalar(
            d,
            "SELECT COUNT(*) FROM adverse_event_deadlines WHERE id = ? AND reported_at IS NOT NULL",
            one, 1, &done, err);
    if (st == CC_OK && done)
        st = cc_fail(err, CC_CONFLICT, "kind", "already_reported",
                     "the %s report is already recorded", kind);
    sql_arg a[] = {SQL_S(reported_at), SQL_S(actor->username), SQL_S(reference ? reference : ""),
                   SQL_I(dl)};
    if (st == CC_OK)
        st = audit_update(d, actor, &ADVERSE_EVENT_DEADLINE, "report", dl,
                          "UPDATE adverse_event_deadlines SET reported_at = ?,"
                          " reported_by = ?, reference = ? WHERE id = ?",
                          a, N(a), reference, err);
    return db_tx_end(d, st, err);
}

/* The lists of an event's JSON: linked administrations and units, deadlines. */
static const sql_json_list AE_LISTS[] = {
    {"administrations",
     "SELECT a.id, a.route, a.started_at, a.product_type FROM adverse_event_links l"
     " JOIN administrations a ON a.id = l.administration_id WHERE l.adverse_event_id = ?"
     " ORDER BY a.id"},
    {"units", "SELECT u.id, u.din, u.din_check, u.product_type, b.code AS batch_code FROM"
              " adverse_event_links l JOIN units u ON u.id = l.unit_id JOIN batches b ON"
              " b.id = u.batch_id WHERE l.adverse_event_id = ? ORDER BY u.id"},
    {"deadlines", "SELECT id, kind, due_at, reported_at, reported_by, reference FROM"
                  " adverse_event_deadlines WHERE adverse_event_id = ? ORDER BY due_at, id"},
};

cc_status adverse_event_json(db *d, int64_t id, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(id)};
    buf_puts(out, "{\"adverse_event\":");
    cc_status st = sql_row_json(
        d,
        "SELECT e.*, p.mrn AS patient_mrn, p.family_name, p.given_names FROM adverse_events e"
        " JOIN patients p ON p.id = e.patient_id WHERE e.id = ?",
        a, 1, "adverse event", out, err);
    if (st == CC_NOT_FOUND)
        return no_event(err, id);
    if (st == CC_OK)
        st = sql_lists_json(d, AE_LISTS, sizeof AE_LISTS / sizeof AE_LISTS[0], a, 1, out, err);
    buf_putc(out, '}');
    return st;
}

/* Units linked directly or through a linked administration. */
#define AE_UNITS                                                                                   \
    "(SELECT l.unit_id AS unit_id FROM adverse_event_links l WHERE l.adverse_event_id = e.id"      \
    " AND l.unit_id IS NOT NULL UNION SELECT au.unit_id FROM adverse_event_links l"                \
    " JOIN administration_units au ON au.administration_id = l.administration_id"                  \
    " WHERE l.adverse_event_id = e.id)"

#define AE_FILTER                                                                                  \
    " WHERE EXISTS (SELECT 1 FROM patients sp WHERE sp.id = e.patient_id AND sp.site_id = ?)"      \
    " AND (? = 0 OR e.patient_id = ?) AND (? = '' OR e.term_code = ?) AND (? = 0 OR e.grade = ?)"  \
    " AND (? = -1 OR e.serious = ?)"                                                               \
    " AND (? = '' OR (? = 'related' AND (e.related_product IN ('possible', 'probable', "           \
    "'definite')"                                                                                  \
    " OR e.related_procedure IN ('possible', 'probable', 'definite')))"                            \
    " OR (? <> 'related' AND (e.related_product = ? OR e.related_procedure = ?)))"                 \
    " AND (? = '' OR EXISTS (SELECT 1 FROM units u WHERE u.id IN " AE_UNITS                        \
    " AND u.product_type = ?))"                                                                    \
    " AND (? = '' OR EXISTS (SELECT 1 FROM units u JOIN batches b ON b.id = u.batch_id"            \
    " WHERE u.id IN " AE_UNITS " AND b.code = ?))"                                                 \
    " AND (? = 0 OR (e.resolved_at IS NULL AND COALESCE(e.outcome, '') NOT IN ('recovered',"       \
    " 'recovered_with_sequelae', 'fatal')))"

cc_status adverse_event_list_json(db *d, const adverse_event_query *q, buf *out, int64_t *total,
                                  cc_error *err)
{
    const char *term = q->term ? q->term : "", *rel = q->related ? q->related : "",
               *pt = q->product_type ? q->product_type : "", *batch = q->batch ? q->batch : "";
    sql_arg a[] = {SQL_I(q->site_id),  SQL_I(q->patient_id), SQL_I(q->patient_id),
                   SQL_S(term),        SQL_S(term),          SQL_I(q->grade),
                   SQL_I(q->grade),    SQL_I(q->serious),    SQL_I(q->serious),
                   SQL_S(rel),         SQL_S(rel),           SQL_S(rel),
                   SQL_S(rel),         SQL_S(rel),           SQL_S(pt),
                   SQL_S(pt),          SQL_S(batch),         SQL_S(batch),
                   SQL_I(q->open_only)};
    sql_arg b[N(a) + 2];
    memcpy(b, a, sizeof a);
    b[N(a)] = SQL_I(q->open_only);
    b[N(a) + 1] = SQL_I(q->open_only);
    /* no per_page: the whole list as one page */
    sql_page_query page = {
        "SELECT COUNT(*) FROM adverse_events e" AE_FILTER,
        "SELECT e.id, e.patient_id, p.mrn AS patient_mrn, p.family_name, p.given_names, "
        "p.synthetic,"
        " e.term_source, e.term_code, e.term_text, e.grade, e.onset_at, e.resolved_at,"
        " e.aware_at, e.seriousness, e.serious, e.related_product, e.related_procedure,"
        " e.expectedness, e.action, e.outcome, e.assessed_by, e.assessed_at,"
        " (SELECT MIN(x.due_at) FROM adverse_event_deadlines x WHERE x.adverse_event_id = e.id"
        " AND x.reported_at IS NULL) AS next_due_at,"
        " (SELECT MIN(u.product_type) FROM units u WHERE u.id IN " AE_UNITS ") AS product_type,"
        " (SELECT MIN(b.code) FROM units u JOIN batches b ON b.id = u.batch_id"
        " WHERE u.id IN " AE_UNITS ") AS batch_code,"
        " e.version FROM adverse_events e JOIN patients p ON p.id = e.patient_id" AE_FILTER
        " ORDER BY CASE WHEN ? = 1 THEN (SELECT MIN(x.due_at) FROM adverse_event_deadlines x"
        " WHERE x.adverse_event_id = e.id AND x.reported_at IS NULL) END IS NULL,"
        " CASE WHEN ? = 1 THEN (SELECT MIN(x.due_at) FROM adverse_event_deadlines x"
        " WHERE x.adverse_event_id = e.id AND x.reported_at IS NULL) END,"
        " e.onset_at DESC, e.id DESC LIMIT ? OFFSET ?",
        b,
        N(b),
        N(a),
        q->per_page > 0 ? q->page : 1,
        q->per_page > 0 ? q->per_page : 100000};
    return sql_page_json(d, &page, out, total, err);
}

cc_status adverse_deadlines_open_json(db *d, int64_t site_id, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(site_id)};
    return sql_rows_json(
        d,
        "SELECT x.id, x.adverse_event_id, x.kind, x.due_at, e.term_code, e.grade, e.patient_id,"
        " p.mrn AS patient_mrn, p.family_name, p.given_names FROM adverse_event_deadlines x"
        " JOIN adverse_events e ON e.id = x.adverse_event_id JOIN patients p ON p.id = e.patient_id"
        " WHERE x.reported_at IS NULL AND p.site_id = ? ORDER BY x.due_at, x.id LIMIT 1000",
        a, 1, false, out, err);
}
