/* isncsci_json: see isncsci_json.h. */
#include "app/isncsci_json.h"

#include <stdio.h>
#include <string.h>

static const char *const SIDE_KEYS[2] = {"right", "left"};
static const char NON_KEY[] = ISNCSCI_JSON_NON_KEY;

cc_status isncsci_json_field_error(cc_error *err, const char *code, const char *message,
                                   const char *a, const char *b, const char *c)
{
    cc_fail(err, CC_INVALID, NULL, code, "%s", message);
    if (err != NULL) {
        if (b == NULL)
            snprintf(err->field, sizeof err->field, "%s", a);
        else if (c == NULL)
            snprintf(err->field, sizeof err->field, "%s.%s", a, b);
        else
            snprintf(err->field, sizeof err->field, "%s.%s.%s", a, b, c);
        char full[sizeof err->message];
        snprintf(full, sizeof full, "%s: %s", err->field, message);
        snprintf(err->message, sizeof err->message, "%s", full);
    }
    return CC_INVALID;
}

/* a JSON object with exactly the keys names[0..n-1], each a string */
static cc_status parse_group(const json_t *obj, const char *side, const char *group,
                             const char *(*name)(int), int n, bool motor, isncsci_value *out,
                             cc_error *err)
{
    if (!json_is_object(obj))
        return isncsci_json_field_error(err, "invalid_type", "must be an object", side, group,
                                        NULL);
    for (int i = 0; i < n; i++) {
        json_t *v = json_object_get(obj, name(i));
        if (v == NULL)
            return isncsci_json_field_error(err, "missing", "is required", side, group, name(i));
        if (!json_is_string(v) || !isncsci_value_parse(json_string_value(v), motor, &out[i]))
            return isncsci_json_field_error(
                err, "invalid_value", motor ? ISNCSCI_JSON_BAD_MOTOR : ISNCSCI_JSON_BAD_SENSORY,
                side, group, name(i));
    }
    if ((int)json_object_size(obj) != n) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)obj, key, v)
        {
            bool known = false;
            for (int i = 0; i < n && !known; i++)
                known = strcmp(key, name(i)) == 0;
            if (!known)
                return isncsci_json_field_error(err, "unknown_field", "is not a known field", side,
                                                group, key);
        }
    }
    return CC_OK;
}

static cc_status parse_side(const json_t *obj, const char *side, isncsci_side *out, cc_error *err)
{
    if (!json_is_object(obj))
        return isncsci_json_field_error(err, "invalid_type", "must be an object", side, NULL, NULL);
    cc_status st = parse_group(json_object_get(obj, "motor"), side, "motor", isncsci_muscle_name,
                               ISNCSCI_MUSCLES, true, out->motor, err);
    if (st == CC_OK)
        st = parse_group(json_object_get(obj, "lightTouch"), side, "lightTouch",
                         isncsci_dermatome_name, ISNCSCI_DERMATOMES, false, out->light_touch, err);
    if (st == CC_OK)
        st = parse_group(json_object_get(obj, "pinPrick"), side, "pinPrick", isncsci_dermatome_name,
                         ISNCSCI_DERMATOMES, false, out->pin_prick, err);
    if (st != CC_OK)
        return st;
    out->lowest_non_key = -1;
    json_t *nk = json_object_get(obj, NON_KEY);
    if (nk != NULL) {
        int level = json_is_string(nk) ? isncsci_segment_parse(json_string_value(nk)) : -1;
        if (level < 0)
            return isncsci_json_field_error(err, "invalid_value", ISNCSCI_JSON_BAD_SEGMENT, side,
                                            NON_KEY, NULL);
        out->lowest_non_key = (int8_t)level;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (strcmp(key, "motor") != 0 && strcmp(key, "lightTouch") != 0 &&
            strcmp(key, "pinPrick") != 0 && strcmp(key, NON_KEY) != 0)
            return isncsci_json_field_error(err, "unknown_field", "is not a known field", side, key,
                                            NULL);
    }
    return CC_OK;
}

static cc_status parse_binary(const json_t *obj, const char *key, isncsci_binary *out,
                              cc_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return isncsci_json_field_error(err, "missing", "is required", key, NULL, NULL);
    if (!json_is_string(v) || !isncsci_binary_parse(json_string_value(v), out))
        return isncsci_json_field_error(err, "invalid_value", ISNCSCI_JSON_BAD_BINARY, key, NULL,
                                        NULL);
    return CC_OK;
}

cc_status isncsci_json_parse_exam(const json_t *obj, isncsci_exam *out, cc_error *err)
{
    if (!json_is_object(obj)) {
        cc_fail(err, CC_INVALID, "", "invalid_type", "the exam must be a JSON object");
        return CC_INVALID;
    }
    for (int k = 0; k < 2; k++) {
        json_t *side = json_object_get(obj, SIDE_KEYS[k]);
        if (side == NULL)
            return isncsci_json_field_error(err, "missing", "is required", SIDE_KEYS[k], NULL,
                                            NULL);
        cc_status st = parse_side(side, SIDE_KEYS[k], &out->side[k], err);
        if (st != CC_OK)
            return st;
    }
    cc_status st = parse_binary(obj, "voluntaryAnalContraction", &out->vac, err);
    if (st == CC_OK)
        st = parse_binary(obj, "deepAnalPressure", &out->dap, err);
    if (st != CC_OK)
        return st;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (strcmp(key, "right") != 0 && strcmp(key, "left") != 0 &&
            strcmp(key, "voluntaryAnalContraction") != 0 && strcmp(key, "deepAnalPressure") != 0)
            return isncsci_json_field_error(err, "unknown_field", "is not a known field", key, NULL,
                                            NULL);
    }
    return CC_OK;
}

/* sets value at a dotted path, creating the intermediate objects */
static int set_path(json_t *root, const char *path, const char *value)
{
    json_t *node = root;
    char key[64];
    for (;;) {
        const char *dot = strchr(path, '.');
        if (dot == NULL)
            return json_object_set_new(node, path, json_string(value));
        size_t n = (size_t)(dot - path);
        if (n >= sizeof key)
            return -1;
        memcpy(key, path, n);
        key[n] = '\0';
        json_t *child = json_object_get(node, key);
        if (child == NULL) {
            child = json_object();
            if (child == NULL || json_object_set_new(node, key, child) != 0)
                return -1;
        }
        node = child;
        path = dot + 1;
    }
}

json_t *isncsci_json_result(const isncsci_result *r)
{
    json_t *root = json_object();
    if (root == NULL)
        return NULL;
    for (int f = 0; f < ISNCSCI_FIELD_COUNT; f++) {
        char text[ISNCSCI_TEXT_MAX];
        isncsci_result_field(r, (isncsci_field)f, text, sizeof text);
        if (set_path(root, isncsci_field_path((isncsci_field)f), text) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

cc_status isncsci_json_classify(const json_t *exam, json_t **out, cc_error *err)
{
    isncsci_exam e;
    isncsci_result r;
    *out = NULL;
    cc_status st = isncsci_json_parse_exam(exam, &e, err);
    if (st == CC_OK)
        st = isncsci_classify(&e, &r, err);
    if (st != CC_OK)
        return st;
    *out = isncsci_json_result(&r);
    if (*out == NULL)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    return CC_OK;
}

cc_status isncsci_json_classify_document(const json_t *doc, size_t max_exams, json_t **out,
                                         size_t *bad_index, cc_error *err)
{
    *out = NULL;
    *bad_index = 0;
    if (json_is_object(doc))
        return isncsci_json_classify(doc, out, err);
    if (!json_is_array(doc))
        return cc_fail(err, CC_INVALID, "", "invalid_type",
                       "expected an exam object or an array of exams");
    if (json_array_size(doc) > max_exams)
        return cc_fail(err, CC_TOO_LARGE, "", "too_many_exams", "at most %zu exams per request",
                       max_exams);
    json_t *results = json_array();
    if (results == NULL)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    size_t i;
    json_t *exam;
    json_array_foreach(doc, i, exam)
    {
        json_t *result = NULL;
        cc_status st = isncsci_json_classify(exam, &result, err);
        if (st == CC_OK && json_array_append_new(results, result) != 0)
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        if (st != CC_OK) {
            *bad_index = i;
            json_decref(results);
            return st;
        }
    }
    *out = results;
    return CC_OK;
}
