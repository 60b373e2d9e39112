/*
 * lab_api: helpers shared by the laboratory handlers (h_lab_site.c,
 * h_donors.c, h_collections.c, h_batches.c, h_units.c, h_lookback.c).
 *
 * They turn the store's JSON text views into replies, read typed values out
 * of a body already checked by json_check, and record due expiries (H3)
 * inside a write. Everything lives in the request's arena.
 */
#ifndef CC_LAB_API_H
#define CC_LAB_API_H

#include <stdint.h>

#include "api/json_in.h"
#include "api/request.h"
#include "core/buf.h"
#include "core/date.h"

enum { LAB_VIEW_MAX = 8 << 20 };

/* json_check, then text rules (text_is_clean_utf8): a field of at most 400
 * bytes is one line (no control or invisible formatting characters at all);
 * longer fields (notes, reasons, descriptions) may hold line breaks and tabs
 * but nothing else of those. */
cc_status lab_check_body(const json_t *body, const json_field *fields, cc_error *err);

/* Parses text (a store view) and replies with it; CC_INTERNAL when the text
 * is not JSON. */
cc_status lab_reply_text(api_request *req, unsigned status, const char *text, cc_error *err);
/* {"items": <text>, "page", "per_page", "total"} */
cc_status lab_reply_page(api_request *req, const char *items, int64_t page, int64_t per_page,
                         int64_t total, cc_error *err);

/* A date field: CC_INVALID naming it when malformed; *out untouched and
 * CC_OK when absent and not required. */
cc_status lab_body_date(const json_t *body, const char *name, bool required, cc_date *out,
                        cc_error *err);
/* A date field that is not after today: as lab_body_date, and CC_INVALID
 * code "in_future" naming it when it is later than today. */
cc_status lab_body_past_date(const json_t *body, const char *name, bool required, cc_error *err);
/* An id field (positive integer); 0 when absent and not required. */
cc_status lab_body_id(const json_t *body, const char *name, bool required, int64_t *out,
                      cc_error *err);
/* The patient a body names: by "patient_id" (a JSON integer, the record's
 * id) or by "patient_mrn" (the MRN text, as printed or scanned), never
 * both ("ambiguous_patient"): an MRN is never read as an id. 0 when
 * neither and not required; CC_NOT_FOUND "patient_mrn" for an unknown MRN. */
cc_status lab_body_patient(api_request *req, bool required, int64_t *out, cc_error *err);
/* A non-negative finite number field; -1 when absent. */
cc_status lab_body_amount(const json_t *body, const char *name, double max, double *out,
                          cc_error *err);
/* A query argument as a positive id; 0 when absent. */
cc_status lab_query_id(api_request *req, const char *name, int64_t *out, cc_error *err);
/* Requires text to be non-blank. */
cc_status lab_require_text(const char *text, const char *field, cc_error *err);

/* H3: records every due expiry (app_lab_expire_due), joining the
 * transaction of a write that is about to use units. Never from a read:
 * reads show the stored state, the server's timer and the unit use cases
 * record expiries. */
cc_status lab_expire_sweep(api_request *req, cc_error *err);

/* The ?format= argument: false for JSON (absent or "json"), true for "csv";
 * CC_INVALID otherwise. */
cc_status lab_wants_csv(api_request *req, bool *csv, cc_error *err);
/* Appends one CSV field (RFC 4180 quoting; a leading = + - @ is prefixed
 * with ' so spreadsheets do not run it). */
void lab_csv_field(buf *b, const char *text, bool last);
/* The ?lang= argument of a CSV export: *lang NULL without it (the stable
 * column names and codes); CC_INVALID (field "lang") when no catalogue has
 * that language. Ignored (NULL) for a JSON answer. */
cc_status lab_csv_language(api_request *req, bool csv, const char **lang, cc_error *err);
/* The catalogue's text of prefix+code in lang; code itself when lang or
 * prefix is NULL, code is empty or the catalogue lacks the key. The text is
 * the catalogue's (lives as long as the server) or code. */
const char *lab_csv_text(api_request *req, const char *lang, const char *prefix, const char *code);

#endif
