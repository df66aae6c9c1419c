/* SPDX-License-Identifier: MIT */
#include "json.h"
#include "zp_common.h"

#include <math.h>
#include <stdlib.h>

cJSON *zp_json_str(const char *s)
{
	char *t;
	cJSON *v;

	if (!s)
		return cJSON_CreateNull();
	t = zp_utf8_dup(s);
	v = t ? cJSON_CreateString(t) : NULL;
	free(t);
	return v;
}

cJSON *zp_json_num(double v, int decimals)
{
	if (!isfinite(v))
		return cJSON_CreateNull();
	if (decimals >= 0 && decimals <= 15) {
		double scale = pow(10.0, decimals);
		double r = round(v * scale) / scale;

		if (isfinite(r))
			v = r;
	}
	return cJSON_CreateNumber(v);
}

cJSON *zp_json_add(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		item = cJSON_CreateNull();
	if (!obj || !item) {
		cJSON_Delete(item);
		return NULL;
	}
	if (key) {
		/* keys too: a column or fault kind may come from a file */
		char *k = zp_utf8_dup(key);
		bool ok = k && cJSON_AddItemToObject(obj, k, item);

		free(k);
		if (!ok) {
			cJSON_Delete(item);
			return NULL;
		}
	} else if (!cJSON_AddItemToArray(obj, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

cJSON *zp_json_add_str(cJSON *obj, const char *key, const char *s)
{
	cJSON *v = zp_json_str(s);

	return v ? zp_json_add(obj, key, v) : NULL;
}

cJSON *zp_json_add_num(cJSON *obj, const char *key, double v, int decimals)
{
	cJSON *n = zp_json_num(v, decimals);

	return n ? zp_json_add(obj, key, n) : NULL;
}

cJSON *zp_json_add_int(cJSON *obj, const char *key, int64_t v)
{
	cJSON *n = cJSON_CreateNumber((double)v);

	return n ? zp_json_add(obj, key, n) : NULL;
}

cJSON *zp_json_add_bool(cJSON *obj, const char *key, bool v)
{
	cJSON *b = cJSON_CreateBool(v);

	return b ? zp_json_add(obj, key, b) : NULL;
}

cJSON *zp_json_add_null(cJSON *obj, const char *key)
{
	cJSON *n = cJSON_CreateNull();

	return n ? zp_json_add(obj, key, n) : NULL;
}

cJSON *zp_json_add_object(cJSON *obj, const char *key)
{
	cJSON *o = cJSON_CreateObject();

	return o ? zp_json_add(obj, key, o) : NULL;
}

cJSON *zp_json_add_array(cJSON *obj, const char *key)
{
	cJSON *a = cJSON_CreateArray();

	return a ? zp_json_add(obj, key, a) : NULL;
}

int zp_json_write(FILE *out, const cJSON *v, bool pretty)
{
	char *t;
	int rc;

	if (!v)
		return ZP_ENOMEM;
	t = pretty ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
	if (!t)
		return ZP_ENOMEM;
	rc = fputs(t, out) < 0 || fputc('\n', out) == EOF ? ZP_EIO : 0;
	free(t);
	return rc;
}
