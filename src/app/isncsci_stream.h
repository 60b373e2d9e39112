/*
 * isncsci_stream: classifies a JSON document of ISNCSCI exams (one exam
 * object, or an array of them: the input of isncsci_json.h) from a FILE to a
 * FILE, one exam at a time, in constant memory. `isncsci classify` uses it;
 * isncsci_json_classify_document (jansson, whole document in memory) stays
 * for the HTTP API's bounded bodies and as the reference the tests compare
 * against.
 *
 * Readers: an array in the plain layout (core/isncsci_scan.h: string values,
 * known keys, no escapes; any white space and key order) is read by the
 * hand-written reader, exam by exam, straight into an isncsci_exam. Where it
 * is unsure (anything else: a single exam object, an escape, an unknown or
 * missing key, a bad value, malformed text, an exam longer than 64 KiB), yajl
 * takes over from the start of that element for the rest of the input,
 * primed with what came before, so that every refusal, its message, line and
 * column, is yajl's as if it had read everything (tests/unit/
 * test_isncsci_scan.c and tests/fuzz/fuzz_isncsci_scan.c compare the two).
 * Once yajl reads, it reads to the end: an unusual exam early in a large
 * array costs the speed of the plain reader for the rest.
 *
 * yajl (Debian libyajl2) is an event parser fed 64 KiB at a time; there too
 * each exam is gathered straight into an isncsci_exam (no document tree), then
 * checked in exactly the order isncsci_json_parse_exam checks it, so a bad
 * exam gets the same index, field and message. yajl accepts a few inputs that
 * jansson (JSON_REJECT_DUPLICATES) refuses; the reader refuses them itself as
 * malformed: a top-level scalar, \v and \f as white space, text after the
 * document (yajl waits for an unterminated string there), a key repeated
 * among the known keys of an object. Others it refuses as a bad exam, where
 * jansson calls the document malformed: "\u0000" in a string or key, a
 * repeated unknown key, a lone surrogate escape, an overlong UTF-8 sequence, a
 * number overflowing a double: such text sits where no valid exam can hold it
 * (a value read as a string holding a NUL byte is invalid), so the document
 * is refused either way (tests/fuzz/fuzz_isncsci_stream.c checks the
 * agreement).
 *
 * Generator: not yajl_gen. The result object has a fixed shape and ASCII
 * values (core/isncsci.h renderers), so the output is a template built once
 * in jansson's layout (JSON_INDENT(2) or JSON_COMPACT) with the 25 values
 * copied in; yajl_gen's indented layout differs from jansson's ("[\n]" for an
 * empty array) and the output must stay byte for byte what
 * isncsci_json_classify_document + json_dumpf wrote.
 *
 * Streaming contract: results of an array are written as their exams are
 * read. On an error midway the output stops where it is, without the closing
 * "]" and the final newline, so it is never a complete document; a single
 * exam object is written only once the whole input has been read. Syntax
 * errors are reported by yajl's wording with a line and column; they are
 * found where they occur, so an invalid exam before a syntax error is
 * reported first.
 *
 * Memory: bounded by the input buffer (64 KiB of reading plus the 64 KiB of
 * an unfinished exam), the 64 KiB output buffer, the parsers' state and one
 * exam, plus, once yajl reads, the length of the longest string or key in the
 * input (yajl keeps a token split across reads whole); nesting deeper than
 * 2048 levels is refused as malformed. Thread-safe: no shared state.
 */
#ifndef CC_ISNCSCI_STREAM_H
#define CC_ISNCSCI_STREAM_H

#include <stdbool.h>
#include <stdio.h>

#include "core/status.h"

typedef enum {
    ISNCSCI_STREAM_OK = 0,
    ISNCSCI_STREAM_SYNTAX, /* malformed JSON: text, line, column */
    ISNCSCI_STREAM_EXAM,   /* an exam is invalid: index, err (as the jansson path fills it) */
    ISNCSCI_STREAM_READ,   /* reading the input failed */
    ISNCSCI_STREAM_WRITE,  /* writing the output failed */
    ISNCSCI_STREAM_MEMORY, /* out of memory */
} isncsci_stream_status;

typedef struct {
    isncsci_stream_status status;
    size_t index;               /* ISNCSCI_STREAM_EXAM: the exam's index (0 for a single object) */
    cc_error err;               /* ISNCSCI_STREAM_EXAM */
    char text[160];             /* ISNCSCI_STREAM_SYNTAX: what is wrong */
    unsigned long line, column; /* ISNCSCI_STREAM_SYNTAX: 1-based, column in bytes */
    size_t exams;               /* exams classified and written */
} isncsci_stream_result;

/* Reads the document from in to its end, writes the results to out (followed
 * by a newline, as the CLI always wrote), flushes out. compact selects
 * jansson's JSON_COMPACT layout, else JSON_INDENT(2). */
isncsci_stream_status isncsci_stream_classify(FILE *in, FILE *out, bool compact,
                                              isncsci_stream_result *res);

/* The same over a memory buffer (fuzzing, tests), handed to the parser in
 * pieces of 509 bytes so that tokens and exams straddle reads as on a pipe;
 * out may be NULL (results discarded). */
isncsci_stream_status isncsci_stream_classify_buffer(const void *data, size_t size, FILE *out,
                                                     bool compact, isncsci_stream_result *res);

/* The same, with plain false: yajl reads the whole input, the plain reader
 * stays off (tests compare the two paths). */
isncsci_stream_status isncsci_stream_classify_buffer_with(const void *data, size_t size, FILE *out,
                                                          bool compact, bool plain,
                                                          isncsci_stream_result *res);

#endif
