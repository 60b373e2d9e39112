/*
 * opts: the one option parser of the subcommands.
 *
 * Options are "--name VALUE" or "--name=VALUE", or flags "--name". Unknown
 * options, missing values, repeated options and stray arguments are refused
 * with a one-line message on stderr naming the option; the caller exits 2.
 * Values point into argv (borrowed). An option named "data" (a data
 * directory) also answers to --database URL (a PostgreSQL URI), so every
 * command that takes a data directory takes a PostgreSQL database too; the
 * value is the store's location (db_open).
 */
#ifndef CC_OPTS_H
#define CC_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name; /* without dashes */
    bool takes_value;
    bool required;
    const char **value; /* receives the value (or "1" for a flag) */
} cli_option;

/* Parses argv[first..argc); options ends with a NULL name. --help prints
 * usage and sets *help. Returns 0 ok, 2 usage error (already reported). */
int opts_parse(const char *command, int argc, char **argv, int first, const cli_option *options,
               const char *usage, bool *help);

/* Parses an integer option in [min, max]; reports and returns false when bad. */
bool opts_int(const char *command, const char *option, const char *text, int64_t min, int64_t max,
              int64_t *out);

/* Reads a password from a file (first line, without its newline). */
bool opts_read_password(const char *command, const char *option, const char *path, char *out,
                        size_t cap);

#endif
