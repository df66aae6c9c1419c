/* SPDX-License-Identifier: MIT */
/*
 * eval.h - scoring the detector against ground truth: pure metric
 * accumulators, plus the two small text loaders they need.
 *
 *  - CDnet pixel metrics (changedetection.net rules): a per-frame mask
 *    against a ground-truth mask inside the spatial ROI and the temporal ROI.
 *  - MOTChallenge box metrics (CLEAR MOT): our confirmed tracks' boxes
 *    against gt.txt boxes per frame at IoU >= 0.5, matched by the Hungarian
 *    method with CLEAR MOT's continuation rule, ID switches, MOTA.
 *  - Zone presence per frame: "someone's ground point is in the zone"
 *    against the detector's zone_count > 0, over frames and over presence
 *    episodes (missed episodes, entry latency).
 *
 * Images are decoded by the caller (the eval command, through the OpenCV
 * wrapper); this room sees plain buffers and numbers. No clock, no globals.
 * Rates whose denominator is 0 are NaN ("undefined"), never a made-up 0 or 1.
 */
#ifndef ZP_EVAL_H
#define ZP_EVAL_H

#include "zp_common.h"
#include "calibration.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CDnet pixel metrics ---- */

/* Ground-truth pixel values in CDnet masks. */
enum {
	ZP_CDNET_STATIC = 0,     /* negative */
	ZP_CDNET_SHADOW = 50,    /* negative (a hard shadow is not foreground) */
	ZP_CDNET_OUTSIDE = 85,   /* outside the ROI: not scored */
	ZP_CDNET_UNKNOWN = 170,  /* motion-blurred boundary: not scored */
	ZP_CDNET_MOVING = 255,   /* positive */
};

/*
 * Pixel counts over the scored frames. Zero-initialise it, or use
 * zp_eval_pixels_init() to set a temporal ROI.
 */
typedef struct zp_eval_pixels {
	int64_t troi_first, troi_last;  /* temporal ROI, frame numbers from 1, inclusive; 0,0 = every frame */
	uint64_t tp, fp, tn, fn;
	uint64_t shadow, shadow_fp;     /* scored shadow pixels (gt 50), and those we call foreground (in fp too) */
	uint64_t frames;                /* frames scored */
} zp_eval_pixels;

/* Counts to 0 and the temporal ROI to [first, last] (first = last = 0: every frame). */
void zp_eval_pixels_init(zp_eval_pixels *acc, int64_t first, int64_t last);

/* true when frame (numbered from 1) is in the temporal ROI, i.e. will be scored. */
bool zp_eval_pixels_in_troi(const zp_eval_pixels *acc, int64_t frame);

/*
 * Score one frame: mask (nonzero = our foreground) against gt (CDnet values
 * above) where roi is 255 (roi may be NULL: the whole frame). Any other gt
 * value than 0/50/85/170/255 counts as not scored. Frames outside the
 * temporal ROI are skipped (returns false); true when the frame was scored.
 */
bool zp_eval_pixels_frame(zp_eval_pixels *acc, int64_t frame, const uint8_t *mask, int mask_stride,
			  const uint8_t *gt, int gt_stride, const uint8_t *roi, int roi_stride, int width, int height);

/* Rates from TP FP TN FN (CDnet's definitions). NaN where the denominator is 0. */
typedef struct zp_eval_rates {
	double precision;   /* TP / (TP + FP) */
	double recall;      /* TP / (TP + FN) */
	double f;           /* 2 P R / (P + R); 0 when P = R = 0 */
	double fpr;         /* FP / (FP + TN) */
	double fnr;         /* FN / (TP + FN) */
	double pwc;         /* 100 (FN + FP) / (TP + FN + FP + TN) */
	double specificity; /* TN / (TN + FP) */
} zp_eval_rates;

void zp_eval_rates_compute(uint64_t tp, uint64_t fp, uint64_t tn, uint64_t fn, zp_eval_rates *out);

/*
 * Parse CDnet's temporalROI.txt text "FIRST LAST" (blanks/newline around,
 * 1 <= FIRST <= LAST). 0, or ZP_EINVAL with "NAME: expected two frame
 * numbers 'FIRST LAST' with 1 <= FIRST <= LAST" in err.
 */
int zp_eval_troi_parse(const char *text, const char *name, int64_t *first, int64_t *last, char *err,
		       size_t errlen);
/* Read and parse the file; ZP_ENODEV "PATH: cannot open (...)" when it is not readable. */
int zp_eval_troi_load(const char *path, int64_t *first, int64_t *last, char *err, size_t errlen);

/* ---- boxes ---- */

typedef struct zp_eval_box {
	int id;              /* track / ground-truth identity */
	double x, y, w, h;   /* left, top, width, height in input pixels */
} zp_eval_box;

/* Intersection over union; 0 when either box has no area or they only touch. */
double zp_eval_iou(const zp_eval_box *a, const zp_eval_box *b);

/* ---- MOTChallenge gt.txt ---- */

/* gt.txt, rows with conf != 0 only, sorted by frame (stable: file order within a frame). */
typedef struct zp_eval_gt zp_eval_gt;

/*
 * Parse gt.txt text: one row per line "frame,id,left,top,width,height,conf,x,y,z"
 * (MOT15: 10 numbers; MOT16 and later: 9, "...,conf,class,visibility").
 * Rows with conf = 0 are dropped (MOTChallenge: "ignore"). Blank lines are
 * allowed. Returns the set, or NULL with "NAME:LINE: expected 9 or 10
 * comma-separated numbers (frame,id,left,top,width,height,conf,...)" (or
 * what else is wrong: frame < 1, width or height < 0) in err and *code =
 * ZP_EINVAL (ZP_ENOMEM when out of memory).
 */
zp_eval_gt *zp_eval_gt_parse(const char *text, size_t len, const char *name, int *code, char *err, size_t errlen);
/* Read and parse a file; ZP_ENODEV "PATH: cannot open (...)" when not readable. */
zp_eval_gt *zp_eval_gt_load(const char *path, int *code, char *err, size_t errlen);
/* The boxes of one frame (numbered from 1): *boxes points into the set; returns how many (0: none). */
int zp_eval_gt_frame(const zp_eval_gt *gt, int64_t frame, const zp_eval_box **boxes);
/* Number of rows kept; the largest frame number (0 when empty). */
size_t zp_eval_gt_rows(const zp_eval_gt *gt);
int64_t zp_eval_gt_last_frame(const zp_eval_gt *gt);
/* NULL is a no-op. */
void zp_eval_gt_free(zp_eval_gt *gt);

/* ---- CLEAR MOT box accumulator ---- */

typedef struct zp_eval_mot zp_eval_mot;

/* Totals; rates are NaN when their denominator is 0. */
typedef struct zp_eval_mot_stats {
	uint64_t frames;
	uint64_t gt;          /* ground-truth boxes */
	uint64_t tp;          /* matches */
	uint64_t fp;          /* our boxes without a match */
	uint64_t fn;          /* ground-truth boxes without a match */
	uint64_t idsw;        /* a ground-truth id matched to another track than at its last match */
	double precision;     /* TP / (TP + FP) */
	double recall;        /* TP / GT */
	double mota;          /* 1 - (FN + FP + IDSW) / GT; may be negative */
	double motp_iou;      /* mean IoU of the matches */
} zp_eval_mot_stats;

/* iou_min: the match threshold (MOTChallenge: 0.5). NULL when out of memory. */
zp_eval_mot *zp_eval_mot_new(double iou_min);
void zp_eval_mot_free(zp_eval_mot *m);

/*
 * One frame. Matching (CLEAR MOT, as py-motmetrics does it): a ground-truth
 * id still overlapping (IoU >= iou_min) the track it was matched to at its
 * last match keeps it; the remaining boxes are matched by the Hungarian
 * method, first maximising the number of pairs with IoU >= iou_min, then
 * the sum of their IoU. A ground-truth id matched to a different track id
 * than at its previous match (in any earlier frame) is an ID switch.
 * Ids within gt (and within ours) should be distinct. Returns 0 or ZP_ENOMEM.
 */
int zp_eval_mot_frame(zp_eval_mot *m, const zp_eval_box *gt, int ngt, const zp_eval_box *ours, int nours);

void zp_eval_mot_get(const zp_eval_mot *m, zp_eval_mot_stats *out);

/*
 * Hungarian method (Kuhn-Munkres with potentials) on an n x m cost matrix
 * (row-major, cost[i * m + j]), n <= m or not: assigns each row at most one
 * column minimising the total cost, with every row (or every column when
 * m < n) assigned. row_to_col[i] gets the column or -1. work must hold
 * zp_eval_hungarian_work(n, m) bytes. Exposed for the tests.
 */
size_t zp_eval_hungarian_work(int n, int m);
void zp_eval_hungarian(const double *cost, int n, int m, int *row_to_col, void *work);

/* ---- zone presence ---- */

/*
 * Ground-truth presence per zone: bit z set when some box's ground point
 * (bottom centre: x + w/2, y + h) lies in zone z's polygon (an edge counts).
 */
uint32_t zp_eval_zone_presence(const zp_zone *zones, int nzones, const zp_eval_box *boxes, int n);

typedef struct zp_eval_presence zp_eval_presence;

typedef struct zp_eval_presence_stats {
	uint64_t frames;
	uint64_t tp, fp, fn, tn;  /* frames: both present, only ours, only ground truth, neither */
	double precision, recall, f;
	uint64_t episodes;        /* maximal runs of ground-truth-present frames */
	uint64_t missed;          /* episodes with no frame detected as present */
	double latency_median;    /* frames from episode start to first detected frame, caught episodes; NaN if none */
	int64_t latency_max;      /* -1 when no episode was caught */
} zp_eval_presence_stats;

/* NULL when out of memory. */
zp_eval_presence *zp_eval_presence_new(void);
void zp_eval_presence_free(zp_eval_presence *p);

/*
 * One frame, in increasing frame order (frame numbers from 1; a gap in the
 * numbers ends an episode). Returns 0, ZP_EINVAL (frame not after the
 * previous one) or ZP_ENOMEM.
 */
int zp_eval_presence_frame(zp_eval_presence *p, int64_t frame, bool gt_present, bool our_present);

/* Totals so far (an episode still running at the last frame counts). */
void zp_eval_presence_get(const zp_eval_presence *p, zp_eval_presence_stats *out);

/*
 * Pooled over n accumulators (all zones): frame counts and episodes summed,
 * precision/recall/F from the summed counts, latency median and max over
 * the caught episodes of all of them.
 */
void zp_eval_presence_pool(const zp_eval_presence *const *ps, int n, zp_eval_presence_stats *out);

/* true when the box's ground point (bottom centre) lies in the zone's polygon (an edge counts). */
bool zp_eval_box_in_zone(const zp_zone *zone, const zp_eval_box *box);

/* ---- counts per zone ---- */

/*
 * People counted into one zone over the scored frames: distinct
 * ground-truth ids whose ground point is in the zone on at least min_frames
 * frames (not necessarily consecutive), against the detector's `entered`
 * (the sum of its per-frame zone_entered, as the store keeps it) and the
 * distinct confirmed track ids seen in the zone.
 */
typedef struct zp_eval_counts zp_eval_counts;

typedef struct zp_eval_counts_stats {
	uint64_t gt_people;      /* ground-truth ids in the zone on >= min_frames frames */
	uint64_t entered;        /* the sum of zone_entered */
	uint64_t tracks;         /* distinct confirmed track ids with their ground point in the zone */
	double entered_error;    /* 100 (entered - gt_people) / gt_people, %; NaN when gt_people is 0 */
	double tracks_error;     /* the same for tracks */
} zp_eval_counts_stats;

/* min_frames >= 1 (eval: 3). NULL when out of memory or min_frames < 1. */
zp_eval_counts *zp_eval_counts_new(int min_frames);
void zp_eval_counts_free(zp_eval_counts *c);

/*
 * One scored frame: the ids of the ground-truth boxes in the zone (an id
 * given twice in a frame counts once), the detector's zone_entered for the
 * zone, and the ids of the confirmed tracks in the zone. 0 or ZP_ENOMEM.
 */
int zp_eval_counts_frame(zp_eval_counts *c, const int *gt_ids, int ngt, int entered, const int *track_ids,
			 int ntracks);
void zp_eval_counts_get(const zp_eval_counts *c, zp_eval_counts_stats *out);
/* Summed over n zones (each zone's people are distinct: a person in two zones counts in both); errors from the sums. */
void zp_eval_counts_pool(const zp_eval_counts *const *cs, int n, zp_eval_counts_stats *out);

/* ---- crossings ---- */

/*
 * People who crossed one crossing zone with two sides (zp_zone_has_sides)
 * from one of its waiting zones to the other, in each direction: the
 * ground truth against the detector's zone_crossed summed over the scored
 * frames (as the store keeps it). The ground truth is judged by the
 * detector's own rule (zp_crossing_step(), calibration.h), on the boxes'
 * ground points: each
 * id remembers the waiting zone it was last in and whether it has been in
 * the crossing zone since; reaching the other side's waiting zone after
 * that completes a crossing, and any waiting zone starts the memory afresh
 * (out onto the road and back to the same kerb is no crossing).
 */
typedef struct zp_eval_crossings zp_eval_crossings;

typedef struct zp_eval_crossings_stats {
	bool sides;              /* the zone has two sides: the figures below mean something */
	uint64_t gt[2];          /* ground-truth crossings: [0] side[0] -> side[1], [1] back */
	uint64_t detected[2];    /* the detector's zone_crossed, summed */
	double error;            /* 100 (detected - gt) / gt over both directions, %; NaN when gt is 0 */
} zp_eval_crossings_stats;

/* NULL when out of memory. */
zp_eval_crossings *zp_eval_crossings_new(void);
void zp_eval_crossings_free(zp_eval_crossings *c);

/*
 * One scored frame, for crossing zone z of zones[nzones]: the ground-truth
 * boxes (each id at most once counts; frames in order) and the detector's
 * zone_crossed[z]. Nothing is counted when z has no sides. 0 or ZP_ENOMEM.
 */
int zp_eval_crossings_frame(zp_eval_crossings *c, const zp_zone *zones, int nzones, int z, const zp_eval_box *gt,
			    int ngt, const int detected[2]);
void zp_eval_crossings_get(const zp_eval_crossings *c, zp_eval_crossings_stats *out);
/* Summed over n zones (those with sides); error from the sums. */
void zp_eval_crossings_pool(const zp_eval_crossings *const *cs, int n, zp_eval_crossings_stats *out);

/* ---- valid calls (passive pedestrian detection: the signal's "call") ---- */

/*
 * One zone's call (the detector's zone_call: occupied, extended by call_extend_ms) against ground-truth
 * call episodes, frame by frame over a contiguous range of scored frames.
 * T = the tolerance in frames (1 s at the source's frame rate).
 *
 *  - An episode is a run of frames with someone's ground point in the zone;
 *    runs separated by an empty gap of at most T frames are merged into one
 *    (the call may stay on through such a gap).
 *  - An episode [s, e] is valid when the call comes on within T frames of s
 *    (a call already on at s counts as on time), has no off frame from then
 *    until it drops while someone is in the zone (an off stretch that
 *    begins inside a merged empty gap is allowed when the call is on again
 *    within T frames of the next arrival, as at an episode's start), and
 *    drops (first off frame d after its last on frame) with |d - (e + 1)| <= T.
 *  - A failed episode gets the first class that applies, in this order:
 *    missed (no on frame in [s, e]), late (first on frame > s + T), spotty
 *    (off while someone is in the zone, then on again by e), dropped (off
 *    from frame d <= e through e, with e + 1 - d > T), held (on for more than
 *    T frames after e: d - (e + 1) > T; a call still on at the end of the
 *    range counts when more than T frames follow e).
 *  - Outside the episodes: an empty stretch is a maximal run of frames in
 *    no episode; a false call is a maximal run of on frames none of which is
 *    within T frames of an episode (a held call's tail is "held", not false).
 */
typedef struct zp_eval_calls zp_eval_calls;

typedef struct zp_eval_calls_stats {
	uint64_t frames;
	int tolerance;           /* T, frames */
	uint64_t episodes;
	uint64_t valid, missed, late, spotty, dropped, held;
	double valid_share;      /* valid / episodes; NaN when there is no episode */
	uint64_t empty_stretches;
	uint64_t false_calls;    /* runs of on frames away from every episode */
	uint64_t false_call_frames;
} zp_eval_calls_stats;

/* tolerance_frames >= 0. NULL when out of memory. */
zp_eval_calls *zp_eval_calls_new(int tolerance_frames);
void zp_eval_calls_free(zp_eval_calls *c);
/* One frame; frames must be consecutive (ZP_EINVAL otherwise). 0, ZP_EINVAL or ZP_ENOMEM. */
int zp_eval_calls_frame(zp_eval_calls *c, int64_t frame, bool gt_present, bool call_on);
/* Classify the episodes seen so far (an episode running at the last frame is judged on the frames there are). */
void zp_eval_calls_get(const zp_eval_calls *c, zp_eval_calls_stats *out);
/* Summed over n zones; valid_share from the sums. */
void zp_eval_calls_pool(const zp_eval_calls *const *cs, int n, zp_eval_calls_stats *out);

/* ---- recording notes ---- */

/*
 * MOTChallenge seqinfo.ini text: "seqLength=N" and "frameRate=R" in its
 * [Sequence] section (other keys ignored). *length 0 and *fps 0 when absent.
 * 0, or ZP_EINVAL with "NAME:LINE: expected seqLength=N (1..10^9)" (or
 * frameRate=R, 0 < R <= 1000) in err.
 */
int zp_eval_seqinfo_parse(const char *text, size_t len, const char *name, int64_t *length, double *fps, char *err,
			  size_t errlen);

/*
 * A Wallflower set's script.txt: the number of the first line of the form
 * "NNNNN - ... enters ..." (the first frame with somebody in view; "enter"
 * in any case). 0 and *frame, or ZP_ENODEV when no line says so.
 */
int zp_eval_wallflower_first_entry(const char *text, size_t len, int64_t *frame);

#ifdef __cplusplus
}
#endif
#endif
