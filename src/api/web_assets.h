/*
 * web_assets: the static web interface, embedded at build time by
 * scripts/embed-web.cmake from src/web/. The table ends with a NULL path.
 * Read-only data; thread-safe.
 */
#ifndef CC_WEB_ASSETS_H
#define CC_WEB_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *path; /* "/index.html" */
    const char *content_type;
    const unsigned char *data;
    size_t size;
} web_asset;

extern const web_asset web_assets[];

#endif
