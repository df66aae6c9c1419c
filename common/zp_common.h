/* SPDX-License-Identifier: MIT */
/*
 * zp_common.h - what every room of zebrapad shares: the error enum, the frame
 * that flows from capture to detector, small limits and the logger.
 *
 * Rules of the house (see docs/ARCHITECTURE.md):
 *  - functions return 0 (ZP_OK) or a negative zp_err; never errno directly;
 *  - the pure core (models/, detector/, the light controller) never calls a
 *    clock, a device or the logger: time comes in as now_ms;
 *  - no globals.
 */
#ifndef ZP_COMMON_H
#define ZP_COMMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One project-wide error enum, so a caller can decide whether to retry. */
typedef enum zp_err {
	ZP_OK = 0,
	ZP_ENOMEM = -1,     /* allocation failed */
	ZP_EINVAL = -2,     /* invalid argument or input (bad config, bad file) */
	ZP_ENODEV = -3,     /* device or file not there (camera unplugged, no such file) */
	ZP_ETIMEDOUT = -4,  /* nothing arrived in time */
	ZP_EIO = -5,        /* I/O error; retrying may help */
	ZP_EACCES = -6,     /* permission denied (not in group video/gpio) */
	ZP_EFORMAT = -7,    /* format not offered / not decodable */
	ZP_EBUSY = -8,      /* resource in use (GPIO line taken) */
	ZP_EOF = -9,        /* end of a recorded source */
	ZP_EAGAIN = -10,    /* try again (interrupted, no frame yet) */
	ZP_EUNSUPPORTED = -11, /* not built in or not available on this system */
} zp_err;

/*
 * A program's exit status, the same in every command (the README's "Exit
 * codes"): 0 ok, 1 a runtime failure, 2 bad input (usage, config, source).
 */
enum { ZP_EXIT_OK = 0, ZP_EXIT_FAIL = 1, ZP_EXIT_USAGE = 2 };

/* A short English text for an error code; never NULL. */
const char *zp_strerror(int err);

/* Map an errno value to a zp_err (ENODEV/ENOENT/ENXIO->ENODEV, EACCES/EPERM->EACCES, ...). */
int zp_err_from_errno(int errnum);

/* Limits that fix the size of results, so no allocation happens per frame. */
#define ZP_MAX_ZONES 16
#define ZP_MAX_POLY 32      /* points in one zone polygon */
#define ZP_MAX_TRACKS 64
#define ZP_MAX_BLOBS 256
#define ZP_MAX_EVENTS 128
#define ZP_NAME_MAX 32      /* zone names, including the NUL */

/*
 * A frame as it leaves capture. The pixels belong to the source and stay
 * valid until the next call to zp_source_next() or zp_source_free(); they are
 * reused in place and never copied out of capture -> detector.
 *
 * luma: width x height 8-bit luma, rows `stride` bytes apart (stride >= width).
 * bgr:  optional packed 8-bit B,G,R (NULL when the source has no colour),
 *       rows `bgr_stride` bytes apart.
 */
typedef struct zp_frame {
	const uint8_t *luma;
	int stride;
	const uint8_t *bgr;
	int bgr_stride;
	int width;
	int height;
	int64_t t_ms;   /* capture time, monotonic milliseconds (replay: derived from fps) */
	uint64_t seq;   /* 1, 2, 3 ... in source order */
} zp_frame;

/* Integer rectangle in input pixels. */
typedef struct zp_rect {
	int x, y, w, h;
} zp_rect;

/*
 * Logging, for the rooms that do I/O (capture, gpio, privacy, app) - never
 * the pure core. Lines go to stderr as "<N>zebrapad: ..." where N is the
 * syslog level, which journald reads as the priority.
 */
enum { ZP_LOG_ERR = 3, ZP_LOG_WARNING = 4, ZP_LOG_NOTICE = 5, ZP_LOG_INFO = 6, ZP_LOG_DEBUG = 7 };
void zp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The one rate limiter of zebrapad's messages. A window opens with the first
 * message and lasts interval_ms; up to `burst` messages of a window are
 * logged, the others counted, and the count is handed to the first message
 * of the next window, which says it. Owned by the caller; zero-initialise it
 * (memset to 0 starts afresh: a new kind of fault).
 */
typedef struct zp_ratelimit {
	int64_t last_ms;      /* the window's start */
	uint64_t suppressed;  /* counted, not logged, since the last message that said so */
	int used;             /* messages logged in this window */
	bool primed;
} zp_ratelimit;
/* true when the caller should log now; *suppressed_out gets the count skipped before it (0 within a burst). */
bool zp_ratelimit_burst(zp_ratelimit *rl, int64_t now_ms, int64_t interval_ms, int burst, uint64_t *suppressed_out);
/* One message a window: zp_ratelimit_burst(rl, now_ms, interval_ms, 1, suppressed_out). */
bool zp_ratelimit_ok(zp_ratelimit *rl, int64_t now_ms, int64_t interval_ms, uint64_t *suppressed_out);

/*
 * A fault that repeats (a camera missing for a week, a failing store): the
 * message the first time, then at most once every interval_ms, saying how
 * many were not: "MSG (N more since the last message)".
 */
void zp_log_limited(zp_ratelimit *rl, int64_t now_ms, int64_t interval_ms, int level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * The one UTC formatter: unix_s as "2024-01-01 12:00:00 UTC" (with_seconds)
 * or "2024-01-01 12:00 UTC", always NUL-terminated; the plain number when
 * the time cannot be represented. Returns buf.
 */
char *zp_fmt_utc(int64_t unix_s, bool with_seconds, char *buf, size_t n);
/* A number for a table: v with that many decimals, or "-" when it is not finite (undefined). Returns buf. */
char *zp_fmt_num(char *buf, size_t n, double v, int decimals);

/* Monotonic clock in milliseconds, for the I/O rooms and app/ only. */
int64_t zp_now_ms(void);
/* Wall clock (CLOCK_REALTIME) in Unix milliseconds, for the I/O rooms and app/ only: it can step. */
int64_t zp_wall_ms(void);

/*
 * The signals that ask a command to stop (SIGINT, SIGTERM) into *set and
 * blocked in the calling thread, so that they are read when it suits the
 * command (a signalfd, sigtimedwait) instead of ending it half-way. 0, or a
 * negative zp_err from errno.
 */
int zp_block_stop_signals(sigset_t *set);

/*
 * A well-mixed 32-bit hash (lowbias32): deterministic "random" values, e.g.
 * the sensor noise of `eval --noise` and the tests' scenes.
 */
static inline uint32_t zp_hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* Copy a string into a fixed buffer, always NUL-terminated; returns the length copied. */
size_t zp_strlcpy(char *dst, const char *src, size_t size);

/*
 * dst = the folder that holds path, trailing slashes of path ignored ("."
 * when there is no slash, "/" at the top); always NUL-terminated.
 */
void zp_dirname(char *dst, size_t size, const char *path);

/*
 * Text for JSON, logs and reports as valid UTF-8: s copied into out (outlen
 * bytes, NUL-terminated when outlen > 0), each byte that does not start a
 * well-formed sequence (stray continuation, overlong form, surrogate, above
 * U+10FFFF, cut short) replaced by U+FFFD. Never splits a sequence when out
 * is too small. Returns the length the whole result needs, without the NUL
 * (as snprintf does); *bad, when not NULL, gets the number of bytes replaced.
 */
size_t zp_utf8_valid(const char *s, char *out, size_t outlen, size_t *bad);
/* Length of the well-formed UTF-8 sequence at s (1-4), or 0 when the bytes there are not one. */
size_t zp_utf8_seq(const char *s);
/* The same into malloc'ed memory (NULL s gives ""); NULL when out of memory. */
char *zp_utf8_dup(const char *s);

/*
 * Room for need elements of each bytes in buf, an array with room for
 * *cap: buf itself when it has it, else buf realloc'ed to twice *cap (first
 * when *cap is 0; first > 0), doubled again until need fits, and *cap
 * updated. NULL when out of memory (buf and *cap unchanged).
 */
void *zp_grow(void *buf, size_t *cap, size_t need, size_t each, size_t first);

/* printf into err/errlen when err is not NULL; returns `code` so callers can `return zp_seterr(...)`. */
int zp_seterr(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Strict value parsers for config setters: the whole string must be the
 * value (surrounding blanks allowed), in [min, max]. Return 0 or ZP_EINVAL
 * with "expected an integer from MIN to MAX, got 'TEXT'" (and so on) in err.
 */
int zp_parse_int(const char *text, long min, long max, int *out, char *err, size_t errlen);
int zp_parse_double(const char *text, double min, double max, double *out, char *err, size_t errlen);
/* true/false, yes/no, on/off, 1/0 */
int zp_parse_bool(const char *text, bool *out, char *err, size_t errlen);

/*
 * The one field table for a config section's keys: each key is the name of
 * a field of the section's params struct, with its type, range and default.
 * The setters look the key up, parse the value strictly (the zp_parse_*
 * messages above) and store it in place; keys that need more than a range
 * (a path's form, a topic level) give a check function, and keys that are
 * not a plain field (an enum word, "auto") stay code in front of the
 * table. The macros check the field's type (and that a text default fits)
 * at compile time.
 */
typedef enum { ZP_FIELD_INT, ZP_FIELD_DOUBLE, ZP_FIELD_BOOL, ZP_FIELD_TEXT } zp_field_type;

typedef struct zp_field {
	const char *key;
	zp_field_type type;
	size_t off;
	size_t size;       /* TEXT: the buffer, NUL included */
	double min, max;   /* INT, DOUBLE: the range; TEXT: min 1 refuses an empty value */
	/* TEXT, optional: 0, or ZP_EINVAL with what is expected in err */
	int (*check)(const char *value, char *err, size_t errlen);
	double def;           /* INT, DOUBLE, BOOL: the default */
	const char *def_text; /* TEXT: the default */
} zp_field;

#define ZP_FIELD_OF_(T, name, ptr_type) (offsetof(T, name) + 0 * sizeof((ptr_type){ &((T *)0)->name }))
#define ZP_TEXT_FITS_(T, name, def) (0 * sizeof(char[sizeof(def) <= sizeof(((T *)0)->name) ? 1 : -1]))
#define ZP_INT_FIELD(T, name, lo, hi, def) \
	{ #name, ZP_FIELD_INT, ZP_FIELD_OF_(T, name, int *), sizeof(int), lo, hi, NULL, def, NULL }
#define ZP_DOUBLE_FIELD(T, name, lo, hi, def) \
	{ #name, ZP_FIELD_DOUBLE, ZP_FIELD_OF_(T, name, double *), sizeof(double), lo, hi, NULL, def, NULL }
#define ZP_BOOL_FIELD(T, name, def) \
	{ #name, ZP_FIELD_BOOL, ZP_FIELD_OF_(T, name, bool *), sizeof(bool), 0, 1, NULL, (def) ? 1 : 0, NULL }
/* def: a string literal that fits the buffer */
#define ZP_TEXT_FIELD(T, name, nonempty, check, def) \
	{ #name, ZP_FIELD_TEXT, ZP_FIELD_OF_(T, name, char(*)[sizeof(((T *)0)->name)]) + ZP_TEXT_FITS_(T, name, def), \
	  sizeof(((T *)0)->name), (nonempty) ? 1 : 0, 0, check, 0, def }
#define ZP_FIELDS_N(table) (sizeof(table) / sizeof((table)[0]))

/* Zero obj (size bytes), then write every field's default: what is not a key starts at 0. */
void zp_fields_default(const zp_field *table, size_t n, void *obj, size_t size);
/* The field named key, or NULL. */
const zp_field *zp_field_find(const zp_field *table, size_t n, const char *key);
/* Parse value into obj's field: ZP_OK, or ZP_EINVAL with what is expected in err (obj unchanged). */
int zp_field_set(const zp_field *f, void *obj, const char *value, char *err, size_t errlen);
/* zp_field_find + zp_field_set; ZP_ENODEV "unknown key 'KEY'" when the table has no such key. */
int zp_fields_set(const zp_field *table, size_t n, void *obj, const char *key, const char *value, char *err,
		  size_t errlen);
/* Range check of the INT and DOUBLE fields of obj (set in code, not parsed): ZP_OK or ZP_EINVAL "KEY: expected ..." */
int zp_fields_check(const zp_field *table, size_t n, const void *obj, char *err, size_t errlen);
/* The keys, "a, b, c", for a message that lists what is expected; returns buf. */
char *zp_fields_list(const zp_field *table, size_t n, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
