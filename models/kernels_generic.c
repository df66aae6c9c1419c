/* SPDX-License-Identifier: MIT */
/* kernels_generic.c - architectures without a SIMD path: scalar only. */
#include "models_internal.h"

static const struct zp_kernels scalar_kernels = {
	.simd = ZP_SIMD_SCALAR,
	.bg_row = zp_bg_row_scalar,
	.bg_luma = zp_bg_luma_scalar,
	.ops = { ZP_SIMD_SCALAR, zp_downscale2_scalar, zp_erode3_scalar, zp_dilate3_scalar, zp_stats_scalar,
		 zp_vote_scalar,
		 zp_yuv_luma_packed_scalar, zp_yuv_bgr_row_scalar },
};

zp_simd zp_arch_cpu_best(void)
{
	return ZP_SIMD_SCALAR;
}

const struct zp_kernels *zp_arch_kernels(zp_simd s)
{
	return s == ZP_SIMD_SCALAR ? &scalar_kernels : NULL;
}
