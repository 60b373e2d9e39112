/*
 * rate_limits: events counted per kind and key (a username, an address) in
 * fixed windows, in the database: every server process on one database
 * counts together, and a restart forgets nothing.
 *
 * rate_limit_wait gives in *wait the seconds to wait when key has reached
 * limit in its current window, else 0. rate_limit_hit counts one event (a
 * window older than window seconds starts again at one); rate_limit_reset
 * clears key. hit and reset write in their own transaction, or join the
 * caller's. Errors are storage errors; the caller decides whether a count it
 * cannot read blocks (the throttles let the person in). Connections are used
 * per thread (db.h).
 */
#ifndef CC_RATE_LIMITS_H
#define CC_RATE_LIMITS_H

#include <stdint.h>

#include "store/db.h"

cc_status rate_limit_wait(db *d, const char *kind, const char *key, int limit, int window,
                          int64_t now, int *wait, cc_error *err);
cc_status rate_limit_hit(db *d, const char *kind, const char *key, int window, int64_t now,
                         cc_error *err);
cc_status rate_limit_reset(db *d, const char *kind, const char *key, cc_error *err);

#endif
