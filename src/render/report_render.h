/*
 * report_render: the outcome report (the JSON of api/report_json.h) as a
 * standalone HTML page with SVG charts, and as a PDF for print (cairo).
 *
 * Charts: for each measure, the mean with its 95% interval at each time
 * point (baseline first), with n / due under each point; a point whose mean
 * cannot be computed is left out and says so. Every table keeps its
 * denominators. A report on synthetic data carries the banner "SYNTHETIC
 * DATA" on every page.
 *
 * Memory: out receives the bytes. Thread-safe as far as cairo is.
 */
#ifndef CC_REPORT_RENDER_H
#define CC_REPORT_RENDER_H

#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"

cc_status report_render_html(const json_t *report, buf *out, cc_error *err);
cc_status report_render_pdf(const json_t *report, buf *out, cc_error *err);
/* The chart of one measure (an element of report["measures"]) as SVG. */
cc_status report_render_chart_svg(const json_t *measure, buf *out, cc_error *err);

#endif
