/*
 * app: the use cases, between the interfaces (api, cli) and the store.
 *
 * One file per family (bedside, plans, laboratory release, screening,
 * follow-up, patients, consultation requests). A use case that changes data
 * opens the write transaction (db_tx_begin), reads inside it every fact it
 * decides on, asks core, writes each change with its audit entry through the
 * store, and ends the transaction (db_tx_end): committed when everything held,
 * rolled back otherwise, with core's reasons returned to the caller. The
 * interfaces parse and render; they decide nothing and never write.
 *
 * app_ctx is what every use case receives: the connection, who acts, the
 * caller's language for texts, and the memory of the request. It is borrowed
 * for the call. Not thread-safe: one ctx per thread (one db per thread).
 */
#ifndef CC_APP_H
#define CC_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    db *d;
    store_actor actor;
    const char *role;     /* the actor's role name ("system" for the command line) */
    const char *language; /* "en" or "fr": texts of refusals and views */
    arena *arena;         /* memory released by the caller after the reply */
    bool synthetic;       /* records created under it are demonstration data, marked so */
    int64_t site_id;      /* the site it works in (store/sites.h): records created belong to it */
} app_ctx;

/* A context for the command line (import, user): the system actor. */
app_ctx app_ctx_system(db *d, arena *a);
/* The demonstration generator's context: actor "demo", records synthetic. */
app_ctx app_ctx_demo(db *d, arena *a);

/* Whether a use case failed only because the database aborted its
 * transaction for another's sake (store/db.h DB_TRANSACTION_ABORTED): it
 * wrote nothing, and running it again from the start may succeed. The HTTP
 * server runs a request's use case up to three times on it. */
bool app_transaction_aborted(cc_status st, const cc_error *err);

#endif
