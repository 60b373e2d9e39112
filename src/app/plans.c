#include "app/plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/consents.h"
#include "app/followup.h"
#include "app/programmes.h"
#include "app/protocol_json.h"
#include "core/dose.h"
#include "core/eligibility.h"
#include "core/plan_state.h"
#include "store/bedside.h"
#include "store/screenings.h"

enum { ELIGIBILITY_MAX_DAYS = 30 };

/* Changes an error's status (and code) in place, keeping field and message. */
static cc_status recode(cc_error *err, cc_status status, const char *code)
{
    err->status = status;
    if (code)
        snprintf(err->code, sizeof err->code, "%s", code);
    return status;
}

cc_status app_newest_weight(const patient_record *pt, int *grams, cc_date *date, cc_error *err)
{
    if (pt->n_weights == 0)
        return cc_fail(err, CC_INVALID, "weight", "weight_missing",
                       "the patient has no recorded weight: weigh the patient first");
    *grams = pt->weights[0].grams;
    return date_parse(pt->weights[0].date, "weight", date, err);
}

static cc_status weight_unchanged(int newest_g, int weight_g, cc_error *err)
{
    if (newest_g == weight_g)
        return CC_OK;
    return cc_fail(err, CC_CONFLICT, "weight", "weight_changed",
                   "the patient was weighed again since this plan was drafted: draft it again");
}

cc_status app_plan_create(app_ctx *c, const plan_new *n, int weight_g, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    patient_record pt;
    int newest_g = 0;
    cc_date newest_date;
    if ((st = patient_get(c->d, c->arena, n->patient_id, true, &pt, err)) == CC_OK &&
        (st = app_newest_weight(&pt, &newest_g, &newest_date, err)) == CC_OK &&
        (st = weight_unchanged(newest_g, weight_g, err)) == CC_OK)
        st = plan_store_create(c->d, &c->actor, n, id, err);
    return db_tx_end(c->d, st, err);
}

/* Rebuilds the planner request of a stored draft. */
static cc_status stored_request(const plan_row *row, const protocol *p, planner_request *q,
                                int *weight_g, cc_error *err)
{
    json_t *r = json_loads(row->request, 0, NULL);
    if (!r)
        return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan",
                       "stored plan request does not parse");
    memset(q, 0, sizeof *q);
    q->protocol = p;
    q->count = (int)json_integer_value(json_object_get(r, "count"));
    q->per_admin = (uint64_t)json_integer_value(json_object_get(r, "per_admin"));
    q->optional_ancillary = (unsigned)json_integer_value(json_object_get(r, "optional_ancillary"));
    *weight_g = (int)json_integer_value(json_object_get(r, "weight_g"));
    cc_status st =
        protocol_product_parse(json_string_value(json_object_get(r, "product")), &q->product)
            ? date_parse(json_string_value(json_object_get(r, "earliest")), "plan", &q->earliest,
                         err)
            : cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan", "stored product unknown");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "routes"), i, v)
    {
        if (i < PROTOCOL_MAX_CYCLE && protocol_route_parse(json_string_value(v), &q->cycle[i]))
            q->n_cycle = i + 1;
    }
    json_decref(r);
    return st;
}

/* H6: a signed, current eligibility decision that allows treatment. */
static cc_status check_eligibility(app_ctx *c, const plan_row *row, cc_date today,
                                   int64_t *screening_id, cc_error *err)
{
    screening_row sc;
    eligibility_facts facts = {0};
    cc_status st =
        screening_store_latest_decided(c->d, c->arena, row->patient_id, row->protocol_id, &sc, err);
    if (st != CC_OK && st != CC_NOT_FOUND)
        return st;
    if (st == CC_OK) {
        facts.decided = true;
        facts.override = sc.override;
        eligibility_verdict_parse(sc.decision, &facts.decision);
        eligibility_verdict_parse(sc.verdict, &facts.computed);
        cc_error ignored;
        facts.has_oldest = sc.oldest_date && date_parse(sc.oldest_date, "oldest",
                                                        &facts.oldest_date, &ignored) == CC_OK;
        *screening_id = sc.id;
    }
    return eligibility_check_approval(&facts, today, ELIGIBILITY_MAX_DAYS, err);
}

/* What a child's dose confirmation names: the dose per kg and the age. */
typedef struct {
    bool needed;
    uint64_t per_kg_given;
    int age_years;
    dose_unit unit;
} child_dose;

/* H4 and H5 on the stored draft; fills pl with the plan to book and child
 * with whether the physician must confirm a child's dose. */
static cc_status check_doses_and_spacing(app_ctx *c, const plan_row *row, cc_date today, plan *pl,
                                         child_dose *child, cc_error *err)
{
    protocol *p = arena_alloc(c->arena, sizeof *p);
    if (!p)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    patient_record pt;
    planner_request q;
    int weight_g = 0, newest_g = 0;
    cc_date newest_date = 0;
    cc_status st;
    if ((st = programme_load(c->d, c->arena, row->protocol_id, row->protocol_version, p, err)) !=
            CC_OK ||
        (st = stored_request(row, p, &q, &weight_g, err)) != CC_OK ||
        (st = patient_get(c->d, c->arena, row->patient_id, true, &pt, err)) != CC_OK ||
        (st = app_newest_weight(&pt, &newest_g, &newest_date, err)) != CC_OK)
        return st;
    /* H4: the weight the doses rest on is still the newest and at most 30 days old */
    if ((st = dose_check_weight(&p->dose, newest_g, newest_date, today, err)) != CC_OK)
        return recode(err, CC_CONFLICT, NULL);
    if ((st = weight_unchanged(newest_g, weight_g, err)) != CC_OK)
        return st;
    if (!dose_within_bounds(&p->dose, q.count, q.per_admin, newest_g))
        return cc_fail(err, CC_CONFLICT, "dose", "dose_out_of_range",
                       "the planned dose is outside the protocol's bounds");
    child->age_years = programme_age_years(pt.birth_date, q.earliest);
    child->needed = dose_needs_confirmation(&p->dose, child->age_years);
    child->per_kg_given = q.per_admin * (uint64_t)q.count * 1000 / (uint64_t)newest_g;
    child->unit = p->dose.unit;
    /* H5: the stored plan still obeys every spacing rule and fits today's calendar */
    json_t *body = json_loads(row->body, 0, NULL);
    st = body ? plan_from_json(body, p, pl, err)
              : cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan", "stored plan does not parse");
    json_decref(body);
    planner_calendar cal;
    if (st != CC_OK ||
        (st = programme_calendar(c->d, c->arena, c->site_id, pl->start, &cal, err)) != CC_OK)
        return st;
    if ((st = planner_check(&q, &cal, pl, err)) != CC_OK)
        return st == CC_INVALID ? recode(err, CC_CONFLICT, NULL) : st;
    return CC_OK;
}

/* The signed meaning of a child's approval carries the confirmed dose per
 * kg and the physician's reason, so the audit entry keeps both. */
static cc_status confirm_child_dose(app_ctx *c, const child_dose *child, const char *dose_reason,
                                    const char **meaning, cc_error *err)
{
    if (!child->needed)
        return CC_OK;
    if (!dose_reason || !dose_reason[0])
        return cc_fail(err, CC_INVALID, "dose_reason", "required",
                       "a child's dose (%llu %s per kg) needs your confirmation with a reason",
                       (unsigned long long)child->per_kg_given,
                       child->unit == DOSE_CELLS ? "cells" : "microlitres");
    size_t size = strlen(*meaning) + strlen(dose_reason) + 200;
    char *text = arena_alloc(c->arena, size);
    if (!text)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    char age[32] = "unknown";
    if (child->age_years >= 0)
        snprintf(age, sizeof age, "%d", child->age_years);
    snprintf(text, size, "%s; paediatric dose of %llu %s per kg confirmed (age %s years): %s",
             *meaning, (unsigned long long)child->per_kg_given,
             child->unit == DOSE_CELLS ? "cells" : "microlitres", age, dose_reason);
    *meaning = text;
    return CC_OK;
}

cc_status app_plan_approve(app_ctx *c, int64_t id, const char *meaning, const char *dose_reason,
                           cc_date today, int *followup_visits, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    plan_row row;
    plan_state from;
    int64_t screening_id = 0;
    int redated = 0;
    child_dose child = {0};
    plan *pl = arena_alloc(c->arena, sizeof *pl);
    *followup_visits = 0;
    if (!pl)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st == CC_OK && (st = plan_store_get(c->d, c->arena, id, &row, err)) == CC_OK &&
        !plan_state_parse(row.status, &from))
        st = cc_fail(err, CC_INTERNAL, "status", "corrupt_plan", "plan %lld has an unknown status",
                     (long long)id);
    if (st == CC_OK)
        st = plan_state_apply(from, PLAN_EV_APPROVE, NULL, err);
    if (st == CC_OK)
        st = check_eligibility(c, &row, today, &screening_id, err);
    /* H15: a current (signed, not withdrawn) treatment consent for the programme */
    if (st == CC_OK)
        st = app_consent_require_treatment(c, row.patient_id, row.protocol_id, err);
    if (st == CC_OK)
        st = check_doses_and_spacing(c, &row, today, pl, &child, err);
    if (st == CC_OK && !meaning) {
        char *text = arena_alloc(c->arena, 400);
        if (text)
            snprintf(text, 400, "I, %s, approve treatment plan %lld (%s version %d) and its doses",
                     c->actor.username, (long long)id, row.protocol_id, row.protocol_version);
        meaning = text;
        if (!text)
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    }
    if (st == CC_OK)
        st = confirm_child_dose(c, &child, dose_reason, &meaning, err);
    if (st == CC_OK)
        st = plan_store_approve(c->d, &c->actor, id, screening_id, meaning, pl, err);
    /* H10: the approved plan's follow-up visits exist as soon as the approval does */
    if (st == CC_OK)
        st = app_followup_sync_plan(c, id, followup_visits, &redated, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_plan_cancel(app_ctx *c, int64_t id, const char *reason, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = plan_store_cancel(c->d, &c->actor, id, reason, err);
    return db_tx_end(c->d, st, err);
}

/* The administrations of pl already given, by index, with their day. */
static cc_status read_progress(app_ctx *c, int64_t id, const plan *pl, cc_date today,
                               planner_progress *pg, cc_error *err)
{
    int items[PROTOCOL_MAX_ADMINISTRATIONS * 2];
    cc_date days[PROTOCOL_MAX_ADMINISTRATIONS * 2];
    size_t n = 0;
    memset(pg, 0, sizeof *pg);
    pg->today = today;
    cc_status st =
        bedside_plan_given(c->d, id, items, days, sizeof items / sizeof items[0], &n, err);
    for (size_t k = 0; st == CC_OK && k < n; k++)
        for (int i = 0; i < pl->n_admins; i++)
            if (pl->admins[i].n == items[k]) {
                pg->given[i] = true;
                pg->given_on[i] = days[k];
            }
    return st;
}

static void set_date(json_t *o, const char *key, cc_date d)
{
    char t[CC_DATE_TEXT];
    date_format(d, t);
    json_object_set_new(o, key, json_string(t));
}

/* The stored body with the moved plan's dates; the quote stays as approved. */
static char *moved_body(app_ctx *c, const plan_row *row, const plan *in, const plan *out)
{
    json_t *body = json_loads(row->body, 0, NULL);
    if (!body)
        return NULL;
    set_date(body, "start", out->start);
    set_date(body, "end", out->end);
    json_object_set_new(body, "stay_days", json_integer(out->stay_days));
    json_t *admins = json_object_get(body, "administrations");
    for (int i = 0; i < out->n_admins; i++) {
        json_t *a = json_array_get(admins, (size_t)i);
        if (out->admins[i].date != in->admins[i].date && !json_object_get(a, "original_date"))
            set_date(a, "original_date", in->admins[i].date);
        set_date(a, "date", out->admins[i].date);
        json_object_set_new(a, "day", json_integer(out->admins[i].day));
    }
    json_t *anc = json_object_get(body, "ancillary");
    for (int i = 0; i < out->n_ancillary && i < (int)json_array_size(anc); i++) {
        json_t *a = json_array_get(anc, (size_t)i);
        json_object_set_new(a, "first_day", json_integer(out->ancillary[i].first_day));
        json_object_set_new(a, "last_day", json_integer(out->ancillary[i].last_day));
        json_object_set_new(a, "sessions", json_integer(out->ancillary[i].sessions));
    }
    json_t *fu = json_object_get(body, "follow_up");
    for (int i = 0; i < out->n_follow_up && i < (int)json_array_size(fu); i++) {
        json_t *v = json_array_get(fu, (size_t)i);
        set_date(v, "date", out->follow_up[i].date);
        set_date(v, "window_start", out->follow_up[i].window_start);
        set_date(v, "window_end", out->follow_up[i].window_end);
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (text)
        arena_on_release(c->arena, free, text);
    return text;
}

static cc_status move_plan(app_ctx *c, const app_plan_move *m, bool shift, int *redated,
                           cc_error *err)
{
    *redated = 0;
    if (!m->reason || !m->reason[0])
        return cc_fail(err, CC_INVALID, "reason", "required",
                       "say why the plan moves (the audit trail keeps it)");
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    plan_row row;
    plan_state state;
    protocol *p = arena_alloc(c->arena, sizeof *p);
    plan *in = arena_alloc(c->arena, sizeof *in), *out = arena_alloc(c->arena, sizeof *out);
    planner_request q;
    planner_progress pg;
    planner_calendar cal;
    int weight_g = 0, created = 0;
    if (!p || !in || !out)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st == CC_OK && (st = plan_store_get(c->d, c->arena, m->id, &row, err)) == CC_OK &&
        (!plan_state_parse(row.status, &state) || !plan_state_is_active(state)))
        st = cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                     "only an approved plan or one in progress moves (this one is %s)", row.status);
    if (st == CC_OK)
        st = programme_load(c->d, c->arena, row.protocol_id, row.protocol_version, p, err);
    if (st == CC_OK)
        st = stored_request(&row, p, &q, &weight_g, err);
    if (st == CC_OK) {
        json_t *body = json_loads(row.body, 0, NULL);
        st = body ? plan_from_json(body, p, in, err)
                  : cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan", "stored plan does not parse");
        json_decref(body);
    }
    if (st == CC_OK)
        st = read_progress(c, m->id, in, m->today, &pg, err);
    if (st == CC_OK &&
        (st = programme_calendar(c->d, c->arena, c->site_id, in->start, &cal, err)) == CC_OK)
        planner_book(&cal, in, -1); /* the plan's own slots are free for its move */
    int item = m->item;
    for (int i = 0; st == CC_OK && shift && item == 0 && i < in->n_admins; i++)
        if (!pg.given[i])
            item = in->admins[i].n;
    if (st == CC_OK && item == 0)
        st = cc_fail(err, CC_CONFLICT, "item", "move_item_given",
                     "every administration of the plan was given");
    if (st == CC_OK)
        st = shift ? planner_shift(&q, &cal, &pg, in, item, m->days, out, err)
                   : planner_move_item(&q, &cal, &pg, in, item, m->date, out, err);
    const char *body = NULL;
    if (st == CC_OK && !(body = moved_body(c, &row, in, out)))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st == CC_OK)
        st = plan_store_reschedule(c->d, &c->actor, m->id, shift ? "shift" : "move", m->reason,
                                   body, out, err);
    if (st == CC_OK)
        st = app_followup_sync_plan(c, m->id, &created, redated, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_plan_move_item(app_ctx *c, const app_plan_move *m, int *redated, cc_error *err)
{
    return move_plan(c, m, false, redated, err);
}

cc_status app_plan_shift(app_ctx *c, const app_plan_move *m, int *redated, cc_error *err)
{
    return move_plan(c, m, true, redated, err);
}
