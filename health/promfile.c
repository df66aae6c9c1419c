/* SPDX-License-Identifier: MIT */
/*
 * promfile.c - files replaced atomically, and the reader of the node_exporter
 * textfile format (health.h). No thread, no global: the daemon's health
 * thread and `zebrapad export` both use it.
 */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int zp_file_write_atomic(const char *path, const void *data, size_t n, unsigned mode, bool sync, char *err,
			 size_t errlen)
{
	char tmp[512], dir[512];
	const char *p = data;
	size_t done = 0;
	int fd, e = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
	if (fd < 0)
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: cannot write: %s", tmp, strerror(errno));
	/* the mode asked for, whatever the umask (a reader of another user may need it) */
	if (fchmod(fd, mode & 0777) != 0)
		e = errno;
	while (!e && done < n) {
		ssize_t k = write(fd, p + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e = k < 0 ? errno : EIO;
			break;
		}
		done += (size_t)k;
	}
	if (!e && sync && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return zp_seterr(err, errlen, zp_err_from_errno(e) == ZP_EACCES ? ZP_EACCES : ZP_EIO,
				 "%s: cannot write: %s", path, strerror(e));
	}
	if (sync) {
		/* the rename itself: fsync the directory */
		zp_dirname(dir, sizeof(dir), path);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0) {
			e = errno;
			if (fd >= 0)
				close(fd);
			return zp_seterr(err, errlen, ZP_EIO, "%s: cannot sync its directory: %s", path, strerror(e));
		}
		close(fd);
	}
	return 0;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

int zp_prom_parse(const char *text, size_t len, void (*fn)(void *ctx, const zp_prom_sample *s), void *ctx,
		  char *err, size_t errlen)
{
	size_t i = 0;
	int line = 0, count = 0;

	while (i < len) {
		size_t end = i, j, k;
		zp_prom_sample s;
		char num[64], *stop;

		line++;
		while (end < len && text[end] != '\n')
			end++;
		j = i;
		while (j < end && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j == end || text[j] == '#') {
			i = end + 1;
			continue;
		}
		memset(&s, 0, sizeof(s));
		k = 0;
		if (!name_char(text[j], true))
			return zp_seterr(err, errlen, ZP_EINVAL, "line %d: expected a metric name", line);
		while (j < end && name_char(text[j], false)) {
			if (k + 1 >= sizeof(s.name))
				return zp_seterr(err, errlen, ZP_EINVAL, "line %d: metric name too long", line);
			s.name[k++] = text[j++];
		}
		if (j < end && text[j] == '{') {
			bool quoted = false;

			k = 0;
			j++;
			while (j < end && (quoted || text[j] != '}')) {
				if (text[j] == '"' && (k == 0 || s.labels[k - 1] != '\\'))
					quoted = !quoted;
				if (k + 1 >= sizeof(s.labels))
					return zp_seterr(err, errlen, ZP_EINVAL, "line %d: labels too long", line);
				s.labels[k++] = text[j++];
			}
			if (j >= end)
				return zp_seterr(err, errlen, ZP_EINVAL, "line %d: expected '}' closing the labels", line);
			j++;
		}
		if (j >= end || (text[j] != ' ' && text[j] != '\t'))
			return zp_seterr(err, errlen, ZP_EINVAL, "line %d: expected a space and a value after %s", line,
					 s.name);
		while (j < end && (text[j] == ' ' || text[j] == '\t'))
			j++;
		k = 0;
		while (j < end && text[j] != ' ' && text[j] != '\t' && text[j] != '\r') {
			if (k + 1 >= sizeof(num))
				return zp_seterr(err, errlen, ZP_EINVAL, "line %d: value too long", line);
			num[k++] = text[j++];
		}
		num[k] = '\0';
		errno = 0;
		s.value = strtod(num, &stop);
		if (!k || *stop || errno == ERANGE)
			return zp_seterr(err, errlen, ZP_EINVAL, "line %d: expected a number after %s, got '%s'", line,
					 s.name, num);
		/* an optional timestamp after the value is allowed and ignored */
		count++;
		if (fn)
			fn(ctx, &s);
		i = end + 1;
	}
	return count;
}

bool zp_prom_label(const zp_prom_sample *s, const char *key, char *out, size_t outlen)
{
	const char *p = s->labels;
	size_t kl = strlen(key);

	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=' && p[kl + 1] == '"') {
			size_t n = 0;

			p += kl + 2;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				if (n + 1 < outlen)
					out[n++] = *p;
				p++;
			}
			if (outlen)
				out[n] = '\0';
			return *p == '"';
		}
		/* skip this label */
		while (*p && *p != '"')
			p++;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (*p)
				p++;
		}
	}
	return false;
}
