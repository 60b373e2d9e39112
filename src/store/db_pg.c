/* PostgreSQL engine of db.h (db_backend.h), on libpq.
 *
 * Statements: the callers' SQL, written with `?` placeholders, is rewritten
 * to `$n` once and prepared on the connection under a name of its own the
 * first time it runs; the prepared statements are cached per connection by
 * the caller's literal, as SQLite's are. Parameters go as text (a blob as
 * binary) and PostgreSQL infers their types from the statement, so the
 * callers bind as they do for SQLite. A statement's whole result is fetched
 * when it first steps, or a batch at a time for a scan marked by
 * db_read_in_batches (a cursor: see "reads in batches" below): a caller may
 * run other statements while it iterates.
 *
 * Round trips: each one costs both processes a wake-up, and a patient read
 * made a dozen. So a transaction's BEGIN (and a writer's lock) waits for its
 * first statement and goes with it in one pipeline (libpq pipeline mode),
 * as do the reads a caller queued with db_prefetch; a transaction that runs
 * nothing sends nothing; the end of a read transaction is sent without
 * waiting for its answer, which the next command on the connection reads
 * first (settle). A write's COMMIT is awaited: it answers once durable.
 * A write whose result its caller does not read (db_run_later: an audit
 * entry) is not awaited alone either: it goes first in the pipeline of the
 * next statement, of a savepoint's release or of the COMMIT, whose failure
 * is then its failure (the server skips the rest of a pipeline after an
 * error); a rollback drops it unsent.
 *
 * Schema: db_exec translates the schema's portable DDL (one description for
 * both engines, src/store/schema.c) to PostgreSQL: INTEGER PRIMARY KEY to a
 * BIGINT identity, INTEGER to BIGINT, REAL to DOUBLE PRECISION, BLOB to
 * BYTEA, WITHOUT ROWID to nothing, and the guard triggers that refuse a DELETE to a PL/pgSQL
 * trigger raising restrict_violation. The rewriting is hand-written because no library translates
 * between the two dialects; it knows only the forms the schema uses and leaves everything else as
 * written.
 *
 * Writers: a write transaction takes a transaction-scoped advisory lock
 * before its first statement runs (in the same round trip), so that write
 * transactions of every process and machine on this database run one at a
 * time, exactly as SQLite's BEGIN IMMEDIATE makes them: a safety decision
 * reads, inside its transaction, everything committed before it, and the
 * audit chain has one tail. The lock is held through the durable COMMIT, so
 * writers also flush the log one at a time.
 *
 * Errors: SQLSTATE class 23 (integrity) is CC_CONFLICT "constraint"; a lost
 * connection, a server shutting down, a read-only server (a replica after
 * failover), a transaction rollback and resource errors are CC_STORAGE
 * "storage_unavailable" (503), except a serialization failure or deadlock:
 * CC_STORAGE DB_TRANSACTION_ABORTED, which the use case may run again (db.h); anything else
 * CC_INTERNAL. A lost connection is reset before the next transaction or statement outside one,
 * and so is one the server ended while it sat idle (a restart of the database server): what
 * waits to be read on it is read first, so that the request using it does not fail.
 *
 * A connection is used by one thread at a time (db.h).
 */
#include "store/db_backend.h"

#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* PG_BULK_ROWS: the rows of one FETCH of a read in batches (db_read_in_batches):
 * enough that the round trips cost little against the rows' own handling
 * (a few hundred per million rows), few enough that a batch stays a few
 * megabytes whatever the table's size. */
enum { PG_STMT_CACHE = 256, PG_AHEAD_MAX = 16, PG_BULK_ROWS = 8192 };

/* Type oids of the result columns this code reads (pg_type.dat). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

/* The advisory lock every write transaction takes: one number for the
 * project ("cellclin" in ASCII), so that other applications' locks on the
 * same server do not collide with it by accident. */
static const char WRITE_LOCK_SQL[] = "SELECT pg_advisory_xact_lock(7162263021765635182)";
static const char READ_BEGIN_SQL[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

typedef struct pg_db pg_db;

typedef struct {
    struct db_stmt base;
    const char *key; /* the caller's literal: the cache key */
    char *text;      /* the caller's text, to tell a reused buffer from the literal */
    char *sql;       /* rewritten with $n */
    char name[24];   /* the prepared statement's name on the connection */
    bool prepared;
    uint64_t generation; /* the connection's generation it was prepared in */
    int nparams;
    char **values; /* owned; NULL binds NULL */
    int *lengths;
    int *formats;
    unsigned *types; /* the type oid of each bound value (0: NULL) */
    PGresult *res;   /* the result being iterated, NULL before the first step */
    int row;
    int early; /* EARLY_*: queued by db_prefetch, its result fetched ahead, or a write deferred */
    unsigned char *blob; /* the last column read as bytes (PQfreemem) */
    bool typed;          /* prepared with the bound values' types (42P18) */
    bool in_batches;     /* db_read_in_batches */
    /* A read in batches: its rows come from this cursor. */
    char cursor[24];     /* "" when the whole result came at once */
    PGresult *next;      /* the next batch, received before it was asked for */
    bool more;           /* the last batch was full: the cursor may hold more rows */
    bool binary;         /* the batches after the first come in binary format */
    char (*as_text)[24]; /* per column: a binary integer written as text */
    char *bytea_text;    /* a binary bytea written as text (\x...) */
    uint64_t used;
} pg_stmt;

enum { EARLY_NO, EARLY_QUEUED, EARLY_FETCHED, EARLY_DEFERRED };

struct pg_db {
    struct db base;
    PGconn *conn;
    bool read_only;
    bool writing; /* a write transaction holds the advisory lock */
    bool reading; /* a read transaction */
    /* The transaction's BEGIN (and lock) not sent yet: they go in one
     * pipeline with its first statement. */
    const char *pending[3]; /* BEGIN, the write lock, a batch's SAVEPOINT */
    int n_pending;
    /* A read transaction's end sent and its answer not read yet (settle). */
    bool in_flight;
    /* The statement read in batches whose next batch is on its way (settle). */
    pg_stmt *fetching;
    unsigned next_cursor;
    /* db_prefetch: queued or fetched, not yet stepped; db_run_later: not sent
     * yet; in the order they were asked for */
    pg_stmt *ahead[PG_AHEAD_MAX];
    int n_ahead;
    uint64_t tick;
    uint64_t generation; /* bumped on every reset: prepared names are gone */
    unsigned next_name;
    pg_stmt *cache[PG_STMT_CACHE];
    int cached;
};

static const db_backend pg_backend;

static pg_db *pg(db *d)
{
    return (pg_db *)d;
}

static pg_stmt *pgs(db_stmt *s)
{
    return (pg_stmt *)s;
}

static bool sqlstate_is(const char *state, const char *prefix)
{
    return state && strncmp(state, prefix, strlen(prefix)) == 0;
}

static cc_status storage_error(const char *what, cc_error *err)
{
    return cc_fail(err, CC_STORAGE, NULL, "storage_unavailable",
                   "the database cannot be written or read: %s", what);
}

/* The status of a failed result (or of the connection when res is NULL). */
static cc_status map_error(pg_db *d, const PGresult *res, cc_error *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if (!msg || !*msg)
        msg = PQerrorMessage(d->conn);
    char text[512];
    snprintf(text, sizeof text, "%s", msg);
    text[strcspn(text, "\n")] = '\0';
    if (PQstatus(d->conn) != CONNECTION_OK || !state)
        return storage_error(text, err);
    if (sqlstate_is(state, "23"))
        return cc_fail(err, CC_CONFLICT, NULL, "constraint", "constraint violated: %s", text);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return cc_fail(err, CC_STORAGE, NULL, "transaction_conflict", /* DB_TRANSACTION_ABORTED */
                       "the database aborted the transaction for another's sake: %s", text);
    if (sqlstate_is(state, "08") || sqlstate_is(state, "40") || sqlstate_is(state, "53") ||
        sqlstate_is(state, "57P") || sqlstate_is(state, "58") || strcmp(state, "25006") == 0)
        return storage_error(text, err);
    return cc_fail(err, CC_INTERNAL, NULL, "database_error", "database error: %s", text);
}

/* Reads the answer of a transaction's end sent without waiting for it
 * (end_async): the next command on the connection waits for it instead of
 * the request that ended the transaction. */
static PGresult *take_result(pg_db *d)
{
    PGresult *res = PQgetResult(d->conn), *rest;
    while ((rest = PQgetResult(d->conn)) != NULL)
        PQclear(rest);
    return res;
}

static void settle(pg_db *d)
{
    if (d->fetching) { /* a read in batches: its next batch, kept for it */
        pg_stmt *s = d->fetching;
        d->fetching = NULL;
        PQclear(s->next);
        s->next = take_result(d);
    }
    if (!d->in_flight)
        return;
    d->in_flight = false;
    PGresult *res;
    while ((res = PQgetResult(d->conn)) != NULL)
        PQclear(res);
}

/* Runs sql without parameters; CC_OK when it succeeded. */
static cc_status run_simple(pg_db *d, const char *sql, cc_error *err)
{
    settle(d);
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    cc_status st = es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK ? CC_OK : map_error(d, res, err);
    PQclear(res);
    return st;
}

/* The statements prepared on a connection that was reset are gone. */
static void ahead_forget(pg_db *d);

/* Whether an idle connection still reaches its server. One the server
 * ended while it sat idle (a shutdown, a restart, a terminated backend)
 * still says CONNECTION_OK until something is read from it: the server's
 * farewell and the end of the stream are waiting there, so a socket with
 * something to read is read now, and libpq marks the connection bad. */
static bool connection_alive(pg_db *d)
{
    /* One read takes the farewell, the next finds the end of the stream. */
    for (int reads = 0; reads < 4; reads++) {
        if (PQstatus(d->conn) != CONNECTION_OK)
            return false;
        struct pollfd p = {.fd = PQsocket(d->conn), .events = POLLIN};
        if (p.fd < 0)
            return false;
        if (poll(&p, 1, 0) != 1 || !PQconsumeInput(d->conn))
            break;
    }
    return PQstatus(d->conn) == CONNECTION_OK;
}

/* Called where no transaction is open, so that a connection that was lost
 * is replaced before anything is sent on it rather than failing the
 * request that would use it. */
static void reconnect_if_lost(pg_db *d)
{
    if (connection_alive(d))
        return;
    PQreset(d->conn);
    d->generation++;
    d->writing = d->reading = d->in_flight = false;
    d->fetching = NULL;
    d->n_pending = 0;
    ahead_forget(d);
    if (PQstatus(d->conn) == CONNECTION_OK) {
        cc_error ignored;
        run_simple(d, "SET client_min_messages = warning", &ignored);
    }
}

static void pg_close(db *base);

cc_status db_pg_open(const char *url, db_open_mode mode, db **out, cc_error *err)
{
    *out = NULL;
    pg_db *d = calloc(1, sizeof *d);
    if (!d)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    d->base.backend = &pg_backend;
    d->read_only = mode == DB_OPEN_READONLY;
    d->conn = PQconnectdb(url);
    cc_status st = CC_OK;
    if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
        char text[512];
        snprintf(text, sizeof text, "%s", d->conn ? PQerrorMessage(d->conn) : "out of memory");
        text[strcspn(text, "\n")] = '\0';
        st =
            cc_fail(err, CC_STORAGE, NULL, "storage_unavailable", "cannot open database: %s", text);
    }
    if (st == CC_OK)
        st = run_simple(d, "SET client_min_messages = warning", err);
    if (st == CC_OK && d->read_only)
        st = run_simple(d, "SET default_transaction_read_only = on", err);
    if (st != CC_OK) {
        pg_close(&d->base);
        return st;
    }
    *out = &d->base;
    return CC_OK;
}

static void free_params(pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->values[i]);
        s->values[i] = NULL;
        s->lengths[i] = 0;
        s->formats[i] = 0;
        s->types[i] = 0;
    }
}

/* Frees the rows being iterated (and the bytes last read from them). */
static void drop_rows(pg_stmt *s)
{
    if (s->blob)
        PQfreemem(s->blob);
    s->blob = NULL;
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
}

static void clear_result(pg_stmt *s)
{
    pg_db *d = (pg_db *)s->base.owner;
    if (d->fetching == s) /* its answer is read before the connection is used again */
        settle(d);
    free(s->as_text);
    s->as_text = NULL;
    free(s->bytea_text);
    s->bytea_text = NULL;
    PQclear(s->next);
    s->next = NULL;
    s->cursor[0] = '\0';
    s->more = s->binary = false;
    drop_rows(s);
}

static void free_stmt(pg_stmt *s)
{
    clear_result(s);
    free_params(s);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->types);
    free(s->text);
    free(s->sql);
    free(s);
}

static void pg_close(db *base)
{
    pg_db *d = pg(base);
    for (int i = 0; i < d->cached; i++)
        free_stmt(d->cache[i]);
    PQfinish(d->conn);
    free(d);
}

/* Whether the text after a parameter tests it for NULL ("IS NULL", "IS NOT
 * NULL"). */
static bool only_null_tested(const char *after)
{
    while (*after == ' ' || *after == '\n')
        after++;
    return strncasecmp(after, "IS NULL", 7) == 0 || strncasecmp(after, "IS NOT NULL", 11) == 0;
}

/* sql with each `?` outside quotes and comments numbered $1, $2, ...;
 * *count receives the number of placeholders. NULL when out of memory. */
static char *number_placeholders(const char *sql, int *count)
{
    size_t len = strlen(sql), cap = len + 1;
    for (const char *p = sql; *p; p++)
        cap += *p == '?' ? 12 : 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0;
    int n = 0;
    char quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (quote) {
            out[o++] = c;
            if (c == quote)
                quote = 0; /* a doubled quote closes and reopens: same text */
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out[o++] = c;
        } else if (c == '-' && sql[i + 1] == '-') {
            while (i < len && sql[i] != '\n')
                out[o++] = sql[i++];
            if (i < len)
                out[o++] = '\n';
        } else if (c == '?' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            int number = 0; /* ?NNN: the caller's own number, as SQLite reads it */
            out[o++] = '$';
            while (sql[i + 1] >= '0' && sql[i + 1] <= '9') {
                number = number * 10 + (sql[i + 1] - '0');
                out[o++] = sql[++i];
            }
            n = number > n ? number : n;
        } else if (c == '?') {
            /* a parameter only tested for NULL tells the server no type: text,
             * whose input takes any value bound (a number's digits too) */
            o += (size_t)snprintf(out + o, cap - o, "$%d%s", ++n,
                                  only_null_tested(sql + i + 1) ? "::text" : "");
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    *count = n;
    return out;
}

static bool evict_oldest_idle(pg_db *d)
{
    int oldest = -1;
    for (int i = 0; i < d->cached; i++)
        if (!d->cache[i]->res && d->cache[i]->early == EARLY_NO &&
            (oldest < 0 || d->cache[i]->used < d->cache[oldest]->used))
            oldest = i;
    if (oldest < 0)
        return false;
    pg_stmt *s = d->cache[oldest];
    if (s->prepared && s->generation == d->generation && PQstatus(d->conn) == CONNECTION_OK) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        cc_error ignored;
        run_simple(d, sql, &ignored);
    }
    free_stmt(s);
    memmove(&d->cache[oldest], &d->cache[oldest + 1],
            sizeof d->cache[0] * (size_t)(d->cached - oldest - 1));
    d->cached--;
    return true;
}

static cc_status send_deferred(pg_db *d, cc_error *err);

static cc_status pg_prepare(db *base, const char *sql, db_stmt **out, cc_error *err)
{
    pg_db *d = pg(base);
    d->tick++;
    for (int i = 0; i < d->cached; i++) {
        /* the pointer is the fast key; the text guards against a caller
         * reusing a buffer for different SQL */
        if (d->cache[i]->key == sql && strcmp(d->cache[i]->text, sql) == 0) {
            d->cache[i]->used = d->tick;
            *out = &d->cache[i]->base;
            /* a write deferred with this statement is sent before it is bound again */
            return d->cache[i]->early == EARLY_DEFERRED ? send_deferred(d, err) : CC_OK;
        }
    }
    if (d->cached == PG_STMT_CACHE && !evict_oldest_idle(d))
        return cc_fail(err, CC_INTERNAL, NULL, "statement_cache_full",
                       "every cached statement is in use");
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    s->base.owner = base;
    s->key = sql;
    s->row = -1;
    s->used = d->tick;
    s->sql = number_placeholders(sql, &s->nparams);
    s->text = strdup(sql);
    int n = s->nparams > 0 ? s->nparams : 1;
    s->values = calloc((size_t)n, sizeof *s->values);
    s->lengths = calloc((size_t)n, sizeof *s->lengths);
    s->formats = calloc((size_t)n, sizeof *s->formats);
    s->types = calloc((size_t)n, sizeof *s->types);
    if (!s->sql || !s->text || !s->values || !s->lengths || !s->formats || !s->types) {
        free_stmt(s);
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    }
    snprintf(s->name, sizeof s->name, "cc%u", ++d->next_name);
    d->cache[d->cached++] = s;
    *out = &s->base;
    return CC_OK;
}

static void ahead_remove(pg_db *d, pg_stmt *s)
{
    for (int i = 0; i < d->n_ahead; i++)
        if (d->ahead[i] == s) {
            memmove(&d->ahead[i], &d->ahead[i + 1],
                    sizeof d->ahead[0] * (size_t)(d->n_ahead - i - 1));
            d->n_ahead--;
            break;
        }
    s->early = EARLY_NO;
}

/* At a transaction's end: a result fetched ahead saw that transaction, a
 * statement still queued is sent by its own step, a deferred write not sent
 * is dropped with the transaction (or savepoint) that ends. */
static void ahead_forget(pg_db *d)
{
    for (int i = 0; i < d->n_ahead; i++) {
        if (d->ahead[i]->early == EARLY_FETCHED)
            clear_result(d->ahead[i]);
        d->ahead[i]->early = EARLY_NO;
    }
    d->n_ahead = 0;
}

static void pg_done(db_stmt *base)
{
    pg_stmt *s = pgs(base);
    if (s->early != EARLY_NO)
        ahead_remove(pg(base->owner), s);
    clear_result(s);
    free_params(s);
}

static bool same_value(const pg_stmt *s, int i, const char *value, int length, int format)
{
    const char *old = s->values[i];
    if (!old || !value)
        return old == value;
    if (s->formats[i] != format || s->lengths[i] != length)
        return false;
    return format == 1 ? memcmp(old, value, (size_t)length) == 0 : strcmp(old, value) == 0;
}

static void set_param(pg_stmt *s, int idx, char *value, int length, int format, unsigned type)
{
    if (idx < 1 || idx > s->nparams) {
        free(value);
        return;
    }
    /* binding the same values again (the helpers of store/sql.h do) keeps a
     * statement sent ahead; another value means another query */
    if (s->early != EARLY_NO && !same_value(s, idx - 1, value, length, format)) {
        ahead_remove(pg(s->base.owner), s);
        clear_result(s);
    }
    free(s->values[idx - 1]);
    s->values[idx - 1] = value;
    s->lengths[idx - 1] = length;
    s->formats[idx - 1] = format;
    s->types[idx - 1] = value ? type : 0;
}

static void pg_bind_int(db_stmt *s, int idx, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    set_param(pgs(s), idx, strdup(buf), 0, 0, OID_INT8);
}

static void pg_bind_double(db_stmt *s, int idx, double v)
{
    char buf[40];
    if (isnan(v))
        snprintf(buf, sizeof buf, "NaN");
    else if (isinf(v))
        snprintf(buf, sizeof buf, "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(buf, sizeof buf, "%.17g", v);
    set_param(pgs(s), idx, strdup(buf), 0, 0, OID_FLOAT8);
}

static void pg_bind_text(db_stmt *s, int idx, const char *v)
{
    set_param(pgs(s), idx, strdup(v), 0, 0, OID_TEXT);
}

static void pg_bind_null(db_stmt *s, int idx)
{
    set_param(pgs(s), idx, NULL, 0, 0, 0);
}

static void pg_bind_blob(db_stmt *s, int idx, const void *v, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (copy)
        memcpy(copy, v, len);
    set_param(pgs(s), idx, copy, (int)len, 1, OID_BYTEA);
}

/* Prepares s: first with every parameter's type inferred by the server
 * from the statement (so that "5" bound for a BIGINT column compares as a
 * number); where the statement does not tell (`? IS NULL`, `SELECT ?`), with
 * the types of the values bound now. Inside a transaction a failed prepare
 * would abort it, so the first attempt runs under a savepoint there. */
static cc_status ensure_prepared(pg_db *d, pg_stmt *s, cc_error *err)
{
    if (s->prepared && s->generation == d->generation)
        return CC_OK;
    settle(d);
    bool in_tx = PQtransactionStatus(d->conn) == PQTRANS_INTRANS;
    cc_error ignored;
    if (in_tx)
        run_simple(d, "SAVEPOINT cc_prepare", &ignored);
    s->typed = false;
    PGresult *res = PQprepare(d->conn, s->name, s->sql, s->nparams, NULL);
    ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (es != PGRES_COMMAND_OK && state && strcmp(state, "42P18") == 0) {
        PQclear(res);
        if (in_tx)
            run_simple(d, "ROLLBACK TO SAVEPOINT cc_prepare", &ignored);
        res = PQprepare(d->conn, s->name, s->sql, s->nparams, (const Oid *)s->types);
        es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        s->typed = true;
    }
    if (in_tx && es == PGRES_COMMAND_OK)
        run_simple(d, "RELEASE SAVEPOINT cc_prepare", &ignored);
    cc_status st = es == PGRES_COMMAND_OK ? CC_OK : map_error(d, res, err);
    PQclear(res);
    if (st == CC_OK) {
        s->prepared = true;
        s->generation = d->generation;
    }
    return st;
}

static bool pg_in_transaction(db *d)
{
    settle(pg(d));
    if (pg(d)->n_pending > 0)
        return true;
    PGTransactionStatusType ts = PQtransactionStatus(pg(d)->conn);
    return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK;
}

static bool send_prepared(pg_db *d, const pg_stmt *s)
{
    return PQsendQueryPrepared(d->conn, s->name, s->nparams, (const char *const *)s->values,
                               s->lengths, s->formats, 0) == 1;
}

/* Runs s alone: one round trip. */
static cc_status exec_one(pg_db *d, pg_stmt *s, cc_error *err)
{
    PGresult *res = PQexecPrepared(d->conn, s->name, s->nparams, (const char *const *)s->values,
                                   s->lengths, s->formats, 0);
    if (!result_ok(res)) {
        cc_status st = map_error(d, res, err);
        PQclear(res);
        return st;
    }
    s->res = res;
    s->row = -1;
    return CC_OK;
}

/* What waits to be sent before s: the deferred writes and, when reads is
 * set, the statements queued by db_prefetch (prepared in this generation),
 * in the order they were asked for. */
static int take_queued(pg_db *d, pg_stmt *s, bool reads, pg_stmt **queued)
{
    int n = 0;
    for (int i = 0; i < d->n_ahead;) {
        pg_stmt *q = d->ahead[i];
        bool wanted = q->early == EARLY_DEFERRED || (reads && q->early == EARLY_QUEUED);
        if (!wanted || q == s) {
            i++;
        } else if (!q->prepared || q->generation != d->generation) {
            ahead_remove(d, q);
        } else {
            queued[n++] = q;
            i++;
        }
    }
    return n;
}

/* After a failure inside a pipeline: reads what the server still sends up
 * to the sync, and leaves pipeline mode (a connection that cannot is reset:
 * its transaction is lost, which the failure reported already). */
static void pipeline_abandon(pg_db *d)
{
    int nulls = 0;
    for (int i = 0; i < 4 * PG_AHEAD_MAX && nulls < 2; i++) {
        PGresult *res = PQgetResult(d->conn);
        if (!res) {
            nulls++;
            continue;
        }
        nulls = 0;
        bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (sync)
            break;
    }
    if (!PQexitPipelineMode(d->conn)) {
        PQreset(d->conn);
        d->generation++;
        d->fetching = NULL;
        d->writing = d->reading = false;
        ahead_forget(d);
    }
}

static bool send_command(pg_db *d, const char *sql)
{
    return PQsendQueryParams(d->conn, sql, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/* Runs what waits (the transaction's BEGIN and lock, take_queued) and then
 * s, or the command sql (one statement without parameters), or nothing
 * more (both NULL), in one pipeline: one round trip for all. The reads
 * queued by db_prefetch go only with a statement s. A failure of any of
 * them is the pipeline's failure (the server skips the rest of it after
 * one); a queued read that did not run is run again by its own step, a
 * deferred write that did not run is dropped with the action that fails. */
static cc_status run_pipeline(pg_db *d, pg_stmt *s, const char *sql, cc_error *err)
{
    settle(d);
    pg_stmt *queued[PG_AHEAD_MAX];
    int nq = take_queued(d, s, s != NULL, queued), np = d->n_pending, last = s || sql ? 1 : 0;
    if (np == 0 && nq == 0)
        return s ? exec_one(d, s, err) : sql ? run_simple(d, sql, err) : CC_OK;
    d->n_pending = 0;
    if (!PQenterPipelineMode(d->conn))
        return map_error(d, NULL, err);
    bool sent = true;
    for (int i = 0; i < np && sent; i++)
        sent = send_command(d, d->pending[i]);
    for (int i = 0; i < nq && sent; i++)
        sent = send_prepared(d, queued[i]);
    if (sent && last)
        sent = s ? send_prepared(d, s) : send_command(d, sql);
    sent = sent && PQpipelineSync(d->conn) == 1;
    if (!sent) {
        cc_status st = map_error(d, NULL, err);
        pipeline_abandon(d);
        return st;
    }
    cc_status st = CC_OK;
    for (int i = 0; i < np + nq + last; i++) {
        PGresult *res = PQgetResult(d->conn);
        if (!res) {
            st = st != CC_OK ? st : map_error(d, NULL, err);
            pipeline_abandon(d);
            return st;
        }
        PQclear(PQgetResult(d->conn)); /* the NULL that ends each query's results */
        bool ok = result_ok(res);
        if (!ok && st == CC_OK)
            st = map_error(d, res, err); /* the first failure; the rest were skipped */
        pg_stmt *target = i < np ? NULL : i < np + nq ? queued[i - np] : s;
        if (ok && target && target->early != EARLY_DEFERRED) {
            target->res = res;
            target->row = -1;
            if (target != s)
                target->early = EARLY_FETCHED;
            continue;
        }
        PQclear(res);
        if (target && target != s)
            ahead_remove(d, target);
    }
    PGresult *sync = PQgetResult(d->conn);
    bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || !PQexitPipelineMode(d->conn)) {
        st = st != CC_OK ? st : map_error(d, NULL, err);
        pipeline_abandon(d);
    }
    if (st != CC_OK && s && s->res)
        clear_result(s);
    return st;
}

static bool have_deferred(const pg_db *d)
{
    for (int i = 0; i < d->n_ahead; i++)
        if (d->ahead[i]->early == EARLY_DEFERRED)
            return true;
    return false;
}

/* Sends the deferred writes now, on their own: one round trip. */
static cc_status send_deferred(pg_db *d, cc_error *err)
{
    return run_pipeline(d, NULL, NULL, err);
}

/* ---- reads in batches: a cursor, PG_BULK_ROWS rows at a time ----
 *
 * A SELECT marked by db_read_in_batches and stepped inside a transaction is
 * declared as a cursor and read PG_BULK_ROWS rows at a time: the client's
 * memory stays a batch or two whatever the table's size (a whole result of
 * millions of rows took gigabytes), and the next batch is asked for as soon
 * as one arrives, so that the server reads it while the caller handles this
 * one (settle receives it first if the caller runs another statement in
 * between). The batches after the first come in binary format when every
 * column is of a type whose binary form the accessors read (integers,
 * booleans, text, bytea): no text to parse, no bytea to unescape. A cursor
 * lives until its transaction ends. */

static bool is_select(const char *sql)
{
    sql += strspn(sql, " \t\n");
    return strncasecmp(sql, "SELECT", 6) == 0;
}

static bool wants_cursor(pg_db *d, const pg_stmt *s)
{
    return s->in_batches && is_select(s->sql) &&
           (d->n_pending > 0 || PQtransactionStatus(d->conn) == PQTRANS_INTRANS);
}

static bool binary_readable(Oid type)
{
    switch (type) {
    case OID_BOOL:
    case OID_BYTEA:
    case OID_INT8:
    case OID_INT2:
    case OID_INT4:
    case OID_OID:
    case OID_TEXT:
    case OID_BPCHAR:
    case OID_VARCHAR: return true;
    default: return false;
    }
}

static bool all_binary_readable(const PGresult *res)
{
    for (int col = 0; col < PQnfields(res); col++)
        if (!binary_readable(PQftype(res, col)))
            return false;
    return true;
}

static bool fetch_send(pg_db *d, pg_stmt *s)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", PG_BULK_ROWS, s->cursor);
    return PQsendQueryParams(d->conn, sql, 0, NULL, NULL, NULL, NULL, s->binary ? 1 : 0) == 1;
}

/* Makes the next batch s's result: the one already received, or one asked
 * for now; then asks for the one after it. */
static cc_status cursor_advance(pg_db *d, pg_stmt *s, cc_error *err)
{
    settle(d);
    PGresult *res = s->next;
    s->next = NULL;
    if (!res && fetch_send(d, s))
        res = take_result(d);
    if (!result_ok(res)) {
        cc_status st = map_error(d, res, err);
        PQclear(res);
        return st;
    }
    drop_rows(s);
    s->res = res;
    s->more = PQntuples(res) == PG_BULK_ROWS;
    s->binary = s->binary || all_binary_readable(res);
    if (s->more && fetch_send(d, s))
        d->fetching = s;
    return CC_OK;
}

static cc_status cursor_open(pg_db *d, pg_stmt *s, cc_error *err)
{
    cc_status st = run_pipeline(d, NULL, NULL, err); /* the BEGIN and deferred writes first */
    if (st != CC_OK)
        return st;
    size_t len = strlen(s->sql) + 64;
    char *declare = malloc(len);
    if (!declare)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    snprintf(s->cursor, sizeof s->cursor, "cc_bulk%u", ++d->next_cursor);
    snprintf(declare, len, "DECLARE %s NO SCROLL CURSOR FOR %s", s->cursor, s->sql);
    PGresult *res = PQexecParams(d->conn, declare, s->nparams, s->typed ? s->types : NULL,
                                 (const char *const *)s->values, s->lengths, s->formats, 0);
    free(declare);
    st = result_ok(res) ? CC_OK : map_error(d, res, err);
    PQclear(res);
    if (st == CC_OK)
        st = cursor_advance(d, s, err);
    if (st != CC_OK)
        s->cursor[0] = '\0';
    return st;
}

static db_step_result pg_step(db_stmt *base, cc_error *err)
{
    pg_stmt *s = pgs(base);
    pg_db *d = pg(base->owner);
    if (s->early != EARLY_NO) /* stepped now: fetched ahead, or the one to send */
        ahead_remove(d, s);
    if (!s->res) {
        if (!pg_in_transaction(base->owner))
            reconnect_if_lost(d);
        cc_status st = ensure_prepared(d, s, err);
        if (st == CC_OK)
            st = wants_cursor(d, s) ? cursor_open(d, s, err) : run_pipeline(d, s, NULL, err);
        if (st != CC_OK)
            return DB_ERROR;
    }
    if (s->blob) {
        PQfreemem(s->blob);
        s->blob = NULL;
    }
    if (s->row + 1 < PQntuples(s->res)) {
        s->row++;
        return DB_ROW;
    }
    if (s->cursor[0] && s->more) {
        if (cursor_advance(d, s, err) != CC_OK)
            return DB_ERROR;
        if (PQntuples(s->res) > 0) {
            s->row = 0;
            return DB_ROW;
        }
    }
    s->row = PQntuples(s->res);
    return DB_DONE;
}

static bool have_value(pg_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < PQntuples(s->res) && col >= 0 &&
           col < PQnfields(s->res);
}

static int pg_col_count(db_stmt *s)
{
    return pgs(s)->res ? PQnfields(pgs(s)->res) : 0;
}

static const char *pg_col_name(db_stmt *s, int col)
{
    return pgs(s)->res ? PQfname(pgs(s)->res, col) : NULL;
}

static bool looks_integral(const char *text)
{
    return !strpbrk(text, ".eEnN"); /* no fraction, exponent, NaN or Infinity */
}

static db_col_kind pg_col_kind(db_stmt *base, int col)
{
    pg_stmt *s = pgs(base);
    if (!have_value(s, col) || PQgetisnull(s->res, s->row, col))
        return DB_COL_NULL;
    switch (PQftype(s->res, col)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID: return DB_COL_INT;
    case OID_FLOAT4:
    case OID_FLOAT8: return DB_COL_REAL;
    case OID_NUMERIC:
        return looks_integral(PQgetvalue(s->res, s->row, col)) ? DB_COL_INT : DB_COL_REAL;
    case OID_BYTEA: return DB_COL_BLOB;
    default: return DB_COL_TEXT;
    }
}

/* A binary value (a batch of a read in batches) of one of the types binary_readable
 * lets through; is_int tells whether it is a number (else text or bytes). */
static int64_t binary_int(const pg_stmt *s, int col, bool *is_int)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(s->res, s->row, col);
    uint64_t x = 0;
    for (int i = 0, n = PQgetlength(s->res, s->row, col); i < n && i < 8; i++)
        x = x << 8 | v[i];
    *is_int = true;
    switch (PQftype(s->res, col)) {
    case OID_BOOL: return v[0] != 0;
    case OID_INT2: return (int16_t)x;
    case OID_INT4: return (int32_t)x;
    case OID_OID: return (uint32_t)x;
    case OID_INT8: return (int64_t)x;
    default: *is_int = false; return 0;
    }
}

static bool binary_at(const pg_stmt *s, int col)
{
    return PQfformat(s->res, col) == 1;
}

static int64_t pg_col_int(db_stmt *base, int col)
{
    pg_stmt *s = pgs(base);
    if (!have_value(s, col) || PQgetisnull(s->res, s->row, col))
        return 0;
    bool is_int = false;
    int64_t n = binary_at(s, col) ? binary_int(s, col, &is_int) : 0;
    if (is_int)
        return n;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == OID_BOOL)
        return v[0] == 't';
    if (!looks_integral(v)) /* SQLite's conversion of a real: toward zero */
        return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

static double pg_col_double(db_stmt *base, int col)
{
    pg_stmt *s = pgs(base);
    if (!have_value(s, col) || PQgetisnull(s->res, s->row, col))
        return 0.0;
    bool is_int = false;
    int64_t n = binary_at(s, col) ? binary_int(s, col, &is_int) : 0;
    if (is_int)
        return (double)n;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == OID_BOOL)
        return v[0] == 't';
    return strtod(v, NULL);
}

/* A binary integer or bytea as the text format would have it. */
static const char *binary_as_text(pg_stmt *s, int col)
{
    bool is_int;
    int64_t n = binary_int(s, col, &is_int);
    if (is_int && !s->as_text && !(s->as_text = calloc((size_t)PQnfields(s->res), 24)))
        return "";
    if (is_int) {
        snprintf(s->as_text[col], sizeof s->as_text[col], "%lld", (long long)n);
        return s->as_text[col];
    }
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) != OID_BYTEA)
        return v;
    size_t len = (size_t)PQgetlength(s->res, s->row, col);
    free(s->bytea_text);
    if (!(s->bytea_text = malloc(2 * len + 3)))
        return "";
    memcpy(s->bytea_text, "\\x", 2);
    for (size_t i = 0; i < len; i++)
        snprintf(s->bytea_text + 2 + 2 * i, 3, "%02x", (unsigned char)v[i]);
    s->bytea_text[2 + 2 * len] = '\0';
    return s->bytea_text;
}

static const char *pg_col_text(db_stmt *base, int col)
{
    pg_stmt *s = pgs(base);
    if (!have_value(s, col) || PQgetisnull(s->res, s->row, col))
        return "";
    if (binary_at(s, col))
        return PQftype(s->res, col) == OID_BOOL ? (PQgetvalue(s->res, s->row, col)[0] ? "1" : "0")
                                                : binary_as_text(s, col);
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == OID_BOOL) /* booleans are 0/1 integers (schema.c) */
        return v[0] == 't' ? "1" : "0";
    return v;
}

static const void *pg_col_blob(db_stmt *base, int col, size_t *len)
{
    pg_stmt *s = pgs(base);
    *len = 0;
    if (!have_value(s, col) || PQgetisnull(s->res, s->row, col))
        return NULL;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == OID_BOOL ||
        (binary_at(s, col) && PQftype(s->res, col) != OID_BYTEA)) { /* as its text */
        v = pg_col_text(base, col);
        *len = strlen(v);
        return v;
    }
    if (binary_at(s, col) || PQftype(s->res, col) != OID_BYTEA) {
        *len = (size_t)PQgetlength(s->res, s->row, col);
        return v;
    }
    if (s->blob)
        PQfreemem(s->blob);
    s->blob = PQunescapeBytea((const unsigned char *)v, len);
    return s->blob ? (const void *)s->blob : (const void *)"";
}

/* --- the schema's DDL in PostgreSQL's words --- */

typedef struct {
    char *text;
    size_t len, cap;
    bool failed;
} sql_buf;

static void put(sql_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->text, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n);
    b->len += n;
    b->text[b->len] = '\0';
}

static void puts_(sql_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static bool word_char(char c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Whether word stands at p as a whole word (p within start's text; the
 * character after it is read only once the word matched, so never past the
 * text's end). */
static bool word_at(const char *p, const char *start, const char *word)
{
    size_t n = strlen(word);
    if ((p != start && word_char(p[-1])) || strncmp(p, word, n) != 0)
        return false;
    return !word_char(p[n]);
}

/* "CREATE TRIGGER IF NOT EXISTS name BEFORE DELETE ON table BEGIN SELECT
 * RAISE(ABORT, 'message'); END;" at p: the PL/pgSQL equivalent appended and
 * the length consumed returned; 0 when p holds another form. */
static size_t translate_guard(sql_buf *b, const char *p)
{
    char name[128], table[128], message[256];
    int consumed = 0;
    if (sscanf(p,
               "CREATE TRIGGER IF NOT EXISTS %127s BEFORE DELETE ON %127s BEGIN SELECT "
               "RAISE(ABORT, '%255[^']'); END;%n",
               name, table, message, &consumed) != 3 ||
        consumed == 0)
        return 0;
    puts_(b, "CREATE OR REPLACE FUNCTION cc_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS "
             "$f$BEGIN RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = "
             "TG_ARGV[0]; END$f$; CREATE OR REPLACE TRIGGER ");
    puts_(b, name);
    puts_(b, " BEFORE DELETE ON ");
    puts_(b, table);
    puts_(b, " FOR EACH ROW EXECUTE FUNCTION cc_refuse_delete('");
    puts_(b, message);
    puts_(b, "');");
    return (size_t)consumed;
}

/* A schema trigger run after each row's change, whose body is SQL both
 * engines read: CREATE TRIGGER IF NOT EXISTS name AFTER event ON table BEGIN
 * body END; becomes a plpgsql function running the body and a trigger
 * calling it for each row. 0 when p is not one. */
static size_t translate_after_trigger(sql_buf *b, const char *p)
{
    char name[128], event[16], table[128];
    int consumed = 0;
    if (sscanf(p, "CREATE TRIGGER IF NOT EXISTS %127s AFTER %15s ON %127s BEGIN%n", name, event,
               table, &consumed) != 3 ||
        consumed == 0)
        return 0;
    const char *body = p + consumed, *end = strstr(body, " END;");
    if (!end)
        return 0;
    puts_(b, "CREATE OR REPLACE FUNCTION ");
    puts_(b, name);
    puts_(b, "_fn() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN");
    put(b, body, (size_t)(end - body));
    puts_(b, " RETURN NULL; END$f$; CREATE OR REPLACE TRIGGER ");
    puts_(b, name);
    puts_(b, " AFTER ");
    puts_(b, event);
    puts_(b, " ON ");
    puts_(b, table);
    puts_(b, " FOR EACH ROW EXECUTE FUNCTION ");
    puts_(b, name);
    puts_(b, "_fn();");
    return (size_t)(end + strlen(" END;") - p);
}

static const struct {
    const char *portable, *postgresql;
} TYPE_WORDS[] = {
    {"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
    {"INTEGER", "BIGINT"},
    {"REAL", "DOUBLE PRECISION"},
    {"BLOB", "BYTEA"},
    {"WITHOUT ROWID", ""},
};

/* The schema's SQL in PostgreSQL's dialect; NULL when out of memory. */
static char *translate_ddl(const char *sql)
{
    sql_buf b = {0};
    char quote = 0;
    for (const char *p = sql; *p;) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            put(&b, p++, 1);
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            put(&b, p++, 1);
            continue;
        }
        size_t used = 0;
        if (word_at(p, sql, "CREATE") && !(used = translate_guard(&b, p)))
            used = translate_after_trigger(&b, p);
        for (size_t i = 0; !used && i < sizeof TYPE_WORDS / sizeof TYPE_WORDS[0]; i++) {
            if (word_at(p, sql, TYPE_WORDS[i].portable)) {
                puts_(&b, TYPE_WORDS[i].postgresql);
                used = strlen(TYPE_WORDS[i].portable);
            }
        }
        if (used)
            p += used;
        else
            put(&b, p++, 1);
    }
    if (!b.text)
        puts_(&b, "");
    if (b.failed) {
        free(b.text);
        return NULL;
    }
    return b.text;
}

/* Sends the transaction's BEGIN (and lock) on their own, before a command
 * that cannot go in a pipeline. */
static cc_status send_pending(pg_db *d, cc_error *err)
{
    int n = d->n_pending;
    d->n_pending = 0;
    cc_status st = CC_OK;
    for (int i = 0; i < n && st == CC_OK; i++)
        st = run_simple(d, d->pending[i], err);
    return st;
}

static cc_status pg_exec(db *base, const char *sql, cc_error *err)
{
    pg_db *d = pg(base);
    if (!pg_in_transaction(base))
        reconnect_if_lost(d);
    char *translated = translate_ddl(sql);
    if (!translated)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    /* one statement (a savepoint's release) goes with the deferred writes */
    bool one = have_deferred(d) && !strchr(translated, ';');
    cc_status st = one ? run_pipeline(d, NULL, translated, err) : send_pending(d, err);
    if (st == CC_OK && !one)
        st = send_deferred(d, err);
    if (st == CC_OK && !one)
        st = run_simple(d, translated, err);
    free(translated);
    return st;
}

/* BEGIN and the lock wait for the transaction's first statement and go in
 * one round trip with it (run_pipeline): the lock is still taken before
 * anything is read. A transaction that runs nothing sends nothing. */
static cc_status pg_begin(db *base, cc_error *err)
{
    pg_db *d = pg(base);
    if (pg_in_transaction(base))
        return cc_fail(err, CC_INTERNAL, NULL, "nested_transaction",
                       "a write transaction was begun inside another transaction");
    reconnect_if_lost(d);
    d->pending[d->n_pending++] = "BEGIN";
    if (!d->read_only)
        d->pending[d->n_pending++] = WRITE_LOCK_SQL;
    d->writing = true;
    return CC_OK;
}

static cc_status pg_begin_read(db *base, cc_error *err)
{
    (void)err;
    pg_db *d = pg(base);
    settle(d);
    reconnect_if_lost(d);
    if (d->n_pending == 0 && PQtransactionStatus(d->conn) == PQTRANS_IDLE) {
        d->pending[d->n_pending++] = READ_BEGIN_SQL;
        d->reading = true;
    }
    return CC_OK;
}

/* Ends the transaction without waiting for the answer (settle reads it):
 * for an end that has nothing to make durable. */
static void end_async(pg_db *d, const char *sql)
{
    d->in_flight = PQsendQuery(d->conn, sql) == 1;
}

static void pg_rollback(db *base)
{
    pg_db *d = pg(base);
    d->writing = d->reading = false;
    ahead_forget(d);
    if (d->n_pending > 0) { /* nothing was sent */
        d->n_pending = 0;
        return;
    }
    if (pg_in_transaction(base))
        end_async(d, "ROLLBACK");
}

static cc_status pg_commit(db *base, cc_error *err)
{
    pg_db *d = pg(base);
    bool reading = d->reading;
    d->writing = d->reading = false;
    settle(d);
    if (d->n_pending > 0) { /* nothing was sent (nor deferred: db_run_later) */
        d->n_pending = 0;
        ahead_forget(d);
        return CC_OK;
    }
    /* COMMIT of a failed transaction answers ROLLBACK without an error */
    if (PQtransactionStatus(d->conn) == PQTRANS_INERROR) {
        pg_rollback(base);
        return cc_fail(err, CC_INTERNAL, NULL, "transaction_aborted",
                       "a step of this action failed; nothing was written");
    }
    if (reading) { /* a read-only transaction has nothing to make durable */
        ahead_forget(d);
        end_async(d, "COMMIT");
        return CC_OK;
    }
    /* the deferred writes go with the COMMIT, which the server skips if one fails */
    cc_status st = run_pipeline(d, NULL, "COMMIT", err);
    ahead_forget(d);
    if (st != CC_OK)
        pg_rollback(base);
    return st;
}

/* A batch's savepoint goes with the action's first statement, as BEGIN does. */
static cc_status pg_savepoint(db *base, const char *sql, cc_error *err)
{
    pg_db *d = pg(base);
    if (d->n_pending < (int)(sizeof d->pending / sizeof d->pending[0])) {
        d->pending[d->n_pending++] = sql;
        return CC_OK;
    }
    return pg_exec(base, sql, err);
}

static void pg_forget_ahead(db *base)
{
    ahead_forget(pg(base));
}

/* Deferred only once the transaction's BEGIN went (a write before it goes
 * with it anyway) and while the list has room; otherwise it runs now. */
static cc_status pg_run_later(db_stmt *base, cc_error *err)
{
    pg_stmt *s = pgs(base);
    pg_db *d = pg(base->owner);
    if (d->n_pending > 0 || d->n_ahead == PG_AHEAD_MAX || s->early != EARLY_NO || s->res ||
        !pg_in_transaction(&d->base)) {
        db_step_result r = pg_step(base, err);
        pg_done(base);
        return r == DB_ERROR ? err->status : CC_OK;
    }
    cc_status st = ensure_prepared(d, s, err);
    if (st != CC_OK)
        return st;
    s->early = EARLY_DEFERRED;
    d->ahead[d->n_ahead++] = s;
    return CC_OK;
}

/* Queued only inside a transaction: a result fetched ahead outside one
 * could be reused after later commits. */
static void pg_prefetch(db_stmt *base)
{
    pg_stmt *s = pgs(base);
    pg_db *d = pg(base->owner);
    if (s->res || s->early != EARLY_NO || d->n_ahead == PG_AHEAD_MAX ||
        !pg_in_transaction(&d->base))
        return;
    cc_error ignored;
    if (ensure_prepared(d, s, &ignored) != CC_OK)
        return;
    s->early = EARLY_QUEUED;
    d->ahead[d->n_ahead++] = s;
}

static cc_status pg_relax_durability(db *base, cc_error *err)
{
    return run_simple(pg(base), "SET synchronous_commit = off", err);
}

static void pg_group_commit_counts(const db *base, uint64_t *commits, uint64_t *syncs)
{
    (void)base; /* the server groups commits itself and does not count them for us */
    *commits = *syncs = 0;
}

static void pg_hint_bulk_read(db *base)
{
    (void)base; /* the reads that scan say so themselves: db_read_in_batches */
}

static void pg_read_in_batches(db_stmt *base)
{
    pgs(base)->in_batches = true;
}

static cc_status pg_backup_to(db *base, const char *path, int32_t mark, cc_error *err)
{
    (void)base;
    (void)path;
    (void)mark;
    return cc_fail(err, CC_INVALID, "data", "backup_not_for_postgresql",
                   "a PostgreSQL database is backed up with pg_dump or pgBackRest "
                   "(docs/operations.md), not with cellclinic backup");
}

static cc_status pg_application_id(db *base, int32_t *out, cc_error *err)
{
    (void)base;
    (void)err;
    *out = 0; /* no file header: a database is known by its connection string */
    return CC_OK;
}

static cc_status pg_check_integrity(db *base, cc_error *err)
{
    /* The server checks pages as it reads them (data checksums, when the
     * cluster was initialised with them); what can be asked here is that the
     * connection works. */
    return run_simple(pg(base), "SELECT 1", err);
}

static const db_backend pg_backend = {
    .dialect = DB_POSTGRESQL,
    .close = pg_close,
    .prepare = pg_prepare,
    .done = pg_done,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_kind = pg_col_kind,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .exec = pg_exec,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .prefetch = pg_prefetch,
    .read_in_batches = pg_read_in_batches,
    .forget_ahead = pg_forget_ahead,
    .run_later = pg_run_later,
    .savepoint = pg_savepoint,
    .relax_durability = pg_relax_durability,
    .group_commit_counts = pg_group_commit_counts,
    .hint_bulk_read = pg_hint_bulk_read,
    .backup_to = pg_backup_to,
    .application_id = pg_application_id,
    .check_integrity = pg_check_integrity,
};
