/* libFuzzer target: a request body as the patient endpoints receive it.
 * Any bytes must give CC_OK or a named-field error, never a crash or a leak. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_in.h"
#include "core/patient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const json_field fields[] = {
        {"family_name", JF_STRING, false, 400}, {"given_names", JF_STRING, false, 400},
        {"birth_date", JF_STRING, false, 10},   {"sex", JF_STRING, false, 10},
        {"language", JF_STRING, false, 2},      {"email", JF_STRING, false, 1016},
        {"phone", JF_STRING, false, 160},       {"address", JF_STRING, false, 1600},
        {"weight_kg", JF_NUMBER, false, 0},     {"details", JF_OBJECT, false, 4096},
        {NULL, JF_STRING, false, 0},
    };
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    cc_error err;
    if (json_check(body, fields, &err) == CC_OK) {
        patient_fields f = {
            json_get_string(body, "family_name"), json_get_string(body, "given_names"),
            json_get_string(body, "birth_date"),  json_get_string(body, "sex"),
            json_get_string(body, "language"),    json_get_string(body, "email"),
            json_get_string(body, "phone"),       json_get_string(body, "address"),
        };
        cc_status st = patient_check_fields(&f, true, 20000, &err);
        if (st != CC_OK && err.field[0] == '\0')
            abort(); /* an input error must name its field */
        int grams;
        json_t *kg = json_object_get(body, "weight_kg");
        if (kg)
            patient_check_weight(json_number_value(kg), "weight_kg", &grams, &err);
    } else if (err.field[0] == '\0' && json_is_object(body)) {
        abort();
    }
    json_decref(body);
    return 0;
}
