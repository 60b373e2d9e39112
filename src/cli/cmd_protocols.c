/* cellclinic protocols list | show ID [--version N] [--data DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/programmes.h"
#include "app/protocol_json.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "store/datadir.h"
#include "store/protocols.h"
#include "store/protocols_builtin.h"

static const char USAGE[] =
    "usage: cellclinic protocols list [--data DIR]\n"
    "       cellclinic protocols show ID [--version N] [--data DIR]\n\n"
    "Lists the treatment programmes (latest version of each) or prints one\n"
    "protocol version as JSON. Without --data: the versions shipped with this\n"
    "binary; with --data: the versions published in that data directory.\n";

static int list(db *d)
{
    arena *a = arena_create(8 << 20);
    cc_error err;
    int rc = 0;
    if (!a)
        return 1;
    if (d) {
        protocol_row *rows;
        size_t n;
        if (protocol_store_list(d, a, &rows, &n, &err) != CC_OK) {
            fprintf(stderr, "cellclinic protocols: %s\n", err.message);
            rc = 1;
        }
        for (size_t i = 0; rc == 0 && i < n; i++) {
            protocol p;
            if (programme_load(d, a, rows[i].protocol_id, rows[i].version, &p, &err) == CC_OK)
                printf("%-14s v%-3d %-9s %s\n", p.id, p.version, rows[i].origin, p.name_en);
        }
    } else {
        for (const protocol_builtin *b = protocol_builtins; b->id; b++) {
            protocol p;
            /* sorted by file name, the versions of an id are adjacent: one line per id */
            if (b[1].id && strcmp(b[1].id, b->id) == 0)
                continue;
            if (programme_load(NULL, a, b->id, 0, &p, &err) == CC_OK)
                printf("%-14s v%-3d %-9s %s\n", p.id, p.version, "shipped", p.name_en);
        }
    }
    arena_release(a);
    return rc;
}

static int show(db *d, const char *id, int version)
{
    arena *a = arena_create(8 << 20);
    cc_error err;
    if (!a)
        return 1;
    const char *text = NULL;
    protocol p;
    if (programme_load(d, a, id, version, &p, &err) != CC_OK) {
        fprintf(stderr, "cellclinic protocols show: %s %s\n",
                strcmp(err.field, "version") == 0 ? "option --version:" : "", err.message);
        arena_release(a);
        return err.status == CC_NOT_FOUND ? 2 : 1;
    }
    if (d) {
        protocol_row row;
        if (protocol_store_get(d, a, id, p.version, &row, &err) == CC_OK)
            text = row.body;
    } else {
        for (const protocol_builtin *b = protocol_builtins; b->id; b++)
            if (strcmp(b->id, id) == 0 && b->version == p.version)
                text = b->json;
    }
    if (text)
        fputs(text, stdout);
    arena_release(a);
    return text ? 0 : 1;
}

int cmd_protocols(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    bool is_show = strcmp(argv[1], "show") == 0;
    if (!is_show && strcmp(argv[1], "list") != 0) {
        fprintf(stderr, "cellclinic protocols: unknown subcommand '%s' (list or show)\n", argv[1]);
        return 2;
    }
    const char *id = NULL;
    int first = 2;
    if (is_show) {
        if (argc < 3 || strncmp(argv[2], "--", 2) == 0) {
            if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
                fputs(USAGE, stdout);
                return 0;
            }
            fprintf(stderr, "cellclinic protocols show: which protocol? (see protocols list)\n");
            return 2;
        }
        id = argv[2];
        first = 3;
    }
    const char *version_text, *data;
    const cli_option options[] = {{"version", true, false, &version_text},
                                  {"data", true, false, &data},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse(is_show ? "protocols show" : "protocols list", argc, argv, first, options,
                        USAGE, &help);
    if (rc || help)
        return rc;
    int64_t version = 0;
    if (version_text) {
        if (!is_show) {
            fprintf(stderr, "cellclinic protocols list: option --version is for show\n");
            return 2;
        }
        if (!opts_int("protocols show", "version", version_text, 1, 100000, &version))
            return 2;
    }
    db *d = NULL;
    cc_error err;
    if (data && datadir_connect(data, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic protocols: option --data: %s\n", err.message);
        return 1;
    }
    rc = is_show ? show(d, id, (int)version) : list(d);
    if (d)
        db_close(d);
    return rc;
}
