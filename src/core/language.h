/*
 * language: which of the languages we have a caller prefers, from an HTTP
 * Accept-Language header (RFC 9110 section 12.5.4).
 *
 * Each range of the header carries a weight (q, 0 to 1, default 1; q=0 means
 * "not this one"). A range matches a language when it is the language itself
 * or the language with a subtag ("fr-CH" matches "fr"), compared without
 * case; "*" matches any language. The chosen language is the one whose best
 * matching range weighs most; a tie goes to the range written first, then to
 * the earlier language of the list. Malformed ranges and weights are skipped,
 * never guessed at.
 *
 * Pure: no allocation, no state; thread-safe.
 */
#ifndef CC_LANGUAGE_H
#define CC_LANGUAGE_H

#include <stddef.h>

/* The index in available[0..n) of the preferred language, or -1 when the
 * header is NULL, empty or accepts none of them. */
int language_negotiate(const char *accept_language, const char *const *available, size_t n);

#endif
