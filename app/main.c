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
 */
#include "app.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	int where; /* IN_DAEMON: in zebrapad; IN_TOOLS: zebrapad-tools; IN_EXPORT: zebrapad-export */
};

enum { IN_DAEMON = 0, IN_TOOLS = 1, IN_EXPORT = 2 };

#ifndef ZP_TOOLS_EXEC
#define ZP_TOOLS_EXEC "/usr/libexec/zebrapad/zebrapad-tools"
#endif
#ifndef ZP_EXPORT_EXEC
#define ZP_EXPORT_EXEC "/usr/libexec/zebrapad/zebrapad-export"
#endif

#pragma weak zp_cmd_replay
#pragma weak zp_cmd_run
#pragma weak zp_cmd_eval
#pragma weak zp_cmd_bench
#pragma weak zp_cmd_audit
#pragma weak zp_cmd_calibrate
#pragma weak zp_cmd_tune
#pragma weak zp_cmd_export

#if !defined(ZP_TOOLS_BINARY) && !defined(ZP_EXPORT_BINARY)
/* zebrapad-tools (or zebrapad-export) beside this binary, else the installed path. false: not there. */
static bool helper_path(char *out, size_t size, int where)
{
	const char *name = where == IN_EXPORT ? "/zebrapad-export" : "/zebrapad-tools";
	const size_t nlen = strlen(name) + 1;

	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + nlen <= size) {
			memcpy(out, self, (size_t)(slash - self));
			memcpy(out + (slash - self), name, nlen);
			if (access(out, X_OK) == 0)
				return true;
		}
	}
	zp_strlcpy(out, where == IN_EXPORT ? ZP_EXPORT_EXEC : ZP_TOOLS_EXEC, size);
	return access(out, X_OK) == 0;
}

static bool tools_path(char *out, size_t size)
{
	return helper_path(out, size, IN_TOOLS);
}

static int exec_tool(char **argv, int where)
{
	char path[PATH_MAX];

	if (!helper_path(path, sizeof(path), where)) {
		fprintf(stderr, "zebrapad: '%s' is in the %s package, which is not installed "
				"(%s missing; apt install %s)\n", argv[1],
			where == IN_EXPORT ? "zebrapad-export" : "zebrapad-tools",
			where == IN_EXPORT ? ZP_EXPORT_EXEC : ZP_TOOLS_EXEC,
			where == IN_EXPORT ? "zebrapad-export" : "zebrapad-tools");
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
#if !defined(ZP_TOOLS_BINARY) && !defined(ZP_EXPORT_BINARY)
	char path[PATH_MAX];
	const bool have_tools = tools_path(path, sizeof(path));
	const bool have_export = helper_path(path, sizeof(path), IN_EXPORT);
#else
	const bool have_tools = true;
	const bool have_export = true;
#endif

	fprintf(out, "usage: zebrapad COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-10s %s%s\n", cmds[i].name, cmds[i].summary,
			cmds[i].where == IN_TOOLS && !have_tools ? " (zebrapad-tools, not installed)" :
			cmds[i].where == IN_EXPORT && !have_export ? " (zebrapad-export, not installed)" : "");
	fprintf(out, "\n`zebrapad COMMAND --help` for a command's options; README.md documents them all.\n");
}

int main(int argc, char **argv)
{
	const struct command cmds[] = {
		{ "run", zp_cmd_run, "the daemon at the crossing: camera -> detector -> lights (GPIO) -> counts", IN_DAEMON },
		{ "replay", zp_cmd_replay, "replay a recording through the whole pipeline (tuning, overlay, CSVs)", IN_TOOLS },
		{ "eval", zp_cmd_eval, "score the detector against ground truth (CDnet masks, MOTChallenge boxes)", IN_TOOLS },
		{ "tune", zp_cmd_tune, "sweep detector parameters against ground truth, write the best config", IN_TOOLS },
		{ "calibrate", zp_cmd_calibrate, "check a site's zones and ground plane on one frame (preview PNG)", IN_TOOLS },
		{ "audit", zp_cmd_audit, "privacy audit: what is stored, what leaves the device, the sandbox", IN_DAEMON },
		{ "bench", zp_cmd_bench, "time the background model and detector against OpenCV MOG2/KNN", IN_TOOLS },
		{ "export", zp_cmd_export, "send the counts and the site's status to an MQTT broker ([export])", IN_EXPORT },
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
			if (cmds[i].fn)
				return cmds[i].fn(argc - 1, argv + 1);
#if !defined(ZP_TOOLS_BINARY) && !defined(ZP_EXPORT_BINARY)
			if (cmds[i].where != IN_DAEMON)
				return exec_tool(argv, cmds[i].where);
#endif
			fprintf(stderr, "zebrapad: command '%s' is not built into this binary (%s)\n", argv[1],
				cmds[i].where == IN_TOOLS ? "it is in zebrapad-tools" :
				cmds[i].where == IN_EXPORT ? "it is in zebrapad-export" : "it is in the zebrapad binary");
			return ZP_EXIT_USAGE;
		}
	}
	fprintf(stderr, "zebrapad: unknown command '%s' (expected one of: run, replay, eval, tune, calibrate, audit, bench, export)\n",
		argv[1]);
	return ZP_EXIT_USAGE;
}
