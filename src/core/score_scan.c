#include "score_scan.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { V_OBJECT, V_ARRAY, V_STRING, V_INTEGER, V_REAL, V_LITERAL } value_kind;

/* A validated value: [start, end) of its text; a string's without quotes. */
typedef struct {
    value_kind kind;
    const char *start, *end;
} span;

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A string of printable ASCII without escapes: anything else is left to jansson. */
static const char *scan_string(const char *p, span *out)
{
    if (*p != '"')
        return NULL;
    const char *s = ++p;
    while (*p != '"') {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == '\\')
            return NULL;
        p++;
    }
    *out = (span){V_STRING, s, p};
    return p + 1;
}

static const char *scan_number(const char *p, span *out)
{
    const char *s = p;
    bool real = false;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (is_digit(*p))
        while (is_digit(*p))
            p++;
    else
        return NULL;
    if (is_digit(*p))
        return NULL; /* a leading zero */
    if (*p == '.') {
        real = true;
        if (!is_digit(*++p))
            return NULL;
        while (is_digit(*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        real = true;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        const char *e = p;
        if (!is_digit(*p))
            return NULL;
        while (is_digit(*p))
            p++;
        if (p - e > 2)
            return NULL;
    }
    /* short enough that neither a long long nor a double overflows (jansson
     * refuses a document that holds such a number anywhere) */
    if (p - s > 18)
        return NULL;
    *out = (span){real ? V_REAL : V_INTEGER, s, p};
    return p;
}

static const char *scan_value(const char *p, int depth, span *out);

/* An object or array from its opening bracket. */
static const char *scan_container(const char *p, int depth, span *out)
{
    bool object = *p == '{';
    char close = object ? '}' : ']';
    const char *s = p;
    if (depth >= SCORE_SCAN_DEPTH)
        return NULL;
    p = skip_ws(p + 1);
    if (*p != close)
        for (;;) {
            span item;
            if (object) {
                if (!(p = scan_string(p, &item)))
                    return NULL;
                p = skip_ws(p);
                if (*p != ':')
                    return NULL;
                p = skip_ws(p + 1);
            }
            if (!(p = scan_value(p, depth + 1, &item)))
                return NULL;
            p = skip_ws(p);
            if (*p == close)
                break;
            if (*p != ',')
                return NULL;
            p = skip_ws(p + 1);
        }
    *out = (span){object ? V_OBJECT : V_ARRAY, s, p + 1};
    return p + 1;
}

static const char *scan_value(const char *p, int depth, span *out)
{
    static const struct {
        const char *text;
        size_t len;
    } literals[] = {{"true", 4}, {"false", 5}, {"null", 4}};
    switch (*p) {
    case '{':
    case '[': return scan_container(p, depth, out);
    case '"': return scan_string(p, out);
    default: break;
    }
    for (size_t i = 0; i < 3; i++) {
        size_t len = literals[i].len;
        if (*p == literals[i].text[0] && strncmp(p, literals[i].text, len) == 0) {
            *out = (span){V_LITERAL, p, p + len};
            return p + len;
        }
    }
    return scan_number(p, out);
}

/* ---- members of a validated object ---- */

typedef struct {
    const char *p;
} members;

static members members_of(const span *object)
{
    return (members){skip_ws(object->start + 1)};
}

/* The value at p, already validated: its kind and end without checking
 * again (strings hold no escapes, so a quote ends one). */
static const char *skip_value(const char *p, span *out)
{
    const char *s = p;
    if (*p == '"') {
        const char *q = strchr(p + 1, '"');
        *out = (span){V_STRING, p + 1, q};
        return q + 1;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        do {
            if (*p == '"')
                p = strchr(p + 1, '"');
            else if (*p == '{' || *p == '[')
                depth++;
            else if (*p == '}' || *p == ']')
                depth--;
            p++;
        } while (depth > 0);
        *out = (span){*s == '{' ? V_OBJECT : V_ARRAY, s, p};
        return p;
    }
    bool real = false;
    while (*p && !strchr(",}] \t\r\n", *p))
        real |= *p == '.' || *p == 'e' || *p == 'E', p++;
    bool number = *s == '-' || (*s >= '0' && *s <= '9');
    *out = (span){number ? (real ? V_REAL : V_INTEGER) : V_LITERAL, s, p};
    return p;
}

static bool member_next(members *it, span *key, span *value)
{
    if (*it->p == '}')
        return false;
    const char *p = scan_string(it->p, key);
    p = skip_ws(skip_ws(p) + 1); /* ':' */
    p = skip_ws(skip_value(p, value));
    it->p = *p == ',' ? skip_ws(p + 1) : p;
    return true;
}

static bool key_is(const span *key, const char *name)
{
    size_t len = strlen(name);
    return (size_t)(key->end - key->start) == len && memcmp(key->start, name, len) == 0;
}

/* The member named name (*found false when none); false when it is repeated. */
static bool member_get(const span *object, const char *name, span *out, bool *found)
{
    members it = members_of(object);
    span key, value;
    *found = false;
    while (member_next(&it, &key, &value))
        if (key_is(&key, name)) {
            if (*found)
                return false;
            *out = value;
            *found = true;
        }
    return true;
}

/* ---- values ---- */

static void put(measure_value *out, size_t *n, size_t cap, const char *name, size_t len,
                double value)
{
    if (*n >= cap || !isfinite(value) || len > MEASURE_NAME_MAX)
        return;
    memcpy(out[*n].score, name, len);
    out[*n].score[len] = '\0';
    out[(*n)++].value = value;
}

/* A JSON number (at most 18 characters: scan_number) as jansson reads it:
 * an integer as a long long made double ("-0" is 0), a real with strtod. */
static double number_value(const span *v)
{
    char text[20];
    size_t len = (size_t)(v->end - v->start);
    memcpy(text, v->start, len);
    text[len] = '\0';
    return v->kind == V_INTEGER ? (double)strtoll(text, NULL, 10) : strtod(text, NULL);
}

static bool isncsci(const span *doc, measure_value *out, size_t cap, size_t *n)
{
    span classification, totals, grade, v;
    bool found;
    if (!member_get(doc, "classification", &classification, &found))
        return false;
    if (found && classification.kind == V_OBJECT) {
        if (!member_get(&classification, "ASIAImpairmentScale", &grade, &found))
            return false;
        if (found && grade.kind == V_STRING && grade.end - grade.start == 1 &&
            grade.start[0] >= 'A' && grade.start[0] <= 'E')
            put(out, n, cap, MEASURE_AIS_SCORE, strlen(MEASURE_AIS_SCORE), grade.start[0] - 'A');
    }
    static const char *const names[][2] = {{"upperExtremity", "uems"},
                                           {"lowerExtremity", "lems"},
                                           {"lightTouch", "light_touch"},
                                           {"pinPrick", "pin_prick"}};
    if (!member_get(doc, "totals", &totals, &found))
        return false;
    if (!found || totals.kind != V_OBJECT)
        return true;
    for (size_t i = 0; i < 4; i++) {
        if (!member_get(&totals, names[i][0], &v, &found))
            return false;
        char text[64], *end;
        size_t len = (size_t)(v.end - v.start);
        if (!found || v.kind != V_STRING || len == 0)
            continue;
        if (len >= sizeof text)
            return false;
        memcpy(text, v.start, len);
        text[len] = '\0';
        double x = strtod(text, &end);
        if (!*end)
            put(out, n, cap, names[i][1], strlen(names[i][1]), x);
    }
    return true;
}

bool score_scan(const char *instrument, const char *json, measure_value *out, size_t cap, size_t *n)
{
    span doc, inner;
    bool found;
    const char *p = skip_ws(json);
    *n = 0;
    if (*p != '{' || !(p = scan_value(p, 0, &doc)) || *skip_ws(p) != '\0')
        return false;
    if (strcmp(instrument, "isncsci") == 0)
        return isncsci(&doc, out, cap, n);
    if (!member_get(&doc, "scores", &inner, &found))
        return false;
    const span *scores = found && inner.kind == V_OBJECT ? &inner : &doc;
    members it = members_of(scores);
    span key, value;
    size_t n_members = 0;
    const char *seen[2 * 64];
    while (member_next(&it, &key, &value)) {
        /* a repeated key: jansson keeps one value, in a place of its own */
        if (n_members == 64)
            return false;
        for (size_t k = 0; k < n_members; k++)
            if (seen[2 * k + 1] - seen[2 * k] == key.end - key.start &&
                memcmp(seen[2 * k], key.start, (size_t)(key.end - key.start)) == 0)
                return false;
        seen[2 * n_members] = key.start;
        seen[2 * n_members++ + 1] = key.end;
        if ((value.kind == V_INTEGER || value.kind == V_REAL) && !key_is(&key, MEASURE_AIS_SCORE))
            put(out, n, cap, key.start, (size_t)(key.end - key.start), number_value(&value));
    }
    return true;
}
