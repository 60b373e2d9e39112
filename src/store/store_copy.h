/*
 * store_copy: a clinic's SQLite store copied whole into a PostgreSQL
 * database (cellclinic migrate-store).
 *
 * store_copy_tables copies every row of every table of from (a SQLite
 * connection whose schema is up to date) into to (a connection to a database
 * that has the same schema, from datadir_create), in one write transaction on
 * to: the tables of to are emptied first (the rows its creation seeded), the
 * rows go in the order the source created its tables (so that a row's
 * references are there before it), with the same ids, and each identity
 * column then continues after the largest id copied; the report digests
 * (derived, store/report_digests.h) are left for the target to build. *rows receives the
 * number of rows copied. A table of from that to lacks is CC_INVALID
 * "schema_differs". Errors roll everything back; to is left as before.
 *
 * Not thread-safe beyond the connections' own rules (db.h).
 */
#ifndef CC_STORE_COPY_H
#define CC_STORE_COPY_H

#include <stdint.h>

#include "store/db.h"

cc_status store_copy_tables(db *from, db *to, int64_t *rows, cc_error *err);

/* The whole of a data directory (its database and its access log) into the
 * PostgreSQL database at url, which must hold no table (CC_CONFLICT "exists"
 * otherwise, nothing written). The directory is locked as a restore locks it
 * (no server may run on it meanwhile). Before: the source's audit chain and
 * access log chain must verify (CC_CONFLICT "chain_broken"). After: both
 * chains verify on the target with the same number of entries as the source
 * (CC_STORAGE "copy_differs" otherwise). The signing key and the checkpoint
 * log stay files of the directory: serve names the key with --audit-key. */
typedef struct {
    int64_t rows, access_rows; /* rows copied from the database and from the access log */
    int64_t audit_entries, access_entries; /* the chains, verified on both sides */
} store_migration;

cc_status store_migrate(const char *from_dir, const char *to_url, store_migration *out,
                        cc_error *err);

#endif
