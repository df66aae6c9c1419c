/* SPDX-License-Identifier: MIT */
/*
 * message.c - what is sent: the status message and its will, the daemon's
 * health read back from its .prom file, and a fingerprint to tell a changed
 * row. Every message is built with zp_json, so it is valid UTF-8. The count rows
 * are built in source.c, from the store's own columns.
 */
#include "export.h"

#include "health.h"

#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEALTH_FILE_MAX 65536

uint64_t zp_export_fingerprint(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

struct hread {
	zp_export_health *h;
	double written;
	bool have_written;
};

static void health_sample(void *ctx, const zp_prom_sample *s)
{
	struct hread *r = ctx;
	zp_export_health *h = r->h;
	char v[64];

	if (!strcmp(s->name, "zebrapad_lights_state") && s->value == 1 && zp_prom_label(s, "state", v, sizeof(v)))
		zp_strlcpy(h->lights, v, sizeof(h->lights));
	else if (!strcmp(s->name, "zebrapad_detector_health") && s->value == 1 &&
		 zp_prom_label(s, "health", v, sizeof(v)))
		zp_strlcpy(h->health, v, sizeof(h->health));
	else if (!strcmp(s->name, "zebrapad_faults_total") && zp_prom_label(s, "kind", v, sizeof(v)) &&
		 h->nfaults < (int)(sizeof(h->fault_kind) / sizeof(h->fault_kind[0]))) {
		zp_strlcpy(h->fault_kind[h->nfaults], v, sizeof(h->fault_kind[0]));
		h->fault_count[h->nfaults++] = s->value > 0 ? (uint64_t)s->value : 0;
	} else if (!strcmp(s->name, "zebrapad_failsafe_seconds"))
		h->failsafe_s = s->value;
	else if (!strcmp(s->name, "zebrapad_frames_total"))
		h->frames = s->value > 0 ? (uint64_t)s->value : 0;
	else if (!strcmp(s->name, "zebrapad_last_frame_timestamp_seconds"))
		h->last_frame_s = (int64_t)s->value;
	else if (!strcmp(s->name, "zebrapad_info") && zp_prom_label(s, "version", v, sizeof(v)))
		zp_strlcpy(h->version, v, sizeof(h->version));
	else if (!strcmp(s->name, "zebrapad_health_timestamp_seconds")) {
		r->written = s->value;
		r->have_written = true;
	}
}

static void health_unknown(zp_export_health *h, const char *why)
{
	memset(h, 0, sizeof(*h));
	zp_strlcpy(h->lights, "unknown", sizeof(h->lights));
	zp_strlcpy(h->health, why, sizeof(h->health));
}

int zp_export_health_read(const char *path, int64_t now_s, int stale_s, zp_export_health *h, char *err,
			  size_t errlen)
{
	struct hread r = { h, 0, false };
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	health_unknown(h, "unknown");
	if (!path || !path[0])
		return zp_seterr(err, errlen, ZP_ENODEV, "no health file configured ([health] prom_file)");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return zp_seterr(err, errlen, ZP_ENODEV, "%s: %s", path, strerror(errno));
	text = malloc(HEALTH_FILE_MAX);
	if (!text) {
		close(fd);
		return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
	}
	while (got < HEALTH_FILE_MAX && (n = read(fd, text + got, HEALTH_FILE_MAX - got)) > 0)
		got += (size_t)n;
	close(fd);
	zp_strlcpy(h->lights, "", sizeof(h->lights));
	zp_strlcpy(h->health, "", sizeof(h->health));
	rc = zp_prom_parse(text, got, health_sample, &r, err, errlen);
	free(text);
	if (rc < 0) {
		health_unknown(h, "unknown");
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s", path, err ? err : "malformed");
	}
	if (!h->lights[0])
		zp_strlcpy(h->lights, "unknown", sizeof(h->lights));
	if (!h->health[0])
		zp_strlcpy(h->health, "none", sizeof(h->health));
	h->written_s = (int64_t)r.written;
	if (!r.have_written || now_s - h->written_s > stale_s) {
		/* the daemon stopped writing it: what it says is old */
		zp_strlcpy(h->lights, "unknown", sizeof(h->lights));
		zp_strlcpy(h->health, "stale", sizeof(h->health));
		h->known = false;
		return 0;
	}
	h->known = true;
	return 0;
}

char *zp_export_status_json(const char *site, bool online, const zp_export_health *h, int schema,
			    const char *version, double export_lag_s, int64_t now_s)
{
	cJSON *o = cJSON_CreateObject(), *f;
	char *text = NULL;

	if (!o)
		return NULL;
	zp_json_add_str(o, "site", site);
	zp_json_add_str(o, "state", online ? "online" : "offline");
	if (online) {
		zp_json_add_str(o, "lights", h && h->known ? h->lights : "unknown");
		zp_json_add_str(o, "health", h ? h->health : "unknown");
		f = zp_json_add_object(o, "faults");
		for (int i = 0; f && h && h->known && i < h->nfaults; i++)
			zp_json_add_int(f, h->fault_kind[i], (int64_t)h->fault_count[i]);
		if (h && h->known) {
			cJSON_AddNumberToObject(o, "fail_safe_s", h->failsafe_s);
			cJSON_AddNumberToObject(o, "frames", (double)h->frames);
			if (h->last_frame_s > 0)
				cJSON_AddNumberToObject(o, "last_frame", (double)h->last_frame_s);
			else
				cJSON_AddNullToObject(o, "last_frame");
		} else {
			cJSON_AddNullToObject(o, "fail_safe_s");
			cJSON_AddNullToObject(o, "frames");
			cJSON_AddNullToObject(o, "last_frame");
		}
		zp_json_add_str(o, "version", version ? version : "");
		cJSON_AddNumberToObject(o, "schema", schema);
		cJSON_AddNumberToObject(o, "export_lag_s", export_lag_s);
		cJSON_AddNumberToObject(o, "time", (double)now_s);
	}
	text = cJSON_PrintUnformatted(o);   /* valid UTF-8: every string went through zp_json */
	cJSON_Delete(o);
	return text;
}
