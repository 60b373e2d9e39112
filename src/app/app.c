#include "app/app.h"

#include <string.h>

app_ctx app_ctx_system(db *d, arena *a)
{
    return (app_ctx){.d = d,
                     .actor = {0, "system"},
                     .role = "system",
                     .language = "en",
                     .arena = a,
                     .site_id = 1};
}

app_ctx app_ctx_demo(db *d, arena *a)
{
    return (app_ctx){.d = d,
                     .actor = {0, "demo"},
                     .role = "system",
                     .language = "en",
                     .arena = a,
                     .synthetic = true,
                     .site_id = 1};
}

bool app_transaction_aborted(cc_status st, const cc_error *err)
{
    return st == CC_STORAGE && err && strcmp(err->code, DB_TRANSACTION_ABORTED) == 0;
}
