/*
 * label: the printable label of a cell unit, as PDF or PNG (cairo), with
 * Code 128 barcodes (libzint) of the DIN ("=" + 13 data characters + flags,
 * ISBT 128 data structure 001) and of the product code ("=<" + PDC + type of
 * donation + division, data structure 003).
 *
 * Layout (4 x 6 inch, 288 x 432 pt; PNG at 300 dpi, 1200 x 1800 px):
 *   DIN barcode, then the eye-readable DIN "W1234 26 000001 00" with its
 *   check character in a box; product-code barcode (with the type-of-donation
 *   character) and its text; the product description, the type of donation
 *   in words, cells, volume, viability, collection and expiry dates, storage
 *   conditions, batch; for an autologous unit "FOR AUTOLOGOUS USE ONLY" and
 *   the recipient (name, birth date, record number); the donor statements
 *   of 21 CFR 1271.370(b)(4) that apply (core/hctp_label.h), the Biohazard
 *   legend with the biohazard sign; the facility's name, address and FIN
 *   (1271.370(c)(1)); a banner "QUARANTINE" while the unit is in quarantine,
 *   "EXPIRED — DO NOT USE" / "DISCARDED — DO NOT USE" for those states.
 *   Every word comes from the caller's label_texts (the "unitlabel.*" keys of
 *   the message catalogues) in the label's language; dates are dd/mm/yyyy in
 *   French and "01 NOV 2027" (day, month named, year: unambiguous) in
 *   English; French numbers take a decimal comma.
 * Bars are drawn without anti-aliasing on whole pixels of the PNG (0.72 pt
 * per module = 3 px at 300 dpi) so scanners and zbarimg read them.
 *
 * This module does I/O-free rendering into memory but uses cairo and zint,
 * so it lives outside core. Ownership: out receives the bytes (binary; len
 * is the size). Bad data (an invalid product code) is CC_INVALID. Each call
 * is independent: thread-safe as far as cairo and zint are.
 */
#ifndef CC_LABEL_H
#define CC_LABEL_H

#include <stdint.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/isbt128.h"
#include "core/status.h"

typedef enum { LABEL_PDF, LABEL_PNG } label_format;

/* The label's words: catalogue keys (label_text_keys) and their texts in
 * the label's language. {name}-style fields are filled by label_render. */
typedef enum {
    LT_AUTOLOGOUS_ONLY, /* 1271.90(c)(1) */
    LT_NOT_EVALUATED,   /* 1271.90(c)(2), 1271.60(d)(2) */
    LT_BIOHAZARD,       /* legend of 1271.3(h) */
    LT_ADVISE_RISKS,
    LT_REACTIVE,  /* {agents} */
    LT_RECIPIENT, /* {name} */
    LT_BORN,      /* {date} {mrn} */
    LT_COLLECTED, /* {date} */
    LT_EXPIRY,    /* {date} */
    LT_CELLS,     /* {cells} */
    LT_VOLUME,    /* {volume} */
    LT_VIABILITY, /* {volume} {viability} */
    LT_STORE,     /* {storage} */
    LT_STORE_DEFAULT,
    LT_BATCH,      /* {batch} */
    LT_FACILITY,   /* {fin} */
    LT_DONATION_1, /* type of donation '1' in words */
    LT_DONATION_X,
    LT_DONATION_V,
    LT_QUARANTINE,
    LT_EXPIRED,
    LT_DISCARDED,
    LT_COUNT
} label_text_id;

/* "unitlabel.autologous_only", ... in label_text_id order. */
extern const char *const label_text_keys[LT_COUNT];

typedef struct {
    const char *text[LT_COUNT]; /* borrowed; all required */
} label_texts;

/* What a unit's label shows, in the caller's fixed buffers. state is the
 * unit's state on the day the label is made ("expired" once its expiry
 * has passed, whether or not the expiry was recorded yet). */
typedef struct {
    isbt128_din din;
    char product_code[ISBT128_PDC_TEXT];
    int division;          /* 0 undivided, 1..26 */
    char product_type[16]; /* lab_rules vocabulary */
    uint64_t cells;
    double volume_ml;
    double viability; /* percent; < 0 when not measured */
    char expiry[CC_DATE_TEXT];
    char storage[200];
    char state[16];     /* unit_state name */
    char owner_mrn[16]; /* "" when allogeneic */
    char batch_code[32];
    char donation_type;  /* ISBT 128 type of donation (core/hctp_label.h) */
    unsigned statements; /* HCTP_* bits */
    char reactive[64];   /* agents for HCTP_REACTIVE ("HBV, HCV") */
    char product_description[128];
    char collected_on[CC_DATE_TEXT]; /* "" when unknown */
    char owner_name[160];            /* autologous: "FAMILY, Given" */
    char owner_birth_date[CC_DATE_TEXT];
    char facility_name[128];
    char facility_address[320]; /* lines separated by '\n' */
    char fin[ISBT128_FIN_LEN + 1];
    char language[8]; /* "fr" or "en": dates and decimal separator */
    const label_texts *texts;
} label_unit;

/* CC_INVALID for an invalid product code or type of donation, CC_INTERNAL
 * "label_text_missing" when a text is missing. */
cc_status label_render(const label_unit *unit, label_format format, buf *out, cc_error *err);

/* The patient's wristband (10 x 1 inch; PNG at 300 dpi): the MRN as
 * a Code 128 barcode (the 8 digits, check digit included, what the bedside
 * scan reads), the names, the birth date and the MRN in clear. An invalid
 * MRN is CC_INVALID. Texts are borrowed. */
typedef struct {
    const char *mrn, *family_name, *given_names, *birth_date;
} wristband_data;

cc_status label_wristband(const wristband_data *p, label_format format, buf *out, cc_error *err);

#endif
