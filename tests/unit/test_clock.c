/* Unit tests of store/clock: the offset's parsing and bounds, and that now moves with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "store/clock.h"

static void test_offset_text_table(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
        int32_t days;
    } cases[] = {
        {"0", 1, 0},
        {"400", 1, 400},
        {"-400", 1, -400},
        {"+3", 1, 3},
        {"007", 1, 7}, /* leading zeros are still decimal */
        {"36500", 1, 36500},
        {"-36500", 1, -36500}, /* the bounds are allowed */
        {"36501", 0, 0},
        {"-36501", 0, 0},               /* one past them is not */
        {"99999999999999999999", 0, 0}, /* would overflow int64 */
        {"", 0, 0},
        {"+", 0, 0},
        {"-", 0, 0},
        {"1.5", 0, 0},
        {"12x", 0, 0},
        {" 1", 0, 0},
        {"1 ", 0, 0},
        {"0x10", 0, 0},
        {"1e3", 0, 0},
        {NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cc_error err;
        cc_error_clear(&err);
        assert_int_equal(store_clock_set_offset_text("11", NULL), CC_OK);
        cc_status st = store_clock_set_offset_text(cases[i].text, &err);
        if (cases[i].ok) {
            assert_int_equal(st, CC_OK);
            assert_int_equal(store_clock_offset_days(), cases[i].days);
        } else {
            assert_int_equal(st, CC_INVALID);
            assert_string_equal(err.field, STORE_CLOCK_OFFSET_VARIABLE);
            assert_non_null(strstr(err.message, "36500"));
            assert_int_equal(store_clock_offset_days(), 11); /* unchanged */
        }
    }
    assert_int_equal(store_clock_set_offset_text("0", NULL), CC_OK);
}

static void test_now_moves_with_the_offset(void **state)
{
    (void)state;
    assert_int_equal(store_clock_set_offset_text("400", NULL), CC_OK);
    int64_t before = (int64_t)time(NULL);
    int64_t moved = store_now_seconds();
    int64_t after = (int64_t)time(NULL);
    assert_true(moved >= before + 400 * 86400 && moved <= after + 400 * 86400);
    cc_date today = store_today();
    assert_true(today >= instant_date(before) + 400 && today <= instant_date(after) + 400);
    char text[CC_INSTANT_TEXT];
    store_now_text(text);
    int64_t parsed;
    assert_int_equal(instant_parse(text, "now", &parsed, NULL), CC_OK);
    assert_true(parsed >= before + 400 * 86400 && parsed <= store_now_seconds());
    assert_int_equal(store_clock_set_offset_text("0", NULL), CC_OK);
    int64_t real = store_now_seconds();
    assert_true(real >= before && real <= (int64_t)time(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_text_table),
        cmocka_unit_test(test_now_moves_with_the_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
