/* A patient's concomitant medications (add, stop) and allergies (H16). */
#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "app/medications.h"

cc_status h_medication_add(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"name", JF_STRING, true, 800},
                                        {"class", JF_STRING, true, 32},
                                        {"dose", JF_STRING, false, 800},
                                        {"start_date", JF_STRING, true, 10},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, medication_id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    const char *name = json_get_string(req->body, "name"),
               *cls = json_get_string(req->body, "class"),
               *dose = json_get_string(req->body, "dose"),
               *start = json_get_string(req->body, "start_date");
    app_ctx c = api_app_ctx(req);
    if ((st = app_medication_add(&c, id, name, cls, dose, start, &medication_id, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:n}", "id", (json_int_t)medication_id,
                        "patient_id", (json_int_t)id, "name", name, "class", cls, "dose",
                        dose ? dose : "", "start_date", start, "stop_date"));
    return CC_OK;
}

cc_status h_medication_stop(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"stop_date", JF_STRING, true, 10},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, medication_id;
    cc_status st = json_check(req->body, fields, err); /* the body first: 400 before 404 */
    if (st == CC_OK)
        st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = api_param_id(req, 1, &medication_id, err);
    if (st != CC_OK)
        return st;
    const char *stop = json_get_string(req->body, "stop_date");
    app_ctx c = api_app_ctx(req);
    if ((st = app_medication_stop(&c, id, medication_id, stop, err)) != CC_OK)
        return st;
    api_reply(req, 200,
              json_pack("{s:I, s:I, s:s}", "id", (json_int_t)medication_id, "patient_id",
                        (json_int_t)id, "stop_date", stop));
    return CC_OK;
}

cc_status h_allergy_add(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"substance", JF_STRING, true, 800},
                                        {"reaction", JF_STRING, false, 1600},
                                        {"severity", JF_STRING, true, 16},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, allergy_id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    const char *substance = json_get_string(req->body, "substance"),
               *reaction = json_get_string(req->body, "reaction"),
               *severity = json_get_string(req->body, "severity");
    app_ctx c = api_app_ctx(req);
    if ((st = app_allergy_add(&c, id, substance, reaction, severity, &allergy_id, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)allergy_id, "patient_id",
                        (json_int_t)id, "substance", substance, "reaction",
                        reaction ? reaction : "", "severity", severity));
    return CC_OK;
}
