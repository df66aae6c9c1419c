/* SPDX-License-Identifier: MIT */
/*
 * fake_v4l2.c - a simulated UVC camera behind libv4l2's API; see fake_v4l2.h.
 *
 * One process-wide camera (the fake replaces a library whose calls carry no
 * context), reset by fake_v4l2_reset(). Readiness for poll() is a timerfd
 * armed at the time the next frame becomes ready; DQBUF itself checks the
 * same condition, so the timer only wakes poll.
 */
#include "fake_v4l2.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <libv4l2.h>

#define FAKE_MAX_FMTS 8
#define FAKE_MAX_BUFS 32
#define FAKE_MAX_FDS 8
#define FAKE_LOG 4096
#define FAKE_MAX_REQS 64
#define FAKE_OFFSET_STEP 0x100000u
#define FAKE_CAMERA "/dev/video0"
#define FAKE_META "/dev/video1"

struct fake_buf {
	uint8_t *mem;
	size_t length;
	bool mapped;
	bool queued;
	struct v4l2_buffer done; /* what DQBUF reported for it last */
};

struct fake_ctrl {
	uint32_t id;
	const char *name;
	uint32_t type;
	int32_t min, max, step, def;
	uint32_t flags;
	int64_t value;
};

struct fake_cam {
	/* the device */
	bool present;
	int open_errno;
	bool gone;
	enum fake_v4l2_unplug_mode gone_mode;
	uint32_t caps;
	struct fake_v4l2_fmt native[FAKE_MAX_FMTS];
	int nnative;
	bool emulate;
	bool refuse;
	int pad;
	int max_buffers;
	int fps;

	/* the negotiated / delivered format */
	struct v4l2_pix_format fmt;      /* what G_FMT says (changes with change_format) */
	struct v4l2_pix_format alloc;    /* format the buffers were allocated for */

	/* buffers and queue */
	struct fake_buf buf[FAKE_MAX_BUFS];
	int nbuf;
	int queue[FAKE_MAX_BUFS];
	int qhead, qlen;
	bool streaming;
	int owner_fd;

	/* timing */
	int64_t ready_ns;               /* the next frame is ready at this time */
	int64_t period_ns;
	bool stalled;
	int spurious;
	int eintr_k, eintr_left;
	int error_frames;
	enum fake_v4l2_ts ts_mode;

	/* frames */
	fake_v4l2_producer producer;
	void *producer_ctx;
	fake_v4l2_chroma_producer chroma;
	void *chroma_ctx;
	uint64_t frames;
	uint8_t *luma;
	uint8_t *cu, *cv;               /* full-resolution chroma from the chroma producer */
	size_t luma_size;
	int luma_w, luma_h;
	int64_t last_dqbuf_ns;
	int64_t last_ts_ms;

	/* bookkeeping */
	int fds[FAKE_MAX_FDS];
	int nfds;
	int opens;
	int open_attempts;
	int mapped;
	int unzeroed_unmaps;
	unsigned long log[FAKE_LOG];
	int nlog;
	unsigned long req_code[FAKE_MAX_REQS];
	int req_count[FAKE_MAX_REQS];
	int nreq;

	struct fake_ctrl ctrl[16];
	int nctrl;
};

/* The only state: see the file comment. */
static struct fake_cam cam;

static const struct fake_ctrl default_ctrls[] = {
	{ V4L2_CID_USER_CLASS, "User Controls", V4L2_CTRL_TYPE_CTRL_CLASS, 0, 0, 0, 0,
	  V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY, 0 },
	{ V4L2_CID_BRIGHTNESS, "Brightness", V4L2_CTRL_TYPE_INTEGER, -64, 64, 1, 0, 0, 0 },
	{ V4L2_CID_CONTRAST, "Contrast", V4L2_CTRL_TYPE_INTEGER, 0, 64, 1, 32, 0, 32 },
	{ V4L2_CID_AUTO_WHITE_BALANCE, "White Balance, Automatic", V4L2_CTRL_TYPE_BOOLEAN, 0, 1, 1, 1, 0, 1 },
	{ V4L2_CID_POWER_LINE_FREQUENCY, "Power Line Frequency", V4L2_CTRL_TYPE_MENU, 0, 2, 1, 1, 0, 1 },
	{ V4L2_CID_CAMERA_CLASS, "Camera Controls", V4L2_CTRL_TYPE_CTRL_CLASS, 0, 0, 0, 0,
	  V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY, 0 },
	{ V4L2_CID_EXPOSURE_AUTO, "Auto Exposure", V4L2_CTRL_TYPE_MENU, 0, 3, 1, 3, 0, 3 },
	{ V4L2_CID_EXPOSURE_ABSOLUTE, "Exposure Time, Absolute", V4L2_CTRL_TYPE_INTEGER, 3, 2047, 1, 250,
	  V4L2_CTRL_FLAG_INACTIVE, 250 },
	{ V4L2_CID_PIXEL_RATE, "Pixel Rate", V4L2_CTRL_TYPE_INTEGER64, 0, 0x7fffffff, 1, 0,
	  V4L2_CTRL_FLAG_READ_ONLY, 24000000 },
};

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fail(int e)
{
	errno = e;
	return -1;
}

/* ---- formats ---- */

static unsigned bpp_x2(uint32_t f)
{
	switch (f) {
	case V4L2_PIX_FMT_GREY:
		return 2;
	case V4L2_PIX_FMT_YUYV:
	case V4L2_PIX_FMT_UYVY:
		return 4;
	case V4L2_PIX_FMT_YUV420:
	case V4L2_PIX_FMT_YVU420:
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_NV21:
		return 3; /* 1.5 bytes per pixel */
	case V4L2_PIX_FMT_RGB24:
	case V4L2_PIX_FMT_BGR24:
		return 6;
	default:
		return 0; /* compressed */
	}
}

static void fill_pix(struct v4l2_pix_format *p, uint32_t fourcc, int w, int h)
{
	unsigned b = bpp_x2(fourcc);

	memset(p, 0, sizeof(*p));
	p->width = (uint32_t)w;
	p->height = (uint32_t)h;
	p->pixelformat = fourcc;
	p->field = V4L2_FIELD_NONE;
	p->colorspace = V4L2_COLORSPACE_SRGB;
	if (b == 0) {
		p->bytesperline = 0;
		p->sizeimage = (uint32_t)(w * h); /* a generous JPEG */
	} else if (b == 3) {
		/* as the kernel's v4l2_fill_pixfmt: 4:2:0 planes round up (bytesperline/2, height/2) */
		p->bytesperline = (uint32_t)(w + cam.pad);
		p->sizeimage = p->bytesperline * (uint32_t)h +
			       (fourcc == V4L2_PIX_FMT_NV12 || fourcc == V4L2_PIX_FMT_NV21 ?
					p->bytesperline : (p->bytesperline + 1) / 2 * 2) * (uint32_t)((h + 1) / 2);
	} else {
		p->bytesperline = (uint32_t)(w * (int)b / 2 + cam.pad);
		p->sizeimage = p->bytesperline * (uint32_t)h;
	}
}

static bool is_emulated(uint32_t f)
{
	return f == V4L2_PIX_FMT_YUV420 || f == V4L2_PIX_FMT_YVU420 || f == V4L2_PIX_FMT_RGB24 ||
	       f == V4L2_PIX_FMT_BGR24;
}

static bool native_has(uint32_t f)
{
	int i;

	for (i = 0; i < cam.nnative; i++)
		if (cam.native[i].fourcc == f)
			return true;
	return false;
}

/* The driver's answer to S_FMT / TRY_FMT: a format it has, the size nearest the request. */
static void adjust_format(struct v4l2_pix_format *want)
{
	uint32_t f = want->pixelformat;
	long best = -1;
	int i, w = cam.native[0].width, h = cam.native[0].height;

	if (cam.refuse || !(native_has(f) || (cam.emulate && is_emulated(f))))
		f = cam.native[0].fourcc;
	for (i = 0; i < cam.nnative; i++) {
		long d;

		if (native_has(f) && cam.native[i].fourcc != f)
			continue;
		d = labs((long)cam.native[i].width - (long)want->width) +
		    labs((long)cam.native[i].height - (long)want->height);
		if (best < 0 || d < best) {
			best = d;
			w = cam.native[i].width;
			h = cam.native[i].height;
		}
	}
	fill_pix(want, f, w, h);
}

/* ---- readiness ---- */

static bool frame_ready(int64_t now)
{
	return cam.streaming && !cam.gone && !cam.stalled && cam.qlen > 0 && now >= cam.ready_ns;
}

/* Arm the owner's timerfd for the next frame, or disarm it. */
static void rearm(void)
{
	struct itimerspec its;
	int64_t t;

	if (cam.owner_fd < 0 || (cam.gone && cam.gone_mode == FAKE_UNPLUG_POLLHUP))
		return;
	memset(&its, 0, sizeof(its));
	if (cam.gone || (cam.streaming && !cam.stalled && cam.qlen > 0)) {
		t = cam.gone ? 1 : (cam.ready_ns > 0 ? cam.ready_ns : 1);
		its.it_value.tv_sec = (time_t)(t / 1000000000);
		its.it_value.tv_nsec = (long)(t % 1000000000);
	}
	timerfd_settime(cam.owner_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* ---- the synthetic picture and conversion ---- */

static void synthetic(void *ctx, uint64_t n, uint8_t *luma, int width, int height)
{
	int x, y;

	(void)ctx;
	for (y = 0; y < height; y++)
		for (x = 0; x < width; x++)
			luma[(size_t)y * (size_t)width + (size_t)x] = (uint8_t)(x + 2 * y + 3 * (int)n);
}

/*
 * The 4:2:0 chroma planes from the chroma producer's full-resolution U and V:
 * YU12 / YV12 two planes of rows (bpl + 1) / 2 apart, NV12 / NV21 one
 * interleaved plane of rows bpl apart; padding is 0xee.
 */
static void render_chroma_420(uint8_t *dst, const struct v4l2_pix_format *p)
{
	int w = (int)p->width, h = (int)p->height, cw = (w + 1) / 2, ch = (h + 1) / 2, x, y;
	size_t bpl = p->bytesperline, cs, src;
	uint32_t f = p->pixelformat;
	uint8_t *c0 = dst + bpl * (size_t)h, *c1;
	const uint8_t *first = f == V4L2_PIX_FMT_YUV420 || f == V4L2_PIX_FMT_NV12 ? cam.cu : cam.cv;
	const uint8_t *second = first == cam.cu ? cam.cv : cam.cu;

	if (f == V4L2_PIX_FMT_NV12 || f == V4L2_PIX_FMT_NV21) {
		for (y = 0; y < ch; y++) {
			uint8_t *row = c0 + (size_t)y * bpl;

			memset(row, 0xee, bpl);
			for (x = 0; x < cw; x++) {
				src = (size_t)(2 * y) * (size_t)w + (size_t)(2 * x);
				row[2 * x] = first[src];
				row[2 * x + 1] = second[src];
			}
		}
		return;
	}
	cs = (bpl + 1) / 2;
	c1 = c0 + cs * (size_t)ch;
	for (y = 0; y < ch; y++) {
		memset(c0 + (size_t)y * cs, 0xee, cs);
		memset(c1 + (size_t)y * cs, 0xee, cs);
		for (x = 0; x < cw; x++) {
			src = (size_t)(2 * y) * (size_t)w + (size_t)(2 * x);
			c0[(size_t)y * cs + (size_t)x] = first[src];
			c1[(size_t)y * cs + (size_t)x] = second[src];
		}
	}
}

/*
 * Write the current frame into buffer memory in format p: its luma, and
 * chroma from the chroma producer, or junk (so a wrong luma extraction shows).
 */
static void render(uint8_t *dst, const struct v4l2_pix_format *p, uint64_t n)
{
	int w = (int)p->width, h = (int)p->height, x, y;
	size_t bpl = p->bytesperline;
	uint8_t junk = (uint8_t)(n * 7 + 91);
	const uint8_t *l = cam.luma;

	switch (p->pixelformat) {
	case V4L2_PIX_FMT_GREY:
	case V4L2_PIX_FMT_YUV420:
	case V4L2_PIX_FMT_YVU420:
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_NV21:
		for (y = 0; y < h; y++) {
			memcpy(dst + (size_t)y * bpl, l + (size_t)y * (size_t)w, (size_t)w);
			memset(dst + (size_t)y * bpl + w, 0xee, bpl - (size_t)w);
		}
		if (p->pixelformat != V4L2_PIX_FMT_GREY && cam.chroma)
			render_chroma_420(dst, p);
		else if (p->pixelformat != V4L2_PIX_FMT_GREY)
			memset(dst + bpl * (size_t)h, junk, p->sizeimage - bpl * (size_t)h);
		break;
	case V4L2_PIX_FMT_YUYV:
	case V4L2_PIX_FMT_UYVY: {
		int yo = p->pixelformat == V4L2_PIX_FMT_UYVY;

		for (y = 0; y < h; y++) {
			uint8_t *row = dst + (size_t)y * bpl;
			const uint8_t *u = cam.cu + (size_t)y * (size_t)w, *v = cam.cv + (size_t)y * (size_t)w;

			memset(row + 2 * w, 0xee, bpl - 2 * (size_t)w);
			for (x = 0; x < w; x++) {
				row[2 * x + yo] = l[(size_t)y * (size_t)w + (size_t)x];
				if (!cam.chroma)
					row[2 * x + !yo] = (uint8_t)(junk + x);
				else if (x % 2 == 0)
					row[2 * x + !yo] = u[x];
				else
					row[2 * x + !yo] = v[x - 1];
			}
			/* an odd width: the last pixel's V goes into the padding, when there is room */
			if (cam.chroma && w % 2 && bpl >= 2 * (size_t)w + 2)
				row[2 * w + !yo] = v[w - 1];
		}
		break;
	}
	default:
		/* RGB, MJPG: nothing our reader can use; fill with junk */
		memset(dst, junk, p->sizeimage);
		break;
	}
}

/* ---- bookkeeping ---- */

static void record(unsigned long req)
{
	int i;

	cam.log[cam.nlog % FAKE_LOG] = req;
	cam.nlog++;
	for (i = 0; i < cam.nreq; i++)
		if (cam.req_code[i] == req)
			break;
	if (i == cam.nreq) {
		if (cam.nreq == FAKE_MAX_REQS)
			return;
		cam.req_code[cam.nreq] = req;
		cam.req_count[cam.nreq++] = 0;
	}
	cam.req_count[i]++;
}

static int fd_index(int fd)
{
	int i;

	for (i = 0; i < cam.nfds; i++)
		if (cam.fds[i] == fd)
			return i;
	return -1;
}

static struct fake_ctrl *ctrl_by_id(uint32_t id)
{
	int i;

	for (i = 0; i < cam.nctrl; i++)
		if (cam.ctrl[i].id == id)
			return &cam.ctrl[i];
	return NULL;
}

static void free_buffers(void)
{
	int i;

	for (i = 0; i < cam.nbuf; i++) {
		if (cam.buf[i].mapped)
			continue; /* freed when unmapped */
		free(cam.buf[i].mem);
		cam.buf[i].mem = NULL;
	}
	cam.nbuf = 0;
	cam.qlen = 0;
	cam.qhead = 0;
}

/* ---- public test API ---- */

void fake_v4l2_reset(void)
{
	static const struct fake_v4l2_fmt fmts[] = {
		{ V4L2_PIX_FMT_YUYV, 640, 480 },
		{ V4L2_PIX_FMT_MJPEG, 640, 480 },
		{ V4L2_PIX_FMT_MJPEG, 1280, 720 },
	};
	int i;

	for (i = 0; i < cam.nfds; i++)
		close(cam.fds[i] < 0 ? -cam.fds[i] - 1 : cam.fds[i]);
	for (i = 0; i < FAKE_MAX_BUFS; i++)
		free(cam.buf[i].mem);
	free(cam.luma);
	free(cam.cu);
	free(cam.cv);
	memset(&cam, 0, sizeof(cam));
	cam.present = true;
	cam.caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_EXT_PIX_FORMAT;
	memcpy(cam.native, fmts, sizeof(fmts));
	cam.nnative = 3;
	cam.emulate = true;
	cam.max_buffers = FAKE_MAX_BUFS;
	cam.fps = 30;
	cam.owner_fd = -1;
	cam.producer = synthetic;
	fill_pix(&cam.fmt, V4L2_PIX_FMT_YUYV, 640, 480);
	memcpy(cam.ctrl, default_ctrls, sizeof(default_ctrls));
	cam.nctrl = (int)(sizeof(default_ctrls) / sizeof(default_ctrls[0]));
}

void fake_v4l2_set_producer(fake_v4l2_producer fn, void *ctx)
{
	cam.producer = fn ? fn : synthetic;
	cam.producer_ctx = ctx;
}

void fake_v4l2_set_chroma_producer(fake_v4l2_chroma_producer fn, void *ctx)
{
	cam.chroma = fn;
	cam.chroma_ctx = ctx;
}

void fake_v4l2_set_formats(const struct fake_v4l2_fmt *fmts, int n, bool emulate)
{
	if (n > FAKE_MAX_FMTS)
		n = FAKE_MAX_FMTS;
	memcpy(cam.native, fmts, (size_t)n * sizeof(*fmts));
	cam.nnative = n;
	cam.emulate = emulate;
	if (!cam.nbuf)
		fill_pix(&cam.fmt, fmts[0].fourcc, fmts[0].width, fmts[0].height);
}

void fake_v4l2_set_row_padding(int pad)
{
	cam.pad = pad;
}

void fake_v4l2_set_max_buffers(int n)
{
	cam.max_buffers = n;
}

void fake_v4l2_set_caps(uint32_t device_caps)
{
	cam.caps = device_caps;
}

void fake_v4l2_set_open_errno(int e)
{
	cam.open_errno = e;
}

void fake_v4l2_unplug(enum fake_v4l2_unplug_mode mode)
{
	cam.present = false;
	cam.gone = true;
	cam.gone_mode = mode;
	if (cam.owner_fd >= 0 && mode == FAKE_UNPLUG_POLLHUP) {
		/* swap the fd for a pipe whose writer is gone: poll() reports POLLHUP */
		int p[2];

		if (pipe(p) == 0) {
			close(p[1]);
			dup2(p[0], cam.owner_fd);
			close(p[0]);
		}
	}
	rearm();
}

void fake_v4l2_plug(void)
{
	cam.present = true;
	cam.gone = false;
}

void fake_v4l2_stall(bool on)
{
	cam.stalled = on;
	if (!on && cam.ready_ns < now_ns(CLOCK_MONOTONIC))
		cam.ready_ns = now_ns(CLOCK_MONOTONIC);
	rearm();
}

void fake_v4l2_delay(int ms)
{
	cam.ready_ns = now_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	rearm();
}

void fake_v4l2_set_frame_period_us(int us)
{
	cam.period_ns = (int64_t)us * 1000;
}

void fake_v4l2_spurious(int n)
{
	cam.spurious = n;
}

void fake_v4l2_eintr(int k)
{
	cam.eintr_k = k;
	cam.eintr_left = k;
}

void fake_v4l2_error_frames(int n)
{
	cam.error_frames = n;
}

void fake_v4l2_change_format(uint32_t fourcc, int width, int height)
{
	struct fake_v4l2_fmt f = { fourcc, width, height };

	cam.native[0] = f;
	cam.nnative = 1;
	fill_pix(&cam.fmt, fourcc, width, height);
}

void fake_v4l2_refuse_formats(bool on)
{
	cam.refuse = on;
}

void fake_v4l2_set_timestamps(enum fake_v4l2_ts mode)
{
	cam.ts_mode = mode;
}

int fake_v4l2_count(unsigned long req)
{
	int i;

	for (i = 0; i < cam.nreq; i++)
		if (cam.req_code[i] == req)
			return cam.req_count[i];
	return 0;
}

int fake_v4l2_ncalls(void)
{
	return cam.nlog < FAKE_LOG ? cam.nlog : FAKE_LOG;
}

unsigned long fake_v4l2_call(int i)
{
	int first = cam.nlog < FAKE_LOG ? 0 : cam.nlog - FAKE_LOG;

	return cam.log[(first + i) % FAKE_LOG];
}

struct fake_v4l2_seen fake_v4l2_seen(void)
{
	return (struct fake_v4l2_seen){
		.opens = cam.opens,
		.open_attempts = cam.open_attempts,
		.open_fds = cam.nfds,
		.mapped = cam.mapped,
		.unzeroed_unmaps = cam.unzeroed_unmaps,
		.streaming = cam.streaming,
		.fps = cam.fps,
		.frames = cam.frames,
		.last_dqbuf_ns = cam.last_dqbuf_ns,
		.last_ts_ms = cam.last_ts_ms,
	};
}

int64_t fake_v4l2_ctrl(uint32_t id)
{
	struct fake_ctrl *c = ctrl_by_id(id);

	return c ? c->value : INT64_MIN;
}

const uint8_t *fake_v4l2_last_luma(int *width, int *height)
{
	*width = cam.luma_w;
	*height = cam.luma_h;
	return cam.luma;
}

/* ---- libv4l2 ---- */

int v4l2_open(const char *file, int oflag, ...)
{
	bool meta = strcmp(file, FAKE_META) == 0;
	int fd;

	cam.open_attempts++;
	if (strcmp(file, "/dev/null") == 0)
		return fail(ENOTTY); /* libv4l2 1.22 on a file that is not a V4L2 device */
	if (strcmp(file, FAKE_CAMERA) != 0 && !meta)
		return fail(ENOENT);
	if (!cam.present)
		return fail(ENOENT);
	if (cam.open_errno)
		return fail(cam.open_errno);
	if (cam.nfds == FAKE_MAX_FDS)
		return fail(EMFILE);
	fd = timerfd_create(CLOCK_MONOTONIC,
			    TFD_CLOEXEC | ((oflag & O_NONBLOCK) ? TFD_NONBLOCK : 0));
	if (fd < 0)
		return -1;
	/* the metadata node is told apart by a negative entry */
	cam.fds[cam.nfds++] = meta ? -fd - 1 : fd;
	cam.opens++;
	return fd;
}

int v4l2_close(int fd)
{
	int i = fd_index(fd);

	if (i < 0)
		i = fd_index(-fd - 1);
	if (i < 0)
		return fail(EBADF);
	cam.fds[i] = cam.fds[--cam.nfds];
	if (cam.owner_fd == fd) {
		cam.streaming = false;
		free_buffers();
		cam.owner_fd = -1;
	}
	return close(fd);
}

static int do_querycap(struct v4l2_capability *c, bool meta)
{
	memset(c, 0, sizeof(*c));
	strcpy((char *)c->driver, "uvcvideo");
	strcpy((char *)c->card, "Fake UVC Camera");
	strcpy((char *)c->bus_info, "usb-0000:00:14.0-1");
	c->version = 0x060100;
	c->device_caps = meta ? V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING : cam.caps;
	c->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING |
			  V4L2_CAP_DEVICE_CAPS;
	return 0;
}

static int do_enum_fmt(struct v4l2_fmtdesc *d)
{
	static const uint32_t emu[] = { V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_YUV420,
					V4L2_PIX_FMT_YVU420 };
	uint32_t distinct[FAKE_MAX_FMTS];
	int nd = 0, i, j;

	if (d->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return fail(EINVAL);
	for (i = 0; i < cam.nnative; i++) {
		for (j = 0; j < nd; j++)
			if (distinct[j] == cam.native[i].fourcc)
				break;
		if (j == nd)
			distinct[nd++] = cam.native[i].fourcc;
	}
	if (d->index < (uint32_t)nd) {
		d->pixelformat = distinct[d->index];
		d->flags = bpp_x2(d->pixelformat) ? 0 : V4L2_FMT_FLAG_COMPRESSED;
		return 0;
	}
	if (!cam.emulate)
		return fail(EINVAL);
	for (i = 0, j = nd; i < 4; i++) {
		if (native_has(emu[i]))
			continue;
		if ((uint32_t)j++ == d->index) {
			d->pixelformat = emu[i];
			d->flags = V4L2_FMT_FLAG_EMULATED;
			return 0;
		}
	}
	return fail(EINVAL);
}

static int do_enum_framesizes(struct v4l2_frmsizeenum *fs)
{
	uint32_t n = 0;
	int i;

	for (i = 0; i < cam.nnative; i++) {
		if (cam.native[i].fourcc != fs->pixel_format &&
		    !(cam.emulate && is_emulated(fs->pixel_format) && !native_has(fs->pixel_format)))
			continue;
		if (n++ == fs->index) {
			fs->type = V4L2_FRMSIZE_TYPE_DISCRETE;
			fs->discrete.width = (uint32_t)cam.native[i].width;
			fs->discrete.height = (uint32_t)cam.native[i].height;
			return 0;
		}
	}
	return fail(EINVAL);
}

static int do_reqbufs(int fd, struct v4l2_requestbuffers *r)
{
	int i;

	if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP)
		return fail(EINVAL);
	if (cam.owner_fd >= 0 && cam.owner_fd != fd)
		return fail(EBUSY);
	if (cam.streaming)
		return fail(EBUSY);
	for (i = 0; i < FAKE_MAX_BUFS; i++)
		if (cam.buf[i].mapped)
			return fail(EBUSY);
	free_buffers();
	if (r->count == 0) {
		cam.owner_fd = -1;
		return 0;
	}
	if (r->count > (uint32_t)cam.max_buffers)
		r->count = (uint32_t)cam.max_buffers;
	cam.alloc = cam.fmt;
	for (i = 0; i < (int)r->count; i++) {
		cam.buf[i].length = (cam.alloc.sizeimage + 4095) & ~(size_t)4095;
		cam.buf[i].mem = calloc(1, cam.buf[i].length);
		if (!cam.buf[i].mem)
			return fail(ENOMEM);
		cam.buf[i].mapped = false;
		cam.buf[i].queued = false;
	}
	cam.nbuf = (int)r->count;
	cam.owner_fd = fd;
	return 0;
}

static int do_querybuf(struct v4l2_buffer *b)
{
	if (b->index >= (uint32_t)cam.nbuf || b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return fail(EINVAL);
	b->memory = V4L2_MEMORY_MMAP;
	b->m.offset = b->index * FAKE_OFFSET_STEP;
	b->length = (uint32_t)cam.buf[b->index].length;
	b->flags = cam.buf[b->index].queued ? V4L2_BUF_FLAG_QUEUED : 0;
	return 0;
}

static int do_qbuf(struct v4l2_buffer *b)
{
	if (b->index >= (uint32_t)cam.nbuf || b->memory != V4L2_MEMORY_MMAP || cam.buf[b->index].queued)
		return fail(EINVAL);
	cam.buf[b->index].queued = true;
	cam.queue[(cam.qhead + cam.qlen) % FAKE_MAX_BUFS] = (int)b->index;
	cam.qlen++;
	rearm();
	return 0;
}

static int do_dqbuf(struct v4l2_buffer *b)
{
	int64_t now = now_ns(CLOCK_MONOTONIC), ts_ns;
	struct fake_buf *fb;
	int i;

	if (cam.gone)
		return fail(cam.gone_mode == FAKE_UNPLUG_POLLHUP ? EIO : ENODEV);
	if (!cam.streaming)
		return fail(EINVAL);
	if (cam.spurious) {
		struct itimerspec its;

		if (cam.spurious > 0)
			cam.spurious--;
		/* wake poll again in a millisecond, not in a hot loop */
		memset(&its, 0, sizeof(its));
		its.it_value.tv_nsec = 1000000;
		timerfd_settime(cam.owner_fd, 0, &its, NULL);
		return fail(EAGAIN);
	}
	if (!frame_ready(now))
		return fail(EAGAIN);

	i = cam.queue[cam.qhead];
	cam.qhead = (cam.qhead + 1) % FAKE_MAX_BUFS;
	cam.qlen--;
	fb = &cam.buf[i];
	fb->queued = false;

	cam.frames++;
	if ((size_t)cam.fmt.width * cam.fmt.height > cam.luma_size) {
		free(cam.luma);
		free(cam.cu);
		free(cam.cv);
		cam.luma_size = (size_t)cam.fmt.width * cam.fmt.height;
		cam.luma = malloc(cam.luma_size);
		cam.cu = malloc(cam.luma_size);
		cam.cv = malloc(cam.luma_size);
	}
	cam.luma_w = (int)cam.fmt.width;
	cam.luma_h = (int)cam.fmt.height;
	cam.producer(cam.producer_ctx, cam.frames, cam.luma, cam.luma_w, cam.luma_h);
	if (cam.chroma)
		cam.chroma(cam.chroma_ctx, cam.frames, cam.cu, cam.cv, cam.luma_w, cam.luma_h);

	memset(b, 0, sizeof(*b));
	b->index = (uint32_t)i;
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	b->m.offset = (uint32_t)i * FAKE_OFFSET_STEP;
	b->length = (uint32_t)fb->length;
	b->field = V4L2_FIELD_NONE;
	b->sequence = (uint32_t)(cam.frames - 1);
	if (cam.fmt.sizeimage <= fb->length && !cam.error_frames) {
		render(fb->mem, &cam.fmt, cam.frames);
		b->bytesused = cam.fmt.sizeimage;
	} else {
		/* a frame that does not fit the buffers (or a corrupt one): dropped with ERROR */
		b->flags |= V4L2_BUF_FLAG_ERROR;
		b->bytesused = 0;
		if (cam.error_frames)
			cam.error_frames--;
	}
	if (cam.ts_mode == FAKE_TS_MONOTONIC) {
		b->flags |= V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE;
		ts_ns = now - 1000000; /* start of exposure, a little earlier */
	} else {
		b->flags |= V4L2_BUF_FLAG_TIMESTAMP_UNKNOWN;
		ts_ns = now_ns(CLOCK_REALTIME);
	}
	b->timestamp.tv_sec = (time_t)(ts_ns / 1000000000);
	b->timestamp.tv_usec = (suseconds_t)(ts_ns % 1000000000 / 1000);
	cam.last_ts_ms = ts_ns / 1000000;
	fb->done = *b;

	cam.ready_ns = now + cam.period_ns;
	rearm();
	cam.last_dqbuf_ns = now_ns(CLOCK_MONOTONIC);
	return 0;
}

static int do_streamon(int fd, const int *type)
{
	if (*type != V4L2_BUF_TYPE_VIDEO_CAPTURE || cam.nbuf == 0 || cam.owner_fd != fd)
		return fail(EINVAL);
	cam.streaming = true;
	if (cam.ready_ns < now_ns(CLOCK_MONOTONIC))
		cam.ready_ns = now_ns(CLOCK_MONOTONIC);
	rearm();
	return 0;
}

static int do_streamoff(int fd, const int *type)
{
	int i;

	if (*type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return fail(EINVAL);
	if (cam.owner_fd != fd)
		return 0;
	cam.streaming = false;
	for (i = 0; i < cam.nbuf; i++)
		cam.buf[i].queued = false;
	cam.qlen = 0;
	cam.qhead = 0;
	rearm();
	return 0;
}

static int do_parm(struct v4l2_streamparm *p, bool set)
{
	static const int rates[] = { 30, 15, 10, 5 };
	int i, want;

	if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return fail(EINVAL);
	if (set && p->parm.capture.timeperframe.numerator && p->parm.capture.timeperframe.denominator) {
		want = (int)(p->parm.capture.timeperframe.denominator / p->parm.capture.timeperframe.numerator);
		cam.fps = rates[3];
		for (i = 0; i < 4; i++)
			if (want >= rates[i]) {
				cam.fps = rates[i];
				break;
			}
	}
	memset(&p->parm, 0, sizeof(p->parm));
	p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
	p->parm.capture.timeperframe.numerator = 1;
	p->parm.capture.timeperframe.denominator = (uint32_t)cam.fps;
	p->parm.capture.readbuffers = 0;
	return 0;
}

static int do_queryctrl(struct v4l2_queryctrl *q)
{
	uint32_t id = q->id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
	struct fake_ctrl *c = NULL;
	int i;

	if (q->id & V4L2_CTRL_FLAG_NEXT_CTRL) {
		for (i = 0; i < cam.nctrl; i++)
			if (cam.ctrl[i].id > id && (!c || cam.ctrl[i].id < c->id))
				c = &cam.ctrl[i];
	} else {
		c = ctrl_by_id(id);
	}
	if (!c)
		return fail(EINVAL);
	memset(q, 0, sizeof(*q));
	q->id = c->id;
	q->type = c->type;
	strncpy((char *)q->name, c->name, sizeof(q->name) - 1);
	q->minimum = c->min;
	q->maximum = c->max;
	q->step = c->step;
	q->default_value = c->def;
	q->flags = c->flags;
	return 0;
}

static int set_ctrl(uint32_t id, int64_t v)
{
	struct fake_ctrl *c = ctrl_by_id(id), *e;

	if (!c || c->type == V4L2_CTRL_TYPE_CTRL_CLASS)
		return fail(EINVAL);
	if (c->flags & (V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_INACTIVE))
		return fail(EACCES);
	if (v < c->min || v > c->max)
		return fail(ERANGE);
	c->value = v;
	if (id == V4L2_CID_EXPOSURE_AUTO) {
		e = ctrl_by_id(V4L2_CID_EXPOSURE_ABSOLUTE);
		if (v == V4L2_EXPOSURE_MANUAL)
			e->flags &= ~(uint32_t)V4L2_CTRL_FLAG_INACTIVE;
		else
			e->flags |= V4L2_CTRL_FLAG_INACTIVE;
	}
	return 0;
}

static int do_s_ext_ctrls(struct v4l2_ext_controls *ecs)
{
	uint32_t i;

	for (i = 0; i < ecs->count; i++) {
		struct fake_ctrl *c = ctrl_by_id(ecs->controls[i].id);

		if (set_ctrl(ecs->controls[i].id,
			     c && c->type == V4L2_CTRL_TYPE_INTEGER64 ? ecs->controls[i].value64 :
									ecs->controls[i].value) < 0) {
			ecs->error_idx = i;
			return -1;
		}
	}
	return 0;
}

int v4l2_ioctl(int fd, unsigned long request, ...)
{
	bool meta = false;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	record(request);
	if (fd_index(fd) < 0) {
		if (fd_index(-fd - 1) < 0)
			return fail(EBADF);
		meta = true;
	}
	if (cam.eintr_left > 0) {
		cam.eintr_left--;
		return fail(EINTR);
	}
	cam.eintr_left = cam.eintr_k;
	if (cam.gone && request != VIDIOC_QUERYCAP)
		return fail(request == VIDIOC_DQBUF && cam.gone_mode == FAKE_UNPLUG_POLLHUP ? EIO : ENODEV);
	if (meta && request != VIDIOC_QUERYCAP)
		return fail(request == VIDIOC_ENUM_FMT || request == VIDIOC_S_FMT ? EINVAL : ENOTTY);

	switch (request) {
	case VIDIOC_QUERYCAP:
		return do_querycap(arg, meta);
	case VIDIOC_ENUM_FMT:
		return do_enum_fmt(arg);
	case VIDIOC_ENUM_FRAMESIZES:
		return do_enum_framesizes(arg);
	case VIDIOC_G_FMT:
	case VIDIOC_TRY_FMT:
	case VIDIOC_S_FMT: {
		struct v4l2_format *f = arg;

		if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			return fail(EINVAL);
		if (request == VIDIOC_G_FMT) {
			f->fmt.pix = cam.fmt;
			return 0;
		}
		if (request == VIDIOC_S_FMT && cam.nbuf)
			return fail(EBUSY);
		adjust_format(&f->fmt.pix);
		if (request == VIDIOC_S_FMT)
			cam.fmt = f->fmt.pix;
		return 0;
	}
	case VIDIOC_G_PARM:
		return do_parm(arg, false);
	case VIDIOC_S_PARM:
		return do_parm(arg, true);
	case VIDIOC_QUERYCTRL:
		return do_queryctrl(arg);
	case VIDIOC_G_CTRL: {
		struct v4l2_control *c = arg;
		struct fake_ctrl *fc = ctrl_by_id(c->id);

		if (!fc)
			return fail(EINVAL);
		c->value = (int32_t)fc->value;
		return 0;
	}
	case VIDIOC_S_CTRL: {
		struct v4l2_control *c = arg;

		return set_ctrl(c->id, c->value);
	}
	case VIDIOC_S_EXT_CTRLS:
		return do_s_ext_ctrls(arg);
	case VIDIOC_REQBUFS:
		return do_reqbufs(fd, arg);
	case VIDIOC_QUERYBUF:
		return do_querybuf(arg);
	case VIDIOC_QBUF:
		return do_qbuf(arg);
	case VIDIOC_DQBUF:
		return do_dqbuf(arg);
	case VIDIOC_STREAMON:
		return do_streamon(fd, arg);
	case VIDIOC_STREAMOFF:
		return do_streamoff(fd, arg);
	default:
		return fail(ENOTTY);
	}
}

void *v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset)
{
	uint32_t i = (uint32_t)(offset / FAKE_OFFSET_STEP);

	(void)start;
	(void)prot;
	(void)flags;
	if (fd != cam.owner_fd || offset % FAKE_OFFSET_STEP || i >= (uint32_t)cam.nbuf ||
	    length > cam.buf[i].length || cam.buf[i].mapped) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	cam.buf[i].mapped = true;
	cam.mapped++;
	return cam.buf[i].mem;
}

int v4l2_munmap(void *start, size_t length)
{
	int i;
	size_t k;

	for (i = 0; i < FAKE_MAX_BUFS; i++) {
		struct fake_buf *b = &cam.buf[i];

		if (b->mem != start || !b->mapped)
			continue;
		if (length != b->length)
			return fail(EINVAL);
		for (k = 0; k < b->length; k++)
			if (b->mem[k]) {
				cam.unzeroed_unmaps++;
				break;
			}
		b->mapped = false;
		cam.mapped--;
		if (i >= cam.nbuf) {
			/* the device let go of it already */
			free(b->mem);
			b->mem = NULL;
		}
		return 0;
	}
	return fail(EINVAL);
}
