/*
 * isncsci_validation_exams: the exams of the validation cases
 * (tests/data/isncsci/validation-cases.json) as a new JSON array, for the
 * unit tests that feed them to a reader. Header-only, for cmocka tests: a
 * file that cannot be read fails the test. The caller owns the array
 * (json_decref). Not thread-safe.
 */
#ifndef CC_TEST_ISNCSCI_VALIDATION_EXAMS_H
#define CC_TEST_ISNCSCI_VALIDATION_EXAMS_H

#include <jansson.h>

static json_t *load_exams(void)
{
    json_error_t jerr;
    json_t *cases = json_load_file(CC_TEST_DATA "/isncsci/validation-cases.json", 0, &jerr);
    if (cases == NULL)
        fail_msg("cannot load validation cases: %s (line %d)", jerr.text, jerr.line);
    json_t *exams = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) json_array_append(exams, json_object_get(c, "exam"));
    json_decref(cases);
    return exams;
}

#endif
