#include "followup.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan_state.h"
#include "store/clinic_settings.h"
#include "store/sql.h"

static const char VISIT_IMAGE[] =
    "SELECT id, plan_id, patient_id, protocol_id, seq, label, months, target_date, window_start,"
    " window_end, instruments, status, reason, died_on, cause, failed_contacts, resolved_at,"
    " resolved_by, version FROM followup_visits WHERE id = ?";
static const char LINK_IMAGE[] =
    "SELECT id, visit_id, patient_id, instrument, language, expires_at, used_at, observation_id,"
    " created_at, created_by FROM questionnaire_links WHERE id = ?";
static const audit_entity FOLLOWUP_VISIT = {"followup_visit", VISIT_IMAGE};
static const audit_entity QUESTIONNAIRE_LINK = {"questionnaire_link", LINK_IMAGE};
/* A draft's entries show the answers saved so far. */
static const audit_entity QUESTIONNAIRE_DRAFT = {
    "questionnaire_link",
    "SELECT id, visit_id, patient_id, instrument, draft FROM questionnaire_links WHERE id = ?"};
/* The actor of what a patient does through a link: never the token. */
static const store_actor PATIENT_VIA_LINK = {0, "patient via link"};

static cc_status no_visit(cc_error *err, int64_t id)
{
    return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no follow-up visit with id %lld",
                   (long long)id);
}

typedef struct {
    int64_t patient_id;
    char status[16], protocol_id[40];
} plan_head;

static cc_status read_plan_head(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    plan_head *p = ctx;
    p->patient_id = db_col_int(row, 0);
    snprintf(p->status, sizeof p->status, "%s", db_col_text(row, 1));
    snprintf(p->protocol_id, sizeof p->protocol_id, "%s", db_col_text(row, 2));
    return CC_OK;
}

void followup_visit_args(int64_t plan_id, int64_t patient_id, const char *protocol_id, int64_t seq,
                         const followup_spec *f, sql_arg out[FOLLOWUP_VISIT_ARGS])
{
    sql_arg args[FOLLOWUP_VISIT_ARGS] = {SQL_I(plan_id),        SQL_I(patient_id),
                                         SQL_S(protocol_id),    SQL_I(seq),
                                         SQL_S(f->label),       SQL_I(f->months),
                                         SQL_S(f->target_date), SQL_S(f->window_start),
                                         SQL_S(f->window_end),  SQL_S(f->instruments_json)};
    memcpy(out, args, sizeof args);
}

/* Whether a plan in this state has follow-up visits (approved and not cancelled). */
static bool plan_has_followup(const char *status)
{
    plan_state state;
    return plan_state_parse(status, &state) && plan_state_has_followup(state);
}

/* Creates the visit of one spec, or moves its dates when they changed and it
 * is still scheduled; counts what it did. */
static cc_status sync_visit(db *d, const store_actor *actor, int64_t plan_id, const plan_head *plan,
                            int seq, const followup_spec *f, const char *now, int *created,
                            int *redated, cc_error *err)
{
    int64_t id = 0, changed = 0;
    sql_arg find[] = {SQL_I(plan_id), SQL_S(f->label)};
    cc_status st = sql_scalar(d, "SELECT id FROM followup_visits WHERE plan_id = ? AND label = ?",
                              find, SQL_COUNT(find), &id, err);
    if (st == CC_OK && id == 0) {
        sql_arg ins[FOLLOWUP_VISIT_ARGS + 2];
        followup_visit_args(plan_id, plan->patient_id, plan->protocol_id, seq, f, ins);
        ins[FOLLOWUP_VISIT_ARGS] = ins[FOLLOWUP_VISIT_ARGS + 1] = SQL_S(now);
        st = audit_create(d, actor, &FOLLOWUP_VISIT,
                          "INSERT INTO followup_visits (" FOLLOWUP_VISIT_COLUMNS ", created_at,"
                          " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
                          " RETURNING id",
                          ins, SQL_COUNT(ins), NULL, NULL, err);
        *created += st == CC_OK;
        return st;
    }
    sql_arg cmp[] = {SQL_I(id), SQL_S(f->target_date), SQL_S(f->window_start),
                     SQL_S(f->window_end)};
    if (st == CC_OK)
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM followup_visits WHERE id = ? AND status = 'scheduled'"
                        " AND (target_date <> ? OR window_start <> ? OR window_end <> ?)",
                        cmp, SQL_COUNT(cmp), &changed, err);
    if (st != CC_OK || !changed)
        return st;
    sql_arg upd[] = {SQL_S(f->target_date), SQL_S(f->window_start), SQL_S(f->window_end),
                     SQL_S(now), SQL_I(id)};
    st = audit_update(d, actor, &FOLLOWUP_VISIT, "redate", id,
                      "UPDATE followup_visits SET target_date = ?,"
                      " window_start = ?, window_end = ?,"
                      " updated_at = ?, version = version + 1"
                      " WHERE id = ?",
                      upd, SQL_COUNT(upd), "plan dates changed", err);
    *redated += st == CC_OK;
    return st;
}

cc_status followup_store_sync(db *d, const store_actor *actor, int64_t plan_id,
                              const followup_spec *specs, int n, int *created, int *redated,
                              cc_error *err)
{
    *created = *redated = 0;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    plan_head plan = {0, "", ""};
    st = sql_first(d, "SELECT patient_id, status, protocol_id FROM plans WHERE id = ?",
                   (sql_arg[]){SQL_I(plan_id)}, 1, read_plan_head, &plan, err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no plan with id %lld",
                     (long long)plan_id);
    else if (st == CC_OK && !plan_has_followup(plan.status))
        st = cc_fail(err, CC_CONFLICT, "status", "wrong_state",
                     "follow-up visits come from an approved plan (this one is %s)", plan.status);
    char now[21];
    store_now_text(now);
    for (int i = 0; i < n && st == CC_OK; i++)
        st = sync_visit(d, actor, plan_id, &plan, i + 1, &specs[i], now, created, redated, err);
    return db_tx_end(d, st, err);
}

#define VISIT_COLUMNS                                                                              \
    "v.id, v.plan_id, v.patient_id, v.protocol_id, v.seq, v.label, v.months, v.target_date,"       \
    " v.window_start, v.window_end, v.instruments AS instruments_json, v.status, v.reason,"        \
    " v.died_on, v.cause, v.failed_contacts, v.resolved_at, v.resolved_by, v.version,"             \
    " p.mrn, p.family_name, p.given_names, p.phone, p.email, p.language, p.synthetic"

cc_status followup_store_list(db *d, int64_t site_id, bool open_only, const char *until,
                              int64_t patient_id, buf *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(site_id), SQL_I(open_only),  SQL_S(until),
                      SQL_S(until),   SQL_I(patient_id), SQL_I(patient_id)};
    return sql_rows_json(d,
                         "SELECT " VISIT_COLUMNS " FROM followup_visits v JOIN patients p ON"
                         " p.id = v.patient_id WHERE p.site_id = ?"
                         " AND (? = 0 OR v.status = 'scheduled')"
                         " AND (? IS NULL OR v.window_start <= ?) AND (? = 0 OR v.patient_id = ?)"
                         " ORDER BY v.window_start, v.id",
                         args, SQL_COUNT(args), false, out, err);
}

/* The lists of a visit's JSON: its contacts, links and the observations of
 * its window or answered from its links (a patient may answer early). */
static const sql_json_list VISIT_LISTS[] = {
    {"contacts", "SELECT id, channel, outcome, note, contacted_at, contacted_by FROM"
                 " followup_contacts WHERE visit_id = ? ORDER BY id"},
    {"links", "SELECT id, instrument, language, expires_at, used_at, observation_id,"
              " created_at, created_by FROM questionnaire_links WHERE visit_id = ?"
              " ORDER BY id"},
    {"observations", "SELECT o.id, o.instrument, o.instrument_version AS version, o.observed_on"
                     " AS date, o.source, o.answers AS answers_json, o.scores AS scores_json FROM"
                     " observations o JOIN"
                     " followup_visits v ON v.patient_id = o.patient_id WHERE v.id = ? AND"
                     " ((o.observed_on >= v.window_start AND o.observed_on <= v.window_end) OR"
                     " o.id IN (SELECT l.observation_id FROM questionnaire_links l"
                     " WHERE l.visit_id = v.id))"
                     " ORDER BY o.observed_on, o.id"},
};

cc_status followup_store_get_json(db *d, int64_t id, buf *out, cc_error *err)
{
    sql_arg one[] = {SQL_I(id)};
    int64_t exists = 0;
    cc_status st =
        sql_scalar(d, "SELECT COUNT(*) FROM followup_visits WHERE id = ?", one, 1, &exists, err);
    if (st != CC_OK)
        return st;
    if (!exists)
        return no_visit(err, id);
    buf_puts(out, "{\"visit\":");
    if ((st = sql_rows_json(d,
                            "SELECT " VISIT_COLUMNS " FROM followup_visits v JOIN patients p ON"
                            " p.id = v.patient_id WHERE v.id = ?",
                            one, 1, true, out, err)) != CC_OK)
        return st;
    if ((st = sql_lists_json(d, VISIT_LISTS, sizeof VISIT_LISTS / sizeof VISIT_LISTS[0], one, 1,
                             out, err)) != CC_OK)
        return st;
    buf_putc(out, '}');
    return CC_OK;
}

static cc_status read_brief(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    followup_visit_brief *out = ctx;
    out->id = db_col_int(s, 0);
    out->plan_id = db_col_int(s, 1);
    out->patient_id = db_col_int(s, 2);
    if (!followup_status_parse(db_col_text(s, 3), &out->status))
        out->status = FU_SCHEDULED;
    snprintf(out->window_start, sizeof out->window_start, "%s", db_col_text(s, 4));
    snprintf(out->window_end, sizeof out->window_end, "%s", db_col_text(s, 5));
    snprintf(out->language, sizeof out->language, "%s", db_col_text(s, 6));
    out->failed_contacts = (int)db_col_int(s, 7);
    return CC_OK;
}

cc_status followup_store_brief(db *d, int64_t id, followup_visit_brief *out, cc_error *err)
{
    cc_status st = sql_first(d,
                             "SELECT v.id, v.plan_id, v.patient_id, v.status, v.window_start,"
                             " v.window_end, p.language, v.failed_contacts FROM followup_visits v"
                             " JOIN patients p ON p.id = v.patient_id WHERE v.id = ?",
                             (sql_arg[]){SQL_I(id)}, 1, read_brief, out, err);
    return st == CC_NOT_FOUND ? no_visit(err, id) : st;
}

/* Sets one scheduled visit's resolution with its audit entry; CC_CONFLICT
 * when it is no longer scheduled. */
static cc_status resolve_one(db *d, const store_actor *actor, int64_t id,
                             const followup_store_resolution *r, const char *now, cc_error *err)
{
    int64_t scheduled = 0;
    cc_status st =
        sql_scalar(d, "SELECT COUNT(*) FROM followup_visits WHERE id = ? AND status = 'scheduled'",
                   (sql_arg[]){SQL_I(id)}, 1, &scheduled, err);
    if (st == CC_OK && !scheduled)
        st = cc_fail(err, CC_CONFLICT, "status", "already_resolved",
                     "this visit is already resolved");
    if (st != CC_OK)
        return st;
    const char *reason = r->reason ? r->reason : "";
    sql_arg upd[] = {SQL_S(followup_status_name(r->to)),
                     SQL_S(reason),
                     r->died_on && *r->died_on ? SQL_S(r->died_on) : SQL_N,
                     SQL_S(r->cause ? r->cause : ""),
                     SQL_S(now),
                     SQL_S(actor->username),
                     SQL_S(now),
                     SQL_I(id)};
    return audit_update(d, actor, &FOLLOWUP_VISIT, followup_status_name(r->to), id,
                        "UPDATE followup_visits SET status = ?,"
                        " reason = ?, died_on = ?, cause = ?,"
                        " resolved_at = ?, resolved_by = ?,"
                        " updated_at = ?, version = version + 1"
                        " WHERE id = ? AND status = 'scheduled'",
                        upd, SQL_COUNT(upd), reason, err);
}

typedef struct {
    int64_t ids[64];
    int n;
} id_list;

static cc_status keep_id(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    id_list *l = ctx;
    if (l->n < 64)
        l->ids[l->n++] = db_col_int(row, 0);
    return CC_OK;
}

cc_status followup_store_resolve(db *d, const store_actor *actor, int64_t id,
                                 const followup_store_resolution *r, int *closed, cc_error *err)
{
    *closed = 0;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    st = resolve_one(d, actor, id, r, now, err);
    if (st == CC_OK && followup_closes_later(r->to)) {
        id_list later = {.n = 0};
        st = sql_each(d,
                      "SELECT l.id FROM followup_visits l JOIN followup_visits v ON"
                      " v.plan_id = l.plan_id WHERE v.id = ? AND l.seq > v.seq AND"
                      " l.status = 'scheduled' ORDER BY l.seq",
                      (sql_arg[]){SQL_I(id)}, 1, keep_id, &later, NULL, err);
        followup_store_resolution rl = *r;
        char why[200];
        snprintf(why, sizeof why, "closed with visit %lld (%s)", (long long)id,
                 followup_status_name(r->to));
        if (r->to == FU_WITHDRAWN)
            rl.reason = why;
        for (int i = 0; i < later.n && st == CC_OK; i++, (*closed)++)
            st = resolve_one(d, actor, later.ids[i], &rl, now, err);
    }
    return db_tx_end(d, st, err);
}

cc_status followup_store_contact(db *d, const store_actor *actor, int64_t id, const char *channel,
                                 const char *outcome, const char *note, bool failed,
                                 bool *became_lost, cc_error *err)
{
    *became_lost = false;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    int64_t scheduled = 0, failed_n = 0, contact_id = 0;
    int threshold = FOLLOWUP_LOST_DEFAULT;
    sql_arg one[] = {SQL_I(id)};
    if ((st = sql_scalar(
             d, "SELECT COUNT(*) FROM followup_visits WHERE id = ? AND status = 'scheduled'", one,
             1, &scheduled, err)) != CC_OK)
        goto out;
    if (!scheduled) {
        int64_t exists = 0;
        if ((st = sql_scalar(d, "SELECT COUNT(*) FROM followup_visits WHERE id = ?", one, 1,
                             &exists, err)) == CC_OK)
            st = exists ? cc_fail(err, CC_CONFLICT, "status", "already_resolved",
                                  "contact attempts are for scheduled visits")
                        : no_visit(err, id);
        goto out;
    }
    sql_arg ins[] = {SQL_I(id),  SQL_S(channel),        SQL_S(outcome), SQL_S(note ? note : ""),
                     SQL_S(now), SQL_S(actor->username)};
    if ((st = sql_run(
             d,
             "INSERT INTO followup_contacts (visit_id, channel, outcome, note, contacted_at,"
             " contacted_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
             ins, SQL_COUNT(ins), &contact_id, err)) != CC_OK)
        goto out;
    char reason[160];
    snprintf(reason, sizeof reason, "contact %lld: %s by %s", (long long)contact_id, outcome,
             channel);
    sql_arg upd[] = {SQL_I(failed ? 1 : 0), SQL_S(now), SQL_I(id)};
    if ((st = audit_update(d, actor, &FOLLOWUP_VISIT, "contact", id,
                           "UPDATE followup_visits SET"
                           " failed_contacts = failed_contacts + ?,"
                           " updated_at = ?, version = version + 1"
                           " WHERE id = ?",
                           upd, SQL_COUNT(upd), reason, err)) != CC_OK)
        goto out;
    if ((st = sql_scalar(d, "SELECT failed_contacts FROM followup_visits WHERE id = ?", one, 1,
                         &failed_n, err)) != CC_OK ||
        (st = followup_store_lost_threshold(d, &threshold, err)) != CC_OK)
        goto out;
    if (failed && followup_lost_after((int)failed_n, threshold)) {
        char why[160];
        snprintf(why, sizeof why, "%lld failed contact attempts (threshold %d)",
                 (long long)failed_n, threshold);
        followup_store_resolution r = {FU_LOST, why, NULL, NULL};
        if ((st = resolve_one(d, actor, id, &r, now, err)) == CC_OK)
            *became_lost = true;
    }
out:
    return db_tx_end(d, st, err);
}

static const char LOST_SETTING[] = "followup_lost_after_failed_contacts";

cc_status followup_store_lost_threshold(db *d, int *out, cc_error *err)
{
    return clinic_setting_get(d, LOST_SETTING, FOLLOWUP_LOST_DEFAULT, 1, INT_MAX, out, err);
}

cc_status followup_store_set_lost_threshold(db *d, const store_actor *actor, int value,
                                            cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = clinic_setting_set(d, actor, LOST_SETTING, FOLLOWUP_LOST_DEFAULT, value, err);
    return db_tx_end(d, st, err);
}

/* ---- questionnaire links ---- */

void questionnaire_token_hash(const char *token, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

void questionnaire_token_new(char out[48])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 48, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

cc_status questionnaire_store_create(db *d, const store_actor *actor, int64_t visit_id,
                                     int64_t patient_id, const char *instrument,
                                     const char *language, const char *token_hash,
                                     const char *expires_at, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    sql_arg ins[] = {SQL_S(token_hash), SQL_I(visit_id),       SQL_I(patient_id),
                     SQL_S(instrument), SQL_S(language),       SQL_S(expires_at),
                     SQL_S(now),        SQL_S(actor->username)};
    st = audit_create(d, actor, &QUESTIONNAIRE_LINK,
                      "INSERT INTO questionnaire_links (token_hash,"
                      " visit_id, patient_id, instrument, language,"
                      " expires_at, created_at, created_by)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      ins, SQL_COUNT(ins), NULL, id, err);
    return db_tx_end(d, st, err);
}

static cc_status read_link(void *ctx, db_stmt *s, cc_error *err)
{
    questionnaire_link *out = ctx;
    out->id = db_col_int(s, 0);
    out->visit_id = db_col_int(s, 1);
    out->patient_id = db_col_int(s, 2);
    snprintf(out->instrument, sizeof out->instrument, "%s", db_col_text(s, 3));
    snprintf(out->language, sizeof out->language, "%s", db_col_text(s, 4));
    snprintf(out->expires_at, sizeof out->expires_at, "%s", db_col_text(s, 5));
    out->used = db_col_int(s, 6) != 0;
    out->observation_id = db_col_is_null(s, 7) ? 0 : db_col_int(s, 7);
    out->draft = strdup(db_col_text(s, 8));
    snprintf(out->window_end, sizeof out->window_end, "%s", db_col_text(s, 9));
    snprintf(out->visit_status, sizeof out->visit_status, "%s", db_col_text(s, 10));
    snprintf(out->visit_label, sizeof out->visit_label, "%s", db_col_text(s, 11));
    return out->draft ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

cc_status questionnaire_store_find(db *d, const char *token_hash, questionnaire_link *out,
                                   cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = sql_first(d,
                             "SELECT l.id, l.visit_id, l.patient_id, l.instrument, l.language,"
                             " l.expires_at, l.used_at IS NOT NULL, l.observation_id, l.draft,"
                             " v.window_end, v.status, v.label FROM questionnaire_links l JOIN"
                             " followup_visits v ON v.id = l.visit_id WHERE l.token_hash = ?",
                             (sql_arg[]){SQL_S(token_hash)}, 1, read_link, out, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "token", "unknown_link",
                       "this questionnaire link is not valid; ask the clinic for a new one");
    return st;
}

void questionnaire_link_release(questionnaire_link *l)
{
    free(l->draft);
    l->draft = NULL;
}

cc_status questionnaire_store_save_draft(db *d, int64_t id, const char *draft_json, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t used = 0;
    st = sql_scalar(d,
                    "SELECT COUNT(*) FROM questionnaire_links WHERE id = ? AND used_at IS NOT NULL",
                    (sql_arg[]){SQL_I(id)}, 1, &used, err);
    if (st == CC_OK && used)
        st = cc_fail(err, CC_CONFLICT, "token", "link_used",
                     "this questionnaire was already submitted");
    sql_arg a[] = {SQL_S(draft_json), SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, &PATIENT_VIA_LINK, &QUESTIONNAIRE_DRAFT, "save_draft", id,
                          "UPDATE questionnaire_links SET draft = ? WHERE id = ?", a, 2, NULL, err);
    return db_tx_end(d, st, err);
}

cc_status questionnaire_store_submit(db *d, int64_t id, const observation_fields *obs,
                                     int64_t *observation_id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    const store_actor patient = PATIENT_VIA_LINK;
    int64_t patient_id = 0, used = 1;
    sql_arg one[] = {SQL_I(id)};
    if ((st = sql_scalar(d, "SELECT patient_id FROM questionnaire_links WHERE id = ?", one, 1,
                         &patient_id, err)) != CC_OK ||
        (st = sql_scalar(
             d, "SELECT COUNT(*) FROM questionnaire_links WHERE id = ? AND used_at IS NOT NULL",
             one, 1, &used, err)) != CC_OK)
        return db_tx_end(d, st, err);
    if (used)
        return db_tx_end(d,
                         cc_fail(err, CC_CONFLICT, "token", "link_used",
                                 "this questionnaire was already submitted; thank you"),
                         err);
    observation_fields f = *obs;
    f.source = "patient";
    st = observation_insert(d, patient_id, 0, &f, observation_id, err);
    if (st == CC_OK)
        st =
            audit_log_change(d, &patient, "create", "observation", *observation_id,
                             "SELECT id, patient_id, instrument, instrument_version, observed_on,"
                             " source, answers, scores, recorded_at FROM observations WHERE id = ?",
                             NULL, "answered through a questionnaire link", err);
    sql_arg upd[] = {SQL_S(now), SQL_I(*observation_id), SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, &patient, &QUESTIONNAIRE_LINK, "submit", id,
                          "UPDATE questionnaire_links SET used_at = ?,"
                          " observation_id = ?, draft = '{}'"
                          " WHERE id = ?",
                          upd, SQL_COUNT(upd), NULL, err);
    return db_tx_end(d, st, err);
}
