#include "counters.h"

#include <stddef.h>

cc_status counter_next(db *d, const char *name, int64_t *value, cc_error *err)
{
    if (!db_in_transaction(d))
        return cc_fail(err, CC_INTERNAL, NULL, "counter_outside_transaction",
                       "counters are allocated inside a transaction");
    db_stmt *s;
    cc_status st = db_prepare(d, "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, name);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *value = db_col_int(s, 0);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_ROW)
        return CC_OK;
    st = db_prepare(d, "INSERT INTO counters (name, value) VALUES (?, 1)", &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, name);
    *value = 1;
    return db_run(s, err);
}
