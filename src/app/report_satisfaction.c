#include "app/report_satisfaction.h"

#include <stdio.h>
#include <string.h>

#include "app/programmes.h"
#include "app/report_numbers.h"
#include "core/satisfaction.h"
#include "store/report_satisfaction.h"

static const char INSTRUMENT[] = "satisfaction";

static const char *const DEFINITIONS[][2] = {
    {"satisfaction_asked",
     "treated patients for whom the time point is due (window opened or visit resolved) and whose "
     "visit names the satisfaction questionnaire (or a link for it was issued), plus anyone who "
     "answered; not 'patients who were sent a link': staff choose whom they send links to"},
    {"satisfaction_answered", "a satisfaction questionnaire recorded in the visit's window, the "
                              "one closest to the target date"},
    {"satisfaction_response_rate", "answered / asked and answered / treated, Wilson 95% "
                                   "intervals; non-responders listed by visit status"},
    {"satisfaction_items",
     "option counts and % of the patients who chose an option of the item; 'not applicable', "
     "left blank and unreadable answers are counted apart, never imputed; free-text comments "
     "are never reported (they may identify patients)"},
    {"satisfaction_top_box",
     "satisfied or very satisfied; PGIC much or very much improved; change per domain better or "
     "much better; would recommend = yes: x / patients who chose an option, Wilson 95% interval"},
    {"satisfaction_sensitivity", "the same x over every patient asked, and over every treated "
                                 "patient: non-responders counted as not in the top box"},
};

static cc_date day_or_none(const char *text)
{
    cc_date d = 0;
    cc_error ignored;
    return text && date_parse(text, "date", &d, &ignored) == CC_OK ? d : REPORT_NO_DAY;
}

static bool protocol_names_instrument(db *d, arena *a, const char *protocol_id)
{
    if (!protocol_id)
        return false;
    protocol *p = arena_alloc(a, sizeof *p);
    cc_error ignored;
    if (!p || programme_load(d, a, protocol_id, 0, p, &ignored) != CC_OK)
        return false;
    for (size_t f = 0; f < p->n_follow_up; f++)
        for (size_t k = 0; k < p->follow_up[f].n_instruments; k++)
            if (strcmp(p->follow_up[f].instruments[k], INSTRUMENT) == 0)
                return true;
    return false;
}

/* The codes of one stored answers object, one per reported item. */
static void read_codes(const char *answers_json, int8_t *codes, size_t n_items)
{
    json_t *answers = json_loads(answers_json, 0, NULL);
    for (size_t i = 0; i < n_items; i++) {
        json_t *v =
            json_is_object(answers) ? json_object_get(answers, satisfaction_item(i)->id) : NULL;
        char number[32];
        if (!json_is_object(answers))
            codes[i] = SAT_UNREADABLE;
        else if (!v || json_is_null(v))
            codes[i] = SAT_NO_ANSWER;
        else if (json_is_string(v))
            codes[i] = (int8_t)satisfaction_code(i, json_string_value(v));
        else if (json_is_integer(v)) {
            snprintf(number, sizeof number, "%lld", (long long)json_integer_value(v));
            codes[i] = (int8_t)satisfaction_code(i, number);
        } else
            codes[i] = SAT_UNREADABLE;
    }
    json_decref(answers);
}

static json_t *items_json(void)
{
    json_t *items = json_array();
    for (size_t i = 0; i < satisfaction_item_count(); i++) {
        const instr_item *it = satisfaction_item(i);
        json_t *opts = json_array();
        for (int k = 0; k < satisfaction_option_count(i); k++) {
            const instr_option *o = satisfaction_option(i, k);
            json_array_append_new(
                opts, json_pack("{s:s, s:s, s:s}", "code", o->code, "en", o->en, "fr", o->fr));
        }
        const sat_top_box *box = satisfaction_top_box(i);
        json_t *top = json_null();
        if (box) {
            json_t *codes = json_array();
            for (size_t c = 0; c < 3 && box->codes[c]; c++)
                json_array_append_new(codes, json_string(box->codes[c]));
            top = json_pack("{s:o, s:s, s:s}", "codes", codes, "en", box->en, "fr", box->fr);
        }
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:o, s:b, s:o}", "id", it->id, "en", it->en, "fr",
                             it->fr, "options", opts, "not_applicable_option",
                             satisfaction_code(i, "not_applicable") == SAT_NOT_APPLICABLE,
                             "top_box", top));
    }
    return items;
}

static json_t *point_json(const sat_point *p, const char *label, size_t n_items)
{
    static const struct {
        const char *name;
        stats_visit v;
    } REASONS[] = {{"pending", STATS_VISIT_DUE},   {"visit_done", STATS_VISIT_ASSESSED},
                   {"missed", STATS_VISIT_MISSED}, {"withdrawn", STATS_VISIT_WITHDRAWN},
                   {"lost", STATS_VISIT_LOST},     {"died", STATS_VISIT_DIED}};
    json_t *na = json_pack("{s:I}", "total", (json_int_t)(p->asked - p->answered));
    for (size_t r = 0; r < sizeof REASONS / sizeof REASONS[0]; r++)
        json_object_set_new(na, REASONS[r].name,
                            json_integer((json_int_t)p->not_answered[REASONS[r].v]));
    json_t *items = json_array();
    for (size_t i = 0; i < n_items; i++) {
        const sat_item_result *it = &p->item[i];
        json_t *opts = json_array();
        for (int k = 0; k < satisfaction_option_count(i); k++)
            json_array_append_new(
                opts, json_pack("{s:s, s:I, s:o}", "code", satisfaction_option(i, k)->code, "count",
                                (json_int_t)it->option[k].x, "p",
                                it->answered_item ? report_json_number(it->option[k].p, 6)
                                                  : json_null()));
        json_t *top =
            it->has_top_box
                ? json_pack("{s:o, s:o, s:o}", "of_answered", report_json_proportion(&it->top_box),
                            "of_asked", report_json_proportion(&it->top_box_asked), "of_treated",
                            report_json_proportion(&it->top_box_treated))
                : json_null();
        json_array_append_new(
            items,
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "item", satisfaction_item(i)->id,
                      "answered", (json_int_t)it->answered_item, "not_applicable",
                      (json_int_t)it->not_applicable, "skipped", (json_int_t)it->skipped,
                      "unreadable", (json_int_t)it->unreadable, "options", opts, "top_box", top));
    }
    return json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "label", label,
        "treated", (json_int_t)p->treated, "not_yet_due", (json_int_t)p->not_yet_due, "due",
        (json_int_t)p->due, "scheduled", (json_int_t)p->scheduled, "asked", (json_int_t)p->asked,
        "answered", (json_int_t)p->answered, "links_issued", (json_int_t)p->links,
        "answered_unscheduled", (json_int_t)p->answered_unscheduled, "not_answered", na,
        "response_rate", report_json_proportion(&p->response_asked), "response_rate_treated",
        report_json_proportion(&p->response_treated), "items", items);
}

cc_status report_satisfaction_add(db *d, arena *a, const char *protocol_id,
                                  const report_data *cohort, const report_patient *pts,
                                  json_t *report, cc_error *err)
{
    const report_participant *participants = cohort->participants;
    const report_timepoint *timepoints = cohort->timepoints;
    size_t n = cohort->n_participants, n_tp = cohort->n_timepoints;
    if (!cohort->any_visit_asks_satisfaction && !protocol_names_instrument(d, a, protocol_id)) {
        json_object_set_new(report, "satisfaction", json_null());
        return CC_OK;
    }
    sat_data data;
    cc_status st = report_satisfaction_load(d, a, &data, err);
    if (st != CC_OK)
        return st;
    size_t n_items = satisfaction_item_count();
    sat_patient *sp = arena_alloc(a, (n + 1) * sizeof *sp);
    sat_response *resp = arena_alloc(a, (n * n_tp + 1) * sizeof *resp);
    int8_t *codes = arena_alloc(a, n * n_tp * n_items + 1);
    cc_date *days = arena_alloc(a, (data.n_observations + 1) * sizeof *days);
    sat_result *res = arena_alloc(a, sizeof *res);
    if (!sp || !resp || !codes || !days || !res)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    for (size_t o = 0; o < data.n_observations; o++)
        days[o] = day_or_none(data.observations[o].observed_on);
    size_t n_treated = 0, ocur = 0;
    for (size_t i = 0; i < n; i++) {
        const report_participant *r = &participants[i];
        if (!pts[i].treated)
            continue;
        report_window windows[REPORT_MAX_TIMEPOINTS];
        bool scheduled[REPORT_MAX_TIMEPOINTS] = {false}, link[REPORT_MAX_TIMEPOINTS] = {false};
        for (size_t t = 0; t < n_tp; t++)
            windows[t] = (report_window){REPORT_NO_DAY, REPORT_NO_DAY, REPORT_NO_DAY};
        for (size_t v = r->first_visit; v < r->first_visit + r->n_visits; v++) {
            const report_visit *vr = &cohort->visits[v];
            windows[vr->timepoint] = (report_window){vr->window_start, vr->window_end, vr->target};
            scheduled[vr->timepoint] = vr->asks_satisfaction;
            link[vr->timepoint] = vr->satisfaction_link;
        }
        /* observations are ordered by patient id, as the participants (a patient with two
         * protocols has two participants: the cursor stays on the patient's first row) */
        while (ocur < data.n_observations && data.observations[ocur].patient_id < r->patient_id)
            ocur++;
        size_t end = ocur;
        while (end < data.n_observations && data.observations[end].patient_id == r->patient_id)
            end++;
        size_t chosen[REPORT_MAX_TIMEPOINTS];
        satisfaction_match(windows, n_tp, &days[ocur], end - ocur, chosen);
        sat_response *pr = &resp[n_treated * n_tp];
        for (size_t t = 0; t < n_tp; t++) {
            bool answered = chosen[t] != SIZE_MAX;
            int8_t *c = &codes[(n_treated * n_tp + t) * n_items];
            if (answered)
                read_codes(data.observations[ocur + chosen[t]].answers, c, n_items);
            pr[t] = (sat_response){pts[i].visits[t], scheduled[t], link[t], answered,
                                   answered ? c : NULL};
        }
        sp[n_treated++].responses = pr;
    }
    if ((st = satisfaction_compute(sp, n_treated, n_tp, res, err)) != CC_OK)
        return st;
    const instr_def *def = instrument_find(INSTRUMENT);
    json_t *tps = json_array();
    for (size_t t = 0; t < n_tp; t++)
        json_array_append_new(tps, point_json(&res->point[t], timepoints[t].label, n_items));
    json_object_set_new(report, "satisfaction",
                        json_pack("{s:s, s:s, s:o, s:o}", "instrument", INSTRUMENT, "version",
                                  def ? def->version : "1", "items", items_json(), "timepoints",
                                  tps));
    json_t *defs = json_object_get(report, "definitions");
    for (size_t k = 0; json_is_object(defs) && k < sizeof DEFINITIONS / sizeof DEFINITIONS[0]; k++)
        json_object_set_new(defs, DEFINITIONS[k][0], json_string(DEFINITIONS[k][1]));
    return CC_OK;
}

/* ---- CSV: the report's 20 columns (table, instrument, score, timepoint, due, n, missing,
 * mean, sd, ci_low, ci_high, median, q1, q3, pairs, mean_change, change_ci_low,
 * change_ci_high, x, p) ---- */

static void csv_head(buf *b, const char *score, const json_t *tp)
{
    report_csv_cell(b, "satisfaction", false);
    report_csv_cell(b, INSTRUMENT, false);
    report_csv_cell(b, score, false);
    report_csv_json(b, json_object_get(tp, "label"), false);
    report_csv_json(b, json_object_get(tp, "due"), false);
}

static void csv_empty(buf *b, int n)
{
    for (int i = 0; i < n; i++)
        report_csv_cell(b, "", false);
}

/* A count: n = the count. */
static void csv_count(buf *b, const char *score, const json_t *tp, const json_t *n)
{
    csv_head(b, score, tp);
    report_csv_json(b, n, false);
    csv_empty(b, 13);
    report_csv_cell(b, "", true);
}

/* x of n with its interval (p, ci_low, ci_high empty when not computable). */
static void csv_prop(buf *b, const char *score, const json_t *tp, const json_t *p)
{
    report_csv_proportion(b, "satisfaction", INSTRUMENT, score, json_object_get(tp, "label"),
                          json_object_get(tp, "due"), p);
}

void report_satisfaction_csv(const json_t *section, buf *b)
{
    static const char *const COUNTS[] = {
        "treated", "not_yet_due", "due",          "scheduled",
        "asked",   "answered",    "links_issued", "answered_unscheduled"};
    static const char *const REASONS[] = {"pending",   "visit_done", "missed",
                                          "withdrawn", "lost",       "died"};
    static const char *const TOP[] = {"of_answered", "of_asked", "of_treated"};
    size_t t;
    const json_t *tp;
    json_array_foreach(json_object_get(section, "timepoints"), t, tp)
    {
        char score[128];
        for (size_t k = 0; k < sizeof COUNTS / sizeof COUNTS[0]; k++)
            csv_count(b, COUNTS[k], tp, json_object_get(tp, COUNTS[k]));
        const json_t *na = json_object_get(tp, "not_answered");
        for (size_t k = 0; k < sizeof REASONS / sizeof REASONS[0]; k++) {
            snprintf(score, sizeof score, "not_answered:%s", REASONS[k]);
            csv_count(b, score, tp, json_object_get(na, REASONS[k]));
        }
        csv_prop(b, "response_rate", tp, json_object_get(tp, "response_rate"));
        csv_prop(b, "response_rate_treated", tp, json_object_get(tp, "response_rate_treated"));
        size_t i;
        const json_t *it;
        json_array_foreach(json_object_get(tp, "items"), i, it)
        {
            const char *id = json_string_value(json_object_get(it, "item"));
            static const char *const APART[] = {"not_applicable", "skipped", "unreadable"};
            snprintf(score, sizeof score, "%s:answered", id);
            csv_count(b, score, tp, json_object_get(it, "answered"));
            for (size_t k = 0; k < 3; k++) {
                snprintf(score, sizeof score, "%s:%s", id, APART[k]);
                csv_count(b, score, tp, json_object_get(it, APART[k]));
            }
            size_t o;
            const json_t *opt;
            json_array_foreach(json_object_get(it, "options"), o, opt)
            {
                snprintf(score, sizeof score, "%s=%s", id,
                         json_string_value(json_object_get(opt, "code")));
                csv_head(b, score, tp);
                report_csv_json(b, json_object_get(it, "answered"), false);
                csv_empty(b, 12);
                report_csv_json(b, json_object_get(opt, "count"), false);
                report_csv_json(b, json_object_get(opt, "p"), true);
            }
            const json_t *top = json_object_get(it, "top_box");
            for (size_t k = 0; json_is_object(top) && k < 3; k++) {
                snprintf(score, sizeof score, "%s:top_box_%s", id, TOP[k]);
                csv_prop(b, score, tp, json_object_get(top, TOP[k]));
            }
        }
    }
}
