/* SPDX-License-Identifier: MIT */
/*
 * fleet_bench.c - many crossings end to end, measured: N simulated sites
 * (each a counts store written by this generator and one `zebrapad export`
 * process) -> one Mosquitto broker (TLS) -> two `zebrapad collect`
 * (shared subscription) -> PostgreSQL (fsync on), all on this machine.
 *
 *   zp_fleet_bench ZEBRAPAD N MINUTES PERIOD_MS [--one-process] [--one-collector]
 *   zp_fleet_bench ZEBRAPAD --memory [ROWS MINUTES PERIOD_MS [--maps]]
 *
 * Every PERIOD_MS (one simulated minute: 60000 / PERIOD_MS times faster than
 * real time) the generator closes one interval in every store: 4 rows (3
 * zones and the crossing-wide row). It prints how long the writes took (all
 * sites are written one after the other: 1000 SQLite commits with fsync a
 * minute bound the offered rate), the rows carried, rows per
 * second, the lag (a row's commit in PostgreSQL minus the moment its site's
 * store committed it: p50, p99, max) and the memory of the exporters and
 * collectors (VmRSS, and the private part). scripts/fleet-bench runs it.
 * Not a test: a measurement.
 *
 * --one-process: instead of N `zebrapad export` processes, one process
 * stands for the N sites (N exporters overload a small machine): one MQTT
 * connection per site over TLS (client id zebrapad-export-<site>, the site's
 * topics, its last will, MQTT 5, QoS 1, at most 20 rows in flight), the
 * rows read from each site's store and turned into messages by the
 * exporter's own code (zp_export_source_next, zp_export_status_json), the
 * status republished every 60 s. One client certificate serves every site
 * (the broker here does not map certificates to sites). What it leaves out
 * of the exporter: the cursor file, the .prom file, the sandbox, the rate
 * limit (4 rows a minute are far below it); the broker, the collectors and
 * PostgreSQL see the same messages on the same number of connections.
 *
 * --one-collector: one `zebrapad collect` instead of two (what one collector
 * carries alone).
 *
 * --memory: one exporter's memory (memory_run below).
 */
#include "export.h"
#include "fleet.h"
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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


/* ---- --memory: one exporter's memory, by mapping ---- */

struct map_sum {
	char name[200];
	long rss, pss, priv;
};

/* /proc/PID/smaps summed by what is mapped (a library, [heap], [stack], anonymous), largest Rss first. */
static int maps_by_name(pid_t pid, struct map_sum *out, int max)
{
	char path[64], line[512], name[200] = "";
	int n = 0, cur = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		long v;
		int off = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &a, &b, &off) == 2 && off > 0) {
			char *nm = line + off;

			nm[strcspn(nm, "\n")] = '\0';
			snprintf(name, sizeof(name), "%s", *nm ? nm : "[anonymous]");
			cur = -1;
			for (int i = 0; i < n; i++)
				if (!strcmp(out[i].name, name))
					cur = i;
			if (cur < 0 && n < max) {
				cur = n++;
				memset(&out[cur], 0, sizeof(out[cur]));
				snprintf(out[cur].name, sizeof(out[cur].name), "%s", name);
			}
		} else if (cur >= 0) {
			if (sscanf(line, "Rss: %ld", &v) == 1)
				out[cur].rss += v;
			else if (sscanf(line, "Pss: %ld", &v) == 1)
				out[cur].pss += v;
			else if (sscanf(line, "Private_Clean: %ld", &v) == 1 || sscanf(line, "Private_Dirty: %ld", &v) == 1)
				out[cur].priv += v;
		}
	}
	fclose(f);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j].rss > out[j - 1].rss; j--) {
			struct map_sum t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static long status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			v = atol(line + len + 1);
	fclose(f);
	return v;
}

static void mem_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)m;
	if (strstr(msg->topic, "/counts"))
		__atomic_add_fetch((long *)obj, 1, __ATOMIC_RELAXED);
}

static long mem_received(long *n)
{
	return __atomic_load_n(n, __ATOMIC_RELAXED);
}

/* The rows of one simulated minute (3 zones and the crossing row) into the site's store. */
static int mem_write_minute(zp_store *st, int64_t start)
{
	static const char *const zones[3] = { "kerb-north", "crossing", "kerb-south" };
	zp_store_row rows[4];

	for (int z = 0; z < 4; z++) {
		zp_store_row *r = &rows[z];

		memset(r, 0, sizeof(*r));
		r->interval_start = start;
		r->interval_s = 60;
		snprintf(r->zone, sizeof(r->zone), "%s", z == 3 ? ZP_STORE_CROSSING : zones[z]);
		r->entered = z == 3 ? -1 : 2 + z;
		r->occupied_s = z == 3 ? -1 : 10.5;
		r->light_activations = z == 3 ? 3 : -1;
		r->light_on_s = z == 3 ? 12.25 : -1;
		r->fault_s = z == 3 ? 0 : -1;
		r->crossed_a_to_b = z == 1 ? 1 : -1;
		r->crossed_b_to_a = z == 1 ? 2 : -1;
	}
	return zp_store_write(st, rows, 4);
}

/*
 * One exporter at a time (plain TCP to the loopback broker, then TLS with the
 * device's certificate), as on a device: the store held open by its writer
 * (as the daemon does), a backlog of ROWS rows sent first, then MINUTES
 * minutes of one interval (4 rows) every PERIOD_MS. VmRSS is sampled every
 * 100 ms from 5 s after the backlog went out: its maximum and mean; VmHWM
 * (the peak since start, the TLS handshake included), and at the end Pss
 * and the private part; with --maps, by mapping at the end.
 */
static int memory_run(const char *zebrapad, int rows, int minutes, int period_ms, bool maps)
{
	static const char *const names[2] = { "plain TCP", "TLS" };
	static const char *const zones[3] = { "kerb-north", "crossing", "kerb-south" };
	struct mosquitto *sub = NULL;
	long received = 0;
	zp_store *st = NULL;
	int64_t t0 = ((int64_t)time(NULL) / 86400 - 2) * 86400, next = t0;
	fleet f;
	int rc = 1;

	if (fleet_init(&f) != 0)
		return 1;
	if (fleet_broker_start(&f, NULL))
		goto out;
	/* a subscriber, so that the broker does not answer "no matching subscribers"; it counts the rows */
	mosquitto_lib_init();
	sub = mosquitto_new("memory-subscriber", true, &received);
	if (sub)
		mosquitto_message_callback_set(sub, mem_on_message);
	if (!sub || mosquitto_connect(sub, "127.0.0.1", f.plain_port, 60) != MOSQ_ERR_SUCCESS ||
	    mosquitto_subscribe(sub, NULL, "zebrapad/#", 1) != MOSQ_ERR_SUCCESS ||
	    mosquitto_loop_start(sub) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "bench: cannot subscribe on 127.0.0.1:%d\n", f.plain_port);
		goto out;
	}
	{
		char dir[300], err[256];
		zp_store_params p;

		snprintf(dir, sizeof(dir), "%.200s/site-a", f.dir);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%.200s/site-a/state", f.dir);
		mkdir(dir, 0755);
		zp_store_params_default(&p);
		snprintf(p.path, sizeof(p.path), "%.200s/site-a/counts.db", f.dir);
		st = zp_store_open(&p, zones, 3, 0, NULL, err, sizeof(err));
		if (!st) {
			fprintf(stderr, "bench: %s\n", err);
			goto out;
		}
	}
	for (int mode = 0; mode < 2; mode++) {
		char extra[200], prom[300], cursor[300];
		int64_t until, sample_from;
		long rss, priv, pss = 0, hwm, rmax = 0, nsamples = 0;
		double rsum = 0;
		struct map_sum m[128], mmax[128];
		int nm, nmax = 0;
		long want;

		snprintf(prom, sizeof(prom), "%s/site-a/state/export.prom", f.dir);
		snprintf(cursor, sizeof(cursor), "%s/site-a/state/cursor.json", f.dir);
		unlink(prom);
		unlink(cursor);
		for (int k = 0; k < rows / 4; k++, next += 60)
			if (mem_write_minute(st, next) != 0)
				goto out;
		__atomic_store_n(&received, 0, __ATOMIC_RELAXED);
		want = (next - t0) / 60 * 4;   /* no cursor: every row in the store goes out */
		snprintf(extra, sizeof(extra), "settle_s = 0\nrate = 1000\nmax_inflight = 100");
		if (fleet_exporter_start(&f, 0, zebrapad, "site-a", mode == 0 ? "plain" : NULL, extra, NULL))
			goto out;
		until = zp_now_ms() + 60000;
		while (mem_received(&received) < want && zp_now_ms() < until)
			fleet_sleep_ms(50);
		if (mem_received(&received) < want) {
			fprintf(stderr, "bench: the exporter (%s) did not send its %ld rows in 60 s\n", names[mode], want);
			fleet_exporter_stop(&f, 0, true);
			goto out;
		}
		sample_from = zp_now_ms() + 5000;
		until = zp_now_ms() + (int64_t)minutes * period_ms + 5000;
		for (int64_t due = zp_now_ms() + period_ms; zp_now_ms() < until; fleet_sleep_ms(100)) {
			if (zp_now_ms() >= due) {
				if (mem_write_minute(st, next) != 0)
					goto out;
				next += 60;
				want += 4;
				due += period_ms;
			}
			if (zp_now_ms() >= sample_from) {
				mem_kib(f.exporter[0], &rss, &priv);
				if (rss > rmax && maps)
					nmax = maps_by_name(f.exporter[0], mmax, 128);
				rmax = rss > rmax ? rss : rmax;
				rsum += (double)rss;
				nsamples++;
			}
		}
		mem_kib(f.exporter[0], &rss, &priv);
		hwm = status_kib(f.exporter[0], "VmHWM");
		nm = maps_by_name(f.exporter[0], m, 128);
		for (int i = 0; i < nm; i++)
			pss += m[i].pss;
		printf("exporter, %s: %d rows of backlog, then %d minutes of 4 rows every %d ms (%ld rows, %ld received): "
		       "VmRSS max %ld KiB, mean %.0f KiB (sampled every 100 ms from 5 s after the backlog); VmHWM %ld KiB; "
		       "at the end VmRSS %ld KiB, Pss %ld KiB, private %ld KiB\n",
		       names[mode], rows, minutes, period_ms, want, mem_received(&received), rmax,
		       nsamples ? rsum / (double)nsamples : 0.0, hwm, rss, pss, priv);
		if (maps) {
			printf("  %-60s %8s %8s %8s   %8s\n", "mapping (KiB)", "Rss", "Pss", "private", "Rss at max");
			for (int i = 0; i < nm; i++) {
				long at_max = 0;

				for (int j = 0; j < nmax; j++)
					if (!strcmp(mmax[j].name, m[i].name))
						at_max = mmax[j].rss;
				if (m[i].rss > 0 || at_max > 0)
					printf("  %-60s %8ld %8ld %8ld   %8ld\n", m[i].name, m[i].rss, m[i].pss, m[i].priv, at_max);
			}
		}
		if (fleet_exporter_stop(&f, 0, false) != 0)
			fprintf(stderr, "bench: the exporter (%s) did not stop cleanly\n", names[mode]);
	}
	rc = 0;
out:
	if (sub) {
		mosquitto_disconnect(sub);
		mosquitto_loop_stop(sub, false);
		mosquitto_destroy(sub);
	}
	zp_store_close(st);
	fleet_destroy(&f);
	return rc;
}

/* ---- --one-process: one process for the N sites ---- */

#define SIM_POLL_MS 250      /* each store read this often (the exporters' poll_ms here) */
#define SIM_STATUS_MS 60000  /* status_s */
#define SIM_INFLIGHT 20      /* max_inflight */
#define SIM_BATCH 64

struct sim_site {
	char site[32];
	char topic_counts[128], topic_status[128];
	struct mosquitto *m;
	zp_export_source *src;
	int64_t last_seq;        /* the last row published (its seq in the store's change sequence; 0: none) */
	bool connected;
	int connack;
	int64_t next_poll, next_status;
	long published, statuses, acked, refused;   /* acked and refused: rows and statuses */
	int lost;                /* connections lost */
};

struct sim {
	struct sim_site *s;
	int n;
	volatile sig_atomic_t stop;
};

static struct sim *g_sim_for_signal; /* the signal handler's only way in */

static void sim_on_term(int sig)
{
	(void)sig;
	if (g_sim_for_signal)
		g_sim_for_signal->stop = 1;
}

static void sim_on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *props)
{
	struct sim_site *x = obj;

	(void)m;
	(void)flags;
	(void)props;
	x->connack = rc;
	x->connected = rc == 0;
	x->next_status = 0;
}

static void sim_on_publish(struct mosquitto *m, void *obj, int mid, int reason, const mosquitto_property *props)
{
	struct sim_site *x = obj;

	(void)m;
	(void)mid;
	(void)props;
	if (reason >= 0x80)
		x->refused++;
	else
		x->acked++;
}

static void sim_on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *props)
{
	struct sim_site *x = obj;

	(void)m;
	(void)rc;
	(void)props;
	x->connected = false;
	x->lost++;
}

static int sim_connect(const fleet *f, struct sim_site *x)
{
	char id[64], ca[300], crt[300], key[300];
	char *will = zp_export_status_json(x->site, false, NULL, 0, "bench", 0, 0);
	int rc;

	snprintf(id, sizeof(id), "zebrapad-export-%s", x->site);
	snprintf(ca, sizeof(ca), "%s/ca.crt", f->dir);
	snprintf(crt, sizeof(crt), "%s/device.crt", f->dir);
	snprintf(key, sizeof(key), "%s/device.key", f->dir);
	x->m = mosquitto_new(id, true, x);
	if (!x->m || !will)
		return -1;
	mosquitto_int_option(x->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_connect_v5_callback_set(x->m, sim_on_connect);
	mosquitto_publish_v5_callback_set(x->m, sim_on_publish);
	mosquitto_disconnect_v5_callback_set(x->m, sim_on_disconnect);
	mosquitto_max_inflight_messages_set(x->m, SIM_INFLIGHT);
	rc = mosquitto_will_set(x->m, x->topic_status, (int)strlen(will), will, 1, true);
	free(will);
	if (!rc)
		rc = mosquitto_tls_set(x->m, ca, NULL, crt, key, NULL);
	if (!rc)
		rc = mosquitto_tls_opts_set(x->m, 1, "tlsv1.2", NULL);
	x->connack = -1;
	if (!rc)
		rc = mosquitto_connect(x->m, "127.0.0.1", f->tls_port, 60);
	if (rc) {
		fprintf(stderr, "bench: %s: connect: %s\n", x->site, mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

/* The site's status (retained), as the exporter sends it: at the connection and every status_s. */
static void sim_status(struct sim_site *x, int64_t now)
{
	zp_export_health h;
	char err[200];
	char *text;

	zp_export_health_read("/nonexistent/zebrapad.prom", (int64_t)time(NULL), 35, &h, err, sizeof(err));
	text = zp_export_status_json(x->site, true, &h, x->src ? zp_export_source_schema(x->src) : 0, "bench", 0,
				     (int64_t)time(NULL));
	if (text && mosquitto_publish(x->m, NULL, x->topic_status, (int)strlen(text), text, 1, true) == 0) {
		x->next_status = now + SIM_STATUS_MS;
		x->statuses++;
	}
	free(text);
}

/* The rows after the last one published, through the exporter's store reader, published at QoS 1. */
static void sim_rows(struct sim_site *x)
{
	zp_export_row rows[SIM_BATCH];
	char err[300];
	bool failed = false;
	int n;

	n = zp_export_source_next(x->src, x->last_seq, x->site, rows, SIM_BATCH, err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "bench: %s: %s\n", x->site, err);
	for (int i = 0; i < n; i++) {
		if (!failed && mosquitto_publish(x->m, NULL, x->topic_counts, (int)strlen(rows[i].json), rows[i].json, 1,
						 false) == 0) {
			x->published++;
			x->last_seq = rows[i].seq;
		} else if (!failed) {
			/* this row and those after it are read again at the next poll */
			failed = true;
			fprintf(stderr, "bench: %s: publish failed\n", x->site);
		}
		free(rows[i].json);
	}
}

/*
 * The process for the N sites: connect them all, then one poll() over
 * their sockets until SIGTERM; each site's store is read every SIM_POLL_MS
 * (staggered). Creates the file `ready` once every site is connected. Says
 * on stderr what it published and what was acknowledged.
 */
static int sim_run(const fleet *f, int n, const char *ready)
{
	bool said_ready = false;
	struct sim sim = { 0 };
	struct pollfd *pfd;
	int *who;
	int64_t t0, next_misc = 0;
	long pub = 0, stat = 0, ack = 0, refused = 0, lost = 0, unconnected = 0;

	sim.n = n;
	sim.s = calloc((size_t)n, sizeof(*sim.s));
	pfd = calloc((size_t)n, sizeof(*pfd));
	who = calloc((size_t)n, sizeof(*who));
	if (!sim.s || !pfd || !who)
		return 1;
	g_sim_for_signal = &sim;
	signal(SIGTERM, sim_on_term);
	signal(SIGPIPE, SIG_IGN);
	mosquitto_lib_init();
	t0 = zp_now_ms();
	for (int i = 0; i < n; i++) {
		struct sim_site *x = &sim.s[i];
		char path[400], err[300];
		int code;

		snprintf(x->site, sizeof(x->site), "site-%04d", i);
		zp_export_topic(x->topic_counts, sizeof(x->topic_counts), x->site, "counts");
		zp_export_topic(x->topic_status, sizeof(x->topic_status), x->site, "status");
		snprintf(path, sizeof(path), "%.200s/%s/counts.db", f->dir, x->site);
		x->src = zp_export_source_open(path, &code, err, sizeof(err));
		if (!x->src) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		if (sim_connect(f, x))
			return 1;
		x->next_poll = t0 + (int64_t)i * SIM_POLL_MS / n;
	}
	while (!sim.stop) {
		int64_t now = zp_now_ms();
		int np = 0, nconn = 0;

		for (int i = 0; i < n; i++) {
			struct sim_site *x = &sim.s[i];
			int fd;

			if (x->connected) {
				nconn++;
				if (now >= x->next_status)
					sim_status(x, now);
				if (now >= x->next_poll) {
					sim_rows(x);
					x->next_poll = now + SIM_POLL_MS;
				}
			}
			fd = mosquitto_socket(x->m);
			if (fd < 0)
				continue;
			pfd[np].fd = fd;
			pfd[np].events = POLLIN | (mosquitto_want_write(x->m) ? POLLOUT : 0);
			pfd[np].revents = 0;
			who[np++] = i;
		}
		if (!said_ready && nconn == n) {
			FILE *fp = fopen(ready, "w");

			if (fp)
				fclose(fp);
			said_ready = true;
			fprintf(stderr, "bench: %d sites connected in %.1f s\n", n, (double)(now - t0) / 1000.0);
		}
		if (poll(pfd, (nfds_t)np, 20) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++) {
			struct mosquitto *m = sim.s[who[k]].m;

			if (pfd[k].revents & (POLLIN | POLLERR | POLLHUP))
				mosquitto_loop_read(m, 1);
			if (pfd[k].revents & POLLOUT)
				mosquitto_loop_write(m, 1);
		}
		if (now >= next_misc) {   /* keepalives */
			for (int i = 0; i < n; i++)
				mosquitto_loop_misc(sim.s[i].m);
			next_misc = now + 1000;
		}
	}
	for (int i = 0; i < n; i++) {
		struct sim_site *x = &sim.s[i];

		pub += x->published;
		stat += x->statuses;
		ack += x->acked;
		refused += x->refused;
		lost += x->lost;
		unconnected += !x->connected;
		mosquitto_disconnect(x->m);
		mosquitto_destroy(x->m);
		zp_export_source_close(x->src);
	}
	fprintf(stderr, "bench: one process for %d sites: %ld rows and %ld statuses published, %ld acknowledged, "
		"%ld refused, %ld connections lost, %ld not connected at the end\n", n, pub, stat, ack, refused, lost,
		unconnected);
	mosquitto_lib_cleanup();
	free(sim.s);
	free(pfd);
	free(who);
	return lost || refused || pub + stat != ack ? 1 : 0;
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
	int n, minutes, period_ms, rc = 1, ncollectors = 2;
	bool one = false;
	pid_t sim = 0;
	fleet f;
	zp_store **stores;
	int64_t *gen_ms;   /* [k * n + i]: when site i's store committed minute k */
	PGconn *c = NULL;
	struct rlimit rl;
	char site[32], sql[512], ready[300];
	int64_t start, deadline;
	long long want;

	if (argc >= 3 && !strcmp(argv[2], "--memory"))
		return memory_run(argv[1], argc >= 4 ? atoi(argv[3]) : 100, argc >= 5 ? atoi(argv[4]) : 3,
				  argc >= 6 ? atoi(argv[5]) : 60000, argc >= 7 && !strcmp(argv[6], "--maps"));
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "--one-process"))
			one = true;
		else if (!strcmp(argv[i], "--one-collector"))
			ncollectors = 1;
		else
			argc = 0;   /* usage */
	}
	if (argc < 5 || (n = atoi(argv[2])) < 1 || n > 2000 || (minutes = atoi(argv[3])) < 1 ||
	    (period_ms = atoi(argv[4])) < 100) {
		fprintf(stderr, "usage: zp_fleet_bench ZEBRAPAD N(1..2000) MINUTES PERIOD_MS(>=100) [--one-process] "
			"[--one-collector]\n");
		return 2;
	}
	zebrapad = argv[1];
	/* a broker with N + 2 connections; N exporters, or one process with N connections and N stores */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	stores = calloc((size_t)n, sizeof(*stores));
	gen_ms = calloc((size_t)minutes * (size_t)n, sizeof(*gen_ms));
	if (!stores || !gen_ms || fleet_init(&f) != 0)
		return 1;
	f.pg_durable = true;
	if (fleet_pg_start(&f) || fleet_broker_start(&f, NULL))
		goto out;
	for (int i = 0; i < ncollectors; i++)
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
		if (!one && fleet_exporter_start(&f, i, zebrapad, site, NULL,
						 "rate = 100\nmax_inflight = 20\npoll_ms = 250\nsettle_s = 0\nstatus_s = 60\n"
						 "keepalive_s = 60", NULL))
			goto out;
	}
	fleet_path(&f, "sim.ready", ready, sizeof(ready));
	if (one) {
		int64_t until;

		fflush(NULL);
		sim = fork();
		if (sim == 0)
			_exit(sim_run(&f, n, ready));
		if (sim < 0)
			goto out;
		until = zp_now_ms() + 60000 + 100LL * n;
		while (access(ready, F_OK) != 0) {
			if (zp_now_ms() > until || waitpid(sim, NULL, WNOHANG) == sim) {
				fprintf(stderr, "bench: the sites did not all connect\n");
				goto out;
			}
			fleet_sleep_ms(100);
		}
		fleet_sleep_ms(2000);
	} else {
		fleet_sleep_ms(3000 + 30 * n); /* the exporters started and connected */
	}
	start = zp_now_ms();
	for (int k = 0; k < minutes; k++) {
		int64_t due = start + (int64_t)k * period_ms;

		while (zp_now_ms() < due)
			fleet_sleep_ms(5);
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
			gen_ms[(size_t)k * (size_t)n + (size_t)i] = zp_wall_ms();
		}
	}
	want = (long long)n * minutes * 4;
	deadline = zp_now_ms() + 60000 + (int64_t)minutes * period_ms;
	while (q1(c, "SELECT count(*) FROM counts") < (double)want && zp_now_ms() < deadline)
		fleet_sleep_ms(200);
	{
		double got = q1(c, "SELECT count(*) FROM counts"), first, last, p50, p99, mx, wrong_sites, written;
		long rss0, priv0, rss_sum = 0, priv_sum = 0, crss, cpriv, srss = 0, spriv = 0;
		char *ins;
		size_t cap = 64 + (size_t)n * 48, len;

		PQclear(PQexec(c, "CREATE TEMP TABLE gen(site text, k integer, t double precision)"));
		ins = malloc(cap);
		for (int k = 0; ins && k < minutes; k++) {
			len = (size_t)snprintf(ins, cap, "INSERT INTO gen VALUES ");
			for (int i = 0; i < n; i++)
				len += (size_t)snprintf(ins + len, cap - len, "%s('site-%04d', %d, %.3f)", i ? "," : "", i, k,
							(double)gen_ms[(size_t)k * (size_t)n + (size_t)i] / 1000.0);
			PQclear(PQexec(c, ins));
		}
		free(ins);
		snprintf(sql, sizeof(sql),
			 "CREATE TEMP VIEW lag AS SELECT extract(epoch FROM c.received_at) - g.t AS s FROM counts c"
			 " JOIN gen g ON g.site = c.site AND g.k = (extract(epoch FROM c.interval_start)::bigint - %lld) / 60",
			 BENCH_T0);
		PQclear(PQexec(c, sql));
		p50 = q1(c, "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM lag");
		p99 = q1(c, "SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY s) FROM lag");
		mx = q1(c, "SELECT max(s) FROM lag");
		first = q1(c, "SELECT min(t) FROM gen");
		written = q1(c, "SELECT max(t) - min(t) FROM gen");
		last = q1(c, "SELECT extract(epoch FROM max(received_at)) FROM counts");
		/* each site exactly minutes x 4 rows (the natural key makes a duplicate a replacement) */
		snprintf(sql, sizeof(sql),
			 "SELECT %d - count(*) FILTER (WHERE n = %d) FROM (SELECT count(*) AS n FROM counts GROUP BY site) s",
			 n, minutes * 4);
		wrong_sites = q1(c, sql);
		mem_kib(f.collector[0], &crss, &cpriv);
		if (one) {
			int st = 0;

			mem_kib(sim, &srss, &spriv);
			kill(sim, SIGTERM);
			waitpid(sim, &st, 0);
			sim = 0;
			printf("sites %d (one process, %d TLS connections), minutes %d, one minute every %d ms (%.0fx real "
			       "time), the stores written over %.1f s: rows %.0f of %lld, sites without all their rows %.0f, "
			       "%.0f rows/s over %.1f s; "
			       "lag p50 %.2f s, p99 %.2f s, max %.2f s; the process for the sites: RSS %ld KiB (private %ld "
			       "KiB), every row acknowledged by the broker: %s; collector RSS %ld KiB (private %ld KiB), collectors %d\n",
			       n, n, minutes, period_ms, 60000.0 / period_ms, written, got, want, wrong_sites,
			       got / (last - first),
			       last - first, p50, p99, mx, srss, spriv,
			       WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "NO", crss, cpriv, ncollectors);
			rc = got == (double)want && wrong_sites == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
		} else {
			mem_kib(f.exporter[0], &rss0, &priv0);
			for (int i = 0; i < n; i++) {
				long r, p;

				mem_kib(f.exporter[i], &r, &p);
				rss_sum += r;
				priv_sum += p;
			}
			printf("sites %d, minutes %d, one minute every %d ms (%.0fx real time), the stores written over "
			       "%.1f s: rows %.0f of %lld, "
			       "sites without all their rows %.0f, %.0f rows/s over %.1f s; lag p50 %.2f s, p99 %.2f s, "
			       "max %.2f s; exporter RSS %ld KiB (private %ld KiB), mean over %d: %ld KiB (private %ld); "
			       "collector RSS %ld KiB (private %ld KiB), collectors %d\n",
			       n, minutes, period_ms, 60000.0 / period_ms, written, got, want, wrong_sites,
			       got / (last - first),
			       last - first, p50, p99, mx, rss0, priv0, n, rss_sum / n, priv_sum / n, crss, cpriv, ncollectors);
			rc = got == (double)want && wrong_sites == 0 ? 0 : 1;
		}
	}
out:
	if (sim > 0) {
		kill(sim, SIGKILL);
		waitpid(sim, NULL, 0);
	}
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
