/*
 * fuzz_isncsci_stream: libFuzzer target for the streaming reader of
 * `isncsci classify` (app/isncsci_stream.h), checked against jansson.
 *
 * Each input is classified by the stream (read in 509-byte pieces, so tokens
 * straddle reads) and by the whole-document jansson path; the oracle
 * (tests/unit/isncsci_stream_oracle.h) requires the same accept/reject
 * decision, the same bytes when accepted, the same exam index and message for
 * a bad exam, and no complete document written on an error; and the same
 * result, to the line and column of a syntax error, with the plain reader
 * (core/isncsci_scan.h) as with yajl reading everything. The layout
 * (compact or indented) follows the input's length, so both are fuzzed.
 * A disagreement aborts with both answers.
 *
 * Build and run (clang; from the source tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *     tests/fuzz/fuzz_isncsci_stream.c src/app/isncsci_stream.c \
 *     src/app/isncsci_json.c src/core/isncsci.c src/core/isncsci_scan.c \
 *     src/core/status.c -ljansson -lyajl -o fuzz_isncsci_stream
 *   ./fuzz_isncsci_stream -max_total_time=60 tests/fuzz/corpus/isncsci_stream
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/isncsci_stream_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = oracle_compare(data, size, size % 2 == 1, false);
    if (why == NULL)
        why = oracle_compare_paths(data, size, size % 2 == 1);
    if (why != NULL) {
        fprintf(stderr, "fuzz_isncsci_stream: %s\n", why);
        abort();
    }
    return 0;
}
