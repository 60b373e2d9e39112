/* cellclinic report outcomes: the outcome report from the command line (see USAGE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/observation_measures.h"
#include "app/report_digests.h"
#include "app/report_json.h"
#include "render/report_render.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "core/date.h"
#include "store/clock.h"
#include "store/datadir.h"
#include "store/measure_series.h"
#include "store/report_data.h"
#include "store/report_digests.h"

static const char USAGE[] =
    "usage: cellclinic report outcomes --data DIR --protocol ID|all [--from YYYY-MM-DD]\n"
    "                  [--to YYYY-MM-DD] [--condition ICD10] [--product-type TYPE]\n"
    "                  [--route ROUTE] [--format json|csv|html|pdf] [--out FILE]\n"
    "                  [--deidentified] [--min-group N] [--sites CODES|all]\n\n"
    "The outcome report of one protocol: participant flow, per instrument and\n"
    "time point n, mean, SD, 95% CI, median, IQR and paired change from\n"
    "baseline, ISNCSCI AIS grades with improvement (Wilson) and the sensitivity\n"
    "line, adverse events (Clopper-Pearson). Every figure with its denominator.\n"
    "--protocol all reports every protocol together (one row per patient and\n"
    "protocol). --from/--to select the patients whose treatment starts in that\n"
    "period; --condition those with a recorded ICD-10 code starting with it;\n"
    "--product-type and --route those with an administration of that product\n"
    "type or by that route.\n"
    "--deidentified writes the report an analyst reads: adverse-event terms by\n"
    "code only (no free text), serious events under per-report pseudonyms with\n"
    "the day from the first administration, and groups of fewer than the\n"
    "clinic's smallest group (default 5, or --min-group N if larger) not shown;\n"
    "it counts only patients with a current research consent and says how many\n"
    "it left out for want of one (\"research_consent\").\n"
    "--min-group N (1..100) alone hides groups under N in the identified report.\n"
    "--sites pools the patients of the sites named by code, separated by commas\n"
    "(PAR,LYO), or of all sites (the default); the report names the sites it\n"
    "pooled (\"source\": codes and names; CSV rows \"source,site\").\n"
    "Writes to FILE (default: standard output).\n"
    "The first report on a data directory builds the measure series and the\n"
    "report digests (each patient's part of the report; a minute or less at a\n"
    "million patients); each report first writes anew the digests whose\n"
    "patients changed since.\n";

cc_status cli_prepare_reports(db *d, const char *command, bool check_digests, cc_error *err)
{
    bool built = false;
    size_t damaged = 0;
    cc_status st = measure_series_built(d, &built, err);
    if (st == CC_OK && check_digests && (st = report_digests_check(d, &damaged, err)) == CC_OK &&
        damaged)
        fprintf(stderr, "%s: %zu damaged report digest(s): making every digest anew\n", command,
                damaged);
    if (st == CC_OK && !built) {
        fprintf(stderr,
                "%s: building the measure series from the stored observations (once per data "
                "directory)...\n",
                command);
        st = observation_measures_ensure(d, false, err);
    }
    if (st == CC_OK && (st = report_digests_built(d, &built, err)) == CC_OK && !built)
        fprintf(stderr, "%s: building the report digests (once per data directory)...\n", command);
    return st == CC_OK ? report_digests_refresh(d, err) : st;
}

int cmd_report(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "outcomes") != 0) {
        fprintf(stderr, "cellclinic report: unknown report '%s' (outcomes)\n", argv[1]);
        return 2;
    }
    const char *data = NULL, *protocol_id = NULL, *from = NULL, *to = NULL, *format = NULL,
               *out_path = NULL, *condition = NULL, *product_type = NULL, *route = NULL,
               *deidentified = NULL, *min_group = NULL, *sites = NULL;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"protocol", true, true, &protocol_id},
                                  {"from", true, false, &from},
                                  {"to", true, false, &to},
                                  {"format", true, false, &format},
                                  {"out", true, false, &out_path},
                                  {"condition", true, false, &condition},
                                  {"product-type", true, false, &product_type},
                                  {"route", true, false, &route},
                                  {"deidentified", false, false, &deidentified},
                                  {"min-group", true, false, &min_group},
                                  {"sites", true, false, &sites},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("report outcomes", argc, argv, 2, options, USAGE, &help);
    if (rc || help)
        return rc;
    bool csv = format && strcmp(format, "csv") == 0, html = format && strcmp(format, "html") == 0,
         pdf = format && strcmp(format, "pdf") == 0;
    if (format && !csv && !html && !pdf && strcmp(format, "json") != 0) {
        fprintf(stderr, "cellclinic report outcomes: option --format: json, csv, html or pdf\n");
        return 2;
    }
    int64_t asked = 0;
    if (min_group &&
        !opts_int("report outcomes", "min-group", min_group, 1, REPORT_MIN_GROUP_MAX, &asked))
        return 2;
    db *d = NULL;
    cc_error err;
    if (datadir_open(data, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic report outcomes: option --data: %s\n", err.message);
        return 1;
    }
    arena *a = arena_create((size_t)8 << 30); /* about 1 GiB for 1,000,000 patients */
    report_query q = {protocol_id, from,  to, store_today(), condition, product_type,
                      route,       false, 0,  NULL,          0};
    json_t *report = NULL;
    /* the measure series are complete before the first report on an older data dir */
    cc_status st = a ? cli_prepare_reports(d, "cellclinic report outcomes", false, &err)
                     : cc_fail(&err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK) {
        db_hint_bulk_read(d);
        st = db_begin_read(d, &err);
    }
    site_ref *pooled = NULL;
    if (st == CC_OK &&
        (st = site_pool(d, a, 0, 1, sites ? sites : "all", &pooled, &q.n_sites, &err)) != CC_OK)
        db_rollback(d);
    q.sites = pooled;
    if (st == CC_OK) {
        st = report_query_privacy(d, !deidentified, (int)asked, &q, &err);
        if (st == CC_OK)
            st = report_query_check(d, a, &q, &err);
        if (st == CC_OK)
            st = report_outcomes_json(d, a, &q, &report, &err);
        db_rollback(d);
    }
    if (st != CC_OK) {
        static const char *const opts[][2] = {{"protocol", "protocol"},
                                              {"from", "from"},
                                              {"to", "to"},
                                              {"condition", "condition"},
                                              {"product_type", "product-type"},
                                              {"route", "route"},
                                              {"sites", "sites"}};
        const char *opt = NULL;
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
            if (strcmp(err.field, opts[i][0]) == 0)
                opt = opts[i][1];
        if (opt)
            fprintf(stderr, "cellclinic report outcomes: option --%s: %s\n", opt, err.message);
        else
            fprintf(stderr, "cellclinic report outcomes: %s\n", err.message);
        arena_release(a);
        db_close(d);
        return st == CC_INVALID ? 2 : 1;
    }
    char *text = NULL;
    size_t len = 0;
    buf b;
    buf_init(&b, (size_t)1 << 30);
    if (csv || html || pdf) {
        if (csv)
            report_outcomes_csv(report, &b);
        else if ((html ? report_render_html(report, NULL, &b, &err)
                       : report_render_pdf(report, NULL, &b, &err)) != CC_OK)
            fprintf(stderr, "cellclinic report outcomes: %s\n", err.message);
        text = buf_failed(&b) ? NULL : b.data;
        len = b.len;
    } else {
        text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        len = text ? strlen(text) : 0;
    }
    FILE *f = out_path ? fopen(out_path, pdf ? "wb" : "w") : stdout;
    rc = 0;
    if (!f) {
        fprintf(stderr, "cellclinic report outcomes: option --out: cannot write %s\n", out_path);
        rc = 1;
    } else {
        bool json = !(csv || html || pdf);
        if (!text || fwrite(text, 1, len, f) != len || (json && fputc('\n', f) == EOF))
            rc = 1;
        if (out_path && fclose(f) != 0)
            rc = 1;
        if (rc)
            fprintf(stderr, "cellclinic report outcomes: write failed\n");
    }
    if (!(csv || html || pdf))
        free(text);
    buf_release(&b);
    json_decref(report);
    arena_release(a);
    db_close(d);
    return rc;
}
