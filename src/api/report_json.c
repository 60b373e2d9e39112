#include "report_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/programmes.h"
#include "core/report.h"
#include "store/report_data.h"

enum { BASELINE_DAYS = 180, MAX_LABEL = 32 };

typedef struct {
    char instrument[41], score[41];
    int first_seen;
} measure_key;

cc_status report_query_check(db *d, arena *a, const report_query *q, cc_error *err)
{
    if (!q->protocol || !*q->protocol)
        return cc_fail(err, CC_INVALID, "protocol", "required", "protocol is required");
    if (strlen(q->protocol) > 31)
        return cc_fail(err, CC_INVALID, "protocol", "invalid_value", "protocol is too long");
    cc_date from = 0, to = 0;
    cc_status st = CC_OK;
    if (q->from && (st = date_parse(q->from, "from", &from, err)) != CC_OK)
        return st;
    if (q->to && (st = date_parse(q->to, "to", &to, err)) != CC_OK)
        return st;
    if (q->from && q->to && from > to)
        return cc_fail(err, CC_INVALID, "to", "out_of_range", "to must not be before from");
    protocol *p = arena_alloc(a, sizeof *p);
    if (!p)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    st = programme_load(d, a, q->protocol, 0, p, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_INVALID, "protocol", "unknown_protocol", "no protocol %.31s",
                       q->protocol);
    return st;
}

static json_t *num(double v, int decimals)
{
    if (!isfinite(v))
        return json_null();
    double scale = pow(10, decimals);
    return json_real(round(v * scale) / scale);
}

static json_t *interval(const stats_interval *ci)
{
    if (ci->def != STATS_DEFINED)
        return json_pack("{s:n, s:n, s:s}", "low", "high", "not_computable",
                         stats_defined_name(ci->def));
    return json_pack("{s:o, s:o}", "low", num(ci->low, 6), "high", num(ci->high, 6));
}

static json_t *proportion(const stats_proportion *p)
{
    return json_pack("{s:I, s:I, s:o, s:o}", "x", (json_int_t)p->x, "n", (json_int_t)p->n, "p",
                     p->n ? num(p->p, 6) : json_null(), "ci", interval(&p->ci));
}

static json_t *summary(const report_cell *c)
{
    const stats_summary *s = &c->summary;
    json_t *o = json_pack("{s:I, s:I, s:I}", "due", (json_int_t)c->due, "n", (json_int_t)s->n,
                          "missing", (json_int_t)(c->due - s->n));
    bool center = s->center_def == STATS_DEFINED, sd = s->sd_def == STATS_DEFINED;
    json_object_set_new(o, "mean", center ? num(s->mean, 4) : json_null());
    json_object_set_new(o, "sd", sd ? num(s->sd, 4) : json_null());
    json_object_set_new(o, "ci", interval(&s->ci));
    json_object_set_new(o, "median", center ? num(s->median, 4) : json_null());
    json_object_set_new(o, "q1", center ? num(s->q1, 4) : json_null());
    json_object_set_new(o, "q3", center ? num(s->q3, 4) : json_null());
    json_object_set_new(o, "iqr", center ? num(s->iqr, 4) : json_null());
    json_object_set_new(o, "min", center ? num(s->min, 4) : json_null());
    json_object_set_new(o, "max", center ? num(s->max, 4) : json_null());
    return o;
}

static json_t *change(const stats_change *c)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "pairs", (json_int_t)c->n_pairs, "missing_baseline",
        (json_int_t)c->n_missing_baseline, "missing_follow_up", (json_int_t)c->n_missing_follow_up,
        "missing_both", (json_int_t)c->n_missing_both, "mean_diff",
        c->mean_def == STATS_DEFINED ? num(c->mean_diff, 4) : json_null(), "sd_diff",
        c->sd_def == STATS_DEFINED ? num(c->sd_diff, 4) : json_null(), "ci", interval(&c->ci));
}

/* Numeric outputs of one stored observation as (score, value) pairs. For
 * ISNCSCI: AIS grade (*ais) and the motor and sensory totals. */
static size_t observation_values(const char *instrument, json_t *scores, char names[][41],
                                 double *values, size_t cap, char *ais)
{
    size_t n = 0;
    if (strcmp(instrument, "isncsci") == 0) {
        const char *g = json_string_value(
            json_object_get(json_object_get(scores, "classification"), "ASIAImpairmentScale"));
        *ais = g && report_ais_index(g[0]) >= 0 && g[1] == '\0' ? g[0] : 0;
        static const char *const totals[][2] = {{"upperExtremity", "uems"},
                                                {"lowerExtremity", "lems"},
                                                {"lightTouch", "light_touch"},
                                                {"pinPrick", "pin_prick"}};
        json_t *t = json_object_get(scores, "totals");
        for (size_t i = 0; i < 4 && n < cap; i++) {
            const char *v = json_string_value(json_object_get(t, totals[i][0]));
            char *end;
            double x = v ? strtod(v, &end) : 0;
            if (v && *v && !*end && isfinite(x)) {
                snprintf(names[n], 41, "%s", totals[i][1]);
                values[n++] = x;
            }
        }
        return n;
    }
    /* other instruments store the scoring answer {"instrument","version","scores":{...}} */
    json_t *inner = json_object_get(scores, "scores");
    if (json_is_object(inner))
        scores = inner;
    const char *key;
    json_t *v;
    json_object_foreach(scores, key, v)
    {
        if (n < cap && json_is_number(v) && strlen(key) < 41) {
            snprintf(names[n], 41, "%.40s", key);
            values[n++] = json_number_value(v);
        }
    }
    return n;
}

static int find_measure(const measure_key *m, size_t n, const char *instrument, const char *score)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].instrument, instrument) == 0 && strcmp(m[i].score, score) == 0)
            return (int)i;
    return -1;
}

static int cmp_measure(const void *a, const void *b)
{
    const measure_key *x = a, *y = b;
    int c = strcmp(x->instrument, y->instrument);
    return c ? c : strcmp(x->score, y->score);
}

static cc_date day_of(const char *text)
{
    cc_date d = 0;
    cc_error ignored;
    if (!text || date_parse(text, "d", &d, &ignored) != CC_OK)
        return INT32_MIN;
    return d;
}

static stats_visit visit_of(const char *status, cc_date window_start, cc_date today)
{
    if (strcmp(status, "done") == 0)
        return STATS_VISIT_ASSESSED;
    if (strcmp(status, "missed") == 0)
        return STATS_VISIT_MISSED;
    if (strcmp(status, "withdrawn") == 0)
        return STATS_VISIT_WITHDRAWN;
    if (strcmp(status, "lost") == 0)
        return STATS_VISIT_LOST;
    if (strcmp(status, "died") == 0)
        return STATS_VISIT_DIED;
    return today < window_start ? STATS_VISIT_NOT_YET_DUE : STATS_VISIT_DUE;
}

static const char *const DEFINITIONS[][2] = {
    {"referred",
     "patients screened for the protocol or with an approved plan of it, in the period"},
    {"treated", "at least one administration recorded under the patient's approved plan"},
    {"due", "treated patients whose visit window has opened, or whose visit was resolved"},
    {"assessed", "visit recorded as done"},
    {"missing", "missed, withdrawn, lost to follow-up or died; never imputed"},
    {"baseline", "newest observation on or before the plan's start, at most 180 days before it"},
    {"time_point_value", "observation in the visit's window closest to the target date"},
    {"ci_mean", "mean +/- t(0.975, n-1) SD / sqrt(n)"},
    {"change", "paired difference time point - baseline, patients with both values"},
    {"ais_improved", "AIS grade better by >= 1 among patients with both grades and a baseline A-D; "
                     "Wilson 95% interval"},
    {"ais_sensitivity", "same numerator over every patient due with a baseline A-D grade: missing "
                        "counted as not improved"},
    {"adverse_events",
     "patients with >= 1 event / treated, Clopper-Pearson 95% interval; events per "
     "administration with the exact Poisson interval"},
};

/* The per-patient values of measure m for the report's charts: the first
 * REPORT_TRAJECTORIES_MAX treated patients (in cohort order, by patient id)
 * with at least one value, one array a patient with one entry per time point
 * (baseline first), null where absent; "of" counts every such patient. */
enum { REPORT_TRAJECTORIES_MAX = 200 };
static json_t *trajectories(const report_patient *pts, size_t np, size_t m, size_t n_m,
                            size_t stride)
{
    json_t *list = json_array();
    json_int_t of = 0;
    for (size_t i = 0; i < np; i++) {
        const report_patient *p = &pts[i];
        if (!p->treated || !p->present || m >= n_m)
            continue;
        const bool *have = &p->present[m * stride];
        size_t t = 0;
        while (t < stride && !have[t])
            t++;
        if (t == stride)
            continue;
        if (of++ >= REPORT_TRAJECTORIES_MAX)
            continue;
        json_t *row = json_array();
        for (t = 0; t < stride; t++)
            json_array_append_new(row, have[t] ? num(p->values[m * stride + t], 4) : json_null());
        json_array_append_new(list, row);
    }
    return json_pack("{s:I, s:I, s:o}", "drawn", (json_int_t)json_array_size(list), "of", of,
                     "patients", list);
}

cc_status report_outcomes_json(db *d, arena *a, const report_query *q, json_t **out, cc_error *err)
{
    *out = NULL;
    report_data data;
    cc_status st = report_store_load(d, a, q->protocol, &data, err);
    if (st != CC_OK)
        return st;
    cc_date from = q->from ? day_of(q->from) : INT32_MIN, to = q->to ? day_of(q->to) : INT32_MAX;
    /* time points: distinct labels ordered by months */
    char labels[STATS_FLOW_MAX_TIMEPOINTS][MAX_LABEL];
    int months[STATS_FLOW_MAX_TIMEPOINTS];
    size_t n_tp = 0;
    for (size_t i = 0; i < data.n_visits; i++) {
        size_t k = 0;
        while (k < n_tp && strcmp(labels[k], data.visits[i].label) != 0)
            k++;
        if (k < n_tp || n_tp == STATS_FLOW_MAX_TIMEPOINTS)
            continue;
        size_t j = n_tp++;
        while (j > 0 && months[j - 1] > data.visits[i].months) {
            memcpy(labels[j], labels[j - 1], MAX_LABEL);
            months[j] = months[j - 1];
            j--;
        }
        snprintf(labels[j], MAX_LABEL, "%s", data.visits[i].label);
        months[j] = data.visits[i].months;
    }
    /* the cohort in the period */
    size_t np = 0;
    report_patient_row **rows = arena_alloc(a, (data.n_patients + 1) * sizeof *rows);
    if (!rows)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    bool synthetic = false;
    for (size_t i = 0; i < data.n_patients; i++) {
        report_patient_row *p = &data.patients[i];
        cc_date key = p->start_date ? day_of(p->start_date) : day_of(p->screened_on);
        if (key == INT32_MIN || key < from || key > to)
            continue;
        rows[np++] = p;
        synthetic |= p->synthetic;
    }
    /* measures present in the cohort's observations */
    measure_key *mk = arena_alloc(a, REPORT_MAX_MEASURES * sizeof *mk);
    size_t n_m = 0;
    bool truncated = false;
    char names[64][41];
    double vals[64];
    /* One pass over the stored scores (each parsed once, then freed): which
     * measures exist, and each observation's values as (measure, value). */
    size_t *ofirst = arena_alloc(a, (data.n_observations + 1) * sizeof *ofirst);
    uint8_t *ocount = arena_alloc(a, data.n_observations + 1);
    char *ograde = arena_alloc(a, data.n_observations + 1);
    size_t vcap = data.n_observations * 4 + 16, nv = 0;
    uint8_t *vmeasure = arena_alloc(a, vcap);
    double *vvalue = arena_alloc(a, vcap * sizeof *vvalue);
    if (!mk || !ofirst || !ocount || !ograde || !vmeasure || !vvalue)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    for (size_t i = 0; i < data.n_observations; i++) {
        json_t *parsed = json_loads(data.observations[i].scores, 0, NULL);
        size_t n = parsed ? observation_values(data.observations[i].instrument, parsed, names, vals,
                                               64, &ograde[i])
                          : 0;
        json_decref(parsed);
        ofirst[i] = nv;
        for (size_t k = 0; k < n; k++) {
            int m = find_measure(mk, n_m, data.observations[i].instrument, names[k]);
            if (m < 0 && n_m == REPORT_MAX_MEASURES) {
                truncated = true;
                continue;
            }
            if (m < 0) {
                snprintf(mk[n_m].instrument, 41, "%.40s", data.observations[i].instrument);
                snprintf(mk[n_m].score, 41, "%.40s", names[k]);
                mk[n_m].first_seen = (int)n_m;
                m = (int)n_m++;
            }
            if (nv == vcap) {
                size_t ncap = vcap * 2;
                uint8_t *nm = arena_alloc(a, ncap);
                double *nvv = arena_alloc(a, ncap * sizeof *nvv);
                if (!nm || !nvv)
                    return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory",
                                   "report memory exhausted");
                memcpy(nm, vmeasure, nv);
                memcpy(nvv, vvalue, nv * sizeof *nvv);
                vmeasure = nm;
                vvalue = nvv;
                vcap = ncap;
            }
            vmeasure[nv] = (uint8_t)m;
            vvalue[nv++] = vals[k];
        }
        ocount[i] = (uint8_t)(nv - ofirst[i]);
    }
    qsort(mk, n_m, sizeof *mk, cmp_measure);
    int remap[REPORT_MAX_MEASURES]; /* discovery order -> sorted order */
    for (size_t m = 0; m < n_m; m++)
        remap[mk[m].first_seen] = (int)m;
    /* per patient: visits, values, AIS */
    size_t stride = n_tp + 1;
    report_patient *pts = arena_alloc(a, (np + 1) * sizeof *pts);
    stats_visit *visits = arena_alloc(a, (np * n_tp + 1) * sizeof *visits);
    double *values = arena_alloc(a, (np * n_m * stride + 1) * sizeof *values);
    bool *present = arena_alloc(a, (np * n_m * stride + 1) * sizeof *present);
    char *ais = arena_alloc(a, np * stride + 1);
    int *best =
        arena_alloc(a, (n_m * stride + 1) * sizeof *best); /* distance to the target, per cell */
    double *scratch = arena_alloc(a, (np + 1) * sizeof *scratch);
    stats_pair *pairs = arena_alloc(a, (np + 1) * sizeof *pairs);
    report_result *res = arena_alloc(a, sizeof *res);
    if (!pts || !visits || !values || !present || !ais || !best || !scratch || !pairs || !res)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    uint64_t administrations = 0;
    bool any_ais = false;
    size_t vcur = 0, ocur = 0;
    for (size_t i = 0; i < np; i++) {
        const report_patient_row *r = rows[i];
        report_patient *p = &pts[i];
        cc_date start = r->start_date ? day_of(r->start_date) : INT32_MAX;
        p->referred = true;
        p->screened = r->screened;
        p->eligible = r->eligible;
        p->treated = r->plan_id > 0 && r->administrations > 0;
        if (!p->treated)
            continue;
        administrations += (uint64_t)r->administrations;
        p->visits = &visits[i * n_tp];
        p->values = &values[i * n_m * stride];
        p->present = &present[i * n_m * stride];
        char *grades = &ais[i * stride];
        cc_date ws[STATS_FLOW_MAX_TIMEPOINTS], we[STATS_FLOW_MAX_TIMEPOINTS],
            target[STATS_FLOW_MAX_TIMEPOINTS];
        for (size_t t = 0; t < n_tp; t++) {
            visits[i * n_tp + t] = STATS_VISIT_DUE; /* no row: due, never silently dropped */
            ws[t] = we[t] = target[t] = INT32_MIN;
        }
        /* rows, visits, observations and events are all ordered by patient id:
         * one forward pass over each keeps the report linear in the data */
        while (vcur < data.n_visits && data.visits[vcur].patient_id < r->id)
            vcur++;
        for (size_t v = vcur; v < data.n_visits && data.visits[v].patient_id == r->id; v++) {
            const report_visit_row *vr = &data.visits[v];
            if (vr->plan_id != r->plan_id)
                continue;
            for (size_t t = 0; t < n_tp; t++)
                if (strcmp(labels[t], vr->label) == 0) {
                    ws[t] = day_of(vr->window_start);
                    we[t] = day_of(vr->window_end);
                    target[t] = day_of(vr->target_date);
                    visits[i * n_tp + t] = visit_of(vr->status, ws[t], q->today);
                }
        }
        /* died is final: a visit after a death reads died (stats_flow_count's rule) */
        for (size_t t = 1; t < n_tp; t++)
            if (visits[i * n_tp + t - 1] == STATS_VISIT_DIED)
                visits[i * n_tp + t] = STATS_VISIT_DIED;
        for (size_t c = 0; c < n_m * stride; c++)
            best[c] = INT32_MAX;
        int best_ais[STATS_FLOW_MAX_TIMEPOINTS + 1];
        for (size_t t = 0; t < stride; t++)
            best_ais[t] = INT32_MAX;
        while (ocur < data.n_observations && data.observations[ocur].patient_id < r->id)
            ocur++;
        for (size_t o = ocur; o < data.n_observations && data.observations[o].patient_id == r->id;
             o++) {
            const report_observation_row *ob = &data.observations[o];
            cc_date when = day_of(ob->observed_on);
            char grade = ograde[o];
            for (size_t t = 0; t < stride; t++) {
                int dist;
                if (t == 0) {
                    if (when > start || when < start - BASELINE_DAYS)
                        continue;
                    dist = start - when;
                } else {
                    if (ws[t - 1] == INT32_MIN || when < ws[t - 1] || when > we[t - 1])
                        continue;
                    dist = abs(when - target[t - 1]);
                }
                for (size_t k = ofirst[o]; k < ofirst[o] + ocount[o]; k++) {
                    int m = remap[vmeasure[k]];
                    if (dist > best[(size_t)m * stride + t])
                        continue;
                    best[(size_t)m * stride + t] = dist;
                    values[i * n_m * stride + (size_t)m * stride + t] = vvalue[k];
                    present[i * n_m * stride + (size_t)m * stride + t] = true;
                }
                if (strcmp(ob->instrument, "isncsci") == 0 && dist <= best_ais[t]) {
                    best_ais[t] = dist;
                    grades[t] = grade;
                    any_ais = true;
                }
            }
        }
        p->ais = grades;
    }
    if (!any_ais)
        for (size_t i = 0; i < np; i++)
            pts[i].ais = NULL;
    /* adverse events of treated cohort patients */
    report_ae *aes = arena_alloc(a, (data.n_aes + 1) * sizeof *aes);
    size_t n_ae = 0;
    if (!aes)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    json_t *serious_list = json_array();
    for (size_t e = 0, i = 0; e < data.n_aes; e++) {
        while (i < np && rows[i]->id < data.aes[e].patient_id)
            i++;
        if (i < np && rows[i]->id == data.aes[e].patient_id && pts[i].treated &&
            data.aes[e].grade >= 1 && data.aes[e].grade <= 5) {
            aes[n_ae++] = (report_ae){i, data.aes[e].term, data.aes[e].grade, data.aes[e].serious};
            if (data.aes[e].serious)
                json_array_append_new(serious_list,
                                      json_pack("{s:I, s:s, s:i, s:s}", "patient_id",
                                                (json_int_t)rows[i]->id, "term", data.aes[e].term,
                                                "grade", data.aes[e].grade, "onset",
                                                data.aes[e].onset));
        }
    }
    report_input in = {pts, np, n_tp, n_m, aes, n_ae, administrations};
    if ((st = report_compute(&in, scratch, pairs, res, err)) != CC_OK) {
        json_decref(serious_list);
        return st;
    }
    /* ---- render ---- */
    char today[CC_DATE_TEXT];
    date_format(q->today, today);
    json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:b, s:b}", "protocol", q->protocol, "from",
                          q->from ? json_string(q->from) : json_null(), "to",
                          q->to ? json_string(q->to) : json_null(), "as_of", today,
                          "synthetic_data", synthetic, "measures_truncated", truncated);
    json_t *defs = json_object();
    for (size_t i = 0; i < sizeof DEFINITIONS / sizeof DEFINITIONS[0]; i++)
        json_object_set_new(defs, DEFINITIONS[i][0], json_string(DEFINITIONS[i][1]));
    json_object_set_new(o, "definitions", defs);
    json_t *tps = json_array();
    json_array_append_new(tps, json_string("baseline"));
    for (size_t t = 0; t < n_tp; t++)
        json_array_append_new(tps, json_string(labels[t]));
    json_object_set_new(o, "timepoints", tps);
    const stats_flow *f = &res->flow;
    json_t *fps = json_array();
    for (size_t t = 0; t < n_tp; t++) {
        const stats_flow_point *fp = &f->point[t];
        json_array_append_new(
            fps, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "label", labels[t],
                           "not_yet_due", (json_int_t)fp->not_yet_due, "due", (json_int_t)fp->due,
                           "pending", (json_int_t)fp->pending, "assessed", (json_int_t)fp->assessed,
                           "missing", (json_int_t)fp->missing, "missed", (json_int_t)fp->missed,
                           "withdrawn", (json_int_t)fp->withdrawn, "lost", (json_int_t)fp->lost,
                           "died", (json_int_t)fp->died));
    }
    json_object_set_new(
        o, "flow",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "patients", (json_int_t)f->patients,
                  "referred", (json_int_t)f->referred, "screened", (json_int_t)f->screened,
                  "eligible", (json_int_t)f->eligible, "treated", (json_int_t)f->treated,
                  "treated_not_eligible", (json_int_t)f->treated_not_eligible, "timepoints", fps));
    json_t *ms = json_array();
    for (size_t m = 0; m < n_m; m++) {
        json_t *cells = json_array();
        for (size_t t = 0; t < stride; t++) {
            json_t *c = summary(&res->cells[m][t]);
            json_object_set_new(c, "label", json_string(t == 0 ? "baseline" : labels[t - 1]));
            if (t > 0)
                json_object_set_new(c, "change", change(&res->cells[m][t].change));
            json_array_append_new(cells, c);
        }
        json_array_append_new(ms, json_pack("{s:s, s:s, s:o, s:o}", "instrument", mk[m].instrument,
                                            "score", mk[m].score, "timepoints", cells,
                                            "trajectories", trajectories(pts, np, m, n_m, stride)));
    }
    json_object_set_new(o, "measures", ms);
    if (res->has_ais) {
        json_t *pts_json = json_array();
        static const char G[] = "ABCDE";
        for (size_t t = 1; t < stride; t++) {
            const report_ais_point *ap = &res->ais[t];
            json_t *table = json_object();
            for (int b = 0; b < REPORT_AIS_GRADES; b++) {
                json_t *row = json_object();
                for (int g = 0; g < REPORT_AIS_GRADES; g++)
                    json_object_set_new(row, (char[]){G[g], 0},
                                        json_integer((json_int_t)ap->table[b][g]));
                json_object_set_new(table, (char[]){G[b], 0}, row);
            }
            json_array_append_new(
                pts_json,
                json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "label", labels[t - 1], "pairs",
                          (json_int_t)ap->pairs, "missing", (json_int_t)ap->missing_follow_up,
                          "table", table, "improved", proportion(&ap->improved),
                          "improved_sensitivity", proportion(&ap->improved_sensitivity)));
        }
        json_object_set_new(o, "ais", pts_json);
    } else {
        json_object_set_new(o, "ais", json_null());
    }
    json_t *ae_rows = json_array();
    for (size_t r = 0; r < res->n_ae_rows; r++)
        json_array_append_new(
            ae_rows, json_pack("{s:s, s:i, s:I, s:o}", "term", res->ae_rows[r].term, "grade",
                               res->ae_rows[r].grade, "events", (json_int_t)res->ae_rows[r].events,
                               "patients", proportion(&res->ae_rows[r].patients)));
    const stats_rate *rate = &res->ae_per_administration;
    json_object_set_new(
        o, "adverse_events",
        json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "available",
                  data.ae_available, "administrations_source", data.administrations_source,
                  "treated", (json_int_t)f->treated, "administrations", (json_int_t)administrations,
                  "events", (json_int_t)res->ae_events, "serious_events",
                  (json_int_t)res->ae_serious_events, "patients_any", proportion(&res->ae_any),
                  "patients_serious", proportion(&res->ae_serious), "per_administration",
                  json_pack("{s:I, s:I, s:o, s:o}", "events", (json_int_t)rate->events,
                            "administrations", (json_int_t)rate->exposure, "rate",
                            rate->exposure ? num(rate->rate, 6) : json_null(), "ci",
                            interval(&rate->ci)),
                  "rows", ae_rows, "serious_list", serious_list));
    *out = o;
    return CC_OK;
}

/* ---- CSV ---- */

static void csv_cell(buf *b, const char *text, bool last)
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

static void csv_json(buf *b, const json_t *v, bool last)
{
    char tmp[64];
    if (json_is_string(v))
        csv_cell(b, json_string_value(v), last);
    else if (json_is_integer(v)) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        csv_cell(b, tmp, last);
    } else if (json_is_real(v)) {
        snprintf(tmp, sizeof tmp, "%.10g", json_real_value(v));
        csv_cell(b, tmp, last);
    } else
        csv_cell(b, "", last);
}

static void csv_row(buf *b, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_cell(b, cells[i], i + 1 == n);
}

void report_outcomes_csv(const json_t *r, buf *b)
{
    static const char *const head[] = {
        "table", "instrument",  "score",         "timepoint",      "due",    "n",  "missing",
        "mean",  "sd",          "ci_low",        "ci_high",        "median", "q1", "q3",
        "pairs", "mean_change", "change_ci_low", "change_ci_high", "x",      "p"};
    csv_row(b, head, sizeof head / sizeof head[0]);
    const json_t *f = json_object_get(r, "flow");
    static const char *const flow_keys[] = {"referred", "screened", "eligible", "treated"};
    for (size_t i = 0; i < 4; i++) {
        csv_cell(b, "flow", false);
        csv_cell(b, "", false);
        csv_cell(b, flow_keys[i], false);
        csv_cell(b, "", false);
        csv_cell(b, "", false);
        csv_json(b, json_object_get(f, flow_keys[i]), false);
        for (size_t k = 6; k < 19; k++)
            csv_cell(b, "", false);
        csv_cell(b, "", true);
    }
    size_t i;
    json_t *tp;
    json_array_foreach(json_object_get(f, "timepoints"), i, tp)
    {
        static const char *const keys[] = {"not_yet_due", "due",       "pending", "assessed",
                                           "missed",      "withdrawn", "lost",    "died"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            csv_cell(b, "flow", false);
            csv_cell(b, "", false);
            csv_cell(b, keys[k], false);
            csv_json(b, json_object_get(tp, "label"), false);
            csv_json(b, json_object_get(tp, "due"), false);
            csv_json(b, json_object_get(tp, keys[k]), false);
            for (size_t c = 6; c < 19; c++)
                csv_cell(b, "", false);
            csv_cell(b, "", true);
        }
    }
    json_t *m;
    json_array_foreach(json_object_get(r, "measures"), i, m)
    {
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(m, "timepoints"), j, c)
        {
            const json_t *ci = json_object_get(c, "ci"), *ch = json_object_get(c, "change");
            const json_t *chci = json_object_get(ch, "ci");
            csv_cell(b, "measure", false);
            csv_json(b, json_object_get(m, "instrument"), false);
            csv_json(b, json_object_get(m, "score"), false);
            csv_json(b, json_object_get(c, "label"), false);
            csv_json(b, json_object_get(c, "due"), false);
            csv_json(b, json_object_get(c, "n"), false);
            csv_json(b, json_object_get(c, "missing"), false);
            csv_json(b, json_object_get(c, "mean"), false);
            csv_json(b, json_object_get(c, "sd"), false);
            csv_json(b, json_object_get(ci, "low"), false);
            csv_json(b, json_object_get(ci, "high"), false);
            csv_json(b, json_object_get(c, "median"), false);
            csv_json(b, json_object_get(c, "q1"), false);
            csv_json(b, json_object_get(c, "q3"), false);
            csv_json(b, json_object_get(ch, "pairs"), false);
            csv_json(b, json_object_get(ch, "mean_diff"), false);
            csv_json(b, json_object_get(chci, "low"), false);
            csv_json(b, json_object_get(chci, "high"), false);
            csv_cell(b, "", false);
            csv_cell(b, "", true);
        }
    }
    const json_t *ais = json_object_get(r, "ais");
    json_array_foreach(ais, i, tp)
    {
        static const char *const keys[] = {"improved", "improved_sensitivity"};
        for (size_t k = 0; k < 2; k++) {
            const json_t *p = json_object_get(tp, keys[k]), *ci = json_object_get(p, "ci");
            csv_cell(b, "ais", false);
            csv_cell(b, "isncsci", false);
            csv_cell(b, keys[k], false);
            csv_json(b, json_object_get(tp, "label"), false);
            csv_json(b, json_object_get(p, "n"), false);
            csv_json(b, json_object_get(p, "n"), false);
            for (size_t c = 6; c < 9; c++)
                csv_cell(b, "", false);
            csv_json(b, json_object_get(ci, "low"), false);
            csv_json(b, json_object_get(ci, "high"), false);
            for (size_t c = 11; c < 18; c++)
                csv_cell(b, "", false);
            csv_json(b, json_object_get(p, "x"), false);
            csv_json(b, json_object_get(p, "p"), true);
        }
    }
    const json_t *ae = json_object_get(r, "adverse_events");
    const json_t *rowsets[] = {json_object_get(ae, "patients_any"),
                               json_object_get(ae, "patients_serious")};
    static const char *const ae_names[] = {"any", "serious"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *ci = json_object_get(rowsets[k], "ci");
        csv_cell(b, "adverse_events", false);
        csv_cell(b, "", false);
        csv_cell(b, ae_names[k], false);
        csv_cell(b, "", false);
        csv_json(b, json_object_get(rowsets[k], "n"), false);
        csv_json(b, json_object_get(rowsets[k], "n"), false);
        for (size_t c = 6; c < 9; c++)
            csv_cell(b, "", false);
        csv_json(b, json_object_get(ci, "low"), false);
        csv_json(b, json_object_get(ci, "high"), false);
        for (size_t c = 11; c < 18; c++)
            csv_cell(b, "", false);
        csv_json(b, json_object_get(rowsets[k], "x"), false);
        csv_json(b, json_object_get(rowsets[k], "p"), true);
    }
    json_array_foreach(json_object_get(ae, "rows"), i, tp)
    {
        const json_t *p = json_object_get(tp, "patients"), *ci = json_object_get(p, "ci");
        char score[96];
        snprintf(score, sizeof score, "%s grade %lld",
                 json_string_value(json_object_get(tp, "term")),
                 (long long)json_integer_value(json_object_get(tp, "grade")));
        csv_cell(b, "adverse_events", false);
        csv_cell(b, "", false);
        csv_cell(b, score, false);
        csv_cell(b, "", false);
        csv_json(b, json_object_get(p, "n"), false);
        csv_json(b, json_object_get(p, "n"), false);
        for (size_t c = 6; c < 9; c++)
            csv_cell(b, "", false);
        csv_json(b, json_object_get(ci, "low"), false);
        csv_json(b, json_object_get(ci, "high"), false);
        for (size_t c = 11; c < 18; c++)
            csv_cell(b, "", false);
        csv_json(b, json_object_get(p, "x"), false);
        csv_json(b, json_object_get(p, "p"), true);
    }
}
