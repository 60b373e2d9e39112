/*
 * audit_sites: the site an audit entry belongs to, from the record it is
 * about (docs/security.md, "Audit trail per site").
 *
 * AUDIT_SITE_OF(E, I) is one SQL expression over an entry's entity name E
 * and its record's id I (both SQL expressions, e.g. column names): the
 * owning site of that record, through its patient, plan, donor, batch or
 * unit. Its value:
 *   > 0   the site id of a site-owned record;
 *   0     a site-owned entity whose record is not found (shown to no site);
 *   NULL  a group-wide entity (users, sessions, tokens, sites, settings,
 *         protocols, consent documents, the group's consultation inbox);
 *   -1    an entity this map does not know.
 * The store writes it with every new entry and the migration that added
 * audit_log.site_id fills the existing rows with it; both write -1 as 0, so
 * that an entity left out of this map is shown to no site rather than to
 * every site (tests/api/test_site_lists.py and test_routes.py check that
 * the entries they write have a site or are group-wide). A unit's entries belong to the site that
 * held the unit when they were written. Pure text: no state, no I/O.
 */
#ifndef CC_AUDIT_SITES_H
#define CC_AUDIT_SITES_H

/* One table of text, kept as written: a row per entity. */
// clang-format off
#define AUDIT_OWNED(sub) "COALESCE(" sub ", 0)"
/* the site of table T's row I, its own site_id */
#define AUDIT_ROW_SITE(T, I) AUDIT_OWNED("(SELECT o.site_id FROM " T " o WHERE o.id = " I ")")
/* the site of the record that T's row I points at through column C */
#define AUDIT_VIA(T, C, OWNER, I) \
    AUDIT_OWNED("(SELECT o.site_id FROM " T " x JOIN " OWNER " o ON o.id = x." C \
                " WHERE x.id = " I ")")
#define AUDIT_WHEN(E, NAMES, SITE) " WHEN " E " IN (" NAMES ") THEN " SITE

#define AUDIT_SITE_OF(E, I) \
    "CASE" \
    AUDIT_WHEN(E, "'patient'", AUDIT_ROW_SITE("patients", I)) \
    AUDIT_WHEN(E, "'plan', 'plans'", AUDIT_ROW_SITE("plans", I)) \
    AUDIT_WHEN(E, "'administration'", AUDIT_ROW_SITE("administrations", I)) \
    AUDIT_WHEN(E, "'donor'", AUDIT_ROW_SITE("donors", I)) \
    AUDIT_WHEN(E, "'batch'", AUDIT_ROW_SITE("batches", I)) \
    AUDIT_WHEN(E, "'unit'", AUDIT_ROW_SITE("units", I)) \
    AUDIT_WHEN(E, "'site_capacity'", AUDIT_OWNED("(SELECT o.id FROM sites o WHERE o.id = " I ")")) \
    AUDIT_WHEN(E, "'patient_weight'", AUDIT_VIA("patient_weights", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'patient_condition'", \
               AUDIT_VIA("patient_conditions", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'patient_consent'", AUDIT_VIA("patient_consents", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'patient_medication'", \
               AUDIT_VIA("patient_medications", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'patient_allergy'", \
               AUDIT_VIA("patient_allergies", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'screening', 'screenings'", \
               AUDIT_VIA("screenings", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'observation', 'observations'", \
               AUDIT_VIA("observations", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'observation_task'", \
               AUDIT_VIA("observation_tasks", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'vital_signs'", AUDIT_VIA("vital_signs", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'adverse_event', 'adverse_events'", \
               AUDIT_VIA("adverse_events", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'adverse_event_deadline'", \
               AUDIT_OWNED("(SELECT p.site_id FROM adverse_event_deadlines x" \
                           " JOIN adverse_events e ON e.id = x.adverse_event_id" \
                           " JOIN patients p ON p.id = e.patient_id WHERE x.id = " I ")")) \
    AUDIT_WHEN(E, "'followup_visit', 'followup_visits'", \
               AUDIT_VIA("followup_visits", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'questionnaire_link'", \
               AUDIT_VIA("questionnaire_links", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'unit_administration'", \
               AUDIT_VIA("unit_administrations", "patient_id", "patients", I)) \
    AUDIT_WHEN(E, "'donor_test'", AUDIT_VIA("donor_tests", "donor_id", "donors", I)) \
    AUDIT_WHEN(E, "'collection'", AUDIT_VIA("collections", "donor_id", "donors", I)) \
    AUDIT_WHEN(E, "'batch_step'", AUDIT_VIA("batch_steps", "batch_id", "batches", I)) \
    AUDIT_WHEN(E, "'batch_deviation'", AUDIT_VIA("batch_deviations", "batch_id", "batches", I)) \
    AUDIT_WHEN(E, "'qc_result'", AUDIT_VIA("qc_results", "batch_id", "batches", I)) \
    AUDIT_WHEN(E, "'unit_freezing'", AUDIT_VIA("unit_freezings", "unit_id", "units", I)) \
    AUDIT_WHEN(E, "'unit_thaw'", AUDIT_VIA("unit_thaws", "unit_id", "units", I)) \
    AUDIT_WHEN(E, "'user', 'session', 'api_token', 'mfa', 'site', 'clinic_settings'," \
                  " 'clinic_site', 'lab_site', 'bedside_settings', 'cryo_settings'," \
                  " 'donor_panel', 'lab_product_code', 'din', 'database', 'protocol_version'," \
                  " 'consent_document', 'consultation_request'", "NULL") \
    " ELSE -1 END"
// clang-format on

#endif
