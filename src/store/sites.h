/*
 * sites (store): the clinics, hospitals and laboratories of one clinic group,
 * who works in which, and which site owns a record.
 *
 * A site has a short code printed on labels and worklists ("PAR": 2 to 8 of
 * A-Z and 0-9), a name, an address, an IANA time zone, a language ("en" or
 * "fr"), the ISBT 128 facility identification number of its laboratory ("" or
 * 5 characters), the public base URL of its patients' links (questionnaire
 * links and their QR codes; the administrator's clinic settings set it with
 * the name) and a kind
 * (clinic, hospital or laboratory). Site 1 is the clinic of a database made
 * before sites existed. Patients, plans, administrations, donors, batches and
 * units belong to one site (their site_id); a unit in transit also names the
 * site it was shipped to.
 *
 * A user works in the sites they are members of (user_sites); an admin or qa
 * account with the all-sites grant may work in any. A session works in one
 * site at a time (sessions.site_id), so that any server process answers it
 * alike.
 *
 * Errors: CC_INVALID naming the field, CC_NOT_FOUND (field "site" for a code,
 * "id" for an id), CC_CONFLICT "duplicate" for a code in use, "stale" for a
 * changed version. Every change writes its audit entry in its transaction
 * (joining the caller's if any). Not thread-safe (one db each).
 */
#ifndef CC_STORE_SITES_H
#define CC_STORE_SITES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/audit.h"
#include "store/db.h"

enum {
    SITE_CODE_MAX = 8,
    SITE_NAME_MAX = 120,
    SITE_ADDRESS_MAX = 240,
    SITE_TZ_MAX = 64,
    SITE_URL_MAX = 200
};

/* The fields of a site; NULL: unchanged (update) or the default (create:
 * code and name are required). */
typedef struct {
    const char *code, *name, *address, *time_zone, *language, *fin, *public_base_url, *kind;
} site_fields;

cc_status site_create(db *d, const store_actor *actor, const site_fields *f, int64_t *id,
                      cc_error *err);
cc_status site_update(db *d, const store_actor *actor, int64_t id, int64_t expected_version,
                      const site_fields *f, cc_error *err);
/* The same whatever the stored version (the clinic settings form, which
 * carries none: the last change wins). */
cc_status site_update_latest(db *d, const store_actor *actor, int64_t id, const site_fields *f,
                             cc_error *err);
/* "" or a public base URL as a site accepts it: an http(s) address of at
 * most SITE_URL_MAX bytes, plain ASCII, without spaces, quotes, '#' or '?'
 * (CC_INVALID field "public_base_url"). A site stores it ending in '/'. */
cc_status site_check_public_base_url(const char *url, cc_error *err);

/* What a patient's link names: the site's name and public base URL ("" when
 * not set). */
typedef struct {
    char name[SITE_NAME_MAX * 4 + 1];
    char public_base_url[SITE_URL_MAX + 2];
} site_identity;
/* CC_NOT_FOUND field "site" when no site has the id. */
cc_status site_identity_get(db *d, int64_t id, site_identity *out, cc_error *err);
/* The site of a code; CC_NOT_FOUND naming field when none. */
cc_status site_id_by_code(db *d, const char *code, const char *field, int64_t *id, cc_error *err);
/* Appends {"id","code","name",...,"current"} of every site the user may work
 * in (every site for the all-sites grant), by code, as a JSON array. */
cc_status site_list_json(db *d, int64_t user_id, int64_t current_site, buf *out, cc_error *err);
/* The same of every site of the group, whoever asks: where a unit may be
 * shipped, and the administrator's list. */
cc_status site_all_json(db *d, int64_t current_site, buf *out, cc_error *err);
/* {"all_sites":bool,"sites":[{"code","name"}]}: the user's memberships by
 * code (CC_NOT_FOUND field "id" for no such user). */
cc_status site_memberships_json(db *d, int64_t user_id, buf *out, cc_error *err);
/* One site as a JSON object (CC_NOT_FOUND field "id"). */
cc_status site_json(db *d, int64_t id, buf *out, cc_error *err);
/* Whether the user may work in the site (member, or the all-sites grant). */
cc_status site_user_may_work(db *d, int64_t user_id, int64_t site_id, bool *ok, cc_error *err);
/* The user's first site (lowest id of their memberships; 0 when none:
 * such a user sees no site's records). */
cc_status site_first_of_user(db *d, int64_t user_id, int64_t *site_id, cc_error *err);
/* The same as a scalar subquery on the user id column named, for a query
 * that reads the user anyway (a token's lookup: one statement instead of two). */
#define SITE_FIRST_OF_USER_SQL(user_column)                                                        \
    "(SELECT COALESCE(MIN(site_id), 0) FROM user_sites WHERE user_id = " user_column ")"

/* The site of code if the user may work there; CC_INVALID field "site"
 * otherwise (no such site, or not a member). */
cc_status site_check_switch(db *d, int64_t user_id, const char *code, int64_t *id, cc_error *err);
/* Moves a session to the site of code; refused (CC_INVALID field "site")
 * when the user may not work there. Audited as "switch_site" on the session. */
cc_status site_session_switch(db *d, const store_actor *actor, int64_t session_id, int64_t user_id,
                              const char *code, int64_t *site_id, cc_error *err);

/* Sets a user's memberships to the sites named by codes (at least one) and
 * the all-sites grant (only for admin and qa, field "all_sites"); one audit
 * entry "set_sites" on the user with the codes. */
cc_status site_user_memberships_set(db *d, const store_actor *actor, int64_t user_id,
                                    const char *const *codes, size_t n, bool all_sites,
                                    cc_error *err);
/* Adds one membership (no error when it is there): a new account joins its
 * creator's site. Audited as "join_site" on the user. */
cc_status site_user_join(db *d, const store_actor *actor, int64_t user_id, int64_t site_id,
                         cc_error *err);

/* A site as a report names it. */
typedef struct {
    int64_t id;
    const char *code, *name;
} site_ref;

/* The sites a report pools, by code, in arena memory: spec NULL or "" the
 * current site; "all" every site the user may work in (user_id 0, the
 * command line: every site); else codes separated by commas, each a site the
 * user may work in (CC_INVALID field "sites" otherwise, the same for a code
 * no site has, so that another site's existence does not show). */
cc_status site_pool(db *d, arena *a, int64_t user_id, int64_t current_site, const char *spec,
                    site_ref **out, size_t *n, cc_error *err);

/* The records a site owns. */
typedef enum {
    SITE_PATIENT,
    SITE_PLAN,
    SITE_ADMINISTRATION,
    SITE_DONOR,
    SITE_BATCH,
    SITE_UNIT,
    /* owned through their patient, plan or donor */
    SITE_SCREENING,
    SITE_ADVERSE_EVENT,
    SITE_FOLLOWUP_VISIT,
    SITE_COLLECTION,
} site_record;

/* CC_OK when site_id owns the record (a unit also while shipped to it; a
 * screening, adverse event, follow-up visit or collection through its
 * patient, plan or donor);
 * CC_NOT_FOUND naming field otherwise, the same as for a record that does
 * not exist, so that a record of another site does not show it exists. */
cc_status site_owns(db *d, site_record kind, int64_t id, int64_t site_id, const char *field,
                    cc_error *err);

#endif
