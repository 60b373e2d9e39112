/*
 * report_satisfaction: the "satisfaction" section of the outcome report:
 * the clinics' satisfaction and perceived-efficacy table with its
 * response rate (answered / asked / treated) and every denominator. Numbers
 * from core/satisfaction (its header holds the definitions), data from
 * store/report_satisfaction.
 *
 * Matching: a time point's answer is the "satisfaction" observation of the
 * patient chosen by core/satisfaction's satisfaction_match in the windows of
 * that patient's visits (of the plan the report uses), as app/report_json
 * matches every other observation. Numbers are written by app/report_numbers. Answers are read
 * from the stored ANSWERS: an option code (string, or an integer as the API
 * accepts), "not_applicable", absent or null = left blank; any other value,
 * or answers that do not parse, count as "unreadable", never dropped.
 *
 * report_satisfaction_add sets report["satisfaction"] to the section, or to
 * null when neither the protocol's latest version (with a protocol) nor
 * any visit of the cohort names the instrument, and adds the section's definitions to
 * report["definitions"] (when that object exists).
 *
 * Input (borrowed): protocol_id (NULL: every protocol, the report's "all"),
 * the report's cohort (store/report_data after the period: participants
 * ordered by patient id, one per patient and protocol, each with its plan's
 * visits, their time points and satisfaction flags) and the core/report
 * patients pts[0..n_participants-1] (treated flag, flow status per time
 * point, which already says whether it is due as of the report's date).
 * Memory: work arrays in the arena; the section is a new jansson reference
 * owned by report. The caller holds a read transaction.
 */
#ifndef CC_APP_REPORT_SATISFACTION_H
#define CC_APP_REPORT_SATISFACTION_H

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/report.h"
#include "store/db.h"
#include "store/report_data.h"

cc_status report_satisfaction_add(db *d, arena *a, const char *protocol_id,
                                  const report_data *cohort, const report_patient *pts,
                                  json_t *report, cc_error *err);

/* The section's CSV rows (table "satisfaction"; nothing when section is null),
 * in the 20 columns of report_outcomes_csv. score names the row:
 *   counts (in column n): treated, not_yet_due, due, scheduled, asked,
 *     answered, links_issued, answered_unscheduled, not_answered:REASON,
 *     ITEM:answered, ITEM:not_applicable, ITEM:skipped, ITEM:unreadable;
 *   proportions (x, n, p, ci_low, ci_high): response_rate (answered / asked),
 *     response_rate_treated, ITEM:top_box_of_answered, ITEM:top_box_of_asked,
 *     ITEM:top_box_of_treated;
 *   options: ITEM=CODE with x = count, n = ITEM answered, p.
 * Column due is the time point's due. */
void report_satisfaction_csv(const json_t *section, buf *b);

#endif
