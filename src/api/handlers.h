/*
 * handlers: every resource handler of the route table, one file per
 * resource (h_session.c, h_patients.c, h_consults.c, h_audit.c).
 * Each follows request.h: validate, decide, persist with audit, reply.
 */
#ifndef CC_HANDLERS_H
#define CC_HANDLERS_H

#include "api/request.h"

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

cc_status h_patient_list(api_request *req, cc_error *err);
cc_status h_patient_create(api_request *req, cc_error *err);
cc_status h_patient_get(api_request *req, cc_error *err);
cc_status h_patient_update(api_request *req, cc_error *err);
cc_status h_patient_add_weight(api_request *req, cc_error *err);
cc_status h_patient_add_condition(api_request *req, cc_error *err);

cc_status h_consult_create(api_request *req, cc_error *err);
cc_status h_consult_list(api_request *req, cc_error *err);
cc_status h_consult_get(api_request *req, cc_error *err);
cc_status h_consult_convert(api_request *req, cc_error *err);
cc_status h_consult_decline(api_request *req, cc_error *err);

cc_status h_audit_list(api_request *req, cc_error *err);

/* issue 6: outcome instruments (h_outcomes.c) */
cc_status h_isncsci_classify(api_request *req, cc_error *err);
cc_status h_instrument_list(api_request *req, cc_error *err);
cc_status h_instrument_get(api_request *req, cc_error *err);
cc_status h_instrument_score(api_request *req, cc_error *err);
cc_status h_observation_list(api_request *req, cc_error *err);
cc_status h_observation_create(api_request *req, cc_error *err);

#endif
