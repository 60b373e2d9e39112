#include "users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

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

cc_status user_check_password(const char *username, const char *password, const char *field,
                              cc_error *err)
{
    return password_check_new(password, username, field, err);
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
static const audit_entity USER = {"user", USER_IMAGE};

cc_status user_create(db *d, const store_actor *actor, const char *username, const char *role,
                      const char *password, int64_t *id, cc_error *err)
{
    cc_status st = user_check_username(username, err);
    if (st == CC_OK && !user_role_is_valid(role))
        st = cc_fail(err, CC_INVALID, "role", "invalid_role",
                     "role must be one of admin, coordinator, physician, nurse, lab, qa, analyst");
    if (st == CC_OK)
        st = user_check_password(username, password, "password", err);
    if (st != CC_OK)
        return st;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory",
                       "password hashing ran out of memory");

    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    int64_t taken = 0;
    st = sql_scalar(d, "SELECT COUNT(*) FROM users WHERE username = ?",
                    (sql_arg[]){SQL_S(username)}, 1, &taken, err);
    if (st == CC_OK && taken > 0)
        st = cc_fail(err, CC_CONFLICT, "username", "username_taken", "username %s is taken",
                     username);
    sql_arg args[] = {SQL_S(username), SQL_S(role), SQL_S(hash), SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &USER,
                          "INSERT INTO users (username, role,"
                          " password_hash, created_at)"
                          " VALUES (?, ?, ?, ?) RETURNING id",
                          args, SQL_COUNT(args), NULL, id, err);
    return db_tx_end(d, st, err);
}

/* Columns first..first+3 of a row: id, username, role, language. */
static void read_identity(db_stmt *row, int first, user_identity *who)
{
    who->id = db_col_int(row, first);
    snprintf(who->username, sizeof who->username, "%s", db_col_text(row, first + 1));
    snprintf(who->role, sizeof who->role, "%s", db_col_text(row, first + 2));
    snprintf(who->language, sizeof who->language, "%s", db_col_text(row, first + 3));
}

typedef struct {
    user_identity *who;
    const char *password;
    bool ok;
} login_check;

static cc_status check_login(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    login_check *c = ctx;
    c->ok = c->password &&
            crypto_pwhash_str_verify(db_col_text(row, 4), c->password, strlen(c->password)) == 0;
    read_identity(row, 0, c->who);
    return CC_OK;
}

cc_status user_authenticate(db *d, const char *username, const char *password, user_identity *who,
                            cc_error *err)
{
    memset(who, 0, sizeof *who);
    login_check c = {who, password, false};
    cc_status st = sql_first(d,
                             "SELECT id, username, role, language, password_hash FROM users"
                             " WHERE username = ? AND active = 1",
                             (sql_arg[]){SQL_S(username ? username : "")}, 1, check_login, &c, err);
    if (st == CC_NOT_FOUND && password) {
        /* Spend the same effort for an unknown user, so timing does not tell
         * which usernames exist. */
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(dummy, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            dummy[0] = '\0';
    }
    if (st != CC_OK && st != CC_NOT_FOUND)
        return st;
    if (!c.ok) {
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
    /* Expired sessions are removed as new ones are made, so the table stays small. */
    sql_arg expired[] = {SQL_I(now - SESSION_IDLE_SECONDS), SQL_I(now - SESSION_ABSOLUTE_SECONDS)};
    st = sql_run(d, "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", expired,
                 SQL_COUNT(expired), NULL, err);
    sql_arg args[] = {SQL_S(hash), SQL_I(who->id), SQL_S(who->csrf), SQL_I(now), SQL_I(now)};
    if (st == CC_OK)
        st = sql_run(d,
                     "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen)"
                     " VALUES (?, ?, ?, ?, ?) RETURNING id",
                     args, SQL_COUNT(args), &who->session_id, err);
    if (st == CC_OK)
        st = audit_simple(d, who, "login", "session", who->session_id, err);
    return db_tx_end(d, st, err);
}

/* A credential that is no longer good: the account's name stays, for the
 * security event, and nothing that could act for it. */
static void keep_only_name(user_identity *who)
{
    char username[sizeof who->username];
    snprintf(username, sizeof username, "%s", who->username);
    memset(who, 0, sizeof *who);
    snprintf(who->username, sizeof who->username, "%s", username);
}

typedef struct {
    user_identity *who;
    int64_t created, last_seen;
} session_row;

static cc_status read_session(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    session_row *r = ctx;
    r->who->session_id = db_col_int(row, 0);
    snprintf(r->who->csrf, sizeof r->who->csrf, "%s", db_col_text(row, 1));
    r->created = db_col_int(row, 2);
    r->last_seen = db_col_int(row, 3);
    read_identity(row, 4, r->who);
    return CC_OK;
}

cc_status session_lookup(db *d, const char *secret, user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    char hash[SECRET_HEX];
    hash_secret(secret, hash);
    session_row r = {who, 0, 0};
    cc_status st = sql_first(d,
                             "SELECT s.id, s.csrf, s.created_at, s.last_seen, u.id, u.username,"
                             " u.role, u.language FROM sessions s JOIN users u ON u.id = s.user_id"
                             " WHERE s.token_hash = ? AND u.active = 1",
                             (sql_arg[]){SQL_S(hash)}, 1, read_session, &r, err);
    if (st != CC_OK && st != CC_NOT_FOUND)
        return st;
    int64_t now = store_now_seconds();
    if (st == CC_NOT_FOUND) {
        memset(who, 0, sizeof *who);
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "not_logged_in",
                       "not logged in, or the session has expired");
    }
    if (now - r.last_seen > SESSION_IDLE_SECONDS || now - r.created > SESSION_ABSOLUTE_SECONDS) {
        keep_only_name(who);
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "session_expired",
                       "not logged in, or the session has expired");
    }
    /* Touch at most once a minute: idle expiry needs no finer grain. The
     * caller touches after its request, so a lookup never writes. */
    who->needs_touch = now - r.last_seen >= 60;
    return CC_OK;
}

cc_status session_touch(db *d, const user_identity *who, cc_error *err)
{
    sql_arg args[] = {SQL_I(store_now_seconds()), SQL_I(who->session_id)};
    return sql_run(d, "UPDATE sessions SET last_seen = ? WHERE id = ?", args, SQL_COUNT(args), NULL,
                   err);
}

cc_status session_delete(db *d, const user_identity *who, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = sql_run(d, "DELETE FROM sessions WHERE id = ?", (sql_arg[]){SQL_I(who->session_id)}, 1,
                 NULL, err);
    if (st == CC_OK)
        st = audit_simple(d, who, "logout", "session", who->session_id, err);
    return db_tx_end(d, st, err);
}

cc_status user_set_language(db *d, const user_identity *who, const char *language, cc_error *err)
{
    store_actor actor = {who->id, who->username};
    sql_arg args[] = {SQL_S(language), SQL_I(who->id)};
    return audit_update(d, &actor, &USER, "set_language", who->id,
                        "UPDATE users SET language = ? WHERE id = ?", args, SQL_COUNT(args), NULL,
                        err);
}

cc_status token_create(db *d, const user_identity *who, const char *label, char secret[SECRET_HEX],
                       int64_t *id, cc_error *err)
{
    char hash[SECRET_HEX], now[21];
    new_secret(secret);
    hash_secret(secret, hash);
    store_now_text(now);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    sql_arg args[] = {SQL_S(hash), SQL_I(who->id), SQL_S(label), SQL_S(now)};
    st = sql_run(d,
                 "INSERT INTO api_tokens (token_hash, user_id, label, created_at)"
                 " VALUES (?, ?, ?, ?) RETURNING id",
                 args, SQL_COUNT(args), id, err);
    if (st == CC_OK)
        st = audit_simple(d, who, "create", "api_token", *id, err);
    return db_tx_end(d, st, err);
}

typedef struct {
    user_identity *who;
    bool revoked;
} token_row;

static cc_status read_token_user(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    token_row *t = ctx;
    read_identity(row, 0, t->who);
    t->who->by_token = true;
    t->revoked = !db_col_is_null(row, 4);
    return CC_OK;
}

cc_status token_lookup(db *d, const char *secret, user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    char hash[SECRET_HEX];
    hash_secret(secret, hash);
    token_row t = {who, false};
    cc_status st =
        sql_first(d,
                  "SELECT u.id, u.username, u.role, u.language, t.revoked_at FROM api_tokens t"
                  " JOIN users u ON u.id = t.user_id"
                  " WHERE t.token_hash = ? AND u.active = 1",
                  (sql_arg[]){SQL_S(hash)}, 1, read_token_user, &t, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "invalid_token", "unknown or revoked token");
    if (st == CC_OK && t.revoked) {
        keep_only_name(who);
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "token_revoked", "unknown or revoked token");
    }
    return st;
}

cc_status token_revoke(db *d, const user_identity *who, int64_t token_id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t revoked = 0;
    sql_arg args[] = {SQL_S(now), SQL_I(token_id), SQL_I(who->id),
                      SQL_I(strcmp(who->role, "admin") == 0)};
    st = sql_run(d,
                 "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
                 " AND (user_id = ? OR ? = 1) RETURNING id",
                 args, SQL_COUNT(args), &revoked, err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no such active token of yours");
    if (st == CC_OK)
        st = audit_simple(d, who, "revoke", "api_token", token_id, err);
    return db_tx_end(d, st, err);
}

cc_status user_list_json(db *d, int64_t page, int64_t per_page, buf *out, int64_t *total,
                         cc_error *err)
{
    sql_page_query q = {"SELECT COUNT(*) FROM users",
                        "SELECT id, username, role, language, active, created_at FROM users"
                        " ORDER BY username LIMIT ? OFFSET ?",
                        NULL,
                        0,
                        0,
                        page,
                        per_page};
    return sql_page_json(d, &q, out, total, err);
}

cc_status token_list_json(db *d, int64_t user_id, int64_t page, int64_t per_page, buf *out,
                          int64_t *total, cc_error *err)
{
    sql_arg args[] = {SQL_I(user_id)};
    sql_page_query q = {"SELECT COUNT(*) FROM api_tokens WHERE user_id = ?",
                        "SELECT id, label, created_at, revoked_at FROM api_tokens WHERE user_id = ?"
                        " ORDER BY id DESC LIMIT ? OFFSET ?",
                        args,
                        1,
                        0,
                        page,
                        per_page};
    return sql_page_json(d, &q, out, total, err);
}
