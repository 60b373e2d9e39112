/*
 * deid (store): the rows of the de-identified export, as JSON
 * arrays (sql_rows_json shapes), selected so that no name, contact, address,
 * MRN, birth date or free text ever leaves the store through them: only
 * coded fields, numbers and dates (which the caller shifts per patient).
 *
 * Tables: "patients" (id, sex, birth_date for the age only, synthetic),
 * "plans", "visits", "observations" (scores only: answers may hold free
 * text), "administrations", "adverse_events" (coded fields only: the term
 * code of the bundled list, never the "other, specify" text; a site-defined
 * term leaves its source only, its code being whatever the site typed).
 * Only patients with a current research consent (the research_consented
 * view of the consent records, hazard H15) are in any table.
 * Read-only; the caller holds a read transaction.
 */
#ifndef CC_STORE_DEID_H
#define CC_STORE_DEID_H

#include <stdint.h>

#include "core/buf.h"
#include "store/db.h"

/* Appends the JSON array of table `name` to out, the patients of the sites
 * whose ids sites lists as ",1,3," (NULL or "": every site); CC_INVALID for
 * an unknown name. */
cc_status deid_store_rows(db *d, const char *sites, const char *name, buf *out, cc_error *err);

/* How many patients of those sites were left out for want of a current
 * research consent. */
cc_status deid_store_left_out(db *d, const char *sites, int64_t *n, cc_error *err);

#endif
