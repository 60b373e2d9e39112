/* libFuzzer target: DIN parsing from scanner or keyboard input. A parsed DIN
 * must format back to text that parses to the same DIN. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/isbt128.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64)
        return 0;
    char text[65];
    memcpy(text, data, size);
    text[size] = '\0';
    isbt128_din din, back;
    cc_error err;
    if (isbt128_parse(text, "din", &din, &err) != CC_OK)
        return 0;
    char printed[64];
    isbt128_format_printed(&din, printed);
    if (isbt128_parse(printed, "din", &back, &err) != CC_OK || !isbt128_same_donation(&din, &back))
        abort();
    return 0;
}
