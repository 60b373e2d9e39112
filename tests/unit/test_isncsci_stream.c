/*
 * Unit tests of the streaming classifier (app/isncsci_stream) against the
 * whole-document jansson path (isncsci_stream_oracle.h):
 *  - every exam of tests/data/isncsci alone, and all of them in one array,
 *    in both layouts, through a FILE and through the buffer reader: the same
 *    bytes;
 *  - bad exams (each field missing, invalid, of the wrong type; unknown keys
 *    at every level) at index 2 of an array: the same index and message, and
 *    the output stops without the closing bracket;
 *  - malformed documents: refused, and never a complete output;
 *  - in each case, the stream with its plain reader (core/isncsci_scan.h)
 *    and with yajl reading everything give the same result to the byte,
 *    syntax errors with the same message, line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "isncsci_stream_oracle.h"
#include "isncsci_validation_exams.h"

static void agree_text(const char *text, size_t len, const char *what)
{
    for (int compact = 0; compact < 2; compact++) {
        for (int whole = 0; whole < 2; whole++) {
            if (whole && len == 0)
                continue;
            const char *why = oracle_compare(text, len, compact, whole);
            if (why != NULL)
                fail_msg("%s (%s, %s): %s\n%.300s", what, compact ? "compact" : "indented",
                         whole ? "FILE" : "buffer", why, text);
        }
        const char *why = oracle_compare_paths(text, len, compact);
        if (why != NULL)
            fail_msg("%s (%s): %s\n%.300s", what, compact ? "compact" : "indented", why, text);
    }
}

static void agree(const json_t *doc, size_t flags, const char *what)
{
    char *text = json_dumps(doc, flags);
    assert_non_null(text);
    agree_text(text, strlen(text), what);
    free(text);
}

static void test_every_exam_same_bytes(void **state)
{
    (void)state;
    json_t *exams = load_exams();
    assert_true(json_array_size(exams) >= 64);
    size_t i;
    json_t *e;
    int refused = 0;
    json_array_foreach(exams, i, e)
    {
        char what[64];
        snprintf(what, sizeof what, "exam %zu alone", i);
        agree(e, JSON_COMPACT, what);
        oracle_run one;
        char *text = json_dumps(e, JSON_COMPACT);
        oracle_stream(text, strlen(text), true, true, &one);
        refused += one.kind == ORACLE_EXAM;
        free(one.out);
        free(text);
    }
    /* two cases give a non-key muscle at T5 / L1 (none on the worksheet):
     * both paths refuse them (above); the whole set goes without them */
    assert_int_equal(refused, 2);
    json_array_foreach(exams, i, e)
    {
        for (int k = 0; k < 2; k++) {
            json_t *side = json_object_get(e, k == 0 ? "right" : "left");
            const char *nk =
                json_string_value(json_object_get(side, "lowestNonKeyMuscleWithMotorFunction"));
            if (nk != NULL && (strcmp(nk, "T5") == 0 || strcmp(nk, "L1") == 0))
                json_object_del(side, "lowestNonKeyMuscleWithMotorFunction");
        }
    }
    agree(exams, JSON_COMPACT, "all exams, compact input");
    agree(exams, JSON_INDENT(3), "all exams, indented input");
    json_t *empty = json_array();
    agree(empty, 0, "empty array");
    json_decref(empty);

    /* and the output really is the streamed one, byte for byte */
    oracle_run run;
    char *text = json_dumps(exams, 0);
    oracle_stream(text, strlen(text), false, true, &run);
    assert_int_equal(run.kind, ORACLE_OK);
    assert_true(run.out_len > 64 * 600); /* about 900 bytes a result */
    assert_memory_equal(run.out + run.out_len - 4, "}\n]\n", 4);
    free(run.out);
    free(text);
    json_decref(exams);
}

/* exam 2 of [good, good, bad] after set(bad) */
static void bad_third(const json_t *exams, void (*edit)(json_t *exam, const void *arg),
                      const void *arg, const char *what)
{
    json_t *doc = json_array();
    json_array_append_new(doc, json_deep_copy(json_array_get(exams, 0)));
    json_array_append_new(doc, json_deep_copy(json_array_get(exams, 1)));
    json_t *bad = json_deep_copy(json_array_get(exams, 2));
    edit(bad, arg);
    json_array_append_new(doc, bad);
    agree(doc, JSON_COMPACT, what);

    oracle_run run;
    char *text = json_dumps(doc, JSON_COMPACT);
    oracle_stream(text, strlen(text), true, false, &run);
    free(text);
    if (run.kind == ORACLE_EXAM) {
        assert_int_equal(run.index, 2);
        /* the two results before it, and nothing that closes the array */
        assert_true(run.out_len > 0 && run.out[0] == '[');
        assert_true(run.out[run.out_len - 1] == '}');
    }
    free(run.out);
    json_decref(doc);
}

typedef struct {
    const char *path; /* "right.motor.C5" */
    json_t *value;    /* NULL: delete */
} edit_arg;

static void edit_path(json_t *exam, const void *p)
{
    const edit_arg *a = p;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", a->path);
    json_t *node = exam;
    char *key = buf, *dot;
    while ((dot = strchr(key, '.')) != NULL) {
        *dot = '\0';
        node = json_object_get(node, key);
        key = dot + 1;
    }
    if (a->value == NULL)
        json_object_del(node, key);
    else
        json_object_set(node, key, a->value);
}

static void test_bad_exams_same_message(void **state)
{
    (void)state;
    json_t *exams = load_exams();
    json_t *values[] = {NULL,
                        json_string("6"),
                        json_string("2*"),
                        json_integer(3),
                        json_string(""),
                        json_object(),
                        json_array(),
                        json_null(),
                        json_true(),
                        json_string("C9"),
                        json_string("Yes")};
    static const char *const sides[] = {"right", "left"};
    static const char *const groups[] = {"motor", "lightTouch", "pinPrick"};
    char path[128];
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
        for (int k = 0; k < 2; k++) {
            for (int g = 0; g < 3; g++) {
                int n = g == 0 ? ISNCSCI_MUSCLES : ISNCSCI_DERMATOMES;
                for (int i = 0; i < n; i++) {
                    snprintf(path, sizeof path, "%s.%s.%s", sides[k], groups[g],
                             g == 0 ? isncsci_muscle_name(i) : isncsci_dermatome_name(i));
                    edit_arg a = {path, values[v]};
                    bad_third(exams, edit_path, &a, path);
                }
                snprintf(path, sizeof path, "%s.%s", sides[k], groups[g]);
                edit_arg a = {path, values[v]};
                bad_third(exams, edit_path, &a, path);
                snprintf(path, sizeof path, "%s.%s.T13", sides[k], groups[g]);
                edit_arg u = {path, values[v] ? values[v] : json_null()};
                bad_third(exams, edit_path, &u, path);
            }
            snprintf(path, sizeof path, "%s.lowestNonKeyMuscleWithMotorFunction", sides[k]);
            edit_arg a = {path, values[v]};
            bad_third(exams, edit_path, &a, path);
            snprintf(path, sizeof path, "%s.extra", sides[k]);
            edit_arg u = {path, values[v] ? values[v] : json_null()};
            bad_third(exams, edit_path, &u, path);
            edit_arg s = {sides[k], values[v]};
            bad_third(exams, edit_path, &s, sides[k]);
        }
        static const char *const top[] = {"voluntaryAnalContraction", "deepAnalPressure",
                                          "comment"};
        for (int t = 0; t < 3; t++) {
            edit_arg a = {top[t], values[v] ? values[v] : json_null()};
            if (t < 2)
                a.value = values[v];
            bad_third(exams, edit_path, &a, top[t]);
        }
    }
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
        json_decref(values[v]);
    json_decref(exams);
}

static void test_malformed_refused(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "   ",
        "{not json",
        "[",
        "[{}",
        "\"exam\"",
        "42",
        "null",
        "[1]",
        "[[]]",
        "{}",
        "[{}]",
        "{} {}",
        "[] x",
        "[]\"5",
        "{} \"x]",
        "[]\v",
        "\f[]",
        "[\"a\\u0000\"]",
        "[{\"right\\u0000\":1}]",
        "[{\"right\":{},\"right\":{}}]",
        "[{\"voluntaryAnalContraction\":\"Yes\",\"voluntaryAnalContraction\":\"No\"}]",
        "[{\"x\":1,\"x\":2}]",
        "[{\"x\":\"\\ud800\"}]",
        "[{\"x\":\"\xc0\x80\"}]",
        "[{\"x\":1e999}]",
        "[{\"x\":123456789012345678901234567890}]",
        "[01]",
        "[1,]",
        "{\"a\":}",
        "[\"\t\"]",
        "[/* c */]",
        "\xef\xbb\xbf[]",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        agree_text(texts[i], strlen(texts[i]), texts[i]);
    /* nesting deeper than jansson's limit inside an exam */
    static char deep[2 * 3000 + 64];
    size_t d = 0;
    d += (size_t)snprintf(deep, sizeof deep, "[{\"x\":");
    for (int i = 0; i < 3000; i++)
        deep[d++] = '[';
    for (int i = 0; i < 3000; i++)
        deep[d++] = ']';
    deep[d++] = '}';
    deep[d++] = ']';
    agree_text(deep, d, "3000 levels");
    /* a NUL byte in the input */
    agree_text("[]\0", 3, "NUL after the array");
    agree_text("[\"\0\"]", 5, "NUL in a string");

    /* a syntax error after two good exams: the output stops after them */
    json_t *exams = load_exams();
    json_t *two = json_array();
    json_array_append(two, json_array_get(exams, 0));
    json_array_append(two, json_array_get(exams, 1));
    char *text = json_dumps(two, JSON_COMPACT);
    size_t len = strlen(text);
    text[len - 1] = ','; /* "[{...},{...}," then the end of input */
    oracle_run run;
    oracle_stream(text, len, true, false, &run);
    assert_int_equal(run.kind, ORACLE_SYNTAX);
    assert_true(run.out_len > 100);
    assert_null(json_loadb(run.out, run.out_len, 0, NULL));
    free(run.out);
    /* a single exam followed by garbage: nothing at all */
    char *one = json_dumps(json_array_get(exams, 0), JSON_COMPACT);
    char buf[8192];
    snprintf(buf, sizeof buf, "%s ]", one);
    oracle_stream(buf, strlen(buf), false, true, &run);
    assert_int_equal(run.kind, ORACLE_SYNTAX);
    assert_int_equal(run.out_len, 0);
    free(run.out);
    free(one);
    free(text);
    json_decref(two);
    json_decref(exams);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_exam_same_bytes),
        cmocka_unit_test(test_bad_exams_same_message),
        cmocka_unit_test(test_malformed_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
