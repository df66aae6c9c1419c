/* SPDX-License-Identifier: MIT */
/*
 * app_score.h - a recording with its ground truth, decoded once into memory,
 * then scored for any number of configs (`zebrapad tune`): the detector on
 * every frame, and the eval room's accumulators on its output, exactly as
 * `zebrapad eval` does it (CDnet: the cleaned mask against the masks in the
 * ROI and temporal ROI; MOTChallenge: confirmed tracks' boxes, CLEAR MOT at
 * IoU 0.5, and zone presence pooled over the config's zones).
 *
 * The frames live in one read-only buffer, so worker processes forked after
 * loading share them. A run allocates only its detector and accumulators.
 */
#ifndef ZP_APP_SCORE_H
#define ZP_APP_SCORE_H

#include "config.h"
#include "eval.h"

typedef enum zp_score_kind {
	ZP_SCORE_CDNET = 0,   /* --gt is a folder of CDnet masks */
	ZP_SCORE_MOT,         /* --gt is a MOTChallenge gt.txt */
} zp_score_kind;

typedef struct zp_score_set zp_score_set;

/* What one run measured; rates NaN where undefined (as in eval.h). */
typedef struct zp_score {
	uint64_t frames;              /* processed */
	/* CDnet */
	uint64_t tp, fp, tn, fn;
	zp_eval_rates px;
	/* MOTChallenge */
	zp_eval_mot_stats mot;
	zp_eval_presence_stats pres;  /* pooled over the zones */
	double false_presence;        /* frames with presence but none in the ground truth: FP / (FP + TN) */
} zp_score;

/*
 * Decode SOURCE (a video, image folder, CDnet folder or MOTChallenge
 * sequence folder with img1/) up to max_frames (< 0: all) and its ground
 * truth GT (a CDnet groundtruth/ folder, with ROI.bmp and temporalROI.txt
 * beside it when present; or a gt.txt) into memory. At most mem_limit bytes
 * of frames. On failure prints one line "PROG: ..." and sets *exit_code
 * (2 bad input, 1 runtime failure); returns NULL.
 */
zp_score_set *zp_score_set_load(const char *prog, const char *source, const char *gt, long max_frames,
				size_t mem_limit, int *exit_code);
void zp_score_set_free(zp_score_set *s);

zp_score_kind zp_score_set_kind(const zp_score_set *s);
/* Frames held, their size, and a one-line description ("CDnet, 1099 frames 360x240, 800 scored"). */
void zp_score_set_info(const zp_score_set *s, long *frames, int *width, int *height, char *desc, size_t desclen);

/*
 * Run cfg's detector (with ground, may be NULL) over the frames and score
 * it. Returns 0, or a negative zp_err with a message in err (a detector
 * that cannot be built from cfg: ZP_EINVAL; zones outside the frame:
 * ZP_EINVAL).
 */
int zp_score_run(const zp_score_set *s, const zp_config *cfg, const zp_homography *ground, zp_score *out,
		 char *err, size_t errlen);

#endif
