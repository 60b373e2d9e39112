/* Laboratory store: the freezing and thaw records of units and each product
 * type's post-thaw settings (H14). */
#include <stdio.h>
#include <string.h>

#include "store/lab.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const audit_entity FREEZING = {
    "unit_freezing", "SELECT id, unit_id, cryoprotectant, cryoprotectant_tenths, rate_tenths,"
                     " frozen_at, operator_id, operator, recorded_at FROM unit_freezings"
                     " WHERE id = ?"};
static const audit_entity THAW = {"unit_thaw",
                                  "SELECT id, unit_id, thawed_at, viable_cells, viability_tenths,"
                                  " operator_id, operator, recorded_at FROM unit_thaws"
                                  " WHERE id = ?"};

static cc_status read_cryo(void *ctx, db_stmt *s, cc_error *err)
{
    lab_cryo_facts *f = ctx;
    f->frozen = !db_col_is_null(s, 0);
    f->thawed = db_col_int(s, 1) != 0;
    if (f->frozen && instant_parse(db_col_text(s, 0), "frozen_at", &f->frozen_at, NULL) != CC_OK)
        return cc_fail(err, CC_INTERNAL, "frozen_at", "corrupt_record",
                       "a stored freezing time is unreadable");
    return CC_OK;
}

cc_status lab_unit_cryo_load(db *d, int64_t unit_id, lab_cryo_facts *f, cc_error *err)
{
    memset(f, 0, sizeof *f);
    sql_arg a[] = {SQL_I(unit_id), SQL_I(unit_id)};
    return sql_each(d,
                    "SELECT (SELECT frozen_at FROM unit_freezings WHERE unit_id = ?),"
                    " EXISTS (SELECT 1 FROM unit_thaws WHERE unit_id = ?)",
                    a, N(a), read_cryo, f, NULL, err);
}

cc_status lab_unit_record_freezing(db *d, const store_actor *actor, int64_t unit_id,
                                   const lab_freezing_new *n, int64_t *id, cc_error *err)
{
    char now[CC_INSTANT_TEXT], at[CC_INSTANT_TEXT];
    store_now_text(now);
    instant_format(n->frozen_at, at);
    sql_arg a[] = {SQL_I(unit_id),
                   SQL_S(n->cryoprotectant),
                   SQL_I(n->concentration_tenths),
                   SQL_I(n->rate_tenths),
                   SQL_S(at),
                   SQL_ID(actor->user_id),
                   SQL_S(actor->username),
                   SQL_S(now)};
    return audit_create(d, actor, &FREEZING,
                        "INSERT INTO unit_freezings (unit_id, cryoprotectant,"
                        " cryoprotectant_tenths, rate_tenths, frozen_at, operator_id, operator,"
                        " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        a, N(a), NULL, id, err);
}

typedef struct {
    int64_t *ids;
    size_t cap, *n;
} id_list;

static cc_status add_id(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    id_list *l = ctx;
    if (*l->n < l->cap)
        l->ids[(*l->n)++] = db_col_int(s, 0);
    return CC_OK;
}

cc_status lab_batch_units_to_freeze(db *d, int64_t batch_id, int64_t *ids, size_t cap, size_t *n,
                                    cc_error *err)
{
    *n = 0;
    id_list l = {ids, cap, n};
    sql_arg a[] = {SQL_I(batch_id)};
    return sql_each(d,
                    "SELECT u.id FROM units u WHERE u.batch_id = ?"
                    " AND u.state NOT IN ('administered', 'discarded', 'expired')"
                    " AND NOT EXISTS (SELECT 1 FROM unit_freezings f WHERE f.unit_id = u.id)"
                    " ORDER BY u.id",
                    a, N(a), add_id, &l, NULL, err);
}

cc_status lab_unit_record_thaw(db *d, const store_actor *actor, int64_t unit_id,
                               const lab_thaw_new *n, int64_t *id, cc_error *err)
{
    char now[CC_INSTANT_TEXT], at[CC_INSTANT_TEXT];
    store_now_text(now);
    instant_format(n->thawed_at, at);
    sql_arg a[] = {SQL_I(unit_id),
                   SQL_S(at),
                   SQL_I(n->viable_cells),
                   SQL_I(n->viability_tenths),
                   SQL_ID(actor->user_id),
                   SQL_S(actor->username),
                   SQL_S(now)};
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = audit_create(d, actor, &THAW,
                          "INSERT INTO unit_thaws (unit_id, thawed_at, viable_cells,"
                          " viability_tenths, operator_id, operator, recorded_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          a, N(a), NULL, id, err);
    char note[120];
    snprintf(note, sizeof note, "thawed at %s, %lld viable cells, viability %d.%d %%", at,
             (long long)n->viable_cells, n->viability_tenths / 10, n->viability_tenths % 10);
    if (st == CC_OK)
        st = lab_unit_note_event(d, actor, unit_id, "thaw", note, err);
    return db_tx_end(d, st, err);
}

#define SETTINGS_SQL "SELECT product_type, post_thaw_hours, min_viability_tenths FROM cryo_settings"

cc_status lab_cryo_settings_json(db *d, buf *out, cc_error *err)
{
    return sql_rows_json(d, SETTINGS_SQL " ORDER BY product_type", NULL, 0, false, out, err);
}

cc_status lab_cryo_settings_set(db *d, const store_actor *actor, const char *product_type,
                                int post_thaw_hours, int min_viability_tenths, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf before, after;
    buf_init(&before, 1024);
    buf_init(&after, 1024);
    sql_arg key[] = {SQL_S(product_type)};
    st = sql_row_json(d, SETTINGS_SQL " WHERE product_type = ?", key, 1, "product_type", &before,
                      err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_NOT_FOUND, "product_type", "not_found",
                     "no post-thaw settings for that product type");
    sql_arg a[] = {SQL_I(post_thaw_hours), SQL_I(min_viability_tenths), SQL_S(product_type)};
    if (st == CC_OK)
        st = sql_run(d,
                     "UPDATE cryo_settings SET post_thaw_hours = ?, min_viability_tenths = ?"
                     " WHERE product_type = ?",
                     a, N(a), NULL, err);
    if (st == CC_OK)
        st = sql_row_json(d, SETTINGS_SQL " WHERE product_type = ?", key, 1, "product_type", &after,
                          err);
    if (st == CC_OK && (buf_failed(&before) || buf_failed(&after)))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK) {
        audit_change ch = {"update", "cryo_settings", 0, before.data, after.data, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    buf_release(&before);
    buf_release(&after);
    return db_tx_end(d, st, err);
}
