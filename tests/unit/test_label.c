/* Unit label (src/label): PNG and PDF are produced, and zbarimg (Debian
 * zbar-tools) reads back from the PNG exactly the DIN and product-code
 * barcode contents, for undivided and divided, quarantined and autologous
 * units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "label/label.h"

static label_unit sample(const char *keyed, const char *code, int division, const char *state,
                         const char *mrn)
{
    label_unit u;
    memset(&u, 0, sizeof u);
    cc_error err;
    assert_int_equal(isbt128_parse(keyed, "din", &u.din, &err), CC_OK);
    snprintf(u.product_code, sizeof u.product_code, "%s", code);
    u.division = division;
    snprintf(u.product_type, sizeof u.product_type, "uc-msc");
    u.cells = 120000000;
    u.volume_ml = 10;
    u.viability = 93;
    snprintf(u.expiry, sizeof u.expiry, "2027-11-01");
    snprintf(u.storage, sizeof u.storage, "<= -150 C");
    snprintf(u.state, sizeof u.state, "%s", state);
    snprintf(u.owner_mrn, sizeof u.owner_mrn, "%s", mrn);
    snprintf(u.batch_code, sizeof u.batch_code, "B26-00001");
    return u;
}

static void test_png_reads_back(void **state)
{
    (void)state;
    static const struct {
        const char *keyed, *code;
        int division;
        const char *state, *mrn, *din_scan, *product_scan; /* what zbarimg must print */
    } rows[] = {
        {"W1234261234567", "S1234", 0, "quarantine", "", "=W12342612345600", "=<S1234000"},
        {"W123426000001N", "S1234", 1, "released", "00000125", "=W12342600000100", "=<S12340A0"},
        {"G123498654321H", "E0001", 26, "expired", "", "=G12349865432100", "=<E00010Z0"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        label_unit u =
            sample(rows[i].keyed, rows[i].code, rows[i].division, rows[i].state, rows[i].mrn);
        buf png, pdf;
        buf_init(&png, 16 << 20);
        buf_init(&pdf, 16 << 20);
        cc_error err;
        assert_int_equal(label_render(&u, LABEL_PNG, &png, &err), CC_OK);
        assert_int_equal(label_render(&u, LABEL_PDF, &pdf, &err), CC_OK);
        assert_memory_equal(png.data, "\x89PNG\r\n\x1a\n", 8);
        assert_memory_equal(pdf.data, "%PDF-", 5);
        char path[64];
        snprintf(path, sizeof path, "/tmp/cc-label-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, png.data, png.len), (ssize_t)png.len);
        close(fd);
        char cmd[128], out[256] = "";
        snprintf(cmd, sizeof cmd, "zbarimg -q --raw %s 2>/dev/null", path);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        int rc = pclose(p);
        unlink(path);
        if (rc != 0)
            fail_msg("row %zu: zbarimg failed (rc %d; is zbar-tools installed?)", i, rc);
        char expect[128];
        snprintf(expect, sizeof expect, "%s\n", rows[i].din_scan);
        if (!strstr(out, expect))
            fail_msg("row %zu: DIN %s not read back from: %s", i, rows[i].din_scan, out);
        snprintf(expect, sizeof expect, "%s\n", rows[i].product_scan);
        if (!strstr(out, expect))
            fail_msg("row %zu: product code %s not read back from: %s", i, rows[i].product_scan,
                     out);
        buf_release(&png);
        buf_release(&pdf);
    }
}

static void test_bad_product_code_refused(void **state)
{
    (void)state;
    label_unit u = sample("W1234261234567", "S12", 0, "released", "");
    buf b;
    buf_init(&b, 1 << 20);
    cc_error err;
    assert_int_equal(label_render(&u, LABEL_PNG, &b, &err), CC_INVALID);
    assert_string_equal(err.field, "product_code");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_reads_back),
        cmocka_unit_test(test_bad_product_code_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
