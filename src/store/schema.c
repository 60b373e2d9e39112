#include "schema.h"

#include <stddef.h>

/* Portable SQL only: INTEGER PRIMARY KEY becomes an identity column on
 * PostgreSQL; TEXT timestamps are UTC ISO 8601; booleans are 0/1 integers. */
/* A migration may exceed the 4095 characters ISO C guarantees for one literal;
 * gcc and clang take far longer ones. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
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
    /* issue 6: outcome observations */
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
    /* issue 4: laboratory */
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
    "CREATE UNIQUE INDEX units_position ON units(freezer, rack, box, position) WHERE position <> '';"
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
    /* Minimal link read by the lookback; issue 5 (administration) owns it. */
    "CREATE TABLE unit_administrations ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  administered_on TEXT NOT NULL,"
    "  recorded_by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX unit_administrations_unit ON unit_administrations(unit_id);"
    "CREATE INDEX unit_administrations_patient ON unit_administrations(patient_id);",
};
#pragma GCC diagnostic pop

int schema_latest_version(void) { return (int)(sizeof migrations / sizeof migrations[0]); }

cc_status schema_version(db *d, int *version, cc_error *err)
{
    cc_status st = db_exec(d, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err);
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
