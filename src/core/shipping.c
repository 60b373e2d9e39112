#include "shipping.h"

void shipping_range(bool frozen, int *low_dc, int *high_dc)
{
    *low_dc = frozen ? SHIP_FROZEN_LOW_DC : SHIP_COLD_LOW_DC;
    *high_dc = frozen ? SHIP_FROZEN_HIGH_DC : SHIP_COLD_HIGH_DC;
}

bool shipping_arrival_ok(bool frozen, int temperature_dc)
{
    int low, high;
    shipping_range(frozen, &low, &high);
    return temperature_dc >= low && temperature_dc <= high;
}
