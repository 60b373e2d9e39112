/*
 * json_in: checks a JSON request body against a table of fields before any
 * handler logic runs: unknown fields, wrong types, missing required fields
 * and over-long strings are refused with CC_INVALID naming the field.
 * Values stay owned by the JSON object (borrowed pointers).
 */
#ifndef CC_JSON_IN_H
#define CC_JSON_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

typedef enum { JF_STRING, JF_INTEGER, JF_NUMBER, JF_BOOLEAN, JF_OBJECT, JF_ARRAY } json_field_type;

typedef struct {
    const char *name;
    json_field_type type;
    bool required;
    size_t max_bytes; /* strings and serialized objects and arrays; 0 = 1024 */
} json_field;

/* fields ends with a row whose name is NULL. */
cc_status json_check(const json_t *body, const json_field *fields, cc_error *err);

/* Typed getters for a checked body: NULL / default when absent. */
const char *json_get_string(const json_t *body, const char *name);
bool json_get_bool(const json_t *body, const char *name);
bool json_has(const json_t *body, const char *name);

#endif
