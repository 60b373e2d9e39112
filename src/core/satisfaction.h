/*
 * satisfaction: the satisfaction and perceived-efficacy table of the outcome
 * report (DESIGN.md section 7 "Honest reports"). Clinics publish
 * "76 patients answered: 85 % satisfied" without saying how many were
 * treated or asked; this module gives the same table with every denominator.
 *
 * Items: the option items of the built-in instrument "satisfaction"
 * (core/instruments), in its order: overall satisfaction (1-5), PGIC (1-7),
 * perceived change per domain (much_worse .. much_better, not_applicable),
 * would recommend (yes/no). Free-text items ("comments") are never reported:
 * they may identify patients. satisfaction_item_count() / satisfaction_item()
 * list the reported items.
 *
 * Input: one sat_patient per TREATED patient (the report's treated: at least
 * one administration under the approved plan), each with one sat_response per
 * time point:
 *   visit      the report's flow status of the time point (stats_visit; never
 *              STATS_VISIT_NONE for a treated patient).
 *   scheduled  the follow-up visit's instrument list names "satisfaction".
 *   link       a patient questionnaire link for "satisfaction" was issued for
 *              that visit (informational; links can only be issued for a
 *              visit that names the instrument).
 *   answered   a "satisfaction" observation was matched to the time point.
 *   codes      when answered: one code per reported item: an option index
 *              (0 .. n_options - 1, excluding the not-applicable option),
 *              SAT_NOT_APPLICABLE (the item's "not_applicable" option),
 *              SAT_NO_ANSWER (the item was left blank) or SAT_UNREADABLE (a
 *              stored code that is no option of the current definition).
 *
 * Definitions (the report's `definitions` quote them):
 *   treated    every treated patient, whatever the time point's status.
 *   due        the flow's due (window opened or visit resolved), plus a
 *              patient who answered while the flow reads "not yet due"
 *              (stored data out of order: an answer is never dropped).
 *   asked      the time point is due (window opened or visit resolved: not
 *              STATS_VISIT_NOT_YET_DUE) AND the visit names the questionnaire
 *              (scheduled, or a link issued); or the patient answered
 *              (answering implies being asked; counted also as
 *              answered_unscheduled when the visit did not name it).
 *              Why not "a link was issued": staff choose to whom they send a
 *              link, so a link-based denominator can hide exactly the
 *              selection the table exists to expose. The protocol decides who
 *              must be asked; patients who missed the visit, withdrew, were
 *              lost or died stay in the denominator, listed by reason.
 *   answered   a questionnaire was recorded for the time point.
 *   response   answered / asked and answered / treated, Wilson 95 % intervals.
 *   item       per item among those who answered the questionnaire:
 *              not_applicable, skipped (left blank), unreadable, and
 *              answered_item = the rest (an actual option). Option counts and
 *              percentages are of answered_item.
 *   top box    ordinal items only: satisfaction 4-5 ("satisfied or very
 *              satisfied"), PGIC 1-2 ("much or very much improved"), change
 *              per domain better / much_better, would recommend = yes.
 *              x / answered_item with its Wilson interval, and the two
 *              sensitivity lines x / asked and x / treated, in which everyone
 *              without a top-box answer (non-responders, skipped,
 *              not applicable) counts as not in the top box.
 *   Nothing is imputed: a number whose denominator is 0 is "not computable"
 *   (stats_proportion with ci.def = STATS_UNDEF_EMPTY, p = 0).
 *
 * Invariants (tested): answered <= asked <= due <= treated;
 *   asked - answered = sum of not_answered[] (indexed by stats_visit: DUE =
 *   pending, ASSESSED = visit done without the questionnaire, MISSED,
 *   WITHDRAWN, LOST, DIED); per item answered_item + not_applicable + skipped
 *   + unreadable = answered; sum of option counts = answered_item.
 *
 * Bad input yields CC_INVALID naming the field: n_timepoints above
 * STATS_FLOW_MAX_TIMEPOINTS ("n_timepoints"), a NULL responses array, a
 * status NONE or out of range, answered without codes, a code out of range or
 * SAT_NOT_APPLICABLE on an item without that option
 * ("patients[i].responses[t]").
 *
 * Memory: nothing is allocated; input is borrowed; the result is a plain
 * value (large: allocate it, don't put it on a small stack). Pure (libc,
 * libm), no globals: thread-safe.
 */
#ifndef CC_SATISFACTION_H
#define CC_SATISFACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "instruments.h"
#include "report.h"
#include "stats.h"
#include "status.h"

enum { SAT_MAX_ITEMS = 16, SAT_MAX_OPTIONS = 8 };

/* Item codes besides option indexes. */
enum { SAT_NO_ANSWER = -1, SAT_NOT_APPLICABLE = -2, SAT_UNREADABLE = -3 };

/* The option items reported, in the instrument's order (text items left out). */
size_t satisfaction_item_count(void);
const instr_item *satisfaction_item(size_t i); /* NULL when i is out of range */

/* The code of an answer to reported item i: an option index, SAT_NOT_APPLICABLE,
 * SAT_NO_ANSWER when text is NULL or empty, SAT_UNREADABLE otherwise. Option
 * indexes count the item's options in order, skipping "not_applicable". */
int satisfaction_code(size_t i, const char *text);

/* Number of reportable options of item i (its options minus not_applicable). */
int satisfaction_option_count(size_t i);
/* Option k (0 .. satisfaction_option_count(i) - 1) of item i, or NULL. */
const instr_option *satisfaction_option(size_t i, int k);

/* The top-box line of item i, or NULL when the item has none. */
typedef struct {
    const char *codes[3]; /* option codes in the top box, NULL-terminated */
    const char *en, *fr;  /* "satisfied or very satisfied" */
} sat_top_box;
const sat_top_box *satisfaction_top_box(size_t i);

typedef struct {
    stats_visit visit;
    bool scheduled, link, answered;
    const int8_t *codes; /* satisfaction_item_count() entries when answered */
} sat_response;

typedef struct {
    const sat_response *responses; /* n_timepoints entries */
} sat_patient;

typedef struct {
    uint64_t answered_item, not_applicable, skipped, unreadable;
    stats_proportion option[SAT_MAX_OPTIONS]; /* count / answered_item, Wilson */
    bool has_top_box;
    stats_proportion top_box;         /* x / answered_item */
    stats_proportion top_box_asked;   /* x / asked */
    stats_proportion top_box_treated; /* x / treated */
} sat_item_result;

typedef struct {
    uint64_t treated, not_yet_due, due, asked, answered;
    uint64_t scheduled;            /* due patients whose visit names the questionnaire */
    uint64_t links;                /* asked patients with a link issued */
    uint64_t answered_unscheduled; /* answered though the visit did not name it */
    uint64_t not_answered[STATS_VISIT_COUNT_]; /* asked, not answered, by visit status */
    stats_proportion response_asked;           /* answered / asked */
    stats_proportion response_treated;         /* answered / treated */
    sat_item_result item[SAT_MAX_ITEMS];
} sat_point;

typedef struct {
    size_t n_items, n_timepoints;
    sat_point point[STATS_FLOW_MAX_TIMEPOINTS];
} sat_result;

/* Matching: the answer of time point t is the questionnaire dated in the
 * window of the patient's visit at t (windows[t], core/report's
 * report_window_match) closest to its target date; on a tie the later day,
 * then the later record (report_match_better), as every other observation of
 * the report. days[0..n_days-1] are the dates of one patient's
 * questionnaires in stored order (by date; REPORT_NO_DAY when unreadable:
 * never matched). chosen[t] receives the index of the matched day, SIZE_MAX
 * when none. */
void satisfaction_match(const report_window *windows, size_t n_timepoints, const cc_date *days,
                        size_t n_days, size_t *chosen);

/* Computes the table over patients[0..n-1] (treated patients). */
cc_status satisfaction_compute(const sat_patient *patients, size_t n, size_t n_timepoints,
                               sat_result *out, cc_error *err);

#endif
