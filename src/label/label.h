/*
 * label: the printable label of a cell unit, as PDF or PNG (cairo), with
 * Code 128 barcodes (libzint) of the DIN ("=" + 13 data characters + flags,
 * ISBT 128 data structure 001) and of the product code ("=<" + PDC + type of
 * donation + division, data structure 003).
 *
 * Layout (4 x 4 inch, 288 x 288 pt; PNG at 300 dpi, 1200 x 1200 px):
 *   DIN barcode, then the eye-readable DIN "W1234 26 000001 00" with its
 *   check character in a box; product-code barcode and its text; product
 *   type, cells, volume, viability, expiry, storage conditions, batch;
 *   "FOR AUTOLOGOUS USE ONLY — patient MRN ..." for an autologous unit;
 *   a banner "QUARANTINE" while the unit is in quarantine, "EXPIRED — DO NOT
 *   USE" / "DISCARDED — DO NOT USE" for those states.
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
} label_unit;

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
