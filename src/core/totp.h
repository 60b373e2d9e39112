/*
 * totp: time-based one-time passwords (RFC 6238 over HOTP, RFC 4226) and
 * their enrolment URI (the "Key Uri Format" of Google Authenticator, which
 * authenticator apps read from a QR code).
 *
 * Only the arithmetic lives here: the time step counter, the big-endian
 * counter message, the dynamic truncation of an HMAC-SHA1 result, base32
 * (RFC 4648) for the shared secret, and the verification window. The HMAC
 * itself is computed by the caller (core has no cryptographic library) and
 * passed in as totp_hmac_sha1.
 *
 * Parameters used by the server: SHA-1, 30-second steps from the Unix epoch,
 * 6 digits, the codes of the previous, current and next step accepted, and a
 * step already used by the account refused (a code seen over a shoulder or
 * replayed from a log cannot log in a second time).
 * Pure, thread-safe; the caller provides buffers.
 */
#ifndef CC_TOTP_H
#define CC_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TOTP_STEP_SECONDS = 30,
    TOTP_DIGITS = 6,
    TOTP_WINDOW = 1, /* steps accepted either side of the current one */
    TOTP_SECRET_BYTES = 20,
    TOTP_SHA1_BYTES = 20,
    /* base32 text of n bytes: 8 characters per 5 bytes, no padding */
    TOTP_SECRET_BASE32 = (TOTP_SECRET_BYTES * 8 + 4) / 5 + 1,
    TOTP_URI_MAX = 512,
};

/* mac = HMAC-SHA1(key, msg). */
typedef void (*totp_hmac_sha1)(const uint8_t *key, size_t key_len, const uint8_t *msg,
                               size_t msg_len, uint8_t mac[TOTP_SHA1_BYTES]);

/* The time step of unix_seconds (floor division: times before 1970 give
 * negative steps, which the server never sees). */
int64_t totp_step(int64_t unix_seconds);

/* HOTP value of counter with digits (1..9) decimal digits (RFC 4226 5.3). */
uint32_t totp_hotp(totp_hmac_sha1 hmac, const uint8_t *key, size_t key_len, uint64_t counter,
                   int digits);

/* The code zero-padded to digits characters. */
void totp_format(uint32_t code, int digits, char *out, size_t out_size);

/* True when text is exactly TOTP_DIGITS decimal digits; *code its value. */
bool totp_parse_code(const char *text, uint32_t *code);

typedef enum { TOTP_MATCH, TOTP_WRONG, TOTP_REUSED } totp_result;

/* Checks code against the steps now_step-TOTP_WINDOW .. now_step+TOTP_WINDOW.
 * A match at a step <= last_used_step (the last step this account logged in
 * with; 0 when never) is TOTP_REUSED. On TOTP_MATCH *matched_step is the step
 * to remember as the new last_used_step. */
totp_result totp_verify(totp_hmac_sha1 hmac, const uint8_t *key, size_t key_len, int64_t now_step,
                        uint32_t code, int64_t last_used_step, int64_t *matched_step);

/* RFC 4648 base32, upper case, without padding. out_size must be at least
 * (n * 8 + 4) / 5 + 1; false when it is not. */
bool totp_base32_encode(const uint8_t *data, size_t n, char *out, size_t out_size);

/* Decodes base32 (upper or lower case, no padding, no spaces) into out;
 * false on another character or when more than out_size bytes. *n the length. */
bool totp_base32_decode(const char *text, uint8_t *out, size_t out_size, size_t *n);

/* otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
 * with issuer and account percent-encoded (RFC 3986 unreserved characters
 * kept). False when it does not fit out_size. */
bool totp_uri(const char *issuer, const char *account, const char *secret_base32, char *out,
              size_t out_size);

#endif
