/*
 * cmd_isncsci: `cellclinic isncsci classify` — classifies ISNCSCI exams.
 *
 * Reads one exam object, or an array of exam objects, from standard input
 * (the input shape of tests/data/isncsci, see app/isncsci_json.h) and writes
 * the result object, or an array of results in the same order, to standard
 * output. Every exam is checked before anything is written: an invalid exam
 * exits 2 with a message naming the exam index and the field.
 * Exit codes follow commands.h: 0 success, 1 failure (out of memory, write
 * error), 2 bad usage or invalid input.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/isncsci_json.h"
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
    "             \"lowestNonKeyMuscleWithMotorFunction\": \"C8\"},   (optional)\n"
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
    "failure.\n";

/* no limit beyond memory on the command line */
#define CLI_MAX_EXAMS ((size_t)-1)

static int classify(int compact)
{
    json_error_t jerr;
    json_t *input = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
    if (input == NULL) {
        fprintf(stderr,
                "isncsci classify: standard input is not valid JSON: %s (line %d, column %d)\n",
                jerr.text, jerr.line, jerr.column);
        return 2;
    }
    json_t *output = NULL;
    size_t bad = 0;
    cc_error err;
    cc_error_clear(&err);
    cc_status st = isncsci_json_classify_document(input, CLI_MAX_EXAMS, &output, &bad, &err);
    json_decref(input);
    if (st != CC_OK) {
        if (st == CC_INVALID && err.field[0] != '\0')
            fprintf(stderr, "isncsci classify: exam %zu: %s\n", bad, err.message);
        else
            fprintf(stderr, "isncsci classify: %s\n", err.message);
        return st == CC_INVALID || st == CC_TOO_LARGE ? 2 : 1;
    }
    int status = 0;
    size_t flags = compact ? JSON_COMPACT : JSON_INDENT(2);
    if (json_dumpf(output, stdout, flags) != 0 || fputc('\n', stdout) == EOF ||
        fflush(stdout) != 0) {
        fprintf(stderr, "isncsci classify: cannot write the result\n");
        status = 1;
    }
    json_decref(output);
    return status;
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
