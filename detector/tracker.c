/* SPDX-License-Identifier: MIT */
/*
 * tracker.c - blobs -> tracks.
 *
 * Each track predicts its ground point (bottom centre of the box) with a
 * constant velocity. Blobs are then matched greedily: confirmed tracks
 * first, then by distance between the prediction and the blob's ground
 * point, within track_max_dist (widened while a track coasts). Ties go to
 * the lower track, then blob index, so the result is deterministic.
 *
 * Groups: when the predictions of two or more confirmed tracks fall inside
 * one blob (people passing each other merge into one blob), none of them
 * takes the blob; they coast on their predictions, kept inside the blob's
 * box, and keep their ids when the blob splits again.
 *
 * A blob nobody took starts a tentative track, unless it mostly lies inside
 * the box of a live track (a person's blob broken in two). A tentative track
 * is confirmed after track_min_hits frames with a blob and dies at its first
 * miss; a confirmed one survives track_max_missed frames without a blob.
 *
 * Groups are limited: only tracks seen last frame join one, and a track
 * that has coasted in groups for 3 x track_max_missed frames must find a
 * blob of its own (stale tracks would otherwise ride along for ever).
 *
 * In pieces: a confirmed track that has stood still and has no blob is not
 * missed while pieces too small to be blobs fill half its box (its person's
 * mask broke up; seen_in_pieces).
 *
 * Lost and found: a confirmed track lost inside the frame is remembered
 * for ZP_LOST_MS; a track confirmed soon after near where it was lost takes
 * its id and its counts (lost_stitch), so a person hidden for a moment is
 * not counted twice.
 *
 * Still and moved: a track whose box has left the box it was born with is a
 * person who walked in; a blob that appears and only ever shrinks in place
 * is a ghost or a left object. Only the former is held out of the
 * background model (see zp_track_held), for at most still_hold_ms of
 * standing still.
 *
 * What was there when the warm-up ended (tracks born in the tracker's first
 * frame) has no history to tell by; its outline decides in its first
 * ZP_GHOST_MS. Ghostly from its first frames, never in the frame: a ghost
 * at once, without waiting for the streak. In the frame for
 * ZP_GHOST_FRAMES frames: it came in unseen during the warm-up (came_in)
 * and is held like one who walked in.
 */
#include "detector_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grouped tracks coast at most this many times track_max_missed (+1) frames without a blob of their own. */
#define ZP_GROUP_MAX_MISSED 3
/*
 * ... and at most this many frames in a blob that can hold only one person
 * (one_alone()); after that the blob goes, like any other, to the nearest
 * track. Over the warm-up sweeps of docs/eval.md (vtest), 1 to 3 frames
 * gave the same counts; 0 and 4 one person too few in one of nine runs, 6
 * two too many.
 */
#define ZP_GROUP_ONE_FRAMES 2

void zp_tracker_init(zp_tracker *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->next_id = 1;
}

/* Ground-point jitter of a standing person: within this radius a track counts as still. */
static double still_radius(const zp_track *t)
{
	double r = t->box.h / 8.0;

	return r > 4.0 ? r : 4.0;
}

/* Walked in, or came in unseen during the warm-up: what the hold is for. */
static bool holdable(const zp_track *t)
{
	return t->moved || t->came_in;
}

/* There when the warm-up ended and not walked since, in its first ZP_GHOST_MS: its outline decides what it is. */
static bool warm_judged(const zp_track *t, int64_t t_ms)
{
	return t->warm && !t->moved && t_ms - t->born_ms <= ZP_GHOST_MS;
}

bool zp_track_held(const zp_track *t, const zp_detector_params *p, int64_t t_ms)
{
	return t->confirmed && holdable(t) && !t->hold_spent && t_ms - t->still_since < p->still_hold_ms;
}

/* Total order on pairs: distance, then track, then blob (no two pairs are equal). */
static bool pair_less(const zp_pair *x, const zp_pair *y)
{
	if (x->dist != y->dist)
		return x->dist < y->dist;
	if (x->track != y->track)
		return x->track < y->track;
	return x->blob < y->blob;
}

static void sift_down(zp_pair *a, int i, int n)
{
	for (;;) {
		int c = 2 * i + 1;
		zp_pair t;

		if (c >= n)
			return;
		if (c + 1 < n && pair_less(&a[c], &a[c + 1]))
			c++;
		if (!pair_less(&a[i], &a[c]))
			return;
		t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

/* Heap sort: in place and O(n log n); glibc's qsort() may call malloc(), which a frame must not. */
static void sort_pairs(zp_pair *a, int n)
{
	for (int i = n / 2 - 1; i >= 0; i--)
		sift_down(a, i, n);
	for (int end = n - 1; end > 0; end--) {
		zp_pair t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

static bool box_contains(const zp_rect *r, double x, double y, double margin)
{
	return x >= r->x - margin && x <= r->x + r->w + margin && y >= r->y - margin && y <= r->y + r->h + margin;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Move the track's box so that its bottom centre (see zp_blob) sits on (gx, gy). */
static void place_box(zp_track *t)
{
	t->box.x = (int)lround(t->gx - (t->box.w - 1) / 2.0);
	t->box.y = (int)lround(t->gy - (t->box.h - 1));
}

/*
 * Tracks that may share a blob: confirmed, seen (alone or in a group) last
 * frame, and not coasting in groups for longer than ZP_GROUP_MAX_MISSED x
 * track_max_missed frames - a track that was never seen again on its own
 * is more likely stale than a person hiding in someone else's blob.
 */
static bool group_eligible(const zp_track *t, const zp_detector_params *p)
{
	return t->confirmed && t->missed == 0 && t->since_meas < ZP_GROUP_MAX_MISSED * (p->track_max_missed + 1);
}

/* The blob is no wider than one person at its feet (ZP_STATURE_ONE_WIDTH_PCT % of his height there). */
static bool one_person(const zp_stature *st, const zp_blob *b)
{
	double e;

	return zp_stature_expect(st, b->box.y + b->box.h, &e) && 100.0 * b->box.w <= ZP_STATURE_ONE_WIDTH_PCT * e;
}

/*
 * The blob can show only one person: no wider than one at its feet
 * (one_person()), no taller than ZP_STATURE_ONE_HEIGHT_PCT % of one, and the
 * camera looks down (zp_stature_looks_down()), so that a second person
 * further back would show his head above it. Two tracks predicted in it are
 * one person and a second track that took part of him (a blob split off his
 * side, a piece), not two people.
 */
static bool one_alone(const zp_stature *st, const zp_blob *b)
{
	double e;

	return one_person(st, b) && zp_stature_looks_down(st) && zp_stature_expect(st, b->box.y + b->box.h, &e) &&
	       100.0 * b->box.h <= ZP_STATURE_ONE_HEIGHT_PCT * e;
}

/* Blob index whose box (with margin) holds the track's prediction, nearest ground point first; -1 if none. */
static int containing_blob(const zp_track *t, const zp_blob *blobs, int nblobs, double margin)
{
	int best = -1;
	double bd = 0;

	for (int b = 0; b < nblobs; b++) {
		double dx, dy, d;

		if (!box_contains(&blobs[b].box, t->gx, t->gy, margin))
			continue;
		dx = blobs[b].gx - t->gx;
		dy = blobs[b].gy - t->gy;
		d = dx * dx + dy * dy;
		if (best < 0 || d < bd) {
			best = b;
			bd = d;
		}
	}
	return best;
}

/*
 * Ghost evidence from the blob's outline (ghost.c): a frame whose outline
 * has clearly more edge in the background than in the frame is ghostly; one
 * with the frame's edges at least as strong as ZP_GHOST_RATIO of the sum is
 * not and ends the streak. Outlines too faint to tell (a flat object on
 * flat ground; energy per boundary pixel below the model's threshold) or too
 * short leave the evidence as it was.
 */
static void ghost_evidence(zp_track *t, const zp_blob *b, const zp_detector_params *p, int64_t t_ms)
{
	int64_t e = (int64_t)b->edge_frame + b->edge_bg;

	if (b->edge_n < ZP_GHOST_MIN_PX || e < (int64_t)b->edge_n * p->threshold)
		return;
	if (100 * (int64_t)b->edge_frame < ZP_GHOST_RATIO_PCT * e) {
		if (!t->ghostly) {
			t->ghostly = true;
			t->ghost_since = t_ms;
			t->ghost_frames = 0;
		}
		t->ghost_frames++;
	} else {
		t->ghostly = false;
		t->present_frames++;
	}
}

/*
 * Legs lost (see ZP_LEGS_PCT): the track, measured last frame on its own as
 * one upright person of smoothed height hs, takes a blob under ZP_LEGS_PCT %
 * of hs whose top is where its top was (within a twentieth of hs, 2 rows at
 * least) and whose bottom is not the frame's: the legs went into the
 * background (dark trousers on dark asphalt), the person did not shrink. Its
 * feet are put hs below its top for the zones (leg_dy; the box, the tracking
 * and the mask stay the blob's), and hs only drifts a tenth of the way to
 * the short box a frame, so a blob that really is that short (a person who
 * crouched, a piece that broke off) is taken at its word within a few
 * frames. A box that is not upright (a group, a fragment) forgets hs. With a
 * tenth of hs for the top, a walker whose head went as well had his feet put
 * far below where they were.
 */
static void keep_legs(zp_track *t, const zp_blob *b, int ptop, int height)
{
	const zp_rect *r = &b->box;

	t->leg_dy = 0;
	if (t->confirmed && t->since_meas == 0 && !t->grouped && t->hs > 0 && 100.0 * r->h < ZP_LEGS_PCT * t->hs &&
	    abs(r->y - ptop) <= fmax(2.0, t->hs / 20.0) && r->y + r->h < height && zp_upright(t->hs, r->w)) {
		int h = (int)lround(t->hs);

		if (r->y + h > height)
			h = height - r->y;
		t->leg_dy = h - r->h;
		t->hs = 0.9 * t->hs + 0.1 * r->h;
	} else if (!zp_upright(r->h, r->w)) {
		t->hs = 0;
	} else {
		t->hs = t->hs > 0 ? 0.7 * t->hs + 0.3 * r->h : r->h;
	}
}

/* Track t takes blob b: is it a vehicle, or a person (ZP_VEHICLE_PERSON_HITS, vehicle.c)? */
static void person_step(zp_track *t, const zp_blob *b)
{
	t->person_run = b->fast || (b->wide && t->was_vehicle) ? 0 : t->person_run + 1;
	if (t->person_run >= ZP_VEHICLE_PERSON_HITS) {
		t->person = true;
		t->was_vehicle = false;
	}
	t->vehicle = b->vehicle && !t->person;
	t->was_vehicle = t->was_vehicle || t->vehicle;
}

/* Returns true when this match confirms the track. */
static bool match(zp_track *t, const zp_blob *b, const zp_detector_params *p, int height, int64_t t_ms)
{
	bool was = t->confirmed;
	int ptop = (int)lround(t->ly) - (t->box.h - 1); /* its last measured box's top (box: the prediction) */
	int min_hits = p->track_min_hits;

	int frames = t->since_meas + 1;
	double vx = (b->gx - t->lx) / frames, vy = (b->gy - t->ly) / frames;

	if (t->hits == 1) {
		t->vx = vx;
		t->vy = vy;
	} else {
		t->vx = 0.5 * t->vx + 0.5 * vx;
		t->vy = 0.5 * t->vy + 0.5 * vy;
	}
	t->box = b->box;
	t->area = b->area;
	person_step(t, b);
	keep_legs(t, b, ptop, height);
	t->gx = t->lx = b->gx;
	t->gy = t->ly = b->gy;
	t->since_meas = 0;
	t->hits++;
	t->missed = 0;
	/* Walked in: the box has left the one it was born with. A ghost only shrinks inside its birth box. */
	if (!t->moved && 2 * zp_rect_overlap(&t->box, &t->birth) < (int64_t)t->box.w * t->box.h)
		t->moved = true;
	/* Walked: its box left the one it was born with, or its ground point left the birth box's by a quarter
	   of the birth height (towards or away from the camera the box can stay where it began) */
	if (!t->walked) {
		double dx = t->lx - (t->birth.x + (t->birth.w - 1) / 2.0), dy = t->ly - (t->birth.y + t->birth.h - 1.0);

		t->walked = t->moved || 16 * (dx * dx + dy * dy) >= (double)t->birth.h * t->birth.h;
	}
	if (t->hits >= min_hits)
		t->confirmed = true;
	t->seen_ms = t_ms;
	ghost_evidence(t, b, p, t_ms);
	/* There when the warm-up ended, with its outline in the frame: it came in during the warm-up, unseen. */
	if (warm_judged(t, t_ms) && !t->ghostly && t->present_frames >= ZP_GHOST_FRAMES)
		t->came_in = true;
	return t->confirmed && !was;
}

/*
 * Seen in pieces: the confirmed track has no blob, but the pieces
 * (zp_piece: too small to be blobs) whose middles are in its box hold at
 * least half of its last blob's area. The person is there and still in the
 * mask, broken up: a waiting man in a dark coat against a dark shop front
 * comes out as a head and a chest, each under min_area, and without this he
 * would be dropped within track_max_missed frames while he stands there.
 * Only for a track that has stood still for ZP_PIECES_STILL_MS, whose
 * outline was clearly in the frame on ZP_GHOST_FRAMES frames (ghost.c) and
 * was not a ghost's when last measured - a ghost too faint to judge,
 * fading in pieces, is not kept by them - and not for a walker, whose blob
 * breaking up makes him coast as before (his predicted box soon leaves the
 * anchor, which ends this too); in a crowd pieces belong to anyone. It
 * ends as any foreground does: unheld pieces fade within ghost_fade_ms, a
 * held person after still_hold_ms; below half the area the track is missed
 * again.
 */
static bool seen_in_pieces(const zp_track *t, const zp_piece *pieces, int npieces)
{
	int64_t a = 0;

	for (int i = 0; i < npieces; i++) {
		const zp_rect *r = &pieces[i].box;

		if (box_contains(&t->box, r->x + (r->w - 1) / 2.0, r->y + (r->h - 1) / 2.0, 0))
			a += pieces[i].area;
	}
	return 2 * a >= t->area && a > 0;
}

/* Squared distance from (x, y) to the segment (ax, ay)-(bx, by). */
static double seg_dist2(double x, double y, double ax, double ay, double bx, double by)
{
	double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, u = 0;

	if (l2 > 0)
		u = clampd(((x - ax) * dx + (y - ay) * dy) / l2, 0.0, 1.0);
	dx = ax + u * dx - x;
	dy = ay + u * dy - y;
	return dx * dx + dy * dy;
}

static void lost_forget_old(zp_tracker *tr, int64_t t_ms)
{
	int keep = 0;

	for (int i = 0; i < tr->nlost; i++)
		if (t_ms - tr->lost[i].lost_ms <= ZP_LOST_MS)
			tr->lost[keep++] = tr->lost[i];
	tr->nlost = keep;
}

/* Keep a confirmed track lost inside the frame; when full, the oldest goes. */
static void lost_add(zp_tracker *tr, const zp_track *t, int64_t t_ms)
{
	if (tr->nlost == ZP_MAX_LOST) {
		memmove(&tr->lost[0], &tr->lost[1], (ZP_MAX_LOST - 1) * sizeof(tr->lost[0]));
		tr->nlost--;
	}
	tr->lost[tr->nlost] = *t;
	tr->lost[tr->nlost++].lost_ms = t_ms;
}

/*
 * A track just confirmed: is it a lost one found again (see ZP_LOST_MS)?
 * The lost track must have had its last blob before this one's first (two
 * tracks seen at once are two things), be near (the segment from its last
 * measured ground point to where it coasted to, widened by ZP_LOST_GATE x
 * track_max_dist) and about as tall. The nearest one wins; ties go to the
 * one lost first.
 */
static void lost_stitch(zp_tracker *tr, zp_track *t, const zp_detector_params *p)
{
	double bx = t->birth.x + (t->birth.w - 1) / 2.0, by = t->birth.y + t->birth.h - 1.0;
	double gate = ZP_LOST_GATE * p->track_max_dist, best_d = gate * gate;
	int best = -1;

	for (int i = 0; i < tr->nlost; i++) {
		const zp_track *l = &tr->lost[i];
		double d;

		if (l->seen_ms >= t->born_ms || 2 * l->box.h < t->birth.h || l->box.h > 2 * t->birth.h)
			continue;
		d = seg_dist2(bx, by, l->lx, l->ly, l->gx, l->gy);
		if (d <= best_d) {
			if (best >= 0 && d == best_d)
				continue;
			best = i;
			best_d = d;
		}
	}
	if (best < 0)
		return;
	t->id = tr->lost[best].id;
	t->counted = tr->lost[best].counted;
	t->cross = tr->lost[best].cross;
	t->moved = t->moved || tr->lost[best].moved;
	t->came_in = t->came_in || tr->lost[best].came_in;
	t->walked = t->walked || tr->lost[best].walked;
	t->person = t->person || tr->lost[best].person;
	t->was_vehicle = (t->was_vehicle || tr->lost[best].was_vehicle) && !t->person;
	t->stitched = true;
	tr->nlost--;
	memmove(&tr->lost[best], &tr->lost[best + 1], (size_t)(tr->nlost - best) * sizeof(tr->lost[0]));
}

static void spawn(zp_tracker *tr, const zp_detector_params *p, const zp_blob *b, int64_t t_ms)
{
	zp_track *t = &tr->t[tr->n++];

	memset(t, 0, sizeof(*t));
	t->id = tr->next_id;
	tr->next_id = tr->next_id == INT_MAX ? 1 : tr->next_id + 1;
	t->box = t->birth = b->box;
	t->area = b->area;
	t->gx = t->lx = t->ax = b->gx;
	t->gy = t->ly = t->ay = b->gy;
	t->hits = 1;
	person_step(t, b);
	t->hs = zp_upright(b->box.h, b->box.w) ? b->box.h : 0;
	t->confirmed = p->track_min_hits <= 1;
	t->still_since = t->born_ms = t->seen_ms = t_ms;
	t->warm = !tr->started;
}

void zp_tracker_update(zp_tracker *tr, const zp_detector_params *p, const zp_blob *blobs, int nblobs,
		       const zp_piece *pieces, int npieces, int width, int height, int64_t t_ms)
{
	double margin = p->track_max_dist / 4.0;
	int npairs = 0, group_count[ZP_MAX_BLOBS];
	int n = tr->n, keep = 0;

	tr->ndead = 0;
	tr->nghosts = 0;
	lost_forget_old(tr, t_ms);
	for (int b = 0; b < nblobs; b++) {
		tr->blob_owner[b] = -1;
		group_count[b] = 0;
	}

	/* Predict. */
	for (int k = 0; k < n; k++) {
		zp_track *t = &tr->t[k];

		t->gx += t->vx;
		t->gy += t->vy;
		place_box(t);
		t->grouped = false;
		tr->track_blob[k] = -1;
	}

	/* Groups: one blob holding the predictions of several confirmed tracks. */
	for (int k = 0; k < n; k++) {
		int b;

		if (!group_eligible(&tr->t[k], p))
			continue;
		b = containing_blob(&tr->t[k], blobs, nblobs, margin);
		if (b >= 0 && zp_stature_fragment(&tr->stature, &tr->t[k]) && one_person(&tr->stature, &blobs[b]))
			continue; /* fragments make no group in one person's blob: it is the person they are pieces of */
		if (b >= 0 && tr->t[k].since_meas >= ZP_GROUP_ONE_FRAMES && one_alone(&tr->stature, &blobs[b]))
			continue; /* nor, after ZP_GROUP_ONE_FRAMES, a blob that can hold only one person */
		tr->track_blob[k] = b;
		if (b >= 0)
			group_count[b]++;
	}
	for (int k = 0; k < n; k++) {
		int b = tr->track_blob[k];

		tr->track_blob[k] = -1;
		if (b >= 0 && group_count[b] >= 2) {
			tr->t[k].grouped = true;
			tr->blob_owner[b] = -2;
		}
	}

	/* Candidate pairs: confirmed tracks sort before tentative ones (dist offset), then by distance. */
	for (int k = 0; k < n; k++) {
		const zp_track *t = &tr->t[k];
		int widen = t->missed + 1 < 3 ? t->missed + 1 : 3;
		double gate = p->track_max_dist * widen;

		if (t->grouped)
			continue;
		for (int b = 0; b < nblobs; b++) {
			double dx = blobs[b].gx - t->gx, dy = blobs[b].gy - t->gy, d;

			if (tr->blob_owner[b] != -1)
				continue;
			d = sqrt(dx * dx + dy * dy);
			if (d > gate)
				continue;
			tr->pairs[npairs].dist = (float)(d + (t->confirmed ? 0.0 : 1e6));
			tr->pairs[npairs].track = (int16_t)k;
			tr->pairs[npairs].blob = (int16_t)b;
			npairs++;
		}
	}
	sort_pairs(tr->pairs, npairs);
	for (int i = 0; i < npairs; i++) {
		int k = tr->pairs[i].track, b = tr->pairs[i].blob;

		if (tr->track_blob[k] >= 0 || tr->blob_owner[b] != -1)
			continue;
		tr->track_blob[k] = b;
		tr->blob_owner[b] = k;
	}

	/*
	 * A blob nobody took, next to a group: one of the group coming out of it
	 * (or cut from it by the blob split, a person further back). The nearest
	 * grouped track within track_max_dist takes it and leaves the group,
	 * instead of a new track being born beside the old one.
	 */
	for (int b = 0; b < nblobs; b++) {
		int best = -1;
		double bd = 0;

		if (tr->blob_owner[b] != -1)
			continue;
		for (int k = 0; k < n; k++) {
			const zp_track *t = &tr->t[k];
			double dx = blobs[b].gx - t->gx, dy = blobs[b].gy - t->gy, d = sqrt(dx * dx + dy * dy);

			if (!t->grouped || tr->track_blob[k] >= 0 || d > p->track_max_dist)
				continue;
			if (best < 0 || d < bd) {
				best = k;
				bd = d;
			}
		}
		if (best >= 0) {
			tr->t[best].grouped = false;
			tr->track_blob[best] = b;
			tr->blob_owner[b] = best;
		}
	}

	/* Update, coast or delete, keeping the order (tracks stay sorted by age). */
	for (int k = 0; k < n; k++) {
		zp_track *t = &tr->t[k];
		int b = tr->track_blob[k];
		bool dead = false;

		if (b >= 0) {
			if (match(t, &blobs[b], p, height, t_ms))
				lost_stitch(tr, t, p);
			/* a ghost for ZP_GHOST_MS (and ZP_GHOST_FRAMES frames): not a person; its pixels go to the background */
			if (t->ghostly && t->ghost_frames >= ZP_GHOST_FRAMES &&
			    ((warm_judged(t, t_ms) && !t->present_frames) || t_ms - t->ghost_since >= ZP_GHOST_MS)) {
				tr->ghost_blob[tr->nghosts++] = b;
				dead = true;
			}
		} else if (t->vehicle) {
			dead = true; /* a vehicle that lost its blob is gone: coasting on, it would take a person's */
		} else if (t->grouped) {
			int g = containing_blob(t, blobs, nblobs, margin);
			const zp_rect *r = &blobs[g].box;

			/* inside the blob, with room above for the person's own height */
			t->gx = clampd(t->gx, r->x, r->x + r->w - 1);
			t->gy = clampd(t->gy, r->y + 0.75 * (t->box.h < r->h ? t->box.h : r->h) - 1, r->y + r->h - 1);
			place_box(t);
			t->since_meas++;
		} else if (t->confirmed && !t->ghostly && t->present_frames >= ZP_GHOST_FRAMES &&
			   t_ms - t->still_since >= ZP_PIECES_STILL_MS && seen_in_pieces(t, pieces, npieces)) {
			t->since_meas++; /* there, in pieces: not missed; its zones stay where it was last measured */
		} else {
			t->missed++;
			t->since_meas++;
			dead = !t->confirmed || t->missed > p->track_max_missed || t->gx < 0 || t->gx > width - 1 ||
			       t->gy < 0 || t->gy > height - 1;
			/* lost, not gone: it may be found again (lost_stitch) */
			if (dead && t->confirmed && t->gx >= 0 && t->gx <= width - 1 && t->gy >= 0 && t->gy <= height - 1)
				lost_add(tr, t, t_ms);
		}
		if (dead) {
			tr->dead[tr->ndead++] = *t;
			continue;
		}
		t->age++;
		/*
		 * The hold is spent after still_hold_ms of standing still; what is
		 * left then fades like a ghost, shrinking inside the box it had. A
		 * shrinking blob moves its ground point, but that is no walking:
		 * the hold comes back only when the box has left the one it had
		 * (as for `moved`), so a parked object is gone within
		 * still_hold_ms + ghost_fade_ms.
		 */
		if (t->hold_spent && 2 * zp_rect_overlap(&t->box, &t->spent_box) < (int64_t)t->box.w * t->box.h)
			t->hold_spent = false;
		if (!t->hold_spent && hypot(t->gx - t->ax, t->gy - t->ay) > still_radius(t)) {
			t->ax = t->gx;
			t->ay = t->gy;
			t->still_since = t_ms;
		}
		if (!t->hold_spent && t->confirmed && holdable(t) && t_ms - t->still_since >= p->still_hold_ms) {
			t->hold_spent = true;
			t->spent_box = t->box;
		}
		if (keep != k)
			tr->t[keep] = *t;
		keep++;
	}
	tr->n = keep;
	for (int k = 0; k < keep; k++)
		zp_stature_learn(&tr->stature, &tr->t[k], width, height);

	/* New tentative tracks from the blobs nobody took. */
	for (int b = 0; b < nblobs && tr->n < ZP_MAX_TRACKS; b++) {
		const zp_blob *bl = &blobs[b];
		int64_t barea = (int64_t)bl->box.w * bl->box.h;
		bool inside = false;

		if (tr->blob_owner[b] != -1)
			continue;
		for (int k = 0; k < keep && !inside; k++)
			inside = 2 * zp_rect_overlap(&bl->box, &tr->t[k].box) >= barea;
		if (!inside)
			spawn(tr, p, bl, t_ms);
	}
	tr->started = true;
}
