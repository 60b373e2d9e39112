/* Laboratory store: what a unit's label shows (the unit, its recipient, its
 * batch's collections and donors, the facility). */
#include <stdio.h>
#include <string.h>

#include "core/lab_rules.h"
#include "store/lab.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct {
    lab_label_data *out;
    char data[32], flags[8];
    int64_t batch_id;
} label_read;

static cc_status read_label(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    label_read *l = ctx;
    lab_label_data *out = l->out;
    snprintf(l->data, sizeof l->data, "%s", db_col_text(s, 0));
    snprintf(l->flags, sizeof l->flags, "%s", db_col_text(s, 1));
    snprintf(out->product_code, sizeof out->product_code, "%s", db_col_text(s, 2));
    out->division = (int)db_col_int(s, 3);
    snprintf(out->product_type, sizeof out->product_type, "%s", db_col_text(s, 4));
    out->cells = (uint64_t)db_col_int(s, 5);
    out->volume_ml = db_col_double(s, 6);
    out->viability = db_col_is_null(s, 7) ? -1 : db_col_double(s, 7);
    snprintf(out->expiry, sizeof out->expiry, "%s", db_col_text(s, 8));
    snprintf(out->storage, sizeof out->storage, "%s", db_col_text(s, 9));
    snprintf(out->state, sizeof out->state, "%s", db_col_text(s, 10));
    snprintf(out->owner_mrn, sizeof out->owner_mrn, "%s", db_col_text(s, 11));
    snprintf(out->batch_code, sizeof out->batch_code, "%s", db_col_text(s, 12));
    out->autologous = !db_col_is_null(s, 13);
    out->owner_patient_id = out->autologous ? db_col_int(s, 13) : 0;
    if (out->autologous)
        snprintf(out->owner_name, sizeof out->owner_name, "%s, %s", db_col_text(s, 14),
                 db_col_text(s, 15));
    snprintf(out->owner_birth_date, sizeof out->owner_birth_date, "%s", db_col_text(s, 16));
    snprintf(out->product_description, sizeof out->product_description, "%s", db_col_text(s, 17));
    l->batch_id = db_col_int(s, 18);
    return CC_OK;
}

static cc_status read_site(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    lab_label_data *out = ctx;
    snprintf(out->fin, sizeof out->fin, "%s", db_col_text(s, 0));
    snprintf(out->facility_name, sizeof out->facility_name, "%s", db_col_text(s, 1));
    snprintf(out->facility_address, sizeof out->facility_address, "%s", db_col_text(s, 2));
    snprintf(out->label_language, sizeof out->label_language, "%s", db_col_text(s, 3));
    return CC_OK;
}

static cc_status read_collected(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    lab_label_data *out = ctx;
    snprintf(out->collected_on, sizeof out->collected_on, "%s", db_col_text(s, 0));
    return CC_OK;
}

/* Every donor of the batch: screening complete and reactive tests summed
 * over them (core donor_screening_summary, each with its kind's panel). */
typedef struct {
    db *d;
    lab_label_data *out;
    bool complete;
    cc_status st;
} donors_read;

static cc_status read_donor(void *ctx, db_stmt *s, cc_error *err)
{
    donors_read *r = ctx;
    lab_donor_screening sc;
    cc_status st = lab_donor_screening_load(r->d, db_col_int(s, 0), &sc, err);
    if (st != CC_OK)
        return st;
    bool complete;
    char reactive[64];
    donor_screening_summary(&sc.panel, sc.tests, sc.n_tests, &complete, reactive, sizeof reactive);
    r->complete = r->complete && complete;
    lab_label_data *out = r->out;
    if (*reactive) {
        size_t used = strlen(out->reactive);
        snprintf(out->reactive + used, sizeof out->reactive - used, "%s%s", used ? ", " : "",
                 reactive);
    }
    return CC_OK;
}

static cc_status batch_donor_facts(db *d, int64_t batch_id, lab_label_data *out, cc_error *err)
{
    static const char DONORS[] = " FROM donors d WHERE d.id IN (SELECT c.donor_id FROM"
                                 " collections c JOIN batch_collections bc"
                                 " ON bc.collection_id = c.id WHERE bc.batch_id = ?)";
    char sql[512];
    sql_arg a[] = {SQL_I(batch_id)};
    int64_t donors = 0, eligible = 0, ineligible = 0;
    snprintf(sql, sizeof sql, "SELECT COUNT(*)%s", DONORS);
    cc_status st = sql_scalar(d, sql, a, N(a), &donors, err);
    snprintf(sql, sizeof sql, "SELECT COUNT(*)%s AND d.eligibility = 'eligible'", DONORS);
    if (st == CC_OK)
        st = sql_scalar(d, sql, a, N(a), &eligible, err);
    snprintf(sql, sizeof sql, "SELECT COUNT(*)%s AND d.eligibility = 'ineligible'", DONORS);
    if (st == CC_OK)
        st = sql_scalar(d, sql, a, N(a), &ineligible, err);
    if (st != CC_OK)
        return st;
    snprintf(out->eligibility, sizeof out->eligibility, "%s",
             ineligible > 0                     ? "ineligible"
             : donors > 0 && eligible == donors ? "eligible"
                                                : "incomplete");
    donors_read r = {d, out, donors > 0, CC_OK};
    snprintf(sql, sizeof sql, "SELECT d.id%s ORDER BY d.id", DONORS);
    st = sql_each(d, sql, a, N(a), read_donor, &r, NULL, err);
    out->screening_complete = r.complete;
    if (st == CC_OK)
        st = sql_first(d,
                       "SELECT MIN(c.collected_on) FROM collections c JOIN batch_collections bc"
                       " ON bc.collection_id = c.id WHERE bc.batch_id = ?"
                       " HAVING COUNT(*) > 0",
                       a, N(a), read_collected, out, err);
    return st == CC_NOT_FOUND ? CC_OK : st;
}

cc_status lab_unit_label_data(db *d, int64_t id, lab_label_data *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    label_read l = {out, "", "", 0};
    sql_arg a[] = {SQL_I(id)};
    cc_status st = sql_first(d,
                             "SELECT u.din, u.din_flags, u.product_code, u.division,"
                             " u.product_type, u.cells, u.volume_ml, u.viability, u.expiry,"
                             " u.storage, u.state, p.mrn, b.code, p.id, p.family_name,"
                             " p.given_names, p.birth_date, pc.description, b.id"
                             " FROM units u JOIN batches b ON b.id = u.batch_id"
                             " LEFT JOIN patients p ON p.id = u.owner_patient_id"
                             " LEFT JOIN lab_product_codes pc ON pc.code = u.product_code"
                             " WHERE u.id = ?",
                             a, N(a), read_label, &l, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no unit with id %lld", (long long)id);
    if (st == CC_OK)
        st = batch_donor_facts(d, l.batch_id, out, err);
    if (st == CC_OK) {
        st = sql_first(d,
                       "SELECT fin, facility_name, facility_address, label_language"
                       " FROM lab_site WHERE id = 1",
                       NULL, 0, read_site, out, err);
        if (st == CC_NOT_FOUND)
            st = CC_OK;
    }
    if (!*out->label_language)
        snprintf(out->label_language, sizeof out->label_language, "en");
    if (st != CC_OK)
        return st;
    char scan[48];
    snprintf(scan, sizeof scan, "=%.13s%.2s", l.data, l.flags);
    return isbt128_parse(scan, "din", &out->din, err);
}
