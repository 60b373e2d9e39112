#include "planner.h"

#include <stdio.h>
#include <string.h>

int planner_used(const planner_calendar *cal, cc_date date, admin_route r)
{
    if (!cal->used || date < cal->first || date >= cal->first + cal->n_days)
        return 0;
    return cal->used[date - cal->first][r];
}

static bool has_slot(const planner_calendar *cal, cc_date date, admin_route r)
{
    return planner_used(cal, date, r) < cal->capacity[r];
}

cc_date planner_add_months(cc_date d, int months)
{
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int dim = date_days_in_month(y, m);
    if (day > dim)
        day = dim;
    cc_date out;
    if (!date_from_ymd(y, m, day, &out))
        return d + months * 30; /* beyond 2199: approximate, never reached by valid plans */
    return out;
}

admin_route planner_route_of(const planner_request *req, int i)
{
    if (req->n_cycle)
        return req->cycle[(size_t)i % req->n_cycle];
    return req->protocol->cycle[(size_t)i % req->protocol->n_cycle];
}

static int gap_days(const protocol *p)
{
    int g = protocol_hours_to_days(p->gap_hours);
    return g < 1 ? 1 : g;
}

/* Places the administrations for one admission date. Returns true when the
 * stay fits; otherwise *blocked names the route that found no slot in time
 * (RT_COUNT when spacing alone overflows the stay). */
static bool place(const planner_request *req, const planner_calendar *cal, cc_date admission,
                  cc_date ready, plan *out, admin_route *blocked)
{
    const protocol *p = req->protocol;
    int last[RT_COUNT], prev = 0, gap = gap_days(p);
    for (int r = 0; r < RT_COUNT; r++)
        last[r] = -100000;
    int limit = p->stay_max - p->observe_days; /* latest administration day */
    int first = p->first_admin_day;
    admin_route slipped = RT_COUNT; /* the last route that waited for a free slot */
    if (ready > admission + first - 1)
        first = (int)(ready - admission) + 1;
    for (int i = 0; i < req->count; i++) {
        admin_route r = planner_route_of(req, i);
        int day = i == 0 ? first : prev + gap;
        int spaced = last[r] + protocol_hours_to_days(p->spacing_hours[r]);
        if (spaced > day)
            day = spaced;
        int earliest = day;
        while (day <= limit && !has_slot(cal, admission + day - 1, r))
            day++;
        if (day > earliest)
            slipped = r;
        if (day > limit) {
            /* full slots pushed it out (now or earlier), or the spacing alone did */
            *blocked = slipped;
            return false;
        }
        planned_administration *a = &out->admins[i];
        a->n = i + 1;
        a->day = day;
        a->date = admission + day - 1;
        a->route = r;
        a->product = req->product;
        a->amount = req->per_admin;
        last[r] = prev = day;
    }
    out->n_admins = req->count;
    return true;
}

static void date_follow_up(const planner_request *req, cc_date last_date, plan *out);

static void finish(const planner_request *req, cc_date admission, plan *out)
{
    const protocol *p = req->protocol;
    int last = out->admins[out->n_admins - 1].day;
    int d = last + p->observe_days;
    if (d < p->stay_min)
        d = p->stay_min;
    out->start = admission;
    out->stay_days = d;
    out->end = admission + d - 1;
    out->n_ancillary = 0;
    for (size_t i = 0; i < p->n_ancillary; i++) {
        const ancillary_programme *a = &p->ancillary[i];
        if (a->optional && !(req->optional_ancillary & (1u << i)))
            continue;
        planned_ancillary *x = &out->ancillary[out->n_ancillary++];
        x->index = (int)i;
        x->sessions_per_day = a->sessions_per_day;
        x->first_day = 2;
        x->last_day = d - 1;
        x->sessions = d > 2 ? (d - 2) * a->sessions_per_day : 0;
    }
    date_follow_up(req, out->admins[out->n_admins - 1].date, out);
}

/* The follow-up visits, months after the last administration's day. */
static void date_follow_up(const planner_request *req, cc_date last_date, plan *out)
{
    const protocol *p = req->protocol;
    out->n_follow_up = (int)p->n_follow_up;
    for (size_t i = 0; i < p->n_follow_up; i++) {
        planned_visit *v = &out->follow_up[i];
        memcpy(v->label, p->follow_up[i].label, sizeof v->label);
        v->months = p->follow_up[i].months;
        v->date = planner_add_months(last_date, v->months);
        v->window_start = v->date - p->follow_up[i].window_days;
        v->window_end = v->date + p->follow_up[i].window_days;
    }
}

static cc_status check_request(const planner_request *req, const planner_calendar *cal,
                               cc_error *err)
{
    const protocol *p = req->protocol;
    if (req->count < p->admin_min || req->count > p->admin_max)
        return cc_fail(err, CC_INVALID, "count", "out_of_range",
                       "%s allows %d to %d administrations", p->id, p->admin_min, p->admin_max);
    if ((unsigned)req->product >= PT_COUNT || !(p->products & (1u << req->product)))
        return cc_fail(err, CC_INVALID, "product", "invalid_value", "%s does not use product %s",
                       p->id, protocol_product_name(req->product));
    if (req->n_cycle > PROTOCOL_MAX_CYCLE)
        return cc_fail(err, CC_INVALID, "routes", "too_many", "at most %d routes in a cycle",
                       PROTOCOL_MAX_CYCLE);
    for (size_t i = 0; i < req->n_cycle; i++)
        if ((unsigned)req->cycle[i] >= RT_COUNT || !(p->routes & (1u << req->cycle[i])))
            return cc_fail(err, CC_INVALID, "routes", "invalid_value", "%s does not allow route %s",
                           p->id, protocol_route_name(req->cycle[i]));
    if (req->per_admin < 1)
        return cc_fail(err, CC_INVALID, "dose", "invalid_value", "the dose must be positive");
    for (int r = 0; r < RT_COUNT; r++)
        if (cal->capacity[r] < 0 || cal->capacity[r] > PLANNER_MAX_SLOTS)
            return cc_fail(err, CC_INVALID, "capacity", "out_of_range",
                           "capacity must be 0..%d slots a day", PLANNER_MAX_SLOTS);
    return CC_OK;
}

cc_status planner_plan(const planner_request *req, const planner_calendar *cal, plan *out,
                       cc_error *err)
{
    cc_status st = check_request(req, cal, err);
    if (st != CC_OK)
        return st;
    const protocol *p = req->protocol;
    memset(out, 0, sizeof *out);
    cc_date ready = req->earliest, from = req->earliest;
    if (protocol_product_is_autologous(req->product)) {
        ready = req->earliest + p->lead_days_max;
        out->has_product_ready = true;
        out->product_ready = ready;
        if (ready - (p->first_admin_day - 1) > from)
            from = ready - (p->first_admin_day - 1);
    }
    int blocked_by[RT_COUNT + 1] = {0};
    for (int s = 0; s <= PLANNER_HORIZON_DAYS; s++) {
        admin_route blocked = RT_COUNT;
        if (place(req, cal, from + s, ready, out, &blocked)) {
            finish(req, from + s, out);
            return CC_OK;
        }
        blocked_by[blocked]++;
        if (blocked == RT_COUNT)
            break; /* no slot was waited for: the spacing alone overflows the stay */
    }
    if (blocked_by[RT_COUNT])
        return cc_fail(err, CC_CONFLICT, "count", "no_feasible_start",
                       "%d administrations with this spacing do not fit in a stay of %d days",
                       req->count, p->stay_max);
    int worst = 0;
    for (int r = 1; r < RT_COUNT; r++)
        if (blocked_by[r] > blocked_by[worst])
            worst = r;
    char field[40];
    snprintf(field, sizeof field, "capacity.%s", protocol_route_name((admin_route)worst));
    return cc_fail(err, CC_CONFLICT, field, "no_feasible_start",
                   "no admission date within %d days: %s slots are full (%d a day)",
                   PLANNER_HORIZON_DAYS, protocol_route_name((admin_route)worst),
                   cal->capacity[worst]);
}

cc_status planner_check(const planner_request *req, const planner_calendar *cal, const plan *pl,
                        cc_error *err)
{
    cc_status st = check_request(req, cal, err);
    if (st != CC_OK)
        return st;
    const protocol *p = req->protocol;
    if (pl->n_admins != req->count)
        return cc_fail(err, CC_INVALID, "administrations", "count",
                       "plan has %d administrations, not %d", pl->n_admins, req->count);
    if (pl->start < req->earliest)
        return cc_fail(err, CC_INVALID, "start", "too_early", "admission before the earliest date");
    if (pl->stay_days < p->stay_min || pl->stay_days > p->stay_max ||
        pl->end != pl->start + pl->stay_days - 1)
        return cc_fail(err, CC_INVALID, "stay_days", "out_of_range",
                       "stay of %d days outside %d..%d", pl->stay_days, p->stay_min, p->stay_max);
    int gap = gap_days(p);
    for (int i = 0; i < pl->n_admins; i++) {
        const planned_administration *a = &pl->admins[i];
        if (a->route != planner_route_of(req, i) || a->product != req->product ||
            a->amount != req->per_admin || a->n != i + 1)
            return cc_fail(err, CC_INVALID, "administrations", "wrong_item",
                           "administration %d does not follow the protocol", i + 1);
        if (a->date != pl->start + a->day - 1 || a->day < p->first_admin_day ||
            a->day + p->observe_days > pl->stay_days)
            return cc_fail(err, CC_INVALID, "administrations", "wrong_day",
                           "administration %d is on day %d", i + 1, a->day);
        if (pl->has_product_ready && a->date < pl->product_ready)
            return cc_fail(err, CC_INVALID, "administrations", "product_not_ready",
                           "administration %d before the product is ready", i + 1);
        if (i > 0 && a->day - pl->admins[i - 1].day < gap)
            return cc_fail(err, CC_INVALID, "administrations", "gap",
                           "administrations %d and %d are too close", i, i + 1);
        for (int j = 0; j < i; j++)
            if (pl->admins[j].route == a->route &&
                a->day - pl->admins[j].day < protocol_hours_to_days(p->spacing_hours[a->route]))
                return cc_fail(err, CC_INVALID, "administrations", "spacing",
                               "%s administrations %d and %d are less than %d hours apart",
                               protocol_route_name(a->route), j + 1, i + 1,
                               p->spacing_hours[a->route]);
        int same_day = 0; /* this plan's own slots on that day and route */
        for (int j = 0; j < pl->n_admins; j++)
            same_day += pl->admins[j].date == a->date && pl->admins[j].route == a->route;
        if (planner_used(cal, a->date, a->route) + same_day > cal->capacity[a->route])
            return cc_fail(err, CC_CONFLICT, "capacity", "capacity_taken",
                           "no %s slot left on day %d", protocol_route_name(a->route), a->day);
    }
    if (pl->n_admins > 0 &&
        pl->stay_days != (pl->admins[pl->n_admins - 1].day + p->observe_days > p->stay_min
                              ? pl->admins[pl->n_admins - 1].day + p->observe_days
                              : p->stay_min))
        return cc_fail(err, CC_INVALID, "stay_days", "not_shortest",
                       "discharge is not the earliest the protocol allows");
    return CC_OK;
}

void planner_book(planner_calendar *cal, const plan *pl, int delta)
{
    if (!cal->used)
        return;
    for (int i = 0; i < pl->n_admins; i++) {
        cc_date d = pl->admins[i].date;
        if (d < cal->first || d >= cal->first + cal->n_days)
            continue;
        uint16_t *u = &cal->used[d - cal->first][pl->admins[i].route];
        if (delta < 0 && *u > 0)
            (*u)--;
        else if (delta > 0 && *u < UINT16_MAX)
            (*u)++;
    }
}

/* The day administration i counts from: the day it was given, else its plan date. */
static cc_date effective(const planner_progress *pg, const plan *pl, int i)
{
    return pg->given[i] ? pg->given_on[i] : pl->admins[i].date;
}

/* The rules of a moved administration i on its own. */
static cc_status check_moved_one(const planner_request *req, const planner_calendar *cal,
                                 const planner_progress *pg, const plan *out, int i,
                                 const char *field, cc_error *err)
{
    const protocol *p = req->protocol;
    const planned_administration *a = &out->admins[i];
    if (a->date < pg->today)
        return cc_fail(err, CC_CONFLICT, field, "move_in_past",
                       "administration %d would be %d day(s) before today", a->n,
                       (int)(pg->today - a->date));
    if (a->day < p->first_admin_day)
        return cc_fail(err, CC_CONFLICT, field, "move_admission_day",
                       "administration %d would be on stay day %d; the first allowed is day %d",
                       a->n, a->day, p->first_admin_day);
    if (out->has_product_ready && a->date < out->product_ready)
        return cc_fail(err, CC_CONFLICT, field, "move_product_not_ready",
                       "administration %d would be %d day(s) before the product is ready", a->n,
                       (int)(out->product_ready - a->date));
    int same_day = 0;
    for (int j = 0; j < out->n_admins; j++)
        same_day += out->admins[j].date == a->date && out->admins[j].route == a->route;
    if (planner_used(cal, a->date, a->route) + same_day > cal->capacity[a->route])
        return cc_fail(err, CC_CONFLICT, field, "move_capacity",
                       "administration %d: no free slot for its route that day (%d of %d taken)",
                       a->n, planner_used(cal, a->date, a->route), cal->capacity[a->route]);
    return CC_OK;
}

/* Every rule of the header on out (in: the plan before the move). */
static cc_status check_moved(const planner_request *req, const planner_calendar *cal,
                             const planner_progress *pg, const plan *in, plan *out,
                             const char *field, cc_error *err)
{
    const protocol *p = req->protocol;
    bool moved[PROTOCOL_MAX_ADMINISTRATIONS] = {false};
    for (int i = 0; i < out->n_admins; i++) {
        planned_administration *a = &out->admins[i];
        a->day = (int)(a->date - out->start) + 1;
        moved[i] = a->date != in->admins[i].date || out->start != in->start;
        if (moved[i] && pg->given[i])
            return cc_fail(err, CC_CONFLICT, "item", "move_item_given",
                           "administration %d was given: it no longer moves", a->n);
    }
    for (int i = 0; i < out->n_admins; i++) {
        cc_status st;
        if (moved[i] && (st = check_moved_one(req, cal, pg, out, i, field, err)) != CC_OK)
            return st;
    }
    int gap = gap_days(p);
    for (int i = 0; i < out->n_admins; i++)
        for (int j = 0; j < i; j++) {
            if (!moved[i] && !moved[j])
                continue;
            int apart = (int)(effective(pg, out, i) - effective(pg, out, j));
            const planned_administration *a = &out->admins[i], *b = &out->admins[j];
            if (apart < 0)
                return cc_fail(err, CC_CONFLICT, field, "move_order",
                               "administration %d would come before administration %d", a->n, b->n);
            if (j == i - 1 && apart < gap)
                return cc_fail(err, CC_CONFLICT, field, "move_gap",
                               "administrations %d and %d would be %d day(s) apart", b->n, a->n,
                               apart);
            if (a->route == b->route && apart < protocol_hours_to_days(p->spacing_hours[a->route]))
                return cc_fail(err, CC_CONFLICT, field, "move_spacing",
                               "administrations %d and %d by the same route would be %d day(s) "
                               "apart",
                               b->n, a->n, apart);
        }
    int last = out->n_admins - 1;
    finish(req, out->start, out);
    if (pg->given[last])
        date_follow_up(req, pg->given_on[last], out);
    if (out->stay_days > p->stay_max)
        return cc_fail(err, CC_CONFLICT, field, "move_stay_too_long",
                       "the stay would last %d days; the protocol allows at most %d",
                       out->stay_days, p->stay_max);
    return CC_OK;
}

static cc_status find_item(const plan *in, int item, int *index, cc_error *err)
{
    for (int i = 0; i < in->n_admins; i++)
        if (in->admins[i].n == item) {
            *index = i;
            return CC_OK;
        }
    return cc_fail(err, CC_INVALID, "item", "not_found", "the plan has no administration %d", item);
}

static cc_status begin_move(const planner_request *req, const planner_calendar *cal, const plan *in,
                            int item, int *index, plan *out, cc_error *err)
{
    cc_status st = check_request(req, cal, err);
    if (st != CC_OK || (st = find_item(in, item, index, err)) != CC_OK)
        return st;
    if (in->n_admins < 1 || in->n_admins > PROTOCOL_MAX_ADMINISTRATIONS)
        return cc_fail(err, CC_INVALID, "administrations", "count",
                       "the plan has %d administrations", in->n_admins);
    *out = *in;
    return CC_OK;
}

cc_status planner_move_item(const planner_request *req, const planner_calendar *cal,
                            const planner_progress *pg, const plan *in, int item, cc_date date,
                            plan *out, cc_error *err)
{
    int i = 0;
    cc_status st = begin_move(req, cal, in, item, &i, out, err);
    if (st != CC_OK)
        return st;
    out->admins[i].date = date;
    return check_moved(req, cal, pg, in, out, "date", err);
}

cc_status planner_shift(const planner_request *req, const planner_calendar *cal,
                        const planner_progress *pg, const plan *in, int from_item, int days,
                        plan *out, cc_error *err)
{
    int from = 0;
    cc_status st = begin_move(req, cal, in, from_item, &from, out, err);
    if (st != CC_OK)
        return st;
    if (days < 1 || days > PLANNER_MAX_SHIFT_DAYS)
        return cc_fail(err, CC_INVALID, "days", "out_of_range", "days must be 1..%d",
                       PLANNER_MAX_SHIFT_DAYS);
    bool any_given = false;
    for (int i = 0; i < in->n_admins; i++)
        any_given |= pg->given[i];
    if (from == 0 && !any_given)
        out->start += days;
    for (int i = from; i < in->n_admins; i++)
        out->admins[i].date += days;
    return check_moved(req, cal, pg, in, out, "days", err);
}
