/* isncsci_scan: see isncsci_scan.h. */
#include "isncsci_scan.h"

#include <stdbool.h>
#include <string.h>

enum { VALUE_CAP = 8, GROUP_MOTOR = 0, GROUP_SENSORY = 1 };

typedef struct {
    const char *end; /* where the text's '\0' stands */
    isncsci_scan *sc;
    bool ran_out; /* the reader stopped at the end of the text */
} reader;

static const char *const EXAM_KEYS[] = {"right", "left", "voluntaryAnalContraction",
                                        "deepAnalPressure"};
static const char *const SIDE_KEYS[] = {"motor", "lightTouch", "pinPrick",
                                        "lowestNonKeyMuscleWithMotorFunction"};
enum { EXAM_KEY_COUNT = 4, SIDE_NON_KEY = 3 };

void isncsci_scan_init(isncsci_scan *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->at = ISNCSCI_SCAN_START;
    for (int i = 0; i < ISNCSCI_MUSCLES; i++)
        sc->key_name[GROUP_MOTOR][i] = isncsci_muscle_name(i);
    for (int i = 0; i < ISNCSCI_DERMATOMES; i++)
        sc->key_name[GROUP_SENSORY][i] = isncsci_dermatome_name(i);
    for (int g = 0; g < 2; g++)
        for (int i = 0; i < ISNCSCI_DERMATOMES; i++)
            if (sc->key_name[g][i] != NULL)
                sc->key_len[g][i] = (uint8_t)strlen(sc->key_name[g][i]);
}

/* the reader cannot go on at p: out of text, or something unusual */
static const char *stop(reader *r, const char *p)
{
    r->ran_out = p == r->end;
    return NULL;
}

static const char *ws(const char *p)
{
    /* most calls: a token straight away */
    while ((unsigned char)*p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* the usual separators (json.dumps): ", " or ": " then a token */
static bool separator(const char *p, char c)
{
    return p[0] == c && p[1] == ' ' && (unsigned char)p[2] > ' ';
}

/* a string of printable ASCII without escapes at p: [*s, *s + *n) its
 * content; returns past its closing quote */
static const char *plain(reader *r, const char *p, const char **s, size_t *n)
{
    if (*p != '"')
        return stop(r, p);
    const char *q = ++p;
    while ((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f && *q != '"' && *q != '\\')
        q++;
    if (*q != '"')
        return stop(r, q);
    *s = p;
    *n = (size_t)(q - p);
    return q + 1;
}

/* a key, the ':' and the white space after it: returns at the value */
static const char *key(reader *r, const char *p, const char **s, size_t *n)
{
    p = plain(r, p, s, n);
    if (p == NULL)
        return NULL;
    p = ws(p);
    if (*p != ':')
        return stop(r, p);
    return ws(p + 1);
}

/* after a member's value: at the next key (*more) or past the object's '}' */
static const char *next_member(reader *r, const char *p, bool *more)
{
    if (separator(p, ',')) {
        *more = true;
        return p + 2;
    }
    p = ws(p);
    if (*p == ',') {
        *more = true;
        return ws(p + 1);
    }
    if (*p == '}') {
        *more = false;
        return p + 1;
    }
    return stop(r, p);
}

/* an object's '{' and the white space after it */
static const char *open_object(reader *r, const char *p)
{
    if (*p != '{')
        return stop(r, p);
    return ws(p + 1);
}

/* a string value short enough for the core's parsers, as a C string */
static const char *value(reader *r, const char *p, char text[VALUE_CAP])
{
    const char *s;
    size_t n;
    p = plain(r, p, &s, &n);
    if (p == NULL)
        return NULL;
    if (n >= VALUE_CAP)
        return stop(r, s);
    for (size_t i = 0; i < n; i++)
        text[i] = s[i];
    text[n] = '\0';
    return p;
}

/* keys are a few bytes long: a loop is cheaper than a call to memcmp */
static bool same(const char *p, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != name[i])
            return false;
    return true;
}

static int match(const char *const *names, int count, const char *k, size_t len)
{
    /* no strlen: k holds no '\0', so a shorter name differs within len */
    for (int i = 0; i < count; i++)
        if (same(k, names[i], len) && names[i][len] == '\0')
            return i;
    return -1;
}

/* the index of a group's key, trying `guess` (keys usually come in order) first */
static int group_key(const reader *r, int g, int count, int guess, const char *k, size_t len)
{
    const uint8_t *lens = r->sc->key_len[g];
    const char *const *names = r->sc->key_name[g];
    for (int j = 0; j < count; j++) {
        int i = guess + j < count ? guess + j : guess + j - count;
        if (lens[i] == len && same(k, names[i], len))
            return i;
    }
    return -1;
}

/* index `guess` when the key at p is that key, most keys (they usually come
 * in order), without scanning the string; else -1 */
static int expected_key(const reader *r, int g, int guess, const char *p)
{
    size_t len = r->sc->key_len[g][guess];
    if (p[0] != '"' || !same(p + 1, r->sc->key_name[g][guess], len) || p[1 + len] != '"')
        return -1;
    return guess;
}

/* a motor (g = GROUP_MOTOR) or sensory group object */
static const char *group(reader *r, const char *p, int g, isncsci_value *values)
{
    int count = g == GROUP_MOTOR ? ISNCSCI_MUSCLES : ISNCSCI_DERMATOMES;
    char max = g == GROUP_MOTOR ? '5' : '2';
    uint32_t seen = 0;
    int guess = 0;
    p = open_object(r, p);
    for (bool more = true; more && p != NULL;) {
        const char *k = p + 1;
        int i = expected_key(r, g, guess, p);
        if (i >= 0) {
            p += 2 + r->sc->key_len[g][i];
            if (separator(p, ':')) {
                p += 2;
            } else {
                p = ws(p);
                if (*p != ':')
                    return stop(r, p);
                p = ws(p + 1);
            }
        } else {
            size_t len;
            p = key(r, p, &k, &len);
            if (p == NULL)
                return NULL;
            i = group_key(r, g, count, guess, k, len);
        }
        if (i < 0 || (seen >> i & 1u) != 0)
            return stop(r, k);
        seen |= 1u << i;
        guess = i + 1 < count ? i + 1 : 0;
        if (p[0] == '"' && p[1] >= '0' && p[1] <= max && p[2] == '"') {
            /* an untagged grade, most values: what isncsci_value_parse returns */
            values[i] = (isncsci_value)(p[1] - '0');
            p += 3;
        } else {
            char text[VALUE_CAP];
            const char *at = p;
            p = value(r, p, text);
            if (p == NULL)
                return NULL;
            if (!isncsci_value_parse(text, g == GROUP_MOTOR, &values[i]))
                return stop(r, at);
        }
        p = next_member(r, p, &more);
    }
    if (p != NULL && seen != (1u << count) - 1u)
        return stop(r, p - 1);
    return p;
}

/* The next member's key: one of names[0..count) not seen before (marked in
 * *seen), its index in *index; NULL (stopped at the key) otherwise. */
static const char *known_key(reader *r, const char *p, const char *const *names, int count,
                             unsigned *seen, int *index)
{
    const char *k;
    size_t len;
    p = key(r, p, &k, &len);
    if (p == NULL)
        return NULL;
    int i = match(names, count, k, len);
    if (i < 0 || (*seen >> i & 1u) != 0)
        return stop(r, k);
    *seen |= 1u << i;
    *index = i;
    return p;
}

static const char *side(reader *r, const char *p, isncsci_side *sd)
{
    unsigned seen = 0;
    sd->lowest_non_key = -1;
    p = open_object(r, p);
    for (bool more = true; more && p != NULL;) {
        int i;
        p = known_key(r, p, SIDE_KEYS, SIDE_NON_KEY + 1, &seen, &i);
        if (p == NULL)
            return NULL;
        if (i == SIDE_NON_KEY) {
            char text[VALUE_CAP];
            const char *at = p;
            p = value(r, p, text);
            if (p == NULL)
                return NULL;
            int level = isncsci_segment_parse(text);
            if (level < 0)
                return stop(r, at);
            sd->lowest_non_key = (int8_t)level;
        } else {
            isncsci_value *values = i == 0 ? sd->motor : i == 1 ? sd->light_touch : sd->pin_prick;
            p = group(r, p, i == 0 ? GROUP_MOTOR : GROUP_SENSORY, values);
            if (p == NULL)
                return NULL;
        }
        p = next_member(r, p, &more);
    }
    if (p != NULL && (seen & 7u) != 7u)
        return stop(r, p - 1);
    return p;
}

static const char *exam_object(reader *r, const char *p, isncsci_exam *exam)
{
    unsigned seen = 0;
    p = open_object(r, p);
    for (bool more = true; more && p != NULL;) {
        int i;
        p = known_key(r, p, EXAM_KEYS, EXAM_KEY_COUNT, &seen, &i);
        if (p == NULL)
            return NULL;
        if (i < 2) {
            p = side(r, p, &exam->side[i]);
            if (p == NULL)
                return NULL;
        } else {
            char text[VALUE_CAP];
            const char *at = p;
            p = value(r, p, text);
            if (p == NULL)
                return NULL;
            if (!isncsci_binary_parse(text, i == 2 ? &exam->vac : &exam->dap))
                return stop(r, at);
        }
        p = next_member(r, p, &more);
    }
    if (p != NULL && seen != (1u << EXAM_KEY_COUNT) - 1u)
        return stop(r, p - 1);
    return p;
}

static isncsci_scan_status array_end(isncsci_scan *sc, size_t *used)
{
    sc->at = ISNCSCI_SCAN_DONE;
    *used += 1;
    return ISNCSCI_SCAN_END;
}

/* an exam at p (text + *used) */
static isncsci_scan_status element(reader *r, const char *p, const char *text, size_t *used,
                                   isncsci_exam *exam)
{
    const char *q = exam_object(r, p, exam);
    if (q == NULL)
        return r->ran_out ? ISNCSCI_SCAN_MORE : ISNCSCI_SCAN_UNSURE;
    *used = (size_t)(q - text);
    r->sc->at = ISNCSCI_SCAN_AFTER;
    return ISNCSCI_SCAN_EXAM;
}

isncsci_scan_status isncsci_scan_next(isncsci_scan *sc, const char *text, size_t len, size_t *used,
                                      isncsci_exam *exam)
{
    reader r = {text + len, sc, false};
    const char *p = text;
    *used = 0;
    if (sc->at == ISNCSCI_SCAN_DONE)
        return ISNCSCI_SCAN_END;
    for (;;) {
        p = ws(p);
        *used = (size_t)(p - text);
        if (p == r.end)
            return ISNCSCI_SCAN_MORE;
        switch (sc->at) {
        case ISNCSCI_SCAN_START:
            if (*p != '[')
                return ISNCSCI_SCAN_UNSURE;
            sc->at = ISNCSCI_SCAN_OPEN;
            p++;
            break;
        case ISNCSCI_SCAN_AFTER:
            if (*p == ',') {
                sc->at = ISNCSCI_SCAN_COMMA;
                p++;
                break;
            }
            return *p == ']' ? array_end(sc, used) : ISNCSCI_SCAN_UNSURE;
        case ISNCSCI_SCAN_OPEN:
            if (*p == ']')
                return array_end(sc, used);
            return element(&r, p, text, used, exam);
        case ISNCSCI_SCAN_COMMA: return element(&r, p, text, used, exam);
        case ISNCSCI_SCAN_DONE: return ISNCSCI_SCAN_END;
        }
    }
}
