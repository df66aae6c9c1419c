/* SPDX-License-Identifier: MIT */
/* bench_suite.c - the measurements behind `zebrapad bench` (see bench_suite.h). */
#include "bench_suite.h"

#include "capture.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t frame_bytes(const zp_bench_frames *fr)
{
	return (size_t)fr->width * (size_t)fr->height;
}

static const uint8_t *frame_at(const zp_bench_frames *fr, int i)
{
	return fr->luma + (size_t)i * frame_bytes(fr);
}

static bool frames_ok(const zp_bench_frames *fr)
{
	return fr && fr->luma && fr->n > 0 && fr->width > 0 && fr->height > 0;
}

void zp_bench_frames_free(zp_bench_frames *fr)
{
	if (!fr)
		return;
	free(fr->luma);
	free(fr->t_ms);
	memset(fr, 0, sizeof(*fr));
}

size_t zp_bench_frames_budget(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	size_t quarter = pages > 0 && size > 0 ? (size_t)pages * (size_t)size / 4 : 0;

	return quarter > ((size_t)64 << 20) ? quarter : (size_t)64 << 20;
}

int zp_bench_frames_load(zp_bench_frames *fr, const char *source, int max_frames, size_t budget, char *err,
			 size_t errlen)
{
	zp_source *s;
	zp_frame f;
	long count;
	int code = 0, cap, rc;

	memset(fr, 0, sizeof(*fr));
	s = zp_source_open_file(source, 0, &code, err, errlen);
	if (!s)
		return code < 0 ? code : ZP_ENODEV;
	zp_source_size(s, &fr->width, &fr->height);
	count = zp_source_frame_count(s);
	cap = count > 0 && count < 1000000 ? (int)count + 1 : 256;
	if (max_frames > 0 && cap > max_frames)
		cap = max_frames;
	for (;;) {
		if (max_frames > 0 && fr->n >= max_frames)
			break;
		if (fr->n > 0 && (size_t)(fr->n + 1) * frame_bytes(fr) > budget) {
			fr->capped = true;
			break;
		}
		rc = zp_source_next(s, &f, 10000);
		if (rc == ZP_EOF)
			break;
		if (rc < 0) {
			zp_seterr(err, errlen, rc, "%s: frame %d: %s", source, fr->n + 1, zp_source_error(s));
			goto fail;
		}
		if (f.width != fr->width || f.height != fr->height) {
			rc = zp_seterr(err, errlen, ZP_EFORMAT, "%s: frame %d is %dx%d, expected %dx%d", source,
				       fr->n + 1, f.width, f.height, fr->width, fr->height);
			goto fail;
		}
		if (!fr->luma || fr->n == cap) {
			int ncap = fr->luma ? cap * 2 : cap;
			uint8_t *l = realloc(fr->luma, (size_t)ncap * frame_bytes(fr));
			int64_t *t;

			if (!l)
				goto nomem;
			fr->luma = l;
			t = realloc(fr->t_ms, (size_t)ncap * sizeof(*t));
			if (!t)
				goto nomem;
			fr->t_ms = t;
			cap = ncap;
		}
		for (int y = 0; y < f.height; y++)
			memcpy(fr->luma + (size_t)fr->n * frame_bytes(fr) + (size_t)y * fr->width,
			       f.luma + (size_t)y * f.stride, (size_t)fr->width);
		fr->t_ms[fr->n++] = f.t_ms;
	}
	zp_source_free(s);
	if (fr->n == 0) {
		zp_bench_frames_free(fr);
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: no frames", source);
	}
	return 0;
nomem:
	rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory for %d frames of %dx%d", source, fr->n + 1,
		       fr->width, fr->height);
fail:
	zp_source_free(s);
	zp_bench_frames_free(fr);
	return rc;
}

int zp_bench_frames_downscale(const zp_bench_frames *in, int scale, zp_bench_frames *out)
{
	zp_pixops ops;
	uint8_t *half = NULL;
	int hw, hh;

	memset(out, 0, sizeof(*out));
	if (!frames_ok(in) || (scale != 1 && scale != 2 && scale != 4) || in->width < scale || in->height < scale)
		return ZP_EINVAL;
	zp_pixops_init(&ops, zp_simd_cpu_best());
	hw = in->width / 2;
	hh = in->height / 2;
	out->width = scale == 1 ? in->width : scale == 2 ? hw : hw / 2;
	out->height = scale == 1 ? in->height : scale == 2 ? hh : hh / 2;
	out->n = in->n;
	out->luma = malloc((size_t)out->n * frame_bytes(out));
	out->t_ms = malloc((size_t)out->n * sizeof(*out->t_ms));
	if (scale == 4)
		half = malloc((size_t)hw * hh);
	if (!out->luma || !out->t_ms || (scale == 4 && !half)) {
		free(half);
		zp_bench_frames_free(out);
		return ZP_ENOMEM;
	}
	memcpy(out->t_ms, in->t_ms, (size_t)in->n * sizeof(*in->t_ms));
	for (int i = 0; i < in->n; i++) {
		uint8_t *dst = out->luma + (size_t)i * frame_bytes(out);

		if (scale == 1) {
			memcpy(dst, frame_at(in, i), frame_bytes(in));
		} else if (scale == 2) {
			ops.downscale2(frame_at(in, i), in->width, dst, out->width, in->width, in->height);
		} else {
			ops.downscale2(frame_at(in, i), in->width, half, hw, in->width, in->height);
			ops.downscale2(half, hw, dst, out->width, hw, hh);
		}
	}
	free(half);
	return 0;
}

int zp_bench_model(const zp_bench_frames *fr, zp_simd simd, const zp_bgmodel_params *p, int reps, double *ms)
{
	uint8_t *fg;

	if (!frames_ok(fr) || !p || reps < 1 || !ms)
		return ZP_EINVAL;
	fg = malloc(frame_bytes(fr));
	if (!fg)
		return ZP_ENOMEM;
	for (int r = 0; r < reps; r++) {
		zp_bgmodel *m = zp_bgmodel_new(fr->width, fr->height, p, simd, NULL, 0);
		double t0;

		if (!m) {
			free(fg);
			return ZP_ENOMEM;
		}
		t0 = now_ms();
		for (int i = 0; i < fr->n; i++)
			zp_bgmodel_apply(m, frame_at(fr, i), fr->width, NULL, 0, fg, fr->width);
		ms[r] = (now_ms() - t0) / fr->n;
		zp_bgmodel_free(m);
	}
	free(fg);
	return 0;
}

/* Create a detector on path simd (the parameters' own path is replaced). */
static zp_detector *detector_on_path(const zp_bench_frames *fr, zp_simd simd, const zp_detector_params *p,
				     const zp_zone *zones, int nzones, char *err, size_t errlen)
{
	zp_detector_params q = *p;

	q.simd = simd;
	return zp_detector_new(&q, zones, nzones, fr->width, fr->height, NULL, err, errlen);
}

int zp_bench_detector(const zp_bench_frames *fr, zp_simd simd, const zp_detector_params *p, const zp_zone *zones,
		      int nzones, int reps, double *ms, char *err, size_t errlen)
{
	zp_result *res;

	if (!frames_ok(fr) || !p || reps < 1 || !ms)
		return zp_seterr(err, errlen, ZP_EINVAL, "bench: detector: bad arguments");
	res = malloc(sizeof(*res));
	if (!res)
		return zp_seterr(err, errlen, ZP_ENOMEM, "bench: out of memory");
	for (int r = 0; r < reps; r++) {
		zp_detector *d = detector_on_path(fr, simd, p, zones, nzones, err, errlen);
		double t0;

		if (!d) {
			free(res);
			return ZP_EINVAL;
		}
		t0 = now_ms();
		for (int i = 0; i < fr->n; i++) {
			zp_frame f = { .luma = frame_at(fr, i), .stride = fr->width, .width = fr->width,
				       .height = fr->height, .t_ms = fr->t_ms[i], .seq = (uint64_t)i + 1 };

			zp_detector_process(d, &f, res);
		}
		ms[r] = (now_ms() - t0) / fr->n;
		zp_detector_free(d);
	}
	free(res);
	return 0;
}

int zp_bench_cv(const zp_bench_frames *fr, zp_cv_bgsub_kind kind, int reps, double *ms, char *err, size_t errlen)
{
	uint8_t *mask;

	if (!frames_ok(fr) || reps < 1 || !ms)
		return zp_seterr(err, errlen, ZP_EINVAL, "bench: %s: bad arguments", zp_cv_bgsub_name(kind));
	mask = malloc(frame_bytes(fr));
	if (!mask)
		return zp_seterr(err, errlen, ZP_ENOMEM, "bench: out of memory");
	for (int r = 0; r < reps; r++) {
		zp_cv_bgsub *b = zp_cv_bgsub_new(kind, err, errlen);
		double t0;
		int rc = 0;

		if (!b) {
			free(mask);
			return ZP_EUNSUPPORTED;
		}
		t0 = now_ms();
		for (int i = 0; i < fr->n && rc == 0; i++)
			rc = zp_cv_bgsub_apply(b, frame_at(fr, i), fr->width, fr->height, fr->width, 1, mask, fr->width);
		ms[r] = (now_ms() - t0) / fr->n;
		zp_cv_bgsub_free(b);
		if (rc < 0) {
			free(mask);
			return zp_seterr(err, errlen, rc, "bench: %s apply failed: %s", zp_cv_bgsub_name(kind),
					 zp_strerror(rc));
		}
	}
	free(mask);
	return 0;
}

/* Bytes of model state per pixel (models.h: mean, dev, mean2, counters): (ZP_BENCH_MODEL_BYTES_PER_PIXEL - 2) / 2. */
#define ZP_MODEL_BYTES_PER_PX 8

/* Page-aligned buffer of at least `bytes` (rounded up to whole pages), or NULL. */
static uint8_t *page_alloc(size_t bytes)
{
	return aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
}

int zp_bench_yuv(int w, int h, bool bgr, bool cv, zp_simd simd, int frames, int reps, double *ms, char *err,
		 size_t errlen)
{
	size_t n = (size_t)w * h;
	uint8_t *src, *luma, *out;
	uint32_t s = 0x9e3779b9u;
	zp_pixops ops;
	int rc = 0;

	if (w < 2 || w % 2 || h < 1 || w > 16384 || h > 16384 || frames < 1 || reps < 1 || !ms)
		return zp_seterr(err, errlen, ZP_EINVAL, "bench: YUYV conversion: bad arguments");
	src = page_alloc(2 * n);
	luma = page_alloc(n);
	out = page_alloc(3 * n);
	if (!src || !luma || !out) {
		free(src);
		free(luma);
		free(out);
		return zp_seterr(err, errlen, ZP_ENOMEM, "bench: out of memory");
	}
	for (size_t i = 0; i < 2 * n; i++) { /* xorshift32 */
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		src[i] = (uint8_t)s;
	}
	zp_pixops_init(&ops, simd);
	for (int r = 0; r < reps && rc == 0; r++) {
		double t0 = now_ms();

		for (int f = 0; f < frames && rc == 0; f++) {
			if (cv) {
				rc = zp_cv_yuyv_convert(src, 2 * w, bgr ? out : luma, bgr ? 3 * w : w, w, h, bgr);
				continue;
			}
			for (int y = 0; y < h; y++)
				ops.yuv_luma_packed(luma + (size_t)y * w, src + (size_t)y * 2 * w, w, 0);
			if (bgr)
				for (int y = 0; y < h; y++) {
					const uint8_t *row = src + (size_t)y * 2 * w;

					ops.yuv_bgr_row(out + (size_t)y * 3 * w, luma + (size_t)y * w, row + 1, row + 3, w, 4);
				}
			__asm__ volatile("" : : "r"(luma), "r"(out) : "memory");
		}
		ms[r] = (now_ms() - t0) / frames;
	}
	free(src);
	free(luma);
	free(out);
	if (rc < 0)
		return zp_seterr(err, errlen, rc, "bench: OpenCV YUYV conversion failed: %s", zp_strerror(rc));
	return 0;
}

/*
 * Each destination sits at the same offset within its page as its source:
 * glibc's memcpy (`rep movsb` on CPUs with FSRM) was measured 10-30x slower
 * on this development machine's AMD EPYC when the destination lies a few
 * bytes past the source modulo 4 KiB, and a floor has to be the fast case.
 */
int zp_bench_floor(const zp_bench_frames *fr, int reps, double *ms)
{
	size_t n;
	uint8_t *fg, *a, *b;

	if (!frames_ok(fr) || reps < 1 || !ms)
		return ZP_EINVAL;
	n = frame_bytes(fr);
	fg = page_alloc(n + 4096);
	a = page_alloc(ZP_MODEL_BYTES_PER_PX * n);
	b = page_alloc(ZP_MODEL_BYTES_PER_PX * n);
	if (!fg || !a || !b) {
		free(fg);
		free(a);
		free(b);
		return ZP_ENOMEM;
	}
	memset(fg, 0, n + 4096);
	memset(a, 1, ZP_MODEL_BYTES_PER_PX * n);
	memset(b, 2, ZP_MODEL_BYTES_PER_PX * n);
	for (int r = 0; r < reps; r++) {
		double t0 = now_ms();

		for (int i = 0; i < fr->n; i++) {
			const uint8_t *src = frame_at(fr, i);
			uint8_t *dst = fg + ((uintptr_t)src & 4095);

			memcpy(dst, src, n);
			memcpy(b, a, ZP_MODEL_BYTES_PER_PX * n);
			/* keep the copies from being dropped or merged across frames */
			__asm__ volatile("" : : "r"(dst), "r"(b) : "memory");
		}
		ms[r] = (now_ms() - t0) / fr->n;
	}
	free(fg);
	free(a);
	free(b);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double zp_bench_median(double *v, int n)
{
	if (!v || n < 1)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

long zp_bench_maxrss_kib(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return ru.ru_maxrss;
}

int zp_bench_pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return zp_err_from_errno(errno);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		return zp_err_from_errno(errno);
	return cpu;
}

/* VmHWM from /proc/self/status in KiB, or ru_maxrss when that cannot be read. */
static long peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
				break;
		fclose(f);
	}
	return kib >= 0 ? kib : zp_bench_maxrss_kib();
}

int zp_bench_runlike_run(const char *source, int max_frames, const zp_detector_params *p, const zp_zone *zones,
			 int nzones, zp_bench_runlike *out, char *err, size_t errlen)
{
	zp_source *s;
	zp_detector *d = NULL;
	zp_result *res = NULL;
	zp_frame f;
	int code = 0, w, h, rc;

	memset(out, 0, sizeof(*out));
	out->start_kib = peak_rss_kib();
	s = zp_source_open_file(source, 0, &code, err, errlen);
	if (!s)
		return code < 0 ? code : ZP_ENODEV;
	zp_source_size(s, &w, &h);
	res = malloc(sizeof(*res));
	d = zp_detector_new(p, zones, nzones, w, h, NULL, err, errlen);
	if (!res || !d) {
		rc = res ? ZP_EINVAL : zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
		goto out;
	}
	out->state_bytes = zp_detector_state_bytes(d);
	while (max_frames <= 0 || out->frames < max_frames) {
		rc = zp_source_next(s, &f, 10000);
		if (rc == ZP_EOF)
			break;
		if (rc < 0) {
			zp_seterr(err, errlen, rc, "%s: %s", source, zp_source_error(s));
			goto out;
		}
		if (zp_detector_process(d, &f, res) < 0) {
			rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: frame %ld: the detector refused it", source,
				       out->frames + 1);
			goto out;
		}
		out->frames++;
	}
	out->peak_kib = peak_rss_kib();
	rc = 0;
out:
	zp_detector_free(d);
	zp_source_free(s);
	free(res);
	return rc;
}

void zp_bench_runlike_print(FILE *f, const zp_bench_runlike *r)
{
	fprintf(f, "runlike frames=%ld start_kib=%ld peak_kib=%ld state_bytes=%zu\n", r->frames, r->start_kib,
		r->peak_kib, r->state_bytes);
}

int zp_bench_runlike_parse(const char *line, zp_bench_runlike *r)
{
	memset(r, 0, sizeof(*r));
	if (sscanf(line, "runlike frames=%ld start_kib=%ld peak_kib=%ld state_bytes=%zu", &r->frames, &r->start_kib,
		   &r->peak_kib, &r->state_bytes) != 4)
		return ZP_EINVAL;
	return 0;
}

int zp_bench_spawn_runlike(const char *exe, char *const argv[], zp_bench_runlike *out, char *err, size_t errlen)
{
	char buf[512];
	size_t got = 0;
	int fds[2], status = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe(fds) != 0)
		return zp_seterr(err, errlen, ZP_EIO, "bench: pipe: %s", strerror(errno));
	fflush(NULL); /* nothing buffered twice */
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return zp_seterr(err, errlen, ZP_EIO, "bench: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(fds[1]);
		execv(exe, argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t rd = read(fds[0], buf + got, sizeof(buf) - 1 - got);

		if (rd < 0 && errno == EINTR)
			continue;
		if (rd <= 0)
			break;
		got += (size_t)rd;
		if (got == sizeof(buf) - 1) {
			char sink[256];

			while (read(fds[0], sink, sizeof(sink)) > 0) /* drain, so the child never blocks */
				;
			break;
		}
	}
	buf[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return zp_seterr(err, errlen, ZP_EIO, "bench: the run-like child %s failed (%s %d)", exe,
				 WIFEXITED(status) ? "exit" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	if (zp_bench_runlike_parse(buf, out) < 0)
		return zp_seterr(err, errlen, ZP_EIO, "bench: the run-like child printed no result line");
	return 0;
}
