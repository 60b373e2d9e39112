#include "report_digest.h"

#include <string.h>

static void put_u8(buf *b, unsigned v)
{
    buf_putc(b, (char)(unsigned char)v);
}

static void put_u16(buf *b, uint16_t v)
{
    char bytes[2] = {(char)(v & 0xff), (char)(v >> 8)};
    buf_append(b, bytes, sizeof bytes);
}

static void put_u32(buf *b, uint32_t v)
{
    char bytes[4];
    for (int i = 0; i < 4; i++)
        bytes[i] = (char)((v >> (8 * i)) & 0xff);
    buf_append(b, bytes, sizeof bytes);
}

static void put_u64(buf *b, uint64_t v)
{
    char bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (char)((v >> (8 * i)) & 0xff);
    buf_append(b, bytes, sizeof bytes);
}

static void put_text(buf *b, const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    put_u8(b, (unsigned)n);
    buf_append(b, s, n);
}

void digest_put_head(buf *b, const digest_head *h)
{
    put_text(b, h->protocol, DIGEST_PROTOCOL_MAX);
    put_u64(b, (uint64_t)h->plan_id);
    put_u8(b, (h->screened ? 1u : 0u) | (h->eligible ? 2u : 0u) | (h->visits_left_out ? 4u : 0u));
    put_u32(b, (uint32_t)h->screened_on);
    put_u32(b, (uint32_t)h->start);
    put_u32(b, (uint32_t)h->first_administration);
    put_u64(b, (uint64_t)h->administrations);
    put_u16(b, h->n_visits);
    put_u16(b, h->n_seen);
    put_u16(b, h->n_values);
}

void digest_put_visit(buf *b, const digest_visit *v)
{
    put_text(b, v->label, DIGEST_LABEL_MAX);
    put_u32(b, (uint32_t)v->months);
    put_u32(b, (uint32_t)v->target);
    put_u32(b, (uint32_t)v->window_start);
    put_u32(b, (uint32_t)v->window_end);
    put_u8(b, v->status);
    put_u8(b, (v->asks_satisfaction ? 1u : 0u) | (v->satisfaction_link ? 2u : 0u));
}

void digest_put_seen(buf *b, uint32_t measure)
{
    put_u32(b, measure);
}

void digest_put_value(buf *b, const digest_value *v)
{
    uint64_t bits;
    memcpy(&bits, &v->value, sizeof bits);
    put_u32(b, v->measure);
    put_u16(b, v->slot);
    put_u64(b, bits);
}

void digest_reader_init(digest_reader *r, const unsigned char *bytes, size_t len)
{
    r->at = bytes;
    r->end = bytes ? bytes + len : bytes;
}

bool digest_more(const digest_reader *r)
{
    return r->at < r->end;
}

static bool have(const digest_reader *r, size_t n)
{
    return (size_t)(r->end - r->at) >= n;
}

static unsigned get_u8(digest_reader *r)
{
    return *r->at++;
}

static uint16_t get_u16(digest_reader *r)
{
    uint16_t v = (uint16_t)(r->at[0] | (r->at[1] << 8));
    r->at += 2;
    return v;
}

static uint32_t get_u32(digest_reader *r)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | r->at[i];
    r->at += 4;
    return v;
}

static uint64_t get_u64(digest_reader *r)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | r->at[i];
    r->at += 8;
    return v;
}

/* A length byte and that many bytes, into out (max + 1 bytes). */
static bool get_text(digest_reader *r, char *out, size_t max)
{
    if (!have(r, 1))
        return false;
    size_t n = get_u8(r);
    if (n > max || !have(r, n) || memchr(r->at, '\0', n))
        return false;
    memcpy(out, r->at, n);
    out[n] = '\0';
    r->at += n;
    return true;
}

/* head after its protocol: plan 8, flags 1, three days 12, count 8, three lengths 6 */
enum { HEAD_FIXED = 35, VISIT_FIXED = 18, VALUE_BYTES = 14 };

bool digest_get_head(digest_reader *r, digest_head *h)
{
    if (!get_text(r, h->protocol, DIGEST_PROTOCOL_MAX) || !have(r, HEAD_FIXED))
        return false;
    h->plan_id = (int64_t)get_u64(r);
    unsigned flags = get_u8(r);
    h->screened = flags & 1u;
    h->eligible = (flags & 2u) != 0;
    h->visits_left_out = (flags & 4u) != 0;
    h->screened_on = (cc_date)get_u32(r);
    h->start = (cc_date)get_u32(r);
    h->first_administration = (cc_date)get_u32(r);
    h->administrations = (int64_t)get_u64(r);
    h->n_visits = get_u16(r);
    h->n_seen = get_u16(r);
    h->n_values = get_u16(r);
    return flags <= 7u;
}

bool digest_get_visit(digest_reader *r, digest_visit *v)
{
    if (!get_text(r, v->label, DIGEST_LABEL_MAX) || !have(r, VISIT_FIXED))
        return false;
    v->months = (int32_t)get_u32(r);
    v->target = (cc_date)get_u32(r);
    v->window_start = (cc_date)get_u32(r);
    v->window_end = (cc_date)get_u32(r);
    v->status = (uint8_t)get_u8(r);
    unsigned flags = get_u8(r);
    v->asks_satisfaction = flags & 1u;
    v->satisfaction_link = (flags & 2u) != 0;
    return flags <= 3u;
}

bool digest_get_seen(digest_reader *r, uint32_t *measure)
{
    if (!have(r, 4))
        return false;
    *measure = get_u32(r);
    return true;
}

bool digest_get_value(digest_reader *r, digest_value *v)
{
    if (!have(r, VALUE_BYTES))
        return false;
    v->measure = get_u32(r);
    v->slot = get_u16(r);
    uint64_t bits = get_u64(r);
    memcpy(&v->value, &bits, sizeof bits);
    return true;
}

bool digest_skip(digest_reader *r, const digest_head *h)
{
    for (size_t k = 0; k < h->n_visits; k++) {
        if (!have(r, 1))
            return false;
        size_t n = get_u8(r);
        if (n > DIGEST_LABEL_MAX || !have(r, n + VISIT_FIXED))
            return false;
        r->at += n + VISIT_FIXED;
    }
    size_t rest = (size_t)h->n_seen * 4 + (size_t)h->n_values * VALUE_BYTES;
    if (!have(r, rest))
        return false;
    r->at += rest;
    return true;
}

bool digest_well_formed(const unsigned char *bytes, size_t len)
{
    digest_reader r;
    digest_reader_init(&r, bytes, len);
    while (digest_more(&r)) {
        digest_head h;
        digest_visit v;
        digest_value value;
        uint32_t measure;
        if (!digest_get_head(&r, &h))
            return false;
        for (size_t k = 0; k < h.n_visits; k++)
            if (!digest_get_visit(&r, &v))
                return false;
        for (size_t k = 0; k < h.n_seen; k++)
            if (!digest_get_seen(&r, &measure))
                return false;
        for (size_t k = 0; k < h.n_values; k++)
            if (!digest_get_value(&r, &value) || value.slot > h.n_visits)
                return false;
    }
    return true;
}
