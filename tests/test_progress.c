/* SPDX-License-Identifier: MIT */
/*
 * The tools' progress reporter (cli/progress.c, cli/cli.h): what a terminal and a
 * log get, with times made up by the test.
 */
#include "zp_test.h"
#include "cli.h"

#include <string.h>

/* What the reporter wrote to a memory stream, NUL-terminated (static; valid until the next call). */
static const char *got(FILE *f, char *buf, size_t n)
{
	long len;

	fflush(f);
	len = ftell(f);
	ck_assert(len >= 0 && (size_t)len < n);
	rewind(f);
	ck_assert_int_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fseek(f, len, SEEK_SET);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

START_TEST(durations)
{
	char b[32];

	zp_fmt_duration(b, sizeof(b), 0, false);
	ck_assert_str_eq(b, "0:00");
	zp_fmt_duration(b, sizeof(b), 59.5, true);
	ck_assert_str_eq(b, "1:00");
	zp_fmt_duration(b, sizeof(b), 59.5, false);
	ck_assert_str_eq(b, "0:59");
	zp_fmt_duration(b, sizeof(b), 3725, false);
	ck_assert_str_eq(b, "1:02:05");
	zp_fmt_duration(b, sizeof(b), -3, true);
	ck_assert_str_eq(b, "0:00");
}
END_TEST

/* The bar: filled by the share done, time left from the pace so far, redrawn at most every 200 ms. */
START_TEST(terminal_bar)
{
	static char buf[8192];
	FILE *f = tmpfile();
	zp_progress p;
	char line[256];
	const char *s;

	ck_assert_ptr_nonnull(f);
	zp_progress_begin(&p, f, true, "zebrapad tune", "runs", 100, 1000);
	zp_progress_text(&p, 30, 1000 + 12000, line, sizeof(line));
	ck_assert_str_eq(line, "zebrapad tune [#########.....................] 30/100 runs  0:12 elapsed  0:28 left");
	/* before the first item: no pace, no time left ... */
	zp_progress_text(&p, 0, 1000, line, sizeof(line));
	ck_assert_str_eq(line, "zebrapad tune [..............................] 0/100 runs  0:00 elapsed");
	/* ... unless the caller has an estimate */
	p.est_ms_per_item = 500;
	zp_progress_text(&p, 0, 1000, line, sizeof(line));
	ck_assert_str_eq(line, "zebrapad tune [..............................] 0/100 runs  0:00 elapsed  0:50 left");

	zp_progress_update(&p, 1, 1100);
	zp_progress_update(&p, 2, 1200);    /* 100 ms later: not redrawn */
	zp_progress_update(&p, 3, 1300);    /* 200 ms after the first: redrawn */
	zp_progress_update(&p, 100, 1350);  /* the end: always drawn */
	s = got(f, buf, sizeof(buf));
	ck_assert_int_eq(count(s, "\r"), 3);
	ck_assert_ptr_nonnull(strstr(s, "\rzebrapad tune [..............................] 1/100 runs  0:00 elapsed  0:10 left"));
	ck_assert_ptr_null(strstr(s, " 2/100 "));
	ck_assert_ptr_nonnull(strstr(s, " 3/100 "));
	ck_assert_ptr_nonnull(strstr(s, "\rzebrapad tune [##############################] 100/100 runs  0:00 elapsed  0:00 left"));
	ck_assert_ptr_null(strchr(s, '\n'));    /* a terminal line rewritten, never a new one */
	ck_assert_ptr_null(strchr(s, '\033'));  /* plain text: no escape codes */
	/* the end wipes it with spaces and returns to the start of the line */
	zp_progress_end(&p);
	s = got(f, buf, sizeof(buf));
	ck_assert_msg(strlen(s) > 90 && s[strlen(s) - 1] == '\r' && s[strlen(s) - 2] == ' ', "%s", s);
	fclose(f);
}
END_TEST

/* A shorter line after a longer one is padded over it. */
START_TEST(terminal_bar_padded)
{
	static char buf[4096];
	FILE *f = tmpfile();
	zp_progress p;
	const char *s, *second;

	ck_assert_ptr_nonnull(f);
	zp_progress_begin(&p, f, true, "zebrapad replay", "frames", 0, 0);   /* total unknown: a count */
	zp_progress_update(&p, 5, 3600 * 1000);       /* "1:00:00 elapsed" */
	zp_progress_update(&p, 6, 0 + 3600 * 1000 + 300);
	s = got(f, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(s, "\rzebrapad replay: 5 frames  1:00:00 elapsed"));
	second = strstr(s + 1, "\r");
	ck_assert_ptr_nonnull(second);
	ck_assert_uint_eq(strlen(second), strlen(s) - (size_t)(second - s));
	ck_assert_uint_eq(strlen(second), strlen("\rzebrapad replay: 5 frames  1:00:00 elapsed"));
	fclose(f);
}
END_TEST

/* In a log: one line per tenth, one every 30 s between them, none before quiet_ms. */
START_TEST(log_lines)
{
	static char buf[16384];
	FILE *f = tmpfile();
	zp_progress p;
	const char *s;

	ck_assert_ptr_nonnull(f);
	zp_progress_begin(&p, f, false, "zebrapad tune", "runs", 1000, 0);
	for (long d = 0; d <= 1000; d++)
		zp_progress_update(&p, d, d * 10);   /* 10 ms a run: 10 s in all */
	s = got(f, buf, sizeof(buf));
	ck_assert_int_eq(count(s, "\n"), 10);
	ck_assert_ptr_nonnull(strstr(s, "zebrapad tune: 100/1000 runs done, 0:01 elapsed, about 0:09 left\n"));
	ck_assert_ptr_nonnull(strstr(s, "zebrapad tune: 1000/1000 runs done, 0:10 elapsed, about 0:00 left\n"));
	ck_assert_ptr_null(strchr(s, '\r'));
	zp_progress_end(&p);   /* nothing to wipe in a log */
	ck_assert_str_eq(got(f, buf, sizeof(buf)), s);
	fclose(f);

	/* slow: a line every 30 s even within a tenth */
	f = tmpfile();
	zp_progress_begin(&p, f, false, "zebrapad eval", "frames", 1000, 0);
	for (long d = 0; d <= 50; d++)
		zp_progress_update(&p, d, d * 1000);   /* 1 s a frame, 50 s: no tenth reached */
	s = got(f, buf, sizeof(buf));
	ck_assert_int_eq(count(s, "\n"), 1);
	ck_assert_ptr_nonnull(strstr(s, "zebrapad eval: 30/1000 frames done, 0:30 elapsed, about 16:10 left\n"));
	fclose(f);

	/* quiet_ms: a job shorter than it says nothing */
	f = tmpfile();
	zp_progress_begin(&p, f, false, "zebrapad replay", "frames", 100, 0);
	p.quiet_ms = 10000;
	for (long d = 0; d <= 100; d++)
		zp_progress_update(&p, d, d * 50);   /* 5 s */
	ck_assert_str_eq(got(f, buf, sizeof(buf)), "");
	fclose(f);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "core", .tests = ZP_TESTS(
			durations,
			terminal_bar,
			terminal_bar_padded,
			log_lines) },
	};

	return zp_test_run(ZP_TEST_SUITE("progress", cases));
}
