/* SPDX-License-Identifier: MIT */
/*
 * cvwrap.h - the thin extern "C" wrapper over OpenCV 4's C++ API.
 *
 * Opaque handles; every C++ exception is caught at the boundary and turned
 * into a negative zp_err plus a message. Buffers passed in are the caller's;
 * buffers returned by a handle belong to it and are reused by the next call.
 */
#ifndef ZP_CVWRAP_H
#define ZP_CVWRAP_H

#include "zp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- video decoding ---- */
typedef struct zp_cv_video zp_cv_video;

/* Open a video file (FFmpeg backend). NULL + message when it cannot be opened or decoded. */
zp_cv_video *zp_cv_video_open(const char *path, char *err, size_t errlen);
/*
 * Decode the next frame as packed BGR. *bgr points into the handle's buffer
 * (valid until the next call). Returns 0, ZP_EOF at the end, ZP_EFORMAT on
 * a decode error.
 */
int zp_cv_video_read(zp_cv_video *v, const uint8_t **bgr, int *width, int *height, int *stride);
double zp_cv_video_fps(const zp_cv_video *v);
/* Frame count from the container (may be approximate), -1 when unknown. */
long zp_cv_video_frame_count(const zp_cv_video *v);
/* Zero the decoded frame held by the handle, close, free. NULL is a no-op. */
void zp_cv_video_close(zp_cv_video *v);

/* ---- still images ---- */
/*
 * Decode an image file into packed BGR (channels = 3) or grey (channels = 1)
 * in a malloc'd buffer the caller frees. Returns 0, ZP_ENODEV, ZP_EFORMAT.
 */
int zp_cv_imread(const char *path, int channels, uint8_t **pixels, int *width, int *height, char *err,
		 size_t errlen);
/*
 * An image decoder for folders of numbered images: the file bytes and the
 * decoded pixels live in the handle; the file buffer is reused, and each
 * decoded image is zeroed before the next one replaces it (OpenCV allocates
 * the decoded image anew per call).
 */
typedef struct zp_cv_image zp_cv_image;
/* NULL only when out of memory. */
zp_cv_image *zp_cv_image_new(void);
/*
 * Decode PATH as packed BGR; *bgr points into the handle (valid until the next
 * call or zp_cv_image_free()). Returns 0, ZP_ENODEV (cannot open the file),
 * ZP_EIO (read error), ZP_EFORMAT (not a decodable image), ZP_ENOMEM; a
 * message naming the file in err.
 */
int zp_cv_image_read(zp_cv_image *im, const char *path, const uint8_t **bgr, int *width, int *height, int *stride,
		     char *err, size_t errlen);
/* Zero the file bytes and pixels held, then free. NULL is a no-op. */
void zp_cv_image_free(zp_cv_image *im);

/* Write an 8-bit grey (channels 1) or BGR (3) image; the format from the file name (.png). */
int zp_cv_imwrite(const char *path, const uint8_t *pixels, int width, int height, int stride, int channels,
		  char *err, size_t errlen);

/* ---- colour ---- */
/* BGR -> luma (BT.601, as cv::COLOR_BGR2GRAY) into dst. */
void zp_cv_bgr_to_gray(const uint8_t *bgr, int bgr_stride, uint8_t *dst, int dst_stride, int width, int height);

/*
 * YUYV (packed 4:2:2) -> grey (bgr false, cv::COLOR_YUV2GRAY_YUYV) or BGR
 * (bgr true, cv::COLOR_YUV2BGR_YUYV) into dst: OpenCV's side of the camera
 * conversion benchmark (zebrapad bench). width even; 0, or ZP_EINVAL on bad
 * arguments.
 */
int zp_cv_yuyv_convert(const uint8_t *yuyv, int stride, uint8_t *dst, int dst_stride, int width, int height, bool bgr);

/* ---- video writing (overlay) ---- */
typedef struct zp_cv_writer zp_cv_writer;
/* Open a video writer; codec from the extension (.avi: MJPG, .mp4: mp4v); a path that exists must be a
 * regular file. NULL + message on failure. */
zp_cv_writer *zp_cv_writer_open(const char *path, double fps, int width, int height, char *err, size_t errlen);
int zp_cv_writer_write(zp_cv_writer *w, const uint8_t *bgr, int stride);
/*
 * Finish the file and free w, then check what was written by reading it
 * back (OpenCV reports no write errors): the container must hold every
 * frame written and the last must be readable. 0, or ZP_EIO with a message
 * naming the file (a full disk leaves a cut file). NULL: 0.
 */
int zp_cv_writer_finish(zp_cv_writer *w, char *err, size_t errlen);
/* Finish and free without the check (an error path). NULL is a no-op. */
void zp_cv_writer_close(zp_cv_writer *w);

/* ---- drawing on a caller's packed BGR buffer (colour as 0xRRGGBB; thickness < 0: filled) ---- */
void zp_cv_draw_polygon(uint8_t *bgr, int width, int height, int stride, const double *xy, int npoints,
			uint32_t rgb, int thickness);
void zp_cv_draw_rect(uint8_t *bgr, int width, int height, int stride, int x, int y, int w, int h, uint32_t rgb,
		     int thickness);
void zp_cv_draw_line(uint8_t *bgr, int width, int height, int stride, int x0, int y0, int x1, int y1,
		     uint32_t rgb, int thickness);
void zp_cv_draw_circle(uint8_t *bgr, int width, int height, int stride, int x, int y, int radius, uint32_t rgb,
		       int thickness);
void zp_cv_draw_text(uint8_t *bgr, int width, int height, int stride, int x, int y, const char *text,
		     double scale, uint32_t rgb);

/* ---- OpenCV background subtractors, for `eval --compare` and `bench` ---- */
typedef enum zp_cv_bgsub_kind {
	ZP_CV_MOG2 = 0,
	ZP_CV_KNN,
	ZP_CV_GSOC,   /* bgsegm (libopencv-contrib) */
	ZP_CV_MOG,    /* bgsegm */
	ZP_CV_CNT,    /* bgsegm: counting-based, made for the Raspberry Pi (isParallel honours zp_cv_set_threads) */
} zp_cv_bgsub_kind;
typedef struct zp_cv_bgsub zp_cv_bgsub;
const char *zp_cv_bgsub_name(zp_cv_bgsub_kind kind); /* "mog2", "knn", "gsoc", "mog", "cnt" */
/* Default OpenCV parameters. NULL + message when the module is missing. */
zp_cv_bgsub *zp_cv_bgsub_new(zp_cv_bgsub_kind kind, char *err, size_t errlen);
/*
 * apply(): channels 1 (grey) or 3 (BGR); mask gets 0 / 255 (MOG2/KNN shadows,
 * 127, are turned into 0: background). Returns 0 or a negative zp_err.
 */
int zp_cv_bgsub_apply(zp_cv_bgsub *b, const uint8_t *pixels, int width, int height, int stride, int channels,
		      uint8_t *mask, int mask_stride);
void zp_cv_bgsub_free(zp_cv_bgsub *b);

/* ---- geometry ---- */
/*
 * Homography from n >= 4 image points to n ground points (x,y pairs), least
 * squares over all pairs (Hartley-normalised DLT, as cv::findHomography
 * method 0 but in double precision: 4 exact pairs give H to ~1e-12); H
 * row-major 3x3 with H[8] = 1. Returns 0, or ZP_EINVAL for degenerate input
 * (fewer than 4 pairs, repeated or collinear points).
 */
int zp_cv_find_homography(const double *img_xy, const double *ground_xy, int n, double H[9], char *err,
			  size_t errlen);

/* Set the number of threads OpenCV may use (bench: 1). */
void zp_cv_set_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
