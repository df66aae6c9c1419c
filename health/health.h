/* SPDX-License-Identifier: MIT */
/*
 * health.h - the daemon's health for Prometheus, written off the frame ->
 * light loop, and the reader of that file (for `zebrapad export`).
 *
 * The daemon has no network. Its health goes into a text file in the
 * node_exporter textfile-collector format (a .prom file), which
 * node_exporter serves and `zebrapad export` reads to build the site's
 * status message.
 *
 *  - the board: the loop publishes a snapshot (zp_health_publish): a
 *    handful of relaxed atomic stores under a sequence counter - no lock,
 *    no allocation, no system call, never a wait;
 *  - a thread of its own (nice 19) takes a consistent copy every period and
 *    writes the file atomically (a temporary file in the same directory,
 *    renamed over the old one), so a reader sees the old or the new file,
 *    never half of one. A disk that hangs holds up that thread only;
 *  - zp_prom_parse() reads such a file back (metric, labels, value).
 */
#ifndef ZP_HEALTH_H
#define ZP_HEALTH_H

#include "zp_common.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* [health] config keys (README, docs/config.md). */
typedef struct zp_health_params {
	char prom_file[256];    /* the .prom file, e.g. /var/lib/zebrapad/zebrapad.prom; "" = none */
	int period_s;           /* written this often (default 10) */
} zp_health_params;

void zp_health_params_default(zp_health_params *p);
/* One [health] key: 0, ZP_EINVAL ("expected ...") or ZP_ENODEV (unknown key). */
int zp_health_params_set(zp_health_params *p, const char *key, const char *value, char *err, size_t errlen);

/* Fault kinds counted by the daemon (the label kind="..." of zebrapad_faults_total). */
typedef enum zp_health_fault {
	ZP_HFAULT_STALL = 0,    /* frames stopped for stall_ms: fail-safe */
	ZP_HFAULT_HEALTH,       /* the detector's view was bad (dark, blinded, frozen ...) long enough: fail-safe */
	ZP_HFAULT_SOURCE,       /* the camera returned an error (lost, refused, timed out) */
	ZP_HFAULT_STORE,        /* a write to the counts store failed (retried) */
	ZP_HFAULT_LOOP,         /* the loop itself was held up longer than stall_ms */
	ZP_HFAULT_COUNT
} zp_health_fault;

const char *zp_health_fault_name(zp_health_fault k); /* "stall", "health", "source", "store", "loop" */

/* What the loop publishes. */
typedef struct zp_health_snapshot {
	int lights;                 /* zp_light_state: 0 off, 1 on, 2 fail-safe */
	int detector_health;        /* zp_health, -1 before the first frame */
	int64_t failsafe_ms;        /* time in the current fail-safe (0 when not in fail-safe) */
	int64_t failsafe_total_ms;  /* time in fail-safe since start */
	uint64_t frames;            /* frames processed */
	int64_t last_frame_wall_ms; /* Unix ms of the last processed frame, 0 before the first */
	uint64_t faults[ZP_HFAULT_COUNT];
	unsigned active;            /* 1 << zp_health_fault for the faults active now */
	uint64_t camera_reconnects; /* the camera came back after an error */
	uint64_t store_queue;       /* rows waiting in the hand-off to the store */
	uint64_t store_dropped;     /* rows the full hand-off refused */
	int64_t start_wall_ms;      /* when the daemon started */
} zp_health_snapshot;

typedef struct zp_health_board zp_health_board;

/*
 * Start the thread writing p->prom_file every p->period_s (the directory must
 * exist; checked here). version goes into zebrapad_info. 0, or ZP_EINVAL /
 * ZP_ENODEV / ZP_ENOMEM with a one-line message.
 */
int zp_health_start(const zp_health_params *p, const char *version, zp_health_board **out, char *err,
		    size_t errlen);

/* From the loop: copy *s into the board. Lock-free, wait-free, no system call. NULL board: nothing. */
void zp_health_publish(zp_health_board *b, const zp_health_snapshot *s);

/* Write the file once more (state at stop) and end the thread. NULL is a no-op. */
void zp_health_stop(zp_health_board *b);

/* Files written so far and failed writes (tests, the exit summary). */
void zp_health_counts(const zp_health_board *b, uint64_t *written, uint64_t *failed);

/* The file's text for snapshot s, taken at wall time now_ms (pure: the thread and the tests). */
int zp_health_render(const zp_health_snapshot *s, const char *version, int64_t now_ms, char *buf, size_t len);

/*
 * Write text to path atomically: path.tmp in the same directory (mode, then
 * rename). With sync the data and the directory are fsync'ed (a cursor);
 * without, a reader still never sees a partial file. 0 or ZP_EIO/ZP_EACCES
 * with a message.
 */
int zp_file_write_atomic(const char *path, const void *data, size_t n, unsigned mode, bool sync, char *err,
			 size_t errlen);

/* ---- reading a .prom file ---- */

#define ZP_PROM_NAME_MAX 96
#define ZP_PROM_LABEL_MAX 128

/* One sample line: name{labels} value. labels is the text between the braces, unparsed. */
typedef struct zp_prom_sample {
	char name[ZP_PROM_NAME_MAX];
	char labels[ZP_PROM_LABEL_MAX];
	double value;
} zp_prom_sample;

/*
 * Parse the text of a .prom file (len bytes, need not be NUL-terminated):
 * fn is called for each sample line; comments and blank lines are skipped.
 * Returns the number of samples, or ZP_EINVAL with "line N: ..." in err at
 * the first malformed line (samples before it were delivered).
 */
int zp_prom_parse(const char *text, size_t len, void (*fn)(void *ctx, const zp_prom_sample *s), void *ctx,
		  char *err, size_t errlen);

/* The value of label key in a sample's label text, into out. false when absent. */
bool zp_prom_label(const zp_prom_sample *s, const char *key, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif
#endif
