/* The follow-up part of `cellclinic demo`: screens some of the
 * synthetic patients for the programme matching their condition (sci,
 * spina-bifida, msc, als, secretome) and turns most of them into a treated
 * cohort with plausible histories; about 1 in 8 screened patients gets a
 * signed "not eligible" decision and nothing more. A treated patient has a
 * plan from the real planner (start 1 to 15 months ago), its
 * administrations, follow-up visits with realistic attrition (most done;
 * some missed, lost, withdrawn, a rare death, a few left overdue so the
 * worklist shows H10), the instruments its protocol names at baseline and at
 * done visits, scored by the real scorers (ISNCSCI examinations consistent
 * with the injury level and AIS grade of the condition, most unchanged, a
 * few one grade better; ALSFRS-R declining; NRS pain, MAS and NBD changing
 * little), the satisfaction questionnaire at most done visits (some asked
 * and not answered; per-domain answers with "not applicable"), and adverse
 * events at plausible rates (about 15 % mild, 2 % serious). Consent
 * documents exist for every programme in English and French; a treated
 * patient signed (on paper) the treatment and follow-up-contact consents a
 * week before the start, and about 5 in 6 the research consent.
 * Everything hangs on synthetic patients. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/consents.h"
#include "app/demo.h"
#include "app/instruments_json.h"
#include "app/isncsci_json.h"
#include "app/observation_measures.h"
#include "app/programmes.h"
#include "app/protocol_json.h"
#include "cli/demo_followup.h"
#include "cli/demo_instruments.h"
#include "core/date.h"
#include "core/instruments.h"
#include "store/lab.h" /* reads: the released units */

#define rnd demo_rnd

/* Scores answers (JSON text) with the instrument; NULL when they do not score. */
static char *score(const char *instrument, const char *answers)
{
    json_t *a = json_loads(answers, 0, NULL), *out = NULL;
    if (!a)
        return NULL;
    cc_error err;
    char *text = NULL;
    cc_status st;
    if (strcmp(instrument, "isncsci") == 0) {
        st = isncsci_json_classify(a, &out, &err);
        json_decref(a);
    } else {
        json_t *body = json_pack("{s:o}", "answers", a);
        st = instruments_json_score(instrument, body, &out, &err);
        json_decref(body);
    }
    if (st == CC_OK)
        text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(out);
    return text;
}

typedef struct {
    char text[DEMO_MAX_OBS][DEMO_ANSWERS_MAX];
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
    const instr_def *def = instrument_find(instrument);
    date_format(when, o->dates[i]);
    p->obs[i].instrument = instrument;
    p->obs[i].instrument_version = strcmp(instrument, "isncsci") == 0 ? "2019"
                                   : def                              ? def->version
                                                                      : "1";
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

/* The programme of a condition (ICD-10 prefix); knee osteoarthritis goes to the
 * secretome programme (the msc protocol lists it too). */
static const struct {
    const char *prefix, *programme;
} PROGRAMME_OF[] = {
    {"S14", "sci"},       {"S24", "sci"}, {"Q05", "spina-bifida"}, {"G12.2", "als"},
    {"M17", "secretome"}, {"G35", "msc"}, {"G20", "msc"},          {"I63", "msc"},
};
enum { N_PROGRAMMES = DEMO_PROGRAMMES };
const char *const demo_programme_ids[DEMO_PROGRAMMES] = {"sci", "spina-bifida", "msc", "als",
                                                         "secretome"};

static int programme_index(const char *icd10)
{
    for (size_t i = 0; i < sizeof PROGRAMME_OF / sizeof PROGRAMME_OF[0]; i++)
        if (strncmp(icd10, PROGRAMME_OF[i].prefix, strlen(PROGRAMME_OF[i].prefix)) == 0)
            for (int k = 0; k < N_PROGRAMMES; k++)
                if (strcmp(demo_programme_ids[k], PROGRAMME_OF[i].programme) == 0)
                    return k;
    return -1;
}

/* Per-patient clinical picture drawn once, varied at each visit. */
typedef struct {
    int level;  /* ISNCSCI level index, -1 when not an SCI patient */
    char ais;   /* baseline grade */
    int better; /* visit index from which the grade is one better; -1 never */
    int nrs_worst;
    demo_instrument_state inst;
} picture;

/* NRS pain answers: worst around the patient's baseline, average and current below. */
static void nrs_text(int worst, char *out, size_t cap)
{
    int avg = clamp(worst - 2, 0, 10);
    snprintf(out, cap, "{\"current\":\"%d\",\"average\":\"%d\",\"worst\":\"%d\"}",
             clamp(avg - 1, 0, 10), avg, worst);
}

static bool listed(const json_t *list, const char *instrument)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), instrument) == 0)
            return true;
    }
    return false;
}

/* One instrument's answers (not NRS or satisfaction) at visit index `visit` (-1 baseline). */
static bool answers_for(const char *instrument, const picture *pc, int visit, int months,
                        uint64_t *irng, char *out, size_t cap)
{
    if (strcmp(instrument, "isncsci") == 0) {
        if (pc->level < 0)
            return false;
        char grade = pc->ais;
        if (pc->better >= 0 && visit >= pc->better && grade < 'D')
            grade++;
        return demo_isncsci_exam(pc->level, grade, irng, out, cap);
    }
    if (strcmp(instrument, "alsfrs-r") == 0)
        return demo_als_answers(&pc->inst, months, irng, out, cap);
    if (strcmp(instrument, "mas") == 0)
        return demo_mas_answers(&pc->inst, months, irng, out, cap);
    if (strcmp(instrument, "nbd") == 0)
        return demo_nbd_answers(&pc->inst, months, irng, out, cap);
    if (strcmp(instrument, "flacc") == 0) { /* a mostly settled child: 0, sometimes 1 */
        static const char *const cat[] = {"face", "legs", "activity", "cry", "consolability"};
        int n = 0;
        for (size_t c = 0; c < 5 && n >= 0 && (size_t)n < cap; c++)
            n += snprintf(out + n, cap - (size_t)n, "%s\"%s\":\"%d\"", c ? "," : "{", cat[c],
                          rnd(irng) % 4 == 0);
        return n > 0 && (size_t)n + 2 < cap && snprintf(out + n, cap - (size_t)n, "}") == 1;
    }
    if (strcmp(instrument, "nbss") == 0) { /* domain scores inside their published ranges */
        int n = snprintf(out, cap,
                         "{\"incontinence\":\"%d\",\"storage_voiding\":\"%d\","
                         "\"consequences\":\"%d\",\"quality_of_life\":\"%d\"}",
                         4 + (int)(rnd(irng) % 14), 3 + (int)(rnd(irng) % 10),
                         1 + (int)(rnd(irng) % 6), (int)(rnd(irng) % 5));
        return n > 0 && (size_t)n < cap;
    }
    return false;
}

/* Condition details {"level":"C5","ais":"B"} into the picture. */
static void sci_picture(const char *details, picture *pc)
{
    pc->level = -1;
    json_t *d = json_loads(details, 0, NULL);
    const char *level = json_string_value(json_object_get(d, "level"));
    const char *ais = json_string_value(json_object_get(d, "ais"));
    if (level && ais && ais[0] >= 'A' && ais[0] <= 'D' && !ais[1]) {
        pc->level = demo_isncsci_level(level);
        pc->ais = ais[0];
    }
    json_decref(d);
}

/* Reasons of a "not eligible" screening, in the shape of the screening API. */
static const char *const NOT_ELIGIBLE[] = {
    "[{\"rule\":\"cancer-history\",\"kind\":\"exclude_if_true\",\"outcome\":\"exclude\","
    "\"subject\":\"cancer_history\",\"observed\":\"true\",\"limit\":\"\"}]",
    "[{\"rule\":\"hbv\",\"kind\":\"positive\",\"outcome\":\"exclude\",\"subject\":\"hbv\","
    "\"observed\":\"positive\",\"limit\":\"\"}]",
    "[{\"rule\":\"active-infection\",\"kind\":\"exclude_if_true\",\"outcome\":\"exclude\","
    "\"subject\":\"active_infection\",\"observed\":\"true\",\"limit\":\"\"}]",
    "[{\"rule\":\"hcv\",\"kind\":\"positive\",\"outcome\":\"exclude\",\"subject\":\"hcv\","
    "\"observed\":\"positive\",\"limit\":\"\"}]",
};

/* The laboratory's released UC-MSC units that keep a month to expire (the
 * ones expiring sooner stay in the inventory's expiry list), soonest
 * expiring first. */
typedef struct {
    int64_t ids[64];
    size_t n, next;
} unit_pool;

static cc_status released_units(db *d, cc_date today, unit_pool *pool, cc_error *err)
{
    *pool = (unit_pool){0};
    lab_unit_query q = {.state = "released", .expiring_days = -1, .page = 1, .per_page = 200};
    buf b;
    buf_init(&b, (size_t)1 << 20);
    int64_t total = 0;
    cc_status st = lab_unit_list_json(d, &q, &b, &total, err);
    json_t *list = st == CC_OK && !buf_failed(&b) ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    buf_release(&b);
    char month[CC_DATE_TEXT];
    date_format(today + 30, month);
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u)
    {
        const char *type = json_string_value(json_object_get(u, "product_type"));
        const char *expiry = json_string_value(json_object_get(u, "expiry"));
        if (pool->n < sizeof pool->ids / sizeof pool->ids[0] && type &&
            strcmp(type, "uc-msc") == 0 && expiry && strcmp(expiry, month) > 0)
            pool->ids[pool->n++] = json_integer_value(json_object_get(u, "id"));
    }
    json_decref(list);
    return st;
}

static int64_t take_unit(unit_pool *pool)
{
    return pool->next < pool->n ? pool->ids[pool->next++] : 0;
}

/* A plan of the real planner for a patient admitted on start. */
typedef struct {
    programme_input in;
    plan pl;
    dose_result dose;
    quote q;
} planned_stay;

static bool plan_stay(db *d, arena *a, const protocol *p, int weight, const char *birth_date,
                      cc_date start, planned_stay *out)
{
    out->in = (programme_input){.protocol = p,
                                .earliest = start,
                                .weight_g = weight,
                                .weight_date = start,
                                .age_years = programme_age_years(birth_date, start),
                                .as_of = start};
    planner_calendar cal;
    cc_error ignored;
    return programme_calendar(d, a, 1, start, &cal, &ignored) == CC_OK &&
           programme_plan(&out->in, &cal, &out->pl, &out->dose, &out->q, &ignored) == CC_OK;
}

/* A stay under way: the start (1 to 10 days ago) that puts one of the plan's
 * administrations on today after at least one given; 0 when none does. */
static cc_date current_start(db *d, arena *a, const protocol *p, int weight, const char *birth_date,
                             cc_date today)
{
    for (cc_date back = 1; back <= 10; back++) {
        cc_date start = today - back;
        planned_stay ps;
        if (!plan_stay(d, a, p, weight, birth_date, start, &ps) || ps.pl.start != start)
            continue;
        bool before = false, on_today = false;
        for (int i = 0; i < ps.pl.n_admins; i++) {
            before = before || ps.pl.admins[i].date < today;
            on_today = on_today || ps.pl.admins[i].date == today;
        }
        if (before && on_today)
            return start;
    }
    return 0;
}

cc_status demo_followup(db *d, uint64_t seed, int64_t patients, cc_date today,
                        demo_followup_counts *made, cc_error *err)
{
    *made = (demo_followup_counts){0};
    size_t want = (size_t)(patients * 2 / 5 < 300 ? patients * 2 / 5 : 300);
    if (want == 0)
        return CC_OK;
    demo_candidate *cands = calloc(want, sizeof *cands);
    obs_space *os = malloc(sizeof *os);
    arena *a = arena_create((size_t)64 << 20);
    size_t n = 0;
    app_ctx demo = app_ctx_demo(d, a);
    cc_status st = cands && os && a
                       ? app_demo_candidates(&demo, cands, want, &n, err)
                       : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    protocol *progs[N_PROGRAMMES] = {0};
    for (int k = 0; st == CC_OK && k < N_PROGRAMMES; k++) {
        progs[k] = arena_alloc(a, sizeof *progs[k]);
        if (!progs[k])
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        else
            st = programme_load(d, a, demo_programme_ids[k], 0, progs[k], err);
    }
    uint64_t rng = seed * UINT64_C(0xD1B54A32D192ED03) + 7;
    /* a second stream for the questionnaire's non-response and per-domain answers, a third for
     * eligibility and a fourth for the instruments' answers, so each part of the demo stays
     * what the same seed gave before when another part changes */
    uint64_t srng = seed * UINT64_C(0x9E3779B97F4A7C15) + 11;
    uint64_t erng = seed * UINT64_C(0xBF58476D1CE4E5B9) + 13;
    uint64_t irng = seed * UINT64_C(0x94D049BB133111EB) + 17;
    /* and a fifth for the research consents: about 1 treated patient in 6 gives none, so the
     * de-identified report has patients it leaves out */
    uint64_t crng = seed * UINT64_C(0xE7037ED1A0B428DB) + 19;
    if (st == CC_OK)
        st = app_consent_demo_documents(&demo, err);
    /* the laboratory's units go to the first administration of treated patients, as the
     * bedside records them; the first two sci patients are in their stay today, each on a
     * ward, their next unit issued */
    unit_pool pool = {0};
    if (st == CC_OK)
        st = released_units(d, today, &pool, err);
    static const char *const WARDS[] = {"Neurologie A", "Neurologie B"};
    int current = 0;
    for (size_t k = 0; st == CC_OK && k < n; k++) {
        int prog = programme_index(cands[k].icd10);
        if (prog < 0)
            continue;
        protocol *p = progs[prog];
        cc_date start = today - 30 - (cc_date)(rnd(&rng) % 420);
        char s_start[CC_DATE_TEXT], s_end[CC_DATE_TEXT], s_screen[CC_DATE_TEXT];
        if (rnd(&erng) % 8 == 0) { /* screened, signed not eligible, no plan */
            date_format(start - 10, s_screen);
            demo_fu_patient ne = {.patient_id = cands[k].id,
                                  .protocol = p->id,
                                  .protocol_version = p->version,
                                  .not_eligible = true,
                                  .reasons = NOT_ELIGIBLE[rnd(&erng) % 4],
                                  .screened_on = s_screen};
            if ((st = app_demo_history(&demo, &ne, err)) == CC_OK)
                made->not_eligible++;
            continue;
        }
        int weight = cands[k].weight_g ? cands[k].weight_g : 55000 + (int)(rnd(&rng) % 40) * 1000;
        cc_date stay = current < 2 && strcmp(p->id, "sci") == 0
                           ? current_start(d, a, p, weight, cands[k].birth_date, today)
                           : 0;
        if (stay)
            start = stay;
        planned_stay *ps = arena_alloc(a, sizeof *ps);
        if (!ps) {
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
            break;
        }
        if (!plan_stay(d, a, p, weight, cands[k].birth_date, start, ps))
            continue; /* a patient the planner cannot serve is left untreated */
        const programme_input in = ps->in;
        const plan pl = ps->pl;
        const dose_result dose = ps->dose;
        const quote q = ps->q;
        cc_error ignored;
        const char *condition = cands[k].icd10;
        json_t *body = plan_to_json(p, &pl, &dose, &q, &condition, 1, cands[k].birth_date);
        char *body_text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        demo_fu_patient *fp = arena_alloc(a, sizeof *fp);
        char(*visit_text)[4][CC_DATE_TEXT] = arena_alloc(a, DEMO_MAX_VISITS * sizeof *visit_text);
        char(*admin_dates)[CC_DATE_TEXT] = arena_alloc(a, DEMO_MAX_ADMINS * sizeof *admin_dates);
        char *instruments[DEMO_MAX_VISITS] = {0};
        if (!body_text || !fp || !visit_text || !admin_dates) {
            json_decref(body);
            free(body_text);
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
            break;
        }
        date_format(pl.start, s_start);
        date_format(pl.end, s_end);
        date_format(pl.start - 10, s_screen);
        *fp = (demo_fu_patient){.patient_id = cands[k].id,
                                .protocol = p->id,
                                .protocol_version = p->version,
                                .screened_on = s_screen,
                                .start = s_start,
                                .end = s_end,
                                .request = "{\"synthetic\":true}",
                                .body = body_text,
                                .weight_g = in.weight_g,
                                .ward = stay ? WARDS[current] : "Neurologie A"};
        size_t i;
        json_t *v;
        fp->n_planned = json_array_size(json_object_get(body, "administrations"));
        json_array_foreach(json_object_get(body, "administrations"), i, v)
        {
            if (fp->n_admins == DEMO_MAX_ADMINS)
                break;
            const char *date = json_string_value(json_object_get(v, "date"));
            char today_text[CC_DATE_TEXT];
            date_format(today, today_text);
            if (stay && date && strcmp(date, today_text) >= 0) { /* not given yet */
                if (!fp->next_item) {
                    fp->next_item = (int)i + 1;
                    fp->next_unit_id = take_unit(&pool);
                }
                continue;
            }
            snprintf(admin_dates[fp->n_admins], CC_DATE_TEXT, "%s", date ? date : "");
            json_int_t cells = json_integer_value(json_object_get(v, "cells"));
            fp->admins[fp->n_admins].date = admin_dates[fp->n_admins];
            fp->admins[fp->n_admins].route = json_string_value(json_object_get(v, "route"));
            fp->admins[fp->n_admins].product = json_string_value(json_object_get(v, "product"));
            fp->admins[fp->n_admins].dose_unit = cells ? "cells" : "ul";
            fp->admins[fp->n_admins].amount =
                cells ? cells : json_integer_value(json_object_get(v, "volume_ul"));
            bool uc_msc = strcmp(fp->admins[fp->n_admins].product, "UC-MSC") == 0;
            if (uc_msc && (fp->n_admins == 0 || (stay && fp->n_admins == 1)))
                fp->admins[fp->n_admins].unit_id = take_unit(&pool);
            fp->n_admins++;
        }
        picture pc = {.level = -1, .better = -1};
        if (strcmp(p->id, "sci") == 0) {
            sci_picture(cands[k].details, &pc);
            if (rnd(&irng) % 8 == 0) /* a few patients improve by one grade */
                pc.better = 1 + (int)(rnd(&irng) % 3);
        }
        demo_instruments_baseline(&pc.inst, pc.level >= 0 && pc.level <= ISNCSCI_T1, &irng);
        /* baseline a few days before the start: every instrument of the first visit but the
         * satisfaction questionnaire */
        pc.nrs_worst = 4 + (int)(rnd(&rng) % 5);
        char answers[DEMO_ANSWERS_MAX];
        json_t *first =
            json_object_get(json_array_get(json_object_get(body, "follow_up"), 0), "instruments");
        json_array_foreach(first, i, v)
        {
            const char *id = json_string_value(v);
            if (!id || strcmp(id, "satisfaction") == 0)
                continue;
            if (strcmp(id, "nrs-pain") == 0)
                nrs_text(pc.nrs_worst, answers, sizeof answers);
            else if (!answers_for(id, &pc, -1, 0, &irng, answers, sizeof answers))
                continue;
            add_obs(fp, os, id, answers, pl.start - 3);
        }
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
            json_t *list = json_object_get(v, "instruments");
            instruments[j] = json_dumps(list, JSON_COMPACT);
            int months = (int)json_integer_value(json_object_get(v, "months"));
            fp->visits[j].spec = (followup_spec){json_string_value(json_object_get(v, "label")),
                                                 months,
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
                size_t t;
                json_t *iv;
                json_array_foreach(list, t, iv)
                {
                    const char *id = json_string_value(iv);
                    if (!id || strcmp(id, "nrs-pain") == 0 || strcmp(id, "satisfaction") == 0)
                        continue;
                    if (answers_for(id, &pc, (int)j, months, &irng, answers, sizeof answers))
                        add_obs(fp, os, id, answers, when);
                }
                int change =
                    (int)(rnd(&rng) % 5) - 2 - (rnd(&rng) % 4 == 0); /* most: little change */
                if (listed(list, "nrs-pain")) {                      /* not in the ALS protocol */
                    nrs_text(clamp(pc.nrs_worst + change, 0, 10), answers, sizeof answers);
                    add_obs(fp, os, "nrs-pain", answers, when);
                }
                int sat = 2 + (int)(rnd(&rng) % 4), pgic = 2 + (int)(rnd(&rng) % 4);
                const char *recommend = rnd(&rng) % 5 ? "yes" : "no";
                /* about 1 in 8 done visits: the questionnaire was asked and not answered;
                 * per domain: mostly no change, some better or worse, some "not applicable"
                 * (sweating most often; outside the spinal programmes the neurological
                 * domains too), a few left blank */
                if (rnd(&srng) % 8 != 0) {
                    static const char *const domains[] = {"motor", "sensation", "spasticity",
                                                          "pain",  "bladder",   "sweating"};
                    static const char *const moves[] = {"much_worse", "worse",      "no_change",
                                                        "no_change",  "no_change",  "better",
                                                        "better",     "much_better"};
                    bool spinal = strcmp(p->id, "sci") == 0 || strcmp(p->id, "spina-bifida") == 0;
                    int len = snprintf(answers, sizeof answers,
                                       "{\"satisfaction\":\"%d\",\"pgic\":\"%d\","
                                       "\"would_recommend\":\"%s\"",
                                       sat, pgic, recommend);
                    /* spina bifida also rates its own domains (satisfaction version 2) */
                    static const char *const sb_domains[] = {"development", "cognition",
                                                             "muscle_strength", "seizures"};
                    bool sb = strcmp(p->id, "spina-bifida") == 0;
                    for (size_t dm = 0; sb && dm < 4 && len > 0 && (size_t)len < sizeof answers;
                         dm++) {
                        unsigned u = (unsigned)(rnd(&srng) % 100);
                        len += snprintf(answers + len, sizeof answers - (size_t)len,
                                        ",\"change_%s\":\"%s\"", sb_domains[dm],
                                        dm == 3 && u < 60 ? "not_applicable" : moves[u % 8]);
                    }
                    for (size_t dm = 0; dm < 6 && len > 0 && (size_t)len < sizeof answers; dm++) {
                        unsigned u = (unsigned)(rnd(&srng) % 100);
                        unsigned na = dm == 5 ? 40 : !spinal && dm != 3 ? 50 : 10;
                        if (u >= 100 - 5)
                            continue; /* left blank */
                        len += snprintf(answers + len, sizeof answers - (size_t)len,
                                        ",\"change_%s\":\"%s\"", domains[dm],
                                        u < na ? "not_applicable" : moves[u % 8]);
                    }
                    if (len > 0 && (size_t)len + 2 < sizeof answers) {
                        answers[len] = '}';
                        answers[len + 1] = '\0';
                        add_obs(fp, os, "satisfaction", answers, when);
                    }
                }
            }
            fp->n_visits++;
        }
        char onset[DEMO_MAX_AES][CC_DATE_TEXT], resolved[DEMO_MAX_AES][CC_DATE_TEXT];
        unsigned r = (unsigned)(rnd(&rng) % 100);
        if (stay) { /* a transient fever after yesterday's infusion, still settling */
            date_format(today - 1, onset[0]);
            fp->aes[0].code = "fever";
            fp->aes[0].onset = onset[0];
            fp->aes[0].outcome = "recovering";
            fp->aes[0].grade = 1;
            fp->n_aes = 1;
            current++;
        } else if (r < 17 && fp->n_admins > 0) {
            static const char *const terms[] = {"headache", "fever", "back_pain", "nausea",
                                                "fatigue"};
            /* ALS: transient fever and fatigue are the expected events */
            size_t t = strcmp(p->id, "als") == 0 ? 1 + 3 * (rnd(&rng) % 2) : rnd(&rng) % 4;
            cc_date on = pl.start + 2 + (cc_date)(rnd(&rng) % 10);
            date_format(on, onset[0]);
            date_format(on + 2, resolved[0]);
            fp->aes[0].code = terms[t];
            fp->aes[0].onset = onset[0];
            fp->aes[0].resolved = resolved[0];
            fp->aes[0].serious = r < 2;
            fp->aes[0].grade = r < 2 ? 3 : 1 + (int)(rnd(&rng) % 2);
            fp->n_aes = 1;
        }
        st = app_demo_history(&demo, fp, err);
        /* H15: the treated patient signed the treatment consent a week before the start */
        if (st == CC_OK)
            st = app_consent_demo_patient(&demo, cands[k].id, p->id, pl.start - 7,
                                          rnd(&crng) % 6 != 0, err);
        if (st == CC_OK) {
            made->treated++;
            made->per_programme[prog]++;
        }
        for (size_t j = 0; j < DEMO_MAX_VISITS; j++)
            free(instruments[j]);
        for (size_t j = 0; j < fp->n_obs; j++)
            free(os->scores[j]);
        json_decref(body);
        free(body_text);
    }
    arena_release(a);
    free(os);
    free(cands);
    return st;
}
