/* SPDX-License-Identifier: MIT */
/*
 * cursor.c - how far the broker acknowledged the store's change sequence,
 * kept in a small JSON file that is replaced atomically and durably:
 *
 *   {"format":"zebrapad-export-cursor","version":2,"site":"...","seq":N}
 *
 * Version 1, written before the change sequence, held the key of the last
 * row: {"format":...,"version":1,"site":"...","interval_start":N,
 * "zone":"...","interval_s":N}. It is still read (by_key); the exporter
 * turns it into a seq with the store and saves version 2.
 *
 * Only the exporter writes it; nothing else in its sandbox can be written
 * but this file and the .prom file.
 */
#include "export.h"

#include "health.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CURSOR_MAX 4096
#define CURSOR_FORMAT "zebrapad-export-cursor"

int zp_export_cursor_load(const char *path, const char *site, zp_export_cursor *c, char *err, size_t errlen)
{
	char text[CURSOR_MAX + 1];
	size_t got = 0;
	ssize_t n;
	cJSON *o, *f, *v, *st, *z, *is, *s, *sq;
	int fd, rc = 0;
	bool v1, v2;

	memset(c, 0, sizeof(*c));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: cannot read the cursor: %s", path,
				 strerror(errno));
	}
	while (got < CURSOR_MAX && (n = read(fd, text + got, CURSOR_MAX - got)) > 0)
		got += (size_t)n;
	close(fd);
	text[got] = '\0';
	o = cJSON_ParseWithLength(text, got);
	f = cJSON_GetObjectItemCaseSensitive(o, "format");
	v = cJSON_GetObjectItemCaseSensitive(o, "version");
	s = cJSON_GetObjectItemCaseSensitive(o, "site");
	st = cJSON_GetObjectItemCaseSensitive(o, "interval_start");
	z = cJSON_GetObjectItemCaseSensitive(o, "zone");
	is = cJSON_GetObjectItemCaseSensitive(o, "interval_s");
	sq = cJSON_GetObjectItemCaseSensitive(o, "seq");
	v1 = cJSON_IsNumber(v) && v->valuedouble == 1 && cJSON_IsNumber(st) && cJSON_IsString(z) &&
	     cJSON_IsNumber(is) && strlen(z->valuestring) < sizeof(c->key.zone) && st->valuedouble >= 0 &&
	     is->valuedouble >= 1;
	v2 = cJSON_IsNumber(v) && v->valuedouble == 2 && cJSON_IsNumber(sq) && sq->valuedouble >= 0 &&
	     sq->valuedouble <= 9007199254740992.0;
	if (!cJSON_IsObject(o) || !cJSON_IsString(f) || strcmp(f->valuestring, CURSOR_FORMAT) || !cJSON_IsString(s) ||
	    (!v1 && !v2)) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: not a zebrapad export cursor (expected {\"format\": \"%s\", "
			       "\"version\": 2, \"site\": ..., \"seq\": N}); remove it to export every row again", path,
			       CURSOR_FORMAT);
	} else if (strcmp(s->valuestring, site)) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: the cursor of site '%s', not of '%s'; remove it to export "
			       "every row again as '%s'", path, s->valuestring, site, site);
	} else {
		c->set = true;
		if (v2) {
			c->seq = (int64_t)sq->valuedouble;
		} else {
			c->by_key = true;
			c->key.interval_start = (int64_t)st->valuedouble;
			c->key.interval_s = (int64_t)is->valuedouble;
			zp_strlcpy(c->key.zone, z->valuestring, sizeof(c->key.zone));
		}
		zp_strlcpy(c->site, site, sizeof(c->site));
	}
	cJSON_Delete(o);
	return rc;
}

int zp_export_cursor_save(const char *path, const zp_export_cursor *c, char *err, size_t errlen)
{
	cJSON *o = cJSON_CreateObject();
	char *text;
	int rc;

	if (!o)
		return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
	cJSON_AddStringToObject(o, "format", CURSOR_FORMAT);
	if (c->by_key) {
		cJSON_Delete(o);
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: a cursor by key is read, not written", path);
	}
	cJSON_AddNumberToObject(o, "version", 2);
	cJSON_AddStringToObject(o, "site", c->site);
	cJSON_AddNumberToObject(o, "seq", (double)c->seq);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
	rc = zp_file_write_atomic(path, text, strlen(text), 0640, true, err, errlen);
	cJSON_free(text);
	return rc;
}
