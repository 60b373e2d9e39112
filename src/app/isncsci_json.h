/*
 * isncsci_json: jansson adapters for the ISNCSCI engine (core/isncsci.h).
 *
 * Input shape: one `exam` object of tests/data/isncsci (see the fixtures
 * README): "right" and "left" each with "motor" (10 keys C5..S1),
 * "lightTouch" and "pinPrick" (28 keys C2..S4_5), optional
 * "lowestNonKeyMuscleWithMotorFunction"; then "voluntaryAnalContraction" and
 * "deepAnalPressure". Every value is a string. Missing keys, unknown keys,
 * non-string values and values outside the README's table are refused with
 * CC_INVALID; err->field names the offending field as a dotted path
 * ("right.motor.C5", "left.lightTouch.S4_5", "deepAnalPressure").
 *
 * Output shape: the README's `expected` object (classification and totals,
 * every value a string).
 *
 * Ownership: the json_t arguments are borrowed. isncsci_json_result returns a
 * new reference owned by the caller (json_decref), or NULL when out of memory.
 * Thread-safe: no shared state (jansson values must not be shared between
 * threads while being modified).
 */
#ifndef CC_ISNCSCI_JSON_H
#define CC_ISNCSCI_JSON_H

#include <jansson.h>

#include "core/isncsci.h"
#include "core/status.h"

/* Messages of the checks, shared with the streaming reader (isncsci_stream.h)
 * so that both name a bad exam in the same words. */
#define ISNCSCI_JSON_NON_KEY "lowestNonKeyMuscleWithMotorFunction"
#define ISNCSCI_JSON_BAD_MOTOR "must be one of 0-5, 0*-4*, 0**-4**, NT, NT*, NT**"
#define ISNCSCI_JSON_BAD_SENSORY "must be one of 0-2, 0*, 1*, 0**, 1**, NT, NT*, NT**"
#define ISNCSCI_JSON_BAD_SEGMENT "must be a segment with a non-key muscle: C5 to T1 or L2 to S1"
#define ISNCSCI_JSON_BAD_BINARY "must be Yes, No or NT"

/* Fills err with CC_INVALID, code, field "a[.b[.c]]" (b, c may be NULL) and
 * the message "field: message"; returns CC_INVALID. */
cc_status isncsci_json_field_error(cc_error *err, const char *code, const char *message,
                                   const char *a, const char *b, const char *c);

/* Parses an exam object into *out. */
cc_status isncsci_json_parse_exam(const json_t *obj, isncsci_exam *out, cc_error *err);

/* Renders a classification result as the `expected` object. */
json_t *isncsci_json_result(const isncsci_result *r);

/* Parse, classify and render in one call: *out receives a new reference.
 * The HTTP handler of POST /api/v1/isncsci/classify and the CLI use this. */
cc_status isncsci_json_classify(const json_t *exam, json_t **out, cc_error *err);

/* A document: one exam object, or an array of exams. *out is the result
 * object, or an array of results in the same order. Every exam is checked
 * before any result is kept: on the first invalid exam, returns CC_INVALID,
 * sets *bad_index to its index (0 for a single object) and fills err (field
 * and message name the field; the message does not repeat the index).
 * Arrays longer than max_exams are refused (CC_TOO_LARGE, field "").
 * The CLI (`isncsci classify`) and POST /api/v1/isncsci/classify use it. */
cc_status isncsci_json_classify_document(const json_t *doc, size_t max_exams, json_t **out,
                                         size_t *bad_index, cc_error *err);

#endif
