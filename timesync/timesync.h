/* SPDX-License-Identifier: MIT */
/*
 * timesync.h - counts are stamped only once the wall clock is known.
 *
 * A Raspberry Pi has no battery clock: from boot until NTP (systemd-timesyncd,
 * chrony) sets it, the wall clock says 1970 or the last shutdown. The lights
 * must not wait for the network, so the daemon starts at once; what waits is
 * the stamping of counts. The gate holds each closed interval row with its
 * monotonic start time while the clock is unsynchronised; on the first call
 * that finds it synchronised it stamps every held row (wall = monotonic +
 * the offset known now, so a row keeps the exact time it was counted) and
 * hands them on in order, before the row of that call. When the hold is full
 * the oldest row is dropped and counted (zp_tsgate_dropped): a counted fault,
 * never a wrong date in the store.
 *
 * Pure and deterministic: the caller says whether the clock is synchronised
 * (zp_clock_synced() in the daemon, a fake in tests) and gives both clocks.
 * No allocation after zp_tsgate_init(), no lock, no wait.
 */
#ifndef ZP_TIMESYNC_H
#define ZP_TIMESYNC_H

#include "zp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The kernel's view (adjtimex, read-only): 1 synchronised (an NTP client
 * cleared STA_UNSYNC), 0 not yet, ZP_EUNSUPPORTED when the call fails (a
 * seccomp filter without adjtimex: the caller decides; the daemon treats
 * it as not synchronised and says so once).
 */
int zp_clock_synced(void);

typedef struct zp_tsgate {
	void *items;          /* cap items of item_size bytes, a ring */
	int64_t *mono_ms;     /* monotonic start of each held item */
	size_t item_size, cap, head, n;
	uint64_t held_total;  /* items ever held */
	uint64_t dropped;     /* held items dropped because the hold was full */
	bool synced_seen;     /* the clock has been found synchronised */
} zp_tsgate;

/* Stamp a released item with its wall-clock start: the caller writes it into the row and stores it. */
typedef void (*zp_tsgate_emit_fn)(void *ctx, void *item, int64_t wall_start_ms);

/* Room for cap held items of item_size bytes. 0 or ZP_ENOMEM / ZP_EINVAL. */
int zp_tsgate_init(zp_tsgate *g, size_t item_size, size_t cap);
void zp_tsgate_free(zp_tsgate *g);

/*
 * One closed interval: ITEM (copied when held) started at mono_start_ms.
 * synced: the clock is known now; wall_now_ms / mono_now_ms: both clocks
 * read at the same moment. Synchronised: every held item is emitted first,
 * stamped mono + (wall_now - mono_now), then ITEM with the same offset.
 * Not: ITEM is held (the oldest dropped when full). Returns the number of
 * items emitted by this call.
 */
size_t zp_tsgate_offer(zp_tsgate *g, void *item, int64_t mono_start_ms, bool synced, int64_t wall_now_ms,
		       int64_t mono_now_ms, zp_tsgate_emit_fn emit, void *ctx);

/* Items waiting for the clock. */
static inline size_t zp_tsgate_held(const zp_tsgate *g)
{
	return g->n;
}

/* Items dropped because the hold was full (a counted fault). */
static inline uint64_t zp_tsgate_dropped(const zp_tsgate *g)
{
	return g->dropped;
}

#ifdef __cplusplus
}
#endif
#endif
