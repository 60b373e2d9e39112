#include "text.h"

#include <stdint.h>
#include <string.h>

/* Decodes one code point; returns its length in bytes, 0 if malformed. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, *cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, *cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

/* Bidirectional formatting (U+061C, U+200E-U+200F, U+202A-U+202E,
 * U+2066-U+2069) and invisible characters with no place in a record
 * (U+200B zero-width space, U+2060 word joiner, U+FEFF byte order mark). */
static bool invisible_format(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200B || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0xFEFF;
}

bool text_is_clean_utf8(const char *s, size_t n, bool allow_newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = decode(p + i, n - i, &cp);
        if (len == 0)
            return false;
        bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
        if (control && !(allow_newlines && (cp == '\t' || cp == '\n' || cp == '\r')))
            return false;
        if (invisible_format(cp))
            return false;
        i += len;
    }
    return true;
}

void text_make_valid_utf8(char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = decode((const unsigned char *)s + i, n - i, &cp);
        if (len == 0) {
            s[i++] = '?';
            continue;
        }
        i += len;
    }
}

size_t text_codepoints(const char *s)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            count++;
    return count;
}

/* Base letters for U+00C0..U+017F, one entry per code point, "" when the code
 * point is not a letter with a decomposition (kept as a separator). */
static const char *const latin_fold[0x180 - 0xC0] = {
    /* C0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* D0 */ "d",  "n", "o",  "o",  "o", "o", "o",  "",
    "o",           "u", "u",  "u",  "u", "y", "th", "ss",
    /* E0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* F0 */ "d",  "n", "o",  "o",  "o", "o", "o",  "",
    "o",           "u", "u",  "u",  "u", "y", "th", "y",
    /* 100 */ "a", "a", "a",  "a",  "a", "a", "c",  "c",
    "c",           "c", "c",  "c",  "c", "c", "d",  "d",
    /* 110 */ "d", "d", "e",  "e",  "e", "e", "e",  "e",
    "e",           "e", "e",  "e",  "g", "g", "g",  "g",
    /* 120 */ "g", "g", "g",  "g",  "h", "h", "h",  "h",
    "i",           "i", "i",  "i",  "i", "i", "i",  "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k",  "k",
    "k",           "l", "l",  "l",  "l", "l", "l",  "l",
    /* 140 */ "l", "l", "l",  "n",  "n", "n", "n",  "n",
    "n",           "n", "n",  "n",  "o", "o", "o",  "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r",  "r",
    "r",           "r", "s",  "s",  "s", "s", "s",  "s",
    /* 160 */ "s", "s", "t",  "t",  "t", "t", "t",  "t",
    "u",           "u", "u",  "u",  "u", "u", "u",  "u",
    /* 170 */ "u", "u", "u",  "u",  "w", "w", "y",  "y",
    "y",           "z", "z",  "z",  "z", "z", "z",  "s",
};

typedef struct {
    char *out;
    size_t cap;
    size_t len;
    bool pending_space;
} folder;

static void emit(folder *f, const char *s, size_t n)
{
    if (f->pending_space && f->len > 0) {
        if (f->len + 1 >= f->cap)
            return;
        f->out[f->len++] = ' ';
    }
    f->pending_space = false;
    if (f->len + n >= f->cap) {
        f->cap = f->len + 1; /* stop: later emits are refused too */
        return;
    }
    memcpy(f->out + f->len, s, n);
    f->len += n;
}

void text_fold(const char *s, char *out, size_t cap)
{
    folder f = {out, cap, 0, false};
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = decode(p + i, n - i, &cp);
        if (len == 0) { /* malformed byte: treat as separator */
            f.pending_space = true;
            i++;
            continue;
        }
        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                emit(&f, &c, 1);
            else
                f.pending_space = true;
        } else if (cp >= 0xC0 && cp < 0x180) {
            const char *base = latin_fold[cp - 0xC0];
            if (*base)
                emit(&f, base, strlen(base));
            else
                f.pending_space = true;
        } else if (cp < 0xC0) {
            f.pending_space = true;
        } else {
            emit(&f, (const char *)p + i, len);
        }
        i += len;
    }
    out[f.len < cap ? f.len : cap - 1] = '\0';
}

cc_status text_check_line(const char *s, const char *field, size_t max_codepoints, bool required,
                          cc_error *err)
{
    if (!s)
        return required ? cc_fail(err, CC_INVALID, field, "required", "%s is required", field)
                        : CC_OK;
    size_t n = strlen(s);
    if (!text_is_clean_utf8(s, n, false))
        return cc_fail(err, CC_INVALID, field, "invalid_text",
                       "%s must be UTF-8 text without control characters", field);
    if (text_codepoints(s) > max_codepoints)
        return cc_fail(err, CC_INVALID, field, "too_long", "%s is longer than %zu characters",
                       field, max_codepoints);
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = s[i] == ' ' || s[i] == '\t';
    if (required && blank)
        return cc_fail(err, CC_INVALID, field, "required", "%s must not be blank", field);
    return CC_OK;
}
