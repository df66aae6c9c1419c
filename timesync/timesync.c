/* SPDX-License-Identifier: MIT */
/* timesync.c - is the wall clock synchronised? (timesync.h) */
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
