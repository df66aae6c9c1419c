/* SPDX-License-Identifier: MIT */
/*
 * writer.h - the counts store's writer: a thread that owns the store, fed
 * through a bounded hand-off that never blocks the caller.
 *
 * The daemon's frame -> light loop must never wait on a disk, a lock or a
 * log. It keeps the interval accumulator (a ZP_STORE_DRY_RUN store: pure
 * arithmetic, no file) and hands each closed interval's rows to
 * zp_writer_push(), which copies them into a fixed ring (single producer,
 * single consumer, C11 atomics, no lock) and wakes the writer thread through
 * an eventfd. Everything that can wait happens on the writer thread: opening
 * and migrating the store, the transaction and its fsync, another process's
 * lock, retention (in batches of ZP_STORE_RETENTION_BATCH rows, one short
 * transaction each, rows waiting to be written going first), reopening a
 * store file that was removed or replaced.
 *
 * When the store falls behind, rows wait in the ring; a full ring drops the
 * newest rows and counts them (zp_writer_stats.dropped) - the loop never
 * waits for room.
 *
 * One daemon per store: zp_writer_start() takes an exclusive flock() on the
 * store file before the thread starts, and fails with ZP_EBUSY when another
 * process holds it.
 */
#ifndef ZP_WRITER_H
#define ZP_WRITER_H

#include "store.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zp_writer zp_writer;

typedef struct zp_writer_opts {
	size_t queue_rows;      /* the hand-off's bound in rows (default 4096: 68 minutes of 1-minute rows, 60 zones) */
	int retry_ms;           /* a failed open or write is retried this often (default 1000) */
	int busy_timeout_ms;    /* one write waits this long for another process's lock (default 250) */
	int retention_batch;    /* rows per retention transaction (default ZP_STORE_RETENTION_BATCH) */
	int stop_wait_ms;       /* at stop, rows still queued are tried for this long (default 2000) */
} zp_writer_opts;

void zp_writer_opts_default(zp_writer_opts *o);

typedef enum zp_writer_state {
	ZP_WRITER_OPENING = 0,  /* not open yet (first try pending) */
	ZP_WRITER_OK,           /* open, the last write (if any) succeeded */
	ZP_WRITER_FAILING,      /* open, but the last write failed (retried) */
	ZP_WRITER_CLOSED,       /* the file could not be opened (retried) */
} zp_writer_state;

typedef struct zp_writer_stats {
	uint64_t queued;        /* rows accepted by zp_writer_push() */
	uint64_t written;       /* rows committed */
	uint64_t dropped;       /* rows refused because the hand-off was full */
	uint64_t failures;      /* failed write attempts */
	uint64_t reopens;       /* the file was removed or replaced and opened again */
	uint64_t retention_deleted; /* rows removed by retention */
	size_t waiting;         /* rows in the hand-off now */
	zp_writer_state state;
} zp_writer_stats;

/*
 * Check p (zp_store_check_path), create the file when missing (mode 0640),
 * take the instance lock, and start the thread, which opens the store. The
 * caller's thread does not wait for the database (a locked or slow store
 * only delays the thread). Returns 0, ZP_EBUSY (another daemon holds the
 * store), ZP_EINVAL (bad path or params), ZP_EACCES/ZP_ENODEV/ZP_EIO (the
 * file cannot be created), ZP_ENOMEM; message in err.
 */
int zp_writer_start(const zp_store_params *p, const char *const *zones, int nzones, const zp_writer_opts *o,
		    zp_writer **out, char *err, size_t errlen);

/*
 * Hand rows to the writer: never blocks, never allocates, no lock. Returns
 * the number of rows accepted; the rest are dropped and counted.
 */
size_t zp_writer_push(zp_writer *w, const zp_store_row *rows, size_t n);

/* A snapshot of the counters (any thread). */
void zp_writer_stats_get(const zp_writer *w, zp_writer_stats *out);

/*
 * Stop: the thread tries the queued rows for up to stop_wait_ms, closes the
 * store and releases the lock; then frees w. Returns the rows left
 * unwritten. NULL is a no-op.
 */
uint64_t zp_writer_stop(zp_writer *w);

#ifdef __cplusplus
}
#endif
#endif
