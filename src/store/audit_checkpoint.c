#include "audit_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/clock.h"
#include "store/sql.h"

_Static_assert(AUDIT_SECRET_KEY_BYTES == crypto_sign_SECRETKEYBYTES, "Ed25519 secret key size");
_Static_assert(AUDIT_PUBLIC_KEY_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key size");

enum { SEED_HEX = crypto_sign_SEEDBYTES * 2 };

cc_status audit_datadir_file(const char *dir, const char *name, char out[AUDIT_PATH_MAX],
                             cc_error *err)
{
    int n = snprintf(out, AUDIT_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= AUDIT_PATH_MAX)
        return cc_fail(err, CC_INVALID, "data", "path_too_long", "--data path is too long");
    return CC_OK;
}

static cc_status io_fail(cc_error *err, const char *what, const char *path)
{
    return cc_fail(err, CC_STORAGE, NULL, "storage_unavailable", "cannot %s %s: %s", what, path,
                   strerror(errno));
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* A new file's name is durable only once its directory is synced. */
static void sync_dir_of(const char *path)
{
    char dir[AUDIT_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static cc_status create_key(const char *path, unsigned char seed[crypto_sign_SEEDBYTES],
                            cc_error *err)
{
    randombytes_buf(seed, crypto_sign_SEEDBYTES);
    char text[SEED_HEX + 2];
    sodium_bin2hex(text, sizeof text, seed, crypto_sign_SEEDBYTES);
    text[SEED_HEX] = '\n';
    text[SEED_HEX + 1] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return io_fail(err, "create the audit signing key", path);
    bool ok = fchmod(fd, 0600) == 0 && write_all(fd, text, SEED_HEX + 1) && fsync(fd) == 0;
    close(fd);
    sodium_memzero(text, sizeof text);
    if (!ok) {
        unlink(path);
        return io_fail(err, "write the audit signing key", path);
    }
    sync_dir_of(path);
    return CC_OK;
}

static cc_status read_key(const char *path, unsigned char seed[crypto_sign_SEEDBYTES],
                          cc_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? cc_fail(err, CC_NOT_FOUND, "audit-key", "no_key",
                                         "the audit signing key %s does not exist", path)
                               : io_fail(err, "read the audit signing key", path);
    struct stat info;
    char text[SEED_HEX + 8];
    ssize_t n = -1;
    cc_status st = CC_OK;
    if (fstat(fd, &info) != 0)
        st = io_fail(err, "read the audit signing key", path);
    else if (!S_ISREG(info.st_mode))
        st = cc_fail(err, CC_INVALID, "audit-key", "bad_key", "%s is not a regular file", path);
    else if (info.st_mode & 077)
        st = cc_fail(err, CC_INVALID, "audit-key", "key_mode",
                     "the audit signing key %s can be read by others (mode %04o); "
                     "run chmod 600 %s",
                     path, (unsigned)(info.st_mode & 07777), path);
    else
        n = read(fd, text, sizeof text - 1);
    close(fd);
    if (st != CC_OK)
        return st;
    size_t len = n > 0 ? (size_t)n : 0;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    size_t got = 0;
    if (len != SEED_HEX ||
        sodium_hex2bin(seed, crypto_sign_SEEDBYTES, text, len, NULL, &got, NULL) != 0 ||
        got != crypto_sign_SEEDBYTES)
        st = cc_fail(err, CC_INVALID, "audit-key", "bad_key",
                     "%s does not hold an audit signing key (64 hex digits)", path);
    sodium_memzero(text, sizeof text);
    return st;
}

cc_status audit_publish_key(const char *dir, const char *public_hex, cc_error *err)
{
    char path[AUDIT_PATH_MAX];
    cc_status st = audit_datadir_file(dir, AUDIT_PUBLIC_KEY_FILE, path, err);
    if (st != CC_OK)
        return st;
    FILE *f = fopen(path, "r");
    if (f) {
        char line[256];
        bool listed = false;
        while (!listed && fgets(line, sizeof line, f))
            listed = strncmp(line, public_hex, CHECKPOINT_KEY_HEX - 1) == 0;
        fclose(f);
        if (listed)
            return CC_OK;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return io_fail(err, "write", path);
    char line[CHECKPOINT_KEY_HEX + 1];
    snprintf(line, sizeof line, "%s\n", public_hex);
    bool ok = write_all(fd, line, strlen(line)) && fsync(fd) == 0;
    close(fd);
    if (!ok)
        return io_fail(err, "write", path);
    sync_dir_of(path);
    return CC_OK;
}

cc_status audit_signer_load(const char *dir, const char *key_path, bool create, audit_signer *out,
                            bool *created, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (created)
        *created = false;
    if (db_location_is_url(dir) && !key_path)
        return cc_fail(err, CC_NOT_FOUND, "audit-key", "audit_key_needed",
                       "a PostgreSQL database has no directory for the audit signing key: "
                       "name its file with --audit-key");
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    if (db_location_is_url(dir)) { /* the public keys and the checkpoint log beside the key */
        snprintf(out->dir, sizeof out->dir, "%s", key_path);
        char *slash = strrchr(out->dir, '/');
        if (slash)
            *(slash == out->dir ? slash + 1 : slash) = '\0';
        else
            snprintf(out->dir, sizeof out->dir, ".");
    }
    cc_status st = CC_OK;
    if (key_path) {
        if ((size_t)snprintf(out->key_path, sizeof out->key_path, "%s", key_path) >=
            sizeof out->key_path)
            st = cc_fail(err, CC_INVALID, "audit-key", "path_too_long",
                         "--audit-key path is too long");
    } else
        st = audit_datadir_file(dir, AUDIT_KEY_FILE, out->key_path, err);
    if (st != CC_OK)
        return st;
    unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    st = read_key(out->key_path, seed, err);
    if (st == CC_NOT_FOUND && create) {
        st = create_key(out->key_path, seed, err);
        if (st == CC_OK && created)
            *created = true;
    }
    if (st == CC_OK) {
        crypto_sign_seed_keypair(pk, out->secret, seed);
        sodium_bin2hex(out->public_hex, sizeof out->public_hex, pk, sizeof pk);
        st = audit_publish_key(out->dir, out->public_hex, err);
    }
    sodium_memzero(seed, sizeof seed);
    if (st != CC_OK)
        audit_signer_wipe(out);
    return st;
}

void audit_signer_wipe(audit_signer *s)
{
    sodium_memzero(s->secret, sizeof s->secret);
}

/* ---- writing ---- */

static cc_status read_head(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    checkpoint *c = ctx;
    c->entries = db_col_int(row, 0);
    snprintf(c->head, sizeof c->head, "%s", db_col_text(row, 1));
    return CC_OK;
}

/* The last complete line of the open log, parsed; false when there is none
 * or it does not parse. *ends_in_newline: whether a line may be appended
 * as it is (false after a torn write). */
static bool last_logged(int fd, checkpoint *last, bool *ends_in_newline)
{
    struct stat info;
    *ends_in_newline = true;
    if (fstat(fd, &info) != 0 || info.st_size == 0)
        return false;
    char tail[CHECKPOINT_LINE_MAX * 2];
    off_t from = info.st_size > (off_t)sizeof tail ? info.st_size - (off_t)sizeof tail : 0;
    ssize_t n = pread(fd, tail, sizeof tail, from);
    if (n <= 0)
        return false;
    size_t end = (size_t)n;
    *ends_in_newline = tail[end - 1] == '\n';
    if (*ends_in_newline)
        end--;
    else {
        /* the torn part is not a checkpoint: look at the line before it */
        while (end > 0 && tail[end - 1] != '\n')
            end--;
        if (end == 0)
            return false;
        end--;
    }
    size_t start = end;
    while (start > 0 && tail[start - 1] != '\n')
        start--;
    const char *problem;
    return checkpoint_parse(tail + start, end - start, last, &problem);
}

static cc_status append_line(int fd, const char *path, const char *line, bool newline_first,
                             cc_error *err)
{
    if ((newline_first && !write_all(fd, "\n", 1)) || !write_all(fd, line, strlen(line)) ||
        fsync(fd) != 0)
        return io_fail(err, "write", path);
    return CC_OK;
}

static cc_status record(db *d, const checkpoint *c, const char *reason, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    sql_arg args[] = {SQL_I(c->seq),        SQL_I(c->entries),   SQL_S(c->head), SQL_S(c->at),
                      SQL_S(c->public_key), SQL_S(c->signature), SQL_S(reason)};
    st = sql_run(d,
                 "INSERT INTO audit_checkpoints"
                 " (seq, entries, head, at, public_key, signature, reason)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                 args, SQL_COUNT(args), NULL, err);
    return db_tx_end(d, st, err);
}

/* Under the log's lock: the next number, the signature, the line, the row. */
static cc_status write_locked(db *d, const audit_signer *s, int fd, const char *path,
                              const char *reason, checkpoint *c, bool *written, cc_error *err)
{
    checkpoint last;
    bool newline_ok, have_last = last_logged(fd, &last, &newline_ok);
    if (have_last && last.entries == c->entries && strcmp(last.head, c->head) == 0 &&
        strcmp(last.public_key, s->public_hex) == 0) {
        *c = last;
        return CC_OK;
    }
    int64_t recorded = 0;
    cc_status st = sql_scalar(d, "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints", NULL, 0,
                              &recorded, err);
    if (st != CC_OK)
        return st;
    c->seq = (have_last && last.seq > recorded ? last.seq : recorded) + 1;
    store_now_text(c->at);
    snprintf(c->public_key, sizeof c->public_key, "%s", s->public_hex);
    char message[CHECKPOINT_LINE_MAX], line[CHECKPOINT_LINE_MAX];
    unsigned char sig[crypto_sign_BYTES];
    if (!checkpoint_message(c, message, sizeof message))
        return cc_fail(err, CC_INTERNAL, NULL, "checkpoint", "checkpoint text too long");
    crypto_sign_detached(sig, NULL, (const unsigned char *)message, strlen(message), s->secret);
    sodium_bin2hex(c->signature, sizeof c->signature, sig, sizeof sig);
    if (!checkpoint_format(c, line, sizeof line))
        return cc_fail(err, CC_INTERNAL, NULL, "checkpoint", "checkpoint text too long");
    if ((st = append_line(fd, path, line, !newline_ok, err)) != CC_OK)
        return st;
    *written = true;
    return record(d, c, reason, err);
}

cc_status audit_checkpoint_write(db *d, const audit_signer *s, const char *reason, checkpoint *out,
                                 bool *written, cc_error *err)
{
    checkpoint c = {0};
    bool wrote = false;
    if (written)
        *written = false;
    if (db_in_transaction(d))
        return cc_fail(err, CC_INTERNAL, NULL, "checkpoint_in_transaction",
                       "a checkpoint covers committed entries only");
    memset(c.head, '0', CHECKPOINT_HASH_HEX - 1);
    cc_status st = sql_each(d, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", NULL, 0,
                            read_head, &c, NULL, err);
    if (st != CC_OK)
        return st;
    char path[AUDIT_PATH_MAX];
    if ((st = audit_datadir_file(s->dir, AUDIT_CHECKPOINT_FILE, path, err)) != CC_OK)
        return st;
    struct stat before;
    bool is_new = stat(path, &before) != 0;
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return io_fail(err, "open", path);
    if (flock(fd, LOCK_EX) != 0)
        st = io_fail(err, "lock", path);
    else
        st = write_locked(d, s, fd, path, reason, &c, &wrote, err);
    close(fd); /* releases the lock */
    if (st == CC_OK && is_new)
        sync_dir_of(path);
    if (st == CC_OK && out)
        *out = c;
    if (written)
        *written = wrote;
    return st;
}

/* ---- verifying ---- */

bool audit_trusted_keys_read(const char *path, audit_trusted_keys *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    char line[256];
    while (out->n < AUDIT_TRUSTED_KEYS_MAX && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n"), got = 0;
        if (len == CHECKPOINT_KEY_HEX - 1 &&
            sodium_hex2bin(out->key[out->n], AUDIT_PUBLIC_KEY_BYTES, line, len, NULL, &got, NULL) ==
                0 &&
            got == AUDIT_PUBLIC_KEY_BYTES) {
            snprintf(out->hex[out->n], CHECKPOINT_KEY_HEX, "%.*s", (int)len, line);
            out->n++;
        }
    }
    fclose(f);
    return true;
}

audit_signature_check audit_checkpoint_verify(const checkpoint *c, const audit_trusted_keys *t)
{
    const unsigned char *key = NULL;
    for (int i = 0; i < t->n && !key; i++)
        if (strcmp(t->hex[i], c->public_key) == 0)
            key = t->key[i];
    if (!key)
        return AUDIT_SIGNATURE_UNTRUSTED_KEY;
    char message[CHECKPOINT_LINE_MAX];
    unsigned char sig[crypto_sign_BYTES];
    size_t got = 0;
    if (!checkpoint_message(c, message, sizeof message) ||
        sodium_hex2bin(sig, sizeof sig, c->signature, strlen(c->signature), NULL, &got, NULL) !=
            0 ||
        got != sizeof sig ||
        crypto_sign_verify_detached(sig, (const unsigned char *)message, strlen(message), key) != 0)
        return AUDIT_SIGNATURE_FORGED;
    return AUDIT_SIGNATURE_HOLDS;
}

typedef struct {
    audit_checkpoint_row_fn fn;
    void *ctx;
} row_walk;

/* A row is read through the log line it stands for, so that it meets the
 * same format checks as a line of the log. */
static cc_status read_row(void *ctx, db_stmt *row, cc_error *err)
{
    row_walk *w = ctx;
    checkpoint c = {0};
    char line[CHECKPOINT_LINE_MAX];
    const char *problem = NULL;
    int64_t seq = db_col_int(row, 0);
    int n = snprintf(line, sizeof line, "v1 %lld %lld %s %s %s %s", (long long)seq,
                     (long long)db_col_int(row, 1), db_col_text(row, 2), db_col_text(row, 3),
                     db_col_text(row, 4), db_col_text(row, 5));
    if (n < 0 || (size_t)n >= sizeof line)
        problem = "a field too long for a checkpoint";
    else
        checkpoint_parse(line, (size_t)n, &c, &problem);
    if (problem)
        c = (checkpoint){.seq = seq};
    return w->fn(w->ctx, &c, problem, err);
}

cc_status audit_checkpoint_rows(db *d, audit_checkpoint_row_fn fn, void *ctx, cc_error *err)
{
    bool present = false;
    cc_status st = sql_table_exists(d, "audit_checkpoints", &present, err);
    if (st != CC_OK || !present)
        return st;
    row_walk w = {fn, ctx};
    return sql_each(d,
                    "SELECT seq, entries, head, at, public_key, signature FROM audit_checkpoints"
                    " ORDER BY seq",
                    NULL, 0, read_row, &w, NULL, err);
}

typedef struct {
    int fd;
    const char *path;
} rebuild_walk;

static cc_status write_row_line(void *ctx, const checkpoint *c, const char *problem, cc_error *err)
{
    rebuild_walk *w = ctx;
    char line[CHECKPOINT_LINE_MAX];
    if (problem)
        return cc_fail(err, CC_INVALID, NULL, "bad_checkpoint_row",
                       "recorded checkpoint %lld holds no checkpoint: %s", (long long)c->seq,
                       problem);
    if (!checkpoint_format(c, line, sizeof line))
        return cc_fail(err, CC_INTERNAL, NULL, "checkpoint", "checkpoint text too long");
    return write_all(w->fd, line, strlen(line)) ? CC_OK : io_fail(err, "write", w->path);
}

cc_status audit_checkpoint_log_rebuild(db *d, const char *dir, cc_error *err)
{
    char path[AUDIT_PATH_MAX], temp[AUDIT_PATH_MAX + 32];
    cc_status st = audit_datadir_file(dir, AUDIT_CHECKPOINT_FILE, path, err);
    if (st != CC_OK)
        return st;
    snprintf(temp, sizeof temp, "%s.rebuild-%ld", path, (long)getpid());
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return io_fail(err, "create", temp);
    rebuild_walk w = {fd, temp};
    st = audit_checkpoint_rows(d, write_row_line, &w, err);
    if (st == CC_OK && fsync(fd) != 0)
        st = io_fail(err, "write", temp);
    close(fd);
    /* link refuses an existing name: a log is never replaced here */
    if (st == CC_OK && link(temp, path) != 0)
        st = errno == EEXIST ? cc_fail(err, CC_CONFLICT, NULL, "checkpoint_log_exists",
                                       "%s exists; move it aside first", path)
                             : io_fail(err, "create", path);
    unlink(temp);
    if (st == CC_OK)
        sync_dir_of(path);
    return st;
}

/* ---- automatic checkpoints ---- */

static pthread_mutex_t auto_lock = PTHREAD_MUTEX_INITIALIZER;
static audit_signer auto_signer;
static int64_t auto_every;
static _Atomic int64_t next_due = INT64_MAX; /* INT64_MAX: off */

static void write_due(db *d, void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&auto_lock);
    if (auto_every > 0) {
        checkpoint c;
        cc_error err;
        if (audit_checkpoint_write(d, &auto_signer, "every entries", &c, NULL, &err) == CC_OK)
            atomic_store(&next_due, c.entries + auto_every);
        else
            fprintf(stderr, "cellclinic: cannot write an audit checkpoint: %s\n", err.message);
    }
    pthread_mutex_unlock(&auto_lock);
}

void audit_checkpoint_note_append(db *d, int64_t seq)
{
    if (seq >= atomic_load(&next_due))
        db_after_commit(d, write_due, NULL);
}

cc_status audit_checkpoints_auto(db *d, const audit_signer *s, int64_t every, cc_error *err)
{
    int64_t covered = 0;
    cc_status st = CC_OK;
    if (s)
        st = sql_scalar(d, "SELECT COALESCE(MAX(entries), 0) FROM audit_checkpoints", NULL, 0,
                        &covered, err);
    if (st != CC_OK)
        return st;
    pthread_mutex_lock(&auto_lock);
    audit_signer_wipe(&auto_signer);
    if (s && every > 0) {
        auto_signer = *s;
        auto_every = every;
        atomic_store(&next_due, covered + every);
    } else {
        auto_every = 0;
        atomic_store(&next_due, INT64_MAX);
    }
    pthread_mutex_unlock(&auto_lock);
    return CC_OK;
}
