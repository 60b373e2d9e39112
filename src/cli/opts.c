#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

int opts_parse(const char *command, int argc, char **argv, int first, const cli_option *options,
               const char *usage, bool *help)
{
    *help = false;
    for (const cli_option *o = options; o->name; o++)
        *o->value = NULL;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, stdout);
            *help = true;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "cellclinic %s: unexpected argument '%s'\n", command, arg);
            return 2;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        bool database = len == 8 && strncmp(name, "database", 8) == 0;
        if (database) { /* --database URL: the store at a PostgreSQL URI, where --data names a
                         * directory (SQLite); the commands take either as their location */
            name = "data";
            len = 4;
        }
        const cli_option *o = options;
        while (o->name && !(strlen(o->name) == len && strncmp(o->name, name, len) == 0))
            o++;
        if (!o->name) {
            fprintf(stderr, "cellclinic %s: unknown option --%.*s\n", command, (int)len, name);
            return 2;
        }
        if (*o->value) {
            fprintf(stderr, "cellclinic %s: option --%s given twice\n", command,
                    strcmp(o->name, "data") == 0 ? "data or --database" : o->name);
            return 2;
        }
        if (!o->takes_value) {
            if (eq) {
                fprintf(stderr, "cellclinic %s: option --%s takes no value\n", command, o->name);
                return 2;
            }
            *o->value = "1";
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value || (!eq && strncmp(value, "--", 2) == 0) || !*value) {
            fprintf(stderr, "cellclinic %s: option --%s needs a value\n", command, o->name);
            return 2;
        }
        if (strcmp(o->name, "data") == 0 && database != db_location_is_url(value)) {
            fprintf(stderr,
                    database ? "cellclinic %s: option --database must be a PostgreSQL URI "
                               "(postgresql://...)\n"
                             : "cellclinic %s: option --data names a directory; a PostgreSQL "
                               "database is given with --database\n",
                    command);
            return 2;
        }
        *o->value = value;
    }
    for (const cli_option *o = options; o->name; o++) {
        if (o->required && !*o->value) {
            fprintf(stderr, "cellclinic %s: option --%s is required\n", command,
                    strcmp(o->name, "data") == 0 ? "data (or --database)" : o->name);
            return 2;
        }
    }
    return 0;
}

bool opts_int(const char *command, const char *option, const char *text, int64_t min, int64_t max,
              int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "cellclinic %s: option --%s must be a whole number from %lld to %lld\n",
                command, option, (long long)min, (long long)max);
        return false;
    }
    *out = v;
    return true;
}

bool opts_read_password(const char *command, const char *option, const char *path, char *out,
                        size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cellclinic %s: option --%s: cannot read %s: %s\n", command, option, path,
                strerror(errno));
        return false;
    }
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "cellclinic %s: option --%s: %s is empty\n", command, option, path);
        return false;
    }
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}
