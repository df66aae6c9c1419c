/* SPDX-License-Identifier: MIT */
/*
 * stature.c - how tall a person is in this camera's picture, by where his
 * feet are, learnt from the people who walk through it.
 *
 * Seen from a camera on a pole over flat ground, a person's height in the
 * picture grows with the row of his feet, about linearly (the nearer, the
 * lower the feet and the taller the person). So with no [ground]
 * calibration at all, the scene itself says what a whole person looks like
 * at each row: the boxes of confirmed tracks that walked, stand alone and
 * upright (height 1.5 to 5 times the width) and are not cut by the frame
 * are fitted by least squares, height = a + b x foot row. Once the fit
 * stands, samples far from it (below 0.4 or above 2.5 times it: a fragment
 * that happens to be upright, two people one above the other) are left out,
 * so it is not dragged by what it is meant to judge; the band is wide so
 * that a poor first fit cannot shut out the people who would correct it.
 * Older samples fade (ZP_STATURE_WINDOW), so a camera moved to a new view
 * learns it.
 *
 * What it is for: a track whose box is under half the height a person has
 * at its feet is a fragment - legs whose body the model has learnt, the
 * lower half of someone standing behind a bench, a piece of a ghost - and
 * is not counted into zones (zones.c); it still occupies them. The tracker
 * asks it too, which track a blob one person wide goes to (fragments make
 * no group there; looking down, zp_stature_looks_down(), a blob one person
 * wide and tall holds one person: tracker.c). A child of 5 or 6 is about two thirds of
 * the average adult's height: well above the half. A box narrower than a
 * tenth of that height is a sliver (the edge of someone the model has
 * half learnt), not counted either; a child seen from the side is wider.
 * Tracks start being judged once ZP_STATURE_MIN_SAMPLES samples stand
 * behind the fit (1.6 s of one person walking at 25 frames/s).
 */
#include "detector_internal.h"

#include <math.h>

void zp_stature_learn(zp_stature *s, const zp_track *t, int width, int height)
{
	double y = t->box.y + t->box.h, h = t->box.h, e;

	s->height = height;
	if (!t->confirmed || !t->walked || t->grouped || t->ghostly || t->since_meas > 0)
		return;
	if (t->box.x < ZP_STATURE_EDGE || t->box.y < ZP_STATURE_EDGE || t->box.x + t->box.w > width - ZP_STATURE_EDGE ||
	    y > height - ZP_STATURE_EDGE)
		return; /* cut by the frame: not the whole person */
	if (!zp_upright(t->box.h, t->box.w))
		return; /* not one upright person */
	if (zp_stature_expect(s, y, &e) && (5 * h < 2 * e || 2 * h > 5 * e))
		return;
	if (s->n >= ZP_STATURE_WINDOW) {
		double k = 1.0 - 1.0 / ZP_STATURE_WINDOW;

		s->n *= k;
		s->sy *= k;
		s->sh *= k;
		s->syy *= k;
		s->syh *= k;
		s->shh *= k;
	}
	if (s->n == 0 || y < s->ymin)
		s->ymin = y;
	if (s->n == 0 || y > s->ymax)
		s->ymax = y;
	s->n += 1;
	s->sy += y;
	s->sh += h;
	s->syy += y * y;
	s->syh += y * h;
	s->shh += h * h;
}

/* The fit's slope (rows of height per row of feet), as fitted; false while the feet have been on about one row. */
static bool slope(const zp_stature *s, double *b)
{
	double my = s->sy / s->n, mh = s->sh / s->n, vy = s->syy / s->n - my * my;

	if (!(vy > (0.02 * s->height) * (0.02 * s->height)))
		return false;
	*b = (s->syh / s->n - my * mh) / vy;
	return true;
}

bool zp_stature_expect(const zp_stature *s, double foot_y, double *h)
{
	double b, reach;

	if (s->n < ZP_STATURE_MIN_SAMPLES)
		return false;
	reach = 0.1 * s->height; /* the fit is not carried far beyond the rows it was learnt on */
	if (foot_y < s->ymin - reach || foot_y > s->ymax + reach)
		return false;
	/* feet all on about one row: the slope is not known, the height there is */
	if (!slope(s, &b) || b < 0)
		b = 0; /* further away is never taller */
	*h = s->sh / s->n + b * (foot_y - s->sy / s->n);
	return *h >= 1.0;
}

/*
 * Under ZP_STATURE_DOWN_SLOPE_PCT % by two standard errors of the slope
 * (residual variance over n times the feet's variance). The samples of one
 * walker are much alike, so n counts frames, not people: hence
 * ZP_STATURE_DOWN_SAMPLES, more than the fit needs. A slope under 0 is no
 * fit of people.
 */
bool zp_stature_looks_down(const zp_stature *s)
{
	double b, my, mh, vy, res;

	if (s->n < ZP_STATURE_DOWN_SAMPLES || !slope(s, &b) || b < 0)
		return false;
	my = s->sy / s->n;
	mh = s->sh / s->n;
	vy = s->syy / s->n - my * my;
	res = s->shh / s->n - mh * mh - b * b * vy;
	return 100.0 * (b + 2 * sqrt((res > 0 ? res : 0) / (s->n * vy))) < ZP_STATURE_DOWN_SLOPE_PCT;
}

bool zp_stature_fragment(const zp_stature *s, const zp_track *t)
{
	double e;

	if (t->box.y < ZP_STATURE_EDGE || t->box.y + t->box.h > s->height - ZP_STATURE_EDGE)
		return false; /* cut by the top or bottom of the frame: its height says nothing */
	if (!zp_stature_expect(s, t->box.y + t->box.h, &e))
		return false;
	return 100.0 * t->box.h < ZP_STATURE_FRAGMENT_PCT * e || 100.0 * t->box.w < ZP_STATURE_SLIVER_PCT * e;
}
