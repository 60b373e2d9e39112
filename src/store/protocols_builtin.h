/*
 * protocols_builtin: the protocol versions shipped with the binary, embedded
 * at build time from src/protocols/<id>.v<N>.json by
 * scripts/embed-protocols.cmake. The binary never reads the source tree.
 * The table ends with a row whose id is NULL. Texts are NUL-terminated.
 */
#ifndef CC_PROTOCOLS_BUILTIN_H
#define CC_PROTOCOLS_BUILTIN_H

#include <stddef.h>

typedef struct {
    const char *id;
    int version;
    const char *json;
    size_t size;
} protocol_builtin;

extern const protocol_builtin protocol_builtins[];

#endif
