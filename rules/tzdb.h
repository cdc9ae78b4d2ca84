/*
 * tzdb.h: is a time zone name one the system's tz database knows? Rule
 * files name the zone of their digest schedule ("Europe/Paris"); the name
 * comes from a stranger and becomes a file name under the zoneinfo
 * directory, so its shape is checked first: no way up (".."), no absolute
 * path, nothing but the bytes tz names are made of.
 */
#ifndef PATCHLETTER_TZDB_H
#define PATCHLETTER_TZDB_H

#include <stdbool.h>

#define TZDB_DEFAULT_DIR "/usr/share/zoneinfo"

/*
 * The shape of a tz database name (tzfile(5), "Theory" in the tz
 * distribution): components of ASCII letters, digits, '.', '_', '-' and
 * '+' joined by single '/', none starting with '.', no leading or trailing
 * '/', at most TZDB_MAX_NAME bytes (bounds.h). No file is looked at.
 */
bool tzdb_name_ok(const char *name);

/*
 * tzdb_name_ok(name), and name is a TZif file (RFC 8536) under dir (a
 * const char *; NULL: TZDB_DEFAULT_DIR). The signature fits
 * rulefile_options.tz_exists.
 */
bool tzdb_has(const char *name, void *dir);

#endif
