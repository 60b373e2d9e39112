/*
 * instruments_defs: the built-in instrument definitions (data only).
 * Each definition names the publication its items and scoring follow.
 * Labels: English and French. Changing a definition means a new version.
 */
#include <stddef.h>
#include <string.h>

#include "instruments.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define OPTS(a) INSTR_OPTIONS, a, COUNT(a), 0, 0, false, 0
#define NUMBER(lo, hi, open) INSTR_NUMBER, NULL, 0, lo, hi, open, 0
#define TEXT(n) INSTR_TEXT, NULL, 0, 0, 0, false, n

/* ------------------------------------------------------------------ */
/* ALSFRS-R                                                            */
/* Cedarbaum JM et al. The ALSFRS-R: a revised ALS functional rating scale
 * that incorporates assessments of respiratory function. J Neurol Sci
 * 1999;169:13-21. 12 items 0 (worst) - 4 (normal); item 5 in one of two
 * forms (without / with gastrostomy); total 0-48; subscores bulbar (1-3),
 * fine motor (4-6), gross motor (7-9), respiratory (10-12), 0-12 each.
 * Delta-FS = (48 - total) / months since onset: Kimura F et al.,
 * Neurology 2006;66:265-267. */
static const instr_option ZERO_TO_FOUR[] = {
    {"0", 0, "0 (worst)", "0 (le pire)"},
    {"1", 1, "1", "1"},
    {"2", 2, "2", "2"},
    {"3", 3, "3", "3"},
    {"4", 4, "4 (normal)", "4 (normal)"},
};
enum { ALS_BULBAR, ALS_FINE, ALS_GROSS, ALS_RESP };
static const instr_group ALSFRS_GROUPS[] = {
    {"bulbar", "Bulbar", "Bulbaire", 0},
    {"fine_motor", "Fine motor", "Motricité fine", 0},
    {"gross_motor", "Gross motor", "Motricité globale", 0},
    {"respiratory", "Respiratory", "Respiratoire", 0},
};
static const instr_item ALSFRS_ITEMS[] = {
    {"speech", "1. Speech", "1. Parole", OPTS(ZERO_TO_FOUR), true, ALS_BULBAR, 0},
    {"salivation", "2. Salivation", "2. Salivation", OPTS(ZERO_TO_FOUR), true, ALS_BULBAR, 0},
    {"swallowing", "3. Swallowing", "3. Déglutition", OPTS(ZERO_TO_FOUR), true, ALS_BULBAR, 0},
    {"handwriting", "4. Handwriting", "4. Écriture", OPTS(ZERO_TO_FOUR), true, ALS_FINE, 0},
    {"cutting_food", "5a. Cutting food and handling utensils (no gastrostomy)",
     "5a. Couper les aliments et manier les couverts (sans gastrostomie)", OPTS(ZERO_TO_FOUR),
     false, ALS_FINE, 1},
    {"cutting_food_gastrostomy", "5b. Cutting food and handling utensils (gastrostomy)",
     "5b. Couper les aliments et manier les couverts (gastrostomie)", OPTS(ZERO_TO_FOUR), false,
     ALS_FINE, 1},
    {"dressing_hygiene", "6. Dressing and hygiene", "6. Habillage et hygiène", OPTS(ZERO_TO_FOUR),
     true, ALS_FINE, 0},
    {"turning_in_bed", "7. Turning in bed and adjusting bed clothes",
     "7. Se retourner dans le lit et ajuster les draps", OPTS(ZERO_TO_FOUR), true, ALS_GROSS, 0},
    {"walking", "8. Walking", "8. Marche", OPTS(ZERO_TO_FOUR), true, ALS_GROSS, 0},
    {"climbing_stairs", "9. Climbing stairs", "9. Monter les escaliers", OPTS(ZERO_TO_FOUR), true,
     ALS_GROSS, 0},
    {"dyspnea", "10. Dyspnea", "10. Dyspnée", OPTS(ZERO_TO_FOUR), true, ALS_RESP, 0},
    {"orthopnea", "11. Orthopnea", "11. Orthopnée", OPTS(ZERO_TO_FOUR), true, ALS_RESP, 0},
    {"respiratory_insufficiency", "12. Respiratory insufficiency", "12. Insuffisance respiratoire",
     OPTS(ZERO_TO_FOUR), true, ALS_RESP, 0},
    {"months_since_onset", "Months since symptom onset (for delta-FS)",
     "Mois depuis le début des symptômes (pour le delta-FS)", NUMBER(0, 1200, true), false, -1, 0},
};

/* ------------------------------------------------------------------ */
/* NRS pain                                                            */
/* 11-point numeric rating scale, 0 = no pain, 10 = worst pain imaginable:
 * Jensen MP, Karoly P, Braver S. The measurement of clinical pain
 * intensity. Pain 1986;27:117-126; current, average and worst pain as in
 * the International SCI Pain Basic Data Set (Widerström-Noga E et al.,
 * Spinal Cord 2014;52:282-286). Each rating is reported on its own. */
static const instr_option ZERO_TO_TEN[] = {
    {"0", 0, "0 (no pain)", "0 (aucune douleur)"},
    {"1", 1, "1", "1"},
    {"2", 2, "2", "2"},
    {"3", 3, "3", "3"},
    {"4", 4, "4", "4"},
    {"5", 5, "5", "5"},
    {"6", 6, "6", "6"},
    {"7", 7, "7", "7"},
    {"8", 8, "8", "8"},
    {"9", 9, "9", "9"},
    {"10", 10, "10 (worst pain imaginable)", "10 (pire douleur imaginable)"},
};
static const instr_item NRS_ITEMS[] = {
    {"current", "Pain now", "Douleur actuelle", OPTS(ZERO_TO_TEN), true, -1, 0},
    {"average", "Average pain, last 7 days", "Douleur moyenne, 7 derniers jours", OPTS(ZERO_TO_TEN),
     true, -1, 0},
    {"worst", "Worst pain, last 7 days", "Douleur maximale, 7 derniers jours", OPTS(ZERO_TO_TEN),
     true, -1, 0},
};

/* ------------------------------------------------------------------ */
/* Modified Ashworth Scale                                             */
/* Bohannon RW, Smith MB. Interrater reliability of a modified Ashworth
 * scale of muscle spasticity. Phys Ther 1987;67:206-207. Ordinal grades
 * 0, 1, 1+, 2, 3, 4 per muscle group (never averaged). */
static const instr_option MAS_GRADES[] = {
    {"0", 0, "0: no increase in tone", "0 : pas d'augmentation du tonus"},
    {"1", 1, "1: catch and release at end of range", "1 : accrochage en fin d'amplitude"},
    {"1+", 2, "1+: catch, minimal resistance through less than half of range",
     "1+ : accrochage puis résistance minime sur moins de la moitié de l'amplitude"},
    {"2", 3, "2: marked increase through most of range, easily moved",
     "2 : augmentation nette sur la plus grande partie de l'amplitude, mobilisation facile"},
    {"3", 4, "3: considerable increase, passive movement difficult",
     "3 : augmentation importante, mobilisation passive difficile"},
    {"4", 5, "4: rigid in flexion or extension", "4 : rigidité en flexion ou en extension"},
};
#define MAS_PAIR(id, en, fr)                                                                       \
    {id "_right", en " (right)", fr " (droite)", OPTS(MAS_GRADES), false, -1, 0},                  \
    {                                                                                              \
        id "_left", en " (left)", fr " (gauche)", OPTS(MAS_GRADES), false, -1, 0                   \
    }
static const instr_item MAS_ITEMS[] = {
    MAS_PAIR("elbow_flexors", "Elbow flexors", "Fléchisseurs du coude"),
    MAS_PAIR("elbow_extensors", "Elbow extensors", "Extenseurs du coude"),
    MAS_PAIR("wrist_flexors", "Wrist flexors", "Fléchisseurs du poignet"),
    MAS_PAIR("hip_adductors", "Hip adductors", "Adducteurs de hanche"),
    MAS_PAIR("knee_flexors", "Knee flexors", "Fléchisseurs du genou"),
    MAS_PAIR("knee_extensors", "Knee extensors", "Extenseurs du genou"),
    MAS_PAIR("ankle_plantar_flexors", "Ankle plantar flexors",
             "Fléchisseurs plantaires de cheville"),
};

/* ------------------------------------------------------------------ */
/* SCIM III                                                            */
/* Itzkovich M et al. The Spinal Cord Independence Measure (SCIM) version
 * III: reliability and validity in a multi-center international study.
 * Disabil Rehabil 2007;29:1926-1933 (form in the appendix). 19 items;
 * self-care 0-20, respiration and sphincter management 0-40, mobility
 * 0-40; total 0-100. Answers are the item scores printed on the form. */
#define PTS(n)                                                                                     \
    {                                                                                              \
#n, n, #n, #n                                                                              \
    }
static const instr_option S0_1[] = {PTS(0), PTS(1)};
static const instr_option S0_2[] = {PTS(0), PTS(1), PTS(2)};
static const instr_option S0_3[] = {PTS(0), PTS(1), PTS(2), PTS(3)};
static const instr_option S0_4[] = {PTS(0), PTS(1), PTS(2), PTS(3), PTS(4)};
static const instr_option S0_8[] = {PTS(0), PTS(1), PTS(2), PTS(3), PTS(4),
                                    PTS(5), PTS(6), PTS(7), PTS(8)};
static const instr_option S_RESPIRATION[] = {PTS(0), PTS(2), PTS(4), PTS(6), PTS(8), PTS(10)};
static const instr_option S_BLADDER[] = {PTS(0), PTS(3), PTS(6), PTS(9), PTS(11), PTS(13), PTS(15)};
static const instr_option S_BOWEL[] = {PTS(0), PTS(5), PTS(8), PTS(10)};
static const instr_option S_TOILET[] = {PTS(0), PTS(1), PTS(2), PTS(4), PTS(5)};
static const instr_option S_BED[] = {PTS(0), PTS(2), PTS(4), PTS(6)};
enum { SCIM_SELF, SCIM_RESP, SCIM_MOB };
static const instr_group SCIM_GROUPS[] = {
    {"self_care", "Self-care", "Soins personnels", 0},
    {"respiration_sphincter", "Respiration and sphincter management",
     "Respiration et gestion sphinctérienne", 0},
    {"mobility", "Mobility", "Mobilité", 0},
};
static const instr_item SCIM_ITEMS[] = {
    {"feeding", "1. Feeding", "1. Alimentation", OPTS(S0_3), true, SCIM_SELF, 0},
    {"bathing_upper", "2A. Bathing, upper body", "2A. Toilette, haut du corps", OPTS(S0_3), true,
     SCIM_SELF, 0},
    {"bathing_lower", "2B. Bathing, lower body", "2B. Toilette, bas du corps", OPTS(S0_3), true,
     SCIM_SELF, 0},
    {"dressing_upper", "3A. Dressing, upper body", "3A. Habillage, haut du corps", OPTS(S0_4), true,
     SCIM_SELF, 0},
    {"dressing_lower", "3B. Dressing, lower body", "3B. Habillage, bas du corps", OPTS(S0_4), true,
     SCIM_SELF, 0},
    {"grooming", "4. Grooming", "4. Soins d'apparence", OPTS(S0_3), true, SCIM_SELF, 0},
    {"respiration", "5. Respiration", "5. Respiration", OPTS(S_RESPIRATION), true, SCIM_RESP, 0},
    {"bladder", "6. Sphincter management, bladder", "6. Gestion sphinctérienne, vessie",
     OPTS(S_BLADDER), true, SCIM_RESP, 0},
    {"bowel", "7. Sphincter management, bowel", "7. Gestion sphinctérienne, intestin",
     OPTS(S_BOWEL), true, SCIM_RESP, 0},
    {"toilet", "8. Use of toilet", "8. Utilisation des toilettes", OPTS(S_TOILET), true, SCIM_RESP,
     0},
    {"bed_mobility", "9. Mobility in bed and prevention of pressure sores",
     "9. Mobilité au lit et prévention des escarres", OPTS(S_BED), true, SCIM_MOB, 0},
    {"transfer_bed_wheelchair", "10. Transfers bed-wheelchair", "10. Transferts lit-fauteuil",
     OPTS(S0_2), true, SCIM_MOB, 0},
    {"transfer_wheelchair_toilet", "11. Transfers wheelchair-toilet-tub",
     "11. Transferts fauteuil-toilettes-baignoire", OPTS(S0_2), true, SCIM_MOB, 0},
    {"mobility_indoors", "12. Mobility indoors", "12. Déplacements à l'intérieur", OPTS(S0_8), true,
     SCIM_MOB, 0},
    {"mobility_moderate", "13. Mobility for moderate distances (10-100 m)",
     "13. Déplacements sur distances moyennes (10-100 m)", OPTS(S0_8), true, SCIM_MOB, 0},
    {"mobility_outdoors", "14. Mobility outdoors (more than 100 m)",
     "14. Déplacements à l'extérieur (plus de 100 m)", OPTS(S0_8), true, SCIM_MOB, 0},
    {"stairs", "15. Stair management", "15. Escaliers", OPTS(S0_3), true, SCIM_MOB, 0},
    {"transfer_wheelchair_car", "16. Transfers wheelchair-car", "16. Transferts fauteuil-voiture",
     OPTS(S0_2), true, SCIM_MOB, 0},
    {"transfer_ground_wheelchair", "17. Transfers ground-wheelchair", "17. Transferts sol-fauteuil",
     OPTS(S0_1), true, SCIM_MOB, 0},
};

/* ------------------------------------------------------------------ */
/* NBD score                                                           */
/* Krogh K, Christensen P, Sabroe S, Laurberg S. Neurogenic bowel
 * dysfunction score. Spinal Cord 2006;44:625-631. 10 weighted items,
 * total 0-47; 0-6 very minor, 7-9 minor, 10-13 moderate, 14+ severe. */
static const instr_option NBD_FREQUENCY[] = {
    {"daily", 0, "Daily", "Tous les jours"},
    {"2_6_per_week", 1, "2-6 times a week", "2 à 6 fois par semaine"},
    {"less_than_weekly", 6, "Less than once a week", "Moins d'une fois par semaine"},
};
static const instr_option NBD_TIME[] = {
    {"under_30_min", 0, "Less than 30 minutes", "Moins de 30 minutes"},
    {"31_60_min", 3, "31-60 minutes", "31 à 60 minutes"},
    {"over_60_min", 7, "More than an hour", "Plus d'une heure"},
};
static const instr_option NBD_NO_YES_2[] = {{"no", 0, "No", "Non"}, {"yes", 2, "Yes", "Oui"}};
static const instr_option NBD_NO_YES_3[] = {{"no", 0, "No", "Non"}, {"yes", 3, "Yes", "Oui"}};
static const instr_option NBD_NO_YES_4[] = {{"no", 0, "No", "Non"}, {"yes", 4, "Yes", "Oui"}};
static const instr_option NBD_DIGITAL[] = {
    {"less_than_weekly", 0, "Less than once a week", "Moins d'une fois par semaine"},
    {"weekly_or_more", 6, "Once a week or more", "Une fois par semaine ou plus"},
};
static const instr_option NBD_INCONTINENCE[] = {
    {"less_than_monthly", 0, "Less than once a month", "Moins d'une fois par mois"},
    {"1_4_per_month", 6, "1-4 times a month", "1 à 4 fois par mois"},
    {"1_6_per_week", 7, "1-6 times a week", "1 à 6 fois par semaine"},
    {"daily", 13, "Daily", "Tous les jours"},
};
static const instr_item NBD_ITEMS[] = {
    {"frequency", "1. Frequency of bowel movements", "1. Fréquence des selles", OPTS(NBD_FREQUENCY),
     true, -1, 0},
    {"time", "2. Time used for each defecation", "2. Durée de chaque défécation", OPTS(NBD_TIME),
     true, -1, 0},
    {"discomfort", "3. Uneasiness, headache or perspiration during defecation",
     "3. Malaise, céphalée ou sueurs pendant la défécation", OPTS(NBD_NO_YES_2), true, -1, 0},
    {"tablets", "4. Regular use of tablets against constipation",
     "4. Comprimés contre la constipation, régulièrement", OPTS(NBD_NO_YES_2), true, -1, 0},
    {"drops", "5. Regular use of drops against constipation",
     "5. Gouttes contre la constipation, régulièrement", OPTS(NBD_NO_YES_2), true, -1, 0},
    {"digital", "6. Digital stimulation or evacuation of the anorectum",
     "6. Stimulation ou évacuation digitale", OPTS(NBD_DIGITAL), true, -1, 0},
    {"incontinence", "7. Frequency of faecal incontinence", "7. Fréquence de l'incontinence fécale",
     OPTS(NBD_INCONTINENCE), true, -1, 0},
    {"incontinence_medication", "8. Medication against faecal incontinence",
     "8. Médicaments contre l'incontinence fécale", OPTS(NBD_NO_YES_4), true, -1, 0},
    {"flatus", "9. Flatus incontinence", "9. Incontinence aux gaz", OPTS(NBD_NO_YES_2), true, -1,
     0},
    {"skin", "10. Perianal skin problems", "10. Problèmes cutanés périanaux", OPTS(NBD_NO_YES_3),
     true, -1, 0},
};
static const instr_band NBD_BANDS[] = {
    {0, 6, "very_minor", "Very minor bowel dysfunction", "Dysfonction intestinale très légère"},
    {7, 9, "minor", "Minor bowel dysfunction", "Dysfonction intestinale légère"},
    {10, 13, "moderate", "Moderate bowel dysfunction", "Dysfonction intestinale modérée"},
    {14, 47, "severe", "Severe bowel dysfunction", "Dysfonction intestinale sévère"},
};

/* ------------------------------------------------------------------ */
/* KOOS                                                                */
/* Roos EM, Lohmander LS. The Knee injury and Osteoarthritis Outcome Score
 * (KOOS): from joint injury to osteoarthritis. Health Qual Life Outcomes
 * 2003;1:64; "KOOS Scoring 2012" (koos.nu). 42 items scored 0 (no
 * problems) to 4 (extreme problems) as on the scoring sheet; five
 * subscales, each 100 - mean * 100 / 4 (100 = no problems), computed when
 * at least half of its items are answered: symptoms 4/7, pain 5/9, ADL
 * 9/17, sport/recreation 3/5, quality of life 2/4.
 * Answer wordings per item as printed on the English form (KOOS LK 1.0,
 * koos.nu): S1-S3 Never...Always; S4-S5 Always...Never; stiffness S6-S7,
 * pain P2-P9, ADL, sport/recreation and Q4 None...Extreme; P1 Never,
 * Monthly, Weekly, Daily, Always; Q1 Never, Monthly, Weekly, Daily,
 * Constantly; Q2 Not at all, Mildly, Moderately, Severely, Totally; Q3 Not
 * at all ... Extremely. The French item and answer labels are the
 * project's own careful translation, not the wording of the validated
 * French KOOS (Ornetti P et al., Osteoarthritis Cartilage 2008;16:423-428),
 * which was not available to check against. */
static const instr_option KOOS_NEVER_ALWAYS[] = {
    {"0", 0, "Never", "Jamais"},  {"1", 1, "Rarely", "Rarement"}, {"2", 2, "Sometimes", "Parfois"},
    {"3", 3, "Often", "Souvent"}, {"4", 4, "Always", "Toujours"},
};
static const instr_option KOOS_ALWAYS_NEVER[] = {
    {"0", 0, "Always", "Toujours"}, {"1", 1, "Often", "Souvent"}, {"2", 2, "Sometimes", "Parfois"},
    {"3", 3, "Rarely", "Rarement"}, {"4", 4, "Never", "Jamais"},
};
static const instr_option KOOS_NONE_EXTREME[] = {
    {"0", 0, "None", "Aucune"},   {"1", 1, "Mild", "Légère"},     {"2", 2, "Moderate", "Modérée"},
    {"3", 3, "Severe", "Sévère"}, {"4", 4, "Extreme", "Extrême"},
};
static const instr_option KOOS_PAIN_FREQUENCY[] = {
    {"0", 0, "Never", "Jamais"},
    {"1", 1, "Monthly", "Tous les mois"},
    {"2", 2, "Weekly", "Toutes les semaines"},
    {"3", 3, "Daily", "Tous les jours"},
    {"4", 4, "Always", "Tout le temps"},
};
static const instr_option KOOS_AWARENESS[] = {
    {"0", 0, "Never", "Jamais"},
    {"1", 1, "Monthly", "Tous les mois"},
    {"2", 2, "Weekly", "Toutes les semaines"},
    {"3", 3, "Daily", "Tous les jours"},
    {"4", 4, "Constantly", "Constamment"},
};
static const instr_option KOOS_LIFESTYLE[] = {
    {"0", 0, "Not at all", "Pas du tout"}, {"1", 1, "Mildly", "Un peu"},
    {"2", 2, "Moderately", "Modérément"},  {"3", 3, "Severely", "Beaucoup"},
    {"4", 4, "Totally", "Totalement"},
};
static const instr_option KOOS_CONFIDENCE[] = {
    {"0", 0, "Not at all", "Pas du tout"}, {"1", 1, "Mildly", "Un peu"},
    {"2", 2, "Moderately", "Modérément"},  {"3", 3, "Severely", "Beaucoup"},
    {"4", 4, "Extremely", "Extrêmement"},
};
enum { KOOS_S, KOOS_P, KOOS_A, KOOS_SP, KOOS_Q };
static const instr_group KOOS_GROUPS[] = {
    {"symptoms", "Symptoms", "Symptômes", 4},
    {"pain", "Pain", "Douleur", 5},
    {"adl", "Function in daily living", "Fonction dans la vie quotidienne", 9},
    {"sport_rec", "Function in sport and recreation", "Fonction dans les sports et loisirs", 3},
    {"qol", "Knee-related quality of life", "Qualité de vie liée au genou", 2},
};
#define KOOS_ITEM(id, g, answers, en, fr)                                                          \
    {                                                                                              \
        id, en, fr, OPTS(answers), false, g, 0                                                     \
    }
static const instr_item KOOS_ITEMS[] = {
    KOOS_ITEM("S1", KOOS_S, KOOS_NEVER_ALWAYS, "Swelling", "Gonflement"),
    KOOS_ITEM("S2", KOOS_S, KOOS_NEVER_ALWAYS, "Grinding, clicking", "Craquements, cliquetis"),
    KOOS_ITEM("S3", KOOS_S, KOOS_NEVER_ALWAYS, "Catching or hanging up", "Accrochages, blocages"),
    KOOS_ITEM("S4", KOOS_S, KOOS_ALWAYS_NEVER, "Straightening the knee fully",
              "Tendre complètement le genou"),
    KOOS_ITEM("S5", KOOS_S, KOOS_ALWAYS_NEVER, "Bending the knee fully",
              "Plier complètement le genou"),
    KOOS_ITEM("S6", KOOS_S, KOOS_NONE_EXTREME, "Stiffness after waking", "Raideur au réveil"),
    KOOS_ITEM("S7", KOOS_S, KOOS_NONE_EXTREME, "Stiffness later in the day",
              "Raideur plus tard dans la journée"),
    KOOS_ITEM("P1", KOOS_P, KOOS_PAIN_FREQUENCY, "How often knee pain", "Fréquence de la douleur"),
    KOOS_ITEM("P2", KOOS_P, KOOS_NONE_EXTREME, "Twisting or pivoting", "Torsion, pivot"),
    KOOS_ITEM("P3", KOOS_P, KOOS_NONE_EXTREME, "Straightening the knee fully",
              "Tendre complètement le genou"),
    KOOS_ITEM("P4", KOOS_P, KOOS_NONE_EXTREME, "Bending the knee fully",
              "Plier complètement le genou"),
    KOOS_ITEM("P5", KOOS_P, KOOS_NONE_EXTREME, "Walking on a flat surface",
              "Marcher sur terrain plat"),
    KOOS_ITEM("P6", KOOS_P, KOOS_NONE_EXTREME, "Going up or down stairs",
              "Monter ou descendre les escaliers"),
    KOOS_ITEM("P7", KOOS_P, KOOS_NONE_EXTREME, "At night in bed", "La nuit au lit"),
    KOOS_ITEM("P8", KOOS_P, KOOS_NONE_EXTREME, "Sitting or lying", "Assis ou couché"),
    KOOS_ITEM("P9", KOOS_P, KOOS_NONE_EXTREME, "Standing upright", "Debout"),
    KOOS_ITEM("A1", KOOS_A, KOOS_NONE_EXTREME, "Descending stairs", "Descendre les escaliers"),
    KOOS_ITEM("A2", KOOS_A, KOOS_NONE_EXTREME, "Ascending stairs", "Monter les escaliers"),
    KOOS_ITEM("A3", KOOS_A, KOOS_NONE_EXTREME, "Rising from sitting", "Se relever d'un siège"),
    KOOS_ITEM("A4", KOOS_A, KOOS_NONE_EXTREME, "Standing", "Rester debout"),
    KOOS_ITEM("A5", KOOS_A, KOOS_NONE_EXTREME, "Bending to the floor", "Se pencher vers le sol"),
    KOOS_ITEM("A6", KOOS_A, KOOS_NONE_EXTREME, "Walking on a flat surface",
              "Marcher sur terrain plat"),
    KOOS_ITEM("A7", KOOS_A, KOOS_NONE_EXTREME, "Getting in or out of a car",
              "Monter ou descendre de voiture"),
    KOOS_ITEM("A8", KOOS_A, KOOS_NONE_EXTREME, "Going shopping", "Faire les courses"),
    KOOS_ITEM("A9", KOOS_A, KOOS_NONE_EXTREME, "Putting on socks", "Enfiler des chaussettes"),
    KOOS_ITEM("A10", KOOS_A, KOOS_NONE_EXTREME, "Rising from bed", "Se lever du lit"),
    KOOS_ITEM("A11", KOOS_A, KOOS_NONE_EXTREME, "Taking off socks", "Retirer des chaussettes"),
    KOOS_ITEM("A12", KOOS_A, KOOS_NONE_EXTREME, "Lying in bed", "Être couché au lit"),
    KOOS_ITEM("A13", KOOS_A, KOOS_NONE_EXTREME, "Getting in or out of the bath",
              "Entrer ou sortir de la baignoire"),
    KOOS_ITEM("A14", KOOS_A, KOOS_NONE_EXTREME, "Sitting", "Être assis"),
    KOOS_ITEM("A15", KOOS_A, KOOS_NONE_EXTREME, "Getting on or off the toilet",
              "S'asseoir ou se relever des toilettes"),
    KOOS_ITEM("A16", KOOS_A, KOOS_NONE_EXTREME, "Heavy domestic duties", "Gros travaux ménagers"),
    KOOS_ITEM("A17", KOOS_A, KOOS_NONE_EXTREME, "Light domestic duties", "Petits travaux ménagers"),
    KOOS_ITEM("SP1", KOOS_SP, KOOS_NONE_EXTREME, "Squatting", "S'accroupir"),
    KOOS_ITEM("SP2", KOOS_SP, KOOS_NONE_EXTREME, "Running", "Courir"),
    KOOS_ITEM("SP3", KOOS_SP, KOOS_NONE_EXTREME, "Jumping", "Sauter"),
    KOOS_ITEM("SP4", KOOS_SP, KOOS_NONE_EXTREME, "Twisting or pivoting on the knee",
              "Tourner, pivoter sur le genou"),
    KOOS_ITEM("SP5", KOOS_SP, KOOS_NONE_EXTREME, "Kneeling", "S'agenouiller"),
    KOOS_ITEM("Q1", KOOS_Q, KOOS_AWARENESS, "How often aware of the knee problem",
              "Fréquence de la gêne"),
    KOOS_ITEM("Q2", KOOS_Q, KOOS_LIFESTYLE, "Lifestyle modified", "Mode de vie modifié"),
    KOOS_ITEM("Q3", KOOS_Q, KOOS_CONFIDENCE, "Lack of confidence in the knee",
              "Manque de confiance dans le genou"),
    KOOS_ITEM("Q4", KOOS_Q, KOOS_NONE_EXTREME, "Difficulty with the knee in general",
              "Difficulté générale avec le genou"),
};

/* ------------------------------------------------------------------ */
/* EDSS                                                                */
/* Kurtzke JF. Rating neurologic impairment in multiple sclerosis: an
 * expanded disability status scale (EDSS). Neurology 1983;33:1444-1452;
 * functional system (FS) grades, their conversions and the EDSS steps as in
 * the Neurostatus scoring definitions (Kappos L, Neurostatus-EDSS, version
 * 04/10.2, University Hospital Basel; neurostatus.net) and the
 * Neurostatus-EDSS scoring table (04/10.3). The ambulation answers are the
 * Neurostatus ambulation scores 0-12 and the steps above 8.0 (8.5, 9.0, 9.5,
 * 10 death due to MS). The engine's rule is in instruments.c. */
static const instr_option FS0_5[] = {PTS(0), PTS(1), PTS(2), PTS(3), PTS(4), PTS(5)};
static const instr_option FS0_6[] = {PTS(0), PTS(1), PTS(2), PTS(3), PTS(4), PTS(5), PTS(6)};
/* points: the lowest EDSS step (x10) the ambulation allows; from 55 up the
 * ambulation alone gives the step */
static const instr_option EDSS_AMBULATION[] = {
    {"unrestricted", 0, "Unrestricted", "Sans restriction"},
    {"fully_ambulatory", 20, "Fully ambulatory (500 m or more without help or rest)",
     "Pleinement ambulatoire (500 m ou plus sans aide ni repos)"},
    {"300m", 45, "Walks 300-499 m without help or rest", "Marche 300 à 499 m sans aide ni repos"},
    {"200m", 50, "Walks 200-299 m without help or rest", "Marche 200 à 299 m sans aide ni repos"},
    {"100m", 55, "Walks 100-199 m without help or rest", "Marche 100 à 199 m sans aide ni repos"},
    {"under_100m", 60, "Walks less than 100 m without help", "Marche moins de 100 m sans aide"},
    {"unilateral_aid_50m", 60, "Walks 50 m or more with unilateral assistance",
     "Marche 50 m ou plus avec une aide unilatérale"},
    {"bilateral_aid_120m", 60, "Walks 120 m or more with bilateral assistance",
     "Marche 120 m ou plus avec une aide bilatérale"},
    {"unilateral_aid_under_50m", 65, "Walks less than 50 m with unilateral assistance",
     "Marche moins de 50 m avec une aide unilatérale"},
    {"bilateral_aid_5m", 65, "Walks 5-119 m with bilateral assistance",
     "Marche 5 à 119 m avec une aide bilatérale"},
    {"wheelchair_self", 70,
     "Cannot walk 5 m even with aid; wheelchair, wheels self and transfers alone",
     "Ne marche pas 5 m même avec aide ; fauteuil roulant, se propulse et se transfère seul"},
    {"wheelchair_assisted", 75, "A few steps at most; wheelchair, needs help to transfer or wheel",
     "Quelques pas au plus ; fauteuil roulant, aide pour transferts ou propulsion"},
    {"bed_chair", 80, "Restricted to bed or chair, retains self-care, effective use of arms",
     "Confiné au lit ou au fauteuil, autonome pour les soins, usage efficace des bras"},
    {"bed_most_of_day", 85, "Restricted to bed much of the day, some effective use of arms",
     "Alité une grande partie de la journée, usage partiel des bras"},
    {"bed_communicates", 90, "Helpless bed patient, can communicate and eat",
     "Alité, dépendant, peut communiquer et manger"},
    {"bed_totally_helpless", 95, "Totally helpless bed patient, cannot communicate or eat",
     "Alité, totalement dépendant, ne peut ni communiquer ni manger"},
    {"death_ms", 100, "Death due to MS", "Décès dû à la SEP"},
};
static const instr_item EDSS_ITEMS[] = {
    {"pyramidal", "Pyramidal functions", "Fonctions pyramidales", OPTS(FS0_6), true, -1, 0},
    {"cerebellar", "Cerebellar functions", "Fonctions cérébelleuses", OPTS(FS0_5), true, -1, 0},
    {"brainstem", "Brainstem functions", "Fonctions du tronc cérébral", OPTS(FS0_5), true, -1, 0},
    {"sensory", "Sensory functions", "Fonctions sensitives", OPTS(FS0_6), true, -1, 0},
    {"bowel_bladder", "Bowel and bladder functions", "Fonctions intestinales et vésicales",
     OPTS(FS0_6), true, -1, 0},
    {"visual", "Visual functions", "Fonctions visuelles", OPTS(FS0_6), true, -1, 0},
    {"cerebral", "Cerebral (mental) functions", "Fonctions cérébrales (mentales)", OPTS(FS0_5),
     true, -1, 0},
    {"ambulation", "Ambulation", "Déambulation", OPTS(EDSS_AMBULATION), true, -1, 0},
};

/* ------------------------------------------------------------------ */
/* FLACC                                                               */
/* Merkel SI, Voepel-Lewis T, Shayevitz JR, Malviya S. The FLACC: a
 * behavioral scale for scoring postoperative pain in young children.
 * Pediatr Nurs 1997;23:293-297. Five observed categories (Face, Legs,
 * Activity, Cry, Consolability), each 0-2 by the behaviour that best
 * matches; total 0-10. Scored by staff observing the child (1-5 minutes),
 * for children too young to rate their own pain (see the spina bifida
 * protocol: below 8 years). English: the category descriptors of the
 * published scale. French: a working translation (no validated French
 * version was consulted; replace it with the wording distributed by
 * Pediadol, pediadol.org, before a study). No bands: the 1997 article gives
 * none. */
static const instr_option FLACC_FACE[] = {
    {"0", 0, "0: no particular expression or smile",
     "0 : pas d'expression particulière ou sourire"},
    {"1", 1, "1: occasional grimace or frown, withdrawn, disinterested",
     "1 : grimace ou froncement de sourcils occasionnels, retrait, désintérêt"},
    {"2", 2, "2: frequent to constant frown, clenched jaw, quivering chin",
     "2 : froncement de sourcils fréquent à permanent, mâchoires serrées, tremblement du menton"},
};
static const instr_option FLACC_LEGS[] = {
    {"0", 0, "0: normal position or relaxed", "0 : position habituelle ou détendue"},
    {"1", 1, "1: uneasy, restless, tense", "1 : gêné, agité, tendu"},
    {"2", 2, "2: kicking, or legs drawn up", "2 : donne des coups de pied, ou jambes repliées"},
};
static const instr_option FLACC_ACTIVITY[] = {
    {"0", 0, "0: lying quietly, normal position, moves easily",
     "0 : allongé calmement, position habituelle, bouge facilement"},
    {"1", 1, "1: squirming, shifting back and forth, tense",
     "1 : se tortille, se balance d'avant en arrière, tendu"},
    {"2", 2, "2: arched, rigid or jerking", "2 : arc-bouté, raide ou agité de secousses"},
};
static const instr_option FLACC_CRY[] = {
    {"0", 0, "0: no cry (awake or asleep)", "0 : pas de pleurs (éveillé ou endormi)"},
    {"1", 1, "1: moans or whimpers, occasional complaint",
     "1 : gémit ou pleurniche, plainte occasionnelle"},
    {"2", 2, "2: crying steadily, screams or sobs, frequent complaints",
     "2 : pleure sans arrêt, hurle ou sanglote, plaintes fréquentes"},
};
static const instr_option FLACC_CONSOLABILITY[] = {
    {"0", 0, "0: content, relaxed", "0 : content, détendu"},
    {"1", 1, "1: reassured by occasional touching, hugging or being talked to; distractible",
     "1 : rassuré par un contact, un câlin ou la parole de temps en temps ; peut être distrait"},
    {"2", 2, "2: difficult to console or comfort", "2 : difficile à consoler ou à réconforter"},
};
static const instr_item FLACC_ITEMS[] = {
    {"face", "Face", "Visage", OPTS(FLACC_FACE), true, -1, 0},
    {"legs", "Legs", "Jambes", OPTS(FLACC_LEGS), true, -1, 0},
    {"activity", "Activity", "Activité", OPTS(FLACC_ACTIVITY), true, -1, 0},
    {"cry", "Cry", "Pleurs", OPTS(FLACC_CRY), true, -1, 0},
    {"consolability", "Consolability", "Consolabilité", OPTS(FLACC_CONSOLABILITY), true, -1, 0},
};

/* ------------------------------------------------------------------ */
/* NBSS (domain scores)                                                */
/* Welk B, Morrow S, Madarasz W, Baverstock R, Macnab J, Sequeira K. The
 * validity and reliability of the Neurogenic Bladder Symptom Score. J Urol
 * 2014;192:452-457; scoring as the Neurogenic Bladder Research Group states
 * it (nbrg.org/nbss; NINDS Common Data Elements, NBSS): 24 questions; the
 * first classifies bladder management and is not scored; incontinence 0-29,
 * storage and voiding 0-22, consequences 0-23; total 0-74 (0 no symptoms);
 * a final urinary quality-of-life question scored apart, 0 (pleased) to 4
 * (unhappy). The item texts and per-item points could not be verified from
 * a primary copy of the form, so they are not reproduced here: staff give
 * the NBSS on the authors' form (free for academic research and clinical use,
 * permission requested from nbrg.org) and enter its three domain scores and
 * the quality-of-life answer; the engine checks each range and adds the
 * total. English and French labels here are the project's (the domain names
 * of the publication); no validated French NBSS was found (a French-Canadian
 * validation was presented at ICS 2022; a French NBSS-SF exists). */
static const instr_option NBSS_0_29[] = {
    PTS(0),  PTS(1),  PTS(2),  PTS(3),  PTS(4),  PTS(5),  PTS(6),  PTS(7),  PTS(8),  PTS(9),
    PTS(10), PTS(11), PTS(12), PTS(13), PTS(14), PTS(15), PTS(16), PTS(17), PTS(18), PTS(19),
    PTS(20), PTS(21), PTS(22), PTS(23), PTS(24), PTS(25), PTS(26), PTS(27), PTS(28), PTS(29),
};
static const instr_option NBSS_QOL[] = {
    {"0", 0, "0 (pleased)", "0 (content)"},    {"1", 1, "1", "1"},
    {"2", 2, "2 (mixed)", "2 (mitigé)"},       {"3", 3, "3", "3"},
    {"4", 4, "4 (unhappy)", "4 (malheureux)"},
};
/* the first n options of NBSS_0_29: a domain scored 0 .. n - 1 */
#define NBSS_DOMAIN(n) INSTR_OPTIONS, NBSS_0_29, n, 0, 0, false, 0
enum { NBSS_INC, NBSS_SV, NBSS_CONS };
static const instr_group NBSS_GROUPS[] = {
    {"incontinence", "Incontinence", "Incontinence", 0},
    {"storage_voiding", "Storage and voiding", "Remplissage et vidange", 0},
    {"consequences", "Consequences", "Conséquences", 0},
};
static const instr_item NBSS_ITEMS[] = {
    {"incontinence", "Incontinence domain score (0-29)", "Score du domaine incontinence (0-29)",
     NBSS_DOMAIN(30), true, NBSS_INC, 0},
    {"storage_voiding", "Storage and voiding domain score (0-22)",
     "Score du domaine remplissage et vidange (0-22)", NBSS_DOMAIN(23), true, NBSS_SV, 0},
    {"consequences", "Consequences domain score (0-23)", "Score du domaine conséquences (0-23)",
     NBSS_DOMAIN(24), true, NBSS_CONS, 0},
    {"quality_of_life", "Urinary quality of life (0 pleased - 4 unhappy; not in the total)",
     "Qualité de vie urinaire (0 content - 4 malheureux ; hors total)", OPTS(NBSS_QOL), true, -1,
     0},
};

/* ------------------------------------------------------------------ */
/* Satisfaction and perceived efficacy                                 */
/* The clinic's follow-up questionnaire: overall satisfaction (5-point
 * Likert), Patient Global Impression of Change (7 points, as the CGI
 * improvement scale: Guy W. ECDEU Assessment Manual for Psychopharmacology,
 * 1976, pp. 217-222; 1 = very much improved ... 7 = very much worse),
 * perceived change per outcome domain, would recommend, free text.
 * Version 2 adds the spina bifida programme's outcome domains (development,
 * cognition, muscle strength, seizures: DESIGN.md's spina bifida outcomes);
 * answers recorded with version 1 lack them and read as left blank. */
static const instr_option SATISFACTION_5[] = {
    {"1", 1, "Very dissatisfied", "Très insatisfait"},
    {"2", 2, "Dissatisfied", "Insatisfait"},
    {"3", 3, "Neither satisfied nor dissatisfied", "Ni satisfait ni insatisfait"},
    {"4", 4, "Satisfied", "Satisfait"},
    {"5", 5, "Very satisfied", "Très satisfait"},
};
static const instr_option PGIC_7[] = {
    {"1", 1, "Very much improved", "Très nettement amélioré"},
    {"2", 2, "Much improved", "Nettement amélioré"},
    {"3", 3, "Minimally improved", "Légèrement amélioré"},
    {"4", 4, "No change", "Pas de changement"},
    {"5", 5, "Minimally worse", "Légèrement aggravé"},
    {"6", 6, "Much worse", "Nettement aggravé"},
    {"7", 7, "Very much worse", "Très nettement aggravé"},
};
static const instr_option CHANGE[] = {
    {"much_worse", -2, "Much worse", "Beaucoup moins bien"},
    {"worse", -1, "Worse", "Moins bien"},
    {"no_change", 0, "No change", "Pas de changement"},
    {"better", 1, "Better", "Mieux"},
    {"much_better", 2, "Much better", "Beaucoup mieux"},
    {"not_applicable", 0, "Not applicable", "Non applicable"},
};
static const instr_option YES_NO[] = {{"yes", 1, "Yes", "Oui"}, {"no", 0, "No", "Non"}};
static const instr_group SATISFACTION_GROUPS[] = {
    {"domains", "Perceived change by domain", "Changement perçu par domaine", 0},
};
#define DOMAIN(id, en, fr)                                                                         \
    {                                                                                              \
        "change_" id, en, fr, OPTS(CHANGE), false, 0, 0                                            \
    }
static const instr_item SATISFACTION_ITEMS[] = {
    {"satisfaction", "Overall satisfaction with the treatment",
     "Satisfaction globale vis-à-vis du traitement", OPTS(SATISFACTION_5), true, -1, 0},
    {"pgic", "Global impression of change since the treatment",
     "Impression globale de changement depuis le traitement", OPTS(PGIC_7), true, -1, 0},
    DOMAIN("motor", "Motor function", "Fonction motrice"),
    DOMAIN("sensation", "Sensation", "Sensibilité"),
    DOMAIN("spasticity", "Spasticity", "Spasticité"),
    DOMAIN("pain", "Pain", "Douleur"),
    DOMAIN("bladder", "Bladder function", "Fonction vésicale"),
    DOMAIN("bowel", "Bowel function", "Fonction intestinale"),
    DOMAIN("sweating", "Sweating", "Transpiration"),
    DOMAIN("development", "Development (a child's milestones)",
           "Développement (acquisitions de l'enfant)"),
    DOMAIN("cognition", "Cognition (attention, memory, learning)",
           "Cognition (attention, mémoire, apprentissages)"),
    DOMAIN("muscle_strength", "Muscle strength", "Force musculaire"),
    DOMAIN("seizures", "Seizures (epilepsy)", "Crises d'épilepsie"),
    DOMAIN("other", "Other", "Autre"),
    {"would_recommend", "Would recommend the treatment", "Recommanderait le traitement",
     OPTS(YES_NO), true, -1, 0},
    {"comments", "Comments", "Commentaires", TEXT(2000), false, -1, 0},
};

/* ------------------------------------------------------------------ */
/* Registry                                                            */

static const instr_def DEFS[] = {
    {"alsfrs-r", "1", "ALS Functional Rating Scale, revised (ALSFRS-R)",
     "Échelle fonctionnelle de la SLA, révisée (ALSFRS-R)",
     "Cedarbaum et al., J Neurol Sci 1999;169:13-21", ALSFRS_ITEMS, COUNT(ALSFRS_ITEMS),
     ALSFRS_GROUPS, COUNT(ALSFRS_GROUPS), NULL, 0, INSTR_RULE_ALSFRS, false},
    {"nrs-pain", "1", "Numeric rating scale for pain (NRS)", "Échelle numérique de la douleur (EN)",
     "Jensen et al., Pain 1986;27:117-126", NRS_ITEMS, COUNT(NRS_ITEMS), NULL, 0, NULL, 0,
     INSTR_RULE_EACH, false},
    {"mas", "1", "Modified Ashworth Scale", "Échelle d'Ashworth modifiée",
     "Bohannon and Smith, Phys Ther 1987;67:206-207", MAS_ITEMS, COUNT(MAS_ITEMS), NULL, 0, NULL, 0,
     INSTR_RULE_ORDINAL_MAX, false},
    {"scim-iii", "1", "Spinal Cord Independence Measure III (SCIM III)",
     "Mesure d'indépendance fonctionnelle médullaire III (SCIM III)",
     "Itzkovich et al., Disabil Rehabil 2007;29:1926-1933", SCIM_ITEMS, COUNT(SCIM_ITEMS),
     SCIM_GROUPS, COUNT(SCIM_GROUPS), NULL, 0, INSTR_RULE_SUM, false},
    {"nbd", "1", "Neurogenic Bowel Dysfunction score (NBD)",
     "Score de dysfonction intestinale neurogène (NBD)",
     "Krogh et al., Spinal Cord 2006;44:625-631", NBD_ITEMS, COUNT(NBD_ITEMS), NULL, 0, NBD_BANDS,
     COUNT(NBD_BANDS), INSTR_RULE_SUM, false},
    {"koos", "2", "Knee injury and Osteoarthritis Outcome Score (KOOS)",
     "Score KOOS (genou, traumatisme et arthrose)",
     "Roos and Lohmander, Health Qual Life Outcomes 2003;1:64; KOOS Scoring 2012", KOOS_ITEMS,
     COUNT(KOOS_ITEMS), KOOS_GROUPS, COUNT(KOOS_GROUPS), NULL, 0, INSTR_RULE_KOOS, false},
    {"edss", "2", "Expanded Disability Status Scale (EDSS)", "Échelle EDSS (Kurtzke)",
     "Kurtzke, Neurology 1983;33:1444-1452; Neurostatus-EDSS scoring definitions 04/10.2",
     EDSS_ITEMS, COUNT(EDSS_ITEMS), NULL, 0, NULL, 0, INSTR_RULE_EDSS, false},
    {"flacc", "1", "FLACC behavioural pain scale (observed, young children)",
     "Échelle comportementale de douleur FLACC (observation, jeune enfant)",
     "Merkel et al., Pediatr Nurs 1997;23:293-297", FLACC_ITEMS, COUNT(FLACC_ITEMS), NULL, 0, NULL,
     0, INSTR_RULE_SUM, true},
    {"nbss", "1", "Neurogenic Bladder Symptom Score (NBSS), domain scores",
     "Score des symptômes de vessie neurogène (NBSS), scores par domaine",
     "Welk et al., J Urol 2014;192:452-457", NBSS_ITEMS, COUNT(NBSS_ITEMS), NBSS_GROUPS,
     COUNT(NBSS_GROUPS), NULL, 0, INSTR_RULE_SUM_GROUPED, true},
    {"satisfaction", "2", "Satisfaction and perceived efficacy",
     "Satisfaction et efficacité perçue", "cellclinic questionnaire; PGIC as Guy 1976",
     SATISFACTION_ITEMS, COUNT(SATISFACTION_ITEMS), SATISFACTION_GROUPS, COUNT(SATISFACTION_GROUPS),
     NULL, 0, INSTR_RULE_EACH, false},
};

int instrument_count(void)
{
    return COUNT(DEFS);
}

const instr_def *instrument_at(int i)
{
    return i >= 0 && i < COUNT(DEFS) ? &DEFS[i] : NULL;
}

const instr_def *instrument_find(const char *id)
{
    for (int i = 0; id != NULL && i < COUNT(DEFS); i++)
        if (strcmp(DEFS[i].id, id) == 0)
            return &DEFS[i];
    return NULL;
}
