/* Data-directory commands: init, user add, audit verify, backup. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/access_log.h"
#include "store/audit.h"
#include "store/datadir.h"
#include "app/users.h"
#include "store/users.h"

static const store_actor CLI_ACTOR = {0, "cli"};

static int report(const char *command, const cc_error *err)
{
    fprintf(stderr, "cellclinic %s: %s\n", command, err->message);
    return err->status == CC_INVALID ? 2 : 1;
}

/* A readable random password: 20 characters without look-alikes. */
static void generate_password(char out[21])
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[20] = '\0';
}

int cmd_init(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic init --data DIR [--admin-password-file FILE]\n\n"
        "Creates a new data directory DIR (refuses an existing one) holding the\n"
        "database and an 'admin' account. Without --admin-password-file a password\n"
        "is generated and printed once.\n";
    const char *data, *password_file;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"admin-password-file", true, false, &password_file},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("init", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    char password[USER_PASSWORD_MAX + 2];
    bool generated = !password_file;
    if (generated)
        generate_password(password);
    else if (!opts_read_password("init", "admin-password-file", password_file, password,
                                 sizeof password))
        return 2;
    cc_error err;
    if (user_check_password(password, "admin-password-file", &err) != CC_OK) {
        fprintf(stderr, "cellclinic init: option --admin-password-file: %s\n", err.message);
        return 2;
    }
    db *d;
    if (datadir_create(data, &d, &err) != CC_OK)
        return report("init", &err);
    int64_t id;
    app_ctx cli = app_ctx_system(d, NULL);
    cli.actor = CLI_ACTOR;
    cc_status st = app_user_add(&cli, "admin", "admin", password, &id, &err);
    db_close(d);
    if (st != CC_OK)
        return report("init", &err);
    printf("cellclinic: created %s\n", data);
    if (generated)
        printf("login: admin\npassword: %s   (shown once; keep it safe)\n", password);
    sodium_memzero(password, sizeof password);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic user add --data DIR --username NAME --role ROLE --password-file FILE\n\n"
        "Adds a user. ROLE is one of admin, coordinator, physician, nurse, lab, qa,\n"
        "analyst. The password (10 to 256 characters) is read from the first line of FILE.\n";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "cellclinic user: unknown subcommand '%s' (only 'add')\n", argv[1]);
        return 2;
    }
    const char *data, *username, *role, *password_file;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"username", true, true, &username},
                                  {"role", true, true, &role},
                                  {"password-file", true, true, &password_file},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("user add", argc, argv, 2, options, usage, &help);
    if (rc || help)
        return rc;
    cc_error err;
    if (user_check_username(username, &err) != CC_OK) {
        fprintf(stderr, "cellclinic user add: option --username: %s\n", err.message);
        return 2;
    }
    if (!user_role_is_valid(role)) {
        fprintf(stderr, "cellclinic user add: option --role must be one of admin, coordinator, "
                        "physician, nurse, lab, qa, analyst\n");
        return 2;
    }
    char password[USER_PASSWORD_MAX + 2];
    if (!opts_read_password("user add", "password-file", password_file, password, sizeof password))
        return 2;
    if (user_check_password(password, "password-file", &err) != CC_OK) {
        fprintf(stderr, "cellclinic user add: option --password-file: %s\n", err.message);
        return 2;
    }
    db *d;
    if (datadir_open(data, &d, &err) != CC_OK)
        return report("user add", &err);
    int64_t id;
    app_ctx cli = app_ctx_system(d, NULL);
    cli.actor = CLI_ACTOR;
    cc_status st = app_user_add(&cli, username, role, password, &id, &err);
    db_close(d);
    sodium_memzero(password, sizeof password);
    if (st != CC_OK)
        return report("user add", &err);
    printf("user %s (%s) added with id %lld\n", username, role, (long long)id);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic audit verify --data DIR\n\n"
        "Recomputes the hash chains of the audit trail and of the access log (who read\n"
        "which patient's data). Exit 0 and 'audit chain intact: N entries' then\n"
        "'access log chain intact: N rows', or exit 1 naming the first entry or row\n"
        "that does not match.\n";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "verify") != 0) {
        fprintf(stderr, "cellclinic audit: unknown subcommand '%s' (only 'verify')\n", argv[1]);
        return 2;
    }
    const char *data;
    const cli_option options[] = {{"data", true, true, &data}, {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("audit verify", argc, argv, 2, options, usage, &help);
    if (rc || help)
        return rc;
    cc_error err;
    db *d;
    if (datadir_connect(data, &d, &err) != CC_OK)
        return report("audit verify", &err);
    audit_verdict v, access;
    db *log = NULL;
    cc_status st = audit_verify(d, &v, &err);
    if (st == CC_OK && (st = access_log_open(data, &log, &err)) == CC_OK) {
        st = access_log_verify(log, &access, &err);
        db_close(log);
    }
    db_close(d);
    if (st != CC_OK)
        return report("audit verify", &err);
    if (v.first_broken_seq)
        printf("audit chain broken at entry %lld: %s (%lld entries before it are intact)\n",
               (long long)v.first_broken_seq, v.problem, (long long)v.entries);
    else
        printf("audit chain intact: %lld entries\n", (long long)v.entries);
    if (access.first_broken_seq)
        printf("access log chain broken at row %lld: %s (%lld rows before it are intact)\n",
               (long long)access.first_broken_seq, access.problem, (long long)access.entries);
    else
        printf("access log chain intact: %lld rows\n", (long long)access.entries);
    return v.first_broken_seq || access.first_broken_seq ? 1 : 0;
}

int cmd_backup(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic backup --data DIR --to FILE\n\n"
        "Writes a consistent copy of the database to FILE (which must not exist),\n"
        "safely while the server runs.\n";
    const char *data, *to;
    const cli_option options[] = {
        {"data", true, true, &data}, {"to", true, true, &to}, {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("backup", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    struct stat info;
    if (stat(to, &info) == 0) {
        fprintf(stderr, "cellclinic backup: option --to: %s already exists\n", to);
        return 2;
    }
    cc_error err;
    db *d;
    if (datadir_connect(data, &d, &err) != CC_OK)
        return report("backup", &err);
    cc_status st = db_backup_to(d, to, &err);
    db_close(d);
    if (st != CC_OK)
        return report("backup", &err);
    printf("backup written to %s\n", to);
    return 0;
}
