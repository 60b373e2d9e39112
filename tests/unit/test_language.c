/* Unit tests of core/language (Accept-Language against the catalogues we
 * have) and of api/error_text (the catalogue texts of error codes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api/error_text.h"
#include "core/language.h"

static const char *const HAVE[] = {"en", "fr"};

static const char *pick(const char *header)
{
    int i = language_negotiate(header, HAVE, 2);
    return i < 0 ? "none" : HAVE[i];
}

static void test_negotiate(void **state)
{
    (void)state;
    static const struct {
        const char *header, *want;
    } rows[] = {
        {NULL, "none"},
        {"", "none"},
        {"fr", "fr"},
        {"FR-ca", "fr"},
        {"en-GB,en;q=0.9", "en"},
        {"de;q=0.9, fr;q=0.8", "fr"},     /* no German: the next best */
        {"de, en;q=0.5, fr;q=0.8", "fr"}, /* weight, not order */
        {"en;q=0.5, fr;q=0.5", "en"},     /* a tie: the range written first */
        {"fr;q=0.5, en;q=0.5", "fr"},
        {"fr;q=0, *", "en"}, /* q=0 refuses, whatever "*" says */
        {"*", "en"},         /* any: the first we have */
        {"*;q=0.1, fr;q=0.2", "fr"},
        {"de", "none"},
        {"fr;q=0", "none"},
        {"fr;q=1.5, en;q=0.1", "en"},    /* a malformed weight is skipped */
        {"fr;q=0.8000, en;q=0.1", "en"}, /* more than 3 decimals */
        {"fr;level=1, en;q=0.1", "en"},  /* not a weight */
        {"f r, en", "en"},
        {"fra, en;q=0.1", "en"}, /* "fra" is not "fr" */
        {"fr-, en;q=0.1", "fr"},
        {",,, fr ;  q=0.7 ,", "fr"},
        {"en;q=0.001, fr;q=0.0001", "en"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *got = pick(rows[i].header);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("\"%s\": got %s, want %s", rows[i].header ? rows[i].header : "(null)", got,
                     rows[i].want);
    }
}

static void test_error_text(void **state)
{
    (void)state;
    assert_int_equal(error_text_init(NULL), CC_OK);
    assert_string_equal(error_text_language("fr", "en", "missing_host"), "fr");
    assert_string_equal(error_text_language("xx", "de;q=0.9, fr;q=0.8", "missing_host"), "fr");
    assert_string_equal(error_text_language(NULL, "de", "missing_host"), "en");
    assert_string_equal(error_text_language(NULL, NULL, "missing_host"), "en");
    /* a third catalogue (German: the patient-facing pages) answers the public
     * form's errors, and only those: the others keep the next best language */
    assert_string_equal(error_text_language(NULL, "de;q=0.9, fr;q=0.8", "invalid_email"), "de");
    assert_string_equal(error_text_language(NULL, "de", "consent_required"), "de");
    assert_string_equal(error_text_language("de", "fr", "missing_host"), "fr");

    cc_error err;
    cc_fail(&err, CC_INVALID, "Host", "missing_host", "an HTTP/1.1 request needs a Host header");
    char out[512];
    assert_true(error_text_render("fr", &err, out, sizeof out));
    assert_non_null(strstr(out, "Host")); /* {field} filled */
    assert_null(strstr(out, "{field}"));
    assert_null(strstr(out, "needs"));
    char en[512];
    assert_true(error_text_render("en", &err, en, sizeof en));
    assert_string_not_equal(out, en);
    assert_true(error_text_render("de", &err, out, sizeof out)); /* no German: English */
    assert_string_equal(out, en);
    cc_fail(&err, CC_INVALID, "email", "invalid_email", "email must contain '@'");
    assert_true(error_text_render("de", &err, out, sizeof out));
    assert_non_null(strstr(out, "E-Mail"));

    /* a text longer than the room is cut at a character, never mid-way */
    assert_true(error_text_render("fr", &err, out, sizeof out));
    for (size_t cap = 1; cap < strlen(out); cap++) {
        char small[512];
        assert_true(error_text_render("fr", &err, small, cap));
        assert_true(strlen(small) < cap);
        assert_memory_equal(small, out, strlen(small));
    }

    cc_fail(&err, CC_INVALID, "x", "no_such_code_anywhere", "the sentence");
    assert_false(error_text_render("fr", &err, out, sizeof out));
    assert_string_equal(out, "the sentence");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_error_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
