/* SPDX-License-Identifier: MIT */
/*
 * zp_detector_process() and _process_mask() must not allocate: this suite
 * replaces malloc/calloc/realloc (glibc forwards its own internal calls to a
 * replacement too, so qsort()'s buffer would be seen) with counting wrappers
 * around glibc's and runs busy scenes - crossings, groups, gain steps,
 * external masks - while counting. Built only for dynamic, unsanitised test
 * binaries (ASan and static glibc bring their own malloc).
 */
#include "zp_test.h"
#include "zp_detector_test.h"
#include "detector.h"

#include <string.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

/* The one piece of global state: interposed malloc cannot have any other. */
static volatile long allocs;

void *malloc(size_t n)
{
	allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	allocs++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	allocs++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}

#define W 320
#define H 240

static void scene(uint8_t *img, int i)
{
	double gain = i > 150 && i < 200 ? 1.3 : 1.0;

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int v = (int)((60 + zp_hash32((uint32_t)(x >> 2) * 7919u + (uint32_t)(y >> 2) * 104729u) % 121 +
				       zp_hash32((uint32_t)(i * W * H + y * W + x)) % 5) * gain);

			img[y * W + x] = (uint8_t)(v > 255 ? 255 : v);
		}
	if (i < 60)
		return;
	if (i >= 210) {
		/* A crowd: 32 people 36 px apart, so every track has several blobs within reach (> 128 pairs). */
		for (int k = 0; k < 32; k++) {
			int x = 8 + (k % 8) * 36 + (i - 210) % 8, y = 10 + (k / 8) * 55;

			for (int yy = y; yy < y + 30; yy++)
				memset(img + yy * W + x, 235, 16);
		}
		return;
	}
	/* Eight people criss-crossing: merges, splits, groups, many association pairs. */
	for (int k = 0; k < 8; k++) {
		int x = (k % 2 ? 290 - (i - 60) * (2 + k % 3) : (i - 60) * (2 + k % 3)) % 300;
		int y = 20 + k * 25;

		for (int yy = y; yy < y + 40 && yy < H; yy++)
			memset(img + yy * W + (x < 0 ? 0 : x), k % 2 ? 235 : 20, 20);
	}
}

START_TEST(process_does_not_allocate)
{
	static uint8_t img[W * H], mask[W * H];
	zp_detector_params p;
	zp_zone z[2];
	zp_detector *d;
	zp_result r;
	void *volatile probe;
	long before;
	int seen = 0;

	memset(z, 0, sizeof(z));
	for (int i = 0; i < 2; i++) {
		z[i].poly.n = 3;
		z[i].poly.p[0] = (zp_pt){ 0, 0 };
		z[i].poly.p[1] = (zp_pt){ W - 1, i * (H - 1) };
		z[i].poly.p[2] = (zp_pt){ 0, H - 1 };
	}
	/* The counter works (else this test could not fail). */
	before = allocs;
	probe = malloc(16);
	free(probe);
	ck_assert_int_eq(allocs - before, 1);

	zp_detector_params_default(&p);
	d = zp_test_detector_new(&p, z, 2, W, H);
	for (int i = 0; i < 300; i++) {
		zp_frame f = zp_test_frame(img, W, H, (uint64_t)i + 1, i * 40);

		int rc;
		long n;

		scene(img, i);
		for (int j = 0; j < W * H; j++)
			mask[j] = img[j] > 200 || img[j] < 40 ? 255 : 0;
		/* Nothing but detector calls between the two reads (Check's asserts allocate). */
		before = allocs;
		if (i % 50 < 40)
			rc = zp_detector_process(d, &f, &r);
		else
			rc = zp_detector_process_mask(d, &f, mask, W, &r);
		zp_detector_mask(d, mask, W);
		n = allocs - before;
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(n == 0, "frame %d: %ld allocations", i, n);
		seen += r.ntracks >= 4;
	}
	ck_assert_int_gt(seen, 100); /* the scene really was busy */
	ck_assert_int_ge(r.ntracks, 30);
	zp_detector_free(d);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "core", .tests = ZP_TESTS(
			process_does_not_allocate) },
	};

	return zp_test_run(ZP_TEST_SUITE("detector_noalloc", cases));
}
