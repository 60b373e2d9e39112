/* JSON <-> core protocol and plan. */
#include "app/protocol_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/eligibility.h"

typedef struct {
    const json_t *o;
    const char *path; /* "" at the top level */
    cc_error *err;
} reader;

static void field_name(const reader *r, const char *key, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s%s%s", r->path, *r->path ? "." : "", key);
    if (n < 0 || (size_t)n >= cap) /* deep paths are cut, never overflow */
        out[cap - 1] = '\0';
}

static cc_status fail(const reader *r, const char *key, const char *code, const char *what)
{
    char f[64];
    field_name(r, key, f, sizeof f);
    return cc_fail(r->err, CC_INVALID, f, code, "%s %s", f, what);
}

/* keys: NULL-terminated list of allowed keys. */
static cc_status only(const reader *r, const char *const *keys)
{
    if (!json_is_object(r->o))
        return cc_fail(r->err, CC_INVALID, *r->path ? r->path : "", "wrong_type",
                       "%s must be an object", *r->path ? r->path : "the protocol");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)r->o, key, v)
    {
        const char *const *k = keys;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k)
            return fail(r, *key ? key : "(empty name)", "unknown_field", "is not a known field");
    }
    return CC_OK;
}

static cc_status get_int(const reader *r, const char *key, bool required, int64_t min, int64_t max,
                         int64_t *out)
{
    const json_t *v = json_object_get(r->o, key);
    if (!v)
        return required ? fail(r, key, "required", "is required") : CC_OK;
    if (!json_is_integer(v))
        return fail(r, key, "wrong_type", "must be an integer");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return fail(r, key, "out_of_range", "is out of range");
    *out = x;
    return CC_OK;
}

static cc_status get_i(const reader *r, const char *key, bool required, int min, int max, int *out)
{
    int64_t v = *out;
    cc_status st = get_int(r, key, required, min, max, &v);
    *out = (int)v;
    return st;
}

static cc_status get_u64(const reader *r, const char *key, bool required, uint64_t *out)
{
    int64_t v = (int64_t)*out;
    cc_status st = get_int(r, key, required, 0, INT64_C(1) << 50, &v);
    *out = (uint64_t)v;
    return st;
}

static cc_status get_num(const reader *r, const char *key, bool *has, double *out)
{
    const json_t *v = json_object_get(r->o, key);
    *has = v != NULL;
    if (!v)
        return CC_OK;
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return fail(r, key, "wrong_type", "must be a number");
    *out = json_number_value(v);
    return CC_OK;
}

static cc_status get_str(const reader *r, const char *key, bool required, char *out, size_t cap)
{
    const json_t *v = json_object_get(r->o, key);
    if (!v)
        return required ? fail(r, key, "required", "is required") : CC_OK;
    if (!json_is_string(v))
        return fail(r, key, "wrong_type", "must be a string");
    if (json_string_length(v) >= cap || strlen(json_string_value(v)) != json_string_length(v))
        return fail(r, key, "too_long", "is too long");
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return CC_OK;
}

static cc_status get_bool(const reader *r, const char *key, bool *out)
{
    const json_t *v = json_object_get(r->o, key);
    if (!v)
        return CC_OK;
    if (!json_is_boolean(v))
        return fail(r, key, "wrong_type", "must be true or false");
    *out = json_is_true(v);
    return CC_OK;
}

static reader sub(const reader *r, const char *key, char *path, size_t cap)
{
    field_name(r, key, path, cap);
    reader s = {json_object_get(r->o, key), path, r->err};
    return s;
}

static cc_status names(const reader *r, const char *key, char *en, char *fr, size_t cap)
{
    char path[64];
    reader s = sub(r, key, path, sizeof path);
    static const char *const keys[] = {"en", "fr", NULL};
    cc_status st = CC_OK;
    if (!s.o)
        return fail(r, key, "required", "is required");
    if ((st = only(&s, keys)) == CC_OK && (st = get_str(&s, "en", true, en, cap)) == CC_OK)
        st = get_str(&s, "fr", true, fr, cap);
    return st;
}

static cc_status min_max(const reader *r, const char *key, int lo, int hi, int *min, int *max)
{
    char path[64];
    reader s = sub(r, key, path, sizeof path);
    static const char *const keys[] = {"min", "max", NULL};
    if (!s.o)
        return fail(r, key, "required", "is required");
    cc_status st = only(&s, keys);
    if (st == CC_OK)
        st = get_i(&s, "min", true, lo, hi, min);
    if (st == CC_OK)
        st = get_i(&s, "max", true, lo, hi, max);
    return st;
}

static const json_t *array(const reader *r, const char *key, size_t max, cc_status *st)
{
    const json_t *a = json_object_get(r->o, key);
    if (!a) {
        *st = fail(r, key, "required", "is required");
        return NULL;
    }
    if (!json_is_array(a)) {
        *st = fail(r, key, "wrong_type", "must be an array");
        return NULL;
    }
    if (json_array_size(a) > max) {
        *st = fail(r, key, "too_many", "has too many items");
        return NULL;
    }
    return a;
}

static cc_status route_set(const reader *r, const char *key, size_t max, admin_route *list,
                           size_t *n, unsigned *bits)
{
    cc_status st = CC_OK;
    const json_t *a = array(r, key, max, &st);
    if (!a)
        return st;
    size_t i;
    json_t *v;
    if (n)
        *n = 0;
    json_array_foreach(a, i, v)
    {
        admin_route rt;
        if (!protocol_route_parse(json_string_value(v), &rt))
            return fail(r, key, "invalid_value", "names an unknown route");
        if (list)
            list[(*n)++] = rt;
        if (bits)
            *bits |= 1u << rt;
    }
    return CC_OK;
}

static cc_status parse_dose(const reader *top, dose_rule *d)
{
    char path[64];
    reader r = sub(top, "dose", path, sizeof path);
    static const char *const keys[] = {"unit",
                                       "fixed",
                                       "per_kg",
                                       "course_min",
                                       "course_max",
                                       "per_admin_min",
                                       "per_admin_max",
                                       "rounding",
                                       "weight_kg",
                                       "weight_max_age_days",
                                       "age_years",
                                       "age_required",
                                       "age_bands",
                                       "per_kg_max",
                                       "confirm_below_age_years",
                                       NULL};
    if (!r.o)
        return fail(top, "dose", "required", "is required");
    cc_status st = only(&r, keys);
    char unit[16] = "";
    if (st == CC_OK)
        st = get_str(&r, "unit", true, unit, sizeof unit);
    if (st == CC_OK && strcmp(unit, "cells") != 0 && strcmp(unit, "microlitres") != 0)
        st = fail(&r, "unit", "invalid_value", "must be cells or microlitres");
    d->unit = strcmp(unit, "microlitres") == 0 ? DOSE_MICROLITRES : DOSE_CELLS;
    if (st == CC_OK)
        st = get_bool(&r, "fixed", &d->fixed);
    if (st == CC_OK)
        st = get_u64(&r, "per_kg", true, &d->per_kg);
    if (st == CC_OK)
        st = get_u64(&r, "per_kg_max", false, &d->per_kg_max);
    if (st == CC_OK)
        st = get_i(&r, "confirm_below_age_years", false, 0, 130, &d->confirm_below_age_years);
    if (st == CC_OK)
        st = get_u64(&r, "course_min", true, &d->course_min);
    if (st == CC_OK)
        st = get_u64(&r, "course_max", true, &d->course_max);
    if (st == CC_OK)
        st = get_u64(&r, "per_admin_min", false, &d->per_admin_min);
    if (st == CC_OK)
        st = get_u64(&r, "per_admin_max", false, &d->per_admin_max);
    if (st == CC_OK)
        st = get_u64(&r, "rounding", true, &d->rounding);
    if (st == CC_OK)
        st = get_i(&r, "weight_max_age_days", true, 1, 30, &d->weight_max_age_days);
    if (st == CC_OK)
        st = get_bool(&r, "age_required", &d->age_required);
    d->age_max_years = 130;
    if (st == CC_OK && json_object_get(r.o, "age_years"))
        st = min_max(&r, "age_years", 0, 130, &d->age_min_years, &d->age_max_years);
    if (st != CC_OK)
        return st;
    char wpath[64];
    reader w = sub(&r, "weight_kg", wpath, sizeof wpath);
    static const char *const wkeys[] = {"min", "max", NULL};
    if (!w.o)
        return fail(&r, "weight_kg", "required", "is required");
    bool has_min, has_max;
    double lo = 0, hi = 0;
    if ((st = only(&w, wkeys)) != CC_OK || (st = get_num(&w, "min", &has_min, &lo)) != CC_OK ||
        (st = get_num(&w, "max", &has_max, &hi)) != CC_OK)
        return st;
    if (!has_min || !has_max || lo < 0.5 || hi > 400 || lo > hi)
        return fail(&r, "weight_kg", "out_of_range", "needs min and max within 0.5..400 kg");
    d->weight_min_g = (int)lround(lo * 1000);
    d->weight_max_g = (int)lround(hi * 1000);
    if (json_object_get(r.o, "age_bands")) {
        const json_t *a = array(&r, "age_bands", PROTOCOL_MAX_AGE_BANDS, &st);
        if (!a)
            return st;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
            char bpath[64];
            if (snprintf(bpath, sizeof bpath, "dose.age_bands[%zu]", i) < 0)
                return CC_INTERNAL;
            reader b = {v, bpath, r.err};
            static const char *const bkeys[] = {"below_age_years", "per_kg", NULL};
            if ((st = only(&b, bkeys)) != CC_OK ||
                (st = get_i(&b, "below_age_years", true, 1, 130, &d->bands[i].below_age_years)) !=
                    CC_OK ||
                (st = get_u64(&b, "per_kg", true, &d->bands[i].per_kg)) != CC_OK)
                return st;
            d->n_bands = i + 1;
        }
    }
    return CC_OK;
}

static cc_status parse_rules(const reader *r, protocol *p)
{
    cc_status st = CC_OK;
    const json_t *a = array(r, "rules", PROTOCOL_MAX_RULES, &st);
    if (!a)
        return st;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        char path[32];
        snprintf(path, sizeof path, "rules[%zu]", i);
        reader x = {v, path, r->err};
        static const char *const keys[] = {"id",  "kind", "subject", "unit", "min",
                                           "max", "days", "outcome", NULL};
        protocol_rule *rule = &p->rules[i];
        char kind[32] = "", outcome[16] = "";
        if ((st = only(&x, keys)) != CC_OK ||
            (st = get_str(&x, "id", true, rule->id, sizeof rule->id)) != CC_OK ||
            (st = get_str(&x, "kind", true, kind, sizeof kind)) != CC_OK ||
            (st = get_str(&x, "outcome", true, outcome, sizeof outcome)) != CC_OK ||
            (st = get_str(&x, "subject", false, rule->subject, sizeof rule->subject)) != CC_OK ||
            (st = get_str(&x, "unit", false, rule->unit, sizeof rule->unit)) != CC_OK ||
            (st = get_num(&x, "min", &rule->has_min, &rule->min)) != CC_OK ||
            (st = get_num(&x, "max", &rule->has_max, &rule->max)) != CC_OK ||
            (st = get_i(&x, "days", false, 0, 3650, &rule->days)) != CC_OK)
            return st;
        if (!protocol_rule_kind_parse(kind, &rule->kind))
            return fail(&x, "kind", "invalid_value", "is not a known rule kind");
        if (!protocol_outcome_parse(outcome, &rule->outcome))
            return fail(&x, "outcome", "invalid_value", "must be exclude, review or flag");
        p->n_rules = i + 1;
    }
    return CC_OK;
}

static cc_status parse_ancillary(const reader *r, protocol *p)
{
    cc_status st = CC_OK;
    const json_t *a = array(r, "ancillary", PROTOCOL_MAX_ANCILLARY, &st);
    if (!a)
        return st;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        char path[32];
        snprintf(path, sizeof path, "ancillary[%zu]", i);
        reader x = {v, path, r->err};
        static const char *const keys[] = {"id",       "name",        "sessions_per_day",
                                           "optional", "price_cents", NULL};
        ancillary_programme *c = &p->ancillary[i];
        int64_t price = 0;
        if ((st = only(&x, keys)) != CC_OK ||
            (st = get_str(&x, "id", true, c->id, sizeof c->id)) != CC_OK ||
            (st = names(&x, "name", c->name_en, c->name_fr, sizeof c->name_en)) != CC_OK ||
            (st = get_i(&x, "sessions_per_day", true, 1, 6, &c->sessions_per_day)) != CC_OK ||
            (st = get_bool(&x, "optional", &c->optional)) != CC_OK ||
            (st = get_int(&x, "price_cents", true, 0, INT64_C(100000000000) - 1, &price)) != CC_OK)
            return st;
        c->price_cents = price;
        p->n_ancillary = i + 1;
    }
    return CC_OK;
}

/* One follow-up instrument: its id, or {"id", "indications",
 * "from_age_years", "below_age_years"} for an instrument asked only of
 * patients with a condition under one of the indications (ICD-10 prefixes)
 * and of the ages given (completed years at the visit). At least one
 * condition is given. */
static cc_status parse_instrument(const reader *visit, const json_t *s, size_t j,
                                  follow_up_visit *f)
{
    if (json_is_string(s)) {
        if (json_string_length(s) == 0 || json_string_length(s) >= PROTOCOL_CODE_MAX)
            return fail(visit, "instruments", "invalid_value", "must be short instrument ids");
        memcpy(f->instruments[j], json_string_value(s), json_string_length(s) + 1);
        return CC_OK;
    }
    if (!json_is_object(s))
        return fail(visit, "instruments", "wrong_type",
                    "must be instrument ids or {\"id\", \"indications\"} objects");
    char path[96];
    snprintf(path, sizeof path, "%.40s.instruments[%zu]", visit->path, j);
    reader x = {s, path, visit->err};
    static const char *const keys[] = {"id", "indications", "from_age_years", "below_age_years",
                                       NULL};
    cc_status st;
    if ((st = only(&x, keys)) != CC_OK ||
        (st = get_str(&x, "id", true, f->instruments[j], sizeof f->instruments[j])) != CC_OK ||
        (st = get_i(&x, "from_age_years", false, 0, PROTOCOL_AGE_LIMIT, &f->from_age_years[j])) !=
            CC_OK ||
        (st = get_i(&x, "below_age_years", false, 1, PROTOCOL_AGE_LIMIT, &f->below_age_years[j])) !=
            CC_OK)
        return st;
    if (!f->instruments[j][0])
        return fail(&x, "id", "invalid_value", "must be a short instrument id");
    bool by_age = json_object_get(s, "from_age_years") || json_object_get(s, "below_age_years");
    if (by_age && !json_object_get(s, "indications"))
        return CC_OK;
    const json_t *codes = array(&x, "indications", PROTOCOL_MAX_INSTRUMENT_INDICATIONS, &st);
    if (!codes)
        return st;
    if (json_array_size(codes) == 0)
        return fail(&x, "indications", "invalid_value", "must name at least one indication");
    size_t k;
    const json_t *c;
    json_array_foreach(codes, k, c)
    {
        if (!json_is_string(c) || json_string_length(c) == 0 ||
            json_string_length(c) >= sizeof f->for_indications[j][k])
            return fail(&x, "indications", "invalid_value", "must be ICD-10 codes");
        memcpy(f->for_indications[j][k], json_string_value(c), json_string_length(c) + 1);
        f->n_for_indications[j] = k + 1;
    }
    return CC_OK;
}

static cc_status parse_follow_up(const reader *r, protocol *p)
{
    cc_status st = CC_OK;
    const json_t *a = array(r, "follow_up", PROTOCOL_MAX_FOLLOW_UP, &st);
    if (!a)
        return st;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        char path[32];
        snprintf(path, sizeof path, "follow_up[%zu]", i);
        reader x = {v, path, r->err};
        static const char *const keys[] = {"label", "months", "window_days", "instruments", NULL};
        follow_up_visit *f = &p->follow_up[i];
        if ((st = only(&x, keys)) != CC_OK ||
            (st = get_str(&x, "label", true, f->label, sizeof f->label)) != CC_OK ||
            (st = get_i(&x, "months", true, 1, 120, &f->months)) != CC_OK ||
            (st = get_i(&x, "window_days", true, 0, 180, &f->window_days)) != CC_OK)
            return st;
        const json_t *ins = array(&x, "instruments", PROTOCOL_MAX_INSTRUMENTS, &st);
        if (!ins)
            return st;
        size_t j;
        json_t *s;
        json_array_foreach(ins, j, s)
        {
            if ((st = parse_instrument(&x, s, j, f)) != CC_OK)
                return st;
            f->n_instruments = j + 1;
        }
        p->n_follow_up = i + 1;
    }
    return CC_OK;
}

static cc_status parse_price(const reader *top, protocol *p)
{
    char path[64];
    reader r = sub(top, "price", path, sizeof path);
    static const char *const keys[] = {
        "currency",           "stay_per_day_cents", "administration_cents",
        "examinations_cents", "range_cents",        NULL};
    if (!r.o)
        return fail(top, "price", "required", "is required");
    const int64_t max = INT64_C(100000000000) - 1;
    price_list *pr = &p->price;
    cc_status st;
    if ((st = only(&r, keys)) != CC_OK ||
        (st = get_str(&r, "currency", true, pr->currency, sizeof pr->currency)) != CC_OK ||
        (st = get_int(&r, "stay_per_day_cents", true, 0, max, &pr->stay_per_day)) != CC_OK ||
        (st = get_int(&r, "examinations_cents", true, 0, max, &pr->examinations)) != CC_OK)
        return st;
    char apath[64];
    reader a = sub(&r, "administration_cents", apath, sizeof apath);
    if (!json_is_object(a.o))
        return fail(&r, "administration_cents", "required", "must be an object of product prices");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)a.o, key, v)
    {
        product_type t;
        if (!protocol_product_parse(key, &t))
            return fail(&a, key, "unknown_field", "is not a product type");
        if ((st = get_int(&a, key, true, 0, max, &pr->administration[t])) != CC_OK)
            return st;
    }
    char rpath[64];
    reader g = sub(&r, "range_cents", rpath, sizeof rpath);
    static const char *const gkeys[] = {"min", "max", NULL};
    if (!g.o)
        return fail(&r, "range_cents", "required", "is required");
    if ((st = only(&g, gkeys)) != CC_OK ||
        (st = get_int(&g, "min", true, 0, max, &pr->range_min)) != CC_OK ||
        (st = get_int(&g, "max", true, 0, max, &pr->range_max)) != CC_OK)
        return st;
    return CC_OK;
}

cc_status protocol_from_json(const json_t *o, protocol *out, cc_error *err)
{
    static const char *const keys[] = {"id",
                                       "version",
                                       "name",
                                       "sources",
                                       "indications",
                                       "products",
                                       "default_product",
                                       "routes",
                                       "route_cycle",
                                       "administrations",
                                       "spacing_hours",
                                       "gap_hours",
                                       "first_administration_day",
                                       "observe_days",
                                       "stay_days",
                                       "manufacturing_lead_days",
                                       "dose",
                                       "ancillary",
                                       "follow_up",
                                       "rules",
                                       "price",
                                       NULL};
    memset(out, 0, sizeof *out);
    reader r = {o, "", err};
    cc_status st;
    if ((st = only(&r, keys)) != CC_OK ||
        (st = get_str(&r, "id", true, out->id, sizeof out->id)) != CC_OK ||
        (st = get_i(&r, "version", true, 1, 100000, &out->version)) != CC_OK ||
        (st = names(&r, "name", out->name_en, out->name_fr, sizeof out->name_en)) != CC_OK)
        return st;
    const json_t *src = json_object_get(o, "sources");
    if (src && !json_is_object(src))
        return fail(&r, "sources", "wrong_type", "must be an object of texts");
    const json_t *ind = array(&r, "indications", PROTOCOL_MAX_INDICATIONS, &st);
    if (!ind)
        return st;
    size_t i;
    json_t *v;
    json_array_foreach(ind, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) >= sizeof out->indications[0])
            return fail(&r, "indications", "invalid_icd10", "must be ICD-10 codes");
        memcpy(out->indications[i], json_string_value(v), json_string_length(v) + 1);
        out->n_indications = i + 1;
    }
    const json_t *prod = array(&r, "products", PT_COUNT, &st);
    if (!prod)
        return st;
    json_array_foreach(prod, i, v)
    {
        product_type t;
        if (!protocol_product_parse(json_string_value(v), &t))
            return fail(&r, "products", "invalid_value", "names an unknown product type");
        out->products |= 1u << t;
    }
    char dp[16] = "";
    if ((st = get_str(&r, "default_product", true, dp, sizeof dp)) != CC_OK)
        return st;
    if (!protocol_product_parse(dp, &out->default_product))
        return fail(&r, "default_product", "invalid_value", "names an unknown product type");
    if ((st = route_set(&r, "routes", RT_COUNT, NULL, NULL, &out->routes)) != CC_OK ||
        (st = route_set(&r, "route_cycle", PROTOCOL_MAX_CYCLE, out->cycle, &out->n_cycle, NULL)) !=
            CC_OK)
        return st;
    char path[64];
    reader adm = sub(&r, "administrations", path, sizeof path);
    static const char *const akeys[] = {"min", "max", "default", NULL};
    if (!adm.o)
        return fail(&r, "administrations", "required", "is required");
    if ((st = only(&adm, akeys)) != CC_OK ||
        (st = get_i(&adm, "min", true, 1, PROTOCOL_MAX_ADMINISTRATIONS, &out->admin_min)) !=
            CC_OK ||
        (st = get_i(&adm, "max", true, 1, PROTOCOL_MAX_ADMINISTRATIONS, &out->admin_max)) !=
            CC_OK ||
        (st = get_i(&adm, "default", true, 1, PROTOCOL_MAX_ADMINISTRATIONS, &out->admin_default)) !=
            CC_OK)
        return st;
    reader sp = sub(&r, "spacing_hours", path, sizeof path);
    if (!json_is_object(sp.o))
        return fail(&r, "spacing_hours", "required", "must be an object of route -> hours");
    const char *key;
    json_object_foreach((json_t *)sp.o, key, v)
    {
        admin_route rt;
        if (!protocol_route_parse(key, &rt))
            return fail(&sp, key, "unknown_field", "is not a route");
        if ((st = get_i(&sp, key, true, 0, 1440, &out->spacing_hours[rt])) != CC_OK)
            return st;
    }
    if ((st = get_i(&r, "gap_hours", true, 0, 1440, &out->gap_hours)) != CC_OK ||
        (st = get_i(&r, "first_administration_day", true, 2, PROTOCOL_STAY_LIMIT,
                    &out->first_admin_day)) != CC_OK ||
        (st = get_i(&r, "observe_days", true, 0, 30, &out->observe_days)) != CC_OK ||
        (st = min_max(&r, "stay_days", 1, PROTOCOL_STAY_LIMIT, &out->stay_min, &out->stay_max)) !=
            CC_OK ||
        (st = min_max(&r, "manufacturing_lead_days", 0, 120, &out->lead_days_min,
                      &out->lead_days_max)) != CC_OK ||
        (st = parse_dose(&r, &out->dose)) != CC_OK || (st = parse_ancillary(&r, out)) != CC_OK ||
        (st = parse_follow_up(&r, out)) != CC_OK || (st = parse_rules(&r, out)) != CC_OK ||
        (st = parse_price(&r, out)) != CC_OK)
        return st;
    return protocol_check(out, err);
}

cc_status protocol_from_text(const char *text, protocol *out, cc_error *err)
{
    json_error_t jerr;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return cc_fail(err, CC_INVALID, "", "invalid_json", "protocol JSON: %s (line %d)",
                       jerr.text, jerr.line);
    cc_status st = protocol_from_json(o, out, err);
    json_decref(o);
    return st;
}

json_t *protocol_summary_json(const protocol *p)
{
    json_t *products = json_array(), *routes = json_array();
    for (int t = 0; t < PT_COUNT; t++)
        if (p->products & (1u << t))
            json_array_append_new(products, json_string(protocol_product_name((product_type)t)));
    for (int r = 0; r < RT_COUNT; r++)
        if (p->routes & (1u << r))
            json_array_append_new(routes, json_string(protocol_route_name((admin_route)r)));
    return json_pack("{s:s, s:i, s:{s:s, s:s}, s:o, s:s, s:o, s:{s:i, s:i, s:i}, s:{s:i, s:i},"
                     " s:b, s:{s:I, s:I}}",
                     "id", p->id, "version", p->version, "name", "en", p->name_en, "fr", p->name_fr,
                     "products", products, "default_product",
                     protocol_product_name(p->default_product), "routes", routes, "administrations",
                     "min", p->admin_min, "max", p->admin_max, "default", p->admin_default,
                     "stay_days", "min", p->stay_min, "max", p->stay_max, "age_required",
                     p->dose.age_required, "price_range_cents", "min",
                     (json_int_t)p->price.range_min, "max", (json_int_t)p->price.range_max);
}

static json_t *date_json(cc_date d)
{
    char t[CC_DATE_TEXT];
    date_format(d, t);
    return json_string(t);
}

/* Whether instrument j of visit v is asked of a patient with these
 * conditions (conditions NULL: not known, every instrument is listed) and of
 * this age at the visit (age_years < 0: not known). */
static bool instrument_applies(const follow_up_visit *v, size_t j, const char *const *conditions,
                               size_t n_conditions, int age_years)
{
    if (!protocol_instrument_for_age(v, j, age_years))
        return false;
    if (v->n_for_indications[j] == 0 || conditions == NULL)
        return true;
    for (size_t c = 0; c < n_conditions; c++)
        for (size_t k = 0; k < v->n_for_indications[j]; k++)
            if (conditions[c] && eligibility_code_matches(conditions[c], v->for_indications[j][k]))
                return true;
    return false;
}

json_t *plan_to_json(const protocol *p, const plan *pl, const dose_result *dose, const quote *q,
                     const char *const *conditions, size_t n_conditions, const char *birth_date)
{
    cc_date birth = 0;
    cc_error ignored;
    bool has_birth = birth_date && date_parse(birth_date, "birth_date", &birth, &ignored) == CC_OK;
    bool cells = dose->unit == DOSE_CELLS;
    json_t *admins = json_array();
    for (int i = 0; i < pl->n_admins; i++) {
        const planned_administration *a = &pl->admins[i];
        json_t *o = json_pack(
            "{s:i, s:o, s:i, s:s, s:s, s:I}", "n", a->n, "date", date_json(a->date), "day", a->day,
            "route", protocol_route_name(a->route), "product", protocol_product_name(a->product),
            "cells", (json_int_t)(cells ? a->amount : 0));
        if (!cells)
            json_object_set_new(o, "volume_ul", json_integer((json_int_t)a->amount));
        json_array_append_new(admins, o);
    }
    json_t *anc = json_array();
    for (int i = 0; i < pl->n_ancillary; i++) {
        const planned_ancillary *a = &pl->ancillary[i];
        const ancillary_programme *def = &p->ancillary[a->index];
        json_array_append_new(anc, json_pack("{s:s, s:{s:s, s:s}, s:i, s:i, s:i, s:i}", "id",
                                             def->id, "name", "en", def->name_en, "fr",
                                             def->name_fr, "sessions_per_day", a->sessions_per_day,
                                             "first_day", a->first_day, "last_day", a->last_day,
                                             "sessions", a->sessions));
    }
    json_t *fu = json_array();
    for (int i = 0; i < pl->n_follow_up; i++) {
        const planned_visit *v = &pl->follow_up[i];
        json_t *instruments = json_array();
        for (size_t j = 0; j < p->follow_up[i].n_instruments; j++)
            if (instrument_applies(&p->follow_up[i], j, conditions, n_conditions,
                                   has_birth ? protocol_age_on(birth, v->date) : -1))
                json_array_append_new(instruments, json_string(p->follow_up[i].instruments[j]));
        json_array_append_new(
            fu, json_pack("{s:s, s:i, s:o, s:o, s:o, s:o}", "label", v->label, "months", v->months,
                          "date", date_json(v->date), "window_start", date_json(v->window_start),
                          "window_end", date_json(v->window_end), "instruments", instruments));
    }
    json_t *lines = json_array();
    for (int i = 0; i < q->n_lines; i++) {
        const quote_line *l = &q->lines[i];
        json_array_append_new(lines, json_pack("{s:s, s:s, s:i, s:I, s:I}", "code", l->code,
                                               "detail", l->detail, "quantity", l->quantity,
                                               "unit_cents", (json_int_t)l->unit_cents,
                                               "amount_cents", (json_int_t)l->amount_cents));
    }
    json_t *o = json_pack(
        "{s:s, s:i, s:o, s:o, s:i, s:o, s:I, s:s, s:{s:I, s:I, s:I, s:b, s:b, s:I, s:b, s:b}, s:o,"
        " s:o,"
        " s:{s:s, s:I, s:o, s:{s:I, s:I}, s:b}}",
        "protocol", p->id, "version", p->version, "start", date_json(pl->start), "end",
        date_json(pl->end), "stay_days", pl->stay_days, "administrations", admins, "total_cells",
        (json_int_t)(cells ? dose->total : 0), "dose_unit", cells ? "cells" : "microlitres", "dose",
        "per_kg", (json_int_t)dose->per_kg, "course_raw", (json_int_t)dose->course_raw, "total",
        (json_int_t)dose->total, "bounded_low", dose->bounded_low, "bounded_high",
        dose->bounded_high, "per_kg_given", (json_int_t)dose->per_kg_given, "bounded_per_kg",
        dose->bounded_per_kg, "needs_confirmation", dose->needs_confirmation, "ancillary", anc,
        "follow_up", fu, "quote", "currency", q->currency, "total_cents",
        (json_int_t)q->total_cents, "lines", lines, "range_cents", "min",
        (json_int_t)q->range_min_cents, "max", (json_int_t)q->range_max_cents, "outside_range",
        q->outside_range);
    if (o && pl->has_product_ready)
        json_object_set_new(o, "product_ready", date_json(pl->product_ready));
    return o;
}

static cc_status date_of(const json_t *v, cc_date *out, cc_error *err)
{
    return date_parse(json_string_value(v) ? json_string_value(v) : "", "plan", out, err);
}

cc_status plan_from_json(const json_t *o, const protocol *p, plan *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st;
    if ((st = date_of(json_object_get(o, "start"), &out->start, err)) != CC_OK ||
        (st = date_of(json_object_get(o, "end"), &out->end, err)) != CC_OK)
        return st;
    out->stay_days = (int)json_integer_value(json_object_get(o, "stay_days"));
    const json_t *ready = json_object_get(o, "product_ready");
    if (ready) {
        out->has_product_ready = true;
        if ((st = date_of(ready, &out->product_ready, err)) != CC_OK)
            return st;
    }
    const json_t *admins = json_object_get(o, "administrations");
    size_t i;
    json_t *v;
    if (!json_is_array(admins) || json_array_size(admins) > PROTOCOL_MAX_ADMINISTRATIONS)
        return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan",
                       "stored plan has no administrations");
    json_array_foreach(admins, i, v)
    {
        planned_administration *a = &out->admins[i];
        a->n = (int)json_integer_value(json_object_get(v, "n"));
        a->day = (int)json_integer_value(json_object_get(v, "day"));
        if ((st = date_of(json_object_get(v, "date"), &a->date, err)) != CC_OK)
            return st;
        if (!protocol_route_parse(json_string_value(json_object_get(v, "route")), &a->route) ||
            !protocol_product_parse(json_string_value(json_object_get(v, "product")), &a->product))
            return cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan",
                           "stored plan names an unknown route");
        const json_t *amount =
            json_object_get(v, p->dose.unit == DOSE_CELLS ? "cells" : "volume_ul");
        a->amount = (uint64_t)json_integer_value(amount);
        out->n_admins = (int)i + 1;
    }
    return CC_OK;
}
