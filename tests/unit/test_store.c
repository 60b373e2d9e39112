/* Store tests on real SQLite files: migrations, the audit chain, patients, requests, the sql
 * helpers (row mappers, pages, the mutation skeleton) and the joinable transaction.
 *
 * With CC_TEST_PG_ADMIN set (a libpq URI of a maintenance database on a throwaway cluster, as
 * tests/pg/with_cluster.py gives it), the same tests run on PostgreSQL: each on a database of
 * its own, created and dropped here; the few that are about SQLite's files say so and skip. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/audit.h"
#include "store/consults.h"
#include "store/datadir.h"
#include "store/patients.h"
#include "store/schema.h"
#include "store/sql.h"
#include "store/users.h"
#include "datadir_fixture.h"

static const store_actor ACTOR = {0, "test"};

typedef datadir_fixture fixture;

static int setup(void **state)
{
    *state = datadir_fixture_make("store");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    return datadir_fixture_remove(*state);
}

/* Skips a test about SQLite's own files when the store is PostgreSQL. */
#define SQLITE_ONLY(why)                                                                           \
    do {                                                                                           \
        if (pg_admin()) {                                                                          \
            print_message("skipped on PostgreSQL: %s\n", why);                                     \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static patient_fields sample(const char *family, const char *given, const char *birth)
{
    patient_fields p = {family, given, birth, "female", "fr", NULL, NULL, NULL};
    return p;
}

static int64_t make_patient(db *d, const char *family, const char *given, const char *birth)
{
    patient_fields p = sample(family, given, birth);
    patient_matches dup;
    int64_t id = 0;
    cc_error err;
    assert_int_equal(patient_create(d, &ACTOR, &p, false, true, 0, &id, &dup, &err), CC_OK);
    return id;
}

static void test_init_refuses_existing_dir(void **state)
{
    fixture *f = *state;
    db *other = NULL;
    cc_error err;
    assert_int_equal(datadir_create(f->where, &other, &err), CC_CONFLICT);
    assert_null(other);
}

static void test_newer_schema_is_refused(void **state)
{
    fixture *f = *state;
    cc_error err;
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO schema_version (version) VALUES (%d)",
             schema_latest_version() + 1);
    assert_int_equal(db_exec(f->d, sql, &err), CC_OK);
    assert_int_equal(schema_migrate(f->d, &err), CC_STORAGE);
    assert_string_equal(err.code, "schema_too_new");
    db *again = NULL;
    assert_int_equal(datadir_open(f->where, &again, &err), CC_STORAGE);
    assert_null(again);
}

static void test_audit_chain_detects_tampering(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t user_id;
    assert_int_equal(
        user_create(f->d, &ACTOR, "nurse1", "nurse", "a long password", &user_id, &err), CC_OK);
    int64_t p1 = make_patient(f->d, "Durand", "Éloïse", "1987-03-14");
    make_patient(f->d, "Martin", "Zoë", "1990-01-01");
    audit_verdict v;
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.entries, 3);
    assert_int_equal(v.first_broken_seq, 0);

    /* Behind the program's back: change the after-image of entry 2. */
    assert_int_equal(
        db_exec(f->d, "UPDATE audit_log SET after_json = '{\"id\":2}' WHERE seq = 2", &err), CC_OK);
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 2);
    assert_int_equal(v.entries, 1);
    (void)p1;
}

static void test_audit_chain_detects_deleted_entry(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "A", "B", "1990-01-01");
    make_patient(f->d, "C", "D", "1990-01-01");
    make_patient(f->d, "E", "F", "1990-01-01");
    assert_int_equal(db_exec(f->d, "DELETE FROM audit_log WHERE seq = 2", &err), CC_OK);
    audit_verdict v;
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 3);
}

static void test_audit_needs_transaction(void **state)
{
    fixture *f = *state;
    cc_error err;
    audit_change ch = {"create", "thing", 1, NULL, "{}", NULL};
    assert_int_equal(audit_append(f->d, &ACTOR, &ch, &err), CC_INTERNAL);
}

static void test_reason_required_for_locked_records(void **state)
{
    (void)state;
    cc_error err;
    assert_int_equal(audit_require_reason(false, NULL, &err), CC_OK);
    assert_int_equal(audit_require_reason(true, NULL, &err), CC_INVALID);
    assert_string_equal(err.field, "reason");
    assert_int_equal(audit_require_reason(true, "  ", &err), CC_INVALID);
    assert_int_equal(audit_require_reason(true, "typo in volume", &err), CC_OK);
}

static void test_duplicate_warning_and_confirm(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "Durand", "Éloïse", "1987-03-14");
    patient_fields p = sample("DURAND", "eloise", "1987-03-14"); /* folded equal */
    patient_matches dup;
    int64_t id;
    assert_int_equal(patient_create(f->d, &ACTOR, &p, false, false, 0, &id, &dup, &err),
                     CC_CONFLICT);
    assert_string_equal(err.code, "possible_duplicate");
    assert_int_equal(dup.n, 1);
    assert_int_equal(patient_create(f->d, &ACTOR, &p, false, true, 0, &id, &dup, &err), CC_OK);
}

static void test_version_conflict(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t id = make_patient(f->d, "Roux", "Loïc", "1970-05-05");
    patient_fields change = {.phone = "0102030405"};
    assert_int_equal(patient_update(f->d, &ACTOR, id, 1, &change, "new phone", &err), CC_OK);
    assert_int_equal(patient_update(f->d, &ACTOR, id, 1, &change, "new phone", &err), CC_CONFLICT);
    assert_string_equal(err.code, "version_conflict");
    assert_int_equal(patient_update(f->d, &ACTOR, id + 100, 1, &change, "new phone", &err),
                     CC_NOT_FOUND);
}

static void test_search_forgives_accents_and_case(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "Lefèvre", "Éloïse", "1987-03-14");
    make_patient(f->d, "Martin", "Zoë", "1990-01-01");
    arena *a = arena_create(1 << 20);
    static const struct {
        const char *q;
        int64_t expected;
    } cases[] = {
        {"eloise", 1}, {"ELOISE lefevre", 1}, {"lefèvre", 1}, {"zoe", 1}, {"1990-01-01", 1},
        {"", 2},       {"nobody", 0},         {"%", 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        patient_query q = {cases[i].q, PATIENT_SORT_FAMILY_NAME, false, 1, 50, 1};
        buf items;
        buf_init(&items, 1 << 20);
        int64_t total;
        assert_int_equal(patient_search_render(f->d, &q, &items, &total, &err), CC_OK);
        assert_int_equal(total, cases[i].expected);
        buf_release(&items);
    }
    /* The MRN finds its patient. */
    patient_record p;
    assert_int_equal(patient_get(f->d, a, 1, false, &p, &err), CC_OK);
    patient_query q = {p.mrn, PATIENT_SORT_MRN, true, 1, 50, 1};
    buf items;
    buf_init(&items, 1 << 20);
    int64_t total;
    assert_int_equal(patient_search_render(f->d, &q, &items, &total, &err), CC_OK);
    assert_int_equal(total, 1);
    assert_non_null(strstr(items.data, p.mrn));
    buf_release(&items);
    arena_release(a);
}

static void test_convert_twice_conflicts(void **state)
{
    fixture *f = *state;
    cc_error err;
    consult_fields c = {
        "Zoë Martin", "z@example.org", NULL, NULL, "SCI", "", "fr", NULL, NULL, NULL, NULL, true};
    int64_t id, patient_id;
    assert_int_equal(consult_create(f->d, &ACTOR, &c, false, &id, &err), CC_OK);
    patient_fields p = sample("Martin", "Zoë", "1990-02-02");
    patient_matches dup;
    assert_int_equal(consult_convert(f->d, &ACTOR, id, 1, &p, NULL, false, &patient_id, &dup, &err),
                     CC_OK);
    assert_int_equal(consult_convert(f->d, &ACTOR, id, 1, &p, NULL, true, &patient_id, &dup, &err),
                     CC_CONFLICT);
    assert_int_equal(consult_decline(f->d, &ACTOR, id, "late", &err), CC_CONFLICT);
    /* The failed attempts left nothing behind: still one patient. */
    arena *a = arena_create(1 << 20);
    patient_query q = {"", PATIENT_SORT_FAMILY_NAME, false, 1, 50, 1};
    buf items;
    buf_init(&items, 1 << 20);
    int64_t total;
    assert_int_equal(patient_search_render(f->d, &q, &items, &total, &err), CC_OK);
    assert_int_equal(total, 1);
    buf_release(&items);
    arena_release(a);
}

static void test_tokens_and_sessions(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t user_id, token_id;
    assert_int_equal(user_create(f->d, &ACTOR, "qa1", "qa", "a long password", &user_id, &err),
                     CC_OK);
    assert_int_equal(user_create(f->d, &ACTOR, "qa1", "qa", "a long password", &user_id, &err),
                     CC_CONFLICT);
    user_identity who, looked;
    assert_int_equal(user_authenticate(f->d, "qa1", "wrong password", &who, &err),
                     CC_UNAUTHENTICATED);
    assert_int_equal(user_authenticate(f->d, "qa1", "a long password", &who, &err), CC_OK);
    char secret[SECRET_HEX];
    assert_int_equal(token_create(f->d, &who, "script", 90, "full", secret, &token_id, &err),
                     CC_OK);
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_OK);
    assert_string_equal(looked.role, "qa");
    assert_false(looked.read_only);
    /* Only the hash is stored. */
    db_stmt *s;
    assert_int_equal(
        db_prepare(f->d, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", &s, &err), CC_OK);
    db_bind_text(s, 1, secret);
    assert_int_equal(db_step(s, &err), DB_ROW);
    assert_int_equal(db_col_int(s, 0), 0);
    db_done(s);
    assert_int_equal(token_revoke(f->d, &who, token_id, &err), CC_OK);
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_UNAUTHENTICATED);
    assert_int_equal(session_create(f->d, &who, secret, &err), CC_OK);
    assert_int_equal(session_lookup(f->d, secret, &looked, &err), CC_OK);
    assert_int_equal(session_delete(f->d, &looked, &err), CC_OK);
    assert_int_equal(session_lookup(f->d, secret, &looked, &err), CC_UNAUTHENTICATED);

    /* A read-only token says so; the active tokens of a user are bounded. */
    assert_int_equal(token_create(f->d, &who, "reader", 1, "read", secret, &token_id, &err), CC_OK);
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_OK);
    assert_true(looked.read_only);
    char spare[SECRET_HEX];
    for (int i = 1; i < TOKEN_ACTIVE_MAX; i++)
        assert_int_equal(token_create(f->d, &who, "more", 30, "full", spare, &token_id, &err),
                         CC_OK);
    assert_int_equal(token_create(f->d, &who, "one too many", 30, "full", spare, &token_id, &err),
                     CC_CONFLICT);
    assert_string_equal(err.code, "too_many_tokens");

    /* A disabled account's sessions and tokens no longer work. */
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_OK);
    assert_int_equal(user_write_active(f->d, &ACTOR, who.id, false, &err), CC_OK);
    assert_int_equal(token_lookup(f->d, secret, &looked, &err), CC_UNAUTHENTICATED);
    assert_int_equal(user_authenticate(f->d, "qa1", "a long password", &looked, &err),
                     CC_UNAUTHENTICATED);
}

static void test_backup_copies_everything(void **state)
{
    SQLITE_ONLY("a PostgreSQL database is copied with pg_dump, not db_backup_to");
    fixture *f = *state;
    cc_error err;
    make_patient(f->d, "Simon", "Noé", "2001-01-01");
    char path[128];
    snprintf(path, sizeof path, "%s/copy.db", f->dir);
    FILE *empty = fopen(path, "wx");
    assert_non_null(empty);
    fclose(empty);
    assert_int_equal(db_backup_to(f->d, path, 0x12345678, &err), CC_OK);
    db *copy;
    assert_int_equal(db_open(path, DB_OPEN_READONLY, &copy, &err), CC_OK);
    assert_int_equal(db_check_integrity(copy, &err), CC_OK);
    int32_t mark = 0;
    assert_int_equal(db_application_id(copy, &mark, &err), CC_OK);
    assert_int_equal(mark, 0x12345678);
    /* self-contained: rollback journal in the header, nothing beside it */
    FILE *copied = fopen(path, "rb");
    unsigned char header[20];
    assert_int_equal(fread(header, 1, sizeof header, copied), sizeof header);
    fclose(copied);
    assert_int_equal(header[18], 1);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_null(fopen(wal, "rb"));
    audit_verdict v;
    assert_int_equal(audit_verify(copy, &v, &err), CC_OK);
    assert_int_equal(v.entries, 1);
    db_close(copy);
}

/* ---- sql helpers, on a scratch table ---- */

static const char THING_IMAGE[] = "SELECT id, name, n FROM things WHERE id = ?";
static const audit_entity THING = {"thing", THING_IMAGE};

typedef struct {
    int64_t id, n;
    char *name;
} thing;

static bool read_thing(arena *a, db_stmt *row, void *item)
{
    thing *t = item;
    t->id = db_col_int(row, 0);
    t->name = sql_col_dup(a, row, 1);
    t->n = db_col_int(row, 2);
    return t->name != NULL;
}

static cc_status sum_n(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    *(int64_t *)ctx += db_col_int(row, 2);
    return CC_OK;
}

/* Creates the scratch table with rows things 1..count (n = id * 10). */
static void make_things(db *d, int count)
{
    cc_error err;
    assert_int_equal(db_exec(d,
                             "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL"
                             " UNIQUE, n INTEGER NOT NULL)",
                             &err),
                     CC_OK);
    for (int i = 1; i <= count; i++) {
        char name[24];
        snprintf(name, sizeof name, "thing %d", i);
        sql_arg args[] = {SQL_S(name), SQL_I(i * 10)};
        int64_t id = 0; /* a new table numbers its rows from 1, on either engine */
        assert_int_equal(sql_run(d, "INSERT INTO things (name, n) VALUES (?, ?) RETURNING id", args,
                                 2, &id, &err),
                         CC_OK);
        assert_int_equal(id, i);
    }
}

static int64_t count_rows(db *d, const char *sql)
{
    int64_t n = -1;
    cc_error err;
    assert_int_equal(sql_scalar(d, sql, NULL, 0, &n, &err), CC_OK);
    return n;
}

static const char ALL_THINGS[] = "SELECT id, name, n FROM things ORDER BY id";

static void test_row_mapper_over_zero_one_many_rows(void **state)
{
    const struct {
        int rows;
        size_t cap; /* sql_fill's room */
        size_t filled;
    } cases[] = {
        {0, 4, 0}, /* an empty table: no call, no error */
        {1, 4, 1}, /* one row */
        {5, 8, 5}, /* many rows, all fit */
        {5, 3, 3}, /* more rows than room: the rest is not read */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fixture *f = *state;
        cc_error err;
        db_exec(f->d, "DROP TABLE IF EXISTS things", &err);
        make_things(f->d, cases[c].rows);
        arena *a = arena_create(1 << 16);
        size_t rows = 99;
        int64_t sum = 0;
        assert_int_equal(sql_each(f->d, ALL_THINGS, NULL, 0, sum_n, &sum, &rows, &err), CC_OK);
        assert_int_equal(rows, cases[c].rows);
        assert_int_equal(sum, 10 * cases[c].rows * (cases[c].rows + 1) / 2);

        thing *items = NULL;
        size_t n = 99;
        assert_int_equal(sql_fill(f->d, a, ALL_THINGS, NULL, 0, read_thing, sizeof *items,
                                  cases[c].cap, (void **)&items, &n, &err),
                         CC_OK);
        assert_int_equal(n, cases[c].filled);
        for (size_t i = 0; i < n; i++) {
            char name[32];
            snprintf(name, sizeof name, "thing %zu", i + 1);
            assert_int_equal(items[i].id, (int64_t)i + 1);
            assert_string_equal(items[i].name, name);
        }
        assert_int_equal(sql_collect(f->d, a, ALL_THINGS, NULL, 0, read_thing, sizeof *items,
                                     (void **)&items, &n, &err),
                         CC_OK);
        assert_int_equal(n, cases[c].rows);

        thing one = {0, 0, NULL};
        cc_status st = sql_fill_one(f->d, a, ALL_THINGS, NULL, 0, read_thing, &one, &err);
        assert_int_equal(st, cases[c].rows ? CC_OK : CC_NOT_FOUND);
        assert_int_equal(one.id, cases[c].rows ? 1 : 0);
        arena_release(a);
    }
}

/* Fails at the second row it sees. */
static cc_status fail_second(void *ctx, db_stmt *row, cc_error *err)
{
    (void)row;
    if (++*(int *)ctx == 2)
        return cc_fail(err, CC_CONFLICT, NULL, "second_row", "stop here");
    return CC_OK;
}

static bool refuse(arena *a, db_stmt *row, void *item)
{
    (void)a, (void)row, (void)item;
    return false; /* as a mapper does when the arena is exhausted */
}

static void test_row_mapper_stops_on_callback_error(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_things(f->d, 3);
    int seen = 0;
    size_t rows = 99;
    assert_int_equal(sql_each(f->d, ALL_THINGS, NULL, 0, fail_second, &seen, &rows, &err),
                     CC_CONFLICT);
    assert_string_equal(err.code, "second_row");
    assert_int_equal(seen, 2);
    assert_int_equal(rows, 1);
    arena *a = arena_create(1 << 12);
    thing *items;
    size_t n;
    assert_int_equal(
        sql_fill(f->d, a, ALL_THINGS, NULL, 0, refuse, sizeof *items, 3, (void **)&items, &n, &err),
        CC_INTERNAL);
    assert_string_equal(err.code, "out_of_memory");
    assert_int_equal(n, 0);
    arena_release(a);
    /* a statement that does not prepare */
    assert_int_not_equal(
        sql_each(f->d, "SELECT nothing FROM things", NULL, 0, fail_second, &seen, NULL, &err),
        CC_OK);
    /* the connection is usable afterwards */
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM things"), 3);
}

static void test_paged_query(void **state)
{
    const struct {
        int64_t page, per_page;
        cc_status status;
        size_t count;
        int64_t first_id;
        const char *json_prefix;
    } cases[] = {
        {1, 3, CC_OK, 3, 1, "[{\"id\":1,"}, /* the first page */
        {3, 3, CC_OK, 1, 7, "[{\"id\":7,"}, /* the last page is short */
        {4, 3, CC_OK, 0, 0, "[]"},          /* past the end: empty, total still 7 */
        {INT64_MAX, 2, CC_OK, 0, 0, "[]"},  /* an offset that would overflow */
        {0, 3, CC_INVALID, 0, 0, ""},       /* pages count from 1 */
        {1, 0, CC_INVALID, 0, 0, ""},       /* a page holds at least one row */
    };
    fixture *f = *state;
    make_things(f->d, 7);
    sql_arg args[] = {SQL_I(0)};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cc_error err;
        sql_page_query q = {
            "SELECT COUNT(*) FROM things WHERE n > ?",
            "SELECT id, name, n FROM things WHERE n > ? ORDER BY id LIMIT ? OFFSET ?",
            args,
            1,
            0,
            cases[c].page,
            cases[c].per_page};
        arena *a = arena_create(1 << 16);
        thing *items = NULL;
        size_t n = 99;
        int64_t total = -1;
        assert_int_equal(
            sql_page(f->d, a, &q, read_thing, sizeof *items, (void **)&items, &n, &total, &err),
            cases[c].status);
        if (cases[c].status == CC_OK) {
            assert_int_equal(total, 7);
            assert_int_equal(n, cases[c].count);
            if (n)
                assert_int_equal(items[0].id, cases[c].first_id);
        }
        buf out;
        buf_init(&out, 1 << 16);
        assert_int_equal(sql_page_json(f->d, &q, &out, &total, &err), cases[c].status);
        if (cases[c].status == CC_OK) {
            assert_int_equal(total, 7);
            assert_memory_equal(out.data, cases[c].json_prefix, strlen(cases[c].json_prefix));
        }
        buf_release(&out);
        arena_release(a);
    }
    /* an error of the count is returned, not swallowed */
    sql_page_query bad = {"SELECT COUNT(*) FROM nowhere", ALL_THINGS, NULL, 0, 0, 1, 10};
    buf out;
    buf_init(&out, 1024);
    int64_t total;
    cc_error err;
    assert_int_not_equal(sql_page_json(f->d, &bad, &out, &total, &err), CC_OK);
    buf_release(&out);
}

static void test_mutation_writes_change_and_one_entry(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_things(f->d, 1);
    int64_t entries = count_rows(f->d, "SELECT COUNT(*) FROM audit_log"), id = 0;

    sql_arg create[] = {SQL_S("new thing"), SQL_I(5)};
    assert_int_equal(audit_create(f->d, &ACTOR, &THING,
                                  "INSERT INTO things (name, n) VALUES (?, ?) RETURNING id", create,
                                  2, NULL, &id, &err),
                     CC_OK);
    assert_int_equal(id, 2);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM audit_log"), entries + 1);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM audit_log WHERE action = 'create'"
                                      " AND entity = 'thing' AND entity_id = '2'"
                                      " AND before_json IS NULL AND after_json ="
                                      " '{\"id\":2,\"name\":\"new thing\",\"n\":5}'"),
                     1);

    sql_arg update[] = {SQL_I(6), SQL_I(id)};
    assert_int_equal(audit_update(f->d, &ACTOR, &THING, "renumber", id,
                                  "UPDATE things SET n = ? WHERE id = ?", update, 2, "recount",
                                  &err),
                     CC_OK);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM audit_log"), entries + 2);
    assert_int_equal(count_rows(f->d,
                                "SELECT COUNT(*) FROM audit_log WHERE action = 'renumber'"
                                " AND reason = 'recount' AND before_json ="
                                " '{\"id\":2,\"name\":\"new thing\",\"n\":5}' AND after_json ="
                                " '{\"id\":2,\"name\":\"new thing\",\"n\":6}'"),
                     1);

    /* a failing change writes neither the change nor an entry */
    sql_arg duplicate[] = {SQL_S("thing 1"), SQL_I(7)};
    assert_int_equal(audit_create(f->d, &ACTOR, &THING,
                                  "INSERT INTO things (name, n) VALUES (?, ?) RETURNING id",
                                  duplicate, 2, NULL, &id, &err),
                     CC_CONFLICT);
    sql_arg missing[] = {SQL_I(8), SQL_I(99)};
    assert_int_equal(audit_update(f->d, &ACTOR, &THING, "renumber", 99,
                                  "UPDATE things SET n = ? WHERE id = ?", missing, 2, NULL, &err),
                     CC_NOT_FOUND);
    sql_arg too_big[] = {SQL_N, SQL_I(2)}; /* n is NOT NULL */
    assert_int_equal(audit_update(f->d, &ACTOR, &THING, "renumber", 2,
                                  "UPDATE things SET n = ? WHERE id = ?", too_big, 2, NULL, &err),
                     CC_CONFLICT);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM audit_log"), entries + 2);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM things"), 2);
    assert_int_equal(count_rows(f->d, "SELECT n FROM things WHERE id = 2"), 6);
    assert_int_equal(db_tx_depth(f->d), 0);
    audit_verdict v;
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 0);
}

/* The store's location as db_open takes it (the database file for SQLite). */
static void store_location(const fixture *f, char *out, size_t cap)
{
    if (f->database[0])
        snprintf(out, cap, "%s", f->where);
    else
        snprintf(out, cap, "%s/cellclinic.db", f->dir);
}

static int64_t count_elsewhere(const fixture *f, const char *sql)
{
    char path[1024];
    store_location(f, path, sizeof path);
    db *other;
    cc_error err;
    assert_int_equal(db_open(path, DB_OPEN_READONLY, &other, &err), CC_OK);
    int64_t n = count_rows(other, sql);
    db_close(other);
    return n;
}

static void test_joinable_transaction(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_things(f->d, 0);
    sql_arg one[] = {SQL_S("one"), SQL_I(1)}, two[] = {SQL_S("two"), SQL_I(2)};
    const char insert[] = "INSERT INTO things (name, n) VALUES (?, ?)";

    /* commit only at the outermost end */
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_int_equal(db_tx_depth(f->d), 2);
    assert_int_equal(sql_run(f->d, insert, one, 2, NULL, &err), CC_OK);
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    assert_int_equal(db_tx_depth(f->d), 1);
    assert_true(db_in_transaction(f->d));
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 0);
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    assert_int_equal(db_tx_depth(f->d), 0);
    assert_false(db_in_transaction(f->d));
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 1);

    /* an inner failure rolls the outer transaction back even when the outer
     * caller ignores it: its end then fails */
    int64_t entries = count_rows(f->d, "SELECT COUNT(*) FROM audit_log");
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_int_equal(sql_run(f->d, insert, two, 2, NULL, &err), CC_OK);
    sql_arg duplicate[] = {SQL_S("one"), SQL_I(3)};
    assert_int_equal(audit_create(f->d, &ACTOR, &THING,
                                  "INSERT INTO things (name, n) VALUES (?, ?) RETURNING id",
                                  duplicate, 2, NULL, NULL, &err),
                     CC_CONFLICT);
    assert_int_equal(db_tx_depth(f->d), 1);
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_INTERNAL);
    assert_string_equal(err.code, "transaction_aborted");
    assert_int_equal(db_tx_depth(f->d), 0);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM things"), 1);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM audit_log"), entries);

    /* the next transaction starts clean */
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_int_equal(sql_run(f->d, insert, two, 2, NULL, &err), CC_OK);
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM things"), 2);

    /* an end without a begin is an error, and passes a failure on */
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_INTERNAL);
    assert_string_equal(err.code, "no_transaction");
    assert_int_equal(db_tx_end(f->d, CC_CONFLICT, &err), CC_CONFLICT);
}

/* The commit queue's batch: each action a savepoint of one transaction.
 * An action that fails leaves nothing and the others stay; nothing is
 * visible to another connection before the batch commits; the audit chain
 * holds the committed actions' entries only, unbroken. */
static int64_t audited_thing(db *d, const char *name, int n, cc_error *err)
{
    sql_arg args[] = {SQL_S(name), SQL_I(n)};
    int64_t id = 0;
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = audit_create(d, &ACTOR, &THING,
                          "INSERT INTO things (name, n) VALUES (?, ?) RETURNING id", args, 2, NULL,
                          &id, err);
    return db_tx_end(d, st, err) == CC_OK ? id : 0;
}

static void test_batch_of_actions(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_things(f->d, 0);
    int64_t entries = count_rows(f->d, "SELECT COUNT(*) FROM audit_log");

    assert_int_equal(db_batch_begin(f->d, &err), CC_OK);
    assert_int_equal(db_batch_begin(f->d, &err), CC_INTERNAL);
    assert_true(audited_thing(f->d, "first", 1, &err) > 0);
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 0);
    /* the second action fails on its second write: its first goes too */
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_true(audited_thing(f->d, "second", 2, &err) > 0);
    assert_int_equal(audited_thing(f->d, "first", 3, &err), 0); /* unique name */
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_INTERNAL);
    assert_true(db_batch_intact(f->d));
    /* a read transaction (the bedside's check) and a nested one */
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM things"), 1);
    db_rollback(f->d);
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_true(audited_thing(f->d, "third", 4, &err) > 0);
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    /* an action left open: the batch cannot commit it half-done */
    assert_int_equal(db_begin(f->d, &err), CC_OK);
    assert_false(db_batch_intact(f->d));
    assert_int_equal(db_begin(f->d, &err), CC_INTERNAL);
    db_rollback(f->d);
    assert_true(db_batch_intact(f->d));
    assert_int_equal(db_batch_commit(f->d, &err), CC_OK);
    assert_false(db_in_transaction(f->d));

    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 2);
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things WHERE name IN ('first',"
                                        " 'third') AND n IN (1, 4)"),
                     2);
    assert_int_equal(count_rows(f->d, "SELECT COUNT(*) FROM audit_log"), entries + 2);
    audit_verdict v;
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 0);

    /* a batch rolled back leaves nothing, and the next action is its own */
    assert_int_equal(db_batch_begin(f->d, &err), CC_OK);
    assert_true(audited_thing(f->d, "fourth", 5, &err) > 0);
    db_batch_rollback(f->d);
    assert_false(db_in_transaction(f->d));
    assert_true(audited_thing(f->d, "fifth", 6, &err) > 0);
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 3);
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things WHERE name = 'fourth'"), 0);
    assert_int_equal(audit_verify(f->d, &v, &err), CC_OK);
    assert_int_equal(v.first_broken_seq, 0);
    assert_int_equal(v.entries, entries + 3);
}

/* A write sent later (db_run_later): it is written with its transaction; its
 * failure (a unique name taken) fails the action's end, which then leaves
 * nothing of the action and, in a batch, nothing else undone; a rollback
 * drops it. Each action reads first, so that its transaction is begun and
 * PostgreSQL may hold the write back. */
static cc_status later_thing(db *d, const char *name, int n, cc_error *err)
{
    count_rows(d, "SELECT COUNT(*) FROM things");
    db_stmt *s;
    cc_status st = db_prepare(d, "INSERT INTO things (name, n) VALUES (?, ?)", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, name);
    db_bind_int(s, 2, n);
    return db_run_later(s, err);
}

static cc_status later_action(db *d, const char *name, int n, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = later_thing(d, name, n, err);
    return db_tx_end(d, st, err);
}

static void test_write_sent_later(void **state)
{
    fixture *f = *state;
    cc_error err;
    make_things(f->d, 0);
    assert_int_equal(later_action(f->d, "a", 1, &err), CC_OK);
    assert_int_equal(later_action(f->d, "a", 2, &err), CC_CONFLICT);
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_int_equal(later_thing(f->d, "b", 3, &err), CC_OK);
    assert_int_equal(db_tx_end(f->d, CC_INVALID, &err), CC_INVALID);
    assert_false(db_in_transaction(f->d));
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 1);

    assert_int_equal(db_batch_begin(f->d, &err), CC_OK);
    assert_int_equal(later_action(f->d, "c", 4, &err), CC_OK);
    assert_int_equal(later_action(f->d, "a", 5, &err), CC_CONFLICT);
    assert_true(db_batch_intact(f->d));
    /* two in one action: the second's statement is the first's, bound anew */
    assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
    assert_int_equal(later_thing(f->d, "d", 6, &err), CC_OK);
    assert_int_equal(later_thing(f->d, "e", 7, &err), CC_OK);
    assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    assert_int_equal(db_batch_commit(f->d, &err), CC_OK);
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), 4);
    assert_int_equal(count_elsewhere(f, "SELECT SUM(n) FROM things"), 1 + 4 + 6 + 7);
}

/* Group commit: writers on their own connections and threads commit
 * concurrently; every commit that returned CC_OK is there afterwards (read
 * by a fresh connection), every rolled-back transaction left nothing, and
 * the commits were covered by at most as many syncs of the log. */
enum { WRITERS = 8, WRITES_EACH = 60, FAIL_EVERY = 7 };

typedef struct {
    const char *path;
    int writer;
    int committed, rolled_back;
} writer_job;

static void *write_things(void *arg)
{
    writer_job *job = arg;
    db *d;
    cc_error err;
    if (db_open(job->path, DB_OPEN_EXISTING, &d, &err) != CC_OK)
        return NULL;
    for (int i = 0; i < WRITES_EACH; i++) {
        char name[32];
        snprintf(name, sizeof name, "w%d-%d", job->writer, i);
        sql_arg args[] = {SQL_S(name), SQL_I(i)};
        cc_status st = db_tx_begin(d, &err);
        if (st == CC_OK)
            st = sql_run(d, "INSERT INTO things (name, n) VALUES (?, ?)", args, 2, NULL, &err);
        /* some actions fail after their write: nothing of them may stay */
        if (st == CC_OK && i % FAIL_EVERY == 0)
            st = cc_fail(&err, CC_CONFLICT, NULL, "test", "refused after the write");
        st = db_tx_end(d, st, &err);
        if (st == CC_OK)
            job->committed++;
        else
            job->rolled_back++;
    }
    db_close(d);
    return NULL;
}

static void test_group_commit_concurrent_writers(void **state)
{
    fixture *f = *state;
    make_things(f->d, 0);
    char path[1024];
    store_location(f, path, sizeof path);
    uint64_t commits0, syncs0;
    db_group_commit_counts(f->d, &commits0, &syncs0);
    pthread_t threads[WRITERS];
    writer_job jobs[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        jobs[w] = (writer_job){path, w, 0, 0};
        assert_int_equal(pthread_create(&threads[w], NULL, write_things, &jobs[w]), 0);
    }
    int committed = 0;
    for (int w = 0; w < WRITERS; w++) {
        pthread_join(threads[w], NULL);
        assert_int_equal(jobs[w].committed + jobs[w].rolled_back, WRITES_EACH);
        assert_int_equal(jobs[w].rolled_back, (WRITES_EACH + FAIL_EVERY - 1) / FAIL_EVERY);
        committed += jobs[w].committed;
    }
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things"), committed);
    /* no row of a rolled-back action (i % FAIL_EVERY == 0) */
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM things WHERE n % 7 = 0"), 0);
    if (f->database[0]) /* PostgreSQL groups commits itself (commit_delay) and counts none */
        return;
    uint64_t commits, syncs;
    db_group_commit_counts(f->d, &commits, &syncs);
    assert_int_equal(commits - commits0, (uint64_t)committed);
    assert_true(syncs - syncs0 >= 1 && syncs - syncs0 <= commits - commits0);
    print_message("group commit: %llu commits, %llu syncs of the log\n",
                  (unsigned long long)(commits - commits0), (unsigned long long)(syncs - syncs0));
}

/* Checkpoints of a connection that leaves them elsewhere run on the group's
 * thread, not in the commit: after writes of three times SQLite's threshold of 1,000 pages in
 * the log, the database file itself grows by them (only a checkpoint copies
 * pages from the log into it) while the connection is still open. */
static void test_checkpoints_while_writing(void **state)
{
    fixture *f = *state;
    if (f->database[0]) /* PostgreSQL checkpoints itself */
        return;
    cc_error err;
    db_checkpoint_elsewhere(f->d);
    assert_int_equal(db_exec(f->d, "CREATE TABLE pages (b BLOB NOT NULL)", &err), CC_OK);
    char path[1024];
    store_location(f, path, sizeof path);
    struct stat before;
    assert_int_equal(stat(path, &before), 0);
    enum { ROWS = 3000, PAGE = 4096 };
    for (int i = 0; i < ROWS; i++) {
        assert_int_equal(db_tx_begin(f->d, &err), CC_OK);
        assert_int_equal(
            sql_run(f->d, "INSERT INTO pages (b) VALUES (zeroblob(4000))", NULL, 0, NULL, &err),
            CC_OK);
        assert_int_equal(db_tx_end(f->d, CC_OK, &err), CC_OK);
    }
    struct stat after = before;
    for (int waited = 0; waited < 100 && after.st_size < before.st_size + 2000 * PAGE; waited++) {
        usleep(50000); /* the checkpointer copies the last pages in its own time */
        assert_int_equal(stat(path, &after), 0);
    }
    assert_true(after.st_size >= before.st_size + 2000 * PAGE);
    assert_int_equal(count_elsewhere(f, "SELECT COUNT(*) FROM pages"), ROWS);
}

/* A statement being stepped keeps working while hundreds of other
 * statements pass through the connection's cache (more than it holds), and a
 * statement prepared again after many others is still the right one. */
static void test_statement_cache_keeps_statements_in_use(void **state)
{
    fixture *f = *state;
    cc_error err;
    enum { OTHERS = 600, TEXT = 64 };
    char(*texts)[TEXT] = calloc(OTHERS, TEXT);
    assert_non_null(texts);
    const char *outer_text =
        "WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s"
        " WHERE value < 50) SELECT value FROM s";
    db_stmt *outer;
    assert_int_equal(db_prepare(f->d, outer_text, &outer, &err), CC_OK);
    int64_t expected = 1, other = 0;
    while (db_step(outer, &err) == DB_ROW) {
        assert_int_equal(db_col_int(outer, 0), expected);
        /* between two rows, a dozen statements the cache has never seen */
        for (int k = 0; k < 12 && other < OTHERS; k++, other++) {
            snprintf(texts[other], TEXT, "SELECT %lld", (long long)other);
            db_stmt *s;
            assert_int_equal(db_prepare(f->d, texts[other], &s, &err), CC_OK);
            assert_int_equal(db_step(s, &err), DB_ROW);
            assert_int_equal(db_col_int(s, 0), other);
            db_done(s);
        }
        expected++;
    }
    db_done(outer);
    assert_int_equal(expected, 51);
    assert_true(other > 192); /* more than the cache holds went through it */
    /* the first of them, prepared again, answers its own text */
    db_stmt *again;
    assert_int_equal(db_prepare(f->d, texts[0], &again, &err), CC_OK);
    assert_int_equal(db_step(again, &err), DB_ROW);
    assert_int_equal(db_col_int(again, 0), 0);
    db_done(again);
    free(texts);
}

static int64_t count_patients(db *d)
{
    int64_t n = -1;
    cc_error err;
    assert_int_equal(sql_scalar(d, "SELECT COUNT(*) FROM patients", NULL, 0, &n, &err), CC_OK);
    return n;
}

/* Reads sent ahead (db_prefetch) answer as if each ran at its own step:
 * the rows of the values bound at the step, never a result fetched in an
 * earlier transaction; and the transaction's lazy begin and unawaited end
 * leave the connection ready for whatever follows. */
static void test_prefetch_answers_like_a_step(void **state)
{
    fixture *f = *state;
    cc_error err;
    int64_t a = make_patient(f->d, "Ahead", "Anne", "1970-01-01");
    int64_t b = make_patient(f->d, "Behind", "Bruno", "1980-02-02");
    static const char BY_ID[] = "SELECT family_name FROM patients WHERE id = ?";
    static const char COUNT[] = "SELECT COUNT(*) FROM patients";
    char name[64];

    /* an empty read transaction is a transaction, and ends */
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_true(db_in_transaction(f->d));
    assert_int_equal(db_tx_begin(f->d, &err), CC_INTERNAL);
    db_rollback(f->d);
    assert_false(db_in_transaction(f->d));

    /* queued with one id, stepped with another: the other's row */
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(sql_prefetch(f->d, BY_ID, (sql_arg[]){SQL_I(a)}, 1, &err), CC_OK);
    assert_int_equal(sql_prefetch(f->d, COUNT, NULL, 0, &err), CC_OK);
    db_stmt *s;
    assert_int_equal(db_prepare(f->d, BY_ID, &s, &err), CC_OK);
    db_bind_int(s, 1, b);
    assert_int_equal(db_step(s, &err), DB_ROW);
    snprintf(name, sizeof name, "%s", db_col_text(s, 0));
    assert_string_equal(name, "Behind");
    db_done(s);
    /* queued and sent with the statement above: the same answer as a step */
    assert_int_equal(count_patients(f->d), 2);
    assert_int_equal(sql_prefetch(f->d, BY_ID, (sql_arg[]){SQL_I(a)}, 1, &err), CC_OK);
    assert_int_equal(count_patients(f->d), 2);
    assert_int_equal(db_prepare(f->d, BY_ID, &s, &err), CC_OK);
    db_bind_int(s, 1, a);
    assert_int_equal(db_step(s, &err), DB_ROW);
    snprintf(name, sizeof name, "%s", db_col_text(s, 0));
    assert_string_equal(name, "Ahead");
    assert_int_equal(db_step(s, &err), DB_DONE);
    db_done(s);
    /* fetched ahead and never stepped: forgotten when the transaction ends */
    assert_int_equal(sql_prefetch(f->d, COUNT, NULL, 0, &err), CC_OK);
    assert_int_equal(sql_scalar(f->d, "SELECT 7", NULL, 0, &(int64_t){0}, &err), CC_OK);
    assert_int_equal(db_commit(f->d, &err), CC_OK);
    make_patient(f->d, "Later", "Lea", "1990-03-03");
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(count_patients(f->d), 3);
    db_rollback(f->d);

    /* outside a transaction it does nothing: the count is read at the step */
    assert_int_equal(sql_prefetch(f->d, COUNT, NULL, 0, &err), CC_OK);
    make_patient(f->d, "Outside", "Olga", "1991-04-04");
    assert_int_equal(count_patients(f->d), 4);

    /* a write right after a read transaction's end, and a command after it */
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(count_patients(f->d), 4);
    db_rollback(f->d);
    make_patient(f->d, "Next", "Nora", "1992-05-05");
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(count_patients(f->d), 5);
    db_rollback(f->d);
    assert_int_equal(db_exec(f->d, "CREATE TABLE prefetch_probe (x INTEGER)", &err), CC_OK);

    if (!pg_admin())
        return;
    /* a failure inside a pipeline is the step's failure; the connection
     * works afterwards */
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(
        sql_prefetch(f->d, "SELECT 1 / (SELECT COUNT(*) - 5 FROM patients)", NULL, 0, &err), CC_OK);
    assert_int_not_equal(sql_scalar(f->d, "SELECT 8", NULL, 0, &(int64_t){0}, &err), CC_OK);
    db_rollback(f->d);
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    assert_int_equal(count_patients(f->d), 5);
    db_rollback(f->d);
}

/* ---- reads in batches (db_read_in_batches) ----
 * The same rows through a statement read in batches and through one read
 * whole, compared value by value through every accessor, at row counts
 * around the PostgreSQL engine's batch of 8192 rows (src/store/db_pg.c
 * PG_BULK_ROWS); on SQLite the hint changes nothing and the test checks
 * that. Between steps other statements run (a read, a write to another
 * table), as a rebuild does. */
enum { BATCH_ROWS = 8192 };

static const char PROBE_WHOLE[] =
    "SELECT id, big, CAST(small AS SMALLINT), CAST(mid AS INT), small % 2 = 0, t, b"
    " FROM bulk_probe ORDER BY id";
static const char PROBE_BATCHES[] =
    "SELECT id, big, CAST(small AS SMALLINT), CAST(mid AS INT), small % 2 = 0, t, b "
    " FROM bulk_probe ORDER BY id";
/* a REAL column: read in batches all the same, in the text format */
static const char PROBE_REAL_WHOLE[] = "SELECT id, r, t FROM bulk_probe ORDER BY id";
static const char PROBE_REAL_BATCHES[] = "SELECT id, r, t FROM bulk_probe ORDER BY id ";

static void fill_probe(db *d, int rows)
{
    cc_error err;
    assert_int_equal(db_exec(d, "DELETE FROM bulk_probe", &err), CC_OK);
    assert_int_equal(db_begin(d, &err), CC_OK);
    for (int i = 1; i <= rows; i++) {
        db_stmt *s;
        assert_int_equal(db_prepare(d,
                                    "INSERT INTO bulk_probe (id, big, small, mid, t, b, r)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    &s, &err),
                         CC_OK);
        int64_t big = i == 1 ? INT64_MAX : i == 2 ? INT64_MIN : (int64_t)i * -1000003;
        char text[64];
        unsigned char blob[6] = {0, (unsigned char)i, 0xff, '\\', 'x', (unsigned char)(i >> 8)};
        snprintf(text, sizeof text, "%s%d", i % 3 ? "é-" : "", i);
        db_bind_int(s, 1, i);
        db_bind_int(s, 2, big);
        db_bind_int(s, 3, i % 30000 - 15000);
        db_bind_int(s, 4, i % 2 ? -i * 1009 : i * 1009);
        if (i % 5 == 0) {
            db_bind_null(s, 5);
            db_bind_null(s, 6);
        } else {
            db_bind_text(s, 5, i % 7 == 0 ? "" : text);
            db_bind_blob(s, 6, blob, (size_t)(i % 6));
        }
        db_bind_double(s, 7, i / 8.0 - 3);
        assert_int_equal(db_run(s, &err), CC_OK);
    }
    assert_int_equal(db_commit(d, &err), CC_OK);
}

typedef struct {
    char text[8][96];
    int64_t ints[8];
    double doubles[8];
    size_t blob_len[8];
    unsigned char blob[8][96];
    bool is_null[8], is_int[8], is_blob[8];
} probe_row;

static void read_row(db_stmt *s, int cols, probe_row *r)
{
    memset(r, 0, sizeof *r);
    for (int c = 0; c < cols; c++) {
        r->is_null[c] = db_col_is_null(s, c);
        r->is_int[c] = db_col_is_int(s, c);
        r->is_blob[c] = db_col_is_blob(s, c);
        r->ints[c] = db_col_int(s, c);
        r->doubles[c] = db_col_double(s, c);
        snprintf(r->text[c], sizeof r->text[c], "%s", db_col_text(s, c));
        const void *bytes = db_col_blob(s, c, &r->blob_len[c]);
        assert_true(r->blob_len[c] <= sizeof r->blob[c]);
        if (r->blob_len[c])
            memcpy(r->blob[c], bytes, r->blob_len[c]);
    }
}

static void assert_same_row(const probe_row *a, const probe_row *b, int cols)
{
    for (int c = 0; c < cols; c++) {
        assert_int_equal(a->is_null[c], b->is_null[c]);
        assert_int_equal(a->is_int[c], b->is_int[c]);
        assert_int_equal(a->is_blob[c], b->is_blob[c]);
        assert_int_equal(a->ints[c], b->ints[c]);
        assert_true(a->doubles[c] == b->doubles[c]);
        assert_string_equal(a->text[c], b->text[c]);
        assert_int_equal(a->blob_len[c], b->blob_len[c]);
        assert_memory_equal(a->blob[c], b->blob[c], a->blob_len[c]);
    }
}

/* Reads whole then in batches; interleave: every so many rows, a read (and
 * with write, a write to another table) between two steps. Returns the rows
 * read. */
static int compare_probe(db *d, const char *whole, const char *batches, int cols, int interleave,
                         bool write)
{
    cc_error err;
    db_stmt *w, *b;
    assert_int_equal(db_prepare(d, whole, &w, &err), CC_OK);
    probe_row *rows = NULL;
    int n = 0, cap = 0;
    while (db_step(w, &err) == DB_ROW) {
        if (n == cap) { /* doubling: a copy per row is quadratic, and slow under ASan */
            cap = cap ? 2 * cap : 1024;
            rows = realloc(rows, (size_t)cap * sizeof *rows);
            assert_non_null(rows);
        }
        read_row(w, cols, &rows[n++]);
    }
    db_done(w);
    assert_int_equal(db_prepare(d, batches, &b, &err), CC_OK);
    db_read_in_batches(b);
    int k = 0;
    db_step_result r;
    probe_row got;
    while ((r = db_step(b, &err)) == DB_ROW) {
        assert_true(k < n);
        read_row(b, cols, &got);
        assert_same_row(&rows[k], &got, cols);
        k++;
        if (interleave && k % interleave == 0) {
            int64_t count = 0;
            assert_int_equal(
                sql_scalar(d, "SELECT COUNT(*) FROM bulk_probe", NULL, 0, &count, &err), CC_OK);
            assert_int_equal(count, n);
            if (write)
                assert_int_equal(sql_run(d, "INSERT INTO bulk_side (k) VALUES (?)",
                                         (sql_arg[]){SQL_I(k)}, 1, NULL, &err),
                                 CC_OK);
        }
    }
    assert_int_equal(r, DB_DONE);
    db_done(b);
    assert_int_equal(k, n);
    free(rows);
    return n;
}

static void test_read_in_batches(void **state)
{
    fixture *f = *state;
    cc_error err;
    assert_int_equal(
        db_exec(f->d,
                "CREATE TABLE bulk_probe (id INTEGER PRIMARY KEY, big INTEGER NOT NULL,"
                " small INTEGER NOT NULL, mid INTEGER NOT NULL, t TEXT, b BLOB,"
                " r REAL NOT NULL);"
                "CREATE TABLE bulk_side (k INTEGER NOT NULL)",
                &err),
        CC_OK);
    int64_t expected_side = 0;
    static const int sizes[] = {
        0, 1, BATCH_ROWS - 1, BATCH_ROWS, BATCH_ROWS + 1, 2 * BATCH_ROWS + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        fill_probe(f->d, sizes[i]);
        /* in a read transaction, with reads between steps */
        assert_int_equal(db_begin_read(f->d, &err), CC_OK);
        assert_int_equal(compare_probe(f->d, PROBE_WHOLE, PROBE_BATCHES, 7, 997, false), sizes[i]);
        assert_int_equal(compare_probe(f->d, PROBE_REAL_WHOLE, PROBE_REAL_BATCHES, 3, 0, false),
                         sizes[i]);
        /* the same statement again in the same transaction: a new cursor */
        assert_int_equal(compare_probe(f->d, PROBE_WHOLE, PROBE_BATCHES, 7, 0, false), sizes[i]);
        assert_int_equal(db_commit(f->d, &err), CC_OK);
        /* in a write transaction, with writes to another table between steps */
        assert_int_equal(db_begin(f->d, &err), CC_OK);
        assert_int_equal(compare_probe(f->d, PROBE_WHOLE, PROBE_BATCHES, 7, 4093, true), sizes[i]);
        assert_int_equal(db_commit(f->d, &err), CC_OK);
        expected_side += sizes[i] / 4093;
        /* outside a transaction: read whole */
        assert_int_equal(compare_probe(f->d, PROBE_WHOLE, PROBE_BATCHES, 7, 0, false), sizes[i]);
    }
    int64_t side = 0;
    assert_int_equal(sql_scalar(f->d, "SELECT COUNT(*) FROM bulk_side", NULL, 0, &side, &err),
                     CC_OK);
    assert_int_equal(side, expected_side);

    /* left after a few rows of many: the connection serves the next statements */
    assert_int_equal(db_begin_read(f->d, &err), CC_OK);
    db_stmt *s;
    assert_int_equal(db_prepare(f->d, PROBE_BATCHES, &s, &err), CC_OK);
    db_read_in_batches(s);
    for (int k = 0; k < 3; k++)
        assert_int_equal(db_step(s, &err), DB_ROW);
    assert_int_equal(db_col_int(s, 0), 3);
    db_done(s);
    int64_t count = 0;
    assert_int_equal(sql_scalar(f->d, "SELECT COUNT(*) FROM bulk_probe", NULL, 0, &count, &err),
                     CC_OK);
    assert_int_equal(count, 2 * BATCH_ROWS + 5);
    assert_int_equal(db_commit(f->d, &err), CC_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_init_refuses_existing_dir),
        T(test_newer_schema_is_refused),
        T(test_audit_chain_detects_tampering),
        T(test_audit_chain_detects_deleted_entry),
        T(test_audit_needs_transaction),
        T(test_reason_required_for_locked_records),
        T(test_duplicate_warning_and_confirm),
        T(test_version_conflict),
        T(test_search_forgives_accents_and_case),
        T(test_convert_twice_conflicts),
        T(test_tokens_and_sessions),
        T(test_backup_copies_everything),
        T(test_row_mapper_over_zero_one_many_rows),
        T(test_row_mapper_stops_on_callback_error),
        T(test_paged_query),
        T(test_mutation_writes_change_and_one_entry),
        T(test_joinable_transaction),
        T(test_batch_of_actions),
        T(test_write_sent_later),
        T(test_group_commit_concurrent_writers),
        T(test_checkpoints_while_writing),
        T(test_statement_cache_keeps_statements_in_use),
        T(test_prefetch_answers_like_a_step),
        T(test_read_in_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
