/*
 * error_text: the message of an API error in the caller's language.
 *
 * The texts are the "error.<code>" entries of the web interface's message
 * catalogues (src/web/i18n/<language>.json, embedded as web assets): one
 * catalogue per language, the same files the pages use. They are parsed
 * once, on the first call (error_text_init at server start), and only read
 * afterwards: every function is thread-safe.
 *
 * A text may hold {field}, replaced by the error's field as sent in the
 * request (a stable name), and {marker}, replaced by the catalogue's name of
 * the donor-testing marker the field names ("lab.marker.<field>", these
 * entries are read too), or the field when there is none. Errors: error_text_init fails with
 * CC_INTERNAL "bad_catalogue" when a catalogue does not parse or has no
 * English; the other functions cannot fail.
 */
#ifndef CC_API_ERROR_TEXT_H
#define CC_API_ERROR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

enum { ERROR_TEXT_LANGUAGE_MAX = 8 };

cc_status error_text_init(cc_error *err);

/* The language to answer the error code in: preferred (a user's setting)
 * when a catalogue has it, else the best of accept_language (an
 * Accept-Language header) among the catalogues, else "en". A partial
 * catalogue (one with a "catalogue.scope" entry: German holds the
 * patient-facing pages only) counts only for the codes it has. Any argument
 * may be NULL. The string is static. */
const char *error_text_language(const char *preferred, const char *accept_language,
                                const char *code);

/* Writes into out (cap bytes, always terminated, cut at a character) the
 * text of err->code in language, else in English; false when neither
 * catalogue has the code (out then holds err->message). */
bool error_text_render(const char *language, const cc_error *err, char *out, size_t cap);

/* true when a catalogue exists for language (a `lang` parameter). */
bool catalogue_has_language(const char *language);

/* The text of a unit label's catalogue key ("unitlabel.biohazard"), of a CSV
 * column header ("csv.ae.grade"), of an adverse-event value ("ae.rel.possible")
 * of the outcome report ("rep.definitions") or of a laboratory code in an
 * export ("lab.state.released") in language, else in English; NULL when
 * neither catalogue has it or key does not begin with "unitlabel.", "csv.",
 * "ae.", "rep.", "lab.product.", "lab.state.", "lab.source." or "lab.kind.".
 * The string lives as long as the process. */
const char *catalogue_text(const char *language, const char *key);

#endif
