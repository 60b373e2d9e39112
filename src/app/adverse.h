/*
 * app/adverse: adverse events (H9): report one, correct it, the physician's
 * signed assessment, a regulatory report sent, and the event as shown with
 * the state of each reporting deadline.
 *
 * Report and update check the values with core/adverse (term and grade,
 * instants in order and not in the future, relatedness, expectedness,
 * action, outcome, death marked for grade 5 or a fatal outcome), then,
 * inside the write transaction, read the clinic's deadline rules (and, for
 * an update, the stored event), ask core for the reporting deadlines and
 * write the event with them and its audit entry. Awareness (aware_at) is the
 * instant the clinic learned of the event: given, else now on report and the
 * stored instant on update (it never moves by itself).
 *
 * The assessment's signature is checked by the caller before the call.
 *
 * Errors: CC_INVALID naming the field, CC_NOT_FOUND, CC_CONFLICT
 * ("stale_version", "already_reported"...), storage errors; nothing written
 * on any error. Memory: strings borrowed for the call; views are new jansson
 * references owned by the caller. Not thread-safe (one ctx each).
 */
#ifndef CC_APP_ADVERSE_H
#define CC_APP_ADVERSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "store/bedside.h"

/* f: the event as given; aware_at NULL when not given. *id: the new event. */
cc_status app_adverse_report(const app_ctx *c, const adverse_event_fields *f, int64_t *id,
                             cc_error *err);

typedef struct {
    bool has_version;   /* false: CC_INVALID "version_required" */
    int64_t version;    /* the version the change is based on */
    const char *reason; /* why an assessed event changes; NULL: none */
} app_adverse_change;

/* The patient of an event never changes (CC_INVALID "immutable"). */
cc_status app_adverse_update(const app_ctx *c, int64_t id, const adverse_event_fields *f,
                             const app_adverse_change *change, cc_error *err);

/* CC_NOT_FOUND unless the event exists: lets the caller answer 404 before
 * asking for a signature. */
cc_status app_adverse_require(const app_ctx *c, int64_t id, cc_error *err);

/* meaning NULL or empty: the standard statement. */
cc_status app_adverse_assess(const app_ctx *c, int64_t id, const char *meaning, cc_error *err);

/* kind: "initial", "expedited", "followup", "biovigilance_notification" or
 * "biovigilance_conclusion"; reported_at NULL: now; reference: the
 * authority's or the sender's reference of the report sent. */
cc_status app_adverse_mark_reported(const app_ctx *c, int64_t id, const char *kind,
                                    const char *reported_at, const char *reference, cc_error *err);

/* The event as shown: {"adverse_event": {...}, "deadlines": [...]} with
 * seriousness as criteria names and each deadline's state now. */
cc_status app_adverse_view(const app_ctx *c, int64_t id, json_t **view, cc_error *err);

/* Every deadline not yet reported with its state now:
 * {"now", "overdue", "due_soon", "deadlines": [...]}. */
cc_status app_adverse_deadlines_view(const app_ctx *c, json_t **view, cc_error *err);

#endif
