/*
 * server: the HTTP server (libmicrohttpd, internal thread pool).
 *
 * One database connection per worker thread, opened on its first request.
 * Request bodies are capped (413); every response carries the security
 * headers; one log line per request on stderr (method, the route pattern
 * or the static file's path, never the path as typed, so that a secret in
 * a URL such as a questionnaire token is not written; status, duration;
 * never a credential or a patient name). Reads of identified patient data
 * go to the database's access log through the queue of api/access_queue.h.
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
    struct access_queue *access; /* api/access_queue.h */
};

/* Serves until a stop signal; 0 on a clean stop. */
cc_status api_server_run(const api_config *config, cc_error *err);

/* Writes the route table to out as a JSON array, one route a line: method,
 * path pattern and the roles allowed ("public", "any" or role names). */
void api_routes_print(FILE *out);

#endif
