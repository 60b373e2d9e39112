/*
 * donor_testing: the infectious-disease marker panel of a cell or tissue
 * donor, the window in which a blood sample counts for a collection, and the
 * eligibility verdict drawn from them (hazard H13).
 *
 * Sources (the rows of tests/unit/test_lab_rules.c cite them):
 *   Directive 2006/17/EC Annex II 1.1: every donor: anti-HIV-1,2, HBsAg,
 *     anti-HBc, anti-HCV-Ab, syphilis (1.4: a validated algorithm);
 *     1.2 (as amended by Directive 2012/39/EU): HTLV-I antibody for donors
 *     from, or linked to, high-prevalence areas; 1.5: CMV and others in
 *     certain circumstances; 1.6: autologous donors, Annex I 2.1.1.
 *   Annex II 2.5: living donors (except allogeneic bone marrow and
 *     peripheral blood stem-cell donors): the "donation sample" at the time
 *     of donation or, if not possible, within seven days after it; up to
 *     30 days before only when tissue is quarantined and a repeat sample is
 *     tested after 180 days.
 *   21 CFR 1271.85(a): HIV-1, HIV-2, HBV, HCV, Treponema pallidum;
 *     1271.85(b): viable leukocyte-rich cells also HTLV-I/II and CMV (a
 *     reactive CMV result is handled by procedure, it does not exclude);
 *     FDA's page "Testing Donors of HCT/P: Specific Requirements" names,
 *     for HIV-1, HBV and HCV, a licensed donor screening NAT besides the
 *     serology.
 *   21 CFR 1271.80(b): the specimen at recovery or up to 7 days before or
 *     after it; up to 30 days before for peripheral blood stem cells and
 *     bone marrow. 1271.80(a): a donor 1 month old or younger (cord
 *     blood, cord tissue) is tested on the birth mother's specimen.
 *
 * Markers (exact codes, the API's words): hbsag anti-hbc anti-hcv
 * anti-hiv-1-2 syphilis htlv-1-2 nat-hiv nat-hcv nat-hbv cmv.
 * A panel says, per marker, what eligibility needs: "negative" (the result
 * must be negative), "result" (a result must exist, a positive one does not
 * exclude: CMV) or "none"; and the window: days_before 0..30 and
 * days_after 0..7 around each collection date (bounds of the sources).
 *
 * Default panels (the two rules together, the stricter of each):
 *   allogeneic: Annex II 1.1 markers, HTLV-I/II (1271.85(b)) and the three
 *     NAT negative, CMV result; window 0 days before, 7 after (Annex II 2.5
 *     without a 180-day retest, which also lies inside 1271.80(b)).
 *   autologous: Annex I 2.1.1 (cells stored or cultured): the same minimum
 *     set as an allogeneic living donor (Annex II 1.1) negative; the rest
 *     none; same window. 21 CFR 1271.90(a)(1) requires no donor
 *     eligibility for autologous use: the European rule is the stricter.
 *     Annex I 2.1.1 lets a positive autologous product be stored and
 *     reimplanted with isolated storage: that is not an "eligible"
 *     signature here; a site that does it sets those markers to "result".
 *   Where a site's rules differ (HTLV only in high-prevalence areas), the
 *   panel is configured (store: donor_panels).
 *
 * Eligibility "eligible" (donor_check_eligibility), in this order: consent
 * recorded (CC_CONFLICT "eligibility_not_met", field "decision"); then for
 * each marker of the panel in the order above:
 *   no result at all: CC_CONFLICT "marker_missing";
 *   "negative" and its latest result (latest sample date, the last given on
 *     ties) not negative: "marker_not_negative";
 *   for each collection date c, no result sampled in [c - days_before,
 *     c + days_after]: "marker_outside_window"; "negative" and the latest
 *     result inside that window not negative: "marker_not_negative".
 * Those three name the marker's code as the error's field. A donor without
 * a collection yet is judged on the results alone: a collection recorded
 * later is checked then (donor_check_eligibility with it). "ineligible"
 * and "incomplete" may always be recorded; an unknown decision is
 * CC_INVALID (field "decision").
 *
 * Pure, no allocation, thread-safe; strings returned are static.
 */
#ifndef CC_DONOR_TESTING_H
#define CC_DONOR_TESTING_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "status.h"

enum {
    DONOR_MARKERS = 10,
    DONOR_MAX_DAYS_BEFORE = 30, /* Annex II 2.5 with a repeat sample; 1271.80(b)(1) */
    DONOR_MAX_DAYS_AFTER = 7,   /* Annex II 2.5; 1271.80(b) */
    DONOR_PANEL_TEXT = 256
};

typedef enum { DONOR_NEED_NONE = 0, DONOR_NEED_NEGATIVE, DONOR_NEED_RESULT } donor_need;

typedef struct {
    donor_need need[DONOR_MARKERS]; /* in marker order */
    int days_before, days_after;
} donor_panel;

typedef struct {
    const char *marker; /* marker code */
    const char *result; /* negative, positive, indeterminate */
    cc_date sampled_on;
} donor_result;

/* The i-th marker's code (NULL past the last) and its English name
 * ("anti-HBc"); the index of a code, -1 when unknown. */
const char *donor_marker_code(size_t i);
const char *donor_marker_label(const char *code);
int donor_marker_index(const char *code);
bool donor_result_is_valid(const char *s);
bool donor_kind_is_valid(const char *s); /* allogeneic, autologous */

const char *donor_need_name(donor_need n); /* none, negative, result */
bool donor_need_parse(const char *s, donor_need *out);

/* The default panel of a donor kind (see above); allogeneic's for unknown. */
void donor_panel_default(const char *kind, donor_panel *out);

/* The window's bounds: CC_INVALID "out_of_range" naming "days_before" or
 * "days_after". */
cc_status donor_panel_check(const donor_panel *p, cc_error *err);

/* Stored form: "hbsag=negative,anti-hbc=negative,...;0;7" (every marker, in
 * order). donor_panel_parse starts from the kind's default and applies what
 * the text says; false when the text is not of that form. */
void donor_panel_format(const donor_panel *p, char out[DONOR_PANEL_TEXT]);
bool donor_panel_parse(const char *kind, const char *text, donor_panel *out);

typedef struct {
    const donor_panel *panel;
    bool consent;
    const donor_result *results;
    size_t n_results;
    const cc_date *collected_on; /* the donor's collections */
    size_t n_collections;
} donor_facts;

cc_status donor_check_eligibility(const char *decision, const donor_facts *f, cc_error *err);

/* For a unit label: *complete when every marker the panel needs has a
 * result; reactive receives the names of the "negative" markers whose
 * latest result is positive ("HBsAg, anti-HCV"), cut to cap bytes; "" when
 * none. */
void donor_screening_summary(const donor_panel *p, const donor_result *results, size_t n,
                             bool *complete, char *reactive, size_t cap);

#endif
