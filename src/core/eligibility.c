#include "eligibility.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "paediatric.h"

static const char *const VERDICTS[] = {"eligible", "needs_review", "not_eligible"};

const char *eligibility_verdict_name(eligibility_verdict v)
{
    return (unsigned)v <= ELIG_NOT_ELIGIBLE ? VERDICTS[v] : "";
}

bool eligibility_verdict_parse(const char *name, eligibility_verdict *out)
{
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, VERDICTS[i]) == 0) {
            *out = (eligibility_verdict)i;
            return true;
        }
    return false;
}

bool eligibility_is_stale(cc_date oldest_date, cc_date on, int max_days)
{
    return on - oldest_date > max_days;
}

bool eligibility_code_matches(const char *code, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(code, prefix, n) != 0)
        return false;
    return code[n] == '\0' || code[n] == '.' || strchr(prefix, '.') != NULL;
}

static void add(eligibility_result *out, const protocol_rule *r, const char *subject,
                rule_outcome outcome, const char *observed, const char *limit)
{
    if (out->n_reasons >= ELIGIBILITY_MAX_REASONS)
        return;
    eligibility_reason *e = &out->reasons[out->n_reasons++];
    snprintf(e->rule, sizeof e->rule, "%s", r ? r->id : "reference-range");
    e->kind = r ? r->kind : RULE_RANGE;
    e->outcome = outcome;
    snprintf(e->subject, sizeof e->subject, "%s", subject);
    snprintf(e->observed, sizeof e->observed, "%s", observed);
    snprintf(e->limit, sizeof e->limit, "%s", limit);
}

static void fmt_num(double v, char *out, size_t cap)
{
    snprintf(out, cap, "%g", v);
}

static void range_text(const protocol_rule *r, char *out, size_t cap)
{
    char a[32], b[32];
    fmt_num(r->min, a, sizeof a);
    fmt_num(r->max, b, sizeof b);
    if (r->has_min && r->has_max)
        snprintf(out, cap, "%s..%s %s", a, b, r->unit);
    else if (r->has_min)
        snprintf(out, cap, ">= %s %s", a, r->unit);
    else
        snprintf(out, cap, "<= %s %s", b, r->unit);
}

/* A child's value against the laboratory's own range for the age (see
 * core/paediatric.h): the protocol's limits are adult ones. */
static void eval_child_range(const protocol_rule *r, const screening_result *res, int age_years,
                             const char *observed, eligibility_result *out)
{
    char limit[128];
    double who_min;
    if (!res->has_ref && strcmp(r->subject, "hb") == 0 && strcmp(res->unit, "g/dL") == 0 &&
        paed_haemoglobin_min(age_years, &who_min)) {
        char m[24];
        fmt_num(who_min, m, sizeof m);
        snprintf(limit, sizeof limit, "child of %d years: WHO anaemia threshold >= %s g/dL",
                 age_years, m);
        if (res->value < who_min)
            add(out, r, r->subject, r->outcome, observed, limit);
        return;
    }
    if (!res->has_ref) {
        snprintf(limit, sizeof limit, "child of %d years: the laboratory's range for the age",
                 age_years);
        add(out, r, r->subject, OUTCOME_REVIEW, observed, limit);
        return;
    }
    char a[24], b[24];
    fmt_num(res->ref_low, a, sizeof a);
    fmt_num(res->ref_high, b, sizeof b);
    snprintf(limit, sizeof limit, "child of %d years: laboratory range %s..%s %s", age_years, a, b,
             res->unit);
    if (res->value < res->ref_low || res->value > res->ref_high)
        add(out, r, r->subject, r->outcome, observed, limit);
}

static void eval_range(const protocol_rule *r, const screening *s, eligibility_result *out)
{
    const screening_result *res = screening_result_find(s, r->subject);
    char observed[96], limit[96];
    range_text(r, limit, sizeof limit);
    if (!res) {
        add(out, r, r->subject, OUTCOME_REVIEW, "missing", limit);
        return;
    }
    if (!isfinite(res->value)) {
        add(out, r, r->subject, OUTCOME_REVIEW, "not a number", limit);
        return;
    }
    char num[32];
    fmt_num(res->value, num, sizeof num);
    snprintf(observed, sizeof observed, "%s %s", num, res->unit);
    if (paed_is_child(s->age_years * 12)) {
        eval_child_range(r, res, s->age_years, observed, out);
        return;
    }
    if (strcmp(res->unit, r->unit) != 0) {
        add(out, r, r->subject, OUTCOME_REVIEW, observed, limit);
        return;
    }
    if ((r->has_min && res->value < r->min) || (r->has_max && res->value > r->max))
        add(out, r, r->subject, r->outcome, observed, limit);
}

static void date_text(const char *what, cc_date d, cc_date today, char *out, size_t cap)
{
    char t[CC_DATE_TEXT];
    date_format(d, t);
    snprintf(out, cap, "%s %s (%d days)", what, t, (int)(today - d));
}

static void eval_current(const protocol_rule *r, const screening *s, cc_date today,
                         eligibility_result *out)
{
    char observed[96], limit[96];
    snprintf(limit, sizeof limit, "at most %d days old", r->days);
    for (size_t i = 0; i < s->n_results; i++) {
        const screening_result *res = &s->results[i];
        if (today - res->date > r->days || res->date > today) {
            date_text("sampled", res->date, today, observed, sizeof observed);
            add(out, r, res->test, res->date > today ? OUTCOME_REVIEW : r->outcome, observed,
                limit);
        }
    }
    for (int k = 0; k < FINDING_COUNT; k++) {
        if (s->findings[k] == FINDING_NOT_DONE)
            continue;
        cc_date d = s->finding_dates[k];
        if (today - d > r->days || d > today) {
            date_text("done", d, today, observed, sizeof observed);
            add(out, r, screening_finding_name((finding_kind)k),
                d > today ? OUTCOME_REVIEW : r->outcome, observed, limit);
        }
    }
}

static tri_state history(const screening *s, const char *subject)
{
    if (strcmp(subject, "cancer_history") == 0)
        return s->cancer_history;
    if (strcmp(subject, "pregnancy") == 0)
        return s->pregnancy;
    return s->active_infection;
}

static void eval_rule(const protocol *p, const protocol_rule *r, const screening *s, cc_date today,
                      eligibility_result *out)
{
    const screening_result *res;
    finding_kind fk;
    char observed[96], limit[96];
    switch (r->kind) {
    case RULE_EXCLUDE_IF_TRUE: {
        tri_state v = history(s, r->subject);
        if (v == TRI_YES)
            add(out, r, r->subject, r->outcome, "yes", "no");
        else if (v == TRI_UNKNOWN)
            add(out, r, r->subject, OUTCOME_REVIEW, "unknown", "no");
        break;
    }
    case RULE_POSITIVE:
        res = screening_result_find(s, r->subject);
        if (!res)
            add(out, r, r->subject, OUTCOME_REVIEW, "missing", "negative");
        else if (res->positive)
            add(out, r, r->subject, r->outcome, "positive", "negative");
        break;
    case RULE_REQUIRED:
        if (screening_finding_parse(r->subject, &fk)) {
            if (s->findings[fk] == FINDING_NOT_DONE)
                add(out, r, r->subject, r->outcome, "not done", "required");
        } else if (!screening_result_find(s, r->subject)) {
            add(out, r, r->subject, r->outcome, "missing", "required");
        }
        break;
    case RULE_RANGE: eval_range(r, s, out); break;
    case RULE_FINDING_NORMAL:
        if (screening_finding_parse(r->subject, &fk)) {
            if (s->findings[fk] == FINDING_ABNORMAL)
                add(out, r, r->subject, r->outcome, "abnormal", "normal");
            else if (s->findings[fk] == FINDING_NOT_DONE)
                add(out, r, r->subject, OUTCOME_REVIEW, "not done", "normal");
        }
        break;
    case RULE_RESULTS_CURRENT: eval_current(r, s, today, out); break;
    case RULE_INJURY_ELAPSED:
        if (s->has_injury && today - s->injury_date > r->days) {
            date_text("injury", s->injury_date, today, observed, sizeof observed);
            snprintf(limit, sizeof limit, "at most %d days", r->days);
            add(out, r, "injury_date", r->outcome, observed, limit);
            out->chronic = true;
        }
        break;
    case RULE_INJURY_RECORDED:
        if (!s->has_injury || !s->injury_level[0])
            add(out, r, "injury_date", r->outcome, s->has_injury ? "no level" : "no injury date",
                "injury date and level");
        else if (s->injury_date > today)
            add(out, r, "injury_date", OUTCOME_REVIEW, "in the future", "a past date");
        break;
    case RULE_INDICATION: {
        bool match = false;
        for (size_t i = 0; i < s->n_conditions && !match; i++)
            for (size_t j = 0; j < p->n_indications && !match; j++)
                match = eligibility_code_matches(s->conditions[i], p->indications[j]);
        if (!match)
            add(out, r, "conditions", r->outcome,
                s->n_conditions ? s->conditions[0] : "no condition", "a programme indication");
        break;
    }
    case RULE_AGE:
        snprintf(limit, sizeof limit, "%g..%g years", r->has_min ? r->min : 0,
                 r->has_max ? r->max : 130);
        if (s->age_years < 0) {
            add(out, r, "age_years", OUTCOME_REVIEW, "unknown", limit);
        } else if ((r->has_min && s->age_years < r->min) || (r->has_max && s->age_years > r->max)) {
            snprintf(observed, sizeof observed, "%d years", s->age_years);
            add(out, r, "age_years", r->outcome, observed, limit);
        }
        break;
    default: break;
    }
}

/* H16: a protocol with an intrathecal route needs platelets, INR and aPTT
 * within core/coagulation's limits and no current anticoagulant or
 * antiplatelet on the medication list; a missing or out-of-range result or
 * such a drug excludes (lifted only by a signed override), unlike an
 * ordinary rule's "review", because the lumbar puncture is the programme's
 * own procedure. */
static bool intrathecal(const protocol *p)
{
    return (p->routes & (1u << RT_INTRATHECAL)) != 0;
}

static void eval_coagulation(const protocol *p, const screening *s, cc_date today,
                             eligibility_result *out)
{
    if (!intrathecal(p))
        return;
    coag_facts f;
    memset(&f, 0, sizeof f);
    f.today = today;
    f.meds = s->meds;
    f.n_meds = s->n_meds;
    for (int t = 0; t < COAG_TEST_COUNT; t++) {
        const screening_result *r = screening_result_find(s, coag_test_code((coag_test)t));
        if (r)
            f.results[t] = (coag_result){true, r->value, r->unit, r->has_ref, r->ref_high, r->date};
    }
    coag_finding found[COAG_MAX_FINDINGS];
    size_t n = coag_check(&f, found);
    protocol_rule rule;
    memset(&rule, 0, sizeof rule);
    snprintf(rule.id, sizeof rule.id, "intrathecal-coagulation");
    rule.kind = RULE_RANGE;
    rule.outcome = OUTCOME_EXCLUDE;
    for (size_t i = 0; i < n; i++)
        add(out, &rule, found[i].subject, OUTCOME_EXCLUDE, found[i].observed, found[i].limit);
}

/* A result outside the laboratory's reference range that no rule covers. */
static bool covered_by_rule(const protocol *p, const char *test)
{
    if (intrathecal(p))
        for (int t = 0; t < COAG_TEST_COUNT; t++)
            if (strcmp(test, coag_test_code((coag_test)t)) == 0)
                return true;
    for (size_t i = 0; i < p->n_rules; i++)
        if (p->rules[i].kind == RULE_RANGE && strcmp(p->rules[i].subject, test) == 0)
            return true;
    return false;
}

void eligibility_evaluate(const protocol *p, const screening *s, cc_date today,
                          eligibility_result *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->n_rules; i++)
        eval_rule(p, &p->rules[i], s, today, out);
    eval_coagulation(p, s, today, out);
    for (size_t i = 0; i < s->n_results; i++) {
        const screening_result *res = &s->results[i];
        if (!out->has_oldest || res->date < out->oldest_date) {
            out->oldest_date = res->date;
            out->has_oldest = true;
        }
        if (res->has_ref && isfinite(res->value) && !covered_by_rule(p, res->test) &&
            (res->value < res->ref_low || res->value > res->ref_high)) {
            char observed[96], limit[96], a[32], b[32], c[32];
            fmt_num(res->value, c, sizeof c);
            fmt_num(res->ref_low, a, sizeof a);
            fmt_num(res->ref_high, b, sizeof b);
            snprintf(observed, sizeof observed, "%s %s", c, res->unit);
            snprintf(limit, sizeof limit, "%s..%s %s", a, b, res->unit);
            add(out, NULL, res->test, OUTCOME_FLAG, observed, limit);
        }
    }
    for (int k = 0; k < FINDING_COUNT; k++)
        if (s->findings[k] != FINDING_NOT_DONE &&
            (!out->has_oldest || s->finding_dates[k] < out->oldest_date)) {
            out->oldest_date = s->finding_dates[k];
            out->has_oldest = true;
        }
    out->verdict = ELIG_ELIGIBLE;
    for (size_t i = 0; i < out->n_reasons; i++) {
        if (out->reasons[i].outcome == OUTCOME_EXCLUDE)
            out->verdict = ELIG_NOT_ELIGIBLE;
        else if (out->reasons[i].outcome == OUTCOME_REVIEW && out->verdict == ELIG_ELIGIBLE)
            out->verdict = ELIG_NEEDS_REVIEW;
    }
}

static size_t trimmed_length(const char *s)
{
    if (!s)
        return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return n;
}

cc_status eligibility_check_decision(eligibility_verdict computed, eligibility_verdict decision,
                                     const char *override_reason, bool *override, cc_error *err)
{
    *override = false;
    if (decision != ELIG_ELIGIBLE && decision != ELIG_NOT_ELIGIBLE)
        return cc_fail(err, CC_INVALID, "decision", "invalid_value",
                       "decision must be eligible or not_eligible");
    if (override_reason && strlen(override_reason) > 2000)
        return cc_fail(err, CC_INVALID, "override_reason", "too_long",
                       "override_reason is longer than 2000 characters");
    if (decision == ELIG_ELIGIBLE && computed == ELIG_NOT_ELIGIBLE) {
        if (trimmed_length(override_reason) < 10)
            return cc_fail(err, CC_INVALID, "override_reason", "override_required",
                           "the rules exclude this patient: treating needs a written reason "
                           "(at least 10 characters) signed as an override");
        *override = true;
    }
    return CC_OK;
}

cc_status eligibility_check_approval(const eligibility_facts *f, cc_date today, int max_days,
                                     cc_error *err)
{
    if (!f->decided)
        return cc_fail(err, CC_CONFLICT, "eligibility", "eligibility_missing",
                       "no signed eligibility decision for this programme");
    if (f->decision != ELIG_ELIGIBLE)
        return cc_fail(err, CC_CONFLICT, "eligibility", "not_eligible",
                       "the signed eligibility decision is: not eligible");
    if (f->computed == ELIG_NOT_ELIGIBLE && !f->override)
        return cc_fail(err, CC_CONFLICT, "eligibility", "override_required",
                       "the rules exclude this patient and no override was signed");
    if (!f->has_oldest || eligibility_is_stale(f->oldest_date, today, max_days))
        return cc_fail(err, CC_CONFLICT, "eligibility", "eligibility_stale",
                       "the work-up is more than %d days old: repeat the screening", max_days);
    return CC_OK;
}
