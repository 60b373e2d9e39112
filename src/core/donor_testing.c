#include "donor_testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CODES[DONOR_MARKERS] = {"hbsag",    "anti-hbc", "anti-hcv", "anti-hiv-1-2",
                                                 "syphilis", "htlv-1-2", "nat-hiv",  "nat-hcv",
                                                 "nat-hbv",  "cmv"};
static const char *const LABELS[DONOR_MARKERS] = {
    "HBsAg",          "anti-HBc", "anti-HCV", "anti-HIV-1/2", "syphilis",
    "anti-HTLV-I/II", "HIV NAT",  "HCV NAT",  "HBV NAT",      "CMV"};
static const char *const NEEDS[] = {"none", "negative", "result"};
static const char *const RESULTS[] = {"negative", "positive", "indeterminate", NULL};

#define NEG DONOR_NEED_NEGATIVE
#define RES DONOR_NEED_RESULT
#define NONE DONOR_NEED_NONE
/* See donor_testing.h for the source of each column. */
static const donor_panel ALLOGENEIC = {{NEG, NEG, NEG, NEG, NEG, NEG, NEG, NEG, NEG, RES}, 0, 7};
static const donor_panel AUTOLOGOUS = {
    {NEG, NEG, NEG, NEG, NEG, NONE, NONE, NONE, NONE, NONE}, 0, 7};

const char *donor_marker_code(size_t i)
{
    return i < DONOR_MARKERS ? CODES[i] : NULL;
}

int donor_marker_index(const char *code)
{
    for (int i = 0; code && i < DONOR_MARKERS; i++)
        if (strcmp(code, CODES[i]) == 0)
            return i;
    return -1;
}

const char *donor_marker_label(const char *code)
{
    int i = donor_marker_index(code);
    return i >= 0 ? LABELS[i] : (code ? code : "");
}

bool donor_result_is_valid(const char *s)
{
    for (size_t i = 0; s && RESULTS[i]; i++)
        if (strcmp(s, RESULTS[i]) == 0)
            return true;
    return false;
}

bool donor_kind_is_valid(const char *s)
{
    return s && (strcmp(s, "allogeneic") == 0 || strcmp(s, "autologous") == 0);
}

const char *donor_need_name(donor_need n)
{
    return (unsigned)n < 3 ? NEEDS[n] : "none";
}

bool donor_need_parse(const char *s, donor_need *out)
{
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, NEEDS[i]) == 0) {
            *out = (donor_need)i;
            return true;
        }
    return false;
}

void donor_panel_default(const char *kind, donor_panel *out)
{
    *out = kind && strcmp(kind, "autologous") == 0 ? AUTOLOGOUS : ALLOGENEIC;
}

cc_status donor_panel_check(const donor_panel *p, cc_error *err)
{
    if (p->days_before < 0 || p->days_before > DONOR_MAX_DAYS_BEFORE)
        return cc_fail(err, CC_INVALID, "days_before", "out_of_range",
                       "days_before must lie between 0 and %d", DONOR_MAX_DAYS_BEFORE);
    if (p->days_after < 0 || p->days_after > DONOR_MAX_DAYS_AFTER)
        return cc_fail(err, CC_INVALID, "days_after", "out_of_range",
                       "days_after must lie between 0 and %d", DONOR_MAX_DAYS_AFTER);
    return CC_OK;
}

void donor_panel_format(const donor_panel *p, char out[DONOR_PANEL_TEXT])
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < DONOR_MARKERS; i++)
        n += (size_t)snprintf(out + n, DONOR_PANEL_TEXT - n, "%s%s=%s", i ? "," : "", CODES[i],
                              donor_need_name(p->need[i]));
    snprintf(out + n, DONOR_PANEL_TEXT - n, ";%d;%d", p->days_before, p->days_after);
}

static bool parse_int(const char *s, size_t len, int *out)
{
    if (len == 0 || len > 3)
        return false;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool donor_panel_parse(const char *kind, const char *text, donor_panel *out)
{
    donor_panel_default(kind, out);
    const char *semi = text ? strchr(text, ';') : NULL;
    const char *semi2 = semi ? strchr(semi + 1, ';') : NULL;
    if (!semi2)
        return false;
    for (const char *p = text; p < semi;) {
        const char *end = memchr(p, ',', (size_t)(semi - p));
        if (!end)
            end = semi;
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char code[24], need[16];
        if (!eq || (size_t)(eq - p) >= sizeof code || (size_t)(end - eq - 1) >= sizeof need)
            return false;
        memcpy(code, p, (size_t)(eq - p));
        code[eq - p] = '\0';
        memcpy(need, eq + 1, (size_t)(end - eq - 1));
        need[end - eq - 1] = '\0';
        int i = donor_marker_index(code);
        if (i < 0 || !donor_need_parse(need, &out->need[i]))
            return false;
        p = end < semi ? end + 1 : semi;
    }
    return parse_int(semi + 1, (size_t)(semi2 - semi - 1), &out->days_before) &&
           parse_int(semi2 + 1, strlen(semi2 + 1), &out->days_after);
}

/* The latest result of a marker sampled in [from, to]: latest sample date,
 * the last given on ties. */
static const donor_result *latest(const donor_facts *f, const char *marker, cc_date from,
                                  cc_date to)
{
    const donor_result *best = NULL;
    for (size_t i = 0; i < f->n_results; i++) {
        const donor_result *r = &f->results[i];
        if (r->marker && strcmp(r->marker, marker) == 0 && r->sampled_on >= from &&
            r->sampled_on <= to && (!best || r->sampled_on >= best->sampled_on))
            best = r;
    }
    return best;
}

static bool is_negative(const donor_result *r)
{
    return r->result && strcmp(r->result, "negative") == 0;
}

static cc_status not_negative(const char *code, const donor_result *r, cc_error *err)
{
    char on[CC_DATE_TEXT];
    date_format(r->sampled_on, on);
    return cc_fail(err, CC_CONFLICT, code, "marker_not_negative",
                   "%s sampled on %s is %s, not negative", donor_marker_label(code), on,
                   r->result ? r->result : "unknown");
}

static cc_status check_marker(const donor_facts *f, size_t m, cc_error *err)
{
    const char *code = CODES[m];
    donor_need need = f->panel->need[m];
    if (need == DONOR_NEED_NONE)
        return CC_OK;
    const donor_result *last = latest(f, code, INT32_MIN, INT32_MAX);
    if (!last)
        return cc_fail(err, CC_CONFLICT, code, "marker_missing", "%s has no result",
                       donor_marker_label(code));
    if (need == DONOR_NEED_NEGATIVE && !is_negative(last))
        return not_negative(code, last, err);
    for (size_t c = 0; f->collected_on && c < f->n_collections; c++) {
        cc_date on = f->collected_on[c];
        cc_date from = on - f->panel->days_before, to = on + f->panel->days_after;
        const donor_result *in = latest(f, code, from, to);
        if (!in) {
            char a[CC_DATE_TEXT], b[CC_DATE_TEXT], col[CC_DATE_TEXT];
            date_format(from, a);
            date_format(to, b);
            date_format(on, col);
            return cc_fail(err, CC_CONFLICT, code, "marker_outside_window",
                           "%s has no result sampled between %s and %s (collection on %s)",
                           donor_marker_label(code), a, b, col);
        }
        if (need == DONOR_NEED_NEGATIVE && !is_negative(in))
            return not_negative(code, in, err);
    }
    return CC_OK;
}

cc_status donor_check_eligibility(const char *decision, const donor_facts *f, cc_error *err)
{
    if (!decision || (strcmp(decision, "eligible") != 0 && strcmp(decision, "ineligible") != 0 &&
                      strcmp(decision, "incomplete") != 0))
        return cc_fail(err, CC_INVALID, "decision", "invalid_value",
                       "decision must be eligible, ineligible or incomplete");
    if (strcmp(decision, "eligible") != 0)
        return CC_OK;
    if (!f->consent)
        return cc_fail(err, CC_CONFLICT, "decision", "eligibility_not_met",
                       "the donor's consent is not recorded");
    if (f->n_results > 0 && !f->results)
        return cc_fail(err, CC_INVALID, "tests", "invalid_value", "no results given");
    for (size_t m = 0; m < DONOR_MARKERS; m++) {
        cc_status st = check_marker(f, m, err);
        if (st != CC_OK)
            return st;
    }
    return CC_OK;
}

void donor_screening_summary(const donor_panel *p, const donor_result *results, size_t n,
                             bool *complete, char *reactive, size_t cap)
{
    donor_facts f = {.panel = p, .results = results, .n_results = n};
    size_t used = 0;
    *complete = true;
    if (cap)
        reactive[0] = '\0';
    for (size_t i = 0; i < DONOR_MARKERS; i++) {
        if (p->need[i] == DONOR_NEED_NONE)
            continue;
        const char *code = donor_marker_code(i);
        const donor_result *last = latest(&f, code, INT32_MIN, INT32_MAX);
        if (!last) {
            *complete = false;
            continue;
        }
        if (p->need[i] != DONOR_NEED_NEGATIVE || !last->result ||
            strcmp(last->result, "positive") != 0)
            continue;
        for (const char *c = used ? ", " : ""; *c && used + 1 < cap; c++)
            reactive[used++] = *c;
        for (const char *c = donor_marker_label(code); *c && used + 1 < cap; c++)
            reactive[used++] = *c;
        if (cap)
            reactive[used] = '\0';
    }
}
