/* SPDX-License-Identifier: MIT */
#include "zp_test.h"
#include "zp_common.h"

#include <errno.h>
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

START_TEST(strlcpy_truncates)
{
	char buf[4];

	ck_assert_uint_eq(zp_strlcpy(buf, "abcdef", sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_int_accepts_range_and_blanks);
	tcase_add_test(tc, parse_int_rejects_junk_and_range);
	tcase_add_test(tc, parse_double_and_bool);
	tcase_add_test(tc, errno_mapping_and_text);
	tcase_add_test(tc, ratelimit_logs_first_then_counts);
	tcase_add_test(tc, strlcpy_truncates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return zp_test_run(common_suite());
}
