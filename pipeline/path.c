/* SPDX-License-Identifier: MIT */
/*
 * path.c - path helpers shared by eval and tune (path.h).
 */
#include "path.h"

#include <string.h>
#include <sys/stat.h>

bool zp_path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool zp_path_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool zp_path_join(char *dst, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	dst[0] = '\0';
	if (la + 1 + lb + 1 > size)
		return false;
	memcpy(dst, a, la);
	dst[la] = '/';
	memcpy(dst + la + 1, b, lb + 1);
	return true;
}
