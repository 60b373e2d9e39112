/*
 * handlers: every resource handler of the route table, one file per
 * resource (h_session.c, h_patients.c, h_administrations.c, ...).
 * Each follows request.h and docs/layers.md: check the body against its
 * field table and the path and query arguments, check an electronic
 * signature where the route needs one (api/signature.h), call the app use
 * case that decides and writes in one transaction (api/app_context.h gives
 * its context), and render its result or its refusal. A handler holds no
 * SQL and no rule; read views come from the app or store read functions.
 * The steps handlers share (id and body, record and list replies, Location,
 * signature) are single calls in api/handler_steps.h.
 */
#ifndef CC_HANDLERS_H
#define CC_HANDLERS_H

#include "api/request.h"
#include "api/signature.h"
#include "core/buf.h"
#include "core/date.h"

cc_status h_health(api_request *req, cc_error *err);

cc_status h_session_create(api_request *req, cc_error *err);
cc_status h_session_get(api_request *req, cc_error *err);
cc_status h_session_delete(api_request *req, cc_error *err);
cc_status h_session_preferences(api_request *req, cc_error *err);
cc_status h_token_create(api_request *req, cc_error *err);
cc_status h_token_list(api_request *req, cc_error *err);
cc_status h_token_revoke(api_request *req, cc_error *err);
cc_status h_user_list(api_request *req, cc_error *err);
cc_status h_user_create(api_request *req, cc_error *err);
cc_status h_user_disable(api_request *req, cc_error *err);
cc_status h_user_enable(api_request *req, cc_error *err);
cc_status h_user_set_role(api_request *req, cc_error *err);
cc_status h_user_reset_password(api_request *req, cc_error *err);
cc_status h_user_end_sessions(api_request *req, cc_error *err);
cc_status h_password_change(api_request *req, cc_error *err);
cc_status h_own_session_list(api_request *req, cc_error *err);
cc_status h_own_session_end(api_request *req, cc_error *err);
cc_status h_mfa_get(api_request *req, cc_error *err);
cc_status h_mfa_enrol(api_request *req, cc_error *err);
cc_status h_mfa_confirm(api_request *req, cc_error *err);
cc_status h_mfa_reset(api_request *req, cc_error *err);
cc_status h_mfa_policy_get(api_request *req, cc_error *err);
cc_status h_mfa_policy_set(api_request *req, cc_error *err);

cc_status h_patient_list(api_request *req, cc_error *err);
cc_status h_patient_create(api_request *req, cc_error *err);
cc_status h_patient_get(api_request *req, cc_error *err);
void h_patient_prefetch(api_request *req);
cc_status h_patient_timeline(api_request *req, cc_error *err);
cc_status h_patient_update(api_request *req, cc_error *err);
cc_status h_patient_add_weight(api_request *req, cc_error *err);
cc_status h_patient_add_condition(api_request *req, cc_error *err);
cc_status h_patient_erasure_request(api_request *req, cc_error *err);
cc_status h_medication_add(api_request *req, cc_error *err);
cc_status h_medication_stop(api_request *req, cc_error *err);
cc_status h_allergy_add(api_request *req, cc_error *err);
/* consent documents and patients' consents (H15) */
cc_status h_consent_document_list(api_request *req, cc_error *err);
cc_status h_consent_document_get(api_request *req, cc_error *err);
cc_status h_consent_document_create(api_request *req, cc_error *err);
cc_status h_patient_consent_list(api_request *req, cc_error *err);
cc_status h_patient_consent_create(api_request *req, cc_error *err);
cc_status h_patient_consent_withdraw(api_request *req, cc_error *err);

cc_status h_consult_create(api_request *req, cc_error *err);
cc_status h_consult_list(api_request *req, cc_error *err);
cc_status h_consult_get(api_request *req, cc_error *err);
cc_status h_consult_convert(api_request *req, cc_error *err);
cc_status h_consult_decline(api_request *req, cc_error *err);

cc_status h_audit_list(api_request *req, cc_error *err);
cc_status h_security_event_list(api_request *req, cc_error *err);
cc_status h_access_log_list(api_request *req, cc_error *err);

/* outcome instruments (h_outcomes.c) */
cc_status h_isncsci_classify(api_request *req, cc_error *err);
cc_status h_instrument_list(api_request *req, cc_error *err);
cc_status h_instrument_get(api_request *req, cc_error *err);
cc_status h_instrument_score(api_request *req, cc_error *err);
cc_status h_observation_list(api_request *req, cc_error *err);
cc_status h_observation_create(api_request *req, cc_error *err);
/* laboratory */
cc_status h_lab_site_get(api_request *req, cc_error *err);
cc_status h_lab_site_set(api_request *req, cc_error *err);
cc_status h_lab_product_code_add(api_request *req, cc_error *err);
cc_status h_lab_product_code_update(api_request *req, cc_error *err);

cc_status h_donor_list(api_request *req, cc_error *err);
cc_status h_donor_create(api_request *req, cc_error *err);
cc_status h_donor_get(api_request *req, cc_error *err);
cc_status h_donor_update(api_request *req, cc_error *err);
cc_status h_donor_add_test(api_request *req, cc_error *err);
cc_status h_donor_eligibility(api_request *req, cc_error *err);

cc_status h_collection_list(api_request *req, cc_error *err);
cc_status h_collection_create(api_request *req, cc_error *err);
cc_status h_collection_get(api_request *req, cc_error *err);

cc_status h_batch_list(api_request *req, cc_error *err);
cc_status h_batch_create(api_request *req, cc_error *err);
cc_status h_batch_get(api_request *req, cc_error *err);
cc_status h_batch_add_step(api_request *req, cc_error *err);
cc_status h_batch_open_deviation(api_request *req, cc_error *err);
cc_status h_batch_close_deviation(api_request *req, cc_error *err);
cc_status h_batch_add_qc(api_request *req, cc_error *err);
cc_status h_batch_release(api_request *req, cc_error *err);
cc_status h_batch_reject(api_request *req, cc_error *err);
cc_status h_batch_add_unit(api_request *req, cc_error *err);

cc_status h_unit_list(api_request *req, cc_error *err);
/* pickers (h_picker.c): patients by MRN and name only; a patient's
 * planned administrations not given yet */
cc_status h_patient_lookup(api_request *req, cc_error *err);
cc_status h_planned_administrations(api_request *req, cc_error *err);
cc_status h_unit_get(api_request *req, cc_error *err);
cc_status h_storage_map(api_request *req, cc_error *err);
cc_status h_unit_reserve(api_request *req, cc_error *err);
cc_status h_unit_unreserve(api_request *req, cc_error *err);
cc_status h_unit_issue(api_request *req, cc_error *err);
cc_status h_unit_return(api_request *req, cc_error *err);
cc_status h_unit_hold(api_request *req, cc_error *err);
cc_status h_unit_discard(api_request *req, cc_error *err);
cc_status h_unit_release(api_request *req, cc_error *err);
cc_status h_unit_restock(api_request *req, cc_error *err);
cc_status h_unit_move(api_request *req, cc_error *err);
cc_status h_unit_custody(api_request *req, cc_error *err);
cc_status h_unit_freeze(api_request *req, cc_error *err);
cc_status h_batch_freeze(api_request *req, cc_error *err);
cc_status h_unit_thaw(api_request *req, cc_error *err);
cc_status h_cryo_settings_get(api_request *req, cc_error *err);
cc_status h_cryo_settings_set(api_request *req, cc_error *err);
cc_status h_donor_panels_get(api_request *req, cc_error *err);
cc_status h_donor_panels_set(api_request *req, cc_error *err);
cc_status h_unit_label_pdf(api_request *req, cc_error *err);
cc_status h_unit_label_png(api_request *req, cc_error *err);

cc_status h_lookback_donor(api_request *req, cc_error *err);
cc_status h_lookback_collection(api_request *req, cc_error *err);
cc_status h_lookback_batch(api_request *req, cc_error *err);
cc_status h_lookback_patient(api_request *req, cc_error *err);

/* programmes */
cc_status h_protocol_list(api_request *req, cc_error *err);
cc_status h_protocol_get(api_request *req, cc_error *err);
cc_status h_protocol_publish(api_request *req, cc_error *err);
cc_status h_screening_tests(api_request *req, cc_error *err);
cc_status h_screening_create(api_request *req, cc_error *err);
cc_status h_screening_get(api_request *req, cc_error *err);
cc_status h_screening_decide(api_request *req, cc_error *err);
cc_status h_patient_screenings(api_request *req, cc_error *err);
cc_status h_plan_create(api_request *req, cc_error *err);
cc_status h_plan_list(api_request *req, cc_error *err);
cc_status h_plan_get(api_request *req, cc_error *err);
cc_status h_plan_approve(api_request *req, cc_error *err);
cc_status h_plan_cancel(api_request *req, cc_error *err);
cc_status h_plan_move_item(api_request *req, cc_error *err);
cc_status h_plan_shift(api_request *req, cc_error *err);
cc_status h_capacity_get(api_request *req, cc_error *err);
cc_status h_capacity_update(api_request *req, cc_error *err);

/* bedside (h_administrations.c, h_worklist.c, h_adverse_events.c) */
cc_status h_worklist(api_request *req, cc_error *err);
/* Appends to items the worklist entries (h_worklist's "administrations"
 * objects) of the approved plans' planned administrations dated from..to
 * (inclusive), plus, with_overdue, the earlier ones not yet given; ward NULL
 * or "" means every ward. items is not freed on error. */
cc_status api_worklist_administrations(api_request *req, cc_date from, cc_date to,
                                       bool with_overdue, const char *ward, json_t *items,
                                       cc_error *err);
cc_status h_administration_verify(api_request *req, cc_error *err);
cc_status h_administration_create(api_request *req, cc_error *err);
cc_status h_administration_list(api_request *req, cc_error *err);
cc_status h_administration_get(api_request *req, cc_error *err);
cc_status h_administration_vitals(api_request *req, cc_error *err);
cc_status h_administration_complete(api_request *req, cc_error *err);
cc_status h_administration_task_done(api_request *req, cc_error *err);
cc_status h_patient_wristband_pdf(api_request *req, cc_error *err);
cc_status h_patient_wristband_png(api_request *req, cc_error *err);
cc_status h_bedside_settings_get(api_request *req, cc_error *err);
cc_status h_bedside_settings_set(api_request *req, cc_error *err);
cc_status h_ae_terms(api_request *req, cc_error *err);
cc_status h_ae_deadlines(api_request *req, cc_error *err);
cc_status h_ae_list(api_request *req, cc_error *err);
cc_status h_ae_create(api_request *req, cc_error *err);
cc_status h_ae_get(api_request *req, cc_error *err);
cc_status h_ae_update(api_request *req, cc_error *err);
cc_status h_ae_assess(api_request *req, cc_error *err);
cc_status h_ae_report(api_request *req, cc_error *err);

/* follow-up, patient questionnaire links, outcome report */
cc_status h_followup_sync(api_request *req, cc_error *err);
cc_status h_followup_list(api_request *req, cc_error *err);
cc_status h_followup_get(api_request *req, cc_error *err);
cc_status h_followup_resolve(api_request *req, cc_error *err);
cc_status h_followup_contact(api_request *req, cc_error *err);
cc_status h_followup_link(api_request *req, cc_error *err);
cc_status h_clinic_site_get(api_request *req, cc_error *err);
cc_status h_clinic_site_set(api_request *req, cc_error *err);
cc_status h_site_list(api_request *req, cc_error *err);
cc_status h_site_create(api_request *req, cc_error *err);
cc_status h_site_update(api_request *req, cc_error *err);
cc_status h_session_site(api_request *req, cc_error *err);
cc_status h_user_sites_get(api_request *req, cc_error *err);
cc_status h_user_sites_set(api_request *req, cc_error *err);
cc_status h_unit_ship(api_request *req, cc_error *err);
cc_status h_unit_receive(api_request *req, cc_error *err);
cc_status h_followup_settings_get(api_request *req, cc_error *err);
cc_status h_followup_settings_update(api_request *req, cc_error *err);
cc_status h_questionnaire_get(api_request *req, cc_error *err);
cc_status h_questionnaire_draft(api_request *req, cc_error *err);
cc_status h_questionnaire_submit(api_request *req, cc_error *err);
cc_status h_report_outcomes(api_request *req, cc_error *err);
cc_status h_report_chart(api_request *req, cc_error *err);
cc_status h_report_settings_get(api_request *req, cc_error *err);
cc_status h_report_settings_update(api_request *req, cc_error *err);

/* the dashboard (h_dashboard.c) */
cc_status h_dashboard(api_request *req, cc_error *err);
/* Parses a store view (JSON text in b) into a new value released with the
 * request; CC_TOO_LARGE when b overflowed, CC_INTERNAL when it is not JSON
 * (h_followup.c). */
cc_status api_parse_view(api_request *req, const buf *b, json_t **out, cc_error *err);
/* Adds the worklist "state" (core followup_state_of on day today) and
 * "days_overdue" to a visit object of followup_store_list (h_followup.c). */
void api_followup_add_state(json_t *visit, cc_date today);

#endif
