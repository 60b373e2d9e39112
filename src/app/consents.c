#include "app/consents.h"

#include <stdio.h>
#include <string.h>

#include "app/programmes.h"
#include "core/text.h"
#include "store/patients.h"
#include "store/protocols.h"

const char *const APP_CONSENT_KINDS[3] = {"treatment", "research", "follow_up_contact"};

enum { TITLE_MAX = 200, NAME_MAX_CHARS = 200, TEXT_MAX_BYTES = 60000 };

static bool one_of(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

static cc_status check_document(app_ctx *c, const consent_document_new *n, cc_error *err)
{
    static const char *const LANGUAGES[] = {"en", "fr"};
    if (!one_of(n->kind, APP_CONSENT_KINDS, 3))
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind must be treatment, research or follow_up_contact");
    if (!one_of(n->language, LANGUAGES, 2))
        return cc_fail(err, CC_INVALID, "language", "invalid_value", "language must be en or fr");
    cc_status st = text_check_line(n->title, "title", TITLE_MAX, true, err);
    if (st != CC_OK)
        return st;
    size_t len = n->body ? strlen(n->body) : 0;
    if (len == 0 || len > TEXT_MAX_BYTES || !text_is_clean_utf8(n->body, len, true) ||
        text_codepoints(n->body) == 0)
        return cc_fail(err, CC_INVALID, "text", "invalid_text",
                       "text must be 1 to 60000 bytes of UTF-8 text without control characters");
    protocol_row row;
    st = protocol_store_get(c->d, c->arena, n->protocol_id ? n->protocol_id : "", 0, &row, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "protocol", "not_found", "no programme %.40s",
                       n->protocol_id ? n->protocol_id : "");
    return st;
}

cc_status app_consent_add_document(app_ctx *c, const consent_document_new *n, int64_t *id,
                                   int *version, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    if ((st = check_document(c, n, err)) == CC_OK)
        st = consent_store_add_document(c->d, &c->actor, n, id, version, err);
    return db_tx_end(c->d, st, err);
}

/* The signer, mode and paper facts of a new consent; fills the store's record. */
static cc_status check_consent(app_ctx *c, const app_consent_new *n, cc_date today,
                               consent_new *out, char signed_on[CC_DATE_TEXT], cc_error *err)
{
    static const char *const SIGNERS[] = {"patient", "guardian"};
    static const char *const MODES[] = {"tablet", "paper"};
    if (n->document_id < 1)
        return cc_fail(err, CC_INVALID, "document_id", "invalid_value",
                       "document_id is the id of a consent document");
    if (!one_of(n->signer, SIGNERS, 2))
        return cc_fail(err, CC_INVALID, "signer", "invalid_value",
                       "signer must be patient or guardian");
    cc_status st = text_check_line(n->signer_name, "signer_name", NAME_MAX_CHARS, true, err);
    bool guardian = strcmp(n->signer, "guardian") == 0;
    if (st == CC_OK && guardian)
        st = text_check_line(n->signer_relation, "signer_relation", NAME_MAX_CHARS, true, err);
    else if (st == CC_OK && n->signer_relation && *n->signer_relation)
        st = cc_fail(err, CC_INVALID, "signer_relation", "invalid_value",
                     "signer_relation is for a guardian only");
    if (st != CC_OK)
        return st;
    if (!one_of(n->mode, MODES, 2))
        return cc_fail(err, CC_INVALID, "mode", "invalid_value", "mode must be tablet or paper");
    bool paper = strcmp(n->mode, "paper") == 0;
    const char *other = paper                ? NULL
                        : n->paper_date      ? "paper_date"
                        : n->paper_reference ? "paper_reference"
                                             : NULL;
    if (other)
        return cc_fail(err, CC_INVALID, other, "invalid_value",
                       "%s is for a consent recorded from paper only", other);
    cc_date on = today;
    if (paper) {
        if (!n->paper_date)
            return cc_fail(err, CC_INVALID, "paper_date", "required",
                           "paper_date is required for a paper consent");
        if ((st = date_parse(n->paper_date, "paper_date", &on, err)) != CC_OK)
            return st;
        if (on > today)
            return cc_fail(err, CC_INVALID, "paper_date", "date_in_future",
                           "paper_date cannot be in the future");
        if ((st = text_check_line(n->paper_reference, "paper_reference", NAME_MAX_CHARS, true,
                                  err)) != CC_OK)
            return st;
    }
    date_format(on, signed_on);
    *out = (consent_new){
        .patient_id = n->patient_id,
        .document_id = n->document_id,
        .signer = n->signer,
        .signer_name = n->signer_name,
        .signer_relation = guardian ? n->signer_relation : "",
        .mode = n->mode,
        .witness_id = paper ? 0 : c->actor.user_id,
        .witness = paper ? "" : c->actor.username,
        .paper_reference = paper ? n->paper_reference : "",
        .signed_on = signed_on,
    };
    return CC_OK;
}

cc_status app_consent_record(app_ctx *c, const app_consent_new *n, cc_date today, int64_t *id,
                             cc_error *err)
{
    consent_new rec;
    char signed_on[CC_DATE_TEXT];
    cc_status st = check_consent(c, n, today, &rec, signed_on, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = consent_store_record(c->d, c->arena, &c->actor, &rec, id, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_consent_withdraw(app_ctx *c, int64_t patient_id, int64_t id, const char *reason,
                               cc_error *err)
{
    cc_status st = text_check_line(reason, "reason", 1000, true, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = consent_store_withdraw(c->d, &c->actor, patient_id, id, reason, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_consent_require_treatment(app_ctx *c, int64_t patient_id, const char *protocol_id,
                                        cc_error *err)
{
    consent_state state;
    cc_status st = consent_store_state(c->d, patient_id, protocol_id, "treatment", &state, err);
    if (st != CC_OK || state == CONSENT_CURRENT)
        return st;
    if (state == CONSENT_WITHDRAWN)
        return cc_fail(err, CC_CONFLICT, "consent", "consent_withdrawn",
                       "the patient withdrew the treatment consent for this programme: the plan "
                       "cannot be approved");
    return cc_fail(err, CC_CONFLICT, "consent", "consent_missing",
                   "the patient has no signed treatment consent for this programme: record it "
                   "before approving the plan");
}

/* The demonstration's texts: {programme name} is filled in. */
static const struct {
    const char *kind, *title_en, *title_fr, *text_en, *text_fr;
} DEMO_TEXTS[] = {
    {"treatment", "Consent to treatment", "Consentement au traitement",
     "DEMONSTRATION TEXT. I have been told about the treatment of the programme \"%s\", its "
     "expected benefits, its risks (including those of a lumbar puncture) and the other "
     "treatments available. I agree to be treated. I may withdraw this consent at any time "
     "without it changing my other care.",
     "TEXTE DE DÉMONSTRATION. J'ai été informé(e) du traitement du programme « %s », de ses "
     "bénéfices attendus, de ses risques (dont ceux d'une ponction lombaire) et des autres "
     "traitements possibles. J'accepte d'être traité(e). Je peux retirer ce consentement à tout "
     "moment sans que mes autres soins en soient changés."},
    {"research", "Consent to the use of data for research",
     "Consentement à l'usage des données "
     "pour la recherche",
     "DEMONSTRATION TEXT. I agree that my data from the programme \"%s\", without my name or "
     "contact details, may be used for research and sent to registries. I may withdraw this "
     "consent at any time; data already published cannot be recalled.",
     "TEXTE DE DÉMONSTRATION. J'accepte que mes données du programme « %s », sans mon nom ni mes "
     "coordonnées, servent à la recherche et soient transmises à des registres. Je peux retirer "
     "ce consentement à tout moment ; les données déjà publiées ne peuvent être rappelées."},
    {"follow_up_contact", "Consent to be contacted for follow-up",
     "Consentement à être contacté "
     "pour le suivi",
     "DEMONSTRATION TEXT. I agree that the clinic contacts me by telephone, email or post for the "
     "follow-up of the programme \"%s\" and its questionnaires.",
     "TEXTE DE DÉMONSTRATION. J'accepte que la clinique me contacte par téléphone, courriel ou "
     "courrier pour le suivi du programme « %s » et ses questionnaires."},
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static cc_status demo_document(app_ctx *c, const protocol *p, size_t k, bool fr, cc_error *err)
{
    int64_t id = 0;
    const char *language = fr ? "fr" : "en";
    cc_status st =
        consent_store_latest_document(c->d, p->id, DEMO_TEXTS[k].kind, language, &id, err);
    if (st != CC_OK || id)
        return st;
    char text[1024];
    snprintf(text, sizeof text, fr ? DEMO_TEXTS[k].text_fr : DEMO_TEXTS[k].text_en,
             fr ? p->name_fr : p->name_en);
    consent_document_new n = {p->id, DEMO_TEXTS[k].kind, language,
                              fr ? DEMO_TEXTS[k].title_fr : DEMO_TEXTS[k].title_en, text};
    int version;
    return consent_store_add_document(c->d, &c->actor, &n, &id, &version, err);
}
#pragma GCC diagnostic pop

cc_status app_consent_demo_documents(app_ctx *c, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    protocol_row *rows = NULL;
    size_t n = 0;
    protocol *p = arena_alloc(c->arena, sizeof *p);
    st = p ? protocol_store_list(c->d, c->arena, &rows, &n, err)
           : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        st = programme_load(c->d, c->arena, rows[i].protocol_id, 0, p, err);
        for (size_t k = 0; st == CC_OK && k < sizeof DEMO_TEXTS / sizeof DEMO_TEXTS[0]; k++)
            for (int fr = 0; st == CC_OK && fr < 2; fr++)
                st = demo_document(c, p, k, fr, err);
    }
    return db_tx_end(c->d, st, err);
}

cc_status app_consent_demo_patient(app_ctx *c, int64_t patient_id, const char *protocol_id,
                                   cc_date signed_on, bool research, cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    patient_record pt;
    if ((st = patient_get(c->d, c->arena, patient_id, false, &pt, err)) == CC_OK && !pt.synthetic)
        st = cc_fail(err, CC_INVALID, "patient_id", "not_synthetic",
                     "only a synthetic patient gets demonstration consents");
    char name[420], on[CC_DATE_TEXT];
    if (st == CC_OK)
        snprintf(name, sizeof name, "%s %s", pt.given_names, pt.family_name);
    date_format(signed_on, on);
    const char *language = st == CC_OK && strcmp(pt.language, "en") == 0 ? "en" : "fr";
    for (size_t k = 0; st == CC_OK && k < 3; k++) {
        if (!research && strcmp(APP_CONSENT_KINDS[k], "research") == 0)
            continue;
        int64_t doc = 0;
        int64_t id;
        st = consent_store_latest_document(c->d, protocol_id, APP_CONSENT_KINDS[k], language, &doc,
                                           err);
        consent_new n = {.patient_id = patient_id,
                         .document_id = doc,
                         .signer = "patient",
                         .signer_name = name,
                         .signer_relation = "",
                         .mode = "paper",
                         .witness = "",
                         .paper_reference = "démonstration",
                         .signed_on = on};
        if (st == CC_OK && doc)
            st = consent_store_record(c->d, c->arena, &c->actor, &n, &id, err);
    }
    return db_tx_end(c->d, st, err);
}
