/* SPDX-License-Identifier: MIT */
/* params.c - the [health] config keys (health.h). No dependency but zp_common: the config reader links it. */
#include "health.h"

#include <string.h>

void zp_health_params_default(zp_health_params *p)
{
	memset(p, 0, sizeof(*p));
	p->period_s = 10;
}

int zp_health_params_set(zp_health_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "prom_file")) {
		size_t n = strlen(value);

		if (n >= sizeof(p->prom_file))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a file path of at most %zu characters",
					 sizeof(p->prom_file) - 1);
		if (n && (value[0] != '/' || value[n - 1] == '/' || n < 6 || strcmp(value + n - 5, ".prom") ||
			  strrchr(value, '/') == value))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute path ending in .prom in a directory "
					 "other than / (like /var/lib/zebrapad/zebrapad.prom), got '%s'", value);
		if (strstr(value, "/../") || strstr(value, "/./"))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a path without '.' or '..' parts, got '%s'",
					 value);
		zp_strlcpy(p->prom_file, value, sizeof(p->prom_file));
		return ZP_OK;
	}
	if (!strcmp(key, "period_s"))
		return zp_parse_int(value, 1, 3600, &p->period_s, err, errlen);
	return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
}
