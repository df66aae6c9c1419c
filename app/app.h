/* SPDX-License-Identifier: MIT */
/*
 * app.h - the zebrapad subcommands. Wiring only: each command parses its
 * options, builds the rooms it needs and runs them. Exit codes: 0 ok,
 * 1 runtime failure, 2 bad input (usage, config, source), as documented in
 * the README.
 */
#ifndef ZP_APP_H
#define ZP_APP_H

#include "zp_common.h"
#include "models.h"

#include <stdio.h>

/*
 * What main reads from the environment, once, for every command: nothing
 * below main reads these variables, so a command's behaviour is given by
 * its arguments and this.
 */
typedef struct zp_cmd_env {
	zp_simd simd;  /* the kernel path: the CPU's best, lowered by ZEBRAPAD_SIMD=scalar|sse2|avx2|neon */
	bool service;  /* started by systemd: INVOCATION_ID is set (systemd sets it for every unit it starts) */
	const char *v4l2_io;   /* ZP_V4L2_IO (libc or libv4l2) or NULL: how a camera is reached (zp_v4l2_io_choose) */
	const char *ld_preload; /* LD_PRELOAD or NULL: libcamerify's v4l2-compat.so means libc (zp_v4l2_io_choose) */
} zp_cmd_env;

/*
 * A numeric option's value: 0, or -1 after printing "PROG: OPT: expected ..."
 * (one line, on stderr) so the caller returns ZP_EXIT_USAGE.
 */
static inline int zp_opt_int(const char *prog, const char *opt, const char *arg, long min, long max, int *out)
{
	char err[160];

	if (zp_parse_int(arg, min, max, out, err, sizeof(err)) == ZP_OK)
		return 0;
	fprintf(stderr, "%s: %s: %s\n", prog, opt, err);
	return -1;
}

static inline int zp_opt_double(const char *prog, const char *opt, const char *arg, double min, double max,
				double *out)
{
	char err[160];

	if (zp_parse_double(arg, min, max, out, err, sizeof(err)) == ZP_OK)
		return 0;
	fprintf(stderr, "%s: %s: %s\n", prog, opt, err);
	return -1;
}

/*
 * A wall-clock time option (--start-time): Unix seconds, or a UTC time as
 * YYYY-MM-DDTHH:MM:SSZ, into Unix milliseconds. 0, or -1 after a one-line
 * message on stderr.
 */
static inline int zp_opt_time(const char *prog, const char *opt, const char *arg, int64_t *unix_ms)
{
	int y, mo, d, h, mi, se, n = 0, v;
	char err[160];

	if (zp_parse_int(arg, 0, 2147483647, &v, err, sizeof(err)) == ZP_OK) {
		*unix_ms = (int64_t)v * 1000;
		return 0;
	}
	if (sscanf(arg, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se, &n) == 6 && !arg[n] && y >= 1970 &&
	    mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60 && h >= 0 && mi >= 0 &&
	    se >= 0) {
		/* days from 1970-01-01 to y-mo-d (proleptic Gregorian; H. Hinnant's days_from_civil) */
		int yy = mo <= 2 ? y - 1 : y, era = yy / 400, yoe = yy - era * 400;
		int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		int64_t days = (int64_t)era * 146097 + doe - 719468;

		*unix_ms = ((days * 86400) + h * 3600 + mi * 60 + se) * 1000;
		return 0;
	}
	fprintf(stderr, "%s: %s: expected Unix seconds or a UTC time as YYYY-MM-DDTHH:MM:SSZ, got '%s'\n", prog, opt,
		arg);
	return -1;
}

/*
 * The source of a command, after getopt: every command takes --source SRC;
 * replay, eval and bench also take it as one positional argument (the older
 * spelling, kept as an alias). *source holds --source's value (or NULL);
 * first is optind. Returns 0 with *source set (still NULL when none was
 * given), or -1 after one line "PROG: ..." on stderr (two sources, or more
 * than one positional argument) so the caller returns ZP_EXIT_USAGE.
 */
static inline int zp_opt_source(const char *prog, int argc, char **argv, int first, const char **source)
{
	if (argc - first > 1) {
		fprintf(stderr, "%s: expected one SOURCE, got %d arguments ('%s', '%s'%s)\n", prog, argc - first,
			argv[first], argv[first + 1], argc - first > 2 ? ", ..." : "");
		return -1;
	}
	if (argc - first == 1) {
		if (*source) {
			fprintf(stderr, "%s: SOURCE given twice: --source %s and '%s' (give one)\n", prog, *source,
				argv[first]);
			return -1;
		}
		*source = argv[first];
	}
	return 0;
}

/* An output file name that means standard output ("-"). */
static inline bool zp_opt_is_stdout(const char *path)
{
	return path && path[0] == '-' && path[1] == '\0';
}

/*
 * A command's options as one table, a row per option; --help (-h) is
 * implicit. zp_opts_parse() runs getopt_long over the rows and stores each
 * value where its row says, a number checked against [min, max] with the
 * message of zp_opt_int/zp_opt_double/zp_opt_time ("PROG: --NAME: ...").
 */
typedef enum zp_opt_kind {
	ZP_OPT_STR,    /* *to.str = the argument */
	ZP_OPT_TRUE,   /* *to.flag = true; no argument */
	ZP_OPT_FALSE,  /* *to.flag = false; no argument */
	ZP_OPT_INT,    /* *to.i: an integer in [min, max] */
	ZP_OPT_LONG,   /* *to.l: the same, held in a long */
	ZP_OPT_DOUBLE, /* *to.d: a number in [min, max] */
	ZP_OPT_TIME,   /* *to.ms: a wall-clock time in Unix milliseconds (zp_opt_time) */
	ZP_OPT_CALL,   /* call(to.ctx, argument): 0, or the exit code after its own message on stderr */
} zp_opt_kind;

typedef struct zp_opt {
	const char *name;  /* --NAME; NULL: the letter only */
	char letter;       /* -L as well; 0: the long name only */
	zp_opt_kind kind;
	union {
		const char **str;
		bool *flag;
		int *i;
		long *l;
		double *d;
		int64_t *ms;
		void *ctx;
	} to;
	double min, max;   /* INT, LONG, DOUBLE */
	bool *set;         /* optional: set true when the option is given */
	int (*call)(void *ctx, const char *arg);
} zp_opt;

/*
 * Parse argv's options by the n rows of opts. 0 with optind at the first
 * argument that is not an option; -1 after --help printed usage to stdout
 * (the command then exits 0); ZP_EXIT_USAGE after a message on stderr (an
 * unknown option or a missing value: getopt's, then usage to stderr), or
 * what a CALL row's function returned.
 */
int zp_opts_parse(const char *prog, const zp_opt *opts, size_t n, void (*usage)(FILE *out), int argc, char **argv);

/* Each takes argv with argv[0] = the command name ("replay", ...) and what main read from the environment. */
int zp_cmd_replay(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_run(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_eval(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_bench(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_audit(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_calibrate(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_tune(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_export(int argc, char **argv, const zp_cmd_env *env);
int zp_cmd_collect(int argc, char **argv, const zp_cmd_env *env);

#endif
