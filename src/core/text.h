/*
 * text: UTF-8 checks and the search key that forgives case and accents.
 *
 * text_fold writes a search key: ASCII letters lowercased, Latin letters with
 * diacritics (U+00C0-U+017F: French, German, Spanish, Nordic, Central European)
 * reduced to their base letters ("Éloïse" -> "eloise", "Straße" -> "strasse",
 * "Œ" -> "oe"), digits and '-' kept, runs of anything else collapsed to one
 * space, no leading/trailing space; other code points are copied unchanged.
 * Written by hand because core links only libc; the table is the Unicode
 * canonical decompositions of that block with the marks dropped.
 *
 * Ownership: the caller provides the output buffer; output is always
 * NUL-terminated and truncated at a code-point boundary when it does not fit.
 * Pure, thread-safe.
 */
#ifndef CC_TEXT_H
#define CC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* True when s (length n) is well-formed UTF-8 without NUL, control
 * characters or invisible formatting characters that change how text reads
 * (bidirectional embeddings, overrides, isolates and marks, zero-width space,
 * word joiner, byte order mark: Unicode TR9 and UTS 39, "Trojan Source");
 * with allow_newlines (multi-line text) tab, CR and LF pass. The zero-width
 * joiner and non-joiner pass: some scripts need them in names. */
bool text_is_clean_utf8(const char *s, size_t n, bool allow_newlines);

/* Replaces, in place, every byte that is not part of well-formed UTF-8 with
 * '?', so that text cut at an arbitrary byte can still be sent as JSON. */
void text_make_valid_utf8(char *s);

/* Number of code points in well-formed UTF-8. */
size_t text_codepoints(const char *s);

/* Writes the folded search key of s into out (capacity cap >= 1). */
void text_fold(const char *s, char *out, size_t cap);

/* Validates a required single-line text field: clean UTF-8, not blank,
 * at most max_codepoints. CC_INVALID naming field otherwise. */
cc_status text_check_line(const char *s, const char *field, size_t max_codepoints, bool required,
                          cc_error *err);

#endif
