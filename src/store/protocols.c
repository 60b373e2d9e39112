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
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "INSERT INTO protocol_versions (protocol_id, version, body, sha256,"
                              " origin, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
                              " RETURNING id",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, version);
    db_bind_text(s, 3, body);
    db_bind_text(s, 4, sha);
    db_bind_text(s, 5, origin);
    db_bind_text(s, 6, now);
    db_bind_text(s, 7, by);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *row_id = db_col_int(s, 0);
    db_done(s);
    return r == DB_ROW ? CC_OK : r == DB_ERROR ? err->status : CC_INTERNAL;
}

static cc_status latest_version(db *d, const char *id, int *version, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, "SELECT MAX(version) FROM protocol_versions WHERE protocol_id = ?",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, id);
    *version = 0;
    db_step_result r = db_step(s, err);
    if (r == DB_ROW && !db_col_is_null(s, 0))
        *version = (int)db_col_int(s, 0);
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

static cc_status exists(db *d, const char *id, int version, bool *found, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT id FROM protocol_versions WHERE protocol_id = ? AND version = ?",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, version);
    db_step_result r = db_step(s, err);
    *found = r == DB_ROW;
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
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
        st = cc_fail(err, CC_CONFLICT, "version", "version_conflict",
                     "%s is at version %d: the next version is %d (published versions never change)",
                     protocol_id, latest, latest + 1);
        goto out;
    }
    if ((st = insert(d, protocol_id, version, body, "published", actor->username, &row, err)) != CC_OK)
        goto out;
    buf after;
    buf_init(&after, 1 << 20);
    st = audit_row_json(d,
                        "SELECT id, protocol_id, version, sha256, origin, published_at, published_by"
                        " FROM protocol_versions WHERE id = ?",
                        row, &after, err);
    if (st == CC_OK) {
        audit_change ch = {"publish", "protocol_version", row, NULL, after.data, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    buf_release(&after);
out:
    return db_tx_end(d, st, err);
}

static void read_row(arena *a, db_stmt *s, protocol_row *r)
{
    r->protocol_id = arena_strdup(a, db_col_text(s, 0));
    r->version = (int)db_col_int(s, 1);
    r->body = arena_strdup(a, db_col_text(s, 2));
    r->sha256 = arena_strdup(a, db_col_text(s, 3));
    r->origin = arena_strdup(a, db_col_text(s, 4));
    r->published_at = arena_strdup(a, db_col_text(s, 5));
    r->published_by = arena_strdup(a, db_col_text(s, 6));
}

#define ROW_COLUMNS "protocol_id, version, body, sha256, origin, published_at, published_by"

cc_status protocol_store_get(db *d, arena *a, const char *protocol_id, int version,
                             protocol_row *out, cc_error *err)
{
    db_stmt *s;
    cc_status st;
    if (version > 0) {
        st = db_prepare(d, "SELECT " ROW_COLUMNS " FROM protocol_versions WHERE protocol_id = ?"
                           " AND version = ?", &s, err);
    } else {
        st = db_prepare(d, "SELECT " ROW_COLUMNS " FROM protocol_versions WHERE protocol_id = ?"
                           " ORDER BY version DESC LIMIT 1", &s, err);
    }
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, protocol_id);
    if (version > 0)
        db_bind_int(s, 2, version);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        read_row(a, s, out);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return version > 0
                   ? cc_fail(err, CC_NOT_FOUND, "version", "not_found", "%s has no version %d",
                             protocol_id, version)
                   : cc_fail(err, CC_NOT_FOUND, "protocol", "not_found", "no protocol '%.40s'",
                             protocol_id);
    if (!out->body || !out->protocol_id)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return CC_OK;
}

cc_status protocol_store_list(db *d, arena *a, protocol_row **rows, size_t *n, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT " ROW_COLUMNS " FROM protocol_versions p WHERE version ="
                              " (SELECT MAX(version) FROM protocol_versions q"
                              "  WHERE q.protocol_id = p.protocol_id) ORDER BY protocol_id LIMIT 200",
                              &s, err);
    if (st != CC_OK)
        return st;
    *n = 0;
    *rows = arena_alloc(a, 200 * sizeof **rows);
    db_step_result r;
    while (*rows && (r = db_step(s, err)) == DB_ROW)
        read_row(a, s, &(*rows)[(*n)++]);
    db_done(s);
    if (!*rows)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return r == DB_ERROR ? err->status : CC_OK;
}

cc_status protocol_store_versions(db *d, arena *a, const char *protocol_id, int **versions,
                                  size_t *n, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT version FROM protocol_versions WHERE protocol_id = ?"
                              " ORDER BY version LIMIT 1000",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, protocol_id);
    *n = 0;
    *versions = arena_alloc(a, 1000 * sizeof **versions);
    db_step_result r;
    while (*versions && (r = db_step(s, err)) == DB_ROW)
        (*versions)[(*n)++] = (int)db_col_int(s, 0);
    db_done(s);
    if (!*versions)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    return r == DB_ERROR ? err->status : CC_OK;
}
