/* cellclinic plan: the plan of a hypothetical patient in an empty clinic,
 * for scripts and for checking the planner by hand. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/programmes.h"
#include "app/protocol_json.h"
#include "cli/commands.h"
#include "cli/opts.h"

static const char USAGE[] =
    "usage: cellclinic plan --protocol ID --weight KG --start YYYY-MM-DD\n"
    "                       [--age-years N] [--count N] [--product TYPE] [--json]\n\n"
    "Prints the earliest plan for a hypothetical patient weighed on the start date,\n"
    "with the clinic empty (one slot a day per route): administrations with dates,\n"
    "routes, products and doses, ancillary sessions, follow-up visits and the quote.\n"
    "Uses the protocol versions shipped with this binary. Exit 2 on invalid input.\n";

/* The option a core field name came from. */
static const char *option_of(const char *field)
{
    static const char *const map[][2] = {{"weight", "weight"},   {"weight_date", "weight"},
                                         {"count", "count"},     {"age_years", "age-years"},
                                         {"product", "product"}, {"protocol", "protocol"},
                                         {"version", "protocol"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(field, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static int fail_with(const cc_error *err)
{
    const char *opt = option_of(err->field);
    if (opt) {
        fprintf(stderr, "cellclinic plan: option --%s: %s\n", opt, err->message);
        return 2;
    }
    fprintf(stderr, "cellclinic plan: %s\n", err->message);
    return err->status == CC_INVALID ? 2 : 1;
}

static void print_text(const protocol *p, const plan *pl, const dose_result *dose, const quote *q)
{
    char a[CC_DATE_TEXT], b[CC_DATE_TEXT];
    date_format(pl->start, a);
    date_format(pl->end, b);
    printf("%s version %d: %s\n", p->id, p->version, p->name_en);
    printf("stay %s to %s (%d days)\n", a, b, pl->stay_days);
    if (pl->has_product_ready) {
        date_format(pl->product_ready, a);
        printf("autologous product ready %s\n", a);
    }
    const char *unit = dose->unit == DOSE_CELLS ? "cells" : "microlitres";
    for (int i = 0; i < pl->n_admins; i++) {
        date_format(pl->admins[i].date, a);
        printf("  %2d  %s  day %2d  %-12s %-9s %llu %s\n", pl->admins[i].n, a, pl->admins[i].day,
               protocol_route_name(pl->admins[i].route),
               protocol_product_name(pl->admins[i].product),
               (unsigned long long)pl->admins[i].amount, unit);
    }
    printf("course %llu %s%s\n", (unsigned long long)dose->total, unit,
           dose->bounded_low    ? " (raised to the minimum)"
           : dose->bounded_high ? " (lowered to the maximum)"
                                : "");
    for (int i = 0; i < pl->n_ancillary; i++)
        printf("  %s: %d sessions\n", p->ancillary[pl->ancillary[i].index].name_en,
               pl->ancillary[i].sessions);
    for (int i = 0; i < pl->n_follow_up; i++) {
        date_format(pl->follow_up[i].window_start, a);
        date_format(pl->follow_up[i].window_end, b);
        char c[CC_DATE_TEXT];
        date_format(pl->follow_up[i].date, c);
        printf("  follow-up %-8s %s (%s .. %s)\n", pl->follow_up[i].label, c, a, b);
    }
    printf("quote: %lld.%02lld %s%s\n", (long long)(q->total_cents / 100),
           (long long)(q->total_cents % 100), q->currency,
           q->outside_range ? " (outside the programme's price range)" : "");
}

int cmd_plan(int argc, char **argv)
{
    const char *id, *weight, *start, *age, *count, *product, *json;
    const cli_option options[] = {
        {"protocol", true, true, &id},  {"weight", true, true, &weight},
        {"start", true, true, &start},  {"age-years", true, false, &age},
        {"count", true, false, &count}, {"product", true, false, &product},
        {"json", false, false, &json},  {NULL, false, false, NULL}};
    bool help;
    int rc = opts_parse("plan", argc, argv, 1, options, USAGE, &help);
    if (rc || help)
        return rc;
    cc_error err;
    arena *a = arena_create(1 << 20);
    if (!a)
        return 1;
    protocol p;
    if (programme_load(NULL, a, id, 0, &p, &err) != CC_OK) {
        arena_release(a);
        fprintf(stderr,
                "cellclinic plan: option --protocol: unknown protocol '%s' (see cellclinic "
                "protocols list)\n",
                id);
        return 2;
    }
    arena_release(a);
    char *end;
    errno = 0;
    double kg = strtod(weight, &end);
    if (errno || end == weight || *end || !isfinite(kg) || kg <= 0 || kg > 1000) {
        fprintf(stderr, "cellclinic plan: option --weight must be a weight in kg, e.g. 72.5\n");
        return 2;
    }
    programme_input in = {
        .protocol = &p, .product = product, .age_years = -1, .weight_g = (int)lround(kg * 1000)};
    if (date_parse(start, "start", &in.earliest, &err) != CC_OK) {
        fprintf(stderr, "cellclinic plan: option --start must be a date YYYY-MM-DD\n");
        return 2;
    }
    in.weight_date = in.as_of = in.earliest;
    int64_t v;
    if (age) {
        if (!opts_int("plan", "age-years", age, 0, 130, &v))
            return 2;
        in.age_years = (int)v;
    }
    if (count) {
        if (!opts_int("plan", "count", count, p.admin_min, p.admin_max, &v))
            return 2;
        in.count = (int)v;
    }
    planner_calendar cal = {0};
    for (int r = 0; r < RT_COUNT; r++)
        cal.capacity[r] = 1;
    plan pl;
    dose_result dose;
    quote q;
    if (programme_plan(&in, &cal, &pl, &dose, &q, &err) != CC_OK)
        return fail_with(&err);
    if (json) {
        json_t *o = plan_to_json(&p, &pl, &dose, &q, NULL, 0, NULL);
        char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (!text)
            return 1;
        puts(text);
        free(text);
    } else {
        print_text(&p, &pl, &dose, &q);
    }
    return 0;
}
