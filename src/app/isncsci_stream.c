/* isncsci_stream: see isncsci_stream.h. */
#include "app/isncsci_stream.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "app/isncsci_json.h"
#include "core/isncsci.h"
#include "core/isncsci_scan.h"

enum {
    MAX_SKIP_DEPTH = 2048,
    CHUNK = 65536,
    BUFFER_CHUNK = 509,
    OUT_CAP = 65536,
    GROUPS = 3,
    EXAM_MAX = 65536, /* the longest exam the plain reader keeps whole; yajl reads longer ones */
};

static const char *const SIDE_KEYS[2] = {"right", "left"};
static const char *const GROUP_KEYS[GROUPS] = {"motor", "lightTouch", "pinPrick"};
static const char *const BIN_KEYS[2] = {"voluntaryAnalContraction", "deepAnalPressure"};

/* ---- output template: jansson's layout of the result object ---- */

typedef struct {
    char text[2048];
    size_t len;
    size_t slot[ISNCSCI_FIELD_COUNT]; /* where value i goes (between its quotes) */
} template_t;

static void t_put(template_t *t, const char *s, size_t n)
{
    if (t->len + n < sizeof t->text) {
        memcpy(t->text + t->len, s, n);
        t->len += n;
    }
}

static void t_str(template_t *t, const char *s)
{
    t_put(t, s, strlen(s));
}

/* jansson's dump_indent: newline and 2 spaces per level, nothing when compact */
static void t_indent(template_t *t, bool compact, int depth)
{
    if (compact)
        return;
    t_put(t, "\n", 1);
    for (int i = 0; i < depth; i++)
        t_put(t, "  ", 2);
}

/* before a member of a container at depth d */
static void t_member(template_t *t, bool compact, int d, bool *first, const char *key, size_t n)
{
    if (!*first)
        t_put(t, ",", 1);
    *first = false;
    t_indent(t, compact, d + 1);
    t_put(t, "\"", 1);
    t_put(t, key, n);
    t_str(t, compact ? "\":" : "\": ");
}

/* base: the depth of the result object (0 alone, 1 inside the array) */
static void template_build(template_t *t, bool compact, int base)
{
    char open[4][48];
    size_t open_n = 0;
    bool first[5] = {true, true, true, true, true};
    t->len = 0;
    t_put(t, "{", 1);
    for (int f = 0; f < ISNCSCI_FIELD_COUNT; f++) {
        const char *comp[5];
        size_t clen[5], k = 0;
        const char *p = isncsci_field_path((isncsci_field)f);
        while (k < 5) {
            const char *dot = strchr(p, '.');
            comp[k] = p;
            clen[k] = dot ? (size_t)(dot - p) : strlen(p);
            k++;
            if (dot == NULL)
                break;
            p = dot + 1;
        }
        size_t common = 0;
        while (common < open_n && common + 1 < k && strlen(open[common]) == clen[common] &&
               memcmp(open[common], comp[common], clen[common]) == 0)
            common++;
        while (open_n > common) {
            t_indent(t, compact, base + (int)open_n);
            t_put(t, "}", 1);
            open_n--;
        }
        while (open_n + 1 < k && open_n < 4) {
            t_member(t, compact, base + (int)open_n, &first[open_n], comp[open_n], clen[open_n]);
            t_put(t, "{", 1);
            snprintf(open[open_n], sizeof open[open_n], "%.*s", (int)clen[open_n], comp[open_n]);
            open_n++;
            first[open_n] = true;
        }
        t_member(t, compact, base + (int)open_n, &first[open_n], comp[k - 1], clen[k - 1]);
        t_put(t, "\"", 1);
        t->slot[f] = t->len;
        t_put(t, "\"", 1);
    }
    while (open_n > 0) {
        t_indent(t, compact, base + (int)open_n);
        t_put(t, "}", 1);
        open_n--;
    }
    t_indent(t, compact, base);
    t_put(t, "}", 1);
}

/* ---- the gathered exam ---- */

enum { ABSENT = 0, GOOD = 1, BAD = 2 };
enum { OBJ_TOP = 0, OBJ_SIDE = 1, OBJ_GROUP = 3, OBJ_COUNT = 9 };

typedef struct {
    uint8_t side[2];
    uint8_t group[2][GROUPS];
    uint8_t leaf[2][GROUPS][ISNCSCI_DERMATOMES];
    uint8_t non_key[2];
    uint8_t bin[2];
    bool has_unknown[OBJ_COUNT];
    char unknown[OBJ_COUNT][64]; /* the first unknown key of each object, in input order */
    isncsci_exam exam;
} gathered;

static const char *group_name(int g, int i)
{
    return g == 0 ? isncsci_muscle_name(i) : isncsci_dermatome_name(i);
}

/* the keys of a group's object, with their lengths, for matching without strlen */
typedef struct {
    const char *name[ISNCSCI_DERMATOMES];
    uint8_t len[ISNCSCI_DERMATOMES];
} key_table;

static void key_table_fill(key_table *t, int g)
{
    int n = g == 0 ? ISNCSCI_MUSCLES : ISNCSCI_DERMATOMES;
    for (int i = 0; i < n; i++) {
        t->name[i] = group_name(g, i);
        t->len[i] = (uint8_t)strlen(t->name[i]);
    }
}

/* where the parser stands */
typedef enum { AT_START, AT_ARRAY, AT_EXAM, AT_SIDE, AT_GROUP, AT_END } place;

/* what the next value is for */
typedef enum { P_NONE, P_SIDE, P_GROUP, P_LEAF, P_NON_KEY, P_BIN, P_UNKNOWN } pending;

typedef struct {
    FILE *out;
    bool compact;
    bool array;
    place at;
    int side, group, key; /* current side, group; pending leaf or binary index */
    pending next;
    size_t skip; /* depth inside a value that is only skipped */
    int next_guess[GROUPS];
    key_table keys[2]; /* motor, sensory */
    struct {
        const key_table *keys;
        int n, next;           /* group size, index of the key expected next */
        uint8_t *state;        /* gathered.leaf of the group */
        isncsci_value *values; /* the exam's array of the group */
        unsigned char max;     /* highest untagged grade: '5' or '2' */
    } fast;                    /* the group being read */
    gathered g;
    size_t index;
    isncsci_stream_result *res;
    template_t tpl;
    char *obuf;
    size_t olen;
    bool io_error;
    bool done; /* the top-level value has ended */
} stream;

static int group_size(int g)
{
    return g == 0 ? ISNCSCI_MUSCLES : ISNCSCI_DERMATOMES;
}

static void syntax(stream *s, const char *text)
{
    s->res->status = ISNCSCI_STREAM_SYNTAX;
    snprintf(s->res->text, sizeof s->res->text, "%s", text);
}

static void out_flush(stream *s)
{
    if (s->olen > 0 && fwrite(s->obuf, 1, s->olen, s->out) != s->olen)
        s->io_error = true;
    s->olen = 0;
}

static void out_put(stream *s, const char *p, size_t n)
{
    if (s->out == NULL)
        return;
    if (s->olen + n > OUT_CAP)
        out_flush(s);
    if (n > OUT_CAP) {
        if (fwrite(p, 1, n, s->out) != n)
            s->io_error = true;
        return;
    }
    memcpy(s->obuf + s->olen, p, n);
    s->olen += n;
}

static void render(stream *s, const isncsci_result *r)
{
    const template_t *t = &s->tpl;
    size_t from = 0;
    for (int f = 0; f < ISNCSCI_FIELD_COUNT; f++) {
        out_put(s, t->text + from, t->slot[f] - from);
        char text[ISNCSCI_TEXT_MAX];
        size_t n = isncsci_result_field(r, (isncsci_field)f, text, sizeof text);
        /* the core renderers write level names, digits, '*', ',' and letters only:
         * nothing jansson would escape */
        out_put(s, text, n < sizeof text ? n : sizeof text - 1);
        from = t->slot[f];
    }
    out_put(s, t->text + from, t->len - from);
}

/* checks in the order of isncsci_json_parse_exam */
static cc_status check(const gathered *g, cc_error *err)
{
    for (int k = 0; k < 2; k++) {
        const char *side = SIDE_KEYS[k];
        if (g->side[k] == ABSENT)
            return isncsci_json_field_error(err, "missing", "is required", side, NULL, NULL);
        if (g->side[k] == BAD)
            return isncsci_json_field_error(err, "invalid_type", "must be an object", side, NULL,
                                            NULL);
        for (int gr = 0; gr < GROUPS; gr++) {
            const char *group = GROUP_KEYS[gr];
            if (g->group[k][gr] != GOOD)
                return isncsci_json_field_error(err, "invalid_type", "must be an object", side,
                                                group, NULL);
            for (int i = 0; i < group_size(gr); i++) {
                if (g->leaf[k][gr][i] == ABSENT)
                    return isncsci_json_field_error(err, "missing", "is required", side, group,
                                                    group_name(gr, i));
                if (g->leaf[k][gr][i] == BAD)
                    return isncsci_json_field_error(err, "invalid_value",
                                                    gr == 0 ? ISNCSCI_JSON_BAD_MOTOR
                                                            : ISNCSCI_JSON_BAD_SENSORY,
                                                    side, group, group_name(gr, i));
            }
            int obj = OBJ_GROUP + k * GROUPS + gr;
            if (g->has_unknown[obj])
                return isncsci_json_field_error(err, "unknown_field", "is not a known field", side,
                                                group, g->unknown[obj]);
        }
        if (g->non_key[k] == BAD)
            return isncsci_json_field_error(err, "invalid_value", ISNCSCI_JSON_BAD_SEGMENT, side,
                                            ISNCSCI_JSON_NON_KEY, NULL);
        if (g->has_unknown[OBJ_SIDE + k])
            return isncsci_json_field_error(err, "unknown_field", "is not a known field", side,
                                            g->unknown[OBJ_SIDE + k], NULL);
    }
    for (int b = 0; b < 2; b++) {
        if (g->bin[b] == ABSENT)
            return isncsci_json_field_error(err, "missing", "is required", BIN_KEYS[b], NULL, NULL);
        if (g->bin[b] == BAD)
            return isncsci_json_field_error(err, "invalid_value", ISNCSCI_JSON_BAD_BINARY,
                                            BIN_KEYS[b], NULL, NULL);
    }
    if (g->has_unknown[OBJ_TOP])
        return isncsci_json_field_error(err, "unknown_field", "is not a known field",
                                        g->unknown[OBJ_TOP], NULL, NULL);
    return CC_OK;
}

/* The document is whole: stop yajl there and check what follows ourselves,
 * since yajl takes an unterminated string after it for a token still coming. */
static int document_end(stream *s)
{
    s->done = true;
    return 0;
}

/* where the first byte other than JSON white space is, or len */
static size_t junk_at(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return i;
    return len;
}

static int exam_error(stream *s)
{
    s->res->status = ISNCSCI_STREAM_EXAM;
    s->res->index = s->index;
    return 0;
}

static void begin_exam(stream *s)
{
    memset(&s->g, 0, offsetof(gathered, unknown)); /* the flags; the values are overwritten */
    s->g.exam.side[0].lowest_non_key = -1;
    s->g.exam.side[1].lowest_non_key = -1;
    s->at = AT_EXAM;
    s->next = P_NONE;
}

/* writes the result of the exam at s->index */
static void emit(stream *s, const isncsci_result *r)
{
    if (s->tpl.len == 0)
        template_build(&s->tpl, s->compact, s->array ? 1 : 0);
    if (s->array)
        out_put(s, s->index == 0 ? (s->compact ? "[" : "[\n  ") : (s->compact ? "," : ",\n  "),
                s->index == 0 ? (s->compact ? 1 : 4) : (s->compact ? 1 : 4));
    render(s, r);
    s->index++;
    s->res->exams = s->index;
    if (s->io_error)
        s->res->status = ISNCSCI_STREAM_WRITE;
}

static int end_exam(stream *s)
{
    isncsci_result r;
    if (check(&s->g, &s->res->err) != CC_OK ||
        isncsci_classify(&s->g.exam, &r, &s->res->err) != CC_OK)
        return exam_error(s);
    emit(s, &r);
    s->at = s->array ? AT_ARRAY : AT_END;
    if (s->io_error)
        return 0;
    return s->array ? 1 : document_end(s);
}

/* a value as a C string for the core's parsers; false when it cannot be one
 * of their values (too long, or holding a NUL byte: "\u0000", which jansson
 * refuses as malformed, is refused here with the exam) */
static bool value_text(char *to, size_t cap, const char *from, size_t len)
{
    if (from == NULL || len >= cap || memchr(from, 0, len) != NULL)
        return false;
    memcpy(to, from, len);
    to[len] = '\0';
    return true;
}

/* a value of the kind the pending key does not accept, or a scalar */
static void value_seen(stream *s, bool container, const char *str, size_t len)
{
    uint8_t *slot = NULL;
    switch (s->next) {
    case P_SIDE: s->g.side[s->side] = BAD; break;
    case P_GROUP: s->g.group[s->side][s->group] = BAD; break;
    case P_LEAF: {
        slot = &s->g.leaf[s->side][s->group][s->key];
        isncsci_side *sd = &s->g.exam.side[s->side];
        isncsci_value *v = s->group == 0   ? &sd->motor[s->key]
                           : s->group == 1 ? &sd->light_touch[s->key]
                                           : &sd->pin_prick[s->key];
        char text[8];
        *slot = BAD;
        if (len == 1 && str[0] >= '0' && str[0] <= (s->group == 0 ? '5' : '2')) {
            /* an untagged grade, most values: what isncsci_value_parse returns */
            *v = (isncsci_value)(str[0] - '0');
            *slot = GOOD;
        } else if (value_text(text, sizeof text, str, len) &&
                   isncsci_value_parse(text, s->group == 0, v)) {
            *slot = GOOD;
        }
        break;
    }
    case P_NON_KEY: {
        char text[8];
        s->g.non_key[s->side] = BAD;
        if (value_text(text, sizeof text, str, len)) {
            int level = isncsci_segment_parse(text);
            if (level >= 0) {
                s->g.exam.side[s->side].lowest_non_key = (int8_t)level;
                s->g.non_key[s->side] = GOOD;
            }
        }
        break;
    }
    case P_BIN: {
        char text[8];
        s->g.bin[s->key] = BAD;
        if (value_text(text, sizeof text, str, len)) {
            if (isncsci_binary_parse(text, s->key == 0 ? &s->g.exam.vac : &s->g.exam.dap))
                s->g.bin[s->key] = GOOD;
        }
        break;
    }
    case P_UNKNOWN:
    case P_NONE: break;
    }
    s->next = P_NONE;
    if (container)
        s->skip = 1;
}

/* a scalar (null, boolean, number, string) */
static int scalar(stream *s, const char *str, size_t len)
{
    if (s->skip > 0)
        return 1;
    switch (s->at) {
    case AT_START: syntax(s, "'[' or '{' expected"); return 0;
    case AT_ARRAY:
        cc_fail(&s->res->err, CC_INVALID, "", "invalid_type", "the exam must be a JSON object");
        return exam_error(s);
    default: value_seen(s, false, str, len); return 1;
    }
}

static int cb_null(void *ctx)
{
    return scalar(ctx, NULL, 0);
}

static int cb_boolean(void *ctx, int b)
{
    (void)b;
    return scalar(ctx, NULL, 0);
}

static int cb_number(void *ctx, const char *n, size_t len)
{
    (void)n;
    (void)len;
    return scalar(ctx, NULL, 0);
}

static int cb_string(void *ctx, const unsigned char *p, size_t len)
{
    stream *s = ctx;
    /* most values: an untagged grade for the key just read (P_LEAF implies
     * skip == 0); the same as value_seen, without its dispatch */
    if (s->next == P_LEAF && len == 1 && p[0] >= '0' && p[0] <= s->fast.max) {
        s->fast.values[s->key] = (isncsci_value)(p[0] - '0');
        s->fast.state[s->key] = GOOD;
        s->next = P_NONE;
        return 1;
    }
    return scalar(s, (const char *)p, len);
}

static int open_container(stream *s, bool map)
{
    if (s->skip > 0) {
        /* only inside a value that makes its exam invalid anyway; jansson stops
         * at 2048 levels too, and yajl's stack would grow with the input */
        if (++s->skip > MAX_SKIP_DEPTH) {
            syntax(s, "maximum parsing depth reached");
            return 0;
        }
        return 1;
    }
    switch (s->at) {
    case AT_START:
        s->array = !map;
        if (map)
            begin_exam(s);
        else
            s->at = AT_ARRAY;
        return 1;
    case AT_ARRAY:
        if (map) {
            begin_exam(s);
            return 1;
        }
        cc_fail(&s->res->err, CC_INVALID, "", "invalid_type", "the exam must be a JSON object");
        return exam_error(s);
    default: break;
    }
    if (map && s->next == P_SIDE) {
        s->g.side[s->side] = GOOD;
        s->at = AT_SIDE;
        s->next = P_NONE;
        return 1;
    }
    if (map && s->next == P_GROUP) {
        s->g.group[s->side][s->group] = GOOD;
        s->at = AT_GROUP;
        s->next = P_NONE;
        s->next_guess[s->group] = 0;
        /* the fast paths of cb_map_key and cb_string for this group */
        isncsci_side *sd = &s->g.exam.side[s->side];
        s->fast.keys = &s->keys[s->group == 0 ? 0 : 1];
        s->fast.n = group_size(s->group);
        s->fast.next = 0;
        s->fast.state = s->g.leaf[s->side][s->group];
        s->fast.values = s->group == 0   ? sd->motor
                         : s->group == 1 ? sd->light_touch
                                         : sd->pin_prick;
        s->fast.max = s->group == 0 ? '5' : '2';
        return 1;
    }
    value_seen(s, true, NULL, 0);
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, true);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, false);
}

static int cb_end_map(void *ctx)
{
    stream *s = ctx;
    if (s->skip > 0) {
        s->skip--;
        return 1;
    }
    switch (s->at) {
    case AT_GROUP: s->at = AT_SIDE; return 1;
    case AT_SIDE: s->at = AT_EXAM; return 1;
    case AT_EXAM: return end_exam(s);
    default: return 1;
    }
}

static int cb_end_array(void *ctx)
{
    stream *s = ctx;
    if (s->skip > 0) {
        s->skip--;
        return 1;
    }
    if (s->at == AT_ARRAY) {
        s->at = AT_END;
        return document_end(s);
    }
    return 1;
}

/* keys are a few bytes long: a loop is cheaper than a call to memcmp */
static bool same(const unsigned char *p, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != (unsigned char)name[i])
            return false;
    return true;
}

static bool key_is(const unsigned char *p, size_t len, const char *name)
{
    return strlen(name) == len && same(p, name, len);
}

/* a key that is not one of the object's: remember the first, skip its value */
static int unknown(stream *s, int obj, const unsigned char *p, size_t len)
{
    if (!s->g.has_unknown[obj]) {
        s->g.has_unknown[obj] = true;
        size_t n = len < sizeof s->g.unknown[obj] - 1 ? len : sizeof s->g.unknown[obj] - 1;
        memcpy(s->g.unknown[obj], p, n);
        s->g.unknown[obj][n] = '\0';
    }
    s->next = P_UNKNOWN;
    return 1;
}

/* a known key seen twice: jansson (JSON_REJECT_DUPLICATES) refuses the document */
static int known(stream *s, uint8_t state, pending next)
{
    if (state != ABSENT) {
        syntax(s, "duplicate object key");
        return 0;
    }
    s->next = next;
    return 1;
}

static int map_key(stream *s, const unsigned char *p, size_t len);

static int cb_map_key(void *ctx, const unsigned char *p, size_t len)
{
    stream *s = ctx;
    /* most keys: the next key of a group in the standard order */
    if (s->at == AT_GROUP && s->skip == 0) {
        int i = s->fast.next;
        if (i < s->fast.n && s->fast.keys->len[i] == len && s->fast.state[i] == ABSENT &&
            same(p, s->fast.keys->name[i], len)) {
            s->key = i;
            s->fast.next = i + 1;
            s->next = P_LEAF;
            return 1;
        }
    }
    return map_key(s, p, len);
}

static int map_key(stream *s, const unsigned char *p, size_t len)
{
    if (s->skip > 0)
        return 1;
    switch (s->at) {
    case AT_EXAM:
        for (int k = 0; k < 2; k++) {
            if (key_is(p, len, SIDE_KEYS[k])) {
                s->side = k;
                return known(s, s->g.side[k], P_SIDE);
            }
            if (key_is(p, len, BIN_KEYS[k])) {
                s->key = k;
                return known(s, s->g.bin[k], P_BIN);
            }
        }
        return unknown(s, OBJ_TOP, p, len);
    case AT_SIDE:
        for (int gr = 0; gr < GROUPS; gr++) {
            if (key_is(p, len, GROUP_KEYS[gr])) {
                s->group = gr;
                return known(s, s->g.group[s->side][gr], P_GROUP);
            }
        }
        if (key_is(p, len, ISNCSCI_JSON_NON_KEY))
            return known(s, s->g.non_key[s->side], P_NON_KEY);
        return unknown(s, OBJ_SIDE + s->side, p, len);
    case AT_GROUP: {
        int n = group_size(s->group);
        int guess = s->next_guess[s->group];
        const key_table *t = &s->keys[s->group == 0 ? 0 : 1];
        /* keys usually come in the standard order: try the next one first */
        for (int j = 0; j < n; j++) {
            int i = guess + j < n ? guess + j : guess + j - n;
            if (t->len[i] == len && same(p, t->name[i], len)) {
                s->key = i;
                s->next_guess[s->group] = i + 1 < n ? i + 1 : 0;
                return known(s, s->g.leaf[s->side][s->group][i], P_LEAF);
            }
        }
        return unknown(s, OBJ_GROUP + s->side * GROUPS + s->group, p, len);
    }
    default: return 1;
    }
}

static const yajl_callbacks CALLBACKS = {
    cb_null,      cb_boolean, NULL,       NULL,           cb_number,    cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

typedef size_t (*read_fn)(void *src, char *buf, size_t cap, bool *failed);

/* the position of byte `at` of the current chunk */
static void locate(isncsci_stream_result *res, unsigned long line, unsigned long col,
                   const char *chunk, size_t at)
{
    for (size_t i = 0; i < at; i++) {
        if (chunk[i] == '\n') {
            line++;
            col = 0;
        } else {
            col++;
        }
    }
    res->line = line + 1;
    res->column = col + 1;
}

static void yajl_message(yajl_handle h, isncsci_stream_result *res)
{
    unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
    if (msg == NULL) {
        snprintf(res->text, sizeof res->text, "parse error");
        return;
    }
    size_t n = strlen((const char *)msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
        n--;
    snprintf(res->text, sizeof res->text, "%.*s", (int)n, (const char *)msg);
    yajl_free_error(h, msg);
}

/* lines before the current piece of input, bytes since the last newline */
typedef struct {
    unsigned long line, col;
} where;

static void advance(where *w, const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n), *last = NULL;
    while (nl != NULL) {
        w->line++;
        last = nl;
        nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - p));
    }
    w->col = last != NULL ? n - 1 - (size_t)(last - p) : w->col + n;
}

/* the input has ended: whatever yajl still holds must complete the document */
static void yajl_end(stream *s, yajl_handle h, const where *w)
{
    isncsci_stream_result *res = s->res;
    yajl_status fin = s->done ? yajl_status_ok : yajl_complete_parse(h);
    if (fin == yajl_status_ok && !s->done)
        syntax(s, "premature end of input"); /* yajl would have said so first */
    if (res->status == ISNCSCI_STREAM_SYNTAX || fin != yajl_status_ok) {
        if (res->status == ISNCSCI_STREAM_OK)
            yajl_message(h, res);
        if (res->status == ISNCSCI_STREAM_OK || res->status == ISNCSCI_STREAM_SYNTAX) {
            res->status = ISNCSCI_STREAM_SYNTAX;
            res->line = w->line + 1;
            res->column = w->col + 1;
        }
    }
}

/* one piece of input (n > 0) to yajl, or after the document to the check that
 * only white space follows; false when the reading stops */
static bool yajl_piece(stream *s, yajl_handle h, const char *in, size_t n, where *w)
{
    isncsci_stream_result *res = s->res;
    /* yajl takes \v and \f for white space; JSON (and jansson) does not, and
     * inside a string they are refused by both */
    size_t len = n;
    const char *v = memchr(in, '\v', n), *f = memchr(in, '\f', n);
    if (v != NULL)
        len = (size_t)(v - in);
    if (f != NULL && (size_t)(f - in) < len)
        len = (size_t)(f - in);
    size_t from = 0; /* where the bytes after the document start */
    if (!s->done) {
        yajl_status st = yajl_parse(h, (const unsigned char *)in, len);
        if (st == yajl_status_client_canceled && s->done) {
            from = yajl_get_bytes_consumed(h);
        } else if (st != yajl_status_ok) {
            size_t at = yajl_get_bytes_consumed(h);
            if (st == yajl_status_error)
                yajl_message(h, res), res->status = ISNCSCI_STREAM_SYNTAX;
            if (res->status == ISNCSCI_STREAM_SYNTAX)
                locate(res, w->line, w->col, in, at < n ? at : n);
            return false;
        } else if (len < n) {
            syntax(s, "invalid token");
            locate(res, w->line, w->col, in, len);
            return false;
        }
    }
    if (s->done) {
        from += junk_at(in + from, n - from);
        if (from < n) {
            syntax(s, "end of file expected");
            locate(res, w->line, w->col, in, from);
            return false;
        }
    }
    advance(w, in, n);
    return true;
}

/* The plain reader's buffer: text [pos, len) not read yet, starting at byte
 * `base` of the input; room for an unfinished exam of up to EXAM_MAX bytes
 * plus one read of chunk bytes, and the '\0' isncsci_scan_next stops on. */
typedef struct {
    char *text;
    size_t pos, len, chunk;
    unsigned long long base;
    where w; /* the position of text + pos */
} plain_input;

/* Reads the plain layout (core/isncsci_scan.h) while it lasts. Returns false
 * when the reading stops here (a read or write error); else the document is
 * whole (sc->at == ISNCSCI_SCAN_DONE) or yajl takes over at in->pos. */
static bool plain_read(stream *s, isncsci_scan *sc, read_fn rd, void *src, plain_input *in)
{
    bool eof = false;
    for (;;) {
        size_t used;
        isncsci_result r;
        isncsci_scan_place before = sc->at;
        in->text[in->len] = '\0';
        isncsci_scan_status st =
            isncsci_scan_next(sc, in->text + in->pos, in->len - in->pos, &used, &s->g.exam);
        s->array = sc->at != ISNCSCI_SCAN_START;
        if (st == ISNCSCI_SCAN_EXAM && isncsci_classify(&s->g.exam, &r, NULL) == CC_OK) {
            in->pos += used;
            emit(s, &r);
            if (s->io_error)
                return false;
            continue;
        }
        if (st == ISNCSCI_SCAN_EXAM) {
            sc->at = before; /* yajl reads the exam again and gives its error */
            break;
        }
        in->pos += used;
        if (st == ISNCSCI_SCAN_UNSURE)
            break;
        if (st == ISNCSCI_SCAN_END || eof || in->len - in->pos >= EXAM_MAX)
            break;
        advance(&in->w, in->text, in->pos);
        memmove(in->text, in->text + in->pos, in->len - in->pos);
        in->base += in->pos;
        in->len -= in->pos;
        in->pos = 0;
        bool failed = false;
        size_t n = rd(src, in->text + in->len, in->chunk, &failed);
        if (failed) {
            s->res->status = ISNCSCI_STREAM_READ;
            return false;
        }
        eof = n == 0;
        in->len += n;
    }
    advance(&in->w, in->text, in->pos);
    return true;
}

/* Sets yajl and the stream to where the plain reader stopped: yajl is given
 * the text read before (white space aside), with the stream's callbacks
 * skipping it, so that it takes the rest as it would have in one piece. */
static void hand_over(stream *s, yajl_handle h, const isncsci_scan *sc)
{
    static const char *const BEFORE[] = {"", "[", "[\"\",", "[\"\""};
    if (sc->at == ISNCSCI_SCAN_START)
        return;
    s->array = true;
    if (sc->at == ISNCSCI_SCAN_DONE) {
        s->at = AT_END;
        s->done = true;
        return;
    }
    const char *before = BEFORE[sc->at];
    s->skip = 1;
    s->next = P_NONE;
    yajl_parse(h, (const unsigned char *)before, strlen(before));
    s->skip = 0;
    s->at = AT_ARRAY;
}

/* yajl reads the rest of the input, from the plain reader's buffer on: in
 * pieces ending where the reads would have ended had yajl read everything
 * (each read is a full chunk but the last), so that a token across two reads
 * is seen, and placed in an error, as it was */
static void yajl_read(stream *s, yajl_handle h, read_fn rd, void *src, plain_input *in)
{
    while (in->pos < in->len) {
        unsigned long long at = in->base + in->pos;
        size_t to_boundary = in->chunk - (size_t)(at % in->chunk);
        size_t n = in->len - in->pos < to_boundary ? in->len - in->pos : to_boundary;
        if (!yajl_piece(s, h, in->text + in->pos, n, &in->w))
            return;
        in->pos += n;
    }
    for (;;) {
        bool failed = false;
        size_t n = rd(src, in->text, in->chunk, &failed);
        if (failed) {
            s->res->status = ISNCSCI_STREAM_READ;
            return;
        }
        if (n == 0) {
            yajl_end(s, h, &in->w);
            return;
        }
        if (!yajl_piece(s, h, in->text, n, &in->w))
            return;
    }
}

static void finish_output(stream *s, FILE *out)
{
    isncsci_stream_result *res = s->res;
    if (res->status == ISNCSCI_STREAM_OK) {
        if (s->array)
            out_put(s, s->index == 0 ? "[]" : (s->compact ? "]" : "\n]"),
                    s->index == 0 ? 2 : (s->compact ? 1 : 2));
        out_put(s, "\n", 1);
    }
    if (out != NULL) {
        /* a single exam is written only when the whole input was right; the results
         * of an array are left as they are, without the closing bracket */
        if (res->status == ISNCSCI_STREAM_OK || s->array)
            out_flush(s);
        if (fflush(out) != 0 || ferror(out))
            s->io_error = true;
        if (s->io_error && res->status == ISNCSCI_STREAM_OK)
            res->status = ISNCSCI_STREAM_WRITE;
    }
}

static isncsci_stream_status run(read_fn rd, void *src, size_t chunk_size, bool plain, FILE *out,
                                 bool compact, isncsci_stream_result *res)
{
    memset(res, 0, sizeof *res);
    stream *s = calloc(1, sizeof *s);
    isncsci_scan *sc = malloc(sizeof *sc);
    plain_input in = {malloc(EXAM_MAX + chunk_size + 1), 0, 0, chunk_size, 0, {0, 0}};
    char *obuf = malloc(OUT_CAP);
    yajl_handle h = s != NULL ? yajl_alloc(&CALLBACKS, NULL, s) : NULL;
    if (s == NULL || sc == NULL || in.text == NULL || obuf == NULL || h == NULL) {
        if (h != NULL)
            yajl_free(h);
        free(s);
        free(sc);
        free(in.text);
        free(obuf);
        res->status = ISNCSCI_STREAM_MEMORY;
        return res->status;
    }
    s->out = out;
    s->compact = compact;
    s->res = res;
    s->obuf = obuf;
    s->at = AT_START;
    key_table_fill(&s->keys[0], 0);
    key_table_fill(&s->keys[1], 1);
    isncsci_scan_init(sc);
    if (!plain || plain_read(s, sc, rd, src, &in)) {
        hand_over(s, h, sc);
        yajl_read(s, h, rd, src, &in);
    }
    finish_output(s, out);
    isncsci_stream_status st = res->status;
    yajl_free(h);
    free(s);
    free(sc);
    free(in.text);
    free(obuf);
    return st;
}

static size_t read_file(void *src, char *buf, size_t cap, bool *failed)
{
    size_t n = fread(buf, 1, cap, (FILE *)src);
    if (n == 0 && ferror((FILE *)src))
        *failed = true;
    return n;
}

isncsci_stream_status isncsci_stream_classify(FILE *in, FILE *out, bool compact,
                                              isncsci_stream_result *res)
{
    return run(read_file, in, CHUNK, true, out, compact, res);
}

typedef struct {
    const char *p;
    size_t left;
} memory_src;

static size_t read_memory(void *src, char *buf, size_t cap, bool *failed)
{
    memory_src *m = src;
    size_t n = m->left < cap ? m->left : cap;
    (void)failed;
    memcpy(buf, m->p, n);
    m->p += n;
    m->left -= n;
    return n;
}

isncsci_stream_status isncsci_stream_classify_buffer_with(const void *data, size_t size, FILE *out,
                                                          bool compact, bool plain,
                                                          isncsci_stream_result *res)
{
    memory_src m = {data, size};
    /* small reads, so that tokens and exams straddle them as they do on a pipe */
    return run(read_memory, &m, BUFFER_CHUNK, plain, out, compact, res);
}

isncsci_stream_status isncsci_stream_classify_buffer(const void *data, size_t size, FILE *out,
                                                     bool compact, isncsci_stream_result *res)
{
    return isncsci_stream_classify_buffer_with(data, size, out, compact, true, res);
}
