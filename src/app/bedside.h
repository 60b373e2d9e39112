/*
 * app/bedside: the bedside use cases: check before giving, record the
 * administration, vital signs, completion.
 *
 * app_bedside_verify is read-only: in one read transaction it reads every
 * fact (the planned administration from the stored plan and its pinned
 * protocol version, the patient's MRN and newest weight, the units by their
 * scanned DINs, the last lumbar puncture, whether the item is already
 * recorded, and for H16 the newest platelet count, INR and aPTT among the
 * patient's screenings and the medication list) and asks core bedside_verify. It changes nothing.
 *
 * app_bedside_administer does the same inside the write transaction, after
 * the expiry sweep (H3: units due turn expired, joining the transaction):
 * when core says go it records the administration, moves each unit to
 * administered with its custody event and lookback link, writes the audit
 * entry, and moves the plan through core/plan_state (approved -> in_progress
 * at its first administration, in_progress -> completed when its last
 * planned administration is recorded), then commits. Two clients giving the
 * same planned administration, or two lumbar punctures inside the spacing,
 * are serialized by the transaction: the second reads the first's record
 * and core refuses it (H5, H12). On refusal everything is rolled back and
 * the call returns CC_CONFLICT code "bedside_refused" (field and message of
 * the first reason, in the context's language) with every reason in
 * out->verdict.
 *
 * Who: the operator is the context's actor; an override counts only from a
 * physician (the context's role). The second verifier's password is checked
 * by the caller before the call (the interface owns the throttle); pass the
 * verifier's id and name.
 *
 * Errors besides refusals: CC_NOT_FOUND "plan_id" or "item" (404),
 * CC_STORAGE, CC_INTERNAL "corrupt_plan". Memory from the context's arena;
 * out's strings live as long as it. Not thread-safe (one app_ctx per thread).
 */
#ifndef CC_APP_BEDSIDE_H
#define CC_APP_BEDSIDE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/bedside.h"
#include "core/vitals.h"

enum { APP_BEDSIDE_WINDOW_DAYS = 1 };

typedef struct {
    const char *din, *product_code; /* as scanned */
} app_bedside_scan;

typedef struct {
    int64_t plan_id;
    int item;
    const char *wristband, *route;
    app_bedside_scan units[BEDSIDE_MAX_UNITS];
    size_t n_units;
    int64_t started_at; /* seconds */
    cc_date today;
    const char *override_reason; /* NULL: no override asked */
    int64_t second_verifier_id;  /* 0: none */
    const char *second_verifier_name;
    const char *site, *premedication, *notes, *operators; /* NULL: none */
} app_bedside_request;

typedef struct {
    bedside_verdict verdict;
    /* the prescription as read */
    char plan_ref[BEDSIDE_REF_MAX], route[16], product_type[16], planned_date[CC_DATE_TEXT];
    const char *dose_unit; /* "cells" or "microlitres" */
    uint64_t dose, dose_min, dose_max;
    int64_t patient_id;
    const char *patient_mrn, *family_name, *given_names;
    int64_t administration_id; /* administer: the record; 0 when refused */
} app_bedside_result;

cc_status app_bedside_verify(app_ctx *c, const app_bedside_request *rq, app_bedside_result *out,
                             cc_error *err);
cc_status app_bedside_administer(app_ctx *c, const app_bedside_request *rq, app_bedside_result *out,
                                 cc_error *err);

/* Records vital signs of administration id with core's abnormal findings
 * (in the context's language and both languages); *abnormal receives them
 * as a JSON array (the caller owns the reference). CC_NOT_FOUND "id". */
cc_status app_bedside_vitals(app_ctx *c, int64_t administration_id, const char *phase,
                             int64_t taken_at, const vitals *v, json_t **abnormal, int64_t *id,
                             cc_error *err);

/* Ends administration id at ended_at with its observation tasks (core).
 * CC_NOT_FOUND "id"; CC_CONFLICT "wrong_state" when already completed. */
cc_status app_bedside_complete(app_ctx *c, int64_t administration_id, int64_t ended_at,
                               const char *premedication, const char *notes, const char *operators,
                               cc_error *err);

#endif
