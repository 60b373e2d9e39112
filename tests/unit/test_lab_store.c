/* Laboratory store on real SQLite files: release blocked until QC and donor
 * eligibility pass (H2, H13), units follow their batch, issue once (H12),
 * expiry sweep (H3), autologous units only for their patient (H7), storage
 * positions hold one unit, failures leave nothing behind, the audit chain
 * stays intact, and the lookback finds recipients both ways. */
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

#include "app/laboratory.h"
#include "store/datadir.h"
#include "store/lab.h"
#include "store/sql.h"
#include "store/patients.h"
#include "datadir_fixture.h"

static const store_actor ACTOR = {0, "test"};
/* The laboratory use cases on connection d, as ACTOR. */
#define CTX(conn) (&(app_ctx){.d = (conn), .actor = ACTOR, .role = "system", .language = "en"})
/* The day the use cases that move units record expiries for (2026-05-26). */
enum { TODAY = 20600 };

typedef struct {
    datadir_fixture *store;
    db *d;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->store = datadir_fixture_make("lab")))
        return -1;
    f->d = f->store->d;
    cc_error err;
    if (lab_site_set_fin(f->d, &ACTOR, "W1234", &err) != CC_OK)
        return -1;
    int64_t id;
    if (lab_product_code_add(f->d, &ACTOR, "S1234", "uc-msc", "", &id, &err) != CC_OK ||
        lab_product_code_add(f->d, &ACTOR, "S2000", "bm-msc", "", &id, &err) != CC_OK)
        return -1;
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

#define OK(call)                                                                                   \
    do {                                                                                           \
        cc_error e_;                                                                               \
        cc_status s_ = (call);                                                                     \
        (void)e_;                                                                                  \
        if (s_ != CC_OK)                                                                           \
            fail_msg("%s: %d", #call, s_);                                                         \
    } while (0)

static int64_t patient(db *d, const char *family)
{
    patient_fields p = {family, "Test", "1980-01-01", "female", "fr", NULL, NULL, NULL};
    patient_matches dup;
    int64_t id = 0;
    cc_error err;
    assert_int_equal(patient_create(d, &ACTOR, &p, false, true, 0, &id, &dup, &err), CC_OK);
    return id;
}

static int64_t donor(db *d, int64_t patient_id, bool screened)
{
    cc_error err;
    lab_donor_fields f = {
        NULL, patient_id ? "autologous" : "allogeneic", patient_id, "2026-01-01", "C1", false, 1};
    int64_t id, t;
    assert_int_equal(lab_donor_create(d, &ACTOR, &f, &id, &err), CC_OK);
    /* the full allogeneic panel, sampled on the day of the collection (batch()) */
    for (size_t i = 0; screened && donor_marker_code(i); i++)
        assert_int_equal(lab_donor_add_test(d, &ACTOR, id, donor_marker_code(i), "negative",
                                            "2026-01-02", NULL, &t, &err),
                         CC_OK);
    return id;
}

static int64_t batch(db *d, int64_t donor_id, const char *type)
{
    cc_error err;
    lab_collection_fields c = {donor_id, "cord-tissue", "2026-01-02", "", -1, 20};
    int64_t cid, bid;
    assert_int_equal(lab_collection_create(d, &ACTOR, &c, &cid, &err), CC_OK);
    assert_int_equal(lab_batch_create(d, &ACTOR, type, &cid, 1, &bid, &err), CC_OK);
    return bid;
}

static int64_t unit(db *d, int64_t batch_id, const char *code, const char *expiry,
                    const char *position)
{
    lab_unit_fields f = {code,
                         0,
                         100000000u,
                         95,
                         10,
                         expiry,
                         "LN2",
                         position ? "F1" : "",
                         position ? "R1" : "",
                         position ? "B1" : "",
                         position ? position : "",
                         26};
    int64_t id = 0;
    cc_error err;
    cc_status st = app_lab_unit_create(CTX(d), batch_id, &f, &id, &err);
    if (st != CC_OK)
        fail_msg("unit: %s", err.message);
    return id;
}

static void pass_qc(db *d, int64_t batch_id)
{
    static const struct {
        const char *test;
        double value;
        const char *unit;
    } rows[] = {/* value -1: not detected, -2: observed */
                {"sterility", -1, ""},
                {"mycoplasma", -1, ""},
                {"endotoxin", 0.1, "EU/mL"},
                {"viability", 90, "%"},
                {"plastic_adherence", -2, ""},
                {"cd73", 99, "%"},
                {"cd90", 99, "%"},
                {"cd105", 99, "%"},
                {"cd34", 1, "%"},
                {"cd45", 1, "%"},
                {"cd11b", 1, "%"},
                {"cd79a", 1, "%"},
                {"hla_dr", 1, "%"},
                {"diff_osteo", -2, ""},
                {"diff_adipo", -2, ""},
                {"diff_chondro", -2, ""}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        qc_result r = {rows[i].test, false, rows[i].value < -1, rows[i].value, rows[i].unit};
        int64_t id;
        qc_verdict v;
        cc_error err;
        assert_int_equal(app_lab_batch_add_qc(CTX(d), batch_id, &r, rows[i].value < 0,
                                              rows[i].value >= 0, "", "2026-01-10", &id, &v, &err),
                         CC_OK);
        assert_int_equal(v, QC_PASS);
    }
}

static const char *state_of(db *d, int64_t unit_id, char out[16])
{
    db_stmt *s;
    cc_error err;
    assert_int_equal(db_prepare(d, "SELECT state FROM units WHERE id = ?", &s, &err), CC_OK);
    db_bind_int(s, 1, unit_id);
    assert_int_equal(db_step(s, &err), DB_ROW);
    snprintf(out, 16, "%s", db_col_text(s, 0));
    db_done(s);
    return out;
}

static int64_t count(db *d, const char *sql)
{
    int64_t n;
    cc_error err;
    assert_int_equal(sql_scalar(d, sql, NULL, 0, &n, &err), CC_OK);
    return n;
}

static void test_release_needs_qc_and_eligible_donor(void **state)
{
    fixture *f = *state;
    cc_error err;
    char st[16];
    int64_t dn = donor(f->d, 0, true), b = batch(f->d, dn, "uc-msc");
    int64_t u = unit(f->d, b, "S1234", "2099-01-01", "A1");
    lab_readiness r;
    /* H2: no QC at all */
    assert_int_equal(app_lab_batch_release(CTX(f->d), b, "", TODAY, &r, &err), CC_CONFLICT);
    assert_string_equal(err.code, "release_blocked");
    /* 16 missing tests (one per ISCT pair of alternatives) + donor incomplete */
    assert_int_equal(r.n_blocks, 17);
    /* the endotoxin limit: no route on a batch, so intrathecal K 0.2 EU/kg x 70 kg over
     * the largest unit volume (10 mL) */
    assert_null(r.dose.route);
    assert_true(r.dose.dose_ml == 10 && r.dose.body_kg == 70);
    assert_true(fabs(r.endotoxin_limit - 1.4) < 1e-12);
    pass_qc(f->d, b);
    /* H13: donor not signed eligible */
    assert_int_equal(app_lab_batch_release(CTX(f->d), b, "", TODAY, &r, &err), CC_CONFLICT);
    assert_int_equal(r.n_blocks, 1);
    assert_int_equal(r.blocks[0].kind, QC_BLOCK_DONOR_INCOMPLETE);
    assert_string_equal(state_of(f->d, u, st), "quarantine");
    /* an open deviation blocks too */
    int64_t dev;
    OK(lab_batch_open_deviation(f->d, &ACTOR, b, "incubator alarm", &dev, &err));
    OK(app_lab_donor_decide(CTX(f->d), dn, "eligible", NULL, &err));
    assert_int_equal(app_lab_batch_release(CTX(f->d), b, "", TODAY, &r, &err), CC_CONFLICT);
    assert_int_equal(r.blocks[0].kind, QC_BLOCK_DEVIATION_OPEN);
    OK(lab_batch_close_deviation(f->d, &ACTOR, b, dev, "no impact: alarm test", &err));
    OK(app_lab_batch_release(CTX(f->d), b, "release", TODAY, &r, &err));
    assert_string_equal(state_of(f->d, u, st), "released");
    /* a released batch takes no more results or units */
    qc_result late = {"viability", false, false, 50, "%"};
    int64_t id;
    qc_verdict v;
    assert_int_equal(
        app_lab_batch_add_qc(CTX(f->d), b, &late, false, true, "", "2026-01-11", &id, &v, &err),
        CC_CONFLICT);
    audit_verdict av;
    OK(audit_verify(f->d, &av, &err));
    assert_int_equal(av.first_broken_seq, 0);
}

/* Results stored under the codes used before the marker panel are read as
 * the marker each code stood for, and the stored rows are left as audited. */
static void test_old_codes_read_as_markers(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t dn = donor(f->d, 0, false);
    static const char *const old[] = {"hiv", "hbv", "hcv", "htlv", "syphilis", "cmv"};
    for (size_t i = 0; i < 6; i++) {
        sql_arg a[] = {SQL_I(dn), SQL_S(old[i])};
        OK(sql_run(f->d,
                   "INSERT INTO donor_tests (donor_id, test, result, sampled_on, recorded_by,"
                   " recorded_at) VALUES (?, ?, 'negative', '2026-01-02', 'lab1',"
                   " '2026-01-02T10:00:00Z')",
                   a, 2, NULL, &err));
    }
    lab_donor_screening s;
    OK(lab_donor_screening_load(f->d, dn, &s, &err));
    assert_int_equal(s.n_tests, 6);
    static const char *const want[] = {"anti-hiv-1-2", "hbsag",    "anti-hcv",
                                       "htlv-1-2",     "syphilis", "cmv"};
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(s.tests[i].marker, want[i]);
    int64_t kept = 0;
    OK(sql_scalar(f->d, "SELECT COUNT(*) FROM donor_tests WHERE test IN ('hiv', 'hbv')", NULL, 0,
                  &kept, &err));
    assert_int_equal(kept, 2);
    /* the donor page shows the marker and the code it was recorded under */
    buf b;
    buf_init(&b, 1 << 16);
    OK(lab_donor_json(f->d, dn, &b, &err));
    assert_non_null(strstr(b.data, "\"test\":\"anti-hiv-1-2\",\"recorded_as\":\"hiv\""));
    buf_release(&b);
    /* the panel still misses anti-HBc and the NAT: eligibility names the first */
    assert_int_equal(app_lab_donor_decide(CTX(f->d), dn, "eligible", NULL, &err), CC_CONFLICT);
    assert_string_equal(err.field, "anti-hbc");
}

static void test_failed_qc_blocks_and_eligibility_rule(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t dn = donor(f->d, 0, false), b = batch(f->d, dn, "uc-msc");
    /* H13: cannot sign eligible without screening; the first marker is named */
    assert_int_equal(app_lab_donor_decide(CTX(f->d), dn, "eligible", NULL, &err), CC_CONFLICT);
    assert_string_equal(err.code, "marker_missing");
    assert_string_equal(err.field, "hbsag");
    int64_t t;
    OK(lab_donor_add_test(f->d, &ACTOR, dn, "anti-hiv-1-2", "positive", "2026-01-01", NULL, &t,
                          &err));
    /* ineligible needs a reason */
    assert_int_equal(app_lab_donor_decide(CTX(f->d), dn, "ineligible", "", &err), CC_INVALID);
    OK(app_lab_donor_decide(CTX(f->d), dn, "ineligible", "HIV positive", &err));
    /* signed record: a new result needs a reason and reopens */
    assert_int_equal(
        lab_donor_add_test(f->d, &ACTOR, dn, "hbsag", "negative", "2026-01-01", NULL, &t, &err),
        CC_INVALID);
    unit(f->d, b, "S1234", "2099-01-01", NULL);
    pass_qc(f->d, b);
    qc_result fail = {"viability", false, false, 65, "%"};
    int64_t id;
    qc_verdict v;
    OK(app_lab_batch_add_qc(CTX(f->d), b, &fail, false, true, "", "2026-01-10", &id, &v, &err));
    assert_int_equal(v, QC_FAIL);
    /* a final qualitative result without "detected" is refused, never a pass */
    qc_result blank = {"sterility", false, false, 0, ""};
    assert_int_equal(
        app_lab_batch_add_qc(CTX(f->d), b, &blank, false, false, "", "2026-01-10", &id, &v, &err),
        CC_INVALID);
    lab_readiness r;
    assert_int_equal(app_lab_batch_release(CTX(f->d), b, "", TODAY, &r, &err), CC_CONFLICT);
    assert_int_equal(r.n_blocks, 2); /* failed viability + donor ineligible */
    assert_int_equal(r.blocks[0].kind, QC_BLOCK_FAILED);
    assert_int_equal(r.blocks[1].kind, QC_BLOCK_DONOR_INELIGIBLE);
    /* a batch without a unit has no dose: its endotoxin result cannot be judged until a
     * unit gives the volume, and readiness judges it again then */
    int64_t b2 = batch(f->d, dn, "uc-msc");
    qc_result endo = {"endotoxin", false, false, 0.1, "EU/mL"};
    OK(app_lab_batch_add_qc(CTX(f->d), b2, &endo, false, true, "", "2026-01-10", &id, &v, &err));
    assert_int_equal(v, QC_INVALID);
    OK(lab_batch_readiness(f->d, b2, &r, &err));
    assert_true(isnan(r.endotoxin_limit));
    assert_int_equal(r.blocks[2].kind, QC_BLOCK_INVALID);
    assert_string_equal(r.blocks[2].test, "endotoxin");
    unit(f->d, b2, "S1234", "2099-01-01", NULL);
    OK(lab_batch_readiness(f->d, b2, &r, &err));
    assert_true(fabs(r.endotoxin_limit - 1.4) < 1e-12);
    assert_int_equal(r.blocks[2].kind, QC_BLOCK_MISSING);
    assert_string_equal(r.blocks[2].test, "viability");
}

static void test_issue_once_expiry_and_autologous(void **state)
{
    fixture *f = *state;
    cc_error err;
    char st[16];
    int64_t p1 = patient(f->d, "One"), p2 = patient(f->d, "Two");
    int64_t dn = donor(f->d, p1, true), b = batch(f->d, dn, "bm-msc");
    int64_t u1 = unit(f->d, b, "S2000", "2099-01-01", "A1");
    int64_t u2 = unit(f->d, b, "S2000", "2099-01-01", NULL);
    int64_t u3 = unit(f->d, b, "S2000", "2026-12-31", NULL);
    /* wrong product code for the batch */
    lab_unit_fields bad = {"S1234", 0, 1, -1, 1, "2099-01-01", "", "", "", "", "", 26};
    int64_t id;
    assert_int_equal(app_lab_unit_create(CTX(f->d), b, &bad, &id, &err), CC_INVALID);
    pass_qc(f->d, b);
    OK(app_lab_donor_decide(CTX(f->d), dn, "eligible", NULL, &err));
    lab_readiness r;
    OK(app_lab_batch_release(CTX(f->d), b, "", TODAY, &r, &err));
    const cc_date today = 20600; /* 2026-05-26 */
    /* H7: the autologous unit of p1 for p2: refused, no override exists */
    lab_unit_request reserve = {
        .event = UNIT_EV_RESERVE, .patient_id = p2, .product_type = "bm-msc"};
    assert_int_equal(app_lab_unit_act(CTX(f->d), u1, &reserve, today, &err), CC_CONFLICT);
    assert_string_equal(err.code, "autologous_other_patient");
    lab_unit_request issue2 = {.event = UNIT_EV_ISSUE, .patient_id = p2, .ward = "W"};
    assert_int_equal(app_lab_unit_act(CTX(f->d), u2, &issue2, today, &err), CC_CONFLICT);
    reserve.patient_id = p1;
    OK(app_lab_unit_act(CTX(f->d), u1, &reserve, today, &err));
    lab_unit_request issue = {.event = UNIT_EV_ISSUE, .ward = "Ward A"};
    OK(app_lab_unit_act(CTX(f->d), u1, &issue, today, &err)); /* patient from the reservation */
    /* H12: issued twice */
    assert_int_equal(app_lab_unit_act(CTX(f->d), u1, &issue, today, &err), CC_CONFLICT);
    /* the issued unit freed its position */
    assert_int_equal(count(f->d, "SELECT COUNT(*) FROM units WHERE position <> ''"), 0);
    /* Administration is the bedside record's alone: the generic action refuses it. */
    lab_unit_request adm = {.event = UNIT_EV_ADMINISTER, .patient_id = p1};
    assert_int_equal(app_lab_unit_act(CTX(f->d), u1, &adm, today, &err), CC_INVALID);
    OK(db_begin(f->d, &err));
    OK(lab_unit_administer_in_tx(f->d, &ACTOR, u1, 0, p1, "2026-05-26", today, &err));
    OK(db_commit(f->d, &err));
    OK(db_begin(f->d, &err));
    assert_int_equal(lab_unit_administer_in_tx(f->d, &ACTOR, u1, 0, p1, "2026-05-26", today, &err),
                     CC_CONFLICT); /* H12 */
    db_rollback(f->d);
    /* H3: after its expiry day the sweep expires u3 and issue is refused */
    int64_t n;
    OK(lab_units_expire(f->d, &ACTOR, 20819 /* 2027-01-01 */, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(state_of(f->d, u3, st), "expired");
    lab_unit_request issue1 = {.event = UNIT_EV_ISSUE, .patient_id = p1, .ward = "W"};
    assert_int_equal(app_lab_unit_act(CTX(f->d), u3, &issue1, 20819, &err), CC_CONFLICT);
    /* lookback both ways */
    buf b1;
    buf_init(&b1, 1 << 20);
    OK(lab_lookback_json(f->d, LAB_FROM_DONOR, dn, &b1, &err));
    assert_non_null(strstr(b1.data, "\"recipients\":[{\"patient_id\":"));
    assert_int_equal(count(f->d, "SELECT COUNT(*) FROM unit_administrations"), 1);
    buf_reset(&b1);
    OK(lab_exposure_json(f->d, p1, &b1, &err));
    assert_non_null(strstr(b1.data, "\"donor_kind\":\"autologous\""));
    buf_release(&b1);
    audit_verdict av;
    OK(audit_verify(f->d, &av, &err));
    assert_int_equal(av.first_broken_seq, 0);
}

static void test_positions_and_rejection(void **state)
{
    fixture *f = *state;
    cc_error err;
    char st[16];
    int64_t dn = donor(f->d, 0, true), b = batch(f->d, dn, "uc-msc");
    int64_t u1 = unit(f->d, b, "S1234", "2099-01-01", "A1");
    int64_t before = count(f->d, "SELECT COUNT(*) FROM audit_log");
    lab_unit_fields dup = {"S1234", 0, 1, -1, 1, "2099-01-01", "", "F1", "R1", "B1", "A1", 26};
    int64_t id;
    assert_int_equal(app_lab_unit_create(CTX(f->d), b, &dup, &id, &err), CC_CONFLICT);
    assert_string_equal(err.code, "position_taken");
    /* nothing half-written: no unit, no audit entry, no DIN consumed */
    assert_int_equal(count(f->d, "SELECT COUNT(*) FROM units"), 1);
    assert_int_equal(count(f->d, "SELECT COUNT(*) FROM audit_log"), before);
    int64_t u2 = unit(f->d, b, "S1234", "2099-01-01", "A2");
    assert_int_equal(app_lab_unit_move(CTX(f->d), u2, "F1", "R1", "B1", "A1", "", TODAY, &err),
                     CC_CONFLICT);
    OK(app_lab_unit_move(CTX(f->d), u2, "F1", "R1", "B1", "A3", "reshelved", TODAY, &err));
    assert_int_equal(app_lab_batch_reject(CTX(f->d), b, "", TODAY, &err),
                     CC_INVALID); /* reason required */
    OK(app_lab_batch_reject(CTX(f->d), b, "sterility failed", TODAY, &err));
    assert_string_equal(state_of(f->d, u1, st), "discarded");
    assert_string_equal(state_of(f->d, u2, st), "discarded");
    assert_int_equal(count(f->d, "SELECT COUNT(*) FROM custody_events WHERE event = 'discard'"), 2);
}

static void test_din_allocation(void **state)
{
    fixture *f = *state;
    cc_error err;
    isbt128_din a, b;
    OK(lab_din_allocate(f->d, &ACTOR, "W1234", 27, &a, &err));
    OK(lab_din_allocate(f->d, &ACTOR, "W1234", 27, &b, &err));
    assert_int_equal(isbt128_sequence(&a) + 1, isbt128_sequence(&b));
    assert_int_equal(lab_din_allocate(f->d, &ACTOR, "O1234", 27, &a, &err), CC_INVALID);
    assert_int_equal(lab_din_allocate(f->d, &ACTOR, "W1234", 100, &a, &err), CC_INVALID);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_release_needs_qc_and_eligible_donor),
        T(test_old_codes_read_as_markers),
        T(test_failed_qc_blocks_and_eligibility_rule),
        T(test_issue_once_expiry_and_autologous),
        T(test_positions_and_rejection),
        T(test_din_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
