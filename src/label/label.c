#include "label.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "core/lab_rules.h"
#include "core/mrn.h"

enum { LABEL_PT = 288, PNG_DPI = 300 };
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

/* "1.20 × 10^8" style for cell counts. */
static void cells_text(uint64_t cells, char *out, size_t cap)
{
    int exp = 0;
    double v = (double)cells;
    while (v >= 10) {
        v /= 10;
        exp++;
    }
    snprintf(out, cap, "%.2f × 10^%d cells", v, exp);
}

static void draw(cairo_t *cr, const label_unit *u, const char *din_scan, const char *product_scan)
{
    const double m = 18; /* margin: more than the 10-module quiet zone */
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
    char line[256];
    /* eye-readable product code: PDC, type of donation, division */
    snprintf(line, sizeof line, "%.5s %c %.2s   %s", product_scan + 2, product_scan[7],
             product_scan + 8, lab_product_type_label(u->product_type));
    text_at(cr, m, y, 11, true, line);
    y += 16;
    cells_text(u->cells, line, sizeof line);
    text_at(cr, m, y, 10, false, line);
    y += 13;
    if (u->viability >= 0)
        snprintf(line, sizeof line, "Volume %.1f mL   Viability %.0f %%", u->volume_ml,
                 u->viability);
    else
        snprintf(line, sizeof line, "Volume %.1f mL", u->volume_ml);
    text_at(cr, m, y, 10, false, line);
    y += 13;
    snprintf(line, sizeof line, "EXPIRY %s", u->expiry);
    text_at(cr, m, y, 11, true, line);
    y += 13;
    snprintf(line, sizeof line, "Store: %s", *u->storage ? u->storage : "see product instructions");
    text_at(cr, m, y, 9, false, line);
    y += 12;
    snprintf(line, sizeof line, "Batch %s", u->batch_code);
    text_at(cr, m, y, 9, false, line);
    y += 14;
    if (*u->owner_mrn) {
        snprintf(line, sizeof line, "FOR AUTOLOGOUS USE ONLY — patient MRN %s", u->owner_mrn);
        text_at(cr, m, y, 10, true, line);
        y += 14;
    }
    const char *banner = strcmp(u->state, "quarantine") == 0  ? "QUARANTINE"
                         : strcmp(u->state, "expired") == 0   ? "EXPIRED — DO NOT USE"
                         : strcmp(u->state, "discarded") == 0 ? "DISCARDED — DO NOT USE"
                                                              : NULL;
    if (banner) {
        double by = LABEL_PT - 30;
        cairo_rectangle(cr, m, by - 18, LABEL_PT - 2 * m, 24);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        text_at(cr, m + 8, by, 16, true, banner);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    (void)y;
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
    cc_status st = isbt128_product_scan(u->product_code, '0', u->division, product_scan, err);
    if (st != CC_OK)
        return st;
    cairo_surface_t *surface;
    if (format == LABEL_PDF) {
        surface = cairo_pdf_surface_create_for_stream(write_buf, out, LABEL_PT, LABEL_PT);
    } else {
        int px = LABEL_PT * PNG_DPI / 72;
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, px, px);
    }
    cairo_t *cr = cairo_create(surface);
    if (format == LABEL_PNG)
        cairo_scale(cr, PNG_DPI / 72.0, PNG_DPI / 72.0);
    draw(cr, u, din_scan, product_scan);
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
