/* SPDX-License-Identifier: MIT */
/*
 * main.c - `zebrapad COMMAND ...`: dispatch to the subcommands.
 *
 * Built twice (app/CMakeLists.txt): into `zebrapad`, the daemon side (run,
 * audit; no OpenCV), and into `zebrapad-tools` (replay, eval, tune,
 * calibrate, bench; OpenCV). The commands a binary does not hold are weak
 * NULLs. `zebrapad TOOL ...` execs zebrapad-tools with the same arguments:
 * the one beside the zebrapad binary when there is one (the build tree),
 * else ZP_TOOLS_EXEC (installed: /usr/libexec/zebrapad/zebrapad-tools,
 * package zebrapad-tools). Not installed: one line saying so, exit 2.
 * `zebrapad help CMD` is `zebrapad CMD --help`.
 *
 * The environment is read here, once (ZEBRAPAD_SIMD, INVOCATION_ID), and
 * handed to the command as a zp_cmd_env: nothing below main reads them.
 */
#include "app.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, const zp_cmd_env *env);
	const char *summary;
	bool tool; /* in zebrapad-tools; else in zebrapad */
};

#ifndef ZP_TOOLS_EXEC
#define ZP_TOOLS_EXEC "/usr/libexec/zebrapad/zebrapad-tools"
#endif

#pragma weak zp_cmd_replay
#pragma weak zp_cmd_run
#pragma weak zp_cmd_eval
#pragma weak zp_cmd_bench
#pragma weak zp_cmd_audit
#pragma weak zp_cmd_calibrate
#pragma weak zp_cmd_tune

#ifndef ZP_TOOLS_BINARY
/* zebrapad-tools beside this binary, else the installed path. false: not there. */
static bool tools_path(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + sizeof("/zebrapad-tools") <= size) {
			memcpy(out, self, (size_t)(slash - self));
			memcpy(out + (slash - self), "/zebrapad-tools", sizeof("/zebrapad-tools"));
			if (access(out, X_OK) == 0)
				return true;
		}
	}
	zp_strlcpy(out, ZP_TOOLS_EXEC, size);
	return access(out, X_OK) == 0;
}

static int exec_tool(char **argv)
{
	char path[PATH_MAX];

	if (!tools_path(path, sizeof(path))) {
		fprintf(stderr, "zebrapad: '%s' is a tool of the zebrapad-tools package, which is not installed "
				"(%s missing; apt install zebrapad-tools)\n", argv[1], ZP_TOOLS_EXEC);
		return ZP_EXIT_USAGE;
	}
	fflush(NULL);
	execv(path, argv);
	fprintf(stderr, "zebrapad: cannot run %s: %s\n", path, strerror(errno));
	return ZP_EXIT_FAIL;
}
#endif

static void usage(FILE *out, const struct command *cmds, size_t n)
{
#ifndef ZP_TOOLS_BINARY
	char path[PATH_MAX];
	const bool have_tools = tools_path(path, sizeof(path));
#else
	const bool have_tools = true;
#endif

	fprintf(out, "usage: zebrapad COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-10s %s%s\n", cmds[i].name, cmds[i].summary,
			cmds[i].tool && !have_tools ? " (zebrapad-tools, not installed)" : "");
	fprintf(out, "\n`zebrapad help COMMAND` (or `zebrapad COMMAND --help`) for a command's options and exit\n"
		     "codes; README.md documents them all.\n"
		     "environment: ZEBRAPAD_SIMD=scalar|sse2|avx2|neon lowers the SIMD path of every command.\n"
		     "exit: 0 ok, 1 runtime failure, 2 bad usage or input (each command's help says more).\n");
}

/* The command called `name`; NULL when there is none. */
static const struct command *find_command(const struct command *cmds, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

/* Run a command (argv[0] = this program, argv[1] = the command's name). */
static int run_command(const struct command *c, int argc, char **argv, const zp_cmd_env *env)
{
	if (c->fn)
		return c->fn(argc - 1, argv + 1, env);
#ifndef ZP_TOOLS_BINARY
	if (c->tool)
		return exec_tool(argv);
#endif
	fprintf(stderr, "zebrapad: command '%s' is not built into this binary (%s)\n", c->name,
		c->tool ? "it is in zebrapad-tools" : "it is in the zebrapad binary");
	return ZP_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct command cmds[] = {
		{ "run", zp_cmd_run, "the daemon at the crossing: camera -> detector -> lights (GPIO) -> counts", false },
		{ "replay", zp_cmd_replay, "replay a recording through the whole pipeline (tuning, overlay, CSVs)", true },
		{ "eval", zp_cmd_eval, "score the detector against ground truth (CDnet masks, MOTChallenge boxes)", true },
		{ "tune", zp_cmd_tune, "sweep detector parameters against ground truth, write the best config", true },
		{ "calibrate", zp_cmd_calibrate, "check a site's zones and ground plane on one frame (preview PNG)", true },
		{ "audit", zp_cmd_audit, "privacy audit: what is stored, what leaves the device, the sandbox", false },
		{ "bench", zp_cmd_bench, "time the background model and detector against OpenCV MOG2/KNN", true },
	};
	const size_t n = sizeof(cmds) / sizeof(cmds[0]);
	const struct command *c;
	zp_cmd_env env;

	if (argc < 2) {
		usage(stderr, cmds, n);
		return ZP_EXIT_USAGE;
	}
	env.simd = zp_simd_choose(getenv("ZEBRAPAD_SIMD"));
	env.service = getenv("INVOCATION_ID") != NULL;
	if (!strcmp(argv[1], "help") && argc == 3) {
		/* `zebrapad help CMD`: the command's own help */
		char *help_argv[] = { argv[0], argv[2], (char *)"--help", NULL };

		c = find_command(cmds, n, argv[2]);
		if (!c) {
			fprintf(stderr, "zebrapad help: unknown command '%s' (expected one of: run, replay, eval, tune, "
					"calibrate, audit, bench)\n", argv[2]);
			return ZP_EXIT_USAGE;
		}
		return run_command(c, 3, help_argv, &env);
	}
	if (!strcmp(argv[1], "help") && argc > 3) {
		fprintf(stderr, "zebrapad help: expected at most one COMMAND, got %d arguments\n", argc - 2);
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
	c = find_command(cmds, n, argv[1]);
	if (c)
		return run_command(c, argc, argv, &env);
	fprintf(stderr, "zebrapad: unknown command '%s' (expected one of: run, replay, eval, tune, calibrate, audit, bench)\n",
		argv[1]);
	return ZP_EXIT_USAGE;
}
