/* Adverse events: the bundled CTCAE v5.0-style term list, vocabularies and
 * reporting deadlines. Grade texts written from CTCAE v5.0 (NCI, 2017-11-27);
 * see adverse.h for what is and is not CTCAE. */
#include "adverse.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define DEATH_EN "Death"
#define DEATH_FR "Décès"
#define LIFE_EN "Life-threatening consequences; urgent intervention indicated"
#define LIFE_FR "Conséquences menaçant le pronostic vital ; intervention urgente indiquée"
#define PAIN_EN                                                                                    \
    {                                                                                              \
        "Mild pain", "Moderate pain; limiting instrumental ADL",                                   \
            "Severe pain; limiting self care ADL", NULL, NULL                                      \
    }
#define PAIN_FR                                                                                    \
    {                                                                                              \
        "Douleur légère",                                                                          \
            "Douleur modérée ; limitant les activités instrumentales de la vie quotidienne",       \
            "Douleur sévère ; limitant l'autonomie de la vie quotidienne", NULL, NULL              \
    }

static const adverse_term TERMS[] = {
    {"fever",
     "Fever",
     "Fièvre",
     "General disorders and administration site conditions",
     {"38.0 - 39.0 degrees C", ">39.0 - 40.0 degrees C", ">40.0 degrees C for <=24 hrs",
      ">40.0 degrees C for >24 hrs", DEATH_EN},
     {"38,0 - 39,0 °C", ">39,0 - 40,0 °C", ">40,0 °C pendant 24 h au plus",
      ">40,0 °C pendant plus de 24 h", DEATH_FR},
     false},
    {"chills",
     "Chills",
     "Frissons",
     "General disorders and administration site conditions",
     {"Mild sensation of cold; shivering; chattering of teeth",
      "Moderate tremor of the entire body; narcotics indicated",
      "Severe or prolonged, not responsive to narcotics", NULL, NULL},
     {"Légère sensation de froid ; frissons ; claquement des dents",
      "Tremblement modéré de tout le corps ; opioïdes indiqués",
      "Sévères ou prolongés, ne répondant pas aux opioïdes", NULL, NULL},
     false},
    {"allergic_reaction",
     "Allergic reaction",
     "Réaction allergique",
     "Immune system disorders",
     {"Systemic intervention not indicated", "Oral intervention indicated",
      "Bronchospasm; hospitalization indicated for clinical sequelae; intravenous intervention "
      "indicated",
      LIFE_EN, DEATH_EN},
     {"Traitement systémique non indiqué", "Traitement oral indiqué",
      "Bronchospasme ; hospitalisation indiquée pour les séquelles cliniques ; traitement "
      "intraveineux indiqué",
      LIFE_FR, DEATH_FR},
     false},
    {"anaphylaxis",
     "Anaphylaxis",
     "Anaphylaxie",
     "Immune system disorders",
     {NULL, NULL,
      "Symptomatic bronchospasm, with or without urticaria; parenteral intervention indicated; "
      "allergy-related edema/angioedema; hypotension",
      LIFE_EN, DEATH_EN},
     {NULL, NULL,
      "Bronchospasme symptomatique, avec ou sans urticaire ; traitement parentéral indiqué ; "
      "œdème ou angiœdème allergique ; hypotension",
      LIFE_FR, DEATH_FR},
     false},
    {"infusion_related_reaction",
     "Infusion related reaction",
     "Réaction liée à la perfusion",
     "General disorders and administration site conditions",
     {"Mild transient reaction; infusion interruption not indicated; intervention not indicated",
      "Therapy or infusion interruption indicated but responds promptly to symptomatic treatment "
      "(e.g., antihistamines, NSAIDs, narcotics, IV fluids); prophylactic medications indicated "
      "for <=24 hrs",
      "Prolonged (e.g., not rapidly responsive to symptomatic medication and/or brief interruption "
      "of "
      "infusion); recurrence of symptoms following initial improvement; hospitalization indicated "
      "for "
      "clinical sequelae",
      LIFE_EN, DEATH_EN},
     {"Réaction légère et transitoire ; interruption de la perfusion non indiquée ; intervention "
      "non indiquée",
      "Interruption du traitement ou de la perfusion indiquée mais réponse rapide au traitement "
      "symptomatique (antihistaminiques, AINS, opioïdes, solutés IV) ; prophylaxie indiquée "
      "pendant 24 h au plus",
      "Prolongée (pas de réponse rapide au traitement symptomatique ou à une brève interruption) ; "
      "récidive après amélioration initiale ; hospitalisation indiquée pour les séquelles "
      "cliniques",
      LIFE_FR, DEATH_FR},
     false},
    {"headache", "Headache", "Céphalée", "Nervous system disorders", PAIN_EN, PAIN_FR, false},
    {"post_lp_headache", "Post-lumbar puncture headache (graded as Headache)",
     "Céphalée post-ponction lombaire (gradée comme Céphalée)", "Nervous system disorders", PAIN_EN,
     PAIN_FR, false},
    {"back_pain", "Back pain", "Douleur dorsale", "Musculoskeletal and connective tissue disorders",
     PAIN_EN, PAIN_FR, false},
    {"injection_site_reaction",
     "Injection site reaction",
     "Réaction au site d'injection",
     "General disorders and administration site conditions",
     {"Tenderness with or without associated symptoms (e.g., warmth, erythema, itching)",
      "Pain; lipodystrophy; edema; phlebitis",
      "Ulceration or necrosis; severe tissue damage; operative intervention indicated", LIFE_EN,
      DEATH_EN},
     {"Sensibilité avec ou sans symptômes associés (chaleur, érythème, prurit)",
      "Douleur ; lipodystrophie ; œdème ; phlébite",
      "Ulcération ou nécrose ; lésion tissulaire sévère ; intervention chirurgicale indiquée",
      LIFE_FR, DEATH_FR},
     false},
    {"nausea",
     "Nausea",
     "Nausées",
     "Gastrointestinal disorders",
     {"Loss of appetite without alteration in eating habits",
      "Oral intake decreased without significant weight loss, dehydration or malnutrition",
      "Inadequate oral caloric or fluid intake; tube feeding, TPN, or hospitalization indicated",
      NULL, NULL},
     {"Perte d'appétit sans modification des habitudes alimentaires",
      "Apports oraux diminués sans perte de poids significative, déshydratation ni dénutrition",
      "Apports caloriques ou hydriques oraux insuffisants ; nutrition entérale, parentérale ou "
      "hospitalisation indiquée",
      NULL, NULL},
     false},
    {"vomiting",
     "Vomiting",
     "Vomissements",
     "Gastrointestinal disorders",
     {"Intervention not indicated", "Outpatient IV hydration; medical intervention indicated",
      "Tube feeding, TPN, or hospitalization indicated", "Life-threatening consequences", DEATH_EN},
     {"Intervention non indiquée", "Hydratation IV en ambulatoire ; traitement médical indiqué",
      "Nutrition entérale, parentérale ou hospitalisation indiquée",
      "Conséquences menaçant le pronostic vital", DEATH_FR},
     false},
    {"fatigue",
     "Fatigue",
     "Fatigue",
     "General disorders and administration site conditions",
     {"Fatigue relieved by rest", "Fatigue not relieved by rest; limiting instrumental ADL",
      "Fatigue not relieved by rest, limiting self care ADL", NULL, NULL},
     {"Fatigue soulagée par le repos",
      "Fatigue non soulagée par le repos ; limitant les activités instrumentales de la vie "
      "quotidienne",
      "Fatigue non soulagée par le repos ; limitant l'autonomie de la vie quotidienne", NULL, NULL},
     false},
    {"infection",
     "Infection (infections and infestations, other)",
     "Infection",
     "Infections and infestations",
     {"Mild symptoms; intervention not indicated",
      "Moderate symptoms; oral intervention indicated (e.g., antibiotic, antifungal, antiviral)",
      "IV antibiotic, antifungal, or antiviral intervention indicated; invasive intervention "
      "indicated",
      LIFE_EN, DEATH_EN},
     {"Symptômes légers ; intervention non indiquée",
      "Symptômes modérés ; traitement oral indiqué (antibiotique, antifongique, antiviral)",
      "Traitement antibiotique, antifongique ou antiviral IV indiqué ; intervention invasive "
      "indiquée",
      LIFE_FR, DEATH_FR},
     false},
    {"meningitis",
     "Meningitis",
     "Méningite",
     "Infections and infestations",
     {NULL, NULL,
      "IV antibiotic, antifungal, or antiviral intervention indicated; invasive intervention "
      "indicated; focal neurologic deficit",
      LIFE_EN, DEATH_EN},
     {NULL, NULL,
      "Traitement antibiotique, antifongique ou antiviral IV indiqué ; intervention invasive "
      "indiquée ; déficit neurologique focal",
      LIFE_FR, DEATH_FR},
     false},
    {"thromboembolic_event",
     "Thromboembolic event",
     "Événement thromboembolique",
     "Vascular disorders",
     {"Medical intervention not indicated (e.g., superficial thrombosis)",
      "Medical intervention indicated",
      "Urgent medical intervention indicated (e.g., pulmonary embolism or intracardiac thrombus)",
      "Life-threatening consequences with hemodynamic or neurologic instability", DEATH_EN},
     {"Traitement médical non indiqué (par exemple thrombose superficielle)",
      "Traitement médical indiqué",
      "Traitement médical urgent indiqué (par exemple embolie pulmonaire ou thrombus "
      "intracardiaque)",
      "Conséquences menaçant le pronostic vital avec instabilité hémodynamique ou neurologique",
      DEATH_FR},
     false},
    {"hypotension",
     "Hypotension",
     "Hypotension",
     "Vascular disorders",
     {"Asymptomatic, intervention not indicated", "Non-urgent medical intervention indicated",
      "Medical intervention indicated; hospitalization indicated",
      "Life-threatening consequences and urgent intervention indicated", DEATH_EN},
     {"Asymptomatique, intervention non indiquée", "Traitement médical non urgent indiqué",
      "Traitement médical indiqué ; hospitalisation indiquée",
      "Conséquences menaçant le pronostic vital et intervention urgente indiquée", DEATH_FR},
     false},
    {"hypertension",
     "Hypertension",
     "Hypertension",
     "Vascular disorders",
     {"Adult: Systolic BP 120-139 mm Hg or diastolic BP 80-89 mm Hg; Pediatric: Systolic/diastolic "
      "BP >90th percentile but <95th percentile; Adolescent: BP >=120/80 even if <95th percentile",
      "Adult: Systolic BP 140-159 mm Hg or diastolic BP 90-99 mm Hg if previously within normal "
      "limits; medical intervention indicated; recurrent or persistent (>=24 hrs); Pediatric and "
      "adolescent: recurrent or persistent (>=24 hrs) BP >ULN; monotherapy indicated; systolic "
      "and/or diastolic BP between the 95th percentile and 5 mmHg above the 99th percentile; "
      "Adolescent: Systolic between 130-139 or diastolic between 80-89 even if <95th percentile",
      "Adult: Systolic BP >=160 mm Hg or diastolic BP >=100 mm Hg; medical intervention indicated; "
      "more than one drug or more intensive therapy than previously used indicated; Pediatric and "
      "adolescent: Systolic and/or diastolic >5 mmHg above the 99th percentile",
      "Life-threatening consequences (e.g., malignant hypertension, transient or permanent "
      "neurologic "
      "deficit, hypertensive crisis); urgent intervention indicated",
      DEATH_EN},
     {"Adulte : PA systolique 120-139 mm Hg ou diastolique 80-89 mm Hg ; enfant : PA systolique ou "
      "diastolique au-dessus du 90e percentile mais sous le 95e ; adolescent : PA >=120/80 même "
      "sous le 95e percentile",
      "Adulte : PA systolique 140-159 mm Hg ou diastolique 90-99 mm Hg si auparavant normale ; "
      "traitement médical indiqué ; récurrente ou persistante (24 h ou plus) ; enfant et "
      "adolescent : PA au-dessus de la normale, récurrente ou persistante (24 h ou plus) ; "
      "monothérapie indiquée ; PA systolique et/ou diastolique entre le 95e percentile et 5 mmHg "
      "au-dessus du 99e ; adolescent : systolique 130-139 ou diastolique 80-89 même sous le 95e "
      "percentile",
      "Adulte : PA systolique >=160 mm Hg ou diastolique >=100 mm Hg ; traitement médical indiqué "
      "; "
      "plus d'un médicament ou traitement plus intensif qu'auparavant indiqué ; enfant et "
      "adolescent : PA systolique et/ou diastolique à plus de 5 mmHg au-dessus du 99e percentile",
      "Conséquences menaçant le pronostic vital (hypertension maligne, déficit neurologique "
      "transitoire ou "
      "permanent, crise hypertensive) ; intervention urgente indiquée",
      DEATH_FR},
     false},
    {"dyspnea",
     "Dyspnea",
     "Dyspnée",
     "Respiratory, thoracic and mediastinal disorders",
     {"Shortness of breath with moderate exertion",
      "Shortness of breath with minimal exertion; limiting instrumental ADL",
      "Shortness of breath at rest; limiting self care ADL", LIFE_EN, DEATH_EN},
     {"Essoufflement à l'effort modéré",
      "Essoufflement à l'effort minime ; limitant les activités instrumentales de la vie "
      "quotidienne",
      "Essoufflement au repos ; limitant l'autonomie de la vie quotidienne", LIFE_FR, DEATH_FR},
     false},
    {"seizure",
     "Seizure",
     "Crise convulsive",
     "Nervous system disorders",
     {"Brief partial seizure and no loss of consciousness", "Brief generalized seizure",
      "New onset seizures (partial or generalized); multiple seizures despite medical intervention",
      "Life-threatening; prolonged repetitive seizures", DEATH_EN},
     {"Crise partielle brève sans perte de connaissance", "Crise généralisée brève",
      "Crises d'apparition récente (partielles ou généralisées) ; crises multiples malgré le "
      "traitement",
      "Menaçant le pronostic vital ; crises répétées prolongées", DEATH_FR},
     false},
    /* Intrathecal delivery: the puncture's CSF leak, inflammation of the
     * arachnoid, and the urinary infections of a neurogenic bladder. Rows of
     * CTCAE v5.0: Cerebrospinal fluid leakage and Arachnoiditis (Nervous
     * system disorders), Urinary tract infection (Infections and
     * infestations; no grade 1). Checked word for word against the NCI's
     * CTCAE v5.0 term table (the spreadsheet of 837 terms published with the
     * document): Urinary tract infection grade 2 is "Localized; oral
     * intervention indicated", not a topical one. */
    {"csf_leakage",
     "Cerebrospinal fluid leakage",
     "Fuite de liquide cérébrospinal",
     "Nervous system disorders",
     {"Post-craniotomy: asymptomatic; Post-lumbar puncture: transient headache; postural care "
      "indicated",
      "Post-craniotomy: moderate symptoms; medical intervention indicated; Post-lumbar puncture: "
      "persistent moderate symptoms; blood patch indicated",
      "Severe symptoms; medical intervention indicated", LIFE_EN, DEATH_EN},
     {"Après craniotomie : asymptomatique ; après ponction lombaire : céphalée transitoire ; "
      "mesures posturales indiquées",
      "Après craniotomie : symptômes modérés ; traitement médical indiqué ; après ponction "
      "lombaire : symptômes modérés persistants ; blood patch indiqué",
      "Symptômes sévères ; traitement médical indiqué", LIFE_FR, DEATH_FR},
     false},
    {"arachnoiditis",
     "Arachnoiditis",
     "Arachnoïdite",
     "Nervous system disorders",
     {"Mild symptoms", "Moderate symptoms; limiting instrumental ADL",
      "Severe symptoms; limiting self care ADL", LIFE_EN, DEATH_EN},
     {"Symptômes légers",
      "Symptômes modérés ; limitant les activités instrumentales de la vie quotidienne",
      "Symptômes sévères ; limitant l'autonomie de la vie quotidienne", LIFE_FR, DEATH_FR},
     false},
    {"urinary_tract_infection",
     "Urinary tract infection",
     "Infection urinaire",
     "Infections and infestations",
     {NULL, "Localized; oral intervention indicated (e.g., antibiotic, antifungal, or antiviral)",
      "IV antibiotic, antifungal, or antiviral intervention indicated; invasive intervention "
      "indicated",
      LIFE_EN, DEATH_EN},
     {NULL,
      "Localisée ; traitement oral indiqué (par exemple antibiotique, antifongique ou antiviral)",
      "Traitement antibiotique, antifongique ou antiviral IV indiqué ; intervention invasive "
      "indiquée",
      LIFE_FR, DEATH_FR},
     false},
    {"other",
     "Other, specify",
     "Autre, préciser",
     "Any (general CTCAE grading)",
     {"Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; intervention "
      "not indicated",
      "Moderate; minimal, local or noninvasive intervention indicated; limiting age-appropriate "
      "instrumental ADL",
      "Severe or medically significant but not immediately life-threatening; hospitalization or "
      "prolongation of hospitalization indicated; disabling; limiting self care ADL",
      LIFE_EN, "Death related to AE"},
     {"Léger ; asymptomatique ou symptômes légers ; observations cliniques ou diagnostiques "
      "seulement ; "
      "intervention non indiquée",
      "Modéré ; intervention minime, locale ou non invasive indiquée ; limitant les activités "
      "instrumentales de la vie quotidienne",
      "Sévère ou médicalement significatif sans menace vitale immédiate ; hospitalisation ou "
      "prolongation "
      "indiquée ; invalidant ; limitant l'autonomie de la vie quotidienne",
      LIFE_FR, "Décès lié à l'événement"},
     true},
};

size_t adverse_term_count(void)
{
    return N(TERMS);
}

const adverse_term *adverse_term_at(size_t i)
{
    return i < N(TERMS) ? &TERMS[i] : NULL;
}

const adverse_term *adverse_term_find(const char *code)
{
    for (size_t i = 0; code && i < N(TERMS); i++)
        if (strcmp(TERMS[i].code, code) == 0)
            return &TERMS[i];
    return NULL;
}

cc_status adverse_check_grade(const adverse_term *t, int grade, cc_error *err)
{
    if (grade < 1 || grade > 5)
        return cc_fail(err, CC_INVALID, "grade", "out_of_range", "grade must be 1 to 5");
    if (t && !t->grades_en[grade - 1])
        return cc_fail(err, CC_INVALID, "grade", "grade_not_defined",
                       "grade %d is not defined for %s in CTCAE v5.0", grade, t->name_en);
    return CC_OK;
}

static const char *const SERIOUSNESS[] = {
    "death",      "life_threatening",   "hospitalisation",
    "disability", "congenital_anomaly", "medically_important"};

const char *adverse_seriousness_name(unsigned bit)
{
    for (unsigned i = 0; i < N(SERIOUSNESS); i++)
        if (bit == 1u << i)
            return SERIOUSNESS[i];
    return NULL;
}

bool adverse_seriousness_parse(const char *name, unsigned *bit)
{
    for (unsigned i = 0; name && i < N(SERIOUSNESS); i++)
        if (strcmp(name, SERIOUSNESS[i]) == 0) {
            *bit = 1u << i;
            return true;
        }
    return false;
}

static bool in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static const char *const RELATEDNESS[] = {"unrelated", "unlikely", "possible", "probable",
                                          "definite"};
static const char *const EXPECTEDNESS[] = {"expected", "unexpected"};
static const char *const ACTIONS[] = {"none",    "interrupted", "slowed",
                                      "stopped", "treated",     "other"};
static const char *const OUTCOMES[] = {"recovering",    "recovered", "recovered_with_sequelae",
                                       "not_recovered", "fatal",     "unknown"};

bool adverse_relatedness_is_valid(const char *s)
{
    return in(s, RELATEDNESS, N(RELATEDNESS));
}
bool adverse_is_related(const char *s)
{
    return in(s, RELATEDNESS + 2, 3);
}
bool adverse_expectedness_is_valid(const char *s)
{
    return in(s, EXPECTEDNESS, N(EXPECTEDNESS));
}
bool adverse_action_is_valid(const char *s)
{
    return in(s, ACTIONS, N(ACTIONS));
}
bool adverse_outcome_is_valid(const char *s)
{
    return in(s, OUTCOMES, N(OUTCOMES));
}

void adverse_default_rules(adverse_rules *out)
{
    *out = (adverse_rules){.initial_hours = 24,
                           .fatal_days = 7,
                           .followup_days = 8,
                           .other_days = 15,
                           .due_soon_hours = 24,
                           .bv_notify_hours = 24,
                           .bv_conclusion_days = 90};
}

cc_status adverse_check_rules(const adverse_rules *r, cc_error *err)
{
    if (r->initial_hours < 1 || r->initial_hours > 24 * 15)
        return cc_fail(err, CC_INVALID, "initial_hours", "out_of_range",
                       "initial_hours must be 1 to 360");
    if (r->fatal_days < 1 || r->fatal_days > 90)
        return cc_fail(err, CC_INVALID, "fatal_days", "out_of_range", "fatal_days must be 1 to 90");
    if (r->followup_days < 0 || r->followup_days > 90)
        return cc_fail(err, CC_INVALID, "followup_days", "out_of_range",
                       "followup_days must be 0 to 90");
    if (r->other_days < 1 || r->other_days > 90)
        return cc_fail(err, CC_INVALID, "other_days", "out_of_range", "other_days must be 1 to 90");
    if (r->due_soon_hours < 0 || r->due_soon_hours > 24 * 30)
        return cc_fail(err, CC_INVALID, "due_soon_hours", "out_of_range",
                       "due_soon_hours must be 0 to 720");
    if (r->bv_notify_hours < 1 || r->bv_notify_hours > 24 * 15)
        return cc_fail(err, CC_INVALID, "bv_notify_hours", "out_of_range",
                       "bv_notify_hours must be 1 to 360");
    if (r->bv_conclusion_days < 1 || r->bv_conclusion_days > 365)
        return cc_fail(err, CC_INVALID, "bv_conclusion_days", "out_of_range",
                       "bv_conclusion_days must be 1 to 365");
    return CC_OK;
}

static const char *const REPORT_KINDS[AE_REPORT_KIND_COUNT] = {
    "initial", "expedited", "followup", "biovigilance_notification", "biovigilance_conclusion"};

const char *adverse_report_kind_name(adverse_report_kind k)
{
    return (unsigned)k < AE_REPORT_KIND_COUNT ? REPORT_KINDS[k] : "?";
}

bool adverse_report_kind_parse(const char *name, adverse_report_kind *out)
{
    for (int i = 0; name && i < AE_REPORT_KIND_COUNT; i++)
        if (strcmp(name, REPORT_KINDS[i]) == 0) {
            *out = (adverse_report_kind)i;
            return true;
        }
    return false;
}

bool adverse_is_biovigilance(const adverse_facts *f)
{
    return (f->seriousness & AE_SERIOUSNESS_ALL) && adverse_is_related(f->related_product);
}

static size_t biovigilance(const adverse_facts *f, const adverse_rules *r, adverse_deadline *out)
{
    if (!adverse_is_biovigilance(f))
        return 0;
    out[0] = (adverse_deadline){AE_REPORT_BV_NOTIFICATION,
                                f->aware_at + (int64_t)r->bv_notify_hours * 3600, 0};
    out[1] = (adverse_deadline){AE_REPORT_BV_CONCLUSION,
                                f->aware_at + (int64_t)r->bv_conclusion_days * 86400,
                                r->bv_conclusion_days};
    return 2;
}

size_t adverse_deadlines(const adverse_facts *f, const adverse_rules *r,
                         adverse_deadline out[ADVERSE_DEADLINES_MAX])
{
    if (!(f->seriousness & AE_SERIOUSNESS_ALL))
        return 0;
    size_t n = 0;
    out[n++] =
        (adverse_deadline){AE_REPORT_INITIAL, f->aware_at + (int64_t)r->initial_hours * 3600, 0};
    bool related =
        adverse_is_related(f->related_product) || adverse_is_related(f->related_procedure);
    if (!f->unexpected || !related)
        return n + biovigilance(f, r, out + n);
    const int64_t day = 86400;
    if (f->seriousness & (AE_DEATH | AE_LIFE_THREATENING)) {
        out[n++] = (adverse_deadline){AE_REPORT_EXPEDITED, f->aware_at + r->fatal_days * day,
                                      r->fatal_days};
        if (r->followup_days > 0)
            out[n++] = (adverse_deadline){AE_REPORT_FOLLOWUP,
                                          f->aware_at + (r->fatal_days + r->followup_days) * day,
                                          r->fatal_days + r->followup_days};
    } else {
        out[n++] = (adverse_deadline){AE_REPORT_EXPEDITED, f->aware_at + r->other_days * day,
                                      r->other_days};
    }
    return n + biovigilance(f, r, out + n);
}

adverse_deadline_status adverse_deadline_state(int64_t due_at, int64_t reported_at, int64_t now,
                                               const adverse_rules *r)
{
    if (reported_at > 0)
        return reported_at <= due_at ? AE_DL_DONE : AE_DL_LATE;
    if (now > due_at)
        return AE_DL_OVERDUE;
    if (due_at - now <= (int64_t)r->due_soon_hours * 3600)
        return AE_DL_DUE_SOON;
    return AE_DL_PENDING;
}

static const char *const DL_NAMES[] = {"pending", "due_soon", "overdue", "done", "late"};

const char *adverse_deadline_status_name(adverse_deadline_status s)
{
    return (unsigned)s < N(DL_NAMES) ? DL_NAMES[s] : "?";
}
