/* Outcome instruments: ISNCSCI classification, instrument definitions and
 * scoring, and a patient's recorded observations (raw answers + scores). */
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handlers.h"
#include "app/instruments_json.h"
#include "app/isncsci_json.h"
#include "api/json_in.h"
#include "app/visits.h"
#include "store/observations.h"

enum { MAX_EXAMS_PER_REQUEST = 10000 };
static const char ISNCSCI_ID[] = "isncsci", ISNCSCI_VERSION[] = "2019";

cc_status h_isncsci_classify(api_request *req, cc_error *err)
{
    json_t *out = NULL;
    size_t bad = 0;
    cc_status st =
        isncsci_json_classify_document(req->body, MAX_EXAMS_PER_REQUEST, &out, &bad, err);
    if (st == CC_INVALID && json_is_array(req->body)) {
        /* Name the exam as well as the field: "[3].right.motor.C5". The
         * index is below MAX_EXAMS_PER_REQUEST, so the longest field name
         * ("right.lowestNonKeyMuscleWithMotorFunction") fits whole. */
        char field[sizeof err->field];
        snprintf(field, sizeof field, "[%u].%.48s", (unsigned)bad, err->field);
        snprintf(err->field, sizeof err->field, "%s", field);
    }
    if (st != CC_OK)
        return st;
    api_reply(req, 200, out);
    return CC_OK;
}

cc_status h_instrument_list(api_request *req, cc_error *err)
{
    (void)err;
    json_t *list = instruments_json_list();
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:s, s:s}", "id", ISNCSCI_ID, "version", ISNCSCI_VERSION, "en",
                        "International Standards for Neurological Classification of SCI", "fr",
                        "Classification neurologique internationale des lésions médullaires"));
    api_reply(req, 200, json_pack("{s:o}", "items", list));
    return CC_OK;
}

cc_status h_instrument_get(api_request *req, cc_error *err)
{
    const instr_def *def = instrument_find(req->params[0]);
    if (!def)
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no instrument %.40s", req->params[0]);
    api_reply(req, 200, instruments_json_definition(def));
    return CC_OK;
}

cc_status h_instrument_score(api_request *req, cc_error *err)
{
    json_t *out = NULL;
    cc_status st = instruments_json_score(req->params[0], req->body, &out, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 200, out);
    return CC_OK;
}

static json_t *parsed_or_null(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

cc_status h_observation_list(api_request *req, cc_error *err)
{
    int64_t id, page, per_page, total = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = api_paging(req, &page, &per_page, err);
    if (st != CC_OK)
        return st;
    const char *instrument = api_query(req, "instrument");
    if (instrument && strlen(instrument) > 40)
        return cc_fail(err, CC_INVALID, "instrument", "too_long", "instrument is too long");
    observation_record *items;
    size_t n;
    if ((st = observation_list(req->db, req->arena, id, instrument, page, per_page, &items, &n,
                               &total, err)))
        return st;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const observation_record *o = &items[i];
        json_array_append_new(list,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
                                        (json_int_t)o->id, "instrument", o->instrument, "version",
                                        o->instrument_version, "date", o->observed_on, "source",
                                        o->source, "answers", parsed_or_null(o->answers), "scores",
                                        parsed_or_null(o->scores), "recorded_at", o->recorded_at));
    }
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", list, "page", (json_int_t)page, "per_page",
                        (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

cc_status h_observation_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"instrument", JF_STRING, true, 40}, {"version", JF_STRING, false, 16},
        {"date", JF_STRING, true, 10},       {"source", JF_STRING, true, 16},
        {"answers", JF_OBJECT, true, 32768}, {NULL, JF_STRING, false, 0},
    };
    int64_t patient_id;
    cc_status st = api_param_id(req, 0, &patient_id, err);
    if (st == CC_OK)
        st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    app_observation_new n = {
        json_get_string(req->body, "instrument"), json_get_string(req->body, "version"),
        json_get_string(req->body, "date"), json_get_string(req->body, "source"),
        json_object_get(req->body, "answers")};
    app_observation_made made;
    app_ctx c = api_app_ctx(req);
    if ((st = app_observation_create(&c, patient_id, &n, &made, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:O}", "id", (json_int_t)made.id,
                        "patient_id", (json_int_t)patient_id, "instrument", n.instrument, "version",
                        made.version, "date", n.date, "source", n.source, "scores", made.scores));
    return CC_OK;
}
