/* SPDX-License-Identifier: MIT */
/*
 * detector_internal.h - the stages of the detector, one file each:
 *
 *   exposure.c  global gain estimate and compensation (camera auto-exposure steps)
 *   blobs.c     connected components (8-connected, run based) and the blob filter
 *   ghost.c     a blob's outline in the frame and in the background (ghosts)
 *   tracker.c   blob -> track association, prediction, groups, still/hold state, ghost verdict
 *   stature.c   a person's height in the picture by the row of his feet, learnt from the tracks
 *   zones.c     zone membership, ENTER/LEAVE events, per-zone counts
 *   health.c    frame statistics and the health verdict
 *   detector.c  construction, buffers and the pipeline that ties them together
 *
 * Every stage works on memory allocated in zp_detector_new(); none allocates
 * per frame. All are deterministic: same inputs, same outputs.
 */
#ifndef ZP_DETECTOR_INTERNAL_H
#define ZP_DETECTOR_INTERNAL_H

#include "detector.h"
#include "models.h"

#include <string.h>

/* ---- mask scans (blobs.c, shadow.c) ---- */

/*
 * The first x' >= x with row[x'] != 0 (zp_skip_zero) or row[x'] == 0
 * (zp_skip_set), or w: 8 bytes at a time (memcpy into a u64 is one
 * unaligned load), and on a little-endian machine the word's lowest set bit
 * says which byte; elsewhere the last bytes are walked one by one.
 * (v - 0x01s) & ~v & 0x80s is the "has a zero byte" test: exact for the
 * word, and its lowest set bit is the first zero byte (a borrow runs only
 * towards the more significant bytes, the later ones in memory).
 */
static inline int zp_word_first_byte(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_ctzll(v) >> 3;
#else
	(void)v;
	return -1; /* not known: walk the bytes */
#endif
}

static inline int zp_skip_zero(const uint8_t *row, int x, int w)
{
	uint64_t v, q0, q1, q2, q3;

	/* masks are mostly empty: 32 bytes a test first (four words in registers, not an array on the stack) */
	for (; x + 32 <= w; x += 32) {
		memcpy(&q0, row + x, 8);
		memcpy(&q1, row + x + 8, 8);
		memcpy(&q2, row + x + 16, 8);
		memcpy(&q3, row + x + 24, 8);
		if (q0 | q1 | q2 | q3)
			break;
	}
	for (; x + 8 <= w; x += 8) {
		memcpy(&v, row + x, 8);
		if (v) {
			int k = zp_word_first_byte(v);

			if (k >= 0)
				return x + k;
			break;
		}
	}
	while (x < w && !row[x])
		x++;
	return x;
}

static inline int zp_skip_set(const uint8_t *row, int x, int w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t v, z;

	for (; x + 8 <= w; x += 8) {
		memcpy(&v, row + x, 8);
		z = (v - ones) & ~v & highs;
		if (z) {
			int k = zp_word_first_byte(z);

			if (k >= 0)
				return x + k;
			break;
		}
	}
	while (x < w && row[x])
		x++;
	return x;
}

/* Pixels two boxes share (tracker.c, vehicle.c). */
static inline int64_t zp_rect_overlap(const zp_rect *a, const zp_rect *b)
{
	int x0 = a->x > b->x ? a->x : b->x;
	int y0 = a->y > b->y ? a->y : b->y;
	int x1 = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
	int y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;

	if (x1 <= x0 || y1 <= y0)
		return 0;
	return (int64_t)(x1 - x0) * (y1 - y0);
}

/* ---- blobs.c ---- */

/* A connected component that passed the area filter, in input pixels. */
typedef struct zp_blob {
	zp_rect box;
	int area;          /* foreground pixels x scale^2 */
	int32_t root;      /* its component in the zp_cc of the frame (root run); the blob is its pixels inside box */
	double gx, gy;     /* ground point: bottom centre, x + (w - 1) / 2, y + h - 1 */
	/* ghost.c: gradient sums along the mask's boundary in the box, frame and background; edge_n pixels (0: not measured) */
	int32_t edge_frame, edge_bg;
	int edge_n;
	bool vehicle;      /* cut from a component that moves faster than anyone on foot (vehicle.c) */
	bool fast;         /* ... or that made at least one step that fast */
	bool wide;         /* ... or that is at least ZP_VEHICLE_WIDTH_PCT % of a person's height wide */
} zp_blob;

/*
 * A piece: a component (or a part of one) under min_area but at least
 * ZP_PIECE_MIN_PCT % of it, or a blob too small on the ground ([ground]).
 * Not a person by itself; pieces inside the box of a confirmed track that
 * has stood still for ZP_PIECES_STILL_MS and lost its blob are that person,
 * broken up by the mask (tracker.c, seen_in_pieces). At most ZP_MAX_PIECES
 * a frame, in raster order.
 */
typedef struct zp_piece {
	zp_rect box;       /* input pixels */
	int area;          /* foreground pixels x scale^2 */
} zp_piece;

#define ZP_MAX_PIECES 64
#define ZP_PIECE_MIN_PCT 10
#define ZP_PIECES_STILL_MS 1000

/* One horizontal run of foreground pixels [x0, x1] on row y. */
typedef struct zp_run {
	uint16_t x0, x1, y;
} zp_run;

/* Per-component statistics, indexed by the root run. */
typedef struct zp_ccstat {
	int32_t area;
	uint16_t x0, x1, y0, y1;
} zp_ccstat;

/* Label buffers for the component search, sized for the worst case at _init. */
typedef struct zp_cc {
	int w, h;
	int cap;           /* runs: ceil(w/2) per row x h */
	zp_run *runs;
	int32_t *parent;
	zp_ccstat *stat;
	int32_t *row_first; /* index of the first run of each row, h + 1 entries */
	int16_t *low, *top; /* per column of one component: its lowest and highest row (split_groups) */
	int32_t *cnt;       /* ... and its pixels in that column */
	int ncomponents;    /* components found in the last call, before the filter */
	int y0, y1;         /* the mask of the next call is all zero outside rows [y0, y1): _init sets 0, h */
} zp_cc;

int zp_cc_init(zp_cc *cc, int w, int h);
void zp_cc_fini(zp_cc *cc);
size_t zp_cc_bytes(const zp_cc *cc);

/*
 * Label the 0/non-zero mask (w x h at work scale) into 8-connected
 * components and write those whose area in input pixels (work area x
 * scale^2) lies in [min_area, max_area] into out[0..max), in raster order of
 * their first pixel. Boxes are scaled back to input pixels. With split, a
 * component whose left or right end is a person standing further back
 * (feet clearly higher, as tall as a person) is cut there into up to three
 * blobs, left to right (see split_columns() in blobs.c). shadow (may be
 * NULL; w x h, stride w): pixels found to be a cast shadow before the
 * clean-up; the rows at the bottom of a blob's box and the columns at its
 * sides that are mostly shadow are trimmed off the box (trim_shadow()), so
 * the ground point stays at the feet. Returns the number of blobs written.
 * What is under min_area but at least ZP_PIECE_MIN_PCT % of it goes into
 * pieces[0..max_pieces) (*npieces of them), in the same order. Rows of the
 * mask outside [cc->y0, cc->y1) are taken as zero and not read.
 */
int zp_blobs_find(zp_cc *cc, const uint8_t *mask, int stride, int scale, int min_area, int max_area, bool split,
		  const uint8_t *shadow, zp_blob *out, int max, zp_piece *pieces, int max_pieces, int *npieces);

/*
 * Fill the holes of the 0/non-zero mask (w x h of cc, stride): background
 * regions (4-connected) that touch no edge of the frame and have at most
 * max_area pixels become 255. Uses cc's buffers (labels are lost). Rows
 * outside [cc->y0, cc->y1) are taken as zero and not read. Returns the
 * pixels filled.
 */
int zp_holes_fill(zp_cc *cc, uint8_t *mask, int stride, int max_area);

/* ---- ghost.c ---- */

/*
 * Measure b->edge_frame, edge_bg, edge_n: the gradient magnitude of the
 * frame `in` (work scale, stride istride) and of the background bg (w x h,
 * stride w) summed over the boundary pixels of the blob (its component's
 * runs in cc inside its box; mask: the cleaned mask cc was labelled from).
 */
void zp_blob_edges(zp_blob *b, const zp_cc *cc, const uint8_t *mask, int scale, const uint8_t *in, int istride,
		   const uint8_t *bg);

/* Set the blob's pixels (as above) to 255 in dst (cc->w x cc->h, stride cc->w). */
void zp_blob_paint(const zp_blob *b, const zp_cc *cc, int scale, uint8_t *dst);

/* ---- ground.c ---- */

/* With a ground homography, blobs_find() keeps components of at least this many work pixels; ground.c does the rest. */
#define ZP_GROUND_MIN_WORK_PX 16

/*
 * The blob's width on the ground (the bottom edge of its box mapped through
 * H) and its height (box height x metres per pixel along the row at the
 * feet), metres. false when the feet are not in front of the camera
 * (beyond the horizon) or map to infinity.
 */
bool zp_ground_blob_size(const zp_homography *H, const zp_blob *b, double *width_m, double *height_m);

/*
 * Keep the blobs (in place, order kept) whose ground size is within the
 * person_* limits; a dimension cut by the edge of the width x height frame
 * is not held to its lower limit. Returns how many are kept. Those under
 * the lower limits are appended to pieces[*npieces..max_pieces) (npieces
 * may be NULL: none kept).
 */
int zp_ground_filter(const zp_homography *H, const zp_detector_params *p, int width, int height, int scale,
		     zp_blob *blobs, int n, zp_piece *pieces, int max_pieces, int *npieces);

/*
 * Speed on the ground, m/s, of a ground point (gx, gy) moving (vx, vy)
 * pixels per frame at interval_ms per frame; -1 when it cannot be mapped.
 */
double zp_ground_speed(const zp_homography *H, double gx, double gy, double vx, double vy, double interval_ms);

/* ---- shadow.c ---- */

typedef struct zp_shadow {
	int w, h;          /* work scale */
	bool have;         /* the chroma background has been initialised */
	uint32_t row;      /* round-robin row counter */
	int16_t *u, *v;    /* chroma background: B - Y and R - Y, 1/16 levels */
	int32_t *list;     /* the pixels marked as shadow in the last frame: raster order, then pools grown (w x h) */
	int nlist;
	int dx, dy;        /* this frame's camera sway, work pixels: work pixel (x, y) is the frame's (x + dx, y + dy) */
} zp_shadow;

int zp_shadow_init(zp_shadow *s, int ww, int wh);
void zp_shadow_fini(zp_shadow *s);
size_t zp_shadow_bytes(const zp_shadow *s);

/*
 * Learn the chroma background from the frame's colour (nothing without
 * colour) where fg is 0: every row while warming up, else one row in four.
 * gain: the compensated gain of this frame (1 when none).
 */
void zp_shadow_learn(zp_shadow *s, const zp_frame *f, int scale, double gain, const uint8_t *fg, bool warmup,
		     int learn_shift);

/*
 * Clear the foreground pixels of fg (work scale, stride w) that are a
 * shadow (p->shadows) or, when pools is true (the caller's light_pools in
 * low light), a pool of light on the background bg (work scale, stride w) in the frame
 * in (the work-scale luma the model saw), and mark them (non-zero) in mark
 * (w x h, every pixel written). fg is zero outside rows [y0, y1) (0, h when
 * that is not known): those rows are not read. Returns how many were
 * cleared.
 */
int zp_shadow_filter(zp_shadow *s, const zp_detector_params *p, const zp_frame *f, int scale, double gain,
		     bool pools, const uint8_t *in, int istride, const uint8_t *bg, uint8_t *fg, uint8_t *mark, int y0,
		     int y1);

/*
 * Camouflage: inside each blob's box (work scale), a background pixel of
 * mask (stride w) whose chroma is more than ZP_CAMO_CHROMA from the chroma
 * background is foreground: a coat as bright as the hedge behind it, but
 * purple. Shadow pixels (mark, may be NULL) stay background. Nothing
 * without colour or before the chroma background has been learnt. Returns
 * how many pixels were set.
 */
int zp_shadow_colour_fill(const zp_shadow *s, const zp_frame *f, int scale, double gain, uint8_t *mask,
			  const uint8_t *mark, const zp_blob *blobs, int nblobs);

/* ---- vehicle.c ---- */

/*
 * A vehicle: a component that made ZP_VEHICLE_STEPS steps in a row in one
 * direction, each at ZP_VEHICLE_HPS_10 / 10 learnt person heights a second
 * or more, at least ZP_VEHICLE_WIDTH_PCT % of a person's height wide
 * (vehicle.c). Both edges of a step agree within ZP_VEHICLE_AGREE_PX input
 * pixels or a quarter of the step. At most ZP_VEH_MAX components a frame
 * are judged.
 */
#define ZP_VEHICLE_HPS_10 45
#define ZP_VEHICLE_STEPS 2
#define ZP_VEHICLE_WIDTH_PCT 80
#define ZP_VEHICLE_AGREE_PX 4
#define ZP_VEH_MAX 64
/*
 * A track that took ZP_VEHICLE_PERSON_HITS blobs in a row of components
 * neither moving fast nor as wide as a vehicle is a person: a vehicle's
 * blob it takes later is a car passing him, joined to him in the mask, and
 * he stays a person; if it was a vehicle before (born where a car passed
 * him), it is counted again like anyone (tracker.c). A car that stops is
 * still wide: it stays a vehicle that occupies the zone it stands in.
 */
#define ZP_VEHICLE_PERSON_HITS 3

typedef struct zp_vcomp {
	int32_t root;            /* its component this frame */
	zp_rect box;             /* input pixels */
	bool at_left, at_right;  /* touches the frame's side */
	bool wide;               /* ZP_VEHICLE_WIDTH_PCT % of a person's height wide at its lower edge */
	int fast;                /* fast steps in a row */
	double sdx, sdy;         /* the last step, input pixels */
	bool vehicle;
} zp_vcomp;

typedef struct zp_vehicles {
	int n;
	zp_vcomp c[ZP_VEH_MAX]; /* the last frame's components */
	int64_t t_ms;
	bool have;
} zp_vehicles;

struct zp_stature;

void zp_vehicles_reset(zp_vehicles *v);

/*
 * Sets blobs[].vehicle, .fast and .wide from the components of this frame's
 * zp_cc of at least min_area input pixels and the last frame's (width x
 * height input frame).
 */
void zp_vehicles_mark(zp_vehicles *v, const zp_cc *cc, zp_blob *blobs, int nblobs, int scale, int min_area,
		      int width, int height, const struct zp_stature *st, int64_t t_ms);

/* ---- tracker.c ---- */

typedef struct zp_track {
	int id;
	zp_rect box;        /* input pixels: the blob's, or the prediction while coasting */
	double gx, gy;      /* ground point estimate this frame */
	double vx, vy;      /* velocity, input pixels per frame */
	double lx, ly;      /* last measured ground point */
	int since_meas;     /* frames since the last measurement (0: measured this frame) */
	int hits;           /* frames with a blob */
	int missed;         /* consecutive frames without a blob (not counting group frames) */
	int age;            /* frames since the track began (0 in its first frame) */
	bool confirmed;
	bool grouped;       /* this frame: shares one blob with other tracks */
	bool moved;         /* has left its birth box: a person who walked in, not a ghost */
	zp_rect birth;      /* the box it was born with */
	bool walked;        /* moved, or its ground point left the birth box's by a quarter of its height: counted */
	double ax, ay;      /* still anchor */
	int64_t still_since;/* t_ms when the ground point last left the anchor radius */
	bool hold_spent;    /* held for still_hold_ms of standing still: not again until it leaves spent_box */
	zp_rect spent_box;  /* its box when the hold ran out */
	uint32_t zones;     /* zones the ground point is in this frame */
	uint32_t entered;   /* zones with an ENTER reported and no LEAVE yet (confirmed tracks only) */
	uint32_t counted;   /* zones this track has been counted into (zone_entered), ever */
	int64_t in_since[ZP_MAX_ZONES]; /* t_ms its ground point came into zone z (valid while in `zones`) */
	zp_crossing_memory cross; /* the kerb it was last at and the road since, for crossings */
	bool ghostly;       /* its blob's outline was last seen in the background, not in the frame (ghost.c) */
	int64_t ghost_since;/* t_ms the ghostly streak began */
	int ghost_frames;   /* frames in the streak */
	int64_t born_ms;    /* t_ms of its first blob */
	int64_t seen_ms;    /* t_ms of the last measurement */
	int64_t lost_ms;    /* t_ms it was deleted as lost (in zp_tracker.lost) */
	bool stitched;      /* took the id of a lost track when it was confirmed */
	bool warm;          /* born in the tracker's first frame: its blob was there when the warm-up ended */
	int present_frames; /* frames its outline was clearly in the frame (ghost.c): no ghost */
	bool came_in;       /* warm, and no ghost: came in during the warm-up, unseen; held like one who walked in */
	double hs;          /* smoothed height of its upright measured boxes (0: none yet) */
	int leg_dy;         /* rows its blob lost at the bottom (tracker.c, keep_legs): its feet are that much lower */
	int area;           /* its last blob's area, input pixels */
	int person_run;     /* blobs in a row it took of components neither fast nor wide (vehicle.c) */
	bool person;        /* person_run reached ZP_VEHICLE_PERSON_HITS: a person, whatever joins him later */
	bool vehicle;       /* its last blob was a vehicle's and it is no person (vehicle.c): in no zone */
	bool was_vehicle;   /* it has been one since it was last a person: not counted into a zone */
} zp_track;

/* Height h 1.5 to 5 times the width w: one person standing or walking (stature.c, tracker.c). */
static inline bool zp_upright(double h, double w)
{
	return 2 * h >= 3 * w && h <= 5 * w;
}

/*
 * A confirmed track's blob under ZP_LEGS_PCT % of the track's smoothed
 * height, with its top where it was: the legs went into the background, the
 * feet are where they were (tracker.c, keep_legs).
 */
#define ZP_LEGS_PCT 75

/*
 * Lost tracks: a confirmed track that coasted out of track_max_missed
 * without leaving the frame is kept ZP_LOST_MS after it was deleted (at
 * most ZP_MAX_LOST of them). A track confirmed near where one was lost, that soon, is the same
 * person found again (a blob that broke up or was hidden): it takes the
 * lost track's id and what it was counted for, so the person is not
 * counted twice. Near: within ZP_LOST_GATE x track_max_dist of the lost
 * track's last measured ground point, or of where its velocity would have
 * carried it, with a box height within a factor of 2.
 */
#define ZP_MAX_LOST 16
#define ZP_LOST_MS 1500
#define ZP_LOST_GATE 2.0

/*
 * A track whose outline has been ghostly (frame edges under
 * ZP_GHOST_RATIO_PCT % of frame + background edges along it) for
 * ZP_GHOST_MS and at least ZP_GHOST_FRAMES frames is a ghost: deleted, its
 * pixels absorbed into the background at once. Outlines of fewer than
 * ZP_GHOST_MIN_PX boundary pixels are not judged. A track there when the
 * warm-up ended needs no ZP_GHOST_MS streak in its first ZP_GHOST_MS if its
 * outline was never in the frame (tracker.c).
 */
#define ZP_GHOST_RATIO_PCT 30
#define ZP_GHOST_MS 1000
#define ZP_GHOST_FRAMES 3
#define ZP_GHOST_MIN_PX 12

typedef struct zp_pair {
	float dist;
	int16_t track, blob;
} zp_pair;

/* ---- stature.c ---- */

/* Least-squares sums of (foot row, box height) of whole, upright people; see stature.c. */
typedef struct zp_stature {
	double n, sy, sh, syy, syh, shh; /* faded: at most about ZP_STATURE_WINDOW samples weigh */
	double ymin, ymax;          /* the foot rows sampled */
	int height;                 /* the frame's, input pixels (0 until the first track) */
} zp_stature;

/* Samples before the fit is used; the window older samples fade over; the edge margin, input pixels. */
#define ZP_STATURE_MIN_SAMPLES 40
#define ZP_STATURE_WINDOW 4096
#define ZP_STATURE_EDGE 2
/* A box under FRAGMENT_PCT % of the fitted height at its feet, or narrower than SLIVER_PCT % of it, is a fragment. */
#define ZP_STATURE_FRAGMENT_PCT 50
#define ZP_STATURE_SLIVER_PCT 10
/*
 * Two boxes one above the other taller together than this % of a person at the lower one's feet are two people, not
 * one in two pieces (zones.c; measured: one person's pieces with a ghost below his legs 147 %, two people 189-198 %).
 */
#define ZP_PIECES_MAX_PCT 175
/* A blob at most this % of the fitted height wide is one person (shoulders and a stride), not a group. */
#define ZP_STATURE_ONE_WIDTH_PCT 60
/* ... and at most this % of it tall (tracker.c, one_alone()). */
#define ZP_STATURE_ONE_HEIGHT_PCT 110

/*
 * The camera looks down on the people: the fit's slope (rows of a person's
 * height per row of his feet) is under ZP_STATURE_DOWN_SLOPE_PCT %. A person
 * standing a quarter of a person's height of rows further back then shows
 * his head more than a tenth of a person above the head of the one in front
 * ((1 - slope) / 4 > 1 / 10): nobody is hidden whole behind another. With
 * the camera at head height (slope about 1) every head is on one row and
 * anyone can be.
 */
#define ZP_STATURE_DOWN_SLOPE_PCT 60
#define ZP_STATURE_DOWN_SAMPLES (4 * ZP_STATURE_MIN_SAMPLES)

/* Learn from track t of this frame (width x height input pixels) if it is a whole, upright, walking person. */
void zp_stature_learn(zp_stature *s, const zp_track *t, int width, int height);

/* The height of a person whose feet are on row foot_y; false while not learnt there. */
bool zp_stature_expect(const zp_stature *s, double foot_y, double *h);

/*
 * t's box is under ZP_STATURE_FRAGMENT_PCT % of a person's height at its feet, or narrower than
 * ZP_STATURE_SLIVER_PCT % of it (never judged when cut by the top or bottom of the frame).
 */
bool zp_stature_fragment(const zp_stature *s, const zp_track *t);

/* The fit stands and says the camera looks down on the people (ZP_STATURE_DOWN_SLOPE_PCT). */
bool zp_stature_looks_down(const zp_stature *s);

typedef struct zp_tracker {
	int n;
	int next_id;
	zp_track t[ZP_MAX_TRACKS];
	/* scratch for one update */
	zp_pair pairs[ZP_MAX_TRACKS * ZP_MAX_BLOBS];
	int blob_owner[ZP_MAX_BLOBS];  /* -1 free, -2 group, else track index */
	int track_blob[ZP_MAX_TRACKS]; /* -1 none, else blob index */
	/* tracks deleted in the last update (for LEAVE events) */
	int ndead;
	zp_track dead[ZP_MAX_TRACKS];
	/* ... of which ghosts: their blobs (indices into the blobs given), for the detector to absorb */
	int nghosts;
	int ghost_blob[ZP_MAX_TRACKS];
	/* confirmed tracks lost inside the frame, oldest first, for re-identification */
	int nlost;
	zp_track lost[ZP_MAX_LOST];
	/* what a whole person looks like, learnt from the tracks (zones.c: fragments are not counted) */
	zp_stature stature;
	bool started;       /* has had its first frame */
} zp_tracker;

void zp_tracker_init(zp_tracker *tr);

/*
 * One frame: associate blobs with tracks, predict, confirm, delete (a track
 * coasting out of the width x height frame is deleted at once). Deleted
 * tracks are copied into tr->dead (for their LEAVE events). pieces: what
 * was too small to be a blob (a confirmed track without a blob is not
 * missed while pieces fill its box, see seen_in_pieces). Deterministic:
 * ties are broken by track then blob order.
 */
void zp_tracker_update(zp_tracker *tr, const zp_detector_params *p, const zp_blob *blobs, int nblobs,
		       const zp_piece *pieces, int npieces, int width, int height, int64_t t_ms);

/* true when the track's pixels should not be learnt into the background this frame. */
bool zp_track_held(const zp_track *t, const zp_detector_params *p, int64_t t_ms);

/* ---- zones.c ---- */

/*
 * Zone membership of every track, ENTER/LEAVE events and zone counts into
 * out (nzones, zone_count, events, tracks[].zones).
 */
void zp_zones_update(zp_tracker *tr, const zp_zone *zones, int nzones, int count_min_ms, zp_result *out);

/* ---- health.c ---- */

typedef struct zp_health_state {
	bool have_prev;
	int64_t unchanged_since;   /* t_ms of the last frame that differed from its predecessor */
	double mean, stddev, mad;  /* last frame */
} zp_health_state;

/*
 * Statistics (mean, stddev, mean absolute difference to prev) of w x h
 * samples of the input luma taken every step pixels in x and y, then copy
 * the samples into prev (w x h, packed). stride in bytes. One pass of
 * ops->stats (SIMD, models/).
 */
void zp_health_measure(zp_health_state *hs, const zp_pixops *ops, const uint8_t *luma, int stride, int step,
		       uint8_t *prev, int w, int h, int64_t t_ms);

/* The verdict for the last measured frame. */
zp_health zp_health_verdict(const zp_health_state *hs, const zp_detector_params *p, int64_t t_ms, bool model_ready,
			    double fg_fraction);

/* ---- exposure.c ---- */

/* Gains outside [1 - ZP_GAIN_STEP, 1 + ZP_GAIN_STEP] are compensated. */
#define ZP_GAIN_STEP 0.10
/* Sample grid step, work pixels, in both directions. */
#define ZP_GAIN_GRID 4
/* Ratio histogram: bins of 1/ZP_GAIN_Q, up to ZP_GAIN_BINS / ZP_GAIN_Q. */
#define ZP_GAIN_Q 128
#define ZP_GAIN_BINS 512

/* Regional gains: tiles of this many work pixels a side, sampled every ZP_GAIN_TILE_GRID pixels. */
#define ZP_GAIN_TILE 32
#define ZP_GAIN_TILE_GRID 4

typedef struct zp_exposure {
	double gain;        /* last estimate, frame / background */
	bool compensating;  /* the last frame went through the LUT or the tile gains */
	int samples;        /* samples behind the last estimate */
	int w, h;           /* work frame */
	int tw, th;         /* tiles across and down */
	int tiles_lit;      /* tiles whose own gain was compensated in the last frame */
	double *tgain;      /* per tile: frame / background, 1.0 where no step */
	int32_t *tinv;      /* per tile: 1 / gain, Q16 */
	int32_t *rowinv;    /* one row of tile-column inverse gains, interpolated vertically, Q16 (tw + 1) */
	int16_t *colidx;    /* per column: the tile whose centre is at or left of it */
	uint8_t *colw;      /* ... and the weight of the next tile, Q8 */
	uint32_t hist[ZP_GAIN_BINS];
	uint32_t recip[256]; /* ZP_GAIN_Q / b in Q16: tile ratios without a division per sample */
	uint8_t lut[256];
} zp_exposure;

/* Tiles for a w x h work frame. 0 or ZP_ENOMEM. */
int zp_exposure_init(zp_exposure *e, int w, int h);
void zp_exposure_fini(zp_exposure *e);
size_t zp_exposure_bytes(const zp_exposure *e);
/* The k-th smallest (from 0) of a[0..n-1], 0 <= k < n, every value below ZP_GAIN_BINS; a is not changed. */
unsigned zp_exposure_kth(const uint16_t *a, int n, int k);

/*
 * Estimate the gain between luma and the background estimate bg over a
 * sparse grid of pixels that were background in prev_fg (0 = background;
 * NULL: all pixels). Falls back to every grid pixel when too few were
 * background. Returns the median ratio, 1.0 when there is nothing to go by.
 * Also estimates each tile's own gain (see exposure.c).
 */
double zp_exposure_estimate(zp_exposure *e, const uint8_t *luma, int lstride, const uint8_t *bg, int bstride,
			    const uint8_t *prev_fg, int fstride, int w, int h);

/* The mean of bg over the gain grid, rounded (255 for a frame smaller than the grid's first point). */
unsigned zp_exposure_level(const uint8_t *bg, int bstride, int w, int h);

/*
 * When the gain is a step (outside 1 +- ZP_GAIN_STEP), write luma / gain
 * into dst through a LUT and return true; when only some tiles are lit
 * differently, write luma / (their gains, interpolated between tile
 * centres) and return true; otherwise leave dst alone and return false
 * (use luma as it is).
 */
bool zp_exposure_compensate(zp_exposure *e, const uint8_t *luma, int lstride, uint8_t *dst, int dstride, int w,
			    int h);

/* ---- params.c ---- */

/* Holes filled below this many input pixels (see params.c); p before zp_detector_params_resolve(). */
int zp_detector_hole_area(const zp_detector_params *p, int width, int height);

/* ---- detector.c ---- */

/* The threshold for a background of mean luma `level` (low_light_luma; see detector.c). */
int zp_light_threshold(const zp_detector_params *p, unsigned level);

#define ZP_DT_RING 9

struct zp_detector {
	zp_detector_params p;
	int width, height;
	int scale, ww, wh;         /* work scale and size */
	int nzones;
	zp_zone zones[ZP_MAX_ZONES];
	int64_t zone_seen_ms[ZP_MAX_ZONES]; /* t_ms a zone last held a person; INT64_MIN: never */
	zp_homography ground;      /* valid == false when none was given */

	zp_pixops ops;
	zp_bgmodel *model;
	zp_bgmodel_params mp;
	bool low_light;            /* the background's level is below low_light_luma (follow_light) */
	int fade[16];              /* fade[s]: frames a ghost needs to fade with fg_learn_shift s (probed at _new) */
	int fade_limit;            /* the probe gave up there: fade[s] == fade_limit means "too slow" */
	int hole_area;             /* fill_holes: holes under this many input pixels (zp_detector_hole_area()) */

	/* work-scale buffers, ww x wh (half: (width/2) x (height/2), scale 4 only) */
	uint8_t *half;
	uint8_t *work;             /* downscaled luma (scale > 1) */
	uint8_t *prev;             /* previous health samples, ww x wh (frozen check) */
	uint8_t *comp;             /* gain-compensated work luma */
	uint8_t *bg;               /* background estimate */
	uint8_t *hold;             /* non-zero: do not learn */
	uint8_t *raw;              /* model output, or the downscaled external mask */
	uint8_t *mask;             /* cleaned mask */
	uint8_t *tmp;              /* scratch for the morphology */
	uint8_t *voterow;          /* scratch row for the majority vote, ww + 2 * ZP_VOTE_MAX_R */
	uint8_t *wprev;            /* warm-up: the previous work frame */
	uint8_t *still;            /* warm-up: frames each pixel has not changed (saturating) */
	uint8_t *shmark;           /* this frame's cast-shadow pixels (shadow.c), for the blob boxes */
	int32_t *edges;            /* shaken_frame(): background edge samples, y << 16 | x */
	int nedges;
	uint64_t edges_at;         /* frame count when they were found */
	bool shaken;               /* shaken_frame() said so of the last frame */
	int sway_x, sway_y;        /* this frame's picture is the background moved by this (work pixels, sway_estimate()) */
	uint8_t *stab;             /* the work luma moved back by the sway */
	size_t buf_bytes;

	zp_cc cc;
	zp_blob blobs[ZP_MAX_BLOBS];
	int nblobs;
	zp_piece pieces[ZP_MAX_PIECES]; /* too small to be blobs (zp_blobs_find, zp_ground_filter) */
	int npieces;
	zp_tracker *tr;
	zp_vehicles veh;
	zp_health_state hs;
	zp_exposure ex;
	zp_shadow sh;

	/* time */
	bool have_t;
	int64_t last_t;
	double interval_ms;        /* frame interval measured from t_ms: median of the last ZP_DT_RING */
	int32_t dt[ZP_DT_RING];    /* last frame intervals, ms (ring) */
	int ndt;
	uint64_t frames;           /* frames processed */
	bool have_mask;            /* a mask exists (zp_detector_mask) */
	bool raw_valid;            /* raw holds last frame's model output (gain sampling) */
	bool have_shadow;          /* shmark holds shadow pixels of this frame */
};

#endif
