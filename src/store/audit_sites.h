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

/* One table of text, kept as written: a row per entity. The rows whose
 * site is a column of the record's own row (AUDIT_OWN_ROWS) or of the row
 * it points at (AUDIT_VIA_ROWS), and the group-wide names, are lists that
 * C code walks too: the store asks a listed entity's branch alone, or
 * reads the site from the row an INSERT returns (store/audit.c);
 * tests/api/test_site_lists.py checks that what it writes agrees with the
 * whole map. Each row is X(E, I, NAMES, TABLE) or X(E, I, NAMES, TABLE,
 * COLUMN, OWNER): NAMES the entity names as SQL strings, E and I passed
 * through. */
// clang-format off
#define AUDIT_OWN_ROWS(X, E, I) \
    X(E, I, "'patient'", "patients") \
    X(E, I, "'plan', 'plans'", "plans") \
    X(E, I, "'administration'", "administrations") \
    X(E, I, "'donor'", "donors") \
    X(E, I, "'batch'", "batches") \
    X(E, I, "'unit'", "units")

#define AUDIT_VIA_ROWS(X, E, I) \
    X(E, I, "'patient_weight'", "patient_weights", "patient_id", "patients") \
    X(E, I, "'patient_condition'", "patient_conditions", "patient_id", "patients") \
    X(E, I, "'patient_consent'", "patient_consents", "patient_id", "patients") \
    X(E, I, "'patient_medication'", "patient_medications", "patient_id", "patients") \
    X(E, I, "'patient_allergy'", "patient_allergies", "patient_id", "patients") \
    X(E, I, "'screening', 'screenings'", "screenings", "patient_id", "patients") \
    X(E, I, "'observation', 'observations'", "observations", "patient_id", "patients") \
    X(E, I, "'observation_task'", "observation_tasks", "patient_id", "patients") \
    X(E, I, "'vital_signs'", "vital_signs", "patient_id", "patients") \
    X(E, I, "'adverse_event', 'adverse_events'", "adverse_events", "patient_id", "patients") \
    X(E, I, "'followup_visit', 'followup_visits'", "followup_visits", "patient_id", "patients") \
    X(E, I, "'questionnaire_link'", "questionnaire_links", "patient_id", "patients") \
    X(E, I, "'unit_administration'", "unit_administrations", "patient_id", "patients") \
    X(E, I, "'donor_test'", "donor_tests", "donor_id", "donors") \
    X(E, I, "'collection'", "collections", "donor_id", "donors") \
    X(E, I, "'batch_step'", "batch_steps", "batch_id", "batches") \
    X(E, I, "'batch_deviation'", "batch_deviations", "batch_id", "batches") \
    X(E, I, "'qc_result'", "qc_results", "batch_id", "batches") \
    X(E, I, "'unit_freezing'", "unit_freezings", "unit_id", "units") \
    X(E, I, "'unit_thaw'", "unit_thaws", "unit_id", "units")

/* the entities that belong to the whole group */
#define AUDIT_GROUP_NAMES \
    "'user', 'session', 'api_token', 'mfa', 'site', 'clinic_settings'," \
    " 'clinic_site', 'lab_site', 'bedside_settings', 'cryo_settings'," \
    " 'donor_panel', 'lab_product_code', 'din', 'database', 'protocol_version'," \
    " 'consent_document', 'consultation_request'"

#define AUDIT_OWNED(sub) "COALESCE(" sub ", 0)"
/* the site of table T's row I, its own site_id */
#define AUDIT_ROW_SITE(T, I) AUDIT_OWNED("(SELECT o.site_id FROM " T " o WHERE o.id = " I ")")
/* the site of the record that T's row I points at through column C */
#define AUDIT_VIA(T, C, OWNER, I) \
    AUDIT_OWNED("(SELECT o.site_id FROM " T " x JOIN " OWNER " o ON o.id = x." C \
                " WHERE x.id = " I ")")
/* the same two read from T's row itself, where T names the row (the row an
 * INSERT or UPDATE returns) */
#define AUDIT_ROW_SITE_HERE AUDIT_OWNED("site_id")
#define AUDIT_VIA_HERE(T, C, OWNER) \
    AUDIT_OWNED("(SELECT o.site_id FROM " OWNER " o WHERE o.id = " T "." C ")")

#define AUDIT_WHEN(E, NAMES, SITE) " WHEN " E " IN (" NAMES ") THEN " SITE
#define AUDIT_OWN_WHEN(E, I, NAMES, T) AUDIT_WHEN(E, NAMES, AUDIT_ROW_SITE(T, I))
#define AUDIT_VIA_WHEN(E, I, NAMES, T, C, OWNER) AUDIT_WHEN(E, NAMES, AUDIT_VIA(T, C, OWNER, I))

#define AUDIT_SITE_OF(E, I) \
    "CASE" \
    AUDIT_OWN_ROWS(AUDIT_OWN_WHEN, E, I) \
    AUDIT_VIA_ROWS(AUDIT_VIA_WHEN, E, I) \
    AUDIT_WHEN(E, "'site_capacity'", AUDIT_OWNED("(SELECT o.id FROM sites o WHERE o.id = " I ")")) \
    AUDIT_WHEN(E, "'adverse_event_deadline'", \
               AUDIT_OWNED("(SELECT p.site_id FROM adverse_event_deadlines x" \
                           " JOIN adverse_events e ON e.id = x.adverse_event_id" \
                           " JOIN patients p ON p.id = e.patient_id WHERE x.id = " I ")")) \
    AUDIT_WHEN(E, AUDIT_GROUP_NAMES, "NULL") \
    " ELSE -1 END"
// clang-format on

#endif
