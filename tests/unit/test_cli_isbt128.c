/* Tests of `cellclinic isbt128` (src/cli/cmd_isbt128.c, linked into this test
 * by tests/CMakeLists.txt): exit codes and output, one table row per call.
 * Expected check characters are the python-computed vectors of test_isbt128.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/commands.h"
#include "core/isbt128.h"
#include "store/datadir.h"
#include "datadir_fixture.h"

/* Runs cmd_isbt128 with stdout and stderr redirected to temporary files. */
static int run(const char *const *args, char *out, size_t out_cap, char *err, size_t err_cap)
{
    char *argv[12];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;

    FILE *fo = tmpfile(), *fe = tmpfile();
    assert_non_null(fo);
    assert_non_null(fe);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
    dup2(fileno(fo), STDOUT_FILENO);
    dup2(fileno(fe), STDERR_FILENO);
    int rc = cmd_isbt128(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);

    FILE *files[2] = {fo, fe};
    char *bufs[2] = {out, err};
    size_t caps[2] = {out_cap, err_cap};
    for (int i = 0; i < 2; i++) {
        rewind(files[i]);
        size_t n = fread(bufs[i], 1, caps[i] - 1, files[i]);
        bufs[i][n] = '\0';
        fclose(files[i]);
    }
    return rc;
}

static void test_cli_table(void **state)
{
    (void)state;
    static const struct {
        const char *args[10]; /* NULL-terminated */
        int rc;
        const char *out; /* exact stdout, or prefix when ends with '*' */
        const char *err; /* substring of stderr, "" for none expected */
    } rows[] = {
        {{"isbt128", "check-char", "W123426123456"}, 0, "7\n", ""},
        {{"isbt128", "check-char", "w123426123456"}, 0, "7\n", ""},
        {{"isbt128", "check-char", "W000026000017"}, 0, "*\n", ""},
        {{"isbt128", "check-char", "G123498654321"}, 0, "H\n", ""}, /* Red Book example */
        {{"isbt128", "check-char", "W12342612345"}, 2, "", "must be 13 characters"},
        {{"isbt128", "check-char", "O123426123456"}, 2, "", "FIN must start"},
        {{"isbt128", "check-char", "W1234261234*6"}, 2, "", "0-9 or A-Z"},
        {{"isbt128", "check-char"}, 2, "", "missing DIN13"},
        {{"isbt128", "check-char", "--bogus"}, 2, "", "unknown option '--bogus'"},
        {{"isbt128", "check-char", "W123426123456", "x"}, 2, "", "unexpected argument 'x'"},
        {{"isbt128", "verify", "W1234261234567"}, 0, "valid\n", ""},
        {{"isbt128", "verify", "=W12342612345667"}, 0, "valid\n", ""},
        {{"isbt128", "verify", "W1234 26 123456 00 7"}, 0, "valid\n", ""},
        {{"isbt128", "verify", "W1234261234568"},
         1,
         "invalid: check character '8' does not match the number (expected '7')\n",
         ""},
        {{"isbt128", "verify", "W1243261234567"}, 1, "invalid: *", ""}, /* transposition */
        {{"isbt128", "verify", "W123426123456"}, 1, "invalid: *", ""},
        {{"isbt128", "verify"}, 2, "", "missing DIN"},
        {{"isbt128", "verify", "-x"}, 2, "", "unknown option '-x'"},
        {{"isbt128", "new", "--facility", "O1234", "--data", "d"}, 2, "", "option --facility"},
        {{"isbt128", "new", "--facility", "W1234", "--year", "2026", "--data", "d"},
         2,
         "",
         "option --year"},
        {{"isbt128", "new", "--facility", "W1234"}, 2, "", "--data"},
        {{"isbt128", "new", "--data", "d"}, 2, "", "--facility"},
        {{"isbt128", "new", "--facility", "W1234", "--data", "/nonexistent/cc"},
         1,
         "",
         "isbt128 new"},
        {{"isbt128", "--help"}, 0, "usage: cellclinic isbt128*", ""},
        {{"isbt128", "verify", "--help"}, 0, "usage: cellclinic isbt128*", ""},
        {{"isbt128"}, 2, "", "missing subcommand"},
        {{"isbt128", "frobnicate"}, 2, "", "unknown subcommand 'frobnicate'"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[4096], err[1024];
        int rc = run(rows[i].args, out, sizeof out, err, sizeof err);
        if (rc != rows[i].rc)
            fail_msg("row %zu: rc %d, want %d (stderr: %s)", i, rc, rows[i].rc, err);
        size_t n = strlen(rows[i].out);
        if (n && rows[i].out[n - 1] == '*') {
            if (strncmp(out, rows[i].out, n - 1) != 0)
                fail_msg("row %zu: stdout \"%s\"", i, out);
        } else if (strcmp(out, rows[i].out) != 0) {
            fail_msg("row %zu: stdout \"%s\", want \"%s\"", i, out, rows[i].out);
        }
        if (rows[i].err[0] == '\0') {
            assert_string_equal(err, "");
        } else {
            if (!strstr(err, rows[i].err))
                fail_msg("row %zu: stderr \"%s\" lacks \"%s\"", i, err, rows[i].err);
            /* usage errors are one line */
            assert_non_null(strchr(err, '\n'));
            assert_null(strchr(err, '\n') + 1 < err + strlen(err) ? strchr(err, '\n') + 1 : NULL);
        }
    }
}

/* new: consecutive sequence numbers per facility and year, each DIN valid,
 * counted in this store only. */
static void test_new_allocates_in_sequence(void **state)
{
    (void)state;
    datadir_fixture *f = datadir_fixture_make("isbt");
    assert_non_null(f);
    const char *location = f->database[0] ? "--database" : "--data";
    cc_error e;
    static const struct {
        const char *facility, *year, *keyed; /* keyed: W1234 + year + sequence + check */
    } rows[] = {
        {"W1234", "26", "W123426000001N"}, /* check characters as printed by check-char */
        {"W1234", "26", "W123426000002L"},
        {"w1234", "26", "W123426000003J"}, /* lowercase folded, same counter */
        {"W1234", "27", NULL},             /* another year: its own counter from 1 */
        {"A9999", "26", NULL},             /* another facility: its own counter */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *args[] = {"isbt128",        "new",    "--facility",
                              rows[i].facility, "--year", rows[i].year,
                              location,         f->where, NULL};
        char out[256], err[256];
        int rc = run(args, out, sizeof out, err, sizeof err);
        if (rc != 0)
            fail_msg("row %zu: rc %d: %s", i, rc, err);
        char keyed[ISBT128_KEYED_TEXT];
        snprintf(keyed, sizeof keyed, "%.14s", out);
        isbt128_din din;
        assert_int_equal(isbt128_parse(keyed, "din", &din, &e), CC_OK);
        if (rows[i].keyed)
            assert_string_equal(keyed, rows[i].keyed);
        else
            assert_int_equal(isbt128_sequence(&din), 1);
        assert_non_null(strstr(out, "\n")); /* then the printed form */
    }
    assert_int_equal(datadir_fixture_remove(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_table),
        cmocka_unit_test(test_new_allocates_in_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
