/*
 * report_render: the outcome report (the JSON of app/report_json.h) as a
 * standalone HTML page with SVG charts, and as a PDF for print (cairo).
 *
 * Charts (render/report_charts.h): under each measure's table its
 * per-patient trajectories with the mean and 95% interval at each time point
 * (n / due under each point); under the AIS table the grade flow; under the
 * adverse-event table the bars by term and grade. In HTML each chart is an
 * inline SVG in a <figure> whose caption is its text alternative; in the PDF
 * they follow the summary, a new page when one does not fit. Every table
 * keeps its denominators. A report on synthetic data carries the banner "SYNTHETIC
 * DATA" on every page. Headings, table headers, definitions and chart texts
 * come in the words' language, numbers with a decimal comma and dates
 * dd/mm/yyyy in French.
 *
 * Memory: out receives the bytes. Thread-safe as far as cairo is.
 */
#ifndef CC_REPORT_RENDER_H
#define CC_REPORT_RENDER_H

#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"
#include "render/report_charts.h"

/* words: the language and texts (render/report_charts.h), NULL for English. */
cc_status report_render_html(const json_t *report, const report_words *words, buf *out,
                             cc_error *err);
cc_status report_render_pdf(const json_t *report, const report_words *words, buf *out,
                            cc_error *err);

#endif
