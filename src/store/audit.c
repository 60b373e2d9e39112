#include "audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "store/audit_checkpoint.h"
#include "store/audit_sites.h"
#include "store/clock.h"
#include "store/sql.h"

enum { HASH_HEX = crypto_hash_sha256_BYTES * 2 + 1 };
static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void hash_field(crypto_hash_sha256_state *h, const char *value)
{
    /* Length prefixes make the encoding unambiguous: no two different entries
     * hash the same bytes, whatever their fields contain. A NULL is "-". */
    char prefix[32];
    if (!value) {
        crypto_hash_sha256_update(h, (const unsigned char *)"-;", 2);
        return;
    }
    size_t n = strlen(value);
    int len = snprintf(prefix, sizeof prefix, "%zu:", n);
    crypto_hash_sha256_update(h, (const unsigned char *)prefix, (unsigned long long)len);
    crypto_hash_sha256_update(h, (const unsigned char *)value, n);
}

typedef struct {
    int64_t seq;
    const char *at, *username, *action, *entity, *entity_id, *before, *after, *reason, *prev;
    int64_t user_id;
} entry_fields;

static void entry_hash(const entry_fields *e, char out[HASH_HEX])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)e->seq);
    hash_field(&h, num);
    hash_field(&h, e->at);
    snprintf(num, sizeof num, "%lld", (long long)e->user_id);
    hash_field(&h, num);
    hash_field(&h, e->username);
    hash_field(&h, e->action);
    hash_field(&h, e->entity);
    hash_field(&h, e->entity_id);
    hash_field(&h, e->before);
    hash_field(&h, e->after);
    hash_field(&h, e->reason);
    hash_field(&h, e->prev);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, HASH_HEX, digest, sizeof digest);
}

/* The newest entry's sequence number and hash (0 and GENESIS when none). */
typedef struct {
    int64_t seq;
    char hash[HASH_HEX];
} chain_end;

static cc_status read_chain_end(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    chain_end *c = ctx;
    c->seq = db_col_int(row, 0);
    snprintf(c->hash, sizeof c->hash, "%s", db_col_text(row, 1));
    return CC_OK;
}

static const char CHAIN_END_SQL[] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

/* AUDIT_SITE_OF is longer than the 4095 characters ISO C guarantees for one
 * literal; gcc and clang take far longer ones. The entry's values are a
 * MATERIALIZED row, not constants the planner could fold into the CASE:
 * PostgreSQL then plans the statement once and keeps that plan (it
 * planned it anew for each entry, about 0.1 ms, as a custom plan with the
 * one branch the values choose); only the branch chosen runs either way. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
static const char ENTRY_SITE_SQL[] =
    "WITH entry (entity, id) AS MATERIALIZED (SELECT CAST(? AS TEXT), CAST(? AS BIGINT))"
    " SELECT COALESCE(" AUDIT_SITE_OF("entry.entity", "entry.id") ", -2) FROM entry";
#pragma GCC diagnostic pop

/* Where an entity's site is when audit_sites.h lists it (in its row or one
 * row away): the map's one branch for it, as a statement of its own (one
 * `?`, the record's id), and as an expression over the row itself. */
typedef struct {
    const char *names, *table, *select_site, *row_site;
} site_source;

#define OWN_SOURCE(E, I, NAMES, T)                                                                 \
    {NAMES, T, "SELECT " AUDIT_ROW_SITE(T, "?"), AUDIT_ROW_SITE_HERE},
#define VIA_SOURCE(E, I, NAMES, T, C, OWNER)                                                       \
    {NAMES, T, "SELECT " AUDIT_VIA(T, C, OWNER, "?"), AUDIT_VIA_HERE(T, C, OWNER)},
static const site_source SITE_SOURCES[] = {AUDIT_OWN_ROWS(OWN_SOURCE, -, -)
                                               AUDIT_VIA_ROWS(VIA_SOURCE, -, -)};
#undef OWN_SOURCE
#undef VIA_SOURCE

/* Whether entity is one of names (SQL strings, as audit_sites.h writes them). */
static bool names_entity(const char *names, const char *entity)
{
    char quoted[64];
    return snprintf(quoted, sizeof quoted, "'%s'", entity) < (int)sizeof quoted &&
           strstr(names, quoted) != NULL;
}

static const site_source *site_source_of(const char *entity)
{
    for (size_t i = 0; i < sizeof SITE_SOURCES / sizeof SITE_SOURCES[0]; i++)
        if (names_entity(SITE_SOURCES[i].names, entity))
            return &SITE_SOURCES[i];
    return NULL;
}

/* The statement that finds the site of entity's record id: the map's branch
 * for it alone when audit_sites.h lists it (the whole map is a CASE of some
 * forty subqueries that PostgreSQL sets up for each entry), else the map;
 * NULL for a group-wide entity, which needs none. */
static const char *site_statement(const char *entity, int64_t id, sql_arg args[2], int *n)
{
    if (names_entity(AUDIT_GROUP_NAMES, entity))
        return NULL;
    const site_source *src = site_source_of(entity);
    if (src) {
        args[0] = SQL_I(id);
        *n = 1;
        return src->select_site;
    }
    args[0] = SQL_S(entity);
    args[1] = SQL_I(id);
    *n = 2;
    return ENTRY_SITE_SQL;
}

/* The site the entry's record belongs to (audit_sites.h); group-wide: 0
 * with *group set. An entity the map does not know, like a record that is
 * not found, belongs to no site (0): shown to none rather than to all. */
static cc_status entry_site(db *d, const char *entity, int64_t id, int64_t *site, bool *group,
                            cc_error *err)
{
    sql_arg a[2];
    int n;
    const char *sql = site_statement(entity, id, a, &n);
    *site = 0;
    *group = sql == NULL;
    if (!sql)
        return CC_OK;
    cc_status st = sql_scalar(d, sql, a, n, site, err);
    *group = st == CC_OK && *site == -2;
    if (*site < 0)
        *site = 0;
    return st;
}

/* The reads an entry is made of (the chain's end, the record's site) sent
 * with the next statement (sql_prefetch): on PostgreSQL one round trip with
 * the record's image, not three. Nothing is written between them and the
 * entry, which is written under the writers' lock. A hint: a read that was
 * not sent ahead runs when it is stepped. */
static void prefetch_entry_reads(db *d, const char *entity, int64_t id)
{
    cc_error ignored;
    sql_arg a[2];
    int n;
    const char *sql = site_statement(entity, id, a, &n);
    if (sql_prefetch(d, CHAIN_END_SQL, NULL, 0, &ignored) == CC_OK && sql)
        sql_prefetch(d, sql, a, n, &ignored);
}

/* The entry of change; its site is *known_site when the caller read it
 * with the record's row (audit_sites.h), else asked of the map. */
static cc_status append_entry(db *d, const store_actor *actor, const audit_change *change,
                              const int64_t *known_site, cc_error *err)
{
    if (!db_in_transaction(d))
        return cc_fail(err, CC_INTERNAL, NULL, "audit_outside_transaction",
                       "an audit entry must be written in the transaction of its change");
    if (!known_site)
        prefetch_entry_reads(d, change->entity, change->entity_id);
    chain_end last = {0, ""};
    snprintf(last.hash, sizeof last.hash, "%s", GENESIS);
    cc_status st = sql_each(d, CHAIN_END_SQL, NULL, 0, read_chain_end, &last, NULL, err);
    int64_t site = known_site ? *known_site : 0;
    bool group = false;
    if (st == CC_OK && !known_site)
        st = entry_site(d, change->entity, change->entity_id, &site, &group, err);
    if (st != CC_OK)
        return st;

    char at[CC_INSTANT_TEXT], entity_id[32], hash[HASH_HEX];
    store_now_text(at);
    snprintf(entity_id, sizeof entity_id, "%lld", (long long)change->entity_id);
    entry_fields e = {last.seq + 1,
                      at,
                      actor->username,
                      change->action,
                      change->entity,
                      entity_id,
                      change->before,
                      change->after,
                      change->reason ? change->reason : "",
                      last.hash,
                      actor->user_id};
    entry_hash(&e, hash);
    sql_arg args[] = {SQL_I(e.seq),
                      SQL_S(at),
                      SQL_ID(actor->user_id),
                      SQL_S(actor->username),
                      SQL_S(e.action),
                      SQL_S(e.entity),
                      SQL_S(entity_id),
                      SQL_S(e.before),
                      SQL_S(e.after),
                      SQL_S(e.reason),
                      SQL_S(last.hash),
                      SQL_S(hash),
                      group ? SQL_N : SQL_I(site)};
    /* site_id is outside the hashed content: where the entry is shown, not
     * what it says. The entry is the change's last write: it may go with
     * the transaction's end (db_run_later), whose failure then undoes the
     * change with it. */
    st = sql_run_later(
        d,
        "INSERT INTO audit_log (seq, at, user_id, username, action, entity, entity_id,"
        " before_json, after_json, reason, prev_hash, hash, site_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        args, SQL_COUNT(args), err);
    if (st == CC_OK)
        audit_checkpoint_note_append(d, e.seq);
    return st;
}

cc_status audit_append(db *d, const store_actor *actor, const audit_change *change, cc_error *err)
{
    return append_entry(d, actor, change, NULL, err);
}

cc_status audit_row_json(db *d, const char *sql, int64_t id, buf *out, cc_error *err)
{
    sql_arg args[] = {SQL_I(id)};
    return sql_rows_json(d, sql, args, 1, true, out, err);
}

cc_status audit_log_change(db *d, const store_actor *actor, const char *action, const char *entity,
                           int64_t id, const char *image_sql, const char *before,
                           const char *reason, cc_error *err)
{
    buf after;
    buf_init(&after, 1 << 20);
    if (db_in_transaction(d))
        prefetch_entry_reads(d, entity, id);
    cc_status st = audit_row_json(d, image_sql, id, &after, err);
    if (st == CC_OK) {
        audit_change ch = {action, entity, id, before, after.data, reason};
        st = audit_append(d, actor, &ch, err);
    }
    buf_release(&after);
    return st;
}

/* ---- a create whose INSERT returns its own image ---- */

static const char RETURNING_ID[] = " RETURNING id";

/* Whether sql (what follows "INSERT INTO ") names the table of the len
 * bytes at name, followed by a space or a '('. */
static bool names_table(const char *sql, const char *name, size_t len)
{
    return strncmp(sql, name, len) == 0 && (sql[len] == ' ' || sql[len] == '(');
}

/* When image_sql is "SELECT <columns> FROM <table> WHERE id = ?", columns
 * plain names (no call, no subquery), and insert_sql is "INSERT INTO
 * <table> ... RETURNING id", writes into out insert_sql returning the id,
 * the entry's site (0 when *known_site is false: it is then asked of the
 * map) and the image's columns, and true: the INSERT then gives the row
 * the image would read, and the site AUDIT_SITE_OF would find. */
static bool returning_image(const audit_mutation *m, buf *out, bool *known_site)
{
    static const char select[] = "SELECT ", from[] = " FROM ", where[] = " WHERE id = ?",
                      insert[] = "INSERT INTO ";
    const char *image = m->image_sql, *sql = m->change_sql;
    size_t image_len = strlen(image), sql_len = strlen(sql), tail = strlen(RETURNING_ID);
    if (strncmp(image, select, strlen(select)) != 0 || image_len < strlen(where) ||
        strcmp(image + image_len - strlen(where), where) != 0 ||
        strncmp(sql, insert, strlen(insert)) != 0 || sql_len < tail ||
        strcmp(sql + sql_len - tail, RETURNING_ID) != 0)
        return false;
    const char *columns = image + strlen(select), *table_end = image + image_len - strlen(where);
    const char *columns_end = strstr(columns, from);
    if (!columns_end || columns_end > table_end || memchr(columns, '(', columns_end - columns))
        return false;
    const char *table = columns_end + strlen(from);
    size_t table_len = (size_t)(table_end - table);
    if (memchr(table, ' ', table_len) || !names_table(sql + strlen(insert), table, table_len))
        return false;
    const site_source *src = site_source_of(m->entity);
    if (src && (strlen(src->table) != table_len || strncmp(src->table, table, table_len) != 0))
        src = NULL;
    *known_site = src != NULL;
    buf_printf(out, "%.*s RETURNING id, %s, %.*s", (int)(sql_len - tail), sql,
               src ? src->row_site : "0", (int)(columns_end - columns), columns);
    return !buf_failed(out);
}

typedef struct {
    int64_t id, site;
    buf *image;
} returned_row;

static cc_status read_returned(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    returned_row *r = ctx;
    r->id = db_col_int(row, 0);
    r->site = db_col_int(row, 1);
    sql_row_object(row, 2, r->image);
    return CC_OK;
}

/* The create of m (returning_image's insert_sql) and its entry: the chain's
 * end goes with the INSERT (one round trip on PostgreSQL), the image and,
 * when audit_sites.h says where it is, the entry's site come back with it. */
static cc_status create_returning(db *d, const store_actor *actor, const audit_mutation *m,
                                  const char *insert_sql, bool known_site, int64_t *id,
                                  cc_error *err)
{
    buf after;
    buf_init(&after, 1 << 20);
    returned_row row = {0, 0, &after};
    cc_error ignored;
    sql_prefetch(d, CHAIN_END_SQL, NULL, 0, &ignored);
    cc_status st = sql_first(d, insert_sql, m->args, m->n, read_returned, &row, err);
    if (st == CC_OK) {
        *id = row.id;
        audit_change ch = {m->action, m->entity, row.id, NULL, after.data, m->reason};
        st = append_entry(d, actor, &ch, known_site ? &row.site : NULL, err);
    }
    buf_release(&after);
    return st;
}

/* A change other than such a create: the images read with image_sql. */
static cc_status change_and_read(db *d, const store_actor *actor, const audit_mutation *m,
                                 int64_t *id, cc_error *err)
{
    buf before;
    buf_init(&before, 1 << 20);
    cc_status st = CC_OK;
    if (*id > 0)
        st = sql_row_json(d, m->image_sql, (sql_arg[]){SQL_I(*id)}, 1, m->entity, &before, err);
    if (st == CC_OK)
        st = sql_run(d, m->change_sql, m->args, m->n, *id > 0 ? NULL : id, err);
    if (st == CC_OK && m->then)
        st = m->then(d, *id, m->ctx, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, m->action, m->entity, *id, m->image_sql,
                              m->id > 0 ? before.data : NULL, m->reason, err);
    buf_release(&before);
    return st;
}

cc_status audit_mutate(db *d, const store_actor *actor, const audit_mutation *m, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf returning;
    buf_init(&returning, 1 << 16);
    int64_t id = m->id;
    bool known_site;
    if (id == 0 && !m->then && returning_image(m, &returning, &known_site))
        st = create_returning(d, actor, m, returning.data, known_site, &id, err);
    else
        st = change_and_read(d, actor, m, &id, err);
    if (st == CC_OK && m->created_id)
        *m->created_id = id;
    buf_release(&returning);
    return db_tx_end(d, st, err);
}

static cc_status mutate_row(db *d, const store_actor *actor, const audit_entity *e,
                            const char *action, int64_t id, int64_t *created_id, const char *sql,
                            const sql_arg *args, int n, const char *reason, cc_error *err)
{
    audit_mutation m = {.action = action,
                        .entity = e->entity,
                        .id = id,
                        .created_id = created_id,
                        .image_sql = e->image_sql,
                        .change_sql = sql,
                        .args = args,
                        .n = n,
                        .reason = reason};
    return audit_mutate(d, actor, &m, err);
}

cc_status audit_create(db *d, const store_actor *actor, const audit_entity *e,
                       const char *insert_sql, const sql_arg *args, int n, const char *reason,
                       int64_t *id, cc_error *err)
{
    return mutate_row(d, actor, e, "create", 0, id, insert_sql, args, n, reason, err);
}

cc_status audit_update(db *d, const store_actor *actor, const audit_entity *e, const char *action,
                       int64_t id, const char *update_sql, const sql_arg *args, int n,
                       const char *reason, cc_error *err)
{
    if (id <= 0) /* 0 would make it a create */
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no %s with that id", e->entity);
    return mutate_row(d, actor, e, action, id, NULL, update_sql, args, n, reason, err);
}

cc_status audit_require_reason(bool record_is_locked, const char *reason, cc_error *err)
{
    if (!record_is_locked)
        return CC_OK;
    bool blank = true;
    for (const char *p = reason; p && *p && blank; p++)
        blank = *p == ' ' || *p == '\t';
    if (blank)
        return cc_fail(err, CC_INVALID, "reason", "reason_required",
                       "this record has been signed or released; a change needs a reason");
    return CC_OK;
}

typedef struct {
    audit_verdict *v;
    char expected_prev[HASH_HEX];
} chain_walk;

static const char *nullable(db_stmt *s, int col)
{
    return db_col_is_null(s, col) ? NULL : db_col_text(s, col);
}

static cc_status check_entry(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    chain_walk *w = ctx;
    if (w->v->first_broken_seq) /* the first break is the verdict */
        return CC_OK;
    entry_fields e = {db_col_int(s, 0),  db_col_text(s, 1),  db_col_text(s, 3), db_col_text(s, 4),
                      db_col_text(s, 5), db_col_text(s, 6),  nullable(s, 7),    nullable(s, 8),
                      db_col_text(s, 9), db_col_text(s, 10), db_col_int(s, 2)};
    char hash[HASH_HEX];
    const char *problem = NULL;
    if (e.seq != w->v->entries + 1)
        problem = "sequence number out of order (an entry is missing)";
    else if (strcmp(e.prev, w->expected_prev) != 0)
        problem = "previous hash does not match the entry before it";
    else {
        entry_hash(&e, hash);
        if (strcmp(hash, db_col_text(s, 11)) != 0)
            problem = "content does not match its hash";
    }
    if (problem) {
        w->v->first_broken_seq = e.seq;
        snprintf(w->v->problem, sizeof w->v->problem, "%s", problem);
        return CC_OK;
    }
    snprintf(w->expected_prev, sizeof w->expected_prev, "%s", db_col_text(s, 11));
    w->v->entries++;
    return CC_OK;
}

cc_status audit_verify(db *d, audit_verdict *v, cc_error *err)
{
    memset(v, 0, sizeof *v);
    chain_walk w = {v, ""};
    snprintf(w.expected_prev, sizeof w.expected_prev, "%s", GENESIS);
    return sql_each(d,
                    "SELECT seq, at, COALESCE(user_id, 0), username, action, entity, entity_id,"
                    " before_json, after_json, reason, prev_hash, hash FROM audit_log ORDER BY seq",
                    NULL, 0, check_entry, &w, NULL, err);
}

static bool read_record(arena *a, db_stmt *s, void *item)
{
    audit_record *rec = item;
    rec->seq = db_col_int(s, 0);
    rec->user_id = db_col_int(s, 2);
    /* columns 1 to 11; column 2 is the user id */
    char **text[] = {&rec->at,        NULL,         &rec->username, &rec->action, &rec->entity,
                     &rec->entity_id, &rec->before, &rec->after,    &rec->reason, &rec->prev_hash,
                     &rec->hash};
    for (int c = 1; c <= 11; c++)
        if (text[c - 1])
            *text[c - 1] = sql_col_dup(a, s, c);
    return true;
}

#define AUDIT_FILTER                                                                               \
    " WHERE (entity = ? OR ? = '') AND (entity_id = ? OR ? = '')"                                  \
    " AND (? = 0 OR site_id = ? OR site_id IS NULL)"

cc_status audit_list(db *d, arena *a, int64_t site_id, const char *entity, int64_t entity_id,
                     int64_t page, int64_t per_page, audit_record **items, size_t *n,
                     int64_t *total, cc_error *err)
{
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", (long long)entity_id);
    const char *e = entity ? entity : "", *i = entity_id > 0 ? id_text : "";
    sql_arg args[] = {SQL_S(e), SQL_S(e), SQL_S(i), SQL_S(i), SQL_I(site_id), SQL_I(site_id)};
    sql_page_query q = {
        "SELECT COUNT(*) FROM audit_log" AUDIT_FILTER,
        "SELECT seq, at, COALESCE(user_id, 0), username, action, entity, entity_id,"
        " before_json, after_json, reason, prev_hash, hash FROM audit_log" AUDIT_FILTER
        " ORDER BY seq DESC LIMIT ? OFFSET ?",
        args,
        SQL_COUNT(args),
        0,
        page,
        per_page};
    return sql_page(d, a, &q, read_record, sizeof **items, (void **)items, n, total, err);
}

const char AUDIT_GENESIS[AUDIT_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void audit_chain_hash(const char *const *fields, size_t n, char out[AUDIT_HASH_HEX])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (size_t i = 0; i < n; i++)
        hash_field(&h, fields[i]);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, AUDIT_HASH_HEX, digest, sizeof digest);
}

cc_status audit_chain_end(db *d, const char *sql, int64_t *seq, char hash[AUDIT_HASH_HEX],
                          cc_error *err)
{
    chain_end last = {0, ""};
    snprintf(last.hash, sizeof last.hash, "%s", GENESIS);
    cc_status st = sql_each(d, sql, NULL, 0, read_chain_end, &last, NULL, err);
    *seq = last.seq;
    memcpy(hash, last.hash, AUDIT_HASH_HEX);
    return st;
}
