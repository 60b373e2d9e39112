#include "qr.h"

#include <qrencode.h>
#include <stdio.h>
#include <string.h>

enum { QUIET = 4 };

cc_status qr_svg(const char *text, int scale, buf *out, cc_error *err)
{
    if (!text || strlen(text) > 1000)
        return cc_fail(err, CC_INVALID, "text", "too_long", "QR text must be 1..1000 bytes");
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return cc_fail(err, CC_INTERNAL, NULL, "qr_failed", "the QR code could not be made");
    int n = q->width, size = (n + 2 * QUIET) * scale;
    char t[160];
    snprintf(
        t, sizeof t,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
        " shape-rendering=\"crispEdges\">",
        size, size, n + 2 * QUIET, n + 2 * QUIET);
    buf_puts(out, t);
    snprintf(t, sizeof t,
             "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             n + 2 * QUIET, n + 2 * QUIET);
    buf_puts(out, t);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            if (q->data[y * n + x] & 1) {
                snprintf(t, sizeof t, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
                buf_puts(out, t);
            }
    buf_puts(out, "\"/></svg>");
    QRcode_free(q);
    return buf_failed(out) ? cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "QR code too large")
                           : CC_OK;
}
