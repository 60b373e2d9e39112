/* cellclinic export deidentified --data DIR --out DIR
 *
 * The de-identified export for analysts: one CSV per table and a
 * data dictionary. No names, contacts, addresses, MRNs, birth dates or free
 * text (store/deid.h selects coded fields, numbers and dates only). Every
 * identifier (patient_id, plan_id, ...) becomes a pseudonym, and every date
 * of a patient moves by that patient's offset (-182..+182 days, never 0):
 * both come from a keyed hash (BLAKE2b) under a random key made for this
 * export and never written anywhere, so two exports cannot be linked and
 * the clinic's records cannot be reached from an export. Intervals between
 * a patient's dates are kept; ages are whole years at the first treatment
 * start (or at the export date), "90+" from 90 on (HIPAA Safe Harbor,
 * 45 CFR 164.514(b)(2)(i)(C): ages over 89 are grouped). Only patients with
 * a current research consent are exported (store/deid.h). */
#include <errno.h>
#include <pwd.h>
#include <unistd.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/programmes.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "core/csv.h"
#include "core/date.h"
#include "store/access_log.h"
#include "store/clock.h"
#include "store/datadir.h"
#include "store/deid.h"
#include "store/sites.h"

static const char USAGE[] =
    "usage: cellclinic export deidentified --data DIR --out DIR [--sites CODES|all]\n\n"
    "Writes a de-identified copy of the clinical data for analysts into the new\n"
    "directory DIR: patients.csv, plans.csv, visits.csv, observations.csv,\n"
    "administrations.csv, adverse_events.csv and data_dictionary.csv. Names,\n"
    "contacts, MRNs, birth dates and free text are left out; identifiers are\n"
    "pseudonyms and each patient's dates are shifted by a secret random offset\n"
    "(the same for all of that patient's dates); ages are in whole years, those\n"
    "over 89 grouped as 90+; adverse-event terms keep the bundled list's code\n"
    "only (a site-defined term's code is left out). Only patients with a current\n"
    "research consent are exported; the command says how many were left out for\n"
    "want of one, and data_dictionary.csv records it.\n"
    "--sites exports the patients of the sites named by code, separated by\n"
    "commas (PAR,LYO), or of all sites (the default); data_dictionary.csv names\n"
    "the sites pooled (file \"*\", column \"sites\").\n";

/* Ages from this one on are one group (HIPAA Safe Harbor: over 89). */
enum { AGE_GROUPED = 90 };

static const char *const TABLES[] = {"patients",     "plans",           "visits",
                                     "observations", "administrations", "adverse_events"};
static const char *const DATE_COLUMNS[] = {"start_date", "end_date", "target_date", "window_start",
                                           "window_end", "died_on",  "observed_on", "planned_date",
                                           "started_at", "onset_at", "resolved_at"};

static const char *const DICTIONARY[][3] = {
    {"*", "*_id",
     "pseudonym of the record (16 hex characters); the same record has the same pseudonym in every "
     "file of one export"},
    {"*", "dates",
     "shifted by the patient's secret offset (-182..+182 days, never 0); instants are reduced to "
     "their shifted date"},
    {"patients.csv", "sex", "female, male, other, unknown"},
    {"patients.csv", "age_years",
     "whole years at the first treatment start (or at the export date when none); 90+ for every "
     "age over 89 (HIPAA Safe Harbor)"},
    {"patients.csv", "synthetic", "1 for demonstration data"},
    {"plans.csv", "status", "approved, cancelled, in_progress, completed"},
    {"visits.csv", "status",
     "scheduled, done, missed, withdrawn, lost, died (reasons and causes are free text: left out)"},
    {"observations.csv", "scores",
     "the computed scores as JSON (raw answers are left out: they may hold free text)"},
    {"observations.csv", "source", "clinician or patient (questionnaire link)"},
    {"administrations.csv", "actual_amount", "cells (or microlitres for secretome, see dose_unit)"},
    {"adverse_events.csv", "term_code",
     "the CTCAE term code when term_source is ctcae-5.0 (\"other\" for other, specify: its text is "
     "left out); empty for a site-defined term (its code is the site's free text)"},
    {"adverse_events.csv", "grade", "CTCAE grade 1..5"},
    {"adverse_events.csv", "serious", "1 when serious; seriousness is the bit set of criteria"},
};

typedef struct {
    unsigned char key[crypto_generichash_KEYBYTES];
} deid_key;

static uint64_t keyed(const deid_key *k, const char *domain, long long value)
{
    char msg[96];
    int n = snprintf(msg, sizeof msg, "%s:%lld", domain, value);
    unsigned char out[8];
    crypto_generichash(out, sizeof out, (const unsigned char *)msg, (size_t)n, k->key,
                       sizeof k->key);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | out[i];
    return v;
}

static int offset_of(const deid_key *k, long long patient)
{
    int off = (int)(keyed(k, "offset", patient) % 364) - 182; /* -182..181 */
    return off >= 0 ? off + 1 : off;                          /* never 0 */
}

static void put_bytes(void *f, const char *bytes, size_t n)
{
    fwrite(bytes, 1, n, f);
}

static void csv_put(FILE *f, const char *text, bool last)
{
    csv_field_to(put_bytes, f, text, CSV_QUOTE_WHEN_NEEDED, last);
}

static bool is_date_column(const char *name)
{
    for (size_t i = 0; i < sizeof DATE_COLUMNS / sizeof DATE_COLUMNS[0]; i++)
        if (strcmp(name, DATE_COLUMNS[i]) == 0)
            return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Writes one table; patients get age_years instead of birth_date. */
static int write_table(const char *dir, const char *name, json_t *rows, const deid_key *k,
                       json_t *ages)
{
    char path[DATADIR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cellclinic export: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    json_t *first = json_array_get(rows, 0);
    const char *key;
    json_t *v;
    size_t ncols = json_object_size(first), c = 0;
    json_object_foreach(first, key, v)
    {
        const char *col = strcmp(key, "birth_date") == 0 ? "age_years" : key;
        csv_put(f, col, ++c == ncols);
    }
    if (!first)
        fputs("(no rows)\r\n", f);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        long long patient = (long long)json_integer_value(json_object_get(row, "patient_id"));
        int off = offset_of(k, patient);
        c = 0;
        json_object_foreach(row, key, v)
        {
            bool last = ++c == ncols;
            char cell[128] = "";
            if (strcmp(key, "birth_date") == 0) {
                char id[32];
                snprintf(id, sizeof id, "%lld", patient);
                json_t *years = json_object_get(ages, id);
                long long y = years ? (long long)json_integer_value(years) : -1;
                if (y >= AGE_GROUPED)
                    snprintf(cell, sizeof cell, "%d+", AGE_GROUPED);
                else if (y >= 0)
                    snprintf(cell, sizeof cell, "%lld", y);
            } else if (ends_with(key, "_id") && json_is_integer(v)) {
                snprintf(cell, sizeof cell, "%016llx",
                         (unsigned long long)keyed(k,
                                                   strcmp(key, "patient_id") == 0 ? "patient" : key,
                                                   (long long)json_integer_value(v)));
            } else if (is_date_column(key) && json_is_string(v)) {
                cc_date d;
                cc_error ignored;
                char day[CC_DATE_TEXT];
                snprintf(day, sizeof day, "%.10s", json_string_value(v));
                if (date_parse(day, key, &d, &ignored) == CC_OK)
                    date_format(d + off, cell);
            } else if (json_is_string(v)) {
                csv_put(f, json_string_value(v), last);
                continue;
            } else if (json_is_integer(v)) {
                snprintf(cell, sizeof cell, "%lld", (long long)json_integer_value(v));
            } else if (json_is_real(v)) {
                snprintf(cell, sizeof cell, "%.15g", json_real_value(v));
            } else if (json_is_object(v) || json_is_array(v)) {
                char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
                csv_put(f, text ? text : "", last);
                free(text);
                continue;
            }
            csv_put(f, cell, last);
        }
    }
    int rc = ferror(f) ? 1 : 0;
    if (fclose(f) != 0 || rc) {
        fprintf(stderr, "cellclinic export: write failed: %s\n", path);
        return 1;
    }
    return 0;
}

/* patient id (text) -> age in whole years at the first plan start (else today). */
static json_t *ages_of(json_t *patients, json_t *plans, cc_date today)
{
    json_t *ages = json_object();
    size_t i, j;
    json_t *p, *pl;
    json_array_foreach(patients, i, p)
    {
        long long id = (long long)json_integer_value(json_object_get(p, "patient_id"));
        cc_date on = today;
        json_array_foreach(plans, j, pl)
        {
            cc_date s;
            cc_error ignored;
            if (json_integer_value(json_object_get(pl, "patient_id")) == id &&
                date_parse(json_string_value(json_object_get(pl, "start_date")), "s", &s,
                           &ignored) == CC_OK &&
                s < on)
                on = s;
        }
        char key[32];
        snprintf(key, sizeof key, "%lld", id);
        const char *birth = json_string_value(json_object_get(p, "birth_date"));
        json_object_set_new(ages, key, json_integer(birth ? programme_age_years(birth, on) : -1));
    }
    return ages;
}

/* Every exported patient gets an access-log row (kind "export") before any
 * file is written: pseudonymised data is still data about that patient. The
 * reader is the system account that ran the command. */
static cc_status log_export(const char *data, json_t *patients, cc_error *err)
{
    size_t n = json_array_size(patients);
    access_entry *rows = n ? calloc(n, sizeof *rows) : NULL;
    if (n && !rows)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    const struct passwd *pw = getpwuid(geteuid());
    char at[CC_INSTANT_TEXT];
    store_now_text(at);
    for (size_t i = 0; i < n; i++) {
        memcpy(rows[i].at, at, sizeof at);
        snprintf(rows[i].username, sizeof rows[i].username, "cli:%s", pw ? pw->pw_name : "?");
        rows[i].patient_id =
            (int64_t)json_integer_value(json_object_get(json_array_get(patients, i), "patient_id"));
        rows[i].what = "export";
        rows[i].route = "cellclinic export deidentified";
    }
    db *log = NULL;
    cc_status st = access_log_open(data, &log, err);
    if (st == CC_OK) {
        st = access_log_append(log, rows, n, err);
        db_close(log);
    }
    free(rows);
    return st;
}

int cmd_export(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "deidentified") != 0) {
        fprintf(stderr, "cellclinic export: unknown export '%s' (deidentified)\n", argv[1]);
        return 2;
    }
    const char *data = NULL, *out = NULL, *sites_opt = NULL;
    const cli_option options[] = {{"data", true, true, &data},
                                  {"out", true, true, &out},
                                  {"sites", true, false, &sites_opt},
                                  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("export deidentified", argc, argv, 2, options, USAGE, &help);
    if (rc || help)
        return rc;
    if (sodium_init() < 0)
        return 1;
    if (mkdir(out, 0700) != 0) {
        fprintf(stderr, "cellclinic export deidentified: option --out: cannot create %s: %s\n", out,
                errno == EEXIST ? "it exists (give a new directory)" : strerror(errno));
        return 2;
    }
    db *d = NULL;
    cc_error err;
    if (datadir_open(data, &d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic export deidentified: option --data: %s\n", err.message);
        return 1;
    }
    deid_key key;
    randombytes_buf(key.key, sizeof key.key);
    json_t *tables[sizeof TABLES / sizeof TABLES[0]] = {0};
    int64_t left_out = 0;
    cc_status st = db_begin_read(d, &err);
    /* the sites pooled: their ids for the store, their names for the dictionary */
    arena *a = arena_create((size_t)1 << 20);
    site_ref *pooled = NULL;
    size_t n_pooled = 0;
    buf ids, names;
    buf_init(&ids, 1 << 16);
    buf_init(&names, 1 << 16);
    if (st == CC_OK)
        st = a ? site_pool(d, a, 0, 1, sites_opt ? sites_opt : "all", &pooled, &n_pooled, &err)
               : cc_fail(&err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    buf_puts(&ids, ",");
    buf_puts(&names, "the sites pooled:");
    for (size_t i = 0; st == CC_OK && i < n_pooled; i++) {
        buf_printf(&ids, "%lld,", (long long)pooled[i].id);
        buf_printf(&names, "%s %s (%s)", i ? "," : "", pooled[i].name, pooled[i].code);
    }
    if (st == CC_OK && (buf_failed(&ids) || buf_failed(&names)))
        st = cc_fail(&err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    const char *site_ids = ids.data;
    if (st == CC_OK)
        st = deid_store_left_out(d, site_ids, &left_out, &err);
    for (size_t i = 0; st == CC_OK && i < sizeof TABLES / sizeof TABLES[0]; i++) {
        buf b;
        buf_init(&b, (size_t)1 << 31);
        st = deid_store_rows(d, site_ids, TABLES[i], &b, &err);
        if (st == CC_OK && !(tables[i] = json_loads(b.data, 0, NULL)))
            st = cc_fail(&err, CC_INTERNAL, NULL, "render_failed", "export rows do not parse");
        buf_release(&b);
    }
    if (db_in_transaction(d))
        db_rollback(d);
    db_close(d);
    if (st == CC_OK)
        st = log_export(data, tables[0], &err);
    if (st != CC_OK) {
        if (strcmp(err.field, "sites") == 0)
            fprintf(stderr, "cellclinic export deidentified: option --sites: %s\n", err.message);
        else
            fprintf(stderr, "cellclinic export deidentified: %s\n", err.message);
        rc = 1;
    }
    json_t *ages = st == CC_OK ? ages_of(tables[0], tables[1], store_today()) : NULL;
    for (size_t i = 0; rc == 0 && i < sizeof TABLES / sizeof TABLES[0]; i++)
        rc = write_table(out, TABLES[i], tables[i], &key, ages);
    if (rc == 0) {
        char path[DATADIR_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/data_dictionary.csv", out);
        FILE *f = fopen(path, "w");
        if (!f)
            rc = 1;
        else {
            csv_put(f, "file", false);
            csv_put(f, "column", false);
            csv_put(f, "meaning", true);
            for (size_t i = 0; i < sizeof DICTIONARY / sizeof DICTIONARY[0]; i++)
                for (int c = 0; c < 3; c++)
                    csv_put(f, DICTIONARY[i][c], c == 2);
            char consent[160];
            snprintf(consent, sizeof consent,
                     "only patients with a current research consent; %lld left out for want of one",
                     (long long)left_out);
            csv_put(f, "patients.csv", false);
            csv_put(f, "(research consent)", false);
            csv_put(f, consent, true);
            csv_put(f, "*", false);
            csv_put(f, "sites", false);
            csv_put(f, names.data, true);
            rc = fclose(f) != 0;
        }
    }
    sodium_memzero(&key, sizeof key);
    buf_release(&ids);
    buf_release(&names);
    if (a)
        arena_release(a);
    json_decref(ages);
    for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++)
        json_decref(tables[i]);
    if (rc == 0)
        fprintf(stderr,
                "cellclinic export deidentified: wrote %s (%lld patients left out: no current "
                "research consent)\n",
                out, (long long)left_out);
    return rc;
}
