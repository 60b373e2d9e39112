#include "handler_steps.h"

#include <string.h>

#include "api/lab_api.h"

cc_status api_get_record(api_request *req, api_reply_record_fn reply, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    return st == CC_OK ? reply(req, 200, id, err) : st;
}

cc_status api_id_body(api_request *req, const json_field *fields, int64_t *id, cc_error *err)
{
    cc_status st = api_param_id(req, 0, id, err);
    return st == CC_OK ? json_check(req->body, fields, err) : st;
}

cc_status api_id_text_body(api_request *req, const json_field *fields, int64_t *id, cc_error *err)
{
    cc_status st = api_param_id(req, 0, id, err);
    return st == CC_OK ? lab_check_body(req->body, fields, err) : st;
}

static void release_buf(void *b)
{
    buf_release(b);
}

cc_status api_view_buf(api_request *req, size_t max, buf **out, cc_error *err)
{
    buf *b = arena_alloc(req->arena, sizeof *b);
    if (!b)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    buf_init(b, max);
    if (arena_on_release(req->arena, release_buf, b) != 0) {
        buf_release(b);
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    }
    *out = b;
    return CC_OK;
}

/* The rendered view b as the reply, with its ETag. */
static cc_status reply_view(api_request *req, unsigned status, const buf *b, const char *versioned,
                            cc_error *err)
{
    cc_status st = lab_reply_text(req, status, b->data, err);
    json_t *version =
        versioned ? json_object_get(json_object_get(req->reply, versioned), "version") : NULL;
    if (st == CC_OK && version)
        api_etag(req, json_integer_value(version));
    return st;
}

cc_status api_reply_id_view(api_request *req, unsigned status, api_id_view_fn view, int64_t id,
                            const char *versioned, cc_error *err)
{
    buf *b;
    cc_status st = api_view_buf(req, LAB_VIEW_MAX, &b, err);
    if (st == CC_OK)
        st = view(req->db, id, b, err);
    return st == CC_OK ? reply_view(req, status, b, versioned, err) : st;
}

cc_status api_reply_site_view(api_request *req, unsigned status, api_site_view_fn view, int64_t id,
                              const char *versioned, cc_error *err)
{
    buf *b;
    cc_status st = api_view_buf(req, LAB_VIEW_MAX, &b, err);
    if (st == CC_OK)
        st = view(req->db, req->who.site_id, id, b, err);
    return st == CC_OK ? reply_view(req, status, b, versioned, err) : st;
}

cc_status api_page_begin(api_request *req, api_page *p, cc_error *err)
{
    p->total = 0;
    p->rows = NULL;
    cc_status st = api_paging(req, &p->page, &p->per_page, err);
    return st == CC_OK ? api_view_buf(req, LAB_VIEW_MAX, &p->rows, err) : st;
}

cc_status api_page_reply(api_request *req, cc_status st, const api_page *p, cc_error *err)
{
    return st == CC_OK ? lab_reply_page(req, p->rows->data, p->page, p->per_page, p->total, err)
                       : st;
}

cc_status api_reply_created(api_request *req, cc_status st, const char *collection, int64_t id,
                            api_reply_record_fn reply, cc_error *err)
{
    if (st != CC_OK)
        return st;
    api_add_header(req, "Location", api_printf(req, "%s/%lld", collection, (long long)id));
    return reply(req, 201, id, err);
}

cc_status api_reply_bytes(api_request *req, cc_status st, const char *content_type, const buf *b,
                          cc_error *err)
{
    char *bytes = st == CC_OK ? arena_alloc(req->arena, b->len ? b->len : 1) : NULL;
    if (st == CC_OK && !bytes)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st != CC_OK)
        return st;
    memcpy(bytes, b->data, b->len);
    api_reply_raw(req, 200, content_type, bytes, b->len);
    return CC_OK;
}

cc_status api_signed(api_request *req, cc_status st, cc_error *err)
{
    return st == CC_OK
               ? api_check_signature_forbidden(req, json_get_string(req->body, "password"), err)
               : st;
}

void api_etag(api_request *req, int64_t version)
{
    api_add_header(req, "ETag", api_printf(req, "\"%lld\"", (long long)version));
}
