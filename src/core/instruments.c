/*
 * instruments: the scoring engine. See instruments.h for the contract and
 * instruments_defs.c for the definitions and their sources.
 */
#include "instruments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_ITEMS = 64 };

typedef struct {
    bool answered;
    int option;    /* index into item->options */
    double number; /* INSTR_NUMBER */
} slot;

static int find_item(const instr_def *def, const char *id)
{
    for (int i = 0; i < def->n_items; i++)
        if (strcmp(def->items[i].id, id) == 0)
            return i;
    return -1;
}

/* a decimal number, nothing else (no spaces, no hex, no inf/nan) */
static bool parse_number(const char *text, double *out)
{
    if (text == NULL || *text == '\0' || strlen(text) > 32)
        return false;
    for (const char *p = text; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || (*p == '-' && p == text)))
            return false;
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == NULL || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static cc_status parse_answer(const instr_item *it, const char *value, slot *s, cc_error *err)
{
    if (value == NULL)
        return cc_fail(err, CC_INVALID, it->id, "invalid_value", "%s: no value", it->id);
    switch (it->kind) {
    case INSTR_OPTIONS:
        for (int k = 0; k < it->n_options; k++) {
            if (strcmp(it->options[k].code, value) == 0) {
                s->option = k;
                return CC_OK;
            }
        }
        return cc_fail(err, CC_INVALID, it->id, "invalid_value",
                       "%s: '%.40s' is not one of its answers", it->id, value);
    case INSTR_NUMBER: {
        double v;
        if (!parse_number(value, &v) || v > it->max || v < it->min ||
            (it->min_open && v == it->min))
            return cc_fail(err, CC_INVALID, it->id, "invalid_value",
                           "%s: must be a number %s %g and at most %g", it->id,
                           it->min_open ? "above" : "from", it->min, it->max);
        s->number = v;
        return CC_OK;
    }
    case INSTR_TEXT:
        if (strlen(value) > (size_t)it->max_len)
            return cc_fail(err, CC_INVALID, it->id, "invalid_value", "%s: longer than %d bytes",
                           it->id, it->max_len);
        return CC_OK;
    }
    return cc_fail(err, CC_INTERNAL, it->id, "bad_definition", "%s: unknown item kind", it->id);
}

static instr_output *add_output(instr_result *r, const char *name)
{
    if (r->n_out >= INSTR_MAX_OUTPUTS)
        return NULL;
    instr_output *o = &r->out[r->n_out++];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    return o;
}

static void add_number(instr_result *r, const char *name, double v, int decimals)
{
    instr_output *o = add_output(r, name);
    if (o != NULL) {
        o->number = v;
        o->decimals = decimals;
    }
}

static void add_text(instr_result *r, const char *name, const char *text)
{
    instr_output *o = add_output(r, name);
    if (o != NULL) {
        o->is_text = true;
        snprintf(o->text, sizeof o->text, "%s", text);
    }
}

static double round_to(double v, int decimals)
{
    double f = pow(10.0, decimals);
    return round(v * f) / f;
}

static int points_of(const instr_item *it, const slot *s)
{
    return it->options[s->option].points;
}

static void band_for(const instr_def *def, int total, instr_result *r)
{
    for (int b = 0; b < def->n_bands; b++)
        if (total >= def->bands[b].lo && total <= def->bands[b].hi)
            r->band = &def->bands[b];
}

/* grouped_only: the total counts only items in a group; the others are
 * reported on their own (INSTR_RULE_SUM_GROUPED). */
static void score_sum(const instr_def *def, const slot *s, instr_result *r, bool grouped_only)
{
    int total = 0, group[16] = {0};
    for (int i = 0; i < def->n_items; i++) {
        const instr_item *it = &def->items[i];
        if (!s[i].answered || it->kind != INSTR_OPTIONS)
            continue;
        if (grouped_only && it->group < 0)
            continue;
        total += points_of(it, &s[i]);
        if (it->group >= 0 && it->group < 16)
            group[it->group] += points_of(it, &s[i]);
    }
    add_number(r, "total", total, 0);
    for (int g = 0; g < def->n_groups && g < 16; g++)
        add_number(r, def->groups[g].id, group[g], 0);
    for (int i = 0; grouped_only && i < def->n_items; i++)
        if (s[i].answered && def->items[i].kind == INSTR_OPTIONS && def->items[i].group < 0)
            add_number(r, def->items[i].id, points_of(&def->items[i], &s[i]), 0);
    band_for(def, total, r);
}

/* Delta-FS = (48 - total) / months since onset (Kimura 2006). */
static void score_alsfrs(const instr_def *def, const slot *s, instr_result *r)
{
    score_sum(def, s, r, false);
    int months = find_item(def, "months_since_onset");
    if (months >= 0 && s[months].answered) {
        double total = r->out[0].number;
        add_number(r, "delta_fs", round_to((48.0 - total) / s[months].number, 2), 2);
    }
}

/* KOOS subscale: 100 - mean(item scores) * 100 / 4, when at least
 * min_answered items of the subscale are answered (2012 rule). */
static void score_koos(const instr_def *def, const slot *s, instr_result *r)
{
    for (int g = 0; g < def->n_groups; g++) {
        int n = 0, sum = 0;
        for (int i = 0; i < def->n_items; i++) {
            if (def->items[i].group == g && s[i].answered) {
                n++;
                sum += points_of(&def->items[i], &s[i]);
            }
        }
        if (n >= def->groups[g].min_answered && n > 0)
            add_number(r, def->groups[g].id, round_to(100.0 - (double)sum * 25.0 / n, 1), 1);
    }
}

static bool is_numeric_code(const char *code)
{
    return code[0] >= '0' && code[0] <= '9';
}

/* Each answered option item on its own; per group, how many items improved
 * (points > 0) or worsened (points < 0), "not_applicable" left out. */
static void score_each(const instr_def *def, const slot *s, instr_result *r)
{
    for (int i = 0; i < def->n_items; i++) {
        const instr_item *it = &def->items[i];
        if (!s[i].answered || it->kind != INSTR_OPTIONS)
            continue;
        const instr_option *o = &it->options[s[i].option];
        if (is_numeric_code(o->code))
            add_number(r, it->id, o->points, 0);
        else
            add_text(r, it->id, o->code);
    }
    for (int g = 0; g < def->n_groups; g++) {
        int better = 0, worse = 0, rated = 0;
        for (int i = 0; i < def->n_items; i++) {
            const instr_item *it = &def->items[i];
            if (it->group != g || !s[i].answered || it->kind != INSTR_OPTIONS)
                continue;
            const instr_option *o = &it->options[s[i].option];
            if (strcmp(o->code, "not_applicable") == 0)
                continue;
            rated++;
            better += o->points > 0;
            worse += o->points < 0;
        }
        char name[40];
        snprintf(name, sizeof name, "%s_rated", def->groups[g].id);
        add_number(r, name, rated, 0);
        snprintf(name, sizeof name, "%s_better", def->groups[g].id);
        add_number(r, name, better, 0);
        snprintf(name, sizeof name, "%s_worse", def->groups[g].id);
        add_number(r, name, worse, 0);
    }
}

/* Each item as its ordinal code, and the highest grade over all items. */
static cc_status score_ordinal_max(const instr_def *def, const slot *s, instr_result *r,
                                   cc_error *err)
{
    int best = -1;
    const char *best_code = NULL;
    for (int i = 0; i < def->n_items; i++) {
        const instr_item *it = &def->items[i];
        if (!s[i].answered)
            continue;
        const instr_option *o = &it->options[s[i].option];
        add_text(r, it->id, o->code);
        if (o->points > best) {
            best = o->points;
            best_code = o->code;
        }
    }
    if (best_code == NULL)
        return cc_fail(err, CC_INVALID, "answers", "missing",
                       "answers: at least one item is required");
    add_text(r, "highest", best_code);
    return CC_OK;
}

/*
 * EDSS (Kurtzke 1983) from the functional systems (FS) and ambulation, as
 * the Neurostatus scoring definitions (04/10.2) and scoring table (04/10.3)
 * set the steps. Before the steps, bowel/bladder and visual grades are
 * converted (bowel/bladder 6->5, 5->4, 4->3; visual 6->4, 5->3, 4->3,
 * 3->2) and cerebral (mental) 1 counts as 0: 0.0 allows cerebral 1, and
 * 1.0 / 1.5 count FS at 1 "excluding cerebral". With counts n1..n4 of the
 * converted FS at each grade:
 *   any FS 5 or more -> 5.0;
 *   n4 >= 2 -> 5.0; n4 = 1: with three or more FS 3 -> 5.0, with any FS 2
 *     or 3 -> 4.5, alone (others 0 or 1) -> 4.0;
 *   n3 >= 6 -> 5.0; n3 = 5 -> 4.5; n3 = 2-4 -> 4.0, except two FS 3 with
 *     others 0 or 1 -> 3.5; n3 = 1: alone -> 3.0, with one or two FS 2 ->
 *     3.5, with three or more FS 2 -> 4.0;
 *   n2 = 1 -> 2.0, 2 -> 2.5, 3-4 -> 3.0, 5 -> 3.5, 6-7 -> 4.0;
 *   n1 = 1 -> 1.0, n1 >= 2 -> 1.5; none -> 0.0.
 * Ambulation then sets the lowest step it allows (fully ambulatory 2.0,
 * 300 m 4.5, 200 m 5.0) and from 100 m (5.5) on gives the step alone: aids
 * 6.0 / 6.5, wheelchair 7.0 / 7.5, bed or chair 8.0 to 9.5, death due to
 * MS 10.
 */
static double edss_from_fs(const int fs[], int n)
{
    int c[7] = {0};
    for (int i = 0; i < n; i++)
        c[fs[i] < 0 ? 0 : fs[i] > 6 ? 6 : fs[i]]++;
    if (c[5] + c[6] > 0 || c[4] >= 2)
        return 5.0;
    if (c[4] == 1) {
        if (c[3] >= 3)
            return 5.0;
        return c[3] + c[2] > 0 ? 4.5 : 4.0;
    }
    if (c[3] >= 6)
        return 5.0;
    if (c[3] == 5)
        return 4.5;
    if (c[3] >= 2)
        return c[3] == 2 && c[2] == 0 ? 3.5 : 4.0;
    if (c[3] == 1)
        return c[2] == 0 ? 3.0 : c[2] <= 2 ? 3.5 : 4.0;
    if (c[2] > 0) {
        static const double by_count[] = {0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0, 4.0};
        return by_count[c[2] > 7 ? 7 : c[2]];
    }
    if (c[1] > 0)
        return c[1] == 1 ? 1.0 : 1.5;
    return 0.0;
}

static void score_edss(const instr_def *def, const slot *s, instr_result *r)
{
    int fs[8], n = 0;
    double ambulation_floor = 0.0;
    for (int i = 0; i < def->n_items; i++) {
        const instr_item *it = &def->items[i];
        int p = points_of(it, &s[i]);
        if (strcmp(it->id, "ambulation") == 0) {
            ambulation_floor = p / 10.0;
            continue;
        }
        int step_grade = p;
        if (strcmp(it->id, "bowel_bladder") == 0)
            p = step_grade = (int[]){0, 1, 2, 3, 3, 4, 5}[p];
        else if (strcmp(it->id, "visual") == 0)
            p = step_grade = (int[]){0, 1, 2, 2, 3, 3, 4}[p];
        else if (strcmp(it->id, "cerebral") == 0 && p == 1)
            step_grade = 0;
        if (n < 8)
            fs[n++] = step_grade;
        add_number(r, it->id, p, 0);
    }
    double step =
        ambulation_floor >= 5.5 ? ambulation_floor : fmax(edss_from_fs(fs, n), ambulation_floor);
    /* the total goes first */
    memmove(&r->out[1], &r->out[0], (size_t)r->n_out * sizeof r->out[0]);
    r->n_out++;
    memset(&r->out[0], 0, sizeof r->out[0]);
    snprintf(r->out[0].name, sizeof r->out[0].name, "edss");
    r->out[0].number = step;
    r->out[0].decimals = 1;
}

cc_status instrument_score(const instr_def *def, const char *version, const instr_answer *answers,
                           size_t n, instr_result *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    out->def = def;
    if (def == NULL || def->n_items > MAX_ITEMS)
        return cc_fail(err, CC_INVALID, "instrument", "unknown_instrument", "unknown instrument");
    if (version != NULL && strcmp(version, def->version) != 0)
        return cc_fail(err, CC_INVALID, "version", "wrong_version",
                       "version: %s is at version %s, not '%.20s'", def->id, def->version, version);
    slot s[MAX_ITEMS];
    memset(s, 0, sizeof s);
    for (size_t a = 0; a < n; a++) {
        const char *id = answers[a].item ? answers[a].item : "";
        int i = find_item(def, id);
        if (i < 0)
            return cc_fail(err, CC_INVALID, id, "unknown_item", "%.60s: not an item of %s", id,
                           def->id);
        if (s[i].answered)
            return cc_fail(err, CC_INVALID, id, "duplicate_item", "%s: answered twice", id);
        cc_status st = parse_answer(&def->items[i], answers[a].value, &s[i], err);
        if (st != CC_OK)
            return st;
        s[i].answered = true;
    }
    for (int i = 0; i < def->n_items; i++) {
        const instr_item *it = &def->items[i];
        if (it->required && !s[i].answered)
            return cc_fail(err, CC_INVALID, it->id, "missing", "%s: is required", it->id);
        if (it->one_of != 0) {
            int answered = 0, first = -1;
            for (int j = 0; j < def->n_items; j++)
                if (def->items[j].one_of == it->one_of) {
                    if (first < 0)
                        first = j;
                    answered += s[j].answered;
                }
            if (i == first && answered != 1)
                return cc_fail(err, CC_INVALID, it->id, answered ? "invalid_value" : "missing",
                               "%s: exactly one of its alternative forms must be answered", it->id);
        }
    }
    switch (def->rule) {
    case INSTR_RULE_SUM: score_sum(def, s, out, false); break;
    case INSTR_RULE_SUM_GROUPED: score_sum(def, s, out, true); break;
    case INSTR_RULE_ALSFRS: score_alsfrs(def, s, out); break;
    case INSTR_RULE_KOOS: score_koos(def, s, out); break;
    case INSTR_RULE_EACH: score_each(def, s, out); break;
    case INSTR_RULE_ORDINAL_MAX: return score_ordinal_max(def, s, out, err);
    case INSTR_RULE_EDSS: score_edss(def, s, out); break;
    }
    return CC_OK;
}

const instr_output *instrument_output(const instr_result *r, const char *name)
{
    for (int i = 0; i < r->n_out; i++)
        if (strcmp(r->out[i].name, name) == 0)
            return &r->out[i];
    return NULL;
}

void instrument_output_format(const instr_output *o, char *buf, size_t cap)
{
    if (o->is_text)
        snprintf(buf, cap, "%s", o->text);
    else
        snprintf(buf, cap, "%.*f", o->decimals, o->number);
}
