/*
 * mrn: medical record numbers with a check digit.
 *
 * An MRN is 8 decimal digits: a 7-digit sequence number (1..9999999, zero
 * padded) followed by its Luhn (ISO/IEC 7812-1 annex) check digit, which
 * catches every single-digit error and every adjacent transposition except
 * 0<->9. Printed and scanned as the same 8 digits.
 * Pure, thread-safe; the caller provides buffers.
 */
#ifndef CC_MRN_H
#define CC_MRN_H

#include <stdbool.h>
#include <stdint.h>

enum { MRN_TEXT = 9, MRN_MAX_SEQUENCE = 9999999 };

/* Luhn check digit ('0'..'9') of a string of decimal digits. */
char mrn_luhn_digit(const char *digits, int n);

/* Formats sequence (1..MRN_MAX_SEQUENCE) with its check digit. False if out of range. */
bool mrn_format(uint32_t sequence, char out[MRN_TEXT]);

/* True when text is 8 digits whose last is the check digit of the first 7. */
bool mrn_is_valid(const char *text);

#endif
