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
 * Limits are inclusive and compared with the value exactly as reported: no
 * rounding. A quantitative value must be finite and >= 0, and <= 100 when the
 * unit is "%"; its unit must equal the item's unit exactly (no conversion:
 * "mg/mL" is not "ug/mL"), otherwise the result is QC_INVALID.
 *
 * Built-in specifications (qc_spec_find), the defaults of the shipped data:
 *   MSC products "uc-msc", "pl-msc", "bm-msc", "ad-msc":
 *     sterility negative; mycoplasma negative; endotoxin <= 0.5 EU/mL;
 *     viability >= 70 %; identity by flow cytometry (ISCT minimal criteria):
 *     CD73, CD90, CD105 >= 95 %; CD34, CD45, HLA-DR <= 2 %.
 *   "secretome":
 *     sterility negative; mycoplasma negative; endotoxin <= 0.5 EU/mL;
 *     total protein (mg/mL), VEGF, HGF, TGF-beta1, IL-6 (pg/mL): reported, no
 *     acceptance limit shipped (QA publishes limits as a new spec version).
 *   The 0.5 EU/mL endotoxin default is a placeholder QA must confirm for
 *   each route; no specification is shipped for cord-blood cells ("ucb-sc").
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
    QC_RULE_REPORT
} qc_rule;

typedef struct {
    const char *test; /* stable code: "sterility", "cd73", "factor_vegf", ... */
    const char *name; /* for people: "Sterility", "CD73+ cells", ... */
    qc_rule rule;
    double low, high; /* used by MIN (low), MAX (high), RANGE (both) */
    const char *unit; /* "EU/mL", "%", "mg/mL", "pg/mL"; "" for NEGATIVE */
    bool required;    /* release needs a passing result */
} qc_spec_item;

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
} qc_release_input;

/* Built-in specification of a product type; CC_NOT_FOUND (field
 * "product_type") when none is shipped. *out points to static data. */
cc_status qc_spec_find(const char *product_type, const qc_spec **out, cc_error *err);

/* The item of spec with this test code, or NULL. */
const qc_spec_item *qc_spec_item_find(const qc_spec *spec, const char *test);

/* Verdict of one result against one item. why (may be NULL) receives a
 * sentence such as "Viability 65 % is below 70 %". */
qc_verdict qc_evaluate(const qc_spec_item *item, const qc_result *r, char *why, size_t why_cap);

/* True when nothing blocks release. Writes at most cap reasons into blocks
 * (may be NULL when cap is 0) and stores the total number in *n_blocks
 * (which may exceed cap; may be NULL). Order: each spec item in spec order
 * (missing, or each result's pending/invalid/failed), then donor, then
 * deviations. */
bool qc_release_check(const qc_release_input *in, qc_block *blocks, size_t cap, size_t *n_blocks);

const char *qc_verdict_name(qc_verdict v);       /* "pass", "fail", "pending", "invalid" */
const char *qc_block_kind_name(qc_block_kind k); /* "missing", "pending", ... */

#endif
