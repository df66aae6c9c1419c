/* SPDX-License-Identifier: MIT */
/*
 * cvwrap.cpp - the project's one C++ file: a thin extern "C" wrapper over
 * OpenCV 4. Opaque handles own the cv::Mat buffers and reuse them from call
 * to call; every exception stops here and becomes a zp_err plus a message.
 * No logic lives here beyond argument checks and layout conversions.
 */
#include "cvwrap.h"

#include "calibration.h"

#include <opencv2/bgsegm.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>
#include <opencv2/videoio.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace {

/* A cv::Mat header over a caller's buffer (no copy, no ownership). */
cv::Mat wrap(const uint8_t *p, int width, int height, int stride, int channels)
{
	return cv::Mat(height, width, CV_8UC(channels), const_cast<uint8_t *>(p), (size_t)stride);
}

cv::Scalar colour(uint32_t rgb)
{
	return cv::Scalar(rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff);
}

bool bgr_args_ok(const uint8_t *bgr, int width, int height, int stride)
{
	return bgr && width > 0 && height > 0 && stride >= width * 3;
}

/* Zero a matrix's pixels in place (privacy: decoded frames never linger in freed memory). */
void wipe(cv::Mat &m)
{
	if (!m.empty() && m.data)
		m.setTo(cv::Scalar::all(0));
}

/* One line from an OpenCV exception: its err field without the file/line decoration. */
const char *what_of(const cv::Exception &e)
{
	return e.err.empty() ? e.what() : e.err.c_str();
}

/*
 * Close a handle: zero its matrices' pixels, release the OpenCV object it
 * holds (which may throw: it stops here), then delete it.
 */
template <typename T, typename Held> void close_handle(T *h, Held &held, std::initializer_list<cv::Mat *> mats)
{
	try {
		for (cv::Mat *m : mats)
			wipe(*m);
		held.release();
	} catch (...) {
	}
	delete h;
}

/*
 * Inside a catch block, about file `path`: the exception being handled as a
 * code and one line in err. OpenCV's: cv_code, "<path>: <what> (<its
 * message>)"; no memory: ZP_ENOMEM; anything else: other_code, "<path>: <what>".
 */
int file_error(const char *path, const char *what, int cv_code, int other_code, char *err, size_t errlen)
{
	try {
		throw;
	} catch (const cv::Exception &e) {
		return zp_seterr(err, errlen, cv_code, "%s: %s (%s)", path, what, what_of(e));
	} catch (const std::bad_alloc &) {
		return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
	} catch (...) {
		return zp_seterr(err, errlen, other_code, "%s: %s", path, what);
	}
}

} /* namespace */

/* ---------------------------------------------------------------- video decoding */

struct zp_cv_video {
	cv::VideoCapture cap;
	cv::Mat frame;      /* the decoder writes here; reused */
	cv::Mat bgr;        /* conversion target when the decoder gives something else than 8UC3 */
	bool have_first;    /* frame holds the first frame, read at open to prove the file decodes */
	double fps;
	long count;
};

/* Make f packed-enough 8-bit BGR; returns the Mat to hand out. */
static cv::Mat &as_bgr(cv::Mat &f, cv::Mat &tmp)
{
	if (f.type() == CV_8UC3)
		return f;
	if (f.type() == CV_8UC1)
		cv::cvtColor(f, tmp, cv::COLOR_GRAY2BGR);
	else if (f.type() == CV_8UC4)
		cv::cvtColor(f, tmp, cv::COLOR_BGRA2BGR);
	else
		throw cv::Exception(cv::Error::StsUnsupportedFormat, "decoder gave an unsupported pixel type",
				    __func__, __FILE__, __LINE__);
	return tmp;
}

zp_cv_video *zp_cv_video_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	zp_cv_video *v = nullptr;

	if (!path || !*path) {
		zp_seterr(err, errlen, ZP_EINVAL, "no video file given");
		return nullptr;
	}
	if (stat(path, &st) != 0) {
		zp_seterr(err, errlen, ZP_ENODEV, "%s: %s", path, strerror(errno));
		return nullptr;
	}
	if (!S_ISREG(st.st_mode)) {
		zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as video (not a regular file)", path);
		return nullptr;
	}
	try {
		v = new zp_cv_video();
		v->have_first = false;
		/* FFmpeg only: CAP_ANY would also try GStreamer and the image-sequence backend, which log noise. */
		if (!v->cap.open(path, cv::CAP_FFMPEG) || !v->cap.isOpened()) {
			zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as video (FFmpeg cannot open it)", path);
			goto fail;
		}
		/* isOpened() alone accepts some garbage; a decoded first frame is the proof. */
		if (!v->cap.read(v->frame) || v->frame.empty()) {
			zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as video (no frame could be decoded)",
				  path);
			goto fail;
		}
		v->have_first = true;
		v->fps = v->cap.get(cv::CAP_PROP_FPS);
		if (!std::isfinite(v->fps) || v->fps <= 0 || v->fps > 1000)
			v->fps = 0;
		{
			double n = v->cap.get(cv::CAP_PROP_FRAME_COUNT);
			v->count = (std::isfinite(n) && n > 0 && n < 1e12) ? (long)std::llround(n) : -1;
		}
		return v;
	} catch (const cv::Exception &e) {
		zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as video (%s)", path, what_of(e));
	} catch (const std::bad_alloc &) {
		zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
	} catch (...) {
		zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as video (unknown error)", path);
	}
fail:
	zp_cv_video_close(v);
	return nullptr;
}

int zp_cv_video_read(zp_cv_video *v, const uint8_t **bgr, int *width, int *height, int *stride)
{
	if (!v || !bgr || !width || !height || !stride)
		return ZP_EINVAL;
	try {
		if (v->have_first) {
			v->have_first = false;
		} else if (!v->cap.read(v->frame) || v->frame.empty()) {
			return ZP_EOF;
		}
		cv::Mat &m = as_bgr(v->frame, v->bgr);
		*bgr = m.data;
		*width = m.cols;
		*height = m.rows;
		*stride = (int)m.step[0];
		return 0;
	} catch (const std::bad_alloc &) {
		return ZP_ENOMEM;
	} catch (...) {
		return ZP_EFORMAT;
	}
}

double zp_cv_video_fps(const zp_cv_video *v)
{
	return v ? v->fps : 0;
}

long zp_cv_video_frame_count(const zp_cv_video *v)
{
	return v ? v->count : -1;
}

void zp_cv_video_close(zp_cv_video *v)
{
	if (v)
		close_handle(v, v->cap, { &v->frame, &v->bgr });
}

/* ---------------------------------------------------------------- still images */

int zp_cv_imread(const char *path, int channels, uint8_t **pixels, int *width, int *height, char *err,
		 size_t errlen)
{
	struct stat st;

	if (!path || !pixels || !width || !height || (channels != 1 && channels != 3))
		return zp_seterr(err, errlen, ZP_EINVAL, "zp_cv_imread: bad arguments");
	*pixels = nullptr;
	if (stat(path, &st) != 0)
		return zp_seterr(err, errlen, ZP_ENODEV, "%s: %s", path, strerror(errno));
	try {
		cv::Mat m = cv::imread(path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
		if (m.empty())
			return zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as an image", path);
		size_t row = (size_t)m.cols * channels;
		uint8_t *p = (uint8_t *)malloc(row * m.rows);
		if (!p)
			return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
		for (int y = 0; y < m.rows; y++)
			memcpy(p + row * y, m.ptr(y), row);
		wipe(m);
		*pixels = p;
		*width = m.cols;
		*height = m.rows;
		return 0;
	} catch (...) {
		return file_error(path, "cannot decode as an image", ZP_EFORMAT, ZP_EFORMAT, err, errlen);
	}
}

int zp_cv_imwrite(const char *path, const uint8_t *pixels, int width, int height, int stride, int channels,
		  char *err, size_t errlen)
{
	if (!path || !pixels || width <= 0 || height <= 0 || (channels != 1 && channels != 3) ||
	    stride < width * channels)
		return zp_seterr(err, errlen, ZP_EINVAL, "zp_cv_imwrite: bad arguments");
	try {
		if (!cv::imwrite(path, wrap(pixels, width, height, stride, channels)))
			return zp_seterr(err, errlen, ZP_EIO, "%s: cannot write image", path);
		return 0;
	} catch (...) {
		return file_error(path, "cannot write image", ZP_EINVAL, ZP_EIO, err, errlen);
	}
}

struct zp_cv_image {
	std::vector<uchar> bytes; /* the file, reused */
	cv::Mat mat;              /* the decoded image (a new one per image, the old one zeroed) */
};

zp_cv_image *zp_cv_image_new(void)
{
	return new (std::nothrow) zp_cv_image();
}

/* Read the whole file into im->bytes (capacity reused). */
static int slurp(zp_cv_image *im, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return zp_seterr(err, errlen, errno == ENOENT ? ZP_ENODEV : zp_err_from_errno(errno), "%s: %s", path,
				 strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot read", path);
	}
	if (n == 0) {
		fclose(f);
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as an image (empty file)", path);
	}
	if (im->bytes.size() > (size_t)n)
		memset(im->bytes.data() + n, 0, im->bytes.size() - (size_t)n);
	im->bytes.resize((size_t)n);
	if (fread(im->bytes.data(), 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return zp_seterr(err, errlen, ZP_EIO, "%s: short read", path);
	}
	fclose(f);
	return 0;
}

int zp_cv_image_read(zp_cv_image *im, const char *path, const uint8_t **bgr, int *width, int *height, int *stride,
		     char *err, size_t errlen)
{
	if (!im || !path || !bgr || !width || !height || !stride)
		return zp_seterr(err, errlen, ZP_EINVAL, "zp_cv_image_read: bad arguments");
	try {
		int rc = slurp(im, path, err, errlen);

		if (rc)
			return rc;
		/*
		 * Not imdecode(buf, flags, &im->mat): in OpenCV 4.6 a file whose header
		 * does not parse leaves dst untouched and returns it, so the previous
		 * image would come back as this one. Decode into a fresh Mat and zero
		 * the previous image before it is released.
		 */
		cv::Mat m = cv::imdecode(im->bytes, cv::IMREAD_COLOR);
		if (m.empty() || m.type() != CV_8UC3)
			return zp_seterr(err, errlen, ZP_EFORMAT, "%s: cannot decode as an image", path);
		wipe(im->mat);
		im->mat = m;
		*bgr = im->mat.data;
		*width = im->mat.cols;
		*height = im->mat.rows;
		*stride = (int)im->mat.step[0];
		return 0;
	} catch (...) {
		return file_error(path, "cannot decode as an image", ZP_EFORMAT, ZP_EFORMAT, err, errlen);
	}
}

void zp_cv_image_free(zp_cv_image *im)
{
	if (!im)
		return;
	try {
		if (!im->bytes.empty())
			memset(im->bytes.data(), 0, im->bytes.size());
		wipe(im->mat);
	} catch (...) {
	}
	delete im;
}

/* ---------------------------------------------------------------- colour */

void zp_cv_bgr_to_gray(const uint8_t *bgr, int bgr_stride, uint8_t *dst, int dst_stride, int width, int height)
{
	if (!bgr || !dst || width <= 0 || height <= 0 || bgr_stride < width * 3 || dst_stride < width)
		return;
	try {
		cv::Mat out = wrap(dst, width, height, dst_stride, 1);

		/* Same size and type: cvtColor writes into the caller's buffer, no allocation. */
		cv::cvtColor(wrap(bgr, width, height, bgr_stride, 3), out, cv::COLOR_BGR2GRAY);
	} catch (...) {
		/* Cannot happen with the checks above; keep the output defined anyway (same fixed point as OpenCV). */
		for (int y = 0; y < height; y++) {
			const uint8_t *s = bgr + (size_t)y * bgr_stride;
			uint8_t *d = dst + (size_t)y * dst_stride;

			for (int x = 0; x < width; x++, s += 3)
				d[x] = (uint8_t)((s[0] * 1868 + s[1] * 9617 + s[2] * 4899 + 8192) >> 14);
		}
	}
}

int zp_cv_yuyv_convert(const uint8_t *yuyv, int stride, uint8_t *dst, int dst_stride, int width, int height, bool bgr)
{
	int ch = bgr ? 3 : 1;

	if (!yuyv || !dst || width <= 0 || width % 2 || height <= 0 || stride < 2 * width || dst_stride < ch * width)
		return ZP_EINVAL;
	try {
		cv::Mat out = wrap(dst, width, height, dst_stride, ch);

		/* Same size and type: cvtColor writes into the caller's buffer, no allocation. */
		cv::cvtColor(wrap(yuyv, width, height, stride, 2), out, bgr ? cv::COLOR_YUV2BGR_YUYV : cv::COLOR_YUV2GRAY_YUYV);
	} catch (...) {
		return ZP_EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- video writing */

struct zp_cv_writer {
	cv::VideoWriter vw;
	int width, height;
	long frames;        /* handed to the writer */
	std::string path;
};

zp_cv_writer *zp_cv_writer_open(const char *path, double fps, int width, int height, char *err, size_t errlen)
{
	zp_cv_writer *w = nullptr;
	const char *ext = path ? strrchr(path, '.') : nullptr;
	int fourcc;
	const char *codec;

	if (!path || width <= 0 || height <= 0 || !(fps > 0) || fps > 1000) {
		zp_seterr(err, errlen, ZP_EINVAL, "%s: bad video writer arguments (%dx%d at %g fps)",
			  path ? path : "(null)", width, height, fps);
		return nullptr;
	}
	{
		struct stat st;

		/* a FIFO would block the muxer; a device could not be read back to check what was written */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			zp_seterr(err, errlen, ZP_EINVAL, "%s: expected a regular file for the video, got a %s", path,
				  S_ISDIR(st.st_mode) ? "folder" : S_ISFIFO(st.st_mode) ? "FIFO" :
				  S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "device" : "special file");
			return nullptr;
		}
	}
	if (ext && strcasecmp(ext, ".avi") == 0) {
		fourcc = cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
		codec = "MJPG";
	} else if (ext && strcasecmp(ext, ".mp4") == 0) {
		fourcc = cv::VideoWriter::fourcc('m', 'p', '4', 'v');
		codec = "mp4v";
	} else {
		zp_seterr(err, errlen, ZP_EINVAL, "%s: unknown video extension (expected .avi or .mp4)", path);
		return nullptr;
	}
	try {
		w = new zp_cv_writer();
		w->width = width;
		w->height = height;
		w->frames = 0;
		w->path = path;
		if (!w->vw.open(path, fourcc, fps, cv::Size(width, height), true) || !w->vw.isOpened()) {
			zp_seterr(err, errlen, ZP_EIO, "%s: cannot open a %s video writer (%dx%d at %g fps)", path, codec,
				  width, height, fps);
			goto fail;
		}
		return w;
	} catch (const cv::Exception &e) {
		zp_seterr(err, errlen, ZP_EIO, "%s: cannot open a %s video writer (%s)", path, codec, what_of(e));
	} catch (const std::bad_alloc &) {
		zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
	} catch (...) {
		zp_seterr(err, errlen, ZP_EIO, "%s: cannot open a %s video writer", path, codec);
	}
fail:
	zp_cv_writer_close(w);
	return nullptr;
}

int zp_cv_writer_write(zp_cv_writer *w, const uint8_t *bgr, int stride)
{
	if (!w || !bgr_args_ok(bgr, w->width, w->height, stride))
		return ZP_EINVAL;
	try {
		w->vw.write(wrap(bgr, w->width, w->height, stride, 3));
		w->frames++;
		return 0;
	} catch (const std::bad_alloc &) {
		return ZP_ENOMEM;
	} catch (...) {
		return ZP_EIO;
	}
}

/*
 * OpenCV's writer reports no write error: FFmpeg's output stops at the
 * first failed write (a full disk) and release() returns as if all went
 * well, leaving a file cut short without its index. So the file is read
 * back: its container must say it holds every frame written, and the last
 * of them must be there to be read.
 */
int zp_cv_writer_finish(zp_cv_writer *w, char *err, size_t errlen)
{
	std::string path;
	long n, count = -1;
	bool last = false;

	if (!w)
		return 0;
	n = w->frames;
	try {
		path = w->path;
		w->vw.release();
	} catch (...) {
		delete w;
		return zp_seterr(err, errlen, ZP_EIO, "%s: the video could not be finished: the file is incomplete",
				 path.c_str());
	}
	delete w;
	if (n == 0)
		return 0;
	try {
		cv::VideoCapture c(path, cv::CAP_FFMPEG);

		if (c.isOpened()) {
			double k = c.get(cv::CAP_PROP_FRAME_COUNT);

			count = std::isfinite(k) && k >= 0 && k < 1e12 ? (long)std::llround(k) : -1;
			if (count == n)
				last = c.set(cv::CAP_PROP_POS_FRAMES, (double)(n - 1)) && c.grab();
		}
	} catch (const std::bad_alloc &) {
		return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory checking the video written", path.c_str());
	} catch (...) {
		count = -1;
	}
	if (count == n && last)
		return 0;
	if (count >= 0 && count != n)
		return zp_seterr(err, errlen, ZP_EIO, "%s: write failed: the video holds %ld of the %ld frames written "
				 "(a full disk?): the file is incomplete", path.c_str(), count, n);
	return zp_seterr(err, errlen, ZP_EIO, "%s: write failed: the video written (%ld frames) cannot be read back "
			 "whole (a full disk?): the file is incomplete", path.c_str(), n);
}

void zp_cv_writer_close(zp_cv_writer *w)
{
	if (w)
		close_handle(w, w->vw, {});
}

/* ---------------------------------------------------------------- drawing */

void zp_cv_draw_polygon(uint8_t *bgr, int width, int height, int stride, const double *xy, int npoints,
			uint32_t rgb, int thickness)
{
	cv::Point stack[64];

	if (!bgr_args_ok(bgr, width, height, stride) || !xy || npoints < 2)
		return;
	try {
		std::vector<cv::Point> heap;
		cv::Point *pts = stack;

		if (npoints > 64) {
			heap.resize((size_t)npoints);
			pts = heap.data();
		}
		for (int i = 0; i < npoints; i++)
			pts[i] = cv::Point((int)std::lround(xy[2 * i]), (int)std::lround(xy[2 * i + 1]));
		cv::Mat img = wrap(bgr, width, height, stride, 3);
		const cv::Point *pp = pts;
		if (thickness < 0)
			cv::fillPoly(img, &pp, &npoints, 1, colour(rgb), cv::LINE_8);
		else
			cv::polylines(img, &pp, &npoints, 1, true, colour(rgb), thickness > 0 ? thickness : 1,
				      cv::LINE_8);
	} catch (...) {
	}
}

void zp_cv_draw_rect(uint8_t *bgr, int width, int height, int stride, int x, int y, int w, int h, uint32_t rgb,
		     int thickness)
{
	if (!bgr_args_ok(bgr, width, height, stride) || w <= 0 || h <= 0)
		return;
	try {
		cv::Mat img = wrap(bgr, width, height, stride, 3);
		cv::rectangle(img, cv::Rect(x, y, w, h), colour(rgb), thickness < 0 ? cv::FILLED : std::max(1, thickness));
	} catch (...) {
	}
}

void zp_cv_draw_line(uint8_t *bgr, int width, int height, int stride, int x0, int y0, int x1, int y1,
		     uint32_t rgb, int thickness)
{
	if (!bgr_args_ok(bgr, width, height, stride))
		return;
	try {
		cv::Mat img = wrap(bgr, width, height, stride, 3);
		cv::line(img, cv::Point(x0, y0), cv::Point(x1, y1), colour(rgb), std::max(1, thickness));
	} catch (...) {
	}
}

void zp_cv_draw_circle(uint8_t *bgr, int width, int height, int stride, int x, int y, int radius, uint32_t rgb,
		       int thickness)
{
	if (!bgr_args_ok(bgr, width, height, stride) || radius < 0)
		return;
	try {
		cv::Mat img = wrap(bgr, width, height, stride, 3);
		cv::circle(img, cv::Point(x, y), radius, colour(rgb), thickness < 0 ? cv::FILLED : std::max(1, thickness));
	} catch (...) {
	}
}

void zp_cv_draw_text(uint8_t *bgr, int width, int height, int stride, int x, int y, const char *text,
		     double scale, uint32_t rgb)
{
	if (!bgr_args_ok(bgr, width, height, stride) || !text || !(scale > 0))
		return;
	try {
		cv::Mat img = wrap(bgr, width, height, stride, 3);
		int thick = std::max(1, (int)std::lround(scale * 1.5));
		cv::putText(img, text, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, scale, colour(rgb), thick, cv::LINE_AA);
	} catch (...) {
	}
}

/* ---------------------------------------------------------------- background subtractors */

struct zp_cv_bgsub {
	zp_cv_bgsub_kind kind;
	cv::Ptr<cv::BackgroundSubtractor> algo;
	cv::Mat fg;    /* raw mask from OpenCV (0/127/255), reused */
	cv::Mat conv;  /* grey -> BGR for GSOC, which wants 3 channels */
};

const char *zp_cv_bgsub_name(zp_cv_bgsub_kind kind)
{
	switch (kind) {
	case ZP_CV_MOG2:
		return "mog2";
	case ZP_CV_KNN:
		return "knn";
	case ZP_CV_GSOC:
		return "gsoc";
	case ZP_CV_MOG:
		return "mog";
	case ZP_CV_CNT:
		return "cnt";
	}
	return "?";
}

zp_cv_bgsub *zp_cv_bgsub_new(zp_cv_bgsub_kind kind, char *err, size_t errlen)
{
	zp_cv_bgsub *b = nullptr;

	try {
		b = new zp_cv_bgsub();
		b->kind = kind;
		switch (kind) {
		case ZP_CV_MOG2:
			b->algo = cv::createBackgroundSubtractorMOG2();
			break;
		case ZP_CV_KNN:
			b->algo = cv::createBackgroundSubtractorKNN();
			break;
		case ZP_CV_GSOC:
			b->algo = cv::bgsegm::createBackgroundSubtractorGSOC();
			break;
		case ZP_CV_MOG:
			b->algo = cv::bgsegm::createBackgroundSubtractorMOG();
			break;
		case ZP_CV_CNT:
			b->algo = cv::bgsegm::createBackgroundSubtractorCNT();
			break;
		default:
			zp_seterr(err, errlen, ZP_EINVAL, "unknown OpenCV background subtractor %d", (int)kind);
			goto fail;
		}
		if (!b->algo) {
			zp_seterr(err, errlen, ZP_EUNSUPPORTED, "OpenCV background subtractor %s not available",
				  zp_cv_bgsub_name(kind));
			goto fail;
		}
		return b;
	} catch (const cv::Exception &e) {
		zp_seterr(err, errlen, ZP_EUNSUPPORTED, "OpenCV background subtractor %s: %s", zp_cv_bgsub_name(kind),
			  what_of(e));
	} catch (const std::bad_alloc &) {
		zp_seterr(err, errlen, ZP_ENOMEM, "OpenCV background subtractor: out of memory");
	} catch (...) {
		zp_seterr(err, errlen, ZP_EUNSUPPORTED, "OpenCV background subtractor %s not available",
			  zp_cv_bgsub_name(kind));
	}
fail:
	zp_cv_bgsub_free(b);
	return nullptr;
}

int zp_cv_bgsub_apply(zp_cv_bgsub *b, const uint8_t *pixels, int width, int height, int stride, int channels,
		      uint8_t *mask, int mask_stride)
{
	if (!b || !pixels || !mask || width <= 0 || height <= 0 || (channels != 1 && channels != 3) ||
	    stride < width * channels || mask_stride < width)
		return ZP_EINVAL;
	try {
		cv::Mat in = wrap(pixels, width, height, stride, channels);
		cv::Mat out = wrap(mask, width, height, mask_stride, 1);

		if (b->kind == ZP_CV_GSOC && channels == 1) {
			cv::cvtColor(in, b->conv, cv::COLOR_GRAY2BGR);
			b->algo->apply(b->conv, b->fg);
		} else {
			b->algo->apply(in, b->fg);
		}
		/* > 127: foreground (255); shadows (127) and background (0) -> 0. Writes into the caller's mask. */
		cv::threshold(b->fg, out, 127, 255, cv::THRESH_BINARY);
		return 0;
	} catch (const std::bad_alloc &) {
		return ZP_ENOMEM;
	} catch (...) {
		return ZP_EINVAL;
	}
}

void zp_cv_bgsub_free(zp_cv_bgsub *b)
{
	if (b)
		close_handle(b, b->algo, { &b->fg, &b->conv });
}

/* ---------------------------------------------------------------- geometry */

/*
 * Why not cv::findHomography(): it converts the points to float, which caps
 * the accuracy near 1e-6 (a known H from 4 exact pairs comes back 1e-6 off),
 * and it returns a matrix, not an error, for collinear points. This is the
 * same least-squares estimate over all pairs (normalised DLT), in double
 * precision with cv::SVD, plus a rank test for degenerate input.
 */
int zp_cv_find_homography(const double *img_xy, const double *ground_xy, int n, double H[9], char *err,
			  size_t errlen)
{
	if (!img_xy || !ground_xy || !H || n < 4)
		return zp_seterr(err, errlen, ZP_EINVAL, "a homography needs at least 4 point pairs, got %d", n);
	try {
		double Ti[9], Tg[9];

		if (!zp_homography_normaliser(img_xy, n, Ti) || !zp_homography_normaliser(ground_xy, n, Tg))
			return zp_seterr(err, errlen, ZP_EINVAL, "no homography: the %d points coincide or are not finite",
					 n);
		cv::Mat A(2 * n, 9, CV_64F);
		for (int i = 0; i < n; i++) {
			const double x = Ti[0] * img_xy[2 * i] + Ti[2], y = Ti[4] * img_xy[2 * i + 1] + Ti[5];
			const double u = Tg[0] * ground_xy[2 * i] + Tg[2], v = Tg[4] * ground_xy[2 * i + 1] + Tg[5];
			double *r0 = A.ptr<double>(2 * i), *r1 = A.ptr<double>(2 * i + 1);
			const double a0[9] = { -x, -y, -1, 0, 0, 0, u * x, u * y, u };
			const double a1[9] = { 0, 0, 0, -x, -y, -1, v * x, v * y, v };

			memcpy(r0, a0, sizeof(a0));
			memcpy(r1, a1, sizeof(a1));
		}
		cv::Mat w, u, vt;
		cv::SVD::compute(A, w, u, vt, cv::SVD::FULL_UV);
		/* One solution only: the 8th singular value must stay clear of zero (else collinear/repeated points). */
		if (w.rows < 8 || !(w.at<double>(7) > 1e-9 * w.at<double>(0)))
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "no homography from these %d point pairs (degenerate: collinear or repeated points)",
					 n);
		cv::Mat Hn = vt.row(8).reshape(1, 3).clone();
		cv::Mat Hm = cv::Mat(3, 3, CV_64F, Tg).inv() * Hn * cv::Mat(3, 3, CV_64F, Ti);
		double scale = std::fabs(Hm.at<double>(2, 2)) > 1e-12 ? Hm.at<double>(2, 2) : cv::norm(Hm);
		Hm /= scale;
		if (!(std::fabs(cv::determinant(Hm / cv::norm(Hm))) > 1e-12))
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "no homography from these %d point pairs (degenerate: it maps onto a line)", n);
		for (int i = 0; i < 9; i++) {
			double x = Hm.at<double>(i / 3, i % 3);

			if (!std::isfinite(x))
				return zp_seterr(err, errlen, ZP_EINVAL, "homography is not finite (degenerate points)");
			H[i] = x;
		}
		return 0;
	} catch (const cv::Exception &e) {
		return zp_seterr(err, errlen, ZP_EINVAL, "no homography from these %d point pairs (%s)", n, what_of(e));
	} catch (const std::bad_alloc &) {
		return zp_seterr(err, errlen, ZP_ENOMEM, "homography: out of memory");
	} catch (...) {
		return zp_seterr(err, errlen, ZP_EINVAL, "no homography from these %d point pairs", n);
	}
}

void zp_cv_set_threads(int n)
{
	try {
		cv::setNumThreads(n);
	} catch (...) {
	}
}
