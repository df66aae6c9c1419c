/* SPDX-License-Identifier: MIT */
/*
 * score.h - what `zebrapad eval` and `zebrapad tune` share, so that a
 * config scores the same under both:
 *
 *  - zp_score_resolve(): which frames and which ground truth a SOURCE means
 *    (CDnet folder, MOTChallenge folder or video, Wallflower folder);
 *  - zp_zone_score: one model's zone scoring over the scored frames
 *    (presence, counts, valid calls), fed the detector's zp_result;
 *  - zp_score_set: a recording with its ground truth decoded once into
 *    memory, then scored for any number of configs (tune): the detector on
 *    every frame, and the same accumulators on its output.
 *
 * The frames live in one read-only buffer, so worker processes forked after
 * loading share them. A run allocates only its detector and accumulators.
 */
#ifndef ZP_SCORE_H
#define ZP_SCORE_H

#include "path.h"
#include "config.h"
#include "detector.h"
#include "eval.h"

typedef enum zp_score_kind {
	ZP_SCORE_CDNET = 0,   /* CDnet masks (a folder of gtNNNNNN.png) */
	ZP_SCORE_MOT,         /* a MOTChallenge gt.txt */
	ZP_SCORE_WALLFLOWER,  /* a Wallflower folder: bNNNNN.bmp, hand_segmented_NNNNN.bmp */
} zp_score_kind;

#define ZP_WALLFLOWER_MAX_MASKS 64

/* ---- which files ---- */

typedef struct zp_score_inputs {
	zp_score_kind kind;
	char source[ZP_PATH_MAX];     /* what the frames are read from (a MOT sequence folder: its img1/) */
	char gt[ZP_PATH_MAX];         /* CDnet: the masks' folder; MOT: gt.txt; Wallflower: the folder */
	char roi_path[ZP_PATH_MAX];   /* CDnet: ROI.bmp and temporalROI.txt beside the masks' folder */
	char troi_path[ZP_PATH_MAX];
	/* MOT: seqinfo.ini beside gt/ (optional): the annotated length and frame rate */
	int64_t seq_length;               /* 0: not given */
	double seq_fps;                   /* 0: not given */
	/* Wallflower */
	int64_t first_number;             /* the number in the first frame's file name (b00000: 0) */
	int nmasks;
	int64_t mask_number[ZP_WALLFLOWER_MAX_MASKS];  /* file numbers of the hand-segmented masks, ascending */
	char mask_name[ZP_WALLFLOWER_MAX_MASKS][64];    /* ... and their file names */
	int64_t empty_until;              /* file numbers below this have nobody in view; -1: unknown */
} zp_score_inputs;

/*
 * SOURCE (and --gt GT, may be NULL) -> the inputs, as docs/eval.md's
 * "Which ground truth" says. empty_until >= 0: a Wallflower set's empty
 * range (else from its script.txt). On bad input prints one line "PROG:
 * ..." and returns 2; 0 on success.
 */
int zp_score_resolve(const char *prog, const char *source, const char *gt, long empty_until,
		     zp_score_inputs *in);

/* ---- the frames scored ---- */

/*
 * The frames of a recording that are scored (numbered from 1, inclusive):
 * from --start-frame, after the warm-up (MOT and Wallflower's empty frames),
 * up to --max-frames from the start, the last annotated frame (MOT: the last
 * frame with a box, or seqinfo.ini's seqLength when larger) and the source's
 * end. first > last: nothing is scored.
 */
typedef struct zp_score_range {
	int64_t start;        /* --start-frame (1 when not given) */
	int64_t stop;         /* the last frame read: start + max_frames - 1, or INT64_MAX */
	int64_t first;        /* first scored: max(start, warm-up + 1) (CDnet: start) */
	int64_t annotated;    /* MOT: the last annotated frame; else INT64_MAX */
} zp_score_range;

/* true when frame is scored (seq >= first, <= stop and <= annotated). */
bool zp_score_range_has(const zp_score_range *r, int64_t frame);

/* ---- one model's zones ---- */

typedef struct zp_zone_score zp_zone_score;

typedef struct zp_zone_stats {
	zp_eval_presence_stats pres;
	zp_eval_counts_stats counts;
	zp_eval_calls_stats calls;
	zp_eval_crossings_stats cross; /* crossing zones with two sides (cross.sides false: none) */
} zp_zone_stats;

/* Ground-truth people are counted when in a zone on this many scored frames. */
#define ZP_COUNT_MIN_FRAMES 3

/* tolerance_frames: 1 s at the source's frame rate (zp_score_tolerance). NULL when out of memory. */
zp_zone_score *zp_zone_score_new(int nzones, int tolerance_frames);
void zp_zone_score_free(zp_zone_score *zs);
/* round(fps), at least 1; 25 when fps is unknown (0). */
int zp_score_tolerance(double fps);

/*
 * One scored frame (in increasing order, no gaps): the ground-truth boxes,
 * the detector's result. 0, ZP_EINVAL (a frame out of order) or ZP_ENOMEM.
 */
int zp_zone_score_frame(zp_zone_score *zs, const zp_zone *zones, int64_t frame, const zp_eval_box *gt, int ngt,
			const zp_result *r);
/* Zone z's figures, or all zones pooled for z < 0. */
void zp_zone_score_get(const zp_zone_score *zs, int z, zp_zone_stats *out);

/* ---- tune: a recording in memory ---- */

typedef struct zp_score_set zp_score_set;

/* What one run measured; rates NaN where undefined (as in eval.h). */
typedef struct zp_score {
	uint64_t frames;              /* scored */
	/* CDnet */
	uint64_t tp, fp, tn, fn;
	zp_eval_rates px;
	/* MOTChallenge */
	zp_eval_mot_stats mot;
	zp_zone_stats zones;          /* pooled over the zones */
	double false_presence;        /* frames with presence but none in the ground truth: FP / (FP + TN) */
} zp_score;

/*
 * Decode the inputs' frames (up to max_frames; < 0: all) and ground truth
 * into memory. At most mem_limit bytes of frames. On failure prints one
 * line "PROG: ..." and sets *exit_code (2 bad input, 1 runtime failure);
 * returns NULL. Wallflower sets are refused (nothing to tune for).
 */
zp_score_set *zp_score_set_load(const char *prog, const zp_score_inputs *in, long max_frames, size_t mem_limit,
				int *exit_code);
void zp_score_set_free(zp_score_set *s);

zp_score_kind zp_score_set_kind(const zp_score_set *s);
/* Frames held, their size, and a one-line description ("CDnet, 1099 frames 360x240, 800 scored"). */
void zp_score_set_info(const zp_score_set *s, long *frames, int *width, int *height, char *desc, size_t desclen);
/* The last annotated frame (MOT; else the frames held), and the source's frame rate. */
int64_t zp_score_set_annotated(const zp_score_set *s);
double zp_score_set_fps(const zp_score_set *s);

/*
 * Run the frames through cfg's chain (chain.h: the detector, with ground,
 * may be NULL, as every command runs it; no counts kept) and score
 * frames from first (the warm-up's end: MOT) to the end of the annotation:
 * those before split into *out, those from split on into *held (split <= 0:
 * no hold-out, *held may be NULL). Returns 0, or a negative zp_err with a
 * message in err (a detector that cannot be built from cfg: ZP_EINVAL;
 * zones outside the frame: ZP_EINVAL).
 */
int zp_score_run(const zp_score_set *s, const zp_config *cfg, const zp_homography *ground, int64_t first,
		 int64_t split, zp_score *out, zp_score *held, char *err, size_t errlen);

#endif
