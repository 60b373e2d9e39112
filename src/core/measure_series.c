#include "measure_series.h"

#include <string.h>

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
#endif

void measure_series_encode(const measure_record *records, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char *p = out + i * MEASURE_RECORD_BYTES;
        uint64_t bits;
        memcpy(&bits, &records[i].value, sizeof bits);
        put_u32(p, (uint32_t)records[i].day);
        put_u32(p + 4, records[i].measure);
        put_u32(p + 8, (uint32_t)bits);
        put_u32(p + 12, (uint32_t)(bits >> 32));
    }
}

measure_record measure_series_at(const unsigned char *series, size_t i)
{
    const unsigned char *p = series + i * MEASURE_RECORD_BYTES;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the stored order is the machine's: plain loads (the report reads millions) */
    int32_t day;
    measure_record fast;
    memcpy(&day, p, 4);
    memcpy(&fast.measure, p + 4, 4);
    memcpy(&fast.value, p + 8, 8);
    fast.day = day;
    return fast;
#else
    uint64_t bits = (uint64_t)get_u32(p + 8) | (uint64_t)get_u32(p + 12) << 32;
    measure_record r = {(cc_date)get_u32(p), get_u32(p + 4), 0};
    memcpy(&r.value, &bits, sizeof bits);
    return r;
#endif
}

size_t measure_series_count(size_t len)
{
    return len / MEASURE_RECORD_BYTES;
}
