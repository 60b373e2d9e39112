/*
 * protocol: the model of a treatment programme version (DESIGN.md sections 2
 * and 3 "Protocol"), as plain values the other core modules read.
 *
 * A protocol version is data: the shipped versions are JSON files under
 * src/protocols/ (embedded in the binary, seeded into the database), an admin
 * publishes new ones; a published version never changes and a plan pins the
 * version it used. The JSON <-> struct mapping lives outside core
 * (app/protocol_json.c, it needs jansson); this module only states what a
 * valid protocol is (protocol_check) and names routes and products.
 *
 * Units and ranges:
 *   - administrations: 1..PROTOCOL_MAX_ADMINISTRATIONS, min <= default <= max;
 *   - spacing in hours (72 = "at least 72 hours apart"); the planner works in
 *     whole days, so a spacing of h hours becomes ceil(h / 24) days between
 *     the two procedure days (procedures are done at the same time of day);
 *   - stay in days counted from admission day 1 to discharge day D
 *     (stay_days = D); 1 <= stay_min <= stay_max <= 120;
 *   - cell counts uint64_t (cells), weights in grams, money in integer cents
 *     of one currency ("EUR");
 *   - follow-up offsets in calendar months after the last administration,
 *     windows in days either side; an instrument's age limits in completed
 *     years (0..PROTOCOL_AGE_LIMIT, from < below when both are given).
 *
 * Invariants after protocol_check: every bound pair is ordered, every route
 * of the cycle is allowed, the default product is allowed, every rule names a
 * known subject, the stay can hold the minimum number of administrations with
 * an empty clinic (so an infeasible plan always names a capacity constraint
 * or the requested count).
 *
 * Ownership: protocol is a value (fixed arrays, no pointers); copy freely.
 * Bad input: protocol_check returns CC_INVALID naming the offending field
 * as a JSON path ("dose.course_min"). Pure and thread-safe.
 */
#ifndef CC_PROTOCOL_H
#define CC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "status.h"

enum {
    PROTOCOL_ID_MAX = 32,
    PROTOCOL_NAME_MAX = 120,
    PROTOCOL_MAX_INDICATIONS = 24,
    PROTOCOL_MAX_CYCLE = 8,
    PROTOCOL_MAX_ANCILLARY = 6,
    PROTOCOL_MAX_FOLLOW_UP = 8,
    PROTOCOL_MAX_INSTRUMENTS = 6,
    PROTOCOL_MAX_INSTRUMENT_INDICATIONS = 4,
    PROTOCOL_MAX_RULES = 40,
    PROTOCOL_MAX_AGE_BANDS = 6,
    PROTOCOL_MAX_ADMINISTRATIONS = 16,
    PROTOCOL_STAY_LIMIT = 120,
    PROTOCOL_CODE_MAX = 24,
    PROTOCOL_AGE_LIMIT = 130,
};

typedef enum {
    RT_INTRAVENOUS = 0,
    RT_INTRATHECAL,
    RT_LOCAL,
    RT_INHALATION,
    RT_TOPICAL,
    RT_GRAFT,
    RT_COUNT
} admin_route;

typedef enum {
    PT_UC_MSC = 0,
    PT_UCB_SC,
    PT_BM_MSC,
    PT_AD_MSC,
    PT_PL_MSC,
    PT_SECRETOME,
    PT_COUNT
} product_type;

/* The unit of a dose: a cell count, or a volume in microlitres (secretome). */
typedef enum { DOSE_CELLS = 0, DOSE_MICROLITRES } dose_unit;

typedef struct {
    int below_age_years; /* band applies when age < this */
    uint64_t per_kg;     /* course amount per kg for the band */
} dose_age_band;

typedef struct {
    dose_unit unit;
    bool fixed;      /* fixed amount per administration (per_admin_min), not per kg */
    uint64_t per_kg; /* course amount per kg of body weight */
    uint64_t course_min, course_max;       /* bounds of the course */
    uint64_t per_admin_min, per_admin_max; /* bounds per administration */
    uint64_t rounding;                     /* per-administration amounts are multiples of this */
    int weight_min_g, weight_max_g;        /* plausible weights */
    int weight_max_age_days;               /* H4: refuse an older weight */
    bool age_required;
    int age_min_years, age_max_years;
    dose_age_band bands[PROTOCOL_MAX_AGE_BANDS]; /* ascending below_age_years */
    size_t n_bands;
    /* 0 = none. The course never exceeds per_kg_max x weight: for a small
     * child this binds before course_min, which then no longer applies. */
    uint64_t per_kg_max;
    /* 0 = none. A patient younger than this (or of unknown age) needs the
     * approving physician's signed confirmation of the dose, with a reason. */
    int confirm_below_age_years;
} dose_rule;

typedef struct {
    char id[PROTOCOL_CODE_MAX];
    char name_en[PROTOCOL_NAME_MAX], name_fr[PROTOCOL_NAME_MAX];
    int sessions_per_day; /* on each full day of the stay (not admission, not discharge) */
    bool optional;        /* included only when the plan asks for it */
    int64_t price_cents;  /* per session */
} ancillary_programme;

typedef struct {
    char label[PROTOCOL_CODE_MAX]; /* "1 month" -> "m1" style ids: "month-1" */
    int months;                    /* after the last administration */
    int window_days;               /* +/- */
    char instruments[PROTOCOL_MAX_INSTRUMENTS][PROTOCOL_CODE_MAX];
    size_t n_instruments;
    /* instruments[j] is asked of patients with a condition under one of
     * for_indications[j] (ICD-10 prefixes, as indications match); with none,
     * of every patient (an EDSS for multiple sclerosis only, say) */
    char for_indications[PROTOCOL_MAX_INSTRUMENTS][PROTOCOL_MAX_INSTRUMENT_INDICATIONS]
                        [PROTOCOL_CODE_MAX];
    size_t n_for_indications[PROTOCOL_MAX_INSTRUMENTS];
    /* instruments[j] is asked of patients aged at least from_age_years[j] (0: from
     * birth) and under below_age_years[j] (0: no upper limit), in completed years
     * on the visit's target date: an observed pain scale below the age where
     * self-report is valid, the self-rated scale from that age */
    int from_age_years[PROTOCOL_MAX_INSTRUMENTS], below_age_years[PROTOCOL_MAX_INSTRUMENTS];
} follow_up_visit;

/* Screening subjects a rule can look at. */
typedef enum {
    RULE_EXCLUDE_IF_TRUE = 0, /* subject: cancer_history, pregnancy, active_infection */
    RULE_POSITIVE,            /* subject: a qualitative test (hiv, hbv, hcv, syphilis) */
    RULE_REQUIRED,            /* subject: a test or finding that must be present */
    RULE_RANGE,               /* subject: a numeric test; min/max in unit */
    RULE_FINDING_NORMAL,      /* subject: ecg, echocardiography, organ_function */
    RULE_RESULTS_CURRENT,     /* every result and finding at most days old */
    RULE_INJURY_ELAPSED,      /* injury date at most days ago, else outcome */
    RULE_INJURY_RECORDED,     /* injury date and level present */
    RULE_INDICATION,          /* a condition code matches an indication */
    RULE_AGE,                 /* age within min/max years */
    RULE_KIND_COUNT
} rule_kind;

typedef enum { OUTCOME_EXCLUDE = 0, OUTCOME_REVIEW, OUTCOME_FLAG } rule_outcome;

typedef struct {
    char id[PROTOCOL_CODE_MAX];
    rule_kind kind;
    rule_outcome outcome;
    char subject[PROTOCOL_CODE_MAX];
    char unit[16];
    bool has_min, has_max;
    double min, max;
    int days;
} protocol_rule;

typedef struct {
    int64_t stay_per_day;
    int64_t administration[PT_COUNT]; /* per administration of that product; 0: not priced */
    int64_t examinations;             /* pre-treatment work-up, once */
    int64_t range_min, range_max;     /* the programme's advertised price range */
    char currency[4];
} price_list;

typedef struct {
    char id[PROTOCOL_ID_MAX];
    int version;
    char name_en[PROTOCOL_NAME_MAX], name_fr[PROTOCOL_NAME_MAX];
    char indications[PROTOCOL_MAX_INDICATIONS][8]; /* ICD-10 prefixes: "S14", "J84.1" */
    size_t n_indications;
    unsigned products; /* bit (1u << product_type) */
    product_type default_product;
    unsigned routes;                       /* bit (1u << admin_route) */
    admin_route cycle[PROTOCOL_MAX_CYCLE]; /* administration i uses cycle[i % n_cycle] */
    size_t n_cycle;
    int admin_min, admin_max, admin_default;
    int spacing_hours[RT_COUNT]; /* between two administrations by this route */
    int gap_hours;               /* between any two administrations */
    int first_admin_day;         /* >= 2: day 1 is admission and work-up */
    int observe_days;            /* discharge at least this many days after the last one */
    int stay_min, stay_max;
    int lead_days_min, lead_days_max; /* autologous manufacturing, 0 when allogeneic */
    dose_rule dose;
    ancillary_programme ancillary[PROTOCOL_MAX_ANCILLARY];
    size_t n_ancillary;
    follow_up_visit follow_up[PROTOCOL_MAX_FOLLOW_UP];
    size_t n_follow_up;
    protocol_rule rules[PROTOCOL_MAX_RULES];
    size_t n_rules;
    price_list price;
} protocol;

/* "intravenous", "intrathecal", "local", "inhalation", "topical", "graft". */
const char *protocol_route_name(admin_route r);
bool protocol_route_parse(const char *name, admin_route *out);
/* "UC-MSC", "UCB-SC", "BM-MSC", "AD-MSC", "PL-MSC", "secretome". */
const char *protocol_product_name(product_type p);
bool protocol_product_parse(const char *name, product_type *out);
/* BM-MSC and AD-MSC are made from the patient's own cells. */
bool protocol_product_is_autologous(product_type p);
const char *protocol_rule_kind_name(rule_kind k);
bool protocol_rule_kind_parse(const char *name, rule_kind *out);
const char *protocol_outcome_name(rule_outcome o);
bool protocol_outcome_parse(const char *name, rule_outcome *out);

/* Protocol id: 1..31 of [a-z0-9-], starting with a letter. */
bool protocol_id_is_valid(const char *id);

/* Whole days a spacing in hours needs between two procedure days. */
int protocol_hours_to_days(int hours);

/* Age in completed years on day `on` of a person born on `birth` (a birthday
 * on 29 February is reached on 1 March in common years); -1 when birth is
 * after on. */
int protocol_age_on(cc_date birth, cc_date on);

/* Whether instrument j of visit v is asked of a patient aged age_years
 * (protocol_age_on at the visit's date); age_years < 0 (not known: a preview
 * without a patient) lists every instrument. */
bool protocol_instrument_for_age(const follow_up_visit *v, size_t j, int age_years);

/* Checks every invariant listed above. */
cc_status protocol_check(const protocol *p, cc_error *err);

#endif
