/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c - libFuzzer target for the site config parser
 * (zp_config_load_string), built with -DZP_FUZZ=ON and clang.
 *
 * Besides memory errors (ASan/UBSan), it checks what a caller relies on:
 * the return code is 0 or ZP_EINVAL, an error is one line naming the file,
 * and a config that loads holds only valid zones and values.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, const char *err)
{
	if (!ok) {
		fprintf(stderr, "fuzz_config: invariant broken: %s (err: '%s')\n", what, err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	zp_config *c = malloc(sizeof(*c));
	char err[512], msg[256];
	int rc;

	if (!text || !c)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	rc = zp_config_load_string(text, "fuzz.ini", c, err, sizeof(err));
	check(rc == ZP_OK || rc == ZP_EINVAL, "return code", err);
	if (rc) {
		check(!strncmp(err, "fuzz.ini:", 9) || !strncmp(err, "fuzz.ini: ", 10), "message names the file", err);
		check(!strchr(err, '\n') && !strchr(err, '\r'), "message is one line", err);
		check(strlen(err) > 10, "message says something", err);
	} else {
		check(c->nzones >= 0 && c->nzones <= ZP_MAX_ZONES, "zone count", err);
		for (int i = 0; i < c->nzones; i++) {
			const zp_zone *z = &c->zones[i];

			check(z->name[0] != '\0' && strlen(z->name) < ZP_NAME_MAX, "zone name", err);
			check(z->role == ZP_ROLE_CROSSING || z->role == ZP_ROLE_WAITING, "zone role", err);
			check(z->poly.n >= 3 && z->poly.n <= ZP_MAX_POLY, "polygon size", err);
			check(!zp_polygon_self_intersects(&z->poly), "simple polygon", err);
			for (int j = 0; j < i; j++)
				check(strcmp(z->name, c->zones[j].name) != 0, "unique zone names", err);
			(void)zp_polygon_contains(&z->poly, z->poly.p[0].x, z->poly.p[0].y);
		}
		check(c->nground == 0 || (c->nground >= 4 && c->nground <= ZP_MAX_GROUND_PAIRS), "ground count", err);
		check(zp_detector_params_check(&c->detector, msg, sizeof(msg)) == ZP_OK, "detector params", msg);
		check(zp_lights_params_check(&c->lights, msg, sizeof(msg)) == ZP_OK, "lights params", msg);
		check(c->camera.ncontrols >= 0 && c->camera.ncontrols <= ZP_MAX_CONTROLS, "camera controls", err);
		rc = zp_config_check_frame(c, 640, 480, err, sizeof(err));
		check(rc == ZP_OK || (rc == ZP_EINVAL && !strncmp(err, "fuzz.ini: zone ", 15)), "check_frame", err);
	}
	free(c);
	free(text);
	return 0;
}
