/*
 * dose: per-course and per-administration doses from a protocol's dose rule
 * and the patient's weight (and age when the rule uses it). Hazard H4.
 *
 * Units: amounts are uint64_t in the rule's unit (cells, or microlitres for
 * secretome); weights in grams (integer, as stored); ages in whole years.
 *
 * Computation, in this order:
 *   1. refuse the weight when it is dated after as_of, or more than
 *      rule->weight_max_age_days (30) before as_of ("stale_weight", H4), or
 *      outside the rule's plausible weights ("implausible_weight");
 *      refuse a missing age when the rule needs it, and an age outside the
 *      rule's bounds;
 *   2. course = per_kg x weight_g / 1000 (integer, exact: per_kg <= 2^40 and
 *      weight_g <= 400,000 cannot overflow), with per_kg from the first age
 *      band whose below_age_years exceeds the age, else the rule's per_kg;
 *      a fixed rule takes course = count x per_admin_min (a fixed amount per
 *      administration, such as 5 mL of secretome);
 *   3. the course is bounded to [course_min, course_max], except that with
 *      a per-kg maximum (rule->per_kg_max) the upper bound is
 *      min(course_max, per_kg_max x weight) and, when per_kg_max x weight
 *      lies below course_min (a small child), the course floor no longer
 *      applies: the per-kg maximum binds first;
 *   4. per administration = course / count rounded to the nearest multiple
 *      of rule->rounding (half away from zero), then moved by whole
 *      rounding steps into the bounds that must still hold after rounding:
 *      count x per within the bounds of step 3 and per within
 *      [per_admin_min, per_admin_max]. When no multiple satisfies both, the
 *      count is refused ("dose_infeasible"), never silently out of range.
 * So the invariants of a successful result are: per_admin is a positive
 * multiple of rounding, total = count x per_admin, total <= course_max,
 * total <= per_kg_max x weight when the rule has a per-kg maximum,
 * total >= course_min unless that maximum lies below it, and per_admin
 * within its bounds.
 *
 * needs_confirmation is set when the rule asks a physician's signed
 * confirmation below an age (rule->confirm_below_age_years) and the patient
 * is younger or of unknown age: no source gives paediatric age bands.
 *
 * Bad input yields CC_INVALID naming the field ("weight", "weight_date",
 * "age_years", "count"). Pure, no allocation, thread-safe.
 */
#ifndef CC_DOSE_H
#define CC_DOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "protocol.h"
#include "status.h"

typedef struct {
    int weight_g;
    cc_date weight_date;
    int age_years; /* -1 when unknown */
    cc_date as_of; /* the day the dose is decided (plan creation or approval) */
} dose_input;

typedef struct {
    dose_unit unit;
    int count;
    uint64_t per_kg;     /* the per-kg amount used (after age band) */
    uint64_t course_raw; /* before bounds */
    uint64_t per_admin;
    uint64_t total;                 /* count x per_admin */
    bool bounded_low, bounded_high; /* the course was raised / lowered to a bound */
    bool bounded_per_kg;            /* per_kg_max x weight was below the course floor */
    uint64_t per_kg_given;          /* total per kg of body weight, rounded down */
    bool needs_confirmation;        /* a child: the physician confirms with a reason */
} dose_result;

cc_status dose_compute(const dose_rule *rule, int count, const dose_input *in, dose_result *out,
                       cc_error *err);

/* Checks a weight alone (step 1 without age), for forms that warn early. */
cc_status dose_check_weight(const dose_rule *rule, int weight_g, cc_date weight_date, cc_date as_of,
                            cc_error *err);

/* True when per_admin x count respects every bound of the rule for a
 * patient of weight_g, as in step 3 (H4 re-check of a stored plan before
 * approval). */
bool dose_within_bounds(const dose_rule *rule, int count, uint64_t per_admin, int weight_g);

/* True when a patient of age_years (-1 unknown) needs the physician's signed
 * confirmation of the dose under this rule. */
bool dose_needs_confirmation(const dose_rule *rule, int age_years);

#endif
