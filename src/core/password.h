/*
 * password: the rules a new password must meet (NIST SP 800-63B style:
 * length and a list of known passwords, no composition rules).
 *
 * password_check_new accepts a password of PASSWORD_MIN_CHARS to
 * PASSWORD_MAX_BYTES (characters counted as UTF-8 code points), well-formed
 * text, not equal to the username (ASCII case ignored) and not among the
 * 10,000 most common passwords (ASCII case ignored; the list is
 * src/core/data/common-passwords.txt, embedded sorted at build time by
 * scripts/embed-passwords.cmake, attribution beside it). Refusals are
 * CC_INVALID naming field with code password_too_short, password_too_long,
 * invalid_text, password_equals_username or password_too_common.
 *
 * Pure, thread-safe; strings are borrowed.
 */
#ifndef CC_PASSWORD_H
#define CC_PASSWORD_H

#include <stdbool.h>

#include "status.h"

enum { PASSWORD_MIN_CHARS = 12, PASSWORD_MAX_BYTES = 256 };

/* username may be NULL (nothing to compare with). */
cc_status password_check_new(const char *password, const char *username, const char *field,
                             cc_error *err);

/* True when password, ASCII case ignored, is in the common list. */
bool password_is_common(const char *password);

/* The embedded list: lowercase, sorted by strcmp, no duplicates. */
extern const char *const password_common_list[];
extern const unsigned password_common_count;

#endif
