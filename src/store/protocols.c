#include "protocols.h"

#include <sodium.h>
#include <string.h>

#include "store/sql.h"

#include "store/protocols_builtin.h"

static void sha256_hex(const char *text, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static cc_status insert(db *d, const char *id, int version, const char *body, const char *origin,
                        const char *by, int64_t *row_id, cc_error *err)
{
    char now[21], sha[65];
    store_now_text(now);
    sha256_hex(body, sha);
    sql_arg args[] = {SQL_S(id),     SQL_I(version), SQL_S(body), SQL_S(sha),
                      SQL_S(origin), SQL_S(now),     SQL_S(by)};
    return sql_run(d,
                   "INSERT INTO protocol_versions (protocol_id, version, body, sha256, origin,"
                   " published_at, published_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   args, SQL_COUNT(args), row_id, err);
}

static cc_status latest_version(db *d, const char *id, int *version, cc_error *err)
{
    int64_t latest = 0;
    cc_status st = sql_scalar(d, "SELECT MAX(version) FROM protocol_versions WHERE protocol_id = ?",
                              (sql_arg[]){SQL_S(id)}, 1, &latest, err);
    *version = (int)latest;
    return st;
}

static cc_status exists(db *d, const char *id, int version, bool *found, cc_error *err)
{
    int64_t row = 0;
    sql_arg args[] = {SQL_S(id), SQL_I(version)};
    cc_status st =
        sql_scalar(d, "SELECT id FROM protocol_versions WHERE protocol_id = ? AND version = ?",
                   args, SQL_COUNT(args), &row, err);
    *found = row != 0;
    return st;
}

cc_status protocol_store_seed(db *d, cc_error *err)
{
    bool missing = false;
    for (const protocol_builtin *b = protocol_builtins; b->id && !missing; b++) {
        bool found;
        cc_status st = exists(d, b->id, b->version, &found, err);
        if (st != CC_OK)
            return st;
        missing = !found;
    }
    if (!missing) /* the usual case: nothing to write, no write lock taken */
        return CC_OK;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    for (const protocol_builtin *b = protocol_builtins; b->id && st == CC_OK; b++) {
        bool found;
        int64_t row;
        if ((st = exists(d, b->id, b->version, &found, err)) == CC_OK && !found)
            st = insert(d, b->id, b->version, b->json, "shipped", "system", &row, err);
    }
    return db_tx_end(d, st, err);
}

cc_status protocol_store_publish(db *d, const store_actor *actor, const char *protocol_id,
                                 int version, const char *body, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int latest;
    int64_t row;
    if ((st = latest_version(d, protocol_id, &latest, err)) != CC_OK)
        goto out;
    if (version != latest + 1) {
        st =
            cc_fail(err, CC_CONFLICT, "version", "version_conflict",
                    "%s is at version %d: the next version is %d (published versions never change)",
                    protocol_id, latest, latest + 1);
        goto out;
    }
    if ((st = insert(d, protocol_id, version, body, "published", actor->username, &row, err)) !=
        CC_OK)
        goto out;
    st = audit_log_change(d, actor, "publish", "protocol_version", row,
                          "SELECT id, protocol_id, version, sha256, origin, published_at,"
                          " published_by FROM protocol_versions WHERE id = ?",
                          NULL, NULL, err);
out:
    return db_tx_end(d, st, err);
}

static bool read_row(arena *a, db_stmt *s, void *item)
{
    protocol_row *r = item;
    r->protocol_id = arena_strdup(a, db_col_text(s, 0));
    r->version = (int)db_col_int(s, 1);
    r->body = arena_strdup(a, db_col_text(s, 2));
    r->sha256 = arena_strdup(a, db_col_text(s, 3));
    r->origin = arena_strdup(a, db_col_text(s, 4));
    r->published_at = arena_strdup(a, db_col_text(s, 5));
    r->published_by = arena_strdup(a, db_col_text(s, 6));
    return r->body && r->protocol_id;
}

#define ROW_COLUMNS "protocol_id, version, body, sha256, origin, published_at, published_by"

cc_status protocol_store_get(db *d, arena *a, const char *protocol_id, int version,
                             protocol_row *out, cc_error *err)
{
    sql_arg args[] = {SQL_S(protocol_id), SQL_I(version)};
    cc_status st =
        version > 0
            ? sql_fill_one(d, a,
                           "SELECT " ROW_COLUMNS " FROM protocol_versions WHERE protocol_id = ?"
                           " AND version = ?",
                           args, 2, read_row, out, err)
            : sql_fill_one(d, a,
                           "SELECT " ROW_COLUMNS " FROM protocol_versions WHERE protocol_id = ?"
                           " ORDER BY version DESC LIMIT 1",
                           args, 1, read_row, out, err);
    if (st == CC_NOT_FOUND)
        return version > 0 ? cc_fail(err, CC_NOT_FOUND, "version", "not_found",
                                     "%s has no version %d", protocol_id, version)
                           : cc_fail(err, CC_NOT_FOUND, "protocol", "not_found",
                                     "no protocol '%.40s'", protocol_id);
    return st;
}

cc_status protocol_store_list(db *d, arena *a, protocol_row **rows, size_t *n, cc_error *err)
{
    return sql_fill(d, a,
                    "SELECT " ROW_COLUMNS " FROM protocol_versions p WHERE version ="
                    " (SELECT MAX(version) FROM protocol_versions q"
                    "  WHERE q.protocol_id = p.protocol_id) ORDER BY protocol_id LIMIT 200",
                    NULL, 0, read_row, sizeof **rows, 200, (void **)rows, n, err);
}

static bool read_version(arena *a, db_stmt *s, void *item)
{
    (void)a;
    *(int *)item = (int)db_col_int(s, 0);
    return true;
}

cc_status protocol_store_versions(db *d, arena *a, const char *protocol_id, int **versions,
                                  size_t *n, cc_error *err)
{
    return sql_fill(d, a,
                    "SELECT version FROM protocol_versions WHERE protocol_id = ?"
                    " ORDER BY version LIMIT 1000",
                    (sql_arg[]){SQL_S(protocol_id)}, 1, read_version, sizeof **versions, 1000,
                    (void **)versions, n, err);
}
