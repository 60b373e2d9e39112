/*
 * schema: versioned migrations of the cellclinic database.
 *
 * Migrations are numbered from 1 and each runs in its own transaction,
 * recorded in schema_version. A database whose version is newer than this
 * binary knows is refused (CC_STORAGE, code "schema_too_new"), never touched.
 */
#ifndef CC_SCHEMA_H
#define CC_SCHEMA_H

#include "store/db.h"

int schema_latest_version(void);
/* Current version of an open database (0 when empty). */
cc_status schema_version(db *d, int *version, cc_error *err);
/* Brings the database to the latest version. */
cc_status schema_migrate(db *d, cc_error *err);

#endif
