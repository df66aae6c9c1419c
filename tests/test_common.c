/* SPDX-License-Identifier: MIT */
#include "zp_test.h"
#include "zp_common.h"

#include <unistd.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

START_TEST(parse_int_accepts_range_and_blanks)
{
	int v = -1;
	char err[128];

	ck_assert_int_eq(zp_parse_int(" 42 ", 0, 100, &v, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(zp_parse_int("-5", -10, 10, &v, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(v, -5);
}
END_TEST

START_TEST(parse_int_rejects_junk_and_range)
{
	int v = 7;
	char err[128];

	ck_assert_int_eq(zp_parse_int("12x", 0, 100, &v, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "expected an integer from 0 to 100"));
	ck_assert_int_eq(zp_parse_int("", 0, 100, &v, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_parse_int("101", 0, 100, &v, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_parse_int("99999999999999999999", 0, 100, &v, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(v, 7); /* untouched on error */
}
END_TEST

START_TEST(parse_double_and_bool)
{
	double d = 0;
	bool b = false;
	char err[128];

	ck_assert_int_eq(zp_parse_double("1.5", 0, 2, &d, err, sizeof(err)), ZP_OK);
	ck_assert_double_eq_tol(d, 1.5, 1e-12);
	ck_assert_int_eq(zp_parse_double("nan", 0, 2, &d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_parse_double("3", 0, 2, &d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_parse_bool(" Yes ", &b, err, sizeof(err)), ZP_OK);
	ck_assert(b);
	ck_assert_int_eq(zp_parse_bool("off", &b, err, sizeof(err)), ZP_OK);
	ck_assert(!b);
	ck_assert_int_eq(zp_parse_bool("maybe", &b, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "expected true or false"));
}
END_TEST

START_TEST(errno_mapping_and_text)
{
	ck_assert_int_eq(zp_err_from_errno(ENODEV), ZP_ENODEV);
	ck_assert_int_eq(zp_err_from_errno(EACCES), ZP_EACCES);
	ck_assert_int_eq(zp_err_from_errno(EBUSY), ZP_EBUSY);
	ck_assert_int_eq(zp_err_from_errno(EINTR), ZP_EAGAIN);
	ck_assert_int_eq(zp_err_from_errno(EPIPE), ZP_EIO);
	ck_assert_str_eq(zp_strerror(ZP_ETIMEDOUT), "timed out");
	ck_assert_str_eq(zp_strerror(12345), "unknown error");
}
END_TEST

START_TEST(ratelimit_logs_first_then_counts)
{
	zp_ratelimit rl = { 0 };
	uint64_t sup = 99;

	ck_assert(zp_ratelimit_ok(&rl, 1000, 5000, &sup));
	ck_assert_uint_eq(sup, 0);
	ck_assert(!zp_ratelimit_ok(&rl, 1100, 5000, &sup));
	ck_assert(!zp_ratelimit_ok(&rl, 5999, 5000, &sup));
	ck_assert(zp_ratelimit_ok(&rl, 6000, 5000, &sup));
	ck_assert_uint_eq(sup, 2);
}
END_TEST

/* A burst: up to N a window, the rest counted and handed to the first message of the next window. */
START_TEST(ratelimit_burst_then_counts)
{
	zp_ratelimit rl = { 0 };
	uint64_t sup = 99;
	int logged = 0;

	for (int i = 0; i < 50; i++)   /* 50 in the first second of a 60 s window */
		if (zp_ratelimit_burst(&rl, 1000 + i * 20, 60000, 20, &sup)) {
			logged++;
			ck_assert_uint_eq(sup, 0);
		}
	ck_assert_int_eq(logged, 20);
	ck_assert_uint_eq(rl.suppressed, 30);
	ck_assert(zp_ratelimit_burst(&rl, 61000, 60000, 20, &sup));   /* the next window */
	ck_assert_uint_eq(sup, 30);
	ck_assert_uint_eq(rl.suppressed, 0);
}
END_TEST

/* stderr while fn runs. */
static const char *stderr_of(void (*fn)(void))
{
	static char buf[4096];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	long n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);   /* fd 2 wrote through the same open file: from its start */
	n = (long)fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n > 0 ? n : 0] = '\0';
	fclose(tmp);
	return buf;
}

static void repeat_fault(void)
{
	zp_ratelimit rl = { 0 };

	for (int i = 0; i < 100; i++)   /* a fault every second for 100 s, logged once a minute */
		zp_log_limited(&rl, (int64_t)i * 1000, 60000, ZP_LOG_ERR, "camera %s gone", "/dev/video0");
}

START_TEST(log_limited_first_then_count)
{
	ck_assert_str_eq(stderr_of(repeat_fault), "<3>zebrapad: camera /dev/video0 gone\n"
						  "<3>zebrapad: camera /dev/video0 gone (59 more since the last message)\n");
}
END_TEST

START_TEST(fmt_utc_both_forms)
{
	char b[40], small[8];

	ck_assert_str_eq(zp_fmt_utc(1704110400 + 3723, true, b, sizeof(b)), "2024-01-01 13:02:03 UTC");
	ck_assert_str_eq(zp_fmt_utc(1704110400 + 3723, false, b, sizeof(b)), "2024-01-01 13:02 UTC");
	ck_assert_str_eq(zp_fmt_utc(0, true, b, sizeof(b)), "1970-01-01 00:00:00 UTC");
	/* too small a buffer: the number, cut, still a string */
	ck_assert_str_eq(zp_fmt_utc(1704110400, true, small, sizeof(small)), "1704110");
}
END_TEST

START_TEST(strlcpy_truncates)
{
	char buf[4];

	ck_assert_uint_eq(zp_strlcpy(buf, "abcdef", sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

/* The folder of a path: trailing slashes ignored, "." without a slash, "/" at the top, truncated safely. */
START_TEST(dirname_cases)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ "/var/lib/zebrapad/counts.db", "/var/lib/zebrapad" },
		{ "counts.db", "." },
		{ "/counts.db", "/" },
		{ "/", "/" },
		{ "out/runs.csv", "out" },
		{ "out/plots/", "out" },
		{ "a//b", "a" },
		{ "", "." },
	};
	char buf[64], small[4];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		zp_dirname(buf, sizeof(buf), cases[i].path);
		ck_assert_msg(!strcmp(buf, cases[i].want), "'%s': got '%s', expected '%s'", cases[i].path, buf,
			      cases[i].want);
	}
	zp_dirname(small, sizeof(small), "/abcdef/x");
	ck_assert_str_eq(small, "/ab");
}
END_TEST

/* One field table: each type parsed in place, bad values refused with the field unchanged. */
struct field_demo {
	int n;
	double ratio;
	bool on;
	char name[8];
	char path[16];
};

static int demo_abs(const char *value, char *err, size_t errlen)
{
	return value[0] && value[0] != '/' ? zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute path") : ZP_OK;
}

static const zp_field demo_fields[] = {
	ZP_INT_FIELD(struct field_demo, n, -1, 10, 3),
	ZP_DOUBLE_FIELD(struct field_demo, ratio, 0.05, 1, 0.5),
	ZP_BOOL_FIELD(struct field_demo, on, false),
	ZP_TEXT_FIELD(struct field_demo, name, true, NULL, "x"),
	ZP_TEXT_FIELD(struct field_demo, path, false, demo_abs, ""),
};

START_TEST(field_table_sets_checks_and_refuses)
{
	struct field_demo d = { .n = 3, .ratio = 0.5, .on = false, .name = "x", .path = "" };
	const size_t n = ZP_FIELDS_N(demo_fields);
	char err[200], list[100];

	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "n", " -1 ", err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(d.n, -1);
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "ratio", "0.25", err, sizeof(err)), ZP_OK);
	ck_assert_double_eq(d.ratio, 0.25);
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "on", "yes", err, sizeof(err)), ZP_OK);
	ck_assert(d.on);
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "name", "kerb", err, sizeof(err)), ZP_OK);
	ck_assert_str_eq(d.name, "kerb");
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "path", "/var/x", err, sizeof(err)), ZP_OK);
	ck_assert_str_eq(d.path, "/var/x");

	/* refused: out of range, not a number, too long, empty where a value is needed, the check's form */
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "n", "11", err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "from -1 to 10"));
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "ratio", "half", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "on", "maybe", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "name", "12345678", err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at most 7 characters"));
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "name", "", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "path", "var/x", err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "expected an absolute path");
	ck_assert_int_eq(d.n, -1);
	ck_assert_double_eq(d.ratio, 0.25);
	ck_assert(d.on);
	ck_assert_str_eq(d.name, "kerb");
	ck_assert_str_eq(d.path, "/var/x");

	ck_assert_int_eq(zp_fields_set(demo_fields, n, &d, "nn", "1", err, sizeof(err)), ZP_ENODEV);
	ck_assert_str_eq(err, "unknown key 'nn'");
	ck_assert_str_eq(zp_fields_list(demo_fields, n, list, sizeof(list)), "n, ratio, on, name, path");

	/* values set in code are range-checked by the same table */
	ck_assert_int_eq(zp_fields_check(demo_fields, n, &d, err, sizeof(err)), ZP_OK);
	d.ratio = 2;
	ck_assert_int_eq(zp_fields_check(demo_fields, n, &d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "ratio: expected a number from 0.05 to 1, got 2");
	d.ratio = 0.5;
	d.n = -2;
	ck_assert_int_eq(zp_fields_check(demo_fields, n, &d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "n: expected an integer from -1 to 10, got -2");
}
END_TEST


/* Valid UTF-8 passes unchanged; every ill-formed byte becomes U+FFFD; a short buffer never splits a sequence. */
START_TEST(utf8_valid_replaces_bad_bytes)
{
	static const char good[] = "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \t\"\\";
	static const struct {
		const char *in, *out;
		size_t bad;
	} cases[] = {
		{ "\x80", "\xef\xbf\xbd", 1 },                                   /* stray continuation */
		{ "a\xc0\xaf" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b", 2 },            /* overlong '/' */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3 },    /* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4 }, /* above U+10FFFF */
		{ "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd", 2 },                /* cut short at the end */
		{ "\xff", "\xef\xbf\xbd", 1 },
	};
	char buf[64];
	size_t bad = 99;
	char *d;

	ck_assert_uint_eq(zp_utf8_valid(good, buf, sizeof(buf), &bad), strlen(good));
	ck_assert_str_eq(buf, good);
	ck_assert_uint_eq(bad, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_uint_eq(zp_utf8_valid(cases[i].in, buf, sizeof(buf), &bad), strlen(cases[i].out));
		ck_assert_msg(!strcmp(buf, cases[i].out), "case %zu", i);
		ck_assert_uint_eq(bad, cases[i].bad);
	}
	/* too small: whole sequences only, the length needed still returned */
	ck_assert_uint_eq(zp_utf8_valid("ab\xe2\x82\xac" "c", buf, 5, NULL), 6);
	ck_assert_str_eq(buf, "ab");
	ck_assert_uint_eq(zp_utf8_valid("a\x80", buf, 4, NULL), 4);
	ck_assert_str_eq(buf, "a");
	ck_assert_uint_eq(zp_utf8_valid("abc", NULL, 0, NULL), 3);
	d = zp_utf8_dup("z\xfe");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, "z\xef\xbf\xbd");
	free(d);
	d = zp_utf8_dup(NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, "");
	free(d);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "core", .tests = ZP_TESTS(
			parse_int_accepts_range_and_blanks,
			ratelimit_burst_then_counts,
			fmt_utc_both_forms,
			log_limited_first_then_count,
			parse_int_rejects_junk_and_range,
			parse_double_and_bool,
			errno_mapping_and_text,
			ratelimit_logs_first_then_counts,
			strlcpy_truncates,
			dirname_cases,
			field_table_sets_checks_and_refuses,
			utf8_valid_replaces_bad_bytes) },
	};

	return zp_test_run(ZP_TEST_SUITE("common", cases));
}
