/* Store tests of the treatment programmes on real SQLite files: shipped protocol versions are
 * seeded once and never change, publishing needs the next version, a
 * screening is decided once, plan states and slot booking (the approved
 * calendar never exceeds capacity, H5), cancelling frees slots, and every
 * change keeps the audit chain intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/datadir.h"
#include "store/patients.h"
#include "store/plans.h"
#include "store/protocols.h"
#include "store/screenings.h"
#include "programmes_fixture.h"
#include "datadir_fixture.h"

static const store_actor ACTOR = {0, "test"};

typedef struct {
    datadir_fixture *store;
    db *d;
    arena *a;
    int64_t patient;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->store = datadir_fixture_make("prog")))
        return -1;
    f->d = f->store->d;
    cc_error err;
    f->a = arena_create(16 << 20);
    patient_fields p = {"Programme", "Test", "1980-05-05", "male", "fr", NULL, NULL, NULL};
    patient_matches dup;
    if (patient_create(f->d, &ACTOR, &p, false, true, 70000, &f->patient, &dup, &err) != CC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    arena_release(f->a);
    int rc = datadir_fixture_remove(f->store);
    free(f);
    return rc;
}

static void assert_chain_intact(db *d)
{
    audit_verdict v;
    cc_error err;
    assert_int_equal(audit_verify(d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 0);
}

static void test_seed_and_publish(void **state)
{
    fixture *f = *state;
    cc_error err;
    protocol_row *rows;
    size_t n;
    assert_int_equal(protocol_store_list(f->d, f->a, &rows, &n, &err), CC_OK);
    assert_int_equal(n, 5);
    /* seeding again (opening the directory) adds nothing */
    assert_int_equal(protocol_store_seed(f->d, &err), CC_OK);
    assert_int_equal(protocol_store_list(f->d, f->a, &rows, &n, &err), CC_OK);
    assert_int_equal(n, 5);
    protocol_row als; /* shipped at version 1 only */
    assert_int_equal(protocol_store_get(f->d, f->a, "als", 0, &als, &err), CC_OK);
    assert_string_equal(als.origin, "shipped");
    assert_int_equal(als.version, 1);
    /* version 1 exists: publishing 1 again or skipping to 3 is refused */
    assert_int_equal(protocol_store_publish(f->d, &ACTOR, "als", 1, "{}", &err), CC_CONFLICT);
    assert_int_equal(protocol_store_publish(f->d, &ACTOR, "als", 3, "{}", &err), CC_CONFLICT);
    assert_int_equal(protocol_store_publish(f->d, &ACTOR, "als", 2, als.body, &err), CC_OK);
    protocol_row latest, first;
    assert_int_equal(protocol_store_get(f->d, f->a, "als", 0, &latest, &err), CC_OK);
    assert_int_equal(latest.version, 2);
    assert_string_equal(latest.origin, "published");
    assert_int_equal(protocol_store_get(f->d, f->a, "als", 1, &first, &err), CC_OK);
    assert_string_equal(first.sha256, als.sha256);
    assert_int_equal(protocol_store_get(f->d, f->a, "als", 7, &first, &err), CC_NOT_FOUND);
    assert_chain_intact(f->d);
}

static void test_decide_once(void **state)
{
    fixture *f = *state;
    cc_error err;
    screening_new n = {f->patient, "sci",        1,           "{}", "not_eligible",
                       "[]",       "2026-11-20", "2026-11-22"};
    int64_t id;
    assert_int_equal(screening_store_create(f->d, &ACTOR, &n, &id, &err), CC_OK);
    n.patient_id = 9999;
    int64_t other;
    assert_int_equal(screening_store_create(f->d, &ACTOR, &n, &other, &err), CC_NOT_FOUND);
    screening_row row;
    assert_int_equal(screening_store_latest_decided(f->d, f->a, f->patient, "sci", &row, &err),
                     CC_NOT_FOUND);
    assert_int_equal(screening_store_decide(f->d, &ACTOR, id, "eligible", true,
                                            "cured 2009, letter", "I decide eligible", &err),
                     CC_OK);
    assert_int_equal(
        screening_store_decide(f->d, &ACTOR, id, "not_eligible", false, "", "again", &err),
        CC_CONFLICT);
    assert_string_equal(err.code, "already_decided");
    assert_int_equal(screening_store_latest_decided(f->d, f->a, f->patient, "sci", &row, &err),
                     CC_OK);
    assert_string_equal(row.decision, "eligible");
    assert_true(row.override);
    assert_string_equal(row.override_reason, "cured 2009, letter");
    assert_chain_intact(f->d);
}

/* Plans with one intrathecal slot a day: the second of two plans on the same
 * days cannot be approved, and cancelling the first frees the slots. */
static void test_plan_states_and_capacity(void **state)
{
    fixture *f = *state;
    cc_error err;
    protocol p;
    load_protocol("sci", &p);
    assert_int_equal(capacity_store_set(f->d, &ACTOR, 1, RT_INTRATHECAL, 1, &err), CC_OK);
    planner_calendar cal = {0};
    assert_int_equal(capacity_store_load(f->d, 1, &cal, &err), CC_OK);
    assert_int_equal(cal.capacity[RT_INTRATHECAL], 1);
    assert_int_equal(cal.capacity[RT_INTRAVENOUS], 6); /* the migration's default */
    planner_request q = {.protocol = &p,
                         .count = 8,
                         .product = PT_UC_MSC,
                         .per_admin = UINT64_C(44000000),
                         .earliest = ymd("2027-02-01")};
    plan pl;
    assert_int_equal(planner_plan(&q, &cal, &pl, &err), CC_OK);
    plan_new n = {f->patient, "sci", 1, "2027-02-01", "2027-02-15", "{}", "{}"};
    int64_t a, b;
    assert_int_equal(plan_store_create(f->d, &ACTOR, &n, &a, &err), CC_OK);
    assert_int_equal(plan_store_create(f->d, &ACTOR, &n, &b, &err), CC_OK);
    assert_int_equal(plan_store_approve(f->d, &ACTOR, a, 0, "approve a", &pl, &err), CC_OK);
    assert_int_equal(plan_store_approve(f->d, &ACTOR, a, 0, "again", &pl, &err), CC_CONFLICT);
    assert_string_equal(err.code, "wrong_state");
    assert_int_equal(plan_store_approve(f->d, &ACTOR, b, 0, "approve b", &pl, &err), CC_CONFLICT);
    assert_string_equal(err.code, "capacity_taken");
    plan_row row;
    assert_int_equal(plan_store_get(f->d, f->a, b, &row, &err), CC_OK);
    assert_string_equal(row.status, "draft"); /* nothing half-booked */
    /* the calendar now holds plan a's 8 slots */
    static uint16_t used[400][RT_COUNT];
    planner_calendar full = {.first = ymd("2027-01-01"), .n_days = 400, .used = used};
    assert_int_equal(capacity_store_load(f->d, 1, &full, &err), CC_OK);
    int total = 0;
    for (int d = 0; d < 400; d++)
        for (int r = 0; r < RT_COUNT; r++) {
            total += used[d][r];
            assert_true(used[d][r] <= full.capacity[r]);
        }
    assert_int_equal(total, 8);
    /* a new plan on that calendar uses only free intrathecal days */
    plan later;
    assert_int_equal(planner_plan(&q, &full, &later, &err), CC_OK);
    assert_int_equal(planner_check(&q, &full, &later, &err), CC_OK);
    for (int i = 0; i < later.n_admins; i++) /* its intrathecal days avoid a's */
        for (int j = 0; j < pl.n_admins; j++)
            if (later.admins[i].route == RT_INTRATHECAL && pl.admins[j].route == RT_INTRATHECAL)
                assert_int_not_equal(later.admins[i].date, pl.admins[j].date);
    /* cancelling a frees its slots; b can then be approved */
    assert_int_equal(plan_store_cancel(f->d, &ACTOR, a, "postponed", &err), CC_OK);
    assert_int_equal(plan_store_cancel(f->d, &ACTOR, a, "twice", &err), CC_CONFLICT);
    assert_int_equal(plan_store_approve(f->d, &ACTOR, b, 0, "approve b", &pl, &err), CC_OK);
    assert_int_equal(plan_store_get(f->d, f->a, a, &row, &err), CC_OK);
    assert_string_equal(row.status, "cancelled");
    assert_string_equal(row.cancel_reason, "postponed");
    plan_row *rows;
    size_t count;
    assert_int_equal(plan_store_list(f->d, f->a, 1, f->patient, "approved", &rows, &count, &err),
                     CC_OK);
    assert_int_equal(count, 1);
    assert_int_equal(rows[0].id, b);
    assert_chain_intact(f->d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_and_publish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decide_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_states_and_capacity, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
