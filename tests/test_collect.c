/* SPDX-License-Identifier: MIT */
/*
 * test_collect.c - zebrapad collect: the messages and the [collect] file
 * (unit cases), then the collector against a real Mosquitto broker and a
 * real PostgreSQL cluster started on loopback (tests/fleet.c), every case
 * checking PostgreSQL row for row against what was published.
 *
 * The fleet cases need mosquitto, openssl and postgresql (scripts/packages.txt).
 */
#include "zp_exec.h"
#include "zp_test.h"

#include "collect.h"
#include "fleet.h"
#include "store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

/* ---- messages ---- */

/* A message that must parse: topic and json into m (the caller frees it). */
static void parse_ok(const char *topic, const char *json, zp_collect_msg *m)
{
	char err[300];

	ck_assert_msg(zp_collect_parse(topic, json, strlen(json), m, err, sizeof(err)) == 0, "%s: %s", topic, err);
}

START_TEST(parse_counts_row)
{
	const char *json = "{\"site\":\"oak-st\",\"schema\":3,\"interval_start\":1764763200,\"interval_s\":60,"
			   "\"zone\":\"crossing\",\"entered\":4,\"occupied_s\":12.5,\"light_activations\":null,"
			   "\"light_on_s\":null,\"fault_s\":null,\"crossed_a_to_b\":2,\"crossed_b_to_a\":1,"
			   "\"firmware\":\"x\",\"n\":[1,2]}";
	zp_collect_msg m;

	parse_ok("zebrapad/oak-st/counts", json, &m);
	ck_assert_int_eq(m.kind, ZP_MSG_COUNTS);
	ck_assert_str_eq(m.value[ZP_COL_SITE], "oak-st");
	ck_assert_str_eq(m.value[ZP_COL_INTERVAL_START], "1764763200");
	ck_assert_str_eq(m.value[ZP_COL_INTERVAL_S], "60");
	ck_assert_str_eq(m.value[ZP_COL_ZONE], "crossing");
	ck_assert_str_eq(m.value[ZP_COL_ENTERED], "4");
	ck_assert_double_eq(strtod(m.value[ZP_COL_OCCUPIED_S], NULL), 12.5);
	ck_assert_ptr_null(m.value[ZP_COL_LIGHT_ACTIVATIONS]);
	ck_assert_ptr_null(m.value[ZP_COL_FAULT_S]);
	ck_assert_str_eq(m.value[ZP_COL_CROSSED_A_TO_B], "2");
	ck_assert_str_eq(m.value[ZP_COL_CROSSED_B_TO_A], "1");
	ck_assert_str_eq(m.value[ZP_COL_SCHEMA], "3");
	/* unknown fields are kept, never a failure */
	ck_assert_str_eq(m.value[ZP_COL_EXTRA], "{\"firmware\":\"x\",\"n\":[1,2]}");
	zp_collect_msg_free(&m);

	/* schema 2: no crossed columns -> NULL */
	json = "{\"site\":\"oak-st\",\"schema\":2,\"interval_start\":120,\"interval_s\":60,\"zone\":\"*\","
	       "\"light_activations\":3,\"light_on_s\":20.25,\"fault_s\":0}";
	parse_ok("zebrapad/oak-st/counts", json, &m);
	ck_assert_ptr_null(m.value[ZP_COL_CROSSED_A_TO_B]);
	ck_assert_ptr_null(m.value[ZP_COL_ENTERED]);
	ck_assert_ptr_null(m.value[ZP_COL_EXTRA]);
	ck_assert_str_eq(m.value[ZP_COL_FAULT_S], "0");
	zp_collect_msg_free(&m);
}
END_TEST

START_TEST(parse_refuses)
{
	static const struct {
		const char *topic, *json, *needle;
	} bad[] = {
		{ "zebrapad/a/counts", "not json", "one JSON object" },
		{ "zebrapad/a/counts", "[1]", "one JSON object" },
		{ "zebrapad/a/counts", "{\"site\":\"b\",\"interval_start\":0,\"interval_s\":60,\"zone\":\"z\"}", "site" },
		{ "zebrapad/a/counts", "{\"interval_start\":0,\"interval_s\":60,\"zone\":\"z\"}", "site" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_s\":60,\"zone\":\"z\"}", "interval_start" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":-60,\"interval_s\":60,\"zone\":\"z\"}",
		  "interval_start" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":30,\"interval_s\":60,\"zone\":\"z\"}",
		  "multiple" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":60,\"interval_s\":0,\"zone\":\"z\"}",
		  "interval_s" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":60,\"interval_s\":60,\"zone\":\"\"}", "zone" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":60,\"interval_s\":60,\"zone\":\"z\","
				       "\"entered\":1.5}", "entered" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":60,\"interval_s\":60,\"zone\":\"z\","
				       "\"occupied_s\":-1}", "occupied_s" },
		{ "zebrapad/a/counts", "{\"site\":\"a\",\"interval_start\":60,\"interval_s\":60,\"zone\":\"z\","
				       "\"entered\":\"3\"}", "entered" },
		{ "zebrapad/a/status", "{\"site\":\"a\"}", "state" },
		{ "zebrapad/a/other", "{\"site\":\"a\"}", "topic" },
		{ "zebrapad//counts", "{\"site\":\"\"}", "topic" },
		{ "other/a/counts", "{\"site\":\"a\"}", "topic" },
	};
	zp_collect_msg m;
	char err[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(zp_collect_parse(bad[i].topic, bad[i].json, strlen(bad[i].json), &m, err, sizeof(err)),
				 ZP_EINVAL);
		ck_assert_msg(strstr(err, bad[i].needle), "case %zu: '%s' does not name '%s'", i, err, bad[i].needle);
		ck_assert_ptr_null(strchr(err, '\n'));
		for (int k = 0; k < ZP_COLLECT_NPARAMS; k++)
			ck_assert_ptr_null(m.value[k]);
	}
}
END_TEST

START_TEST(parse_status)
{
	const char *json = "{\"site\":\"a\",\"state\":\"online\",\"lights\":\"off\",\"health\":\"ok\","
			   "\"faults\":{\"camera\":2},\"fail_safe_s\":3.5,\"frames\":1000,\"last_frame\":1764763200.5,"
			   "\"version\":\"0.1.0\",\"schema\":3,\"export_lag_s\":1.25,\"time\":1764763201}";
	zp_collect_msg m;

	parse_ok("zebrapad/a/status", json, &m);
	ck_assert_int_eq(m.kind, ZP_MSG_STATUS);
	ck_assert_str_eq(m.value[ZP_ST_STATE], "online");
	ck_assert_str_eq(m.value[ZP_ST_FAULTS], "{\"camera\":2}");
	ck_assert_str_eq(m.value[ZP_ST_FRAMES], "1000");
	ck_assert_str_eq(m.value[ZP_ST_TIME], "1764763201");
	zp_collect_msg_free(&m);
	/* the will: site and state only */
	json = "{\"site\":\"a\",\"state\":\"offline\"}";
	parse_ok("zebrapad/a/status", json, &m);
	ck_assert_ptr_null(m.value[ZP_ST_LIGHTS]);
	ck_assert_ptr_null(m.value[ZP_ST_TIME]);
	zp_collect_msg_free(&m);
	/* a field of the wrong type: NULL in its column, the message kept */
	json = "{\"site\":\"a\",\"state\":\"online\",\"frames\":\"many\"}";
	parse_ok("zebrapad/a/status", json, &m);
	ck_assert_ptr_null(m.value[ZP_ST_FRAMES]);
	zp_collect_msg_free(&m);
}
END_TEST

/* ---- the [collect] file ---- */

START_TEST(params_file)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "[collect]\nbroker_port = 0\n", ":2: [collect] broker_port: expected an integer from 1 to 65535" },
		{ "[collect]\nnope = 1\n", ":2: [collect] unknown key 'nope'" },
		{ "[store]\npath = /x\n", ":2: section [store]: expected only [collect]" },
		{ "[collect]\ngroup = a/b\n", "group: expected a name without" },
		{ "[collect]\ninflight = 1\ninflight = 2\n", ":3: [collect] duplicate key 'inflight'" },
		{ "[collect]\nbroker_host = mqtt.example.org\n", "not on loopback" },
		{ "[collect]\ncafile = /ca\ncertfile = /c\n", "certfile and keyfile" },
		{ "[collect]\nallow_plain = perhaps\n", "allow_plain" },
		{ "[collect]\nthis line\n", ":2: expected" },
	};
	char path[] = "/tmp/zp-collect-ini.XXXXXX";
	zp_collect_params p;
	char err[600];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	zp_test_write_text(path, "; town hall\n[collect]\nbroker_host = mqtt.example.org\nbroker_port = 8883\n"
			   "cafile = /etc/ssl/ca.crt\ncertfile = /etc/zebrapad/c.crt\nkeyfile = /etc/zebrapad/c.key\n"
			   "client_id = th-1\ngroup = townhall\ninflight = 500\ndatabase = dbname=counts\n");
	zp_collect_params_default(&p);
	ck_assert_int_eq(zp_collect_params_load(path, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.broker_host, "mqtt.example.org");
	ck_assert_int_eq(p.broker_port, 8883);
	ck_assert_str_eq(p.client_id, "th-1");
	ck_assert_int_eq(p.inflight, 500);
	ck_assert_int_eq(p.session_expiry_s, 604800);
	ck_assert_str_eq(p.database, "dbname=counts");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		zp_test_write_text(path, bad[i].text);
		zp_collect_params_default(&p);
		err[0] = '\0';
		ck_assert_int_eq(zp_collect_params_load(path, &p, err, sizeof(err)), ZP_EINVAL);
		ck_assert_msg(strstr(err, bad[i].needle) && strstr(err, path), "case %zu: '%s' lacks '%s'", i, err,
			      bad[i].needle);
	}
	unlink(path);
	ck_assert_int_eq(zp_collect_params_load(path, &p, err, sizeof(err)), ZP_ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

/* ---- the fleet: a broker, PostgreSQL, collectors ---- */

static fleet g_fleet; /* Check forks each test: set in the fixture, one per test process */

static const char *collect_bin(void)
{
	static char path[512];
	const char *b = getenv("ZP_BINARY_DIR");

	snprintf(path, sizeof(path), "%s/app/zebrapad", b ? b : ".");
	return path;
}

static void fleet_setup(void)
{
	ck_assert_int_eq(fleet_init(&g_fleet), 0);
	ck_assert_int_eq(fleet_pg_start(&g_fleet), 0);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, NULL), 0);
}

static void fleet_teardown(void)
{
	fleet_destroy(&g_fleet);
}

static PGconn *db(void)
{
	PGconn *c = PQconnectdb(g_fleet.conninfo);

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

static long long query_ll(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	long long v;

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
	v = PQgetisnull(r, 0, 0) ? -1 : atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static void exec_sql(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQresultErrorMessage(r));
	PQclear(r);
}

/* Until the counts table exists (a collector migrated the schema). */
static void wait_schema(PGconn *c)
{
	int64_t until = zp_now_ms() + 20000;

	while (zp_now_ms() < until) {
		PGresult *r = PQexec(c, "SELECT 1 FROM zebrapad_meta WHERE key = 'schema_version' AND value = '1'");
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;

		PQclear(r);
		if (ok)
			return;
		fleet_sleep_ms(50);
	}
	ck_abort_msg("no collector created the schema in 20 s (see %s/collect-0.log)", g_fleet.dir);
}

/* n collectors subscribed (at least `times` times each): the broker's log says so for each client id. */
static void wait_subscribed_times(int n, int times)
{
	char log[300];
	int64_t until = zp_now_ms() + 30000;

	fleet_path(&g_fleet, "mosquitto.log", log, sizeof(log));
	while (zp_now_ms() < until) {
		char *text = zp_test_slurp(log, NULL);
		int found = 0;

		for (int i = 0; text && i < n; i++) {
			char needle[64];
			int k = 0;

			snprintf(needle, sizeof(needle), "collector-%d 1 ", i);
			for (const char *s = strstr(text, needle); s; s = strstr(s + 1, needle))
				if (!strncmp(s + strlen(needle), "zebrapad/+/counts", 17) ||
				    !strncmp(s + strlen(needle), "$share/townhall/zebrapad/+/counts", 33))
					k++;
			if (k >= times)
				found++;
		}
		free(text);
		if (found == n)
			return;
		fleet_sleep_ms(50);
	}
	ck_abort_msg("collectors not subscribed after 30 s (see %s)", log);
}

static void wait_subscribed(int n)
{
	wait_subscribed_times(n, 1);
}

#define BASE_T 1764720000LL /* 2025-12-03 00:00 UTC */
static const char *const zones[4] = { "*", "crossing", "kerb-north", "kerb-south" };

/*
 * Row i of a site: interval BASE_T + (i/4)*60, zone i%4. Version v adds v
 * to every figure (a store adds to a row; the figures only grow).
 */
static void row_json(char *buf, size_t size, const char *site, int i, int v, long long shift_s)
{
	const long long t = BASE_T + (long long)(i / 4) * 60 + shift_s;
	const int z = i % 4;
	const uint32_t h = zp_hash3((uint32_t)i, 11, 7);

	if (z == 0)
		snprintf(buf, size,
			 "{\"site\":\"%s\",\"schema\":3,\"interval_start\":%lld,\"interval_s\":60,\"zone\":\"*\","
			 "\"entered\":null,\"occupied_s\":null,\"light_activations\":%u,\"light_on_s\":%.3f,"
			 "\"fault_s\":%.3f,\"crossed_a_to_b\":null,\"crossed_b_to_a\":null}",
			 site, t, h % 7 + (unsigned)v, (double)(h % 50000) / 1000.0 + v,
			 (double)((h >> 8) % 1000) / 100.0 + v);
	else
		snprintf(buf, size,
			 "{\"site\":\"%s\",\"schema\":3,\"interval_start\":%lld,\"interval_s\":60,\"zone\":\"%s\","
			 "\"entered\":%u,\"occupied_s\":%.3f,\"light_activations\":null,\"light_on_s\":null,"
			 "\"fault_s\":null,\"crossed_a_to_b\":%s,\"crossed_b_to_a\":%s}",
			 site, t, zones[z], h % 9 + (unsigned)v, (double)(h % 50000) / 1000.0 + v,
			 z == 1 ? (v ? "2" : "1") : "null", z == 1 ? (v ? "3" : "2") : "null");
}

static void publish_rows(fleet_pub *p, const char *site, int from, int to, int v, long long shift_s)
{
	char topic[128], json[512];

	snprintf(topic, sizeof(topic), "zebrapad/%s/counts", site);
	for (int i = from; i < to; i++) {
		row_json(json, sizeof(json), site, i, v, shift_s);
		ck_assert_int_eq(fleet_pub_send(p, topic, json, false), 0);
	}
}

static long long wait_count(PGconn *c, const char *sql, long long want, int timeout_ms)
{
	int64_t until = zp_now_ms() + timeout_ms;
	long long n = -1;

	while (zp_now_ms() < until) {
		n = query_ll(c, sql);
		if (n == want)
			return n;
		fleet_sleep_ms(50);
	}
	return n;
}

/*
 * Every row of site in PostgreSQL equals the row published, and there are
 * exactly n: version_of(i) gives the version of row i that must be there.
 */
static void check_rows(PGconn *c, const char *site, int n, int (*version_of)(int i), long long shift_s)
{
	char sql[512];
	PGresult *r;
	int rows;
	char *seen = calloc((size_t)n, 1);

	snprintf(sql, sizeof(sql),
		 "SELECT extract(epoch FROM interval_start)::bigint, interval_s, zone, entered, occupied_s,"
		 " light_activations, light_on_s, fault_s, crossed_a_to_b, crossed_b_to_a, schema"
		 " FROM counts WHERE site = '%s'", site);
	r = PQexec(c, sql);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	rows = PQntuples(r);
	ck_assert_msg(rows == n, "site %s: %d rows in PostgreSQL, %d published", site, rows, n);
	for (int k = 0; k < rows; k++) {
		long long t = atoll(PQgetvalue(r, k, 0)) - BASE_T - shift_s;
		int z = -1, i, v;
		char json[512], want[512];

		for (int q = 0; q < 4; q++)
			if (!strcmp(PQgetvalue(r, k, 2), zones[q]))
				z = q;
		ck_assert_int_ge(z, 0);
		ck_assert_int_eq(t % 60, 0);
		i = (int)(t / 60) * 4 + z;
		ck_assert_msg(i >= 0 && i < n && !seen[i], "row %d unexpected or twice", i);
		seen[i] = 1;
		v = version_of ? version_of(i) : 0;
		/* rebuild the JSON from the database row and compare with what was published */
		snprintf(json, sizeof(json),
			 "{\"site\":\"%s\",\"schema\":%s,\"interval_start\":%lld,\"interval_s\":%s,\"zone\":\"%s\","
			 "\"entered\":%s,\"occupied_s\":%s,\"light_activations\":%s,\"light_on_s\":%s,"
			 "\"fault_s\":%s,\"crossed_a_to_b\":%s,\"crossed_b_to_a\":%s}",
			 site, PQgetvalue(r, k, 10), t + BASE_T + shift_s, PQgetvalue(r, k, 1), zones[z],
			 PQgetisnull(r, k, 3) ? "null" : PQgetvalue(r, k, 3),
			 PQgetisnull(r, k, 4) ? "null" : PQgetvalue(r, k, 4),
			 PQgetisnull(r, k, 5) ? "null" : PQgetvalue(r, k, 5),
			 PQgetisnull(r, k, 6) ? "null" : PQgetvalue(r, k, 6),
			 PQgetisnull(r, k, 7) ? "null" : PQgetvalue(r, k, 7),
			 PQgetisnull(r, k, 8) ? "null" : PQgetvalue(r, k, 8),
			 PQgetisnull(r, k, 9) ? "null" : PQgetvalue(r, k, 9));
		row_json(want, sizeof(want), site, i, v, shift_s);
		/* the numbers as PostgreSQL prints them: compare value by value */
		{
			char *a = json, *b = want;

			while (*a && *b) {
				char *ea, *eb;
				double da = strtod(a, &ea), db_ = strtod(b, &eb);

				/* a number on both sides (after ':'): compared as numbers */
				if (a > json && a[-1] == ':' && ea > a && eb > b) {
					ck_assert_msg(fabs(da - db_) < 1e-9, "row %d: %s\n  published %s", i, json, want);
					a = ea;
					b = eb;
					continue;
				}
				ck_assert_msg(*a == *b, "row %d: %s\n  published %s", i, json, want);
				a++;
				b++;
			}
			ck_assert_msg(*a == *b, "row %d: %s\n  published %s", i, json, want);
		}
	}
	PQclear(r);
	free(seen);
}

/* Sum of "N <what>" over the collectors' summary lines (collect-<i>.log). */
static long long summary_sum(int ncollectors, const char *what)
{
	long long sum = 0;

	for (int i = 0; i < ncollectors; i++) {
		char log[300], *text, *line;

		snprintf(log, sizeof(log), "%s/collect-%d.log", g_fleet.dir, i);
		text = zp_test_slurp(log, NULL);
		ck_assert_ptr_nonnull(text);
		for (line = strstr(text, " messages: "); line; line = strstr(line + 1, " messages: ")) {
			char *p = strstr(line, what);
			char *q = p;

			ck_assert_ptr_nonnull(p);
			while (q > line && q[-1] == ' ')
				q--;
			while (q > line && q[-1] >= '0' && q[-1] <= '9')
				q--;
			sum += atoll(q);
		}
		free(text);
	}
	return sum;
}

static int changed_first_40(int i)
{
	return i < 40 ? 1 : 0;
}

/*
 * 1000 rows through two collectors sharing the load, all of them again
 * (duplicates), 40 grown, then the 40 old versions late: exactly 1000 rows,
 * the grown figures kept.
 */
START_TEST(rows_duplicates_and_changes)
{
	PGconn *c;
	fleet_pub *p;

	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, "shared = yes"), 0);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 1, collect_bin(), NULL, "shared = yes"), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(2);
	p = fleet_pub_open(&g_fleet, "site-a", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-a", 0, 1000, 0, 0);
	publish_rows(p, "site-a", 0, 1000, 0, 0); /* the same rows again: at-least-once */
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 1000, 60000), 1000);
	publish_rows(p, "site-a", 0, 40, 1, 0); /* the store added to 10 intervals */
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts WHERE crossed_a_to_b = 2", 10, 60000), 10);
	publish_rows(p, "site-a", 0, 40, 0, 0); /* the older versions again, late: they change nothing */
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	fleet_pub_close(p);
	/* settled: every collector's commit done before the check (SIGTERM flushes) */
	fleet_sleep_ms(500);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 0, false), 0);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 1, false), 0);
	check_rows(c, "site-a", 1000, changed_first_40, 0);
	ck_assert_int_eq(summary_sum(2, "rows new"), 1000);
	ck_assert_int_eq(summary_sum(2, "duplicates"), 1000 + 40);
	ck_assert_int_eq(summary_sum(2, "replaced"), 40);
	/* both collectors took a share (the shared subscription splits the rows) */
	{
		char log[300], *t0, *t1;

		snprintf(log, sizeof(log), "%s/collect-0.log", g_fleet.dir);
		t0 = zp_test_slurp(log, NULL);
		snprintf(log, sizeof(log), "%s/collect-1.log", g_fleet.dir);
		t1 = zp_test_slurp(log, NULL);
		ck_assert_msg(!strstr(t0, ": 0 messages") && !strstr(t1, ": 0 messages"), "one collector got nothing:\n%s\n%s",
			      t0, t1);
		free(t0);
		free(t1);
	}
	/* the views: hourly and daily totals */
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM counts_hourly WHERE site = 'site-a'"), 5 * 4);
	ck_assert_int_eq(query_ll(c, "SELECT sum(entered) FROM counts_daily WHERE site = 'site-a'"),
			 query_ll(c, "SELECT sum(entered) FROM counts WHERE site = 'site-a'"));
	ck_assert_int_eq(query_ll(c, "SELECT crossed FROM crossings_daily WHERE site = 'site-a'"), 240 * 3 + 10 * 5);
	PQfinish(c);
}
END_TEST

/* Status: the retained one reaches a collector started later; the will sets offline and keeps the rest. */
START_TEST(status_to_sites)
{
	PGconn *c;
	fleet_pub *p;
	PGresult *r;

	p = fleet_pub_open(&g_fleet, "site-b", "device", true);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fleet_pub_send(p, "zebrapad/site-b/status",
					"{\"site\":\"site-b\",\"state\":\"online\",\"lights\":\"off\",\"health\":\"ok\","
					"\"faults\":{\"camera_lost\":1},\"fail_safe_s\":2.5,\"frames\":900,"
					"\"last_frame\":1764763200,\"version\":\"0.1.0\",\"schema\":3,\"export_lag_s\":0.5,"
					"\"time\":1764763201}", true), 0);
	ck_assert_int_eq(fleet_pub_wait(p, 10000), 0);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, NULL), 0);
	c = db();
	wait_schema(c);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM sites WHERE state = 'online'", 1, 30000), 1);
	/* an older status changes nothing */
	ck_assert_int_eq(fleet_pub_send(p, "zebrapad/site-b/status",
					"{\"site\":\"site-b\",\"state\":\"online\",\"lights\":\"on\",\"time\":1764763100}",
					false), 0);
	ck_assert_int_eq(fleet_pub_send(p, "zebrapad/site-b/status", "{\"site\":\"site-b\",\"state\":\"offline\"}",
					true), 0);
	ck_assert_int_eq(fleet_pub_wait(p, 10000), 0);
	fleet_pub_close(p);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM sites WHERE state = 'offline'", 1, 30000), 1);
	r = PQexec(c, "SELECT lights, health, faults->>'camera_lost', frames, export_lag_s, status->>'state' FROM sites");
	ck_assert_int_eq(PQntuples(r), 1);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "off");
	ck_assert_str_eq(PQgetvalue(r, 0, 1), "ok");
	ck_assert_str_eq(PQgetvalue(r, 0, 2), "1");
	ck_assert_str_eq(PQgetvalue(r, 0, 3), "900");
	ck_assert_str_eq(PQgetvalue(r, 0, 4), "0.5");
	ck_assert_str_eq(PQgetvalue(r, 0, 5), "offline");
	PQclear(r);
	PQfinish(c);
}
END_TEST

/* Until n sessions wait on a lock in PostgreSQL (the collectors, stuck in their commit). */
static void wait_blocked(PGconn *c, int n)
{
	ck_assert_int_eq(wait_count(c,
				    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
				    " AND query LIKE 'INSERT INTO counts%'",
				    n, 30000), n);
}

/*
 * A collector killed while it holds received, uncommitted rows (its commit
 * waits on a lock), the other one running: after the killed one comes back
 * under its client id, every row is in PostgreSQL. Without the hold of the
 * acknowledgements until the commit, the killed one's rows are lost.
 */
START_TEST(collector_killed_mid_commit)
{
	PGconn *c, *lock;
	fleet_pub *p;
	long long before;

	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, "shared = yes"), 0);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 1, collect_bin(), NULL, "shared = yes"), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(2);
	lock = db();
	exec_sql(lock, "BEGIN; LOCK TABLE counts IN EXCLUSIVE MODE");
	p = fleet_pub_open(&g_fleet, "site-c", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-c", 0, 600, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	wait_blocked(c, 2);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 0, true), 0); /* kill -9 with rows received */
	exec_sql(lock, "COMMIT");
	PQfinish(lock);
	/* the other goes on; rows keep coming while collector 0 is dead */
	publish_rows(p, "site-c", 600, 1200, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	fleet_sleep_ms(1500);
	before = query_ll(c, "SELECT count(*) FROM counts");
	ck_assert_msg(before < 1200, "collector 0 held no rows when killed (%lld of 1200 already in)", before);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, "shared = yes"), 0);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 1200, 60000), 1200);
	fleet_pub_close(p);
	check_rows(c, "site-c", 1200, NULL, 0);
	PQfinish(c);
}
END_TEST

/*
 * The broker stopped mid-run with messages in flight to collectors that
 * cannot commit (a lock), more rows published while it is away: all arrive
 * once it is back (its persistence, the collectors' sessions, the
 * publisher's session).
 */
START_TEST(broker_stopped_midrun)
{
	PGconn *c, *lock;
	fleet_pub *p;

	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, NULL), 0);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 1, collect_bin(), NULL, NULL), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(2);
	p = fleet_pub_open(&g_fleet, "site-d", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-d", 0, 300, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 300, 60000), 300);
	lock = db();
	exec_sql(lock, "BEGIN; LOCK TABLE counts IN EXCLUSIVE MODE");
	publish_rows(p, "site-d", 300, 600, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	wait_blocked(c, 2);
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	exec_sql(lock, "COMMIT"); /* the collectors commit, their acknowledgements cannot go */
	PQfinish(lock);
	publish_rows(p, "site-d", 600, 1000, 0, 0); /* queued in the publisher while the broker is away */
	fleet_sleep_ms(2000);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, NULL), 0);
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 1000, 60000), 1000);
	fleet_pub_close(p);
	check_rows(c, "site-d", 1000, NULL, 0);
	PQfinish(c);
}
END_TEST

static int jumped_version(int i)
{
	return i >= 400 && i < 480 ? 2 : 0;
}

/*
 * A site whose clock jumps: a year ahead for a while, then back, where it
 * sends intervals again that it sent before with other figures. Every row is
 * kept under its own key; the re-sent ones replace the old figures.
 */
START_TEST(site_clock_jumps)
{
	PGconn *c;
	fleet_pub *p;

	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, NULL), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(1);
	p = fleet_pub_open(&g_fleet, "site-e", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-e", 0, 480, 0, 0);
	publish_rows(p, "site-e", 0, 400, 0, 366LL * 86400); /* a year ahead (another site key range) */
	publish_rows(p, "site-e", 400, 480, 2, 0);          /* back: the last 20 intervals again, new figures */
	publish_rows(p, "site-e", 480, 1000, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 60000), 0);
	fleet_pub_close(p);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 1400, 60000), 1400);
	fleet_sleep_ms(300);
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM counts WHERE interval_start >= to_timestamp(1790000000)"),
			 400);
	exec_sql(c, "DELETE FROM counts WHERE interval_start >= to_timestamp(1790000000)");
	check_rows(c, "site-e", 1000, jumped_version, 0);
	PQfinish(c);
}
END_TEST

/* A collector with a certificate of another CA: refused by the broker, said in its log, nothing written. */
START_TEST(wrong_certificate)
{
	char log[300], *text;
	PGconn *c;
	fleet_pub *p;
	int64_t until;

	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), "rogue", NULL), 0);
	c = db();
	wait_schema(c); /* the database side works */
	p = fleet_pub_open(&g_fleet, "site-f", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-f", 0, 100, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 30000), 0);
	fleet_pub_close(p);
	/* a device with the rogue certificate is refused too */
	ck_assert_ptr_null(fleet_pub_open(&g_fleet, "site-g", "rogue", true));
	snprintf(log, sizeof(log), "%s/collect-0.log", g_fleet.dir);
	until = zp_now_ms() + 20000;
	for (;;) {
		text = zp_test_slurp(log, NULL);
		if ((text && strstr(text, "broker")) || zp_now_ms() > until)
			break;
		free(text);
		fleet_sleep_ms(100);
	}
	ck_assert_msg(text && strstr(text, "broker") && (strstr(text, "certificate") || strstr(text, "TLS") ||
						       strstr(text, "lost")),
		      "collector log does not say the broker refused it:\n%s", text ? text : "(none)");
	free(text);
	fleet_path(&g_fleet, "mosquitto.log", log, sizeof(log));
	text = zp_test_slurp(log, NULL);
	ck_assert_msg(text && strstr(text, "OpenSSL Error"), "broker log:\n%s", text ? text : "(none)");
	free(text);
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM counts"), 0);
	PQfinish(c);
}
END_TEST

/* Messages that are not zebrapad's are dropped, counted and logged; the rows after them arrive. */
START_TEST(invalid_messages_dropped)
{
	PGconn *c;
	fleet_pub *p;
	char log[300], *text;

	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, NULL), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(1);
	p = fleet_pub_open(&g_fleet, "site-h", "device", true);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fleet_pub_send(p, "zebrapad/site-h/counts", "{\"site\":\"site-h\"", false), 0);
	ck_assert_int_eq(fleet_pub_send(p, "zebrapad/site-h/counts", "{\"site\":\"other\",\"zone\":\"z\"}", false), 0);
	ck_assert_int_eq(fleet_pub_send(p, "zebrapad/site-h/counts",
					"{\"site\":\"site-h\",\"interval_start\":60,\"interval_s\":60,\"zone\":\"z\","
					"\"entered\":-3}", false), 0);
	publish_rows(p, "site-h", 0, 40, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 30000), 0);
	fleet_pub_close(p);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 40, 30000), 40);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 0, false), 0);
	check_rows(c, "site-h", 40, NULL, 0);
	ck_assert_int_eq(summary_sum(1, "invalid"), 3);
	snprintf(log, sizeof(log), "%s/collect-0.log", g_fleet.dir);
	text = zp_test_slurp(log, NULL);
	ck_assert_ptr_nonnull(strstr(text, "message dropped: zebrapad/site-h/counts: expected one JSON object"));
	free(text);
	PQfinish(c);
}
END_TEST

/* --migrate creates the schema, is idempotent, and refuses a newer schema (exit 1, one line). */
START_TEST(migrate_and_newer_schema)
{
	struct zp_exec r;
	char ini[300], text[600];
	PGconn *c;

	snprintf(ini, sizeof(ini), "%s/m.ini", g_fleet.dir);
	snprintf(text, sizeof(text), "[collect]\ndatabase = %s\n", g_fleet.conninfo);
	zp_test_write_text(ini, text);
	for (int k = 0; k < 2; k++) {
		zp_exec(&r, NULL, collect_bin(), "collect", "--config", ini, "--migrate", NULL);
		ck_assert_msg(r.code == 0, "%s", r.err);
		ck_assert_ptr_nonnull(strstr(r.out, "schema version 1"));
		zp_exec_free(&r);
	}
	c = db();
	exec_sql(c, "UPDATE zebrapad_meta SET value = '99' WHERE key = 'schema_version'");
	zp_exec(&r, NULL, collect_bin(), "collect", "--config", ini, "--migrate", NULL);
	ck_assert_int_eq(r.code, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "schema version 99 is newer"));
	zp_exec_free(&r);
	PQfinish(c);
	/* bad usage: exit 2, one line */
	zp_exec(&r, NULL, collect_bin(), "collect", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "expected --config"));
	zp_exec_free(&r);
}
END_TEST

/*
 * Why [collect] shared is off by default: Mosquitto 2.0 keeps a persistent
 * session's queued messages and plain subscriptions over a restart, but not
 * its shared subscriptions. Both collectors are offline across a restart;
 * 100 rows are published, 50 before and 50 after it. The plain subscriber
 * gets all 100 when it returns; the shared one only the 50 from before: the
 * broker had no subscriber for the rest and dropped them, acknowledged to
 * the publisher. (Should a broker keep shared subscriptions, this fails:
 * then shared = yes is as safe as the default.)
 */
START_TEST(broker_restart_forgets_shared_subscriptions)
{
	char other[400];
	PGconn *c, *c2;
	fleet_pub *p;

	ck_assert_int_eq(fleet_pg_createdb(&g_fleet, "other"), 0);
	snprintf(other, sizeof(other), "database = host=127.0.0.1 port=%d user=postgres dbname=other",
		 g_fleet.pg_port);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, "shared = yes"), 0);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 1, collect_bin(), NULL, other), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(2);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 0, false), 0);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 1, false), 0);
	p = fleet_pub_open(&g_fleet, "site-x", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-x", 0, 50, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 10000), 0);
	fleet_pub_close(p);
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, NULL), 0);
	p = fleet_pub_open(&g_fleet, "site-x", "device", true);
	ck_assert_ptr_nonnull(p);
	publish_rows(p, "site-x", 50, 100, 0, 0);
	ck_assert_int_eq(fleet_pub_wait(p, 10000), 0);
	fleet_pub_close(p);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, "shared = yes"), 0);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 1, collect_bin(), NULL, other), 0);
	c2 = PQconnectdb(other + strlen("database = "));
	ck_assert_int_eq(PQstatus(c2), CONNECTION_OK);
	ck_assert_int_eq(wait_count(c2, "SELECT count(*) FROM counts", 100, 30000), 100);
	check_rows(c2, "site-x", 100, NULL, 0);
	ck_assert_int_eq(wait_count(c, "SELECT count(*) FROM counts", 50, 30000), 50);
	fleet_sleep_ms(1000);
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM counts"), 50);
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM counts WHERE interval_start >= to_timestamp(1764720000 + 13 * 60)"), 0);
	PQfinish(c2);
	PQfinish(c);
}
END_TEST


/* ---- end to end: stores -> zebrapad export -> broker -> zebrapad collect -> PostgreSQL ---- */

static const char *export_bin(void)
{
	static char path[512];
	const char *b = getenv("ZP_BINARY_DIR");

	snprintf(path, sizeof(path), "%s/app/zebrapad", b ? b : ".");
	return path;
}

/* A figure as text for comparing: NULL -> "null", numbers through %.9g. */
static void norm(char *out, size_t size, const char *text, bool null, bool zone)
{
	if (null)
		snprintf(out, size, "null");
	else if (zone)
		snprintf(out, size, "%s", text);
	else
		snprintf(out, size, "%.9g", strtod(text, NULL));
}

/*
 * PostgreSQL against the site's store, row for row: the same keys, each
 * exactly once, and the same figures. Returns the number of rows.
 */
static int check_store_rows(PGconn *c, const char *site)
{
	char path[400], sql[600], a[64], b[64];
	sqlite3 *db3;
	sqlite3_stmt *st;
	PGresult *r;
	int n = 0, rows;

	snprintf(path, sizeof(path), "%s/%s/counts.db", g_fleet.dir, site);
	ck_assert_int_eq(sqlite3_open_v2(path, &db3, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db3,
					    "SELECT interval_start, interval_s, zone, entered, occupied_s, light_activations,"
					    " light_on_s, fault_s FROM counts ORDER BY interval_start, interval_s, zone",
					    -1, &st, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "SELECT extract(epoch FROM interval_start)::bigint, interval_s, zone, entered, occupied_s,"
		 " light_activations, light_on_s, fault_s FROM counts WHERE site = '%s'"
		 " ORDER BY interval_start, interval_s, zone COLLATE \"C\"", site);
	r = PQexec(c, sql);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	rows = PQntuples(r);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_msg(n < rows, "site %s: PostgreSQL has %d rows, the store more", site, rows);
		for (int k = 0; k < 8; k++) {
			norm(a, sizeof(a), (const char *)sqlite3_column_text(st, k), sqlite3_column_type(st, k) == SQLITE_NULL,
			     k == 2);
			norm(b, sizeof(b), PQgetvalue(r, n, k), PQgetisnull(r, n, k), k == 2);
			ck_assert_msg(!strcmp(a, b), "site %s, store row %d, column %d: store %s, PostgreSQL %s", site, n,
				      k, a, b);
		}
		n++;
	}
	ck_assert_msg(n == rows, "site %s: the store has %d rows, PostgreSQL %d", site, n, rows);
	PQclear(r);
	sqlite3_finalize(st);
	sqlite3_close(db3);
	return n;
}

static long long site_rows(PGconn *c, const char *site)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM counts WHERE site = '%s'", site);
	return query_ll(c, sql);
}

static long long wait_site_rows(PGconn *c, const char *site, long long want, int timeout_ms)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM counts WHERE site = '%s'", site);
	return wait_count(c, sql, want, timeout_ms);
}

/* Until at least `least` rows of the site are in PostgreSQL. */
static void wait_site_at_least(PGconn *c, const char *site, long long least)
{
	int64_t until = zp_now_ms() + 60000;

	while (site_rows(c, site) < least) {
		ck_assert_msg(zp_now_ms() < until, "site %s: fewer than %lld rows after 60 s", site, least);
		fleet_sleep_ms(20);
	}
}

/* The exporters' common [export] lines: fast, small windows, rows settled at once. */
#define E2E_EXPORT "rate = 400\nmax_inflight = 20\npoll_ms = 100\nsettle_s = 0\nstatus_s = 1\n"
#define E2E_INTERVALS 250

static PGconn *e2e_start(int ncollectors, const char *collect_extra)
{
	PGconn *c;

	for (int i = 0; i < ncollectors; i++)
		ck_assert_int_eq(fleet_collector_start(&g_fleet, i, collect_bin(), NULL, collect_extra), 0);
	c = db();
	wait_schema(c);
	wait_subscribed(ncollectors);
	return c;
}

/* Site's store of n intervals (seed: its figures) and its exporter started with the common lines (arg: NULL or e.g. "--once"). */
static void site_export(const char *site, int n, uint32_t seed, const char *arg)
{
	ck_assert_int_eq(fleet_store_make(&g_fleet, site, BASE_T, n, seed), 0);
	ck_assert_int_eq(fleet_exporter_start(&g_fleet, 0, export_bin(), site, NULL, E2E_EXPORT, arg), 0);
}

/* The site's exporter run with --once, to its end. */
static void export_once(const char *site, int timeout_ms)
{
	ck_assert_int_eq(fleet_exporter_start(&g_fleet, 0, export_bin(), site, NULL, E2E_EXPORT, "--once"), 0);
	ck_assert_int_eq(fleet_exporter_wait(&g_fleet, 0, timeout_ms), 0);
}

/*
 * All n rows of the site reach PostgreSQL within timeout_ms; then (stop: the
 * running exporter stopped cleanly first) PostgreSQL equals the store, row
 * for row, each once.
 */
static void all_rows_once(PGconn *c, const char *site, long long n, int timeout_ms, bool stop)
{
	ck_assert_int_eq(wait_site_rows(c, site, n, timeout_ms), n);
	if (stop)
		ck_assert_int_eq(fleet_exporter_stop(&g_fleet, 0, false), 0);
	ck_assert_int_eq(check_store_rows(c, site), n);
}

/* The broker stopped for 3 s mid-run: every row of the store in PostgreSQL, once. */
START_TEST(e2e_broker_stopped)
{
	PGconn *c = e2e_start(2, NULL);

	site_export("e2e-a", E2E_INTERVALS, 1, NULL);
	wait_site_at_least(c, "e2e-a", 200);
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	fleet_sleep_ms(3000);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, NULL), 0);
	all_rows_once(c, "e2e-a", E2E_INTERVALS * 4, 90000, true);
	/* the status reached the sites table */
	ck_assert_int_ge(query_ll(c, "SELECT count(*) FROM sites WHERE site = 'e2e-a'"), 1);
	PQfinish(c);
}
END_TEST

/* The exporter killed -9 during a burst, then started again: every row, once. */
START_TEST(e2e_exporter_killed)
{
	PGconn *c = e2e_start(2, "shared = yes");

	site_export("e2e-b", E2E_INTERVALS, 2, NULL);
	wait_site_at_least(c, "e2e-b", 300);
	ck_assert_int_eq(fleet_exporter_stop(&g_fleet, 0, true), 128 + SIGKILL);
	ck_assert_int_lt(site_rows(c, "e2e-b"), E2E_INTERVALS * 4);
	export_once("e2e-b", 90000);
	all_rows_once(c, "e2e-b", E2E_INTERVALS * 4, 60000, false);
	PQfinish(c);
}
END_TEST

/* One of two collectors (sharing the load) killed -9 mid-stream, back 2 s later: every row, once. */
START_TEST(e2e_collector_killed)
{
	PGconn *c = e2e_start(2, "shared = yes");

	site_export("e2e-c", E2E_INTERVALS, 3, NULL);
	wait_site_at_least(c, "e2e-c", 250);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 0, true), 0);
	fleet_sleep_ms(2000);
	ck_assert_int_eq(fleet_collector_start(&g_fleet, 0, collect_bin(), NULL, "shared = yes"), 0);
	all_rows_once(c, "e2e-c", E2E_INTERVALS * 4, 90000, true);
	PQfinish(c);
}
END_TEST

/*
 * A site whose clock jumps: 100 minutes of rows go out; the clock jumps a
 * year ahead for 50 minutes (those rows go out); then it is set right and
 * the site goes on where it was (intervals 100..149 at the right time,
 * never sent before). PostgreSQL must equal the store.
 */
START_TEST(e2e_clock_jumps)
{
	PGconn *c = e2e_start(1, NULL);
	char path[400];
	sqlite3 *db3;

	site_export("e2e-d", 100, 4, "--once");
	ck_assert_int_eq(fleet_exporter_wait(&g_fleet, 0, 60000), 0);
	ck_assert_int_eq(fleet_store_make(&g_fleet, "e2e-d", BASE_T + 366LL * 86400, 50, 5), 0);
	export_once("e2e-d", 60000);
	ck_assert_int_eq(wait_site_rows(c, "e2e-d", 150 * 4, 60000), 150 * 4);
	/* set right: intervals 100..149 (a store holds them under their own keys) */
	snprintf(path, sizeof(path), "%s/e2e-d/counts.db", g_fleet.dir);
	ck_assert_int_eq(sqlite3_open(path, &db3), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db3,
				      "INSERT INTO counts SELECT interval_start - 366 * 86400 + 100 * 60, interval_s, zone,"
				      " entered, occupied_s, light_activations, light_on_s, fault_s, crossed_a_to_b, crossed_b_to_a FROM counts"
				      " WHERE interval_start >= 1790000000",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db3);
	export_once("e2e-d", 60000);
	ck_assert_int_eq(wait_site_rows(c, "e2e-d", 200 * 4, 30000), 200 * 4);
	fleet_sleep_ms(500);
	ck_assert_int_eq(check_store_rows(c, "e2e-d"), 200 * 4);
	PQfinish(c);
}
END_TEST

/* An exporter with a certificate of another CA: refused, said in its log, nothing sent, its cursor unmoved. */
START_TEST(e2e_wrong_certificate)
{
	PGconn *c = e2e_start(1, NULL);
	char path[400], *text;
	struct stat sb;

	ck_assert_int_eq(fleet_store_make(&g_fleet, "e2e-e", BASE_T, 50, 6), 0);
	ck_assert_int_eq(fleet_exporter_start(&g_fleet, 0, export_bin(), "e2e-e", "rogue", E2E_EXPORT, NULL), 0);
	fleet_sleep_ms(4000);
	fleet_exporter_stop(&g_fleet, 0, false);
	ck_assert_int_eq(site_rows(c, "e2e-e"), 0);
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM sites"), 0);
	snprintf(path, sizeof(path), "%s/e2e-e/export.log", g_fleet.dir);
	text = zp_test_slurp(path, NULL);
	ck_assert_msg(text && (strstr(text, "TLS") || strstr(text, "certificate") || strstr(text, "connection")),
		      "export log:\n%s", text ? text : "(none)");
	free(text);
	snprintf(path, sizeof(path), "%s/e2e-e/state/cursor.json", g_fleet.dir);
	ck_assert_msg(stat(path, &sb) != 0 || sb.st_size < 200, "cursor moved");
	/* with its own certificate the same store goes out whole */
	export_once("e2e-e", 60000);
	all_rows_once(c, "e2e-e", 50 * 4, 60000, false);
	PQfinish(c);
}
END_TEST

/*
 * A slow, then full broker: stopped (SIGSTOP) for 4 s mid-burst, so the
 * exporter's window fills and it waits; and collectors that cannot commit
 * (a lock) for that time, so the broker's queues grow. Every row, once.
 */
START_TEST(e2e_broker_stalled)
{
	PGconn *c = e2e_start(2, NULL), *lock;

	site_export("e2e-f", E2E_INTERVALS, 7, NULL);
	wait_site_at_least(c, "e2e-f", 200);
	lock = db();
	exec_sql(lock, "BEGIN; LOCK TABLE counts IN EXCLUSIVE MODE");
	fleet_sleep_ms(1000);
	ck_assert_int_eq(kill(g_fleet.broker, SIGSTOP), 0);
	fleet_sleep_ms(4000);
	ck_assert_int_eq(kill(g_fleet.broker, SIGCONT), 0);
	fleet_sleep_ms(1000);
	exec_sql(lock, "COMMIT");
	PQfinish(lock);
	all_rows_once(c, "e2e-f", E2E_INTERVALS * 4, 90000, true);
	PQfinish(c);
}
END_TEST

/* Nothing of site e2e-g in PostgreSQL, its cursor never saved, for ms while the broker refuses its rows. */
static void refused_for(PGconn *c, int ms)
{
	char path[400];
	struct stat sb;

	fleet_sleep_ms(ms);
	ck_assert_int_eq(site_rows(c, "e2e-g"), 0);
	snprintf(path, sizeof(path), "%s/e2e-g/state/cursor.json", g_fleet.dir);
	ck_assert_msg(stat(path, &sb) != 0, "the cursor was saved while the broker refused every row");
}

/*
 * A broker that will not take the rows. First its ACL lets the device write
 * only its status: the broker answers each row's PUBLISH with a PUBACK
 * carrying an error (MQTT 5 reason 0x87, as for quota exceeded 0x97), drops
 * it (and Mosquitto 2.0.11 then closes the connection); the status reaches
 * the sites table. Then its message_size_limit
 * is below every message: the broker answers 0x95, which libmosquitto takes
 * as a broken connection. Either way the exporter keeps the rows, backs off,
 * never saves a cursor; once the broker takes messages again every row
 * arrives in PostgreSQL once. (Under MQTT 3.1.1 those PUBACKs carry no code:
 * the rows counted as delivered and were lost.)
 */
START_TEST(e2e_broker_refuses)
{
	PGconn *c;
	char acl[300], extra[400], *text;
	FILE *fp;

	fleet_path(&g_fleet, "acl", acl, sizeof(acl));
	fp = fopen(acl, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "user town-hall\ntopic readwrite #\nuser site-a\ntopic write zebrapad/+/status\n");
	fclose(fp);
	snprintf(extra, sizeof(extra), "acl_file %s", acl);
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, extra), 0);
	c = e2e_start(2, NULL);
	site_export("e2e-g", E2E_INTERVALS, 8, NULL);
	refused_for(c, 4000);
	ck_assert_int_eq(query_ll(c, "SELECT count(*) FROM sites WHERE site = 'e2e-g'"), 1);
	fleet_path(&g_fleet, "e2e-g/export.log", acl, sizeof(acl));
	text = zp_test_slurp(acl, NULL);
	ck_assert_msg(text && strstr(text, "refused a row (Not authorized, reason 0x87)"), "export log:\n%s",
		      text ? text : "(none)");
	free(text);
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, "message_size_limit 64"), 0);
	refused_for(c, 3000);
	/* the broker takes messages again */
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, ""), 0);
	all_rows_once(c, "e2e-g", E2E_INTERVALS * 4, 90000, true);
	PQfinish(c);
}
END_TEST

/*
 * Mosquitto forgets shared subscriptions when it restarts (see
 * broker_restart_forgets_shared_subscriptions): with both collectors
 * (shared) stopped across a broker restart, the rows published until they
 * come back match no subscriber. The broker says so (PUBACK reason 0x10);
 * the exporter keeps those rows and sends them again. Every row, once.
 */
START_TEST(e2e_shared_broker_restart)
{
	PGconn *c = e2e_start(2, "shared = yes");
	char path[400], *text;
	long long before;

	ck_assert_int_eq(fleet_store_make(&g_fleet, "e2e-h", BASE_T, E2E_INTERVALS, 9), 0);
	ck_assert_int_eq(fleet_exporter_start(&g_fleet, 0, export_bin(), "e2e-h", NULL,
					      "rate = 50\nmax_inflight = 20\npoll_ms = 100\nsettle_s = 0\nstatus_s = 1\n",
					      NULL), 0);
	wait_site_at_least(c, "e2e-h", 100);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 0, false), 0);
	ck_assert_int_eq(fleet_collector_stop(&g_fleet, 1, false), 0);
	ck_assert_int_eq(fleet_broker_stop(&g_fleet, false), 0);
	ck_assert_int_eq(fleet_broker_start(&g_fleet, NULL), 0);
	fleet_sleep_ms(4000);
	before = site_rows(c, "e2e-h");
	ck_assert_int_lt(before, E2E_INTERVALS * 4);
	fleet_path(&g_fleet, "e2e-h/export.log", path, sizeof(path));
	text = zp_test_slurp(path, NULL);
	ck_assert_msg(text && strstr(text, "has no subscriber for a row"), "export log:\n%s", text ? text : "(none)");
	free(text);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(fleet_collector_start(&g_fleet, i, collect_bin(), NULL, "shared = yes"), 0);
	all_rows_once(c, "e2e-h", E2E_INTERVALS * 4, 90000, true);
	PQfinish(c);
}
END_TEST

int main(void)
{
	/* One case per fleet test, so that CK_RUN_CASE=<name> runs one. */
	const TTest *fleet_tests[][2] = {
		{ rows_duplicates_and_changes },
		{ status_to_sites },
		{ collector_killed_mid_commit },
		{ broker_stopped_midrun },
		{ site_clock_jumps },
		{ wrong_certificate },
		{ invalid_messages_dropped },
		{ migrate_and_newer_schema },
		{ broker_restart_forgets_shared_subscriptions },
		{ e2e_broker_stopped },
		{ e2e_exporter_killed },
		{ e2e_collector_killed },
		{ e2e_clock_jumps },
		{ e2e_wrong_certificate },
		{ e2e_broker_stalled },
		{ e2e_broker_refuses },
		{ e2e_shared_broker_restart },
	};
	struct zp_test_case cases[1 + sizeof(fleet_tests) / sizeof(fleet_tests[0])] = {
		{ .name = "messages", .tests = ZP_TESTS(
			parse_counts_row,
			parse_refuses,
			parse_status,
			params_file) },
	};
	fleet tmpl;
	int rc;

	for (size_t i = 0; i < sizeof(fleet_tests) / sizeof(fleet_tests[0]); i++)
		cases[1 + i] = (struct zp_test_case){ .name = fleet_tests[i][0]->name, .tests = fleet_tests[i],
						      .timeout_s = 150, .setup = fleet_setup, .teardown = fleet_teardown };
	/* certificates and an initdb'd cluster once, copied by each case's fixture */
	if (fleet_init(&tmpl) == 0 && fleet_pg_initdb(&tmpl) == 0)
		setenv("ZP_FLEET_TEMPLATE", tmpl.dir, 1);
	rc = zp_test_run(ZP_TEST_SUITE("collect", cases));
	fleet_destroy(&tmpl);
	return rc;
}
