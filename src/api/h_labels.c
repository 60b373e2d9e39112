/* Unit labels as PDF (to print) and PNG (to preview). */
#include <string.h>

#include "api/handlers.h"
#include "api/lab_api.h"
#include "label/label.h"
#include "store/lab.h"

static cc_status label(api_request *req, label_format format, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_expire_sweep(req, err); /* an expired unit's label says so */
    lab_label_data data;
    if (st == CC_OK)
        st = lab_unit_label_data(req->db, id, &data, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, 16 << 20);
    st = label_render(&data, format, &b, err);
    char *bytes = st == CC_OK ? arena_alloc(req->arena, b.len ? b.len : 1) : NULL;
    if (st == CC_OK && !bytes)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st == CC_OK) {
        memcpy(bytes, b.data, b.len);
        api_reply_raw(req, 200, format == LABEL_PDF ? "application/pdf" : "image/png", bytes, b.len);
    }
    buf_release(&b);
    return st;
}

cc_status h_unit_label_pdf(api_request *req, cc_error *err) { return label(req, LABEL_PDF, err); }
cc_status h_unit_label_png(api_request *req, cc_error *err) { return label(req, LABEL_PNG, err); }
