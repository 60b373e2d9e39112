#include "app/report_privacy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool listed(const char *key, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, names[i]) == 0)
            return true;
    return false;
}

static bool is_count_key(const char *key)
{
    static const char *const NOT_COUNTS[] = {
        "grade", "day", "months", "min_group", "suppressed_below", "suppressed_values"};
    return !listed(key, NOT_COUNTS, sizeof NOT_COUNTS / sizeof NOT_COUNTS[0]);
}

static bool is_basis_key(const char *key)
{
    static const char *const BASIS[] = {"n",     "x",      "pairs",          "of",
                                        "count", "events", "administrations"};
    return listed(key, BASIS, sizeof BASIS / sizeof BASIS[0]);
}

static bool skipped_subtree(const char *key)
{
    static const char *const SKIP[] = {"definitions", "filters", "serious_list", "suppression",
                                       "suppressed"};
    return listed(key, SKIP, sizeof SKIP / sizeof SKIP[0]);
}

/* Every real of o and of the objects inside it becomes null; lists of lists
 * (per-patient values) are emptied. */
static void drop_statistics(json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (json_is_real(v))
            json_object_set_new(o, key, json_null());
        else if (json_is_object(v))
            drop_statistics(v);
        else if (json_is_array(v) && json_is_array(json_array_get(v, 0)))
            json_array_clear(v);
    }
}

static size_t walk(json_t *v, json_int_t k);

static size_t walk_object(json_t *o, json_int_t k)
{
    size_t n = 0;
    bool basis = false;
    json_t *hidden = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (skipped_subtree(key))
            continue;
        if (json_is_integer(v) && is_count_key(key)) {
            json_int_t c = json_integer_value(v);
            if (c >= 1 && c < k) {
                json_object_set_new(o, key, json_null());
                json_array_append_new(hidden, json_string(key));
                basis |= is_basis_key(key);
                n++;
            }
        } else if (json_is_object(v) || json_is_array(v)) {
            n += walk(v, k);
        }
    }
    if (basis)
        drop_statistics(o);
    if (json_array_size(hidden)) {
        json_object_set_new(o, "suppressed_below", json_integer(k));
        json_object_set_new(o, "suppressed", hidden);
    } else {
        json_decref(hidden);
    }
    return n;
}

static size_t walk(json_t *v, json_int_t k)
{
    if (json_is_object(v))
        return walk_object(v, k);
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (json_is_object(e) || json_is_array(e))
            n += walk(e, k);
    }
    return n;
}

size_t report_suppress_small(json_t *report, int min_group)
{
    if (min_group < 2 || !json_is_object(report))
        return 0;
    size_t n = walk_object(report, min_group);
    char note[64];
    snprintf(note, sizeof note, "fewer than %d patients: not shown", min_group);
    json_object_set_new(report, "suppression",
                        json_pack("{s:i, s:I, s:s}", "min_group", min_group, "suppressed_values",
                                  (json_int_t)n, "note", note));
    return n;
}
