/*
 * demo_instruments: plausible instrument answers for `cellclinic demo`,
 * as the JSON text the observation API takes ("answers"), to be
 * scored by the real scorers (ISNCSCI classifier, instrument scoring).
 *
 * Randomness comes from the caller's xorshift64* state (demo_rnd), so the
 * same seed gives the same answers. Each writer fills out (cap bytes, NUL
 * terminated) and returns false when the text does not fit.
 *
 * ISNCSCI: an examination consistent with a neurological level of injury
 * (level index of core/isncsci.h, C5..T12) and an AIS grade A-D: normal
 * motor and sensory function down to the level; below it, by grade: A no
 * sensory or motor function (and no sacral sparing), B sensory sparing down
 * to S4-5 with deep anal pressure and no motor function, C voluntary anal
 * contraction and motor grades 0-2 below the level, D grades 3-4 below the
 * level. The classifier computes the grade from it; demo_isncsci_level
 * parses "C5" ... "T12" (-1 when outside that range).
 *
 * Per-patient state (mas, nbd, als) is chosen once at baseline (…_baseline)
 * and varied at later visits (…_followup): most patients change little;
 * ALSFRS-R declines with the months since baseline at a per-patient rate.
 */
#ifndef CC_CLI_DEMO_INSTRUMENTS_H
#define CC_CLI_DEMO_INSTRUMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DEMO_ANSWERS_MAX = 2600, DEMO_ALS_ITEMS = 12, DEMO_MAS_ITEMS = 10, DEMO_NBD_ITEMS = 10 };

uint64_t demo_rnd(uint64_t *state);

int demo_isncsci_level(const char *name);
bool demo_isncsci_exam(int level, char ais, uint64_t *rng, char *out, size_t cap);

typedef struct {
    int als[DEMO_ALS_ITEMS];
    int als_rate_tenths; /* points lost per month, in tenths */
    int mas[DEMO_MAS_ITEMS];
    bool mas_arms; /* cervical injury: upper-limb muscles examined too */
    int nbd[DEMO_NBD_ITEMS];
} demo_instrument_state;

void demo_instruments_baseline(demo_instrument_state *s, bool cervical, uint64_t *rng);
/* ALSFRS-R, MAS or NBD answers at `months` after baseline (0: baseline). */
bool demo_als_answers(const demo_instrument_state *s, int months, uint64_t *rng, char *out,
                      size_t cap);
bool demo_mas_answers(const demo_instrument_state *s, int months, uint64_t *rng, char *out,
                      size_t cap);
bool demo_nbd_answers(const demo_instrument_state *s, int months, uint64_t *rng, char *out,
                      size_t cap);

#endif
