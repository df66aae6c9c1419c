/* SPDX-License-Identifier: MIT */
/*
 * models.h - per-pixel background model of the empty scene, and the other
 * per-pixel kernels the detector runs on every frame (downscale, binary
 * morphology, majority vote, frame statistics, the shake check's sums) and
 * the capture's camera-format conversions (YUV to luma and BGR). Each kernel
 * has a scalar reference that defines the right answer and SSE2 / AVX2 /
 * NEON variants that must match it byte for byte.
 *
 * Kernels are chosen once, at zp_bgmodel_new() / zp_pixops_init(), from the
 * path the caller passes (ZP_SIMD_AUTO: the CPU's best); a path the CPU
 * lacks falls back to the best available. Nothing here reads the
 * environment: the program reads ZEBRAPAD_SIMD once, in main, turns it into
 * a path with zp_simd_choose() and passes that down.
 *
 * Pure: no I/O, no clock, no globals (the CPU features are read at _new).
 */
#ifndef ZP_MODELS_H
#define ZP_MODELS_H

#include "zp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zp_simd {
	ZP_SIMD_AUTO = -1,  /* a parameter's default: the best path this CPU runs */
	ZP_SIMD_SCALAR = 0,
	ZP_SIMD_SSE2 = 1,
	ZP_SIMD_AVX2 = 2,
	ZP_SIMD_NEON = 3,
} zp_simd;

const char *zp_simd_name(zp_simd s); /* "scalar", "sse2", "avx2", "neon"; "auto" */

/* Best path this CPU supports (cpuid on x86, NEON on aarch64, HWCAP on 32-bit ARM). */
zp_simd zp_simd_cpu_best(void);

/*
 * The path named by `name` ("scalar", "sse2", "avx2", "neon", any case; the
 * value of ZEBRAPAD_SIMD, which main reads), or the CPU's best when name is
 * NULL or empty. Unknown names and paths the CPU lacks fall back to the best
 * available. Never returns ZP_SIMD_AUTO.
 */
zp_simd zp_simd_choose(const char *name);

/* true when the path is compiled in and the CPU runs it. */
bool zp_simd_available(zp_simd s);

/*
 * The background model keeps, per pixel, the mean grey level of the empty
 * scene and its mean absolute deviation, both u16 in 8.8 fixed point, plus a
 * second level for pixels that flicker and its counters (8 bytes a pixel;
 * 2.5 MB at 640x480). A pixel is foreground when it differs from the
 * mean by more than max(threshold, dev_mult * deviation). Background pixels
 * learn with learn_shift, foreground pixels not held with fg_learn_shift (so
 * ghosts and parked objects fade in bounded time: about
 * 2^fg_learn_shift * ln(change / threshold) frames), held pixels not at all.
 * Integer-only with defined rounding: every SIMD path gives the same bytes.
 * docs/simd.md has the arithmetic, the paths and the benchmark.
 */

/* Background-model tunables (the detector fills these from its params and the frame rate). */
typedef struct zp_bgmodel_params {
	int threshold;        /* minimum |pixel - background| that is foreground, 1..255 */
	int learn_shift;      /* background pixels: mean moves 1/2^learn_shift of the way per frame, 1..15 */
	int fg_learn_shift;   /* foreground pixels not held: slow absorption (ghosts, left objects), 1..15 */
	int warmup_frames;    /* frames before zp_bgmodel_ready(), 0..1000000; learning ramps up meanwhile */
	/*
	 * Added (optional, 0 = default): per-pixel adaptive threshold. A pixel is
	 * foreground when |pixel - mean| > max(threshold, dev_mult * dev), dev
	 * being the pixel's learned mean absolute deviation, so noisy pixels
	 * (foliage, flicker) need a larger change. 0 = default 3; 1..16; -1 = off
	 * (threshold only).
	 */
	int dev_mult;
	/*
	 * Added (optional, false = as before): during warm-up, foreground
	 * pixels learn with fg_learn_shift instead of ramping like the
	 * background, so people walking through the warm-up are not averaged
	 * into the model. The caller then tells the model what it found to be
	 * background after all (revealed by someone who walked away) with
	 * zp_bgmodel_absorb().
	 */
	bool fg_no_ramp;
	/*
	 * Added (optional, 0 = default): pixels that flicker between two looks
	 * (leaves against the sky, water, a flag, rain on the lens). Each time a
	 * pixel that missed the background last frame matches it again (a
	 * blink back) its blink level rises by 16; every frame it falls by 1
	 * (0..127). While a pixel's blink level is at least flicker_on, it
	 * learns a second background level from its other look, and a value
	 * that matches that level (within the pixel's threshold, after at least
	 * 4 matches) is background, not foreground. A person walking through
	 * gives a pixel one blink back; one standing gives none, so the level
	 * falls. 0 = default 16; 1..127; -1 = off (one background level).
	 */
	int flicker_on;
	/*
	 * Added (optional, 0 = default): the threshold of a flickering pixel
	 * (blink level >= flicker_on), in percent of threshold: such a pixel
	 * shows more than two looks (leaves of many shades), so it needs a
	 * larger change. 0 = default 150; 100 (no raise)..400.
	 */
	int flicker_floor;
} zp_bgmodel_params;

typedef struct zp_bgmodel zp_bgmodel;

/* NULL + message on bad arguments or no memory. `simd` is the path (ZP_SIMD_AUTO: the CPU's best). */
zp_bgmodel *zp_bgmodel_new(int width, int height, const zp_bgmodel_params *p, zp_simd simd, char *err,
			   size_t errlen);
void zp_bgmodel_free(zp_bgmodel *m);

/*
 * One frame: classify every pixel of `luma` against the model into fg
 * (0 or 255) and update the model. `hold` (may be NULL) marks pixels the
 * caller wants kept as they are (non-zero: do not learn there, e.g. a person
 * standing still). The first frame initialises the model. Returns 0 or
 * ZP_EINVAL.
 */
int zp_bgmodel_apply(zp_bgmodel *m, const uint8_t *luma, int stride, const uint8_t *hold, int hold_stride,
		     uint8_t *fg, int fg_stride);

/*
 * Change the tunables of a live model, keeping what it has learned (the
 * detector derives fg_learn_shift from the frame interval it measures).
 * Same checks as zp_bgmodel_new(); returns 0, or ZP_EINVAL and the model
 * unchanged.
 */
int zp_bgmodel_set_params(zp_bgmodel *m, const zp_bgmodel_params *p);

/*
 * Take the pixels of `luma` where mask is non-zero as background at once:
 * their mean becomes the pixel value (the learned deviation stays). For
 * what the caller knows to be background, e.g. ground a person uncovered
 * during warm-up. Scalar (it touches few pixels); same result on every
 * path. Returns 0 or ZP_EINVAL.
 */
int zp_bgmodel_absorb(zp_bgmodel *m, const uint8_t *luma, int stride, const uint8_t *mask, int mask_stride);

bool zp_bgmodel_ready(const zp_bgmodel *m);
zp_simd zp_bgmodel_simd(const zp_bgmodel *m);
size_t zp_bgmodel_state_bytes(const zp_bgmodel *m);
/* Background estimate as 8-bit luma (for health checks and the overlay), into dst. */
void zp_bgmodel_background(const zp_bgmodel *m, uint8_t *dst, int dst_stride);

/* ---- other per-pixel kernels, dispatched the same way ---- */

/* Exact sums over an image, for the detector's health checks (zp_pixops.stats). */
typedef struct zp_pixstats {
	uint64_t sum;   /* sum of the pixels */
	uint64_t sum2;  /* sum of their squares */
	uint64_t sad;   /* sum of |src - prev| */
} zp_pixstats;

typedef struct zp_pixops {
	zp_simd simd;
	/* 2x2 box average, rounding: dst is (w/2) x (h/2). */
	void (*downscale2)(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h);
	/* binary 3x3 erode/dilate on 0/255 masks, w x h; the border is treated as replicated. */
	void (*erode3)(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h);
	void (*dilate3)(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h);
	/*
	 * Added: one pass over the samples s(x, y) = src[y * step * sstride +
	 * x * step], x < w, y < h (step 1, 2 or 4; w <= 65535; each sampled row
	 * needs w * step readable bytes): their sum, sum of squares and sum of
	 * |s(x, y) - prev[y * pstride + x]| into *st, then the samples copied
	 * into prev. The detector's frame statistics and previous-frame copy.
	 * prev must not overlap src.
	 */
	void (*stats)(const uint8_t *src, int sstride, int step, uint8_t *prev, int pstride, int w, int h,
		      zp_pixstats *st);
	/*
	 * Added: majority vote (binary median) on masks: dst is 255 where at
	 * least k of the (2r+1) x (2r+1) pixels around are non-zero, else 0;
	 * the border is replicated. r 1..ZP_VOTE_MAX_R, k 1..(2r+1)^2; row is
	 * scratch of at least w + 2 * ZP_VOTE_MAX_R bytes; dst must not
	 * overlap src. Removes specks like an opening but keeps thin limbs.
	 */
	void (*vote)(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, int k,
		     uint8_t *row);
	/*
	 * Added: the (2r+1) x (2r+1) minimum (erode) or maximum (dilate), the
	 * border replicated: r passes of erode3 / dilate3 in one (a square
	 * window of the replicated image is the square window of a square
	 * window's), done separably: down the columns into row, then along
	 * it. r 1..ZP_VOTE_MAX_R; row is scratch of at least w + 2 *
	 * ZP_VOTE_MAX_R bytes; dst must not overlap src.
	 */
	void (*morph)(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, bool dilate,
		      uint8_t *row);
	/*
	 * Added: the camera-shake sums (the detector's shaken_frame()) over n
	 * points pt[e] = y << 16 | x of bg, each with 1 <= x, x + 2 < w (bg's
	 * width: the SIMD paths read the 4 bytes from x - 1), 1 <= y, y + 1 < h.
	 * With f = frame[y * fstride + x] and v_k (k = 3 j + i, i, j 0..2) the
	 * background at (x + i - 1, y + j - 1): s0[k] = sum of |f - v_k|, s1[k]
	 * = sum of |2 f - v_4 - v_k| (the frame against the background moved by
	 * a pixel and by half a pixel). n <= ZP_SHAKE_MAX_N, so the sums fit 32
	 * bits.
	 */
	void (*shake_sums)(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
			   int32_t s0[9], int32_t s1[9]);
	/*
	 * Camera formats (the V4L2 capture): one packed 4:2:2 row (YUYV: odd 0,
	 * UYVY: odd 1) to luma: dst[x] = src[2 * x + odd], x < w. Reads exactly
	 * 2 * w bytes of src, writes w bytes of dst.
	 */
	void (*yuv_luma_packed)(uint8_t *dst, const uint8_t *src, int w, int odd);
	/*
	 * One row of YCbCr -> packed BGR (dst: 3 * w bytes), ITU-R BT.601
	 * limited range in 16.16 fixed point (models_internal.h has the
	 * arithmetic). Luma y[0..w-1]; chroma sample k (U at u[k * cstep], V at
	 * v[k * cstep], k < (w + 1) / 2) serves pixels 2k and 2k+1. cstep 4:
	 * packed 4:2:2 (u, v point into the YUYV/UYVY row), 2: semi-planar
	 * (NV12/NV21), 1: planar (I420/YV12). Reads no byte beyond those.
	 * Every path gives the scalar's bytes.
	 */
	void (*yuv_bgr_row)(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep);
} zp_pixops;

/* Largest radius of zp_pixops.vote (a 7x7 window). */
#define ZP_VOTE_MAX_R 3
/* Most points one zp_pixops.shake_sums call takes (4096 x 510 fits 32 bits). */
#define ZP_SHAKE_MAX_N 4096

/* The kernels of path simd (ZP_SIMD_AUTO or a path the CPU lacks: the best available); ops->simd says which. */
void zp_pixops_init(zp_pixops *ops, zp_simd simd);

#ifdef __cplusplus
}
#endif
#endif
