/* demo_instruments: see demo_instruments.h. */
#include "cli/demo_instruments.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/isncsci.h"

/* xorshift64*: the generator of the rest of the demo */
uint64_t demo_rnd(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(2685821657736338717);
}

typedef struct {
    char *p;
    size_t cap, len;
    bool ok;
} writer;

static void put(writer *w, const char *fmt, ...)
{
    if (!w->ok)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->cap - w->len)
        w->ok = false;
    else
        w->len += (size_t)n;
}

int demo_isncsci_level(const char *name)
{
    for (int level = ISNCSCI_C5; name && level <= ISNCSCI_T1 + 11; level++)
        if (strcmp(isncsci_level_name(level), name) == 0)
            return level;
    return -1;
}

/* level index of key muscle m: C5..T1, then L2..S1 */
static int muscle_level(int m)
{
    return m < 5 ? ISNCSCI_C5 + m : ISNCSCI_T1 + 13 + (m - 5);
}

bool demo_isncsci_exam(int level, char ais, uint64_t *rng, char *out, size_t cap)
{
    static const char *const sides[] = {"right", "left"};
    writer w = {out, cap, 0, cap > 0};
    bool a = ais == 'A', b = ais == 'B', c = ais == 'C';
    put(&w, "{");
    for (int side = 0; side < 2; side++) {
        put(&w, "\"%s\":{\"motor\":{", sides[side]);
        for (int m = 0; m < ISNCSCI_MUSCLES; m++) {
            int grade = muscle_level(m) <= level ? 5
                        : a || b                 ? 0
                        : c                      ? (int)(demo_rnd(rng) % 3)
                                                 : 3 + (int)(demo_rnd(rng) % 2);
            put(&w, "%s\"%s\":\"%d\"", m ? "," : "", isncsci_muscle_name(m), grade);
        }
        for (int pin = 0; pin < 2; pin++) {
            put(&w, "},\"%s\":{", pin ? "pinPrick" : "lightTouch");
            for (int dm = 0; dm < ISNCSCI_DERMATOMES; dm++) {
                int lv = dm + 1, v;
                bool sacral = dm == ISNCSCI_DERMATOMES - 1;
                if (lv <= level)
                    v = 2;
                else if (a) /* a zone of partial preservation just below the level, no sparing */
                    v = lv == level + 1 && !pin && demo_rnd(rng) % 2;
                else if (sacral)
                    v = pin && b ? (int)(demo_rnd(rng) % 2) : 1;
                else if (pin)
                    v = b ? (int)(demo_rnd(rng) % 2) : 1;
                else
                    v = demo_rnd(rng) % 4 != 0;
                put(&w, "%s\"%s\":\"%d\"", dm ? "," : "", isncsci_dermatome_name(dm), v);
            }
        }
        put(&w, "}},");
    }
    put(&w, "\"voluntaryAnalContraction\":\"%s\",\"deepAnalPressure\":\"%s\"}",
        a || b ? "No" : "Yes", a ? "No" : "Yes");
    return w.ok;
}

static const char *const ALS_ITEMS[DEMO_ALS_ITEMS] = {
    "speech",          "salivation",       "swallowing",     "handwriting",
    "cutting_food",    "dressing_hygiene", "turning_in_bed", "walking",
    "climbing_stairs", "dyspnea",          "orthopnea",      "respiratory_insufficiency"};
/* MAS: upper limb first (examined after a cervical injury), then lower limb */
static const char *const MAS_ITEMS[DEMO_MAS_ITEMS] = {
    "elbow_flexors_right",       "elbow_flexors_left",   "knee_flexors_right",
    "knee_flexors_left",         "knee_extensors_right", "knee_extensors_left",
    "hip_adductors_right",       "hip_adductors_left",   "ankle_plantar_flexors_right",
    "ankle_plantar_flexors_left"};
static const char *const MAS_GRADES[] = {"0", "1", "1+", "2", "3", "4"};
static const struct {
    const char *item, *options[4];
    int n;
} NBD[DEMO_NBD_ITEMS] = {
    {"frequency", {"daily", "2_6_per_week", "less_than_weekly"}, 3},
    {"time", {"under_30_min", "31_60_min", "over_60_min"}, 3},
    {"discomfort", {"no", "yes"}, 2},
    {"tablets", {"no", "yes"}, 2},
    {"drops", {"no", "yes"}, 2},
    {"digital", {"less_than_weekly", "weekly_or_more"}, 2},
    {"incontinence", {"less_than_monthly", "1_4_per_month", "1_6_per_week", "daily"}, 4},
    {"incontinence_medication", {"no", "yes"}, 2},
    {"flatus", {"no", "yes"}, 2},
    {"skin", {"no", "yes"}, 2},
};

void demo_instruments_baseline(demo_instrument_state *s, bool cervical, uint64_t *rng)
{
    *s = (demo_instrument_state){.mas_arms = cervical};
    for (int i = 0; i < DEMO_ALS_ITEMS; i++)
        s->als[i] = 4;
    int deficit = 6 + (int)(demo_rnd(rng) % 15); /* baseline total 27-42 */
    for (int k = 0; k < deficit; k++) {
        int i = (int)(demo_rnd(rng) % DEMO_ALS_ITEMS);
        if (s->als[i] > 0)
            s->als[i]--;
    }
    s->als_rate_tenths = 4 + (int)(demo_rnd(rng) % 9); /* 0.4-1.2 points a month */
    for (int i = 0; i < DEMO_MAS_ITEMS; i++)
        s->mas[i] = (int)(demo_rnd(rng) % 4); /* 0 to 2 */
    for (int i = 0; i < DEMO_NBD_ITEMS; i++) {
        unsigned u = (unsigned)(demo_rnd(rng) % 100);
        s->nbd[i] = u < 55 ? 0 : u < 85 ? 1 : NBD[i].n - 1;
        if (s->nbd[i] >= NBD[i].n)
            s->nbd[i] = NBD[i].n - 1;
    }
}

bool demo_als_answers(const demo_instrument_state *s, int months, uint64_t *rng, char *out,
                      size_t cap)
{
    int v[DEMO_ALS_ITEMS];
    memcpy(v, s->als, sizeof v);
    int loss = (months * s->als_rate_tenths + 5) / 10 + (int)(demo_rnd(rng) % 3) - 1;
    for (int k = 0, tries = 0; k < loss && tries < 200; tries++) {
        int i = (int)(demo_rnd(rng) % DEMO_ALS_ITEMS);
        if (v[i] > 0) {
            v[i]--;
            k++;
        }
    }
    writer w = {out, cap, 0, cap > 0};
    for (int i = 0; i < DEMO_ALS_ITEMS; i++)
        put(&w, "%s\"%s\":\"%d\"", i ? "," : "{", ALS_ITEMS[i], v[i]);
    put(&w, "}");
    return w.ok;
}

bool demo_mas_answers(const demo_instrument_state *s, int months, uint64_t *rng, char *out,
                      size_t cap)
{
    writer w = {out, cap, 0, cap > 0};
    put(&w, "{");
    bool first = true;
    for (int i = s->mas_arms ? 0 : 2; i < DEMO_MAS_ITEMS; i++) {
        int g = s->mas[i];
        if (months > 0 && demo_rnd(rng) % 5 == 0) /* one step either way now and then */
            g += demo_rnd(rng) % 2 ? 1 : -1;
        g = g < 0 ? 0 : g > 5 ? 5 : g;
        put(&w, "%s\"%s\":\"%s\"", first ? "" : ",", MAS_ITEMS[i], MAS_GRADES[g]);
        first = false;
    }
    put(&w, "}");
    return w.ok;
}

bool demo_nbd_answers(const demo_instrument_state *s, int months, uint64_t *rng, char *out,
                      size_t cap)
{
    int changed = months > 0 && demo_rnd(rng) % 4 == 0 ? (int)(demo_rnd(rng) % DEMO_NBD_ITEMS) : -1;
    writer w = {out, cap, 0, cap > 0};
    for (int i = 0; i < DEMO_NBD_ITEMS; i++) {
        int o = s->nbd[i];
        if (i == changed)
            o = o > 0 ? o - 1 : (NBD[i].n > 1 ? 1 : 0);
        put(&w, "%s\"%s\":\"%s\"", i ? "," : "{", NBD[i].item, NBD[i].options[o]);
    }
    put(&w, "}");
    return w.ok;
}
