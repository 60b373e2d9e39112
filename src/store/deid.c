#include "deid.h"

#include <string.h>

#include "core/adverse.h"
#include "store/sql.h"

/* Only patients with a current research consent leave the clinic (H15's
 * consent records), of the sites pooled: the parameters are the sites' ids
 * as ",1,3," twice ("" twice: every site). */
#define IN_SITES(col) "(? = '' OR ? LIKE '%,' || CAST(" col " AS TEXT) || ',%')"
#define RESEARCH                                                                                   \
    "(SELECT r.patient_id FROM research_consented r JOIN patients s ON s.id = r.patient_id"        \
    " WHERE " IN_SITES("s.site_id") ")"

static const struct {
    const char *name, *sql;
} TABLES[] = {
    {"patients", "SELECT id AS patient_id, sex, birth_date, synthetic FROM patients"
                 " WHERE id IN " RESEARCH " ORDER BY id"},
    {"plans",
     "SELECT id AS plan_id, patient_id, protocol_id, protocol_version, status, start_date, end_date"
     " FROM plans WHERE status <> 'draft' AND patient_id IN " RESEARCH " ORDER BY id"},
    {"visits",
     "SELECT id AS visit_id, plan_id, patient_id, protocol_id, label, months, target_date,"
     " window_start, window_end, status, died_on, failed_contacts FROM followup_visits"
     " WHERE patient_id IN " RESEARCH " ORDER BY id"},
    {"observations",
     "SELECT id AS observation_id, patient_id, instrument, instrument_version, observed_on,"
     " source, scores AS scores_json FROM observations WHERE patient_id IN " RESEARCH
     " ORDER BY id"},
    {"administrations",
     "SELECT id AS administration_id, patient_id, plan_id, plan_item, planned_date, route,"
     " product_type, dose_unit, prescribed_amount, actual_amount, status, started_at"
     " FROM administrations WHERE patient_id IN " RESEARCH " ORDER BY id"},
    {"adverse_events",
     "SELECT id AS adverse_event_id, patient_id, term_source,"
     " CASE WHEN term_source = '" ADVERSE_SOURCE "' THEN term_code ELSE '' END AS term_code,"
     " grade, onset_at,"
     " resolved_at, serious, seriousness, related_product, related_procedure, expectedness,"
     " action, outcome FROM adverse_events WHERE patient_id IN " RESEARCH " ORDER BY id"},
};

cc_status deid_store_rows(db *d, const char *sites, const char *name, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_S(sites ? sites : ""), SQL_S(sites ? sites : "")};
    for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++)
        if (strcmp(TABLES[i].name, name) == 0)
            return sql_rows_json(d, TABLES[i].sql, a, 2, false, out, err);
    return cc_fail(err, CC_INVALID, "table", "unknown_table", "no export table %.40s", name);
}

cc_status deid_store_left_out(db *d, const char *sites, int64_t *n, cc_error *err)
{
    const char *s = sites ? sites : "";
    sql_arg a[] = {SQL_S(s), SQL_S(s), SQL_S(s), SQL_S(s)};
    return sql_scalar(
        d, "SELECT COUNT(*) FROM patients WHERE " IN_SITES("site_id") " AND id NOT IN " RESEARCH, a,
        4, n, err);
}
