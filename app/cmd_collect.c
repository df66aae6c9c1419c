/* SPDX-License-Identifier: MIT */
/*
 * cmd_collect.c - `zebrapad collect`: the town-hall collector. Subscribes to
 * the crossings' counts and status on an MQTT broker and keeps them in
 * PostgreSQL (collect/collect.h). Built into zebrapad-collect, which
 * `zebrapad collect` execs, so neither the daemon nor the exporter links
 * libpq.
 *
 *   zebrapad collect --config FILE [--migrate]
 *
 * Exit: 0 stopped by SIGTERM/SIGINT (or --migrate done); 1 runtime failure
 * (a database schema newer than this build, TLS files the library refuses);
 * 2 bad usage or config.
 */
#include "app.h"

#include "collect.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void collect_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad collect --config FILE [--migrate]\n"
		"  -c, --config FILE  the collector's INI file, one [collect] section (README, \"many crossings\")\n"
		"      --migrate      create or migrate the database schema, then exit\n"
		"  -h, --help         this text\n"
		"Runs until SIGTERM or SIGINT; a summary line on exit.\n"
		"exit: 0 stopped by SIGTERM/SIGINT (or --migrate done), 1 runtime failure (a database schema\n"
		"      newer than this build, TLS files the library refuses), 2 bad usage or config.\n");
}

int zp_cmd_collect(int argc, char **argv, const zp_cmd_env *env)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	zp_collect_params p;
	zp_collect_stats stats = { 0 };
	const char *config = NULL;
	bool migrate_only = false;
	char err[600];
	sigset_t set;
	int opt, sfd, rc;

	(void)env; /* no detector here: the SIMD path does not matter */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'm':
			migrate_only = true;
			break;
		case 'h':
			collect_usage(stdout);
			return ZP_EXIT_OK;
		case ':':
			fprintf(stderr, "collect: %s: expected a value\n", argv[optind - 1]);
			return ZP_EXIT_USAGE;
		default:
			fprintf(stderr, "collect: unknown option '%s' (see zebrapad collect --help)\n", argv[optind - 1]);
			return ZP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "collect: unexpected argument '%s' (see zebrapad collect --help)\n", argv[optind]);
		return ZP_EXIT_USAGE;
	}
	if (!config) {
		fprintf(stderr, "collect: expected --config FILE (the [collect] section)\n");
		return ZP_EXIT_USAGE;
	}
	zp_collect_params_default(&p);
	if (zp_collect_params_load(config, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "collect: %s\n", err);
		return ZP_EXIT_USAGE;
	}
	if (migrate_only) {
		int code;
		zp_collect_db *db = zp_collect_db_open(p.database, &code, err, sizeof(err));

		if (!db) {
			fprintf(stderr, "collect: %s\n", err);
			return ZP_EXIT_FAIL;
		}
		printf("collect: database schema version %d\n", zp_collect_db_version(db));
		zp_collect_db_close(db);
		return ZP_EXIT_OK;
	}
	if (zp_block_stop_signals(&set) != 0 || (sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "collect: signalfd: %s\n", strerror(errno));
		return ZP_EXIT_FAIL;
	}
	/* a broker that closes the socket must not kill the process */
	signal(SIGPIPE, SIG_IGN);
	rc = zp_collect_run(&p, sfd, &stats);
	close(sfd);
	return rc == 0 ? ZP_EXIT_OK : ZP_EXIT_FAIL;
}
