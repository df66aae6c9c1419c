/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c - `zebrapad export --config FILE`: the counts and the site's
 * status to an MQTT broker ([export] in the site's config; export/export.h,
 * docs/export.md). Built into its own binary, zebrapad-export (package
 * zebrapad-export): it links libmosquitto and no OpenCV, no camera, no GPIO;
 * `zebrapad export` starts it.
 */
#include "app.h"
#include "cli.h"
#include "config.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ZP_VERSION
#define ZP_VERSION "0"
#endif

static void export_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad export --config FILE [options]\n"
		"  -c, --config FILE   site config (INI): [export] (the broker, the site, TLS), [store] path\n"
		"                      (read-only), [health] prom_file (the daemon's health, for the status)\n"
		"      --once          stop once every row of the store is acknowledged by the broker\n"
		"      --max-rows N    stop after N rows published (tests)\n"
		"      --no-sandbox    do not apply Landlock and seccomp (debugging only)\n"
		"exit: 0 stopped (SIGTERM/SIGINT, --once), 1 runtime failure, 2 bad config or files\n"
		"      (no [export] broker, plain TCP to a remote broker without allow_plain, unreadable\n"
		"      certificates, a cursor file that is not one).\n"
		"docs/export.md: the messages, the cursor, TLS, the systemd unit.\n");
}

int zp_cmd_export(int argc, char **argv, const zp_cmd_env *env)
{
	zp_export_opts o;
	zp_config *cfg;
	const char *config = NULL;
	const zp_opt opts[] = {
		{ "config", 'c', ZP_OPT_STR, .to.str = &config },
		{ "once", 0, ZP_OPT_TRUE, .to.flag = &o.once },
		{ "max-rows", 0, ZP_OPT_LONG, .to.l = &o.max_rows, .min = 0, .max = 1000000000 },
		{ "no-sandbox", 0, ZP_OPT_FALSE, .to.flag = &o.sandbox },
	};
	char err[512];
	int rc;

	(void)env; /* no detector here: the SIMD path does not matter */
	memset(&o, 0, sizeof(o));
	o.sandbox = true;
	o.max_rows = -1;
	rc = zp_opts_parse("zebrapad export", opts, sizeof(opts) / sizeof(opts[0]), export_usage, argc, argv);
	if (rc)
		return rc < 0 ? ZP_EXIT_OK : rc;
	if (optind != argc || !config) {
		fprintf(stderr, "zebrapad export: expected --config FILE (and no other arguments)\n");
		export_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return ZP_EXIT_FAIL;
	if (zp_config_load(config, cfg, err, sizeof(err))) {
		fprintf(stderr, "zebrapad export: %s\n", err);
		free(cfg);
		return ZP_EXIT_USAGE;
	}
	o.config_path = cfg->path;
	o.store_path = cfg->store.path;
	o.health_path = cfg->health.prom_file;
	o.health_stale_s = 3 * cfg->health.period_s + 5;
	o.p = &cfg->exp;
	o.version = ZP_VERSION;
	rc = zp_export_run(&o);
	free(cfg);
	return rc;
}
