/* Unit tests of core/plan_state: every (state, event) pair against the table
 * documented in plan_state.h, the properties the hazards rely on as graph
 * properties of that table, names, and out-of-range values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/plan_state.h"

enum { NS = PLAN_STATE_COUNT, NE = PLAN_EVENT_COUNT, NO = -1 };

/* Expected target per (state, event), written from the rows listed in
 * plan_state.h, NO where the header says the move is refused. */
#define D PLAN_DRAFT
#define A PLAN_APPROVED
#define P PLAN_IN_PROGRESS
#define C PLAN_COMPLETED
#define X PLAN_CANCELLED
static const int expected[NS][NE] = {
    /*                     approve cancel start complete */
    [PLAN_DRAFT] = {A, X, NO, NO},        [PLAN_APPROVED] = {NO, X, P, NO},
    [PLAN_IN_PROGRESS] = {NO, NO, NO, C}, [PLAN_COMPLETED] = {NO, NO, NO, NO},
    [PLAN_CANCELLED] = {NO, NO, NO, NO},
};
#undef D
#undef A
#undef P
#undef C
#undef X

static void test_every_state_event_pair(void **state)
{
    (void)state;
    int allowed = 0;
    for (int s = 0; s < NS; s++) {
        for (int e = 0; e < NE; e++) {
            plan_state to = PLAN_STATE_COUNT;
            cc_error err;
            cc_error_clear(&err);
            cc_status st = plan_state_apply((plan_state)s, (plan_event)e, &to, &err);
            assert_int_equal(plan_state_allows((plan_state)s, (plan_event)e), expected[s][e] != NO);
            if (expected[s][e] != NO) {
                if (st != CC_OK)
                    fail_msg("%s --%s-- refused: %s", plan_state_name((plan_state)s),
                             plan_event_name((plan_event)e), err.message);
                assert_int_equal(to, expected[s][e]);
                assert_int_equal(to, plan_event_target((plan_event)e));
                allowed++;
            } else {
                if (st != CC_CONFLICT)
                    fail_msg("%s --%s-- not refused", plan_state_name((plan_state)s),
                             plan_event_name((plan_event)e));
                assert_int_equal(to, PLAN_STATE_COUNT); /* untouched */
                assert_string_equal(err.code, "wrong_state");
                assert_string_equal(err.field, "status");
                /* the message names the current status */
                if (!strstr(err.message, plan_state_name((plan_state)s)))
                    fail_msg("message \"%s\" lacks %s", err.message,
                             plan_state_name((plan_state)s));
            }
        }
    }
    assert_int_equal(allowed, 5); /* the 5 rows of the header */
}

static void test_out_of_range(void **state)
{
    (void)state;
    plan_state to;
    cc_error err;
    assert_int_equal(plan_state_apply(PLAN_STATE_COUNT, PLAN_EV_CANCEL, &to, &err), CC_INVALID);
    assert_string_equal(err.field, "state");
    assert_int_equal(plan_state_apply((plan_state)-1, PLAN_EV_CANCEL, &to, &err), CC_INVALID);
    assert_int_equal(plan_state_apply(PLAN_DRAFT, PLAN_EVENT_COUNT, &to, &err), CC_INVALID);
    assert_string_equal(err.field, "event");
    assert_int_equal(plan_state_apply(PLAN_DRAFT, (plan_event)-1, &to, NULL), CC_INVALID);
    assert_string_equal(plan_state_name(PLAN_STATE_COUNT), "?");
    assert_string_equal(plan_event_name(PLAN_EVENT_COUNT), "?");
    assert_int_equal(plan_event_target(PLAN_EVENT_COUNT), PLAN_STATE_COUNT);
    assert_false(plan_state_allows(PLAN_STATE_COUNT, PLAN_EV_CANCEL));
    assert_false(plan_state_is_final(PLAN_STATE_COUNT));
    assert_false(plan_state_is_active(PLAN_STATE_COUNT));
    assert_false(plan_state_has_followup(PLAN_STATE_COUNT));
}

static void test_names_round_trip(void **state)
{
    (void)state;
    static const char *const state_names[NS] = {"draft", "approved", "in_progress", "completed",
                                                "cancelled"};
    static const char *const event_names[NE] = {"approve", "cancel", "start", "complete"};
    for (int s = 0; s < NS; s++) {
        assert_string_equal(plan_state_name((plan_state)s), state_names[s]);
        plan_state back;
        assert_true(plan_state_parse(state_names[s], &back));
        assert_int_equal(back, s);
    }
    for (int e = 0; e < NE; e++) {
        assert_string_equal(plan_event_name((plan_event)e), event_names[e]);
        plan_event back;
        assert_true(plan_event_parse(event_names[e], &back));
        assert_int_equal(back, e);
    }
    plan_state s = PLAN_APPROVED;
    plan_event ev = PLAN_EV_START;
    const char *bad[] = {"", "Draft", "draft ", "in progress", "approv", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(plan_state_parse(bad[i], &s));
        assert_false(plan_event_parse(bad[i], &ev));
    }
    assert_int_equal(s, PLAN_APPROVED);
    assert_int_equal(ev, PLAN_EV_START);
}

/* States reachable from start using only the events in event_mask. */
static unsigned reachable(plan_state start, unsigned event_mask)
{
    unsigned seen = 1u << start;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int s = 0; s < NS; s++) {
            if (!(seen & (1u << s)))
                continue;
            for (int e = 0; e < NE; e++) {
                plan_state to;
                if (!(event_mask & (1u << e)) ||
                    plan_state_apply((plan_state)s, (plan_event)e, &to, NULL) != CC_OK)
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

static void test_properties(void **state)
{
    (void)state;
    unsigned all = (1u << NE) - 1;
    /* Every state is reachable from draft. */
    assert_int_equal(reachable(PLAN_DRAFT, all), (1u << NS) - 1);
    /* H4, H5, H6: without the approval (which re-checks them), a draft never
     * becomes active, so none of its administrations can be given. */
    unsigned no_approve = reachable(PLAN_DRAFT, all & ~(1u << PLAN_EV_APPROVE));
    for (int s = 0; s < NS; s++)
        if (no_approve & (1u << s))
            assert_false(plan_state_is_active((plan_state)s));
    /* completed and cancelled are final; nothing else is; every live plan can end. */
    for (int s = 0; s < NS; s++) {
        unsigned r = reachable((plan_state)s, all);
        bool final = s == PLAN_COMPLETED || s == PLAN_CANCELLED;
        assert_int_equal(plan_state_is_final((plan_state)s), final);
        if (final)
            assert_int_equal(r, 1u << s);
        else
            assert_true(r & ((1u << PLAN_COMPLETED) | (1u << PLAN_CANCELLED)));
    }
    /* Active means approved or in progress, exactly. */
    for (int s = 0; s < NS; s++)
        assert_int_equal(plan_state_is_active((plan_state)s),
                         s == PLAN_APPROVED || s == PLAN_IN_PROGRESS);
    /* Follow-up is due exactly for approved plans not cancelled, and once
     * due it stays due whatever the plan does next. */
    for (int s = 0; s < NS; s++) {
        assert_int_equal(plan_state_has_followup((plan_state)s),
                         s == PLAN_APPROVED || s == PLAN_IN_PROGRESS || s == PLAN_COMPLETED);
        unsigned r = reachable((plan_state)s, all & ~(1u << PLAN_EV_CANCEL));
        for (int to = 0; plan_state_has_followup((plan_state)s) && to < NS; to++)
            if (r & (1u << to))
                assert_true(plan_state_has_followup((plan_state)to));
    }
    /* A plan whose cells were given is never cancelled. */
    assert_false(reachable(PLAN_IN_PROGRESS, all) & (1u << PLAN_CANCELLED));
}

static void test_messages(void **state)
{
    (void)state;
    cc_error err;
    assert_int_equal(plan_state_apply(PLAN_APPROVED, PLAN_EV_APPROVE, NULL, &err), CC_CONFLICT);
    assert_string_equal(err.message, "only a draft plan can be approved (this one is approved)");
    assert_int_equal(plan_state_apply(PLAN_IN_PROGRESS, PLAN_EV_CANCEL, NULL, &err), CC_CONFLICT);
    assert_string_equal(err.message,
                        "only a draft or approved plan can be cancelled (this one is in_progress)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_state_event_pair),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
