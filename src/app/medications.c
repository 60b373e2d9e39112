#include "app/medications.h"

#include <string.h>

#include "core/coagulation.h"
#include "core/text.h"
#include "store/clock.h"
#include "store/medications.h"

static const char *const SEVERITIES[] = {"mild", "moderate", "severe", "unknown", NULL};

/* A date in text that is not after today. */
static cc_status past_date(const char *text, const char *field, cc_date *out, cc_error *err)
{
    if (!text)
        return cc_fail(err, CC_INVALID, field, "required", "%s is required", field);
    cc_status st = date_parse(text, field, out, err);
    if (st == CC_OK && *out > store_today())
        st = cc_fail(err, CC_INVALID, field, "out_of_range", "%s cannot be in the future", field);
    return st;
}

cc_status app_medication_add(const app_ctx *c, int64_t patient_id, const char *name,
                             const char *cls, const char *dose, const char *start_date, int64_t *id,
                             cc_error *err)
{
    med_class k;
    cc_date start;
    cc_status st = text_check_line(name, "name", 200, true, err);
    if (st == CC_OK && !med_class_parse(cls, &k))
        st = cc_fail(err, CC_INVALID, "class", "invalid_value",
                     "class must be one of anticoagulant, antiplatelet, nsaid, analgesic, "
                     "antispasmodic, antiepileptic, corticosteroid, immunosuppressant, "
                     "antibiotic, other");
    if (st == CC_OK)
        st = text_check_line(dose, "dose", 200, false, err);
    if (st == CC_OK)
        st = past_date(start_date, "start_date", &start, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = medication_add_in_tx(c->d, &c->actor, patient_id, name, cls, dose, start_date, id, err);
    return db_tx_end(c->d, st, err);
}

/* The stored start date of medication id; false when the patient has none
 * such (the store then names the missing record). */
static bool find_start(const medication_row *rows, size_t n, int64_t id, cc_date *start)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == id)
            return date_parse(rows[i].start_date, "start_date", start, NULL) == CC_OK;
    return false;
}

cc_status app_medication_stop(const app_ctx *c, int64_t patient_id, int64_t medication_id,
                              const char *stop_date, cc_error *err)
{
    cc_date stop, start;
    cc_status st = past_date(stop_date, "stop_date", &stop, err);
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    medication_row *rows = NULL;
    size_t n = 0;
    st = medication_list(c->d, c->arena, patient_id, &rows, &n, err);
    if (st == CC_OK && find_start(rows, n, medication_id, &start) && stop < start)
        st = cc_fail(err, CC_INVALID, "stop_date", "out_of_range",
                     "stop_date cannot be before the medication's start date");
    if (st == CC_OK)
        st = medication_stop_in_tx(c->d, &c->actor, patient_id, medication_id, stop_date, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_allergy_add(const app_ctx *c, int64_t patient_id, const char *substance,
                          const char *reaction, const char *severity, int64_t *id, cc_error *err)
{
    cc_status st = text_check_line(substance, "substance", 200, true, err);
    if (st == CC_OK)
        st = text_check_line(reaction, "reaction", 400, false, err);
    bool known = false;
    for (int i = 0; SEVERITIES[i] && severity; i++)
        known = known || strcmp(SEVERITIES[i], severity) == 0;
    if (st == CC_OK && !known)
        st = cc_fail(err, CC_INVALID, "severity", "invalid_value",
                     "severity must be mild, moderate, severe or unknown");
    if (st != CC_OK || (st = db_tx_begin(c->d, err)) != CC_OK)
        return st;
    st = allergy_add_in_tx(c->d, &c->actor, patient_id, substance, reaction, severity, id, err);
    return db_tx_end(c->d, st, err);
}

cc_status app_coag_medications(const app_ctx *c, int64_t patient_id, cc_date today,
                               const coag_medication **meds, size_t *n, cc_error *err)
{
    medication_row *rows = NULL;
    size_t n_rows = 0;
    *meds = NULL;
    *n = 0;
    cc_status st = medication_list(c->d, c->arena, patient_id, &rows, &n_rows, err);
    if (st != CC_OK || n_rows == 0)
        return st;
    coag_medication *out = arena_alloc(c->arena, n_rows * sizeof *out);
    if (!out)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    for (size_t i = 0; i < n_rows; i++) {
        coag_medication *m = &out[i];
        memset(m, 0, sizeof *m);
        m->name = rows[i].name;
        m->stopped = rows[i].stop_date != NULL;
        if (!med_class_parse(rows[i].cls, &m->cls))
            m->cls = MED_ANTICOAGULANT;
        if (date_parse(rows[i].start_date, "start_date", &m->start, NULL) != CC_OK)
            m->start = today;
        if (m->stopped && date_parse(rows[i].stop_date, "stop_date", &m->stop, NULL) != CC_OK)
            m->stopped = false;
    }
    *meds = out;
    *n = n_rows;
    return CC_OK;
}
