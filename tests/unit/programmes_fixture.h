/* Shared by the programme tests: the shipped protocol versions, parsed. */
#ifndef CC_TEST_PROGRAMMES_FIXTURE_H
#define CC_TEST_PROGRAMMES_FIXTURE_H

#include <string.h>

#include "app/protocol_json.h"
#include "store/protocols_builtin.h"

/* Parses the shipped version of protocol id (fails the test if absent). */
static inline void load_protocol(const char *id, protocol *out)
{
    for (const protocol_builtin *b = protocol_builtins; b->id; b++) {
        if (strcmp(b->id, id) != 0)
            continue;
        cc_error err;
        cc_status st = protocol_from_text(b->json, out, &err);
        if (st != CC_OK)
            fail_msg("shipped protocol %s: %s (%s)", id, err.message, err.field);
        return;
    }
    fail_msg("no shipped protocol %s", id);
}

static inline cc_date ymd(const char *text)
{
    cc_date d = 0;
    cc_error err;
    if (date_parse(text, "date", &d, &err) != CC_OK)
        fail_msg("bad date in test: %s", text);
    return d;
}

/* A small deterministic generator (xorshift64*) so failures reproduce. */
static inline uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static inline int rng_int(uint64_t *s, int lo, int hi) /* inclusive */
{
    return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

#endif
