/*
 * status: the project-wide result codes and the error value that carries them.
 *
 * Every fallible function returns a cc_status and, when it fails, fills the
 * caller's cc_error (if non-NULL) with a stable machine code, a human message
 * and, for input errors, the name of the offending field. The set is closed:
 * the API maps each status to one HTTP status in one table (api/http_status).
 *
 * cc_error is a plain value (no heap); it is safe to use from any thread.
 */
#ifndef CC_STATUS_H
#define CC_STATUS_H

#include <stdarg.h>

typedef enum {
    CC_OK = 0,
    CC_INVALID,         /* bad input: the field names what */
    CC_UNAUTHENTICATED, /* no or expired credentials */
    CC_FORBIDDEN,       /* authenticated but not allowed */
    CC_NOT_FOUND,
    CC_CONFLICT,     /* stale version, duplicate, wrong state */
    CC_TOO_LARGE,    /* input exceeds a size limit */
    CC_RATE_LIMITED, /* too many attempts; retry later */
    CC_STORAGE,      /* the store cannot read or write (disk full, read-only) */
    CC_INTERNAL      /* a bug or resource exhaustion */
} cc_status;

typedef struct {
    cc_status status;
    char code[40];     /* stable machine-readable code, e.g. "invalid_date" */
    char field[64];    /* offending input field, "" when none */
    char message[256]; /* English sentence for logs and clients */
} cc_error;

/* Fills err (if non-NULL) and returns status, so failing takes one line:
 *   return cc_fail(err, CC_INVALID, "birth_date", "invalid_date", "...%s", x);
 * code and field may be NULL. */
cc_status cc_fail(cc_error *err, cc_status status, const char *field, const char *code,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Resets err to CC_OK with empty strings. */
void cc_error_clear(cc_error *err);

/* Short lowercase name of a status ("invalid", "not_found", ...). */
const char *cc_status_name(cc_status status);

#endif
