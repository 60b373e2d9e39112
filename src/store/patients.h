/*
 * patients: patient records, their dated weights and their conditions.
 *
 * Values are validated by core/patient before they reach this module; this
 * module enforces what needs the database: unique generated MRNs, the
 * duplicate warning (H8), optimistic versions, and one audit entry per
 * change in the same transaction.
 *
 * Ownership: records and their strings are allocated from the caller's arena.
 */
#ifndef CC_PATIENTS_H
#define CC_PATIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/patient.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    char *date;
    int grams;
} patient_weight;

typedef struct {
    int64_t id;
    char *icd10, *label, *onset_date; /* onset_date NULL when unknown */
    char *details_json;               /* JSON object text */
} patient_condition;

typedef struct {
    int64_t id;
    char *mrn, *family_name, *given_names, *birth_date, *sex, *language;
    char *email, *phone, *address, *created_at, *updated_at;
    bool synthetic;
    int64_t version;
    patient_weight *weights; /* newest first */
    size_t n_weights;
    patient_condition *conditions;
    size_t n_conditions;
} patient_record;

typedef struct {
    int64_t ids[8];
    size_t n;
} patient_matches;

/* Creates a patient. Unless confirm_duplicate, a patient with the same folded
 * names and birth date makes it fail with CC_CONFLICT code
 * "possible_duplicate" and dup holds the matching ids. weight_grams > 0 also
 * records a weight dated today. */
cc_status patient_create(db *d, const store_actor *actor, const patient_fields *f, bool synthetic,
                         bool confirm_duplicate, int weight_grams, int64_t *id,
                         patient_matches *dup, cc_error *err);

/* Like patient_create but inside the caller's transaction (no begin/commit),
 * the patient belonging to site_id (patient_create: site 1). On an error
 * (a possible duplicate too) the caller rolls the transaction back: a record
 * number may have been taken in it. */
cc_status patient_create_in_tx(db *d, const store_actor *actor, const patient_fields *f,
                               int64_t site_id, bool synthetic, bool confirm_duplicate,
                               int weight_grams, int64_t *id, patient_matches *dup, cc_error *err);

cc_status patient_get(db *d, arena *a, int64_t id, bool with_children, patient_record *out,
                      cc_error *err);

/* Applies the given fields when the stored version equals expected_version:
 * CC_NOT_FOUND, or CC_CONFLICT code "version_conflict" when it moved. The
 * reason goes into the audit entry. */
cc_status patient_update(db *d, const store_actor *actor, int64_t id, int64_t expected_version,
                         const patient_fields *f, const char *reason, cc_error *err);

cc_status patient_add_weight(db *d, const store_actor *actor, int64_t id, const char *date,
                             int grams, int64_t *weight_id, cc_error *err);

cc_status patient_add_condition(db *d, const store_actor *actor, int64_t id, const char *icd10,
                                const char *label, const char *onset_date, const char *details_json,
                                int64_t *condition_id, cc_error *err);

cc_status patient_add_condition_in_tx(db *d, const store_actor *actor, int64_t id,
                                      const char *icd10, const char *label, const char *onset_date,
                                      const char *details_json, int64_t *condition_id,
                                      cc_error *err);

typedef enum {
    PATIENT_SORT_FAMILY_NAME,
    PATIENT_SORT_GIVEN_NAMES,
    PATIENT_SORT_BIRTH_DATE,
    PATIENT_SORT_MRN,
    PATIENT_SORT_CREATED_AT,
    PATIENT_SORT_COUNT
} patient_sort;

typedef struct {
    const char *q; /* free text; matched word by word against the folded key */
    patient_sort sort;
    bool descending;
    int64_t page, per_page;
    int64_t site_id; /* only this site's patients */
} patient_query;

/* The API's JSON of one patient, weights (newest first) and conditions
 * included, rendered by the database into out; *version receives the
 * record's version. CC_NOT_FOUND when there is no such patient. */
cc_status patient_render(db *d, int64_t id, buf *out, int64_t *version, cc_error *err);
/* As patient_render for a reader of one site: another site's patient is
 * CC_NOT_FOUND with the very error of a missing one, and nothing of it is
 * appended (the site check and the read are one statement). */
/* Queues the statements of a patient's render (db_prefetch; a hint, nothing
 * on SQLite): they go with the transaction's next statement, and a render of
 * that id in the same transaction reads their rows. */
void patient_render_prefetch(db *d, int64_t id);
cc_status patient_render_at_site(db *d, int64_t id, int64_t site_id, buf *out, int64_t *version,
                                 cc_error *err);

/* The JSON array of a search page (list items: no weights or conditions). */
cc_status patient_search_render(db *d, const patient_query *q, buf *items, int64_t *total,
                                cc_error *err);

/* Who a patient is and nothing more (id, mrn, family_name, given_names), for
 * pickers and roles that may not read the chart: a page of the patients
 * whose folded search key holds every word of q (MRN, names, birth date). */
cc_status patient_names_render(db *d, int64_t site_id, const char *q, int64_t page,
                               int64_t per_page, buf *items, int64_t *total, cc_error *err);

/* The id of site_id's patient with this MRN (exact text, never a row
 * number); CC_NOT_FOUND naming "patient_mrn" when none, the same for
 * another site's patient. */
cc_status patient_id_by_mrn(db *d, int64_t site_id, const char *mrn, int64_t *id, cc_error *err);

/* The rows that link a patient to a unit (units given, donor records), in
 * the caller's transaction; CC_NOT_FOUND when there is no such patient. */
cc_status patient_trace_links_get(db *d, int64_t id, patient_trace_links *out, cc_error *err);

/* Records an erasure request and its refusal (code) in the audit trail
 * (action "erasure_request" on the patient, the requester's reason), in the
 * caller's transaction. Nothing else is written. */
cc_status patient_erasure_request_record(db *d, const store_actor *actor, int64_t id,
                                         const char *reason, const char *refusal, cc_error *err);

#endif
