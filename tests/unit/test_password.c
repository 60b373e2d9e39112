/* Unit tests of the password rules (core/password) and of account lockout
 * (store/security): the embedded list, every refusal by row, and the lock's
 * count, window, end and the notice handed to the next login. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/password.h"
#include "datadir_fixture.h"
#include "store/datadir.h"
#include "store/security.h"
#include "store/sql.h"
#include "store/users.h"

static void test_list_is_embedded_sorted(void **state)
{
    (void)state;
    assert_int_equal(password_common_count, 10000);
    for (unsigned i = 1; i < password_common_count; i++)
        assert_true(strcmp(password_common_list[i - 1], password_common_list[i]) < 0);
    /* the first, a middle and the last entry of the published list, and the one with a ';' */
    assert_true(password_is_common("123456"));
    assert_true(password_is_common("1qaz2wsx3edc"));
    assert_true(password_is_common("roberto1"));
    assert_true(password_is_common("asdfjkl;"));
    assert_true(password_is_common("PaSsWoRd"));
    assert_false(password_is_common("asdfjkl;x"));
    assert_false(password_is_common("correct horse battery staple"));
    assert_false(password_is_common(""));
}

static void test_new_password_rows(void **state)
{
    (void)state;
    char long_ok[PASSWORD_MAX_BYTES + 1], too_long[PASSWORD_MAX_BYTES + 2];
    memset(long_ok, 'x', PASSWORD_MAX_BYTES);
    long_ok[PASSWORD_MAX_BYTES] = '\0';
    memset(too_long, 'x', PASSWORD_MAX_BYTES + 1);
    too_long[PASSWORD_MAX_BYTES + 1] = '\0';
    static const char *const NO_CODE = "";
    const struct {
        const char *password, *username, *code;
    } rows[] = {
        {"Tr1cky-Passw0rd-for-tests", "nurse1", NO_CODE},
        {"abcdefghijk", "nurse1", "password_too_short"}, /* 11 */
        {"abcdefghijkl", "nurse1", NO_CODE},             /* 12 */
        /* 12 characters in 24 bytes: characters are counted, not bytes */
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9",
         "nurse1", NO_CODE},
        /* 11 characters in 22 bytes */
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
         "nurse1", "password_too_short"},
        {"", "nurse1", "password_too_short"},
        {NULL, "nurse1", "invalid_text"},
        {long_ok, "nurse1", NO_CODE},
        {too_long, "nurse1", "password_too_long"},
        {"abcdefghijk\x01l", "nurse1", "invalid_text"},
        {"\xff\xfe"
         "abcdefghijkl",
         "nurse1", "invalid_text"},
        {"physician.dupont", "physician.dupont", "password_equals_username"},
        {"Physician.Dupont", "physician.dupont", "password_equals_username"},
        {"physician.dupont!", "physician.dupont", NO_CODE},
        {"1qaz2wsx3edc", "nurse1", "password_too_common"},
        {"1QAZ2WSX3EDC", "nurse1", "password_too_common"},
        {"qwerty123456", NULL, "password_too_common"},
        {"qwerty1234567", NULL, NO_CODE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cc_error err;
        cc_error_clear(&err);
        cc_status st = password_check_new(rows[i].password, rows[i].username, "password", &err);
        if (rows[i].code == NO_CODE) {
            if (st != CC_OK)
                fail_msg("row %zu refused: %s", i, err.message);
        } else {
            if (st != CC_INVALID || strcmp(err.code, rows[i].code) != 0 ||
                strcmp(err.field, "password") != 0)
                fail_msg("row %zu: want %s on password, got %d %s on %s", i, rows[i].code, st,
                         err.code, err.field);
        }
    }
}

static int setup(void **state)
{
    datadir_fixture *f = datadir_fixture_make("password");
    store_actor actor = {0, "test"};
    int64_t id;
    cc_error err;
    if (!f || user_create(f->d, &actor, "nurse1", "nurse", "Tr1cky-Passw0rd-for-tests", &id,
                          &err) != CC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    return datadir_fixture_remove(*state);
}

static void test_lockout(void **state)
{
    datadir_fixture *f = *state;
    cc_error err;
    bool known;
    int64_t until, wait, t0 = 1800000000;
    /* a name without an account leaves nothing */
    assert_int_equal(login_failure_record(f->d, "nobody", t0, &known, &until, &err), CC_OK);
    assert_false(known);
    int64_t rows = -1;
    assert_int_equal(sql_scalar(f->d, "SELECT COUNT(*) FROM login_failures", NULL, 0, &rows, &err),
                     CC_OK);
    assert_int_equal(rows, 0);
    /* four failures: not locked; the fifth locks for LOGIN_LOCK_SECONDS */
    for (int i = 0; i < LOGIN_LOCK_FAILURES - 1; i++) {
        assert_int_equal(login_failure_record(f->d, "nurse1", t0 + i, &known, &until, &err), CC_OK);
        assert_true(known);
        assert_int_equal(until, 0);
    }
    assert_int_equal(login_lock_remaining(f->d, "nurse1", t0 + 10, &wait, &err), CC_OK);
    assert_int_equal(wait, 0);
    assert_int_equal(login_failure_record(f->d, "nurse1", t0 + 10, &known, &until, &err), CC_OK);
    assert_int_equal(until, t0 + 10 + LOGIN_LOCK_SECONDS);
    assert_int_equal(login_lock_remaining(f->d, "nurse1", t0 + 20, &wait, &err), CC_OK);
    assert_int_equal(wait, LOGIN_LOCK_SECONDS - 10);
    assert_int_equal(
        login_lock_remaining(f->d, "nurse1", t0 + 10 + LOGIN_LOCK_SECONDS, &wait, &err), CC_OK);
    assert_int_equal(wait, 0);
    /* the lock is in the audit trail */
    assert_int_equal(sql_scalar(f->d,
                                "SELECT COUNT(*) FROM audit_log WHERE action = 'lock'"
                                " AND entity = 'user'",
                                NULL, 0, &rows, &err),
                     CC_OK);
    assert_int_equal(rows, 1);
    /* the next login hears of five failures and the lock, once */
    login_notice n;
    int64_t id = 0;
    assert_int_equal(
        sql_scalar(f->d, "SELECT id FROM users WHERE username = 'nurse1'", NULL, 0, &id, &err),
        CC_OK);
    assert_int_equal(login_success_record(f->d, id, &n, &err), CC_OK);
    assert_int_equal(n.failed_attempts, LOGIN_LOCK_FAILURES);
    assert_int_equal(n.last_failure, t0 + 10);
    assert_int_equal(n.locked_until, t0 + 10 + LOGIN_LOCK_SECONDS);
    assert_int_equal(login_success_record(f->d, id, &n, &err), CC_OK);
    assert_int_equal(n.failed_attempts, 0);
    /* failures spread wider than the window never lock */
    int64_t t1 = t0 + 10000;
    for (int i = 0; i < 2 * LOGIN_LOCK_FAILURES; i++) {
        assert_int_equal(login_failure_record(f->d, "nurse1",
                                              t1 + (int64_t)i * LOGIN_FAILURE_WINDOW / 3, &known,
                                              &until, &err),
                         CC_OK);
        assert_int_equal(until, 0);
    }
    /* a correct password (a signature: no notice) starts the count again */
    int64_t t2 = t1 + 100000;
    for (int i = 0; i < LOGIN_LOCK_FAILURES - 1; i++)
        assert_int_equal(login_failure_record(f->d, "nurse1", t2, &known, &until, &err), CC_OK);
    assert_int_equal(login_success_record(f->d, id, NULL, &err), CC_OK);
    assert_int_equal(login_failure_record(f->d, "nurse1", t2 + 1, &known, &until, &err), CC_OK);
    assert_int_equal(until, 0);
    /* and the notice still holds what the owner was not told */
    assert_int_equal(login_success_record(f->d, id, &n, &err), CC_OK);
    assert_true(n.failed_attempts >= LOGIN_LOCK_FAILURES);
    assert_int_equal(n.locked_until, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_is_embedded_sorted),
        cmocka_unit_test(test_new_password_rows),
        cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
