/*
 * eligibility: evaluates a protocol's inclusion and exclusion rules against a
 * screening (DESIGN.md section 3 "Screening"; hazard H6).
 *
 * Every rule yields zero or one reason {rule, kind, outcome, subject,
 * observed, limit}. The verdict is:
 *   not eligible  when any reason has outcome "exclude";
 *   needs review  otherwise, when any reason has outcome "review";
 *   eligible      otherwise ("flag" reasons, such as a chronic injury, are
 *                 shown but do not change the verdict).
 * Missing information never passes: a required result that is absent, a
 * history item left "unknown", a result in another unit than the rule's, or a
 * non-finite value gives a "review" reason even when the rule's own outcome is
 * "exclude" (the work-up is incomplete, not negative).
 * Results outside the laboratory's own reference range, for which the
 * protocol has no rule, give a "flag" reason (shown, verdict unchanged).
 * A child's laboratory values (0 to 17 years) are judged by range rules
 * against the laboratory's own reference range for the age, not the
 * protocol's adult limits; without a range the rule gives "review" (why:
 * core/paediatric.h).
 *
 * Lumbar puncture (H16): when the protocol has an intrathecal route, the
 * platelets, INR and aPTT are checked against core/coagulation's limits
 * (rule "intrathecal-coagulation"); a missing, unusable or out-of-range
 * result is an "exclude" reason, so treating needs the signed override.
 *
 * Staleness: a results_current rule with days = 30 makes any result or
 * finding sampled more than 30 days before `today` (or after it) a reason;
 * oldest_date reports the oldest sample so a decision can be re-checked for
 * staleness at approval time (eligibility_is_stale).
 *
 * Ownership: caller-owned values; nothing allocated. Pure, thread-safe.
 */
#ifndef CC_ELIGIBILITY_H
#define CC_ELIGIBILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "coagulation.h"
#include "date.h"
#include "protocol.h"
#include "screening.h"

typedef enum { ELIG_ELIGIBLE = 0, ELIG_NEEDS_REVIEW, ELIG_NOT_ELIGIBLE } eligibility_verdict;

enum {
    ELIGIBILITY_MAX_REASONS =
        PROTOCOL_MAX_RULES + 2 * SCREENING_MAX_RESULTS + FINDING_COUNT + COAG_MAX_FINDINGS
};

typedef struct {
    char rule[PROTOCOL_CODE_MAX];
    rule_kind kind;
    rule_outcome outcome;
    char subject[PROTOCOL_CODE_MAX];
    char observed[96];
    char limit[96];
} eligibility_reason;

typedef struct {
    eligibility_verdict verdict;
    eligibility_reason reasons[ELIGIBILITY_MAX_REASONS];
    size_t n_reasons;
    bool chronic; /* an injury_elapsed rule fired */
    bool has_oldest;
    cc_date oldest_date; /* oldest sample or finding date */
} eligibility_result;

void eligibility_evaluate(const protocol *p, const screening *s, cc_date today,
                          eligibility_result *out);

/* "eligible", "needs_review", "not_eligible". */
const char *eligibility_verdict_name(eligibility_verdict v);
bool eligibility_verdict_parse(const char *name, eligibility_verdict *out);

/* True when a decision resting on samples as old as oldest_date is stale on
 * `on` (more than max_days old). */
bool eligibility_is_stale(cc_date oldest_date, cc_date on, int max_days);

/* True when an ICD-10 code falls under an indication prefix ("S14" covers
 * "S14" and "S14.1"; "J84.1" covers "J84.1" and "J84.10"). */
bool eligibility_code_matches(const char *code, const char *prefix);

/*
 * The physician's signed decision on a computed verdict (H6):
 *   decision must be "eligible" or "not_eligible" (needs_review is not a
 *   decision); deciding "eligible" on a computed "not_eligible" is an
 *   override and needs a written reason of 10..2000 characters
 *   (CC_INVALID field "override_reason" code "override_required");
 *   "eligible" on "needs_review" is the review itself (reason optional).
 * *override tells whether the decision overrides the rules.
 */
cc_status eligibility_check_decision(eligibility_verdict computed, eligibility_verdict decision,
                                     const char *override_reason, bool *override, cc_error *err);

/* What plan approval knows about the patient's latest signed decision. */
typedef struct {
    bool decided;                 /* a signed decision exists for the programme */
    eligibility_verdict decision; /* ELIG_ELIGIBLE or ELIG_NOT_ELIGIBLE */
    eligibility_verdict computed;
    bool override;
    bool has_oldest;
    cc_date oldest_date; /* oldest sample the decision rests on */
} eligibility_facts;

/* Plan approval (H6): CC_CONFLICT with code "eligibility_missing" (no signed
 * decision), "not_eligible" (the physician decided no), "override_required"
 * (rules exclude and no override was signed), or "eligibility_stale" (the
 * work-up is more than max_days old on `today`, or has no dated result). */
cc_status eligibility_check_approval(const eligibility_facts *f, cc_date today, int max_days,
                                     cc_error *err);

#endif
