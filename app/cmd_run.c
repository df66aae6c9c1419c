/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - `zebrapad run --config FILE [options]`: the daemon at the
 * crossing. Options here; the daemon itself is app_run.c.
 */
#include "app.h"
#include "app_run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad run --config FILE [options]\n"
		"  -c, --config FILE      site config (INI), e.g. /etc/zebrapad/zebrapad.ini\n"
		"  -s, --source PATH      a recording (video file, image folder) instead of the camera:\n"
		"                         dry runs and tests; frames are paced by their times\n"
		"      --fast             with --source: as fast as frames decode, no pacing\n"
		"      --write-store      with --source: write the counts to [store] path (a dry run\n"
		"                         writes none unless told to: the store holds real counts)\n"
		"      --start-time T     with --source: the wall-clock time of the first frame, Unix\n"
		"                         seconds or YYYY-MM-DDTHH:MM:SSZ (default: now); the counts are\n"
		"                         stamped from it by the recording's frame times\n"
		"      --max-frames N     stop cleanly after N processed frames\n"
		"      --stats            latency (frame -> light line set) in the exit summary\n"
		"  -v, --verbose          debug lines (light switches, reconnects, health)\n"
		"exit: 0 stopped (SIGTERM/SIGINT, --max-frames, end of recording), 1 runtime failure\n"
		"      (GPIO output line cannot be requested or set), 2 bad config or recording, no zone,\n"
		"      a store path that is not a file in a directory of its own, a store in use.\n"
		"docs/run.md: systemd, fault handling, the hardware watchdog.\n");
}

int zp_run_parse(int argc, char **argv, zp_run_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "source", required_argument, NULL, 's' },
		{ "fast", no_argument, NULL, 'f' },
		{ "max-frames", required_argument, NULL, 'n' },
		{ "stats", no_argument, NULL, 'S' },
		{ "write-store", no_argument, NULL, 'W' },
		{ "start-time", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, v;

	memset(o, 0, sizeof(*o));
	o->max_frames = -1;
	o->simd = ZP_SIMD_AUTO;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 's': o->source = optarg; break;
		case 'f': o->fast = true; break;
		case 'S': o->stats = true; break;
		case 'W': o->write_store = true; break;
		case 'T':
			if (zp_opt_time("zebrapad run", "--start-time", optarg, &o->start_time_ms))
				return ZP_EXIT_USAGE;
			o->start_time_set = true;
			break;
		case 'v': o->verbose = true; break;
		case 'n':
			if (zp_opt_int("zebrapad run", "--max-frames", optarg, 1, 2000000000, &v))
				return ZP_EXIT_USAGE;
			o->max_frames = v;
			break;
		case 'h': run_usage(stdout); return -1;
		default: run_usage(stderr); return ZP_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "zebrapad run: unexpected argument '%s' (a recording goes with --source PATH)\n",
			argv[optind]);
		return ZP_EXIT_USAGE;
	}
	if (!o->config) {
		fprintf(stderr, "zebrapad run: --config FILE is required\n");
		run_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	if (o->write_store && !o->source) {
		fprintf(stderr, "zebrapad run: --write-store goes with --source (the camera always writes the store)\n");
		return ZP_EXIT_USAGE;
	}
	if (o->start_time_set && !o->source) {
		fprintf(stderr, "zebrapad run: --start-time goes with --source (the camera runs on the clock)\n");
		return ZP_EXIT_USAGE;
	}
	if (o->fast && !o->source) {
		fprintf(stderr, "zebrapad run: --fast goes with --source (a camera cannot be sped up)\n");
		return ZP_EXIT_USAGE;
	}
	return 0;
}

int zp_cmd_run(int argc, char **argv, const zp_cmd_env *env)
{
	zp_run_opts o;
	int rc = zp_run_parse(argc, argv, &o);

	if (rc)
		return rc < 0 ? ZP_EXIT_OK : rc;
	o.service = env->service;
	o.simd = env->simd;
	o.io = zp_v4l2_io_choose(env->v4l2_io, env->ld_preload);
	return zp_run_daemon(&o, NULL);
}
