/* SPDX-License-Identifier: MIT */
/*
 * config.c - the site's INI file into one zp_config, through libinih.
 *
 * libinih splits lines into [section] and key = value, strips comments and
 * blanks, and calls our handler once per key. Two things it does not do
 * well enough for a safety device, so a reader of ours stands in front of it
 * (ini_parse_stream) and sees every raw line first:
 *
 *  - it calls the handler for keys only, so a misspelt section with no keys
 *    under it would pass unnoticed: the reader checks every [section] line;
 *  - a line longer than its buffer (200 bytes) is silently cut in two: the
 *    reader rejects it with a message, and a long polygon may continue on
 *    indented lines (inih's multi-line values; allowed for polygon only).
 *    The reader removes the indentation of every other kind of line, so an
 *    indented `key = value` is a key, never a continuation.
 *
 * The reader also counts lines, so the handler knows its line number. On the
 * first error both stop; the message is "NAME:LINE: ..." on one line. inih
 * returns the line of its own first syntax error; whichever error came first
 * is reported.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#define ZP_CONFIG_MAX_BYTES (1 << 20)   /* a site file is a few kB; refuse anything absurd */
#define ZP_POLY_TEXT_MAX 2048           /* a polygon over several lines, joined */
#define ZP_SEEN_MAX 160                 /* distinct keys in one file: every known key fits */

enum section_kind {
	SEC_NONE = 0,   /* before the first [section] */
	SEC_DETECTOR,
	SEC_LIGHTS,
	SEC_GPIO,
	SEC_CAMERA,
	SEC_STORE,
	SEC_SITE,
	SEC_GROUND,
	SEC_ZONE,
	SEC_EXPORT,
	SEC_HEALTH,
};

static const struct {
	const char *name;
	enum section_kind kind;
} section_names[] = {
	{ "detector", SEC_DETECTOR }, { "lights", SEC_LIGHTS }, { "gpio", SEC_GPIO }, { "camera", SEC_CAMERA },
	{ "store", SEC_STORE },       { "site", SEC_SITE },     { "ground", SEC_GROUND },
	{ "export", SEC_EXPORT },     { "health", SEC_HEALTH },
};

/* What the parser remembers about a zone beyond zp_zone. */
struct zone_src {
	int line;               /* of the [zone NAME] header */
	int poly_line;          /* of `polygon =`, 0 when not seen */
	int role_line;
	int sides_line;         /* of `sides =`, 0 when not seen */
	char sides_text[2 * ZP_NAME_MAX + 8];
	char poly_text[ZP_POLY_TEXT_MAX];
};

struct seen_key {
	enum section_kind sec;
	int zone;
	int line;
	char key[64];
};

struct parse_ctx {
	zp_config *c;
	const char *text;       /* the whole file, NUL-terminated */
	size_t pos;             /* reader position in text */
	int lineno;             /* line the reader last handed out (1-based) */
	bool cont;              /* that line is an indented continuation */
	enum section_kind sec;
	int zone;               /* index of the current zone when sec == SEC_ZONE */
	int pending_poly;       /* zone whose polygon text may still continue, -1 none */
	bool failed;
	int err_line;           /* line of the stored error, 0 for whole-file checks */
	int err_code;
	char err[512];
	int nseen;
	struct seen_key seen[ZP_SEEN_MAX];
	int ground_line[ZP_MAX_GROUND_PAIRS];
	struct zone_src zsrc[ZP_MAX_ZONES];
};

/* Control characters in user text would break the "one line" promise; show them as '?'. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Store the first error, at `line` (0: no line, a check across the file). Returns 0 for inih. */
__attribute__((format(printf, 4, 5)))
static int fail(struct parse_ctx *x, int code, int line, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return 0;
	x->failed = true;
	x->err_line = line;
	x->err_code = code;
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	one_line(x->err);
	return 0;
}

/* "[detector]" or "[zone NAME]" for messages. */
static const char *section_label(const struct parse_ctx *x, char *buf, size_t len)
{
	if (x->sec == SEC_ZONE) {
		snprintf(buf, len, "[zone %s]", x->c->zones[x->zone].name);
		return buf;
	}
	for (size_t i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (section_names[i].kind == x->sec) {
			snprintf(buf, len, "[%s]", section_names[i].name);
			return buf;
		}
	return "[]";
}

/* ---- zones ---- */

static bool zone_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '.';
}

/* A [zone NAME] header: check the name, add the zone. */
static int begin_zone(struct parse_ctx *x, const char *name)
{
	zp_config *c = x->c;
	size_t n = strlen(name);
	zp_zone *z;

	if (n == 0)
		return fail(x, ZP_EINVAL, x->lineno, "[zone] zone name is empty (expected [zone NAME])");
	if (n >= ZP_NAME_MAX)
		return fail(x, ZP_EINVAL, x->lineno, "[zone %s] zone name too long (at most %d characters)", name,
			    ZP_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!zone_name_char(name[i]))
			return fail(x, ZP_EINVAL, x->lineno,
				    "[zone %s] zone name has a bad character '%c' (expected letters, digits, '-', '_' or '.')",
				    name, name[i]);
	for (int i = 0; i < c->nzones; i++)
		if (!strcmp(c->zones[i].name, name))
			return fail(x, ZP_EINVAL, x->lineno, "[zone %s] duplicate zone name (first on line %d)", name,
				    x->zsrc[i].line);
	if (c->nzones == ZP_MAX_ZONES)
		return fail(x, ZP_EINVAL, x->lineno, "[zone %s] too many zones (max %d)", name, ZP_MAX_ZONES);
	z = &c->zones[c->nzones];
	memset(z, 0, sizeof(*z));
	zp_strlcpy(z->name, name, sizeof(z->name));
	z->role = ZP_ROLE_CROSSING;
	z->side[0] = z->side[1] = -1;
	memset(&x->zsrc[c->nzones], 0, sizeof(x->zsrc[0]));
	x->zsrc[c->nzones].line = x->lineno;
	x->zone = c->nzones++;
	x->sec = SEC_ZONE;
	return 1;
}

/* The polygon of zone zi is complete (the next key, section or the end came): parse and check it. */
static int finish_polygon(struct parse_ctx *x, int zi)
{
	zp_zone *z = &x->c->zones[zi];
	struct zone_src *zs = &x->zsrc[zi];
	char msg[256];
	double area;

	x->pending_poly = -1;
	if (zp_polygon_parse(zs->poly_text, &z->poly, msg, sizeof(msg)))
		return fail(x, ZP_EINVAL, zs->poly_line, "[zone %s] polygon: %s", z->name, msg);
	for (int i = 0; i < z->poly.n; i++)
		for (int j = i + 1; j < z->poly.n; j++)
			if (z->poly.p[i].x == z->poly.p[j].x && z->poly.p[i].y == z->poly.p[j].y)
				return fail(x, ZP_EINVAL, zs->poly_line,
					    "[zone %s] polygon: point %d repeats point %d (%g,%g)", z->name, j + 1, i + 1,
					    z->poly.p[i].x, z->poly.p[i].y);
	if (zp_polygon_self_intersects(&z->poly))
		return fail(x, ZP_EINVAL, zs->poly_line, "[zone %s] polygon: self-intersecting polygon", z->name);
	area = fabs(zp_polygon_area(&z->poly));
	if (area < 1.0)
		return fail(x, ZP_EINVAL, zs->poly_line,
			    "[zone %s] polygon: encloses %g square pixels (expected at least 1)", z->name, area);
	return 1;
}

/* ---- the reader in front of inih ---- */

/* inih's own rule: the first of `chars`, or an inline ';' after a blank, or the end. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

/* A [section] line (s points at '['); the current section changes here. */
static int section_line(struct parse_ctx *x, const char *s)
{
	const char *end = find_chars_or_comment(s + 1, "]");
	char name[256];
	size_t n;

	if (*end != ']')
		return 1; /* inih reports the syntax error */
	s = s + 1;
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - s);
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (!strcmp(name, section_names[i].name)) {
			x->sec = section_names[i].kind;
			return 1;
		}
	if (!strncmp(name, "zone", 4) && (name[4] == '\0' || isspace((unsigned char)name[4]))) {
		const char *zn = name + 4;

		while (isspace((unsigned char)*zn))
			zn++;
		return begin_zone(x, zn);
	}
	return fail(x, ZP_EINVAL, x->lineno,
		    "unknown section [%s] (expected detector, lights, gpio, camera, store, site, ground, export, health or 'zone NAME')",
		    name);
}

/*
 * inih's fgets: hand out the next line of x->text. Indentation is removed
 * except on a continuation line (indented, not a comment, no '=' or ':'),
 * which inih then joins to the key above it.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *x = stream;
	const char *line = x->text + x->pos, *nl;
	size_t len, indent;
	int max = num - 3; /* inih: room for '\r', '\n' and the NUL */
	char *s;

	if (x->failed || *line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	len = nl ? (size_t)(nl - line) : strlen(line);
	x->pos += len + (nl ? 1 : 0);
	x->lineno++;
	if (x->lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3; /* UTF-8 byte order mark */
		len -= 3;
	}
	if (max < 1 || len > (size_t)max) {
		fail(x, ZP_EINVAL, x->lineno,
		     "line too long (at most %d characters; continue a long polygon on indented lines)", max);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\0';
	for (s = str; isspace((unsigned char)*s); s++)
		;
	indent = (size_t)(s - str);
	x->cont = false;
	if (*s == '\0' || *s == ';' || *s == '#') {
		/* blank or comment: a polygon may still continue after it, as in inih */
	} else if (*s == '[') {
		if (x->pending_poly >= 0 && !finish_polygon(x, x->pending_poly))
			return NULL;
		if (!section_line(x, s))
			return NULL;
	} else {
		const char *sep = find_chars_or_comment(s, "=:");

		x->cont = indent > 0 && *sep != '=' && *sep != ':';
		if (x->cont) {
			/* older inih (r55) keeps an inline comment on a continuation line: cut it here */
			char *cut = (char *)find_chars_or_comment(s, "");

			while (cut > s && isspace((unsigned char)cut[-1]))
				cut--;
			*cut = '\0';
			len = (size_t)(cut - str);
		}
		if (!x->cont && x->pending_poly >= 0 && !finish_polygon(x, x->pending_poly))
			return NULL;
	}
	if (!x->cont && indent > 0) {
		memmove(str, s, len - indent + 1);
		len -= indent;
	}
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* ---- the handler ---- */

/* Remember (section, key) at this line; 1, or 0 with an error when the key was set before. */
static int note_key(struct parse_ctx *x, const char *key)
{
	char label[64];
	int zone = x->sec == SEC_ZONE ? x->zone : -1;

	for (int i = 0; i < x->nseen; i++) {
		const struct seen_key *k = &x->seen[i];

		if (k->sec == x->sec && k->zone == zone && !strcmp(k->key, key))
			return fail(x, ZP_EINVAL, x->lineno, "%s duplicate key '%s' (first set on line %d)",
				    section_label(x, label, sizeof(label)), key, k->line);
	}
	if (x->nseen == ZP_SEEN_MAX || strlen(key) >= sizeof(x->seen[0].key))
		return fail(x, ZP_EINVAL, x->lineno, "%s too many keys", section_label(x, label, sizeof(label)));
	x->seen[x->nseen].sec = x->sec;
	x->seen[x->nseen].zone = zone;
	x->seen[x->nseen].line = x->lineno;
	zp_strlcpy(x->seen[x->nseen].key, key, sizeof(x->seen[0].key));
	x->nseen++;
	return 1;
}

/* Outcome of a setter: 0 -> note the key; ZP_ENODEV -> unknown key; else the setter's message. */
static int setter_result(struct parse_ctx *x, int rc, const char *key, const char *msg)
{
	char label[64];

	section_label(x, label, sizeof(label));
	if (rc == ZP_OK)
		return note_key(x, key);
	if (rc == ZP_ENODEV)
		return fail(x, ZP_EINVAL, x->lineno, "%s unknown key '%s'", label, key);
	return fail(x, ZP_EINVAL, x->lineno, "%s %s: %s", label, key, msg);
}

static int zone_key(struct parse_ctx *x, const char *key, const char *value)
{
	zp_zone *z = &x->c->zones[x->zone];
	struct zone_src *zs = &x->zsrc[x->zone];

	if (!strcmp(key, "polygon")) {
		if (!note_key(x, key))
			return 0;
		zp_strlcpy(zs->poly_text, value, sizeof(zs->poly_text));
		zs->poly_line = x->lineno;
		x->pending_poly = x->zone;
		return 1;
	}
	if (!strcmp(key, "role")) {
		if (!strcmp(value, "crossing"))
			z->role = ZP_ROLE_CROSSING;
		else if (!strcmp(value, "waiting"))
			z->role = ZP_ROLE_WAITING;
		else
			return fail(x, ZP_EINVAL, x->lineno, "[zone %s] role: expected crossing or waiting, got '%s'",
				    z->name, value);
		zs->role_line = x->lineno;
		return note_key(x, key);
	}
	if (!strcmp(key, "sides")) {
		if (!note_key(x, key))
			return 0;
		if (strlen(value) >= sizeof(zs->sides_text))
			return fail(x, ZP_EINVAL, x->lineno, "[zone %s] sides: expected two zone names as A, B", z->name);
		zp_strlcpy(zs->sides_text, value, sizeof(zs->sides_text));
		zs->sides_line = x->lineno;
		return 1;
	}
	return fail(x, ZP_EINVAL, x->lineno, "[zone %s] unknown key '%s' (expected polygon, role or sides)", z->name,
		    key);
}

/* Index of the zone called name (first n chars), or -1. */
static int zone_index(const zp_config *c, const char *name, size_t n)
{
	for (int i = 0; i < c->nzones; i++)
		if (strlen(c->zones[i].name) == n && !strncmp(c->zones[i].name, name, n))
			return i;
	return -1;
}

/*
 * The kerbs of each crossing zone: `sides = A, B` (two waiting zones), or,
 * without it, the two waiting zones of the config in their order when there
 * are exactly two. Otherwise the crossing has no sides: no crossings are
 * counted there.
 */
static int resolve_sides(struct parse_ctx *x)
{
	zp_config *c = x->c;
	int waiting[2], nwait = 0;

	for (int i = 0; i < c->nzones; i++)
		if (c->zones[i].role == ZP_ROLE_WAITING && nwait++ < 2)
			waiting[nwait - 1] = i;
	for (int i = 0; i < c->nzones; i++) {
		zp_zone *z = &c->zones[i];
		const struct zone_src *zs = &x->zsrc[i];

		z->side[0] = z->side[1] = -1;
		if (zs->sides_line && z->role != ZP_ROLE_CROSSING)
			return fail(x, ZP_EINVAL, zs->sides_line, "[zone %s] sides: only a crossing zone has sides",
				    z->name);
		if (z->role != ZP_ROLE_CROSSING)
			continue;
		if (!zs->sides_line) {
			if (nwait == 2) {
				z->side[0] = waiting[0];
				z->side[1] = waiting[1];
			}
			continue;
		}
		for (int k = 0, pos = 0; k < 2; k++) {
			const char *t = zs->sides_text + pos;
			size_t n;

			while (*t == ' ' || *t == '\t')
				t++;
			n = strcspn(t, ", \t");
			z->side[k] = n ? zone_index(c, t, n) : -1;
			if (z->side[k] < 0 || c->zones[z->side[k]].role != ZP_ROLE_WAITING)
				return fail(x, ZP_EINVAL, zs->sides_line,
					    "[zone %s] sides: expected two waiting zones as A, B, got '%s'", z->name,
					    zs->sides_text);
			t += n;
			while (*t == ' ' || *t == '\t')
				t++;
			if (k == 0 && *t++ != ',')
				return fail(x, ZP_EINVAL, zs->sides_line,
					    "[zone %s] sides: expected two waiting zones as A, B, got '%s'", z->name,
					    zs->sides_text);
			if (k == 1 && *t)
				return fail(x, ZP_EINVAL, zs->sides_line,
					    "[zone %s] sides: expected two waiting zones as A, B, got '%s'", z->name,
					    zs->sides_text);
			pos = (int)(t - zs->sides_text);
		}
		if (z->side[0] == z->side[1])
			return fail(x, ZP_EINVAL, zs->sides_line, "[zone %s] sides: expected two different zones, got '%s'",
				    z->name, zs->sides_text);
	}
	return 1;
}

/* An indented line after `key =`: more points for a polygon, an error for anything else. */
static int continuation(struct parse_ctx *x, const char *key, const char *value)
{
	char label[64];
	struct zone_src *zs;
	size_t have;

	section_label(x, label, sizeof(label));
	if (x->sec != SEC_ZONE || strcmp(key, "polygon") || x->pending_poly != x->zone)
		return fail(x, ZP_EINVAL, x->lineno,
			    "%s indented line continues '%s'; only polygon may go on over several lines "
			    "(remove the indentation, or write key = value)", label, key);
	zs = &x->zsrc[x->zone];
	have = strlen(zs->poly_text);
	if (have + 1 + strlen(value) >= sizeof(zs->poly_text))
		return fail(x, ZP_EINVAL, zs->poly_line, "%s polygon: too long (at most %d characters)", label,
			    ZP_POLY_TEXT_MAX - 1);
	zs->poly_text[have] = ' ';
	zp_strlcpy(zs->poly_text + have + 1, value, sizeof(zs->poly_text) - have - 1);
	return 1;
}

/* "x,y" (blanks around the comma allowed) at *s; plain decimals only. Advances *s past it. */
static bool parse_xy(const char **s, double *xo, double *yo)
{
	double v[2];
	const char *p = *s;

	for (int i = 0; i < 2; i++) {
		char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (i == 1) {
			if (*p++ != ',')
				return false;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (!(isdigit((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.'))
			return false;
		errno = 0;
		v[i] = strtod(p, &end);
		if (end == p || errno == ERANGE || !isfinite(v[i]) || fabs(v[i]) > 100000)
			return false;
		for (const char *q = p; q < end; q++)
			if (!(isdigit((unsigned char)*q) || strchr("+-.eE", *q)))
				return false; /* hex, inf, nan */
		p = end;
	}
	*xo = v[0];
	*yo = v[1];
	*s = p;
	return true;
}

/* [ground] point = px,py mx,my */
static int ground_point(struct parse_ctx *x, const char *value)
{
	zp_config *c = x->c;
	const char *s = value;
	double px, py, mx, my;

	if (!parse_xy(&s, &px, &py) || (*s != ' ' && *s != '\t') || !parse_xy(&s, &mx, &my) ||
	    s[strspn(s, " \t")] != '\0')
		return fail(x, ZP_EINVAL, x->lineno,
			    "[ground] point: expected 'px,py mx,my' (image pixels, then metres; -100000 to 100000), "
			    "got '%s'", value);
	if (c->nground == ZP_MAX_GROUND_PAIRS)
		return fail(x, ZP_EINVAL, x->lineno, "[ground] point: too many points (max %d)", ZP_MAX_GROUND_PAIRS);
	for (int i = 0; i < c->nground; i++)
		if (c->ground_img[i].x == px && c->ground_img[i].y == py)
			return fail(x, ZP_EINVAL, x->lineno, "[ground] point: image point %g,%g repeats line %d", px, py,
				    x->ground_line[i]);
	c->ground_img[c->nground] = (zp_pt){ px, py };
	c->ground_world[c->nground] = (zp_pt){ mx, my };
	x->ground_line[c->nground++] = x->lineno;
	return 1;
}

static const zp_field site_fields[] = {
	ZP_TEXT_FIELD(zp_site_params, name, false, NULL, ""),
	ZP_DOUBLE_FIELD(zp_site_params, crossing_length_m, 0, 100, 0),
	ZP_DOUBLE_FIELD(zp_site_params, walking_speed_mps, 0.1, 3, 1.07),
};

static int site_key(struct parse_ctx *x, const char *key, const char *value, char *msg, size_t msglen)
{
	const zp_field *f = zp_field_find(site_fields, ZP_FIELDS_N(site_fields), key);
	char keys[100];

	if (!f)
		return fail(x, ZP_EINVAL, x->lineno, "[site] unknown key '%s' (expected %s)", key,
			    zp_fields_list(site_fields, ZP_FIELDS_N(site_fields), keys, sizeof(keys)));
	return setter_result(x, zp_field_set(f, &x->c->site, value, msg, msglen), key, msg);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *x = user;
	zp_config *c = x->c;
	char msg[256] = "";
	int rc = ZP_ENODEV;

	(void)section; /* the reader tracks the section (inih truncates long names) */
	if (x->failed)
		return 0;
	if (x->cont)
		return continuation(x, key, value);
	if (key[0] == '\0')
		return fail(x, ZP_EINVAL, x->lineno, "missing key name before '=' (expected key = value)");
	switch (x->sec) {
	case SEC_NONE:
		return fail(x, ZP_EINVAL, x->lineno, "key '%s' before any [section] (expected a [section] line above it)",
			    key);
	case SEC_SITE:
		return site_key(x, key, value, msg, sizeof(msg));
	case SEC_GROUND:
		if (strcmp(key, "point"))
			return fail(x, ZP_EINVAL, x->lineno, "[ground] unknown key '%s' (expected point = px,py mx,my)", key);
		return ground_point(x, value);
	case SEC_ZONE:
		return zone_key(x, key, value);
	/* the sections whose module sets its own keys */
	case SEC_DETECTOR: rc = zp_detector_params_set(&c->detector, key, value, msg, sizeof(msg)); break;
	case SEC_LIGHTS: rc = zp_lights_params_set(&c->lights, key, value, msg, sizeof(msg)); break;
	case SEC_GPIO: rc = zp_gpio_params_set(&c->gpio, key, value, msg, sizeof(msg)); break;
	case SEC_CAMERA: rc = zp_camera_params_set(&c->camera, key, value, msg, sizeof(msg)); break;
	case SEC_STORE: rc = zp_store_params_set(&c->store, key, value, msg, sizeof(msg)); break;
	case SEC_EXPORT: rc = zp_export_params_set(&c->exp, key, value, msg, sizeof(msg)); break;
	case SEC_HEALTH: rc = zp_health_params_set(&c->health, key, value, msg, sizeof(msg)); break;
	}
	return setter_result(x, rc, key, msg);
}

/* ---- checks across the file, after the last line ---- */

static int check_lines_distinct(struct parse_ctx *x)
{
	const zp_gpio_params *g = &x->c->gpio;
	const struct {
		const char *key;
		int line;
	} l[] = { { "line", g->line }, { "heartbeat_line", g->heartbeat_line }, { "button_line", g->button_line } };

	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (l[i].line >= 0 && l[i].line == l[j].line)
				return fail(x, ZP_EINVAL, 0, "[gpio] %s and %s are the same line (%d)", l[i].key, l[j].key,
					    l[i].line);
	return 1;
}

static int check_all(struct parse_ctx *x)
{
	zp_config *c = x->c;
	char msg[256];

	for (int i = 0; i < c->nzones; i++) {
		if (!x->zsrc[i].poly_line)
			return fail(x, ZP_EINVAL, 0, "zone %s: missing key 'polygon'", c->zones[i].name);
		if (!x->zsrc[i].role_line)
			return fail(x, ZP_EINVAL, 0, "zone %s: missing key 'role' (crossing or waiting)", c->zones[i].name);
	}
	if (!resolve_sides(x))
		return 0;
	if (c->nground > 0 && c->nground < 4)
		return fail(x, ZP_EINVAL, 0, "[ground] needs at least 4 point lines, got %d", c->nground);
	if (zp_detector_params_check(&c->detector, msg, sizeof(msg)))
		return fail(x, ZP_EINVAL, 0, "[detector] %s", msg);
	if (zp_lights_params_check(&c->lights, msg, sizeof(msg)))
		return fail(x, ZP_EINVAL, 0, "[lights] %s", msg);
	if (c->camera.retry_min_ms > c->camera.retry_max_ms)
		return fail(x, ZP_EINVAL, 0, "[camera] retry_min_ms (%d) must not exceed retry_max_ms (%d)",
			    c->camera.retry_min_ms, c->camera.retry_max_ms);
	if (zp_export_params_check(&c->exp, msg, sizeof(msg)))
		return fail(x, ZP_EINVAL, 0, "%s", msg);
	return check_lines_distinct(x);
}

/* ---- public ---- */

void zp_config_default(zp_config *c)
{
	memset(c, 0, sizeof(*c));
	zp_fields_default(site_fields, ZP_FIELDS_N(site_fields), &c->site, sizeof(c->site));
	zp_detector_params_default(&c->detector);
	zp_lights_params_default(&c->lights);
	zp_gpio_params_default(&c->gpio);
	zp_camera_params_default(&c->camera);
	zp_store_params_default(&c->store);
	zp_export_params_default(&c->exp);
	zp_health_params_default(&c->health);
	c->nzones = 0;
	c->nground = 0;
}

int zp_config_load_string(const char *text, const char *name, zp_config *c, char *err, size_t errlen)
{
	struct parse_ctx *x;
	int line, rc;

	if (!name)
		name = "(config)";
	zp_config_default(c);
	zp_strlcpy(c->path, name, sizeof(c->path));
	x = calloc(1, sizeof(*x));
	if (!x)
		return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", name);
	x->c = c;
	x->text = text;
	x->pending_poly = -1;
	line = ini_parse_stream(reader, x, handler, x);
	if (!x->failed && x->pending_poly >= 0)
		finish_polygon(x, x->pending_poly);
	if (line < 0) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", name);
	} else if (line > 0 && (!x->failed || x->err_line == 0 || line < x->err_line)) {
		/* inih's own syntax error came first */
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s:%d: syntax error (expected key = value or [section])", name,
			       line);
	} else {
		if (!x->failed)
			check_all(x);
		if (!x->failed)
			rc = ZP_OK;
		else if (x->err_line > 0)
			rc = zp_seterr(err, errlen, x->err_code, "%s:%d: %s", name, x->err_line, x->err);
		else
			rc = zp_seterr(err, errlen, x->err_code, "%s: %s", name, x->err);
	}
	free(x);
	return rc;
}

int zp_config_load(const char *path, zp_config *c, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	/* a FIFO or a device would block or never end: only a regular file is read */
	{
		struct stat st;
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e;

		if (fd < 0) {
			e = errno;
			return zp_seterr(err, errlen, zp_err_from_errno(e), "%s: cannot open (%s)", path, strerror(e));
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected a regular file (an INI config), got a %s",
					 path, S_ISDIR(st.st_mode) ? "directory" : S_ISFIFO(st.st_mode) ? "FIFO" :
					 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "device" : "special file");
		}
		f = fdopen(fd, "rb");
		if (!f) {
			e = errno;
			close(fd);
			return zp_seterr(err, errlen, zp_err_from_errno(e), "%s: cannot open (%s)", path, strerror(e));
		}
	}
	for (;;) {
		size_t got;

		if (cap - len < 4096) {
			char *nb;

			if (cap >= ZP_CONFIG_MAX_BYTES) {
				rc = zp_seterr(err, errlen, ZP_EINVAL, "%s: too large (at most %d bytes)", path,
					       ZP_CONFIG_MAX_BYTES);
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		rc = zp_seterr(err, errlen, zp_err_from_errno(e), "%s: cannot read (%s)", path, strerror(e));
		goto out;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		const char *nul = memchr(buf, '\0', len);
		int line = 1;

		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		rc = zp_seterr(err, errlen, ZP_EINVAL, "%s:%d: a NUL byte (expected a text file)", path, line);
		goto out;
	}
	rc = zp_config_load_string(buf, path, c, err, errlen);
out:
	free(buf);
	fclose(f);
	return rc;
}

int zp_config_check_frame(const zp_config *c, int width, int height, char *err, size_t errlen)
{
	for (int i = 0; i < c->nzones; i++) {
		const zp_zone *z = &c->zones[i];

		if (zp_polygon_inside_frame(&z->poly, width, height))
			continue;
		for (int k = 0; k < z->poly.n; k++) {
			const zp_pt *p = &z->poly.p[k];

			if (!(p->x >= 0 && p->y >= 0 && p->x <= width - 1 && p->y <= height - 1))
				return zp_seterr(err, errlen, ZP_EINVAL, "%s: zone %s: point (%g,%g) outside the %dx%d frame",
						 c->path, z->name, p->x, p->y, width, height);
		}
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: zone %s: no points (expected inside the %dx%d frame)",
				 c->path, z->name, width, height);
	}
	return ZP_OK;
}
