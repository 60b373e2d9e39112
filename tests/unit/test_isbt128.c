/* Unit tests of core/isbt128: MOD 37-2 check character, DIN parsing and formatting.
 *
 * Where the expected check characters come from:
 *  - "G123498654321" -> 'H': worked example of UK Red Book annex 2, "ISBT 128
 *    check character calculation" (weighted sum 148354, mod 37 = 21,
 *    38 - 21 = 17 = 'H'), transfusionguidelines.org.
 *  - "ABCDE27000069" -> 'C': sample of the ISBT128_Checksum FileMaker function
 *    (briandunning.com/cf/2878); recomputed below and agreeing.
 *  - every other row: computed for this test with a python3 one-liner written
 *    from the ISO/IEC 7064 definition in its weighted-sum form (not the Horner
 *    loop used by isbt128.c):
 *      A='0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*'
 *      k=lambda s: A[(38-sum(A.index(c)*2**(len(s)-i)
 *                        for i,c in enumerate(s))%37)%37]
 *    The third column (check value + 60, the flag form) comes from the same run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/isbt128.h"

static const char alphabet37[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

static const struct {
    const char *data;
    char check;
    int flag; /* check value + 60 */
} vectors[] = {
    {"G123498654321", 'H', 77}, /* Red Book annex 2 worked example */
    {"ABCDE27000069", 'C', 72}, /* FileMaker sample (not a valid FIN: check only) */
    {"W123426123456", '7', 67}, {"A999926000001", '8', 68}, {"Z000099999999", 'T', 89},
    {"1000000000000", 'N', 83}, {"9999999999999", '8', 68}, {"P123426000000", 'J', 79},
    {"N123425654321", 'G', 76}, {"W000026000017", '*', 96}, /* check value 36: the '*' character */
    {"W123426000199", '0', 60}, /* check value 0 (found by searching sequences) */
    {"J123426000042", 'F', 75}, {"X987625011223", 'J', 79},
};
enum { N_VECTORS = sizeof vectors / sizeof vectors[0] };

static void test_check_character_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_VECTORS; i++) {
        assert_int_equal(isbt128_mod37_2(vectors[i].data, 13), vectors[i].check);
        assert_int_equal(60 + isbt128_char_value(vectors[i].check), vectors[i].flag);
        char keyed[16];
        snprintf(keyed, sizeof keyed, "%s%c", vectors[i].data, vectors[i].check);
        assert_true(isbt128_mod37_2_verify(keyed, 14));
    }
    /* Data characters outside 0-9 A-Z have no check character. */
    assert_int_equal(isbt128_mod37_2("W1234*6123456", 13), '\0');
    assert_int_equal(isbt128_mod37_2("w123426123456", 13), '\0');
    assert_int_equal(isbt128_mod37_2("W1234 6123456", 13), '\0');
    assert_int_equal(isbt128_mod37_2("", 0), '\0');
    assert_int_equal(isbt128_mod37_2(NULL, 3), '\0');
    assert_false(isbt128_mod37_2_verify("7", 1));
}

/* Every byte value: the alphabet maps to its index, everything else to -1. */
static void test_char_value_every_byte(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        const char *p = c ? strchr(alphabet37, c) : NULL;
        int want = p ? (int)(p - alphabet37) : -1;
        assert_int_equal(isbt128_char_value((char)c), want);
    }
}

/* Every byte as the first FIN character, and every position as a non-digit. */
static void test_fin_every_first_character(void **state)
{
    (void)state;
    for (int c = 1; c < 256; c++) {
        char fin[6] = {(char)c, '1', '2', '3', '4', '\0'};
        int want = (c >= 'A' && c <= 'Z' && c != 'O') || (c >= '1' && c <= '9');
        assert_int_equal(isbt128_fin_is_valid(fin), want);
    }
    static const struct {
        const char *fin;
        int ok;
    } rows[] = {
        {"W1234", 1}, {"A0000", 1},  {"Z9999", 1},
        {"19999", 1}, {"O1234", 0}, /* letter O excluded */
        {"01234", 0},               /* digit 0 excluded */
        {"w1234", 0},               /* the validator is strict; make/parse fold case */
        {"W123", 0},  {"W12345", 0}, {"WA234", 0},
        {"W123A", 0}, {"", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(isbt128_fin_is_valid(rows[i].fin), rows[i].ok);
    assert_false(isbt128_fin_is_valid(NULL));
}

/* Tiny deterministic generator so the detection test also covers many DINs. */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffffu;
}

static void make_keyed(size_t i, uint32_t *seed, char keyed[15])
{
    if (i < N_VECTORS) {
        snprintf(keyed, 15, "%s%c", vectors[i].data, vectors[i].check);
        return;
    }
    static const char fin_first[] = "ABCDEFGHIJKLMNPQRSTUVWXYZ123456789";
    char data[14];
    snprintf(data, sizeof data, "%c%04u%02u%06u", fin_first[lcg(seed) % 34],
             (unsigned)(lcg(seed) % 10000), (unsigned)(lcg(seed) % 100),
             (unsigned)(lcg(seed) % 1000000));
    snprintf(keyed, 15, "%s%c", data, isbt128_mod37_2(data, 13));
}

/* Every single-character substitution (by each of the 36 other alphabet
 * characters) and every adjacent transposition of distinct characters, at
 * every position of the keyed form (check character included), is detected,
 * both by the raw verifier and by isbt128_parse. */
static void test_detects_substitutions_and_transpositions(void **state)
{
    (void)state;
    uint32_t seed = 20260101u;
    size_t substitutions = 0, transpositions = 0;
    for (size_t i = 0; i < N_VECTORS + 200; i++) {
        char keyed[15];
        make_keyed(i, &seed, keyed);
        isbt128_din din;
        if (i >= 2) /* rows 0-1 are check-only vectors, not all valid DINs */
            assert_int_equal(isbt128_parse(keyed, "din", &din, NULL), CC_OK);
        assert_true(isbt128_mod37_2_verify(keyed, 14));
        for (int pos = 0; pos < 14; pos++) {
            for (int a = 0; a < 37; a++) {
                if (alphabet37[a] == keyed[pos])
                    continue;
                char bad[15];
                memcpy(bad, keyed, sizeof bad);
                bad[pos] = alphabet37[a];
                assert_false(isbt128_mod37_2_verify(bad, 14));
                assert_int_not_equal(isbt128_parse(bad, "din", &din, NULL), CC_OK);
                substitutions++;
            }
            if (pos < 13 && keyed[pos] != keyed[pos + 1]) {
                char bad[15];
                memcpy(bad, keyed, sizeof bad);
                bad[pos] = keyed[pos + 1];
                bad[pos + 1] = keyed[pos];
                assert_false(isbt128_mod37_2_verify(bad, 14));
                assert_int_not_equal(isbt128_parse(bad, "din", &din, NULL), CC_OK);
                transpositions++;
            }
        }
    }
    assert_true(substitutions > 100000);
    assert_true(transpositions > 1000);
}

static void test_parse_table(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *keyed; /* expected keyed form, NULL when refused */
        const char *flags;
        const char *why; /* substring of the message when refused */
    } rows[] = {
        /* keyed form */
        {"W1234261234567", "W1234261234567", "00", NULL},
        {"w1234261234567", "W1234261234567", "00", NULL}, /* case folded */
        {"W000026000017*", "W000026000017*", "00", NULL},
        {"W1234260001990", "W1234260001990", "00", NULL},
        {"W1234261234568", NULL, NULL, "expected '7'"},
        {"W123426123456", NULL, NULL, "check character is missing"},
        {"W12342612345677", NULL, NULL, "got 15"},
        {"O1234261234567", NULL, NULL, "FIN must start"},
        {"01234261234567", NULL, NULL, "FIN must start"},
        {"WA234261234567", NULL, NULL, "FIN must be one character then 4 digits"},
        {"W12342A1234567", NULL, NULL, "year must be 2 digits"},
        {"W123426123A567", NULL, NULL, "sequence must be 6 digits"},
        {"W123426123456#", NULL, NULL, "check character must be"},
        {"", NULL, NULL, "empty"},
        {"W123426123456700000000000000", NULL, NULL, "too long"},
        /* scan form: '=' + data + flags; flags 60-96 are a check value */
        {"=W12342612345600", "W1234261234567", "00", NULL},
        {"=W12342612345667", "W1234261234567", "67", NULL}, /* 60 + 7 */
        {"=W12342612345668", NULL, NULL, "expected 67"},
        {"=W00002600001796", "W000026000017*", "96", NULL}, /* 60 + 36 */
        {"=W12342612345601", "W1234261234567", "01", NULL},
        {"=W12342612345697", "W1234261234567", "97", NULL}, /* not a check value */
        {"=W1234261234560A", NULL, NULL, "flags must be 2 digits"},
        {"=W123426123456", NULL, NULL, "got 13"},
        {"=O12342612345600", NULL, NULL, "FIN must start"},
        /* printed form */
        {"W1234 26 123456 00 7", "W1234261234567", "00", NULL},
        {"W1234 26 123456 67 7", "W1234261234567", "67", NULL},
        {"W1234 26 123456 7", "W1234261234567", "00", NULL},
        {"w1234 26 123456 00 7", "W1234261234567", "00", NULL},
        {"W1234 26 123456 00 8", NULL, NULL, "expected '7'"},
        {"W1234 26 123456 68 7", NULL, NULL, "expected 67"},
        {"W1234 26 123456 0A 7", NULL, NULL, "flags must be 2 digits"},
        {"W1234 26 123456  7", NULL, NULL, "printed DIN must look like"},
        {"W1234 26 1234567", NULL, NULL, "printed DIN must look like"},
        {" W1234 26 123456 7", NULL, NULL, "printed DIN must look like"},
        {"W1234 26 123456 00 7 ", NULL, NULL, "printed DIN must look like"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        isbt128_din din;
        cc_error err;
        cc_error_clear(&err);
        cc_status st = isbt128_parse(rows[i].text, "unit_din", &din, &err);
        if (rows[i].keyed) {
            if (st != CC_OK)
                fail_msg("row %zu \"%s\": %s", i, rows[i].text, err.message);
            char keyed[ISBT128_KEYED_TEXT];
            isbt128_format_keyed(&din, keyed);
            assert_string_equal(keyed, rows[i].keyed);
            assert_string_equal(din.flags, rows[i].flags);
        } else {
            if (st != CC_INVALID)
                fail_msg("row %zu \"%s\" accepted", i, rows[i].text);
            assert_string_equal(err.field, "unit_din");
            if (!strstr(err.message, rows[i].why))
                fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, err.message, rows[i].why);
        }
    }
    assert_int_equal(isbt128_parse(NULL, "x", &(isbt128_din){0}, NULL), CC_INVALID);
}

static void test_make_table(void **state)
{
    (void)state;
    static const struct {
        const char *fin;
        int year;
        uint32_t sequence;
        const char *flags;
        const char *printed; /* NULL when refused */
        const char *field;   /* offending field when refused */
    } rows[] = {
        {"W1234", 26, 123456, NULL, "W1234 26 123456 00 7", NULL},
        {"w1234", 26, 123456, "67", "W1234 26 123456 67 7", NULL},
        {"W0000", 26, 17, NULL, "W0000 26 000017 00 *", NULL},
        {"A9999", 26, 1, NULL, "A9999 26 000001 00 8", NULL},
        {"Z0000", 99, 999999, NULL, "Z0000 99 999999 00 T", NULL}, /* upper bounds */
        {"10000", 0, 0, NULL, "10000 00 000000 00 N", NULL},       /* lower bounds */
        {"W1234", 100, 1, NULL, NULL, "year"},
        {"W1234", -1, 1, NULL, NULL, "year"},
        {"W1234", 26, 1000000, NULL, NULL, "sequence"},
        {"O1234", 26, 1, NULL, NULL, "fin"},
        {"W123", 26, 1, NULL, NULL, "fin"},
        {NULL, 26, 1, NULL, NULL, "fin"},
        {"W1234", 26, 123456, "68", NULL, "flags"}, /* check flag must match */
        {"W1234", 26, 123456, "0", NULL, "flags"},
        {"W1234", 26, 123456, "x0", NULL, "flags"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        isbt128_din din;
        cc_error err;
        cc_error_clear(&err);
        cc_status st =
            isbt128_make(rows[i].fin, rows[i].year, rows[i].sequence, rows[i].flags, &din, &err);
        if (rows[i].printed) {
            assert_int_equal(st, CC_OK);
            char printed[ISBT128_PRINTED_TEXT];
            isbt128_format_printed(&din, printed);
            assert_string_equal(printed, rows[i].printed);
            assert_int_equal(isbt128_year(&din), rows[i].year);
            assert_int_equal(isbt128_sequence(&din), rows[i].sequence);
        } else {
            assert_int_equal(st, CC_INVALID);
            assert_string_equal(err.field, rows[i].field);
        }
    }
}

/* Each form formats and parses back to the same DIN, for many DINs. */
static void test_format_round_trip(void **state)
{
    (void)state;
    uint32_t seed = 7u;
    for (int i = 0; i < 2000; i++) {
        static const char fin_first[] = "ABCDEFGHIJKLMNPQRSTUVWXYZ123456789";
        char fin[6];
        snprintf(fin, sizeof fin, "%c%04u", fin_first[lcg(&seed) % 34],
                 (unsigned)(lcg(&seed) % 10000));
        int year = (int)(lcg(&seed) % 100);
        uint32_t seq = lcg(&seed) % 1000000;
        isbt128_din din, back;
        assert_int_equal(isbt128_make(fin, year, seq, NULL, &din, NULL), CC_OK);
        char fin_out[6];
        isbt128_fin(&din, fin_out);
        assert_string_equal(fin_out, fin);

        char keyed[ISBT128_KEYED_TEXT], scan[ISBT128_SCAN_TEXT], printed[ISBT128_PRINTED_TEXT],
            data[ISBT128_DATA_TEXT];
        isbt128_format_data(&din, data);
        assert_int_equal(strlen(data), 13);
        isbt128_format_keyed(&din, keyed);
        assert_int_equal(strlen(keyed), 14);
        isbt128_format_scan(&din, scan);
        assert_int_equal(strlen(scan), 16);
        isbt128_format_printed(&din, printed);
        assert_int_equal(strlen(printed), 20);

        const char *forms[] = {keyed, scan, printed};
        for (int f = 0; f < 3; f++) {
            assert_int_equal(isbt128_parse(forms[f], "din", &back, NULL), CC_OK);
            assert_true(isbt128_same_donation(&din, &back));
            assert_int_equal(back.check, din.check);
            assert_string_equal(back.flags, "00");
        }
    }
}

/* Product description codes (ST-001 data structure 003, "aoooo"): a letter,
 * then four characters that may be letters or digits. */
static void test_pdc_table(void **state)
{
    (void)state;
    static const struct {
        const char *pdc;
        bool valid;
    } rows[] = {
        {"S1234", true},  {"E0001", true},  {"S1A2B", true},   {"T0ABC", true},
        {"SZZZZ", true},  {"A9Z9Z", true},  {"1S234", false},  {"s1234", false},
        {"S12a4", false}, {"S123", false},  {"S12345", false}, {"S12-4", false},
        {"", false},      {"S1 34", false}, {"*1234", false},  {"S123*", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (isbt128_pdc_is_valid(rows[i].pdc) != rows[i].valid)
            fail_msg("%s: expected %s", rows[i].pdc, rows[i].valid ? "valid" : "invalid");
    assert_false(isbt128_pdc_is_valid(NULL));
}

/* The type of donation (6th character of the product code, ST-001 table
 * "Type of Donation or Collection"): listed values are written into the
 * barcode content, anything else is refused naming "donation_type". */
static void test_donation_type_table(void **state)
{
    (void)state;
    static const struct {
        const char *pdc;
        char type;
        int division;
        const char *scan; /* NULL: refused */
        const char *field;
        const char *text;
    } rows[] = {
        {"S1234", '1', 0,
         "=<S12341"
         "00",
         NULL, "For autologous use only"},
        {"S1234", 'X', 0, "=<S1234X00", NULL, "For autologous use only, biohazardous"},
        {"S1234", 'V', 0, "=<S1234V00", NULL, "Volunteer allogeneic donor"},
        {"S1234", '0', 2, "=<S12340B0", NULL, "Not specified"},
        {"S1A2B", 'D', 0, "=<S1A2BD00", NULL,
         "Volunteer directed collection, eligible for crossover"},
        {"E0001", 'E', 26, "=<E0001EZ0", NULL, "Medical exception, for specified recipient only"},
        {"S1234", 'd', 0, "=<S1234d00", NULL, "Paid directed collection, eligible for crossover"},
        {"S1234", '2', 0, "=<S1234200", NULL, "For directed recipient use only"},
        {"S1234", '3', 0, "=<S1234300", NULL, "For directed recipient use only, biohazardous"},
        {"S1234", 'Z', 0, NULL, "donation_type", NULL},
        {"S1234", '9', 0, NULL, "donation_type", NULL},
        {"S1234", 'v', 0, NULL, "donation_type", NULL},
        {"S1234", '\0', 0, NULL, "donation_type", NULL},
        {"S12a4", '1', 0, NULL, "product_code", NULL},
        {"S1234", '1', 27, NULL, "division", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[ISBT128_PRODUCT_SCAN_TEXT] = "";
        cc_error err;
        cc_status st = isbt128_product_scan(rows[i].pdc, rows[i].type, rows[i].division, out, &err);
        if (rows[i].scan) {
            if (st != CC_OK || strcmp(out, rows[i].scan) != 0)
                fail_msg("row %zu: %s expected, got %s (%s)", i, rows[i].scan, out,
                         st == CC_OK ? "ok" : err.message);
        } else if (st != CC_INVALID || strcmp(err.field, rows[i].field) != 0) {
            fail_msg("row %zu: expected refusal naming %s", i, rows[i].field);
        }
        const char *text = isbt128_donation_type_text(rows[i].type);
        if (rows[i].text ? !text || strcmp(text, rows[i].text) != 0
                         : rows[i].field && strcmp(rows[i].field, "donation_type") == 0 && text)
            fail_msg("row %zu: text %s", i, text ? text : "(none)");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_character_vectors),
        cmocka_unit_test(test_char_value_every_byte),
        cmocka_unit_test(test_fin_every_first_character),
        cmocka_unit_test(test_detects_substitutions_and_transpositions),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_make_table),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_pdc_table),
        cmocka_unit_test(test_donation_type_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
