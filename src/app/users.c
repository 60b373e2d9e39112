#include "app/users.h"

#include "store/users.h"

/* user_create hashes the password (argon2id, a tenth of a second and more)
 * before it takes the write lock and decides "username taken" inside its
 * own transaction; wrapping it in another would hold the lock while hashing. */
cc_status app_user_add(const app_ctx *c, const char *username, const char *role,
                       const char *password, int64_t *id, cc_error *err)
{
    return user_create(c->d, &c->actor, username, role, password, id, err);
}
