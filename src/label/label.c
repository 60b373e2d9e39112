#include "label.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "core/hctp_label.h"
#include "core/lab_rules.h"
#include "core/mrn.h"

enum { LABEL_PT = 288, LABEL_H_PT = 432, PNG_DPI = 300 };
static const double MODULE_PT = 0.72; /* 3 px at 300 dpi */
static const double BAR_HEIGHT_PT = 40;
static const char FONT[] = "DejaVu Sans";

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    buf *b = closure;
    buf_append(b, (const char *)data, length);
    return buf_failed(b) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Draws a Code 128 symbol of text with its top-left corner at (x, y);
 * returns its width in points, or -1 when zint refuses the data. */
static double draw_code128(cairo_t *cr, const char *text, double x, double y)
{
    struct zint_symbol *sym = ZBarcode_Create();
    if (!sym)
        return -1;
    sym->symbology = BARCODE_CODE128;
    sym->show_hrt = 0;
    sym->height = 50;
    double width = -1;
    if (ZBarcode_Encode_and_Buffer_Vector(sym, (const unsigned char *)text, (int)strlen(text), 0) <
            ZINT_ERROR &&
        sym->vector && sym->width > 0) {
        double unit = sym->vector->width / sym->width; /* vector units per module */
        double k = MODULE_PT / unit, ky = BAR_HEIGHT_PT / sym->vector->height;
        cairo_save(cr);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
        cairo_set_source_rgb(cr, 0, 0, 0);
        for (struct zint_vector_rect *r = sym->vector->rectangles; r; r = r->next)
            cairo_rectangle(cr, x + r->x * k, y + r->y * ky, r->width * k, r->height * ky);
        cairo_fill(cr);
        cairo_restore(cr);
        width = sym->vector->width * k;
    }
    ZBarcode_Delete(sym);
    return width;
}

static void text_at(cairo_t *cr, double x, double y, double size, bool bold, const char *text)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, text);
}

const char *const label_text_keys[LT_COUNT] = {
    [LT_AUTOLOGOUS_ONLY] = "unitlabel.autologous_only",
    [LT_NOT_EVALUATED] = "unitlabel.not_evaluated",
    [LT_BIOHAZARD] = "unitlabel.biohazard",
    [LT_ADVISE_RISKS] = "unitlabel.advise_risks",
    [LT_REACTIVE] = "unitlabel.reactive",
    [LT_RECIPIENT] = "unitlabel.recipient",
    [LT_BORN] = "unitlabel.born",
    [LT_COLLECTED] = "unitlabel.collected",
    [LT_EXPIRY] = "unitlabel.expiry",
    [LT_CELLS] = "unitlabel.cells",
    [LT_VOLUME] = "unitlabel.volume",
    [LT_VIABILITY] = "unitlabel.viability",
    [LT_STORE] = "unitlabel.store",
    [LT_STORE_DEFAULT] = "unitlabel.store_default",
    [LT_BATCH] = "unitlabel.batch",
    [LT_FACILITY] = "unitlabel.facility",
    [LT_DONATION_1] = "unitlabel.donation_1",
    [LT_DONATION_X] = "unitlabel.donation_x",
    [LT_DONATION_V] = "unitlabel.donation_v",
    [LT_QUARANTINE] = "unitlabel.quarantine",
    [LT_EXPIRED] = "unitlabel.expired",
    [LT_DISCARDED] = "unitlabel.discarded",
};

/* Fills "{name}" fields of tpl from pairs (name, value, ..., NULL). */
static void fill(char *out, size_t cap, const char *tpl, const char *const *pairs)
{
    buf b;
    buf_init(&b, cap * 2 + 64);
    for (const char *p = tpl; *p;) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        const char *value = NULL;
        for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
            if (strlen(pairs[i]) == (size_t)(close - open - 1) &&
                strncmp(pairs[i], open + 1, (size_t)(close - open - 1)) == 0)
                value = pairs[i + 1];
        if (value)
            buf_puts(&b, value);
        else
            buf_append(&b, open, (size_t)(close - open + 1));
        p = close + 1;
    }
    snprintf(out, cap, "%s", b.data ? b.data : "");
    buf_release(&b);
}

static bool french(const label_unit *u)
{
    return strcmp(u->language, "fr") == 0;
}

/* dd/mm/yyyy in French, "01 NOV 2027" otherwise; the input itself when it
 * is not YYYY-MM-DD. */
static void date_text(const label_unit *u, const char *iso, char *out, size_t cap)
{
    static const char *const MONTHS[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                         "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    int y, m, d;
    char end;
    if (sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || m < 1 || m > 12) {
        snprintf(out, cap, "%s", iso);
        return;
    }
    if (french(u))
        snprintf(out, cap, "%02d/%02d/%04d", d, m, y);
    else
        snprintf(out, cap, "%02d %s %04d", d, MONTHS[m - 1], y);
}

/* A number with the label language's decimal separator. */
static void number_text(const label_unit *u, double v, int decimals, char *out, size_t cap)
{
    snprintf(out, cap, "%.*f", decimals, v);
    if (french(u))
        for (char *c = out; *c; c++)
            if (*c == '.')
                *c = ',';
}

/* "1.20 × 10^8" style for cell counts. */
static void cells_text(const label_unit *u, uint64_t cells, char *out, size_t cap)
{
    int exp = 0;
    double v = (double)cells;
    while (v >= 10) {
        v /= 10;
        exp++;
    }
    char mantissa[32];
    number_text(u, v, 2, mantissa, sizeof mantissa);
    snprintf(out, cap, "%s × 10^%d", mantissa, exp);
}

/* Draws text from (x, y) broken at spaces to fit width; returns the y of
 * the next line. */
static double wrapped(cairo_t *cr, double x, double y, double width, double size, bool bold,
                      const char *text)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    char line[400];
    const char *p = text;
    while (*p) {
        size_t fit = 0, n = strlen(p);
        for (size_t i = 1; i <= n && i < sizeof line; i++) {
            if (i < n && p[i] != ' ')
                continue;
            snprintf(line, sizeof line, "%.*s", (int)i, p);
            cairo_text_extents_t ext;
            cairo_text_extents(cr, line, &ext);
            if (ext.x_advance > width && fit > 0)
                break;
            fit = i;
        }
        if (fit == 0)
            fit = n < sizeof line - 1 ? n : sizeof line - 1;
        snprintf(line, sizeof line, "%.*s", (int)fit, p);
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, line);
        y += size * 1.25;
        p += fit;
        while (*p == ' ')
            p++;
    }
    return y;
}

static const char *donation_words(const label_unit *u)
{
    switch (u->donation_type) {
    case '1': return u->texts->text[LT_DONATION_1];
    case 'X': return u->texts->text[LT_DONATION_X];
    case 'V': return u->texts->text[LT_DONATION_V];
    default: return isbt128_donation_type_text(u->donation_type);
    }
}

/* Draws the label with the text below the barcodes at k times its size;
 * returns where the text ends (the banner sits below LABEL_H_PT - 32). */
static double draw(cairo_t *cr, const label_unit *u, const char *din_scan, const char *product_scan,
                   double k)
{
    const double m = 18; /* margin: more than the 10-module quiet zone */
    const double w = LABEL_PT - 2 * m;
    const char *const *t = u->texts->text;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double y = 14;
    draw_code128(cr, din_scan, m, y);
    y += BAR_HEIGHT_PT + 16;
    char printed[ISBT128_PRINTED_TEXT], eye[32];
    isbt128_format_printed(&u->din, printed);
    /* printed form ends with " K": show the check character boxed */
    snprintf(eye, sizeof eye, "%.*s", (int)strlen(printed) - 2, printed);
    text_at(cr, m, y, 14, true, eye);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, eye, &ext);
    char check[2] = {u->din.check, '\0'};
    double bx = m + ext.x_advance + 6;
    text_at(cr, bx + 3, y, 14, true, check);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, bx, y - 14, 16, 18);
    cairo_stroke(cr);
    y += 10;
    draw_code128(cr, product_scan, m, y);
    y += BAR_HEIGHT_PT + 14;
    char line[512], a[160], b[160];
    /* eye-readable product code: PDC, type of donation, division */
    snprintf(line, sizeof line, "%.5s %c %.2s   %s", product_scan + 2, product_scan[7],
             product_scan + 8, lab_product_type_label(u->product_type));
    text_at(cr, m, y, 11 * k, true, line);
    y += 14 * k;
    if (*u->product_description)
        y = wrapped(cr, m, y, w, 10 * k, true, u->product_description);
    const char *words = donation_words(u);
    if (words)
        y = wrapped(cr, m, y, w, 9 * k, false, words);
    cells_text(u, u->cells, a, sizeof a);
    fill(line, sizeof line, t[LT_CELLS], (const char *const[]){"cells", a, NULL});
    text_at(cr, m, y, 10 * k, false, line);
    y += 13 * k;
    number_text(u, u->volume_ml, 1, a, sizeof a);
    number_text(u, u->viability, 0, b, sizeof b);
    fill(line, sizeof line, u->viability >= 0 ? t[LT_VIABILITY] : t[LT_VOLUME],
         (const char *const[]){"volume", a, "viability", b, NULL});
    text_at(cr, m, y, 10 * k, false, line);
    y += 13 * k;
    if (*u->collected_on) {
        date_text(u, u->collected_on, a, sizeof a);
        fill(line, sizeof line, t[LT_COLLECTED], (const char *const[]){"date", a, NULL});
        text_at(cr, m, y, 10 * k, false, line);
        y += 13 * k;
    }
    date_text(u, u->expiry, a, sizeof a);
    fill(line, sizeof line, t[LT_EXPIRY], (const char *const[]){"date", a, NULL});
    text_at(cr, m, y, 11 * k, true, line);
    y += 14 * k;
    fill(line, sizeof line, t[LT_STORE],
         (const char *const[]){"storage", *u->storage ? u->storage : t[LT_STORE_DEFAULT], NULL});
    y = wrapped(cr, m, y, w, 9 * k, false, line);
    fill(line, sizeof line, t[LT_BATCH], (const char *const[]){"batch", u->batch_code, NULL});
    text_at(cr, m, y, 9 * k, false, line);
    y += 15 * k;
    if (u->statements & HCTP_AUTOLOGOUS_ONLY) {
        y = wrapped(cr, m, y, w, 12 * k, true, t[LT_AUTOLOGOUS_ONLY]);
        fill(line, sizeof line, t[LT_RECIPIENT],
             (const char *const[]){"name", u->owner_name, NULL});
        y = wrapped(cr, m, y, w, 10 * k, true, line);
        date_text(u, u->owner_birth_date, a, sizeof a);
        fill(line, sizeof line, t[LT_BORN],
             (const char *const[]){"date", a, "mrn", u->owner_mrn, NULL});
        y = wrapped(cr, m, y, w, 10 * k, false, line);
        y += 2 * k;
    }
    if (u->statements & HCTP_NOT_EVALUATED)
        y = wrapped(cr, m, y, w, 10 * k, true, t[LT_NOT_EVALUATED]);
    if (u->statements & HCTP_BIOHAZARD) {
        snprintf(line, sizeof line, "☣ %s", t[LT_BIOHAZARD]);
        y = wrapped(cr, m, y + 2, w, 14 * k, true, line);
    }
    if (u->statements & HCTP_ADVISE_RISKS)
        y = wrapped(cr, m, y, w, 9 * k, true, t[LT_ADVISE_RISKS]);
    if (u->statements & HCTP_REACTIVE) {
        fill(line, sizeof line, t[LT_REACTIVE], (const char *const[]){"agents", u->reactive, NULL});
        y = wrapped(cr, m, y, w, 9 * k, true, line);
    }
    y += 4 * k;
    if (*u->facility_name)
        y = wrapped(cr, m, y, w, 9 * k, true, u->facility_name);
    for (const char *p = u->facility_address; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        if (*line && line[strlen(line) - 1] == '\r')
            line[strlen(line) - 1] = '\0';
        y = wrapped(cr, m, y, w, 8 * k, false, line);
        p += n + (nl ? 1 : 0);
    }
    if (*u->fin) {
        fill(line, sizeof line, t[LT_FACILITY], (const char *const[]){"fin", u->fin, NULL});
        text_at(cr, m, y, 8 * k, false, line);
    }
    const char *banner = strcmp(u->state, "quarantine") == 0  ? t[LT_QUARANTINE]
                         : strcmp(u->state, "expired") == 0   ? t[LT_EXPIRED]
                         : strcmp(u->state, "discarded") == 0 ? t[LT_DISCARDED]
                                                              : NULL;
    if (banner) {
        double by = LABEL_H_PT - 14;
        cairo_rectangle(cr, m, by - 18, LABEL_PT - 2 * m, 24);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        text_at(cr, m + 8, by, 16, true, banner);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    return y;
}

/* cairo and fontconfig keep font caches for the life of the process; hand
 * them back at exit so leak checkers see a clean process. */
static void release_font_caches(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

static pthread_once_t at_exit_once = PTHREAD_ONCE_INIT;
static void register_release(void)
{
    atexit(release_font_caches);
}

cc_status label_render(const label_unit *u, label_format format, buf *out, cc_error *err)
{
    pthread_once(&at_exit_once, register_release);
    char din_scan[ISBT128_SCAN_TEXT], product_scan[ISBT128_PRODUCT_SCAN_TEXT];
    isbt128_format_scan(&u->din, din_scan);
    cc_status st =
        isbt128_product_scan(u->product_code, u->donation_type, u->division, product_scan, err);
    if (st != CC_OK)
        return st;
    for (int i = 0; i < LT_COUNT; i++)
        if (!u->texts || !u->texts->text[i])
            return cc_fail(err, CC_INTERNAL, NULL, "label_text_missing",
                           "the label text %s is missing", label_text_keys[i]);
    cairo_surface_t *surface;
    if (format == LABEL_PDF)
        surface = cairo_pdf_surface_create_for_stream(write_buf, out, LABEL_PT, LABEL_H_PT);
    else
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, LABEL_PT * PNG_DPI / 72,
                                             LABEL_H_PT * PNG_DPI / 72);
    /* the text shrinks until it ends above the banner (long descriptions and
     * addresses, every statement at once) */
    double k = 1;
    for (; k > 0.6; k -= 0.05) {
        cairo_surface_t *trial = cairo_recording_surface_create(CAIRO_CONTENT_COLOR, NULL);
        cairo_t *tc = cairo_create(trial);
        double end = draw(tc, u, din_scan, product_scan, k);
        cairo_destroy(tc);
        cairo_surface_destroy(trial);
        if (end <= LABEL_H_PT - 34)
            break;
    }
    cairo_t *cr = cairo_create(surface);
    if (format == LABEL_PNG)
        cairo_scale(cr, PNG_DPI / 72.0, PNG_DPI / 72.0);
    draw(cr, u, din_scan, product_scan, k);
    cairo_destroy(cr);
    cairo_status_t cs;
    if (format == LABEL_PNG)
        cs = cairo_surface_write_to_png_stream(surface, write_buf, out);
    else {
        cairo_surface_finish(surface);
        cs = cairo_surface_status(surface);
    }
    cairo_surface_destroy(surface);
    if (cs != CAIRO_STATUS_SUCCESS || buf_failed(out))
        return cc_fail(err, CC_INTERNAL, NULL, "label_failed", "the label could not be drawn: %s",
                       cairo_status_to_string(cs));
    return CC_OK;
}

/* The patient's wristband, 10 x 1 inch (720 x 72 pt). */
enum { BAND_W = 720, BAND_H = 72 };

cc_status label_wristband(const wristband_data *p, label_format format, buf *out, cc_error *err)
{
    pthread_once(&at_exit_once, register_release);
    if (!mrn_is_valid(p->mrn))
        return cc_fail(err, CC_INVALID, "mrn", "invalid_mrn", "the record number is not valid");
    cairo_surface_t *surface;
    if (format == LABEL_PDF)
        surface = cairo_pdf_surface_create_for_stream(write_buf, out, BAND_W, BAND_H);
    else
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, BAND_W * PNG_DPI / 72,
                                             BAND_H * PNG_DPI / 72);
    cairo_t *cr = cairo_create(surface);
    if (format == LABEL_PNG)
        cairo_scale(cr, PNG_DPI / 72.0, PNG_DPI / 72.0);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double x = 160; /* the strap's fastening end stays blank */
    double w = draw_code128(cr, p->mrn, x, 16);
    x += (w > 0 ? w : 80) + 20;
    char line[300];
    snprintf(line, sizeof line, "%s, %s", p->family_name, p->given_names);
    text_at(cr, x, 30, 14, true, line);
    snprintf(line, sizeof line, "Born / Né(e) le %s   MRN %s", p->birth_date, p->mrn);
    text_at(cr, x, 48, 11, false, line);
    text_at(cr, 160, 66, 8, false, p->mrn);
    cairo_destroy(cr);
    cairo_status_t cs;
    if (format == LABEL_PNG)
        cs = cairo_surface_write_to_png_stream(surface, write_buf, out);
    else {
        cairo_surface_finish(surface);
        cs = cairo_surface_status(surface);
    }
    cairo_surface_destroy(surface);
    if (cs != CAIRO_STATUS_SUCCESS || buf_failed(out))
        return cc_fail(err, CC_INTERNAL, NULL, "label_failed",
                       "the wristband could not be drawn: %s", cairo_status_to_string(cs));
    return CC_OK;
}
