/* SPDX-License-Identifier: MIT */
/*
 * schema.c - the counts store's schema and its migrations.
 *
 * Version n is reached from n-1 by migrations[n-1], run in one transaction
 * together with the update of meta.schema_version, so a crash in the middle
 * leaves the file at n-1, never half-way. A new file goes through every
 * step (0 -> 1 -> 2 ...), so each migration runs on every fresh install and
 * in every test, not only on old sites.
 *
 * History:
 *  1  the prototype: counts(interval_start, zone, entered, occupied_s), the
 *     interval length in meta.
 *  2  interval_s per row (the interval may be changed in the config), the
 *     light and fault figures, one crossing-wide row "*" per interval,
 *     NULL where a figure does not apply; WITHOUT ROWID.
 *  3  crossed_a_to_b, crossed_b_to_a: the people who crossed a crossing zone
 *     with two sides, by direction; NULL on the rows of other zones and on
 *     the "*" row. Rows kept from version 2 have NULL there (not counted).
 *  4  changes(seq, interval_start, zone, interval_s): the store's change
 *     sequence, kept by triggers on counts. Every insert or update of a
 *     counts row gives its key a new seq, larger than any before (SQLite's
 *     AUTOINCREMENT: never reused, also after deletes); a deleted row's key
 *     leaves it. A reader that follows seq (the exporter) sees every row
 *     written or changed after its cursor, at whatever interval_start (a
 *     row added to long after its interval closed, the clock set back). The
 *     rows kept get their seq in key order. Keys only: no figure is copied.
 */
#include "privacy_internal.h"

#include <stdio.h>
#include <string.h>

const zp_schema_column zp_schema_columns[] = {
	{ "interval_start", "INTEGER", "start of the interval, Unix seconds (UTC); a multiple of interval_s", 1 },
	{ "interval_s", "INTEGER", "length of the interval in seconds (default 60)", 2 },
	{ "zone", "TEXT", "the zone's name from the config, or * for the crossing as a whole", 1 },
	{ "entered", "INTEGER",
	  "people who came into the zone in that interval (zone rows); a person is counted once per zone for as "
	  "long as their track lives: stepping out and back in does not count again; what appears in place and "
	  "never moves (a bag put down), and a fragment of a person (under half a person's height there), "
	  "occupies the zone but is not counted; a vehicle (wider than a person, faster than anyone on foot) "
	  "is in no zone and not counted", 1 },
	{ "occupied_s", "REAL", "seconds in that interval with at least one person in the zone (zone rows)", 1 },
	{ "light_activations", "INTEGER", "times the warning lights switched on in that interval (* row)", 2 },
	{ "light_on_s", "REAL", "seconds the warning lights were on in that interval (* row)", 2 },
	{ "fault_s", "REAL", "seconds in fail-safe, when the system could not see (* row)", 2 },
	{ "crossed_a_to_b", "INTEGER",
	  "people who crossed from side A to side B in that interval (rows of crossing zones with sides = A, B; "
	  "empty on other rows): a crossing is a track seen in side A, then on the crossing, then in side B", 3 },
	{ "crossed_b_to_a", "INTEGER",
	  "people who crossed the other way, from side B to side A, counted the same way", 3 },
	{ NULL, NULL, NULL, 0 },
};

struct migration {
	const char *what;
	const char *sql;
};

static const struct migration migrations[] = {
	{ "create the prototype schema (version 1)",
	  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	  "INSERT INTO meta(key, value) VALUES ('application', 'zebrapad counts'), ('interval_s', '60');"
	  "CREATE TABLE counts(interval_start INTEGER NOT NULL, zone TEXT NOT NULL,"
	  " entered INTEGER NOT NULL, occupied_s REAL NOT NULL, PRIMARY KEY (interval_start, zone));" },
	{ "per-row interval, light and fault figures, crossing row (version 2)",
	  "CREATE TABLE counts_v2("
	  " interval_start INTEGER NOT NULL CHECK (interval_start >= 0),"
	  " interval_s INTEGER NOT NULL CHECK (interval_s > 0 AND interval_start % interval_s = 0),"
	  " zone TEXT NOT NULL CHECK (length(zone) > 0),"
	  " entered INTEGER CHECK (entered >= 0),"
	  " occupied_s REAL CHECK (occupied_s >= 0 AND occupied_s <= interval_s),"
	  " light_activations INTEGER CHECK (light_activations >= 0),"
	  " light_on_s REAL CHECK (light_on_s >= 0 AND light_on_s <= interval_s),"
	  " fault_s REAL CHECK (fault_s >= 0 AND fault_s <= interval_s),"
	  " PRIMARY KEY (interval_start, zone, interval_s)) WITHOUT ROWID;"
	  "INSERT INTO counts_v2(interval_start, interval_s, zone, entered, occupied_s)"
	  " SELECT interval_start,"
	  "  coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'interval_s'), 60),"
	  "  zone, entered, min(occupied_s,"
	  "  coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'interval_s'), 60))"
	  " FROM counts;"
	  "DROP TABLE counts;"
	  "ALTER TABLE counts_v2 RENAME TO counts;"
	  "DELETE FROM meta WHERE key = 'interval_s';" },
	{ "crossings by direction (version 3)",
	  "ALTER TABLE counts ADD COLUMN crossed_a_to_b INTEGER"
	  " CHECK (crossed_a_to_b IS NULL OR (crossed_a_to_b >= 0 AND zone <> '*'));"
	  "ALTER TABLE counts ADD COLUMN crossed_b_to_a INTEGER"
	  " CHECK ((crossed_b_to_a IS NULL) = (crossed_a_to_b IS NULL) AND"
	  " (crossed_b_to_a IS NULL OR crossed_b_to_a >= 0));" },
	{ "the change sequence for readers (version 4)",
	  "CREATE TABLE changes(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	  " interval_start INTEGER NOT NULL, zone TEXT NOT NULL, interval_s INTEGER NOT NULL,"
	  " UNIQUE (interval_start, zone, interval_s));"
	  "INSERT INTO changes(interval_start, zone, interval_s)"
	  " SELECT interval_start, zone, interval_s FROM counts ORDER BY interval_start, zone, interval_s;"
	  "CREATE TRIGGER counts_changes_insert AFTER INSERT ON counts BEGIN"
	  " DELETE FROM changes WHERE interval_start = new.interval_start AND zone = new.zone"
	  "  AND interval_s = new.interval_s;"
	  " INSERT INTO changes(interval_start, zone, interval_s) VALUES (new.interval_start, new.zone, new.interval_s);"
	  " END;"
	  "CREATE TRIGGER counts_changes_update AFTER UPDATE ON counts BEGIN"
	  " DELETE FROM changes WHERE interval_start = old.interval_start AND zone = old.zone"
	  "  AND interval_s = old.interval_s;"
	  " DELETE FROM changes WHERE interval_start = new.interval_start AND zone = new.zone"
	  "  AND interval_s = new.interval_s;"
	  " INSERT INTO changes(interval_start, zone, interval_s) VALUES (new.interval_start, new.zone, new.interval_s);"
	  " END;"
	  "CREATE TRIGGER counts_changes_delete AFTER DELETE ON counts BEGIN"
	  " DELETE FROM changes WHERE interval_start = old.interval_start AND zone = old.zone"
	  "  AND interval_s = old.interval_s;"
	  " END;" },
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == ZP_STORE_SCHEMA_VERSION,
	       "one migration per schema version");

static int table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int rc, found;

	rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return found;
}

int zp_schema_version(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int has_meta, rc, version = -1, ntables = 0;

	/* also the first read of the file: a file that is not SQLite fails here */
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			ntables = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a SQLite database (%s)", path,
					 sqlite3_errmsg(db));
		return zp_seterr(err, errlen, rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO, "%s: cannot read: %s", path,
				 sqlite3_errmsg(db));
	}
	has_meta = table_exists(db, "meta");
	if (has_meta < 0)
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot read: %s", path, sqlite3_errmsg(db));
	if (!has_meta) {
		if (ntables == 0)
			return 0;
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "%s: a SQLite database, but not a zebrapad counts store (no meta table)", path);
	}
	rc = sqlite3_prepare_v2(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a zebrapad counts store (%s)", path,
				 sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 1)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a zebrapad counts store (no schema_version in meta)",
				 path);
	return version;
}

static int exec(sqlite3 *db, const char *sql, const char *path, const char *what, char *err, size_t errlen)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return 0;
	zp_seterr(err, errlen, rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO, "%s: %s: %s", path, what,
		  msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO;
}

int zp_schema_migrate(sqlite3 *db, const char *path, int *version, char *err, size_t errlen)
{
	char sql[128];
	int v, rc;

	v = zp_schema_version(db, path, err, errlen);
	if (v < 0)
		return v;
	if (version)
		*version = v;
	if (v > ZP_STORE_SCHEMA_VERSION)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "%s: schema version %d is newer than this zebrapad knows (%d); use a newer zebrapad",
				 path, v, ZP_STORE_SCHEMA_VERSION);
	for (; v < ZP_STORE_SCHEMA_VERSION; v++) {
		const struct migration *m = &migrations[v];

		rc = exec(db, "BEGIN IMMEDIATE", path, m->what, err, errlen);
		if (rc)
			return rc;
		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '%d')",
			 v + 1);
		rc = exec(db, m->sql, path, m->what, err, errlen);
		if (!rc)
			rc = exec(db, sql, path, m->what, err, errlen);
		if (!rc)
			rc = exec(db, "COMMIT", path, m->what, err, errlen);
		if (rc) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		zp_log(ZP_LOG_INFO, "%s: schema %d -> %d: %s", path, v, v + 1, m->what);
	}
	return 0;
}
