/*
 * backup_crypt: the encrypted backup file format and its keys (libsodium).
 *
 * An encrypted backup is the plain backup (a SQLite file) sealed as:
 *
 *   magic "CCBACKUP" (8 bytes) | format version 1 (1 byte) | kind (1 byte)
 *   kind 1, passphrase: salt (16) | opslimit (8, little-endian) |
 *                       memlimit (8, little-endian)   -> key = argon2id(passphrase)
 *   kind 2, public key: crypto_box_seal of a random 32-byte stream key (80)
 *   secretstream header (24)
 *   chunks: crypto_secretstream_xchacha20poly1305 messages of 1 MiB of
 *           plaintext each (+17 bytes), the last one shorter or equal and
 *           tagged FINAL; the bytes above are the additional data of the
 *           first chunk, so the header cannot be changed either.
 *
 * A wrong key, a changed byte, a truncated or extended file all fail to
 * decrypt (CC_INVALID naming why); decryption writes only authenticated
 * bytes but the caller must discard its output on any failure.
 *
 * Key files are one line of text: "cellclinic-backup-public-key-v1 BASE64"
 * (32 bytes) and "cellclinic-backup-secret-key-v1 BASE64" (32 bytes; the
 * public key is derived from it). backup_keygen writes the secret key with
 * mode 0600 and the public key beside it as PATH.pub, both new files.
 *
 * Buffers holding keys are wiped by backup_key_wipe. Thread-safe.
 */
#ifndef CC_BACKUP_CRYPT_H
#define CC_BACKUP_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

enum { BACKUP_KEY_BYTES = 32, BACKUP_PASSPHRASE_MIN = 12, BACKUP_PASSPHRASE_MAX = 1024 };

extern const char BACKUP_CRYPT_MAGIC[8];

typedef struct {
    const char *passphrase; /* NULL when a key pair is used */
    bool has_public, has_secret;
    unsigned char public_key[BACKUP_KEY_BYTES];
    unsigned char secret_key[BACKUP_KEY_BYTES];
} backup_key;

/* Does a file starting with these bytes claim to be an encrypted backup? */
bool backup_crypt_is_sealed(const unsigned char *head, size_t n);

/* Seals in (from its current position to its end) into out with a
 * passphrase or a public key. */
cc_status backup_crypt_seal(FILE *in, FILE *out, const backup_key *key, cc_error *err);
/* Opens a sealed file with the passphrase or the secret key it was sealed for. */
cc_status backup_crypt_open(FILE *in, FILE *out, const backup_key *key, cc_error *err);

cc_status backup_keygen(const char *secret_path, cc_error *err);
/* field names the option the path came from, for the error. */
cc_status backup_key_read_public(const char *path, const char *field, backup_key *key,
                                 cc_error *err);
cc_status backup_key_read_secret(const char *path, const char *field, backup_key *key,
                                 cc_error *err);
void backup_key_wipe(backup_key *key);

#endif
