/*
 * protocol_json: the JSON form of a protocol version (the files in src/protocols,
 * POST /api/v1/protocols) to and from core/protocol, and the JSON form of a
 * plan with its dose and quote (CLI `plan --json`, /api/v1/plans).
 *
 * Parsing is strict: unknown keys, wrong types, missing required keys and
 * values out of range are refused with CC_INVALID naming the field as a path
 * ("dose.course_min", "rules[3].kind"); the result then passes
 * protocol_check. The "sources" object (where each number comes from) is
 * free text and is kept only in the stored JSON.
 *
 * Ownership: returned json_t values are new references (caller decrefs or
 * hands them to api_reply). Thread-safe.
 */
#ifndef CC_PROTOCOL_JSON_H
#define CC_PROTOCOL_JSON_H

#include <jansson.h>

#include "core/dose.h"
#include "core/planner.h"
#include "core/protocol.h"
#include "core/quote.h"
#include "core/status.h"

cc_status protocol_from_json(const json_t *o, protocol *out, cc_error *err);
cc_status protocol_from_text(const char *text, protocol *out, cc_error *err);

/* The summary used in lists: {"id","version","name":{"en","fr"},...}. */
json_t *protocol_summary_json(const protocol *p);

/* The plan document: protocol, version, start, end, stay_days,
 * administrations [{n,date,day,route,product,cells}], total_cells,
 * ancillary, follow_up [{label,date,window_start,window_end,instruments}],
 * quote. A follow-up instrument the protocol gives for some indications
 * only is listed when one of the patient's conditions (ICD-10 codes) falls
 * under them; conditions NULL (no patient: a preview) lists every one. An
 * instrument the protocol gives for some ages only is listed at a visit when
 * the patient's age on the visit's date (birth_date "YYYY-MM-DD", core
 * protocol_age_on) lies in them; birth_date NULL or unreadable lists every
 * one. */
json_t *plan_to_json(const protocol *p, const plan *pl, const dose_result *dose, const quote *q,
                     const char *const *conditions, size_t n_conditions, const char *birth_date);

/* Reads back the plan part of plan_to_json (stored plans) for re-checks. */
cc_status plan_from_json(const json_t *o, const protocol *p, plan *out, cc_error *err);

#endif
