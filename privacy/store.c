/* SPDX-License-Identifier: MIT */
/*
 * store.c - the counts store: an in-memory accumulator for the interval in
 * progress, and SQLite for the closed intervals.
 *
 * Durability: WAL mode with synchronous=FULL. In WAL mode every commit is
 * appended to the -wal file; FULL makes SQLite fsync the WAL at each commit,
 * so a committed interval survives a power cut (NORMAL only fsyncs at
 * checkpoints: it survives a crashed process, but a power cut may take the
 * last few commits with it). The cost is one fsync per interval (once a
 * minute), which an SD card does not notice. The database stays consistent
 * with either setting; FULL is what makes "at most the interval in
 * progress is lost" hold for power cuts too.
 */
#include "privacy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PENDING_INTERVALS 64
#define DAY_S 86400

struct zp_store {
	zp_store_params p;
	unsigned flags;
	sqlite3 *db;
	sqlite3_stmt *upsert;
	int version;
	dev_t dev;              /* the file opened (a replaced or removed file is noticed) */
	ino_t ino;
	int nzones;
	char zones[ZP_MAX_ZONES][ZP_NAME_MAX];

	/* the interval in progress: the interval sampler (pipeline/sampler.h), its rows into pending */
	zp_sampler acc;

	/* closed rows not yet committed (a failed write is retried with the next one) */
	zp_store_row *pending;
	size_t npending;
	size_t cap;

	bool retention_done;
	int64_t retention_s;    /* wall time of the last retention run */

	zp_store_sink sink;
	void *sink_ctx;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t zp_store_interval_of(int64_t wall_ms, int interval_s)
{
	int64_t len = interval_s > 0 ? interval_s : 60;

	return floor_div(floor_div(wall_ms, 1000), len) * len;
}

static int sqlite_to_zp(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY: case SQLITE_LOCKED: return ZP_EBUSY;
	case SQLITE_NOMEM: return ZP_ENOMEM;
	case SQLITE_PERM: case SQLITE_AUTH: case SQLITE_READONLY: return ZP_EACCES;
	case SQLITE_CANTOPEN: return ZP_ENODEV;
	case SQLITE_NOTADB: case SQLITE_CORRUPT: return ZP_EINVAL;
	default: return ZP_EIO;
	}
}

static int check_params(const zp_store_params *p, unsigned flags, const char *const *zones, int nzones, char *err,
			size_t errlen)
{
	zp_sampler probe; /* the interval and the zone names are the sampler's to check */

	if (!(flags & ZP_STORE_DRY_RUN) && !p->path[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "store: path: expected the counts database file, got ''");
	if (p->retention_days < 1)
		return zp_seterr(err, errlen, ZP_EINVAL, "store: retention_days: expected at least 1, got %d",
				 p->retention_days);
	return zp_sampler_init(&probe, p->interval_s, zones, NULL, nzones, NULL, NULL, err, errlen);
}

/* The directory of path must exist: the store never creates directories (systemd's StateDirectory= does). */
static int check_dir(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((zp_store_params *)0)->path)];
	struct stat st;

	zp_dirname(dir, sizeof(dir), path);
	if (stat(dir, &st) != 0)
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: data directory %s: %s", path, dir,
				 strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s is not a directory", path, dir);
	return 0;
}

/* Create the file ourselves so it gets mode 0640 (SQLite gives -wal and -shm the same mode). */
static int create_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);

	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: cannot create: %s", path,
				 strerror(errno));
	}
	close(fd);
	return 0;
}

static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	out[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		zp_strlcpy(out, (const char *)sqlite3_column_text(st, 0), outlen);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int setup_connection(zp_store *s, char *err, size_t errlen)
{
	static const char *const pragmas[] = {
		"PRAGMA synchronous = FULL",      /* fsync the WAL at every commit: see the top of this file */
		"PRAGMA temp_store = MEMORY",     /* never a temporary file outside the data directory */
		"PRAGMA secure_delete = ON",      /* deleted rows are overwritten, not left in free pages */
		"PRAGMA trusted_schema = OFF",
		"PRAGMA journal_size_limit = 4194304", /* the -wal file shrinks back after a big retention run */
		"PRAGMA mmap_size = 0",
		"PRAGMA wal_autocheckpoint = 100", /* checkpoint every ~400 KB of WAL: a few times a day */
	};
	char mode[16];
	int rc;

	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
		rc = sqlite3_exec(s->db, pragmas[i], NULL, NULL, NULL);
		if ((rc & 0xff) == SQLITE_NOTADB)
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a SQLite database", s->p.path);
		if (rc != SQLITE_OK)
			return zp_seterr(err, errlen, sqlite_to_zp(rc), "%s: %s: %s", s->p.path, pragmas[i],
					 sqlite3_errmsg(s->db));
	}
	if (s->flags & ZP_STORE_READ_ONLY)
		return 0;
	/* auto_vacuum only takes effect before the first table exists (a new file) */
	rc = sqlite3_exec(s->db, "PRAGMA auto_vacuum = INCREMENTAL", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = pragma_text(s->db, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (rc != SQLITE_OK)
		return zp_seterr(err, errlen, sqlite_to_zp(rc), "%s: %s", s->p.path, sqlite3_errmsg(s->db));
	if (strcmp(mode, "wal") != 0)
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot switch to WAL mode (journal_mode is '%s')",
				 s->p.path, mode);
	return 0;
}

static void pend_row(void *ctx, const zp_store_row *row);

static const char upsert_sql[] =
	"INSERT INTO counts(interval_start, interval_s, zone, entered, occupied_s, light_activations, light_on_s,"
	" fault_s, crossed_a_to_b, crossed_b_to_a) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	" ON CONFLICT (interval_start, zone, interval_s) DO UPDATE SET"
	" entered = entered + excluded.entered,"
	" occupied_s = min(interval_s, occupied_s + excluded.occupied_s),"
	" crossed_a_to_b = CASE WHEN crossed_a_to_b IS NULL AND excluded.crossed_a_to_b IS NULL THEN NULL"
	"  ELSE coalesce(crossed_a_to_b, 0) + coalesce(excluded.crossed_a_to_b, 0) END,"
	" crossed_b_to_a = CASE WHEN crossed_b_to_a IS NULL AND excluded.crossed_b_to_a IS NULL THEN NULL"
	"  ELSE coalesce(crossed_b_to_a, 0) + coalesce(excluded.crossed_b_to_a, 0) END,"
	" light_activations = light_activations + excluded.light_activations,"
	" light_on_s = min(interval_s, light_on_s + excluded.light_on_s),"
	" fault_s = min(interval_s, fault_s + excluded.fault_s)";

zp_store *zp_store_open(const zp_store_params *p, const char *const *zones, int nzones, unsigned flags,
			int *errcode, char *err, size_t errlen)
{
	zp_store *s;
	int rc, oflags;

	if (err && errlen)
		err[0] = '\0';
	rc = check_params(p, flags, zones, (flags & ZP_STORE_READ_ONLY) ? 0 : nzones, err, errlen);
	if (rc)
		goto fail_early;
	if (!(flags & ZP_STORE_DRY_RUN)) {
		rc = check_dir(p->path, err, errlen);
		if (rc)
			goto fail_early;
	}
	rc = ZP_ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail_early;
	s->p = *p;
	s->flags = flags;
	if (!(flags & ZP_STORE_READ_ONLY)) {
		s->nzones = nzones;
		for (int i = 0; i < nzones; i++)
			zp_strlcpy(s->zones[i], zones[i], ZP_NAME_MAX);
		s->cap = (size_t)PENDING_INTERVALS * (size_t)(nzones + 1);
		s->pending = calloc(s->cap, sizeof(*s->pending));
		if (!s->pending)
			goto fail;
		/* the parameters were checked above: this cannot fail */
		zp_sampler_init(&s->acc, p->interval_s, zones, NULL, nzones, pend_row, s, NULL, 0);
	}
	if (flags & ZP_STORE_DRY_RUN)
		return s;

	if (flags & ZP_STORE_READ_ONLY) {
		struct stat st;

		if (stat(p->path, &st) != 0) {
			rc = zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: %s", p->path, strerror(errno));
			goto fail;
		}
		oflags = SQLITE_OPEN_READONLY;
	} else {
		rc = create_file(p->path, err, errlen);
		if (rc)
			goto fail;
		oflags = SQLITE_OPEN_READWRITE;
	}
	rc = sqlite3_open_v2(p->path, &s->db, oflags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = zp_seterr(err, errlen, sqlite_to_zp(rc), "%s: cannot open: %s", p->path,
			       s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	rc = setup_connection(s, err, errlen);
	if (rc)
		goto fail;
	{
		struct stat st;

		if (stat(p->path, &st) == 0) {
			s->dev = st.st_dev;
			s->ino = st.st_ino;
		}
	}
	if (flags & ZP_STORE_READ_ONLY) {
		rc = zp_schema_version(s->db, p->path, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: an empty database (the daemon has not written yet)",
				       p->path);
			goto fail;
		}
		s->version = rc;
		return s;
	}
	rc = zp_schema_migrate(s->db, p->path, NULL, err, errlen);
	if (rc)
		goto fail;
	s->version = ZP_STORE_SCHEMA_VERSION;
	rc = sqlite3_prepare_v3(s->db, upsert_sql, -1, SQLITE_PREPARE_PERSISTENT, &s->upsert, NULL);
	if (rc != SQLITE_OK) {
		rc = zp_seterr(err, errlen, ZP_EIO, "%s: %s", p->path, sqlite3_errmsg(s->db));
		goto fail;
	}
	return s;
fail:
	sqlite3_finalize(s->upsert);
	sqlite3_close(s->db);
	free(s->pending);
	free(s);
fail_early:
	if (errcode)
		*errcode = rc;
	return NULL;
}

void zp_store_set_sink(zp_store *s, zp_store_sink fn, void *ctx)
{
	s->sink = fn;
	s->sink_ctx = ctx;
}

int zp_store_schema_version(const zp_store *s)
{
	return s->version;
}

static int bind_row(sqlite3_stmt *st, const zp_store_row *r)
{
	int rc = sqlite3_bind_int64(st, 1, r->interval_start);

	rc = rc ? rc : sqlite3_bind_int(st, 2, r->interval_s);
	rc = rc ? rc : sqlite3_bind_text(st, 3, r->zone, -1, SQLITE_STATIC);
	rc = rc ? rc : (r->entered < 0 ? sqlite3_bind_null(st, 4) : sqlite3_bind_int64(st, 4, r->entered));
	rc = rc ? rc : (r->occupied_s < 0 ? sqlite3_bind_null(st, 5) : sqlite3_bind_double(st, 5, r->occupied_s));
	rc = rc ? rc : (r->light_activations < 0 ? sqlite3_bind_null(st, 6) :
		sqlite3_bind_int64(st, 6, r->light_activations));
	rc = rc ? rc : (r->light_on_s < 0 ? sqlite3_bind_null(st, 7) : sqlite3_bind_double(st, 7, r->light_on_s));
	rc = rc ? rc : (r->fault_s < 0 ? sqlite3_bind_null(st, 8) : sqlite3_bind_double(st, 8, r->fault_s));
	rc = rc ? rc : (r->crossed_a_to_b < 0 ? sqlite3_bind_null(st, 9) :
		sqlite3_bind_int64(st, 9, r->crossed_a_to_b));
	rc = rc ? rc : (r->crossed_b_to_a < 0 ? sqlite3_bind_null(st, 10) :
		sqlite3_bind_int64(st, 10, r->crossed_b_to_a));
	return rc;
}

/*
 * Upsert rows[0..n) in one transaction: BEGIN IMMEDIATE, every row, COMMIT.
 * An SQLite result code; on failure the transaction may still be open, and
 * sqlite3_errmsg() says why until rollback_open() ends it.
 */
static int upsert_rows(zp_store *s, const zp_store_row *rows, size_t n)
{
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_reset(s->upsert);
		rc = bind_row(s->upsert, &rows[i]);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(s->upsert);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
	}
	sqlite3_reset(s->upsert);
	sqlite3_clear_bindings(s->upsert);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* Roll back the transaction a failed upsert_rows() left open, if any. */
static void rollback_open(zp_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Write every pending row in one transaction; on success hand them to the sink and forget them. */
static int commit_pending(zp_store *s)
{
	if (!s->npending)
		return 0;
	if (!(s->flags & ZP_STORE_DRY_RUN)) {
		int rc = upsert_rows(s, s->pending, s->npending);

		if (rc != SQLITE_OK) {
			zp_log(ZP_LOG_ERR, "%s: writing %zu rows failed, kept for the next try: %s", s->p.path,
			       s->npending, sqlite3_errmsg(s->db));
			rollback_open(s);
			return sqlite_to_zp(rc);
		}
	}
	if (s->sink)
		for (size_t i = 0; i < s->npending; i++)
			s->sink(s->sink_ctx, &s->pending[i]);
	s->npending = 0;
	return 0;
}

/* A closed row from the accumulator: appended to pending, committed by the caller. */
static void pend_row(void *ctx, const zp_store_row *row)
{
	zp_store *s = ctx;
	size_t need = (size_t)s->nzones + 1;

	if (s->npending + 1 > s->cap) {
		/* the disk has failed for PENDING_INTERVALS intervals: drop the oldest interval */
		zp_log(ZP_LOG_ERR, "%s: dropping the rows of interval %lld (not written for %d intervals)",
		       s->p.path, (long long)s->pending[0].interval_start, PENDING_INTERVALS);
		memmove(s->pending, s->pending + need, (s->npending - need) * sizeof(*s->pending));
		s->npending -= need;
	}
	s->pending[s->npending++] = *row;
}

static int maybe_retention(zp_store *s, int64_t wall_ms)
{
	int64_t now_s = floor_div(wall_ms, 1000);

	if (s->flags & ZP_STORE_DRY_RUN)
		return 0;
	if (s->retention_done && now_s - s->retention_s < DAY_S && now_s >= s->retention_s)
		return 0;
	return zp_store_retention(s, wall_ms, NULL);
}

int zp_store_account(zp_store *s, const zp_store_sample *smp)
{
	bool closing;
	int rc;

	if (s->flags & ZP_STORE_READ_ONLY)
		return ZP_EINVAL;
	/* an interval closes (rows or not): the pending rows are committed, retention runs when due */
	closing = s->acc.open && zp_store_interval_of(smp->wall_ms, s->p.interval_s) * 1000 != s->acc.start_ms;
	rc = zp_sampler_account(&s->acc, smp);
	if (rc < 0 || !closing)
		return rc < 0 ? rc : 0;
	rc = commit_pending(s);
	if (!rc)
		rc = maybe_retention(s, smp->wall_ms);
	return rc;
}

int zp_store_flush(zp_store *s)
{
	if (s->flags & ZP_STORE_READ_ONLY)
		return 0;
	zp_sampler_flush(&s->acc);
	return commit_pending(s);
}

int zp_store_retention(zp_store *s, int64_t wall_ms, int64_t *deleted)
{
	int64_t n, total = 0;
	bool more = true;
	int rc = 0;

	while (more && !rc) {
		rc = zp_store_retention_step(s, wall_ms, ZP_STORE_RETENTION_BATCH, &n, &more);
		total += n;
	}
	if (deleted)
		*deleted = total;
	return rc;
}

int zp_store_write(zp_store *s, const zp_store_row *rows, size_t n)
{
	int rc;

	if (s->flags & (ZP_STORE_DRY_RUN | ZP_STORE_READ_ONLY))
		return s->flags & ZP_STORE_READ_ONLY ? ZP_EINVAL : 0;
	if (!n)
		return 0;
	rc = upsert_rows(s, rows, n);
	if (rc != SQLITE_OK) {
		rollback_open(s);
		return (rc & 0xff) == SQLITE_FULL ? ZP_EIO : sqlite_to_zp(rc);
	}
	return 0;
}

const char *zp_store_errmsg(const zp_store *s)
{
	return s->db ? sqlite3_errmsg(s->db) : "no database";
}

void zp_store_set_busy_timeout(zp_store *s, int ms)
{
	if (s->db)
		sqlite3_busy_timeout(s->db, ms);
}

int zp_store_file_changed(const zp_store *s)
{
	struct stat st;

	if (!s->db || (s->flags & ZP_STORE_DRY_RUN))
		return 0;
	if (lstat(s->p.path, &st) != 0)
		return errno == ENOENT ? 1 : 0;
	return st.st_dev != s->dev || st.st_ino != s->ino ? 2 : 0;
}

int zp_store_retention_step(zp_store *s, int64_t wall_ms, int batch, int64_t *deleted, bool *more)
{
	static const char del_sql[] =
		"DELETE FROM counts WHERE (interval_start, zone, interval_s) IN"
		" (SELECT interval_start, zone, interval_s FROM counts"
		"  WHERE interval_start <= ?1 AND interval_start + interval_s <= ?1 ORDER BY interval_start LIMIT ?2)";
	sqlite3_stmt *st;
	int64_t cutoff = floor_div(wall_ms, 1000) - (int64_t)s->p.retention_days * DAY_S, n = 0;
	int rc;

	*deleted = 0;
	*more = false;
	if (s->flags & (ZP_STORE_DRY_RUN | ZP_STORE_READ_ONLY))
		return 0;
	if (batch < 1)
		batch = 1;
	rc = sqlite3_prepare_v2(s->db, del_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, cutoff);
		sqlite3_bind_int(st, 2, batch);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK) {
		zp_log(ZP_LOG_ERR, "%s: retention: %s", s->p.path, sqlite3_errmsg(s->db));
		return sqlite_to_zp(rc);
	}
	n = sqlite3_changes(s->db);
	*deleted = n;
	if (n >= batch) {
		*more = true;
		return 0;
	}
	/* the rows are gone: give the free pages back, a few at a time */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA freelist_count", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		int64_t free_pages = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;

		sqlite3_finalize(st);
		if (free_pages > 0) {
			char sql[64];

			snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)", batch / 8 > 8 ? batch / 8 : 8);
			sqlite3_exec(s->db, sql, NULL, NULL, NULL);
			*more = true;
			return 0;
		}
	}
	s->retention_done = true;
	s->retention_s = floor_div(wall_ms, 1000);
	return 0;
}

void zp_store_close(zp_store *s)
{
	if (!s)
		return;
	if (zp_store_flush(s))
		zp_log(ZP_LOG_ERR, "%s: the interval in progress was not written on close", s->p.path);
	sqlite3_finalize(s->upsert);
	if (s->db && sqlite3_close(s->db) != SQLITE_OK)
		zp_log(ZP_LOG_ERR, "%s: close: %s", s->p.path, sqlite3_errmsg(s->db));
	free(s->pending);
	free(s);
}

/* ---- reading (audit, tests) ---- */

/* v1 and v2 files (read-only opens before the daemon migrated them) have fewer columns: NULL for those. */
static void select_sql(const zp_store *s, bool newest_first, char *sql, size_t n)
{
	const char *cols = s->version == 1 ?
		"interval_start, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'interval_s'), 60),"
		" zone, entered, occupied_s, NULL, NULL, NULL, NULL, NULL" : s->version == 2 ?
		"interval_start, interval_s, zone, entered, occupied_s, light_activations, light_on_s, fault_s, NULL,"
		" NULL" :
		"interval_start, interval_s, zone, entered, occupied_s, light_activations, light_on_s, fault_s,"
		" crossed_a_to_b, crossed_b_to_a";

	snprintf(sql, n, "SELECT %s FROM counts WHERE interval_start >= ?1 AND interval_start < ?2"
		 " ORDER BY interval_start%s, zone%s LIMIT ?3", cols, newest_first ? " DESC" : "",
		 s->version == 1 ? "" : ", interval_s");
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static double col_dbl(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1.0 : sqlite3_column_double(st, i);
}

int zp_store_read(zp_store *s, int64_t from_s, int64_t to_s, bool newest_first, size_t limit,
		  int (*fn)(void *ctx, const zp_store_row *row), void *ctx)
{
	sqlite3_stmt *st;
	zp_store_row r;
	char sql[512];
	int rc;

	if (!s->db)
		return 0;
	select_sql(s, newest_first, sql, sizeof(sql));
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		zp_log(ZP_LOG_ERR, "%s: %s", s->p.path, sqlite3_errmsg(s->db));
		return sqlite_to_zp(rc);
	}
	sqlite3_bind_int64(st, 1, from_s);
	sqlite3_bind_int64(st, 2, to_s);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.interval_start = sqlite3_column_int64(st, 0);
		r.interval_s = sqlite3_column_int(st, 1);
		if (sqlite3_column_text(st, 2))
			zp_strlcpy(r.zone, (const char *)sqlite3_column_text(st, 2), sizeof(r.zone));
		r.entered = col_i64(st, 3);
		r.occupied_s = col_dbl(st, 4);
		r.light_activations = col_i64(st, 5);
		r.light_on_s = col_dbl(st, 6);
		r.fault_s = col_dbl(st, 7);
		r.crossed_a_to_b = col_i64(st, 8);
		r.crossed_b_to_a = col_i64(st, 9);
		if (fn(ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		zp_log(ZP_LOG_ERR, "%s: %s", s->p.path, sqlite3_errmsg(s->db));
		return sqlite_to_zp(rc);
	}
	return 0;
}

int zp_store_summarize(zp_store *s, zp_store_summary *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *totals = s->version == 1 ?
		"SELECT count(*), count(*), coalesce(min(interval_start), 0), coalesce(max(interval_start), 0)"
		" + coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'interval_s'), 60),"
		" coalesce(sum(entered), 0) FROM counts" :
		"SELECT count(*), count(*) FILTER (WHERE zone <> '*'), coalesce(min(interval_start), 0),"
		" coalesce(max(interval_start + interval_s), 0), coalesce(sum(entered), 0) FROM counts";
	int rc;

	memset(out, 0, sizeof(*out));
	out->schema_version = s->version;
	if (!s->db)
		return 0;
	rc = sqlite3_prepare_v2(s->db, totals, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->rows = sqlite3_column_int64(st, 0);
		out->zone_rows = sqlite3_column_int64(st, 1);
		out->first_start = sqlite3_column_int64(st, 2);
		out->last_end = out->rows ? sqlite3_column_int64(st, 3) : 0;
		out->entered_total = sqlite3_column_int64(st, 4);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT zone FROM counts WHERE zone <> '*' ORDER BY zone", -1,
					&st, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (out->nzones < ZP_MAX_ZONES && sqlite3_column_text(st, 0))
				zp_strlcpy(out->zones[out->nzones], (const char *)sqlite3_column_text(st, 0),
					   ZP_NAME_MAX);
			out->nzones++;
		}
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK)
		return zp_seterr(err, errlen, sqlite_to_zp(rc), "%s: %s", s->p.path, sqlite3_errmsg(s->db));
	return 0;
}

/* ---- the audit's look inside ---- */

/* name is a column of the counts table in schema version `version`. */
static bool schema_column(const char *name, int version)
{
	for (const zp_schema_column *c = zp_schema_columns; c->name; c++)
		if (!strcmp(c->name, name) && c->since <= version)
			return true;
	return false;
}

int zp_store_check_contents(zp_store *s, void (*fn)(void *ctx, const char *what), void *ctx)
{
	sqlite3_stmt *st;
	char msg[200], sql[256];
	int n = 0, rc;

	if (!s->db)
		return 0;
	/*
	 * objects: the two tables and meta's primary-key index; from version 4 the change sequence (its
	 * table of keys, its unique index, SQLite's AUTOINCREMENT counter table and the three triggers that
	 * keep it); nothing else
	 */
	rc = sqlite3_prepare_v2(s->db, "SELECT type, name FROM sqlite_schema WHERE NOT (type = 'table' AND name IN"
				" ('meta', 'counts', 'changes', 'sqlite_sequence')) AND NOT (type = 'index' AND name IN"
				" ('sqlite_autoindex_meta_1', 'sqlite_autoindex_changes_1')) AND NOT (type = 'trigger' AND"
				" tbl_name = 'counts' AND name IN ('counts_changes_insert', 'counts_changes_update',"
				" 'counts_changes_delete')) ORDER BY name", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return ZP_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(msg, sizeof(msg), "the store holds a %s '%.60s' that zebrapad never makes",
			 (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
		fn(ctx, msg);
		n++;
	}
	sqlite3_finalize(st);
	/* columns of counts: the schema's */
	rc = sqlite3_prepare_v2(s->db, "SELECT name FROM pragma_table_info('counts') ORDER BY cid", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return ZP_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);

		if (c && !schema_column(c, s->version) && s->version >= 2) {
			snprintf(msg, sizeof(msg), "the counts table has a column '%.60s' that zebrapad never makes", c);
			fn(ctx, msg);
			n++;
		}
	}
	sqlite3_finalize(st);
	/* the change sequence: keys only */
	rc = sqlite3_prepare_v2(s->db, "SELECT name FROM pragma_table_info('changes') WHERE name NOT IN"
				" ('seq', 'interval_start', 'zone', 'interval_s') ORDER BY cid", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return ZP_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(msg, sizeof(msg), "the changes table has a column '%.60s' that zebrapad never makes",
			 (const char *)sqlite3_column_text(st, 0));
		fn(ctx, msg);
		n++;
	}
	sqlite3_finalize(st);
	/* values: no BLOB anywhere, zone names and meta values short text */
	for (const zp_schema_column *c = zp_schema_columns; c->name; c++) {
		if (c->since > s->version)
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM counts WHERE typeof(\"%s\") = 'blob' OR "
			 "(typeof(\"%s\") = 'text' AND length(\"%s\") > %d)", c->name, c->name, c->name, ZP_NAME_MAX);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			continue;
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
			snprintf(msg, sizeof(msg), "the counts table holds %lld binary or long values in '%s'",
				 (long long)sqlite3_column_int64(st, 0), c->name);
			fn(ctx, msg);
			n++;
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM meta WHERE typeof(value) = 'blob' OR length(value) > 64 OR"
			       " typeof(key) = 'blob' OR length(key) > 64", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
			snprintf(msg, sizeof(msg), "the meta table holds %lld binary or long values",
				 (long long)sqlite3_column_int64(st, 0));
			fn(ctx, msg);
			n++;
		}
		sqlite3_finalize(st);
	}
	return n;
}
