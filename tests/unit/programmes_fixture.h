/* Shared by the programme tests: the shipped protocol versions, parsed. */
#ifndef CC_TEST_PROGRAMMES_FIXTURE_H
#define CC_TEST_PROGRAMMES_FIXTURE_H

#include <string.h>

#include "app/protocol_json.h"
#include "store/protocols_builtin.h"

/* Parses shipped version `version` of protocol id, the latest when 0 (fails
 * the test if absent). */
static inline void load_protocol_version(const char *id, int version, protocol *out)
{
    const protocol_builtin *found = NULL;
    for (const protocol_builtin *b = protocol_builtins; b->id; b++)
        if (strcmp(b->id, id) == 0 &&
            (version ? b->version == version : (!found || b->version > found->version)))
            found = b;
    if (!found)
        fail_msg("no shipped protocol %s version %d", id, version);
    cc_error err;
    if (protocol_from_text(found->json, out, &err) != CC_OK)
        fail_msg("shipped protocol %s: %s (%s)", id, err.message, err.field);
}

/* The latest shipped version of protocol id. */
static inline void load_protocol(const char *id, protocol *out)
{
    load_protocol_version(id, 0, out);
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
