#include "users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/text.h"
#include "store/sites.h"
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

bool user_role_reads_identities(const char *role)
{
    static const char *const IDENTIFIED[] = {"admin", "coordinator", "physician",
                                             "nurse", "lab",         "qa"};
    for (size_t i = 0; role && i < sizeof IDENTIFIED / sizeof IDENTIFIED[0]; i++)
        if (strcmp(IDENTIFIED[i], role) == 0)
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

_Static_assert(USER_HASH_MAX >= crypto_pwhash_STRBYTES, "room for an argon2id hash");

cc_status user_hash_password(const char *password, char hash[USER_HASH_MAX], cc_error *err)
{
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory",
                       "password hashing ran out of memory");
    return CC_OK;
}

static const char USER_IMAGE[] = "SELECT id, username, role, language, active,"
                                 " must_change_password, created_at FROM users WHERE id = ?";
static const audit_entity USER = {"user", USER_IMAGE};
static const char TOKEN_IMAGE[] = "SELECT id, user_id, label, scope, created_at, expires_at,"
                                  " revoked_at FROM api_tokens WHERE id = ?";

cc_status user_create(db *d, const store_actor *actor, const char *username, const char *role,
                      const char *password, int64_t *id, cc_error *err)
{
    return user_create_at(d, actor, username, role, password, 1, id, err);
}

cc_status user_create_at(db *d, const store_actor *actor, const char *username, const char *role,
                         const char *password, int64_t site_id, int64_t *id, cc_error *err)
{
    cc_status st = user_check_username(username, err);
    if (st == CC_OK && !user_role_is_valid(role))
        st = cc_fail(err, CC_INVALID, "role", "invalid_role",
                     "role must be one of admin, coordinator, physician, nurse, lab, qa, analyst");
    if (st == CC_OK)
        st = user_check_password(username, password, "password", err);
    if (st != CC_OK)
        return st;
    char hash[USER_HASH_MAX];
    if ((st = user_hash_password(password, hash, err)) != CC_OK)
        return st;
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
    int64_t site_exists = 0;
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM sites WHERE id = ?", (sql_arg[]){SQL_I(site_id)},
                        1, &site_exists, err);
    if (st == CC_OK && !site_exists)
        st = cc_fail(err, CC_INVALID, "site", "invalid_value", "no such site");
    int64_t created = 0;
    sql_arg args[] = {SQL_S(username), SQL_S(role), SQL_S(hash), SQL_S(now),
                      SQL_I(strcmp(role, "admin") == 0)};
    if (st == CC_OK)
        st = audit_create(d, actor, &USER,
                          "INSERT INTO users (username, role,"
                          " password_hash, created_at, all_sites)"
                          " VALUES (?, ?, ?, ?, ?) RETURNING id",
                          args, SQL_COUNT(args), NULL, &created, err);
    /* a new account works in its creator's site; an administrator in every one */
    sql_arg member[] = {SQL_I(created), SQL_I(site_id)};
    if (st == CC_OK)
        st = sql_run(d, "INSERT INTO user_sites (user_id, site_id) VALUES (?, ?)", member,
                     SQL_COUNT(member), NULL, err);
    if (st == CC_OK && id)
        *id = created;
    return db_tx_end(d, st, err);
}

/* The columns of IDENTITY_COLUMNS from first on. */
#define IDENTITY_COLUMNS "u.id, u.username, u.role, u.language, u.must_change_password"
static void read_identity(db_stmt *row, int first, user_identity *who)
{
    who->id = db_col_int(row, first);
    snprintf(who->username, sizeof who->username, "%s", db_col_text(row, first + 1));
    snprintf(who->role, sizeof who->role, "%s", db_col_text(row, first + 2));
    snprintf(who->language, sizeof who->language, "%s", db_col_text(row, first + 3));
    who->must_change_password = db_col_int(row, first + 4) != 0;
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
            crypto_pwhash_str_verify(db_col_text(row, 5), c->password, strlen(c->password)) == 0;
    read_identity(row, 0, c->who);
    return CC_OK;
}

cc_status user_authenticate(db *d, const char *username, const char *password, user_identity *who,
                            cc_error *err)
{
    memset(who, 0, sizeof *who);
    login_check c = {who, password, false};
    cc_status st = sql_first(d,
                             "SELECT " IDENTITY_COLUMNS ", u.password_hash FROM users u"
                             " WHERE u.username = ? AND u.active = 1",
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
    /* a session begins in the user's first site (the lowest id they are a member of) */
    if (st == CC_OK)
        st = site_first_of_user(d, who->id, &who->site_id, err);
    sql_arg args[] = {SQL_S(hash),        SQL_I(who->id), SQL_S(who->csrf),
                      SQL_I(now),         SQL_I(now),     SQL_I(who->mfa_enrolment_only),
                      SQL_I(who->site_id)};
    if (st == CC_OK)
        st = sql_run(d,
                     "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen,"
                     " mfa_enrolment_only, site_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    r->who->mfa_enrolment_only = db_col_int(row, 9) != 0;
    r->who->site_id = db_col_int(row, 10);
    return CC_OK;
}

cc_status session_lookup(db *d, const char *secret, user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    char hash[SECRET_HEX];
    hash_secret(secret, hash);
    session_row r = {who, 0, 0};
    cc_status st = sql_first(d,
                             "SELECT s.id, s.csrf, s.created_at, s.last_seen, " IDENTITY_COLUMNS
                             ", s.mfa_enrolment_only, s.site_id"
                             " FROM sessions s JOIN users u ON u.id = s.user_id"
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

cc_status token_create(db *d, const user_identity *who, const char *label, int days,
                       const char *scope, char secret[SECRET_HEX], int64_t *id, cc_error *err)
{
    char hash[SECRET_HEX], now[CC_INSTANT_TEXT], expires[CC_INSTANT_TEXT];
    new_secret(secret);
    hash_secret(secret, hash);
    int64_t seconds = store_now_seconds();
    instant_format(seconds, now);
    instant_format(seconds + (int64_t)days * 86400, expires);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t active = 0;
    sql_arg count_args[] = {SQL_I(who->id), SQL_S(now)};
    st = sql_scalar(d,
                    "SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL"
                    " AND expires_at > ?",
                    count_args, SQL_COUNT(count_args), &active, err);
    if (st == CC_OK && active >= TOKEN_ACTIVE_MAX)
        st = cc_fail(err, CC_CONFLICT, "label", "too_many_tokens",
                     "you have %d active tokens, the most allowed: revoke one first",
                     TOKEN_ACTIVE_MAX);
    sql_arg args[] = {SQL_S(hash), SQL_I(who->id), SQL_S(label),
                      SQL_S(now),  SQL_S(expires), SQL_S(scope)};
    if (st == CC_OK)
        st = sql_run(d,
                     "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at,"
                     " scope) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                     args, SQL_COUNT(args), id, err);
    if (st == CC_OK)
        st = audit_log_change(d, &(store_actor){who->id, who->username}, "create", "api_token", *id,
                              TOKEN_IMAGE, NULL, NULL, err);
    return db_tx_end(d, st, err);
}

typedef struct {
    user_identity *who;
    bool revoked, expired;
} token_row;

static cc_status read_token_user(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    token_row *t = ctx;
    read_identity(row, 0, t->who);
    t->who->by_token = true;
    t->who->read_only = strcmp(db_col_text(row, 5), "full") != 0;
    t->revoked = !db_col_is_null(row, 6);
    t->expired = db_col_int(row, 7) != 0;
    t->who->site_id = db_col_int(row, 8);
    return CC_OK;
}

cc_status token_lookup(db *d, const char *secret, user_identity *who, cc_error *err)
{
    memset(who, 0, sizeof *who);
    char hash[SECRET_HEX];
    hash_secret(secret, hash);
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    sql_arg args[] = {SQL_S(now), SQL_S(hash)};
    token_row t = {who, false, false};
    cc_status st = sql_first(
        d,
        "SELECT " IDENTITY_COLUMNS ", t.scope, t.revoked_at, t.expires_at <= ?, "
        /* a token works in its user's first site */
        SITE_FIRST_OF_USER_SQL("u.id") " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                                       " WHERE t.token_hash = ? AND u.active = 1",
        args, SQL_COUNT(args), read_token_user, &t, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, "invalid_token",
                       "unknown, expired or revoked token");
    if (st == CC_OK && (t.revoked || t.expired)) {
        keep_only_name(who);
        return cc_fail(err, CC_UNAUTHENTICATED, NULL, t.revoked ? "token_revoked" : "token_expired",
                       "unknown, expired or revoked token");
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
                        "SELECT id, username, role, language, active, must_change_password,"
                        " created_at, EXISTS (SELECT 1 FROM mfa_totp m WHERE m.user_id = users.id"
                        " AND m.confirmed_at IS NOT NULL) AS mfa_enrolled"
                        " FROM users ORDER BY username LIMIT ? OFFSET ?",
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
    sql_page_query q = {
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = ?",
        "SELECT id, label, scope, created_at, expires_at, revoked_at FROM api_tokens"
        " WHERE user_id = ?"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        args,
        1,
        0,
        page,
        per_page};
    return sql_page_json(d, &q, out, total, err);
}

static cc_status read_account(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    user_account *a = ctx;
    a->id = db_col_int(row, 0);
    snprintf(a->username, sizeof a->username, "%s", db_col_text(row, 1));
    snprintf(a->role, sizeof a->role, "%s", db_col_text(row, 2));
    a->active = db_col_int(row, 3) != 0;
    a->must_change_password = db_col_int(row, 4) != 0;
    return CC_OK;
}

#define ACCOUNT_SELECT "SELECT id, username, role, active, must_change_password FROM users"

cc_status user_find(db *d, const char *username, user_account *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st =
        sql_first(d, ACCOUNT_SELECT " WHERE username = ?",
                  (sql_arg[]){SQL_S(username ? username : "")}, 1, read_account, out, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "username", "not_found", "no user named %s",
                       username ? username : "");
    return st;
}

cc_status user_load(db *d, int64_t id, user_account *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = sql_first(d, ACCOUNT_SELECT " WHERE id = ?", (sql_arg[]){SQL_I(id)}, 1,
                             read_account, out, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no user with that id");
    return st;
}

static bool map_account(arena *a, db_stmt *row, void *item)
{
    (void)a;
    read_account(item, row, NULL);
    return true;
}

cc_status user_list(db *d, arena *a, int64_t page, int64_t per_page, user_account **items,
                    size_t *n, int64_t *total, cc_error *err)
{
    sql_page_query q = {"SELECT COUNT(*) FROM users",
                        ACCOUNT_SELECT " ORDER BY username LIMIT ? OFFSET ?",
                        NULL,
                        0,
                        0,
                        page,
                        per_page};
    return sql_page(d, a, &q, map_account, sizeof **items, (void **)items, n, total, err);
}

cc_status user_count_other_admins(db *d, int64_t id, int64_t *n, cc_error *err)
{
    return sql_scalar(d,
                      "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?",
                      (sql_arg[]){SQL_I(id)}, 1, n, err);
}

cc_status user_write_active(db *d, const store_actor *actor, int64_t id, bool active, cc_error *err)
{
    sql_arg args[] = {SQL_I(active), SQL_I(id)};
    return audit_update(d, actor, &USER, active ? "enable" : "disable", id,
                        "UPDATE users SET active = ? WHERE id = ?", args, SQL_COUNT(args), NULL,
                        err);
}

cc_status user_write_role(db *d, const store_actor *actor, int64_t id, const char *role,
                          cc_error *err)
{
    sql_arg args[] = {SQL_S(role), SQL_I(id)};
    return audit_update(d, actor, &USER, "set_role", id, "UPDATE users SET role = ? WHERE id = ?",
                        args, SQL_COUNT(args), NULL, err);
}

cc_status user_write_password(db *d, const store_actor *actor, int64_t id, const char *hash,
                              bool must_change, cc_error *err)
{
    sql_arg args[] = {SQL_S(hash), SQL_I(must_change), SQL_I(id)};
    return audit_update(d, actor, &USER, must_change ? "reset_password" : "change_password", id,
                        "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
                        args, SQL_COUNT(args), NULL, err);
}

cc_status user_end_credentials(db *d, const store_actor *actor, int64_t id, int64_t keep_session,
                               bool tokens, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t sessions = 0, revoked = 0;
    sql_arg keep[] = {SQL_I(id), SQL_I(keep_session)};
    st = sql_scalar(d, "SELECT COUNT(*) FROM sessions WHERE user_id = ? AND id <> ?", keep,
                    SQL_COUNT(keep), &sessions, err);
    if (st == CC_OK)
        st = sql_run(d, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", keep, SQL_COUNT(keep),
                     NULL, err);
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    if (st == CC_OK && tokens)
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL",
                        (sql_arg[]){SQL_I(id)}, 1, &revoked, err);
    sql_arg revoke[] = {SQL_S(now), SQL_I(id)};
    if (st == CC_OK && tokens)
        st = sql_run(
            d, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            revoke, SQL_COUNT(revoke), NULL, err);
    char after[128];
    snprintf(after, sizeof after,
             "{\"user_id\":%lld,\"sessions_ended\":%lld,\"tokens_revoked\":%lld}", (long long)id,
             (long long)sessions, (long long)revoked);
    audit_change ch = {"end_sessions", "user", id, NULL, after, NULL};
    if (st == CC_OK)
        st = audit_append(d, actor, &ch, err);
    return db_tx_end(d, st, err);
}

static bool map_session(arena *a, db_stmt *row, void *item)
{
    (void)a;
    session_info *s = item;
    s->id = db_col_int(row, 0);
    s->created_at = db_col_int(row, 1);
    s->last_seen = db_col_int(row, 2);
    return true;
}

cc_status session_list(db *d, arena *a, int64_t user_id, int64_t page, int64_t per_page,
                       session_info **items, size_t *n, int64_t *total, cc_error *err)
{
    int64_t now = store_now_seconds();
    sql_arg args[] = {SQL_I(user_id), SQL_I(now - SESSION_IDLE_SECONDS),
                      SQL_I(now - SESSION_ABSOLUTE_SECONDS)};
    sql_page_query q = {"SELECT COUNT(*) FROM sessions WHERE user_id = ? AND last_seen >= ?"
                        " AND created_at >= ?",
                        "SELECT id, created_at, last_seen FROM sessions WHERE user_id = ?"
                        " AND last_seen >= ? AND created_at >= ? ORDER BY id DESC LIMIT ? OFFSET ?",
                        args,
                        SQL_COUNT(args),
                        0,
                        page,
                        per_page};
    return sql_page(d, a, &q, map_session, sizeof **items, (void **)items, n, total, err);
}

cc_status session_end(db *d, const user_identity *who, int64_t session_id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t ended = 0;
    sql_arg args[] = {SQL_I(session_id), SQL_I(who->id)};
    st = sql_run(d, "DELETE FROM sessions WHERE id = ? AND user_id = ? RETURNING id", args,
                 SQL_COUNT(args), &ended, err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no such session of yours");
    if (st == CC_OK)
        st = audit_simple(d, who, "logout", "session", session_id, err);
    return db_tx_end(d, st, err);
}
