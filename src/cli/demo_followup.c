/* The follow-up part of `cellclinic demo` (issue 7): turns some of the
 * synthetic patients into a treated SCI cohort with plausible histories:
 * a plan from the real planner (start 1 to 15 months ago), its
 * administrations, follow-up visits with realistic attrition (most done;
 * some missed, lost, withdrawn, a rare death, a few left overdue so the
 * worklist shows H10), NRS pain at baseline and at done visits (most
 * patients change little), the satisfaction questionnaire at done visits,
 * and adverse events at plausible rates (about 15 % mild, 2 % serious).
 * Everything hangs on synthetic patients. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/observation_measures.h"
#include "api/instruments_json.h"
#include "api/programmes.h"
#include "api/protocol_json.h"
#include "cli/demo_followup.h"
#include "core/date.h"
#include "store/demo_followup.h"

static uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

/* Scores answers (JSON text) with the instrument; NULL when they do not score. */
static char *score(const char *instrument, const char *answers)
{
    json_t *a = json_loads(answers, 0, NULL), *out = NULL;
    if (!a)
        return NULL;
    json_t *body = json_pack("{s:o}", "answers", a);
    cc_error err;
    char *text = NULL;
    if (instruments_json_score(instrument, body, &out, &err) == CC_OK)
        text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(out);
    json_decref(body);
    return text;
}

typedef struct {
    char text[DEMO_MAX_OBS][96];
    char *scores[DEMO_MAX_OBS];
    char dates[DEMO_MAX_OBS][CC_DATE_TEXT];
    measure_value measures[DEMO_MAX_OBS][8];
} obs_space;

static void add_obs(demo_fu_patient *p, obs_space *o, const char *instrument, const char *answers,
                    cc_date when)
{
    size_t i = p->n_obs;
    if (i >= DEMO_MAX_OBS)
        return;
    snprintf(o->text[i], sizeof o->text[i], "%s", answers);
    o->scores[i] = score(instrument, answers);
    if (!o->scores[i])
        return;
    date_format(when, o->dates[i]);
    p->obs[i].instrument = instrument;
    p->obs[i].instrument_version = "1";
    p->obs[i].observed_on = o->dates[i];
    p->obs[i].source = "clinician";
    p->obs[i].answers_json = o->text[i];
    p->obs[i].scores_json = o->scores[i];
    p->obs[i].measures = o->measures[i];
    p->obs[i].n_measures = observation_measures_text(instrument, o->scores[i], o->measures[i], 8);
    p->n_obs++;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

cc_status demo_followup(db *d, uint64_t seed, int64_t patients, cc_date today, int64_t *made,
                        cc_error *err)
{
    *made = 0;
    size_t want = (size_t)(patients / 5 < 120 ? patients / 5 : 120);
    if (want == 0)
        return CC_OK;
    int64_t *ids = calloc(want, sizeof *ids);
    arena *a = arena_create((size_t)64 << 20);
    size_t n = 0;
    cc_status st = ids && a ? demo_store_synthetic_patients(d, ids, want, &n, err)
                            : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    protocol *p = a ? arena_alloc(a, sizeof *p) : NULL;
    if (st == CC_OK && (!p || (st = programme_load(d, a, "sci", 0, p, err)) != CC_OK) &&
        st == CC_OK)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    uint64_t rng = seed * UINT64_C(0xD1B54A32D192ED03) + 7;
    for (size_t k = 0; st == CC_OK && k < n; k++) {
        cc_date start = today - 30 - (cc_date)(rnd(&rng) % 420);
        programme_input in = {.protocol = p,
                              .earliest = start,
                              .weight_g = 55000 + (int)(rnd(&rng) % 40) * 1000,
                              .weight_date = start,
                              .age_years = 18 + (int)(rnd(&rng) % 50),
                              .as_of = start};
        planner_calendar cal;
        plan pl;
        dose_result dose;
        quote q;
        cc_error ignored;
        if (programme_calendar(d, a, start, &cal, &ignored) != CC_OK ||
            programme_plan(&in, &cal, &pl, &dose, &q, &ignored) != CC_OK)
            continue; /* a patient the planner cannot serve is left untreated */
        json_t *body = plan_to_json(p, &pl, &dose, &q);
        char *body_text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        demo_fu_patient *fp = arena_alloc(a, sizeof *fp);
        obs_space *os = arena_alloc(a, sizeof *os);
        char(*visit_text)[4][CC_DATE_TEXT] = arena_alloc(a, DEMO_MAX_VISITS * sizeof *visit_text);
        char(*admin_dates)[CC_DATE_TEXT] = arena_alloc(a, DEMO_MAX_ADMINS * sizeof *admin_dates);
        char *instruments[DEMO_MAX_VISITS] = {0};
        if (!body_text || !fp || !os || !visit_text || !admin_dates) {
            json_decref(body);
            free(body_text);
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
            break;
        }
        char s_start[CC_DATE_TEXT], s_end[CC_DATE_TEXT], s_screen[CC_DATE_TEXT];
        date_format(pl.start, s_start);
        date_format(pl.end, s_end);
        date_format(pl.start - 10, s_screen);
        *fp = (demo_fu_patient){.patient_id = ids[k],
                                .protocol = p->id,
                                .protocol_version = p->version,
                                .screened_on = s_screen,
                                .start = s_start,
                                .end = s_end,
                                .request = "{\"synthetic\":true}",
                                .body = body_text,
                                .weight_g = in.weight_g};
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(body, "administrations"), i, v)
        {
            if (fp->n_admins == DEMO_MAX_ADMINS)
                break;
            snprintf(admin_dates[fp->n_admins], CC_DATE_TEXT, "%s",
                     json_string_value(json_object_get(v, "date")));
            json_int_t cells = json_integer_value(json_object_get(v, "cells"));
            fp->admins[fp->n_admins].date = admin_dates[fp->n_admins];
            fp->admins[fp->n_admins].route = json_string_value(json_object_get(v, "route"));
            fp->admins[fp->n_admins].product = json_string_value(json_object_get(v, "product"));
            fp->admins[fp->n_admins].dose_unit = cells ? "cells" : "ul";
            fp->admins[fp->n_admins].amount =
                cells ? cells : json_integer_value(json_object_get(v, "volume_ul"));
            fp->n_admins++;
        }
        /* baseline NRS pain a few days before the start */
        int base_worst = 4 + (int)(rnd(&rng) % 5), base_avg = clamp(base_worst - 2, 0, 10);
        char answers[96];
        snprintf(answers, sizeof answers,
                 "{\"current\":\"%d\",\"average\":\"%d\",\"worst\":\"%d\"}",
                 clamp(base_avg - 1, 0, 10), base_avg, base_worst);
        add_obs(fp, os, "nrs-pain", answers, pl.start - 3);
        followup_status closed = FU_SCHEDULED; /* withdrawn or died closes later visits */
        json_array_foreach(json_object_get(body, "follow_up"), i, v)
        {
            if (fp->n_visits == DEMO_MAX_VISITS)
                break;
            size_t j = fp->n_visits;
            cc_date ws, we, target;
            static const char *const keys[] = {"date", "window_start", "window_end"};
            for (int c = 0; c < 3; c++)
                snprintf(visit_text[j][c], CC_DATE_TEXT, "%s",
                         json_string_value(json_object_get(v, keys[c])));
            if (date_parse(visit_text[j][0], "d", &target, &ignored) != CC_OK ||
                date_parse(visit_text[j][1], "d", &ws, &ignored) != CC_OK ||
                date_parse(visit_text[j][2], "d", &we, &ignored) != CC_OK)
                break;
            instruments[j] = json_dumps(json_object_get(v, "instruments"), JSON_COMPACT);
            fp->visits[j].spec =
                (followup_spec){json_string_value(json_object_get(v, "label")),
                                (int)json_integer_value(json_object_get(v, "months")),
                                visit_text[j][0],
                                visit_text[j][1],
                                visit_text[j][2],
                                instruments[j] ? instruments[j] : "[]"};
            followup_status s = FU_SCHEDULED;
            unsigned r = (unsigned)(rnd(&rng) % 100);
            if (closed != FU_SCHEDULED)
                s = closed;
            else if (we < today)
                s = r < 74   ? FU_DONE
                    : r < 82 ? FU_MISSED
                    : r < 89 ? FU_LOST
                    : r < 94 ? FU_WITHDRAWN
                    : r < 95 ? FU_DIED
                             : FU_SCHEDULED;
            else if (ws <= today && r < 50)
                s = FU_DONE;
            fp->visits[j].status = s;
            fp->visits[j].reason = s == FU_MISSED      ? "did not come (synthetic)"
                                   : s == FU_LOST      ? "3 failed contact attempts (synthetic)"
                                   : s == FU_WITHDRAWN ? "moved abroad (synthetic)"
                                                       : NULL;
            if (s == FU_DIED) {
                if (closed == FU_SCHEDULED)
                    snprintf(visit_text[j][3], CC_DATE_TEXT, "%s", visit_text[j][1]);
                else
                    memcpy(visit_text[j][3], visit_text[j - 1][3], CC_DATE_TEXT);
                fp->visits[j].died_on = visit_text[j][3];
                fp->visits[j].cause = "pneumonia (synthetic)";
            }
            if (s == FU_WITHDRAWN || s == FU_DIED)
                closed = s;
            if (s == FU_DONE) {
                cc_date when = target + (cc_date)(rnd(&rng) % 5) - 2;
                if (when > today)
                    when = today;
                int change =
                    (int)(rnd(&rng) % 5) - 2 - (rnd(&rng) % 4 == 0); /* most: little change */
                int worst = clamp(base_worst + change, 0, 10), avg = clamp(worst - 2, 0, 10);
                snprintf(answers, sizeof answers,
                         "{\"current\":\"%d\",\"average\":\"%d\",\"worst\":\"%d\"}",
                         clamp(avg - 1, 0, 10), avg, worst);
                add_obs(fp, os, "nrs-pain", answers, when);
                snprintf(answers, sizeof answers,
                         "{\"satisfaction\":\"%d\",\"pgic\":\"%d\",\"would_recommend\":\"%s\"}",
                         2 + (int)(rnd(&rng) % 4), 2 + (int)(rnd(&rng) % 4),
                         rnd(&rng) % 5 ? "yes" : "no");
                add_obs(fp, os, "satisfaction", answers, when);
            }
            fp->n_visits++;
        }
        char onset[DEMO_MAX_AES][CC_DATE_TEXT];
        unsigned r = (unsigned)(rnd(&rng) % 100);
        if (r < 17 && fp->n_admins > 0) {
            static const char *const terms[][2] = {{"10019211", "Headache"},
                                                   {"10016558", "Fever"},
                                                   {"10003988", "Back pain"},
                                                   {"10028813", "Nausea"}};
            size_t t = rnd(&rng) % 4;
            date_format(pl.start + 2 + (cc_date)(rnd(&rng) % 10), onset[0]);
            fp->aes[0].code = terms[t][0];
            fp->aes[0].text = terms[t][1];
            fp->aes[0].onset = onset[0];
            fp->aes[0].serious = r < 2;
            fp->aes[0].grade = r < 2 ? 3 : 1 + (int)(rnd(&rng) % 2);
            fp->n_aes = 1;
        }
        st = demo_store_followup_patient(d, fp, err);
        if (st == CC_OK)
            (*made)++;
        for (size_t j = 0; j < DEMO_MAX_VISITS; j++)
            free(instruments[j]);
        for (size_t j = 0; j < fp->n_obs; j++)
            free(os->scores[j]);
        json_decref(body);
        free(body_text);
    }
    arena_release(a);
    free(ids);
    return st;
}
