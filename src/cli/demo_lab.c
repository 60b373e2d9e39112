/* The laboratory part of `cellclinic demo`: synthetic donors with
 * their screening tests and eligibility, a collection and a batch each
 * (mostly UC-MSC, some secretome), manufacturing steps, a few units per
 * batch, QC results and QA decisions, all through the laboratory use cases
 * (app/laboratory.h) with their checks and audit entries:
 *   - about 1 donor in 8 has a positive screening test and is signed
 *     ineligible (no collection);
 *   - the first donor's batch is 13-14 months old: released, its two units
 *     past their expiry (made with the expiry they had then);
 *   - about 1 batch in 6 fails QC (sterility or identity) and is rejected,
 *     its units discarded;
 *   - about 1 batch in 6 still waits for QC: its units stay in quarantine;
 *   - the others are released; the expiry sweep marks the expired units;
 *     the units of the second and third donors (released) expire within
 *     the month.
 * Donors are marked synthetic (the only laboratory record with that mark);
 * every free text says "synthetic". It runs before the treatment histories
 * (demo_followup.c), which give some released units to their patients. */
#include "cli/demo_lab.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/demo_instruments.h"
#include "core/buf.h"
#include "core/donor_testing.h"
#include "app/laboratory.h"
#include "store/lab.h" /* reads: the site, its product codes, the expired units */

/* The site's FIN, set to a demonstration FIN when none is configured; an
 * active product code per product type the demo makes (added when none). */
static cc_status configure(app_ctx *ctx, char fin[ISBT128_FIN_LEN + 1], char pdc[2][8],
                           cc_error *err)
{
    static const char *const TYPES[2] = {"uc-msc", "secretome"};
    static const char *const CODES[2] = {"S9901", "S9902"};
    db *d = ctx->d;
    cc_status st = lab_site_fin(d, fin, err);
    if (st == CC_CONFLICT && strcmp(err->code, "fin_not_configured") == 0 &&
        (st = app_lab_site_set_fin(ctx, "W9999", err)) == CC_OK)
        st = lab_site_fin(d, fin, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, (size_t)1 << 20);
    st = lab_site_json(d, &b, err);
    json_t *site = st == CC_OK && !buf_failed(&b) ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    buf_release(&b);
    for (int t = 0; st == CC_OK && t < 2; t++) {
        pdc[t][0] = '\0';
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(site, "product_codes"), i, c)
        {
            const char *type = json_string_value(json_object_get(c, "product_type"));
            const char *code = json_string_value(json_object_get(c, "code"));
            json_t *active = json_object_get(c, "active");
            if (!pdc[t][0] && type && code && strcmp(type, TYPES[t]) == 0 &&
                (json_is_true(active) || json_integer_value(active) == 1))
                snprintf(pdc[t], 8, "%s", code);
        }
        if (!pdc[t][0]) {
            int64_t id;
            st = app_lab_product_code_add(ctx, CODES[t], TYPES[t],
                                          "synthetic demonstration product", &id, err);
            snprintf(pdc[t], 8, "%s", CODES[t]);
        }
    }
    json_decref(site);
    return st;
}

static cc_status add_qc(app_ctx *ctx, int64_t batch, const char *type, const char *failed,
                        const char *tested_on, cc_error *err)
{
    static const struct {
        const char *test, *unit;
        double value; /* < 0: qualitative: -1 not detected, -2 observed */
        bool secretome, msc;
    } QC[] = {
        {"sterility", "", -1, true, true},
        {"mycoplasma", "", -1, true, true},
        /* well under the intrathecal limit of the demo's units (10 mL: 1.4 EU/mL) */
        {"endotoxin", "EU/mL", 0.1, true, true},
        {"viability", "%", 92, false, true},
        {"plastic_adherence", "", -2, false, true},
        {"cd73", "%", 98, false, true},
        {"cd90", "%", 99, false, true},
        {"cd105", "%", 97, false, true},
        {"cd34", "%", 0.5, false, true},
        {"cd45", "%", 0.4, false, true},
        {"cd14", "%", 0.6, false, true},
        {"cd19", "%", 0.2, false, true},
        {"hla_dr", "%", 0.3, false, true},
        {"diff_osteo", "", -2, false, true},
        {"diff_adipo", "", -2, false, true},
        {"diff_chondro", "", -2, false, true},
        {"total_protein", "mg/mL", 1.8, true, false},
        {"factor_vegf", "pg/mL", 850, true, false},
        {"factor_hgf", "pg/mL", 1200, true, false},
        {"factor_tgfb1", "pg/mL", 2400, true, false},
        {"factor_il6", "pg/mL", 310, true, false},
    };
    bool secretome = strcmp(type, "secretome") == 0;
    cc_status st = CC_OK;
    for (size_t i = 0; st == CC_OK && i < sizeof QC / sizeof QC[0]; i++) {
        if (secretome ? !QC[i].secretome : !QC[i].msc)
            continue;
        bool fail = failed && strcmp(failed, QC[i].test) == 0;
        qc_result r = {.test = QC[i].test, .unit = QC[i].unit};
        if (QC[i].value < 0)
            r.detected = QC[i].value < -1 ? !fail : fail;
        else
            r.value = fail ? 88 : QC[i].value; /* a failed identity marker: 88 % */
        int64_t id;
        qc_verdict verdict;
        st = app_lab_batch_add_qc(ctx, batch, &r, QC[i].value < 0, QC[i].value >= 0,
                                  QC[i].value == -1 ? "culture (synthetic)"
                                  : QC[i].value < 0 ? "staining (synthetic)"
                                                    : "synthetic",
                                  tested_on, &id, &verdict, err);
    }
    return st;
}

cc_status demo_lab(db *d, uint64_t seed, int64_t patients, cc_date today, demo_lab_counts *made,
                   cc_error *err)
{
    *made = (demo_lab_counts){0};
    int64_t donors = patients / 20 < 40 ? patients / 20 : 40;
    if (patients >= 20 && donors < 3)
        donors = 3;
    if (donors == 0)
        return CC_OK;
    char fin[ISBT128_FIN_LEN + 1];
    char pdc[2][8];
    app_ctx ctx = app_ctx_demo(d, NULL);
    cc_status st = configure(&ctx, fin, pdc, err);
    uint64_t rng = seed * UINT64_C(0xA24BAED4963EE407) + 23;
    int year, month, day;
    date_to_ymd(today, &year, &month, &day);
    for (int64_t k = 0; st == CC_OK && k < donors; k++) {
        /* the first donor is the oldest: collected 13-14 months ago, its units past expiry */
        cc_date collected = k == 0 ? today - 400 - (cc_date)(demo_rnd(&rng) % 30)
                                   : today - 20 - (cc_date)(demo_rnd(&rng) % 300);
        char s_collected[CC_DATE_TEXT], s_consent[CC_DATE_TEXT], s_tested[CC_DATE_TEXT];
        date_format(collected, s_collected);
        date_format(collected - 2, s_consent);
        date_format(collected + 21, s_tested);
        lab_donor_fields f = {
            NULL, "allogeneic", 0, s_consent, "synthetic demonstration consent", true, 1};
        int64_t donor, id;
        if ((st = app_lab_donor_create(&ctx, &f, &donor, err)) != CC_OK)
            break;
        made->donors++;
        /* the first three donors' batches are released (and expire, or soon); the others
         * are drawn */
        bool positive = k >= 3 && demo_rnd(&rng) % 8 == 0;
        /* the full panel (donor_testing.h), sampled on the day of the collection (the
         * mother's sample at delivery): inside every default window; HBsAg is the
         * positive one */
        for (size_t t = 0; st == CC_OK && donor_marker_code(t); t++)
            st = app_lab_donor_add_test(&ctx, donor, donor_marker_code(t),
                                        positive && t == 0 ? "positive" : "negative", s_collected,
                                        NULL, &id, err);
        if (st == CC_OK)
            st = app_lab_donor_decide(&ctx, donor, positive ? "ineligible" : "eligible",
                                      positive ? "hepatitis B positive (synthetic)" : NULL, err);
        if (st != CC_OK || positive) {
            made->ineligible_donors += positive;
            continue;
        }
        bool secretome = k >= 3 && demo_rnd(&rng) % 4 == 0;
        const char *type = secretome ? "secretome" : "uc-msc";
        lab_collection_fields c = {donor,       "cord-tissue",
                                   s_collected, "synthetic demonstration maternity",
                                   -1,          15 + (double)(demo_rnd(&rng) % 15)};
        int64_t collection, batch;
        if ((st = app_lab_collection_create(&ctx, &c, &collection, err)) != CC_OK ||
            (st = app_lab_batch_create(&ctx, type, &collection, 1, &batch, err)) != CC_OK)
            break;
        made->batches++;
        static const char *const MSC_STEPS[] = {"isolation", "passage",     "passage",
                                                "harvest",   "formulation", "cryopreservation"};
        static const char *const SEC_STEPS[] = {"isolation",     "passage",     "cm-harvest",
                                                "concentration", "formulation", "cryopreservation"};
        for (int s = 0; st == CC_OK && s < 6; s++) {
            char at[24];
            date_format(collected + 1 + 3 * s, at);
            snprintf(at + 10, sizeof at - 10, "T09:00:00Z");
            lab_step_fields step = {
                secretome ? SEC_STEPS[s] : MSC_STEPS[s],
                at,
                "synthetic operator",
                "synthetic demonstration step",
                s == 1 || s == 2 ? s : -1,
                s == 3 && !secretome ? 400000000 + (int64_t)(demo_rnd(&rng) % 400) * 1000000 : -1};
            st = app_lab_batch_add_step(&ctx, batch, &step, &id, err);
        }
        /* units: 2 to 4, in quarantine until the batch is released */
        int n_units = k == 0 ? 2 : 2 + (int)(demo_rnd(&rng) % 3);
        cc_date expiry = collected + 365;
        if (k >= 1 && k < 3)
            expiry = today + 5 + (cc_date)(demo_rnd(&rng) % 20); /* expires within the month */
        char s_expiry[CC_DATE_TEXT];
        date_format(expiry, s_expiry);
        for (int u = 0; st == CC_OK && u < n_units; u++) {
            char box[24], position[16];
            snprintf(box, sizeof box, "B%lld", (long long)batch);
            snprintf(position, sizeof position, "A%d", u + 1);
            lab_unit_fields uf = {pdc[secretome],
                                  u + 1,
                                  secretome ? 0
                                            : 100000000 + (uint64_t)(demo_rnd(&rng) % 20) * 5000000,
                                  secretome ? -1 : 88 + (double)(demo_rnd(&rng) % 10),
                                  secretome ? 5 : 10,
                                  s_expiry,
                                  "<= -150 C (synthetic)",
                                  "F1",
                                  "R1",
                                  box,
                                  position,
                                  year % 100};
            if ((st = app_lab_unit_create(&ctx, batch, &uf, &id, err)) == CC_OK)
                made->units++;
        }
        if (st != CC_OK)
            break;
        unsigned r = k < 3 ? 99 : (unsigned)(demo_rnd(&rng) % 6);
        if (r == 0) { /* QC still pending: units stay in quarantine */
            made->pending_batches++;
            continue;
        }
        const char *failed =
            r == 1 ? (secretome || demo_rnd(&rng) % 2 ? "sterility" : "cd73") : NULL;
        if ((st = add_qc(&ctx, batch, type, failed, s_tested, err)) != CC_OK)
            break;
        if (failed) {
            char reason[96];
            snprintf(reason, sizeof reason, "failed QC: %s (synthetic)", failed);
            st = app_lab_batch_reject(&ctx, batch, reason, today, err);
            made->rejected_batches++;
        } else {
            lab_readiness ready;
            st = app_lab_batch_release(&ctx, batch, "synthetic demonstration release", today,
                                       &ready, err);
            made->released_batches++;
        }
    }
    /* releases and rejections record due expiries as they go: count them all */
    int64_t expired = 0;
    if (st == CC_OK)
        st = app_lab_expire_due(&ctx, today, &expired, err);
    lab_unit_query q = {.state = "expired", .expiring_days = -1, .page = 1, .per_page = 1};
    buf b;
    buf_init(&b, 1 << 16);
    if (st == CC_OK)
        st = lab_unit_list_json(d, &q, &b, &made->expired_units, err);
    buf_release(&b);
    return st;
}
