/* SPDX-License-Identifier: MIT */
/*
 * app.h - the zebrapad subcommands. Wiring only: each command parses its
 * options, builds the rooms it needs and runs them. Exit codes: 0 ok,
 * 1 runtime failure, 2 bad input (usage, config, source), as documented in
 * the README.
 */
#ifndef ZP_APP_H
#define ZP_APP_H

enum { ZP_EXIT_OK = 0, ZP_EXIT_FAIL = 1, ZP_EXIT_USAGE = 2 };

/* Each takes argv with argv[0] = the command name ("replay", ...). */
int zp_cmd_replay(int argc, char **argv);
int zp_cmd_run(int argc, char **argv);
int zp_cmd_eval(int argc, char **argv);
int zp_cmd_bench(int argc, char **argv);
int zp_cmd_audit(int argc, char **argv);
int zp_cmd_calibrate(int argc, char **argv);
int zp_cmd_tune(int argc, char **argv);

#endif
