#include "app/screening.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/medications.h"
#include "app/programmes.h"
#include "core/date.h"
#include "store/patients.h"
#include "store/screenings.h"
#include "store/clock.h"

bool app_screening_level_is_valid(const char *level)
{
    size_t n = level ? strlen(level) : 0;
    if (n < 2 || n > 3 || !strchr("CTLS", level[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (level[i] < '0' || level[i] > '9')
            return false;
    return true;
}

/* The injury from the patient's condition that falls under the protocol's
 * indications (onset date; details.level when it is a level). */
static void injury_from_conditions(const patient_record *pt, const protocol *p, screening *s)
{
    for (size_t i = 0; i < pt->n_conditions && !s->has_injury; i++) {
        const patient_condition *c = &pt->conditions[i];
        bool match = false;
        for (size_t j = 0; j < p->n_indications && !match; j++)
            match = eligibility_code_matches(c->icd10, p->indications[j]);
        cc_error ignored;
        if (!match || !c->onset_date ||
            date_parse(c->onset_date, "onset_date", &s->injury_date, &ignored) != CC_OK)
            continue;
        s->has_injury = true;
        json_t *details = json_loads(c->details_json ? c->details_json : "{}", 0, NULL);
        const char *level = json_string_value(json_object_get(details, "level"));
        if (app_screening_level_is_valid(level))
            snprintf(s->injury_level, sizeof s->injury_level, "%s", level);
        json_decref(details);
    }
}

static json_t *reasons_json(const eligibility_result *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_reasons; i++) {
        const eligibility_reason *e = &r->reasons[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "rule", e->rule,
                                           "kind", protocol_rule_kind_name(e->kind), "outcome",
                                           protocol_outcome_name(e->outcome), "subject", e->subject,
                                           "observed", e->observed, "limit", e->limit));
    }
    return a;
}

/* Compact JSON text of v in the arena; releases v. */
static char *dump(arena *a, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    if (text)
        arena_on_release(a, free, text);
    return text;
}

/* Evaluates and stores; the caller holds the transaction. */
static cc_status create_in_tx(const app_ctx *c, int64_t patient_id, const char *protocol_id,
                              screening *s, const json_t *work_up, int64_t *id, cc_error *err)
{
    cc_date today = store_today();
    protocol *p = arena_alloc(c->arena, sizeof *p);
    if (!p)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = programme_load(c->d, c->arena, protocol_id, 0, p, err);
    if (st == CC_NOT_FOUND) { /* a field of the request, not the resource, is wrong */
        err->status = CC_INVALID;
        snprintf(err->code, sizeof err->code, "%s", "unknown_protocol");
    }
    if (st != CC_OK)
        return err->status;
    patient_record pt;
    st = patient_get(c->d, c->arena, patient_id, true, &pt, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_INVALID, "patient_id", "unknown_patient", "no patient with id %lld",
                       (long long)patient_id);
    eligibility_result *r = arena_alloc(c->arena, sizeof *r);
    if (st == CC_OK && !r)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st != CC_OK)
        return st;
    s->age_years = programme_age_years(pt.birth_date, today);
    s->n_conditions = 0;
    for (size_t i = 0; i < pt.n_conditions && s->n_conditions < SCREENING_MAX_CONDITIONS; i++)
        snprintf(s->conditions[s->n_conditions++], sizeof s->conditions[0], "%s",
                 pt.conditions[i].icd10);
    bool injury_given = s->has_injury;
    if (!injury_given)
        injury_from_conditions(&pt, p, s);
    if ((st = app_coag_medications(c, patient_id, today, &s->meds, &s->n_meds, err)) != CC_OK)
        return st;
    eligibility_evaluate(p, s, today, r);
    char oldest[CC_DATE_TEXT], evaluated[CC_DATE_TEXT];
    if (r->has_oldest)
        date_format(r->oldest_date, oldest);
    date_format(today, evaluated);
    json_t *stored = json_deep_copy(work_up);
    if (!injury_given && s->has_injury) { /* what the rules saw */
        char d[CC_DATE_TEXT];
        date_format(s->injury_date, d);
        json_object_set_new(stored, "injury",
                            json_pack("{s:s, s:s, s:s}", "date", d, "level", s->injury_level,
                                      "source", "condition"));
    }
    json_object_set_new(stored, "age_years", json_integer(s->age_years));
    screening_new n = {patient_id,
                       p->id,
                       p->version,
                       dump(c->arena, stored),
                       eligibility_verdict_name(r->verdict),
                       dump(c->arena, reasons_json(r)),
                       r->has_oldest ? oldest : NULL,
                       evaluated};
    if (!n.body || !n.reasons)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    return screening_store_create(c->d, &c->actor, &n, id, err);
}

cc_status app_screening_create(const app_ctx *c, int64_t patient_id, const char *protocol_id,
                               screening *s, const json_t *work_up, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = create_in_tx(c, patient_id, protocol_id, s, work_up, id, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_screening_decide_check(const app_ctx *c, int64_t id, eligibility_verdict decision,
                                     const char *override_reason, screening_row *row,
                                     bool *override, cc_error *err)
{
    cc_status st = screening_store_get(c->d, c->arena, id, row, err);
    if (st != CC_OK)
        return st;
    eligibility_verdict computed;
    if (!eligibility_verdict_parse(row->verdict, &computed))
        return cc_fail(err, CC_INTERNAL, "verdict", "corrupt", "stored verdict is unknown");
    if ((st = eligibility_check_decision(computed, decision, override_reason, override, err)) !=
        CC_OK)
        return st;
    if (row->decision)
        return cc_fail(err, CC_CONFLICT, "decision", "already_decided",
                       "this screening already has a signed decision; record a new screening");
    return CC_OK;
}

static cc_status decide_in_tx(const app_ctx *c, int64_t id, eligibility_verdict decision,
                              const char *reason, const char *meaning, cc_error *err)
{
    screening_row row;
    bool override;
    cc_status st = app_screening_decide_check(c, id, decision, reason, &row, &override, err);
    if (st != CC_OK)
        return st;
    char standard[400];
    if (!meaning) {
        snprintf(standard, sizeof standard,
                 "I, %s, decide that this patient is %s for %s (screening %lld)%s",
                 c->actor.username, decision == ELIG_ELIGIBLE ? "eligible" : "not eligible",
                 row.protocol_id, (long long)id,
                 override ? ", overriding the exclusion rules" : "");
        meaning = standard;
    }
    return screening_store_decide(c->d, &c->actor, id, eligibility_verdict_name(decision), override,
                                  reason ? reason : "", meaning, err);
}

cc_status app_screening_decide(const app_ctx *c, int64_t id, eligibility_verdict decision,
                               const char *override_reason, const char *meaning, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = decide_in_tx(c, id, decision, override_reason, meaning, err);
    return db_tx_end(c->d, st, err);
}
