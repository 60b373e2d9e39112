#include "report_charts.h"

#include <cairo-svg.h>
#include <ctype.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GRADES = 5, MAX_TP = 64 };

/* cairo and fontconfig keep font caches for the life of the process; hand
 * them back at exit so leak checkers see a clean process (as src/label does;
 * both calls are idempotent). */
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

void report_charts_init(void)
{
    pthread_once(&at_exit_once, register_release);
}

cairo_status_t report_charts_write_buf(void *closure, const unsigned char *data,
                                       unsigned int length)
{
    buf *b = closure;
    buf_append(b, (const char *)data, length);
    return buf_failed(b) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* ---- small drawing helpers ---- */

static double num(const json_t *v, bool *ok)
{
    *ok = json_is_number(v);
    return *ok ? json_number_value(v) : 0;
}

static long long integer(const json_t *v)
{
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

const char *report_count_text(const json_t *obj, const char *key, char out[REPORT_COUNT_TEXT])
{
    const json_t *v = json_object_get(obj, key), *k = json_object_get(obj, "suppressed_below");
    if (json_is_integer(v))
        snprintf(out, REPORT_COUNT_TEXT, "%lld", (long long)json_integer_value(v));
    else if (json_is_null(v) && json_is_integer(k))
        snprintf(out, REPORT_COUNT_TEXT, "<%lld", (long long)json_integer_value(k));
    else
        snprintf(out, REPORT_COUNT_TEXT, "?");
    return out;
}

/* Per thread, so that renderers on several server threads keep their own
 * language without passing it through every small drawing function. */
static _Thread_local const report_words *words;

void report_charts_use_words(const report_words *w)
{
    words = w;
}

const char *report_text(const char *key, const char *english)
{
    const char *t = words && words->text ? words->text(report_language(), key) : NULL;
    return t ? t : english;
}

const char *report_language(void)
{
    return words && words->language ? words->language : "en";
}

char *report_localised(char *t)
{
    if (strcmp(report_language(), "fr") != 0)
        return t;
    for (char *p = t; *p; p++)
        if (*p == '.' && p > t && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1]))
            *p = ',';
    return t;
}

/* report_count_text into a scratch buffer of the caller's statement */
#define COUNT(obj, key) report_count_text((obj), (key), (char[REPORT_COUNT_TEXT]){0})

/* v by a printf format of one double, with the language's decimal mark. */
#define NUM(fmt, v) num_text((fmt), (v), (char[32]){0})
static const char *num_text(const char *fmt, double v, char out[32])
{
    snprintf(out, 32, fmt, v);
    return report_localised(out);
}

const char *report_label(const char *label, char out[REPORT_LABEL_TEXT])
{
    if (!label || strcmp(report_language(), "en") == 0)
        return label;
    if (strcmp(label, "baseline") == 0)
        return report_text("rep.doc.baseline", label);
    int n = 0, end = 0;
    if (sscanf(label, "month-%d%n", &n, &end) == 1 && label[end] == '\0') {
        snprintf(out, REPORT_LABEL_TEXT, "%s %d", report_text("rep.doc.month", "Month"), n);
        return out;
    }
    return label;
}

#define LABEL(v) text_of_label(v, (char[REPORT_LABEL_TEXT]){0})
static const char *text_of_label(const json_t *v, char out[REPORT_LABEL_TEXT])
{
    const char *s = report_label(json_string_value(v), out);
    return s ? s : "?";
}

static const char *text_of(const json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "?";
}

static void font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Text at (x, y) (baseline): align 0 left, 0.5 centred, 1 right. */
static void text_at(cairo_t *cr, double x, double y, double align, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
}

static void black(cairo_t *cr)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
}

static void title(cairo_t *cr, double x, double y, const char *s)
{
    black(cr);
    font(cr, 11, true);
    text_at(cr, x, y + 12, 0, s);
    font(cr, 9, false);
}

/* Grade colours, light to dark so that they order in greyscale too. */
static const double GRADE_RGB[GRADES][3] = {{0.99, 0.88, 0.55},
                                            {0.98, 0.68, 0.38},
                                            {0.90, 0.42, 0.25},
                                            {0.70, 0.18, 0.18},
                                            {0.35, 0.05, 0.1}};
/* AIS A (complete) dark to E (normal) light. */
static const double AIS_RGB[GRADES][3] = {{0.20, 0.12, 0.40},
                                          {0.35, 0.30, 0.62},
                                          {0.45, 0.55, 0.78},
                                          {0.62, 0.78, 0.85},
                                          {0.88, 0.95, 0.90}};

static void fill_rgb(cairo_t *cr, const double rgb[3], double alpha)
{
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
}

/* Black or white text, whichever reads on the colour. */
static void text_on(cairo_t *cr, const double rgb[3])
{
    double lum = 0.3 * rgb[0] + 0.59 * rgb[1] + 0.11 * rgb[2];
    if (lum < 0.5)
        cairo_set_source_rgb(cr, 1, 1, 1);
    else
        black(cr);
}

/* A round tick step (1, 2 or 5 times a power of ten) giving about `ticks`
 * intervals over span > 0. */
static double nice_step(double span, int ticks)
{
    double raw = span / ticks, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* ---- trajectories: per-patient lines, mean with its 95% CI ---- */

static void widen(double *lo, double *hi, const json_t *v)
{
    bool ok;
    double x = num(v, &ok);
    if (ok) {
        *lo = fmin(*lo, x);
        *hi = fmax(*hi, x);
    }
}

/* The instrument's range of the measure (report "range"), when the report
 * gives one: nothing is drawn beyond it. */
static bool measure_range(const json_t *measure, double *rmin, double *rmax)
{
    const json_t *range = json_object_get(measure, "range");
    bool okmin, okmax;
    *rmin = num(json_object_get(range, "min"), &okmin);
    *rmax = num(json_object_get(range, "max"), &okmax);
    return okmin && okmax && *rmin < *rmax;
}

/* v within [rmin, rmax] when ranged; *cut set when it had to move. */
static double clip(double v, bool ranged, double rmin, double rmax, bool *cut)
{
    if (ranged && v < rmin) {
        *cut = true;
        return rmin;
    }
    if (ranged && v > rmax) {
        *cut = true;
        return rmax;
    }
    return v;
}

void report_chart_trajectory(cairo_t *cr, const json_t *measure, double x0, double y0, double w,
                             double h)
{
    report_charts_init();
    const json_t *pts = json_object_get(measure, "timepoints");
    const json_t *traj = json_object_get(measure, "trajectories");
    const json_t *patients = json_object_get(traj, "patients");
    size_t n = json_array_size(pts);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(pts, i), *ci = json_object_get(c, "ci");
        widen(&lo, &hi, json_object_get(c, "mean"));
        widen(&lo, &hi, json_object_get(ci, "low"));
        widen(&lo, &hi, json_object_get(ci, "high"));
    }
    size_t k;
    json_t *row;
    json_array_foreach(patients, k, row)
    {
        for (size_t t = 0; t < json_array_size(row); t++)
            widen(&lo, &hi, json_array_get(row, t));
    }
    char text[160];
    snprintf(text, sizeof text, "%s: %s - %s", text_of(json_object_get(measure, "instrument")),
             text_of(json_object_get(measure, "score")),
             report_text("rep.doc.chart.per_patient", "per patient, mean and 95% CI"));
    title(cr, x0, y0, text);
    if (json_is_object(traj))
        snprintf(text, sizeof text, "%s %s %s %s", COUNT(traj, "drawn"),
                 report_text("rep.doc.chart.of", "of"), COUNT(traj, "of"),
                 report_text("rep.doc.chart.drawn_thin",
                             "patients drawn (thin lines); mean with 95% CI (dark)"));
    else
        snprintf(text, sizeof text, "%s", report_text("rep.doc.chart.mean_ci", "mean with 95% CI"));
    text_at(cr, x0, y0 + 26, 0, text);
    double px = x0 + 58, py = y0 + 36, pw = w - 66, ph = h - 86;
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, px, py, pw, ph);
    cairo_stroke(cr);
    /* axis labels */
    cairo_save(cr);
    cairo_move_to(cr, x0 + 8, py + ph / 2);
    cairo_rotate(cr, -M_PI / 2);
    text_at(cr, 0, 0, 0.5, text_of(json_object_get(measure, "score")));
    cairo_restore(cr);
    cairo_new_path(cr);
    text_at(cr, px + pw / 2, y0 + h - 4, 0.5,
            report_text("rep.doc.chart.time_axis", "time point (n assessed / due below)"));
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(pts, i);
        double x = px + pw * ((double)i + 0.5) / (double)n;
        text_at(cr, x, py + ph + 12, 0.5, LABEL(json_object_get(c, "label")));
        snprintf(text, sizeof text, "%s / %s", COUNT(c, "n"), COUNT(c, "due"));
        text_at(cr, x, py + ph + 24, 0.5, text);
    }
    if (!(lo <= hi)) {
        text_at(cr, px + 10, py + ph / 2, 0,
                report_text("rep.doc.chart.no_value", "no value to chart"));
        return;
    }
    double rmin, rmax;
    bool ranged = measure_range(measure, &rmin, &rmax), cut = false;
    if (ranged) {
        lo = fmin(fmax(lo, rmin), rmax);
        hi = fmax(fmin(hi, rmax), rmin);
    }
    if (hi - lo < 1e-9) {
        lo -= 1;
        hi += 1;
    }
    double step = nice_step(hi - lo, 4);
    lo = floor(lo / step) * step;
    hi = ceil(hi / step) * step;
    if (ranged) { /* the axis ends at the scale's ends */
        lo = fmax(lo, rmin);
        hi = fmin(hi, rmax);
    }
#define Y_OF(v) (py + ph - ph * (clip((v), ranged, rmin, rmax, &cut) - lo) / (hi - lo))
    for (double v = lo; v <= hi + step * 1e-6; v += step) {
        double y = Y_OF(v);
        snprintf(text, sizeof text, "%s", NUM("%.6g", fabs(v) < step / 1e6 ? 0 : v));
        text_at(cr, px - 5, y + 3, 1, text);
        cairo_move_to(cr, px - 3, y);
        cairo_line_to(cr, px, y);
        cairo_stroke(cr);
    }
    /* one stroke per patient: a missing value starts a new sub-path */
    cairo_set_source_rgba(cr, 0.45, 0.52, 0.72, 0.5); /* overlapping lines darken */
    cairo_set_line_width(cr, 0.8);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    json_array_foreach(patients, k, row)
    {
        bool any = false;
        for (size_t t = 0; t < n && t < json_array_size(row); t++) {
            bool ok, prev = false, next = false;
            double v = num(json_array_get(row, t), &ok);
            if (!ok)
                continue;
            if (t > 0)
                num(json_array_get(row, t - 1), &prev);
            if (t + 1 < n)
                num(json_array_get(row, t + 1), &next);
            double x = px + pw * ((double)t + 0.5) / (double)n, y = Y_OF(v);
            if (prev)
                cairo_line_to(cr, x, y);
            else if (next)
                cairo_move_to(cr, x, y);
            else { /* a lone value: a short dash */
                cairo_move_to(cr, x - 3, y);
                cairo_line_to(cr, x + 3, y);
            }
            any = true;
        }
        if (any)
            cairo_stroke(cr);
    }
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    /* the mean and its interval over them */
    cairo_set_line_width(cr, 1.6);
    double prev_x = 0, prev_y = 0;
    bool have_prev = false;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(pts, i), *ci = json_object_get(c, "ci");
        double x = px + pw * ((double)i + 0.5) / (double)n;
        bool ok, okl, okh;
        double m = num(json_object_get(c, "mean"), &ok);
        double l = num(json_object_get(ci, "low"), &okl),
               hg = num(json_object_get(ci, "high"), &okh);
        if (!ok) {
            have_prev = false; /* the mean line is not bridged either */
            continue;
        }
        double y = Y_OF(m);
        cairo_set_source_rgb(cr, 0.1, 0.2, 0.55);
        if (okl && okh) {
            /* an end cut at the scale's limit has no cap: the interval goes on */
            bool cut_low = false, cut_high = false;
            clip(l, ranged, rmin, rmax, &cut_low);
            clip(hg, ranged, rmin, rmax, &cut_high);
            cairo_move_to(cr, x, Y_OF(l));
            cairo_line_to(cr, x, Y_OF(hg));
            if (!cut_low) {
                cairo_move_to(cr, x - 4, Y_OF(l));
                cairo_line_to(cr, x + 4, Y_OF(l));
            }
            if (!cut_high) {
                cairo_move_to(cr, x - 4, Y_OF(hg));
                cairo_line_to(cr, x + 4, Y_OF(hg));
            }
            cairo_stroke(cr);
        }
        cairo_arc(cr, x, y, 3.2, 0, 2 * M_PI);
        cairo_fill(cr);
        if (have_prev) {
            cairo_move_to(cr, prev_x, prev_y);
            cairo_line_to(cr, x, y);
            cairo_stroke(cr);
        }
        prev_x = x;
        prev_y = y;
        have_prev = true;
    }
#undef Y_OF
    cairo_set_line_width(cr, 0.8);
    black(cr);
    if (cut) {
        snprintf(text, sizeof text, "%s (%s %s %s)",
                 report_text("rep.doc.chart.ci_cut", "95% CI cut at the scale's limits"),
                 NUM("%g", rmin), report_text("rep.doc.chart.to", "to"), NUM("%g", rmax));
        text_at(cr, px + 4, py + 10, 0, text);
    }
}

/* ---- AIS grade flow ---- */

static const char AIS_LETTERS[] = "ABCDE";

/* table[b][g] of one time point, counts >= 0 */
static void ais_table(const json_t *tp, long long table[GRADES][GRADES])
{
    const json_t *tab = json_object_get(tp, "table");
    for (int b = 0; b < GRADES; b++)
        for (int g = 0; g < GRADES; g++) {
            long long v = integer(json_object_get(json_object_get(tab, (char[]){AIS_LETTERS[b], 0}),
                                                  (char[]){AIS_LETTERS[g], 0}));
            table[b][g] = v > 0 ? v : 0;
        }
}

enum { AIS_PANEL_H = 200, AIS_HEAD = 34, AIS_FOOT = 26 };

static int ais_columns(double width)
{
    return width >= 400 ? 2 : 1;
}

static void ais_panel(cairo_t *cr, const json_t *tp, double x0, double y0, double w, double h)
{
    long long tab[GRADES][GRADES], left[GRADES] = {0}, right[GRADES] = {0}, pairs = 0;
    ais_table(tp, tab);
    for (int b = 0; b < GRADES; b++)
        for (int g = 0; g < GRADES; g++) {
            left[b] += tab[b][g];
            right[g] += tab[b][g];
            pairs += tab[b][g];
        }
    char text[128];
    const char *label = LABEL(json_object_get(tp, "label"));
    black(cr);
    font(cr, 10, true);
    snprintf(text, sizeof text, "%s -> %s", report_text("rep.doc.chart.baseline", "baseline"),
             label);
    text_at(cr, x0, y0 + 10, 0, text);
    font(cr, 9, false);
    snprintf(text, sizeof text, "%s %s, %s %s", COUNT(tp, "pairs"),
             report_text("rep.doc.chart.pairs", "pairs"),
             report_text("rep.doc.chart.missing", "missing"), COUNT(tp, "missing"));
    text_at(cr, x0, y0 + 22, 0, text);
    double top = y0 + 40, colh = h - 62, cw = 16;
    double lx = x0 + 34, rx = x0 + w - 34 - cw;
    text_at(cr, lx + cw / 2, top - 5, 0.5, report_text("rep.doc.chart.baseline", "baseline"));
    text_at(cr, rx + cw / 2, top - 5, 0.5, label);
    text_at(cr, x0 + w / 2, top + colh + 16, 0.5,
            report_text("rep.doc.chart.ais_axis", "AIS grade (patients)"));
    if (pairs == 0) {
        text_at(cr, x0 + w / 2, top + colh / 2, 0.5,
                report_text("rep.doc.chart.no_pair", "no patient with both grades"));
        return;
    }
    int used_l = 0, used_r = 0;
    for (int g = 0; g < GRADES; g++) {
        used_l += left[g] > 0;
        used_r += right[g] > 0;
    }
    double gap = 4, used = used_l > used_r ? used_l : used_r;
    double scale = (colh - gap * (used - 1)) / (double)pairs;
    double ly[GRADES], ry[GRADES], y = top;
    for (int g = 0; g < GRADES; g++) {
        ly[g] = y;
        y += left[g] * scale + (left[g] ? gap : 0);
    }
    y = top;
    for (int g = 0; g < GRADES; g++) {
        ry[g] = y;
        y += right[g] * scale + (right[g] ? gap : 0);
    }
    /* bands, under the columns: baseline b's share leaves in the order of g,
     * arrives at g in the order of b */
    double lcur[GRADES], rcur[GRADES];
    memcpy(lcur, ly, sizeof lcur);
    memcpy(rcur, ry, sizeof rcur);
    for (int b = 0; b < GRADES; b++)
        for (int g = 0; g < GRADES; g++) {
            if (!tab[b][g])
                continue;
            double bh = tab[b][g] * scale, a0 = lcur[b], c0 = rcur[g], xa = lx + cw, xc = rx;
            double mx = (xa + xc) / 2;
            cairo_move_to(cr, xa, a0);
            cairo_curve_to(cr, mx, a0, mx, c0, xc, c0);
            cairo_line_to(cr, xc, c0 + bh);
            cairo_curve_to(cr, mx, c0 + bh, mx, a0 + bh, xa, a0 + bh);
            cairo_close_path(cr);
            fill_rgb(cr, AIS_RGB[b], 0.45);
            cairo_fill_preserve(cr);
            cairo_set_source_rgba(cr, 0, 0, 0, 0.35);
            cairo_set_line_width(cr, 0.4);
            cairo_stroke(cr);
            lcur[b] += bh;
            rcur[g] += bh;
        }
    /* the counts of the bands, written at their middle */
    memcpy(lcur, ly, sizeof lcur);
    memcpy(rcur, ry, sizeof rcur);
    black(cr);
    font(cr, 8, false);
    for (int b = 0; b < GRADES; b++)
        for (int g = 0; g < GRADES; g++) {
            if (!tab[b][g])
                continue;
            double bh = tab[b][g] * scale;
            double ym = (lcur[b] + rcur[g] + bh) / 2;
            snprintf(text, sizeof text, "%c>%c %lld", AIS_LETTERS[b], AIS_LETTERS[g], tab[b][g]);
            text_at(cr, (lx + cw + rx) / 2, ym + 3, 0.5, text);
            lcur[b] += bh;
            rcur[g] += bh;
        }
    /* the columns, with grade and count beside each block */
    font(cr, 9, false);
    for (int side = 0; side < 2; side++) {
        const long long *tot = side ? right : left;
        const double *ys = side ? ry : ly;
        double cx = side ? rx : lx;
        for (int g = 0; g < GRADES; g++) {
            if (!tot[g])
                continue;
            double bh = tot[g] * scale;
            cairo_rectangle(cr, cx, ys[g], cw, bh);
            fill_rgb(cr, AIS_RGB[g], 1);
            cairo_fill_preserve(cr);
            black(cr);
            cairo_set_line_width(cr, 0.6);
            cairo_stroke(cr);
            snprintf(text, sizeof text, "%c %lld", AIS_LETTERS[g], tot[g]);
            black(cr);
            text_at(cr, side ? cx + cw + 3 : cx - 3, ys[g] + bh / 2 + 3, side ? 0 : 1, text);
        }
    }
}

void report_chart_ais(cairo_t *cr, const json_t *ais, double x0, double y0, double w, double h)
{
    report_charts_init();
    title(cr, x0, y0,
          report_text("rep.doc.chart.ais_title",
                      "ISNCSCI: AIS grade at baseline -> at each time point"));
    text_at(cr, x0, y0 + 26, 0,
            report_text("rep.doc.chart.ais_sub",
                        "patients with both grades; band width proportional to the count"));
    size_t n = json_array_size(ais);
    if (!json_is_array(ais) || n == 0) {
        text_at(cr, x0, y0 + 50, 0, report_text("rep.doc.chart.no_ais", "no AIS grade recorded"));
        return;
    }
    int cols = ais_columns(w);
    double pw = (w - 10 * (cols - 1)) / cols;
    size_t i;
    json_t *tp;
    json_array_foreach(ais, i, tp)
    {
        double px = x0 + (double)(i % (size_t)cols) * (pw + 10);
        double py = y0 + AIS_HEAD + (double)(i / (size_t)cols) * AIS_PANEL_H;
        ais_panel(cr, tp, px, py, pw, AIS_PANEL_H - 8);
    }
    /* legend */
    double ly = y0 + h - 12, lx = x0;
    font(cr, 9, false);
    for (int g = 0; g < GRADES; g++) {
        cairo_rectangle(cr, lx, ly - 8, 10, 10);
        fill_rgb(cr, AIS_RGB[g], 1);
        cairo_fill_preserve(cr);
        black(cr);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
        char t[16];
        snprintf(t, sizeof t, "AIS %c", AIS_LETTERS[g]);
        text_at(cr, lx + 13, ly, 0, t);
        lx += 62;
    }
    text_at(cr, lx, ly, 0, report_text("rep.doc.chart.ais_missing", "missing: due, no grade"));
}

/* ---- adverse events by term and grade ---- */

typedef struct {
    const char *term;
    long long by_grade[GRADES];
    long long hidden_below[GRADES]; /* k: a small group left out ("<k"), 0: none */
    long long total;
} ae_term;

enum { AE_MAX_TERMS = 128, AE_BAR = 16, AE_STEP = 22, AE_HEAD = 48, AE_FOOT = 48 };

/* Terms in the order of the rows (sorted by term, then grade). */
static size_t ae_terms(const json_t *rows, ae_term *out)
{
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *term = text_of(json_object_get(r, "term"));
        long long g = integer(json_object_get(r, "grade"));
        const json_t *p = json_object_get(r, "patients");
        long long x = integer(json_object_get(p, "x"));
        long long hidden = json_is_null(json_object_get(p, "x"))
                               ? integer(json_object_get(p, "suppressed_below"))
                               : 0;
        if (g < 1 || g > GRADES || x < 0)
            continue;
        size_t k = 0;
        while (k < n && strcmp(out[k].term, term) != 0)
            k++;
        if (k == n) {
            if (n == AE_MAX_TERMS)
                continue;
            out[n++] = (ae_term){.term = term};
        }
        out[k].by_grade[g - 1] += x;
        out[k].total += x;
        if (hidden > 0)
            out[k].hidden_below[g - 1] = hidden;
    }
    return n;
}

/* "a + b / N" (patients per grade present, then treated) */
static void ae_end_text(const ae_term *t, const char *treated, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    for (int g = 0; g < GRADES; g++) {
        if (!t->by_grade[g] && !t->hidden_below[g])
            continue;
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0,
                                t->hidden_below[g] ? "%s<%lld" : "%s%lld", len ? " + " : "",
                                t->hidden_below[g] ? t->hidden_below[g] : t->by_grade[g]);
        if (len >= cap)
            return;
    }
    snprintf(out + len, cap - len, " / %s", treated);
}

void report_chart_ae(cairo_t *cr, const json_t *ae, double x0, double y0, double w, double h)
{
    report_charts_init();
    ae_term terms[AE_MAX_TERMS];
    size_t n = ae_terms(json_object_get(ae, "rows"), terms);
    const char *treated_text = COUNT(ae, "treated");
    char text[160];
    title(cr, x0, y0, report_text("rep.doc.chart.ae_title", "Adverse events by term and grade"));
    snprintf(text, sizeof text, "%s %s %s",
             report_text("rep.doc.chart.ae_sub", "patients with the event at each grade, of"),
             treated_text, report_text("rep.doc.chart.treated", "treated"));
    text_at(cr, x0, y0 + 26, 0, text);
    double lx = x0;
    for (int g = 0; g < GRADES; g++) {
        cairo_rectangle(cr, lx, y0 + 32, 10, 10);
        fill_rgb(cr, GRADE_RGB[g], 1);
        cairo_fill_preserve(cr);
        black(cr);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
        snprintf(text, sizeof text, "%s %d", report_text("rep.doc.chart.grade", "grade"), g + 1);
        text_at(cr, lx + 13, y0 + 41, 0, text);
        lx += 64;
    }
    if (n == 0) {
        const json_t *avail = json_object_get(ae, "available");
        text_at(cr, x0, y0 + AE_HEAD + 16, 0,
                json_is_false(avail)
                    ? report_text("rep.doc.chart.ae_unavailable",
                                  "adverse events are not recorded in this store")
                    : report_text("rep.doc.chart.no_ae",
                                  "no adverse event recorded among the treated patients"));
        return;
    }
    double label_w = 130, end_w = 84;
    double px = x0 + label_w, pw = w - label_w - end_w, py = y0 + AE_HEAD;
    /* the axis spans the longest bar, rounded up; the denominator is written */
    long long most = 1;
    for (size_t i = 0; i < n; i++)
        if (terms[i].total > most)
            most = terms[i].total;
    double tick = fmax(1, nice_step((double)most, 4));
    double scale = ceil((double)most / tick) * tick;
    double ph = h - AE_HEAD - AE_FOOT, step = ph / (double)n, bar = step * AE_BAR / AE_STEP;
    /* axis: 0 .. scale patients */
    cairo_set_line_width(cr, 0.8);
    black(cr);
    cairo_move_to(cr, px, py - 2);
    cairo_line_to(cr, px, py + ph);
    cairo_line_to(cr, px + pw, py + ph);
    cairo_stroke(cr);
    for (double v = 0; v <= scale + tick / 2; v += tick) {
        double x = px + pw * v / scale;
        snprintf(text, sizeof text, "%.0f", v);
        cairo_move_to(cr, x, py + ph);
        cairo_line_to(cr, x, py + ph + 3);
        cairo_stroke(cr);
        text_at(cr, x, py + ph + 13, 0.5, text);
    }
    snprintf(text, sizeof text, "%s %s %s)", report_text("rep.doc.chart.ae_axis", "patients (of"),
             treated_text, report_text("rep.doc.chart.treated", "treated"));
    text_at(cr, px + pw / 2, py + ph + 26, 0.5, text);
    text_at(cr, x0, py + ph + 40, 0,
            report_text("rep.doc.chart.ae_note", "a patient with a term at two grades counts under "
                                                 "each; events are in the table"));
    for (size_t i = 0; i < n; i++) {
        double y = py + (double)i * step + (step - bar) / 2, x = px;
        char term[40];
        snprintf(term, sizeof term, "%.36s", terms[i].term);
        black(cr);
        text_at(cr, px - 5, y + bar / 2 + 3, 1, term);
        for (int g = 0; g < GRADES; g++) {
            if (!terms[i].by_grade[g])
                continue;
            double sw = pw * (double)terms[i].by_grade[g] / scale;
            cairo_rectangle(cr, x, y, sw, bar);
            fill_rgb(cr, GRADE_RGB[g], 1);
            cairo_fill_preserve(cr);
            black(cr);
            cairo_set_line_width(cr, 0.5);
            cairo_stroke(cr);
            snprintf(text, sizeof text, "%lld", terms[i].by_grade[g]);
            cairo_text_extents_t e;
            cairo_text_extents(cr, text, &e);
            if (e.x_advance + 4 <= sw) {
                text_on(cr, GRADE_RGB[g]);
                text_at(cr, x + sw / 2, y + bar / 2 + 3, 0.5, text);
            }
            x += sw;
        }
        ae_end_text(&terms[i], treated_text, text, sizeof text);
        black(cr);
        text_at(cr, x + 4, y + bar / 2 + 3, 0, text);
    }
}

/* ---- dispatch, sizes, text alternatives, SVG ---- */

void report_chart_draw(cairo_t *cr, report_chart_kind kind, const json_t *part, double x, double y,
                       double w, double h)
{
    switch (kind) {
    case REPORT_CHART_TRAJECTORY: report_chart_trajectory(cr, part, x, y, w, h); break;
    case REPORT_CHART_AIS: report_chart_ais(cr, part, x, y, w, h); break;
    case REPORT_CHART_AE: report_chart_ae(cr, part, x, y, w, h); break;
    }
}

double report_chart_height(report_chart_kind kind, const json_t *part, double width)
{
    switch (kind) {
    case REPORT_CHART_TRAJECTORY: return 280;
    case REPORT_CHART_AIS: {
        size_t n = json_array_size(part), cols = (size_t)ais_columns(width);
        size_t rows = n ? (n + cols - 1) / cols : 1;
        return AIS_HEAD + (double)rows * AIS_PANEL_H + AIS_FOOT;
    }
    case REPORT_CHART_AE: {
        ae_term terms[AE_MAX_TERMS];
        size_t n = ae_terms(json_object_get(part, "rows"), terms);
        return AE_HEAD + (double)(n ? n : 1) * AE_STEP + AE_FOOT;
    }
    }
    return 0;
}

static void alt_trajectory(const json_t *m, buf *b)
{
    double rmin, rmax;
    bool ranged = measure_range(m, &rmin, &rmax);
    const json_t *traj = json_object_get(m, "trajectories");
    buf_printf(b, "%s %s %s%s", report_text("rep.doc.chart.alt", "Chart of"),
               text_of(json_object_get(m, "instrument")), text_of(json_object_get(m, "score")),
               strcmp(report_language(), "fr") == 0 ? " : " : ": ");
    if (json_is_object(traj))
        buf_printf(b, "%s %s %s %s; ", COUNT(traj, "drawn"), report_text("rep.doc.chart.of", "of"),
                   COUNT(traj, "of"),
                   report_text("rep.doc.chart.drawn_lines", "patients drawn as lines"));
    buf_puts(b, report_text("rep.doc.chart.alt_points", "mean (95% CI), n assessed / due:"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "timepoints"), i, c)
    {
        const json_t *ci = json_object_get(c, "ci");
        bool ok, okl, okh;
        double mean = num(json_object_get(c, "mean"), &ok);
        double l = num(json_object_get(ci, "low"), &okl),
               hg = num(json_object_get(ci, "high"), &okh);
        buf_printf(b, "%s %s ", i ? ";" : "", LABEL(json_object_get(c, "label")));
        if (ok)
            buf_puts(b, NUM("%.4g", mean));
        else
            buf_puts(b, report_text("rep.doc.chart.no_mean", "no mean"));
        if (ok && okl && okh) {
            bool cut = false;
            l = clip(l, ranged, rmin, rmax, &cut);
            hg = clip(hg, ranged, rmin, rmax, &cut);
            buf_printf(b, " (%s %s %s%s%s)", NUM("%.4g", l), report_text("rep.doc.chart.to", "to"),
                       NUM("%.4g", hg), cut ? ", " : "",
                       cut ? report_text("rep.doc.chart.cut", "cut at the scale's limit") : "");
        }
        buf_printf(b, ", %s / %s", COUNT(c, "n"), COUNT(c, "due"));
    }
    buf_putc(b, '.');
    if (ranged)
        buf_printf(b, " %s %s %s %s.", report_text("rep.doc.chart.scale", "Scale"), NUM("%g", rmin),
                   report_text("rep.doc.chart.to", "to"), NUM("%g", rmax));
}

static void alt_ais(const json_t *ais, buf *b)
{
    buf_puts(b, report_text("rep.doc.chart.ais_alt",
                            "Chart of the AIS grade at baseline and at each time point"));
    if (!json_is_array(ais) || json_array_size(ais) == 0) {
        buf_printf(b, "%s%s.", strcmp(report_language(), "fr") == 0 ? " : " : ": ",
                   report_text("rep.doc.chart.no_ais", "no AIS grade recorded"));
        return;
    }
    size_t i;
    json_t *tp;
    json_array_foreach(ais, i, tp)
    {
        long long tab[GRADES][GRADES];
        ais_table(tp, tab);
        buf_printf(b, "%s %s: %s %s, %s %s", i ? ";" : ":", LABEL(json_object_get(tp, "label")),
                   COUNT(tp, "pairs"), report_text("rep.doc.chart.pairs", "pairs"),
                   report_text("rep.doc.chart.missing", "missing"), COUNT(tp, "missing"));
        for (int x = 0; x < GRADES; x++)
            for (int g = 0; g < GRADES; g++)
                if (tab[x][g])
                    buf_printf(b, ", %c %s %c %lld", AIS_LETTERS[x],
                               report_text("rep.doc.chart.to", "to"), AIS_LETTERS[g], tab[x][g]);
    }
    buf_putc(b, '.');
}

static void alt_ae(const json_t *ae, buf *b)
{
    ae_term terms[AE_MAX_TERMS];
    size_t n = ae_terms(json_object_get(ae, "rows"), terms);
    const char *treated_text = COUNT(ae, "treated");
    buf_printf(
        b, "%s %s %s",
        report_text("rep.doc.chart.ae_alt", "Chart of adverse events by term and grade among"),
        treated_text, report_text("rep.doc.chart.treated_patients", "treated patients"));
    if (n == 0) {
        buf_printf(b, ": %s.", report_text("rep.doc.chart.no_ae_alt", "no adverse event recorded"));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%s %s:", i ? ";" : ":", terms[i].term);
        bool first = true;
        for (int g = 0; g < GRADES; g++)
            if (terms[i].by_grade[g] || terms[i].hidden_below[g]) {
                buf_printf(
                    b, terms[i].hidden_below[g] ? "%s %s %d <%lld / %s" : "%s %s %d %lld / %s",
                    first ? "" : ",", report_text("rep.doc.chart.grade", "grade"), g + 1,
                    terms[i].hidden_below[g] ? terms[i].hidden_below[g] : terms[i].by_grade[g],
                    treated_text);
                first = false;
            }
    }
    buf_putc(b, '.');
}

void report_chart_alt(report_chart_kind kind, const json_t *part, buf *out)
{
    switch (kind) {
    case REPORT_CHART_TRAJECTORY: alt_trajectory(part, out); break;
    case REPORT_CHART_AIS: alt_ais(part, out); break;
    case REPORT_CHART_AE: alt_ae(part, out); break;
    }
}

static void xml_text(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        default: buf_putc(b, s[i]);
        }
    }
}

cc_status report_chart_svg(report_chart_kind kind, const json_t *part, buf *out, cc_error *err)
{
    double w = REPORT_CHART_WIDTH, h = report_chart_height(kind, part, w - 8) + 8;
    buf svg;
    buf_init(&svg, out->max);
    cairo_surface_t *s = cairo_svg_surface_create_for_stream(report_charts_write_buf, &svg, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    report_chart_draw(cr, kind, part, 4, 4, w - 8, h - 8);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    /* the text alternative as the first child of <svg> */
    const char *open = strstr(svg.data, "<svg");
    const char *end = open ? strchr(open, '>') : NULL;
    if (cs == CAIRO_STATUS_SUCCESS && !buf_failed(&svg) && end) {
        buf alt;
        buf_init(&alt, 1 << 20);
        report_chart_alt(kind, part, &alt);
        buf_append(out, svg.data, (size_t)(end + 1 - svg.data));
        buf_puts(out, "\n<title>");
        xml_text(out, alt.data, alt.len);
        buf_puts(out, "</title>");
        buf_puts(out, end + 1);
        buf_release(&alt);
    }
    bool failed = buf_failed(&svg) || !end;
    buf_release(&svg);
    if (cs != CAIRO_STATUS_SUCCESS || failed || buf_failed(out))
        return cc_fail(err, CC_INTERNAL, NULL, "render_failed", "chart: %s",
                       cairo_status_to_string(cs));
    return CC_OK;
}
