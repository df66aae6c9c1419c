/* SPDX-License-Identifier: MIT */
/*
 * audit.c - `zebrapad audit`: what is kept, where, for how long, what could
 * leave the device, the sandbox, and a scan of the data directory that names
 * every file that is not the counts store.
 *
 * Files are recognised by their first bytes, never by their names: a JPEG
 * renamed counts.db-shm is still a JPEG.
 */
#include "privacy_internal.h"

#if ZP_HAVE_JSON
#include "json.h"
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PREVIEW_NAME "calibration-preview.png"
#define MAX_DEPTH 16
#define HEAD_BYTES 512

const char *zp_audit_kind_name(zp_audit_kind k)
{
	switch (k) {
	case ZP_AUDIT_STORE: return "store";
	case ZP_AUDIT_EMPTY_DIR: return "empty directory";
	case ZP_AUDIT_PREVIEW: return "calibration preview";
	case ZP_AUDIT_IMAGE: return "image";
	case ZP_AUDIT_VIDEO: return "video";
	case ZP_AUDIT_RAW_FRAMES: return "raw frames";
	case ZP_AUDIT_UNKNOWN: return "unknown";
	}
	return "unknown";
}

/* ---- recognising files ---- */

static bool at(const uint8_t *h, size_t n, size_t off, const void *magic, size_t len)
{
	return n >= off + len && memcmp(h + off, magic, len) == 0;
}

struct magic {
	size_t off;
	const char *bytes;
	size_t len;
	zp_audit_kind kind;
	const char *what;
};

/*
 * Signatures that name a file by its head and that also mark a picture or
 * video inside a file at any offset (they do not occur by chance in counts).
 */
static const struct magic head_and_inside[] = {
	{ 0, "\x89PNG\r\n\x1a\n", 8, ZP_AUDIT_IMAGE, "PNG image" },
	{ 0, "GIF87a", 6, ZP_AUDIT_IMAGE, "GIF image" },
	{ 0, "GIF89a", 6, ZP_AUDIT_IMAGE, "GIF image" },
	{ 0, "YUV4MPEG2", 9, ZP_AUDIT_VIDEO, "Y4M raw video" },
};

/* The other signatures of a file's head, tried after head_and_inside in order: the first match names the file. */
static const struct magic head_only[] = {
	{ 0, "\xff\xd8\xff", 3, ZP_AUDIT_IMAGE, "JPEG image" },
	{ 0, "II*\0", 4, ZP_AUDIT_IMAGE, "TIFF image" },
	{ 0, "MM\0*", 4, ZP_AUDIT_IMAGE, "TIFF image" },
	{ 0, "\0\0\0\x0cjP  \r\n\x87\n", 12, ZP_AUDIT_IMAGE, "JPEG 2000 image" },
	{ 0, "\xff\x0a", 2, ZP_AUDIT_IMAGE, "JPEG XL image" },
	{ 0, "\0\0\0\x0cJXL \r\n\x87\n", 12, ZP_AUDIT_IMAGE, "JPEG XL image" },
	{ 0, "qoif", 4, ZP_AUDIT_IMAGE, "QOI image" },
	{ 0, "v/1\x01", 4, ZP_AUDIT_IMAGE, "OpenEXR image" },
	{ 0, "\x1a\x45\xdf\xa3", 4, ZP_AUDIT_VIDEO, "Matroska/WebM video" },
	{ 0, "FLV\x01", 4, ZP_AUDIT_VIDEO, "Flash video" },
	{ 0, "OggS", 4, ZP_AUDIT_VIDEO, "Ogg media" },
	{ 0, "\0\0\x01\xba", 4, ZP_AUDIT_VIDEO, "MPEG program stream" },
	{ 0, "\0\0\x01\xb3", 4, ZP_AUDIT_VIDEO, "MPEG video stream" },
	{ 4, "moov", 4, ZP_AUDIT_VIDEO, "QuickTime video" },
	{ 4, "mdat", 4, ZP_AUDIT_VIDEO, "QuickTime video" },
	{ 4, "wide", 4, ZP_AUDIT_VIDEO, "QuickTime video" },
};

/* Archives and databases could hold anything; they are named so the reader knows what to open. */
static const struct magic containers[] = {
	{ 0, "\x1f\x8b", 2, ZP_AUDIT_UNKNOWN, "gzip archive (contents not inspected)" },
	{ 0, "PK\x03\x04", 4, ZP_AUDIT_UNKNOWN, "zip archive (contents not inspected)" },
	{ 0, "\xfd" "7zXZ", 5, ZP_AUDIT_UNKNOWN, "xz archive (contents not inspected)" },
	{ 0, "\x28\xb5\x2f\xfd", 4, ZP_AUDIT_UNKNOWN, "zstd archive (contents not inspected)" },
	{ 257, "ustar", 5, ZP_AUDIT_UNKNOWN, "tar archive (contents not inspected)" },
	{ 0, "SQLite format 3", 16, ZP_AUDIT_UNKNOWN, "SQLite database that is not the counts store" },
};

/* The first entry of t[0..count) whose bytes stand at base + its offset in b[0..n); NULL when none. */
static const struct magic *find_magic(const struct magic *t, size_t count, const uint8_t *b, size_t n, size_t base)
{
	for (size_t k = 0; k < count; k++)
		if (at(b, n, base + t[k].off, t[k].bytes, t[k].len))
			return &t[k];
	return NULL;
}

#define FIND_MAGIC(table, b, n, base) find_magic((table), sizeof(table) / sizeof((table)[0]), (b), (n), (base))

/* Common camera sizes and raw pixel formats, for files that are a whole number of frames. */
static const struct { int w, h; } frame_sizes[] = {
	{ 4056, 3040 }, { 3280, 2464 }, { 2592, 1944 }, { 2028, 1520 }, { 1920, 1080 }, { 1640, 1232 },
	{ 1296, 972 }, { 1280, 1024 }, { 1280, 960 }, { 1280, 720 }, { 1024, 768 }, { 800, 600 },
	{ 768, 576 }, { 720, 576 }, { 720, 480 }, { 640, 480 }, { 640, 360 }, { 352, 288 }, { 320, 240 },
	{ 176, 144 }, { 160, 120 },
};

static const struct { int num, den; const char *name; } pixel_formats[] = {
	{ 3, 1, "RGB/BGR" }, { 4, 1, "RGBA" }, { 2, 1, "YUYV/RGB565" }, { 3, 2, "YUV420/NV12" }, { 1, 1, "grey" },
};

static bool is_pnm(const uint8_t *h, size_t n)
{
	return n >= 3 && h[0] == 'P' && h[1] >= '1' && h[1] <= '7' && isspace(h[2]);
}

static bool is_mpeg_ts(const uint8_t *h, size_t n)
{
	return n >= 2 * 188 + 1 && h[0] == 0x47 && h[188] == 0x47 && h[376] == 0x47;
}

/* H.264 / H.265 Annex B streams start with a start code and a parameter set. */
static bool is_annexb(const uint8_t *h, size_t n)
{
	size_t o = at(h, n, 0, "\0\0\0\x01", 4) ? 4 : at(h, n, 0, "\0\0\x01", 3) ? 3 : 0;

	if (!o || n <= o + 1)
		return false;
	return (h[o] & 0x1f) == 7 || (h[o] & 0x1f) == 9 || ((h[o] >> 1) & 0x3f) == 32 || ((h[o] >> 1) & 0x3f) == 35;
}

static bool is_bmp(const uint8_t *h, size_t n, int64_t size)
{
	uint32_t sz, dib;

	if (n < 26 || h[0] != 'B' || h[1] != 'M')
		return false;
	sz = (uint32_t)h[2] | (uint32_t)h[3] << 8 | (uint32_t)h[4] << 16 | (uint32_t)h[5] << 24;
	dib = (uint32_t)h[14] | (uint32_t)h[15] << 8 | (uint32_t)h[16] << 16 | (uint32_t)h[17] << 24;
	return (int64_t)sz == size || dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 108 || dib == 124;
}

static zp_audit_kind sniff_ftyp(const uint8_t *h, size_t n, char *what, size_t whatlen)
{
	static const char *const still[] = { "heic", "heix", "hevc", "mif1", "msf1", "avif", "avis" };

	for (size_t i = 0; i < sizeof(still) / sizeof(still[0]); i++)
		if (at(h, n, 8, still[i], 4)) {
			snprintf(what, whatlen, "HEIF/AVIF image");
			return ZP_AUDIT_IMAGE;
		}
	snprintf(what, whatlen, "MP4/QuickTime video (brand %.4s)", n >= 12 ? (const char *)h + 8 : "?");
	for (char *c = what; *c; c++)
		if (!isprint((unsigned char)*c))
			*c = '?';
	return ZP_AUDIT_VIDEO;
}

static bool looks_like_text(const uint8_t *h, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (h[i] < 0x20 && h[i] != '\n' && h[i] != '\r' && h[i] != '\t')
			return false;
	return true;
}

zp_audit_kind zp_audit_sniff(const uint8_t *head, size_t n, int64_t size, char *what, size_t whatlen)
{
	const struct magic *m = FIND_MAGIC(head_and_inside, head, n, 0);

	if (!m)
		m = FIND_MAGIC(head_only, head, n, 0);
	if (m) {
		snprintf(what, whatlen, "%s", m->what);
		return m->kind;
	}
	if (at(head, n, 4, "ftyp", 4))
		return sniff_ftyp(head, n, what, whatlen);
	if (at(head, n, 0, "RIFF", 4) && at(head, n, 8, "WEBP", 4)) {
		snprintf(what, whatlen, "WebP image");
		return ZP_AUDIT_IMAGE;
	}
	if (at(head, n, 0, "RIFF", 4) && at(head, n, 8, "AVI ", 4)) {
		snprintf(what, whatlen, "AVI video");
		return ZP_AUDIT_VIDEO;
	}
	if (is_bmp(head, n, size)) {
		snprintf(what, whatlen, "BMP image");
		return ZP_AUDIT_IMAGE;
	}
	if (is_pnm(head, n)) {
		snprintf(what, whatlen, "PGM/PPM/PNM image");
		return ZP_AUDIT_IMAGE;
	}
	if (is_mpeg_ts(head, n)) {
		snprintf(what, whatlen, "MPEG transport stream video");
		return ZP_AUDIT_VIDEO;
	}
	if (is_annexb(head, n)) {
		snprintf(what, whatlen, "H.264/H.265 video stream");
		return ZP_AUDIT_VIDEO;
	}
	m = FIND_MAGIC(containers, head, n, 0);
	if (m) {
		snprintf(what, whatlen, "%s", m->what);
		return ZP_AUDIT_UNKNOWN;
	}
	/* a raw dump has no header: a size that is a whole number of frames of a camera size is the sign */
	for (size_t i = 0; size > 0 && i < sizeof(frame_sizes) / sizeof(frame_sizes[0]); i++)
		for (size_t j = 0; j < sizeof(pixel_formats) / sizeof(pixel_formats[0]); j++) {
			int64_t frame = (int64_t)frame_sizes[i].w * frame_sizes[i].h * pixel_formats[j].num /
					pixel_formats[j].den;

			if (size % frame == 0) {
				snprintf(what, whatlen, "raw frames? %" PRId64 " x %dx%d %s", size / frame, frame_sizes[i].w,
					 frame_sizes[i].h, pixel_formats[j].name);
				return ZP_AUDIT_RAW_FRAMES;
			}
		}
	if (size == 0)
		snprintf(what, whatlen, "empty file");
	else if (looks_like_text(head, n))
		snprintf(what, whatlen, "text file");
	else
		snprintf(what, whatlen, "unknown binary file");
	return ZP_AUDIT_UNKNOWN;
}

/* ---- the data directory ---- */

struct scan {
	const char *store_base;     /* basename of the store, NULL when the store is not in this directory */
	const char *health_base;    /* basename of the daemon's health file, NULL when not in this directory */
	bool allow_preview;
	zp_audit_finding *out;
	size_t max;
	size_t n;
	int failing;
};

static void add(struct scan *sc, const char *path, zp_audit_kind kind, const char *what, int64_t size)
{
	if (sc->n < sc->max) {
		zp_audit_finding *f = &sc->out[sc->n];

		zp_strlcpy(f->path, path, sizeof(f->path));
		f->kind = kind;
		zp_strlcpy(f->what, what, sizeof(f->what));
		f->size = size;
	}
	sc->n++;
	if (kind != ZP_AUDIT_STORE && kind != ZP_AUDIT_EMPTY_DIR && !(kind == ZP_AUDIT_PREVIEW && sc->allow_preview))
		sc->failing++;
}

static ssize_t read_head(const char *path, uint8_t *head, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = read(fd, head, n);
	close(fd);
	return got;
}

static bool all_zero(const uint8_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (h[i])
			return false;
	return true;
}

/* Is this one of the store's files, by name and by content? */
static bool is_store_file(const struct scan *sc, const char *name, const uint8_t *h, size_t n, int64_t size,
			  char *what, size_t whatlen)
{
	size_t bl;
	const char *suffix;

	if (!sc->store_base)
		return false;
	bl = strlen(sc->store_base);
	if (strncmp(name, sc->store_base, bl) != 0)
		return false;
	suffix = name + bl;
	if (!*suffix) {
		snprintf(what, whatlen, "the counts store (SQLite database)");
		return size == 0 || at(h, n, 0, "SQLite format 3", 16);
	}
	if (!strcmp(suffix, "-wal")) {
		snprintf(what, whatlen, "the counts store's write-ahead log");
		return size == 0 || at(h, n, 0, "\x37\x7f\x06\x82", 4) || at(h, n, 0, "\x37\x7f\x06\x83", 4);
	}
	if (!strcmp(suffix, "-shm")) {
		/* the WAL index: version 3007000 in native byte order, or zeros */
		uint32_t v = 0;

		snprintf(what, whatlen, "the counts store's shared-memory index");
		if (n >= 4)
			memcpy(&v, h, 4);
		return size == 0 || v == 3007000 || (n >= 4 && all_zero(h, 4));
	}
	if (!strcmp(suffix, "-journal")) {
		snprintf(what, whatlen, "the counts store's rollback journal (only while the file is created)");
		return size == 0 || at(h, n, 0, "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", 8) || all_zero(h, n < 28 ? n : 28);
	}
	return false;
}

/* ---- the store's own files, read whole ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * A picture or video inside a file, at any offset: the signatures that do
 * not occur by chance in counts (a JPEG start with its first marker, PNG's
 * eight bytes, GIF, WebP, an MP4 'ftyp' box, a Y4M header).
 */
static bool embedded_media(const uint8_t *b, size_t n, size_t i, char *what, size_t whatlen)
{
	static const struct magic inside_only[] = {
		{ 0, "\xff\xd8\xff\xe0", 4, ZP_AUDIT_IMAGE, "JPEG image" },
		{ 0, "\xff\xd8\xff\xe1", 4, ZP_AUDIT_IMAGE, "JPEG image" },
		{ 0, "\xff\xd8\xff\xdb", 4, ZP_AUDIT_IMAGE, "JPEG image" },
		{ 0, "\xff\xd8\xff\xee", 4, ZP_AUDIT_IMAGE, "JPEG image" },
		{ 0, "\xff\xd8\xff\xc0", 4, ZP_AUDIT_IMAGE, "JPEG image" },
		{ 0, "WEBPVP8", 7, ZP_AUDIT_IMAGE, "WebP image" },
		{ 0, "ftypisom", 8, ZP_AUDIT_VIDEO, "MP4 video" },
		{ 0, "ftypmp4", 7, ZP_AUDIT_VIDEO, "MP4 video" },
		{ 0, "ftypqt", 6, ZP_AUDIT_VIDEO, "QuickTime video" },
	};
	const struct magic *m = FIND_MAGIC(head_and_inside, b, n, i);

	if (!m)
		m = FIND_MAGIC(inside_only, b, n, i);
	if (m)
		snprintf(what, whatlen, "%s", m->what);
	return m != NULL;
}

/*
 * Read the whole file: a hidden picture anywhere is named with its offset.
 * 1 when one was found (what, *off set), 0 when none, -1 when unreadable.
 */
static int find_embedded(const char *path, char *what, size_t whatlen, int64_t *off)
{
	static const size_t chunk = 1 << 20, keep = 16;
	uint8_t *buf = malloc(chunk + keep);
	size_t have = 0;
	int64_t base = 0;
	ssize_t k;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), found = 0;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return -1;
	}
	while (!found && (k = read(fd, buf + have, chunk)) > 0) {
		size_t n = have + (size_t)k;

		for (size_t i = 0; i + 1 < n && !found; i++) {
			if (buf[i] != 0xff && buf[i] != 0x89 && buf[i] != 'G' && buf[i] != 'W' && buf[i] != 'f' &&
			    buf[i] != 'Y')
				continue;
			if (i + keep > n && k > 0 && n == have + chunk)
				break;     /* too near the end of the chunk: looked at again with the next one */
			if (embedded_media(buf, n, i, what, whatlen)) {
				*off = base + (int64_t)i;
				found = 1;
			}
		}
		if (n > keep) {
			memmove(buf, buf + n - keep, keep);
			base += (int64_t)(n - keep);
			have = keep;
		} else {
			have = n;
		}
	}
	close(fd);
	free(buf);
	return found;
}

/*
 * The store's files must be exactly what SQLite makes: the database no
 * longer than its pages, the WAL whole frames of the database's page size,
 * the -shm whole 32 KiB blocks of a WAL index, the -journal a journal. What
 * is left over could hold anything. Returns false with why in what.
 */
static bool store_file_shape(const char *path, const char *suffix, int64_t size, const uint8_t *h, size_t n,
			     char *what, size_t whatlen)
{
	if (!*suffix) {
		uint32_t pgsz, pages;

		if (size == 0)
			return true;
		if (n < 100)
			return snprintf(what, whatlen, "named like the store, but too short for SQLite"), false;
		pgsz = (uint32_t)h[16] << 8 | h[17];
		pgsz = pgsz == 1 ? 65536 : pgsz;
		pages = be32(h + 28);
		if (pgsz < 512 || (pgsz & (pgsz - 1)) || size % pgsz)
			return snprintf(what, whatlen, "the store, but not whole pages (page size %u)", pgsz), false;
		/* the page count is valid when the version-valid-for number matches the change counter */
		if (be32(h + 92) == be32(h + 24) && (int64_t)pages * pgsz < size)
			return snprintf(what, whatlen, "the store + %" PRId64 " bytes after its last page",
					size - (int64_t)pages * pgsz), false;
		return true;
	}
	if (!strcmp(suffix, "-wal")) {
		uint32_t pgsz;

		if (size == 0)
			return true;
		if (n < 32 || be32(h + 4) != 3007000)
			return snprintf(what, whatlen, "named like the store's WAL, but not a WAL header"), false;
		pgsz = be32(h + 8);
		if (pgsz < 512 || pgsz > 65536 || (pgsz & (pgsz - 1)) || (size - 32) % (int64_t)(pgsz + 24))
			return snprintf(what, whatlen, "the store's WAL, but not whole frames of %u-byte pages", pgsz), false;
		return true;
	}
	if (!strcmp(suffix, "-shm")) {
		if (size % 32768)
			return snprintf(what, whatlen, "store's WAL index, not whole 32 KiB blocks"), false;
		return true;
	}
	(void)path;
	return true;
}

static void scan_file(struct scan *sc, const char *path, const char *name, const struct stat *st, int depth)
{
	uint8_t head[HEAD_BYTES];
	char what[96], store_what[96];
	ssize_t n = read_head(path, head, sizeof(head));
	zp_audit_kind kind;

	if (n < 0) {
		snprintf(what, sizeof(what), "cannot be read (%s): run the audit as root or as the daemon's user",
			 strerror(errno));
		add(sc, path, ZP_AUDIT_UNKNOWN, what, st->st_size);
		return;
	}
	kind = zp_audit_sniff(head, (size_t)n, st->st_size, what, sizeof(what));
	if (kind == ZP_AUDIT_IMAGE || kind == ZP_AUDIT_VIDEO) {
		if (depth == 0 && !strcmp(name, PREVIEW_NAME) && !strcmp(what, "PNG image")) {
			add(sc, path, ZP_AUDIT_PREVIEW,
			    "calibration preview written by `zebrapad calibrate`: shows the scene, delete it", st->st_size);
			return;
		}
		add(sc, path, kind, what, st->st_size);
		return;
	}
	if (depth == 0 && sc->health_base && kind == ZP_AUDIT_UNKNOWN && n > 16 && !memcmp(head, "# HELP zebrapad_", 16) &&
	    (!strcmp(name, sc->health_base) || (!strncmp(name, sc->health_base, strlen(sc->health_base)) &&
						!strcmp(name + strlen(sc->health_base), ".tmp")))) {
		add(sc, path, ZP_AUDIT_STORE, "the daemon's health file ([health] prom_file: lights, faults, frames)",
		    st->st_size);
		return;
	}
	if (depth == 0 && is_store_file(sc, name, head, (size_t)n, st->st_size, store_what, sizeof(store_what))) {
		const char *suffix = name + strlen(sc->store_base);
		char inner[32], msg[160];
		int64_t off = 0;
		int e = find_embedded(path, inner, sizeof(inner), &off);

		if (e > 0) {
			snprintf(msg, sizeof(msg), "%s hidden at byte %" PRId64 " of a store file", inner, off);
			add(sc, path, strstr(inner, "video") ? ZP_AUDIT_VIDEO : ZP_AUDIT_IMAGE, msg, st->st_size);
			return;
		}
		if (e < 0) {
			add(sc, path, ZP_AUDIT_UNKNOWN, "a store file that cannot be read whole", st->st_size);
			return;
		}
		if (!store_file_shape(path, suffix, st->st_size, head, (size_t)n, msg, sizeof(msg))) {
			add(sc, path, ZP_AUDIT_UNKNOWN, msg, st->st_size);
			return;
		}
		add(sc, path, ZP_AUDIT_STORE, store_what, st->st_size);
		return;
	}
	if (depth == 0 && sc->store_base && !strncmp(name, sc->store_base, strlen(sc->store_base)) &&
	    kind == ZP_AUDIT_UNKNOWN) {
		char named[96];

		snprintf(named, sizeof(named), "named like the store, but it is not (%.48s)", what);
		add(sc, path, ZP_AUDIT_UNKNOWN, named, st->st_size);
		return;
	}
	add(sc, path, kind, what, st->st_size);
}

static int scan_dir(struct scan *sc, const char *dir, int depth, char *err, size_t errlen)
{
	struct dirent *de;
	bool empty = true;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		if (depth == 0)
			return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: %s", dir, strerror(errno));
		add(sc, dir, ZP_AUDIT_UNKNOWN, "directory that cannot be read", 0);
		return 0;
	}
	while ((de = readdir(d))) {
		char path[1024];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		empty = false;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0) {
			add(sc, path, ZP_AUDIT_UNKNOWN, "vanished while scanning", 0);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 >= MAX_DEPTH)
				add(sc, path, ZP_AUDIT_UNKNOWN, "directory nested too deep to scan", 0);
			else
				scan_dir(sc, path, depth + 1, err, errlen);
		} else if (S_ISLNK(st.st_mode)) {
			char target[256] = "", what[96];
			ssize_t n = readlink(path, target, sizeof(target) - 1);

			target[n > 0 ? n : 0] = '\0';
			snprintf(what, sizeof(what), "symbolic link to %.60s (not followed)", target);
			add(sc, path, ZP_AUDIT_UNKNOWN, what, 0);
		} else if (S_ISREG(st.st_mode)) {
			scan_file(sc, path, de->d_name, &st, depth);
		} else {
			add(sc, path, ZP_AUDIT_UNKNOWN,
			    S_ISFIFO(st.st_mode) ? "named pipe" : S_ISSOCK(st.st_mode) ? "socket" : "device node", 0);
		}
	}
	closedir(d);
	if (empty && depth > 0)
		add(sc, dir, ZP_AUDIT_EMPTY_DIR, "empty directory", 0);
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const zp_audit_finding *)a)->path, ((const zp_audit_finding *)b)->path);
}

int zp_audit_scan_dir(const char *dir, const char *store_path, bool allow_preview, zp_audit_finding *out,
		      size_t max, size_t *nfound, char *err, size_t errlen)
{
	return zp_audit_scan_dir_health(dir, store_path, NULL, allow_preview, out, max, nfound, err, errlen);
}

int zp_audit_scan_dir_health(const char *dir, const char *store_path, const char *health_path, bool allow_preview,
			     zp_audit_finding *out, size_t max, size_t *nfound, char *err, size_t errlen)
{
	struct scan sc = { .allow_preview = allow_preview, .out = out, .max = max };
	struct stat a, b;
	char sdir[512];
	int rc;

	if (health_path && health_path[0]) {
		zp_dirname(sdir, sizeof(sdir), health_path);
		if (stat(sdir, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			sc.health_base = strrchr(health_path, '/') ? strrchr(health_path, '/') + 1 : health_path;
	}

	if (store_path && store_path[0]) {
		zp_dirname(sdir, sizeof(sdir), store_path);
		if (stat(sdir, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			const char *slash = strrchr(store_path, '/');

			sc.store_base = slash ? slash + 1 : store_path;
		}
	}
	rc = scan_dir(&sc, dir, 0, err, errlen);
	if (out)
		qsort(out, sc.n < max ? sc.n : max, sizeof(*out), by_path);
	if (nfound)
		*nfound = sc.n;
	return rc ? rc : sc.failing;
}

/* ---- the report ---- */


static void fmt_size(int64_t bytes, char *buf, size_t n)
{
	if (bytes < 10 * 1024)
		snprintf(buf, n, "%" PRId64 " bytes", bytes);
	else if (bytes < 10LL * 1024 * 1024)
		snprintf(buf, n, "%" PRId64 " KiB", bytes / 1024);
	else
		snprintf(buf, n, "%" PRId64 " MiB", bytes / (1024 * 1024));
}

/*
 * A file name for a terminal: control bytes (escape sequences), DEL and
 * bytes that are not UTF-8 as \xHH, a backslash doubled. Returns buf.
 */
static const char *safe_name(const char *str, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0, n;

	while (*s && o + 5 < len) {
		if (*s < 0x20 || *s == 0x7f || (n = zp_utf8_seq((const char *)s)) == 0) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *s++);
		} else if (*s == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
			s++;
		} else {
			if (o + n + 1 >= len)
				break;
			memcpy(buf + o, s, n);
			o += n;
			s += n;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* The running daemon, if any: `zebrapad run` found in /proc. */
typedef struct daemon_state {
	int pid;
	int seccomp;        /* Seccomp: field, -1 unknown */
	int no_new_privs;   /* -1 unknown */
	int core_zero;      /* 1: core limit 0, 0: not, -1 unknown */
	int nondumpable;    /* 1: /proc/PID owned by root while it runs as another user, -1 unknown */
} daemon_state;

/*
 * Is /proc/PID a `zebrapad run` of this site? Its --config names the same
 * file as config (after links), or one of its open files is the store. Not
 * just any `zebrapad run`: another site's daemon on the same machine is not
 * the one being audited.
 */
static bool is_daemon(const char *pid, const char *config_real, const char *store_path)
{
	char path[300], buf[4096], cfg[PATH_MAX + 300], real[PATH_MAX];
	const char *arg0, *base, *end, *a, *conf = NULL;
	ssize_t n;
	int fd;
	bool run = false;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	end = buf + n;
	arg0 = buf;
	base = strrchr(arg0, '/');
	base = base ? base + 1 : arg0;
	if (strcmp(base, "zebrapad") != 0)
		return false;
	for (a = arg0 + strlen(arg0) + 1; a < end; a += strlen(a) + 1) {
		if (!run && !strcmp(a, "run"))
			run = true;
		else if ((!strcmp(a, "--config") || !strcmp(a, "-c")) && a + strlen(a) + 1 < end)
			conf = a + strlen(a) + 1;
		else if (!strncmp(a, "--config=", 9))
			conf = a + 9;
	}
	if (!run)
		return false;
	if (conf && config_real && config_real[0]) {
		if (conf[0] == '/')
			snprintf(cfg, sizeof(cfg), "%s", conf);
		else
			snprintf(cfg, sizeof(cfg), "/proc/%s/cwd/%s", pid, conf);
		if (realpath(cfg, real) && !strcmp(real, config_real))
			return true;
	}
	/* its open files (root or the daemon's user can see them) */
	if (store_path && store_path[0]) {
		DIR *d;
		struct dirent *de;
		bool found = false;

		snprintf(path, sizeof(path), "/proc/%s/fd", pid);
		d = opendir(path);
		while (d && !found && (de = readdir(d))) {
			char link[PATH_MAX + 300];

			snprintf(cfg, sizeof(cfg), "%s/%s", path, de->d_name);
			n = readlink(cfg, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				found = !strcmp(link, store_path);
			}
		}
		if (d)
			closedir(d);
		return found;
	}
	return false;
}

static void find_daemon(daemon_state *d, const char *config_path, const char *store_path)
{
	char path[300], line[256], config_real[PATH_MAX] = "", store_real[PATH_MAX] = "";
	struct dirent *de;
	struct stat st;
	DIR *proc;
	FILE *f;
	long uid = -1;

	memset(d, 0, sizeof(*d));
	if (config_path && !realpath(config_path, config_real))
		config_real[0] = '\0';
	if (store_path && store_path[0] && !realpath(store_path, store_real))
		zp_strlcpy(store_real, store_path, sizeof(store_real));
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((de = readdir(proc)))
		if (isdigit((unsigned char)de->d_name[0]) && atoi(de->d_name) != (int)getpid() &&
		    is_daemon(de->d_name, config_real, store_real)) {
			d->pid = atoi(de->d_name);
			break;
		}
	closedir(proc);
	if (!d->pid)
		return;
	d->seccomp = d->no_new_privs = d->core_zero = d->nondumpable = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", d->pid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Seccomp:", 8))
				d->seccomp = atoi(line + 8);
			else if (!strncmp(line, "NoNewPrivs:", 11))
				d->no_new_privs = atoi(line + 11);
			else if (!strncmp(line, "Uid:", 4))
				uid = atol(line + 4);
		}
		fclose(f);
		/* the kernel makes the /proc/PID files of a non-dumpable process owned by root */
		if (uid > 0 && stat(path, &st) == 0)
			d->nondumpable = st.st_uid == 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/limits", d->pid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "Max core file size", 18)) {
				char soft[32] = "";

				if (sscanf(line + 18, "%31s", soft) == 1)
					d->core_zero = !strcmp(soft, "0");
			}
		fclose(f);
	}
}

typedef struct report {
	const zp_audit_info *info;
	FILE *out;
	char data_dir[512];
	zp_store *store;
	zp_store_summary sum;
	char store_err[512];
	int64_t store_bytes;
	int64_t wal_bytes;
	zp_sandbox_status sb;
	daemon_state daemon;
	zp_audit_finding *found;
	size_t nfound;
	size_t cap;
	int failing;
	char scan_err[512];
} report;

/* Something inside the store that the schema does not have: a failing finding naming the store. */
static void content_finding(void *ctx, const char *what)
{
	report *rp = ctx;
	zp_audit_finding *f;

	if (rp->nfound >= rp->cap)
		return;
	f = &rp->found[rp->nfound++];
	zp_strlcpy(f->path, rp->info->store->path, sizeof(f->path));
	f->kind = ZP_AUDIT_UNKNOWN;
	zp_strlcpy(f->what, what, sizeof(f->what));
	f->size = rp->store_bytes;
	rp->failing++;
}

static int64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

static void print_row_text(FILE *out, const zp_store_row *r)
{
	char t[40];

	zp_fmt_utc(r->interval_start, false, t, sizeof(t));
	if (r->entered >= 0 && r->crossed_a_to_b >= 0)
		fprintf(out, "    %s  %4ds  %-16s  entered %-4" PRId64 " occupied %6.1f s  crossed A->B %" PRId64
			", B->A %" PRId64 "\n", t, r->interval_s, r->zone, r->entered, r->occupied_s, r->crossed_a_to_b,
			r->crossed_b_to_a);
	else if (r->entered >= 0)
		fprintf(out, "    %s  %4ds  %-16s  entered %-4" PRId64 " occupied %6.1f s\n", t, r->interval_s, r->zone,
			r->entered, r->occupied_s);
	else
		fprintf(out, "    %s  %4ds  %-16s  lights on %" PRId64 "x, %.1f s; fail-safe %.1f s\n", t,
			r->interval_s, "* (crossing)", r->light_activations, r->light_on_s, r->fault_s);
}

static int sample_text(void *ctx, const zp_store_row *r)
{
	print_row_text(ctx, r);
	return 0;
}

#if ZP_HAVE_JSON
/* a count or a time; null when the row has none (negative) */
static void json_num_or_null(cJSON *o, const char *key, double v, bool integer)
{
	if (v < 0)
		zp_json_add_null(o, key);
	else
		zp_json_add_num(o, key, v, integer ? 0 : 3);
}

static int sample_json(void *ctx, const zp_store_row *r)
{
	cJSON *o = zp_json_add_object(ctx, NULL);

	zp_json_add_int(o, "interval_start", r->interval_start);
	zp_json_add_int(o, "interval_s", r->interval_s);
	zp_json_add_str(o, "zone", r->zone);
	json_num_or_null(o, "entered", (double)r->entered, true);
	json_num_or_null(o, "occupied_s", r->occupied_s, false);
	json_num_or_null(o, "light_activations", (double)r->light_activations, true);
	json_num_or_null(o, "light_on_s", r->light_on_s, false);
	json_num_or_null(o, "fault_s", r->fault_s, false);
	json_num_or_null(o, "crossed_a_to_b", (double)r->crossed_a_to_b, true);
	json_num_or_null(o, "crossed_b_to_a", (double)r->crossed_b_to_a, true);
	return 0;
}
#endif

static size_t sample_limit(const report *rp)
{
	size_t per = (size_t)(rp->sum.nzones > 0 ? rp->sum.nzones : 1) + 1;

	return per * 2 > 24 ? 24 : per * 2;
}

static const char *yes_no(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static void describe_line(void *ctx, const char *line)
{
	fprintf(ctx, "  - %s\n", line);
}

static void text_report(report *rp)
{
	const zp_audit_info *in = rp->info;
	const zp_store_params *sp = in->store;
	FILE *out = rp->out;
	char t0[40], t1[40], sz[32], wsz[32], name[2200];
	int64_t now_s = in->now_ms / 1000;

	zp_fmt_utc(now_s, false, t0, sizeof(t0));
	fprintf(out, "zebrapad privacy audit\n");
	fprintf(out, "  site: %s\n  config: %s\n  made: %s\n\n", in->site_name && in->site_name[0] ? in->site_name :
		"(unnamed)", in->config_path ? in->config_path : "-", t0);

	fprintf(out, "1. What is kept, and where\n");
	if (!sp->path[0]) {
		fprintf(out, "  Nothing: no counts store is configured ([store] path is empty). The system switches\n"
			"  the lights and keeps no record at all.\n\n");
	} else {
		fprintf(out, "  One file, a SQLite database: %s\n", sp->path);
		fprintf(out, "  For every %d seconds and every zone it keeps a few numbers, never anything about a\n"
			"  single person, never an image, never a time more precise than the %d-second interval.\n",
			sp->interval_s, sp->interval_s);
		fprintf(out, "  Zones:");
		for (int i = 0; i < in->nzones; i++)
			fprintf(out, " %s%s%s%s", in->zones[i], in->zone_roles ? " (" : "",
				in->zone_roles ? in->zone_roles[i] : "", in->zone_roles ? ")" : "");
		fprintf(out, "%s\n  Each row has these columns:\n", in->nzones ? "" : " (none configured)");
		for (const zp_schema_column *c = zp_schema_columns; c->name; c++)
			fprintf(out, "    %-18s %s\n", c->name, c->meaning);
		if (!rp->store) {
			fprintf(out, "  The file cannot be read now: %s\n", rp->store_err);
		} else {
			fmt_size(rp->store_bytes, sz, sizeof(sz));
			fmt_size(rp->wal_bytes > 0 ? rp->wal_bytes : 0, wsz, sizeof(wsz));
			fprintf(out, "  Size: %s (+ %s not yet merged from the -wal file). Schema version %d%s.\n", sz, wsz,
				rp->sum.schema_version,
				rp->sum.schema_version < ZP_STORE_SCHEMA_VERSION ?
				" (older: the daemon upgrades it when it next starts)" : "");
			if (rp->sum.rows == 0) {
				fprintf(out, "  Rows: none yet.\n");
			} else {
				zp_fmt_utc(rp->sum.first_start, false, t0, sizeof(t0));
				zp_fmt_utc(rp->sum.last_end, false, t1, sizeof(t1));
				fprintf(out, "  Rows: %" PRId64 " (%" PRId64 " zone rows), covering %s to %s.\n",
					rp->sum.rows, rp->sum.zone_rows, t0, t1);
				fprintf(out, "  People counted in all: %" PRId64 " entries into zones.\n",
					rp->sum.entered_total);
				fprintf(out, "  The newest rows, as stored:\n");
				zp_store_read(rp->store, 0, INT64_MAX, true, sample_limit(rp), sample_text, out);
			}
		}
		fprintf(out, "\n");
	}

	fprintf(out, "2. How long it is kept\n");
	if (!sp->path[0]) {
		fprintf(out, "  Nothing is kept.\n\n");
	} else {
		fprintf(out, "  Rows older than %d days are deleted once a day by the daemon (deleted content is\n"
			"  overwritten in the file, not just unlinked).\n", sp->retention_days);
		if (rp->store && rp->sum.rows) {
			int64_t age_days = (now_s - rp->sum.first_start) / 86400;

			fprintf(out, "  The oldest row is %" PRId64 " days old.%s\n", age_days,
				age_days > sp->retention_days + 1 ?
				" WARNING: older than the retention period - is the daemon running?" : "");
		}
		fprintf(out, "\n");
	}

	fprintf(out, "3. Files the daemon may write\n");
	if (sp->path[0]) {
		fprintf(out, "  %s            the counts\n  %s-wal        recent counts not yet merged into the file\n"
			"  %s-shm        an index of the -wal file (no content of its own)\n"
			"  %s-journal    only for a moment, when the file is first created\n", sp->path, sp->path,
			sp->path, sp->path);
	}
	if (in->health_file && in->health_file[0])
		fprintf(out, "  %s   its health for Prometheus (lights, faults, frames; no counts), replaced\n"
			"  every few seconds ([health] prom_file)\n", in->health_file);
	fprintf(out, "  Nothing else. Log lines go to the system journal (no images, no per-person data).\n"
		"  The camera (%s) and the GPIO chip (%s) are devices: frames are read into memory,\n"
		"  used once and overwritten; the buffers are zeroed when the daemon stops.\n"
		"  `zebrapad calibrate`, run by hand, writes one preview picture where it is told to; it is\n"
		"  not part of the daemon, and the scan below flags it if it is left in the data directory.\n\n",
		in->camera_device && in->camera_device[0] ? in->camera_device : "none configured",
		in->gpio_chip && in->gpio_chip[0] ? in->gpio_chip : "simulated");

	fprintf(out, "4. What leaves the device\n");
	if (in->export_desc) {
		fprintf(out, "  An export is configured: %s\n", in->export_desc);
		if (in->export_detail)
			in->export_detail(in->export_ctx, out, false);
		fprintf(out, "  Nothing else leaves the device.\n\n");
	} else
		fprintf(out, "  Nothing. No export is configured ([export] broker). The daemon\n"
			"  only opens local sockets (to tell systemd it is alive); the sandbox blocks all others.\n"
			"  To see the counts, someone with access to the device reads or copies %s.\n\n",
			sp->path[0] ? sp->path : "the counts file");

	fprintf(out, "5. The sandbox: what the daemon is kept from doing, by the kernel, on this machine\n");
	{
		zp_sandbox_status ex = rp->sb;
		char devs[160];

		/* what `zebrapad run` applies with this config on this kernel (it logs the same lines) */
		ex.nodump = true;
		ex.landlock = ex.landlock_abi > 0;
		ex.landlock_net = ex.landlock_abi >= 4;
		ex.landlock_scoped = ex.landlock_abi >= 6;
		ex.seccomp = ex.seccomp_available;
		ex.network_denied = true;   /* the daemon never has a network: an export is its own process */
		snprintf(devs, sizeof(devs), "%s%s%s", in->camera_device && in->camera_device[0] ? in->camera_device : "",
			 in->camera_device && in->camera_device[0] && in->gpio_chip && in->gpio_chip[0] ? ", " : "",
			 in->gpio_chip && in->gpio_chip[0] ? in->gpio_chip : "");
		zp_strlcpy(ex.write_paths, "files beneath ", sizeof(ex.write_paths));
		strncat(ex.write_paths, rp->data_dir[0] ? rp->data_dir : "(no store: nothing)",
			sizeof(ex.write_paths) - strlen(ex.write_paths) - 1);
		if (devs[0]) {
			strncat(ex.write_paths, "; the devices ", sizeof(ex.write_paths) - strlen(ex.write_paths) - 1);
			strncat(ex.write_paths, devs, sizeof(ex.write_paths) - strlen(ex.write_paths) - 1);
		}
		ex.fds_closed = 0;
		zp_sandbox_describe(&ex, describe_line, out);
	}
	if (rp->daemon.pid) {
		fprintf(out, "  The running daemon (pid %d): seccomp filter %s, no_new_privs %s, core limit 0 %s,"
			" not dumpable %s.\n", rp->daemon.pid,
			rp->daemon.seccomp == 2 ? "active" : rp->daemon.seccomp < 0 ? "unknown" : "NOT active",
			yes_no(rp->daemon.no_new_privs), yes_no(rp->daemon.core_zero), yes_no(rp->daemon.nondumpable));
	} else {
		fprintf(out, "  The daemon is not running now, so what is in force could not be checked.\n");
	}
	fprintf(out, "\n");

	fprintf(out, "6. Scan of the data directory %s\n", rp->data_dir[0] ? rp->data_dir : "(none)");
	if (rp->scan_err[0]) {
		fprintf(out, "  FAIL  cannot scan: %s\n", rp->scan_err);
	} else if (rp->data_dir[0]) {
		for (size_t i = 0; i < rp->nfound; i++) {
			const zp_audit_finding *f = &rp->found[i];
			bool ok = f->kind == ZP_AUDIT_STORE || f->kind == ZP_AUDIT_EMPTY_DIR ||
				  (f->kind == ZP_AUDIT_PREVIEW && in->allow_preview);

			fmt_size(f->size, sz, sizeof(sz));
			fprintf(out, "  %-4s  %s: %s (%s)\n", ok ? "ok" : "FAIL", safe_name(f->path, name, sizeof(name)),
				f->what, sz);
		}
		if (rp->failing)
			fprintf(out, "  Result: FAIL - %d file%s that %s not the counts store. Look at %s and\n"
				"  delete what should not be there.\n", rp->failing, rp->failing == 1 ? "" : "s",
				rp->failing == 1 ? "is" : "are", rp->failing == 1 ? "it" : "them");
		else
			fprintf(out, "  Result: PASS - only the counts store is there.\n");
	}
}

#if ZP_HAVE_JSON
/* The export's own JSON value (export_detail writes it as text): parsed, to sit inside the report. */
static cJSON *export_json(const zp_audit_info *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	cJSON *v = NULL;

	if (mem) {
		in->export_detail(in->export_ctx, mem, true);
		if (fclose(mem) == 0 && text)
			v = cJSON_Parse(text);
	}
	free(text);
	return v;   /* NULL: null */
}

static int json_report(report *rp)
{
	const zp_audit_info *in = rp->info;
	const zp_store_params *sp = in->store;
	cJSON *j = cJSON_CreateObject(), *st, *a, *o;
	int rc;

	zp_json_add_str(j, "site", in->site_name ? in->site_name : "");
	zp_json_add_str(j, "config", in->config_path ? in->config_path : "");
	zp_json_add_int(j, "made_unix", in->now_ms / 1000);
	st = zp_json_add_object(j, "store");
	zp_json_add_str(st, "path", sp->path);
	zp_json_add_int(st, "interval_s", sp->interval_s);
	zp_json_add_int(st, "retention_days", sp->retention_days);
	a = zp_json_add_array(st, "zones");
	for (int i = 0; i < in->nzones; i++)
		zp_json_add_str(a, NULL, in->zones[i]);
	a = zp_json_add_array(st, "columns");
	for (const zp_schema_column *c = zp_schema_columns; c->name; c++) {
		o = zp_json_add_object(a, NULL);
		zp_json_add_str(o, "name", c->name);
		zp_json_add_str(o, "type", c->type);
		zp_json_add_str(o, "meaning", c->meaning);
	}
	zp_json_add_bool(st, "readable", rp->store != NULL);
	if (!rp->store && sp->path[0])
		zp_json_add_str(st, "error", rp->store_err);
	if (rp->store) {
		zp_json_add_int(st, "bytes", rp->store_bytes);
		zp_json_add_int(st, "wal_bytes", rp->wal_bytes > 0 ? rp->wal_bytes : 0);
		zp_json_add_int(st, "schema_version", rp->sum.schema_version);
		zp_json_add_int(st, "rows", rp->sum.rows);
		zp_json_add_int(st, "zone_rows", rp->sum.zone_rows);
		zp_json_add_int(st, "first_start", rp->sum.first_start);
		zp_json_add_int(st, "last_end", rp->sum.last_end);
		zp_json_add_int(st, "entered_total", rp->sum.entered_total);
		a = zp_json_add_array(st, "sample");
		if (a)
			zp_store_read(rp->store, 0, INT64_MAX, true, sample_limit(rp), sample_json, a);
	}
	a = zp_json_add_array(j, "files_written");
	if (sp->path[0]) {
		static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };

		for (size_t i = 0; i < 4; i++) {
			char p[300];

			snprintf(p, sizeof(p), "%s%s", sp->path, sfx[i]);
			zp_json_add_str(a, NULL, p);
		}
	}
	if (in->health_file && in->health_file[0])
		zp_json_add_str(a, NULL, in->health_file);
	zp_json_add_str(j, "leaves_device", in->export_desc ? in->export_desc : "nothing");
	if (in->export_desc && in->export_detail)
		zp_json_add(j, "export", export_json(in));
	o = zp_json_add_object(j, "sandbox");
	zp_json_add_bool(o, "nodump", true);
	zp_json_add_int(o, "landlock_abi", rp->sb.landlock_abi);
	zp_json_add_bool(o, "seccomp_available", rp->sb.seccomp_available);
	if (rp->daemon.pid) {
		cJSON *d = zp_json_add_object(o, "daemon");

		zp_json_add_int(d, "pid", rp->daemon.pid);
		zp_json_add_int(d, "seccomp", rp->daemon.seccomp);
		zp_json_add_int(d, "no_new_privs", rp->daemon.no_new_privs);
		zp_json_add_int(d, "core_zero", rp->daemon.core_zero);
		zp_json_add_int(d, "nondumpable", rp->daemon.nondumpable);
	} else {
		zp_json_add_null(o, "daemon");
	}
	o = zp_json_add_object(j, "scan");
	zp_json_add_str(o, "dir", rp->data_dir);
	if (rp->scan_err[0])
		zp_json_add_str(o, "error", rp->scan_err);
	zp_json_add_int(o, "failing", rp->failing);
	a = zp_json_add_array(o, "files");
	for (size_t i = 0; i < rp->nfound; i++) {
		const zp_audit_finding *f = &rp->found[i];
		cJSON *fo = zp_json_add_object(a, NULL);

		zp_json_add_str(fo, "path", f->path);
		zp_json_add_str(fo, "kind", zp_audit_kind_name(f->kind));
		zp_json_add_str(fo, "what", f->what);
		zp_json_add_int(fo, "bytes", f->size);
	}
	zp_json_add_bool(j, "pass", !rp->failing && !rp->scan_err[0]);
	rc = zp_json_write(rp->out, j, true);
	cJSON_Delete(j);
	return rc;
}
#endif

int zp_audit_report(const zp_audit_info *info, FILE *out, bool json, char *err, size_t errlen)
{
	report *rp;
	char wal[300];
	int rc;

	if (!info || !info->store || !out)
		return zp_seterr(err, errlen, ZP_EINVAL, "audit: nothing to report on");
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return zp_seterr(err, errlen, ZP_ENOMEM, "audit: out of memory");
	rp->info = info;
	rp->out = out;
	zp_sandbox_probe(&rp->sb);
	find_daemon(&rp->daemon, info->config_path, info->store->path);

	if (info->store->path[0]) {
		zp_dirname(rp->data_dir, sizeof(rp->data_dir), info->store->path);
		/* scan before the store is opened: opening may create -shm, which is the store's anyway */
		/* every finding is named: count them, then make room for all (and for what is inside the store) */
		zp_audit_scan_dir_health(rp->data_dir, info->store->path, info->health_file, info->allow_preview, NULL, 0,
					 &rp->nfound, NULL, 0);
		rp->cap = rp->nfound + 64;
		rp->found = calloc(rp->cap, sizeof(*rp->found));
		if (!rp->found) {
			size_t n = rp->nfound;

			free(rp);
			return zp_seterr(err, errlen, ZP_ENOMEM, "audit: out of memory for %zu findings", n);
		}
		rc = zp_audit_scan_dir_health(rp->data_dir, info->store->path, info->health_file, info->allow_preview,
					      rp->found, rp->cap - 32,
				       &rp->nfound, rp->scan_err, sizeof(rp->scan_err));
		if (rp->nfound > rp->cap - 32)
			rp->nfound = rp->cap - 32;   /* files that appeared between the two scans */
		rp->failing = rc > 0 ? rc : 0;
		if (rc < 0)
			rp->failing = 0;
		rp->store_bytes = file_size(info->store->path);
		snprintf(wal, sizeof(wal), "%s-wal", info->store->path);
		rp->wal_bytes = file_size(wal);
		if (rp->store_bytes >= 0) {
			rp->store = zp_store_open(info->store, NULL, 0, ZP_STORE_READ_ONLY, NULL, rp->store_err,
						  sizeof(rp->store_err));
			if (rp->store && zp_store_summarize(rp->store, &rp->sum, rp->store_err, sizeof(rp->store_err))) {
				zp_store_close(rp->store);
				rp->store = NULL;
			}
			if (rp->store) {
				zp_store_check_contents(rp->store, content_finding, rp);
				qsort(rp->found, rp->nfound, sizeof(*rp->found), by_path);
			}
		} else {
			snprintf(rp->store_err, sizeof(rp->store_err), "%s does not exist yet (the daemon creates it)",
				 info->store->path);
		}
	}
	rc = rp->scan_err[0] ? 1 : rp->failing;
	if (!json) {
		text_report(rp);
	} else {
#if ZP_HAVE_JSON
		if (json_report(rp))
			rc = zp_seterr(err, errlen, ZP_ENOMEM, "audit: cannot write the JSON report (out of memory or a "
				       "write error)");
#else
		rc = zp_seterr(err, errlen, ZP_EUNSUPPORTED, "audit: --json is not in this build (no cJSON)");
#endif
	}
	zp_store_close(rp->store);
	free(rp->found);
	free(rp);
	return rc;
}
