#include "store/clinic_settings.h"

#include <limits.h>
#include <stdio.h>

#include "store/sql.h"

cc_status clinic_setting_get(db *d, const char *name, int def, int min, int max, int *out,
                             cc_error *err)
{
    sql_arg a[] = {SQL_S(name)};
    int64_t v = 0;
    cc_status st = sql_scalar(d, "SELECT value FROM clinic_settings WHERE name = ?", a, 1, &v, err);
    *out = st == CC_OK && v >= min && v <= max ? (int)v : def;
    return st;
}

cc_status clinic_setting_set(db *d, const store_actor *actor, const char *name, int def, int value,
                             cc_error *err)
{
    int old = 0;
    cc_status st = clinic_setting_get(d, name, def, INT_MIN, INT_MAX, &old, err);
    if (st == CC_OK) {
        sql_arg a[] = {SQL_S(name), SQL_I(value)};
        st = sql_run(d,
                     "INSERT INTO clinic_settings (name, value) VALUES (?, ?)"
                     " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     a, 2, NULL, err);
    }
    if (st == CC_OK) {
        char before[96], after[96];
        snprintf(before, sizeof before, "{\"name\":\"%.60s\",\"value\":%d}", name, old);
        snprintf(after, sizeof after, "{\"name\":\"%.60s\",\"value\":%d}", name, value);
        audit_change ch = {"update", "clinic_settings", 1, before, after, NULL};
        st = audit_append(d, actor, &ch, err);
    }
    return st;
}
