/* SPDX-License-Identifier: MIT */
/*
 * store.h - privacy: the counts store (SQLite), the audit report and the
 * process sandbox. Counts only: nothing per person, no time finer than the
 * interval, never pixels.
 *
 * Three parts:
 *  - the store: one row per closed interval and zone, written to SQLite in
 *    WAL mode with synchronous=FULL, so a crash or a power cut loses at most
 *    the interval in progress (docs/privacy.md says why FULL);
 *  - the audit: what is kept, where, for how long, and a scan of the data
 *    directory that names anything that is not the store (images, videos,
 *    raw frame dumps, unknown files);
 *  - the sandbox: no core dumps, Landlock (writes only beneath the data
 *    directory), seccomp (no execve, ptrace, network sockets).
 *
 * Time comes in as arguments (wall_ms = Unix time in milliseconds), so the
 * store is deterministic: the same samples give the same rows.
 */
#ifndef ZP_STORE_H
#define ZP_STORE_H

#include "sampler.h"
#include "zp_common.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every field has a [store] config key of the same name (see README). */
typedef struct zp_store_params {
	char path[256];         /* the counts database, e.g. /var/lib/zebrapad/counts.db; "" = no store */
	int interval_s;         /* aggregation interval (default 60) */
	int retention_days;     /* rows older than this are deleted, daily (default 365) */
} zp_store_params;

void zp_store_params_default(zp_store_params *p);

/*
 * A store path that cannot widen the sandbox (whose write access is the
 * store's directory): absolute, naming a file (no trailing '/', no '.' or
 * '..' parts), in a directory other than '/'. With check_fs, also: the
 * directory is a directory and is not '/' once links are resolved, and the
 * path, when it exists, is a regular file (not a link, FIFO, device or
 * directory). 0 or ZP_EINVAL / ZP_ENODEV with a one-line message.
 * zp_store_params_set() applies it without check_fs; the daemon with it.
 */
int zp_store_check_path(const char *path, bool check_fs, char *err, size_t errlen);
int zp_store_params_set(zp_store_params *p, const char *key, const char *value, char *err, size_t errlen);

/* ---- the counts store ---- */

/* The schema this build writes; older files are migrated on open. */
#define ZP_STORE_SCHEMA_VERSION 4

/* Zone name of the crossing-wide row of an interval (light and fault figures). */
#define ZP_STORE_CROSSING "*"

typedef struct zp_store zp_store;

/* zp_store_open() flags */
enum {
	ZP_STORE_DRY_RUN = 1u << 0,   /* no database at all: closed rows go only to the sink */
	ZP_STORE_READ_ONLY = 1u << 1, /* open an existing file read-only, no migration (audit) */
};

/* Rows deleted per retention transaction: a year of rows is removed in many short steps. */
#define ZP_STORE_RETENTION_BATCH 512

/*
 * The row (zp_store_row) and the sample (zp_store_sample) are the interval
 * sampler's (pipeline/sampler.h): it makes the rows, the store keeps them.
 * The store's own accumulator (zp_store_account) is that sampler.
 */

/* Called for every row of an interval as it closes (after it is committed; in a dry run instead). */
typedef void (*zp_store_sink)(void *ctx, const zp_store_row *row);

/*
 * Open (or create) the store at p->path for the given zones (names copied;
 * "*" is reserved). The directory must exist. A new file is created with
 * mode 0640, in WAL mode, synchronous=FULL, temp files in memory, secure
 * delete. Older schemas are migrated (one transaction per step); a newer
 * schema than this build knows is refused. With ZP_STORE_DRY_RUN nothing
 * is opened (p->path may be ""); with ZP_STORE_READ_ONLY the file must
 * exist and is neither changed nor migrated (zones may be NULL/0).
 * Returns NULL with a one-line message naming the file; *errcode (may be
 * NULL) gets ZP_ENODEV (no such file or directory), ZP_EACCES, ZP_EINVAL
 * (bad params, not a zebrapad store, newer schema), ZP_EIO, ZP_ENOMEM.
 */
zp_store *zp_store_open(const zp_store_params *p, const char *const *zones, int nzones, unsigned flags,
			int *errcode, char *err, size_t errlen);

/* Flush the interval in progress (zp_store_flush) and close. NULL is a no-op. */
void zp_store_close(zp_store *s);

/* The sink for closed rows; NULL removes it. */
void zp_store_set_sink(zp_store *s, zp_store_sink fn, void *ctx);

/*
 * Account one sample. When wall_ms is in a later interval than the one in
 * progress (or an earlier one: the clock was set back), the interval in
 * progress is closed: its rows (one per zone plus the crossing row) are
 * written in one transaction. Intervals with no sample at all get no rows.
 * Once a day (by wall_ms) retention runs after a commit.
 * Returns 0, ZP_EINVAL (bad sample), or ZP_EIO / ZP_EBUSY when the write
 * failed: the rows are kept in memory (up to 64 intervals) and written with
 * the next commit.
 */
int zp_store_account(zp_store *s, const zp_store_sample *smp);

/*
 * Write the interval in progress now, as it stands (a clean shutdown). Later
 * samples in the same interval are added to the stored row. 0 or ZP_EIO.
 */
int zp_store_flush(zp_store *s);

/*
 * Delete the rows whose interval ended more than retention_days before
 * wall_ms, and give the space back. *deleted (may be NULL) gets the number
 * of rows deleted. 0 or ZP_EIO. zp_store_account() calls it daily.
 */
int zp_store_retention(zp_store *s, int64_t wall_ms, int64_t *deleted);

/*
 * Write rows as they are (upsert: a row of an interval already stored is
 * added to it) in one transaction. The store's own interval accumulator is
 * not involved: this is the writer side of the daemon's hand-off, whose
 * sampler is a ZP_STORE_DRY_RUN store. 0, ZP_EBUSY (locked by another
 * process), ZP_EIO (full disk, I/O error), ZP_EACCES; nothing is kept on
 * failure (the caller keeps the rows). zp_store_errmsg() tells more.
 */
int zp_store_write(zp_store *s, const zp_store_row *rows, size_t n);

/* SQLite's last message for this store. */
const char *zp_store_errmsg(const zp_store *s);

/* How long a write waits for another process's lock (default 5000 ms). */
void zp_store_set_busy_timeout(zp_store *s, int ms);

/* 0: the path still names the file that was opened; 1: it is gone; 2: it names another file now. */
int zp_store_file_changed(const zp_store *s);

/*
 * One step of retention: delete at most batch rows whose interval ended
 * more than retention_days before wall_ms, or, once none are left, give a
 * few free pages back. *more: call again. Each step is its own short
 * transaction. 0 or ZP_EIO / ZP_EBUSY.
 */
int zp_store_retention_step(zp_store *s, int64_t wall_ms, int batch, int64_t *deleted, bool *more);

/* Schema version of the open file (read-only opens may be older), 0 for a dry run. */
int zp_store_schema_version(const zp_store *s);

/* Totals for the audit report. */
typedef struct zp_store_summary {
	int schema_version;
	int64_t rows;               /* all rows */
	int64_t zone_rows;          /* rows of zones (not the crossing row) */
	int64_t first_start;        /* earliest interval_start, Unix seconds; 0 when empty */
	int64_t last_end;           /* latest interval_start + interval_s; 0 when empty */
	int64_t entered_total;      /* sum over all zone rows */
	int nzones;                 /* distinct zone names (not "*") */
	char zones[ZP_MAX_ZONES][ZP_NAME_MAX]; /* the first ZP_MAX_ZONES of them, sorted */
} zp_store_summary;

/* Fill *out from the file. 0 or ZP_EIO (with a message). */
int zp_store_summarize(zp_store *s, zp_store_summary *out, char *err, size_t errlen);

/*
 * Call fn for the rows with from_s <= interval_start < to_s, oldest first
 * (newest first when newest_first), at most limit rows (0 = all). fn
 * returns 0 to go on, non-zero to stop. Returns 0 or ZP_EIO.
 */
int zp_store_read(zp_store *s, int64_t from_s, int64_t to_s, bool newest_first, size_t limit,
		  int (*fn)(void *ctx, const zp_store_row *row), void *ctx);

/* The start (Unix seconds) of the interval that holds wall_ms. */
int64_t zp_store_interval_of(int64_t wall_ms, int interval_s);

/* ---- the process sandbox ---- */

#define ZP_SANDBOX_MAX_DEVICES 4
#define ZP_SANDBOX_MAX_KEEP_FDS 16

typedef struct zp_sandbox_opts {
	const char *data_dir;   /* Landlock: files may be created, written, renamed, removed only beneath this */
	const char *extra_dir;  /* ... and beneath this one (the health .prom file's directory); NULL: none */
	const char *devices[ZP_SANDBOX_MAX_DEVICES]; /* device nodes that may be opened for writing (camera,
							GPIO chip); NULL entries are skipped */
	int keep_fds[ZP_SANDBOX_MAX_KEEP_FDS]; /* descriptors kept open besides 0, 1 and 2 ... */
	int nkeep_fds;
	bool close_fds;         /* ... every other descriptor is closed (the daemon: true) */
	bool allow_network;     /* an export is configured: socket(), connect() and sendmsg() stay allowed */
	int connect_port;       /* with allow_network and Landlock ABI >= 4: TCP connect only to this port, no bind */
	bool landlock;          /* use Landlock where the kernel has it (default true) */
	bool seccomp;           /* load the seccomp filter (default true) */
} zp_sandbox_opts;

void zp_sandbox_opts_default(zp_sandbox_opts *o);

/* What is (or can be) in force. */
typedef struct zp_sandbox_status {
	bool nodump;            /* not dumpable (PR_SET_DUMPABLE 0) and RLIMIT_CORE 0 */
	int landlock_abi;       /* the kernel's Landlock ABI version, 0 = none */
	bool landlock;          /* our Landlock ruleset is in force */
	bool landlock_net;      /* ... and it denies TCP bind/connect (ABI 4) */
	int connect_port;       /* ... except connect to this port (an exporter's broker), 0: none */
	bool landlock_scoped;   /* ... and abstract UNIX sockets and signals outside the process (ABI 6) */
	bool seccomp_available; /* the kernel takes seccomp filters */
	bool seccomp;           /* our seccomp allow-list is in force */
	bool network_denied;    /* the filter denies socket(), connect(), sendmsg() and sendto() to an address */
	int fds_closed;         /* descriptors closed by close_fds */
	char write_paths[256];  /* what Landlock lets the process write, in words ("" when not in force) */
	char note[256];         /* why something is not in force ("" when all is) */
} zp_sandbox_status;

/*
 * Apply to the calling process, once, before any thread is started (Landlock
 * and seccomp bind the calling thread and the threads it creates later).
 * Order: no core dumps, descriptors closed, Landlock, then seccomp
 * (no_new_privs is set).
 *
 * seccomp is an allow-list: the system calls the daemon's loop, its writer
 * and log threads, SQLite, V4L2, libgpiod and the recording decoder make;
 * any other fails with EPERM (not a kill: the lights must not go dark over
 * a system call nobody foresaw - they fail safe through the loop instead).
 * Among those refused: execve/execveat, ptrace, process_vm_readv/writev,
 * io_uring_*, socket(), connect(), sendmsg(), sendto() to an address (only
 * a socket connected before the sandbox can be written to: the systemd
 * notify socket, journald's stream on stderr), *xattr writes, SysV IPC,
 * add_key/keyctl, unshare/setns/mount, memfd_create, link/linkat/symlink,
 * name_to_handle_at/open_by_handle_at, bpf, perf_event_open, userfaultfd,
 * new processes (clone without CLONE_THREAD; clone3 gives ENOSYS so the C
 * library falls back to clone).
 *
 * Landlock: writing, creating, truncating, renaming or removing files is
 * denied except beneath data_dir and to the device nodes in devices
 * (resolved at apply time: a node that does not exist then is skipped and
 * named in note). With ABI >= 4 TCP bind/connect are denied; with ABI >= 6
 * abstract UNIX sockets and signals outside the process are. Reading stays
 * free (the config, the recording, /sys for the camera).
 *
 * A kernel without Landlock or seccomp is not an error: *st says what is in
 * force and why not. Returns 0, ZP_EINVAL (data_dir missing or not a
 * directory), or ZP_EIO when a step the kernel supports failed (message in
 * err).
 */
int zp_sandbox_apply(const zp_sandbox_opts *o, zp_sandbox_status *st, char *err, size_t errlen);

/* What this kernel supports, and the no-dump state of the calling process. Changes nothing. */
void zp_sandbox_probe(zp_sandbox_status *st);

/*
 * What the sandbox enforces, in words a data-protection officer can check,
 * one line per call of fn (for the audit report and the daemon's log).
 */
void zp_sandbox_describe(const zp_sandbox_status *st, void (*fn)(void *ctx, const char *line), void *ctx);

/* ---- the audit ---- */

typedef enum zp_audit_kind {
	ZP_AUDIT_STORE = 0,     /* the counts database or its -wal/-shm/-journal: expected */
	ZP_AUDIT_EMPTY_DIR,     /* an empty directory: harmless, listed */
	ZP_AUDIT_PREVIEW,       /* calibration-preview.png written by `zebrapad calibrate` */
	ZP_AUDIT_IMAGE,         /* an image file (by its magic bytes) */
	ZP_AUDIT_VIDEO,         /* a video file (by its magic bytes) */
	ZP_AUDIT_RAW_FRAMES,    /* size is a whole number of raw frames of a common camera size */
	ZP_AUDIT_UNKNOWN,       /* anything else: unknown file, directory with files, link, device */
} zp_audit_kind;

const char *zp_audit_kind_name(zp_audit_kind k);

typedef struct zp_audit_finding {
	char path[512];
	zp_audit_kind kind;
	char what[96];          /* "JPEG image", "MP4/QuickTime video", "640x480 YUYV x 3", ... */
	int64_t size;
} zp_audit_finding;

/*
 * Look at a file's first bytes and its size. Returns ZP_AUDIT_IMAGE /
 * VIDEO / RAW_FRAMES with a name in what, or ZP_AUDIT_UNKNOWN.
 */
zp_audit_kind zp_audit_sniff(const uint8_t *head, size_t n, int64_t size, char *what, size_t whatlen);

/*
 * Scan dir (recursively, not following links) for everything that is not
 * the store (store_path's file and its -wal, -shm, -journal). Findings go
 * to out[0..max-1]; *nfound gets the total (may exceed max). Returns the
 * number of findings that fail the audit (everything but STORE and
 * EMPTY_DIR; PREVIEW only when !allow_preview), or ZP_ENODEV / ZP_EACCES
 * when dir cannot be read (message in err).
 */
int zp_audit_scan_dir(const char *dir, const char *store_path, bool allow_preview, zp_audit_finding *out,
		      size_t max, size_t *nfound, char *err, size_t errlen);
/* Same, and health_path (the daemon's health file and its .tmp) is expected too when it is in dir. */
int zp_audit_scan_dir_health(const char *dir, const char *store_path, const char *health_path, bool allow_preview,
			     zp_audit_finding *out, size_t max, size_t *nfound, char *err, size_t errlen);

/* What the report needs from the site's config (filled by the app). */
typedef struct zp_audit_info {
	const char *config_path;
	const char *site_name;
	const zp_store_params *store;
	int nzones;
	const char *const *zones;     /* zone names */
	const char *const *zone_roles;/* "crossing" / "waiting", may be NULL */
	const char *camera_device;    /* "" = none */
	const char *gpio_chip;        /* "" = simulated line */
	const char *export_desc;      /* NULL = no export configured */
	/* the export's details (broker, topics, fields, a sample message), printed within "what leaves the
	   device"; json: one JSON value. NULL: none */
	void (*export_detail)(void *ctx, FILE *out, bool json);
	void *export_ctx;
	const char *health_file;      /* [health] prom_file: a file the daemon writes, expected in the scan; NULL/"" */
	bool allow_preview;
	int64_t now_ms;               /* wall clock for ages, Unix ms */
} zp_audit_info;

/*
 * Write the report (plain text for a non-programmer, or JSON) to out.
 * Returns 0 when the audit passes, the number of failing findings (> 0)
 * when the data directory holds anything but the store, or a negative
 * zp_err when the report could not be made (message in err).
 */
int zp_audit_report(const zp_audit_info *info, FILE *out, bool json, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
