/* SPDX-License-Identifier: MIT */
/*
 * json.h - the one way zebrapad writes JSON: cJSON (Debian libcjson)
 * with the house rules on top. Every string goes through zp_utf8_dup (bytes
 * that are not UTF-8 become U+FFFD), so the text is always valid UTF-8 JSON;
 * a number that is not finite is null (JSON has no NaN); a rate is rounded
 * to the decimals it means. For reports and messages, never the frame path:
 * every call allocates.
 *
 * A builder that runs out of memory leaves the item out; zp_json_write says
 * so (ZP_ENOMEM) when the document could not be printed at all.
 */
#ifndef ZP_JSON_H
#define ZP_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A string (valid UTF-8 whatever s holds); NULL s is null. NULL when out of memory. */
cJSON *zp_json_str(const char *s);
/*
 * A number rounded to `decimals` places (decimals < 0: as it is); null when
 * v is NaN or infinite. NULL when out of memory.
 */
cJSON *zp_json_num(double v, int decimals);

/* The same added to obj under key (an object) or appended (an array, key NULL); returns the item. */
cJSON *zp_json_add_str(cJSON *obj, const char *key, const char *s);
cJSON *zp_json_add_num(cJSON *obj, const char *key, double v, int decimals);
/* An integer (exact up to 2^53, which counts, sizes and Unix times stay below). */
cJSON *zp_json_add_int(cJSON *obj, const char *key, int64_t v);
cJSON *zp_json_add_bool(cJSON *obj, const char *key, bool v);
cJSON *zp_json_add_null(cJSON *obj, const char *key);
/* An object or array added to obj (key NULL: appended to an array). */
cJSON *zp_json_add_object(cJSON *obj, const char *key);
cJSON *zp_json_add_array(cJSON *obj, const char *key);
/*
 * item (owned from now on by obj, freed on failure) added under key (made valid UTF-8 too), or
 * appended when key is NULL; item NULL: null.
 */
cJSON *zp_json_add(cJSON *obj, const char *key, cJSON *item);

/*
 * v as text on out and a newline: indented (pretty) or on one line (one
 * record per line). Returns 0, ZP_ENOMEM (nothing written) or ZP_EIO.
 */
int zp_json_write(FILE *out, const cJSON *v, bool pretty);

#ifdef __cplusplus
}
#endif
#endif
