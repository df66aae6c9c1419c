/* SPDX-License-Identifier: MIT */
/* ground.c - [ground] point pairs -> homography, with the config's name in messages (config.h). */
#include "config.h"

#include <string.h>

int zp_config_ground(const zp_config *cfg, zp_homography *H, zp_homography_report *rep, char *err, size_t errlen)
{
	char msg[400];
	int rc;

	memset(H, 0, sizeof(*H));
	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (cfg->nground == 0)
		return 0;
	rc = zp_homography_fit(cfg->ground_img, cfg->ground_world, cfg->nground, H, rep, msg, sizeof(msg));
	if (rc)
		return zp_seterr(err, errlen, rc, "%s: [ground]: %s", cfg->path[0] ? cfg->path : "config", msg);
	return 0;
}
