#include "audit_integrity.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/audit_checkpoint.h"
#include "store/sql.h"

/* ---- checkpoints ---- */

static void say(audit_checkpoint_verdict *v, audit_checkpoint_finding f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(audit_checkpoint_verdict *v, audit_checkpoint_finding f, const char *fmt, ...)
{
    if (v->finding != AUDIT_CHECKPOINTS_OK && v->finding != AUDIT_CHECKPOINTS_NONE)
        return; /* the first finding is the verdict */
    v->finding = f;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
}

typedef struct {
    int64_t seq, entries;
    char head[CHECKPOINT_HASH_HEX];
} recorded_checkpoint;

static cc_status read_recorded(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    recorded_checkpoint *r = ctx;
    r->seq = db_col_int(row, 0);
    r->entries = db_col_int(row, 1);
    snprintf(r->head, sizeof r->head, "%s", db_col_text(row, 2));
    return CC_OK;
}

static cc_status read_text(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    snprintf(ctx, CHECKPOINT_HASH_HEX, "%s", db_col_text(row, 0));
    return CC_OK;
}

/* The hash of entry seq ("" when there is none; 64 zeros for entry 0). */
static cc_status entry_hash_at(db *d, int64_t seq, char out[CHECKPOINT_HASH_HEX], cc_error *err)
{
    out[0] = '\0';
    if (seq == 0) {
        memset(out, '0', CHECKPOINT_HASH_HEX - 1);
        out[CHECKPOINT_HASH_HEX - 1] = '\0';
        return CC_OK;
    }
    return sql_each(d, "SELECT hash FROM audit_log WHERE seq = ?", (sql_arg[]){SQL_I(seq)}, 1,
                    read_text, out, NULL, err);
}

/* One verified checkpoint against the chain (newest entry number last_seq). */
static cc_status compare_with_chain(db *d, const checkpoint *c, int64_t last_seq,
                                    const audit_verdict *chain, audit_checkpoint_verdict *v,
                                    cc_error *err)
{
    if (c->entries > last_seq)
        return CC_OK; /* truncation: judged on the newest checkpoint */
    char hash[CHECKPOINT_HASH_HEX];
    cc_status st = entry_hash_at(d, c->entries, hash, err);
    if (st != CC_OK || strcmp(hash, c->head) == 0)
        return st;
    if (!hash[0])
        say(v, AUDIT_CHECKPOINTS_TRUNCATED,
            "audit trail cut: entry %lld, covered by checkpoint %lld, is missing",
            (long long)c->entries, (long long)c->seq);
    else
        say(v, AUDIT_CHECKPOINTS_REWRITTEN,
            "audit trail rewritten: entry %lld hashes to %.12s... but checkpoint %lld (signed %s)"
            " covers it with %.12s...%s",
            (long long)c->entries, hash, (long long)c->seq, c->at, c->head,
            chain->first_broken_seq ? ""
                                    : "; the chain after it was recomputed to look consistent");
    return CC_OK;
}

typedef struct {
    checkpoint *items;
    size_t n, cap;
} checkpoint_list;

/* Reads and checks every line (format, trusted key, signature, order); the
 * first bad line ends the reading with a finding. */
static void read_log(FILE *f, const char *path, const audit_trusted_keys *keys,
                     checkpoint_list *list, audit_checkpoint_verdict *v)
{
    char line[CHECKPOINT_LINE_MAX + 2];
    int64_t number = 0;
    while (fgets(line, sizeof line, f)) {
        number++;
        size_t len = strcspn(line, "\n");
        if (line[len] != '\n' && !feof(f)) {
            say(v, AUDIT_CHECKPOINTS_BAD_LOG, "%s line %lld: too long for a checkpoint", path,
                (long long)number);
            return;
        }
        if (len == 0)
            continue; /* the newline written after a torn line */
        checkpoint c;
        const char *problem = NULL;
        audit_signature_check sig = AUDIT_SIGNATURE_HOLDS;
        if (!checkpoint_parse(line, len, &c, &problem))
            ;
        else if ((sig = audit_checkpoint_verify(&c, keys)) == AUDIT_SIGNATURE_UNTRUSTED_KEY)
            problem = "signed by a key that is not a trusted audit signing key";
        else if (sig == AUDIT_SIGNATURE_FORGED)
            problem = "the signature does not verify (the line was altered or forged)";
        else if (c.seq != (int64_t)list->n + 1)
            problem = "checkpoint numbers out of order (a checkpoint was removed)";
        else if (list->n > 0 && c.entries < list->items[list->n - 1].entries)
            problem = "covers fewer entries than the checkpoint before it";
        if (problem) {
            say(v, AUDIT_CHECKPOINTS_BAD_LOG, "%s line %lld: %s", path, (long long)number, problem);
            return;
        }
        if (list->n == list->cap) {
            size_t cap = list->cap ? list->cap * 2 : 64;
            checkpoint *grown = realloc(list->items, cap * sizeof *grown);
            if (!grown) {
                say(v, AUDIT_CHECKPOINTS_BAD_LOG, "%s: out of memory", path);
                return;
            }
            list->items = grown;
            list->cap = cap;
        }
        list->items[list->n++] = c;
    }
    if (ferror(f))
        say(v, AUDIT_CHECKPOINTS_BAD_LOG, "cannot read %s", path);
}

/* Opens and reads the log and the trusted keys; false when a finding says
 * why there is nothing to compare. */
static bool load_log(const char *log_path, const char *keys_file, checkpoint_list *list,
                     audit_checkpoint_verdict *v)
{
    FILE *f = fopen(log_path, "r");
    if (!f) {
        if (errno == ENOENT && v->recorded == 0) {
            v->finding = AUDIT_CHECKPOINTS_NONE;
            snprintf(v->message, sizeof v->message, "no checkpoint written yet");
        } else if (errno == ENOENT)
            say(v, AUDIT_CHECKPOINTS_BAD_LOG,
                "the checkpoint log %s is missing, but the database records %lld checkpoints",
                log_path, (long long)v->recorded);
        else
            say(v, AUDIT_CHECKPOINTS_BAD_LOG, "cannot read the checkpoint log %s: %s", log_path,
                strerror(errno));
        return false;
    }
    audit_trusted_keys *keys = calloc(1, sizeof *keys);
    if (!keys)
        say(v, AUDIT_CHECKPOINTS_BAD_LOG, "out of memory");
    else if (!audit_trusted_keys_read(keys_file, keys))
        say(v, AUDIT_CHECKPOINTS_BAD_LOG, "cannot read the audit public keys %s: %s", keys_file,
            strerror(errno));
    else
        read_log(f, log_path, keys, list, v);
    free(keys);
    fclose(f);
    return v->finding == AUDIT_CHECKPOINTS_OK;
}

static cc_status check_checkpoints(db *d, const char *dir, const char *public_keys,
                                   const audit_verdict *chain, audit_checkpoint_verdict *v,
                                   cc_error *err)
{
    char log_path[AUDIT_PATH_MAX], key_path[AUDIT_PATH_MAX];
    cc_status st = audit_datadir_file(dir, AUDIT_CHECKPOINT_FILE, log_path, err);
    if (st == CC_OK && !public_keys)
        st = audit_datadir_file(dir, AUDIT_PUBLIC_KEY_FILE, key_path, err);
    /* Read in the order they are written (log line, then its row; entries
     * before both), so that a server writing meanwhile never looks like a cut:
     * the rows, then the log, then the chain. */
    recorded_checkpoint db_last = {0};
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM audit_checkpoints", NULL, 0, &v->recorded, err);
    if (st == CC_OK)
        st = sql_each(d,
                      "SELECT seq, entries, head FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
                      NULL, 0, read_recorded, &db_last, NULL, err);
    if (st != CC_OK)
        return st;
    checkpoint_list list = {NULL, 0, 0};
    int64_t last_seq = 0;
    if (load_log(log_path, public_keys ? public_keys : key_path, &list, v))
        st = sql_scalar(d, "SELECT COALESCE(MAX(seq), 0) FROM audit_log", NULL, 0, &last_seq, err);
    else
        list.n = 0;
    for (size_t i = 0; st == CC_OK && i < list.n; i++)
        st = compare_with_chain(d, &list.items[i], last_seq, chain, v, err);
    if (list.n > 0) {
        v->checkpoints = (int64_t)list.n;
        v->last = list.items[list.n - 1];
    }
    free(list.items);
    if (st != CC_OK || v->finding != AUDIT_CHECKPOINTS_OK)
        return st;
    if (v->checkpoints > 0 && v->last.entries > last_seq)
        say(v, AUDIT_CHECKPOINTS_TRUNCATED,
            "audit trail truncated: checkpoint %lld covers %lld entries, the database has %lld",
            (long long)v->last.seq, (long long)v->last.entries, (long long)last_seq);
    else if (db_last.seq > v->checkpoints)
        say(v, AUDIT_CHECKPOINTS_BAD_LOG,
            "the checkpoint log %s ends at checkpoint %lld, but the database records checkpoint "
            "%lld (lines were removed from the log)",
            log_path, (long long)v->checkpoints, (long long)db_last.seq);
    else if (v->checkpoints == 0) {
        v->finding = AUDIT_CHECKPOINTS_NONE;
        snprintf(v->message, sizeof v->message, "no checkpoint written yet");
    }
    return CC_OK;
}

cc_status audit_check_checkpoints(db *d, const char *dir, const char *public_keys,
                                  const audit_verdict *chain, audit_checkpoint_verdict *v,
                                  cc_error *err)
{
    memset(v, 0, sizeof *v);
    cc_status st = check_checkpoints(d, dir, public_keys, chain, v, err);
    if (st != CC_OK || v->finding != AUDIT_CHECKPOINTS_NONE)
        return st;
    /* A directory with a public key has signed a checkpoint (init signs one
     * at once, so does the first serve of an older directory): none at all
     * means the log and the rows were both removed. */
    char key_path[AUDIT_PATH_MAX];
    struct stat info;
    if (public_keys)
        say(v, AUDIT_CHECKPOINTS_BAD_LOG,
            "checkpoints missing: public keys were given, but there is no checkpoint log and the "
            "database records no checkpoint (both were removed)");
    else if ((st = audit_datadir_file(dir, AUDIT_PUBLIC_KEY_FILE, key_path, err)) == CC_OK &&
             stat(key_path, &info) == 0)
        say(v, AUDIT_CHECKPOINTS_BAD_LOG,
            "checkpoints missing: %s exists (a key has signed), but there is no checkpoint log "
            "and the database records no checkpoint (both were removed)",
            key_path);
    return st;
}

typedef struct {
    const audit_trusted_keys *keys;
    const char *keys_file;
    int64_t chain_entries;
    audit_recorded_verdict *v;
    db *d;
} recorded_walk;

static cc_status check_recorded(void *ctx, const checkpoint *c, const char *problem, cc_error *err)
{
    recorded_walk *w = ctx;
    audit_recorded_verdict *v = w->v;
    if (v->problem[0])
        return CC_OK; /* the first problem is the verdict */
    v->rows++;
    audit_signature_check sig =
        problem ? AUDIT_SIGNATURE_HOLDS : audit_checkpoint_verify(c, w->keys);
    char hash[CHECKPOINT_HASH_HEX] = "";
    cc_status st = problem || sig != AUDIT_SIGNATURE_HOLDS || c->entries > w->chain_entries
                       ? CC_OK
                       : entry_hash_at(w->d, c->entries, hash, err);
    if (st != CC_OK)
        return st;
    if (problem)
        snprintf(v->problem, sizeof v->problem, "its audit checkpoint %lld is malformed (%s)",
                 (long long)c->seq, problem);
    else if (sig == AUDIT_SIGNATURE_UNTRUSTED_KEY)
        snprintf(v->problem, sizeof v->problem,
                 "its audit checkpoint %lld is signed by key %.16s..., which is not a trusted "
                 "audit signing key (not in %s)",
                 (long long)c->seq, c->public_key, w->keys_file);
    else if (sig == AUDIT_SIGNATURE_FORGED)
        snprintf(v->problem, sizeof v->problem,
                 "the signature of its audit checkpoint %lld does not verify (the checkpoint was "
                 "altered or forged)",
                 (long long)c->seq);
    else if (c->entries > w->chain_entries || !hash[0])
        snprintf(v->problem, sizeof v->problem,
                 "its audit trail is cut: signed checkpoint %lld covers %lld entries, the backup "
                 "holds %lld",
                 (long long)c->seq, (long long)c->entries, (long long)w->chain_entries);
    else if (strcmp(hash, c->head) != 0)
        snprintf(v->problem, sizeof v->problem,
                 "its audit trail was rewritten: entry %lld hashes to %.12s... but signed "
                 "checkpoint %lld covers it with %.12s...",
                 (long long)c->entries, hash, (long long)c->seq, c->head);
    else
        v->newest = *c;
    return CC_OK;
}

cc_status audit_check_recorded(db *d, const char *public_keys, audit_recorded_verdict *v,
                               cc_error *err)
{
    memset(v, 0, sizeof *v);
    audit_trusted_keys *keys = calloc(1, sizeof *keys);
    if (!keys)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    recorded_walk w = {keys, public_keys ? public_keys : "(no trusted key given)", 0, v, d};
    cc_status st = CC_OK;
    if (public_keys && !audit_trusted_keys_read(public_keys, keys))
        st = cc_fail(err, CC_INVALID, "public-key", "unreadable", "cannot read %s: %s", public_keys,
                     strerror(errno));
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COALESCE(MAX(seq), 0) FROM audit_log", NULL, 0, &w.chain_entries,
                        err);
    if (st == CC_OK)
        st = audit_checkpoint_rows(d, check_recorded, &w, err);
    free(keys);
    return st;
}

/* ---- rows against their newest after-images ---- */

typedef struct {
    const char *entity, *table;
    const char *row_sql; /* the current row, every column */
    const char *ids_sql; /* every id of the table */
    /* Columns that change with the record's children, whose own entries
     * are checked (adding a batch step touches the batch). */
    const char *const *touched;
} audited_table;

static const char *const TOUCHED_WITH_CHILDREN[] = {"version", "updated_at", NULL};

#define AUDITED_ROWS(entity, table, touched)                                                       \
    {                                                                                              \
        entity, table, "SELECT * FROM " table " WHERE id = ?",                                     \
            "SELECT id FROM " table " ORDER BY id", touched                                        \
    }
#define AUDITED(entity, table) AUDITED_ROWS(entity, table, NULL)

static const audited_table AUDITED_TABLES[] = {
    AUDITED("patient", "patients"),
    AUDITED("patient_weight", "patient_weights"),
    AUDITED("patient_condition", "patient_conditions"),
    AUDITED("consultation_request", "consultation_requests"),
    AUDITED("screening", "screenings"),
    AUDITED("plan", "plans"),
    AUDITED("administration", "administrations"),
    AUDITED("adverse_event", "adverse_events"),
    AUDITED("observation", "observations"),
    AUDITED("followup_visit", "followup_visits"),
    AUDITED("questionnaire_link", "questionnaire_links"),
    AUDITED_ROWS("donor", "donors", TOUCHED_WITH_CHILDREN),
    AUDITED("donor_test", "donor_tests"),
    AUDITED("collection", "collections"),
    AUDITED_ROWS("batch", "batches", TOUCHED_WITH_CHILDREN),
    AUDITED("batch_step", "batch_steps"),
    AUDITED("batch_deviation", "batch_deviations"),
    AUDITED("qc_result", "qc_results"),
    AUDITED("lab_product_code", "lab_product_codes"),
    AUDITED("unit", "units"),
    AUDITED("unit_administration", "unit_administrations"),
    AUDITED("user", "users"),
};

static bool is_touched(const audited_table *t, const char *column)
{
    for (const char *const *c = t->touched; c && *c; c++)
        if (strcmp(*c, column) == 0)
            return true;
    return false;
}

typedef struct {
    /* entity id text -> sequence number of the entry with its newest image
     * (json null: deleted); the images themselves are read one at a time */
    json_t *images;
    cc_error *err;
} image_walk;

/* Keeps an entry's after-image when it is an image of the row: an object
 * whose "id" is the entry's entity id (other entries of the entity record
 * events, not rows). */
static cc_status keep_image(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    image_walk *w = ctx;
    const char *id = db_col_text(row, 0), *action = db_col_text(row, 1);
    if (strcmp(action, "delete") == 0) {
        json_object_set_new(w->images, id, json_null());
        return CC_OK;
    }
    if (db_col_is_null(row, 2))
        return CC_OK;
    json_t *after = json_loads(db_col_text(row, 2), 0, NULL);
    json_t *image_id = json_object_get(after, "id");
    char text[32];
    if (json_is_integer(image_id)) {
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(image_id));
        if (strcmp(text, id) == 0)
            json_object_set_new(w->images, id, json_integer(db_col_int(row, 3)));
    }
    json_decref(after);
    return CC_OK;
}

/* The columns of the image that the row holds with another value. */
static void differing_columns(const audited_table *t, json_t *image, json_t *current, char *out,
                              size_t cap)
{
    const char *key;
    json_t *value;
    size_t used = 0;
    out[0] = '\0';
    json_object_foreach(image, key, value)
    {
        json_t *now = json_object_get(current, key);
        if (!now || json_equal(now, value) || is_touched(t, key))
            continue; /* a column dropped since is not a change */
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", key);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static cc_status copy_text(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    buf_puts(ctx, db_col_text(row, 0));
    return CC_OK;
}

/* Reads the row id and the image of entry seq (0: the trail deleted the
 * row) and says what differs; problem[0] is '\0' when they agree. */
static cc_status compare_row(db *d, const audited_table *t, int64_t id, int64_t seq, buf *scratch,
                             char *problem, size_t cap, cc_error *err)
{
    problem[0] = '\0';
    buf_reset(scratch);
    cc_status st = sql_rows_json(d, t->row_sql, (sql_arg[]){SQL_I(id)}, 1, true, scratch, err);
    if (st != CC_OK)
        return st;
    json_t *current = json_loads(scratch->data, 0, NULL), *image = NULL;
    if (seq > 0) {
        buf_reset(scratch);
        st = sql_each(d, "SELECT after_json FROM audit_log WHERE seq = ?", (sql_arg[]){SQL_I(seq)},
                      1, copy_text, scratch, NULL, err);
        image = st == CC_OK ? json_loads(scratch->data, 0, NULL) : NULL;
    }
    if (st != CC_OK)
        ;
    else if (seq == 0 && json_is_object(current))
        snprintf(problem, cap, "exists although its audit trail deleted it");
    else if (seq > 0 && !json_is_object(current))
        snprintf(problem, cap, "is missing although its audit trail never deleted it");
    else if (seq > 0) {
        char columns[300];
        differing_columns(t, image, current, columns, sizeof columns);
        if (columns[0])
            snprintf(problem, cap,
                     "differs from its newest audit image in: %s (changed behind the program's "
                     "back)",
                     columns);
    }
    json_decref(current);
    json_decref(image);
    return st;
}

typedef struct {
    const audited_table *t;
    json_t *images;
    audit_row_problem_fn fn;
    void *ctx;
    int64_t *problems;
} unaudited_walk;

static cc_status report_unaudited(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    unaudited_walk *w = ctx;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)db_col_int(row, 0));
    if (!json_object_get(w->images, id)) {
        w->fn(w->ctx, w->t->table, db_col_int(row, 0),
              "has no audit entry with an image of it (written behind the program's back)");
        (*w->problems)++;
    }
    return CC_OK;
}

static cc_status compare_table(db *d, const audited_table *t, audit_row_problem_fn fn, void *ctx,
                               int64_t *problems, cc_error *err)
{
    image_walk w = {json_object(), err};
    if (!w.images)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    cc_status st =
        sql_each(d,
                 "SELECT entity_id, action, after_json, seq FROM audit_log"
                 " WHERE entity IN (?, ?) ORDER BY seq",
                 (sql_arg[]){SQL_S(t->entity), SQL_S(t->table)}, 2, keep_image, &w, NULL, err);
    const char *id_text;
    json_t *newest;
    buf scratch;
    buf_init(&scratch, 1 << 24);
    json_object_foreach(w.images, id_text, newest)
    {
        if (st != CC_OK)
            break;
        int64_t id = 0;
        for (const char *p = id_text; *p >= '0' && *p <= '9'; p++)
            id = id * 10 + (*p - '0');
        char problem[400];
        st = compare_row(d, t, id, json_is_integer(newest) ? json_integer_value(newest) : 0,
                         &scratch, problem, sizeof problem, err);
        if (st == CC_OK && problem[0]) {
            fn(ctx, t->table, id, problem);
            (*problems)++;
        }
    }
    buf_release(&scratch);
    if (st == CC_OK) {
        unaudited_walk u = {t, w.images, fn, ctx, problems};
        st = sql_each(d, t->ids_sql, NULL, 0, report_unaudited, &u, NULL, err);
    }
    json_decref(w.images);
    return st;
}

cc_status audit_check_rows(db *d, audit_row_problem_fn fn, void *ctx, int *tables,
                           int64_t *problems, cc_error *err)
{
    *problems = 0;
    *tables = 0;
    for (size_t i = 0; i < sizeof AUDITED_TABLES / sizeof AUDITED_TABLES[0]; i++) {
        cc_status st = compare_table(d, &AUDITED_TABLES[i], fn, ctx, problems, err);
        if (st != CC_OK)
            return st;
        (*tables)++;
    }
    return CC_OK;
}
