/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - `zebrapad run --config FILE [options]`: the daemon at the
 * crossing. Options here; the daemon itself is cmd_run_loop.c.
 */
#include "app.h"
#include "cli.h"
#include "cmd_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	const zp_opt opts[] = {
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "fast", 0, ZP_OPT_TRUE, .to.flag = &o->fast },
		{ "max-frames", 0, ZP_OPT_LONG, .to.l = &o->max_frames, .min = 1, .max = 2000000000 },
		{ "stats", 0, ZP_OPT_TRUE, .to.flag = &o->stats },
		{ "write-store", 0, ZP_OPT_TRUE, .to.flag = &o->write_store },
		{ "start-time", 0, ZP_OPT_TIME, .to.ms = &o->start_time_ms, .set = &o->start_time_set },
		{ "verbose", 'v', ZP_OPT_TRUE, .to.flag = &o->verbose },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->max_frames = -1;
	o->simd = ZP_SIMD_AUTO;
	rc = zp_opts_parse("zebrapad run", opts, sizeof(opts) / sizeof(opts[0]), run_usage, argc, argv);
	if (rc)
		return rc;
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
