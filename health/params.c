/* SPDX-License-Identifier: MIT */
/* params.c - the [health] config keys (health.h). No dependency but zp_common: the config reader links it. */
#include "health.h"

#include <string.h>

static int prom_check(const char *value, char *err, size_t errlen)
{
	size_t n = strlen(value);

	if (n && (value[0] != '/' || value[n - 1] == '/' || n < 6 || strcmp(value + n - 5, ".prom") ||
		  strrchr(value, '/') == value))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute path ending in .prom in a directory other "
				 "than / (like /var/lib/zebrapad/zebrapad.prom), got '%s'", value);
	if (strstr(value, "/../") || strstr(value, "/./"))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected a path without '.' or '..' parts, got '%s'", value);
	return ZP_OK;
}

static const zp_field fields[] = {
	ZP_TEXT_FIELD(zp_health_params, prom_file, false, prom_check, ""),
	ZP_INT_FIELD(zp_health_params, period_s, 1, 3600, 10),
};

void zp_health_params_default(zp_health_params *p)
{
	zp_fields_default(fields, ZP_FIELDS_N(fields), p, sizeof(*p));
}

int zp_health_params_set(zp_health_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	return zp_fields_set(fields, ZP_FIELDS_N(fields), p, key, value, err, errlen);
}
