/* Laboratory store: lookback from a donor, collection or batch to every unit
 * and every patient who received one; and from a patient to every unit and
 * donor they were exposed to, with the adverse events of those patients.
 * Reads unit_administrations, filled at the bedside. */
#include <string.h>

#include "store/lab.h"
#include "store/sql.h"

/* The batches in scope, one literal per starting point. */
#define FROM_DONOR                                                                                 \
    "SELECT bc.batch_id FROM batch_collections bc JOIN collections c ON c.id = bc.collection_id"   \
    " WHERE c.donor_id = ?"
#define FROM_COLLECTION "SELECT bc.batch_id FROM batch_collections bc WHERE bc.collection_id = ?"
#define FROM_BATCH "SELECT b0.id FROM batches b0 WHERE b0.id = ?"

#define UNITS_OF(scope)                                                                            \
    "SELECT u.id, u.din, u.din_check, u.product_code, u.product_type, u.state, u.expiry,"          \
    " u.batch_id, b.code AS batch_code, u.issued_patient_id, u.issued_ward FROM units u"           \
    " JOIN batches b ON b.id = u.batch_id WHERE u.batch_id IN (" scope ") ORDER BY u.id"

#define RECIPIENTS_OF(scope)                                                                       \
    "SELECT a.patient_id, p.mrn, p.family_name, p.given_names, a.unit_id, u.din, u.din_check,"     \
    " u.product_type, b.code AS batch_code, a.administered_on FROM unit_administrations a"         \
    " JOIN units u ON u.id = a.unit_id JOIN batches b ON b.id = u.batch_id"                        \
    " JOIN patients p ON p.id = a.patient_id WHERE u.batch_id IN (" scope ")"                      \
    " ORDER BY p.mrn, a.administered_on, a.unit_id"

/* Adverse events of every patient who received a unit in scope. */
#define EVENTS_OF(scope)                                                                           \
    "SELECT e.id, e.patient_id, e.term_code, e.term_text, e.grade, e.serious, e.onset_at,"         \
    " e.resolved_at, e.related_product, e.related_procedure, e.outcome FROM adverse_events e"      \
    " WHERE e.patient_id IN (SELECT a.patient_id FROM unit_administrations a"                      \
    " JOIN units u ON u.id = a.unit_id WHERE u.batch_id IN (" scope "))"                           \
    " ORDER BY e.patient_id, e.onset_at, e.id"

static const char *const EVENTS_SQL[] = {EVENTS_OF(FROM_DONOR), EVENTS_OF(FROM_COLLECTION),
                                         EVENTS_OF(FROM_BATCH)};
static const char *const UNITS_SQL[] = {UNITS_OF(FROM_DONOR), UNITS_OF(FROM_COLLECTION),
                                        UNITS_OF(FROM_BATCH)};
static const char *const RECIPIENTS_SQL[] = {
    RECIPIENTS_OF(FROM_DONOR), RECIPIENTS_OF(FROM_COLLECTION), RECIPIENTS_OF(FROM_BATCH)};
static const char *const EXISTS_SQL[] = {"SELECT id FROM donors WHERE id = ?",
                                         "SELECT id FROM collections WHERE id = ?",
                                         "SELECT id FROM batches WHERE id = ?"};
static const char *const NAMES[] = {"donor", "collection", "batch"};

cc_status lab_lookback_json(db *d, lab_lookback_from from, int64_t id, buf *out, cc_error *err)
{
    if ((unsigned)from > LAB_FROM_BATCH)
        return cc_fail(err, CC_INVALID, "from", "invalid_value",
                       "lookback starts from a donor, collection or batch");
    sql_arg a[] = {SQL_I(id)};
    int64_t found = 0;
    cc_status st = sql_scalar(d, EXISTS_SQL[from], a, 1, &found, err);
    if (st == CC_OK && !found)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no %s with id %lld", NAMES[from],
                       (long long)id);
    if (st != CC_OK)
        return st;
    const sql_json_list lists[] = {
        {"units", UNITS_SQL[from]},
        {"recipients", RECIPIENTS_SQL[from]},
        {"adverse_events", EVENTS_SQL[from]},
    };
    buf_printf(out, "{\"from\":\"%s\",\"id\":%lld", NAMES[from], (long long)id);
    st = sql_lists_json(d, lists, sizeof lists / sizeof lists[0], a, 1, out, err);
    buf_putc(out, '}');
    return st;
}

cc_status lab_exposure_json(db *d, int64_t patient_id, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(patient_id)};
    int64_t found = 0;
    cc_status st = sql_scalar(d, "SELECT id FROM patients WHERE id = ?", a, 1, &found, err);
    if (st == CC_OK && !found)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld",
                       (long long)patient_id);
    if (st != CC_OK)
        return st;
    static const sql_json_list lists[] = {
        {"exposures", "SELECT a.unit_id, u.din, u.din_check, u.product_type, u.state,"
                      " a.administered_on, b.id AS batch_id, b.code AS batch_code,"
                      " c.id AS collection_id, c.source, dn.id AS donor_id, dn.code AS donor_code,"
                      " dn.kind AS donor_kind FROM unit_administrations a"
                      " JOIN units u ON u.id = a.unit_id JOIN batches b ON b.id = u.batch_id"
                      " JOIN batch_collections bc ON bc.batch_id = b.id"
                      " JOIN collections c ON c.id = bc.collection_id"
                      " JOIN donors dn ON dn.id = c.donor_id WHERE a.patient_id = ?"
                      " ORDER BY a.administered_on, a.unit_id, dn.id"},
        {"issued_not_administered",
         "SELECT u.id AS unit_id, u.din, u.din_check, u.product_type, u.state,"
         " u.issued_ward FROM units u WHERE u.issued_patient_id = ?"
         " AND u.state = 'issued' ORDER BY u.id"},
        {"adverse_events", "SELECT id, term_code, term_text, grade, serious, onset_at, resolved_at,"
                           " related_product, related_procedure, outcome FROM adverse_events"
                           " WHERE patient_id = ? ORDER BY onset_at, id"},
    };
    buf_printf(out, "{\"patient_id\":%lld", (long long)patient_id);
    st = sql_lists_json(d, lists, sizeof lists / sizeof lists[0], a, 1, out, err);
    buf_putc(out, '}');
    return st;
}
