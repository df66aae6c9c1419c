/* SPDX-License-Identifier: MIT */
/* Checks on text a case produced: a report, a metrics page, a captured log. */
#ifndef ZP_TEXT_H
#define ZP_TEXT_H

#include "zp_test.h"

#include <string.h>

/*
 * Fails the case unless text holds every string of want (NULL-terminated),
 * naming the first one missing and showing the text:
 *
 *     zp_assert_has_all(text, (const char *const[]){ "first", "second", NULL });
 */
static inline void zp_assert_has_all(const char *text, const char *const want[])
{
	for (int i = 0; want[i]; i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "no \"%s\" in:\n%s", want[i], text);
}

#endif
