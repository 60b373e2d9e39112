/* Unit tests of the access log's store (store/access_log): batches appended
 * in random sizes; after each, every listing, per patient and per user, page
 * by page and as seen from each of two sites, must be the matching rows about
 * that site's patients newest first (another site's patient is not found),
 * and the chain and its indexes must verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "datadir_fixture.h"
#include "store/access_log.h"
#include "store/sql.h"

enum { PATIENTS = 6, USERS = 3, ROWS_MAX = 400, SITES = 2 };

static const char *const USER_NAMES[USERS] = {"nurse1", "physician1", "qa1"};

typedef struct {
    datadir_fixture *f;
    db *main, *log;
    access_entry rows[ROWS_MAX];
    size_t n;
} fixture;

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    cc_error err;
    char path[128];
    if (!x || !(x->f = datadir_fixture_make("access-log")))
        return -1;
    snprintf(path, sizeof path, "%s/names.db", x->f->dir);
    if (db_open(path, DB_OPEN_CREATE, &x->main, &err) != CC_OK ||
        db_exec(x->main,
                "CREATE TABLE patients (id INTEGER PRIMARY KEY, mrn TEXT, family_name TEXT,"
                " given_names TEXT, site_id INTEGER NOT NULL);"
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 6)"
                " INSERT INTO patients SELECT i, printf('M%04d', i), 'Family', 'Given', i % 2 + 1"
                " FROM k;",
                &err) != CC_OK ||
        access_log_open(x->f->dir, &x->log, &err) != CC_OK)
        return -1;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    db_close(x->main);
    db_close(x->log);
    int rc = datadir_fixture_remove(x->f);
    free(x);
    return rc;
}

/* Appends k random rows as one batch; each row's time is unique (its number). */
static void append_random(fixture *x, size_t k)
{
    access_entry *batch = &x->rows[x->n];
    for (size_t i = 0; i < k; i++) {
        access_entry *e = &batch[i];
        unsigned row = (unsigned)(x->n + i) % 3600; /* ROWS_MAX < 3600: unique */
        snprintf(e->at, sizeof e->at, "2026-12-04T10:%02u:%02uZ", row / 60, row % 60);
        int u = rand() % USERS;
        e->user_id = u + 1;
        snprintf(e->username, sizeof e->username, "%s", USER_NAMES[u]);
        e->patient_id = 1 + rand() % PATIENTS;
        e->what = "record";
        e->route = "/api/v1/patients/{id}";
    }
    cc_error err;
    assert_int_equal(access_log_append(x->log, batch, k, &err), CC_OK);
    x->n += k;
}

/* The fixture's patients alternate between sites 2 and 1. */
static int64_t site_of(int64_t patient)
{
    return patient % 2 + 1;
}

static bool matches(const access_entry *e, int64_t site, int64_t patient, const char *user)
{
    if (site_of(e->patient_id) != site)
        return false;
    return patient ? e->patient_id == patient : strcmp(e->username, user) == 0;
}

/* Every page of one listing as seen from site against the rows kept in memory. */
static void check_listing(fixture *x, int64_t site, int64_t patient, const char *user,
                          int64_t per_page)
{
    char mrn[16];
    snprintf(mrn, sizeof mrn, "M%04lld", (long long)patient);
    int64_t expected_total = 0;
    for (size_t i = 0; i < x->n; i++)
        expected_total += matches(&x->rows[i], site, patient, user);
    size_t next = x->n; /* rows newest first: walk back from the end */
    int64_t seen = 0;
    for (int64_t page = 1; page <= expected_total / per_page + 1; page++) {
        buf out;
        buf_init(&out, 1 << 20);
        int64_t total = -1;
        cc_error err;
        assert_int_equal(access_log_page_json(x->main, x->log, site, patient ? mrn : NULL,
                                              patient ? NULL : user, page, per_page, &out, &total,
                                              &err),
                         CC_OK);
        assert_int_equal(total, expected_total);
        json_t *items = json_loads(out.data, 0, NULL);
        assert_true(json_is_array(items));
        size_t k;
        json_t *item;
        json_array_foreach(items, k, item)
        {
            while (next > 0 && !matches(&x->rows[next - 1], site, patient, user))
                next--;
            assert_true(next > 0);
            const access_entry *e = &x->rows[--next];
            char want_mrn[16];
            snprintf(want_mrn, sizeof want_mrn, "M%04lld", (long long)e->patient_id);
            assert_string_equal(json_string_value(json_object_get(item, "at")), e->at);
            assert_string_equal(json_string_value(json_object_get(item, "username")), e->username);
            assert_string_equal(json_string_value(json_object_get(item, "mrn")), want_mrn);
            seen++;
        }
        assert_true((int64_t)json_array_size(items) <= per_page);
        json_decref(items);
        buf_release(&out);
    }
    assert_int_equal(seen, expected_total);
}

static void check_everything(fixture *x)
{
    int64_t per_page = 1 + rand() % 7;
    for (int64_t site = 1; site <= SITES; site++) {
        for (int64_t p = 1; p <= PATIENTS; p++)
            if (site_of(p) == site)
                check_listing(x, site, p, NULL, per_page);
        for (int u = 0; u < USERS; u++)
            check_listing(x, site, 0, USER_NAMES[u], per_page);
    }
    audit_verdict v;
    cc_error err;
    assert_int_equal(access_log_verify(x->log, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 0);
    assert_int_equal(v.entries, (int64_t)x->n);
}

static void test_listings_match_the_rows(void **state)
{
    fixture *x = *state;
    srand(20261204);
    check_everything(x); /* empty */
    while (x->n < ROWS_MAX - 40) {
        append_random(x, 1 + (size_t)(rand() % 40));
        check_everything(x);
    }
}

static void test_both_or_neither_filter_is_refused(void **state)
{
    fixture *x = *state;
    buf out;
    buf_init(&out, 1 << 10);
    int64_t total;
    cc_error err;
    assert_int_equal(
        access_log_page_json(x->main, x->log, 2, "M0001", "nurse1", 1, 10, &out, &total, &err),
        CC_INVALID);
    assert_int_equal(
        access_log_page_json(x->main, x->log, 1, NULL, NULL, 1, 10, &out, &total, &err),
        CC_INVALID);
    assert_int_equal(
        access_log_page_json(x->main, x->log, 1, "M9999", NULL, 1, 10, &out, &total, &err),
        CC_NOT_FOUND);
    assert_string_equal(err.field, "patient");
    /* M0001 is site 2's: from site 1 it is not found either */
    assert_int_equal(
        access_log_page_json(x->main, x->log, 1, "M0001", NULL, 1, 10, &out, &total, &err),
        CC_NOT_FOUND);
    assert_string_equal(err.field, "patient");
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_listings_match_the_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_or_neither_filter_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
