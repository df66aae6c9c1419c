/* SPDX-License-Identifier: MIT */
/*
 * export.h - `zebrapad export`: the counts and the site's health to an MQTT
 * broker, from a process of its own (the detector daemon has no network).
 *
 * Reads the counts store read-only (a SQLite WAL reader), publishes each row
 * to zebrapad/<site>/counts (QoS 1) and a retained zebrapad/<site>/status,
 * through libmosquitto, with TLS. docs/export.md has the wire format, the
 * cursor rules and the deployment.
 *
 * Parts:
 *  - the [export] keys (zp_export_params): no dependency but zp_common, so
 *    the config reader links them;
 *  - the messages (JSON through cJSON): a row of the store by its columns'
 *    own names, the status, the will;
 *  - the cursor: the last row the broker acknowledged and that can no longer
 *    change, kept in a file replaced atomically (fsync'ed);
 *  - the store reader;
 *  - the exporter's loop (zp_export_run), with the sandbox, the
 *    store-and-forward queue, the reconnects and the .prom file.
 */
#ifndef ZP_EXPORT_H
#define ZP_EXPORT_H

#include "zp_common.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- [export] config keys (README, docs/export.md) ---- */

#define ZP_EXPORT_SITE_MAX 64
#define ZP_EXPORT_PATH_MAX 256

typedef struct zp_export_params {
	char broker[256];        /* host name or address of the MQTT broker; "" = no export */
	int port;                /* 0: 8883 with TLS, 1883 without */
	char site[ZP_EXPORT_SITE_MAX]; /* the site's id in the topics: letters, digits, '-', '_', '.' */
	char ca_file[ZP_EXPORT_PATH_MAX];   /* CA certificate(s) of the broker (PEM): TLS on */
	char cert_file[ZP_EXPORT_PATH_MAX]; /* this device's client certificate (PEM) */
	char key_file[ZP_EXPORT_PATH_MAX];  /* ... and its private key */
	char username[128];      /* MQTT username (with password_file) */
	char password_file[ZP_EXPORT_PATH_MAX]; /* the password: the file's first line */
	bool allow_plain;        /* plain TCP to a broker that is not on loopback (default no) */
	double rate;             /* rows per second at most (default 50) */
	int max_inflight;        /* rows published and not yet acknowledged (default 20) */
	int settle_s;            /* no effect since the change sequence (schema 4); still read, so configs that set it load */
	int keepalive_s;         /* MQTT keepalive (60) */
	int status_s;            /* the status message is republished this often (60) */
	int poll_ms;             /* the store is read this often when idle (1000) */
	char cursor_file[ZP_EXPORT_PATH_MAX]; /* default /var/lib/zebrapad-export/cursor.json */
	char prom_file[ZP_EXPORT_PATH_MAX];   /* default /var/lib/zebrapad-export/zebrapad-export.prom; "none": off */
} zp_export_params;

void zp_export_params_default(zp_export_params *p);
/* One [export] key: 0, ZP_EINVAL ("expected ...") or ZP_ENODEV (unknown key). */
int zp_export_params_set(zp_export_params *p, const char *key, const char *value, char *err, size_t errlen);
/*
 * The whole section (after the file): a site, TLS or an allowed plain
 * connection (loopback or allow_plain), a key with a certificate, a
 * password file with a username. 0 or ZP_EINVAL "[export] ...".
 */
int zp_export_params_check(const zp_export_params *p, char *err, size_t errlen);
/* The port in use (port, or the default for TLS / plain). */
int zp_export_port(const zp_export_params *p);
/* true for localhost, 127.0.0.0/8 and ::1 written as such. */
bool zp_export_host_is_loopback(const char *host);
/* true when the site id may be used in a topic. */
bool zp_export_site_ok(const char *site);

/* The topics of a site. */
void zp_export_topic(char *buf, size_t len, const char *site, const char *leaf);

/* ---- the messages ---- */

/* What the status message says about the daemon (from its health file). */
typedef struct zp_export_health {
	bool known;              /* the health file was read and is fresh */
	char lights[16];         /* "off", "on", "failsafe"; "unknown" when !known */
	char health[16];         /* the detector's health ("ok", "dark", ...; "stale" / "unknown") */
	int nfaults;
	char fault_kind[8][16];
	uint64_t fault_count[8];
	double failsafe_s;
	uint64_t frames;
	int64_t last_frame_s;    /* Unix seconds, 0 = none */
	char version[32];        /* the daemon's version */
	int64_t written_s;       /* when the daemon wrote the file */
} zp_export_health;

/*
 * Read the daemon's health .prom file; stale_s: older than this (by its own
 * timestamp against now_s) counts as not known. Returns 0 (h filled, maybe
 * !known with health "stale"), ZP_ENODEV (no file: h says "unknown") or
 * ZP_EINVAL (malformed; message).
 */
int zp_export_health_read(const char *path, int64_t now_s, int stale_s, zp_export_health *h, char *err,
			  size_t errlen);

/* The status message (malloc'ed JSON, NULL on no memory). online false: the last will. */
char *zp_export_status_json(const char *site, bool online, const zp_export_health *h, int schema,
			    const char *version, double export_lag_s, int64_t now_s);

/* FNV-1a, 64 bits: the fingerprint of a message's text. */
uint64_t zp_export_fingerprint(const char *s);

/* ---- the store reader ---- */

typedef struct zp_export_source zp_export_source;

/* The natural key of a row within a site, and the order of the export. */
typedef struct zp_export_key {
	int64_t interval_start;
	char zone[ZP_NAME_MAX * 2];
	int64_t interval_s;
} zp_export_key;

/* -1, 0, 1 as a precedes, equals, follows b in (interval_start, zone, interval_s) order. */
int zp_export_key_cmp(const zp_export_key *a, const zp_export_key *b);

/*
 * Open the store read-only (no migration, no write: a WAL reader). The file
 * must be a zebrapad counts store. NULL with a message; *code ZP_ENODEV (no
 * file yet), ZP_EINVAL (not a store), ZP_EIO.
 */
zp_export_source *zp_export_source_open(const char *path, int *code, char *err, size_t errlen);
void zp_export_source_close(zp_export_source *s);
/* The store's schema version (read again on each zp_export_source_next). */
int zp_export_source_schema(const zp_export_source *s);

/* One row as it leaves: its place in the store's change sequence, its key and its message. */
typedef struct zp_export_row {
	int64_t seq;             /* changes.seq: a row written or changed again gets a larger one */
	zp_export_key key;
	char *json;              /* malloc'ed message (the caller frees) */
	uint64_t fp;             /* zp_export_fingerprint(json) */
} zp_export_row;

/*
 * Up to max rows written or changed after sequence number after_seq (0: from
 * the first), in the order of the store's change sequence (schema 4: the
 * table changes), each as its message for site. Returns the number of rows
 * (out[0..n-1], json malloc'ed), or ZP_EIO / ZP_EBUSY / ZP_ENOMEM with a
 * message; ZP_EBUSY also for a store of schema 3 or older, which has no
 * change sequence until the daemon opens (and migrates) it.
 */
int zp_export_source_next(zp_export_source *s, int64_t after_seq, const char *site, zp_export_row *out, int max,
			  char *err, size_t errlen);
/* Rows after sequence number after_seq (0: all). < 0 on error. */
int64_t zp_export_source_count(zp_export_source *s, int64_t after_seq);
/*
 * The sequence number to resume from for a cursor saved as a key (format 1):
 * one less than the smallest seq of the rows after key k, so that none of
 * them is skipped (rows up to k changed since come again: a duplicate).
 * < 0 on error (ZP_EBUSY before schema 4).
 */
int64_t zp_export_source_seq_after_key(zp_export_source *s, const zp_export_key *k);
/* The newest row's message (by interval_start), NULL when the store is empty or on error. */
char *zp_export_source_newest(zp_export_source *s, const char *site);
/* The column names of the counts table, comma-separated, into buf. 0 or ZP_EIO. */
int zp_export_source_columns(zp_export_source *s, char *buf, size_t len);

/* ---- the cursor ---- */

typedef struct zp_export_cursor {
	bool set;                /* false: nothing acknowledged yet (start from the first row) */
	int64_t seq;             /* every row up to this change sequence number is acknowledged */
	bool by_key;             /* a format-1 file: key holds the cursor, seq is found from it in the store */
	zp_export_key key;       /* (format 1) the last row acknowledged, by key */
	char site[ZP_EXPORT_SITE_MAX];
} zp_export_cursor;

/*
 * Load: a missing file is an empty cursor (0). Version 2 holds seq; version
 * 1 (a key: from an exporter before the change sequence) is loaded with
 * by_key set. A file that is not a cursor is ZP_EINVAL with a message naming
 * it (not overwritten silently: remove it to start over). A cursor of
 * another site is ZP_EINVAL too.
 */
int zp_export_cursor_load(const char *path, const char *site, zp_export_cursor *c, char *err, size_t errlen);
/* Save (version 2, seq) atomically and durably (temporary file, fsync, rename, fsync of the directory). */
int zp_export_cursor_save(const char *path, const zp_export_cursor *c, char *err, size_t errlen);

/* ---- the exporter ---- */

/*
 * Take the pages of the program's files (the executable, the shared
 * libraries) that were never written out of the process's resident set
 * (madvise MADV_DONTNEED on each private, read-only file mapping without a
 * page of its own), and give the heap's free memory back (malloc_trim).
 * The page cache keeps the pages; code that runs again maps them back at
 * its next touch. Returns the KiB of resident pages dropped, -1 when
 * /proc/self/smaps cannot be read. The exporter calls it after each
 * connection and every minute (docs/export.md, "Memory").
 */
long zp_export_trim(void);

typedef struct zp_export_opts {
	const char *config_path;
	const char *store_path;      /* [store] path */
	const char *health_path;     /* [health] prom_file ("" = none) */
	int health_stale_s;          /* the health file counts as stale after this (3 x its period + 5) */
	const zp_export_params *p;
	bool sandbox;                /* apply the sandbox (default true; --no-sandbox for debugging) */
	bool once;                   /* --once: stop when the backlog is empty and acknowledged */
	long max_rows;               /* stop after this many rows published (tests); -1: no limit */
	const char *version;
} zp_export_opts;

/*
 * Run until SIGTERM/SIGINT (or --once done). Returns an exit code
 * (ZP_EXIT_OK, ZP_EXIT_USAGE for a bad config or files, ZP_EXIT_FAIL).
 */
int zp_export_run(const zp_export_opts *o);

/* The audit's section: broker, topics, every field, a sample built from the store's newest row. */
void zp_export_describe(const zp_export_params *p, const char *store_path, FILE *out, bool json);

#ifdef __cplusplus
}
#endif
#endif
