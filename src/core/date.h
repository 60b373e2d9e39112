/*
 * date: calendar dates (proleptic Gregorian, years 1900-2199) and UTC instants.
 *
 * A cc_date is a day number: days since 1970-01-01 (negative before).
 * Parsing accepts exactly "YYYY-MM-DD" and rejects impossible dates
 * (2026-02-30) with CC_INVALID naming the given field. Instants are seconds
 * since the Unix epoch, formatted as "YYYY-MM-DDThh:mm:ssZ".
 * Pure, no allocation, thread-safe.
 */
#ifndef CC_DATE_H
#define CC_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

typedef int32_t cc_date;

enum { CC_DATE_TEXT = 11, CC_INSTANT_TEXT = 21 };

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_from_ymd(int year, int month, int day, cc_date *out);
void date_to_ymd(cc_date d, int *year, int *month, int *day);
cc_status date_parse(const char *text, const char *field, cc_date *out, cc_error *err);
/* date_parse without the error: false for NULL or anything date_parse refuses
 * (for bulk reads, where an unreadable day counts as none). */
bool date_parse_day(const char *text, cc_date *out);
void date_format(cc_date d, char out[CC_DATE_TEXT]);

/* UTC instant (seconds since epoch) <-> "YYYY-MM-DDThh:mm:ssZ". */
void instant_format(int64_t seconds, char out[CC_INSTANT_TEXT]);
cc_date instant_date(int64_t seconds);
/* "YYYY-MM-DDThh:mm:ssZ" -> seconds; CC_INVALID "invalid_instant" naming field otherwise
 * (no leap second, no offset other than Z). */
cc_status instant_parse(const char *text, const char *field, int64_t *out, cc_error *err);

#endif
