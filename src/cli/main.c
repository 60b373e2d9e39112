/* cellclinic: the command-line entry point; one file per subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "store/clock.h"

#ifndef CC_VERSION
#define CC_VERSION "dev"
#endif

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"init", cmd_init, "create a new data directory with an admin account"},
    {"serve", cmd_serve, "serve the web interface and the HTTP API"},
    {"user", cmd_user, "manage user accounts (user add, list, disable, enable, reset-password)"},
    {"mfa", cmd_mfa,
     "multi-factor login: which roles need it, reset a user's (mfa require | reset)"},
    {"audit", cmd_audit, "check the audit trail (audit verify)"},
    {"backup", cmd_backup, "checked online copy of the database, optionally encrypted"},
    {"restore", cmd_restore, "replace a data directory's database by a checked backup"},
    {"migrate-store", cmd_migrate_store, "copy a data directory into an empty PostgreSQL database"},
    {"demo", cmd_demo, "add synthetic demonstration patients and requests"},
    {"isbt128", cmd_isbt128, "ISBT 128 donation identification numbers (check-char, verify, new)"},
    {"isncsci", cmd_isncsci, "classify ISNCSCI examinations (isncsci classify < exams.json)"},
    {"instruments", cmd_instruments, "outcome instruments (instruments list | show ID | score ID)"},
    {"plan", cmd_plan, "plan of a hypothetical patient (protocol, weight, start)"},
    {"protocols", cmd_protocols, "treatment programmes (protocols list | show ID)"},
    {"export", cmd_export,
     "de-identified export for analysts (export deidentified --data DIR --out DIR)"},
    {"report", cmd_report,
     "outcome report of a protocol (report outcomes --data DIR --protocol ID)"},
    {"routes", cmd_routes, "print the API route table with its permissions (JSON)"},
};

/* Moves the program's clock by CELLCLINIC_CLOCK_OFFSET_DAYS when set (a test and drill
 * facility, docs/operations.md), saying so on stderr; false (with the message printed)
 * when the value is refused. */
static bool clock_offset_from_environment(void)
{
    const char *text = getenv(STORE_CLOCK_OFFSET_VARIABLE);
    if (text == NULL)
        return true;
    cc_error err;
    if (store_clock_set_offset_text(text, &err) != CC_OK) {
        fprintf(stderr, "cellclinic: %s\n", err.message);
        return false;
    }
    if (store_clock_offset_days() != 0)
        fprintf(stderr, "cellclinic: clock moved by %d days (%s): for tests and drills only\n",
                (int)store_clock_offset_days(), STORE_CLOCK_OFFSET_VARIABLE);
    return true;
}

static void usage(FILE *out)
{
    fputs("usage: cellclinic COMMAND [OPTIONS]\n"
          "       cellclinic --version | --help | COMMAND --help\n\n"
          "Information system of cell-therapy clinics and their laboratories.\n\ncommands:\n",
          out);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(out, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("cellclinic %s\n", CC_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return clock_offset_from_environment() ? COMMANDS[i].run(argc - 1, argv + 1) : 2;
    fprintf(stderr, "cellclinic: unknown command '%s' (see cellclinic --help)\n", argv[1]);
    return 2;
}
