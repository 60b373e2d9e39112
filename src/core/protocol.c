#include "protocol.h"

#include <stdio.h>
#include <string.h>

#include "screening.h"

static const char *const ROUTES[RT_COUNT] = {"intravenous", "intrathecal", "local",
                                             "inhalation",  "topical",     "graft"};
static const char *const PRODUCTS[PT_COUNT] = {"UC-MSC", "UCB-SC", "BM-MSC",
                                               "AD-MSC", "PL-MSC", "secretome"};
static const char *const KINDS[RULE_KIND_COUNT] = {
    "exclude_if_true", "positive",       "required",        "range",      "finding_normal",
    "results_current", "injury_elapsed", "injury_recorded", "indication", "age"};
static const char *const OUTCOMES[] = {"exclude", "review", "flag"};

static bool parse_name(const char *name, const char *const *names, int n, int *out)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

const char *protocol_route_name(admin_route r)
{
    return (unsigned)r < RT_COUNT ? ROUTES[r] : "";
}

bool protocol_route_parse(const char *name, admin_route *out)
{
    int i;
    if (!parse_name(name, ROUTES, RT_COUNT, &i))
        return false;
    *out = (admin_route)i;
    return true;
}

const char *protocol_product_name(product_type p)
{
    return (unsigned)p < PT_COUNT ? PRODUCTS[p] : "";
}

bool protocol_product_parse(const char *name, product_type *out)
{
    int i;
    if (!parse_name(name, PRODUCTS, PT_COUNT, &i))
        return false;
    *out = (product_type)i;
    return true;
}

bool protocol_product_is_autologous(product_type p)
{
    return p == PT_BM_MSC || p == PT_AD_MSC;
}

const char *protocol_rule_kind_name(rule_kind k)
{
    return (unsigned)k < RULE_KIND_COUNT ? KINDS[k] : "";
}

bool protocol_rule_kind_parse(const char *name, rule_kind *out)
{
    int i;
    if (!parse_name(name, KINDS, RULE_KIND_COUNT, &i))
        return false;
    *out = (rule_kind)i;
    return true;
}

const char *protocol_outcome_name(rule_outcome o)
{
    return (unsigned)o <= OUTCOME_FLAG ? OUTCOMES[o] : "";
}

bool protocol_outcome_parse(const char *name, rule_outcome *out)
{
    int i;
    if (!parse_name(name, OUTCOMES, 3, &i))
        return false;
    *out = (rule_outcome)i;
    return true;
}

bool protocol_id_is_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n >= PROTOCOL_ID_MAX || id[0] < 'a' || id[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

int protocol_hours_to_days(int hours)
{
    return hours <= 0 ? 0 : (hours + 23) / 24;
}

/* Last procedure day of `count` administrations in an empty clinic. */
static int empty_clinic_last_day(const protocol *p, int count)
{
    int last[RT_COUNT], prev = 0;
    for (int r = 0; r < RT_COUNT; r++)
        last[r] = -1000;
    int gap = protocol_hours_to_days(p->gap_hours);
    if (gap < 1)
        gap = 1;
    for (int i = 0; i < count; i++) {
        admin_route r = p->cycle[(size_t)i % p->n_cycle];
        int day = i == 0 ? p->first_admin_day : prev + gap;
        int spaced = last[r] + protocol_hours_to_days(p->spacing_hours[r]);
        if (spaced > day)
            day = spaced;
        last[r] = prev = day;
    }
    return prev;
}

static bool icd10_prefix_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 7 || s[0] < 'A' || s[0] > 'Z' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
        s[2] > '9')
        return false;
    if (n == 3)
        return true;
    if (s[3] != '.' || n == 4)
        return false;
    for (size_t i = 4; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

static cc_status check_rule(const protocol_rule *r, size_t i, cc_error *err)
{
    char field[64];
    snprintf(field, sizeof field, "rules[%zu]", i);
    if (!r->id[0])
        return cc_fail(err, CC_INVALID, field, "invalid_rule", "rule %zu has no id", i);
    const screening_test *t = screening_test_find(r->subject);
    finding_kind fk;
    bool ok = true;
    switch (r->kind) {
    case RULE_EXCLUDE_IF_TRUE: ok = screening_history_is_known(r->subject); break;
    case RULE_POSITIVE: ok = t && t->qualitative; break;
    case RULE_REQUIRED: ok = t || screening_finding_parse(r->subject, &fk); break;
    case RULE_RANGE:
        ok = t && !t->qualitative && (r->has_min || r->has_max) &&
             (!r->has_min || !r->has_max || r->min <= r->max) && strcmp(r->unit, t->unit) == 0;
        break;
    case RULE_FINDING_NORMAL: ok = screening_finding_parse(r->subject, &fk); break;
    case RULE_RESULTS_CURRENT:
    case RULE_INJURY_ELAPSED: ok = r->days >= 1 && r->days <= 3650; break;
    case RULE_INJURY_RECORDED:
    case RULE_INDICATION: ok = true; break;
    case RULE_AGE:
        ok = (r->has_min || r->has_max) && (!r->has_min || r->min >= 0) &&
             (!r->has_max || r->max <= 130) && (!r->has_min || !r->has_max || r->min <= r->max);
        break;
    default: ok = false;
    }
    if (!ok)
        return cc_fail(err, CC_INVALID, field, "invalid_rule",
                       "rule '%s' (%s) has a subject, unit or limit that does not fit its kind",
                       r->id, protocol_rule_kind_name(r->kind));
    return CC_OK;
}

static cc_status check_dose(const dose_rule *d, cc_error *err)
{
    if (d->rounding < 1)
        return cc_fail(err, CC_INVALID, "dose.rounding", "invalid_value",
                       "dose rounding must be >= 1");
    if (d->course_min < 1 || d->course_min > d->course_max)
        return cc_fail(err, CC_INVALID, "dose.course_min", "invalid_value",
                       "dose course bounds must satisfy 1 <= course_min <= course_max");
    if (d->course_min % d->rounding || d->course_max % d->rounding)
        return cc_fail(err, CC_INVALID, "dose.course_max", "invalid_value",
                       "dose course bounds must be multiples of the rounding");
    if (d->per_admin_max && d->per_admin_min > d->per_admin_max)
        return cc_fail(err, CC_INVALID, "dose.per_admin_min", "invalid_value",
                       "per-administration bounds must be ordered");
    if (d->fixed && (d->per_admin_min < 1 || d->per_admin_min % d->rounding))
        return cc_fail(err, CC_INVALID, "dose.per_admin_min", "invalid_value",
                       "a fixed dose needs per_admin_min, a multiple of the rounding");
    if (!d->fixed && (d->per_kg < 1 || d->per_kg > UINT64_C(1) << 40))
        return cc_fail(err, CC_INVALID, "dose.per_kg", "invalid_value",
                       "dose per kg must be between 1 and 2^40");
    if (d->weight_min_g < 500 || d->weight_min_g > d->weight_max_g || d->weight_max_g > 400000)
        return cc_fail(err, CC_INVALID, "dose.weight_min_kg", "invalid_value",
                       "plausible weights must satisfy 0.5 <= min <= max <= 400 kg");
    if (d->weight_max_age_days < 1 || d->weight_max_age_days > 30)
        return cc_fail(err, CC_INVALID, "dose.weight_max_age_days", "invalid_value",
                       "a weight may be at most 1 to 30 days old (H4)");
    if (d->age_min_years < 0 || d->age_min_years > d->age_max_years || d->age_max_years > 130)
        return cc_fail(err, CC_INVALID, "dose.age_min_years", "invalid_value",
                       "age bounds must satisfy 0 <= min <= max <= 130");
    for (size_t i = 0; i < d->n_bands; i++)
        if (d->bands[i].per_kg < 1 || d->bands[i].per_kg > UINT64_C(1) << 40 ||
            d->bands[i].below_age_years < 1 ||
            (i > 0 && d->bands[i].below_age_years <= d->bands[i - 1].below_age_years))
            return cc_fail(err, CC_INVALID, "dose.age_bands", "invalid_value",
                           "age bands need ascending ages and a dose per kg");
    if (d->n_bands > PROTOCOL_MAX_AGE_BANDS)
        return cc_fail(err, CC_INVALID, "dose.age_bands", "too_many", "too many age bands");
    bool over_max = d->per_kg_max && !d->fixed && d->per_kg > d->per_kg_max;
    for (size_t i = 0; d->per_kg_max && i < d->n_bands; i++)
        over_max = over_max || d->bands[i].per_kg > d->per_kg_max;
    if (over_max || d->per_kg_max > UINT64_C(1) << 40 || (d->per_kg_max && d->fixed))
        return cc_fail(err, CC_INVALID, "dose.per_kg_max", "invalid_value",
                       "per_kg_max applies to a per-kg dose and must be at least every per-kg "
                       "amount of the rule");
    if (d->confirm_below_age_years < 0 || d->confirm_below_age_years > 130)
        return cc_fail(err, CC_INVALID, "dose.confirm_below_age_years", "invalid_value",
                       "confirm_below_age_years must be 0..130");
    return CC_OK;
}

/* An instrument's indication must lie under one of the programme's (an
 * instrument for M17 in a programme that treats M15-M17). */
static bool covered_by_indication(const protocol *p, const char *code)
{
    if (!code[0])
        return false;
    for (size_t i = 0; i < p->n_indications; i++) {
        size_t n = strlen(p->indications[i]);
        if (strncmp(code, p->indications[i], n) == 0 && (code[n] == '\0' || code[n] == '.'))
            return true;
    }
    return false;
}

int protocol_age_on(cc_date birth, cc_date on)
{
    if (birth > on)
        return -1;
    int by, bm, bd, y, m, d;
    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(on, &y, &m, &d);
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

bool protocol_instrument_for_age(const follow_up_visit *v, size_t j, int age_years)
{
    if (j >= v->n_instruments)
        return false;
    if (age_years < 0)
        return true;
    return age_years >= v->from_age_years[j] &&
           (v->below_age_years[j] == 0 || age_years < v->below_age_years[j]);
}

cc_status protocol_check(const protocol *p, cc_error *err)
{
    if (!protocol_id_is_valid(p->id))
        return cc_fail(err, CC_INVALID, "id", "invalid_id",
                       "protocol id must be 1 to 31 of a-z, 0-9 and '-', starting with a letter");
    if (p->version < 1 || p->version > 100000)
        return cc_fail(err, CC_INVALID, "version", "invalid_value", "version must be 1..100000");
    if (!p->name_en[0] || !p->name_fr[0])
        return cc_fail(err, CC_INVALID, "name", "required",
                       "names in English and French are required");
    if (p->n_indications < 1 || p->n_indications > PROTOCOL_MAX_INDICATIONS)
        return cc_fail(err, CC_INVALID, "indications", "required",
                       "at least one indication is required");
    for (size_t i = 0; i < p->n_indications; i++)
        if (!icd10_prefix_ok(p->indications[i]))
            return cc_fail(err, CC_INVALID, "indications", "invalid_icd10",
                           "indication '%s' is not an ICD-10 code", p->indications[i]);
    if (!p->products || p->products >= (1u << PT_COUNT) ||
        !(p->products & (1u << p->default_product)))
        return cc_fail(err, CC_INVALID, "products", "invalid_value",
                       "products must be known and include the default product");
    if (!p->routes || p->routes >= (1u << RT_COUNT))
        return cc_fail(err, CC_INVALID, "routes", "invalid_value", "routes must be known");
    if (p->n_cycle < 1 || p->n_cycle > PROTOCOL_MAX_CYCLE)
        return cc_fail(err, CC_INVALID, "route_cycle", "invalid_value",
                       "route_cycle needs 1 to 8 routes");
    for (size_t i = 0; i < p->n_cycle; i++)
        if ((unsigned)p->cycle[i] >= RT_COUNT || !(p->routes & (1u << p->cycle[i])))
            return cc_fail(err, CC_INVALID, "route_cycle", "invalid_value",
                           "route_cycle uses a route the protocol does not allow");
    if (p->admin_min < 1 || p->admin_min > p->admin_max ||
        p->admin_max > PROTOCOL_MAX_ADMINISTRATIONS || p->admin_default < p->admin_min ||
        p->admin_default > p->admin_max)
        return cc_fail(err, CC_INVALID, "administrations", "invalid_value",
                       "administrations must satisfy 1 <= min <= default <= max <= %d",
                       PROTOCOL_MAX_ADMINISTRATIONS);
    for (int r = 0; r < RT_COUNT; r++)
        if (p->spacing_hours[r] < 0 || p->spacing_hours[r] > 24 * 60)
            return cc_fail(err, CC_INVALID, "spacing_hours", "invalid_value",
                           "spacing must be 0 to 1440 hours");
    if (p->gap_hours < 0 || p->gap_hours > 24 * 60)
        return cc_fail(err, CC_INVALID, "gap_hours", "invalid_value",
                       "gap must be 0 to 1440 hours");
    if (p->first_admin_day < 2)
        return cc_fail(err, CC_INVALID, "first_administration_day", "invalid_value",
                       "nothing is given on admission day: the first administration day is >= 2");
    if (p->observe_days < 0 || p->observe_days > 30)
        return cc_fail(err, CC_INVALID, "observe_days", "invalid_value",
                       "observe_days must be 0..30");
    if (p->stay_min < 1 || p->stay_min > p->stay_max || p->stay_max > PROTOCOL_STAY_LIMIT)
        return cc_fail(err, CC_INVALID, "stay_days", "invalid_value",
                       "stay must satisfy 1 <= min <= max <= %d days", PROTOCOL_STAY_LIMIT);
    if (empty_clinic_last_day(p, p->admin_max) + p->observe_days > p->stay_max)
        return cc_fail(err, CC_INVALID, "stay_days", "infeasible",
                       "%d administrations with this spacing do not fit in a stay of %d days",
                       p->admin_max, p->stay_max);
    bool autologous = false;
    for (int t = 0; t < PT_COUNT; t++)
        if ((p->products & (1u << t)) && protocol_product_is_autologous((product_type)t))
            autologous = true;
    if (p->lead_days_min < 0 || p->lead_days_min > p->lead_days_max || p->lead_days_max > 120 ||
        (autologous && p->lead_days_max < 1))
        return cc_fail(err, CC_INVALID, "lead_days", "invalid_value",
                       "autologous products need manufacturing_lead_days with min <= max <= 120");
    cc_status st = check_dose(&p->dose, err);
    if (st != CC_OK)
        return st;
    if (p->dose.per_admin_max &&
        (uint64_t)p->admin_min * p->dose.per_admin_max < p->dose.course_min)
        return cc_fail(err, CC_INVALID, "dose.per_admin_max", "infeasible",
                       "the per-administration maximum cannot reach the course minimum");
    /* the lightest plausible patient still gets one rounding step per administration */
    if (p->dose.per_kg_max && p->dose.per_kg_max * (uint64_t)p->dose.weight_min_g / 1000 <
                                  (uint64_t)p->admin_max * p->dose.rounding)
        return cc_fail(err, CC_INVALID, "dose.per_kg_max", "infeasible",
                       "at the lightest plausible weight the per-kg maximum leaves less than one "
                       "rounding step per administration");
    for (size_t i = 0; i < p->n_ancillary; i++)
        if (!p->ancillary[i].id[0] || p->ancillary[i].sessions_per_day < 1 ||
            p->ancillary[i].sessions_per_day > 6 || p->ancillary[i].price_cents < 0)
            return cc_fail(err, CC_INVALID, "ancillary", "invalid_value",
                           "ancillary programmes need an id, 1..6 sessions a day and a price >= 0");
    if (p->n_follow_up < 1)
        return cc_fail(err, CC_INVALID, "follow_up", "required",
                       "a follow-up schedule is required");
    for (size_t i = 0; i < p->n_follow_up; i++) {
        const follow_up_visit *v = &p->follow_up[i];
        if (!v->label[0] || v->months < 1 || v->months > 120 || v->window_days < 0 ||
            v->window_days > 180 || (i > 0 && v->months <= p->follow_up[i - 1].months))
            return cc_fail(err, CC_INVALID, "follow_up", "invalid_value",
                           "follow-up visits need a label, ascending months (1..120) and a window "
                           "of 0..180 days");
        for (size_t j = 0; j < v->n_instruments; j++) {
            int from = v->from_age_years[j], below = v->below_age_years[j];
            if (from < 0 || from > PROTOCOL_AGE_LIMIT || below < 0 || below > PROTOCOL_AGE_LIMIT ||
                (below > 0 && from >= below))
                return cc_fail(err, CC_INVALID, "follow_up", "invalid_value",
                               "follow-up instrument %s: the ages must be 0..%d, from below the "
                               "upper limit",
                               v->instruments[j], PROTOCOL_AGE_LIMIT);
        }
        for (size_t j = 0; j < v->n_instruments; j++)
            for (size_t k = 0; k < v->n_for_indications[j]; k++)
                if (!covered_by_indication(p, v->for_indications[j][k]))
                    return cc_fail(err, CC_INVALID, "follow_up", "invalid_value",
                                   "follow-up instrument %s is for %s, which is not under one of "
                                   "the programme's indications",
                                   v->instruments[j], v->for_indications[j][k]);
    }
    if (p->n_rules > PROTOCOL_MAX_RULES)
        return cc_fail(err, CC_INVALID, "rules", "too_many", "too many rules");
    for (size_t i = 0; i < p->n_rules; i++)
        if ((st = check_rule(&p->rules[i], i, err)) != CC_OK)
            return st;
    const price_list *pr = &p->price;
    if (strcmp(pr->currency, "EUR") != 0)
        return cc_fail(err, CC_INVALID, "price.currency", "invalid_value", "currency must be EUR");
    if (pr->stay_per_day < 0 || pr->examinations < 0 || pr->range_min < 0 ||
        pr->range_min > pr->range_max)
        return cc_fail(err, CC_INVALID, "price", "invalid_value",
                       "prices must be >= 0 and the range ordered");
    for (int t = 0; t < PT_COUNT; t++)
        if (pr->administration[t] < 0 || ((p->products & (1u << t)) && pr->administration[t] == 0))
            return cc_fail(err, CC_INVALID, "price.administration", "invalid_value",
                           "every allowed product needs a price per administration");
    return CC_OK;
}
