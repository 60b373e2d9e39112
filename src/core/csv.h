/*
 * csv: the one writer of CSV fields (RFC 4180) for every export of the program.
 *
 * A field is written as RFC 4180 section 2 says: enclosed in double quotes when it holds a
 * comma, a double quote, CR or LF (2.6), or always with CSV_QUOTE_ALWAYS (2.5 allows it);
 * a double quote inside is doubled (2.7); a field is followed by "," or, when it is the last
 * of its record, by CRLF (2.1, 2.4).
 *
 * Spreadsheet formulas (OWASP "CSV Injection"): a field beginning with =, +, -, @, a tab
 * or CR is one a spreadsheet may run as a formula, so it is written quoted and prefixed
 * with a single quote ('=1+2 shows as text). A field that is entirely a decimal number
 * ("-3", "+2.5", "-1e-3") is data, not a formula, and is written as it is, so negative
 * values stay numbers; "-2+3+cmd|..." is not a number and is guarded.
 *
 * text NULL is written as an empty field. Text is written byte for byte otherwise (UTF-8
 * passes through). The buf variant follows buf's rules (a failed buffer stays failed);
 * the sink variant hands the bytes to the caller's function in order, a few at a time.
 * No state, no allocation of its own; thread-safe.
 */
#ifndef CC_CSV_H
#define CC_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef enum {
    CSV_QUOTE_WHEN_NEEDED, /* only fields that need it (2.6) or are guarded */
    CSV_QUOTE_ALWAYS,      /* every field, empty ones too */
} csv_quoting;

/* Receives the bytes of a field in order; ctx is the caller's. */
typedef void (*csv_sink)(void *ctx, const char *bytes, size_t n);

/* Appends one field and its separator (last: CRLF, else ","). */
void csv_field(buf *b, const char *text, csv_quoting quoting, bool last);

/* The same, handing the bytes to sink. */
void csv_field_to(csv_sink sink, void *ctx, const char *text, csv_quoting quoting, bool last);

/* True when text would be prefixed with ' (see above). */
bool csv_is_formula(const char *text);

#endif
