/* Unit tests of the signed audit checkpoint: the line format (core/checkpoint)
 * and its writing and key handling (store/audit_checkpoint). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/checkpoint.h"
#include "store/audit_checkpoint.h"
#include "datadir_fixture.h"
#include "store/datadir.h"

static checkpoint sample(void)
{
    checkpoint c = {.seq = 12, .entries = 4077};
    memset(c.head, 'a', CHECKPOINT_HASH_HEX - 1);
    snprintf(c.at, sizeof c.at, "2026-12-04T20:00:00Z");
    memset(c.public_key, '0', CHECKPOINT_KEY_HEX - 1);
    memset(c.signature, 'f', CHECKPOINT_SIGNATURE_HEX - 1);
    return c;
}

static void test_format_then_parse_is_the_same_checkpoint(void **state)
{
    (void)state;
    checkpoint c = sample(), back;
    char line[CHECKPOINT_LINE_MAX];
    assert_true(checkpoint_format(&c, line, sizeof line));
    size_t len = strlen(line);
    assert_true(len > 0 && line[len - 1] == '\n');
    assert_int_equal(strncmp(line, "v1 12 4077 aaaa", 15), 0);
    const char *problem = NULL;
    assert_true(checkpoint_parse(line, len - 1, &back, &problem));
    assert_int_equal(back.seq, 12);
    assert_int_equal(back.entries, 4077);
    assert_string_equal(back.head, c.head);
    assert_string_equal(back.at, c.at);
    assert_string_equal(back.public_key, c.public_key);
    assert_string_equal(back.signature, c.signature);
}

static void test_message_covers_every_field_but_the_signature(void **state)
{
    (void)state;
    checkpoint c = sample();
    char m1[CHECKPOINT_LINE_MAX], m2[CHECKPOINT_LINE_MAX];
    assert_true(checkpoint_message(&c, m1, sizeof m1));
    assert_non_null(strstr(m1, "cellclinic audit checkpoint v1 12 4077 "));
    assert_null(strstr(m1, "ffff"));
    c.signature[0] = '0';
    assert_true(checkpoint_message(&c, m2, sizeof m2));
    assert_string_equal(m1, m2);
    c.entries = 4076;
    assert_true(checkpoint_message(&c, m2, sizeof m2));
    assert_string_not_equal(m1, m2);
}

static void test_small_buffers_are_refused(void **state)
{
    (void)state;
    checkpoint c = sample();
    char small[40];
    assert_false(checkpoint_format(&c, small, sizeof small));
    assert_false(checkpoint_message(&c, small, sizeof small));
}

static void test_malformed_lines_are_refused(void **state)
{
    (void)state;
    checkpoint c = sample();
    char good[CHECKPOINT_LINE_MAX];
    assert_true(checkpoint_format(&c, good, sizeof good));
    good[strlen(good) - 1] = '\0';
    const char *h = c.head, *k = c.public_key, *s = c.signature;
    /* room for a good line with more after it */
    char bad[12][CHECKPOINT_LINE_MAX + 16];
    int n = 0;
    snprintf(bad[n++], sizeof bad[0], "v2 12 4077 %s 2026-12-04T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 0 4077 %s 2026-12-04T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 012 4077 %s 2026-12-04T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 -1 %s 2026-12-04T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 4077 %.63s 2026-12-04T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 4077 A%.63s 2026-12-04T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 4077 %s 2026-02-30T20:00:00Z %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 4077 %s 2026-12-04 %s %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 4077 %s 2026-12-04T20:00:00Z %.63sg %s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "v1 12 4077 %s 2026-12-04T20:00:00Z %s %.127s", h, k, s);
    snprintf(bad[n++], sizeof bad[0], "%s ", good);
    snprintf(bad[n++], sizeof bad[0], "%s extra", good);
    checkpoint out;
    for (int i = 0; i < n; i++) {
        const char *problem = NULL;
        if (checkpoint_parse(bad[i], strlen(bad[i]), &out, &problem))
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(problem);
    }
    const char *problem = NULL;
    assert_true(checkpoint_parse(good, strlen(good), &out, &problem));
}

/* ---- writing, with a data directory ---- */

static int setup(void **state)
{
    datadir_fixture *f = datadir_fixture_make("checkpoint");
    *state = f;
    return f ? 0 : -1;
}

static int teardown(void **state)
{
    return datadir_fixture_remove(*state);
}

static void test_key_file_is_made_with_mode_0600_and_reloaded(void **state)
{
    datadir_fixture *f = *state;
    audit_signer s, again;
    bool created = false;
    cc_error err;
    assert_int_equal(audit_signer_load(f->dir, NULL, false, &s, &created, &err), CC_NOT_FOUND);
    assert_int_equal(audit_signer_load(f->dir, NULL, true, &s, &created, &err), CC_OK);
    assert_true(created);
    struct stat info;
    assert_int_equal(stat(s.key_path, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0600);
    assert_int_equal(audit_signer_load(f->dir, NULL, false, &again, &created, &err), CC_OK);
    assert_false(created);
    assert_string_equal(again.public_hex, s.public_hex);
    chmod(s.key_path, 0640);
    assert_int_equal(audit_signer_load(f->dir, NULL, true, &again, &created, &err), CC_INVALID);
    assert_non_null(strstr(err.message, "chmod 600"));
}

static void test_checkpoint_line_is_signed_and_appended_once(void **state)
{
    datadir_fixture *f = *state;
    audit_signer s;
    cc_error err;
    assert_int_equal(audit_signer_load(f->dir, NULL, true, &s, NULL, &err), CC_OK);
    checkpoint c;
    bool written = false;
    assert_int_equal(audit_checkpoint_write(f->d, &s, "test", &c, &written, &err), CC_OK);
    assert_true(written);
    assert_int_equal(c.seq, 1);
    assert_int_equal(c.entries, 0);
    /* the same head again: nothing new */
    checkpoint same;
    assert_int_equal(audit_checkpoint_write(f->d, &s, "test", &same, &written, &err), CC_OK);
    assert_false(written);
    assert_int_equal(same.seq, 1);

    char path[AUDIT_PATH_MAX], line[CHECKPOINT_LINE_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", f->dir, AUDIT_CHECKPOINT_FILE);
    FILE *log = fopen(path, "r");
    assert_non_null(log);
    assert_non_null(fgets(line, sizeof line, log));
    assert_null(fgets(line + 200, 10, log)); /* one line only */
    fclose(log);
    checkpoint back;
    const char *problem;
    assert_true(checkpoint_parse(line, strcspn(line, "\n"), &back, &problem));
    char message[CHECKPOINT_LINE_MAX];
    unsigned char sig[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
    assert_true(checkpoint_message(&back, message, sizeof message));
    sodium_hex2bin(sig, sizeof sig, back.signature, strlen(back.signature), NULL, NULL, NULL);
    sodium_hex2bin(pk, sizeof pk, s.public_hex, strlen(s.public_hex), NULL, NULL, NULL);
    assert_int_equal(
        crypto_sign_verify_detached(sig, (const unsigned char *)message, strlen(message), pk), 0);
    message[strlen(message) - 1] ^= 1;
    assert_int_not_equal(
        crypto_sign_verify_detached(sig, (const unsigned char *)message, strlen(message), pk), 0);
    audit_signer_wipe(&s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_then_parse_is_the_same_checkpoint),
        cmocka_unit_test(test_message_covers_every_field_but_the_signature),
        cmocka_unit_test(test_small_buffers_are_refused),
        cmocka_unit_test(test_malformed_lines_are_refused),
        cmocka_unit_test_setup_teardown(test_key_file_is_made_with_mode_0600_and_reloaded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_line_is_signed_and_appended_once, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
