/* Data-directory commands: init, user (add, list, disable, enable, reset-password),
 * audit verify. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "core/arena.h"
#include "cli/opts.h"
#include "store/access_log.h"
#include "store/audit.h"
#include "store/audit_checkpoint.h"
#include "store/audit_integrity.h"
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
        "usage: cellclinic init --data DIR [--admin-password-file FILE] [--audit-key FILE]\n"
        "       cellclinic init --database URL [--admin-password-file FILE] [--audit-key FILE]\n\n"
        "Creates a new data directory DIR (refuses an existing one) holding the\n"
        "database, an 'admin' account and the audit signing key DIR/audit-signing.key\n"
        "(mode 0600; back it up apart from the data) with its public half in\n"
        "DIR/audit-signing.pub. With --database, creates the schema and the admin\n"
        "in an existing, empty PostgreSQL database (postgresql://...); its signing\n"
        "key is the --audit-key FILE (made when missing; the public half beside it),\n"
        "and without one the first checkpoint waits for serve --audit-key.\n"
        "Without --admin-password-file a password is generated and printed once.\n";
    const char *data, *password_file, *key;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"admin-password-file", true, false, &password_file},
                                  {"audit-key", true, false, &key},
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
    if (user_check_password("admin", password, "admin-password-file", &err) != CC_OK) {
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
    audit_signer signer;
    bool signing = key || !db_location_is_url(data);
    if (st == CC_OK && signing &&
        (st = audit_signer_load(data, key, true, &signer, NULL, &err)) == CC_OK) {
        st = audit_checkpoint_write(d, &signer, "init", NULL, NULL, &err);
        audit_signer_wipe(&signer);
    }
    db_close(d);
    if (st == CC_OK && !signing)
        printf("cellclinic: the audit trail's signed checkpoints start when serve is given "
               "--audit-key FILE\n");
    if (st != CC_OK)
        return report("init", &err);
    printf("cellclinic: created %s\n", data);
    if (generated)
        printf("login: admin\npassword: %s   (shown once; keep it safe)\n", password);
    sodium_memzero(password, sizeof password);
    return 0;
}

static const char USER_USAGE[] =
    "usage: cellclinic user add --data DIR --username NAME --role ROLE --password-file FILE\n"
    "       cellclinic user list --data DIR\n"
    "       cellclinic user disable --data DIR --username NAME\n"
    "       cellclinic user enable --data DIR --username NAME\n"
    "       cellclinic user reset-password --data DIR --username NAME --password-file FILE\n\n"
    "Manages user accounts; each command works while a server runs on DIR and\n"
    "holds at the server's next request.\n"
    "  add             adds a user. ROLE is one of admin, coordinator, physician,\n"
    "                  nurse, lab, qa, analyst. The password is read from the first\n"
    "                  line of FILE: 12 to 256 characters, not the username, not one\n"
    "                  of the 10,000 most common passwords.\n"
    "  list            lists the accounts: username, role, status.\n"
    "  disable         disables an account and ends all its sessions and tokens at\n"
    "                  once (the last active administrator cannot be disabled).\n"
    "  enable          re-enables a disabled account.\n"
    "  reset-password  sets the password read from FILE, ends all the account's\n"
    "                  sessions and tokens; the user must change it at next login.\n";

/* The options every user subcommand may take; the subcommand names which. */
typedef struct {
    const char *data, *username, *role, *password_file;
} user_options;

static int user_parse(const char *command, int argc, char **argv, bool wants_username,
                      bool wants_password, user_options *o, bool *help)
{
    memset(o, 0, sizeof *o);
    cli_option options[5] = {{"data", true, true, &o->data}};
    int n = 1;
    if (wants_username)
        options[n++] = (cli_option){"username", true, true, &o->username};
    if (wants_password)
        options[n++] = (cli_option){"password-file", true, true, &o->password_file};
    if (strcmp(command, "user add") == 0)
        options[n++] = (cli_option){"role", true, true, &o->role};
    options[n] = (cli_option){NULL, false, false, NULL};
    int rc = opts_parse(command, argc, argv, 2, options, USER_USAGE, help);
    if (rc || *help)
        return rc;
    cc_error err;
    if (wants_username && user_check_username(o->username, &err) != CC_OK) {
        fprintf(stderr, "cellclinic %s: option --username: %s\n", command, err.message);
        return 2;
    }
    if (o->role && !user_role_is_valid(o->role)) {
        fprintf(stderr,
                "cellclinic %s: option --role must be one of admin, coordinator, "
                "physician, nurse, lab, qa, analyst\n",
                command);
        return 2;
    }
    return 0;
}

/* The password of --password-file, checked against the password rules. */
static bool user_password(const char *command, const char *username, const char *path, char *out,
                          size_t cap)
{
    if (!opts_read_password(command, "password-file", path, out, cap))
        return false;
    cc_error err;
    if (user_check_password(username, out, "password-file", &err) != CC_OK) {
        fprintf(stderr, "cellclinic %s: option --password-file: %s\n", command, err.message);
        return false;
    }
    return true;
}

static int user_add(int argc, char **argv)
{
    user_options o;
    bool help;
    int rc = user_parse("user add", argc, argv, true, true, &o, &help);
    if (rc || help)
        return rc;
    char password[USER_PASSWORD_MAX + 2];
    if (!user_password("user add", o.username, o.password_file, password, sizeof password))
        return 2;
    cc_error err;
    db *d;
    if (datadir_open(o.data, &d, &err) != CC_OK)
        return report("user add", &err);
    int64_t id;
    app_ctx cli = app_ctx_system(d, NULL);
    cli.actor = CLI_ACTOR;
    cc_status st = app_user_add(&cli, o.username, o.role, password, &id, &err);
    db_close(d);
    sodium_memzero(password, sizeof password);
    if (st != CC_OK)
        return report("user add", &err);
    printf("user %s (%s) added with id %lld\n", o.username, o.role, (long long)id);
    return 0;
}

static void print_row_problem(void *ctx, const char *table, int64_t id, const char *problem)
{
    (void)ctx;
    printf("row check: %s id %lld %s\n", table, (long long)id, problem);
}

/* Exit codes of audit verify, the first finding in this order. */
enum {
    VERIFY_OK = 0,
    VERIFY_CHAIN_BROKEN = 1,
    VERIFY_TRUNCATED = 3,
    VERIFY_REWRITTEN = 4,
    VERIFY_CHECKPOINT_LOG = 5,
    VERIFY_ROWS_DIFFER = 6,
};

/* One chain's verdict on one line; false when it is broken. */
static bool print_chain(const char *chain, const char *one, const char *many,
                        const audit_verdict *v)
{
    if (!v->first_broken_seq) {
        printf("%s intact: %lld %s\n", chain, (long long)v->entries, many);
        return true;
    }
    printf("%s broken at %s %lld: %s (%lld %s before it are intact)\n", chain, one,
           (long long)v->first_broken_seq, v->problem, (long long)v->entries, many);
    return false;
}

static int verify_data(const char *data, const char *files, const char *public_keys, bool rows)
{
    cc_error err;
    db *d;
    if (datadir_connect(data, &d, &err) != CC_OK)
        return report("audit verify", &err);
    audit_verdict v;
    audit_checkpoint_verdict cv;
    int tables = 0;
    int64_t problems = 0;
    audit_verdict access;
    db *log = NULL;
    /* the chains and the checkpoints read in their own order (a server may be
     * writing); the rows and their images in one snapshot */
    cc_status st = audit_verify(d, &v, &err);
    if (st == CC_OK && (st = access_log_open(data, &log, &err)) == CC_OK) {
        st = access_log_verify(log, &access, &err);
        db_close(log);
    }
    cv = (audit_checkpoint_verdict){.finding = AUDIT_CHECKPOINTS_NONE};
    snprintf(cv.message, sizeof cv.message, "%s",
             "not checked: name the directory of the signing key with --checkpoints");
    if (st == CC_OK && files)
        st = audit_check_checkpoints(d, files, public_keys, &v, &cv, &err);
    if (st == CC_OK && rows && (st = db_begin_read(d, &err)) == CC_OK) {
        st = audit_check_rows(d, print_row_problem, NULL, &tables, &problems, &err);
        db_rollback(d);
    }
    db_close(d);
    if (st != CC_OK)
        return report("audit verify", &err);
    int rc = VERIFY_OK;
    if (!print_chain("audit chain", "entry", "entries", &v))
        rc = VERIFY_CHAIN_BROKEN;
    if (!print_chain("access log chain", "row", "rows", &access))
        rc = VERIFY_CHAIN_BROKEN;
    static const int checkpoint_rc[] = {[AUDIT_CHECKPOINTS_OK] = VERIFY_OK,
                                        [AUDIT_CHECKPOINTS_NONE] = VERIFY_OK,
                                        [AUDIT_CHECKPOINTS_TRUNCATED] = VERIFY_TRUNCATED,
                                        [AUDIT_CHECKPOINTS_REWRITTEN] = VERIFY_REWRITTEN,
                                        [AUDIT_CHECKPOINTS_BAD_LOG] = VERIFY_CHECKPOINT_LOG};
    if (cv.finding == AUDIT_CHECKPOINTS_OK)
        printf("checkpoints: %lld verified; the newest (%lld, %s) covers %lld entries, signed by "
               "key %.16s\n",
               (long long)cv.checkpoints, (long long)cv.last.seq, cv.last.at,
               (long long)cv.last.entries, cv.last.public_key);
    else
        printf("checkpoints: %s\n", cv.message);
    if (rc == VERIFY_OK)
        rc = checkpoint_rc[cv.finding];
    if (rows && problems == 0)
        printf("rows: %d tables agree with their newest audit images\n", tables);
    else if (rows)
        printf("rows: %lld records differ from their audit trail\n", (long long)problems);
    if (rc == VERIFY_OK && problems > 0)
        rc = VERIFY_ROWS_DIFFER;
    return rc;
}

static int user_list_command(int argc, char **argv)
{
    user_options o;
    bool help;
    int rc = user_parse("user list", argc, argv, false, false, &o, &help);
    if (rc || help)
        return rc;
    cc_error err;
    db *d;
    if (datadir_open(o.data, &d, &err) != CC_OK)
        return report("user list", &err);
    arena *a = arena_create(1 << 20);
    cc_status st = a ? CC_OK : cc_fail(&err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    int64_t total = 0;
    printf("%-24s %-12s %s\n", "username", "role", "status");
    for (int64_t page = 1; st == CC_OK; page++) {
        user_account *items;
        size_t n = 0;
        st = user_list(d, a, page, 1000, &items, &n, &total, &err);
        for (size_t i = 0; st == CC_OK && i < n; i++)
            printf("%-24s %-12s %s%s\n", items[i].username, items[i].role,
                   items[i].active ? "active" : "disabled",
                   items[i].must_change_password ? ", must change password" : "");
        if (n == 0 || page * 1000 >= total)
            break;
    }
    arena_release(a);
    db_close(d);
    return st == CC_OK ? 0 : report("user list", &err);
}

/* disable, enable and reset-password: one account by its username. */
static int user_change(const char *command, int argc, char **argv, bool resets, bool active)
{
    user_options o;
    bool help;
    int rc = user_parse(command, argc, argv, true, resets, &o, &help);
    if (rc || help)
        return rc;
    char password[USER_PASSWORD_MAX + 2] = "";
    if (resets && !user_password(command, o.username, o.password_file, password, sizeof password))
        return 2;
    cc_error err;
    db *d;
    if (datadir_open(o.data, &d, &err) != CC_OK)
        return report(command, &err);
    app_ctx cli = app_ctx_system(d, NULL);
    cli.actor = CLI_ACTOR;
    user_account a;
    cc_status st = user_find(d, o.username, &a, &err);
    if (st == CC_OK && resets)
        st = app_user_reset_password(&cli, a.id, password, "password-file", &err);
    else if (st == CC_OK)
        st = app_user_set_active(&cli, a.id, active, &err);
    db_close(d);
    sodium_memzero(password, sizeof password);
    if (st != CC_OK)
        return report(command, &err);
    if (resets)
        printf("password of %s reset; sessions and tokens ended; it must be changed at next "
               "login\n",
               o.username);
    else
        printf("user %s %s\n", o.username,
               active ? "enabled" : "disabled; sessions and tokens ended");
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(USER_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "add") == 0)
        return user_add(argc, argv);
    if (strcmp(sub, "list") == 0)
        return user_list_command(argc, argv);
    if (strcmp(sub, "disable") == 0)
        return user_change("user disable", argc, argv, false, false);
    if (strcmp(sub, "enable") == 0)
        return user_change("user enable", argc, argv, false, true);
    if (strcmp(sub, "reset-password") == 0)
        return user_change("user reset-password", argc, argv, true, false);
    fprintf(stderr,
            "cellclinic user: unknown subcommand '%s' (add, list, disable, enable, "
            "reset-password)\n",
            sub);
    return 2;
}

int cmd_audit(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic audit verify --data DIR [--public-key FILE] [--no-rows]\n"
        "       cellclinic audit verify --database URL [--checkpoints DIR] [--public-key FILE]\n"
        "                               [--no-rows]\n\n"
        "Checks the audit trail: recomputes its hash chain and that of the access\n"
        "log (who read which patient's data), checks the signed\n"
        "checkpoints of DIR/audit-checkpoints.log against the public keys of\n"
        "DIR/audit-signing.pub (or FILE, a copy kept elsewhere) and the chain, and\n"
        "compares the current rows of the audited tables with their newest audit\n"
        "images (--no-rows skips that). A PostgreSQL database keeps no files: its\n"
        "checkpoint log and public keys are in the directory of the --audit-key file\n"
        "serve was given, named here with --checkpoints DIR (without it they are not\n"
        "checked, and the command says so). Prints 'audit chain intact: N entries' and\n"
        "one line per check. Exit codes (the first finding):\n"
        "  0 everything agrees        1 a chain is broken (names the entry or row)\n"
        "  3 the trail is truncated   4 the trail was rewritten and re-hashed\n"
        "  5 the checkpoint log is missing, cut, altered or badly signed\n"
        "  6 rows differ from the audit trail (names table and id)\n";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "verify") != 0) {
        fprintf(stderr, "cellclinic audit: unknown subcommand '%s' (only 'verify')\n", argv[1]);
        return 2;
    }
    const char *data, *files, *public_keys, *no_rows;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"checkpoints", true, false, &files},
                                  {"public-key", true, false, &public_keys},
                                  {"no-rows", false, false, &no_rows},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("audit verify", argc, argv, 2, options, usage, &help);
    if (rc || help)
        return rc;
    /* a PostgreSQL database has no directory of its own for the checkpoint log */
    return verify_data(data, files || db_location_is_url(data) ? files : data, public_keys,
                       no_rows == NULL);
}
