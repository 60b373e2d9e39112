#include "checkpoint.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

static const char MESSAGE_PREFIX[] = "cellclinic audit checkpoint";

bool checkpoint_message(const checkpoint *c, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s v1 %lld %lld %s %s %s", MESSAGE_PREFIX, (long long)c->seq,
                     (long long)c->entries, c->head, c->at, c->public_key);
    return n > 0 && (size_t)n < cap;
}

bool checkpoint_format(const checkpoint *c, char *out, size_t cap)
{
    int n = snprintf(out, cap, "v1 %lld %lld %s %s %s %s\n", (long long)c->seq,
                     (long long)c->entries, c->head, c->at, c->public_key, c->signature);
    return n > 0 && (size_t)n < cap;
}

/* The next space-separated field of [*p, end): its start and length. */
static bool next_field(const char **p, const char *end, const char **start, size_t *len)
{
    if (*p >= end)
        return false;
    const char *s = *p, *e = memchr(s, ' ', (size_t)(end - s));
    if (!e)
        e = end;
    *start = s;
    *len = (size_t)(e - s);
    *p = e < end ? e + 1 : end;
    return *len > 0;
}

static bool is_lower_hex(const char *s, size_t len, size_t want)
{
    if (len != want)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* A decimal without sign or leading zero, at most 18 digits, >= min. */
static bool parse_count(const char *s, size_t len, int64_t min, int64_t *out)
{
    if (len == 0 || len > 18 || (len > 1 && s[0] == '0'))
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return v >= min;
}

static void copy_field(char *dst, const char *src, size_t len)
{
    memcpy(dst, src, len);
    dst[len] = '\0';
}

bool checkpoint_parse(const char *line, size_t len, checkpoint *out, const char **problem)
{
    const char *p = line, *end = line + len, *f[7];
    size_t n[7];
    int count = 0;
    if (len > 0 && line[len - 1] == ' ') {
        *problem = "a space at the end";
        return false;
    }
    while (count < 7 && next_field(&p, end, &f[count], &n[count]))
        count++;
    if (count != 7 || p != end) {
        *problem = "not 7 space-separated fields";
        return false;
    }
    if (n[0] != 2 || memcmp(f[0], "v1", 2) != 0) {
        *problem = "unknown format version (expected v1)";
        return false;
    }
    if (!parse_count(f[1], n[1], 1, &out->seq)) {
        *problem = "bad checkpoint number";
        return false;
    }
    if (!parse_count(f[2], n[2], 0, &out->entries)) {
        *problem = "bad entry count";
        return false;
    }
    if (!is_lower_hex(f[3], n[3], CHECKPOINT_HASH_HEX - 1)) {
        *problem = "bad head hash (64 lower-case hex digits)";
        return false;
    }
    copy_field(out->head, f[3], n[3]);
    int64_t seconds;
    cc_error ignored;
    if (n[4] != CHECKPOINT_AT_TEXT - 1) {
        *problem = "bad time (YYYY-MM-DDThh:mm:ssZ)";
        return false;
    }
    copy_field(out->at, f[4], n[4]);
    if (instant_parse(out->at, "at", &seconds, &ignored) != CC_OK) {
        *problem = "bad time (YYYY-MM-DDThh:mm:ssZ)";
        return false;
    }
    if (!is_lower_hex(f[5], n[5], CHECKPOINT_KEY_HEX - 1)) {
        *problem = "bad public key (64 lower-case hex digits)";
        return false;
    }
    copy_field(out->public_key, f[5], n[5]);
    if (!is_lower_hex(f[6], n[6], CHECKPOINT_SIGNATURE_HEX - 1)) {
        *problem = "bad signature (128 lower-case hex digits)";
        return false;
    }
    copy_field(out->signature, f[6], n[6]);
    return true;
}
