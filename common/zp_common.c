/* SPDX-License-Identifier: MIT */
#include "zp_common.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *zp_strerror(int err)
{
	switch (err) {
	case ZP_OK: return "ok";
	case ZP_ENOMEM: return "out of memory";
	case ZP_EINVAL: return "invalid input";
	case ZP_ENODEV: return "no such device or file";
	case ZP_ETIMEDOUT: return "timed out";
	case ZP_EIO: return "input/output error";
	case ZP_EACCES: return "permission denied";
	case ZP_EFORMAT: return "format not supported";
	case ZP_EBUSY: return "resource busy";
	case ZP_EOF: return "end of source";
	case ZP_EAGAIN: return "try again";
	case ZP_EUNSUPPORTED: return "not supported here";
	default: return "unknown error";
	}
}

int zp_err_from_errno(int errnum)
{
	switch (errnum) {
	case 0: return ZP_OK;
	case ENOMEM: return ZP_ENOMEM;
	case ENODEV: case ENOENT: case ENXIO: return ZP_ENODEV;
	case EACCES: case EPERM: return ZP_EACCES;
	case ETIMEDOUT: return ZP_ETIMEDOUT;
	case EBUSY: return ZP_EBUSY;
	case EAGAIN: case EINTR: return ZP_EAGAIN;
	case EINVAL: return ZP_EINVAL;
	case ENOTSUP: return ZP_EUNSUPPORTED;
	default: return ZP_EIO;
	}
}

void zp_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* one fprintf per line so concurrent writers do not interleave mid-line */
	fprintf(stderr, "<%d>zebrapad: %s\n", level, buf);
}

bool zp_ratelimit_burst(zp_ratelimit *rl, int64_t now_ms, int64_t interval_ms, int burst, uint64_t *suppressed_out)
{
	if (suppressed_out)
		*suppressed_out = 0;
	if (!rl->primed || now_ms - rl->last_ms >= interval_ms) {
		if (suppressed_out)
			*suppressed_out = rl->suppressed;
		rl->primed = true;
		rl->last_ms = now_ms;
		rl->suppressed = 0;
		rl->used = 1;
		return true;
	}
	if (rl->used < burst) {
		rl->used++;
		return true;
	}
	rl->suppressed++;
	return false;
}

bool zp_ratelimit_ok(zp_ratelimit *rl, int64_t now_ms, int64_t interval_ms, uint64_t *suppressed_out)
{
	return zp_ratelimit_burst(rl, now_ms, interval_ms, 1, suppressed_out);
}

void zp_log_limited(zp_ratelimit *rl, int64_t now_ms, int64_t interval_ms, int level, const char *fmt, ...)
{
	char buf[1024];
	uint64_t skipped = 0;
	va_list ap;

	if (!zp_ratelimit_ok(rl, now_ms, interval_ms, &skipped))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (skipped)
		zp_log(level, "%s (%llu more since the last message)", buf, (unsigned long long)skipped);
	else
		zp_log(level, "%s", buf);
}

char *zp_fmt_utc(int64_t unix_s, bool with_seconds, char *buf, size_t n)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (n == 0)
		return buf;
	if ((int64_t)t != unix_s || !gmtime_r(&t, &tm) ||
	    !strftime(buf, n, with_seconds ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, n, "%lld", (long long)unix_s);
	return buf;
}

void *zp_grow(void *buf, size_t *cap, size_t need, size_t each, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *p;

	if (need <= *cap)
		return buf;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return NULL;
		c *= 2;
	}
	if (c > SIZE_MAX / each)
		return NULL;
	p = realloc(buf, c * each);
	if (p)
		*cap = c;
	return p;
}

char *zp_fmt_num(char *buf, size_t n, double v, int decimals)
{
	if (isfinite(v))
		snprintf(buf, n, "%.*f", decimals, v);
	else
		zp_strlcpy(buf, "-", n);
	return buf;
}

int64_t zp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t zp_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int zp_block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	return sigprocmask(SIG_BLOCK, set, NULL) == 0 ? 0 : zp_err_from_errno(errno);
}

/* Unicode's table 3-7 of well-formed byte sequences */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;   /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;   /* UTF-16 surrogates */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;   /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;   /* above U+10FFFF */
		return 4;
	}
	return 0;
}

size_t zp_utf8_seq(const char *s)
{
	return utf8_seq((const unsigned char *)s);
}

size_t zp_utf8_valid(const char *s, char *out, size_t outlen, size_t *bad)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t need = 0, o = 0, nbad = 0;
	bool full = outlen == 0;

	while (*p) {
		size_t n = utf8_seq(p);
		const char *from = (const char *)p;

		if (!n) {
			from = fffd;
			n = 3;
			nbad++;
			p++;
		} else {
			p += n;
		}
		if (!full && o + n < outlen) {
			memcpy(out + o, from, n);
			o += n;
		} else {
			full = true;   /* nothing after a sequence that did not fit: the text stays whole sequences */
		}
		need += n;
	}
	if (outlen)
		out[o] = '\0';
	if (bad)
		*bad = nbad;
	return need;
}

char *zp_utf8_dup(const char *s)
{
	size_t n = zp_utf8_valid(s, NULL, 0, NULL);
	char *out = malloc(n + 1);

	if (out)
		zp_utf8_valid(s, out, n + 1, NULL);
	return out;
}

size_t zp_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return 0;
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

void zp_dirname(char *dst, size_t size, const char *path)
{
	size_t end = strlen(path), slash;

	while (end > 1 && path[end - 1] == '/')
		end--;
	for (slash = end; slash > 0 && path[slash - 1] != '/'; slash--)
		;
	while (slash > 1 && path[slash - 2] == '/') /* "a//b": the folder is "a" */
		slash--;
	if (slash == 0)
		zp_strlcpy(dst, ".", size);
	else if (slash == 1)
		zp_strlcpy(dst, "/", size);
	else
		snprintf(dst, size, "%.*s", (int)(slash - 1), path);
}

int zp_seterr(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *skip_blank(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* true when only blanks remain from s */
static bool only_blank(const char *s)
{
	return *skip_blank(s) == '\0';
}

int zp_parse_int(const char *text, long min, long max, int *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	text = skip_blank(text);
	v = strtol(text, &end, 10);
	if (end == text || !only_blank(end) || errno == ERANGE || v < min || v > max)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected an integer from %ld to %ld, got '%s'", min, max,
				 text);
	*out = (int)v;
	return ZP_OK;
}

int zp_parse_double(const char *text, double min, double max, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	text = skip_blank(text);
	v = strtod(text, &end);
	if (end == text || !only_blank(end) || errno == ERANGE || !isfinite(v) || v < min || v > max)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected a number from %g to %g, got '%s'", min, max, text);
	*out = v;
	return ZP_OK;
}

int zp_parse_bool(const char *text, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char word[8];
	size_t n;

	text = skip_blank(text);
	n = strlen(text);
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (n < sizeof(word)) {
		memcpy(word, text, n);
		word[n] = '\0';
		for (size_t i = 0; i < 4; i++) {
			if (!strcasecmp(word, yes[i])) {
				*out = true;
				return ZP_OK;
			}
			if (!strcasecmp(word, no[i])) {
				*out = false;
				return ZP_OK;
			}
		}
	}
	return zp_seterr(err, errlen, ZP_EINVAL, "expected true or false, got '%s'", text);
}

void zp_fields_default(const zp_field *table, size_t n, void *obj, size_t size)
{
	memset(obj, 0, size);
	for (size_t i = 0; i < n; i++) {
		const zp_field *f = &table[i];
		char *at = (char *)obj + f->off;

		switch (f->type) {
		case ZP_FIELD_INT: {
			int v = (int)f->def;

			memcpy(at, &v, sizeof(v));
			break;
		}
		case ZP_FIELD_DOUBLE:
			memcpy(at, &f->def, sizeof(f->def));
			break;
		case ZP_FIELD_BOOL: {
			bool v = f->def != 0;

			memcpy(at, &v, sizeof(v));
			break;
		}
		case ZP_FIELD_TEXT:
			zp_strlcpy(at, f->def_text ? f->def_text : "", f->size);
			break;
		}
	}
}

const zp_field *zp_field_find(const zp_field *table, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].key, key))
			return &table[i];
	return NULL;
}

int zp_field_set(const zp_field *f, void *obj, const char *value, char *err, size_t errlen)
{
	char *at = (char *)obj + f->off;

	switch (f->type) {
	case ZP_FIELD_INT: {
		int v;

		if (zp_parse_int(value, (long)f->min, (long)f->max, &v, err, errlen))
			return ZP_EINVAL;
		memcpy(at, &v, sizeof(v));
		return ZP_OK;
	}
	case ZP_FIELD_DOUBLE: {
		double v;

		if (zp_parse_double(value, f->min, f->max, &v, err, errlen))
			return ZP_EINVAL;
		memcpy(at, &v, sizeof(v));
		return ZP_OK;
	}
	case ZP_FIELD_BOOL: {
		bool v;

		if (zp_parse_bool(value, &v, err, errlen))
			return ZP_EINVAL;
		memcpy(at, &v, sizeof(v));
		return ZP_OK;
	}
	case ZP_FIELD_TEXT:
		if (strlen(value) >= f->size)
			return zp_seterr(err, errlen, ZP_EINVAL, "expected at most %zu characters, got %zu", f->size - 1,
					 strlen(value));
		if (f->min > 0 && !value[0])
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a value, got ''");
		if (f->check && f->check(value, err, errlen))
			return ZP_EINVAL;
		zp_strlcpy(at, value, f->size);
		return ZP_OK;
	}
	return zp_seterr(err, errlen, ZP_EINVAL, "key '%s' has no type", f->key);
}

int zp_fields_set(const zp_field *table, size_t n, void *obj, const char *key, const char *value, char *err,
		  size_t errlen)
{
	const zp_field *f = zp_field_find(table, n, key);

	if (!f)
		return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
	return zp_field_set(f, obj, value, err, errlen);
}

int zp_fields_check(const zp_field *table, size_t n, const void *obj, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const zp_field *f = &table[i];
		const char *at = (const char *)obj + f->off;

		if (f->type == ZP_FIELD_DOUBLE) {
			double v;

			memcpy(&v, at, sizeof(v));
			if (!(v >= f->min && v <= f->max))
				return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected a number from %g to %g, got %g",
						 f->key, f->min, f->max, v);
		} else if (f->type == ZP_FIELD_INT) {
			int v;

			memcpy(&v, at, sizeof(v));
			if (v < f->min || v > f->max)
				return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected an integer from %ld to %ld, got %d",
						 f->key, (long)f->min, (long)f->max, v);
		}
	}
	return ZP_OK;
}

char *zp_fields_list(const zp_field *table, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		int k = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", table[i].key);

		if (k < 0)
			break;
		at += (size_t)k;
	}
	return buf;
}
