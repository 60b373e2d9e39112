/* Unit tests of core/csv: RFC 4180 fields and the spreadsheet-formula guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/csv.h"

typedef struct {
    const char *text; /* NULL: no value */
    csv_quoting quoting;
    bool last;
    const char *written;
    bool formula;
} csv_case;

/* RFC 4180 section 2 (https://www.rfc-editor.org/rfc/rfc4180#section-2) and OWASP
 * "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection). */
static const csv_case CASES[] = {
    /* 2.1/2.4: fields are separated by commas, a record ends with CRLF */
    {"plain", CSV_QUOTE_WHEN_NEEDED, false, "plain,", false},
    {"plain", CSV_QUOTE_WHEN_NEEDED, true, "plain\r\n", false},
    /* 2.4: an empty field is nothing between separators; NULL is empty */
    {"", CSV_QUOTE_WHEN_NEEDED, false, ",", false},
    {NULL, CSV_QUOTE_WHEN_NEEDED, true, "\r\n", false},
    /* 2.5: a field may always be enclosed in double quotes */
    {"plain", CSV_QUOTE_ALWAYS, false, "\"plain\",", false},
    {"", CSV_QUOTE_ALWAYS, true, "\"\"\r\n", false},
    {NULL, CSV_QUOTE_ALWAYS, false, "\"\",", false},
    /* 2.6: commas, double quotes, CR and LF need the enclosing quotes */
    {"a,b", CSV_QUOTE_WHEN_NEEDED, false, "\"a,b\",", false},
    {"line 1\r\nline 2", CSV_QUOTE_WHEN_NEEDED, false, "\"line 1\r\nline 2\",", false},
    {"line 1\nline 2", CSV_QUOTE_WHEN_NEEDED, false, "\"line 1\nline 2\",", false},
    {"a\rb", CSV_QUOTE_WHEN_NEEDED, false, "\"a\rb\",", false},
    /* 2.7: a double quote inside is escaped by another double quote */
    {"say \"hi\"", CSV_QUOTE_WHEN_NEEDED, false, "\"say \"\"hi\"\"\",", false},
    {"\"", CSV_QUOTE_WHEN_NEEDED, true, "\"\"\"\"\r\n", false},
    {"\"\"", CSV_QUOTE_ALWAYS, false, "\"\"\"\"\"\",", false},
    /* 2.3/2.6: spaces are part of the field and need no quotes; UTF-8 passes through */
    {" padded ", CSV_QUOTE_WHEN_NEEDED, false, " padded ,", false},
    {"Zürich; 東京", CSV_QUOTE_WHEN_NEEDED, false, "Zürich; 東京,", false},
    /* OWASP: fields beginning with = + - @ tab CR are prefixed with ' and quoted */
    {"=1+2", CSV_QUOTE_WHEN_NEEDED, false, "\"'=1+2\",", true},
    {"=HYPERLINK(\"http://x\",\"y\")", CSV_QUOTE_WHEN_NEEDED, true,
     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n", true},
    {"+1+cmd|' /C calc'!A0", CSV_QUOTE_WHEN_NEEDED, false, "\"'+1+cmd|' /C calc'!A0\",", true},
    {"@SUM(1+1)", CSV_QUOTE_WHEN_NEEDED, false, "\"'@SUM(1+1)\",", true},
    {"-cmd", CSV_QUOTE_ALWAYS, false, "\"'-cmd\",", true},
    {"\t=1", CSV_QUOTE_WHEN_NEEDED, false, "\"'\t=1\",", true},
    {"\r=1", CSV_QUOTE_WHEN_NEEDED, false, "\"'\r=1\",", true},
    /* OWASP's example: a leading minus sign and digits do not make it a number */
    {"-2+3+cmd|' /C calc'!A0", CSV_QUOTE_WHEN_NEEDED, false, "\"'-2+3+cmd|' /C calc'!A0\",", true},
    {"-1-", CSV_QUOTE_WHEN_NEEDED, false, "\"'-1-\",", true},
    {"-", CSV_QUOTE_WHEN_NEEDED, false, "\"'-\",", true},
    {"+.", CSV_QUOTE_WHEN_NEEDED, false, "\"'+.\",", true},
    {"-1e", CSV_QUOTE_WHEN_NEEDED, false, "\"'-1e\",", true},
    /* a field that is entirely a decimal number is data: negative values stay numbers */
    {"-3", CSV_QUOTE_WHEN_NEEDED, false, "-3,", false},
    {"-0.25", CSV_QUOTE_WHEN_NEEDED, false, "-0.25,", false},
    {"+2.5", CSV_QUOTE_WHEN_NEEDED, false, "+2.5,", false},
    {"-1.5e-3", CSV_QUOTE_WHEN_NEEDED, false, "-1.5e-3,", false},
    {"-.5", CSV_QUOTE_WHEN_NEEDED, false, "-.5,", false},
    {"-3", CSV_QUOTE_ALWAYS, true, "\"-3\"\r\n", false},
    /* the prefix only matters at the start: = inside is text */
    {"a=1", CSV_QUOTE_WHEN_NEEDED, false, "a=1,", false},
    {" =1", CSV_QUOTE_WHEN_NEEDED, false, " =1,", false},
};

static void sink_to_buf(void *ctx, const char *bytes, size_t n)
{
    buf_append(ctx, bytes, n);
}

static void test_csv_field_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const csv_case *c = &CASES[i];
        buf b, s;
        buf_init(&b, 4096);
        buf_init(&s, 4096);
        csv_field(&b, c->text, c->quoting, c->last);
        csv_field_to(sink_to_buf, &s, c->text, c->quoting, c->last);
        if (strcmp(b.data, c->written) != 0)
            fail_msg("case %zu (%s): wrote [%s], expected [%s]", i, c->text ? c->text : "NULL",
                     b.data, c->written);
        assert_string_equal(s.data, c->written);
        assert_int_equal(csv_is_formula(c->text), c->formula);
        buf_release(&b);
        buf_release(&s);
    }
}

/* A record read back field by field: what a spreadsheet or csv.reader would do. */
static void test_csv_record(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 4096);
    const char *fields[] = {"id", "note, with comma", "=2*3", "-7"};
    for (size_t i = 0; i < 4; i++)
        csv_field(&b, fields[i], CSV_QUOTE_WHEN_NEEDED, i == 3);
    assert_string_equal(b.data, "id,\"note, with comma\",\"'=2*3\",-7\r\n");
    buf_release(&b);
}

/* buf's contract: a field that does not fit leaves the buffer failed, not cut. */
static void test_csv_bounded_buffer(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 8);
    csv_field(&b, "0123456789", CSV_QUOTE_WHEN_NEEDED, true);
    assert_true(buf_failed(&b));
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_field_table),
        cmocka_unit_test(test_csv_record),
        cmocka_unit_test(test_csv_bounded_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
