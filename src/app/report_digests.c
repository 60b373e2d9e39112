#include "app/report_digests.h"

#include <stdio.h>
#include <string.h>

#include "core/bigvec.h"
#include "core/buf.h"
#include "core/measure_series.h"
#include "core/report.h"
#include "core/report_digest.h"
#include "store/report_digests.h"

static cc_status out_of_memory(cc_error *err)
{
    return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

/* The best observation for a cell so far: closest to the target (baseline:
 * newest); ties go to the later day, then to the later record. */
typedef struct {
    int dist;
    cc_date day;
    double value;
} best_value;

typedef struct {
    report_data *data;
    arena *a;
    bigvec *values, *seen;
    size_t stride, cursor;
    uint32_t max_id, ais_id;
    int32_t *local;    /* measure id -> index in touched, -1 */
    uint32_t *touched; /* the participant's measures, first seen first */
    best_value *best;  /* [index * stride + t] */
    bool failed;
} matcher;

static bool treated(const report_participant *p)
{
    return p->plan_id > 0 && p->administrations > 0;
}

static void match_participant(matcher *m, report_participant *p, const unsigned char *records,
                              size_t n)
{
    const report_data *data = m->data;
    size_t n_tp = data->n_timepoints, stride = m->stride, n_touched = 0;
    report_window w[REPORT_MAX_LABELS];
    for (size_t t = 0; t < n_tp; t++)
        w[t] = (report_window){REPORT_NO_DAY, REPORT_NO_DAY, REPORT_NO_DAY};
    for (size_t v = p->first_visit; v < p->first_visit + p->n_visits; v++) {
        const report_visit *rv = &data->visits[v];
        w[rv->timepoint] = (report_window){rv->window_start, rv->window_end, rv->target};
    }
    /* the days any rule can match: most records (diaries between visits)
     * fall outside every window and are passed over at once */
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    if (p->start != REPORT_NO_DAY) {
        lo = (int64_t)p->start - REPORT_BASELINE_DAYS;
        hi = p->start;
    }
    for (size_t t = 0; t < n_tp; t++)
        if (w[t].start != REPORT_NO_DAY && w[t].start <= w[t].end) {
            lo = w[t].start < lo ? w[t].start : lo;
            hi = w[t].end > hi ? w[t].end : hi;
        }
    p->first_seen = m->seen->n;
    p->first_value = m->values->n;
    for (size_t k = 0; k < n && !m->failed; k++) {
        measure_record r = measure_series_at(records, k);
        if (r.measure > m->max_id)
            continue;
        int32_t li = m->local[r.measure];
        if (li < 0) {
            li = m->local[r.measure] = (int32_t)n_touched;
            m->touched[n_touched++] = r.measure;
            for (size_t t = 0; t < stride; t++)
                m->best[(size_t)li * stride + t] = (best_value){INT32_MAX, REPORT_NO_DAY, 0};
            uint32_t *slot = r.measure == m->ais_id ? NULL : bigvec_push_charged(m->a, m->seen);
            if (r.measure != m->ais_id && !slot)
                m->failed = true;
            else if (slot)
                *slot = r.measure;
        }
        if (r.day == REPORT_NO_DAY || r.day < lo || r.day > hi)
            continue;
        for (size_t t = 0; t < stride; t++) {
            int dist;
            bool match = t == 0 ? report_baseline_match(p->start, r.day, &dist)
                                : report_window_match(&w[t - 1], r.day, &dist);
            best_value *b = &m->best[(size_t)li * stride + t];
            if (match && report_match_better(dist, r.day, b->dist, b->day))
                *b = (best_value){dist, r.day, r.value};
        }
    }
    for (size_t i = 0; i < n_touched; i++) {
        for (size_t t = 0; t < stride && !m->failed; t++) {
            const best_value *b = &m->best[i * stride + t];
            if (b->dist == INT32_MAX)
                continue;
            report_value *v = bigvec_push_charged(m->a, m->values);
            if (!v)
                m->failed = true;
            else
                *v = (report_value){m->touched[i], (uint16_t)t, b->value};
        }
        m->local[m->touched[i]] = -1;
    }
    p->n_seen = m->seen->n - p->first_seen;
    p->n_values = m->values->n - p->first_value;
}

static void on_series(void *ctx, int64_t patient, const unsigned char *records, size_t len)
{
    matcher *m = ctx;
    report_participant *ps = m->data->participants;
    size_t np = m->data->n_participants;
    while (m->cursor < np && ps[m->cursor].patient_id < patient)
        m->cursor++;
    size_t n = measure_series_count(len);
    for (size_t i = m->cursor; i < np && ps[i].patient_id == patient; i++)
        if (treated(&ps[i]))
            match_participant(m, &ps[i], records, n);
}

cc_status report_match_values(db *d, arena *a, bool only_stale, report_data *data, cc_error *err)
{
    matcher m = {data,
                 a,
                 bigvec_in_arena(a, sizeof(report_value)),
                 bigvec_in_arena(a, sizeof(uint32_t)),
                 data->n_timepoints + 1,
                 0,
                 0,
                 0,
                 NULL,
                 NULL,
                 NULL,
                 false};
    for (size_t i = 0; i < data->n_measures; i++) {
        const measure_name *mn = &data->measures[i];
        if (mn->id > m.max_id)
            m.max_id = mn->id;
        if (strcmp(mn->instrument, "isncsci") == 0 && strcmp(mn->score, MEASURE_AIS_SCORE) == 0)
            m.ais_id = mn->id;
    }
    size_t ids = (size_t)m.max_id + 1;
    m.local = arena_alloc(a, ids * sizeof *m.local);
    m.touched = arena_alloc(a, ids * sizeof *m.touched);
    m.best = arena_alloc(a, ids * m.stride * sizeof *m.best);
    if (!m.values || !m.seen || !m.local || !m.touched || !m.best)
        return out_of_memory(err);
    for (size_t i = 0; i < ids; i++)
        m.local[i] = -1;
    for (size_t i = 0; i < data->n_participants; i++)
        data->participants[i].n_seen = data->participants[i].n_values = 0;
    cc_status st = report_store_series(d, only_stale, on_series, &m, err);
    if (st == CC_OK && m.failed)
        st = out_of_memory(err);
    data->values = m.values->items;
    data->n_values = m.values->n;
    data->seen = m.seen->items;
    data->n_seen = m.seen->n;
    return st;
}

/* ---- digests ---- */

static void put_participant(buf *b, const report_data *data, const report_participant *p)
{
    digest_head h = {.plan_id = p->plan_id,
                     .screened = p->screened,
                     .eligible = p->eligible,
                     .visits_left_out = p->visits_left_out,
                     .screened_on = p->screened_on,
                     .start = p->start,
                     .first_administration = p->first_administration,
                     .administrations = p->administrations,
                     .n_visits = (uint16_t)p->n_visits,
                     .n_seen = (uint16_t)p->n_seen,
                     .n_values = (uint16_t)p->n_values};
    snprintf(h.protocol, sizeof h.protocol, "%s", p->protocol);
    digest_put_head(b, &h);
    /* the visit that gives each time point its window: the last one */
    uint16_t slot_of[REPORT_MAX_LABELS] = {0};
    for (size_t k = 0; k < p->n_visits; k++) {
        const report_visit *v = &data->visits[p->first_visit + k];
        const report_timepoint *tp = &data->timepoints[v->timepoint];
        digest_visit dv = {.months = tp->months,
                           .target = v->target,
                           .window_start = v->window_start,
                           .window_end = v->window_end,
                           .status = (uint8_t)v->status,
                           .asks_satisfaction = v->asks_satisfaction,
                           .satisfaction_link = v->satisfaction_link};
        snprintf(dv.label, sizeof dv.label, "%s", tp->label);
        digest_put_visit(b, &dv);
        slot_of[v->timepoint] = (uint16_t)(k + 1);
    }
    for (size_t k = 0; k < p->n_seen; k++)
        digest_put_seen(b, data->seen[p->first_seen + k]);
    for (size_t k = 0; k < p->n_values; k++) {
        const report_value *v = &data->values[p->first_value + k];
        digest_put_value(b,
                         &(digest_value){v->measure, v->t == 0 ? 0 : slot_of[v->t - 1], v->value});
    }
}

/* Whether a participant fits a digest's counts (in practice it always does:
 * a plan has a few visits and a patient a few dozen measures; one that does
 * not fails the digests rather than leave it out of the report). */
static bool fits(const report_participant *p)
{
    return p->n_visits <= DIGEST_COUNT_MAX && p->n_seen <= DIGEST_COUNT_MAX &&
           p->n_values <= DIGEST_COUNT_MAX && strlen(p->protocol) <= DIGEST_PROTOCOL_MAX;
}

typedef struct {
    arena *a;
    bigvec *rows;
    buf bytes;
} digest_out;

static bool add_row(digest_out *o, int64_t patient, size_t from)
{
    sql_patient_bytes *row = bigvec_push_charged(o->a, o->rows);
    if (!row)
        return false;
    /* offsets until the bytes stop moving */
    *row =
        (sql_patient_bytes){patient, (const unsigned char *)(uintptr_t)from, o->bytes.len - from};
    return true;
}

cc_status report_digests_make(db *d, arena *a, bool only_stale, sql_patient_bytes **rows, size_t *n,
                              cc_error *err)
{
    *rows = NULL;
    *n = 0;
    report_data data;
    report_filter f = {.purpose = only_stale ? REPORT_FOR_DIGESTS_STALE : REPORT_FOR_DIGESTS_ALL};
    int64_t *stale = NULL;
    size_t n_stale = 0;
    cc_status st = only_stale ? report_digests_stale(d, a, &stale, &n_stale, err) : CC_OK;
    if (st != CC_OK || (only_stale && n_stale == 0))
        return st;
    st = report_store_load(d, a, &f, &data, err);
    if (st == CC_OK)
        st = report_match_values(d, a, only_stale, &data, err);
    if (st != CC_OK)
        return st;
    digest_out o = {a, bigvec_in_arena(a, sizeof(sql_patient_bytes)), {0}};
    if (!o.rows)
        return out_of_memory(err);
    buf_init(&o.bytes, (size_t)1 << 40);
    bool ok = true, fits_ok = true;
    size_t next_stale = 0;
    for (size_t i = 0; ok && i < data.n_participants;) {
        int64_t patient = data.participants[i].patient_id;
        for (; ok && next_stale < n_stale && stale[next_stale] < patient; next_stale++)
            ok = add_row(&o, stale[next_stale], o.bytes.len);
        if (next_stale < n_stale && stale[next_stale] == patient)
            next_stale++;
        size_t from = o.bytes.len;
        for (; ok && i < data.n_participants && data.participants[i].patient_id == patient; i++)
            if (!(fits_ok = fits(&data.participants[i])))
                ok = false;
            else
                put_participant(&o.bytes, &data, &data.participants[i]);
        ok = ok && add_row(&o, patient, from);
    }
    for (; ok && next_stale < n_stale; next_stale++)
        ok = add_row(&o, stale[next_stale], o.bytes.len);
    unsigned char *bytes = ok && !buf_failed(&o.bytes) ? arena_alloc(a, o.bytes.len + 1) : NULL;
    if (bytes)
        memcpy(bytes, o.bytes.data, o.bytes.len);
    buf_release(&o.bytes);
    if (!fits_ok)
        return cc_fail(err, CC_INVALID, "digest", "too_many",
                       "a participant has more visits, measures or values than a report digest "
                       "holds (%d)",
                       DIGEST_COUNT_MAX);
    if (!bytes)
        return out_of_memory(err);
    sql_patient_bytes *r = o.rows->items;
    for (size_t k = 0; k < o.rows->n; k++)
        r[k].bytes = bytes + (uintptr_t)r[k].bytes;
    *rows = r;
    *n = o.rows->n;
    return CC_OK;
}

static cc_status refresh(db *d, arena *a, cc_error *err)
{
    bool built = false;
    int64_t *stale;
    size_t n_stale = 0, n = 0;
    sql_patient_bytes *rows;
    cc_status st = report_digests_built(d, &built, err);
    if (st == CC_OK && built)
        st = report_digests_stale(d, a, &stale, &n_stale, err);
    if (st != CC_OK || (built && n_stale == 0))
        return st;
    st = report_digests_make(d, a, built, &rows, &n, err);
    size_t kept = 0; /* a patient left without participants keeps no row */
    for (size_t i = 0; st == CC_OK && i < n; i++)
        if (rows[i].len > 0)
            rows[kept++] = rows[i];
    if (st == CC_OK)
        st = report_digests_replace(d, !built, rows, kept, err);
    if (st == CC_OK && !built)
        st = report_digests_mark_built(d, err);
    return st;
}

cc_status report_digests_refresh(db *d, cc_error *err)
{
    arena *a = arena_create((size_t)8 << 30);
    if (!a)
        return out_of_memory(err);
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = db_tx_end(d, refresh(d, a, err), err);
    arena_release(a);
    return st;
}

static cc_status count_damaged(void *ctx, int64_t patient, const unsigned char *bytes, size_t len,
                               cc_error *err)
{
    (void)patient;
    (void)err;
    *(size_t *)ctx += !digest_well_formed(bytes, len);
    return CC_OK;
}

cc_status report_digests_check(db *d, size_t *damaged, cc_error *err)
{
    *damaged = 0;
    cc_status st = db_begin_read(d, err);
    if (st != CC_OK)
        return st;
    st = report_digests_scan(d, count_damaged, damaged, err);
    db_rollback(d);
    if (st != CC_OK || *damaged == 0)
        return st;
    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    return db_tx_end(d, report_digests_unbuild(d, err), err);
}
