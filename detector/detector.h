/* SPDX-License-Identifier: MIT */
/*
 * detector.h - one frame in, one result out.
 *
 * luma -> (optional downscale) -> background model (models/) -> mask clean-up
 * -> connected components -> blob filter -> tracker -> zone occupancy ->
 * events and counts -> health verdict.
 *
 * Pure: no clock, no I/O, no globals. Time comes in with the frame (t_ms).
 * All memory is allocated in zp_detector_new(); processing a frame allocates
 * nothing. Same frames in, same results out.
 */
#ifndef ZP_DETECTOR_H
#define ZP_DETECTOR_H

#include "zp_common.h"
#include "calibration.h"
#include "models.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tunables; every field but simd has a [detector] config key of the same name (see README). */
typedef struct zp_detector_params {
	int scale;              /* process at 1/scale of the input resolution: 1, 2 or 4; 0 auto (zp_detector_scale) */
	int threshold;          /* minimum luma difference that counts as foreground */
	/*
	 * Low light: below this mean background luma the threshold scales down
	 * with it (threshold x level / low_light_luma, at least a quarter of
	 * threshold): a scene at a third of its brightness shows a third of the
	 * contrast. 0 off; 1..255.
	 */
	int low_light_luma;
	int learn_shift;        /* background learning rate 1/2^learn_shift per frame */
	int warmup_frames;      /* frames before the model is trusted */
	/*
	 * Flickering background (leaves, water, flags, rain on the lens): a
	 * pixel whose blink level (+16 each time it comes back to the
	 * background after missing it, -1 a frame) is at least flicker_on
	 * learns a second background level from its other look; values that
	 * match it are background. 1..127 (lower: more pixels count as
	 * flickering); 0 off. models.h, zp_bgmodel_params.flicker_on.
	 */
	int flicker_on;
	/*
	 * The threshold of a flickering pixel, % of threshold (a pixel with
	 * more than two looks, leaves of many shades, needs a larger change).
	 * 100..400; 100: the same as every pixel.
	 */
	int flicker_floor;
	/*
	 * Mask clean-up at work scale, in this order: majority vote over a
	 * (2r+1)^2 window (removes speckle, keeps limbs; 0 off), opening
	 * (removes speckle, cuts thin limbs), closing (fills holes). -1 (the
	 * default for vote and close): 2 at scale 1, else 1 - the same window
	 * in camera pixels at scales 1 and 2.
	 */
	int vote_radius;
	int open_radius;
	int close_radius;
	/*
	 * After the clean-up, holes in the foreground (background regions it
	 * encloses, touching no edge of the frame) smaller than min_area are
	 * filled: a person has no holes, and a gap smaller than the smallest
	 * person is not a place between people. 1 on, 0 off.
	 */
	int fill_holes;
	/*
	 * Shadows: 0 off, 1 luma (a darker copy of textured ground is a shadow),
	 * 2 colour (also on flat ground when the chroma is kept; frames without
	 * colour fall back to luma). A foreground pixel is a shadow candidate when
	 * frame / background over its 3x3 window is within the ratio limits.
	 */
	int shadows;
	double shadow_min_ratio;
	double shadow_max_ratio;
	/*
	 * Pools of light (headlights, a lamp), in low light only (the
	 * background's level below low_light_luma): a foreground pixel whose
	 * 3x3 window is the background brighter (1.15 to 4 times), with its
	 * texture kept - or, on flat ground, brightened alike all around it -
	 * is background, unless its lit region is closed by an object's edges
	 * and smaller than 8 x min_area (shadow.c). 0 off, 1 on.
	 */
	int light_pools;
	/*
	 * Camera shake: a foreground pixel whose 3x3 patch is the background's
	 * moved by up to a pixel is taken as the picture moved, not as
	 * something new. 0 off, 1 on.
	 */
	int jitter;
	int colour_fill;        /* 1: inside a blob's box, a pixel of another colour than the background is foreground (needs colour) */
	int split_groups;       /* 1: cut a blob at a person standing further back at its end (own ground point) */
	/*
	 * Blob area limits, input pixels, and the largest ground-point jump per
	 * frame. 0 (the default) is auto: 400, 60000 and 60 at 640x480, scaled
	 * with the frame's area (the jump with its side) for larger frames;
	 * below 640x480 min_area scales too, to no less than 250
	 * (zp_detector_params_resolve()).
	 */
	int min_area;
	int max_area;
	int track_max_missed;   /* frames a track survives without a blob */
	double track_max_dist;
	int track_min_hits;     /* frames a track needs before it counts as a person */
	int still_hold_ms;      /* keep a person who stands still in the foreground this long */
	int count_min_ms;       /* a track is counted into a zone once it has been in it this long */
	int call_extend_ms;     /* a zone's call stays on this long after its last person (zp_result.zone_call) */
	int ghost_fade_ms;      /* a left object or ghost fades into the background within this */
	/* health */
	int dark_luma;          /* mean luma below this: too dark */
	int blind_luma;         /* mean luma above this (or flat image): blinded */
	int flat_stddev;        /* luma standard deviation below this: covered / flat */
	int frozen_ms;          /* identical frames for this long: frozen */
	double max_fg_fraction; /* more of the frame foreground than this: not trustworthy */
	/*
	 * With a ground homography ([ground]) these replace min_area/max_area:
	 * a blob is a person when its width on the ground (bottom edge of the
	 * box) and its height (box height at the local scale of the feet) are
	 * within these limits, metres. Without [ground] they are not used.
	 */
	double person_min_width_m;
	double person_max_width_m;
	double person_min_height_m;
	double person_max_height_m;
	/*
	 * Not a config key: the program sets it. The path of the per-pixel
	 * kernels (background model, downscale, clean-up): ZP_SIMD_AUTO (the
	 * default) = the CPU's best; a path the CPU lacks falls back to the
	 * best. zebrapad's main reads ZEBRAPAD_SIMD once and passes it down;
	 * the detector reads no environment.
	 */
	zp_simd simd;
} zp_detector_params;

void zp_detector_params_default(zp_detector_params *p);

/*
 * The scale the detector works at for frames `width` pixels wide: p->scale,
 * or for scale 0 (auto, the default) the largest of 1, 2, 4 that keeps the
 * work width at 320 pixels or more - 1 below 640 px, 2 below 1280, else 4.
 */
int zp_detector_scale(const zp_detector_params *p, int width);

/*
 * Fill in what is auto for frames of width x height: the scale
 * (zp_detector_scale()) and the pixel sizes left at 0 - min_area 400,
 * max_area 60000, track_max_dist 60 at 640x480, times
 * width*height/(640*480) (the distance times its square root) above; below,
 * min_area times that ratio, at least 250, and the others as at 640x480. An
 * auto min_area never exceeds an explicit max_area. zp_detector_new() calls
 * it; callers that show the effective values call it too.
 */
void zp_detector_params_resolve(zp_detector_params *p, int width, int height);

/*
 * Set one [detector] key from its config text. Returns 0, ZP_EINVAL with
 * "expected ..." in err when the value is bad, or ZP_ENODEV when the key is
 * unknown (the caller reports the unknown key).
 */
int zp_detector_params_set(zp_detector_params *p, const char *key, const char *value, char *err, size_t errlen);

/* Check the whole set (cross-field limits); 0 or ZP_EINVAL with a message naming the key. */
int zp_detector_params_check(const zp_detector_params *p, char *err, size_t errlen);

typedef enum zp_health {
	ZP_HEALTH_OK = 0,
	ZP_HEALTH_WARMUP,      /* background model not ready yet */
	ZP_HEALTH_DARK,        /* scene too dark to see people */
	ZP_HEALTH_BLINDED,     /* saturated, covered or flat view */
	ZP_HEALTH_FROZEN,      /* the image has not changed for frozen_ms */
	ZP_HEALTH_FOREGROUND,  /* most of the frame is foreground (global change) */
} zp_health;

const char *zp_health_name(zp_health h);

typedef enum zp_event_type {
	ZP_EV_ENTER = 0,  /* a person's ground point came into a zone */
	ZP_EV_LEAVE,      /* ... left it */
} zp_event_type;

typedef struct zp_event {
	zp_event_type type;
	int track_id;
	int zone;          /* index into the zones given to zp_detector_new() */
} zp_event;

typedef struct zp_track_info {
	int id;            /* stable across frames, from 1 */
	zp_rect box;       /* input pixels */
	double gx, gy;     /* ground point (bottom centre), input pixels */
	uint32_t zones;    /* bit z set when the ground point is inside zone z */
	int age;           /* frames since the track began */
	bool confirmed;    /* counts as a person (track_min_hits reached) */
	double speed_mps;  /* speed of the ground point on the road, m/s; -1 without a ground homography */
} zp_track_info;

typedef struct zp_result {
	uint64_t seq;
	int64_t t_ms;
	zp_health health;
	bool model_ready;
	double fg_fraction;                 /* of the work-scale frame, after clean-up */
	int nzones;
	int zone_count[ZP_MAX_ZONES];       /* confirmed tracks whose ground point is in the zone */
	/*
	 * People counted into the zone in this frame: a confirmed track whose
	 * ground point has been in the zone for count_min_ms, once per track and
	 * zone. A track that steps out and back in is not counted again, so summing zone_entered over frames counts people, not edge
	 * flicker. The store's `entered` and the summaries are these sums.
	 */
	int zone_entered[ZP_MAX_ZONES];
	/*
	 * Crossing zones with two sides (zp_zone.side): people who finished a
	 * crossing in this frame - they were last in one side's waiting zone,
	 * then in this zone, and have now reached the other side.
	 * [z][0]: from side[0] to side[1]; [z][1]: back. Counted like
	 * zone_entered (confirmed tracks that do not look like a ghost).
	 */
	int zone_crossed[ZP_MAX_ZONES][2];
	/*
	 * The zone's call, as a pedestrian detector gives it to a signal
	 * controller: on while zone_count > 0 and for call_extend_ms after, so a
	 * person lost for a frame or two (a blob that broke up, a track
	 * re-found) does not break the call. Off while the model warms up.
	 */
	bool zone_call[ZP_MAX_ZONES];
	/*
	 * Camera sway: this frame was the background moved by (sway_x, sway_y)
	 * input pixels, and was moved back before the model saw it (zones stay
	 * on the ground they were drawn on); 0, 0 on a steady camera. The
	 * tracks, the blobs and the mask are given in this frame's pixels.
	 */
	int sway_x, sway_y;
	int ntracks;
	zp_track_info tracks[ZP_MAX_TRACKS];
	int nblobs;
	int nevents;
	zp_event events[ZP_MAX_EVENTS];
} zp_result;

/* true when any zone holds a person. */
bool zp_result_occupied(const zp_result *r);

typedef struct zp_detector zp_detector;

/*
 * Create a detector for width x height input frames and the given zones
 * (copied). Returns NULL and a message in err on bad arguments or no memory.
 * ground may be NULL (pixel size limits only).
 */
zp_detector *zp_detector_new(const zp_detector_params *p, const zp_zone *zones, int nzones,
			     int width, int height, const zp_homography *ground, char *err, size_t errlen);
void zp_detector_free(zp_detector *d);

/* Process one frame: runs our background model. Returns 0 or ZP_EINVAL (size mismatch). */
int zp_detector_process(zp_detector *d, const zp_frame *f, zp_result *out);

/*
 * The same downstream pipeline on a foreground mask made elsewhere (an
 * OpenCV model in `eval --compare`): fgmask is width x height, 0 or 255,
 * at input resolution.
 */
int zp_detector_process_mask(zp_detector *d, const zp_frame *f, const uint8_t *fgmask, int fgstride,
			     zp_result *out);

/* The cleaned foreground mask of the last frame at input resolution, 0/255, into dst. */
void zp_detector_mask(const zp_detector *d, uint8_t *dst, int dst_stride);

/*
 * The blobs of the last frame (connected components of the cleaned mask that
 * passed the area filter), as boxes in input pixels, in raster order of
 * their first pixel: up to max into boxes (may be NULL when max is 0).
 * Returns how many blobs there are (the same as zp_result.nblobs).
 */
int zp_detector_blobs(const zp_detector *d, zp_rect *boxes, int max);

/* Name of the kernel path in use ("scalar", "sse2", "avx2", "neon"): params.simd, resolved. */
const char *zp_detector_model_path(const zp_detector *d);

/* Bytes held by the detector (models, masks, labels), for the memory budget. */
size_t zp_detector_state_bytes(const zp_detector *d);

#ifdef __cplusplus
}
#endif
#endif
