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

#include <stdio.h>

enum { ZP_EXIT_OK = 0, ZP_EXIT_FAIL = 1, ZP_EXIT_USAGE = 2 };

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

/* Each takes argv with argv[0] = the command name ("replay", ...). */
int zp_cmd_replay(int argc, char **argv);
int zp_cmd_run(int argc, char **argv);
int zp_cmd_eval(int argc, char **argv);
int zp_cmd_bench(int argc, char **argv);
int zp_cmd_audit(int argc, char **argv);
int zp_cmd_calibrate(int argc, char **argv);
int zp_cmd_tune(int argc, char **argv);
int zp_cmd_export(int argc, char **argv);
int zp_cmd_collect(int argc, char **argv);

#endif
