#include "consents.h"

#include <string.h>

#include "store/sql.h"

static const audit_entity DOCUMENT = {
    "consent_document", "SELECT id, protocol_id, kind, language, version, title, body,"
                        " created_at, created_by FROM consent_documents WHERE id = ?"};
static const audit_entity CONSENT = {
    "patient_consent",
    "SELECT id, patient_id, document_id, protocol_id, kind, signer, signer_name, signer_relation,"
    " mode, witness_id, witness, paper_reference, signed_on, recorded_at, recorded_by,"
    " withdrawn_at, withdrawn_by, withdrawal_reason FROM patient_consents WHERE id = ?"};

/* The columns a client sees of a consent, with its document's version,
 * language and title. */
#define CONSENT_VIEW                                                                               \
    "SELECT c.id, c.patient_id, c.document_id, c.protocol_id, c.kind, d.version, d.language,"      \
    " d.title, c.signer, c.signer_name, c.signer_relation, c.mode, c.witness, c.paper_reference,"  \
    " c.signed_on, c.recorded_at, c.recorded_by, c.withdrawn_at, c.withdrawn_by,"                  \
    " c.withdrawal_reason,"                                                                        \
    " CASE WHEN c.withdrawn_at IS NULL THEN 'current' ELSE 'withdrawn' END AS status"              \
    " FROM patient_consents c JOIN consent_documents d ON d.id = c.document_id"

cc_status consent_store_add_document(db *d, const store_actor *actor, const consent_document_new *n,
                                     int64_t *id, int *version, cc_error *err)
{
    int64_t newest = 0;
    sql_arg key[] = {SQL_S(n->protocol_id), SQL_S(n->kind), SQL_S(n->language)};
    cc_status st = sql_scalar(d,
                              "SELECT COALESCE(MAX(version), 0) FROM consent_documents"
                              " WHERE protocol_id = ? AND kind = ? AND language = ?",
                              key, SQL_COUNT(key), &newest, err);
    if (st != CC_OK)
        return st;
    *version = (int)newest + 1;
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    sql_arg args[] = {
        SQL_S(n->protocol_id), SQL_S(n->kind), SQL_S(n->language), SQL_I(*version),
        SQL_S(n->title),       SQL_S(n->body), SQL_S(now),         SQL_S(actor->username)};
    return audit_create(d, actor, &DOCUMENT,
                        "INSERT INTO consent_documents (protocol_id, kind, language, version,"
                        " title, body, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        args, SQL_COUNT(args), NULL, id, err);
}

static bool read_document(arena *a, db_stmt *s, void *item)
{
    consent_document_row *r = item;
    r->id = db_col_int(s, 0);
    r->protocol_id = sql_col_dup(a, s, 1);
    r->kind = sql_col_dup(a, s, 2);
    r->language = sql_col_dup(a, s, 3);
    r->version = (int)db_col_int(s, 4);
    r->latest = db_col_int(s, 5) != 0;
    return r->protocol_id && r->kind && r->language;
}

cc_status consent_store_document(db *d, arena *a, int64_t id, consent_document_row *out,
                                 cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    cc_status st =
        sql_fill_one(d, a,
                     "SELECT id, protocol_id, kind, language, version, NOT EXISTS (SELECT 1 FROM"
                     " consent_documents n WHERE n.protocol_id = d.protocol_id AND n.kind = d.kind"
                     " AND n.language = d.language AND n.version > d.version)"
                     " FROM consent_documents d WHERE id = ?",
                     args, SQL_COUNT(args), read_document, out, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "document_id", "not_found",
                       "no consent document with id %lld", (long long)id);
    return st;
}

cc_status consent_store_latest_document(db *d, const char *protocol_id, const char *kind,
                                        const char *language, int64_t *id, cc_error *err)
{
    sql_arg args[] = {SQL_S(protocol_id), SQL_S(kind), SQL_S(language)};
    return sql_scalar(d,
                      "SELECT id FROM consent_documents WHERE protocol_id = ? AND kind = ?"
                      " AND language = ? ORDER BY version DESC LIMIT 1",
                      args, SQL_COUNT(args), id, err);
}

cc_status consent_store_document_json(db *d, int64_t id, buf *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    return sql_row_json(d,
                        "SELECT id, protocol_id, kind, language, version, title, body AS text,"
                        " created_at, created_by FROM consent_documents WHERE id = ?",
                        args, SQL_COUNT(args), "consent document", out, err);
}

cc_status consent_store_documents_json(db *d, const char *protocol_id, const char *kind,
                                       const char *language, bool latest_only, buf *out,
                                       cc_error *err)
{
    sql_arg args[] = {SQL_S(protocol_id), SQL_S(protocol_id), SQL_S(kind),       SQL_S(kind),
                      SQL_S(language),    SQL_S(language),    SQL_I(latest_only)};
    return sql_rows_json(
        d,
        "SELECT id, protocol_id, kind, language, version, title, created_at, created_by"
        " FROM consent_documents d WHERE (? IS NULL OR protocol_id = ?)"
        " AND (? IS NULL OR kind = ?) AND (? IS NULL OR language = ?)"
        " AND (? = 0 OR NOT EXISTS (SELECT 1 FROM consent_documents n"
        " WHERE n.protocol_id = d.protocol_id AND n.kind = d.kind AND n.language = d.language"
        " AND n.version > d.version))"
        " ORDER BY protocol_id, kind, language, version",
        args, SQL_COUNT(args), false, out, err);
}

cc_status consent_store_state(db *d, int64_t patient_id, const char *protocol_id, const char *kind,
                              consent_state *out, cc_error *err)
{
    int64_t current = 0, any = 0;
    sql_arg args[] = {SQL_I(patient_id), SQL_S(protocol_id), SQL_S(kind)};
    cc_status st = sql_scalar(d,
                              "SELECT COUNT(*) FROM patient_consents WHERE patient_id = ?"
                              " AND protocol_id = ? AND kind = ? AND withdrawn_at IS NULL",
                              args, SQL_COUNT(args), &current, err);
    if (st == CC_OK && !current)
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM patient_consents WHERE patient_id = ?"
                        " AND protocol_id = ? AND kind = ?",
                        args, SQL_COUNT(args), &any, err);
    *out = current ? CONSENT_CURRENT : any ? CONSENT_WITHDRAWN : CONSENT_NONE;
    return st;
}

cc_status consent_store_record(db *d, arena *a, const store_actor *actor, const consent_new *n,
                               int64_t *id, cc_error *err)
{
    consent_document_row doc;
    consent_state state = CONSENT_NONE;
    cc_status st = sql_require_id(d, "SELECT id FROM patients WHERE id = ?", n->patient_id,
                                  "patient_id", "patient", err);
    if (st == CC_OK)
        st = consent_store_document(d, a, n->document_id, &doc, err);
    if (st == CC_OK && !doc.latest)
        st = cc_fail(err, CC_CONFLICT, "document_id", "document_superseded",
                     "a newer version of this consent document exists: have that one signed");
    if (st == CC_OK)
        st = consent_store_state(d, n->patient_id, doc.protocol_id, doc.kind, &state, err);
    if (st == CC_OK && state == CONSENT_CURRENT)
        st = cc_fail(err, CC_CONFLICT, "document_id", "consent_exists",
                     "the patient already has a current consent of this kind for this programme");
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    if (st == CC_OK) {
        sql_arg args[] = {SQL_I(n->patient_id),
                          SQL_I(n->document_id),
                          SQL_S(doc.protocol_id),
                          SQL_S(doc.kind),
                          SQL_S(n->signer),
                          SQL_S(n->signer_name),
                          SQL_S(n->signer_relation),
                          SQL_S(n->mode),
                          SQL_ID(n->witness_id),
                          SQL_S(n->witness),
                          SQL_S(n->paper_reference),
                          SQL_S(n->signed_on),
                          SQL_S(now),
                          SQL_S(actor->username)};
        st = audit_create(d, actor, &CONSENT,
                          "INSERT INTO patient_consents (patient_id, document_id, protocol_id,"
                          " kind, signer, signer_name, signer_relation, mode, witness_id, witness,"
                          " paper_reference, signed_on, recorded_at, recorded_by)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          args, SQL_COUNT(args), NULL, id, err);
    }
    return st;
}

cc_status consent_store_withdraw(db *d, const store_actor *actor, int64_t patient_id, int64_t id,
                                 const char *reason, cc_error *err)
{
    int64_t withdrawn = 0, found = 0;
    sql_arg key[] = {SQL_I(id), SQL_I(patient_id)};
    cc_status st =
        sql_scalar(d, "SELECT COUNT(*) FROM patient_consents WHERE id = ? AND patient_id = ?", key,
                   2, &found, err);
    if (st == CC_OK && !found)
        return cc_fail(err, CC_NOT_FOUND, "consent", "not_found",
                       "this patient has no consent with id %lld", (long long)id);
    if (st == CC_OK)
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM patient_consents WHERE id = ?"
                        " AND withdrawn_at IS NOT NULL",
                        key, 1, &withdrawn, err);
    if (st == CC_OK && withdrawn)
        st = cc_fail(err, CC_CONFLICT, "consent", "already_withdrawn",
                     "this consent was already withdrawn");
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    sql_arg args[] = {SQL_S(now), SQL_S(actor->username), SQL_S(reason), SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &CONSENT, "withdraw", id,
                          "UPDATE patient_consents SET withdrawn_at = ?, withdrawn_by = ?,"
                          " withdrawal_reason = ? WHERE id = ?",
                          args, SQL_COUNT(args), reason, err);
    return st;
}

cc_status consent_store_patient_json(db *d, int64_t patient_id, buf *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(patient_id)};
    cc_status st =
        sql_require_id(d, "SELECT id FROM patients WHERE id = ?", patient_id, "id", "patient", err);
    return st == CC_OK ? sql_rows_json(d, CONSENT_VIEW " WHERE c.patient_id = ? ORDER BY c.id DESC",
                                       args, SQL_COUNT(args), false, out, err)
                       : st;
}

cc_status consent_store_consent_json(db *d, int64_t id, buf *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    return sql_row_json(d, CONSENT_VIEW " WHERE c.id = ?", args, SQL_COUNT(args), "consent", out,
                        err);
}
