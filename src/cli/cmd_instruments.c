/*
 * cmd_instruments: `cellclinic instruments list|show|score`.
 *
 *   instruments list [--json]     the built-in instruments (id, version, name)
 *   instruments show ID           one definition as JSON (items, answers, labels)
 *   instruments score ID [--compact] < answers.json
 *                                 scores {"version": "1", "answers": {...}}
 *
 * Exit codes follow commands.h: 0 success, 1 failure (out of memory, write
 * error), 2 bad usage, unknown instrument or invalid answers (the message
 * names the item).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/instruments_json.h"
#include "cli/commands.h"

static const char USAGE[] =
    "Usage: cellclinic instruments list [--json]\n"
    "       cellclinic instruments show ID\n"
    "       cellclinic instruments score ID [--compact] < answers.json\n"
    "\n"
    "Outcome instruments (ALSFRS-R, NRS pain, Modified Ashworth, SCIM III, NBD,\n"
    "KOOS, EDSS, satisfaction). `score` reads one JSON object from standard input:\n"
    "  {\"version\": \"1\", \"answers\": {\"speech\": \"4\", \"salivation\": 3, ...}}\n"
    "(\"version\" is optional) and writes the scores as JSON. `show ID` lists the\n"
    "items and their accepted answers.\n"
    "\n"
    "Exit status: 0 done; 2 bad usage, unknown instrument or invalid answers (the\n"
    "message names the item); 1 other failure.\n";

static int dump(json_t *j, size_t flags)
{
    if (j == NULL) {
        fprintf(stderr, "instruments: out of memory\n");
        return 1;
    }
    int rc = json_dumpf(j, stdout, flags | JSON_REAL_PRECISION(15)) == 0 &&
                     fputc('\n', stdout) != EOF && fflush(stdout) == 0
                 ? 0
                 : 1;
    if (rc != 0)
        fprintf(stderr, "instruments: cannot write the output\n");
    json_decref(j);
    return rc;
}

static int list(int json)
{
    if (json)
        return dump(instruments_json_list(), JSON_INDENT(2));
    for (int i = 0; i < instrument_count(); i++) {
        const instr_def *d = instrument_at(i);
        printf("%-13s v%-3s %2d items  %s\n", d->id, d->version, d->n_items, d->en);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

static int score(const char *id, int compact)
{
    if (instrument_find(id) == NULL) {
        fprintf(stderr,
                "instruments score: unknown instrument '%s' (see: cellclinic instruments list)\n",
                id);
        return 2;
    }
    json_error_t jerr;
    json_t *body = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
    if (body == NULL) {
        fprintf(stderr,
                "instruments score: standard input is not valid JSON: %s (line %d, column %d)\n",
                jerr.text, jerr.line, jerr.column);
        return 2;
    }
    json_t *out = NULL;
    cc_error err;
    cc_error_clear(&err);
    cc_status st = instruments_json_score(id, body, &out, &err);
    json_decref(body);
    if (st != CC_OK) {
        fprintf(stderr, "instruments score %s: %s\n", id, err.message);
        return st == CC_INVALID || st == CC_NOT_FOUND ? 2 : 1;
    }
    return dump(out, compact ? JSON_COMPACT : JSON_INDENT(2));
}

int cmd_instruments(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    int json = 0, compact = 0;
    const char *id = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0 && strcmp(sub, "list") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--compact") == 0 && strcmp(sub, "score") == 0) {
            compact = 1;
        } else if (argv[i][0] != '-' && id == NULL && strcmp(sub, "list") != 0) {
            id = argv[i];
        } else {
            fprintf(stderr, "instruments %s: unexpected argument '%s' (try --help)\n", sub,
                    argv[i]);
            return 2;
        }
    }
    if (strcmp(sub, "list") == 0)
        return list(json);
    if (strcmp(sub, "show") == 0 || strcmp(sub, "score") == 0) {
        if (id == NULL) {
            fprintf(stderr,
                    "instruments %s: missing instrument id (see: cellclinic instruments list)\n",
                    sub);
            return 2;
        }
        if (strcmp(sub, "score") == 0)
            return score(id, compact);
        const instr_def *def = instrument_find(id);
        if (def == NULL) {
            fprintf(stderr, "instruments show: unknown instrument '%s'\n", id);
            return 2;
        }
        return dump(instruments_json_definition(def), JSON_INDENT(2));
    }
    fprintf(stderr, "instruments: unknown command '%s' (try: cellclinic instruments --help)\n",
            sub);
    return 2;
}
