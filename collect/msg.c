/* SPDX-License-Identifier: MIT */
/*
 * msg.c - one MQTT message (topic + JSON) into the text parameters of its
 * SQL statement. Pure: no I/O, no clock. Fuzzed (tests/fuzz/fuzz_collect_msg.c).
 */
#include "collect.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZP_SITE_MAX 64   /* site names: one topic level */
#define ZP_ZONE_MAX 64
#define ZP_TEXT_MAX 256  /* status text fields */

void zp_collect_msg_free(zp_collect_msg *msg)
{
	for (int i = 0; i < ZP_COLLECT_NPARAMS; i++) {
		free(msg->value[i]);
		msg->value[i] = NULL;
	}
	msg->kind = 0;
}

/* "zebrapad/<site>/<kind>": the site (copied) and the kind, or 0. */
static int split_topic(const char *topic, char *site, size_t size)
{
	const char *s, *slash;
	size_t n;

	if (strncmp(topic, "zebrapad/", 9) != 0)
		return 0;
	s = topic + 9;
	slash = strchr(s, '/');
	if (!slash || slash == s || (size_t)(slash - s) >= size)
		return 0;
	n = (size_t)(slash - s);
	memcpy(site, s, n);
	site[n] = '\0';
	if (!strcmp(slash + 1, "counts"))
		return ZP_MSG_COUNTS;
	if (!strcmp(slash + 1, "status"))
		return ZP_MSG_STATUS;
	return 0;
}

static char *dup_text(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* Whether v is a finite JSON number in [min, max]; its value in *d. */
static bool number_in(const cJSON *v, double min, double max, double *d)
{
	if (!cJSON_IsNumber(v))
		return false;
	*d = v->valuedouble;
	return isfinite(*d) && *d >= min && *d <= max;
}

/* An integral JSON number in [min, max] as decimal text; NULL when not one. */
static char *int_text(const cJSON *v, double min, double max)
{
	char buf[32];
	double d;

	if (!number_in(v, min, max, &d) || d != floor(d))
		return NULL;
	snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)d);
	return dup_text(buf);
}

/* A JSON number in [min, max] as text that reads back to the same double; NULL when not one. */
static char *real_text(const cJSON *v, double min, double max)
{
	char buf[40];
	double d;

	if (!number_in(v, min, max, &d))
		return NULL;
	snprintf(buf, sizeof(buf), "%.17g", d);
	return dup_text(buf);
}

/* 2^53: integers a JSON double holds exactly */
#define ZP_JSON_INT_MAX 9007199254740992.0

struct field {
	const char *name;
	int col;
	bool integer;
};

static const struct field count_fields[] = {
	{ "entered", ZP_COL_ENTERED, true },
	{ "occupied_s", ZP_COL_OCCUPIED_S, false },
	{ "light_activations", ZP_COL_LIGHT_ACTIVATIONS, true },
	{ "light_on_s", ZP_COL_LIGHT_ON_S, false },
	{ "fault_s", ZP_COL_FAULT_S, false },
	{ "crossed_a_to_b", ZP_COL_CROSSED_A_TO_B, true },
	{ "crossed_b_to_a", ZP_COL_CROSSED_B_TO_A, true },
};

static bool known_count_key(const char *k)
{
	static const char *const keys[] = { "site", "interval_start", "interval_s", "zone", "schema" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	for (size_t i = 0; i < sizeof(count_fields) / sizeof(count_fields[0]); i++)
		if (!strcmp(k, count_fields[i].name))
			return true;
	return false;
}

static int parse_counts(const char *topic, const cJSON *o, zp_collect_msg *m, char *err, size_t errlen)
{
	const cJSON *v, *it;
	cJSON *extra = NULL;
	char *text;
	int64_t start, len;

	v = cJSON_GetObjectItemCaseSensitive(o, "interval_start");
	m->value[ZP_COL_INTERVAL_START] = int_text(v, 0, ZP_JSON_INT_MAX);
	if (!m->value[ZP_COL_INTERVAL_START])
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: interval_start: expected an integer >= 0 (Unix seconds)",
				 topic);
	start = (int64_t)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(o, "interval_s");
	m->value[ZP_COL_INTERVAL_S] = int_text(v, 1, 86400 * 366);
	if (!m->value[ZP_COL_INTERVAL_S])
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: interval_s: expected an integer from 1 to 31622400",
				 topic);
	len = (int64_t)v->valuedouble;
	if (start % len != 0)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "%s: interval_start: expected a multiple of interval_s (%" PRId64 "), got %" PRId64,
				 topic, len, start);
	v = cJSON_GetObjectItemCaseSensitive(o, "zone");
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= ZP_ZONE_MAX)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: zone: expected a name of 1 to %d characters", topic,
				 ZP_ZONE_MAX - 1);
	m->value[ZP_COL_ZONE] = dup_text(v->valuestring);
	for (size_t i = 0; i < sizeof(count_fields) / sizeof(count_fields[0]); i++) {
		const struct field *f = &count_fields[i];

		v = cJSON_GetObjectItemCaseSensitive(o, f->name);
		if (!v || cJSON_IsNull(v))
			continue;
		text = f->integer ? int_text(v, 0, ZP_JSON_INT_MAX) : real_text(v, 0, 1e15);
		if (!text)
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s: expected %s >= 0 or null", topic, f->name,
					 f->integer ? "an integer" : "a number");
		m->value[f->col] = text;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "schema");
	if (v && !cJSON_IsNull(v)) {
		m->value[ZP_COL_SCHEMA] = int_text(v, 1, 1000000);
		if (!m->value[ZP_COL_SCHEMA])
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: schema: expected an integer >= 1", topic);
	}
	cJSON_ArrayForEach(it, o) {
		if (!it->string || known_count_key(it->string))
			continue;
		if (!extra && !(extra = cJSON_CreateObject()))
			return ZP_ENOMEM;
		cJSON_AddItemToObject(extra, it->string, cJSON_Duplicate(it, true));
	}
	if (extra) {
		m->value[ZP_COL_EXTRA] = cJSON_PrintUnformatted(extra);
		cJSON_Delete(extra);
	}
	return 0;
}

/* A string field up to ZP_TEXT_MAX as text, else NULL. */
static char *str_field(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= ZP_TEXT_MAX)
		return NULL;
	return dup_text(v->valuestring);
}

static int parse_status(const char *topic, const cJSON *o, zp_collect_msg *m, char *err, size_t errlen)
{
	const cJSON *v;

	m->value[ZP_ST_STATE] = str_field(o, "state");
	if (!m->value[ZP_ST_STATE] || !m->value[ZP_ST_STATE][0])
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: state: expected a string (online or offline)", topic);
	m->value[ZP_ST_LIGHTS] = str_field(o, "lights");
	m->value[ZP_ST_HEALTH] = str_field(o, "health");
	v = cJSON_GetObjectItemCaseSensitive(o, "faults");
	if (cJSON_IsObject(v))
		m->value[ZP_ST_FAULTS] = cJSON_PrintUnformatted(v);
	m->value[ZP_ST_FAIL_SAFE_S] = real_text(cJSON_GetObjectItemCaseSensitive(o, "fail_safe_s"), 0, 1e15);
	m->value[ZP_ST_FRAMES] = int_text(cJSON_GetObjectItemCaseSensitive(o, "frames"), 0, ZP_JSON_INT_MAX);
	/* last_frame and time: Unix seconds (a number), or an ISO 8601 text kept as text */
	v = cJSON_GetObjectItemCaseSensitive(o, "last_frame");
	m->value[ZP_ST_LAST_FRAME] = cJSON_IsNumber(v) ? real_text(v, 0, 1e12) : str_field(o, "last_frame");
	m->value[ZP_ST_VERSION] = str_field(o, "version");
	m->value[ZP_ST_SCHEMA] = int_text(cJSON_GetObjectItemCaseSensitive(o, "schema"), 1, 1000000);
	m->value[ZP_ST_EXPORT_LAG_S] = real_text(cJSON_GetObjectItemCaseSensitive(o, "export_lag_s"), 0, 1e15);
	m->value[ZP_ST_TIME] = real_text(cJSON_GetObjectItemCaseSensitive(o, "time"), 0, 1e12);
	m->value[ZP_ST_STATUS] = cJSON_PrintUnformatted(o);
	if (!m->value[ZP_ST_STATUS])
		return ZP_ENOMEM;
	return 0;
}

int zp_collect_parse(const char *topic, const void *payload, size_t len, zp_collect_msg *msg, char *err,
		     size_t errlen)
{
	char site[ZP_SITE_MAX];
	const cJSON *v;
	cJSON *o;
	int kind, rc;

	memset(msg, 0, sizeof(*msg));
	kind = split_topic(topic, site, sizeof(site));
	if (!kind)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "%.200s: expected the topic zebrapad/<site>/counts or zebrapad/<site>/status", topic);
	o = cJSON_ParseWithLength(payload, len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected one JSON object", topic);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "site");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, site) != 0) {
		cJSON_Delete(o);
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: site: expected \"%s\", the site of the topic", topic,
				 site);
	}
	msg->kind = kind;
	msg->value[0] = dup_text(site); /* ZP_COL_SITE == ZP_ST_SITE == 0 */
	rc = kind == ZP_MSG_COUNTS ? parse_counts(topic, o, msg, err, errlen) : parse_status(topic, o, msg, err, errlen);
	cJSON_Delete(o);
	if (rc == 0 && !msg->value[0])
		rc = ZP_ENOMEM;
	if (rc)
		zp_collect_msg_free(msg);
	return rc;
}
