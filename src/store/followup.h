/*
 * followup (store): follow-up visit rows, contact attempts, patient
 * questionnaire links and the lost-to-follow-up threshold.
 *
 * Visits are generated from an approved plan's follow-up schedule
 * (followup_store_sync): missing visits are inserted, scheduled visits whose
 * dates changed are re-dated, resolved visits never change. Every mutation
 * and its audit entry (entity "followup_visit" or "questionnaire_link")
 * commit in one transaction. The state rules (which status may follow which,
 * what a resolution needs) are core/followup.h; the store re-checks the
 * current status inside its transaction so two racing resolutions cannot
 * both succeed (CC_CONFLICT "already_resolved").
 *
 * Questionnaire links: the store keeps only the SHA-256 of the token (hex);
 * the caller generates the token and never stores it.
 *
 * JSON renderings are appended to the caller's buf (sql_rows_json shapes).
 * Not thread-safe (one db per thread).
 */
#ifndef CC_STORE_FOLLOWUP_H
#define CC_STORE_FOLLOWUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/followup.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/observations.h"

typedef struct {
    const char *label; /* "month-3" */
    int months;
    const char *target_date, *window_start, *window_end; /* YYYY-MM-DD */
    const char *instruments_json;                        /* ["isncsci",...] */
} followup_spec;

/* The columns a visit row takes from its plan and its spec, and the same
 * values as SQL arguments in this order: the start of every insert of a
 * visit (the arguments point into protocol_id and f). */
#define FOLLOWUP_VISIT_COLUMNS                                                                     \
    "plan_id, patient_id, protocol_id, seq, label, months, target_date, window_start,"             \
    " window_end, instruments"
enum { FOLLOWUP_VISIT_ARGS = 10 };
void followup_visit_args(int64_t plan_id, int64_t patient_id, const char *protocol_id, int64_t seq,
                         const followup_spec *f, sql_arg out[FOLLOWUP_VISIT_ARGS]);

/* Creates or re-dates the visits of plan plan_id. CC_CONFLICT "wrong_state"
 * when the plan was never approved or is cancelled (plan_state_has_followup);
 * CC_NOT_FOUND without plan. */
cc_status followup_store_sync(db *d, const store_actor *actor, int64_t plan_id,
                              const followup_spec *specs, int n, int *created, int *redated,
                              cc_error *err);

/* Visits of site_id's patients as a JSON array with the patient's contact
 * details, ordered by window_start: only scheduled ones whose window starts
 * on or before until (NULL: any) when open_only; patient_id 0: all the
 * site's patients. */
cc_status followup_store_list(db *d, int64_t site_id, bool open_only, const char *until,
                              int64_t patient_id, buf *out, cc_error *err);

/* One visit (JSON object with patient details, contacts and links without
 * token hashes); CC_NOT_FOUND when absent. */
cc_status followup_store_get_json(db *d, int64_t id, buf *out, cc_error *err);

typedef struct {
    int64_t id, plan_id, patient_id;
    followup_status status;
    char window_start[CC_DATE_TEXT], window_end[CC_DATE_TEXT];
    char language[4];
    int failed_contacts;
} followup_visit_brief;

cc_status followup_store_brief(db *d, int64_t id, followup_visit_brief *out, cc_error *err);

typedef struct {
    followup_status to;
    const char *reason, *died_on, *cause; /* "" or NULL when absent */
} followup_store_resolution;

/* Resolves a visit; withdrawn and died also close the same plan's later
 * scheduled visits (each with its audit entry). *closed counts those. */
cc_status followup_store_resolve(db *d, const store_actor *actor, int64_t id,
                                 const followup_store_resolution *r, int *closed, cc_error *err);

/* Records a contact attempt; a failed attempt increments failed_contacts and,
 * when that reaches the threshold, resolves the visit as lost (*became_lost). */
cc_status followup_store_contact(db *d, const store_actor *actor, int64_t id, const char *channel,
                                 const char *outcome, const char *note, bool failed,
                                 bool *became_lost, cc_error *err);

cc_status followup_store_lost_threshold(db *d, int *out, cc_error *err);
cc_status followup_store_set_lost_threshold(db *d, const store_actor *actor, int value,
                                            cc_error *err);

/* ---- questionnaire links ---- */

typedef struct {
    int64_t id, visit_id, patient_id, observation_id;
    char instrument[41], language[4], expires_at[CC_INSTANT_TEXT], window_end[CC_DATE_TEXT];
    char visit_status[16], visit_label[32];
    bool used;
    char *draft; /* malloc'd JSON text; free with free() */
} questionnaire_link;

cc_status questionnaire_store_create(db *d, const store_actor *actor, int64_t visit_id,
                                     int64_t patient_id, const char *instrument,
                                     const char *language, const char *token_hash,
                                     const char *expires_at, int64_t *id, cc_error *err);
/* By token hash; CC_NOT_FOUND "unknown_link". */
cc_status questionnaire_store_find(db *d, const char *token_hash, questionnaire_link *out,
                                   cc_error *err);
void questionnaire_link_release(questionnaire_link *l);
/* Saves the draft answers of an unused link (no audit: nothing recorded yet). */
cc_status questionnaire_store_save_draft(db *d, int64_t id, const char *draft_json, cc_error *err);
/* Stores the answers as an observation with source "patient" and marks the
 * link used, in one transaction; CC_CONFLICT "link_used" when it was used
 * meanwhile. */
cc_status questionnaire_store_submit(db *d, int64_t id, const observation_fields *obs,
                                     int64_t *observation_id, cc_error *err);

/* SHA-256 of a token as 64 hex characters. */
void questionnaire_token_hash(const char *token, char out[65]);
/* A new random token: 32 bytes from libsodium, URL-safe base64 (43 chars). */
void questionnaire_token_new(char out[48]);

#endif
