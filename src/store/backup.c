#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/access_log.h"
#include "store/audit.h"
#include "store/audit_integrity.h"
#include "store/schema.h"

enum { PATH_MAX_ = DATADIR_PATH_MAX };

static const char PARTIAL[] = ".partial-";
static const char SQLITE_MAGIC[16] = "SQLite format 3";

static cc_status too_long(const char *field, cc_error *err)
{
    return cc_fail(err, CC_INVALID, field, "path_too_long", "--%s path is too long", field);
}

static cc_status path_fmt(char out[PATH_MAX_], const char *field, cc_error *err, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));
static cc_status path_fmt(char out[PATH_MAX_], const char *field, cc_error *err, const char *fmt,
                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(out, PATH_MAX_, fmt, ap);
    va_end(ap);
    return len < 0 || len >= PATH_MAX_ ? too_long(field, err) : CC_OK;
}

/* A new empty file, mode 0600 from its creation; its descriptor or -1. */
static int create_private(const char *path, const char *field, cc_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        cc_fail(err, CC_STORAGE, field, "cannot_create", "cannot create %s: %s", path,
                strerror(errno));
    return fd;
}

static cc_status sync_fd(int fd, const char *path, cc_error *err)
{
    if (fsync(fd) != 0)
        return cc_fail(err, CC_STORAGE, NULL, "sync_failed", "cannot flush %s to disk: %s", path,
                       strerror(errno));
    return CC_OK;
}

static cc_status sync_path(const char *path, bool directory, cc_error *err)
{
    int fd = open(path, (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cc_fail(err, CC_STORAGE, NULL, "sync_failed", "cannot open %s: %s", path,
                       strerror(errno));
    cc_status st = sync_fd(fd, path, err);
    close(fd);
    return st;
}

static cc_status sync_parent(const char *path, cc_error *err)
{
    char copy[PATH_MAX_];
    snprintf(copy, sizeof copy, "%s", path);
    return sync_path(dirname(copy), true, err);
}

/* Renames from to to, refusing (EEXIST) when to exists. */
static int rename_new(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* a file system without RENAME_NOREPLACE: link refuses an existing name too */
    if (link(from, to) != 0)
        return -1;
    return unlink(from);
}

/* Removes a scratch database and whatever SQLite made beside it. */
static void remove_scratch(const char *path)
{
    static const char *const companions[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
        char name[PATH_MAX_];
        if (snprintf(name, sizeof name, "%s%s", path, companions[i]) < (int)sizeof name)
            unlink(name);
    }
}

static cc_status refused(cc_error *err, const char *why)
{
    return cc_fail(err, CC_INVALID, NULL, "not_a_sound_backup", "%s", why);
}

/* The signed checkpoints the copy records, against the chain just verified. */
static cc_status verify_checkpoints(db *copy, const backup_trust *trust, backup_checked *out,
                                    cc_error *err)
{
    audit_recorded_verdict r;
    cc_status st = audit_check_recorded(copy, trust->public_keys, &r, err);
    if (st == CC_INVALID)
        return st; /* the trusted keys cannot be read: the option is at fault */
    if (st != CC_OK) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "its audit checkpoints cannot be read (%.200s)", err->message);
        return refused(err, why);
    }
    if (r.rows == 0 && !trust->allow_no_checkpoint)
        return refused(err, "it carries no signed audit checkpoint (a backup made before backups "
                            "carried them, or its checkpoints were removed), so nothing proves "
                            "its audit trail whole; restore --no-checkpoint accepts it");
    if (r.rows > 0 && !trust->public_keys)
        return cc_fail(err, CC_INVALID, "public-key", "no_trusted_key",
                       "the backup's audit checkpoints cannot be checked: the data directory "
                       "has no audit-signing.pub; give --public-key FILE (a copy of the "
                       "clinic's audit-signing.pub kept apart from the backups)");
    if (r.problem[0])
        return refused(err, r.problem);
    out->checkpoints = r.rows;
    out->newest = r.newest;
    return CC_OK;
}

cc_status backup_verify_copy(db *copy, const backup_trust *trust, backup_checked *out,
                             cc_error *err)
{
    memset(out, 0, sizeof *out);
    char why[sizeof err->message];
    if (db_check_integrity(copy, err) != CC_OK) {
        /* the engine lists problems one a line; the message is one line */
        for (char *c = err->message; *c; c++)
            if (*c == '\n')
                *c = ' ';
        snprintf(why, sizeof why, "it is damaged (%.200s)", err->message);
        return refused(err, why);
    }
    db_stmt *s;
    if (db_prepare(copy, "SELECT MAX(version) FROM schema_version", &s, err) != CC_OK)
        return refused(err, "it is not a cellclinic database (no schema version)");
    int64_t version = db_step(s, err) == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    if (version < 1)
        return refused(err, "it is not a cellclinic database (no schema version)");
    if (version > schema_latest_version()) {
        snprintf(why, sizeof why,
                 "it has schema version %lld but this cellclinic knows only up to %d; use a "
                 "newer cellclinic",
                 (long long)version, schema_latest_version());
        return refused(err, why);
    }
    audit_verdict v;
    if (audit_verify(copy, &v, err) != CC_OK) {
        snprintf(why, sizeof why, "its audit trail cannot be read (%.200s)", err->message);
        return refused(err, why);
    }
    if (v.first_broken_seq) {
        snprintf(why, sizeof why, "its audit chain is broken at entry %lld: %s",
                 (long long)v.first_broken_seq, v.problem);
        return refused(err, why);
    }
    out->audit_entries = v.entries;
    if (access_log_held(copy, &out->access_rows, err) != CC_OK) {
        snprintf(why, sizeof why, "its access log cannot be read (%.200s)", err->message);
        return refused(err, why);
    }
    if (out->access_rows >= 0 && access_log_verify(copy, &v, err) != CC_OK) {
        snprintf(why, sizeof why, "its access log cannot be read (%.200s)", err->message);
        return refused(err, why);
    }
    if (out->access_rows >= 0 && v.first_broken_seq) {
        snprintf(why, sizeof why, "its access log chain is broken at row %lld: %s",
                 (long long)v.first_broken_seq, v.problem);
        return refused(err, why);
    }
    return verify_checkpoints(copy, trust, out, err);
}

/* Opens path read-only and verifies it, the backup mark first. */
static cc_status verify_file(const char *path, const backup_trust *trust, backup_checked *out,
                             cc_error *err)
{
    db *copy;
    cc_status st = db_open(path, DB_OPEN_READONLY, &copy, err);
    if (st != CC_OK)
        return refused(err, "it is damaged or no database (it cannot be opened)");
    db_hint_bulk_read(copy); /* every page is read once */
    int32_t mark = 0;
    if (db_application_id(copy, &mark, err) != CC_OK || mark != BACKUP_MARK)
        st = refused(err, "it was not written by cellclinic backup, or its writing did not "
                          "finish (no backup mark)");
    if (st == CC_OK)
        st = backup_verify_copy(copy, trust, out, err);
    db_close(copy);
    return st;
}

/* Signs a checkpoint of the chain head with the data directory's key. */
static cc_status sign_checkpoint(db *d, const char *data_dir, const char *audit_key,
                                 const char *reason, bool *key_created, char *key_path,
                                 checkpoint *out, cc_error *err)
{
    audit_signer signer;
    cc_status st =
        audit_signer_load(data_dir, audit_key, audit_key == NULL, &signer, key_created, err);
    if (st != CC_OK)
        return st;
    snprintf(key_path, AUDIT_PATH_MAX, "%s", signer.key_path);
    st = audit_checkpoint_write(d, &signer, reason, out, NULL, err);
    audit_signer_wipe(&signer);
    return st;
}

static bool exists(const char *path)
{
    struct stat info;
    return lstat(path, &info) == 0;
}

/* The data directory's access log, when it has one, into the copy (its
 * own snapshot, a moment after the clinical one: reads logged meanwhile
 * come along). Opening it first brings an earlier format up to date. */
static cc_status add_access_log(const char *data_dir, const char *stage, cc_error *err)
{
    char path[ACCESS_LOG_FILE_MAX];
    cc_status st = access_log_path(data_dir, path, err);
    if (st != CC_OK || !exists(path))
        return st;
    db *log, *copy;
    if ((st = access_log_open(data_dir, &log, err)) != CC_OK)
        return st;
    db_close(log);
    if ((st = db_open(stage, DB_OPEN_EXISTING, &copy, err)) != CC_OK)
        return st;
    st = access_log_copy(copy, path, err);
    /* opening it for writing made it WAL: a backup stands alone */
    if (st == CC_OK)
        st = db_exec(copy, "PRAGMA journal_mode=DELETE;", err);
    db_close(copy);
    return st;
}

/* Signs a checkpoint, copies the live database (and the access log) into
 * stage and checks the copy there against the data directory's public
 * keys. */
static cc_status copy_and_check(const char *data_dir, const char *audit_key, const char *stage,
                                backup_report *out, cc_error *err)
{
    char public_keys[AUDIT_PATH_MAX];
    cc_status st = audit_datadir_file(data_dir, AUDIT_PUBLIC_KEY_FILE, public_keys, err);
    db *src;
    if (st != CC_OK || (st = datadir_connect(data_dir, &src, err)) != CC_OK)
        return st;
    st = sign_checkpoint(src, data_dir, audit_key, "backup", &out->key_created, out->key_path, NULL,
                         err);
    if (st == CC_OK)
        st = db_backup_to(src, stage, BACKUP_MARK, err);
    db_close(src);
    if (st == CC_OK)
        st = add_access_log(data_dir, stage, err);
    if (st != CC_OK)
        return st;
    backup_trust trust = {public_keys, false};
    if ((st = verify_file(stage, &trust, &out->checked, err)) != CC_OK) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "the copy failed its check: %.200s", err->message);
        return cc_fail(err, CC_STORAGE, NULL, "copy_failed_check", "%s", why);
    }
    return CC_OK;
}

static cc_status seal_stage(const char *stage, int out_fd, const char *partial,
                            const backup_key *key, cc_error *err)
{
    FILE *in = fopen(stage, "rbe");
    if (!in)
        return cc_fail(err, CC_STORAGE, NULL, "read_failed", "cannot read %s: %s", stage,
                       strerror(errno));
    FILE *out = fdopen(dup(out_fd), "wb");
    cc_status st = out ? backup_crypt_seal(in, out, key, err)
                       : cc_fail(err, CC_STORAGE, "to", "write_failed", "cannot write %s", partial);
    fclose(in);
    if (out && fclose(out) != 0 && st == CC_OK)
        st = cc_fail(err, CC_STORAGE, "to", "write_failed", "cannot write %s: %s", partial,
                     strerror(errno));
    return st;
}

cc_status backup_write(const char *data_dir, const char *to, const backup_options *options,
                       backup_report *out, cc_error *err)
{
    const backup_key *key = options->key;
    memset(out, 0, sizeof *out);
    if (db_location_is_url(data_dir))
        return cc_fail(err, CC_INVALID, "data", "backup_not_for_postgresql",
                       "a PostgreSQL database is backed up and restored with pg_dump or "
                       "pgBackRest (docs/operations.md), not with cellclinic");
    char partial[PATH_MAX_], stage[PATH_MAX_];
    long pid = (long)getpid();
    cc_status st = path_fmt(partial, "to", err, "%s%s%ld", to, PARTIAL, pid);
    if (st == CC_OK && key)
        st = path_fmt(stage, "data", err, "%s/cellclinic.db.backup-%ld", data_dir, pid);
    if (st != CC_OK)
        return st;
    if (!key)
        snprintf(stage, sizeof stage, "%s", partial);
    int lock;
    if ((st = datadir_lock(data_dir, DATADIR_LOCK_SHARED, &lock, err)) != CC_OK)
        return st;
    int partial_fd = create_private(partial, "to", err);
    int stage_fd = -1;
    if (partial_fd < 0) {
        close(lock);
        return err->status;
    }
    if (key && (stage_fd = create_private(stage, "data", err)) < 0) {
        st = err->status;
        goto out;
    }
    if ((st = copy_and_check(data_dir, options->audit_key, stage, out, err)) != CC_OK)
        goto out;
    if (key && (st = seal_stage(stage, partial_fd, partial, key, err)) != CC_OK)
        goto out;
    if ((st = sync_fd(partial_fd, partial, err)) != CC_OK)
        goto out;
    struct stat info;
    out->bytes = fstat(partial_fd, &info) == 0 ? (int64_t)info.st_size : 0;
    if (rename_new(partial, to) != 0) {
        st = cc_fail(err, errno == EEXIST ? CC_CONFLICT : CC_STORAGE, "to", "cannot_rename",
                     "cannot rename %s to %s: %s", partial, to, strerror(errno));
        goto out;
    }
    st = sync_parent(to, err);
out:
    close(partial_fd);
    if (st != CC_OK)
        remove_scratch(partial);
    if (stage_fd >= 0) {
        close(stage_fd);
        remove_scratch(stage);
    }
    close(lock);
    return st;
}

/* The kind of file from its first bytes, refusing what is neither. */
static cc_status copy_or_open(const char *from, FILE *in, FILE *out, const backup_key *key,
                              cc_error *err)
{
    unsigned char head[16];
    size_t n = fread(head, 1, sizeof head, in);
    rewind(in);
    static const backup_key no_key = {0};
    if (backup_crypt_is_sealed(head, n))
        return backup_crypt_open(in, out, key ? key : &no_key, err);
    if (n < sizeof head || memcmp(head, SQLITE_MAGIC, sizeof head) != 0)
        return cc_fail(err, CC_INVALID, "from", "not_a_backup",
                       "the backup is refused: %s is not a cellclinic backup (neither a database "
                       "nor an encrypted backup)",
                       from);
    if (key)
        return cc_fail(err, CC_INVALID, key->passphrase ? "passphrase-file" : "secret-key",
                       "not_encrypted", "the backup %s is not encrypted: give no passphrase or key",
                       from);
    char chunk[1 << 16];
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        if (fwrite(chunk, 1, n, out) != n)
            return cc_fail(err, CC_STORAGE, "data", "write_failed", "cannot write the copy: %s",
                           strerror(errno));
    if (ferror(in))
        return cc_fail(err, CC_STORAGE, "from", "read_failed", "cannot read %s: %s", from,
                       strerror(errno));
    return CC_OK;
}

/* The backup, decrypted or copied into stage (an open empty file), checked there. */
static cc_status stage_backup(const char *from, const char *stage, int stage_fd,
                              const backup_key *key, const backup_trust *trust,
                              backup_checked *checked, cc_error *err)
{
    FILE *in = fopen(from, "rbe");
    if (!in)
        return cc_fail(err, CC_INVALID, "from", "unreadable", "cannot read %s: %s", from,
                       strerror(errno));
    FILE *out = fdopen(dup(stage_fd), "wb");
    cc_status st = out ? copy_or_open(from, in, out, key, err)
                       : cc_fail(err, CC_STORAGE, "data", "write_failed", "cannot write %s", stage);
    fclose(in);
    if (out && fclose(out) != 0 && st == CC_OK)
        st = cc_fail(err, CC_STORAGE, "data", "write_failed", "cannot write %s: %s", stage,
                     strerror(errno));
    if (st == CC_OK && (st = verify_file(stage, trust, checked, err)) != CC_OK &&
        strcmp(err->field, "public-key") != 0) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "the backup is refused: %.200s", err->message);
        st = cc_fail(err, CC_INVALID, "from", "not_a_sound_backup", "%s", why);
    }
    if (st != CC_OK)
        return st;
    /* The live database carries no backup mark (a copy of it is no backup). */
    db *d;
    if ((st = db_open(stage, DB_OPEN_EXISTING, &d, err)) != CC_OK)
        return st;
    st = db_exec(d, "PRAGMA application_id=0", err);
    db_close(d);
    return st == CC_OK ? sync_fd(stage_fd, stage, err) : st;
}

/* Moves live (and its WAL and journal, which belong to it) aside under a
 * new name, or only a WAL and journal left without their database; the
 * shared memory index is only a cache of the WAL. aside is "" when there
 * was no database; suffix is the one given to what went aside
 * (".before-restore-TIME"), for the checkpoint log to go with it. */
enum { SUFFIX_MAX = 64 };

static cc_status move_aside(const char *live, char aside[PATH_MAX_], char suffix[SUFFIX_MAX],
                            cc_error *err)
{
    /* Folding the WAL into the file first leaves one self-contained file
     * aside; a database that cannot be opened keeps its WAL beside it. */
    bool had_db = exists(live);
    db *old;
    cc_error ignored;
    if (had_db && db_open(live, DB_OPEN_EXISTING, &old, &ignored) == CC_OK)
        db_close(old);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
    cc_status st = path_fmt(aside, "data", err, "%s.before-restore-%s", live, stamp);
    for (long n = 2; st == CC_OK && exists(aside) && n < 100; n++)
        st = path_fmt(aside, "data", err, "%s.before-restore-%s-%ld", live, stamp, n);
    if (st != CC_OK)
        return st;
    snprintf(suffix, SUFFIX_MAX, "%s", aside + strlen(live));
    if (had_db && rename_new(live, aside) != 0)
        return cc_fail(err, CC_STORAGE, "data", "cannot_rename", "cannot move %s aside: %s", live,
                       strerror(errno));
    static const char *const companions[] = {"-wal", "-journal"};
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
        char from[PATH_MAX_], to[PATH_MAX_];
        if (path_fmt(from, "data", err, "%s%s", live, companions[i]) != CC_OK ||
            path_fmt(to, "data", err, "%s%s", aside, companions[i]) != CC_OK)
            return err->status;
        if (exists(from) && rename_new(from, to) != 0)
            return cc_fail(err, CC_STORAGE, "data", "cannot_rename", "cannot move %s aside: %s",
                           from, strerror(errno));
    }
    char shm[PATH_MAX_];
    if (path_fmt(shm, "data", err, "%s-shm", live) != CC_OK)
        return err->status;
    if (unlink(shm) != 0 && errno != ENOENT)
        return cc_fail(err, CC_STORAGE, "data", "cannot_remove", "cannot remove %s: %s", shm,
                       strerror(errno));
    if (!had_db) /* only a stray WAL went aside */
        aside[0] = '\0';
    return CC_OK;
}

/* The checkpoint log covers the replaced trail: it goes aside with the
 * database, under the same suffix. */
static cc_status move_log_aside(const char *data_dir, const char *suffix, char aside[PATH_MAX_],
                                cc_error *err)
{
    char log[PATH_MAX_];
    aside[0] = '\0';
    cc_status st = path_fmt(log, "data", err, "%s/%s", data_dir, AUDIT_CHECKPOINT_FILE);
    if (st != CC_OK || !exists(log))
        return st;
    if ((st = path_fmt(aside, "data", err, "%s%s", log, suffix)) != CC_OK)
        return st;
    if (rename_new(log, aside) != 0) {
        st = cc_fail(err, CC_STORAGE, "data", "cannot_rename", "cannot move %s aside: %s", log,
                     strerror(errno));
        aside[0] = '\0';
    }
    return st;
}

typedef struct {
    const char *data_dir;
    char last[CHECKPOINT_KEY_HEX];
} key_walk;

static cc_status publish_row_key(void *ctx, const checkpoint *c, const char *problem, cc_error *err)
{
    key_walk *w = ctx;
    if (problem || strcmp(w->last, c->public_key) == 0)
        return CC_OK; /* rows verified before; one key signs long runs of them */
    snprintf(w->last, sizeof w->last, "%s", c->public_key);
    return audit_publish_key(w->data_dir, c->public_key, err);
}

/* The restored database in place: the keys that signed its checkpoints
 * become the directory's, its checkpoint log is written from its rows, the
 * restore is audited and a checkpoint covering it signed. */
static cc_status finish_restore(const char *data_dir, const char *from, const audit_signer *signer,
                                restore_report *out, cc_error *err)
{
    db *d;
    cc_status st = datadir_open(data_dir, &d, err);
    if (st != CC_OK)
        return st;
    key_walk keys = {data_dir, ""};
    st = audit_checkpoint_rows(d, publish_row_key, &keys, err);
    if (st == CC_OK)
        st = audit_checkpoint_log_rebuild(d, data_dir, err);
    static const store_actor actor = {0, "cli"};
    char reason[2 * PATH_MAX_ + 64];
    snprintf(reason, sizeof reason, "restored from %s; the database it replaced is kept as %s",
             from, *out->previous ? out->previous : "(none)");
    audit_change change = {"restore", "database", 0, NULL, NULL, reason};
    if (st == CC_OK && (st = db_tx_begin(d, err)) == CC_OK)
        st = db_tx_end(d, audit_append(d, &actor, &change, err), err);
    if (st == CC_OK)
        st = audit_checkpoint_write(d, signer, "restore", &out->restored, NULL, err);
    db_close(d);
    return st;
}

/* The backup's access log comes out of the checked copy: into a new file
 * DIR/access-log.db.restore-PID (*placed set to its path) when DIR has no
 * access log with rows, else DIR's own is kept (it goes on from where the
 * backup's ends, and holds the reads since). Either way the tables leave
 * the copy, which becomes the clinical database. */
static cc_status take_access_log(const char *data_dir, const char *stage, char placed[PATH_MAX_],
                                 restore_report *out, cc_error *err)
{
    placed[0] = '\0';
    char live[ACCESS_LOG_FILE_MAX];
    db *copy, *log;
    cc_status st = access_log_path(data_dir, live, err);
    if (st != CC_OK || (st = db_open(stage, DB_OPEN_EXISTING, &copy, err)) != CC_OK)
        return st;
    st = access_log_held(copy, &out->access_from_backup, err);
    if (st == CC_OK && out->access_from_backup >= 0 && exists(live) &&
        (st = access_log_open_file(live, &log, err)) == CC_OK) {
        st = access_log_held(log, &out->access_kept, err);
        db_close(log);
    }
    if (st == CC_OK && out->access_from_backup >= 0 && out->access_kept <= 0 &&
        (st = path_fmt(placed, "data", err, "%s.restore-%ld", live, (long)getpid())) == CC_OK &&
        (st = access_log_open_file(placed, &log, err)) == CC_OK) {
        st = access_log_copy(log, stage, err);
        db_close(log);
    }
    if (st == CC_OK && out->access_from_backup >= 0)
        st = access_log_remove(copy, err);
    db_close(copy);
    return st;
}

/* Puts the access log taken from the backup in place of DIR's empty one. */
static cc_status place_access_log(const char *data_dir, const char *placed, cc_error *err)
{
    char live[ACCESS_LOG_FILE_MAX], companion[PATH_MAX_];
    cc_status st = access_log_path(data_dir, live, err);
    static const char *const companions[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; st == CC_OK && i < sizeof companions / sizeof companions[0]; i++)
        if ((st = path_fmt(companion, "data", err, "%s%s", live, companions[i])) == CC_OK &&
            unlink(companion) != 0 && errno != ENOENT)
            st = cc_fail(err, CC_STORAGE, "data", "cannot_remove", "cannot remove %s: %s",
                         companion, strerror(errno));
    if (st == CC_OK && rename(placed, live) != 0)
        st = cc_fail(err, CC_STORAGE, "data", "cannot_rename", "cannot rename %s to %s: %s", placed,
                     live, strerror(errno));
    return st;
}

/* The trusted public keys: the option's file, else DIR's own list, else none. */
static cc_status trusted_keys_path(const char *data_dir, const char *option, char out[PATH_MAX_],
                                   const char **path, cc_error *err)
{
    *path = option;
    if (option)
        return CC_OK;
    cc_status st = path_fmt(out, "data", err, "%s/%s", data_dir, AUDIT_PUBLIC_KEY_FILE);
    if (st == CC_OK && exists(out))
        *path = out;
    return st;
}

cc_status backup_restore(const char *from, const char *data_dir, const restore_options *options,
                         restore_report *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (db_location_is_url(data_dir))
        return cc_fail(err, CC_INVALID, "data", "backup_not_for_postgresql",
                       "a PostgreSQL database is backed up and restored with pg_dump or "
                       "pgBackRest (docs/operations.md), not with cellclinic");
    if (strstr(from, PARTIAL))
        return cc_fail(err, CC_INVALID, "from", "unfinished_backup",
                       "the backup is refused: %s is the temporary file of a backup that did not "
                       "finish",
                       from);
    struct stat info;
    if (stat(from, &info) != 0 || !S_ISREG(info.st_mode))
        return cc_fail(err, CC_INVALID, "from", "unreadable", "%s is not a readable file", from);
    char live[PATH_MAX_], stage[PATH_MAX_], lock_path[PATH_MAX_];
    cc_status st = datadir_db_path(data_dir, live, err);
    if (st == CC_OK)
        st = path_fmt(stage, "data", err, "%s.restore-%ld", live, (long)getpid());
    if (st == CC_OK)
        st = path_fmt(lock_path, "data", err, "%s/cellclinic.lock", data_dir);
    if (st != CC_OK)
        return st;
    bool created = mkdir(data_dir, 0700) == 0;
    if (!created && errno != EEXIST)
        return cc_fail(err, CC_STORAGE, "data", "cannot_create", "cannot create %s: %s", data_dir,
                       strerror(errno));
    int lock = -1, stage_fd = -1;
    char keys_buffer[PATH_MAX_], suffix[SUFFIX_MAX];
    audit_signer signer;
    bool have_signer = false;
    backup_trust trust = {NULL, options->no_checkpoint};
    if ((st = datadir_lock(data_dir, DATADIR_LOCK_EXCLUSIVE, &lock, err)) != CC_OK)
        goto refused;
    if ((st = trusted_keys_path(data_dir, options->public_keys, keys_buffer, &trust.public_keys,
                                err)) != CC_OK)
        goto refused;
    if ((stage_fd = create_private(stage, "data", err)) < 0) {
        st = err->status;
        goto refused;
    }
    st = stage_backup(from, stage, stage_fd, options->key, &trust, &out->checked, err);
    close(stage_fd);
    /* the key is needed after the replacement: a key that cannot be used
     * refuses the restore while nothing is replaced yet */
    if (st == CC_OK &&
        (st = audit_signer_load(data_dir, options->audit_key, options->audit_key == NULL, &signer,
                                &out->key_created, err)) == CC_OK) {
        have_signer = true;
        snprintf(out->key_path, sizeof out->key_path, "%s", signer.key_path);
    }
    char access_placed[PATH_MAX_] = "";
    if (st == CC_OK)
        st = take_access_log(data_dir, stage, access_placed, out, err);
    if (st == CC_OK)
        st = move_aside(live, out->previous, suffix, err);
    if (st == CC_OK)
        st = move_log_aside(data_dir, suffix, out->previous_log, err);
    if (st == CC_OK && rename(stage, live) != 0)
        st = cc_fail(err, CC_STORAGE, "data", "cannot_rename", "cannot rename %s to %s: %s", stage,
                     live, strerror(errno));
    if (st != CC_OK) {
        remove_scratch(stage);
        if (*access_placed)
            remove_scratch(access_placed);
        goto refused;
    }
    if (*access_placed)
        st = place_access_log(data_dir, access_placed, err);
    if (st == CC_OK && (st = sync_path(data_dir, true, err)) == CC_OK)
        st = finish_restore(data_dir, from, &signer, out, err);
    audit_signer_wipe(&signer);
    close(lock);
    return st;
refused:
    if (have_signer)
        audit_signer_wipe(&signer);
    /* a refused restore into a new directory leaves no directory behind */
    if (created) {
        unlink(lock_path);
        rmdir(data_dir);
    }
    if (lock >= 0)
        close(lock);
    return st;
}
