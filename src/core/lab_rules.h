/*
 * lab_rules: the laboratory's vocabularies and the decisions that are neither
 * the unit life cycle (unit_state.h) nor QC (qc_spec.h): donor eligibility,
 * reservation and issue of units (hazards H2, H3, H7, H12, H13).
 *
 * Vocabularies (exact lowercase codes; the API uses the same words):
 *   product types     uc-msc ucb-sc bm-msc ad-msc pl-msc secretome
 *   collection source cord-blood cord-tissue placenta bone-marrow adipose
 *   batch steps       isolation passage harvest formulation cryopreservation
 *                     cm-harvest concentration (the last two for secretome)
 *   eligibility       eligible ineligible incomplete
 *
 * Donor testing (markers, panels, windows) and the eligibility verdict are
 * donor_testing.h's.
 *
 * Reservation (lab_check_reserve), for one planned administration:
 *   the unit is released (H2) and not expired on the date (H3);
 *   product types are equal;
 *   an autologous unit (owner patient != 0) only for its owner, no override (H7);
 *   when a dose is given, the unit's cells lie in [dose, dose + 10 %]
 *   (LAB_DOSE_TOLERANCE_PERCENT): a unit must neither fall short of the
 *   prescribed dose nor exceed it by more than the tolerance.
 * Issue (lab_check_issue): unit_check_issuable (H2, H3, H12), then the
 *   receiving patient must be the reserved patient when the unit is reserved
 *   and the owner when it is autologous (H7); a patient is always required.
 * Administration (lab_check_administer): unit_check_administrable (H2, H3,
 *   H12), the patient is the one the unit was issued for, and the owner when
 *   autologous (H7).
 *
 * Bad input: unknown words are CC_INVALID naming the caller's field; a refused
 * decision is CC_CONFLICT with a stable code ("unit_not_released",
 * "unit_expired", "product_type_mismatch", "autologous_other_patient",
 * "dose_mismatch", "patient_mismatch"). Patient ids are
 * opaque positive integers; 0 means none. Pure, no allocation, thread-safe.
 */
#ifndef CC_LAB_RULES_H
#define CC_LAB_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "status.h"
#include "qc_spec.h"
#include "unit_state.h"

enum { LAB_DOSE_TOLERANCE_PERCENT = 10 };

bool lab_product_type_is_valid(const char *s);
bool lab_source_is_valid(const char *s);
bool lab_step_is_valid(const char *s);
bool lab_eligibility_is_valid(const char *s);
/* "UC-MSC", "Secretome", ...: the display name of a valid product type, or
 * the input itself when unknown. Static strings. */
const char *lab_product_type_label(const char *s);

typedef struct {
    unit_state state;
    cc_date expiry;
    const char *product_type;
    uint64_t cells;
    int64_t owner_patient_id;    /* autologous owner, 0 when allogeneic */
    int64_t reserved_patient_id; /* 0 when not reserved */
    int64_t issued_patient_id;   /* 0 when not issued */
} lab_unit;

typedef struct {
    int64_t patient_id;       /* required */
    const char *product_type; /* required */
    uint64_t dose_cells;      /* 0: no dose check */
} lab_reservation;

cc_status lab_check_reserve(const lab_unit *u, const lab_reservation *r, cc_date on, cc_error *err);
cc_status lab_check_issue(const lab_unit *u, int64_t patient_id, cc_date on, cc_error *err);
cc_status lab_check_administer(const lab_unit *u, int64_t patient_id, cc_date on, cc_error *err);

/* ---- the laboratory's actions on one unit ----
 *
 * lab_decide_unit_action decides one action on a unit from the unit, the
 * request and the facts read for it, and says what changes besides the
 * state. In this order:
 *   hold, discard, restock and return need a non-blank reason (CC_INVALID
 *     "reason_required", field "reason");
 *   a unit still in the lab (quarantine, released, reserved, returned) whose
 *     expiry has passed takes only expire, discard, hold and return
 *     (CC_CONFLICT "unit_expired", H3);
 *   release (after a hold) and restock: the unit's batch must be released
 *     ("batch_not_released") and still pass its release check
 *     ("release_blocked"), H2, H13; checked only when the state machine
 *     allows the event, so a wrong state is named as such;
 *   reserve: lab_check_reserve, then the patient must exist (CC_NOT_FOUND
 *     "not_found", field "patient_id"); with a plan_id, the planned
 *     administration must be found (CC_NOT_FOUND "plan_item"), the patient's
 *     ("plan_other_patient"), of an active plan ("plan_not_active"), not
 *     given ("item_already_given") and prescribe the product
 *     ("product_type_mismatch"), and the reservation records its reference
 *     (what the bedside check compares); the reservation is recorded;
 *   unreserve: the reservation is cleared;
 *   issue: to the given patient or else the reserved one, lab_check_issue,
 *     the patient must exist; the patient and ward are recorded;
 *   return: issue and reservation are cleared;
 *   expire: only once the expiry has passed ("not_expired");
 *   expire and discard clear the reservation; hold keeps it;
 *   administer: CC_INVALID "bedside_only" (only the bedside record
 *     administers, after its own checks);
 *   then the state machine (unit_state_apply, "invalid_transition").
 * Texts of the change are borrowed from the request. */
typedef struct {
    unit_event event;
    const char *reason;       /* required for hold, discard, restock, return */
    int64_t patient_id;       /* reserve; issue (0: the reserved patient) */
    const char *product_type; /* reserve */
    uint64_t dose_cells;      /* reserve (0: no dose check) */
    int64_t plan_id;          /* reserve: the planned administration plan_item of */
    int plan_item;            /* plan plan_id the unit is for (0: the patient only) */
    const char *ward;         /* issue */
} lab_unit_request;

/* The planned administration a reservation names, read by the caller in
 * the transaction that records it. */
typedef struct {
    bool found;            /* the plan exists and has that administration */
    int64_t patient_id;    /* whose plan it is */
    bool active;           /* the plan is approved or under way */
    bool given;            /* the administration is already recorded */
    char product_type[16]; /* what it prescribes ("uc-msc", ...) */
    char ref[64];          /* its reference ("plan:12:3", core/bedside.h) */
} lab_plan_item_facts;

typedef struct {
    const char *batch_status;  /* the unit's batch: in_process, released, rejected */
    bool batch_passes_release; /* its release check passes now (read for release, restock) */
    const char *release_block; /* the first reason it does not ("" none) */
    bool patient_exists;       /* the patient of lab_unit_request_patient is on record */
    char patient_mrn[16];      /* that patient's MRN, for the custody note */
    lab_plan_item_facts item;  /* reserve with a plan_id */
} lab_unit_facts;

typedef struct {
    unit_state to;
    int64_t reserved_patient_id, issued_patient_id; /* -1 unchanged, 0 cleared */
    const char *reserved_for, *ward;                /* NULL unchanged */
    char note[300];                                 /* the custody event's note */
} lab_unit_change;

/* The patient an action concerns (reserve: the given one; issue: the given
 * one or else the reserved one), whose existence the caller reads; 0 none. */
int64_t lab_unit_request_patient(const lab_unit *u, const lab_unit_request *r);

cc_status lab_decide_unit_action(const lab_unit *u, const lab_unit_request *r,
                                 const lab_unit_facts *f, cc_date today, lab_unit_change *out,
                                 cc_error *err);

/* A QC result of a batch of product_type against its specification
 * (qc_spec.h): CC_CONFLICT "no_qc_spec" (field "test") when none is
 * configured; CC_INVALID "invalid_value" (field "test") for a test the
 * specification does not list; a final result must carry "detected" (a
 * qualitative test) or "value" (a quantitative one): a missing one is never
 * read as a pass (CC_INVALID "required"); a qualitative test has no unit
 * (CC_INVALID "unexpected", field "unit"). Then *verdict and its
 * explanation (why, QC_REASON_TEXT bytes) come from qc_evaluate_dose with
 * dose (the endotoxin limit's basis, may be NULL), and *quantitative says
 * whether the value is to be stored. */
cc_status lab_check_qc_result(const char *product_type, const qc_result *r, bool detected_given,
                              bool value_given, const qc_dose *dose, qc_verdict *verdict,
                              bool *quantitative, char why[QC_REASON_TEXT], cc_error *err);

/* Whether recording decision on a donor whose eligibility is current needs a
 * written reason: changing a signed determination (eligible or ineligible)
 * does, and so does deciding "ineligible". */
bool lab_eligibility_needs_reason(const char *current, const char *decision);

/* Whether a unit in state s is in the lab's storage (quarantine, released,
 * reserved, returned, expired); a unit that leaves it frees its position. */
bool lab_unit_in_storage(unit_state s);

/* Moving a unit between storage positions: only while it is in the lab's
 * storage, else CC_CONFLICT "not_in_lab" (field "unit"). Whether the new
 * position is free is the database's to say. */
cc_status lab_check_unit_move(const lab_unit *u, cc_error *err);

/* A batch takes changes (steps, deviations, QC results, units) and its QA
 * decision (release or rejection) only while it is "in_process": released
 * and rejected are final states of the batch. CC_CONFLICT "batch_closed"
 * (field "status") otherwise. */
cc_status lab_check_batch_open(const char *batch_status, cc_error *err);

/* What a new unit of a batch is checked against (gathered by the caller).
 * The product code is an ISBT 128 product description code (isbt128.h,
 * data structure 003): codes are licensed by ICCBBA and a site may label
 * only with the codes it is licensed for, so the code must be configured
 * and active at this site, and it describes one product type, which must
 * be the batch's. A division (1..26, ISBT128_MAX_DIVISION) names one part
 * of the donation: two units of a batch never share one. */
typedef struct {
    const char *batch_status;       /* in_process, released, rejected */
    const char *batch_product_type; /* the batch's product type */
    const char *product_code;       /* as given */
    bool code_configured;           /* the site lists the code */
    bool code_active;               /* ... and has not withdrawn it */
    const char *code_product_type;  /* the product type the code describes ("" unknown) */
    int division;                   /* 0: undivided */
    bool division_taken;            /* another unit of the batch has this division */
} lab_unit_origin;

/* In this order: CC_CONFLICT "batch_closed" (lab_check_batch_open);
 * CC_INVALID "unknown_product_code" (field "product_code") when the code is
 * not configured or not active; CC_INVALID "product_type_mismatch" (field
 * "product_code") when it describes another product type; CC_CONFLICT
 * "duplicate" (field "division") when the division exists. */
cc_status lab_check_unit_create(const lab_unit_origin *o, cc_error *err);

/* ---- cryopreservation and thaw (H14) ----
 * A unit has at most one freezing record and, after it, at most one thaw
 * record. Percentages are in tenths of a percent, rates in tenths of a
 * degree per minute (a cooling rate, given positive), instants in seconds.
 * lab_check_freezing, in this order: CC_CONFLICT "already_frozen" (field
 *   "unit"); concentration 1..1000 (CC_INVALID "out_of_range", field
 *   "cryoprotectant_percent"); rate 1..1000 ("rate_c_per_min"); frozen_at
 *   not after now ("frozen_at", "in_future").
 * lab_check_thaw, in this order: CC_CONFLICT "not_frozen" (no freezing
 *   record), "already_thawed", "wrong_state" (administered, discarded or
 *   expired: there is nothing to thaw for); viability 0..1000
 *   ("viability_percent"); thawed_at not after now ("thawed_at",
 *   "in_future") and not before frozen_at ("thawed_at", "before_freezing"). */
typedef struct {
    bool frozen, thawed;
    int64_t frozen_at;
    unit_state state;
} lab_cryo_facts;

cc_status lab_check_freezing(const lab_cryo_facts *u, int concentration_tenths, int rate_tenths,
                             int64_t frozen_at, int64_t now, cc_error *err);
cc_status lab_check_thaw(const lab_cryo_facts *u, int viability_tenths, int64_t thawed_at,
                         int64_t now, cc_error *err);
/* A product type's post-thaw window 1..168 hours (CC_INVALID "out_of_range",
 * field "post_thaw_hours") and minimum viability 0..1000 tenths
 * ("min_viability_percent"). */
cc_status lab_check_cryo_settings(int post_thaw_hours, int min_viability_tenths, cc_error *err);

#endif
