/*
 * score_range: the range a score of an outcome instrument can take, so that
 * a chart never draws a value, an axis or an interval beyond it.
 *
 * ISNCSCI totals are fixed (uems, lems 0..50; light_touch, pin_prick
 * 0..112). For the instruments of core/instruments.h the range is found by
 * scoring the lowest and the highest answer of every item (the first item
 * of each one-of set; text items left out) and reading the score's output
 * from both: exact for sums, means and the scales built on them (KOOS's
 * 100 - mean * 25 is reversed, so the two ends are ordered). A score that
 * is not an output of both (a change over time such as delta_fs) has no
 * range: false.
 *
 * Pure: no state, no allocation beyond the stack; thread-safe.
 */
#ifndef CC_SCORE_RANGE_H
#define CC_SCORE_RANGE_H

#include <stdbool.h>

bool score_range(const char *instrument, const char *score, double *lo, double *hi);

#endif
