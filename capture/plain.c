/* SPDX-License-Identifier: MIT */
/*
 * plain.c - recordings read without any library, so that the daemon
 * (`zebrapad run --source`, `zebrapad audit --live --source`) can dry-run
 * without OpenCV:
 *
 *  - a YUV4MPEG2 file (.y4m, what `ffmpeg -f yuv4mpegpipe` writes): 8-bit
 *    colour spaces mono, 420jpeg, 420paldv, 420mpeg2, 420, 422, 444; the
 *    luma plane is used, the chroma planes are read past; the frame rate
 *    comes from the F parameter;
 *  - a folder of numbered binary PGM images (P5, maxval 255), or a CDnet
 *    folder with input/ inside; 25 fps unless told otherwise.
 *
 * Frames are luma only (bgr NULL, as from a GREY camera). Frame times come
 * from the frame rate: t_ms = round((seq - 1) * 1000 / fps), as for every
 * recorded source. Buffers are reused and zeroed before they are freed.
 */
#include "capture_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define ZP_PLAIN_DEFAULT_FPS 25.0
#define ZP_PLAIN_MAX_SIDE 8192   /* the camera limit ([camera] width/height) */
#define ZP_PLAIN_MAX_PIXELS (64L * 1024 * 1024)
#define ZP_Y4M_MAX_LINE 1024

struct plain_source {
	struct zp_recording rec; /* first: zp_source * <-> plain_source * */
	char path[PATH_MAX];   /* what the user gave, for messages */
	/* a Y4M stream ... */
	FILE *y4m;
	size_t skip;           /* chroma bytes after each luma plane */
	/* ... or a folder of PGM images */
	char dir[PATH_MAX];
	char file[PATH_MAX];   /* dir/name of the image being read */
	zp_series series;
	size_t next_img;
	uint8_t *raw;          /* a whole PGM file; the Y4M chroma planes */
	size_t raw_size;
};

static struct plain_source *ps_of(zp_source *s)
{
	return (struct plain_source *)s;
}

static bool is_pgm_ext(const char *ext)
{
	return strcasecmp(ext, ".pgm") == 0;
}

/* Every image extension either folder reader knows: the probe picks the largest series among them all. */
static bool is_any_image_ext(const char *ext)
{
	static const char *const exts[] = { ".pgm", ".jpg", ".jpeg", ".png", ".bmp" };

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(ext, exts[i]) == 0)
			return true;
	return false;
}

static int check_size(const char *name, long w, long h, char *err, size_t errlen)
{
	if (w < 1 || h < 1 || w > ZP_PLAIN_MAX_SIDE || h > ZP_PLAIN_MAX_SIDE || w * h > ZP_PLAIN_MAX_PIXELS)
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: size %ldx%ld out of range (1..%d a side, %ld pixels)", name,
				 w, h, ZP_PLAIN_MAX_SIDE, ZP_PLAIN_MAX_PIXELS);
	return 0;
}

/* ---- PGM ---- */

/* Skip blanks and '#' comments of a PGM header. */
static size_t pgm_skip(const uint8_t *b, size_t n, size_t i)
{
	while (i < n) {
		if (b[i] == '#') {
			while (i < n && b[i] != '\n')
				i++;
		} else if (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == '\v' || b[i] == '\f') {
			i++;
		} else {
			break;
		}
	}
	return i;
}

static bool pgm_number(const uint8_t *b, size_t n, size_t *i, long *out)
{
	long v = 0;
	size_t j = pgm_skip(b, n, *i);

	if (j >= n || b[j] < '0' || b[j] > '9')
		return false;
	while (j < n && b[j] >= '0' && b[j] <= '9') {
		if (v > 100000000)
			return false;
		v = v * 10 + (b[j] - '0');
		j++;
	}
	*i = j;
	*out = v;
	return true;
}

int zp_pgm_parse(const uint8_t *buf, size_t n, const char *name, int *w, int *h, size_t *data_off, char *err,
		 size_t errlen)
{
	size_t i = 2;
	long W, H, maxval;
	int rc;

	if (n < 2 || buf[0] != 'P' || buf[1] != '5')
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: not a binary PGM (expected 'P5' at the start)", name);
	if (!pgm_number(buf, n, &i, &W) || !pgm_number(buf, n, &i, &H) || !pgm_number(buf, n, &i, &maxval))
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: PGM header: expected width, height and maxval", name);
	if (maxval != 255)
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: PGM maxval %ld (expected 255: 8-bit grey)", name, maxval);
	rc = check_size(name, W, H, err, errlen);
	if (rc)
		return rc;
	/* exactly one blank after maxval, then the pixels */
	if (i >= n || !(buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: PGM header: expected a blank after maxval", name);
	i++;
	if (n - i < (size_t)W * (size_t)H)
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: PGM truncated: %zu pixel bytes, expected %ld", name, n - i,
				 W * H);
	*w = (int)W;
	*h = (int)H;
	*data_off = i;
	return 0;
}

/* Read dir/NAME whole into ps->raw and parse it. */
static int read_pgm(struct plain_source *ps, const char *name, const uint8_t **px, int *w, int *h, char *err,
		    size_t errlen)
{
	struct stat st;
	FILE *f;
	size_t off, got;
	int n, rc;

	n = snprintf(ps->file, sizeof(ps->file), "%s/%s", ps->dir, name);
	if (n < 0 || (size_t)n >= sizeof(ps->file))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s/%s: path too long", ps->dir, name);
	f = fopen(ps->file, "rb");
	if (!f)
		return zp_seterr(err, errlen, errno == ENOENT ? ZP_EIO : zp_err_from_errno(errno), "%s: %s", ps->file,
				 strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)ZP_PLAIN_MAX_PIXELS + 4096) {
		fclose(f);
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: not a regular file of a sensible size", ps->file);
	}
	if ((size_t)st.st_size > ps->raw_size) {
		uint8_t *r = malloc((size_t)st.st_size);

		if (!r) {
			fclose(f);
			return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", ps->file);
		}
		if (ps->raw)
			explicit_bzero(ps->raw, ps->raw_size);
		free(ps->raw);
		ps->raw = r;
		ps->raw_size = (size_t)st.st_size;
	}
	got = fread(ps->raw, 1, (size_t)st.st_size, f);
	fclose(f);
	rc = zp_pgm_parse(ps->raw, got, ps->file, w, h, &off, err, errlen);
	if (rc)
		return rc;
	*px = ps->raw + off;
	return 0;
}

/* ---- Y4M ---- */

/* Read one line (up to '\n', not kept) of at most ZP_Y4M_MAX_LINE bytes. 0, ZP_EOF at a clean end, or an error. */
static int y4m_line(FILE *f, char *line, size_t cap, size_t *len)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (n + 1 >= cap)
			return ZP_EFORMAT;
		line[n++] = (char)c;
	}
	line[n] = '\0';
	*len = n;
	if (c == EOF)
		return n == 0 ? ZP_EOF : ZP_EFORMAT;
	return 0;
}

static int y4m_header(struct plain_source *ps, char *err, size_t errlen)
{
	char line[ZP_Y4M_MAX_LINE];
	const char *cs = "420jpeg";
	long W = -1, H = -1, fn = 0, fd = 0;
	size_t len, cw, ch;
	char *tok, *save = NULL;
	int rc;

	if (y4m_line(ps->y4m, line, sizeof(line), &len) != 0 || strncmp(line, "YUV4MPEG2", 9) != 0 ||
	    (line[9] != ' ' && line[9] != '\0'))
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: not a YUV4MPEG2 file (expected a 'YUV4MPEG2 ' header line)",
				 ps->path);
	for (tok = strtok_r(line + 9, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *end;

		switch (tok[0]) {
		case 'W':
			W = strtol(tok + 1, &end, 10);
			if (end == tok + 1 || *end)
				W = -1;
			break;
		case 'H':
			H = strtol(tok + 1, &end, 10);
			if (end == tok + 1 || *end)
				H = -1;
			break;
		case 'F':
			fn = strtol(tok + 1, &end, 10);
			if (end == tok + 1 || *end != ':')
				return zp_seterr(err, errlen, ZP_EFORMAT, "%s: Y4M frame rate '%s' (expected F<num>:<den>)",
						 ps->path, tok);
			fd = strtol(end + 1, &end, 10);
			if (*end || fn < 0 || fd < 0 || fn > 1000000000 || fd > 1000000000)
				return zp_seterr(err, errlen, ZP_EFORMAT, "%s: Y4M frame rate '%s' (expected F<num>:<den>)",
						 ps->path, tok);
			break;
		case 'C':
			cs = tok + 1;
			if (!strcmp(cs, "mono")) {
				ps->skip = 0;
			} else if (!strcmp(cs, "420jpeg") || !strcmp(cs, "420paldv") || !strcmp(cs, "420mpeg2") ||
				   !strcmp(cs, "420") || !strcmp(cs, "422") || !strcmp(cs, "444")) {
				/* sized below, once W and H are known */
			} else {
				return zp_seterr(err, errlen, ZP_EFORMAT,
						 "%s: Y4M colour space '%s' (expected 8-bit mono, 420jpeg, 420paldv, "
						 "420mpeg2, 420, 422 or 444)", ps->path, cs);
			}
			break;
		default: /* I (interlacing), A (aspect), X (comments): nothing to do for luma */
			break;
		}
	}
	if (W < 0 || H < 0)
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: Y4M header without W<width> and H<height>", ps->path);
	rc = check_size(ps->path, W, H, err, errlen);
	if (rc)
		return rc;
	ps->rec.width = (int)W;
	ps->rec.height = (int)H;
	cw = ((size_t)W + 1) / 2;
	ch = ((size_t)H + 1) / 2;
	if (!strcmp(cs, "mono"))
		ps->skip = 0;
	else if (!strcmp(cs, "422"))
		ps->skip = 2 * cw * (size_t)H;
	else if (!strcmp(cs, "444"))
		ps->skip = 2 * (size_t)W * (size_t)H;
	else
		ps->skip = 2 * cw * ch;
	ps->rec.fps = (fn > 0 && fd > 0) ? (double)fn / (double)fd : ZP_PLAIN_DEFAULT_FPS;
	if (!(ps->rec.fps > 0) || ps->rec.fps > 1000)
		ps->rec.fps = ZP_PLAIN_DEFAULT_FPS;
	return 0;
}

static int y4m_read(struct plain_source *ps, char *err, size_t errlen)
{
	char line[ZP_Y4M_MAX_LINE];
	size_t len;
	int rc = y4m_line(ps->y4m, line, sizeof(line), &len);

	if (rc == ZP_EOF)
		return ZP_EOF;
	if (rc || strncmp(line, "FRAME", 5) != 0 || (line[5] != ' ' && line[5] != '\0'))
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: frame %llu: expected a 'FRAME' line", ps->path,
				 (unsigned long long)ps->rec.seq + 1);
	if (fread(ps->rec.luma, 1, ps->rec.luma_size, ps->y4m) != ps->rec.luma_size ||
	    (ps->skip && fread(ps->raw, 1, ps->skip, ps->y4m) != ps->skip))
		return zp_seterr(err, errlen, ZP_EFORMAT, "%s: frame %llu truncated (expected %zu bytes)", ps->path,
				 (unsigned long long)ps->rec.seq + 1, ps->rec.luma_size + ps->skip);
	return 0;
}

/* ---- the source ---- */

static int plain_next(zp_source *s, zp_frame *f, int timeout_ms)
{
	struct plain_source *ps = ps_of(s);
	int rc;

	(void)timeout_ms; /* a recording is never late */
	s->errmsg[0] = '\0';
	if (ps->y4m) {
		rc = y4m_read(ps, s->errmsg, sizeof(s->errmsg));
	} else if (ps->next_img >= ps->series.n) {
		rc = ZP_EOF;
	} else {
		const uint8_t *px;
		int w, h;

		rc = read_pgm(ps, ps->series.imgs[ps->next_img++].name, &px, &w, &h, s->errmsg, sizeof(s->errmsg));
		if (!rc && (w != ps->rec.width || h != ps->rec.height))
			rc = zp_seterr(s->errmsg, sizeof(s->errmsg), ZP_EFORMAT, "%s: %dx%d differs from the first frame's %dx%d",
				       ps->file, w, h, ps->rec.width, ps->rec.height);
		if (!rc)
			memcpy(ps->rec.luma, px, ps->rec.luma_size);
	}
	if (rc == ZP_EOF)
		return zp_recording_eof(&ps->rec, ps->path, s->errmsg, sizeof(s->errmsg));
	if (rc)
		return rc;
	zp_recording_frame(&ps->rec, f, NULL, 0);
	return 0;
}

static void plain_destroy(zp_source *s)
{
	struct plain_source *ps = ps_of(s);

	zp_recording_free_luma(&ps->rec);
	if (ps->raw)
		explicit_bzero(ps->raw, ps->raw_size);
	free(ps->raw);
	if (ps->y4m)
		fclose(ps->y4m);
	zp_series_free(&ps->series);
	free(ps);
}

static const struct zp_source_ops plain_ops = {
	.next = plain_next,
	.fps = zp_recording_fps,
	.size = zp_recording_size,
	.frame_count = zp_recording_frame_count,
	.destroy = plain_destroy,
};

/* Frames in a regular Y4M file whose frame lines are all a bare "FRAME": the size tells; -1 when it does not. */
static long y4m_count(struct plain_source *ps)
{
	struct stat st;
	long hdr = ftell(ps->y4m);
	size_t per = 6 + ps->rec.luma_size + ps->skip;

	if (hdr < 0 || fstat(fileno(ps->y4m), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < hdr)
		return -1;
	if (((size_t)st.st_size - (size_t)hdr) % per)
		return -1;
	return (long)(((size_t)st.st_size - (size_t)hdr) / per);
}

static int open_y4m(struct plain_source *ps, FILE *f, char *err, size_t errlen)
{
	int rc;

	ps->y4m = f;
	rc = y4m_header(ps, err, errlen);
	if (rc)
		return rc;
	rc = zp_recording_alloc_luma(&ps->rec, ps->path, err, errlen);
	if (rc)
		return rc;
	if (ps->skip) {
		ps->raw_size = ps->skip;
		ps->raw = malloc(ps->raw_size);
		if (!ps->raw)
			return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", ps->path);
	}
	ps->rec.count = y4m_count(ps);
	return 0;
}

static int open_pgm_folder(struct plain_source *ps, char *err, size_t errlen)
{
	const uint8_t *px;
	int rc;

	if (!zp_series_dir(ps->path, ps->dir, sizeof(ps->dir)))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: path too long", ps->path);
	rc = zp_series_scan(ps->dir, ps->path, is_pgm_ext, true, &ps->series, err, errlen);
	if (rc == ZP_EINVAL && ps->series.n == 0 && strstr(err, "no numbered images"))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: no numbered PGM images (expected e.g. in000001.pgm)",
				 ps->path);
	if (rc)
		return rc;
	/* the first image gives the size; it is read again by the first next() */
	rc = read_pgm(ps, ps->series.imgs[0].name, &px, &ps->rec.width, &ps->rec.height, err, errlen);
	if (rc)
		return rc;
	rc = zp_recording_alloc_luma(&ps->rec, ps->path, err, errlen);
	if (rc)
		return rc;
	ps->rec.count = (long)ps->series.n;
	ps->rec.fps = ZP_PLAIN_DEFAULT_FPS;
	return 0;
}

static struct plain_source *plain_new(const char *path, char *err, size_t errlen, int *rc)
{
	struct plain_source *ps = calloc(1, sizeof(*ps));

	if (!ps) {
		*rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
		return NULL;
	}
	ps->rec.base.ops = &plain_ops;
	if (strlen(path) >= sizeof(ps->path)) {
		*rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: path too long", path);
		free(ps);
		return NULL;
	}
	zp_strlcpy(ps->path, path, sizeof(ps->path));
	return ps;
}

zp_source *zp_source_open_y4m_stream(FILE *f, const char *name, double fps_override, int *errcode, char *err,
				     size_t errlen)
{
	int rc = 0;
	struct plain_source *ps = plain_new(name, err, errlen, &rc);

	if (!ps) {
		fclose(f);
		goto done;
	}
	rc = open_y4m(ps, f, err, errlen);
	if (rc)
		goto done;
	if (fps_override > 0)
		ps->rec.fps = fps_override;
done:
	return zp_source_opened(ps ? &ps->rec.base : NULL, rc, errcode);
}

bool zp_plain_probe(const char *path)
{
	struct stat st;

	if (!path || stat(path, &st) != 0)
		return false;
	if (S_ISDIR(st.st_mode)) {
		char dir[PATH_MAX], err[64];
		zp_series s;
		bool pgm;

		if (!zp_series_dir(path, dir, sizeof(dir)) ||
		    zp_series_scan(dir, path, is_any_image_ext, false, &s, err, sizeof(err)) != 0)
			return false;
		pgm = is_pgm_ext(s.imgs[0].name + s.imgs[0].ext_off);
		zp_series_free(&s);
		return pgm;
	} else {
		char magic[10] = "";
		FILE *f;
		size_t n;

		if (!S_ISREG(st.st_mode))
			return false; /* a FIFO would block here; devices and the like are refused by the opener */
		f = fopen(path, "rb");
		if (!f)
			return false;
		n = fread(magic, 1, sizeof(magic), f);
		fclose(f);
		return n == sizeof(magic) && memcmp(magic, "YUV4MPEG2 ", sizeof(magic)) == 0;
	}
}

zp_source *zp_source_open_plain(const char *path, double fps_override, int *errcode, char *err, size_t errlen)
{
	struct plain_source *ps = NULL;
	struct stat st;
	int rc = 0;

	if (!path || !*path) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "no recording given (a .y4m file or a folder of PGM images)");
		goto done;
	}
	rc = zp_recording_stat(path, fps_override, &st, err, errlen);
	if (rc)
		goto done;
	if (S_ISDIR(st.st_mode)) {
		ps = plain_new(path, err, errlen, &rc);
		if (!ps)
			goto done;
		rc = open_pgm_folder(ps, err, errlen);
		if (rc)
			goto done;
		if (fps_override > 0)
			ps->rec.fps = fps_override;
	} else {
		FILE *f = fopen(path, "rb");

		if (!f) {
			rc = zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: %s", path, strerror(errno));
			goto done;
		}
		return zp_source_open_y4m_stream(f, path, fps_override, errcode, err, errlen);
	}
done:
	return zp_source_opened(ps ? &ps->rec.base : NULL, rc, errcode);
}
