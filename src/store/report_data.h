/*
 * report_data: reads what the outcome report of one protocol needs (issue 7):
 * the cohort's patients (screened, signed decision, approved plan), their
 * follow-up visits, their observations (scores as stored JSON text), their
 * adverse events and administrations.
 *
 * Administrations (issue 5) are counted per plan from `administrations`
 * (every recorded administration, in progress or completed); adverse events
 * come from `adverse_events` (term text, else code; grade; serious; onset).
 *
 * Rows are allocated from the caller's arena; strings are arena copies.
 * Read-only; the caller holds a read transaction for a consistent snapshot.
 */
#ifndef CC_STORE_REPORT_DATA_H
#define CC_STORE_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

typedef struct {
    int64_t id;
    bool screened, eligible, synthetic;
    char *screened_on;       /* first screening's evaluation date, or NULL */
    int64_t plan_id;         /* newest approved plan of the protocol, 0 when none */
    char *start_date;        /* its start, or NULL */
    int64_t administrations; /* recorded under plan_id */
} report_patient_row;

typedef struct {
    int64_t patient_id, plan_id;
    int months;
    char *label, *status, *target_date, *window_start, *window_end;
} report_visit_row;

typedef struct {
    int64_t patient_id;
    char *instrument, *observed_on, *scores;
} report_observation_row;

typedef struct {
    int64_t patient_id;
    char *term, *onset;
    int grade;
    bool serious;
} report_ae_row_data;

typedef struct {
    report_patient_row *patients;
    size_t n_patients;
    report_visit_row *visits;
    size_t n_visits;
    report_observation_row *observations;
    size_t n_observations;
    report_ae_row_data *aes;
    size_t n_aes;
    bool ae_available;
    const char *administrations_source; /* "administrations" or "unit_administrations" */
} report_data;

/* Loads the data of protocol's cohort (every patient screened for it or with
 * an approved plan of it; the caller filters by period). */
cc_status report_store_load(db *d, arena *a, const char *protocol, report_data *out, cc_error *err);

#endif
