#include "isbt128.h"

#include <stdio.h>
#include <string.h>

/* Longest text isbt128_parse looks at: the printed form is 20 characters. */
enum { PARSE_MAX = 24 };

static const char mod37_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

int isbt128_char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '*')
        return 36;
    return -1;
}

/* Horner form of the pure system: p = ((p + a_i) * 2) mod 37 over the data
 * gives sum(a_i * 2^(n-i+1)) mod 37; the check value c makes p + c == 1. */
static int mod37_2_value(const char *s, size_t n)
{
    int p = 0;
    for (size_t i = 0; i < n; i++) {
        int v = isbt128_char_value(s[i]);
        if (v < 0 || v > 35)
            return -1;
        p = ((p + v) * 2) % 37;
    }
    return (38 - p) % 37;
}

char isbt128_mod37_2(const char *s, size_t n)
{
    if (!s || n == 0)
        return '\0';
    int v = mod37_2_value(s, n);
    return v < 0 ? '\0' : mod37_alphabet[v];
}

bool isbt128_mod37_2_verify(const char *s, size_t n)
{
    if (!s || n < 2)
        return false;
    char k = isbt128_mod37_2(s, n - 1);
    return k != '\0' && k == s[n - 1];
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool fin_first_ok(char c)
{
    return (c >= 'A' && c <= 'Z' && c != 'O') || (c >= '1' && c <= '9');
}

bool isbt128_fin_is_valid(const char *fin)
{
    return fin && strlen(fin) == ISBT128_FIN_LEN && fin_first_ok(fin[0]) && all_digits(fin + 1, 4);
}

/* Checks the 13 uppercase data characters part by part. */
static cc_status check_data(const char *data, const char *field, cc_error *err)
{
    if (!fin_first_ok(data[0]))
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "FIN must start with A-N, P-Z or 1-9 (got '%c')", data[0]);
    if (!all_digits(data + 1, 4))
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "FIN must be one character then 4 digits (got \"%.5s\")", data);
    if (!all_digits(data + 5, 2))
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "year must be 2 digits (got \"%.2s\")", data + 5);
    if (!all_digits(data + 7, 6))
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "sequence must be 6 digits (got \"%.6s\")", data + 7);
    return CC_OK;
}

static cc_status check_flags(const char *flags, char check, const char *field, cc_error *err)
{
    if (!is_digit(flags[0]) || !is_digit(flags[1]))
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "flags must be 2 digits (got \"%.2s\")", flags);
    int f = (flags[0] - '0') * 10 + (flags[1] - '0');
    int k = isbt128_char_value(check);
    if (f >= ISBT128_FLAG_CHECK_BASE && f <= ISBT128_FLAG_CHECK_BASE + 36 &&
        f != ISBT128_FLAG_CHECK_BASE + k)
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "flags %.2s carry a check value that does not match the number "
                       "(expected %d)",
                       flags, ISBT128_FLAG_CHECK_BASE + k);
    return CC_OK;
}

/* Fills out from 13 data characters (already validated) and flags. */
static void fill(isbt128_din *out, const char *data, const char *flags)
{
    memcpy(out->data, data, ISBT128_DATA_LEN);
    out->data[ISBT128_DATA_LEN] = '\0';
    out->flags[0] = flags[0];
    out->flags[1] = flags[1];
    out->flags[2] = '\0';
    out->check = isbt128_mod37_2(data, ISBT128_DATA_LEN);
}

cc_status isbt128_make(const char *fin, int year, uint32_t sequence, const char *flags,
                       isbt128_din *out, cc_error *err)
{
    char f[ISBT128_FIN_LEN + 1] = "";
    if (fin && strlen(fin) == ISBT128_FIN_LEN)
        for (int i = 0; i <= ISBT128_FIN_LEN; i++)
            f[i] = upper(fin[i]);
    if (!isbt128_fin_is_valid(f))
        return cc_fail(err, CC_INVALID, "fin", "invalid_fin",
                       "FIN must be 5 characters: A-N, P-Z or 1-9, then 4 digits");
    if (year < 0 || year > 99)
        return cc_fail(err, CC_INVALID, "year", "invalid_din", "year must be 0..99 (got %d)", year);
    if (sequence > ISBT128_MAX_SEQUENCE)
        return cc_fail(err, CC_INVALID, "sequence", "invalid_din",
                       "sequence must be 0..%d (got %lu)", ISBT128_MAX_SEQUENCE,
                       (unsigned long)sequence);
    if (flags && strlen(flags) != 2)
        return cc_fail(err, CC_INVALID, "flags", "invalid_din", "flags must be 2 digits");
    char data[ISBT128_DATA_TEXT];
    snprintf(data, sizeof data, "%s%02d%06lu", f, year, (unsigned long)sequence);
    char check = isbt128_mod37_2(data, ISBT128_DATA_LEN);
    const char *fl = flags ? flags : "00";
    cc_status st = check_flags(fl, check, "flags", err);
    if (st != CC_OK)
        return st;
    fill(out, data, fl);
    return CC_OK;
}

static cc_status parse_keyed(const char *t, const char *field, isbt128_din *out, cc_error *err)
{
    cc_status st = check_data(t, field, err);
    if (st != CC_OK)
        return st;
    char want = isbt128_mod37_2(t, ISBT128_DATA_LEN);
    if (isbt128_char_value(t[13]) < 0)
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "check character must be 0-9, A-Z or * (got '%c')", t[13]);
    if (t[13] != want)
        return cc_fail(err, CC_INVALID, field, "din_check_mismatch",
                       "check character '%c' does not match the number (expected '%c')", t[13],
                       want);
    fill(out, t, "00");
    return CC_OK;
}

static cc_status parse_scan(const char *t, size_t len, const char *field, isbt128_din *out,
                            cc_error *err)
{
    if (len != 16)
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "scanned DIN must be '=' then 15 characters (got %zu)", len - 1);
    cc_status st = check_data(t + 1, field, err);
    if (st != CC_OK)
        return st;
    st = check_flags(t + 14, isbt128_mod37_2(t + 1, ISBT128_DATA_LEN), field, err);
    if (st != CC_OK)
        return st;
    fill(out, t + 1, t + 14);
    return CC_OK;
}

/* "αpppp yy nnnnnn ff K" or "αpppp yy nnnnnn K". */
static cc_status parse_printed(const char *t, size_t len, const char *field, isbt128_din *out,
                               cc_error *err)
{
    char keyed[ISBT128_KEYED_TEXT];
    const char *flags = "00";
    bool shape;
    if (len == 20)
        shape = t[5] == ' ' && t[8] == ' ' && t[15] == ' ' && t[18] == ' ';
    else if (len == 17)
        shape = t[5] == ' ' && t[8] == ' ' && t[15] == ' ';
    else
        shape = false;
    if (!shape)
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "printed DIN must look like \"W1234 26 123456 00 X\"");
    memcpy(keyed, t, 5);
    memcpy(keyed + 5, t + 6, 2);
    memcpy(keyed + 7, t + 9, 6);
    keyed[13] = t[len - 1];
    keyed[14] = '\0';
    if (len == 20)
        flags = t + 16;
    cc_status st = parse_keyed(keyed, field, out, err);
    if (st != CC_OK)
        return st;
    st = check_flags(flags, out->check, field, err);
    if (st != CC_OK)
        return st;
    out->flags[0] = flags[0];
    out->flags[1] = flags[1];
    return CC_OK;
}

cc_status isbt128_parse(const char *text, const char *field, isbt128_din *out, cc_error *err)
{
    if (!text || !out)
        return cc_fail(err, CC_INVALID, field, "invalid_din", "DIN is missing");
    char t[PARSE_MAX + 1];
    size_t len = 0;
    bool space = false;
    for (; text[len] != '\0'; len++) {
        if (len == PARSE_MAX)
            return cc_fail(err, CC_INVALID, field, "invalid_din", "DIN is too long");
        t[len] = upper(text[len]);
        if (t[len] == ' ')
            space = true;
    }
    t[len] = '\0';
    if (len == 0)
        return cc_fail(err, CC_INVALID, field, "invalid_din", "DIN is empty");
    if (t[0] == '=')
        return parse_scan(t, len, field, out, err);
    if (space)
        return parse_printed(t, len, field, out, err);
    if (len == ISBT128_DATA_LEN)
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "DIN has 13 characters: the check character is missing");
    if (len != ISBT128_DATA_LEN + 1)
        return cc_fail(err, CC_INVALID, field, "invalid_din",
                       "DIN must be 13 characters and its check character (got %zu)", len);
    return parse_keyed(t, field, out, err);
}

void isbt128_fin(const isbt128_din *d, char out[ISBT128_FIN_LEN + 1])
{
    memcpy(out, d->data, ISBT128_FIN_LEN);
    out[ISBT128_FIN_LEN] = '\0';
}

int isbt128_year(const isbt128_din *d)
{
    return (d->data[5] - '0') * 10 + (d->data[6] - '0');
}

uint32_t isbt128_sequence(const isbt128_din *d)
{
    uint32_t s = 0;
    for (int i = 7; i < ISBT128_DATA_LEN; i++)
        s = s * 10 + (uint32_t)(d->data[i] - '0');
    return s;
}

void isbt128_format_data(const isbt128_din *d, char out[ISBT128_DATA_TEXT])
{
    snprintf(out, ISBT128_DATA_TEXT, "%.13s", d->data);
}

void isbt128_format_keyed(const isbt128_din *d, char out[ISBT128_KEYED_TEXT])
{
    snprintf(out, ISBT128_KEYED_TEXT, "%.13s%c", d->data, d->check);
}

void isbt128_format_scan(const isbt128_din *d, char out[ISBT128_SCAN_TEXT])
{
    snprintf(out, ISBT128_SCAN_TEXT, "=%.13s%.2s", d->data, d->flags);
}

void isbt128_format_printed(const isbt128_din *d, char out[ISBT128_PRINTED_TEXT])
{
    snprintf(out, ISBT128_PRINTED_TEXT, "%.5s %.2s %.6s %.2s %c", d->data, d->data + 5, d->data + 7,
             d->flags, d->check);
}

bool isbt128_same_donation(const isbt128_din *a, const isbt128_din *b)
{
    return memcmp(a->data, b->data, ISBT128_DATA_LEN) == 0;
}

static bool is_upper_or_digit(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z');
}

bool isbt128_pdc_is_valid(const char *pdc)
{
    if (!pdc || strlen(pdc) != ISBT128_PDC_LEN || pdc[0] < 'A' || pdc[0] > 'Z')
        return false;
    for (size_t i = 1; i < ISBT128_PDC_LEN; i++)
        if (!is_upper_or_digit(pdc[i]))
            return false;
    return true;
}

static const struct {
    char type;
    const char *text;
} DONATION_TYPES[] = {
    {'0', "Not specified"},
    {'V', "Volunteer allogeneic donor"},
    {'R', "Volunteer research donor"},
    {'S', "Volunteer source donor"},
    {'T', "Volunteer therapeutic collection"},
    {'P', "Paid allogeneic collection"},
    {'r', "Paid research collection"},
    {'s', "Paid source collection"},
    {'A', "Autologous collection, eligible for crossover"},
    {'1', "For autologous use only"},
    {'X', "For autologous use only, biohazardous"},
    {'D', "Volunteer directed collection, eligible for crossover"},
    {'d', "Paid directed collection, eligible for crossover"},
    {'2', "For directed recipient use only"},
    {'3', "For directed recipient use only, biohazardous"},
    {'L', "For directed recipient use only, limited exposure"},
    {'E', "Medical exception, for specified recipient only"},
};

const char *isbt128_donation_type_text(char t)
{
    for (size_t i = 0; i < sizeof DONATION_TYPES / sizeof DONATION_TYPES[0]; i++)
        if (DONATION_TYPES[i].type == t)
            return DONATION_TYPES[i].text;
    return NULL;
}

bool isbt128_donation_type_is_valid(char t)
{
    return t != '\0' && isbt128_donation_type_text(t) != NULL;
}

cc_status isbt128_product_scan(const char *pdc, char donation_type, int division,
                               char out[ISBT128_PRODUCT_SCAN_TEXT], cc_error *err)
{
    if (!isbt128_pdc_is_valid(pdc))
        return cc_fail(err, CC_INVALID, "product_code", "invalid_product_code",
                       "a product description code is one letter A-Z and 4 letters or digits");
    if (!isbt128_donation_type_is_valid(donation_type))
        return cc_fail(err, CC_INVALID, "donation_type", "invalid_donation_type",
                       "the type of donation is not an ISBT 128 value");
    if (division < 0 || division > ISBT128_MAX_DIVISION)
        return cc_fail(err, CC_INVALID, "division", "invalid_division",
                       "division must be 0 (undivided) to %d", ISBT128_MAX_DIVISION);
    snprintf(out, ISBT128_PRODUCT_SCAN_TEXT, "=<%s%c%c%c", pdc, donation_type,
             division == 0 ? '0' : (char)('A' + division - 1), '0');
    return CC_OK;
}
