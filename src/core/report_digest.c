#include "report_digest.h"

#include <string.h>

static void put_u8(buf *b, unsigned v)
{
    buf_putc(b, (char)(unsigned char)v);
}

/* The low n bytes of v, least significant first. */
static void put_le(buf *b, uint64_t v, int n)
{
    char bytes[8];
    for (int i = 0; i < n; i++)
        bytes[i] = (char)((v >> (8 * i)) & 0xff);
    buf_append(b, bytes, (size_t)n);
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
    put_le(b, (uint64_t)h->plan_id, 8);
    put_u8(b, (h->screened ? 1u : 0u) | (h->eligible ? 2u : 0u) | (h->visits_left_out ? 4u : 0u));
    put_le(b, (uint32_t)h->screened_on, 4);
    put_le(b, (uint32_t)h->start, 4);
    put_le(b, (uint32_t)h->first_administration, 4);
    put_le(b, (uint64_t)h->administrations, 8);
    put_le(b, h->n_visits, 2);
    put_le(b, h->n_seen, 2);
    put_le(b, h->n_values, 2);
}

void digest_put_visit(buf *b, const digest_visit *v)
{
    put_text(b, v->label, DIGEST_LABEL_MAX);
    put_le(b, (uint32_t)v->months, 4);
    put_le(b, (uint32_t)v->target, 4);
    put_le(b, (uint32_t)v->window_start, 4);
    put_le(b, (uint32_t)v->window_end, 4);
    put_u8(b, v->status);
    put_u8(b, (v->asks_satisfaction ? 1u : 0u) | (v->satisfaction_link ? 2u : 0u));
}

void digest_put_seen(buf *b, uint32_t measure)
{
    put_le(b, measure, 4);
}

void digest_put_value(buf *b, const digest_value *v)
{
    uint64_t bits;
    memcpy(&bits, &v->value, sizeof bits);
    put_le(b, v->measure, 4);
    put_le(b, v->slot, 2);
    put_le(b, bits, 8);
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

/* n bytes, least significant first (the caller checked that they are there). */
static uint64_t get_le(digest_reader *r, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | r->at[i];
    r->at += n;
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
    h->plan_id = (int64_t)get_le(r, 8);
    unsigned flags = get_u8(r);
    h->screened = flags & 1u;
    h->eligible = (flags & 2u) != 0;
    h->visits_left_out = (flags & 4u) != 0;
    h->screened_on = (cc_date)(uint32_t)get_le(r, 4);
    h->start = (cc_date)(uint32_t)get_le(r, 4);
    h->first_administration = (cc_date)(uint32_t)get_le(r, 4);
    h->administrations = (int64_t)get_le(r, 8);
    h->n_visits = (uint16_t)get_le(r, 2);
    h->n_seen = (uint16_t)get_le(r, 2);
    h->n_values = (uint16_t)get_le(r, 2);
    return flags <= 7u;
}

bool digest_get_visit(digest_reader *r, digest_visit *v)
{
    if (!get_text(r, v->label, DIGEST_LABEL_MAX) || !have(r, VISIT_FIXED))
        return false;
    v->months = (int32_t)(uint32_t)get_le(r, 4);
    v->target = (cc_date)(uint32_t)get_le(r, 4);
    v->window_start = (cc_date)(uint32_t)get_le(r, 4);
    v->window_end = (cc_date)(uint32_t)get_le(r, 4);
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
    *measure = (uint32_t)get_le(r, 4);
    return true;
}

bool digest_get_value(digest_reader *r, digest_value *v)
{
    if (!have(r, VALUE_BYTES))
        return false;
    v->measure = (uint32_t)get_le(r, 4);
    v->slot = (uint16_t)get_le(r, 2);
    uint64_t bits = get_le(r, 8);
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
