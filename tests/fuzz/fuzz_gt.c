/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gt.c - libFuzzer target for the ground-truth parsers of `zebrapad
 * eval`: MOTChallenge gt.txt (zp_eval_gt_parse), CDnet's temporalROI.txt
 * (zp_eval_troi_parse), MOTChallenge seqinfo.ini (zp_eval_seqinfo_parse) and
 * a Wallflower set's script.txt (zp_eval_wallflower_first_entry), built with
 * -DZP_FUZZ=ON and clang.
 *
 * Besides memory errors (ASan/UBSan), it checks what eval relies on: a
 * refusal is ZP_EINVAL with one line naming the file; a parsed set is
 * sorted by frame, every frame from 1 to its last is addressable, and its
 * boxes have non-negative sizes; a temporal ROI has 1 <= first <= last;
 * seqinfo gives a length in 1..10^9 (or 0: absent) and a rate in (0, 1000]
 * (or 0); script.txt's first entry is a number of at most 10 digits.
 */
#include "eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, const char *err)
{
	if (!ok) {
		fprintf(stderr, "fuzz_gt: invariant broken: %s (err: '%s')\n", what, err);
		abort();
	}
}

static void check_message(const char *err)
{
	check(!strncmp(err, "gt.txt", 6), "message names the file", err);
	check(!strchr(err, '\n') && !strchr(err, '\r'), "message is one line", err);
	check(strlen(err) > 10, "message says something", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[512] = "";
	int code = 0;
	zp_eval_gt *gt;
	int64_t first = 0, last = 0;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	/* the bytes as given (embedded NULs included: len is the size) */
	gt = zp_eval_gt_parse(text, size, "gt.txt", &code, err, sizeof(err));
	if (!gt) {
		check(code == ZP_EINVAL, "return code", err);
		check_message(err);
	} else {
		size_t rows = 0;
		int64_t end = zp_eval_gt_last_frame(gt);

		for (int64_t f = 1; f <= end && f <= 100000; f++) {
			const zp_eval_box *b;
			int n = zp_eval_gt_frame(gt, f, &b);

			check(n >= 0, "box count", "");
			for (int i = 0; i < n; i++)
				check(b[i].w >= 0 && b[i].h >= 0, "box size", "");
			rows += (size_t)n;
		}
		if (end <= 100000)
			check(rows == zp_eval_gt_rows(gt), "every row in some frame 1..last", "");
		if (end < INT64_MAX) {
			const zp_eval_box *b;

			check(zp_eval_gt_frame(gt, end + 1, &b) == 0, "nothing after the last frame", "");
		}
		zp_eval_gt_free(gt);
	}

	err[0] = '\0';
	if (zp_eval_troi_parse(text, "gt.txt", &first, &last, err, sizeof(err)) == 0)
		check(first >= 1 && first <= last, "temporal ROI order", err);
	else
		check_message(err);

	{
		int64_t length = -1, entry = -1;
		double fps = -1;

		err[0] = '\0';
		if (zp_eval_seqinfo_parse(text, size, "gt.txt", &length, &fps, err, sizeof(err)) == 0)
			check(length >= 0 && length <= 1000000000 && fps >= 0 && fps <= 1000, "seqinfo ranges", err);
		else
			check_message(err);
		if (zp_eval_wallflower_first_entry(text, size, &entry) == 0)
			check(entry >= 0 && entry < 10000000000LL, "script.txt entry", "");
		else
			check(entry == -1, "script.txt: nothing set on failure", "");
	}
	free(text);
	return 0;
}
