/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the commands share on the command line: a command's options
 * from one table (zp_opts_parse and the value parsers behind it), the one
 * progress reporter of the tools, and the log hand-off that keeps library
 * messages from flooding stderr and the daemon's loop from waiting on it.
 * No command's own logic lives here (app/ holds the commands).
 */
#ifndef ZP_CLI_H
#define ZP_CLI_H

#include "zp_common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/*
 * The one progress reporter of the tools (replay, eval, tune, bench): on a
 * terminal a bar that rewrites its line, with the time elapsed and left; anywhere else (a log, a pipe, journald) plain lines,
 * one per tenth of the work and at least one every 30 s, so a log is not
 * flooded and a long job still shows it is alive.
 *
 *   zebrapad tune [#########.....................] 30/100 runs  0:12 elapsed  0:28 left
 *   zebrapad tune: 30/100 runs done, 0:12 elapsed, about 0:28 left
 *
 * Times come in as now_ms (the caller's monotonic clock), so the text is a
 * pure function of the calls: the tests drive it with made-up times. Every
 * line starts with the command's name, so the log hand-off (below)
 * passes it as zebrapad's own.
 */
typedef struct zp_progress {
	FILE *out;
	const char *prog;       /* "zebrapad tune" */
	const char *unit;       /* "runs", "frames" */
	bool tty;               /* a bar; else plain lines */
	long total;             /* <= 0: unknown (a count, no bar, no time left) */
	int64_t start_ms;
	double est_ms_per_item; /* time left before the first item is done (0: unknown) */
	int64_t quiet_ms;       /* plain lines: none before this much time has passed (short jobs stay silent) */
	/* what was shown */
	int64_t last_ms;        /* the last bar drawn or line written; -1: none */
	int last_tenth;
	size_t drawn;           /* length of the bar on the terminal (0: none) */
} zp_progress;

/* Start; nothing is shown yet. out: where (stderr); tty: whether it is a terminal (zp_runlog_tool's answer). */
void zp_progress_begin(zp_progress *p, FILE *out, bool tty, const char *prog, const char *unit, long total,
		       int64_t now_ms);

/* done items of total: a bar redrawn at most every 200 ms (and at the end), or a line per tenth / 30 s. */
void zp_progress_update(zp_progress *p, long done, int64_t now_ms);

/* Take the bar off the terminal (the summary follows on a clean line); plain lines: nothing. */
void zp_progress_end(zp_progress *p);

/* The text of the bar (tty) or the line (else) for done at now_ms, without "\r" or "\n"; its length. */
size_t zp_progress_text(const zp_progress *p, long done, int64_t now_ms, char *buf, size_t n);

/* A duration as m:ss or h:mm:ss; rounded up (time left) or down (time elapsed). */
void zp_fmt_duration(char *buf, size_t n, double seconds, bool round_up);

/*
 * The log hand-off of `zebrapad run`: the daemon's messages never make the
 * frame -> light loop wait.
 *
 * Every message of the process (zp_log, SQLite's, FFmpeg's, libv4l2's) is
 * written to file descriptor 2. zp_runlog_begin() points descriptor 2 at a
 * pipe whose write end is non-blocking (1 MiB where the system allows it);
 * a drain thread copies the pipe to the real stderr (a terminal, a file, or
 * journald's stream under systemd) and is the only one that can block when
 * nobody reads it. When the pipe is full a line is dropped, not waited for:
 * the write fails with EAGAIN, stdio marks stderr with an error, and
 * zp_runlog_take_dropped() counts those (the daemon reports them, once a
 * minute at most, and in its exit summary).
 *
 * The drain also tags and rate-limits what libraries write to stderr
 * themselves (FFmpeg, libv4l2): a line that is not zebrapad's own
 * ("<N>zebrapad: ...") goes out as "<4>zebrapad: lib: LINE", at most 20 a
 * minute; the number of the others is said when the minute is over. A
 * corrupt recording cannot flood the journal. Every command that opens a
 * recording or a store goes through it (zp_runlog_tool below), not only
 * the daemon.
 */
typedef struct zp_runlog zp_runlog;

/*
 * Redirect descriptor 2 into the hand-off (no thread yet); pipe_bytes: its
 * size (0: 1 MiB; the kernel rounds up to pages and may refuse more than
 * /proc/sys/fs/pipe-max-size). 0, or -1 with a message in err.
 */
int zp_runlog_begin(zp_runlog **out, size_t pipe_bytes, char *err, size_t errlen);

/* Start the drain thread (after the sandbox: the thread inherits it). 0 or -1. */
int zp_runlog_start(zp_runlog *l);

/*
 * Wait (up to wait_ms) until every message written so far has been copied
 * to the real stderr: a tool calls it before it prints its results to
 * stdout, so that a warning, or the progress bar being wiped, does not land
 * after them on a terminal. NULL: only fflush(stderr).
 */
void zp_runlog_sync(zp_runlog *l, int wait_ms);

/* Its descriptors (to keep open through the sandbox); returns how many were put in fds (at most 3). */
int zp_runlog_fds(const zp_runlog *l, int fds[3]);

/* Messages dropped since the last call (a full hand-off); clears stderr's error flag. */
uint64_t zp_runlog_take_dropped(zp_runlog *l);

/*
 * The tools' hand-off (replay, eval, tune, bench, calibrate, audit): begin
 * and start in one call, with a pipe whose write end blocks (a tool may wait
 * for its reader; its own messages are never dropped). Library lines are
 * tagged and rate-limited as above. NULL when it could not be put in place:
 * messages then go straight to stderr. *stderr_tty: whether stderr was a
 * terminal before it was redirected (a progress bar asks this, not isatty(2)).
 * End it with zp_runlog_end(l, 1000).
 */
zp_runlog *zp_runlog_tool(bool *stderr_tty);

/*
 * Put descriptor 2 back, let the drain thread copy what is left for up to
 * wait_ms (started now if it never was), then stop it (a stderr nobody
 * reads loses the rest) and free l. NULL is a no-op.
 */
void zp_runlog_end(zp_runlog *l, int wait_ms);

/*
 * A tool command (replay aside) around its body: library messages (FFmpeg
 * about a corrupt recording, ...) tagged and rate-limited, as in every
 * command. The body puts the hand-off in place (zp_runlog_tool, or
 * zp_runlog_begin) once its options are read, so that the usage text is not
 * taken for a library's line, and stores it in *log; zp_runlog_command()
 * ends it (zp_runlog_end(log, 1000)) once the body returns, and returns
 * the body's exit code.
 */
struct zp_cmd_env;
typedef int zp_runlog_body(int argc, char **argv, const struct zp_cmd_env *env, zp_runlog **log);
int zp_runlog_command(zp_runlog_body *body, int argc, char **argv, const struct zp_cmd_env *env);

#endif
