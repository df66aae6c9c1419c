/* SPDX-License-Identifier: MIT */
/*
 * source.c - the counts store, read-only, and its rows as messages.
 *
 * The file is opened with SQLITE_OPEN_READONLY and never migrated: the
 * exporter is a WAL reader beside the daemon's writer. Its sandbox lets it
 * write nothing beside the store, so the -shm index is opened read-only too
 * (SQLite handles that since 3.22). Each read is one short statement: a
 * reader holds no snapshot between reads, so the daemon's checkpoints are
 * never held up.
 *
 * The rows go in the order of the store's change sequence (schema 4: the
 * table changes, which triggers on counts keep): a row written, or written
 * again (added to by a daemon that restarted inside its interval, by a
 * writer that was held up, after the clock was set back), gets a larger seq
 * than any before, so a reader that remembers the last seq delivered sees
 * it again, whatever its interval_start.
 *
 * A row's message has every column of the counts table under its own name
 * (c.*: columns added by a later schema pass through without a change here),
 * SQL NULL as null, plus "site" and "schema"; seq is not part of it.
 */
#include "export.h"

#include "json.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The schema with the change sequence (the table changes, kept by triggers on counts). */
#define SEQ_SCHEMA 4

/* The statements of the loop, prepared once per connection (the parser and planner run once). */
enum { ST_SCHEMA, ST_NEXT, ST_COUNT, ST_SEQ_AFTER_KEY, ST_N };

static const char *const stmt_sql[ST_N] = {
	"SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'",
	/* the change sequence first, then every column of the row under its own name */
	"SELECT ch.seq, c.* FROM changes AS ch JOIN counts AS c ON c.interval_start = ch.interval_start"
	" AND c.zone = ch.zone AND c.interval_s = ch.interval_s WHERE ch.seq > ?1 ORDER BY ch.seq LIMIT ?2",
	"SELECT count(*) FROM changes WHERE seq > ?1",
	"SELECT coalesce((SELECT min(seq) FROM changes WHERE (interval_start, zone, interval_s) > (?1, ?2, ?3)),"
	" (SELECT coalesce(max(seq), 0) + 1 FROM changes)) - 1",
};

struct zp_export_source {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	bool immutable;          /* db was opened with immutable=1 (no -wal file: no writer) */
	char path[ZP_EXPORT_PATH_MAX];
	int schema;
};

/*
 * The connection for the next read. While the daemon has the store open its
 * -wal and -shm files exist, and a read-only connection reads them (the -shm
 * read-only). When there is no -wal file, no writer has the store open: a
 * read-only connection would have to create the -wal and -shm files, which
 * the exporter may not (and should not), so the file is read as immutable,
 * by a connection opened for that read only (a writer that starts later makes
 * a -wal file, and the next read goes through it).
 */
static void close_db(zp_export_source *s)
{
	for (int i = 0; i < ST_N; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
}

/* Statement i, prepared on first use and reset after; NULL with *rc the SQLite error. */
static sqlite3_stmt *stmt(zp_export_source *s, int i, int *rc)
{
	*rc = SQLITE_OK;
	if (s->st[i]) {
		sqlite3_reset(s->st[i]);
		sqlite3_clear_bindings(s->st[i]);
		return s->st[i];
	}
	*rc = sqlite3_prepare_v2(s->db, stmt_sql[i], -1, &s->st[i], NULL);
	return *rc == SQLITE_OK ? s->st[i] : NULL;
}

/* A statement's read is over: its snapshot is let go (a reader holds none between reads). */
static void stmt_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

static int connect_db(zp_export_source *s, char *err, size_t errlen)
{
	char wal[ZP_EXPORT_PATH_MAX + 8], uri[ZP_EXPORT_PATH_MAX * 3 + 32];
	struct stat sb;
	bool imm;
	int rc;

	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	imm = stat(wal, &sb) != 0;
	if (s->db && !s->immutable && !imm)
		return 0;
	if (s->db)
		close_db(s);
	if (imm) {
		size_t n = (size_t)snprintf(uri, sizeof(uri), "file:");

		/* the path, percent-encoded where a URI needs it */
		for (const char *c = s->path; *c && n + 4 < sizeof(uri); c++) {
			if (*c == '%' || *c == '?' || *c == '#' || (unsigned char)*c < 0x21 || (unsigned char)*c >= 0x7f)
				n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%%%02X", (unsigned char)*c);
			else
				uri[n++] = *c;
		}
		snprintf(uri + n, sizeof(uri) - n, "?immutable=1");
	}
	rc = sqlite3_open_v2(imm ? uri : s->path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX |
			     (imm ? SQLITE_OPEN_URI : 0), NULL);
	if (rc != SQLITE_OK) {
		zp_seterr(err, errlen, ZP_EIO, "%s: cannot open read-only: %s", s->path,
			  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		close_db(s);
		return ZP_EIO;
	}
	s->immutable = imm;
	sqlite3_busy_timeout(s->db, 1000);
	/* a small page cache: the exporter reads a few rows at a time */
	sqlite3_exec(s->db, "PRAGMA cache_size = -256", NULL, NULL, NULL);
	return 0;
}

/* After a read: an immutable connection is not kept (the file may change once a writer comes). */
static void read_done(zp_export_source *s)
{
	if (s->db && s->immutable)
		close_db(s);
}

int zp_export_key_cmp(const zp_export_key *a, const zp_export_key *b)
{
	int c;

	if (a->interval_start != b->interval_start)
		return a->interval_start < b->interval_start ? -1 : 1;
	c = strcmp(a->zone, b->zone);
	if (c)
		return c < 0 ? -1 : 1;
	if (a->interval_s != b->interval_s)
		return a->interval_s < b->interval_s ? -1 : 1;
	return 0;
}

static int read_schema(zp_export_source *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, v = -1;

	st = stmt(s, ST_SCHEMA, &rc);
	if (rc == SQLITE_ERROR)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a zebrapad counts store (%s)", s->path,
				 sqlite3_errmsg(s->db));
	if (rc != SQLITE_OK)
		return zp_seterr(err, errlen, rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO, "%s: cannot read: %s", s->path,
				 sqlite3_errmsg(s->db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return zp_seterr(err, errlen, rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO, "%s: cannot read: %s", s->path,
				 sqlite3_errstr(rc));
	if (v < 1)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: not a zebrapad counts store (no schema_version)", s->path);
	s->schema = v;
	return 0;
}

zp_export_source *zp_export_source_open(const char *path, int *code, char *err, size_t errlen)
{
	zp_export_source *s;
	struct stat sb;
	int rc;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*code = zp_seterr(err, errlen, ZP_ENODEV, "%s: no counts store there (yet)", path);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*code = zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
		return NULL;
	}
	zp_strlcpy(s->path, path, sizeof(s->path));
	rc = connect_db(s, err, errlen);
	if (!rc)
		rc = read_schema(s, err, errlen);
	read_done(s);
	if (rc) {
		*code = rc;
		zp_export_source_close(s);
		return NULL;
	}
	*code = 0;
	return s;
}

void zp_export_source_close(zp_export_source *s)
{
	if (!s)
		return;
	close_db(s);
	free(s);
}

int zp_export_source_schema(const zp_export_source *s)
{
	return s->schema;
}

/* The current row of st as a message: every column from col0 on by name, then site and schema. */
static char *row_json(sqlite3_stmt *st, int col0, const char *site, int schema, zp_export_key *key)
{
	cJSON *o = cJSON_CreateObject();
	int ncol = sqlite3_column_count(st);
	char *text;

	if (!o)
		return NULL;
	memset(key, 0, sizeof(*key));
	for (int i = col0; i < ncol; i++) {
		const char *name = sqlite3_column_name(st, i);
		cJSON *v;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = cJSON_CreateNumber(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			v = zp_json_str((const char *)sqlite3_column_text(st, i));
			break;
		default:
			/* NULL (and a BLOB, which no counts column holds) */
			v = cJSON_CreateNull();
			break;
		}
		if (!v || !name) {
			cJSON_Delete(v);
			cJSON_Delete(o);
			return NULL;
		}
		if (!zp_json_add(o, name, v)) {
			cJSON_Delete(o);
			return NULL;
		}
		if (!strcmp(name, "interval_start"))
			key->interval_start = sqlite3_column_int64(st, i);
		else if (!strcmp(name, "interval_s"))
			key->interval_s = sqlite3_column_int64(st, i);
		else if (!strcmp(name, "zone") && sqlite3_column_text(st, i))
			zp_strlcpy(key->zone, (const char *)sqlite3_column_text(st, i), sizeof(key->zone));
	}
	/* ours last; a store column of the same name would be replaced, not doubled */
	cJSON_DeleteItemFromObjectCaseSensitive(o, "site");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "schema");
	zp_json_add_str(o, "site", site);
	zp_json_add_int(o, "schema", schema);
	text = cJSON_PrintUnformatted(o);   /* valid UTF-8: every string and name went through zp_json */
	cJSON_Delete(o);
	return text;
}

/* Connected, the schema read, and the change sequence there (schema 4). */
static int ready(zp_export_source *s, char *err, size_t errlen)
{
	int rc = connect_db(s, err, errlen);

	if (!rc)
		rc = read_schema(s, err, errlen);
	if (!rc && s->schema < SEQ_SCHEMA)
		rc = zp_seterr(err, errlen, ZP_EBUSY, "%s: schema version %d has no change sequence yet (version %d): "
			       "the daemon adds it when it opens the store", s->path, s->schema, SEQ_SCHEMA);
	return rc;
}

int zp_export_source_next(zp_export_source *s, int64_t after_seq, const char *site, zp_export_row *out, int max,
			  char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	rc = ready(s, err, errlen);
	if (rc) {
		read_done(s);
		return rc;
	}
	st = stmt(s, ST_NEXT, &rc);
	if (rc != SQLITE_OK) {
		rc = zp_seterr(err, errlen, rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO, "%s: %s", s->path,
			       sqlite3_errmsg(s->db));
		read_done(s);
		return rc;
	}
	sqlite3_bind_int64(st, 1, after_seq);
	sqlite3_bind_int(st, 2, max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out[n].seq = sqlite3_column_int64(st, 0);
		out[n].json = row_json(st, 1, site, s->schema, &out[n].key);
		if (!out[n].json) {
			rc = SQLITE_NOMEM;
			break;
		}
		out[n].fp = zp_export_fingerprint(out[n].json);
		n++;
	}
	stmt_done(st);
	read_done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		for (int i = 0; i < n; i++)
			free(out[i].json);
		return zp_seterr(err, errlen, rc == SQLITE_NOMEM ? ZP_ENOMEM : rc == SQLITE_BUSY ? ZP_EBUSY : ZP_EIO,
				 "%s: reading rows: %s", s->path, sqlite3_errstr(rc));
	}
	return n;
}

int64_t zp_export_source_count(zp_export_source *s, int64_t after_seq)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	int rc;

	if (ready(s, NULL, 0)) {
		read_done(s);
		return -1;
	}
	st = stmt(s, ST_COUNT, &rc);
	if (!st) {
		read_done(s);
		return -1;
	}
	sqlite3_bind_int64(st, 1, after_seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	stmt_done(st);
	read_done(s);
	return n;
}

int64_t zp_export_source_seq_after_key(zp_export_source *s, const zp_export_key *k)
{
	sqlite3_stmt *st;
	int64_t seq = ZP_EIO;
	int rc;

	rc = ready(s, NULL, 0);
	if (rc) {
		read_done(s);
		return rc;
	}
	st = stmt(s, ST_SEQ_AFTER_KEY, &rc);
	if (!st) {
		read_done(s);
		return ZP_EIO;
	}
	sqlite3_bind_int64(st, 1, k->interval_start);
	sqlite3_bind_text(st, 2, k->zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, k->interval_s);
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	stmt_done(st);
	read_done(s);
	return seq;
}

char *zp_export_source_newest(zp_export_source *s, const char *site)
{
	sqlite3_stmt *st;
	zp_export_key k;
	char *text = NULL;

	if (connect_db(s, NULL, 0))
		return NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT * FROM counts ORDER BY interval_start DESC, zone DESC LIMIT 1", -1, &st,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			text = row_json(st, 0, site, s->schema, &k);
		sqlite3_finalize(st);
	}
	read_done(s);
	return text;
}

int zp_export_source_columns(zp_export_source *s, char *buf, size_t len)
{
	sqlite3_stmt *st;
	size_t n = 0;

	buf[0] = '\0';
	if (connect_db(s, NULL, 0))
		return ZP_EIO;
	if (sqlite3_prepare_v2(s->db, "SELECT * FROM counts LIMIT 0", -1, &st, NULL) != SQLITE_OK) {
		read_done(s);
		return ZP_EIO;
	}
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		int k = snprintf(buf + n, len - n, "%s%s", i ? ", " : "", sqlite3_column_name(st, i));

		if (k < 0 || (size_t)k >= len - n)
			break;
		n += (size_t)k;
	}
	sqlite3_finalize(st);
	read_done(s);
	return 0;
}
