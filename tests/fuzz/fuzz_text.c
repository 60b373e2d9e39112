/* libFuzzer target: accent folding and UTF-8 checks on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    text_is_clean_utf8(s, strlen(s), true);
    char out[64], big[4096];
    text_fold(s, out, sizeof out);
    text_fold(s, big, sizeof big);
    if (strlen(out) >= sizeof out || strlen(big) >= sizeof big)
        abort();
    /* Folding is idempotent on what it produces from ASCII input. */
    char again[4096];
    text_fold(big, again, sizeof again);
    bool ascii = true;
    for (const char *p = big; *p; p++)
        ascii = ascii && (unsigned char)*p < 0x80;
    if (ascii && strcmp(big, again) != 0)
        abort();
    free(s);
    return 0;
}
