/*
 * vitals: vital signs taken around an administration, the limits that make
 * one abnormal (configurable per site), and the post-procedure observation
 * tasks an administration generates.
 *
 * Units and plausible ranges (outside them a value is a typing error,
 * CC_INVALID naming the field):
 *   systolic, diastolic  mmHg, 30..300 and 10..200, diastolic < systolic
 *   heart_rate           beats/min, 20..300
 *   spo2                 %, 50..100
 *   temperature          tenths of a degree Celsius, 300..450 (30.0..45.0 C)
 *   respiratory_rate     breaths/min, 4..80
 * A sign not measured is absent (has_* false); at least one must be given.
 *
 * Abnormal (vitals_abnormal): a value strictly below low or strictly above
 * high (temperature: at or above fever, 38.0 C by default, following the
 * CTCAE v5.0 fever grade 1 threshold). Default limits (vitals_default_limits)
 * are the adult early-warning bounds most wards use; they are a starting
 * point the site changes, not clinical advice:
 *   systolic 90..180, diastolic 50..110, heart rate 50..120, SpO2 >= 92,
 *   temperature 35.0 .. < 38.0, respiratory rate 10..24.
 * An abnormal value prompts an adverse-event report (the API says so); it
 * does not create one. A rise over the patient's own baseline after a
 * spinal cord injury at T6 or above is judged by core/dysreflexia.
 *
 * Observation tasks (obs_plan_generate): from the end of an administration,
 *   vital signs every 15 minutes for the first hour (15, 30, 45, 60 min),
 *   then hourly for 4 hours (2, 3, 4, 5 h);
 *   after an intrathecal administration (lumbar puncture) also: a
 *   neurological check (motor and sensory level, new deficit, bladder) at 1,
 *   2, 6 and 24 hours, with the headache and puncture-site checks at 2, 6
 *   (headache) and 24 hours. The neurological check comes first at 1 hour,
 *   with the last quarter-hourly vital signs, because a spinal haematoma or
 *   a reaction to the product shows as a new deficit early.
 *   Lying flat is the site's choice (limits.lie_flat_minutes, 0 by default:
 *   no task): bed rest after a lumbar puncture does not prevent post-dural
 *   puncture headache (Arevalo-Rodriguez I et al., Posture and fluids for
 *   preventing post-dural puncture headache, Cochrane Database Syst Rev
 *   2016;3:CD009199, doi:10.1002/14651858.CD009199.pub3: bed rest versus
 *   early mobilisation, no reduction of PDPH). A site that keeps it sets the
 *   minutes; the task is then due when the bed rest ends.
 * A protocol may give its own schedule as a table of obs_step rows
 * (obs_plan_generate_from). Tasks come out in due order.
 *
 * Pure, no allocation, thread-safe. Messages are in English and French.
 */
#ifndef CC_VITALS_H
#define CC_VITALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    bool has_systolic, has_diastolic, has_heart_rate, has_spo2, has_temperature,
        has_respiratory_rate;
    int systolic, diastolic, heart_rate, spo2;
    int temperature_dc; /* tenths of a degree Celsius */
    int respiratory_rate;
} vitals;

typedef struct {
    int systolic_low, systolic_high;
    int diastolic_low, diastolic_high;
    int heart_rate_low, heart_rate_high;
    int spo2_low;
    int temperature_low_dc, fever_dc; /* abnormal below low, and at or above fever */
    int respiratory_rate_low, respiratory_rate_high;
    int lie_flat_minutes; /* site's choice after a lumbar puncture, 0..1440; 0: none */
} vitals_limits;

enum { VITALS_MAX_FINDINGS = 12, VITALS_TEXT = 160 };

typedef struct {
    char code[32];  /* "temperature_high", "spo2_low", ... */
    char field[24]; /* "temperature", ... */
    char en[VITALS_TEXT], fr[VITALS_TEXT];
} vitals_finding;

void vitals_default_limits(vitals_limits *out);
/* Limits must be ordered (low < high, 0 < values), lie_flat_minutes 0..1440;
 * CC_INVALID naming the first bad one. */
cc_status vitals_check_limits(const vitals_limits *l, cc_error *err);
/* Plausibility of the values given (ranges above). */
cc_status vitals_check(const vitals *v, cc_error *err);
/* Writes the abnormal findings (at most VITALS_MAX_FINDINGS) and returns how many. */
size_t vitals_abnormal(const vitals *v, const vitals_limits *l, vitals_finding *out);

typedef enum {
    OBS_VITALS = 0,
    OBS_LIE_FLAT,
    OBS_HEADACHE_CHECK,
    OBS_SITE_CHECK,
    OBS_NEURO_CHECK,
    OBS_KIND_COUNT
} obs_kind;

typedef struct {
    obs_kind kind;
    int minutes; /* after the end of the administration */
} obs_step;

enum { OBS_MAX_TASKS = 32 };

typedef struct {
    obs_kind kind;
    int64_t due_at; /* seconds */
} obs_task;

/* "vitals", "lie_flat", "headache_check", "site_check", "neuro_check"; "?" out of range. */
const char *obs_kind_name(obs_kind k);
bool obs_kind_parse(const char *name, obs_kind *out);
/* The default schedule for a route ("intrathecal" adds the lumbar-puncture
 * tasks, and a lie-flat task when lie_flat_minutes > 0). */
size_t obs_plan_generate(const char *route, int64_t ended_at, int lie_flat_minutes, obs_task *out,
                         size_t cap);
/* A schedule given as steps; returns the number of tasks written (sorted by due time). */
size_t obs_plan_generate_from(const obs_step *steps, size_t n, int64_t ended_at, obs_task *out,
                              size_t cap);

#endif
