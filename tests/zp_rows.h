/* SPDX-License-Identifier: MIT */
/*
 * Interval rows gathered in memory, for the suites that check what the
 * sampler emitted or what a store holds: zp_rows_sink() is a sampler sink,
 * zp_rows_add() a zp_store_read() callback (zp_store_rows.h reads a whole
 * store file).
 */
#ifndef ZP_ROWS_H
#define ZP_ROWS_H

#include "zp_test.h"
#include "sampler.h"

#include <stdint.h>
#include <string.h>

#define ZP_ROWS_MAX 512

typedef struct zp_rows {
	zp_store_row r[ZP_ROWS_MAX];
	int n;
} zp_rows;

static inline int zp_rows_add(void *ctx, const zp_store_row *row)
{
	zp_rows *rs = ctx;

	ck_assert_msg(rs->n < ZP_ROWS_MAX, "test rows buffer full");
	rs->r[rs->n++] = *row;
	return 0;
}

static inline void zp_rows_sink(void *ctx, const zp_store_row *row)
{
	zp_rows_add(ctx, row);
}

/* The row of zone for the interval starting at start_s (Unix seconds), or NULL. */
static inline const zp_store_row *zp_rows_find(const zp_rows *rs, int64_t start_s, const char *zone)
{
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i].interval_start == start_s && !strcmp(rs->r[i].zone, zone))
			return &rs->r[i];
	return NULL;
}

#endif
