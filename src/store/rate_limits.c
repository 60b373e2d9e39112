#include "store/rate_limits.h"

#include "store/sql.h"

cc_status rate_limit_wait(db *d, const char *kind, const char *key, int limit, int window,
                          int64_t now, int *wait, cc_error *err)
{
    *wait = 0;
    int64_t started = 0;
    sql_arg args[] = {SQL_S(kind), SQL_S(key), SQL_I(limit), SQL_I(now - window)};
    /* 0 when the key is under its limit or its window is over */
    cc_status st = sql_scalar(d,
                              "SELECT COALESCE(MAX(window_start), 0) FROM rate_limits"
                              " WHERE kind = ? AND key = ? AND hits >= ? AND window_start > ?",
                              args, SQL_COUNT(args), &started, err);
    if (st == CC_OK && started > 0) {
        int64_t left = started + window - now;
        *wait = left > 0 ? (int)left : 1;
    }
    return st;
}

cc_status rate_limit_hit(db *d, const char *kind, const char *key, int window, int64_t now,
                         cc_error *err)
{
    sql_arg args[] = {SQL_S(kind), SQL_S(key), SQL_I(now), SQL_I(now - window), SQL_I(now)};
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = sql_run(d,
                     "INSERT INTO rate_limits (kind, key, window_start, hits) VALUES (?, ?, ?, 1)"
                     " ON CONFLICT (kind, key) DO UPDATE SET"
                     " hits = CASE WHEN rate_limits.window_start <= ? THEN 1"
                     " ELSE rate_limits.hits + 1 END,"
                     " window_start = CASE WHEN rate_limits.window_start <= ?4 THEN ?"
                     " ELSE rate_limits.window_start END",
                     args, SQL_COUNT(args), NULL, err);
    return db_tx_end(d, st, err);
}

cc_status rate_limit_reset(db *d, const char *kind, const char *key, cc_error *err)
{
    sql_arg args[] = {SQL_S(kind), SQL_S(key)};
    cc_status st = db_tx_begin(d, err);
    if (st == CC_OK)
        st = sql_run(d, "UPDATE rate_limits SET hits = 0 WHERE kind = ? AND key = ?", args,
                     SQL_COUNT(args), NULL, err);
    return db_tx_end(d, st, err);
}
