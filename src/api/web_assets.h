/*
 * web_assets: the static web interface, embedded at build time by
 * scripts/embed-web.cmake from src/web/. The table ends with a NULL path.
 * Each asset has a strong validator (etag: the quoted SHA-256 of its bytes)
 * so that a browser revalidates instead of loading and compiling it again.
 * index.html links the scripts every page runs as modules to preload (the
 * build writes the list where index.html has <!-- modulepreload -->), so the
 * browser fetches them at once instead of import by import; with them the
 * session (GET /api/v1/session) and, as a JSON data block (#module-deps), the
 * views each view imports, so that a page's modules are asked for at once.
 * web_asset_prefix ("/v/<version>/", the version a digest of every file) is
 * where index.html names the files: a path whose content never changes, so
 * it may be kept by the browser without asking again.
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
    const char *etag; /* "\"<sha-256 hex>\"" */
} web_asset;

extern const web_asset web_assets[];
extern const char web_asset_prefix[];

#endif
