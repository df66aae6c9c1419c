/* SPDX-License-Identifier: MIT */
/*
 * yuv_scalar.c - the reference camera-format kernels: luma out of a packed
 * 4:2:2 row (YUYV / UYVY) and one row of YCbCr -> packed BGR. The SIMD files
 * (yuv_sse2.c, yuv_avx2.c, yuv_neon.c) match these byte for byte and call
 * them for the pixels their vectors do not cover.
 */
#include "models_internal.h"

#include <string.h>

/*
 * Every second byte, from byte `odd`. Eight pixels at a time as two 64-bit
 * words (SWAR): mask the luma bytes, then fold them together; about 2.5x the
 * byte loop, which compilers do not vectorise at -O2. Little-endian only
 * (every Raspberry Pi); elsewhere the byte loop does it all.
 */
void zp_yuv_luma_packed_scalar(uint8_t *dst, const uint8_t *src, int w, int odd)
{
	static const bool little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	const unsigned shift = odd ? 8 : 0;
	int x = 0;

	for (; little && x + 8 <= w; x += 8) {
		uint64_t a, b;
		uint32_t lo, hi;

		memcpy(&a, src + 2 * x, 8);
		memcpy(&b, src + 2 * x + 8, 8);
		a = (a >> shift) & 0x00ff00ff00ff00ffull;
		b = (b >> shift) & 0x00ff00ff00ff00ffull;
		a = (a | (a >> 8)) & 0x0000ffff0000ffffull;
		b = (b | (b >> 8)) & 0x0000ffff0000ffffull;
		lo = (uint32_t)(a | (a >> 16));
		hi = (uint32_t)(b | (b >> 16));
		memcpy(dst + x, &lo, 4);
		memcpy(dst + x + 4, &hi, 4);
	}
	for (; x < w; x++)
		dst[x] = src[2 * x + (odd ? 1 : 0)];
}

/*
 * Clamp below before the shift (no shift of a negative number). In this form
 * gcc 12 -O2 makes the upper clamp a conditional move, which took a 640x480
 * frame of random bytes from 2.1 ms (if / else) to 1.1 ms on the build machine.
 */
static inline uint8_t clamp_u8(int32_t v)
{
	v = v < 0 ? 0 : v;
	v >>= ZP_YUV_SHIFT;
	return (uint8_t)(v > 255 ? 255 : v);
}

/* One pixel from its luma term and the chroma terms of its pair. */
static inline void put_bgr(uint8_t *dst, int32_t c, int32_t b, int32_t g, int32_t r)
{
	dst[0] = clamp_u8(c + b);
	dst[1] = clamp_u8(c + g);
	dst[2] = clamp_u8(c + r);
}

/* Inline with a constant cstep in each case below, so the compiler specialises the loop for each layout. */
static inline void bgr_row(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep)
{
	int x, k;

	for (x = 0, k = 0; x < w; x += 2, k += cstep) {
		int32_t d = u[k] - 128, e = v[k] - 128;
		int32_t b = ZP_YUV_CBU * d + ZP_YUV_HALF, g = ZP_YUV_HALF - ZP_YUV_CGU * d - ZP_YUV_CGV * e;
		int32_t r = ZP_YUV_CRV * e + ZP_YUV_HALF;

		put_bgr(dst + 3 * x, ZP_YUV_CY * (y[x] - 16), b, g, r);
		if (x + 1 < w) /* an odd width: the last pixel has its pair's chroma to itself */
			put_bgr(dst + 3 * x + 3, ZP_YUV_CY * (y[x + 1] - 16), b, g, r);
	}
}

void zp_yuv_bgr_row_scalar(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep)
{
	switch (cstep) {
	case 4:
		bgr_row(dst, y, u, v, w, 4);
		break;
	case 2:
		bgr_row(dst, y, u, v, w, 2);
		break;
	default:
		bgr_row(dst, y, u, v, w, 1);
		break;
	}
}
