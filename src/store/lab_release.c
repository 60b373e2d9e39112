/* Laboratory store: release readiness of a batch (see lab_release.h). */
#include "store/lab_release.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/sql.h"

enum { MAX_RESULTS = 128 };

cc_status lab_batch_readiness(db *d, int64_t batch_id, lab_readiness *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    char product_type[16] = "";
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT product_type FROM batches WHERE id = ?", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, batch_id);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        snprintf(product_type, sizeof product_type, "%s", db_col_text(s, 0));
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no batch with id %lld",
                       (long long)batch_id);
    const qc_spec *spec = NULL;
    qc_spec_find(product_type, &spec, NULL);
    char texts[MAX_RESULTS][2][24];
    qc_result results[MAX_RESULTS];
    size_t n = 0;
    if ((st = db_prepare(
             d,
             "SELECT test, pending, detected, value, unit FROM qc_results WHERE batch_id = ?"
             " ORDER BY id",
             &s, err)) != CC_OK)
        return st;
    db_bind_int(s, 1, batch_id);
    bool overflow = false;
    while ((r = db_step(s, err)) == DB_ROW) {
        if (n == MAX_RESULTS) {
            overflow = true;
            continue;
        }
        snprintf(texts[n][0], sizeof texts[n][0], "%s", db_col_text(s, 0));
        snprintf(texts[n][1], sizeof texts[n][1], "%s", db_col_text(s, 4));
        results[n] = (qc_result){texts[n][0], db_col_int(s, 1) != 0, db_col_int(s, 2) != 0,
                                 db_col_is_null(s, 3) ? NAN : db_col_double(s, 3), texts[n][1]};
        n++;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    int64_t donors = 0, eligible = 0, ineligible = 0, open = 0;
    sql_arg a[] = {SQL_I(batch_id)};
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
    qc_release_input in = {spec, results, n,
                           ineligible > 0                     ? QC_DONOR_INELIGIBLE
                           : donors > 0 && eligible == donors ? QC_DONOR_ELIGIBLE
                                                              : QC_DONOR_INCOMPLETE,
                           (unsigned)open};
    out->ready = qc_release_check(&in, out->blocks, LAB_MAX_BLOCKS, &out->n_blocks);
    if (overflow) /* results beyond the cap were not examined: never call that ready */
        out->ready = false;
    return CC_OK;
}
