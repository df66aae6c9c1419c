/* SPDX-License-Identifier: MIT */
/*
 * test_export.c - `zebrapad export` (export/) and the daemon's health file
 * (health/): the [export] keys, the messages, the cursor, the .prom files;
 * then the real zebrapad-export against a real Mosquitto broker started here
 * on 127.0.0.1 (plain, TLS with certificates made by openssl, a wrong
 * certificate, the broker stopped and started again, the exporter killed -9
 * in the middle of a burst). Every row of the store must arrive.
 */
#include "config.h"
#include "export.h"
#include "health.h"
#include "ports.h"
#include "store.h"
#include "zp_test.h"
#include "zp_text.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MOSQUITTO_BIN "/usr/sbin/mosquitto"

static char tmpdir[256];

static void mk_tmp(void)
{
	zp_test_tmpdir_make(tmpdir, sizeof(tmpdir), "export");
}

static void rm_tmp(void)
{
	zp_test_tmpdir_remove(tmpdir);
}

static const char *tpath(const char *name)
{
	static char buf[8][400];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A store with n intervals (zones road and kerb, plus the crossing row), interval_s 60, written by the store's own code. */
static void make_store(const char *path, int64_t t0, int n)
{
	zp_store_params p;
	const char *zones[] = { "road", "kerb" };
	zp_store *s;
	zp_store_row *rows = calloc((size_t)n * 3, sizeof(*rows));
	char err[256];
	int k = 0;

	ck_assert_ptr_nonnull(rows);
	zp_store_params_default(&p);
	zp_strlcpy(p.path, path, sizeof(p.path));
	s = zp_store_open(&p, zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	for (int i = 0; i < n; i++)
		for (int z = 0; z < 3; z++) {
			zp_store_row *r = &rows[k++];

			r->interval_start = t0 + 60 * i;
			r->interval_s = 60;
			zp_strlcpy(r->zone, z == 2 ? ZP_STORE_CROSSING : zones[z], sizeof(r->zone));
			r->entered = z == 2 ? -1 : i % 7 + z;
			r->occupied_s = z == 2 ? -1 : 0.5 * (i % 11);
			r->light_activations = z == 2 ? i % 3 : -1;
			r->light_on_s = z == 2 ? 1.25 * (i % 5) : -1;
			r->fault_s = z == 2 ? 0 : -1;
			r->crossed_a_to_b = r->crossed_b_to_a = -1; /* no zone here has sides */
		}
	ck_assert_int_eq(zp_store_write(s, rows, (size_t)k), 0);
	zp_store_close(s);
	free(rows);
}

/* Columns of the counts table (PRAGMA table_info). */
static int table_columns(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('counts')", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* ---- the [export] keys ---- */

static int load(const char *text, zp_config *c, char *err, size_t n)
{
	return zp_config_load_string(text, "site.ini", c, err, n);
}

START_TEST(export_config_errors)
{
	zp_config *c = malloc(sizeof(*c));
	char err[512];

	ck_assert_ptr_nonnull(c);
	/* no section: no export */
	ck_assert_int_eq(load("[store]\npath = /var/lib/zebrapad/counts.db\n", c, err, sizeof(err)), 0);
	ck_assert_str_eq(c->exp.broker, "");
	/* a remote broker without TLS is refused, naming the section and what to do */
	ck_assert_int_eq(load("[export]\nbroker = broker.example.org\nsite = s1\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "[export]") && strstr(err, "ca_file") && strstr(err, "allow_plain"), "%s", err);
	/* ... allowed on loopback, or when the config says so */
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = s1\n", c, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_export_port(&c->exp), 1883);
	ck_assert_int_eq(load("[export]\nbroker = ::1\nsite = s1\n", c, err, sizeof(err)), 0);
	ck_assert_int_eq(load("[export]\nbroker = broker.example.org\nsite = s1\nallow_plain = yes\n", c, err,
			      sizeof(err)), 0);
	ck_assert_int_eq(load("[export]\nbroker = broker.example.org\nsite = s1\nca_file = /etc/ca.pem\n", c, err,
			      sizeof(err)), 0);
	ck_assert_int_eq(zp_export_port(&c->exp), 8883);
	/* a site is required, and must be usable in a topic */
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "site"), "%s", err);
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = a/b\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "site.ini:3") && strstr(err, "site"), "%s", err);
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = a+#\n", c, err, sizeof(err)), ZP_EINVAL);
	/* certificate and key together, with a CA */
	ck_assert_int_eq(load("[export]\nbroker = h\nsite = s\nca_file = /ca\ncert_file = /c\n", c, err, sizeof(err)),
			 ZP_EINVAL);
	ck_assert_msg(strstr(err, "key_file"), "%s", err);
	ck_assert_int_eq(load("[export]\nbroker = h\nsite = s\nusername = u\nca_file = /ca\n", c, err, sizeof(err)),
			 ZP_EINVAL);
	ck_assert_msg(strstr(err, "password_file"), "%s", err);
	/* keys: unknown, out of range, relative paths */
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = s\nbrokr = x\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "site.ini:4") && strstr(err, "brokr"), "%s", err);
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = s\nport = 70000\n", c, err, sizeof(err)),
			 ZP_EINVAL);
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = s\ncursor_file = cursor.json\n", c, err,
			      sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(load("[export]\nbroker = 127.0.0.1\nsite = s\nrate = 0\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(load("[export]\nbroker = bad host\nsite = s\n", c, err, sizeof(err)), ZP_EINVAL);
	/* settings without a broker are a mistake, not silence */
	ck_assert_int_eq(load("[export]\nsite = s\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "broker"), "%s", err);
	/* [health] */
	ck_assert_int_eq(load("[health]\nprom_file = /var/lib/zebrapad/zebrapad.prom\nperiod_s = 5\n", c, err,
			      sizeof(err)), 0);
	ck_assert_int_eq(c->health.period_s, 5);
	ck_assert_int_eq(load("[health]\nprom_file = /var/lib/zebrapad/health.txt\n", c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, ".prom"), "%s", err);
	free(c);
}
END_TEST

START_TEST(export_loopback_and_site)
{
	ck_assert(zp_export_host_is_loopback("localhost"));
	ck_assert(zp_export_host_is_loopback("127.0.0.1"));
	ck_assert(zp_export_host_is_loopback("127.5.6.7"));
	ck_assert(zp_export_host_is_loopback("::1"));
	ck_assert(!zp_export_host_is_loopback("128.0.0.1"));
	ck_assert(!zp_export_host_is_loopback("localhost.example.org"));
	ck_assert(!zp_export_host_is_loopback("10.0.0.1"));
	ck_assert(zp_export_site_ok("town-hall_3.a"));
	ck_assert(!zp_export_site_ok(""));
	ck_assert(!zp_export_site_ok("a b"));
	ck_assert(!zp_export_site_ok("a/b"));
}
END_TEST

/* ---- messages ---- */

START_TEST(export_row_messages)
{
	zp_export_source *src;
	zp_export_row rows[8];
	int64_t after;
	char err[256], cols[512];
	int code, n;
	cJSON *o;

	mk_tmp();
	make_store(tpath("counts.db"), 1700000040, 2);
	src = zp_export_source_open(tpath("counts.db"), &code, err, sizeof(err));
	ck_assert_msg(src != NULL, "%s", err);
	ck_assert_int_eq(zp_export_source_schema(src), ZP_STORE_SCHEMA_VERSION);
	n = zp_export_source_next(src, 0, "s1", rows, 8, err, sizeof(err));
	ck_assert_int_eq(n, 6);
	/* in the order written (the change sequence): per interval road, kerb, then the crossing row '*' */
	ck_assert_str_eq(rows[0].key.zone, "road");
	ck_assert_str_eq(rows[1].key.zone, "kerb");
	ck_assert_str_eq(rows[2].key.zone, "*");
	ck_assert_int_eq(rows[3].key.interval_start, 1700000100);
	for (int i = 1; i < n; i++)
		ck_assert_int_gt(rows[i].seq, rows[i - 1].seq);
	o = cJSON_Parse(rows[0].json);
	ck_assert_ptr_nonnull(o);
	/* every column by its own name, NULL as null, site and schema */
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "interval_start")->valuedouble, 1700000040);
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "interval_s")->valuedouble, 60);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "zone")->valuestring, "road");
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "entered")->valuedouble, 0);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "light_activations")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "fault_s")));
	ck_assert_str_eq(cJSON_GetObjectItem(o, "site")->valuestring, "s1");
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "schema")->valuedouble, ZP_STORE_SCHEMA_VERSION);
	/* as many fields as the table has columns (a later schema adds some), plus site and schema */
	ck_assert_int_eq(cJSON_GetArraySize(o), table_columns(tpath("counts.db")) + 2);
	ck_assert(cJSON_GetObjectItem(o, "seq") == NULL);   /* the store's own bookkeeping stays home */
	cJSON_Delete(o);
	ck_assert(rows[2].fp == zp_export_fingerprint(rows[2].json));
	after = rows[2].seq;
	for (int i = 0; i < n; i++)
		free(rows[i].json);
	/* after a seq: the rest only */
	n = zp_export_source_next(src, after, "s1", rows, 8, err, sizeof(err));
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(rows[0].key.interval_start, 1700000100);
	for (int i = 0; i < n; i++)
		free(rows[i].json);
	ck_assert_int_eq(zp_export_source_count(src, after), 3);
	ck_assert_int_eq(zp_export_source_count(src, 0), 6);
	ck_assert_int_eq(zp_export_source_columns(src, cols, sizeof(cols)), 0);
	{
		static const char *const v2[] = { "interval_start", "interval_s", "zone", "entered", "occupied_s",
						   "light_activations", "light_on_s", "fault_s" };

		ck_assert_msg(!strncmp(cols, "interval_start, ", 16), "%s", cols);
		for (size_t i = 0; i < sizeof(v2) / sizeof(v2[0]); i++)
			ck_assert_msg(strstr(cols, v2[i]), "%s: no %s", cols, v2[i]);
	}
	zp_export_source_close(src);
	rm_tmp();
}
END_TEST

/*
 * A row written again long after the reader passed it (a daemon's writer
 * held up, the clock set back): it comes again after the reader's last seq,
 * whatever its interval; so does a new row of an interval long past. A
 * cursor saved by key resumes so that no row after the key is skipped.
 */
START_TEST(export_rows_written_again_come_again)
{
	static const char *const zones[] = { "road", "kerb" };
	zp_export_source *src;
	zp_export_row rows[16];
	zp_store_row w[2];
	zp_store_params p;
	zp_export_key k;
	zp_store *st;
	char err[256];
	int64_t last;
	int code, n;

	mk_tmp();
	make_store(tpath("counts.db"), 1700000040, 3);
	src = zp_export_source_open(tpath("counts.db"), &code, err, sizeof(err));
	ck_assert_msg(src != NULL, "%s", err);
	n = zp_export_source_next(src, 0, "s1", rows, 16, err, sizeof(err));
	ck_assert_int_eq(n, 9);
	last = rows[8].seq;
	for (int i = 0; i < n; i++)
		free(rows[i].json);
	ck_assert_int_eq(zp_export_source_next(src, last, "s1", rows, 16, err, sizeof(err)), 0);

	/* the store's own writer: 5 more people on the oldest interval's road row, a row of an interval before */
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 2; i++) {
		w[i].interval_start = i ? 1700000040 - 3600 : 1700000040;
		w[i].interval_s = 60;
		zp_strlcpy(w[i].zone, "road", sizeof(w[i].zone));
		w[i].entered = 5;
		w[i].occupied_s = 1;
		w[i].light_activations = w[i].light_on_s = w[i].fault_s = -1;
		w[i].crossed_a_to_b = w[i].crossed_b_to_a = -1;
	}
	zp_store_params_default(&p);
	zp_strlcpy(p.path, tpath("counts.db"), sizeof(p.path));
	st = zp_store_open(&p, zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(zp_store_write(st, w, 2), 0);
	zp_store_close(st);

	ck_assert_int_eq(zp_export_source_count(src, last), 2);
	n = zp_export_source_next(src, last, "s1", rows, 16, err, sizeof(err));
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(rows[0].key.interval_start, 1700000040);
	ck_assert_str_eq(rows[0].key.zone, "road");
	ck_assert_msg(strstr(rows[0].json, "\"entered\":5,"), "%s", rows[0].json);   /* 0 + 5 */
	ck_assert_int_eq(rows[1].key.interval_start, 1700000040 - 3600);
	ck_assert_int_gt(rows[0].seq, last);
	ck_assert_int_gt(rows[1].seq, rows[0].seq);
	for (int i = 0; i < n; i++)
		free(rows[i].json);

	/* a cursor saved by key (format 1) after the second interval: its 3 rows written first, none skipped */
	k.interval_start = 1700000100;
	k.interval_s = 60;
	zp_strlcpy(k.zone, "road", sizeof(k.zone));
	last = zp_export_source_seq_after_key(src, &k);
	ck_assert_int_ge(last, 0);
	n = zp_export_source_next(src, last, "s1", rows, 16, err, sizeof(err));
	ck_assert_int_eq(n, 3 + 2);   /* interval 3, and the two written again since (duplicates, harmless) */
	ck_assert_int_eq(rows[0].key.interval_start, 1700000160);
	for (int i = 0; i < n; i++)
		free(rows[i].json);
	/* after the last key: nothing skipped, nothing again */
	k.interval_start = 1700000160;
	last = zp_export_source_seq_after_key(src, &k);
	ck_assert_int_eq(zp_export_source_next(src, last, "s1", rows, 16, err, sizeof(err)), 0);
	zp_export_source_close(src);
	rm_tmp();
}
END_TEST

/* A column a later schema adds (and a zone name that is not UTF-8) goes out by its own name, as valid UTF-8. */
START_TEST(export_new_columns_pass_through)
{
	zp_export_source *src;
	zp_export_row rows[4];
	char err[256], *newest;
	sqlite3 *db;
	int code, n;
	cJSON *o;

	mk_tmp();
	make_store(tpath("counts.db"), 1700000040, 1);
	ck_assert_int_eq(sqlite3_open(tpath("counts.db"), &db), SQLITE_OK);
	/* a column no schema has yet (schema v3's crossed_a_to_b would already be there) */
	ck_assert_int_eq(sqlite3_exec(db, "ALTER TABLE counts ADD COLUMN crossed_future INTEGER;"
				      "UPDATE counts SET crossed_future = 4 WHERE zone = 'road';"
				      "INSERT INTO counts(interval_start, interval_s, zone, entered, occupied_s) "
				      "VALUES (1700000100, 60, CAST(X'72C3A97AFF' AS TEXT), 2, 1.5);",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	src = zp_export_source_open(tpath("counts.db"), &code, err, sizeof(err));
	ck_assert_msg(src != NULL, "%s", err);
	n = zp_export_source_next(src, 0, "s1", rows, 4, err, sizeof(err));
	ck_assert_int_eq(n, 4);
	o = cJSON_Parse(rows[2].json);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "zone")->valuestring, "road");
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "crossed_future")->valuedouble, 4);
	cJSON_Delete(o);
	o = cJSON_Parse(rows[0].json);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "crossed_future")));
	cJSON_Delete(o);
	/* "réz\xff": the é kept, the stray byte replaced by U+FFFD */
	o = cJSON_Parse(rows[3].json);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "zone")->valuestring, "r\xc3\xa9z\xef\xbf\xbd");
	cJSON_Delete(o);
	newest = zp_export_source_newest(src, "s1");
	ck_assert_ptr_nonnull(newest);
	o = cJSON_Parse(newest);
	ck_assert_double_eq(cJSON_GetObjectItem(o, "interval_start")->valuedouble, 1700000100);
	cJSON_Delete(o);
	free(newest);
	for (int i = 0; i < n; i++)
		free(rows[i].json);
	zp_export_source_close(src);
	rm_tmp();
}
END_TEST

START_TEST(export_status_messages)
{
	zp_export_health h;
	char *t;
	cJSON *o, *f;

	memset(&h, 0, sizeof(h));
	h.known = true;
	strcpy(h.lights, "failsafe");
	strcpy(h.health, "dark");
	h.nfaults = 2;
	strcpy(h.fault_kind[0], "stall");
	h.fault_count[0] = 3;
	strcpy(h.fault_kind[1], "health");
	h.fault_count[1] = 1;
	h.failsafe_s = 61.5;
	h.frames = 1234;
	h.last_frame_s = 1700000000;
	t = zp_export_status_json("s1", true, &h, 2, "1.2.3", 4.5, 1700000010);
	o = cJSON_Parse(t);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "site")->valuestring, "s1");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "state")->valuestring, "online");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "lights")->valuestring, "failsafe");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "health")->valuestring, "dark");
	f = cJSON_GetObjectItem(o, "faults");
	ck_assert_int_eq((int)cJSON_GetObjectItem(f, "stall")->valuedouble, 3);
	ck_assert_int_eq((int)cJSON_GetObjectItem(f, "health")->valuedouble, 1);
	ck_assert(cJSON_GetObjectItem(o, "fail_safe_s")->valuedouble == 61.5);
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "frames")->valuedouble, 1234);
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "last_frame")->valuedouble, 1700000000);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "version")->valuestring, "1.2.3");
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "schema")->valuedouble, 2);
	ck_assert(cJSON_GetObjectItem(o, "export_lag_s")->valuedouble == 4.5);
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "time")->valuedouble, 1700000010);
	ck_assert_int_eq(cJSON_GetArraySize(o), 12);
	cJSON_Delete(o);
	free(t);
	/* the will */
	t = zp_export_status_json("s1", false, NULL, 0, "1", 0, 0);
	ck_assert_str_eq(t, "{\"site\":\"s1\",\"state\":\"offline\"}");
	free(t);
	/* nothing known: null, not a made-up zero */
	h.known = false;
	t = zp_export_status_json("s1", true, &h, 2, "1", 0, 1);
	o = cJSON_Parse(t);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "frames")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "last_frame")));
	ck_assert_str_eq(cJSON_GetObjectItem(o, "lights")->valuestring, "unknown");
	cJSON_Delete(o);
	free(t);
}
END_TEST

/* ---- the cursor ---- */

START_TEST(export_cursor_file)
{
	zp_export_cursor c, d;
	char err[400];
	struct stat sb;

	mk_tmp();
	/* missing: start from the first row */
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &c, err, sizeof(err)), 0);
	ck_assert(!c.set);
	memset(&c, 0, sizeof(c));
	c.set = true;
	strcpy(c.site, "s1");
	c.seq = 123456789012LL;
	ck_assert_int_eq(zp_export_cursor_save(tpath("cursor.json"), &c, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(tpath("cursor.json.tmp"), &sb), -1);   /* renamed, not left behind */
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), 0);
	ck_assert(d.set && !d.by_key);
	ck_assert_int_eq(d.seq, 123456789012LL);
	/* a cursor of version 1 (a key, from before the change sequence) is read as such */
	zp_test_write_text(tpath("cursor.json"), "{\"format\":\"zebrapad-export-cursor\",\"version\":1,\"site\":\"s1\","
			   "\"interval_start\":1700000040,\"zone\":\"road \\\"east\\\"\",\"interval_s\":60}");
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), 0);
	ck_assert(d.set && d.by_key);
	ck_assert_int_eq(d.key.interval_start, 1700000040);
	ck_assert_int_eq(d.key.interval_s, 60);
	ck_assert_str_eq(d.key.zone, "road \"east\"");
	ck_assert_int_eq(zp_export_cursor_save(tpath("cursor2.json"), &d, err, sizeof(err)), ZP_EINVAL);
	/* another site's cursor is refused, naming both */
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s2", &d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "'s1'") && strstr(err, "'s2'"), "%s", err);
	/* not a cursor: refused with the file's name, never silently restarted */
	zp_test_write_text(tpath("cursor.json"), "{\"format\":\"zebrapad-export-cursor\",\"version\":1,\"site\":\"s1\"");
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "cursor.json") && strstr(err, "not a zebrapad export cursor"), "%s", err);
	zp_test_write_text(tpath("cursor.json"), "");
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), ZP_EINVAL);
	/* a version 2 file with a key and no seq; a negative seq; a version to come */
	zp_test_write_text(tpath("cursor.json"), "{\"format\":\"zebrapad-export-cursor\",\"version\":2,\"site\":\"s1\","
			   "\"interval_start\":1,\"zone\":\"a\",\"interval_s\":60}");
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), ZP_EINVAL);
	zp_test_write_text(tpath("cursor.json"), "{\"format\":\"zebrapad-export-cursor\",\"version\":2,\"site\":\"s1\","
			   "\"seq\":-1}");
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), ZP_EINVAL);
	zp_test_write_text(tpath("cursor.json"), "{\"format\":\"zebrapad-export-cursor\",\"version\":3,\"site\":\"s1\","
			   "\"seq\":5}");
	ck_assert_int_eq(zp_export_cursor_load(tpath("cursor.json"), "s1", &d, err, sizeof(err)), ZP_EINVAL);
	rm_tmp();
}
END_TEST

/* ---- the health file ---- */

START_TEST(health_render_parse)
{
	zp_health_snapshot s;
	zp_export_health h;
	char text[8192], err[300];
	int n;

	memset(&s, 0, sizeof(s));
	s.lights = 2;
	s.detector_health = 2; /* dark */
	s.failsafe_ms = 720500;
	s.frames = 99;
	s.last_frame_wall_ms = 1700000000500;
	s.faults[ZP_HFAULT_STALL] = 4;
	s.faults[ZP_HFAULT_SOURCE] = 7;
	s.active = 1u << ZP_HFAULT_STALL;
	s.store_queue = 3;
	n = zp_health_render(&s, "0.9", 1700000001000, text, sizeof(text));
	ck_assert_int_gt(n, 0);
	zp_assert_has_all(text, (const char *const[]){ "zebrapad_lights_state{state=\"failsafe\"} 1\n",
						 "zebrapad_lights_state{state=\"on\"} 0\n",
						 "zebrapad_failsafe_seconds 720.500\n",
						 "zebrapad_faults_total{kind=\"stall\"} 4\n",
						 "zebrapad_fault_active{kind=\"stall\"} 1\n",
						 "zebrapad_store_queue_rows 3\n", NULL });
	ck_assert_int_eq(zp_prom_parse(text, (size_t)n, NULL, NULL, err, sizeof(err)), 29);
	mk_tmp();
	ck_assert_int_eq(zp_file_write_atomic(tpath("z.prom"), text, (size_t)n, 0644, false, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_export_health_read(tpath("z.prom"), 1700000005, 35, &h, err, sizeof(err)), 0);
	ck_assert(h.known);
	ck_assert_str_eq(h.lights, "failsafe");
	ck_assert_str_eq(h.health, "dark");
	ck_assert_int_eq(h.nfaults, ZP_HFAULT_COUNT);
	ck_assert_str_eq(h.fault_kind[0], "stall");
	ck_assert_int_eq(h.fault_count[0], 4);
	ck_assert_int_eq(h.fault_count[2], 7);
	ck_assert_int_eq(h.frames, 99);
	ck_assert_int_eq(h.last_frame_s, 1700000000);
	ck_assert(h.failsafe_s == 720.5);
	ck_assert_str_eq(h.version, "0.9");
	/* written long ago: stale, not believed */
	ck_assert_int_eq(zp_export_health_read(tpath("z.prom"), 1700000100, 35, &h, err, sizeof(err)), 0);
	ck_assert(!h.known);
	ck_assert_str_eq(h.health, "stale");
	ck_assert_str_eq(h.lights, "unknown");
	/* missing file */
	ck_assert_int_eq(zp_export_health_read(tpath("none.prom"), 1, 35, &h, err, sizeof(err)), ZP_ENODEV);
	ck_assert_str_eq(h.lights, "unknown");
	rm_tmp();
}
END_TEST

static void count_sample(void *ctx, const zp_prom_sample *s)
{
	(void)s;
	(*(int *)ctx)++;
}

START_TEST(prom_parse_errors)
{
	char err[200], v[32];
	int n = 0;
	zp_prom_sample s;
	const char *good = "# c\n\nm_a 1\nm_b{k=\"v\",q=\"a\\\"}b\"} 2.5 1700000000\nm_c -3e2\n";

	ck_assert_int_eq(zp_prom_parse(good, strlen(good), count_sample, &n, err, sizeof(err)), 3);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(zp_prom_parse("m 1\n2x 3\n", 9, NULL, NULL, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "line 2"), "%s", err);
	ck_assert_int_eq(zp_prom_parse("m{a=\"b\" 1\n", 10, NULL, NULL, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_prom_parse("m one\n", 6, NULL, NULL, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_prom_parse("m\n", 2, NULL, NULL, err, sizeof(err)), ZP_EINVAL);
	memset(&s, 0, sizeof(s));
	strcpy(s.labels, "k=\"v\",q=\"a\\\"}b\"");
	ck_assert(zp_prom_label(&s, "q", v, sizeof(v)));
	ck_assert_str_eq(v, "a\"}b");
	ck_assert(zp_prom_label(&s, "k", v, sizeof(v)));
	ck_assert_str_eq(v, "v");
	ck_assert(!zp_prom_label(&s, "x", v, sizeof(v)));
}
END_TEST

/* The board: what the loop publishes is what the thread writes, and a stop writes the last state. */
START_TEST(health_board_writes_file)
{
	zp_health_params p;
	zp_health_board *b;
	zp_health_snapshot s;
	zp_export_health h;
	char err[300];
	uint64_t written, failed;
	struct stat sb;

	mk_tmp();
	zp_health_params_default(&p);
	snprintf(p.prom_file, sizeof(p.prom_file), "%s", tpath("zebrapad.prom"));
	p.period_s = 1;
	ck_assert_int_eq(zp_health_start(&p, "t", &b, err, sizeof(err)), 0);
	memset(&s, 0, sizeof(s));
	s.lights = 1;
	s.detector_health = 0;
	s.frames = 10;
	zp_health_publish(b, &s);
	s.frames = 20;
	zp_health_publish(b, &s);
	zp_health_stop(b);
	ck_assert_int_eq(stat(tpath("zebrapad.prom"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0644);
	ck_assert_int_eq(stat(tpath("zebrapad.prom.tmp"), &sb), -1);
	ck_assert_int_eq(zp_export_health_read(tpath("zebrapad.prom"), time(NULL), 30, &h, err, sizeof(err)), 0);
	ck_assert(h.known);
	ck_assert_str_eq(h.lights, "on");
	ck_assert_str_eq(h.health, "ok");
	ck_assert_int_eq(h.frames, 20);
	/* a directory that does not exist is refused at start */
	zp_strlcpy(p.prom_file, tpath("no/such/dir/x.prom"), sizeof(p.prom_file));
	ck_assert_int_eq(zp_health_start(&p, "t", &b, err, sizeof(err)), ZP_ENODEV);
	(void)written;
	(void)failed;
	rm_tmp();
}
END_TEST

/* ---- against a real broker ---- */

struct broker {
	pid_t pid;
	int port, tls_port;
	char conf[400];
};

static bool have_broker(void)
{
	if (access(MOSQUITTO_BIN, X_OK) != 0) {
		fprintf(stderr, "SKIP: %s not installed (Debian package mosquitto, in scripts/packages.txt): the tests "
			"against a real broker are skipped\n", MOSQUITTO_BIN);
		return false;
	}
	return true;
}

/* Start mosquitto with a plain listener (for the test's subscriber) and, with tls, a TLS one. Persistence on. */
static void broker_start(struct broker *b, bool tls, bool reuse_ports)
{
	char text[2048];
	int64_t end;

	if (!reuse_ports) {
		int ports[2];

		ck_assert_int_eq(zp_test_free_ports(ports, 2), 0);
		b->port = ports[0];
		b->tls_port = tls ? ports[1] : 0;
	}
	snprintf(b->conf, sizeof(b->conf), "%s", tpath("mosquitto.conf"));
	snprintf(text, sizeof(text),
		 /* started as root, mosquitto would drop to its own user, which cannot read the test's files */
		 "user %s\nper_listener_settings false\nallow_anonymous true\npersistence true\npersistence_location %s/\n"
		 "autosave_interval 1\nmax_queued_messages 100000\nlistener %d 127.0.0.1\n", geteuid() == 0 ? "root" : "nobody",
		 tmpdir, b->port);
	if (tls)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "listener %d 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\n",
			 b->tls_port, tpath("ca.pem"), tpath("server.pem"), tpath("server.key"));
	zp_test_write_text(b->conf, text);
	b->pid = fork();
	ck_assert_int_ge(b->pid, 0);
	if (b->pid == 0) {
		int fd = open(tpath("mosquitto.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(MOSQUITTO_BIN, "mosquitto", "-c", b->conf, (char *)NULL);
		_exit(127);
	}
	end = now_ms() + 10000;
	while (!zp_test_port_open(b->port) || (tls && !zp_test_port_open(b->tls_port))) {
		ck_assert_msg(now_ms() < end, "mosquitto did not start (see %s)", tpath("mosquitto.log"));
		sleep_ms(50);
	}
}

static void broker_stop(struct broker *b)
{
	if (b->pid > 0) {
		zp_test_stop_child(b->pid, false);
		b->pid = 0;
	}
}

/* The test's subscriber: zebrapad/#, QoS 1, a persistent session; messages kept in arrival order. */
struct sub {
	struct mosquitto *m;
	pthread_mutex_t mu;
	char **msg;
	char **topic;
	int n, cap;
	bool subscribed;
};

static void sub_connect(struct mosquitto *m, void *obj, int rc)
{
	struct sub *s = obj;

	if (rc == 0)
		mosquitto_subscribe(m, NULL, "zebrapad/#", 1);
	(void)s;
}

static void sub_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *q)
{
	struct sub *s = obj;

	(void)m;
	(void)mid;
	(void)n;
	(void)q;
	pthread_mutex_lock(&s->mu);
	s->subscribed = true;
	pthread_mutex_unlock(&s->mu);
}

static void sub_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct sub *s = obj;

	(void)m;
	pthread_mutex_lock(&s->mu);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->msg = realloc(s->msg, sizeof(char *) * (size_t)s->cap);
		s->topic = realloc(s->topic, sizeof(char *) * (size_t)s->cap);
	}
	s->msg[s->n] = strndup(msg->payload, (size_t)msg->payloadlen);
	s->topic[s->n] = strdup(msg->topic);
	s->n++;
	pthread_mutex_unlock(&s->mu);
}

static void sub_start(struct sub *s, int port)
{
	int64_t end = now_ms() + 10000;
	bool ok = false;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	mosquitto_lib_init();
	s->m = mosquitto_new("zp-test-sub", false, s);
	ck_assert_ptr_nonnull(s->m);
	mosquitto_connect_callback_set(s->m, sub_connect);
	mosquitto_subscribe_callback_set(s->m, sub_subscribe);
	mosquitto_message_callback_set(s->m, sub_message);
	mosquitto_reconnect_delay_set(s->m, 1, 1, false);
	ck_assert_int_eq(mosquitto_connect(s->m, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(mosquitto_loop_start(s->m), MOSQ_ERR_SUCCESS);
	while (!ok) {
		ck_assert_msg(now_ms() < end, "the test's subscriber did not subscribe");
		sleep_ms(20);
		pthread_mutex_lock(&s->mu);
		ok = s->subscribed;
		pthread_mutex_unlock(&s->mu);
	}
}

static void sub_stop(struct sub *s)
{
	mosquitto_disconnect(s->m);
	mosquitto_loop_stop(s->m, true);
	mosquitto_destroy(s->m);
	for (int i = 0; i < s->n; i++) {
		free(s->msg[i]);
		free(s->topic[i]);
	}
	free(s->msg);
	free(s->topic);
	pthread_mutex_destroy(&s->mu);
	mosquitto_lib_cleanup();
}

static int sub_count(struct sub *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Until the subscriber holds n messages, looking every step_ms, for timeout_ms at the most. */
static void wait_rows(struct sub *s, int n, int timeout_ms, int step_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (sub_count(s) < n && now_ms() < end)
		sleep_ms(step_ms);
}

/*
 * Check the counts messages against the store: every row arrived (its message
 * equal to the row's), the first arrival of each row in key order, and
 * returns the number of duplicates.
 */
static int check_delivery(struct sub *s, const char *store, const char *site)
{
	zp_export_source *src;
	zp_export_row *rows = calloc(20000, sizeof(*rows));
	char err[256], topic[128];
	int code, n, dups = 0, next = 0;
	bool *seen;

	src = zp_export_source_open(store, &code, err, sizeof(err));
	ck_assert_msg(src != NULL, "%s", err);
	n = zp_export_source_next(src, 0, site, rows, 20000, err, sizeof(err));
	ck_assert_int_gt(n, 0);
	seen = calloc((size_t)n, sizeof(bool));
	snprintf(topic, sizeof(topic), "zebrapad/%s/counts", site);
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < s->n; i++) {
		int k = -1;

		if (strcmp(s->topic[i], topic))
			continue;
		for (int j = 0; j < n; j++)
			if (!strcmp(rows[j].json, s->msg[i])) {
				k = j;
				break;
			}
		ck_assert_msg(k >= 0, "a message that is no row of the store: %s", s->msg[i]);
		if (seen[k]) {
			dups++;
			continue;
		}
		/* first arrivals in order: each new row is the next one of the store */
		ck_assert_msg(k == next, "row %d arrived before row %d", k, next);
		seen[k] = true;
		next++;
	}
	pthread_mutex_unlock(&s->mu);
	ck_assert_msg(next == n, "%d of %d rows arrived", next, n);
	for (int i = 0; i < n; i++)
		free(rows[i].json);
	free(rows);
	free(seen);
	zp_export_source_close(src);
	return dups;
}

static const char *exporter_bin(void)
{
	static char path[512];
	const char *b = getenv("ZP_BINARY_DIR");

	snprintf(path, sizeof(path), "%s/app/zebrapad-export", b ? b : ".");
	return path;
}

static void write_site(int port, const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "[store]\npath = %s\n[health]\nprom_file = %s\n[export]\nbroker = 127.0.0.1\nport = %d\nsite = t1\n"
		 "cursor_file = %s\nprom_file = %s\n%s",
		 tpath("data/counts.db"), tpath("data/zebrapad.prom"), port, tpath("state/cursor.json"),
		 tpath("state/export.prom"), extra ? extra : "");
	zp_test_write_text(tpath("site.ini"), text);
}

/* site.ini for the broker's TLS port, with the CA, certificate and key named in the temp dir. */
static void write_tls_site(int tls_port, const char *ca, const char *cert, const char *key)
{
	char extra[1024];

	snprintf(extra, sizeof(extra), "rate = 1000\nca_file = %s\ncert_file = %s\nkey_file = %s\n", tpath(ca),
		 tpath(cert), tpath(key));
	write_site(tls_port, extra);
}

/*
 * The exporter as a child (opt2: a second option, e.g. --no-sandbox). In a sanitizer build,
 * LeakSanitizer cannot stop the world once seccomp refuses ptrace: leak checks only without the
 * sandbox (broker_plain_all_rows_once runs one such exporter to the end).
 */
static pid_t exporter_start2(const char *opt, const char *opt2)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(tpath("export.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		if (!opt2 || strcmp(opt2, "--no-sandbox"))
			setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execl(exporter_bin(), "zebrapad-export", "export", "--config", tpath("site.ini"), opt, opt2, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static pid_t exporter_start(const char *opt)
{
	return exporter_start2(opt, NULL);
}

/* Wait for the exporter; its exit code, or -1 after timeout_ms (then it is killed). */
static int exporter_wait(pid_t pid, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	int st;

	while (now_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void setup_dirs(void)
{
	mk_tmp();
	ck_assert_int_eq(mkdir(tpath("data"), 0750), 0);
	ck_assert_int_eq(mkdir(tpath("state"), 0750), 0);
}

/*
 * The start of most cases: a store of n intervals from t0 (make_store), a broker, a subscriber
 * to it, and site.ini exporting to it with extra added; false (the case is skipped) without a broker.
 */
static bool start_site(struct broker *b, struct sub *s, int64_t t0, int n, const char *extra)
{
	if (!have_broker())
		return false;
	setup_dirs();
	make_store(tpath("data/counts.db"), t0, n);
	broker_start(b, false, false);
	sub_start(s, b->port);
	write_site(b->port, extra);
	return true;
}

static void show_log(void)
{
	char *t = zp_test_slurp(tpath("export.log"), NULL);

	if (t)
		fprintf(stderr, "--- export.log ---\n%s\n", t);
	free(t);
}

/* The exporter pid ends with exit code 0 within timeout_ms; its log is shown when it does not. */
static void assert_exporter_ok(pid_t pid, int timeout_ms)
{
	int rc = exporter_wait(pid, timeout_ms);

	if (rc)
		show_log();
	ck_assert_int_eq(rc, 0);
}

static int64_t cursor_seq(void);

START_TEST(broker_plain_all_rows_once)
{
	struct broker b;
	struct sub s;
	int rc;
	char *prom, *cursor;

	if (!start_site(&b, &s, 1700000040, 100, "rate = 1000\n"))
		return;
	assert_exporter_ok(exporter_start("--once"), 60000);
	sleep_ms(300);
	ck_assert_int_eq(check_delivery(&s, tpath("data/counts.db"), "t1"), 0);
	/* the cursor is the last row (the 300th change); the .prom says 300 sent, none waiting */
	cursor = zp_test_slurp(tpath("state/cursor.json"), NULL);
	ck_assert_ptr_nonnull(cursor);
	ck_assert_msg(strstr(cursor, "\"version\":2") && strstr(cursor, "\"seq\":300}"), "%s", cursor);
	prom = zp_test_slurp(tpath("state/export.prom"), NULL);
	ck_assert_ptr_nonnull(prom);
	ck_assert_ptr_nonnull(strstr(prom, "zebrapad_export_rows_sent_total{site=\"t1\"} 300\n"));
	ck_assert_ptr_nonnull(strstr(prom, "zebrapad_export_backlog_rows{site=\"t1\"} 0\n"));
	/* a second run has nothing to send (without the sandbox: a sanitizer build checks for leaks) */
	rc = exporter_wait(exporter_start2("--once", "--no-sandbox"), 30000);
	ck_assert_int_eq(rc, 0);
	sleep_ms(300);
	ck_assert_int_eq(check_delivery(&s, tpath("data/counts.db"), "t1"), 0);
	/* the status: online then offline (retained), from the exporter's own stop */
	pthread_mutex_lock(&s.mu);
	{
		int online = 0, offline = 0;

		for (int i = 0; i < s.n; i++)
			if (!strcmp(s.topic[i], "zebrapad/t1/status")) {
				online += strstr(s.msg[i], "\"state\":\"online\"") != NULL;
				offline += strstr(s.msg[i], "\"state\":\"offline\"") != NULL;
			}
		ck_assert_int_ge(online, 2);
		ck_assert_int_ge(offline, 2);
	}
	pthread_mutex_unlock(&s.mu);
	/* a cursor saved by key (version 1) after the last interval but one: its 3 rows go again, the cursor
	 * is saved as a seq */
	{
		int before = sub_count(&s), rows = 0;

		zp_test_write_text(tpath("state/cursor.json"), "{\"format\":\"zebrapad-export-cursor\",\"version\":1,"
				   "\"site\":\"t1\",\"interval_start\":1700005920,\"zone\":\"road\",\"interval_s\":60}");
		assert_exporter_ok(exporter_start("--once"), 30000);
		sleep_ms(300);
		pthread_mutex_lock(&s.mu);
		for (int i = before; i < s.n; i++)
			if (!strcmp(s.topic[i], "zebrapad/t1/counts")) {
				ck_assert_msg(strstr(s.msg[i], "\"interval_start\":1700005980,"), "%s", s.msg[i]);
				rows++;
			}
		pthread_mutex_unlock(&s.mu);
		ck_assert_int_eq(rows, 3);
		ck_assert_int_eq(cursor_seq(), 300);
	}
	free(cursor);
	free(prom);
	sub_stop(&s);
	broker_stop(&b);
	rm_tmp();
}
END_TEST

/* The cursor's seq in the exporter's cursor file, -1 when there is none (yet). */
static int64_t cursor_seq(void)
{
	char *c = zp_test_slurp(tpath("state/cursor.json"), NULL);
	cJSON *o = c ? cJSON_Parse(c) : NULL, *v = cJSON_GetObjectItem(o, "seq");
	int64_t seq = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;

	cJSON_Delete(o);
	free(c);
	return seq;
}

/* Has a message on counts with both strings arrived? */
static bool sub_has(struct sub *s, const char *a, const char *b)
{
	bool found = false;

	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < s->n && !found; i++)
		found = strstr(s->msg[i], a) && strstr(s->msg[i], b);
	pthread_mutex_unlock(&s->mu);
	return found;
}

/*
 * Rows written again after the cursor passed them (intervals that closed an
 * hour ago: a daemon's writer held up, the clock set back) are sent again,
 * and a new row of an interval long past is sent; the cursor follows the
 * store's change sequence.
 */
START_TEST(broker_changed_row_sent_again)
{
	struct broker b;
	struct sub s;
	int64_t t0 = (int64_t)time(NULL) / 60 * 60 - 3600;
	char sql[400], start[64];
	sqlite3 *db;
	pid_t pid;
	int64_t end;

	if (!start_site(&b, &s, t0, 2, "rate = 1000\npoll_ms = 100\n"))
		return;
	pid = exporter_start(NULL);
	/* all 6 rows acknowledged and the cursor past them */
	end = now_ms() + 20000;
	while (cursor_seq() < 6 && now_ms() < end)
		sleep_ms(50);
	ck_assert_int_eq(cursor_seq(), 6);
	/* the oldest interval's road row added to, and a row of an interval before the first */
	ck_assert_int_eq(sqlite3_open(tpath("data/counts.db"), &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE counts SET entered = entered + 5 WHERE zone = 'road' AND interval_start = %lld;"
		 "INSERT INTO counts(interval_start, interval_s, zone, entered, occupied_s) VALUES (%lld, 60, 'kerb', 9, 2)",
		 (long long)t0, (long long)(t0 - 600));
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	snprintf(start, sizeof(start), "\"interval_start\":%lld,", (long long)(t0 - 600));
	end = now_ms() + 20000;
	while (!(sub_has(&s, "\"zone\":\"road\"", "\"entered\":5,") && sub_has(&s, start, "\"entered\":9,")) &&
	       now_ms() < end)
		sleep_ms(100);
	ck_assert_msg(sub_has(&s, "\"zone\":\"road\"", "\"entered\":5,"), "the changed row was not sent again");
	ck_assert_msg(sub_has(&s, start, "\"entered\":9,"), "the late row of an old interval was not sent");
	end = now_ms() + 10000;
	while (cursor_seq() < 8 && now_ms() < end)
		sleep_ms(50);
	kill(pid, SIGTERM);
	ck_assert_int_eq(exporter_wait(pid, 10000), 0);
	ck_assert_int_eq(cursor_seq(), 8);
	sub_stop(&s);
	broker_stop(&b);
	rm_tmp();
}
END_TEST

START_TEST(broker_stopped_mid_run)
{
	struct broker b;
	struct sub s;
	pid_t pid;
	int before;
	char *prom;

	/* 600 rows at 100 rows/s: 6 s */
	if (!start_site(&b, &s, 1700000040, 200, "rate = 100\n"))
		return;
	pid = exporter_start("--once");
	wait_rows(&s, 120, 20000, 20);
	/* the broker goes away for 3 s in the middle */
	broker_stop(&b);
	before = sub_count(&s);
	ck_assert_int_lt(before, 500);
	sleep_ms(3000);
	broker_start(&b, false, true);
	assert_exporter_ok(pid, 90000);
	wait_rows(&s, 601, 10000, 50);
	sleep_ms(500);
	check_delivery(&s, tpath("data/counts.db"), "t1");
	prom = zp_test_slurp(tpath("state/export.prom"), NULL);
	ck_assert_ptr_nonnull(prom);
	ck_assert_msg(strstr(prom, "zebrapad_export_reconnects_total{site=\"t1\"} 0\n") == NULL, "%s", prom);
	free(prom);
	sub_stop(&s);
	broker_stop(&b);
	rm_tmp();
}
END_TEST

/*
 * A broker that stops answering (SIGSTOP: full, or slow) for 4 s: the exporter keeps at most
 * max_inflight rows unacknowledged and waits; nothing is lost, nothing skipped.
 */
START_TEST(broker_frozen_mid_run)
{
	struct broker b;
	struct sub s;
	pid_t pid;
	int at_stop, at_cont;

	/* 300 rows at 100 rows/s */
	if (!start_site(&b, &s, 1700000040, 100, "rate = 100\nmax_inflight = 5\n"))
		return;
	pid = exporter_start("--once");
	wait_rows(&s, 60, 20000, 10);
	ck_assert_int_eq(kill(b.pid, SIGSTOP), 0);
	at_stop = sub_count(&s);
	sleep_ms(4000);
	at_cont = sub_count(&s);
	ck_assert_int_eq(kill(b.pid, SIGCONT), 0);
	ck_assert_int_lt(at_cont, 300);
	assert_exporter_ok(pid, 60000);
	sleep_ms(500);
	check_delivery(&s, tpath("data/counts.db"), "t1");
	(void)at_stop;
	sub_stop(&s);
	broker_stop(&b);
	rm_tmp();
}
END_TEST

START_TEST(exporter_killed_mid_burst)
{
	struct broker b;
	struct sub s;
	pid_t pid;
	int st;

	if (!start_site(&b, &s, 1700000040, 200, "rate = 150\n"))
		return;
	for (int round = 0; round < 3; round++) {
		pid = exporter_start("--once");
		wait_rows(&s, 100 * (round + 1), 20000, 10);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		ck_assert(WIFSIGNALED(st));
	}
	ck_assert_int_lt(sub_count(&s), 600);
	assert_exporter_ok(exporter_start("--once"), 60000);
	sleep_ms(500);
	check_delivery(&s, tpath("data/counts.db"), "t1");
	sub_stop(&s);
	broker_stop(&b);
	rm_tmp();
}
END_TEST

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* A CA, a server certificate for 127.0.0.1, a client certificate; and a second CA with its own client. */
static void make_certs(void)
{
	const char *d = tmpdir;

	ck_assert_int_eq(sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=zp-test-ca "
			    "-keyout ca.key -out ca.pem 2>/dev/null", d), 0);
	ck_assert_int_eq(sh("cd %s && openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key "
			    "-out server.csr 2>/dev/null && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
			    "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
			    "-extfile san.ext -out server.pem 2>/dev/null", d), 0);
	ck_assert_int_eq(sh("cd %s && openssl req -newkey rsa:2048 -nodes -subj /CN=site-t1 -keyout client.key "
			    "-out client.csr 2>/dev/null && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
			    "-CAcreateserial -days 2 -out client.pem 2>/dev/null", d), 0);
	ck_assert_int_eq(sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rogue-ca "
			    "-keyout rogue-ca.key -out rogue-ca.pem 2>/dev/null && openssl req -newkey rsa:2048 -nodes "
			    "-subj /CN=site-t1 -keyout rogue.key -out rogue.csr 2>/dev/null && openssl x509 -req -in "
			    "rogue.csr -CA rogue-ca.pem -CAkey rogue-ca.key -CAcreateserial -days 2 -out rogue.pem "
			    "2>/dev/null", d), 0);
	ck_assert_int_eq(sh("chmod 0644 %s/*.key", d), 0);
}

/* An exporter run for run_ms then stopped: it exits 0 and the subscriber received nothing. */
static void assert_nothing_sent(struct sub *s, int run_ms)
{
	pid_t pid = exporter_start(NULL);

	sleep_ms(run_ms);
	kill(pid, SIGTERM);
	ck_assert_int_eq(exporter_wait(pid, 10000), 0);
	ck_assert_int_eq(sub_count(s), 0);
}

START_TEST(broker_tls_and_wrong_certificate)
{
	struct broker b;
	struct sub s;
	char *prom, *log;

	if (!have_broker())
		return;
	if (access("/usr/bin/openssl", X_OK) != 0) {
		fprintf(stderr, "SKIP: /usr/bin/openssl not installed: the TLS case is skipped\n");
		return;
	}
	setup_dirs();
	make_certs();
	make_store(tpath("data/counts.db"), 1700000040, 20);
	broker_start(&b, true, false);
	sub_start(&s, b.port);
	/* a client certificate from another CA: refused by the broker, nothing sent, said in the log */
	write_tls_site(b.tls_port, "ca.pem", "rogue.pem", "rogue.key");
	assert_nothing_sent(&s, 3500);
	prom = zp_test_slurp(tpath("state/export.prom"), NULL);
	ck_assert_ptr_nonnull(prom);
	ck_assert_msg(strstr(prom, "zebrapad_export_connect_failures_total{site=\"t1\"} 0\n") == NULL, "%s", prom);
	ck_assert_ptr_nonnull(strstr(prom, "zebrapad_export_rows_sent_total{site=\"t1\"} 0\n"));
	free(prom);
	log = zp_test_slurp(tpath("export.log"), NULL);
	ck_assert_msg(strstr(log, "cannot connect to 127.0.0.1"), "%s", log);
	free(log);
	/* the broker's certificate not signed by the CA the device trusts: refused too */
	write_tls_site(b.tls_port, "rogue-ca.pem", "client.pem", "client.key");
	assert_nothing_sent(&s, 2500);
	/* the right certificate: every row */
	write_tls_site(b.tls_port, "ca.pem", "client.pem", "client.key");
	assert_exporter_ok(exporter_start("--once"), 30000);
	sleep_ms(300);
	ck_assert_int_eq(check_delivery(&s, tpath("data/counts.db"), "t1"), 0);
	sub_stop(&s);
	broker_stop(&b);
	rm_tmp();
}
END_TEST

/* `zebrapad export` with ini as its site.ini: exit 2, with every string of want (NULL-terminated) in its log. */
static void assert_setup_refused(const char *ini, const char *const want[])
{
	char cmd[1024], *log;

	zp_test_write_text(tpath("site.ini"), ini);
	snprintf(cmd, sizeof(cmd), "%s export --config %s > %s 2>&1", exporter_bin(), tpath("site.ini"),
		 tpath("export.log"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
	log = zp_test_slurp(tpath("export.log"), NULL);
	ck_assert_ptr_nonnull(log);
	zp_assert_has_all(log, want);
	free(log);
}

/* Bad setups end with one line and exit 2, before anything is sent. */
START_TEST(exporter_refuses_bad_setup)
{
	setup_dirs();
	assert_setup_refused("[store]\npath = /tmp/x/counts.db\n[export]\nbroker = 10.1.2.3\nsite = s\n",
			     (const char *const[]){ "plain TCP", "ca_file", NULL });
	/* no [export]: nothing to do */
	assert_setup_refused("[store]\npath = /tmp/x/counts.db\n", (const char *const[]){ "no [export] broker", NULL });
	/* a missing CA file */
	assert_setup_refused("[store]\npath = /tmp/x/counts.db\n[export]\nbroker = 10.1.2.3\nsite = s\n"
			     "ca_file = /nonexistent/ca.pem\n",
			     (const char *const[]){ "ca_file /nonexistent/ca.pem", NULL });
	rm_tmp();
}
END_TEST

/* `zebrapad audit` names what leaves the device: the broker, the topics, every field, a sample from the newest row. */
START_TEST(audit_names_what_leaves)
{
	char cmd[1024], text[4096], *out, *newest;
	const char *b = getenv("ZP_BINARY_DIR");
	zp_export_source *src;
	int code;
	FILE *f;

	setup_dirs();
	make_store(tpath("data/counts.db"), 1700000040, 3);
	src = zp_export_source_open(tpath("data/counts.db"), &code, text, sizeof(text));
	ck_assert_ptr_nonnull(src);
	newest = zp_export_source_newest(src, "t1");
	ck_assert_ptr_nonnull(newest);
	zp_export_source_close(src);
	/* in memory: the text and the JSON forms */
	{
		zp_export_params p;
		char *buf = NULL;
		size_t len = 0;
		cJSON *o;

		zp_export_params_default(&p);
		strcpy(p.broker, "mqtt.town.example");
		strcpy(p.site, "t1");
		strcpy(p.ca_file, "/etc/ca.pem");
		f = open_memstream(&buf, &len);
		zp_export_describe(&p, tpath("data/counts.db"), f, false);
		fclose(f);
		ck_assert_msg(strstr(buf, "mqtt.town.example port 8883") && strstr(buf, "zebrapad/t1/counts") &&
			      strstr(buf, "zebrapad/t1/status") && strstr(buf, newest) &&
			      strstr(buf, "interval_start, interval_s, zone, entered") && strstr(buf, "\"offline\""),
			      "%s", buf);
		free(buf);
		buf = NULL;
		f = open_memstream(&buf, &len);
		zp_export_describe(&p, tpath("data/counts.db"), f, true);
		fclose(f);
		o = cJSON_Parse(buf);
		ck_assert_msg(o != NULL, "not JSON: %s", buf);
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "tls")));
		ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "sample_counts"), "site")->valuestring, "t1");
		cJSON_Delete(o);
		free(buf);
	}
	/* the real zebrapad, export on, then off */
	snprintf(text, sizeof(text), "[store]\npath = %s\n[export]\nbroker = 127.0.0.1\nsite = t1\n",
		 tpath("data/counts.db"));
	zp_test_write_text(tpath("site.ini"), text);
	snprintf(cmd, sizeof(cmd), "%s/app/zebrapad audit --config %s > %s 2>&1", b ? b : ".", tpath("site.ini"),
		 tpath("audit.txt"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 0);
	out = zp_test_slurp(tpath("audit.txt"), NULL);
	ck_assert_msg(strstr(out, "An export is configured") && strstr(out, "zebrapad/t1/counts") &&
		      strstr(out, newest), "%s", out);
	free(out);
	/* --json: the export's own object inside the report */
	{
		char jcmd[sizeof(cmd) + 16];
		const cJSON *e;
		cJSON *o;

		snprintf(jcmd, sizeof(jcmd), "%s/app/zebrapad audit --json --config %s > %s", b ? b : ".",
			 tpath("site.ini"), tpath("audit.json"));
		ck_assert_int_eq(WEXITSTATUS(system(jcmd)), 0);
		out = zp_test_slurp(tpath("audit.json"), NULL);
		o = cJSON_Parse(out);
		ck_assert_msg(o != NULL, "not JSON: %s", out);
		e = cJSON_GetObjectItem(o, "export");
		ck_assert_str_eq(cJSON_GetObjectItem(e, "broker")->valuestring, "127.0.0.1");
		ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(e, "topics"), 0)->valuestring, "zebrapad/t1/counts");
		ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "sample_counts"), "site")->valuestring, "t1");
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "pass")));
		cJSON_Delete(o);
		free(out);
	}
	snprintf(text, sizeof(text), "[store]\npath = %s\n", tpath("data/counts.db"));
	zp_test_write_text(tpath("site.ini"), text);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 0);
	out = zp_test_slurp(tpath("audit.txt"), NULL);
	ck_assert_msg(strstr(out, "4. What leaves the device\n  Nothing.") && !strstr(out, "zebrapad/t1"), "%s", out);
	free(out);
	free(newest);
	rm_tmp();
}
END_TEST

/* Resident KiB of the process's private, read-only file mappings (its program and libraries). */
static long program_rss_kib(void)
{
	char line[512];
	long sum = 0, v;
	bool counted = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char perms[8];
		int off = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms, &off) == 3 && off > 0)
			counted = line[off] == '/' && perms[1] == '-' && perms[3] == 'p';
		else if (counted && sscanf(line, "Rss: %ld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

/*
 * zp_export_trim takes the program's pages out of the resident set and
 * drops no data: the heap, the written (relocated) data of the libraries and
 * the code all work after it.
 */
START_TEST(trim_gives_back_program_pages)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	unsigned char *buf = malloc(1 << 20);
	cJSON *o;
	long before, after, dropped;

	ck_assert_ptr_nonnull(buf);
	for (int i = 0; i < 1 << 20; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	/* code of several libraries run once, as the exporter's start-up does */
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES (41)", NULL, NULL, NULL), SQLITE_OK);
	o = cJSON_Parse("{\"a\": [1, 2, {\"b\": \"c\"}]}");
	ck_assert_ptr_nonnull(o);
	cJSON_Delete(o);
	mosquitto_lib_init();

	before = program_rss_kib();
	dropped = zp_export_trim();
	after = program_rss_kib();
	/* what the measurement itself runs comes back (libc's stdio and scanf, 64 KiB a fault): at least
	 * half of it went and 512 KiB stayed out */
	ck_assert_msg(dropped * 2 > before && after + 512 < before, "program pages resident: %ld KiB before, %ld KiB "
		      "after (%ld KiB dropped)", before, after, dropped);

	/* nothing written was lost: the heap, the libraries' relocated data, the code */
	for (int i = 0; i < 1 << 20; i++)
		ck_assert_int_eq(buf[i], (unsigned char)(i * 7 + 3));
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT a + 1 FROM t", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 42);
	sqlite3_finalize(st);
	sqlite3_close(db);
	o = cJSON_Parse("[7]");
	ck_assert_int_eq(cJSON_GetArrayItem(o, 0)->valueint, 7);
	cJSON_Delete(o);
	ck_assert_str_eq(mosquitto_strerror(MOSQ_ERR_NOMEM), "Out of memory.");
	mosquitto_lib_cleanup();
	free(buf);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "unit", .timeout_s = 60, .tests = ZP_TESTS(
			export_config_errors,
			export_loopback_and_site,
			export_row_messages,
			export_new_columns_pass_through,
			export_rows_written_again_come_again,
			export_status_messages,
			export_cursor_file,
			health_render_parse,
			prom_parse_errors,
			health_board_writes_file,
			exporter_refuses_bad_setup,
			audit_names_what_leaves,
			trim_gives_back_program_pages) },
		{ .name = "broker", .timeout_s = 240, .tests = ZP_TESTS(
			broker_plain_all_rows_once,
			broker_changed_row_sent_again,
			broker_stopped_mid_run,
			broker_frozen_mid_run,
			exporter_killed_mid_burst,
			broker_tls_and_wrong_certificate) },
	};

	return zp_test_run(ZP_TEST_SUITE("export", cases));
}
