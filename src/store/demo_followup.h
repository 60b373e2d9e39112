/*
 * demo_followup (store): writes one synthetic treated patient's history for
 * `cellclinic demo`: a decided screening, a plan in the status its caller
 * decided (app/demo decides it through core/plan_state), follow-up visits
 * with their resolutions, observations and adverse events; or a screening
 * signed "not eligible" alone. The administrations are not written here:
 * app/demo records them through the bedside store path, as at the bedside. The patient must already
 * exist and be marked synthetic (CC_INVALID otherwise): demonstration rows are reachable only
 * through a synthetic patient, so every page showing them says so. It joins the caller's write
 * transaction (app_demo_history owns it); every row gets its audit entry (actor "demo"). Strings
 * are borrowed.
 */
#ifndef CC_STORE_DEMO_FOLLOWUP_H
#define CC_STORE_DEMO_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/followup.h"
#include "core/plan_state.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/observations.h"
#include "store/followup.h"

enum { DEMO_MAX_ADMINS = 16, DEMO_MAX_VISITS = 8, DEMO_MAX_OBS = 40, DEMO_MAX_AES = 4 };

typedef struct {
    int64_t patient_id;
    const char *protocol;
    int protocol_version;
    /* not_eligible: the screening is signed "not_eligible" with these reasons (JSON array text,
     * the shape of the screening API) and nothing else is written */
    bool not_eligible;
    const char *reasons;
    const char *screened_on, *start, *end, *request, *body;
    int weight_g;
    size_t n_planned; /* administrations in the plan; the first n_admins were given */
    size_t n_admins;
    /* given administrations, each recorded through the bedside store path
     * (app/demo); unit_id 0: no unit of the laboratory's, else one issued to
     * the patient's ward for it first */
    struct {
        const char *date, *route, *product, *dose_unit;
        int64_t amount;
        int64_t unit_id;
    } admins[DEMO_MAX_ADMINS];
    /* a stay under way: the planned administration next_item (1-based, 0
     * none) has unit next_unit_id (0 none) reserved and issued to ward */
    int next_item;
    int64_t next_unit_id;
    const char *ward;
    size_t n_visits;
    struct {
        followup_spec spec;
        followup_status status;
        const char *reason, *died_on, *cause;
    } visits[DEMO_MAX_VISITS];
    size_t n_obs;
    observation_fields obs[DEMO_MAX_OBS];
    size_t n_aes;
    /* code: a term of the bundled CTCAE list (core/adverse); resolved NULL:
     * not resolved; outcome NULL: "recovered" */
    struct {
        const char *code, *onset, *resolved, *outcome;
        int grade;
        bool serious;
    } aes[DEMO_MAX_AES];
} demo_fu_patient;

/* Writes everything but the administrations; *plan_id receives the plan (0
 * for a patient not eligible) and *operator_id the user administrations are
 * recorded under (the data directory's first). */
cc_status demo_store_followup_patient(db *d, const demo_fu_patient *p, plan_state status,
                                      int64_t *plan_id, int64_t *operator_id, cc_error *err);

/* A synthetic patient without a plan: its first condition and latest weight. */
typedef struct {
    int64_t id;
    char icd10[16];
    char details[128]; /* condition details, JSON object text ("{}" when none) */
    char birth_date[CC_DATE_TEXT];
    int weight_g; /* 0 when none recorded */
} demo_candidate;

/* The newest synthetic patients without a plan or a screening (at most cap), newest first. */
cc_status demo_store_synthetic_patients(db *d, demo_candidate *out, size_t cap, size_t *n,
                                        cc_error *err);

#endif
