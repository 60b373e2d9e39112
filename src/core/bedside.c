#include "bedside.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isbt128.h"
#include "mrn.h"
#include "qc_spec.h"

static const char *const CODE_NAMES[BS_CODE_COUNT] = {
    "wristband_unreadable",
    "wrong_patient",
    "no_unit",
    "too_many_units",
    "din_unreadable",
    "duplicate_unit",
    "unit_unknown",
    "product_code_unreadable",
    "product_code_mismatch",
    "unit_not_released",
    "unit_not_issued",
    "unit_discarded",
    "unit_already_administered",
    "unit_expired",
    "unit_not_reserved",
    "unit_other_patient",
    "unit_other_item",
    "autologous_other_patient",
    "product_type_mismatch",
    "route_mismatch",
    "dose_below_prescription",
    "dose_above_prescription",
    "dose_outside_protocol",
    "weight_missing",
    "weight_stale",
    "weight_changed",
    "not_due",
    "overdue",
    "item_already_given",
    "plan_not_active",
    "lp_too_soon",
    "override_not_allowed",
    "override_reason_missing",
    "override_not_needed",
    "second_check_required",
    "second_check_same_person",
    "unit_not_thawed",
    "unit_thaw_expired",
    "unit_viability_low",
    "endotoxin_over_limit",
    "coagulation_missing",
    "coagulation_out_of_range",
    "coagulation_stale",
    "anticoagulant_active",
    "consent_missing",
    "consent_withdrawn",
};

const char *bedside_code_name(bedside_code c)
{
    return (unsigned)c < BS_CODE_COUNT ? CODE_NAMES[c] : "?";
}

bool bedside_has(const bedside_verdict *v, bedside_code c)
{
    for (size_t i = 0; i < v->n && i < BEDSIDE_MAX_REASONS; i++)
        if (v->reasons[i].code == c)
            return true;
    return false;
}

void bedside_plan_ref(int64_t plan_id, int item, char *out, size_t cap)
{
    snprintf(out, cap, "plan:%lld:%d", (long long)plan_id, item);
}

/* Appends one reason: field, then an English and a French format sharing the
 * same argument list (the same conversions in the same order). */
static void add(bedside_verdict *v, bedside_code code, const char *field, const char *en,
                const char *fr, ...) __attribute__((format(printf, 4, 6)));

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void add(bedside_verdict *v, bedside_code code, const char *field, const char *en,
                const char *fr, ...)
{
    v->go = false;
    if (v->n >= BEDSIDE_MAX_REASONS) {
        v->n++;
        return;
    }
    bedside_reason *r = &v->reasons[v->n++];
    r->code = code;
    snprintf(r->field, sizeof r->field, "%s", field);
    va_list ap;
    va_start(ap, fr);
    vsnprintf(r->en, sizeof r->en, en, ap);
    va_end(ap);
    va_start(ap, fr);
    vsnprintf(r->fr, sizeof r->fr, fr, ap);
    va_end(ap);
}
#pragma GCC diagnostic pop

static const char *s(const char *t)
{
    return t ? t : "";
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

bool bedside_parse_product(const char *text, char pdc[6], int *division)
{
    char t[16];
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n >= sizeof t)
        return false;
    for (size_t i = 0; i <= n; i++)
        t[i] = upper(text[i]);
    const char *code = t;
    *division = -1;
    if (n == 10 && t[0] == '=' && t[1] == '<') {
        code = t + 2;
        char type = t[7], ds0 = t[8], ds1 = t[9];
        if (!((type >= '0' && type <= '9') || (type >= 'A' && type <= 'Z')))
            return false;
        if (ds0 == '0' && ds1 == '0')
            *division = 0;
        else if (ds0 >= 'A' && ds0 <= 'Z' && ds1 == '0')
            *division = ds0 - 'A' + 1;
        else
            return false;
    } else if (n != 5) {
        return false;
    }
    char p[6];
    memcpy(p, code, 5);
    p[5] = '\0';
    if (!isbt128_pdc_is_valid(p))
        return false;
    memcpy(pdc, p, 6);
    return true;
}

static void check_wristband(const bedside_facts *f, bedside_verdict *v)
{
    const char *w = s(f->wristband);
    if (!mrn_is_valid(w)) {
        add(v, BS_WRISTBAND_UNREADABLE, "wristband",
            "The wristband number \"%.20s\" is not a valid record number (8 digits with a correct "
            "check digit): scan it again.",
            "Le numéro du bracelet « %.20s » n'est pas un numéro de dossier valide (8 chiffres "
            "avec une clé correcte) : scannez-le à nouveau.",
            w);
        return;
    }
    if (strcmp(w, s(f->patient_mrn)) != 0)
        add(v, BS_WRONG_PATIENT, "wristband",
            "Wrong patient: the wristband reads %s but this administration is prescribed for "
            "record %s. Do not give.",
            "Mauvais patient : le bracelet indique %s mais cette administration est prescrite pour "
            "le dossier %s. Ne pas administrer.",
            w, s(f->patient_mrn));
}

static const char *state_fr(unit_state st)
{
    static const char *const names[UNIT_STATE_COUNT] = {"en quarantaine", "libérée",     "réservée",
                                                        "délivrée",       "administrée", "détruite",
                                                        "périmée",        "retournée"};
    return (unsigned)st < UNIT_STATE_COUNT ? names[st] : "?";
}

/* H14: a frozen unit is given only thawed, inside its window, viable enough. */
static void check_thaw(const bedside_facts *f, const bedside_unit *u, const char *field, size_t i,
                       const char *data, bedside_verdict *v)
{
    if (!u->frozen)
        return;
    if (!u->thawed) {
        add(v, BS_UNIT_NOT_THAWED, field,
            "Unit %zu (%s) is cryopreserved and no thaw is recorded: record the thaw first.",
            "L'unité %zu (%s) est cryoconservée et aucune décongélation n'est enregistrée : "
            "enregistrez d'abord la décongélation.",
            i + 1, data);
        return;
    }
    int hours = u->post_thaw_hours > 0 ? u->post_thaw_hours : BEDSIDE_POST_THAW_HOURS;
    int min = u->min_viability_tenths >= 0 ? u->min_viability_tenths : BEDSIDE_MIN_VIABILITY_TENTHS;
    if (f->now > u->thawed_at + (int64_t)hours * 3600) {
        int64_t minutes = (f->now - u->thawed_at) / 60;
        add(v, BS_UNIT_THAW_EXPIRED, field,
            "Unit %zu (%s) was thawed %lld h %02lld min ago, more than the %d hours allowed after "
            "thawing. Do not give.",
            "L'unité %zu (%s) a été décongelée il y a %lld h %02lld min, plus que les %d heures "
            "permises après décongélation. Ne pas administrer.",
            i + 1, data, (long long)(minutes / 60), (long long)(minutes % 60), hours);
    }
    if (u->viability_tenths < min)
        add(v, BS_UNIT_VIABILITY_LOW, field,
            "Unit %zu (%s) has a post-thaw viability of %d.%d %%, below the minimum of %d.%d %%. "
            "Do not give.",
            "L'unité %zu (%s) a une viabilité après décongélation de %d,%d %%, sous le minimum de "
            "%d,%d %%. Ne pas administrer.",
            i + 1, data, u->viability_tenths / 10, u->viability_tenths % 10, min / 10, min % 10);
}

static void check_unit(const bedside_facts *f, const bedside_unit *u, size_t i, bedside_verdict *v)
{
    char field[32];
    snprintf(field, sizeof field, "units[%zu].din", i);
    isbt128_din din;
    cc_error e;
    if (isbt128_parse(s(u->din_text), field, &din, &e) != CC_OK) {
        add(v, BS_DIN_UNREADABLE, field,
            "Unit %zu: the donation number \"%.32s\" is not valid (%.120s): scan it again.",
            "Unité %zu : le numéro de don « %.32s » n'est pas valide (%.120s) : scannez-le à "
            "nouveau.",
            i + 1, s(u->din_text), e.message);
        return;
    }
    char data[ISBT128_DATA_TEXT];
    isbt128_format_data(&din, data);
    for (size_t j = 0; j < i; j++) {
        isbt128_din other;
        if (isbt128_parse(s(f->units[j].din_text), NULL, &other, &e) == CC_OK &&
            isbt128_same_donation(&din, &other)) {
            add(v, BS_DUPLICATE_UNIT, field,
                "Unit %zu: donation %s was already scanned as unit %zu.",
                "Unité %zu : le don %s a déjà été scanné comme unité %zu.", i + 1, data, j + 1);
            return;
        }
    }
    if (!u->found || strcmp(u->din_data, data) != 0) {
        add(v, BS_UNIT_UNKNOWN, field, "Unit %zu: no unit with donation number %s is known here.",
            "Unité %zu : aucune unité de numéro de don %s n'est connue ici.", i + 1, data);
        return;
    }
    char pfield[32];
    snprintf(pfield, sizeof pfield, "units[%zu].product_code", i);
    char pdc[6];
    int division;
    if (!bedside_parse_product(u->product_text, pdc, &division))
        add(v, BS_PRODUCT_CODE_UNREADABLE, pfield,
            "Unit %zu: the product code \"%.16s\" is not readable: scan the product code barcode.",
            "Unité %zu : le code produit « %.16s » est illisible : scannez le code-barres du code "
            "produit.",
            i + 1, s(u->product_text));
    else if (strcmp(pdc, u->product_code) != 0 || (division >= 0 && division != u->division))
        add(v, BS_PRODUCT_CODE_MISMATCH, pfield,
            "Unit %zu: the product code scanned (%s, division %d) is not the one of donation %s "
            "(%s, division %d).",
            "Unité %zu : le code produit scanné (%s, division %d) n'est pas celui du don %s (%s, "
            "division %d).",
            i + 1, pdc, division < 0 ? 0 : division, data, u->product_code, u->division);

    /* state: H2, H3, H12 */
    switch (u->state) {
    case UNIT_QUARANTINE:
    case UNIT_RETURNED:
        add(v, BS_UNIT_NOT_RELEASED, field,
            "Unit %zu (%s) is %s%.0s: it has not been released by quality assurance. Do not give.",
            "L'unité %zu (%s) est %.0s%s : elle n'a pas été libérée par l'assurance qualité. Ne "
            "pas administrer.",
            i + 1, data, u->state == UNIT_QUARANTINE ? "in quarantine" : "returned",
            state_fr(u->state));
        break;
    case UNIT_RELEASED:
    case UNIT_RESERVED:
        add(v, BS_UNIT_NOT_ISSUED, field,
            "Unit %zu (%s) is %s%.0s in the laboratory: it must be issued to the ward first.",
            "L'unité %zu (%s) est %.0s%s au laboratoire : elle doit d'abord être délivrée au "
            "service.",
            i + 1, data, unit_state_name(u->state), state_fr(u->state));
        break;
    case UNIT_DISCARDED:
        add(v, BS_UNIT_DISCARDED, field, "Unit %zu (%s) was discarded. Do not give.",
            "L'unité %zu (%s) a été détruite. Ne pas administrer.", i + 1, data);
        break;
    case UNIT_ADMINISTERED:
        add(v, BS_UNIT_ALREADY_ADMINISTERED, field,
            "Unit %zu (%s) has already been administered.%s",
            "L'unité %zu (%s) a déjà été administrée.%s", i + 1, data, "");
        break;
    case UNIT_EXPIRED: break; /* reported with the date below */
    default: break;
    }
    if (u->state == UNIT_EXPIRED || unit_is_expired(u->expiry, f->today)) {
        char day[CC_DATE_TEXT];
        date_format(u->expiry, day);
        add(v, BS_UNIT_EXPIRED, field, "Unit %zu (%s) expired on %s. Do not give.",
            "L'unité %zu (%s) est périmée depuis le %s. Ne pas administrer.", i + 1, data, day);
    }

    /* identity: H1, H7 */
    if (u->owner_patient_id && u->owner_patient_id != f->patient_id)
        add(v, BS_AUTOLOGOUS_OTHER_PATIENT, field,
            "Unit %zu (%s) is autologous: it belongs to another patient and can never be given to "
            "this one.%s",
            "L'unité %zu (%s) est autologue : elle appartient à un autre patient et ne peut jamais "
            "être administrée à celui-ci.%s",
            i + 1, data, "");
    if ((u->reserved_patient_id && u->reserved_patient_id != f->patient_id) ||
        (u->issued_patient_id && u->issued_patient_id != f->patient_id))
        add(v, BS_UNIT_OTHER_PATIENT, field,
            "Unit %zu (%s) is reserved or issued for another patient. Do not give.%s",
            "L'unité %zu (%s) est réservée ou délivrée pour un autre patient. Ne pas "
            "administrer.%s",
            i + 1, data, "");
    else if (!u->reserved_patient_id || !u->reserved_for || !*u->reserved_for)
        add(v, BS_UNIT_NOT_RESERVED, field,
            "Unit %zu (%s) is not reserved for this planned administration.%s",
            "L'unité %zu (%s) n'est pas réservée pour cette administration prévue.%s", i + 1, data,
            "");
    else if (strcmp(u->reserved_for, s(f->plan_ref)) != 0)
        add(v, BS_UNIT_OTHER_ITEM, field,
            "Unit %zu (%s) is reserved for another planned administration (%.40s), not this one "
            "(%.40s).",
            "L'unité %zu (%s) est réservée pour une autre administration prévue (%.40s), pas "
            "celle-ci (%.40s).",
            i + 1, data, u->reserved_for, s(f->plan_ref));
    check_thaw(f, u, field, i, data, v);
    if (strcmp(s(u->product_type), s(f->product_type)) != 0)
        add(v, BS_PRODUCT_TYPE_MISMATCH, field,
            "Unit %zu (%s) holds %.16s but %.16s is prescribed.",
            "L'unité %zu (%s) contient %.16s mais %.16s est prescrit.", i + 1, data,
            s(u->product_type), s(f->product_type));
}

static void check_dose(const bedside_facts *f, bedside_verdict *v, uint64_t total)
{
    uint64_t high = f->dose + f->dose / 100 * BEDSIDE_DOSE_TOLERANCE_PERCENT +
                    f->dose % 100 * BEDSIDE_DOSE_TOLERANCE_PERCENT / 100;
    if (total < f->dose)
        add(v, BS_DOSE_BELOW_PRESCRIPTION, "units",
            "The units scanned hold %llu in total, less than the %llu prescribed.",
            "Les unités scannées contiennent %llu au total, moins que les %llu prescrits.",
            (unsigned long long)total, (unsigned long long)f->dose);
    else if (total > high)
        add(v, BS_DOSE_ABOVE_PRESCRIPTION, "units",
            "The units scanned hold %llu in total, more than the %llu prescribed plus %d %%.",
            "Les unités scannées contiennent %llu au total, plus que les %llu prescrits plus %d "
            "%%.",
            (unsigned long long)total, (unsigned long long)f->dose, BEDSIDE_DOSE_TOLERANCE_PERCENT);
    if ((f->dose_min || f->dose_max) && (total < f->dose_min || total > f->dose_max))
        add(v, BS_DOSE_OUTSIDE_PROTOCOL, "units",
            "The total %llu is outside the protocol's bounds per administration (%llu to %llu).",
            "Le total %llu est hors des bornes du protocole par administration (%llu à %llu).",
            (unsigned long long)total, (unsigned long long)f->dose_min,
            (unsigned long long)f->dose_max);
}

static void check_weight(const bedside_facts *f, bedside_verdict *v)
{
    int max_age = f->weight_max_age_days > 0 ? f->weight_max_age_days : BEDSIDE_WEIGHT_MAX_AGE_DAYS;
    if (f->weight_g <= 0) {
        add(v, BS_WEIGHT_MISSING, "weight", "No weight is recorded: weigh the patient first.%s",
            "Aucun poids n'est enregistré : pesez d'abord le patient.%s", "");
        return;
    }
    char day[CC_DATE_TEXT];
    date_format(f->weight_date, day);
    int age = f->today - f->weight_date;
    if (age > max_age)
        add(v, BS_WEIGHT_STALE, "weight",
            "The latest weight (%s) is %d days old, more than %d: weigh the patient again.",
            "Le dernier poids (%s) date de %d jours, plus de %d : pesez à nouveau le patient.", day,
            age, max_age);
    if (f->dose_weight_g > 0) {
        int diff = f->weight_g - f->dose_weight_g;
        if (diff < 0)
            diff = -diff;
        if ((int64_t)diff * 100 > (int64_t)f->dose_weight_g * BEDSIDE_WEIGHT_CHANGE_PERCENT)
            add(v, BS_WEIGHT_CHANGED, "weight",
                "The weight is now %.1f kg; the dose was computed for %.1f kg (more than %d %% "
                "apart): the physician must review the dose.",
                "Le poids est maintenant de %.1f kg ; la dose a été calculée pour %.1f kg (écart "
                "de plus de %d %%) : le médecin doit revoir la dose.",
                f->weight_g / 1000.0, f->dose_weight_g / 1000.0, BEDSIDE_WEIGHT_CHANGE_PERCENT);
    }
}

static void check_time(const bedside_facts *f, bedside_verdict *v)
{
    char day[CC_DATE_TEXT];
    date_format(f->planned_date, day);
    int window = f->window_days > 0 ? f->window_days : 0;
    if (f->today < f->planned_date)
        add(v, BS_NOT_DUE, "plan_item", "This administration is planned for %s, not today.",
            "Cette administration est prévue le %s, pas aujourd'hui.", day);
    else if (f->today - f->planned_date > window)
        add(v, BS_OVERDUE, "plan_item",
            "This administration was planned for %s, more than %d day(s) ago: the physician must "
            "reschedule it.",
            "Cette administration était prévue le %s, il y a plus de %d jour(s) : le médecin doit "
            "la reprogrammer.",
            day, window);
}

/* H16: the coagulation findings of an intrathecal administration (none
 * otherwise); n receives their count. */
static size_t coagulation(const bedside_facts *f, bool intrathecal,
                          coag_finding found[COAG_MAX_FINDINGS])
{
    if (!intrathecal)
        return 0;
    coag_facts c;
    memset(&c, 0, sizeof c);
    memcpy(c.results, f->coag, sizeof c.results);
    c.meds = f->meds;
    c.n_meds = f->n_meds;
    c.today = f->today;
    c.check_age = true;
    return coag_check(&c, found);
}

static bedside_code coag_code(coag_problem p)
{
    switch (p) {
    case COAG_MISSING: return BS_COAGULATION_MISSING;
    case COAG_OUT_OF_RANGE: return BS_COAGULATION_OUT_OF_RANGE;
    case COAG_STALE: return BS_COAGULATION_STALE;
    default: return BS_ANTICOAGULANT_ACTIVE;
    }
}

static void check_intrathecal(const bedside_facts *f, bedside_verdict *v)
{
    /* either the prescribed route or the one at hand: the stricter rules apply */
    bool intrathecal =
        strcmp(s(f->route), "intrathecal") == 0 || strcmp(s(f->route_given), "intrathecal") == 0;
    int spacing = f->spacing_hours > 0 ? f->spacing_hours : BEDSIDE_LP_SPACING_HOURS;
    bool too_soon =
        intrathecal && f->last_lp_at > 0 && f->now - f->last_lp_at < (int64_t)spacing * 3600;
    coag_finding found[COAG_MAX_FINDINGS];
    size_t n_coag = coagulation(f, intrathecal, found);
    if (f->override_requested) {
        bool reason = false;
        for (const char *p = s(f->override_reason); *p; p++)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                reason = true;
        if (!f->override_by_physician)
            add(v, BS_OVERRIDE_NOT_ALLOWED, "override",
                "Only a physician may override the spacing between lumbar punctures or a "
                "coagulation refusal.%s",
                "Seul un médecin peut lever l'intervalle entre deux ponctions lombaires ou un "
                "refus "
                "lié à la coagulation.%s",
                "");
        if (!reason)
            add(v, BS_OVERRIDE_REASON_MISSING, "override.reason",
                "An override needs a written reason.%s", "Une dérogation exige un motif écrit.%s",
                "");
        if (!too_soon && n_coag == 0)
            add(v, BS_OVERRIDE_NOT_NEEDED, "override",
                "No spacing or coagulation rule is broken: there is nothing to override.%s",
                "Aucun intervalle ni aucune règle de coagulation n'est enfreint : il n'y a rien à "
                "lever.%s",
                "");
        if ((too_soon || n_coag) && f->override_by_physician && reason)
            v->override_used = true;
    }
    if (too_soon && !v->override_used) {
        int64_t hours = (f->now - f->last_lp_at) / 3600;
        add(v, BS_LP_TOO_SOON, "route",
            "The last lumbar puncture was %lld hours ago; at least %d hours are required (a "
            "physician may override with a reason).",
            "La dernière ponction lombaire date de %lld heures ; il faut au moins %d heures (un "
            "médecin peut déroger avec un motif).",
            (long long)hours, spacing);
    }
    for (size_t i = 0; i < n_coag && !v->override_used; i++) {
        char field[32];
        snprintf(field, sizeof field, "%s",
                 found[i].problem == COAG_DRUG_ACTIVE ? "medications"
                                                      : coag_test_code(found[i].test));
        add(v, coag_code(found[i].problem), field,
            "%s%.0s (A physician may override with a reason.)",
            "%.0s%s (Un médecin peut déroger avec un motif.)", found[i].en, found[i].fr);
    }
    if (intrathecal) {
        if (!f->second_verifier_id)
            add(v, BS_SECOND_CHECK_REQUIRED, "second_verifier",
                "An intrathecal administration needs a second person's verification.%s",
                "Une administration intrathécale exige la vérification d'une seconde personne.%s",
                "");
        else if (f->second_verifier_id == f->operator_id)
            add(v, BS_SECOND_CHECK_SAME_PERSON, "second_verifier",
                "The second verification must be made by another person than the operator.%s",
                "La seconde vérification doit être faite par une autre personne que l'opérateur.%s",
                "");
    }
}

/* The endotoxin the units bring, per kg of this patient's weight, against K
 * of the route (the stricter of the prescribed and the given one). */
static void check_endotoxin(const bedside_facts *f, bedside_verdict *out)
{
    double eu = 0;
    for (size_t i = 0; f->units && i < f->n_units && i < BEDSIDE_MAX_UNITS; i++)
        if (f->units[i].found && f->units[i].has_endotoxin && f->units[i].volume_ml > 0)
            eu += f->units[i].endotoxin_eu_ml * f->units[i].volume_ml;
    if (f->weight_g <= 0 || eu <= 0)
        return;
    double k = qc_endotoxin_k(f->route), k_given = qc_endotoxin_k(f->route_given);
    if (k_given < k)
        k = k_given;
    double per_kg = eu * 1000.0 / f->weight_g;
    if (per_kg <= k)
        return;
    /* the same numbers with a decimal point and with a decimal comma */
    char n[2][3][24];
    const double values[3] = {per_kg, f->weight_g / 1000.0, k};
    for (int v = 0; v < 3; v++) {
        snprintf(n[0][v], sizeof n[0][v], "%.4g", values[v]);
        snprintf(n[1][v], sizeof n[1][v], "%.4g", values[v]);
        char *dot = strchr(n[1][v], '.');
        if (dot)
            *dot = ',';
    }
    add(out, BS_ENDOTOXIN_OVER_LIMIT, "units",
        "Endotoxin %s EU/kg for this patient's %s kg is above the limit of %s EU/kg for this "
        "route (USP <85>).%.0s%.0s%.0s",
        "%.0s%.0s%.0sEndotoxines : %s UE/kg pour les %s kg de ce patient, au-dessus de la limite "
        "de %s UE/kg pour cette voie (USP <85>).",
        n[0][0], n[0][1], n[0][2], n[1][0], n[1][1], n[1][2]);
}

bool bedside_verify(const bedside_facts *f, bedside_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->go = true;
    if (!f->plan_active)
        add(out, BS_PLAN_NOT_ACTIVE, "plan_item",
            "The treatment plan is not approved or is closed: nothing may be given from it.%s",
            "Le plan de traitement n'est pas approuvé ou est clos : rien ne peut être "
            "administré.%s",
            "");
    if (f->consent == BEDSIDE_CONSENT_WITHDRAWN)
        add(out, BS_CONSENT_WITHDRAWN, "plan_item",
            "The patient withdrew the treatment consent for this programme: nothing may be "
            "given.%s",
            "Le patient a retiré son consentement au traitement pour ce programme : rien ne peut "
            "être administré.%s",
            "");
    else if (f->consent != BEDSIDE_CONSENT_CURRENT)
        add(out, BS_CONSENT_MISSING, "plan_item",
            "The patient has no signed treatment consent for this programme: nothing may be "
            "given.%s",
            "Le patient n'a pas de consentement au traitement signé pour ce programme : rien ne "
            "peut être administré.%s",
            "");
    if (f->item_given)
        add(out, BS_ITEM_ALREADY_GIVEN, "plan_item",
            "This planned administration has already been given.%s",
            "Cette administration prévue a déjà été faite.%s", "");
    check_wristband(f, out);
    if (f->n_units == 0 || !f->units)
        add(out, BS_NO_UNIT, "units", "No unit was scanned.%s", "Aucune unité n'a été scannée.%s",
            "");
    else if (f->n_units > BEDSIDE_MAX_UNITS)
        add(out, BS_TOO_MANY_UNITS, "units", "At most %d units may be given in one administration.",
            "Au plus %d unités peuvent être données en une administration.", BEDSIDE_MAX_UNITS);
    uint64_t total = 0;
    bool all_found = f->n_units > 0 && f->n_units <= BEDSIDE_MAX_UNITS;
    for (size_t i = 0; f->units && i < f->n_units && i < BEDSIDE_MAX_UNITS; i++) {
        size_t before = out->n;
        check_unit(f, &f->units[i], i, out);
        bool known = f->units[i].found;
        for (size_t k = before; k < out->n && k < BEDSIDE_MAX_REASONS; k++)
            if (out->reasons[k].code == BS_DIN_UNREADABLE ||
                out->reasons[k].code == BS_UNIT_UNKNOWN ||
                out->reasons[k].code == BS_DUPLICATE_UNIT)
                known = false;
        if (known)
            total += f->units[i].amount;
        else
            all_found = false;
    }
    out->total_amount = total;
    if (strcmp(s(f->route_given), s(f->route)) != 0)
        add(out, BS_ROUTE_MISMATCH, "route",
            "The route \"%.20s\" is not the prescribed route (%.20s).",
            "La voie « %.20s » n'est pas la voie prescrite (%.20s).", s(f->route_given),
            s(f->route));
    if (all_found)
        check_dose(f, out, total);
    check_weight(f, out);
    check_time(f, out);
    check_intrathecal(f, out);
    check_endotoxin(f, out);
    return out->go;
}
