/*
 * server: the HTTP server (libmicrohttpd, internal thread pool).
 *
 * One database connection per worker thread, opened on its first request.
 * Request bodies are capped (413); every response carries the security
 * headers; one access-log line per request on stderr (method, path without
 * query, status, duration; never a credential or a patient name).
 * api_server_run blocks until SIGTERM or SIGINT, then stops accepting,
 * lets the requests in flight finish (up to 10 s) and returns.
 */
#ifndef CC_SERVER_H
#define CC_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "api/request.h"

typedef struct {
    const char *data_dir;
    const char *host; /* "127.0.0.1" */
    uint16_t port;
    unsigned threads;
    bool quiet; /* no access log */
} api_config;

struct api_server {
    api_config config;
    api_limits limits;
};

/* Serves until a stop signal; 0 on a clean stop. */
cc_status api_server_run(const api_config *config, cc_error *err);

/* Writes the route table to out as a JSON array, one route a line: method,
 * path pattern and the roles allowed ("public", "any" or role names). */
void api_routes_print(FILE *out);

#endif
