/* cellclinic serve: the HTTP server; cellclinic routes: its route table. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/server.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "store/datadir.h"

int cmd_serve(int argc, char **argv)
{
    static const char usage[] =
        "usage: cellclinic serve --data DIR [--listen 127.0.0.1:8080] [--threads N] [--quiet]\n\n"
        "Serves the web interface and the API on HOST:PORT (IPv4) with N worker\n"
        "threads (default 4, 1..64). --quiet turns the access log off.\n"
        "SIGTERM or SIGINT stops it after the requests in flight finish.\n";
    const char *data, *listen, *threads_text, *quiet;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"listen", true, false, &listen},
                                  {"threads", true, false, &threads_text},
                                  {"quiet", false, false, &quiet},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("serve", argc, argv, 1, options, usage, &help);
    if (rc || help)
        return rc;
    char host[64] = "127.0.0.1";
    int64_t port = 8080, threads = 4;
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
    cc_error err;
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
    /* derived data an older data dir lacks is built before the first request */
    cc_status st = cli_prepare_reports(d, "cellclinic serve", &err);
    db_close(d);
    if (st != CC_OK) {
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        return 1;
    }
    api_config config = {data, host, (uint16_t)port, (unsigned)threads, quiet != NULL};
    if (api_server_run(&config, &err) != CC_OK) {
        fprintf(stderr, "cellclinic serve: %s\n", err.message);
        return err.status == CC_INVALID ? 2 : 1;
    }
    return 0;
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
