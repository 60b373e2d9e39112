/*
 * instruments_json: jansson adapters for the outcome instruments
 * (core/instruments.h).
 *
 * Score request body: {"version": "1" (optional), "answers": {item: value}}
 * where each value is a string (an option code such as "1+" or "daily", a
 * decimal number, or free text) or a JSON integer; a JSON real is accepted
 * only for number items (never for an ordinal grade). Unknown keys are
 * refused. Errors: CC_INVALID with err->field naming the item (or
 * "version", "answers", the unknown key); CC_NOT_FOUND for an unknown
 * instrument (field "instrument").
 *
 * Score response: {"instrument": id, "version": v, "scores": {name: value},
 * "interpretation": {"code", "en", "fr"}} (interpretation only when the
 * instrument has bands). Numbers reported with decimals are JSON reals:
 * dump with JSON_REAL_PRECISION(15) to print them short ("77.8").
 *
 * Ownership: arguments are borrowed; returned values are new references
 * owned by the caller (json_decref); NULL on out of memory.
 */
#ifndef CC_INSTRUMENTS_JSON_H
#define CC_INSTRUMENTS_JSON_H

#include <jansson.h>

#include "core/instruments.h"
#include "core/status.h"

/* Scores the request body for instrument id into *out. */
cc_status instruments_json_score(const char *id, const json_t *body, json_t **out, cc_error *err);

/* The definitions: [{"id", "version", "en", "fr", "source", "items": [...],
 * "subscales": [...], "bands": [...]}]. */
json_t *instruments_json_list(void);

/* One definition as in the list. */
json_t *instruments_json_definition(const instr_def *def);

#endif
