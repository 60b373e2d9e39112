/* Store tests on real SQLite files: migrations, the audit chain, patients, requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/audit.h"
#include "store/consults.h"
#include "store/datadir.h"
#include "store/patients.h"
#include "store/schema.h"
#include "store/users.h"

static const store_actor ACTOR = {0, "test"};

typedef struct {
    char dir[64];
    db *d;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cc-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    rmdir(f->dir); /* datadir_create wants to make it */
    cc_error err;
    if (datadir_create(f->dir, &f->d, &err) != CC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    db_close(f->d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static patient_fields sample(const char *family, const char *given, const char *birth)
{
    patient_fields p = {family, given, birth, "female", "fr", NULL, NULL, NULL};
    return p;
}

static int64_t make_patient(db *d, const char *family, const char *given, const char *birth)
{
    patient_fields p = sample(family, given, birth);
    patient_matches dup;
    int64_t id = 0;
    cc_error err;
    assert_int_equal(patient_create(d, &ACTOR, &p, false, true, 0, &id, &dup, &err), CC_OK);
    return id;
}

static void test_init_refuses_existing_dir(void **state)
{
    fixture *f = *state;
    db *other = NULL;
    cc_error err;
    assert_int_equal(datadir_create(f->dir, &other, &err), CC_CONFLICT);
    assert_null(other);
}

static void test_newer_schema_is_refused(void **state)
{
    fixture *f = *state;
    cc_error err;
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO schema_version (version) VALUES (%d)", schema_latest_version() + 1);
    assert_int_equal(db_exec(f->d, sql, &err), CC_OK);
    assert_int_equal(schema_migrate(f->d, &err), CC_STORAGE);
    assert_string_equal(err.code, "schema_too_new");
    db *again = NULL;
    assert_int_equal(datadir_open(f->dir, &again, &err), CC_STORAGE);
    assert_null(again);
}

static void test_audit_chain_detects_tampering(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t user_id;
    assert_int_equal(user_create(f->d, &ACTOR, "nurse1", "nurse", "a long password", &user_id, &err), CC_OK);
    int64_t p1 = make_patient(f->d, "Durand", "Éloïse", "1987-03-14");
    make_patient(f->d, "Martin", "Zoë", "1990-01-01");
    audit_verdict v;
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.entries, 3);
    assert_int_equal(v.first_broken_seq, 0);

    /* Behind the program's back: change the after-image of entry 2. */
    assert_int_equal(db_exec(f->d, "UPDATE audit_log SET after_json = '{\"id\":2}' WHERE seq = 2", &err), CC_OK);
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 2);
    assert_int_equal(v.entries, 1);
    (void)p1;
}

static void test_audit_chain_detects_deleted_entry(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "A", "B", "1990-01-01");
    make_patient(f->d, "C", "D", "1990-01-01");
    make_patient(f->d, "E", "F", "1990-01-01");
    assert_int_equal(db_exec(f->d, "DELETE FROM audit_log WHERE seq = 2", &err), CC_OK);
    audit_verdict v;
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 3);
}

static void test_audit_needs_transaction(void **state)
{
    fixture *f = *state;
    cc_error err;
    audit_change ch = {"create", "thing", 1, NULL, "{}", NULL};
    assert_int_equal(audit_append(f->d, &ACTOR, &ch, &err), CC_INTERNAL);
}

static void test_reason_required_for_locked_records(void **state)
{
    (void)state;
    cc_error err;
    assert_int_equal(audit_require_reason(false, NULL, &err), CC_OK);
    assert_int_equal(audit_require_reason(true, NULL, &err), CC_INVALID);
    assert_string_equal(err.field, "reason");
    assert_int_equal(audit_require_reason(true, "  ", &err), CC_INVALID);
    assert_int_equal(audit_require_reason(true, "typo in volume", &err), CC_OK);
}

static void test_duplicate_warning_and_confirm(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "Durand", "Éloïse", "1987-03-14");
    patient_fields p = sample("DURAND", "eloise", "1987-03-14"); /* folded equal */
    patient_matches dup;
    int64_t id;
    assert_int_equal(patient_create(f->d, &ACTOR, &p, false, false, 0, &id, &dup, &err), CC_CONFLICT);
    assert_string_equal(err.code, "possible_duplicate");
    assert_int_equal(dup.n, 1);
    assert_int_equal(patient_create(f->d, &ACTOR, &p, false, true, 0, &id, &dup, &err), CC_OK);
}

static void test_version_conflict(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t id = make_patient(f->d, "Roux", "Loïc", "1970-05-05");
    patient_fields change = {.phone = "0102030405"};
    assert_int_equal(patient_update(f->d, &ACTOR, id, 1, &change, &err), CC_OK);
    assert_int_equal(patient_update(f->d, &ACTOR, id, 1, &change, &err), CC_CONFLICT);
    assert_string_equal(err.code, "version_conflict");
    assert_int_equal(patient_update(f->d, &ACTOR, id + 100, 1, &change, &err), CC_NOT_FOUND);
}

static void test_search_forgives_accents_and_case(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "Lefèvre", "Éloïse", "1987-03-14");
    make_patient(f->d, "Martin", "Zoë", "1990-01-01");
    arena *a = arena_create(1 << 20);
    static const struct {
        const char *q;
        int64_t expected;
    } cases[] = {{"eloise", 1}, {"ELOISE lefevre", 1}, {"lefèvre", 1}, {"zoe", 1},
                 {"1990-01-01", 1}, {"", 2}, {"nobody", 0}, {"%", 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        patient_query q = {cases[i].q, PATIENT_SORT_FAMILY_NAME, false, 1, 50};
        buf items;
        buf_init(&items, 1 << 20);
        int64_t total;
        assert_int_equal(patient_search_render(f->d, &q, &items, &total, &err), CC_OK);
        assert_int_equal(total, cases[i].expected);
        buf_release(&items);
    }
    /* The MRN finds its patient. */
    patient_record p;
    assert_int_equal(patient_get(f->d, a, 1, false, &p, &err), CC_OK);
    patient_query q = {p.mrn, PATIENT_SORT_MRN, true, 1, 50};
    buf items;
    buf_init(&items, 1 << 20);
    int64_t total;
    assert_int_equal(patient_search_render(f->d, &q, &items, &total, &err), CC_OK);
    assert_int_equal(total, 1);
    assert_non_null(strstr(items.data, p.mrn));
    buf_release(&items);
    arena_release(a);
}

static void test_convert_twice_conflicts(void **state)
{
    fixture *f = *state;
    cc_error err;
    consult_fields c = {"Zoë Martin", "z@example.org", NULL, NULL, "SCI", "", "fr"};
    int64_t id, patient_id;
    assert_int_equal(consult_create(f->d, &ACTOR, &c, false, &id, &err), CC_OK);
    patient_fields p = sample("Martin", "Zoë", "1990-02-02");
    patient_matches dup;
    assert_int_equal(consult_convert(f->d, &ACTOR, id, &p, false, &patient_id, &dup, &err), CC_OK);
    assert_int_equal(consult_convert(f->d, &ACTOR, id, &p, true, &patient_id, &dup, &err), CC_CONFLICT);
    assert_int_equal(consult_decline(f->d, &ACTOR, id, "late", &err), CC_CONFLICT);
    /* The failed attempts left nothing behind: still one patient. */
    arena *a = arena_create(1 << 20);
    patient_query q = {"", PATIENT_SORT_FAMILY_NAME, false, 1, 50};
    buf items;
    buf_init(&items, 1 << 20);
    int64_t total;
    assert_int_equal(patient_search_render(f->d, &q, &items, &total, &err), CC_OK);
    assert_int_equal(total, 1);
    buf_release(&items);
    arena_release(a);
}

static void test_tokens_and_sessions(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t user_id, token_id;
    assert_int_equal(user_create(f->d, &ACTOR, "qa1", "qa", "a long password", &user_id, &err), CC_OK);
    assert_int_equal(user_create(f->d, &ACTOR, "qa1", "qa", "a long password", &user_id, &err), CC_CONFLICT);
    user_identity who, looked;
    assert_int_equal(user_authenticate(f->d, "qa1", "wrong password", &who, &err), CC_UNAUTHENTICATED);
    assert_int_equal(user_authenticate(f->d, "qa1", "a long password", &who, &err), CC_OK);
    char secret[SECRET_HEX];
    assert_int_equal(token_create(f->d, &who, "script", secret, &token_id, &err), CC_OK);
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_OK);
    assert_string_equal(looked.role, "qa");
    /* Only the hash is stored. */
    db_stmt *s;
    assert_int_equal(db_prepare(f->d, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", &s, &err), CC_OK);
    db_bind_text(s, 1, secret);
    assert_int_equal(db_step(s, &err), DB_ROW);
    assert_int_equal(db_col_int(s, 0), 0);
    db_done(s);
    assert_int_equal(token_revoke(f->d, &who, token_id, &err), CC_OK);
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_UNAUTHENTICATED);
    assert_int_equal(session_create(f->d, &who, secret, &err), CC_OK);
    assert_int_equal(session_lookup(f->d, secret, &looked, &err), CC_OK);
    assert_int_equal(session_delete(f->d, &looked, &err), CC_OK);
    assert_int_equal(session_lookup(f->d, secret, &looked, &err), CC_UNAUTHENTICATED);
}

static void test_backup_copies_everything(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "Simon", "Noé", "2001-01-01");
    char path[128];
    snprintf(path, sizeof path, "%s/copy.db", f->dir);
    assert_int_equal(db_backup_to(f->d, path, &err), CC_OK);
    db *copy;
    assert_int_equal(db_open(path, DB_OPEN_EXISTING, &copy, &err), CC_OK);
    assert_int_equal(db_check_integrity(copy, &err), CC_OK);
    audit_verdict v;
    assert_int_equal(audit_verify(copy, &v, &err), CC_OK);
    assert_int_equal(v.entries, 1);
    db_close(copy);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_init_refuses_existing_dir),   T(test_newer_schema_is_refused),
        T(test_audit_chain_detects_tampering), T(test_audit_chain_detects_deleted_entry),
        T(test_audit_needs_transaction),     T(test_reason_required_for_locked_records),
        T(test_duplicate_warning_and_confirm), T(test_version_conflict),
        T(test_search_forgives_accents_and_case), T(test_convert_twice_conflicts),
        T(test_tokens_and_sessions),         T(test_backup_copies_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
