/* SPDX-License-Identifier: MIT */
/*
 * header_size.c - the frame size a video or image file declares, read from
 * its headers without decoding anything (capture_internal.h).
 *
 * Why: FFmpeg allocates a frame of the size the file claims while it opens
 * it (avformat_find_stream_info decodes a frame), so a 16000x16000 MJPEG
 * took ~3 GB before zebrapad saw a single pixel. Reading a few hundred
 * bytes of headers first lets a file that claims more than the camera limit
 * be refused before any decoder runs.
 *
 * Every walk is bounded (ZP_HS_BUDGET elements, a fixed nesting depth) and
 * reads through the caller's read_at function, so a hostile file costs at
 * most a few thousand small reads, and the fuzzer can feed it from memory.
 */
#include "capture_internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#define ZP_HS_BUDGET 4096   /* elements (chunks, boxes, markers) looked at, in all */
#define ZP_HS_DEPTH 8

struct hs {
	zp_read_at_fn rd;
	void *ctx;
	int budget;
	long w, h;
	bool io_error;
	/* AVI */
	bool vids;          /* the last strh was a video stream's */
	bool frame_seen;    /* the first video frame of movi was looked at */
	/* MP4 */
	bool vide;          /* the current trak's handler is 'vide' */
	/* Matroska */
	bool tracks_seen;
};

static bool get(struct hs *s, uint64_t off, void *buf, size_t n)
{
	long k = s->rd(s->ctx, off, buf, n);

	if (k < 0)
		s->io_error = true;
	return k == (long)n;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Record one declared size; the largest width and the largest height win. */
static void seen(struct hs *s, long long w, long long h)
{
	if (w < 0)
		w = -w;
	if (h < 0)
		h = -h;
	if (w > INT_MAX)
		w = INT_MAX;
	if (h > INT_MAX)
		h = INT_MAX;
	if (w > s->w)
		s->w = (long)w;
	if (h > s->h)
		s->h = (long)h;
}

/* ---- JPEG: the first SOFn marker's size ---- */

static void jpeg_sof(struct hs *s, uint64_t off, uint64_t end)
{
	uint8_t b[9];

	if (!get(s, off, b, 2) || b[0] != 0xFF || b[1] != 0xD8)
		return;
	off += 2;
	while (off + 4 <= end && s->budget-- > 0) {
		uint8_t m;

		if (!get(s, off, b, 2) || b[0] != 0xFF)
			return;
		m = b[1];
		if (m == 0xFF) {        /* fill byte */
			off++;
			continue;
		}
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {   /* markers without a length */
			off += 2;
			continue;
		}
		if (m == 0xD9 || m == 0xDA)    /* end of image, start of scan: no SOF before it */
			return;
		if (!get(s, off + 2, b, 2))
			return;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			/* SOFn: length(2) precision(1) height(2) width(2) */
			if (!get(s, off + 2, b, 7))
				return;
			seen(s, be16(b + 5), be16(b + 3));
			return;
		}
		off += 2 + (uint64_t)be16(b);
	}
}

/* ---- AVI (RIFF): avih, each video stream's strf, the first video frame's JPEG header ---- */

static void avi_walk(struct hs *s, uint64_t off, uint64_t end, int depth)
{
	uint8_t h[40];

	while (off + 8 <= end && s->budget-- > 0) {
		uint64_t data, dend;
		uint32_t sz;

		if (!get(s, off, h, 8))
			return;
		sz = le32(h + 4);
		data = off + 8;
		dend = data + sz < end ? data + sz : end;
		if (!memcmp(h, "LIST", 4) || !memcmp(h, "RIFF", 4)) {
			if (depth < ZP_HS_DEPTH && get(s, data, h + 8, 4))
				avi_walk(s, data + 4, dend, depth + 1);
			if (s->frame_seen)
				return;
		} else if (!memcmp(h, "avih", 4) && sz >= 40) {
			if (get(s, data, h, 40))
				seen(s, le32(h + 32), le32(h + 36));
		} else if (!memcmp(h, "strh", 4) && sz >= 4) {
			s->vids = get(s, data, h, 4) && !memcmp(h, "vids", 4);
		} else if (!memcmp(h, "strf", 4) && s->vids && sz >= 12) {
			if (get(s, data, h, 12))   /* BITMAPINFOHEADER: biSize, biWidth, biHeight (negative: top-down) */
				seen(s, (int32_t)le32(h + 4), (int32_t)le32(h + 8));
		} else if (h[0] >= '0' && h[0] <= '9' && h[1] >= '0' && h[1] <= '9' && h[2] == 'd' &&
			   (h[3] == 'c' || h[3] == 'b')) {
			/* the first video frame (##dc, ##db): an MJPEG frame's own size is what the decoder uses */
			jpeg_sof(s, data, dend);
			s->frame_seen = true;
			return;
		}
		off = data + sz + (sz & 1);
	}
}

/* ---- MP4 / MOV (ISO BMFF): each tkhd, each video track's sample entries ---- */

static void mp4_walk(struct hs *s, uint64_t off, uint64_t end, int depth)
{
	uint8_t b[96];

	while (off + 8 <= end && s->budget-- > 0) {
		uint64_t size, data, dend;

		if (!get(s, off, b, 8))
			return;
		size = be32(b);
		data = off + 8;
		if (size == 1) {          /* 64-bit size after the type */
			if (!get(s, off + 8, b + 8, 8))
				return;
			size = (uint64_t)be32(b + 8) << 32 | be32(b + 12);
			data = off + 16;
		} else if (size == 0) {   /* to the end of the enclosing box or file */
			size = end - off;
		}
		if (size < data - off)
			return;           /* a box smaller than its own header */
		dend = size > end - off ? end : off + size;
		if (!memcmp(b + 4, "moov", 4) || !memcmp(b + 4, "trak", 4) || !memcmp(b + 4, "mdia", 4) ||
		    !memcmp(b + 4, "minf", 4) || !memcmp(b + 4, "stbl", 4)) {
			if (!memcmp(b + 4, "trak", 4))
				s->vide = false;
			if (depth < ZP_HS_DEPTH)
				mp4_walk(s, data, dend, depth + 1);
		} else if (!memcmp(b + 4, "tkhd", 4)) {
			/* FullBox; width and height (16.16) after 76 (version 0) or 88 (version 1) bytes */
			if (get(s, data, b, 1)) {
				size_t at = b[0] == 1 ? 88 : 76;

				if (dend - data >= at + 8 && get(s, data + at, b, 8))
					seen(s, be32(b) >> 16, be32(b + 4) >> 16);
			}
		} else if (!memcmp(b + 4, "hdlr", 4)) {
			s->vide = dend - data >= 12 && get(s, data + 8, b, 4) && !memcmp(b, "vide", 4);
		} else if (!memcmp(b + 4, "stsd", 4) && s->vide) {
			/* FullBox, entry count, then VisualSampleEntry boxes: width, height at 24 past their header */
			uint64_t e = data + 8;
			uint32_t n = dend - data >= 8 && get(s, data + 4, b, 4) ? be32(b) : 0;

			for (uint32_t i = 0; i < n && e + 36 <= dend && s->budget-- > 0; i++) {
				uint32_t esz;

				if (!get(s, e, b, 36))
					break;
				seen(s, be16(b + 32), be16(b + 34));
				esz = be32(b);
				if (esz < 8)
					break;
				e += esz;
			}
		}
		if (dend >= end)
			return;
		off = dend;
	}
}

/* ---- Matroska / WebM (EBML): each track's PixelWidth and PixelHeight ---- */

/* An EBML variable-length number at off: its value (the marker kept for IDs) and its length; false: bad. */
static bool ebml_vint(struct hs *s, uint64_t off, bool keep_marker, uint64_t *v, int *len, bool *unknown)
{
	uint8_t b[8];
	int n = 1;

	if (!get(s, off, b, 1) || b[0] == 0)
		return false;
	while (!(b[0] & (0x80 >> (n - 1))))
		n++;
	if (n > 1 && !get(s, off + 1, b + 1, (size_t)n - 1))
		return false;
	*v = keep_marker ? b[0] : (uint64_t)(b[0] & (0xFF >> n));
	bool ones = (*v == (uint64_t)(0xFF >> n));
	for (int i = 1; i < n; i++) {
		*v = *v << 8 | b[i];
		ones = ones && b[i] == 0xFF;
	}
	*len = n;
	if (unknown)
		*unknown = !keep_marker && ones;
	return true;
}

static void mkv_walk(struct hs *s, uint64_t off, uint64_t end, int depth)
{
	while (off + 2 <= end && s->budget-- > 0) {
		uint64_t id, size, data, dend;
		int il, sl;
		bool unknown;

		if (!ebml_vint(s, off, true, &id, &il, NULL) || il > 4 ||
		    !ebml_vint(s, off + (uint64_t)il, false, &size, &sl, &unknown))
			return;
		data = off + (uint64_t)il + (uint64_t)sl;
		dend = unknown || size > end - data ? end : data + size;
		if (id == 0x18538067 || id == 0x1654AE6B || id == 0xAE || id == 0xE0) {
			/* Segment, Tracks, TrackEntry, Video */
			if (id == 0x1654AE6B)
				s->tracks_seen = true;
			if (depth < ZP_HS_DEPTH)
				mkv_walk(s, data, dend, depth + 1);
		} else if ((id == 0xB0 || id == 0xBA) && size >= 1 && size <= 8) {
			uint8_t b[8];
			uint64_t v = 0;

			if (get(s, data, b, (size_t)size)) {
				for (uint64_t i = 0; i < size; i++)
					v = v << 8 | b[i];
				if (v > INT_MAX)
					v = INT_MAX;
				if (id == 0xB0)
					seen(s, (long long)v, 0);
				else
					seen(s, 0, (long long)v);
			}
		} else if (id == 0x1F43B675 && (s->tracks_seen || unknown)) {
			return;   /* a Cluster: the frames begin; the tracks come before them */
		}
		if (unknown || dend >= end)
			return;
		off = dend;
	}
}

int zp_header_size(zp_read_at_fn read_at, void *ctx, const char **format, int *width, int *height)
{
	struct hs s;
	uint8_t b[24];
	long k;

	memset(&s, 0, sizeof(s));
	s.rd = read_at;
	s.ctx = ctx;
	s.budget = ZP_HS_BUDGET;
	*format = NULL;
	*width = *height = 0;
	memset(b, 0, sizeof(b));
	k = read_at(ctx, 0, b, sizeof(b));
	if (k < 0)
		return ZP_EIO;
	if (k >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "AVI ", 4)) {
		*format = "AVI";
		avi_walk(&s, 12, 8 + (uint64_t)le32(b + 4), 0);
	} else if (k >= 8 && (!memcmp(b + 4, "ftyp", 4) || !memcmp(b + 4, "moov", 4) || !memcmp(b + 4, "mdat", 4) ||
			      !memcmp(b + 4, "wide", 4) || !memcmp(b + 4, "free", 4) || !memcmp(b + 4, "skip", 4))) {
		*format = "MP4/MOV";
		mp4_walk(&s, 0, UINT64_MAX, 0);
	} else if (k >= 4 && be32(b) == 0x1A45DFA3) {
		*format = "Matroska";
		mkv_walk(&s, 0, UINT64_MAX, 0);
	} else if (k >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
		*format = "JPEG";
		jpeg_sof(&s, 0, UINT64_MAX);
	} else if (k >= 24 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8) && !memcmp(b + 12, "IHDR", 4)) {
		*format = "PNG";
		seen(&s, be32(b + 16), be32(b + 20));
	} else if (k >= 24 && b[0] == 'B' && b[1] == 'M') {
		*format = "BMP";
		if (get(&s, 14, b, 12) && le32(b) >= 12) {
			if (le32(b) == 12)   /* OS/2 BITMAPCOREHEADER: 16-bit sizes */
				seen(&s, b[4] | b[5] << 8, b[6] | b[7] << 8);
			else
				seen(&s, (int32_t)le32(b + 4), (int32_t)le32(b + 8));
		}
	}
	*width = (int)s.w;
	*height = (int)s.h;
	return s.io_error ? ZP_EIO : 0;
}

/* A read_at over a file descriptor. */
long zp_read_at_fd(void *ctx, uint64_t off, void *buf, size_t n)
{
	int fd = *(const int *)ctx;
	size_t got = 0;

	if (off > (uint64_t)INT64_MAX - n)
		return 0;
	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (long)got;
}
