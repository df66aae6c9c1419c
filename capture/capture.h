/* SPDX-License-Identifier: MIT */
/*
 * capture.h - frame sources behind one interface.
 *
 *  - a video file (anything OpenCV's FFmpeg backend decodes) or a folder of
 *    numbered images (CDnet layout: DIR/input/in000001.jpg ..., or the
 *    folder of images itself), through the OpenCV wrapper;
 *  - a V4L2 camera through libv4l2 (mmap streaming, poll with a timeout,
 *    reconnect with back-off).
 *
 * Frames are reused in place: a frame returned by zp_source_next() is valid
 * until the next call or zp_source_free().
 */
#ifndef ZP_CAPTURE_H
#define ZP_CAPTURE_H

#include "zp_common.h"
#include "models.h" /* zp_simd */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zp_source zp_source;

/* Maximum V4L2 controls set from config. */
#define ZP_MAX_CONTROLS 16

typedef struct zp_camera_control {
	char name[48];   /* V4L2 control name as the driver reports it, lower case, '_' for spaces,
	                    e.g. "auto_exposure", "exposure_time_absolute"; or a numeric id */
	int64_t value;
} zp_camera_control;

/*
 * The clock a camera goes by: its frame timeout, the back-off between
 * reconnects and the frame times. The source takes it as the core takes
 * now_ms, so a test can run the back-off on fake time. NULL now_ms: the
 * monotonic clock (zp_now_ms); NULL sleep_ms: nanosleep. The wait for a
 * frame itself is poll() on the device, in real time.
 */
typedef struct zp_capture_clock {
	int64_t (*now_ms)(void *ctx);            /* monotonic milliseconds */
	void (*sleep_ms)(void *ctx, int64_t ms); /* wait ms (> 0) milliseconds */
	void *ctx;
} zp_capture_clock;

/* Every field but want_bgr, clock and simd has a [camera] config key of the same name (docs/camera.md). */
typedef enum { ZP_V4L2_IO_LIBV4L2 = 0, ZP_V4L2_IO_LIBC } zp_v4l2_io;

/*
 * The I/O for the process's environment, read once by main: `force` is
 * ZP_V4L2_IO ("libc" or "libv4l2", else NULL), `preload` is LD_PRELOAD;
 * libc when forced so, or when v4l2-compat (libcamerify) is preloaded.
 */
zp_v4l2_io zp_v4l2_io_choose(const char *force, const char *preload);

typedef struct zp_camera_params {
	char device[128];        /* "/dev/video0" */
	int width, height;       /* requested size (the driver may adjust) */
	int fps;                 /* requested frame rate, 0: driver default */
	char pixelformat[8];     /* "auto", "YUYV", "GREY", "MJPG" (libv4l2 converts), ... */
	int buffers;             /* mmap buffers, >= 3 */
	int timeout_ms;          /* poll timeout per frame */
	int retry_min_ms;        /* reconnect back-off, first delay */
	int retry_max_ms;        /* ... and the cap */
	int ncontrols;
	zp_camera_control controls[ZP_MAX_CONTROLS]; /* keys "control.NAME = VALUE" */
	/*
	 * Not a config key: the program sets it. true: every frame also comes as
	 * packed BGR (zp_frame.bgr), converted from the camera's YUV (BT.601,
	 * limited range) - a cost per frame, see docs/camera.md; a GREY camera
	 * still gives bgr NULL. false (the default): luma only, no conversion.
	 * zebrapad run sets it exactly when [detector] shadows = 2.
	 */
	bool want_bgr;
	zp_capture_clock clock; /* not a config key: the program sets it; zeroed (the default): the real clock */
	/*
	 * Not a config key: the SIMD path of the YUV -> luma / BGR conversions
	 * (models.h, zp_pixops); the program passes the path main chose from
	 * ZEBRAPAD_SIMD. Default ZP_SIMD_AUTO: the CPU's best. Every path gives
	 * the same bytes.
	 */
	zp_simd simd;
	/*
	 * Not a config key: how the V4L2 source reaches the device. ZP_V4L2_IO_LIBV4L2
	 * (the default) through libv4l2; ZP_V4L2_IO_LIBC through libc's open/ioctl/mmap,
	 * which libcamerify's preloaded v4l2-compat.so intercepts (libv4l2 makes raw
	 * syscalls and would bypass it). main chooses it once (zp_v4l2_io_choose).
	 */
	zp_v4l2_io io;
} zp_camera_params;

void zp_camera_params_default(zp_camera_params *p);
int zp_camera_params_set(zp_camera_params *p, const char *key, const char *value, char *err, size_t errlen);

/*
 * Open a recorded source: a video file, a folder of numbered images, or a
 * CDnet folder (input/ inside). Frame times are derived from the frame
 * rate (fps_override > 0 wins; images default to 25 fps), so a replay is
 * deterministic. NULL + a one-line message (naming the path) on failure;
 * *errcode gets ZP_ENODEV (missing), ZP_EFORMAT (not decodable), ZP_EINVAL (empty folder).
 */
zp_source *zp_source_open_file(const char *path, double fps_override, int *errcode, char *err, size_t errlen);

/*
 * Open a V4L2 camera. Fails only on a bad config; a missing camera is
 * reported by zp_source_next() (ZP_ENODEV) and retried with back-off, so the
 * daemon can start, go fail-safe and come back by itself.
 */
zp_source *zp_source_open_v4l2(const zp_camera_params *p, int *errcode, char *err, size_t errlen);

/*
 * Wait up to timeout_ms for the next frame. Returns 0 and fills *f, or
 * ZP_EOF (recording ended), ZP_ETIMEDOUT, ZP_ENODEV / ZP_EIO (camera lost;
 * it will be reopened on a later call after the back-off), ZP_EACCES,
 * ZP_EFORMAT. A message for the last error is in zp_source_error().
 * Cameras: ZP_EAGAIN when this call's timeout_ms ran out before the camera's
 * own timeout_ms (no error yet); while waiting out the reconnect back-off a
 * call sleeps at most timeout_ms and returns the last error again
 * (docs/camera.md).
 */
int zp_source_next(zp_source *s, zp_frame *f, int timeout_ms);

/* Last error message ("" when none). */
const char *zp_source_error(const zp_source *s);

/* Nominal frame rate (recordings: from the file; cameras: negotiated), 0 when unknown. */
double zp_source_fps(const zp_source *s);

/* Frame size once known (after open for files, after the first frame for cameras). */
void zp_source_size(const zp_source *s, int *width, int *height);

/* Total frames when known (files), else -1. */
long zp_source_frame_count(const zp_source *s);

/* Zero every frame buffer and close. NULL is a no-op. */
void zp_source_free(zp_source *s);

#ifdef __cplusplus
}
#endif
#endif
