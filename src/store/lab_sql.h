/*
 * lab_sql: what the laboratory store modules (lab_*.c) share beyond the
 * store-wide helpers of sql.h and audit.h.
 */
#ifndef CC_LAB_SQL_H
#define CC_LAB_SQL_H

#include <stdint.h>

#include "core/unit_state.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/sql.h"

/* Inside the caller's transaction: applies event to every unit of a batch
 * that is in state from (through unit_state_apply), with custody events and
 * audit entries; note is recorded on each (lab_units.c). */
cc_status lab_units_batch_event(db *d, const store_actor *actor, int64_t batch_id, unit_state from,
                                unit_event event, const char *note, cc_error *err);

#endif
