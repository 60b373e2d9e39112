/*
 * cmd_isncsci: `cellclinic isncsci classify` — classifies ISNCSCI exams.
 *
 * Reads one exam object, or an array of exam objects, from standard input
 * (the input shape of tests/data/isncsci, see app/isncsci_json.h) and writes
 * the result object, or an array of results in the same order, to standard
 * output, streaming: each result is written as soon as its exam is read and
 * classified, in constant memory (app/isncsci_stream.h). An invalid exam
 * exits 2 with a message naming the exam index and the field; the output
 * then stops after the results before it, without the closing bracket.
 * Exit codes follow commands.h: 0 success, 1 failure (out of memory, write
 * error), 2 bad usage or invalid input.
 */
#include <stdio.h>
#include <string.h>

#include "app/isncsci_stream.h"
#include "cli/commands.h"

static const char USAGE[] =
    "Usage: cellclinic isncsci classify [--compact] < exams.json\n"
    "\n"
    "Classifies ISNCSCI examinations (International Standards for Neurological\n"
    "Classification of Spinal Cord Injury, 2019 revision).\n"
    "\n"
    "Standard input: one exam object, or an array of exam objects:\n"
    "  {\"right\": {\"motor\": {\"C5\": \"5\", ... \"S1\": \"5\"},\n"
    "             \"lightTouch\": {\"C2\": \"2\", ... \"S4_5\": \"2\"},\n"
    "             \"pinPrick\": {...},\n"
    "             \"lowestNonKeyMuscleWithMotorFunction\": \"C8\"},\n"
    "                            (optional; C5-T1 or L2-S1: the worksheet has no\n"
    "                             non-key muscle at T2-L1, refused with exit 2)\n"
    "   \"left\": {...},\n"
    "   \"voluntaryAnalContraction\": \"Yes\", \"deepAnalPressure\": \"No\"}\n"
    "Values are strings: motor 0-5, sensory 0-2, NT; a trailing * or ** tags an\n"
    "impairment not due to the spinal cord injury (* not normal, ** normal).\n"
    "\n"
    "Standard output: the classification and totals of each exam (an object,\n"
    "or an array in the input order). Undetermined results list every possible\n"
    "value; a * marks a value that depends on a tagged finding.\n"
    "\n"
    "Options:\n"
    "  --compact   one line per document instead of indented JSON\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 classified; 2 bad usage or invalid input (the message names\n"
    "the exam index and the field, e.g. \"exam 3: right.motor.C5: ...\"); 1 other\n"
    "failure.\n"
    "\n"
    "Results of an array are written as the exams are read, in constant memory.\n"
    "On an error midway (invalid exam, malformed JSON) the output stops after the\n"
    "results before it, without the closing ']' and the final newline, and the\n"
    "exit status is not 0: such an output is never a complete JSON document. A\n"
    "single exam object is written only after the whole input was read.\n";

static int classify(int compact)
{
    isncsci_stream_result res;
    switch (isncsci_stream_classify(stdin, stdout, compact != 0, &res)) {
    case ISNCSCI_STREAM_OK: return 0;
    case ISNCSCI_STREAM_SYNTAX:
        fprintf(stderr,
                "isncsci classify: standard input is not valid JSON: %s (line %lu, column %lu)\n",
                res.text, res.line, res.column);
        return 2;
    case ISNCSCI_STREAM_EXAM:
        if (res.err.field[0] != '\0')
            fprintf(stderr, "isncsci classify: exam %zu: %s\n", res.index, res.err.message);
        else
            fprintf(stderr, "isncsci classify: %s\n", res.err.message);
        return 2;
    case ISNCSCI_STREAM_READ:
        fprintf(stderr, "isncsci classify: cannot read standard input\n");
        return 1;
    case ISNCSCI_STREAM_WRITE:
        fprintf(stderr, "isncsci classify: cannot write the result\n");
        return 1;
    case ISNCSCI_STREAM_MEMORY: break;
    }
    fprintf(stderr, "isncsci classify: out of memory\n");
    return 1;
}

int cmd_isncsci(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(argv[1], "classify") != 0) {
        fprintf(stderr, "isncsci: unknown command '%s' (try: cellclinic isncsci --help)\n",
                argv[1]);
        return 2;
    }
    int compact = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--compact") == 0) {
            compact = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else {
            fprintf(stderr, "isncsci classify: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    return classify(compact);
}
