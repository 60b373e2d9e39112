/*
 * fuzz_isncsci: libFuzzer target for the ISNCSCI decoder and engine.
 *
 * Each input is used twice: as a JSON document for
 * isncsci_json_classify_document (object or array of exams), and, when it
 * is long enough, as the raw bytes of an isncsci_exam handed to
 * isncsci_classify (arbitrary codes must be refused, never crash).
 *
 * Build and run (clang; from the source tree, after a normal build):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     tests/fuzz/fuzz_isncsci.c src/app/isncsci_json.c src/core/isncsci.c \
 *     src/core/status.c -ljansson -o fuzz_isncsci
 *   ./fuzz_isncsci -max_total_time=60 tests/fuzz/corpus/isncsci
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "app/isncsci_json.h"
#include "core/isncsci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (doc != NULL) {
        json_t *out = NULL;
        size_t bad = 0;
        cc_error err;
        if (isncsci_json_classify_document(doc, 1000, &out, &bad, &err) == CC_OK)
            json_decref(out);
        json_decref(doc);
    }
    if (size >= sizeof(isncsci_exam)) {
        isncsci_exam exam;
        isncsci_result r;
        memcpy(&exam, data, sizeof exam);
        exam.vac = (isncsci_binary)(data[0] % 4); /* keep the enums in their type's range */
        exam.dap = (isncsci_binary)(data[1] % 4);
        isncsci_classify(&exam, &r, NULL);
    }
    return 0;
}
