/* SPDX-License-Identifier: MIT */
/*
 * score.c - what eval and tune share (see score.h): the source and
 * ground-truth layout, the scored range, one model's zone scoring, and a
 * recording decoded once and scored for many configs. The per-frame
 * scoring of zp_score_run() is cmd_eval.c's step for step (same
 * accumulators, same order, same ranges and zone rules), so a config scores
 * the same under tune as under `zebrapad eval`; the tune tests check that.
 */
#include "score.h"
#include "chain.h"

#include "capture.h"
#include "cvwrap.h"
#include "detector.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define SCORE_PATH ZP_PATH_MAX

/* ---- which files ---- */

/*
 * The one video file in a MOTChallenge-style folder (gt/gt.txt beside it):
 * 1 found (path in dst), 0 none, -1 more than one (their names in dst).
 */
static int folder_video(char *dst, size_t size, const char *dir)
{
	static const char *const ext[] = { ".mp4", ".avi", ".mkv", ".mov", ".webm", ".mpg", ".mpeg" };
	DIR *d = opendir(dir);
	struct dirent *de;
	char first[256] = "";
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			size_t el = strlen(ext[i]);

			if (len > el && strcasecmp(de->d_name + len - el, ext[i]) == 0) {
				if (n++ == 0)
					zp_strlcpy(first, de->d_name, sizeof(first));
				else if (n == 2)
					snprintf(dst, size, "%s, %s", first, de->d_name);
				break;
			}
		}
	}
	closedir(d);
	if (n == 1 && !zp_path_join(dst, size, dir, first))
		return 0;
	return n > 1 ? -1 : n;
}

/* NAME = prefix + digits + image extension: the number, and where the digits start; false otherwise. */
static bool numbered_image(const char *name, long long *num, size_t *digits_at)
{
	static const char *const exts[] = { ".bmp", ".png", ".jpg", ".jpeg" };
	const char *dot = strrchr(name, '.'), *p;
	long long n = 0;
	bool ok = false;

	if (name[0] == '.' || !dot)
		return false;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		ok |= strcasecmp(dot, exts[i]) == 0;
	if (!ok)
		return false;
	for (p = dot; p > name && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == dot || dot - p > 12)
		return false;
	for (const char *q = p; q < dot; q++)
		n = n * 10 + (*q - '0');
	*num = n;
	*digits_at = (size_t)(p - name);
	return true;
}

#define HAND_PREFIX "hand_segmented_"

/*
 * A Wallflower folder: numbered frames and hand_segmented_NNNNN.bmp masks.
 * 1 when it is one (in filled), 0 when it is not, 2 on bad input (printed).
 */
static int wallflower_layout(const char *prog, const char *dir, zp_score_inputs *in)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long long lo = -1, hi = -1, count = 0;
	int nmasks = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		long long num;
		size_t at;

		if (!numbered_image(de->d_name, &num, &at))
			continue;
		if (at == strlen(HAND_PREFIX) && !strncasecmp(de->d_name, HAND_PREFIX, at)) {
			int k;

			if (nmasks == ZP_WALLFLOWER_MAX_MASKS || strlen(de->d_name) >= sizeof(in->mask_name[0]))
				continue;
			/* kept ascending */
			for (k = nmasks++; k > 0 && in->mask_number[k - 1] > num; k--) {
				in->mask_number[k] = in->mask_number[k - 1];
				memcpy(in->mask_name[k], in->mask_name[k - 1], sizeof(in->mask_name[k]));
			}
			in->mask_number[k] = num;
			zp_strlcpy(in->mask_name[k], de->d_name, sizeof(in->mask_name[k]));
			continue;
		}
		if (lo < 0 || num < lo)
			lo = num;
		if (num > hi)
			hi = num;
		count++;
	}
	closedir(d);
	if (nmasks == 0)
		return 0;
	if (count == 0) {
		fprintf(stderr, "%s: %s: hand-segmented masks but no numbered frames (expected b00000.bmp ...)\n", prog,
			dir);
		return 2;
	}
	if (hi - lo + 1 != count) {
		fprintf(stderr, "%s: %s: %lld frames numbered %lld..%lld: expected frames numbered without gaps\n", prog,
			dir, count, lo, hi);
		return 2;
	}
	in->kind = ZP_SCORE_WALLFLOWER;
	in->nmasks = nmasks;
	in->first_number = lo;
	return 1;
}

/* Read a small text file whole (NUL-terminated, malloc'd); NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			size_t c = cap ? cap * 2 : 8192;
			char *b = c > ((size_t)1 << 24) ? NULL : realloc(buf, c);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
			cap = c;
		}
		size_t r = fread(buf + n, 1, 4096, f);

		n += r;
		if (r < 4096)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* MOT: seqinfo.ini in the sequence folder (the one holding gt/), when there is one. */
static int load_seqinfo(const char *prog, zp_score_inputs *in)
{
	char gtdir[SCORE_PATH], seqdir[SCORE_PATH], path[SCORE_PATH], err[SCORE_PATH + 128], *text;
	size_t len;
	int rc;

	zp_dirname(gtdir, sizeof(gtdir), in->gt);
	zp_dirname(seqdir, sizeof(seqdir), gtdir);
	if (!zp_path_join(path, sizeof(path), seqdir, "seqinfo.ini") || !zp_path_is_file(path))
		return 0;
	text = slurp(path, &len);
	if (!text) {
		fprintf(stderr, "%s: %s: cannot read (%s)\n", prog, path, strerror(errno));
		return 2;
	}
	rc = zp_eval_seqinfo_parse(text, len, path, &in->seq_length, &in->seq_fps, err, sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	return 0;
}

int zp_score_resolve(const char *prog, const char *src, const char *gt_opt, long empty_until, zp_score_inputs *in)
{
	char tmp[SCORE_PATH], parent[SCORE_PATH];
	struct stat st;
	bool cdnet_layout = false;
	int rc;

	memset(in, 0, sizeof(*in));
	in->empty_until = -1;
	if (strlen(src) > SCORE_PATH - 64 || (gt_opt && strlen(gt_opt) > SCORE_PATH - 64)) {
		fprintf(stderr, "%s: %s: path too long (at most %d bytes)\n", prog,
			strlen(src) > SCORE_PATH - 64 ? src : gt_opt, SCORE_PATH - 64);
		return 2;
	}
	if (stat(src, &st) != 0) {
		fprintf(stderr, "%s: %s: no such file or folder\n", prog, src);
		return 2;
	}
	zp_strlcpy(in->source, src, sizeof(in->source));
	tmp[0] = '\0';
	if (S_ISDIR(st.st_mode)) {
		char sub[SCORE_PATH];

		if (zp_path_join(sub, sizeof(sub), src, "input") && zp_path_is_dir(sub)) {
			cdnet_layout = true;
		} else if (zp_path_join(sub, sizeof(sub), src, "img1") && zp_path_is_dir(sub)) {
			/* a MOTChallenge sequence folder: frames in img1/, boxes in gt/gt.txt */
			zp_strlcpy(in->source, sub, sizeof(in->source));
			zp_path_join(tmp, sizeof(tmp), src, "gt/gt.txt");
		} else if (zp_path_join(tmp, sizeof(tmp), src, "gt/gt.txt") && zp_path_is_file(tmp)) {
			/* the same with the frames as one video file beside gt/ */
			int nv = folder_video(sub, sizeof(sub), src);

			if (nv != 1) {
				if (nv < 0)
					fprintf(stderr, "%s: %s: more than one video (%s...); expected one, or give the "
						"video as SOURCE\n", prog, src, sub);
				else
					fprintf(stderr, "%s: %s: no frames found (expected img1/, input/ or one video "
						"file beside gt/)\n", prog, src);
				return 2;
			}
			zp_strlcpy(in->source, sub, sizeof(in->source));
		} else if (!gt_opt && (rc = wallflower_layout(prog, src, in)) != 0) {
			char *text;
			size_t len;

			if (rc == 2)
				return 2;
			zp_strlcpy(in->gt, src, sizeof(in->gt));
			if (empty_until >= 0) {
				in->empty_until = empty_until;
			} else if (zp_path_join(tmp, sizeof(tmp), src, "script.txt") && (text = slurp(tmp, &len))) {
				if (zp_eval_wallflower_first_entry(text, len, &in->empty_until))
					in->empty_until = -1;
				free(text);
			}
			return 0;
		} else {
			zp_dirname(parent, sizeof(parent), src);
			zp_path_join(tmp, sizeof(tmp), parent, "gt/gt.txt");
		}
	} else {
		zp_dirname(parent, sizeof(parent), src);
		zp_path_join(tmp, sizeof(tmp), parent, "gt/gt.txt");
	}
	if (gt_opt) {
		if (zp_path_is_dir(gt_opt)) {
			in->kind = ZP_SCORE_CDNET;
		} else if (zp_path_is_file(gt_opt)) {
			in->kind = ZP_SCORE_MOT;
		} else {
			fprintf(stderr, "%s: %s: no such file or folder (expected a CDnet ground-truth folder or a "
				"MOTChallenge gt.txt)\n", prog, gt_opt);
			return 2;
		}
		zp_strlcpy(in->gt, gt_opt, sizeof(in->gt));
	} else if (cdnet_layout) {
		in->kind = ZP_SCORE_CDNET;
		zp_path_join(in->gt, sizeof(in->gt), src, "groundtruth");
		if (!zp_path_is_dir(in->gt)) {
			fprintf(stderr, "%s: %s: no such folder (expected the CDnet ground-truth masks gt000001.png ..., "
				"or --gt PATH)\n", prog, in->gt);
			return 2;
		}
	} else {
		in->kind = ZP_SCORE_MOT;
		if (!tmp[0] || !zp_path_is_file(tmp)) {
			fprintf(stderr, "%s: %s: no ground truth found (looked for %s); expected --gt PATH (a CDnet "
				"groundtruth/ folder or a MOTChallenge gt.txt)\n", prog, src, tmp[0] ? tmp : "gt/gt.txt");
			return 2;
		}
		zp_strlcpy(in->gt, tmp, sizeof(in->gt));
	}
	if (in->kind == ZP_SCORE_CDNET) {
		/* ROI.bmp and temporalROI.txt sit next to the ground-truth folder */
		zp_dirname(parent, sizeof(parent), in->gt);
		zp_path_join(in->roi_path, sizeof(in->roi_path), parent, "ROI.bmp");
		zp_path_join(in->troi_path, sizeof(in->troi_path), parent, "temporalROI.txt");
		return 0;
	}
	return load_seqinfo(prog, in);
}

/* ---- the scored range ---- */

bool zp_score_range_has(const zp_score_range *r, int64_t frame)
{
	return frame >= r->first && frame <= r->stop && frame <= r->annotated;
}

/* ---- one model's zones ---- */

struct zp_zone_score {
	int nzones;
	zp_eval_presence *pres[ZP_MAX_ZONES];
	zp_eval_counts *counts[ZP_MAX_ZONES];
	zp_eval_calls *calls[ZP_MAX_ZONES];
	zp_eval_crossings *cross[ZP_MAX_ZONES];
};

int zp_score_tolerance(double fps)
{
	long t = fps > 0 ? lround(fps) : 25;

	return t < 1 ? 1 : t > 100000 ? 100000 : (int)t;
}

zp_zone_score *zp_zone_score_new(int nzones, int tolerance_frames)
{
	zp_zone_score *zs = calloc(1, sizeof(*zs));

	if (!zs)
		return NULL;
	zs->nzones = nzones < 0 ? 0 : nzones > ZP_MAX_ZONES ? ZP_MAX_ZONES : nzones;
	for (int z = 0; z < zs->nzones; z++) {
		zs->pres[z] = zp_eval_presence_new();
		zs->counts[z] = zp_eval_counts_new(ZP_COUNT_MIN_FRAMES);
		zs->calls[z] = zp_eval_calls_new(tolerance_frames);
		zs->cross[z] = zp_eval_crossings_new();
		if (!zs->pres[z] || !zs->counts[z] || !zs->calls[z] || !zs->cross[z]) {
			zp_zone_score_free(zs);
			return NULL;
		}
	}
	return zs;
}

void zp_zone_score_free(zp_zone_score *zs)
{
	if (!zs)
		return;
	for (int z = 0; z < ZP_MAX_ZONES; z++) {
		zp_eval_presence_free(zs->pres[z]);
		zp_eval_counts_free(zs->counts[z]);
		zp_eval_calls_free(zs->calls[z]);
		zp_eval_crossings_free(zs->cross[z]);
	}
	free(zs);
}

int zp_zone_score_frame(zp_zone_score *zs, const zp_zone *zones, int64_t frame, const zp_eval_box *gt, int ngt,
			const zp_result *r)
{
	int gt_ids[ZP_MAX_TRACKS > 256 ? ZP_MAX_TRACKS : 256], tr_ids[ZP_MAX_TRACKS];

	for (int z = 0; z < zs->nzones; z++) {
		int ng = 0, nt = 0, rc;

		for (int i = 0; i < ngt; i++)
			if (zp_eval_box_in_zone(&zones[z], &gt[i]) && ng < (int)(sizeof(gt_ids) / sizeof(gt_ids[0])))
				gt_ids[ng++] = gt[i].id;
		for (int i = 0; i < r->ntracks; i++)
			if (r->tracks[i].confirmed && (r->tracks[i].zones & (1u << z)))
				tr_ids[nt++] = r->tracks[i].id;
		rc = zp_eval_presence_frame(zs->pres[z], frame, ng > 0, r->zone_count[z] > 0);
		if (!rc)
			rc = zp_eval_counts_frame(zs->counts[z], gt_ids, ng, r->zone_entered[z], tr_ids, nt);
		if (!rc)
			rc = zp_eval_calls_frame(zs->calls[z], frame, ng > 0, r->zone_call[z]);
		if (!rc)
			rc = zp_eval_crossings_frame(zs->cross[z], zones, zs->nzones, z, gt, ngt, r->zone_crossed[z]);
		if (rc)
			return rc;
	}
	return 0;
}

void zp_zone_score_get(const zp_zone_score *zs, int z, zp_zone_stats *out)
{
	int from = z < 0 ? 0 : z, n = z < 0 ? zs->nzones : 1;

	memset(out, 0, sizeof(*out));
	if (z >= zs->nzones)
		return;
	zp_eval_presence_pool((const zp_eval_presence *const *)zs->pres + from, n, &out->pres);
	zp_eval_counts_pool((const zp_eval_counts *const *)zs->counts + from, n, &out->counts);
	zp_eval_calls_pool((const zp_eval_calls *const *)zs->calls + from, n, &out->calls);
	zp_eval_crossings_pool((const zp_eval_crossings *const *)zs->cross + from, n, &out->cross);
}

/* ---- tune: a recording in memory ---- */

struct zp_score_set {
	zp_score_kind kind;
	char source[SCORE_PATH];
	int w, h;
	long n, cap;
	uint8_t *luma;        /* n frames: w x h luma (stride w), then with colour w x h BGR (stride 3 w) */
	int fpx;              /* bytes kept per pixel: 1 (luma) or 4 (luma and BGR) */
	int64_t *t_ms;
	uint64_t *seq;
	/* CDnet */
	uint8_t *roi;         /* w x h, NULL: whole frame */
	int64_t troi_first, troi_last;
	long *gt_index;       /* per frame: index into gt_masks, -1 outside the temporal ROI */
	uint8_t *gt_masks;
	long ngt, capgt;
	/* MOTChallenge */
	zp_eval_gt *mot_gt;
	int64_t annotated;    /* the last annotated frame */
	double fps;
};

/* Grow a buffer to hold need elements of size each; false when out of memory. */
static bool grow(void **buf, long *cap, long need, size_t each)
{
	long c = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	p = realloc(*buf, (size_t)c * each);
	if (!p)
		return false;
	*buf = p;
	*cap = c;
	return true;
}

/* Room for twice as many frames (hint or 64 at first, never much beyond mem_limit) in every per-frame array. */
static bool grow_frames(zp_score_set *s, size_t mem_limit, long hint)
{
	size_t fb = (size_t)s->w * s->h * s->fpx;
	long c = s->cap ? 2 * s->cap : hint > 0 ? hint : 64, most = (long)(mem_limit / fb) + 1;
	uint8_t *l;
	int64_t *t;
	uint64_t *q;
	long *g;

	c = c < most ? c : most > s->cap ? most : s->cap + 1;
	l = realloc(s->luma, (size_t)c * fb);
	if (!l)
		return false;
	s->luma = l;
	if (!(t = realloc(s->t_ms, (size_t)c * sizeof(*t))))
		return false;
	s->t_ms = t;
	if (!(q = realloc(s->seq, (size_t)c * sizeof(*q))))
		return false;
	s->seq = q;
	if (!(g = realloc(s->gt_index, (size_t)c * sizeof(*g))))
		return false;
	s->gt_index = g;
	s->cap = c;
	return true;
}

/* CDnet: ROI.bmp and temporalROI.txt beside the ground-truth folder (both optional, as in eval). */
static int load_cdnet_rois(zp_score_set *s, const char *prog, const char *gt)
{
	char parent[SCORE_PATH], path[SCORE_PATH + 32], err[SCORE_PATH + 128];
	int w, h;

	zp_dirname(parent, sizeof(parent), gt);
	snprintf(path, sizeof(path), "%s/ROI.bmp", parent);
	if (zp_path_is_file(path)) {
		if (zp_cv_imread(path, 1, &s->roi, &w, &h, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 2;
		}
		if (w != s->w || h != s->h) {
			fprintf(stderr, "%s: %s: %dx%d, expected the frames' size %dx%d\n", prog, path, w, h, s->w,
				s->h);
			return 2;
		}
	}
	snprintf(path, sizeof(path), "%s/temporalROI.txt", parent);
	if (zp_path_is_file(path) && zp_eval_troi_load(path, &s->troi_first, &s->troi_last, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	return 0;
}

/* CDnet: the mask of frame seq, when it is in the temporal ROI. */
static int load_gt_mask(zp_score_set *s, const char *prog, const char *gt, long i)
{
	char path[SCORE_PATH + 32], err[SCORE_PATH + 128];
	uint8_t *m = NULL;
	int w, h;
	int64_t f = (int64_t)s->seq[i];

	s->gt_index[i] = -1;
	if (s->troi_first > 0 && (f < s->troi_first || f > s->troi_last))
		return 0;
	snprintf(path, sizeof(path), "%s/gt%06llu.png", gt, (unsigned long long)f);
	if (!zp_path_is_file(path)) {
		fprintf(stderr, "%s: %s: no such file (expected the CDnet ground-truth mask of frame %llu)\n", prog, path,
			(unsigned long long)f);
		return 2;
	}
	if (zp_cv_imread(path, 1, &m, &w, &h, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (w != s->w || h != s->h) {
		fprintf(stderr, "%s: %s: %dx%d, expected the frames' size %dx%d\n", prog, path, w, h, s->w, s->h);
		free(m);
		return 2;
	}
	if (!grow((void **)&s->gt_masks, &s->capgt, s->ngt + 1, (size_t)s->w * s->h)) {
		free(m);
		fprintf(stderr, "%s: out of memory for the ground-truth masks\n", prog);
		return 1;
	}
	memcpy(s->gt_masks + (size_t)s->ngt * s->w * s->h, m, (size_t)s->w * s->h);
	free(m);
	s->gt_index[i] = s->ngt++;
	return 0;
}

zp_score_set *zp_score_set_load(const char *prog, const zp_score_inputs *in, long max_frames, size_t mem_limit,
				int *exit_code)
{
	zp_score_set *s = calloc(1, sizeof(*s));
	char err[SCORE_PATH + 128];
	const char *gt = in->gt;
	zp_source *src = NULL;
	int code = 0, rc = 0;
	long hint;

	*exit_code = 1;
	if (!s)
		goto nomem;
	if (in->kind == ZP_SCORE_WALLFLOWER) {
		fprintf(stderr, "%s: %s: a Wallflower set (pixel masks of one or two frames): nothing to tune on; "
			"use zebrapad eval\n", prog, in->gt);
		*exit_code = 2;
		goto fail;
	}
	s->kind = in->kind;
	zp_strlcpy(s->source, in->source, sizeof(s->source));
	if (s->kind == ZP_SCORE_MOT) {
		s->mot_gt = zp_eval_gt_load(gt, &code, err, sizeof(err));
		if (!s->mot_gt) {
			fprintf(stderr, "%s: %s\n", prog, err);
			*exit_code = code == ZP_ENOMEM ? 1 : 2;
			goto fail;
		}
	}
	src = zp_source_open_file(s->source, in->seq_fps, &code, err, sizeof(err)); /* seqinfo's rate, as eval */
	if (!src) {
		fprintf(stderr, "%s: %s\n", prog, err);
		*exit_code = 2;
		goto fail;
	}
	zp_source_size(src, &s->w, &s->h);
	s->fps = zp_source_fps(src);
	/* the container's frame count (may be approximate) sizes the buffer at once: no copying while growing */
	hint = zp_source_frame_count(src);
	if (max_frames >= 0 && (hint <= 0 || hint > max_frames))
		hint = max_frames;
	hint = hint > 0 ? hint + 1 : 0;
	if (s->kind == ZP_SCORE_CDNET && (rc = load_cdnet_rois(s, prog, gt)) != 0) {
		*exit_code = rc;
		goto fail;
	}
	for (;;) {
		size_t fb, np = (size_t)s->w * s->h;
		uint8_t *dst;
		zp_frame f;
		int ev;

		if (max_frames >= 0 && s->n >= max_frames)
			break;
		ev = zp_source_next(src, &f, 1000);
		if (ev == ZP_EOF)
			break;
		if (ev) {
			fprintf(stderr, "%s: %s: %s\n", prog, s->source, zp_source_error(src));
			*exit_code = 2;
			goto fail;
		}
		if (s->n == 0)
			s->fpx = f.bgr ? 4 : 1; /* colour kept when the recording has it (shadows = 2, colour_fill) */
		fb = np * s->fpx;
		if ((size_t)(s->n + 1) * fb > mem_limit) {
			fprintf(stderr,
				"%s: %s: more than %ld frames of %dx%d do not fit in %zu MiB of memory; use --max-frames "
				"or a shorter clip\n", prog, s->source, s->n, s->w, s->h, mem_limit >> 20);
			*exit_code = 2;
			goto fail;
		}
		if (s->n == s->cap && !grow_frames(s, mem_limit, hint))
			goto nomem;
		dst = s->luma + (size_t)s->n * fb;
		for (int y = 0; y < s->h; y++)
			memcpy(dst + (size_t)y * s->w, f.luma + (size_t)y * f.stride, (size_t)s->w);
		for (int y = 0; s->fpx == 4 && y < s->h; y++) {
			uint8_t *row = dst + np + (size_t)y * s->w * 3;

			if (f.bgr)
				memcpy(row, f.bgr + (size_t)y * f.bgr_stride, (size_t)s->w * 3);
			else /* a frame without colour in a coloured recording: grey */
				for (int x = 0; x < s->w; x++)
					row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = f.luma[(size_t)y * f.stride + x];
		}
		s->t_ms[s->n] = f.t_ms;
		s->seq[s->n] = f.seq;
		if (s->kind == ZP_SCORE_CDNET && (rc = load_gt_mask(s, prog, gt, s->n)) != 0) {
			*exit_code = rc;
			goto fail;
		}
		s->n++;
	}
	zp_source_free(src);
	if (s->n == 0) {
		fprintf(stderr, "%s: %s: no frames\n", prog, s->source);
		*exit_code = 2;
		goto fail_nosrc;
	}
	if (s->kind == ZP_SCORE_CDNET && s->ngt == 0) {
		fprintf(stderr, "%s: %s: none of the %ld frames is in the temporal ROI %lld-%lld (use more frames)\n",
			prog, gt, s->n, (long long)s->troi_first, (long long)s->troi_last);
		*exit_code = 2;
		goto fail_nosrc;
	}
	if (s->kind == ZP_SCORE_MOT) {
		int64_t last = zp_eval_gt_last_frame(s->mot_gt);

		s->annotated = in->seq_length > last ? in->seq_length : last;
	} else {
		s->annotated = s->n;
	}
	*exit_code = 0;
	return s;

nomem:
	fprintf(stderr, "%s: out of memory\n", prog);
	*exit_code = 1;
fail:
	zp_source_free(src);
fail_nosrc:
	zp_score_set_free(s);
	return NULL;
}

void zp_score_set_free(zp_score_set *s)
{
	if (!s)
		return;
	/* frames of a real scene: zeroed before they go back to the allocator, as capture/ does */
	if (s->luma)
		memset(s->luma, 0, (size_t)s->n * s->w * s->h * s->fpx);
	free(s->luma);
	free(s->t_ms);
	free(s->seq);
	free(s->roi);
	free(s->gt_index);
	free(s->gt_masks);
	zp_eval_gt_free(s->mot_gt);
	free(s);
}

zp_score_kind zp_score_set_kind(const zp_score_set *s)
{
	return s->kind;
}

void zp_score_set_info(const zp_score_set *s, long *frames, int *width, int *height, char *desc, size_t desclen)
{
	if (frames)
		*frames = s->n;
	if (width)
		*width = s->w;
	if (height)
		*height = s->h;
	if (!desc)
		return;
	if (s->kind == ZP_SCORE_CDNET)
		snprintf(desc, desclen, "CDnet masks, %ld frames %dx%d, %ld scored (temporal ROI %lld-%lld), ROI %s",
			 s->n, s->w, s->h, s->ngt, (long long)s->troi_first, (long long)s->troi_last,
			 s->roi ? "ROI.bmp" : "whole frame");
	else
		snprintf(desc, desclen, "MOTChallenge boxes, %ld frames %dx%d, %zu ground-truth boxes", s->n, s->w, s->h,
			 zp_eval_gt_rows(s->mot_gt));
}

int64_t zp_score_set_annotated(const zp_score_set *s)
{
	return s->annotated;
}

double zp_score_set_fps(const zp_score_set *s)
{
	return s->fps;
}

/* One part of the frames (before the hold-out split, or from it on): its accumulators. */
struct part {
	zp_eval_pixels px;
	zp_eval_mot *mot;
	zp_zone_score *zs;
	uint64_t frames;
};

static void part_result(const zp_score_set *s, const zp_config *cfg, const struct part *p, zp_score *out)
{
	memset(out, 0, sizeof(*out));
	out->frames = p->frames;
	if (s->kind == ZP_SCORE_CDNET) {
		out->tp = p->px.tp;
		out->fp = p->px.fp;
		out->tn = p->px.tn;
		out->fn = p->px.fn;
		zp_eval_rates_compute(p->px.tp, p->px.fp, p->px.tn, p->px.fn, &out->px);
		return;
	}
	(void)cfg;
	zp_eval_mot_get(p->mot, &out->mot);
	zp_zone_score_get(p->zs, -1, &out->zones);
	out->false_presence = out->zones.pres.fp + out->zones.pres.tn
				      ? (double)out->zones.pres.fp / (double)(out->zones.pres.fp + out->zones.pres.tn)
				      : NAN;
}

int zp_score_run(const zp_score_set *s, const zp_config *cfg, const zp_homography *ground, int64_t first,
		 int64_t split, zp_score *out, zp_score *held, char *err, size_t errlen)
{
	const size_t fb = (size_t)s->w * s->h;
	const int nparts = split > 0 ? 2 : 1;
	struct part parts[2];
	zp_chain ch;
	zp_chain_in in;
	zp_chain_out cout;
	zp_result *r = NULL;
	zp_eval_box *ours = NULL;
	uint8_t *mask = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (held)
		memset(held, 0, sizeof(*held));
	memset(parts, 0, sizeof(parts));
	/* the frames through the chain every command drives (chain.h); no counts are kept */
	rc = zp_chain_init(&ch, cfg, ground, cfg->store.interval_s, NULL, NULL, err, errlen);
	if (rc)
		return rc;
	if (zp_chain_size(&ch, s->w, s->h, NULL, err, errlen) < 0) {
		zp_chain_free(&ch);
		return ZP_EINVAL;
	}
	memset(&in, 0, sizeof(in));
	r = malloc(sizeof(*r));
	if (!r)
		goto nomem;
	if (s->kind == ZP_SCORE_CDNET) {
		for (int p = 0; p < nparts; p++)
			zp_eval_pixels_init(&parts[p].px, s->troi_first, s->troi_last);
		if (!(mask = malloc(fb)))
			goto nomem;
	} else {
		if (!(ours = malloc(ZP_MAX_TRACKS * sizeof(*ours))))
			goto nomem;
		for (int p = 0; p < nparts; p++) {
			parts[p].mot = zp_eval_mot_new(0.5);
			parts[p].zs = zp_zone_score_new(cfg->nzones, zp_score_tolerance(s->fps));
			if (!parts[p].mot || !parts[p].zs)
				goto nomem;
		}
	}
	for (long i = 0; i < s->n; i++) {
		const uint8_t *fr = s->luma + (size_t)i * fb * s->fpx;
		zp_frame f = { .luma = fr, .stride = s->w, .bgr = s->fpx == 4 ? fr + fb : NULL, .bgr_stride = s->w * 3,
			       .width = s->w, .height = s->h, .t_ms = s->t_ms[i], .seq = s->seq[i] };
		int64_t seq = (int64_t)f.seq;
		struct part *pt = &parts[split > 0 && seq >= split ? 1 : 0];

		if (i == 0)
			zp_chain_start(&ch, f.t_ms);
		in.now_ms = in.t_frame_ms = in.wall_ms = f.t_ms;
		rc = zp_chain_frame(&ch, &f, &in, r, &cout);
		if (rc) {
			zp_seterr(err, errlen, rc, "frame %llu: %s", (unsigned long long)f.seq, zp_strerror(rc));
			goto done;
		}
		if (s->kind == ZP_SCORE_CDNET) {
			long g = s->gt_index[i];

			if (g < 0 || seq < first)
				continue;
			pt->frames++;
			zp_detector_mask(ch.det, mask, s->w);
			zp_eval_pixels_frame(&pt->px, seq, mask, s->w, s->gt_masks + (size_t)g * fb, s->w, s->roi, s->w,
					     s->w, s->h);
		} else {
			const zp_eval_box *gt;
			int ngt, n = 0;

			if (seq < first || seq > s->annotated)
				continue;
			pt->frames++;
			ngt = zp_eval_gt_frame(s->mot_gt, seq, &gt);
			for (int t = 0; t < r->ntracks; t++) {
				const zp_track_info *ti = &r->tracks[t];

				if (ti->confirmed)
					ours[n++] = (zp_eval_box){ .id = ti->id, .x = ti->box.x, .y = ti->box.y,
								   .w = ti->box.w, .h = ti->box.h };
			}
			if (zp_eval_mot_frame(pt->mot, gt, ngt, ours, n))
				goto nomem;
			rc = zp_zone_score_frame(pt->zs, cfg->zones, seq, gt, ngt, r);
			if (rc) {
				zp_seterr(err, errlen, rc, "frame %lld: %s", (long long)seq, zp_strerror(rc));
				goto done;
			}
		}
	}
	part_result(s, cfg, &parts[0], out);
	if (nparts == 2 && held)
		part_result(s, cfg, &parts[1], held);
	goto done;
nomem:
	rc = zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
done:
	zp_chain_free(&ch);
	free(r);
	free(mask);
	free(ours);
	for (int p = 0; p < 2; p++) {
		zp_eval_mot_free(parts[p].mot);
		zp_zone_score_free(parts[p].zs);
	}
	return rc;
}
