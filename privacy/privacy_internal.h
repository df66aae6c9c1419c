/* SPDX-License-Identifier: MIT */
/* privacy_internal.h - shared between store.c, schema.c and audit.c; not public. */
#ifndef ZP_PRIVACY_INTERNAL_H
#define ZP_PRIVACY_INTERNAL_H

#include "store.h"

#include <sqlite3.h>

/*
 * Bring the open database to ZP_STORE_SCHEMA_VERSION, one transaction per
 * step. *version gets the version found on entry. 0, or ZP_EINVAL (newer
 * than this build, not a zebrapad store) / ZP_EIO with a message.
 */
int zp_schema_migrate(sqlite3 *db, const char *path, int *version, char *err, size_t errlen);

/* The schema version of the open database: 0 (empty), 1.., or a negative zp_err (not ours). */
int zp_schema_version(sqlite3 *db, const char *path, char *err, size_t errlen);

/* The column names and what they mean, for the audit report (NULL-terminated). */
typedef struct zp_schema_column {
	const char *name;
	const char *type;
	const char *meaning;
	int since;              /* the schema version that added it */
} zp_schema_column;
extern const zp_schema_column zp_schema_columns[];

/*
 * Everything in the open store that the schema does not have: other tables,
 * indexes, views or triggers, other columns, BLOB values in any column,
 * meta values that are not short text. fn is called once per finding with a
 * one-line description. Returns the number of findings, or a negative zp_err.
 */
int zp_store_check_contents(zp_store *s, void (*fn)(void *ctx, const char *what), void *ctx);

#endif
