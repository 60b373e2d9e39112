/*
 * checkpoint: the text of one signed checkpoint of the audit chain head.
 *
 * A checkpoint states "the audit trail held `entries` entries and the newest
 * one hashed to `head` at `at`", signed (Ed25519) by the key `public_key`.
 * One checkpoint is one line of the append-only checkpoint log:
 *
 *   v1 SEQ ENTRIES HEAD AT PUBLIC_KEY SIGNATURE
 *
 * SEQ counts checkpoints from 1; HEAD is the 64-hex hash of entry ENTRIES
 * (64 zeros when there is none); AT is "YYYY-MM-DDThh:mm:ssZ"; PUBLIC_KEY
 * is 64 hex, SIGNATURE 128 hex, both lower case. The signature covers
 * checkpoint_message: a fixed prefix naming what is signed, then the line's
 * fields before the signature, so a signature made for something else never
 * passes as a checkpoint.
 *
 * Pure: no I/O, no allocation, no signing (the caller signs the message);
 * thread-safe. Output goes to caller buffers; false when one is too small.
 */
#ifndef CC_CHECKPOINT_H
#define CC_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CHECKPOINT_HASH_HEX = 65,       /* 64 hex digits and the NUL */
    CHECKPOINT_KEY_HEX = 65,        /* Ed25519 public key, hex */
    CHECKPOINT_SIGNATURE_HEX = 129, /* Ed25519 signature, hex */
    CHECKPOINT_AT_TEXT = 21,
    CHECKPOINT_LINE_MAX = 400, /* a line with its newline and NUL fits */
};

typedef struct {
    int64_t seq;     /* 1, 2, ... */
    int64_t entries; /* audit entries covered: the head's sequence number */
    char head[CHECKPOINT_HASH_HEX];
    char at[CHECKPOINT_AT_TEXT];
    char public_key[CHECKPOINT_KEY_HEX];
    char signature[CHECKPOINT_SIGNATURE_HEX];
} checkpoint;

/* The bytes the signature covers (every field but the signature). */
bool checkpoint_message(const checkpoint *c, char *out, size_t cap);

/* The checkpoint log line, ending in a newline. */
bool checkpoint_format(const checkpoint *c, char *out, size_t cap);

/* Parses one line (len bytes, without its newline). On failure *problem
 * names what is wrong and out is unspecified. Does not check the signature. */
bool checkpoint_parse(const char *line, size_t len, checkpoint *out, const char **problem);

#endif
