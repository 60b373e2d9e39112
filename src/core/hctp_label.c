#include "hctp_label.h"

#include <stddef.h>

void hctp_label_decide(const hctp_label_facts *f, hctp_label *out)
{
    unsigned s = 0;
    if (f->autologous) {
        s |= HCTP_AUTOLOGOUS_ONLY; /* 1271.90(c)(1) */
        if (!f->screening_complete)
            s |= HCTP_NOT_EVALUATED; /* 1271.90(c)(2) */
        /* 1271.90(c)(3): an ineligible finding on an autologous donor is a
         * screening or test result showing a risk */
        if (f->reactive || f->eligibility == HCTP_ELIGIBILITY_INELIGIBLE)
            s |= HCTP_BIOHAZARD | HCTP_ADVISE_RISKS;
        if (f->reactive)
            s |= HCTP_REACTIVE; /* 1271.90(c)(4) */
        out->donation_type = (s & HCTP_BIOHAZARD) ? 'X' : '1';
    } else {
        if (f->eligibility == HCTP_ELIGIBILITY_INELIGIBLE) {
            s |= HCTP_BIOHAZARD | HCTP_ADVISE_RISKS; /* 1271.65(b)(2) */
            if (f->reactive)
                s |= HCTP_REACTIVE;
        } else if (f->eligibility == HCTP_ELIGIBILITY_INCOMPLETE && f->urgent_need) {
            s |= HCTP_NOT_EVALUATED | HCTP_ADVISE_RISKS; /* 1271.60(d)(2) */
        }
        out->donation_type = 'V';
    }
    out->statements = s;
}
