#include "password.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static int compare_word(const void *key, const void *entry)
{
    return strcmp(key, *(const char *const *)entry);
}

bool password_is_common(const char *password)
{
    char lower[PASSWORD_MAX_BYTES + 1];
    size_t n = strlen(password);
    if (n > PASSWORD_MAX_BYTES)
        return false; /* longer than any entry */
    for (size_t i = 0; i <= n; i++) {
        char c = password[i];
        lower[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return bsearch(lower, password_common_list, password_common_count,
                   sizeof password_common_list[0], compare_word) != NULL;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool equals_ignoring_ascii_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (char)(*a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : *a);
        char y = (char)(*b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b);
        if (x != y)
            return false;
    }
    return *a == *b;
}

cc_status password_check_new(const char *password, const char *username, const char *field,
                             cc_error *err)
{
    size_t bytes = password ? strlen(password) : 0;
    if (bytes > PASSWORD_MAX_BYTES)
        return cc_fail(err, CC_INVALID, field, "password_too_long", "%s must be at most %d bytes",
                       field, PASSWORD_MAX_BYTES);
    if (!password || !text_is_clean_utf8(password, bytes, false))
        return cc_fail(err, CC_INVALID, field, "invalid_text", "%s must be UTF-8 text", field);
    if (code_points(password) < PASSWORD_MIN_CHARS)
        return cc_fail(err, CC_INVALID, field, "password_too_short",
                       "%s must be at least %d characters", field, PASSWORD_MIN_CHARS);
    if (username && equals_ignoring_ascii_case(password, username))
        return cc_fail(err, CC_INVALID, field, "password_equals_username",
                       "%s must not be the username", field);
    if (password_is_common(password))
        return cc_fail(err, CC_INVALID, field, "password_too_common",
                       "%s is one of the 10,000 most common passwords: choose another", field);
    return CC_OK;
}
