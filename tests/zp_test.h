/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the Check suites. */
#ifndef ZP_TEST_H
#define ZP_TEST_H

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zp_common.h" /* zp_hash32 */

/* zp_hash32 (zp_common.h) of three values (e.g. seed, x, y). */
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

/* A fresh folder /tmp/zp_<tag>_XXXXXX, its path in buf (Check forks each test: make it in the test or its fixture). */
static inline char *zp_test_tmpdir_make(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/zp_%s_XXXXXX", tag);
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s: %s", buf, strerror(errno));
	return buf;
}

static inline int zp_test_tmpdir_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove the folder and everything below it, as rm -rf; 0, or -1 with a message when it stays. */
static inline int zp_test_tmpdir_remove(const char *dir)
{
	struct stat st;

	nftw(dir, zp_test_tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
	if (lstat(dir, &st) == 0) {
		fprintf(stderr, "could not remove %s\n", dir);
		return -1;
	}
	return 0;
}

/* dir/rel, rel printf-style (a file in a test's temporary folder); the last 8 results stay valid. */
static inline const char *zp_test_path(const char *dir, const char *fmt, ...)
{
	static char buf[8][600];
	static int i;
	char rel[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

/*
 * A MOTChallenge sequence folder under dir: dir/seq, dir/seq/img1 (for the
 * frames) and dir/seq/gt; returns dir/seq/gt/gt.txt opened for writing.
 */
static inline FILE *zp_test_mot_seq(const char *dir, const char *seq)
{
	FILE *f;

	ck_assert_int_eq(mkdir(zp_test_path(dir, "%s", seq), 0755), 0);
	ck_assert_int_eq(mkdir(zp_test_path(dir, "%s/img1", seq), 0755), 0);
	ck_assert_int_eq(mkdir(zp_test_path(dir, "%s/gt", seq), 0755), 0);
	f = fopen(zp_test_path(dir, "%s/gt/gt.txt", seq), "w");
	ck_assert_ptr_nonnull(f);
	return f;
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

/*
 * A suite as a table: one entry a Check test case, with its tests (a NULL-terminated array,
 * ZP_TESTS() writes one), its timeout in seconds (0: Check's default), its checked fixture and
 * its tags (NULL: none).
 *
 *	const struct zp_test_case cases[] = {
 *		{ .name = "core", .timeout_s = 60, .tests = ZP_TESTS(
 *			first_test,
 *			second_test) },
 *	};
 *
 *	return zp_test_run(ZP_TEST_SUITE("module", cases));
 *
 * A test built only under #if goes in a named array instead (directives cannot stand inside
 * ZP_TESTS()): const TTest *core_tests[] = { first_test, #if ... #endif NULL }.
 */
struct zp_test_case {
	const char *name;
	const TTest *const *tests;
	int timeout_s;
	void (*setup)(void);
	void (*teardown)(void);
	const char *tags;
};

static inline Suite *zp_test_suite(const char *name, const struct zp_test_case *cases, size_t n)
{
	Suite *s = suite_create(name);

	for (size_t i = 0; i < n; i++) {
		TCase *tc = tcase_create(cases[i].name);

		if (cases[i].setup || cases[i].teardown)
			tcase_add_checked_fixture(tc, cases[i].setup, cases[i].teardown);
		if (cases[i].timeout_s > 0)
			tcase_set_timeout(tc, cases[i].timeout_s);
		if (cases[i].tags)
			tcase_set_tags(tc, cases[i].tags);
		for (const TTest *const *t = cases[i].tests; *t; t++)
			tcase_add_test(tc, *t);
		suite_add_tcase(s, tc);
	}
	return s;
}

/* A case's tests: .tests = ZP_TESTS(first_test, second_test) */
#define ZP_TESTS(...) ((const TTest *const[]){ __VA_ARGS__, NULL })

/* The suite of a table of cases: ZP_TEST_SUITE("module", cases) */
#define ZP_TEST_SUITE(name, cases) zp_test_suite(name, cases, sizeof(cases) / sizeof((cases)[0]))

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
