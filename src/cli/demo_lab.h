/*
 * demo_lab: the laboratory part of `cellclinic demo`: patients / 20
 * synthetic donors (at least 3 from 20 patients on, at most 40) with their
 * screening, collections, batches with QC and QA decisions, and units in
 * several states (see demo_lab.c), through the laboratory use cases. Sets the
 * site's FIN ("W9999") and product codes only when none is configured. The
 * same seed gives the same data for the same day.
 */
#ifndef CC_CLI_DEMO_LAB_H
#define CC_CLI_DEMO_LAB_H

#include <stdint.h>

#include "core/date.h"
#include "store/db.h"

typedef struct {
    int64_t donors, ineligible_donors, batches, released_batches, rejected_batches, pending_batches,
        units, expired_units;
} demo_lab_counts;

cc_status demo_lab(db *d, uint64_t seed, int64_t patients, cc_date today, demo_lab_counts *made,
                   cc_error *err);

#endif
