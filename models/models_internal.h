/* SPDX-License-Identifier: MIT */
/*
 * models_internal.h - the row kernels behind models.h, one signature per
 * topic, one file per ISA (bgsub_<isa>.c, pixops_<isa>.c, vote_<isa>.c, yuv_<isa>.c). The scalar files
 * define the right answer; every SIMD variant must match them byte for byte
 * (tests/test_models.c).
 *
 * Background model, per pixel (all integer, rounding defined, so SIMD can
 * match exactly):
 *   mean   u16, 8.8 fixed point grey level of the empty scene (mode 1);
 *   dev    u16, 8.8 fixed point mean absolute deviation |x - mean|;
 *   mean2  u16, 8.8 second background level (mode 2), for pixels that flicker
 *          between two looks (leaves against sky, water, a flag);
 *   aux    u16: bits 0-6 the blink level b (0..127), bit 7 "the pixel missed
 *          mode 1 last frame", bits 8-15 the hits of mode 2 h (0..255).
 * With X = x << 8 (the pixel in 8.8):
 *   D   = |X - mean|,  D2 = |X - mean2|
 *   K   = sat16(kp->dev_mult * dev)                      (u16 saturating)
 *   F   = b >= kp->blink_on ? kp->thr_fl : kp->thr  (flickering pixels: a higher floor)
 *   T   = max(F, K),  T0 = max(kp->thr, K)
 *   bg1 = D <= T                       matches mode 1
 *   in0 = D <= T0                      ... at the plain threshold (blinks are counted on this)
 *   m2  = D2 <= T                      matches mode 2
 *   bg2 = !bg1 && m2 && b >= kp->blink_on && h >= kp->hits_on
 *   fg  = !bg1 && !bg2 ? 255 : 0
 *   unless hold != 0 (then nothing changes):
 *     b = max(b - 1, 0); if the pixel missed mode 1 last frame (!in0) and
 *         matches it now (in0: a blink back), b = min(b + kp->blink_inc, 127)
 *     unless bg2 (mode 2 leaves mode 1 alone), with s = bg1 ? kp->shift_bg : kp->shift_fg:
 *       mean += sign(X - mean) * rshr(D, s)
 *       dev  += sign(D - dev)  * rshr(|D - dev|, s)
 *     if !bg1:
 *       m2:                mean2 += sign(X - mean2) * rshr(D2, kp->shift2); h = min(h + 1, 255)
 *       !m2 && b < blink_on (the new b): mean2 = X; h = 0   (a new candidate)
 *     aux = h << 8 | !in0 << 7 | b
 * where rshr(v, s) = (v + 2^(s-1)) >> s computed without overflow
 * (= ((v >> (s-1)) + 1) >> 1), i.e. a right shift rounding halves up. The
 * step never exceeds the distance, so mean, mean2 stay in [0, 255 << 8] and
 * dev in [0, 255 << 8] when they start there.
 *
 * blink_on 128 (above any b) turns mode 2 and the higher floor off: fg,
 * mean and dev are then exactly those of the one-mode model.
 *
 * To add a per-pixel feature (shadow test, global gain), add a field to
 * struct zp_bg_kparams (filled per frame by bgmodel.c), implement it in
 * bgsub_scalar.c first, then in every SIMD file; the equality tests then
 * cover it. A field at its neutral value must leave the output unchanged.
 */
#ifndef ZP_MODELS_INTERNAL_H
#define ZP_MODELS_INTERNAL_H

#include "models.h"

#include <string.h>

/* Per-frame parameters the background row kernel reads. */
struct zp_bg_kparams {
	uint16_t thr;       /* minimum foreground distance, 8.8 (threshold << 8) */
	uint16_t thr_fl;    /* ... for flickering pixels (b >= blink_on), 8.8; thr: the same for all. Blinks are
			       counted against thr, so the higher floor does not hide the flicker that set it */
	uint16_t dev_mult;  /* adaptive threshold factor on dev, 0 (off) .. 16 */
	uint8_t shift_bg;   /* learning shift for background pixels, 1..15 */
	uint8_t shift_fg;   /* learning shift for foreground pixels not held, 1..15 */
	uint8_t shift2;     /* learning shift of mode 2, 1..15 */
	uint8_t blink_inc;  /* blink level added per blink back to mode 1, 0..127 */
	uint8_t blink_on;   /* blink level from which mode 2 counts as background, 0..128 (128: never) */
	uint8_t hits_on;    /* mode-2 hits from which it counts as background, 0..255 */
};

/*
 * One row of the model: classify `src` into `fg` (0/255) and update
 * mean/dev/mean2/aux in place. `hold` is never NULL (the model passes a zero row when
 * the caller has none). Any width >= 0; no alignment needed; reads and writes
 * exactly `width` elements of each array.
 */
typedef void (*zp_bg_row_fn)(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			     const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp);

void zp_bg_row_scalar(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
                      const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp);
void zp_bg_row_sse2(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
                    const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp);
void zp_bg_row_avx2(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
                    const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp);
void zp_bg_row_neon(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
                    const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp);

/*
 * A row whose width is not a multiple of 16 takes its last n = width % 16
 * pixels first, before the SIMD row loop: one 16-pixel step over the row's
 * last 16 pixels with the first 16 - n of them held (a held pixel's state
 * does not change), so the loop later steps those from the state they had
 * and writes their fg again. The hold bytes of that step are the row's OR'd
 * with 16 bytes from zp_bg_tail_held + n: 0xff in the first 16 - n. (The
 * scalar kernel, which did the last pixels of every row before, takes about
 * 14 times as long a pixel: on a 360-pixel row, 8 left over, a third of the
 * row's time.) A row narrower than 16 goes to the scalar kernel.
 */
static const uint8_t zp_bg_tail_held[32] = { 255, 255, 255, 255, 255, 255, 255, 255,
					     255, 255, 255, 255, 255, 255, 255, 255 };

/*
 * The background estimate as 8-bit luma, one row: dst[i] = (mean[i] + 128) >> 8
 * truncated to 8 bits (mean <= 255 << 8 in a model, so no truncation there).
 */
typedef void (*zp_bg_luma_fn)(const uint16_t *mean, uint8_t *dst, int width);

void zp_bg_luma_scalar(const uint16_t *mean, uint8_t *dst, int width);
void zp_bg_luma_sse2(const uint16_t *mean, uint8_t *dst, int width);
void zp_bg_luma_avx2(const uint16_t *mean, uint8_t *dst, int width);
void zp_bg_luma_neon(const uint16_t *mean, uint8_t *dst, int width);

/* Pixel ops: same contracts as in zp_pixops (models.h); dst must not overlap src. */
#define ZP_PIXOPS_DECL(isa)                                                                                         \
	void zp_downscale2_##isa(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h);          \
	void zp_erode3_##isa(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h);              \
	void zp_dilate3_##isa(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h);             \
	void zp_stats_##isa(const uint8_t *src, int sstride, int step, uint8_t *prev, int pstride, int w, int h,       \
			    zp_pixstats *st);                                                                      \
	void zp_vote_##isa(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, int k,   \
			   uint8_t *row);                                                                   \
	void zp_morph_##isa(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r,          \
			    bool dilate, uint8_t *row);                                                             \
	void zp_shake_sums_##isa(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, \
				 int n, int32_t s0[9], int32_t s1[9]);                                            \
	void zp_yuv_luma_packed_##isa(uint8_t *dst, const uint8_t *src, int w, int odd);                               \
	void zp_yuv_bgr_row_##isa(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep);
ZP_PIXOPS_DECL(scalar)
ZP_PIXOPS_DECL(sse2)
ZP_PIXOPS_DECL(avx2)
ZP_PIXOPS_DECL(neon)

/* Scalar row helpers the SIMD files use for their tails. */
void zp_downscale2_row_scalar(const uint8_t *s0, const uint8_t *s1, uint8_t *dst, int x0, int dw);
/* 3x3 min (erode) or max (dilate) of rows a,b,c (already border-replicated) for columns x0..x1-1 of width w. */
void zp_morph3_row_scalar(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *dst, int x0, int x1, int w,
			  bool dilate);
/* Columns 0 and w-1 (w >= 2) of a 3x3 min/max row, border replicated: what the SIMD loops leave. */
void zp_morph3_edges_scalar(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *dst, int w, bool dilate);
/* Sums of samples x0..x1-1 of one row (src[x * step]) added to *st, and the samples copied into prev. */
void zp_stats_row_scalar(const uint8_t *src, int step, uint8_t *prev, int x0, int x1, zp_pixstats *st);

/*
 * The SIMD shake sums (pixops_<isa>.c) keep a point's 3x3 background as 16
 * lanes of 16 bits, row j in lanes 4 j .. 4 j + 2 (lane 4 j + 3 and 12..15
 * unused), and add the lanes up in 16 bits for ZP_SHAKE_LANE_RUN points at
 * most (510 each); zp_shake_sums_by_runs() adds them to the 32-bit k sums.
 */
#define ZP_SHAKE_LANE_RUN 128
/* Point pt's frame value *f, 2 f minus its background, and its background's rows y - 1 .. y + 1 from x - 1 as words. */
static inline void zp_shake_point(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, int32_t pt, int *f,
				  int *f2, uint32_t r[3])
{
	int y = (int)((uint32_t)pt >> 16), x = pt & 0xffff;
	const uint8_t *b = bg + (size_t)y * bstride + x - 1;

	*f = frame[(size_t)y * fstride + x];
	*f2 = 2 * *f - b[1];
	memcpy(&r[0], b - bstride, 4);
	memcpy(&r[1], b, 4);
	memcpy(&r[2], b + bstride, 4);
}

/* One run of at most ZP_SHAKE_LANE_RUN points of a SIMD path: its 16-lane sums into l0 (|f - v|) and l1. */
typedef void (*zp_shake_run_fn)(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt,
				int n, uint16_t l0[16], uint16_t l1[16]);

/* zp_pixops.shake_sums of a SIMD path: its runs, each added to the 32-bit sums. */
static inline void zp_shake_sums_by_runs(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride,
					 const int32_t *pt, int n, int32_t s0[9], int32_t s1[9], zp_shake_run_fn run)
{
	uint16_t l0[16], l1[16];

	for (int k = 0; k < 9; k++)
		s0[k] = s1[k] = 0;
	for (int e0 = 0; e0 < n; e0 += ZP_SHAKE_LANE_RUN) {
		run(frame, fstride, bg, bstride, pt + e0, n - e0 > ZP_SHAKE_LANE_RUN ? ZP_SHAKE_LANE_RUN : n - e0, l0, l1);
		for (int k = 0; k < 9; k++) {
			s0[k] += l0[k / 3 * 4 + k % 3];
			s1[k] += l1[k / 3 * 4 + k % 3];
		}
	}
}

/*
 * Majority vote helpers (vote_scalar.c): the source rows of output row y
 * (clamped), column counts of non-zero pixels over n rows into col[x0..x1),
 * the padding of a row of counts (col = row + r, replicated r columns each
 * side) and the windowed sums compared with k for outputs x0..x1-1.
 */
void zp_vote_window(const uint8_t *src, int sstride, int h, int y, int r, const uint8_t **rows);
void zp_vote_cols_scalar(const uint8_t *const *rows, int n, uint8_t *col, int x0, int x1);
void zp_vote_pad_scalar(uint8_t *row, int w, int r);
void zp_vote_row_scalar(const uint8_t *row, uint8_t *dst, int x0, int x1, int r, int k);

/*
 * YCbCr -> BGR (yuv_<isa>.c), ITU-R BT.601 with limited range (Y 16..235,
 * Cb/Cr 16..240), as UVC cameras and libv4l2 deliver it:
 *   R = 255/219 (Y-16) + 255/224 1.402 (V-128),
 *   G = 255/219 (Y-16) - 255/224 (1.772 0.114 / 0.587 (U-128) + 1.402 0.299 / 0.587 (V-128)),
 *   B = 255/219 (Y-16) + 255/224 1.772 (U-128),
 * rounded and clamped to 0..255. In 16.16 fixed point (the coefficients
 * times 65536, rounded), with d = U - 128, e = V - 128, c = CY (Y - 16):
 *   B = clamp((c + CBU d + HALF) >> 16), G = clamp((c + HALF - CGU d - CGV e) >> 16),
 *   R = clamp((c + CRV e + HALF) >> 16), a negative sum giving 0, a quotient above 255 giving 255.
 * Every sum fits in 32 bits (|sum| < 2^26), so a SIMD path that forms the
 * same 32-bit sums gets the same bytes. A result is at most 1 off the exact
 * value, and equal for 99.98% of the channel values over all Y, U, V.
 */
#define ZP_YUV_SHIFT 16
#define ZP_YUV_HALF (1 << (ZP_YUV_SHIFT - 1))
#define ZP_YUV_CY 76309   /* 255/219 = 1.164384 */
#define ZP_YUV_CRV 104597 /* 1.596027 */
#define ZP_YUV_CGU 25675  /* 0.391762 */
#define ZP_YUV_CGV 53279  /* 0.812968 */
#define ZP_YUV_CBU 132201 /* 2.017232 */

/* The kernels of one path. */
struct zp_kernels {
	zp_simd simd;
	zp_bg_row_fn bg_row;
	zp_bg_luma_fn bg_luma;
	zp_pixops ops;
};

/* The initializer of the struct zp_kernels of path `path`, whose kernels are named zp_<kernel>_<isa>. */
#define ZP_KERNELS_INIT(isa, path)                                                                                   \
	{                                                                                                            \
		.simd = (path), .bg_row = zp_bg_row_##isa, .bg_luma = zp_bg_luma_##isa,                             \
		.ops = { (path), zp_downscale2_##isa, zp_erode3_##isa, zp_dilate3_##isa, zp_stats_##isa,             \
			 zp_vote_##isa, zp_morph_##isa, zp_shake_sums_##isa, zp_yuv_luma_packed_##isa,                \
			 zp_yuv_bgr_row_##isa },                                                                      \
	}

/* Per architecture (kernels_x86.c, kernels_arm.c, kernels_generic.c, chosen by CMake): the CPU's best path. */
zp_simd zp_arch_cpu_best(void);

/* The table of `s` if compiled in and the CPU runs it, else the best available. */
const struct zp_kernels *zp_kernels_get(zp_simd s);

#endif
