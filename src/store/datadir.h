/*
 * datadir: the data directory: DIR/cellclinic.db (SQLite, WAL).
 *
 * datadir_create makes a new directory and an up-to-date database in it and
 * refuses an existing directory. datadir_open opens an existing one, brings
 * its schema up to date, and refuses a database newer than this binary.
 * datadir_connect opens one more connection without migrating (worker threads).
 *
 * DIR may instead be a PostgreSQL URI (db_location_is_url): create then
 * opens that existing database and refuses one that holds any table; open
 * and connect open it; the lock is PostgreSQL's business (datadir_lock
 * returns CC_OK with *fd -1).
 *
 * The directory lock: DIR/cellclinic.lock, an flock(2) lock the kernel
 * drops when its process ends (a killed server leaves nothing to clean up).
 * Whatever uses the database in place (serve, backup) holds it shared; a
 * command that replaces the database file (restore) holds it exclusive, so
 * it refuses to start while a server runs and a server refuses to start
 * while it runs. Commands that only run transactions (user, audit) need no
 * lock: SQLite's own locking serves them. datadir_lock returns the lock's
 * descriptor in *fd (keep it open as long as the lock is needed; closing it
 * releases it; -1 when a shared lock is impossible because DIR is
 * read-only); CC_CONFLICT "data_dir_busy" when the other kind is held.
 */
#ifndef CC_DATADIR_H
#define CC_DATADIR_H

#include "store/db.h"

enum { DATADIR_PATH_MAX = 4096 };

cc_status datadir_create(const char *dir, db **out, cc_error *err);
cc_status datadir_open(const char *dir, db **out, cc_error *err);
cc_status datadir_connect(const char *dir, db **out, cc_error *err);

typedef enum { DATADIR_LOCK_SHARED, DATADIR_LOCK_EXCLUSIVE } datadir_lock_kind;

cc_status datadir_lock(const char *dir, datadir_lock_kind kind, int *fd, cc_error *err);

/* DIR/cellclinic.db into out (CC_INVALID "data" when too long). */
cc_status datadir_db_path(const char *dir, char out[DATADIR_PATH_MAX], cc_error *err);

#endif
