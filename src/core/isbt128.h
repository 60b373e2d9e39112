/*
 * isbt128: the ISBT 128 Donation Identification Number (DIN, data structure
 * 001) and its ISO/IEC 7064 MOD 37-2 check character.
 *
 * Purpose: build, parse, validate and format the DIN that identifies every
 * cell unit (DESIGN.md section 3), so that a mistyped or misread number is
 * refused before it can select the wrong unit (H1).
 *
 * Structure (ICCBBA ST-001, data structure 001 "=αppppyynnnnnnff"; IG-033):
 *   FIN       5 characters: α then pppp. α is one of A-N, P-Z (no letter O)
 *             or 1-9 (no digit 0); pppp are 4 digits 0-9. The Facility
 *             Identification Number is assigned by ICCBBA (IG-034); this module
 *             checks only its form: no ICCBBA table is shipped.
 *   year      2 digits 00-99 (yy: the year the number was assigned).
 *   sequence  6 digits 000000-999999 (nnnnnn), assigned by the facility.
 *   flags     2 digits (ff), process-control / transmission-check flags, not
 *             part of the identity. "00" means "flag not used". Values 60-96
 *             carry the MOD 37-2 checksum plus 60 (UK Red Book annex 2); such
 *             flags are verified when parsed. Other values are kept as given
 *             and not interpreted (their ICCBBA meanings are not shipped).
 *   check K   1 character of 0-9, A-Z, '*': ISO/IEC 7064 MOD 37-2 (pure
 *             system, modulus 37, radix 2) over the 13 data characters
 *             FIN+year+sequence. Values: '0'-'9' = 0-9, 'A'-'Z' = 10-35,
 *             '*' = 36. The 13 characters d1..d13 and K satisfy
 *               (sum of value(d_i) * 2^(14-i), i=1..13) + value(K) == 1 (mod 37)
 *             i.e. K = (38 - (sum of value(d_i) * 2^(14-i)) mod 37) mod 37.
 *             It detects every single-character substitution and every
 *             transposition of adjacent characters (2 is a primitive root
 *             modulo 37).
 *
 * Text forms (all uppercase; see isbt128_parse for what is accepted):
 *   data     "W123426123456"        13 characters, no check, no flags.
 *   keyed    "W123426123456X"       the 13 data characters followed by K: what
 *                                   an operator types from the eye-readable
 *                                   label when the barcode cannot be scanned.
 *   scan     "=W12342612345600"     the barcode data content: the data
 *                                   identifier '=' (whose second character is
 *                                   α itself), the 13 data characters and the
 *                                   2 flags; K is not in the barcode.
 *   printed  "W1234 26 123456 00 X" eye-readable layout: FIN, year and
 *                                   sequence separated by spaces, then the
 *                                   flags (printed rotated 90 degrees on a
 *                                   label) and K (printed in a box on a label).
 *
 * Bad input: parsing returns CC_INVALID with err->field set to the caller's
 * field name and a message naming the faulty part (FIN, year, sequence,
 * flags, check character) and, for a check failure, the expected character.
 * Lowercase letters are accepted and folded to uppercase.
 *
 * Ownership: no allocation; the caller provides every buffer (sizes below).
 * Pure and thread-safe.
 */
#ifndef CC_ISBT128_H
#define CC_ISBT128_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum {
    ISBT128_FIN_LEN = 5,
    ISBT128_DATA_LEN = 13,     /* FIN + year + sequence */
    ISBT128_DATA_TEXT = 14,    /* data + NUL */
    ISBT128_KEYED_TEXT = 15,   /* data + K + NUL */
    ISBT128_SCAN_TEXT = 17,    /* '=' + data + flags + NUL */
    ISBT128_PRINTED_TEXT = 21, /* "W1234 26 123456 00 X" + NUL */
    ISBT128_MAX_SEQUENCE = 999999,
    ISBT128_FLAG_CHECK_BASE = 60 /* flags 60..96 = checksum + 60 */
};

/* A validated DIN. Invariant (after isbt128_make or isbt128_parse):
 * data is 13 valid characters, flags 2 digits, check == MOD 37-2 of data. */
typedef struct {
    char data[ISBT128_DATA_TEXT]; /* FIN(5) year(2) sequence(6), NUL-terminated */
    char flags[3];                /* 2 digits, NUL-terminated */
    char check;                   /* K */
} isbt128_din;

/* --- ISO/IEC 7064 MOD 37-2 -------------------------------------------- */

/* Value of c in the MOD 37-2 alphabet: '0'-'9' -> 0-9, 'A'-'Z' -> 10-35,
 * '*' -> 36; -1 for anything else (lowercase included). */
int isbt128_char_value(char c);

/* Check character of the n characters at s, or '\0' when n is 0 or any of
 * them is not in 0-9, A-Z. */
char isbt128_mod37_2(const char *s, size_t n);

/* True when the last of the n characters is the MOD 37-2 check character of
 * the n-1 before it (n >= 2). */
bool isbt128_mod37_2_verify(const char *s, size_t n);

/* --- validation of the parts ------------------------------------------ */

/* True when fin is exactly 5 characters: A-N, P-Z or 1-9, then 4 digits. */
bool isbt128_fin_is_valid(const char *fin);

/* --- construction, parsing --------------------------------------------- */

/* Builds a DIN from its parts. fin must satisfy isbt128_fin_is_valid (lower
 * case folded), year 0..99, sequence 0..999999, flags NULL (-> "00") or 2
 * digits (60..96 must equal the checksum + 60). CC_INVALID naming "fin",
 * "year", "sequence" or "flags" otherwise. */
cc_status isbt128_make(const char *fin, int year, uint32_t sequence, const char *flags,
                       isbt128_din *out, cc_error *err);

/* Parses one of the text forms above, recognised by shape:
 *   starts with '='           -> scan    (16 characters; flags verified if 60-96)
 *   contains a space          -> printed ("αpppp yy nnnnnn ff K", or without
 *                                the flags: "αpppp yy nnnnnn K"); single
 *                                spaces only, no leading/trailing blanks
 *   14 characters             -> keyed   (K verified)
 * Anything else is CC_INVALID. field names the input in err (may be NULL).
 * On success out holds the DIN (flags "00" when the form carries none). */
cc_status isbt128_parse(const char *text, const char *field, isbt128_din *out, cc_error *err);

/* --- parts and formatting ---------------------------------------------- */

/* Copies the FIN into out (6 bytes). */
void isbt128_fin(const isbt128_din *d, char out[ISBT128_FIN_LEN + 1]);
int isbt128_year(const isbt128_din *d);
uint32_t isbt128_sequence(const isbt128_din *d);

void isbt128_format_data(const isbt128_din *d, char out[ISBT128_DATA_TEXT]);
void isbt128_format_keyed(const isbt128_din *d, char out[ISBT128_KEYED_TEXT]);
void isbt128_format_scan(const isbt128_din *d, char out[ISBT128_SCAN_TEXT]);
void isbt128_format_printed(const isbt128_din *d, char out[ISBT128_PRINTED_TEXT]);

/* --- product code (data structure 003) ------------------------------- *
 *
 * Barcode data content "=<" + PDC(5) + t + ds (10 characters; ST-001 data
 * structure 003 "=<aoooootds"):
 *   PDC  product description code: one letter A-Z then 4 characters, each a
 *        digit 0-9 or a letter A-Z ("S1234", "E0001", "S1A2B"). The codes
 *        are assigned and licensed by ICCBBA; none is shipped here: the site
 *        configures the codes it may use and this module checks their form.
 *   t    type of donation or collection (ST-001 table "Type of Donation or
 *        Collection in 6th Position of Product Code"): one of the values
 *        below. 21 CFR 1271.90(c)(1) and the ICCBBA FAQ on data structure 003
 *        ("autologous donations are required to be coded in the product
 *        code") make '1' or 'X' the character of an autologous unit.
 *          '0' not specified            'V' volunteer allogeneic donor
 *          'R' volunteer research donor 'S' volunteer source donor
 *          'T' volunteer therapeutic collection
 *          'P' paid allogeneic collection
 *          'r' paid research collection 's' paid source collection
 *          'A' autologous collection, eligible for crossover
 *          '1' for autologous use only  'X' for autologous use only, biohazardous
 *          'D' volunteer directed collection, eligible for crossover
 *          'd' paid directed collection, eligible for crossover
 *          '2' for directed recipient use only
 *          '3' for directed recipient use only, biohazardous
 *          'L' for directed recipient use only, limited exposure
 *          'E' medical exception, for specified recipient only
 *   ds   division: "00" for an undivided unit; division n (1..26) is written
 *        'A'+n-1 followed by '0' ("A0", "B0", ... "Z0"). Second-level
 *        divisions (lowercase ds) are not produced.
 */
enum {
    ISBT128_PDC_LEN = 5,
    ISBT128_PDC_TEXT = 6,
    ISBT128_PRODUCT_SCAN_TEXT = 11, /* "=<" + 8 + NUL */
    ISBT128_MAX_DIVISION = 26
};

/* True when pdc is exactly one letter A-Z followed by 4 characters 0-9 or
 * A-Z (uppercase only). */
bool isbt128_pdc_is_valid(const char *pdc);

/* True when t is one of the type-of-donation values listed above. */
bool isbt128_donation_type_is_valid(char t);

/* The ST-001 meaning of a type-of-donation value in English ("For
 * autologous use only"), or NULL when t is not listed. Static strings. */
const char *isbt128_donation_type_text(char t);

/* Writes the product-code barcode content. CC_INVALID naming "product_code"
 * (bad PDC), "donation_type" (not a listed value) or "division" (not 0..26). */
cc_status isbt128_product_scan(const char *pdc, char donation_type, int division,
                               char out[ISBT128_PRODUCT_SCAN_TEXT], cc_error *err);

/* True when both DINs name the same donation (data equal; flags and the
 * check character, which follows from data, are ignored). */
bool isbt128_same_donation(const isbt128_din *a, const isbt128_din *b);

#endif
