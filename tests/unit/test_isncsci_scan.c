/*
 * Unit tests of the plain-layout reader of `isncsci classify`
 * (core/isncsci_scan.h), data-driven from the 64 validation exams of
 * tests/data/isncsci:
 *  - each exam, and all of them in one array, written in many layouts
 *    (jansson's compact and indented forms, random white space between
 *    tokens, random key order at every level, escapes in keys and values):
 *    every exam the reader reads equals what isncsci_json_parse_exam makes of
 *    jansson's parse of the same text; in plain layouts it reads every exam
 *    jansson accepts, and stops ("unsure") at the first exam with an escape;
 *  - the same text handed over a byte at a time: the same exams;
 *  - through the stream (app/isncsci_stream.h): the same bytes as jansson's
 *    path, and the same result, to the line and column of a syntax error, as
 *    yajl reading everything, for each layout, each truncation of a
 *    three-exam array and each one-byte change in its first two exams (where
 *    every exam the reader reads is checked against jansson as well), and
 *    for an exam longer than the reader keeps whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/isncsci_scan.h"
#include "isncsci_scan_oracle.h"
#include "isncsci_stream_oracle.h"
#include "isncsci_validation_exams.h"

/* ---- a writer of JSON in chosen layouts ---- */

typedef struct {
    char *text;
    size_t len, cap;
    uint32_t seed;
    bool spaces;  /* random white space between tokens */
    bool shuffle; /* random key order */
    bool escape;  /* some characters of keys and values as \u escapes */
} writer;

static uint32_t rnd(writer *w)
{
    w->seed = w->seed * 1103515245u + 12345u;
    return w->seed >> 16;
}

static void w_put(writer *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        w->cap = (w->len + n + 1) * 2;
        w->text = realloc(w->text, w->cap);
        assert_non_null(w->text);
    }
    memcpy(w->text + w->len, s, n);
    w->len += n;
    w->text[w->len] = '\0';
}

static void w_space(writer *w)
{
    if (!w->spaces)
        return;
    static const char WS[] = " \t\r\n";
    for (uint32_t n = rnd(w) % 4; n > 0; n--)
        w_put(w, &WS[rnd(w) % 4], 1);
}

static void w_string(writer *w, const char *s)
{
    w_put(w, "\"", 1);
    for (; *s != '\0'; s++) {
        char esc[8];
        if (w->escape && rnd(w) % 8 == 0) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)*s);
            w_put(w, esc, 6);
        } else {
            w_put(w, s, 1);
        }
    }
    w_put(w, "\"", 1);
}

static void w_value(writer *w, const json_t *v)
{
    w_space(w);
    if (json_is_string(v)) {
        w_string(w, json_string_value(v));
    } else if (json_is_array(v)) {
        w_put(w, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                w_put(w, ",", 1);
            w_value(w, json_array_get(v, i));
        }
        w_space(w);
        w_put(w, "]", 1);
    } else {
        assert_true(json_is_object(v));
        const char *keys[64];
        size_t n = 0;
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            assert_true(n < 64);
            keys[n++] = k;
        }
        for (size_t i = n; w->shuffle && i > 1; i--) {
            size_t j = rnd(w) % i;
            const char *t = keys[i - 1];
            keys[i - 1] = keys[j];
            keys[j] = t;
        }
        w_put(w, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                w_put(w, ",", 1);
            w_space(w);
            w_string(w, keys[i]);
            w_space(w);
            w_put(w, ":", 1);
            w_value(w, json_object_get(v, keys[i]));
        }
        w_space(w);
        w_put(w, "}", 1);
    }
    w_space(w);
}

/* ---- the reader against jansson ---- */

/* Reads text with the reader, handed `step` bytes more at a time (0: all at
 * once), checking each exam it reads against jansson's; returns the number
 * of exams read before it stopped, *end whether it read the closing ']'. */
static size_t scan_all(const char *text, size_t len, size_t step, const json_t *doc, bool *end,
                       const char *what)
{
    isncsci_scan sc;
    isncsci_scan_init(&sc);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    size_t pos = 0, have = step == 0 ? len : 0, copied = 0, exams = 0;
    *end = false;
    for (;;) {
        memcpy(buf + copied, text + copied, have - copied);
        copied = have;
        buf[have] = '\0';
        size_t used;
        isncsci_exam exam;
        isncsci_scan_status st = isncsci_scan_next(&sc, buf + pos, have - pos, &used, &exam);
        assert_true(pos + used <= have);
        if (st == ISNCSCI_SCAN_MORE && have < len) {
            pos += used;
            have = have + step < len ? have + step : len;
            continue;
        }
        if (st != ISNCSCI_SCAN_EXAM) {
            *end = st == ISNCSCI_SCAN_END;
            break;
        }
        isncsci_exam want;
        cc_error err;
        const json_t *elem = json_array_get(doc, exams);
        if (elem == NULL || isncsci_json_parse_exam(elem, &want, &err) != CC_OK)
            fail_msg("%s: the reader read exam %zu, jansson does not", what, exams);
        if (!scan_oracle_same_exam(&exam, &want))
            fail_msg("%s: exam %zu differs from jansson's", what, exams);
        exams++;
        pos += used;
    }
    free(buf);
    return exams;
}

/* the exams of doc isncsci_json_parse_exam accepts before the first it refuses */
static size_t jansson_accepts(const json_t *doc)
{
    size_t i;
    for (i = 0; i < json_array_size(doc); i++) {
        isncsci_exam e;
        cc_error err;
        if (isncsci_json_parse_exam(json_array_get(doc, i), &e, &err) != CC_OK)
            break;
    }
    return i;
}

/* the layout variations of doc (an array of exams), each checked */
static void check_layouts(const json_t *doc, uint32_t seed, const char *what)
{
    size_t accepted = jansson_accepts(doc);
    for (int layout = 0; layout < 10; layout++) {
        char *text;
        size_t len;
        writer w = {NULL, 0, 0, seed + (uint32_t)layout, layout >= 4, layout >= 6, layout >= 8};
        static const size_t FLAGS[] = {JSON_COMPACT, 0, JSON_INDENT(2),
                                       JSON_INDENT(7) | JSON_SORT_KEYS};
        if (layout < 4) {
            text = json_dumps(doc, FLAGS[layout]);
            assert_non_null(text);
            len = strlen(text);
        } else {
            w_value(&w, doc);
            text = w.text;
            len = w.len;
        }
        char label[160];
        snprintf(label, sizeof label, "%s, layout %d", what, layout);
        json_error_t jerr;
        json_t *parsed = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (parsed == NULL)
            fail_msg("%s: the test wrote bad JSON: %s", label, jerr.text);
        assert_true(json_equal(parsed, doc));
        json_decref(parsed);

        bool end;
        size_t exams = scan_all(text, len, 0, doc, &end, label);
        bool escapes = memchr(text, '\\', len) != NULL;
        if (!escapes) {
            /* the plain layout: everything jansson's path accepts is read */
            if (exams != accepted || end != (accepted == json_array_size(doc)))
                fail_msg("%s: the reader read %zu exams (end %d), jansson accepts %zu of %zu",
                         label, exams, end, accepted, json_array_size(doc));
        }
        bool end1;
        size_t step = json_array_size(doc) > 1 ? 97 : (layout % 2 == 0 ? 1 : 13);
        size_t exams1 = scan_all(text, len, step, doc, &end1, label);
        if (exams1 != exams || end1 != end)
            fail_msg("%s: in small pieces the reader read %zu exams, at once %zu", label, exams1,
                     exams);
        for (int compact = 0; compact < 2; compact++) {
            const char *why = oracle_compare(text, len, compact, false);
            if (why == NULL)
                why = oracle_compare_paths(text, len, compact);
            if (why != NULL)
                fail_msg("%s: %s", label, why);
        }
        free(text);
    }
}

static void test_every_exam_every_layout(void **state)
{
    (void)state;
    json_t *exams = load_exams();
    assert_true(json_array_size(exams) >= 64);
    size_t i;
    json_t *e;
    json_array_foreach(exams, i, e)
    {
        json_t *one = json_array();
        json_array_append(one, e);
        char what[64];
        snprintf(what, sizeof what, "exam %zu", i);
        check_layouts(one, (uint32_t)i * 7919u, what);
        json_decref(one);
    }
    check_layouts(exams, 1, "all exams");
    json_t *empty = json_array();
    check_layouts(empty, 2, "empty array");
    json_decref(empty);
    json_decref(exams);
}

/* the plain reader reads the common layout itself, and hands over the rest */
static void test_reads_plain_layout(void **state)
{
    (void)state;
    json_t *exams = load_exams();
    char *text = json_dumps(exams, 0);
    bool end;
    size_t n = scan_all(text, strlen(text), 0, exams, &end, "json.dumps layout");
    /* exam 5 names a non-key muscle at T5, which the reader leaves to yajl */
    assert_int_equal(n, jansson_accepts(exams));
    assert_true(n >= 5);
    free(text);

    static const char *const unsure[] = {"{}", "[1]", "[{}]", "[[]]", "[{\"right\":1}]", " x"};
    for (size_t i = 0; i < sizeof unsure / sizeof unsure[0]; i++) {
        isncsci_scan sc;
        isncsci_scan_init(&sc);
        size_t used;
        isncsci_exam exam;
        assert_int_equal(isncsci_scan_next(&sc, unsure[i], strlen(unsure[i]), &used, &exam),
                         ISNCSCI_SCAN_UNSURE);
        assert_true(used <= 1); /* at the element it cannot read */
    }
    isncsci_scan sc;
    isncsci_scan_init(&sc);
    size_t used;
    isncsci_exam exam;
    assert_int_equal(isncsci_scan_next(&sc, " [ ", 3, &used, &exam), ISNCSCI_SCAN_MORE);
    assert_int_equal(used, 3);
    assert_int_equal(sc.at, ISNCSCI_SCAN_OPEN);
    assert_int_equal(isncsci_scan_next(&sc, "] ", 2, &used, &exam), ISNCSCI_SCAN_END);
    assert_int_equal(used, 1);
    json_decref(exams);
}

/* every truncation of a three-exam array, and one-byte changes in its first
 * two exams: the plain reader hands over to yajl at the same results */
static void test_truncations_and_changes(void **state)
{
    (void)state;
    json_t *exams = load_exams();
    json_t *three = json_array();
    for (size_t i = 0; i < 3; i++)
        json_array_append(three, json_array_get(exams, i + 10));
    for (int indent = 0; indent < 2; indent++) {
        char *text = json_dumps(three, indent ? JSON_INDENT(1) : JSON_COMPACT);
        size_t len = strlen(text);
        for (size_t cut = 0; cut <= len; cut++) {
            const char *why = oracle_compare_paths(text, cut, indent == 0);
            if (why != NULL)
                fail_msg("cut at %zu of %zu: %s", cut, len, why);
        }
        static const char CHANGES[] = {'x', '"', '}', '{', ',', ' ', '\\', '\0', '\v', '[', '5'};
        const char *second = strstr(text + 1, "{\"right\"");
        second = second != NULL ? strstr(second + 1, "{\"right\"") : NULL;
        size_t upto = second != NULL ? (size_t)(second - text) : len;
        for (size_t at = 0; at < upto; at++) {
            for (size_t c = 0; c < sizeof CHANGES; c++) {
                char old = text[at];
                if (old == CHANGES[c])
                    continue;
                text[at] = CHANGES[c];
                size_t read;
                const char *why = scan_oracle_check(text, len, &read);
                if (why == NULL)
                    why = oracle_compare_paths(text, len, indent == 0);
                if (why == NULL && c % 4 == 0)
                    why = oracle_compare(text, len, indent == 0, false);
                if (why != NULL)
                    fail_msg("byte %zu set to 0x%02x: %s", at, (unsigned char)CHANGES[c], why);
                text[at] = old;
            }
        }
        free(text);
    }
    json_decref(three);
    json_decref(exams);
}

/* an exam longer than the reader keeps whole (64 KiB of white space in it):
 * yajl reads from there, with the same result */
static void test_long_exam_handed_over(void **state)
{
    (void)state;
    json_t *exams = load_exams();
    char *a = json_dumps(json_array_get(exams, 0), JSON_COMPACT);
    char *b = json_dumps(json_array_get(exams, 1), JSON_COMPACT);
    enum { PAD = 70000 };
    size_t len = strlen(a) + strlen(b) * 2 + PAD + 8;
    char *text = malloc(len);
    assert_non_null(text);
    size_t at = (size_t)snprintf(text, len, "[%s,{", b);
    memset(text + at, ' ', PAD);
    at += PAD;
    at += (size_t)snprintf(text + at, len - at, "%s,%s]", a + 1, b);
    for (int compact = 0; compact < 2; compact++) {
        const char *why = oracle_compare(text, at, compact, true);
        if (why == NULL)
            why = oracle_compare(text, at, compact, false);
        if (why == NULL)
            why = oracle_compare_paths(text, at, compact);
        if (why != NULL)
            fail_msg("long exam: %s", why);
    }
    free(text);
    free(a);
    free(b);
    json_decref(exams);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_exam_every_layout),
        cmocka_unit_test(test_reads_plain_layout),
        cmocka_unit_test(test_truncations_and_changes),
        cmocka_unit_test(test_long_exam_handed_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
