/*
 * lab_release: release readiness of a manufacturing batch, read from the
 * database and judged by core (qc_release_check): the stored QC results
 * against the batch's specification, the eligibility of every donor of its
 * collections (all must be eligible, H13) and its open deviations (H2).
 *
 * The endotoxin limit (qc_spec.h, K/M) needs the route and the dose: a batch
 * does not know by which route its units will be given, so it is judged
 * for the strictest (intrathecal, K 0.2 EU/kg), with the largest unit
 * volume of the batch as one dose given to the pharmacopoeia's 70 kg adult
 * (QC_REFERENCE_BODY_KG). A batch without units has no dose: its endotoxin
 * result is invalid until a unit exists.
 *
 * A read: it writes nothing and may run inside the caller's transaction (a
 * release decides on what it reads there) or outside it (a view).
 * Errors: CC_NOT_FOUND (field "id") for an unknown batch, CC_STORAGE from
 * the database. The result is a value in the caller's struct; blocks'
 * texts are static (qc_spec.h). Not thread-safe (one db per thread).
 */
#ifndef CC_LAB_RELEASE_H
#define CC_LAB_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/qc_spec.h"
#include "store/db.h"

enum { LAB_MAX_BLOCKS = 32 };
typedef struct {
    bool ready;
    size_t n_blocks; /* may exceed LAB_MAX_BLOCKS; only the first are kept */
    qc_block blocks[LAB_MAX_BLOCKS];
    qc_dose dose;           /* what the endotoxin limit was computed from */
    double endotoxin_limit; /* EU/mL; NaN when the batch has no unit */
} lab_readiness;

/* The basis of a batch's endotoxin limit, as above (dose_ml 0: no unit). */
cc_status lab_batch_dose(db *d, int64_t batch_id, qc_dose *out, cc_error *err);

/* Release readiness of a batch now; out->ready is false when more results
 * are stored than are examined. */
cc_status lab_batch_readiness(db *d, int64_t batch_id, lab_readiness *out, cc_error *err);

#endif
