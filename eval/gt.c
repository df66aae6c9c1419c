/* SPDX-License-Identifier: MIT */
/*
 * gt.c - MOTChallenge gt.txt: "frame,id,left,top,width,height,conf,..." per
 * line, no header. MOT15 has 10 numbers (x,y,z world columns at the end),
 * MOT16 and later 9 (class, visibility). Rows with conf = 0 are "ignore" rows
 * and are dropped.
 */
#include "eval.h"
#include "eval_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct zp_eval_gt {
	size_t n;
	int64_t *frame;      /* n, ascending */
	zp_eval_box *box;    /* n, parallel to frame */
};

#define GT_MAX_FIELDS 10

/*
 * Split one line (without its newline) into numbers. Returns the number of
 * fields, or -1 when a field is not a finite number (a field is text between
 * commas, blanks around it allowed).
 */
static int parse_fields(const char *s, const char *end, double *v, int max)
{
	int n = 0;

	for (;;) {
		char buf[64];
		size_t len;
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *fe = comma ? comma : end;
		char *stop;

		while (s < fe && isspace((unsigned char)*s))
			s++;
		len = (size_t)(fe - s);
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (len == 0 || len >= sizeof(buf))
			return -1;
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (n < max) {
			/* strtod takes "nan", "inf" and hex too: refuse anything but a plain decimal number */
			for (size_t i = 0; i < len; i++)
				if (!isdigit((unsigned char)buf[i]) && !strchr("+-.eE", buf[i]))
					return -1;
			v[n] = strtod(buf, &stop);
			if (*stop || !isfinite(v[n]))
				return -1;
		}
		n++;
		if (!comma)
			return n;
		s = comma + 1;
	}
}

static bool integral(double v)
{
	return v == floor(v) && fabs(v) < 1e15;
}

struct row {
	int64_t frame;
	size_t order;
	zp_eval_box box;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void zp_eval_gt_free(zp_eval_gt *gt)
{
	if (!gt)
		return;
	free(gt->frame);
	free(gt->box);
	free(gt);
}

zp_eval_gt *zp_eval_gt_parse(const char *text, size_t len, const char *name, int *code, char *err, size_t errlen)
{
	const char *s = text, *end = text + len;
	struct row *rows = NULL, *nr;
	size_t n = 0, cap = 0;
	long line = 0;
	zp_eval_gt *gt = NULL;

	*code = ZP_EINVAL;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *p = s;
		double v[GT_MAX_FIELDS];
		int nf;

		line++;
		if (le > s && le[-1] == '\r')
			le--;
		while (p < le && isspace((unsigned char)*p))
			p++;
		if (p == le)
			goto next;
		if (memchr(s, '\0', (size_t)(le - s))) {
			zp_seterr(err, errlen, ZP_EINVAL, "%s:%ld: expected text, found a NUL byte", name, line);
			goto fail;
		}
		nf = parse_fields(s, le, v, GT_MAX_FIELDS);
		if (nf != 9 && nf != 10) {
			zp_seterr(err, errlen, ZP_EINVAL,
				  "%s:%ld: expected 9 or 10 comma-separated numbers "
				  "(frame,id,left,top,width,height,conf,...)", name, line);
			goto fail;
		}
		if (!integral(v[0]) || v[0] < 1 || !integral(v[1])) {
			zp_seterr(err, errlen, ZP_EINVAL, "%s:%ld: expected a frame number >= 1 and an integer id",
				  name, line);
			goto fail;
		}
		if (v[1] < -2147483647.0 || v[1] > 2147483647.0) {
			zp_seterr(err, errlen, ZP_EINVAL, "%s:%ld: expected an id that fits in 32 bits", name, line);
			goto fail;
		}
		if (v[4] < 0 || v[5] < 0) {
			zp_seterr(err, errlen, ZP_EINVAL, "%s:%ld: expected width and height >= 0", name, line);
			goto fail;
		}
		if (v[6] == 0)
			goto next; /* conf 0: ignored in evaluation */
		nr = zp_grow(rows, &cap, n + 1, sizeof(*rows), 1024);
		if (!nr)
			goto nomem;
		rows = nr;
		rows[n].frame = (int64_t)v[0];
		rows[n].order = n;
		rows[n].box = (zp_eval_box){ .id = (int)v[1], .x = v[2], .y = v[3], .w = v[4], .h = v[5] };
		n++;
next:
		s = nl ? nl + 1 : end;
	}
	gt = calloc(1, sizeof(*gt));
	if (!gt)
		goto nomem;
	if (n) {
		gt->frame = malloc(n * sizeof(*gt->frame));
		gt->box = malloc(n * sizeof(*gt->box));
		if (!gt->frame || !gt->box)
			goto nomem;
		qsort(rows, n, sizeof(*rows), row_cmp);
		for (size_t i = 0; i < n; i++) {
			gt->frame[i] = rows[i].frame;
			gt->box[i] = rows[i].box;
		}
	}
	gt->n = n;
	free(rows);
	*code = 0;
	return gt;
nomem:
	zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", name);
	*code = ZP_ENOMEM;
fail:
	zp_eval_gt_free(gt);
	free(rows);
	return NULL;
}

zp_eval_gt *zp_eval_gt_load(const char *path, int *code, char *err, size_t errlen)
{
	char *text;
	size_t len;
	zp_eval_gt *gt;
	int rc = zp_eval_read_text(path, &text, &len, err, errlen);

	if (rc) {
		*code = rc;
		return NULL;
	}
	gt = zp_eval_gt_parse(text, len, path, code, err, errlen);
	free(text);
	return gt;
}

int zp_eval_gt_frame(const zp_eval_gt *gt, int64_t frame, const zp_eval_box **boxes)
{
	size_t lo = 0, hi = gt->n, first;

	/* lower bound of frame */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gt->frame[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < gt->n && gt->frame[lo] == frame)
		lo++;
	*boxes = lo > first ? &gt->box[first] : NULL;
	return (int)(lo - first);
}

size_t zp_eval_gt_rows(const zp_eval_gt *gt)
{
	return gt->n;
}

int64_t zp_eval_gt_last_frame(const zp_eval_gt *gt)
{
	return gt->n ? gt->frame[gt->n - 1] : 0;
}
