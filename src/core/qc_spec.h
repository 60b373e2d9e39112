/*
 * qc_spec: quality-control specifications of cell products, as data, and the
 * release-readiness decision (DESIGN.md section 3 "QC test"; hazards H2 unit
 * not released with failed or missing QC, H13 donor eligibility incomplete).
 *
 * A specification is a list of items, one per test code. Each item has a
 * rule:
 *   QC_RULE_NEGATIVE  qualitative: passes when not detected (sterility "no
 *                     growth", mycoplasma "negative")
 *   QC_RULE_MIN       value >= low          (viability >= 70 %)
 *   QC_RULE_MAX       value <= high         (endotoxin <= limit EU/mL, CD34 <= 2 %)
 *   QC_RULE_RANGE     low <= value <= high
 *   QC_RULE_REPORT    any valid value passes: the result must exist, the
 *                     specification sets no acceptance limit (yet)
 *   QC_RULE_POSITIVE  qualitative: passes when observed ("detected" true:
 *                     plastic adherence seen, differentiation shown)
 *   QC_RULE_ENDOTOXIN value <= K / M EU/mL, computed from the dose (qc_dose)
 *                     as below; without a usable dose the result is invalid
 * Items sharing a one_of code are alternatives: a result for any one of them
 * answers the requirement (ISCT: "CD14 or CD11b", "CD79alpha or CD19"); every
 * result given is still judged, so a failed alternative blocks.
 * Limits are inclusive and compared with the value exactly as reported: no
 * rounding. A quantitative value must be finite and >= 0, and <= 100 when the
 * unit is "%"; its unit must equal the item's unit exactly (no conversion:
 * "mg/mL" is not "ug/mL"), otherwise the result is QC_INVALID.
 *
 * Built-in specifications (qc_spec_find), the defaults of the shipped data:
 *   MSC products "uc-msc", "pl-msc", "bm-msc", "ad-msc":
 *     sterility negative; mycoplasma negative; endotoxin <= K/M;
 *     viability >= 70 %; identity per the ISCT minimal criteria (Dominici
 *     M et al., "Minimal criteria for defining multipotent mesenchymal
 *     stromal cells. The International Society for Cellular Therapy
 *     position statement", Cytotherapy 2006;8(4):315-317,
 *     doi:10.1080/14653240600855905): plastic adherence observed; by flow
 *     cytometry CD73, CD90, CD105 >= 95 %; CD34, CD45, CD14 or CD11b,
 *     CD79alpha or CD19, HLA-DR <= 2 %; differentiation to osteoblasts,
 *     adipocytes and chondroblasts in vitro, each observed.
 *   "secretome":
 *     sterility negative; mycoplasma negative; endotoxin <= K/M;
 *     total protein (mg/mL), VEGF, HGF, TGF-beta1, IL-6 (pg/mL): reported, no
 *     acceptance limit shipped (QA publishes limits as a new spec version).
 *   No specification is shipped for cord-blood cells ("ucb-sc").
 *
 * Endotoxin limit K/M (USP <85> Bacterial Endotoxins Test, harmonised with
 * Ph. Eur. 2.6.14, limits per Ph. Eur. 5.1.10; FDA "Pyrogen and Endotoxins
 * Testing: Questions and Answers", June 2012, which applies USP <85>):
 * K = 5 EU/kg "for any route of administration other than intrathecal (for
 * which K is 0.2 USP-EU/kg body weight)"; M is the maximum dose per kg given
 * in one hour, here the dose volume over the body weight (a fixed dose: the
 * pharmacopoeia's 70 kg adult, QC_REFERENCE_BODY_KG). A NULL route is
 * unknown and takes the strictest K (intrathecal).
 *
 * Release readiness (qc_release_check) blocks, with one reason each, when:
 *   a required test has no result (missing), a result is pending, invalid or
 *   failed, the donor is ineligible or the eligibility is incomplete (H13),
 *   or a deviation is open. Every result given counts: a failed result blocks
 *   even when a retest passed; QA removes it only by invalidating it through
 *   a deviation. Results for tests the specification does not list are
 *   ignored. Autologous exceptions to donor eligibility are not modelled.
 *
 * Ownership: specifications are static (built-in) or caller-owned; results
 * and reasons are caller-owned arrays; nothing is allocated. Bad input (NULL
 * pointers, NaN, wrong unit) never aborts: it yields QC_INVALID or a blocking
 * reason. Pure and thread-safe.
 */
#ifndef CC_QC_SPEC_H
#define CC_QC_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef enum {
    QC_RULE_NEGATIVE = 0,
    QC_RULE_MIN,
    QC_RULE_MAX,
    QC_RULE_RANGE,
    QC_RULE_REPORT,
    QC_RULE_POSITIVE,
    QC_RULE_ENDOTOXIN
} qc_rule;

#define QC_ENDOTOXIN_K_PARENTERAL 5.0  /* EU/kg, every route but intrathecal */
#define QC_ENDOTOXIN_K_INTRATHECAL 0.2 /* EU/kg */
#define QC_REFERENCE_BODY_KG 70.0      /* USP <85>: the adult of a fixed dose */

typedef struct {
    const char *test; /* stable code: "sterility", "cd73", "factor_vegf", ... */
    const char *name; /* for people: "Sterility", "CD73+ cells", ... */
    qc_rule rule;
    double low, high;   /* used by MIN (low), MAX (high), RANGE (both) */
    const char *unit;   /* "EU/mL", "%", "mg/mL", "pg/mL"; "" for NEGATIVE */
    bool required;      /* release needs a passing result */
    const char *one_of; /* alternatives share this code; NULL: none */
} qc_spec_item;

/* What an endotoxin limit is computed from: the route ("intrathecal",
 * "intravenous", ...; NULL unknown: strictest), the largest volume given
 * in one hour (mL) and the recipient's body weight (kg). */
typedef struct {
    const char *route;
    double dose_ml;
    double body_kg;
} qc_dose;

typedef struct {
    const char *product_type; /* "uc-msc", "secretome", ... */
    const char *version;      /* specification version, e.g. "2026.1" */
    const qc_spec_item *items;
    size_t n_items;
} qc_spec;

typedef struct {
    const char *test; /* code of the spec item it answers */
    bool pending;     /* not final yet (e.g. sterility still incubating) */
    bool detected;    /* qualitative tests: growth / detected */
    double value;     /* quantitative tests, in unit */
    const char *unit;
} qc_result;

typedef enum { QC_PASS = 0, QC_FAIL, QC_PENDING, QC_INVALID } qc_verdict;

typedef enum {
    QC_DONOR_ELIGIBLE = 0,
    QC_DONOR_INELIGIBLE,
    QC_DONOR_INCOMPLETE /* screening or consent not complete (H13) */
} qc_donor;

typedef enum {
    QC_BLOCK_MISSING = 0, /* required test without result */
    QC_BLOCK_PENDING,
    QC_BLOCK_FAILED,
    QC_BLOCK_INVALID, /* result unusable: NaN, negative, wrong unit */
    QC_BLOCK_DONOR_INELIGIBLE,
    QC_BLOCK_DONOR_INCOMPLETE,
    QC_BLOCK_DEVIATION_OPEN,
    QC_BLOCK_NO_SPEC
} qc_block_kind;

enum { QC_REASON_TEXT = 160 };

typedef struct {
    qc_block_kind kind;
    const char *test;             /* spec item code, NULL for donor/deviation */
    char message[QC_REASON_TEXT]; /* English sentence */
} qc_block;

typedef struct {
    const qc_spec *spec;
    const qc_result *results;
    size_t n_results;
    qc_donor donor;
    unsigned open_deviations;
    qc_dose dose; /* for the endotoxin limit */
} qc_release_input;

/* Built-in specification of a product type; CC_NOT_FOUND (field
 * "product_type") when none is shipped. *out points to static data. */
cc_status qc_spec_find(const char *product_type, const qc_spec **out, cc_error *err);

/* The item of spec with this test code, or NULL. */
const qc_spec_item *qc_spec_item_find(const qc_spec *spec, const char *test);

/* K in EU/kg for a route (NULL: unknown, the strictest). */
double qc_endotoxin_k(const char *route);

/* The endotoxin limit K/M in EU/mL, M = dose_ml / body_kg; NaN when dose is
 * NULL or its volume or weight is not a finite number > 0. */
double qc_endotoxin_limit(const qc_dose *dose);

/* Verdict of one result against one item; dose (may be NULL) is needed by
 * QC_RULE_ENDOTOXIN only. why (may be NULL) receives a sentence such as
 * "Viability 65 % is below 70 %". */
qc_verdict qc_evaluate_dose(const qc_spec_item *item, const qc_result *r, const qc_dose *dose,
                            char *why, size_t why_cap);

/* qc_evaluate_dose without a dose. */
qc_verdict qc_evaluate(const qc_spec_item *item, const qc_result *r, char *why, size_t why_cap);

/* True when nothing blocks release. Writes at most cap reasons into blocks
 * (may be NULL when cap is 0) and stores the total number in *n_blocks
 * (which may exceed cap; may be NULL). Order: each spec item in spec order
 * (missing, or each result's pending/invalid/failed), then donor, then
 * deviations. Alternatives (one_of) without any result give one "missing"
 * reason, at the first of them. */
bool qc_release_check(const qc_release_input *in, qc_block *blocks, size_t cap, size_t *n_blocks);

const char *qc_verdict_name(qc_verdict v);       /* "pass", "fail", "pending", "invalid" */
const char *qc_rule_name(qc_rule r);             /* "negative", "min", ... "endotoxin" */
const char *qc_block_kind_name(qc_block_kind k); /* "missing", "pending", ... */

#endif
