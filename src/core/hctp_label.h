/*
 * hctp_label: what a cell unit's label must say about its donor, decided
 * from the donor facts: the ISBT 128 type-of-donation character of the
 * product code and the statements of 21 CFR 1271.370(b)(4), which points to
 * the warnings of 1271.60(d)(2), 1271.65(b)(2) and 1271.90(c).
 *
 * Sources (21 CFR part 1271, eCFR text):
 *   1271.90(a)(1)  no donor-eligibility determination is required for cells
 *                  for autologous use; 1271.90(c) then requires, as applicable:
 *     (c)(1) "FOR AUTOLOGOUS USE ONLY", if stored for autologous use;
 *     (c)(2) "NOT EVALUATED FOR INFECTIOUS SUBSTANCES", unless all otherwise
 *            applicable screening and testing was performed;
 *     (c)(3) the Biohazard legend of 1271.3(h) with "WARNING: Advise patient
 *            of communicable disease risks" when screening or testing shows
 *            a relevant communicable disease agent or its risk factors;
 *     (c)(4) "WARNING: Reactive test results for (name of disease agent or
 *            disease)" for reactive results.
 *   1271.60(d)(2)  an HCT/P made available under documented urgent medical
 *                  need before the donor-eligibility determination is
 *                  complete: "NOT EVALUATED FOR INFECTIOUS SUBSTANCES" and
 *                  "WARNING: Advise patient of communicable disease risks".
 *   1271.65(b)(2)  an HCT/P from a donor determined ineligible (usable only
 *                  under 1271.65(b)(1)): the Biohazard legend with "WARNING:
 *                  Advise patient of communicable disease risks" and, for
 *                  reactive results, "WARNING: Reactive test results for ...".
 *   1271.60(b)     while the determination is incomplete (no urgent need) the
 *                  unit is in quarantine: the label's quarantine banner says
 *                  so (unit state); no statement is added here.
 * Type of donation (ISBT 128 ST-001, see isbt128.h): '1' for autologous use
 * only, 'X' for autologous use only, biohazardous (1271.90(c)(3) applies),
 * 'V' volunteer allogeneic donor otherwise (this program records no paid or
 * directed donations).
 *
 * Pure, no allocation, thread-safe.
 */
#ifndef CC_HCTP_LABEL_H
#define CC_HCTP_LABEL_H

#include <stdbool.h>

typedef enum {
    HCTP_ELIGIBILITY_INCOMPLETE = 0,
    HCTP_ELIGIBILITY_ELIGIBLE,
    HCTP_ELIGIBILITY_INELIGIBLE
} hctp_eligibility;

typedef struct {
    bool autologous;
    /* the batch's donors taken together: ineligible when any is, eligible
     * when every one is, incomplete otherwise */
    hctp_eligibility eligibility;
    /* every required screening test has a result for every donor (for an
     * autologous donor: "all otherwise applicable screening and testing") */
    bool screening_complete;
    /* a required test's most recent result is positive (a relevant
     * communicable disease agent, 1271.85) */
    bool reactive;
    /* documented urgent medical need (1271.3(u)) for this unit's release */
    bool urgent_need;
} hctp_label_facts;

enum {
    HCTP_AUTOLOGOUS_ONLY = 1 << 0, /* "FOR AUTOLOGOUS USE ONLY" */
    HCTP_NOT_EVALUATED = 1 << 1,   /* "NOT EVALUATED FOR INFECTIOUS SUBSTANCES" */
    HCTP_BIOHAZARD = 1 << 2,       /* the Biohazard legend of 1271.3(h) */
    HCTP_ADVISE_RISKS = 1 << 3,    /* "WARNING: Advise patient of communicable disease risks" */
    HCTP_REACTIVE = 1 << 4         /* "WARNING: Reactive test results for ..." */
};

typedef struct {
    char donation_type;  /* ISBT 128 type-of-donation character */
    unsigned statements; /* HCTP_* bits */
} hctp_label;

void hctp_label_decide(const hctp_label_facts *f, hctp_label *out);

#endif
