/* SPDX-License-Identifier: MIT */
/*
 * store.h - privacy: the counts store (SQLite), the audit report and the
 * process sandbox. Counts only: nothing per person, no time finer than the
 * interval, never pixels.
 *
 * (Skeleton: the params below are fixed so config can carry them; the
 * privacy issue fills in the store, audit and sandbox behind this header.)
 */
#ifndef ZP_STORE_H
#define ZP_STORE_H

#include "zp_common.h"

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
int zp_store_params_set(zp_store_params *p, const char *key, const char *value, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
