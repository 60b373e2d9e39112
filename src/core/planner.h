/*
 * planner: turns a protocol into the earliest feasible stay for one patient
 * (DESIGN.md section 3 "Treatment plan"; hazard H5).
 *
 * Input: a protocol, the number of administrations, the product, the dose
 * (dose.h), the desired earliest admission date, and the clinic calendar:
 * procedure slots per day per route (capacity) and the slots that approved
 * plans already occupy (used). Days outside the calendar's span count as
 * empty.
 *
 * The stay: day 1 is admission and pre-treatment examination, nothing is
 * given on it (first administration on day >= protocol.first_admin_day >= 2).
 * Administration i uses route cycle[i % n_cycle]. Every administration is at
 * least ceil(gap_hours / 24) days after the previous one (at least one day:
 * one administration a day) and at least ceil(spacing_hours[route] / 24)
 * days after the previous one by the same route (72 h intrathecal -> 3
 * days). Discharge day D = max(stay_min, last administration day +
 * observe_days); the stay is feasible when D <= stay_max and every
 * administration day has a free slot for its route. Autologous products
 * (BM-MSC, AD-MSC) wait for manufacturing: the first administration is not
 * before ready = earliest + lead_days_max, and the admission is not before
 * ready - (first_admin_day - 1) (the patient does not wait in the clinic).
 *
 * Search: for each admission date from the earliest, up to 365 days later,
 * administrations are placed greedily on the first day that satisfies the
 * spacing and has a free slot. Because every constraint is a lower bound on
 * a day, placing each administration as early as possible never delays a
 * later one, so the greedy placement finds a feasible stay for that
 * admission date whenever one exists. The first admission date that works
 * is returned: the earliest feasible stay.
 *
 * When no admission date within 365 days works, planner_plan returns
 * CC_CONFLICT "no_feasible_start" naming the blocking constraint in field:
 * "capacity.<route>" (that route's slots are full or zero), or "count" (the
 * spacing cannot fit that many administrations in stay_max).
 *
 * planner_check re-verifies a plan against every rule above and a calendar
 * (used by tests, and before an approved plan books its slots).
 *
 * Ownership: the calendar's used array is caller-owned (n_days rows);
 * planner_plan only reads it, planner_book writes it. Pure, thread-safe for
 * distinct calendars.
 */
#ifndef CC_PLANNER_H
#define CC_PLANNER_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "dose.h"
#include "protocol.h"
#include "status.h"

enum { PLANNER_HORIZON_DAYS = 365, PLANNER_MAX_SLOTS = 1000 };

typedef struct {
    cc_date first; /* first day of used[] */
    int n_days;
    uint16_t (*used)[RT_COUNT]; /* NULL: nothing booked */
    int capacity[RT_COUNT];     /* slots per day per route, 0..PLANNER_MAX_SLOTS */
} planner_calendar;

typedef struct {
    const protocol *protocol;
    int count;
    product_type product;
    uint64_t per_admin;                    /* from dose_compute */
    cc_date earliest;                      /* desired earliest admission date */
    unsigned optional_ancillary;           /* bit i: include optional ancillary[i] */
    admin_route cycle[PROTOCOL_MAX_CYCLE]; /* n_cycle 0: the protocol's route cycle */
    size_t n_cycle;
} planner_request;

/* The route of administration i (0-based) under a request. */
admin_route planner_route_of(const planner_request *req, int i);

typedef struct {
    int n; /* 1-based */
    cc_date date;
    int day; /* stay day, admission = 1 */
    admin_route route;
    product_type product;
    uint64_t amount;
} planned_administration;

typedef struct {
    int index; /* into protocol.ancillary */
    int sessions_per_day;
    int first_day, last_day; /* stay days; first > last when none */
    int sessions;            /* total */
} planned_ancillary;

typedef struct {
    char label[PROTOCOL_CODE_MAX];
    int months;
    cc_date date, window_start, window_end;
} planned_visit;

typedef struct {
    cc_date start, end; /* admission and discharge dates */
    int stay_days;
    bool has_product_ready;
    cc_date product_ready;
    planned_administration admins[PROTOCOL_MAX_ADMINISTRATIONS];
    int n_admins;
    planned_ancillary ancillary[PROTOCOL_MAX_ANCILLARY];
    int n_ancillary;
    planned_visit follow_up[PROTOCOL_MAX_FOLLOW_UP];
    int n_follow_up;
} plan;

cc_status planner_plan(const planner_request *req, const planner_calendar *cal, plan *out,
                       cc_error *err);

/* Every rule of the header: count, cycle, day 1 empty, spacing, gap, stay
 * bounds, product readiness, capacity (used + the plan's own slots). */
cc_status planner_check(const planner_request *req, const planner_calendar *cal, const plan *pl,
                        cc_error *err);

/* Adds (delta +1) or removes (-1) a plan's slots; slots outside the span are
 * ignored. */
void planner_book(planner_calendar *cal, const plan *pl, int delta);

/* Slots used on a date for a route (0 outside the span). */
int planner_used(const planner_calendar *cal, cc_date date, admin_route r);

/* date plus months, the day clamped to the month's end (Jan 31 + 1 = Feb 28/29). */
cc_date planner_add_months(cc_date d, int months);

/*
 * Moving an approved plan: a postponed dose (planner_move_item) or a stay
 * that starts or continues later (planner_shift). Only administrations not
 * yet given move; a given one keeps its date and counts for spacing from
 * the day it was given (progress.given_on). The moved plan keeps its
 * administrations, routes and doses; its discharge, ancillary sessions and
 * follow-up visits (months after the last administration, from the day it
 * was given when it was) are computed again as planner_plan computes them.
 *
 * The rules a move must keep, each refused with its own code (CC_CONFLICT;
 * field: the request field that carries the move, "date" or "days", or
 * "item"):
 *   move_item_given     the item (or one the shift would move) was given
 *   move_in_past        a moved administration before today
 *   move_admission_day  before protocol.first_admin_day (day 1 empty)
 *   move_product_not_ready  before an autologous product is ready
 *   move_order          past the next (or before the previous) administration
 *   move_gap            closer than gap_hours to another administration
 *   move_spacing        closer than spacing_hours[route] to another one by
 *                       the same route (72 h between lumbar punctures)
 *   move_stay_too_long  the discharge would fall after protocol.stay_max
 *   move_capacity       no free slot for its route on the new day
 * Pair rules are checked for pairs with at least one moved administration.
 * cal must not hold the plan's own slots (planner_book(cal, in, -1)).
 * Bad input (an item the plan lacks, days outside 1..PLANNER_MAX_SHIFT_DAYS)
 * is CC_INVALID. out may not alias in.
 */
enum { PLANNER_MAX_SHIFT_DAYS = 90 };

typedef struct {
    cc_date today;
    bool given[PROTOCOL_MAX_ADMINISTRATIONS]; /* by index into plan.admins */
    cc_date given_on[PROTOCOL_MAX_ADMINISTRATIONS];
} planner_progress;

/* Moves administration n = item to date. */
cc_status planner_move_item(const planner_request *req, const planner_calendar *cal,
                            const planner_progress *pg, const plan *in, int item, cc_date date,
                            plan *out, cc_error *err);

/* Moves administration n = from_item and every later one by days. When
 * nothing is given and from_item is the first, the admission moves too (the
 * patient arrives late). */
cc_status planner_shift(const planner_request *req, const planner_calendar *cal,
                        const planner_progress *pg, const plan *in, int from_item, int days,
                        plan *out, cc_error *err);

#endif
