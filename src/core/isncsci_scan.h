/*
 * isncsci_scan: a pull reader for the plain layout of an array of ISNCSCI
 * exams (the input of `isncsci classify`, app/isncsci_stream.h), reading
 * each exam straight into an isncsci_exam from a caller's buffer.
 *
 * Why hand-written: the command reads one fixed format in bulk, and with
 * yajl's event parser (callbacks per token, then a dispatch on the key)
 * parsing took 75% of its time (perf, 100,000 exams: yajl 60%, the callbacks
 * 15%), the classification and output the rest. This reader only decides
 * the common case and says "unsure" for everything else, so the caller hands
 * the text from that point to the general parser (yajl), which gives every
 * refusal its error: the reader needs no error messages and cannot differ
 * from the general path on unusual input.
 *
 * Plain layout: a top-level '[' then exam objects separated by ',' and a
 * closing ']', JSON white space (space, tab, LF, CR) anywhere between tokens;
 * each exam object holds "right", "left", "voluntaryAnalContraction" and
 * "deepAnalPressure" once each, in any order; each side "motor" (C5..S1),
 * "lightTouch" and "pinPrick" (C2..S4_5), each key once, in any order,
 * optionally "lowestNonKeyMuscleWithMotorFunction"; every key and value a
 * string of printable ASCII without escapes; every value one that the core's
 * parsers accept (isncsci_value_parse, isncsci_segment_parse,
 * isncsci_binary_parse). Anything else (an unknown, missing or repeated key,
 * a bad value, an escape, another type, a top-level object, malformed text)
 * is "unsure" at the start of the element or token where the reader stands.
 * Such an exam would be refused or read alike by a JSON parser: the unit test
 * (tests/unit/test_isncsci_scan.c) and the fuzz target
 * (tests/fuzz/fuzz_isncsci_scan.c) check every exam it reads against jansson.
 *
 * Not shared with core/score_scan: that reader sees a whole NUL-terminated
 * document and answers once; this one must tell "the text ends here, more is
 * coming" from "unusual", at a resumable place.
 *
 * Pure (no I/O, no allocation, no globals); the state is the caller's.
 */
#ifndef CC_ISNCSCI_SCAN_H
#define CC_ISNCSCI_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "isncsci.h"

/* Where the reader stands between elements: what a general parser taking
 * over must be told has been read before. */
typedef enum {
    ISNCSCI_SCAN_START, /* nothing (white space at most) */
    ISNCSCI_SCAN_OPEN,  /* the '[' */
    ISNCSCI_SCAN_COMMA, /* '[', elements, then a ',' */
    ISNCSCI_SCAN_AFTER, /* '[' and one or more elements */
    ISNCSCI_SCAN_DONE,  /* the whole array */
} isncsci_scan_place;

typedef enum {
    ISNCSCI_SCAN_EXAM,   /* an exam was read into *exam */
    ISNCSCI_SCAN_END,    /* the array's ']' was read */
    ISNCSCI_SCAN_MORE,   /* the text ends before the next element does: append more */
    ISNCSCI_SCAN_UNSURE, /* not the plain layout: a general parser takes over */
} isncsci_scan_status;

typedef struct {
    isncsci_scan_place at;
    const char *key_name[2][ISNCSCI_DERMATOMES]; /* [motor, sensory]: the group's keys */
    uint8_t key_len[2][ISNCSCI_DERMATOMES];
} isncsci_scan;

void isncsci_scan_init(isncsci_scan *sc);

/* Reads from text (len bytes; text[len] must be '\0': the reader stops on it
 * without a bound check) and sets *used to the bytes consumed: for EXAM and
 * END through the element's last byte, for MORE and UNSURE up to where the
 * element (or token) that stopped the reader begins, so that the caller
 * keeps text + *used and either appends to it (MORE) or hands it over
 * (UNSURE, with sc->at saying what came before). *exam is unspecified unless
 * EXAM. After END, returns END with nothing consumed. */
isncsci_scan_status isncsci_scan_next(isncsci_scan *sc, const char *text, size_t len, size_t *used,
                                      isncsci_exam *exam);

#endif
