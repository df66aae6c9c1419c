/* SPDX-License-Identifier: MIT */
/*
 * chain.c - the crossing's step (chain.h): detector -> light controller ->
 * interval sampler, the one copy of it.
 */
#include "chain.h"

#include <string.h>

int zp_chain_init(zp_chain *c, const zp_config *cfg, const zp_homography *ground, int interval_s, zp_sampler_sink sink,
		  void *sink_ctx, char *err, size_t errlen)
{
	const char *names[ZP_MAX_ZONES];
	bool sides[ZP_MAX_ZONES];

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	if (ground && ground->valid)
		c->ground = *ground;
	for (int z = 0; z < cfg->nzones && z < ZP_MAX_ZONES; z++) {
		names[z] = cfg->zones[z].name;
		sides[z] = zp_zone_has_sides(cfg->zones, cfg->nzones, z);
	}
	return zp_sampler_init(&c->sampler, interval_s, names, sides, cfg->nzones, sink, sink_ctx, err, errlen);
}

void zp_chain_start(zp_chain *c, int64_t now_ms)
{
	zp_lights_init(&c->lights, &c->cfg->lights, now_ms);
	c->last_tick = now_ms;
	zp_sampler_begin(&c->sampler, now_ms, &c->lights);
}

int zp_chain_size(zp_chain *c, int width, int height, bool *started_over, char *err, size_t errlen)
{
	bool over = c->det != NULL;

	if (started_over)
		*started_over = false;
	if (c->det && width == c->det_w && height == c->det_h)
		return 0;
	if (!c->det && width == c->bad_w && height == c->bad_h) {
		if (errlen)
			err[0] = '\0';
		return ZP_EINVAL;
	}
	zp_detector_free(c->det);
	c->det = NULL;
	/* what the old detector saw is gone with it */
	zp_sampler_forget(&c->sampler);
	if (zp_config_check_frame(c->cfg, width, height, err, errlen) == 0)
		c->det = zp_detector_new(&c->cfg->detector, c->cfg->zones, c->cfg->nzones, width, height,
					 c->ground.valid ? &c->ground : NULL, err, errlen);
	if (!c->det) {
		c->bad_w = width;
		c->bad_h = height;
		return ZP_EINVAL;
	}
	c->det_w = width;
	c->det_h = height;
	c->bad_w = c->bad_h = 0;
	if (started_over)
		*started_over = over;
	return 1;
}

void zp_chain_count(zp_chain *c, const zp_chain_in *in, const zp_result *res, zp_chain_out *out)
{
	zp_sampler_in si;

	memset(&out->note, 0, sizeof(out->note));
	out->sampler_rc = 0;
	if (!in->count)
		return;
	memset(&si, 0, sizeof(si));
	si.now_ms = in->now_ms;
	si.wall_ms = in->wall_ms;
	si.res = res;
	si.lights = &c->lights;
	si.drop = in->drop;
	out->sampler_rc = zp_sampler_step(&c->sampler, &si, &out->note);
}

void zp_chain_idle(zp_chain *c, const zp_chain_in *in, zp_chain_out *out)
{
	zp_lights_tick(&c->lights, in->now_ms);
	c->last_tick = in->now_ms;
	zp_chain_count(c, in, NULL, out);
}

int zp_chain_frame(zp_chain *c, const zp_frame *f, const zp_chain_in *in, zp_result *res, zp_chain_out *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = zp_chain_size(c, f->width, f->height, &out->started_over, out->err, sizeof(out->err));
	if (rc < 0)
		goto no_frame;
	out->new_detector = rc == 1;
	rc = in->fgmask ? zp_detector_process_mask(c->det, f, in->fgmask, in->fgstride, res)
			: zp_detector_process(c->det, f, res);
	if (rc) {
		zp_seterr(out->err, sizeof(out->err), rc, "detector: frame %llu: %s", (unsigned long long)f->seq,
			  zp_strerror(rc));
		goto no_frame;
	}
	zp_lights_frame(&c->lights, in->t_frame_ms, zp_result_occupied(res) || in->presence,
			res->health == ZP_HEALTH_OK, res->model_ready);
	/* the controller hears from the loop at least every stall_ms/4: a frame is an update, and a tick
	   follows whenever the last one is that old (a tick at a frame's time changes nothing, and is cheap) */
	if (in->now_ms - c->last_tick >= c->cfg->lights.stall_ms / 4) {
		zp_lights_tick(&c->lights, in->now_ms);
		c->last_tick = in->now_ms;
	}
	zp_chain_count(c, in, res, out);
	return 0;

no_frame:
	/* a frame that cannot be processed is as good as none: the stall timer keeps running */
	out->rc = rc;
	zp_chain_idle(c, in, out);
	return rc;
}

int zp_chain_flush(zp_chain *c)
{
	return zp_sampler_flush(&c->sampler);
}

void zp_chain_free(zp_chain *c)
{
	zp_detector_free(c->det);
	c->det = NULL;
}
