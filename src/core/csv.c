#include "csv.h"

#include <string.h>

static const char DIGITS[] = "0123456789";

/* [sign] digits [. digits] [e|E [sign] digits], with at least one digit before the
 * exponent, and nothing else. */
static bool is_number(const char *t)
{
    const char *p = t;
    if (*p == '-' || *p == '+')
        p++;
    size_t whole = strspn(p, DIGITS);
    p += whole;
    size_t fraction = 0;
    if (*p == '.') {
        fraction = strspn(p + 1, DIGITS);
        p += 1 + fraction;
    }
    if (whole == 0 && fraction == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        size_t exponent = strspn(p, DIGITS);
        if (exponent == 0)
            return false;
        p += exponent;
    }
    return *p == '\0';
}

bool csv_is_formula(const char *text)
{
    const char *t = text ? text : "";
    return *t != '\0' && strchr("=+-@\t\r", *t) != NULL && !is_number(t);
}

void csv_field_to(csv_sink sink, void *ctx, const char *text, csv_quoting quoting, bool last)
{
    const char *t = text ? text : "";
    bool formula = csv_is_formula(t);
    bool quoted = quoting == CSV_QUOTE_ALWAYS || formula || strpbrk(t, ",\"\r\n") != NULL;
    if (quoted)
        sink(ctx, "\"", 1);
    if (formula)
        sink(ctx, "'", 1);
    if (quoted) {
        /* each double quote inside is doubled (RFC 4180 2.7) */
        for (const char *quote; (quote = strchr(t, '"')) != NULL; t = quote + 1) {
            sink(ctx, t, (size_t)(quote - t) + 1);
            sink(ctx, "\"", 1);
        }
    }
    sink(ctx, t, strlen(t));
    if (quoted)
        sink(ctx, "\"", 1);
    if (last)
        sink(ctx, "\r\n", 2);
    else
        sink(ctx, ",", 1);
}

static void to_buf(void *ctx, const char *bytes, size_t n)
{
    buf_append(ctx, bytes, n);
}

void csv_field(buf *b, const char *text, csv_quoting quoting, bool last)
{
    csv_field_to(to_buf, b, text, quoting, last);
}
