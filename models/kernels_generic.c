/* SPDX-License-Identifier: MIT */
/* kernels_generic.c - architectures without a SIMD path: scalar only. */
#include "models_internal.h"

zp_simd zp_arch_cpu_best(void)
{
	return ZP_SIMD_SCALAR;
}
