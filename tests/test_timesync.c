/* SPDX-License-Identifier: MIT */
/*
 * timesync: the kernel's word on the wall clock. Whether this machine's
 * clock is synchronised depends on the machine, so the answer is checked
 * against adjtimex read here directly; what the daemon does with it is
 * tested in test_run (counts_wait_for_the_clock).
 */
#include "zp_test.h"
#include "timesync.h"

#include <string.h>
#include <sys/timex.h>

START_TEST(kernel_flag)
{
	struct timex tx;
	int state, k;

	memset(&tx, 0, sizeof(tx));
	state = adjtimex(&tx);
	ck_assert_int_ge(state, 0);
	k = zp_clock_synced();
	ck_assert_int_eq(k, state != TIME_ERROR && !(tx.status & STA_UNSYNC));
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "clock", .tests = ZP_TESTS(
			kernel_flag) },
	};

	return zp_test_run(ZP_TEST_SUITE("timesync", cases));
}
