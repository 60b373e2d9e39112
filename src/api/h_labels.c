/* Unit labels as PDF (to print) and PNG (to preview). */
#include <stdio.h>
#include <string.h>

#include "api/error_text.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/lab_api.h"
#include "core/hctp_label.h"
#include "core/unit_state.h"
#include "label/label.h"
#include "store/lab.h"

static hctp_eligibility eligibility_of(const char *e)
{
    return strcmp(e, "eligible") == 0     ? HCTP_ELIGIBILITY_ELIGIBLE
           : strcmp(e, "ineligible") == 0 ? HCTP_ELIGIBILITY_INELIGIBLE
                                          : HCTP_ELIGIBILITY_INCOMPLETE;
}

/* The store's row as the label shows it today: a unit still in the lab
 * whose expiry has passed is labelled expired even before the expiry is
 * recorded (the label is a read; it changes nothing). The donor statements
 * and the type of donation are core's (hctp_label); no release under urgent
 * medical need is recorded by this program, so that rule never applies. */
static label_unit label_of(const lab_label_data *row, cc_date today)
{
    label_unit u = {.din = row->din,
                    .division = row->division,
                    .cells = row->cells,
                    .volume_ml = row->volume_ml,
                    .viability = row->viability};
/* the texts the label shows as the store has them */
#define COPY(field) snprintf(u.field, sizeof u.field, "%s", row->field)
    COPY(product_code);
    COPY(product_type);
    COPY(expiry);
    COPY(storage);
    COPY(owner_mrn);
    COPY(batch_code);
    COPY(reactive);
    COPY(product_description);
    COPY(collected_on);
    COPY(owner_name);
    COPY(owner_birth_date);
    COPY(facility_name);
    COPY(facility_address);
    COPY(fin);
#undef COPY
    snprintf(u.language, sizeof u.language, "%s", row->label_language);
    hctp_label_facts facts = {.autologous = row->autologous,
                              .eligibility = eligibility_of(row->eligibility),
                              .screening_complete = row->screening_complete,
                              .reactive = *row->reactive != '\0',
                              .urgent_need = false};
    hctp_label decided;
    hctp_label_decide(&facts, &decided);
    u.donation_type = decided.donation_type;
    u.statements = decided.statements;
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
    /* an autologous unit's label names its recipient: an identified read */
    if (row.owner_patient_id > 0)
        api_access_note(req, "label", row.owner_patient_id);
    /* ?lang=fr|en prints one label in another language than the site's */
    const char *lang = api_query(req, "lang");
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0)
        return cc_fail(err, CC_INVALID, "lang", "invalid_value", "lang is en or fr");
    if (lang)
        snprintf(data.language, sizeof data.language, "%s", lang);
    label_texts texts;
    for (int i = 0; i < LT_COUNT; i++)
        texts.text[i] = catalogue_text(data.language, label_text_keys[i]);
    data.texts = &texts;
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
