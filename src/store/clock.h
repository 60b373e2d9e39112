/*
 * clock: the one place the program reads the wall clock.
 *
 * Every "now" and "today" of the store, the application, the API and the command line comes
 * from here: the UTC time of the system plus an offset in whole days, 0 unless set.
 * The offset is a test and drill facility (docs/operations.md, "Moving the clock"): the
 * program reads CELLCLINIC_CLOCK_OFFSET_DAYS once at start (src/cli/main.c) and every date
 * rule then sees a moved clock, so tests and drills make follow-up visits overdue or
 * units expire without editing dates in the database.
 *
 * Range: the offset is bounded to +/- STORE_CLOCK_OFFSET_MAX_DAYS (about 100 years);
 * store_clock_set_offset_text refuses anything else (not an integer, out of range,
 * trailing characters) with CC_INVALID and a message naming the variable, and leaves the
 * offset unchanged.
 *
 * Thread safety: the offset is set once before the server starts its threads; it is an
 * atomic value, so reading it from any thread is safe. No memory is allocated.
 */
#ifndef CC_STORE_CLOCK_H
#define CC_STORE_CLOCK_H

#include <stdint.h>

#include "core/date.h"
#include "core/status.h"

enum { STORE_CLOCK_OFFSET_MAX_DAYS = 36500 };

/* The name of the environment variable main.c reads the offset from. */
#define STORE_CLOCK_OFFSET_VARIABLE "CELLCLINIC_CLOCK_OFFSET_DAYS"

/* Current UTC time, offset included, as seconds since 1970-01-01T00:00:00Z. */
int64_t store_now_seconds(void);

/* The same as "YYYY-MM-DDThh:mm:ssZ". */
void store_now_text(char out[CC_INSTANT_TEXT]);

/* Today's UTC date, offset included. */
cc_date store_today(void);

/* Parses text as a whole number of days in range (optional sign, decimal digits only) and
 * makes it the offset. */
cc_status store_clock_set_offset_text(const char *text, cc_error *err);

/* The offset in days now in force. */
int32_t store_clock_offset_days(void);

#endif
