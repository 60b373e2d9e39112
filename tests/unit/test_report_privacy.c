/* report_privacy: small groups out of the outcome report (app/report_privacy.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/report_privacy.h"

static json_t *parse(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    return v;
}

/* Counts 1..k-1 go, 0 and k stay, whatever the key (deny by default). */
static void test_counts_under_k_go(void **state)
{
    (void)state;
    json_t *r = parse("{\"flow\":{\"referred\":7,\"treated\":4,\"died\":0,\"new_count\":1,"
                      "\"timepoints\":[{\"label\":\"month-1\",\"due\":5,\"lost\":2}]}}");
    assert_int_equal(report_suppress_small(r, 5), 3);
    const json_t *f = json_object_get(r, "flow");
    assert_int_equal(json_integer_value(json_object_get(f, "referred")), 7);
    assert_true(json_is_null(json_object_get(f, "treated")));
    assert_true(json_is_null(json_object_get(f, "new_count")));
    assert_int_equal(json_integer_value(json_object_get(f, "died")), 0);
    assert_int_equal(json_integer_value(json_object_get(f, "suppressed_below")), 5);
    const json_t *tp = json_array_get(json_object_get(f, "timepoints"), 0);
    assert_int_equal(json_integer_value(json_object_get(tp, "due")), 5);
    assert_true(json_is_null(json_object_get(tp, "lost")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(tp, "suppressed"), 0)),
                        "lost");
    const json_t *sup = json_object_get(r, "suppression");
    assert_int_equal(json_integer_value(json_object_get(sup, "min_group")), 5);
    assert_int_equal(json_integer_value(json_object_get(sup, "suppressed_values")), 3);
    assert_string_equal(json_string_value(json_object_get(sup, "note")),
                        "fewer than 5 patients: not shown");
    json_decref(r);
}

/* A hidden basis takes the statistics of its object (and of the objects in
 * it) along; a hidden count that is no basis leaves them. */
static void test_statistics_of_a_hidden_basis_go(void **state)
{
    (void)state;
    json_t *r = parse("{\"cells\":[{\"due\":9,\"n\":3,\"missing\":6,\"mean\":4.5,\"ci\":{\"low\":1."
                      "5,\"high\":7.5},"
                      "\"change\":{\"pairs\":3,\"mean_diff\":-1.5}},"
                      "{\"due\":9,\"n\":7,\"missing\":2,\"mean\":5.5}],"
                      "\"p\":{\"x\":2,\"n\":10,\"p\":0.2,\"ci\":{\"low\":0.05,\"high\":0.5}},"
                      "\"traj\":{\"drawn\":3,\"of\":3,\"patients\":[[1.0,2.0],[3.0,null]]}}");
    report_suppress_small(r, 5);
    const json_t *c0 = json_array_get(json_object_get(r, "cells"), 0);
    assert_true(json_is_null(json_object_get(c0, "n")));
    assert_int_equal(json_integer_value(json_object_get(c0, "missing")), 6);
    assert_true(json_is_null(json_object_get(c0, "mean")));
    assert_true(json_is_null(json_object_get(json_object_get(c0, "ci"), "low")));
    assert_true(json_is_null(json_object_get(json_object_get(c0, "change"), "mean_diff")));
    const json_t *c1 = json_array_get(json_object_get(r, "cells"), 1);
    assert_true(json_is_null(json_object_get(c1, "missing")));
    assert_true(json_real_value(json_object_get(c1, "mean")) == 5.5);
    const json_t *p = json_object_get(r, "p");
    assert_true(json_is_null(json_object_get(p, "x")));
    assert_int_equal(json_integer_value(json_object_get(p, "n")), 10);
    assert_true(json_is_null(json_object_get(p, "p")));
    assert_true(json_is_null(json_object_get(json_object_get(p, "ci"), "high")));
    const json_t *traj = json_object_get(r, "traj");
    assert_int_equal(json_array_size(json_object_get(traj, "patients")), 0);
    json_decref(r);
}

/* Grades, days and the subtrees that hold no count are left as they are;
 * nothing happens under k = 2. */
static void test_no_counts_untouched(void **state)
{
    (void)state;
    json_t *r = parse("{\"rows\":[{\"term\":\"fever\",\"grade\":3,\"events\":7}],"
                      "\"serious_list\":[{\"patient\":\"P-001\",\"grade\":4,\"day\":2}],"
                      "\"definitions\":{\"x\":1},\"filters\":{\"n\":1}}");
    char *before = json_dumps(r, JSON_SORT_KEYS);
    assert_int_equal(report_suppress_small(r, 1), 0);
    char *same = json_dumps(r, JSON_SORT_KEYS);
    assert_string_equal(before, same);
    assert_int_equal(report_suppress_small(r, 5), 0);
    const json_t *row = json_array_get(json_object_get(r, "rows"), 0);
    assert_int_equal(json_integer_value(json_object_get(row, "grade")), 3);
    const json_t *s = json_array_get(json_object_get(r, "serious_list"), 0);
    assert_int_equal(json_integer_value(json_object_get(s, "day")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "filters"), "n")), 1);
    free(before);
    free(same);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_under_k_go),
        cmocka_unit_test(test_statistics_of_a_hidden_basis_go),
        cmocka_unit_test(test_no_counts_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
