/* SPDX-License-Identifier: MIT */
/*
 * kernels_arm.c - ARM CPU features and the scalar and NEON kernel tables.
 * AArch64 always has NEON (Advanced SIMD); 32-bit ARM asks the kernel
 * through getauxval(AT_HWCAP).
 */
#include "models_internal.h"

#include <sys/auxv.h>

#ifndef HWCAP_NEON
#define HWCAP_NEON (1 << 12) /* 32-bit ARM hwcap bit, <asm/hwcap.h> */
#endif

static const struct zp_kernels scalar_kernels = {
	.simd = ZP_SIMD_SCALAR,
	.bg_row = zp_bg_row_scalar,
	.bg_luma = zp_bg_luma_scalar,
	.ops = { ZP_SIMD_SCALAR, zp_downscale2_scalar, zp_erode3_scalar, zp_dilate3_scalar, zp_stats_scalar,
		 zp_vote_scalar,
		 zp_yuv_luma_packed_scalar, zp_yuv_bgr_row_scalar },
};

static const struct zp_kernels neon_kernels = {
	.simd = ZP_SIMD_NEON,
	.bg_row = zp_bg_row_neon,
	.bg_luma = zp_bg_luma_neon,
	.ops = { ZP_SIMD_NEON, zp_downscale2_neon, zp_erode3_neon, zp_dilate3_neon, zp_stats_neon,
		 zp_vote_neon,
		 zp_yuv_luma_packed_neon, zp_yuv_bgr_row_neon },
};

#if defined(__aarch64__)
static bool neon_present(void)
{
	return true;
}
#else
static bool neon_present(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_NEON) != 0;
}
#endif

zp_simd zp_arch_cpu_best(void)
{
	return neon_present() ? ZP_SIMD_NEON : ZP_SIMD_SCALAR;
}

const struct zp_kernels *zp_arch_kernels(zp_simd s)
{
	switch (s) {
	case ZP_SIMD_SCALAR:
		return &scalar_kernels;
	case ZP_SIMD_NEON:
		return &neon_kernels;
	default:
		return NULL;
	}
}
