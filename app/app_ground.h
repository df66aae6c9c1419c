/* SPDX-License-Identifier: MIT */
/*
 * app_ground.h - the site's ground plane from its config: the [ground]
 * point pairs fitted into the image -> ground homography, for the commands
 * that build a detector (replay, eval, tune, calibrate).
 */
#ifndef ZP_APP_GROUND_H
#define ZP_APP_GROUND_H

#include "config.h"

/*
 * Fit the homography of cfg's [ground] pairs (zp_homography_fit). Returns 0
 * with H->valid false when the config has no [ground]; 0 with H valid; or
 * ZP_EINVAL with "FILE: [ground]: ..." (one line) in err. rep may be NULL.
 */
int zp_app_ground(const zp_config *cfg, zp_homography *H, zp_homography_report *rep, char *err, size_t errlen);

#endif
