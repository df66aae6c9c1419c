/* SPDX-License-Identifier: MIT */
/*
 * test_gpio_lines.c - the line drivers: the real libgpiod driver against the
 * fake libgpiod (fakes/fake_gpiod1.c or fakes/fake_gpiod2.c, chosen by the
 * build: this file is compiled once per API with ZP_TEST_GPIOD=1 or 2), and
 * the simulated line.
 */
#include "zp_test.h"
#include "lights.h"
#include "fake_gpio.h"

#include <errno.h>
#include <string.h>

#ifndef ZP_TEST_GPIOD
#error "build with -DZP_TEST_GPIOD=1 or 2"
#endif

#define NLINES 54 /* as a Raspberry Pi 4's gpiochip0 */

static void setup(void)
{
	fake_gpio_reset(NLINES);
}

static void teardown(void)
{
	fake_gpio_reset(0);
}

static zp_line *open_out(const char *chip, int offset, bool active_low, int initial)
{
	char err[256] = "";
	int code = 12345;
	zp_line *l = zp_line_gpiod_new(chip, offset, active_low, initial, &code, err, sizeof(err));

	ck_assert_msg(l != NULL, "open %s line %d: %s", chip, offset, err);
	ck_assert_int_eq(code, 0);
	return l;
}

/* A change the test expects: when, and the level (on the pin, or of the simulated line). */
struct want_change {
	int64_t t_ms;
	int level;
};

static void assert_pin_changes(const fake_gpio_change *log, size_t n, const struct want_change *want, size_t nwant)
{
	ck_assert_uint_eq(n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		ck_assert_int_eq(log[i].t_ms, want[i].t_ms);
		ck_assert_int_eq(log[i].physical, want[i].level);
	}
}

static void assert_sim_changes(const zp_line_change *c, size_t n, const struct want_change *want, size_t nwant)
{
	ck_assert_uint_eq(n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		ck_assert_int_eq(c[i].t_ms, want[i].t_ms);
		ck_assert_int_eq(c[i].value, want[i].level);
	}
}

START_TEST(output_active_high_logs_every_change)
{
	/* the initial value at the request, then every set that changes the level */
	static const struct want_change want[] = { { 0, 0 }, { 100, 1 }, { 400, 0 }, { 500, 1 } };
	zp_line *l = open_out(FAKE_GPIO_CHIP, 17, false, 0);
	const fake_gpio_change *log;
	size_t n;

	ck_assert_str_eq(fake_gpio_consumer(17), "zebrapad");
	ck_assert_int_eq(fake_gpio_direction(17), 1);
	ck_assert(!fake_gpio_active_low(17));
	fake_gpio_set_time(100);
	ck_assert_int_eq(zp_line_set(l, 1, 100), 0);
	fake_gpio_set_time(250);
	ck_assert_int_eq(zp_line_set(l, 1, 250), 0); /* no change, but a write */
	fake_gpio_set_time(400);
	ck_assert_int_eq(zp_line_set(l, 0, 400), 0);
	fake_gpio_set_time(500);
	ck_assert_int_eq(zp_line_set(l, 7, 500), 0); /* any non-zero is 1 */
	ck_assert_int_eq(zp_line_get(l), 1);

	log = fake_gpio_changes(&n);
	assert_pin_changes(log, n, want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(log[3].offset, 17);
	ck_assert_uint_eq(fake_gpio_writes(17), 5);
	zp_line_free(l);
}
END_TEST

START_TEST(output_active_low_inverts_on_the_pin)
{
	zp_line *l = open_out(FAKE_GPIO_CHIP, 4, true, 1);

	ck_assert(fake_gpio_active_low(4));
	ck_assert_int_eq(fake_gpio_physical(4), 0); /* logical 1 = pin low */
	ck_assert_int_eq(zp_line_get(l), 1);
	ck_assert_int_eq(zp_line_set(l, 0, 10), 0);
	ck_assert_int_eq(fake_gpio_physical(4), 1);
	ck_assert_int_eq(zp_line_get(l), 0);
	zp_line_free(l);
}
END_TEST

START_TEST(chip_names_path_number)
{
	const char *names[] = { "gpiochip0", "/dev/gpiochip0", "0" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		zp_line *l = open_out(names[i], 2, false, 1);

		ck_assert_int_eq(fake_gpio_physical(2), 1);
		zp_line_free(l);
		ck_assert_ptr_null(fake_gpio_consumer(2));
	}
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}
END_TEST

/* the error code, and a message that names chip and line and contains `expect` */
static void expect_fail(zp_line *l, int code, int want, const char *err, const char *chip, int line,
			const char *expect)
{
	char line_txt[32];

	snprintf(line_txt, sizeof(line_txt), "line %d", line);
	ck_assert_ptr_null(l);
	ck_assert_msg(code == want, "code %d (%s), want %d; message: %s", code, zp_strerror(code), want, err);
	ck_assert_msg(strstr(err, chip) != NULL, "message does not name chip %s: %s", chip, err);
	ck_assert_msg(strstr(err, line_txt) != NULL, "message does not name %s: %s", line_txt, err);
	ck_assert_msg(strstr(err, expect) != NULL, "message lacks '%s': %s", expect, err);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}

START_TEST(missing_chip_is_enodev)
{
	char err[256] = "";
	int code = 0;
	zp_line *l = zp_line_gpiod_new("gpiochip7", 3, false, 0, &code, err, sizeof(err));

	expect_fail(l, code, ZP_ENODEV, err, "gpiochip7", 3, "no such GPIO chip");
	l = zp_line_gpiod_input_new("/dev/gpiochip9", 5, false, &code, err, sizeof(err));
	expect_fail(l, code, ZP_ENODEV, err, "gpiochip9", 5, "no such GPIO chip");
}
END_TEST

START_TEST(permission_denied_is_eacces)
{
	char err[256] = "";
	int code = 0;
	zp_line *l;

	fake_gpio_fail_open(EACCES);
	l = zp_line_gpiod_new(FAKE_GPIO_CHIP, 18, false, 0, &code, err, sizeof(err));
	expect_fail(l, code, ZP_EACCES, err, FAKE_GPIO_CHIP, 18, "not in group gpio?");
	fake_gpio_fail_open(0);
	l = open_out(FAKE_GPIO_CHIP, 18, false, 0);
	zp_line_free(l);
}
END_TEST

START_TEST(busy_line_is_ebusy_and_names_holder)
{
	char err[256] = "";
	int code = 0;
	zp_line *l, *mine;

	fake_gpio_set_busy(21, "sysfs");
	l = zp_line_gpiod_new(FAKE_GPIO_CHIP, 21, false, 0, &code, err, sizeof(err));
	expect_fail(l, code, ZP_EBUSY, err, FAKE_GPIO_CHIP, 21, "used by 'sysfs'");
	ck_assert_int_eq(fake_gpio_physical(21), -1); /* not touched */

	/* a second zebrapad request of the same line: busy, held by zebrapad */
	mine = open_out(FAKE_GPIO_CHIP, 22, false, 0);
	l = zp_line_gpiod_input_new(FAKE_GPIO_CHIP, 22, false, &code, err, sizeof(err));
	ck_assert_ptr_null(l);
	ck_assert_int_eq(code, ZP_EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "used by 'zebrapad'"));
	zp_line_free(mine);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}
END_TEST

START_TEST(offset_out_of_range_is_einval)
{
	char err[256] = "";
	int code = 0;
	zp_line *l = zp_line_gpiod_new(FAKE_GPIO_CHIP, NLINES, false, 0, &code, err, sizeof(err));

	expect_fail(l, code, ZP_EINVAL, err, FAKE_GPIO_CHIP, NLINES, "out of range (the chip has 54 lines)");
	l = zp_line_gpiod_new(FAKE_GPIO_CHIP, -1, false, 0, &code, err, sizeof(err));
	expect_fail(l, code, ZP_EINVAL, err, FAKE_GPIO_CHIP, -1, "offset >= 0");
	l = zp_line_gpiod_new("", 3, false, 0, &code, err, sizeof(err));
	ck_assert_ptr_null(l);
	ck_assert_int_eq(code, ZP_EINVAL);
	/* errcode and err may be NULL */
	ck_assert_ptr_null(zp_line_gpiod_new(FAKE_GPIO_CHIP, 99, false, 0, NULL, NULL, 0));
}
END_TEST

START_TEST(set_failure_is_eio_and_recovers)
{
	zp_line *l = open_out(FAKE_GPIO_CHIP, 5, false, 0);
	size_t n0, n1;

	fake_gpio_changes(&n0);
	fake_gpio_fail_set(5, EIO);
	ck_assert_int_eq(zp_line_set(l, 1, 10), ZP_EIO);
	ck_assert_int_eq(fake_gpio_physical(5), 0);
	fake_gpio_changes(&n1);
	ck_assert_uint_eq(n1, n0);
	fake_gpio_fail_set(5, 0);
	ck_assert_int_eq(zp_line_set(l, 1, 20), 0);
	ck_assert_int_eq(fake_gpio_physical(5), 1);
	zp_line_free(l);
}
END_TEST

START_TEST(release_on_free_keeps_level)
{
	zp_line *a = open_out(FAKE_GPIO_CHIP, 17, false, 0);
	zp_line *b = open_out("gpiochip0", 27, true, 0); /* heartbeat, active low */

	ck_assert_int_eq(zp_line_set(a, 1, 5), 0);
	ck_assert_int_eq(zp_line_set(b, 1, 5), 0);
	ck_assert_int_gt(fake_gpio_open_handles(), 0);
	zp_line_free(a);
	ck_assert_ptr_null(fake_gpio_consumer(17));
	ck_assert_int_eq(fake_gpio_direction(17), -1);
	ck_assert_int_eq(fake_gpio_physical(17), 1); /* value stays as last set */
	ck_assert_str_eq(fake_gpio_consumer(27), "zebrapad");
	zp_line_free(b);
	ck_assert_ptr_null(fake_gpio_consumer(27));
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
	zp_line_free(NULL);
	/* free again: the line can be requested anew */
	a = open_out(FAKE_GPIO_CHIP, 17, false, 1);
	zp_line_free(a);
}
END_TEST

START_TEST(heartbeat_toggles)
{
	zp_line *hb = open_out(FAKE_GPIO_CHIP, 26, false, 0);
	const fake_gpio_change *log;
	size_t n, i;
	int v = 0;

	for (i = 1; i <= 100; i++) {
		v = !v;
		fake_gpio_set_time((int64_t)i * 100);
		ck_assert_int_eq(zp_line_set(hb, v, (int64_t)i * 100), 0);
	}
	log = fake_gpio_changes(&n);
	ck_assert_uint_eq(n, 101);
	for (i = 1; i < n; i++) {
		ck_assert_int_eq(log[i].t_ms, (int64_t)i * 100);
		ck_assert_int_eq(log[i].physical, (int)(i % 2));
	}
	zp_line_free(hb);
}
END_TEST

START_TEST(input_line_button)
{
	char err[256] = "";
	int code = 1;
	zp_line *b = zp_line_gpiod_input_new(FAKE_GPIO_CHIP, 23, true, &code, err, sizeof(err));

	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(fake_gpio_direction(23), 0);
	ck_assert_str_eq(fake_gpio_consumer(23), "zebrapad");
	ck_assert(fake_gpio_active_low(23));
	fake_gpio_drive_input(23, 1); /* pull-up, button released */
	ck_assert_int_eq(zp_line_get(b), 0);
	fake_gpio_drive_input(23, 0); /* pressed: pin pulled low */
	ck_assert_int_eq(zp_line_get(b), 1);
	ck_assert_int_eq(zp_line_set(b, 1, 0), ZP_EINVAL);
	ck_assert_uint_eq(fake_gpio_writes(23), 0);
	zp_line_free(b);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}
END_TEST

START_TEST(sim_line_records_changes)
{
	/* the first set, then only the sets that change the value */
	static const struct want_change want[] = { { 5, 0 }, { 7, 1 }, { 9, 0 } };
	zp_line *l = zp_line_sim_new("light");
	const zp_line_change *c;
	size_t n, i;

	ck_assert_ptr_nonnull(l);
	c = zp_line_sim_changes(l, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(zp_line_get(l), 0);
	ck_assert_int_eq(zp_line_set(l, 0, 5), 0); /* first set always recorded */
	ck_assert_int_eq(zp_line_set(l, 0, 6), 0);
	ck_assert_int_eq(zp_line_set(l, 1, 7), 0);
	ck_assert_int_eq(zp_line_set(l, 1, 8), 0);
	ck_assert_int_eq(zp_line_set(l, 0, 9), 0);
	c = zp_line_sim_changes(l, &n);
	assert_sim_changes(c, n, want, sizeof(want) / sizeof(want[0]));
	/* grows past its first allocation */
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(zp_line_set(l, (int)(i % 2 == 0), 10 + (int64_t)i), 0);
	c = zp_line_sim_changes(l, &n);
	ck_assert_uint_eq(n, 1003);
	ck_assert_int_eq(c[1002].t_ms, 1009);
	ck_assert_int_eq(c[1002].value, 0);
	ck_assert_int_eq(zp_line_get(l), 0);
	zp_line_free(l);
}
END_TEST

START_TEST(sim_changes_only_for_sim_lines)
{
	zp_line *real = open_out(FAKE_GPIO_CHIP, 6, false, 0);
	size_t n = 99;

	ck_assert_ptr_null(zp_line_sim_changes(real, &n));
	ck_assert_uint_eq(n, 0);
	n = 99;
	ck_assert_ptr_null(zp_line_sim_changes(NULL, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(zp_line_set(NULL, 1, 0), ZP_EINVAL);
	ck_assert_int_eq(zp_line_get(NULL), ZP_EINVAL);
	zp_line_free(real);
}
END_TEST

/* v1 only: gpiod_chip_open_lookup() also finds a chip by its label */
START_TEST(chip_label_v1)
{
	zp_line *l = open_out(FAKE_GPIO_LABEL, 9, false, 1);

	ck_assert_int_eq(fake_gpio_physical(9), 1);
	zp_line_free(l);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "gpiod", .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			output_active_high_logs_every_change,
			output_active_low_inverts_on_the_pin,
			chip_names_path_number,
			missing_chip_is_enodev,
			permission_denied_is_eacces,
			busy_line_is_ebusy_and_names_holder,
			offset_out_of_range_is_einval,
			set_failure_is_eio_and_recovers,
			release_on_free_keeps_level,
			heartbeat_toggles,
			input_line_button,
			sim_changes_only_for_sim_lines,
			ZP_TEST_GPIOD == 1 ? chip_label_v1 : NULL) }, /* the last one: v1 only */
		{ .name = "sim", .tests = ZP_TESTS(
			sim_line_records_changes) },
	};

	return zp_test_run(ZP_TEST_SUITE(ZP_TEST_GPIOD == 2 ? "gpio_lines_v2" : "gpio_lines_v1", cases));
}
