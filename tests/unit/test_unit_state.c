/* Unit tests of core/unit_state: every (state, event) pair against the table
 * documented in unit_state.h, the hazard properties (H2, H3, H12) as graph
 * properties of that table, and the issue/administration rule helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/unit_state.h"

enum { NS = UNIT_STATE_COUNT, NE = UNIT_EVENT_COUNT, NO = -1 };

/* Expected target per (state, event), written from the rows listed in
 * unit_state.h, NO where the header says the move is refused.
 * Columns: release reserve unreserve issue administer return restock hold discard expire */
#define Q UNIT_QUARANTINE
#define L UNIT_RELEASED
#define R UNIT_RESERVED
#define I UNIT_ISSUED
#define A UNIT_ADMINISTERED
#define D UNIT_DISCARDED
#define X UNIT_EXPIRED
#define T UNIT_RETURNED
static const int expected[NS][NE] = {
    /*            rel rsv  unr  iss  adm  ret  rst  hld  dis  exp */
    [UNIT_QUARANTINE] = {L, NO, NO, NO, NO, NO, NO, NO, D, X},
    [UNIT_RELEASED] = {NO, R, NO, I, NO, NO, NO, Q, D, X},
    [UNIT_RESERVED] = {NO, NO, L, I, NO, NO, NO, Q, D, X},
    [UNIT_ISSUED] = {NO, NO, NO, NO, A, T, NO, NO, D, NO},
    [UNIT_ADMINISTERED] = {NO, NO, NO, NO, NO, NO, NO, NO, NO, NO},
    [UNIT_DISCARDED] = {NO, NO, NO, NO, NO, NO, NO, NO, NO, NO},
    [UNIT_EXPIRED] = {NO, NO, NO, NO, NO, NO, NO, NO, D, NO},
    [UNIT_RETURNED] = {NO, NO, NO, NO, NO, NO, L, Q, D, X},
};
#undef Q
#undef L
#undef R
#undef I
#undef A
#undef D
#undef X
#undef T

static void test_every_state_event_pair(void **state)
{
    (void)state;
    int allowed = 0;
    for (int s = 0; s < NS; s++) {
        for (int e = 0; e < NE; e++) {
            unit_state to = UNIT_STATE_COUNT;
            cc_error err;
            cc_error_clear(&err);
            cc_status st = unit_state_apply((unit_state)s, (unit_event)e, &to, &err);
            assert_int_equal(unit_state_allows((unit_state)s, (unit_event)e), expected[s][e] != NO);
            if (expected[s][e] != NO) {
                if (st != CC_OK)
                    fail_msg("%s --%s-- refused: %s", unit_state_name((unit_state)s),
                             unit_event_name((unit_event)e), err.message);
                assert_int_equal(to, expected[s][e]);
                /* every event always leads to the same state */
                assert_int_equal(to, unit_event_target((unit_event)e));
                allowed++;
            } else {
                if (st != CC_CONFLICT)
                    fail_msg("%s --%s-- not refused", unit_state_name((unit_state)s),
                             unit_event_name((unit_event)e));
                assert_int_equal(to, UNIT_STATE_COUNT); /* untouched */
                assert_string_equal(err.code, "invalid_transition");
                /* the message names both states */
                const char *from_name = unit_state_name((unit_state)s);
                const char *to_name = unit_state_name(unit_event_target((unit_event)e));
                if (!strstr(err.message, from_name) || !strstr(err.message, to_name))
                    fail_msg("message \"%s\" lacks %s or %s", err.message, from_name, to_name);
            }
        }
    }
    assert_int_equal(allowed, 21); /* the 21 rows of the header */
}

static void test_out_of_range(void **state)
{
    (void)state;
    unit_state to;
    cc_error err;
    assert_int_equal(unit_state_apply(UNIT_STATE_COUNT, UNIT_EV_RELEASE, &to, &err), CC_INVALID);
    assert_string_equal(err.field, "state");
    assert_int_equal(unit_state_apply((unit_state)-1, UNIT_EV_RELEASE, &to, &err), CC_INVALID);
    assert_int_equal(unit_state_apply(UNIT_RELEASED, UNIT_EVENT_COUNT, &to, &err), CC_INVALID);
    assert_string_equal(err.field, "event");
    assert_int_equal(unit_state_apply(UNIT_RELEASED, (unit_event)-1, &to, NULL), CC_INVALID);
    assert_string_equal(unit_state_name(UNIT_STATE_COUNT), "?");
    assert_string_equal(unit_event_name(UNIT_EVENT_COUNT), "?");
    assert_int_equal(unit_event_target(UNIT_EVENT_COUNT), UNIT_STATE_COUNT);
    assert_false(unit_state_allows(UNIT_STATE_COUNT, UNIT_EV_DISCARD));
}

static void test_names_round_trip(void **state)
{
    (void)state;
    static const char *const state_names[NS] = {"quarantine", "released",     "reserved",
                                                "issued",     "administered", "discarded",
                                                "expired",    "returned"};
    static const char *const event_names[NE] = {"release",    "reserve", "unreserve", "issue",
                                                "administer", "return",  "restock",   "hold",
                                                "discard",    "expire"};
    for (int s = 0; s < NS; s++) {
        assert_string_equal(unit_state_name((unit_state)s), state_names[s]);
        unit_state back;
        assert_true(unit_state_parse(state_names[s], &back));
        assert_int_equal(back, s);
    }
    for (int e = 0; e < NE; e++) {
        assert_string_equal(unit_event_name((unit_event)e), event_names[e]);
        unit_event back;
        assert_true(unit_event_parse(event_names[e], &back));
        assert_int_equal(back, e);
    }
    unit_state s = UNIT_ISSUED;
    unit_event ev = UNIT_EV_ISSUE;
    const char *bad[] = {"", "Released", "release ", "relea", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(unit_state_parse(bad[i], &s));
        assert_false(unit_event_parse(bad[i], &ev));
    }
    assert_int_equal(s, UNIT_ISSUED);
    assert_int_equal(ev, UNIT_EV_ISSUE);
}

/* States reachable from start using only events allowed by `use`. */
static unsigned reachable(unit_state start, unsigned event_mask)
{
    unsigned seen = 1u << start;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int s = 0; s < NS; s++) {
            if (!(seen & (1u << s)))
                continue;
            for (int e = 0; e < NE; e++) {
                unit_state to;
                if (!(event_mask & (1u << e)) ||
                    unit_state_apply((unit_state)s, (unit_event)e, &to, NULL) != CC_OK)
                    continue;
                if (!(seen & (1u << to))) {
                    seen |= 1u << to;
                    changed = 1;
                }
            }
        }
    }
    return seen;
}

static void test_hazard_properties(void **state)
{
    (void)state;
    unsigned all = (1u << NE) - 1;
    /* Every state is reachable from quarantine. */
    assert_int_equal(reachable(UNIT_QUARANTINE, all), (1u << NS) - 1);
    /* H2: without a release event, a unit in quarantine never reaches issued
     * or administered. */
    unsigned no_release = reachable(UNIT_QUARANTINE, all & ~(1u << UNIT_EV_RELEASE));
    assert_false(no_release & (1u << UNIT_ISSUED));
    assert_false(no_release & (1u << UNIT_ADMINISTERED));
    /* H12: administered and discarded are final; nothing else is. */
    for (int s = 0; s < NS; s++) {
        unsigned r = reachable((unit_state)s, all);
        bool final = s == UNIT_ADMINISTERED || s == UNIT_DISCARDED;
        assert_int_equal(unit_state_is_final((unit_state)s), final);
        if (final)
            assert_int_equal(r, 1u << s);
        else
            assert_true(r & (1u << UNIT_DISCARDED)); /* every live unit can be disposed of */
    }
    /* H12: an issued unit cannot be issued again, and the only way to be issued
     * again passes through return and restock (a QA decision). */
    assert_false(unit_state_allows(UNIT_ISSUED, UNIT_EV_ISSUE));
    unsigned no_restock =
        reachable(UNIT_ISSUED, all & ~(1u << UNIT_EV_RESTOCK) & ~(1u << UNIT_EV_HOLD));
    assert_false(no_restock & (1u << UNIT_RELEASED));
    /* H3: an expired unit can only be discarded. */
    assert_int_equal(reachable(UNIT_EXPIRED, all), (1u << UNIT_EXPIRED) | (1u << UNIT_DISCARDED));
}

static void test_administered_message(void **state)
{
    (void)state;
    cc_error err;
    assert_int_equal(unit_state_apply(UNIT_ADMINISTERED, UNIT_EV_RETURN, NULL, &err), CC_CONFLICT);
    assert_string_equal(err.message, "unit cannot go from administered to returned "
                                     "(event \"return\"): an administered unit never moves again");
    assert_int_equal(unit_state_apply(UNIT_QUARANTINE, UNIT_EV_ISSUE, NULL, &err), CC_CONFLICT);
    assert_string_equal(err.message, "unit cannot go from quarantine to issued (event \"issue\")");
}

/* Every state x {day before expiry, expiry day, day after}: the helpers. */
static void test_issuable_and_administrable(void **state)
{
    (void)state;
    cc_date expiry;
    assert_true(date_from_ymd(2026, 3, 31, &expiry));
    static const struct {
        int offset; /* on = expiry + offset */
        int expired;
    } days[] = {{-365, 0}, {-1, 0}, {0, 0} /* usable through its expiry day */, {1, 1}, {400, 1}};
    for (int s = 0; s < NS; s++) {
        for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
            cc_date on = expiry + days[d].offset;
            assert_int_equal(unit_is_expired(expiry, on), days[d].expired);
            cc_error err;
            cc_error_clear(&err);

            cc_status st = unit_check_issuable((unit_state)s, expiry, on, &err);
            const char *code;
            if (s == UNIT_ADMINISTERED)
                code = "unit_already_administered";
            else if (s != UNIT_RELEASED && s != UNIT_RESERVED)
                code = "unit_not_released";
            else
                code = days[d].expired ? "unit_expired" : NULL;
            if (!code) {
                assert_int_equal(st, CC_OK);
            } else {
                assert_int_equal(st, CC_CONFLICT);
                assert_string_equal(err.code, code);
                assert_string_equal(err.field, "unit");
            }

            cc_error_clear(&err);
            st = unit_check_administrable((unit_state)s, expiry, on, &err);
            if (s == UNIT_ADMINISTERED)
                code = "unit_already_administered";
            else if (s != UNIT_ISSUED)
                code = "unit_not_issued";
            else
                code = days[d].expired ? "unit_expired" : NULL;
            if (!code) {
                assert_int_equal(st, CC_OK);
            } else {
                assert_int_equal(st, CC_CONFLICT);
                assert_string_equal(err.code, code);
            }
        }
    }
    cc_error err;
    assert_int_equal(unit_check_issuable(UNIT_RELEASED, expiry, expiry + 1, &err), CC_CONFLICT);
    assert_string_equal(err.message, "unit expired on 2026-03-31");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_state_event_pair),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_hazard_properties),
        cmocka_unit_test(test_administered_message),
        cmocka_unit_test(test_issuable_and_administrable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
