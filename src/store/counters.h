/*
 * counters: named sequences (MRNs, DIN sequences) allocated inside the
 * caller's transaction, so a rolled-back change gives its number back.
 */
#ifndef CC_COUNTERS_H
#define CC_COUNTERS_H

#include <stdint.h>

#include "store/db.h"

/* Next value of the named counter, starting at 1. Needs an open transaction. */
cc_status counter_next(db *d, const char *name, int64_t *value, cc_error *err);

#endif
