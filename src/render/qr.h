/*
 * qr: a QR code (libqrencode, error correction level M, 8-bit mode) as a
 * standalone SVG: one path of dark modules, a 4-module quiet zone, `scale`
 * user units per module, shape-rendering crispEdges so it prints sharp.
 * Text longer than 1000 bytes is CC_INVALID ("text"). Appends to out.
 * Thread-safe (libqrencode is reentrant).
 */
#ifndef CC_QR_H
#define CC_QR_H

#include "core/buf.h"
#include "core/status.h"

cc_status qr_svg(const char *text, int scale, buf *out, cc_error *err);

#endif
