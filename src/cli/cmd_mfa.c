/* cellclinic mfa: which roles must log in with an authenticator, and an
 * administrator's reset of a user's authenticator, on a data directory. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/datadir.h"
#include "store/mfa.h"

static const store_actor CLI_ACTOR = {0, "cli"};

static const char USAGE[] =
    "usage: cellclinic mfa require --data DIR --role ROLE[,ROLE...] --required yes|no\n"
    "       cellclinic mfa reset --data DIR --username NAME\n\n"
    "require: whether users of ROLE (admin, coordinator, physician, nurse, lab, qa,\n"
    "analyst) must log in with an authenticator app (TOTP). A new data directory\n"
    "requires it for admin, physician and qa; such a user without one is led to\n"
    "enrol at the next login and can do nothing else until enrolled.\n"
    "reset: removes NAME's authenticator and recovery codes (a lost phone); NAME\n"
    "enrols again at the next login. Both are audited and take effect at once,\n"
    "also while a server runs on DIR.\n";

static int fail(const char *command, const cc_error *err)
{
    fprintf(stderr, "cellclinic mfa %s: %s\n", command, err->message);
    return err->status == CC_INVALID || err->status == CC_NOT_FOUND ? 2 : 1;
}

static int mfa_require(int argc, char **argv)
{
    const char *data, *role, *required;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"role", true, true, &role},
                                  {"required", true, true, &required},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("mfa require", argc, argv, 2, options, USAGE, &help);
    if (rc || help)
        return rc;
    bool on = strcmp(required, "yes") == 0;
    if (!on && strcmp(required, "no") != 0) {
        fprintf(stderr, "cellclinic mfa require: option --required must be yes or no\n");
        return 2;
    }
    char roles[128];
    if (strlen(role) >= sizeof roles) {
        fprintf(stderr, "cellclinic mfa require: option --role is too long\n");
        return 2;
    }
    snprintf(roles, sizeof roles, "%s", role);
    for (char *r = roles; r;) {
        char *next = strchr(r, ',');
        if (next)
            *next = '\0';
        if (!user_role_is_valid(r)) {
            fprintf(stderr,
                    "cellclinic mfa require: option --role: '%s' is not one of admin, "
                    "coordinator, physician, nurse, lab, qa, analyst\n",
                    r);
            return 2;
        }
        if (next)
            *next = ',';
        r = next ? next + 1 : NULL;
    }
    db *d;
    cc_error err;
    if (datadir_open(data, &d, &err) != CC_OK)
        return fail("require", &err);
    /* one transaction: all the roles change, or none */
    cc_status st = db_tx_begin(d, &err);
    for (char *r = roles; st == CC_OK && r;) {
        char *next = strchr(r, ',');
        if (next)
            *next = '\0';
        st = mfa_set_role_required(d, &CLI_ACTOR, r, on, &err);
        r = next ? next + 1 : NULL;
    }
    st = db_tx_end(d, st, &err);
    db_close(d);
    if (st != CC_OK)
        return fail("require", &err);
    printf("multi-factor login %s for %s\n", on ? "required" : "optional", role);
    return 0;
}

static int mfa_reset_user(int argc, char **argv)
{
    const char *data, *username;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"username", true, true, &username},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("mfa reset", argc, argv, 2, options, USAGE, &help);
    if (rc || help)
        return rc;
    db *d;
    cc_error err;
    if (datadir_open(data, &d, &err) != CC_OK)
        return fail("reset", &err);
    int64_t id = 0;
    cc_status st = mfa_user_id(d, username, &id, &err);
    if (st == CC_OK)
        st = mfa_reset(d, &CLI_ACTOR, id, &err);
    db_close(d);
    if (st != CC_OK)
        return fail("reset", &err);
    printf("authenticator of %s removed\n", username);
    return 0;
}

int cmd_mfa(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "require") == 0)
        return mfa_require(argc, argv);
    if (strcmp(argv[1], "reset") == 0)
        return mfa_reset_user(argc, argv);
    fprintf(stderr, "cellclinic mfa: unknown subcommand '%s' (require or reset)\n", argv[1]);
    return 2;
}
