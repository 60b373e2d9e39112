/*
 * laboratory: the cell laboratory's use cases (batch release and rejection,
 * units made in a batch, every move of a unit, donor eligibility, QC
 * results) and the expiry of units (H3).
 *
 * Each use case is one write transaction: it begins it (db_tx_begin), reads
 * inside it every fact it decides on, asks core (lab_rules, unit_state,
 * qc_spec), writes each change with its audit entry through the store, and
 * ends it (db_tx_end): committed when everything held, rolled back
 * otherwise, with core's refusal in err (CC_CONFLICT with a stable code for
 * a refused state change, CC_INVALID naming the field, CC_NOT_FOUND naming
 * the id). Two clients acting on the same batch or unit are serialised by
 * the transaction: the second one decides on what the first one wrote.
 *
 * Expiry (H3): every use case that moves a unit first moves, in the same
 * transaction, every unit whose expiry has passed to "expired"
 * (app_lab_expire_due), so it decides on up-to-date states, and does so
 * again after its change (a unit returned to the lab past its expiry is
 * expired at once). The expiry does not depend on the action: when the
 * action is refused and rolled back, the due expiries are recorded again
 * on their own.
 *
 * Electronic signatures are checked by the caller (api/signature.h) before
 * the call. today is the caller's calendar date (UTC). Text arguments are
 * borrowed for the call. Not thread-safe: one app_ctx (one db) per thread.
 */
#ifndef CC_APP_LABORATORY_H
#define CC_APP_LABORATORY_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/date.h"
#include "core/qc_spec.h"
#include "store/lab.h"
#include "store/lab_release.h"

/* Moves every unit still in the lab whose expiry is before today to
 * expired, as the system's change (custody event and audit entry each);
 * *n receives how many. Joins a transaction already open on ctx->d. */
cc_status app_lab_expire_due(app_ctx *ctx, cc_date today, int64_t *n, cc_error *err);

/* QA release: the batch must be in process (lab_check_batch_open) and ready
 * (lab_batch_readiness, H2, H13), else CC_CONFLICT "release_blocked" with
 * *out filled. Its quarantined units move to released. meaning: the
 * meaning of the signature, recorded as the decision's reason. */
cc_status app_lab_batch_release(app_ctx *ctx, int64_t batch_id, const char *meaning, cc_date today,
                                lab_readiness *out, cc_error *err);

/* QA rejection with a reason (required): the batch must be in process; its
 * quarantined units are discarded. */
cc_status app_lab_batch_reject(app_ctx *ctx, int64_t batch_id, const char *reason, cc_date today,
                               cc_error *err);

/* A QC result of a batch in process, judged by core (lab_check_qc_result:
 * a test of the batch's specification, a final result with its value);
 * *verdict receives the verdict. */
cc_status app_lab_batch_add_qc(app_ctx *ctx, int64_t batch_id, const qc_result *r,
                               bool detected_given, bool value_given, const char *method,
                               const char *tested_on, int64_t *id, qc_verdict *verdict,
                               cc_error *err);

/* A quarantined unit of a batch in process (lab_check_unit_create: open
 * batch, licensed product code of the batch's product type, free division),
 * with a new DIN of the site's FIN (CC_NOT_FOUND "fin_not_configured"). */
cc_status app_lab_unit_create(app_ctx *ctx, int64_t batch_id, const lab_unit_fields *f, int64_t *id,
                              cc_error *err);

/* One state change of a unit (release, restock, reserve, unreserve, issue,
 * return, hold, discard): core decides (lab_decide_unit_action) on the unit,
 * its batch's release check and the patient's record, read here. */
cc_status app_lab_unit_act(app_ctx *ctx, int64_t unit_id, const lab_unit_request *r, cc_date today,
                           cc_error *err);

/* Moves a unit in the lab's storage (core lab_check_unit_move: CC_CONFLICT
 * "not_in_lab"; the store: "position_taken"). */
cc_status app_lab_unit_move(app_ctx *ctx, int64_t unit_id, const char *freezer, const char *rack,
                            const char *box, const char *position, const char *note, cc_date today,
                            cc_error *err);

/* Cryopreservation and thaw (H14): the unit's freezing and thaw facts are
 * read in the write transaction and core decides (lab_check_freezing,
 * lab_check_thaw against now, the store clock); CC_NOT_FOUND "id" for an
 * unknown unit. */
cc_status app_lab_unit_freeze(app_ctx *ctx, int64_t unit_id, const lab_freezing_new *n,
                              cc_date today, int64_t *id, cc_error *err);
/* The same freezing for every unit of a batch that has none and is still
 * in use (lab_batch_units_to_freeze): CC_NOT_FOUND "id" for an unknown
 * batch, CC_CONFLICT "nothing_to_freeze" when no unit qualifies; *n
 * receives how many were recorded. */
cc_status app_lab_batch_freeze(app_ctx *ctx, int64_t batch_id, const lab_freezing_new *f,
                               cc_date today, size_t *n, cc_error *err);
cc_status app_lab_unit_thaw(app_ctx *ctx, int64_t unit_id, const lab_thaw_new *n, cc_date today,
                            int64_t *id, cc_error *err);
/* One product type's post-thaw window (1..168 hours) and minimum viability
 * (0..1000 tenths of a percent): CC_INVALID naming "post_thaw_hours" or
 * "min_viability_percent" (lab_check_cryo_settings). */
cc_status app_lab_cryo_settings_set(app_ctx *ctx, const char *product_type, int post_thaw_hours,
                                    int min_viability_tenths, cc_error *err);

/* The donor's eligibility determination (donor_check_eligibility over the
 * stored consent, results, collection dates and the panel of the donor's
 * kind, H13): a reason is required to change a signed determination or to
 * decide "ineligible" (CC_INVALID "reason_required"); an unknown decision
 * is CC_INVALID (field "decision"). */
cc_status app_lab_donor_decide(app_ctx *ctx, int64_t donor_id, const char *decision,
                               const char *reason, cc_error *err);
/* A new collection, and in the same transaction the donor's signed
 * "eligible" set back to "incomplete" (audited, the verdict as reason) when
 * the results no longer satisfy donor_check_eligibility with this
 * collection's date: a sample outside its window must not pass release (H13). */
cc_status app_lab_collection_create(app_ctx *ctx, const lab_collection_fields *f, int64_t *id,
                                    cc_error *err);
/* One donor kind's panel (donor_panel_check; CC_INVALID "invalid_value"
 * field "kind" for an unknown kind). */
cc_status app_lab_donor_panel_set(app_ctx *ctx, const char *kind, const donor_panel *p,
                                  cc_error *err);

/* The laboratory's records whose checks are the store's own (formats,
 * existence, uniqueness, a batch still in process, a reason to change a
 * signed donor): each one write transaction with its audit entry, the
 * store's (store/lab.h). */
cc_status app_lab_site_set_fin(app_ctx *ctx, const char *fin, cc_error *err);
/* The site's FIN and the facility its labels name, in one transaction: fin
 * (when not NULL) first, then the facility fields that are not NULL
 * (lab_site_set_facility). */
typedef struct {
    const char *fin, *facility_name, *facility_address, *label_language;
} app_lab_site_fields;
cc_status app_lab_site_set(app_ctx *ctx, const app_lab_site_fields *f, cc_error *err);
cc_status app_lab_product_code_add(app_ctx *ctx, const char *code, const char *product_type,
                                   const char *description, int64_t *id, cc_error *err);
cc_status app_lab_product_code_set_active(app_ctx *ctx, int64_t id, bool active, cc_error *err);
/* The next DIN of fin for year (00-99) from this database's counter, the one
 * the laboratory's units use (`cellclinic isbt128 new`). */
cc_status app_lab_din_allocate(app_ctx *ctx, const char *fin, int year, isbt128_din *out,
                               cc_error *err);
cc_status app_lab_donor_create(app_ctx *ctx, const lab_donor_fields *f, int64_t *id, cc_error *err);
cc_status app_lab_donor_set_consent(app_ctx *ctx, int64_t id, int64_t version,
                                    const char *consent_date, const char *consent_reference,
                                    const char *reason, cc_error *err);
cc_status app_lab_donor_add_test(app_ctx *ctx, int64_t donor_id, const char *test,
                                 const char *result, const char *sampled_on, const char *reason,
                                 int64_t *id, cc_error *err);
cc_status app_lab_batch_create(app_ctx *ctx, const char *product_type,
                               const int64_t *collection_ids, size_t n, int64_t *id, cc_error *err);
cc_status app_lab_batch_add_step(app_ctx *ctx, int64_t batch_id, const lab_step_fields *f,
                                 int64_t *id, cc_error *err);
cc_status app_lab_batch_open_deviation(app_ctx *ctx, int64_t batch_id, const char *description,
                                       int64_t *id, cc_error *err);
cc_status app_lab_batch_close_deviation(app_ctx *ctx, int64_t batch_id, int64_t deviation_id,
                                        const char *disposition, cc_error *err);
cc_status app_lab_unit_note_event(app_ctx *ctx, int64_t unit_id, const char *event,
                                  const char *note, cc_error *err);

/* Ships a unit of the caller's site to the site of code to_site (CC_INVALID
 * field "to_site" when there is none), or receives at the caller's site a
 * unit shipped to it with the temperature on arrival (store/lab.h). */
cc_status app_lab_unit_ship(app_ctx *ctx, int64_t unit_id, const char *to_site, const char *note,
                            cc_error *err);
cc_status app_lab_unit_receive(app_ctx *ctx, int64_t unit_id, int temperature_dc, const char *note,
                               bool *quarantined, cc_error *err);

#endif
