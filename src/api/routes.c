#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "api/handlers.h"

enum {
    CLINICAL = ROLE_ADMIN | ROLE_COORDINATOR | ROLE_PHYSICIAN | ROLE_NURSE,
    FRONT_DESK = ROLE_ADMIN | ROLE_COORDINATOR,
    PUBLIC_FORM_LIMIT = 16 << 10,
    /* laboratory: lab writes, qa releases, physician and nurse read */
    LAB_READ = ROLE_LAB | ROLE_QA | ROLE_PHYSICIAN | ROLE_NURSE,
    LAB_WRITE = ROLE_LAB,
    LAB_SIGN = ROLE_QA,
    /* bedside: physicians and nurses give, record and report */
    BEDSIDE = ROLE_PHYSICIAN | ROLE_NURSE,
};

/* The permission column is mandatory: a zero roles value denies everyone. */
const api_route api_routes[] = {
    {"GET", "/healthz", h_health, ROLE_PUBLIC, 0, ROUTE_NO_DB},
    {"POST", "/api/v1/session", h_session_create, ROLE_PUBLIC, 0, 0},
    {"GET", "/api/v1/session", h_session_get, ROLES_ANY, 0,
     ROUTE_PASSWORD_CHANGE | ROUTE_MFA_ENROLMENT},
    {"DELETE", "/api/v1/session", h_session_delete, ROLES_ANY, 0,
     ROUTE_PASSWORD_CHANGE | ROUTE_MFA_ENROLMENT},
    {"POST", "/api/v1/session/password", h_password_change, ROLES_ANY, 0, ROUTE_PASSWORD_CHANGE},
    {"GET", "/api/v1/sessions", h_own_session_list, ROLES_ANY, 0, ROUTE_READ_ONLY},
    {"DELETE", "/api/v1/sessions/{id}", h_own_session_end, ROLES_ANY, 0, 0},
    {"PATCH", "/api/v1/session/preferences", h_session_preferences, ROLES_ANY, 0,
     ROUTE_MFA_ENROLMENT},
    /* multi-factor login: enrolment, an administrator's reset, the policy */
    {"GET", "/api/v1/mfa", h_mfa_get, ROLES_ANY, 0, ROUTE_READ_ONLY | ROUTE_MFA_ENROLMENT},
    {"POST", "/api/v1/mfa/enrol", h_mfa_enrol, ROLES_ANY, 0, ROUTE_MFA_ENROLMENT},
    {"POST", "/api/v1/mfa/confirm", h_mfa_confirm, ROLES_ANY, 0, ROUTE_MFA_ENROLMENT},
    {"GET", "/api/v1/mfa/policy", h_mfa_policy_get, ROLE_ADMIN, 0, ROUTE_READ_ONLY},
    {"PUT", "/api/v1/mfa/policy", h_mfa_policy_set, ROLE_ADMIN, 0, 0},
    {"DELETE", "/api/v1/users/{id}/mfa", h_mfa_reset, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/tokens", h_token_create, ROLE_PUBLIC, 0, 0},
    {"GET", "/api/v1/tokens", h_token_list, ROLES_ANY, 0, ROUTE_READ_ONLY},
    {"DELETE", "/api/v1/tokens/{id}", h_token_revoke, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/patients", h_patient_list, CLINICAL, 0, ROUTE_READ_ONLY | ROUTE_ACCESS_LIST},
    {"POST", "/api/v1/patients", h_patient_create, FRONT_DESK, 0, 0},
    {"GET", "/api/v1/patients/{id}", h_patient_get, CLINICAL, 0,
     ROUTE_READ_ONLY | ROUTE_ACCESS_RECORD | ROUTE_SITE_IN_HANDLER},
    {"GET", "/api/v1/patients/{id}/timeline", h_patient_timeline, CLINICAL, 0,
     ROUTE_READ_ONLY | ROUTE_ACCESS_RECORD},
    {"PATCH", "/api/v1/patients/{id}", h_patient_update, FRONT_DESK | ROLE_PHYSICIAN, 0, 0},
    {"POST", "/api/v1/patients/{id}/weights", h_patient_add_weight, CLINICAL, 0, 0},
    {"POST", "/api/v1/patients/{id}/erasure-requests", h_patient_erasure_request, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/patients/{id}/conditions", h_patient_add_condition,
     FRONT_DESK | ROLE_PHYSICIAN, 0, 0},
    /* concomitant medications and allergies (H16) */
    {"POST", "/api/v1/patients/{id}/medications", h_medication_add, BEDSIDE, 0, 0},
    {"POST", "/api/v1/patients/{id}/medications/{medication}/stop", h_medication_stop, BEDSIDE, 0,
     0},
    {"POST", "/api/v1/patients/{id}/allergies", h_allergy_add, BEDSIDE, 0, 0},
    {"POST", "/api/v1/consultation-requests", h_consult_create, ROLE_PUBLIC, PUBLIC_FORM_LIMIT, 0},
    {"GET", "/api/v1/consultation-requests", h_consult_list, FRONT_DESK, 0, ROUTE_READ_ONLY},
    {"GET", "/api/v1/consultation-requests/{id}", h_consult_get, FRONT_DESK, 0, ROUTE_READ_ONLY},
    {"POST", "/api/v1/consultation-requests/{id}/convert", h_consult_convert, FRONT_DESK, 0, 0},
    {"POST", "/api/v1/consultation-requests/{id}/decline", h_consult_decline, FRONT_DESK, 0, 0},
    {"GET", "/api/v1/audit", h_audit_list, ROLE_ADMIN | ROLE_QA, 0, ROUTE_READ_ONLY},
    {"GET", "/api/v1/security-events", h_security_event_list, ROLE_ADMIN | ROLE_QA, 0,
     ROUTE_READ_ONLY},
    {"GET", "/api/v1/access-log", h_access_log_list, ROLE_ADMIN | ROLE_QA, 0, ROUTE_READ_ONLY},
    /* outcome instruments: classification, scores, observations */
    {"POST", "/api/v1/isncsci/classify", h_isncsci_classify, ROLES_ANY, 4 << 20, ROUTE_ANY_JSON},
    {"GET", "/api/v1/instruments", h_instrument_list, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/instruments/{id}", h_instrument_get, ROLES_ANY, 0, 0},
    {"POST", "/api/v1/instruments/{id}/score", h_instrument_score, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/patients/{id}/observations", h_observation_list, CLINICAL, 0,
     ROUTE_READ_ONLY | ROUTE_ACCESS_RECORD},
    {"POST", "/api/v1/patients/{id}/observations", h_observation_create,
     ROLE_ADMIN | ROLE_PHYSICIAN | ROLE_NURSE, 0, 0},
    {"GET", "/api/v1/users", h_user_list, ROLE_ADMIN, 0, ROUTE_READ_ONLY},
    {"POST", "/api/v1/users", h_user_create, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/users/{id}/disable", h_user_disable, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/users/{id}/enable", h_user_enable, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/users/{id}/role", h_user_set_role, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/users/{id}/password", h_user_reset_password, ROLE_ADMIN, 0, 0},
    {"DELETE", "/api/v1/users/{id}/sessions", h_user_end_sessions, ROLE_ADMIN, 0, 0},
    /* laboratory: site, donors, collections, batches, units, lookback */
    {"GET", "/api/v1/lab/site", h_lab_site_get, ROLE_ADMIN | ROLE_LAB | ROLE_QA, 0, false},
    {"PUT", "/api/v1/lab/site", h_lab_site_set, ROLE_ADMIN, 0, false},
    {"POST", "/api/v1/lab/product-codes", h_lab_product_code_add, ROLE_ADMIN, 0, false},
    {"PATCH", "/api/v1/lab/product-codes/{id}", h_lab_product_code_update, ROLE_ADMIN, 0, false},
    {"GET", "/api/v1/lab/cryo-settings", h_cryo_settings_get, ROLE_ADMIN | ROLE_LAB | ROLE_QA, 0,
     false},
    {"PUT", "/api/v1/lab/cryo-settings", h_cryo_settings_set, ROLE_ADMIN, 0, false},
    {"GET", "/api/v1/lab/donor-panels", h_donor_panels_get,
     ROLE_ADMIN | ROLE_LAB | ROLE_QA | ROLE_PHYSICIAN, 0, false},
    {"PUT", "/api/v1/lab/donor-panels", h_donor_panels_set, ROLE_ADMIN, 0, false},
    {"GET", "/api/v1/donors", h_donor_list, LAB_READ, 0, false},
    {"POST", "/api/v1/donors", h_donor_create, LAB_WRITE, 0, false},
    {"GET", "/api/v1/donors/{id}", h_donor_get, LAB_READ, 0, false},
    {"PATCH", "/api/v1/donors/{id}", h_donor_update, LAB_WRITE, 0, false},
    {"POST", "/api/v1/donors/{id}/tests", h_donor_add_test, LAB_WRITE, 0, false},
    {"POST", "/api/v1/donors/{id}/eligibility", h_donor_eligibility, ROLE_PHYSICIAN | ROLE_QA, 0,
     false},
    {"GET", "/api/v1/collections", h_collection_list, LAB_READ, 0, false},
    {"POST", "/api/v1/collections", h_collection_create, LAB_WRITE, 0, false},
    {"GET", "/api/v1/collections/{id}", h_collection_get, LAB_READ, 0, false},
    {"GET", "/api/v1/batches", h_batch_list, LAB_READ, 0, false},
    {"POST", "/api/v1/batches", h_batch_create, LAB_WRITE, 0, false},
    {"GET", "/api/v1/batches/{id}", h_batch_get, LAB_READ, 0, false},
    {"POST", "/api/v1/batches/{id}/steps", h_batch_add_step, LAB_WRITE, 0, false},
    {"POST", "/api/v1/batches/{id}/deviations", h_batch_open_deviation, LAB_WRITE | LAB_SIGN, 0,
     false},
    {"POST", "/api/v1/batches/{id}/deviations/{deviation}/close", h_batch_close_deviation, LAB_SIGN,
     0, false},
    {"POST", "/api/v1/batches/{id}/qc", h_batch_add_qc, LAB_WRITE, 0, false},
    {"POST", "/api/v1/batches/{id}/release", h_batch_release, LAB_SIGN, 0, false},
    {"POST", "/api/v1/batches/{id}/reject", h_batch_reject, LAB_SIGN, 0, false},
    {"POST", "/api/v1/batches/{id}/units", h_batch_add_unit, LAB_WRITE, 0, false},
    {"POST", "/api/v1/batches/{id}/freezing", h_batch_freeze, LAB_WRITE, 0, false},
    {"GET", "/api/v1/units", h_unit_list, LAB_READ, 0, false},
    /* pickers: who a patient is (MRN, names) and what is planned for them */
    {"GET", "/api/v1/patient-lookup", h_patient_lookup, CLINICAL | LAB_READ, 0,
     ROUTE_READ_ONLY | ROUTE_ACCESS_LIST},
    {"GET", "/api/v1/planned-administrations", h_planned_administrations, CLINICAL | LAB_WRITE, 0,
     ROUTE_READ_ONLY},
    {"GET", "/api/v1/units/{id}", h_unit_get, LAB_READ, 0, false},
    {"GET", "/api/v1/units/{id}/label.pdf", h_unit_label_pdf, LAB_READ, 0, ROUTE_ACCESS_LABEL},
    {"GET", "/api/v1/units/{id}/label.png", h_unit_label_png, LAB_READ, 0, ROUTE_ACCESS_LABEL},
    {"POST", "/api/v1/units/{id}/reserve", h_unit_reserve, LAB_WRITE, 0, false},
    {"POST", "/api/v1/units/{id}/unreserve", h_unit_unreserve, LAB_WRITE, 0, false},
    {"POST", "/api/v1/units/{id}/issue", h_unit_issue, LAB_WRITE, 0, false},
    {"POST", "/api/v1/units/{id}/return", h_unit_return, LAB_WRITE | ROLE_NURSE, 0, false},
    {"POST", "/api/v1/units/{id}/hold", h_unit_hold, LAB_WRITE | LAB_SIGN, 0, false},
    {"POST", "/api/v1/units/{id}/discard", h_unit_discard, LAB_WRITE | LAB_SIGN, 0, false},
    {"POST", "/api/v1/units/{id}/release", h_unit_release, LAB_SIGN, 0, false},
    {"POST", "/api/v1/units/{id}/restock", h_unit_restock, LAB_SIGN, 0, false},
    {"POST", "/api/v1/units/{id}/move", h_unit_move, LAB_WRITE, 0, false},
    {"POST", "/api/v1/units/{id}/custody", h_unit_custody, LAB_WRITE, 0, false},
    /* between sites: the laboratory ships, the receiving site checks the temperature */
    {"POST", "/api/v1/units/{id}/ship", h_unit_ship, LAB_WRITE, 0, 0},
    {"POST", "/api/v1/units/{id}/receive", h_unit_receive, LAB_WRITE | BEDSIDE, 0, 0},
    {"POST", "/api/v1/units/{id}/freezing", h_unit_freeze, LAB_WRITE, 0, false},
    /* thawed in the lab or at the clinic */
    {"POST", "/api/v1/units/{id}/thaw", h_unit_thaw, LAB_WRITE | ROLE_NURSE, 0, false},
    {"GET", "/api/v1/storage", h_storage_map, LAB_READ, 0, false},
    {"GET", "/api/v1/lookback/donors/{id}", h_lookback_donor, LAB_READ, 0, ROUTE_ACCESS_LOOKBACK},
    {"GET", "/api/v1/lookback/collections/{id}", h_lookback_collection, LAB_READ, 0,
     ROUTE_ACCESS_LOOKBACK},
    {"GET", "/api/v1/lookback/batches/{id}", h_lookback_batch, LAB_READ, 0, ROUTE_ACCESS_LOOKBACK},
    {"GET", "/api/v1/lookback/patients/{id}", h_lookback_patient, LAB_READ, 0,
     ROUTE_ACCESS_LOOKBACK},
    /* programmes: protocols, screenings, treatment plans, capacity */
    {"GET", "/api/v1/protocols", h_protocol_list, ROLES_ANY, 0, 0},
    {"POST", "/api/v1/protocols", h_protocol_publish, ROLE_ADMIN, 0, 0},
    {"GET", "/api/v1/protocols/{id}", h_protocol_get, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/screening-tests", h_screening_tests, ROLES_ANY, 0, 0},
    {"POST", "/api/v1/screenings", h_screening_create, ROLE_ADMIN | ROLE_PHYSICIAN | ROLE_NURSE, 0,
     0},
    {"GET", "/api/v1/screenings/{id}", h_screening_get, CLINICAL, 0, 0},
    {"POST", "/api/v1/screenings/{id}/decision", h_screening_decide, ROLE_PHYSICIAN, 16384, 0},
    {"GET", "/api/v1/patients/{id}/screenings", h_patient_screenings, CLINICAL, 0,
     ROUTE_ACCESS_RECORD},
    {"POST", "/api/v1/plans", h_plan_create, FRONT_DESK | ROLE_PHYSICIAN, 0, 0},
    {"GET", "/api/v1/plans", h_plan_list, CLINICAL, 0, 0},
    {"GET", "/api/v1/plans/{id}", h_plan_get, CLINICAL, 0, 0},
    {"POST", "/api/v1/plans/{id}/approve", h_plan_approve, ROLE_PHYSICIAN, 0, 0},
    {"POST", "/api/v1/plans/{id}/cancel", h_plan_cancel, FRONT_DESK | ROLE_PHYSICIAN, 8192, 0},
    /* a postponed dose, a stay that continues later: physicians only */
    {"POST", "/api/v1/plans/{id}/items/{item}/move", h_plan_move_item, ROLE_PHYSICIAN, 0, 0},
    {"POST", "/api/v1/plans/{id}/shift", h_plan_shift, ROLE_PHYSICIAN, 0, 0},
    {"GET", "/api/v1/capacity", h_capacity_get, CLINICAL, 0, 0},
    {"PATCH", "/api/v1/capacity", h_capacity_update, ROLE_ADMIN, 0, 0},
    /* bedside: worklist, administrations, adverse events */
    {"GET", "/api/v1/worklist", h_worklist, CLINICAL, 0, ROUTE_ACCESS_LIST},
    {"POST", "/api/v1/administrations/verify", h_administration_verify, BEDSIDE, 0, 0},
    {"POST", "/api/v1/administrations", h_administration_create, BEDSIDE, 0, 0},
    {"GET", "/api/v1/administrations", h_administration_list, CLINICAL, 0, ROUTE_ACCESS_LIST},
    {"GET", "/api/v1/administrations/{id}", h_administration_get, CLINICAL, 0, ROUTE_ACCESS_RECORD},
    {"POST", "/api/v1/administrations/{id}/vitals", h_administration_vitals, BEDSIDE, 0, 0},
    {"POST", "/api/v1/administrations/{id}/complete", h_administration_complete, BEDSIDE, 0, 0},
    {"POST", "/api/v1/administrations/{id}/tasks/{task}/done", h_administration_task_done, BEDSIDE,
     0, 0},
    {"GET", "/api/v1/patients/{id}/wristband.pdf", h_patient_wristband_pdf, CLINICAL, 0,
     ROUTE_ACCESS_LABEL},
    {"GET", "/api/v1/patients/{id}/wristband.png", h_patient_wristband_png, CLINICAL, 0,
     ROUTE_ACCESS_LABEL},
    {"GET", "/api/v1/bedside/settings", h_bedside_settings_get, CLINICAL | ROLE_QA, 0, 0},
    {"PUT", "/api/v1/bedside/settings", h_bedside_settings_set, ROLE_ADMIN, 0, 0},
    {"GET", "/api/v1/adverse-events/terms", h_ae_terms, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/adverse-events/deadlines", h_ae_deadlines, CLINICAL | ROLE_QA, 0,
     ROUTE_ACCESS_LIST},
    {"GET", "/api/v1/adverse-events", h_ae_list, CLINICAL | ROLE_QA, 0, ROUTE_ACCESS_LIST},
    {"POST", "/api/v1/adverse-events", h_ae_create, BEDSIDE, 0, 0},
    {"GET", "/api/v1/adverse-events/{id}", h_ae_get, CLINICAL | ROLE_QA, 0, ROUTE_ACCESS_RECORD},
    {"PATCH", "/api/v1/adverse-events/{id}", h_ae_update, BEDSIDE, 0, 0},
    {"POST", "/api/v1/adverse-events/{id}/assessment", h_ae_assess, ROLE_PHYSICIAN, 0, 0},
    {"POST", "/api/v1/adverse-events/{id}/reports", h_ae_report, ROLE_PHYSICIAN | ROLE_QA, 0, 0},
    /* follow-up, patient questionnaire links, outcome report */
    {"POST", "/api/v1/plans/{id}/follow-up/sync", h_followup_sync, FRONT_DESK | ROLE_PHYSICIAN, 0,
     0},
    {"GET", "/api/v1/follow-up", h_followup_list, CLINICAL, 0, ROUTE_READ_ONLY | ROUTE_ACCESS_LIST},
    {"GET", "/api/v1/follow-up-settings", h_followup_settings_get, CLINICAL, 0, ROUTE_READ_ONLY},
    {"PATCH", "/api/v1/follow-up-settings", h_followup_settings_update, ROLE_ADMIN, 0, 0},
    {"GET", "/api/v1/clinic-site", h_clinic_site_get, CLINICAL, 0, ROUTE_READ_ONLY},
    {"PUT", "/api/v1/clinic-site", h_clinic_site_set, ROLE_ADMIN, 0, 0},
    /* sites of a clinic group: a session works in one of its user's sites */
    {"GET", "/api/v1/sites", h_site_list, ROLES_ANY, 0, ROUTE_READ_ONLY},
    {"POST", "/api/v1/sites", h_site_create, ROLE_ADMIN, 0, 0},
    {"PATCH", "/api/v1/sites/{id}", h_site_update, ROLE_ADMIN, 0, 0},
    {"POST", "/api/v1/session/site", h_session_site, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/users/{id}/sites", h_user_sites_get, ROLE_ADMIN, 0, ROUTE_READ_ONLY},
    {"PUT", "/api/v1/users/{id}/sites", h_user_sites_set, ROLE_ADMIN, 0, 0},
    {"GET", "/api/v1/follow-up/{id}", h_followup_get, CLINICAL, 0,
     ROUTE_READ_ONLY | ROUTE_ACCESS_RECORD},
    {"POST", "/api/v1/follow-up/{id}/status", h_followup_resolve, FRONT_DESK | ROLE_PHYSICIAN, 0,
     0},
    {"POST", "/api/v1/follow-up/{id}/contacts", h_followup_contact, CLINICAL, 0, 0},
    {"POST", "/api/v1/follow-up/{id}/links", h_followup_link, CLINICAL, 0, 0},
    {"GET", "/api/v1/questionnaire/{token}", h_questionnaire_get, ROLE_PUBLIC, 0, ROUTE_READ_ONLY},
    {"PUT", "/api/v1/questionnaire/{token}/draft", h_questionnaire_draft, ROLE_PUBLIC,
     PUBLIC_FORM_LIMIT, 0},
    {"POST", "/api/v1/questionnaire/{token}", h_questionnaire_submit, ROLE_PUBLIC,
     PUBLIC_FORM_LIMIT, 0},
    {"GET", "/api/v1/reports/outcomes", h_report_outcomes,
     ROLE_ADMIN | ROLE_PHYSICIAN | ROLE_ANALYST, 0, ROUTE_READ_ONLY | ROUTE_SLOW | ROUTE_REPLICA},
    /* The charts of the outcome report as SVG for the web page:
     * ?kind=trajectory|ais|ae[&measure=INDEX] with the report's own query
     * (protocol, from, to, ...); same roles as the report. */
    {"GET", "/api/v1/reports/outcomes/chart", h_report_chart,
     ROLE_ADMIN | ROLE_PHYSICIAN | ROLE_ANALYST, 0, ROUTE_READ_ONLY | ROUTE_SLOW | ROUTE_REPLICA},
    /* the smallest group an analyst's report shows */
    {"GET", "/api/v1/report-settings", h_report_settings_get,
     ROLE_ADMIN | ROLE_PHYSICIAN | ROLE_ANALYST, 0, ROUTE_READ_ONLY},
    {"PATCH", "/api/v1/report-settings", h_report_settings_update, ROLE_ADMIN, 0, 0},
    /* informed consent (H15): documents versioned per programme, kind and
     * language; a patient's consents, signed on the tablet before a
     * witness or recorded from paper, withdrawn with a reason */
    {"GET", "/api/v1/consent-documents", h_consent_document_list, CLINICAL, 0, ROUTE_READ_ONLY},
    {"POST", "/api/v1/consent-documents", h_consent_document_create, FRONT_DESK, 0, 0},
    {"GET", "/api/v1/consent-documents/{id}", h_consent_document_get, CLINICAL, 0, ROUTE_READ_ONLY},
    {"GET", "/api/v1/patients/{id}/consents", h_patient_consent_list, CLINICAL, 0,
     ROUTE_READ_ONLY | ROUTE_ACCESS_RECORD},
    {"POST", "/api/v1/patients/{id}/consents", h_patient_consent_create, CLINICAL, 0, 0},
    {"POST", "/api/v1/patients/{id}/consents/{consent}/withdraw", h_patient_consent_withdraw,
     CLINICAL, 0, 0},
    /* the dashboard, open to every role; each section is shown only to
     * the roles that may GET the list it summarises (h_dashboard.c reads this table) */
    {"GET", "/api/v1/dashboard", h_dashboard, ROLES_ANY, 0, ROUTE_READ_ONLY | ROUTE_ACCESS_LIST},
};
const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

/* The handlers whose reads go with the credential's lookup. */
static const struct {
    api_handler handler;
    api_prefetch prefetch;
} PREFETCHES[] = {
    {h_patient_get, h_patient_prefetch},
};

api_prefetch api_route_prefetch(const api_route *route)
{
    for (size_t i = 0; i < sizeof PREFETCHES / sizeof PREFETCHES[0]; i++)
        if (PREFETCHES[i].handler == route->handler)
            return PREFETCHES[i].prefetch;
    return NULL;
}

const char *api_route_access_kind(const api_route *route)
{
    static const struct {
        unsigned flag;
        const char *kind;
    } KINDS[] = {{ROUTE_ACCESS_RECORD, "record"},
                 {ROUTE_ACCESS_LIST, "list"},
                 {ROUTE_ACCESS_LABEL, "label"},
                 {ROUTE_ACCESS_LOOKBACK, "lookback"},
                 {ROUTE_ACCESS_REPORT, "report"}};
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (route->flags & KINDS[i].flag)
            return KINDS[i].kind;
    return NULL;
}

static const char *const ROLE_NAMES[] = {"admin", "coordinator", "physician", "nurse",
                                         "lab",   "qa",          "analyst"};

unsigned api_role_bit(const char *role)
{
    for (size_t i = 0; role && i < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0]; i++)
        if (strcmp(role, ROLE_NAMES[i]) == 0)
            return 1u << i;
    return 0;
}

void api_route_roles_text(const api_route *route, char *out, size_t cap)
{
    if (route->roles & ROLE_PUBLIC) {
        snprintf(out, cap, "public");
        return;
    }
    if ((route->roles & ROLES_ANY) == ROLES_ANY) {
        snprintf(out, cap, "any");
        return;
    }
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0]; i++) {
        if (!(route->roles & (1u << i)))
            continue;
        int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", ROLE_NAMES[i]);
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
}

/* Matches pattern against path segment by segment; "{name}" takes one segment. */
static bool match_pattern(const char *pattern, const char *path, arena *a,
                          const char *params[API_MAX_PARAMS])
{
    int n = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);
            if (!close || len == 0 || n >= API_MAX_PARAMS)
                return false;
            if (a)
                params[n] = arena_strndup(a, path, len);
            n++;
            pattern = close + 1;
            path += len;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

route_match api_route_find(const char *method, const char *path, arena *a,
                           const char *params[API_MAX_PARAMS], const api_route **out)
{
    route_match result = ROUTE_NO_PATH;
    *out = NULL;
    for (size_t i = 0; i < api_route_count; i++) {
        if (!match_pattern(api_routes[i].pattern, path, NULL, params))
            continue;
        if (strcmp(api_routes[i].method, method) != 0) {
            result = ROUTE_NO_METHOD;
            continue;
        }
        match_pattern(api_routes[i].pattern, path, a, params);
        *out = &api_routes[i];
        return ROUTE_FOUND;
    }
    return result;
}
