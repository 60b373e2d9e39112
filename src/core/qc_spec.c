#include "qc_spec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Default MSC specification: ISCT minimal criteria for identity (Dominici
 * et al. 2006, qc_spec.h), viability >= 70 %, safety tests. Shared by the
 * four MSC tissue sources. */
static const qc_spec_item msc_items[] = {
    {"sterility", "Sterility", QC_RULE_NEGATIVE, 0, 0, "", true, NULL},
    {"mycoplasma", "Mycoplasma", QC_RULE_NEGATIVE, 0, 0, "", true, NULL},
    {"endotoxin", "Endotoxin", QC_RULE_ENDOTOXIN, 0, 0, "EU/mL", true, NULL},
    {"viability", "Viability", QC_RULE_MIN, 70, 0, "%", true, NULL},
    {"plastic_adherence", "Plastic adherence", QC_RULE_POSITIVE, 0, 0, "", true, NULL},
    {"cd73", "CD73+ cells", QC_RULE_MIN, 95, 0, "%", true, NULL},
    {"cd90", "CD90+ cells", QC_RULE_MIN, 95, 0, "%", true, NULL},
    {"cd105", "CD105+ cells", QC_RULE_MIN, 95, 0, "%", true, NULL},
    {"cd34", "CD34+ cells", QC_RULE_MAX, 0, 2, "%", true, NULL},
    {"cd45", "CD45+ cells", QC_RULE_MAX, 0, 2, "%", true, NULL},
    {"cd14", "CD14+ cells", QC_RULE_MAX, 0, 2, "%", true, "cd14_cd11b"},
    {"cd11b", "CD11b+ cells", QC_RULE_MAX, 0, 2, "%", true, "cd14_cd11b"},
    {"cd79a", "CD79alpha+ cells", QC_RULE_MAX, 0, 2, "%", true, "cd79a_cd19"},
    {"cd19", "CD19+ cells", QC_RULE_MAX, 0, 2, "%", true, "cd79a_cd19"},
    {"hla_dr", "HLA-DR+ cells", QC_RULE_MAX, 0, 2, "%", true, NULL},
    {"diff_osteo", "Osteogenic differentiation", QC_RULE_POSITIVE, 0, 0, "", true, NULL},
    {"diff_adipo", "Adipogenic differentiation", QC_RULE_POSITIVE, 0, 0, "", true, NULL},
    {"diff_chondro", "Chondrogenic differentiation", QC_RULE_POSITIVE, 0, 0, "", true, NULL},
};

static const qc_spec_item secretome_items[] = {
    {"sterility", "Sterility", QC_RULE_NEGATIVE, 0, 0, "", true, NULL},
    {"mycoplasma", "Mycoplasma", QC_RULE_NEGATIVE, 0, 0, "", true, NULL},
    {"endotoxin", "Endotoxin", QC_RULE_ENDOTOXIN, 0, 0, "EU/mL", true, NULL},
    {"total_protein", "Total protein", QC_RULE_REPORT, 0, 0, "mg/mL", true, NULL},
    {"factor_vegf", "VEGF", QC_RULE_REPORT, 0, 0, "pg/mL", true, NULL},
    {"factor_hgf", "HGF", QC_RULE_REPORT, 0, 0, "pg/mL", true, NULL},
    {"factor_tgfb1", "TGF-beta1", QC_RULE_REPORT, 0, 0, "pg/mL", true, NULL},
    {"factor_il6", "IL-6", QC_RULE_REPORT, 0, 0, "pg/mL", true, NULL},
};

#define SPEC(type, items)                                                                          \
    {                                                                                              \
        type, "2026.2", items, sizeof items / sizeof items[0]                                      \
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

double qc_endotoxin_k(const char *route)
{
    return !route || strcmp(route, "intrathecal") == 0 ? QC_ENDOTOXIN_K_INTRATHECAL
                                                       : QC_ENDOTOXIN_K_PARENTERAL;
}

double qc_endotoxin_limit(const qc_dose *dose)
{
    if (!dose || !isfinite(dose->dose_ml) || !isfinite(dose->body_kg) || dose->dose_ml <= 0 ||
        dose->body_kg <= 0)
        return NAN;
    return qc_endotoxin_k(dose->route) * dose->body_kg / dose->dose_ml;
}

qc_verdict qc_evaluate(const qc_spec_item *item, const qc_result *r, char *why, size_t why_cap)
{
    return qc_evaluate_dose(item, r, NULL, why, why_cap);
}

qc_verdict qc_evaluate_dose(const qc_spec_item *item, const qc_result *r, const qc_dose *dose,
                            char *why, size_t why_cap)
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
    if (item->rule == QC_RULE_POSITIVE) {
        if (!r->detected) {
            say(why, why_cap, "%s: not observed (specification: observed)", name);
            return QC_FAIL;
        }
        say(why, why_cap, "%s: observed", name);
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
    case QC_RULE_ENDOTOXIN: {
        double limit = qc_endotoxin_limit(dose);
        if (isnan(limit)) {
            say(why, why_cap, "%s limit K/M unknown: no dose volume or body weight", name);
            return QC_INVALID;
        }
        pass = v <= limit;
        if (!pass)
            say(why, why_cap, "%s %g %s is above the limit %g %s (K %g EU/kg, %s)", name, v, unit,
                limit, unit, qc_endotoxin_k(dose->route), dose->route ? dose->route : "any route");
        break;
    }
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

static bool answered(const qc_release_input *in, const char *test)
{
    for (size_t j = 0; j < in->n_results; j++)
        if (in->results[j].test && test && strcmp(in->results[j].test, test) == 0)
            return true;
    return false;
}

/* Alternatives: one reason at the first of them, when none has a result. */
static void missing_alternatives(reasons *rs, const qc_release_input *in, size_t at)
{
    const qc_spec *spec = in->spec;
    const char *group = spec->items[at].one_of;
    /* room for the sentence around the names in a QC_REASON_TEXT message */
    char names[QC_REASON_TEXT - 40] = "";
    size_t len = 0;
    for (size_t k = 0; k < spec->n_items; k++) {
        const qc_spec_item *o = &spec->items[k];
        if (!o->one_of || strcmp(o->one_of, group) != 0)
            continue;
        if (k < at || answered(in, o->test))
            return;
        int w = snprintf(names + len, sizeof names - len, "%s%s", len ? " or " : "",
                         o->name ? o->name : o->test);
        if (w > 0 && (size_t)w < sizeof names - len)
            len += (size_t)w;
    }
    qc_block *b = add(rs, QC_BLOCK_MISSING, spec->items[at].test);
    if (b)
        snprintf(b->message, sizeof b->message, "%s: no result (one of them is required)", names);
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
                qc_verdict v = qc_evaluate_dose(item, r, &in->dose, why, sizeof why);
                if (v == QC_PASS)
                    continue;
                qc_block_kind k = v == QC_FAIL      ? QC_BLOCK_FAILED
                                  : v == QC_PENDING ? QC_BLOCK_PENDING
                                                    : QC_BLOCK_INVALID;
                if ((b = add(&rs, k, item->test)))
                    snprintf(b->message, sizeof b->message, "%s", why);
            }
            if (seen == 0 && item->required && item->one_of)
                missing_alternatives(&rs, in, i);
            else if (seen == 0 && item->required && (b = add(&rs, QC_BLOCK_MISSING, item->test)))
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

const char *qc_rule_name(qc_rule r)
{
    switch (r) {
    case QC_RULE_NEGATIVE: return "negative";
    case QC_RULE_MIN: return "min";
    case QC_RULE_MAX: return "max";
    case QC_RULE_RANGE: return "range";
    case QC_RULE_REPORT: return "report";
    case QC_RULE_POSITIVE: return "positive";
    case QC_RULE_ENDOTOXIN: return "endotoxin";
    }
    return "?";
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
