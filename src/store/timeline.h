/*
 * timeline (store): one patient's stay as a list of dated events, read by
 * one statement (so within one snapshot: the parts agree): screenings (evaluated on), plans
 * (approved, else made), administrations (started at, with the DIN of each unit
 * given), vital signs (taken at), adverse events (onset), observations with
 * their scores (observed on, with the follow-up visit whose window holds
 * them) and follow-up visits (target date).
 *
 * patient_timeline_json appends {"patient_id", "events": [{"at", "kind",
 * "id", "detail": {...}}]} in date order ("at" is a date YYYY-MM-DD or a
 * UTC instant; within a day: in the order above, then by time). An
 * observation's visit is the one whose link it answered, else the one whose
 * window holds it. Unknown patient: CC_NOT_FOUND
 * field "id". The buffer belongs to the caller. Not thread-safe.
 */
#ifndef CC_STORE_TIMELINE_H
#define CC_STORE_TIMELINE_H

#include <stdint.h>

#include "core/buf.h"
#include "store/db.h"

cc_status patient_timeline_json(db *d, int64_t patient_id, buf *out, cc_error *err);

#endif
