/* SPDX-License-Identifier: MIT */
/*
 * fake_v4l2.h - a link-time fake of libv4l2 (v4l2_open, v4l2_close,
 * v4l2_ioctl, v4l2_mmap, v4l2_munmap) that simulates a UVC camera at
 * /dev/video0 (and its metadata node at /dev/video1), for tests of
 * capture/v4l2.c. Link it instead of libv4l2.
 *
 * The camera serves frames made by a producer callback (synthetic by
 * default; a test can feed it decoded video), converted to the negotiated
 * format (GREY, YUYV, UYVY, YU12, YV12, NV12, NV21, with chroma filled with
 * junk so a wrong luma extraction shows, or with the chroma a second
 * producer makes). Like libv4l2, it lists YU12/YV12/RGB3/BGR3
 * as emulated formats and delivers them.
 *
 * The fd it returns is a real timerfd that becomes readable when a frame is
 * ready, so the real poll() works unchanged. Faults are injected through the
 * functions below. State is process-wide (libv4l2 has no context to hang it
 * on); fake_v4l2_reset() restores a plugged-in, healthy camera.
 */
#ifndef FAKE_V4L2_H
#define FAKE_V4L2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill width x height luma (stride width) for frame n (1, 2, ...). */
typedef void (*fake_v4l2_producer)(void *ctx, uint64_t n, uint8_t *luma, int width, int height);
/*
 * Fill full-resolution U and V (width x height each, stride width) for frame n.
 * The camera keeps the sample at the top left of each 2x1 (4:2:2: YUYV, UYVY)
 * or 2x2 (4:2:0: YU12, YV12, NV12, NV21) block.
 */
typedef void (*fake_v4l2_chroma_producer)(void *ctx, uint64_t n, uint8_t *u, uint8_t *v, int width, int height);

struct fake_v4l2_fmt {
	uint32_t fourcc;
	int width, height;
};

enum fake_v4l2_unplug_mode {
	FAKE_UNPLUG_DQBUF_ENODEV, /* poll says readable, VIDIOC_DQBUF fails ENODEV */
	FAKE_UNPLUG_POLLHUP,      /* poll reports POLLHUP, VIDIOC_DQBUF fails EIO (vb2 after a disconnect) */
};

enum fake_v4l2_ts {
	FAKE_TS_MONOTONIC,        /* V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC, CLOCK_MONOTONIC stamps */
	FAKE_TS_UNKNOWN,          /* V4L2_BUF_FLAG_TIMESTAMP_UNKNOWN, CLOCK_REALTIME stamps */
};

/* A healthy camera: native YUYV 640x480 and MJPG 640x480 / 1280x720, libv4l2 emulation on, 30 fps max. */
void fake_v4l2_reset(void);

/* Where frames come from (NULL: the synthetic pattern). */
void fake_v4l2_set_producer(fake_v4l2_producer fn, void *ctx);
/* Where chroma comes from (NULL: junk, the default). */
void fake_v4l2_set_chroma_producer(fake_v4l2_chroma_producer fn, void *ctx);
/* The camera's own formats; emulate: what libv4l2 would add (YU12, YV12, RGB3, BGR3). Takes effect at once. */
void fake_v4l2_set_formats(const struct fake_v4l2_fmt *fmts, int n, bool emulate);
/* Extra bytes at the end of every row (bytesperline = width * bpp + pad). */
void fake_v4l2_set_row_padding(int pad);
/* At most this many buffers are granted by VIDIOC_REQBUFS (default 32). */
void fake_v4l2_set_max_buffers(int n);
/* Device capabilities reported by VIDIOC_QUERYCAP for /dev/video0. */
void fake_v4l2_set_caps(uint32_t device_caps);

/* open(/dev/video0) fails with this errno (0: opens; ENOENT: absent; EACCES: permission). */
void fake_v4l2_set_open_errno(int e);
/* The camera goes away now: open fails ENOENT, the open fd fails as mode says. */
void fake_v4l2_unplug(enum fake_v4l2_unplug_mode mode);
/* ... and comes back (only new opens see it). */
void fake_v4l2_plug(void);

/* No frame becomes ready until cleared. */
void fake_v4l2_stall(bool on);
/* The next frame becomes ready no earlier than ms from now. */
void fake_v4l2_delay(int ms);
/* Frames no closer than this (0: as soon as a buffer is queued; the default). */
void fake_v4l2_set_frame_period_us(int us);
/* The next n DQBUFs return EAGAIN although poll said readable (-1: until cleared with 0). */
void fake_v4l2_spurious(int n);
/* Every ioctl fails with EINTR k times before it runs (0: off). */
void fake_v4l2_eintr(int k);
/* The next n frames come with V4L2_BUF_FLAG_ERROR. */
void fake_v4l2_error_frames(int n);
/* Mid-stream, the camera switches to this format (frames, G_FMT and the offer follow). */
void fake_v4l2_change_format(uint32_t fourcc, int width, int height);
/* S_FMT ignores the request and always answers the first native format (a camera we cannot read). */
void fake_v4l2_refuse_formats(bool on);
void fake_v4l2_set_timestamps(enum fake_v4l2_ts mode);

/* ---- what happened ---- */
/* ioctls made with this request code (EINTR failures included), since reset. */
int fake_v4l2_count(unsigned long req);
/* ioctls made, and the i-th of the last 4096 (oldest first) */
int fake_v4l2_ncalls(void);
unsigned long fake_v4l2_call(int i);
/* The camera's counters and state, as they are when fake_v4l2_seen() is called. */
struct fake_v4l2_seen {
	int opens;             /* successful v4l2_open calls since reset */
	int open_attempts;     /* all v4l2_open calls since reset */
	int open_fds;          /* fds open now */
	int mapped;            /* buffers mapped now */
	int unzeroed_unmaps;   /* buffers unmapped while still holding pixels */
	bool streaming;
	int fps;               /* the rate S_PARM set (30 by default) */
	uint64_t frames;       /* the number of the last frame served by DQBUF */
	int64_t last_dqbuf_ns; /* when that DQBUF returned */
	int64_t last_ts_ms;    /* the timestamp of the last frame served, in ms of its clock */
};
struct fake_v4l2_seen fake_v4l2_seen(void);
int64_t fake_v4l2_ctrl(uint32_t id);
/* The luma of the last frame served by DQBUF (stride width). */
const uint8_t *fake_v4l2_last_luma(int *width, int *height);

#endif
