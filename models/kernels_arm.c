/* SPDX-License-Identifier: MIT */
/*
 * kernels_arm.c - ARM CPU features: whether the NEON path runs.
 * AArch64 always has NEON (Advanced SIMD); 32-bit ARM asks the kernel
 * through getauxval(AT_HWCAP).
 */
#include "models_internal.h"

#include <sys/auxv.h>

#ifndef HWCAP_NEON
#define HWCAP_NEON (1 << 12) /* 32-bit ARM hwcap bit, <asm/hwcap.h> */
#endif

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
