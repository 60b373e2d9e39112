/*
 * store/bedside: persistence of the bedside work: administration
 * records and the units they used, vital signs, post-procedure observation
 * tasks, adverse events with their links and reporting deadlines, and the
 * site's bedside settings (vital-sign limits, reporting rules).
 *
 * Decisions belong to core (bedside_verify, vitals, adverse); this module
 * gathers the facts core needs from the database (units by DIN, the last
 * lumbar puncture, whether a planned administration is already recorded)
 * and writes each change with its audit entry in one transaction.
 *
 * Invariants kept by the schema as well as by the code: one record per
 * planned administration (plan_ref UNIQUE) and one administration per unit
 * (administration_units.unit_id UNIQUE) (H12); a unit moves to administered
 * only through lab_unit_administer_in_tx (state machine, custody, lookback).
 *
 * Instants are "YYYY-MM-DDThh:mm:ssZ" text. Text arguments are borrowed.
 * Read views are JSON text in the caller's buf. Errors: CC_NOT_FOUND naming
 * the id field, CC_CONFLICT with a stable code, CC_STORAGE from the database.
 * Not thread-safe (one db per thread).
 */
#ifndef CC_STORE_BEDSIDE_H
#define CC_STORE_BEDSIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/adverse.h"
#include "core/bedside.h"
#include "core/buf.h"
#include "core/vitals.h"
#include "store/audit.h"
#include "store/db.h"

/* A unit found by its 13 DIN data characters, with text kept alive here. */
typedef struct {
    bedside_unit u;
    int64_t version;
    char product_type[16];
    char reserved_for[BEDSIDE_REF_MAX];
    char ward[104];
    double volume_ml;
} bedside_unit_row;

/* Fills row with site_id's unit of that DIN, made there or shipped to it
 * (row->u.found false when none: another site's unit reads as unknown). */
cc_status bedside_find_unit(db *d, int64_t site_id, const char *din_data, bool volume_dose,
                            bedside_unit_row *row, cc_error *err);
/* Start of the patient's latest intrathecal administration (seconds), 0 when none. */
cc_status bedside_last_lp(db *d, int64_t patient_id, int64_t *at, cc_error *err);
/* Id of the record of a planned administration, 0 when none. */
cc_status bedside_item_record(db *d, const char *plan_ref, int64_t *id, cc_error *err);
/* How many planned administrations of a plan have a record. */
cc_status bedside_plan_given_count(db *d, int64_t plan_id, int64_t *n, cc_error *err);

typedef struct {
    int64_t patient_id, plan_id;
    int plan_item;
    const char *plan_ref, *planned_date, *route, *site, *product_type, *dose_unit;
    uint64_t prescribed, actual;
    int weight_g;
    const char *weight_date;
    const char *started_at;
    int64_t operator_id;
    const char *operator_name;
    int64_t second_id; /* 0 none */
    const char *second_name;
    const char *override_reason; /* "" none */
    const char *premedication, *notes, *operators;
    const bedside_unit_row *units;
    size_t n_units;
} administration_new;

/* Records the administration and moves every unit to administered (each at
 * the version it was checked at). CC_CONFLICT "item_already_given" when the
 * planned administration has a record. */
cc_status administration_create(db *d, const store_actor *actor, const administration_new *n,
                                cc_date today, int64_t *id, cc_error *err);

/* Ends an administration (status in_progress -> completed) with its
 * observation tasks. CC_CONFLICT "wrong_state" when already completed. */
cc_status administration_complete(db *d, const store_actor *actor, int64_t id, const char *ended_at,
                                  const char *premedication, const char *notes,
                                  const char *operators, const obs_task *tasks, size_t n_tasks,
                                  cc_error *err);
cc_status administration_json(db *d, int64_t id, buf *out, cc_error *err);
/* patient_id 0: every patient. */
cc_status administration_list_json(db *d, int64_t site_id, int64_t patient_id, int64_t page,
                                   int64_t per_page, buf *out, int64_t *total, cc_error *err);
/* Patient, route and status of an administration (for vital signs and tasks). */
cc_status administration_head(db *d, int64_t id, int64_t *patient_id, char route[16],
                              char status[16], cc_error *err);
/* The administrations recorded for plan_id: items[k] the planned item, days[k]
 * the UTC date it started; at most max, *n receives the count. */
cc_status bedside_plan_given(db *d, int64_t plan_id, int *items, cc_date *days, size_t max,
                             size_t *n, cc_error *err);
/* Plan refs recorded for a plan, as a JSON object {"plan:1:2": administration id}. */
cc_status administration_refs_json(db *d, int64_t plan_id, buf *out, cc_error *err);

/* Units reserved for a planned administration, as a JSON array (worklist). */
cc_status bedside_units_for_ref_json(db *d, const char *plan_ref, buf *out, cc_error *err);

enum { BEDSIDE_WARD_MAX = 104 };
/* The ward a plan's patient is on: where the newest unit issued for one of
 * its planned administrations went ("" when none was issued yet). The stay
 * has no ward of its own; the lab's issue is the one record naming it. */
cc_status bedside_plan_ward(db *d, int64_t plan_id, char ward[BEDSIDE_WARD_MAX], cc_error *err);
/* Every ward site_id's units were issued to, as a JSON array of
 * {"ward","synthetic"}, sorted; synthetic 1 for a demonstration ward: every
 * unit issued to it went to a synthetic patient. */
cc_status bedside_wards_json(db *d, int64_t site_id, buf *out, cc_error *err);
/* Whether ward is a demonstration ward of site_id (false for an unknown ward). */
cc_status bedside_ward_synthetic(db *d, int64_t site_id, const char *ward, bool *synthetic,
                                 cc_error *err);

/* Vital signs; abnormal_json is the findings array text. */
cc_status vitals_store_add(db *d, const store_actor *actor, int64_t administration_id,
                           int64_t patient_id, const char *phase, const char *taken_at,
                           const vitals *v, const char *abnormal_json, int64_t *id, cc_error *err);

/* The patient's systolic baseline for a reading taken at taken_at (instant
 * text): the latest systolic recorded for the patient before the day of
 * taken_at begins (UTC), from any administration; when there is none (first
 * day), the first "before" reading of this administration. *has false when
 * neither exists. Readings on the day of the procedure are not resting
 * values: a rise during the day must not move its own baseline. */
cc_status vitals_baseline_systolic(db *d, int64_t patient_id, int64_t administration_id,
                                   const char *taken_at, bool *has, int *systolic, cc_error *err);

cc_status observation_task_done(db *d, const store_actor *actor, int64_t administration_id,
                                int64_t task_id, const char *note, cc_error *err);
/* Tasks not done and due before until (every patient of site_id), oldest
 * first, with the patient's names, MRN and synthetic mark and the
 * administration's plan. */
cc_status observation_tasks_open_json(db *d, int64_t site_id, const char *until, buf *out,
                                      cc_error *err);

/* ---- settings ---- */
/* Every bedside setting: X(struct, field) for each vitals_limits and
 * adverse_rules field stored by name (the name is the field's), one a
 * line: clang-format 14 reflows a packed table differently on each run. */
#define BEDSIDE_SETTINGS(X)                                                                        \
    X(limits, systolic_low)                                                                        \
    X(limits, systolic_high)                                                                       \
    X(limits, diastolic_low)                                                                       \
    X(limits, diastolic_high)                                                                      \
    X(limits, heart_rate_low)                                                                      \
    X(limits, heart_rate_high)                                                                     \
    X(limits, spo2_low)                                                                            \
    X(limits, temperature_low_dc)                                                                  \
    X(limits, fever_dc)                                                                            \
    X(limits, respiratory_rate_low)                                                                \
    X(limits, respiratory_rate_high)                                                               \
    X(limits, lie_flat_minutes)                                                                    \
    X(rules, initial_hours)                                                                        \
    X(rules, fatal_days)                                                                           \
    X(rules, followup_days)                                                                        \
    X(rules, other_days)                                                                           \
    X(rules, due_soon_hours)                                                                       \
    X(rules, bv_notify_hours)                                                                      \
    X(rules, bv_conclusion_days)
cc_status bedside_settings_load(db *d, vitals_limits *limits, adverse_rules *rules, cc_error *err);
/* Stores every value of both (own transaction, audited). */
cc_status bedside_settings_save(db *d, const store_actor *actor, const vitals_limits *limits,
                                const adverse_rules *rules, cc_error *err);

/* ---- adverse events ---- */
typedef struct {
    int64_t patient_id;
    const char *term_source, *term_code, *term_text;
    int grade;
    const char *onset_at, *resolved_at, *aware_at; /* resolved_at NULL: not resolved */
    unsigned seriousness;
    const char *related_product, *related_procedure, *expectedness, *action, *outcome, *description;
    const int64_t *administration_ids;
    size_t n_administrations;
    const int64_t *unit_ids;
    size_t n_units;
} adverse_event_fields;

/* Creates an event and its deadlines (computed by the caller with core). */
cc_status adverse_event_create(db *d, const store_actor *actor, const adverse_event_fields *f,
                               const adverse_deadline *deadlines, size_t n_deadlines, int64_t *id,
                               cc_error *err);
/* Replaces the fields at expected_version; deadlines not yet reported are
 * replaced by the new set (reported ones stay). CC_CONFLICT "stale_version". */
cc_status adverse_event_update(db *d, const store_actor *actor, int64_t id,
                               int64_t expected_version, const adverse_event_fields *f,
                               const adverse_deadline *deadlines, size_t n_deadlines,
                               const char *reason, cc_error *err);
/* The stored fields of an event (text into the arena-free fixed struct below). */
typedef struct {
    int64_t id, patient_id, version;
    char term_code[48], related_product[16], related_procedure[16], expectedness[16];
    unsigned seriousness;
    char aware_at[24], assessed_at[24];
} adverse_event_head;
cc_status adverse_event_head_get(db *d, int64_t id, adverse_event_head *out, cc_error *err);
/* Physician's signed assessment (the API checks the password). */
cc_status adverse_event_assess(db *d, const store_actor *actor, int64_t id, const char *meaning,
                               cc_error *err);
/* Marks one deadline reported. CC_NOT_FOUND "deadline" when the event has none of that kind;
 * CC_CONFLICT "already_reported". */
cc_status adverse_event_report(db *d, const store_actor *actor, int64_t id, const char *kind,
                               const char *reported_at, const char *reference, cc_error *err);
cc_status adverse_event_json(db *d, int64_t id, buf *out, cc_error *err);

typedef struct {
    int64_t site_id;    /* the events of this site's patients only */
    int64_t patient_id; /* 0 any */
    const char *term;   /* NULL any */
    int grade;          /* 0 any */
    int serious;        /* -1 any, 0, 1 */
    const char
        *related; /* NULL any; "related" = possible/probable/definite to product or procedure */
    const char *product_type; /* NULL any: through linked units */
    const char *batch;        /* NULL any: batch code of linked units */
    bool open_only;           /* only open events: not resolved (no resolved_at, and an
                                 outcome other than recovered, recovered with sequelae or
                                 fatal); these come soonest unreported deadline first, then
                                 newest onset. Reports still owed are adverse_deadlines' */
    int64_t page, per_page;   /* per_page 0: every row (CSV) */
} adverse_event_query;
cc_status adverse_event_list_json(db *d, const adverse_event_query *q, buf *out, int64_t *total,
                                  cc_error *err);
/* Every deadline not reported of site_id's patients' events, with its event
 * and patient, soonest first. */
cc_status adverse_deadlines_open_json(db *d, int64_t site_id, buf *out, cc_error *err);

#endif
