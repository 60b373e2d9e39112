#include "clock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

static _Atomic int32_t offset_days;

int64_t store_now_seconds(void)
{
    return (int64_t)time(NULL) + (int64_t)atomic_load(&offset_days) * 86400;
}

void store_now_text(char out[CC_INSTANT_TEXT])
{
    instant_format(store_now_seconds(), out);
}

cc_date store_today(void)
{
    return instant_date(store_now_seconds());
}

int32_t store_clock_offset_days(void)
{
    return atomic_load(&offset_days);
}

cc_status store_clock_set_offset_text(const char *text, cc_error *err)
{
    const char *p = text ? text : "";
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    int64_t days = 0;
    bool digits = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        digits = true;
        days = days * 10 + (*p - '0');
        if (days > STORE_CLOCK_OFFSET_MAX_DAYS)
            break;
    }
    if (!digits || *p != '\0' || days > STORE_CLOCK_OFFSET_MAX_DAYS)
        return cc_fail(err, CC_INVALID, STORE_CLOCK_OFFSET_VARIABLE, "invalid_clock_offset",
                       "%s must be a whole number of days between -%d and %d, not '%s'",
                       STORE_CLOCK_OFFSET_VARIABLE, STORE_CLOCK_OFFSET_MAX_DAYS,
                       STORE_CLOCK_OFFSET_MAX_DAYS, text ? text : "");
    atomic_store(&offset_days, (int32_t)(negative ? -days : days));
    return CC_OK;
}
