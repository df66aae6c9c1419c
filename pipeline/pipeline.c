/* SPDX-License-Identifier: MIT */
#include "pipeline.h"
#include "zp_common.h"

#include "cvwrap.h"

#include <stdlib.h>
#include <string.h>

int zp_pipeline_open(zp_pipeline *pl, const char *prog, const char *config_path, const char *source,
		     double fps_override, zp_simd simd)
{
	char err[512];
	zp_config *cfg;
	int rc;

	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return ZP_EXIT_FAIL;
	if (zp_config_load(config_path, cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(cfg);
		memset(pl, 0, sizeof(*pl));
		return ZP_EXIT_USAGE;
	}
	cfg->detector.simd = simd;
	rc = zp_pipeline_open_cfg(pl, prog, cfg, source, fps_override);
	free(cfg);
	return rc;
}

/* A row the store would get, into the run's totals. */
static void add_row(void *ctx, const zp_store_row *row)
{
	zp_pipeline *pl = ctx;

	for (int z = 0; z < pl->cfg.nzones; z++) {
		if (strcmp(row->zone, pl->cfg.zones[z].name))
			continue;
		pl->entered[z] += (uint64_t)row->entered;
		pl->occupied_s[z] += row->occupied_s;
		if (row->crossed_a_to_b >= 0) {
			pl->crossed[z][0] += (uint64_t)row->crossed_a_to_b;
			pl->crossed[z][1] += (uint64_t)row->crossed_b_to_a;
		}
	}
}

int zp_pipeline_open_cfg(zp_pipeline *pl, const char *prog, const zp_config *cfg, const char *source,
			 double fps_override)
{
	zp_homography ground;
	char err[512];
	int code = 0;

	memset(pl, 0, sizeof(*pl));
	pl->cfg = *cfg;
	pl->src = zp_source_open_file(source, fps_override, &code, err, sizeof(err));
	if (!pl->src) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return ZP_EXIT_USAGE;
	}
	zp_source_size(pl->src, &pl->width, &pl->height);
	if (zp_config_check_frame(&pl->cfg, pl->width, pl->height, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto fail;
	}
	/* [ground]: blob sizes in metres and speeds in m/s (a degenerate set of pairs is bad input) */
	if (zp_config_ground(&pl->cfg, &ground, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto fail;
	}
	if (zp_chain_init(&pl->chain, &pl->cfg, &ground, pl->cfg.store.interval_s, add_row, pl, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, pl->cfg.path, err);
		goto fail;
	}
	/* the detector now, so that a config it refuses is bad input before any frame */
	if (zp_chain_size(&pl->chain, pl->width, pl->height, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, pl->cfg.path, err);
		goto fail;
	}
	pl->line = zp_line_sim_new("lights");
	if (!pl->line) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto fail;
	}
	pl->first_t_ms = -1;
	return ZP_EXIT_OK;
fail:
	zp_pipeline_close(pl);
	return ZP_EXIT_USAGE;
}

int zp_pipeline_step_mask(zp_pipeline *pl, const zp_frame *f, const uint8_t *fgmask, zp_result *r,
			  zp_light_state *state)
{
	zp_chain_in in;
	zp_chain_out out;
	int rc;

	if (pl->first_t_ms < 0) {
		pl->first_t_ms = f->t_ms;
		pl->last_t_ms = f->t_ms;
		zp_chain_start(&pl->chain, f->t_ms);
	}
	/* the rows the store would get, with the recording's clock as the wall clock (only their sums are used) */
	memset(&in, 0, sizeof(in));
	in.now_ms = in.t_frame_ms = in.wall_ms = f->t_ms;
	in.fgmask = fgmask;
	in.fgstride = f->width;
	in.count = true;
	rc = zp_chain_frame(&pl->chain, f, &in, r, &out);
	*state = pl->chain.lights.state;
	if (rc)
		return rc;
	if ((unsigned)r->health <= ZP_HEALTH_FOREGROUND)
		pl->health_frames[r->health]++;
	rc = zp_line_set(pl->line, zp_lights_level(&pl->chain.lights, f->t_ms), f->t_ms);
	pl->last_t_ms = f->t_ms;
	pl->frames++;
	return rc;
}

/* Colours as 0xRRGGBB. */
enum {
	COL_WAITING = 0x00c8ff,
	COL_CROSSING = 0xffd000,
	COL_OCCUPIED = 0xff3030,
	COL_TRACK = 0x30ff30,
	COL_TENTATIVE = 0x808080,
	COL_TEXT = 0xffffff,
};

void zp_pipeline_draw_overlay(const zp_pipeline *pl, const zp_frame *f, const zp_result *r, zp_light_state st,
			      uint8_t *canvas)
{
	const int w = f->width, h = f->height, stride = w * 3;
	char text[128];

	for (int y = 0; y < h; y++) {
		uint8_t *d = canvas + (size_t)y * stride;

		if (f->bgr) {
			memcpy(d, f->bgr + (size_t)y * f->bgr_stride, (size_t)w * 3);
		} else {
			const uint8_t *s = f->luma + (size_t)y * f->stride;

			for (int x = 0; x < w; x++)
				d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = s[x];
		}
	}
	for (int z = 0; z < pl->cfg.nzones; z++) {
		const zp_zone *zn = &pl->cfg.zones[z];
		double xy[2 * ZP_MAX_POLY];
		uint32_t col = r->zone_count[z] > 0 ? COL_OCCUPIED
			       : zn->role == ZP_ROLE_WAITING ? COL_WAITING : COL_CROSSING;

		/* on the ground it was drawn on: moved with the camera's sway, as the tracks are */
		for (int i = 0; i < zn->poly.n; i++) {
			xy[2 * i] = zn->poly.p[i].x + r->sway_x;
			xy[2 * i + 1] = zn->poly.p[i].y + r->sway_y;
		}
		zp_cv_draw_polygon(canvas, w, h, stride, xy, zn->poly.n, col, r->zone_count[z] > 0 ? 3 : 2);
		snprintf(text, sizeof(text), "%s: %d", zn->name, r->zone_count[z]);
		zp_cv_draw_text(canvas, w, h, stride, (int)zn->poly.p[0].x + r->sway_x + 4,
				(int)zn->poly.p[0].y + r->sway_y + 16, text, 0.5, col);
	}
	for (int i = 0; i < r->ntracks; i++) {
		const zp_track_info *t = &r->tracks[i];
		uint32_t col = t->confirmed ? COL_TRACK : COL_TENTATIVE;

		zp_cv_draw_rect(canvas, w, h, stride, t->box.x, t->box.y, t->box.w, t->box.h, col, 2);
		zp_cv_draw_circle(canvas, w, h, stride, (int)t->gx, (int)t->gy, 3, col, -1);
		snprintf(text, sizeof(text), "#%d", t->id);
		zp_cv_draw_text(canvas, w, h, stride, t->box.x, t->box.y > 12 ? t->box.y - 4 : t->box.y + 12, text,
				0.45, col);
	}
	/* the light: a lamp top-left, its state and the detector's health */
	zp_cv_draw_rect(canvas, w, h, stride, 0, 0, 300, 30, 0x000000, -1);
	zp_cv_draw_circle(canvas, w, h, stride, 15, 15, 10,
			  st == ZP_LIGHT_ON ? 0xffb000 : st == ZP_LIGHT_FAILSAFE ? 0xff0000 : 0x404040, -1);
	snprintf(text, sizeof(text), "lights %s  %s  #%llu", zp_light_state_name(st), zp_health_name(r->health),
		 (unsigned long long)f->seq);
	zp_cv_draw_text(canvas, w, h, stride, 32, 20, text, 0.5, COL_TEXT);
}

/* The pixel sizes the detector used, "(auto)" where the config left them to the frame size. */
static void print_sizes(const zp_detector_params *given, int width, int height, bool ground, FILE *out)
{
	zp_detector_params p = *given;

	zp_detector_params_resolve(&p, width, height);
	fprintf(out, "sizes at %dx%d: scale %d%s", width, height, p.scale, given->scale ? "" : " (auto)");
	if (ground)
		fprintf(out, ", blobs by their size on the ground ([ground])");
	else
		fprintf(out, ", min_area %d%s, max_area %d%s", p.min_area, given->min_area ? "" : " (auto)", p.max_area,
			given->max_area ? "" : " (auto)");
	fprintf(out, ", track_max_dist %.0f%s\n", p.track_max_dist, given->track_max_dist > 0 ? "" : " (auto)");
}

void zp_pipeline_print_summary(zp_pipeline *pl, FILE *out, int64_t wall_ms)
{
	const double span_s = (double)(pl->last_t_ms - pl->first_t_ms) / 1000.0;

	zp_chain_flush(&pl->chain);
	fprintf(out, "frames: %llu (%.1f s of video at %dx%d)\n", (unsigned long long)pl->frames, span_s, pl->width,
		pl->height);
	fprintf(out, "processing: %.1f frames/s (%.1fx real time)\n",
		wall_ms > 0 ? pl->frames * 1000.0 / (double)wall_ms : 0.0,
		wall_ms > 0 && span_s > 0 ? span_s * 1000.0 / (double)wall_ms : 0.0);
	fprintf(out, "model: %s\n", zp_detector_model_path(pl->chain.det));
	print_sizes(&pl->cfg.detector, pl->width, pl->height, pl->cfg.nground > 0, out);
	for (int z = 0; z < pl->cfg.nzones; z++) {
		const zp_zone *zn = &pl->cfg.zones[z];

		fprintf(out, "zone %-16s %-8s entered: %llu  occupied: %.1f s", zn->name, zp_zone_role_name(zn->role),
			(unsigned long long)pl->entered[z], pl->occupied_s[z]);
		if (zp_zone_has_sides(pl->cfg.zones, pl->cfg.nzones, z))
			fprintf(out, "  crossed: %s -> %s %llu, %s -> %s %llu", pl->cfg.zones[zn->side[0]].name,
				pl->cfg.zones[zn->side[1]].name, (unsigned long long)pl->crossed[z][0],
				pl->cfg.zones[zn->side[1]].name, pl->cfg.zones[zn->side[0]].name,
				(unsigned long long)pl->crossed[z][1]);
		fputc('\n', out);
	}
	fprintf(out, "lights: %llu activations, on %.1f s, fail-safe %.1f s (%llu times)\n",
		(unsigned long long)pl->chain.lights.activations, (double)pl->chain.lights.on_ms / 1000.0,
		(double)pl->chain.lights.failsafe_ms / 1000.0, (unsigned long long)pl->chain.lights.failsafe_entries);
	fprintf(out, "health:");
	for (int h = 0; h <= ZP_HEALTH_FOREGROUND; h++)
		if (pl->health_frames[h])
			fprintf(out, " %s %llu", zp_health_name((zp_health)h), (unsigned long long)pl->health_frames[h]);
	fprintf(out, " (frames)\n");
}

void zp_pipeline_close(zp_pipeline *pl)
{
	zp_line_free(pl->line);
	zp_chain_free(&pl->chain);
	zp_source_free(pl->src);
	memset(pl, 0, sizeof(*pl));
}
