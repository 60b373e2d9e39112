/*
 * commands: one entry point per subcommand of the cellclinic program.
 *
 * Each takes the arguments after the program name (argv[0] is the command
 * name) and returns the process exit code: 0 success, 1 the operation failed
 * or found a problem, 2 bad usage (unknown option, missing or bad value),
 * with a one-line message on stderr naming the option.
 */
#ifndef CC_COMMANDS_H
#define CC_COMMANDS_H

#include <stdbool.h>
#include "store/db.h"

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_mfa(int argc, char **argv);
int cmd_backup(int argc, char **argv);        /* backup, backup keygen */
int cmd_restore(int argc, char **argv);       /* restore --from FILE --data DIR */
int cmd_migrate_store(int argc, char **argv); /* migrate-store --from DIR --to URL */
int cmd_demo(int argc, char **argv);
int cmd_routes(int argc, char **argv);
/* Helpers working in other branches add their commands below this line. */
int cmd_isbt128(int argc, char **argv);     /* check-char, verify, new */
int cmd_isncsci(int argc, char **argv);     /* isncsci classify: ISNCSCI exams, stdin -> stdout */
int cmd_instruments(int argc, char **argv); /* instruments list|show|score ID < answers.json */

/* treatment programmes */
int cmd_plan(int argc, char **argv);      /* plan of a hypothetical patient */
int cmd_protocols(int argc, char **argv); /* protocols list | show */

/* outcome report and de-identified export */
int cmd_report(int argc, char **argv); /* report outcomes --data --protocol ... */
int cmd_export(int argc, char **argv); /* export deidentified --data --out */

/* Builds the measure series of an older data dir (once) and the report
 * digests (once), saying so on stderr under the command's name first: they
 * read every stored observation and the report's tables; then makes the
 * stale digests anew. check_digests (a server's start): first reads every
 * digest and, when one is damaged, has them all made anew. */
cc_status cli_prepare_reports(db *d, const char *command, bool check_digests, cc_error *err);

#endif
