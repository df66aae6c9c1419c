/* SPDX-License-Identifier: MIT */
/*
 * cmd_tune.c - `zebrapad tune --config FILE --source SOURCE --gt GT --grid
 * KEY=FROM:TO:STEP ... [options]`: sweep [detector] parameters against
 * ground truth and keep the best.
 *
 * The recording and its ground truth are decoded once (app_score.c); run 0
 * is the config as it is (the baseline, timed for the estimate), then every
 * combination of the grid is scored by worker processes (fork, --jobs, one
 * per core by default) through the same code as `zebrapad eval`. Results
 * come back over a pipe (one record per write, under PIPE_BUF, so writes
 * from several workers never interleave); the next run to do is a counter
 * in shared memory. Scores depend only on the input and the config, never
 * on which worker ran them or when.
 *
 * Writes DIR/best.ini (the input config with the tuned keys replaced or
 * added, and a header saying how it was found), DIR/runs.csv (every run)
 * and DIR/plot.png (recall against the false-positive rate of every run,
 * and the metric against each swept key).
 *
 * Safe tuning: a run that misses more presence episodes or has fewer
 * valid calls than the config as given is never recommended; person size
 * limits that would miss a child are refused unless --allow-no-children; a
 * best value at the edge of its grid is flagged; --holdout-from scores the
 * frames from there apart and ranks on those before; Ctrl-C (SIGINT, read
 * through a signalfd) stops the workers and leaves the runs so far in
 * runs.csv.
 *
 * Exit: 0 done, 1 runtime failure, 2 bad input (usage, grid, config,
 * source, ground truth, a sweep estimated at over --max-hours (1) without
 * --yes), 130 interrupted (runs.csv written).
 */
#include "app.h"
#include "cli.h"
#include "plot.h"
#include "score.h"

#include "cvwrap.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "zebrapad tune"
#define TUNE_MAX_KEYS 8
#define TUNE_MAX_VALUES 1000
#define TUNE_DEFAULT_MAX_RUNS 1000
#define TUNE_HARD_MAX_RUNS 10000
#define TUNE_MAX_JOBS 64
#define TUNE_WARN_S 3600.0
#define TUNE_VAL 24
#define TUNE_TOP 10
#define TUNE_EXIT_INTERRUPTED 130
/* The design pedestrian of crossing-detector specifications: a child of 5-6 years. */
#define TUNE_CHILD_HEIGHT_M 1.0
#define TUNE_CHILD_WIDTH_M 0.5

/* ---- metrics ---- */

struct metric {
	const char *name;
	zp_score_kind kind;
	bool lower_better;
	const char *label;
};

static const struct metric metrics[] = {
	{ "f", ZP_SCORE_CDNET, false, "pixel F" },
	{ "precision", ZP_SCORE_CDNET, false, "pixel precision" },
	{ "recall", ZP_SCORE_CDNET, false, "pixel recall" },
	{ "pwc", ZP_SCORE_CDNET, true, "pixel PWC %" },
	{ "presence_f", ZP_SCORE_MOT, false, "zone presence F" },
	{ "presence_recall", ZP_SCORE_MOT, false, "zone presence recall" },
	{ "presence_precision", ZP_SCORE_MOT, false, "zone presence precision" },
	{ "mota", ZP_SCORE_MOT, false, "MOTA" },
};
#define NMETRICS ((int)(sizeof(metrics) / sizeof(metrics[0])))

static double metric_value(const struct metric *m, const zp_score *s)
{
	if (!strcmp(m->name, "f"))
		return s->px.f;
	if (!strcmp(m->name, "precision"))
		return s->px.precision;
	if (!strcmp(m->name, "recall"))
		return s->px.recall;
	if (!strcmp(m->name, "pwc"))
		return s->px.pwc;
	if (!strcmp(m->name, "presence_f"))
		return s->zones.pres.f;
	if (!strcmp(m->name, "presence_recall"))
		return s->zones.pres.recall;
	if (!strcmp(m->name, "presence_precision"))
		return s->zones.pres.precision;
	return s->mot.mota;
}

/*
 * The plot's scatter: recall against the false-positive rate (pixels, or
 * frames of zone presence); against precision when the ground truth has no
 * negatives (no empty-zone frame: the rate is undefined).
 */
static void roc_point(zp_score_kind kind, bool by_precision, const zp_score *s, double *x, double *recall)
{
	if (kind == ZP_SCORE_CDNET) {
		*x = by_precision ? s->px.precision : s->px.fpr;
		*recall = s->px.recall;
	} else {
		*x = by_precision ? s->zones.pres.precision : s->false_presence;
		*recall = s->zones.pres.recall;
	}
}

/* ---- options and the grid ---- */

struct grid_key {
	char key[48];
	char spec[128];             /* as given after '=' */
	int n;
	char (*text)[TUNE_VAL];     /* values as set in the config */
	double *num;
};

struct tune_opts {
	const char *config;
	const char *source;
	const char *gt;
	const char *out;
	const char *metric;
	int jobs;
	long max_runs;
	long max_frames;
	long holdout_from;      /* 0: no hold-out */
	double max_hours;
	bool yes;
	bool allow_no_children;
	int nkeys;
	struct grid_key keys[TUNE_MAX_KEYS];
};

static void tune_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad tune --config FILE --source SOURCE [--gt GT] --grid KEY=FROM:TO:STEP ... [options]\n"
		"  -c, --config FILE      the site config to start from (its [detector] values are the baseline)\n"
		"  -s, --source SOURCE    a recording, as for zebrapad eval: video file, image folder, CDnet folder,\n"
		"                         MOTChallenge folder (img1/, or one video beside gt/gt.txt)\n"
		"  -g, --gt GT            its ground truth: a CDnet groundtruth/ folder (ROI.bmp, temporalROI.txt\n"
		"                         beside it) or a MOTChallenge gt.txt (default: found as eval finds it)\n"
		"      --grid KEY=FROM:TO:STEP   a [detector] key and the values to try (FROM, FROM+STEP, ... <= TO);\n"
		"                         or KEY=V1,V2,...; repeat for more keys (every combination is run)\n"
		"      --out-dir DIR      where best.ini, runs.csv and plot.png go (default tune-out); --out DIR\n"
		"                         is the same (-o names a file in every command, so tune has no -o)\n"
		"      --metric NAME      what to maximise: CDnet f (default), precision, recall, pwc (minimised);\n"
		"                         MOTChallenge presence_f (default), presence_recall, presence_precision, mota\n"
		"  -j, --jobs N           worker processes (default: one per core)\n"
		"      --max-runs N       refuse grids of more than N combinations (default %d, at most %d)\n"
		"      --max-frames N     use only the first N frames of SOURCE\n"
		"      --holdout-from F   rank on the frames before F; score frames F... apart (held out)\n"
		"      --allow-no-children  allow person_min_height_m above 1.0 or person_min_width_m above 0.5\n"
		"      --max-hours H      refuse sweeps estimated to take longer than H hours (default 1)\n"
		"      --yes              run the sweep however long it is estimated to take\n"
		"exit: 0 done, 1 runtime failure, 2 bad input (usage, grid, config, source, ground truth, a sweep\n"
		"      over --max-runs, or over --max-hours without --yes), 130 interrupted (Ctrl-C; runs.csv\n"
		"      holds the runs so far)\n",
		TUNE_DEFAULT_MAX_RUNS, TUNE_HARD_MAX_RUNS);
}

/* Parse one number of a grid spec; false when it is not a plain finite number. */
static bool grid_number(const char *s, size_t len, double *v)
{
	char buf[64], *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*v) && !strpbrk(buf, "xXnNiI ");
}

/* "%.10g" of a value computed as FROM + i * STEP, so 0.1 + 2 * 0.1 prints as 0.3. */
static void value_text(char *buf, size_t size, double v)
{
	if (fabs(v) < 1e-12)
		v = 0;
	snprintf(buf, size, "%.10g", v);
}

/*
 * KEY=FROM:TO:STEP or KEY=V1,V2,...: the values, each checked by the
 * detector's own setter. One line and ZP_EXIT_USAGE on error.
 */
static int parse_grid(const char *arg, struct grid_key *g)
{
	const char *eq = strchr(arg, '=');
	zp_detector_params scratch;
	char err[256];
	double v[3];
	int n = 0;

	memset(g, 0, sizeof(*g));
	if (!eq || eq == arg || !eq[1]) {
		fprintf(stderr, PROG ": --grid %s: expected KEY=FROM:TO:STEP (e.g. threshold=10:40:5) or KEY=V1,V2,...\n",
			arg);
		return ZP_EXIT_USAGE;
	}
	if ((size_t)(eq - arg) >= sizeof(g->key) || strlen(eq + 1) >= sizeof(g->spec)) {
		fprintf(stderr, PROG ": --grid %s: too long\n", arg);
		return ZP_EXIT_USAGE;
	}
	memcpy(g->key, arg, (size_t)(eq - arg));
	zp_strlcpy(g->spec, eq + 1, sizeof(g->spec));
	zp_detector_params_default(&scratch);
	if (zp_detector_params_set(&scratch, g->key, "1", err, sizeof(err)) == ZP_ENODEV) {
		fprintf(stderr, PROG ": --grid %s: unknown [detector] key '%s' (docs/config.md lists them)\n", arg,
			g->key);
		return ZP_EXIT_USAGE;
	}
	g->text = calloc(TUNE_MAX_VALUES, sizeof(*g->text));
	g->num = calloc(TUNE_MAX_VALUES, sizeof(*g->num));
	if (!g->text || !g->num)
		return ZP_EXIT_FAIL;
	if (strchr(g->spec, ':')) {
		const char *p = g->spec, *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		double count;

		if (!c2 || strchr(c2 + 1, ':') || !grid_number(p, (size_t)(c1 - p), &v[0]) ||
		    !grid_number(c1 + 1, (size_t)(c2 - c1 - 1), &v[1]) || !grid_number(c2 + 1, strlen(c2 + 1), &v[2])) {
			fprintf(stderr, PROG ": --grid %s: expected three numbers FROM:TO:STEP, got '%s'\n", arg, g->spec);
			return ZP_EXIT_USAGE;
		}
		if (v[0] > v[1]) {
			fprintf(stderr, PROG ": --grid %s: FROM (%g) is above TO (%g): expected FROM <= TO\n", arg, v[0],
				v[1]);
			return ZP_EXIT_USAGE;
		}
		if (!(v[2] > 0)) {
			fprintf(stderr, PROG ": --grid %s: STEP must be above 0, got %g\n", arg, v[2]);
			return ZP_EXIT_USAGE;
		}
		count = floor((v[1] - v[0]) / v[2] + 1e-9) + 1;
		if (count > TUNE_MAX_VALUES) {
			fprintf(stderr, PROG ": --grid %s: %.0f values, at most %d per key: expected a larger STEP\n", arg,
				count, TUNE_MAX_VALUES);
			return ZP_EXIT_USAGE;
		}
		for (int i = 0; i < (int)count; i++) {
			g->num[n] = v[0] + i * v[2];
			value_text(g->text[n], TUNE_VAL, g->num[n]);
			n++;
		}
	} else {
		const char *p = g->spec;

		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);

			if (n == TUNE_MAX_VALUES || !grid_number(p, len, &g->num[n])) {
				fprintf(stderr, PROG ": --grid %s: expected numbers V1,V2,... (or FROM:TO:STEP), got '%.*s'\n",
					arg, (int)len, p);
				return ZP_EXIT_USAGE;
			}
			value_text(g->text[n], TUNE_VAL, g->num[n]);
			for (int i = 0; i < n; i++)
				if (g->num[i] == g->num[n]) {
					fprintf(stderr, PROG ": --grid %s: value %s given twice\n", arg, g->text[n]);
					return ZP_EXIT_USAGE;
				}
			n++;
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	g->n = n;
	/* every value must be one the key takes (integer keys: whole numbers; scale: 1, 2 or 4) */
	for (int i = 0; i < n; i++)
		if (zp_detector_params_set(&scratch, g->key, g->text[i], err, sizeof(err))) {
			fprintf(stderr, PROG ": --grid %s: %s: %s%s\n", arg, g->key, err,
				strchr(g->text[i], '.') && strstr(err, "integer") ? " (an integer key: use whole numbers)"
										  : "");
			return ZP_EXIT_USAGE;
		}
	return ZP_EXIT_OK;
}

static void free_opts(struct tune_opts *o)
{
	for (int k = 0; k < TUNE_MAX_KEYS; k++) {
		free(o->keys[k].text);
		free(o->keys[k].num);
	}
}

/* --grid KEY=FROM:TO:STEP, one per key */
static int opt_grid(void *ctx, const char *arg)
{
	struct tune_opts *o = ctx;
	int rc;

	if (o->nkeys == TUNE_MAX_KEYS) {
		fprintf(stderr, PROG ": --grid %s: at most %d keys\n", arg, TUNE_MAX_KEYS);
		return ZP_EXIT_USAGE;
	}
	rc = parse_grid(arg, &o->keys[o->nkeys]);
	o->nkeys++; /* freed by free_opts() either way */
	if (rc)
		return rc;
	for (int k = 0; k < o->nkeys - 1; k++)
		if (!strcmp(o->keys[k].key, o->keys[o->nkeys - 1].key)) {
			fprintf(stderr, PROG ": --grid %s: key '%s' given twice (one --grid per key)\n", arg,
				o->keys[k].key);
			return ZP_EXIT_USAGE;
		}
	return 0;
}

/* -o: every other command's output file; tune writes a folder */
static int opt_o(void *ctx, const char *arg)
{
	(void)ctx;
	fprintf(stderr, PROG ": -o %s: -o names an output file in every command; tune writes a folder: "
		"--out-dir %s\n", arg, arg);
	return ZP_EXIT_USAGE;
}

static int parse_tune(int argc, char **argv, struct tune_opts *o)
{
	const zp_opt opts[] = {
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "gt", 'g', ZP_OPT_STR, .to.str = &o->gt },
		{ "grid", 0, ZP_OPT_CALL, .to.ctx = o, .call = opt_grid },
		{ "out-dir", 0, ZP_OPT_STR, .to.str = &o->out },
		{ "out", 0, ZP_OPT_STR, .to.str = &o->out },
		{ NULL, 'o', ZP_OPT_CALL, .call = opt_o },
		{ "metric", 0, ZP_OPT_STR, .to.str = &o->metric },
		{ "jobs", 'j', ZP_OPT_INT, .to.i = &o->jobs, .min = 1, .max = TUNE_MAX_JOBS },
		{ "max-runs", 0, ZP_OPT_LONG, .to.l = &o->max_runs, .min = 1, .max = TUNE_HARD_MAX_RUNS },
		{ "max-frames", 0, ZP_OPT_LONG, .to.l = &o->max_frames, .min = 1, .max = 100000000 },
		{ "yes", 0, ZP_OPT_TRUE, .to.flag = &o->yes },
		{ "max-hours", 0, ZP_OPT_DOUBLE, .to.d = &o->max_hours, .min = 0.000001, .max = 1000 },
		{ "holdout-from", 0, ZP_OPT_LONG, .to.l = &o->holdout_from, .min = 2, .max = 1000000000 },
		{ "allow-no-children", 0, ZP_OPT_TRUE, .to.flag = &o->allow_no_children },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->out = "tune-out";
	o->max_runs = TUNE_DEFAULT_MAX_RUNS;
	o->max_frames = -1;
	o->max_hours = TUNE_WARN_S / 3600.0;
	rc = zp_opts_parse(PROG, opts, sizeof(opts) / sizeof(opts[0]), tune_usage, argc, argv);
	if (rc)
		return rc;
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return ZP_EXIT_USAGE;
	}
	if (!o->config || !o->source || o->nkeys == 0) {
		fprintf(stderr, PROG ": expected --config FILE, --source SOURCE and at least one --grid "
			"KEY=FROM:TO:STEP (missing %s)\n", !o->config ? "--config" : !o->source ? "--source" : "--grid");
		return ZP_EXIT_USAGE;
	}
	if (o->metric) {
		int m;

		for (m = 0; m < NMETRICS && strcmp(metrics[m].name, o->metric); m++)
			;
		if (m == NMETRICS) {
			fprintf(stderr, PROG ": --metric %s: unknown (expected f, precision, recall, pwc, presence_f, "
				"presence_recall, presence_precision or mota)\n", o->metric);
			return ZP_EXIT_USAGE;
		}
	}
	if (o->jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o->jobs = n < 1 ? 1 : n > TUNE_MAX_JOBS ? TUNE_MAX_JOBS : (int)n;
	}
	return ZP_EXIT_OK;
}

/* ---- runs ---- */

enum run_status { RUN_PENDING = 0, RUN_OK, RUN_INVALID, RUN_FAILED };

/* One result as it travels over the pipe: one write, under PIPE_BUF. */
struct run_msg {
	int32_t idx;
	int32_t status;
	double secs;
	zp_score score;
	zp_score held;       /* frames from --holdout-from */
	char err[200];
};
_Static_assert(sizeof(struct run_msg) <= PIPE_BUF, "a result must be one atomic pipe write");

struct run {
	enum run_status status;
	double secs;
	zp_score score;
	zp_score held;
	double value;        /* the metric; NaN when undefined or not run */
	double held_value;   /* the metric on the held-out frames */
	bool unsafe;         /* misses more presence episodes / has fewer valid calls than run 0 */
	char err[200];
};

struct tune {
	bool tty;               /* stderr was a terminal (a progress bar rewrites its line) */
	struct tune_opts o;
	const struct metric *metric;
	zp_config *cfg;
	zp_homography ground;
	zp_score_set *set;
	zp_score_inputs in;
	int64_t first;       /* the first frame scored: after the warm-up of the config as given (MOT) */
	char base[TUNE_MAX_KEYS][TUNE_VAL]; /* run 0's value of each key */
	long nruns;          /* 1 + combinations; run 0 is the config as it is */
	struct run *runs;
	int *order;          /* ranking of the runs */
};

/* The value index of key k in combination c (the first key varies slowest). */
static int combo_index(const struct tune *t, long c, int k)
{
	for (int j = t->o.nkeys - 1; j > k; j--)
		c /= t->o.keys[j].n;
	return (int)(c % t->o.keys[k].n);
}

/*
 * The config's own value of key k as one of the grid's texts: the grid
 * value that leaves the parameters byte for byte as they are; "(config)"
 * when none does (the config's value is not on the grid).
 */
static void base_value(const struct tune *t, int k, char *buf, size_t size)
{
	zp_detector_params p = t->cfg->detector, q;
	char err[64];

	for (int i = 0; i < t->o.keys[k].n; i++) {
		q = p;
		if (zp_detector_params_set(&q, t->o.keys[k].key, t->o.keys[k].text[i], err, sizeof(err)) == 0 &&
		    !memcmp(&q, &p, sizeof(p))) {
			zp_strlcpy(buf, t->o.keys[k].text[i], size);
			return;
		}
	}
	zp_strlcpy(buf, "(config)", size);
}

/* The key's value in run r as text (run 0: the config's own, see base_value()). */
static void run_value(const struct tune *t, long r, int k, char *buf, size_t size)
{
	zp_strlcpy(buf, r > 0 ? t->o.keys[k].text[combo_index(t, r - 1, k)] : t->base[k], size);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Build run r's config and score it. */
static void do_run(const struct tune *t, long r, struct run_msg *m)
{
	zp_config *cfg = malloc(sizeof(*cfg));
	double t0 = now_s();
	int rc;

	memset(m, 0, sizeof(*m));
	m->idx = (int32_t)r;
	if (!cfg) {
		m->status = RUN_FAILED;
		zp_strlcpy(m->err, "out of memory", sizeof(m->err));
		return;
	}
	*cfg = *t->cfg;
	for (int k = 0; r > 0 && k < t->o.nkeys; k++) {
		const char *v = t->o.keys[k].text[combo_index(t, r - 1, k)];

		/* values were checked one by one when the grid was parsed */
		zp_detector_params_set(&cfg->detector, t->o.keys[k].key, v, m->err, sizeof(m->err));
	}
	if (zp_detector_params_check(&cfg->detector, m->err, sizeof(m->err))) {
		m->status = RUN_INVALID;
		free(cfg);
		return;
	}
	rc = zp_score_run(t->set, cfg, t->ground.valid ? &t->ground : NULL, t->first, t->o.holdout_from, &m->score,
			  &m->held, m->err, sizeof(m->err));
	m->status = rc ? RUN_FAILED : RUN_OK;
	m->secs = now_s() - t0;
	free(cfg);
}

static void store(struct tune *t, const struct run_msg *m)
{
	struct run *r = &t->runs[m->idx];

	r->status = (enum run_status)m->status;
	r->secs = m->secs;
	r->score = m->score;
	r->held = m->held;
	zp_strlcpy(r->err, m->err, sizeof(r->err));
	r->value = r->status == RUN_OK ? metric_value(t->metric, &r->score) : NAN;
	r->held_value = r->status == RUN_OK && t->o.holdout_from > 0 ? metric_value(t->metric, &r->held) : NAN;
}

/*
 * Safe tuning: a run that misses more presence episodes, or has fewer
 * valid calls, than the config as given (run 0) on the frames tuned on is
 * never recommended (MOT; CDnet has no episodes).
 */
static void mark_unsafe(struct tune *t)
{
	const zp_zone_stats *b = &t->runs[0].score.zones;

	for (long r = 1; r < t->nruns; r++) {
		const zp_zone_stats *z = &t->runs[r].score.zones;

		t->runs[r].unsafe = t->runs[r].status == RUN_OK && zp_score_set_kind(t->set) == ZP_SCORE_MOT &&
				    (z->pres.missed > b->pres.missed || z->calls.valid < b->calls.valid);
	}
}

/* Write (out) or read exactly n bytes, across interruptions; false at EOF or on an error. */
static bool pipe_full(int fd, void *buf, size_t n, bool out)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = out ? write(fd, (char *)buf + done, n - done) : read(fd, (char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}

/*
 * Runs 1..nruns-1 on `jobs` forked workers; results stored as they come.
 * sigfd: a signalfd for SIGINT (blocked in this process; the workers
 * unblock it), -1 for none. 0, ZP_EXIT_FAIL, or TUNE_EXIT_INTERRUPTED when
 * SIGINT came (the workers are stopped; the runs done are stored).
 */
static int run_parallel(struct tune *t, double per_run, int sigfd, const sigset_t *sigint)
{
	zp_progress pg;
	atomic_long *next;
	pid_t pids[TUNE_MAX_JOBS];
	int fds[2], jobs = t->o.jobs, started = 0, rc = ZP_EXIT_OK;
	long got = 0;
	bool interrupted = false;

	if (t->nruns <= 1)
		return ZP_EXIT_OK;
	zp_progress_begin(&pg, stderr, t->tty, PROG, "runs", t->nruns - 1, (int64_t)(now_s() * 1000));
	if (jobs > t->nruns - 1)
		jobs = (int)(t->nruns - 1);
	next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (next == MAP_FAILED) {
		fprintf(stderr, PROG ": mmap: %s\n", strerror(errno));
		return ZP_EXIT_FAIL;
	}
	atomic_init(next, 1);
	if (pipe(fds)) {
		fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
		munmap(next, sizeof(*next));
		return ZP_EXIT_FAIL;
	}
	fflush(stdout);
	fflush(stderr);
	for (int j = 0; j < jobs; j++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, PROG ": fork: %s (going on with %d workers)\n", strerror(errno), started);
			break;
		}
		if (pid == 0) {
			struct run_msg m;
			long r;

			close(fds[0]);
			if (sigfd >= 0)
				close(sigfd);
			signal(SIGPIPE, SIG_DFL);
			/* Ctrl-C reaches the whole process group: a worker just ends */
			signal(SIGINT, SIG_DFL);
			sigprocmask(SIG_UNBLOCK, sigint, NULL);
			while ((r = atomic_fetch_add(next, 1)) < t->nruns) {
				do_run(t, r, &m);
				if (!pipe_full(fds[1], &m, sizeof(m), true))
					_exit(1);
			}
			_exit(0);
		}
		pids[started++] = pid;
	}
	close(fds[1]);
	if (started == 0) {
		close(fds[0]);
		munmap(next, sizeof(*next));
		return ZP_EXIT_FAIL;
	}
	pg.est_ms_per_item = per_run * 1000.0 / started;   /* until the first run is back */
	zp_progress_update(&pg, 0, (int64_t)(now_s() * 1000));
	for (;;) {
		struct run_msg m;
		struct pollfd pf[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };

		if (poll(pf, sigfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sigfd >= 0 && (pf[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				interrupted = true;
				for (int j = 0; j < started; j++)
					kill(pids[j], SIGTERM);
				break;
			}
		}
		if (!(pf[0].revents & (POLLIN | POLLHUP)))
			continue;
		if (!pipe_full(fds[0], &m, sizeof(m), false))
			break;
		if (m.idx < 1 || m.idx >= t->nruns)
			continue;
		store(t, &m);
		got++;
		zp_progress_update(&pg, got, (int64_t)(now_s() * 1000));
	}
	/* a Ctrl-C ends the workers too: their pipe may close before the signal is read */
	if (!interrupted && sigfd >= 0) {
		struct signalfd_siginfo si;

		if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			interrupted = true;
			for (int j = 0; j < started; j++)
				kill(pids[j], SIGTERM);
		}
	}
	close(fds[0]);
	for (int j = 0; j < started; j++) {
		int st;

		while (waitpid(pids[j], &st, 0) < 0 && errno == EINTR)
			;
		if (interrupted)
			continue;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, PROG ": a worker process %s %d\n", WIFSIGNALED(st) ? "died of signal" : "exited with",
				WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			rc = ZP_EXIT_FAIL;
		}
	}
	munmap(next, sizeof(*next));
	zp_progress_end(&pg);
	if (interrupted)
		return TUNE_EXIT_INTERRUPTED;
	if (got != t->nruns - 1) {
		fprintf(stderr, PROG ": %ld of %ld runs came back\n", got, t->nruns - 1);
		rc = ZP_EXIT_FAIL;
	}
	return rc;
}

/* ---- ranking and the table ---- */

/* How many swept keys run r sets to another value than the config as given. */
static int changed_keys(const struct tune *t, long r)
{
	int n = 0;

	for (int k = 0; r > 0 && k < t->o.nkeys; k++)
		n += strcmp(t->o.keys[k].text[combo_index(t, r - 1, k)], t->base[k]) != 0;
	return n;
}

/*
 * Safe before unsafe; better first; undefined last. Ties go to the run that changes fewer keys
 * of the config as given (the config itself, run 0, wins any tie), then to
 * the earlier run.
 */
static int cmp_runs(const void *a, const void *b, void *ctx)
{
	const struct tune *t = ctx;
	int ia = *(const int *)a, ib = *(const int *)b;
	const struct run *x = &t->runs[ia], *y = &t->runs[ib];
	bool fx = isfinite(x->value), fy = isfinite(y->value);
	int cx, cy;

	if (x->unsafe != y->unsafe)
		return x->unsafe ? 1 : -1;
	if (fx != fy)
		return fx ? -1 : 1;
	if (fx && x->value != y->value)
		return (x->value > y->value) != t->metric->lower_better ? -1 : 1;
	cx = changed_keys(t, ia);
	cy = changed_keys(t, ib);
	if (cx != cy)
		return cx - cy;
	return ia - ib;
}

static void rank(struct tune *t)
{
	for (long i = 0; i < t->nruns; i++)
		t->order[i] = (int)i;
	qsort_r(t->order, (size_t)t->nruns, sizeof(int), cmp_runs, t);
}

static void table_row(const struct tune *t, FILE *out, int rankno, long r)
{
	const struct run *u = &t->runs[r];
	char a[32], b[32], c[32], d[32], e[32], h[32];

	fprintf(out, "%4d  ", rankno);
	for (int k = 0; k < t->o.nkeys; k++) {
		char v[TUNE_VAL];
		int w = (int)strlen(t->o.keys[k].key);

		run_value(t, r, k, v, sizeof(v));
		fprintf(out, "%*s  ", w < 8 ? 8 : w, v);
	}
	if (t->set && zp_score_set_kind(t->set) == ZP_SCORE_CDNET) {
		fprintf(out, "%9s %9s %9s %9s %9s", zp_fmt_num(a, 32, u->value, 4),
			zp_fmt_num(b, 32, u->score.px.precision, 4),
			zp_fmt_num(c, 32, u->score.px.recall, 4), zp_fmt_num(d, 32, u->score.px.f, 4),
			zp_fmt_num(e, 32, u->score.px.fpr, 5));
	} else {
		char ep[48], vc[48];

		snprintf(ep, sizeof(ep), "%llu/%llu", (unsigned long long)u->score.zones.pres.missed,
			 (unsigned long long)u->score.zones.pres.episodes);
		snprintf(vc, sizeof(vc), "%llu/%llu", (unsigned long long)u->score.zones.calls.valid,
			 (unsigned long long)u->score.zones.calls.episodes);
		fprintf(out, "%9s %9s %9s %9s %9s %9s %9s", zp_fmt_num(a, 32, u->value, 4),
			zp_fmt_num(b, 32, u->score.zones.pres.precision, 4),
			zp_fmt_num(c, 32, u->score.zones.pres.recall, 4),
			zp_fmt_num(d, 32, u->score.false_presence, 4), zp_fmt_num(e, 32, u->score.mot.mota, 3), ep, vc);
	}
	if (t->o.holdout_from > 0)
		fprintf(out, " %9s", zp_fmt_num(h, 32, u->held_value, 4));
	fprintf(out, "%s%s\n", r == 0 ? "  (config as given)" : "", u->unsafe ? "  (unsafe: not recommended)" : "");
}

static void print_table(const struct tune *t, FILE *out)
{
	long shown = 0, base_rank = 0;
	bool cd = zp_score_set_kind(t->set) == ZP_SCORE_CDNET;

	fprintf(out, "\n%4s  ", "rank");
	for (int k = 0; k < t->o.nkeys; k++)
		fprintf(out, "%*s  ", (int)strlen(t->o.keys[k].key) < 8 ? 8 : (int)strlen(t->o.keys[k].key),
			t->o.keys[k].key);
	if (cd)
		fprintf(out, "%9s %9s %9s %9s %9s", t->metric->name, "P", "R", "F", "FPR");
	else
		fprintf(out, "%9s %9s %9s %9s %9s %9s %9s", t->metric->name, "zone P", "zone R", "false-pr", "MOTA",
			"missed", "valid");
	if (t->o.holdout_from > 0)
		fprintf(out, " %9s", "held-out");
	fputc('\n', out);
	for (long i = 0; i < t->nruns; i++) {
		long r = t->order[i];

		if (r == 0)
			base_rank = i + 1;
		if (i < TUNE_TOP && t->runs[r].status == RUN_OK) {
			table_row(t, out, (int)i + 1, r);
			shown++;
		}
	}
	if (base_rank > shown && t->runs[0].status == RUN_OK) {
		fprintf(out, "  ...\n");
		table_row(t, out, (int)base_rank, 0);
	}
}

/* ---- outputs ---- */

static int flag_edges(const struct tune *t, long best, FILE *out, const char *prefix);

/* The metric columns of one score (after score_<metric>), and how many there are. */
static int csv_score(FILE *f, bool cd, const zp_score *s)
{
	char a[12][32];

	if (!f)
		return cd ? 10 : 27;
	if (cd) {
		fprintf(f, ",%s,%s,%s,%s,%s,%s,%llu,%llu,%llu,%llu", zp_fmt_num(a[1], 32, s->px.precision, 6),
			zp_fmt_num(a[2], 32, s->px.recall, 6), zp_fmt_num(a[3], 32, s->px.f, 6),
			zp_fmt_num(a[4], 32, s->px.fpr, 6),
			zp_fmt_num(a[5], 32, s->px.fnr, 6),
			zp_fmt_num(a[6], 32, s->px.pwc, 6), (unsigned long long)s->tp,
			(unsigned long long)s->fp, (unsigned long long)s->tn, (unsigned long long)s->fn);
		return 10;
	}
	fprintf(f, ",%s,%s,%s,%s,%llu,%llu,%s,%s,%s,%s,%llu", zp_fmt_num(a[1], 32, s->zones.pres.precision, 6),
		zp_fmt_num(a[2], 32, s->zones.pres.recall, 6), zp_fmt_num(a[3], 32, s->zones.pres.f, 6),
		zp_fmt_num(a[4], 32, s->false_presence, 6), (unsigned long long)s->zones.pres.episodes,
		(unsigned long long)s->zones.pres.missed, zp_fmt_num(a[5], 32, s->zones.pres.latency_median, 1),
		zp_fmt_num(a[6], 32, s->mot.precision, 6), zp_fmt_num(a[7], 32, s->mot.recall, 6),
		zp_fmt_num(a[8], 32, s->mot.mota, 6),
		(unsigned long long)s->mot.idsw);
	fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu", (unsigned long long)s->zones.calls.episodes,
		(unsigned long long)s->zones.calls.valid, (unsigned long long)s->zones.calls.missed,
		(unsigned long long)s->zones.calls.late, (unsigned long long)s->zones.calls.spotty,
		(unsigned long long)s->zones.calls.dropped, (unsigned long long)s->zones.calls.held,
		(unsigned long long)s->zones.calls.false_calls);
	fprintf(f, ",%llu,%llu,%llu,%s,%s", (unsigned long long)s->zones.counts.gt_people,
		(unsigned long long)s->zones.counts.entered, (unsigned long long)s->zones.counts.tracks,
		zp_fmt_num(a[9], 32, s->zones.counts.entered_error, 2),
		zp_fmt_num(a[10], 32, s->zones.counts.tracks_error, 2));
	/* crossings, both directions together (empty when no crossing zone has sides) */
	if (s->zones.cross.sides)
		fprintf(f, ",%llu,%llu,%s", (unsigned long long)(s->zones.cross.gt[0] + s->zones.cross.gt[1]),
			(unsigned long long)(s->zones.cross.detected[0] + s->zones.cross.detected[1]),
			zp_fmt_num(a[11], 32, s->zones.cross.error, 2));
	else
		fprintf(f, ",,,");
	return 27;
}

static const char *status_name(const struct run *u)
{
	switch (u->status) {
	case RUN_OK: return "ok";
	case RUN_INVALID: return "invalid";
	case RUN_FAILED: return "failed";
	default: return "not run";
	}
}

/* Every run so far (an interrupted sweep: the runs not done are "not run"). */
static int write_csv(const struct tune *t, const char *path)
{
	FILE *f = fopen(path, "w");
	bool cd = zp_score_set_kind(t->set) == ZP_SCORE_CDNET, ho = t->o.holdout_from > 0;
	int ncols = csv_score(NULL, cd, NULL);

	if (!f)
		return -errno;
	fprintf(f, "run");
	for (int k = 0; k < t->o.nkeys; k++)
		fprintf(f, ",%s", t->o.keys[k].key);
	fprintf(f, ",status,score_%s", t->metric->name);
	if (cd)
		fprintf(f, ",precision,recall,f,fpr,fnr,pwc,tp,fp,tn,fn");
	else
		fprintf(f, ",presence_precision,presence_recall,presence_f,false_presence_rate,episodes,missed,"
			   "latency_median,box_precision,box_recall,mota,idsw,call_episodes,valid_calls,calls_missed,"
			   "calls_late,calls_spotty,calls_dropped,calls_held,false_calls,gt_people,entered,tracks,"
			   "entered_error_pct,tracks_error_pct,gt_crossings,crossings,crossings_error_pct");
	fprintf(f, ",frames,seconds,unsafe");
	if (ho)
		fprintf(f, ",held_score_%s,held_frames%s", t->metric->name,
			cd ? ",held_precision,held_recall" : ",held_episodes,held_missed,held_call_episodes,held_valid_calls");
	fprintf(f, ",note\n");
	for (long r = 0; r < t->nruns; r++) {
		const struct run *u = &t->runs[r];
		const zp_score *s = &u->score;
		char a[4][32];

		fprintf(f, "%ld", r);
		for (int k = 0; k < t->o.nkeys; k++) {
			char v[TUNE_VAL];

			run_value(t, r, k, v, sizeof(v));
			fprintf(f, ",%s", v);
		}
		fprintf(f, ",%s", status_name(u));
		if (u->status != RUN_OK) {
			char note[200];

			zp_strlcpy(note, u->err, sizeof(note));
			for (char *p = note; *p; p++)
				if (*p == ',' || *p == '"' || *p == '\n')
					*p = ';';
			/* score, the metric columns, frames, seconds, unsafe, the held-out columns: empty */
			for (int i = 0; i < 1 + ncols + 3 + (ho ? (cd ? 4 : 6) : 0); i++)
				fputc(',', f);
			fprintf(f, ",%s\n", note);
			continue;
		}
		fprintf(f, ",%s", zp_fmt_num(a[0], 32, u->value, 6));
		csv_score(f, cd, s);
		fprintf(f, ",%llu,%.3f,%s", (unsigned long long)s->frames, u->secs, u->unsafe ? "yes" : "no");
		if (ho) {
			const zp_score *h = &u->held;

			fprintf(f, ",%s,%llu", zp_fmt_num(a[1], 32, u->held_value, 6), (unsigned long long)h->frames);
			if (cd)
				fprintf(f, ",%s,%s", zp_fmt_num(a[2], 32, h->px.precision, 6),
					zp_fmt_num(a[3], 32, h->px.recall, 6));
			else
				fprintf(f, ",%llu,%llu,%llu,%llu", (unsigned long long)h->zones.pres.episodes,
					(unsigned long long)h->zones.pres.missed, (unsigned long long)h->zones.calls.episodes,
					(unsigned long long)h->zones.calls.valid);
		}
		fprintf(f, ",\n");
	}
	if (fclose(f))
		return -errno;
	return 0;
}

/*
 * best.ini: the input config line for line, with the tuned keys replaced
 * in [detector] (or added at its end, or in a new [detector] section), and
 * a header saying how it was found. Then loaded back as a check.
 */
static int write_best(const struct tune *t, long best, const char *path, char *err, size_t errlen)
{
	FILE *in = fopen(t->o.config, "r"), *f;
	/* a note: the key (48) and its grid (128) in a sentence */
	char desc[512], values[TUNE_MAX_KEYS][TUNE_VAL], notes[TUNE_MAX_KEYS][240];
	zp_ini_edit edits[TUNE_MAX_KEYS];
	int nedits = 0, rc;
	const struct run *b = &t->runs[best], *base = &t->runs[0];
	zp_config *check;
	char v1[32], v2[32];

	if (!in)
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot read (%s)", t->o.config, strerror(errno));
	/* keys the best run leaves at the config's value stay as they are */
	for (int k = 0; best > 0 && k < t->o.nkeys; k++) {
		if (!strcmp(t->o.keys[k].text[combo_index(t, best - 1, k)], t->base[k]))
			continue;
		run_value(t, best, k, values[nedits], sizeof(values[nedits]));
		snprintf(notes[nedits], sizeof(notes[nedits]), "tuned by zebrapad tune (%s=%s)", t->o.keys[k].key,
			 t->o.keys[k].spec);
		edits[nedits] = (zp_ini_edit){ t->o.keys[k].key, values[nedits], notes[nedits] };
		nedits++;
	}
	f = fopen(path, "w");
	if (!f) {
		fclose(in);
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot write (%s)", path, strerror(errno));
	}
	zp_score_set_info(t->set, NULL, NULL, NULL, desc, sizeof(desc));
	fprintf(f, "; best.ini - written by `zebrapad tune` from %s\n", t->o.config);
	fprintf(f, "; source: %s\n; ground truth: %s (%s)\n", t->o.source, t->in.gt, desc);
	fprintf(f, "; swept:");
	for (int k = 0; k < t->o.nkeys; k++)
		fprintf(f, " %s=%s", t->o.keys[k].key, t->o.keys[k].spec);
	fprintf(f, " (%ld combinations)\n", t->nruns - 1);
	if (best == 0)
		fprintf(f, "; result: no combination beat the config as given (%s %s); it is unchanged below\n",
			t->metric->name, zp_fmt_num(v1, sizeof(v1), base->value, 4));
	else
		fprintf(f, "; result: best of %ld runs by %s: %s (the config as given: %s); changed keys marked below\n",
			t->nruns, t->metric->name, zp_fmt_num(v1, sizeof(v1), b->value, 4),
			zp_fmt_num(v2, sizeof(v2), base->value, 4));
	if (zp_score_set_kind(t->set) == ZP_SCORE_MOT)
		fprintf(f, "; safety: no run that misses more presence episodes or has fewer valid calls than the config "
			"as given was considered\n");
	if (t->o.holdout_from > 0)
		fprintf(f, "; ranked on frames before %ld; held out from there: %s %s (the config as given: %s)\n",
			t->o.holdout_from, t->metric->name, zp_fmt_num(v1, sizeof(v1), b->held_value, 4),
			zp_fmt_num(v2, sizeof(v2), base->held_value, 4));
	flag_edges(t, best, f, "; note: ");
	fprintf(f, "; Check it on another recording of the site before installing it (zebrapad eval).\n\n");
	rc = zp_ini_rewrite(in, f, "detector", edits, nedits, err, errlen);
	fclose(in);
	if (fclose(f) && !rc)
		rc = zp_seterr(err, errlen, ZP_EIO, "%s: cannot write (%s)", path, strerror(errno));
	if (rc)
		return rc;
	/* loads, and holds exactly the best run's detector parameters */
	check = malloc(sizeof(*check));
	if (!check)
		return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
	if (zp_config_load(path, check, err, errlen)) {
		free(check);
		return ZP_EINVAL;
	}
	{
		zp_detector_params want = t->cfg->detector;

		want.simd = check->detector.simd; /* not a config key: the process's path */

		for (int k = 0; best > 0 && k < t->o.nkeys; k++) {
			char v[TUNE_VAL];

			run_value(t, best, k, v, sizeof(v));
			zp_detector_params_set(&want, t->o.keys[k].key, v, NULL, 0);
		}
		if (memcmp(&want, &check->detector, sizeof(want))) {
			free(check);
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "%s: the written config does not hold the tuned values (a key set twice, or in a "
					 "continuation line?)", path);
		}
	}
	free(check);
	return 0;
}

enum { COL_RUN = 0x9aa6b2, COL_BEST = 0xe02020, COL_BASE = 0x1f5fd0, COL_MAXLINE = 0x303030 };

static void legend(zp_plot *p, int x, int y)
{
	zp_plot_mark_px(p, x, y - 5, ZP_MARK_DOT, 3, COL_RUN);
	zp_plot_text(p, x + 10, y, "a run", 0.42, 0x202020);
	zp_plot_mark_px(p, x + 80, y - 5, ZP_MARK_SQUARE, 5, COL_BASE);
	zp_plot_text(p, x + 92, y, "config as given", 0.42, 0x202020);
	zp_plot_mark_px(p, x + 240, y - 5, ZP_MARK_RING, 7, COL_BEST);
	zp_plot_text(p, x + 252, y, "best", 0.42, 0x202020);
	zp_cv_draw_line(p->bgr, p->w, p->h, p->w * 3, x + 300, y - 5, x + 325, y - 5, COL_MAXLINE, 1);
	zp_plot_text(p, x + 332, y, "best at each value", 0.42, 0x202020);
}

/* plot.png: recall vs false-positive rate of every run (left), the metric vs each swept key (right). */
static int write_plot(const struct tune *t, long best, const char *path, char *err, size_t errlen)
{
	const int W = 1200, H = 560, top = 44, left_w = 520;
	zp_score_kind kind = zp_score_set_kind(t->set);
	double fx0 = INFINITY, fx1 = -INFINITY, ry0 = INFINITY, ry1 = -INFINITY, m0 = INFINITY, m1 = -INFINITY;
	zp_plot p;
	zp_plot_panel pn;
	int rc, cols, rows;
	char title[256];

	if (zp_plot_new(&p, W, H))
		return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
	bool by_precision = true;

	for (long r = 0; r < t->nruns; r++) {
		double fx, ry;

		roc_point(kind, false, &t->runs[r].score, &fx, &ry);
		if (t->runs[r].status == RUN_OK && isfinite(fx))
			by_precision = false;
	}
	snprintf(title, sizeof(title), "zebrapad tune: %ld runs, best %s %.4f (as given %.4f)", t->nruns,
		 t->metric->name, t->runs[best].value, t->runs[0].value);
	zp_plot_text(&p, 12, 26, title, 0.6, 0x101010);
	legend(&p, W - 480, 26);
	for (long r = 0; r < t->nruns; r++) {
		double fx, ry;

		if (t->runs[r].status != RUN_OK)
			continue;
		roc_point(kind, by_precision, &t->runs[r].score, &fx, &ry);
		if (isfinite(fx) && isfinite(ry)) {
			fx0 = fmin(fx0, fx);
			fx1 = fmax(fx1, fx);
			ry0 = fmin(ry0, ry);
			ry1 = fmax(ry1, ry);
		}
		if (isfinite(t->runs[r].value)) {
			m0 = fmin(m0, t->runs[r].value);
			m1 = fmax(m1, t->runs[r].value);
		}
	}
	/* left: every run as a point; up and to the left (right, by precision) is better */
	zp_plot_panel_init(&p, &pn, 0, top, left_w, H - top, fx0, fx1, ry0, ry1,
			   "every run",
			   by_precision ? (kind == ZP_SCORE_CDNET ? "pixel precision (no negatives in the ground truth)"
						: "presence precision (no empty-zone frame in the ground truth)")
			   : kind == ZP_SCORE_CDNET ? "false-positive rate (background pixels called foreground)"
						: "false-presence rate (empty-zone frames called occupied)",
			   kind == ZP_SCORE_CDNET ? "pixel recall" : "zone presence recall");
	for (long r = 1; r < t->nruns; r++) {
		double fx, ry;

		if (t->runs[r].status != RUN_OK)
			continue;
		roc_point(kind, by_precision, &t->runs[r].score, &fx, &ry);
		zp_plot_mark(&p, &pn, fx, ry, ZP_MARK_DOT, 3, COL_RUN);
	}
	{
		double fx, ry;

		roc_point(kind, by_precision, &t->runs[0].score, &fx, &ry);
		zp_plot_mark(&p, &pn, fx, ry, ZP_MARK_SQUARE, 5, COL_BASE);
		roc_point(kind, by_precision, &t->runs[best].score, &fx, &ry);
		zp_plot_mark(&p, &pn, fx, ry, ZP_MARK_RING, 8, COL_BEST);
	}
	/* right: the metric against each key; grey: every run, line: the best run at each value */
	cols = t->o.nkeys <= 2 ? 1 : 2;
	rows = (t->o.nkeys + cols - 1) / cols;
	for (int k = 0; k < t->o.nkeys; k++) {
		const struct grid_key *g = &t->o.keys[k];
		int pw = (W - left_w) / cols, ph = (H - top) / rows;
		double *bx = malloc((size_t)g->n * sizeof(double)), *by = malloc((size_t)g->n * sizeof(double));
		char ttl[128];

		if (!bx || !by) {
			free(bx);
			free(by);
			zp_plot_free(&p);
			return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
		}
		snprintf(ttl, sizeof(ttl), "%s by %s", t->metric->name, g->key);
		if (strlen(ttl) * 9.25 > pw - 100)
			snprintf(ttl, sizeof(ttl), "by %s", g->key);
		{
			bool whole = true;

			for (int i = 0; i < g->n; i++)
				whole &= g->num[i] == floor(g->num[i]);
			zp_plot_x_integer(&p, whole);
		}
		zp_plot_panel_init(&p, &pn, left_w + (k % cols) * pw, top + (k / cols) * ph, pw, ph, g->num[0],
				   g->num[g->n - 1], m0, m1, ttl, g->key, NULL);
		for (int i = 0; i < g->n; i++) {
			bx[i] = g->num[i];
			by[i] = NAN;
		}
		for (long r = 1; r < t->nruns; r++) {
			int i = combo_index(t, r - 1, k);
			double v = t->runs[r].value;

			if (!isfinite(v))
				continue;
			zp_plot_mark(&p, &pn, g->num[i], v, ZP_MARK_DOT, 2, COL_RUN);
			if (!isfinite(by[i]) || (t->metric->lower_better ? v < by[i] : v > by[i]))
				by[i] = v;
		}
		zp_plot_polyline(&p, &pn, bx, by, g->n, COL_MAXLINE, 1);
		{
			char v[TUNE_VAL];

			/* the config's own value, when it is one of the grid's */
			run_value(t, 0, k, v, sizeof(v));
			for (int i = 0; i < g->n; i++)
				if (!strcmp(v, g->text[i]))
					zp_plot_mark(&p, &pn, g->num[i], t->runs[0].value, ZP_MARK_SQUARE, 4, COL_BASE);
		}
		if (best > 0)
			zp_plot_mark(&p, &pn, g->num[combo_index(t, best - 1, k)], t->runs[best].value, ZP_MARK_RING, 6,
				     COL_BEST);
		free(bx);
		free(by);
	}
	rc = zp_plot_write(&p, path, err, errlen);
	zp_plot_free(&p);
	return rc;
}

/* ---- the command ---- */

/* Memory for the decoded frames: half the machine's RAM, at least 512 MiB (workers share it copy-on-write). */
static size_t frame_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	size_t half = pages > 0 && size > 0 ? (size_t)pages * (size_t)size / 2 : 0;

	return half > ((size_t)512 << 20) ? half : (size_t)512 << 20;
}

static int make_out_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode) && access(dir, W_OK) == 0)
			return 0;
		fprintf(stderr, PROG ": --out %s: %s\n", dir, S_ISDIR(st.st_mode) ? "folder not writable" :
			"exists and is not a folder");
		return ZP_EXIT_USAGE;
	}
	if (mkdir(dir, 0755)) {
		fprintf(stderr, PROG ": --out %s: cannot create (%s)\n", dir, strerror(errno));
		return ZP_EXIT_USAGE;
	}
	return 0;
}

/* Keys that do nothing in this config: say so, the sweep is then wasted on them. */
static void warn_idle_keys(const struct tune *t)
{
	for (int k = 0; k < t->o.nkeys; k++) {
		const char *key = t->o.keys[k].key;
		bool area = !strcmp(key, "min_area") || !strcmp(key, "max_area");
		bool metres = !strncmp(key, "person_", 7);

		if (area && t->ground.valid)
			fprintf(stderr, PROG ": note: %s has no effect with [ground] (blobs are sized in metres: "
				"person_*_m)\n", key);
		if (metres && !t->ground.valid)
			fprintf(stderr, PROG ": note: %s has no effect without [ground] (blobs are sized in pixels: "
				"min_area, max_area)\n", key);
	}
}

/*
 * Person size limits that would miss a child (the design pedestrian: 5-6
 * years, about 1.1 m tall and 0.3-0.4 m wide) are refused without
 * --allow-no-children: in the grid, and in the config as given.
 */
static int check_children(const struct tune *t)
{
	static const struct {
		const char *key;
		double most;
	} lim[] = { { "person_min_height_m", TUNE_CHILD_HEIGHT_M }, { "person_min_width_m", TUNE_CHILD_WIDTH_M } };

	if (t->o.allow_no_children)
		return 0;
	for (size_t l = 0; l < sizeof(lim) / sizeof(lim[0]); l++) {
		double cfgv = l == 0 ? t->cfg->detector.person_min_height_m : t->cfg->detector.person_min_width_m;

		for (int k = 0; k < t->o.nkeys; k++) {
			if (strcmp(t->o.keys[k].key, lim[l].key))
				continue;
			for (int i = 0; i < t->o.keys[k].n; i++)
				if (t->o.keys[k].num[i] > lim[l].most) {
					fprintf(stderr, PROG ": --grid %s=%s: %s %s m is above %.1f m: a child of 5-6 years "
						"(the design pedestrian) would not be seen; pass --allow-no-children to sweep "
						"it anyway\n", lim[l].key, t->o.keys[k].spec, lim[l].key, t->o.keys[k].text[i],
						lim[l].most);
					return ZP_EXIT_USAGE;
				}
		}
		if (cfgv > lim[l].most) {
			fprintf(stderr, PROG ": %s: %s = %g m is above %.1f m: a child of 5-6 years (the design pedestrian) "
				"would not be seen; pass --allow-no-children to tune from it anyway\n", t->o.config,
				lim[l].key, cfgv, lim[l].most);
			return ZP_EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * The best run's value of each key at the edge of its grid (its smallest or
 * largest value; the config as given counts when its value is on the grid)?
 * Prints a note per key; returns how many.
 */
static int flag_edges(const struct tune *t, long best, FILE *out, const char *prefix)
{
	int n = 0;

	for (int k = 0; k < t->o.nkeys; k++) {
		const struct grid_key *g = &t->o.keys[k];
		char v[TUNE_VAL];
		double lo = g->num[0], hi = g->num[0];
		int at = -1;

		run_value(t, best, k, v, sizeof(v));
		for (int i = 0; i < g->n; i++) {
			lo = fmin(lo, g->num[i]);
			hi = fmax(hi, g->num[i]);
			if (!strcmp(v, g->text[i]))
				at = i;
		}
		if (g->n < 2 || at < 0 || (g->num[at] != lo && g->num[at] != hi))
			continue;
		fprintf(out, "%sthe best %s (%s) is at the %s edge of its grid %s: the best value may lie beyond it; "
			"widen the grid\n", prefix, g->key, v, g->num[at] == lo ? "low" : "high", g->spec);
		n++;
	}
	return n;
}

static int tune_main(int argc, char **argv, const zp_cmd_env *env, zp_runlog **log)
{
	struct tune *t = calloc(1, sizeof(*t));
	char err[1200], path[1200], desc[512], tb[32];
	long combos = 1, frames, best, unsafe = 0;
	int rc, w, h, code, sigfd = -1;
	double t0, per_run, est;
	sigset_t sigint, oldmask;
	bool cd, blocked = false;

	sigemptyset(&sigint);
	sigaddset(&sigint, SIGINT);
	if (!t)
		return ZP_EXIT_FAIL;
	rc = parse_tune(argc, argv, &t->o);
	if (rc) {
		rc = rc < 0 ? ZP_EXIT_OK : rc;
		goto done;
	}
	*log = zp_runlog_tool(&t->tty);
	for (int k = 0; k < t->o.nkeys; k++) {
		combos *= t->o.keys[k].n;
		if (combos > t->o.max_runs) {
			long total = 1;

			for (int j = 0; j < t->o.nkeys; j++)
				total = total > LONG_MAX / 1000 ? total : total * t->o.keys[j].n;
			fprintf(stderr, PROG ": the grid has %ld combinations, more than --max-runs %ld: narrow it (larger "
				"steps, fewer keys) or raise --max-runs (at most %d)\n", total, t->o.max_runs,
				TUNE_HARD_MAX_RUNS);
			rc = ZP_EXIT_USAGE;
			goto done;
		}
	}
	/* which ground truth, as eval finds it; it decides the metric: checked before decoding anything */
	rc = zp_score_resolve(PROG, t->o.source, t->o.gt, -1, &t->in);
	if (rc)
		goto done;
	if (t->in.kind == ZP_SCORE_WALLFLOWER) {
		fprintf(stderr, PROG ": %s: a Wallflower set (pixel masks of one or two frames): nothing to tune on; "
			"use zebrapad eval\n", t->o.source);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	for (int m = 0; m < NMETRICS; m++) {
		zp_score_kind kind = t->in.kind;

		if (t->o.metric ? !strcmp(metrics[m].name, t->o.metric) : metrics[m].kind == kind) {
			if (metrics[m].kind != kind) {
				fprintf(stderr, PROG ": --metric %s needs %s as --gt; %s is %s\n", t->o.metric,
					metrics[m].kind == ZP_SCORE_CDNET ? "CDnet masks (a folder)" :
					"MOTChallenge boxes (a gt.txt)", t->in.gt,
					kind == ZP_SCORE_CDNET ? "a folder (CDnet: f, precision, recall, pwc)" :
					"a file (MOTChallenge: presence_f, presence_recall, presence_precision, mota)");
				rc = ZP_EXIT_USAGE;
				goto done;
			}
			t->metric = &metrics[m];
			break;
		}
	}
	t->cfg = malloc(sizeof(*t->cfg));
	if (!t->cfg) {
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	if (zp_config_load(t->o.config, t->cfg, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	t->cfg->detector.simd = env->simd;
	rc = check_children(t);
	if (rc)
		goto done;
	for (int k = 0; k < t->o.nkeys; k++)
		base_value(t, k, t->base[k], sizeof(t->base[k]));
	if (zp_config_ground(t->cfg, &t->ground, NULL, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	rc = make_out_dir(t->o.out);
	if (rc)
		goto done;
	warn_idle_keys(t);

	fprintf(stderr, PROG ": decoding %s ...\n", t->in.source);
	t->set = zp_score_set_load(PROG, &t->in, t->o.max_frames, frame_memory(), &code);
	if (!t->set) {
		rc = code;
		goto done;
	}
	cd = zp_score_set_kind(t->set) == ZP_SCORE_CDNET;
	/* MOT: scored from the end of the config's warm-up, as eval does; the same frames for every run */
	t->first = cd ? 1 : t->cfg->detector.warmup_frames + 1;
	zp_score_set_info(t->set, &frames, &w, &h, desc, sizeof(desc));
	if (t->o.holdout_from > 0 && (t->o.holdout_from <= t->first || t->o.holdout_from > frames)) {
		fprintf(stderr, PROG ": --holdout-from %ld: expected a frame after the first scored one (%lld) and at most "
			"the last (%ld)\n", t->o.holdout_from, (long long)t->first, frames);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (!cd && zp_score_set_annotated(t->set) < frames)
		fprintf(stderr, PROG ": warning: %s has boxes up to frame %lld: frames from %lld are not scored\n",
			t->in.gt, (long long)zp_score_set_annotated(t->set), (long long)zp_score_set_annotated(t->set) + 1);
	t->nruns = combos + 1;
	t->runs = calloc((size_t)t->nruns, sizeof(*t->runs));
	t->order = calloc((size_t)t->nruns, sizeof(*t->order));
	if (!t->runs || !t->order) {
		rc = ZP_EXIT_FAIL;
		goto done;
	}

	/* run 0: the config as given - the baseline, and the timing for the estimate */
	t0 = now_s();
	{
		struct run_msg m;

		do_run(t, 0, &m);
		store(t, &m);
		if (m.status != RUN_OK) {
			fprintf(stderr, PROG ": %s: %s\n", t->o.config, m.err);
			rc = m.status == RUN_INVALID || strstr(m.err, "zone") ? ZP_EXIT_USAGE : ZP_EXIT_FAIL;
			goto done;
		}
	}
	per_run = now_s() - t0;
	est = per_run * ceil((double)combos / t->o.jobs);
	zp_fmt_duration(tb, sizeof(tb), est, true);
	if (est > t->o.max_hours * 3600 && !t->o.yes) {
		fprintf(stderr, PROG ": %s; %s = %.4f with the config as given (%.2f s per run)\n", desc, t->metric->name,
			t->runs[0].value, per_run);
		fprintf(stderr, PROG ": this sweep would take about %.1f hours (%ld runs x %.2f s on %d workers), over "
			"--max-hours %g: narrow the grid, use --max-frames, or pass --yes to run it anyway\n",
			est / 3600, combos, per_run, t->o.jobs, t->o.max_hours);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	/* Ctrl-C from here on: stop the workers, keep what is done */
	if (sigprocmask(SIG_BLOCK, &sigint, &oldmask) == 0) {
		blocked = true;
		sigfd = signalfd(-1, &sigint, SFD_NONBLOCK | SFD_CLOEXEC);
	}
	fprintf(stderr, PROG ": %s; %s = %.4f with the config as given (%.2f s per run)\n", desc, t->metric->name,
		t->runs[0].value, per_run);
	fprintf(stderr, PROG ": %ld runs on %d worker%s, about %s (Ctrl-C stops and keeps the runs done in runs.csv)\n",
		combos, t->o.jobs, t->o.jobs == 1 ? "" : "s", tb);
	rc = run_parallel(t, per_run, sigfd, &sigint);
	if (rc == TUNE_EXIT_INTERRUPTED) {
		long done_runs = 0;

		for (long r = 0; r < t->nruns; r++)
			done_runs += t->runs[r].status != RUN_PENDING;
		snprintf(path, sizeof(path), "%s/runs.csv", t->o.out);
		if ((code = write_csv(t, path)) != 0) {
			fprintf(stderr, PROG ": interrupted; %s: cannot write (%s)\n", path, strerror(-code));
			rc = ZP_EXIT_FAIL;
			goto done;
		}
		fprintf(stderr, PROG ": interrupted: %ld of %ld runs done (the config as given included); they are in "
			"%s; no best.ini or plot.png written\n", done_runs, t->nruns, path);
		goto done;
	}
	if (rc)
		goto done;

	mark_unsafe(t);
	rank(t);
	best = t->order[0];
	for (long r = 1; r < t->nruns; r++)
		unsafe += t->runs[r].unsafe;
	{
		long invalid = 0, failed = 0, first_invalid = 0, first_failed = 0;

		for (long r = 1; r < t->nruns; r++) {
			if (t->runs[r].status == RUN_INVALID && !invalid++)
				first_invalid = r;
			if (t->runs[r].status == RUN_FAILED && !failed++)
				first_failed = r;
		}
		zp_runlog_sync(*log, 500);   /* stderr (the bar wiped, warnings) before the results on a terminal */
		printf(PROG ": %s on %s\n%ld runs (%ld combinations + the config as given), metric %s (%s)\n",
		       t->o.config, t->o.source, t->nruns, combos, t->metric->name,
		       t->metric->lower_better ? "lower is better" : "higher is better");
		if (t->o.holdout_from > 0)
			printf("ranked on frames %lld-%ld; frames %ld-%lld held out (the held-out column)\n",
			       (long long)t->first, t->o.holdout_from - 1, t->o.holdout_from,
			       cd ? (long long)frames : (long long)zp_score_set_annotated(t->set));
		else if (!cd)
			printf("scored frames %lld-%lld (after the warm-up of %d frames)\n", (long long)t->first,
			       (long long)(zp_score_set_annotated(t->set) < frames ? zp_score_set_annotated(t->set) : frames),
			       t->cfg->detector.warmup_frames);
		if (invalid)
			printf("%ld combinations skipped: not a valid [detector] set (run %ld: %s)\n", invalid,
			       first_invalid, t->runs[first_invalid].err);
		if (failed)
			printf("%ld runs failed (run %ld: %s)\n", failed, first_failed, t->runs[first_failed].err);
		if (invalid == combos) {
			fprintf(stderr, PROG ": every combination of the grid is invalid (run %ld: %s): nothing was tuned, "
				"no best.ini written\n", first_invalid, t->runs[first_invalid].err);
			rc = ZP_EXIT_USAGE;
			goto done;
		}
		if (!cd)
			printf("safety: a run that misses more presence episodes or has fewer valid calls than the config "
			       "as given (missed %llu of %llu episodes, %llu of %llu valid calls) is never recommended: "
			       "%ld such run%s\n",
			       (unsigned long long)t->runs[0].score.zones.pres.missed,
			       (unsigned long long)t->runs[0].score.zones.pres.episodes,
			       (unsigned long long)t->runs[0].score.zones.calls.valid,
			       (unsigned long long)t->runs[0].score.zones.calls.episodes, unsafe, unsafe == 1 ? "" : "s");
	}
	print_table(t, stdout);

	snprintf(path, sizeof(path), "%s/runs.csv", t->o.out);
	if ((code = write_csv(t, path)) != 0) {
		fprintf(stderr, PROG ": %s: cannot write (%s)\n", path, strerror(-code));
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	snprintf(path, sizeof(path), "%s/best.ini", t->o.out);
	if (write_best(t, best, path, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	snprintf(path, sizeof(path), "%s/plot.png", t->o.out);
	if (write_plot(t, best, path, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	printf("\nbest: %s %.4f (config as given: %.4f)%s\n", t->metric->name, t->runs[best].value, t->runs[0].value,
	       best == 0 ? " - no combination beat it" : "");
	if (t->o.holdout_from > 0) {
		const zp_score *bh = &t->runs[best].held, *b0 = &t->runs[0].held;

		printf("held out (frames from %ld): best %s %.4f, config as given %.4f", t->o.holdout_from,
		       t->metric->name, t->runs[best].held_value, t->runs[0].held_value);
		if (!cd)
			printf("; missed episodes %llu/%llu (as given %llu/%llu), valid calls %llu/%llu (as given %llu/%llu)",
			       (unsigned long long)bh->zones.pres.missed, (unsigned long long)bh->zones.pres.episodes,
			       (unsigned long long)b0->zones.pres.missed, (unsigned long long)b0->zones.pres.episodes,
			       (unsigned long long)bh->zones.calls.valid, (unsigned long long)bh->zones.calls.episodes,
			       (unsigned long long)b0->zones.calls.valid, (unsigned long long)b0->zones.calls.episodes);
		putchar('\n');
	}
	flag_edges(t, best, stdout, "note: ");
	printf("wrote %s/best.ini, %s/runs.csv, %s/plot.png\n", t->o.out, t->o.out, t->o.out);
	rc = fflush(stdout) == 0 ? ZP_EXIT_OK : ZP_EXIT_FAIL;
done:
	if (sigfd >= 0)
		close(sigfd);
	if (blocked)
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	zp_score_set_free(t->set);
	free(t->runs);
	free(t->order);
	free(t->cfg);
	free_opts(&t->o);
	free(t);
	return rc;
}

/* The log hand-off around the command (zp_runlog_command, cli.h). */
int zp_cmd_tune(int argc, char **argv, const zp_cmd_env *env)
{
	return zp_runlog_command(tune_main, argc, argv, env);
}
