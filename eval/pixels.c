/* SPDX-License-Identifier: MIT */
/*
 * pixels.c - CDnet pixel metrics (Goyette et al. 2012, Wang et al. 2014):
 * over the spatial ROI (ROI.bmp, 255 = in) and the temporal ROI
 * (temporalROI.txt), ground truth 255 is positive, 0 and 50 negative, 85 and
 * 170 not scored. Also the temporalROI.txt loader.
 */
#include "eval.h"
#include "eval_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zp_eval_pixels_init(zp_eval_pixels *acc, int64_t first, int64_t last)
{
	memset(acc, 0, sizeof(*acc));
	acc->troi_first = first;
	acc->troi_last = last;
}

bool zp_eval_pixels_in_troi(const zp_eval_pixels *acc, int64_t frame)
{
	if (acc->troi_first == 0 && acc->troi_last == 0)
		return true;
	return frame >= acc->troi_first && frame <= acc->troi_last;
}

bool zp_eval_pixels_frame(zp_eval_pixels *acc, int64_t frame, const uint8_t *mask, int mask_stride,
			  const uint8_t *gt, int gt_stride, const uint8_t *roi, int roi_stride, int width, int height)
{
	uint64_t tp = 0, fp = 0, tn = 0, fn = 0, sh = 0, shfp = 0;

	if (!zp_eval_pixels_in_troi(acc, frame))
		return false;
	for (int y = 0; y < height; y++) {
		const uint8_t *m = mask + (size_t)y * mask_stride;
		const uint8_t *g = gt + (size_t)y * gt_stride;
		const uint8_t *r = roi ? roi + (size_t)y * roi_stride : NULL;

		for (int x = 0; x < width; x++) {
			bool ours = m[x] != 0;

			if (r && r[x] != 255)
				continue;
			switch (g[x]) {
			case ZP_CDNET_MOVING:
				if (ours)
					tp++;
				else
					fn++;
				break;
			case ZP_CDNET_SHADOW:
				sh++;
				shfp += ours;
				if (ours)
					fp++;
				else
					tn++;
				break;
			case ZP_CDNET_STATIC:
				if (ours)
					fp++;
				else
					tn++;
				break;
			default: /* 85 outside ROI, 170 unknown, anything else: not scored */
				break;
			}
		}
	}
	acc->tp += tp;
	acc->fp += fp;
	acc->tn += tn;
	acc->fn += fn;
	acc->shadow += sh;
	acc->shadow_fp += shfp;
	acc->frames++;
	return true;
}

double zp_eval_ratio(uint64_t num, uint64_t den)
{
	return den ? (double)num / (double)den : NAN;
}

double zp_eval_fmeasure(double p, double r)
{
	if (isnan(p) || isnan(r))
		return NAN;
	return p + r > 0 ? 2.0 * p * r / (p + r) : 0.0;
}

void zp_eval_rates_compute(uint64_t tp, uint64_t fp, uint64_t tn, uint64_t fn, zp_eval_rates *out)
{
	out->precision = zp_eval_ratio(tp, tp + fp);
	out->recall = zp_eval_ratio(tp, tp + fn);
	out->f = zp_eval_fmeasure(out->precision, out->recall);
	out->fpr = zp_eval_ratio(fp, fp + tn);
	out->fnr = zp_eval_ratio(fn, tp + fn);
	out->specificity = zp_eval_ratio(tn, tn + fp);
	out->pwc = tp + fn + fp + tn ? 100.0 * (double)(fn + fp) / (double)(tp + fn + fp + tn) : NAN;
}

/* A decimal frame number >= 1 at *s; advances *s. false when there is none. */
static bool frame_number(const char **s, int64_t *out)
{
	const char *p = *s;
	int64_t v = 0;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*s = p;
	*out = v;
	return true;
}

int zp_eval_troi_parse(const char *text, const char *name, int64_t *first, int64_t *last, char *err,
		       size_t errlen)
{
	const char *s = text;
	int64_t a, b;

	while (isspace((unsigned char)*s))
		s++;
	if (!frame_number(&s, &a) || !isspace((unsigned char)*s))
		goto bad;
	while (isspace((unsigned char)*s))
		s++;
	if (!frame_number(&s, &b))
		goto bad;
	while (isspace((unsigned char)*s))
		s++;
	if (*s || a < 1 || b < a)
		goto bad;
	*first = a;
	*last = b;
	return 0;
bad:
	return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected two frame numbers 'FIRST LAST' with 1 <= FIRST <= LAST",
			 name);
}

int zp_eval_read_text(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;

	if (!f)
		return zp_seterr(err, errlen, ZP_ENODEV, "%s: cannot open (%s)", path, strerror(errno));
	do {
		/* at least 4096 bytes free to read into, and one for the NUL */
		nb = zp_grow(buf, &cap, n + 4096 + 1, 1, 65536);
		if (!nb) {
			free(buf);
			fclose(f);
			return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
		}
		buf = nb;
		got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return zp_seterr(err, errlen, ZP_EIO, "%s: read error", path);
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int zp_eval_troi_load(const char *path, int64_t *first, int64_t *last, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc = zp_eval_read_text(path, &text, &len, err, errlen);

	if (rc)
		return rc;
	if (strlen(text) != len)
		rc = zp_seterr(err, errlen, ZP_EINVAL,
			       "%s: expected two frame numbers 'FIRST LAST' (text, no NUL bytes)", path);
	else
		rc = zp_eval_troi_parse(text, path, first, last, err, errlen);
	free(text);
	return rc;
}
