/*
 * bench_planner: speed of the stay planner on a busy clinic calendar.
 *
 * The calendar holds 1,000 approved plans (random programmes, counts,
 * products from the five shipped protocols, desired admissions spread over
 * two years, booked one after another with the default capacity
 * of the shipped migration: 6 intravenous, 3 intrathecal, 4 local,
 * 4 inhalation, 6 topical, 2 graft slots a day). Prints:
 *  1. plans per second of dose + planner + quote on that calendar (core
 *     only, one core, best of 3 windows of 0.5 s), requests drawn at random;
 *  2. plans per second of the API's path minus HTTP: load the calendar from
 *     a SQLite data directory holding the same 1,000 approved plans
 *     (capacity_store_load over ~600 days), then plan;
 *  3. the share of requests that found no admission within 365 days.
 *
 * Usage: bench_planner   (writes a temporary data directory under /tmp)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/programmes.h"
#include "store/datadir.h"
#include "store/plans.h"

enum { N_APPROVED = 1000, SPREAD_DAYS = 730, CAL_DAYS = 1300 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static int rng_int(uint64_t *s, int lo, int hi)
{
    return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static protocol PROTOS[5];
static const char *const IDS[5] = {"sci", "spina-bifida", "msc", "secretome", "als"};

static void random_input(uint64_t *seed, cc_date base, programme_input *in)
{
    const protocol *p = &PROTOS[rng_int(seed, 0, 4)];
    static const char *const products[] = {"UC-MSC", "UCB-SC", "BM-MSC",
                                           "AD-MSC", "PL-MSC", "secretome"};
    int t;
    do
        t = rng_int(seed, 0, PT_COUNT - 1);
    while (!(p->products & (1u << t)));
    *in = (programme_input){.protocol = p,
                            .count = rng_int(seed, p->admin_min, p->admin_max),
                            .product = products[t],
                            .earliest = base + rng_int(seed, 0, SPREAD_DAYS - 1),
                            .weight_g = rng_int(seed, 30000, 110000),
                            .age_years = rng_int(seed, 2, 70)};
    in->weight_date = in->as_of = in->earliest;
}

static void default_capacity(planner_calendar *cal)
{
    static const int slots[RT_COUNT] = {6, 3, 4, 4, 6, 2};
    memcpy(cal->capacity, slots, sizeof slots);
}

int main(void)
{
    cc_error err;
    for (int i = 0; i < 5; i++)
        if (programme_load(NULL, NULL, IDS[i], 0, &PROTOS[i], &err) != CC_OK) {
            fprintf(stderr, "bench_planner: %s\n", err.message);
            return 1;
        }
    cc_date base;
    date_parse("2027-01-04", "base", &base, &err);
    static uint16_t used[CAL_DAYS][RT_COUNT];
    planner_calendar cal = {.first = base, .n_days = CAL_DAYS, .used = used};
    default_capacity(&cal);
    static plan booked[N_APPROVED];
    uint64_t seed = 0xBE7C4;
    int n_booked = 0;
    while (n_booked < N_APPROVED) {
        programme_input in;
        random_input(&seed, base, &in);
        dose_result dose;
        quote q;
        if (programme_plan(&in, &cal, &booked[n_booked], &dose, &q, &err) == CC_OK) {
            planner_book(&cal, &booked[n_booked], +1);
            n_booked++;
        }
    }
    /* 1. core: dose + planner + quote on the booked calendar */
    double best = 0;
    long blocked = 0, tried = 0;
    for (int w = 0; w < 3; w++) {
        long n = 0;
        double t0 = now_seconds(), t1;
        do {
            for (int k = 0; k < 100; k++) {
                programme_input in;
                random_input(&seed, base, &in);
                plan pl;
                dose_result dose;
                quote q;
                tried++;
                if (programme_plan(&in, &cal, &pl, &dose, &q, &err) != CC_OK)
                    blocked++;
                n++;
            }
            t1 = now_seconds();
        } while (t1 - t0 < 0.5);
        if (n / (t1 - t0) > best)
            best = n / (t1 - t0);
    }
    printf("planner: %.0f plans/s on one core (dose + planner + quote; calendar with %d approved "
           "plans; best of 3 windows of 0.5 s)\n",
           best, N_APPROVED);

    /* 2. with the calendar loaded from SQLite each time, as the API does */
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/cc-bench-planner-XXXXXX");
    if (!mkdtemp(dir) || rmdir(dir) != 0)
        return 1;
    db *d;
    if (datadir_create(dir, &d, &err) != CC_OK) {
        fprintf(stderr, "bench_planner: %s\n", err.message);
        return 1;
    }
    cc_status st = db_begin(d, &err);
    st = st == CC_OK
             ? db_exec(d,
                       "INSERT INTO patients (mrn, family_name, given_names, birth_date, sex,"
                       " language, search_key, identity_key, synthetic, version, created_at,"
                       " updated_at) VALUES ('00000018', 'Bench', 'Synthetic', '1980-01-01',"
                       " 'other', 'en', 'bench', 'bench', 1, 1, '2026-01-01T00:00:00Z',"
                       " '2026-01-01T00:00:00Z')",
                       &err)
             : st;
    for (int i = 0; st == CC_OK && i < N_APPROVED; i++) {
        db_stmt *s;
        int64_t plan_id = 0;
        st = db_prepare(
            d,
            "INSERT INTO plans (patient_id, protocol_id, protocol_version, status,"
            " start_date, end_date, request, body, created_at, created_by, updated_at,"
            " version) VALUES (1, 'sci', 1, 'approved', '2027-01-04', '2027-01-18', '{}',"
            " '{}', '2026-01-01T00:00:00Z', 'bench', '2026-01-01T00:00:00Z', 1)"
            " RETURNING id",
            &s, &err);
        if (st == CC_OK) {
            if (db_step(s, &err) == DB_ROW)
                plan_id = db_col_int(s, 0);
            db_done(s);
        }
        for (int k = 0; st == CC_OK && k < booked[i].n_admins; k++) {
            char date[CC_DATE_TEXT];
            date_format(booked[i].admins[k].date, date);
            if ((st = db_prepare(
                     d, "INSERT INTO plan_slots (plan_id, slot_date, route) VALUES (?, ?, ?)", &s,
                     &err)) == CC_OK) {
                db_bind_int(s, 1, plan_id);
                db_bind_text(s, 2, date);
                db_bind_text(s, 3, protocol_route_name(booked[i].admins[k].route));
                st = db_run(s, &err);
            }
        }
    }
    if (st != CC_OK || db_commit(d, &err) != CC_OK) {
        fprintf(stderr, "bench_planner: %s\n", err.message);
        return 1;
    }
    int slots = 0;
    for (int i = 0; i < N_APPROVED; i++)
        slots += booked[i].n_admins;
    arena *a = arena_create(8 << 20);
    long n = 0;
    double t0 = now_seconds(), t1;
    do {
        programme_input in;
        random_input(&seed, base, &in);
        planner_calendar c;
        plan pl;
        dose_result dose;
        quote q;
        if (programme_calendar(d, a, 1, in.earliest, &c, &err) != CC_OK) {
            fprintf(stderr, "bench_planner: %s\n", err.message);
            return 1;
        }
        programme_plan(&in, &c, &pl, &dose, &q, &err);
        arena_release(a);
        a = arena_create(8 << 20);
        n++;
        t1 = now_seconds();
    } while (t1 - t0 < 1.0);
    printf("planner with calendar from SQLite: %.0f plans/s (capacity_store_load + plan; %d "
           "approved plans, %d booked slots)\n",
           n / (t1 - t0), N_APPROVED, slots);
    printf("no admission within 365 days: %.1f %% of %ld random requests on that calendar\n",
           100.0 * (double)blocked / (double)tried, tried);
    arena_release(a);
    db_close(d);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
