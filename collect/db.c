/* SPDX-License-Identifier: MIT */
/*
 * db.c - the collector's PostgreSQL side (libpq): the schema and its
 * migrations, and the upsert of a batch of messages in one transaction.
 *
 * Version n is reached from n-1 by migrations[n-1], run in one transaction
 * together with the update of zebrapad_meta.schema_version, under a
 * transaction advisory lock so that two collectors starting at once do not
 * both create the tables. A newer schema than this build knows is refused.
 *
 * History:
 *  1  counts (natural key site, interval_start, interval_s, zone), sites,
 *     the views counts_hourly, counts_daily and crossings_daily.
 */
#include "collect.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ZP_COUNTS_NPARAMS == ZP_COLLECT_NPARAMS && ZP_STATUS_NPARAMS == ZP_COLLECT_NPARAMS,
	       "one parameter array for both statements");

struct migration {
	const char *what;
	const char *sql;
};

static const struct migration migrations[] = {
	{ "create the counts and sites tables and their views (version 1)",
	  "CREATE TABLE counts("
	  " site text NOT NULL,"
	  " interval_start timestamptz NOT NULL,"
	  " interval_s integer NOT NULL CHECK (interval_s > 0),"
	  " zone text NOT NULL,"
	  " entered bigint, occupied_s double precision,"
	  " light_activations bigint, light_on_s double precision, fault_s double precision,"
	  " crossed_a_to_b bigint, crossed_b_to_a bigint,"
	  " schema integer,"
	  " extra jsonb,"
	  " received_at timestamptz NOT NULL DEFAULT now(),"
	  " PRIMARY KEY (site, interval_start, interval_s, zone));"
	  "COMMENT ON TABLE counts IS 'one row per site, interval and zone, as the crossing stored it "
	  "(zone * = the crossing as a whole: lights and fail-safe)';"
	  "CREATE INDEX counts_interval_start ON counts (interval_start);"
	  "CREATE TABLE sites("
	  " site text PRIMARY KEY,"
	  " state text NOT NULL,"
	  " lights text, health text, faults jsonb, fail_safe_s double precision, frames bigint,"
	  " last_frame text, version text, schema integer, export_lag_s double precision,"
	  " status_time timestamptz,"
	  " status jsonb,"
	  " crossing_zone text,"
	  " updated_at timestamptz NOT NULL DEFAULT now());"
	  "COMMENT ON COLUMN sites.crossing_zone IS 'the zone on the road, for sites whose rows have no crossed_* "
	  "columns (NULL: the zone named crossing)';"
	  "CREATE VIEW counts_hourly AS SELECT site, zone, date_trunc('hour', interval_start) AS hour,"
	  " sum(entered) AS entered, sum(occupied_s) AS occupied_s, sum(light_activations) AS light_activations,"
	  " sum(light_on_s) AS light_on_s, sum(fault_s) AS fault_s,"
	  " sum(crossed_a_to_b) AS crossed_a_to_b, sum(crossed_b_to_a) AS crossed_b_to_a,"
	  " sum(interval_s) AS seconds FROM counts GROUP BY site, zone, date_trunc('hour', interval_start);"
	  "CREATE VIEW counts_daily AS SELECT site, zone, interval_start::date AS day,"
	  " sum(entered) AS entered, sum(occupied_s) AS occupied_s, sum(light_activations) AS light_activations,"
	  " sum(light_on_s) AS light_on_s, sum(fault_s) AS fault_s,"
	  " sum(crossed_a_to_b) AS crossed_a_to_b, sum(crossed_b_to_a) AS crossed_b_to_a,"
	  " sum(interval_s) AS seconds FROM counts GROUP BY site, zone, interval_start::date;"
	  "CREATE VIEW crossings_daily AS SELECT d.site, d.day,"
	  " CASE WHEN bool_or(d.crossed_a_to_b IS NOT NULL OR d.crossed_b_to_a IS NOT NULL)"
	  "  THEN sum(coalesce(d.crossed_a_to_b, 0) + coalesce(d.crossed_b_to_a, 0))"
	  "  ELSE sum(d.entered) FILTER (WHERE d.zone = coalesce(s.crossing_zone, 'crossing')) END AS crossed"
	  " FROM counts_daily d LEFT JOIN sites s ON s.site = d.site GROUP BY d.site, d.day;" },
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == ZP_COLLECT_SCHEMA_VERSION,
	       "one migration per schema version");

/*
 * A row's figures only grow from one version to the next (the store adds to
 * an interval when the daemon restarts inside it; docs/export.md), so the
 * larger of each figure is kept: a newer version replaces the figures, an
 * older one arriving late (a redelivery after a newer version) changes
 * nothing, whatever the order. Nothing at all changes for a duplicate.
 */
#define GROW(col) " " col " = GREATEST(c." col ", excluded." col ")"
#define GROWN(col) "GREATEST(c." col ", excluded." col ")"
static const char upsert_counts_sql[] =
	"INSERT INTO counts AS c (site, interval_start, interval_s, zone, entered, occupied_s, light_activations,"
	" light_on_s, fault_s, crossed_a_to_b, crossed_b_to_a, schema, extra, received_at)"
	" VALUES ($1, to_timestamp($2::float8), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb,"
	" clock_timestamp())"
	" ON CONFLICT (site, interval_start, interval_s, zone) DO UPDATE SET"
	GROW("entered") "," GROW("occupied_s") "," GROW("light_activations") "," GROW("light_on_s") ","
	GROW("fault_s") "," GROW("crossed_a_to_b") "," GROW("crossed_b_to_a") "," GROW("schema") ","
	" extra = coalesce(excluded.extra, c.extra), received_at = clock_timestamp()"
	" WHERE (c.entered, c.occupied_s, c.light_activations, c.light_on_s, c.fault_s, c.crossed_a_to_b,"
	"  c.crossed_b_to_a, c.schema, c.extra) IS DISTINCT FROM (" GROWN("entered") ", " GROWN("occupied_s") ", "
	GROWN("light_activations") ", " GROWN("light_on_s") ", " GROWN("fault_s") ", " GROWN("crossed_a_to_b") ", "
	GROWN("crossed_b_to_a") ", " GROWN("schema") ", coalesce(excluded.extra, c.extra))"
	" RETURNING (xmax = 0) AS inserted";

/* A will ({"site","state":"offline"}) changes the state and keeps the rest; an older status changes nothing. */
static const char upsert_status_sql[] =
	"INSERT INTO sites AS s (site, state, lights, health, faults, fail_safe_s, frames, last_frame, version,"
	" schema, export_lag_s, status_time, status, updated_at)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, to_timestamp($12::float8), $13::jsonb, now())"
	" ON CONFLICT (site) DO UPDATE SET state = excluded.state,"
	" lights = coalesce(excluded.lights, s.lights), health = coalesce(excluded.health, s.health),"
	" faults = coalesce(excluded.faults, s.faults), fail_safe_s = coalesce(excluded.fail_safe_s, s.fail_safe_s),"
	" frames = coalesce(excluded.frames, s.frames), last_frame = coalesce(excluded.last_frame, s.last_frame),"
	" version = coalesce(excluded.version, s.version), schema = coalesce(excluded.schema, s.schema),"
	" export_lag_s = coalesce(excluded.export_lag_s, s.export_lag_s),"
	" status_time = coalesce(excluded.status_time, s.status_time),"
	" status = CASE WHEN excluded.status_time IS NULL THEN coalesce(s.status, '{}'::jsonb) || excluded.status"
	"  ELSE excluded.status END,"
	" updated_at = now()"
	" WHERE excluded.status_time IS NULL OR s.status_time IS NULL OR excluded.status_time >= s.status_time";

struct zp_collect_db {
	PGconn *conn;
	char conninfo[512];
	int version;
	bool prepared;
};

/* libpq's messages end with a newline: one line for ours. */
static const char *pg_msg(PGconn *conn)
{
	static const char none[] = "no message";
	const char *m = conn ? PQerrorMessage(conn) : none;

	return m && m[0] ? m : none;
}

static int seterr_pg(char *err, size_t errlen, int code, const char *what, const char *msg)
{
	int n = snprintf(err, errlen, "database: %s: %s", what, msg);

	if (err && n > 0) {
		size_t len = strlen(err);

		while (len && (err[len - 1] == '\n' || err[len - 1] == ' '))
			err[--len] = '\0';
		for (char *c = err; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
	}
	return code;
}

static int exec_ok(zp_collect_db *db, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *r = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = seterr_pg(err, errlen, PQstatus(db->conn) == CONNECTION_OK ? ZP_EINVAL : ZP_EIO, what,
			       PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : pg_msg(db->conn));
	PQclear(r);
	return rc;
}

/* The version in zebrapad_meta, 0 when there is none (a new database); -1 on error. */
static int read_version(zp_collect_db *db, char *err, size_t errlen)
{
	PGresult *r;
	int v = -1;

	r = PQexec(db->conn, "SELECT to_regclass('zebrapad_meta') IS NOT NULL");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = PQgetvalue(r, 0, 0)[0] == 't' ? 1 : 0;
	else
		seterr_pg(err, errlen, ZP_EIO, "reading the schema version", PQresultErrorMessage(r));
	PQclear(r);
	if (v != 1)
		return v;
	r = PQexec(db->conn, "SELECT value::integer FROM zebrapad_meta WHERE key = 'schema_version'");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = atoi(PQgetvalue(r, 0, 0));
	else
		v = seterr_pg(err, errlen, -1, "reading the schema version",
			      PQresultStatus(r) == PGRES_TUPLES_OK ? "zebrapad_meta has no schema_version"
								   : PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

static int migrate(zp_collect_db *db, char *err, size_t errlen)
{
	char sql[256];
	int v, rc;

	for (;;) {
		rc = exec_ok(db, "BEGIN; SELECT pg_advisory_xact_lock(727274011)", "starting the migration", err,
			     errlen);
		if (rc)
			return rc;
		v = read_version(db, err, errlen);
		if (v < 0)
			break;
		if (v > ZP_COLLECT_SCHEMA_VERSION) {
			db->version = v;
			exec_ok(db, "ROLLBACK", "rollback", NULL, 0);
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "database: schema version %d is newer than this collector knows (%d): "
					 "update zebrapad", v, ZP_COLLECT_SCHEMA_VERSION);
		}
		if (v == ZP_COLLECT_SCHEMA_VERSION) {
			db->version = v;
			return exec_ok(db, "COMMIT", "commit", err, errlen);
		}
		if (v == 0) {
			rc = exec_ok(db,
				     "CREATE TABLE zebrapad_meta(key text PRIMARY KEY, value text NOT NULL);"
				     "INSERT INTO zebrapad_meta VALUES ('application', 'zebrapad collect'),"
				     " ('schema_version', '0')",
				     "creating zebrapad_meta", err, errlen);
			if (rc)
				break;
		}
		rc = exec_ok(db, migrations[v].sql, migrations[v].what, err, errlen);
		if (rc)
			break;
		snprintf(sql, sizeof(sql), "UPDATE zebrapad_meta SET value = '%d' WHERE key = 'schema_version'", v + 1);
		rc = exec_ok(db, sql, "updating the schema version", err, errlen);
		if (rc)
			break;
		rc = exec_ok(db, "COMMIT", "commit of the migration", err, errlen);
		if (rc)
			return rc;
		zp_log(ZP_LOG_NOTICE, "collect: database schema %d -> %d: %s", v, v + 1, migrations[v].what);
	}
	exec_ok(db, "ROLLBACK", "rollback", NULL, 0);
	return rc ? rc : ZP_EIO;
}

/* Prepare statement `name` (ZP_COLLECT_NPARAMS parameters): 0, or ZP_EIO and why in err. */
static int prepare(zp_collect_db *db, const char *name, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *r = PQprepare(db->conn, name, sql, ZP_COLLECT_NPARAMS, NULL);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = seterr_pg(err, errlen, ZP_EIO, what, PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

static int connect_db(zp_collect_db *db, char *err, size_t errlen)
{
	if (db->conn)
		PQfinish(db->conn);
	db->prepared = false;
	db->conn = PQconnectdb(db->conninfo);
	if (!db->conn)
		return zp_seterr(err, errlen, ZP_ENOMEM, "database: out of memory");
	if (PQstatus(db->conn) != CONNECTION_OK)
		return seterr_pg(err, errlen, ZP_EIO, "cannot connect", pg_msg(db->conn));
	if (exec_ok(db, "SET client_min_messages = warning", "session setup", err, errlen))
		return ZP_EIO;
	if (migrate(db, err, errlen) != 0)
		return db->version > ZP_COLLECT_SCHEMA_VERSION ? ZP_EINVAL : ZP_EIO;
	if (prepare(db, "zp_counts", upsert_counts_sql, "preparing the counts upsert", err, errlen) ||
	    prepare(db, "zp_status", upsert_status_sql, "preparing the status upsert", err, errlen))
		return ZP_EIO;
	db->prepared = true;
	return 0;
}

zp_collect_db *zp_collect_db_open(const char *conninfo, int *code, char *err, size_t errlen)
{
	zp_collect_db *db = calloc(1, sizeof(*db));
	int rc;

	if (code)
		*code = ZP_ENOMEM;
	if (!db) {
		zp_seterr(err, errlen, ZP_ENOMEM, "database: out of memory");
		return NULL;
	}
	zp_strlcpy(db->conninfo, conninfo, sizeof(db->conninfo));
	rc = connect_db(db, err, errlen);
	if (code)
		*code = rc;
	if (rc) {
		zp_collect_db_close(db);
		return NULL;
	}
	return db;
}

void zp_collect_db_close(zp_collect_db *db)
{
	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db);
}

int zp_collect_db_version(zp_collect_db *db)
{
	return db->version;
}

int zp_collect_db_reset(zp_collect_db *db, char *err, size_t errlen)
{
	return connect_db(db, err, errlen) == 0 ? 0 : ZP_EIO;
}

/* One message: 1 inserted, 2 replaced, 3 unchanged, 4 status applied, 0 status older; <0 refused. */
static int apply_one(zp_collect_db *db, const zp_collect_msg *m, char *err, size_t errlen)
{
	const bool counts = m->kind == ZP_MSG_COUNTS;
	PGresult *r = PQexecPrepared(db->conn, counts ? "zp_counts" : "zp_status", ZP_COLLECT_NPARAMS,
				     (const char *const *)m->value, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int rc;

	if (st == PGRES_TUPLES_OK)
		rc = PQntuples(r) == 0 ? 3 : PQgetvalue(r, 0, 0)[0] == 't' ? 1 : 2;
	else if (st == PGRES_COMMAND_OK)
		rc = atoi(PQcmdTuples(r)) > 0 ? 4 : 0;
	else
		rc = seterr_pg(err, errlen, PQstatus(db->conn) == CONNECTION_OK ? ZP_EINVAL : ZP_EIO,
			       counts ? "counts row refused" : "status refused",
			       PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : pg_msg(db->conn));
	PQclear(r);
	return rc;
}

static void tally_add(zp_collect_tally *t, int rc)
{
	if (rc == 1)
		t->inserted++;
	else if (rc == 2)
		t->replaced++;
	else if (rc == 3)
		t->unchanged++;
	else if (rc == 4 || rc == 0)
		t->statuses++;
}

int zp_collect_db_apply(zp_collect_db *db, const zp_collect_msg *msgs, int n, zp_collect_tally *tally, char *err,
			size_t errlen)
{
	zp_collect_tally t = { 0 };
	char msg[512];
	int rc = 0, i;
	bool retry = false;

	if (!db->prepared || PQstatus(db->conn) != CONNECTION_OK)
		return zp_seterr(err, errlen, ZP_EIO, "database: not connected");
again:
	memset(&t, 0, sizeof(t));
	if ((rc = exec_ok(db, "BEGIN", "begin", err, errlen)) != 0)
		return ZP_EIO;
	for (i = 0; i < n; i++) {
		if (retry && exec_ok(db, "SAVEPOINT m", "savepoint", err, errlen))
			goto fail;
		rc = apply_one(db, &msgs[i], msg, sizeof(msg));
		if (rc == ZP_EIO) {
			zp_strlcpy(err, msg, errlen);
			goto fail;
		}
		if (rc < 0 && !retry) {
			/* one row spoils the transaction: again, each row under its own savepoint */
			exec_ok(db, "ROLLBACK", "rollback", NULL, 0);
			retry = true;
			goto again;
		}
		if (rc < 0) {
			zp_log(ZP_LOG_WARNING, "collect: %s (skipped)", msg);
			t.rejected++;
			if (exec_ok(db, "ROLLBACK TO SAVEPOINT m", "rollback to savepoint", err, errlen))
				goto fail;
			continue;
		}
		tally_add(&t, rc);
	}
	if (exec_ok(db, "COMMIT", "commit", err, errlen))
		goto fail;
	if (tally) {
		tally->inserted += t.inserted;
		tally->replaced += t.replaced;
		tally->unchanged += t.unchanged;
		tally->rejected += t.rejected;
		tally->statuses += t.statuses;
	}
	return 0;
fail:
	exec_ok(db, "ROLLBACK", "rollback", NULL, 0);
	return ZP_EIO;
}
