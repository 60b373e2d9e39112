/* cellclinic demo: synthetic demonstration data, always marked synthetic. */
#include <stdio.h>
#include <string.h>

#include "app/clinic.h"
#include "app/patients.h"
#include "app/requests.h"
#include "cli/commands.h"
#include "cli/demo_followup.h"
#include "cli/demo_lab.h"
#include "cli/opts.h"
#include "core/date.h"
#include "store/datadir.h"

static const char *const FAMILY[] = {
    "Durand",   "Lefèvre", "Martin",   "Bernard",   "Dubois",   "Moreau",  "Laurent",
    "Simon",    "Michel",  "Leroy",    "Roux",      "Fournier", "Girard",  "Bonnet",
    "Dupont",   "Lambert", "Fontaine", "Rousseau",  "Müller",   "García",  "Nguyen",
    "Kowalski", "Novák",   "Öztürk",   "Sørensen",  "Smith",    "Johnson", "Brown",
    "Da Silva", "Benali",  "Mercier",  "Chevalier", "Gauthier", "Perrin",  "Clément"};
static const char *const GIVEN_F[] = {"Éloïse", "Zoë", "Anaïs", "Hélène", "Noémie",
                                      "Chloé",  "Léa", "Inès",  "Amélie", "Céline",
                                      "Mary",   "Ana", "Sofía", "Camille"};
static const char *const GIVEN_M[] = {"Jérôme",  "François", "Loïc",  "Maël", "Gaël",
                                      "Raphaël", "Benoît",   "Émile", "John", "Lukas",
                                      "Mathéo",  "Noah",     "Karim"};
static const struct {
    const char *icd10, *label_en, *details;
} CONDITIONS[] = {
    {"S14.1", "Cervical spinal cord injury", "{\"level\":\"C5\",\"ais\":\"B\"}"},
    {"S24.1", "Thoracic spinal cord injury", "{\"level\":\"T6\",\"ais\":\"A\"}"},
    {"Q05.9", "Spina bifida", "{\"type\":\"myelomeningocele\"}"},
    {"G35", "Multiple sclerosis", "{}"},
    {"G20", "Parkinson's disease", "{}"},
    {"G12.21", "Amyotrophic lateral sclerosis", "{}"},
    {"M17.1", "Primary osteoarthritis of the knee", "{}"},
    {"I63.9", "Cerebral infarction (stroke)", "{}"},
};

/* xorshift64*: a small deterministic generator, so --seed reproduces the data. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(2685821657736338717);
}

#define PICK(list, rng) (list[next_random(rng) % (sizeof list / sizeof list[0])])

/* Details of a spinal cord injury drawn from a separate stream (drng), so the
 * rest of each patient stays what the same seed gave before: the level (C5-C8
 * for S14.1, T2-T12 for S24.1) and the AIS grade (A 40 %, B, C, D 20 % each). */
static const char *sci_details(const char *icd10, uint64_t *drng, char *out, size_t cap)
{
    bool cervical = strcmp(icd10, "S14.1") == 0;
    if (!cervical && strcmp(icd10, "S24.1") != 0)
        return NULL;
    int level = cervical ? 5 + (int)(next_random(drng) % 4) : 2 + (int)(next_random(drng) % 11);
    unsigned g = (unsigned)(next_random(drng) % 5);
    snprintf(out, cap, "{\"level\":\"%c%d\",\"ais\":\"%c\"}", cervical ? 'C' : 'T', level,
             g < 2 ? 'A' : (char)('A' + g - 1));
    return out;
}

static cc_status add_patient(const app_ctx *demo, uint64_t *rng, uint64_t *drng, cc_date today,
                             cc_error *err)
{
    bool female = next_random(rng) % 2;
    cc_date birth = today - (cc_date)(365 * 3 + next_random(rng) % (365 * 75));
    char birth_text[CC_DATE_TEXT];
    date_format(birth, birth_text);
    patient_fields f = {PICK(FAMILY, rng),
                        female ? PICK(GIVEN_F, rng) : PICK(GIVEN_M, rng),
                        birth_text,
                        female ? "female" : "male",
                        next_random(rng) % 3 ? "fr" : "en",
                        "",
                        "",
                        ""};
    int grams = 15000 + (int)(next_random(rng) % 850) * 100;
    if (today - birth < 365 * 12)
        grams = 12000 + (int)(next_random(rng) % 300) * 100;
    int64_t id, condition_id;
    patient_matches dup;
    app_patient_new n = {
        .fields = f, .has_weight = true, .weight_kg = grams / 1000.0, .confirm_duplicate = true};
    cc_status st = app_patient_create(demo, &n, &id, &dup, err);
    if (st != CC_OK)
        return st;
    size_t c = next_random(rng) % (sizeof CONDITIONS / sizeof CONDITIONS[0]);
    char onset[CC_DATE_TEXT];
    date_format(today - 30 - (cc_date)(next_random(rng) % 2000), onset);
    if (strcmp(onset, birth_text) < 0)
        date_format(birth, onset);
    char details[64];
    const char *sci = sci_details(CONDITIONS[c].icd10, drng, details, sizeof details);
    return app_patient_add_condition(demo, id, CONDITIONS[c].icd10, CONDITIONS[c].label_en, onset,
                                     sci ? sci : CONDITIONS[c].details, &condition_id, err);
}

static cc_status add_request(const app_ctx *demo, uint64_t *rng, cc_error *err)
{
    static const char *const CONDITION_TEXT[] = {"Spinal cord injury (C6), 8 months ago",
                                                 "Spina bifida, my son is 6",
                                                 "Multiple sclerosis, relapsing",
                                                 "ALS diagnosed last year",
                                                 "Knee osteoarthritis, both knees",
                                                 "Blessure médullaire T10 depuis 2 ans",
                                                 "Sclérose en plaques"};
    char name[128];
    bool female = next_random(rng) % 2;
    snprintf(name, sizeof name, "%s %s", female ? PICK(GIVEN_F, rng) : PICK(GIVEN_M, rng),
             PICK(FAMILY, rng));
    consult_fields f = {name,
                        "demo@example.org",
                        "",
                        NULL,
                        PICK(CONDITION_TEXT, rng),
                        "Synthetic demonstration request.",
                        next_random(rng) % 2 ? "fr" : "en",
                        NULL,
                        NULL,
                        NULL,
                        NULL,
                        true};
    int64_t id;
    return app_request_create(demo, &f, &id, err);
}

/* The clinic's site, when the administrator has set no public address (the
 * site is not configured yet): its name, time zone, language and the address
 * `make run` serves on, which questionnaire links need. */
static cc_status configure_clinic(const app_ctx *demo, cc_error *err)
{
    site_identity site;
    cc_status st = site_identity_get(demo->d, demo->site_id, &site, err);
    if (st != CC_OK || site.public_base_url[0])
        return st;
    const site_fields f = {.name = site.name[0] ? NULL : "Clinique de démonstration",
                           .time_zone = "Europe/Paris",
                           .language = "fr",
                           .public_base_url = "http://127.0.0.1:8080/"};
    return app_clinic_site_set(demo, &f, err);
}

int cmd_demo(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic demo --data DIR [--patients N] [--seed S]\n\n"
        "Adds N (default 200, at most 1000000) synthetic patients with a weight and a\n"
        "condition, and N/10 (at most 50) synthetic consultation requests. Up to 2N/5\n"
        "(at most 300) of the patients are screened for the programme of their condition\n"
        "(sci, spina-bifida, msc, als, secretome): about 1 in 8 is signed not eligible,\n"
        "the others get a treatment and follow-up history with the instruments of their\n"
        "protocol (ISNCSCI, ALSFRS-R, NRS pain, MAS, NBD, satisfaction) when the planner\n"
        "can serve them. The laboratory gets N/20 (at least 3 from N=20, at most 40)\n"
        "donors with screening, batches with QC (some rejected, some pending) and units\n"
        "(released, quarantined, discarded, expired, some expiring soon); it sets the\n"
        "site's FIN (W9999) and product codes only when none is configured, and, when\n"
        "the clinic's site has no public address, its name (Clinique de démonstration),\n"
        "time zone (Europe/Paris), language (fr) and address (http://127.0.0.1:8080/).\n"
        "Released UC-MSC units are given to treated patients, reserved, issued to a ward\n"
        "and recorded as at the bedside; two sci patients are in their stay today (wards\n"
        "\"Neurologie A\" and \"Neurologie B\"), their next unit issued.\n"
        "Patients and donors are marked synthetic; other records hang on them or say\n"
        "\"synthetic\" in their text. The same seed gives the same data on the same day.\n";
    const char *data, *patients_text, *seed_text;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"patients", true, false, &patients_text},
                                  {"seed", true, false, &seed_text},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("demo", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    int64_t patients = 200, seed = 1;
    if (patients_text && !opts_int("demo", "patients", patients_text, 0, 1000000, &patients))
        return 2;
    if (seed_text && !opts_int("demo", "seed", seed_text, 0, INT64_MAX, &seed))
        return 2;
    cc_error err;
    db *d;
    if (datadir_open(data, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic demo: %s\n", err.message);
        return 1;
    }
    uint64_t rng = (uint64_t)seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
    uint64_t drng = (uint64_t)seed * UINT64_C(0xC2B2AE3D27D4EB4F) + 3;
    cc_date today = instant_date(store_now_seconds());
    app_ctx demo = app_ctx_demo(d, NULL);
    cc_status st = configure_clinic(&demo, &err);
    /* Batches of 500 per transaction: durable, and fast enough for 10,000. */
    for (int64_t done = 0; st == CC_OK && done < patients;) {
        if ((st = db_tx_begin(d, &err)) != CC_OK)
            break;
        for (int i = 0; st == CC_OK && i < 500 && done < patients; i++, done++)
            st = add_patient(&demo, &rng, &drng, today, &err);
        st = db_tx_end(d, st, &err);
        if (patients >= 2000)
            fprintf(stderr, "\rdemo: %lld of %lld patients", (long long)done, (long long)patients);
    }
    if (patients >= 2000)
        fputc('\n', stderr);
    int64_t requests = patients / 10 < 50 ? patients / 10 : 50;
    for (int64_t i = 0; st == CC_OK && i < requests; i++)
        st = add_request(&demo, &rng, &err);
    demo_followup_counts fu = {0};
    demo_lab_counts lab = {0};
    /* the laboratory first: the treatment histories are given its units */
    if (st == CC_OK)
        st = demo_lab(d, (uint64_t)seed, patients, today, &lab, &err);
    if (st == CC_OK)
        st = demo_followup(d, (uint64_t)seed, patients, today, &fu, &err);
    db_close(d);
    if (st != CC_OK) {
        fprintf(stderr, "cellclinic demo: %s\n", err.message);
        return 1;
    }
    printf("demo: added %lld synthetic patients and %lld synthetic consultation requests;"
           " %lld of the patients have a synthetic treatment and follow-up history (",
           (long long)patients, (long long)requests, (long long)fu.treated);
    for (int k = 0; k < DEMO_PROGRAMMES; k++)
        printf("%s%s %lld", k ? ", " : "", demo_programme_ids[k], (long long)fu.per_programme[k]);
    printf("); %lld more were screened not eligible\n", (long long)fu.not_eligible);
    printf("demo: laboratory: %lld synthetic donors (%lld not eligible), %lld batches (%lld"
           " released, %lld rejected after failed QC, %lld waiting for QC), %lld units (%lld"
           " expired)\n",
           (long long)lab.donors, (long long)lab.ineligible_donors, (long long)lab.batches,
           (long long)lab.released_batches, (long long)lab.rejected_batches,
           (long long)lab.pending_batches, (long long)lab.units, (long long)lab.expired_units);
    return 0;
}
