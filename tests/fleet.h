/* SPDX-License-Identifier: MIT */
/*
 * fleet.h - the real things of the many-crossings tests and benchmark,
 * started on 127.0.0.1 with free ports in a temporary directory and torn
 * down after: certificates made with openssl (a CA, the broker's, a device's,
 * the collectors', and a rogue CA with a client of its own), a Mosquitto
 * broker (TLS listener with client certificates, and a plain one), a
 * PostgreSQL cluster (initdb/pg_ctl; as the user nobody when run as root,
 * since PostgreSQL refuses root), zebrapad collect processes, and a small
 * MQTT publisher standing in for a device. No Check here: the benchmark uses
 * it too. Every function returns 0 or -1 after printing why on stderr.
 */
#ifndef ZP_FLEET_H
#define ZP_FLEET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "zp_common.h"

#define FLEET_MAX_COLLECTORS 4
#define FLEET_MAX_EXPORTERS 2048

typedef struct fleet {
	char dir[256];          /* the temporary directory (removed by fleet_destroy) */
	uid_t uid;              /* who runs the broker and PostgreSQL */
	gid_t gid;
	int tls_port, plain_port, pg_port;
	pid_t broker;           /* 0: not running */
	char broker_extra[512]; /* extra mosquitto.conf lines of the running broker */
	bool broker_listened;   /* the broker has listened once: its ports are in clients' configs */
	bool pg_up;
	bool pg_durable;        /* fsync on (the benchmark); the tests run with fsync off */
	char pg_bin[256];
	char dbname[64];        /* the database the collectors use */
	char conninfo[256];     /* libpq string for dbname */
	pid_t collector[FLEET_MAX_COLLECTORS];
	pid_t exporter[FLEET_MAX_EXPORTERS];
} fleet;

/*
 * A temp dir, free ports, the certificates. With $ZP_FLEET_TEMPLATE (the dir
 * of a fleet that ran fleet_pg_initdb), its certificates and cluster are
 * copied instead of made again.
 */
int fleet_init(fleet *f);
/* Stop everything started and remove the directory. */
void fleet_destroy(fleet *f);

/* Mosquitto with persistence in the dir; extra: more mosquitto.conf lines or NULL. Waits until it listens. */
int fleet_broker_start(fleet *f, const char *extra);
/* SIGTERM (the broker saves its persistence file) and wait; kill9: SIGKILL instead. */
int fleet_broker_stop(fleet *f, bool kill9);

/* initdb (first time) and start; then the database name (created when missing). */
int fleet_pg_start(fleet *f);
/* initdb only (the template of a test suite). */
int fleet_pg_initdb(fleet *f);
int fleet_pg_stop(fleet *f);
int fleet_pg_createdb(fleet *f, const char *name);

/*
 * Write DIR/collect-<i>.ini for collector i (client id collector-<i>, the
 * collectors' certificate, or cert "rogue" for the rogue CA's) and start
 * `zebrapad collect` with its stderr to DIR/collect-<i>.log. zebrapad: the
 * binary. extra: more [collect] lines or NULL (a database line there replaces the fleet's).
 */
int fleet_collector_start(fleet *f, int i, const char *zebrapad, const char *cert, const char *extra);
/* SIGTERM and wait (0: exit status 0), or SIGKILL when kill9. */
int fleet_collector_stop(fleet *f, int i, bool kill9);

/*
 * A site's counts store, DIR/<site>/counts.db, written by the store's own
 * code: n intervals of 60 s from t0, zones kerb-north, crossing, kerb-south
 * and the crossing-wide row "*" (4 rows an interval); figures from seed.
 */
int fleet_store_make(fleet *f, const char *site, int64_t t0, int n, uint32_t seed);
/*
 * `zebrapad export` for a site (its own DIR/<site>/site.ini: [store] the
 * store above, [export] this broker over TLS with cert ("device" or
 * "rogue"; "plain": plain TCP to the broker's loopback listener, no
 * certificate), the cursor and .prom in DIR/<site>/state/) as exporter slot
 * k; log DIR/<site>/export.log. extra: more [export] lines. opt: an option
 * such as "--once", or NULL.
 */
int fleet_exporter_start(fleet *f, int k, const char *zebrapad, const char *site, const char *cert,
			 const char *extra, const char *opt);
/* SIGTERM (or SIGKILL) and wait; the exit status (128 + signal when killed). */
int fleet_exporter_stop(fleet *f, int k, bool kill9);
/* Wait for an exporter started with --once: its exit status, or -1 after timeout_ms (killed). */
int fleet_exporter_wait(fleet *f, int k, int timeout_ms);

/* Path of a file in the fleet dir (static buffer per call site is the caller's). */
void fleet_path(const fleet *f, const char *name, char *out, size_t size);

/* ---- a device stand-in: publish JSON messages at QoS 1 and wait for every PUBACK ---- */

typedef struct fleet_pub fleet_pub;
/* cert: "device" (signed by the CA) or "rogue"; tls false: the plain listener. */
fleet_pub *fleet_pub_open(fleet *f, const char *client_id, const char *cert, bool tls);
/* Queue one message (retain for status). */
int fleet_pub_send(fleet_pub *p, const char *topic, const char *json, bool retain);
/* Wait until every message sent is acknowledged (timeout_ms), -1 when not. */
int fleet_pub_wait(fleet_pub *p, int timeout_ms);
void fleet_pub_close(fleet_pub *p);

/* Sleep ms milliseconds (through signals). The clocks are common's: zp_wall_ms(), zp_now_ms(). */
void fleet_sleep_ms(int ms);

#endif
