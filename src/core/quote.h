/*
 * quote: the priced lines of a plan (DESIGN.md section 3 "Treatment plan").
 *
 * Lines, in this order: the stay (stay_days x price.stay_per_day), each
 * administration (one line per administration, priced by its product), each
 * ancillary programme (sessions x price per session), the pre-treatment
 * examinations (once). Amounts are integer cents of price.currency (EUR);
 * the total is their exact sum (int64_t; a plan cannot overflow it: at most
 * 120 days, 16 administrations, 6 programmes, each price checked < 10^11
 * cents by quote_build). The programme's price range is carried along and
 * outside_range is set when the total falls outside it (shown, not
 * refused: the clinic decides).
 *
 * Ownership: caller-owned value; labels are codes the interface translates
 * ("stay", "administration", "ancillary:<id>", "examinations").
 * Pure, thread-safe.
 */
#ifndef CC_QUOTE_H
#define CC_QUOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "planner.h"
#include "protocol.h"
#include "status.h"

enum { QUOTE_MAX_LINES = 2 + PROTOCOL_MAX_ADMINISTRATIONS + PROTOCOL_MAX_ANCILLARY };

typedef struct {
    char code[48];   /* "stay", "administration", "ancillary:rehabilitation", "examinations" */
    char detail[48]; /* product for administrations ("UC-MSC"), ancillary id, "" */
    int quantity;
    int64_t unit_cents;
    int64_t amount_cents;
} quote_line;

typedef struct {
    char currency[4];
    quote_line lines[QUOTE_MAX_LINES];
    int n_lines;
    int64_t total_cents;
    int64_t range_min_cents, range_max_cents;
    bool outside_range;
} quote;

cc_status quote_build(const protocol *p, const plan *pl, quote *out, cc_error *err);

#endif
