#include "schema.h"

#include "store/audit_sites.h"

#include <stddef.h>

/* Portable SQL only: INTEGER PRIMARY KEY becomes an identity column on
 * PostgreSQL; TEXT timestamps are UTC ISO 8601; booleans are 0/1 integers. */
/* A migration may exceed the 4095 characters ISO C guarantees for one literal;
 * gcc and clang take far longer ones. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
/* The report digest of a patient whose rows of table changed is stale:
 * after every insert, update and delete (store/report_digests.h). On
 * PostgreSQL each trigger becomes a plpgsql function and its trigger
 * (db_pg's schema translation). */
#define DIGEST_STALE_MARK(row)                                                                     \
    " INSERT INTO report_digest_stale (patient_id) VALUES (" row ".patient_id)"                    \
    " ON CONFLICT DO NOTHING;"
#define DIGEST_STALE_ON(table)                                                                     \
    "CREATE TRIGGER IF NOT EXISTS " table "_digest_insert AFTER INSERT ON " table                  \
    " BEGIN" DIGEST_STALE_MARK("NEW") " END;"                                                      \
                                      "CREATE TRIGGER IF NOT EXISTS " table                        \
                                      "_digest_update AFTER UPDATE ON " table                      \
                                      " BEGIN" DIGEST_STALE_MARK("OLD") DIGEST_STALE_MARK(         \
                                          "NEW") " END;"                                           \
                                                 "CREATE TRIGGER IF NOT EXISTS " table             \
                                                 "_digest_delete AFTER DELETE ON " table           \
                                                 " BEGIN" DIGEST_STALE_MARK("OLD") " END;"

static const char *const migrations[] = {
    /* 1: platform */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL,"
    "  password_hash TEXT NOT NULL,"
    "  language TEXT NOT NULL DEFAULT 'en',"
    "  active INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL);"
    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  label TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE patients ("
    "  id INTEGER PRIMARY KEY,"
    "  mrn TEXT NOT NULL UNIQUE,"
    "  family_name TEXT NOT NULL,"
    "  given_names TEXT NOT NULL,"
    "  birth_date TEXT NOT NULL,"
    "  sex TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  email TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  address TEXT NOT NULL DEFAULT '',"
    "  search_key TEXT NOT NULL,"
    "  identity_key TEXT NOT NULL,"
    "  synthetic INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX patients_identity ON patients(identity_key);"
    "CREATE INDEX patients_family ON patients(family_name);"
    "CREATE TABLE patient_weights ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  measured_on TEXT NOT NULL,"
    "  grams INTEGER NOT NULL,"
    "  recorded_at TEXT NOT NULL,"
    "  recorded_by INTEGER REFERENCES users(id));"
    "CREATE INDEX patient_weights_patient ON patient_weights(patient_id);"
    "CREATE TABLE patient_conditions ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  icd10 TEXT NOT NULL,"
    "  label TEXT NOT NULL,"
    "  onset_date TEXT,"
    "  details TEXT NOT NULL DEFAULT '{}',"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX patient_conditions_patient ON patient_conditions(patient_id);"
    "CREATE TABLE consultation_requests ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  birth_date TEXT,"
    "  condition_text TEXT NOT NULL,"
    "  message TEXT NOT NULL DEFAULT '',"
    "  language TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  patient_id INTEGER REFERENCES patients(id),"
    "  decline_reason TEXT,"
    "  synthetic INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX consultation_requests_status ON consultation_requests(status);"
    "CREATE TABLE audit_log ("
    "  seq INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  user_id INTEGER,"
    "  username TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  entity TEXT NOT NULL,"
    "  entity_id TEXT NOT NULL,"
    "  before_json TEXT,"
    "  after_json TEXT,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL);"
    "CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);",
    /* outcome observations */
    "CREATE TABLE observations ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  instrument TEXT NOT NULL,"
    "  instrument_version TEXT NOT NULL,"
    "  observed_on TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  answers TEXT NOT NULL,"
    "  scores TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL,"
    "  recorded_by INTEGER REFERENCES users(id));"
    "CREATE INDEX observations_patient ON observations(patient_id, instrument, observed_on);",
    /* laboratory */
    "CREATE TABLE lab_site ("
    "  id INTEGER PRIMARY KEY,"
    "  fin TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE lab_product_codes ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  product_type TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  active INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE donors ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  patient_id INTEGER REFERENCES patients(id),"
    "  consent_date TEXT,"
    "  consent_reference TEXT NOT NULL DEFAULT '',"
    "  eligibility TEXT NOT NULL DEFAULT 'incomplete',"
    "  eligibility_reason TEXT NOT NULL DEFAULT '',"
    "  eligibility_by TEXT,"
    "  eligibility_at TEXT,"
    "  synthetic INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX donors_patient ON donors(patient_id);"
    "CREATE TABLE donor_tests ("
    "  id INTEGER PRIMARY KEY,"
    "  donor_id INTEGER NOT NULL REFERENCES donors(id),"
    "  test TEXT NOT NULL,"
    "  result TEXT NOT NULL,"
    "  sampled_on TEXT NOT NULL,"
    "  recorded_by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX donor_tests_donor ON donor_tests(donor_id);"
    "CREATE TABLE collections ("
    "  id INTEGER PRIMARY KEY,"
    "  donor_id INTEGER NOT NULL REFERENCES donors(id),"
    "  source TEXT NOT NULL,"
    "  collected_on TEXT NOT NULL,"
    "  volume_ml REAL,"
    "  mass_g REAL,"
    "  site TEXT NOT NULL DEFAULT '',"
    "  recorded_by TEXT NOT NULL,"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX collections_donor ON collections(donor_id);"
    "CREATE TABLE batches ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  product_type TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  spec_version TEXT NOT NULL DEFAULT '',"
    "  decided_by TEXT,"
    "  decided_at TEXT,"
    "  decision_reason TEXT NOT NULL DEFAULT '',"
    "  version INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE batch_collections ("
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  collection_id INTEGER NOT NULL REFERENCES collections(id),"
    "  PRIMARY KEY (batch_id, collection_id));"
    "CREATE INDEX batch_collections_collection ON batch_collections(collection_id);"
    "CREATE TABLE batch_steps ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  step TEXT NOT NULL,"
    "  performed_at TEXT NOT NULL,"
    "  operator TEXT NOT NULL,"
    "  passage INTEGER,"
    "  cell_count INTEGER,"
    "  notes TEXT NOT NULL DEFAULT '',"
    "  recorded_by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX batch_steps_batch ON batch_steps(batch_id);"
    "CREATE TABLE batch_deviations ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  description TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  disposition TEXT NOT NULL DEFAULT '',"
    "  opened_by TEXT NOT NULL,"
    "  opened_at TEXT NOT NULL,"
    "  closed_by TEXT,"
    "  closed_at TEXT);"
    "CREATE INDEX batch_deviations_batch ON batch_deviations(batch_id);"
    "CREATE TABLE qc_results ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  test TEXT NOT NULL,"
    "  method TEXT NOT NULL DEFAULT '',"
    "  pending INTEGER NOT NULL DEFAULT 0,"
    "  detected INTEGER NOT NULL DEFAULT 0,"
    "  value REAL,"
    "  unit TEXT NOT NULL DEFAULT '',"
    "  verdict TEXT NOT NULL,"
    "  explanation TEXT NOT NULL DEFAULT '',"
    "  tested_on TEXT NOT NULL,"
    "  recorded_by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX qc_results_batch ON qc_results(batch_id);"
    "CREATE TABLE units ("
    "  id INTEGER PRIMARY KEY,"
    "  din TEXT NOT NULL UNIQUE,"
    "  din_flags TEXT NOT NULL DEFAULT '00',"
    "  din_check TEXT NOT NULL,"
    "  product_code TEXT NOT NULL,"
    "  division INTEGER NOT NULL DEFAULT 0,"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
    "  product_type TEXT NOT NULL,"
    "  owner_patient_id INTEGER REFERENCES patients(id),"
    "  cells INTEGER NOT NULL,"
    "  viability REAL,"
    "  volume_ml REAL NOT NULL,"
    "  expiry TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  storage TEXT NOT NULL DEFAULT '',"
    "  freezer TEXT NOT NULL DEFAULT '',"
    "  rack TEXT NOT NULL DEFAULT '',"
    "  box TEXT NOT NULL DEFAULT '',"
    "  position TEXT NOT NULL DEFAULT '',"
    "  reserved_patient_id INTEGER REFERENCES patients(id),"
    "  reserved_for TEXT NOT NULL DEFAULT '',"
    "  issued_patient_id INTEGER REFERENCES patients(id),"
    "  issued_ward TEXT NOT NULL DEFAULT '',"
    "  version INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX units_batch ON units(batch_id);"
    "CREATE INDEX units_state_expiry ON units(state, expiry);"
    "CREATE UNIQUE INDEX units_position ON units(freezer, rack, box, position) WHERE position <> "
    "'';"
    "CREATE TABLE custody_events ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  at TEXT NOT NULL,"
    "  username TEXT NOT NULL,"
    "  event TEXT NOT NULL,"
    "  from_state TEXT NOT NULL DEFAULT '',"
    "  to_state TEXT NOT NULL DEFAULT '',"
    "  from_location TEXT NOT NULL DEFAULT '',"
    "  to_location TEXT NOT NULL DEFAULT '',"
    "  note TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX custody_events_unit ON custody_events(unit_id);"
    /* Which unit was given to which patient, written with each administration of a unit;
     * the lookback follows it from donor to recipients. */
    "CREATE TABLE unit_administrations ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  administered_on TEXT NOT NULL,"
    "  recorded_by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX unit_administrations_unit ON unit_administrations(unit_id);"
    "CREATE INDEX unit_administrations_patient ON unit_administrations(patient_id);",
    /* programmes */
    "CREATE TABLE protocol_versions ("
    "  id INTEGER PRIMARY KEY,"
    "  protocol_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  origin TEXT NOT NULL,"
    "  published_at TEXT NOT NULL,"
    "  published_by TEXT NOT NULL,"
    "  UNIQUE (protocol_id, version));"
    "CREATE TABLE screenings ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  protocol_id TEXT NOT NULL,"
    "  protocol_version INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  verdict TEXT NOT NULL,"
    "  reasons TEXT NOT NULL,"
    "  oldest_date TEXT,"
    "  evaluated_on TEXT NOT NULL,"
    "  decision TEXT,"
    "  override INTEGER NOT NULL DEFAULT 0,"
    "  override_reason TEXT NOT NULL DEFAULT '',"
    "  meaning TEXT NOT NULL DEFAULT '',"
    "  decided_by INTEGER REFERENCES users(id),"
    "  decided_at TEXT,"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  version INTEGER NOT NULL);"
    "CREATE INDEX screenings_patient ON screenings(patient_id, protocol_id);"
    "CREATE TABLE plans ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  protocol_id TEXT NOT NULL,"
    "  protocol_version INTEGER NOT NULL,"
    "  status TEXT NOT NULL,"
    "  start_date TEXT NOT NULL,"
    "  end_date TEXT NOT NULL,"
    "  request TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  screening_id INTEGER REFERENCES screenings(id),"
    "  approved_by INTEGER REFERENCES users(id),"
    "  approved_at TEXT,"
    "  meaning TEXT NOT NULL DEFAULT '',"
    "  cancel_reason TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  version INTEGER NOT NULL);"
    "CREATE INDEX plans_patient ON plans(patient_id);"
    "CREATE TABLE plan_slots ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
    "  slot_date TEXT NOT NULL,"
    "  route TEXT NOT NULL);"
    "CREATE INDEX plan_slots_date ON plan_slots(slot_date, route);"
    "CREATE TABLE clinic_capacity (route TEXT PRIMARY KEY, slots_per_day INTEGER NOT NULL);"
    "INSERT INTO clinic_capacity (route, slots_per_day) VALUES ('intravenous', 6),"
    " ('intrathecal', 3), ('local', 4), ('inhalation', 4), ('topical', 6), ('graft', 2);",
    /* bedside */
    "CREATE TABLE administrations ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
    "  plan_item INTEGER NOT NULL,"
    "  plan_ref TEXT NOT NULL UNIQUE,"
    "  planned_date TEXT NOT NULL,"
    "  route TEXT NOT NULL,"
    "  site TEXT NOT NULL DEFAULT '',"
    "  product_type TEXT NOT NULL,"
    "  dose_unit TEXT NOT NULL,"
    "  prescribed_amount INTEGER NOT NULL,"
    "  actual_amount INTEGER NOT NULL,"
    "  weight_grams INTEGER NOT NULL,"
    "  weight_date TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  started_at TEXT NOT NULL,"
    "  ended_at TEXT,"
    "  operator_id INTEGER NOT NULL REFERENCES users(id),"
    "  operator TEXT NOT NULL,"
    "  second_verifier_id INTEGER REFERENCES users(id),"
    "  second_verifier TEXT NOT NULL DEFAULT '',"
    "  second_verified_at TEXT,"
    "  override_reason TEXT NOT NULL DEFAULT '',"
    "  operators TEXT NOT NULL DEFAULT '',"
    "  premedication TEXT NOT NULL DEFAULT '',"
    "  notes TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  version INTEGER NOT NULL);"
    "CREATE INDEX administrations_patient ON administrations(patient_id, started_at);"
    "CREATE TABLE administration_units ("
    "  administration_id INTEGER NOT NULL REFERENCES administrations(id),"
    "  unit_id INTEGER NOT NULL UNIQUE REFERENCES units(id),"
    "  amount INTEGER NOT NULL);"
    "CREATE TABLE vital_signs ("
    "  id INTEGER PRIMARY KEY,"
    "  administration_id INTEGER REFERENCES administrations(id),"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  phase TEXT NOT NULL,"
    "  taken_at TEXT NOT NULL,"
    "  systolic INTEGER, diastolic INTEGER, heart_rate INTEGER, spo2 INTEGER,"
    "  temperature_dc INTEGER, respiratory_rate INTEGER,"
    "  abnormal_json TEXT NOT NULL DEFAULT '[]',"
    "  recorded_by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX vital_signs_administration ON vital_signs(administration_id);"
    "CREATE TABLE observation_tasks ("
    "  id INTEGER PRIMARY KEY,"
    "  administration_id INTEGER NOT NULL REFERENCES administrations(id),"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  kind TEXT NOT NULL,"
    "  due_at TEXT NOT NULL,"
    "  done_at TEXT,"
    "  done_by TEXT NOT NULL DEFAULT '',"
    "  note TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX observation_tasks_due ON observation_tasks(due_at);"
    "CREATE TABLE adverse_events ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  term_source TEXT NOT NULL,"
    "  term_code TEXT NOT NULL,"
    "  term_text TEXT NOT NULL DEFAULT '',"
    "  grade INTEGER NOT NULL,"
    "  onset_at TEXT NOT NULL,"
    "  resolved_at TEXT,"
    "  aware_at TEXT NOT NULL,"
    "  seriousness INTEGER NOT NULL DEFAULT 0,"
    "  serious INTEGER NOT NULL DEFAULT 0,"
    "  related_product TEXT NOT NULL,"
    "  related_procedure TEXT NOT NULL,"
    "  expectedness TEXT NOT NULL,"
    "  action TEXT NOT NULL DEFAULT 'none',"
    "  outcome TEXT NOT NULL DEFAULT 'unknown',"
    "  description TEXT NOT NULL DEFAULT '',"
    "  assessed_by TEXT NOT NULL DEFAULT '',"
    "  assessed_at TEXT,"
    "  assessment_meaning TEXT NOT NULL DEFAULT '',"
    "  reported_by TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  version INTEGER NOT NULL);"
    "CREATE INDEX adverse_events_patient ON adverse_events(patient_id);"
    "CREATE TABLE adverse_event_links ("
    "  adverse_event_id INTEGER NOT NULL REFERENCES adverse_events(id),"
    "  administration_id INTEGER REFERENCES administrations(id),"
    "  unit_id INTEGER REFERENCES units(id));"
    "CREATE INDEX adverse_event_links_ae ON adverse_event_links(adverse_event_id);"
    "CREATE TABLE adverse_event_deadlines ("
    "  id INTEGER PRIMARY KEY,"
    "  adverse_event_id INTEGER NOT NULL REFERENCES adverse_events(id),"
    "  kind TEXT NOT NULL,"
    "  due_at TEXT NOT NULL,"
    "  reported_at TEXT,"
    "  reported_by TEXT NOT NULL DEFAULT '',"
    "  reference TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (adverse_event_id, kind));"
    "CREATE INDEX adverse_event_deadlines_due ON adverse_event_deadlines(due_at);"
    "CREATE TABLE bedside_settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
    /* follow-up */
    /* visits generated from approved plans, contact attempts, patient
     * questionnaire links (tokens stored hashed), clinic settings */
    "CREATE TABLE followup_visits ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  protocol_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  label TEXT NOT NULL,"
    "  months INTEGER NOT NULL,"
    "  target_date TEXT NOT NULL,"
    "  window_start TEXT NOT NULL,"
    "  window_end TEXT NOT NULL,"
    "  instruments TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'scheduled',"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  died_on TEXT,"
    "  cause TEXT NOT NULL DEFAULT '',"
    "  failed_contacts INTEGER NOT NULL DEFAULT 0,"
    "  resolved_at TEXT,"
    "  resolved_by TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  UNIQUE (plan_id, label));"
    "CREATE INDEX followup_visits_window ON followup_visits(status, window_start);"
    "CREATE INDEX followup_visits_patient ON followup_visits(patient_id);"
    "CREATE INDEX followup_visits_protocol ON followup_visits(protocol_id, patient_id, seq);"
    "CREATE TABLE followup_contacts ("
    "  id INTEGER PRIMARY KEY,"
    "  visit_id INTEGER NOT NULL REFERENCES followup_visits(id),"
    "  channel TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  contacted_at TEXT NOT NULL,"
    "  contacted_by TEXT NOT NULL);"
    "CREATE INDEX followup_contacts_visit ON followup_contacts(visit_id);"
    "CREATE TABLE questionnaire_links ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  visit_id INTEGER NOT NULL REFERENCES followup_visits(id),"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  instrument TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  expires_at TEXT NOT NULL,"
    "  draft TEXT NOT NULL DEFAULT '{}',"
    "  used_at TEXT,"
    "  observation_id INTEGER REFERENCES observations(id),"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL);"
    "CREATE INDEX questionnaire_links_visit ON questionnaire_links(visit_id);"
    "CREATE TABLE clinic_settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO clinic_settings (name, value) VALUES ('followup_lost_after_failed_contacts', 3);",
    /* the outcome report at scale. measure_series holds the numeric
     * values of each patient's observations (core/measure_series), written with
     * each observation; derived_data says whether it is complete (0 after this
     * migration when observations exist: they are read once to fill it). */
    "CREATE TABLE measure_names ("
    "  id INTEGER PRIMARY KEY,"
    "  instrument TEXT NOT NULL,"
    "  score TEXT NOT NULL,"
    "  UNIQUE (instrument, score));"
    "CREATE TABLE measure_series ("
    "  patient_id INTEGER PRIMARY KEY REFERENCES patients(id),"
    "  records BLOB NOT NULL);"
    "CREATE TABLE derived_data (name TEXT PRIMARY KEY, built INTEGER NOT NULL);"
    "INSERT INTO derived_data (name, built) SELECT 'measure_series',"
    "  CASE WHEN EXISTS (SELECT 1 FROM observations) THEN 0 ELSE 1 END;"
    "CREATE INDEX administrations_plan ON administrations(plan_id);",
    /* the satisfaction table reads one instrument's answers in patient order */
    "CREATE INDEX observations_instrument ON observations(instrument, patient_id, observed_on);",
    /* signed audit checkpoints: the database's own record of each line written to
     * DIR/audit-checkpoints.log, so that a missing or cut log is noticed; with
     * its signature, so that a backup proves which chain head it covers and
     * the log can be written again from the rows after a restore */
    "CREATE TABLE audit_checkpoints ("
    "  seq INTEGER PRIMARY KEY,"
    "  entries INTEGER NOT NULL,"
    "  head TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  public_key TEXT NOT NULL,"
    "  signature TEXT NOT NULL,"
    "  reason TEXT NOT NULL);",
    /* multi-factor login: one TOTP secret per account (confirmed_at NULL
     * while enrolment is pending), the last time step it logged in with
     * (a code is good once), hashed single-use recovery codes, sessions
     * restricted to enrolment, and which roles must enrol. */
    "CREATE TABLE mfa_totp ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id),"
    "  secret TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  confirmed_at TEXT,"
    "  last_step INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE mfa_recovery_codes ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  code_hash TEXT NOT NULL,"
    "  used_at TEXT);"
    "CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes(user_id);"
    "ALTER TABLE sessions ADD COLUMN mfa_enrolment_only INTEGER NOT NULL DEFAULT 0;"
    "INSERT INTO clinic_settings (name, value) VALUES"
    " ('mfa_required.admin', 1), ('mfa_required.analyst', 0), ('mfa_required.coordinator', 0),"
    " ('mfa_required.lab', 0), ('mfa_required.nurse', 0), ('mfa_required.physician', 1),"
    " ('mfa_required.qa', 1);",
    /* account lockout and security events: failed password checks per account
     * (consecutive failures since window_start, the lock, and what the owner has
     * not yet been told), and the security events that admin and qa read */
    "CREATE TABLE login_failures ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id),"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  window_start INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"
    "  unseen_failures INTEGER NOT NULL DEFAULT 0,"
    "  unseen_last_failure INTEGER NOT NULL DEFAULT 0,"
    "  unseen_locked_until INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE security_events ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  username TEXT,"
    "  address TEXT NOT NULL,"
    "  route TEXT NOT NULL);"
    "CREATE INDEX security_events_username ON security_events(username, id);"
    "CREATE INDEX security_events_kind ON security_events(kind, id);",
    /* cryopreservation and thaw (H14): at most one freezing and one thaw
     * record per unit; each product type's post-thaw window and minimum
     * post-thaw viability (tenths of a percent; core/bedside.h cites the
     * defaults; the secretome is cell-free: no viability minimum, and its
     * 24-hour window is the site's choice, no published source) */
    "CREATE TABLE unit_freezings ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL UNIQUE REFERENCES units(id),"
    "  cryoprotectant TEXT NOT NULL,"
    "  cryoprotectant_tenths INTEGER NOT NULL,"
    "  rate_tenths INTEGER NOT NULL,"
    "  frozen_at TEXT NOT NULL,"
    "  operator_id INTEGER REFERENCES users(id),"
    "  operator TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE TABLE unit_thaws ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL UNIQUE REFERENCES units(id),"
    "  thawed_at TEXT NOT NULL,"
    "  viable_cells INTEGER NOT NULL,"
    "  viability_tenths INTEGER NOT NULL,"
    "  operator_id INTEGER REFERENCES users(id),"
    "  operator TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE TABLE cryo_settings ("
    "  product_type TEXT PRIMARY KEY,"
    "  post_thaw_hours INTEGER NOT NULL,"
    "  min_viability_tenths INTEGER NOT NULL);"
    "INSERT INTO cryo_settings (product_type, post_thaw_hours, min_viability_tenths) VALUES"
    "  ('uc-msc', 2, 700), ('ucb-sc', 2, 700), ('bm-msc', 2, 700), ('ad-msc', 2, 700),"
    "  ('pl-msc', 2, 700), ('secretome', 24, 0);",
    /* accounts: a password reset forces a change at next login; bearer tokens
     * expire and carry a scope ('read' or 'full'). Tokens made before expire 90
     * days after their creation (the date arithmetic is SQLite's strftime,
     * which POSTGRESQL_FUNCTIONS gives PostgreSQL for this form). */
    "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE api_tokens ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';"
    "UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days');"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);"
    "CREATE INDEX sessions_user ON sessions(user_id);",
    /* unit labels: the facility printed on every label (21 CFR 1271.370(c)(1))
     * and the language the labels are printed in */
    "ALTER TABLE lab_site ADD COLUMN facility_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE lab_site ADD COLUMN facility_address TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE lab_site ADD COLUMN label_language TEXT NOT NULL DEFAULT 'en';",
    /* traceability retention: the identified donor - unit - recipient data
     * is kept at least 30 years (Directive 2004/23/EC art. 8(4), 2006/86/EC
     * art. 9(2); core/patient.h): the database itself refuses to delete a
     * row of these tables, whatever the caller. Triggers are SQLite's
     * syntax, outside the shared subset: a PostgreSQL port writes its own.
     * IF NOT EXISTS: running this entry again changes nothing. */
    "CREATE TRIGGER IF NOT EXISTS patients_kept BEFORE DELETE ON patients BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS donors_kept BEFORE DELETE ON donors BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS donor_tests_kept BEFORE DELETE ON donor_tests BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS collections_kept BEFORE DELETE ON collections BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS batches_kept BEFORE DELETE ON batches BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS batch_collections_kept BEFORE DELETE ON batch_collections BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS units_kept BEFORE DELETE ON units BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS custody_events_kept BEFORE DELETE ON custody_events BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS unit_administrations_kept BEFORE DELETE ON unit_administrations "
    "BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS unit_freezings_kept BEFORE DELETE ON unit_freezings BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS unit_thaws_kept BEFORE DELETE ON unit_thaws BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS administrations_kept BEFORE DELETE ON administrations BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS administration_units_kept BEFORE DELETE ON administration_units "
    "BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;"
    "CREATE TRIGGER IF NOT EXISTS adverse_events_kept BEFORE DELETE ON adverse_events BEGIN"
    "  SELECT RAISE(ABORT, 'traceability data is kept 30 years'); END;",
    /* donor testing: a donor kind's configured marker panel
     * (core/donor_testing.h, donor_panel_format); no row: the kind's
     * default. Results stored under the earlier codes are read as their
     * markers (store/lab_donors.c MARKER_OF_TEST), not rewritten: every row
     * stays equal to its audited image. */
    "CREATE TABLE donor_panels ("
    "  kind TEXT PRIMARY KEY,"
    "  panel TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);",
    /* concomitant medications and allergies (H16): a medication has a class
     * from core/coagulation's fixed list (the bedside check refuses a lumbar
     * puncture under a current anticoagulant or antiplatelet); stopping one
     * sets stop_date, nothing is deleted. Idempotent (IF NOT EXISTS): a test
     * that replays the migration before it replays this one too. */
    "CREATE TABLE IF NOT EXISTS patient_medications ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  name TEXT NOT NULL,"
    "  class TEXT NOT NULL,"
    "  dose TEXT NOT NULL DEFAULT '',"
    "  start_date TEXT NOT NULL,"
    "  stop_date TEXT,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS patient_medications_patient ON patient_medications(patient_id);"
    "CREATE TABLE IF NOT EXISTS patient_allergies ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  substance TEXT NOT NULL,"
    "  reaction TEXT NOT NULL DEFAULT '',"
    "  severity TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS patient_allergies_patient ON patient_allergies(patient_id);",
    /* consent (H15): consent documents, versioned per programme, kind and
     * language and never changed once stored (a new text is a new version);
     * each patient's signed consents, withdrawn with a reason but never
     * deleted. A consent is current while it is not withdrawn.
     * research_consented: the patients whose data may leave the clinic for
     * research (the de-identified export, the analyst's report). */
    "CREATE TABLE consent_documents ("
    "  id INTEGER PRIMARY KEY,"
    "  protocol_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  UNIQUE (protocol_id, kind, language, version));"
    "CREATE TABLE patient_consents ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  document_id INTEGER NOT NULL REFERENCES consent_documents(id),"
    "  protocol_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  signer TEXT NOT NULL,"
    "  signer_name TEXT NOT NULL,"
    "  signer_relation TEXT NOT NULL,"
    "  mode TEXT NOT NULL,"
    "  witness_id INTEGER REFERENCES users(id),"
    "  witness TEXT NOT NULL,"
    "  paper_reference TEXT NOT NULL,"
    "  signed_on TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL,"
    "  recorded_by TEXT NOT NULL,"
    "  withdrawn_at TEXT,"
    "  withdrawn_by TEXT,"
    "  withdrawal_reason TEXT);"
    "CREATE INDEX patient_consents_patient ON patient_consents(patient_id, kind);"
    "CREATE VIEW research_consented AS SELECT DISTINCT patient_id FROM patient_consents"
    "  WHERE kind = 'research' AND withdrawn_at IS NULL;",
    /* clinic site: the clinic's name and the public base URL of patient links */
    "CREATE TABLE clinic_site ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  name TEXT NOT NULL DEFAULT '',"
    "  public_base_url TEXT NOT NULL DEFAULT '',"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  updated_at TEXT);"
    "INSERT INTO clinic_site (id) VALUES (1);",
    /* public consultation request page: the structured description of the
     * condition (country, diagnosis from the form's list, a spinal cord
     * injury's level and date) and the consent to be contacted; rows from
     * before have no consent recorded (0). */
    "ALTER TABLE consultation_requests ADD COLUMN country TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE consultation_requests ADD COLUMN diagnosis TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE consultation_requests ADD COLUMN injury_level TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE consultation_requests ADD COLUMN injury_date TEXT;"
    "ALTER TABLE consultation_requests ADD COLUMN contact_consent INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX consultation_requests_patient ON consultation_requests(patient_id);",
    /* throttles: counts per kind and key in the database, shared by every
     * server process (store/rate_limits.h) */
    "CREATE TABLE rate_limits ("
    "  kind TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  window_start INTEGER NOT NULL,"
    "  hits INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, key));",
    /* sites: a clinic group's clinics, hospitals and laboratories. The one
     * clinic of earlier versions (clinic_site, lab_site's FIN and facility)
     * becomes site 1, the first inserted row on both engines, with the clinic's
     * name ('' until the administrator gives one). Identified data
     * belongs to a site: the owning column defaults to the first site, so
     * every row written before stays there. The owning columns carry no
     * REFERENCES clause: SQLite refuses to add a referencing column with a
     * non-NULL default to a table that has rows; the store writes only the
     * ids of existing sites (store/sites.h). Users work in the sites they are
     * members of (user_sites); all_sites lets an admin or qa account switch
     * to any site. A session works in one site at a time. A unit in transit
     * names its destination (shipped_to_site_id) until it is received. */
    "CREATE TABLE sites ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  address TEXT NOT NULL DEFAULT '',"
    "  time_zone TEXT NOT NULL DEFAULT 'UTC',"
    "  language TEXT NOT NULL DEFAULT 'en',"
    "  fin TEXT NOT NULL DEFAULT '',"
    "  public_base_url TEXT NOT NULL DEFAULT '',"
    "  kind TEXT NOT NULL DEFAULT 'clinic',"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "INSERT INTO sites (code, name, address, language, fin, public_base_url, kind, created_at,"
    "  updated_at)"
    " SELECT 'MAIN',"
    "  c.name,"
    "  COALESCE((SELECT l.facility_address FROM lab_site l ORDER BY l.id LIMIT 1), ''),"
    "  COALESCE((SELECT l.label_language FROM lab_site l ORDER BY l.id LIMIT 1), 'en'),"
    "  COALESCE((SELECT l.fin FROM lab_site l ORDER BY l.id LIMIT 1), ''),"
    "  c.public_base_url, 'clinic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'"
    " FROM clinic_site c WHERE c.id = 1;"
    "ALTER TABLE patients ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE plans ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE administrations ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE donors ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE batches ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE units ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE units ADD COLUMN shipped_to_site_id INTEGER;"
    "ALTER TABLE custody_events ADD COLUMN from_site_id INTEGER;"
    "ALTER TABLE custody_events ADD COLUMN to_site_id INTEGER;"
    "ALTER TABLE sessions ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE users ADD COLUMN all_sites INTEGER NOT NULL DEFAULT 0;"
    "UPDATE users SET all_sites = 1 WHERE role IN ('admin', 'qa');"
    "CREATE TABLE user_sites ("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  PRIMARY KEY (user_id, site_id));"
    "INSERT INTO user_sites (user_id, site_id) SELECT id, 1 FROM users;"
    "CREATE INDEX patients_site ON patients(site_id, family_name);"
    "CREATE INDEX plans_site ON plans(site_id);"
    "CREATE INDEX administrations_site ON administrations(site_id);"
    "CREATE INDEX donors_site ON donors(site_id);"
    "CREATE INDEX batches_site ON batches(site_id);"
    "CREATE INDEX units_site ON units(site_id);",
    /* sites: the planner's capacity per site. Each site has its slots per
     * day and route (site_capacity); clinic_capacity stays the capacity of a
     * site that has not set a route's own (a new site). Existing sites keep
     * the capacity they had. A site's bookings count against its own
     * capacity only (plan_slots belong to their plan's site). */
    "CREATE TABLE site_capacity ("
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  route TEXT NOT NULL,"
    "  slots_per_day INTEGER NOT NULL,"
    "  PRIMARY KEY (site_id, route));"
    "INSERT INTO site_capacity (site_id, route, slots_per_day)"
    " SELECT s.id, c.route, c.slots_per_day FROM sites s, clinic_capacity c;"
    "CREATE INDEX plan_slots_plan ON plan_slots(plan_id);",
    /* audit trail per site: each entry names the site of the record it is
     * about (store/audit_sites.h; NULL: group-wide), outside its hashed
     * content, so the chain verifies as before. Existing entries get the
     * site their record belongs to now; one the map does not know is shown
     * to no site (0). */
    "ALTER TABLE audit_log ADD COLUMN site_id INTEGER;"
    "UPDATE audit_log SET site_id = " AUDIT_SITE_OF(
        "audit_log.entity", "CAST(audit_log.entity_id AS BIGINT)") ";"
                                                                   "UPDATE audit_log SET site_id = "
                                                                   "0 WHERE site_id = -1;"
                                                                   "CREATE INDEX audit_log_site ON "
                                                                   "audit_log(site_id, seq);",
    /* one record per site: the clinic settings (name, public base URL of
     * patients' links) are those of the session's site. What the one-row
     * clinic_site table holds moves into site 1 where set after the site was
     * made from it, or still missing there. */
    "UPDATE sites SET name = (SELECT c.name FROM clinic_site c WHERE c.id = 1)"
    " WHERE id = 1 AND EXISTS (SELECT 1 FROM clinic_site c WHERE c.id = 1 AND c.name <> ''"
    "  AND (sites.name = '' OR c.updated_at > sites.updated_at));"
    "UPDATE sites SET public_base_url = (SELECT c.public_base_url FROM clinic_site c WHERE c.id = "
    "1)"
    " WHERE id = 1 AND EXISTS (SELECT 1 FROM clinic_site c WHERE c.id = 1"
    "  AND c.public_base_url <> ''"
    "  AND (sites.public_base_url = '' OR c.updated_at > sites.updated_at));"
    "DROP TABLE clinic_site;",
    /* the outcome report at a million patients: each patient's part of it
     * (core/report_digest) in one row, and the patients whose rows changed
     * since, marked by the triggers below in the writing transaction, so that
     * the report reads the digests of the others and computes those few
     * afresh: exact whatever the digests' age. derived_data says whether
     * every patient has one (the first report builds them). */
    "CREATE TABLE report_digests ("
    "  patient_id INTEGER PRIMARY KEY REFERENCES patients(id),"
    "  digest BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS report_digest_stale (patient_id INTEGER PRIMARY KEY);"
    "INSERT INTO derived_data (name, built) VALUES ('report_digests', 0);" DIGEST_STALE_ON(
        "screenings") DIGEST_STALE_ON("plans") DIGEST_STALE_ON("administrations")
        DIGEST_STALE_ON("followup_visits") DIGEST_STALE_ON("questionnaire_links")
            DIGEST_STALE_ON("measure_series"),
    /* a patient's weights, newest first, straight from one index: the view
     * lists them all, and a patient weighed daily over years has hundreds
     * (the rowid is the id, so the order needs no sort and the rows no
     * lookup) */
    ("CREATE INDEX patient_weights_by_date ON patient_weights(patient_id, measured_on, id, grams);"
     "DROP INDEX patient_weights_patient;"),
};
#pragma GCC diagnostic pop

/* PostgreSQL: the one SQLite function the shared SQL uses, for the one form
 * it is used in (a UTC ISO 8601 time plus an interval such as '+90 days'),
 * so that both engines run the same statements. Any other format is an
 * error rather than a wrong answer. */
static const char POSTGRESQL_FUNCTIONS[] =
    "CREATE OR REPLACE FUNCTION strftime(fmt TEXT, at TEXT, modifier TEXT) RETURNS TEXT"
    " LANGUAGE plpgsql IMMUTABLE AS $f$BEGIN"
    "  IF fmt <> '%Y-%m-%dT%H:%M:%SZ' THEN"
    "    RAISE EXCEPTION 'strftime: unsupported format %', fmt;"
    "  END IF;"
    "  RETURN to_char((at::TIMESTAMPTZ + modifier::INTERVAL) AT TIME ZONE 'UTC',"
    "                 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"');"
    " END$f$;";

int schema_latest_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

cc_status schema_version(db *d, int *version, cc_error *err)
{
    cc_status st =
        db_exec(d, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    st = db_prepare(d, "SELECT MAX(version) FROM schema_version", &s, err);
    if (st != CC_OK)
        return st;
    *version = 0;
    if (db_step(s, err) == DB_ROW && !db_col_is_null(s, 0))
        *version = (int)db_col_int(s, 0);
    db_done(s);
    return CC_OK;
}

cc_status schema_migrate(db *d, cc_error *err)
{
    int current;
    cc_status st = schema_version(d, &current, err);
    if (st != CC_OK)
        return st;
    int latest = schema_latest_version();
    if (current > latest)
        return cc_fail(err, CC_STORAGE, NULL, "schema_too_new",
                       "the database has schema version %d but this cellclinic knows only up to "
                       "%d; use a newer cellclinic",
                       current, latest);
    if (current < latest && db_dialect_of(d) == DB_POSTGRESQL &&
        (st = db_exec(d, POSTGRESQL_FUNCTIONS, err)) != CC_OK)
        return st;
    for (int v = current + 1; v <= latest; v++) {
        if ((st = db_begin(d, err)) != CC_OK)
            return st;
        st = db_exec(d, migrations[v - 1], err);
        db_stmt *s = NULL;
        if (st == CC_OK)
            st = db_prepare(d, "INSERT INTO schema_version (version) VALUES (?)", &s, err);
        if (st == CC_OK) {
            db_bind_int(s, 1, v);
            st = db_run(s, err);
        }
        if (st == CC_OK)
            st = db_commit(d, err);
        else
            db_rollback(d);
        if (st != CC_OK)
            return st;
    }
    return CC_OK;
}
