/*
 * datadir: the data directory: DIR/cellclinic.db (SQLite, WAL).
 *
 * datadir_create makes a new directory and an up-to-date database in it and
 * refuses an existing directory. datadir_open opens an existing one, brings
 * its schema up to date, and refuses a database newer than this binary.
 * datadir_connect opens one more connection without migrating (worker threads).
 */
#ifndef CC_DATADIR_H
#define CC_DATADIR_H

#include "store/db.h"

enum { DATADIR_PATH_MAX = 4096 };

cc_status datadir_create(const char *dir, db **out, cc_error *err);
cc_status datadir_open(const char *dir, db **out, cc_error *err);
cc_status datadir_connect(const char *dir, db **out, cc_error *err);

#endif
