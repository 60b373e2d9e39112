/*
 * server: the HTTP server (libmicrohttpd, internal thread pool).
 *
 * The library's polling threads answer the reads; every request that may
 * write (and the long reads) runs on a small pool of worker threads, its
 * connection suspended meanwhile, so that a read never waits behind a
 * write's lock or sync. One database connection per thread (polling or
 * worker), opened on its first request.
 * Request bodies are capped (413); every response carries the security
 * headers; one log line per request on stderr (method, the route pattern
 * or the static file's path, never the path as typed, so that a secret in
 * a URL such as a questionnaire token is not written; status, duration;
 * never a credential or a patient name). Reads of identified patient data
 * go to the database's access log through the queue of api/access_queue.h.
 * api_server_run blocks until SIGTERM or SIGINT, then stops accepting,
 * lets the requests in flight finish (up to 10 s) and returns.
 *
 * Connections are bounded in total and per address, and an idle one is
 * closed after a timeout, so that one client cannot hold every socket.
 * The client address (throttles, access log) is the TCP peer, or the
 * address a trusted reverse proxy forwards when the peer is one of them.
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
    /* A replica of data_dir (a PostgreSQL URI) for the ROUTE_REPLICA reads;
     * NULL: they read the primary. */
    const char *read_location;
    const char *host; /* "127.0.0.1" */
    uint16_t port;
    unsigned threads;
    bool quiet;                       /* no access log */
    unsigned max_connections;         /* in total */
    unsigned per_address_connections; /* 0: no per-address limit */
    unsigned idle_timeout_s;
    /* Comma list of IPv4 addresses or ADDR/BITS whose X-Forwarded-For and
     * X-Real-IP are believed; NULL or "" for none. */
    const char *trusted_proxies;
    /* The trusted proxies terminate TLS: requests through them get the
     * Secure __Host- cookie and HSTS. */
    bool proxy_tls;
} api_config;

enum {
    API_DEFAULT_MAX_CONNECTIONS = 1000,
    API_DEFAULT_PER_ADDRESS_CONNECTIONS = 64,
    API_DEFAULT_IDLE_TIMEOUT_S = 30,
    API_MAX_TRUSTED_PROXIES = 16,
};

typedef struct {
    uint32_t addr, mask; /* host byte order */
} api_proxy_net;

struct api_server {
    api_config config;
    api_limits limits;
    api_proxy_net proxies[API_MAX_TRUSTED_PROXIES];
    int n_proxies;
    struct access_queue *access;  /* api/access_queue.h */
    struct worker_pool *workers;  /* api/worker_pool.h: writes and long reads */
    struct commit_queue *commits; /* api/commit_queue.h: the writes, in batches */
};

/* Parses a --trusted-proxy list ("10.0.0.1,192.168.0.0/24"); CC_INVALID
 * naming the first bad item. */
cc_status api_parse_trusted_proxies(const char *list, api_proxy_net out[API_MAX_TRUSTED_PROXIES],
                                    int *n, cc_error *err);

/* Serves until a stop signal; 0 on a clean stop. */
cc_status api_server_run(const api_config *config, cc_error *err);

/* Writes the route table to out as a JSON array, one route a line: method,
 * path pattern and the roles allowed ("public", "any" or role names). */
void api_routes_print(FILE *out);

#endif
