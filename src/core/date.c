#include "date.h"

#include <stdio.h>
#include <string.h>

enum { MIN_YEAR = 1900, MAX_YEAR = 2199 };

bool date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && date_is_leap(year) ? 29 : days[month - 1];
}

/* Days from civil date: the standard era-based algorithm over 400-year cycles. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool date_from_ymd(int year, int month, int day, cc_date *out)
{
    if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 ||
        day > date_days_in_month(year, month))
        return false;
    *out = (cc_date)days_from_civil(year, (unsigned)month, (unsigned)day);
    return true;
}

void date_to_ymd(cc_date days, int *year, int *month, int *day)
{
    int64_t z = (int64_t)days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)((int64_t)yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

static bool digits(const char *s, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return true;
}

static bool date_layout(const char *text, int *y, int *m, int *d)
{
    return text && strnlen(text, 11) == 10 && text[4] == '-' && text[7] == '-' &&
           digits(text, 4, y) && digits(text + 5, 2, m) && digits(text + 8, 2, d);
}

bool date_parse_day(const char *text, cc_date *out)
{
    int y, m, d;
    return date_layout(text, &y, &m, &d) && date_from_ymd(y, m, d, out);
}

cc_status date_parse(const char *text, const char *field, cc_date *out, cc_error *err)
{
    int y, m, d;
    if (!date_layout(text, &y, &m, &d))
        return cc_fail(err, CC_INVALID, field, "invalid_date",
                       "%s must be a date written YYYY-MM-DD", field);
    if (!date_from_ymd(y, m, d, out))
        return cc_fail(err, CC_INVALID, field, "invalid_date",
                       "%s is not a real calendar date between 1900 and 2199", field);
    return CC_OK;
}

void date_format(cc_date d, char out[CC_DATE_TEXT])
{
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    snprintf(out, CC_DATE_TEXT, "%04d-%02d-%02d", y, m, day);
}

cc_date instant_date(int64_t seconds)
{
    int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    return (cc_date)days;
}

void instant_format(int64_t seconds, char out[CC_INSTANT_TEXT])
{
    cc_date d = instant_date(seconds);
    int64_t rem = seconds - (int64_t)d * 86400;
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    /* Components are range-checked by construction; clamp so the compiler can
     * see the text always fits. */
    unsigned hh = (unsigned)(rem / 3600) % 24, mm = (unsigned)(rem / 60 % 60),
             ss = (unsigned)(rem % 60);
    snprintf(out, CC_INSTANT_TEXT, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)day % 100u, hh, mm, ss);
}

cc_status instant_parse(const char *text, const char *field, int64_t *out, cc_error *err)
{
    const char *t = text ? text : "";
    char day[CC_DATE_TEXT];
    bool shape = strlen(t) == 20 && t[10] == 'T' && t[13] == ':' && t[16] == ':' && t[19] == 'Z';
    for (int i = 11; shape && i < 19; i++)
        if (i != 13 && i != 16 && (t[i] < '0' || t[i] > '9'))
            shape = false;
    cc_date d;
    if (shape) {
        memcpy(day, t, 10);
        day[10] = '\0';
        shape = date_parse(day, field, &d, NULL) == CC_OK;
    }
    int hh = shape ? (t[11] - '0') * 10 + (t[12] - '0') : 0,
        mm = shape ? (t[14] - '0') * 10 + (t[15] - '0') : 0,
        ss = shape ? (t[17] - '0') * 10 + (t[18] - '0') : 0;
    if (!shape || hh > 23 || mm > 59 || ss > 59)
        return cc_fail(err, CC_INVALID, field, "invalid_instant",
                       "%s must be a UTC instant YYYY-MM-DDThh:mm:ssZ", field ? field : "instant");
    *out = (int64_t)d * 86400 + hh * 3600 + mm * 60 + ss;
    return CC_OK;
}
