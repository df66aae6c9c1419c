/* SPDX-License-Identifier: MIT */
/*
 * series.c - the numbered images of a folder (in000001.jpg, in000002.jpg,
 * ...), shared by the two folder readers: PGM (plain.c, no OpenCV) and the
 * formats OpenCV decodes (file.c).
 */
#include "capture_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Split NAME into prefix + number + extension; false when it is not numbered or ext_ok refuses it. */
static bool parse_numbered(const char *name, bool (*ext_ok)(const char *ext), size_t *prefix_len, size_t *ext_off,
			   long long *num)
{
	const char *dot = strrchr(name, '.');
	const char *p;
	long long n = 0;

	if (name[0] == '.' || !dot || !ext_ok(dot))
		return false;
	p = dot;
	while (p > name && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == dot || dot - p > 18)
		return false;
	for (const char *q = p; q < dot; q++)
		n = n * 10 + (*q - '0');
	*prefix_len = (size_t)(p - name);
	*ext_off = (size_t)(dot - name);
	*num = n;
	return true;
}

/* Same series: same prefix and same extension (case-insensitive). */
static int series_cmp(const zp_numbered *a, const zp_numbered *b)
{
	size_t n = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;
	int c = strncmp(a->name, b->name, n);

	if (c)
		return c;
	if (a->prefix_len != b->prefix_len)
		return a->prefix_len < b->prefix_len ? -1 : 1;
	return strcasecmp(a->name + a->ext_off, b->name + b->ext_off);
}

static int numbered_cmp(const void *pa, const void *pb)
{
	const zp_numbered *a = pa, *b = pb;
	int c = series_cmp(a, b);

	if (c)
		return c;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return strcmp(a->name, b->name);
}

void zp_series_free(zp_series *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->imgs[i].name);
	free(s->imgs);
	s->imgs = NULL;
	s->n = 0;
}

bool zp_series_dir(const char *path, char *dir, size_t dirlen)
{
	struct stat st;
	int n = snprintf(dir, dirlen, "%s/input", path);

	if (n < 0 || (size_t)n >= dirlen)
		return false;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) { /* CDnet layout has input/; else the images are here */
		if (strlen(path) >= dirlen)
			return false;
		zp_strlcpy(dir, path, dirlen);
	}
	return true;
}

int zp_series_scan(const char *dir, const char *path, bool (*ext_ok)(const char *ext), bool warn, zp_series *s,
		   char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0, best = 0, best_len = 0, stray = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!d)
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		zp_numbered e, *n;

		if (!parse_numbered(de->d_name, ext_ok, &e.prefix_len, &e.ext_off, &e.num))
			continue;
		n = zp_grow(s->imgs, &cap, s->n + 1, sizeof(*n), 256);
		if (!n) {
			rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory listing the folder", dir);
			goto out;
		}
		s->imgs = n;
		e.name = strdup(de->d_name);
		if (!e.name) {
			rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory listing the folder", dir);
			goto out;
		}
		s->imgs[s->n++] = e;
	}
	if (s->n == 0) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: no numbered images (expected e.g. in000001.jpg)", path);
		goto out;
	}
	qsort(s->imgs, s->n, sizeof(*s->imgs), numbered_cmp);
	for (size_t i = 0, start = 0; i <= s->n; i++) {
		if (i == s->n || series_cmp(&s->imgs[start], &s->imgs[i]) != 0) {
			if (i - start > best_len) {
				best = start;
				best_len = i - start;
			}
			start = i;
		}
	}
	/*
	 * Keep only the chosen series, at the front. Files of the same name with
	 * another extension (in000003.jpg among in*.png) are frames left out:
	 * said. Other names (a CDnet ROI.bmp, a Wallflower hand-segmented mask)
	 * are other series and say nothing.
	 */
	for (size_t i = 0; i < s->n; i++)
		if (i < best || i >= best + best_len) {
			const zp_numbered *k = &s->imgs[best], *o = &s->imgs[i];

			stray += o->prefix_len == k->prefix_len && !strncmp(o->name, k->name, k->prefix_len);
			free(s->imgs[i].name);
		}
	memmove(s->imgs, s->imgs + best, best_len * sizeof(*s->imgs));
	if (warn && stray)
		zp_log(ZP_LOG_WARNING, "%s: %zu numbered files of the same name with another extension are skipped "
		       "(the frames are the %zu files like %s)", dir, stray, best_len, s->imgs[0].name);
	s->n = best_len;
	for (size_t i = 1; i < s->n; i++) {
		if (s->imgs[i].num == s->imgs[i - 1].num) {
			rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: two images numbered %lld (%s, %s)", dir,
				       s->imgs[i].num, s->imgs[i - 1].name, s->imgs[i].name);
			goto out;
		}
	}
	{
		/* gaps: the frames after one come earlier than they were taken (times are by position) */
		long long missing = 0, gaps = 0;
		size_t first = 0;

		for (size_t i = 1; i < s->n; i++)
			if (s->imgs[i].num != s->imgs[i - 1].num + 1) {
				if (!gaps)
					first = i;
				gaps++;
				missing += s->imgs[i].num - s->imgs[i - 1].num - 1;
			}
		if (warn && gaps)
			zp_log(ZP_LOG_WARNING, "%s: %lld numbers missing in %lld gaps (the first after %s): frame times "
			       "follow the files' order, so a gap shortens the recording's time", dir, missing, gaps,
			       s->imgs[first - 1].name);
	}
out:
	closedir(d);
	if (rc)
		zp_series_free(s);
	return rc;
}
