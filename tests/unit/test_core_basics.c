/* Unit tests of the small core modules: dates, text folding, MRN, patient rules. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/bigvec.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/mrn.h"
#include "core/patient.h"
#include "core/text.h"

static void test_date_parse_table(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"2026-02-28", 1}, {"2026-02-29", 0}, /* 2026 is not a leap year */
        {"2024-02-29", 1}, {"2000-02-29", 1}, /* divisible by 400 */
        {"1900-02-29", 0},                    /* divisible by 100, not 400 */
        {"2026-02-30", 0}, {"2026-04-31", 0}, {"2026-12-31", 1}, {"2026-13-01", 0},
        {"2026-00-10", 0}, {"2026-01-00", 0}, {"1899-12-31", 0}, /* below range */
        {"1900-01-01", 1}, {"2199-12-31", 1}, {"2200-01-01", 0}, {"26-01-01", 0},
        {"2026/01/01", 0}, {"2026-1-01", 0},  {"", 0},           {"2026-01-01x", 0},
        {"20a6-01-01", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cc_date d;
        cc_error err;
        cc_error_clear(&err);
        cc_status st = date_parse(cases[i].text, "when", &d, &err);
        assert_int_equal(st == CC_OK, cases[i].ok);
        if (!cases[i].ok)
            assert_string_equal(err.field, "when");
        /* the bulk readers' variant accepts exactly the same texts */
        cc_date quiet;
        assert_int_equal(date_parse_day(cases[i].text, &quiet), cases[i].ok);
        if (cases[i].ok)
            assert_int_equal(quiet, d);
    }
    cc_date none;
    assert_false(date_parse_day(NULL, &none));
}

static void test_date_round_trip_every_day(void **state)
{
    (void)state;
    cc_date first, last;
    assert_true(date_from_ymd(1900, 1, 1, &first));
    assert_true(date_from_ymd(2199, 12, 31, &last));
    cc_date epoch;
    assert_true(date_from_ymd(1970, 1, 1, &epoch));
    assert_int_equal(epoch, 0);
    for (cc_date d = first; d <= last; d++) {
        char text[CC_DATE_TEXT];
        date_format(d, text);
        cc_date back;
        assert_int_equal(date_parse(text, "d", &back, NULL), CC_OK);
        assert_int_equal(back, d);
        assert_true(date_parse_day(text, &back));
        assert_int_equal(back, d);
    }
}

static void test_instant_format(void **state)
{
    (void)state;
    char out[CC_INSTANT_TEXT];
    instant_format(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    instant_format(1795348800, out); /* computed with `date -u -d @1795348800` */
    assert_string_equal(out, "2026-11-22T12:00:00Z");
}

static void test_text_fold_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Éloïse", "eloise"},
        {"  DURAND-Lefèvre ", "durand-lefevre"},
        {"Straße", "strasse"},
        {"Œuvre Ça", "oeuvre ca"},
        {"Nguyễn", "nguyễn"}, /* outside U+00C0-U+017F: kept as is */
        {"a,,b", "a b"},
        {"", ""},
        {"1987-03-14", "1987-03-14"},
        {"Zoë O'Brien", "zoe o brien"},
        {"ÅÆØ åæø", "aaeo aaeo"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        text_fold(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
}

static void test_text_fold_truncates_safely(void **state)
{
    (void)state;
    char out[4];
    text_fold("abcdef", out, sizeof out);
    assert_true(strlen(out) < sizeof out);
}

static void test_text_clean_utf8(void **state)
{
    (void)state;
    assert_true(text_is_clean_utf8("Éloïse", strlen("Éloïse"), false));
    assert_false(text_is_clean_utf8("\xC3", 1, false));         /* truncated */
    assert_false(text_is_clean_utf8("\xC0\xAF", 2, false));     /* overlong */
    assert_false(text_is_clean_utf8("\xED\xA0\x80", 3, false)); /* surrogate */
    assert_false(text_is_clean_utf8("a\nb", 3, false));
    assert_true(text_is_clean_utf8("a\nb", 3, true));
    assert_false(text_is_clean_utf8("a\x01", 2, true));
    /* invisible formatting (Unicode TR9 bidirectional controls, UTS 39) is
     * refused in every kind of text; the joiners some scripts need pass */
    static const char *const refused[] = {
        "a\u202Eb", /* RIGHT-TO-LEFT OVERRIDE */
        "a\u202Ab", /* LEFT-TO-RIGHT EMBEDDING */
        "a\u202Cb", /* POP DIRECTIONAL FORMATTING */
        "a\u2066b", /* LEFT-TO-RIGHT ISOLATE */
        "a\u2069b", /* POP DIRECTIONAL ISOLATE */
        "a\u200Eb", /* LEFT-TO-RIGHT MARK */
        "a\u200Fb", /* RIGHT-TO-LEFT MARK */
        "a\u061Cb", /* ARABIC LETTER MARK */
        "a\u200Bb", /* ZERO WIDTH SPACE */
        "a\u2060b", /* WORD JOINER */
        "\uFEFFab", /* ZERO WIDTH NO-BREAK SPACE (byte order mark) */
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_false(text_is_clean_utf8(refused[i], strlen(refused[i]), false));
        assert_false(text_is_clean_utf8(refused[i], strlen(refused[i]), true));
    }
    assert_true(text_is_clean_utf8("\u0645\u200C\u0646", strlen("\u0645\u200C\u0646"), false));
    assert_true(text_is_clean_utf8("a\u200Db", strlen("a\u200Db"), false));
    assert_true(text_is_clean_utf8("\u05D3\u05B8\u05D5\u05B4\u05D3",
                                   strlen("\u05D3\u05B8\u05D5\u05B4\u05D3"), false));
}

static void test_mrn_check_digit(void **state)
{
    (void)state;
    /* Luhn reference: 7992739871 has check digit 3 (ISO/IEC 7812-1 example). */
    assert_int_equal(mrn_luhn_digit("7992739871", 10), '3');
    char mrn[MRN_TEXT];
    assert_true(mrn_format(1, mrn));
    assert_string_equal(mrn, "00000018");
    assert_true(mrn_is_valid(mrn));
    assert_false(mrn_format(0, mrn));
    assert_false(mrn_format(MRN_MAX_SEQUENCE + 1, mrn));
    assert_false(mrn_is_valid("00000000"));
    assert_false(mrn_is_valid("0000001"));
    assert_false(mrn_is_valid("0000001a"));
}

/* Every single-digit substitution of a set of MRNs is caught. */
static void test_mrn_catches_substitutions(void **state)
{
    (void)state;
    for (uint32_t seq = 1; seq < 3000000; seq += 7919) {
        char mrn[MRN_TEXT];
        assert_true(mrn_format(seq, mrn));
        for (int pos = 0; pos < 8; pos++) {
            for (char c = '0'; c <= '9'; c++) {
                if (c == mrn[pos])
                    continue;
                char copy[MRN_TEXT];
                memcpy(copy, mrn, sizeof copy);
                copy[pos] = c;
                assert_false(mrn_is_valid(copy));
            }
        }
    }
}

static void test_icd10(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        int ok;
    } cases[] = {{"S14", 1}, {"S14.1", 1},     {"G35", 1}, {"Q05.9", 1}, {"M17.11", 1},
                 {"U07", 1}, {"s14", 0},       {"S1", 0},  {"S14.", 0},  {"S14-1", 0},
                 {"14S", 0}, {"S14.12345", 0}, {"", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(icd10_is_valid(cases[i].code), cases[i].ok);
}

static void test_weight_bounds(void **state)
{
    (void)state;
    int grams;
    assert_int_equal(patient_check_weight(0.5, "kg", &grams, NULL), CC_OK);
    assert_int_equal(grams, 500);
    assert_int_equal(patient_check_weight(400.0, "kg", &grams, NULL), CC_OK);
    assert_int_equal(patient_check_weight(0.49, "kg", &grams, NULL), CC_INVALID);
    assert_int_equal(patient_check_weight(400.01, "kg", &grams, NULL), CC_INVALID);
    assert_int_equal(patient_check_weight(61.55, "kg", &grams, NULL), CC_OK);
    assert_int_equal(grams, 61550);
}

static void test_buf_cap_and_failure(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 10);
    buf_puts(&b, "hello");
    buf_printf(&b, "%d", 1234);
    assert_string_equal(b.data, "hello1234");
    buf_puts(&b, "xy"); /* would exceed the cap */
    assert_true(buf_failed(&b));
    assert_string_equal(b.data, "hello1234");
    buf_puts(&b, "z");
    assert_int_equal(b.len, 9);
    assert_null(buf_detach(&b));
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%s-%d,", "a long enough piece of text to force growth", i);
    assert_false(buf_failed(&b));
    char *owned = buf_detach(&b);
    assert_non_null(owned);
    assert_int_equal(strncmp(owned, "a long", 6), 0);
    free(owned);
}

static int released;
static void count_release(void *p)
{
    (void)p;
    released++;
}

/* buf_put_g15 writes what snprintf's "%.15g" writes: every thousandth from
 * -1,000 to 1,000, whole thousandths spread up to and past 10^12 (where the
 * fast path ends), and values it must leave to printf. */
static void expect_g15(double v)
{
    char want[64];
    snprintf(want, sizeof want, "%.15g", v);
    buf b;
    buf_init(&b, 128);
    buf_put_g15(&b, v);
    if (strcmp(b.data, want) != 0)
        fail_msg("buf_put_g15(%.17g) wrote %s, printf %s", v, b.data, want);
    buf_release(&b);
}

static void test_buf_put_g15(void **state)
{
    (void)state;
    for (long k = -1000000; k <= 1000000; k++)
        expect_g15((double)k / 1000.0);
    uint64_t x = 88172645463325252u; /* xorshift64: reproducible */
    for (int i = 0; i < 500000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long long k = (long long)(x % 2000000000000000ull) - 1000000000000000ll;
        expect_g15((double)k / 1000.0);            /* whole thousandths, up to 10^12 and past */
        expect_g15((double)(k % 100000000) / 7.0); /* most not thousandths: printf's */
        expect_g15((double)k * 1e-9);
    }
    static const double edge[] = {0.0,       -0.0,     1e12,      -1e12,           999999999999.999,
                                  1e15,      1e-300,   5e-324,    0.1 + 0.2,       72.5,
                                  1.0 / 3.0, INFINITY, -INFINITY, 123456789012.345};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        expect_g15(edge[i]);
}

/* buf_put_int writes what snprintf's "%lld" writes: every value from
 * -100,000 to 100,000, the extremes, and values spread over the whole range. */
static void expect_int(long long v)
{
    char want[32];
    snprintf(want, sizeof want, "%lld", v);
    buf b;
    buf_init(&b, 64);
    buf_put_int(&b, v);
    if (strcmp(b.data, want) != 0)
        fail_msg("buf_put_int(%lld) wrote %s, printf %s", v, b.data, want);
    buf_release(&b);
}

static void test_buf_put_int(void **state)
{
    (void)state;
    for (long long v = -100000; v <= 100000; v++)
        expect_int(v);
    static const long long edge[] = {LLONG_MIN,
                                     LLONG_MIN + 1,
                                     LLONG_MAX,
                                     LLONG_MAX - 1,
                                     -1000000000000LL,
                                     1000000000000LL,
                                     9,
                                     10,
                                     -9,
                                     -10};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        expect_int(edge[i]);
    uint64_t x = 2463534242u; /* xorshift64: reproducible */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        expect_int((long long)x);
        expect_int((long long)(x >> (x % 64)));
    }
}

/* bigvec: elements survive every growth (past the size where huge pages are
 * asked for), in order. */
static void test_bigvec(void **state)
{
    (void)state;
    bigvec v;
    bigvec_init(&v, sizeof(uint64_t));
    for (uint64_t i = 0; i < 3000000; i++) {
        uint64_t *slot = bigvec_push(&v);
        assert_non_null(slot);
        *slot = i * 2654435761u;
    }
    assert_int_equal(v.n, 3000000);
    assert_true(v.cap >= v.n);
    const uint64_t *items = v.items;
    for (uint64_t i = 0; i < 3000000; i += 997)
        assert_true(items[i] == i * 2654435761u);
    assert_true(items[2999999] == 2999999 * (uint64_t)2654435761u);
    bigvec_free(&v);
    assert_null(v.items);
    assert_int_equal(v.n, 0);
}

static void test_arena(void **state)
{
    (void)state;
    arena *a = arena_create(64 * 1024);
    assert_non_null(a);
    char *s = arena_strdup(a, "abc");
    assert_string_equal(s, "abc");
    assert_null(arena_alloc(a, 128 * 1024)); /* over the cap */
    void *big = arena_alloc(a, 40 * 1024);   /* larger than a block */
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    released = 0;
    assert_int_equal(arena_on_release(a, count_release, NULL), 0);
    arena_release(a);
    assert_int_equal(released, 1);
    /* a large array gets a block of its own: zeroed, aligned, and the small
     * allocations around it keep sharing the current block */
    a = arena_create((size_t)64 << 20);
    char *small = arena_alloc(a, 100);
    unsigned char *large = arena_alloc(a, (size_t)8 << 20);
    char *after = arena_alloc(a, 100);
    assert_non_null(large);
    assert_int_equal((uintptr_t)large % 16, 0);
    for (size_t i = 0; i < ((size_t)8 << 20); i += 4093)
        assert_int_equal(large[i], 0);
    assert_int_equal(large[((size_t)8 << 20) - 1], 0);
    assert_ptr_equal(after, small + 112);
    memset(large, 0xab, (size_t)8 << 20);
    assert_true(arena_used(a) >= ((size_t)8 << 20) + 224);
    assert_null(arena_alloc(a, (size_t)60 << 20)); /* the cap counts large blocks too */
    /* memory held elsewhere for the arena's work counts against the cap */
    size_t used = arena_used(a);
    assert_false(arena_charge(a, (size_t)64 << 20));
    assert_int_equal(arena_used(a), used);
    assert_true(arena_charge(a, (size_t)1 << 20));
    assert_int_equal(arena_used(a), used + ((size_t)1 << 20));
    assert_null(arena_alloc(a, ((size_t)64 << 20) - used - ((size_t)1 << 20) + 16));
    arena_release(a);
}

/* Erasure requests: a person linked to a unit is traceability data, kept 30
 * years (Directive 2004/23/EC art. 8(4), 2006/86/EC art. 9(2)); nothing else
 * is erasable here either. One row per case. */
static void test_erasure_refusal(void **state)
{
    (void)state;
    const struct {
        long long received, donations;
        const char *want;
    } rows[] = {
        {0, 0, "erasure_not_available"},  /* no link: the clinical record stays */
        {1, 0, "traceability_retention"}, /* received a unit: recipient identity */
        {0, 1, "traceability_retention"}, /* an autologous donor record */
        {3, 2, "traceability_retention"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        patient_trace_links l = {rows[i].received, rows[i].donations};
        assert_string_equal(patient_erasure_refusal(&l), rows[i].want);
    }
    assert_int_equal(TRACEABILITY_RETENTION_YEARS, 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_table),
        cmocka_unit_test(test_date_round_trip_every_day),
        cmocka_unit_test(test_instant_format),
        cmocka_unit_test(test_text_fold_table),
        cmocka_unit_test(test_text_fold_truncates_safely),
        cmocka_unit_test(test_text_clean_utf8),
        cmocka_unit_test(test_mrn_check_digit),
        cmocka_unit_test(test_mrn_catches_substitutions),
        cmocka_unit_test(test_icd10),
        cmocka_unit_test(test_weight_bounds),
        cmocka_unit_test(test_buf_cap_and_failure),
        cmocka_unit_test(test_buf_put_g15),
        cmocka_unit_test(test_buf_put_int),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_bigvec),
        cmocka_unit_test(test_erasure_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
