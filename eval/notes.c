/* SPDX-License-Identifier: MIT */
/*
 * notes.c - the small text files that come with a recording: MOTChallenge's
 * seqinfo.ini (the annotated length and the frame rate) and a Wallflower
 * set's script.txt (the frame somebody first comes into view).
 */
#include "eval.h"
#include "eval_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* [p, end) without blanks around it. */
static void trim(const char **p, const char **end)
{
	while (*p < *end && isspace((unsigned char)**p))
		(*p)++;
	while (*end > *p && isspace((unsigned char)(*end)[-1]))
		(*end)--;
}

/* A plain decimal number (digits, one optional '.'), nothing else. */
static bool plain_number(const char *p, const char *end, double *v)
{
	char buf[32];
	size_t len = (size_t)(end - p);
	int dots = 0;
	char *stop;

	if (len == 0 || len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)p[i]))
			return false;
	}
	if (dots > 1 || p[0] == '.' || p[len - 1] == '.')
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	*v = strtod(buf, &stop);
	return *stop == '\0' && isfinite(*v);
}

int zp_eval_seqinfo_parse(const char *text, size_t len, const char *name, int64_t *length, double *fps, char *err,
			  size_t errlen)
{
	const char *p = text, *end = text + len;
	bool in_seq = false;
	int line = 0;

	*length = 0;
	*fps = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *ls = p, *eq;
		double v;

		line++;
		p = nl ? nl + 1 : end;
		trim(&ls, &le);
		if (ls == le || *ls == ';' || *ls == '#')
			continue;
		if (*ls == '[') {
			in_seq = le - ls == 10 && !strncasecmp(ls, "[Sequence]", 10);
			continue;
		}
		if (!in_seq)
			continue;
		eq = memchr(ls, '=', (size_t)(le - ls));
		if (!eq)
			continue;
		{
			const char *ks = ls, *ke = eq, *vs = eq + 1, *ve = le;

			trim(&ks, &ke);
			trim(&vs, &ve);
			if (ke - ks == 9 && !strncasecmp(ks, "seqLength", 9)) {
				if (!plain_number(vs, ve, &v) || v != floor(v) || v < 1 || v > 1e9)
					return zp_seterr(err, errlen, ZP_EINVAL,
							 "%s:%d: expected seqLength=N (a whole number, 1..10^9)", name, line);
				*length = (int64_t)v;
			} else if (ke - ks == 9 && !strncasecmp(ks, "frameRate", 9)) {
				if (!plain_number(vs, ve, &v) || !(v > 0) || v > 1000)
					return zp_seterr(err, errlen, ZP_EINVAL,
							 "%s:%d: expected frameRate=R (frames per second, 0 < R <= 1000)", name,
							 line);
				*fps = v;
			}
		}
	}
	return 0;
}

/* Does [p, end) contain the word "enter" (any case)? */
static bool says_enter(const char *p, const char *end)
{
	for (; end - p >= 5; p++)
		if (!strncasecmp(p, "enter", 5))
			return true;
	return false;
}

int zp_eval_wallflower_first_entry(const char *text, size_t len, int64_t *frame)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;
		int64_t v = 0;
		int digits = 0;

		p = nl ? nl + 1 : end;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		while (q < le && isdigit((unsigned char)*q) && digits < 10) {
			v = v * 10 + (*q - '0');
			q++;
			digits++;
		}
		if (digits == 0 || (q < le && isdigit((unsigned char)*q)))
			continue;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q == le || *q != '-')
			continue;
		if (says_enter(q + 1, le)) {
			*frame = v;
			return 0;
		}
	}
	return ZP_ENODEV;
}
