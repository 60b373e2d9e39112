/*
 * handler_steps: the steps most handlers take, each one call, so that a
 * handler reads as parse -> call the use case -> render.
 *
 * - api_get_record: a GET of one record by the id in its path.
 * - api_id_body / api_id_text_body: path parameter 0 as an id, then the body
 *   against its field table (json_check, or lab_check_body with its text
 *   rules). The id is checked first: an unknown path is 404 before the body
 *   is looked at.
 * - api_view_buf: a text buffer for a store JSON view that the request
 *   releases after the response (no buf_release in the handler).
 * - api_reply_id_view: one record's store view as the reply, with its ETag.
 * - api_page_begin / api_page_reply: a paged list view rendered into a
 *   request buffer, replied as {"items","page","per_page","total"}.
 * - api_reply_created: 201 with the Location of a new record.
 * - api_reply_bytes: a rendered file (PDF, PNG, CSV) as the reply.
 * - api_signed: the electronic signature check after the body check.
 * - api_etag: the ETag header "N" of a record's version.
 *
 * Errors: the failing step's status with err filled (CC_NOT_FOUND for a bad
 * id, CC_INVALID naming the field, CC_INTERNAL when memory runs out or a
 * view is not JSON). Memory lives in the request's arena. Not thread-safe:
 * one request per thread.
 */
#ifndef CC_HANDLER_STEPS_H
#define CC_HANDLER_STEPS_H

#include "api/json_in.h"
#include "api/request.h"
#include "api/signature.h"
#include "core/buf.h"

/* A store view of one record by id (lab_donor_json, administration_json...). */
typedef cc_status (*api_id_view_fn)(db *d, int64_t id, buf *out, cc_error *err);

/* Renders one record as the reply (reply_donor, reply_unit...). */
typedef cc_status (*api_reply_record_fn)(api_request *req, unsigned status, int64_t id,
                                         cc_error *err);

/* A GET of one record: path parameter 0 as the id, then reply(req, 200, id). */
cc_status api_get_record(api_request *req, api_reply_record_fn reply, cc_error *err);

/* api_param_id(req, 0) then json_check(req->body, fields). */
cc_status api_id_body(api_request *req, const json_field *fields, int64_t *id, cc_error *err);
/* api_param_id(req, 0) then lab_check_body(req->body, fields). */
cc_status api_id_text_body(api_request *req, const json_field *fields, int64_t *id, cc_error *err);

/* A buffer of at most max bytes released with the request; CC_INTERNAL when
 * the arena is full. */
cc_status api_view_buf(api_request *req, size_t max, buf **out, cc_error *err);

/* Replies status with view(id) parsed as JSON. With versioned non-NULL the
 * reply's versioned object (e.g. "donor") gives the ETag from its "version"
 * when it has one. */
cc_status api_reply_id_view(api_request *req, unsigned status, api_id_view_fn view, int64_t id,
                            const char *versioned, cc_error *err);

/* A store view of one record by id that names only the given site's
 * patients (lab_unit_json). */
typedef cc_status (*api_site_view_fn)(db *d, int64_t site_id, int64_t id, buf *out, cc_error *err);
/* api_reply_id_view for such a view, seen from the session's site. */
cc_status api_reply_site_view(api_request *req, unsigned status, api_site_view_fn view, int64_t id,
                              const char *versioned, cc_error *err);

/* One page of a list: the page and per_page query arguments and a buffer
 * (released with the request) for the view to render rows into and count
 * total. */
typedef struct {
    int64_t page, per_page, total;
    buf *rows;
} api_page;

/* api_paging, then the rows buffer; total 0. */
cc_status api_page_begin(api_request *req, api_page *p, cc_error *err);
/* With st CC_OK replies 200 with {"items": rows, "page", "per_page",
 * "total"}; returns st otherwise, so the view call and its reply chain. */
cc_status api_page_reply(api_request *req, cc_status st, const api_page *p, cc_error *err);

/* With st CC_OK: Location collection/id, then reply(req, 201, id); returns
 * st otherwise. collection is a path such as "/api/v1/donors". */
cc_status api_reply_created(api_request *req, cc_status st, const char *collection, int64_t id,
                            api_reply_record_fn reply, cc_error *err);

/* With st CC_OK replies 200 with the bytes of b (copied into the arena) as
 * content_type; CC_INTERNAL when the arena is full. Returns st otherwise. */
cc_status api_reply_bytes(api_request *req, cc_status st, const char *content_type, const buf *b,
                          cc_error *err);

/* With st CC_OK checks the body's "password" as the caller's electronic
 * signature (api_check_signature_forbidden: a wrong one is 403); returns st
 * otherwise. */
cc_status api_signed(api_request *req, cc_status st, cc_error *err);

/* Adds the header ETag: "version". */
void api_etag(api_request *req, int64_t version);

#endif
