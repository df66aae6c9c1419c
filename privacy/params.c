/* SPDX-License-Identifier: MIT */
/*
 * params.c - the [store] config keys: defaults, one setter per key (the
 * key is the field name), and the check of a store path.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int zp_store_check_path(const char *path, bool check_fs, char *err, size_t errlen)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash, *c;
	struct stat st;
	size_t n = strlen(path);

	if (!n)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected the counts database file, got ''");
	if (path[0] != '/')
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "expected an absolute file path (like /var/lib/zebrapad/counts.db), got '%s'", path);
	if (path[n - 1] == '/')
		return zp_seterr(err, errlen, ZP_EINVAL, "expected a file, got the directory '%s'", path);
	for (c = path; *c; c++)
		if (c[0] == '/' && c[1] == '.' && (c[2] == '/' || !c[2] || (c[2] == '.' && (c[3] == '/' || !c[3]))))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a path without '.' or '..' parts, got '%s'",
					 path);
	slash = strrchr(path, '/');
	if (slash == path)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "'%s' is in /: the store needs a directory of its own (the sandbox lets zebrapad write "
				 "only there), like /var/lib/zebrapad/counts.db", path);
	if (!check_fs)
		return 0;
	if (n >= sizeof(dir))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: path too long", path);
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (stat(dir, &st) != 0)
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: data directory %s: %s", path, dir,
				 strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s is not a directory", path, dir);
	if (!realpath(dir, real) || !strcmp(real, "/"))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: the directory %s is / once links are resolved: the store "
				 "needs a directory of its own", path, dir);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a regular file (%s)", path,
				 S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory" :
				 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ?
				 "a device" : "a socket or other special file");
	return 0;
}

static int path_check(const char *value, char *err, size_t errlen)
{
	return value[0] && zp_store_check_path(value, false, err, errlen) ? ZP_EINVAL : ZP_OK;
}

static const zp_field fields[] = {
	ZP_TEXT_FIELD(zp_store_params, path, false, path_check, ""),
	ZP_INT_FIELD(zp_store_params, interval_s, 1, 3600, 60),
	ZP_INT_FIELD(zp_store_params, retention_days, 1, 3650, 365),
};

void zp_store_params_default(zp_store_params *p)
{
	zp_fields_default(fields, ZP_FIELDS_N(fields), p, sizeof(*p));
}

int zp_store_params_set(zp_store_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	return zp_fields_set(fields, ZP_FIELDS_N(fields), p, key, value, err, errlen);
}
