#include "backup_crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char BACKUP_CRYPT_MAGIC[8] = {'C', 'C', 'B', 'A', 'C', 'K', 'U', 'P'};

enum {
    FORMAT_VERSION = 1,
    KIND_PASSPHRASE = 1,
    KIND_PUBLIC_KEY = 2,
    CHUNK = 1 << 20,
    PREFIX = 10, /* magic, version, kind */
    PASS_PARAMS = crypto_pwhash_SALTBYTES + 16,
    SEALED_KEY = crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES,
    HEADER_MAX = PREFIX + SEALED_KEY + crypto_secretstream_xchacha20poly1305_HEADERBYTES,
    /* a crafted header must not make restore allocate or spin without bound */
    MEMLIMIT_CAP = 1 << 30,
    OPSLIMIT_CAP = 64,
};

static const char PUBLIC_TAG[] = "cellclinic-backup-public-key-v1 ";
static const char SECRET_TAG[] = "cellclinic-backup-secret-key-v1 ";

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

bool backup_crypt_is_sealed(const unsigned char *head, size_t n)
{
    return n >= sizeof BACKUP_CRYPT_MAGIC &&
           memcmp(head, BACKUP_CRYPT_MAGIC, sizeof BACKUP_CRYPT_MAGIC) == 0;
}

static cc_status derive(const char *passphrase, const unsigned char *salt, uint64_t ops,
                        uint64_t mem, unsigned char *key, cc_error *err)
{
    if (crypto_pwhash(key, crypto_secretstream_xchacha20poly1305_KEYBYTES, passphrase,
                      strlen(passphrase), salt, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory",
                       "not enough memory to derive the key from the passphrase");
    return CC_OK;
}

static cc_status write_all(FILE *out, const void *p, size_t n, cc_error *err)
{
    if (fwrite(p, 1, n, out) != n)
        return cc_fail(err, CC_STORAGE, "to", "write_failed", "cannot write the backup: %s",
                       strerror(errno));
    return CC_OK;
}

/* field: "from" reading the backup, NULL reading the plain copy. */
static cc_status read_chunk(FILE *in, unsigned char *buf, size_t cap, size_t *n, const char *field,
                            cc_error *err)
{
    *n = fread(buf, 1, cap, in);
    if (!ferror(in))
        return CC_OK;
    return cc_fail(err, CC_STORAGE, field, "read_failed", "cannot read %s: %s",
                   field ? "the backup" : "the copy", strerror(errno));
}

/* One chunk of plaintext and its ciphertext; the plaintext is wiped on release. */
typedef struct {
    unsigned char *plain, *cipher;
} chunk_buffers;

/* On failure the stream state (it holds the key) is wiped. */
static cc_status buffers_get(chunk_buffers *b, crypto_secretstream_xchacha20poly1305_state *state,
                             cc_error *err)
{
    b->plain = malloc(CHUNK);
    b->cipher = malloc(CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
    if (b->plain && b->cipher)
        return CC_OK;
    free(b->plain);
    free(b->cipher);
    sodium_memzero(state, sizeof *state);
    return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

static void buffers_release(chunk_buffers *b, crypto_secretstream_xchacha20poly1305_state *state)
{
    sodium_memzero(state, sizeof *state);
    sodium_memzero(b->plain, CHUNK);
    free(b->plain);
    free(b->cipher);
}

cc_status backup_crypt_seal(FILE *in, FILE *out, const backup_key *key, cc_error *err)
{
    unsigned char header[HEADER_MAX];
    unsigned char k[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    size_t hlen = PREFIX;
    memcpy(header, BACKUP_CRYPT_MAGIC, sizeof BACKUP_CRYPT_MAGIC);
    header[8] = FORMAT_VERSION;
    cc_status st = CC_OK;
    if (key->passphrase) {
        header[9] = KIND_PASSPHRASE;
        unsigned char *salt = header + hlen;
        randombytes_buf(salt, crypto_pwhash_SALTBYTES);
        uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE, mem = crypto_pwhash_MEMLIMIT_MODERATE;
        put_u64(salt + crypto_pwhash_SALTBYTES, ops);
        put_u64(salt + crypto_pwhash_SALTBYTES + 8, mem);
        hlen += PASS_PARAMS;
        if ((st = derive(key->passphrase, salt, ops, mem, k, err)) != CC_OK)
            return st;
    } else if (key->has_public) {
        header[9] = KIND_PUBLIC_KEY;
        crypto_secretstream_xchacha20poly1305_keygen(k);
        crypto_box_seal(header + hlen, k, sizeof k, key->public_key);
        hlen += SEALED_KEY;
    } else {
        return cc_fail(err, CC_INTERNAL, NULL, "no_key", "no key to encrypt with");
    }
    crypto_secretstream_xchacha20poly1305_state state;
    crypto_secretstream_xchacha20poly1305_init_push(&state, header + hlen, k);
    sodium_memzero(k, sizeof k);
    size_t aad_len = hlen;
    hlen += crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    if ((st = write_all(out, header, hlen, err)) != CC_OK)
        return st;
    chunk_buffers b;
    if ((st = buffers_get(&b, &state, err)) != CC_OK)
        return st;
    unsigned char *plain = b.plain, *cipher = b.cipher;
    bool first = true;
    for (;;) {
        size_t n;
        if ((st = read_chunk(in, plain, CHUNK, &n, NULL, err)) != CC_OK)
            break;
        /* a full chunk is the last one only when nothing follows it */
        int c = n == CHUNK ? fgetc(in) : EOF;
        bool last = c == EOF;
        if (!last)
            ungetc(c, in);
        unsigned long long clen;
        crypto_secretstream_xchacha20poly1305_push(
            &state, cipher, &clen, plain, n, first ? header : NULL, first ? aad_len : 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        first = false;
        if ((st = write_all(out, cipher, (size_t)clen, err)) != CC_OK || last)
            break;
    }
    buffers_release(&b, &state);
    return st;
}

static cc_status refuse(cc_error *err, const char *code, const char *why)
{
    return cc_fail(err, CC_INVALID, "from", code, "the backup is refused: %s", why);
}

/* Reads the header and derives or unseals the stream key. */
static cc_status open_header(FILE *in, const backup_key *key, unsigned char *header,
                             size_t *aad_len, unsigned char *k, cc_error *err)
{
    if (fread(header, 1, PREFIX, in) != PREFIX || !backup_crypt_is_sealed(header, PREFIX))
        return refuse(err, "not_a_backup", "it is not an encrypted cellclinic backup");
    if (header[8] != FORMAT_VERSION)
        return refuse(err, "unknown_format", "its format version is unknown to this program");
    size_t hlen = PREFIX;
    if (header[9] == KIND_PASSPHRASE) {
        if (!key->passphrase)
            return cc_fail(err, CC_INVALID, "passphrase-file", "passphrase_needed",
                           "the backup is encrypted with a passphrase: give --passphrase-file");
        if (fread(header + hlen, 1, PASS_PARAMS, in) != PASS_PARAMS)
            return refuse(err, "truncated", "it is truncated (header)");
        const unsigned char *salt = header + hlen;
        uint64_t ops = get_u64(salt + crypto_pwhash_SALTBYTES);
        uint64_t mem = get_u64(salt + crypto_pwhash_SALTBYTES + 8);
        hlen += PASS_PARAMS;
        if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > OPSLIMIT_CAP ||
            mem < crypto_pwhash_MEMLIMIT_MIN || mem > MEMLIMIT_CAP)
            return refuse(err, "bad_header", "its key derivation parameters are out of range");
        cc_status st = derive(key->passphrase, salt, ops, mem, k, err);
        if (st != CC_OK)
            return st;
    } else if (header[9] == KIND_PUBLIC_KEY) {
        if (!key->has_secret)
            return cc_fail(err, CC_INVALID, "secret-key", "secret_key_needed",
                           "the backup is encrypted to a public key: give --secret-key");
        if (fread(header + hlen, 1, SEALED_KEY, in) != SEALED_KEY)
            return refuse(err, "truncated", "it is truncated (header)");
        if (crypto_box_seal_open(k, header + hlen, SEALED_KEY, key->public_key, key->secret_key) !=
            0)
            return refuse(err, "wrong_key",
                          "the secret key does not open it (wrong key or altered header)");
        hlen += SEALED_KEY;
    } else {
        return refuse(err, "unknown_format", "its encryption kind is unknown to this program");
    }
    *aad_len = hlen;
    if (fread(header + hlen, 1, crypto_secretstream_xchacha20poly1305_HEADERBYTES, in) !=
        crypto_secretstream_xchacha20poly1305_HEADERBYTES)
        return refuse(err, "truncated", "it is truncated (header)");
    return CC_OK;
}

cc_status backup_crypt_open(FILE *in, FILE *out, const backup_key *key, cc_error *err)
{
    unsigned char header[HEADER_MAX];
    unsigned char k[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    size_t aad_len = 0;
    cc_status st = open_header(in, key, header, &aad_len, k, err);
    if (st != CC_OK) {
        sodium_memzero(k, sizeof k);
        return st;
    }
    crypto_secretstream_xchacha20poly1305_state state;
    int rc = crypto_secretstream_xchacha20poly1305_init_pull(&state, header + aad_len, k);
    sodium_memzero(k, sizeof k);
    if (rc != 0)
        return refuse(err, "bad_header", "its stream header is invalid");
    size_t cap = CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;
    chunk_buffers b;
    if ((st = buffers_get(&b, &state, err)) != CC_OK)
        return st;
    unsigned char *plain = b.plain, *cipher = b.cipher;
    bool first = true;
    for (;;) {
        size_t n;
        if ((st = read_chunk(in, cipher, cap, &n, "from", err)) != CC_OK)
            break;
        unsigned long long plen;
        unsigned char tag;
        if (n < crypto_secretstream_xchacha20poly1305_ABYTES) {
            st = refuse(err, "truncated", "it is truncated (its end is missing)");
            break;
        }
        if (crypto_secretstream_xchacha20poly1305_pull(&state, plain, &plen, &tag, cipher, n,
                                                       first ? header : NULL,
                                                       first ? aad_len : 0) != 0) {
            st = refuse(err, first ? "wrong_key" : "tampered",
                        first ? "it does not decrypt (wrong passphrase or key, or altered)"
                              : "a part of it has been altered or cut");
            break;
        }
        first = false;
        if ((st = write_all(out, plain, (size_t)plen, err)) != CC_OK)
            break;
        bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (final && fgetc(in) != EOF) {
            st = refuse(err, "trailing_data", "bytes follow its end");
            break;
        }
        if (final)
            break;
        if (n < cap) {
            st = refuse(err, "truncated", "it is truncated (its end is missing)");
            break;
        }
    }
    buffers_release(&b, &state);
    return st;
}

/* Writes "TAG BASE64\n" to a new file with mode. */
static cc_status write_key_file(const char *path, const char *tag, const unsigned char *key,
                                int mode, cc_error *err)
{
    char b64[sodium_base64_ENCODED_LEN(BACKUP_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, key, BACKUP_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return cc_fail(err, errno == EEXIST ? CC_INVALID : CC_STORAGE, "out", "cannot_create",
                       "cannot create %s: %s", path, strerror(errno));
    char line[sizeof SECRET_TAG + sizeof b64 + 2];
    int n = snprintf(line, sizeof line, "%s%s\n", tag, b64);
    bool ok = n > 0 && write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    sodium_memzero(line, sizeof line);
    sodium_memzero(b64, sizeof b64);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return cc_fail(err, CC_STORAGE, "out", "write_failed", "cannot write %s", path);
    }
    return CC_OK;
}

cc_status backup_keygen(const char *secret_path, cc_error *err)
{
    char pub_path[4096];
    int n = snprintf(pub_path, sizeof pub_path, "%s.pub", secret_path);
    if (n < 0 || n >= (int)sizeof pub_path)
        return cc_fail(err, CC_INVALID, "out", "path_too_long", "--out path is too long");
    unsigned char pk[BACKUP_KEY_BYTES], sk[BACKUP_KEY_BYTES];
    crypto_box_keypair(pk, sk);
    cc_status st = write_key_file(secret_path, SECRET_TAG, sk, 0600, err);
    sodium_memzero(sk, sizeof sk);
    if (st == CC_OK && (st = write_key_file(pub_path, PUBLIC_TAG, pk, 0644, err)) != CC_OK)
        unlink(secret_path);
    return st;
}

static cc_status read_key_file(const char *path, const char *field, const char *tag,
                               unsigned char *out, cc_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cc_fail(err, CC_INVALID, field, "unreadable", "cannot read %s: %s", path,
                       strerror(errno));
    char line[256];
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t tlen = strlen(tag), len;
    const char *end;
    cc_status st = CC_OK;
    if (!got || strncmp(line, tag, tlen) != 0 ||
        sodium_base642bin(out, BACKUP_KEY_BYTES, line + tlen, strlen(line + tlen), " \r\n", &len,
                          &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != BACKUP_KEY_BYTES || *end != '\0')
        st = cc_fail(err, CC_INVALID, field, "not_a_key",
                     "%s is not a cellclinic backup %s key file (made by cellclinic backup keygen)",
                     path, strstr(tag, "secret") ? "secret" : "public");
    sodium_memzero(line, sizeof line);
    return st;
}

cc_status backup_key_read_public(const char *path, const char *field, backup_key *key,
                                 cc_error *err)
{
    cc_status st = read_key_file(path, field, PUBLIC_TAG, key->public_key, err);
    key->has_public = st == CC_OK;
    return st;
}

cc_status backup_key_read_secret(const char *path, const char *field, backup_key *key,
                                 cc_error *err)
{
    cc_status st = read_key_file(path, field, SECRET_TAG, key->secret_key, err);
    if (st != CC_OK)
        return st;
    crypto_scalarmult_base(key->public_key, key->secret_key);
    key->has_secret = key->has_public = true;
    return CC_OK;
}

void backup_key_wipe(backup_key *key)
{
    sodium_memzero(key->secret_key, sizeof key->secret_key);
    key->has_secret = false;
}
