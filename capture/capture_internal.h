/* SPDX-License-Identifier: MIT */
/* capture_internal.h - the frame-source ops table; private to capture/. */
#ifndef ZP_CAPTURE_INTERNAL_H
#define ZP_CAPTURE_INTERNAL_H

#include "capture.h"

#include <stdio.h>

struct zp_source_ops {
	int (*next)(zp_source *s, zp_frame *f, int timeout_ms);
	double (*fps)(const zp_source *s);
	void (*size)(const zp_source *s, int *width, int *height);
	long (*frame_count)(const zp_source *s);
	void (*destroy)(zp_source *s); /* zero the frame buffers, close, free */
};

/* Every source embeds this as its first member. */
struct zp_source {
	const struct zp_source_ops *ops;
	char errmsg[256];
};

/*
 * What the recording sources (file.c: OpenCV; plain.c: Y4M, PGM) share, as
 * their first member: the size, the rate, the length, the luma buffer
 * (width x height, stride width, reused) and the frames handed out.
 */
struct zp_recording {
	struct zp_source base; /* first: zp_source * <-> the source */
	double fps;
	long count;
	int width, height;
	uint8_t *luma;
	size_t luma_size;
	uint64_t seq;
};

/* The next frame: r->luma (filled by the caller), bgr (or NULL), its number and time from seq and fps. */
void zp_recording_frame(struct zp_recording *r, zp_frame *f, const uint8_t *bgr, int bgr_stride);
/* The ops every recording shares, and the luma buffer zeroed and freed (the rest is the source's). */
double zp_recording_fps(const zp_source *s);
void zp_recording_size(const zp_source *s, int *width, int *height);
long zp_recording_frame_count(const zp_source *s);
void zp_recording_free_luma(struct zp_recording *r);
/* r->luma for frames of r->width x r->height: 0, or ZP_ENOMEM "PATH: out of memory for WxH frames" in err. */
int zp_recording_alloc_luma(struct zp_recording *r, const char *path, char *err, size_t errlen);
/* ZP_EOF, with "PATH: end of recording after N frames" in err. */
int zp_recording_eof(const struct zp_recording *r, const char *path, char *err, size_t errlen);

/*
 * What a recording's opener checks first: fps_override from 0 (the file's
 * rate) to 1000, and path there (*st filled). 0, or the code with the
 * message in err.
 */
struct stat;
int zp_recording_stat(const char *path, double fps_override, struct stat *st, char *err, size_t errlen);

/* An opener's end: rc 0: s, *errcode 0; else s freed (NULL: none yet), *errcode rc, NULL. */
zp_source *zp_source_opened(zp_source *s, int rc, int *errcode);

/* One numbered image: NAME = prefix + digits + ext (series.c). */
typedef struct zp_numbered {
	char *name;
	size_t prefix_len;
	size_t ext_off;     /* offset of the '.' of the extension */
	long long num;
} zp_numbered;

typedef struct zp_series {
	zp_numbered *imgs;  /* one series (prefix + extension), sorted by number */
	size_t n;
} zp_series;

/* The folder the images of PATH are in: PATH/input (CDnet) when it exists, else PATH. false: too long. */
bool zp_series_dir(const char *path, char *dir, size_t dirlen);

/*
 * List the numbered images of DIR whose extension ext_ok accepts and keep
 * the largest series (prefix + extension; other files are ignored), sorted
 * by number. Two files with the same number in that series (in1.jpg,
 * in01.jpg) are an error: the order would be a guess. Messages name PATH
 * (what the user gave) or DIR. With warn, files of other series skipped
 * and gaps in the numbering are logged as warnings. On error *s is empty.
 */
int zp_series_scan(const char *dir, const char *path, bool (*ext_ok)(const char *ext), bool warn, zp_series *s,
		   char *err, size_t errlen);
void zp_series_free(zp_series *s);

/*
 * The readers that need no library (plain.c): a YUV4MPEG2 file (luma
 * plane; 8-bit mono, 4:2:0, 4:2:2, 4:4:4) or a folder of numbered binary
 * PGM (P5) images. zp_plain_probe: true when PATH is one of those (a Y4M
 * by its first bytes, a folder whose largest numbered series is .pgm), so
 * every binary reads them with the same code.
 */
bool zp_plain_probe(const char *path);
zp_source *zp_source_open_plain(const char *path, double fps_override, int *errcode, char *err, size_t errlen);

/* The parsers behind it, for the tests and the fuzzer: a Y4M stream (takes F, closed on failure too) ... */
zp_source *zp_source_open_y4m_stream(FILE *f, const char *name, double fps_override, int *errcode, char *err,
				     size_t errlen);
/* ... and one PGM file in memory: size and the offset of its pixels. */
int zp_pgm_parse(const uint8_t *buf, size_t n, const char *name, int *w, int *h, size_t *data_off, char *err,
		 size_t errlen);

/*
 * What a file's headers say about its frame size, without decoding
 * (header_size.c): AVI (avih, each video stream's strf, and the first video
 * frame's JPEG header: MJPEG), MP4/MOV (each tkhd, each video track's sample
 * entries), Matroska/WebM (PixelWidth/PixelHeight), JPEG (the first SOF),
 * PNG (IHDR), BMP. *format: the format's name, NULL when it is none of
 * these; *width, *height: the largest declared (0 when none was found).
 * Bounded: a few thousand small reads at most. 0, or ZP_EIO on a read error.
 * read_at: up to n bytes at off into buf; the count read (short at the
 * end), or -1.
 */
typedef long (*zp_read_at_fn)(void *ctx, uint64_t off, void *buf, size_t n);
int zp_header_size(zp_read_at_fn read_at, void *ctx, const char **format, int *width, int *height);
/* A read_at over a file descriptor: ctx points to the int descriptor. */
long zp_read_at_fd(void *ctx, uint64_t off, void *buf, size_t n);

#endif
