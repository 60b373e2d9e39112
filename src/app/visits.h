/*
 * app/visits: what happens at a follow-up visit once it exists: resolving it
 * (done, missed, withdrawn, lost, died; H10), recording a contact attempt,
 * and recording an outcome observation for a patient.
 *
 * Resolve: the values are checked, then inside the write transaction the
 * visit's current status is read and core/followup decides whether the
 * resolution is allowed (CC_CONFLICT "already_resolved" when it was resolved
 * meanwhile); withdrawn and died also close the plan's later visits.
 * Contact: a failed attempt counts towards the lost-to-follow-up threshold;
 * reaching it resolves the visit as lost in the same transaction.
 * Observation: the use case checks the date (not in the future) and the
 * source, scores the answers with the instrument (ISNCSCI classification or
 * a questionnaire), and stores answers, scores and their numeric measures
 * with the audit entry.
 *
 * Questionnaire links: a random single-purpose token for one questionnaire
 * the protocol names at a scheduled visit, valid for 1..60 days (14 by
 * default); only its hash is stored. The patient's page opens the link
 * (unknown: CC_NOT_FOUND "unknown_link"; used, expired, or its visit closed:
 * CC_CONFLICT "link_used", "link_expired", "link_closed"), saves drafts and
 * submits once; each change re-checks the link inside its transaction.
 * A link is made only once the administrator has set the clinic's public
 * base URL (read inside the link's transaction; unset: CC_CONFLICT
 * "public_base_url_not_configured"): the patient never gets the address of
 * a staff browser.
 * The lost-to-follow-up threshold is 1..FOLLOWUP_LOST_MAX failed contacts.
 *
 * Errors: CC_INVALID naming the field, CC_NOT_FOUND, CC_CONFLICT, storage
 * errors; nothing written on any error. Strings are borrowed for the call.
 * Not thread-safe (one ctx each).
 */
#ifndef CC_APP_VISITS_H
#define CC_APP_VISITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/date.h"
#include "store/sites.h"
#include "store/followup.h"
#include "store/observations.h"

/* status: "done", "missed", "withdrawn", "lost" or "died"; reason, died_on
 * (YYYY-MM-DD) and cause NULL or "" when not given. *closed counts the later
 * visits closed with it. */
cc_status app_visit_resolve(const app_ctx *c, int64_t id, const char *status, const char *reason,
                            const char *died_on, const char *cause, int *closed, cc_error *err);

/* channel: phone, email, sms, letter or in_person; outcome: reached,
 * no_answer, wrong_number, message_left or refused; note NULL or "" when none. */
cc_status app_visit_contact(const app_ctx *c, int64_t id, const char *channel, const char *outcome,
                            const char *note, bool *became_lost, cc_error *err);

typedef struct {
    const char *instrument; /* "isncsci" or a questionnaire of core/instruments */
    const char *version;    /* NULL: the current version */
    const char *date;       /* "YYYY-MM-DD", not after today */
    const char *source;     /* "clinician" or "patient" */
    const json_t *answers;  /* the raw answers (an object), borrowed */
} app_observation_new;

/* What was recorded: the version scored with and the scores (released with
 * the ctx's arena). */
typedef struct {
    int64_t id;
    const char *version;
    json_t *scores;
} app_observation_made;

/* Checks the date and source, scores the answers (CC_INVALID naming the
 * answer), and stores answers, scores and measures with the audit entry. */
cc_status app_observation_create(const app_ctx *c, int64_t patient_id, const app_observation_new *n,
                                 app_observation_made *out, cc_error *err);

/* The link's token (given to the patient once, never stored) and what the
 * reply shows. */
typedef struct {
    int64_t id;
    char token[48];
    char expires_at[CC_INSTANT_TEXT];
    char language[4];
    site_identity site; /* the site's name and public base URL, read with the link */
} app_questionnaire_link;

/* days NULL: the default. The caller wipes out->token once it has answered. */
cc_status app_questionnaire_link_create(const app_ctx *c, int64_t visit_id, const char *instrument,
                                        const int64_t *days, app_questionnaire_link *out,
                                        cc_error *err);

/* The open link of a token; out->draft is freed with the ctx's arena. */
cc_status app_questionnaire_open(const app_ctx *c, const char *token, questionnaire_link *out,
                                 cc_error *err);

/* answers_json: the answers so far, a JSON object as text. */
cc_status app_questionnaire_save_draft(const app_ctx *c, const char *token,
                                       const char *answers_json, cc_error *err);

/* Scores the answers with the link's questionnaire and stores them, dated
 * today (*date), as an observation with source "patient"; the link is used. */
cc_status app_questionnaire_submit(const app_ctx *c, const char *token, const json_t *answers,
                                   int64_t *observation_id, char date[CC_DATE_TEXT], cc_error *err);

/* Adds the worklist "state" (core followup_state_of on day today) and
 * "days_overdue" to a visit object of followup_store_list. */
void app_visit_add_state(json_t *visit, cc_date today);

typedef struct {
    const char *state;  /* NULL or "open" (due, in window, overdue), "all", or one state */
    int64_t patient_id; /* 0: every patient */
    int64_t page, per_page;
} app_worklist_query;

/* The follow-up worklist: {"items", "page", "per_page", "total", "today",
 * "counts" (visits per state among those read)}; CC_INVALID "state" for an
 * unknown state. *reply is a new reference. */
cc_status app_visit_worklist(const app_ctx *c, const app_worklist_query *q, json_t **reply,
                             cc_error *err);

/* One visit with its patient, contacts and links, its state today and the
 * lost-to-follow-up threshold; *version is the visit's version. *reply is a
 * new reference. */
cc_status app_visit_view(const app_ctx *c, int64_t id, json_t **reply, int64_t *version,
                         cc_error *err);

cc_status app_visit_set_lost_threshold(const app_ctx *c, int64_t failed_contacts, cc_error *err);

#endif
