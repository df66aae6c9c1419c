/* SPDX-License-Identifier: MIT */
/*
 * v4l2.c - a V4L2 camera as a frame source, through libv4l2.
 *
 * libv4l2 converts what the camera offers (MJPG, Bayer, ...) into formats we
 * can read luma from, so one code path serves every UVC camera. The device is
 * opened O_NONBLOCK, streamed with mmap buffers and waited on with poll().
 *
 * Life cycle: zp_source_open_v4l2() checks the config and tries the camera
 * once; every failure after that (unplugged, permission, a format it cannot
 * deliver, no frame within timeout_ms, a format change) closes the device,
 * leaves a one-line message in errmsg, and later calls of next() reopen it
 * after an exponential back-off (retry_min_ms doubling to retry_max_ms), so
 * the daemon can run fail-safe and recover by itself.
 *
 * Pixels never leave RAM: luma is extracted into one reused buffer, and every
 * buffer is zeroed before it is unmapped or freed. When the caller asks for
 * colour (want_bgr), each frame is also converted to packed BGR into a second
 * reused buffer, treated the same way. The per-pixel conversions (YUYV/UYVY
 * to luma, YCbCr to BGR) are zp_pixops kernels (models/yuv_*.c) on the SIMD
 * path the caller passes in zp_camera_params.simd.
 *
 * libcamerify (libcamera's V4L2 compatibility layer, for CSI cameras) works
 * by LD_PRELOADing v4l2-compat.so over libc's open/ioctl/mmap. libv4l2 makes
 * raw syscalls and would bypass it, so with zp_camera_params.io =
 * ZP_V4L2_IO_LIBC (main chooses it when v4l2-compat is preloaded, or
 * ZP_V4L2_IO=libc is set) the same code runs over plain libc calls instead.
 */
#include "capture_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libv4l2.h>

#define V4L2_MAX_BUFFERS 32        /* VIDEO_MAX_FRAME */
#define V4L2_MAX_BAD_FRAMES 8      /* consecutive frames flagged ERROR (or short) before we reopen */
#define V4L2_EINTR_RETRIES 1000    /* an ioctl interrupted this often is treated as an I/O error */
#define V4L2_LOG_INTERVAL_MS 60000 /* a repeating error is logged once a minute, with a count */
#define V4L2_MAX_FORMATS 32

/* How luma sits in a negotiated format. */
enum luma_layout {
	LUMA_PLANE,  /* GREY, or the Y plane first in YU12 / NV12: rows of bytesperline */
	LUMA_EVEN,   /* YUYV: Y at every second byte, from byte 0 */
	LUMA_ODD,    /* UYVY: Y at every second byte, from byte 1 */
};

/*
 * Where the chroma of a negotiated format sits, for the BGR conversion. Luma
 * comes from our own luma buffer; U and V from the capture buffer: in the row
 * itself (packed 4:2:2), or in plane(s) after the luma, one chroma row per
 * two image rows (4:2:0). Chroma sample k serves pixels 2k and 2k+1.
 */
struct chroma_layout {
	bool planar;            /* 4:2:0: uoff/voff from the buffer start, rows cstride apart */
	unsigned cstep;         /* bytes from one U (or V) sample to the next: 4 packed, 1 planar, 2 semi-planar */
	size_t uoff, voff;      /* packed: bytes into the row; planar: where the first U / V sample is */
	size_t cstride;         /* planar: bytes between chroma rows */
	size_t needed;          /* bytes of a buffer that hold everything the conversion reads */
};

/* Device calls: libv4l2, or libc under libcamerify. Same signatures. */
struct v4l2_io {
	const char *name;
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	void *(*mmap)(size_t length, int fd, int64_t offset);
	int (*munmap)(void *start, size_t length);
};

struct v4l2_buf {
	void *start;
	size_t length;
};

struct v4l2_source {
	zp_source base;
	zp_camera_params p;
	const struct v4l2_io *io;
	zp_pixops ops;               /* yuv_luma_packed, yuv_bgr_row (models/) on path p.simd */

	/* the open device; fd < 0 when closed */
	int fd;
	bool streaming;
	unsigned nbuf;
	struct v4l2_buf buf[V4L2_MAX_BUFFERS];
	uint32_t fourcc;
	enum luma_layout layout;
	int width, height;
	uint32_t bytesperline;
	size_t needed;               /* bytes of a buffer that hold the luma we read */
	double fps;
	char driver[32];

	/* frames out */
	uint8_t *luma;
	size_t luma_size;
	bool colour;                 /* want_bgr and this format has chroma: bgr is filled */
	struct chroma_layout chroma;
	uint8_t *bgr;                /* width * 3 bytes a row */
	size_t bgr_size;
	bool colour_logged;          /* "no colour from this camera" said once */
	uint64_t seq;
	int64_t last_t_ms;
	int64_t wait_since_ms;       /* when we started waiting for the next frame; -1: not waiting */
	int bad_frames;              /* consecutive */

	/* failure and reconnect */
	int last_err;                /* ZP_OK while streaming */
	bool err_reported;           /* next() has returned last_err at least once */
	int64_t retry_at_ms;
	int backoff_ms;
	unsigned failures;           /* consecutive failed opens / losses since the last frame */
	bool controls_logged;
	uint32_t logged_fourcc;      /* the format last logged at open */
	int logged_width, logged_height;
	zp_ratelimit rl;
	int rl_err;
};

/* ---- device calls ---- */

static int lv_open(const char *path, int flags)
{
	return v4l2_open(path, flags);
}

static int lv_ioctl(int fd, unsigned long req, void *arg)
{
	return v4l2_ioctl(fd, req, arg);
}

static void *lv_mmap(size_t length, int fd, int64_t offset)
{
	return v4l2_mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
}

static int lc_open(const char *path, int flags)
{
	return open(path, flags);
}

static int lc_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static void *lc_mmap(size_t length, int fd, int64_t offset)
{
	return mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
}

static const struct v4l2_io io_libv4l2 = { "libv4l2", lv_open, v4l2_close, lv_ioctl, lv_mmap, v4l2_munmap };
static const struct v4l2_io io_libc = { "libc", lc_open, close, lc_ioctl, lc_mmap, munmap };

/*
 * libcamerify preloads v4l2-compat.so, which replaces libc's open/ioctl/mmap;
 * libv4l2 calls syscall() directly and would talk to the raw CSI receiver.
 */

/* Every ioctl goes through here: retried while interrupted by a signal. */
static int xioctl(struct v4l2_source *s, unsigned long req, void *arg)
{
	int tries = V4L2_EINTR_RETRIES;
	int r;

	do
		r = s->io->ioctl(s->fd, req, arg);
	while (r == -1 && errno == EINTR && --tries > 0);
	return r;
}

/* ---- small helpers ---- */

static struct v4l2_source *to_v4l2(zp_source *s)
{
	return (struct v4l2_source *)s;
}

static const struct v4l2_source *to_cv4l2(const zp_source *s)
{
	return (const struct v4l2_source *)s;
}

/* "YUYV", "MJPG", "Y10 " -> "Y10" */
static void fourcc_str(uint32_t f, char out[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = (f >> (8 * i)) & 0xff;

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[4] = '\0';
	for (i = 3; i > 0 && out[i] == ' '; i--)
		out[i] = '\0';
}

/*
 * Config pixelformat -> fourcc: "auto" gives 0; a few friendly aliases;
 * otherwise 1-4 printable characters, padded with spaces. -1 when invalid.
 */
static int64_t parse_pixelformat(const char *text)
{
	static const struct {
		const char *name;
		uint32_t fourcc;
	} alias[] = {
		{ "YUV420", V4L2_PIX_FMT_YUV420 },
		{ "I420", V4L2_PIX_FMT_YUV420 },
		{ "GRAY", V4L2_PIX_FMT_GREY },
		{ "Y8", V4L2_PIX_FMT_GREY },
		{ "MJPEG", V4L2_PIX_FMT_MJPEG },
	};
	char c[4] = { ' ', ' ', ' ', ' ' };
	size_t n = strlen(text), i;

	if (n == 0 || strcasecmp(text, "auto") == 0)
		return 0;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcasecmp(text, alias[i].name) == 0)
			return alias[i].fourcc;
	if (n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (text[i] <= 0x20 || text[i] >= 0x7f)
			return -1;
		c[i] = text[i];
	}
	return v4l2_fourcc(c[0], c[1], c[2], c[3]);
}

/* Formats we read luma from directly, and how. */
static bool luma_layout_of(uint32_t fourcc, enum luma_layout *layout, unsigned *bpp)
{
	switch (fourcc) {
	case V4L2_PIX_FMT_GREY:
	case V4L2_PIX_FMT_YUV420:
	case V4L2_PIX_FMT_YVU420:
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_NV21:
		*layout = LUMA_PLANE;
		*bpp = 1;
		return true;
	case V4L2_PIX_FMT_YUYV:
		*layout = LUMA_EVEN;
		*bpp = 2;
		return true;
	case V4L2_PIX_FMT_UYVY:
		*layout = LUMA_ODD;
		*bpp = 2;
		return true;
	default:
		return false;
	}
}

/*
 * Where U and V sit in a width x height frame of this format with luma rows
 * bytesperline apart. Planes after the luma follow the kernel's single-plane
 * layout (v4l2_fill_pixfmt): 4:2:0 planes of ceil(width / 2) x ceil(height / 2)
 * samples with rows ceil(bytesperline / 2) apart (YU12, YV12), or one
 * interleaved plane with rows bytesperline apart (NV12, NV21). false when the
 * format has no colour (GREY), or when a row is too short for its chroma (an
 * odd width without padding).
 */
static bool chroma_layout_of(uint32_t fourcc, size_t width, size_t height, size_t bpl, struct chroma_layout *c)
{
	size_t cw = (width + 1) / 2, ch = (height + 1) / 2, luma = bpl * height;

	memset(c, 0, sizeof(*c));
	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:
	case V4L2_PIX_FMT_UYVY:
		if (bpl < 4 * cw)
			return false;
		c->cstep = 4;
		c->uoff = fourcc == V4L2_PIX_FMT_YUYV ? 1 : 0;
		c->voff = c->uoff + 2;
		c->needed = bpl * (height - 1) + 4 * cw;
		return true;
	case V4L2_PIX_FMT_YUV420:
	case V4L2_PIX_FMT_YVU420:
		c->planar = true;
		c->cstep = 1;
		c->cstride = (bpl + 1) / 2;
		c->uoff = fourcc == V4L2_PIX_FMT_YUV420 ? luma : luma + c->cstride * ch;
		c->voff = fourcc == V4L2_PIX_FMT_YUV420 ? luma + c->cstride * ch : luma;
		c->needed = luma + c->cstride * (2 * ch - 1) + cw;
		return true;
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_NV21:
		if (bpl < 2 * cw)
			return false;
		c->planar = true;
		c->cstep = 2;
		c->cstride = bpl;
		c->uoff = fourcc == V4L2_PIX_FMT_NV12 ? luma : luma + 1;
		c->voff = fourcc == V4L2_PIX_FMT_NV12 ? luma + 1 : luma;
		c->needed = luma + bpl * (ch - 1) + 2 * cw;
		return true;
	default:
		return false;
	}
}

/* Driver control name -> config name: "Exposure Time, Absolute" -> "exposure_time_absolute". */
static void ctrl_norm(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	bool sep = false;

	for (; *in && n + 1 < outlen; in++) {
		char c = *in;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (sep && n > 0 && n + 2 < outlen)
				out[n++] = '_';
			sep = false;
			out[n++] = c;
		} else {
			sep = true;
		}
	}
	out[n] = '\0';
}

/* The source's clock (zp_camera_params.clock): the caller's, else the monotonic clock and nanosleep. */
static int64_t clock_now(const struct v4l2_source *s)
{
	return s->p.clock.now_ms ? s->p.clock.now_ms(s->p.clock.ctx) : zp_now_ms();
}

static void clock_sleep(const struct v4l2_source *s, int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	if (s->p.clock.sleep_ms) {
		s->p.clock.sleep_ms(s->p.clock.ctx, ms);
		return;
	}
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Write the message for the current failure; returns code. */
static int set_err(struct v4l2_source *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(struct v4l2_source *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->base.errmsg, sizeof(s->base.errmsg), fmt, ap);
	va_end(ap);
	return code;
}

/* errno of a failed call -> zp_err + message "DEVICE: what: strerror". */
static int set_errno(struct v4l2_source *s, int errnum, const char *what)
{
	int code = zp_err_from_errno(errnum);

	if (errnum == EBUSY)
		return set_err(s, ZP_EBUSY, "%s: device busy (is another program using the camera?)", s->p.device);
	/* a driver's EINVAL/EAGAIN here is not the caller's bad input nor a "try again" */
	if (code == ZP_EINVAL || code == ZP_EAGAIN)
		code = ZP_EIO;
	return set_err(s, code, "%s: %s: %s", s->p.device, what, strerror(errnum));
}

/* ---- closing ---- */

/*
 * Undo whatever dev_open() got to, in reverse. Buffers are zeroed before
 * they are unmapped: the last frames must not linger in freed memory. The
 * device may be gone already, so errors are ignored.
 */
static void dev_close(struct v4l2_source *s)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers req;
	unsigned i;

	if (s->fd < 0)
		return;
	if (s->streaming)
		xioctl(s, VIDIOC_STREAMOFF, &type);
	s->streaming = false;
	for (i = 0; i < s->nbuf; i++) {
		if (s->buf[i].start) {
			memset(s->buf[i].start, 0, s->buf[i].length);
			s->io->munmap(s->buf[i].start, s->buf[i].length);
		}
		s->buf[i].start = NULL;
		s->buf[i].length = 0;
	}
	if (s->nbuf) {
		memset(&req, 0, sizeof(req));
		req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		req.memory = V4L2_MEMORY_MMAP;
		xioctl(s, VIDIOC_REQBUFS, &req);
	}
	s->nbuf = 0;
	s->io->close(s->fd);
	s->fd = -1;
}

/* ---- opening ---- */

static int open_device(struct v4l2_source *s)
{
	const char *dev = s->p.device;
	struct v4l2_capability cap;
	uint32_t caps;

	s->fd = s->io->open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;

		switch (e) {
		case ENOENT:
		case ENODEV:
		case ENXIO:
			return set_err(s, ZP_ENODEV, "%s: no such device (is the camera plugged in?)", dev);
		case EACCES:
		case EPERM:
			return set_err(s, ZP_EACCES, "%s: permission denied (is the user in group video?)", dev);
		case EBUSY:
			return set_err(s, ZP_EBUSY, "%s: device busy (is another program using the camera?)", dev);
		case ENOTTY: /* libv4l2 refuses a file that answers no VIDIOC_QUERYCAP */
			return set_err(s, ZP_ENODEV, "%s: not a V4L2 device", dev);
		default:
			return set_errno(s, e, "cannot open");
		}
	}

	memset(&cap, 0, sizeof(cap));
	if (xioctl(s, VIDIOC_QUERYCAP, &cap) == -1) {
		if (errno == ENOTTY || errno == EINVAL)
			return set_err(s, ZP_ENODEV, "%s: not a V4L2 device", dev);
		return set_errno(s, errno, "VIDIOC_QUERYCAP");
	}
	caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
	zp_strlcpy(s->driver, (const char *)cap.driver, sizeof(s->driver));
	if (!(caps & V4L2_CAP_VIDEO_CAPTURE))
		return set_err(s, ZP_ENODEV, "%s: not a video capture device (driver %.16s, \"%.32s\", caps 0x%08" PRIx32
			       ")%s", dev, (const char *)cap.driver, (const char *)cap.card, caps,
			       (caps & V4L2_CAP_META_CAPTURE) ? "; a metadata node: UVC cameras have two, try the other" :
			       (caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) ? "; multi-planar capture is not supported" : "");
	if (!(caps & V4L2_CAP_STREAMING))
		return set_err(s, ZP_ENODEV, "%s: capture device without streaming I/O (driver %.16s)", dev,
			       (const char *)cap.driver);
	return ZP_OK;
}

struct fmt_desc {
	uint32_t fourcc;
	bool emulated;
};

/* VIDIOC_ENUM_FMT: what the camera offers (and, through libv4l2, what it converts to). */
static int enum_formats(struct v4l2_source *s, struct fmt_desc *out, int max)
{
	struct v4l2_fmtdesc d;
	int n = 0;

	for (;;) {
		memset(&d, 0, sizeof(d));
		d.index = (uint32_t)n;
		d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (xioctl(s, VIDIOC_ENUM_FMT, &d) == -1 || n >= max)
			break;
		out[n].fourcc = d.pixelformat;
		out[n].emulated = (d.flags & V4L2_FMT_FLAG_EMULATED) != 0;
		n++;
	}
	return n;
}

static bool offers(const struct fmt_desc *f, int n, uint32_t fourcc, bool native_only)
{
	int i;

	for (i = 0; i < n; i++)
		if (f[i].fourcc == fourcc && !(native_only && f[i].emulated))
			return true;
	return false;
}

/* Append " 1920x1080 1280x720 ..." for one format to buf. */
static void append_sizes(struct v4l2_source *s, uint32_t fourcc, char *buf, size_t len)
{
	struct v4l2_frmsizeenum fs;
	size_t used = strlen(buf);
	uint32_t i;

	for (i = 0; i < 4 && used + 1 < len; i++) {
		memset(&fs, 0, sizeof(fs));
		fs.index = i;
		fs.pixel_format = fourcc;
		if (xioctl(s, VIDIOC_ENUM_FRAMESIZES, &fs) == -1)
			break;
		if (i == 3) {
			snprintf(buf + used, len - used, " ...");
			break;
		}
		if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE)
			snprintf(buf + used, len - used, " %" PRIu32 "x%" PRIu32, fs.discrete.width,
				 fs.discrete.height);
		else
			snprintf(buf + used, len - used, " up to %" PRIu32 "x%" PRIu32, fs.stepwise.max_width,
				 fs.stepwise.max_height);
		used = strlen(buf);
		if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE)
			break;
	}
}

/* "offers MJPG 1920x1080 1280x720, YUYV 640x480" from the camera's native formats. */
static void describe_offers(struct v4l2_source *s, const struct fmt_desc *f, int n, char *buf, size_t len)
{
	size_t used;
	int i, shown = 0;
	char cc[5];

	snprintf(buf, len, "offers");
	for (i = 0; i < n; i++) {
		if (f[i].emulated)
			continue;
		used = strlen(buf);
		fourcc_str(f[i].fourcc, cc);
		snprintf(buf + used, len - used, "%s %s", shown ? "," : "", cc);
		append_sizes(s, f[i].fourcc, buf, len);
		shown++;
	}
	if (!shown)
		snprintf(buf, len, "offers no capture format");
}

/* Bayer / packed raw only: a CSI sensor behind a bare receiver (Raspberry Pi unicam, rp1-cfe). */
static bool looks_raw(const struct fmt_desc *f, int n)
{
	int i, native = 0;
	char cc[5];

	for (i = 0; i < n; i++) {
		if (f[i].emulated)
			continue;
		native++;
		fourcc_str(f[i].fourcc, cc);
		if (!(cc[0] == 'B' || cc[0] == 'G' || cc[0] == 'R' || cc[0] == 'p' || cc[0] == 'Y'))
			return false;
		if (f[i].fourcc == V4L2_PIX_FMT_YUYV || f[i].fourcc == V4L2_PIX_FMT_GREY)
			return false;
	}
	return native > 0;
}

/* S_FMT one candidate; true when the driver took exactly that pixel format. */
static int try_format(struct v4l2_source *s, uint32_t fourcc, struct v4l2_format *fmt)
{
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt->fmt.pix.width = (uint32_t)s->p.width;
	fmt->fmt.pix.height = (uint32_t)s->p.height;
	fmt->fmt.pix.pixelformat = fourcc;
	fmt->fmt.pix.field = V4L2_FIELD_ANY;
	if (xioctl(s, VIDIOC_S_FMT, fmt) == -1) {
		if (errno == EINVAL)
			return 0;
		return set_errno(s, errno, "VIDIOC_S_FMT");
	}
	return fmt->fmt.pix.pixelformat == fourcc && fmt->fmt.pix.width > 0 && fmt->fmt.pix.height > 0;
}

/*
 * Colour for this format, when the caller wants it: where the chroma is, and
 * the bytes a frame then needs. A format without colour is not a failure -
 * the caller gets luma and bgr NULL - but is said once per source.
 */
static void setup_colour(struct v4l2_source *s, uint32_t sizeimage)
{
	const char *why = NULL;
	char cc[5];

	s->colour = false;
	if (!s->p.want_bgr)
		return;
	if (s->fourcc == V4L2_PIX_FMT_GREY)
		why = "the camera delivers grey only";
	else if (!chroma_layout_of(s->fourcc, (size_t)s->width, (size_t)s->height, s->bytesperline, &s->chroma) ||
		 (sizeimage && sizeimage < s->chroma.needed))
		why = "its buffers hold no complete chroma";
	if (why) {
		if (!s->colour_logged) {
			fourcc_str(s->fourcc, cc);
			zp_log(ZP_LOG_WARNING, "%s: no colour from %dx%d %s (%s): colour shadow mode falls back to luma",
			       s->p.device, s->width, s->height, cc, why);
		}
		s->colour_logged = true;
		return;
	}
	s->colour = true;
	if (s->chroma.needed > s->needed)
		s->needed = s->chroma.needed;
}

/*
 * Choose a format we can read luma from. Preference (auto): the camera's own
 * GREY, then its own YUYV / UYVY (no conversion cost), then YU12 or YUYV
 * produced by libv4l2 from whatever the camera has (MJPG, Bayer, ...). With
 * want_bgr the camera's own YUYV / UYVY come before its GREY.
 * A configured fourcc we can read is used as is; another one (MJPG) must be
 * offered by the camera and is converted by libv4l2 into YU12.
 */
static int negotiate_format(struct v4l2_source *s)
{
	struct fmt_desc f[V4L2_MAX_FORMATS];
	uint32_t cand[7];
	int ncand = 0, n, i, r;
	int64_t want = parse_pixelformat(s->p.pixelformat);
	struct v4l2_format fmt;
	enum luma_layout layout = LUMA_PLANE;
	unsigned bpp = 1;
	char offer[160], cc[5];

	n = enum_formats(s, f, V4L2_MAX_FORMATS);
	if (s->p.width <= 0 || s->p.height <= 0) {
		/* 0 x 0: keep the size the driver has now */
		memset(&fmt, 0, sizeof(fmt));
		fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (xioctl(s, VIDIOC_G_FMT, &fmt) == 0) {
			s->p.width = (int)fmt.fmt.pix.width;
			s->p.height = (int)fmt.fmt.pix.height;
		}
	}
	if (want > 0 && luma_layout_of((uint32_t)want, &layout, &bpp)) {
		cand[ncand++] = (uint32_t)want;
	} else if (want > 0) {
		if (!offers(f, n, (uint32_t)want, true)) {
			describe_offers(s, f, n, offer, sizeof(offer));
			fourcc_str((uint32_t)want, cc);
			return set_err(s, ZP_EFORMAT, "%s: pixelformat %s not offered; %s", s->p.device, cc, offer);
		}
		cand[ncand++] = V4L2_PIX_FMT_YUV420;
		cand[ncand++] = V4L2_PIX_FMT_YUYV;
	} else {
		if (offers(f, n, V4L2_PIX_FMT_GREY, true) && !s->p.want_bgr)
			cand[ncand++] = V4L2_PIX_FMT_GREY;
		if (offers(f, n, V4L2_PIX_FMT_YUYV, true))
			cand[ncand++] = V4L2_PIX_FMT_YUYV;
		if (offers(f, n, V4L2_PIX_FMT_UYVY, true))
			cand[ncand++] = V4L2_PIX_FMT_UYVY;
		if (offers(f, n, V4L2_PIX_FMT_GREY, true) && s->p.want_bgr)
			cand[ncand++] = V4L2_PIX_FMT_GREY;
		cand[ncand++] = V4L2_PIX_FMT_YUV420;
		cand[ncand++] = V4L2_PIX_FMT_YUYV;
		cand[ncand++] = V4L2_PIX_FMT_NV12; /* libcamera's compat layer */
	}

	for (i = 0; i < ncand; i++) {
		r = try_format(s, cand[i], &fmt);
		if (r < 0)
			return r;
		if (r == 1)
			break;
	}
	if (i == ncand) {
		describe_offers(s, f, n, offer, sizeof(offer));
		if (want > 0) {
			fourcc_str((uint32_t)want, cc);
			return set_err(s, ZP_EFORMAT, "%s: cannot deliver pixelformat %s; %s", s->p.device, cc,
				       offer);
		}
		return set_err(s, ZP_EFORMAT, "%s: cannot deliver a luma format; %s%s", s->p.device, offer,
			       looks_raw(f, n) ? " (raw sensor: a CSI camera? see docs/camera.md, libcamerify)" : "");
	}

	luma_layout_of(fmt.fmt.pix.pixelformat, &layout, &bpp);
	s->fourcc = fmt.fmt.pix.pixelformat;
	s->layout = layout;
	s->width = (int)fmt.fmt.pix.width;
	s->height = (int)fmt.fmt.pix.height;
	s->bytesperline = fmt.fmt.pix.bytesperline;
	if (s->bytesperline < (uint32_t)s->width * bpp)
		s->bytesperline = (uint32_t)s->width * bpp;
	s->needed = (size_t)s->bytesperline * (size_t)(s->height - 1) + (size_t)s->width * bpp;
	if (fmt.fmt.pix.sizeimage && fmt.fmt.pix.sizeimage < s->needed)
		return set_err(s, ZP_EFORMAT, "%s: driver reports %" PRIu32 "-byte images, too small for %dx%d",
			       s->p.device, fmt.fmt.pix.sizeimage, s->width, s->height);
	setup_colour(s, fmt.fmt.pix.sizeimage);
	return ZP_OK;
}

/* Frame rate: S_PARM when asked and supported, then read back what we got. */
static int set_frame_rate(struct v4l2_source *s)
{
	struct v4l2_streamparm parm;

	s->fps = 0;
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(s, VIDIOC_G_PARM, &parm) == -1) {
		if (errno == ENODEV || errno == EIO)
			return set_errno(s, errno, "VIDIOC_G_PARM");
		s->fps = s->p.fps; /* not supported: assume the request */
		return ZP_OK;
	}
	if (s->p.fps > 0 && (parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) {
		parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		parm.parm.capture.timeperframe.numerator = 1;
		parm.parm.capture.timeperframe.denominator = (uint32_t)s->p.fps;
		if (xioctl(s, VIDIOC_S_PARM, &parm) == -1) {
			if (errno == ENODEV || errno == EIO)
				return set_errno(s, errno, "VIDIOC_S_PARM");
			zp_log(ZP_LOG_WARNING, "%s: cannot set %d fps: %s", s->p.device, s->p.fps, strerror(errno));
		}
	}
	if (parm.parm.capture.timeperframe.numerator && parm.parm.capture.timeperframe.denominator)
		s->fps = (double)parm.parm.capture.timeperframe.denominator /
			 parm.parm.capture.timeperframe.numerator;
	return ZP_OK;
}

/* Find a control by normalised name or numeric id ("0x009a0902", "10094850"). false when absent. */
static bool find_control(struct v4l2_source *s, const char *want, struct v4l2_queryctrl *q)
{
	char norm_want[sizeof(((zp_camera_control *)0)->name)];
	char norm[sizeof(q->name) + 1];
	char *end;
	unsigned long id;

	errno = 0;
	id = strtoul(want, &end, 0);
	if (end != want && *end == '\0' && errno == 0) {
		memset(q, 0, sizeof(*q));
		q->id = (uint32_t)id;
		return xioctl(s, VIDIOC_QUERYCTRL, q) == 0 && !(q->flags & V4L2_CTRL_FLAG_DISABLED);
	}
	ctrl_norm(want, norm_want, sizeof(norm_want));
	memset(q, 0, sizeof(*q));
	q->id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (xioctl(s, VIDIOC_QUERYCTRL, q) == 0) {
		if (!(q->flags & V4L2_CTRL_FLAG_DISABLED) && q->type != V4L2_CTRL_TYPE_CTRL_CLASS) {
			ctrl_norm((const char *)q->name, norm, sizeof(norm));
			if (strcmp(norm, norm_want) == 0)
				return true;
		}
		q->id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return false;
}

/* "auto_exposure, exposure_time_absolute, ..." for the warning about an unknown name. */
static void list_controls(struct v4l2_source *s, char *buf, size_t len)
{
	struct v4l2_queryctrl q;
	char norm[sizeof(q.name) + 1];
	size_t used;

	buf[0] = '\0';
	memset(&q, 0, sizeof(q));
	q.id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (xioctl(s, VIDIOC_QUERYCTRL, &q) == 0) {
		if (!(q.flags & V4L2_CTRL_FLAG_DISABLED) && q.type != V4L2_CTRL_TYPE_CTRL_CLASS) {
			ctrl_norm((const char *)q.name, norm, sizeof(norm));
			used = strlen(buf);
			if (used + strlen(norm) + 6 >= len) {
				snprintf(buf + used, len - used, "%s...", used ? ", " : "");
				break;
			}
			snprintf(buf + used, len - used, "%s%s", used ? ", " : "", norm);
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

/*
 * Camera controls from config, in config order (so auto_exposure = 1, manual,
 * can come before exposure_time_absolute). A control the camera does not
 * have or refuses is a warning, not a failure: the picture is still usable.
 * Only the device disappearing under us fails the open.
 */
static int apply_controls(struct v4l2_source *s)
{
	bool log = !s->controls_logged;
	char avail[200];
	int i;

	for (i = 0; i < s->p.ncontrols; i++) {
		const zp_camera_control *c = &s->p.controls[i];
		struct v4l2_queryctrl q;
		int r;

		if (!find_control(s, c->name, &q)) {
			if (errno == ENODEV || errno == EIO)
				return set_errno(s, errno, "VIDIOC_QUERYCTRL");
			if (log) {
				list_controls(s, avail, sizeof(avail));
				zp_log(ZP_LOG_WARNING, "%s: camera has no control '%s' (it has: %s)", s->p.device,
				       c->name, avail);
			}
			continue;
		}
		if (q.flags & V4L2_CTRL_FLAG_READ_ONLY) {
			if (log)
				zp_log(ZP_LOG_WARNING, "%s: control '%s' is read-only", s->p.device, c->name);
			continue;
		}
		if (q.type != V4L2_CTRL_TYPE_INTEGER64 && (c->value < q.minimum || c->value > q.maximum)) {
			if (log)
				zp_log(ZP_LOG_WARNING, "%s: control '%s' = %" PRId64 " out of range %d..%d; not set",
				       s->p.device, c->name, c->value, q.minimum, q.maximum);
			continue;
		}
		if (q.type == V4L2_CTRL_TYPE_INTEGER64) {
			struct v4l2_ext_control ec;
			struct v4l2_ext_controls ecs;

			memset(&ec, 0, sizeof(ec));
			memset(&ecs, 0, sizeof(ecs));
			ec.id = q.id;
			ec.value64 = c->value;
			ecs.which = V4L2_CTRL_WHICH_CUR_VAL;
			ecs.count = 1;
			ecs.controls = &ec;
			r = xioctl(s, VIDIOC_S_EXT_CTRLS, &ecs);
		} else {
			struct v4l2_control sc;

			memset(&sc, 0, sizeof(sc));
			sc.id = q.id;
			sc.value = (int32_t)c->value;
			r = xioctl(s, VIDIOC_S_CTRL, &sc);
		}
		if (r == -1) {
			if (errno == ENODEV || errno == EIO)
				return set_errno(s, errno, "VIDIOC_S_CTRL");
			if (log)
				zp_log(ZP_LOG_WARNING, "%s: cannot set control '%s' = %" PRId64 ": %s%s", s->p.device,
				       c->name, c->value, strerror(errno),
				       (q.flags & V4L2_CTRL_FLAG_INACTIVE) ?
					       " (inactive: set its auto_ control to manual first)" : "");
			continue;
		}
		if (log)
			zp_log(ZP_LOG_INFO, "%s: control %s = %" PRId64, s->p.device, c->name, c->value);
	}
	s->controls_logged = true;
	return ZP_OK;
}

/* A capture buffer as QUERYBUF, QBUF and DQBUF take it: memory-mapped, number index. */
static void mmap_buffer(struct v4l2_buffer *b, unsigned index)
{
	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	b->index = index;
}

/* REQBUFS, QUERYBUF + mmap, QBUF every buffer, STREAMON. */
static int start_streaming(struct v4l2_source *s)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers req;
	struct v4l2_buffer b;
	unsigned i;

	memset(&req, 0, sizeof(req));
	req.count = (uint32_t)s->p.buffers;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_MMAP;
	if (xioctl(s, VIDIOC_REQBUFS, &req) == -1)
		return set_errno(s, errno, "VIDIOC_REQBUFS");
	if (req.count < 2) {
		/* count what the driver did allocate, so dev_close() releases it */
		s->nbuf = req.count;
		return set_err(s, ZP_EIO, "%s: driver gave %" PRIu32 " buffer(s), need at least 2", s->p.device,
			       req.count);
	}
	s->nbuf = req.count > V4L2_MAX_BUFFERS ? V4L2_MAX_BUFFERS : req.count;
	for (i = 0; i < s->nbuf; i++) {
		mmap_buffer(&b, i);
		if (xioctl(s, VIDIOC_QUERYBUF, &b) == -1)
			return set_errno(s, errno, "VIDIOC_QUERYBUF");
		if (b.length < s->needed)
			return set_err(s, ZP_EFORMAT, "%s: buffer of %" PRIu32 " bytes, a frame needs %zu",
				       s->p.device, b.length, s->needed);
		s->buf[i].start = s->io->mmap(b.length, s->fd, b.m.offset);
		if (s->buf[i].start == MAP_FAILED) {
			s->buf[i].start = NULL;
			return set_errno(s, errno, "mmap");
		}
		s->buf[i].length = b.length;
	}
	for (i = 0; i < s->nbuf; i++) {
		mmap_buffer(&b, i);
		if (xioctl(s, VIDIOC_QBUF, &b) == -1)
			return set_errno(s, errno, "VIDIOC_QBUF");
	}
	if (xioctl(s, VIDIOC_STREAMON, &type) == -1)
		return set_errno(s, errno, "VIDIOC_STREAMON");
	s->streaming = true;
	return ZP_OK;
}

/* Zero and free a frame buffer. */
static void drop_buffer(uint8_t **buf, size_t *size)
{
	if (*buf) {
		explicit_bzero(*buf, *size);
		free(*buf);
	}
	*buf = NULL;
	*size = 0;
}

/* Make *buf hold at least need bytes; a smaller one is zeroed and freed. ZP_OK or ZP_ENOMEM (*buf kept). */
static int reserve_buffer(uint8_t **buf, size_t *size, size_t need)
{
	uint8_t *b;

	if (need <= *size)
		return ZP_OK;
	b = calloc(1, need);
	if (!b)
		return ZP_ENOMEM;
	drop_buffer(buf, size);
	*buf = b;
	*size = need;
	return ZP_OK;
}

/* Open and start the camera. On failure everything is closed again and errmsg says why. */
static int dev_open(struct v4l2_source *s)
{
	size_t size;
	char cc[5];
	bool same;
	int r;

	r = open_device(s);
	if (r == ZP_OK)
		r = negotiate_format(s);
	if (r == ZP_OK)
		r = set_frame_rate(s);
	if (r == ZP_OK)
		r = apply_controls(s);
	if (r == ZP_OK)
		r = start_streaming(s);
	if (r != ZP_OK)
		goto fail;

	size = (size_t)s->width * (size_t)s->height;
	if (reserve_buffer(&s->luma, &s->luma_size, size) != ZP_OK ||
	    (s->colour && reserve_buffer(&s->bgr, &s->bgr_size, 3 * size) != ZP_OK)) {
		r = set_err(s, ZP_ENOMEM, "%s: out of memory for a %dx%d frame", s->p.device, s->width, s->height);
		goto fail;
	}
	if (!s->colour)
		drop_buffer(&s->bgr, &s->bgr_size); /* no colour now: keep no old colour pixels */
	s->wait_since_ms = -1;
	s->bad_frames = 0;
	/* say what we got the first time and when it differs; a reconnect to the same thing is debug */
	same = s->logged_fourcc == s->fourcc && s->logged_width == s->width && s->logged_height == s->height;
	fourcc_str(s->fourcc, cc);
	zp_log(same ? ZP_LOG_DEBUG : ZP_LOG_INFO, "%s: %dx%d %s%s, %.3g fps, %u buffers (%s, via %s)", s->p.device,
	       s->width, s->height, cc, s->colour ? " -> luma + BGR" : "", s->fps, s->nbuf, s->driver, s->io->name);
	s->logged_fourcc = s->fourcc;
	s->logged_width = s->width;
	s->logged_height = s->height;
	return ZP_OK;

fail:
	dev_close(s);
	return r;
}

/* ---- failure and back-off ---- */

/*
 * Close, remember the error for the calls that follow, schedule the next
 * attempt, and log - the first time, then once a minute with a count, so a
 * camera missing for a week does not flood the journal.
 */
static int fail(struct v4l2_source *s, int code)
{
	int64_t now = clock_now(s);

	dev_close(s);
	if (code != s->rl_err) {
		memset(&s->rl, 0, sizeof(s->rl));
		s->rl_err = code;
	}
	if (s->rl.primed)   /* a repeat: say how often it is retried */
		zp_log_limited(&s->rl, now, V4L2_LOG_INTERVAL_MS, ZP_LOG_ERR, "%s; retrying up to every %d ms",
			       s->base.errmsg, s->p.retry_max_ms);
	else
		zp_log_limited(&s->rl, now, V4L2_LOG_INTERVAL_MS, ZP_LOG_ERR, "%s", s->base.errmsg);
	s->last_err = code;
	s->retry_at_ms = now + s->backoff_ms;
	s->backoff_ms = s->backoff_ms >= s->p.retry_max_ms / 2 ? s->p.retry_max_ms : s->backoff_ms * 2;
	s->failures++;
	s->err_reported = true;
	return code;
}

/* ---- frames ---- */

static void extract_luma(struct v4l2_source *s, const uint8_t *src)
{
	size_t w = (size_t)s->width;
	uint8_t *dst = s->luma;
	int y;

	for (y = 0; y < s->height; y++, src += s->bytesperline, dst += w) {
		if (s->layout == LUMA_PLANE)
			memcpy(dst, src, w);
		else
			s->ops.yuv_luma_packed(dst, src, s->width, s->layout == LUMA_ODD);
	}
}

/* The frame in src -> packed BGR in s->bgr (rows width * 3 bytes), after extract_luma(). */
static void extract_bgr(struct v4l2_source *s, const uint8_t *src)
{
	const struct chroma_layout *c = &s->chroma;
	size_t w = (size_t)s->width;
	const uint8_t *l = s->luma, *crow;
	uint8_t *dst = s->bgr;
	int y;

	for (y = 0; y < s->height; y++, l += w, dst += 3 * w) {
		crow = c->planar ? src + (size_t)(y / 2) * c->cstride : src + (size_t)y * s->bytesperline;
		s->ops.yuv_bgr_row(dst, l, crow + c->uoff, crow + c->voff, s->width, (int)c->cstep);
	}
}

/*
 * Frame time: the driver's timestamp when it says it is CLOCK_MONOTONIC (the
 * time the frame was captured, not when we got round to it), else now. Never
 * earlier than the previous frame.
 */
static int64_t frame_time(struct v4l2_source *s, const struct v4l2_buffer *b, int64_t now)
{
	int64_t t = now;

	if ((b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC &&
	    (b->timestamp.tv_sec || b->timestamp.tv_usec)) {
		int64_t ts = (int64_t)b->timestamp.tv_sec * 1000 + b->timestamp.tv_usec / 1000;

		/* a clock that is not ours after all: do not trust it */
		if (ts <= now && now - ts < 10000)
			t = ts;
	}
	if (t < s->last_t_ms)
		t = s->last_t_ms;
	return t;
}

/* Has the format changed under us? Called on a suspicious frame; true means reopen. */
static bool format_changed(struct v4l2_source *s)
{
	struct v4l2_format fmt;

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(s, VIDIOC_G_FMT, &fmt) == -1)
		return false;
	return fmt.fmt.pix.pixelformat != s->fourcc || (int)fmt.fmt.pix.width != s->width ||
	       (int)fmt.fmt.pix.height != s->height;
}

static int requeue(struct v4l2_source *s, struct v4l2_buffer *b)
{
	if (xioctl(s, VIDIOC_QBUF, b) == -1)
		return fail(s, set_errno(s, errno, "VIDIOC_QBUF"));
	return ZP_OK;
}

/*
 * One DQBUF. Returns 0 with *f filled, ZP_EAGAIN when nothing was ready (or a
 * bad frame was skipped), or a failure (device closed).
 */
static int take_frame(struct v4l2_source *s, zp_frame *f, bool pollerr)
{
	struct v4l2_buffer b;
	int64_t now;
	int r;

	mmap_buffer(&b, 0);
	if (xioctl(s, VIDIOC_DQBUF, &b) == -1) {
		if (errno == EAGAIN && !pollerr)
			return ZP_EAGAIN;
		if (errno == EAGAIN)
			return fail(s, set_err(s, ZP_EIO, "%s: device reported an error (unplugged?)", s->p.device));
		if (errno == ENODEV || errno == ENXIO)
			return fail(s, set_err(s, ZP_ENODEV, "%s: camera lost: %s", s->p.device, strerror(errno)));
		return fail(s, set_errno(s, errno, "camera lost: VIDIOC_DQBUF"));
	}
	if (b.index >= s->nbuf)
		return fail(s, set_err(s, ZP_EIO, "%s: driver returned buffer %" PRIu32 " of %u", s->p.device,
				       b.index, s->nbuf));

	if ((b.flags & V4L2_BUF_FLAG_ERROR) || b.bytesused < s->needed || b.bytesused > s->buf[b.index].length) {
		if (format_changed(s)) {
			struct v4l2_format fmt;
			char was[5], now_cc[5];

			memset(&fmt, 0, sizeof(fmt));
			fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			xioctl(s, VIDIOC_G_FMT, &fmt);
			fourcc_str(s->fourcc, was);
			fourcc_str(fmt.fmt.pix.pixelformat, now_cc);
			return fail(s, set_err(s, ZP_EFORMAT, "%s: format changed from %dx%d %s to %" PRIu32 "x%" PRIu32
					       " %s while streaming", s->p.device, s->width, s->height, was,
					       fmt.fmt.pix.width, fmt.fmt.pix.height, now_cc));
		}
		r = requeue(s, &b);
		if (r != ZP_OK)
			return r;
		if (++s->bad_frames >= V4L2_MAX_BAD_FRAMES)
			return fail(s, set_err(s, ZP_EIO, "%s: %d corrupt frames in a row (flag ERROR or %" PRIu32
					       " of %zu bytes)", s->p.device, s->bad_frames, b.bytesused, s->needed));
		return ZP_EAGAIN;
	}

	now = clock_now(s);
	extract_luma(s, s->buf[b.index].start);
	if (s->colour)
		extract_bgr(s, s->buf[b.index].start);
	r = requeue(s, &b);
	if (r != ZP_OK)
		return r;

	s->bad_frames = 0;
	s->last_t_ms = frame_time(s, &b, now);
	if (s->failures)
		zp_log(ZP_LOG_NOTICE, "%s: frames again (after %u failed attempt%s)", s->p.device, s->failures,
		       s->failures == 1 ? "" : "s");
	s->failures = 0;
	s->backoff_ms = s->p.retry_min_ms;
	s->last_err = ZP_OK;
	s->base.errmsg[0] = '\0';
	s->wait_since_ms = -1;

	f->luma = s->luma;
	f->stride = s->width;
	f->bgr = s->colour ? s->bgr : NULL;
	f->bgr_stride = s->colour ? 3 * s->width : 0;
	f->width = s->width;
	f->height = s->height;
	f->t_ms = s->last_t_ms;
	f->seq = ++s->seq;
	return ZP_OK;
}

/* Wait for the back-off to pass, then reopen. ZP_OK when the camera is streaming again. */
static int reopen(struct v4l2_source *s, int64_t call_start, int timeout_ms)
{
	int64_t now, until;
	int r;

	if (!s->err_reported) {
		/* the failure of the first open, seen by nobody yet */
		s->err_reported = true;
		return s->last_err;
	}
	now = clock_now(s);
	if (now < s->retry_at_ms) {
		until = s->retry_at_ms;
		if (timeout_ms >= 0 && call_start + timeout_ms < until)
			until = call_start + timeout_ms;
		clock_sleep(s, until - now);
		if (clock_now(s) < s->retry_at_ms)
			return s->last_err;
	}
	r = dev_open(s);
	if (r != ZP_OK)
		return fail(s, r);
	return ZP_OK;
}

static int v4l2_next(zp_source *base, zp_frame *f, int timeout_ms)
{
	struct v4l2_source *s = to_v4l2(base);
	int64_t call_start = clock_now(s), now, dev_left, call_left, wait;
	struct pollfd pfd;
	int r;

	if (s->fd < 0) {
		r = reopen(s, call_start, timeout_ms);
		if (r != ZP_OK)
			return r;
	}
	if (s->wait_since_ms < 0)
		s->wait_since_ms = call_start;

	for (;;) {
		now = clock_now(s);
		dev_left = s->wait_since_ms + s->p.timeout_ms - now;
		call_left = timeout_ms < 0 ? dev_left : call_start + timeout_ms - now;
		wait = dev_left < call_left ? dev_left : call_left;
		if (wait < 0)
			wait = 0;

		pfd.fd = s->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)wait);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return fail(s, set_errno(s, errno, "poll"));
		}
		if (r == 0) {
			now = clock_now(s);
			if (now >= s->wait_since_ms + s->p.timeout_ms)
				return fail(s, set_err(s, ZP_ETIMEDOUT, "%s: no frame for %d ms (camera stalled?)",
						       s->p.device, s->p.timeout_ms));
			if (timeout_ms >= 0 && now >= call_start + timeout_ms)
				return ZP_EAGAIN;
			continue;
		}
		r = take_frame(s, f, (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0);
		if (r != ZP_EAGAIN)
			return r;
	}
}

static double v4l2_fps(const zp_source *base)
{
	return to_cv4l2(base)->fps;
}

static void v4l2_size(const zp_source *base, int *width, int *height)
{
	const struct v4l2_source *s = to_cv4l2(base);

	if (width)
		*width = s->width;
	if (height)
		*height = s->height;
}

static long v4l2_frame_count(const zp_source *base)
{
	(void)base;
	return -1;
}

static void v4l2_destroy(zp_source *base)
{
	struct v4l2_source *s = to_v4l2(base);

	dev_close(s);
	drop_buffer(&s->luma, &s->luma_size);
	drop_buffer(&s->bgr, &s->bgr_size);
	free(s);
}

static const struct zp_source_ops v4l2_ops = {
	.next = v4l2_next,
	.fps = v4l2_fps,
	.size = v4l2_size,
	.frame_count = v4l2_frame_count,
	.destroy = v4l2_destroy,
};

/* ---- constructor ---- */

static int check_params(const zp_camera_params *p, char *err, size_t errlen)
{
	int i;

	if (!p->device[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "camera: device: expected a path such as /dev/video0");
	if (p->width < 0 || p->height < 0 || p->width > 16384 || p->height > 16384 || (!p->width != !p->height))
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "camera: width/height: expected both from 1 to 16384 (or both 0), got %dx%d",
				 p->width, p->height);
	if (p->fps < 0 || p->fps > 1000)
		return zp_seterr(err, errlen, ZP_EINVAL, "camera: fps: expected 0 to 1000, got %d", p->fps);
	if (parse_pixelformat(p->pixelformat) < 0)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "camera: pixelformat: expected auto or a fourcc such as YUYV, GREY, MJPG, got '%s'",
				 p->pixelformat);
	if (p->buffers < 3 || p->buffers > V4L2_MAX_BUFFERS)
		return zp_seterr(err, errlen, ZP_EINVAL, "camera: buffers: expected 3 to %d, got %d", V4L2_MAX_BUFFERS,
				 p->buffers);
	if (p->timeout_ms < 1)
		return zp_seterr(err, errlen, ZP_EINVAL, "camera: timeout_ms: expected at least 1, got %d",
				 p->timeout_ms);
	if (p->retry_min_ms < 1 || p->retry_max_ms < p->retry_min_ms)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "camera: retry_min_ms/retry_max_ms: expected 1 <= min <= max, got %d/%d",
				 p->retry_min_ms, p->retry_max_ms);
	if (p->ncontrols < 0 || p->ncontrols > ZP_MAX_CONTROLS)
		return zp_seterr(err, errlen, ZP_EINVAL, "camera: at most %d controls", ZP_MAX_CONTROLS);
	for (i = 0; i < p->ncontrols; i++)
		if (!p->controls[i].name[0])
			return zp_seterr(err, errlen, ZP_EINVAL, "camera: control %d has no name", i + 1);
	return ZP_OK;
}

zp_source *zp_source_open_v4l2(const zp_camera_params *p, int *errcode, char *err, size_t errlen)
{
	struct v4l2_source *s;
	int r;

	r = check_params(p, err, errlen);
	if (r != ZP_OK)
		goto fail;
	s = calloc(1, sizeof(*s));
	if (!s) {
		r = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", p->device);
		goto fail;
	}
	s->base.ops = &v4l2_ops;
	s->p = *p;
	s->p.device[sizeof(s->p.device) - 1] = '\0';
	s->io = s->p.io == ZP_V4L2_IO_LIBC ? &io_libc : &io_libv4l2;
	zp_pixops_init(&s->ops, p->simd); /* the YUV -> luma / BGR kernels of the caller's path */
	s->fd = -1;
	s->wait_since_ms = -1;
	s->backoff_ms = p->retry_min_ms;

	/* try the camera once now; a failure is for next() to report */
	r = dev_open(s);
	if (r != ZP_OK) {
		fail(s, r);
		s->err_reported = false;
	}
	if (err && errlen)
		err[0] = '\0';
	if (errcode)
		*errcode = ZP_OK;
	return &s->base;

fail:
	if (errcode)
		*errcode = r;
	return NULL;
}
