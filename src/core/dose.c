#include "dose.h"

cc_status dose_check_weight(const dose_rule *rule, int weight_g, cc_date weight_date, cc_date as_of,
                            cc_error *err)
{
    if (weight_date > as_of)
        return cc_fail(err, CC_INVALID, "weight_date", "future_weight",
                       "the weight is dated after the day of the plan");
    if (as_of - weight_date > rule->weight_max_age_days)
        return cc_fail(err, CC_INVALID, "weight", "stale_weight",
                       "the latest weight is %d days old; re-weigh the patient (at most %d days)",
                       (int)(as_of - weight_date), rule->weight_max_age_days);
    if (weight_g < rule->weight_min_g || weight_g > rule->weight_max_g)
        return cc_fail(err, CC_INVALID, "weight", "implausible_weight",
                       "weight %d.%03d kg is outside %d.%03d..%d.%03d kg for this programme",
                       weight_g / 1000, weight_g % 1000, rule->weight_min_g / 1000,
                       rule->weight_min_g % 1000, rule->weight_max_g / 1000,
                       rule->weight_max_g % 1000);
    return CC_OK;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

/* The course bounds for this weight: the per-kg maximum lowers the upper
 * bound and, when it lies below course_min, replaces the floor (lower bound 0). */
static void course_bounds(const dose_rule *rule, int weight_g, uint64_t *course_lo,
                          uint64_t *course_hi, bool *per_kg_binds)
{
    *course_lo = rule->course_min;
    *course_hi = rule->course_max;
    *per_kg_binds = false;
    if (!rule->per_kg_max || weight_g < 1)
        return;
    uint64_t cap = rule->per_kg_max * (uint64_t)weight_g / 1000;
    if (cap < *course_hi)
        *course_hi = cap;
    if (cap < *course_lo) {
        *course_lo = 0;
        *per_kg_binds = true;
    }
}

bool dose_needs_confirmation(const dose_rule *rule, int age_years)
{
    return rule->confirm_below_age_years > 0 &&
           (age_years < 0 || age_years < rule->confirm_below_age_years);
}

bool dose_within_bounds(const dose_rule *rule, int count, uint64_t per_admin, int weight_g)
{
    if (count < 1 || per_admin < 1 || rule->rounding < 1 || per_admin % rule->rounding)
        return false;
    uint64_t total = per_admin * (uint64_t)count, course_lo, course_hi;
    bool binds;
    course_bounds(rule, weight_g, &course_lo, &course_hi, &binds);
    if (total / (uint64_t)count != per_admin || total < course_lo || total > course_hi)
        return false;
    if (per_admin < rule->per_admin_min)
        return false;
    return !rule->per_admin_max || per_admin <= rule->per_admin_max;
}

cc_status dose_compute(const dose_rule *rule, int count, const dose_input *in, dose_result *out,
                       cc_error *err)
{
    if (count < 1 || count > PROTOCOL_MAX_ADMINISTRATIONS)
        return cc_fail(err, CC_INVALID, "count", "invalid_value", "count must be 1..%d",
                       PROTOCOL_MAX_ADMINISTRATIONS);
    cc_status st = dose_check_weight(rule, in->weight_g, in->weight_date, in->as_of, err);
    if (st != CC_OK)
        return st;
    if (in->age_years < 0 && rule->age_required)
        return cc_fail(err, CC_INVALID, "age_years", "required", "this dose rule needs the age");
    if (in->age_years >= 0 &&
        (in->age_years < rule->age_min_years || in->age_years > rule->age_max_years))
        return cc_fail(err, CC_INVALID, "age_years", "out_of_range",
                       "age %d is outside %d..%d years for this programme", in->age_years,
                       rule->age_min_years, rule->age_max_years);
    *out = (dose_result){.unit = rule->unit,
                         .count = count,
                         .per_kg = rule->per_kg,
                         .needs_confirmation = dose_needs_confirmation(rule, in->age_years)};
    for (size_t i = 0; in->age_years >= 0 && i < rule->n_bands; i++)
        if (in->age_years < rule->bands[i].below_age_years) {
            out->per_kg = rule->bands[i].per_kg;
            break;
        }
    uint64_t course = rule->fixed ? rule->per_admin_min * (uint64_t)count
                                  : out->per_kg * (uint64_t)in->weight_g / 1000;
    out->course_raw = course;
    uint64_t course_lo, course_hi;
    course_bounds(rule, in->weight_g, &course_lo, &course_hi, &out->bounded_per_kg);
    if (course < course_lo) {
        course = course_lo;
        out->bounded_low = true;
    } else if (course > course_hi) {
        course = course_hi;
        out->bounded_high = true;
    }
    uint64_t n = (uint64_t)count, step = rule->rounding;
    /* per administration in whole steps, rounded to nearest */
    uint64_t units = (course + n * step / 2) / (n * step);
    uint64_t lo = ceil_div(course_lo, n * step), hi = course_hi / (n * step);
    uint64_t lo_admin = ceil_div(rule->per_admin_min ? rule->per_admin_min : 1, step);
    if (lo_admin > lo)
        lo = lo_admin;
    if (rule->per_admin_max && rule->per_admin_max / step < hi)
        hi = rule->per_admin_max / step;
    if (lo < 1)
        lo = 1;
    if (lo > hi)
        return cc_fail(err, CC_INVALID, "count", "dose_infeasible",
                       "no dose per administration in whole steps keeps %d administrations within "
                       "the course and per-administration bounds",
                       count);
    if (units < lo)
        units = lo;
    if (units > hi)
        units = hi;
    out->per_admin = units * step;
    out->total = out->per_admin * n;
    out->per_kg_given = out->total * 1000 / (uint64_t)in->weight_g;
    return CC_OK;
}
