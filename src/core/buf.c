#include "buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max)
{
    b->empty[0] = '\0';
    b->data = b->empty;
    b->len = 0;
    b->cap = 1;
    b->max = max;
    b->failed = false;
}

void buf_release(buf *b)
{
    if (b->data != b->empty)
        free(b->data);
    buf_init(b, b->max);
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->data[0] = '\0';
    b->failed = false;
}

void buf_truncate(buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

bool buf_failed(const buf *b)
{
    return b->failed;
}

char *buf_detach(buf *b)
{
    if (b->failed) {
        buf_release(b);
        return NULL;
    }
    char *out = b->data;
    if (out == b->empty) {
        out = malloc(1);
        if (out)
            out[0] = '\0';
    }
    b->data = b->empty;
    buf_init(b, b->max);
    return out;
}

static bool ensure_room(buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > b->max - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need)
        cap *= 2;
    char *grown = b->data == b->empty ? malloc(cap) : realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    if (b->data == b->empty)
        grown[0] = '\0';
    b->data = grown;
    b->cap = cap;
    return true;
}

void buf_append_slow(buf *b, const char *s, size_t n)
{
    if (!ensure_room(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_append(b, small, (size_t)n);
        return;
    }
    if (!ensure_room(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Writes magnitude's decimal digits backwards, ending at end; returns their
 * start. */
static char *digits_before(char *end, unsigned long long magnitude)
{
    char *p = end;
    do {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    return p;
}

void buf_put_int(buf *b, long long v)
{
    char text[24], *end = text + sizeof text;
    unsigned long long magnitude = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char *p = digits_before(end, magnitude);
    if (v < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(end - p));
}

void buf_put_g15(buf *b, double v)
{
    /* k / 1000 with |k| < 10^15 needs at most 15 significant digits, so
     * "%.15g" writes that decimal exactly: its integer part, then the
     * fraction's digits without trailing zeros, no exponent (below 10^12
     * "%g" never switches to one) */
    double scaled = v * 1000.0;
    if (!(fabs(v) < 1e12) || scaled != nearbyint(scaled) || scaled / 1000.0 != v ||
        (v == 0.0 && signbit(v))) {
        buf_printf(b, "%.15g", v);
        return;
    }
    long long k = llrint(scaled);
    unsigned long long magnitude = k < 0 ? (unsigned long long)-k : (unsigned long long)k;
    char text[32], *end = text + sizeof text, *p = end;
    unsigned fraction = (unsigned)(magnitude % 1000);
    unsigned long long whole = magnitude / 1000;
    int digits = 3;
    while (digits > 0 && fraction % 10 == 0) { /* trailing zeros go */
        fraction /= 10;
        digits--;
    }
    for (int i = 0; i < digits; i++) {
        *--p = (char)('0' + fraction % 10);
        fraction /= 10;
    }
    if (digits > 0)
        *--p = '.';
    p = digits_before(p, whole);
    if (k < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(end - p));
}

void buf_json_string(buf *b, const char *s)
{
    if (!s) {
        buf_puts(b, "null");
        return;
    }
    buf_putc(b, '"');
    const char *run = s, *p = s;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default: buf_printf(b, "\\u%04x", c); break;
        }
    }
    buf_append(b, run, (size_t)(p - run));
    buf_putc(b, '"');
}
