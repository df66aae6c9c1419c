/* SPDX-License-Identifier: MIT */
/*
 * powercut_vfs.h - a SQLite VFS shim that models what a power cut keeps.
 *
 * In the writer: every write/truncate to a database, WAL or journal file is
 * also logged to FILE.pending.G; every xSync snapshots the file to
 * FILE.durable.G+1 (atomically, by rename) and starts FILE.pending.G+1.
 * After the writer is killed, zp_powercut_apply() rebuilds each file as a
 * power cut could leave it: the last durable snapshot plus a pseudo-random
 * subset of the writes issued after it (in order), and no -shm. A file that
 * was never synced is gone. Sector tearing is not modelled.
 */
#ifndef ZP_POWERCUT_VFS_H
#define ZP_POWERCUT_VFS_H

/* Register the shim as the default VFS of this process (the writer). 0 or -1. */
int zp_powercut_register(void);

/*
 * Rebuild db_path and db_path-wal / -journal after a cut; `seed` picks the
 * surviving unsynced writes. Removes the sidecar files. Returns the number
 * of unsynced writes that were dropped, or -1 on an I/O error.
 */
int zp_powercut_apply(const char *db_path, unsigned seed);

/*
 * Before the next writer: take the files as they are now (after a clean
 * close, or after apply + a reader's recovery) as durable. 0 or -1.
 */
int zp_powercut_settle(const char *db_path);

#endif
