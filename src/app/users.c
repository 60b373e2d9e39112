#include "app/users.h"

#include <string.h>

#include "store/users.h"

/* user_create hashes the password (argon2id, a tenth of a second and more)
 * before it takes the write lock and decides "username taken" inside its
 * own transaction; wrapping it in another would hold the lock while hashing. */
cc_status app_user_add(const app_ctx *c, const char *username, const char *role,
                       const char *password, int64_t *id, cc_error *err)
{
    return user_create_at(c->d, &c->actor, username, role, password, c->site_id, id, err);
}

/* The last active administrator keeps the clinic administrable. */
static cc_status keep_an_admin(const app_ctx *c, const user_account *a, cc_error *err)
{
    if (strcmp(a->role, "admin") != 0 || !a->active)
        return CC_OK;
    int64_t others = 0;
    cc_status st = user_count_other_admins(c->d, a->id, &others, err);
    if (st == CC_OK && others == 0)
        st = cc_fail(err, CC_CONFLICT, "id", "last_admin", "%s is the last active administrator",
                     a->username);
    return st;
}

cc_status app_user_set_active(const app_ctx *c, int64_t id, bool active, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    user_account a;
    st = user_load(c->d, id, &a, err);
    if (st == CC_OK && !active && id == c->actor.user_id)
        st = cc_fail(err, CC_CONFLICT, "id", "own_account", "you cannot disable your own account");
    if (st == CC_OK && !active)
        st = keep_an_admin(c, &a, err);
    if (st == CC_OK && a.active == active)
        st = cc_fail(err, CC_CONFLICT, "id", active ? "already_active" : "already_disabled",
                     "%s is already %s", a.username, active ? "active" : "disabled");
    if (st == CC_OK)
        st = user_write_active(c->d, &c->actor, id, active, err);
    if (st == CC_OK && !active)
        st = user_end_credentials(c->d, &c->actor, id, 0, true, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_user_set_role(const app_ctx *c, int64_t id, const char *role, cc_error *err)
{
    if (!user_role_is_valid(role))
        return cc_fail(
            err, CC_INVALID, "role", "invalid_role",
            "role must be one of admin, coordinator, physician, nurse, lab, qa, analyst");
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    user_account a;
    st = user_load(c->d, id, &a, err);
    if (st == CC_OK && strcmp(role, "admin") != 0)
        st = keep_an_admin(c, &a, err);
    if (st == CC_OK && strcmp(a.role, role) == 0)
        st = cc_fail(err, CC_CONFLICT, "role", "same_role", "%s is already %s", a.username, role);
    if (st == CC_OK)
        st = user_write_role(c->d, &c->actor, id, role, err);
    return db_tx_end(c->d, st, err);
}

/* A new password and the sessions it ends, in one transaction. A reset makes
 * the user change it and ends their tokens too; the user's own change keeps
 * the session it is made from and the tokens. Hashing takes a tenth of a
 * second: done before the write lock. */
static cc_status write_password(const app_ctx *c, int64_t id, const char *password,
                                const char *field, bool reset, int64_t keep_session, cc_error *err)
{
    char hash[USER_HASH_MAX];
    user_account a;
    /* the username the password may not equal never changes */
    cc_status st = user_load(c->d, id, &a, err);
    if (st == CC_OK)
        st = user_check_password(a.username, password, field, err);
    if (st == CC_OK)
        st = user_hash_password(password, hash, err);
    if (st == CC_OK)
        st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = user_load(c->d, id, &a, err);
    if (st == CC_OK)
        st = user_write_password(c->d, &c->actor, id, hash, reset, err);
    if (st == CC_OK)
        st = user_end_credentials(c->d, &c->actor, id, keep_session, reset, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_user_reset_password(const app_ctx *c, int64_t id, const char *password,
                                  const char *field, cc_error *err)
{
    return write_password(c, id, password, field, true, 0, err);
}

cc_status app_user_end_sessions(const app_ctx *c, int64_t id, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    user_account a;
    st = user_load(c->d, id, &a, err);
    if (st == CC_OK)
        st = user_end_credentials(c->d, &c->actor, id, 0, true, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_user_change_password(const app_ctx *c, int64_t id, int64_t keep_session,
                                   const char *current, const char *password, cc_error *err)
{
    if (current && password && strcmp(current, password) == 0)
        return cc_fail(err, CC_INVALID, "new_password", "same_password",
                       "the new password must differ from the current one");
    return write_password(c, id, password, "new_password", false, keep_session, err);
}

cc_status app_user_new_password_acceptable(const char *username, const char *current,
                                           const char *password, cc_error *err)
{
    if (current && password && strcmp(current, password) == 0)
        return cc_fail(err, CC_INVALID, "new_password", "same_password",
                       "the new password must differ from the current one");
    return user_check_password(username, password, "new_password", err);
}
