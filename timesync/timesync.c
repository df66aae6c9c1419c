/* SPDX-License-Identifier: MIT */
/* timesync.c - the clock-sync gate for counts (timesync.h). */
#include "timesync.h"

#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

int zp_clock_synced(void)
{
	struct timex tx;
	int state;

	memset(&tx, 0, sizeof(tx)); /* modes 0: read only, no privilege needed */
	state = adjtimex(&tx);
	if (state < 0)
		return ZP_EUNSUPPORTED;
	return state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

int zp_tsgate_init(zp_tsgate *g, size_t item_size, size_t cap)
{
	memset(g, 0, sizeof(*g));
	if (item_size == 0 || cap == 0 || cap > SIZE_MAX / item_size)
		return ZP_EINVAL;
	g->items = calloc(cap, item_size);
	g->mono_ms = calloc(cap, sizeof(*g->mono_ms));
	if (!g->items || !g->mono_ms) {
		zp_tsgate_free(g);
		return ZP_ENOMEM;
	}
	g->item_size = item_size;
	g->cap = cap;
	return 0;
}

void zp_tsgate_free(zp_tsgate *g)
{
	if (g->items)
		explicit_bzero(g->items, g->cap * g->item_size);
	free(g->items);
	free(g->mono_ms);
	memset(g, 0, sizeof(*g));
}

static void *slot(const zp_tsgate *g, size_t i)
{
	return (char *)g->items + ((g->head + i) % g->cap) * g->item_size;
}

size_t zp_tsgate_offer(zp_tsgate *g, void *item, int64_t mono_start_ms, bool synced, int64_t wall_now_ms,
		       int64_t mono_now_ms, zp_tsgate_emit_fn emit, void *ctx)
{
	size_t emitted = 0;

	if (!synced) {
		if (g->n == g->cap) { /* full: the oldest goes, counted */
			g->head = (g->head + 1) % g->cap;
			g->n--;
			g->dropped++;
		}
		memcpy(slot(g, g->n), item, g->item_size);
		g->mono_ms[(g->head + g->n) % g->cap] = mono_start_ms;
		g->n++;
		g->held_total++;
		return 0;
	}
	g->synced_seen = true;
	while (g->n > 0) {
		void *it = slot(g, 0);

		emit(ctx, it, g->mono_ms[g->head] + (wall_now_ms - mono_now_ms));
		explicit_bzero(it, g->item_size);
		g->head = (g->head + 1) % g->cap;
		g->n--;
		emitted++;
	}
	emit(ctx, item, mono_start_ms + (wall_now_ms - mono_now_ms));
	return emitted + 1;
}
