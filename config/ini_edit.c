/* SPDX-License-Identifier: MIT */
/*
 * ini_edit.c - set keys of one section in an INI file and keep everything
 * else as the person wrote it: comments, order, blank lines, other
 * sections (config.h). `zebrapad tune` writes best.ini with it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Is line a "key = ..." line for key (blanks around allowed)? */
static bool line_sets(const char *line, const char *key)
{
	size_t n = strlen(key);

	line += strspn(line, " \t");
	if (strncmp(line, key, n))
		return false;
	line += n;
	line += strspn(line, " \t");
	return *line == '=';
}

/* Is line a section header; *is_it set when it is [section]. */
static bool line_section(const char *line, const char *section, bool *is_it)
{
	size_t n = strlen(section);

	line += strspn(line, " \t");
	if (*line != '[')
		return false;
	line++;
	line += strspn(line, " \t");
	*is_it = !strncmp(line, section, n) && (line[n] == ']' || line[n] == ' ' || line[n] == '\t');
	return true;
}

/* Lines held back: blank and comment lines at the end of the section belong to what follows. */
struct held {
	char *buf;
	size_t len, cap;
};

static bool hold_line(struct held *h, const char *line)
{
	size_t n = strlen(line);

	if (h->len + n + 1 > h->cap) {
		size_t c = (h->cap ? 2 * h->cap : 1024) + n;
		char *b = realloc(h->buf, c);

		if (!b)
			return false;
		h->buf = b;
		h->cap = c;
	}
	memcpy(h->buf + h->len, line, n + 1);
	h->len += n;
	return true;
}

static void flush_held(struct held *h, FILE *f)
{
	if (h->len)
		fwrite(h->buf, 1, h->len, f);
	h->len = 0;
}

static void emit_missing(FILE *out, const zp_ini_edit *edits, int n, bool *done)
{
	for (int k = 0; k < n; k++)
		if (!done[k]) {
			fprintf(out, "; %s\n%s = %s\n", edits[k].note, edits[k].key, edits[k].value);
			done[k] = true;
		}
}

int zp_ini_rewrite(FILE *in, FILE *out, const char *section, const zp_ini_edit *edits, int n, char *err,
		   size_t errlen)
{
	char line[4096 + 2];
	bool in_sec = false, seen = false, *done;
	struct held held = { NULL, 0, 0 };
	int rc = 0;

	done = calloc(n > 0 ? (size_t)n : 1, sizeof(*done));
	if (!done)
		return zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
	while (fgets(line, 4096, in)) {
		const char *q = line + strspn(line, " \t");
		bool is_it, replaced = false;

		if (!strchr(line, '\n') && !feof(in))
			strcat(line, "\n"); /* a line longer than the buffer: the loader refuses those anyway */
		if (in_sec && (*q == '\n' || *q == '\r' || *q == ';' || *q == '#' || *q == '\0')) {
			if (!hold_line(&held, line))
				fputs(line, out);
			continue;
		}
		if (line_section(line, section, &is_it)) {
			if (in_sec)
				emit_missing(out, edits, n, done);
			flush_held(&held, out);
			in_sec = is_it && !seen;
			seen |= is_it;
		} else if (in_sec) {
			flush_held(&held, out);
			for (int k = 0; k < n && !replaced; k++)
				if (!done[k] && line_sets(line, edits[k].key)) {
					char old[256];

					zp_strlcpy(old, strchr(line, '=') + 1, sizeof(old));
					old[strcspn(old, "\r\n")] = '\0';
					fprintf(out, "; %s, was%s\n%s = %s\n", edits[k].note, old, edits[k].key,
						edits[k].value);
					done[k] = replaced = true;
				}
		}
		if (!replaced)
			fputs(line, out);
	}
	if (ferror(in))
		rc = zp_seterr(err, errlen, ZP_EIO, "cannot read (%s)", strerror(errno));
	if (in_sec)
		emit_missing(out, edits, n, done);
	flush_held(&held, out);
	free(held.buf);
	if (!seen && n > 0) {
		fprintf(out, "\n[%s]\n", section);
		emit_missing(out, edits, n, done);
	}
	free(done);
	return rc;
}
