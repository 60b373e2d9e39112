#include "medications.h"

#include <stdio.h>
#include <string.h>

#include "store/sql.h"

static const audit_entity MEDICATION = {
    "patient_medication", "SELECT id, patient_id, name, class, dose, start_date, stop_date,"
                          " recorded_at FROM patient_medications WHERE id = ?"};
static const audit_entity ALLERGY = {"patient_allergy",
                                     "SELECT id, patient_id, substance, reaction, severity,"
                                     " recorded_at FROM patient_allergies WHERE id = ?"};

static cc_status require_patient(db *d, int64_t id, cc_error *err)
{
    return sql_require_id(d, "SELECT id FROM patients WHERE id = ?", id, "id", "patient", err);
}

cc_status medication_add_in_tx(db *d, const store_actor *actor, int64_t patient_id,
                               const char *name, const char *cls, const char *dose,
                               const char *start_date, int64_t *id, cc_error *err)
{
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    cc_status st = require_patient(d, patient_id, err);
    sql_arg args[] = {SQL_I(patient_id),       SQL_S(name),       SQL_S(cls),
                      SQL_S(dose ? dose : ""), SQL_S(start_date), SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &MEDICATION,
                          "INSERT INTO patient_medications (patient_id, name, class, dose,"
                          " start_date, recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          args, SQL_COUNT(args), NULL, id, err);
    return st;
}

static cc_status read_stop(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    *(bool *)ctx = !db_col_is_null(row, 0);
    return CC_OK;
}

cc_status medication_stop_in_tx(db *d, const store_actor *actor, int64_t patient_id,
                                int64_t medication_id, const char *stop_date, cc_error *err)
{
    bool stopped = false;
    sql_arg key[] = {SQL_I(medication_id), SQL_I(patient_id)};
    cc_status st = require_patient(d, patient_id, err);
    if (st == CC_OK)
        st = sql_first(d,
                       "SELECT stop_date FROM patient_medications WHERE id = ? AND patient_id = ?",
                       key, 2, read_stop, &stopped, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "medication_id", "not_found",
                       "patient %lld has no medication %lld", (long long)patient_id,
                       (long long)medication_id);
    if (st == CC_OK && stopped)
        return cc_fail(err, CC_CONFLICT, "medication_id", "already_stopped",
                       "this medication is already stopped");
    sql_arg args[] = {SQL_S(stop_date), SQL_I(medication_id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &MEDICATION, "stop", medication_id,
                          "UPDATE patient_medications SET stop_date = ? WHERE id = ?", args,
                          SQL_COUNT(args), NULL, err);
    return st;
}

static bool read_medication(arena *a, db_stmt *row, void *item)
{
    medication_row *m = item;
    m->id = db_col_int(row, 0);
    m->name = sql_col_dup(a, row, 1);
    m->cls = sql_col_dup(a, row, 2);
    m->dose = sql_col_dup(a, row, 3);
    m->start_date = sql_col_dup(a, row, 4);
    m->stop_date = sql_col_dup(a, row, 5);
    return m->name && m->cls && m->dose && m->start_date;
}

cc_status medication_list(db *d, arena *a, int64_t patient_id, medication_row **rows, size_t *n,
                          cc_error *err)
{
    return sql_fill(d, a,
                    "SELECT id, name, class, dose, start_date, stop_date FROM patient_medications"
                    " WHERE patient_id = ? ORDER BY id LIMIT 500",
                    (sql_arg[]){SQL_I(patient_id)}, 1, read_medication, sizeof **rows, 500,
                    (void **)rows, n, err);
}

cc_status allergy_add_in_tx(db *d, const store_actor *actor, int64_t patient_id,
                            const char *substance, const char *reaction, const char *severity,
                            int64_t *id, cc_error *err)
{
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    cc_status st = require_patient(d, patient_id, err);
    sql_arg args[] = {SQL_I(patient_id), SQL_S(substance), SQL_S(reaction ? reaction : ""),
                      SQL_S(severity), SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &ALLERGY,
                          "INSERT INTO patient_allergies (patient_id, substance, reaction,"
                          " severity, recorded_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                          args, SQL_COUNT(args), NULL, id, err);
    return st;
}
