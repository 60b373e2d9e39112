/*
 * app/consents: the use cases of patient informed consent (hazard H15).
 *
 * app_consent_add_document stores a new version of a consent document
 * (programme, kind, language, title, text); the programme must be a
 * published protocol. app_consent_record records a patient's signature of
 * the newest version of a document: on the tablet (mode "tablet": signed
 * today, the witness is the acting staff member, whose password the caller
 * has checked through the one signature control, api/signature.h) or from a
 * signed paper copy (mode "paper": the paper's date, not in the future, and
 * a filing reference). A guardian signs with their relation to the patient.
 * app_consent_withdraw withdraws a current consent with a reason; the
 * record stays, with its audit entry.
 *
 * app_consent_require_treatment is H15's check for the plan approval: it
 * reads, in the caller's write transaction, whether the patient has a
 * current treatment consent for the programme: CC_CONFLICT field "consent"
 * "consent_missing" (never signed) or "consent_withdrawn" otherwise.
 *
 * Errors: CC_INVALID naming the field for bad input ("invalid_value",
 * "required", the text checks); CC_NOT_FOUND "patient_id", "document_id",
 * "consent", "protocol"; CC_CONFLICT "document_superseded", "consent_exists",
 * "already_withdrawn". Each use case is one write transaction with its
 * audit entries. Not thread-safe (one app_ctx per thread).
 */
#ifndef CC_APP_CONSENTS_H
#define CC_APP_CONSENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/date.h"
#include "store/consents.h"

/* The kinds of consent, in display order. */
extern const char *const APP_CONSENT_KINDS[3];

cc_status app_consent_add_document(app_ctx *c, const consent_document_new *n, int64_t *id,
                                   int *version, cc_error *err);

typedef struct {
    int64_t patient_id, document_id;
    const char *signer, *signer_name, *signer_relation; /* relation: a guardian's, else NULL */
    const char *mode;                                   /* "tablet" or "paper" */
    const char *paper_date, *paper_reference;           /* paper only */
} app_consent_new;

cc_status app_consent_record(app_ctx *c, const app_consent_new *n, cc_date today, int64_t *id,
                             cc_error *err);

cc_status app_consent_withdraw(app_ctx *c, int64_t patient_id, int64_t id, const char *reason,
                               cc_error *err);

/* The demonstration (`cellclinic demo`, a context from app_ctx_demo):
 * app_consent_demo_documents stores, for every published programme without
 * one, a version 1 of each kind in English and in French, its text marked
 * as a demonstration; app_consent_demo_patient records the consents of one
 * synthetic patient (CC_INVALID "patient_id" "not_synthetic" otherwise),
 * signed on paper by the patient on signed_on in the patient's language:
 * treatment and follow-up contact, and research when asked. */
cc_status app_consent_demo_documents(app_ctx *c, cc_error *err);
cc_status app_consent_demo_patient(app_ctx *c, int64_t patient_id, const char *protocol_id,
                                   cc_date signed_on, bool research, cc_error *err);

cc_status app_consent_require_treatment(app_ctx *c, int64_t patient_id, const char *protocol_id,
                                        cc_error *err);

#endif
