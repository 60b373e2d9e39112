#include "store/clinic_site.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

static const char IMAGE[] =
    "SELECT id, name, public_base_url, version, updated_at FROM clinic_site WHERE id = ?";

static cc_status read_row(void *ctx, db_stmt *row, cc_error *err)
{
    clinic_site *out = ctx;
    (void)err;
    snprintf(out->name, sizeof out->name, "%s", db_col_text(row, 0));
    snprintf(out->public_base_url, sizeof out->public_base_url, "%s", db_col_text(row, 1));
    return CC_OK;
}

cc_status clinic_site_get(db *d, clinic_site *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = sql_first(d, "SELECT name, public_base_url FROM clinic_site WHERE id = 1", NULL,
                             0, read_row, out, err);
    return st == CC_NOT_FOUND ? CC_OK : st;
}

/* The patient opens this address: a plain http(s) origin and path, so that
 * the link built on it ("<base>#/q/<token>") cannot be bent elsewhere. */
cc_status clinic_site_check_url(const char *url, cc_error *err)
{
    size_t n = strlen(url);
    const char *host = strncmp(url, "https://", 8) == 0  ? url + 8
                       : strncmp(url, "http://", 7) == 0 ? url + 7
                                                         : NULL;
    if (n == 0)
        return CC_OK;
    if (!host || !*host || *host == '/' || n > CLINIC_URL_MAX ||
        strpbrk(url, " \t\r\n\"'<>#?\\`") != NULL)
        return cc_fail(err, CC_INVALID, "public_base_url", "invalid_value",
                       "the public base URL is an http(s) address of at most %d characters, "
                       "without spaces, quotes, # or ?",
                       CLINIC_URL_MAX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return cc_fail(err, CC_INVALID, "public_base_url", "invalid_value",
                           "the public base URL is plain ASCII (encode other characters)");
    return CC_OK;
}

cc_status clinic_site_set(db *d, const store_actor *actor, const char *name,
                          const char *public_base_url, cc_error *err)
{
    cc_status st = name ? text_check_line(name, "name", 120, false, err) : CC_OK;
    if (st == CC_OK && public_base_url)
        st = clinic_site_check_url(public_base_url, err);
    if (st != CC_OK)
        return st;
    char url[CLINIC_URL_MAX + 2] = "";
    if (public_base_url) {
        size_t n = strlen(public_base_url);
        snprintf(url, sizeof url, "%s%s", public_base_url,
                 n && public_base_url[n - 1] != '/' ? "/" : "");
    }
    char now[CC_INSTANT_TEXT];
    store_now_text(now);
    sql_arg a[] = {SQL_S(name), SQL_S(public_base_url ? url : NULL), SQL_S(now)};
    audit_mutation m = {.action = "update",
                        .entity = "clinic_site",
                        .id = 1,
                        .image_sql = IMAGE,
                        .change_sql = "UPDATE clinic_site SET name = COALESCE(?, name),"
                                      " public_base_url = COALESCE(?, public_base_url),"
                                      " version = version + 1, updated_at = ? WHERE id = 1",
                        .args = a,
                        .n = SQL_COUNT(a)};
    return audit_mutate(d, actor, &m, err);
}

cc_status clinic_site_json(db *d, buf *out, cc_error *err)
{
    return sql_rows_json(d,
                         "SELECT name, public_base_url, version, updated_at FROM clinic_site"
                         " WHERE id = 1",
                         NULL, 0, true, out, err);
}
