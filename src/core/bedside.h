/*
 * bedside: the check made at the bedside before cells are given (DESIGN.md
 * section 6, hazards H1 wrong patient, H2 unit not released, H3 expired unit,
 * H4 dose out of range or from a stale weight, H5 intrathecal injections too
 * close together, H7 autologous unit to another patient, H12 unit given
 * twice), as one pure function over every fact the store gathered.
 *
 * Inputs (bedside_facts): what was scanned or typed (the wristband MRN, and
 * for each unit its DIN and product code), the planned administration it is
 * for (plan item reference, patient, route, product type, prescribed amount
 * and the protocol's per-administration bounds, planned date), the units the
 * store found for the scanned DINs (state, expiry, reservation, autologous
 * owner, amount), the latest weight, the last lumbar puncture, who verifies
 * and an optional physician override of the intrathecal spacing.
 *
 * Output (bedside_verdict): every refusal, not only the first, each with a
 * stable code, the input field it concerns, and a sentence in English and in
 * French. The verdict is "go" only when there is none. Codes (and hazards):
 *   wristband_unreadable    MRN not 8 digits or its Luhn check digit wrong (H1)
 *   wrong_patient           wristband MRN is not the plan's patient (H1)
 *   no_unit                 no unit scanned
 *   too_many_units          more than BEDSIDE_MAX_UNITS
 *   din_unreadable          DIN malformed or its check character wrong (H1)
 *   duplicate_unit          the same DIN scanned twice (H12)
 *   unit_unknown            no unit carries that DIN (H1)
 *   product_code_unreadable product code not "=<" data content nor a PDC
 *   product_code_mismatch   scanned product code/division is not the unit's (H1)
 *   unit_not_released       quarantine or returned (H2)
 *   unit_not_issued         released or reserved: the lab has not issued it
 *   unit_discarded          discarded
 *   unit_already_administered  (H12)
 *   unit_expired            expiry day passed, or state expired (H3)
 *   unit_not_reserved       not reserved for any plan item (H1)
 *   unit_other_patient      reserved or issued for another patient (H1)
 *   unit_other_item         reserved for another plan item (H1)
 *   autologous_other_patient an autologous unit of another patient; no
 *                           override exists (H7)
 *   product_type_mismatch   the unit's product is not the prescribed one (H4)
 *   route_mismatch          the route given is not the prescribed one (H4)
 *   dose_below_prescription total amount < prescribed (H4)
 *   dose_above_prescription total amount > prescribed + BEDSIDE_DOSE_TOLERANCE_PERCENT (H4)
 *   dose_outside_protocol   total amount outside the protocol's per-administration bounds (H4)
 *   weight_missing          no weight recorded (H4)
 *   weight_stale            weight older than weight_max_age_days (30) (H4)
 *   weight_changed          weight now differs from the weight the dose was
 *                           computed from by more than BEDSIDE_WEIGHT_CHANGE_PERCENT (H4)
 *   not_due                 before the planned date
 *   overdue                 more than window_days after the planned date
 *   item_already_given      the planned administration was already given (H12)
 *   plan_not_active         the plan is not approved / in progress
 *   lp_too_soon             intrathecal less than spacing_hours after the last
 *                           lumbar puncture (H5); lifted only by a physician
 *                           override with a reason
 *   override_not_allowed    an override asked by someone who is not a physician
 *   override_reason_missing an override without a reason (blank)
 *   override_not_needed     an override where no spacing rule is broken
 *   second_check_required   intrathecal without a second person's verification
 *   second_check_same_person the second verifier is the operator
 *   unit_not_thawed         a cryopreserved unit with no thaw record (H14)
 *   unit_thaw_expired       more than its product type's post-thaw window
 *                           (post_thaw_hours) since it was thawed (H14)
 *   unit_viability_low      post-thaw viability below its product type's
 *                           minimum (min_viability_tenths) (H14)
 *   endotoxin_over_limit    the units' endotoxin (the batch's result in EU/mL
 *                           x each unit's volume) per kg of the patient's
 *                           latest weight is above K for the route: 5 EU/kg,
 *                           0.2 EU/kg intrathecal (USP <85>, qc_spec.h); the
 *                           release check assumed a 70 kg adult, this one
 *                           uses the real weight (a 2 kg child takes 35
 *                           times less). A unit without an endotoxin result
 *                           is not counted (release requires one).
 *   coagulation_missing     intrathecal without a usable platelet count, INR
 *                           or aPTT (H16)
 *   coagulation_out_of_range platelets, INR or aPTT outside core/coagulation's
 *                           limits (H16)
 *   coagulation_stale       one of them older than COAG_MAX_AGE_DAYS (H16)
 *   anticoagulant_active    an anticoagulant or antiplatelet on the medication
 *                           list is current (H16)
 * The four H16 codes, like lp_too_soon, are lifted only by a physician's
 * override with a reason; override_not_needed then means that neither the
 * spacing nor a coagulation rule is broken.
 *   consent_missing         no current treatment consent for the plan's
 *                           programme was ever signed (H15)
 *   consent_withdrawn       the patient withdrew the treatment consent (H15)
 * A unit is usable exactly up to thawed_at + post_thaw_hours (that instant
 * included) and at a viability equal to the minimum. Units without a
 * freezing record (fresh products) are not subject to these three checks.
 *
 * Units and ranges: amounts are uint64_t in the prescription's unit (cells,
 * or microlitres for secretome: a unit's volume_ml x 1000); weights in grams;
 * instants in seconds since the epoch (UTC); dates are cc_date.
 * A unit is usable through the end of its expiry day (unit_state.h).
 *
 * Bad input never aborts: NULL texts are read as empty (and refused as
 * unreadable). Ownership: the caller owns every input; the verdict is a value
 * with fixed buffers. Pure, no allocation, thread-safe.
 */
#ifndef CC_BEDSIDE_H
#define CC_BEDSIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coagulation.h"
#include "date.h"
#include "unit_state.h"

enum {
    BEDSIDE_MAX_UNITS = 4,
    BEDSIDE_MAX_REASONS = 40,
    BEDSIDE_DOSE_TOLERANCE_PERCENT = 10, /* as lab_rules' reservation rule */
    BEDSIDE_WEIGHT_MAX_AGE_DAYS = 30,    /* DESIGN.md H4 */
    BEDSIDE_WEIGHT_CHANGE_PERCENT = 10,
    BEDSIDE_LP_SPACING_HOURS = 72, /* default when the protocol gives none */
    /* post-thaw defaults when the product type's settings give none: 70.0 %
     * is the minimum viability the FDA expects of a cellular product at
     * release (Guidance for FDA Reviewers and Sponsors: Content and Review
     * of CMC Information for Human Somatic Cell Therapy INDs, 2008, section
     * on release testing, "viability of at least 70 %"); 2 hours because
     * thawed MSC kept in saline at room temperature lose about 13 points of
     * viability in 90 minutes (Nguyen et al., Biomed Res Ther 2024;11(9),
     * doi:10.15419/bmrat.v11i9.917). */
    BEDSIDE_POST_THAW_HOURS = 2,
    BEDSIDE_MIN_VIABILITY_TENTHS = 700,
    BEDSIDE_TEXT = 240,
    BEDSIDE_REF_MAX = 64,
};

typedef enum {
    BS_WRISTBAND_UNREADABLE = 0,
    BS_WRONG_PATIENT,
    BS_NO_UNIT,
    BS_TOO_MANY_UNITS,
    BS_DIN_UNREADABLE,
    BS_DUPLICATE_UNIT,
    BS_UNIT_UNKNOWN,
    BS_PRODUCT_CODE_UNREADABLE,
    BS_PRODUCT_CODE_MISMATCH,
    BS_UNIT_NOT_RELEASED,
    BS_UNIT_NOT_ISSUED,
    BS_UNIT_DISCARDED,
    BS_UNIT_ALREADY_ADMINISTERED,
    BS_UNIT_EXPIRED,
    BS_UNIT_NOT_RESERVED,
    BS_UNIT_OTHER_PATIENT,
    BS_UNIT_OTHER_ITEM,
    BS_AUTOLOGOUS_OTHER_PATIENT,
    BS_PRODUCT_TYPE_MISMATCH,
    BS_ROUTE_MISMATCH,
    BS_DOSE_BELOW_PRESCRIPTION,
    BS_DOSE_ABOVE_PRESCRIPTION,
    BS_DOSE_OUTSIDE_PROTOCOL,
    BS_WEIGHT_MISSING,
    BS_WEIGHT_STALE,
    BS_WEIGHT_CHANGED,
    BS_NOT_DUE,
    BS_OVERDUE,
    BS_ITEM_ALREADY_GIVEN,
    BS_PLAN_NOT_ACTIVE,
    BS_LP_TOO_SOON,
    BS_OVERRIDE_NOT_ALLOWED,
    BS_OVERRIDE_REASON_MISSING,
    BS_OVERRIDE_NOT_NEEDED,
    BS_SECOND_CHECK_REQUIRED,
    BS_SECOND_CHECK_SAME_PERSON,
    BS_UNIT_NOT_THAWED,
    BS_UNIT_THAW_EXPIRED,
    BS_UNIT_VIABILITY_LOW,
    BS_ENDOTOXIN_OVER_LIMIT,
    BS_COAGULATION_MISSING,
    BS_COAGULATION_OUT_OF_RANGE,
    BS_COAGULATION_STALE,
    BS_ANTICOAGULANT_ACTIVE,
    BS_CONSENT_MISSING,
    BS_CONSENT_WITHDRAWN,
    BS_CODE_COUNT
} bedside_code;

/* One scanned unit and what the store found for its DIN. */
typedef struct {
    const char *din_text; /* as scanned or typed: keyed "W123426123456X", scan "=W...00", printed */
    const char *product_text; /* "=<S12340A0" (barcode content) or "S1234" (PDC typed) */
    bool found;               /* a unit with that DIN exists; the fields below are its facts */
    int64_t unit_id;
    char din_data[14];    /* the unit's 13 DIN data characters */
    char product_code[6]; /* the unit's PDC */
    int division;         /* 0 undivided, 1..26 */
    unit_state state;
    cc_date expiry;
    const char *product_type; /* lab code: "uc-msc", ... */
    uint64_t amount;          /* cells, or microlitres for a volume dose */
    int64_t owner_patient_id; /* autologous owner, 0 allogeneic */
    int64_t reserved_patient_id;
    int64_t issued_patient_id;
    const char *reserved_for; /* plan item reference of the reservation, "" none */
    /* cryopreservation (H14) */
    bool frozen;              /* a freezing record exists */
    bool thawed;              /* a thaw record exists */
    int64_t thawed_at;        /* seconds */
    int viability_tenths;     /* post-thaw viability in tenths of a percent */
    int post_thaw_hours;      /* the product type's window; <= 0: BEDSIDE_POST_THAW_HOURS */
    int min_viability_tenths; /* the product type's minimum; < 0: BEDSIDE_MIN_VIABILITY_TENTHS */
    double volume_ml;         /* the unit's volume */
    bool has_endotoxin;       /* its batch has an endotoxin result */
    double endotoxin_eu_ml;   /* that result, EU/mL */
} bedside_unit;

/* The patient's treatment consent for the plan's programme (H15); the zero
 * value refuses. */
typedef enum {
    BEDSIDE_CONSENT_NONE = 0,
    BEDSIDE_CONSENT_CURRENT,
    BEDSIDE_CONSENT_WITHDRAWN
} bedside_consent;

typedef struct {
    /* the planned administration (the prescription) */
    const char *plan_ref; /* "plan:12:3": plan 12, administration 3 */
    bool plan_active;
    bool item_given; /* this planned administration already has a record */
    int64_t patient_id;
    const char *patient_mrn;
    const char *route;           /* prescribed: "intravenous", "intrathecal", ... */
    const char *product_type;    /* prescribed, lab code */
    uint64_t dose;               /* prescribed amount per administration */
    uint64_t dose_min, dose_max; /* the protocol's per-administration bounds (0,0: none) */
    cc_date planned_date;
    int window_days;         /* days after the planned date it may still be given */
    int dose_weight_g;       /* weight the dose was computed from; 0 unknown */
    int spacing_hours;       /* intrathecal spacing; <= 0: BEDSIDE_LP_SPACING_HOURS */
    int weight_max_age_days; /* <= 0: BEDSIDE_WEIGHT_MAX_AGE_DAYS */
    bedside_consent consent; /* treatment consent, read with the rest (H15) */
    /* what is at hand */
    const char *wristband;   /* scanned MRN */
    const char *route_given; /* the route the nurse is about to use */
    const bedside_unit *units;
    size_t n_units;
    int weight_g; /* latest weight; 0 none */
    cc_date weight_date;
    int64_t last_lp_at; /* last lumbar puncture (seconds), 0 none */
    /* H16: the latest platelet count, INR and aPTT and the medication list */
    coag_result coag[COAG_TEST_COUNT];
    const coag_medication *meds;
    size_t n_meds;
    int64_t now; /* seconds */
    cc_date today;
    /* people */
    int64_t operator_id;
    int64_t second_verifier_id; /* 0 none; the API has checked the password */
    bool override_requested;
    bool override_by_physician;
    const char *override_reason;
} bedside_facts;

typedef struct {
    bedside_code code;
    char field[32];
    char en[BEDSIDE_TEXT];
    char fr[BEDSIDE_TEXT];
} bedside_reason;

typedef struct {
    bool go;
    bool override_used;    /* lp_too_soon or an H16 refusal was lifted by the override */
    uint64_t total_amount; /* sum of the units found */
    size_t n;              /* reasons (at most BEDSIDE_MAX_REASONS kept) */
    bedside_reason reasons[BEDSIDE_MAX_REASONS];
} bedside_verdict;

/* Checks everything; fills out. Returns out->go. */
bool bedside_verify(const bedside_facts *f, bedside_verdict *out);

/* Stable lowercase code ("wrong_patient"); "?" when out of range. */
const char *bedside_code_name(bedside_code c);
/* True when the verdict holds that code. */
bool bedside_has(const bedside_verdict *v, bedside_code c);

/* Product code as scanned: "=<" + PDC + type of donation + division
 * ("00" or 'A'..'Z' then '0'), or the 5-character PDC alone (division -1:
 * not given). Lowercase letters are folded. False when neither. */
bool bedside_parse_product(const char *text, char pdc[6], int *division);

/* "plan:<plan id>:<item number>" into out (cap >= BEDSIDE_REF_MAX). */
void bedside_plan_ref(int64_t plan_id, int item, char *out, size_t cap);

#endif
