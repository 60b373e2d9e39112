/* cellclinic backup, backup keygen and restore (docs/operations.md). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/backup.h"

static int report(const char *command, const cc_error *err)
{
    if (err->status == CC_INVALID && err->field[0])
        fprintf(stderr, "cellclinic %s: option --%s: %s\n", command, err->field, err->message);
    else
        fprintf(stderr, "cellclinic %s: %s\n", command, err->message);
    return err->status == CC_INVALID && strcmp(err->field, "from") != 0 ? 2 : 1;
}

/* Reads a passphrase file into key (buffer owned by the caller). */
static bool read_passphrase(const char *command, const char *option, const char *path,
                            char buffer[BACKUP_PASSPHRASE_MAX + 2], backup_key *key)
{
    if (!opts_read_password(command, option, path, buffer, BACKUP_PASSPHRASE_MAX + 2))
        return false;
    size_t n = strlen(buffer);
    if (n < BACKUP_PASSPHRASE_MIN || n > BACKUP_PASSPHRASE_MAX) {
        fprintf(stderr,
                "cellclinic %s: option --%s: the passphrase must have %d to %d characters\n",
                command, option, BACKUP_PASSPHRASE_MIN, BACKUP_PASSPHRASE_MAX);
        return false;
    }
    key->passphrase = buffer;
    return true;
}

static int keygen(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic backup keygen --out FILE\n\n"
        "Makes a key pair for encrypted backups: the secret key in FILE (mode 0600;\n"
        "keep it away from the backups, it is the only way to read them) and the\n"
        "public key in FILE.pub (give it to 'backup --encrypt-to'). Both must be new.\n";
    const char *out;
    const cli_option options[] = {{"out", true, true, &out}, {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("backup keygen", argc, argv, 2, options, usage, &help);
    if (rc || help)
        return rc;
    cc_error err;
    if (backup_keygen(out, &err) != CC_OK)
        return report("backup keygen", &err);
    printf("secret key written to %s (keep it safe), public key to %s.pub\n", out, out);
    return 0;
}

/* The checkpoint a copy carries, for the operator to compare later. */
static void print_access_log(const backup_checked *c)
{
    if (c->access_rows >= 0)
        printf("access log chain intact: %lld rows\n", (long long)c->access_rows);
}

static void print_checkpoint(const backup_checked *c)
{
    if (c->newest.seq > 0)
        printf("signed checkpoint %lld (%s) covers %lld entries, key %.16s\n",
               (long long)c->newest.seq, c->newest.at, (long long)c->newest.entries,
               c->newest.public_key);
    else
        printf("no signed checkpoint (accepted with --no-checkpoint)\n");
}

static void say_key_created(const char *command, bool created, const char *path)
{
    if (created)
        fprintf(stderr,
                "cellclinic %s: created the audit signing key %s (mode 0600); back it up apart "
                "from the data directory\n",
                command, path);
}

int cmd_backup(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic backup --data DIR --to FILE [--audit-key FILE]\n"
        "                         [--encrypt-passphrase-file FILE | --encrypt-to PUBLIC_KEY_FILE]\n"
        "       cellclinic backup keygen --out FILE\n\n"
        "Signs a checkpoint of the audit trail (with DIR/audit-signing.key, made when\n"
        "missing, or the --audit-key FILE the server uses), then writes a consistent\n"
        "copy of the database of DIR to FILE (which must not exist), safely while\n"
        "the server runs and writes. The copy carries its signed checkpoints and the\n"
        "access log (DIR/access-log.db, copied a moment after). It is made in\n"
        "FILE.partial-PID (mode 0600), checked (integrity, schema, audit chain,\n"
        "access-log chain, signed checkpoints against DIR/audit-signing.pub), flushed\n"
        "to disk and only then renamed to FILE: a backup that did not finish leaves\n"
        "no FILE (remove a leftover FILE.partial-PID; restore refuses it). It prints\n"
        "the newest signed checkpoint the copy carries: note it, restore prints it\n"
        "too.\n\n"
        "--audit-key                the audit signing key, when kept outside DIR\n"
        "--encrypt-passphrase-file  encrypt with the passphrase on the first line of\n"
        "                           the file (12 to 1024 characters; argon2id)\n"
        "--encrypt-to               encrypt to a public key made by 'backup keygen';\n"
        "                           only its secret key can decrypt\n\n"
        "Exit 0 written, 1 failed (no FILE written), 2 bad usage.\n";
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return keygen(argc, argv);
    const char *data, *to, *audit_key, *passphrase_file, *public_file;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"to", true, true, &to},
                                  {"audit-key", true, false, &audit_key},
                                  {"encrypt-passphrase-file", true, false, &passphrase_file},
                                  {"encrypt-to", true, false, &public_file},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("backup", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    if (passphrase_file && public_file) {
        fprintf(stderr, "cellclinic backup: option --encrypt-to: give either "
                        "--encrypt-passphrase-file or --encrypt-to, not both\n");
        return 2;
    }
    struct stat info;
    if (stat(to, &info) == 0) {
        fprintf(stderr, "cellclinic backup: option --to: %s already exists\n", to);
        return 2;
    }
    backup_key key = {0};
    char passphrase[BACKUP_PASSPHRASE_MAX + 2];
    cc_error err;
    if (passphrase_file &&
        !read_passphrase("backup", "encrypt-passphrase-file", passphrase_file, passphrase, &key))
        return 2;
    if (public_file && backup_key_read_public(public_file, "encrypt-to", &key, &err) != CC_OK)
        return report("backup", &err);
    backup_report done;
    backup_options how = {passphrase_file || public_file ? &key : NULL, audit_key};
    cc_status st = backup_write(data, to, &how, &done, &err);
    sodium_memzero(passphrase, sizeof passphrase);
    say_key_created("backup", done.key_created, done.key_path);
    if (st != CC_OK)
        return report("backup", &err);
    printf("backup written to %s (%lld bytes%s; audit chain intact: %lld entries)\n", to,
           (long long)done.bytes, passphrase_file || public_file ? ", encrypted" : "",
           (long long)done.checked.audit_entries);
    print_checkpoint(&done.checked);
    print_access_log(&done.checked);
    return 0;
}

int cmd_restore(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic restore --from FILE --data DIR [--public-key FILE]\n"
        "                          [--audit-key FILE] [--no-checkpoint]\n"
        "                          [--passphrase-file FILE | --secret-key FILE]\n\n"
        "Replaces the database of DIR (created when missing) by the backup FILE.\n"
        "The backup is checked first: integrity, schema, audit chain, access-log\n"
        "chain, and its signed audit checkpoints (each signature, by a trusted key,\n"
        "covering the backup's chain: a trail cut short or rewritten is refused); for\n"
        "an encrypted one, that every byte decrypts with the passphrase or secret key\n"
        "given. A file that is no backup, truncated, altered or unfinished is\n"
        "refused and nothing is changed. Refuses while a server or a backup runs on\n"
        "DIR. The database replaced is kept as DIR/cellclinic.db.before-restore-TIME\n"
        "(with its WAL, if any) and the checkpoint log as\n"
        "DIR/audit-checkpoints.log.before-restore-TIME;\n"
        "a new log is written from the backup's checkpoints and a 'restore'\n"
        "checkpoint signed, so 'audit verify' passes on DIR. The backup's access log\n"
        "becomes DIR/access-log.db when DIR has none with rows; otherwise DIR's own is\n"
        "kept (it goes on from the backup's and holds the reads since).\n\n"
        "--public-key       the trusted audit public keys (a copy of the clinic's\n"
        "                   audit-signing.pub); default DIR/audit-signing.pub, which a\n"
        "                   new DIR lacks: then this option is needed\n"
        "--audit-key        the audit signing key, when kept outside DIR (default\n"
        "                   DIR/audit-signing.key, made when missing)\n"
        "--no-checkpoint    accept a backup that carries no signed checkpoint (made\n"
        "                   before backups carried them): nothing then proves its\n"
        "                   audit trail whole\n"
        "--passphrase-file  the passphrase of an encrypted backup\n"
        "--secret-key       the secret key of a backup encrypted to a public key\n\n"
        "Exit 0 restored, 1 refused or failed (DIR unchanged), 2 bad usage.\n";
    const char *from, *data, *public_keys, *audit_key, *no_checkpoint, *passphrase_file,
        *secret_file;
    const cli_option options[] = {{"from", true, true, &from},
                                  {"data", true, true, &data},
                                  {"public-key", true, false, &public_keys},
                                  {"audit-key", true, false, &audit_key},
                                  {"no-checkpoint", false, false, &no_checkpoint},
                                  {"passphrase-file", true, false, &passphrase_file},
                                  {"secret-key", true, false, &secret_file},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("restore", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    if (passphrase_file && secret_file) {
        fprintf(stderr, "cellclinic restore: option --secret-key: give either --passphrase-file "
                        "or --secret-key, not both\n");
        return 2;
    }
    backup_key key = {0};
    char passphrase[BACKUP_PASSPHRASE_MAX + 2];
    cc_error err;
    if (passphrase_file &&
        !read_passphrase("restore", "passphrase-file", passphrase_file, passphrase, &key))
        return 2;
    if (secret_file && backup_key_read_secret(secret_file, "secret-key", &key, &err) != CC_OK)
        return report("restore", &err);
    restore_report done;
    restore_options how = {passphrase_file || secret_file ? &key : NULL, public_keys, audit_key,
                           no_checkpoint != NULL};
    cc_status st = backup_restore(from, data, &how, &done, &err);
    sodium_memzero(passphrase, sizeof passphrase);
    backup_key_wipe(&key);
    say_key_created("restore", done.key_created, done.key_path);
    if (st != CC_OK)
        return report("restore", &err);
    printf("restored %s into %s (audit chain intact: %lld entries)\n", from, data,
           (long long)done.checked.audit_entries);
    print_checkpoint(&done.checked);
    if (done.previous[0])
        printf("the database it replaced is kept as %s\n", done.previous);
    if (done.previous_log[0])
        printf("the checkpoint log it replaced is kept as %s\n", done.previous_log);
    if (done.access_from_backup < 0)
        printf("the backup holds no access log (made before backups carried it)\n");
    else if (done.access_kept > 0)
        printf("access log: the data directory's own is kept (%lld rows; the backup's has "
               "%lld)\n",
               (long long)done.access_kept, (long long)done.access_from_backup);
    else
        printf("access log: the backup's %lld rows restored\n", (long long)done.access_from_backup);
    printf("checkpoint log written anew: %lld checkpoints of the backup, then checkpoint %lld "
           "(restore) covering %lld entries\n",
           (long long)done.checked.checkpoints, (long long)done.restored.seq,
           (long long)done.restored.entries);
    return 0;
}
