#include "totp.h"

#include <stdio.h>
#include <string.h>

int64_t totp_step(int64_t unix_seconds)
{
    int64_t q = unix_seconds / TOTP_STEP_SECONDS;
    if (unix_seconds % TOTP_STEP_SECONDS < 0)
        q--;
    return q;
}

uint32_t totp_hotp(totp_hmac_sha1 hmac, const uint8_t *key, size_t key_len, uint64_t counter,
                   int digits)
{
    uint8_t msg[8];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    uint8_t mac[TOTP_SHA1_BYTES];
    hmac(key, key_len, msg, sizeof msg, mac);
    int offset = mac[TOTP_SHA1_BYTES - 1] & 0x0f;
    uint32_t binary = ((uint32_t)(mac[offset] & 0x7f) << 24) | ((uint32_t)mac[offset + 1] << 16) |
                      ((uint32_t)mac[offset + 2] << 8) | (uint32_t)mac[offset + 3];
    uint32_t modulus = 1;
    for (int i = 0; i < digits; i++)
        modulus *= 10;
    return binary % modulus;
}

void totp_format(uint32_t code, int digits, char *out, size_t out_size)
{
    snprintf(out, out_size, "%0*u", digits, (unsigned)code);
}

bool totp_parse_code(const char *text, uint32_t *code)
{
    uint32_t v = 0;
    int n = 0;
    for (; text[n]; n++) {
        if (n >= TOTP_DIGITS || text[n] < '0' || text[n] > '9')
            return false;
        v = v * 10 + (uint32_t)(text[n] - '0');
    }
    if (n != TOTP_DIGITS)
        return false;
    *code = v;
    return true;
}

totp_result totp_verify(totp_hmac_sha1 hmac, const uint8_t *key, size_t key_len, int64_t now_step,
                        uint32_t code, int64_t last_used_step, int64_t *matched_step)
{
    /* Every step of the window is computed, matching or not, so the time
     * taken does not tell which step matched. */
    int64_t found = -1;
    for (int64_t s = now_step - TOTP_WINDOW; s <= now_step + TOTP_WINDOW; s++) {
        if (s < 0)
            continue;
        uint32_t expected = totp_hotp(hmac, key, key_len, (uint64_t)s, TOTP_DIGITS);
        if (expected == code && found < 0)
            found = s;
    }
    if (found < 0)
        return TOTP_WRONG;
    if (found <= last_used_step)
        return TOTP_REUSED;
    *matched_step = found;
    return TOTP_MATCH;
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

bool totp_base32_encode(const uint8_t *data, size_t n, char *out, size_t out_size)
{
    if (out_size < (n * 8 + 4) / 5 + 1)
        return false;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = B32[(acc << (5 - bits)) & 31];
    out[o] = '\0';
    return true;
}

bool totp_base32_decode(const char *text, uint8_t *out, size_t out_size, size_t *n)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        const char *hit = c ? strchr(B32, c) : NULL;
        if (!hit)
            return false;
        acc = (acc << 5) | (uint32_t)(hit - B32);
        bits += 5;
        if (bits >= 8) {
            if (o >= out_size)
                return false;
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    *n = o;
    return true;
}

static bool append(char *out, size_t out_size, size_t *o, const char *s)
{
    size_t len = strlen(s);
    if (*o + len >= out_size)
        return false;
    memcpy(out + *o, s, len + 1);
    *o += len;
    return true;
}

static bool append_encoded(char *out, size_t out_size, size_t *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char piece[4];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            piece[0] = (char)c;
            piece[1] = '\0';
        } else {
            snprintf(piece, sizeof piece, "%%%02X", c);
        }
        if (!append(out, out_size, o, piece))
            return false;
    }
    return true;
}

bool totp_uri(const char *issuer, const char *account, const char *secret_base32, char *out,
              size_t out_size)
{
    size_t o = 0;
    if (out_size == 0)
        return false;
    out[0] = '\0';
    bool ok = append(out, out_size, &o, "otpauth://totp/") &&
              append_encoded(out, out_size, &o, issuer) && append(out, out_size, &o, ":") &&
              append_encoded(out, out_size, &o, account) && append(out, out_size, &o, "?secret=") &&
              append(out, out_size, &o, secret_base32) && append(out, out_size, &o, "&issuer=") &&
              append_encoded(out, out_size, &o, issuer) &&
              append(out, out_size, &o, "&algorithm=SHA1&digits=6&period=30");
    if (!ok)
        out[0] = '\0';
    return ok;
}
