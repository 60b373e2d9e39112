/* Laboratory store: release readiness of a batch (see lab_release.h). */
#include "store/lab_release.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/lab.h"
#include "store/sql.h"

enum { MAX_RESULTS = 128 };

/* The QC results of a batch, up to MAX_RESULTS; more is overflow. */
typedef struct {
    char texts[MAX_RESULTS][2][24];
    qc_result results[MAX_RESULTS];
    size_t n;
    bool overflow;
} qc_rows;

static cc_status read_result(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    qc_rows *q = ctx;
    if (q->n == MAX_RESULTS) {
        q->overflow = true;
        return CC_OK;
    }
    char(*texts)[24] = q->texts[q->n];
    snprintf(texts[0], sizeof texts[0], "%s", db_col_text(row, 0));
    snprintf(texts[1], sizeof texts[1], "%s", db_col_text(row, 4));
    q->results[q->n++] =
        (qc_result){texts[0], db_col_int(row, 1) != 0, db_col_int(row, 2) != 0,
                    db_col_is_null(row, 3) ? NAN : db_col_double(row, 3), texts[1]};
    return CC_OK;
}

static cc_status read_volume(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    *(double *)ctx = db_col_is_null(row, 0) ? 0 : db_col_double(row, 0);
    return CC_OK;
}

cc_status lab_batch_dose(db *d, int64_t batch_id, qc_dose *out, cc_error *err)
{
    *out = (qc_dose){NULL, 0, QC_REFERENCE_BODY_KG}; /* route unknown: the strictest */
    sql_arg a[] = {SQL_I(batch_id)};
    return sql_each(d, "SELECT MAX(volume_ml) FROM units WHERE batch_id = ?", a, 1, read_volume,
                    &out->dose_ml, NULL, err);
}

cc_status lab_batch_readiness(db *d, int64_t batch_id, lab_readiness *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    lab_batch_facts batch;
    cc_status st = lab_batch_load(d, batch_id, &batch, err);
    if (st != CC_OK)
        return st;
    const qc_spec *spec = NULL;
    qc_spec_find(batch.product_type, &spec, NULL);
    sql_arg a[] = {SQL_I(batch_id)};
    qc_rows qc;
    qc.n = 0;
    qc.overflow = false;
    if ((st = sql_each(d,
                       "SELECT test, pending, detected, value, unit FROM qc_results"
                       " WHERE batch_id = ? ORDER BY id",
                       a, 1, read_result, &qc, NULL, err)) != CC_OK)
        return st;
    int64_t donors = 0, eligible = 0, ineligible = 0, open = 0;
    if ((st = sql_scalar(d,
                         "SELECT COUNT(DISTINCT c.donor_id) FROM batch_collections bc"
                         " JOIN collections c ON c.id = bc.collection_id WHERE bc.batch_id = ?",
                         a, 1, &donors, err)) != CC_OK ||
        (st = sql_scalar(
             d,
             "SELECT COUNT(DISTINCT c.donor_id) FROM batch_collections bc"
             " JOIN collections c ON c.id = bc.collection_id JOIN donors d ON d.id = c.donor_id"
             " WHERE bc.batch_id = ? AND d.eligibility = 'eligible'",
             a, 1, &eligible, err)) != CC_OK ||
        (st = sql_scalar(
             d,
             "SELECT COUNT(DISTINCT c.donor_id) FROM batch_collections bc"
             " JOIN collections c ON c.id = bc.collection_id JOIN donors d ON d.id = c.donor_id"
             " WHERE bc.batch_id = ? AND d.eligibility = 'ineligible'",
             a, 1, &ineligible, err)) != CC_OK ||
        (st = sql_scalar(
             d, "SELECT COUNT(*) FROM batch_deviations WHERE batch_id = ? AND status = 'open'", a,
             1, &open, err)) != CC_OK)
        return st;
    qc_release_input in = {spec,
                           qc.results,
                           qc.n,
                           ineligible > 0                     ? QC_DONOR_INELIGIBLE
                           : donors > 0 && eligible == donors ? QC_DONOR_ELIGIBLE
                                                              : QC_DONOR_INCOMPLETE,
                           (unsigned)open,
                           {0}};
    if ((st = lab_batch_dose(d, batch_id, &in.dose, err)) != CC_OK)
        return st;
    out->dose = in.dose;
    out->endotoxin_limit = qc_endotoxin_limit(&in.dose);
    out->ready = qc_release_check(&in, out->blocks, LAB_MAX_BLOCKS, &out->n_blocks);
    if (qc.overflow) /* results beyond the cap were not examined: never call that ready */
        out->ready = false;
    return CC_OK;
}
