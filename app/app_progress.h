/* SPDX-License-Identifier: MIT */
/*
 * app_progress.h - the one progress reporter of the tools (replay, eval,
 * tune, bench): on a terminal a bar that rewrites its line, with the time
 * elapsed and left; anywhere else (a log, a pipe, journald) plain lines,
 * one per tenth of the work and at least one every 30 s, so a log is not
 * flooded and a long job still shows it is alive.
 *
 *   zebrapad tune [#########.....................] 30/100 runs  0:12 elapsed  0:28 left
 *   zebrapad tune: 30/100 runs done, 0:12 elapsed, about 0:28 left
 *
 * Times come in as now_ms (the caller's monotonic clock), so the text is a
 * pure function of the calls: the tests drive it with made-up times. Every
 * line starts with the command's name, so the log hand-off (app_runlog.h)
 * passes it as zebrapad's own.
 */
#ifndef ZP_APP_PROGRESS_H
#define ZP_APP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif
