/*
 * isncsci: classification engine. See isncsci.h for the contract.
 *
 * Design notes.
 *  1. A value is a 5-bit code (grade | tag << 3), so a "set of values" is a
 *     32-bit mask and every predicate is one shift-and-test (VB, in()).
 *  2. Every result that may be undetermined is a set of levels (bitmask) with
 *     a parallel star mask; lists come out sorted rostral to caudal for free.
 *  3. Levels are found by walking the 29 levels C1 .. S4_5 once, one "step"
 *     per level: a step says whether the walk goes on, whether the current
 *     level is a possible answer (and starred), and whether a tagged or
 *     untestable value has made the answer "variable" from here on (which
 *     stars every later answer).
 *  4. Each side is first summarised in one pass (profile_build): validity,
 *     totals, what a sensory step does at each level, and per-muscle
 *     category masks. The walks and the AIS rules then read bits, and the
 *     walks skip the leading run of normal levels, where every step is a
 *     no-op. (About 1 microsecond per exam; see bench/bench_isncsci.)
 *  5. Nothing is allocated; every function works on its arguments only.
 *     tests/unit/test_isncsci.c keeps a digest of the results of 20,000
 *     random exams: a refactor must not change it.
 */
#include "isncsci.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Value sets                                                          */

#define NTG 6 /* grade code of NT */
#define VB(g, t) (1u << ((unsigned)(g) | ((unsigned)(t) << 3)))
#define V(g, t) ((isncsci_value)((unsigned)(g) | ((unsigned)(t) << 3)))
#define ANY012(t) (VB(0, t) | VB(1, t) | VB(2, t))
#define DSTAR_ALL (VB(0, 2) | VB(1, 2) | VB(2, 2) | VB(3, 2) | VB(4, 2) | VB(NTG, 2))

static bool in(uint32_t set, isncsci_value v)
{
    return (set >> v) & 1u;
}

/* sensory */
static const uint32_t S_ABNORMAL = VB(0, 0) | VB(1, 0) | VB(0, 1) | VB(1, 1);
static const uint32_t S_DSTAR01 = VB(0, 2) | VB(1, 2);
static const uint32_t S_CAN_BE_ABSENT = VB(0, 0) | VB(NTG, 0) | VB(0, 1) | VB(NTG, 1);
static const uint32_t S_VALID = VB(0, 0) | VB(1, 0) | VB(2, 0) | VB(0, 1) | VB(1, 1) | VB(0, 2) |
                                VB(1, 2) | VB(NTG, 0) | VB(NTG, 1) | VB(NTG, 2);
/* motor */
static const uint32_t M_012 = ANY012(0);
static const uint32_t M_STAR012_NT = ANY012(1) | VB(NTG, 1); /* 0* 1* 2* NT* */
static const uint32_t M_BELOW3_OR_NT = ANY012(0) | ANY012(1) | VB(NTG, 0) | VB(NTG, 1);
static const uint32_t M_NORMALISH = VB(5, 0) | DSTAR_ALL; /* 5 or any ** */
static const uint32_t M_STOPS_WALK =
    ANY012(1) | VB(NTG, 1) | VB(3, 0) | VB(4, 0) | VB(3, 1) | VB(4, 1);
static const uint32_t M_PLAIN_FUNCTION =
    VB(5, 0) | VB(3, 0) | VB(4, 0) | VB(3, 1) | VB(4, 1) | VB(NTG, 0);
static const uint32_t M_NEXT_STARS = ANY012(1) | VB(NTG, 0) | VB(NTG, 1);
static const uint32_t M_VALID = VB(0, 0) | VB(1, 0) | VB(2, 0) | VB(3, 0) | VB(4, 0) | VB(5, 0) |
                                VB(0, 1) | VB(1, 1) | VB(2, 1) | VB(3, 1) | VB(4, 1) | DSTAR_ALL |
                                VB(NTG, 0) | VB(NTG, 1);

/* ------------------------------------------------------------------ */
/* Names and parsing                                                   */

static const char *const LEVEL_NAMES[30] = {
    "C1", "C2", "C3",  "C4",  "C5",  "C6", "C7", "C8", "T1", "T2", "T3", "T4", "T5", "T6",  "T7",
    "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "INT", "NA",
};
static const char *const MUSCLE_NAMES[ISNCSCI_MUSCLES] = {
    "C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1",
};
/* level index of each key muscle */
static const int8_t MUSCLE_LEVEL[ISNCSCI_MUSCLES] = {4, 5, 6, 7, 8, 21, 22, 23, 24, 25};

const char *isncsci_level_name(int level)
{
    return level >= 0 && level < 30 ? LEVEL_NAMES[level] : "?";
}

const char *isncsci_muscle_name(int m)
{
    return m >= 0 && m < ISNCSCI_MUSCLES ? MUSCLE_NAMES[m] : "?";
}

const char *isncsci_dermatome_name(int d)
{
    if (d == ISNCSCI_DERMATOMES - 1)
        return "S4_5";
    return d >= 0 && d < ISNCSCI_DERMATOMES ? LEVEL_NAMES[d + 1] : "?";
}

int isncsci_segment_parse(const char *text)
{
    if (text == NULL)
        return -1;
    for (int i = ISNCSCI_C5; i <= ISNCSCI_S1; i++)
        if (isncsci_non_key_segment(i) && strcmp(text, LEVEL_NAMES[i]) == 0)
            return i;
    return -1;
}

/* The worksheet's non-key muscle functions (ISNCSCI 2019 worksheet, "Muscle
 * Function Grading" table "Non Key Muscle Functions (optional)") are listed
 * under C5, C6, C7, C8, T1, L2, L3, L4, L5 and S1 only, the segments of the
 * key muscles: there is no non-key muscle to test at T2-T12 or L1. */
bool isncsci_non_key_segment(int level)
{
    return (level >= ISNCSCI_C5 && level <= ISNCSCI_T1) ||
           (level >= ISNCSCI_L2 && level <= ISNCSCI_S1);
}

bool isncsci_value_parse(const char *text, bool motor, isncsci_value *out)
{
    if (text == NULL)
        return false;
    unsigned grade;
    const char *p = text;
    if (p[0] == 'N' && p[1] == 'T') {
        grade = NTG;
        p += 2;
    } else if (p[0] >= '0' && p[0] <= (motor ? '5' : '2')) {
        grade = (unsigned)(p[0] - '0');
        p += 1;
    } else {
        return false;
    }
    unsigned tag = 0;
    if (p[0] == '*' && p[1] == '*' && p[2] == '\0')
        tag = 2;
    else if (p[0] == '*' && p[1] == '\0')
        tag = 1;
    else if (p[0] != '\0')
        return false;
    isncsci_value v = V(grade, tag);
    if (!in(motor ? M_VALID : S_VALID, v))
        return false; /* a normal value is never tagged */
    *out = v;
    return true;
}

void isncsci_value_format(isncsci_value v, char out[static 5])
{
    unsigned g = ISNCSCI_GRADE(v), t = ISNCSCI_TAG(v) >> 3;
    static const char *const GRADES[8] = {"0", "1", "2", "3", "4", "5", "NT", "?"};
    snprintf(out, 5, "%s%s", GRADES[g], t == 2 ? "**" : t == 1 ? "*" : "");
}

bool isncsci_binary_parse(const char *text, isncsci_binary *out)
{
    if (text == NULL)
        return false;
    if (strcmp(text, "Yes") == 0)
        *out = ISNCSCI_YES;
    else if (strcmp(text, "No") == 0)
        *out = ISNCSCI_NO;
    else if (strcmp(text, "NT") == 0)
        *out = ISNCSCI_BIN_NT;
    else
        return false;
    return true;
}

void isncsci_exam_normal(isncsci_exam *exam)
{
    memset(exam, 0, sizeof *exam);
    for (int s = 0; s < 2; s++) {
        for (int m = 0; m < ISNCSCI_MUSCLES; m++)
            exam->side[s].motor[m] = V(5, 0);
        for (int d = 0; d < ISNCSCI_DERMATOMES; d++) {
            exam->side[s].light_touch[d] = V(2, 0);
            exam->side[s].pin_prick[d] = V(2, 0);
        }
        exam->side[s].lowest_non_key = -1;
    }
    exam->vac = ISNCSCI_YES;
    exam->dap = ISNCSCI_YES;
}

/* ------------------------------------------------------------------ */
/* Accessors by level index                                            */

/* C1 has no sensory point; it reads as normal. */
static isncsci_value lt_at(const isncsci_side *s, int level)
{
    return level == 0 ? V(2, 0) : s->light_touch[level - 1];
}

static isncsci_value pp_at(const isncsci_side *s, int level)
{
    return level == 0 ? V(2, 0) : s->pin_prick[level - 1];
}

/* key muscle index of a level, or -1 */
static int muscle_of(int level)
{
    if (level >= ISNCSCI_C5 && level <= ISNCSCI_T1)
        return level - ISNCSCI_C5;
    if (level >= ISNCSCI_L2 && level <= ISNCSCI_S1)
        return level - ISNCSCI_L2 + 5;
    return -1;
}

static void levels_add(isncsci_levels *l, int level, bool star)
{
    l->set |= 1u << level;
    if (star)
        l->star |= 1u << level;
}

/* ------------------------------------------------------------------ */
/* Side profile: everything the walks ask about a side, computed in one */
/* pass (validation and totals included), so each walk step is a lookup */

/* class of the light touch / pin prick pair of one dermatome */
enum {
    CL_NORMAL,   /* both 2 */
    CL_ABNORMAL, /* 0, 1, 0*, 1* in either */
    CL_NT_STAR,  /* NT* in either (and nothing abnormal) */
    CL_NT_VAR,   /* plain NT with a '**' partner */
    CL_NT,       /* plain NT otherwise */
    CL_VAR,      /* only normal and '**' values, not both 2 */
};

/* what each class sets: 1 stops, 2 has, 4 var */
static const uint8_t CLASS_BITS[6] = {
    [CL_NORMAL] = 0,     [CL_ABNORMAL] = 1 | 2, [CL_NT_STAR] = 1 | 2 | 4,
    [CL_NT_VAR] = 2 | 4, [CL_NT] = 2,           [CL_VAR] = 4,
};

static uint8_t pair_class(isncsci_value a, isncsci_value b)
{
    if (a == V(2, 0) && b == V(2, 0))
        return CL_NORMAL;
    if (in(S_ABNORMAL, a) || in(S_ABNORMAL, b))
        return CL_ABNORMAL;
    if (a == V(NTG, 1) || b == V(NTG, 1))
        return CL_NT_STAR;
    if (a == V(NTG, 0) || b == V(NTG, 0))
        return (in(S_DSTAR01, a) || in(S_DSTAR01, b)) ? CL_NT_VAR : CL_NT;
    return CL_VAR;
}

/*
 * For each level, three bits say what a sensory step judged on the
 * dermatome at that level does (see sensory_step):
 *   stops: an abnormal score (0, 1, 0*, 1*) or NT* in either modality;
 *   has:   the level above is a possible answer (abnormal, NT*, or plain NT);
 *   var:   later answers depend on a tagged / NT value: NT* (when nothing is
 *          abnormal), plain NT with a '**' partner, or only normal and '**'
 *          values without both being 2.
 */
typedef struct {
    const isncsci_side *side;
    uint32_t pair_zero;       /* bit per level: light touch and pin prick both 0 */
    uint32_t stops, has, var; /* bit per level: what a sensory step judged there does */
    uint32_t level_normal;    /* key-muscle levels with all values normal or '**' */
    int first_tag;            /* first level with a tagged value, -1 if none */
    int first_odd;            /* first level whose pair is not both 2 or whose key
                               * muscle is not 5 (29 if none) */
    uint32_t key_nonzero;     /* key-muscle levels whose grade is not a plain 0 */
    /* bit per key muscle (0 = C5 .. 9 = S1), for the AIS rules */
    uint16_t m_below3_plain;  /* 0 1 2 NT NT*: may be below 3 */
    uint16_t m_below3_tagged; /* 0* 1* 2*: below 3 only by a tag */
    uint16_t m_not012;        /* anything but a plain 0, 1 or 2 */
    uint16_t m_tagged012;     /* 0-2 with either tag */
    uint16_t m_preserved;     /* motor function may be present: not 0, NT, NT*, 0* */
    uint16_t m_zero_tagged;   /* 0* or 0** */
    uint16_t m_zero_dstar;    /* 0** */
    uint16_t m_non_key;       /* the lowest non-key muscle, when at a key segment */
    uint16_t m_nonzero_key;   /* anything but a plain 0 */
} profile;

static bool normal_or_dstar(isncsci_value v, isncsci_value normal)
{
    return v == normal || ISNCSCI_TAG(v) == ISNCSCI_TAG_STAR2;
}

/* Motor categories of a value code, for the per-muscle masks of a profile. */
enum {
    MC_BELOW3_PLAIN = 1,  /* 0 1 2 NT NT* */
    MC_BELOW3_TAGGED = 2, /* 0* 1* 2* */
    MC_NOT012 = 4,        /* not a plain 0, 1, 2 */
    MC_TAGGED012 = 8,     /* 0-2 with a tag */
    MC_PRESERVED = 16,    /* not 0, NT, NT*, 0* */
    MC_ZERO_TAGGED = 32,  /* 0* 0** */
    MC_ZERO_DSTAR = 64,   /* 0** */
    MC_NONZERO = 128,     /* not a plain 0 */
};
#define MC_OTHER (MC_NOT012 | MC_PRESERVED | MC_NONZERO) /* 3, 4, 5, 3*, 4*, 3**, 4**, NT** */
static const uint8_t MOTOR_CATEGORIES[32] = {
    /* plain: 0 1 2 3 4 5 NT (7: invalid) */
    MC_BELOW3_PLAIN,
    MC_BELOW3_PLAIN | MC_PRESERVED | MC_NONZERO,
    MC_BELOW3_PLAIN | MC_PRESERVED | MC_NONZERO,
    MC_OTHER,
    MC_OTHER,
    MC_OTHER,
    MC_BELOW3_PLAIN | MC_NOT012 | MC_NONZERO,
    0,
    /* '*': 0* 1* 2* 3* 4* (5*) NT* */
    MC_BELOW3_TAGGED | MC_NOT012 | MC_TAGGED012 | MC_ZERO_TAGGED | MC_NONZERO,
    MC_BELOW3_TAGGED | MC_NOT012 | MC_TAGGED012 | MC_PRESERVED | MC_NONZERO,
    MC_BELOW3_TAGGED | MC_NOT012 | MC_TAGGED012 | MC_PRESERVED | MC_NONZERO,
    MC_OTHER,
    MC_OTHER,
    0,
    MC_BELOW3_PLAIN | MC_NOT012 | MC_NONZERO,
    0,
    /* '**': 0** 1** 2** 3** 4** (5**) NT** */
    MC_NOT012 | MC_TAGGED012 | MC_PRESERVED | MC_ZERO_TAGGED | MC_ZERO_DSTAR | MC_NONZERO,
    MC_NOT012 | MC_TAGGED012 | MC_PRESERVED | MC_NONZERO,
    MC_NOT012 | MC_TAGGED012 | MC_PRESERVED | MC_NONZERO,
    MC_OTHER,
    MC_OTHER,
    0,
    MC_OTHER,
    0,
};

/* Builds p and t from s; returns false when s holds an invalid code. */
static bool profile_build(const isncsci_side *s, profile *p, isncsci_side_totals *t)
{
    uint32_t bad = 0, stops = 0, has = 0, var = 0, zero = 0, odd = 0;
    unsigned or_all = 0, lt_nt = 0, pp_nt = 0;
    int lt = 0, pp = 0;
    int normal_pairs = 0;
    for (int d = 0; d < ISNCSCI_DERMATOMES; d++) {
        isncsci_value a = s->light_touch[d], b = s->pin_prick[d];
        uint32_t bit = 2u << d;             /* level d + 1 */
        if (a == V(2, 0) && b == V(2, 0)) { /* the common cases first */
            normal_pairs++;
            continue;
        }
        odd |= bit;
        if ((a | b) == 0) {
            stops |= bit;
            has |= bit;
            zero |= bit;
            continue;
        }
        or_all |= (unsigned)(a | b);
        bad |= (uint32_t)(a | b) >> 5;
        bad |= ((S_VALID >> (a & 31u)) & (S_VALID >> (b & 31u)) & 1u) ^ 1u;
        uint32_t cb = CLASS_BITS[pair_class(a, b)];
        stops |= (cb & 1u) ? bit : 0u;
        has |= (cb & 2u) ? bit : 0u;
        var |= (cb & 4u) ? bit : 0u;
        lt += (int)ISNCSCI_GRADE(a);
        pp += (int)ISNCSCI_GRADE(b);
        lt_nt |= ISNCSCI_GRADE(a) == NTG;
        pp_nt |= ISNCSCI_GRADE(b) == NTG;
    }
    lt += 2 * normal_pairs;
    pp += 2 * normal_pairs;

    uint32_t level_normal = 0, key_nonzero = 0;
    int upper = 0, lower = 0;
    unsigned up_nt = 0, lo_nt = 0;
    unsigned m_plain = 0, m_tagged = 0, m_not012 = 0, m_tagged012 = 0, m_preserved = 0;
    unsigned m_zero_tagged = 0, m_zero_dstar = 0, m_nonzero = 0, m_non_key = 0;
    for (int m = 0; m < ISNCSCI_MUSCLES; m++) {
        isncsci_value v = s->motor[m];
        int level = MUSCLE_LEVEL[m];
        or_all |= v;
        bad |= ((M_VALID >> (v & 31u)) & 1u) ^ 1u;
        bad |= (uint32_t)v >> 5;
        if (m < 5) {
            upper += (int)ISNCSCI_GRADE(v);
            up_nt |= ISNCSCI_GRADE(v) == NTG;
        } else {
            lower += (int)ISNCSCI_GRADE(v);
            lo_nt |= ISNCSCI_GRADE(v) == NTG;
        }
        if (v != V(5, 0))
            odd |= 1u << level;
        else if (s->light_touch[level - 1] == V(2, 0) && s->pin_prick[level - 1] == V(2, 0))
            level_normal |= 1u << level;
        unsigned c = MOTOR_CATEGORIES[v & 31u];
        unsigned mb = 1u << m;
        m_plain |= (c & MC_BELOW3_PLAIN) ? mb : 0u;
        m_tagged |= (c & MC_BELOW3_TAGGED) ? mb : 0u;
        m_not012 |= (c & MC_NOT012) ? mb : 0u;
        m_tagged012 |= (c & MC_TAGGED012) ? mb : 0u;
        m_preserved |= (c & MC_PRESERVED) ? mb : 0u;
        m_zero_tagged |= (c & MC_ZERO_TAGGED) ? mb : 0u;
        m_zero_dstar |= (c & MC_ZERO_DSTAR) ? mb : 0u;
        m_nonzero |= (c & MC_NONZERO) ? mb : 0u;
        key_nonzero |= (c & MC_NONZERO) ? 1u << level : 0u;
        m_non_key |= level == s->lowest_non_key ? mb : 0u;
    }

    p->side = s;
    p->stops = stops;
    p->has = has;
    p->var = var;
    p->pair_zero = zero;
    p->first_odd = odd ? __builtin_ctz(odd) : ISNCSCI_LEVELS;
    p->key_nonzero = key_nonzero;
    p->m_below3_plain = (uint16_t)m_plain;
    p->m_below3_tagged = (uint16_t)m_tagged;
    p->m_not012 = (uint16_t)m_not012;
    p->m_tagged012 = (uint16_t)m_tagged012;
    p->m_preserved = (uint16_t)m_preserved;
    p->m_zero_tagged = (uint16_t)m_zero_tagged;
    p->m_zero_dstar = (uint16_t)m_zero_dstar;
    p->m_nonzero_key = (uint16_t)m_nonzero;
    p->m_non_key = (uint16_t)m_non_key;
    p->first_tag = -1;
    if (or_all & (ISNCSCI_TAG_STAR | ISNCSCI_TAG_STAR2)) {
        /* rare: tagged values; '**' values may also count as normal */
        for (int level = 1; level < ISNCSCI_LEVELS; level++) {
            int m = muscle_of(level);
            if (p->first_tag < 0 &&
                (ISNCSCI_TAG(s->light_touch[level - 1]) || ISNCSCI_TAG(s->pin_prick[level - 1]) ||
                 (m >= 0 && ISNCSCI_TAG(s->motor[m]))))
                p->first_tag = level;
            if (m >= 0 && normal_or_dstar(s->motor[m], V(5, 0)) &&
                normal_or_dstar(s->light_touch[level - 1], V(2, 0)) &&
                normal_or_dstar(s->pin_prick[level - 1], V(2, 0)))
                level_normal |= 1u << level;
        }
    }
    p->level_normal = level_normal;
    t->upper = (int16_t)(up_nt ? ISNCSCI_ND : upper);
    t->lower = (int16_t)(lo_nt ? ISNCSCI_ND : lower);
    t->motor = (int16_t)(up_nt || lo_nt ? ISNCSCI_ND : upper + lower);
    t->light_touch = (int16_t)(lt_nt ? ISNCSCI_ND : lt);
    t->pin_prick = (int16_t)(pp_nt ? ISNCSCI_ND : pp);
    return bad == 0;
}

/* ------------------------------------------------------------------ */
/* One step of a level walk                                            */

typedef struct {
    bool go_on;    /* the walk continues below this level */
    bool has;      /* this level is a possible answer */
    bool star;     /* ... marked with a star */
    bool variable; /* later answers depend on a tagged / NT value */
} step;

/*
 * Sensory step at `level` judged on the dermatome `level + 1` below it:
 * both scores normal -> go on; an abnormal score -> this level, stop; NT* ->
 * this level (starred), stop; plain NT -> this level is possible, go on;
 * scores tagged "consider normal" -> go on, but variable.
 */
static step sensory_step(const profile *p, int level, bool variable)
{
    uint32_t bit = 1u << (level + 1);
    step r;
    r.go_on = (p->stops & bit) == 0;
    r.has = (p->has & bit) != 0;
    /* NT* is the only finding that both stops and varies: it stars itself */
    r.star = r.has && (variable || (p->stops & p->var & bit) != 0);
    r.variable = variable || (p->var & bit) != 0;
    return r;
}

/* Step at C4 or L1, judged on the first key muscle below (C5 or L2). */
static step pre_key_step(isncsci_value next, bool variable)
{
    step r;
    r.go_on = !in(M_012, next);
    r.has = in(M_BELOW3_OR_NT, next);
    r.star = variable;
    r.variable = variable || in(ANY012(2), next);
    return r;
}

/*
 * Motor step at a key muscle with grade cur, the next key muscle being next.
 * The level is the motor level when its muscle is at least 3 and every
 * muscle above is normal; the walk goes on while the muscle counts as normal.
 */
static step motor_step(isncsci_value cur, isncsci_value next, bool variable)
{
    step r = {false, false, false, variable};
    if (!in(M_STOPS_WALK, cur) && !in(M_012, next))
        r.go_on = true;
    if (!(in(M_NORMALISH, cur) && !in(M_BELOW3_OR_NT, next))) {
        r.has = true;
        r.star = in(M_STAR012_NT, cur) || (in(ANY012(2), cur) && in(M_NEXT_STARS, next)) ? true
                                                                                         : variable;
    }
    if (!in(M_PLAIN_FUNCTION, cur)) {
        if (!in(DSTAR_ALL, cur) || !in(M_012, next))
            r.variable = true;
    } else if (cur == V(5, 0) && in(ANY012(2), next)) {
        r.variable = true;
    }
    return r;
}

/* Sensory dermatomes below the last key muscle of a block (C5..T2 for T1,
 * L2..S2 for S1), each judged on its own. */
static step sensory_block(const profile *p, int first_muscle_level)
{
    /* steps at first-1 .. first+4 judge the dermatomes first .. first+5 */
    uint32_t range = ((1u << 6) - 1) << first_muscle_level;
    step agg;
    agg.go_on = (p->stops & range) == 0;
    agg.has = (p->has & range) != 0;
    agg.star = false;
    agg.variable = (p->var & range) != 0;
    return agg;
}

/* Step at T1 or S1: no key muscle below, so the sensory block decides. */
static step end_key_step(isncsci_value cur, bool variable, step sb)
{
    step r = {true, false, false, variable};
    if (in(M_STOPS_WALK & ~M_012, cur) || !sb.go_on)
        r.go_on = false;
    if (cur == V(NTG, 0) || !(in(M_NORMALISH, cur) && sb.go_on && !sb.has)) {
        r.has = true;
        r.star = in(M_STAR012_NT, cur) || (in(ANY012(2), cur) && (sb.has || !sb.go_on)) ? true
                                                                                        : variable;
    }
    if (in(M_STAR012_NT | ANY012(2), cur) ||
        (in(VB(3, 2) | VB(4, 2) | VB(NTG, 2), cur) && sb.go_on) ||
        ((cur == V(5, 0) || cur == V(NTG, 0)) && sb.go_on && sb.variable && !sb.has))
        r.variable = true;
    return r;
}

/* ------------------------------------------------------------------ */
/* Sensory and motor levels                                            */

static isncsci_levels sensory_level(const profile *p)
{
    isncsci_levels out = {0, 0};
    bool variable = false;
    /* skip the run of normal dermatomes from C2 down */
    uint32_t odd = (p->stops | p->has | p->var) & ~1u;
    int first = odd ? __builtin_ctz(odd) - 1 : ISNCSCI_S4_5;
    for (int i = first; i < ISNCSCI_S4_5; i++) {
        step r = sensory_step(p, i, variable);
        variable = variable || r.variable;
        if (r.has)
            levels_add(&out, i, r.star);
        if (!r.go_on)
            return out;
    }
    levels_add(&out, ISNCSCI_INT, variable);
    return out;
}

/* Motor function at S4-5 is voluntary anal contraction: without it the
 * motor level stops at S3; when it is not testable, S3 and INT are both
 * possible. */
static isncsci_levels motor_level(const profile *p, isncsci_binary vac)
{
    const isncsci_side *s = p->side;
    isncsci_levels out = {0, 0};
    bool variable = false;
    /* every step above the level before the first odd one is a no-op */
    int first = p->first_odd > 0 ? p->first_odd - 1 : 0;
    for (int i = first; i < ISNCSCI_LEVELS; i++) {
        step r;
        int m = muscle_of(i);
        if (i == ISNCSCI_C4 || i == ISNCSCI_L1) {
            r = pre_key_step(s->motor[muscle_of(i + 1)], variable);
        } else if (i == ISNCSCI_T1 || i == ISNCSCI_S1) {
            r = end_key_step(s->motor[m], variable,
                             sensory_block(p, i == ISNCSCI_T1 ? ISNCSCI_C5 : ISNCSCI_L2));
        } else if (m >= 0) {
            r = motor_step(s->motor[m], s->motor[m + 1], variable);
        } else if (i < ISNCSCI_S4_5) {
            r = sensory_step(p, i, variable);
        } else {
            if (vac != ISNCSCI_YES && !(out.set & (1u << ISNCSCI_S3)))
                levels_add(&out, ISNCSCI_S3, variable);
            if (vac != ISNCSCI_NO)
                levels_add(&out, ISNCSCI_INT, variable);
            break;
        }
        variable = variable || r.variable;
        if (r.has)
            levels_add(&out, i, r.star);
        if (!r.go_on)
            break;
    }
    return out;
}

/* ------------------------------------------------------------------ */
/* Neurological level of injury: both sides, sensory and motor at once */

static step nli_sensory(step l, step r, bool variable)
{
    step out;
    out.has = l.has || r.has;
    out.star = (l.has && r.has && l.star && r.star) ? true : variable;
    out.go_on = l.go_on && r.go_on;
    out.variable = variable || l.variable || r.variable;
    return out;
}

static step nli_with_motor(const isncsci_exam *e, int level, step sens, bool variable)
{
    step side[2];
    for (int k = 0; k < 2; k++) {
        const isncsci_side *s = &e->side[k];
        if (level == ISNCSCI_C4 || level == ISNCSCI_L1) {
            side[k] = pre_key_step(s->motor[muscle_of(level + 1)], variable);
        } else {
            int m = muscle_of(level);
            /* at T1 and S1 the muscle is judged against itself */
            int n = (level == ISNCSCI_T1 || level == ISNCSCI_S1) ? m : m + 1;
            side[k] = motor_step(s->motor[m], s->motor[n], variable);
        }
    }
    step out;
    out.has = side[0].has || side[1].has || sens.has;
    out.star = (side[0].has && side[1].has && (side[0].star || side[1].star)) ? true : variable;
    if (!sens.go_on) {
        out.go_on = false;
        out.variable = sens.variable;
    } else {
        out.go_on = side[0].go_on && side[1].go_on;
        out.variable = variable || sens.variable || side[0].variable || side[1].variable;
    }
    return out;
}

static isncsci_levels neurological_level(const isncsci_exam *e, const profile pr[2])
{
    isncsci_levels out = {0, 0};
    bool variable = false;
    int odd = pr[0].first_odd < pr[1].first_odd ? pr[0].first_odd : pr[1].first_odd;
    for (int i = odd > 0 ? odd - 1 : 0; i < ISNCSCI_S4_5; i++) {
        step l = sensory_step(&pr[ISNCSCI_LEFT], i, variable);
        step r = sensory_step(&pr[ISNCSCI_RIGHT], i, variable);
        step res = nli_sensory(l, r, variable);
        if ((i >= ISNCSCI_C4 && i <= ISNCSCI_T1) || (i >= ISNCSCI_L1 && i <= ISNCSCI_S1))
            res = nli_with_motor(e, i, res, variable);
        variable = variable || res.variable;
        if (res.has)
            levels_add(&out, i, res.star);
        if (!res.go_on)
            return out;
    }
    levels_add(&out, ISNCSCI_INT, variable);
    return out;
}

/* ------------------------------------------------------------------ */
/* Complete / incomplete                                               */

enum { G_C = 1, G_I = 2 };
enum { AIS_A = 1, AIS_B = 2, AIS_C = 4, AIS_D = 8, AIS_E = 16 };

/* the four S4-5 scores */
static void sacral(const isncsci_exam *e, isncsci_value v[4])
{
    v[0] = e->side[ISNCSCI_RIGHT].light_touch[ISNCSCI_DERMATOMES - 1];
    v[1] = e->side[ISNCSCI_RIGHT].pin_prick[ISNCSCI_DERMATOMES - 1];
    v[2] = e->side[ISNCSCI_LEFT].light_touch[ISNCSCI_DERMATOMES - 1];
    v[3] = e->side[ISNCSCI_LEFT].pin_prick[ISNCSCI_DERMATOMES - 1];
}

static bool all_in(const isncsci_value v[4], uint32_t set)
{
    return in(set, v[0]) && in(set, v[1]) && in(set, v[2]) && in(set, v[3]);
}

/* Complete = no sacral sparing: no VAC, no DAP, no sensation at S4-5. */
static isncsci_grades injury_complete(const isncsci_exam *e)
{
    isncsci_value v[4];
    sacral(e, v);
    bool both_no = e->vac == ISNCSCI_NO && e->dap == ISNCSCI_NO;
    if (e->vac != ISNCSCI_YES && e->dap != ISNCSCI_YES && all_in(v, S_CAN_BE_ABSENT)) {
        if (both_no && all_in(v, VB(0, 0)))
            return (isncsci_grades){G_C, 0};
        if (both_no && all_in(v, VB(0, 0) | VB(0, 1)))
            return (isncsci_grades){G_C | G_I, G_C | G_I};
        return (isncsci_grades){G_C | G_I, 0};
    }
    if (both_no && all_in(v, VB(0, 0) | VB(0, 2)))
        return (isncsci_grades){G_I, G_I};
    return (isncsci_grades){G_I, 0};
}

/* ------------------------------------------------------------------ */
/* ASIA Impairment Scale                                               */

typedef struct {
    bool result;
    bool variable;
} judgement;

/* first key muscle at or below a level index, or 10 (none) */
static int first_muscle_from(int level)
{
    if (level >= 1 && level <= ISNCSCI_C4)
        return 0;
    if (level >= ISNCSCI_C5 && level <= ISNCSCI_T1)
        return level - ISNCSCI_C5;
    if (level >= ISNCSCI_T2 && level <= ISNCSCI_L1)
        return 5;
    if (level >= ISNCSCI_L2 && level <= ISNCSCI_S1)
        return level - ISNCSCI_L2 + 5;
    return ISNCSCI_MUSCLES;
}

/* sensation at S4-5 or DAP may be present */
static judgement sensory_sparing(const isncsci_exam *e)
{
    isncsci_value v[4];
    sacral(e, v);
    bool all_zero = all_in(v, VB(0, 0));
    judgement j;
    j.result = e->dap != ISNCSCI_NO || !all_zero;
    j.variable = e->dap == ISNCSCI_NO && !all_zero && all_in(v, VB(0, 0) | VB(0, 1) | VB(0, 2));
    return j;
}

/* key muscles from m up to S1, as a bit mask */
static uint32_t muscles_from(int m)
{
    return m >= ISNCSCI_MUSCLES ? 0u : ((1u << ISNCSCI_MUSCLES) - 1u) & ~((1u << m) - 1u);
}

/* muscles of range up to and including the lowest set bit of stop */
static uint32_t through_first(uint32_t range, uint32_t stop)
{
    return range & ((stop & (0u - stop)) * 2u - 1u);
}

/* Can there be no motor function more than three levels below the motor
 * level on this side (for some possible motor level)? Walking down from the
 * first muscle more than three levels below: no muscle that may have
 * function (nor the non-key muscle) means none; a 0* or 0** met on the way
 * makes the answer depend on a tag. */
static judgement can_lack_motor_below(const profile *p, isncsci_levels ml)
{
    bool variable = false;
    uint32_t set = ml.set;
    while (set) {
        int lv = __builtin_ctz(set);
        set &= set - 1;
        /* the reference looks up INT as an unknown level here: all muscles */
        int from = (lv == ISNCSCI_INT ? -1 : lv) + 4;
        uint32_t range = muscles_from(first_muscle_from(from));
        uint32_t stop = (uint32_t)(p->m_preserved | p->m_non_key) & range;
        if (p->m_zero_tagged & (stop ? through_first(range, stop) : range))
            variable = true;
        if (!stop)
            return (judgement){true, variable};
    }
    return (judgement){false, false};
}

/* AIS B: sensory incomplete and motor complete is possible */
static judgement can_be_b(const isncsci_exam *e, const profile pr[2], const isncsci_levels ml[2])
{
    judgement sp = sensory_sparing(e);
    judgement l = can_lack_motor_below(&pr[ISNCSCI_LEFT], ml[ISNCSCI_LEFT]);
    judgement r = can_lack_motor_below(&pr[ISNCSCI_RIGHT], ml[ISNCSCI_RIGHT]);
    bool motor_absent = e->vac != ISNCSCI_YES && l.result && r.result;
    bool motor_var = e->vac == ISNCSCI_NO && (l.variable || r.variable);
    return (judgement){sp.result && motor_absent, sp.variable || motor_var};
}

/* Can there be motor function more than three levels below the motor level?
 * The first muscle that is not a plain 0 (or the non-key muscle) says yes;
 * a 0** met on the way makes it depend on a tag. */
static judgement can_have_motor_below(const profile *p, isncsci_levels ml)
{
    bool variable = false;
    uint32_t set = ml.set;
    while (set) {
        int lv = __builtin_ctz(set);
        set &= set - 1;
        int from = lv == ISNCSCI_INT ? ISNCSCI_S4_5 : lv + 4;
        uint32_t range = muscles_from(first_muscle_from(from));
        uint32_t stop = (uint32_t)(p->m_nonzero_key | p->m_non_key) & range;
        if (p->m_zero_dstar & (stop ? through_first(range, stop) : range))
            variable = true;
        if (stop)
            return (judgement){true, variable};
    }
    return (judgement){variable, variable};
}

/* Motor incomplete possible: VAC, or sensory sparing with motor function
 * more than three levels below the motor level on either side. */
static judgement can_be_motor_incomplete(const isncsci_exam *e, const profile pr[2],
                                         const isncsci_levels ml[2])
{
    if (e->vac != ISNCSCI_NO)
        return (judgement){true, false};
    judgement out = {false, false};
    if (sensory_sparing(e).result) {
        judgement r = can_have_motor_below(&pr[ISNCSCI_RIGHT], ml[ISNCSCI_RIGHT]);
        judgement l = can_have_motor_below(&pr[ISNCSCI_LEFT], ml[ISNCSCI_LEFT]);
        if (r.result || l.result) {
            out.result = true;
            out.variable = r.variable || l.variable;
        }
    }
    return out;
}

/* how many of a muscle category, both sides, within range */
static int bits10(uint32_t x)
{
    x = x - ((x >> 1) & 0x155u);
    x = (x & 0x333u) + ((x >> 2) & 0x333u);
    x = (x + (x >> 4)) & 0x30Fu;
    return (int)((x + (x >> 8)) & 0x1Fu);
}

static int count_both(uint16_t right, uint16_t left, uint32_t range)
{
    return bits10(right & range) + bits10(left & range);
}

/* AIS C: more than half of the key muscles below the NLI (both sides) may
 * be below grade 3; it depends on tags when only 0*, 1*, 2* make it so. */
static judgement more_than_half_below_3(const profile pr[2], isncsci_levels nli)
{
    uint32_t set = nli.set;
    while (set) {
        int lv = __builtin_ctz(set);
        set &= set - 1;
        int start = first_muscle_from(lv + 1);
        int half = ISNCSCI_MUSCLES - start;
        uint32_t range = muscles_from(start);
        int plain = count_both(pr[0].m_below3_plain, pr[1].m_below3_plain, range);
        int tagged = count_both(pr[0].m_below3_tagged, pr[1].m_below3_tagged, range);
        if (plain > half)
            return (judgement){true, false};
        if (plain + tagged > half)
            return (judgement){true, true};
    }
    return (judgement){false, false};
}

/* AIS D: at least half of the key muscles below the NLI may be 3 or more;
 * it depends on tags when only tagged 0-2 grades make it so. */
static judgement half_at_least_3(const profile pr[2], isncsci_levels nli)
{
    judgement out = {false, false};
    uint32_t set = nli.set;
    while (set) {
        int lv = __builtin_ctz(set);
        set &= set - 1;
        /* the reference looks up INT as an unknown level: no muscle below */
        int start = first_muscle_from(lv == ISNCSCI_INT ? 0 : lv + 1);
        int half = ISNCSCI_MUSCLES - start;
        if (half == 0)
            return (judgement){true, false};
        uint32_t range = muscles_from(start);
        int count = count_both(pr[0].m_not012, pr[1].m_not012, range);
        int var_count = count_both(pr[0].m_tagged012, pr[1].m_tagged012, range);
        if (count - var_count >= half)
            return (judgement){true, false};
        if (count >= half) {
            out.result = true;
            out.variable = true;
        }
    }
    return out;
}

static void strip_tags(const isncsci_exam *e, isncsci_exam *out)
{
    *out = *e;
    for (int k = 0; k < 2; k++) {
        isncsci_side *s = &out->side[k];
        for (int m = 0; m < ISNCSCI_MUSCLES; m++)
            s->motor[m] = (isncsci_value)ISNCSCI_GRADE(s->motor[m]);
        for (int d = 0; d < ISNCSCI_DERMATOMES; d++) {
            s->light_touch[d] = (isncsci_value)ISNCSCI_GRADE(s->light_touch[d]);
            s->pin_prick[d] = (isncsci_value)ISNCSCI_GRADE(s->pin_prick[d]);
        }
    }
}

static isncsci_grades asia_scale(const isncsci_exam *e, const profile pr[2],
                                 isncsci_grades complete, const isncsci_levels ml[2],
                                 isncsci_levels nli)
{
    const uint32_t int_bit = 1u << ISNCSCI_INT;
    if (nli.set == int_bit && e->vac == ISNCSCI_YES)
        return (isncsci_grades){AIS_E, (nli.star & int_bit) ? AIS_E : 0};

    isncsci_grades g = {0, 0};
    if (complete.set & G_C) {
        g.set |= AIS_A;
        if (complete.star)
            g.star |= AIS_A;
    }
    judgement b = can_be_b(e, pr, ml);
    if (b.result) {
        g.set |= AIS_B;
        if (b.variable)
            g.star |= AIS_B;
    }
    /* An intact NLI with VAC not testable is B (VAC absent, motor level S3)
     * or E (VAC present); motor incomplete then means E, never C or D. */
    judgement mi = can_be_motor_incomplete(e, pr, ml);
    if (mi.result && nli.set != int_bit) {
        judgement c = more_than_half_below_3(pr, nli);
        if (c.result) {
            g.set |= AIS_C;
            bool star = c.variable || mi.variable;
            if (!star && (pr[0].first_tag >= 0 || pr[1].first_tag >= 0)) {
                /* C that only holds thanks to tags is starred */
                isncsci_exam plain;
                profile plain_pr[2];
                isncsci_side_totals unused;
                strip_tags(e, &plain);
                for (int k = 0; k < 2; k++)
                    profile_build(&plain.side[k], &plain_pr[k], &unused);
                star =
                    !more_than_half_below_3(plain_pr, neurological_level(&plain, plain_pr)).result;
            }
            if (star)
                g.star |= AIS_C;
        }
        judgement d = half_at_least_3(pr, nli);
        if (d.result) {
            g.set |= AIS_D;
            if (d.variable || mi.variable)
                g.star |= AIS_D;
        }
    }
    if ((nli.set & int_bit) && e->vac != ISNCSCI_NO) {
        g.set |= AIS_E;
        if (nli.star & int_bit)
            g.star |= AIS_E;
    }
    return g;
}

/* ------------------------------------------------------------------ */
/* Zones of partial preservation                                       */

/* Sensory ZPP step at one dermatome, walking up from S3. */
static step zpp_sensory_step(const isncsci_side *s, int level, bool variable)
{
    isncsci_value p = pp_at(s, level), l = lt_at(s, level);
    step r = {true, false, false, variable};
    if (p == V(0, 0) && l == V(0, 0))
        return r;
    r.has = true;
    if (!in(S_CAN_BE_ABSENT, p) || !in(S_CAN_BE_ABSENT, l)) {
        r.go_on = false;
        r.star = variable;
        return r;
    }
    if (p == V(NTG, 0) || p == V(NTG, 1) || l == V(NTG, 0) || l == V(NTG, 1)) {
        r.star = variable;
        return r;
    }
    r.star = true; /* 0* : absent only by a tag */
    r.variable = true;
    return r;
}

static isncsci_levels zpp_sensory(const profile *pr, isncsci_binary dap)
{
    const isncsci_side *s = pr->side;
    isncsci_levels out = {1u << ISNCSCI_NA, 0};
    const isncsci_value lt45 = s->light_touch[ISNCSCI_DERMATOMES - 1];
    const isncsci_value pp45 = s->pin_prick[ISNCSCI_DERMATOMES - 1];
    if (dap == ISNCSCI_YES || !in(S_CAN_BE_ABSENT, lt45) || !in(S_CAN_BE_ABSENT, pp45))
        return out;
    step sacral_step = zpp_sensory_step(s, ISNCSCI_S4_5, false);
    if (!(dap == ISNCSCI_BIN_NT || !sacral_step.go_on || sacral_step.has))
        out.set = 0;
    bool variable = false;
    for (int i = ISNCSCI_S3; i >= 0; i--) {
        if (i == 0) {
            levels_add(&out, 0, false);
            break;
        }
        if (pr->pair_zero & (1u << i))
            continue; /* both absent: the walk goes on */
        step r = zpp_sensory_step(s, i, variable);
        variable = variable || r.variable;
        if (r.has)
            levels_add(&out, i, r.star);
        if (!r.go_on)
            break;
    }
    return out;
}

static bool has_tag(isncsci_value v)
{
    return ISNCSCI_TAG(v) != 0;
}

typedef struct {
    const isncsci_side *side;
    int first_star;  /* first level with a tagged value, -1 if none */
    int last_normal; /* end of the run of normal levels from the top */
} zpp_context;

/* does a ZPP level depend on a tagged value at or above it? */
static bool zpp_star(const zpp_context *c, int level)
{
    if (c->first_star < 0)
        return false;
    int m = muscle_of(level);
    if (m >= 0) {
        isncsci_value v = c->side->motor[m];
        return v == V(0, 1) || v == V(0, 2);
    }
    isncsci_value l = lt_at(c->side, level), p = pp_at(c->side, level);
    if ((has_tag(l) && ISNCSCI_GRADE(l) != NTG) || (has_tag(p) && ISNCSCI_GRADE(p) != NTG))
        return true;
    return level >= c->first_star && level <= c->last_normal;
}

/*
 * Motor ZPP: walking up from the lowest possible motor level (or S1) to the
 * highest one, the most caudal segments with (possible) motor function.
 * With AIS C possible, a lowest non-key muscle more than three levels below a
 * found segment replaces it.
 */
static isncsci_levels zpp_motor(const profile *pr, isncsci_binary vac, isncsci_grades ais,
                                isncsci_levels ml)
{
    const isncsci_side *s = pr->side;
    isncsci_levels out = {0, 0};
    if (vac == ISNCSCI_YES) {
        levels_add(&out, ISNCSCI_NA, false);
        return out;
    }
    if (vac == ISNCSCI_BIN_NT)
        levels_add(&out, ISNCSCI_NA, false);
    bool test_non_key = (ais.set & AIS_C) != 0;

    uint32_t members = ml.set;
    if (members == 0)
        return out; /* unreachable: a motor level always has an element */
    int top = __builtin_ctz(members);
    int lowest = 31 - __builtin_clz(members);
    if (top == ISNCSCI_INT) { /* unreachable: INT alone needs VAC Yes */
        top = ISNCSCI_S3;
        members = 1u << ISNCSCI_S3;
    }
    bool below_s1 =
        (members & ((1u << ISNCSCI_S2) | (1u << ISNCSCI_S3) | (1u << ISNCSCI_INT))) != 0;
    int bottom = below_s1 ? (lowest == ISNCSCI_INT ? ISNCSCI_S3 : lowest) : ISNCSCI_S1;

    /* stars: the first tagged level (down to the bottom), and the end of the
     * run of normal levels just below the top (the level before the first
     * level that is not normal; levels without key muscle never are) */
    zpp_context c = {s, -1, -1};
    if (pr->first_tag >= 0 && pr->first_tag <= bottom) {
        c.first_star = pr->first_tag;
        uint32_t upto_bottom = bottom >= 31 ? ~0u : (1u << (bottom + 1)) - 1;
        uint32_t below_top = ~((1u << (top + 1)) - 1);
        uint32_t not_normal = ~pr->level_normal & upto_bottom & below_top;
        c.last_normal = not_normal ? __builtin_ctz(not_normal) - 1 : bottom;
    }

    int non_key = s->lowest_non_key;
    bool add_non_key = false, non_key_added = false;
    /* only key muscles that are not a plain 0, and motor levels at segments
     * without key muscle, can add to the zone: visit those, bottom up */
    const uint32_t KEY_LEVELS = (0x1Fu << ISNCSCI_C5) | (0x1Fu << ISNCSCI_L2);
    uint32_t range = (bottom >= 31 ? ~0u : (1u << (bottom + 1)) - 1) & ~((1u << top) - 1);
    uint32_t visit = (pr->key_nonzero | (members & ~KEY_LEVELS)) & range;
    while (visit) {
        int cur = 31 - __builtin_clz(visit);
        visit &= ~(1u << cur);
        bool override = test_non_key && non_key >= 0 && non_key - cur > 3;
        int m = muscle_of(cur);
        bool stop = false;
        if (m >= 0) {
            isncsci_value v = s->motor[m];
            unsigned g = ISNCSCI_GRADE(v);
            bool function = (g >= 1 && g <= 5) || ISNCSCI_TAG(v) == ISNCSCI_TAG_STAR2;
            bool maybe = v == V(NTG, 0) || v == V(NTG, 1) || v == V(0, 1);
            if (function || maybe) {
                if (override) {
                    add_non_key = true;
                } else {
                    levels_add(&out, cur, zpp_star(&c, cur));
                    non_key_added = non_key_added || cur == non_key;
                }
                if (function)
                    stop = true;
            }
        } else if (members & (1u << cur)) {
            if (override)
                add_non_key = true;
            else
                levels_add(&out, cur, zpp_star(&c, cur));
        }
        if (stop)
            break;
    }
    if (add_non_key && !non_key_added && non_key >= 0)
        levels_add(&out, non_key, false);
    return out;
}

/* ------------------------------------------------------------------ */
/* Totals                                                              */

static int add_totals(int a, int b)
{
    return a == ISNCSCI_ND || b == ISNCSCI_ND ? ISNCSCI_ND : a + b;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */

static bool value_ok(uint32_t valid, isncsci_value v)
{
    return v < 32 && in(valid, v);
}

static cc_status bad_field(cc_error *err, const char *side, const char *part, const char *name,
                           const char *message)
{
    cc_fail(err, CC_INVALID, NULL, "invalid_value", "%s", message);
    if (err != NULL) {
        if (part != NULL)
            snprintf(err->field, sizeof err->field, "%s.%s.%s", side, part, name);
        else
            snprintf(err->field, sizeof err->field, "%s.%s", side, name);
    }
    return CC_INVALID;
}

static cc_status check_exam(const isncsci_exam *e, cc_error *err)
{
    static const char *const SIDES[2] = {"right", "left"};
    for (int k = 0; k < 2; k++) {
        const isncsci_side *s = &e->side[k];
        for (int m = 0; m < ISNCSCI_MUSCLES; m++)
            if (!value_ok(M_VALID, s->motor[m]))
                return bad_field(err, SIDES[k], "motor", MUSCLE_NAMES[m], "invalid motor grade");
        for (int d = 0; d < ISNCSCI_DERMATOMES; d++)
            if (!value_ok(S_VALID, s->light_touch[d]))
                return bad_field(err, SIDES[k], "lightTouch", isncsci_dermatome_name(d),
                                 "invalid sensory score");
        for (int d = 0; d < ISNCSCI_DERMATOMES; d++)
            if (!value_ok(S_VALID, s->pin_prick[d]))
                return bad_field(err, SIDES[k], "pinPrick", isncsci_dermatome_name(d),
                                 "invalid sensory score");
        if (s->lowest_non_key != -1 && !isncsci_non_key_segment(s->lowest_non_key))
            return bad_field(err, SIDES[k], NULL, "lowestNonKeyMuscleWithMotorFunction",
                             "not a segment with a non-key muscle (C5-T1, L2-S1)");
    }
    if ((unsigned)e->vac > ISNCSCI_BIN_NT)
        return cc_fail(err, CC_INVALID, "voluntaryAnalContraction", "invalid_value",
                       "expected Yes, No or NT");
    if ((unsigned)e->dap > ISNCSCI_BIN_NT)
        return cc_fail(err, CC_INVALID, "deepAnalPressure", "invalid_value",
                       "expected Yes, No or NT");
    return CC_OK;
}

cc_status isncsci_classify(const isncsci_exam *exam, isncsci_result *out, cc_error *err)
{
    profile pr[2];
    memset(out, 0, sizeof *out);
    bool ok = profile_build(&exam->side[0], &pr[0], &out->totals[0]);
    ok = profile_build(&exam->side[1], &pr[1], &out->totals[1]) && ok;
    for (int k = 0; k < 2 && ok; k++)
        ok = exam->side[k].lowest_non_key == -1 ||
             isncsci_non_key_segment(exam->side[k].lowest_non_key);
    if (!ok || (unsigned)exam->vac > ISNCSCI_BIN_NT || (unsigned)exam->dap > ISNCSCI_BIN_NT)
        return check_exam(exam, err); /* names the first bad field */
    for (int k = 0; k < 2; k++) {
        out->sensory[k] = sensory_level(&pr[k]);
        out->motor[k] = motor_level(&pr[k], exam->vac);
    }
    out->nli = neurological_level(exam, pr);
    out->complete = injury_complete(exam);
    out->ais = asia_scale(exam, pr, out->complete, out->motor, out->nli);
    for (int k = 0; k < 2; k++) {
        out->zpp_sensory[k] = zpp_sensory(&pr[k], exam->dap);
        out->zpp_motor[k] = zpp_motor(&pr[k], exam->vac, out->ais, out->motor[k]);
    }
    const isncsci_side_totals *R = &out->totals[ISNCSCI_RIGHT], *L = &out->totals[ISNCSCI_LEFT];
    out->upper = (int16_t)add_totals(R->upper, L->upper);
    out->lower = (int16_t)add_totals(R->lower, L->lower);
    out->light_touch = (int16_t)add_totals(R->light_touch, L->light_touch);
    out->pin_prick = (int16_t)add_totals(R->pin_prick, L->pin_prick);
    return CC_OK;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

/* appends s at *len, keeping out NUL-terminated within cap */
static void put(char *out, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (cap > 0 && *len < cap - 1) {
        size_t room = cap - 1 - *len;
        size_t k = n < room ? n : room;
        memcpy(out + *len, s, k);
        out[*len + k] = '\0';
    }
    *len += n;
}

/* put for one character: level lists are the most of the output, in short
 * names, where strlen and memcpy cost more than the copy */
static void put_char(char *out, size_t cap, size_t *len, char c)
{
    if (cap > 0 && *len < cap - 1) {
        out[*len] = c;
        out[*len + 1] = '\0';
    }
    ++*len;
}

size_t isncsci_levels_format(isncsci_levels l, char *out, size_t cap)
{
    size_t len = 0;
    if (cap > 0)
        out[0] = '\0';
    /* NA first, then C1 .. S3, INT: the bits from the lowest up to the highest set */
    uint32_t rest = l.set & ~(1u << ISNCSCI_NA);
    bool first = true;
    for (int k = -1; k == -1 || rest != 0; k++) {
        int i = k < 0 ? ISNCSCI_NA : k;
        if (k >= 0)
            rest &= ~(1u << k);
        if (!(l.set & (1u << i)))
            continue;
        if (!first)
            put_char(out, cap, &len, ',');
        for (const char *c = LEVEL_NAMES[i]; *c != '\0'; c++)
            put_char(out, cap, &len, *c);
        if (l.star & (1u << i))
            put_char(out, cap, &len, '*');
        first = false;
    }
    return len;
}

static size_t grades_format(isncsci_grades g, const char *letters, int n, char *out, size_t cap)
{
    size_t len = 0;
    if (cap > 0)
        out[0] = '\0';
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (!(g.set & (1u << i)))
            continue;
        char item[3] = {letters[i], (g.star & (1u << i)) ? '*' : '\0', '\0'};
        if (!first)
            put(out, cap, &len, ",");
        put(out, cap, &len, item);
        first = false;
    }
    return len;
}

size_t isncsci_complete_format(isncsci_grades g, char *out, size_t cap)
{
    return grades_format(g, "CI", 2, out, cap);
}

size_t isncsci_ais_format(isncsci_grades g, char *out, size_t cap)
{
    return grades_format(g, "ABCDE", 5, out, cap);
}

/* what snprintf(out, cap, "%d") writes, without its cost: streaming
 * classification renders five totals per exam */
size_t isncsci_total_format(int total, char *out, size_t cap)
{
    char digits[16];
    size_t n = 0;
    if (total == ISNCSCI_ND) {
        digits[n++] = 'N';
        digits[n++] = 'D';
    } else {
        unsigned long long v =
            total < 0 ? 0ull - (unsigned long long)total : (unsigned long long)total;
        char rev[16];
        size_t k = 0;
        do {
            rev[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v > 0);
        if (total < 0)
            digits[n++] = '-';
        while (k > 0)
            digits[n++] = rev[--k];
    }
    if (cap > 0) {
        size_t w = n < cap - 1 ? n : cap - 1;
        memcpy(out, digits, w);
        out[w] = '\0';
    }
    return n;
}

static const char *const FIELD_PATHS[ISNCSCI_FIELD_COUNT] = {
    "classification.neurologicalLevels.sensoryRight",
    "classification.neurologicalLevels.sensoryLeft",
    "classification.neurologicalLevels.motorRight",
    "classification.neurologicalLevels.motorLeft",
    "classification.neurologicalLevelOfInjury",
    "classification.injuryComplete",
    "classification.ASIAImpairmentScale",
    "classification.zoneOfPartialPreservations.sensoryRight",
    "classification.zoneOfPartialPreservations.sensoryLeft",
    "classification.zoneOfPartialPreservations.motorRight",
    "classification.zoneOfPartialPreservations.motorLeft",
    "totals.left.upperExtremity",
    "totals.left.lowerExtremity",
    "totals.left.lightTouch",
    "totals.left.pinPrick",
    "totals.left.motor",
    "totals.right.upperExtremity",
    "totals.right.lowerExtremity",
    "totals.right.lightTouch",
    "totals.right.pinPrick",
    "totals.right.motor",
    "totals.upperExtremity",
    "totals.lowerExtremity",
    "totals.lightTouch",
    "totals.pinPrick",
};

const char *isncsci_field_path(isncsci_field f)
{
    return (unsigned)f < ISNCSCI_FIELD_COUNT ? FIELD_PATHS[f] : "?";
}

size_t isncsci_result_field(const isncsci_result *r, isncsci_field f, char *out, size_t cap)
{
    const isncsci_side_totals *L = &r->totals[ISNCSCI_LEFT], *R = &r->totals[ISNCSCI_RIGHT];
    switch (f) {
    case ISNCSCI_F_SENSORY_RIGHT: return isncsci_levels_format(r->sensory[ISNCSCI_RIGHT], out, cap);
    case ISNCSCI_F_SENSORY_LEFT: return isncsci_levels_format(r->sensory[ISNCSCI_LEFT], out, cap);
    case ISNCSCI_F_MOTOR_RIGHT: return isncsci_levels_format(r->motor[ISNCSCI_RIGHT], out, cap);
    case ISNCSCI_F_MOTOR_LEFT: return isncsci_levels_format(r->motor[ISNCSCI_LEFT], out, cap);
    case ISNCSCI_F_NLI: return isncsci_levels_format(r->nli, out, cap);
    case ISNCSCI_F_COMPLETE: return isncsci_complete_format(r->complete, out, cap);
    case ISNCSCI_F_AIS: return isncsci_ais_format(r->ais, out, cap);
    case ISNCSCI_F_ZPP_SENSORY_RIGHT:
        return isncsci_levels_format(r->zpp_sensory[ISNCSCI_RIGHT], out, cap);
    case ISNCSCI_F_ZPP_SENSORY_LEFT:
        return isncsci_levels_format(r->zpp_sensory[ISNCSCI_LEFT], out, cap);
    case ISNCSCI_F_ZPP_MOTOR_RIGHT:
        return isncsci_levels_format(r->zpp_motor[ISNCSCI_RIGHT], out, cap);
    case ISNCSCI_F_ZPP_MOTOR_LEFT:
        return isncsci_levels_format(r->zpp_motor[ISNCSCI_LEFT], out, cap);
    case ISNCSCI_F_LEFT_UPPER: return isncsci_total_format(L->upper, out, cap);
    case ISNCSCI_F_LEFT_LOWER: return isncsci_total_format(L->lower, out, cap);
    case ISNCSCI_F_LEFT_LIGHT_TOUCH: return isncsci_total_format(L->light_touch, out, cap);
    case ISNCSCI_F_LEFT_PIN_PRICK: return isncsci_total_format(L->pin_prick, out, cap);
    case ISNCSCI_F_LEFT_MOTOR: return isncsci_total_format(L->motor, out, cap);
    case ISNCSCI_F_RIGHT_UPPER: return isncsci_total_format(R->upper, out, cap);
    case ISNCSCI_F_RIGHT_LOWER: return isncsci_total_format(R->lower, out, cap);
    case ISNCSCI_F_RIGHT_LIGHT_TOUCH: return isncsci_total_format(R->light_touch, out, cap);
    case ISNCSCI_F_RIGHT_PIN_PRICK: return isncsci_total_format(R->pin_prick, out, cap);
    case ISNCSCI_F_RIGHT_MOTOR: return isncsci_total_format(R->motor, out, cap);
    case ISNCSCI_F_UPPER: return isncsci_total_format(r->upper, out, cap);
    case ISNCSCI_F_LOWER: return isncsci_total_format(r->lower, out, cap);
    case ISNCSCI_F_LIGHT_TOUCH: return isncsci_total_format(r->light_touch, out, cap);
    case ISNCSCI_F_PIN_PRICK: return isncsci_total_format(r->pin_prick, out, cap);
    case ISNCSCI_FIELD_COUNT: break;
    }
    if (cap > 0)
        out[0] = '\0';
    return 0;
}
