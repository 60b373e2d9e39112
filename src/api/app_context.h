/*
 * app_context: the use-case context (app_ctx) of one HTTP request: its
 * connection, the acting user (or "public"), the user's role and language,
 * and the request's arena. Everything is borrowed from the request and lives
 * as long as it. Not thread-safe: one request per thread.
 */
#ifndef CC_API_APP_CONTEXT_H
#define CC_API_APP_CONTEXT_H

#include "api/request.h"
#include "app/app.h"

static inline app_ctx api_app_ctx(api_request *req)
{
    return (app_ctx){
        .d = req->db,
        .actor = api_actor(req),
        .role = req->authenticated ? req->who.role : "public",
        .language = req->authenticated && req->who.language[0] ? req->who.language : "en",
        .arena = req->arena,
        .site_id = req->authenticated ? req->who.site_id : 0,
    };
}

#endif
