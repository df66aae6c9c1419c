/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the Check suites. */
#ifndef ZP_TEST_H
#define ZP_TEST_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* A well-mixed 32-bit hash (lowbias32): deterministic "random" scenes and noise in the tests. */
static inline uint32_t zp_hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* ... of three values (e.g. seed, x, y). */
static inline uint32_t zp_hash3(uint32_t a, uint32_t b, uint32_t c)
{
	return zp_hash32(a * 0x9e3779b9U ^ zp_hash32(b * 0x85ebca6bU ^ zp_hash32(c + 0x27d4eb2fU)));
}

/* The whole file, NUL-terminated (malloc'd; the length in *len when len is not NULL); NULL when it cannot be opened. */
static inline char *zp_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Write text to path (created or truncated). */
static inline void zp_test_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* rel under the source tree ($ZP_SOURCE_DIR, else ".."); the last four results stay valid. */
static inline const char *zp_test_src_path(const char *rel)
{
	static char buf[4][1024];
	static int i;
	const char *s = getenv("ZP_SOURCE_DIR");

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", s ? s : "..", rel);
	return buf[i];
}

/* The folder of recorded sequences, or NULL (with a message) when absent. */
static inline const char *zp_test_shared_data(void)
{
	const char *d = getenv("ZP_SHARED_DATA");
	struct stat st;

	if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "SKIP: ../shared/data not present (%s); tests on recorded sequences skipped\n",
			d ? d : "unset");
		return NULL;
	}
	return d;
}

/* opencv-doc's vtest.avi, or NULL (with a message) when not installed. */
static inline const char *zp_test_vtest(void)
{
	const char *p = getenv("ZP_VTEST");
	struct stat st;

	if (!p)
		p = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
	if (stat(p, &st) != 0) {
		fprintf(stderr, "SKIP: %s not present (install opencv-doc); vtest tests skipped\n", p);
		return NULL;
	}
	return p;
}

/* Run a suite, print Check's summary, return the exit status for main(). */
static inline int zp_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
