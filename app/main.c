/* SPDX-License-Identifier: MIT */
/*
 * main.c - `zebrapad COMMAND ...`: dispatch to the subcommands.
 *
 * Built four times (app/CMakeLists.txt): into `zebrapad`, the daemon side
 * (run, audit; no OpenCV), into `zebrapad-tools` (replay, eval, tune,
 * calibrate, bench; OpenCV), into `zebrapad-export` (export: the device's
 * MQTT side) and into `zebrapad-collect` (collect: libpq, the town hall's).
 * The commands a binary does not hold are weak NULLs. `zebrapad TOOL ...`
 * execs the binary that holds TOOL with the same arguments: the one beside
 * the zebrapad binary when there is one (the build tree), else
 * ZP_TOOLS_EXEC / ZP_EXPORT_EXEC / ZP_COLLECT_EXEC (installed:
 * /usr/libexec/zebrapad/). Not installed: one line saying so, exit 2.
 * zebrapad-tools and zebrapad-export exec nothing.
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

/* Which binary holds a command. */
enum { IN_ZEBRAPAD, IN_TOOLS, IN_EXPORT, IN_COLLECT };

#if defined(ZP_TOOLS_BINARY) || defined(ZP_EXPORT_BINARY)
#define ZP_NO_EXEC 1
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, const zp_cmd_env *env);
	const char *summary;
	int where;
};

#ifndef ZP_TOOLS_EXEC
#define ZP_TOOLS_EXEC "/usr/libexec/zebrapad/zebrapad-tools"
#endif
#ifndef ZP_EXPORT_EXEC
#define ZP_EXPORT_EXEC "/usr/libexec/zebrapad/zebrapad-export"
#endif
#ifndef ZP_COLLECT_EXEC
#define ZP_COLLECT_EXEC "/usr/libexec/zebrapad/zebrapad-collect"
#endif

/* The helper binary of a command's `where`: its file name, installed path and package. */
static const char *const helper_name[] = { "zebrapad", "zebrapad-tools", "zebrapad-export", "zebrapad-collect" };
#ifndef ZP_NO_EXEC
static const char *const helper_installed[] = { "", ZP_TOOLS_EXEC, ZP_EXPORT_EXEC, ZP_COLLECT_EXEC };
#endif

#pragma weak zp_cmd_replay
#pragma weak zp_cmd_run
#pragma weak zp_cmd_eval
#pragma weak zp_cmd_bench
#pragma weak zp_cmd_audit
#pragma weak zp_cmd_calibrate
#pragma weak zp_cmd_tune
#pragma weak zp_cmd_export
#pragma weak zp_cmd_collect

#ifndef ZP_NO_EXEC
/* The helper binary beside this binary, else its installed path. false: not there. */
static bool helper_path(int where, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *name = helper_name[where];

	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + strlen(name) + 2 <= size) {
			memcpy(out, self, (size_t)(slash - self));
			out[slash - self] = '/';
			memcpy(out + (slash - self) + 1, name, strlen(name) + 1);
			if (access(out, X_OK) == 0)
				return true;
		}
	}
	zp_strlcpy(out, helper_installed[where], size);
	return access(out, X_OK) == 0;
}

static int exec_tool(int where, char **argv)
{
	char path[PATH_MAX];

	if (!helper_path(where, path, sizeof(path))) {
		fprintf(stderr, "zebrapad: '%s' is in the %s package, which is not installed (%s missing; apt install %s)\n",
			argv[1], helper_name[where], helper_installed[where],
			helper_name[where]);
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
	fprintf(out, "usage: zebrapad COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < n; i++) {
		bool have = true;
#ifndef ZP_NO_EXEC
		char path[PATH_MAX];

		if (cmds[i].where != IN_ZEBRAPAD && !cmds[i].fn)
			have = helper_path(cmds[i].where, path, sizeof(path));
#endif
		fprintf(out, "  %-10s %s%s%s%s\n", cmds[i].name, cmds[i].summary, have ? "" : " (",
			have ? "" : helper_name[cmds[i].where], have ? "" : ", not installed)");
	}
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
#ifndef ZP_NO_EXEC
	if (c->where != IN_ZEBRAPAD)
		return exec_tool(c->where, argv);
#endif
	fprintf(stderr, "zebrapad: command '%s' is not built into this binary (it is in %s)\n", c->name,
		helper_name[c->where]);
	return ZP_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct command cmds[] = {
		{ "run", zp_cmd_run, "the daemon at the crossing: camera -> detector -> lights (GPIO) -> counts",
		  IN_ZEBRAPAD },
		{ "replay", zp_cmd_replay, "replay a recording through the whole pipeline (tuning, overlay, CSVs)",
		  IN_TOOLS },
		{ "eval", zp_cmd_eval, "score the detector against ground truth (CDnet masks, MOTChallenge boxes)",
		  IN_TOOLS },
		{ "tune", zp_cmd_tune, "sweep detector parameters against ground truth, write the best config", IN_TOOLS },
		{ "calibrate", zp_cmd_calibrate, "check a site's zones and ground plane on one frame (preview PNG)",
		  IN_TOOLS },
		{ "audit", zp_cmd_audit, "privacy audit: what is stored, what leaves the device, the sandbox",
		  IN_ZEBRAPAD },
		{ "bench", zp_cmd_bench, "time the background model and detector against OpenCV MOG2/KNN", IN_TOOLS },
		{ "export", zp_cmd_export, "send the counts and the site's status to an MQTT broker ([export])",
		  IN_EXPORT },
		{ "collect", zp_cmd_collect, "the town hall: counts and status of many crossings, MQTT -> PostgreSQL",
		  IN_COLLECT },
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
	env.v4l2_io = getenv("ZP_V4L2_IO");
	env.ld_preload = getenv("LD_PRELOAD");
	if (!strcmp(argv[1], "help") && argc == 3) {
		/* `zebrapad help CMD`: the command's own help */
		char *help_argv[] = { argv[0], argv[2], (char *)"--help", NULL };

		c = find_command(cmds, n, argv[2]);
		if (!c) {
			fprintf(stderr, "zebrapad help: unknown command '%s' (expected one of: run, replay, eval, tune, "
					"calibrate, audit, bench, export, collect)\n", argv[2]);
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
	fprintf(stderr, "zebrapad: unknown command '%s' (expected one of: run, replay, eval, tune, calibrate, audit, bench, export, collect)\n",
		argv[1]);
	return ZP_EXIT_USAGE;
}
