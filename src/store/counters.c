#include "counters.h"

#include <stddef.h>

#include "store/sql.h"

cc_status counter_next(db *d, const char *name, int64_t *value, cc_error *err)
{
    if (!db_in_transaction(d))
        return cc_fail(err, CC_INTERNAL, NULL, "counter_outside_transaction",
                       "counters are allocated inside a transaction");
    sql_arg args[] = {SQL_S(name)};
    cc_status st =
        sql_run(d, "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value", args, 1,
                value, err);
    if (st != CC_NOT_FOUND)
        return st;
    *value = 1;
    return sql_run(d, "INSERT INTO counters (name, value) VALUES (?, 1)", args, 1, NULL, err);
}
