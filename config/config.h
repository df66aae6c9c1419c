/* SPDX-License-Identifier: MIT */
/*
 * config.h - the site's INI file (read with libinih) into one struct.
 *
 * Sections and who owns their keys:
 *   [detector]     detector/  zp_detector_params_set()
 *   [lights]       gpio/      zp_lights_params_set()
 *   [gpio]         gpio/      zp_gpio_params_set()
 *   [camera]       capture/   zp_camera_params_set()
 *   [store]        privacy/   zp_store_params_set()
 *   [site]         here       name, crossing_length_m, walking_speed_mps
 *   [ground]       here       point = px,py mx,my   (repeatable; image pixel <-> metres)
 *   [zone NAME]    here       polygon = x,y x,y x,y ... ; role = crossing | waiting
 * Anything else is an error. Every error is one line "FILE:LINE: what is
 * wrong, what is expected" (or "FILE: key: ..." for checks across lines).
 */
#ifndef ZP_CONFIG_H
#define ZP_CONFIG_H

#include "zp_common.h"
#include "calibration.h"
#include "detector.h"
#include "lights.h"
#include "capture.h"
#include "store.h"
#include "export.h"
#include "health.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zp_site_params {
	char name[64];
	double crossing_length_m;   /* kerb to kerb, 0 = unknown */
	double walking_speed_mps;   /* for the suggested minimum on-time (default 1.07) */
} zp_site_params;

typedef struct zp_config {
	char path[512];
	zp_site_params site;
	zp_detector_params detector;
	zp_lights_params lights;
	zp_gpio_params gpio;
	zp_camera_params camera;
	zp_store_params store;
	zp_export_params exp;       /* [export]: `zebrapad export` (export.h) */
	zp_health_params health;    /* [health]: the daemon's .prom file (health.h) */
	int nzones;
	zp_zone zones[ZP_MAX_ZONES];
	int nground;
	zp_pt ground_img[ZP_MAX_GROUND_PAIRS];  /* pixels */
	zp_pt ground_world[ZP_MAX_GROUND_PAIRS]; /* metres */
} zp_config;

/* Defaults for every section, no zones. */
void zp_config_default(zp_config *c);

/*
 * Load and check a config file. Returns 0, ZP_ENODEV (no such file: "FILE:
 * cannot open (No such file or directory)"), ZP_EACCES (no permission),
 * ZP_EIO (cannot read, e.g. a directory), ZP_ENOMEM, or ZP_EINVAL with
 * "FILE:LINE: ..." (or "FILE: ..." for checks across lines) in err, one
 * line. On error *c is left in an unspecified state. docs/config.md lists
 * the keys, defaults and rules.
 */
int zp_config_load(const char *path, zp_config *c, char *err, size_t errlen);

/* Same, from text in memory (tests, fuzzing); `name` stands for the file name in messages. */
int zp_config_load_string(const char *text, const char *name, zp_config *c, char *err, size_t errlen);

/* Once the frame size is known: every zone inside the frame. 0 or ZP_EINVAL "FILE: zone NAME: ...". */
int zp_config_check_frame(const zp_config *c, int width, int height, char *err, size_t errlen);

/*
 * The site's ground plane: cfg's [ground] point pairs fitted into the image
 * -> ground homography (zp_homography_fit), for every command that builds a
 * detector. Returns 0 with H->valid false when the config has no [ground];
 * 0 with H valid; or ZP_EINVAL with "FILE: [ground]: ..." (one line) in err.
 * rep may be NULL.
 */
int zp_config_ground(const zp_config *cfg, zp_homography *H, zp_homography_report *rep, char *err, size_t errlen);

/* One key to set in a section of an INI file, and the comment line written above it. */
typedef struct zp_ini_edit {
	const char *key;
	const char *value;
	const char *note; /* written as "; NOTE" above the key, "; NOTE, was OLD" where it replaces a line */
} zp_ini_edit;

/*
 * Copy the INI text `in` to `out` line for line with the keys of `edits`
 * set in [section]: a line of that section setting one of them is replaced
 * (its old value kept in the comment); keys the section does not set are
 * added at its end, before the blank and comment lines that close it (they
 * belong to what follows); with no such section, one is added at the end.
 * Only the first [section] is edited (the loader refuses a key set twice).
 * Every other line is copied byte for byte. 0, or ZP_EIO / ZP_ENOMEM with the reason in err.
 */
int zp_ini_rewrite(FILE *in, FILE *out, const char *section, const zp_ini_edit *edits, int n, char *err,
		   size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
