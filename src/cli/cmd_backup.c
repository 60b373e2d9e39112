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

int cmd_backup(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic backup --data DIR --to FILE\n"
        "                         [--encrypt-passphrase-file FILE | --encrypt-to PUBLIC_KEY_FILE]\n"
        "       cellclinic backup keygen --out FILE\n\n"
        "Writes a consistent copy of the database of DIR to FILE (which must not\n"
        "exist), safely while the server runs and writes. The copy is made in\n"
        "FILE.partial-PID (mode 0600), checked (integrity, schema, audit chain),\n"
        "flushed to disk and only then renamed to FILE: a backup that did not\n"
        "finish leaves no FILE (remove a leftover FILE.partial-PID; restore refuses it).\n\n"
        "--encrypt-passphrase-file  encrypt with the passphrase on the first line of\n"
        "                           the file (12 to 1024 characters; argon2id)\n"
        "--encrypt-to               encrypt to a public key made by 'backup keygen';\n"
        "                           only its secret key can decrypt\n\n"
        "Exit 0 written, 1 failed (no FILE written), 2 bad usage.\n";
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return keygen(argc, argv);
    const char *data, *to, *passphrase_file, *public_file;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"to", true, true, &to},
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
    cc_status st =
        backup_write(data, to, passphrase_file || public_file ? &key : NULL, &done, &err);
    sodium_memzero(passphrase, sizeof passphrase);
    if (st != CC_OK)
        return report("backup", &err);
    printf("backup written to %s (%lld bytes%s; audit chain intact: %lld entries)\n", to,
           (long long)done.bytes, passphrase_file || public_file ? ", encrypted" : "",
           (long long)done.audit_entries);
    return 0;
}

int cmd_restore(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic restore --from FILE --data DIR\n"
        "                          [--passphrase-file FILE | --secret-key FILE]\n\n"
        "Replaces the database of DIR (created when missing) by the backup FILE.\n"
        "The backup is checked first (integrity, schema, audit chain; for an\n"
        "encrypted one, that every byte decrypts with the passphrase or secret key\n"
        "given): a file that is no backup, truncated, altered or unfinished is\n"
        "refused and nothing is changed. Refuses while a server or a backup runs on\n"
        "DIR. The database replaced is kept as DIR/cellclinic.db.before-restore-TIME\n"
        "(with its WAL, if any).\n\n"
        "Exit 0 restored, 1 refused or failed (DIR unchanged), 2 bad usage.\n";
    const char *from, *data, *passphrase_file, *secret_file;
    const cli_option options[] = {{"from", true, true, &from},
                                  {"data", true, true, &data},
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
    cc_status st =
        backup_restore(from, data, passphrase_file || secret_file ? &key : NULL, &done, &err);
    sodium_memzero(passphrase, sizeof passphrase);
    backup_key_wipe(&key);
    if (st != CC_OK)
        return report("restore", &err);
    printf("restored %s into %s (audit chain intact: %lld entries)\n", from, data,
           (long long)done.audit_entries);
    if (done.previous[0])
        printf("the database it replaced is kept as %s\n", done.previous);
    return 0;
}
