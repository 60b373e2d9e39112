#include "api/error_text.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/web_assets.h"
#include "core/buf.h"
#include "core/language.h"
#include "core/text.h"

enum { MAX_LANGUAGES = 8 };

static const char CATALOGUE_DIR[] = "/i18n/";
static const char KEY_PREFIX[] = "error.";
/* The keys catalogue_text answers: the unit label's texts, CSV column
 * headers and the adverse-event values they show, the outcome report's
 * headings, definitions and chart texts, the laboratory's coded values
 * (products, unit states, collection sources, donor kinds) in exports. */
static const char *const TEXT_PREFIXES[] = {
    "unitlabel.", "csv.", "ae.", "rep.", "lab.product.", "lab.state.", "lab.source.", "lab.kind."};
/* Names a {marker} placeholder takes (kept under their full key). */
static const char MARKER_PREFIX[] = "lab.marker.";

static bool is_text_key(const char *key)
{
    for (size_t i = 0; i < sizeof TEXT_PREFIXES / sizeof TEXT_PREFIXES[0]; i++)
        if (strncmp(key, TEXT_PREFIXES[i], strlen(TEXT_PREFIXES[i])) == 0)
            return true;
    return false;
}

/* Present in a catalogue that holds the patient-facing pages only. */
static const char SCOPE_KEY[] = "catalogue.scope";

typedef struct {
    const char *code; /* without "error."; unit label keys whole */
    const char *text;
} entry;

typedef struct {
    char name[ERROR_TEXT_LANGUAGE_MAX];
    entry *entries; /* sorted by code */
    size_t n;
    bool partial; /* "catalogue.scope" set: the texts of some pages only */
} catalogue;

static catalogue catalogues[MAX_LANGUAGES];
static const char *names[MAX_LANGUAGES];
static size_t n_catalogues;
static int english = -1;
static cc_error load_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int by_code(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->code, ((const entry *)b)->code);
}

static char *copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

/* The "error." entries of one catalogue file. */
static cc_status load_one(const web_asset *a, catalogue *c)
{
    json_error_t jerr;
    json_t *all = json_loadb((const char *)a->data, a->size, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(all)) {
        json_decref(all);
        return cc_fail(&load_error, CC_INTERNAL, "", "bad_catalogue", "%s: %s (line %d)", a->path,
                       jerr.text, jerr.line);
    }
    c->entries = calloc(json_object_size(all), sizeof *c->entries);
    const char *key;
    json_t *value;
    c->partial = json_is_string(json_object_get(all, SCOPE_KEY));
    json_object_foreach(all, key, value)
    {
        bool is_error = strncmp(key, KEY_PREFIX, sizeof KEY_PREFIX - 1) == 0;
        bool kept_whole =
            strncmp(key, MARKER_PREFIX, sizeof MARKER_PREFIX - 1) == 0 || is_text_key(key);
        if (!(is_error || kept_whole) || !json_is_string(value))
            continue;
        entry *e = c->entries ? &c->entries[c->n] : NULL;
        if (!e || !(e->code = copy(is_error ? key + sizeof KEY_PREFIX - 1 : key)) ||
            !(e->text = copy(json_string_value(value)))) {
            json_decref(all);
            return cc_fail(&load_error, CC_INTERNAL, "", "out_of_memory", "cannot load %s",
                           a->path);
        }
        c->n++;
    }
    json_decref(all);
    qsort(c->entries, c->n, sizeof *c->entries, by_code);
    return CC_OK;
}

static void load_all(void)
{
    for (const web_asset *a = web_assets; a->path; a++) {
        const char *name = a->path + sizeof CATALOGUE_DIR - 1;
        const char *dot = strrchr(a->path, '.');
        size_t len = dot ? (size_t)(dot - name) : 0;
        if (strncmp(a->path, CATALOGUE_DIR, sizeof CATALOGUE_DIR - 1) != 0 || !dot ||
            strcmp(dot, ".json") != 0 || len == 0 || len >= ERROR_TEXT_LANGUAGE_MAX ||
            n_catalogues == MAX_LANGUAGES)
            continue;
        catalogue *c = &catalogues[n_catalogues];
        memcpy(c->name, name, len);
        if (load_one(a, c) != CC_OK)
            return;
        names[n_catalogues] = c->name;
        if (strcmp(c->name, "en") == 0)
            english = (int)n_catalogues;
        n_catalogues++;
    }
    if (english < 0)
        cc_fail(&load_error, CC_INTERNAL, "", "bad_catalogue",
                "no English catalogue (/i18n/en.json)");
}

cc_status error_text_init(cc_error *err)
{
    pthread_once(&once, load_all);
    if (load_error.status == CC_OK)
        return CC_OK;
    if (err)
        *err = load_error;
    return load_error.status;
}

static int find_language(const char *name)
{
    for (size_t i = 0; name && i < n_catalogues; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

static const char *lookup(int language, const char *code)
{
    if (language < 0)
        return NULL;
    const catalogue *c = &catalogues[language];
    entry key = {code, NULL};
    const entry *e = c->n ? bsearch(&key, c->entries, c->n, sizeof *c->entries, by_code) : NULL;
    return e ? e->text : NULL;
}

/* A partial catalogue answers only the codes it has: otherwise the message
 * would be English under its language's name. */
static bool offers(size_t i, const char *code)
{
    return !catalogues[i].partial || (code && lookup((int)i, code));
}

const char *error_text_language(const char *preferred, const char *accept_language,
                                const char *code)
{
    pthread_once(&once, load_all);
    int i = find_language(preferred);
    if (i >= 0 && !offers((size_t)i, code))
        i = -1;
    if (i < 0) {
        const char *offered[MAX_LANGUAGES];
        int index[MAX_LANGUAGES];
        size_t n = 0;
        for (size_t k = 0; k < n_catalogues; k++)
            if (offers(k, code)) {
                offered[n] = names[k];
                index[n++] = (int)k;
            }
        int chosen = language_negotiate(accept_language, offered, n);
        i = chosen >= 0 ? index[chosen] : -1;
    }
    return i >= 0 ? names[i] : "en";
}

/* Drops a character that snprintf cut short at the end of s. */
static void cut_at_character(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

bool catalogue_has_language(const char *language)
{
    pthread_once(&once, load_all);
    return find_language(language) >= 0;
}

const char *catalogue_text(const char *language, const char *key)
{
    pthread_once(&once, load_all);
    if (!is_text_key(key))
        return NULL;
    const char *text = lookup(find_language(language), key);
    return text ? text : lookup(english, key);
}

bool error_text_render(const char *language, const cc_error *err, char *out, size_t cap)
{
    pthread_once(&once, load_all);
    const char *text = lookup(find_language(language), err->code);
    if (!text)
        text = lookup(english, err->code);
    if (!text) {
        snprintf(out, cap, "%s", err->message);
        return false;
    }
    buf b;
    buf_init(&b, cap + sizeof err->field * 4); /* cut below, at a character */
    char marker_key[sizeof MARKER_PREFIX + sizeof err->field];
    snprintf(marker_key, sizeof marker_key, "%s%s", MARKER_PREFIX, err->field);
    const char *marker = lookup(find_language(language), marker_key);
    if (!marker)
        marker = lookup(english, marker_key);
    static const char FIELD[] = "{field}", MARKER[] = "{marker}";
    for (const char *p = text; *p;) {
        const char *at = strchr(p, '{');
        bool is_field = at && strncmp(at, FIELD, sizeof FIELD - 1) == 0;
        bool is_marker = at && strncmp(at, MARKER, sizeof MARKER - 1) == 0;
        size_t n = at ? (size_t)(at - p) : strlen(p);
        buf_append(&b, p, n);
        if (!at)
            break;
        if (is_field || is_marker) {
            buf_puts(&b, is_field ? err->field : marker ? marker : err->field);
            p = at + (is_field ? sizeof FIELD : sizeof MARKER) - 1;
        } else {
            buf_putc(&b, '{');
            p = at + 1;
        }
    }
    snprintf(out, cap, "%s", b.data);
    buf_release(&b);
    cut_at_character(out);
    text_make_valid_utf8(out);
    return true;
}
