/*
 * isncsci: classification of one ISNCSCI examination (International Standards
 * for Neurological Classification of Spinal Cord Injury, 2019 revision).
 *
 * Input (isncsci_exam): per side, motor grades of the ten key muscles
 * (C5 C6 C7 C8 T1 L2 L3 L4 L5 S1), light touch and pin prick of the 28
 * dermatomes C2 ... T12, L1 ... L5, S1, S2, S3, S4_5, and optionally the
 * lowest non-key muscle with motor function (a segment C5 ... T1 or L2 ...
 * S1: the worksheet has no non-key muscle at T2-T12 and L1); then
 * voluntary anal contraction (VAC) and deep anal pressure (DAP).
 *
 * Values (isncsci_value) are small codes, not strings: the grade in the low
 * three bits (0-5, or ISNCSCI_NT) and the tag above (none, '*' = "consider
 * not normal", '**' = "consider normal"; impairment due to a non-SCI
 * condition). Motor grades are 0-5, sensory scores 0-2. Normal values (motor
 * 5, sensory 2) are never tagged. isncsci_value_parse reads the strings of
 * the fixtures README ("3", "0*", "1**", "NT", "NT*", "NT**").
 *
 * Output (isncsci_result): sensory and motor levels per side, neurological
 * level of injury (NLI), complete / incomplete, ASIA Impairment Scale (AIS),
 * sensory and motor zones of partial preservation (ZPP) per side, and totals.
 * When NT or tagged values leave a result undetermined, every possible value
 * is kept (a set), and each element carries its own star when it depends on a
 * tagged finding. isncsci_result_field renders each field as the exact string
 * of tests/data/isncsci (see the fixtures README): comma-separated lists,
 * rostral to caudal, "NA" first, "INT" last; totals as decimals or "ND".
 *
 * Rules: the worksheet rules of the 2019 Standards. Where the Standards leave
 * tagged and untestable values open, the engine follows the behaviour of the
 * Praxis reference algorithm (the source of the 2019 validation set), so that
 * every validation case matches field for field, and every case of the
 * differential set (tests/data/isncsci/differential.tsv) too. A lowest
 * non-key muscle at T2-T12 or L1 is refused (CC_INVALID naming the field):
 * the worksheet lists no non-key muscle there.
 *
 * Memory: isncsci_classify allocates nothing, uses no globals, touches only
 * its arguments: it is thread-safe and reentrant. All results are values.
 * Bad input: isncsci_classify refuses an exam holding an invalid code with
 * CC_INVALID and the field name ("right.motor.C5", "left.pinPrick.S4_5",
 * "voluntaryAnalContraction", "left.lowestNonKeyMuscleWithMotorFunction").
 */
#ifndef CC_ISNCSCI_H
#define CC_ISNCSCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum {
    ISNCSCI_MUSCLES = 10,    /* key muscles per side */
    ISNCSCI_DERMATOMES = 28, /* C2 .. S4_5 */
    ISNCSCI_LEVELS = 29,     /* C1 .. S4_5, the level index used below */
};

/* Level index: C1=0, C2=1 ... C8=7, T1=8 ... T12=19, L1=20 ... L5=24,
 * S1=25, S2=26, S3=27, S4_5=28. In result sets, bit 28 means "INT" (intact)
 * and bit 29 "NA" (not applicable). */
enum {
    ISNCSCI_C1 = 0,
    ISNCSCI_C4 = 3,
    ISNCSCI_C5 = 4,
    ISNCSCI_T1 = 8,
    ISNCSCI_T2 = 9,
    ISNCSCI_L1 = 20,
    ISNCSCI_L2 = 21,
    ISNCSCI_S1 = 25,
    ISNCSCI_S2 = 26,
    ISNCSCI_S3 = 27,
    ISNCSCI_S4_5 = 28,
    ISNCSCI_INT = 28,
    ISNCSCI_NA = 29,
};

typedef uint8_t isncsci_value;
#define ISNCSCI_NT 6u         /* grade part meaning "not testable" */
#define ISNCSCI_TAG_STAR 8u   /* '*' : consider not normal */
#define ISNCSCI_TAG_STAR2 16u /* '**': consider normal */
#define ISNCSCI_GRADE(v) ((unsigned)(v)&7u)
#define ISNCSCI_TAG(v) ((unsigned)(v)&24u)

typedef enum { ISNCSCI_NO = 0, ISNCSCI_YES = 1, ISNCSCI_BIN_NT = 2 } isncsci_binary;

typedef struct {
    isncsci_value motor[ISNCSCI_MUSCLES];          /* C5 .. T1, L2 .. S1 */
    isncsci_value light_touch[ISNCSCI_DERMATOMES]; /* C2 .. S4_5 */
    isncsci_value pin_prick[ISNCSCI_DERMATOMES];   /* C2 .. S4_5 */
    int8_t lowest_non_key; /* level index C5 (4) .. S1 (25), or -1 if none */
} isncsci_side;

enum { ISNCSCI_RIGHT = 0, ISNCSCI_LEFT = 1 };

typedef struct {
    isncsci_side side[2]; /* [ISNCSCI_RIGHT], [ISNCSCI_LEFT] */
    isncsci_binary vac;   /* voluntary anal contraction */
    isncsci_binary dap;   /* deep anal pressure */
} isncsci_exam;

/* A set of possible levels: bit i = level index i, plus INT (28) and NA (29).
 * star has a bit for each element that depends on a tagged value. */
typedef struct {
    uint32_t set;
    uint32_t star;
} isncsci_levels;

/* Complete / incomplete: bit 0 = C, bit 1 = I. AIS: bit 0 = A ... bit 4 = E. */
typedef struct {
    uint8_t set;
    uint8_t star;
} isncsci_grades;

#define ISNCSCI_ND (-1) /* total not determinable (an NT value is added) */

typedef struct {
    int16_t upper, lower, motor, light_touch, pin_prick; /* or ISNCSCI_ND */
} isncsci_side_totals;

typedef struct {
    isncsci_levels sensory[2], motor[2]; /* [ISNCSCI_RIGHT], [ISNCSCI_LEFT] */
    isncsci_levels nli;
    isncsci_grades complete;
    isncsci_grades ais;
    isncsci_levels zpp_sensory[2], zpp_motor[2];
    isncsci_side_totals totals[2];
    int16_t upper, lower, light_touch, pin_prick; /* both sides, or ND */
} isncsci_result;

/* Parses one value string. motor selects the range (0-5, else 0-2).
 * Returns false (out untouched) for anything not in the README's table. */
bool isncsci_value_parse(const char *text, bool motor, isncsci_value *out);

/* Writes the value's text ("4**", "NT") into out (at least 5 bytes). */
void isncsci_value_format(isncsci_value v, char out[static 5]);

/* VAC / DAP: "Yes", "No", "NT". */
bool isncsci_binary_parse(const char *text, isncsci_binary *out);

/* Names: key muscle m (0-9) "C5".."S1"; dermatome d (0-27) "C2".."S4_5";
 * level index 0-29 "C1".."S3","INT","NA" (28 renders as "INT"). */
const char *isncsci_muscle_name(int m);
const char *isncsci_dermatome_name(int d);
const char *isncsci_level_name(int level);

/* Level index of a segment name for the lowest non-key muscle (C5..T1,
 * L2..S1), or -1 when text is not such a segment. */
int isncsci_segment_parse(const char *text);

/* Whether the worksheet has a non-key muscle at level index `level`. */
bool isncsci_non_key_segment(int level);

/* Classifies exam into *out. Pure; no allocation; thread-safe.
 * Returns CC_OK, or CC_INVALID naming the first invalid field (err may be
 * NULL); *out is then unspecified. */
cc_status isncsci_classify(const isncsci_exam *exam, isncsci_result *out, cc_error *err);

/* A normal examination (all 5 / 2, VAC and DAP Yes, no non-key muscle). */
void isncsci_exam_normal(isncsci_exam *exam);

/* Output fields, in the order of the README's `expected` object. */
typedef enum {
    ISNCSCI_F_SENSORY_RIGHT,
    ISNCSCI_F_SENSORY_LEFT,
    ISNCSCI_F_MOTOR_RIGHT,
    ISNCSCI_F_MOTOR_LEFT,
    ISNCSCI_F_NLI,
    ISNCSCI_F_COMPLETE,
    ISNCSCI_F_AIS,
    ISNCSCI_F_ZPP_SENSORY_RIGHT,
    ISNCSCI_F_ZPP_SENSORY_LEFT,
    ISNCSCI_F_ZPP_MOTOR_RIGHT,
    ISNCSCI_F_ZPP_MOTOR_LEFT,
    ISNCSCI_F_LEFT_UPPER,
    ISNCSCI_F_LEFT_LOWER,
    ISNCSCI_F_LEFT_LIGHT_TOUCH,
    ISNCSCI_F_LEFT_PIN_PRICK,
    ISNCSCI_F_LEFT_MOTOR,
    ISNCSCI_F_RIGHT_UPPER,
    ISNCSCI_F_RIGHT_LOWER,
    ISNCSCI_F_RIGHT_LIGHT_TOUCH,
    ISNCSCI_F_RIGHT_PIN_PRICK,
    ISNCSCI_F_RIGHT_MOTOR,
    ISNCSCI_F_UPPER,
    ISNCSCI_F_LOWER,
    ISNCSCI_F_LIGHT_TOUCH,
    ISNCSCI_F_PIN_PRICK,
    ISNCSCI_FIELD_COUNT
} isncsci_field;

/* Longest rendered field, terminator included (30 elements of "T10*,"). */
#define ISNCSCI_TEXT_MAX 160

/* Dotted path of a field in the `expected` JSON object, e.g.
 * "classification.neurologicalLevels.sensoryRight", "totals.left.motor". */
const char *isncsci_field_path(isncsci_field f);

/* Renders field f of r into out (NUL-terminated, truncated to cap).
 * Returns the length it needed (as snprintf does). */
size_t isncsci_result_field(const isncsci_result *r, isncsci_field f, char *out, size_t cap);

/* The same renderers on their own. */
size_t isncsci_levels_format(isncsci_levels l, char *out, size_t cap);
size_t isncsci_complete_format(isncsci_grades g, char *out, size_t cap);
size_t isncsci_ais_format(isncsci_grades g, char *out, size_t cap);
size_t isncsci_total_format(int total, char *out, size_t cap);

#endif
