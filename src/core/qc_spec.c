#include "qc_spec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Default MSC specification: ISCT minimal criteria for identity, viability
 * >= 70 %, safety tests. Shared by the four MSC tissue sources. */
static const qc_spec_item msc_items[] = {
    {"sterility", "Sterility", QC_RULE_NEGATIVE, 0, 0, "", true},
    {"mycoplasma", "Mycoplasma", QC_RULE_NEGATIVE, 0, 0, "", true},
    {"endotoxin", "Endotoxin", QC_RULE_MAX, 0, 0.5, "EU/mL", true},
    {"viability", "Viability", QC_RULE_MIN, 70, 0, "%", true},
    {"cd73", "CD73+ cells", QC_RULE_MIN, 95, 0, "%", true},
    {"cd90", "CD90+ cells", QC_RULE_MIN, 95, 0, "%", true},
    {"cd105", "CD105+ cells", QC_RULE_MIN, 95, 0, "%", true},
    {"cd34", "CD34+ cells", QC_RULE_MAX, 0, 2, "%", true},
    {"cd45", "CD45+ cells", QC_RULE_MAX, 0, 2, "%", true},
    {"hla_dr", "HLA-DR+ cells", QC_RULE_MAX, 0, 2, "%", true},
};

static const qc_spec_item secretome_items[] = {
    {"sterility", "Sterility", QC_RULE_NEGATIVE, 0, 0, "", true},
    {"mycoplasma", "Mycoplasma", QC_RULE_NEGATIVE, 0, 0, "", true},
    {"endotoxin", "Endotoxin", QC_RULE_MAX, 0, 0.5, "EU/mL", true},
    {"total_protein", "Total protein", QC_RULE_REPORT, 0, 0, "mg/mL", true},
    {"factor_vegf", "VEGF", QC_RULE_REPORT, 0, 0, "pg/mL", true},
    {"factor_hgf", "HGF", QC_RULE_REPORT, 0, 0, "pg/mL", true},
    {"factor_tgfb1", "TGF-beta1", QC_RULE_REPORT, 0, 0, "pg/mL", true},
    {"factor_il6", "IL-6", QC_RULE_REPORT, 0, 0, "pg/mL", true},
};

#define SPEC(type, items)                                                                          \
    {                                                                                              \
        type, "2026.1", items, sizeof items / sizeof items[0]                                      \
    }
static const qc_spec builtin[] = {
    SPEC("uc-msc", msc_items), SPEC("pl-msc", msc_items),          SPEC("bm-msc", msc_items),
    SPEC("ad-msc", msc_items), SPEC("secretome", secretome_items),
};
#undef SPEC

cc_status qc_spec_find(const char *product_type, const qc_spec **out, cc_error *err)
{
    if (product_type)
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
            if (strcmp(builtin[i].product_type, product_type) == 0) {
                *out = &builtin[i];
                return CC_OK;
            }
    return cc_fail(err, CC_NOT_FOUND, "product_type", "no_qc_spec",
                   "no QC specification for product type \"%s\"", product_type ? product_type : "");
}

const qc_spec_item *qc_spec_item_find(const qc_spec *spec, const char *test)
{
    if (!spec || !test)
        return NULL;
    for (size_t i = 0; i < spec->n_items; i++)
        if (spec->items[i].test && strcmp(spec->items[i].test, test) == 0)
            return &spec->items[i];
    return NULL;
}

static void say(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

qc_verdict qc_evaluate(const qc_spec_item *item, const qc_result *r, char *why, size_t why_cap)
{
    if (!item || !r) {
        say(why, why_cap, "no specification item or no result");
        return QC_INVALID;
    }
    const char *name = item->name ? item->name : "test";
    if (r->pending) {
        say(why, why_cap, "%s result is pending", name);
        return QC_PENDING;
    }
    if (item->rule == QC_RULE_NEGATIVE) {
        if (r->detected) {
            say(why, why_cap, "%s: detected (specification: not detected)", name);
            return QC_FAIL;
        }
        say(why, why_cap, "%s: not detected", name);
        return QC_PASS;
    }
    const char *unit = item->unit ? item->unit : "";
    if (!r->unit || strcmp(r->unit, unit) != 0) {
        say(why, why_cap, "%s reported in \"%s\", specification unit is \"%s\"", name,
            r->unit ? r->unit : "", unit);
        return QC_INVALID;
    }
    double v = r->value;
    if (!isfinite(v) || v < 0 || (strcmp(unit, "%") == 0 && v > 100)) {
        say(why, why_cap, "%s value is not a valid %s", name, unit);
        return QC_INVALID;
    }
    bool pass;
    switch (item->rule) {
    case QC_RULE_MIN:
        pass = v >= item->low;
        if (!pass)
            say(why, why_cap, "%s %g %s is below the minimum %g %s", name, v, unit, item->low,
                unit);
        break;
    case QC_RULE_MAX:
        pass = v <= item->high;
        if (!pass)
            say(why, why_cap, "%s %g %s is above the maximum %g %s", name, v, unit, item->high,
                unit);
        break;
    case QC_RULE_RANGE:
        pass = v >= item->low && v <= item->high;
        if (!pass)
            say(why, why_cap, "%s %g %s is outside %g-%g %s", name, v, unit, item->low, item->high,
                unit);
        break;
    case QC_RULE_REPORT: pass = true; break;
    default: say(why, why_cap, "%s has an unknown rule", name); return QC_INVALID;
    }
    if (pass)
        say(why, why_cap, "%s %g %s meets the specification", name, v, unit);
    return pass ? QC_PASS : QC_FAIL;
}

/* Counts every reason; writes the first cap. */
typedef struct {
    qc_block *blocks;
    size_t cap, n;
} reasons;

static qc_block *add(reasons *rs, qc_block_kind kind, const char *test)
{
    size_t i = rs->n++;
    if (i >= rs->cap)
        return NULL;
    rs->blocks[i].kind = kind;
    rs->blocks[i].test = test;
    rs->blocks[i].message[0] = '\0';
    return &rs->blocks[i];
}

bool qc_release_check(const qc_release_input *in, qc_block *blocks, size_t cap, size_t *n_blocks)
{
    reasons rs = {blocks, blocks ? cap : 0, 0};
    qc_block *b;
    if (!in || !in->spec || (in->n_results > 0 && !in->results)) {
        if ((b = add(&rs, QC_BLOCK_NO_SPEC, NULL)))
            snprintf(b->message, sizeof b->message, "no QC specification or results given");
    } else {
        const qc_spec *spec = in->spec;
        for (size_t i = 0; i < spec->n_items; i++) {
            const qc_spec_item *item = &spec->items[i];
            size_t seen = 0;
            for (size_t j = 0; j < in->n_results; j++) {
                const qc_result *r = &in->results[j];
                if (!r->test || !item->test || strcmp(r->test, item->test) != 0)
                    continue;
                seen++;
                char why[QC_REASON_TEXT];
                qc_verdict v = qc_evaluate(item, r, why, sizeof why);
                if (v == QC_PASS)
                    continue;
                qc_block_kind k = v == QC_FAIL      ? QC_BLOCK_FAILED
                                  : v == QC_PENDING ? QC_BLOCK_PENDING
                                                    : QC_BLOCK_INVALID;
                if ((b = add(&rs, k, item->test)))
                    snprintf(b->message, sizeof b->message, "%s", why);
            }
            if (seen == 0 && item->required && (b = add(&rs, QC_BLOCK_MISSING, item->test)))
                snprintf(b->message, sizeof b->message, "%s: no result",
                         item->name ? item->name : item->test);
        }
    }
    if (in && in->donor != QC_DONOR_ELIGIBLE) {
        bool incomplete = in->donor != QC_DONOR_INELIGIBLE; /* unknown values: incomplete */
        if ((b = add(&rs, incomplete ? QC_BLOCK_DONOR_INCOMPLETE : QC_BLOCK_DONOR_INELIGIBLE,
                     NULL)))
            snprintf(b->message, sizeof b->message, "%s",
                     incomplete ? "donor eligibility is incomplete" : "donor is not eligible");
    }
    if (in && in->open_deviations > 0 && (b = add(&rs, QC_BLOCK_DEVIATION_OPEN, NULL)))
        snprintf(b->message, sizeof b->message, "%u deviation%s still open", in->open_deviations,
                 in->open_deviations == 1 ? " is" : "s are");
    if (n_blocks)
        *n_blocks = rs.n;
    return rs.n == 0;
}

const char *qc_verdict_name(qc_verdict v)
{
    switch (v) {
    case QC_PASS: return "pass";
    case QC_FAIL: return "fail";
    case QC_PENDING: return "pending";
    case QC_INVALID: return "invalid";
    }
    return "invalid";
}

const char *qc_block_kind_name(qc_block_kind k)
{
    switch (k) {
    case QC_BLOCK_MISSING: return "missing";
    case QC_BLOCK_PENDING: return "pending";
    case QC_BLOCK_FAILED: return "failed";
    case QC_BLOCK_INVALID: return "invalid";
    case QC_BLOCK_DONOR_INELIGIBLE: return "donor_ineligible";
    case QC_BLOCK_DONOR_INCOMPLETE: return "donor_incomplete";
    case QC_BLOCK_DEVIATION_OPEN: return "deviation_open";
    case QC_BLOCK_NO_SPEC: return "no_spec";
    }
    return "?";
}
