/* Laboratory store: site configuration, DIN allocation, donors, collections. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/lab_rules.h"
#include "core/text.h"
#include "store/counters.h"
#include "store/lab.h"
#include "store/sql.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char SITE_IMAGE[] = "SELECT id, fin, facility_name, facility_address, label_language,"
                                 " version, updated_at FROM lab_site WHERE id = ?";
static const char CODE_IMAGE[] =
    "SELECT id, code, product_type, description, active, created_at FROM lab_product_codes"
    " WHERE id = ?";
static const char DONOR_IMAGE[] =
    "SELECT id, code, kind, patient_id, consent_date, consent_reference, eligibility,"
    " eligibility_reason, eligibility_by, eligibility_at, synthetic, version, created_at,"
    " updated_at FROM donors WHERE id = ?";
static const char TEST_IMAGE[] =
    "SELECT id, donor_id, test, result, sampled_on, recorded_by, recorded_at FROM donor_tests"
    " WHERE id = ?";
static const char COLLECTION_IMAGE[] =
    "SELECT id, donor_id, source, collected_on, volume_ml, mass_g, site, recorded_by, created_at"
    " FROM collections WHERE id = ?";

/* The marker of a stored result. Results entered before the marker panel
 * carry the screen each code stood for: hiv the anti-HIV-1/2 screen, hbv
 * HBsAg, hcv anti-HCV, htlv anti-HTLV-I/II (syphilis and cmv kept their
 * codes). They are read as those markers and shown with the code they were
 * recorded under ("recorded_as"); the rows stay as audited. */
#define MARKER_OF_TEST                                                                             \
    "CASE test WHEN 'hiv' THEN 'anti-hiv-1-2' WHEN 'hbv' THEN 'hbsag' WHEN 'hcv' THEN"             \
    " 'anti-hcv' WHEN 'htlv' THEN 'htlv-1-2' ELSE test END"

static const audit_entity CODE = {"lab_product_code", CODE_IMAGE};
static const audit_entity DONOR = {"donor", DONOR_IMAGE};
static const audit_entity TEST = {"donor_test", TEST_IMAGE};
static const audit_entity COLLECTION = {"collection", COLLECTION_IMAGE};

/* ---- site ---- */

static cc_status copy_fin(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    snprintf(ctx, ISBT128_FIN_LEN + 1, "%s", db_col_text(row, 0));
    return CC_OK;
}

cc_status lab_site_fin(db *d, char fin[ISBT128_FIN_LEN + 1], cc_error *err)
{
    cc_status st =
        sql_first(d, "SELECT fin FROM lab_site WHERE id = 1", NULL, 0, copy_fin, fin, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_CONFLICT, "fin", "fin_not_configured",
                       "the site's facility identification number (FIN) is not configured");
    return st;
}

cc_status lab_site_set_fin(db *d, const store_actor *actor, const char *fin, cc_error *err)
{
    if (!isbt128_fin_is_valid(fin))
        return cc_fail(err, CC_INVALID, "fin", "invalid_fin",
                       "a FIN is A-N, P-Z or 1-9 followed by 4 digits");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    int64_t configured = 0;
    st = sql_scalar(d, "SELECT COUNT(*) FROM lab_site WHERE id = 1", NULL, 0, &configured, err);
    /* the first FIN creates the one row: an update without a before image */
    sql_arg a[] = {SQL_S(fin), SQL_S(now)};
    audit_mutation m = {
        .action = "update",
        .entity = "lab_site",
        .id = configured ? 1 : 0,
        .image_sql = SITE_IMAGE,
        .change_sql =
            configured
                ? "UPDATE lab_site SET fin = ?, version = version + 1, updated_at = ? WHERE id = 1"
                : "INSERT INTO lab_site (id, fin, version, updated_at) VALUES (1, ?, 1, ?)"
                  " RETURNING id",
        .args = a,
        .n = N(a)};
    if (st == CC_OK)
        st = audit_mutate(d, actor, &m, err);
    return db_tx_end(d, st, err);
}

static cc_status check_address(const char *address, cc_error *err)
{
    int lines = 1;
    for (const char *c = address; *c; c++)
        lines += *c == '\n';
    if (!text_is_clean_utf8(address, strlen(address), true) || text_codepoints(address) > 300 ||
        lines > LAB_FACILITY_ADDRESS_LINES)
        return cc_fail(err, CC_INVALID, "facility_address", "invalid_value",
                       "the address is at most %d lines and 300 characters of plain text",
                       LAB_FACILITY_ADDRESS_LINES);
    return CC_OK;
}

cc_status lab_site_set_facility(db *d, const store_actor *actor, const char *name,
                                const char *address, const char *language, cc_error *err)
{
    cc_status st = name ? text_check_line(name, "facility_name", 120, false, err) : CC_OK;
    if (st == CC_OK && address)
        st = check_address(address, err);
    if (st == CC_OK && language && strcmp(language, "en") != 0 && strcmp(language, "fr") != 0)
        st = cc_fail(err, CC_INVALID, "label_language", "invalid_value",
                     "the label language is en or fr");
    if (st != CC_OK || (st = db_tx_begin(d, err)) != CC_OK)
        return st;
    int64_t configured = 0;
    st = sql_scalar(d, "SELECT COUNT(*) FROM lab_site WHERE id = 1", NULL, 0, &configured, err);
    if (st == CC_OK && !configured)
        st = cc_fail(err, CC_CONFLICT, "fin", "fin_not_configured",
                     "set the site's facility identification number (FIN) first");
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(name), SQL_S(address), SQL_S(language), SQL_S(now)};
    audit_mutation m = {.action = "update",
                        .entity = "lab_site",
                        .id = 1,
                        .image_sql = SITE_IMAGE,
                        .change_sql =
                            "UPDATE lab_site SET facility_name = COALESCE(?, facility_name),"
                            " facility_address = COALESCE(?, facility_address),"
                            " label_language = COALESCE(?, label_language),"
                            " version = version + 1, updated_at = ? WHERE id = 1",
                        .args = a,
                        .n = N(a)};
    if (st == CC_OK)
        st = audit_mutate(d, actor, &m, err);
    return db_tx_end(d, st, err);
}

cc_status lab_site_json(db *d, buf *out, cc_error *err)
{
    buf_puts(out, "{\"site\":");
    cc_status st = sql_rows_json(d,
                                 "SELECT fin, facility_name, facility_address, label_language,"
                                 " version, updated_at FROM lab_site WHERE id = 1",
                                 NULL, 0, true, out, err);
    if (st != CC_OK)
        return st;
    buf_puts(out, ",\"product_codes\":");
    st = sql_rows_json(d,
                       "SELECT id, code, product_type, description, active, created_at"
                       " FROM lab_product_codes ORDER BY code",
                       NULL, 0, false, out, err);
    buf_putc(out, '}');
    return st;
}

cc_status lab_product_code_add(db *d, const store_actor *actor, const char *code,
                               const char *product_type, const char *description, int64_t *id,
                               cc_error *err)
{
    if (!isbt128_pdc_is_valid(code))
        return cc_fail(err, CC_INVALID, "code", "invalid_product_code",
                       "a product description code is one letter A-Z and 4 letters or digits");
    if (!lab_product_type_is_valid(product_type))
        return cc_fail(err, CC_INVALID, "product_type", "invalid_value", "unknown product type");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t existing;
    sql_arg k[] = {SQL_S(code)};
    st = sql_scalar(d, "SELECT id FROM lab_product_codes WHERE code = ?", k, 1, &existing, err);
    if (st == CC_OK && existing)
        st = cc_fail(err, CC_CONFLICT, "code", "duplicate", "product code %s is already configured",
                     code);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(code), SQL_S(product_type), SQL_S(description ? description : ""),
                   SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &CODE,
                          "INSERT INTO lab_product_codes (code, product_type, description, active,"
                          " created_at) VALUES (?, ?, ?, 1, ?) RETURNING id",
                          a, N(a), NULL, id, err);
    return db_tx_end(d, st, err);
}

cc_status lab_product_code_set_active(db *d, const store_actor *actor, int64_t id, bool active,
                                      cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = sql_require_id(d, "SELECT id FROM lab_product_codes WHERE id = ?", id, "id",
                        "product code", err);
    sql_arg a[] = {SQL_I(active), SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &CODE, "update", id,
                          "UPDATE lab_product_codes SET active = ? WHERE id = ?", a, N(a), NULL,
                          err);
    return db_tx_end(d, st, err);
}

cc_status lab_din_allocate(db *d, const store_actor *actor, const char *fin, int year,
                           isbt128_din *out, cc_error *err)
{
    if (!isbt128_fin_is_valid(fin))
        return cc_fail(err, CC_INVALID, "facility", "invalid_fin",
                       "a FIN is A-N, P-Z or 1-9 followed by 4 digits");
    if (year < 0 || year > 99)
        return cc_fail(err, CC_INVALID, "year", "invalid_value", "year must be 00 to 99");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char name[32];
    snprintf(name, sizeof name, "din:%s:%02d", fin, year);
    int64_t seq = 0;
    st = counter_next(d, name, &seq, err);
    if (st == CC_OK && seq > ISBT128_MAX_SEQUENCE)
        st = cc_fail(err, CC_CONFLICT, "year", "din_exhausted",
                     "no sequence numbers left for %s in year %02d", fin, year);
    if (st == CC_OK)
        st = isbt128_make(fin, year, (uint32_t)seq, NULL, out, err);
    if (st == CC_OK) {
        char after[96], keyed[ISBT128_KEYED_TEXT];
        isbt128_format_keyed(out, keyed);
        snprintf(after, sizeof after, "{\"din\":\"%s\",\"counter\":\"%s\"}", keyed, name);
        audit_change ch = {"allocate", "din", seq, NULL, after, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    return db_tx_end(d, st, err);
}

/* ---- donors ---- */

cc_status lab_donor_create(db *d, const store_actor *actor, const lab_donor_fields *f, int64_t *id,
                           cc_error *err)
{
    bool autologous = f->kind && strcmp(f->kind, "autologous") == 0;
    if (!f->kind || (!autologous && strcmp(f->kind, "allogeneic") != 0))
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind must be allogeneic or autologous");
    if (autologous != (f->patient_id > 0))
        return cc_fail(err, CC_INVALID, "patient_id", autologous ? "required" : "unexpected",
                       autologous ? "an autologous donor is the patient: give patient_id"
                                  : "an allogeneic donor is anonymous: no patient_id");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    if (autologous)
        st = sql_require_id(d, "SELECT id FROM patients WHERE id = ?", f->patient_id, "patient_id",
                            "patient", err);
    char code[32];
    if (st == CC_OK && f->code) {
        snprintf(code, sizeof code, "%s", f->code);
        int64_t existing;
        sql_arg k[] = {SQL_S(code)};
        st = sql_scalar(d, "SELECT id FROM donors WHERE code = ?", k, 1, &existing, err);
        if (st == CC_OK && existing)
            st = cc_fail(err, CC_CONFLICT, "code", "duplicate", "donor code %s exists", code);
    } else if (st == CC_OK) {
        int64_t seq = 0;
        st = counter_next(d, "donor", &seq, err);
        snprintf(code, sizeof code, "DN%06lld", (long long)seq);
    }
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(code),
                   SQL_S(f->kind),
                   SQL_ID(f->patient_id),
                   f->consent_date ? SQL_S(f->consent_date) : SQL_N,
                   SQL_S(f->consent_reference ? f->consent_reference : ""),
                   SQL_I(f->synthetic ? 1 : 0),
                   SQL_S(now),
                   SQL_S(now),
                   SQL_I(f->site_id > 0 ? f->site_id : 1)};
    if (st == CC_OK)
        st = audit_create(d, actor, &DONOR,
                          "INSERT INTO donors (code, kind, patient_id, consent_date,"
                          " consent_reference, eligibility, synthetic, version, created_at,"
                          " updated_at, site_id) VALUES (?, ?, ?, ?, ?, 'incomplete', ?, 1, ?, ?,"
                          " ?) RETURNING id",
                          a, N(a), NULL, id, err);
    return db_tx_end(d, st, err);
}

typedef struct {
    char *eligibility; /* 16 bytes */
    int64_t *version;
    bool *consent;
} donor_read;

static cc_status read_donor_state(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    donor_read *r = ctx;
    snprintf(r->eligibility, 16, "%s", db_col_text(row, 0));
    *r->version = db_col_int(row, 1);
    *r->consent = !db_col_is_null(row, 2);
    return CC_OK;
}

/* Eligibility and version of a donor; CC_NOT_FOUND when absent. */
static cc_status donor_state(db *d, int64_t id, char eligibility[16], int64_t *version,
                             bool *consent, cc_error *err)
{
    donor_read r = {eligibility, version, consent};
    sql_arg a[] = {SQL_I(id)};
    cc_status st =
        sql_first(d, "SELECT eligibility, version, consent_date FROM donors WHERE id = ?", a, N(a),
                  read_donor_state, &r, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no donor with id %lld",
                       (long long)id);
    return st;
}

/* Begins the write transaction and reads the donor's state inside it; on
 * failure no transaction is left open. */
static cc_status begin_on_donor(db *d, int64_t id, char eligibility[16], int64_t *version,
                                bool *consent, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = donor_state(d, id, eligibility, version, consent, err);
    return st == CC_OK ? st : db_tx_end(d, st, err);
}

static bool is_signed(const char *eligibility)
{
    return strcmp(eligibility, "incomplete") != 0;
}

cc_status lab_donor_set_consent(db *d, const store_actor *actor, int64_t id, int64_t version,
                                const char *consent_date, const char *consent_reference,
                                const char *reason, cc_error *err)
{
    char elig[16];
    int64_t cur_version = 0;
    bool consent;
    cc_status st = begin_on_donor(d, id, elig, &cur_version, &consent, err);
    if (st != CC_OK)
        return st;
    if (cur_version != version)
        st = cc_fail(err, CC_CONFLICT, "version", "version_conflict",
                     "the donor was changed by someone else (version %lld, you had %lld)",
                     (long long)cur_version, (long long)version);
    if (st == CC_OK)
        st = audit_require_reason(is_signed(elig), reason, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_S(consent_date), SQL_S(consent_reference ? consent_reference : ""),
                   SQL_S(now), SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &DONOR, "update", id,
                          "UPDATE donors SET consent_date = ?, consent_reference = ?,"
                          " eligibility = 'incomplete', eligibility_by = NULL,"
                          " eligibility_at = NULL, updated_at = ?, version = version + 1"
                          " WHERE id = ?",
                          a, N(a), reason, err);
    return db_tx_end(d, st, err);
}

cc_status lab_donor_add_test(db *d, const store_actor *actor, int64_t donor_id, const char *test,
                             const char *result, const char *sampled_on, const char *reason,
                             int64_t *id, cc_error *err)
{
    if (donor_marker_index(test) < 0)
        return cc_fail(err, CC_INVALID, "test", "invalid_value",
                       "test must be one of hbsag, anti-hbc, anti-hcv, anti-hiv-1-2, syphilis,"
                       " htlv-1-2, nat-hiv, nat-hcv, nat-hbv, cmv");
    if (!donor_result_is_valid(result))
        return cc_fail(err, CC_INVALID, "result", "invalid_value",
                       "result must be negative, positive or indeterminate");
    char elig[16];
    int64_t version;
    bool consent;
    cc_status st = begin_on_donor(d, donor_id, elig, &version, &consent, err);
    if (st != CC_OK)
        return st;
    bool was_signed = is_signed(elig);
    st = audit_require_reason(was_signed, reason, err);
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(donor_id),        SQL_S(test), SQL_S(result), SQL_S(sampled_on),
                   SQL_S(actor->username), SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &TEST,
                          "INSERT INTO donor_tests (donor_id, test, result, sampled_on,"
                          " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          a, N(a), reason, id, err);
    sql_arg u[] = {SQL_S(now), SQL_I(donor_id)};
    if (st == CC_OK && was_signed) /* a signed determination no longer covers every result */
        st = lab_donor_reopen(d, actor, donor_id, reason, err);
    else if (st == CC_OK)
        st = sql_run(d, "UPDATE donors SET updated_at = ?, version = version + 1 WHERE id = ?", u,
                     N(u), NULL, err);
    return db_tx_end(d, st, err);
}

static cc_status read_screening(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    lab_donor_screening *out = ctx;
    /* keep the newest when overfull */
    size_t i = out->n_tests < LAB_MAX_SCREENING ? out->n_tests++ : LAB_MAX_SCREENING - 1;
    snprintf(out->texts[i][0], sizeof out->texts[i][0], "%s", db_col_text(row, 0));
    snprintf(out->texts[i][1], sizeof out->texts[i][1], "%s", db_col_text(row, 1));
    cc_date on = 0;
    date_parse(db_col_text(row, 2), "sampled_on", &on, NULL);
    out->tests[i] = (donor_result){out->texts[i][0], out->texts[i][1], on};
    return CC_OK;
}

static cc_status read_collected_on(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    lab_donor_screening *out = ctx;
    size_t i =
        out->n_collections < LAB_MAX_COLLECTIONS ? out->n_collections++ : LAB_MAX_COLLECTIONS - 1;
    out->collected_on[i] = 0;
    date_parse(db_col_text(row, 0), "collected_on", &out->collected_on[i], NULL);
    return CC_OK;
}

static cc_status read_kind(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    snprintf(ctx, 16, "%s", db_col_text(row, 0));
    return CC_OK;
}

cc_status lab_donor_screening_load(db *d, int64_t donor_id, lab_donor_screening *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t version;
    cc_status st = donor_state(d, donor_id, out->eligibility, &version, &out->consent, err);
    sql_arg a[] = {SQL_I(donor_id)};
    if (st == CC_OK)
        st = sql_first(d, "SELECT kind FROM donors WHERE id = ?", a, N(a), read_kind, out->kind,
                       err);
    if (st == CC_OK)
        st = sql_each(d,
                      "SELECT " MARKER_OF_TEST ", result, sampled_on FROM donor_tests"
                      " WHERE donor_id = ?"
                      " ORDER BY sampled_on, id",
                      a, N(a), read_screening, out, NULL, err);
    if (st == CC_OK)
        st = sql_each(d,
                      "SELECT collected_on FROM collections WHERE donor_id = ?"
                      " ORDER BY collected_on, id",
                      a, N(a), read_collected_on, out, NULL, err);
    if (st == CC_OK)
        st = lab_donor_panel_load(d, out->kind, &out->panel, err);
    return st;
}

cc_status lab_donor_reopen(db *d, const store_actor *actor, int64_t donor_id, const char *reason,
                           cc_error *err)
{
    char now[21];
    store_now_text(now);
    sql_arg u[] = {SQL_S(now), SQL_I(donor_id)};
    return audit_update(d, actor, &DONOR, "reopen_eligibility", donor_id,
                        "UPDATE donors SET eligibility = 'incomplete', eligibility_by = NULL,"
                        " eligibility_at = NULL, updated_at = ?, version = version + 1"
                        " WHERE id = ?",
                        u, N(u), reason, err);
}

/* ---- donor-testing panels ---- */

static cc_status read_panel(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    snprintf(ctx, DONOR_PANEL_TEXT, "%s", db_col_text(row, 0));
    return CC_OK;
}

cc_status lab_donor_panel_load(db *d, const char *kind, donor_panel *out, cc_error *err)
{
    char text[DONOR_PANEL_TEXT];
    sql_arg a[] = {SQL_S(kind)};
    cc_status st = sql_first(d, "SELECT panel FROM donor_panels WHERE kind = ?", a, N(a),
                             read_panel, text, err);
    if (st == CC_NOT_FOUND) {
        donor_panel_default(kind, out);
        return CC_OK;
    }
    if (st == CC_OK && !donor_panel_parse(kind, text, out))
        st = cc_fail(err, CC_STORAGE, "panel", "bad_panel",
                     "the stored donor-testing panel of %s cannot be read", kind);
    return st;
}

static const char PANEL_IMAGE[] = "SELECT kind, panel, updated_at FROM donor_panels WHERE kind = ?";

cc_status lab_donor_panel_set(db *d, const store_actor *actor, const char *kind,
                              const donor_panel *p, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    char text[DONOR_PANEL_TEXT], now[21];
    donor_panel_format(p, text);
    store_now_text(now);
    buf before, after;
    buf_init(&before, 1024);
    buf_init(&after, 1024);
    sql_arg key[] = {SQL_S(kind)};
    st = sql_row_json(d, PANEL_IMAGE, key, 1, "kind", &before, err);
    bool existed = st == CC_OK;
    if (st == CC_NOT_FOUND) { /* the default until now: no before image */
        buf_reset(&before);
        buf_puts(&before, "null");
        st = CC_OK;
    }
    sql_arg a[] = {SQL_S(text), SQL_S(now), SQL_S(kind)};
    if (st == CC_OK)
        st =
            sql_run(d,
                    existed ? "UPDATE donor_panels SET panel = ?, updated_at = ? WHERE kind = ?"
                            : "INSERT INTO donor_panels (panel, updated_at, kind) VALUES (?, ?, ?)",
                    a, N(a), NULL, err);
    if (st == CC_OK)
        st = sql_row_json(d, PANEL_IMAGE, key, 1, "kind", &after, err);
    if (st == CC_OK && (buf_failed(&before) || buf_failed(&after)))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK) {
        audit_change ch = {"update", "donor_panel", 0, before.data, after.data, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    buf_release(&before);
    buf_release(&after);
    return db_tx_end(d, st, err);
}

cc_status lab_donor_record_decision(db *d, const store_actor *actor, int64_t donor_id,
                                    const char *decision, const char *reason, cc_error *err)
{
    char now[21];
    store_now_text(now);
    bool signs = strcmp(decision, "incomplete") != 0;
    sql_arg a[] = {SQL_S(decision),
                   SQL_S(reason ? reason : ""),
                   signs ? SQL_S(actor->username) : SQL_N,
                   signs ? SQL_S(now) : SQL_N,
                   SQL_S(now),
                   SQL_I(donor_id)};
    return audit_update(d, actor, &DONOR, "sign_eligibility", donor_id,
                        "UPDATE donors SET eligibility = ?, eligibility_reason = ?,"
                        " eligibility_by = ?, eligibility_at = ?, updated_at = ?,"
                        " version = version + 1 WHERE id = ?",
                        a, N(a), reason, err);
}

cc_status lab_donor_json(db *d, int64_t id, buf *out, cc_error *err)
{
    static const sql_json_list lists[] = {
        {"tests", "SELECT id, " MARKER_OF_TEST " AS test, test AS recorded_as, result, sampled_on,"
                  " recorded_by, recorded_at FROM donor_tests WHERE donor_id = ?"
                  " ORDER BY sampled_on, id"},
        {"collections", "SELECT id, donor_id, source, collected_on, volume_ml, mass_g, site,"
                        " created_at FROM collections WHERE donor_id = ? ORDER BY id"},
    };
    return sql_record_view(d, id, "donor",
                           "SELECT d.id, d.code, d.kind, d.patient_id, p.mrn AS patient_mrn,"
                           " d.consent_date, d.consent_reference, d.eligibility,"
                           " d.eligibility_reason, d.eligibility_by, d.eligibility_at,"
                           " d.synthetic, d.version, d.created_at, d.updated_at"
                           " FROM donors d LEFT JOIN patients p ON p.id = d.patient_id"
                           " WHERE d.id = ?",
                           lists, N(lists), out, err);
}

void lab_code_pattern(const char *q, char *out, size_t cap)
{
    char folded[128];
    text_fold(q ? q : "", folded, sizeof folded);
    size_t n = 0;
    if (cap < 3) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[n++] = '%';
    for (const char *p = folded; *p && n + 3 < cap; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (*p == '%' || *p == '_' || *p == '\\') /* typed, not wildcards: ESCAPE '\' */
            out[n++] = '\\';
        out[n++] = *p;
    }
    out[n++] = '%';
    out[n] = '\0';
}

cc_status lab_donor_list_json(db *d, int64_t site_id, const char *q, int64_t page, int64_t per_page,
                              buf *out, int64_t *total, cc_error *err)
{
    char pattern[132];
    lab_code_pattern(q, pattern, sizeof pattern);
    sql_arg a[] = {SQL_S(pattern), SQL_I(site_id)};
    sql_page_query pq = {
        .count_sql = "SELECT COUNT(*) FROM donors WHERE lower(replace(code, '-', '')) LIKE ?"
                     " ESCAPE '\\' AND site_id = ?",
        .sql = "SELECT id, code, kind, patient_id, consent_date, eligibility, synthetic,"
               " version, created_at FROM donors WHERE lower(replace(code, '-', '')) LIKE ?"
               " ESCAPE '\\' AND site_id = ? ORDER BY id DESC"
               " LIMIT ? OFFSET ?",
        .args = a,
        .n = N(a),
        .page = page,
        .per_page = per_page};
    return sql_page_json(d, &pq, out, total, err);
}

/* ---- collections ---- */

cc_status lab_collection_create(db *d, const store_actor *actor, const lab_collection_fields *f,
                                int64_t *id, cc_error *err)
{
    if (!lab_source_is_valid(f->source))
        return cc_fail(err, CC_INVALID, "source", "invalid_value",
                       "source must be cord-blood, cord-tissue, placenta, bone-marrow or adipose");
    char elig[16];
    int64_t version;
    bool consent;
    cc_status st = begin_on_donor(d, f->donor_id, elig, &version, &consent, err);
    if (st == CC_NOT_FOUND)
        snprintf(err->field, sizeof err->field, "donor_id");
    if (st != CC_OK)
        return st;
    char now[21];
    store_now_text(now);
    sql_arg a[] = {SQL_I(f->donor_id),
                   SQL_S(f->source),
                   SQL_S(f->collected_on),
                   f->volume_ml >= 0 ? SQL_D(f->volume_ml) : SQL_N,
                   f->mass_g >= 0 ? SQL_D(f->mass_g) : SQL_N,
                   SQL_S(f->site ? f->site : ""),
                   SQL_S(actor->username),
                   SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(
            d, actor, &COLLECTION,
            "INSERT INTO collections (donor_id, source, collected_on, volume_ml, mass_g, site,"
            " recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            a, N(a), NULL, id, err);
    return db_tx_end(d, st, err);
}

cc_status lab_collection_json(db *d, int64_t id, buf *out, cc_error *err)
{
    static const sql_json_list lists[] = {
        {"batches", "SELECT b.id, b.code, b.product_type, b.status FROM batches b"
                    " JOIN batch_collections bc ON bc.batch_id = b.id"
                    " WHERE bc.collection_id = ? ORDER BY b.id"},
    };
    return sql_record_view(d, id, "collection",
                           "SELECT c.id, c.donor_id, d.code AS donor_code, d.kind AS donor_kind,"
                           " d.eligibility AS donor_eligibility, c.source, c.collected_on,"
                           " c.volume_ml, c.mass_g, c.site, c.recorded_by, c.created_at"
                           " FROM collections c JOIN donors d ON d.id = c.donor_id WHERE c.id = ?",
                           lists, N(lists), out, err);
}

cc_status lab_collection_list_json(db *d, int64_t site_id, int64_t donor_id, const char *q,
                                   int64_t page, int64_t per_page, buf *out, int64_t *total,
                                   cc_error *err)
{
    char pattern[132];
    lab_code_pattern(q, pattern, sizeof pattern);
    sql_arg a[] = {SQL_I(site_id), SQL_I(donor_id), SQL_I(donor_id), SQL_S(pattern),
                   SQL_S(pattern)};
#define COLLECTION_FILTER                                                                          \
    " FROM collections c JOIN donors d ON d.id = c.donor_id WHERE d.site_id = ?"                   \
    " AND (? = 0 OR c.donor_id = ?)"                                                               \
    " AND (lower(replace(d.code, '-', '')) LIKE ? ESCAPE '\\'"                                     \
    " OR replace(c.collected_on, '-', '') LIKE ? ESCAPE '\\')"
    sql_page_query pq = {
        .count_sql = "SELECT COUNT(*)" COLLECTION_FILTER,
        .sql = "SELECT c.id, c.donor_id, d.code AS donor_code, c.source, c.collected_on,"
               " c.volume_ml, c.mass_g, c.site, c.created_at" COLLECTION_FILTER
               " ORDER BY c.id DESC LIMIT ? OFFSET ?",
        .args = a,
        .n = N(a),
        .page = page,
        .per_page = per_page};
#undef COLLECTION_FILTER
    return sql_page_json(d, &pq, out, total, err);
}
