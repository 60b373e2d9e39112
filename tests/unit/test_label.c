/* Unit label (src/label): PNG and PDF are produced, and zbarimg (Debian
 * zbar-tools) reads back from the PNG exactly the DIN and product-code
 * barcode contents (with the type-of-donation character), for undivided and
 * divided, quarantined and autologous units; pdftotext (Debian poppler-utils)
 * reads back from the PDF the statements of 21 CFR 1271.370 that apply, the
 * recipient of an autologous unit, the dates and the facility, in French and
 * in English, with the texts of the real message catalogues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/hctp_label.h"
#include "label/label.h"

/* The "unitlabel.*" texts of src/web/i18n/<lang>.json (kept for the run). */
static json_t *catalogues[2];

static label_texts texts_of(const char *lang)
{
    int k = strcmp(lang, "fr") == 0;
    if (!catalogues[k]) {
        char path[512];
        snprintf(path, sizeof path, "%s/../../src/web/i18n/%s.json", CC_TEST_DATA, lang);
        json_error_t jerr;
        catalogues[k] = json_load_file(path, 0, &jerr);
        if (!catalogues[k])
            fail_msg("%s: %s", path, jerr.text);
    }
    label_texts t;
    for (int i = 0; i < LT_COUNT; i++) {
        t.text[i] = json_string_value(json_object_get(catalogues[k], label_text_keys[i]));
        if (!t.text[i])
            fail_msg("%s has no %s", lang, label_text_keys[i]);
    }
    return t;
}

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
    u.donation_type = *mrn ? '1' : 'V';
    u.statements = *mrn ? HCTP_AUTOLOGOUS_ONLY : 0;
    snprintf(u.owner_name, sizeof u.owner_name, "%s", *mrn ? "DUPONT, Marie" : "");
    snprintf(u.owner_birth_date, sizeof u.owner_birth_date, "%s", *mrn ? "1990-03-04" : "");
    snprintf(u.language, sizeof u.language, "en");
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
        {"W1234261234567", "S1234", 0, "quarantine", "", "=W12342612345600", "=<S1234V00"},
        {"W123426000001N", "S1234", 1, "released", "00000125", "=W12342600000100", "=<S12341A0"},
        {"G123498654321H", "E0001", 26, "expired", "", "=G12349865432100", "=<E0001VZ0"},
        {"W1234261234567", "S1A2B", 0, "released", "", "=W12342612345600", "=<S1A2BV00"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        label_unit u =
            sample(rows[i].keyed, rows[i].code, rows[i].division, rows[i].state, rows[i].mrn);
        label_texts texts = texts_of("en");
        u.texts = &texts;
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
    label_texts texts = texts_of("en");
    u.texts = &texts;
    buf b;
    buf_init(&b, 1 << 20);
    cc_error err;
    assert_int_equal(label_render(&u, LABEL_PNG, &b, &err), CC_INVALID);
    assert_string_equal(err.field, "product_code");
    buf_release(&b);
}

/* Renders u as PDF into a temporary file and returns what tool (a
 * command taking the file name for %s) prints, in out (cap bytes). */
static void read_pdf(const label_unit *u, const char *tool, char *out, size_t cap)
{
    buf pdf;
    buf_init(&pdf, 16 << 20);
    cc_error err;
    if (label_render(u, LABEL_PDF, &pdf, &err) != CC_OK)
        fail_msg("render: %s", err.message);
    char path[64];
    snprintf(path, sizeof path, "/tmp/cc-label-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf.data, pdf.len), (ssize_t)pdf.len);
    close(fd);
    buf_release(&pdf);
    char cmd[160];
    snprintf(cmd, sizeof cmd, tool, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int rc = pclose(p);
    unlink(path);
    if (rc != 0)
        fail_msg("%s failed (rc %d; is poppler-utils installed?)", cmd, rc);
}

/* The text pdftotext reads from the label's PDF, lines joined by spaces. */
static void pdf_text(const label_unit *u, char *out, size_t cap)
{
    read_pdf(u, "pdftotext -enc UTF-8 %s - 2>/dev/null", out, cap);
    /* a statement broken over two lines reads as one */
    for (char *c = out; *c; c++)
        if (*c == '\n')
            *c = ' ';
}

/* Each row: a unit's donor situation as core decides it (hctp_label), the
 * label's language, what the PDF must say and what it must not. */
static void test_pdf_statements(void **state)
{
    (void)state;
    static const struct {
        const char *what, *lang, *mrn;
        hctp_label_facts facts;
        const char *reactive;
        const char *must[8];
        const char *must_not[6];
    } rows[] = {
        {"autologous, not screened, French",
         "fr",
         "00000125",
         {true, HCTP_ELIGIBILITY_INCOMPLETE, false, false, false},
         "",
         {"RÉSERVÉ À UN USAGE AUTOLOGUE", "Receveur : DUPONT, Marie",
          "Né(e) le 04/03/1990 · dossier 00000125", "NON ÉVALUÉ POUR LES SUBSTANCES INFECTIEUSES",
          "Prélevé le 02/10/2026", "PÉREMPTION 01/11/2027", "Réservé à un usage autologue",
          "S1234 1 00"},
         {"DANGER BIOLOGIQUE", "AVERTISSEMENT", "FOR AUTOLOGOUS", "2027-11-01"}},
        {"autologous, screened negative, English",
         "en",
         "00000125",
         {true, HCTP_ELIGIBILITY_ELIGIBLE, true, false, false},
         "",
         {"FOR AUTOLOGOUS USE ONLY", "Recipient: DUPONT, Marie",
          "Born 04 MAR 1990 · record 00000125", "Collected 02 OCT 2026", "EXPIRY 01 NOV 2027",
          "Cellules souches de test", NULL},
         {"NOT EVALUATED", "BIOHAZARD", "WARNING", NULL}},
        {"autologous, reactive HBV",
         "en",
         "00000125",
         {true, HCTP_ELIGIBILITY_INCOMPLETE, true, true, false},
         "HBV",
         {"FOR AUTOLOGOUS USE ONLY", "BIOHAZARD", "WARNING: Advise patient of communicable",
          "WARNING: Reactive test results for HBV", "For autologous use only, biohazardous",
          "S1234 X 00", NULL},
         {"NOT EVALUATED", NULL}},
        {"allogeneic, eligible",
         "fr",
         "",
         {false, HCTP_ELIGIBILITY_ELIGIBLE, true, false, false},
         "",
         {"Don allogénique bénévole", "S1234 V 00", "Laboratoire de thérapie cellulaire",
          "12 rue des Lilas", "75012 Paris", "(FIN) W1234", "Viabilité 93 %", NULL},
         {"RÉSERVÉ", "Receveur", "DANGER", "AVERTISSEMENT", "NON ÉVALUÉ", NULL}},
        {"allogeneic, ineligible donor, reactive HCV",
         "fr",
         "",
         {false, HCTP_ELIGIBILITY_INELIGIBLE, true, true, false},
         "HCV",
         {"DANGER BIOLOGIQUE", "informer le patient des risques de maladies transmissibles",
          "résultats réactifs pour HCV", NULL},
         {"RÉSERVÉ", "NON ÉVALUÉ", NULL}},
        {"allogeneic, incomplete, urgent medical need",
         "en",
         "",
         {false, HCTP_ELIGIBILITY_INCOMPLETE, false, false, true},
         "",
         {"NOT EVALUATED FOR INFECTIOUS SUBSTANCES", "WARNING: Advise patient of communicable",
          NULL},
         {"BIOHAZARD", "AUTOLOGOUS", "Reactive", NULL}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        label_unit u = sample("W1234261234567", "S1234", 0, "released", rows[i].mrn);
        hctp_label decided;
        hctp_label_decide(&rows[i].facts, &decided);
        u.donation_type = decided.donation_type;
        u.statements = decided.statements;
        snprintf(u.reactive, sizeof u.reactive, "%s", rows[i].reactive);
        snprintf(u.language, sizeof u.language, "%s", rows[i].lang);
        snprintf(u.collected_on, sizeof u.collected_on, "2026-10-02");
        snprintf(u.product_description, sizeof u.product_description, "Cellules souches de test");
        snprintf(u.facility_name, sizeof u.facility_name, "Laboratoire de thérapie cellulaire");
        snprintf(u.facility_address, sizeof u.facility_address, "12 rue des Lilas\n75012 Paris");
        snprintf(u.fin, sizeof u.fin, "W1234");
        label_texts texts = texts_of(rows[i].lang);
        u.texts = &texts;
        char text[8192];
        pdf_text(&u, text, sizeof text);
        for (size_t k = 0; k < 8 && rows[i].must[k]; k++)
            if (!strstr(text, rows[i].must[k]))
                fail_msg("%s: \"%s\" not on the label:\n%s", rows[i].what, rows[i].must[k], text);
        for (size_t k = 0; k < 6 && rows[i].must_not[k]; k++)
            if (strstr(text, rows[i].must_not[k]))
                fail_msg("%s: \"%s\" must not be on the label:\n%s", rows[i].what,
                         rows[i].must_not[k], text);
    }
}

static void test_missing_text_refused(void **state)
{
    (void)state;
    label_unit u = sample("W1234261234567", "S1234", 0, "released", "");
    label_texts texts = texts_of("en");
    texts.text[LT_BIOHAZARD] = NULL;
    u.texts = &texts;
    buf b;
    buf_init(&b, 1 << 20);
    cc_error err;
    assert_int_equal(label_render(&u, LABEL_PDF, &b, &err), CC_INTERNAL);
    assert_string_equal(err.code, "label_text_missing");
    buf_release(&b);
}

/* yMax (or yMin) of the first word w in pdftotext -bbox output; -1 if absent. */
static double word_y(const char *html, const char *w, bool bottom)
{
    char needle[96];
    snprintf(needle, sizeof needle, ">%s</word>", w);
    const char *at = strstr(html, needle);
    if (!at)
        return -1;
    const char *start = at;
    while (start > html && strncmp(start, "<word", 5) != 0)
        start--;
    const char *key = strstr(start, bottom ? "yMax=\"" : "yMin=\"");
    return key && key < at ? atof(key + 6) : -1;
}

/* The longest label (a three-line description, a four-line address, every
 * statement, the quarantine banner): the text shrinks so that its last line
 * still ends above the banner, read back from the PDF's word boxes. */
static void test_long_label_fits_above_banner(void **state)
{
    (void)state;
    label_unit u = sample("W1234261234567", "S1234", 0, "quarantine", "00000125");
    u.donation_type = 'X';
    u.statements = HCTP_AUTOLOGOUS_ONLY | HCTP_NOT_EVALUATED | HCTP_BIOHAZARD | HCTP_ADVISE_RISKS |
                   HCTP_REACTIVE;
    snprintf(u.reactive, sizeof u.reactive, "HBV, HCV, HIV");
    snprintf(u.product_description, sizeof u.product_description,
             "Cellules stromales mésenchymateuses de gelée de Wharton, cryoconservées, "
             "suspension pour administration intrathécale");
    snprintf(u.collected_on, sizeof u.collected_on, "2026-10-02");
    snprintf(u.facility_name, sizeof u.facility_name, "Laboratoire de thérapie cellulaire du CHU");
    snprintf(u.facility_address, sizeof u.facility_address,
             "Bâtiment C, 3e étage\nHôpital universitaire\n12 rue des Lilas\n75012 Paris");
    snprintf(u.fin, sizeof u.fin, "W1234");
    label_texts texts = texts_of("en");
    u.texts = &texts;
    static char html[65536];
    read_pdf(&u, "pdftotext -bbox -enc UTF-8 %s - 2>/dev/null", html, sizeof html);
    double fin_bottom = word_y(html, "(FIN)", true), banner_top = word_y(html, "QUARANTINE", false);
    double paris = word_y(html, "Paris", true), hcv = word_y(html, "HCV,", true);
    if (fin_bottom < 0 || banner_top < 0 || paris < 0 || hcv < 0)
        fail_msg("a word is missing from the label:\n%s", html);
    if (!(fin_bottom < banner_top - 4 && paris < fin_bottom && hcv < paris))
        fail_msg("the text overlaps the banner: FIN line ends at %.1f, banner text starts at %.1f",
                 fin_bottom, banner_top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_reads_back),
        cmocka_unit_test(test_bad_product_code_refused),
        cmocka_unit_test(test_pdf_statements),
        cmocka_unit_test(test_missing_text_refused),
        cmocka_unit_test(test_long_label_fits_above_banner),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(catalogues[0]);
    json_decref(catalogues[1]);
    return failed;
}
