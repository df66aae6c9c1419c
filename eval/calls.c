/* SPDX-License-Identifier: MIT */
/*
 * calls.c - per-zone counts and valid calls (see eval.h for the rules).
 *
 * Counts: distinct ground-truth ids in the zone on >= min_frames scored
 * frames, the detector's summed zone_entered, distinct confirmed track ids
 * seen in the zone.
 *
 * Valid calls: the ground truth's and the detector's per-frame bits are kept
 * (one byte each per frame) and judged in zp_eval_calls_get(), because an
 * episode's end (a gap merged or not) is known only T frames later.
 */
#include "eval.h"
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool zp_eval_box_in_zone(const zp_zone *zone, const zp_eval_box *b)
{
	return zp_polygon_contains(&zone->poly, b->x + b->w / 2.0, b->y + b->h);
}

/* ---- counts ---- */

struct id_frames {
	int id;
	uint32_t frames;
	uint64_t last;       /* the frame (internal count) it was last counted on */
};

struct zp_eval_counts {
	int min_frames;
	uint64_t frame;      /* frames seen, 1 on the first */
	uint64_t entered;
	struct id_frames *gt;   /* sorted by id */
	size_t ngt, capgt;
	int *tracks;            /* sorted */
	size_t ntracks, captracks;
};

zp_eval_counts *zp_eval_counts_new(int min_frames)
{
	zp_eval_counts *c;

	if (min_frames < 1)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c)
		c->min_frames = min_frames;
	return c;
}

void zp_eval_counts_free(zp_eval_counts *c)
{
	if (!c)
		return;
	free(c->gt);
	free(c->tracks);
	free(c);
}

void *zp_eval_id_slot(void **base, size_t *n, size_t *cap, size_t each, int id)
{
	unsigned char *p = *base;
	size_t lo = 0, hi = *n;
	int v;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(&v, p + mid * each, sizeof(v));
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n && (memcpy(&v, p + lo * each, sizeof(v)), v == id))
		return p + lo * each;
	p = zp_grow(*base, cap, *n + 1, each, 64);
	if (!p)
		return NULL;
	*base = p;
	memmove(p + (lo + 1) * each, p + lo * each, (*n - lo) * each);
	memset(p + lo * each, 0, each);
	memcpy(p + lo * each, &id, sizeof(id));
	(*n)++;
	return p + lo * each;
}

int zp_eval_counts_frame(zp_eval_counts *c, const int *gt_ids, int ngt, int entered, const int *track_ids,
			 int ntracks)
{
	c->frame++;
	if (entered > 0)
		c->entered += (uint64_t)entered;
	for (int i = 0; i < ngt; i++) {
		void *a = c->gt;
		struct id_frames *g = zp_eval_id_slot(&a, &c->ngt, &c->capgt, sizeof(*c->gt), gt_ids[i]);

		c->gt = a;
		if (!g)
			return ZP_ENOMEM;
		if (g->last != c->frame) {
			g->frames++;
			g->last = c->frame;
		}
	}
	for (int i = 0; i < ntracks; i++) {
		void *a = c->tracks;

		if (!zp_eval_id_slot(&a, &c->ntracks, &c->captracks, sizeof(*c->tracks), track_ids[i]))
			return ZP_ENOMEM;
		c->tracks = a;
	}
	return 0;
}

static double pct_error(uint64_t got, uint64_t want)
{
	return want ? 100.0 * ((double)got - (double)want) / (double)want : NAN;
}

void zp_eval_counts_pool(const zp_eval_counts *const *cs, int n, zp_eval_counts_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < n; i++) {
		const zp_eval_counts *c = cs[i];

		for (size_t k = 0; k < c->ngt; k++)
			out->gt_people += c->gt[k].frames >= (uint32_t)c->min_frames;
		out->entered += c->entered;
		out->tracks += c->ntracks;
	}
	out->entered_error = pct_error(out->entered, out->gt_people);
	out->tracks_error = pct_error(out->tracks, out->gt_people);
}

void zp_eval_counts_get(const zp_eval_counts *c, zp_eval_counts_stats *out)
{
	zp_eval_counts_pool(&c, 1, out);
}

/* ---- valid calls ---- */

struct zp_eval_calls {
	int tol;
	int64_t last_frame;     /* 0 before the first frame */
	uint8_t *bits;          /* per frame: 1 ground truth present, 2 call on */
	size_t n, cap;
};

zp_eval_calls *zp_eval_calls_new(int tolerance_frames)
{
	zp_eval_calls *c;

	if (tolerance_frames < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c)
		c->tol = tolerance_frames;
	return c;
}

void zp_eval_calls_free(zp_eval_calls *c)
{
	if (!c)
		return;
	free(c->bits);
	free(c);
}

int zp_eval_calls_frame(zp_eval_calls *c, int64_t frame, bool gt_present, bool call_on)
{
	void *grown;

	if (c->last_frame && frame != c->last_frame + 1)
		return ZP_EINVAL;
	grown = zp_grow(c->bits, &c->cap, c->n + 1, 1, 64);
	if (!grown)
		return ZP_ENOMEM;
	c->bits = grown;
	c->bits[c->n++] = (uint8_t)((gt_present ? 1 : 0) | (call_on ? 2 : 0));
	c->last_frame = frame;
	return 0;
}

#define G(i) (c->bits[i] & 1)
#define C(i) ((c->bits[i] >> 1) & 1)

/*
 * The next episode starting at or after *from: [*s, *e], runs of ground-truth
 * frames merged across empty gaps of at most tol frames. false when none.
 */
static bool next_episode(const zp_eval_calls *c, size_t from, size_t *s, size_t *e)
{
	size_t i = from, end;

	while (i < c->n && !G(i))
		i++;
	if (i == c->n)
		return false;
	*s = i;
	for (;;) {
		size_t j;

		while (i < c->n && G(i))
			i++;
		end = i - 1;
		/* the next run, if it starts within tol empty frames */
		for (j = i; j < c->n && !G(j) && j - i < (size_t)c->tol; j++)
			;
		if (j < c->n && G(j) && j - i <= (size_t)c->tol) {
			i = j;
			continue;
		}
		break;
	}
	*e = end;
	return true;
}

enum call_class { CALL_VALID, CALL_MISSED, CALL_LATE, CALL_SPOTTY, CALL_DROPPED, CALL_HELD };

static enum call_class classify(const zp_eval_calls *c, size_t s, size_t e)
{
	const size_t T = (size_t)c->tol;
	size_t f1 = s, d;

	while (f1 <= e && !C(f1))
		f1++;
	if (f1 > e)
		return CALL_MISSED;
	if (f1 - s > T)
		return CALL_LATE;
	/*
	 * Off while someone is there, and on again by e. An off stretch that
	 * began in a merged empty gap (the call dropped after the zone emptied)
	 * may run on into the next arrival by up to T frames: the call's
	 * pick-up, as at an episode's start.
	 */
	for (size_t x = f1 + 1; x <= e; x++) {
		size_t b = x, r;

		if (C(x))
			continue;
		while (b < e && !C(b + 1))
			b++;
		if (b == e)
			break; /* off to the end: a drop, judged below */
		for (r = x; r <= b && !G(r); r++)
			;
		if (r <= b && (G(x) || b + 1 - r > T))
			return CALL_SPOTTY;
		x = b;
	}
	if (!C(e)) {
		d = e;
		while (d > f1 && !C(d - 1))
			d--;
		return e + 1 - d > T ? CALL_DROPPED : CALL_VALID;
	}
	for (d = e + 1; d < c->n && C(d); d++)
		;
	return d - (e + 1) > T ? CALL_HELD : CALL_VALID;
}

void zp_eval_calls_pool(const zp_eval_calls *const *cs, int n, zp_eval_calls_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < n; k++) {
		const zp_eval_calls *c = cs[k];
		const size_t T = (size_t)c->tol;
		size_t s, e, from = 0, prev_end = 0, a;
		bool any = false;

		out->frames += c->n;
		out->tolerance = c->tol;
		/* episodes, and the empty stretches between them */
		while (next_episode(c, from, &s, &e)) {
			switch (classify(c, s, e)) {
			case CALL_VALID: out->valid++; break;
			case CALL_MISSED: out->missed++; break;
			case CALL_LATE: out->late++; break;
			case CALL_SPOTTY: out->spotty++; break;
			case CALL_DROPPED: out->dropped++; break;
			case CALL_HELD: out->held++; break;
			}
			out->episodes++;
			if (s > (any ? prev_end + 1 : 0))
				out->empty_stretches++;
			any = true;
			prev_end = e;
			from = e + 1;
		}
		if (any ? prev_end + 1 < c->n : c->n > 0)
			out->empty_stretches++;
		/* false calls: runs of on frames with no frame within T of an episode */
		from = 0;
		any = next_episode(c, 0, &s, &e);
		for (a = 0; a < c->n;) {
			size_t b;
			bool near = false;

			if (!C(a)) {
				a++;
				continue;
			}
			for (b = a; b + 1 < c->n && C(b + 1); b++)
				;
			/* episodes that end more than T before a cannot be near this run or any later one */
			while (any && e + T < a) {
				from = e + 1;
				any = next_episode(c, from, &s, &e);
			}
			if (any && s <= b + T)
				near = true;
			if (!near) {
				out->false_calls++;
				out->false_call_frames += b - a + 1;
			}
			a = b + 1;
		}
	}
	out->valid_share = zp_eval_ratio(out->valid, out->episodes);
}

void zp_eval_calls_get(const zp_eval_calls *c, zp_eval_calls_stats *out)
{
	zp_eval_calls_pool(&c, 1, out);
}

#undef G
#undef C
