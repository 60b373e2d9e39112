/*
 * cellclinic isbt128: ISBT 128 Donation Identification Number tools:
 * check-char and verify need no data directory; "new" allocates the next
 * sequence number of a facility and year from the data directory's counter
 * (the same counter the laboratory uses for units). Exit codes as in commands.h.
 */
#include <stdio.h>
#include <string.h>

#include "app/laboratory.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "core/date.h"
#include "core/isbt128.h"
#include "store/clock.h"
#include "store/datadir.h"

static const char usage[] =
    "usage: cellclinic isbt128 check-char DIN13\n"
    "       cellclinic isbt128 verify DIN\n"
    "       cellclinic isbt128 new --facility FIN [--year YY] --data DIR\n"
    "       cellclinic isbt128 new --facility FIN [--year YY] --database URL\n"
    "\n"
    "ISBT 128 Donation Identification Numbers (DIN): FIN (A-N, P-Z or 1-9, then\n"
    "4 digits), 2-digit year, 6-digit sequence; check character by ISO/IEC 7064\n"
    "MOD 37-2 over those 13 characters.\n"
    "\n"
    "  check-char DIN13  print the check character of the 13 data characters\n"
    "  verify DIN        exit 0 and print \"valid\" when DIN is valid, else exit 1\n"
    "                    and print why. DIN is the 13 characters followed by the\n"
    "                    check character (W1234261234567), the scanned form\n"
    "                    (=W12342612345600) or the printed form in quotes\n"
    "                    (\"W1234 26 123456 00 7\")\n"
    "  new               allocate the next DIN of facility FIN for year YY (default:\n"
    "                    this year) from the data directory or the PostgreSQL\n"
    "                    database; prints it keyed\n"
    "                    (W1234261234567) then printed (\"W1234 26 123456 00 7\")\n"
    "  -h, --help        show this help\n";

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0;
}

/* Exactly one positional argument after the subcommand, or usage error. */
static int one_argument(int argc, char **argv, const char *what)
{
    if (argc < 3) {
        fprintf(stderr, "isbt128 %s: missing %s (try --help)\n", argv[1], what);
        return 2;
    }
    if (argv[2][0] == '-' && argv[2][1] != '\0') {
        fprintf(stderr, "isbt128 %s: unknown option '%s' (try --help)\n", argv[1], argv[2]);
        return 2;
    }
    if (argc > 3) {
        fprintf(stderr, "isbt128 %s: unexpected argument '%s'\n", argv[1], argv[3]);
        return 2;
    }
    return 0;
}

static int check_char(int argc, char **argv)
{
    int rc = one_argument(argc, argv, "DIN13");
    if (rc)
        return rc;
    const char *in = argv[2];
    if (strlen(in) != ISBT128_DATA_LEN) {
        fprintf(stderr, "isbt128 check-char: DIN13 must be 13 characters (got %zu)\n", strlen(in));
        return 2;
    }
    char keyed[ISBT128_KEYED_TEXT];
    for (int i = 0; i < ISBT128_DATA_LEN; i++)
        keyed[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 'a' + 'A') : in[i];
    keyed[ISBT128_DATA_LEN] = isbt128_mod37_2(keyed, ISBT128_DATA_LEN);
    keyed[ISBT128_DATA_LEN + 1] = '\0';
    isbt128_din din;
    cc_error err;
    if (keyed[ISBT128_DATA_LEN] == '\0' || isbt128_parse(keyed, "DIN13", &din, &err) != CC_OK) {
        fprintf(stderr, "isbt128 check-char: DIN13 is not a DIN: %s\n",
                keyed[ISBT128_DATA_LEN] == '\0' ? "characters must be 0-9 or A-Z" : err.message);
        return 2;
    }
    printf("%c\n", din.check);
    return 0;
}

static int verify(int argc, char **argv)
{
    int rc = one_argument(argc, argv, "DIN");
    if (rc)
        return rc;
    isbt128_din din;
    cc_error err;
    if (isbt128_parse(argv[2], "DIN", &din, &err) != CC_OK) {
        printf("invalid: %s\n", err.message);
        return 1;
    }
    printf("valid\n");
    return 0;
}

static int allocate(int argc, char **argv)
{
    const char *data = NULL, *facility = NULL, *year_text = NULL;
    const cli_option options[] = {{"facility", true, true, &facility},
                                  {"year", true, false, &year_text},
                                  {"data", true, true, &data},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("isbt128 new", argc, argv, 2, options, usage, &help);
    if (rc || help)
        return rc;
    int64_t year;
    if (year_text) {
        if (strlen(year_text) != 2) {
            fprintf(stderr, "isbt128 new: option --year: two digits, 00 to 99\n");
            return 2;
        }
        if (!opts_int("isbt128 new", "year", year_text, 0, 99, &year))
            return 2;
    } else {
        int y, m, d;
        date_to_ymd(instant_date(store_now_seconds()), &y, &m, &d);
        year = y % 100;
    }
    char fin[ISBT128_FIN_LEN + 2];
    snprintf(fin, sizeof fin, "%s", facility);
    for (char *p = fin; *p; p++)
        *p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
    if (!isbt128_fin_is_valid(fin)) {
        fprintf(stderr, "isbt128 new: option --facility: a FIN is A-N, P-Z or 1-9 then 4 digits\n");
        return 2;
    }
    cc_error err;
    db *d;
    if (datadir_open(data, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic isbt128 new: %s\n", err.message);
        return 1;
    }
    app_ctx cli = app_ctx_system(d, NULL);
    cli.actor = (store_actor){0, "cli"};
    isbt128_din din;
    cc_status st = app_lab_din_allocate(&cli, fin, (int)year, &din, &err);
    db_close(d);
    if (st != CC_OK) {
        fprintf(stderr, "cellclinic isbt128 new: %s\n", err.message);
        return st == CC_INVALID ? 2 : 1;
    }
    char keyed[ISBT128_KEYED_TEXT], printed[ISBT128_PRINTED_TEXT];
    isbt128_format_keyed(&din, keyed);
    isbt128_format_printed(&din, printed);
    printf("%s\n%s\n", keyed, printed);
    return 0;
}

int cmd_isbt128(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "isbt128: missing subcommand: check-char, verify or new (try --help)\n");
        return 2;
    }
    const char *sub = argv[1];
    if (is_help(sub)) {
        fputs(usage, stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (is_help(argv[i])) {
            fputs(usage, stdout);
            return 0;
        }
    if (strcmp(sub, "check-char") == 0)
        return check_char(argc, argv);
    if (strcmp(sub, "verify") == 0)
        return verify(argc, argv);
    if (strcmp(sub, "new") == 0)
        return allocate(argc, argv);
    fprintf(stderr, "isbt128: unknown subcommand '%s' (try --help)\n", sub);
    return 2;
}
