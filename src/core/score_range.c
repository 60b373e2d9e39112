#include "score_range.h"

#include <stdio.h>
#include <string.h>

#include "instruments.h"

enum { RANGE_ITEMS = 64, RANGE_VALUE = 24 };

static bool isncsci_range(const char *score, double *lo, double *hi)
{
    static const struct {
        const char *name;
        double hi;
    } TOTALS[] = {{"uems", 50}, {"lems", 50}, {"light_touch", 112}, {"pin_prick", 112}};
    for (size_t i = 0; i < sizeof TOTALS / sizeof TOTALS[0]; i++)
        if (strcmp(score, TOTALS[i].name) == 0) {
            *lo = 0;
            *hi = TOTALS[i].hi;
            return true;
        }
    return false;
}

/* The answers giving every item its lowest (high false) or highest points. */
static size_t extreme_answers(const instr_def *def, bool high, instr_answer *a,
                              char values[][RANGE_VALUE])
{
    size_t n = 0;
    for (int i = 0; i < def->n_items && n < RANGE_ITEMS; i++) {
        const instr_item *it = &def->items[i];
        bool later_of_set = false;
        for (int j = 0; j < i && it->one_of; j++)
            later_of_set |= def->items[j].one_of == it->one_of;
        if (later_of_set || it->kind == INSTR_TEXT)
            continue;
        if (it->kind == INSTR_OPTIONS) {
            if (it->n_options == 0)
                continue;
            const instr_option *best = &it->options[0];
            for (int k = 1; k < it->n_options; k++)
                if (high ? it->options[k].points > best->points
                         : it->options[k].points < best->points)
                    best = &it->options[k];
            snprintf(values[n], RANGE_VALUE, "%s", best->code);
        } else {
            double v = high ? it->max : it->min;
            if (!high && it->min_open)
                v += (it->max - it->min) * 1e-6;
            snprintf(values[n], RANGE_VALUE, "%.9g", v);
        }
        a[n].item = it->id;
        a[n].value = values[n];
        n++;
    }
    return n;
}

bool score_range(const char *instrument, const char *score, double *lo, double *hi)
{
    if (!instrument || !score)
        return false;
    if (strcmp(instrument, "isncsci") == 0)
        return isncsci_range(score, lo, hi);
    const instr_def *def = instrument_find(instrument);
    if (!def)
        return false;
    double ends[2];
    for (int high = 0; high < 2; high++) {
        instr_answer a[RANGE_ITEMS];
        char values[RANGE_ITEMS][RANGE_VALUE];
        size_t n = extreme_answers(def, high, a, values);
        instr_result r;
        cc_error err;
        if (instrument_score(def, NULL, a, n, &r, &err) != CC_OK)
            return false;
        const instr_output *o = instrument_output(&r, score);
        if (!o || o->is_text)
            return false;
        ends[high] = o->number;
    }
    *lo = ends[0] < ends[1] ? ends[0] : ends[1];
    *hi = ends[0] < ends[1] ? ends[1] : ends[0];
    return *lo < *hi;
}
