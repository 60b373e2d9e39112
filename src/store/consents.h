/*
 * consents (store): consent documents and patients' consents (hazard H15).
 *
 * A consent document is the text a patient or guardian signs, one per
 * programme (protocol id), kind ("treatment", "research",
 * "follow_up_contact") and language, versioned: storing a text for a
 * (programme, kind, language) that already has one makes the next version,
 * and no stored version is ever changed or deleted (there is no update).
 *
 * A patient consent records the document version signed, who signed
 * (patient or guardian, name, relation), how (on the tablet with the
 * logged-in staff member as witness, or from a signed paper copy with its
 * reference), the day it was signed, and who recorded it. A withdrawal
 * stamps withdrawn_at, withdrawn_by and the reason; the row stays. A consent
 * is current while it is not withdrawn; a patient has at most one current
 * consent per programme and kind (checked here, inside the caller's write
 * transaction: CC_CONFLICT "consent_exists").
 *
 * Every write has its audit entry in the caller's transaction (entities
 * "consent_document" and "patient_consent"). Text values are checked by the
 * caller (app/consents). Ownership: JSON goes into the caller's buf; rows
 * come from the caller's arena. Not thread-safe (one db each).
 */
#ifndef CC_STORE_CONSENTS_H
#define CC_STORE_CONSENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    const char *protocol_id, *kind, *language, *title, *body;
} consent_document_new;

typedef struct {
    int64_t id;
    char *protocol_id, *kind, *language;
    int version;
    bool latest; /* no newer version of its programme, kind and language */
} consent_document_row;

typedef struct {
    int64_t patient_id, document_id;
    const char *signer;          /* "patient" or "guardian" */
    const char *signer_name;     /* the person who signed */
    const char *signer_relation; /* a guardian's relation to the patient; "" for the patient */
    const char *mode;            /* "tablet" or "paper" */
    int64_t witness_id;          /* tablet: the staff member who witnessed; 0 for paper */
    const char *witness;         /* their username; "" for paper */
    const char *paper_reference; /* paper: where the signed copy is filed; "" for tablet */
    const char *signed_on;       /* YYYY-MM-DD */
} consent_new;

/* The state of a patient's consent of one kind for one programme. */
typedef enum { CONSENT_NONE, CONSENT_CURRENT, CONSENT_WITHDRAWN } consent_state;

/* Stores the next version; *id and *version receive it. */
cc_status consent_store_add_document(db *d, const store_actor *actor, const consent_document_new *n,
                                     int64_t *id, int *version, cc_error *err);
/* CC_NOT_FOUND field "document_id" when there is none. */
cc_status consent_store_document(db *d, arena *a, int64_t id, consent_document_row *out,
                                 cc_error *err);
/* The id of the newest version of a programme's document of that kind and
 * language; 0 when there is none. */
cc_status consent_store_latest_document(db *d, const char *protocol_id, const char *kind,
                                        const char *language, int64_t *id, cc_error *err);
/* One document with its text, as a JSON object. */
cc_status consent_store_document_json(db *d, int64_t id, buf *out, cc_error *err);
/* Documents without their text, as a JSON array, by programme, kind,
 * language and version; each filter NULL: any; latest_only: the newest
 * version of each. */
cc_status consent_store_documents_json(db *d, const char *protocol_id, const char *kind,
                                       const char *language, bool latest_only, buf *out,
                                       cc_error *err);

/* The document must exist and be the newest version of its kind (else
 * CC_CONFLICT "document_superseded"); the programme and kind are the
 * document's. */
cc_status consent_store_record(db *d, arena *a, const store_actor *actor, const consent_new *n,
                               int64_t *id, cc_error *err);
/* CC_NOT_FOUND "consent" when the patient has no consent id; CC_CONFLICT
 * "already_withdrawn". */
cc_status consent_store_withdraw(db *d, const store_actor *actor, int64_t patient_id, int64_t id,
                                 const char *reason, cc_error *err);
cc_status consent_store_state(db *d, int64_t patient_id, const char *protocol_id, const char *kind,
                              consent_state *out, cc_error *err);
/* The patient's consents, newest first, each with its document's version,
 * language and title, as a JSON array; CC_NOT_FOUND "id" for no such
 * patient. */
cc_status consent_store_patient_json(db *d, int64_t patient_id, buf *out, cc_error *err);
/* One consent as a JSON object (CC_NOT_FOUND "id"). */
cc_status consent_store_consent_json(db *d, int64_t id, buf *out, cc_error *err);

#endif
