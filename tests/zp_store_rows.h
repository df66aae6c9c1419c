/* SPDX-License-Identifier: MIT */
/* The rows of a counts store file, read back for checking (opened read-only). */
#ifndef ZP_STORE_ROWS_H
#define ZP_STORE_ROWS_H

#include "zp_rows.h"
#include "store.h"
#include "zp_common.h"

/* Every row of the store at path, opened read-only, through fn(ctx, row). */
static inline void zp_rows_read_each(const char *path, int (*fn)(void *ctx, const zp_store_row *row), void *ctx)
{
	zp_store_params p;
	zp_store *s;
	char err[256];

	zp_store_params_default(&p);
	zp_strlcpy(p.path, path, sizeof(p.path));
	s = zp_store_open(&p, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_store_read(s, 0, INT64_MAX, false, 0, fn, ctx), 0);
	zp_store_close(s);
}

/* Every row of the store at path, into rs. */
static inline void zp_rows_read(const char *path, zp_rows *rs)
{
	rs->n = 0;
	zp_rows_read_each(path, zp_rows_add, rs);
}

#endif
