#include "app/observation_measures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static cc_status cached_id(db *d, name_cache *cache, size_t *n, const char *instrument,
                           const char *score, uint32_t *id, cc_error *err)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(cache[i].score, score) == 0 && strcmp(cache[i].instrument, instrument) == 0) {
            *id = cache[i].id;
            return CC_OK;
        }
    cc_status st = measure_name_id(d, instrument, score, id, err);
    if (st == CC_OK && *n < NAME_CACHE && strlen(instrument) <= MEASURE_NAME_MAX) {
        snprintf(cache[*n].instrument, sizeof cache[*n].instrument, "%.40s", instrument);
        snprintf(cache[*n].score, sizeof cache[*n].score, "%.40s", score);
        cache[(*n)++].id = *id;
    }
    return st;
}

typedef struct {
    measure_record *items;
    size_t n, cap;
} record_list;

static bool record_push(record_list *l, measure_record r)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        measure_record *fresh = realloc(l->items, cap * sizeof *fresh);
        if (!fresh)
            return false;
        l->items = fresh;
        l->cap = cap;
    }
    l->items[l->n++] = r;
    return true;
}

static cc_status rebuild(db *d, cc_error *err)
{
    cc_status st = measure_series_reset(d, err);
    db_stmt *s = NULL;
    if (st == CC_OK)
        st = db_prepare(d,
                        "SELECT patient_id, instrument, observed_on, scores FROM observations"
                        " ORDER BY patient_id, id",
                        &s, err);
    if (st != CC_OK)
        return st;
    name_cache *cache = malloc(NAME_CACHE * sizeof *cache);
    size_t n_cache = 0;
    record_list list = {0};
    int64_t patient = 0;
    db_step_result r = DB_DONE;
    measure_value values[OBSERVATION_MEASURES_MAX];
    if (!cache)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    while (st == CC_OK && (r = db_step(s, err)) == DB_ROW) {
        int64_t pid = db_col_int(s, 0);
        if (pid != patient && list.n) {
            st = measure_series_put(d, patient, list.items, list.n, err);
            list.n = 0;
        }
        patient = pid;
        cc_date day;
        cc_error ignored;
        const char *instrument = db_col_text(s, 1);
        if (st != CC_OK || date_parse(db_col_text(s, 2), "observed_on", &day, &ignored) != CC_OK)
            continue;
        size_t n = observation_measures_text(instrument, db_col_text(s, 3), values,
                                             OBSERVATION_MEASURES_MAX);
        for (size_t i = 0; st == CC_OK && i < n; i++) {
            measure_record rec = {day, 0, values[i].value};
            st = cached_id(d, cache, &n_cache, instrument, values[i].score, &rec.measure, err);
            if (st == CC_OK && !record_push(&list, rec))
                st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        }
    }
    if (st == CC_OK && r == DB_ERROR)
        st = err->status;
    db_done(s);
    if (st == CC_OK && list.n)
        st = measure_series_put(d, patient, list.items, list.n, err);
    if (st == CC_OK)
        st = measure_series_mark_built(d, err);
    free(list.items);
    free(cache);
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
