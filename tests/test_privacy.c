/* SPDX-License-Identifier: MIT */
/*
 * test_privacy.c - the counts store (exact aggregation, retention,
 * migrations, SIGKILL and power-cut durability), the data-directory audit
 * and the sandbox.
 */
#include "zp_test.h"
#include "store.h"
#include "fakes/powercut_vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 2023-11-14 22:14:00 UTC, a multiple of 60 s */
#define T0_MS 1700000040000LL

/* ---- helpers ---- */

static void tmpdir(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/zp_privacy_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void set_params(zp_store_params *p, const char *dir, const char *name, int interval_s)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s/%s", dir, name);
	p->interval_s = interval_s;
	p->retention_days = 365;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

typedef struct rows {
	zp_store_row r[512];
	int n;
} rows;

static int collect(void *ctx, const zp_store_row *row)
{
	rows *rs = ctx;

	ck_assert_msg(rs->n < (int)(sizeof(rs->r) / sizeof(rs->r[0])), "test rows buffer full");
	rs->r[rs->n++] = *row;
	return 0;
}

static void sink_collect(void *ctx, const zp_store_row *row)
{
	collect(ctx, row);
}

static const zp_store_row *find_row(const rows *rs, int64_t start, const char *zone)
{
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i].interval_start == start && !strcmp(rs->r[i].zone, zone))
			return &rs->r[i];
	return NULL;
}

static void read_all(const char *path, rows *rs)
{
	zp_store_params p;
	zp_store *s;
	char err[256];

	memset(&p, 0, sizeof(p));
	zp_strlcpy(p.path, path, sizeof(p.path));
	p.interval_s = 60;
	p.retention_days = 365;
	s = zp_store_open(&p, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	rs->n = 0;
	ck_assert_int_eq(zp_store_read(s, 0, INT64_MAX, false, 0, collect, rs), 0);
	zp_store_close(s);
}

static void check_zone(const rows *rs, int64_t start, const char *zone, int64_t entered, double occ)
{
	const zp_store_row *r = find_row(rs, start, zone);

	ck_assert_msg(r != NULL, "no row for %lld %s", (long long)start, zone);
	ck_assert_int_eq(r->entered, entered);
	ck_assert_double_eq_tol(r->occupied_s, occ, 1e-9);
	ck_assert_int_eq(r->light_activations, -1);
	ck_assert(r->light_on_s < 0 && r->fault_s < 0);
}

static void check_crossing(const rows *rs, int64_t start, int64_t act, double on, double fault)
{
	const zp_store_row *r = find_row(rs, start, ZP_STORE_CROSSING);

	ck_assert_msg(r != NULL, "no crossing row for %lld", (long long)start);
	ck_assert_int_eq(r->entered, -1);
	ck_assert(r->occupied_s < 0);
	ck_assert_int_eq(r->light_activations, act);
	ck_assert_double_eq_tol(r->light_on_s, on, 1e-9);
	ck_assert_double_eq_tol(r->fault_s, fault, 1e-9);
}

static const char *const two_zones[] = { "north", "south" };

/*
 * A hand-computed scenario over intervals A..D (60 s each, from T0):
 *  s1 [T0+0,  T0+10)  north occupied, 1 entered north, light on, 1 activation
 *  s2 [T0+10, T0+30)  both occupied, 2 entered south, light on
 *  s3 [T0+30, T0+70)  crosses A|B: south occupied, fault; 1 entered north (counts in B)
 *  s4 [T0+70, T0+130) crosses B|C: light on; 2 activations (in C)
 *  s5 [T0+190,T0+200) in D (C has no later sample): north occupied
 */
static void account_scenario(zp_store *s)
{
	zp_store_sample smp;

	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = T0_MS + 10000;
	smp.dt_ms = 10000;
	smp.occupied[0] = true;
	smp.entered[0] = 1;
	smp.light_on = true;
	smp.light_activations = 1;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);

	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = T0_MS + 30000;
	smp.dt_ms = 20000;
	smp.occupied[0] = smp.occupied[1] = true;
	smp.entered[1] = 2;
	smp.light_on = true;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);

	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = T0_MS + 70000;
	smp.dt_ms = 40000;
	smp.occupied[1] = true;
	smp.fault = true;
	smp.entered[0] = 1;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);

	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = T0_MS + 130000;
	smp.dt_ms = 60000;
	smp.light_on = true;
	smp.light_activations = 2;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);

	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = T0_MS + 200000;
	smp.dt_ms = 10000;
	smp.occupied[0] = true;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
}

static void check_scenario(const rows *rs)
{
	const int64_t a = T0_MS / 1000, b = a + 60, c = a + 120, d = a + 180;

	ck_assert_int_eq(rs->n, 12);
	check_zone(rs, a, "north", 1, 30);
	check_zone(rs, a, "south", 2, 50);
	check_crossing(rs, a, 1, 30, 30);
	check_zone(rs, b, "north", 1, 0);
	check_zone(rs, b, "south", 0, 10);
	check_crossing(rs, b, 0, 50, 10);
	check_zone(rs, c, "north", 0, 0);
	check_zone(rs, c, "south", 0, 0);
	check_crossing(rs, c, 2, 10, 0);
	check_zone(rs, d, "north", 0, 10);
	check_zone(rs, d, "south", 0, 0);
	check_crossing(rs, d, 0, 0, 0);
	for (int i = 0; i < rs->n; i++)
		ck_assert_int_eq(rs->r[i].interval_s, 60);
}

/* ---- store ---- */

START_TEST(store_aggregates_exactly)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store *s;
	rows sunk, stored;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_store_schema_version(s), ZP_STORE_SCHEMA_VERSION);
	sunk.n = 0;
	zp_store_set_sink(s, sink_collect, &sunk);
	account_scenario(s);
	/* A, B and C are closed and written; D is in progress */
	ck_assert_int_eq(sunk.n, 9);
	read_all(p.path, &stored);
	ck_assert_int_eq(stored.n, 9);
	ck_assert_ptr_null(find_row(&stored, T0_MS / 1000 + 180, "north"));
	zp_store_close(s); /* flushes D */
	ck_assert_int_eq(sunk.n, 12);
	check_scenario(&sunk);
	read_all(p.path, &stored);
	check_scenario(&stored);
	rmtree(dir);
}
END_TEST

START_TEST(store_dry_run_writes_nothing)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store *s;
	struct stat st;
	rows sunk;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	s = zp_store_open(&p, two_zones, 2, ZP_STORE_DRY_RUN, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	sunk.n = 0;
	zp_store_set_sink(s, sink_collect, &sunk);
	account_scenario(s);
	zp_store_close(s);
	check_scenario(&sunk);
	ck_assert_int_ne(stat(p.path, &st), 0);
	/* and without any path at all */
	p.path[0] = '\0';
	s = zp_store_open(&p, two_zones, 2, ZP_STORE_DRY_RUN, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	zp_store_close(s);
	rmtree(dir);
}
END_TEST

START_TEST(store_restart_in_same_interval_adds_up)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	rows rs;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	for (int run = 0; run < 2; run++) {
		s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
		ck_assert_msg(s != NULL, "%s", err);
		memset(&smp, 0, sizeof(smp));
		smp.wall_ms = T0_MS + 5000 + run * 20000;
		smp.dt_ms = 5000;
		smp.occupied[1] = true;
		smp.entered[1] = 3;
		smp.light_on = true;
		smp.light_activations = 1;
		ck_assert_int_eq(zp_store_account(s, &smp), 0);
		zp_store_close(s);
	}
	read_all(p.path, &rs);
	ck_assert_int_eq(rs.n, 3);
	check_zone(&rs, T0_MS / 1000, "south", 6, 10);
	check_zone(&rs, T0_MS / 1000, "north", 0, 0);
	check_crossing(&rs, T0_MS / 1000, 2, 10, 0);
	rmtree(dir);
}
END_TEST

START_TEST(store_clock_set_back_and_gaps)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	rows rs;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 10);
	s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	memset(&smp, 0, sizeof(smp));
	smp.occupied[0] = true;
	smp.wall_ms = T0_MS + 25000; /* interval T0+20 */
	smp.dt_ms = 4000;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	smp.wall_ms = T0_MS + 3000; /* the clock went back 22 s: T0+20 closes, T0+0 opens */
	smp.dt_ms = 5000;           /* clipped to the 3 s inside the new interval */
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	smp.wall_ms = T0_MS + 1005000; /* a long gap: nothing for the intervals in between */
	smp.dt_ms = 500000;            /* [T0+505, T0+1005]: only its last 5 s count, in T0+1000 */
	smp.occupied[0] = false;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	zp_store_close(s);
	read_all(p.path, &rs);
	ck_assert_int_eq(rs.n, 9);
	check_zone(&rs, T0_MS / 1000 + 20, "north", 0, 4);
	check_zone(&rs, T0_MS / 1000, "north", 0, 3);
	check_zone(&rs, T0_MS / 1000 + 1000, "north", 0, 0);
	check_crossing(&rs, T0_MS / 1000 + 1000, 0, 0, 0);
	rmtree(dir);
}
END_TEST

START_TEST(store_rejects_bad_input)
{
	char dir[64], err[256], path[128];
	const char *const star[] = { "north", "*" };
	const char *const dup[] = { "a", "a" };
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	int code = 0;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	ck_assert_ptr_null(zp_store_open(&p, star, 2, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "reserved"));
	ck_assert_ptr_null(zp_store_open(&p, dup, 2, 0, &code, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "'a' appears twice"));
	p.interval_s = 0;
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "interval_s"));
	set_params(&p, dir, "missing/counts.db", 60);
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_ENODEV);
	ck_assert_msg(strstr(err, "missing") != NULL, "%s", err);

	/* a file that is not SQLite (an image, say) named as the store */
	snprintf(path, sizeof(path), "%s/counts.db", dir);
	write_file(path, "\xff\xd8\xff\xe0 this is no database, it is a JPEG................................"
		   "..............................................................................", 150);
	set_params(&p, dir, "counts.db", 60);
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EINVAL);
	ck_assert_msg(strstr(err, "not a SQLite database") != NULL, "%s", err);
	unlink(path);

	s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = T0_MS;
	smp.dt_ms = -1;
	ck_assert_int_eq(zp_store_account(s, &smp), ZP_EINVAL);
	smp.dt_ms = 0;
	smp.entered[1] = -2;
	ck_assert_int_eq(zp_store_account(s, &smp), ZP_EINVAL);
	zp_store_close(s);
	rmtree(dir);
}
END_TEST

/* One zone row a day for 400 days, then retention at day 400 with 365 days kept. */
START_TEST(store_retention_deletes_exactly_the_old_rows)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	int64_t deleted = -1, day0 = 1600000000LL / 86400 * 86400;
	zp_store_summary sum;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	s = zp_store_open(&p, two_zones, 1, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	memset(&smp, 0, sizeof(smp));
	for (int d = 0; d < 400; d++) {
		smp.wall_ms = (day0 + d * 86400LL + 30) * 1000;
		smp.dt_ms = 1000;
		smp.entered[0] = 1;
		ck_assert_int_eq(zp_store_account(s, &smp), 0);
		ck_assert_int_eq(zp_store_flush(s), 0);
	}
	/*
	 * Retention ran inside account() once a day: at day d it removed the days j with
	 * day j + 60 s <= day d + 30 s - 365 days, i.e. j <= d - 366; after day 399, days 34..399 are left.
	 */
	ck_assert_int_eq(zp_store_summarize(s, &sum, err, sizeof(err)), 0);
	ck_assert_int_eq(sum.rows, 2 * 366);
	ck_assert_int_eq(sum.first_start, day0 + 34 * 86400LL);
	/* now = day 400 + 60 s: the cutoff is day 35 + 60 s, so days 34 and 35 go (2 rows each) */
	ck_assert_int_eq(zp_store_retention(s, (day0 + 400 * 86400LL + 60) * 1000, &deleted), 0);
	ck_assert_int_eq(deleted, 4);
	zp_store_close(s);
	s = zp_store_open(&p, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_store_summarize(s, &sum, err, sizeof(err)), 0);
	zp_store_close(s);
	ck_assert_int_eq(sum.first_start, day0 + 36 * 86400LL);
	ck_assert_int_eq(sum.last_end, day0 + 399 * 86400LL + 60);
	ck_assert_int_eq(sum.rows, 2 * 364);
	ck_assert_int_eq(sum.zone_rows, 364);
	ck_assert_int_eq(sum.entered_total, 364);
	ck_assert_int_eq(sum.nzones, 1);
	ck_assert_str_eq(sum.zones[0], "north");
	rmtree(dir);
}
END_TEST

/* ---- migrations ---- */

/* The version-1 schema as the prototype wrote it (kept here verbatim, independent of schema.c). */
static const char v1_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta(key, value) VALUES ('application', 'zebrapad counts'), ('interval_s', '60'),"
	" ('schema_version', '1');"
	"CREATE TABLE counts(interval_start INTEGER NOT NULL, zone TEXT NOT NULL,"
	" entered INTEGER NOT NULL, occupied_s REAL NOT NULL, PRIMARY KEY (interval_start, zone));"
	"INSERT INTO counts VALUES (1700000040, 'north', 3, 12.5), (1700000040, 'south', 0, 0),"
	" (1700000100, 'north', 1, 60);";

static void make_db(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg ? msg : "");
	sqlite3_close(db);
}

START_TEST(store_migrates_v1_and_keeps_rows)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store_summary sum;
	zp_store_sample smp;
	zp_store *s;
	rows rs;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	make_db(p.path, v1_sql);

	/* read-only (audit) sees version 1 as it is, and does not migrate it */
	s = zp_store_open(&p, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_store_schema_version(s), 1);
	ck_assert_int_eq(zp_store_summarize(s, &sum, err, sizeof(err)), 0);
	ck_assert_int_eq(sum.rows, 3);
	ck_assert_int_eq(sum.entered_total, 4);
	ck_assert_int_eq(sum.last_end, 1700000160);
	rs.n = 0;
	ck_assert_int_eq(zp_store_read(s, 0, INT64_MAX, true, 1, collect, &rs), 0);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].interval_start, 1700000100);
	ck_assert_int_eq(rs.r[0].interval_s, 60);
	zp_store_close(s);

	/* the daemon's open migrates */
	s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_store_schema_version(s), 2);
	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = 1700000165000LL;
	smp.dt_ms = 5000;
	smp.occupied[0] = true;
	smp.entered[0] = 2;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	zp_store_close(s);

	read_all(p.path, &rs);
	ck_assert_int_eq(rs.n, 6);
	check_zone(&rs, 1700000040, "north", 3, 12.5);
	check_zone(&rs, 1700000040, "south", 0, 0);
	check_zone(&rs, 1700000100, "north", 1, 60);
	ck_assert_ptr_null(find_row(&rs, 1700000040, ZP_STORE_CROSSING)); /* v1 had no light figures */
	check_zone(&rs, 1700000160, "north", 2, 5);
	check_crossing(&rs, 1700000160, 0, 0, 0);
	for (int i = 0; i < rs.n; i++)
		ck_assert_int_eq(rs.r[i].interval_s, 60);
	rmtree(dir);
}
END_TEST

/* A step that fails leaves the file at the old version with its rows (one transaction per step). */
START_TEST(store_failed_migration_changes_nothing)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store *s;
	int code = 0;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "counts.db", 60);
	make_db(p.path, v1_sql);
	make_db(p.path, "INSERT INTO counts VALUES (1700000160, 'north', -1, 0)"); /* fails v2's CHECK */
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_msg(strstr(err, "version 2") != NULL, "%s", err);
	s = zp_store_open(&p, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_store_schema_version(s), 1);
	zp_store_close(s);
	rmtree(dir);
}
END_TEST

START_TEST(store_refuses_newer_and_foreign_databases)
{
	char dir[64], err[256];
	zp_store_params p;
	int code = 0;

	tmpdir(dir, sizeof(dir));
	set_params(&p, dir, "newer.db", 60);
	make_db(p.path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"INSERT INTO meta VALUES ('schema_version', '99');");
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EINVAL);
	ck_assert_msg(strstr(err, "schema version 99 is newer") != NULL, "%s", err);

	set_params(&p, dir, "foreign.db", 60);
	make_db(p.path, "CREATE TABLE photos(id INTEGER, data BLOB);");
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EINVAL);
	ck_assert_msg(strstr(err, "not a zebrapad counts store") != NULL, "%s", err);
	rmtree(dir);
}
END_TEST

/* ---- crashes and power cuts ---- */

/* What the writer accounts in sample k of interval i (a pattern the checker recomputes). */
static void kill_sample(int64_t base_s, int64_t i, int k, zp_store_sample *smp)
{
	memset(smp, 0, sizeof(*smp));
	smp->wall_ms = (base_s + i) * 1000 + k * 250 + 100;
	smp->dt_ms = 100;
	smp->entered[0] = k == 0 ? (int)((i * 7) % 5) : 0;
	smp->entered[1] = k == 1 ? (int)(i % 3) : 0;
	smp->occupied[0] = (i + k) % 3 == 0;
	smp->occupied[1] = k < i % 5;
	smp->light_activations = k == 0 ? (int)(i % 2) : 0;
	smp->light_on = k >= 2;
	smp->fault = i % 7 == 0;
}

static void check_kill_interval(const rows *rs, int64_t base_s, int64_t i)
{
	int64_t occ0 = 0;

	for (int k = 0; k < 4; k++)
		occ0 += (i + k) % 3 == 0;
	check_zone(rs, base_s + i, "north", (i * 7) % 5, occ0 * 0.1);
	check_zone(rs, base_s + i, "south", i % 3, (i % 5 < 4 ? i % 5 : 4) * 0.1);
	check_crossing(rs, base_s + i, i % 2, 0.2, i % 7 == 0 ? 0.4 : 0);
}

/* The writer: 1-second intervals as fast as it can; after each commit it reports the interval closed. */
static void __attribute__((noreturn)) kill_writer(const char *path, int64_t base_s, int fd, bool powercut)
{
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	char err[256];

	if (powercut && zp_powercut_register() != 0)
		_exit(5);
	memset(&p, 0, sizeof(p));
	zp_strlcpy(p.path, path, sizeof(p.path));
	p.interval_s = 1;
	p.retention_days = 3650;
	s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "writer: %s\n", err);
		_exit(3);
	}
	for (int64_t i = 0; i < 100000000; i++) {
		for (int k = 0; k < 4; k++) {
			kill_sample(base_s, i, k, &smp);
			if (zp_store_account(s, &smp) != 0)
				_exit(4);
			if (k == 0 && i > 0) {
				int64_t done = i - 1;

				if (write(fd, &done, sizeof(done)) != (ssize_t)sizeof(done))
					_exit(6);
			}
		}
	}
	_exit(0);
}

static void integrity_ok(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * Kill the writer `runs` times at pseudo-random moments (some during open,
 * creation and migration, most amid commits and checkpoints). After each
 * kill: the file opens, integrity_check says ok, every interval the writer
 * reported as committed is there with its exact figures, and at most one
 * more (committed but not yet reported) - so what is lost is at most the
 * interval in progress. Earlier runs' rows stay intact. With `powercut`,
 * the files are also cut back to what a power cut could leave.
 */
static void kill_test(bool powercut, int runs)
{
	char dir[64], path[128], err[256];
	uint32_t rng = powercut ? 4242 : 1234;
	int64_t total_rows = 0, max_committed = 0, lost_unsynced = 0, early = 0;
	zp_store_params p;
	zp_store *s;
	rows *rs = malloc(sizeof(*rs));
	zp_store_summary sum;

	ck_assert_ptr_nonnull(rs);
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/counts.db", dir);
	for (int run = 0; run < runs; run++) {
		int64_t base_s = 1700000000 + (int64_t)run * 1000000, reported = 0, got, present;
		struct timespec ts;
		int fds[2], status;
		uint32_t delay_us;
		pid_t pid;

		ck_assert_int_eq(pipe(fds), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(fds[0]);
			kill_writer(path, base_s, fds[1], powercut);
		}
		close(fds[1]);
		rng = rng * 1103515245u + 12345u;
		/* one run in eight dies within the first millisecond (open, create, migrate) */
		delay_us = (rng >> 8) % 8 == 0 ? (rng >> 12) % 1000 : 1000 + (rng >> 12) % 100000;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)delay_us * 1000;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "run %d: the writer exited by itself (status %d)", run, status);
		while (read(fds[0], &got, sizeof(got)) == (ssize_t)sizeof(got)) {
			ck_assert_int_eq(got, reported); /* in order, none skipped */
			reported++;
		}
		close(fds[0]);
		if (powercut) {
			int n = zp_powercut_apply(path, rng);

			ck_assert_int_ge(n, 0);
			lost_unsynced += n;
		}
		if (access(path, F_OK) == 0)
			integrity_ok(path);
		else
			ck_assert_int_eq(reported, 0); /* the file itself can only vanish before anything was committed */

		/* the store opens it (creating or migrating it if the kill came that early) */
		set_params(&p, dir, "counts.db", 1);
		s = zp_store_open(&p, two_zones, 2, 0, NULL, err, sizeof(err));
		ck_assert_msg(s != NULL, "run %d: %s", run, err);
		/* in windows of 100 intervals (300 rows) */
		present = 0;
		for (int64_t w = 0;; w += 100) {
			rs->n = 0;
			ck_assert_int_eq(zp_store_read(s, base_s + w, base_s + w + 100, false, 0, collect, rs), 0);
			ck_assert_int_eq(rs->n % 3, 0);
			for (int64_t i = w; i < w + rs->n / 3; i++)
				check_kill_interval(rs, base_s, i); /* so they are w, w+1, ... with no gap */
			present += rs->n / 3;
			total_rows += rs->n;
			if (rs->n < 300)
				break;
		}
		ck_assert_msg(present >= reported && present <= reported + 1,
			      "run %d: %lld intervals reported committed, %lld in the file", run, (long long)reported,
			      (long long)present);
		if (present > max_committed)
			max_committed = present;
		early += present == 0;
		ck_assert_int_eq(zp_store_summarize(s, &sum, err, sizeof(err)), 0);
		ck_assert_int_eq(sum.rows, total_rows);
		zp_store_close(s);
		if (powercut)
			ck_assert_int_eq(zp_powercut_settle(path), 0);
	}
	fprintf(stderr, "%s: %d kills (%lld before the first commit), %lld rows kept, up to %lld intervals per run\n",
		powercut ? "power cut" : "SIGKILL", runs, (long long)early, (long long)total_rows,
		(long long)max_committed);
	if (powercut)
		fprintf(stderr, "power cut: %lld unsynced writes dropped in all\n", (long long)lost_unsynced);
	ck_assert_int_gt(total_rows, 0);
	free(rs);
	rmtree(dir);
}

START_TEST(store_survives_sigkill)
{
	kill_test(false, 120);
}
END_TEST

START_TEST(store_survives_power_cut)
{
	kill_test(true, 120);
}
END_TEST

static Suite *privacy_suite(void)
{
	Suite *s = suite_create("privacy");
	TCase *store = tcase_create("store");
	TCase *crash = tcase_create("crash");

	tcase_add_test(store, store_aggregates_exactly);
	tcase_add_test(store, store_dry_run_writes_nothing);
	tcase_add_test(store, store_restart_in_same_interval_adds_up);
	tcase_add_test(store, store_clock_set_back_and_gaps);
	tcase_add_test(store, store_rejects_bad_input);
	tcase_add_test(store, store_retention_deletes_exactly_the_old_rows);
	tcase_add_test(store, store_migrates_v1_and_keeps_rows);
	tcase_add_test(store, store_failed_migration_changes_nothing);
	tcase_add_test(store, store_refuses_newer_and_foreign_databases);
	suite_add_tcase(s, store);
	tcase_set_timeout(crash, 240);
	tcase_add_test(crash, store_survives_sigkill);
	tcase_add_test(crash, store_survives_power_cut);
	suite_add_tcase(s, crash);
	return s;
}

int main(void)
{
	return zp_test_run(privacy_suite());
}
