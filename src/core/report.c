#include "report.h"

#include <stdio.h>
#include <string.h>

int report_ais_index(char grade)
{
    return grade >= 'A' && grade <= 'E' ? grade - 'A' : -1;
}

static bool due_at(const report_patient *p, size_t t)
{
    if (!p->treated)
        return false;
    if (t == 0)
        return true;
    stats_visit v = p->visits[t - 1];
    return v != STATS_VISIT_NONE && v != STATS_VISIT_NOT_YET_DUE;
}

static cc_status measures(const report_input *in, size_t m_from, size_t m_to, double *scratch,
                          stats_pair *pairs, report_result *out, cc_error *err)
{
    size_t stride = in->n_timepoints + 1;
    for (size_t m = m_from; m < m_to; m++) {
        for (size_t t = 0; t <= in->n_timepoints; t++) {
            report_cell *c = &out->cells[m][t];
            size_t n = 0, np = 0;
            for (size_t i = 0; i < in->n_patients; i++) {
                const report_patient *p = &in->patients[i];
                if (!due_at(p, t))
                    continue;
                c->due++;
                const double *values = p->values;
                const bool *present = p->present;
                size_t row = m * stride;
                if (in->columns) {
                    values = in->columns->values[m];
                    present = in->columns->present[m];
                    row = i * stride;
                }
                bool have = present && present[row + t];
                if (have)
                    scratch[n++] = values[row + t];
                if (t > 0) {
                    bool base = present && present[row];
                    pairs[np++] = (stats_pair){base ? values[row] : 0, have ? values[row + t] : 0,
                                               base, have};
                }
            }
            cc_status st = stats_describe(scratch, n, &c->summary, err);
            if (st == CC_OK && t > 0)
                st = stats_paired_change(pairs, np, &c->change, err);
            if (st != CC_OK) {
                snprintf(err->field, sizeof err->field, "measures[%zu][%zu]", m, t);
                return st;
            }
        }
    }
    return CC_OK;
}

static cc_status ais(const report_input *in, report_result *out, cc_error *err)
{
    for (size_t i = 0; i < in->n_patients && !out->has_ais; i++)
        out->has_ais = in->patients[i].ais != NULL;
    if (!out->has_ais)
        return CC_OK;
    for (size_t t = 1; t <= in->n_timepoints; t++) {
        report_ais_point *a = &out->ais[t];
        uint64_t improved = 0, eligible_pairs = 0, sensitivity_den = 0;
        for (size_t i = 0; i < in->n_patients; i++) {
            const report_patient *p = &in->patients[i];
            if (!p->ais || !due_at(p, t))
                continue;
            int b = report_ais_index(p->ais[0]), f = report_ais_index(p->ais[t]);
            if (b < 0)
                continue;
            if (f < 0)
                a->missing_follow_up++;
            else {
                a->pairs++;
                a->table[b][f]++;
            }
            if (b == REPORT_AIS_GRADES - 1)
                continue; /* E cannot improve */
            sensitivity_den++;
            if (f >= 0) {
                eligible_pairs++;
                improved += f > b;
            }
        }
        cc_status st = stats_wilson(improved, eligible_pairs, &a->improved, err);
        if (st == CC_OK)
            st = stats_wilson(improved, sensitivity_den, &a->improved_sensitivity, err);
        if (st != CC_OK)
            return st;
    }
    return CC_OK;
}

static cc_status adverse(const report_input *in, report_result *out, cc_error *err)
{
    uint64_t treated = out->flow.treated, any = 0, serious = 0;
    for (size_t i = 0; i < in->n_aes; i++) {
        const report_ae *e = &in->aes[i];
        if (e->patient >= in->n_patients || !in->patients[e->patient].treated || !e->term)
            return cc_fail(err, CC_INVALID, "aes", "invalid_value",
                           "adverse event %zu is not of a treated patient of the cohort", i);
        if (e->grade < 1 || e->grade > 5)
            return cc_fail(err, CC_INVALID, "aes", "invalid_value",
                           "adverse event %zu: grade must be 1..5", i);
        if (i > 0 && e->patient < in->aes[i - 1].patient)
            return cc_fail(err, CC_INVALID, "aes", "invalid_value",
                           "adverse events must be ordered by patient (event %zu)", i);
        out->ae_events++;
        out->ae_serious_events += e->serious;
        /* first event of this patient (any / serious)? */
        bool first_any = true, first_serious = e->serious, first_row = true;
        /* ordered by patient: the patient's earlier events are just before */
        for (size_t j = i; j-- > 0 && in->aes[j].patient == e->patient;) {
            const report_ae *o = &in->aes[j];
            first_any = false;
            if (o->serious)
                first_serious = false;
            if (o->grade == e->grade && strcmp(o->term, e->term) == 0)
                first_row = false;
        }
        any += first_any;
        serious += first_serious;
        size_t r = 0;
        while (r < out->n_ae_rows &&
               !(out->ae_rows[r].grade == e->grade && strcmp(out->ae_rows[r].term, e->term) == 0))
            r++;
        if (r == out->n_ae_rows) {
            if (r == REPORT_MAX_AE_ROWS)
                return cc_fail(err, CC_INVALID, "aes", "too_many",
                               "more than %d (term, grade) rows", REPORT_MAX_AE_ROWS);
            out->ae_rows[r].term = e->term;
            out->ae_rows[r].grade = e->grade;
            out->n_ae_rows++;
        }
        out->ae_rows[r].events++;
        out->ae_rows[r].patients.x += first_row;
    }
    cc_status st = stats_clopper_pearson(any, treated, &out->ae_any, err);
    if (st == CC_OK)
        st = stats_clopper_pearson(serious, treated, &out->ae_serious, err);
    for (size_t r = 0; st == CC_OK && r < out->n_ae_rows; r++)
        st = stats_clopper_pearson(out->ae_rows[r].patients.x, treated, &out->ae_rows[r].patients,
                                   err);
    if (st == CC_OK)
        st = stats_rate_poisson(out->ae_events, in->administrations, &out->ae_per_administration,
                                err);
    /* rows ordered by term, then grade (insertion sort: few rows) */
    for (size_t i = 1; i < out->n_ae_rows; i++) {
        report_ae_row k = out->ae_rows[i];
        size_t j = i;
        while (j > 0 && (strcmp(out->ae_rows[j - 1].term, k.term) > 0 ||
                         (strcmp(out->ae_rows[j - 1].term, k.term) == 0 &&
                          out->ae_rows[j - 1].grade > k.grade))) {
            out->ae_rows[j] = out->ae_rows[j - 1];
            j--;
        }
        out->ae_rows[j] = k;
    }
    return st;
}

cc_status report_compute_begin(const report_input *in, stats_pair *pairs, report_result *out,
                               cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (in->n_measures > REPORT_MAX_MEASURES)
        return cc_fail(err, CC_INVALID, "n_measures", "too_many", "at most %d measures",
                       REPORT_MAX_MEASURES);
    if (in->n_patients > 0 && (!in->patients || !pairs))
        return cc_fail(err, CC_INVALID, "patients", "invalid_value",
                       "patients and scratch arrays are required");
    if (in->n_aes > 0 && !in->aes)
        return cc_fail(err, CC_INVALID, "aes", "invalid_value", "aes is NULL");
    stats_flow_patient *flow_rows = (stats_flow_patient *)(void *)pairs; /* reuse scratch */
    _Static_assert(sizeof(stats_flow_patient) <= sizeof(stats_pair), "scratch reuse");
    for (size_t i = 0; i < in->n_patients; i++) {
        const report_patient *p = &in->patients[i];
        flow_rows[i] =
            (stats_flow_patient){p->referred, p->screened, p->eligible, p->treated, p->visits};
    }
    return stats_flow_count(flow_rows, in->n_patients, in->n_timepoints, &out->flow, err);
}

cc_status report_compute_measures(const report_input *in, size_t m_from, size_t m_to,
                                  double *scratch, stats_pair *pairs, report_result *out,
                                  cc_error *err)
{
    if (m_to > in->n_measures || m_to > REPORT_MAX_MEASURES || m_from > m_to)
        return cc_fail(err, CC_INVALID, "n_measures", "invalid_value", "measures %zu..%zu of %zu",
                       m_from, m_to, in->n_measures);
    if (in->n_patients > 0 && (!scratch || !pairs))
        return cc_fail(err, CC_INVALID, "patients", "invalid_value",
                       "patients and scratch arrays are required");
    return measures(in, m_from, m_to, scratch, pairs, out, err);
}

cc_status report_compute_end(const report_input *in, report_result *out, cc_error *err)
{
    cc_status st = ais(in, out, err);
    return st == CC_OK ? adverse(in, out, err) : st;
}

cc_status report_compute(const report_input *in, double *scratch, stats_pair *pairs,
                         report_result *out, cc_error *err)
{
    cc_status st = report_compute_begin(in, pairs, out, err);
    if (st == CC_OK)
        st = report_compute_measures(in, 0, in->n_measures, scratch, pairs, out, err);
    return st == CC_OK ? report_compute_end(in, out, err) : st;
}

bool report_in_period(bool has_plan, cc_date plan_start, cc_date screened_on, cc_date from,
                      cc_date to)
{
    cc_date key = has_plan ? plan_start : screened_on;
    return key != REPORT_NO_DAY && key >= from && key <= to;
}

stats_visit report_scheduled_visit(cc_date window_start, cc_date today)
{
    return today < window_start ? STATS_VISIT_NOT_YET_DUE : STATS_VISIT_DUE;
}

void report_death_is_final(stats_visit *visits, size_t n)
{
    for (size_t t = 1; t < n; t++)
        if (visits[t - 1] == STATS_VISIT_DIED)
            visits[t] = STATS_VISIT_DIED;
}
