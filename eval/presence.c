/* SPDX-License-Identifier: MIT */
/*
 * presence.c - zone presence per frame: "is anybody in the zone" from the
 * ground truth (a box's ground point inside the polygon) against ours
 * (zone_count > 0), scored over frames and over episodes. An episode is a
 * maximal run of consecutive frames with ground-truth presence; it is caught
 * when we see presence on at least one of its frames, and its entry latency
 * is the first such frame minus the episode's first frame.
 */
#include "eval.h"
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t zp_eval_zone_presence(const zp_zone *zones, int nzones, const zp_eval_box *boxes, int n)
{
	uint32_t bits = 0;

	for (int z = 0; z < nzones && z < 32; z++)
		for (int i = 0; i < n; i++) {
			double gx = boxes[i].x + boxes[i].w / 2.0, gy = boxes[i].y + boxes[i].h;

			if (zp_polygon_contains(&zones[z].poly, gx, gy)) {
				bits |= 1u << z;
				break;
			}
		}
	return bits;
}

struct zp_eval_presence {
	uint64_t frames, tp, fp, fn, tn;
	uint64_t episodes, missed_closed;
	int64_t last_frame;      /* 0 before the first frame */
	bool in_episode;         /* the last frame had ground-truth presence */
	bool caught;             /* ... and the running episode has been seen */
	int64_t episode_start;
	int64_t *lat;            /* latency of every caught episode, ascending */
	size_t nlat, caplat;
};

zp_eval_presence *zp_eval_presence_new(void)
{
	return calloc(1, sizeof(struct zp_eval_presence));
}

void zp_eval_presence_free(zp_eval_presence *p)
{
	if (!p)
		return;
	free(p->lat);
	free(p);
}

static void end_episode(zp_eval_presence *p)
{
	if (p->in_episode && !p->caught)
		p->missed_closed++;
	p->in_episode = false;
	p->caught = false;
}

int zp_eval_presence_frame(zp_eval_presence *p, int64_t frame, bool gt_present, bool our_present)
{
	if (frame <= p->last_frame)
		return ZP_EINVAL;
	if (p->last_frame && frame != p->last_frame + 1)
		end_episode(p);
	p->last_frame = frame;
	p->frames++;
	if (gt_present && our_present)
		p->tp++;
	else if (our_present)
		p->fp++;
	else if (gt_present)
		p->fn++;
	else
		p->tn++;
	if (!gt_present) {
		end_episode(p);
		return 0;
	}
	if (!p->in_episode) {
		p->in_episode = true;
		p->caught = false;
		p->episode_start = frame;
		p->episodes++;
	}
	if (our_present && !p->caught) {
		int64_t *grown = zp_grow(p->lat, &p->caplat, p->nlat + 1, sizeof(*p->lat), 64);

		if (!grown)
			return ZP_ENOMEM;
		p->lat = grown;
		/* kept sorted (insertion; one entry per episode) so the median needs no copy */
		{
			int64_t l = frame - p->episode_start;
			size_t k = p->nlat;

			while (k > 0 && p->lat[k - 1] > l) {
				p->lat[k] = p->lat[k - 1];
				k--;
			}
			p->lat[k] = l;
			p->nlat++;
		}
		p->caught = true;
	}
	return 0;
}

/* The k-th smallest (from 0) latency over n sorted lists: a merge walk, no allocation. */
static int64_t kth_latency(const zp_eval_presence *const *ps, int n, size_t k)
{
	size_t pos[64] = { 0 };
	int64_t v = 0;

	for (size_t r = 0; r <= k; r++) {
		int best = -1;

		for (int i = 0; i < n; i++)
			if (pos[i] < ps[i]->nlat && (best < 0 || ps[i]->lat[pos[i]] < ps[best]->lat[pos[best]]))
				best = i;
		v = ps[best]->lat[pos[best]++];
	}
	return v;
}

void zp_eval_presence_pool(const zp_eval_presence *const *ps, int n, zp_eval_presence_stats *out)
{
	uint64_t tp = 0, fp = 0, fn = 0, tn = 0, frames = 0, episodes = 0, missed = 0;
	size_t nlat = 0;

	if (n > 64)
		n = 64; /* more than ZP_MAX_ZONES; kth_latency's cursor array */
	memset(out, 0, sizeof(*out));
	out->latency_median = NAN;
	out->latency_max = -1;
	for (int i = 0; i < n; i++) {
		const zp_eval_presence *p = ps[i];

		frames += p->frames;
		tp += p->tp;
		fp += p->fp;
		fn += p->fn;
		tn += p->tn;
		episodes += p->episodes;
		missed += p->missed_closed + (p->in_episode && !p->caught ? 1 : 0);
		nlat += p->nlat;
		if (p->nlat && p->lat[p->nlat - 1] > out->latency_max)
			out->latency_max = p->lat[p->nlat - 1];
	}
	out->frames = frames;
	out->tp = tp;
	out->fp = fp;
	out->fn = fn;
	out->tn = tn;
	out->precision = zp_eval_ratio(tp, tp + fp);
	out->recall = zp_eval_ratio(tp, tp + fn);
	out->f = zp_eval_fmeasure(out->precision, out->recall);
	out->episodes = episodes;
	out->missed = missed;
	if (nlat)
		out->latency_median = nlat % 2 ? (double)kth_latency(ps, n, nlat / 2)
					       : ((double)kth_latency(ps, n, nlat / 2 - 1) +
						  (double)kth_latency(ps, n, nlat / 2)) / 2.0;
}

void zp_eval_presence_get(const zp_eval_presence *p, zp_eval_presence_stats *out)
{
	zp_eval_presence_pool(&p, 1, out);
}
