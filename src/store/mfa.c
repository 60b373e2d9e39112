#include "store/mfa.h"

#include <nettle/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/clock.h"
#include "store/sql.h"

void mfa_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                   uint8_t mac[TOTP_SHA1_BYTES])
{
    struct hmac_sha1_ctx ctx;
    hmac_sha1_set_key(&ctx, key_len, key);
    hmac_sha1_update(&ctx, msg_len, msg);
    hmac_sha1_digest(&ctx, SHA1_DIGEST_SIZE, mac);
    sodium_memzero(&ctx, sizeof ctx);
}

static const char SETTING_PREFIX[] = "mfa_required.";

static void setting_name(const char *role, char out[48])
{
    snprintf(out, 48, "%s%s", SETTING_PREFIX, role);
}

cc_status mfa_role_required(db *d, const char *role, bool *required, cc_error *err)
{
    char name[48];
    setting_name(role, name);
    int64_t v = 0;
    cc_status st = sql_scalar(d, "SELECT value FROM clinic_settings WHERE name = ?",
                              (sql_arg[]){SQL_S(name)}, 1, &v, err);
    *required = st == CC_OK && v != 0;
    return st;
}

cc_status mfa_set_role_required(db *d, const store_actor *actor, const char *role, bool required,
                                cc_error *err)
{
    if (!user_role_is_valid(role))
        return cc_fail(
            err, CC_INVALID, "role", "invalid_value",
            "role must be one of admin, coordinator, physician, nurse, lab, qa, analyst");
    char name[48];
    setting_name(role, name);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    bool old = false;
    if ((st = mfa_role_required(d, role, &old, err)) == CC_OK)
        st = sql_run(d,
                     "INSERT INTO clinic_settings (name, value) VALUES (?, ?)"
                     " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     (sql_arg[]){SQL_S(name), SQL_I(required)}, 2, NULL, err);
    if (st == CC_OK) {
        char before[96], after[96];
        snprintf(before, sizeof before, "{\"name\":\"%s\",\"value\":%d}", name, old);
        snprintf(after, sizeof after, "{\"name\":\"%s\",\"value\":%d}", name, required);
        audit_change ch = {"update", "clinic_settings", 0, before, after, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    return db_tx_end(d, st, err);
}

cc_status mfa_state_of(db *d, int64_t user_id, const char *role, mfa_state *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t confirmed = -1;
    sql_arg id[] = {SQL_I(user_id)};
    cc_status st = sql_scalar(d,
                              "SELECT COALESCE((SELECT CASE WHEN confirmed_at IS NULL THEN 0"
                              " ELSE 1 END FROM mfa_totp WHERE user_id = ?), -1)",
                              id, 1, &confirmed, err);
    if (st == CC_OK) {
        out->enrolled = confirmed == 1;
        out->pending = confirmed == 0;
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ?"
                        " AND used_at IS NULL",
                        id, 1, &out->recovery_left, err);
    }
    if (st == CC_OK)
        st = mfa_role_required(d, role, &out->required, err);
    return st;
}

/* The audit image of an account's second factor: never the secret. */
static cc_status log_mfa(db *d, const store_actor *actor, const char *action, int64_t user_id,
                         const char *detail, cc_error *err)
{
    char after[160];
    snprintf(after, sizeof after, "{\"user_id\":%lld%s%s}", (long long)user_id, *detail ? "," : "",
             detail);
    audit_change ch = {action, "mfa", user_id, NULL, after, NULL};
    return audit_append(d, actor, &ch, err);
}

cc_status mfa_enrol_begin(db *d, const user_identity *who, char secret[TOTP_SECRET_BASE32],
                          cc_error *err)
{
    uint8_t raw[TOTP_SECRET_BYTES];
    randombytes_buf(raw, sizeof raw);
    totp_base32_encode(raw, sizeof raw, secret, TOTP_SECRET_BASE32);
    sodium_memzero(raw, sizeof raw);
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t confirmed = 0;
    sql_arg id[] = {SQL_I(who->id)};
    st = sql_scalar(d,
                    "SELECT COUNT(*) FROM mfa_totp WHERE user_id = ? AND confirmed_at IS NOT NULL",
                    id, 1, &confirmed, err);
    if (st == CC_OK && confirmed)
        st = cc_fail(err, CC_CONFLICT, "", "mfa_already_enrolled",
                     "an authenticator is already active for this account; an administrator "
                     "can reset it");
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    if (st == CC_OK)
        st = sql_run(d,
                     "INSERT INTO mfa_totp (user_id, secret, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,"
                     " created_at = excluded.created_at, last_step = 0",
                     (sql_arg[]){SQL_I(who->id), SQL_S(secret), SQL_S(now)}, 3, NULL, err);
    store_actor actor = {who->id, who->username};
    if (st == CC_OK)
        st = log_mfa(d, &actor, "mfa_enrol_begin", who->id, "\"state\":\"pending\"", err);
    return db_tx_end(d, st, err);
}

typedef struct {
    uint8_t key[TOTP_SECRET_BYTES * 2];
    size_t key_len;
    int64_t last_step;
    bool confirmed;
} totp_row;

static cc_status read_totp(void *ctx, db_stmt *row, cc_error *err)
{
    totp_row *r = ctx;
    if (!totp_base32_decode(db_col_text(row, 0), r->key, sizeof r->key, &r->key_len))
        return cc_fail(err, CC_INTERNAL, "", "mfa_secret_corrupt",
                       "a stored TOTP secret is not base32");
    r->last_step = db_col_int(row, 1);
    r->confirmed = !db_col_is_null(row, 2);
    return CC_OK;
}

/* The account's secret; CC_NOT_FOUND when it has none. */
static cc_status load_totp(db *d, int64_t user_id, totp_row *r, cc_error *err)
{
    memset(r, 0, sizeof *r);
    return sql_first(d, "SELECT secret, last_step, confirmed_at FROM mfa_totp WHERE user_id = ?",
                     (sql_arg[]){SQL_I(user_id)}, 1, read_totp, r, err);
}

static void recovery_hash(int64_t user_id, const char *code, char out[65])
{
    char normal[32];
    size_t n = 0;
    for (const char *p = code; *p && n + 1 < sizeof normal; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        normal[n++] = c;
    }
    normal[n] = '\0';
    char text[64];
    snprintf(text, sizeof text, "%lld:%s", (long long)user_id, normal);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, digest, sizeof digest);
    sodium_memzero(normal, sizeof normal);
    sodium_memzero(text, sizeof text);
}

/* Ten characters without look-alikes (no 0/o, 1/l/i), 5 bits each. */
static void new_recovery_code(char out[MFA_RECOVERY_CODE_TEXT])
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    int o = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 5)
            out[o++] = '-';
        out[o++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    }
    out[o] = '\0';
}

cc_status mfa_enrol_confirm(db *d, const user_identity *who, int64_t now, const char *code,
                            char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_CODE_TEXT], cc_error *err)
{
    uint32_t value = 0;
    if (!totp_parse_code(code, &value))
        return cc_fail(err, CC_INVALID, "code", "invalid_format",
                       "code must be the 6 digits the authenticator shows");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    totp_row r;
    st = load_totp(d, who->id, &r, err);
    if (st == CC_NOT_FOUND || (st == CC_OK && r.confirmed))
        st = cc_fail(err, CC_CONFLICT, "", "mfa_not_pending",
                     "no enrolment is waiting for confirmation: begin with POST /api/v1/mfa/enrol");
    int64_t step = 0;
    if (st == CC_OK && totp_verify(mfa_hmac_sha1, r.key, r.key_len, totp_step(now), value,
                                   r.last_step, &step) != TOTP_MATCH)
        st = cc_fail(err, CC_INVALID, "code", "wrong_code",
                     "the code does not match: check the authenticator's clock and try the "
                     "next code");
    char stamp[CC_INSTANT_TEXT];
    store_now_text(stamp);
    if (st == CC_OK)
        st = sql_run(d, "UPDATE mfa_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ?",
                     (sql_arg[]){SQL_S(stamp), SQL_I(step), SQL_I(who->id)}, 3, NULL, err);
    if (st == CC_OK)
        st = sql_run(d, "DELETE FROM mfa_recovery_codes WHERE user_id = ?",
                     (sql_arg[]){SQL_I(who->id)}, 1, NULL, err);
    for (int i = 0; st == CC_OK && i < MFA_RECOVERY_CODES; i++) {
        new_recovery_code(codes[i]);
        char hash[65];
        recovery_hash(who->id, codes[i], hash);
        st = sql_run(d, "INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)",
                     (sql_arg[]){SQL_I(who->id), SQL_S(hash)}, 2, NULL, err);
    }
    if (st == CC_OK)
        st = sql_run(d, "UPDATE sessions SET mfa_enrolment_only = 0 WHERE user_id = ?",
                     (sql_arg[]){SQL_I(who->id)}, 1, NULL, err);
    store_actor actor = {who->id, who->username};
    if (st == CC_OK)
        st = log_mfa(d, &actor, "mfa_enrol_confirm", who->id,
                     "\"state\":\"active\",\"recovery_codes\":10", err);
    sodium_memzero(&r, sizeof r);
    return db_tx_end(d, st, err);
}

static cc_status use_totp(db *d, const user_identity *who, int64_t now, const char *totp,
                          cc_error *err)
{
    uint32_t value = 0;
    if (!totp_parse_code(totp, &value))
        return cc_fail(err, CC_UNAUTHENTICATED, "totp", "mfa_code_wrong",
                       "the code must be the 6 digits the authenticator shows");
    totp_row r;
    cc_status st = load_totp(d, who->id, &r, err);
    if (st == CC_NOT_FOUND || (st == CC_OK && !r.confirmed))
        return cc_fail(err, CC_UNAUTHENTICATED, "totp", "mfa_code_wrong", "wrong code");
    if (st != CC_OK)
        return st;
    int64_t step = 0;
    totp_result res =
        totp_verify(mfa_hmac_sha1, r.key, r.key_len, totp_step(now), value, r.last_step, &step);
    sodium_memzero(&r, sizeof r);
    if (res == TOTP_REUSED)
        return cc_fail(err, CC_UNAUTHENTICATED, "totp", "mfa_code_reused",
                       "this code was already used: wait for the next one");
    if (res != TOTP_MATCH)
        return cc_fail(err, CC_UNAUTHENTICATED, "totp", "mfa_code_wrong", "wrong code");
    st = sql_run(d, "UPDATE mfa_totp SET last_step = ? WHERE user_id = ?",
                 (sql_arg[]){SQL_I(step), SQL_I(who->id)}, 2, NULL, err);
    char detail[48];
    snprintf(detail, sizeof detail, "\"last_step\":%lld", (long long)step);
    store_actor actor = {who->id, who->username};
    if (st == CC_OK)
        st = log_mfa(d, &actor, "mfa_code_used", who->id, detail, err);
    return st;
}

static cc_status use_recovery_code(db *d, const user_identity *who, const char *code, cc_error *err)
{
    char hash[65];
    recovery_hash(who->id, code, hash);
    int64_t id = 0;
    cc_status st = sql_scalar(d,
                              "SELECT id FROM mfa_recovery_codes WHERE user_id = ? AND"
                              " code_hash = ? AND used_at IS NULL",
                              (sql_arg[]){SQL_I(who->id), SQL_S(hash)}, 2, &id, err);
    if (st == CC_OK && id == 0)
        return cc_fail(err, CC_UNAUTHENTICATED, "recovery_code", "mfa_code_wrong",
                       "wrong or already used recovery code");
    char stamp[CC_INSTANT_TEXT];
    store_now_text(stamp);
    if (st == CC_OK)
        st = sql_run(d, "UPDATE mfa_recovery_codes SET used_at = ? WHERE id = ?",
                     (sql_arg[]){SQL_S(stamp), SQL_I(id)}, 2, NULL, err);
    char detail[48];
    snprintf(detail, sizeof detail, "\"recovery_code_id\":%lld", (long long)id);
    store_actor actor = {who->id, who->username};
    if (st == CC_OK)
        st = log_mfa(d, &actor, "mfa_recovery_code_used", who->id, detail, err);
    return st;
}

cc_status mfa_verify_login(db *d, const user_identity *who, int64_t now, const char *totp,
                           const char *recovery_code, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = totp ? use_totp(d, who, now, totp, err) : use_recovery_code(d, who, recovery_code, err);
    return db_tx_end(d, st, err);
}

cc_status mfa_reset(db *d, const store_actor *actor, int64_t user_id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t exists = 0;
    sql_arg id[] = {SQL_I(user_id)};
    st = sql_scalar(d, "SELECT COUNT(*) FROM users WHERE id = ?", id, 1, &exists, err);
    if (st == CC_OK && !exists)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no user with that id");
    if (st == CC_OK)
        st = sql_run(d, "DELETE FROM mfa_totp WHERE user_id = ?", id, 1, NULL, err);
    if (st == CC_OK)
        st = sql_run(d, "DELETE FROM mfa_recovery_codes WHERE user_id = ?", id, 1, NULL, err);
    if (st == CC_OK)
        st = log_mfa(d, actor, "mfa_reset", user_id, "\"state\":\"none\"", err);
    return db_tx_end(d, st, err);
}

cc_status mfa_user_id(db *d, const char *username, int64_t *id, cc_error *err)
{
    *id = 0;
    cc_status st = sql_scalar(d, "SELECT id FROM users WHERE username = ?",
                              (sql_arg[]){SQL_S(username)}, 1, id, err);
    if (st == CC_OK && *id == 0)
        st = cc_fail(err, CC_NOT_FOUND, "username", "not_found", "no user named %s", username);
    return st;
}
