/* SPDX-License-Identifier: MIT */
/*
 * test_privacy.c - the counts store (exact aggregation, retention,
 * migrations, SIGKILL and power-cut durability), the data-directory audit
 * and the sandbox.
 */
#include "zp_test.h"
#include "zp_child.h"
#include "privacy_internal.h" /* zp_store_check_contents: what the audit finds inside the store */
#include "store.h"
#include "writer.h"
#include "zp_store_rows.h"
#include "zp_text.h"
#include "fakes/powercut_vfs.h"

#if ZP_HAVE_JSON
#include <cjson/cJSON.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <sched.h>
#include <limits.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 2023-11-14 22:14:00 UTC, a multiple of 60 s */
#define T0_MS 1700000040000LL

/* ---- helpers ---- */

static void set_params(zp_store_params *p, const char *dir, const char *name, int interval_s)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s/%s", dir, name);
	p->interval_s = interval_s;
	p->retention_days = 365;
}

/* A new directory for one test, and the parameters of a store named name in it. */
static void store_in_new_dir(char *dir, size_t dirlen, zp_store_params *p, const char *name, int interval_s)
{
	zp_test_tmpdir_make(dir, dirlen, "privacy");
	set_params(p, dir, name, interval_s);
}

/* A sample of dt_ms ending at wall_ms in which nothing is seen yet. */
static void sample_at(zp_store_sample *smp, int64_t wall_ms, int64_t dt_ms)
{
	memset(smp, 0, sizeof(*smp));
	smp->wall_ms = wall_ms;
	smp->dt_ms = dt_ms;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void check_zone(const zp_rows *rs, int64_t start, const char *zone, int64_t entered, double occ)
{
	const zp_store_row *r = zp_rows_find(rs, start, zone);

	ck_assert_msg(r != NULL, "no row for %lld %s", (long long)start, zone);
	ck_assert_int_eq(r->entered, entered);
	ck_assert_double_eq_tol(r->occupied_s, occ, 1e-9);
	ck_assert_int_eq(r->light_activations, -1);
	ck_assert(r->light_on_s < 0 && r->fault_s < 0);
}

static void check_crossing(const zp_rows *rs, int64_t start, int64_t act, double on, double fault)
{
	const zp_store_row *r = zp_rows_find(rs, start, ZP_STORE_CROSSING);

	ck_assert_msg(r != NULL, "no crossing row for %lld", (long long)start);
	ck_assert_int_eq(r->entered, -1);
	ck_assert(r->occupied_s < 0);
	ck_assert_int_eq(r->light_activations, act);
	ck_assert_double_eq_tol(r->light_on_s, on, 1e-9);
	ck_assert_double_eq_tol(r->fault_s, fault, 1e-9);
}

static const char *const two_zones[] = { "north", "south" };

/* The store of p opened with zones and flags; fails the test when it cannot be. */
static zp_store *open_ok(const zp_store_params *p, const char *const *zones, int nzones, unsigned flags)
{
	char err[256];
	zp_store *s = zp_store_open(p, zones, nzones, flags, NULL, err, sizeof(err));

	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

/* with two_zones and flags (0, ZP_STORE_DRY_RUN) */
static zp_store *open_two_zones(const zp_store_params *p, unsigned flags)
{
	return open_ok(p, two_zones, 2, flags);
}

/* as audit opens it: no zones, no migration */
static zp_store *open_read_only(const zp_store_params *p)
{
	return open_ok(p, NULL, 0, ZP_STORE_READ_ONLY);
}

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
	static const zp_store_sample samples[] = {
		{ .wall_ms = T0_MS + 10000, .dt_ms = 10000, .occupied = { true }, .entered = { 1 }, .light_on = true,
		  .light_activations = 1 },
		{ .wall_ms = T0_MS + 30000, .dt_ms = 20000, .occupied = { true, true }, .entered = { [1] = 2 },
		  .light_on = true },
		{ .wall_ms = T0_MS + 70000, .dt_ms = 40000, .occupied = { [1] = true }, .fault = true, .entered = { 1 } },
		{ .wall_ms = T0_MS + 130000, .dt_ms = 60000, .light_on = true, .light_activations = 2 },
		{ .wall_ms = T0_MS + 200000, .dt_ms = 10000, .occupied = { true } },
	};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		ck_assert_int_eq(zp_store_account(s, &samples[i]), 0);
}

static void check_scenario(const zp_rows *rs)
{
	/* per interval A..D: entered and occupied s of north and south; activations, on s and fault s */
	static const struct {
		int64_t north_entered;
		double north_occ;
		int64_t south_entered;
		double south_occ;
		int64_t act;
		double on, fault;
	} want[4] = {
		{ 1, 30, 2, 50, 1, 30, 30 },
		{ 1, 0, 0, 10, 0, 50, 10 },
		{ 0, 0, 0, 0, 2, 10, 0 },
		{ 0, 10, 0, 0, 0, 0, 0 },
	};

	ck_assert_int_eq(rs->n, 12);
	for (int k = 0; k < 4; k++) {
		int64_t start = T0_MS / 1000 + 60 * k;

		check_zone(rs, start, "north", want[k].north_entered, want[k].north_occ);
		check_zone(rs, start, "south", want[k].south_entered, want[k].south_occ);
		check_crossing(rs, start, want[k].act, want[k].on, want[k].fault);
	}
	for (int i = 0; i < rs->n; i++)
		ck_assert_int_eq(rs->r[i].interval_s, 60);
}

/* ---- store ---- */

START_TEST(store_aggregates_exactly)
{
	char dir[64];
	zp_store_params p;
	zp_store *s;
	zp_rows sunk, stored;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
	s = open_two_zones(&p, 0);
	ck_assert_int_eq(zp_store_schema_version(s), ZP_STORE_SCHEMA_VERSION);
	sunk.n = 0;
	zp_store_set_sink(s, zp_rows_sink, &sunk);
	account_scenario(s);
	/* A, B and C are closed and written; D is in progress */
	ck_assert_int_eq(sunk.n, 9);
	zp_rows_read(p.path, &stored);
	ck_assert_int_eq(stored.n, 9);
	ck_assert_ptr_null(zp_rows_find(&stored, T0_MS / 1000 + 180, "north"));
	zp_store_close(s); /* flushes D */
	ck_assert_int_eq(sunk.n, 12);
	check_scenario(&sunk);
	zp_rows_read(p.path, &stored);
	check_scenario(&stored);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(store_dry_run_writes_nothing)
{
	char dir[64];
	zp_store_params p;
	zp_store *s;
	struct stat st;
	zp_rows sunk;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
	s = open_two_zones(&p, ZP_STORE_DRY_RUN);
	sunk.n = 0;
	zp_store_set_sink(s, zp_rows_sink, &sunk);
	account_scenario(s);
	zp_store_close(s);
	check_scenario(&sunk);
	ck_assert_int_ne(stat(p.path, &st), 0);
	/* and without any path at all */
	p.path[0] = '\0';
	s = open_two_zones(&p, ZP_STORE_DRY_RUN);
	zp_store_close(s);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(store_restart_in_same_interval_adds_up)
{
	char dir[64];
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	zp_rows rs;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
	for (int run = 0; run < 2; run++) {
		s = open_two_zones(&p, 0);
		sample_at(&smp, T0_MS + 5000 + run * 20000, 5000);
		smp.occupied[1] = true;
		smp.entered[1] = 3;
		smp.light_on = true;
		smp.light_activations = 1;
		ck_assert_int_eq(zp_store_account(s, &smp), 0);
		zp_store_close(s);
	}
	zp_rows_read(p.path, &rs);
	ck_assert_int_eq(rs.n, 3);
	check_zone(&rs, T0_MS / 1000, "south", 6, 10);
	check_zone(&rs, T0_MS / 1000, "north", 0, 0);
	check_crossing(&rs, T0_MS / 1000, 2, 10, 0);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(store_clock_set_back_and_gaps)
{
	char dir[64];
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	zp_rows rs;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 10);
	s = open_two_zones(&p, 0);
	sample_at(&smp, T0_MS + 25000, 4000); /* interval T0+20 */
	smp.occupied[0] = true;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	smp.wall_ms = T0_MS + 3000; /* the clock went back 22 s: T0+20 closes, T0+0 opens */
	smp.dt_ms = 5000;           /* clipped to the 3 s inside the new interval */
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	smp.wall_ms = T0_MS + 1005000; /* a long gap: nothing for the intervals in between */
	smp.dt_ms = 500000;            /* [T0+505, T0+1005]: only its last 5 s count, in T0+1000 */
	smp.occupied[0] = false;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	zp_store_close(s);
	zp_rows_read(p.path, &rs);
	ck_assert_int_eq(rs.n, 9);
	check_zone(&rs, T0_MS / 1000 + 20, "north", 0, 4);
	check_zone(&rs, T0_MS / 1000, "north", 0, 3);
	check_zone(&rs, T0_MS / 1000 + 1000, "north", 0, 0);
	check_crossing(&rs, T0_MS / 1000 + 1000, 0, 0, 0);
	zp_test_tmpdir_remove(dir);
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

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
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
	{
		char jpeg[150];

		memset(jpeg, '.', sizeof(jpeg));
		memcpy(jpeg, "\xff\xd8\xff\xe0 this is no database, it is a JPEG", 36);
		write_file(path, jpeg, sizeof(jpeg));
	}
	set_params(&p, dir, "counts.db", 60);
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EINVAL);
	ck_assert_msg(strstr(err, "not a SQLite database") != NULL, "%s", err);
	unlink(path);

	s = open_two_zones(&p, 0);
	sample_at(&smp, T0_MS, -1);
	ck_assert_int_eq(zp_store_account(s, &smp), ZP_EINVAL);
	smp.dt_ms = 0;
	smp.entered[1] = -2;
	ck_assert_int_eq(zp_store_account(s, &smp), ZP_EINVAL);
	zp_store_close(s);
	zp_test_tmpdir_remove(dir);
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

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
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
	s = open_read_only(&p);
	ck_assert_int_eq(zp_store_summarize(s, &sum, err, sizeof(err)), 0);
	zp_store_close(s);
	ck_assert_int_eq(sum.first_start, day0 + 36 * 86400LL);
	ck_assert_int_eq(sum.last_end, day0 + 399 * 86400LL + 60);
	ck_assert_int_eq(sum.rows, 2 * 364);
	ck_assert_int_eq(sum.zone_rows, 364);
	ck_assert_int_eq(sum.entered_total, 364);
	ck_assert_int_eq(sum.nzones, 1);
	ck_assert_str_eq(sum.zones[0], "north");
	zp_test_tmpdir_remove(dir);
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
	zp_rows rs;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
	make_db(p.path, v1_sql);

	/* read-only (audit) sees version 1 as it is, and does not migrate it */
	s = open_read_only(&p);
	ck_assert_int_eq(zp_store_schema_version(s), 1);
	ck_assert_int_eq(zp_store_summarize(s, &sum, err, sizeof(err)), 0);
	ck_assert_int_eq(sum.rows, 3);
	ck_assert_int_eq(sum.entered_total, 4);
	ck_assert_int_eq(sum.last_end, 1700000160);
	rs.n = 0;
	ck_assert_int_eq(zp_store_read(s, 0, INT64_MAX, true, 1, zp_rows_add, &rs), 0);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].interval_start, 1700000100);
	ck_assert_int_eq(rs.r[0].interval_s, 60);
	zp_store_close(s);

	/* the daemon's open migrates */
	s = open_two_zones(&p, 0);
	ck_assert_int_eq(zp_store_schema_version(s), ZP_STORE_SCHEMA_VERSION);
	sample_at(&smp, 1700000165000LL, 5000);
	smp.crossed[0][0] = smp.crossed[0][1] = -1;
	smp.crossed[1][0] = smp.crossed[1][1] = -1;
	smp.occupied[0] = true;
	smp.entered[0] = 2;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	zp_store_close(s);

	zp_rows_read(p.path, &rs);
	ck_assert_int_eq(rs.n, 6);
	check_zone(&rs, 1700000040, "north", 3, 12.5);
	check_zone(&rs, 1700000040, "south", 0, 0);
	check_zone(&rs, 1700000100, "north", 1, 60);
	ck_assert_ptr_null(zp_rows_find(&rs, 1700000040, ZP_STORE_CROSSING)); /* v1 had no light figures */
	check_zone(&rs, 1700000160, "north", 2, 5);
	check_crossing(&rs, 1700000160, 0, 0, 0);
	for (int i = 0; i < rs.n; i++) {
		ck_assert_int_eq(rs.r[i].interval_s, 60);
		ck_assert_int_eq(rs.r[i].crossed_a_to_b, -1); /* not counted before version 3, no sides now */
		ck_assert_int_eq(rs.r[i].crossed_b_to_a, -1);
	}
	zp_test_tmpdir_remove(dir);
}
END_TEST


/* The first column of the first row of sql, an integer; -1 when there is none. */
static int query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The version-2 schema as zebrapad 2 wrote it (verbatim, independent of schema.c), with rows of every kind. */
static const char v2_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta(key, value) VALUES ('application', 'zebrapad counts'), ('schema_version', '2');"
	/* the same bytes run on, not a column a line as schema.c writes its migration: this copy stays as
	 * version 2 stored it when schema.c changes */
	"CREATE TABLE counts( interval_start INTEGER NOT NULL CHECK (interval_start >= 0), interval_s INTEGER NOT NULL"
	" CHECK (interval_s > 0 AND interval_start % interval_s = 0), zone TEXT NOT NULL CHECK (length(zone) > 0),"
	" entered INTEGER CHECK (entered >= 0), occupied_s REAL CHECK (occupied_s >= 0 AND occupied_s <= interval_s),"
	" light_activations INTEGER CHECK (light_activations >= 0), light_on_s REAL CHECK (light_on_s >= 0 AND"
	" light_on_s <= interval_s), fault_s REAL CHECK (fault_s >= 0 AND fault_s <= interval_s),"
	" PRIMARY KEY (interval_start, zone, interval_s)) WITHOUT ROWID;"
	"INSERT INTO counts VALUES"
	" (1700000040, 60, 'north', 3, 12.5, NULL, NULL, NULL),"
	" (1700000040, 60, 'south', 0, 0, NULL, NULL, NULL),"
	" (1700000040, 60, '*', NULL, NULL, 2, 20.25, 1.5),"
	" (1700000100, 60, 'north', 1, 60, NULL, NULL, NULL),"
	" (1700000100, 60, 'south', 7, 33.125, NULL, NULL, NULL),"
	" (1700000100, 60, '*', NULL, NULL, 0, 0, 60),"
	" (1700000100, 20, 'north', 4, 20, NULL, NULL, NULL);";

static void v2_rows_as_written(const zp_rows *rs)
{
	static const struct {
		int64_t start;
		int len;
		const char *zone;
		int64_t entered, act;
		double occ, on, fault;
	} want[] = {
		{ 1700000040, 60, "north", 3, -1, 12.5, -1, -1 },
		{ 1700000040, 60, "south", 0, -1, 0, -1, -1 },
		{ 1700000040, 60, "*", -1, 2, -1, 20.25, 1.5 },
		{ 1700000100, 60, "north", 1, -1, 60, -1, -1 },
		{ 1700000100, 60, "south", 7, -1, 33.125, -1, -1 },
		{ 1700000100, 60, "*", -1, 0, -1, 0, 60 },
		{ 1700000100, 20, "north", 4, -1, 20, -1, -1 },
	};
	int found = 0;

	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		for (int i = 0; i < rs->n; i++) {
			const zp_store_row *r = &rs->r[i];

			if (r->interval_start != want[k].start || r->interval_s != want[k].len || strcmp(r->zone, want[k].zone))
				continue;
			found++;
			ck_assert_int_eq(r->entered, want[k].entered);
			ck_assert_int_eq(r->light_activations, want[k].act);
			ck_assert_double_eq(r->occupied_s, want[k].occ);
			ck_assert_double_eq(r->light_on_s, want[k].on);
			ck_assert_double_eq(r->fault_s, want[k].fault);
			ck_assert_int_eq(r->crossed_a_to_b, -1);
			ck_assert_int_eq(r->crossed_b_to_a, -1);
		}
	ck_assert_int_eq(found, (int)(sizeof(want) / sizeof(want[0])));
}

static void count_findings(void *ctx, const char *what)
{
	(void)what;
	(*(int *)ctx)++;
}

START_TEST(store_migrates_v2_and_keeps_rows)
{
	char dir[64];
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	sqlite3 *db;
	zp_rows rs;
	int findings = 0;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
	make_db(p.path, v2_sql);

	/* read-only (audit): version 2 as it is, no crossing columns yet (NULL), nothing changed */
	s = open_read_only(&p);
	ck_assert_int_eq(zp_store_schema_version(s), 2);
	rs.n = 0;
	ck_assert_int_eq(zp_store_read(s, 0, INT64_MAX, false, 0, zp_rows_add, &rs), 0);
	ck_assert_int_eq(rs.n, 7);
	v2_rows_as_written(&rs);
	ck_assert_int_eq(zp_store_check_contents(s, count_findings, &findings), 0);
	zp_store_close(s);

	/* the daemon's open migrates; every row is kept as it was */
	s = open_two_zones(&p, 0);
	ck_assert_int_eq(zp_store_schema_version(s), ZP_STORE_SCHEMA_VERSION);
	zp_store_close(s);
	zp_rows_read(p.path, &rs);
	ck_assert_int_eq(rs.n, 7);
	v2_rows_as_written(&rs);
	/* version 4: every kept row in the change sequence, in key order */
	ck_assert_int_eq(sqlite3_open(p.path, &db), SQLITE_OK);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM changes JOIN counts USING (interval_start, zone, interval_s)"),
			 7);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM changes a JOIN changes b ON a.seq < b.seq WHERE"
				   " (a.interval_start, a.zone, a.interval_s) > (b.interval_start, b.zone, b.interval_s)"), 0);
	sqlite3_close(db);

	/* new counts: a crossing row of a kept interval gets its crossings added to NULL (= none counted) */
	s = open_two_zones(&p, 0);
	sample_at(&smp, 1700000130000LL, 1000);
	smp.crossed[0][0] = smp.crossed[0][1] = -1;
	smp.crossed[1][0] = 2;
	smp.crossed[1][1] = 1;
	ck_assert_int_eq(zp_store_account(s, &smp), 0);
	ck_assert_int_eq(zp_store_check_contents(s, count_findings, &findings), 0);
	zp_store_close(s);
	zp_rows_read(p.path, &rs);
	ck_assert_int_eq(rs.n, 7);
	ck_assert_int_eq(zp_rows_find(&rs, 1700000100, "south")->entered, 7);
	ck_assert_int_eq(zp_rows_find(&rs, 1700000100, "south")->crossed_a_to_b, 2);
	ck_assert_int_eq(zp_rows_find(&rs, 1700000100, "south")->crossed_b_to_a, 1);
	ck_assert_int_eq(zp_rows_find(&rs, 1700000100, "north")->crossed_a_to_b, -1);
	ck_assert_int_eq(zp_rows_find(&rs, 1700000100, "*")->crossed_a_to_b, -1);
	/* the row written again went to the end of the change sequence; a deleted row leaves it */
	ck_assert_int_eq(sqlite3_open(p.path, &db), SQLITE_OK);
	ck_assert_int_eq(query_int(db, "SELECT seq > 7 FROM changes WHERE interval_start = 1700000100 AND"
				   " zone = 'south'"), 1);
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM counts WHERE zone = 'north'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM changes WHERE zone = 'north'"), 0);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM changes"), query_int(db, "SELECT count(*) FROM counts"));
	sqlite3_close(db);

	/* the schema itself refuses crossings on the "*" row, negative counts and one direction alone */
	ck_assert_int_eq(sqlite3_open(p.path, &db), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE counts SET crossed_a_to_b = 1, crossed_b_to_a = 1 WHERE zone = '*'",
				      NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE counts SET crossed_a_to_b = -1 WHERE zone = 'south'", NULL, NULL,
				      NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE counts SET crossed_b_to_a = NULL WHERE zone = 'south'", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(findings, 0);
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* A step that fails leaves the file at the old version with its rows (one transaction per step). */
START_TEST(store_failed_migration_changes_nothing)
{
	char dir[64], err[256];
	zp_store_params p;
	zp_store *s;
	int code = 0;

	store_in_new_dir(dir, sizeof(dir), &p, "counts.db", 60);
	make_db(p.path, v1_sql);
	make_db(p.path, "INSERT INTO counts VALUES (1700000160, 'north', -1, 0)"); /* fails v2's CHECK */
	ck_assert_ptr_null(zp_store_open(&p, two_zones, 2, 0, &code, err, sizeof(err)));
	ck_assert_msg(strstr(err, "version 2") != NULL, "%s", err);
	s = open_read_only(&p);
	ck_assert_int_eq(zp_store_schema_version(s), 1);
	zp_store_close(s);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(store_refuses_newer_and_foreign_databases)
{
	char dir[64], err[256];
	zp_store_params p;
	int code = 0;

	store_in_new_dir(dir, sizeof(dir), &p, "newer.db", 60);
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
	zp_test_tmpdir_remove(dir);
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

static void check_kill_interval(const zp_rows *rs, int64_t base_s, int64_t i)
{
	int64_t occ0 = 0;

	for (int k = 0; k < 4; k++)
		occ0 += (i + k) % 3 == 0;
	check_zone(rs, base_s + i, "north", (i * 7) % 5, occ0 * 0.1);
	check_zone(rs, base_s + i, "south", i % 3, (i % 5 < 4 ? i % 5 : 4) * 0.1);
	check_crossing(rs, base_s + i, i % 2, 0.2, i % 7 == 0 ? 0.4 : 0);
}

/* What the writer is given: its store's path, its first interval, and whether power cuts are simulated. */
struct kill_run {
	const char *path;
	int64_t base_s;
	bool powercut;
};

/*
 * The writer (ctx: a struct kill_run): 1-second intervals as fast as it can; after each commit it reports the
 * interval closed to fd.
 */
static void __attribute__((noreturn)) kill_writer(void *ctx, int fd)
{
	const struct kill_run *run = ctx;
	const char *path = run->path;
	const int64_t base_s = run->base_s;
	zp_store_params p;
	zp_store_sample smp;
	zp_store *s;
	char err[256];

	if (run->powercut && zp_powercut_register() != 0)
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
	zp_rows *rs = malloc(sizeof(*rs));
	zp_store_summary sum;

	ck_assert_ptr_nonnull(rs);
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	snprintf(path, sizeof(path), "%s/counts.db", dir);
	for (int run = 0; run < runs; run++) {
		int64_t base_s = 1700000000 + (int64_t)run * 1000000, reported = 0, got, present;
		struct kill_run writer = { path, base_s, powercut };
		struct timespec ts;
		int from_writer, status;
		uint32_t delay_us;
		pid_t pid = zp_child_start(kill_writer, &writer, &from_writer);

		rng = rng * 1103515245u + 12345u;
		/* one run in eight dies within the first millisecond (open, create, migrate) */
		delay_us = (rng >> 8) % 8 == 0 ? (rng >> 12) % 1000 : 1000 + (rng >> 12) % 100000;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)delay_us * 1000;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "run %d: the writer exited by itself (status %d)", run, status);
		while (read(from_writer, &got, sizeof(got)) == (ssize_t)sizeof(got)) {
			ck_assert_int_eq(got, reported); /* in order, none skipped */
			reported++;
		}
		close(from_writer);
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
			ck_assert_int_eq(zp_store_read(s, base_s + w, base_s + w + 100, false, 0, zp_rows_add, rs), 0);
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
	zp_test_tmpdir_remove(dir);
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

/* ---- audit ---- */

START_TEST(audit_sniffs_images_videos_and_raw_frames)
{
	static const struct {
		const char *head;
		size_t n;
		int64_t size;
		zp_audit_kind kind;
		const char *what;
	} cases[] = {
		{ "\xff\xd8\xff\xe0\0\x10JFIF", 10, 5000, ZP_AUDIT_IMAGE, "JPEG" },
		{ "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, 5000, ZP_AUDIT_IMAGE, "PNG" },
		{ "GIF89a\x10\0", 8, 5000, ZP_AUDIT_IMAGE, "GIF" },
		{ "BM\x88\x13\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x10\0\0\0\x10\0\0\0", 26, 5000, ZP_AUDIT_IMAGE, "BMP" },
		{ "II*\0\x08\0\0\0", 8, 5000, ZP_AUDIT_IMAGE, "TIFF" },
		{ "RIFF\0\0\0\0WEBPVP8 ", 16, 5000, ZP_AUDIT_IMAGE, "WebP" },
		{ "P5\n640 480\n255\n", 15, 5000, ZP_AUDIT_IMAGE, "PGM" },
		{ "P6 2 2 255 ", 11, 5000, ZP_AUDIT_IMAGE, "PPM" },
		{ "\0\0\0\x18" "ftypheic\0\0\0\0", 16, 5000, ZP_AUDIT_IMAGE, "HEIF" },
		{ "\0\0\0\x18" "ftypisom\0\0\x02\0", 16, 5000, ZP_AUDIT_VIDEO, "MP4" },
		{ "\0\0\0\x14" "ftypqt  \0\0\0\0", 16, 5000, ZP_AUDIT_VIDEO, "QuickTime" },
		{ "RIFF\0\0\0\0AVI LIST", 16, 5000, ZP_AUDIT_VIDEO, "AVI" },
		{ "\x1a\x45\xdf\xa3\x9f\x42\x86\x81", 8, 5000, ZP_AUDIT_VIDEO, "Matroska" },
		{ "\0\0\0\x01\x67\x42\0\x1e", 8, 5000, ZP_AUDIT_VIDEO, "H.264" },
		{ "YUV4MPEG2 W640 H480", 19, 5000, ZP_AUDIT_VIDEO, "Y4M" },
		{ "\x1f\x8b\x08\0", 4, 5000, ZP_AUDIT_UNKNOWN, "gzip" },
		{ "SQLite format 3\0", 16, 8192, ZP_AUDIT_UNKNOWN, "not the counts store" },
		{ "\x11\x22\x33\x44\x55\x66\x77\x88", 8, 640 * 480 * 2 * 3, ZP_AUDIT_RAW_FRAMES, "raw frames" },
		{ "\x11\x22\x33\x44\x55\x66\x77\x88", 8, 1920 * 1080 * 3 / 2, ZP_AUDIT_RAW_FRAMES, "1 x 1920x1080 YUV420" },
		{ "\x11\x22\x33\x44\x55\x66\x77\x88", 8, 1001, ZP_AUDIT_UNKNOWN, "unknown binary" },
		{ "hello, world\n", 13, 13, ZP_AUDIT_UNKNOWN, "text" },
		{ "", 0, 0, ZP_AUDIT_UNKNOWN, "empty" },
	};
	char what[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		zp_audit_kind k = zp_audit_sniff((const uint8_t *)cases[i].head, cases[i].n, cases[i].size, what,
						 sizeof(what));

		ck_assert_msg(k == cases[i].kind && strstr(what, cases[i].what), "case %zu: got %s '%s', expected %s '%s'",
			      i, zp_audit_kind_name(k), what, zp_audit_kind_name(cases[i].kind), cases[i].what);
	}
	/* an MPEG transport stream: 0x47 every 188 bytes */
	{
		uint8_t ts[188 * 3];

		memset(ts, 0xff, sizeof(ts));
		ts[0] = ts[188] = ts[376] = 0x47;
		ck_assert_int_eq(zp_audit_sniff(ts, sizeof(ts), 188 * 1000, what, sizeof(what)), ZP_AUDIT_VIDEO);
		ck_assert_ptr_nonnull(strstr(what, "transport stream"));
	}
}
END_TEST

/* A store being written (db, -wal, -shm all there), for scans. */
static zp_store *live_store(const char *dir, zp_store_params *p)
{
	zp_store_sample smp;
	char err[256];
	zp_store *s;

	set_params(p, dir, "counts.db", 60);
	s = zp_store_open(p, two_zones, 2, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	memset(&smp, 0, sizeof(smp));
	for (int i = 1; i <= 3; i++) {
		smp.wall_ms = T0_MS + i * 60000;
		smp.dt_ms = 1000;
		smp.entered[0] = i;
		smp.occupied[0] = true;
		smp.crossed[0][0] = -1; /* north has no sides */
		smp.crossed[0][1] = -1;
		smp.crossed[1][0] = i;  /* south is a crossing with sides */
		smp.crossed[1][1] = 1;
		ck_assert_int_eq(zp_store_account(s, &smp), 0);
	}
	return s;
}

static const zp_audit_finding *finding(const zp_audit_finding *f, size_t n, const char *dir, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].path, path))
			return &f[i];
	return NULL;
}

START_TEST(audit_scan_passes_on_the_store_alone)
{
	char dir[64], err[256], path[300];
	zp_audit_finding found[16];
	zp_store_params p;
	zp_store *s;
	size_t n = 0;
	struct stat st;

	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	s = live_store(dir, &p);
	snprintf(path, sizeof(path), "%s-wal", p.path);
	ck_assert_int_eq(stat(path, &st), 0); /* the WAL and its index exist while the store is open */
	ck_assert_int_eq(zp_audit_scan_dir(dir, p.path, false, found, 16, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(found[i].kind == ZP_AUDIT_STORE, "%s: %s", found[i].path, found[i].what);
	ck_assert_ptr_nonnull(finding(found, n, dir, "counts.db-shm"));
	zp_store_close(s);
	ck_assert_int_eq(zp_audit_scan_dir(dir, p.path, false, found, 16, &n, err, sizeof(err)), 0);
	ck_assert_uint_ge(n, 1);
	/* an empty data directory passes too */
	zp_test_tmpdir_remove(dir);
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	ck_assert_int_eq(zp_audit_scan_dir(dir, p.path, false, found, 16, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	zp_test_tmpdir_remove(dir);
	ck_assert_int_eq(zp_audit_scan_dir(dir, p.path, false, found, 16, &n, err, sizeof(err)), ZP_ENODEV);
	ck_assert_ptr_nonnull(strstr(err, dir));
}
END_TEST

static void plant(const char *dir, const char *name, const void *head, size_t n, size_t size)
{
	char path[600];
	uint8_t *buf = calloc(1, size);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, n < size ? n : size);
	for (size_t i = n; i < size; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, buf, size);
	free(buf);
}

START_TEST(audit_scan_flags_planted_images_videos_dumps_and_unknown_files)
{
	static const struct {
		const char *name;
		zp_audit_kind kind;
	} expect[] = {
		{ "photo.jpg", ZP_AUDIT_IMAGE },
		{ "innocent.dat", ZP_AUDIT_IMAGE },    /* a PNG under another name */
		{ "clip.mp4", ZP_AUDIT_VIDEO },
		{ "frames.bin", ZP_AUDIT_RAW_FRAMES }, /* 3 frames of 640x480 YUYV */
		{ "notes.txt", ZP_AUDIT_UNKNOWN },
		{ "counts.db-shm", ZP_AUDIT_IMAGE },   /* a JPEG wearing the store's name */
		{ "counts.db.bak", ZP_AUDIT_UNKNOWN }, /* a copy of the store is not the store */
		{ "sub/deep.jpg", ZP_AUDIT_IMAGE },
		{ "link", ZP_AUDIT_UNKNOWN },
		{ "calibration-preview.png", ZP_AUDIT_PREVIEW },
	};
	const size_t nexpect = sizeof(expect) / sizeof(expect[0]);
	char dir[64], err[256], path[600], sub[600];
	zp_audit_finding found[32];
	zp_store_params p;
	zp_store *s;
	size_t n = 0;
	int failing;

	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	s = live_store(dir, &p);
	zp_store_close(s); /* -shm is gone: plant a JPEG under its name */
	plant(dir, "photo.jpg", "\xff\xd8\xff\xe0", 4, 3000);
	plant(dir, "innocent.dat", "\x89PNG\r\n\x1a\n", 8, 2000);
	plant(dir, "clip.mp4", "\0\0\0\x18" "ftypmp42", 12, 70000);
	plant(dir, "frames.bin", "\x10\x80\x10\x80", 4, 640 * 480 * 2 * 3);
	plant(dir, "notes.txt", "just some notes\n", 16, 16);
	plant(dir, "counts.db-shm", "\xff\xd8\xff\xdb", 4, 32768);
	snprintf(path, sizeof(path), "%s/counts.db.bak", dir);
	snprintf(sub, sizeof(sub), "%s/counts.db", dir);
	{
		FILE *in = fopen(sub, "rb");
		char buf[4096];
		size_t got = in ? fread(buf, 1, sizeof(buf), in) : 0;

		ck_assert_uint_gt(got, 100);
		fclose(in);
		write_file(path, buf, got);
	}
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	plant(dir, "sub/deep.jpg", "\xff\xd8\xff\xe1", 4, 500);
	snprintf(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	plant(dir, "calibration-preview.png", "\x89PNG\r\n\x1a\n", 8, 4000);

	failing = zp_audit_scan_dir(dir, p.path, false, found, 32, &n, err, sizeof(err));
	ck_assert_int_eq(failing, (int)nexpect);
	ck_assert_uint_eq(n, nexpect + 1); /* and the store itself */
	ck_assert_int_eq(finding(found, n, dir, "counts.db")->kind, ZP_AUDIT_STORE);
	for (size_t i = 0; i < nexpect; i++) {
		const zp_audit_finding *f = finding(found, n, dir, expect[i].name);

		ck_assert_msg(f != NULL, "%s not reported", expect[i].name);
		ck_assert_msg(f->kind == expect[i].kind, "%s: %s (%s), expected %s", expect[i].name,
			      zp_audit_kind_name(f->kind), f->what, zp_audit_kind_name(expect[i].kind));
	}
	/* --allow-preview: the preview is listed, but does not fail the audit */
	ck_assert_int_eq(zp_audit_scan_dir(dir, p.path, true, found, 32, &n, err, sizeof(err)), (int)nexpect - 1);
	zp_test_tmpdir_remove(dir);
}
END_TEST

static char *report_to_string(const zp_audit_info *info, bool json, int *rc)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(mem);
	*rc = zp_audit_report(info, mem, json, err, sizeof(err));
	fclose(mem);
	return buf;
}

#if ZP_HAVE_JSON
/* The string at key of o; fails the test when there is none. */
static const char *jstring(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	ck_assert_msg(v != NULL, "no string \"%s\"", key);
	return v;
}

/*
 * A zone name, site and config path with a tab, a quote, a backslash and a byte that is not UTF-8:
 * the report is valid UTF-8 JSON that cJSON parses, and gives back each valid part as it was, the
 * stray byte as U+FFFD.
 */
START_TEST(audit_json_keeps_odd_names_and_stays_utf8)
{
	static const char odd[] = "a\tb\"c\\d\xff" "e";
	static const char back[] = "a\tb\"c\\d\xef\xbf\xbd" "e";
	const char *zones[] = { odd, "plain" };
	char dir[64], *text;
	zp_audit_info info;
	zp_store_params p;
	const cJSON *z;
	size_t bad;
	cJSON *j;
	int rc;

	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	zp_store_close(live_store(dir, &p));
	memset(&info, 0, sizeof(info));
	info.config_path = odd;
	info.site_name = odd;
	info.store = &p;
	info.nzones = 2;
	info.zones = zones;
	info.now_ms = T0_MS;
	text = report_to_string(&info, true, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(zp_utf8_valid(text, NULL, 0, &bad), strlen(text));
	ck_assert_uint_eq(bad, 0);
	j = cJSON_Parse(text);
	ck_assert_msg(j != NULL, "not JSON: %s", text);
	ck_assert_str_eq(jstring(j, "site"), back);
	ck_assert_str_eq(jstring(j, "config"), back);
	z = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "store"), "zones");
	ck_assert_int_eq(cJSON_GetArraySize(z), 2);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(z, 0)), back);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(z, 1)), "plain");
	cJSON_Delete(j);
	free(text);
	zp_test_tmpdir_remove(dir);
}
END_TEST
#endif

START_TEST(audit_report_names_what_is_kept_and_what_fails)
{
	const char *roles[] = { "waiting", "crossing" };
	char dir[64], *text;
	zp_audit_info info;
	zp_store_params p;
	zp_store *s;
	int rc;

	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	s = live_store(dir, &p);
	memset(&info, 0, sizeof(info));
	info.config_path = "/etc/zebrapad/site.ini";
	info.site_name = "Test crossing";
	info.store = &p;
	info.nzones = 2;
	info.zones = two_zones;
	info.zone_roles = roles;
	info.camera_device = "/dev/video0";
	info.gpio_chip = "gpiochip0";
	info.now_ms = T0_MS + 86400000;

	text = report_to_string(&info, false, &rc);
	ck_assert_int_eq(rc, 0);
	zp_assert_has_all(text, (const char *const[]){ "Result: PASS", p.path, "occupied_s", "Rows older than 365 days",
						 "What leaves the device\n  Nothing.",
						 "People counted in all: 3 entries", /* 1 + 2 (3 still open) */
						 "2023-11-14 22:16 UTC",             /* newest row in the sample */
						 NULL });
	/* the crossing columns, with the counting rule, and their values in the sample */
	zp_assert_has_all(text, (const char *const[]){
		"crossed_a_to_b", "crossed_b_to_a", "counted once per zone for as long as their track lives",
		"a crossing is a track seen in side A, then on the crossing, then in side B", "crossed A->B 2, B->A 1",
		NULL });
	ck_assert_ptr_null(strstr(text, "the counts table has a column"));
	free(text);

	plant(dir, "leak.jpg", "\xff\xd8\xff\xe0", 4, 3000);
	text = report_to_string(&info, false, &rc);
	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(text, "leak.jpg: JPEG image"));
	ck_assert_ptr_nonnull(strstr(text, "Result: FAIL - 1 file that is not the counts store"));
	free(text);

#if ZP_HAVE_JSON
	{
	const cJSON *st, *sample, *files, *f;
	int images = 0;
	cJSON *j;

	text = report_to_string(&info, true, &rc);
	ck_assert_int_eq(rc, 1);
	j = cJSON_Parse(text);
	ck_assert_msg(j != NULL, "not JSON: %s", text);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "pass")));
	ck_assert_str_eq(jstring(j, "leaves_device"), "nothing");
	ck_assert_str_eq(jstring(j, "site"), "Test crossing");
	st = cJSON_GetObjectItemCaseSensitive(j, "store");
	ck_assert_str_eq(jstring(st, "path"), p.path);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "readable")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "zones")), 2);
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(st, "entered_total")->valuedouble, 3);
	/* the sample's newest row: numbers, and null where a row has no such column */
	sample = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "sample"), 0);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(sample, "interval_start")));
	ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sample, "zone")));
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(sample, "occupied_s")) ||
		  cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(sample, "occupied_s")));
	files = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "scan"), "files");
	cJSON_ArrayForEach(f, files)
		if (!strcmp(jstring(f, "kind"), "image")) {
			ck_assert_ptr_nonnull(strstr(jstring(f, "path"), "leak.jpg"));
			images++;
		}
	ck_assert_int_eq(images, 1);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "sandbox"),
								 "daemon")) ||
		  cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "sandbox"),
								   "daemon")));
	cJSON_Delete(j);
	free(text);
	}
#endif
	zp_store_close(s);
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* A fresh store closed cleanly (no -wal, no -shm left), for planting next to it or into it. */
static void closed_store(const char *dir, zp_store_params *p)
{
	zp_store_close(live_store(dir, p));
}

static const uint8_t jpeg_head[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00 };

/* The report names `name` (text: on a FAIL line) and fails. */
static void assert_audit_fails_naming(const zp_audit_info *info, const char *name, const char *says)
{
	char *text, line[700];
	int rc;

	text = report_to_string(info, false, &rc);
	snprintf(line, sizeof(line), "FAIL  %s", name);
	ck_assert_msg(rc >= 1, "%s: the audit passes:\n%s", name, text);
	ck_assert_msg(strstr(text, line) != NULL, "%s: not named on a FAIL line:\n%s", name, text);
	if (says)
		ck_assert_msg(strstr(text, says) != NULL, "%s: no \"%s\":\n%s", name, says, text);
	free(text);
}

/* Each way of hiding a picture in the store's own files that the old audit passed: now each fails, named. */
START_TEST(audit_finds_pictures_hidden_in_the_store)
{
	char dir[64], path[700];
	zp_audit_info info;
	zp_store_params p;
	uint8_t *buf;
	sqlite3 *db;
	FILE *f;

	buf = calloc(1, 640 * 480 + 4096);
	ck_assert_ptr_nonnull(buf);
	memset(&info, 0, sizeof(info));
	info.config_path = "/etc/zebrapad/site.ini";
	info.store = &p;
	info.now_ms = T0_MS + 86400000;

	/* 1. a raw 640x480 grey frame as counts.db-shm (it starts with zeros, like an idle WAL index) */
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	for (size_t i = 16; i < 640 * 480; i++)
		buf[i] = (uint8_t)(i * 7 + i / 640);
	snprintf(path, sizeof(path), "%s/counts.db-shm", dir);
	write_file(path, buf, 640 * 480);
	assert_audit_fails_naming(&info, path, "not whole 32 KiB blocks");
	zp_test_tmpdir_remove(dir);

	/* 2. a WAL header followed by a JPEG as counts.db-wal */
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	memset(buf, 0, 32);
	memcpy(buf, "\x37\x7f\x06\x82\x00\x2d\xe2\x18\x00\x00\x10\x00", 12);
	memcpy(buf + 32, jpeg_head, sizeof(jpeg_head));
	snprintf(path, sizeof(path), "%s/counts.db-wal", dir);
	write_file(path, buf, 32 + 24 + 4096);
	assert_audit_fails_naming(&info, path, "JPEG image hidden at byte 32");
	zp_test_tmpdir_remove(dir);

	/* 3. 28 zero bytes and a JPEG as counts.db-journal */
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	memset(buf, 0, 28);
	memcpy(buf + 28, jpeg_head, sizeof(jpeg_head));
	snprintf(path, sizeof(path), "%s/counts.db-journal", dir);
	write_file(path, buf, 28 + 2000);
	assert_audit_fails_naming(&info, path, "JPEG image hidden at byte 28");
	zp_test_tmpdir_remove(dir);

	/* 4. a JPEG in a BLOB of an extra table */
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	ck_assert_int_eq(sqlite3_open(p.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE pics(b BLOB); INSERT INTO pics VALUES"
				      " (X'FFD8FFE000104A46494600' || randomblob(3000))", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_audit_fails_naming(&info, p.path, NULL);
	{
		char *text;
		int rc;

		text = report_to_string(&info, false, &rc);
		ck_assert_ptr_nonnull(strstr(text, "a table 'pics' that zebrapad never makes"));
		free(text);
	}
	zp_test_tmpdir_remove(dir);

	/* 5. a BLOB in a column of the counts table itself */
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	ck_assert_int_eq(sqlite3_open(p.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE counts SET zone = randomblob(2000) WHERE zone = 'south'", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_audit_fails_naming(&info, p.path, "binary or long values in 'zone'");
	zp_test_tmpdir_remove(dir);

	/* 6. a JPEG appended to counts.db */
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	f = fopen(p.path, "ab");
	ck_assert_ptr_nonnull(f);
	fwrite(jpeg_head, 1, sizeof(jpeg_head), f);
	fwrite(buf, 1, 5000, f);
	fclose(f);
	assert_audit_fails_naming(&info, p.path, "JPEG image hidden at byte");
	/* the same length of bytes that are no picture: still named, as bytes after the last page */
	ck_assert_int_eq(truncate(p.path, 0), 0);
	zp_test_tmpdir_remove(dir);
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	f = fopen(p.path, "ab");
	memset(buf, 0x55, 5000);
	fwrite(buf, 1, 4096, f);
	fclose(f);
	assert_audit_fails_naming(&info, p.path, "bytes after its last page");
	zp_test_tmpdir_remove(dir);
	free(buf);
}
END_TEST

/* Names that are not UTF-8 or carry terminal escapes: valid JSON, nothing raw on a terminal; all of 300 named. */
START_TEST(audit_names_every_finding_safely)
{
	char dir[64], name[64], *text;
	const char *odd = "\xff\xfe\x1b[31mred\x07.jpg";
	zp_audit_info info;
	zp_store_params p;
	int rc, fails = 0;

	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	memset(&info, 0, sizeof(info));
	info.store = &p;
	info.now_ms = T0_MS;
	plant(dir, odd, jpeg_head, sizeof(jpeg_head), 500);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "dump%03d.bin", i);
		plant(dir, name, "x", 1, 10);
	}
	text = report_to_string(&info, false, &rc);
	ck_assert_int_eq(rc, 301);
	ck_assert_ptr_null(strchr(text, '\x1b'));
	ck_assert_ptr_null(strchr(text, '\x07'));
	ck_assert_ptr_nonnull(strstr(text, "\\xff\\xfe\\x1b[31mred\\x07.jpg: JPEG image"));
	for (const char *q = text; (q = strstr(q, "  FAIL  ")); q++)
		fails++;
	ck_assert_int_eq(fails, 301);
	ck_assert_ptr_nonnull(strstr(text, "dump299.bin"));
	/* sorted by name */
	ck_assert(strstr(text, "dump000.bin") < strstr(text, "dump001.bin"));
	free(text);

#if ZP_HAVE_JSON
	{
	const cJSON *files, *f;
	int found = 0;
	cJSON *j;
	size_t bad;

	text = report_to_string(&info, true, &rc);
	ck_assert_int_eq(rc, 301);
	/* valid UTF-8 JSON text; no raw control bytes but the layout's newlines and tabs */
	ck_assert_uint_eq(zp_utf8_valid(text, NULL, 0, &bad), strlen(text));
	ck_assert_uint_eq(bad, 0);
	for (const unsigned char *q = (const unsigned char *)text; *q; q++)
		ck_assert_msg(*q >= 0x20 || *q == '\n' || *q == '\t', "raw control byte 0x%02x in the JSON", *q);
	j = cJSON_Parse(text);
	ck_assert_msg(j != NULL, "not JSON: %s", text);
	files = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "scan"), "files");
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "scan"),
							     "failing")->valuedouble, 301);
	ck_assert_int_ge(cJSON_GetArraySize(files), 301);   /* and the store's own files, ok */
	/* the escape and the bell round-trip; the two bytes that are not UTF-8 are U+FFFD each */
	cJSON_ArrayForEach(f, files) {
		const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "path"));

		found += path && strstr(path, "/\xef\xbf\xbd\xef\xbf\xbd\x1b[31mred\x07.jpg") != NULL;
	}
	ck_assert_int_eq(found, 1);
	cJSON_Delete(j);
	free(text);
	}
#endif
	zp_test_tmpdir_remove(dir);
}
END_TEST

/*
 * The audit looks at this site's daemon: the `zebrapad run` whose --config
 * is the audited config (after links), not the first one in /proc. Two
 * stand-ins (this program re-executed through a link named zebrapad, argv
 * "run --config FILE"): another site's first, then this site's.
 */
static pid_t stand_in(const char *link, const char *config)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(link, link, "run", "--config", config, (char *)NULL);
		_exit(127);
	}
	return pid;
}

START_TEST(audit_finds_this_sites_daemon)
{
	char dir[64], link[128], mine[128], other[128], self[PATH_MAX], want[64], *text;
	zp_audit_info info;
	zp_store_params p;
	pid_t a, b;
	ssize_t n;
	int rc, st;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	zp_test_tmpdir_make(dir, sizeof(dir), "privacy");
	closed_store(dir, &p);
	snprintf(link, sizeof(link), "%s/zebrapad", dir);
	snprintf(mine, sizeof(mine), "%s/site.ini", dir);
	snprintf(other, sizeof(other), "/tmp/other-site-%d.ini", (int)getpid());
	write_file(mine, "x", 1);
	ck_assert_int_eq(symlink(self, link), 0);
	a = stand_in(link, other);
	usleep(100000);
	b = stand_in(link, mine);
	usleep(300000);     /* both exec'd */
	memset(&info, 0, sizeof(info));
	info.config_path = mine;
	info.store = &p;
	info.now_ms = T0_MS;
	text = report_to_string(&info, false, &rc);
	snprintf(want, sizeof(want), "The running daemon (pid %d)", (int)b);
	ck_assert_msg(strstr(text, want) != NULL, "wanted %s:\n%s", want, text);
	free(text);
	/* another config: its daemon, not ours */
	info.config_path = other;
	write_file(other, "x", 1);
	text = report_to_string(&info, false, &rc);
	snprintf(want, sizeof(want), "The running daemon (pid %d)", (int)a);
	ck_assert_msg(strstr(text, want) != NULL, "wanted %s:\n%s", want, text);
	free(text);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, &st, 0);
	waitpid(b, &st, 0);
	unlink(other);
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* ---- sandbox ---- */

/*
 * The probe: in a child, zp_sandbox_apply() as the daemon applies it (the
 * store's directory, one named device, one socket connected before, every
 * other descriptor closed), then every escape that worked against the old
 * deny-list, and the others an attacker would try next. Each must fail. And
 * what the daemon needs must still work: the store through its writer
 * thread, the named device, the connected socket.
 *
 * The child writes one line per attempt to a pipe ("name errno" for an
 * escape refused, "name ESCAPED" for one that worked, "name BROKEN" for
 * something needed that failed); the test names each line that is wrong.
 */
enum { SB_OK = 42, SB_OK_NO_LANDLOCK = 43 };

struct probe {
	int out;           /* the report pipe */
	int bad;           /* escapes that worked + needs that failed */
};

static void probe_line(struct probe *p, const char *name, const char *what)
{
	char line[200];
	int n = snprintf(line, sizeof(line), "%s %s\n", name, what);

	if (write(p->out, line, (size_t)n) != n)
		_exit(99);
}

/* An escape: rc < 0 is refused (good). */
static void escape(struct probe *p, const char *name, long rc)
{
	char e[32];

	if (rc < 0) {
		snprintf(e, sizeof(e), "refused:%d", errno);
		probe_line(p, name, e);
	} else {
		probe_line(p, name, "ESCAPED");
		p->bad++;
	}
}

static void need(struct probe *p, const char *name, bool ok)
{
	probe_line(p, name, ok ? "works" : "BROKEN");
	p->bad += !ok;
}

static socklen_t un_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	zp_strlcpy(sa->sun_path, path, sizeof(sa->sun_path));
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + (path[0] != '@'));
}

/* What the sandboxed child is given: its paths, and whether its sandbox lets an export connect. */
struct sb_setup {
	char data[64], outside[64];
	char notify[128], other[128], abstract[64];
	char blockdev[PATH_MAX];
	bool allow_network;
};

/* ctx: the struct sb_setup; the report goes to out. */
static void __attribute__((noreturn)) sandbox_child(void *ctx, int out)
{
	const struct sb_setup *sp = ctx;
	const bool allow_network = sp->allow_network;
	zp_sandbox_opts o;
	zp_sandbox_status st;
	zp_store_params p;
	zp_writer *w;
	zp_store_row row;
	struct probe pr = { out, 0 };
	struct sockaddr_un sa;
	socklen_t sl;
	char err[256], path[600], path2[600], big[4000];
	char *const argv[] = { "/bin/true", NULL };
	struct rlimit rl;
	int fd, pre, ok_sock, n;
	long rc;

	/* before: a file outside opened for writing, and the notify socket connected */
	snprintf(path, sizeof(path), "%s/preopened", sp->outside);
	pre = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sl = un_addr(&sa, sp->notify);
	if (pre < 0 || ok_sock < 0 || connect(ok_sock, (struct sockaddr *)&sa, sl) != 0)
		_exit(1);

	zp_sandbox_opts_default(&o);
	o.data_dir = sp->data;
	o.devices[0] = "/dev/null";
	o.close_fds = true;
	o.keep_fds[o.nkeep_fds++] = ok_sock;
	o.keep_fds[o.nkeep_fds++] = out;
	o.allow_network = allow_network;
	if (zp_sandbox_apply(&o, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "sandbox: %s\n", err);
		_exit(1);
	}
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 || !st.nodump)
		_exit(2);
	if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
		_exit(3);
	if (!st.seccomp)
		_exit(4);

	/* what the daemon needs */
	need(&pr, "send on the socket connected before", send(ok_sock, "READY=1", 7, MSG_DONTWAIT) == 7);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	need(&pr, "write the named device", fd >= 0 && write(fd, "x", 1) == 1);
	if (fd >= 0)
		close(fd);
	set_params(&p, sp->data, "counts.db", 60);
	memset(&row, 0, sizeof(row));
	row.interval_start = T0_MS / 1000;
	row.interval_s = 60;
	zp_strlcpy(row.zone, "north", sizeof(row.zone));
	row.entered = 7;
	row.occupied_s = 1;
	row.light_activations = row.light_on_s = row.fault_s = -1;
	rc = zp_writer_start(&p, two_zones, 2, NULL, &w, err, sizeof(err));
	if (rc)
		fprintf(stderr, "sandboxed writer: %s\n", err);
	need(&pr, "the store through its writer thread", rc == 0 && zp_writer_push(w, &row, 1) == 1 &&
	     zp_writer_stop(w) == 0);

	if (allow_network) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		need(&pr, "AF_INET socket with an export", fd >= 0);
		_exit(pr.bad ? 5 : SB_OK);
	}

	/* the escapes */
	escape(&pr, "socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0));
	escape(&pr, "socket(AF_INET)", socket(AF_INET, SOCK_STREAM, 0));
	escape(&pr, "socket(AF_NETLINK)", socket(AF_NETLINK, SOCK_RAW, 0));
	sl = un_addr(&sa, sp->other);
	escape(&pr, "connect(AF_UNIX elsewhere)", connect(ok_sock, (struct sockaddr *)&sa, sl));
	memset(big, 0xab, sizeof(big));
	escape(&pr, "sendto(AF_UNIX path elsewhere)", sendto(ok_sock, big, 2048, 0, (struct sockaddr *)&sa, sl));
	sl = un_addr(&sa, sp->abstract);
	escape(&pr, "sendto(abstract AF_UNIX)", sendto(ok_sock, big, 2048, 0, (struct sockaddr *)&sa, sl));
	{
		struct iovec iov = { big, 2048 };
		struct msghdr mh = { .msg_name = &sa, .msg_namelen = sl, .msg_iov = &iov, .msg_iovlen = 1 };

		escape(&pr, "sendmsg(with an address)", sendmsg(ok_sock, &mh, 0));
	}
	snprintf(path, sizeof(path), "%s/existing", sp->outside);
	escape(&pr, "setxattr(4000 B outside)", setxattr(path, "user.frame", big, sizeof(big), 0));
	escape(&pr, "lsetxattr", lsetxattr(path, "user.frame", big, 16, 0));
	snprintf(path2, sizeof(path2), "%s/counts.db", sp->data);
	escape(&pr, "setxattr(in the data dir)", setxattr(path2, "user.frame", big, 16, 0));
	escape(&pr, "shmget(SysV shared memory)", shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600));
	escape(&pr, "msgget(SysV queue)", msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	escape(&pr, "add_key", syscall(SYS_add_key, "user", "zp-frame", big, (size_t)64, -2 /* KEY_SPEC_PROCESS */));
	escape(&pr, "keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2, 1));
	escape(&pr, "unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	escape(&pr, "unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	escape(&pr, "write to a descriptor opened before", write(pre, big, 16));
	if (sp->blockdev[0])
		escape(&pr, "open a block device for writing", open(sp->blockdev, O_WRONLY | O_CLOEXEC));
	else
		probe_line(&pr, "open a block device for writing", "skipped:none-present");
	escape(&pr, "open /dev/zero (not named) for writing", open("/dev/zero", O_WRONLY | O_CLOEXEC));
	{
		unsigned char params[120];

		memset(params, 0, sizeof(params));
		escape(&pr, "io_uring_setup", syscall(SYS_io_uring_setup, 4, params));
	}
	errno = 0;
	escape(&pr, "ptrace(TRACEME)", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	{
		char dst[16], src[16] = "frame";
		struct iovec l = { src, sizeof(src) }, r = { dst, sizeof(dst) };

		escape(&pr, "process_vm_writev", process_vm_writev(getppid(), &l, 1, &r, 1, 0));
		escape(&pr, "process_vm_readv", process_vm_readv(getpid(), &r, 1, &l, 1, 0));
	}
	escape(&pr, "execve", execve(argv[0], argv, NULL));
	rc = fork();
	if (rc == 0)
		_exit(0);
	escape(&pr, "fork (a new process)", rc);
	escape(&pr, "kill(another process)", kill(getppid(), 0));
	escape(&pr, "memfd_create", syscall(SYS_memfd_create, "frame", 0));
	snprintf(path, sizeof(path), "%s", sp->outside);
	escape(&pr, "O_TMPFILE outside", open(path, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
	fd = open(path2, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(big, sizeof(big), "%s/linked.db", sp->outside);
	escape(&pr, "linkat(a data file to outside)", linkat(AT_FDCWD, path, AT_FDCWD, big, AT_SYMLINK_FOLLOW));
	if (fd >= 0)
		close(fd);
	{
		struct {
			struct file_handle fh;
			unsigned char b[128];
		} h;
		int mount_id;

		h.fh.handle_bytes = sizeof(h.b);
		escape(&pr, "name_to_handle_at", name_to_handle_at(AT_FDCWD, "/", &h.fh, &mount_id, 0));
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1;
		memset(h.fh.f_handle, 0, 8);
		escape(&pr, "open_by_handle_at", open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY));
	}
	escape(&pr, "bpf", syscall(SYS_bpf, 0, NULL, 0));
	escape(&pr, "perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	escape(&pr, "userfaultfd", syscall(SYS_userfaultfd, 0));
	escape(&pr, "mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL));
	escape(&pr, "prctl(PR_SET_DUMPABLE, 1)", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	escape(&pr, "setrlimit(RLIMIT_CORE)", setrlimit(RLIMIT_CORE, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY }));
	if (!st.landlock)
		_exit(pr.bad ? 5 : SB_OK_NO_LANDLOCK);
	snprintf(path, sizeof(path), "%s/frame.jpg", sp->outside);
	escape(&pr, "create a file outside", open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	snprintf(path, sizeof(path), "%s/existing", sp->outside);
	escape(&pr, "append to a file outside", open(path, O_WRONLY | O_APPEND));
	escape(&pr, "truncate a file outside", truncate(path, 0));
	escape(&pr, "unlink a file outside", unlink(path));
	n = pr.bad;
	_exit(n ? 5 : SB_OK);
}

static int run_sandbox_child(bool allow_network, char *report, size_t replen)
{
	struct sb_setup sp;
	struct sockaddr_un sa;
	char path[600], buf[256];
	int status, ls_notify, ls_other, ls_abs;

	memset(&sp, 0, sizeof(sp));
	sp.allow_network = allow_network;
	zp_test_tmpdir_make(sp.data, sizeof(sp.data), "privacy");
	zp_test_tmpdir_make(sp.outside, sizeof(sp.outside), "privacy");
	snprintf(path, sizeof(path), "%s/existing", sp.outside);
	write_file(path, "x", 1);
	snprintf(sp.notify, sizeof(sp.notify), "%s/notify", sp.data);
	snprintf(sp.other, sizeof(sp.other), "%s/listener", sp.outside);
	snprintf(sp.abstract, sizeof(sp.abstract), "@zp-test-listener-%d", (int)getpid());
	/* a block device to try: one of the system's, or one made here (root) */
	{
		static const char *const cands[] = { "/dev/loop0", "/dev/sda", "/dev/vda", "/dev/nvme0n1", "/dev/mmcblk0" };
		struct stat stb;

		for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]) && !sp.blockdev[0]; i++)
			if (stat(cands[i], &stb) == 0 && S_ISBLK(stb.st_mode))
				zp_strlcpy(sp.blockdev, cands[i], sizeof(sp.blockdev));
		if (!sp.blockdev[0]) {
			snprintf(path, sizeof(path), "%s/blk", sp.outside);
			if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) == 0)
				zp_strlcpy(sp.blockdev, path, sizeof(sp.blockdev));
		}
	}
	ls_notify = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ls_other = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ls_abs = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert(ls_notify >= 0 && ls_other >= 0 && ls_abs >= 0);
	ck_assert_int_eq(bind(ls_notify, (struct sockaddr *)&sa, un_addr(&sa, sp.notify)), 0);
	ck_assert_int_eq(bind(ls_other, (struct sockaddr *)&sa, un_addr(&sa, sp.other)), 0);
	ck_assert_int_eq(bind(ls_abs, (struct sockaddr *)&sa, un_addr(&sa, sp.abstract)), 0);
	status = zp_child_run(sandbox_child, &sp, report, replen, NULL);
	ck_assert_msg(WIFEXITED(status), "sandboxed child died (signal %d)", WTERMSIG(status));
	snprintf(path, sizeof(path), "%s/existing", sp.outside);
	ck_assert_msg(access(path, F_OK) == 0, "the sandboxed child removed a file outside the data directory");
	/* nothing reached the other listeners; the notify socket got READY=1 */
	ck_assert_int_lt(recv(ls_other, buf, sizeof(buf), MSG_DONTWAIT), 0);
	ck_assert_int_lt(recv(ls_abs, buf, sizeof(buf), MSG_DONTWAIT), 0);
	ck_assert_int_eq(recv(ls_notify, buf, sizeof(buf), MSG_DONTWAIT), 7);
	close(ls_notify);
	close(ls_other);
	close(ls_abs);
	zp_test_tmpdir_remove(sp.data);
	zp_test_tmpdir_remove(sp.outside);
	return WEXITSTATUS(status);
}

START_TEST(sandbox_probe_every_escape_fails)
{
	static char report[16384];
	int code = run_sandbox_child(false, report, sizeof(report));

	if ((code != SB_OK && code != SB_OK_NO_LANDLOCK) || getenv("ZP_SANDBOX_REPORT"))
		fprintf(stderr, "sandbox probe:\n%s", report);
	ck_assert_msg(!strstr(report, "ESCAPED"), "an escape worked:\n%s", report);
	ck_assert_msg(!strstr(report, "BROKEN"), "something the daemon needs failed:\n%s", report);
	/* every escape was tried (the report is complete) */
	ck_assert_ptr_nonnull(strstr(report, "setrlimit(RLIMIT_CORE)"));
	if (code == SB_OK_NO_LANDLOCK) {
		fprintf(stderr, "SKIP: Landlock is not available in this kernel: writes outside the data directory "
			"were not checked (the seccomp escapes were)\n");
		return;
	}
	ck_assert_msg(code == SB_OK, "sandboxed child failed at step %d:\n%s", code, report);
	ck_assert_ptr_nonnull(strstr(report, "unlink a file outside refused"));
}
END_TEST

START_TEST(sandbox_allows_network_when_an_export_is_configured)
{
	static char report[4096];
	int code = run_sandbox_child(true, report, sizeof(report));

	ck_assert_msg(code == SB_OK, "sandboxed child failed at step %d:\n%s", code, report);
}
END_TEST

START_TEST(sandbox_probe_matches_the_kernel)
{
	zp_sandbox_status st;
	long abi = syscall(444, NULL, 0, 1);

	zp_sandbox_probe(&st);
	ck_assert_int_eq(st.landlock_abi, abi > 0 ? abi : 0);
	ck_assert(!st.seccomp); /* probing changes nothing */
	if (!st.landlock_abi)
		ck_assert_ptr_nonnull(strstr(st.note, "Landlock"));
}
END_TEST

int main(int argc, char **argv)
{
	const TTest *audit_tests[] = {
		audit_sniffs_images_videos_and_raw_frames,
		audit_scan_passes_on_the_store_alone,
		audit_scan_flags_planted_images_videos_dumps_and_unknown_files,
		audit_report_names_what_is_kept_and_what_fails,
		audit_finds_pictures_hidden_in_the_store,
		audit_names_every_finding_safely,
#if ZP_HAVE_JSON
		audit_json_keeps_odd_names_and_stays_utf8,
#endif
		audit_finds_this_sites_daemon,
		NULL,
	};
	const struct zp_test_case cases[] = {
		{ .name = "store", .tests = ZP_TESTS(
			store_aggregates_exactly,
			store_dry_run_writes_nothing,
			store_restart_in_same_interval_adds_up,
			store_clock_set_back_and_gaps,
			store_rejects_bad_input,
			store_retention_deletes_exactly_the_old_rows,
			store_migrates_v1_and_keeps_rows,
			store_migrates_v2_and_keeps_rows,
			store_failed_migration_changes_nothing,
			store_refuses_newer_and_foreign_databases),
		  .timeout_s = 60 }, /* the retention test flushes 400 times: slow under qemu */
		{ .name = "audit", .tests = audit_tests },
		{ .name = "sandbox", .tests = ZP_TESTS(
			sandbox_probe_every_escape_fails,
			sandbox_allows_network_when_an_export_is_configured,
			sandbox_probe_matches_the_kernel) },
		{ .name = "crash", .timeout_s = 240, .tests = ZP_TESTS(
			store_survives_sigkill,
			store_survives_power_cut) },
	};

	/* re-executed as a stand-in daemon: "zebrapad run --config FILE", alive until killed */
	if (argc >= 2 && !strcmp(argv[1], "run")) {
		sleep(30);
		return 0;
	}
	return zp_test_run(ZP_TEST_SUITE("privacy", cases));
}
