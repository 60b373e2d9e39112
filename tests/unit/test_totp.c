/* Unit tests of core/totp with the HMAC-SHA1 of store/mfa (nettle).
 * The reference rows are RFC 6238 Appendix B (the SHA1 rows: secret the
 * ASCII string "12345678901234567890", 30-second steps from T0 = 0, 8
 * digits), the RFC 4226 Appendix D HOTP values (6 digits) and the RFC 4648
 * section 10 base32 vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/totp.h"
#include "store/mfa.h"

static const uint8_t RFC_KEY[] = "12345678901234567890";
enum { RFC_KEY_LEN = 20 };

static void test_rfc6238_appendix_b_sha1(void **state)
{
    (void)state;
    static const struct {
        int64_t time;
        uint64_t step; /* the "Value of T (hex)" column */
        const char *totp;
    } rows[] = {
        {59, 0x1, "94287082"},
        {1111111109, 0x23523EC, "07081804"},
        {1111111111, 0x23523ED, "14050471"},
        {1234567890, 0x273EF07, "89005924"},
        {2000000000, 0x3F940AA, "69279037"},
        {20000000000, 0x27BC86AA, "65353130"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t step = totp_step(rows[i].time);
        assert_int_equal(step, rows[i].step);
        char text[16];
        totp_format(totp_hotp(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, (uint64_t)step, 8), 8, text,
                    sizeof text);
        assert_string_equal(text, rows[i].totp);
    }
}

static void test_rfc4226_appendix_d_hotp(void **state)
{
    (void)state;
    static const char *const hotp[] = {"755224", "287082", "359152", "969429", "338314",
                                       "254676", "287922", "162583", "399871", "520489"};
    for (uint64_t c = 0; c < 10; c++) {
        char text[8];
        totp_format(totp_hotp(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, c, 6), 6, text, sizeof text);
        assert_string_equal(text, hotp[c]);
    }
}

static void test_step_boundaries(void **state)
{
    (void)state;
    assert_int_equal(totp_step(0), 0);
    assert_int_equal(totp_step(29), 0);
    assert_int_equal(totp_step(30), 1);
    assert_int_equal(totp_step(-1), -1);
}

/* RFC 4226 counter 1 is 287082: the code of step 1 (times 30..59). */
static void test_verify_window_and_reuse(void **state)
{
    (void)state;
    int64_t matched = 0;
    /* steps 1 and 2 have codes 287082 and 359152 */
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 1, 287082, 0, &matched),
                     TOTP_MATCH);
    assert_int_equal(matched, 1);
    /* the previous step is still accepted, the next one already */
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 2, 287082, 0, &matched),
                     TOTP_MATCH);
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 1, 359152, 0, &matched),
                     TOTP_MATCH);
    assert_int_equal(matched, 2);
    /* two steps away: refused (step 1's code at step 3, step 4's code 338314 at step 2) */
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 3, 287082, 0, &matched),
                     TOTP_WRONG);
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 2, 338314, 0, &matched),
                     TOTP_WRONG);
    /* the step this account last logged in with, or an earlier one: reused */
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 1, 287082, 1, &matched),
                     TOTP_REUSED);
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 2, 287082, 2, &matched),
                     TOTP_REUSED);
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 2, 359152, 1, &matched),
                     TOTP_MATCH);
    assert_int_equal(totp_verify(mfa_hmac_sha1, RFC_KEY, RFC_KEY_LEN, 2, 123456, 0, &matched),
                     TOTP_WRONG);
}

static void test_parse_code(void **state)
{
    (void)state;
    uint32_t v = 0;
    assert_true(totp_parse_code("012345", &v));
    assert_int_equal(v, 12345);
    static const char *const bad[] = {"", "12345", "1234567", "12345a", " 12345", "-12345"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(totp_parse_code(bad[i], &v));
}

static void test_base32_rfc4648(void **state)
{
    (void)state;
    static const struct {
        const char *plain, *base32;
    } rows[] = {{"", ""},
                {"f", "MY"},
                {"fo", "MZXQ"},
                {"foo", "MZXW6"},
                {"foob", "MZXW6YQ"},
                {"fooba", "MZXW6YTB"},
                {"foobar", "MZXW6YTBOI"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[32];
        size_t n = strlen(rows[i].plain);
        assert_true(totp_base32_encode((const uint8_t *)rows[i].plain, n, out, sizeof out));
        assert_string_equal(out, rows[i].base32);
        uint8_t back[16];
        size_t m = 99;
        assert_true(totp_base32_decode(rows[i].base32, back, sizeof back, &m));
        assert_int_equal(m, n);
        assert_memory_equal(back, rows[i].plain, n);
    }
    uint8_t back[16];
    size_t m;
    assert_true(totp_base32_decode("mzxw6ytboi", back, sizeof back, &m));
    assert_int_equal(m, 6);
    assert_false(totp_base32_decode("MZXW6YTB0I", back, sizeof back, &m)); /* 0 is not base32 */
    assert_false(totp_base32_decode("MZXW6YTBOI", back, 5, &m));           /* too long */
    char small[4];
    assert_false(totp_base32_encode((const uint8_t *)"foo", 3, small, sizeof small));
}

static void test_uri(void **state)
{
    (void)state;
    char uri[TOTP_URI_MAX];
    assert_true(totp_uri("cellclinic", "dr.martin", "JBSWY3DPEHPK3PXP", uri, sizeof uri));
    assert_string_equal(uri, "otpauth://totp/cellclinic:dr.martin?secret=JBSWY3DPEHPK3PXP"
                             "&issuer=cellclinic&algorithm=SHA1&digits=6&period=30");
    assert_true(totp_uri("Clinique Léman", "a b", "AA", uri, sizeof uri));
    assert_string_equal(uri, "otpauth://totp/Clinique%20L%C3%A9man:a%20b?secret=AA"
                             "&issuer=Clinique%20L%C3%A9man&algorithm=SHA1&digits=6&period=30");
    assert_false(totp_uri("cellclinic", "x", "AA", uri, 40));
    assert_string_equal(uri, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_appendix_b_sha1),
        cmocka_unit_test(test_rfc4226_appendix_d_hotp),
        cmocka_unit_test(test_step_boundaries),
        cmocka_unit_test(test_verify_window_and_reuse),
        cmocka_unit_test(test_parse_code),
        cmocka_unit_test(test_base32_rfc4648),
        cmocka_unit_test(test_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
