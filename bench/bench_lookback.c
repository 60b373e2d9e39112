/*
 * bench_lookback: time of the lookback from one donor whose 1,000 units were
 * given to 1,000 patients, in a database of 100,000 units.
 *
 * Builds a fresh data directory (migrations as shipped) and fills it with
 * SQL in one transaction: 100 donors with one collection each; the target
 * donor's collection feeds 10 batches of 100 units (1,000 units), each given
 * to a different patient; the 99 other donors' 990 batches hold the other
 * 99,000 units, of which 49,500 were given to random patients among 20,000.
 * Then times, warm and after a cold reopen:
 *   1. lab_lookback_json from the donor (units + recipients as JSON);
 *   2. lab_lookback_json from one batch;
 *   3. lab_exposure_json from one recipient.
 * Usage: bench_lookback [--runs N]  (default 20). Prints min / median / max.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/datadir.h"
#include "store/lab.h"
#include "store/sql.h"

enum { DONORS = 100, BATCHES_PER_DONOR = 10, UNITS_PER_BATCH = 100, PATIENTS = 20000 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(cc_status st, const cc_error *err, const char *what)
{
    if (st != CC_OK) {
        fprintf(stderr, "bench_lookback: %s: %s\n", what, err->message);
        exit(1);
    }
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(db *d)
{
    cc_error err;
    check(db_begin(d, &err), &err, "begin");
    const char *now = "2026-11-22T00:00:00Z";
    for (int p = 1; p <= PATIENTS; p++) {
        char mrn[16], name[32];
        snprintf(mrn, sizeof mrn, "B%07d", p);
        snprintf(name, sizeof name, "patient %d", p);
        sql_arg a[] = {SQL_S(mrn), SQL_S(name), SQL_S(name), SQL_S(name), SQL_S(now), SQL_S(now)};
        check(sql_run(d,
                      "INSERT INTO patients (mrn, family_name, given_names, birth_date, sex, language,"
                      " search_key, identity_key, synthetic, version, created_at, updated_at)"
                      " VALUES (?, ?, 'Bench', '1970-01-01', 'unknown', 'en', ?, ?, 1, 1, ?, ?)",
                      a, 6, NULL, &err),
              &err, "patient");
    }
    int64_t unit_seq = 0, given_target = 0;
    for (int dn = 1; dn <= DONORS; dn++) {
        char code[16];
        snprintf(code, sizeof code, "DN%06d", dn);
        int64_t donor_id, coll_id;
        sql_arg a[] = {SQL_S(code), SQL_S(now), SQL_S(now)};
        check(sql_run(d,
                      "INSERT INTO donors (code, kind, consent_date, eligibility, version, created_at,"
                      " updated_at) VALUES (?, 'allogeneic', '2026-01-01', 'eligible', 1, ?, ?) RETURNING id",
                      a, 3, &donor_id, &err),
              &err, "donor");
        sql_arg c[] = {SQL_I(donor_id), SQL_S(now)};
        check(sql_run(d,
                      "INSERT INTO collections (donor_id, source, collected_on, mass_g, recorded_by,"
                      " created_at) VALUES (?, 'cord-tissue', '2026-01-02', 20, 'bench', ?) RETURNING id",
                      c, 2, &coll_id, &err),
              &err, "collection");
        for (int b = 0; b < BATCHES_PER_DONOR; b++) {
            char bcode[32];
            snprintf(bcode, sizeof bcode, "B26-%03d-%02d", dn, b);
            int64_t batch_id;
            sql_arg ba[] = {SQL_S(bcode), SQL_S(now), SQL_S(now)};
            check(sql_run(d,
                          "INSERT INTO batches (code, product_type, status, spec_version, version,"
                          " created_at, updated_at) VALUES (?, 'uc-msc', 'released', '2026.1', 1, ?, ?)"
                          " RETURNING id",
                          ba, 3, &batch_id, &err),
                  &err, "batch");
            sql_arg bc[] = {SQL_I(batch_id), SQL_I(coll_id)};
            check(sql_run(d, "INSERT INTO batch_collections (batch_id, collection_id) VALUES (?, ?)", bc, 2,
                          NULL, &err),
                  &err, "batch_collection");
            for (int u = 0; u < UNITS_PER_BATCH; u++) {
                char din[32];
                snprintf(din, sizeof din, "W123426%06lld", (long long)(++unit_seq % 1000000));
                /* target donor: every unit given, to patients 1..1000; others: every second unit */
                bool given = dn == 1 || u % 2 == 0;
                int64_t patient = dn == 1 ? ++given_target : (int64_t)(1 + next_random() % PATIENTS);
                int64_t unit_id;
                sql_arg ua[] = {SQL_S(din), SQL_I(batch_id), SQL_S(given ? "administered" : "released"),
                                given ? SQL_I(patient) : SQL_N, SQL_S(now), SQL_S(now)};
                check(sql_run(d,
                              "INSERT INTO units (din, din_check, product_code, batch_id, product_type, cells,"
                              " volume_ml, expiry, state, issued_patient_id, version, created_at, updated_at)"
                              " VALUES (?, 'X', 'S1234', ?, 'uc-msc', 100000000, 10, '2027-11-01', ?, ?, 1, ?, ?)"
                              " RETURNING id",
                              ua, 6, &unit_id, &err),
                      &err, "unit");
                if (given) {
                    sql_arg aa[] = {SQL_I(unit_id), SQL_I(patient), SQL_S(now)};
                    check(sql_run(d,
                                  "INSERT INTO unit_administrations (unit_id, patient_id, administered_on,"
                                  " recorded_by, recorded_at) VALUES (?, ?, '2026-06-01', 'bench', ?)",
                                  aa, 3, NULL, &err),
                          &err, "administration");
                }
            }
        }
    }
    check(db_commit(d, &err), &err, "commit");
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef cc_status (*query_fn)(db *d, int64_t id, buf *out, cc_error *err);
static cc_status from_donor(db *d, int64_t id, buf *out, cc_error *err)
{
    return lab_lookback_json(d, LAB_FROM_DONOR, id, out, err);
}
static cc_status from_batch(db *d, int64_t id, buf *out, cc_error *err)
{
    return lab_lookback_json(d, LAB_FROM_BATCH, id, out, err);
}

static void time_query(db *d, const char *name, query_fn fn, int64_t id, int runs, const char *expect)
{
    double t[256];
    size_t bytes = 0;
    for (int i = 0; i < runs; i++) {
        buf b;
        buf_init(&b, 64u << 20);
        cc_error err;
        double t0 = now_seconds();
        check(fn(d, id, &b, &err), &err, name);
        t[i] = now_seconds() - t0;
        bytes = b.len;
        if (expect && !strstr(b.data, expect)) {
            fprintf(stderr, "bench_lookback: %s: answer lacks %s\n", name, expect);
            exit(1);
        }
        buf_release(&b);
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp);
    printf("  %-34s min %7.2f ms  median %7.2f ms  max %7.2f ms  (%zu bytes of JSON)\n", name, t[0] * 1e3,
           t[runs / 2] * 1e3, t[runs - 1] * 1e3, bytes);
}

int main(int argc, char **argv)
{
    int runs = 20;
    if (argc == 3 && strcmp(argv[1], "--runs") == 0)
        runs = atoi(argv[2]);
    if (runs < 1 || runs > 256 || (argc != 1 && argc != 3)) {
        fprintf(stderr, "usage: bench_lookback [--runs N]   (N 1..256)\n");
        return 2;
    }
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/cc-bench-lookback-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    rmdir(dir);
    cc_error err;
    db *d;
    check(datadir_create(dir, &d, &err), &err, "create");
    double t0 = now_seconds();
    fill(d);
    int64_t units = 0, given = 0;
    sql_scalar(d, "SELECT COUNT(*) FROM units", NULL, 0, &units, &err);
    sql_scalar(d, "SELECT COUNT(*) FROM unit_administrations", NULL, 0, &given, &err);
    printf("bench_lookback: %lld units, %lld administrations, %d patients, %d donors (filled in %.1f s)\n",
           (long long)units, (long long)given, PATIENTS, DONORS, now_seconds() - t0);
    printf("warm (%d runs each):\n", runs);
    time_query(d, "lookback from donor (1,000 units)", from_donor, 1, runs, "\"recipients\":[{");
    time_query(d, "lookback from batch (100 units)", from_batch, 1, runs, "\"recipients\":[{");
    time_query(d, "exposure of one patient", lab_exposure_json, 500, runs, "\"donor_code\":\"DN000001\"");
    db_close(d);
    check(datadir_open(dir, &d, &err), &err, "reopen");
    printf("cold (first query after reopening the database):\n");
    time_query(d, "lookback from donor (1,000 units)", from_donor, 1, 1, "\"recipients\":[{");
    db_close(d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
