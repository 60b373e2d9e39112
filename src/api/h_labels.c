/* Unit labels as PDF (to print) and PNG (to preview). */
#include <stdio.h>
#include <string.h>

#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/lab_api.h"
#include "core/unit_state.h"
#include "label/label.h"
#include "store/lab.h"

/* The store's row as the label shows it today: a unit still in the lab
 * whose expiry has passed is labelled expired even before the expiry is
 * recorded (the label is a read; it changes nothing). */
static label_unit label_of(const lab_label_data *row, cc_date today)
{
    label_unit u = {.din = row->din,
                    .division = row->division,
                    .cells = row->cells,
                    .volume_ml = row->volume_ml,
                    .viability = row->viability};
    snprintf(u.product_code, sizeof u.product_code, "%s", row->product_code);
    snprintf(u.product_type, sizeof u.product_type, "%s", row->product_type);
    snprintf(u.expiry, sizeof u.expiry, "%s", row->expiry);
    snprintf(u.storage, sizeof u.storage, "%s", row->storage);
    snprintf(u.owner_mrn, sizeof u.owner_mrn, "%s", row->owner_mrn);
    snprintf(u.batch_code, sizeof u.batch_code, "%s", row->batch_code);
    unit_state state;
    cc_date expiry;
    cc_error ignored;
    bool expired = unit_state_parse(row->state, &state) &&
                   date_parse(row->expiry, "expiry", &expiry, &ignored) == CC_OK &&
                   unit_state_allows(state, UNIT_EV_EXPIRE) && unit_is_expired(expiry, today);
    snprintf(u.state, sizeof u.state, "%s", expired ? unit_state_name(UNIT_EXPIRED) : row->state);
    return u;
}

static cc_status label(api_request *req, label_format format, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    lab_label_data row;
    if (st == CC_OK)
        st = lab_unit_label_data(req->db, id, &row, err);
    if (st != CC_OK)
        return st;
    label_unit data = label_of(&row, api_today());
    buf *b = NULL;
    if ((st = api_view_buf(req, 16 << 20, &b, err)) == CC_OK)
        st = label_render(&data, format, b, err);
    return api_reply_bytes(req, st, format == LABEL_PDF ? "application/pdf" : "image/png", b, err);
}

cc_status h_unit_label_pdf(api_request *req, cc_error *err)
{
    return label(req, LABEL_PDF, err);
}
cc_status h_unit_label_png(api_request *req, cc_error *err)
{
    return label(req, LABEL_PNG, err);
}
