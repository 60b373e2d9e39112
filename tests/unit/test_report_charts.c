/* Unit tests of render/report_charts: each chart of a hand-written
 * report JSON rendered to SVG, parsed as XML (libxml2), and counted: the
 * elements the data must produce (one path per patient drawn, one band per
 * non-zero cell of the AIS table, one bar segment per (term, grade)) and the
 * numbers in the text alternative. Also the whole report as HTML and PDF.
 *
 * The colours below are those of src/render/report_charts.c (trajectory
 * lines, grade ramp); cairo writes them as percentages or 0..255 integers
 * depending on its version, both are read.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "render/report_charts.h"
#include "render/report_render.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Three time points. Measure 0: three patients drawn of three:
 *   [9, 7, null]     one line, baseline to month-3       -> 1 sub-path
 *   [5, null, 4]     two lone values (gap not bridged)   -> 2 sub-paths
 *   [null, 6, null]  one lone value                      -> 1 sub-path
 * Measure 1: every value missing (0 of 0). Measure 2: one time point after
 * baseline, 2 of 250 drawn (the cap, as the API would give 200 of 250).
 * AIS, two time points: month-3 A->A 2, A->B 1, C->D 3 (6 pairs, missing 1);
 * month-6 no pair (0 pairs, missing 4). AE: Headache grade 1 (2 patients),
 * Headache grade 3 (1), Fever grade 2 (1), of 4 treated. */
static const char FIXTURE[] =
    "{\"protocol\":\"sci\",\"as_of\":\"2026-11-22\",\"synthetic_data\":true,"
    "\"timepoints\":[\"baseline\",\"month-3\",\"month-6\"],"
    "\"flow\":{\"referred\":5,\"screened\":5,\"eligible\":4,\"treated\":4,\"timepoints\":[]},"
    "\"measures\":["
    "{\"instrument\":\"nrs-pain\",\"score\":\"worst\",\"timepoints\":["
    "{\"label\":\"baseline\",\"n\":2,\"due\":4,\"mean\":7,\"ci\":{\"low\":-18.4,\"high\":32.4}},"
    "{\"label\":\"month-3\",\"n\":2,\"due\":4,\"mean\":6.5,\"ci\":{\"low\":0.15,\"high\":12.85}},"
    "{\"label\":\"month-6\",\"n\":1,\"due\":3,\"mean\":4,\"ci\":{\"low\":null,\"high\":null,"
    "\"not_computable\":\"single\"}}],"
    "\"trajectories\":{\"drawn\":3,\"of\":3,\"patients\":[[9,7,null],[5,null,4],[null,6,null]]}},"
    "{\"instrument\":\"koos\",\"score\":\"pain\",\"timepoints\":["
    "{\"label\":\"baseline\",\"n\":0,\"due\":4,\"mean\":null,\"ci\":{\"low\":null,\"high\":null}},"
    "{\"label\":\"month-3\",\"n\":0,\"due\":4,\"mean\":null,\"ci\":{\"low\":null,\"high\":null}},"
    "{\"label\":\"month-6\",\"n\":0,\"due\":3,\"mean\":null,\"ci\":{\"low\":null,\"high\":null}}],"
    "\"trajectories\":{\"drawn\":0,\"of\":0,\"patients\":[]}},"
    "{\"instrument\":\"edss\",\"score\":\"total\",\"timepoints\":["
    "{\"label\":\"baseline\",\"n\":2,\"due\":2,\"mean\":3,\"ci\":{\"low\":-9.7,\"high\":15.7}},"
    "{\"label\":\"month-3\",\"n\":1,\"due\":2,\"mean\":2,\"ci\":{\"low\":null,\"high\":null}}],"
    "\"trajectories\":{\"drawn\":2,\"of\":250,\"patients\":[[2,2],[4,null]]}}],"
    "\"ais\":["
    "{\"label\":\"month-3\",\"pairs\":6,\"missing\":1,\"table\":{"
    "\"A\":{\"A\":2,\"B\":1,\"C\":0,\"D\":0,\"E\":0},\"B\":{\"A\":0,\"B\":0,\"C\":0,\"D\":0,\"E\":"
    "0},"
    "\"C\":{\"A\":0,\"B\":0,\"C\":0,\"D\":3,\"E\":0},\"D\":{\"A\":0,\"B\":0,\"C\":0,\"D\":0,\"E\":"
    "0},"
    "\"E\":{\"A\":0,\"B\":0,\"C\":0,\"D\":0,\"E\":0}},"
    "\"improved\":{\"x\":4,\"n\":6,\"p\":0.6667,\"ci\":{\"low\":0.3,\"high\":0.9}}},"
    "{\"label\":\"month-6\",\"pairs\":0,\"missing\":4,\"table\":{},"
    "\"improved\":{\"x\":0,\"n\":0,\"p\":null,\"ci\":{\"low\":null,\"high\":null}}}],"
    "\"adverse_events\":{\"available\":true,\"treated\":4,\"administrations\":8,"
    "\"patients_any\":{\"x\":3,\"n\":4,\"p\":0.75,\"ci\":{\"low\":0.19,\"high\":0.99}},"
    "\"patients_serious\":{\"x\":0,\"n\":4,\"p\":0,\"ci\":{\"low\":0,\"high\":0.6}},"
    "\"rows\":["
    "{\"term\":\"Fever\",\"grade\":2,\"events\":1,\"patients\":{\"x\":1,\"n\":4}},"
    "{\"term\":\"Headache\",\"grade\":1,\"events\":3,\"patients\":{\"x\":2,\"n\":4}},"
    "{\"term\":\"Headache\",\"grade\":3,\"events\":1,\"patients\":{\"x\":1,\"n\":4}}]},"
    "\"definitions\":{}}";

/* The same cohort without ISNCSCI data and without adverse events. */
static const char EMPTY[] =
    "{\"protocol\":\"sci\",\"as_of\":\"2026-11-22\",\"synthetic_data\":false,"
    "\"flow\":{\"treated\":2,\"timepoints\":[]},\"measures\":[],\"ais\":null,"
    "\"adverse_events\":{\"available\":true,\"treated\":2,\"rows\":[]},\"definitions\":{}}";

static const double TRAJECTORY_RGB[3] = {0.45, 0.52, 0.72};
static const double GRADE_RGB[5][3] = {{0.99, 0.88, 0.55},
                                       {0.98, 0.68, 0.38},
                                       {0.90, 0.42, 0.25},
                                       {0.70, 0.18, 0.18},
                                       {0.35, 0.05, 0.1}};

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("fixture: %s at %d", e.text, e.position);
    return j;
}

/* Reads "<what>:rgb(r,g,b)" from a style: percentages or 0..255. */
static bool style_rgb(const char *style, const char *what, double rgb[3])
{
    char key[32];
    snprintf(key, sizeof key, "%s:rgb(", what);
    const char *p = style ? strstr(style, key) : NULL;
    if (!p)
        return false;
    p += strlen(key);
    for (int i = 0; i < 3; i++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            return false;
        rgb[i] = *end == '%' ? v / 100 : v / 255;
        p = end + (*end == '%');
        while (*p == ',' || *p == ' ')
            p++;
    }
    return true;
}

static bool same_rgb(const double a[3], const double b[3])
{
    return fabs(a[0] - b[0]) < 0.01 && fabs(a[1] - b[1]) < 0.01 && fabs(a[2] - b[2]) < 0.01;
}

typedef struct {
    int trajectory_paths; /* stroked in the trajectory colour */
    int subpaths[16];     /* their "M" counts, in order */
    int bands;            /* filled with opacity 0.45 (AIS bands) */
    int grade_fills;      /* filled in a grade colour (AE bars and legend) */
    char title[4096];
} svg_facts;

static void walk(xmlNode *n, svg_facts *f)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, "title") == 0) {
            xmlChar *t = xmlNodeGetContent(n);
            snprintf(f->title, sizeof f->title, "%s", (const char *)t);
            xmlFree(t);
        }
        if (strcmp((const char *)n->name, "path") == 0) {
            xmlChar *style = xmlGetProp(n, (const xmlChar *)"style");
            xmlChar *d = xmlGetProp(n, (const xmlChar *)"d");
            double rgb[3];
            const char *s = (const char *)style;
            if (style_rgb(s, "stroke", rgb) && same_rgb(rgb, TRAJECTORY_RGB)) {
                int m = 0;
                for (const char *p = (const char *)d; p && *p; p++)
                    m += *p == 'M';
                if (f->trajectory_paths < 16)
                    f->subpaths[f->trajectory_paths] = m;
                f->trajectory_paths++;
            }
            if (s && strstr(s, "fill-opacity:0.45"))
                f->bands++;
            for (int g = 0; g < 5; g++)
                if (style_rgb(s, "fill", rgb) && same_rgb(rgb, GRADE_RGB[g]))
                    f->grade_fills++;
            xmlFree(style);
            xmlFree(d);
        }
        walk(n->children, f);
    }
}

/* Renders one chart, checks it is well-formed SVG whose first child is the title. */
static svg_facts render(report_chart_kind kind, const json_t *part)
{
    buf b;
    buf_init(&b, 16 << 20);
    cc_error err;
    assert_int_equal(report_chart_svg(kind, part, &b, &err), CC_OK);
    xmlDoc *doc = xmlReadMemory(b.data, (int)b.len, "chart.svg", NULL, XML_PARSE_NONET);
    if (!doc)
        fail_msg("not well-formed XML: %.200s", b.data);
    xmlNode *root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    xmlNode *first = root->children;
    while (first && first->type != XML_ELEMENT_NODE)
        first = first->next;
    assert_non_null(first);
    assert_string_equal((const char *)first->name, "title");
    svg_facts f;
    memset(&f, 0, sizeof f);
    walk(root, &f);
    xmlFreeDoc(doc);
    buf_release(&b);
    return f;
}

static void contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" not in \"%s\"", needle, hay);
}

typedef struct {
    size_t measure;
    int paths;
    int subpaths[3];
    const char *alt[3];
} trajectory_case;

static const trajectory_case TRAJECTORIES[] = {
    /* measure 0: three patients, the gap of [5, null, 4] not bridged */
    {0,
     3,
     {1, 2, 1},
     {"3 of 3 patients drawn", "month-3 6.5 (0.15 to 12.85), 2 / 4", "month-6 4, 1 / 3"}},
    /* measure 1: all values missing: no line, the denominators still written */
    {1, 0, {0}, {"0 of 0 patients drawn", "baseline no mean, 0 / 4", "month-6 no mean, 0 / 3"}},
    /* measure 2: one time point; 2 of 250 drawn ([4, null] a lone dash) */
    {2, 2, {1, 1}, {"2 of 250 patients drawn", "month-3 2, 1 / 2", "baseline 3 (-9.7 to 15.7)"}},
};

static void test_trajectory(void **state)
{
    (void)state;
    json_t *r = load(FIXTURE);
    for (size_t i = 0; i < N_OF(TRAJECTORIES); i++) {
        const trajectory_case *c = &TRAJECTORIES[i];
        svg_facts f = render(REPORT_CHART_TRAJECTORY,
                             json_array_get(json_object_get(r, "measures"), c->measure));
        assert_int_equal(f.trajectory_paths, c->paths);
        for (int p = 0; p < c->paths; p++)
            assert_int_equal(f.subpaths[p], c->subpaths[p]);
        for (size_t k = 0; k < 3; k++)
            contains(f.title, c->alt[k]);
    }
    json_decref(r);
}

static void test_ais(void **state)
{
    (void)state;
    json_t *r = load(FIXTURE), *e = load(EMPTY);
    svg_facts f = render(REPORT_CHART_AIS, json_object_get(r, "ais"));
    assert_int_equal(f.bands, 3); /* A->A, A->B, C->D; month-6 has none */
    contains(f.title, "month-3: 6 pairs, missing 1, A to A 2, A to B 1, C to D 3");
    contains(f.title, "month-6: 0 pairs, missing 4.");
    f = render(REPORT_CHART_AIS, json_object_get(e, "ais")); /* ais null */
    assert_int_equal(f.bands, 0);
    contains(f.title, "no AIS grade recorded");
    json_decref(r);
    json_decref(e);
}

static void test_ae(void **state)
{
    (void)state;
    json_t *r = load(FIXTURE), *e = load(EMPTY);
    svg_facts f = render(REPORT_CHART_AE, json_object_get(r, "adverse_events"));
    assert_int_equal(f.grade_fills, 5 + 3); /* legend + Fever g2, Headache g1, g3 */
    contains(f.title, "among 4 treated patients");
    contains(f.title, "Fever: grade 2 1 / 4");
    contains(f.title, "Headache: grade 1 2 / 4, grade 3 1 / 4");
    f = render(REPORT_CHART_AE, json_object_get(e, "adverse_events")); /* zero rows */
    assert_int_equal(f.grade_fills, 5);                                /* the legend only */
    contains(f.title, "among 2 treated patients: no adverse event recorded");
    json_decref(r);
    json_decref(e);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_whole_report(void **state)
{
    (void)state;
    static const struct {
        const char *fixture;
        int figures; /* measures + AIS (when not null) + AE */
    } cases[] = {{FIXTURE, 3 + 1 + 1}, {EMPTY, 0 + 0 + 1}};
    for (size_t i = 0; i < N_OF(cases); i++) {
        json_t *r = load(cases[i].fixture);
        buf b;
        buf_init(&b, 64 << 20);
        cc_error err;
        assert_int_equal(report_render_html(r, NULL, &b, &err), CC_OK);
        assert_int_equal(count(b.data, "<figure>"), cases[i].figures);
        assert_int_equal(count(b.data, "<figcaption>"), cases[i].figures);
        assert_int_equal(count(b.data, "<svg"), cases[i].figures);
        assert_int_equal(count(b.data, "SYNTHETIC DATA"), i == 0 ? 1 : 0);
        buf_reset(&b);
        assert_int_equal(report_render_pdf(r, NULL, &b, &err), CC_OK);
        assert_true(b.len > 5 && memcmp(b.data, "%PDF-", 5) == 0);
        buf_release(&b);
        json_decref(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trajectory),
        cmocka_unit_test(test_ais),
        cmocka_unit_test(test_ae),
        cmocka_unit_test(test_whole_report),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
