/* cellclinic serve: the HTTP server; cellclinic routes: its route table. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/server.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "store/audit_checkpoint.h"
#include "store/datadir.h"

/* One polling thread per processor: more only take turns on the same
 * cores, and a connection whose thread waits for its turn waits with it
 * (on 2 cores, 1,000 readers beside 64 writers: p99 32-34 ms with 2
 * threads, 43-44 ms with 4, the same throughput; bench/RESULTS.md). */
static int64_t default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : n;
}

int cmd_serve(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic serve --data DIR [--listen 127.0.0.1:8080] [--threads N] [--quiet]\n"
        "       cellclinic serve --database URL [--read-database URL] [options as above]\n"
        "       [--max-connections N] [--per-address-connections N] [--idle-timeout SECONDS]\n"
        "       [--trusted-proxy ADDR[,ADDR...]] [--proxy-tls]\n"
        "       [--audit-key FILE] [--checkpoint-every N]\n\n"
        "Serves the web interface and the API on HOST:PORT (IPv4) with N threads\n"
        "(default: one per processor, 1..64), 8 more for writes and one that\n"
        "accepts connections.\n"
        "--quiet turns the access log off.\n"
        "SIGTERM or SIGINT stops it after the requests in flight finish.\n\n"
        "Connections: at most --max-connections in all (default 1000, 16..100000)\n"
        "and --per-address-connections from one address (default 64; 0 for no\n"
        "limit; with --trusted-proxy the default is no limit, as every connection\n"
        "then comes from the proxy, which limits per client itself). A connection\n"
        "idle for --idle-timeout seconds is closed (default 30, 1..3600).\n\n"
        "--trusted-proxy: IPv4 addresses or ADDR/BITS (comma list, up to 16) of\n"
        "reverse proxies whose X-Forwarded-For (last hop) or X-Real-IP names the\n"
        "client for throttling and the access log; from any other peer these\n"
        "headers are ignored. --proxy-tls: those proxies terminate TLS; requests\n"
        "through them get the session cookie as __Host-cc_session with Secure,\n"
        "and Strict-Transport-Security. See docs/operations.md.\n\n"
        "A signed checkpoint of the audit trail is appended to\n"
        "DIR/audit-checkpoints.log at start, at least every N audit entries\n"
        "(default 1000, 1..1000000) and at a clean stop, signed with\n"
        "DIR/audit-signing.key or --audit-key FILE (mode 0600; either is made when\n"
        "missing, and its public half added to DIR/audit-signing.pub).\n\n"
        "--database URL: a PostgreSQL database (postgresql://...) instead of DIR,\n"
        "which several servers may share; its signing key has no default place:\n"
        "without --audit-key the trail is kept and verified but not checkpointed.\n"
        "--read-database URL: a replica of it (a hot standby) on which the outcome\n"
        "report and its charts run, saying how many seconds its data lag.\n";
    const char *data, *listen, *threads_text, *quiet, *max_text, *per_address_text, *idle_text,
        *proxies, *proxy_tls, *key, *every_text, *read_location;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"listen", true, false, &listen},
                                  {"read-database", true, false, &read_location},
                                  {"threads", true, false, &threads_text},
                                  {"quiet", false, false, &quiet},
                                  {"max-connections", true, false, &max_text},
                                  {"per-address-connections", true, false, &per_address_text},
                                  {"idle-timeout", true, false, &idle_text},
                                  {"trusted-proxy", true, false, &proxies},
                                  {"proxy-tls", false, false, &proxy_tls},
                                  {"audit-key", true, false, &key},
                                  {"checkpoint-every", true, false, &every_text},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("serve", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    if (read_location && (!db_location_is_url(read_location) || !db_location_is_url(data))) {
        fprintf(stderr, "cellclinic serve: option --read-database: a PostgreSQL URI "
                        "(postgresql://...) of a replica, with --database\n");
        return 2;
    }
    char host[64] = "127.0.0.1";
    int64_t port = 8080, threads = default_threads();
    if (listen) {
        const char *colon = strrchr(listen, ':');
        if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) {
            fprintf(stderr,
                    "cellclinic serve: option --listen must be HOST:PORT, e.g. 127.0.0.1:8080\n");
            return 2;
        }
        snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
        if (!opts_int("serve", "listen", colon + 1, 1, 65535, &port))
            return 2;
    }
    if (threads_text && !opts_int("serve", "threads", threads_text, 1, 64, &threads))
        return 2;
    int64_t max_connections = API_DEFAULT_MAX_CONNECTIONS, idle = API_DEFAULT_IDLE_TIMEOUT_S;
    int64_t per_address = proxies ? 0 : API_DEFAULT_PER_ADDRESS_CONNECTIONS;
    if ((max_text &&
         !opts_int("serve", "max-connections", max_text, 16, 100000, &max_connections)) ||
        (per_address_text && !opts_int("serve", "per-address-connections", per_address_text, 0,
                                       100000, &per_address)) ||
        (idle_text && !opts_int("serve", "idle-timeout", idle_text, 1, 3600, &idle)))
        return 2;
    if (proxy_tls && !proxies) {
        fprintf(stderr, "cellclinic serve: option --proxy-tls needs --trusted-proxy\n");
        return 2;
    }
    int64_t every = 1000;
    if (every_text && !opts_int("serve", "checkpoint-every", every_text, 1, 1000000, &every))
        return 2;
    cc_error err;
    api_proxy_net nets[API_MAX_TRUSTED_PROXIES];
    int n_nets;
    if (api_parse_trusted_proxies(proxies, nets, &n_nets, &err) != CC_OK) {
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        return 2;
    }
    /* held until the process ends: restore refuses to replace the database under it */
    int lock;
    if (datadir_lock(data, DATADIR_LOCK_SHARED, &lock, &err) != CC_OK) {
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        return 1;
    }
    db *d;
    if (datadir_open(data, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        return 1;
    }
    /* derived data an older data dir lacks is built before the first request,
     * damaged report digests made anew */
    cc_status st = cli_prepare_reports(d, "cellclinic serve", true, &err);
    audit_signer signer = {0};
    bool created = false;
    /* a PostgreSQL database has no directory of its own for the key: without
     * --audit-key the chain is kept and verified, but not checkpointed */
    bool signing = key || !db_location_is_url(data);
    if (st == CC_OK && signing)
        st = audit_signer_load(data, key, true, &signer, &created, &err);
    else if (st == CC_OK)
        fprintf(stderr, "cellclinic serve: no --audit-key: the audit trail is not checkpointed\n");
    if (st != CC_OK) {
        db_close(d);
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        return err.status == CC_INVALID ? 2 : 1;
    }
    if (created)
        fprintf(stderr,
                "cellclinic serve: created the audit signing key %s (mode 0600); back it up "
                "apart from the data directory\n",
                signer.key_path);
    /* a data directory that cannot take a checkpoint now (full, read-only)
     * is still served; the automatic checkpoints and the closing one try again */
    if (signing && audit_checkpoint_write(d, &signer, "start", NULL, NULL, &err) != CC_OK)
        fprintf(stderr, "cellclinic serve: cannot write an audit checkpoint: %s\n", err.message);
    if (signing && audit_checkpoints_auto(d, &signer, every, &err) != CC_OK)
        fprintf(stderr, "cellclinic serve: automatic audit checkpoints are off: %s\n", err.message);
    db_close(d);
    api_config config = {.data_dir = data,
                         .read_location = read_location,
                         .host = host,
                         .port = (uint16_t)port,
                         .threads = (unsigned)threads,
                         .quiet = quiet != NULL,
                         .max_connections = (unsigned)max_connections,
                         .per_address_connections = (unsigned)per_address,
                         .idle_timeout_s = (unsigned)idle,
                         .trusted_proxies = proxies,
                         .proxy_tls = proxy_tls != NULL};
    rc = 0;
    if (api_server_run(&config, &err) != CC_OK) {
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        rc = err.status == CC_INVALID ? 2 : 1;
    }
    audit_checkpoints_auto(NULL, NULL, 0, &err);
    if (rc == 0 && signing && (st = datadir_connect(data, &d, &err)) == CC_OK) {
        st = audit_checkpoint_write(d, &signer, "shutdown", NULL, NULL, &err);
        db_close(d);
    }
    if (rc == 0 && st != CC_OK) {
        fprintf(stderr, "cellclinic serve: cannot write the closing audit checkpoint: %s\n",
                err.message);
        rc = 1;
    }
    audit_signer_wipe(&signer);
    return rc;
}

int cmd_routes(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic routes\n\n"
        "Prints the API route table as JSON: method, path and the roles allowed\n"
        "(\"public\", \"any\" or role names).\n";
    const cli_option options[] = {{NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("routes", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    api_routes_print(stdout);
    return 0;
}
