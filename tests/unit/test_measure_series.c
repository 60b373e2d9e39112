/* Measure series: the codec (every record round-trips, the bytes are
 * little-endian), the report digests' codec (every participant round-trips,
 * a cut or damaged digest is refused without reading past its end), the store (appends commit with
 * the observation, a rebuild from the stored observations gives the same series) and the extraction
 * of values from stored score documents. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/observation_measures.h"
#include "core/measure_series.h"
#include "core/report_digest.h"
#include "core/score_scan.h"
#include "store/datadir.h"
#include "store/measure_series.h"
#include "store/observations.h"
#include "store/patients.h"
#include "store/sql.h"
#include "datadir_fixture.h"

static const store_actor ACTOR = {0, "test"};

/* ---- codec ---- */

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_codec_round_trip(void **state)
{
    (void)state;
    enum { N = 4096 };
    static measure_record in[N];
    static unsigned char bytes[N * MEASURE_RECORD_BYTES];
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = next_random(&seed);
        /* days from 1900 to 2199, any measure id, values of every magnitude and sign */
        in[i].day = (cc_date)(-25567 + (int64_t)(r % 109574));
        in[i].measure = (uint32_t)(r >> 32);
        in[i].value = ((double)(int64_t)next_random(&seed)) / (double)(1 + (r % 1000003));
    }
    in[0].value = 0.0;
    in[1].value = -0.0;
    in[2].value = 1e308;
    in[3].measure = UINT32_MAX;
    measure_series_encode(in, N, bytes);
    assert_int_equal(measure_series_count(sizeof bytes), N);
    assert_int_equal(measure_series_count(sizeof bytes - 1), N - 1);
    for (size_t i = 0; i < N; i++) {
        measure_record out = measure_series_at(bytes, i);
        assert_int_equal(out.day, in[i].day);
        assert_int_equal(out.measure, in[i].measure);
        assert_memory_equal(&out.value, &in[i].value, sizeof out.value);
    }
}

/* One random participant: a head with its visits, measures seen and values. */
typedef struct {
    digest_head head;
    digest_visit visits[8];
    uint32_t seen[8];
    digest_value values[8];
} digest_sample;

static void random_text(uint64_t *seed, char *out, size_t max)
{
    size_t n = next_random(seed) % (max + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(1 + next_random(seed) % 255); /* any byte but NUL */
    out[n] = '\0';
}

static void random_sample(uint64_t *seed, digest_sample *s)
{
    memset(s, 0, sizeof *s);
    digest_head *h = &s->head;
    random_text(seed, h->protocol, DIGEST_PROTOCOL_MAX);
    h->plan_id = (int64_t)next_random(seed);
    h->screened = next_random(seed) & 1;
    h->eligible = next_random(seed) & 1;
    h->visits_left_out = next_random(seed) & 1;
    h->screened_on = (cc_date)next_random(seed);
    h->start = next_random(seed) & 1 ? INT32_MIN : (cc_date)next_random(seed);
    h->first_administration = (cc_date)next_random(seed);
    h->administrations = (int64_t)next_random(seed);
    h->n_visits = (uint16_t)(next_random(seed) % 9);
    h->n_seen = (uint16_t)(next_random(seed) % 9);
    h->n_values = (uint16_t)(next_random(seed) % 9);
    for (size_t k = 0; k < h->n_visits; k++) {
        digest_visit *v = &s->visits[k];
        random_text(seed, v->label, DIGEST_LABEL_MAX);
        v->months = (int32_t)next_random(seed);
        v->target = (cc_date)next_random(seed);
        v->window_start = (cc_date)next_random(seed);
        v->window_end = (cc_date)next_random(seed);
        v->status = (uint8_t)(next_random(seed) % 6);
        v->asks_satisfaction = next_random(seed) & 1;
        v->satisfaction_link = next_random(seed) & 1;
    }
    for (size_t k = 0; k < h->n_seen; k++)
        s->seen[k] = (uint32_t)next_random(seed);
    for (size_t k = 0; k < h->n_values; k++) {
        uint64_t bits = next_random(seed);
        s->values[k].measure = (uint32_t)(bits >> 32);
        s->values[k].slot = (uint16_t)(bits % (h->n_visits + 1u)); /* baseline or a visit */
        s->values[k].value = (double)(int64_t)next_random(seed) / (double)(1 + (bits % 1000003));
    }
}

static void put_sample(buf *b, const digest_sample *s)
{
    digest_put_head(b, &s->head);
    for (size_t k = 0; k < s->head.n_visits; k++)
        digest_put_visit(b, &s->visits[k]);
    for (size_t k = 0; k < s->head.n_seen; k++)
        digest_put_seen(b, s->seen[k]);
    for (size_t k = 0; k < s->head.n_values; k++)
        digest_put_value(b, &s->values[k]);
}

/* Reads one participant into out; false when the reader refuses. */
static bool get_sample(digest_reader *r, digest_sample *out)
{
    memset(out, 0, sizeof *out);
    if (!digest_get_head(r, &out->head) || out->head.n_visits > 8 || out->head.n_seen > 8 ||
        out->head.n_values > 8)
        return false;
    for (size_t k = 0; k < out->head.n_visits; k++)
        if (!digest_get_visit(r, &out->visits[k]))
            return false;
    for (size_t k = 0; k < out->head.n_seen; k++)
        if (!digest_get_seen(r, &out->seen[k]))
            return false;
    for (size_t k = 0; k < out->head.n_values; k++)
        if (!digest_get_value(r, &out->values[k]))
            return false;
    return true;
}

static void assert_same_sample(const digest_sample *a, const digest_sample *b)
{
    const digest_head *x = &a->head, *y = &b->head;
    assert_string_equal(x->protocol, y->protocol);
    assert_true(x->plan_id == y->plan_id && x->screened == y->screened &&
                x->eligible == y->eligible && x->visits_left_out == y->visits_left_out &&
                x->screened_on == y->screened_on && x->start == y->start &&
                x->first_administration == y->first_administration &&
                x->administrations == y->administrations && x->n_visits == y->n_visits &&
                x->n_seen == y->n_seen && x->n_values == y->n_values);
    for (size_t k = 0; k < x->n_visits; k++) {
        const digest_visit *v = &a->visits[k], *w = &b->visits[k];
        assert_string_equal(v->label, w->label);
        assert_true(v->months == w->months && v->target == w->target &&
                    v->window_start == w->window_start && v->window_end == w->window_end &&
                    v->status == w->status && v->asks_satisfaction == w->asks_satisfaction &&
                    v->satisfaction_link == w->satisfaction_link);
    }
    assert_memory_equal(a->seen, b->seen, x->n_seen * sizeof a->seen[0]);
    for (size_t k = 0; k < x->n_values; k++) {
        assert_true(a->values[k].measure == b->values[k].measure &&
                    a->values[k].slot == b->values[k].slot);
        assert_memory_equal(&a->values[k].value, &b->values[k].value, sizeof(double));
    }
}

/* Property: a patient's digest of 0..4 random participants reads back the
 * same; each of its strict prefixes (copied to a buffer of exactly that
 * size, so that a read past the end is a sanitizer's error) reads back only
 * the whole participants it holds and refuses the cut one. */
static void test_digest_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 7;
    digest_sample in[4], out;
    for (int round = 0; round < 300; round++) {
        size_t n = next_random(&seed) % 5;
        buf b;
        buf_init(&b, 1 << 20);
        size_t ends[4];
        for (size_t i = 0; i < n; i++) {
            random_sample(&seed, &in[i]);
            put_sample(&b, &in[i]);
            ends[i] = b.len;
        }
        assert_false(buf_failed(&b));
        digest_reader r;
        digest_reader_init(&r, (const unsigned char *)b.data, b.len);
        for (size_t i = 0; i < n; i++) {
            assert_true(digest_more(&r));
            assert_true(get_sample(&r, &out));
            assert_same_sample(&in[i], &out);
        }
        assert_false(digest_more(&r));
        /* a head then digest_skip ends where the participant ends */
        digest_reader_init(&r, (const unsigned char *)b.data, b.len);
        for (size_t i = 0; i < n; i++) {
            digest_head h;
            assert_true(digest_get_head(&r, &h) && digest_skip(&r, &h));
            assert_ptr_equal(r.at, (const unsigned char *)b.data + ends[i]);
        }
        assert_true(digest_well_formed((const unsigned char *)b.data, b.len));
        assert_true(b.len == 0 || !digest_well_formed((const unsigned char *)b.data, b.len - 1));
        for (size_t len = 0; len < b.len; len++) {
            unsigned char *cut = malloc(len ? len : 1);
            assert_non_null(cut);
            memcpy(cut, b.data, len);
            digest_reader_init(&r, cut, len);
            size_t whole = 0, got = 0;
            while (whole < n && ends[whole] <= len)
                whole++;
            bool boundary = len == (whole ? ends[whole - 1] : 0), refused = false;
            while (!refused && digest_more(&r))
                if (get_sample(&r, &out))
                    got++;
                else
                    refused = true;
            assert_int_equal(got, whole);
            assert_true(refused == !boundary);
            free(cut);
        }
        buf_release(&b);
    }
}

/* Flags beyond the defined bits are refused (a damaged byte is not read
 * as another meaning). */
static void test_digest_bad_flags(void **state)
{
    (void)state;
    digest_sample s = {.head = {.protocol = "sci", .n_visits = 1}};
    snprintf(s.visits[0].label, sizeof s.visits[0].label, "M1");
    buf b;
    buf_init(&b, 4096);
    put_sample(&b, &s);
    size_t head_flags = 1 + 3 + 8, visit_flags = b.len - 1;
    digest_reader r;
    digest_sample out;
    digest_reader_init(&r, (const unsigned char *)b.data, b.len);
    assert_true(get_sample(&r, &out));
    b.data[head_flags] = 8;
    digest_reader_init(&r, (const unsigned char *)b.data, b.len);
    assert_false(get_sample(&r, &out));
    b.data[head_flags] = 0;
    b.data[visit_flags] = 8;
    digest_reader_init(&r, (const unsigned char *)b.data, b.len);
    assert_false(get_sample(&r, &out));
    buf_release(&b);
}

static void test_codec_layout(void **state)
{
    (void)state;
    /* day 1 (1970-01-02), measure 0x01020304, value 1.0 (0x3FF0000000000000) */
    measure_record r = {1, 0x01020304u, 1.0};
    unsigned char b[MEASURE_RECORD_BYTES];
    measure_series_encode(&r, 1, b);
    static const unsigned char expected[MEASURE_RECORD_BYTES] = {1, 0, 0, 0, 4, 3, 2,    1,
                                                                 0, 0, 0, 0, 0, 0, 0xF0, 0x3F};
    assert_memory_equal(b, expected, sizeof b);
}

/* ---- extraction ---- */

static void test_extraction(void **state)
{
    (void)state;
    measure_value v[OBSERVATION_MEASURES_MAX];
    size_t n = observation_measures_text(
        "nrs-pain",
        "{\"instrument\":\"nrs-pain\",\"scores\":{\"current\":3,\"worst\":7.5,"
        "\"note\":\"x\",\"na\":null},\"version\":\"1\"}",
        v, OBSERVATION_MEASURES_MAX);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].score, "current");
    assert_true(v[0].value == 3);
    assert_string_equal(v[1].score, "worst");
    assert_true(v[1].value == 7.5);
    /* ISNCSCI: the grade (C -> 2) and the determinable totals; "ND" gives no value */
    n = observation_measures_text(
        "isncsci",
        "{\"classification\":{\"ASIAImpairmentScale\":\"C\"},\"totals\":{\"upperExtremity\":"
        "\"50\",\"lowerExtremity\":\"ND\",\"lightTouch\":\"80\",\"pinPrick\":\"76\"}}",
        v, OBSERVATION_MEASURES_MAX);
    assert_int_equal(n, 4);
    assert_string_equal(v[0].score, MEASURE_AIS_SCORE);
    assert_true(v[0].value == 2);
    assert_string_equal(v[1].score, "uems");
    assert_string_equal(v[2].score, "light_touch");
    assert_string_equal(v[3].score, "pin_prick");
    assert_int_equal(observation_measures_text("nrs-pain", "not json", v, 4), 0);
    assert_int_equal(observation_measures_text("isncsci",
                                               "{\"classification\":"
                                               "{\"ASIAImpairmentScale\":\"F\"}}",
                                               v, 4),
                     0);
}

/* ---- the plain-document scanner against jansson ---- */

/* A random JSON value from pieces that the scanner reads itself or leaves
 * to jansson: escapes, non-ASCII, repeated keys, long and huge numbers,
 * negative zero, nesting, malformed text. */
static void random_value(uint64_t *seed, char *out, size_t cap, int depth);

static void append(char *out, size_t cap, const char *text)
{
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s", text);
}

static const char *random_key(uint64_t *seed)
{
    static const char *const keys[] = {"total",
                                       "current",
                                       "worst",
                                       "average",
                                       "ais_grade",
                                       "scores",
                                       "totals",
                                       "classification",
                                       "upperExtremity",
                                       "lowerExtremity",
                                       "lightTouch",
                                       "pinPrick",
                                       "ASIAImpairmentScale",
                                       "",
                                       "a\\u00e9",
                                       "caf\xc3\xa9",
                                       "x\\\"y",
                                       "a_name_of_more_than_forty_characters_for_the_limit"};
    return keys[next_random(seed) % (sizeof keys / sizeof keys[0])];
}

static void random_object(uint64_t *seed, char *out, size_t cap, int depth)
{
    append(out, cap, "{");
    size_t n = next_random(seed) % 6;
    for (size_t i = 0; i < n; i++) {
        if (i)
            append(out, cap, next_random(seed) % 50 ? "," : ",,");
        append(out, cap, "\"");
        append(out, cap, random_key(seed));
        append(out, cap, next_random(seed) % 2 ? "\":" : "\" : ");
        random_value(seed, out, cap, depth + 1);
    }
    append(out, cap, "}");
}

static void random_value(uint64_t *seed, char *out, size_t cap, int depth)
{
    static const char *const scalars[] = {"0",
                                          "7",
                                          "-3",
                                          "-0",
                                          "10.5",
                                          "1e3",
                                          "2.5E-2",
                                          "-0.0",
                                          "1e999",
                                          "01",
                                          "1.",
                                          ".5",
                                          "+1",
                                          "123456789012345678901234",
                                          "\"50\"",
                                          "\"ND\"",
                                          "\"C\"",
                                          "\"A\"",
                                          "\"F\"",
                                          "\" 5\"",
                                          "\"inf\"",
                                          "\"0x10\"",
                                          "\"\"",
                                          "\"a\\nb\"",
                                          "\"\xc3\xa9\"",
                                          "true",
                                          "false",
                                          "null",
                                          "nul",
                                          "[]",
                                          "[1, \"x\", [null]]",
                                          "9223372036854775807",
                                          "123456789012345678",
                                          "1.5e99",
                                          "1e-400",
                                          "\"7.25\""};
    uint64_t r = next_random(seed) % 10;
    if (depth < 20 && r < 3)
        random_object(seed, out, cap, depth);
    else
        append(out, cap, scalars[next_random(seed) % (sizeof scalars / sizeof scalars[0])]);
}

static void assert_same_values(const char *instrument, const char *doc)
{
    measure_value fast[OBSERVATION_MEASURES_MAX], slow[OBSERVATION_MEASURES_MAX];
    size_t n_fast = 0, n_slow = 0;
    bool sure = score_scan(instrument, doc, fast, OBSERVATION_MEASURES_MAX, &n_fast);
    json_t *parsed = json_loads(doc, 0, NULL);
    if (parsed)
        n_slow = observation_measures(instrument, parsed, slow, OBSERVATION_MEASURES_MAX);
    json_decref(parsed);
    if (!sure)
        return;
    if (!parsed || n_fast != n_slow)
        fail_msg("%s %s: scanner %zu values, jansson %s %zu", instrument, doc, n_fast,
                 parsed ? "" : "(refused)", n_slow);
    for (size_t i = 0; i < n_fast; i++) {
        assert_string_equal(fast[i].score, slow[i].score);
        assert_memory_equal(&fast[i].value, &slow[i].value, sizeof fast[i].value);
    }
}

static void test_scan_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *const plain[][2] = {
        {"nrs-pain", "{\"instrument\":\"nrs-pain\",\"scores\":{\"average\":4,\"current\":0,"
                     "\"worst\":10},\"version\":\"1\"}"},
        {"isncsci", "{\"classification\":{\"ASIAImpairmentScale\":\"B\"},\"totals\":"
                    "{\"lightTouch\":\"80\",\"lowerExtremity\":\"ND\",\"pinPrick\":\"76\","
                    "\"upperExtremity\":\"50\"}}"},
        {"alsfrs-r", "{ \"scores\" : { \"total\" : 38.25 , \"ais_grade\": 2 } }"},
        {"phq-9", "{\"total\": -0, \"item\": [1, 2], \"flag\": true}"},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        measure_value v[OBSERVATION_MEASURES_MAX];
        size_t n;
        /* the documents the clinic writes take the scanner's path */
        assert_true(score_scan(plain[i][0], plain[i][1], v, OBSERVATION_MEASURES_MAX, &n));
        assert_same_values(plain[i][0], plain[i][1]);
    }
    static const char *const unsure[] = {"{\"total\":1,\"total\":2}",
                                         "{\"scores\":{\"a\\u00e9\":1}}",
                                         "[1]",
                                         "{\"a\":1e999}",
                                         "{\"a\":12345678901234567890}",
                                         "{\"a\":1} x",
                                         "{\"a\":01}"};
    for (size_t i = 0; i < sizeof unsure / sizeof unsure[0]; i++) {
        measure_value v[OBSERVATION_MEASURES_MAX];
        size_t n;
        assert_false(score_scan("nrs-pain", unsure[i], v, OBSERVATION_MEASURES_MAX, &n));
    }
    uint64_t seed = 7;
    size_t sure = 0;
    static char doc[1 << 16];
    for (int k = 0; k < 200000; k++) {
        doc[0] = '\0';
        random_object(&seed, doc, sizeof doc, 0);
        const char *instrument = k % 3 == 0 ? "isncsci" : "nrs-pain";
        measure_value v[OBSERVATION_MEASURES_MAX];
        size_t n;
        sure += score_scan(instrument, doc, v, OBSERVATION_MEASURES_MAX, &n);
        assert_same_values(instrument, doc);
    }
    /* both paths are exercised: most random documents are plain, many are not */
    assert_true(sure > 20000 && sure < 180000);
}

/* ---- store ---- */

typedef struct {
    datadir_fixture *store;
    db *d;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->store = datadir_fixture_make("series")))
        return -1;
    f->d = f->store->d;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = datadir_fixture_remove(f->store);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int64_t add_patient(db *d, const char *family)
{
    patient_fields p = {family, "Test", "1980-02-03", "female", "fr", NULL, NULL, NULL};
    patient_matches dup;
    int64_t id = 0;
    cc_error err;
    assert_int_equal(patient_create(d, &ACTOR, &p, false, true, 0, &id, &dup, &err), CC_OK);
    return id;
}

static void add_observation(db *d, int64_t patient, const char *instrument, const char *date,
                            const char *scores)
{
    measure_value v[OBSERVATION_MEASURES_MAX];
    observation_fields f = {instrument, "1", date, "clinician", "{}", scores, v, 0};
    f.n_measures = observation_measures_text(instrument, scores, v, OBSERVATION_MEASURES_MAX);
    int64_t id;
    cc_error err;
    assert_int_equal(observation_add(d, &ACTOR, patient, &f, &id, &err), CC_OK);
}

/* Calls fn with every stored series row, by patient. */
typedef void (*series_row_fn)(void *ctx, int64_t patient, const unsigned char *b, size_t len);

static void each_series(db *d, series_row_fn fn, void *ctx)
{
    db_stmt *s;
    cc_error err;
    assert_int_equal(
        db_prepare(d, "SELECT patient_id, records FROM measure_series ORDER BY patient_id", &s,
                   &err),
        CC_OK);
    while (db_step(s, &err) == DB_ROW) {
        size_t len;
        const unsigned char *b = db_col_blob(s, 1, &len);
        fn(ctx, db_col_int(s, 0), b, len);
    }
    db_done(s);
}

/* Every measure name, in an arena of their own (the caller releases it). */
typedef struct {
    arena *a;
    measure_name *names;
    size_t n;
} names_view;

static names_view names_load(db *d)
{
    names_view v = {arena_create(1 << 20), NULL, 0};
    cc_error err;
    assert_non_null(v.a);
    assert_int_equal(measure_names_load(d, v.a, &v.names, &v.n, &err), CC_OK);
    return v;
}

typedef struct {
    buf *out;
    names_view names;
} dump_ctx;

static void dump_row(void *ctx, int64_t patient, const unsigned char *b, size_t len)
{
    dump_ctx *c = ctx;
    buf_printf(c->out, "%lld:", (long long)patient);
    for (size_t i = 0; i < measure_series_count(len); i++) {
        measure_record r = measure_series_at(b, i);
        const measure_name *m = NULL;
        for (size_t k = 0; k < c->names.n; k++)
            if (c->names.names[k].id == r.measure)
                m = &c->names.names[k];
        assert_non_null(m);
        buf_printf(c->out, "%d/%s/%s=%g;", (int)r.day, m->instrument, m->score, r.value);
    }
    buf_putc(c->out, '\n');
}

/* Every series as text "patient:day/instrument/score=value;..." */
static void dump(db *d, buf *out)
{
    dump_ctx c = {out, names_load(d)};
    each_series(d, dump_row, &c);
    arena_release(c.names.a);
}

static void test_store_append_and_rebuild(void **state)
{
    fixture *f = *state;
    cc_error err;
    bool built = false;
    /* a new data dir has no observation: its (empty) series are complete */
    assert_int_equal(measure_series_built(f->d, &built, &err), CC_OK);
    assert_true(built);
    int64_t p1 = add_patient(f->d, "Alpha"), p2 = add_patient(f->d, "Beta");
    add_observation(f->d, p1, "nrs-pain", "2026-01-05", "{\"scores\":{\"current\":3,\"worst\":8}}");
    add_observation(f->d, p2, "nrs-pain", "2026-01-06", "{\"scores\":{\"current\":1}}");
    add_observation(f->d, p1, "isncsci", "2026-02-01",
                    "{\"classification\":{\"ASIAImpairmentScale\":\"B\"},"
                    "\"totals\":{\"upperExtremity\":\"44\"}}");
    add_observation(f->d, p1, "nrs-pain", "2026-01-01", "{\"scores\":{\"current\":5}}");
    buf incremental, rebuilt;
    buf_init(&incremental, 1 << 16);
    buf_init(&rebuilt, 1 << 16);
    dump(f->d, &incremental);
    /* day numbers: 2026-01-05 = 20458 */
    char expected[512];
    snprintf(expected, sizeof expected,
             "%lld:20458/nrs-pain/current=3;20458/nrs-pain/worst=8;20485/isncsci/ais_grade=1;"
             "20485/isncsci/uems=44;20454/nrs-pain/current=5;\n"
             "%lld:20459/nrs-pain/current=1;\n",
             (long long)p1, (long long)p2);
    assert_string_equal(incremental.data, expected);
    /* a forced rebuild from the stored observations gives the same series */
    assert_int_equal(observation_measures_ensure(f->d, true, &err), CC_OK);
    dump(f->d, &rebuilt);
    assert_string_equal(rebuilt.data, incremental.data);
    /* an older data dir (series empty, not built) is filled by ensure, once */
    assert_int_equal(
        db_exec(f->d, "DELETE FROM measure_series; UPDATE derived_data SET built = 0", &err),
        CC_OK);
    assert_int_equal(measure_series_built(f->d, &built, &err), CC_OK);
    assert_false(built);
    assert_int_equal(observation_measures_ensure(f->d, false, &err), CC_OK);
    assert_int_equal(measure_series_built(f->d, &built, &err), CC_OK);
    assert_true(built);
    buf again;
    buf_init(&again, 1 << 16);
    dump(f->d, &again);
    assert_string_equal(again.data, incremental.data);
    buf_release(&incremental);
    buf_release(&rebuilt);
    buf_release(&again);
}

/* A rebuild over many interleaved observations (past the size where its
 * arrays are mapped, patients out of order) gives, patient by patient, the
 * values of a plain read of the observations in (patient, id) order. */
static void test_store_rebuild_many(void **state)
{
    fixture *f = *state;
    cc_error err;
    enum { PATIENTS = 300, OBSERVATIONS = 45000 };
    int64_t first = 0;
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    db_stmt *s;
    for (int i = 0; i < PATIENTS; i++) {
        assert_int_equal(
            db_prepare(f->d,
                       "INSERT INTO patients (mrn, family_name, given_names, birth_date, sex,"
                       " language, search_key, identity_key, synthetic, version, created_at,"
                       " updated_at) VALUES (?, 'Many', 'T', '1980-01-01', 'male', 'fr', ?, ?,"
                       " 1, 1, 't', 't') RETURNING id",
                       &s, &err),
            CC_OK);
        char key[32];
        snprintf(key, sizeof key, "MANY%05d", i);
        db_bind_text(s, 1, key);
        db_bind_text(s, 2, key);
        db_bind_text(s, 3, key);
        assert_int_equal(db_step(s, &err), DB_ROW);
        if (i == 0)
            first = db_col_int(s, 0);
        db_done(s);
    }
    uint64_t seed = 5;
    for (int k = 0; k < OBSERVATIONS; k++) {
        uint64_t r = next_random(&seed);
        char day[16], scores[128];
        snprintf(day, sizeof day, "2026-%02d-%02d", (int)(1 + r % 12), (int)(1 + (r >> 8) % 28));
        snprintf(scores, sizeof scores,
                 "{\"scores\":{\"current\":%d,\"worst\":%d.5,\"average\":%d}}", (int)(r >> 16) % 11,
                 (int)(r >> 24) % 11, (int)(r >> 32) % 11);
        assert_int_equal(
            db_prepare(f->d,
                       "INSERT INTO observations (patient_id, instrument, instrument_version,"
                       " observed_on, source, answers, scores, recorded_at) VALUES (?, 'nrs-pain',"
                       " '1', ?, 'clinician', '{}', ?, 't')",
                       &s, &err),
            CC_OK);
        db_bind_int(s, 1, first + (int64_t)((r >> 40) % PATIENTS));
        db_bind_text(s, 2, day);
        db_bind_text(s, 3, scores);
        assert_int_equal(db_run(s, &err), CC_OK);
    }
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    assert_int_equal(observation_measures_ensure(f->d, true, &err), CC_OK);
    buf got, want;
    buf_init(&got, (size_t)32 << 20);
    buf_init(&want, (size_t)32 << 20);
    dump(f->d, &got);
    assert_int_equal(db_prepare(f->d,
                                "SELECT patient_id, observed_on, scores FROM observations"
                                " ORDER BY patient_id, id",
                                &s, &err),
                     CC_OK);
    int64_t patient = 0;
    while (db_step(s, &err) == DB_ROW) {
        if (db_col_int(s, 0) != patient) {
            buf_printf(&want, "%s%lld:", patient ? "\n" : "", (long long)db_col_int(s, 0));
            patient = db_col_int(s, 0);
        }
        cc_date day;
        assert_int_equal(date_parse(db_col_text(s, 1), "day", &day, &err), CC_OK);
        measure_value v[OBSERVATION_MEASURES_MAX];
        size_t n =
            observation_measures_text("nrs-pain", db_col_text(s, 2), v, OBSERVATION_MEASURES_MAX);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++)
            buf_printf(&want, "%d/nrs-pain/%s=%g;", (int)day, v[i].score, v[i].value);
    }
    db_done(s);
    buf_putc(&want, '\n');
    assert_false(buf_failed(&got));
    assert_int_equal(got.len, want.len);
    assert_string_equal(got.data, want.data);
    buf_release(&got);
    buf_release(&want);
}

/* ---- the rebuild's chunks: MEASURE_SERIES_CHUNK patients a statement ---- */

/* Patient counts around the chunk: the statements the rebuild runs for them. */
static const size_t CHUNK_CASES[] = {
    0,                            /* no series: no statement */
    1,                            /* the smallest statement alone */
    MEASURE_SERIES_CHUNK - 1,     /* no whole chunk, every shorter statement once */
    MEASURE_SERIES_CHUNK,         /* one whole chunk, nothing left */
    MEASURE_SERIES_CHUNK + 1,     /* a whole chunk and one row */
    2 * MEASURE_SERIES_CHUNK + 3, /* two whole chunks, then a last chunk of three */
};
enum { CHUNK_PATIENTS = 2 * MEASURE_SERIES_CHUNK + 3 };

/* A series row as "patient:hex of the bytes" (out: a buf). */
static void append_row_hex(void *out, int64_t patient, const unsigned char *b, size_t len)
{
    buf_printf(out, "%lld:", (long long)patient);
    for (size_t i = 0; i < len; i++)
        buf_printf(out, "%02x", b[i]);
    buf_putc(out, '\n');
}

/* Every stored series row as append_row_hex writes it, by patient. */
static void stored_rows_hex(db *d, buf *out)
{
    each_series(d, append_row_hex, out);
}

static uint32_t name_id(const names_view *v, const char *instrument, const char *score)
{
    for (size_t k = 0; k < v->n; k++)
        if (strcmp(v->names[k].instrument, instrument) == 0 &&
            strcmp(v->names[k].score, score) == 0)
            return v->names[k].id;
    fail_msg("no measure name %s/%s", instrument, score);
    return 0;
}

/* The rows one write per patient gives: each patient's values in stored
 * order, encoded by core/measure_series_encode. */
static void expected_rows_hex(db *d, buf *out)
{
    names_view names = names_load(d);
    cc_error err;
    enum { MAX_RECORDS = 64 };
    measure_record records[MAX_RECORDS];
    unsigned char bytes[MAX_RECORDS * MEASURE_RECORD_BYTES];
    size_t n = 0;
    int64_t patient = 0;
    db_stmt *s;
    assert_int_equal(db_prepare(d,
                                "SELECT patient_id, instrument, observed_on, scores"
                                " FROM observations ORDER BY patient_id, id",
                                &s, &err),
                     CC_OK);
    for (db_step_result r = db_step(s, &err);; r = db_step(s, &err)) {
        int64_t id = r == DB_ROW ? db_col_int(s, 0) : 0;
        if (id != patient && n > 0) {
            measure_series_encode(records, n, bytes);
            append_row_hex(out, patient, bytes, n * MEASURE_RECORD_BYTES);
            n = 0;
        }
        if (r != DB_ROW) {
            assert_int_equal(r, DB_DONE);
            break;
        }
        patient = id;
        cc_date day;
        assert_int_equal(date_parse(db_col_text(s, 2), "day", &day, &err), CC_OK);
        measure_value v[OBSERVATION_MEASURES_MAX];
        size_t k = observation_measures_text(db_col_text(s, 1), db_col_text(s, 3), v,
                                             OBSERVATION_MEASURES_MAX);
        for (size_t i = 0; i < k; i++) {
            assert_true(n < MAX_RECORDS);
            records[n++] =
                (measure_record){day, name_id(&names, db_col_text(s, 1), v[i].score), v[i].value};
        }
    }
    db_done(s);
    arena_release(names.a);
}

/* One to three observations of two instruments for patient number i. */
static void add_chunk_observations(db *d, int64_t patient, size_t i)
{
    char day[16], scores[256];
    snprintf(day, sizeof day, "2026-%02d-%02d", (int)(1 + i % 12), (int)(1 + i % 28));
    snprintf(scores, sizeof scores, "{\"scores\":{\"current\":%d,\"worst\":%d.5}}", (int)(i % 11),
             (int)(i % 7));
    add_observation(d, patient, "nrs-pain", day, scores);
    if (i % 3 == 1) {
        snprintf(scores, sizeof scores,
                 "{\"classification\":{\"ASIAImpairmentScale\":\"%c\"},"
                 "\"totals\":{\"upperExtremity\":\"%d\",\"lowerExtremity\":\"ND\"}}",
                 (char)('A' + i % 5), (int)(i % 51));
        add_observation(d, patient, "isncsci", day, scores);
    }
    if (i % 4 == 2)
        add_observation(d, patient, "nrs-pain", "2025-12-31", "{\"scores\":{\"current\":-1}}");
}

/* measure_series_insert alone, in a transaction rolled back: count rows of
 * distinct lengths and bytes read back as written. */
static void check_insert(db *d, const int64_t *patients, size_t count)
{
    static measure_series_row rows[CHUNK_PATIENTS];
    static unsigned char bytes[CHUNK_PATIENTS][5 * MEASURE_RECORD_BYTES];
    buf want, got;
    buf_init(&want, (size_t)1 << 20);
    buf_init(&got, (size_t)1 << 20);
    for (size_t i = 0; i < count; i++) {
        size_t len = (1 + i % 5) * MEASURE_RECORD_BYTES;
        for (size_t k = 0; k < len; k++)
            bytes[i][k] = (unsigned char)(i * 31 + k);
        rows[i] = (measure_series_row){patients[i], bytes[i], len};
        append_row_hex(&want, patients[i], bytes[i], len);
    }
    cc_error err;
    assert_int_equal(db_begin(d, &err), CC_OK);
    assert_int_equal(measure_series_reset(d, &err), CC_OK);
    assert_int_equal(measure_series_insert(d, rows, count, &err), CC_OK);
    stored_rows_hex(d, &got);
    db_rollback(d);
    assert_string_equal(got.data, want.data);
    buf_release(&want);
    buf_release(&got);
}

/* For each count of patients with observations, the rebuilt rows
 * (patient_id, records) are byte for byte those written one observation at
 * a time and those of encoding each patient's values directly; and
 * measure_series_insert writes that many rows as given. */
static void test_store_rebuild_chunks(void **state)
{
    fixture *f = *state;
    cc_error err;
    static int64_t patients[CHUNK_PATIENTS];
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    for (size_t i = 0; i < CHUNK_PATIENTS; i++)
        patients[i] = add_patient(f->d, "Chunk");
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    size_t have = 0;
    for (size_t c = 0; c < sizeof CHUNK_CASES / sizeof CHUNK_CASES[0]; c++) {
        size_t count = CHUNK_CASES[c];
        assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
        for (; have < count; have++)
            add_chunk_observations(f->d, patients[have], have);
        /* a later observation of the first patient: its values come from
         * observations apart in stored order */
        if (count > 0)
            add_observation(f->d, patients[0], "nrs-pain", "2026-03-03",
                            "{\"scores\":{\"worst\":9}}");
        assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
        buf incremental, expected, rebuilt;
        buf_init(&incremental, (size_t)4 << 20);
        buf_init(&expected, (size_t)4 << 20);
        buf_init(&rebuilt, (size_t)4 << 20);
        stored_rows_hex(f->d, &incremental);
        expected_rows_hex(f->d, &expected);
        assert_string_equal(incremental.data, expected.data);
        assert_int_equal(observation_measures_ensure(f->d, true, &err), CC_OK);
        stored_rows_hex(f->d, &rebuilt);
        int64_t rows = -1;
        assert_int_equal(
            sql_scalar(f->d, "SELECT COUNT(*) FROM measure_series", NULL, 0, &rows, &err), CC_OK);
        assert_int_equal(rows, count);
        assert_false(buf_failed(&incremental) || buf_failed(&expected) || buf_failed(&rebuilt));
        assert_string_equal(rebuilt.data, expected.data);
        check_insert(f->d, patients, count);
        buf_release(&incremental);
        buf_release(&expected);
        buf_release(&rebuilt);
    }
}

static void test_store_failed_observation_adds_nothing(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t p = add_patient(f->d, "Gamma");
    measure_value v[2] = {{"current", 4}, {"", 0}};
    /* a measure name over the limit fails the whole observation: nothing written */
    memset(v[1].score, 'x', MEASURE_NAME_MAX);
    v[1].score[MEASURE_NAME_MAX] = '\0';
    char long_instrument[MEASURE_NAME_MAX + 2];
    memset(long_instrument, 'i', sizeof long_instrument - 1);
    long_instrument[sizeof long_instrument - 1] = '\0';
    observation_fields fields = {long_instrument, "1", "2026-01-05", "clinician", "{}", "{}", v, 2};
    int64_t id;
    assert_int_equal(observation_add(f->d, &ACTOR, p, &fields, &id, &err), CC_INVALID);
    assert_string_equal(err.field, "measures");
    int64_t count = -1;
    assert_int_equal(sql_scalar(f->d, "SELECT COUNT(*) FROM observations", NULL, 0, &count, &err),
                     CC_OK);
    assert_int_equal(count, 0);
    assert_int_equal(sql_scalar(f->d, "SELECT COUNT(*) FROM measure_series", NULL, 0, &count, &err),
                     CC_OK);
    assert_int_equal(count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_round_trip),
        cmocka_unit_test(test_codec_layout),
        cmocka_unit_test(test_digest_round_trip),
        cmocka_unit_test(test_digest_bad_flags),
        cmocka_unit_test(test_extraction),
        cmocka_unit_test(test_scan_agrees_with_jansson),
        cmocka_unit_test_setup_teardown(test_store_append_and_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_rebuild_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_rebuild_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_failed_observation_adds_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
