/*
 * clinic_settings (store): the clinic's whole-number settings, one row of
 * clinic_settings (name, value) each, read with a default and written with
 * their audit entry.
 *
 * clinic_setting_get: *out = the stored value when it lies in [min, max],
 * else def (never set, or out of range). clinic_setting_set: stores value
 * (inserting the row when it was never set) and appends the audit entry
 * (entity "clinic_settings", before/after {"name","value"}); the caller
 * holds the write transaction and has checked the value. Names are static
 * strings of at most 60 characters.
 */
#ifndef CC_STORE_CLINIC_SETTINGS_H
#define CC_STORE_CLINIC_SETTINGS_H

#include "store/audit.h"
#include "store/db.h"

cc_status clinic_setting_get(db *d, const char *name, int def, int min, int max, int *out,
                             cc_error *err);
cc_status clinic_setting_set(db *d, const store_actor *actor, const char *name, int def, int value,
                             cc_error *err);

#endif
