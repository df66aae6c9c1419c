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

void zp_store_params_default(zp_store_params *p)
{
	memset(p, 0, sizeof(*p));
	p->path[0] = '\0';
	p->interval_s = 60;
	p->retention_days = 365;
}

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

int zp_store_params_set(zp_store_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "path")) {
		if (strlen(value) >= sizeof(p->path))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a file path of at most %zu characters",
					 sizeof(p->path) - 1);
		if (value[0] && zp_store_check_path(value, false, err, errlen))
			return ZP_EINVAL;
		zp_strlcpy(p->path, value, sizeof(p->path));
		return ZP_OK;
	}
	if (!strcmp(key, "interval_s"))
		return zp_parse_int(value, 1, 3600, &p->interval_s, err, errlen);
	if (!strcmp(key, "retention_days"))
		return zp_parse_int(value, 1, 3650, &p->retention_days, err, errlen);
	return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
}
