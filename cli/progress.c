/* SPDX-License-Identifier: MIT */
/* progress.c - the tools' progress reporter (cli.h). */
#include "cli.h"

#include <math.h>
#include <string.h>

#define BAR_WIDTH 30
#define BAR_REDRAW_MS 200
#define LINE_EVERY_MS 30000

void zp_fmt_duration(char *buf, size_t n, double s, bool up)
{
	long v;

	if (!(s >= 0))
		s = 0;
	if (s > 359999)
		s = 359999;
	v = (long)(up ? ceil(s) : floor(s));
	if (v >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
	else
		snprintf(buf, n, "%ld:%02ld", v / 60, v % 60);
}

void zp_progress_begin(zp_progress *p, FILE *out, bool tty, const char *prog, const char *unit, long total,
		       int64_t now_ms)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->tty = tty;
	p->prog = prog;
	p->unit = unit;
	p->total = total;
	p->start_ms = now_ms;
	p->last_ms = -1;
}

/* Seconds left, or < 0 when it cannot be said. */
static double left_s(const zp_progress *p, long done, int64_t now_ms)
{
	if (p->total <= 0)
		return -1;
	if (done >= p->total)
		return 0;
	if (done > 0)
		return (double)(now_ms - p->start_ms) / 1000.0 / (double)done * (double)(p->total - done);
	if (p->est_ms_per_item > 0)
		return p->est_ms_per_item * (double)p->total / 1000.0;
	return -1;
}

size_t zp_progress_text(const zp_progress *p, long done, int64_t now_ms, char *buf, size_t n)
{
	char el[32], tl[32] = "";
	double left = left_s(p, done, now_ms);
	int k;

	if (n == 0)
		return 0;
	zp_fmt_duration(el, sizeof(el), (double)(now_ms - p->start_ms) / 1000.0, false);
	if (left >= 0)
		zp_fmt_duration(tl, sizeof(tl), left, true);
	if (p->total <= 0) {
		k = p->tty ? snprintf(buf, n, "%s: %ld %s  %s elapsed", p->prog, done, p->unit, el) :
			     snprintf(buf, n, "%s: %ld %s done, %s elapsed", p->prog, done, p->unit, el);
	} else if (p->tty) {
		char bar[BAR_WIDTH + 1];
		long d = done < 0 ? 0 : done > p->total ? p->total : done;
		int fill = (int)((double)BAR_WIDTH * (double)d / (double)p->total);

		for (int i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[BAR_WIDTH] = '\0';
		k = snprintf(buf, n, "%s [%s] %ld/%ld %s  %s elapsed%s%s%s", p->prog, bar, done, p->total, p->unit, el,
			     left >= 0 ? "  " : "", tl, left >= 0 ? " left" : "");
	} else {
		k = snprintf(buf, n, "%s: %ld/%ld %s done, %s elapsed%s%s", p->prog, done, p->total, p->unit, el,
			     left >= 0 ? ", about " : "", left >= 0 ? tl : "");
		if (left >= 0 && k > 0 && (size_t)k < n)
			k += snprintf(buf + k, n - (size_t)k, " left");
	}
	if (k < 0)
		k = 0;
	return (size_t)k < n ? (size_t)k : n - 1;
}

void zp_progress_update(zp_progress *p, long done, int64_t now_ms)
{
	char line[256];
	size_t len;
	bool end = p->total > 0 && done >= p->total;

	if (p->tty) {
		if (p->last_ms >= 0 && now_ms - p->last_ms < BAR_REDRAW_MS && !end)
			return;
		len = zp_progress_text(p, done, now_ms, line, sizeof(line));
		/* padded over a longer bar drawn before (no escape codes: a log keeps plain text) */
		fprintf(p->out, "\r%s%*s", line, p->drawn > len ? (int)(p->drawn - len) : 0, "");
		if (len > p->drawn)
			p->drawn = len;
	} else {
		/* a line at each tenth done (10 %, 20 % ... 100 %), and one every 30 s between them */
		int tenth = p->total > 0 ? (int)(10 * (done < 0 ? 0 : done > p->total ? p->total : done) / p->total) : 0;
		int64_t since = now_ms - (p->last_ms >= 0 ? p->last_ms : p->start_ms);

		if (now_ms - p->start_ms < p->quiet_ms || !(tenth > p->last_tenth || since >= LINE_EVERY_MS))
			return;
		zp_progress_text(p, done, now_ms, line, sizeof(line));
		fprintf(p->out, "%s\n", line);
		p->last_tenth = tenth;
	}
	p->last_ms = now_ms;
	fflush(p->out);
}

void zp_progress_end(zp_progress *p)
{
	if (p->tty && p->drawn) {
		/* spaces over the bar, back to the start of the line: the next message starts clean */
		fprintf(p->out, "\r%*s\r", (int)p->drawn, "");
		fflush(p->out);
	}
	p->drawn = 0;
}
