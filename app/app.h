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
