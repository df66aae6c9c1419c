/* SPDX-License-Identifier: MIT */
/* main.c - `zebrapad COMMAND ...`: dispatch to the subcommands. */
#include "app.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* Commands that are not built in (their cmd_*.c is missing) are weak NULLs. */
#pragma weak zp_cmd_replay
#pragma weak zp_cmd_run
#pragma weak zp_cmd_eval
#pragma weak zp_cmd_bench
#pragma weak zp_cmd_audit
#pragma weak zp_cmd_calibrate
#pragma weak zp_cmd_tune

static void usage(FILE *out, const struct command *cmds, size_t n)
{
	fprintf(out, "usage: zebrapad COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < n; i++)
		if (cmds[i].fn)
			fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\n`zebrapad COMMAND --help` for a command's options; README.md documents them all.\n");
}

int main(int argc, char **argv)
{
	const struct command cmds[] = {
		{ "run", zp_cmd_run, "the daemon at the crossing: camera -> detector -> lights (GPIO) -> counts" },
		{ "replay", zp_cmd_replay, "replay a recording through the whole pipeline (tuning, overlay, CSVs)" },
		{ "eval", zp_cmd_eval, "score the detector against ground truth (CDnet masks, MOTChallenge boxes)" },
		{ "tune", zp_cmd_tune, "sweep detector parameters against ground truth, write the best config" },
		{ "calibrate", zp_cmd_calibrate, "check a site's zones and ground plane on one frame (preview PNG)" },
		{ "audit", zp_cmd_audit, "privacy audit: what is stored, what leaves the device, the sandbox" },
		{ "bench", zp_cmd_bench, "time the background model and detector against OpenCV MOG2/KNN" },
	};
	const size_t n = sizeof(cmds) / sizeof(cmds[0]);

	if (argc < 2) {
		usage(stderr, cmds, n);
		return ZP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout, cmds, n);
		return ZP_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zebrapad %s\n", ZP_VERSION);
		return ZP_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			if (!cmds[i].fn) {
				fprintf(stderr, "zebrapad: command '%s' is not built into this binary\n", argv[1]);
				return ZP_EXIT_USAGE;
			}
			return cmds[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "zebrapad: unknown command '%s' (expected one of: run, replay, eval, tune, calibrate, audit, bench)\n",
		argv[1]);
	return ZP_EXIT_USAGE;
}
