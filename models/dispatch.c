/* SPDX-License-Identifier: MIT */
/*
 * dispatch.c - path names, the choice of a path by name and the kernel tables.
 * The CPU is asked by the architecture file (kernels_x86.c, kernels_arm.c or
 * kernels_generic.c, chosen by CMake); which tables are compiled in follows
 * CMake's ZP_MODELS_ARCH_X86 / ZP_MODELS_ARCH_ARM, so no ISA code is here.
 */
#include "models_internal.h"

#include <string.h>
#include <strings.h>

static const char *const simd_names[] = {
	[ZP_SIMD_SCALAR] = "scalar",
	[ZP_SIMD_SSE2] = "sse2",
	[ZP_SIMD_AVX2] = "avx2",
	[ZP_SIMD_NEON] = "neon",
};

const char *zp_simd_name(zp_simd s)
{
	if (s == ZP_SIMD_AUTO)
		return "auto";
	if ((unsigned)s >= sizeof(simd_names) / sizeof(simd_names[0]))
		return "unknown";
	return simd_names[s];
}

/* The paths compiled in for this architecture (CMake's ZP_MODELS_ARCH). */
static const struct zp_kernels kernels[] = {
	ZP_KERNELS_INIT(scalar, ZP_SIMD_SCALAR),
#if defined(ZP_MODELS_ARCH_X86)
	ZP_KERNELS_INIT(sse2, ZP_SIMD_SSE2),
	ZP_KERNELS_INIT(avx2, ZP_SIMD_AVX2),
#elif defined(ZP_MODELS_ARCH_ARM)
	ZP_KERNELS_INIT(neon, ZP_SIMD_NEON),
#endif
};

/* The kernel table of path s, NULL when it is not compiled in. */
static const struct zp_kernels *compiled_kernels(zp_simd s)
{
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (kernels[i].simd == s)
			return &kernels[i];
	return NULL;
}

/*
 * Paths form a ladder per architecture: scalar < sse2 < avx2 on x86,
 * scalar < neon on ARM. A path is available when it is compiled in and not
 * above the CPU's best on the same ladder.
 */
static int rank(zp_simd s)
{
	switch (s) {
	case ZP_SIMD_AUTO:
		return -1;
	case ZP_SIMD_SCALAR:
		return 0;
	case ZP_SIMD_SSE2:
	case ZP_SIMD_NEON:
		return 1;
	case ZP_SIMD_AVX2:
		return 2;
	}
	return -1;
}

static bool same_ladder(zp_simd a, zp_simd b)
{
	bool arm_a = a == ZP_SIMD_NEON, arm_b = b == ZP_SIMD_NEON;

	return a == ZP_SIMD_SCALAR || b == ZP_SIMD_SCALAR || arm_a == arm_b;
}

zp_simd zp_simd_cpu_best(void)
{
	return zp_arch_cpu_best();
}

bool zp_simd_available(zp_simd s)
{
	zp_simd best = zp_arch_cpu_best();

	if (rank(s) < 0 || !compiled_kernels(s))
		return false;
	return same_ladder(s, best) && rank(s) <= rank(best);
}

/* The best path that is compiled in and that the CPU runs. */
static zp_simd best_available(void)
{
	static const zp_simd order[] = { ZP_SIMD_AVX2, ZP_SIMD_SSE2, ZP_SIMD_NEON };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (zp_simd_available(order[i]))
			return order[i];
	return ZP_SIMD_SCALAR;
}

zp_simd zp_simd_choose(const char *name)
{
	zp_simd best = best_available();

	if (!name || !*name)
		return best;
	for (size_t i = 0; i < sizeof(simd_names) / sizeof(simd_names[0]); i++) {
		if (strcasecmp(name, simd_names[i]) == 0) {
			zp_simd s = (zp_simd)i;

			return zp_simd_available(s) ? s : best;
		}
	}
	return best;
}

const struct zp_kernels *zp_kernels_get(zp_simd s)
{
	if (!zp_simd_available(s))
		s = best_available();
	return compiled_kernels(s);
}

void zp_pixops_init(zp_pixops *ops, zp_simd simd)
{
	*ops = zp_kernels_get(simd)->ops;
}
