/*
 * isncsci_classify_jansson: `isncsci classify` as it was before it streamed,
 * kept as the baseline of bench/isncsci_stream.sh: the whole standard input
 * parsed by jansson, every exam classified (isncsci_json_classify_document),
 * the whole result serialized by json_dumpf. Same output and exit codes as the
 * command for valid input. Usage: isncsci_classify_jansson [--compact] < exams.json
 * Not named bench_*: bench/run.sh runs it through isncsci_stream.sh only.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/isncsci_json.h"

int main(int argc, char **argv)
{
    int compact = argc == 2 && strcmp(argv[1], "--compact") == 0;
    json_error_t jerr;
    json_t *input = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
    if (input == NULL) {
        fprintf(stderr, "isncsci_classify_jansson: not valid JSON: %s (line %d)\n", jerr.text,
                jerr.line);
        return 2;
    }
    json_t *output = NULL;
    size_t bad = 0;
    cc_error err;
    cc_error_clear(&err);
    cc_status st = isncsci_json_classify_document(input, (size_t)-1, &output, &bad, &err);
    json_decref(input);
    if (st != CC_OK) {
        fprintf(stderr, "isncsci_classify_jansson: exam %zu: %s\n", bad, err.message);
        return 2;
    }
    int status = 0;
    if (json_dumpf(output, stdout, compact ? JSON_COMPACT : JSON_INDENT(2)) != 0 ||
        fputc('\n', stdout) == EOF || fflush(stdout) != 0)
        status = 1;
    json_decref(output);
    return status;
}
