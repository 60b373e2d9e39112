#include "app/report_json.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/programmes.h"
#include "app/report_digests.h"
#include "app/report_numbers.h"
#include "app/report_privacy.h"
#include "app/report_satisfaction.h"
#include "core/score_range.h"
#include "core/report.h"
#include "store/measure_series.h"
#include "store/report_data.h"
#include "store/report_digests.h"

/* the store's unknown date is core's: the rules compare against it */
_Static_assert(REPORT_NO_DATE == REPORT_NO_DAY, "store and core disagree on an unknown date");

typedef struct {
    char instrument[41], score[41];
    int first_seen;
} measure_key;

bool report_query_all(const report_query *q)
{
    return q->protocol && strcmp(q->protocol, REPORT_ALL_PROTOCOLS) == 0;
}

cc_status report_query_privacy(db *d, bool reads_identities, int asked, report_query *q,
                               cc_error *err)
{
    q->deidentified = !reads_identities;
    q->min_group = asked;
    if (reads_identities)
        return CC_OK;
    int clinic = REPORT_MIN_GROUP_DEFAULT;
    cc_status st = report_store_min_group(d, &clinic, err);
    if (clinic > q->min_group)
        q->min_group = clinic;
    return st;
}

cc_status app_report_set_min_group(const app_ctx *c, int64_t value, cc_error *err)
{
    if (value < 1 || value > REPORT_MIN_GROUP_MAX)
        return cc_fail(err, CC_INVALID, "min_group", "out_of_range", "min_group must be 1..%d",
                       REPORT_MIN_GROUP_MAX);
    cc_status st = db_tx_begin(c->d, err);
    if (st == CC_OK)
        st = report_store_set_min_group(c->d, &c->actor, (int)value, err);
    return db_tx_end(c->d, st, err);
}

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
    static const struct {
        const char *name;
        size_t max;
    } filters[] = {{"condition", 8}, {"product_type", 40}, {"route", 40}};
    const char *values[] = {q->condition, q->product_type, q->route};
    for (size_t i = 0; i < 3; i++) {
        const char *v = values[i];
        if (!v)
            continue;
        size_t len = strlen(v);
        if (len == 0 || len > filters[i].max)
            return cc_fail(err, CC_INVALID, filters[i].name, "invalid_value",
                           "%s must be 1 to %zu characters", filters[i].name, filters[i].max);
        for (const char *c = v; *c; c++)
            if (!isalnum((unsigned char)*c) && !strchr(i == 0 ? "." : "-_.", *c))
                return cc_fail(err, CC_INVALID, filters[i].name, "invalid_value",
                               i == 0 ? "condition must be an ICD-10 code or its beginning "
                                        "(letters, digits and dots)"
                                      : "%s may hold letters, digits, '-', '_' and '.'",
                               filters[i].name);
    }
    if (report_query_all(q))
        return CC_OK;
    protocol *p = arena_alloc(a, sizeof *p);
    if (!p)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    st = programme_load(d, a, q->protocol, 0, p, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_INVALID, "protocol", "unknown_protocol", "no protocol %.31s",
                       q->protocol);
    return st;
}

static json_t *summary(const report_cell *c)
{
    const stats_summary *s = &c->summary;
    json_t *o = json_pack("{s:I, s:I, s:I}", "due", (json_int_t)c->due, "n", (json_int_t)s->n,
                          "missing", (json_int_t)(c->due - s->n));
    bool center = s->center_def == STATS_DEFINED, sd = s->sd_def == STATS_DEFINED;
    json_object_set_new(o, "mean", center ? report_json_number(s->mean, 4) : json_null());
    json_object_set_new(o, "sd", sd ? report_json_number(s->sd, 4) : json_null());
    json_object_set_new(o, "ci", report_json_interval(&s->ci));
    json_object_set_new(o, "median", center ? report_json_number(s->median, 4) : json_null());
    json_object_set_new(o, "q1", center ? report_json_number(s->q1, 4) : json_null());
    json_object_set_new(o, "q3", center ? report_json_number(s->q3, 4) : json_null());
    json_object_set_new(o, "iqr", center ? report_json_number(s->iqr, 4) : json_null());
    json_object_set_new(o, "min", center ? report_json_number(s->min, 4) : json_null());
    json_object_set_new(o, "max", center ? report_json_number(s->max, 4) : json_null());
    return o;
}

static json_t *change(const stats_change *c)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "pairs", (json_int_t)c->n_pairs, "missing_baseline",
        (json_int_t)c->n_missing_baseline, "missing_follow_up", (json_int_t)c->n_missing_follow_up,
        "missing_both", (json_int_t)c->n_missing_both, "mean_diff",
        c->mean_def == STATS_DEFINED ? report_json_number(c->mean_diff, 4) : json_null(), "sd_diff",
        c->sd_def == STATS_DEFINED ? report_json_number(c->sd_diff, 4) : json_null(), "ci",
        report_json_interval(&c->ci));
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

static stats_visit visit_of(report_visit_status status, cc_date window_start, cc_date today)
{
    switch (status) {
    case REPORT_VISIT_DONE: return STATS_VISIT_ASSESSED;
    case REPORT_VISIT_MISSED: return STATS_VISIT_MISSED;
    case REPORT_VISIT_WITHDRAWN: return STATS_VISIT_WITHDRAWN;
    case REPORT_VISIT_LOST: return STATS_VISIT_LOST;
    case REPORT_VISIT_DIED: return STATS_VISIT_DIED;
    case REPORT_VISIT_SCHEDULED: break;
    }
    return report_scheduled_visit(window_start, today);
}

static const char *const DEFINITIONS[][2] = {
    {"referred", "patients screened for the protocol or with an approved plan of it, in the period "
                 "(with every protocol: one row per patient and protocol)"},
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
    {"filters", "condition: a recorded ICD-10 code starting with it; product_type and route: at "
                "least one administration of it under the plan (the flow then counts only those "
                "patients)"},
};

/* ---- the cohort: participants in the period, their time-point values ---- */

typedef struct {
    const report_data *data;
    size_t np, stride;
    uint32_t max_id;
    int32_t *column; /* measure id -> column, -1: not a column, -2: none yet */
    uint32_t ais_id; /* 0: no AIS grade measure */
    size_t n_cols;
    double *col_values[REPORT_MAX_MEASURES]; /* [participant * stride + t] */
    bool *col_present[REPORT_MAX_MEASURES];
    bool truncated;
    char *ais; /* [participant * stride + t], 0 = none */
    bool any_ais;
    arena *a;
    bool failed;
} cohort_ctx;

/* A measure's column, given when first seen among the treated participants
 * in cohort order (the order of the measures in each one's series). */
static bool column_of(cohort_ctx *c, uint32_t measure, size_t *col)
{
    if (measure > c->max_id || c->column[measure] == -1)
        return false;
    if (c->column[measure] == -2) {
        if (c->n_cols == REPORT_MAX_MEASURES) {
            c->truncated = true;
            c->column[measure] = -1;
            return false;
        }
        size_t cells = c->np * c->stride + 1;
        c->col_values[c->n_cols] = arena_alloc(c->a, cells * sizeof(double));
        c->col_present[c->n_cols] = arena_alloc(c->a, cells);
        if (!c->col_values[c->n_cols] || !c->col_present[c->n_cols]) {
            c->failed = true;
            c->column[measure] = -1;
            return false;
        }
        memset(c->col_present[c->n_cols], 0, cells);
        c->column[measure] = (int32_t)c->n_cols++;
    }
    *col = (size_t)c->column[measure];
    return true;
}

/* The treated participants' chosen values (report_data's values) into the
 * measures' columns and the AIS grades. */
static void fill_columns(cohort_ctx *c)
{
    const report_data *data = c->data;
    for (size_t i = 0; i < c->np; i++) {
        const report_participant *p = &data->participants[i];
        if (p->plan_id <= 0 || p->administrations <= 0)
            continue;
        size_t col;
        for (size_t k = 0; k < p->n_seen; k++)
            column_of(c, data->seen[p->first_seen + k], &col);
        for (size_t k = 0; k < p->n_values; k++) {
            const report_value *v = &data->values[p->first_value + k];
            if (v->t >= c->stride)
                continue;
            size_t cell = i * c->stride + v->t;
            if (c->ais_id && v->measure == c->ais_id) {
                int g = (int)v->value;
                c->ais[cell] = g >= 0 && g <= 4 ? (char)('A' + g) : 0;
                c->any_ais = true;
            } else if (column_of(c, v->measure, &col)) {
                c->col_values[col][cell] = v->value;
                c->col_present[col][cell] = true;
            }
        }
    }
}

typedef struct {
    size_t n_tp, n_m, np;
    const report_timepoint *timepoints;
    measure_key *measures;
    report_patient *pts;
    const report_participant *participants;
    report_ae *aes;
    size_t n_ae;
    uint64_t administrations;
    bool synthetic, truncated;
    json_t *serious_list;
    report_columns columns; /* the measures' values, [m][participant * stride + t] */
} cohort;

/* Keeps the participants whose plan starts (or, without a plan, whose first
 * screening falls) in [from, to]; remaps the events to the kept ones. */
static void keep_period(report_data *data, cc_date from, cc_date to, size_t *remap)
{
    size_t n = 0;
    for (size_t i = 0; i < data->n_participants; i++) {
        const report_participant *p = &data->participants[i];
        remap[i] = SIZE_MAX;
        if (!report_in_period(p->plan_id > 0, p->start, p->screened_on, from, to))
            continue;
        remap[i] = n;
        data->participants[n++] = *p;
    }
    data->n_participants = n;
}

/* ---- the serious-event list ---- */

typedef struct {
    int64_t patient;
    const char *protocol, *term, *onset;
    int grade;
    bool has_day;
    int32_t day;      /* onset - first administration under the plan */
    size_t pseudonym; /* 1.. in a de-identified list */
} serious_row;

/* Content order: day (unknown last), protocol, term, grade; the patient id
 * decides only between rows that read alike. */
static int cmp_serious(const void *x, const void *y)
{
    const serious_row *a = x, *b = y;
    if (a->has_day != b->has_day)
        return a->has_day ? -1 : 1;
    if (a->has_day && a->day != b->day)
        return a->day < b->day ? -1 : 1;
    int c = strcmp(a->protocol, b->protocol);
    if (c == 0)
        c = strcmp(a->term, b->term);
    if (c == 0 && a->grade != b->grade)
        c = a->grade < b->grade ? -1 : 1;
    if (c == 0 && a->patient != b->patient)
        c = a->patient < b->patient ? -1 : 1;
    return c;
}

typedef struct {
    int64_t patient;
    size_t row;
} patient_row;

static int cmp_patient_row(const void *x, const void *y)
{
    const patient_row *a = x, *b = y;
    if (a->patient != b->patient)
        return a->patient < b->patient ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* Numbers the patients of rows (in content order) by their first row: P-001
 * is the patient of the first row. Nothing of the patient id survives but
 * the tie-break of cmp_serious, so a pseudonym links nothing across reports. */
static bool assign_pseudonyms(arena *a, serious_row *rows, size_t n)
{
    patient_row *pr = arena_alloc(a, (n + 1) * sizeof *pr);
    size_t *number = arena_alloc(a, (n + 1) * sizeof *number);
    if (!pr || !number)
        return false;
    for (size_t r = 0; r < n; r++) {
        pr[r] = (patient_row){rows[r].patient, r};
        number[r] = 0;
    }
    qsort(pr, n, sizeof *pr, cmp_patient_row);
    for (size_t k = 0; k < n; k++) /* a patient's first row is its group's first */
        if (k == 0 || pr[k].patient != pr[k - 1].patient)
            number[pr[k].row] = 1;
    for (size_t r = 0, next = 0; r < n; r++)
        if (number[r])
            number[r] = ++next;
    for (size_t k = 0, first = 0; k < n; k++) {
        if (k == 0 || pr[k].patient != pr[k - 1].patient)
            first = pr[k].row;
        rows[pr[k].row].pseudonym = number[first];
    }
    return true;
}

static const char *report_pseudonym(size_t k, char out[24])
{
    snprintf(out, 24, "P-%03zu", k);
    return out;
}

/* The UTC day of an instant (its first ten characters). */
static cc_date day_of_instant(const char *instant)
{
    char day[CC_DATE_TEXT];
    snprintf(day, sizeof day, "%.10s", instant ? instant : "");
    return day_of(day);
}

/* The serious events: identified, in patient then onset order, with the
 * patient id and the onset; de-identified, in content order with a
 * pseudonym and the day (0 = the day of the first administration). */
static json_t *serious_list(arena *a, serious_row *rows, size_t n, bool deidentified)
{
    if (deidentified) {
        qsort(rows, n, sizeof *rows, cmp_serious);
        if (!assign_pseudonyms(a, rows, n))
            return NULL;
    }
    json_t *list = json_array();
    for (size_t r = 0; list && r < n; r++) {
        const serious_row *s = &rows[r];
        json_t *day = s->has_day ? json_integer(s->day) : json_null();
        json_t *row = deidentified
                          ? json_pack("{s:s, s:s, s:s, s:i, s:o}", "patient",
                                      report_pseudonym(s->pseudonym, (char[24]){0}), "protocol",
                                      s->protocol, "term", s->term, "grade", s->grade, "day", day)
                          : json_pack("{s:I, s:s, s:s, s:i, s:s, s:o}", "patient_id",
                                      (json_int_t)s->patient, "protocol", s->protocol, "term",
                                      s->term, "grade", s->grade, "onset", s->onset, "day", day);
        json_array_append_new(list, row);
    }
    return list;
}

static cc_status build_cohort(arena *a, const report_query *q, report_data *data, cohort *out,
                              cc_error *err)
{
    cc_date from = q->from ? day_of(q->from) : INT32_MIN, to = q->to ? day_of(q->to) : INT32_MAX;
    size_t *remap = arena_alloc(a, (data->n_participants + 1) * sizeof *remap);
    if (!remap)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    keep_period(data, from, to, remap);
    size_t np = data->n_participants, n_tp = data->n_timepoints, stride = n_tp + 1;
    cohort_ctx *c = arena_alloc(a, sizeof *c);
    if (!c)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    *c = (cohort_ctx){.data = data, .np = np, .stride = stride, .a = a};
    for (size_t m = 0; m < data->n_measures; m++)
        if (data->measures[m].id > c->max_id)
            c->max_id = data->measures[m].id;
    c->column = arena_alloc(a, ((size_t)c->max_id + 1) * sizeof *c->column);
    c->ais = arena_alloc(a, np * stride + 1);
    if (!c->column || !c->ais)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    memset(c->ais, 0, np * stride + 1);
    for (size_t m = 0; m <= c->max_id; m++)
        c->column[m] = -1;
    for (size_t m = 0; m < data->n_measures; m++) {
        const measure_name *mn = &data->measures[m];
        bool ais =
            strcmp(mn->instrument, "isncsci") == 0 && strcmp(mn->score, MEASURE_AIS_SCORE) == 0;
        c->column[mn->id] = ais ? -1 : -2;
        if (ais)
            c->ais_id = mn->id;
    }
    fill_columns(c);
    if (c->failed)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    /* measures in (instrument, score) order */
    size_t n_m = c->n_cols;
    measure_key *mk = arena_alloc(a, (n_m + 1) * sizeof *mk);
    if (!mk)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    for (size_t m = 0; m < data->n_measures; m++) {
        int32_t col = data->measures[m].id <= c->max_id ? c->column[data->measures[m].id] : -1;
        if (col < 0)
            continue;
        snprintf(mk[col].instrument, sizeof mk[col].instrument, "%.40s",
                 data->measures[m].instrument);
        snprintf(mk[col].score, sizeof mk[col].score, "%.40s", data->measures[m].score);
        mk[col].first_seen = col;
    }
    qsort(mk, n_m, sizeof *mk, cmp_measure);
    /* per participant: the flow, values in core/report's layout, AIS */
    report_patient *pts = arena_alloc(a, (np + 1) * sizeof *pts);
    stats_visit *visits = arena_alloc(a, (np * n_tp + 1) * sizeof *visits);
    /* the columns as read, in the measures' order: no copy per patient */
    const double **col_values = arena_alloc(a, (n_m + 1) * sizeof *col_values);
    const bool **col_present = arena_alloc(a, (n_m + 1) * sizeof *col_present);
    if (!pts || !visits || !col_values || !col_present)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    for (size_t m = 0; m < n_m; m++) {
        col_values[m] = c->col_values[mk[m].first_seen];
        col_present[m] = c->col_present[mk[m].first_seen];
    }
    *out = (cohort){n_tp,
                    n_m,
                    np,
                    data->timepoints,
                    mk,
                    pts,
                    data->participants,
                    NULL,
                    0,
                    0,
                    false,
                    c->truncated || data->timepoints_truncated,
                    NULL,
                    {col_values, col_present}};
    for (size_t i = 0; i < np; i++) {
        const report_participant *r = &data->participants[i];
        report_patient *p = &pts[i];
        *p = (report_patient){
            true, r->screened, r->eligible, r->plan_id > 0 && r->administrations > 0,
            NULL, NULL,        NULL,        NULL};
        out->synthetic |= r->synthetic;
        if (!p->treated)
            continue;
        out->administrations += (uint64_t)r->administrations;
        stats_visit *pv = &visits[i * n_tp];
        for (size_t t = 0; t < n_tp; t++)
            pv[t] = STATS_VISIT_DUE; /* no visit row: due, never silently dropped */
        for (size_t v = r->first_visit; v < r->first_visit + r->n_visits; v++) {
            const report_visit *rv = &data->visits[v];
            pv[rv->timepoint] = visit_of(rv->status, rv->window_start, q->today);
        }
        report_death_is_final(pv, n_tp);
        p->visits = pv;
        p->ais = c->any_ais ? &c->ais[i * stride] : NULL;
    }
    /* adverse events of treated cohort participants (ordered by patient) */
    out->aes = arena_alloc(a, (data->n_events + 1) * sizeof *out->aes);
    serious_row *rows = arena_alloc(a, (data->n_events + 1) * sizeof *rows);
    if (!out->aes || !rows)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    size_t n_rows = 0;
    for (size_t e = 0; e < data->n_events; e++) {
        const report_event *ev = &data->events[e];
        size_t i = remap[ev->participant];
        if (i == SIZE_MAX || !pts[i].treated || ev->grade < 1 || ev->grade > 5)
            continue;
        const char *term = !q->deidentified ? ev->term
                           : ev->site_term  ? REPORT_SITE_TERM
                                            : ev->term_code;
        out->aes[out->n_ae++] = (report_ae){i, term, ev->grade, ev->serious};
        if (!ev->serious)
            continue;
        cc_date first = data->participants[i].first_administration,
                onset = day_of_instant(ev->onset);
        rows[n_rows++] =
            (serious_row){ev->patient_id, data->participants[i].protocol,
                          term,           ev->onset,
                          ev->grade,      first != REPORT_NO_DAY && onset != REPORT_NO_DAY,
                          onset - first,  0};
    }
    out->serious_list = serious_list(a, rows, n_rows, q->deidentified);
    return out->serious_list
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

/* The per-patient values of measure m for the report's charts: the first
 * REPORT_TRAJECTORIES_MAX treated patients (in cohort order, by patient id)
 * with at least one value, one array a patient with one entry per time point
 * (baseline first), null where absent; "of" counts every such patient. */
enum { REPORT_TRAJECTORIES_MAX = 200 };
static json_t *trajectories(const report_patient *pts, size_t np, const report_columns *columns,
                            size_t m, size_t stride)
{
    json_t *list = json_array();
    json_int_t of = 0;
    for (size_t i = 0; i < np; i++) {
        const report_patient *p = &pts[i];
        if (!p->treated)
            continue;
        const bool *have = &columns->present[m][i * stride];
        const double *values = &columns->values[m][i * stride];
        size_t t = 0;
        while (t < stride && !have[t])
            t++;
        if (t == stride)
            continue;
        if (of++ >= REPORT_TRAJECTORIES_MAX)
            continue;
        json_t *row = json_array();
        for (t = 0; t < stride; t++)
            json_array_append_new(row, have[t] ? report_json_number(values[t], 4) : json_null());
        json_array_append_new(list, row);
    }
    return json_pack("{s:I, s:I, s:o}", "drawn", (json_int_t)json_array_size(list), "of", of,
                     "patients", list);
}

typedef struct {
    const report_input *in;
    size_t from, to;
    double *scratch;
    stats_pair *pairs;
    report_result *out;
    cc_error err;
    cc_status st;
} measures_job;

static void *run_measures(void *arg)
{
    measures_job *j = arg;
    j->st = report_compute_measures(j->in, j->from, j->to, j->scratch, j->pairs, j->out, &j->err);
    return NULL;
}

/* report_compute with the second half of the measures' cells on a thread
 * of its own (the cells are most of the work, and independent of the rest),
 * into a result of its own whose cells are copied back: the same result,
 * each cell computed by one thread. One thread when a second one or its
 * memory cannot be had. */
static cc_status compute(const report_input *in, arena *a, double *scratch, stats_pair *pairs,
                         report_result *out, cc_error *err)
{
    size_t half = in->n_measures / 2, np = in->n_patients;
    measures_job job = {in,
                        half,
                        in->n_measures,
                        half ? arena_alloc(a, (np + 1) * sizeof *job.scratch) : NULL,
                        half ? arena_alloc(a, (np + 1) * sizeof *job.pairs) : NULL,
                        half ? arena_alloc(a, sizeof *job.out) : NULL,
                        {0},
                        CC_OK};
    if (job.out)
        memset(job.out, 0, sizeof *job.out);
    pthread_t thread;
    bool threaded = job.scratch && job.pairs && job.out &&
                    pthread_create(&thread, NULL, run_measures, &job) == 0;
    cc_status st = report_compute_begin(in, pairs, out, err);
    if (st == CC_OK)
        st = report_compute_measures(in, 0, threaded ? half : in->n_measures, scratch, pairs, out,
                                     err);
    if (st == CC_OK)
        st = report_compute_end(in, out, err);
    if (!threaded)
        return st;
    pthread_join(thread, NULL);
    if (st == CC_OK && job.st != CC_OK) {
        *err = job.err;
        st = job.st;
    }
    for (size_t m = half; st == CC_OK && m < in->n_measures; m++)
        memcpy(out->cells[m], job.out->cells[m], sizeof out->cells[m]);
    return st;
}

/* The report's data: from the digests when they are built and the report
 * has no filter they lack (the stale patients' made afresh in this
 * snapshot), else from the tables. */
static cc_status load_report_data(db *d, arena *a, const report_filter *f, report_data *data,
                                  cc_error *err)
{
    bool built = false;
    cc_status st = f->product_type || f->route ? CC_OK : report_digests_built(d, &built, err);
    if (st != CC_OK)
        return st;
    if (!built) {
        st = report_store_load(d, a, f, data, err);
        return st == CC_OK ? report_match_values(d, a, false, data, err) : st;
    }
    sql_patient_bytes *fresh;
    size_t n_fresh;
    st = report_digests_make(d, a, true, &fresh, &n_fresh, err);
    return st == CC_OK ? report_store_load_digests(d, a, f, fresh, n_fresh, data, err) : st;
}

cc_status report_outcomes_json(db *d, arena *a, const report_query *q, json_t **out, cc_error *err)
{
    *out = NULL;
    report_data data;
    /* a de-identified report leaves the clinic's care (analysts,
     * registries): it counts only patients with a current research consent */
    int64_t *site_ids = q->n_sites ? arena_alloc(a, q->n_sites * sizeof *site_ids) : NULL;
    if (q->n_sites && !site_ids)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    for (size_t i = 0; i < q->n_sites; i++)
        site_ids[i] = q->sites[i].id;
    report_filter filter = {report_query_all(q) ? NULL : q->protocol,
                            q->condition,
                            q->product_type,
                            q->route,
                            q->deidentified,
                            site_ids,
                            q->n_sites,
                            REPORT_FOR_REPORT};
    cohort co = {0};
    cc_status st = load_report_data(d, a, &filter, &data, err);
    if (st == CC_OK)
        st = build_cohort(a, q, &data, &co, err);
    if (st != CC_OK) {
        json_decref(co.serious_list);
        return st;
    }
    size_t np = co.np, n_tp = co.n_tp, n_m = co.n_m, stride = n_tp + 1;
    double *scratch = arena_alloc(a, (np + 1) * sizeof *scratch);
    stats_pair *pairs = arena_alloc(a, (np + 1) * sizeof *pairs);
    report_result *res = arena_alloc(a, sizeof *res);
    json_t *serious_list = co.serious_list;
    if (!scratch || !pairs || !res) {
        json_decref(serious_list);
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
    }
    report_input in = {co.pts, np, n_tp, n_m, co.aes, co.n_ae, co.administrations, &co.columns};
    if ((st = compute(&in, a, scratch, pairs, res, err)) != CC_OK) {
        json_decref(serious_list);
        return st;
    }
    /* ---- render ---- */
    char today[CC_DATE_TEXT];
    date_format(q->today, today);
    json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:b, s:b}", "protocol", q->protocol, "from",
                          q->from ? json_string(q->from) : json_null(), "to",
                          q->to ? json_string(q->to) : json_null(), "as_of", today,
                          "synthetic_data", co.synthetic, "measures_truncated", co.truncated);
    json_object_set_new(o, "filters",
                        json_pack("{s:o, s:o, s:o}", "condition",
                                  q->condition ? json_string(q->condition) : json_null(),
                                  "product_type",
                                  q->product_type ? json_string(q->product_type) : json_null(),
                                  "route", q->route ? json_string(q->route) : json_null()));
    json_t *pooled = json_array();
    for (size_t i = 0; i < q->n_sites; i++)
        json_array_append_new(
            pooled, json_pack("{s:s, s:s}", "code", q->sites[i].code, "name", q->sites[i].name));
    json_object_set_new(o, "source", json_pack("{s:o}", "sites", pooled));
    json_t *defs = json_object();
    for (size_t i = 0; i < sizeof DEFINITIONS / sizeof DEFINITIONS[0]; i++)
        json_object_set_new(defs, DEFINITIONS[i][0], json_string(DEFINITIONS[i][1]));
    json_object_set_new(o, "definitions", defs);
    json_t *tps = json_array();
    json_array_append_new(tps, json_string("baseline"));
    for (size_t t = 0; t < n_tp; t++)
        json_array_append_new(tps, json_string(co.timepoints[t].label));
    json_object_set_new(o, "timepoints", tps);
    const stats_flow *f = &res->flow;
    json_t *fps = json_array();
    for (size_t t = 0; t < n_tp; t++) {
        const stats_flow_point *fp = &f->point[t];
        json_array_append_new(
            fps, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "label",
                           co.timepoints[t].label, "not_yet_due", (json_int_t)fp->not_yet_due,
                           "due", (json_int_t)fp->due, "pending", (json_int_t)fp->pending,
                           "assessed", (json_int_t)fp->assessed, "missing", (json_int_t)fp->missing,
                           "missed", (json_int_t)fp->missed, "withdrawn", (json_int_t)fp->withdrawn,
                           "lost", (json_int_t)fp->lost, "died", (json_int_t)fp->died));
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
            json_object_set_new(c, "label",
                                json_string(t == 0 ? "baseline" : co.timepoints[t - 1].label));
            if (t > 0)
                json_object_set_new(c, "change", change(&res->cells[m][t].change));
            json_array_append_new(cells, c);
        }
        json_t *mj = json_pack("{s:s, s:s, s:o, s:o}", "instrument", co.measures[m].instrument,
                               "score", co.measures[m].score, "timepoints", cells, "trajectories",
                               trajectories(co.pts, np, &co.columns, m, stride));
        double lo, hi;
        if (score_range(co.measures[m].instrument, co.measures[m].score, &lo, &hi))
            json_object_set_new(mj, "range", json_pack("{s:f, s:f}", "min", lo, "max", hi));
        json_array_append_new(ms, mj);
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
                json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "label", co.timepoints[t - 1].label,
                          "pairs", (json_int_t)ap->pairs, "missing",
                          (json_int_t)ap->missing_follow_up, "table", table, "improved",
                          report_json_proportion(&ap->improved), "improved_sensitivity",
                          report_json_proportion(&ap->improved_sensitivity)));
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
                               "patients", report_json_proportion(&res->ae_rows[r].patients)));
    const stats_rate *rate = &res->ae_per_administration;
    json_object_set_new(
        o, "adverse_events",
        json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "available", true,
                  "administrations_source", "administrations", "treated", (json_int_t)f->treated,
                  "administrations", (json_int_t)co.administrations, "events",
                  (json_int_t)res->ae_events, "serious_events", (json_int_t)res->ae_serious_events,
                  "patients_any", report_json_proportion(&res->ae_any), "patients_serious",
                  report_json_proportion(&res->ae_serious), "per_administration",
                  json_pack("{s:I, s:I, s:o, s:o}", "events", (json_int_t)rate->events,
                            "administrations", (json_int_t)rate->exposure, "rate",
                            rate->exposure ? report_json_number(rate->rate, 6) : json_null(), "ci",
                            report_json_interval(&rate->ci)),
                  "rows", ae_rows, "serious_list", serious_list));
    if ((st = report_satisfaction_add(d, a, filter.protocol, &data, co.pts, o, err)) != CC_OK) {
        json_decref(o);
        return st;
    }
    json_object_set_new(o, "deidentified", json_boolean(q->deidentified));
    json_object_set_new(o, "research_consent",
                        json_pack("{s:b, s:I}", "required", q->deidentified, "left_out",
                                  (json_int_t)data.left_out_no_research_consent));
    report_suppress_small(o, q->min_group);
    *out = o;
    return CC_OK;
}

/* ---- CSV ---- */

static void csv_row(buf *b, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        report_csv_cell(b, cells[i], i + 1 == n);
}

void report_outcomes_csv(const json_t *r, buf *b)
{
    static const char *const head[] = {
        "table", "instrument",  "score",         "timepoint",      "due",    "n",  "missing",
        "mean",  "sd",          "ci_low",        "ci_high",        "median", "q1", "q3",
        "pairs", "mean_change", "change_ci_low", "change_ci_high", "x",      "p"};
    csv_row(b, head, sizeof head / sizeof head[0]);
    const json_t *sup = json_object_get(r, "suppression");
    if (json_is_object(sup)) { /* first, so that no reader takes an empty cell for a zero */
        report_csv_cell(b, "suppression", false);
        report_csv_cell(b, "", false);
        report_csv_json(b, json_object_get(sup, "note"), false);
        report_csv_cell(b, "", false);
        report_csv_cell(b, "", false);
        report_csv_json(b, json_object_get(sup, "min_group"), false);
        for (size_t k = 6; k < 19; k++)
            report_csv_cell(b, "", false);
        report_csv_cell(b, "", true);
    }
    /* the sites pooled: table "source", instrument "site", score the code,
     * timepoint the name */
    size_t si;
    const json_t *site;
    json_array_foreach(json_object_get(json_object_get(r, "source"), "sites"), si, site)
    {
        report_csv_cell(b, "source", false);
        report_csv_cell(b, "site", false);
        report_csv_json(b, json_object_get(site, "code"), false);
        report_csv_json(b, json_object_get(site, "name"), false);
        for (size_t c = 4; c < 19; c++)
            report_csv_cell(b, "", false);
        report_csv_cell(b, "", true);
    }
    const json_t *f = json_object_get(r, "flow");
    static const char *const flow_keys[] = {"referred", "screened", "eligible", "treated"};
    for (size_t i = 0; i < 4; i++) {
        report_csv_cell(b, "flow", false);
        report_csv_cell(b, "", false);
        report_csv_cell(b, flow_keys[i], false);
        report_csv_cell(b, "", false);
        report_csv_cell(b, "", false);
        report_csv_json(b, json_object_get(f, flow_keys[i]), false);
        for (size_t k = 6; k < 19; k++)
            report_csv_cell(b, "", false);
        report_csv_cell(b, "", true);
    }
    size_t i;
    json_t *tp;
    json_array_foreach(json_object_get(f, "timepoints"), i, tp)
    {
        static const char *const keys[] = {"not_yet_due", "due",       "pending", "assessed",
                                           "missed",      "withdrawn", "lost",    "died"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            report_csv_cell(b, "flow", false);
            report_csv_cell(b, "", false);
            report_csv_cell(b, keys[k], false);
            report_csv_json(b, json_object_get(tp, "label"), false);
            report_csv_json(b, json_object_get(tp, "due"), false);
            report_csv_json(b, json_object_get(tp, keys[k]), false);
            for (size_t c = 6; c < 19; c++)
                report_csv_cell(b, "", false);
            report_csv_cell(b, "", true);
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
            report_csv_cell(b, "measure", false);
            report_csv_json(b, json_object_get(m, "instrument"), false);
            report_csv_json(b, json_object_get(m, "score"), false);
            report_csv_json(b, json_object_get(c, "label"), false);
            report_csv_json(b, json_object_get(c, "due"), false);
            report_csv_json(b, json_object_get(c, "n"), false);
            report_csv_json(b, json_object_get(c, "missing"), false);
            report_csv_json(b, json_object_get(c, "mean"), false);
            report_csv_json(b, json_object_get(c, "sd"), false);
            report_csv_json(b, json_object_get(ci, "low"), false);
            report_csv_json(b, json_object_get(ci, "high"), false);
            report_csv_json(b, json_object_get(c, "median"), false);
            report_csv_json(b, json_object_get(c, "q1"), false);
            report_csv_json(b, json_object_get(c, "q3"), false);
            report_csv_json(b, json_object_get(ch, "pairs"), false);
            report_csv_json(b, json_object_get(ch, "mean_diff"), false);
            report_csv_json(b, json_object_get(chci, "low"), false);
            report_csv_json(b, json_object_get(chci, "high"), false);
            report_csv_cell(b, "", false);
            report_csv_cell(b, "", true);
        }
    }
    const json_t *ais = json_object_get(r, "ais");
    json_array_foreach(ais, i, tp)
    {
        static const char *const keys[] = {"improved", "improved_sensitivity"};
        for (size_t k = 0; k < 2; k++) {
            const json_t *p = json_object_get(tp, keys[k]);
            report_csv_proportion(b, "ais", "isncsci", keys[k], json_object_get(tp, "label"),
                                  json_object_get(p, "n"), p);
        }
    }
    const json_t *ae = json_object_get(r, "adverse_events");
    const json_t *rowsets[] = {json_object_get(ae, "patients_any"),
                               json_object_get(ae, "patients_serious")};
    static const char *const ae_names[] = {"any", "serious"};
    for (size_t k = 0; k < 2; k++)
        report_csv_proportion(b, "adverse_events", "", ae_names[k], NULL,
                              json_object_get(rowsets[k], "n"), rowsets[k]);
    json_array_foreach(json_object_get(ae, "rows"), i, tp)
    {
        const json_t *p = json_object_get(tp, "patients");
        char score[96];
        snprintf(score, sizeof score, "%s grade %lld",
                 json_string_value(json_object_get(tp, "term")),
                 (long long)json_integer_value(json_object_get(tp, "grade")));
        report_csv_proportion(b, "adverse_events", "", score, NULL, json_object_get(p, "n"), p);
    }
    report_satisfaction_csv(json_object_get(r, "satisfaction"), b);
}
