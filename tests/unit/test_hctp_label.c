/* Which donor statements a unit label carries and its ISBT 128 type of
 * donation, one row per situation of 21 CFR 1271.60(d)(2), 1271.65(b)(2)
 * and 1271.90(c) (see core/hctp_label.h for the text of each rule). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/hctp_label.h"

enum {
    AUTO = HCTP_AUTOLOGOUS_ONLY,
    NOTEV = HCTP_NOT_EVALUATED,
    BIO = HCTP_BIOHAZARD,
    ADV = HCTP_ADVISE_RISKS,
    REACT = HCTP_REACTIVE
};
#define INC HCTP_ELIGIBILITY_INCOMPLETE
#define ELIG HCTP_ELIGIBILITY_ELIGIBLE
#define INEL HCTP_ELIGIBILITY_INELIGIBLE

static void test_statement_table(void **state)
{
    (void)state;
    static const struct {
        const char *situation;
        hctp_label_facts facts; /* autologous, eligibility, screening_complete, reactive, urgent */
        char type;
        unsigned statements;
    } rows[] = {
        /* 1271.90(c)(1) and (c)(2): autologous, nothing tested */
        {"autologous, not screened", {true, INC, false, false, false}, '1', AUTO | NOTEV},
        /* (c)(2) does not apply once all applicable screening and testing was performed */
        {"autologous, screened negative", {true, ELIG, true, false, false}, '1', AUTO},
        {"autologous, screened negative, not signed", {true, INC, true, false, false}, '1', AUTO},
        /* (c)(3) and (c)(4): reactive result */
        {"autologous, reactive", {true, INC, true, true, false}, 'X', AUTO | BIO | ADV | REACT},
        {"autologous, reactive, partly screened",
         {true, INC, false, true, false},
         'X',
         AUTO | NOTEV | BIO | ADV | REACT},
        /* (c)(3): risk factors found by screening (the donor signed ineligible) */
        {"autologous, ineligible, no reactive test",
         {true, INEL, true, false, false},
         'X',
         AUTO | BIO | ADV},
        {"autologous, urgent release changes nothing",
         {true, INC, false, false, true},
         '1',
         AUTO | NOTEV},
        /* allogeneic, eligible donor: no statement */
        {"allogeneic, eligible", {false, ELIG, true, false, false}, 'V', 0},
        {"allogeneic, eligible, urgent", {false, ELIG, true, false, true}, 'V', 0},
        /* 1271.60(b): incomplete, in quarantine: the banner, no statement */
        {"allogeneic, incomplete", {false, INC, false, false, false}, 'V', 0},
        /* 1271.60(d)(2): urgent medical need before the determination is complete */
        {"allogeneic, incomplete, urgent", {false, INC, false, false, true}, 'V', NOTEV | ADV},
        {"allogeneic, incomplete, screened, urgent",
         {false, INC, true, false, true},
         'V',
         NOTEV | ADV},
        /* 1271.65(b)(2): ineligible donor */
        {"allogeneic, ineligible (screening)", {false, INEL, true, false, false}, 'V', BIO | ADV},
        {"allogeneic, ineligible, reactive",
         {false, INEL, true, true, false},
         'V',
         BIO | ADV | REACT},
        {"allogeneic, ineligible, reactive, urgent",
         {false, INEL, true, true, true},
         'V',
         BIO | ADV | REACT},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hctp_label out = {'?', 0xffffu};
        hctp_label_decide(&rows[i].facts, &out);
        if (out.donation_type != rows[i].type || out.statements != rows[i].statements)
            fail_msg("%s: expected type %c statements %#x, got %c %#x", rows[i].situation,
                     rows[i].type, rows[i].statements, out.donation_type, out.statements);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
