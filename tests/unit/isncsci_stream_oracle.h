/*
 * isncsci_stream_oracle: runs one input through the streaming classifier
 * (app/isncsci_stream.h) and through the whole-document jansson path
 * (json_loadb with JSON_REJECT_DUPLICATES, isncsci_json_classify_document,
 * json_dumps, a newline: what `isncsci classify` did before it streamed), and
 * says whether they agree:
 *  - jansson accepts and every exam is valid: the same bytes;
 *  - jansson accepts and exam i is invalid: the stream reports exam i with the
 *    same message;
 *  - jansson refuses the text: the stream refuses it too (as malformed JSON,
 *    or as an invalid exam when the offending text sits inside one);
 *  - whenever the stream fails, what it wrote does not parse as JSON.
 * Used by tests/unit/test_isncsci_stream.c and tests/fuzz/fuzz_isncsci_stream.c.
 * Header-only (static functions); returns NULL on agreement, else a static
 * description of the disagreement. Not thread-safe (static buffer).
 */
#ifndef CC_TEST_ISNCSCI_STREAM_ORACLE_H
#define CC_TEST_ISNCSCI_STREAM_ORACLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/isncsci_json.h"
#include "app/isncsci_stream.h"

enum { ORACLE_OK = 0, ORACLE_SYNTAX = 1, ORACLE_EXAM = 2, ORACLE_OTHER = 3 };

typedef struct {
    int kind;
    size_t index;
    char message[300];
    char *out; /* malloc'd, NUL-terminated */
    size_t out_len;
} oracle_run;

static void oracle_exam_message(oracle_run *o, size_t index, const cc_error *err)
{
    o->kind = ORACLE_EXAM;
    o->index = index;
    if (err->field[0] != '\0')
        snprintf(o->message, sizeof o->message, "exam %zu: %s", index, err->message);
    else
        snprintf(o->message, sizeof o->message, "%s", err->message);
}

static void oracle_jansson(const void *data, size_t size, bool compact, oracle_run *o)
{
    memset(o, 0, sizeof *o);
    json_error_t jerr;
    json_t *doc = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        o->kind = ORACLE_SYNTAX;
        snprintf(o->message, sizeof o->message, "%s", jerr.text);
        return;
    }
    json_t *out = NULL;
    size_t bad = 0;
    cc_error err;
    cc_error_clear(&err);
    cc_status st = isncsci_json_classify_document(doc, (size_t)-1, &out, &bad, &err);
    json_decref(doc);
    if (st != CC_OK) {
        oracle_exam_message(o, bad, &err);
        return;
    }
    char *text = json_dumps(out, compact ? JSON_COMPACT : JSON_INDENT(2));
    json_decref(out);
    if (text == NULL) {
        o->kind = ORACLE_OTHER;
        return;
    }
    o->out_len = strlen(text) + 1;
    o->out = malloc(o->out_len + 1);
    if (o->out != NULL) {
        memcpy(o->out, text, o->out_len - 1);
        o->out[o->out_len - 1] = '\n';
        o->out[o->out_len] = '\0';
    }
    free(text);
}

static void oracle_stream(const void *data, size_t size, bool compact, bool whole, oracle_run *o)
{
    memset(o, 0, sizeof *o);
    FILE *out = open_memstream(&o->out, &o->out_len);
    isncsci_stream_result res;
    isncsci_stream_status st;
    if (whole) {
        /* the CLI's path: a FILE read 64 KiB at a time */
        FILE *in = fmemopen((void *)data, size, "r");
        st = in != NULL ? isncsci_stream_classify(in, out, compact, &res) : ISNCSCI_STREAM_READ;
        if (in != NULL)
            fclose(in);
    } else {
        st = isncsci_stream_classify_buffer(data, size, out, compact, &res);
    }
    fclose(out);
    switch (st) {
    case ISNCSCI_STREAM_OK: o->kind = ORACLE_OK; break;
    case ISNCSCI_STREAM_SYNTAX:
        o->kind = ORACLE_SYNTAX;
        snprintf(o->message, sizeof o->message, "%s", res.text);
        break;
    case ISNCSCI_STREAM_EXAM: oracle_exam_message(o, res.index, &res.err); break;
    default: o->kind = ORACLE_OTHER; break;
    }
}

/* whole: through a FILE (fmemopen; needs size > 0), else the buffer reader */
static const char *oracle_compare(const void *data, size_t size, bool compact, bool whole)
{
    static char why[900];
    oracle_run old, now;
    oracle_jansson(data, size, compact, &old);
    oracle_stream(data, size, compact, whole, &now);
    const char *r = NULL;
    if (now.kind != ORACLE_OK && now.out_len > 0) {
        json_t *partial = json_loadb(now.out, now.out_len, 0, NULL);
        if (partial != NULL) {
            json_decref(partial);
            r = "the stream failed but wrote a complete JSON document";
        }
    }
    if (r != NULL) {
    } else if (old.kind == ORACLE_OTHER || now.kind == ORACLE_OTHER) {
        r = "out of memory or I/O failure";
    } else if (old.kind == ORACLE_SYNTAX) {
        if (now.kind == ORACLE_OK)
            r = why,
            snprintf(why, sizeof why, "jansson refuses (%s), the stream accepts", old.message);
    } else if (old.kind == ORACLE_EXAM) {
        if (now.kind != ORACLE_EXAM || strcmp(old.message, now.message) != 0)
            r = why,
            snprintf(why, sizeof why, "bad exam: jansson path says \"%s\", stream says \"%s\"",
                     old.message, now.message);
    } else if (now.kind != ORACLE_OK) {
        r = why,
        snprintf(why, sizeof why, "jansson path accepts, the stream says \"%s\"", now.message);
    } else if (old.out_len != now.out_len || memcmp(old.out, now.out, old.out_len) != 0) {
        r = "different output bytes";
    }
    free(old.out);
    free(now.out);
    return r;
}

/* ---- the plain reader against yajl alone ---- */

typedef struct {
    isncsci_stream_result res;
    char *out; /* malloc'd */
    size_t out_len;
} oracle_path_run;

static void oracle_path(const void *data, size_t size, bool compact, bool plain, oracle_path_run *o)
{
    memset(o, 0, sizeof *o);
    FILE *out = open_memstream(&o->out, &o->out_len);
    isncsci_stream_classify_buffer_with(data, size, out, compact, plain, &o->res);
    fclose(out);
}

/* The stream with its plain reader (core/isncsci_scan.h) and with yajl
 * reading everything: the same status, message, line and column, exam index
 * and error, exam count and output bytes; NULL when they agree. */
static const char *oracle_compare_paths(const void *data, size_t size, bool compact)
{
    static char why[900];
    oracle_path_run a, b;
    oracle_path(data, size, compact, true, &a);
    oracle_path(data, size, compact, false, &b);
    const isncsci_stream_result *x = &a.res, *y = &b.res;
    const char *r = why;
    if (x->status != y->status || x->index != y->index || x->exams != y->exams ||
        x->line != y->line || x->column != y->column || strcmp(x->text, y->text) != 0)
        snprintf(why, sizeof why,
                 "plain reader: status %d, exam %zu of %zu, \"%s\" at %lu:%lu; yajl alone: "
                 "status %d, exam %zu of %zu, \"%s\" at %lu:%lu",
                 (int)x->status, x->index, x->exams, x->text, x->line, x->column, (int)y->status,
                 y->index, y->exams, y->text, y->line, y->column);
    else if (x->err.status != y->err.status || strcmp(x->err.code, y->err.code) != 0 ||
             strcmp(x->err.field, y->err.field) != 0 || strcmp(x->err.message, y->err.message) != 0)
        snprintf(why, sizeof why, "plain reader: %s \"%s\"; yajl alone: %s \"%s\"", x->err.code,
                 x->err.message, y->err.code, y->err.message);
    else if (a.out_len != b.out_len || memcmp(a.out, b.out, a.out_len) != 0)
        r = "plain reader and yajl alone wrote different bytes";
    else
        r = NULL;
    free(a.out);
    free(b.out);
    return r;
}

#endif
