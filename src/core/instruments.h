/*
 * instruments: outcome instruments as data, and their scoring.
 *
 * An instrument is a versioned definition (instr_def): items with their
 * answer type and range (a list of coded options, each worth some points; a
 * number in a range; or free text), which items are required, the subscales
 * (groups) the items belong to, a scoring rule, interpretation bands, and
 * English and French labels. The definitions are const tables in
 * instruments_defs.c; each cites the publication its items and scoring come
 * from. Built in: ALSFRS-R, NRS pain, Modified Ashworth, SCIM III, NBD score,
 * KOOS, EDSS, FLACC, NBSS (domain scores), and the clinic's satisfaction and
 * perceived-efficacy questionnaire (see instrument_at / instrument_find).
 *
 * Answers are (item id, text) pairs: options by their code ("3", "1+",
 * "daily", "yes"), numbers in decimal ("7.5"), free text as is.
 *
 * Scores (instr_result) are named outputs: numbers (with the number of
 * decimals they are reported with) or ordinal texts (a Modified Ashworth
 * grade is "1+", never a float), plus the interpretation band of the total
 * when the instrument has bands.
 *
 * Bad input is refused with CC_INVALID and err->field naming the item:
 * missing required item ("missing"), value out of range or not an option
 * ("invalid_value"), unknown item ("unknown_item"), an item given twice
 * ("duplicate_item"), wrong version (field "version", "wrong_version").
 *
 * Memory: nothing is allocated; definitions are static and immutable; the
 * result is a plain value. Thread-safe.
 */
#ifndef CC_INSTRUMENTS_H
#define CC_INSTRUMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct {
    const char *code; /* as answered: "0", "1+", "daily", "yes" */
    int points;       /* contribution to sums; rank for ordinal scales */
    const char *en, *fr;
} instr_option;

typedef enum { INSTR_OPTIONS, INSTR_NUMBER, INSTR_TEXT } instr_item_kind;

typedef struct {
    const char *id;
    const char *en, *fr;
    instr_item_kind kind;
    const instr_option *options; /* INSTR_OPTIONS */
    int n_options;
    double min, max; /* INSTR_NUMBER: inclusive range (min exclusive when min_open) */
    bool min_open;
    int max_len; /* INSTR_TEXT: longest accepted text, in bytes */
    bool required;
    int group;  /* subscale index, or -1 */
    int one_of; /* items sharing a non-zero one_of: exactly one is answered */
} instr_item;

typedef struct {
    const char *id, *en, *fr;
    int min_answered; /* KOOS: items needed for a subscale score */
} instr_group;

typedef struct {
    int lo, hi; /* inclusive total range */
    const char *code, *en, *fr;
} instr_band;

typedef enum {
    INSTR_RULE_SUM,         /* total and group sums of points */
    INSTR_RULE_ALSFRS,      /* SUM, plus delta-FS from months since onset */
    INSTR_RULE_KOOS,        /* per group: 100 - mean * 25, with a minimum answered */
    INSTR_RULE_EACH,        /* each answered option item reported on its own */
    INSTR_RULE_ORDINAL_MAX, /* each item as its ordinal code, and the highest */
    INSTR_RULE_EDSS,        /* Kurtzke EDSS from functional systems and ambulation */
    INSTR_RULE_SUM_GROUPED, /* total and group sums over the items in a group; an
                               item outside every group reported on its own (NBSS
                               quality of life) */
} instr_rule;

typedef struct {
    const char *id;      /* "alsfrs-r" */
    const char *version; /* "1" */
    const char *en, *fr; /* names */
    const char *source;  /* publication of the items and scoring */
    const instr_item *items;
    int n_items;
    const instr_group *groups;
    int n_groups;
    const instr_band *bands;
    int n_bands;
    instr_rule rule;
    /* scored by staff (an observation scale, or scores transcribed from a
     * licensed paper form): never sent to a patient by questionnaire link */
    bool staff_only;
} instr_def;

typedef struct {
    const char *item;  /* borrowed */
    const char *value; /* borrowed */
} instr_answer;

#define INSTR_MAX_OUTPUTS 48

typedef struct {
    char name[40]; /* "total", "bulbar", "delta_fs", "elbow_flexors_left" */
    bool is_text;
    double number; /* when !is_text */
    int decimals;  /* how many decimals to report */
    char text[16]; /* when is_text: an option code */
} instr_output;

typedef struct {
    const instr_def *def;
    instr_output out[INSTR_MAX_OUTPUTS];
    int n_out;
    const instr_band *band; /* NULL when none applies */
} instr_result;

/* The built-in definitions: i from 0 to instrument_count() - 1. */
int instrument_count(void);
const instr_def *instrument_at(int i);
/* By id ("alsfrs-r", "nrs-pain", "mas", "scim-iii", "nbd", "koos", "edss",
 * "flacc", "nbss", "satisfaction"); NULL when unknown. */
const instr_def *instrument_find(const char *id);

/* Scores answers[0..n-1] against def. version may be NULL (current). */
cc_status instrument_score(const instr_def *def, const char *version, const instr_answer *answers,
                           size_t n, instr_result *out, cc_error *err);

/* The output named name, or NULL. */
const instr_output *instrument_output(const instr_result *r, const char *name);

/* Renders an output value ("41", "0.58", "1+") into buf. */
void instrument_output_format(const instr_output *o, char *buf, size_t cap);

#endif
