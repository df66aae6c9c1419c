/* SPDX-License-Identifier: MIT */
/*
 * file.c - recorded frame sources: a video file, or a folder of numbered
 * images (the folder itself, or a CDnet folder with input/ inside), decoded
 * through the OpenCV wrapper. A .y4m file or a folder of PGM images goes to
 * plain.c, the reader the daemon has too (file_plain.c), so both binaries
 * read those frames alike.
 *
 * Frame times come from the frame rate, not a clock, so a replay is
 * deterministic: t_ms = round((seq - 1) * 1000 / fps). The luma buffer is
 * owned by the source and reused; the BGR pixels live in the wrapper's handle.
 * Both are zeroed before they are freed.
 */
#include "capture_internal.h"

/* The camera's own limit ([camera] width/height): a recording's frames may not be larger. */
#define ZP_MAX_FRAME_SIDE 8192
#include "cvwrap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZP_IMAGES_DEFAULT_FPS 25.0

struct file_source {
	struct zp_recording rec; /* first: zp_source * <-> file_source * */
	char path[PATH_MAX];   /* what the user gave, for messages */
	zp_cv_video *video;    /* a video file, or ... */
	zp_cv_image *image;    /* ... a folder of images */
	char dir[PATH_MAX];    /* the folder the images are in (PATH or PATH/input) */
	char file[PATH_MAX];   /* scratch: dir/name of the image being decoded */
	zp_series series;      /* the numbered images, sorted */
	size_t next_img;
	/* the first frame, decoded at open to learn the size, is handed out by the first next() */
	bool have_first;
	const uint8_t *first_bgr;
	int first_stride;
};

static struct file_source *fs_of(zp_source *s)
{
	return (struct file_source *)s;
}

static bool is_image_ext(const char *ext)
{
	static const char *const exts[] = { ".jpg", ".jpeg", ".png", ".bmp" };

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(ext, exts[i]) == 0)
			return true;
	return false;
}

/*
 * Refuse a file whose headers declare frames larger than the camera limit,
 * before any decoder sees it: FFmpeg and OpenCV allocate what the file
 * claims (a 16000x16000 MJPEG took ~3 GB). Formats zp_header_size() does not
 * know are left to the check after the first frame. A file that cannot be
 * opened here is left to the decoder, which names the problem.
 */
static int check_header(const char *path, char *err, size_t errlen)
{
	const char *format;
	int fd, w, h;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (zp_header_size(zp_read_at_fd, &fd, &format, &w, &h) != 0)
		format = NULL;
	close(fd);
	if (format && (w > ZP_MAX_FRAME_SIDE || h > ZP_MAX_FRAME_SIDE))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: its %s header declares %dx%d frames: more than %d pixels "
				 "a side (the largest camera frame zebrapad takes); refused before decoding", path,
				 format, w, h, ZP_MAX_FRAME_SIDE);
	return 0;
}

/* Decode the next image of the folder; the message names the file. */
static int read_image(struct file_source *fs, const uint8_t **bgr, int *w, int *h, int *stride, char *err,
		      size_t errlen)
{
	const zp_numbered *e;
	int n;

	if (fs->next_img >= fs->series.n)
		return ZP_EOF;
	e = &fs->series.imgs[fs->next_img++];
	n = snprintf(fs->file, sizeof(fs->file), "%s/%s", fs->dir, e->name);
	if (n < 0 || (size_t)n >= sizeof(fs->file))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s/%s: path too long", fs->dir, e->name);
	n = check_header(fs->file, err, errlen);
	if (n)
		return n;
	return zp_cv_image_read(fs->image, fs->file, bgr, w, h, stride, err, errlen);
}

/* The name to blame for the frame just read. */
static const char *current_name(const struct file_source *fs)
{
	return fs->video ? fs->path : fs->file;
}

static int file_next(zp_source *s, zp_frame *f, int timeout_ms)
{
	struct file_source *fs = fs_of(s);
	const uint8_t *bgr;
	int w, h, stride, rc;

	(void)timeout_ms; /* a recording is never late */
	s->errmsg[0] = '\0';
	if (fs->have_first) {
		fs->have_first = false;
		bgr = fs->first_bgr;
		w = fs->rec.width;
		h = fs->rec.height;
		stride = fs->first_stride;
	} else if (fs->video) {
		rc = zp_cv_video_read(fs->video, &bgr, &w, &h, &stride);
		if (rc == ZP_EOF)
			return zp_recording_eof(&fs->rec, fs->path, s->errmsg, sizeof(s->errmsg));
		if (rc)
			return zp_seterr(s->errmsg, sizeof(s->errmsg), rc, "%s: frame %llu: %s", fs->path,
					 (unsigned long long)fs->rec.seq + 1, zp_strerror(rc));
	} else {
		rc = read_image(fs, &bgr, &w, &h, &stride, s->errmsg, sizeof(s->errmsg));
		if (rc == ZP_EOF)
			return zp_recording_eof(&fs->rec, fs->path, s->errmsg, sizeof(s->errmsg));
		if (rc)
			return rc;
	}
	if (w != fs->rec.width || h != fs->rec.height)
		return zp_seterr(s->errmsg, sizeof(s->errmsg), ZP_EFORMAT, "%s: %dx%d differs from the first frame's %dx%d",
				 current_name(fs), w, h, fs->rec.width, fs->rec.height);
	zp_cv_bgr_to_gray(bgr, stride, fs->rec.luma, fs->rec.width, fs->rec.width, fs->rec.height);
	zp_recording_frame(&fs->rec, f, bgr, stride);
	return 0;
}

static void file_destroy(zp_source *s)
{
	struct file_source *fs = fs_of(s);

	zp_recording_free_luma(&fs->rec);
	zp_cv_video_close(fs->video); /* zeroes its decoded frame */
	zp_cv_image_free(fs->image);  /* zeroes file bytes and pixels */
	zp_series_free(&fs->series);
	free(fs);
}

static const struct zp_source_ops file_ops = {
	.next = file_next,
	.fps = zp_recording_fps,
	.size = zp_recording_size,
	.frame_count = zp_recording_frame_count,
	.destroy = file_destroy,
};

static int open_folder(struct file_source *fs, char *err, size_t errlen)
{
	int rc;

	if (!zp_series_dir(fs->path, fs->dir, sizeof(fs->dir)))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: path too long", fs->path);
	rc = zp_series_scan(fs->dir, fs->path, is_image_ext, true, &fs->series, err, errlen);
	if (rc)
		return rc;
	fs->image = zp_cv_image_new();
	if (!fs->image)
		return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", fs->path);
	rc = read_image(fs, &fs->first_bgr, &fs->rec.width, &fs->rec.height, &fs->first_stride, err, errlen);
	if (rc == ZP_ENODEV) /* listed a moment ago: vanished, or unreadable */
		rc = ZP_EIO;
	if (rc)
		return rc;
	fs->rec.count = (long)fs->series.n;
	fs->rec.fps = ZP_IMAGES_DEFAULT_FPS;
	return 0;
}

static int open_video(struct file_source *fs, char *err, size_t errlen)
{
	int rc;

	rc = check_header(fs->path, err, errlen);
	if (rc)
		return rc;
	fs->video = zp_cv_video_open(fs->path, err, errlen);
	if (!fs->video)
		return ZP_EFORMAT; /* the wrapper's message: "PATH: cannot decode as video (...)" */
	rc = zp_cv_video_read(fs->video, &fs->first_bgr, &fs->rec.width, &fs->rec.height, &fs->first_stride);
	if (rc)
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as video (%s)", fs->path,
				 zp_strerror(rc));
	fs->rec.fps = zp_cv_video_fps(fs->video);
	if (!(fs->rec.fps > 0))
		fs->rec.fps = ZP_IMAGES_DEFAULT_FPS;
	fs->rec.count = zp_cv_video_frame_count(fs->video);
	return 0;
}

zp_source *zp_source_open_file(const char *path, double fps_override, int *errcode, char *err, size_t errlen)
{
	struct file_source *fs = NULL;
	struct stat st;
	int rc;

	if (!path || !*path) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "no recording given (a video file or a folder of images)");
		goto done;
	}
	if (zp_plain_probe(path)) /* .y4m and PGM folders: the same reader as the daemon's */
		return zp_source_open_plain(path, fps_override, errcode, err, errlen);
	rc = zp_recording_stat(path, fps_override, &st, err, errlen);
	if (rc)
		goto done;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* a FIFO would block the decoder, a device never ends */
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: expected a video file or a folder of images, got a %s", path,
			       S_ISFIFO(st.st_mode) ? "FIFO" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "device" :
			       "special file");
		goto done;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	fs->rec.base.ops = &file_ops;
	if (strlen(path) >= sizeof(fs->path)) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: path too long", path);
		goto done;
	}
	zp_strlcpy(fs->path, path, sizeof(fs->path));
	rc = S_ISDIR(st.st_mode) ? open_folder(fs, err, errlen) : open_video(fs, err, errlen);
	if (rc)
		goto done;
	if (fps_override > 0)
		fs->rec.fps = fps_override;
	if (fs->rec.width > ZP_MAX_FRAME_SIDE || fs->rec.height > ZP_MAX_FRAME_SIDE) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: frames of %dx%d: more than %d pixels a side (the largest "
			       "camera frame zebrapad takes)", path, fs->rec.width, fs->rec.height, ZP_MAX_FRAME_SIDE);
		goto done;
	}
	rc = zp_recording_alloc_luma(&fs->rec, path, err, errlen);
	if (rc)
		goto done;
	fs->have_first = true;
done:
	return zp_source_opened(fs ? &fs->rec.base : NULL, rc, errcode);
}
