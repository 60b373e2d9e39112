#include "app/adverse.h"

#include <string.h>

#include "core/adverse.h"
#include "core/date.h"
#include "store/clock.h"

enum { CLOCK_SKEW_SECONDS = 300, VIEW_MAX = 8 << 20 };

/* The instants of an event in order and not in the future; *aware is the
 * given awareness, or default_aware when none is given. */
static cc_status check_instants(const adverse_event_fields *f, int64_t now, int64_t default_aware,
                                int64_t *aware, cc_error *err)
{
    int64_t onset = 0, resolved = 0;
    cc_status st = instant_parse(f->onset_at, "onset_at", &onset, err);
    if (st == CC_OK && onset > now + CLOCK_SKEW_SECONDS)
        st = cc_fail(err, CC_INVALID, "onset_at", "in_future", "onset_at is in the future");
    if (st == CC_OK && f->resolved_at &&
        (st = instant_parse(f->resolved_at, "resolved_at", &resolved, err)) == CC_OK &&
        (resolved < onset || resolved > now + CLOCK_SKEW_SECONDS))
        st = cc_fail(err, CC_INVALID, "resolved_at", "out_of_range",
                     "resolved_at is between the onset and now");
    *aware = default_aware;
    if (st == CC_OK && f->aware_at &&
        (st = instant_parse(f->aware_at, "aware_at", aware, err)) == CC_OK &&
        (*aware < onset || *aware > now + CLOCK_SKEW_SECONDS))
        st = cc_fail(err, CC_INVALID, "aware_at", "out_of_range",
                     "aware_at is between the onset and now");
    return st;
}

static cc_status check_term(const adverse_event_fields *f, cc_error *err)
{
    const adverse_term *term = NULL;
    if (strcmp(f->term_source, ADVERSE_SOURCE) == 0) {
        term = adverse_term_find(f->term_code);
        if (!term)
            return cc_fail(err, CC_INVALID, "term", "unknown_term",
                           "unknown term: see /api/v1/adverse-events/terms");
        if (term->needs_text && (!f->term_text || !*f->term_text))
            return cc_fail(err, CC_INVALID, "term_text", "required",
                           "\"other\" needs term_text (specify)");
    } else if (strcmp(f->term_source, "site") != 0) {
        return cc_fail(err, CC_INVALID, "term_source", "invalid_value", "term_source is %s or site",
                       ADVERSE_SOURCE);
    } else if (!f->term_text || !*f->term_text) {
        return cc_fail(err, CC_INVALID, "term_text", "required", "a site term needs its text");
    }
    return adverse_check_grade(term, f->grade, err);
}

static cc_status check_codes(const adverse_event_fields *f, cc_error *err)
{
    static const char RELATEDNESS[] =
        "relatedness: unrelated, unlikely, possible, probable, definite";
    if (!adverse_relatedness_is_valid(f->related_product))
        return cc_fail(err, CC_INVALID, "related_product", "invalid_value", RELATEDNESS);
    if (!adverse_relatedness_is_valid(f->related_procedure))
        return cc_fail(err, CC_INVALID, "related_procedure", "invalid_value", RELATEDNESS);
    if (!adverse_expectedness_is_valid(f->expectedness))
        return cc_fail(err, CC_INVALID, "expectedness", "invalid_value",
                       "expectedness: expected or unexpected");
    if (f->action && !adverse_action_is_valid(f->action))
        return cc_fail(err, CC_INVALID, "action", "invalid_value",
                       "action: none, interrupted, slowed, stopped, treated, other");
    if (f->outcome && !adverse_outcome_is_valid(f->outcome))
        return cc_fail(err, CC_INVALID, "outcome", "invalid_value",
                       "outcome: recovering, recovered, recovered_with_sequelae, not_recovered, "
                       "fatal, unknown");
    if (f->grade == 5 && !(f->seriousness & AE_DEATH))
        return cc_fail(err, CC_INVALID, "seriousness", "death_not_marked",
                       "a grade 5 event is serious: death");
    if (f->outcome && strcmp(f->outcome, "fatal") == 0 && !(f->seriousness & AE_DEATH))
        return cc_fail(err, CC_INVALID, "seriousness", "death_not_marked",
                       "a fatal outcome is serious: death");
    return CC_OK;
}

/* The deadlines of an event the clinic learned of at `aware`, by the rules
 * stored now (read inside the caller's transaction). */
static cc_status deadlines_of(const app_ctx *c, const adverse_event_fields *f, int64_t aware,
                              adverse_deadline out[ADVERSE_DEADLINES_MAX], size_t *n, cc_error *err)
{
    vitals_limits limits;
    adverse_rules rules;
    cc_status st = bedside_settings_load(c->d, &limits, &rules, err);
    if (st != CC_OK)
        return st;
    adverse_facts facts = {f->seriousness, strcmp(f->expectedness, "unexpected") == 0,
                           f->related_product, f->related_procedure, aware};
    *n = adverse_deadlines(&facts, &rules, out);
    return CC_OK;
}

cc_status app_adverse_report(const app_ctx *c, const adverse_event_fields *given, int64_t *id,
                             cc_error *err)
{
    adverse_event_fields f = *given;
    int64_t now = store_now_seconds(), aware;
    char aware_text[CC_INSTANT_TEXT];
    cc_status st = check_term(&f, err);
    if (st == CC_OK)
        st = check_instants(&f, now, now, &aware, err);
    if (st == CC_OK)
        st = check_codes(&f, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    if (!f.aware_at) { /* the clinic learns of it when it is recorded */
        instant_format(aware, aware_text);
        f.aware_at = aware_text;
    }
    adverse_deadline deadlines[ADVERSE_DEADLINES_MAX];
    size_t n = 0;
    if ((st = deadlines_of(c, &f, aware, deadlines, &n, err)) == CC_OK)
        st = adverse_event_create(c->d, &c->actor, &f, deadlines, n, id, err);
    return db_tx_end(c->d, st, err);
}

static cc_status update_in_tx(const app_ctx *c, int64_t id, adverse_event_fields *f,
                              const app_adverse_change *change, cc_error *err)
{
    adverse_event_head h;
    int64_t now = store_now_seconds(), stored_aware = 0, aware;
    cc_status st = adverse_event_head_get(c->d, id, &h, err);
    if (st != CC_OK)
        return st;
    instant_parse(h.aware_at, NULL, &stored_aware, NULL);
    if ((st = check_term(f, err)) != CC_OK ||
        (st = check_instants(f, now, stored_aware, &aware, err)) != CC_OK ||
        (st = check_codes(f, err)) != CC_OK)
        return st;
    if (f->patient_id != h.patient_id)
        return cc_fail(err, CC_INVALID, "patient_id", "immutable",
                       "an event stays with its patient");
    if (!change->has_version)
        return cc_fail(err, CC_INVALID, "version", "version_required", "send If-Match or version");
    if (!f->aware_at) /* awareness never moves after the first report */
        f->aware_at = h.aware_at;
    adverse_deadline deadlines[ADVERSE_DEADLINES_MAX];
    size_t n = 0;
    if ((st = deadlines_of(c, f, aware, deadlines, &n, err)) != CC_OK)
        return st;
    return adverse_event_update(c->d, &c->actor, id, change->version, f, deadlines, n,
                                change->reason, err);
}

cc_status app_adverse_update(const app_ctx *c, int64_t id, const adverse_event_fields *given,
                             const app_adverse_change *change, cc_error *err)
{
    adverse_event_fields f = *given;
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    st = update_in_tx(c, id, &f, change, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_adverse_require(const app_ctx *c, int64_t id, cc_error *err)
{
    adverse_event_head h;
    return adverse_event_head_get(c->d, id, &h, err);
}

cc_status app_adverse_assess(const app_ctx *c, int64_t id, const char *meaning, cc_error *err)
{
    adverse_event_head h;
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    if ((st = adverse_event_head_get(c->d, id, &h, err)) == CC_OK)
        st = adverse_event_assess(c->d, &c->actor, id,
                                  meaning && *meaning
                                      ? meaning
                                      : "I have assessed this adverse event: grade, seriousness, "
                                        "relatedness and expectedness as recorded",
                                  err);
    return db_tx_end(c->d, st, err);
}

cc_status app_adverse_mark_reported(const app_ctx *c, int64_t id, const char *kind,
                                    const char *reported_at, const char *reference, cc_error *err)
{
    adverse_report_kind k;
    if (!adverse_report_kind_parse(kind, &k))
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind: initial, expedited, followup, biovigilance_notification or "
                       "biovigilance_conclusion");
    int64_t now = store_now_seconds(), at = now;
    cc_status st = CC_OK;
    if (reported_at && (st = instant_parse(reported_at, "reported_at", &at, err)) == CC_OK &&
        at > now + CLOCK_SKEW_SECONDS)
        st = cc_fail(err, CC_INVALID, "reported_at", "in_future", "reported_at is in the future");
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    char when[CC_INSTANT_TEXT];
    instant_format(at, when);
    st = adverse_event_report(c->d, &c->actor, id, adverse_report_kind_name(k), when, reference,
                              err);
    return db_tx_end(c->d, st, err);
}

cc_status app_adverse_view(const app_ctx *c, int64_t id, json_t **view, cc_error *err)
{
    *view = NULL;
    buf b;
    buf_init(&b, VIEW_MAX);
    vitals_limits limits;
    adverse_rules rules;
    cc_status st = adverse_event_json(c->d, id, &b, err);
    if (st == CC_OK)
        st = bedside_settings_load(c->d, &limits, &rules, err);
    json_t *v = st == CC_OK ? json_loads(b.data, 0, NULL) : NULL;
    buf_release(&b);
    if (st != CC_OK)
        return st;
    if (!v)
        return cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the record");
    int64_t now = store_now_seconds();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(v, "deadlines"), i, d)
    {
        int64_t due = 0, reported = 0;
        instant_parse(json_string_value(json_object_get(d, "due_at")), NULL, &due, NULL);
        const char *r = json_string_value(json_object_get(d, "reported_at"));
        if (r)
            instant_parse(r, NULL, &reported, NULL);
        json_object_set_new(d, "status",
                            json_string(adverse_deadline_status_name(
                                adverse_deadline_state(due, reported, now, &rules))));
    }
    json_t *event = json_object_get(v, "adverse_event");
    json_t *criteria = json_array();
    unsigned bits = (unsigned)json_integer_value(json_object_get(event, "seriousness"));
    for (unsigned bit = 1; bit < AE_SERIOUSNESS_ALL; bit <<= 1)
        if (bits & bit)
            json_array_append_new(criteria, json_string(adverse_seriousness_name(bit)));
    json_object_set_new(event, "seriousness", criteria);
    *view = v;
    return CC_OK;
}

cc_status app_adverse_deadlines_view(const app_ctx *c, json_t **view, cc_error *err)
{
    *view = NULL;
    vitals_limits limits;
    adverse_rules rules;
    buf b;
    buf_init(&b, VIEW_MAX);
    cc_status st = bedside_settings_load(c->d, &limits, &rules, err);
    if (st == CC_OK)
        st = adverse_deadlines_open_json(c->d, c->site_id, &b, err);
    json_t *rows = st == CC_OK ? json_loads(b.data, 0, NULL) : NULL;
    buf_release(&b);
    if (st != CC_OK)
        return st;
    if (!rows)
        return cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the deadlines");
    int64_t now = store_now_seconds();
    size_t i, overdue = 0, soon = 0;
    json_t *d;
    json_array_foreach(rows, i, d)
    {
        int64_t due = 0;
        instant_parse(json_string_value(json_object_get(d, "due_at")), NULL, &due, NULL);
        adverse_deadline_status s = adverse_deadline_state(due, 0, now, &rules);
        overdue += s == AE_DL_OVERDUE;
        soon += s == AE_DL_DUE_SOON;
        json_object_set_new(d, "status", json_string(adverse_deadline_status_name(s)));
    }
    char now_text[CC_INSTANT_TEXT];
    instant_format(now, now_text);
    *view = json_pack("{s:s, s:I, s:I, s:o}", "now", now_text, "overdue", (json_int_t)overdue,
                      "due_soon", (json_int_t)soon, "deadlines", rows);
    return *view ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the deadlines");
}
