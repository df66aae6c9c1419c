/* SPDX-License-Identifier: MIT */
/*
 * cmd_calibrate.c - `zebrapad calibrate --config FILE --source SRC --out
 * PREVIEW.png [--frame N]`: check a site's zones and ground plane on one
 * frame and draw them.
 *
 * Takes ONE frame (from a recording, or from the camera when SRC is a
 * /dev/video device), draws the zones (labelled, with their area on the
 * ground), the 1 m ground grid mapped into the picture through the inverse
 * homography, and the [ground] point pairs (the measured image point as a
 * circle, the measured ground point mapped back as a cross), writes the PNG
 * and prints the checks. The preview is the only image zebrapad writes
 * outside the replay tooling, and only on this explicit command; the
 * daemon's path never calls an image writer.
 *
 * Exit: 0 every check passed (warnings allowed), 1 a check failed (or the
 * preview could not be written), 2 bad input (usage, config, source).
 */
#include "app.h"
#include "cli.h"

#include "capture.h"
#include "config.h"
#include "cvwrap.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "zebrapad calibrate"
/* Seconds added to the walking time for the suggested minimum on-time (a pedestrian's start-up / reaction). */
#define CAL_REACTION_S 2.0
/* Reprojection RMS limits, pixels: good up to the first, fair (warning) up to the second, poor (fails) above. */
#define CAL_RMS_GOOD 2.0
#define CAL_RMS_FAIR 5.0
/* Camera: frames skipped by default before the one taken (auto exposure settles). */
#define CAL_CAMERA_FRAME 15
/* Grid lines are drawn only where 1 m is at least this many pixels (they merge towards the horizon). */
#define CAL_GRID_MIN_PX 4.0
#define CAL_GRID_MAX_M 200.0

enum { COL_WAITING = 0x00c8ff, COL_CROSSING = 0xffd000, COL_GRID = 0xa8a8a8, COL_GRID5 = 0xf0f040,
       COL_MEASURED = 0xff40ff, COL_REPROJ = 0x40ff40, COL_TEXT = 0xffffff, COL_BAD = 0xff3030 };

struct cal_opts {
	const char *config;
	const char *source;
	const char *out;
	long frame;            /* which frame, from 1; -1: the default */
};

struct cal_tally {
	int ok, warn, fail;
};

static void cal_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad calibrate --config FILE --source SRC --out PREVIEW.png [--frame N]\n"
		"  -c, --config FILE   site config (INI): zones, [ground] point pairs, [site] crossing length\n"
		"  -s, --source SRC    a recording (video file, image folder, CDnet folder) or a camera (/dev/videoN)\n"
		"  -o, --out FILE      the preview picture to write (.png); the only image zebrapad writes outside\n"
		"                      the replay tools - keep it off the device, or delete it after use\n"
		"      --frame N       which frame to take (from 1; default 1 for recordings, %d for a camera,\n"
		"                      so that its exposure has settled)\n"
		"exit: 0 all checks passed (warnings allowed), 1 a check failed (or the preview could not be\n"
		"      written), 2 bad input (usage, config, source)\n",
		CAL_CAMERA_FRAME);
}

static int parse_cal(int argc, char **argv, struct cal_opts *o)
{
	const zp_opt opts[] = {
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "out", 'o', ZP_OPT_STR, .to.str = &o->out },
		{ "frame", 0, ZP_OPT_LONG, .to.l = &o->frame, .min = 1, .max = 1000000 },
	};
	size_t len;
	int rc;

	memset(o, 0, sizeof(*o));
	o->frame = -1;
	rc = zp_opts_parse(PROG, opts, sizeof(opts) / sizeof(opts[0]), cal_usage, argc, argv);
	if (rc)
		return rc;
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (expected --config FILE --source SRC --out FILE)\n",
			argv[optind]);
		return ZP_EXIT_USAGE;
	}
	if (!o->config || !o->source || !o->out) {
		fprintf(stderr, PROG ": expected --config FILE, --source SRC and --out PREVIEW.png (missing %s)\n",
			!o->config ? "--config" : !o->source ? "--source" : "--out");
		return ZP_EXIT_USAGE;
	}
	len = strlen(o->out);
	if (len < 5 || strcasecmp(o->out + len - 4, ".png") != 0) {
		fprintf(stderr, PROG ": --out %s: expected a file name ending in .png\n", o->out);
		return ZP_EXIT_USAGE;
	}
	return ZP_EXIT_OK;
}

static bool is_camera(const char *src)
{
	struct stat st;

	return !strncmp(src, "/dev/", 5) || (stat(src, &st) == 0 && S_ISCHR(st.st_mode));
}

/*
 * Take frame number `want` (from 1) into a BGR canvas (malloc'd,
 * w * h * 3). Returns 0, or an exit code after one line on stderr.
 */
static int grab_frame(const zp_config *cfg, const char *src, long want, uint8_t **canvas, int *w, int *h)
{
	char err[600];
	zp_source *s;
	zp_frame f;
	int code = 0, rc = 0, tries = 0;
	bool camera = is_camera(src);
	long n = 0;

	if (camera) {
		zp_camera_params cp = cfg->camera;

		zp_strlcpy(cp.device, src, sizeof(cp.device));
		s = zp_source_open_v4l2(&cp, &code, err, sizeof(err));
	} else {
		s = zp_source_open_file(src, 0, &code, err, sizeof(err));
	}
	if (!s) {
		fprintf(stderr, PROG ": %s\n", err);
		return ZP_EXIT_USAGE;
	}
	if (want < 0)
		want = camera ? CAL_CAMERA_FRAME : 1;
	while (n < want) {
		rc = zp_source_next(s, &f, 1000);
		if (rc == 0) {
			n++;
			continue;
		}
		/* a camera: wait up to ~10 s for frames (it may be starting); a recording: its end or an error */
		if (camera && (rc == ZP_EAGAIN || rc == ZP_ETIMEDOUT) && ++tries < 10)
			continue;
		break;
	}
	if (n < want) {
		if (rc == ZP_EOF)
			fprintf(stderr, PROG ": %s: has %ld frames, --frame %ld asked for more\n", src, n, want);
		else
			fprintf(stderr, PROG ": %s: no frame %ld: %s\n", src, want,
				zp_source_error(s)[0] ? zp_source_error(s) : zp_strerror(rc));
		zp_source_free(s);
		/* past the end of a recording, no such camera, no permission: bad input */
		return rc == ZP_EOF || rc == ZP_ENODEV || rc == ZP_EACCES ? ZP_EXIT_USAGE : ZP_EXIT_FAIL;
	}
	*w = f.width;
	*h = f.height;
	*canvas = malloc((size_t)f.width * f.height * 3);
	if (!*canvas) {
		zp_source_free(s);
		fprintf(stderr, PROG ": out of memory\n");
		return ZP_EXIT_FAIL;
	}
	for (int y = 0; y < f.height; y++) {
		uint8_t *d = *canvas + (size_t)y * f.width * 3;

		if (f.bgr) {
			memcpy(d, f.bgr + (size_t)y * f.bgr_stride, (size_t)f.width * 3);
		} else {
			const uint8_t *l = f.luma + (size_t)y * f.stride;

			for (int x = 0; x < f.width; x++)
				d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = l[x];
		}
	}
	zp_source_free(s);
	return 0;
}

/* ---- drawing ---- */

struct canvas {
	uint8_t *px;
	int w, h, stride;
};

/* Text with a dark box behind it so it reads on any background (width estimated for the Hershey font). */
static void label(const struct canvas *c, int x, int y, const char *text, double scale, uint32_t rgb)
{
	int tw = (int)(strlen(text) * 18.5 * scale) + 6, th = (int)(24 * scale) + 6;

	if (x + tw > c->w)
		x = c->w - tw;
	if (x < 0)
		x = 0;
	if (y - th + 4 < 0)
		y = th - 4;
	zp_cv_draw_rect(c->px, c->w, c->h, c->stride, x, y - th + 4, tw, th, 0x000000, -1);
	zp_cv_draw_text(c->px, c->w, c->h, c->stride, x + 3, y, text, scale, rgb);
}

/* Pixels per metre at an image point (the smaller of the two directions), 0 when it cannot be mapped. */
static double px_per_m(const zp_homography *H, double x, double y)
{
	double J[4], a, b;

	if (!zp_homography_jacobian(H, x, y, J))
		return 0;
	a = hypot(J[0], J[2]);
	b = hypot(J[1], J[3]);
	a = a > b ? a : b;
	return a > 0 ? 1.0 / a : 0;
}

/* A world point into the image: false when it is beyond the horizon, too far out, or lines would merge there. */
static bool to_image(const struct canvas *c, const zp_homography *H, const zp_homography *inv, double X, double Y,
		     double *x, double *y)
{
	if (!zp_homography_apply(inv, X, Y, x, y) || !zp_homography_in_front(H, *x, *y))
		return false;
	if (*x < -c->w || *x > 2.0 * c->w || *y < -c->h || *y > 2.0 * c->h)
		return false;
	return px_per_m(H, *x, *y) >= CAL_GRID_MIN_PX;
}

/* One grid line from (X0,Y0) to (X1,Y1) in metres, drawn as short image segments where it is visible. */
static void grid_line(const struct canvas *c, const zp_homography *H, const zp_homography *inv, double X0,
		      double Y0, double X1, double Y1, uint32_t rgb, int thick)
{
	const int steps = 400;
	double px = 0, py = 0;
	bool have = false;

	for (int i = 0; i <= steps; i++) {
		double X = X0 + (X1 - X0) * i / steps, Y = Y0 + (Y1 - Y0) * i / steps, x = 0, y = 0;
		bool ok = to_image(c, H, inv, X, Y, &x, &y);

		if (ok && have)
			zp_cv_draw_line(c->px, c->w, c->h, c->stride, (int)lround(px), (int)lround(py), (int)lround(x),
					(int)lround(y), rgb, thick);
		have = ok;
		px = x;
		py = y;
	}
}

/* The metre range the grid covers: the point pairs and the zones on the ground, with a margin. */
static void grid_range(const zp_config *cfg, const zp_homography *H, double r[4])
{
	double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY, m;

	for (int i = 0; i < cfg->nground; i++) {
		x0 = fmin(x0, cfg->ground_world[i].x);
		x1 = fmax(x1, cfg->ground_world[i].x);
		y0 = fmin(y0, cfg->ground_world[i].y);
		y1 = fmax(y1, cfg->ground_world[i].y);
	}
	for (int z = 0; z < cfg->nzones; z++) {
		zp_polygon g;

		if (zp_polygon_to_ground(H, &cfg->zones[z].poly, &g))
			continue;
		for (int i = 0; i < g.n; i++) {
			x0 = fmin(x0, g.p[i].x);
			x1 = fmax(x1, g.p[i].x);
			y0 = fmin(y0, g.p[i].y);
			y1 = fmax(y1, g.p[i].y);
		}
	}
	m = fmax(2.0, 0.25 * fmax(x1 - x0, y1 - y0));
	r[0] = floor(x0 - m);
	r[1] = ceil(x1 + m);
	r[2] = floor(y0 - m);
	r[3] = ceil(y1 + m);
	/* never more than CAL_GRID_MAX_M across, centred on the pairs */
	for (int k = 0; k < 4; k += 2)
		if (r[k + 1] - r[k] > CAL_GRID_MAX_M) {
			double mid = floor((r[k] + r[k + 1]) / 2);

			r[k] = mid - CAL_GRID_MAX_M / 2;
			r[k + 1] = mid + CAL_GRID_MAX_M / 2;
		}
}

static void draw_grid(const struct canvas *c, const zp_config *cfg, const zp_homography *H,
		      const zp_homography *inv)
{
	double r[4];

	grid_range(cfg, H, r);
	for (int pass = 0; pass < 2; pass++) /* 1 m lines first, then the 5 m lines over them */
		for (double X = r[0]; X <= r[1]; X += 1) {
			bool five = fmod(fabs(X), 5.0) < 1e-9;

			if (five == (pass == 1))
				grid_line(c, H, inv, X, r[2], X, r[3], five ? COL_GRID5 : COL_GRID, 1);
		}
	for (int pass = 0; pass < 2; pass++)
		for (double Y = r[2]; Y <= r[3]; Y += 1) {
			bool five = fmod(fabs(Y), 5.0) < 1e-9;

			if (five == (pass == 1))
				grid_line(c, H, inv, r[0], Y, r[1], Y, five ? COL_GRID5 : COL_GRID, 1);
		}
	/* the origin of the metre coordinates */
	{
		double x, y;

		if (to_image(c, H, inv, 0, 0, &x, &y) && x >= 0 && x < c->w && y >= 0 && y < c->h)
			label(c, (int)x - 60, (int)y + 22, "0,0 m", 0.4, COL_GRID5);
	}
}

static void draw_zones(const struct canvas *c, const zp_config *cfg, const zp_homography *H)
{
	char text[96];

	for (int z = 0; z < cfg->nzones; z++) {
		const zp_zone *zn = &cfg->zones[z];
		double xy[2 * ZP_MAX_POLY], cx = 0, cy = 0;
		uint32_t col = zn->role == ZP_ROLE_WAITING ? COL_WAITING : COL_CROSSING;
		zp_polygon g;

		for (int i = 0; i < zn->poly.n; i++) {
			xy[2 * i] = zn->poly.p[i].x;
			xy[2 * i + 1] = zn->poly.p[i].y;
			cx += zn->poly.p[i].x / zn->poly.n;
			cy += zn->poly.p[i].y / zn->poly.n;
		}
		zp_cv_draw_polygon(c->px, c->w, c->h, c->stride, xy, zn->poly.n, col, 2);
		if (H->valid && zp_polygon_to_ground(H, &zn->poly, &g) == 0)
			snprintf(text, sizeof(text), "%s %.1f m2", zn->name, fabs(zp_polygon_area(&g)));
		else
			snprintf(text, sizeof(text), "%s", zn->name);
		label(c, (int)cx - (int)(strlen(text) * 3.9), (int)cy + 5, text, 0.4, col);
	}
}

static void draw_pairs(const struct canvas *c, const zp_config *cfg, const zp_homography *inv,
		       const zp_homography_report *rep)
{
	char text[48];

	for (int i = 0; i < cfg->nground; i++) {
		int x = (int)lround(cfg->ground_img[i].x), y = (int)lround(cfg->ground_img[i].y);
		double rx, ry;

		zp_cv_draw_circle(c->px, c->w, c->h, c->stride, x, y, 7, COL_MEASURED, 2);
		if (inv && zp_homography_apply(inv, cfg->ground_world[i].x, cfg->ground_world[i].y, &rx, &ry) &&
		    fabs(rx) < 1e6 && fabs(ry) < 1e6) {
			int ix = (int)lround(rx), iy = (int)lround(ry);

			zp_cv_draw_line(c->px, c->w, c->h, c->stride, ix - 6, iy - 6, ix + 6, iy + 6, COL_REPROJ, 2);
			zp_cv_draw_line(c->px, c->w, c->h, c->stride, ix - 6, iy + 6, ix + 6, iy - 6, COL_REPROJ, 2);
		}
		if (rep)
			snprintf(text, sizeof(text), "%d: %.1f px", i + 1, rep->err_px[i]);
		else
			snprintf(text, sizeof(text), "%d", i + 1);
		label(c, x + 9, y - 9, text, 0.4, COL_MEASURED);
	}
}

/* ---- checks ---- */

static void check_line(struct cal_tally *t, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* level: 0 ok, 1 warning, 2 failed */
static void check_line(struct cal_tally *t, int level, const char *fmt, ...)
{
	static const char *const tag[3] = { "ok  ", "warn", "FAIL" };
	va_list ap;

	printf("  %s  ", tag[level]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (level == 0)
		t->ok++;
	else if (level == 1)
		t->warn++;
	else
		t->fail++;
}

/* Convex hull of the points (monotone chain) as a polygon; n < 3 or collinear gives hull->n < 3. */
static void convex_hull(const zp_pt *p, int n, zp_polygon *hull)
{
	zp_pt s[ZP_MAX_GROUND_PAIRS], h[2 * ZP_MAX_GROUND_PAIRS];
	int k = 0;

	memcpy(s, p, (size_t)n * sizeof(*s));
	for (int i = 1; i < n; i++) /* insertion sort by x, then y */
		for (int j = i; j > 0 && (s[j - 1].x > s[j].x || (s[j - 1].x == s[j].x && s[j - 1].y > s[j].y)); j--) {
			zp_pt t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	for (int pass = 0; pass < 2; pass++) {
		int start = k;

		for (int ii = 0; ii < n; ii++) {
			zp_pt q = s[pass ? n - 1 - ii : ii];

			while (k >= start + 2 && (h[k - 1].x - h[k - 2].x) * (q.y - h[k - 2].y) -
							 (h[k - 1].y - h[k - 2].y) * (q.x - h[k - 2].x) <= 0)
				k--;
			h[k++] = q;
		}
		k--; /* the last point starts the other half */
	}
	hull->n = k < ZP_MAX_POLY ? k : ZP_MAX_POLY;
	memcpy(hull->p, h, (size_t)hull->n * sizeof(*h));
}

static void check_zones(struct cal_tally *t, const zp_config *cfg, const zp_homography *H, int w, int h)
{
	zp_polygon hull = { 0 };

	printf("zones\n");
	if (cfg->nzones == 0) {
		check_line(t, 2, "no [zone NAME] sections: expected at least one zone (a crossing and its kerbs)");
		return;
	}
	if (H->valid)
		convex_hull(cfg->ground_img, cfg->nground, &hull);
	for (int z = 0; z < cfg->nzones; z++) {
		const zp_zone *zn = &cfg->zones[z];
		double px2 = fabs(zp_polygon_area(&zn->poly));
		zp_polygon g;
		int outside = 0;

		if (!zp_polygon_inside_frame(&zn->poly, w, h)) {
			check_line(t, 2, "zone %s: a point lies outside the %dx%d frame (expected 0..%d, 0..%d)", zn->name,
				   w, h, w - 1, h - 1);
			continue;
		}
		if (!H->valid) {
			check_line(t, 0, "zone %s (%s): inside the frame, %.0f px2", zn->name,
				   zp_zone_role_name(zn->role), px2);
			continue;
		}
		if (zp_polygon_to_ground(H, &zn->poly, &g)) {
			check_line(t, 2, "zone %s: reaches beyond the horizon of the ground plane (not on the road)",
				   zn->name);
			continue;
		}
		check_line(t, 0, "zone %s (%s): inside the frame, %.0f px2, %.1f m2 on the ground", zn->name,
			   zp_zone_role_name(zn->role), px2, fabs(zp_polygon_area(&g)));
		for (int i = 0; i < zn->poly.n; i++)
			outside += hull.n >= 3 && !zp_polygon_contains(&hull, zn->poly.p[i].x, zn->poly.p[i].y);
		if (outside)
			check_line(t, 1,
				   "zone %s: %d of its %d points %s outside the area spanned by the [ground] points: "
				   "sizes there are extrapolated (measure points around it)",
				   zn->name, outside, zn->poly.n, outside == 1 ? "lies" : "lie");
	}
}

static void check_ground(struct cal_tally *t, const zp_config *cfg, const zp_homography *H,
			 const zp_homography_report *rep, const char *fit_err)
{
	if (cfg->nground == 0) {
		printf("ground plane\n");
		check_line(t, 1, "no [ground] section: blob sizes in pixels (min_area/max_area), no speeds in m/s, "
			   "no areas in m2");
		return;
	}
	printf("ground plane: %d point pairs\n", cfg->nground);
	if (!H->valid) {
		check_line(t, 2, "%s", fit_err);
		return;
	}
	printf("  pair  image (px)         ground (m)          error px  error m\n");
	for (int i = 0; i < cfg->nground; i++)
		printf("  %4d  %7.1f,%-8.1f   %8.2f,%-8.2f  %8.2f  %7.3f\n", i + 1, cfg->ground_img[i].x,
		       cfg->ground_img[i].y, cfg->ground_world[i].x, cfg->ground_world[i].y, rep->err_px[i],
		       rep->err_m[i]);
	if (rep->rms_px <= CAL_RMS_GOOD)
		check_line(t, 0, "reprojection error: rms %.2f px, max %.2f px (pair %d), on the ground rms %.3f m: "
			   "good (rms <= %.0f px)", rep->rms_px, rep->max_px, rep->worst + 1, rep->rms_m, CAL_RMS_GOOD);
	else if (rep->rms_px <= CAL_RMS_FAIR)
		check_line(t, 1, "reprojection error: rms %.2f px, max %.2f px (pair %d), on the ground rms %.3f m: "
			   "fair (%.0f..%.0f px); re-measure pair %d", rep->rms_px, rep->max_px, rep->worst + 1,
			   rep->rms_m, CAL_RMS_GOOD, CAL_RMS_FAIR, rep->worst + 1);
	else
		check_line(t, 2, "reprojection error: rms %.2f px, max %.2f px (pair %d), on the ground rms %.3f m: "
			   "poor (over %.0f px); re-measure pair %d or check it is paired with the right point",
			   rep->rms_px, rep->max_px, rep->worst + 1, rep->rms_m, CAL_RMS_FAIR, rep->worst + 1);
	if (rep->exact)
		check_line(t, 1, "4 pairs: the plane passes through all of them, so the error above checks nothing; "
			   "measure a 5th point as a check");
}

static void check_crossing(struct cal_tally *t, const zp_config *cfg)
{
	const zp_site_params *s = &cfg->site;
	double walk_s, suggest_s, on_s = cfg->lights.min_on_ms / 1000.0;

	printf("crossing\n");
	if (!(s->crossing_length_m > 0)) {
		check_line(t, 1, "[site] crossing_length_m not set: no suggested minimum on-time (measure kerb to kerb)");
		return;
	}
	walk_s = s->crossing_length_m / s->walking_speed_mps;
	suggest_s = ceil((walk_s + CAL_REACTION_S) * 10) / 10;
	check_line(t, on_s >= suggest_s ? 0 : 1,
		   "%.1f m at %.2f m/s = %.1f s walking + %.0f s reaction = %.1f s suggested minimum on-time; "
		   "[lights] min_on_ms = %d (%.1f s)%s",
		   s->crossing_length_m, s->walking_speed_mps, walk_s, CAL_REACTION_S, suggest_s, cfg->lights.min_on_ms,
		   on_s, on_s >= suggest_s ? "" : ": below the suggestion");
}

/* The preview in the data directory (next to the counts): audit lists it by one name only. */
static void note_data_dir(const zp_config *cfg, const char *out)
{
	char a[512], b[512], outdir[512], datadir[512];

	if (!cfg->store.path[0])
		return;
	zp_strlcpy(a, out, sizeof(a));
	zp_strlcpy(b, cfg->store.path, sizeof(b));
	if (!realpath(dirname(a), outdir) || !realpath(dirname(b), datadir) || strcmp(outdir, datadir))
		return;
	zp_strlcpy(a, out, sizeof(a));
	if (!strcmp(basename(a), "calibration-preview.png"))
		printf("note: the preview is in the data directory: `zebrapad audit` lists it - delete it when done\n");
	else
		printf("note: the preview is in the data directory under another name than calibration-preview.png: "
		       "`zebrapad audit` will flag it as an image; move it off the device\n");
}

static int calibrate_main(int argc, char **argv, const zp_cmd_env *env, zp_runlog **log)
{
	struct cal_opts o;
	struct cal_tally t = { 0, 0, 0 };
	zp_config *cfg = NULL;
	zp_homography H, inv;
	zp_homography_report rep;
	struct canvas c = { 0 };
	char err[1024], fit_err[1024] = "";
	int rc, w = 0, h = 0;
	bool have_inv = false;

	rc = parse_cal(argc, argv, &o);
	if (rc)
		return rc < 0 ? ZP_EXIT_OK : rc;
	*log = zp_runlog_tool(&(bool){ false });
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return ZP_EXIT_FAIL;
	if (zp_config_load(o.config, cfg, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	cfg->camera.simd = env->simd; /* a camera's YUV -> luma kernels */
	cfg->camera.io = zp_v4l2_io_choose(env->v4l2_io, env->ld_preload);
	rc = grab_frame(cfg, o.source, o.frame, &c.px, &w, &h);
	if (rc)
		goto done;
	c.w = w;
	c.h = h;
	c.stride = w * 3;
	/* a degenerate [ground] is a failed check here (the preview still shows the pairs), not bad input */
	if (zp_config_ground(cfg, &H, &rep, fit_err, sizeof(fit_err)))
		H.valid = false;
	have_inv = H.valid && zp_homography_invert(&H, &inv) == 0;

	printf(PROG ": %s, frame %ld of %s (%dx%d)\n\n", o.config, o.frame > 0 ? o.frame :
	       (is_camera(o.source) ? CAL_CAMERA_FRAME : 1), o.source, w, h);
	check_zones(&t, cfg, &H, w, h);
	check_ground(&t, cfg, &H, &rep, fit_err);
	check_crossing(&t, cfg);

	if (have_inv)
		draw_grid(&c, cfg, &H, &inv);
	/* the zones last: their labels on top */
	draw_pairs(&c, cfg, have_inv ? &inv : NULL, H.valid ? &rep : NULL);
	draw_zones(&c, cfg, &H);
	{
		char title[200];

		snprintf(title, sizeof(title), "%s  zones: crossing orange, waiting blue",
			 cfg->site.name[0] ? cfg->site.name : o.config);
		label(&c, 0, 18, title, 0.5, COL_TEXT);
		label(&c, 0, 40, have_inv ? "ground: grid 1 m (5 m yellow), o measured, x reprojected"
			  : cfg->nground ? "ground plane FAILED (see the checks)" : "no ground plane",
		      0.5, have_inv || cfg->nground == 0 ? COL_TEXT : COL_BAD);
	}
	if (zp_cv_imwrite(o.out, c.px, w, h, c.stride, 3, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	printf("\npreview: %s (%dx%d): zones, %spoint pairs\n", o.out, w, h,
	       have_inv ? "1 m ground grid, " : "");
	note_data_dir(cfg, o.out);
	printf("checks: %d ok, %d warning%s, %d failed\n", t.ok, t.warn, t.warn == 1 ? "" : "s", t.fail);
	rc = t.fail ? ZP_EXIT_FAIL : ZP_EXIT_OK;
	if (fflush(stdout) != 0)
		rc = ZP_EXIT_FAIL;
done:
	if (c.px) {
		memset(c.px, 0, (size_t)c.stride * c.h);
		free(c.px);
	}
	free(cfg);
	return rc;
}

/* The log hand-off around the command (zp_runlog_command, cli.h). */
int zp_cmd_calibrate(int argc, char **argv, const zp_cmd_env *env)
{
	return zp_runlog_command(calibrate_main, argc, argv, env);
}
