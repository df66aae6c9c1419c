/* SPDX-License-Identifier: MIT */
/*
 * fleet_bench.c - many crossings end to end, measured: N simulated sites
 * (each a counts store written by this generator and one `zebrapad export`
 * process) -> one Mosquitto broker (TLS) -> two `zebrapad collect`
 * (shared subscription) -> PostgreSQL (fsync on), all on this machine.
 *
 *   zp_fleet_bench ZEBRAPAD N MINUTES PERIOD_MS
 *
 * Every PERIOD_MS (one simulated minute: 60000 / PERIOD_MS times faster than
 * real time) the generator closes one interval in every store: 4 rows (3
 * zones and the crossing-wide row). It prints the rows carried, rows per
 * second, the lag (a row's commit in PostgreSQL minus the moment its
 * interval was written to the store: p50, p99, max) and the memory of the
 * exporters and collectors (VmRSS, and the private part). scripts/fleet-bench
 * runs it for N = 10, 100, 1000. Not a test: a measurement.
 */
#include "fleet.h"
#include "store.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BENCH_T0 1764720000LL

/* VmRSS and private (Private_Clean + Private_Dirty) of a process, KiB. */
static void mem_kib(pid_t pid, long *rss, long *priv)
{
	char path[64], line[256];
	FILE *f;

	*rss = *priv = 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		long v;

		if (sscanf(line, "Rss: %ld", &v) == 1)
			*rss = v;
		else if (sscanf(line, "Private_Clean: %ld", &v) == 1 || sscanf(line, "Private_Dirty: %ld", &v) == 1)
			*priv += v;
	}
	fclose(f);
}

static double q1(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	double v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = atof(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "bench: %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

int main(int argc, char **argv)
{
	static const char *const zones[3] = { "kerb-north", "crossing", "kerb-south" };
	const char *zebrapad;
	int n, minutes, period_ms, rc = 1;
	fleet f;
	zp_store **stores;
	int64_t *gen_ms;
	PGconn *c = NULL;
	struct rlimit rl;
	char site[32], sql[256];
	int64_t start, deadline;
	long long want;

	if (argc != 5 || (n = atoi(argv[2])) < 1 || n > 2000 || (minutes = atoi(argv[3])) < 1 ||
	    (period_ms = atoi(argv[4])) < 100) {
		fprintf(stderr, "usage: zp_fleet_bench ZEBRAPAD N(1..2000) MINUTES PERIOD_MS(>=100)\n");
		return 2;
	}
	zebrapad = argv[1];
	/* a broker with N + 2 connections, N exporters */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	stores = calloc((size_t)n, sizeof(*stores));
	gen_ms = calloc((size_t)minutes, sizeof(*gen_ms));
	if (!stores || !gen_ms || fleet_init(&f) != 0)
		return 1;
	f.pg_durable = true;
	if (fleet_pg_start(&f) || fleet_broker_start(&f, NULL))
		goto out;
	for (int i = 0; i < 2; i++)
		if (fleet_collector_start(&f, i, zebrapad, NULL, "shared = yes\ninflight = 500"))
			goto out;
	c = PQconnectdb(f.conninfo);
	for (int k = 0; k < 200 && q1(c, "SELECT count(*) FROM zebrapad_meta") < 0; k++)
		fleet_sleep_ms(100);
	for (int i = 0; i < n; i++) {
		char err[256];
		zp_store_params p;

		char dir[300];

		snprintf(site, sizeof(site), "site-%04d", i);
		snprintf(dir, sizeof(dir), "%.200s/%s", f.dir, site);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%.200s/%s/state", f.dir, site);
		mkdir(dir, 0755);
		zp_store_params_default(&p);
		snprintf(p.path, sizeof(p.path), "%.200s/%s/counts.db", f.dir, site);
		stores[i] = zp_store_open(&p, zones, 3, 0, NULL, err, sizeof(err));
		if (!stores[i]) {
			fprintf(stderr, "bench: %s\n", err);
			goto out;
		}
		if (fleet_exporter_start(&f, i, zebrapad, site, NULL,
					 "rate = 100\nmax_inflight = 20\npoll_ms = 250\nsettle_s = 0\nstatus_s = 60\n"
					 "keepalive_s = 60", NULL))
			goto out;
	}
	fleet_sleep_ms(3000 + 30 * n); /* the exporters started and connected */
	start = fleet_mono_ms();
	for (int k = 0; k < minutes; k++) {
		int64_t due = start + (int64_t)k * period_ms;

		while (fleet_mono_ms() < due)
			fleet_sleep_ms(5);
		gen_ms[k] = fleet_wall_ms();
		for (int i = 0; i < n; i++) {
			zp_store_row rows[4];
			uint32_t h = (uint32_t)(i * 7919 + k * 104729);

			for (int z = 0; z < 4; z++) {
				zp_store_row *r = &rows[z];

				memset(r, 0, sizeof(*r));
				r->interval_start = BENCH_T0 + 60LL * k;
				r->interval_s = 60;
				snprintf(r->zone, sizeof(r->zone), "%s", z == 3 ? ZP_STORE_CROSSING : zones[z]);
				r->entered = z == 3 ? -1 : (int64_t)((h >> z) % 5);
				r->occupied_s = z == 3 ? -1 : (double)((h >> (z + 3)) % 60);
				r->light_activations = z == 3 ? (int64_t)(h % 3) : -1;
				r->light_on_s = z == 3 ? (double)(h % 50) : -1;
				r->fault_s = z == 3 ? 0 : -1;
				r->crossed_a_to_b = r->crossed_b_to_a = -1;
			}
			if (zp_store_write(stores[i], rows, 4) != 0) {
				fprintf(stderr, "bench: store write failed\n");
				goto out;
			}
		}
	}
	want = (long long)n * minutes * 4;
	deadline = fleet_mono_ms() + 60000 + (int64_t)minutes * period_ms;
	while (q1(c, "SELECT count(*) FROM counts") < (double)want && fleet_mono_ms() < deadline)
		fleet_sleep_ms(200);
	{
		double got = q1(c, "SELECT count(*) FROM counts"), first, last, p50, p99, mx;
		long rss0, priv0, rss_sum = 0, priv_sum = 0, crss, cpriv;
		char gen[64];

		PQclear(PQexec(c, "CREATE TEMP TABLE gen(k integer, t double precision)"));
		for (int k = 0; k < minutes; k++) {
			snprintf(gen, sizeof(gen), "INSERT INTO gen VALUES (%d, %.3f)", k, (double)gen_ms[k] / 1000.0);
			PQclear(PQexec(c, gen));
		}
		snprintf(sql, sizeof(sql),
			 "CREATE TEMP VIEW lag AS SELECT extract(epoch FROM c.received_at) - g.t AS s FROM counts c"
			 " JOIN gen g ON g.k = (extract(epoch FROM c.interval_start)::bigint - %lld) / 60", BENCH_T0);
		PQclear(PQexec(c, sql));
		p50 = q1(c, "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM lag");
		p99 = q1(c, "SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY s) FROM lag");
		mx = q1(c, "SELECT max(s) FROM lag");
		first = q1(c, "SELECT min(t) FROM gen");
		last = q1(c, "SELECT extract(epoch FROM max(received_at)) FROM counts");
		mem_kib(f.exporter[0], &rss0, &priv0);
		for (int i = 0; i < n; i++) {
			long r, p;

			mem_kib(f.exporter[i], &r, &p);
			rss_sum += r;
			priv_sum += p;
		}
		mem_kib(f.collector[0], &crss, &cpriv);
		printf("sites %d, minutes %d, one minute every %d ms (%.0fx real time): rows %.0f of %lld, "
		       "%.0f rows/s over %.1f s; lag p50 %.2f s, p99 %.2f s, max %.2f s; "
		       "exporter RSS %ld KiB (private %ld KiB), mean over %d: %ld KiB (private %ld); "
		       "collector RSS %ld KiB (private %ld KiB)\n",
		       n, minutes, period_ms, 60000.0 / period_ms, got, want, got / (last - first), last - first, p50,
		       p99, mx, rss0, priv0, n, rss_sum / n, priv_sum / n, crss, cpriv);
		rc = got == (double)want ? 0 : 1;
	}
out:
	if (c)
		PQfinish(c);
	for (int i = 0; i < n; i++)
		if (stores[i])
			zp_store_close(stores[i]);
	fleet_destroy(&f);
	free(stores);
	free(gen_ms);
	return rc;
}
