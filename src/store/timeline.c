#include "store/timeline.h"

#include <stdio.h>

#include "store/sql.h"

/* One row per event, every part bound to the one patient (?1). json() keeps
 * a nested value JSON through the UNION's subqueries. */
static const char EVENTS[] =
    "SELECT at, kind, id, detail_json FROM ("
    " SELECT s.evaluated_on AS at, 0 AS ord, 'screening' AS kind, s.id AS id,"
    "  json_object('protocol', s.protocol_id, 'verdict', s.verdict, 'decision', s.decision)"
    "  AS detail_json FROM screenings s WHERE s.patient_id = ?1"
    " UNION ALL"
    " SELECT COALESCE(p.approved_at, p.created_at), 1, 'plan', p.id, json_object('protocol', "
    "p.protocol_id, 'status',"
    "  p.status, 'start', p.start_date, 'end', p.end_date) FROM plans p WHERE p.patient_id = ?1"
    " UNION ALL"
    " SELECT a.started_at, 2, 'administration', a.id, json_object('planned_date', a.planned_date,"
    "  'route', a.route, 'product_type', a.product_type, 'status', a.status, 'units',"
    "  json(COALESCE((SELECT json_group_array(json_object('din', u.din, 'din_check', u.din_check,"
    "  'product_code', u.product_code)) FROM administration_units au JOIN units u"
    "  ON u.id = au.unit_id WHERE au.administration_id = a.id), '[]')))"
    "  FROM administrations a WHERE a.patient_id = ?1"
    " UNION ALL"
    " SELECT v.taken_at, 3, 'vitals', v.id, json_object('administration_id', v.administration_id,"
    "  'phase', v.phase, 'systolic', v.systolic, 'diastolic', v.diastolic, 'heart_rate',"
    "  v.heart_rate, 'spo2', v.spo2, 'temperature_dc', v.temperature_dc, 'respiratory_rate',"
    "  v.respiratory_rate, 'abnormal', json(v.abnormal_json)) FROM vital_signs v"
    "  WHERE v.patient_id = ?1"
    " UNION ALL"
    " SELECT e.onset_at, 4, 'adverse_event', e.id, json_object('term_code', e.term_code,"
    "  'term_text', e.term_text, 'grade', e.grade, 'serious', e.serious, 'resolved_at',"
    "  e.resolved_at) FROM adverse_events e WHERE e.patient_id = ?1"
    " UNION ALL"
    " SELECT o.observed_on, 5, 'observation', o.id, json_object('instrument', o.instrument,"
    "  'source', o.source, 'scores', json(o.scores), 'visit_id', COALESCE((SELECT l.visit_id"
    "  FROM questionnaire_links l WHERE l.observation_id = o.id), (SELECT f.id FROM"
    "  followup_visits f WHERE f.patient_id = o.patient_id AND o.observed_on >= f.window_start"
    "  AND o.observed_on <= f.window_end ORDER BY f.id LIMIT 1))) FROM observations o"
    "  WHERE o.patient_id = ?1"
    " UNION ALL"
    " SELECT f.target_date, 6, 'visit', f.id, json_object('label', f.label, 'status', f.status,"
    "  'protocol', f.protocol_id) FROM followup_visits f WHERE f.patient_id = ?1"
    ") ORDER BY substr(at, 1, 10), ord, at, id";

/* The same rows in PostgreSQL's JSON functions; its UNION needs the
 * subquery named. */
static const char EVENTS_POSTGRESQL[] =
    "SELECT at, kind, id, detail_json FROM ("
    " SELECT s.evaluated_on AS at, 0 AS ord, 'screening' AS kind, s.id AS id,"
    "  json_build_object('protocol', s.protocol_id, 'verdict', s.verdict, 'decision', s.decision)"
    "  AS detail_json FROM screenings s WHERE s.patient_id = ?1"
    " UNION ALL"
    " SELECT COALESCE(p.approved_at, p.created_at), 1, 'plan', p.id, json_build_object('protocol', "
    "p.protocol_id, 'status',"
    "  p.status, 'start', p.start_date, 'end', p.end_date) FROM plans p WHERE p.patient_id = ?1"
    " UNION ALL"
    " SELECT a.started_at, 2, 'administration', a.id, json_build_object('planned_date', "
    "a.planned_date,"
    "  'route', a.route, 'product_type', a.product_type, 'status', a.status, 'units',"
    "  COALESCE((SELECT json_agg(json_build_object('din', u.din, 'din_check', u.din_check,"
    "  'product_code', u.product_code)) FROM administration_units au JOIN units u"
    "  ON u.id = au.unit_id WHERE au.administration_id = a.id), '[]'::json))"
    "  FROM administrations a WHERE a.patient_id = ?1"
    " UNION ALL"
    " SELECT v.taken_at, 3, 'vitals', v.id, json_build_object('administration_id', "
    "v.administration_id,"
    "  'phase', v.phase, 'systolic', v.systolic, 'diastolic', v.diastolic, 'heart_rate',"
    "  v.heart_rate, 'spo2', v.spo2, 'temperature_dc', v.temperature_dc, 'respiratory_rate',"
    "  v.respiratory_rate, 'abnormal', v.abnormal_json::json) FROM vital_signs v"
    "  WHERE v.patient_id = ?1"
    " UNION ALL"
    " SELECT e.onset_at, 4, 'adverse_event', e.id, json_build_object('term_code', e.term_code,"
    "  'term_text', e.term_text, 'grade', e.grade, 'serious', e.serious, 'resolved_at',"
    "  e.resolved_at) FROM adverse_events e WHERE e.patient_id = ?1"
    " UNION ALL"
    " SELECT o.observed_on, 5, 'observation', o.id, json_build_object('instrument', o.instrument,"
    "  'source', o.source, 'scores', o.scores::json, 'visit_id', COALESCE((SELECT l.visit_id"
    "  FROM questionnaire_links l WHERE l.observation_id = o.id), (SELECT f.id FROM"
    "  followup_visits f WHERE f.patient_id = o.patient_id AND o.observed_on >= f.window_start"
    "  AND o.observed_on <= f.window_end ORDER BY f.id LIMIT 1))) FROM observations o"
    "  WHERE o.patient_id = ?1"
    " UNION ALL"
    " SELECT f.target_date, 6, 'visit', f.id, json_build_object('label', f.label, 'status', "
    "f.status,"
    "  'protocol', f.protocol_id) FROM followup_visits f WHERE f.patient_id = ?1"
    ") AS events ORDER BY substr(at, 1, 10), ord, at, id";

cc_status patient_timeline_json(db *d, int64_t patient_id, buf *out, cc_error *err)
{
    cc_status st =
        sql_require_id(d, "SELECT id FROM patients WHERE id = ?", patient_id, "id", "patient", err);
    if (st != CC_OK)
        return st;
    char head[64];
    snprintf(head, sizeof head, "{\"patient_id\":%lld,\"events\":", (long long)patient_id);
    buf_puts(out, head);
    sql_arg a[] = {SQL_I(patient_id)};
    st = sql_rows_json(d, db_dialect_of(d) == DB_POSTGRESQL ? EVENTS_POSTGRESQL : EVENTS, a,
                       SQL_COUNT(a), false, out, err);
    buf_putc(out, '}');
    return st;
}
