/*
 * shipping: the temperature a unit must arrive at when it is shipped from one
 * site to another.
 *
 * A cryopreserved unit (frozen and not thawed) travels in a liquid nitrogen
 * dry shipper and must arrive at or below -150.0 C (the glass transition of
 * the cryoprotected product; the shipper's vapour phase is about -190 C);
 * any other unit travels refrigerated, 2.0 to 8.0 C. Temperatures are tenths
 * of a degree Celsius. Pure, no allocation, thread-safe.
 */
#ifndef CC_SHIPPING_H
#define CC_SHIPPING_H

#include <stdbool.h>

enum {
    SHIP_FROZEN_LOW_DC = -1960,
    SHIP_FROZEN_HIGH_DC = -1500,
    SHIP_COLD_LOW_DC = 20,
    SHIP_COLD_HIGH_DC = 80,
    SHIP_TEMPERATURE_MIN_DC = -2730, /* below absolute zero: not a measurement */
    SHIP_TEMPERATURE_MAX_DC = 1000,
};

/* The range [*low, *high] a unit must arrive in. */
void shipping_range(bool frozen, int *low_dc, int *high_dc);
/* Whether the temperature on arrival is inside the unit's range. */
bool shipping_arrival_ok(bool frozen, int temperature_dc);

#endif
