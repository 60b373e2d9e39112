#include "language.h"

#include <stdbool.h>
#include <string.h>

enum { Q_SCALE = 1000 };

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* q-value: "0", "0.d{0,3}", "1" or "1.0{0,3}", in thousandths; -1 if malformed. */
static int parse_q(const char *s, size_t len)
{
    if (len == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * Q_SCALE;
    if (len == 1)
        return q;
    if (s[1] != '.' || len > 5)
        return -1;
    int scale = Q_SCALE / 10;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9' || (q == Q_SCALE && s[i] != '0'))
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q;
}

/* Whether range (len bytes) matches language: equal, or language followed
 * by '-' and a subtag, without case; "*" matches all. */
static bool range_matches(const char *range, size_t len, const char *language)
{
    if (len == 1 && range[0] == '*')
        return true;
    size_t n = strlen(language);
    if (len < n || (len > n && range[n] != '-'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(range[i]) != lower(language[i]))
            return false;
    return true;
}

/* The weight of one element "range;q=x" (spaces allowed around parts), or -1. */
static int element_weight(const char *s, size_t len, const char **range, size_t *range_len)
{
    while (len && is_space(*s))
        s++, len--;
    while (len && is_space(s[len - 1]))
        len--;
    const char *semi = memchr(s, ';', len);
    size_t rlen = semi ? (size_t)(semi - s) : len;
    while (rlen && is_space(s[rlen - 1]))
        rlen--;
    if (rlen == 0)
        return -1;
    for (size_t i = 0; i < rlen; i++) {
        char ch = lower(s[i]);
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '*'))
            return -1;
    }
    *range = s;
    *range_len = rlen;
    if (!semi)
        return Q_SCALE;
    const char *p = semi + 1;
    size_t rest = len - (size_t)(p - s);
    while (rest && is_space(*p))
        p++, rest--;
    if (rest < 2 || lower(p[0]) != 'q' || p[1] != '=')
        return -1;
    return parse_q(p + 2, rest - 2);
}

int language_negotiate(const char *accept_language, const char *const *available, size_t n)
{
    if (!accept_language)
        return -1;
    int best = -1, best_q = 0;
    size_t best_order = 0;
    /* A language weighs what the ranges naming it say, and only without
     * them what "*" says: "*, fr;q=0" refuses French. */
    for (size_t lang = 0; lang < n; lang++) {
        int q = -1, q_specific = -1;
        size_t first = 0, first_specific = 0;
        size_t order = 0;
        for (const char *s = accept_language; *s; order++) {
            const char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);
            const char *range;
            size_t range_len;
            int w = element_weight(s, len, &range, &range_len);
            if (w >= 0 && range_matches(range, range_len, available[lang])) {
                bool wildcard = range_len == 1 && range[0] == '*';
                int *slot = wildcard ? &q : &q_specific;
                size_t *at = wildcard ? &first : &first_specific;
                if (w > *slot) {
                    *slot = w;
                    *at = order;
                }
            }
            s += len + (comma ? 1 : 0);
        }
        int weight = q_specific >= 0 ? q_specific : q;
        size_t at = q_specific >= 0 ? first_specific : first;
        if (weight > best_q || (weight > 0 && weight == best_q && at < best_order)) {
            best = (int)lang;
            best_q = weight;
            best_order = at;
        }
    }
    return best;
}
