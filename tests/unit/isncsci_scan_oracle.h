/*
 * isncsci_scan_oracle: checks the plain-layout reader (core/isncsci_scan.h)
 * against jansson on any text: each exam the reader reads must be, taken
 * alone, an object jansson parses (JSON_REJECT_DUPLICATES) and
 * isncsci_json_parse_exam accepts, giving the same isncsci_exam. Used by
 * tests/unit/test_isncsci_scan.c and tests/fuzz/fuzz_isncsci_scan.c.
 * Header-only; returns NULL on agreement, else a static description.
 */
#ifndef CC_TEST_ISNCSCI_SCAN_ORACLE_H
#define CC_TEST_ISNCSCI_SCAN_ORACLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/isncsci_json.h"
#include "core/isncsci_scan.h"

static bool scan_oracle_same_exam(const isncsci_exam *a, const isncsci_exam *b)
{
    return memcmp(a->side, b->side, sizeof a->side) == 0 && a->vac == b->vac && a->dap == b->dap;
}

/* the exam the reader read from text [from, to), by jansson */
static const char *scan_oracle_exam(const char *from, const char *to, const isncsci_exam *got)
{
    static char why[400];
    const char *open = memchr(from, '{', (size_t)(to - from));
    if (open == NULL)
        return "the reader read an exam without a '{'";
    json_error_t jerr;
    json_t *obj = json_loadb(open, (size_t)(to - open), JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL) {
        snprintf(why, sizeof why, "the reader read an exam jansson refuses: %s", jerr.text);
        return why;
    }
    isncsci_exam want;
    cc_error err;
    cc_status st = isncsci_json_parse_exam(obj, &want, &err);
    json_decref(obj);
    if (st != CC_OK) {
        snprintf(why, sizeof why, "the reader read an exam jansson's path refuses: %s",
                 err.message);
        return why;
    }
    return scan_oracle_same_exam(got, &want) ? NULL : "the reader read another exam than jansson";
}

/* Reads all of text (a copy, NUL-terminated) and checks each exam read;
 * *exams: how many. */
static const char *scan_oracle_check(const void *data, size_t size, size_t *exams)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return "out of memory";
    memcpy(text, data, size);
    text[size] = '\0';
    isncsci_scan sc;
    isncsci_scan_init(&sc);
    size_t pos = 0, used;
    isncsci_exam exam;
    const char *why = NULL;
    *exams = 0;
    while (why == NULL &&
           isncsci_scan_next(&sc, text + pos, size - pos, &used, &exam) == ISNCSCI_SCAN_EXAM) {
        why = scan_oracle_exam(text + pos, text + pos + used, &exam);
        pos += used;
        ++*exams;
    }
    if (why == NULL && pos + used > size)
        why = "the reader consumed more than the text";
    free(text);
    return why;
}

#endif
