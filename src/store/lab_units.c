/* Laboratory store: units, their DIN, custody events, state changes, storage. */
#include <stdio.h>
#include <string.h>

#include "core/lab_rules.h"
#include "core/shipping.h"
#include "store/counters.h"
#include "store/lab.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char UNIT_IMAGE[] =
    "SELECT id, din, din_flags, din_check, product_code, division, batch_id, product_type,"
    " owner_patient_id, cells, viability, volume_ml, expiry, state, storage, freezer, rack, box,"
    " position, reserved_patient_id, reserved_for, issued_patient_id, issued_ward, version,"
    " created_at, updated_at, site_id, shipped_to_site_id FROM units WHERE id = ?";

static const audit_entity UNIT = {"unit", UNIT_IMAGE};
static const audit_entity ADMINISTRATION = {
    "unit_administration", "SELECT id, unit_id, patient_id, administered_on, recorded_by,"
                           " recorded_at FROM unit_administrations WHERE id = ?"};

static cc_status read_unit(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    lab_unit_row *r = ctx;
    r->id = db_col_int(s, 0);
    r->batch_id = db_col_int(s, 1);
    r->version = db_col_int(s, 2);
    snprintf(r->state_text, sizeof r->state_text, "%s", db_col_text(s, 3));
    snprintf(r->product_type, sizeof r->product_type, "%s", db_col_text(s, 4));
    snprintf(r->batch_status, sizeof r->batch_status, "%s", db_col_text(s, 5));
    snprintf(r->expiry, sizeof r->expiry, "%s", db_col_text(s, 6));
    if (*db_col_text(s, 10))
        snprintf(r->location, sizeof r->location, "%s/%s/%s/%s", db_col_text(s, 7),
                 db_col_text(s, 8), db_col_text(s, 9), db_col_text(s, 10));
    r->u.cells = (uint64_t)db_col_int(s, 11);
    r->u.owner_patient_id = db_col_int(s, 12);
    r->u.reserved_patient_id = db_col_int(s, 13);
    r->u.issued_patient_id = db_col_int(s, 14);
    return CC_OK;
}

/* The row of sql (one `?` for the unit id) through fn; none: "no unit with id". */
static cc_status unit_first(db *d, int64_t id, const char *sql, sql_row_fn fn, void *ctx,
                            cc_error *err)
{
    sql_arg a[] = {SQL_I(id)};
    cc_status st = sql_first(d, sql, a, N(a), fn, ctx, err);
    return st == CC_NOT_FOUND ? cc_fail(err, CC_NOT_FOUND, "id", "not_found",
                                        "no unit with id %lld", (long long)id)
                              : st;
}

cc_status lab_unit_load(db *d, int64_t id, lab_unit_row *r, cc_error *err)
{
    memset(r, 0, sizeof *r);
    cc_status st = unit_first(d, id,
                              "SELECT u.id, u.batch_id, u.version, u.state, u.product_type,"
                              " b.status, u.expiry, u.freezer, u.rack, u.box, u.position,"
                              " u.cells, u.owner_patient_id, u.reserved_patient_id,"
                              " u.issued_patient_id FROM units u JOIN batches b"
                              " ON b.id = u.batch_id WHERE u.id = ?",
                              read_unit, r, err);
    if (st != CC_OK)
        return st;
    if (!unit_state_parse(r->state_text, &r->u.state) ||
        date_parse(r->expiry, "expiry", &r->u.expiry, err) != CC_OK)
        return cc_fail(err, CC_INTERNAL, "state", "corrupt_unit",
                       "unit %lld has an unreadable state or expiry", (long long)id);
    r->u.product_type = r->product_type;
    return CC_OK;
}

static cc_status custody(db *d, const store_actor *actor, int64_t unit_id, const char *event,
                         const char *from_state, const char *to_state, const char *from_loc,
                         const char *to_loc, const char *note, cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(unit_id),
                   SQL_S(now),
                   SQL_S(actor->username),
                   SQL_S(event),
                   SQL_S(from_state),
                   SQL_S(to_state),
                   SQL_S(from_loc ? from_loc : ""),
                   SQL_S(to_loc ? to_loc : ""),
                   SQL_S(note ? note : "")};
    return sql_run(d,
                   "INSERT INTO custody_events (unit_id, at, username, event, from_state, to_state,"
                   " from_location, to_location, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   a, N(a), NULL, err);
}

/* A custody event written as the `then` step of a unit's audited change. */
typedef struct {
    const store_actor *actor;
    const char *event, *from_state, *to_state, *from_loc, *to_loc, *note;
    bool clear_location; /* empty the storage columns first */
} custody_step;

static cc_status clear_location(db *d, int64_t unit_id, cc_error *err)
{
    return sql_run(d,
                   "UPDATE units SET freezer = '', rack = '', box = '', position = '' WHERE id = ?",
                   (sql_arg[]){SQL_I(unit_id)}, 1, NULL, err);
}

static cc_status write_custody(db *d, int64_t unit_id, void *ctx, cc_error *err)
{
    const custody_step *c = ctx;
    cc_status st = CC_OK;
    if (c->clear_location)
        st = clear_location(d, unit_id, err);
    if (st == CC_OK)
        st = custody(d, c->actor, unit_id, c->event, c->from_state, c->to_state, c->from_loc,
                     c->to_loc, c->note, err);
    return st;
}

typedef struct {
    int64_t reserved_patient, issued_patient; /* -1: unchanged, 0: cleared */
    const char *reserved_for, *ward;          /* NULL: unchanged */
    const char *to_location;                  /* NULL: unchanged */
} unit_changes;

/* The one place a unit changes state: core decides, then row + custody + audit.
 * It writes in whatever transaction the caller holds, which for
 * lab_unit_administer_in_tx need not be a joinable one: so no audit_mutate. */
static cc_status transition(db *d, const store_actor *actor, const lab_unit_row *r,
                            unit_event event, const unit_changes *c, const char *note,
                            const char *reason, cc_error *err)
{
    unit_state to;
    cc_status st = unit_state_apply(r->u.state, event, &to, err);
    if (st != CC_OK)
        return st;
    /* a unit that leaves the lab frees its storage position */
    bool leaves = lab_unit_in_storage(r->u.state) && !lab_unit_in_storage(to);
    const char *to_location = c && c->to_location ? c->to_location : leaves ? "" : NULL;
    char now[21];
    store_now_text(now);
    int64_t keep = -1;
    sql_arg a[] = {SQL_S(unit_state_name(to)),
                   SQL_I(c && c->reserved_patient >= 0 ? 1 : 0),
                   SQL_ID(c ? c->reserved_patient : keep),
                   SQL_I(c && c->reserved_for ? 1 : 0),
                   SQL_S(c && c->reserved_for ? c->reserved_for : ""),
                   SQL_I(c && c->issued_patient >= 0 ? 1 : 0),
                   SQL_ID(c ? c->issued_patient : keep),
                   SQL_I(c && c->ward ? 1 : 0),
                   SQL_S(c && c->ward ? c->ward : ""),
                   SQL_S(now),
                   SQL_I(r->id),
                   SQL_I(r->version)};
    custody_step step = {actor,
                         unit_event_name(event),
                         unit_state_name(r->u.state),
                         unit_state_name(to),
                         r->location,
                         to_location ? to_location : r->location,
                         note,
                         to_location != NULL};
    buf before;
    buf_init(&before, 1 << 14);
    st = audit_row_json(d, UNIT.image_sql, r->id, &before, err);
    if (st == CC_OK)
        st = sql_run(d,
                     "UPDATE units SET state = ?,"
                     " reserved_patient_id = CASE WHEN ? = 1 THEN ? ELSE reserved_patient_id END,"
                     " reserved_for = CASE WHEN ? = 1 THEN ? ELSE reserved_for END,"
                     " issued_patient_id = CASE WHEN ? = 1 THEN ? ELSE issued_patient_id END,"
                     " issued_ward = CASE WHEN ? = 1 THEN ? ELSE issued_ward END,"
                     " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                     a, N(a), NULL, err);
    if (st == CC_OK)
        st = write_custody(d, r->id, &step, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, unit_event_name(event), UNIT.entity, r->id, UNIT.image_sql,
                              before.data, reason, err);
    buf_release(&before);
    return st;
}

enum { CHUNK = 256 };

typedef struct {
    int64_t ids[CHUNK];
    size_t n;
} unit_ids;

static cc_status collect_id(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    unit_ids *c = ctx;
    if (c->n < CHUNK)
        c->ids[c->n++] = db_col_int(row, 0);
    return CC_OK;
}

cc_status lab_units_batch_event(db *d, const store_actor *actor, int64_t batch_id, unit_state from,
                                unit_event event, const char *note, cc_error *err)
{
    /* collect a chunk of ids first: the row callback may not run statements */
    int64_t last = 0;
    for (;;) {
        unit_ids chunk = {.n = 0};
        sql_arg a[] = {SQL_I(batch_id), SQL_S(unit_state_name(from)), SQL_I(last)};
        cc_status st = sql_each(d,
                                "SELECT id FROM units WHERE batch_id = ? AND state = ? AND id > ?"
                                " ORDER BY id LIMIT 256",
                                a, N(a), collect_id, &chunk, NULL, err);
        if (st != CC_OK || chunk.n == 0)
            return st;
        for (size_t i = 0; i < chunk.n; i++) {
            lab_unit_row u;
            if ((st = lab_unit_load(d, chunk.ids[i], &u, err)) != CC_OK ||
                (st = transition(d, actor, &u, event, NULL, note, note, err)) != CC_OK)
                return st;
        }
        last = chunk.ids[chunk.n - 1];
    }
}

static cc_status check_position_free(db *d, const char *freezer, const char *rack, const char *box,
                                     const char *position, int64_t self, cc_error *err)
{
    if (!position || !*position)
        return CC_OK;
    int64_t other;
    sql_arg a[] = {SQL_S(freezer), SQL_S(rack), SQL_S(box), SQL_S(position), SQL_I(self)};
    cc_status st = sql_scalar(d,
                              "SELECT id FROM units WHERE freezer = ? AND rack = ? AND box = ?"
                              " AND position = ? AND id <> ?",
                              a, N(a), &other, err);
    if (st == CC_OK && other)
        st = cc_fail(err, CC_CONFLICT, "position", "position_taken",
                     "position %s/%s/%s/%s already holds unit %lld", freezer, rack, box, position,
                     (long long)other);
    return st;
}

static cc_status read_code(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    lab_unit_origin_facts *out = ctx;
    out->code_configured = true;
    snprintf(out->code_product_type, sizeof out->code_product_type, "%s", db_col_text(row, 0));
    out->code_active = db_col_int(row, 1) == 1;
    return CC_OK;
}

cc_status lab_unit_origin_load(db *d, int64_t batch_id, const char *product_code, int division,
                               lab_unit_origin_facts *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    lab_batch_facts b;
    cc_status st = lab_batch_load(d, batch_id, &b, err);
    if (st != CC_OK)
        return st;
    snprintf(out->batch_status, sizeof out->batch_status, "%s", b.status);
    snprintf(out->batch_product_type, sizeof out->batch_product_type, "%s", b.product_type);
    sql_arg k[] = {SQL_S(product_code)};
    if ((st = sql_each(d, "SELECT product_type, active FROM lab_product_codes WHERE code = ?", k,
                       N(k), read_code, out, NULL, err)) != CC_OK)
        return st;
    /* autologous: every collection comes from the same autologous donor (checked at batch creation)
     */
    sql_arg a[] = {SQL_I(batch_id)};
    st = sql_scalar(d,
                    "SELECT MAX(d.patient_id) FROM batch_collections bc JOIN collections c ON"
                    " c.id = bc.collection_id JOIN donors d ON d.id = c.donor_id"
                    " WHERE bc.batch_id = ? AND d.kind = 'autologous'",
                    a, 1, &out->owner_patient_id, err);
    int64_t several = 0;
    sql_arg dv[] = {SQL_I(batch_id), SQL_I(division)};
    if (st == CC_OK && division > 0)
        st = sql_scalar(d, "SELECT COUNT(*) FROM units WHERE batch_id = ? AND division = ?", dv,
                        N(dv), &several, err);
    out->division_taken = several > 0;
    return st;
}

cc_status lab_unit_insert(db *d, const store_actor *actor, int64_t batch_id,
                          const char *product_type, int64_t owner_patient_id, const char *fin,
                          const lab_unit_fields *f, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = check_position_free(d, f->freezer, f->rack, f->box, f->position, 0, err);
    isbt128_din din;
    if (st == CC_OK) {
        char name[32];
        snprintf(name, sizeof name, "din:%s:%02d", fin, f->year);
        int64_t seq = 0;
        st = counter_next(d, name, &seq, err);
        if (st == CC_OK && seq > ISBT128_MAX_SEQUENCE)
            st = cc_fail(err, CC_CONFLICT, "din", "din_exhausted",
                         "no DIN sequence numbers left this year");
        if (st == CC_OK)
            st = isbt128_make(fin, f->year, (uint32_t)seq, NULL, &din, err);
    }
    char data[ISBT128_DATA_TEXT], check[2] = {din.check, '\0'}, now[21];
    if (st == CC_OK)
        isbt128_format_data(&din, data);
    store_now_text(now);
    sql_arg a[] = {SQL_S(data),
                   SQL_S(check),
                   SQL_S(f->product_code),
                   SQL_I(f->division),
                   SQL_I(batch_id),
                   SQL_S(product_type),
                   SQL_ID(owner_patient_id),
                   SQL_I((int64_t)f->cells),
                   f->viability >= 0 ? SQL_D(f->viability) : SQL_N,
                   SQL_D(f->volume_ml),
                   SQL_S(f->expiry),
                   SQL_S(f->storage ? f->storage : ""),
                   SQL_S(f->freezer ? f->freezer : ""),
                   SQL_S(f->rack ? f->rack : ""),
                   SQL_S(f->box ? f->box : ""),
                   SQL_S(f->position ? f->position : ""),
                   SQL_S(now),
                   SQL_S(now),
                   SQL_I(batch_id)};
    char loc[200] = "";
    if (f->position && *f->position)
        snprintf(loc, sizeof loc, "%s/%s/%s/%s", f->freezer, f->rack, f->box, f->position);
    custody_step step = {actor, "create", "", "quarantine", "", loc, "unit made", false};
    audit_mutation m = {
        .action = "create",
        .entity = UNIT.entity,
        .created_id = id,
        .image_sql = UNIT.image_sql,
        .change_sql =
            "INSERT INTO units (din, din_check, product_code, division, batch_id, product_type,"
            " owner_patient_id, cells, viability, volume_ml, expiry, state, storage, freezer,"
            " rack, box, position, version, created_at, updated_at, site_id) VALUES (?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, 'quarantine', ?, ?, ?, ?, ?, 1, ?, ?,"
            " (SELECT b.site_id FROM batches b WHERE b.id = ?)) RETURNING id",
        .args = a,
        .n = N(a),
        .then = write_custody,
        .ctx = &step};
    if (st == CC_OK)
        st = audit_mutate(d, actor, &m, err);
    /* a conflict here is reported as the storage position taken */
    if (st == CC_CONFLICT && strcmp(err->code, "not_found") != 0)
        st = cc_fail(err, CC_CONFLICT, "position", "position_taken",
                     "that storage position is taken");
    return db_tx_end(d, st, err);
}

cc_status lab_units_expire(db *d, const store_actor *actor, cc_date today, int64_t *n,
                           cc_error *err)
{
    char day[CC_DATE_TEXT];
    date_format(today, day);
    *n = 0;
    int64_t due = 0;
    sql_arg q[] = {SQL_S(day)};
    cc_status st = sql_scalar(d,
                              "SELECT COUNT(*) FROM units WHERE expiry < ? AND state IN"
                              " ('quarantine', 'released', 'reserved', 'returned')",
                              q, 1, &due, err);
    if (st != CC_OK || due == 0)
        return st;
    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    for (;;) {
        int64_t id = 0;
        if ((st = sql_scalar(d,
                             "SELECT MIN(id) FROM units WHERE expiry < ? AND state IN"
                             " ('quarantine', 'released', 'reserved', 'returned')",
                             q, 1, &id, err)) != CC_OK ||
            id == 0)
            break;
        lab_unit_row u;
        unit_changes c = {0, -1, "", NULL, NULL}; /* an expired unit is reserved for no one */
        if ((st = lab_unit_load(d, id, &u, err)) != CC_OK ||
            (st = transition(d, actor, &u, UNIT_EV_EXPIRE, &c, "expiry date passed", NULL, err)) !=
                CC_OK)
            break;
        ++*n;
    }
    return db_tx_end(d, st, err);
}

cc_status lab_patient_exists(db *d, int64_t patient_id, bool *out, cc_error *err)
{
    int64_t found = 0;
    sql_arg a[] = {SQL_I(patient_id)};
    cc_status st = sql_scalar(d, "SELECT COUNT(*) FROM patients WHERE id = ?", a, 1, &found, err);
    *out = st == CC_OK && found > 0;
    return st;
}

typedef struct {
    char *out;
    size_t cap;
} text_out;

static cc_status copy_first_text(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    text_out *t = ctx;
    snprintf(t->out, t->cap, "%s", db_col_text(row, 0));
    return CC_OK;
}

cc_status lab_patient_mrn(db *d, int64_t patient_id, char *out, size_t cap, cc_error *err)
{
    sql_arg a[] = {SQL_I(patient_id)};
    text_out t = {out, cap};
    out[0] = '\0';
    cc_status st =
        sql_first(d, "SELECT mrn FROM patients WHERE id = ?", a, 1, copy_first_text, &t, err);
    return st == CC_NOT_FOUND ? CC_OK : st;
}

/* issued -> administered inside the caller's transaction: core's
 * lab_check_administer (H2, H3, H7, H12), the lookback link, the custody event. */
static cc_status administer(db *d, const store_actor *actor, const lab_unit_row *u,
                            int64_t patient_id, const char *date, cc_date today, cc_error *err)
{
    cc_status st = lab_check_administer(&u->u, patient_id, today, err);
    /* given only where it is: received at (or made at) the patient's site */
    int64_t here = 0;
    sql_arg where[] = {SQL_I(u->id), SQL_I(patient_id)};
    if (st == CC_OK)
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM units un, patients p WHERE un.id = ? AND p.id = ?"
                        " AND un.site_id = p.site_id AND un.shipped_to_site_id IS NULL",
                        where, N(where), &here, err);
    if (st == CC_OK && !here)
        st = cc_fail(err, CC_CONFLICT, "units", "unit_not_at_site",
                     "unit %lld is not at the patient's site: it is given only where it was "
                     "received",
                     (long long)u->id);
    char now[21], note[300];
    store_now_text(now);
    sql_arg ins[] = {SQL_I(u->id), SQL_I(patient_id), SQL_S(date), SQL_S(actor->username),
                     SQL_S(now)};
    int64_t adm_id = 0;
    if (st == CC_OK) /* in the caller's transaction, joinable or not: no audit_create */
        st = sql_run(d,
                     "INSERT INTO unit_administrations (unit_id, patient_id, administered_on,"
                     " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                     ins, N(ins), &adm_id, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, "create", ADMINISTRATION.entity, adm_id,
                              ADMINISTRATION.image_sql, NULL, NULL, err);
    snprintf(note, sizeof note, "administered to patient %lld on %s", (long long)patient_id,
             date ? date : "");
    unit_changes c = {-1, -1, NULL, NULL, NULL};
    if (st == CC_OK)
        st = transition(d, actor, u, UNIT_EV_ADMINISTER, &c, note, NULL, err);
    return st;
}

cc_status lab_unit_administer_in_tx(db *d, const store_actor *actor, int64_t unit_id,
                                    int64_t expected_version, int64_t patient_id, const char *date,
                                    cc_date today, cc_error *err)
{
    lab_unit_row u;
    cc_status st = lab_unit_load(d, unit_id, &u, err);
    if (st == CC_OK && expected_version && u.version != expected_version)
        st = cc_fail(err, CC_CONFLICT, "units", "unit_changed",
                     "unit %lld changed since it was checked: scan it again", (long long)unit_id);
    return st == CC_OK ? administer(d, actor, &u, patient_id, date, today, err) : st;
}

cc_status lab_unit_record_action(db *d, const store_actor *actor, const lab_unit_row *r,
                                 unit_event event, const lab_unit_change *c, const char *reason,
                                 cc_error *err)
{
    unit_changes changes = {c->reserved_patient_id, c->issued_patient_id, c->reserved_for, c->ward,
                            NULL};
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = transition(d, actor, r, event, &changes, c->note, reason, err);
    return db_tx_end(d, st, err);
}

cc_status lab_unit_record_move(db *d, const store_actor *actor, const lab_unit_row *u,
                               const char *freezer, const char *rack, const char *box,
                               const char *position, const char *note, cc_error *err)
{
    int64_t unit_id = u->id;
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = check_position_free(d, freezer, rack, box, position, unit_id, err);
    char now[21], to[200] = "";
    store_now_text(now);
    if (*position)
        snprintf(to, sizeof to, "%s/%s/%s/%s", freezer, rack, box, position);
    sql_arg a[] = {SQL_S(freezer),  SQL_S(rack), SQL_S(box),
                   SQL_S(position), SQL_S(now),  SQL_I(unit_id)};
    custody_step step = {actor, "move", u->state_text, u->state_text, u->location, to, note, false};
    audit_mutation m = {.action = "move",
                        .entity = UNIT.entity,
                        .id = unit_id,
                        .image_sql = UNIT.image_sql,
                        .change_sql = "UPDATE units SET freezer = ?, rack = ?, box = ?,"
                                      " position = ?, updated_at = ?, version = version + 1"
                                      " WHERE id = ?",
                        .args = a,
                        .n = N(a),
                        .reason = note,
                        .then = write_custody,
                        .ctx = &step};
    if (st == CC_OK)
        st = audit_mutate(d, actor, &m, err);
    /* a conflict here is reported as the storage position taken */
    if (st == CC_CONFLICT)
        st = cc_fail(err, CC_CONFLICT, "position", "position_taken",
                     "that storage position is taken");
    return db_tx_end(d, st, err);
}

cc_status lab_unit_note_event(db *d, const store_actor *actor, int64_t unit_id, const char *event,
                              const char *note, cc_error *err)
{
    if (!event || (strcmp(event, "thaw") != 0 && strcmp(event, "transfer") != 0 &&
                   strcmp(event, "inspect") != 0))
        return cc_fail(err, CC_INVALID, "event", "invalid_value",
                       "event must be thaw, transfer or inspect");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    lab_unit_row u;
    st = lab_unit_load(d, unit_id, &u, err);
    if (st == CC_OK)
        st = custody(d, actor, unit_id, event, u.state_text, u.state_text, u.location, u.location,
                     note, err);
    if (st == CC_OK) {
        char after[400];
        buf b;
        buf_init(&b, sizeof after);
        buf_printf(&b, "{\"event\":");
        buf_json_string(&b, event);
        buf_puts(&b, ",\"note\":");
        buf_json_string(&b, note);
        buf_putc(&b, '}');
        audit_change ch = {event, "unit", unit_id, NULL, buf_failed(&b) ? "{}" : b.data, note};
        st = audit_append(d, actor, &ch, err);
        buf_release(&b);
    }
    return db_tx_end(d, st, err);
}

/* A unit's patients (autologous owner, reservation, issue) are named (MRN
 * and names) only to their own site: the first six `?` are the session's
 * site (0: every site's), each twice. Elsewhere (a unit shipped to a third
 * site) the patient's id stays, so the unit still reads as autologous or
 * reserved, and its identity is null. */
#define UNIT_FROM                                                                                  \
    " FROM units u JOIN batches b ON b.id = u.batch_id"                                            \
    " LEFT JOIN patients po ON po.id = u.owner_patient_id AND (? = 0 OR po.site_id = ?)"           \
    " LEFT JOIN patients pr ON pr.id = u.reserved_patient_id AND (? = 0 OR pr.site_id = ?)"        \
    " LEFT JOIN patients pi ON pi.id = u.issued_patient_id AND (? = 0 OR pi.site_id = ?)"
#define UNIT_SITE_ARGS(site)                                                                       \
    SQL_I(site), SQL_I(site), SQL_I(site), SQL_I(site), SQL_I(site), SQL_I(site)
#define UNIT_VIEW                                                                                  \
    "SELECT u.id, u.din, u.din_flags, u.din_check, u.product_code, u.division, u.batch_id,"        \
    " b.code AS batch_code, b.status AS batch_status, u.product_type, u.owner_patient_id,"         \
    " po.mrn AS owner_mrn, u.cells, u.viability, u.volume_ml, u.expiry, u.state, u.storage,"       \
    " u.freezer, u.rack, u.box, u.position, u.reserved_patient_id, pr.mrn AS reserved_mrn,"        \
    " pr.family_name AS reserved_family_name, pr.given_names AS reserved_given_names,"             \
    " u.reserved_for, u.issued_patient_id, pi.mrn AS issued_mrn, u.issued_ward, u.version,"        \
    " u.created_at, u.updated_at,"                                                                 \
    " (SELECT s.code FROM sites s WHERE s.id = u.site_id) AS site_code,"                           \
    " (SELECT s.name FROM sites s WHERE s.id = u.site_id) AS site_name,"                           \
    " (SELECT s.code FROM sites s WHERE s.id = u.shipped_to_site_id) AS shipped_to_code,"          \
    " (SELECT s.name FROM sites s WHERE s.id = u.shipped_to_site_id) AS shipped_to_name" UNIT_FROM

cc_status lab_unit_json(db *d, int64_t site_id, int64_t id, buf *out, cc_error *err)
{
    static const sql_json_list lists[] = {
        /* a reservation's or issue's note names its patient (core/lab_rules.c),
         * one of the site that held the unit then: blank once the unit has
         * left that site, wherever it is read from */
        {"custody", "SELECT c.id, c.at, c.username, c.event, c.from_state, c.to_state,"
                    " c.from_location, c.to_location,"
                    " CASE WHEN c.event IN ('reserve', 'issue') AND EXISTS (SELECT 1"
                    " FROM custody_events s WHERE s.unit_id = c.unit_id AND s.event = 'shipped'"
                    " AND s.id > c.id) THEN '' ELSE c.note END AS note,"
                    " (SELECT s.name FROM sites s WHERE s.id = c.from_site_id) AS from_site,"
                    " (SELECT s.name FROM sites s WHERE s.id = c.to_site_id) AS to_site"
                    " FROM custody_events c WHERE c.unit_id = ? ORDER BY c.id"},
        /* given at the unit's site, the one that reads it: named there only */
        {"administrations",
         "SELECT a.id, a.patient_id, CASE WHEN p.site_id = u.site_id THEN p.mrn END AS patient_mrn,"
         " a.administered_on FROM unit_administrations a JOIN patients p ON p.id = a.patient_id"
         " JOIN units u ON u.id = a.unit_id WHERE a.unit_id = ? ORDER BY a.id"},
        {"freezing", "SELECT id, cryoprotectant, cryoprotectant_tenths, rate_tenths, frozen_at,"
                     " operator FROM unit_freezings WHERE unit_id = ?"},
        {"thaw", "SELECT t.id, t.thawed_at, t.viable_cells, t.viability_tenths, t.operator,"
                 " c.post_thaw_hours, c.min_viability_tenths,"
                 " strftime('%Y-%m-%dT%H:%M:%SZ', t.thawed_at,"
                 " '+' || COALESCE(c.post_thaw_hours, 2) || ' hours') AS expires_at"
                 " FROM unit_thaws t JOIN units u ON u.id = t.unit_id"
                 " LEFT JOIN cryo_settings c ON c.product_type = u.product_type"
                 " WHERE t.unit_id = ?"},
    };
    sql_arg row[] = {UNIT_SITE_ARGS(site_id), SQL_I(id)};
    return sql_record_view_args(d, id, "unit", UNIT_VIEW " WHERE u.id = ?", row, N(row), lists,
                                N(lists), out, err);
}

cc_status lab_unit_list_json(db *d, const lab_unit_query *q, buf *out, int64_t *total,
                             cc_error *err)
{
    bool exp = q->expiring_days >= 0;
    const char *state = q->state ? q->state : "", *din = q->din ? q->din : "";
    int64_t old = exp && q->with_expired;
    char pattern[132];
    lab_code_pattern(q->q, pattern, sizeof pattern);
    sql_arg a[] = {UNIT_SITE_ARGS(q->site_id),
                   SQL_S(state),
                   SQL_S(state),
                   SQL_I(q->batch_id),
                   SQL_I(q->batch_id),
                   SQL_S(din),
                   SQL_S(din),
                   SQL_I(exp),
                   SQL_S(exp ? q->until : ""),
                   SQL_S(exp ? q->today : ""),
                   SQL_I(old),
                   SQL_I(old),
                   SQL_S(pattern),
                   SQL_S(pattern),
                   SQL_S(pattern),
                   SQL_I(q->site_id),
                   SQL_I(q->site_id),
                   SQL_I(q->site_id),
                   SQL_I(q->arriving),
                   SQL_I(q->site_id)};
#define UNIT_FILTER                                                                                \
    " WHERE (? = '' OR u.state = ?) AND (? = 0 OR u.batch_id = ?) AND (? = '' OR u.din = ?)"       \
    " AND (? = 0 OR (u.expiry <= ? AND (u.expiry >= ? OR ? = 1) AND (u.state IN"                   \
    " ('quarantine', 'released', 'reserved', 'returned') OR (? = 1 AND u.state = 'expired'))))"    \
    " AND (lower(u.din || u.din_check) LIKE ? ESCAPE '\\'"                                         \
    " OR lower(u.product_code) LIKE ? ESCAPE '\\'"                                                 \
    " OR lower(replace(b.code, '-', '')) LIKE ? ESCAPE '\\')"                                      \
    " AND (? = 0 OR u.site_id = ? OR u.shipped_to_site_id = ?)"                                    \
    " AND (? = 0 OR u.shipped_to_site_id = ?)"
    sql_page_query pq = {.count_sql = "SELECT COUNT(*)" UNIT_FROM UNIT_FILTER,
                         .sql = UNIT_VIEW UNIT_FILTER " ORDER BY u.expiry, u.id LIMIT ? OFFSET ?",
                         .args = a,
                         .n = N(a),
                         .page = q->page,
                         .per_page = q->per_page};
#undef UNIT_FILTER
    return sql_page_json(d, &pq, out, total, err);
}

cc_status lab_storage_json(db *d, int64_t site_id, const char *freezer, buf *out, cc_error *err)
{
    const char *f = freezer ? freezer : "";
    sql_arg a[] = {SQL_I(site_id), SQL_S(f), SQL_S(f)};
    return sql_rows_json(
        d,
        "SELECT freezer, rack, box, position, id AS unit_id, din, din_check, state,"
        " product_type, expiry FROM units WHERE site_id = ? AND position <> ''"
        " AND (? = '' OR freezer = ?)"
        " ORDER BY freezer, rack, box, position LIMIT 10000",
        a, N(a), false, out, err);
}

/* ---- shipping between sites ---- */

/* A change of site: the unit leaves its storage position (the custody event
 * names where it was, and no position where it goes). */
static cc_status site_custody(db *d, const store_actor *actor, const lab_unit_row *r,
                              const char *event, int64_t from_site, int64_t to_site,
                              const char *note, cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(r->id),
                   SQL_S(now),
                   SQL_S(actor->username),
                   SQL_S(event),
                   SQL_S(r->state_text),
                   SQL_S(r->state_text),
                   SQL_S(r->location),
                   SQL_S(""),
                   SQL_S(note ? note : ""),
                   SQL_I(from_site),
                   SQL_I(to_site)};
    return sql_run(d,
                   "INSERT INTO custody_events (unit_id, at, username, event, from_state, to_state,"
                   " from_location, to_location, note, from_site_id, to_site_id)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   a, N(a), NULL, err);
}

typedef struct {
    int64_t site, shipped_to;
} unit_place;

static cc_status read_place(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    unit_place *p = ctx;
    p->site = db_col_int(row, 0);
    p->shipped_to = db_col_is_null(row, 1) ? 0 : db_col_int(row, 1);
    return CC_OK;
}

/* The unit and where it is, inside the caller's transaction. */
static cc_status load_placed(db *d, int64_t unit_id, lab_unit_row *u, unit_place *p, cc_error *err)
{
    cc_status st = lab_unit_load(d, unit_id, u, err);
    if (st == CC_OK)
        st = unit_first(d, unit_id, "SELECT site_id, shipped_to_site_id FROM units WHERE id = ?",
                        read_place, p, err);
    return st;
}

/* Changes where the unit is (its site and the site it is shipped to), with
 * the custody event and the audit entry. A unit shipped leaves its storage
 * position: it travels in a shipper, the sending site's box position is
 * free, and the unit is in none of the receiving site's freezers until it is
 * stored there. */
static cc_status move_site(db *d, const store_actor *actor, const lab_unit_row *u,
                           const char *action, int64_t site, int64_t shipped_to, int64_t from_site,
                           int64_t to_site, const char *note, cc_error *err)
{
    buf before;
    buf_init(&before, 1 << 14);
    cc_status st = audit_row_json(d, UNIT.image_sql, u->id, &before, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(site), SQL_ID(shipped_to), SQL_S(now), SQL_I(u->id)};
    if (st == CC_OK)
        st = sql_run(d,
                     "UPDATE units SET site_id = ?, shipped_to_site_id = ?, updated_at = ?,"
                     " version = version + 1 WHERE id = ?",
                     a, N(a), NULL, err);
    if (st == CC_OK)
        st = clear_location(d, u->id, err);
    if (st == CC_OK)
        st = site_custody(d, actor, u, action, from_site, to_site, note, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, action, UNIT.entity, u->id, UNIT.image_sql, before.data,
                              note, err);
    buf_release(&before);
    return st;
}

cc_status lab_unit_ship(db *d, const store_actor *actor, int64_t unit_id, int64_t from_site,
                        int64_t to_site, const char *note, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    lab_unit_row u;
    unit_place p = {0, 0};
    st = load_placed(d, unit_id, &u, &p, err);
    if (st == CC_OK && p.site != from_site)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no unit with id %lld",
                     (long long)unit_id);
    if (st == CC_OK && p.shipped_to)
        st = cc_fail(err, CC_CONFLICT, "id", "in_transit",
                     "the unit is already shipped and not yet received");
    if (st == CC_OK && to_site == from_site)
        st = cc_fail(err, CC_INVALID, "to_site", "same_site", "the unit is at that site already");
    if (st == CC_OK && u.u.state != UNIT_RELEASED && u.u.state != UNIT_RESERVED)
        st = cc_fail(err, CC_CONFLICT, "id", "not_shippable",
                     "only a released or reserved unit is shipped (this one is %s)", u.state_text);
    if (st == CC_OK)
        st = move_site(d, actor, &u, "shipped", from_site, to_site, from_site, to_site, note, err);
    return db_tx_end(d, st, err);
}

cc_status lab_unit_receive(db *d, const store_actor *actor, int64_t unit_id, int64_t site,
                           int temperature_dc, const char *note, bool *quarantined, cc_error *err)
{
    *quarantined = false;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    lab_unit_row u;
    unit_place p = {0, 0};
    st = load_placed(d, unit_id, &u, &p, err);
    if (st == CC_OK && p.shipped_to != site)
        st = cc_fail(err, CC_CONFLICT, "id", "not_shipped_here",
                     "the unit was not shipped to this site");
    int64_t frozen = 0;
    if (st == CC_OK)
        st = sql_scalar(d,
                        "SELECT COUNT(*) FROM unit_freezings f WHERE f.unit_id = ?"
                        " AND NOT EXISTS (SELECT 1 FROM unit_thaws t WHERE t.unit_id = f.unit_id)",
                        (sql_arg[]){SQL_I(unit_id)}, 1, &frozen, err);
    int low, high;
    shipping_range(frozen != 0, &low, &high);
    bool ok = shipping_arrival_ok(frozen != 0, temperature_dc);
    char text[300];
    snprintf(text, sizeof text, "arrived at %.1f C (range %.1f to %.1f C)%s%s",
             temperature_dc / 10.0, low / 10.0, high / 10.0, note && *note ? ": " : "",
             note ? note : "");
    if (st == CC_OK)
        st = move_site(d, actor, &u, "received", site, 0, p.site, site, text, err);
    if (st == CC_OK && !ok) {
        char reason[200];
        snprintf(reason, sizeof reason,
                 "temperature on arrival %.1f C outside the range %.1f to %.1f C",
                 temperature_dc / 10.0, low / 10.0, high / 10.0);
        unit_changes c = {-1, -1, NULL, NULL, NULL};
        st = lab_unit_load(d, unit_id, &u, err);
        if (st == CC_OK)
            st = transition(d, actor, &u, UNIT_EV_HOLD, &c, reason, reason, err);
        *quarantined = st == CC_OK;
    }
    return db_tx_end(d, st, err);
}
