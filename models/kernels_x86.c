/* SPDX-License-Identifier: MIT */
/*
 * kernels_x86.c - x86 CPU features (cpuid + xgetbv) and the scalar, SSE2 and
 * AVX2 kernel tables. Built with baseline flags only: the SIMD code lives in
 * the per-ISA object libraries (bgsub_sse2.c with -msse2, ...).
 */
#include "models_internal.h"

#include <cpuid.h>

static const struct zp_kernels scalar_kernels = {
	.simd = ZP_SIMD_SCALAR,
	.bg_row = zp_bg_row_scalar,
	.bg_luma = zp_bg_luma_scalar,
	.ops = { ZP_SIMD_SCALAR, zp_downscale2_scalar, zp_erode3_scalar, zp_dilate3_scalar, zp_stats_scalar,
		 zp_vote_scalar,
		 zp_yuv_luma_packed_scalar, zp_yuv_bgr_row_scalar },
};

static const struct zp_kernels sse2_kernels = {
	.simd = ZP_SIMD_SSE2,
	.bg_row = zp_bg_row_sse2,
	.bg_luma = zp_bg_luma_sse2,
	.ops = { ZP_SIMD_SSE2, zp_downscale2_sse2, zp_erode3_sse2, zp_dilate3_sse2, zp_stats_sse2,
		 zp_vote_sse2,
		 zp_yuv_luma_packed_sse2, zp_yuv_bgr_row_sse2 },
};

static const struct zp_kernels avx2_kernels = {
	.simd = ZP_SIMD_AVX2,
	.bg_row = zp_bg_row_avx2,
	.bg_luma = zp_bg_luma_avx2,
	.ops = { ZP_SIMD_AVX2, zp_downscale2_avx2, zp_erode3_avx2, zp_dilate3_avx2, zp_stats_avx2,
		 zp_vote_avx2,
		 zp_yuv_luma_packed_avx2, zp_yuv_bgr_row_avx2 },
};

/* XCR0 bits 1 (SSE state) and 2 (AVX state): the OS saves the YMM registers. */
static bool os_saves_ymm(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	(void)hi;
	return (lo & 6) == 6;
}

/* Cheap enough to ask at every _new; nothing is cached in a global. */
zp_simd zp_arch_cpu_best(void)
{
	unsigned a, b, c, d;
	bool sse2, avx, osxsave;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return ZP_SIMD_SCALAR;
	sse2 = d & bit_SSE2;
	avx = c & bit_AVX;
	osxsave = c & bit_OSXSAVE;
	if (!sse2)
		return ZP_SIMD_SCALAR;
	if (avx && osxsave && os_saves_ymm() && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX2))
		return ZP_SIMD_AVX2;
	return ZP_SIMD_SSE2;
}

const struct zp_kernels *zp_arch_kernels(zp_simd s)
{
	switch (s) {
	case ZP_SIMD_SCALAR:
		return &scalar_kernels;
	case ZP_SIMD_SSE2:
		return &sse2_kernels;
	case ZP_SIMD_AVX2:
		return &avx2_kernels;
	default:
		return NULL;
	}
}
