/*
 * clinic_site (store): the clinic's own name and the public base URL its
 * patients open (questionnaire links and their QR codes), one row (id 1)
 * created by the schema, changed by the administrator with its audit entry.
 *
 * clinic_site_get fills *out (texts "" when never set). clinic_site_set
 * checks and stores the fields given (NULL: unchanged): name a line of at
 * most 120 characters; public_base_url "" (not configured) or an http(s)
 * address of at most 200 bytes without spaces, quotes, '#' or '?', stored
 * ending in '/'. CC_INVALID names the field. It joins the caller's
 * transaction if any. clinic_site_json appends {"name", "public_base_url",
 * "version", "updated_at"}. Not thread-safe (one db each).
 */
#ifndef CC_STORE_CLINIC_SITE_H
#define CC_STORE_CLINIC_SITE_H

#include "core/buf.h"
#include "store/audit.h"
#include "store/db.h"

enum { CLINIC_NAME_MAX = 480, CLINIC_URL_MAX = 200 };

typedef struct {
    char name[CLINIC_NAME_MAX + 1];
    char public_base_url[CLINIC_URL_MAX + 2];
} clinic_site;

cc_status clinic_site_get(db *d, clinic_site *out, cc_error *err);
cc_status clinic_site_set(db *d, const store_actor *actor, const char *name,
                          const char *public_base_url, cc_error *err);
cc_status clinic_site_json(db *d, buf *out, cc_error *err);
/* "" or a public base URL as clinic_site_set accepts it (field "public_base_url"). */
cc_status clinic_site_check_url(const char *url, cc_error *err);

#endif
