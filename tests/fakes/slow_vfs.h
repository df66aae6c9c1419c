/* SPDX-License-Identifier: MIT */
/*
 * slow_vfs.h - a SQLite VFS shim for fault injection: every write to a file
 * (database, WAL, journal) takes a given time, or fails as on a full disk.
 * Registered as the default VFS of the process, over the real "unix" one.
 * Test code; the knobs are atomics, so any thread may turn them.
 */
#ifndef ZP_SLOW_VFS_H
#define ZP_SLOW_VFS_H

#include <stdbool.h>
#include <stdint.h>

/* Register the shim as the default VFS. 0 or -1. */
int zp_slow_vfs_register(void);

/* Each xWrite sleeps this long first (0: none). */
void zp_slow_vfs_set_delay_us(unsigned us);

/* Every xWrite fails with SQLITE_FULL (ENOSPC) while on. */
void zp_slow_vfs_set_full(bool full);

/* xWrite calls so far, and the writes refused as full. */
uint64_t zp_slow_vfs_writes(void);
uint64_t zp_slow_vfs_refused(void);

#endif
