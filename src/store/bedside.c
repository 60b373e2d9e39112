/* Bedside store: administrations and their units, vital signs, observation
 * tasks, bedside settings. */
#include "store/bedside.h"

#include <stdio.h>
#include <string.h>

#include "store/lab.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char ADM_IMAGE[] =
    "SELECT id, patient_id, plan_id, plan_item, plan_ref, planned_date, route, site, product_type,"
    " dose_unit, prescribed_amount, actual_amount, weight_grams, weight_date, status, started_at,"
    " ended_at, operator_id, operator, second_verifier_id, second_verifier, second_verified_at,"
    " override_reason, operators, premedication, notes, created_at, updated_at, version"
    " FROM administrations WHERE id = ?";

typedef struct {
    bedside_unit_row *row;
    bool volume_dose;
} unit_read;

static cc_status read_unit(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    unit_read *in = ctx;
    bedside_unit_row *row = in->row;
    bedside_unit *u = &row->u;
    u->found = true;
    u->unit_id = db_col_int(s, 0);
    snprintf(u->din_data, sizeof u->din_data, "%s", db_col_text(s, 1));
    snprintf(u->product_code, sizeof u->product_code, "%s", db_col_text(s, 2));
    u->division = (int)db_col_int(s, 3);
    if (!unit_state_parse(db_col_text(s, 4), &u->state))
        u->found = false;
    if (date_parse(db_col_text(s, 5), "expiry", &u->expiry, NULL) != CC_OK)
        u->found = false;
    snprintf(row->product_type, sizeof row->product_type, "%s", db_col_text(s, 6));
    row->volume_ml = db_col_double(s, 8);
    u->amount =
        in->volume_dose ? (uint64_t)(row->volume_ml * 1000.0 + 0.5) : (uint64_t)db_col_int(s, 7);
    u->owner_patient_id = db_col_int(s, 9);
    u->reserved_patient_id = db_col_int(s, 10);
    u->issued_patient_id = db_col_int(s, 11);
    snprintf(row->reserved_for, sizeof row->reserved_for, "%s", db_col_text(s, 12));
    snprintf(row->ward, sizeof row->ward, "%s", db_col_text(s, 13));
    row->version = db_col_int(s, 14);
    /* H14: a thaw time that does not read back counts as no thaw (refused) */
    u->frozen = db_col_int(s, 15) != 0;
    u->thawed = !db_col_is_null(s, 16) &&
                instant_parse(db_col_text(s, 16), "thawed_at", &u->thawed_at, NULL) == CC_OK;
    u->viability_tenths = (int)db_col_int(s, 17);
    u->post_thaw_hours = db_col_is_null(s, 18) ? 0 : (int)db_col_int(s, 18);
    u->min_viability_tenths = db_col_is_null(s, 19) ? -1 : (int)db_col_int(s, 19);
    u->volume_ml = row->volume_ml;
    u->has_endotoxin = !db_col_is_null(s, 20);
    u->endotoxin_eu_ml = u->has_endotoxin ? db_col_double(s, 20) : 0;
    return CC_OK;
}

cc_status bedside_find_unit(db *d, int64_t site_id, const char *din_data, bool volume_dose,
                            bedside_unit_row *row, cc_error *err)
{
    memset(row, 0, sizeof *row);
    row->u.product_type = row->product_type;
    row->u.reserved_for = row->reserved_for;
    unit_read in = {row, volume_dose};
    sql_arg args[] = {SQL_S(din_data), SQL_I(site_id), SQL_I(site_id)};
    return sql_each(d,
                    "SELECT u.id, u.din, u.product_code, u.division, u.state, u.expiry,"
                    " u.product_type, u.cells, u.volume_ml, u.owner_patient_id,"
                    " u.reserved_patient_id, u.issued_patient_id, u.reserved_for, u.issued_ward,"
                    " u.version, f.id IS NOT NULL, t.thawed_at, t.viability_tenths,"
                    " c.post_thaw_hours, c.min_viability_tenths,"
                    " (SELECT q.value FROM qc_results q WHERE q.batch_id = u.batch_id"
                    "  AND q.test = 'endotoxin' AND q.pending = 0 AND q.value IS NOT NULL"
                    "  ORDER BY q.id DESC LIMIT 1) FROM units u"
                    " LEFT JOIN unit_freezings f ON f.unit_id = u.id"
                    " LEFT JOIN unit_thaws t ON t.unit_id = u.id"
                    " LEFT JOIN cryo_settings c ON c.product_type = u.product_type"
                    " WHERE u.din = ? AND (u.site_id = ? OR u.shipped_to_site_id = ?)",
                    args, 3, read_unit, &in, NULL, err);
}

static cc_status copy_text(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    snprintf(ctx, 24, "%s", db_col_text(row, 0));
    return CC_OK;
}

cc_status bedside_last_lp(db *d, int64_t patient_id, int64_t *at, cc_error *err)
{
    *at = 0;
    char text[24] = "";
    sql_arg args[] = {SQL_I(patient_id)};
    cc_status st = sql_each(d,
                            "SELECT MAX(started_at) FROM administrations WHERE patient_id = ?"
                            " AND route = 'intrathecal'",
                            args, 1, copy_text, text, NULL, err);
    if (st != CC_OK)
        return st;
    if (*text && instant_parse(text, "started_at", at, err) != CC_OK)
        return cc_fail(err, CC_INTERNAL, "started_at", "corrupt_record",
                       "a stored start time is unreadable");
    return CC_OK;
}

cc_status bedside_item_record(db *d, const char *plan_ref, int64_t *id, cc_error *err)
{
    sql_arg a[] = {SQL_S(plan_ref)};
    return sql_scalar(d, "SELECT id FROM administrations WHERE plan_ref = ?", a, 1, id, err);
}

cc_status bedside_plan_given_count(db *d, int64_t plan_id, int64_t *n, cc_error *err)
{
    sql_arg a[] = {SQL_I(plan_id)};
    return sql_scalar(d, "SELECT COUNT(*) FROM administrations WHERE plan_id = ?", a, 1, n, err);
}

cc_status administration_create(db *d, const store_actor *actor, const administration_new *n,
                                cc_date today, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t given = 0;
    st = bedside_item_record(d, n->plan_ref, &given, err);
    if (st == CC_OK && given)
        st = cc_fail(err, CC_CONFLICT, "plan_item", "item_already_given",
                     "this planned administration is already recorded (administration %lld)",
                     (long long)given);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(n->patient_id),
                   SQL_I(n->plan_id),
                   SQL_I(n->plan_item),
                   SQL_S(n->plan_ref),
                   SQL_S(n->planned_date),
                   SQL_S(n->route),
                   SQL_S(n->site ? n->site : ""),
                   SQL_S(n->product_type),
                   SQL_S(n->dose_unit),
                   SQL_I((int64_t)n->prescribed),
                   SQL_I((int64_t)n->actual),
                   SQL_I(n->weight_g),
                   SQL_S(n->weight_date),
                   SQL_S(n->started_at),
                   SQL_I(n->operator_id),
                   SQL_S(n->operator_name),
                   SQL_ID(n->second_id),
                   SQL_S(n->second_name ? n->second_name : ""),
                   n->second_id ? SQL_S(now) : SQL_N,
                   SQL_S(n->override_reason ? n->override_reason : ""),
                   SQL_S(n->operators ? n->operators : ""),
                   SQL_S(n->premedication ? n->premedication : ""),
                   SQL_S(n->notes ? n->notes : ""),
                   SQL_S(now),
                   SQL_S(now),
                   SQL_I(n->patient_id)};
    /* an administration belongs to its patient's site */
    if (st == CC_OK)
        st = sql_run(
            d,
            "INSERT INTO administrations (patient_id, plan_id, plan_item, plan_ref, planned_date,"
            " route, site, product_type, dose_unit, prescribed_amount, actual_amount, weight_grams,"
            " weight_date, status, started_at, operator_id, operator, second_verifier_id,"
            " second_verifier, second_verified_at, override_reason, operators, premedication,"
            " notes, created_at, updated_at, version, site_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1,"
            " (SELECT site_id FROM patients WHERE id = ?)) RETURNING id",
            a, N(a), id, err);
    char day[CC_DATE_TEXT];
    date_format(today, day);
    for (size_t i = 0; st == CC_OK && i < n->n_units; i++) {
        const bedside_unit_row *u = &n->units[i];
        sql_arg l[] = {SQL_I(*id), SQL_I(u->u.unit_id), SQL_I((int64_t)u->u.amount)};
        st = sql_run(d,
                     "INSERT INTO administration_units (administration_id, unit_id, amount) VALUES "
                     "(?, ?, ?)",
                     l, N(l), NULL, err);
        if (st == CC_CONFLICT)
            st = cc_fail(err, CC_CONFLICT, "units", "unit_already_administered",
                         "unit %lld is already part of an administration", (long long)u->u.unit_id);
        if (st == CC_OK)
            st = lab_unit_administer_in_tx(d, actor, u->u.unit_id, u->version, n->patient_id, day,
                                           today, err);
    }
    if (st == CC_OK)
        st = audit_log_change(d, actor, "administer", "administration", *id, ADM_IMAGE, NULL,
                              n->override_reason && *n->override_reason ? n->override_reason : NULL,
                              err);
    return db_tx_end(d, st, err);
}

typedef struct {
    int64_t *patient_id;
    char *route, *status;
} head_read;

static cc_status read_head(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    head_read *h = ctx;
    *h->patient_id = db_col_int(row, 0);
    snprintf(h->route, 16, "%s", db_col_text(row, 1));
    snprintf(h->status, 16, "%s", db_col_text(row, 2));
    return CC_OK;
}

cc_status administration_head(db *d, int64_t id, int64_t *patient_id, char route[16],
                              char status[16], cc_error *err)
{
    head_read h = {patient_id, route, status};
    sql_arg args[] = {SQL_I(id)};
    cc_status st =
        sql_first(d, "SELECT patient_id, route, status FROM administrations WHERE id = ?", args, 1,
                  read_head, &h, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no administration with id %lld",
                       (long long)id);
    return st;
}

cc_status administration_complete(db *d, const store_actor *actor, int64_t id, const char *ended_at,
                                  const char *premedication, const char *notes,
                                  const char *operators, const obs_task *tasks, size_t n_tasks,
                                  cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t patient_id = 0;
    char route[16], status[16];
    st = administration_head(d, id, &patient_id, route, status, err);
    if (st == CC_OK && strcmp(status, "in_progress") != 0)
        st = cc_fail(err, CC_CONFLICT, "status", "wrong_state", "the administration is already %s",
                     status);
    buf before;
    buf_init(&before, 1 << 14);
    if (st == CC_OK)
        st = audit_row_json(d, ADM_IMAGE, id, &before, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(ended_at),
                   SQL_I(premedication ? 1 : 0),
                   SQL_S(premedication ? premedication : ""),
                   SQL_I(notes ? 1 : 0),
                   SQL_S(notes ? notes : ""),
                   SQL_I(operators ? 1 : 0),
                   SQL_S(operators ? operators : ""),
                   SQL_S(now),
                   SQL_I(id)};
    if (st == CC_OK)
        st = sql_run(d,
                     "UPDATE administrations SET status = 'completed', ended_at = ?,"
                     " premedication = CASE WHEN ? = 1 THEN ? ELSE premedication END,"
                     " notes = CASE WHEN ? = 1 THEN ? ELSE notes END,"
                     " operators = CASE WHEN ? = 1 THEN ? ELSE operators END,"
                     " updated_at = ?, version = version + 1 WHERE id = ?",
                     a, N(a), NULL, err);
    for (size_t i = 0; st == CC_OK && i < n_tasks; i++) {
        char due[21];
        instant_format(tasks[i].due_at, due);
        sql_arg t[] = {SQL_I(id), SQL_I(patient_id), SQL_S(obs_kind_name(tasks[i].kind)),
                       SQL_S(due)};
        st = sql_run(d,
                     "INSERT INTO observation_tasks (administration_id, patient_id, kind, due_at)"
                     " VALUES (?, ?, ?, ?)",
                     t, N(t), NULL, err);
    }
    if (st == CC_OK)
        st = audit_log_change(d, actor, "complete", "administration", id, ADM_IMAGE, before.data,
                              NULL, err);
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status administration_json(db *d, int64_t id, buf *out, cc_error *err)
{
    static const sql_json_list lists[] = {
        {"units", "SELECT u.id, u.din, u.din_check, u.product_code, u.division, u.product_type,"
                  " b.code AS batch_code, au.amount FROM administration_units au"
                  " JOIN units u ON u.id = au.unit_id JOIN batches b ON b.id = u.batch_id"
                  " WHERE au.administration_id = ? ORDER BY u.id"},
        {"vitals", "SELECT id, phase, taken_at, systolic, diastolic, heart_rate, spo2,"
                   " temperature_dc, respiratory_rate, abnormal_json, recorded_by FROM vital_signs"
                   " WHERE administration_id = ? ORDER BY taken_at, id"},
        {"tasks", "SELECT id, kind, due_at, done_at, done_by, note FROM observation_tasks"
                  " WHERE administration_id = ? ORDER BY due_at, id"},
        {"adverse_events",
         "SELECT DISTINCT e.id, e.term_code, e.term_text, e.grade, e.serious, e.onset_at"
         " FROM adverse_event_links l JOIN adverse_events e ON e.id = l.adverse_event_id"
         " WHERE l.administration_id = ? ORDER BY e.id"},
    };
    cc_status st = sql_record_view(d, id, "administration",
                                   "SELECT a.*, p.mrn AS patient_mrn, p.family_name, p.given_names"
                                   " FROM administrations a JOIN patients p"
                                   " ON p.id = a.patient_id WHERE a.id = ?",
                                   lists, N(lists), out, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no administration with id %lld",
                       (long long)id);
    return st;
}

cc_status administration_list_json(db *d, int64_t site_id, int64_t patient_id, int64_t page,
                                   int64_t per_page, buf *out, int64_t *total, cc_error *err)
{
    sql_arg a[] = {SQL_I(patient_id), SQL_I(patient_id), SQL_I(site_id), SQL_I(per_page),
                   SQL_I((page - 1) * per_page)};
    cc_status st = sql_scalar(d,
                              "SELECT COUNT(*) FROM administrations WHERE (? = 0 OR patient_id = ?)"
                              " AND site_id = ?",
                              a, 3, total, err);
    if (st == CC_OK)
        st = sql_rows_json(
            d,
            "SELECT a.id, a.patient_id, p.mrn AS patient_mrn, p.family_name, p.given_names,"
            " a.plan_id, a.plan_item, a.planned_date, a.route, a.product_type, a.dose_unit,"
            " a.actual_amount, a.status, a.started_at, a.ended_at, a.operator, a.second_verifier"
            " FROM administrations a JOIN patients p ON p.id = a.patient_id"
            " WHERE (? = 0 OR a.patient_id = ?) AND a.site_id = ?"
            " ORDER BY a.started_at DESC, a.id DESC"
            " LIMIT ? OFFSET ?",
            a, N(a), false, out, err);
    return st;
}

typedef struct {
    int *items;
    cc_date *days;
    size_t max, n;
} given_rows;

static cc_status read_given(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    given_rows *g = ctx;
    cc_error ignored;
    const char *started = db_col_text(row, 1);
    char day[CC_DATE_TEXT] = "";
    if (started && strlen(started) >= 10)
        memcpy(day, started, 10);
    if (g->n >= g->max || date_parse(day, "started_at", &g->days[g->n], &ignored) != CC_OK)
        return CC_OK;
    g->items[g->n++] = (int)db_col_int(row, 0);
    return CC_OK;
}

cc_status bedside_plan_given(db *d, int64_t plan_id, int *items, cc_date *days, size_t max,
                             size_t *n, cc_error *err)
{
    given_rows g = {items, days, max, 0};
    sql_arg args[] = {SQL_I(plan_id)};
    cc_status st =
        sql_each(d, "SELECT plan_item, started_at FROM administrations WHERE plan_id = ?", args, 1,
                 read_given, &g, NULL, err);
    *n = g.n;
    return st;
}

static cc_status write_ref(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    buf *out = ctx;
    if (out->data[out->len - 1] != '{')
        buf_putc(out, ',');
    buf_json_string(out, db_col_text(row, 0));
    buf_printf(out, ":{\"id\":%lld,\"status\":", (long long)db_col_int(row, 1));
    buf_json_string(out, db_col_text(row, 2));
    buf_putc(out, '}');
    return CC_OK;
}

cc_status administration_refs_json(db *d, int64_t plan_id, buf *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(plan_id)};
    buf_putc(out, '{');
    cc_status st = sql_each(d, "SELECT plan_ref, id, status FROM administrations WHERE plan_id = ?",
                            args, 1, write_ref, out, NULL, err);
    buf_putc(out, '}');
    return st;
}

cc_status vitals_store_add(db *d, const store_actor *actor, int64_t administration_id,
                           int64_t patient_id, const char *phase, const char *taken_at,
                           const vitals *v, const char *abnormal_json, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_ID(administration_id),
                   SQL_I(patient_id),
                   SQL_S(phase),
                   SQL_S(taken_at),
                   v->has_systolic ? SQL_I(v->systolic) : SQL_N,
                   v->has_diastolic ? SQL_I(v->diastolic) : SQL_N,
                   v->has_heart_rate ? SQL_I(v->heart_rate) : SQL_N,
                   v->has_spo2 ? SQL_I(v->spo2) : SQL_N,
                   v->has_temperature ? SQL_I(v->temperature_dc) : SQL_N,
                   v->has_respiratory_rate ? SQL_I(v->respiratory_rate) : SQL_N,
                   SQL_S(abnormal_json),
                   SQL_S(actor->username),
                   SQL_S(now)};
    st = sql_run(d,
                 "INSERT INTO vital_signs (administration_id, patient_id, phase, taken_at, "
                 "systolic, diastolic,"
                 " heart_rate, spo2, temperature_dc, respiratory_rate, abnormal_json, recorded_by, "
                 "recorded_at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 a, N(a), id, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, "create", "vital_signs", *id,
                              "SELECT * FROM vital_signs WHERE id = ?", NULL, NULL, err);
    return db_tx_end(d, st, err);
}

cc_status vitals_baseline_systolic(db *d, int64_t patient_id, int64_t administration_id,
                                   const char *taken_at, bool *has, int *systolic, cc_error *err)
{
    char day[24];
    snprintf(day, sizeof day, "%.10sT00:00:00Z", taken_at);
    sql_arg a[] = {SQL_I(patient_id), SQL_S(day), SQL_I(administration_id)};
    int64_t value = -1;
    cc_status st = sql_scalar(
        d,
        "SELECT COALESCE("
        " (SELECT systolic FROM vital_signs WHERE patient_id = ? AND systolic IS NOT NULL"
        "  AND taken_at < ? ORDER BY taken_at DESC, id DESC LIMIT 1),"
        " (SELECT systolic FROM vital_signs WHERE administration_id = ? AND phase = 'before'"
        "  AND systolic IS NOT NULL ORDER BY taken_at, id LIMIT 1), -1)",
        a, N(a), &value, err);
    *has = st == CC_OK && value > 0;
    *systolic = *has ? (int)value : 0;
    return st;
}

cc_status observation_task_done(db *d, const store_actor *actor, int64_t administration_id,
                                int64_t task_id, const char *note, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    static const char IMAGE[] = "SELECT * FROM observation_tasks WHERE id = ?";
    int64_t found = 0, done = 0;
    sql_arg k[] = {SQL_I(task_id), SQL_I(administration_id)};
    st = sql_scalar(d, "SELECT id FROM observation_tasks WHERE id = ? AND administration_id = ?", k,
                    2, &found, err);
    if (st == CC_OK && !found)
        st = cc_fail(err, CC_NOT_FOUND, "task", "not_found", "no task %lld on this administration",
                     (long long)task_id);
    if (st == CC_OK)
        st = sql_scalar(
            d, "SELECT COUNT(*) FROM observation_tasks WHERE id = ? AND done_at IS NOT NULL", k, 1,
            &done, err);
    if (st == CC_OK && done)
        st = cc_fail(err, CC_CONFLICT, "task", "already_done", "this task is already done");
    buf before;
    buf_init(&before, 4096);
    if (st == CC_OK)
        st = audit_row_json(d, IMAGE, task_id, &before, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(now), SQL_S(actor->username), SQL_S(note ? note : ""), SQL_I(task_id)};
    if (st == CC_OK)
        st = sql_run(d,
                     "UPDATE observation_tasks SET done_at = ?, done_by = ?, note = ? WHERE id = ?",
                     a, N(a), NULL, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, "done", "observation_task", task_id, IMAGE, before.data,
                              NULL, err);
    buf_release(&before);
    return db_tx_end(d, st, err);
}

cc_status observation_tasks_open_json(db *d, int64_t site_id, const char *until, buf *out,
                                      cc_error *err)
{
    sql_arg a[] = {SQL_S(until), SQL_I(site_id)};
    return sql_rows_json(
        d,
        "SELECT t.id, t.administration_id, t.patient_id, p.mrn AS patient_mrn, p.family_name,"
        " p.given_names, p.synthetic, t.kind, t.due_at, a.route, a.plan_id FROM observation_tasks t"
        " JOIN patients p ON p.id = t.patient_id"
        " JOIN administrations a ON a.id = t.administration_id"
        " WHERE t.done_at IS NULL AND t.due_at < ? AND p.site_id = ?"
        " ORDER BY t.due_at, t.id LIMIT 1000",
        a, 2, false, out, err);
}

/* ---- settings: one integer per name ---- */

typedef struct {
    vitals_limits *limits;
    adverse_rules *rules;
} settings_read;

static cc_status read_setting(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    settings_read *in = ctx;
    vitals_limits *limits = in->limits;
    adverse_rules *rules = in->rules;
    const char *name = db_col_text(row, 0);
    int value = (int)db_col_int(row, 1);
#define LOAD(obj, f)                                                                               \
    if (strcmp(name, #f) == 0)                                                                     \
        obj->f = value;
    BEDSIDE_SETTINGS(LOAD)
#undef LOAD
    return CC_OK;
}

cc_status bedside_settings_load(db *d, vitals_limits *limits, adverse_rules *rules, cc_error *err)
{
    vitals_default_limits(limits);
    adverse_default_rules(rules);
    settings_read in = {limits, rules};
    return sql_each(d, "SELECT name, value FROM bedside_settings", NULL, 0, read_setting, &in, NULL,
                    err);
}

cc_status bedside_settings_save(db *d, const store_actor *actor, const vitals_limits *limits,
                                const adverse_rules *rules, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf after;
    buf_init(&after, 4096);
    buf_putc(&after, '{');
    int n = 0;
#define SAVE(obj, f)                                                                               \
    if (st == CC_OK) {                                                                             \
        sql_arg a[] = {SQL_S(#f), SQL_I(obj->f), SQL_I(obj->f)};                                   \
        st = sql_run(d,                                                                            \
                     "INSERT INTO bedside_settings (name, value) VALUES (?, ?)"                    \
                     " ON CONFLICT (name) DO UPDATE SET value = ?",                                \
                     a, N(a), NULL, err);                                                          \
        buf_printf(&after, "%s\"%s\":%d", n++ ? "," : "", #f, obj->f);                             \
    }
    BEDSIDE_SETTINGS(SAVE)
#undef SAVE
    buf_putc(&after, '}');
    audit_change ch = {
        "update", "bedside_settings", 0, NULL, buf_failed(&after) ? "{}" : after.data, NULL};
    if (st == CC_OK)
        st = audit_append(d, actor, &ch, err);
    buf_release(&after);
    return db_tx_end(d, st, err);
}

cc_status bedside_units_for_ref_json(db *d, const char *plan_ref, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_S(plan_ref)};
    return sql_rows_json(
        d,
        "SELECT id, din, din_check, product_code, division, state, expiry, issued_ward"
        " FROM units WHERE reserved_for = ? ORDER BY id",
        a, 1, false, out, err);
}

static cc_status read_ward(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    char *ward = ctx;
    snprintf(ward, BEDSIDE_WARD_MAX, "%s", db_col_text(row, 0));
    return CC_OK;
}

cc_status bedside_plan_ward(db *d, int64_t plan_id, char ward[BEDSIDE_WARD_MAX], cc_error *err)
{
    char like[48];
    snprintf(like, sizeof like, "plan:%lld:%%", (long long)plan_id);
    sql_arg a[] = {SQL_S(like)};
    ward[0] = '\0';
    cc_status st = sql_first(d,
                             "SELECT issued_ward FROM units WHERE reserved_for LIKE ? ESCAPE '\\'"
                             " AND issued_ward <> '' ORDER BY updated_at DESC, id DESC",
                             a, 1, read_ward, ward, err);
    return st == CC_NOT_FOUND ? CC_OK : st;
}

/* A ward is a demonstration ward when every unit issued to it went to a
 * synthetic patient. */
#define WARD_SYNTHETIC "MIN(COALESCE(p.synthetic, 0))"
#define WARD_UNITS                                                                                 \
    " FROM units u LEFT JOIN patients p ON p.id = u.issued_patient_id WHERE u.site_id = ?"         \
    " AND u.issued_ward <> ''"

cc_status bedside_wards_json(db *d, int64_t site_id, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(site_id)};
    return sql_rows_json(d,
                         "SELECT u.issued_ward AS ward, " WARD_SYNTHETIC " AS synthetic" WARD_UNITS
                         " GROUP BY u.issued_ward ORDER BY u.issued_ward LIMIT 200",
                         a, 1, false, out, err);
}

cc_status bedside_ward_synthetic(db *d, int64_t site_id, const char *ward, bool *synthetic,
                                 cc_error *err)
{
    sql_arg a[] = {SQL_I(site_id), SQL_S(ward)};
    int64_t v = 0;
    cc_status st =
        sql_scalar(d, "SELECT " WARD_SYNTHETIC WARD_UNITS " AND u.issued_ward = ?", a, 2, &v, err);
    *synthetic = st == CC_OK && v == 1;
    return st;
}
