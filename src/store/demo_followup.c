#include "demo_followup.h"

#include <stdio.h>
#include <string.h>

#include "core/adverse.h"
#include "store/observations.h"
#include "store/sql.h"

static const store_actor DEMO = {0, "demo"};

static cc_status insert(db *d, const char *table, const char *sql, const sql_arg *args, int n,
                        int64_t *id, cc_error *err)
{
    char image[96];
    snprintf(image, sizeof image, "SELECT * FROM %s WHERE id = ?", table);
    return audit_mutate(d, &DEMO,
                        &(audit_mutation){.action = "create",
                                          .entity = table,
                                          .created_id = id,
                                          .image_sql = image,
                                          .change_sql = sql,
                                          .args = args,
                                          .n = n,
                                          .reason = "synthetic demonstration data"},
                        err);
}

cc_status demo_store_followup_patient(db *d, const demo_fu_patient *p, plan_state status,
                                      int64_t *plan_id, int64_t *operator_id, cc_error *err)
{
    *plan_id = 0;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    int64_t synthetic = 0, screening = 0, plan = 0, id = 0;
    *operator_id = 0;
    sql_arg pid[] = {SQL_I(p->patient_id)};
    if ((st = sql_scalar(d, "SELECT synthetic FROM patients WHERE id = ?", pid, 1, &synthetic,
                         err)) == CC_OK &&
        !synthetic)
        st = cc_fail(err, CC_INVALID, "patient_id", "not_synthetic",
                     "demo data only for synthetic patients");
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT MIN(id) FROM users", NULL, 0, operator_id, err);
    if (st == CC_OK && *operator_id == 0)
        st = cc_fail(err, CC_INVALID, "users", "no_user", "the data directory has no user");
    if (st == CC_OK) {
        const char *verdict = p->not_eligible ? "not_eligible" : "eligible";
        sql_arg a[] = {SQL_I(p->patient_id),
                       SQL_S(p->protocol),
                       SQL_I(p->protocol_version),
                       SQL_S(verdict),
                       SQL_S(p->not_eligible && p->reasons ? p->reasons : "[]"),
                       SQL_S(p->screened_on),
                       SQL_S(p->screened_on),
                       SQL_S(verdict),
                       SQL_I(*operator_id),
                       SQL_S(p->screened_on),
                       SQL_S(now)};
        st = insert(d, "screenings",
                    "INSERT INTO screenings (patient_id, protocol_id, protocol_version, body, "
                    "verdict, reasons, oldest_date, evaluated_on, decision, meaning, decided_by,"
                    " decided_at, created_at, created_by, version)"
                    " VALUES (?, ?, ?, '{\"synthetic\":true}', ?, ?, ?, ?, ?,"
                    " 'synthetic demonstration decision', ?, ?, ?, 'demo', 1) RETURNING id",
                    a, SQL_COUNT(a), &screening, err);
    }
    if (p->not_eligible)
        return db_tx_end(d, st, err);
    if (st == CC_OK) {
        sql_arg a[] = {SQL_I(p->patient_id),
                       SQL_S(p->protocol),
                       SQL_I(p->protocol_version),
                       SQL_S(plan_state_name(status)),
                       SQL_S(p->start),
                       SQL_S(p->end),
                       SQL_S(p->request),
                       SQL_S(p->body),
                       SQL_I(screening),
                       SQL_S(p->screened_on),
                       SQL_S(now),
                       SQL_S(now)};
        st = insert(d, "plans",
                    "INSERT INTO plans (patient_id, protocol_id, protocol_version, status, "
                    "start_date, end_date,"
                    " request, body, screening_id, approved_at, meaning, created_at, created_by, "
                    "updated_at,"
                    " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synthetic "
                    "demonstration plan', ?,"
                    " 'demo', ?, 2) RETURNING id",
                    a, SQL_COUNT(a), &plan, err);
    }
    for (size_t i = 0; st == CC_OK && i < p->n_visits; i++) {
        const followup_spec *f = &p->visits[i].spec;
        bool resolved = p->visits[i].status != FU_SCHEDULED;
        sql_arg outcome[] = {SQL_S(followup_status_name(p->visits[i].status)),
                             SQL_S(p->visits[i].reason ? p->visits[i].reason : ""),
                             p->visits[i].died_on ? SQL_S(p->visits[i].died_on) : SQL_N,
                             SQL_S(p->visits[i].cause ? p->visits[i].cause : ""),
                             resolved ? SQL_S(now) : SQL_N,
                             SQL_S(resolved ? "demo" : ""),
                             SQL_S(now),
                             SQL_S(now)};
        sql_arg a[FOLLOWUP_VISIT_ARGS + SQL_COUNT(outcome)];
        followup_visit_args(plan, p->patient_id, p->protocol, (int64_t)i + 1, f, a);
        memcpy(a + FOLLOWUP_VISIT_ARGS, outcome, sizeof outcome);
        st =
            insert(d, "followup_visits",
                   "INSERT INTO followup_visits (" FOLLOWUP_VISIT_COLUMNS ", status, reason,"
                   " died_on, cause, resolved_at, resolved_by, created_at, updated_at, version)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                   a, SQL_COUNT(a), &id, err);
    }
    for (size_t i = 0; st == CC_OK && i < p->n_obs; i++) {
        st = observation_insert(d, p->patient_id, 0, &p->obs[i], &id, err);
        if (st == CC_OK)
            st = audit_log_change(d, &DEMO, "create", "observations", id,
                                  "SELECT * FROM observations WHERE id = ?", NULL,
                                  "synthetic demonstration data", err);
    }
    for (size_t i = 0; st == CC_OK && i < p->n_aes; i++) {
        char at[24], resolved[24];
        snprintf(at, sizeof at, "%sT14:00:00Z", p->aes[i].onset);
        if (p->aes[i].resolved)
            snprintf(resolved, sizeof resolved, "%sT08:00:00Z", p->aes[i].resolved);
        sql_arg a[] = {SQL_I(p->patient_id),
                       SQL_S(p->aes[i].code),
                       SQL_I(p->aes[i].grade),
                       SQL_S(at),
                       p->aes[i].resolved ? SQL_S(resolved) : SQL_N,
                       SQL_S(at),
                       SQL_I(p->aes[i].serious),
                       SQL_S(p->aes[i].outcome ? p->aes[i].outcome : "recovered"),
                       SQL_S(now),
                       SQL_S(now)};
        st = insert(d, "adverse_events",
                    "INSERT INTO adverse_events (patient_id, term_source, term_code, term_text,"
                    " grade, onset_at, resolved_at, aware_at, serious, related_product,"
                    " related_procedure, expectedness, outcome, description, reported_by,"
                    " created_at, updated_at, version) VALUES (?, '" ADVERSE_SOURCE "', ?, '', ?,"
                    " ?, ?, ?, ?, 'possible', 'possible', 'expected', ?,"
                    " 'synthetic demonstration event', 'demo', ?, ?, 1) RETURNING id",
                    a, SQL_COUNT(a), &id, err);
    }
    if (st == CC_OK)
        *plan_id = plan;
    return db_tx_end(d, st, err);
}

typedef struct {
    demo_candidate *out;
    size_t n;
} candidates;

static cc_status read_candidate(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    candidates *cs = ctx;
    demo_candidate *c = &cs->out[cs->n++];
    c->id = db_col_int(s, 0);
    snprintf(c->icd10, sizeof c->icd10, "%s", db_col_text(s, 1));
    snprintf(c->details, sizeof c->details, "%s", db_col_text(s, 2));
    snprintf(c->birth_date, sizeof c->birth_date, "%s", db_col_text(s, 3));
    c->weight_g = (int)db_col_int(s, 4);
    return CC_OK;
}

cc_status demo_store_synthetic_patients(db *d, demo_candidate *out, size_t cap, size_t *n,
                                        cc_error *err)
{
    candidates cs = {out, 0};
    cc_status st = sql_each(
        d,
        "SELECT p.id, COALESCE(c.icd10, ''), COALESCE(c.details, '{}'), p.birth_date,"
        " COALESCE((SELECT grams FROM patient_weights WHERE patient_id = p.id"
        " ORDER BY measured_on DESC, id DESC LIMIT 1), 0)"
        " FROM patients p LEFT JOIN patient_conditions c ON c.id = (SELECT MIN(id) FROM"
        " patient_conditions WHERE patient_id = p.id)"
        " WHERE p.synthetic = 1 AND NOT EXISTS (SELECT 1 FROM plans WHERE patient_id = p.id)"
        " AND NOT EXISTS (SELECT 1 FROM screenings WHERE patient_id = p.id)"
        " ORDER BY p.id DESC LIMIT ?",
        (sql_arg[]){SQL_I((int64_t)cap)}, 1, read_candidate, &cs, NULL, err);
    *n = cs.n;
    return st;
}
