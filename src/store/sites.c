#include "store/sites.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/isbt128.h"
#include "core/text.h"
#include "store/sql.h"

#define SITE_COLUMNS                                                                               \
    "id, code, name, address, time_zone, language, fin, public_base_url, kind, version,"           \
    " created_at, updated_at"

static const audit_entity SITE = {"site", "SELECT " SITE_COLUMNS " FROM sites WHERE id = ?"};

static bool code_is_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 2 || n > SITE_CODE_MAX)
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* An IANA zone name the system's time zone database knows ("Europe/Paris",
 * "UTC"): its parts are letters, digits, '_', '+' and '-', never "..". */
static bool time_zone_is_known(const char *tz)
{
    size_t n = strlen(tz);
    if (n == 0 || n > SITE_TZ_MAX || tz[0] == '/' || tz[n - 1] == '/' || strstr(tz, "..") ||
        strstr(tz, "//"))
        return false;
    for (const char *p = tz; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '+' || *p == '-' || *p == '/'))
            return false;
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* The patient opens this address: a plain http(s) origin and path, so that
 * the link built on it ("<base>#/q/<token>") cannot be bent elsewhere. */
cc_status site_check_public_base_url(const char *url, cc_error *err)
{
    size_t n = strlen(url);
    const char *host = strncmp(url, "https://", 8) == 0  ? url + 8
                       : strncmp(url, "http://", 7) == 0 ? url + 7
                                                         : NULL;
    if (n == 0)
        return CC_OK;
    if (!host || !*host || *host == '/' || n > SITE_URL_MAX ||
        strpbrk(url, " \t\r\n\"'<>#?\\`") != NULL)
        return cc_fail(err, CC_INVALID, "public_base_url", "invalid_value",
                       "the public base URL is an http(s) address of at most %d characters, "
                       "without spaces, quotes, # or ?",
                       SITE_URL_MAX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return cc_fail(err, CC_INVALID, "public_base_url", "invalid_value",
                           "the public base URL is plain ASCII (encode other characters)");
    return CC_OK;
}

/* Stored ending in '/', so that "<base>#/q/<token>" opens the page itself. */
static const char *directory_url(const char *url, char out[SITE_URL_MAX + 2])
{
    if (!url)
        return NULL;
    size_t n = strlen(url);
    snprintf(out, SITE_URL_MAX + 2, "%s%s", url, n && url[n - 1] != '/' ? "/" : "");
    return out;
}

static const char *const KINDS[] = {"clinic", "hospital", "laboratory"};

static cc_status check_fields(const site_fields *f, bool create, cc_error *err)
{
    if (create && (!f->code || !f->code[0]))
        return cc_fail(err, CC_INVALID, "code", "required", "the site's code is required");
    if (f->code && !code_is_valid(f->code))
        return cc_fail(err, CC_INVALID, "code", "invalid_value",
                       "a site's code is 2 to %d capital letters or digits (PAR)", SITE_CODE_MAX);
    cc_status st = f->name || create
                       ? text_check_line(f->name ? f->name : "", "name", SITE_NAME_MAX, true, err)
                       : CC_OK;
    if (st == CC_OK && f->address && f->address[0])
        st = text_check_line(f->address, "address", SITE_ADDRESS_MAX, false, err);
    if (st != CC_OK)
        return st;
    if (f->time_zone && !time_zone_is_known(f->time_zone))
        return cc_fail(err, CC_INVALID, "time_zone", "invalid_value",
                       "the time zone is an IANA zone name such as Europe/Paris");
    if (f->language && strcmp(f->language, "en") != 0 && strcmp(f->language, "fr") != 0)
        return cc_fail(err, CC_INVALID, "language", "invalid_value", "the language is en or fr");
    if (f->fin && f->fin[0] && !isbt128_fin_is_valid(f->fin))
        return cc_fail(err, CC_INVALID, "fin", "invalid_fin",
                       "a FIN is A-N, P-Z or 1-9 followed by 4 digits");
    if (f->public_base_url && (st = site_check_public_base_url(f->public_base_url, err)) != CC_OK)
        return st;
    if (f->kind) {
        bool known = false;
        for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
            known = known || strcmp(f->kind, KINDS[i]) == 0;
        if (!known)
            return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                           "the kind is clinic, hospital or laboratory");
    }
    return CC_OK;
}

static cc_status code_free(db *d, const char *code, int64_t id, cc_error *err)
{
    int64_t other = 0;
    sql_arg a[] = {SQL_S(code), SQL_I(id)};
    cc_status st =
        sql_scalar(d, "SELECT COUNT(*) FROM sites WHERE code = ? AND id <> ?", a, 2, &other, err);
    if (st == CC_OK && other)
        st = cc_fail(err, CC_CONFLICT, "code", "duplicate", "another site has the code %s", code);
    return st;
}

cc_status site_create(db *d, const store_actor *actor, const site_fields *f, int64_t *id,
                      cc_error *err)
{
    cc_status st = check_fields(f, true, err);
    if (st != CC_OK)
        return st;
    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    st = code_free(d, f->code, 0, err);
    char now[CC_INSTANT_TEXT], url[SITE_URL_MAX + 2];
    store_now_text(now);
    const char *link = directory_url(f->public_base_url, url);
    sql_arg a[] = {SQL_S(f->code),
                   SQL_S(f->name),
                   SQL_S(f->address ? f->address : ""),
                   SQL_S(f->time_zone ? f->time_zone : "UTC"),
                   SQL_S(f->language ? f->language : "en"),
                   SQL_S(f->fin ? f->fin : ""),
                   SQL_S(link ? link : ""),
                   SQL_S(f->kind ? f->kind : "clinic"),
                   SQL_S(now),
                   SQL_S(now)};
    if (st == CC_OK)
        st = audit_create(d, actor, &SITE,
                          "INSERT INTO sites (code, name, address, time_zone, language, fin,"
                          " public_base_url, kind, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          a, SQL_COUNT(a), NULL, id, err);
    return db_tx_end(d, st, err);
}

/* expected_version NULL: the change applies to whatever version is stored. */
static cc_status update_site(db *d, const store_actor *actor, int64_t id,
                             const int64_t *expected_version, const site_fields *f, cc_error *err)
{
    cc_status st = check_fields(f, false, err);
    if (st != CC_OK)
        return st;
    if ((st = db_tx_begin(d, err)) != CC_OK)
        return st;
    int64_t version = 0;
    st = sql_scalar(d, "SELECT version FROM sites WHERE id = ?", (sql_arg[]){SQL_I(id)}, 1,
                    &version, err);
    if (st == CC_OK && version == 0)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no site with that id");
    if (st == CC_OK && expected_version && version != *expected_version)
        st = cc_fail(err, CC_CONFLICT, "version", "version_conflict",
                     "the site was changed by someone else (version %lld); reload it",
                     (long long)version);
    if (st == CC_OK && f->code)
        st = code_free(d, f->code, id, err);
    char now[CC_INSTANT_TEXT], url[SITE_URL_MAX + 2];
    store_now_text(now);
    sql_arg a[] = {SQL_S(f->code),
                   SQL_S(f->name),
                   SQL_S(f->address),
                   SQL_S(f->time_zone),
                   SQL_S(f->language),
                   SQL_S(f->fin),
                   SQL_S(directory_url(f->public_base_url, url)),
                   SQL_S(f->kind),
                   SQL_S(now),
                   SQL_I(id)};
    if (st == CC_OK)
        st = audit_update(d, actor, &SITE, "update", id,
                          "UPDATE sites SET code = COALESCE(?, code), name = COALESCE(?, name),"
                          " address = COALESCE(?, address), time_zone = COALESCE(?, time_zone),"
                          " language = COALESCE(?, language), fin = COALESCE(?, fin),"
                          " public_base_url = COALESCE(?, public_base_url),"
                          " kind = COALESCE(?, kind), version = version + 1, updated_at = ?"
                          " WHERE id = ?",
                          a, SQL_COUNT(a), NULL, err);
    return db_tx_end(d, st, err);
}

cc_status site_update(db *d, const store_actor *actor, int64_t id, int64_t expected_version,
                      const site_fields *f, cc_error *err)
{
    return update_site(d, actor, id, &expected_version, f, err);
}

cc_status site_update_latest(db *d, const store_actor *actor, int64_t id, const site_fields *f,
                             cc_error *err)
{
    return update_site(d, actor, id, NULL, f, err);
}

static cc_status read_identity(void *ctx, db_stmt *row, cc_error *err)
{
    site_identity *out = ctx;
    (void)err;
    snprintf(out->name, sizeof out->name, "%s", db_col_text(row, 0));
    snprintf(out->public_base_url, sizeof out->public_base_url, "%s", db_col_text(row, 1));
    return CC_OK;
}

cc_status site_identity_get(db *d, int64_t id, site_identity *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = sql_first(d, "SELECT name, public_base_url FROM sites WHERE id = ?",
                             (sql_arg[]){SQL_I(id)}, 1, read_identity, out, err);
    return st == CC_NOT_FOUND ? cc_fail(err, CC_NOT_FOUND, "site", "not_found", "no such site")
                              : st;
}

cc_status site_id_by_code(db *d, const char *code, const char *field, int64_t *id, cc_error *err)
{
    *id = 0;
    cc_status st = sql_scalar(d, "SELECT id FROM sites WHERE code = ?",
                              (sql_arg[]){SQL_S(code ? code : "")}, 1, id, err);
    if (st == CC_OK && *id == 0)
        st = cc_fail(err, CC_NOT_FOUND, field, "not_found", "no site with the code %s",
                     code ? code : "");
    return st;
}

/* Sites by code, each saying whether it is the session's; every one when
 * user_id is 0, else those the user may work in. */
static cc_status sites_json(db *d, int64_t user_id, int64_t current_site, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(current_site), SQL_I(user_id), SQL_I(user_id), SQL_I(user_id)};
    return sql_rows_json(d,
                         "SELECT s.id, s.code, s.name, s.address, s.time_zone, s.language, s.fin,"
                         " s.public_base_url, s.kind, s.version,"
                         " CASE WHEN s.id = ? THEN 1 ELSE 0 END AS current FROM sites s"
                         " WHERE ? = 0"
                         " OR s.id IN (SELECT site_id FROM user_sites WHERE user_id = ?)"
                         " OR EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.all_sites = 1)"
                         " ORDER BY s.code",
                         a, SQL_COUNT(a), false, out, err);
}

cc_status site_list_json(db *d, int64_t user_id, int64_t current_site, buf *out, cc_error *err)
{
    /* a user without an id has no sites, not every one */
    return sites_json(d, user_id > 0 ? user_id : -1, current_site, out, err);
}

cc_status site_all_json(db *d, int64_t current_site, buf *out, cc_error *err)
{
    return sites_json(d, 0, current_site, out, err);
}

cc_status site_memberships_json(db *d, int64_t user_id, buf *out, cc_error *err)
{
    int64_t all = -1;
    cc_status st = sql_scalar(d, "SELECT COALESCE(MAX(all_sites), -1) FROM users WHERE id = ?",
                              (sql_arg[]){SQL_I(user_id)}, 1, &all, err);
    if (st != CC_OK)
        return st;
    if (all < 0)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no such user");
    buf_puts(out, "{\"all_sites\":");
    buf_puts(out, all ? "true" : "false");
    buf_puts(out, ",\"sites\":");
    st = sql_rows_json(d,
                       "SELECT s.code, s.name FROM user_sites m JOIN sites s ON s.id = m.site_id"
                       " WHERE m.user_id = ? ORDER BY s.code",
                       (sql_arg[]){SQL_I(user_id)}, 1, false, out, err);
    buf_putc(out, '}');
    return st;
}

cc_status site_json(db *d, int64_t id, buf *out, cc_error *err)
{
    return sql_row_json(d, "SELECT " SITE_COLUMNS " FROM sites WHERE id = ?",
                        (sql_arg[]){SQL_I(id)}, 1, "site", out, err);
}

cc_status site_user_may_work(db *d, int64_t user_id, int64_t site_id, bool *ok, cc_error *err)
{
    int64_t n = 0;
    sql_arg a[] = {SQL_I(site_id), SQL_I(user_id), SQL_I(site_id), SQL_I(user_id)};
    cc_status st =
        sql_scalar(d,
                   "SELECT COUNT(*) FROM sites s WHERE s.id = ? AND ("
                   " EXISTS (SELECT 1 FROM user_sites m"
                   "  WHERE m.user_id = ? AND m.site_id = ?)"
                   " OR EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.all_sites = 1))",
                   a, SQL_COUNT(a), &n, err);
    *ok = st == CC_OK && n > 0;
    return st;
}

cc_status site_first_of_user(db *d, int64_t user_id, int64_t *site_id, cc_error *err)
{
    *site_id = 0;
    return sql_scalar(d, "SELECT " SITE_FIRST_OF_USER_SQL("?"), (sql_arg[]){SQL_I(user_id)}, 1,
                      site_id, err);
}

cc_status site_check_switch(db *d, int64_t user_id, const char *code, int64_t *id, cc_error *err)
{
    bool ok = false;
    cc_status st = site_id_by_code(d, code, "site", id, err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_INVALID, "site", "invalid_value", "no site with the code %s",
                     code ? code : "");
    if (st == CC_OK)
        st = site_user_may_work(d, user_id, *id, &ok, err);
    if (st == CC_OK && !ok)
        st = cc_fail(err, CC_INVALID, "site", "not_member", "you are not a member of the site %s",
                     code);
    return st;
}

cc_status site_session_switch(db *d, const store_actor *actor, int64_t session_id, int64_t user_id,
                              const char *code, int64_t *site_id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t id = 0;
    st = site_check_switch(d, user_id, code, &id, err);
    sql_arg a[] = {SQL_I(id), SQL_I(session_id), SQL_I(user_id)};
    int64_t changed = 0;
    if (st == CC_OK)
        st = sql_run(d, "UPDATE sessions SET site_id = ? WHERE id = ? AND user_id = ? RETURNING id",
                     a, SQL_COUNT(a), &changed, err);
    char after[96];
    snprintf(after, sizeof after, "{\"site_id\":%lld,\"site\":\"%s\"}", (long long)id,
             st == CC_OK ? code : "");
    audit_change ch = {"switch_site", "session", session_id, NULL, after, NULL};
    if (st == CC_OK)
        st = audit_append(d, actor, &ch, err);
    if (st == CC_OK)
        *site_id = id;
    return db_tx_end(d, st, err);
}

static cc_status add_membership(db *d, int64_t user_id, int64_t site_id, cc_error *err)
{
    sql_arg a[] = {SQL_I(user_id), SQL_I(site_id)};
    return sql_run(d,
                   "INSERT INTO user_sites (user_id, site_id) VALUES (?, ?)"
                   " ON CONFLICT (user_id, site_id) DO NOTHING",
                   a, SQL_COUNT(a), NULL, err);
}

cc_status site_user_join(db *d, const store_actor *actor, int64_t user_id, int64_t site_id,
                         cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = add_membership(d, user_id, site_id, err);
    char after[64];
    snprintf(after, sizeof after, "{\"site_id\":%lld}", (long long)site_id);
    audit_change ch = {"join_site", "user", user_id, NULL, after, NULL};
    if (st == CC_OK)
        st = audit_append(d, actor, &ch, err);
    return db_tx_end(d, st, err);
}

cc_status site_user_memberships_set(db *d, const store_actor *actor, int64_t user_id,
                                    const char *const *codes, size_t n, bool all_sites,
                                    cc_error *err)
{
    if (n == 0)
        return cc_fail(err, CC_INVALID, "sites", "required",
                       "a user is a member of at least one site");
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    buf before, after;
    buf_init(&before, 1 << 16);
    buf_init(&after, 1 << 16);
    st = audit_row_json(d, "SELECT id, username, role, all_sites FROM users WHERE id = ?", user_id,
                        &before, err);
    if (st == CC_OK && strcmp(before.data, "null") == 0)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no user with that id");
    int64_t privileged = 0;
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM users WHERE id = ? AND role IN ('admin', 'qa')",
                        (sql_arg[]){SQL_I(user_id)}, 1, &privileged, err);
    if (st == CC_OK && all_sites && !privileged)
        st = cc_fail(err, CC_INVALID, "all_sites", "invalid_value",
                     "only admin and qa accounts may work in every site");
    if (st == CC_OK)
        st = sql_run(d, "DELETE FROM user_sites WHERE user_id = ?", (sql_arg[]){SQL_I(user_id)}, 1,
                     NULL, err);
    buf_puts(&after, "{\"all_sites\":");
    buf_puts(&after, all_sites ? "true" : "false");
    buf_puts(&after, ",\"sites\":[");
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        int64_t site = 0;
        st = site_id_by_code(d, codes[i], "sites", &site, err);
        if (st == CC_NOT_FOUND)
            st = cc_fail(err, CC_INVALID, "sites", "invalid_value", "no site with the code %s",
                         codes[i] ? codes[i] : "");
        if (st == CC_OK)
            st = add_membership(d, user_id, site, err);
        if (i)
            buf_putc(&after, ',');
        buf_json_string(&after, codes[i] ? codes[i] : "");
    }
    buf_puts(&after, "]}");
    sql_arg a[] = {SQL_I(all_sites), SQL_I(user_id)};
    if (st == CC_OK)
        st = sql_run(d, "UPDATE users SET all_sites = ? WHERE id = ?", a, 2, NULL, err);
    if (st == CC_OK && (buf_failed(&before) || buf_failed(&after)))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    audit_change ch = {"set_sites", "user", user_id, before.data, after.data, NULL};
    if (st == CC_OK)
        st = audit_append(d, actor, &ch, err);
    buf_release(&before);
    buf_release(&after);
    return db_tx_end(d, st, err);
}

static const char *const OWNER_SQL[] = {
    [SITE_PATIENT] = "SELECT COUNT(*) FROM patients WHERE id = ? AND site_id = ?",
    [SITE_PLAN] = "SELECT COUNT(*) FROM plans WHERE id = ? AND site_id = ?",
    [SITE_ADMINISTRATION] = "SELECT COUNT(*) FROM administrations WHERE id = ? AND site_id = ?",
    [SITE_DONOR] = "SELECT COUNT(*) FROM donors WHERE id = ? AND site_id = ?",
    [SITE_BATCH] = "SELECT COUNT(*) FROM batches WHERE id = ? AND site_id = ?",
    [SITE_UNIT] = "SELECT COUNT(*) FROM units WHERE id = ? AND (site_id = ? OR"
                  " shipped_to_site_id = ?)",
    [SITE_SCREENING] = "SELECT COUNT(*) FROM screenings s JOIN patients p ON p.id = s.patient_id"
                       " WHERE s.id = ? AND p.site_id = ?",
    [SITE_ADVERSE_EVENT] = "SELECT COUNT(*) FROM adverse_events e JOIN patients p"
                           " ON p.id = e.patient_id WHERE e.id = ? AND p.site_id = ?",
    [SITE_FOLLOWUP_VISIT] = "SELECT COUNT(*) FROM followup_visits v JOIN plans p"
                            " ON p.id = v.plan_id WHERE v.id = ? AND p.site_id = ?",
    [SITE_COLLECTION] = "SELECT COUNT(*) FROM collections c JOIN donors d ON d.id = c.donor_id"
                        " WHERE c.id = ? AND d.site_id = ?",
};

static const char *const OWNER_NAME[] = {
    [SITE_PATIENT] = "patient",
    [SITE_PLAN] = "plan",
    [SITE_ADMINISTRATION] = "administration",
    [SITE_DONOR] = "donor",
    [SITE_BATCH] = "batch",
    [SITE_UNIT] = "unit",
    [SITE_SCREENING] = "screening",
    [SITE_ADVERSE_EVENT] = "adverse event",
    [SITE_FOLLOWUP_VISIT] = "follow-up visit",
    [SITE_COLLECTION] = "collection",
};

cc_status site_owns(db *d, site_record kind, int64_t id, int64_t site_id, const char *field,
                    cc_error *err)
{
    int64_t n = 0;
    sql_arg a[] = {SQL_I(id), SQL_I(site_id), SQL_I(site_id)};
    cc_status st = sql_scalar(d, OWNER_SQL[kind], a, kind == SITE_UNIT ? 3 : 2, &n, err);
    if (st == CC_OK && n == 0)
        st = cc_fail(err, CC_NOT_FOUND, field, "not_found", "no %s with that id", OWNER_NAME[kind]);
    return st;
}

enum { SITE_POOL_MAX = 256 };

typedef struct {
    arena *a;
    site_ref *sites;
    bool *may;
    size_t n;
} pool_read;

static cc_status read_pool_row(void *ctx, db_stmt *row, cc_error *err)
{
    pool_read *p = ctx;
    if (p->n >= SITE_POOL_MAX)
        return cc_fail(err, CC_INTERNAL, "sites", "too_many", "more than %d sites", SITE_POOL_MAX);
    p->sites[p->n] = (site_ref){db_col_int(row, 0), arena_strdup(p->a, db_col_text(row, 1)),
                                arena_strdup(p->a, db_col_text(row, 2))};
    p->may[p->n++] = db_col_int(row, 3) != 0;
    return CC_OK;
}

/* Whether code is one of the comma-separated codes of spec. */
static bool spec_names(const char *spec, const char *code)
{
    size_t len = strlen(code);
    for (const char *at = spec; at && *at;) {
        const char *comma = strchr(at, ',');
        size_t n = comma ? (size_t)(comma - at) : strlen(at);
        if (n == len && strncmp(at, code, n) == 0)
            return true;
        at = comma ? comma + 1 : NULL;
    }
    return false;
}

cc_status site_pool(db *d, arena *a, int64_t user_id, int64_t current_site, const char *spec,
                    site_ref **out, size_t *n, cc_error *err)
{
    *out = NULL;
    *n = 0;
    pool_read p = {a, arena_alloc(a, SITE_POOL_MAX * sizeof(site_ref)),
                   arena_alloc(a, SITE_POOL_MAX * sizeof(bool)), 0};
    if (!p.sites || !p.may)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    sql_arg args[] = {SQL_I(user_id), SQL_I(user_id), SQL_I(user_id)};
    cc_status st = sql_each(d,
                            "SELECT s.id, s.code, s.name, CASE WHEN ? = 0"
                            " OR EXISTS (SELECT 1 FROM user_sites m WHERE m.user_id = ?"
                            "  AND m.site_id = s.id)"
                            " OR EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.all_sites = 1)"
                            " THEN 1 ELSE 0 END FROM sites s ORDER BY s.code",
                            args, SQL_COUNT(args), read_pool_row, &p, NULL, err);
    if (st != CC_OK)
        return st;
    bool all = spec && strcmp(spec, "all") == 0, current = !spec || !*spec;
    size_t kept = 0, refused = 0, asked = 0;
    for (size_t i = 0; i < p.n; i++) {
        bool want =
            current ? p.sites[i].id == current_site : all || spec_names(spec, p.sites[i].code);
        asked += !current && !all && want;
        if (want && (p.may[i] || current))
            p.sites[kept++] = p.sites[i];
        else if (want && !all)
            refused++;
    }
    size_t codes = 0; /* a code no site has, or one named twice, is refused as well */
    for (const char *at = current || all ? NULL : spec; at; codes++) {
        const char *comma = strchr(at, ',');
        at = comma ? comma + 1 : NULL;
    }
    if (refused || codes != asked || kept == 0)
        return cc_fail(err, CC_INVALID, "sites", "unknown_site",
                       "sites: codes of sites you work in, separated by commas, or all");
    *out = p.sites;
    *n = kept;
    return CC_OK;
}
