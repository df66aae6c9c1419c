/* SPDX-License-Identifier: MIT */
/*
 * kernels_x86.c - x86 CPU features (cpuid + xgetbv): the best of the scalar,
 * SSE2 and AVX2 paths this CPU runs. Built with baseline flags only: the SIMD
 * code lives in the per-ISA object libraries (bgsub_sse2.c with -msse2, ...).
 */
#include "models_internal.h"

#include <cpuid.h>

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
