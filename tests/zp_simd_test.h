/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the kernel suites (test_models, test_pixops): a
 * deterministic generator, buffers that end at a guard page, and the SIMD
 * paths this CPU runs.
 */
#ifndef ZP_SIMD_TEST_H
#define ZP_SIMD_TEST_H

#include "zp_test.h"
#include "models.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* xorshift32: deterministic, no rand(). */
static inline uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/*
 * `n` bytes whose last byte is the last byte of a mapped page, followed by a
 * PROT_NONE page (libyuv's align_buffer_page_end): reading past the end
 * faults at once, with or without ASan.
 */
struct pagebuf {
	uint8_t *map;
	size_t maplen;
	uint8_t *p;
};

static inline uint8_t *pb_alloc(struct pagebuf *b, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (n + pg - 1) / pg * pg;

	if (data == 0)
		data = pg;
	b->maplen = data + pg;
	b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(b->map != MAP_FAILED, "mmap %zu bytes failed", b->maplen);
	ck_assert_int_eq(mprotect(b->map + data, pg, PROT_NONE), 0);
	b->p = b->map + data - n;
	return b->p;
}

static inline void pb_free(struct pagebuf *b)
{
	munmap(b->map, b->maplen);
}

/* The paths other than scalar that this CPU runs (and that are compiled in). */
static inline int simd_paths(zp_simd *out)
{
	static const zp_simd all[] = { ZP_SIMD_SSE2, ZP_SIMD_AVX2, ZP_SIMD_NEON };
	int n = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (zp_simd_available(all[i]))
			out[n++] = all[i];
	if (n == 0)
		fprintf(stderr, "NOTE: no SIMD path on this CPU/architecture; equality tests compare scalar only\n");
	return n;
}

#endif
