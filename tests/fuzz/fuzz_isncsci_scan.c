/*
 * fuzz_isncsci_scan: libFuzzer target for the plain-layout reader of
 * `isncsci classify` (core/isncsci_scan.h), checked against jansson and yajl.
 *
 * Each input is read by the reader alone: every exam it reads must be one
 * jansson parses and isncsci_json_parse_exam accepts, the same exam
 * (tests/unit/isncsci_scan_oracle.h). Then it is classified by the stream
 * with the reader and with yajl reading everything (509-byte pieces): the
 * same result to the byte, syntax errors with the same message, line and
 * column, and the stream with the reader against jansson's whole-document
 * path: the same accept or refuse, the same bytes, the same bad exam
 * (tests/unit/isncsci_stream_oracle.h). The layout of the output
 * follows the input's length. A disagreement aborts with the reason.
 *
 * Build and run (clang; from the source tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *     tests/fuzz/fuzz_isncsci_scan.c src/app/isncsci_stream.c \
 *     src/app/isncsci_json.c src/core/isncsci.c src/core/isncsci_scan.c \
 *     src/core/status.c -ljansson -lyajl -o fuzz_isncsci_scan
 *   ./fuzz_isncsci_scan -max_total_time=60 tests/fuzz/corpus/isncsci_scan
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/isncsci_scan_oracle.h"
#include "../unit/isncsci_stream_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t exams;
    const char *why = scan_oracle_check(data, size, &exams);
    if (why == NULL)
        why = oracle_compare_paths(data, size, size % 2 == 1);
    if (why == NULL)
        why = oracle_compare(data, size, size % 2 == 1, false);
    if (why != NULL) {
        fprintf(stderr, "fuzz_isncsci_scan: %s\n", why);
        abort();
    }
    return 0;
}
