/*
 * report_charts: the charts of the outcome report, drawn with cairo
 * on any surface: inline SVG in the HTML page, standalone SVG for the web
 * (GET /api/v1/reports/outcomes/chart), pages of the PDF for print.
 *
 * Each chart reads one part of the report JSON of app/report_json.h:
 *   TRAJECTORY  an element of report["measures"]: a thin light line per
 *               patient from measure["trajectories"]["patients"] (baseline
 *               and each time point; a missing value breaks the line, never
 *               bridged; a lone value is a short dash), over them the mean
 *               with its 95% CI at each time point, n / due under each time
 *               point, and "k of N patients drawn". Without "trajectories":
 *               the mean alone. One cairo stroke (one SVG path) per patient
 *               drawn.
 *   AIS         report["ais"]: per follow-up time point, the baseline grades
 *               (left column) and the time-point grades (right column) of
 *               the patients with both, stacked A..E, joined by bands whose
 *               widths are proportional to the counts of table[baseline][t];
 *               every count written, with the pairs and "missing k". null or
 *               not an array: says there is no AIS grade.
 *   AE          report["adverse_events"]: a horizontal bar per term of
 *               "rows", stacked by grade 1..5 (patients with the term at
 *               that grade), a legend, and at the end of the bar the patients
 *               / treated (per grade "a + b / N" when several grades, as a
 *               patient may count under two grades). No row: says so.
 * Every chart has a title, axis labels and its denominators written; colours
 * come with text (grade letters, numbers) so they read in greyscale print.
 * report_chart_alt writes the chart's text alternative (the same numbers).
 *
 * Units: cairo user units (points in PDF, pixels in SVG). A chart fills the
 * box (x, y, w, h) it is given; report_chart_height says how tall the box
 * should be for a width (the AIS and AE charts grow with their data).
 * A count the report left out as a small group is written "<k" and drawn
 * as nothing. Bad input: missing or non-numeric JSON members are drawn as missing; a
 * chart never fails on odd JSON.
 * Memory: JSON is borrowed; nothing is kept; SVG and text are appended to the
 * caller's buf. The first drawing registers, once per process, the release
 * of cairo's and fontconfig's font caches at exit.
 * Errors: report_chart_svg returns CC_INTERNAL "render_failed" when cairo
 * fails or out overflows (out then holds a partial document).
 * Thread safety: as cairo's.
 */
#ifndef CC_REPORT_CHARTS_H
#define CC_REPORT_CHARTS_H

#include <cairo.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"

/* The words of a report: language ("en", "fr": decimal comma and dd/mm/yyyy
 * dates in French) and text(language, key), the message catalogue's text of a
 * "rep." key or NULL when it has none. NULL words, NULL text or a NULL answer:
 * the English built in. The caller owns both; they must outlive the drawing. */
typedef struct {
    const char *language;
    const char *(*text)(const char *language, const char *key);
} report_words;

/* The words of the charts drawn next on the calling thread (NULL: English),
 * kept until the next call on that thread. */
void report_charts_use_words(const report_words *words);
/* With those words: the text of a "rep." key, else english; the language
 * ("en" when none); t with each point between two digits made a comma in
 * French (returns t). */
const char *report_text(const char *key, const char *english);
const char *report_language(void);
char *report_localised(char *t);
/* A time point's label ("baseline", "month-3") in the words' language; as
 * given in English or when it has no translation. Returns label or out. */
enum { REPORT_LABEL_TEXT = 48 };
const char *report_label(const char *label, char out[REPORT_LABEL_TEXT]);

typedef enum { REPORT_CHART_TRAJECTORY, REPORT_CHART_AIS, REPORT_CHART_AE } report_chart_kind;

enum { REPORT_CHART_WIDTH = 520 }; /* the width of the standalone SVG */

void report_chart_trajectory(cairo_t *cr, const json_t *measure, double x, double y, double w,
                             double h);
void report_chart_ais(cairo_t *cr, const json_t *ais, double x, double y, double w, double h);
void report_chart_ae(cairo_t *cr, const json_t *adverse_events, double x, double y, double w,
                     double h);

/* Dispatches on kind; part is the measure, report["ais"] or report["adverse_events"]. */
void report_chart_draw(cairo_t *cr, report_chart_kind kind, const json_t *part, double x, double y,
                       double w, double h);
double report_chart_height(report_chart_kind kind, const json_t *part, double width);
/* The text alternative of a chart: one paragraph of plain text (not escaped). */
void report_chart_alt(report_chart_kind kind, const json_t *part, buf *out);
/* One chart REPORT_CHART_WIDTH wide as an SVG document whose first child is
 * <title> holding the text alternative. */
cc_status report_chart_svg(report_chart_kind kind, const json_t *part, buf *out, cc_error *err);

/* A count of obj as text: the number; "<k" when the report left it out as
 * a small group (null in an object with "suppressed_below": k, see
 * app/report_privacy.h); "?" when absent. Returns out. */
enum { REPORT_COUNT_TEXT = 24 };
const char *report_count_text(const json_t *obj, const char *key, char out[REPORT_COUNT_TEXT]);

/* Shared with report_render: a cairo write function appending to the buf
 * given as closure (CAIRO_STATUS_WRITE_ERROR once the buf failed), and the
 * once-per-process registration of the font-cache release at exit. */
cairo_status_t report_charts_write_buf(void *closure, const unsigned char *data,
                                       unsigned int length);
void report_charts_init(void);

#endif
