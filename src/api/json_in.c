#include "json_in.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *type_name(json_field_type t)
{
    switch (t) {
    case JF_STRING: return "a string";
    case JF_INTEGER: return "an integer";
    case JF_NUMBER: return "a number";
    case JF_BOOLEAN: return "true or false";
    case JF_OBJECT: return "an object";
    case JF_ARRAY: return "an array";
    }
    return "a value";
}

static bool type_matches(const json_t *v, json_field_type t)
{
    switch (t) {
    case JF_STRING: return json_is_string(v);
    case JF_INTEGER: return json_is_integer(v);
    case JF_NUMBER: return json_is_number(v);
    case JF_BOOLEAN: return json_is_boolean(v);
    case JF_OBJECT: return json_is_object(v);
    case JF_ARRAY: return json_is_array(v);
    }
    return false;
}

cc_status json_check(const json_t *body, const json_field *fields, cc_error *err)
{
    if (!json_is_object(body))
        return cc_fail(err, CC_INVALID, "", "invalid_json",
                       "the request body must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        const json_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) /* an empty key still gets a field name a person can read */
            return cc_fail(err, CC_INVALID, *key ? key : "(empty name)", "unknown_field",
                           "unknown field '%.60s'", key);
        if (!type_matches(value, f->type))
            return cc_fail(err, CC_INVALID, key, "wrong_type", "%s must be %s", key,
                           type_name(f->type));
        size_t max = f->max_bytes ? f->max_bytes : 1024;
        if (json_is_string(value) && json_string_length(value) > max)
            return cc_fail(err, CC_INVALID, key, "too_long", "%s is too long", key);
        if (json_is_string(value) && strlen(json_string_value(value)) != json_string_length(value))
            return cc_fail(err, CC_INVALID, key, "invalid_text", "%s must not contain NUL", key);
        if (json_is_object(value) || json_is_array(value)) {
            char *text = json_dumps(value, JSON_COMPACT);
            size_t n = text ? strlen(text) : max + 1;
            free(text);
            if (n > max)
                return cc_fail(err, CC_INVALID, key, "too_long", "%s is too large", key);
        }
        if (json_is_real(value) && !isfinite(json_real_value(value)))
            return cc_fail(err, CC_INVALID, key, "out_of_range", "%s must be a finite number", key);
    }
    for (const json_field *f = fields; f->name; f++)
        if (f->required && !json_object_get(body, f->name))
            return cc_fail(err, CC_INVALID, f->name, "required", "%s is required", f->name);
    return CC_OK;
}

const char *json_get_string(const json_t *body, const char *name)
{
    return body ? json_string_value(json_object_get(body, name)) : NULL;
}

bool json_get_bool(const json_t *body, const char *name)
{
    return body && json_is_true(json_object_get(body, name));
}

bool json_has(const json_t *body, const char *name)
{
    return body && json_object_get(body, name);
}
