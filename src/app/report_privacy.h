/*
 * report_privacy: small groups out of the outcome report for a reader who
 * may not read identities (an analyst), as statistical agencies do with
 * small cells.
 *
 * report_suppress_small walks the finished report (any section, present or
 * future: deny by default) and, with k = min_group >= 2, replaces every
 * count of 1..k-1 by null. A count is any integer of the report except the
 * keys that are no count ("grade", "day", "months", "min_group",
 * "suppressed_below", "suppressed_values"); the "definitions", "filters" and
 * "serious_list" subtrees are left as they are (the serious-event list is
 * event by event by design and de-identified by report_json). An object
 * where a count went gets "suppressed_below": k and "suppressed": [the keys
 * of the counts that went, in the object's order]; when the count was the
 * basis of its statistics ("n", "x", "pairs", "of", "count", "events",
 * "administrations"), every real number of the object and of the objects
 * inside it goes too (a mean or a proportion of 3 patients tells their
 * values), and its lists of per-patient values are emptied. 0 stays: it
 * tells of nobody. Secondary suppression (a hidden count that a difference
 * of shown ones gives back) is not done.
 *
 * The report then carries "suppression": {"min_group": k,
 * "suppressed_values": N, "note": "fewer than k patients: not shown"}.
 * Renderers print a null count of an object with "suppressed_below" as
 * "<k". Modifies report in place; thread-safe on distinct reports.
 */
#ifndef CC_APP_REPORT_PRIVACY_H
#define CC_APP_REPORT_PRIVACY_H

#include <jansson.h>
#include <stddef.h>

/* Returns the number of values suppressed; nothing happens when min_group < 2. */
size_t report_suppress_small(json_t *report, int min_group);

#endif
