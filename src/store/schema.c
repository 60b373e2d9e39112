#include "schema.h"

#include <stddef.h>

/* Portable SQL only: INTEGER PRIMARY KEY becomes an identity column on
 * PostgreSQL; TEXT timestamps are UTC ISO 8601; booleans are 0/1 integers. */
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
};

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
