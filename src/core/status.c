#include "status.h"

#include <stdio.h>
#include <string.h>

static void copy_bounded(char *dst, size_t cap, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    snprintf(dst, cap, "%s", src);
}

cc_status cc_fail(cc_error *err, cc_status status, const char *field, const char *code,
                  const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    copy_bounded(err->field, sizeof err->field, field);
    copy_bounded(err->code, sizeof err->code, code ? code : cc_status_name(status));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void cc_error_clear(cc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *cc_status_name(cc_status status)
{
    switch (status) {
    case CC_OK: return "ok";
    case CC_INVALID: return "invalid";
    case CC_UNAUTHENTICATED: return "unauthenticated";
    case CC_FORBIDDEN: return "forbidden";
    case CC_NOT_FOUND: return "not_found";
    case CC_CONFLICT: return "conflict";
    case CC_TOO_LARGE: return "too_large";
    case CC_RATE_LIMITED: return "rate_limited";
    case CC_STORAGE: return "storage_unavailable";
    case CC_INTERNAL: return "internal";
    }
    return "internal";
}
