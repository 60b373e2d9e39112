/* Laboratory store: manufacturing batches, steps, deviations, QC, release. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/lab_rules.h"
#include "store/counters.h"
#include "store/lab.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char BATCH_IMAGE[] =
    "SELECT id, code, product_type, status, spec_version, decided_by, decided_at, decision_reason,"
    " version, created_at, updated_at FROM batches WHERE id = ?";
static const char STEP_IMAGE[] =
    "SELECT id, batch_id, step, performed_at, operator, passage, cell_count, notes, recorded_by,"
    " recorded_at FROM batch_steps WHERE id = ?";
static const char DEVIATION_IMAGE[] =
    "SELECT id, batch_id, description, status, disposition, opened_by, opened_at, closed_by,"
    " closed_at FROM batch_deviations WHERE id = ?";
static const char QC_IMAGE[] =
    "SELECT id, batch_id, test, method, pending, detected, value, unit, verdict, explanation,"
    " tested_on, recorded_by, recorded_at FROM qc_results WHERE id = ?";

static const audit_entity BATCH = {"batch", BATCH_IMAGE};
static const audit_entity STEP = {"batch_step", STEP_IMAGE};
static const audit_entity DEVIATION = {"batch_deviation", DEVIATION_IMAGE};
static const audit_entity QC = {"qc_result", QC_IMAGE};

static cc_status read_facts(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    lab_batch_facts *b = ctx;
    snprintf(b->product_type, sizeof b->product_type, "%s", db_col_text(row, 0));
    snprintf(b->status, sizeof b->status, "%s", db_col_text(row, 1));
    return CC_OK;
}

cc_status lab_batch_load(db *d, int64_t id, lab_batch_facts *b, cc_error *err)
{
    memset(b, 0, sizeof *b);
    sql_arg a[] = {SQL_I(id)};
    cc_status st = sql_first(d, "SELECT product_type, status FROM batches WHERE id = ?", a, N(a),
                             read_facts, b, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no batch with id %lld",
                       (long long)id);
    return st;
}

/* A batch still being made accepts steps, QC results and deviations (core). */
static cc_status batch_open(db *d, int64_t id, lab_batch_facts *b, cc_error *err)
{
    cc_status st = lab_batch_load(d, id, b, err);
    return st == CC_OK ? lab_check_batch_open(b->status, err) : st;
}

static cc_status touch(db *d, int64_t id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(now), SQL_I(id)};
    return sql_run(d, "UPDATE batches SET updated_at = ?, version = version + 1 WHERE id = ?", a,
                   N(a), NULL, err);
}

/* The donors of a batch's collections so far: autologous pooling is refused. */
typedef struct {
    int64_t first_donor;
    bool any_autologous, several_donors;
} pool_facts;

static cc_status read_donor(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    pool_facts *p = ctx;
    int64_t donor = db_col_int(row, 0);
    p->any_autologous |= strcmp(db_col_text(row, 1), "autologous") == 0;
    p->several_donors |= p->first_donor && donor != p->first_donor;
    if (!p->first_donor)
        p->first_donor = donor;
    return CC_OK;
}

typedef struct {
    const int64_t *collection_ids;
    size_t n;
} batch_links;

static cc_status link_collections(db *d, int64_t id, void *ctx, cc_error *err)
{
    const batch_links *l = ctx;
    cc_status st = CC_OK;
    for (size_t i = 0; st == CC_OK && i < l->n; i++) {
        sql_arg a[] = {SQL_I(id), SQL_I(l->collection_ids[i])};
        st = sql_run(d, "INSERT INTO batch_collections (batch_id, collection_id) VALUES (?, ?)", a,
                     N(a), NULL, err);
        if (st == CC_CONFLICT)
            st = cc_fail(err, CC_INVALID, "collection_ids", "duplicate",
                         "a collection is listed twice");
    }
    return st;
}

cc_status lab_batch_create(db *d, const store_actor *actor, const char *product_type,
                           const int64_t *collection_ids, size_t n, int64_t *id, cc_error *err)
{
    if (!lab_product_type_is_valid(product_type))
        return cc_fail(err, CC_INVALID, "product_type", "invalid_value",
                       "product_type must be uc-msc, ucb-sc, bm-msc, ad-msc, pl-msc or secretome");
    if (n == 0)
        return cc_fail(err, CC_INVALID, "collection_ids", "required",
                       "a batch is made from at least one collection");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    pool_facts pool = {0, false, false};
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        sql_arg k[] = {SQL_I(collection_ids[i])};
        st = sql_first(d,
                       "SELECT c.donor_id, d.kind FROM collections c JOIN donors d"
                       " ON d.id = c.donor_id WHERE c.id = ?",
                       k, N(k), read_donor, &pool, err);
        if (st == CC_NOT_FOUND)
            st = cc_fail(err, CC_NOT_FOUND, "collection_ids", "not_found",
                         "no collection with id %lld", (long long)collection_ids[i]);
    }
    if (st == CC_OK && pool.any_autologous && pool.several_donors)
        st = cc_fail(err, CC_CONFLICT, "collection_ids", "autologous_pooling",
                     "an autologous collection cannot be pooled with another donor's");
    const qc_spec *spec = NULL;
    qc_spec_find(product_type, &spec, NULL);
    int64_t seq = 0;
    if (st == CC_OK)
        st = counter_next(d, "batch", &seq, err);
    char now[21], code[32];
    store_now_text(now);
    snprintf(code, sizeof code, "B%.2s-%05lld", now + 2, (long long)seq);
    /* a batch belongs to the site of its first collection's donor */
    sql_arg a[] = {SQL_S(code), SQL_S(product_type), SQL_S(spec ? spec->version : ""),
                   SQL_S(now),  SQL_S(now),          SQL_I(n ? collection_ids[0] : 0)};
    batch_links links = {collection_ids, n};
    audit_mutation m = {.action = "create",
                        .entity = BATCH.entity,
                        .created_id = id,
                        .image_sql = BATCH.image_sql,
                        .change_sql = "INSERT INTO batches (code, product_type, status,"
                                      " spec_version, version, created_at, updated_at, site_id)"
                                      " VALUES (?, ?, 'in_process', ?, 1, ?, ?, COALESCE((SELECT"
                                      " d.site_id FROM collections c JOIN donors d ON d.id ="
                                      " c.donor_id WHERE c.id = ?), 1)) RETURNING id",
                        .args = a,
                        .n = N(a),
                        .then = link_collections,
                        .ctx = &links};
    if (st == CC_OK)
        st = audit_mutate(d, actor, &m, err);
    return db_tx_end(d, st, err);
}

cc_status lab_batch_add_step(db *d, const store_actor *actor, int64_t batch_id,
                             const lab_step_fields *f, int64_t *id, cc_error *err)
{
    if (!lab_step_is_valid(f->step))
        return cc_fail(err, CC_INVALID, "step", "invalid_value",
                       "step must be isolation, passage, harvest, formulation, cryopreservation,"
                       " cm-harvest or concentration");
    lab_batch_facts b;
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = batch_open(d, batch_id, &b, err);
    if (st == CC_OK &&
        (strcmp(f->step, "cm-harvest") == 0 || strcmp(f->step, "concentration") == 0) &&
        strcmp(b.product_type, "secretome") != 0)
        st = cc_fail(err, CC_INVALID, "step", "invalid_value", "%s is a secretome step", f->step);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(batch_id),
                   SQL_S(f->step),
                   SQL_S(f->performed_at),
                   SQL_S(f->operator_name),
                   f->passage >= 0 ? SQL_I(f->passage) : SQL_N,
                   f->cell_count >= 0 ? SQL_I(f->cell_count) : SQL_N,
                   SQL_S(f->notes ? f->notes : ""),
                   SQL_S(actor->username),
                   SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(
            d, actor, &STEP,
            "INSERT INTO batch_steps (batch_id, step, performed_at, operator, passage,"
            " cell_count, notes, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            a, N(a), NULL, id, err);
    if (st == CC_OK)
        st = touch(d, batch_id, err);
    return db_tx_end(d, st, err);
}

cc_status lab_batch_open_deviation(db *d, const store_actor *actor, int64_t batch_id,
                                   const char *description, int64_t *id, cc_error *err)
{
    lab_batch_facts b;
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = batch_open(d, batch_id, &b, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(batch_id), SQL_S(description), SQL_S(actor->username), SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(
            d, actor, &DEVIATION,
            "INSERT INTO batch_deviations (batch_id, description, status, opened_by, opened_at)"
            " VALUES (?, ?, 'open', ?, ?) RETURNING id",
            a, N(a), NULL, id, err);
    if (st == CC_OK)
        st = touch(d, batch_id, err);
    return db_tx_end(d, st, err);
}

cc_status lab_batch_close_deviation(db *d, const store_actor *actor, int64_t batch_id,
                                    int64_t deviation_id, const char *disposition, cc_error *err)
{
    lab_batch_facts b;
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = batch_open(d, batch_id, &b, err);
    int64_t open = 0;
    sql_arg k[] = {SQL_I(deviation_id), SQL_I(batch_id)};
    if (st == CC_OK)
        st = sql_scalar(d,
                        "SELECT CASE WHEN status = 'open' THEN 1 ELSE 2 END FROM batch_deviations"
                        " WHERE id = ? AND batch_id = ?",
                        k, N(k), &open, err);
    if (st == CC_OK && open == 0)
        st = cc_fail(err, CC_NOT_FOUND, "deviation_id", "not_found",
                     "no such deviation in this batch");
    if (st == CC_OK && open == 2)
        st = cc_fail(err, CC_CONFLICT, "deviation_id", "deviation_closed",
                     "the deviation is already closed");
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(disposition), SQL_S(actor->username), SQL_S(now), SQL_I(deviation_id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &DEVIATION, "close", deviation_id,
                          "UPDATE batch_deviations SET status = 'closed', disposition = ?,"
                          " closed_by = ?, closed_at = ? WHERE id = ?",
                          a, N(a), disposition, err);
    if (st == CC_OK)
        st = touch(d, batch_id, err);
    return db_tx_end(d, st, err);
}

cc_status lab_qc_insert(db *d, const store_actor *actor, int64_t batch_id, const qc_result *r,
                        bool quantitative, qc_verdict verdict, const char *explanation,
                        const char *method, const char *tested_on, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(batch_id),
                   SQL_S(r->test),
                   SQL_S(method ? method : ""),
                   SQL_I(r->pending),
                   SQL_I(r->detected),
                   quantitative ? SQL_D(r->value) : SQL_N,
                   SQL_S(r->unit ? r->unit : ""),
                   SQL_S(qc_verdict_name(verdict)),
                   SQL_S(explanation ? explanation : ""),
                   SQL_S(tested_on),
                   SQL_S(actor->username),
                   SQL_S(now)};
    st = audit_create(d, actor, &QC,
                      "INSERT INTO qc_results (batch_id, test, method, pending, detected, value,"
                      " unit, verdict, explanation, tested_on, recorded_by, recorded_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      a, N(a), NULL, id, err);
    if (st == CC_OK)
        st = touch(d, batch_id, err);
    return db_tx_end(d, st, err);
}

cc_status lab_batch_record_decision(db *d, const store_actor *actor, int64_t batch_id,
                                    const char *status, const char *reason, cc_error *err)
{
    const char *action = strcmp(status, "released") == 0 ? "release" : "reject";
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(status), SQL_S(actor->username), SQL_S(now), SQL_S(reason ? reason : ""),
                   SQL_S(now),    SQL_I(batch_id)};
    return audit_update(d, actor, &BATCH, action, batch_id,
                        "UPDATE batches SET status = ?, decided_by = ?, decided_at = ?,"
                        " decision_reason = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                        a, N(a), reason, err);
}

cc_status lab_batch_json(db *d, int64_t id, buf *out, cc_error *err)
{
    static const sql_json_list lists[] = {
        {"collections", "SELECT c.id, c.source, c.collected_on, c.donor_id, d.code AS donor_code,"
                        " d.kind AS donor_kind, d.eligibility AS donor_eligibility"
                        " FROM batch_collections bc JOIN collections c ON c.id = bc.collection_id"
                        " JOIN donors d ON d.id = c.donor_id WHERE bc.batch_id = ? ORDER BY c.id"},
        {"steps", "SELECT id, step, performed_at, operator, passage, cell_count, notes,"
                  " recorded_by, recorded_at FROM batch_steps WHERE batch_id = ?"
                  " ORDER BY performed_at, id"},
        {"deviations",
         "SELECT id, description, status, disposition, opened_by, opened_at,"
         " closed_by, closed_at FROM batch_deviations WHERE batch_id = ? ORDER BY id"},
        {"qc_results", "SELECT id, test, method, pending, detected, value, unit, verdict,"
                       " explanation, tested_on, recorded_by, recorded_at FROM qc_results"
                       " WHERE batch_id = ? ORDER BY id"},
        {"units", "SELECT id, din, din_check, product_code, division, state, cells, volume_ml,"
                  " expiry FROM units WHERE batch_id = ? ORDER BY id"},
    };
    return sql_record_view(d, id, "batch", BATCH_IMAGE, lists, N(lists), out, err);
}

cc_status lab_batch_list_json(db *d, int64_t site_id, const char *status, const char *q,
                              int64_t page, int64_t per_page, buf *out, int64_t *total,
                              cc_error *err)
{
    const char *s = status ? status : "";
    char pattern[132];
    lab_code_pattern(q, pattern, sizeof pattern);
    sql_arg a[] = {SQL_S(s), SQL_S(s), SQL_S(pattern), SQL_I(site_id)};
    sql_page_query pq = {
        .count_sql = "SELECT COUNT(*) FROM batches b WHERE (? = '' OR b.status = ?)"
                     " AND lower(replace(b.code, '-', '')) LIKE ? ESCAPE '\\' AND b.site_id = ?",
        .sql = "SELECT b.id, b.code, b.product_type, b.status, b.decided_by, b.decided_at,"
               " b.version, b.created_at, (SELECT COUNT(*) FROM units u WHERE u.batch_id = b.id)"
               " AS unit_count FROM batches b WHERE (? = '' OR b.status = ?)"
               " AND lower(replace(b.code, '-', '')) LIKE ? ESCAPE '\\' AND b.site_id = ?"
               " ORDER BY b.id DESC LIMIT ? OFFSET ?",
        .args = a,
        .n = N(a),
        .page = page,
        .per_page = per_page};
    return sql_page_json(d, &pq, out, total, err);
}
