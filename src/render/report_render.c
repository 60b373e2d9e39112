#include "report_render.h"

#include "report_charts.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHART_GAP = 14 };

/* report_count_text into a scratch buffer of the caller's statement */
#define COUNT(obj, key) report_count_text((obj), (key), (char[REPORT_COUNT_TEXT]){0})

#define T report_text

static bool decimal_comma(void)
{
    return strcmp(report_language(), "fr") == 0;
}

static char *localised(char *t)
{
    return report_localised(t);
}

/* An ISO date (yyyy-mm-dd) as dd/mm/yyyy in French, else as given. */
static const char *date_text(const char *iso, char out[16])
{
    if (!iso || !decimal_comma() || strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
        return iso;
    snprintf(out, 16, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    return out;
}

static bool english(void)
{
    return strcmp(report_language(), "en") == 0;
}

/* A questionnaire's text ({"en": ..., "fr": ...}) in the report's language, else English. */
static const json_t *in_language(const json_t *texts)
{
    const json_t *t = json_object_get(texts, report_language());
    return json_is_string(t) ? t : json_object_get(texts, "en");
}

/* template with each {name} replaced by obj's count of that name ({label}:
 * obj's label), into t; numbers localised. */
static void fill(const char *template, const json_t *obj, char *t, size_t cap)
{
    size_t len = 0;
    t[0] = '\0';
    for (const char *p = template; *p && len + 1 < cap;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end || (size_t)(end - p) > 40) {
            t[len++] = *p++;
            t[len] = '\0';
            continue;
        }
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        const char *v = strcmp(name, "label") == 0
                            ? report_label(json_string_value(json_object_get(obj, "label")),
                                           (char[REPORT_LABEL_TEXT]){0})
                            : COUNT(obj, name);
        int w = snprintf(t + len, cap - len, "%s", v ? v : "");
        len += w > 0 ? (size_t)w : 0;
        if (len >= cap)
            len = cap - 1;
        p = end + 1;
    }
}

/* French puts a space before a colon. */
static const char *colon(void)
{
    return decimal_comma() ? " : " : ": ";
}

static void html_text(buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        default: buf_putc(b, *s);
        }
    }
}

static void html_th(buf *b, const char *key, const char *english)
{
    buf_puts(b, "<th>");
    html_text(b, T(key, english));
    buf_puts(b, "</th>");
}

static void html_num(buf *b, const json_t *v, int digits)
{
    char t[64];
    if (json_is_integer(v))
        snprintf(t, sizeof t, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(t, sizeof t, "%.*f", digits, json_real_value(v));
    else
        snprintf(t, sizeof t, "—");
    buf_puts(b, localised(t));
}

static void html_ci(buf *b, const json_t *ci, int digits, double scale)
{
    const json_t *l = json_object_get(ci, "low"), *h = json_object_get(ci, "high");
    if (!json_is_number(l)) {
        const char *why = json_string_value(json_object_get(ci, "not_computable"));
        buf_puts(b, why ? T("rep.doc.not_computable", "not computable") : "—");
        if (why) {
            char key[64];
            snprintf(key, sizeof key, "rep.nc.%s", why);
            buf_puts(b, " (");
            html_text(b, english() ? why : T(key, why));
            buf_putc(b, ')');
        }
        return;
    }
    char t[96];
    snprintf(t, sizeof t, "%.*f – %.*f", digits, json_number_value(l) * scale, digits,
             json_number_value(h) * scale);
    buf_puts(b, localised(t));
}

static void html_prop(buf *b, const json_t *p)
{
    char t[64];
    snprintf(t, sizeof t, "%s / %s", COUNT(p, "x"), COUNT(p, "n"));
    buf_puts(b, t);
    if (json_is_number(json_object_get(p, "p"))) {
        snprintf(t, sizeof t, " (%.1f %%; ", 100 * json_number_value(json_object_get(p, "p")));
        buf_puts(b, localised(t));
        buf_puts(b, T("rep.doc.ci95", "95% CI"));
        buf_putc(b, ' ');
        html_ci(b, json_object_get(p, "ci"), 1, 100);
        buf_puts(b, " %)");
    }
}

/* "x / n (p %; 95% CI lo – hi %)" or "x / n (not computable: empty)". */
static void html_pct(buf *b, const json_t *v)
{
    char t[32];
    if (json_is_number(v)) {
        snprintf(t, sizeof t, "%.1f %%", 100 * json_number_value(v));
        buf_puts(b, localised(t));
    } else {
        buf_puts(b, "—");
    }
}

/* "pending 5, visit done without it 20, missed 10, withdrawn 3, lost 5, died 1" */
static void not_answered_text(const json_t *na, char *t, size_t cap)
{
    static const char *const KEYS[][3] = {
        {"pending", "rep.doc.na.pending", "pending"},
        {"visit_done", "rep.doc.na.visit_done", "visit done without it"},
        {"missed", "rep.doc.na.missed", "missed"},
        {"withdrawn", "rep.doc.na.withdrawn", "withdrawn"},
        {"lost", "rep.doc.na.lost", "lost"},
        {"died", "rep.doc.na.died", "died"}};
    size_t len = 0;
    t[0] = '\0';
    for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0] && len < cap; k++) {
        int w = snprintf(t + len, cap - len, "%s%s %s", k ? ", " : "", T(KEYS[k][1], KEYS[k][2]),
                         COUNT(na, KEYS[k][0]));
        len += w > 0 ? (size_t)w : 0;
    }
}

/* The response line of one time point: answered / asked / treated first. */
static void html_response_line(buf *b, const json_t *tp)
{
    char t[256];
    const json_t *na = json_object_get(tp, "not_answered");
    snprintf(t, sizeof t,
             "<p class=\"response\" data-testid=\"satisfaction-response\"><strong>%s %s / "
             "%s %s / %s %s</strong> — ",
             T("rep.doc.answered", "Answered"), COUNT(tp, "answered"), T("rep.doc.asked", "asked"),
             COUNT(tp, "asked"), T("rep.doc.treated_lc", "treated"), COUNT(tp, "treated"));
    buf_puts(b, t);
    buf_puts(b, T("rep.doc.response_of_asked", "response of asked"));
    buf_putc(b, ' ');
    html_prop(b, json_object_get(tp, "response_rate"));
    buf_puts(b, "; ");
    buf_puts(b, T("rep.doc.of_treated", "of treated"));
    buf_putc(b, ' ');
    html_prop(b, json_object_get(tp, "response_rate_treated"));
    char reasons[160];
    not_answered_text(na, reasons, sizeof reasons);
    snprintf(t, sizeof t, ". %s %s. %s%s%s (%s).", T("rep.doc.sat_not_due", "Not yet due"),
             COUNT(tp, "not_yet_due"), T("rep.doc.sat_not_answered", "Asked, not answered"),
             colon(), COUNT(na, "total"), reasons);
    buf_puts(b, t);
    buf_puts(b, "</p>\n");
}

/* The satisfaction section: per time point, the response line ABOVE the table. */
static void html_satisfaction(buf *b, const json_t *sec)
{
    if (!json_is_object(sec))
        return;
    const json_t *defs = json_object_get(sec, "items");
    buf_puts(b, "<h2>");
    html_text(b, T("rep.doc.sat_title", "Satisfaction and perceived efficacy"));
    buf_puts(b, "</h2><p>");
    html_text(b, T("rep.doc.sat_intro",
                   "The clinics' table with its denominators: percentages are of the patients who "
                   "chose an answer to the item; the top-box lines are also given over every "
                   "patient asked and every patient treated (non-responders counted as not in the "
                   "top box). Free-text comments are never reported."));
    buf_puts(b, "</p>\n");
    size_t t;
    const json_t *tp;
    json_array_foreach(json_object_get(sec, "timepoints"), t, tp)
    {
        buf_puts(b, "<h3>");
        html_text(b, report_label(json_string_value(json_object_get(tp, "label")),
                                  (char[REPORT_LABEL_TEXT]){0}));
        buf_puts(b, "</h3>\n");
        html_response_line(b, tp);
        buf_puts(b, "<table data-testid=\"satisfaction-table\"><tr>");
        html_th(b, "rep.doc.item", "Item");
        html_th(b, "rep.doc.answer", "Answer");
        html_th(b, "rep.doc.patients", "Patients");
        html_th(b, "rep.doc.pct_item", "% of item answers");
        buf_puts(b, "</tr>");
        size_t i;
        const json_t *it;
        json_array_foreach(json_object_get(tp, "items"), i, it)
        {
            const json_t *def = json_array_get(defs, i);
            size_t o;
            const json_t *opt;
            json_array_foreach(json_object_get(it, "options"), o, opt)
            {
                buf_puts(b, "<tr><td>");
                if (o == 0)
                    html_text(b, json_string_value(in_language(def)));
                buf_puts(b, "</td><td>");
                html_text(b, json_string_value(
                                 in_language(json_array_get(json_object_get(def, "options"), o))));
                buf_puts(b, "</td><td>");
                buf_puts(b, COUNT(opt, "count"));
                buf_puts(b, "</td><td>");
                html_pct(b, json_object_get(opt, "p"));
                buf_puts(b, "</td></tr>");
            }
            char t2[160];
            snprintf(t2, sizeof t2,
                     "<tr><td></td><td>%s</td><td>%s / %s / %s / %s</td><td></td></tr>",
                     T("rep.doc.item_counts",
                       "Answered the item / not applicable / left blank / unreadable"),
                     COUNT(it, "answered"), COUNT(it, "not_applicable"), COUNT(it, "skipped"),
                     COUNT(it, "unreadable"));
            buf_puts(b, t2);
        }
        buf_puts(b, "</table>\n<table data-testid=\"satisfaction-top-box\"><tr>");
        html_th(b, "rep.doc.item", "Item");
        html_th(b, "rep.doc.top_box", "Top box");
        html_th(b, "rep.doc.of_item_answered", "Of those who answered the item");
        html_th(b, "rep.doc.of_asked_h", "Of asked");
        html_th(b, "rep.doc.of_treated_h", "Of treated");
        buf_puts(b, "</tr>");
        json_array_foreach(json_object_get(tp, "items"), i, it)
        {
            const json_t *top = json_object_get(it, "top_box"), *def = json_array_get(defs, i);
            if (!json_is_object(top))
                continue;
            buf_puts(b, "<tr><td>");
            html_text(b, json_string_value(in_language(def)));
            buf_puts(b, "</td><td>");
            html_text(b, json_string_value(in_language(json_object_get(def, "top_box"))));
            static const char *const KEYS[] = {"of_answered", "of_asked", "of_treated"};
            for (size_t k = 0; k < 3; k++) {
                buf_puts(b, "</td><td>");
                html_prop(b, json_object_get(top, KEYS[k]));
            }
            buf_puts(b, "</td></tr>");
        }
        buf_puts(b, "</table>\n");
    }
}

/* "Groups of fewer than k patients are not shown (<k): ..." when the report
 * left small groups out, else NULL. */
static const char *suppression_note(const json_t *r, char out[96])
{
    const json_t *sup = json_object_get(r, "suppression");
    if (!json_is_object(sup))
        return NULL;
    fill(T("rep.doc.suppression",
           "Small groups (<{min_group}): fewer than {min_group} patients: not shown."),
         sup, out, 96);
    return out;
}

/* A chart as inline SVG in a figure, its text alternative as the caption. */
static cc_status html_figure(buf *b, report_chart_kind kind, const json_t *part, cc_error *err)
{
    buf_puts(b, "<figure>");
    cc_status st = report_chart_svg(kind, part, b, err);
    if (st != CC_OK)
        return st;
    buf alt;
    buf_init(&alt, 1 << 20);
    report_chart_alt(kind, part, &alt);
    buf_puts(b, "<figcaption>");
    html_text(b, alt.data);
    buf_puts(b, "</figcaption></figure>\n");
    buf_release(&alt);
    return CC_OK;
}

/* "Sites pooled: Name (CODE), ..." of the report's source; false when it
 * names none. */
static bool sites_text(const json_t *r, char *out, size_t cap)
{
    const json_t *sites = json_object_get(json_object_get(r, "source"), "sites");
    if (!json_array_size(sites))
        return false;
    size_t used = (size_t)snprintf(out, cap, "%s", T("rep.doc.sites", "Sites pooled:"));
    size_t i;
    const json_t *site;
    json_array_foreach(sites, i, site)
    {
        if (used >= cap)
            break;
        const char *name = json_string_value(json_object_get(site, "name"));
        used += (size_t)snprintf(out + used, cap - used, "%s%s%s(%s)", i ? ", " : " ",
                                 name ? name : "", name && *name ? " " : "",
                                 json_string_value(json_object_get(site, "code")));
    }
    return true;
}

static cc_status render_html(const json_t *r, buf *b, cc_error *err)
{
    const char *lang = report_language();
    const char *protocol = json_string_value(json_object_get(r, "protocol"));
    bool synthetic = json_is_true(json_object_get(r, "synthetic_data"));
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
    html_text(b, lang);
    buf_puts(b, "\"><head><meta charset=\"utf-8\"><title>");
    html_text(b, T("rep.doc.title", "Outcome report: "));
    html_text(b, protocol);
    buf_puts(
        b,
        "</title><style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:2px 6px;"
        "text-align:right}th:first-child,td:first-child{text-align:left}.synthetic{background:#fd0;"
        "padding:.5em;font-weight:bold}</style></head><body>\n");
    if (synthetic) {
        buf_puts(b, "<p class=\"synthetic\">");
        html_text(b, T("rep.doc.synthetic",
                       "SYNTHETIC DATA — demonstration patients, not real outcomes"));
        buf_puts(b, "</p>\n");
    }
    buf_puts(b, "<h1>");
    html_text(b, T("rep.doc.title", "Outcome report: "));
    html_text(b, protocol);
    buf_puts(b, "</h1>\n");
    const char *note = suppression_note(r, (char[96]){0});
    if (note) {
        buf_puts(b, "<p class=\"suppression\" data-testid=\"report-suppression\">");
        html_text(b, note);
        buf_puts(b, "</p>\n");
    }
    char pooled[512];
    if (sites_text(r, pooled, sizeof pooled)) {
        buf_puts(b, "<p data-testid=\"report-sites\">");
        html_text(b, pooled);
        buf_puts(b, "</p>\n");
    }
    buf_puts(b, "<p>");
    html_text(b, T("rep.doc.as_of", "As of"));
    buf_putc(b, ' ');
    html_text(b, date_text(json_string_value(json_object_get(r, "as_of")), (char[16]){0}));
    buf_puts(b, ". ");
    html_text(b, T("rep.doc.intro", "Every figure gives its denominator; missing data are counted, "
                                    "never imputed."));
    buf_puts(b, "</p>\n");
    const json_t *f = json_object_get(r, "flow");
    buf_puts(b, "<h2>");
    html_text(b, T("rep.doc.flow", "Participant flow"));
    buf_puts(b, "</h2><table><tr>");
    html_th(b, "rep.doc.step", "Step");
    html_th(b, "rep.doc.patients", "Patients");
    buf_puts(b, "</tr>");
    static const char *const steps[][3] = {{"referred", "rep.doc.referred", "Referred"},
                                           {"screened", "rep.doc.screened", "Screened"},
                                           {"eligible", "rep.doc.eligible", "Eligible"},
                                           {"treated", "rep.doc.treated", "Treated"}};
    for (size_t i = 0; i < 4; i++) {
        buf_puts(b, "<tr><td>");
        html_text(b, T(steps[i][1], steps[i][2]));
        buf_puts(b, "</td><td>");
        html_num(b, json_object_get(f, steps[i][0]), 0);
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</table>\n<table><tr>");
    static const char *const flow_heads[][2] = {{"rep.doc.timepoint", "Time point"},
                                                {"rep.doc.not_yet_due", "Not yet due"},
                                                {"rep.doc.due", "Due"},
                                                {"rep.doc.assessed", "Assessed"},
                                                {"rep.doc.pending", "Pending"},
                                                {"rep.doc.missed", "Missed"},
                                                {"rep.doc.withdrawn", "Withdrawn"},
                                                {"rep.doc.lost", "Lost"},
                                                {"rep.doc.died", "Died"}};
    for (size_t k = 0; k < sizeof flow_heads / sizeof flow_heads[0]; k++)
        html_th(b, flow_heads[k][0], flow_heads[k][1]);
    buf_puts(b, "</tr>");
    size_t i;
    json_t *tp;
    json_array_foreach(json_object_get(f, "timepoints"), i, tp)
    {
        static const char *const keys[] = {"not_yet_due", "due",       "assessed", "pending",
                                           "missed",      "withdrawn", "lost",     "died"};
        buf_puts(b, "<tr><td>");
        html_text(b, report_label(json_string_value(json_object_get(tp, "label")),
                                  (char[REPORT_LABEL_TEXT]){0}));
        buf_puts(b, "</td>");
        for (size_t k = 0; k < 8; k++) {
            buf_puts(b, "<td>");
            html_num(b, json_object_get(tp, keys[k]), 0);
            buf_puts(b, "</td>");
        }
        buf_puts(b, "</tr>");
    }
    buf_puts(b, "</table>\n");
    json_t *m;
    json_array_foreach(json_object_get(r, "measures"), i, m)
    {
        buf_puts(b, "<h2>");
        html_text(b, json_string_value(json_object_get(m, "instrument")));
        buf_puts(b, " — ");
        html_text(b, json_string_value(json_object_get(m, "score")));
        buf_puts(b, "</h2>\n<table><tr>");
        static const char *const heads[][2] = {
            {"rep.doc.timepoint", "Time point"},      {"rep.doc.n_due", "n / due"},
            {"rep.doc.mean_sd", "Mean (SD)"},         {"rep.doc.ci95", "95% CI"},
            {"rep.doc.median_iqr", "Median (Q1–Q3)"}, {"rep.doc.change_pairs", "Change (pairs)"},
            {"rep.doc.change_ci", "95% CI of change"}};
        for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++)
            html_th(b, heads[k][0], heads[k][1]);
        buf_puts(b, "</tr>");
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(m, "timepoints"), j, c)
        {
            const json_t *ch = json_object_get(c, "change");
            buf_puts(b, "<tr><td>");
            html_text(b, report_label(json_string_value(json_object_get(c, "label")),
                                      (char[REPORT_LABEL_TEXT]){0}));
            buf_puts(b, "</td><td>");
            buf_puts(b, COUNT(c, "n"));
            buf_puts(b, " / ");
            buf_puts(b, COUNT(c, "due"));
            buf_puts(b, "</td><td>");
            html_num(b, json_object_get(c, "mean"), 2);
            buf_puts(b, " (");
            html_num(b, json_object_get(c, "sd"), 2);
            buf_puts(b, ")</td><td>");
            html_ci(b, json_object_get(c, "ci"), 2, 1);
            buf_puts(b, "</td><td>");
            html_num(b, json_object_get(c, "median"), 2);
            buf_puts(b, " (");
            html_num(b, json_object_get(c, "q1"), 2);
            buf_puts(b, "–");
            html_num(b, json_object_get(c, "q3"), 2);
            buf_puts(b, ")</td><td>");
            if (ch) {
                html_num(b, json_object_get(ch, "mean_diff"), 2);
                buf_puts(b, " (");
                buf_puts(b, COUNT(ch, "pairs"));
                buf_puts(b, ")</td><td>");
                html_ci(b, json_object_get(ch, "ci"), 2, 1);
            } else {
                buf_puts(b, "</td><td>");
            }
            buf_puts(b, "</td></tr>");
        }
        buf_puts(b, "</table>\n");
        cc_status st = html_figure(b, REPORT_CHART_TRAJECTORY, m, err);
        if (st != CC_OK)
            return st;
    }
    const json_t *ais = json_object_get(r, "ais");
    if (json_is_array(ais)) {
        buf_puts(b, "<h2>");
        html_text(b, T("rep.doc.ais_title", "ISNCSCI: AIS grade improved by at least one grade"));
        buf_puts(b, "</h2><p>");
        html_text(b, T("rep.doc.ais_intro",
                       "Among patients with a baseline grade A–D and both grades (Wilson 95% CI); "
                       "the sensitivity line counts every patient due with a baseline A–D grade, "
                       "the missing as not improved."));
        buf_puts(b, "</p><table><tr>");
        html_th(b, "rep.doc.timepoint", "Time point");
        html_th(b, "rep.doc.pairs", "Pairs");
        html_th(b, "rep.doc.missing", "Missing");
        html_th(b, "rep.doc.improved", "Improved");
        html_th(b, "rep.doc.sensitivity", "Sensitivity");
        buf_puts(b, "</tr>");
        json_array_foreach(ais, i, tp)
        {
            buf_puts(b, "<tr><td>");
            html_text(b, report_label(json_string_value(json_object_get(tp, "label")),
                                      (char[REPORT_LABEL_TEXT]){0}));
            buf_puts(b, "</td><td>");
            buf_puts(b, COUNT(tp, "pairs"));
            buf_puts(b, "</td><td>");
            buf_puts(b, COUNT(tp, "missing"));
            buf_puts(b, "</td><td>");
            html_prop(b, json_object_get(tp, "improved"));
            buf_puts(b, "</td><td>");
            html_prop(b, json_object_get(tp, "improved_sensitivity"));
            buf_puts(b, "</td></tr>");
        }
        buf_puts(b, "</table>\n");
        cc_status st = html_figure(b, REPORT_CHART_AIS, ais, err);
        if (st != CC_OK)
            return st;
    }
    html_satisfaction(b, json_object_get(r, "satisfaction"));
    const json_t *ae = json_object_get(r, "adverse_events");
    buf_puts(b, "<h2>");
    html_text(b, T("rep.doc.ae_title", "Adverse events"));
    buf_puts(b, "</h2><p>");
    html_text(b, T("rep.doc.out_of", "Out of"));
    buf_putc(b, ' ');
    buf_puts(b, COUNT(ae, "treated"));
    buf_putc(b, ' ');
    html_text(b, T("rep.doc.treated_patients_and", "treated patients and"));
    buf_putc(b, ' ');
    buf_puts(b, COUNT(ae, "administrations"));
    buf_putc(b, ' ');
    html_text(b, T("rep.doc.administrations_cp", "administrations (Clopper–Pearson 95% CI)."));
    buf_puts(b, "</p><table><tr>");
    html_th(b, "rep.doc.event", "Event");
    html_th(b, "rep.doc.patients_treated", "Patients / treated");
    buf_puts(b, "</tr><tr><td>");
    html_text(b, T("rep.doc.any_event", "At least one event"));
    buf_puts(b, "</td><td>");
    html_prop(b, json_object_get(ae, "patients_any"));
    buf_puts(b, "</td></tr><tr><td>");
    html_text(b, T("rep.doc.any_serious", "At least one serious event"));
    buf_puts(b, "</td><td>");
    html_prop(b, json_object_get(ae, "patients_serious"));
    buf_puts(b, "</td></tr>");
    json_array_foreach(json_object_get(ae, "rows"), i, tp)
    {
        char t[128];
        buf_puts(b, "<tr><td>");
        html_text(b, json_string_value(json_object_get(tp, "term")));
        snprintf(t, sizeof t, ", %s %lld (%s %s)", T("rep.doc.grade", "grade"),
                 (long long)json_integer_value(json_object_get(tp, "grade")), COUNT(tp, "events"),
                 T("rep.doc.events", "events"));
        buf_puts(b, t);
        buf_puts(b, "</td><td>");
        html_prop(b, json_object_get(tp, "patients"));
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</table>\n");
    cc_status st = html_figure(b, REPORT_CHART_AE, ae, err);
    if (st != CC_OK)
        return st;
    buf_puts(b, "<h2>");
    html_text(b, T("rep.doc.definitions", "Definitions"));
    buf_puts(b, "</h2><dl>");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(r, "definitions"), key, v)
    {
        char k[96];
        buf_puts(b, "<dt>");
        snprintf(k, sizeof k, "rep.doc.term.%s", key);
        html_text(b, T(k, key));
        buf_puts(b, "</dt><dd>");
        snprintf(k, sizeof k, "rep.doc.def.%s", key);
        html_text(b, T(k, json_string_value(v)));
        buf_puts(b, "</dd>");
    }
    buf_puts(b, "</dl></body></html>\n");
    return buf_failed(b) ? cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the report is too large")
                         : CC_OK;
}

/* ---- PDF: A4 pages, flow and adverse-event summary, then one chart per measure ---- */

enum { A4_W = 595, A4_H = 842, MARGIN = 50 };

static void pdf_line(cairo_t *cr, double *y, const char *text, double size, bool bold)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, MARGIN, *y);
    cairo_show_text(cr, text);
    *y += size * 1.5;
}

static void pdf_banner(cairo_t *cr, bool synthetic)
{
    if (!synthetic)
        return;
    cairo_set_source_rgb(cr, 1, 0.85, 0);
    cairo_rectangle(cr, 0, 0, A4_W, 22);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double y = 15;
    pdf_line(
        cr, &y,
        T("rep.doc.pdf_synthetic", "SYNTHETIC DATA - demonstration patients, not real outcomes"),
        10, true);
}

/* pdf_line with a new page (and its banner) when the page is full. */
static void pdf_line_paged(cairo_t *cr, double *y, const char *text, double size, bool bold,
                           bool synthetic)
{
    /* too wide for the page: cut at the last space that fits, go on indented */
    char line[512];
    snprintf(line, sizeof line, "%s", text);
    const char *rest = NULL;
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    size_t lead = strspn(line, " "); /* never cut inside the indentation: it always fits */
    for (size_t cut = strlen(line); cut > lead; cut--) {
        if (line[cut] != '\0' && line[cut] != ' ')
            continue;
        char keep = line[cut];
        line[cut] = '\0';
        cairo_text_extents_t ext;
        cairo_text_extents(cr, line, &ext);
        if (ext.x_advance <= A4_W - 2 * MARGIN) {
            rest = keep ? text + cut + 1 : NULL;
            break;
        }
        line[cut] = keep;
    }
    if (*y + size * 1.5 > A4_H - MARGIN) {
        cairo_show_page(cr);
        pdf_banner(cr, synthetic);
        *y = MARGIN;
    }
    pdf_line(cr, y, line, size, bold);
    if (rest && *rest) {
        char more[512];
        snprintf(more, sizeof more, "        %s", rest);
        pdf_line_paged(cr, y, more, size, bold, synthetic);
    }
}

/* "x/n (p%, 95% CI lo-hi%)" or "x/n (not computable)". */
static void pdf_prop(const json_t *p, char *t, size_t cap)
{
    const json_t *ci = json_object_get(p, "ci");
    const char *x = COUNT(p, "x"), *n = COUNT(p, "n");
    if (json_is_number(json_object_get(ci, "low")))
        snprintf(t, cap, "%s/%s (%.1f%%, %s %.1f-%.1f%%)", x, n,
                 100 * json_number_value(json_object_get(p, "p")), T("rep.doc.pdf_ci", "CI"),
                 100 * json_number_value(json_object_get(ci, "low")),
                 100 * json_number_value(json_object_get(ci, "high")));
    else
        snprintf(t, cap, "%s/%s (%s)", x, n, T("rep.doc.not_computable", "not computable"));
    localised(t);
}

/* The satisfaction section: per time point the response line, then each item's
 * distribution and top box. */
static void pdf_satisfaction(cairo_t *cr, double *y, const json_t *sec, bool synthetic)
{
    if (!json_is_object(sec))
        return;
    const json_t *defs = json_object_get(sec, "items");
    char t[512], a[96], c[96];
    *y += 6;
    pdf_line_paged(cr, y,
                   T("rep.doc.pdf_sat_title", "Satisfaction and perceived efficacy (% of item "
                                              "answers; top box also of asked and of treated)"),
                   11, true, synthetic);
    size_t i;
    const json_t *tp;
    json_array_foreach(json_object_get(sec, "timepoints"), i, tp)
    {
        const json_t *na = json_object_get(tp, "not_answered");
        pdf_prop(json_object_get(tp, "response_rate"), a, sizeof a);
        fill(T("rep.doc.pdf_sat_tp",
               "{label}: answered {answered} / asked {asked} / treated {treated}; response "),
             tp, t, sizeof t);
        size_t used = strlen(t);
        snprintf(t + used, sizeof t - used, "%s", a);
        pdf_line_paged(cr, y, t, 9, true, synthetic);
        char reasons[160];
        not_answered_text(na, reasons, sizeof reasons);
        snprintf(t, sizeof t, "  %s%s%s", T("rep.doc.pdf_not_answered", "not answered"), colon(),
                 reasons);
        pdf_line_paged(cr, y, t, 8, false, synthetic);
        size_t k;
        const json_t *it;
        json_array_foreach(json_object_get(tp, "items"), k, it)
        {
            const json_t *def = json_array_get(defs, k);
            char counts[160];
            fill(T("rep.doc.pdf_sat_item",
                   "(answered {answered}, n/a {not_applicable}, blank {skipped}):"),
                 it, counts, sizeof counts);
            int len = snprintf(t, sizeof t, "  %s %s",
                               json_string_value(json_object_get(def, "id")), counts);
            size_t o;
            const json_t *opt;
            json_array_foreach(json_object_get(it, "options"), o, opt)
            {
                if (len < 0 || (size_t)len >= sizeof t)
                    break;
                const json_t *p = json_object_get(opt, "p");
                len += json_is_number(p)
                           ? snprintf(t + len, sizeof t - (size_t)len, " %s %s (%.0f%%)",
                                      json_string_value(json_object_get(opt, "code")),
                                      COUNT(opt, "count"), 100 * json_number_value(p))
                           : snprintf(t + len, sizeof t - (size_t)len, " %s %s",
                                      json_string_value(json_object_get(opt, "code")),
                                      COUNT(opt, "count"));
            }
            pdf_line_paged(cr, y, t, 7, false, synthetic);
            const json_t *top = json_object_get(it, "top_box");
            if (!json_is_object(top))
                continue;
            pdf_prop(json_object_get(top, "of_answered"), a, sizeof a);
            pdf_prop(json_object_get(top, "of_asked"), c, sizeof c);
            len = snprintf(t, sizeof t, "    %s%s%s; %s %s; ",
                           json_string_value(in_language(json_object_get(def, "top_box"))), colon(),
                           a, T("rep.doc.of_asked_lc", "of asked"), c);
            pdf_prop(json_object_get(top, "of_treated"), a, sizeof a);
            if (len > 0 && (size_t)len < sizeof t)
                snprintf(t + len, sizeof t - (size_t)len, "%s %s",
                         T("rep.doc.of_treated", "of treated"), a);
            pdf_line_paged(cr, y, t, 7, false, synthetic);
        }
    }
}

/* A chart below *y, on a new page when it does not fit there; a chart taller
 * than a page is scaled down to the page. */
static void pdf_chart(cairo_t *cr, double *y, bool synthetic, report_chart_kind kind,
                      const json_t *part)
{
    double w = A4_W - 2 * MARGIN, h = report_chart_height(kind, part, w);
    if (*y + h > A4_H - MARGIN && *y > MARGIN) {
        cairo_show_page(cr);
        pdf_banner(cr, synthetic);
        *y = MARGIN;
    }
    double room = A4_H - MARGIN - *y, scale = h > room ? room / h : 1;
    cairo_save(cr);
    cairo_translate(cr, MARGIN, *y);
    cairo_scale(cr, scale, scale); /* a chart taller than a page shrinks to fit */
    report_chart_draw(cr, kind, part, 0, 0, w, h);
    cairo_restore(cr);
    *y += h * scale + CHART_GAP;
}

static cc_status render_pdf(const json_t *r, buf *out, cc_error *err)
{
    cairo_surface_t *s =
        cairo_pdf_surface_create_for_stream(report_charts_write_buf, out, A4_W, A4_H);
    cairo_t *cr = cairo_create(s);
    bool synthetic = json_is_true(json_object_get(r, "synthetic_data"));
    pdf_banner(cr, synthetic);
    double y = MARGIN + 10;
    char t[256];
    snprintf(t, sizeof t, "%s%s (%s %s)", T("rep.doc.title", "Outcome report: "),
             json_string_value(json_object_get(r, "protocol")), T("rep.doc.pdf_as_of", "as of"),
             date_text(json_string_value(json_object_get(r, "as_of")), (char[16]){0}));
    pdf_line(cr, &y, t, 16, true);
    const char *note = suppression_note(r, (char[96]){0});
    if (note)
        pdf_line(cr, &y, note, 10, true);
    char pooled[512];
    if (sites_text(r, pooled, sizeof pooled))
        pdf_line(cr, &y, pooled, 10, false);
    const json_t *f = json_object_get(r, "flow");
    fill(T("rep.doc.pdf_flow",
           "Referred {referred}, screened {screened}, eligible {eligible}, treated {treated}"),
         f, t, sizeof t);
    pdf_line(cr, &y, t, 11, false);
    size_t i;
    json_t *tp;
    json_array_foreach(json_object_get(f, "timepoints"), i, tp)
    {
        fill(T("rep.doc.pdf_timepoint",
               "{label}: due {due}, assessed {assessed}, pending {pending}, "
               "missed {missed}, withdrawn {withdrawn}, lost {lost}, died "
               "{died}, not yet due {not_yet_due}"),
             tp, t, sizeof t);
        pdf_line(cr, &y, t, 9, false);
    }
    const json_t *ae = json_object_get(r, "adverse_events"),
                 *any = json_object_get(ae, "patients_any");
    const json_t *ci = json_object_get(any, "ci");
    fill(T("rep.doc.pdf_ae", "Adverse events: {x} of {n} treated patients with at least one"), any,
         t, sizeof t);
    size_t used = strlen(t);
    if (json_is_number(json_object_get(ci, "low")))
        snprintf(t + used, sizeof t - used, " (%s %.3f - %.3f)", T("rep.doc.ci95", "95% CI"),
                 json_number_value(json_object_get(ci, "low")),
                 json_number_value(json_object_get(ci, "high")));
    else
        snprintf(t + used, sizeof t - used, " (%s)", T("rep.doc.no_interval", "no interval"));
    localised(t);
    pdf_line(cr, &y, t, 10, false);
    pdf_satisfaction(cr, &y, json_object_get(r, "satisfaction"), synthetic);
    y += 10;
    json_t *m;
    json_array_foreach(json_object_get(r, "measures"), i, m)
        pdf_chart(cr, &y, synthetic, REPORT_CHART_TRAJECTORY, m);
    const json_t *ais = json_object_get(r, "ais");
    if (json_is_array(ais))
        pdf_chart(cr, &y, synthetic, REPORT_CHART_AIS, ais);
    pdf_chart(cr, &y, synthetic, REPORT_CHART_AE, ae);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (cs != CAIRO_STATUS_SUCCESS || buf_failed(out))
        return cc_fail(err, CC_INTERNAL, NULL, "render_failed", "PDF: %s",
                       cairo_status_to_string(cs));
    (void)err;
    return CC_OK;
}

/* The words hold only while this report is drawn: a chart drawn later on the
 * thread must not read the caller's words after they are gone. */
cc_status report_render_html(const json_t *r, const report_words *w, buf *b, cc_error *err)
{
    report_charts_use_words(w);
    cc_status st = render_html(r, b, err);
    report_charts_use_words(NULL);
    return st;
}

cc_status report_render_pdf(const json_t *r, const report_words *w, buf *out, cc_error *err)
{
    report_charts_use_words(w);
    cc_status st = render_pdf(r, out, err);
    report_charts_use_words(NULL);
    return st;
}
