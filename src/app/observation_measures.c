#include "app/observation_measures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigvec.h"
#include "core/score_scan.h"
#include "store/measure_series.h"

static void put(measure_value *out, size_t *n, size_t cap, const char *score, double value)
{
    if (*n >= cap || !isfinite(value) || strlen(score) > MEASURE_NAME_MAX)
        return;
    snprintf(out[*n].score, sizeof out[*n].score, "%s", score);
    out[(*n)++].value = value;
}

static size_t isncsci_measures(const json_t *scores, measure_value *out, size_t cap)
{
    size_t n = 0;
    const char *g = json_string_value(
        json_object_get(json_object_get(scores, "classification"), "ASIAImpairmentScale"));
    if (g && g[0] >= 'A' && g[0] <= 'E' && g[1] == '\0')
        put(out, &n, cap, MEASURE_AIS_SCORE, g[0] - 'A');
    static const char *const totals[][2] = {{"upperExtremity", "uems"},
                                            {"lowerExtremity", "lems"},
                                            {"lightTouch", "light_touch"},
                                            {"pinPrick", "pin_prick"}};
    const json_t *t = json_object_get(scores, "totals");
    for (size_t i = 0; i < 4; i++) {
        /* totals are strings: "ND" (not determinable) gives no value */
        const char *v = json_string_value(json_object_get(t, totals[i][0]));
        char *end;
        double x = v ? strtod(v, &end) : 0;
        if (v && *v && !*end)
            put(out, &n, cap, totals[i][1], x);
    }
    return n;
}

size_t observation_measures(const char *instrument, const json_t *scores, measure_value *out,
                            size_t cap)
{
    if (strcmp(instrument, "isncsci") == 0)
        return isncsci_measures(scores, out, cap);
    /* other instruments store the scoring answer {"instrument","version","scores":{...}} */
    const json_t *inner = json_object_get(scores, "scores");
    if (json_is_object(inner))
        scores = inner;
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)scores, key, v)
    {
        if (json_is_number(v) && strcmp(key, MEASURE_AIS_SCORE) != 0)
            put(out, &n, cap, key, json_number_value(v));
    }
    return n;
}

size_t observation_measures_text(const char *instrument, const char *scores_json,
                                 measure_value *out, size_t cap)
{
    size_t n;
    if (score_scan(instrument, scores_json, out, cap, &n))
        return n;
    json_t *parsed = json_loads(scores_json, 0, NULL);
    n = parsed ? observation_measures(instrument, parsed, out, cap) : 0;
    json_decref(parsed);
    return n;
}

/* (instrument, score) -> id, cached for the rebuild (few distinct names) */
typedef struct {
    char instrument[MEASURE_NAME_MAX + 1], score[MEASURE_NAME_MAX + 1];
    uint32_t id;
} name_cache;

enum { NAME_CACHE = 256 };

static cc_status cached_id(db *d, name_cache *cache, size_t *n, size_t *next,
                           const char *instrument, const char *score, uint32_t *id, cc_error *err)
{
    /* the names of one instrument come in the same order each time: look
     * from the entry after the last hit */
    for (size_t k = 0; k < *n; k++) {
        size_t i = (*next + k) % *n;
        if (strcmp(cache[i].score, score) == 0 && strcmp(cache[i].instrument, instrument) == 0) {
            *id = cache[i].id;
            *next = i + 1;
            return CC_OK;
        }
    }
    cc_status st = measure_name_id(d, instrument, score, id, err);
    if (st == CC_OK && *n < NAME_CACHE && strlen(instrument) <= MEASURE_NAME_MAX) {
        snprintf(cache[*n].instrument, sizeof cache[*n].instrument, "%.40s", instrument);
        snprintf(cache[*n].score, sizeof cache[*n].score, "%.40s", score);
        cache[(*n)++].id = *id;
    }
    return st;
}

/* The records of one observation: items[first .. next group's first). */
typedef struct {
    int64_t patient;
    size_t first;
} obs_group;

static int cmp_group(const void *x, const void *y)
{
    const obs_group *a = x, *b = y;
    if (a->patient != b->patient)
        return a->patient < b->patient ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Orders the groups by patient, keeping the stored order within a patient:
 * by counting when the ids are dense (they are row ids), else by sorting. */
static bool order_groups(bigvec *v)
{
    obs_group *items = v->items;
    if (v->n == 0)
        return true;
    int64_t lo = items[0].patient, hi = lo;
    for (size_t i = 1; i < v->n; i++) {
        lo = items[i].patient < lo ? items[i].patient : lo;
        hi = items[i].patient > hi ? items[i].patient : hi;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    if (span > 4 * (uint64_t)v->n + 1024) {
        qsort(items, v->n, sizeof *items, cmp_group);
        return true;
    }
    size_t *start = calloc((size_t)span + 1, sizeof *start);
    obs_group *sorted = malloc(v->n * sizeof *sorted);
    if (!start || !sorted) {
        free(start);
        free(sorted);
        return false;
    }
    for (size_t i = 0; i < v->n; i++)
        start[items[i].patient - lo + 1]++;
    for (size_t k = 1; k <= span; k++)
        start[k] += start[k - 1];
    for (size_t i = 0; i < v->n; i++)
        sorted[start[items[i].patient - lo]++] = items[i];
    free(start);
    memcpy(items, sorted, v->n * sizeof *items);
    free(sorted);
    return true;
}

/* The encoded series of consecutive patients, written in one statement
 * once MEASURE_SERIES_CHUNK are held: one chunk's bytes at a time. */
typedef struct {
    measure_series_row rows[MEASURE_SERIES_CHUNK];
    size_t n;
    unsigned char *bytes;
    size_t len, cap;
} series_chunk;

/* Room for the next patient's len bytes of series, at the end of the
 * chunk's bytes; NULL when out of memory. */
static unsigned char *chunk_append(series_chunk *c, int64_t patient, size_t len)
{
    if (c->len + len > c->cap) {
        size_t cap = c->cap ? c->cap : 1 << 16;
        while (cap < c->len + len)
            cap *= 2;
        unsigned char *grown = realloc(c->bytes, cap);
        if (!grown)
            return NULL;
        c->bytes = grown;
        c->cap = cap;
    }
    c->rows[c->n++] = (measure_series_row){patient, NULL, len};
    c->len += len;
    return c->bytes + c->len - len;
}

static cc_status chunk_flush(db *d, series_chunk *c, cc_error *err)
{
    /* the rows point into the bytes only now: growing them may move them */
    size_t at = 0;
    for (size_t i = 0; i < c->n; i++) {
        c->rows[i].bytes = c->bytes + at;
        at += c->rows[i].len;
    }
    cc_status st = measure_series_insert(d, c->rows, c->n, err);
    c->n = 0;
    c->len = 0;
    return st;
}

/* Writes one series per patient: the groups, ordered by patient, each the
 * records [first group's end, its end) (ends[k], k the group's number in
 * stored order, held in .first). */
static cc_status write_series(db *d, const obs_group *groups, size_t n_groups, const size_t *ends,
                              const measure_record *records, cc_error *err)
{
    series_chunk *chunk = calloc(1, sizeof *chunk);
    if (!chunk)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    cc_status st = CC_OK;
    for (size_t g = 0; st == CC_OK && g < n_groups;) {
        int64_t patient = groups[g].patient;
        size_t end = g, count = 0;
        for (; end < n_groups && groups[end].patient == patient; end++) {
            size_t k = groups[end].first;
            count += ends[k] - (k == 0 ? 0 : ends[k - 1]);
        }
        unsigned char *out = chunk_append(chunk, patient, count * MEASURE_RECORD_BYTES);
        if (!out)
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        for (; st == CC_OK && g < end; g++) {
            size_t k = groups[g].first, from = k == 0 ? 0 : ends[k - 1];
            measure_series_encode(records + from, ends[k] - from, out);
            out += (ends[k] - from) * MEASURE_RECORD_BYTES;
        }
        if (st == CC_OK && chunk->n == MEASURE_SERIES_CHUNK)
            st = chunk_flush(d, chunk, err);
    }
    if (st == CC_OK)
        st = chunk_flush(d, chunk, err);
    free(chunk->bytes);
    free(chunk);
    return st;
}

/* What the rebuild keeps while it reads the observations: the values of
 * every observation (16 bytes a value) and where each observation's values
 * start (16 bytes an observation). */
typedef struct {
    db *d;
    name_cache *cache;
    size_t n_cache, next_name;
    bigvec list, groups;
} rebuild_ctx;

static cc_status keep_observation(void *ctx, int64_t patient_id, const char *instrument,
                                  const char *observed_on, const char *scores, cc_error *err)
{
    rebuild_ctx *c = ctx;
    cc_date day;
    cc_error ignored;
    if (date_parse(observed_on, "observed_on", &day, &ignored) != CC_OK)
        return CC_OK;
    measure_value values[OBSERVATION_MEASURES_MAX];
    size_t n = observation_measures_text(instrument, scores, values, OBSERVATION_MEASURES_MAX);
    obs_group *group = n ? bigvec_push(&c->groups) : NULL;
    if (n && !group)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (group)
        *group = (obs_group){patient_id, c->list.n};
    for (size_t i = 0; i < n; i++) {
        measure_record rec = {day, 0, values[i].value};
        cc_status st = cached_id(c->d, c->cache, &c->n_cache, &c->next_name, instrument,
                                 values[i].score, &rec.measure, err);
        if (st != CC_OK)
            return st;
        measure_record *slot = bigvec_push(&c->list);
        if (!slot)
            return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        *slot = rec;
    }
    return CC_OK;
}

/* Reads every observation once in stored order, keeps the values in memory,
 * then writes the series of MEASURE_SERIES_CHUNK patients at a time. */
static cc_status rebuild(db *d, cc_error *err)
{
    rebuild_ctx c = {d, malloc(NAME_CACHE * sizeof *c.cache), 0, 0, {0}, {0}};
    bigvec_init(&c.list, sizeof(measure_record));
    bigvec_init(&c.groups, sizeof(obs_group));
    cc_status st = c.cache ? measure_series_reset(d, err)
                           : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK)
        st = measure_series_scan_observations(d, keep_observation, &c, err);
    size_t n_groups = c.groups.n;
    obs_group *group_at = c.groups.items;
    /* each group's end, before the order changes */
    size_t *ends = st == CC_OK ? malloc((n_groups + 1) * sizeof *ends) : NULL;
    if (st == CC_OK && !ends)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    for (size_t g = 0; st == CC_OK && g < n_groups; g++)
        ends[g] = g + 1 < n_groups ? group_at[g + 1].first : c.list.n;
    for (size_t g = 0; st == CC_OK && g < n_groups; g++) /* first -> its group, to find its end */
        group_at[g].first = g;
    if (st == CC_OK && !order_groups(&c.groups))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK)
        st = write_series(d, c.groups.items, n_groups, ends, c.list.items, err);
    if (st == CC_OK)
        st = measure_series_mark_built(d, err);
    free(ends);
    bigvec_free(&c.groups);
    bigvec_free(&c.list);
    free(c.cache);
    return st;
}

cc_status observation_measures_ensure(db *d, bool force, cc_error *err)
{
    bool built = false;
    cc_status st = force ? CC_OK : measure_series_built(d, &built, err);
    if (st != CC_OK || built)
        return st;
    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    return db_tx_end(d, rebuild(d, err), err);
}
