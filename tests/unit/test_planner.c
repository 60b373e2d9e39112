/* Unit tests of core/planner (H5) and core/quote on the shipped protocols:
 * a table of edge cases (spacing, the end of the stay, full capacity,
 * autologous lead time, month arithmetic), a brute-force check that the
 * greedy search finds the earliest feasible admission, and property tests
 * over thousands of random inputs booking into one clinic calendar: no plan
 * ever breaks a spacing, gap, stay or capacity rule.
 * Expected days follow from sci.v1.json: day 1 empty, IV/IT
 * alternating from IV, IT >= 72 h (3 days) apart, one administration a day,
 * discharge >= 1 day after the last, stay 15-23 days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/dose.h"
#include "core/planner.h"
#include "core/quote.h"
#include "programmes_fixture.h"

static planner_calendar empty_calendar(int slots)
{
    planner_calendar c = {0};
    for (int r = 0; r < RT_COUNT; r++)
        c.capacity[r] = slots;
    return c;
}

static planner_request request(const protocol *p, int count, const char *earliest)
{
    planner_request q = {.protocol = p,
                         .count = count,
                         .product = p->default_product,
                         .per_admin = p->dose.rounding,
                         .earliest = ymd(earliest)};
    return q;
}

static void test_shipped_protocols_parse_and_plan(void **state)
{
    (void)state;
    size_t n = 0;
    for (const protocol_builtin *b = protocol_builtins; b->id; b++, n++) {
        protocol p;
        load_protocol_version(b->id, b->version, &p);
        assert_string_equal(p.id, b->id);
        assert_int_equal(p.version, b->version);
        planner_calendar cal = empty_calendar(1);
        for (int count = p.admin_min; count <= p.admin_max; count++) {
            planner_request q = request(&p, count, "2026-03-02");
            plan pl;
            cc_error err;
            if (planner_plan(&q, &cal, &pl, &err) != CC_OK)
                fail_msg("%s count %d: %s", p.id, count, err.message);
            assert_int_equal(planner_check(&q, &cal, &pl, &err), CC_OK);
        }
    }
    assert_int_equal(n, 9); /* sci 1-2, spina-bifida 1-2, msc 1-2, secretome 1-2, als */
}

/*
 * Follow-up instruments by indication (protocol files msc v2, secretome v2):
 * EDSS for multiple sclerosis G35 (Kurtzke 1983; Neurostatus), KOOS for knee
 * osteoarthritis M17 (Roos and Lohmander 2003); the instruments of the first
 * visit for a patient with these conditions ("" none; NULL unknown).
 */
static void test_follow_up_instruments_by_indication(void **state)
{
    (void)state;
    static const struct {
        const char *protocol;
        const char *conditions; /* space separated, or NULL */
        const char *instruments;
    } rows[] = {
        {"msc", "G35", "nrs-pain edss satisfaction"},
        {"msc", "M17.1", "nrs-pain koos satisfaction"},
        {"msc", "M17", "nrs-pain koos satisfaction"},
        {"msc", "M16", "nrs-pain satisfaction"},
        {"msc", "G20", "nrs-pain satisfaction"},
        {"msc", "G35 M17", "nrs-pain edss koos satisfaction"},
        {"msc", "", "nrs-pain satisfaction"},
        {"msc", NULL, "nrs-pain edss koos satisfaction"},
        {"secretome", "M17", "nrs-pain koos satisfaction"},
        {"secretome", "J44", "nrs-pain satisfaction"},
        {"secretome", "G35", "nrs-pain satisfaction"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        protocol p;
        load_protocol(rows[i].protocol, &p);
        assert_int_equal(p.version, 2);
        planner_request q = request(&p, p.admin_default, "2026-03-02");
        planner_calendar cal = empty_calendar(1);
        plan pl;
        cc_error err;
        assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
        char codes[4][16];
        const char *list[4];
        size_t n = 0;
        if (rows[i].conditions) {
            const char *c = rows[i].conditions;
            while (*c && n < 4) {
                size_t len = strcspn(c, " ");
                snprintf(codes[n], sizeof codes[n], "%.*s", (int)len, c);
                list[n] = codes[n];
                n++;
                c += len + (c[len] == ' ');
            }
        }
        dose_result dose = {0};
        quote qt = {0};
        json_t *body = plan_to_json(&p, &pl, &dose, &qt, rows[i].conditions ? list : NULL, n, NULL);
        assert_non_null(body);
        char got[200] = "";
        size_t len = 0, j;
        json_t *v;
        json_array_foreach(
            json_object_get(json_array_get(json_object_get(body, "follow_up"), 0), "instruments"),
            j, v) len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", j ? " " : "",
                                          json_string_value(v));
        json_decref(body);
        if (strcmp(got, rows[i].instruments) != 0)
            fail_msg("%s with '%s': got '%s', expected '%s'", rows[i].protocol,
                     rows[i].conditions ? rows[i].conditions : "(unknown)", got,
                     rows[i].instruments);
    }
}

/*
 * Age in completed years (core protocol_age_on): the birthday itself counts;
 * a 29 February birthday is reached on 1 March in common years.
 */
static void test_age_on(void **state)
{
    (void)state;
    static const struct {
        const char *birth, *on;
        int age;
    } rows[] = {
        {"2018-06-15", "2026-06-14", 7},  {"2018-06-15", "2026-06-15", 8},
        {"2018-06-15", "2026-06-16", 8},  {"2026-06-15", "2026-06-15", 0},
        {"2026-06-16", "2026-06-15", -1}, {"2016-02-29", "2024-02-28", 7},
        {"2016-02-29", "2024-02-29", 8},  {"2016-02-29", "2025-02-28", 8},
        {"2016-02-29", "2026-02-28", 9},  {"2016-02-29", "2026-03-01", 10},
        {"2008-12-31", "2026-12-30", 17}, {"2008-12-31", "2026-12-31", 18},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (protocol_age_on(ymd(rows[i].birth), ymd(rows[i].on)) != rows[i].age)
            fail_msg("born %s, on %s: got %d, expected %d", rows[i].birth, rows[i].on,
                     protocol_age_on(ymd(rows[i].birth), ymd(rows[i].on)), rows[i].age);
}

/*
 * Instruments by age at the visit (spina-bifida version 2, sci version 2):
 * FLACC (Merkel 1997, observed) below 8 years, the self-rated NRS from 8
 * (von Baeyer, Pain Res Manag 2009: under seven or eight, numerical scales
 * are not for self-report); NBSS (Welk 2014, validated in adults) from 18.
 * The core rule at the boundary ages, then the plan document built for a
 * patient whose birthday falls on the first visit's target date, the day
 * before it or the day after it.
 */
static void test_follow_up_instruments_by_age(void **state)
{
    (void)state;
    protocol sb;
    load_protocol("spina-bifida", &sb);
    assert_int_equal(sb.version, 2);
    static const struct {
        int age;
        const char *instruments;
    } core_rows[] = {
        {-1, "nbd nbss flacc nrs-pain satisfaction"}, /* age not known: a preview */
        {0, "nbd flacc satisfaction"},
        {7, "nbd flacc satisfaction"},
        {8, "nbd nrs-pain satisfaction"},
        {17, "nbd nrs-pain satisfaction"},
        {18, "nbd nbss nrs-pain satisfaction"},
        {90, "nbd nbss nrs-pain satisfaction"},
    };
    for (size_t i = 0; i < sizeof core_rows / sizeof core_rows[0]; i++) {
        char got[200] = "";
        size_t len = 0;
        const follow_up_visit *v = &sb.follow_up[0];
        for (size_t j = 0; j < v->n_instruments; j++)
            if (protocol_instrument_for_age(v, j, core_rows[i].age))
                len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", len ? " " : "",
                                        v->instruments[j]);
        if (strcmp(got, core_rows[i].instruments) != 0)
            fail_msg("age %d: got '%s', expected '%s'", core_rows[i].age, got,
                     core_rows[i].instruments);
    }
    static const struct {
        const char *protocol;
        int years;      /* birthday: this many years before the visit ... */
        int day_offset; /* ... moved by this many days (+1: the birthday is tomorrow) */
        const char *instruments;
    } rows[] = {
        {"spina-bifida", 8, 0, "nbd nrs-pain satisfaction"},
        {"spina-bifida", 8, 1, "nbd flacc satisfaction"},
        {"spina-bifida", 8, -1, "nbd nrs-pain satisfaction"},
        {"spina-bifida", 1, 0, "nbd flacc satisfaction"},
        {"spina-bifida", 18, 0, "nbd nbss nrs-pain satisfaction"},
        {"spina-bifida", 18, 1, "nbd nrs-pain satisfaction"},
        {"sci", 30, 0, "isncsci nrs-pain mas nbd nbss satisfaction"},
        {"sci", 18, 1, "isncsci nrs-pain mas nbd satisfaction"},
        {"sci", 0, 0, "isncsci nrs-pain mas nbd nbss satisfaction"}, /* no birth date */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        protocol p;
        load_protocol(rows[i].protocol, &p);
        assert_int_equal(p.version, 2);
        planner_request q = request(&p, p.admin_default, "2026-03-02");
        planner_calendar cal = empty_calendar(1);
        plan pl;
        cc_error err;
        assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
        int y, m, d;
        date_to_ymd(pl.follow_up[0].date, &y, &m, &d);
        char birth[CC_DATE_TEXT];
        cc_date b = 0;
        assert_true(date_from_ymd(y - rows[i].years, m, d, &b));
        date_format(b + rows[i].day_offset, birth);
        dose_result dose = {0};
        quote qt = {0};
        json_t *body = plan_to_json(&p, &pl, &dose, &qt, NULL, 0, rows[i].years ? birth : NULL);
        assert_non_null(body);
        char got[200] = "";
        size_t len = 0, j;
        json_t *v;
        json_array_foreach(
            json_object_get(json_array_get(json_object_get(body, "follow_up"), 0), "instruments"),
            j, v) len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", j ? " " : "",
                                          json_string_value(v));
        json_decref(body);
        if (strcmp(got, rows[i].instruments) != 0)
            fail_msg("%s, born %s: got '%s', expected '%s'", rows[i].protocol, birth, got,
                     rows[i].instruments);
    }
}

/* A conditional instrument must name indications of the programme, as an
 * object with exactly "id" and a non-empty "indications". */
static void test_follow_up_instrument_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *entry, *field;
    } rows[] = {
        {"{\"id\":\"koos\",\"indications\":[\"S14\"]}", "follow_up"},
        {"{\"id\":\"koos\",\"indications\":[\"M1\"]}", "follow_up"},
        {"{\"id\":\"koos\",\"indications\":[]}", "follow_up[0].instruments[2].indications"},
        {"{\"id\":\"koos\"}", "follow_up[0].instruments[2].indications"},
        {"{\"id\":\"koos\",\"indications\":[\"M17\"],\"x\":1}", "follow_up[0].instruments[2].x"},
        {"{\"id\":\"\",\"indications\":[\"M17\"]}", "follow_up[0].instruments[2].id"},
        {"{\"id\":\"koos\",\"indications\":[17]}", "follow_up[0].instruments[2].indications"},
        {"17", "follow_up[0].instruments"},
        /* age limits: whole years 0..130, the lower below the upper */
        {"{\"id\":\"flacc\",\"below_age_years\":0}", "follow_up[0].instruments[2].below_age_years"},
        {"{\"id\":\"flacc\",\"from_age_years\":-1}", "follow_up[0].instruments[2].from_age_years"},
        {"{\"id\":\"flacc\",\"below_age_years\":131}",
         "follow_up[0].instruments[2].below_age_years"},
        {"{\"id\":\"flacc\",\"below_age_years\":\"8\"}",
         "follow_up[0].instruments[2].below_age_years"},
        {"{\"id\":\"flacc\",\"from_age_years\":8,\"below_age_years\":8}", "follow_up"},
        {"{\"id\":\"flacc\",\"from_age_years\":9,\"below_age_years\":8}", "follow_up"},
    };
    const protocol_builtin *msc = NULL;
    for (const protocol_builtin *b = protocol_builtins; b->id; b++)
        if (strcmp(b->id, "msc") == 0 && b->version == 2)
            msc = b;
    assert_non_null(msc);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *o = json_loads(msc->json, 0, NULL);
        assert_non_null(o);
        json_t *ins =
            json_object_get(json_array_get(json_object_get(o, "follow_up"), 0), "instruments");
        json_array_set_new(ins, 2, json_loads(rows[i].entry, JSON_DECODE_ANY, NULL));
        protocol p;
        cc_error err;
        cc_error_clear(&err);
        cc_status st = protocol_from_json(o, &p, &err);
        json_decref(o);
        if (st != CC_INVALID || strcmp(err.field, rows[i].field) != 0)
            fail_msg("%s: status %d field '%s', expected field '%s'", rows[i].entry, (int)st,
                     err.field, rows[i].field);
    }
}

static void test_planner_table(void **state)
{
    (void)state;
    static const struct {
        const char *protocol, *earliest;
        int count;
        const char *cycle; /* route initials override ("T" = intrathecal only) or "" */
        int it_capacity;   /* intrathecal slots a day */
        const char *it_full_from, *it_full_to; /* IT slots taken in this range, or NULL */
        cc_status want;
        const char *field; /* blocking field on failure */
        const char *start;
        int stay_days;
        int days[8]; /* administration days */
    } rows[] = {
        /* 8: IV 2, IT 3, IV 4, IT 6 (3+3), IV 7, IT 9, IV 10, IT 12; discharge day 15 = stay_min */
        {"sci",
         "2026-01-05",
         8,
         "",
         2,
         NULL,
         NULL,
         CC_OK,
         "",
         "2026-01-05",
         15,
         {2, 3, 4, 6, 7, 9, 10, 12}},
        {"sci",
         "2026-01-05",
         6,
         "",
         2,
         NULL,
         NULL,
         CC_OK,
         "",
         "2026-01-05",
         15,
         {2, 3, 4, 6, 7, 9}},
        /* no intrathecal slot at all: blocked by capacity.intrathecal */
        {"sci",
         "2026-01-05",
         6,
         "",
         0,
         NULL,
         NULL,
         CC_CONFLICT,
         "capacity.intrathecal",
         "",
         0,
         {0}},
        /* IT full 2026-01-10..30: the last IT is pushed to day 22, the last day that still
         * leaves the observation day within 23 days; an admission a day earlier would need
         * day 23 (spacing at the end of the stay) */
        {"sci",
         "2026-01-01",
         8,
         "",
         1,
         "2026-01-10",
         "2026-01-30",
         CC_OK,
         "",
         "2026-01-19",
         23,
         {2, 13, 14, 16, 17, 19, 20, 22}},
        /* IT full for more than a year: no admission date within 365 days */
        {"sci",
         "2026-01-01",
         8,
         "",
         1,
         "2026-01-01",
         "2027-12-31",
         CC_CONFLICT,
         "capacity.intrathecal",
         "",
         0,
         {0}},
        /* spina bifida: 48 h between administrations, 96 h between intrathecal */
        {"spina-bifida",
         "2026-01-05",
         8,
         "",
         2,
         NULL,
         NULL,
         CC_OK,
         "",
         "2026-01-05",
         17,
         {2, 4, 6, 8, 10, 12, 14, 16}},
        /* msc with an intrathecal-only cycle: 72 h apart */
        {"msc", "2026-01-05", 4, "T", 2, NULL, NULL, CC_OK, "", "2026-01-05", 12, {2, 5, 8, 11}},
        /* msc 1 administration: stay_min 5 */
        {"msc", "2026-01-05", 1, "", 2, NULL, NULL, CC_OK, "", "2026-01-05", 5, {2}},
        /* als: 48 h apart */
        {"als", "2026-01-05", 4, "", 2, NULL, NULL, CC_OK, "", "2026-01-05", 9, {2, 4, 6, 8}},
        /* count outside the protocol's range */
        {"sci", "2026-01-05", 5, "", 2, NULL, NULL, CC_INVALID, "count", "", 0, {0}},
        {"sci", "2026-01-05", 9, "", 2, NULL, NULL, CC_INVALID, "count", "", 0, {0}},
        /* secretome does not allow intrathecal */
        {"secretome", "2026-01-05", 2, "T", 2, NULL, NULL, CC_INVALID, "routes", "", 0, {0}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        protocol p;
        load_protocol(rows[i].protocol, &p);
        planner_request q = request(&p, rows[i].count, rows[i].earliest);
        if (rows[i].cycle[0] == 'T') {
            q.cycle[0] = RT_INTRATHECAL;
            q.n_cycle = 1;
        }
        static uint16_t used[1200][RT_COUNT];
        memset(used, 0, sizeof used);
        planner_calendar cal = empty_calendar(2);
        cal.capacity[RT_INTRATHECAL] = rows[i].it_capacity;
        cal.first = ymd("2025-12-01");
        cal.n_days = 1200;
        cal.used = used;
        if (rows[i].it_full_from)
            for (cc_date d = ymd(rows[i].it_full_from); d <= ymd(rows[i].it_full_to); d++)
                used[d - cal.first][RT_INTRATHECAL] = (uint16_t)rows[i].it_capacity;
        plan pl;
        cc_error err;
        cc_status st = planner_plan(&q, &cal, &pl, &err);
        if (st != rows[i].want)
            fail_msg("row %zu: status %d want %d: %s", i, st, rows[i].want, err.message);
        if (st != CC_OK) {
            assert_string_equal(err.field, rows[i].field);
            continue;
        }
        assert_int_equal(pl.start, ymd(rows[i].start));
        assert_int_equal(pl.stay_days, rows[i].stay_days);
        assert_int_equal(pl.end, pl.start + rows[i].stay_days - 1);
        for (int k = 0; k < pl.n_admins; k++)
            if (pl.admins[k].day != rows[i].days[k])
                fail_msg("row %zu: administration %d on day %d, want %d", i, k + 1,
                         pl.admins[k].day, rows[i].days[k]);
        assert_int_equal(planner_check(&q, &cal, &pl, &err), CC_OK);
    }
}

static void test_sci_plan_details(void **state)
{
    (void)state;
    protocol p;
    load_protocol("sci", &p);
    planner_request q = request(&p, 8, "2026-01-05");
    q.per_admin = UINT64_C(44000000);
    planner_calendar cal = empty_calendar(1);
    plan pl;
    cc_error err;
    assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
    /* routes alternate from intravenous */
    for (int k = 0; k < 8; k++)
        assert_int_equal(pl.admins[k].route, k % 2 ? RT_INTRATHECAL : RT_INTRAVENOUS);
    /* ancillary: rehabilitation 2/day and nutrition 1/day on days 2..14; epidural optional */
    assert_int_equal(pl.n_ancillary, 2);
    assert_int_equal(pl.ancillary[0].sessions, 26);
    assert_int_equal(pl.ancillary[1].sessions, 13);
    q.optional_ancillary = 1u << 2;
    assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
    assert_int_equal(pl.n_ancillary, 3);
    /* follow-up 1, 3, 6, 12 months after the last administration (2026-01-16), +-7/14/30/30 */
    assert_int_equal(pl.admins[7].date, ymd("2026-01-16"));
    static const char *const dates[][3] = {{"2026-02-16", "2026-02-09", "2026-02-23"},
                                           {"2026-04-16", "2026-04-02", "2026-04-30"},
                                           {"2026-07-16", "2026-06-16", "2026-08-15"},
                                           {"2027-01-16", "2026-12-17", "2027-02-15"}};
    assert_int_equal(pl.n_follow_up, 4);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(pl.follow_up[k].date, ymd(dates[k][0]));
        assert_int_equal(pl.follow_up[k].window_start, ymd(dates[k][1]));
        assert_int_equal(pl.follow_up[k].window_end, ymd(dates[k][2]));
    }
    /* quote: stay 15 x 250 EUR, 8 x 1,500 EUR, rehab 26 x 60, nutrition 13 x 30,
     * epidural 13 x 200, examinations 1,200 = 3,750 + 12,000 + 1,560 + 390 + 2,600 + 1,200 */
    quote qt;
    assert_int_equal(quote_build(&p, &pl, &qt, &err), CC_OK);
    assert_int_equal(qt.n_lines, 1 + 8 + 3 + 1);
    assert_int_equal(qt.total_cents, 2150000);
    assert_false(qt.outside_range);
    assert_string_equal(qt.currency, "EUR");
}

static void test_autologous_waits_for_product(void **state)
{
    (void)state;
    protocol p;
    load_protocol("msc", &p);
    planner_request q = request(&p, 3, "2026-01-01");
    q.product = PT_BM_MSC;
    planner_calendar cal = empty_calendar(1);
    plan pl;
    cc_error err;
    assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
    /* lead time 28 days: ready 2026-01-29; admission the day before, first administration on it */
    assert_true(pl.has_product_ready);
    assert_int_equal(pl.product_ready, ymd("2026-01-29"));
    assert_int_equal(pl.start, ymd("2026-01-28"));
    assert_int_equal(pl.admins[0].date, ymd("2026-01-29"));
    assert_int_equal(planner_check(&q, &cal, &pl, &err), CC_OK);
    /* 1 administration of BM-MSC: 5 x 250 + 4,000 + 1,200 = 6,450 EUR, below 7,000: flagged */
    q.count = 1;
    assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
    quote qt;
    assert_int_equal(quote_build(&p, &pl, &qt, &err), CC_OK);
    assert_int_equal(qt.total_cents, 645000);
    assert_true(qt.outside_range);
}

static void test_add_months(void **state)
{
    (void)state;
    static const char *const rows[][3] = {
        {"2026-01-31", "1", "2026-02-28"},  {"2028-01-31", "1", "2028-02-29"},
        {"2026-10-31", "3", "2027-01-31"},  {"2026-08-31", "1", "2026-09-30"},
        {"2026-12-15", "12", "2027-12-15"}, {"2026-03-31", "6", "2026-09-30"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(planner_add_months(ymd(rows[i][0]), atoi(rows[i][1])), ymd(rows[i][2]));
}

static void test_check_catches_broken_plans(void **state)
{
    (void)state;
    protocol p;
    load_protocol("sci", &p);
    planner_request q = request(&p, 8, "2026-01-05");
    planner_calendar cal = empty_calendar(1);
    plan pl, bad;
    cc_error err;
    assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
    bad = pl; /* IT 3 -> move the second intrathecal to 2 days after the first */
    bad.admins[3].day = 5;
    bad.admins[3].date = bad.start + 4;
    assert_int_equal(planner_check(&q, &cal, &bad, &err), CC_INVALID);
    assert_string_equal(err.code, "spacing");
    bad = pl; /* something on admission day */
    bad.admins[0].day = 1;
    bad.admins[0].date = bad.start;
    assert_int_equal(planner_check(&q, &cal, &bad, &err), CC_INVALID);
    bad = pl; /* two on one day */
    bad.admins[2].day = 3;
    bad.admins[2].date = bad.start + 2;
    assert_int_equal(planner_check(&q, &cal, &bad, &err), CC_INVALID);
    bad = pl; /* capacity: one IT slot, already used that day */
    static uint16_t used[400][RT_COUNT];
    planner_calendar full = cal;
    full.first = pl.start;
    full.n_days = 400;
    full.used = used;
    used[pl.admins[1].day - 1][RT_INTRATHECAL] = 1;
    assert_int_equal(planner_check(&q, &full, &bad, &err), CC_CONFLICT);
    assert_string_equal(err.code, "capacity_taken");
}

/* Brute force: can admission date `start` hold the request? Tries every day
 * assignment (depth-first, days within the stay), independent of the greedy. */
static bool feasible_at(const planner_request *q, const planner_calendar *cal, cc_date start,
                        cc_date ready, int i, int prev_day, int *last)
{
    const protocol *p = q->protocol;
    if (i == q->count)
        return true;
    admin_route r = planner_route_of(q, i);
    int limit = p->stay_max - p->observe_days;
    int gap = protocol_hours_to_days(p->gap_hours) < 1 ? 1 : protocol_hours_to_days(p->gap_hours);
    int lo = i == 0 ? p->first_admin_day : prev_day + gap;
    if (lo < last[r] + protocol_hours_to_days(p->spacing_hours[r]))
        lo = last[r] + protocol_hours_to_days(p->spacing_hours[r]);
    for (int d = lo; d <= limit; d++) {
        if (start + d - 1 < ready)
            continue;
        if (planner_used(cal, start + d - 1, r) >= cal->capacity[r])
            continue;
        int saved = last[r];
        last[r] = d;
        bool ok = feasible_at(q, cal, start, ready, i + 1, d, last);
        last[r] = saved;
        if (ok)
            return true;
        /* a later day for this one only delays the rest: the first free day decides */
        return false;
    }
    return false;
}

enum { CAL_DAYS = 900 };

static void random_request(uint64_t *seed, protocol *protos, planner_request *q, cc_date base)
{
    protocol *p = &protos[rng_int(seed, 0, 4)];
    *q = (planner_request){.protocol = p,
                           .count = rng_int(seed, p->admin_min, p->admin_max),
                           .per_admin = p->dose.rounding * 3,
                           .earliest = base + rng_int(seed, 0, 200)};
    int t;
    do
        t = rng_int(seed, 0, PT_COUNT - 1);
    while (!(p->products & (1u << t)));
    q->product = (product_type)t;
    if (rng_int(seed, 0, 3) == 0) { /* a random cycle of allowed routes */
        q->n_cycle = (size_t)rng_int(seed, 1, 3);
        for (size_t k = 0; k < q->n_cycle; k++) {
            int r;
            do
                r = rng_int(seed, 0, RT_COUNT - 1);
            while (!(p->routes & (1u << r)));
            q->cycle[k] = (admin_route)r;
        }
    }
    q->optional_ancillary = (unsigned)rng_int(seed, 0, 7);
}

/* Property: thousands of random requests booked one after another into one
 * calendar with random capacity. Every plan passes planner_check against the
 * calendar before booking (spacing, gap, day 1, stay, product readiness,
 * capacity), no day ever exceeds capacity, and no earlier admission date was
 * feasible (brute force). */
static void test_planner_properties(void **state)
{
    (void)state;
    static protocol protos[5];
    static const char *const ids[] = {"sci", "spina-bifida", "msc", "secretome", "als"};
    for (int i = 0; i < 5; i++)
        load_protocol(ids[i], &protos[i]);
    static uint16_t used[CAL_DAYS][RT_COUNT];
    int planned = 0, blocked = 0;
    for (int round = 0; round < 6; round++) {
        uint64_t seed = 0xC0FFEEULL + (uint64_t)round * 7919;
        memset(used, 0, sizeof used);
        planner_calendar cal = {.first = ymd("2026-01-01"), .n_days = CAL_DAYS, .used = used};
        for (int r = 0; r < RT_COUNT; r++)
            cal.capacity[r] = round == 0 ? rng_int(&seed, 0, 2) : rng_int(&seed, 1, 4);
        for (int i = 0; i < 1000; i++) {
            planner_request q;
            random_request(&seed, protos, &q, cal.first);
            plan pl;
            cc_error err;
            cc_status st = planner_plan(&q, &cal, &pl, &err);
            if (st != CC_OK) {
                assert_int_equal(st, CC_CONFLICT);
                assert_string_equal(err.code, "no_feasible_start");
                blocked++;
                continue;
            }
            if (planner_check(&q, &cal, &pl, &err) != CC_OK)
                fail_msg("round %d case %d: %s", round, i, err.message);
            if (i % 5 == 0) { /* earliest: no earlier admission date works */
                cc_date ready = pl.has_product_ready ? pl.product_ready : q.earliest;
                /* an autologous stay starts when the product is ready, not earlier */
                cc_date from = q.earliest;
                if (pl.has_product_ready && ready - (q.protocol->first_admin_day - 1) > from)
                    from = ready - (q.protocol->first_admin_day - 1);
                for (cc_date s = from; s < pl.start; s++) {
                    int last[RT_COUNT];
                    for (int r = 0; r < RT_COUNT; r++)
                        last[r] = -100000;
                    if (feasible_at(&q, &cal, s, ready, 0, 0, last))
                        fail_msg("round %d case %d: admission %d feasible before %d", round, i, s,
                                 pl.start);
                }
            }
            planner_book(&cal, &pl, +1);
            planned++;
        }
        for (int d = 0; d < CAL_DAYS; d++)
            for (int r = 0; r < RT_COUNT; r++)
                assert_true(used[d][r] <= cal.capacity[r]);
    }
    printf("planner properties: %d plans booked, %d blocked by capacity\n", planned, blocked);
    assert_true(planned > 2000);
}

/* The brute force's own check: without capacity every valid request is
 * feasible on the first day (protocol_check guarantees max fits). */
static void test_empty_clinic_always_plans(void **state)
{
    (void)state;
    static protocol protos[5];
    static const char *const ids[] = {"sci", "spina-bifida", "msc", "secretome", "als"};
    for (int i = 0; i < 5; i++)
        load_protocol(ids[i], &protos[i]);
    uint64_t seed = 42;
    planner_calendar cal = empty_calendar(1);
    for (int i = 0; i < 3000; i++) {
        planner_request q;
        random_request(&seed, protos, &q, ymd("2026-01-01"));
        q.n_cycle = 0;
        plan pl;
        cc_error err;
        assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
        cc_date expect = q.earliest;
        if (protocol_product_is_autologous(q.product))
            expect = q.earliest + q.protocol->lead_days_max - (q.protocol->first_admin_day - 1);
        assert_int_equal(pl.start, expect);
        assert_int_equal(planner_check(&q, &cal, &pl, &err), CC_OK);
    }
}

/*
 * Moving an approved sci v2 plan (8 administrations from 2026-01-05: IV 2,
 * IT 3, IV 4, IT 6, IV 7, IT 9, IV 10, IT 12; discharge day 15). Each row
 * names the protocol rule it tests (src/protocols/sci.v2.json): value is the
 * new stay day of a move ('m') or the days of a shift ('s').
 */
static void test_move_table(void **state)
{
    (void)state;
    static const struct {
        const char *rule;
        char op;
        int item, value;
        int given;                  /* items 1..given were given */
        int late_item, late_day;    /* that given item was given on that day (0: on time) */
        int today_day, it_full_day; /* stay day of today; IT slots taken on that day (0 none) */
        const char *code, *field;   /* "" when the move is allowed */
        int start_shift, stay_days;
        int days[8];
    } rows[] = {
        {"a dose postponed one day",
         'm',
         3,
         5,
         0,
         0,
         0,
         1,
         0,
         "",
         "",
         0,
         15,
         {2, 3, 5, 6, 7, 9, 10, 12}},
        {"spacing_hours.intrathecal 72",
         'm',
         4,
         5,
         0,
         0,
         0,
         1,
         0,
         "move_spacing",
         "date",
         0,
         0,
         {0}},
        {"gap_hours 24: one administration a day",
         'm',
         5,
         6,
         0,
         0,
         0,
         1,
         0,
         "move_gap",
         "date",
         0,
         0,
         {0}},
        {"route_cycle: an administration cannot pass the next",
         'm',
         3,
         8,
         0,
         0,
         0,
         1,
         0,
         "move_order",
         "date",
         0,
         0,
         {0}},
        {"first_administration_day 2",
         'm',
         1,
         1,
         0,
         0,
         0,
         1,
         0,
         "move_admission_day",
         "date",
         0,
         0,
         {0}},
        {"no administration in the past",
         'm',
         3,
         3,
         0,
         0,
         0,
         4,
         0,
         "move_in_past",
         "date",
         0,
         0,
         {0}},
        {"a given administration does not move",
         'm',
         1,
         3,
         1,
         0,
         0,
         1,
         0,
         "move_item_given",
         "item",
         0,
         0,
         {0}},
        {"clinic capacity per route and day",
         'm',
         8,
         13,
         0,
         0,
         0,
         1,
         13,
         "move_capacity",
         "date",
         0,
         0,
         {0}},
        {"capacity free: the last dose a day later",
         'm',
         8,
         13,
         0,
         0,
         0,
         1,
         12,
         "",
         "",
         0,
         15,
         {2, 3, 4, 6, 7, 9, 10, 13}},
        {"stay_days.max 23", 'm', 8, 23, 0, 0, 0, 1, 0, "move_stay_too_long", "date", 0, 0, {0}},
        {"stay_days.max 23 reached, observe_days 1",
         'm',
         8,
         22,
         0,
         0,
         0,
         1,
         0,
         "",
         "",
         0,
         23,
         {2, 3, 4, 6, 7, 9, 10, 22}},
        {"the patient arrives two days late",
         's',
         1,
         2,
         0,
         0,
         0,
         1,
         0,
         "",
         "",
         2,
         15,
         {2, 3, 4, 6, 7, 9, 10, 12}},
        {"the rest of the stay two days later",
         's',
         5,
         2,
         4,
         0,
         0,
         5,
         0,
         "",
         "",
         0,
         15,
         {2, 3, 4, 6, 9, 11, 12, 14}},
        {"shift of a given administration",
         's',
         4,
         1,
         4,
         0,
         0,
         5,
         0,
         "move_item_given",
         "item",
         0,
         0,
         {0}},
        {"gap_hours 24 from the day it was given",
         's',
         5,
         1,
         4,
         4,
         8,
         8,
         0,
         "move_gap",
         "days",
         0,
         0,
         {0}},
        {"spacing counted from the planned day when given on time",
         's',
         5,
         1,
         4,
         0,
         0,
         7,
         0,
         "",
         "",
         0,
         15,
         {2, 3, 4, 6, 8, 10, 11, 13}},
        {"stay_days.max 23 on a shift",
         's',
         6,
         12,
         5,
         0,
         0,
         7,
         0,
         "move_stay_too_long",
         "days",
         0,
         0,
         {0}},
        {"shift days out of range", 's', 6, 0, 5, 0, 0, 7, 0, "out_of_range", "days", 0, 0, {0}},
    };
    protocol p;
    load_protocol_version("sci", 2, &p);
    planner_request q = request(&p, 8, "2026-01-05");
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        planner_calendar cal = empty_calendar(2);
        uint16_t used[40][RT_COUNT] = {{0}};
        cal.first = ymd("2026-01-05") - 5;
        cal.n_days = 40;
        cal.used = used;
        plan in, out;
        cc_error err;
        assert_int_equal(planner_plan(&q, &cal, &in, &err), CC_OK);
        cc_date start = in.start;
        if (rows[k].it_full_day)
            used[start + rows[k].it_full_day - 1 - cal.first][RT_INTRATHECAL] = 2;
        planner_progress pg = {.today = start + rows[k].today_day - 1};
        for (int i = 0; i < rows[k].given; i++) {
            pg.given[i] = true;
            pg.given_on[i] = in.admins[i].date;
        }
        if (rows[k].late_item)
            pg.given_on[rows[k].late_item - 1] = start + rows[k].late_day - 1;
        cc_status st = rows[k].op == 'm' ? planner_move_item(&q, &cal, &pg, &in, rows[k].item,
                                                             start + rows[k].value - 1, &out, &err)
                                         : planner_shift(&q, &cal, &pg, &in, rows[k].item,
                                                         rows[k].value, &out, &err);
        if (rows[k].code[0]) {
            if (st == CC_OK || strcmp(err.code, rows[k].code) != 0 ||
                strcmp(err.field, rows[k].field) != 0)
                fail_msg("%s: want %s (%s), got %d %s (%s) %s", rows[k].rule, rows[k].code,
                         rows[k].field, st, st == CC_OK ? "" : err.code,
                         st == CC_OK ? "" : err.field, st == CC_OK ? "" : err.message);
            continue;
        }
        if (st != CC_OK)
            fail_msg("%s: %s %s", rows[k].rule, err.code, err.message);
        assert_int_equal(out.start, start + rows[k].start_shift);
        assert_int_equal(out.stay_days, rows[k].stay_days);
        assert_int_equal(out.end, out.start + rows[k].stay_days - 1);
        for (int i = 0; i < 8; i++) {
            if (out.admins[i].day != rows[k].days[i])
                fail_msg("%s: administration %d on day %d, want %d", rows[k].rule, i + 1,
                         out.admins[i].day, rows[k].days[i]);
            assert_int_equal(out.admins[i].date, out.start + out.admins[i].day - 1);
        }
        /* follow_up: months after the last administration (protocol follow_up[].months) */
        assert_int_equal(out.follow_up[0].date, planner_add_months(out.admins[7].date, 1));
        assert_int_equal(out.follow_up[3].date, planner_add_months(out.admins[7].date, 12));
        assert_int_equal(out.follow_up[0].window_start, out.follow_up[0].date - 7);
        /* the moved plan keeps every rule planner_check knows (its own slots booked) */
        q.earliest = out.start;
        assert_int_equal(planner_check(&q, &cal, &out, &err), CC_OK);
        q.earliest = ymd("2026-01-05");
    }
}

/* The follow-up visits count from the day the last administration was given. */
static void test_move_follow_up_from_given_day(void **state)
{
    (void)state;
    protocol p;
    load_protocol_version("sci", 2, &p);
    planner_request q = request(&p, 6, "2026-01-05");
    planner_calendar cal = empty_calendar(2);
    plan in, out;
    cc_error err;
    assert_int_equal(planner_plan(&q, &cal, &in, &err), CC_OK);
    /* items 1-5 given, item 6 given two days late: nothing moves, but a
     * shift of nothing is refused; move item 6 is refused as given */
    planner_progress pg = {.today = in.admins[5].date + 2};
    for (int i = 0; i < 6; i++) {
        pg.given[i] = true;
        pg.given_on[i] = in.admins[i].date;
    }
    pg.given_on[5] += 2;
    assert_int_equal(planner_move_item(&q, &cal, &pg, &in, 6, pg.today, &out, &err), CC_CONFLICT);
    assert_string_equal(err.code, "move_item_given");
    /* item 5 not given yet: postponing it re-dates the visits from item 6's given day */
    pg.given[4] = false;
    pg.today = in.admins[4].date;
    assert_int_equal(planner_move_item(&q, &cal, &pg, &in, 5, in.admins[4].date + 1, &out, &err),
                     CC_OK);
    assert_int_equal(out.follow_up[0].date, planner_add_months(in.admins[5].date + 2, 1));
    assert_int_equal(planner_move_item(&q, &cal, &pg, &in, 9, in.admins[4].date, &out, &err),
                     CC_INVALID);
    assert_string_equal(err.field, "item");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_protocols_parse_and_plan),
        cmocka_unit_test(test_planner_table),
        cmocka_unit_test(test_follow_up_instruments_by_indication),
        cmocka_unit_test(test_follow_up_instrument_refusals),
        cmocka_unit_test(test_age_on),
        cmocka_unit_test(test_follow_up_instruments_by_age),
        cmocka_unit_test(test_sci_plan_details),
        cmocka_unit_test(test_autologous_waits_for_product),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_check_catches_broken_plans),
        cmocka_unit_test(test_planner_properties),
        cmocka_unit_test(test_empty_clinic_always_plans),
        cmocka_unit_test(test_move_table),
        cmocka_unit_test(test_move_follow_up_from_given_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
