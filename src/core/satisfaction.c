#include "satisfaction.h"

#include <string.h>

static const char NOT_APPLICABLE[] = "not_applicable";

/* Top-box lines of the ordinal items, by item id (a trailing '*' matches a prefix). */
static const struct {
    const char *item;
    sat_top_box box;
} TOP_BOXES[] = {
    {"satisfaction",
     {{"4", "5", NULL}, "satisfied or very satisfied", "satisfait ou très satisfait"}},
    {"pgic",
     {{"1", "2", NULL}, "much or very much improved", "nettement ou très nettement amélioré"}},
    {"change_*",
     {{"better", "much_better", NULL}, "better or much better", "mieux ou beaucoup mieux"}},
    {"would_recommend", {{"yes", NULL, NULL}, "would recommend", "recommanderait"}},
};

static const instr_def *definition(void)
{
    return instrument_find("satisfaction");
}

/* The instrument's index of reported item i, or -1. */
static int item_index(size_t i)
{
    const instr_def *d = definition();
    size_t k = 0;
    for (int j = 0; d && j < d->n_items; j++) {
        if (d->items[j].kind != INSTR_OPTIONS)
            continue;
        if (k++ == i)
            return j;
    }
    return -1;
}

size_t satisfaction_item_count(void)
{
    const instr_def *d = definition();
    size_t n = 0;
    for (int j = 0; d && j < d->n_items; j++)
        n += d->items[j].kind == INSTR_OPTIONS;
    return n < SAT_MAX_ITEMS ? n : SAT_MAX_ITEMS;
}

const instr_item *satisfaction_item(size_t i)
{
    int j = i < satisfaction_item_count() ? item_index(i) : -1;
    return j < 0 ? NULL : &definition()->items[j];
}

int satisfaction_option_count(size_t i)
{
    const instr_item *it = satisfaction_item(i);
    int n = 0;
    for (int k = 0; it && k < it->n_options; k++)
        n += strcmp(it->options[k].code, NOT_APPLICABLE) != 0;
    return n < SAT_MAX_OPTIONS ? n : SAT_MAX_OPTIONS;
}

const instr_option *satisfaction_option(size_t i, int k)
{
    const instr_item *it = satisfaction_item(i);
    int seen = 0;
    for (int j = 0; it && k >= 0 && k < satisfaction_option_count(i) && j < it->n_options; j++) {
        if (strcmp(it->options[j].code, NOT_APPLICABLE) == 0)
            continue;
        if (seen++ == k)
            return &it->options[j];
    }
    return NULL;
}

int satisfaction_code(size_t i, const char *text)
{
    if (!text || !*text)
        return SAT_NO_ANSWER;
    const instr_item *it = satisfaction_item(i);
    if (!it)
        return SAT_UNREADABLE;
    if (strcmp(text, NOT_APPLICABLE) == 0) {
        for (int j = 0; j < it->n_options; j++)
            if (strcmp(it->options[j].code, NOT_APPLICABLE) == 0)
                return SAT_NOT_APPLICABLE;
        return SAT_UNREADABLE;
    }
    for (int k = 0, n = satisfaction_option_count(i); k < n; k++)
        if (strcmp(satisfaction_option(i, k)->code, text) == 0)
            return k;
    return SAT_UNREADABLE;
}

const sat_top_box *satisfaction_top_box(size_t i)
{
    const instr_item *it = satisfaction_item(i);
    for (size_t b = 0; it && b < sizeof TOP_BOXES / sizeof TOP_BOXES[0]; b++) {
        const char *pat = TOP_BOXES[b].item;
        size_t len = strlen(pat);
        bool match =
            pat[len - 1] == '*' ? strncmp(it->id, pat, len - 1) == 0 : strcmp(it->id, pat) == 0;
        if (match)
            return &TOP_BOXES[b].box;
    }
    return NULL;
}

/* Is option k of item i in its top box? */
static bool in_top_box(size_t i, int k)
{
    const sat_top_box *box = satisfaction_top_box(i);
    const instr_option *o = satisfaction_option(i, k);
    for (size_t c = 0; box && o && c < 3 && box->codes[c]; c++)
        if (strcmp(box->codes[c], o->code) == 0)
            return true;
    return false;
}

static cc_status check(const sat_patient *patients, size_t n, size_t n_tp, size_t n_items,
                       cc_error *err)
{
    if (n_tp > STATS_FLOW_MAX_TIMEPOINTS)
        return cc_fail(err, CC_INVALID, "n_timepoints", "too_many", "at most %d time points",
                       STATS_FLOW_MAX_TIMEPOINTS);
    if (n > 0 && !patients)
        return cc_fail(err, CC_INVALID, "patients", "missing", "patients is NULL");
    for (size_t p = 0; p < n; p++) {
        if (n_tp > 0 && !patients[p].responses)
            return cc_fail(err, CC_INVALID, "patients", "missing",
                           "patients[%zu]: responses is NULL", p);
        for (size_t t = 0; t < n_tp; t++) {
            const sat_response *r = &patients[p].responses[t];
            bool bad = r->visit <= STATS_VISIT_NONE || r->visit >= STATS_VISIT_COUNT_ ||
                       (r->answered && !r->codes);
            for (size_t i = 0; !bad && r->answered && i < n_items; i++)
                bad = r->codes[i] < SAT_UNREADABLE || r->codes[i] >= satisfaction_option_count(i) ||
                      (r->codes[i] == SAT_NOT_APPLICABLE &&
                       satisfaction_code(i, NOT_APPLICABLE) != SAT_NOT_APPLICABLE);
            if (bad)
                return cc_fail(err, CC_INVALID, "patients", "invalid_value",
                               "patients[%zu].responses[%zu]: invalid status or code", p, t);
        }
    }
    return CC_OK;
}

/* Fills the proportions of one time point once its counts are known. */
static cc_status proportions(sat_point *pt, const uint64_t *top, uint64_t (*count)[SAT_MAX_OPTIONS],
                             size_t n_items, cc_error *err)
{
    cc_status st = stats_wilson(pt->answered, pt->asked, &pt->response_asked, err);
    if (st == CC_OK)
        st = stats_wilson(pt->answered, pt->treated, &pt->response_treated, err);
    for (size_t i = 0; st == CC_OK && i < n_items; i++) {
        sat_item_result *it = &pt->item[i];
        for (int k = 0; st == CC_OK && k < satisfaction_option_count(i); k++)
            st = stats_wilson(count[i][k], it->answered_item, &it->option[k], err);
        it->has_top_box = satisfaction_top_box(i) != NULL;
        if (st != CC_OK || !it->has_top_box)
            continue;
        st = stats_wilson(top[i], it->answered_item, &it->top_box, err);
        if (st == CC_OK)
            st = stats_wilson(top[i], pt->asked, &it->top_box_asked, err);
        if (st == CC_OK)
            st = stats_wilson(top[i], pt->treated, &it->top_box_treated, err);
    }
    return st;
}

cc_status satisfaction_compute(const sat_patient *patients, size_t n, size_t n_timepoints,
                               sat_result *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n_items = satisfaction_item_count();
    cc_status st = check(patients, n, n_timepoints, n_items, err);
    if (st != CC_OK)
        return st;
    out->n_items = n_items;
    out->n_timepoints = n_timepoints;
    for (size_t t = 0; t < n_timepoints; t++) {
        sat_point *pt = &out->point[t];
        uint64_t top[SAT_MAX_ITEMS] = {0}, count[SAT_MAX_ITEMS][SAT_MAX_OPTIONS] = {{0}};
        for (size_t p = 0; p < n; p++) {
            const sat_response *r = &patients[p].responses[t];
            /* an answer is never dropped: it makes the time point due (it is in the window) */
            bool due = r->visit != STATS_VISIT_NOT_YET_DUE || r->answered;
            bool named = r->scheduled || r->link;
            pt->treated++;
            pt->not_yet_due += !due;
            pt->due += due;
            pt->scheduled += due && named;
            if (!r->answered && !(due && named))
                continue;
            pt->asked++;
            pt->links += r->link;
            if (!r->answered) {
                pt->not_answered[r->visit]++;
                continue;
            }
            pt->answered++;
            pt->answered_unscheduled += !named;
            for (size_t i = 0; i < n_items; i++) {
                sat_item_result *it = &pt->item[i];
                int c = r->codes[i];
                if (c == SAT_NOT_APPLICABLE)
                    it->not_applicable++;
                else if (c == SAT_NO_ANSWER)
                    it->skipped++;
                else if (c == SAT_UNREADABLE)
                    it->unreadable++;
                else {
                    it->answered_item++;
                    count[i][c]++;
                    top[i] += in_top_box(i, c);
                }
            }
        }
        if ((st = proportions(pt, top, count, n_items, err)) != CC_OK)
            return st;
    }
    return CC_OK;
}

void satisfaction_match(const report_window *windows, size_t n_timepoints, const cc_date *days,
                        size_t n_days, size_t *chosen)
{
    for (size_t t = 0; t < n_timepoints; t++) {
        int best = INT32_MAX, dist;
        cc_date best_day = REPORT_NO_DAY;
        chosen[t] = SIZE_MAX;
        for (size_t o = 0; o < n_days; o++) {
            if (!report_window_match(&windows[t], days[o], &dist) ||
                !report_match_better(dist, days[o], best, best_day))
                continue;
            best = dist;
            best_day = days[o];
            chosen[t] = o;
        }
    }
}
