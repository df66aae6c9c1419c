/* SPDX-License-Identifier: MIT */
/*
 * timesync.h - is the wall clock known?
 *
 * A Raspberry Pi has no battery clock: from boot until NTP (systemd-timesyncd,
 * chrony) sets it, the wall clock says 1970 or the last shutdown. The lights
 * must not wait for the network, so the daemon starts at once; what waits is
 * the keeping of counts (app/cmd_run_loop.c, clock_known(): until the clock is
 * synchronised the counts of that time are dropped and counted, never
 * stamped with a wrong date; docs/run.md, "The clock").
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
 * seccomp filter without adjtimex: the caller treats it as not
 * synchronised and says so).
 */
int zp_clock_synced(void);

#ifdef __cplusplus
}
#endif
#endif
