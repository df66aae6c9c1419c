/* SPDX-License-Identifier: MIT */
/*
 * params.c - the [store] config keys: defaults and one setter per key (the
 * key is the field name).
 */
#include "store.h"

#include <string.h>

void zp_store_params_default(zp_store_params *p)
{
	memset(p, 0, sizeof(*p));
	p->path[0] = '\0';
	p->interval_s = 60;
	p->retention_days = 365;
}

int zp_store_params_set(zp_store_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "path")) {
		if (strlen(value) >= sizeof(p->path))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a file path of at most %zu characters",
					 sizeof(p->path) - 1);
		if (value[0] && zp_store_check_path(value, false, err, errlen))
			return ZP_EINVAL;
		zp_strlcpy(p->path, value, sizeof(p->path));
		return ZP_OK;
	}
	if (!strcmp(key, "interval_s"))
		return zp_parse_int(value, 1, 3600, &p->interval_s, err, errlen);
	if (!strcmp(key, "retention_days"))
		return zp_parse_int(value, 1, 3650, &p->retention_days, err, errlen);
	return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
}
