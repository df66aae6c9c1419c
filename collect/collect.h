/* SPDX-License-Identifier: MIT */
/*
 * collect.h - the town-hall side: counts and status from many crossings,
 * received over MQTT, kept in PostgreSQL.
 *
 * Three parts, each usable alone:
 *  - the [collect] config section (its own file, e.g. /etc/zebrapad/collect.ini);
 *  - the messages: a counts row or a status object as JSON (cJSON) into the
 *    parameters of one SQL statement, checked field by field (pure: no I/O);
 *  - the collector: an MQTT 5 client (libmosquitto), on its own or on a
 *    shared subscription, that upserts every message into PostgreSQL (libpq)
 *    and acknowledges it to the broker only once its row is committed.
 *
 * Acknowledgement after commit: libmosquitto sends the PUBACK of a QoS 1
 * message as it reads it. The collector drives the library itself with
 * mosquitto_threaded_set(true), which makes the library queue every packet
 * it would send (PUBACKs included) instead of writing it; the collector reads
 * what the socket holds, commits the rows in one transaction, and only then
 * lets the library write. A collector killed between receipt and commit has
 * sent no PUBACK, so the broker still owns those messages: its persistent
 * session (clean start off, session expiry [collect] session_expiry_s) gets
 * them again when it reconnects under the same client id. A database error
 * drops the broker connection unacknowledged for the same effect.
 */
#ifndef ZP_COLLECT_H
#define ZP_COLLECT_H

#include "zp_common.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every field has a [collect] config key of the same name (README, "many crossings"). */
typedef struct zp_collect_params {
	char broker_host[256];      /* default 127.0.0.1 */
	int broker_port;            /* 0 = 8883 with TLS, 1883 without */
	char cafile[256];           /* CA of the broker's certificate: TLS on when set */
	char certfile[256];         /* client certificate (PEM) */
	char keyfile[256];          /* its key */
	char username[128];         /* optional, with password_file */
	char password_file[256];    /* first line is the password */
	bool allow_plain;           /* plain TCP to a broker that is not on loopback (default no) */
	char client_id[128];        /* fixed per collector (its session); default zebrapad-collect-<hostname> */
	bool shared;                /* counts through $share/<group>/ (split between collectors); default no */
	char group[64];             /* shared subscription group (default zebrapad) */
	int session_expiry_s;       /* how long the broker keeps a dead collector's session (default 604800) */
	int inflight;               /* MQTT 5 receive maximum: unacknowledged messages at once (default 100) */
	int keepalive_s;            /* default 30 */
	char database[512];         /* libpq connection string (default "dbname=zebrapad") */
} zp_collect_params;

void zp_collect_params_default(zp_collect_params *p);
/* One key of [collect]: 0, or ZP_EINVAL with "key: expected ..." in err. */
int zp_collect_params_set(zp_collect_params *p, const char *key, const char *value, char *err, size_t errlen);
/* Checks across keys (TLS files in threes, plain TCP only to loopback): 0 or ZP_EINVAL, one line. */
int zp_collect_params_check(const zp_collect_params *p, char *err, size_t errlen);
/*
 * Read FILE's [collect] section (any other section is an error). 0,
 * ZP_ENODEV / ZP_EACCES / ZP_EIO ("FILE: cannot open (...)") or ZP_EINVAL
 * ("FILE:LINE: ...", one line).
 */
int zp_collect_params_load(const char *path, zp_collect_params *p, char *err, size_t errlen);

/* ---- messages ---- */

/* The counts columns, in the order of zp_collect_msg.value[] and of the upsert's parameters. */
enum {
	ZP_COL_SITE, ZP_COL_INTERVAL_START, ZP_COL_INTERVAL_S, ZP_COL_ZONE, ZP_COL_ENTERED, ZP_COL_OCCUPIED_S,
	ZP_COL_LIGHT_ACTIVATIONS, ZP_COL_LIGHT_ON_S, ZP_COL_FAULT_S, ZP_COL_CROSSED_A_TO_B, ZP_COL_CROSSED_B_TO_A,
	ZP_COL_SCHEMA, ZP_COL_EXTRA, ZP_COUNTS_NPARAMS
};
/* The sites columns. */
enum {
	ZP_ST_SITE, ZP_ST_STATE, ZP_ST_LIGHTS, ZP_ST_HEALTH, ZP_ST_FAULTS, ZP_ST_FAIL_SAFE_S, ZP_ST_FRAMES,
	ZP_ST_LAST_FRAME, ZP_ST_VERSION, ZP_ST_SCHEMA, ZP_ST_EXPORT_LAG_S, ZP_ST_TIME, ZP_ST_STATUS, ZP_STATUS_NPARAMS
};
#define ZP_COLLECT_NPARAMS 13

enum zp_collect_kind { ZP_MSG_COUNTS = 1, ZP_MSG_STATUS = 2 };

/* One message as the text parameters of its statement; NULL = SQL NULL. */
typedef struct zp_collect_msg {
	int kind;
	char *value[ZP_COLLECT_NPARAMS];
} zp_collect_msg;

/*
 * Topic zebrapad/<site>/counts or zebrapad/<site>/status and its JSON
 * payload into msg (free with zp_collect_msg_free). The site in the topic
 * and in the object must agree. Counts: interval_start (integer >= 0),
 * interval_s (integer > 0, dividing interval_start), zone (non-empty
 * string) are required; the figures are numbers >= 0 or null or absent
 * (counts integers), schema an integer; unknown fields are kept as one
 * JSON object (extra). Status: site and state required; a field of the
 * wrong type is NULL in its column and kept in the whole object (status).
 * 0, or ZP_EINVAL with one line naming the topic and the field.
 */
int zp_collect_parse(const char *topic, const void *payload, size_t len, zp_collect_msg *msg, char *err,
		     size_t errlen);
void zp_collect_msg_free(zp_collect_msg *msg);

/* ---- PostgreSQL ---- */

/* The database schema this build creates; older ones are migrated, one transaction a step. */
#define ZP_COLLECT_SCHEMA_VERSION 1

typedef struct zp_collect_db zp_collect_db;

/*
 * Connect (libpq conninfo) and create or migrate the schema. NULL with one
 * line in err and *code (may be NULL): ZP_EIO (cannot connect; retrying may
 * help) or ZP_EINVAL (a schema newer than this build).
 */
zp_collect_db *zp_collect_db_open(const char *conninfo, int *code, char *err, size_t errlen);
void zp_collect_db_close(zp_collect_db *db);
/* The schema version found in the database (0: none). */
int zp_collect_db_version(zp_collect_db *db);

typedef struct zp_collect_tally {
	uint64_t inserted;   /* new rows */
	uint64_t replaced;   /* same key, other values: replaced */
	uint64_t unchanged;  /* duplicates: nothing changed */
	uint64_t rejected;   /* refused by the database (logged) */
	uint64_t statuses;   /* status messages applied */
} zp_collect_tally;

/*
 * Upsert n messages in one transaction, committed on return 0. A message the
 * database refuses is logged, counted and skipped (the others commit).
 * ZP_EIO: the connection failed, nothing is known committed; reconnect with
 * zp_collect_db_reset and send again.
 */
int zp_collect_db_apply(zp_collect_db *db, const zp_collect_msg *msgs, int n, zp_collect_tally *tally, char *err,
			size_t errlen);
/* Reconnect after ZP_EIO: 0 or ZP_EIO. */
int zp_collect_db_reset(zp_collect_db *db, char *err, size_t errlen);

/* ---- the collector ---- */

typedef struct zp_collect_stats {
	zp_collect_tally db;
	uint64_t messages;   /* received */
	uint64_t invalid;    /* not a zebrapad message (logged, acknowledged, dropped) */
	uint64_t batches;    /* transactions committed */
	uint64_t connects;   /* broker connections made */
} zp_collect_stats;

/*
 * Run until stop_fd is readable (a signalfd for SIGTERM/SIGINT; -1: never): connect to
 * the broker and the database, reconnecting both with backoff, and apply
 * every message. Returns 0 on stop, ZP_EINVAL for a config the libraries
 * refuse (e.g. a certificate file that cannot be read). stats (may be NULL)
 * is filled as it runs; a summary line is logged on return.
 */
int zp_collect_run(const zp_collect_params *p, int stop_fd, zp_collect_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
