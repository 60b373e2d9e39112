#include "users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

static const char *const ROLES[] = {"admin", "coordinator", "physician", "nurse",
                                    "lab",   "qa",          "analyst",   NULL};

bool user_role_is_valid(const char *role)
{
    for (const char *const *r = ROLES; role && *r; r++)
        if (strcmp(*r, role) == 0)
            return true;
    return false;
}

cc_status user_check_username(const char *username, cc_error *err)
{
    size_t n = username ? strlen(username) : 0;
    if (n == 0 || n > USER_NAME_MAX)
        return cc_fail(err, CC_INVALID, "username", "invalid_username",
                       "username must be 1 to %d characters", USER_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = username[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return cc_fail(err, CC_INVALID, "username", "invalid_username",
                           "username may hold only a-z, 0-9, '.', '_' and '-'");
    }
    return CC_OK;
}

cc_status user_check_password(const char *password, const char *field, cc_error *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < USER_PASSWORD_MIN || n > USER_PASSWORD_MAX)
        return cc_fail(err, CC_INVALID, field, "weak_password",
                       "%s must be %d to %d characters", field, USER_PASSWORD_MIN, USER_PASSWORD_MAX);
    if (!text_is_clean_utf8(password, n, false))
        return cc_fail(err, CC_INVALID, field, "invalid_text", "%s must be UTF-8 text", field);
    return CC_OK;
}

static void hash_secret(const char *secret, char out[SECRET_HEX])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, SECRET_HEX, digest, sizeof digest);
}

static void new_secret(char out[SECRET_HEX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, SECRET_HEX, raw, sizeof raw);
}

static const char USER_IMAGE[] =
    "SELECT id, username, role, language, active, created_at FROM users WHERE id = ?";

cc_status user_create(db *d, const store_actor *actor, const char *username, const char *role,
                      const char *password, int64_t *id, cc_error *err)
{
    cc_status st = user_check_username(username, err);
    if (st == CC_OK && !user_role_is_valid(role))
        st = cc_fail(err, CC_INVALID, "role", "invalid_role",
                     "role must be one of admin, coordinator, physician, nurse, lab, qa, analyst");
    if (st == CC_OK)
        st = user_check_password(password, "password", err);
    if (st != CC_OK)
        return st;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "password hashing ran out of memory");

    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    db_stmt *s;
    char now[21];
    store_now_text(now);
    st = db_prepare(d, "SELECT COUNT(*) FROM users WHERE username = ?", &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, username);
        bool taken = db_step(s, err) == DB_ROW && db_col_int(s, 0) > 0;
        db_done(s);
        if (taken)
            st = cc_fail(err, CC_CONFLICT, "username", "username_taken", "username %s is taken", username);
    }
    if (st == CC_OK)
        st = db_prepare(d,
                        "INSERT INTO users (username, role, password_hash, created_at)"
                        " VALUES (?, ?, ?, ?) RETURNING id",
                        &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, username);
        db_bind_text(s, 2, role);
        db_bind_text(s, 3, hash);
        db_bind_text(s, 4, now);
        if (db_step(s, err) == DB_ROW)
            *id = db_col_int(s, 0);
        else
            st = CC_STORAGE;
        db_done(s);
    }
    if (st == CC_OK)
        st = audit_log_change(d, actor, "create", "user", *id, USER_IMAGE, NULL, NULL, err);
    return db_tx_end(d, st, err);
}

cc_status user_authenticate(db *d, const char *username, const char *password,
                            user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT id, username, role, language, password_hash FROM users"
                              " WHERE username = ? AND active = 1",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, username ? username : "");
    db_step_result r = db_step(s, err);
    bool ok = false;
    if (r == DB_ROW) {
        ok = password && crypto_pwhash_str_verify(db_col_text(s, 4), password, strlen(password)) == 0;
        who->id = db_col_int(s, 0);
        snprintf(who->username, sizeof who->username, "%s", db_col_text(s, 1));
        snprintf(who->role, sizeof who->role, "%s", db_col_text(s, 2));
        snprintf(who->language, sizeof who->language, "%s", db_col_text(s, 3));
    } else if (password) {
        /* Spend the same effort for an unknown user, so timing does not tell
         * which usernames exist. */
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(dummy, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            dummy[0] = '\0';
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (!ok) {
        memset(who, 0, sizeof *who);
        return cc_fail(err, CC_UNAUTHENTICATED, "password", "bad_credentials",
                       "unknown username or wrong password");
    }
    return CC_OK;
}

static cc_status audit_simple(db *d, const user_identity *who, const char *action,
                              const char *entity, int64_t entity_id, cc_error *err)
{
    store_actor actor = {who->id, who->username};
    char after[96];
    snprintf(after, sizeof after, "{\"user_id\":%lld}", (long long)who->id);
    audit_change ch = {action, entity, entity_id, NULL, after, NULL};
    return audit_append(d, &actor, &ch, err);
}

cc_status session_create(db *d, user_identity *who, char secret[SECRET_HEX], cc_error *err)
{
    char hash[SECRET_HEX];
    new_secret(secret);
    new_secret(who->csrf);
    hash_secret(secret, hash);
    int64_t now = store_now_seconds();
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    /* Expired sessions are removed as new ones are made, so the table stays small. */
    st = db_prepare(d, "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, now - SESSION_IDLE_SECONDS);
        db_bind_int(s, 2, now - SESSION_ABSOLUTE_SECONDS);
        st = db_run(s, err);
    }
    if (st == CC_OK)
        st = db_prepare(d,
                        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen)"
                        " VALUES (?, ?, ?, ?, ?) RETURNING id",
                        &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, hash);
        db_bind_int(s, 2, who->id);
        db_bind_text(s, 3, who->csrf);
        db_bind_int(s, 4, now);
        db_bind_int(s, 5, now);
        if (db_step(s, err) == DB_ROW)
            who->session_id = db_col_int(s, 0);
        else
            st = err->status ? err->status : CC_STORAGE;
        db_done(s);
    }
    if (st == CC_OK)
        st = audit_simple(d, who, "login", "session", who->session_id, err);
    return db_tx_end(d, st, err);
}

cc_status session_lookup(db *d, const char *secret, user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    char hash[SECRET_HEX];
    hash_secret(secret, hash);
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT s.id, s.csrf, s.created_at, s.last_seen, u.id, u.username,"
                              " u.role, u.language FROM sessions s JOIN users u ON u.id = s.user_id"
                              " WHERE s.token_hash = ? AND u.active = 1",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, hash);
    db_step_result r = db_step(s, err);
    int64_t now = store_now_seconds(), created = 0, last_seen = 0;
    if (r == DB_ROW) {
        who->session_id = db_col_int(s, 0);
        snprintf(who->csrf, sizeof who->csrf, "%s", db_col_text(s, 1));
        created = db_col_int(s, 2);
        last_seen = db_col_int(s, 3);
        who->id = db_col_int(s, 4);
        snprintf(who->username, sizeof who->username, "%s", db_col_text(s, 5));
        snprintf(who->role, sizeof who->role, "%s", db_col_text(s, 6));
        snprintf(who->language, sizeof who->language, "%s", db_col_text(s, 7));
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r != DB_ROW || now - last_seen > SESSION_IDLE_SECONDS || now - created > SESSION_ABSOLUTE_SECONDS) {
        memset(who, 0, sizeof *who);
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "session_expired",
                       "not logged in, or the session has expired");
    }
    /* Touch at most once a minute: idle expiry needs no finer grain. The
     * caller touches after its request, so a lookup never writes. */
    who->needs_touch = now - last_seen >= 60;
    return CC_OK;
}

cc_status session_touch(db *d, const user_identity *who, cc_error *err)
{
    sql_arg args[] = {SQL_I(store_now_seconds()), SQL_I(who->session_id)};
    return sql_run(d, "UPDATE sessions SET last_seen = ? WHERE id = ?", args, SQL_COUNT(args), NULL, err);
}

cc_status session_delete(db *d, const user_identity *who, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    st = db_prepare(d, "DELETE FROM sessions WHERE id = ?", &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, who->session_id);
        st = db_run(s, err);
    }
    if (st == CC_OK)
        st = audit_simple(d, who, "logout", "session", who->session_id, err);
    return db_tx_end(d, st, err);
}

cc_status user_set_language(db *d, const user_identity *who, const char *language, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf before;
    buf_init(&before, 1 << 16);
    st = audit_row_json(d, USER_IMAGE, who->id, &before, err);
    db_stmt *s;
    if (st == CC_OK)
        st = db_prepare(d, "UPDATE users SET language = ? WHERE id = ?", &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, language);
        db_bind_int(s, 2, who->id);
        st = db_run(s, err);
    }
    store_actor actor = {who->id, who->username};
    if (st == CC_OK)
        st = audit_log_change(d, &actor, "set_language", "user", who->id, USER_IMAGE, before.data,
                              NULL, err);
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status token_create(db *d, const user_identity *who, const char *label,
                       char secret[SECRET_HEX], int64_t *id, cc_error *err)
{
    char hash[SECRET_HEX], now[21];
    new_secret(secret);
    hash_secret(secret, hash);
    store_now_text(now);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    st = db_prepare(d,
                    "INSERT INTO api_tokens (token_hash, user_id, label, created_at)"
                    " VALUES (?, ?, ?, ?) RETURNING id",
                    &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, hash);
        db_bind_int(s, 2, who->id);
        db_bind_text(s, 3, label);
        db_bind_text(s, 4, now);
        if (db_step(s, err) == DB_ROW)
            *id = db_col_int(s, 0);
        else
            st = err->status ? err->status : CC_STORAGE;
        db_done(s);
    }
    if (st == CC_OK)
        st = audit_simple(d, who, "create", "api_token", *id, err);
    return db_tx_end(d, st, err);
}

cc_status token_lookup(db *d, const char *secret, user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    char hash[SECRET_HEX];
    hash_secret(secret, hash);
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT u.id, u.username, u.role, u.language FROM api_tokens t"
                              " JOIN users u ON u.id = t.user_id"
                              " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = 1",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, hash);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW) {
        who->id = db_col_int(s, 0);
        snprintf(who->username, sizeof who->username, "%s", db_col_text(s, 1));
        snprintf(who->role, sizeof who->role, "%s", db_col_text(s, 2));
        snprintf(who->language, sizeof who->language, "%s", db_col_text(s, 3));
        who->by_token = true;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r != DB_ROW)
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "invalid_token", "unknown or revoked token");
    return CC_OK;
}

cc_status token_revoke(db *d, const user_identity *who, int64_t token_id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    st = db_prepare(d,
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
                    " AND (user_id = ? OR ? = 1) RETURNING id",
                    &s, err);
    if (st == CC_OK) {
        db_bind_text(s, 1, now);
        db_bind_int(s, 2, token_id);
        db_bind_int(s, 3, who->id);
        db_bind_int(s, 4, strcmp(who->role, "admin") == 0);
        db_step_result r = db_step(s, err);
        db_done(s);
        if (r == DB_ERROR)
            st = err->status;
        else if (r == DB_DONE)
            st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no such active token of yours");
    }
    if (st == CC_OK)
        st = audit_simple(d, who, "revoke", "api_token", token_id, err);
    return db_tx_end(d, st, err);
}
