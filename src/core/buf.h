/*
 * buf: the one growable, bounded string builder of the project.
 *
 * Invariants: after buf_init, b->data is never NULL and is always
 * NUL-terminated; b->len < b->cap; b->len never exceeds b->max.
 * An append that would exceed the maximum (or fails to allocate) leaves the
 * content as it was, sets b->failed, and makes every later append a no-op, so
 * a caller may append many times and check buf_failed() once at the end.
 *
 * Ownership: the buffer owns data; buf_release frees it; buf_detach hands it to
 * the caller (free() it). Not thread-safe; one buffer per thread.
 */
#ifndef CC_BUF_H
#define CC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* largest allowed len */
    bool failed;
    char empty[1]; /* data points here until the first allocation */
} buf;

void buf_init(buf *b, size_t max);
void buf_release(buf *b);
void buf_reset(buf *b);                /* len = 0, keeps memory, clears failed */
void buf_truncate(buf *b, size_t len); /* back to len (<= b->len), keeps failed */
char *buf_detach(buf *b);              /* caller frees; NULL if failed */
bool buf_failed(const buf *b);

/* The append that grows the buffer or fails; buf_append calls it. */
void buf_append_slow(buf *b, const char *s, size_t n);

/* Inline: JSON rendering appends a few bytes at a time, millions of times a
 * second under load, and the call cost as much as the copy. */
static inline void buf_append(buf *b, const char *s, size_t n)
{
    if (b->failed || n >= b->cap - b->len || n > b->max - b->len) {
        buf_append_slow(b, s, n);
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void buf_puts(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static inline void buf_putc(buf *b, char c)
{
    buf_append(b, &c, 1);
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends v as printf's "%.15g" writes it. Values that are whole thousandths
 * under 10^12 in magnitude (kilograms from grams, most stored measures) are
 * written from their integer digits, without printf's formatting machinery,
 * which cost more than the rest of a row of JSON; the text is the same. */
void buf_put_g15(buf *b, double v);

/* Appends v in decimal, as printf's "%lld" writes it. */
void buf_put_int(buf *b, long long v);

/* Appends s as a JSON string literal, quotes included, escaping what RFC 8259
 * requires (quote, backslash, control characters). NULL appends null. */
void buf_json_string(buf *b, const char *s);

#endif
