#include "report_data.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/adverse.h"
#include "core/bigvec.h"
#include "core/report_digest.h"
#include "store/report_digests.h"
#include "store/clinic_settings.h"

static cc_status out_of_memory(cc_error *err)
{
    return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

/* db_col_text reads NULL as "", which is no date: one column fetch */
static cc_date day_or_none(db_stmt *s, int col)
{
    cc_date d;
    return date_parse_day(db_col_text(s, col), &d) ? d : REPORT_NO_DATE;
}

/* ---- participants: screenings and plans merged per (patient, protocol) ---- */

typedef struct {
    int64_t patient, id;
    cc_date day;
    uint8_t protocol;
    int8_t kind;     /* 0 screening, 1 plan */
    int8_t decision; /* screenings: -1 none, 0 other, 1 eligible */
} entry;

typedef struct {
    const char *names[REPORT_MAX_PROTOCOLS];
    int n;
} protocol_set;

static int intern_protocol(arena *a, protocol_set *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return i;
    if (p->n == REPORT_MAX_PROTOCOLS)
        return -1;
    p->names[p->n] = arena_strdup(a, name);
    return p->names[p->n] ? p->n++ : -1;
}

static int cmp_entry(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    if (a->patient != b->patient)
        return a->patient < b->patient ? -1 : 1;
    if (a->protocol != b->protocol)
        return a->protocol < b->protocol ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    return a->id < b->id ? -1 : a->id > b->id;
}

static bool entries_sorted(const entry *e, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (cmp_entry(&e[i - 1], &e[i]) > 0)
            return false;
    return true;
}

/* The plans that make a participant (report_data.h). */
#define COUNTED_PLAN "status IN ('approved', 'in_progress', 'completed')"
/* The rows of the patients whose report digest is stale (report_digests.h). */
#define STALE_PATIENTS " patient_id IN (SELECT patient_id FROM report_digest_stale)"

static bool only_stale(const report_filter *f)
{
    return f->purpose == REPORT_FOR_DIGESTS_STALE;
}

/* The registered protocols first, by name: a patient's participants come in
 * that order whichever rows are read (a report's or a digest's). */
static cc_status intern_registered(db *d, arena *a, protocol_set *protocols, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(
        d, "SELECT DISTINCT protocol_id FROM protocol_versions ORDER BY protocol_id", &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW && intern_protocol(a, protocols, db_col_text(s, 0)) >= 0)
        ;
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

/* Screenings then plans, each usually stored in patient order already: two
 * ordered runs are merged, anything else is sorted. */
static cc_status read_entries(db *d, arena *a, const report_filter *f, protocol_set *protocols,
                              entry **entries, size_t *n, cc_error *err)
{
    static const char *const all[] = {
        "SELECT patient_id, protocol_id, id, decision, evaluated_on FROM screenings",
        "SELECT patient_id, protocol_id, id, NULL, start_date FROM plans WHERE " COUNTED_PLAN};
    static const char *const one[] = {
        "SELECT patient_id, protocol_id, id, decision, evaluated_on FROM screenings"
        " WHERE protocol_id = ?",
        "SELECT patient_id, protocol_id, id, NULL, start_date FROM plans WHERE " COUNTED_PLAN
        " AND protocol_id = ?"};
    static const char *const stale[] = {
        "SELECT patient_id, protocol_id, id, decision, evaluated_on FROM screenings"
        " WHERE" STALE_PATIENTS,
        "SELECT patient_id, protocol_id, id, NULL, start_date FROM plans WHERE " COUNTED_PLAN
        " AND" STALE_PATIENTS};
    bigvec *rows = bigvec_in_arena(a, sizeof(entry));
    size_t n_screenings = 0;
    if (!rows)
        return out_of_memory(err);
    cc_status st = intern_registered(d, a, protocols, err);
    if (st != CC_OK)
        return st;
    for (int kind = 0; kind < 2; kind++) {
        db_stmt *s;
        sql_arg by_protocol[] = {SQL_S(f->protocol)};
        bool by_one = f->protocol && !only_stale(f);
        st = sql_scan(d,
                      only_stale(f) ? stale[kind]
                      : by_one      ? one[kind]
                                    : all[kind],
                      by_protocol, by_one ? 1 : 0, &s, err);
        if (st != CC_OK)
            return st;
        db_step_result r;
        int last_protocol = -1;
        const char *last_name = NULL;
        while ((r = db_step(s, err)) == DB_ROW) {
            const char *name = db_col_text(s, 1);
            int protocol = last_name && strcmp(last_name, name) == 0
                               ? last_protocol
                               : intern_protocol(a, protocols, name);
            entry *e = protocol < 0 ? NULL : bigvec_push_charged(a, rows);
            if (!e)
                break;
            last_protocol = protocol;
            last_name = protocols->names[protocol];
            const char *decision = db_col_text(s, 3);
            *e = (entry){db_col_int(s, 0),
                         db_col_int(s, 2),
                         day_or_none(s, 4),
                         (uint8_t)protocol,
                         (int8_t)kind,
                         (int8_t)(db_col_is_null(s, 3) ? -1 : strcmp(decision, "eligible") == 0)};
        }
        db_done(s);
        if (r == DB_ERROR)
            return err->status;
        if (r != DB_DONE)
            return protocols->n == REPORT_MAX_PROTOCOLS
                       ? cc_fail(err, CC_INVALID, "protocol", "too_many", "more than %d protocols",
                                 REPORT_MAX_PROTOCOLS)
                       : out_of_memory(err);
        if (kind == 0)
            n_screenings = rows->n;
    }
    entry *e = rows->items;
    *n = rows->n;
    *entries = e;
    if (!entries_sorted(e, n_screenings) || !entries_sorted(e + n_screenings, *n - n_screenings)) {
        if (*n)
            qsort(e, *n, sizeof *e, cmp_entry);
        return CC_OK;
    }
    entry *merged = arena_alloc(a, (*n + 1) * sizeof *merged);
    if (!merged)
        return out_of_memory(err);
    for (size_t i = 0, j = n_screenings, k = 0; k < *n; k++)
        merged[k] = j == *n || (i < n_screenings && cmp_entry(&e[i], &e[j]) <= 0) ? e[i++] : e[j++];
    *entries = merged;
    return CC_OK;
}

static cc_status build_participants(arena *a, const entry *e, size_t n, const protocol_set *ps,
                                    report_data *out, cc_error *err)
{
    out->participants = arena_alloc(a, (n + 1) * sizeof *out->participants);
    if (!out->participants)
        return out_of_memory(err);
    for (size_t i = 0; i < n;) {
        report_participant *p = &out->participants[out->n_participants++];
        *p = (report_participant){.patient_id = e[i].patient,
                                  .protocol = ps->names[e[i].protocol],
                                  .screened_on = REPORT_NO_DATE,
                                  .start = REPORT_NO_DATE,
                                  .first_administration = REPORT_NO_DATE};
        int64_t decided = 0;
        size_t j = i;
        for (; j < n && e[j].patient == e[i].patient && e[j].protocol == e[i].protocol; j++) {
            if (e[j].kind == 1) { /* ordered by id: the last is the newest plan */
                p->plan_id = e[j].id;
                p->start = e[j].day;
                continue;
            }
            p->screened = true;
            if (e[j].day != REPORT_NO_DATE &&
                (p->screened_on == REPORT_NO_DATE || e[j].day < p->screened_on))
                p->screened_on = e[j].day;
            if (e[j].decision >= 0 && e[j].id > decided) {
                decided = e[j].id;
                p->eligible = e[j].decision == 1;
            }
        }
        i = j;
    }
    return CC_OK;
}

/* ---- sets of ids ---- */

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* The first of n items (size bytes each, sorted by the int64_t key at offset)
 * whose key is not below key; n when none. */
static size_t lower_bound(const void *items, size_t n, size_t size, size_t offset, int64_t key)
{
    const unsigned char *bytes = items;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t k;
        memcpy(&k, bytes + mid * size + offset, sizeof k);
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool id_in(const int64_t *ids, size_t n, int64_t id)
{
    size_t i = lower_bound(ids, n, sizeof *ids, 0, id);
    return i < n && ids[i] == id;
}

/* Membership in sorted ids for ids asked in ascending order, as the
 * participants come (by patient): a cursor moves forward instead of a search
 * per participant; an id asked out of order falls back to the search. */
typedef struct {
    const int64_t *ids;
    size_t n, at;
} id_walk;

static bool id_walk_has(id_walk *w, int64_t id)
{
    if (w->at > 0 && w->ids[w->at - 1] > id)
        return id_in(w->ids, w->n, id);
    while (w->at < w->n && w->ids[w->at] < id)
        w->at++;
    return w->at < w->n && w->ids[w->at] == id;
}

static bool same_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return false;
    return *a == *b;
}

static bool code_starts_with(const char *code, const char *prefix)
{
    for (; *prefix; prefix++, code++)
        if (toupper((unsigned char)*code) != toupper((unsigned char)*prefix))
            return false;
    return true;
}

/* Ids of the first column of each row of sql (optionally only rows whose
 * second column starts with prefix), sorted. */
static cc_status read_ids(db *d, arena *a, const char *sql, const char *prefix, int64_t **ids,
                          size_t *n, cc_error *err)
{
    db_stmt *s;
    bigvec *v = bigvec_in_arena(a, sizeof(int64_t));
    *n = 0;
    *ids = NULL;
    if (!v)
        return out_of_memory(err);
    cc_status st = sql_scan(d, sql, NULL, 0, &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r;
    bool sorted = true;
    while ((r = db_step(s, err)) == DB_ROW) {
        if (prefix && !code_starts_with(db_col_text(s, 1), prefix))
            continue;
        int64_t *slot = bigvec_push_charged(a, v);
        if (!slot)
            break;
        *slot = db_col_int(s, 0);
        sorted = sorted && (v->n == 1 || slot[-1] <= *slot);
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r != DB_DONE)
        return out_of_memory(err);
    *ids = v->items;
    *n = v->n;
    if (*n && !sorted)
        qsort(*ids, *n, sizeof **ids, cmp_id);
    return CC_OK;
}

/* ---- plans -> participants ---- */

typedef struct {
    int64_t plan;
    size_t participant;
} plan_ref;

static int cmp_plan(const void *x, const void *y)
{
    const plan_ref *a = x, *b = y;
    return a->plan < b->plan ? -1 : a->plan > b->plan;
}

static plan_ref *plan_index(arena *a, const report_data *out, size_t *n)
{
    plan_ref *refs = arena_alloc(a, (out->n_participants + 1) * sizeof *refs);
    *n = 0;
    if (!refs)
        return NULL;
    bool sorted = true;
    for (size_t i = 0; i < out->n_participants; i++)
        if (out->participants[i].plan_id > 0) {
            refs[*n] = (plan_ref){out->participants[i].plan_id, i};
            sorted = sorted && (*n == 0 || refs[*n - 1].plan < refs[*n].plan);
            (*n)++;
        }
    if (!sorted) /* plans are usually numbered in patient order already */
        qsort(refs, *n, sizeof *refs, cmp_plan);
    return refs;
}

/* Rows of one plan are usually stored together, and plans in the order of
 * their ids: the last answer is kept, and the next few plans after it are
 * looked at before a search. */
typedef struct {
    const plan_ref *refs;
    size_t n, at; /* at: where the last plan asked would be in refs */
    int64_t last_plan;
    long last;
} plan_finder;

enum { PLAN_FINDER_STEPS = 8 };

static long find_plan(plan_finder *f, int64_t plan)
{
    if (plan == f->last_plan)
        return f->last;
    size_t at = f->at;
    if (plan > f->last_plan)
        for (size_t step = 0; at < f->n && f->refs[at].plan < plan && step < PLAN_FINDER_STEPS;
             step++)
            at++;
    if (at >= f->n || f->refs[at].plan != plan)
        at = lower_bound(f->refs, f->n, sizeof *f->refs, offsetof(plan_ref, plan), plan);
    f->at = at;
    f->last_plan = plan;
    return f->last = at < f->n && f->refs[at].plan == plan ? (long)f->refs[at].participant : -1;
}

/* Administrations per plan; *matched[i] when participant i has one of the
 * filter's product type and route. */
static cc_status count_administrations(db *d, const report_filter *f, const plan_ref *refs,
                                       size_t n_refs, report_data *out, bool *matched,
                                       cc_error *err)
{
    db_stmt *s;
    /* one pass in storage order: cheaper than grouping in SQL (a sort) */
    cc_status st = sql_scan(d,
                            only_stale(f) ? "SELECT plan_id, product_type, route, started_at"
                                            " FROM administrations WHERE" STALE_PATIENTS
                                          : "SELECT plan_id, product_type, route, started_at"
                                            " FROM administrations",
                            NULL, 0, &s, err);
    if (st != CC_OK)
        return st;
    plan_finder finder = {refs, n_refs, 0, INT64_MIN, -1};
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        long i = find_plan(&finder, db_col_int(s, 0));
        if (i < 0)
            continue;
        report_participant *p = &out->participants[i];
        p->administrations++;
        cc_date day;
        char text[CC_DATE_TEXT]; /* the day of the instant: its first ten characters */
        const char *started = db_col_text(s, 3);
        size_t len = strnlen(started, CC_DATE_TEXT - 1);
        memcpy(text, started, len);
        text[len] = '\0';
        if (date_parse_day(text, &day) &&
            (p->first_administration == REPORT_NO_DATE || day < p->first_administration))
            p->first_administration = day;
        if ((!f->product_type || same_ignoring_case(db_col_text(s, 1), f->product_type)) &&
            (!f->route || same_ignoring_case(db_col_text(s, 2), f->route)))
            matched[i] = true;
    }
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

/* ---- visits ---- */

static report_visit_status visit_status(const char *s)
{
    static const struct {
        const char *name;
        report_visit_status status;
    } resolved[] = {{"done", REPORT_VISIT_DONE},
                    {"missed", REPORT_VISIT_MISSED},
                    {"withdrawn", REPORT_VISIT_WITHDRAWN},
                    {"lost", REPORT_VISIT_LOST},
                    {"died", REPORT_VISIT_DIED}};
    /* the first letter rules out most words before a comparison */
    for (size_t i = 0; i < sizeof resolved / sizeof resolved[0]; i++)
        if (*s == resolved[i].name[0] && strcmp(s, resolved[i].name) == 0)
            return resolved[i].status;
    return REPORT_VISIT_SCHEDULED;
}

/* A plan's visits come in the order of their time points: the search starts
 * after the last one found. */
static long intern_timepoint(report_data *out, size_t max, const char *label, int months,
                             size_t *hint)
{
    for (size_t k = 0; k < out->n_timepoints; k++) {
        size_t i = *hint + k >= out->n_timepoints ? *hint + k - out->n_timepoints : *hint + k;
        if (strcmp(out->timepoints[i].label, label) == 0) {
            *hint = i + 1;
            return (long)i;
        }
    }
    if (out->n_timepoints == max || strlen(label) >= sizeof out->timepoints[0].label) {
        out->timepoints_truncated = true;
        return -1;
    }
    report_timepoint *t = &out->timepoints[out->n_timepoints];
    snprintf(t->label, sizeof t->label, "%s", label);
    t->months = months;
    return (long)out->n_timepoints++;
}

static int cmp_timepoint(const void *x, const void *y)
{
    const report_timepoint *a = x, *b = y;
    return a->months != b->months ? (a->months < b->months ? -1 : 1) : strcmp(a->label, b->label);
}

/* Orders the time points by months, then label; remap[old] is the new
 * index of each. Whether any moved. */
static bool sort_timepoints(report_data *out, uint16_t remap[REPORT_MAX_LABELS])
{
    report_timepoint before[REPORT_MAX_LABELS];
    memcpy(before, out->timepoints, out->n_timepoints * sizeof before[0]);
    qsort(out->timepoints, out->n_timepoints, sizeof out->timepoints[0], cmp_timepoint);
    bool moved = false;
    for (size_t i = 0; i < out->n_timepoints; i++)
        for (size_t j = 0; j < out->n_timepoints; j++)
            if (strcmp(before[i].label, out->timepoints[j].label) == 0) {
                remap[i] = (uint16_t)j;
                moved |= i != j;
            }
    return moved;
}

static cc_status load_visits(db *d, arena *a, const report_filter *f, const plan_ref *refs,
                             size_t n_refs, report_data *out, cc_error *err)
{
    bool stale = only_stale(f);
    size_t max_timepoints =
        f->purpose == REPORT_FOR_REPORT ? REPORT_MAX_TIMEPOINTS : REPORT_MAX_LABELS;
    /* every visit in storage order; those of other plans are skipped by the
     * plan index (a scan beats an index search plus a row lookup per visit,
     * and, on SQLite, selecting one programme's plans in SQL) */
    db_stmt *s;
    int64_t *links;
    size_t n_links;
    cc_status st = read_ids(d, a,
                            stale ? "SELECT visit_id FROM questionnaire_links WHERE instrument ="
                                    " 'satisfaction' AND" STALE_PATIENTS
                                  : "SELECT visit_id FROM questionnaire_links WHERE instrument ="
                                    " 'satisfaction'",
                            NULL, &links, &n_links, err);
    if (st != CC_OK)
        return st;
    bigvec *visits = bigvec_in_arena(a, sizeof(report_visit)),
           *owners = bigvec_in_arena(a, sizeof(uint32_t));
    if (!visits || !owners)
        return out_of_memory(err);
    if ((st = sql_scan(
             d,
             stale ? "SELECT plan_id, label, months, status, target_date, window_start,"
                     " window_end, id, instruments FROM followup_visits WHERE" STALE_PATIENTS
                   : "SELECT plan_id, label, months, status, target_date, window_start,"
                     " window_end, id, instruments FROM followup_visits",
             NULL, 0, &s, err)) != CC_OK)
        return st;
    plan_finder finder = {refs, n_refs, 0, INT64_MIN, -1};
    db_step_result r;
    bool grouped = true; /* the visits come participant after participant */
    size_t hint = 0;
    uint32_t last = 0;
    while ((r = db_step(s, err)) == DB_ROW) {
        long i = find_plan(&finder, db_col_int(s, 0));
        if (i < 0)
            continue;
        long t =
            intern_timepoint(out, max_timepoints, db_col_text(s, 1), (int)db_col_int(s, 2), &hint);
        if (t < 0) {
            out->participants[i].visits_left_out = true;
            continue;
        }
        report_visit *v = bigvec_push_charged(a, visits);
        uint32_t *owner = bigvec_push_charged(a, owners);
        if (!v || !owner)
            break;
        /* the list is a JSON array of instrument ids: the quoted id is enough */
        bool asks = strstr(db_col_text(s, 8), "\"satisfaction\"") != NULL;
        *v = (report_visit){day_or_none(s, 4),
                            day_or_none(s, 5),
                            day_or_none(s, 6),
                            visit_status(db_col_text(s, 3)),
                            (uint16_t)t,
                            asks,
                            id_in(links, n_links, db_col_int(s, 7))};
        *owner = (uint32_t)i;
        grouped = grouped && (owners->n == 1 || *owner >= last);
        last = *owner;
        out->any_visit_asks_satisfaction |= asks;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r != DB_DONE)
        return out_of_memory(err);
    size_t n = visits->n;
    report_visit *rows = visits->items;
    const uint32_t *owner = owners->items;
    uint16_t remap[REPORT_MAX_LABELS];
    bool moved = sort_timepoints(out, remap);
    for (size_t k = 0; moved && k < n; k++)
        rows[k].timepoint = remap[rows[k].timepoint];
    /* group by participant (counting sort keeps the rows' order within one);
     * rows already grouped stay where they are */
    for (size_t k = 0; k < n; k++)
        out->participants[owner[k]].n_visits++;
    size_t next = 0;
    for (size_t i = 0; i < out->n_participants; i++) {
        out->participants[i].first_visit = next;
        next += out->participants[i].n_visits;
        if (!grouped)
            out->participants[i].n_visits = 0;
    }
    out->n_visits = n;
    if (grouped) {
        out->visits = n ? rows : arena_alloc(a, sizeof *out->visits);
        return out->visits ? CC_OK : out_of_memory(err);
    }
    out->visits = arena_alloc(a, (n + 1) * sizeof *out->visits);
    if (!out->visits)
        return out_of_memory(err);
    for (size_t k = 0; k < n; k++) {
        report_participant *p = &out->participants[owner[k]];
        out->visits[p->first_visit + p->n_visits++] = rows[k];
    }
    return CC_OK;
}

/* ---- adverse events ---- */

static long first_participant(const report_data *out, int64_t patient)
{
    size_t lo = lower_bound(out->participants, out->n_participants, sizeof *out->participants,
                            offsetof(report_participant, patient_id), patient);
    return lo < out->n_participants && out->participants[lo].patient_id == patient ? (long)lo : -1;
}

static cc_status load_events(db *d, arena *a, report_data *out, cc_error *err)
{
    db_stmt *s;
    cc_status st =
        sql_scan(d,
                 "SELECT patient_id, term_code, term_text, grade, serious, onset_at, term_source"
                 " FROM adverse_events ORDER BY patient_id, onset_at, id",
                 NULL, 0, &s, err);
    if (st != CC_OK)
        return st;
    bigvec *events = bigvec_in_arena(a, sizeof(report_event));
    if (!events)
        return out_of_memory(err);
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        int64_t patient = db_col_int(s, 0);
        long first = first_participant(out, patient);
        if (first < 0)
            continue;
        size_t chosen = (size_t)first;
        for (size_t i = (size_t)first;
             i < out->n_participants && out->participants[i].patient_id == patient; i++)
            if (out->participants[i].plan_id > 0 && out->participants[i].administrations > 0) {
                chosen = i;
                break;
            }
        report_event *e = bigvec_push_charged(a, events);
        if (!e)
            break;
        const char *text = db_col_text(s, 2);
        *e = (report_event){chosen,
                            patient,
                            arena_strdup(a, *text ? text : db_col_text(s, 1)),
                            arena_strdup(a, db_col_text(s, 1)),
                            strcmp(db_col_text(s, 6), ADVERSE_SOURCE) != 0,
                            arena_strdup(a, db_col_text(s, 5)),
                            (int)db_col_int(s, 3),
                            db_col_int(s, 4) != 0};
        out->events = events->items;
        out->n_events = events->n;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE ? CC_OK : out_of_memory(err);
}

/* ---- the whole load ---- */

static void keep_participants(report_data *out, const bool *keep)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n_participants; i++)
        if (keep[i])
            out->participants[n++] = out->participants[i];
    out->n_participants = n;
}

static bool site_pooled(const report_filter *f, int64_t site)
{
    for (size_t i = 0; i < f->n_sites; i++)
        if (f->site_ids[i] == site)
            return true;
    return false;
}

/* What the filters read of the patients, read before they are applied (on
 * the digests' path, while another thread reads the digests): each
 * patient's site and synthetic flag, by id; the patients with a condition of
 * the filter's prefix (with a condition filter); those with a current
 * research consent (research_consent_only). */
typedef struct {
    int64_t id, site;
    bool synthetic;
} patient_row;

typedef struct {
    const patient_row *patients;
    size_t n_patients;
    int64_t *with_condition, *consented;
    size_t n_with_condition, n_consented;
} patient_facts;

static cc_status read_patient_facts(db *d, arena *a, const report_filter *f, patient_facts *pf,
                                    cc_error *err)
{
    memset(pf, 0, sizeof *pf);
    bigvec *rows = bigvec_in_arena(a, sizeof(patient_row));
    if (!rows)
        return out_of_memory(err);
    db_stmt *s;
    cc_status st =
        sql_scan(d, "SELECT id, site_id, synthetic FROM patients ORDER BY id", NULL, 0, &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r;
    patient_row *row = NULL;
    while ((r = db_step(s, err)) == DB_ROW && (row = bigvec_push_charged(a, rows)))
        *row = (patient_row){db_col_int(s, 0), db_col_int(s, 1), db_col_int(s, 2) != 0};
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r != DB_DONE)
        return out_of_memory(err);
    pf->patients = rows->items;
    pf->n_patients = rows->n;
    if (f->condition &&
        (st = read_ids(d, a, "SELECT patient_id, icd10 FROM patient_conditions", f->condition,
                       &pf->with_condition, &pf->n_with_condition, err)) != CC_OK)
        return st;
    if (f->research_consent_only)
        st = read_ids(d, a, "SELECT patient_id FROM research_consented", NULL, &pf->consented,
                      &pf->n_consented, err);
    return st;
}

/* Keeps the participants whose patient is one of ids (sorted). */
static cc_status keep_patients(arena *a, const int64_t *ids, size_t n, report_data *out,
                               cc_error *err)
{
    bool *keep = arena_alloc(a, out->n_participants + 1);
    if (!keep)
        return out_of_memory(err);
    id_walk walk = {ids, n, 0};
    for (size_t i = 0; i < out->n_participants; i++)
        keep[i] = id_walk_has(&walk, out->participants[i].patient_id);
    keep_participants(out, keep);
    return CC_OK;
}

/* Marks the synthetic participants; with a site filter keeps the patients
 * of its sites, with a condition filter those with the condition. The
 * patients and the participants both come in id order. */
static cc_status apply_patient_facts(arena *a, const report_filter *f, const patient_facts *pf,
                                     report_data *out, cc_error *err)
{
    bool *keep = arena_alloc(a, out->n_participants + 1);
    if (!keep)
        return out_of_memory(err);
    for (size_t i = 0, j = 0; i < out->n_participants; i++) {
        report_participant *p = &out->participants[i];
        while (j < pf->n_patients && pf->patients[j].id < p->patient_id)
            j++;
        bool found = j < pf->n_patients && pf->patients[j].id == p->patient_id;
        p->synthetic = found && pf->patients[j].synthetic;
        /* a participant without a patient row has no site */
        keep[i] = f->n_sites == 0 || (found && site_pooled(f, pf->patients[j].site));
    }
    if (f->n_sites)
        keep_participants(out, keep);
    return f->condition ? keep_patients(a, pf->with_condition, pf->n_with_condition, out, err)
                        : CC_OK;
}

/* Keeps the participants whose patient has a current research consent and
 * counts the patients left out. */
static cc_status keep_research_consented(arena *a, const patient_facts *pf, report_data *out,
                                         cc_error *err)
{
    bool *keep = arena_alloc(a, out->n_participants + 1);
    if (!keep)
        return out_of_memory(err);
    int64_t last_out = 0;
    id_walk walk = {pf->consented, pf->n_consented, 0};
    for (size_t i = 0; i < out->n_participants; i++) {
        int64_t patient = out->participants[i].patient_id;
        keep[i] = id_walk_has(&walk, patient);
        if (!keep[i] && patient != last_out) {
            out->left_out_no_research_consent++;
            last_out = patient;
        }
    }
    keep_participants(out, keep);
    return CC_OK;
}

cc_status report_store_load(db *d, arena *a, const report_filter *f, report_data *out,
                            cc_error *err)
{
    memset(out, 0, sizeof *out);
    protocol_set *protocols = arena_alloc(a, sizeof *protocols);
    entry *entries = NULL;
    size_t n_entries = 0, n_refs = 0;
    if (!protocols)
        return out_of_memory(err);
    protocols->n = 0;
    cc_status st = read_entries(d, a, f, protocols, &entries, &n_entries, err);
    if (st == CC_OK)
        st = build_participants(a, entries, n_entries, protocols, out, err);
    bool report = f->purpose == REPORT_FOR_REPORT;
    patient_facts facts;
    if (st == CC_OK && report && (st = read_patient_facts(d, a, f, &facts, err)) == CC_OK)
        st = apply_patient_facts(a, f, &facts, out, err);
    if (st != CC_OK)
        return st;
    plan_ref *refs = plan_index(a, out, &n_refs);
    bool *matched = arena_alloc(a, out->n_participants + 1);
    if (!refs || !matched)
        return out_of_memory(err);
    memset(matched, 0, out->n_participants + 1);
    if ((st = count_administrations(d, f, refs, n_refs, out, matched, err)) != CC_OK)
        return st;
    if (f->product_type || f->route)
        keep_participants(out, matched);
    if (report && f->research_consent_only &&
        (st = keep_research_consented(a, &facts, out, err)) != CC_OK)
        return st;
    if ((f->product_type || f->route || f->research_consent_only) &&
        !(refs = plan_index(a, out, &n_refs)))
        return out_of_memory(err);
    if ((st = load_visits(d, a, f, refs, n_refs, out, err)) != CC_OK ||
        (report && (st = load_events(d, a, out, err)) != CC_OK))
        return st;
    return measure_names_load(d, a, &out->measures, &out->n_measures, err);
}

/* ---- the same data from the report digests ----
 *
 * Read in three steps so that the time points are those of the kept
 * participants, as when the tables are read: the digests into participants
 * (a visit names its label by an index into labels), then the filters, then
 * the kept participants' visits interned as time points. */

enum { DIGEST_LABELS_MAX = REPORT_MAX_LABELS };

typedef struct {
    uint16_t label; /* index into labels; DIGEST_LABELS_MAX: over the limit */
    int32_t months;
    cc_date target, window_start, window_end;
    uint8_t status;
    bool asks_satisfaction, satisfaction_link;
} pending_visit;

typedef struct {
    arena *a;
    const report_filter *f;
    report_data *out;
    protocol_set *protocols;
    bigvec *participants, *visits, *values, *seen;
    char (*labels)[DIGEST_LABEL_MAX + 1];
    size_t n_labels, label_hint;
    const sql_patient_bytes *fresh;
    size_t n_fresh, next_fresh;
    int last_protocol; /* the protocol interned last, -1 */
} digest_load;

static cc_status bad_digest(cc_error *err, int64_t patient)
{
    return cc_fail(err, CC_STORAGE, NULL, "report_digest_damaged",
                   "the stored report digest of patient %lld is damaged: the report is refused "
                   "rather than wrong",
                   (long long)patient);
}

static uint16_t intern_label(digest_load *c, const char *label)
{
    for (size_t k = 0; k < c->n_labels; k++) {
        size_t i = (c->label_hint + k) % c->n_labels;
        if (strcmp(c->labels[i], label) == 0) {
            c->label_hint = i + 1;
            return (uint16_t)i;
        }
    }
    if (c->n_labels == DIGEST_LABELS_MAX)
        return DIGEST_LABELS_MAX;
    snprintf(c->labels[c->n_labels], sizeof c->labels[0], "%s", label);
    return (uint16_t)c->n_labels++;
}

static cc_status read_participant(digest_load *c, int64_t patient, digest_reader *r, cc_error *err)
{
    digest_head h;
    if (!digest_get_head(r, &h))
        return bad_digest(err, patient);
    if (c->f->protocol && strcmp(h.protocol, c->f->protocol) != 0)
        return digest_skip(r, &h) ? CC_OK : bad_digest(err, patient);
    int protocol =
        c->last_protocol >= 0 && strcmp(c->protocols->names[c->last_protocol], h.protocol) == 0
            ? c->last_protocol
            : intern_protocol(c->a, c->protocols, h.protocol);
    if (protocol < 0)
        return cc_fail(err, CC_INVALID, "protocol", "too_many", "more than %d protocols",
                       REPORT_MAX_PROTOCOLS);
    c->last_protocol = protocol;
    report_participant *p = bigvec_push_charged(c->a, c->participants);
    if (!p)
        return out_of_memory(err);
    *p = (report_participant){.patient_id = patient,
                              .plan_id = h.plan_id,
                              .protocol = c->protocols->names[protocol],
                              .screened = h.screened,
                              .eligible = h.eligible,
                              .screened_on = h.screened_on,
                              .start = h.start,
                              .first_administration = h.first_administration,
                              .administrations = h.administrations,
                              .visits_left_out = h.visits_left_out,
                              .first_visit = c->visits->n,
                              .n_visits = h.n_visits,
                              .first_value = c->values->n,
                              .n_values = h.n_values,
                              .first_seen = c->seen->n,
                              .n_seen = h.n_seen};
    for (size_t k = 0; k < h.n_visits; k++) {
        digest_visit v;
        pending_visit *pv;
        if (!digest_get_visit(r, &v) || v.status > REPORT_VISIT_DIED)
            return bad_digest(err, patient);
        if (!(pv = bigvec_push_charged(c->a, c->visits)))
            return out_of_memory(err);
        *pv = (pending_visit){intern_label(c, v.label), v.months,           v.target,
                              v.window_start,           v.window_end,       v.status,
                              v.asks_satisfaction,      v.satisfaction_link};
    }
    for (size_t k = 0; k < h.n_seen; k++) {
        uint32_t measure, *slot;
        if (!digest_get_seen(r, &measure))
            return bad_digest(err, patient);
        if (!(slot = bigvec_push_charged(c->a, c->seen)))
            return out_of_memory(err);
        *slot = measure;
    }
    for (size_t k = 0; k < h.n_values; k++) {
        digest_value v;
        report_value *slot;
        if (!digest_get_value(r, &v) || v.slot > h.n_visits)
            return bad_digest(err, patient);
        if (!(slot = bigvec_push_charged(c->a, c->values)))
            return out_of_memory(err);
        *slot = (report_value){v.measure, v.slot, v.value}; /* t: the slot, for now */
    }
    return CC_OK;
}

static cc_status read_digest(digest_load *c, int64_t patient, const unsigned char *bytes,
                             size_t len, cc_error *err)
{
    digest_reader r;
    digest_reader_init(&r, bytes, len);
    cc_status st = CC_OK;
    while (st == CC_OK && digest_more(&r))
        st = read_participant(c, patient, &r, err);
    return st;
}

/* The fresh digests before patient, then patient's own: the fresh one when
 * there is one (its stored one is stale). */
static cc_status on_stored_digest(void *ctx, int64_t patient, const unsigned char *bytes,
                                  size_t len, cc_error *err)
{
    digest_load *c = ctx;
    cc_status st = CC_OK;
    for (;
         st == CC_OK && c->next_fresh < c->n_fresh && c->fresh[c->next_fresh].patient_id < patient;
         c->next_fresh++)
        st = read_digest(c, c->fresh[c->next_fresh].patient_id, c->fresh[c->next_fresh].bytes,
                         c->fresh[c->next_fresh].len, err);
    if (st != CC_OK)
        return st;
    if (c->next_fresh < c->n_fresh && c->fresh[c->next_fresh].patient_id == patient) {
        const sql_patient_bytes *f = &c->fresh[c->next_fresh++];
        return read_digest(c, patient, f->bytes, f->len, err);
    }
    return read_digest(c, patient, bytes, len, err);
}

/* The kept participants' visits as time points, their values' slots as
 * time points (t), in place: visits of a label over the limits are dropped
 * with their values, as when the tables are read. */
static cc_status intern_digest_visits(digest_load *c, cc_error *err)
{
    report_data *out = c->out;
    const pending_visit *pending = c->visits->items;
    report_value *values = c->values->items;
    out->visits = arena_alloc(c->a, (c->visits->n + 1) * sizeof *out->visits);
    if (!out->visits)
        return out_of_memory(err);
    size_t n = 0, hint = 0;
    for (size_t i = 0; i < out->n_participants; i++) {
        report_participant *p = &out->participants[i];
        int16_t slot_tp[1 + DIGEST_COUNT_MAX / 256]; /* small plans: most have a few visits */
        int16_t *tp = p->n_visits < sizeof slot_tp / sizeof slot_tp[0]
                          ? slot_tp
                          : arena_alloc(c->a, (p->n_visits + 1) * sizeof *tp);
        if (!tp)
            return out_of_memory(err);
        size_t first = n;
        for (size_t k = 0; k < p->n_visits; k++) {
            const pending_visit *v = &pending[p->first_visit + k];
            long t = v->label == DIGEST_LABELS_MAX
                         ? (out->timepoints_truncated = true, -1)
                         : intern_timepoint(out, REPORT_MAX_TIMEPOINTS, c->labels[v->label],
                                            v->months, &hint);
            tp[k + 1] = (int16_t)t;
            if (t < 0)
                continue;
            out->visits[n++] = (report_visit){v->target,           v->window_start,
                                              v->window_end,       (report_visit_status)v->status,
                                              (uint16_t)t,         v->asks_satisfaction,
                                              v->satisfaction_link};
            out->any_visit_asks_satisfaction |= v->asks_satisfaction;
        }
        p->first_visit = first;
        p->n_visits = n - first;
        out->timepoints_truncated |= p->visits_left_out;
        for (size_t k = 0; k < p->n_values; k++) {
            report_value *v = &values[p->first_value + k];
            v->t = v->t == 0 ? 0 : tp[v->t] < 0 ? UINT16_MAX : (uint16_t)(tp[v->t] + 1);
        }
    }
    out->n_visits = n;
    uint16_t remap[REPORT_MAX_LABELS];
    if (!sort_timepoints(out, remap))
        return CC_OK;
    for (size_t k = 0; k < n; k++)
        out->visits[k].timepoint = remap[out->visits[k].timepoint];
    for (size_t i = 0; i < out->n_participants; i++) {
        const report_participant *p = &out->participants[i];
        for (size_t k = 0; k < p->n_values; k++) {
            report_value *v = &values[p->first_value + k];
            if (v->t != 0 && v->t != UINT16_MAX)
                v->t = (uint16_t)(remap[v->t - 1] + 1);
        }
    }
    return CC_OK;
}

/* ---- the digests read on this thread, decoded on another ----
 *
 * SQLite's or libpq's stepping and the decoding take about as long as each
 * other at a million patients: this thread copies the rows into batches
 * and, once the digests are read, reads the patients' facts on the same
 * connection (the same snapshot), while a second thread decodes the
 * batches in order. Without a second thread the digests are decoded here. */

enum { BATCH_ROWS = 4096, BATCHES = 3 };

typedef struct {
    size_t n, len, cap;
    int64_t patient[BATCH_ROWS];
    size_t end[BATCH_ROWS]; /* where each row's bytes end in bytes */
    unsigned char *bytes;
} digest_batch;

typedef struct {
    digest_load *c;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    digest_batch batches[BATCHES];
    size_t filled, decoded; /* batches handed over / decoded, counting on */
    bool finished;          /* no more batches */
    bool failed;            /* the decoder stopped at an error: err */
    cc_error err;
    digest_batch *filling;
} batch_pipe;

static cc_status decode_batch(digest_load *c, const digest_batch *b, cc_error *err)
{
    cc_status st = CC_OK;
    for (size_t i = 0, start = 0; st == CC_OK && i < b->n; start = b->end[i++])
        st = on_stored_digest(c, b->patient[i], b->bytes + start, b->end[i] - start, err);
    return st;
}

static void *decode_batches(void *arg)
{
    batch_pipe *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->decoded == p->filled && !p->finished)
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->decoded == p->filled)
            break;
        digest_batch *b = &p->batches[p->decoded % BATCHES];
        pthread_mutex_unlock(&p->lock);
        cc_status st = decode_batch(p->c, b, &p->err);
        pthread_mutex_lock(&p->lock);
        p->decoded++;
        pthread_cond_broadcast(&p->changed);
        if (st != CC_OK) {
            p->failed = true;
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Hands the batch being filled over and waits for a free one. */
static void hand_over(batch_pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->filled++;
    pthread_cond_broadcast(&p->changed);
    while (p->filled - p->decoded == BATCHES && !p->failed)
        pthread_cond_wait(&p->changed, &p->lock);
    p->filling = &p->batches[p->filled % BATCHES];
    p->filling->n = p->filling->len = 0;
    pthread_mutex_unlock(&p->lock);
}

static cc_status on_digest_row(void *ctx, int64_t patient, const unsigned char *bytes, size_t len,
                               cc_error *err)
{
    batch_pipe *p = ctx;
    digest_batch *b = p->filling;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : (size_t)1 << 20;
        while (cap < b->len + len)
            cap *= 2;
        unsigned char *grown = realloc(b->bytes, cap);
        if (!grown)
            return out_of_memory(err);
        b->bytes = grown;
        b->cap = cap;
    }
    memcpy(b->bytes + b->len, bytes, len);
    b->len += len;
    b->patient[b->n] = patient;
    b->end[b->n++] = b->len;
    if (b->n == BATCH_ROWS)
        hand_over(p);
    pthread_mutex_lock(&p->lock);
    cc_status st = CC_OK;
    if (p->failed) { /* the decoder's error ends the scan */
        *err = p->err;
        st = err->status;
    }
    pthread_mutex_unlock(&p->lock);
    return st;
}

/* The stored digests into c, and the patients' facts into facts (from
 * facts_arena), in the caller's read transaction. */
static cc_status read_digests_beside(db *d, digest_load *c, const report_filter *f,
                                     arena *facts_arena, patient_facts *facts, cc_error *err)
{
    batch_pipe *p = calloc(1, sizeof *p);
    pthread_t thread;
    if (!p || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        cc_status st = report_digests_scan(d, on_stored_digest, c, err);
        return st == CC_OK ? read_patient_facts(d, facts_arena, f, facts, err) : st;
    }
    pthread_cond_init(&p->changed, NULL);
    p->c = c;
    p->filling = &p->batches[0];
    bool threaded = pthread_create(&thread, NULL, decode_batches, p) == 0;
    cc_status st = threaded ? report_digests_scan(d, on_digest_row, p, err)
                            : report_digests_scan(d, on_stored_digest, c, err);
    if (threaded) {
        pthread_mutex_lock(&p->lock);
        if (st == CC_OK && p->filling->n > 0) {
            p->filled++;
            pthread_cond_broadcast(&p->changed);
        }
        p->finished = true;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
    /* the facts are read while the last batches are decoded */
    if (st == CC_OK)
        st = read_patient_facts(d, facts_arena, f, facts, err);
    if (threaded) {
        pthread_join(thread, NULL);
        if (p->failed) {
            *err = p->err;
            st = err->status;
        }
    }
    for (size_t i = 0; i < BATCHES; i++)
        free(p->batches[i].bytes);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return st;
}

cc_status report_store_load_digests(db *d, arena *a, const report_filter *f,
                                    const sql_patient_bytes *fresh, size_t n_fresh,
                                    report_data *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (f->product_type || f->route)
        return cc_fail(err, CC_INVALID, "product_type", "invalid_value",
                       "the report digests do not carry product types and routes");
    digest_load c = {a,
                     f,
                     out,
                     arena_alloc(a, sizeof *c.protocols),
                     bigvec_in_arena(a, sizeof(report_participant)),
                     bigvec_in_arena(a, sizeof(pending_visit)),
                     bigvec_in_arena(a, sizeof(report_value)),
                     bigvec_in_arena(a, sizeof(uint32_t)),
                     arena_alloc(a, DIGEST_LABELS_MAX * sizeof *c.labels),
                     0,
                     0,
                     fresh,
                     n_fresh,
                     0,
                     -1};
    if (!c.protocols || !c.participants || !c.visits || !c.values || !c.seen || !c.labels)
        return out_of_memory(err);
    c.protocols->n = 0;
    /* the patients' facts go to an arena of their own: the decoding thread
     * has a to itself until it is joined */
    arena *facts_arena = arena_create((size_t)4 << 30);
    patient_facts facts;
    cc_status st = facts_arena ? intern_registered(d, a, c.protocols, err) : out_of_memory(err);
    if (st == CC_OK)
        st = read_digests_beside(d, &c, f, facts_arena, &facts, err);
    for (; st == CC_OK && c.next_fresh < n_fresh; c.next_fresh++)
        st = read_digest(&c, fresh[c.next_fresh].patient_id, fresh[c.next_fresh].bytes,
                         fresh[c.next_fresh].len, err);
    if (st == CC_OK) {
        out->participants = c.participants->items;
        out->n_participants = c.participants->n;
        out->values = c.values->items;
        out->n_values = c.values->n;
        out->seen = c.seen->items;
        out->n_seen = c.seen->n;
        st = apply_patient_facts(a, f, &facts, out, err);
    }
    if (st == CC_OK && f->research_consent_only)
        st = keep_research_consented(a, &facts, out, err);
    arena_release(facts_arena);
    if (st == CC_OK)
        st = intern_digest_visits(&c, err);
    if (st == CC_OK)
        st = load_events(d, a, out, err);
    if (st != CC_OK)
        return st;
    return measure_names_load(d, a, &out->measures, &out->n_measures, err);
}

cc_status report_store_series(db *d, bool stale, report_series_fn fn, void *ctx, cc_error *err)
{
    db_stmt *s;
    cc_status st = sql_scan(d,
                            stale ? "SELECT patient_id, records FROM measure_series"
                                    " WHERE" STALE_PATIENTS " ORDER BY patient_id"
                                  : "SELECT patient_id, records FROM measure_series"
                                    " ORDER BY patient_id",
                            NULL, 0, &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        size_t len;
        const unsigned char *bytes = db_col_blob(s, 1, &len);
        fn(ctx, db_col_int(s, 0), bytes, len);
    }
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

/* ---- the smallest group shown to an analyst ---- */

static const char MIN_GROUP_SETTING[] = "report_min_group";

cc_status report_store_min_group(db *d, int *out, cc_error *err)
{
    return clinic_setting_get(d, MIN_GROUP_SETTING, REPORT_MIN_GROUP_DEFAULT, 1,
                              REPORT_MIN_GROUP_MAX, out, err);
}

cc_status report_store_set_min_group(db *d, const store_actor *actor, int value, cc_error *err)
{
    return clinic_setting_set(d, actor, MIN_GROUP_SETTING, REPORT_MIN_GROUP_DEFAULT, value, err);
}
