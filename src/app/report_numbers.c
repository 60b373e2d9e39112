#include "app/report_numbers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

json_t *report_json_number(double v, int decimals)
{
    if (!isfinite(v))
        return json_null();
    double scale = pow(10, decimals);
    return json_real(round(v * scale) / scale);
}

json_t *report_json_interval(const stats_interval *ci)
{
    if (ci->def != STATS_DEFINED)
        return json_pack("{s:n, s:n, s:s}", "low", "high", "not_computable",
                         stats_defined_name(ci->def));
    return json_pack("{s:o, s:o}", "low", report_json_number(ci->low, 6), "high",
                     report_json_number(ci->high, 6));
}

json_t *report_json_proportion(const stats_proportion *p)
{
    return json_pack("{s:I, s:I, s:o, s:o}", "x", (json_int_t)p->x, "n", (json_int_t)p->n, "p",
                     p->n ? report_json_number(p->p, 6) : json_null(), "ci",
                     report_json_interval(&p->ci));
}

void report_csv_cell(buf *b, const char *text, bool last)
{
    bool needs = strpbrk(text, ",\"\r\n") != NULL || (text[0] && strchr("=+-@", text[0]) != NULL);
    if (needs) {
        buf_putc(b, '"');
        if (text[0] && strchr("=+-@", text[0]) &&
            !(text[0] == '-' && text[1] >= '0' && text[1] <= '9'))
            buf_putc(b, '\'');
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                buf_putc(b, '"');
            buf_putc(b, *p);
        }
        buf_putc(b, '"');
    } else {
        buf_puts(b, text);
    }
    buf_puts(b, last ? "\r\n" : ",");
}

void report_csv_json(buf *b, const json_t *v, bool last)
{
    char tmp[64];
    if (json_is_string(v))
        report_csv_cell(b, json_string_value(v), last);
    else if (json_is_integer(v)) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        report_csv_cell(b, tmp, last);
    } else if (json_is_real(v)) {
        snprintf(tmp, sizeof tmp, "%.10g", json_real_value(v));
        report_csv_cell(b, tmp, last);
    } else
        report_csv_cell(b, "", last);
}

void report_csv_proportion(buf *b, const char *table, const char *instrument, const char *score,
                           const json_t *timepoint, const json_t *due, const json_t *p)
{
    const json_t *ci = json_object_get(p, "ci");
    report_csv_cell(b, table, false);
    report_csv_cell(b, instrument, false);
    report_csv_cell(b, score, false);
    report_csv_json(b, timepoint, false);
    report_csv_json(b, due, false);
    report_csv_json(b, json_object_get(p, "n"), false);
    for (int c = 0; c < 3; c++) /* missing, mean, sd */
        report_csv_cell(b, "", false);
    report_csv_json(b, json_object_get(ci, "low"), false);
    report_csv_json(b, json_object_get(ci, "high"), false);
    for (int c = 0; c < 7; c++) /* median .. change_ci_high */
        report_csv_cell(b, "", false);
    report_csv_json(b, json_object_get(p, "x"), false);
    report_csv_json(b, json_object_get(p, "p"), true);
}
