#include "mrn.h"

#include <stdio.h>
#include <string.h>

char mrn_luhn_digit(const char *digits, int n)
{
    int sum = 0;
    /* Doubling starts with the rightmost payload digit, since the check digit
     * will be appended to its right. */
    for (int i = n - 1, doubled = 1; i >= 0; i--, doubled = !doubled) {
        int d = digits[i] - '0';
        if (doubled) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

bool mrn_format(uint32_t sequence, char out[MRN_TEXT])
{
    if (sequence < 1 || sequence > MRN_MAX_SEQUENCE)
        return false;
    snprintf(out, MRN_TEXT, "%07u", (unsigned)sequence);
    out[7] = mrn_luhn_digit(out, 7);
    out[8] = '\0';
    return true;
}

bool mrn_is_valid(const char *text)
{
    if (!text || strlen(text) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return strncmp(text, "0000000", 7) != 0 && mrn_luhn_digit(text, 7) == text[7];
}
