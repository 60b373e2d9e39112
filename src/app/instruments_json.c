/* instruments_json: see instruments_json.h. */
#include "app/instruments_json.h"

#include <stdio.h>
#include <string.h>

enum { MAX_ANSWERS = 64 };

static const instr_item *item_of(const instr_def *def, const char *id)
{
    for (int i = 0; i < def->n_items; i++)
        if (strcmp(def->items[i].id, id) == 0)
            return &def->items[i];
    return NULL;
}

cc_status instruments_json_score(const char *id, const json_t *body, json_t **out, cc_error *err)
{
    *out = NULL;
    const instr_def *def = instrument_find(id);
    if (def == NULL)
        return cc_fail(err, CC_NOT_FOUND, "instrument", "unknown_instrument",
                       "instrument: no instrument '%.60s' (see: instruments list)", id ? id : "");
    if (!json_is_object(body))
        return cc_fail(err, CC_INVALID, "", "invalid_type", "the request must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "version") != 0 && strcmp(key, "answers") != 0)
            return cc_fail(err, CC_INVALID, key, "unknown_field", "%.60s: is not a known field",
                           key);
    }
    const char *version = NULL;
    json_t *jv = json_object_get(body, "version");
    if (jv != NULL) {
        if (!json_is_string(jv))
            return cc_fail(err, CC_INVALID, "version", "invalid_type", "version: must be a string");
        version = json_string_value(jv);
    }
    json_t *answers = json_object_get(body, "answers");
    if (!json_is_object(answers))
        return cc_fail(err, CC_INVALID, "answers", answers ? "invalid_type" : "missing",
                       "answers: must be an object of item: value");
    if (json_object_size(answers) > MAX_ANSWERS)
        return cc_fail(err, CC_INVALID, "answers", "too_many", "answers: too many items");

    instr_answer list[MAX_ANSWERS];
    char numbers[MAX_ANSWERS][40];
    size_t n = 0;
    json_object_foreach(answers, key, v)
    {
        const instr_item *it = item_of(def, key);
        const char *text = NULL;
        if (json_is_string(v)) {
            text = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(numbers[n], sizeof numbers[n], "%lld", (long long)json_integer_value(v));
            text = numbers[n];
        } else if (json_is_real(v) && it != NULL && it->kind == INSTR_NUMBER) {
            snprintf(numbers[n], sizeof numbers[n], "%.17g", json_real_value(v));
            text = numbers[n];
        } else if (it != NULL) {
            return cc_fail(err, CC_INVALID, key, "invalid_value",
                           "%s: must be one of its answer codes (a string or an integer)", key);
        }
        list[n].item = key;
        list[n].value = text;
        n++;
    }
    instr_result r;
    cc_status st = instrument_score(def, version, list, n, &r, err);
    if (st != CC_OK)
        return st;

    json_t *root = json_object(), *scores = json_object();
    if (root == NULL || scores == NULL) {
        json_decref(root);
        json_decref(scores);
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    }
    json_object_set_new(root, "instrument", json_string(def->id));
    json_object_set_new(root, "version", json_string(def->version));
    for (int i = 0; i < r.n_out; i++) {
        const instr_output *o = &r.out[i];
        json_t *value = o->is_text         ? json_string(o->text)
                        : o->decimals == 0 ? json_integer((json_int_t)o->number)
                                           : json_real(o->number);
        json_object_set_new(scores, o->name, value);
    }
    json_object_set_new(root, "scores", scores);
    if (r.band != NULL)
        json_object_set_new(
            root, "interpretation",
            json_pack("{s:s,s:s,s:s}", "code", r.band->code, "en", r.band->en, "fr", r.band->fr));
    *out = root;
    return CC_OK;
}

static json_t *item_json(const instr_item *it)
{
    static const char *const KINDS[] = {"options", "number", "text"};
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", it->id, "en", it->en, "fr", it->fr, "type",
                          KINDS[it->kind], "required", it->required);
    if (j == NULL)
        return NULL;
    if (it->kind == INSTR_OPTIONS) {
        json_t *opts = json_array();
        for (int k = 0; k < it->n_options; k++)
            json_array_append_new(opts, json_pack("{s:s,s:i,s:s,s:s}", "code", it->options[k].code,
                                                  "points", it->options[k].points, "en",
                                                  it->options[k].en, "fr", it->options[k].fr));
        json_object_set_new(j, "options", opts);
    } else if (it->kind == INSTR_NUMBER) {
        json_object_set_new(j, it->min_open ? "above" : "min", json_real(it->min));
        json_object_set_new(j, "max", json_real(it->max));
    } else {
        json_object_set_new(j, "max_length", json_integer(it->max_len));
    }
    if (it->one_of != 0)
        json_object_set_new(j, "one_of", json_integer(it->one_of));
    return j;
}

json_t *instruments_json_definition(const instr_def *def)
{
    json_t *j =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", def->id, "version", def->version, "en",
                  def->en, "fr", def->fr, "source", def->source, "staff_only", def->staff_only);
    if (j == NULL)
        return NULL;
    json_t *items = json_array(), *groups = json_array(), *bands = json_array();
    for (int i = 0; i < def->n_items; i++) {
        json_t *it = item_json(&def->items[i]);
        if (it != NULL && def->items[i].group >= 0)
            json_object_set_new(it, "subscale", json_string(def->groups[def->items[i].group].id));
        json_array_append_new(items, it);
    }
    for (int g = 0; g < def->n_groups; g++)
        json_array_append_new(groups, json_pack("{s:s,s:s,s:s}", "id", def->groups[g].id, "en",
                                                def->groups[g].en, "fr", def->groups[g].fr));
    for (int b = 0; b < def->n_bands; b++)
        json_array_append_new(bands, json_pack("{s:i,s:i,s:s,s:s,s:s}", "from", def->bands[b].lo,
                                               "to", def->bands[b].hi, "code", def->bands[b].code,
                                               "en", def->bands[b].en, "fr", def->bands[b].fr));
    json_object_set_new(j, "items", items);
    json_object_set_new(j, "subscales", groups);
    json_object_set_new(j, "bands", bands);
    return j;
}

json_t *instruments_json_list(void)
{
    json_t *list = json_array();
    for (int i = 0; list != NULL && i < instrument_count(); i++)
        json_array_append_new(list, instruments_json_definition(instrument_at(i)));
    return list;
}
