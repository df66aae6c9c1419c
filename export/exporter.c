/* SPDX-License-Identifier: MIT */
/*
 * exporter.c - the loop of `zebrapad export` (export.h, docs/export.md).
 *
 * Store and forward, at least once:
 *  - the window: the rows after the cursor in the store's change sequence
 *    (changes.seq, schema 4), read again from the store at every poll. A row
 *    written again (the daemon restarted inside that interval and added to
 *    the stored row; a writer held up; the clock set back) has a new seq,
 *    after the cursor: it is published again, whatever its interval.
 *  - QoS 1: a row counts as delivered when the broker's PUBACK comes. At most
 *    max_inflight rows wait for theirs; rows go out at most `rate` per
 *    second (a token bucket), so a backlog of hours is sent in order at a
 *    bounded rate.
 *  - the cursor (a seq) moves over the rows at the head of the window once
 *    they are acknowledged. Killed at any moment, the exporter resumes after
 *    the cursor: rows after it are published again (a duplicate, which the
 *    receiver's natural key makes harmless), none is skipped.
 *  - a lost connection drops the libmosquitto instance with whatever it had
 *    queued; the rows in flight are published again after the reconnect.
 *    Reconnects back off from 1 s to 60 s.
 *  - a refused row: MQTT 5, so a broker that does not take a message says so
 *    in its PUBACK (a reason code >= 0x80: quota exceeded, not authorised,
 *    ...; or 0x10, no matching subscribers: nobody would receive it). MQTT
 *    3.1.1 has no such code and the broker's PUBACK would look like a
 *    delivery. The row stays in the window as new and the exporter publishes
 *    nothing for a back-off (1 s doubling to 60 s, reset by the next accepted
 *    row); the cursor never passes it.
 */
#include "export.h"

#include "health.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 1024               /* rows after the cursor held at once */
#define PROM_PERIOD_MS 10000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define STOP_FLUSH_MS 2000
#define LOOP_MS 100
#define TRIM_FIRST_MS 2000        /* after a connection: the handshake's pages go back */
#define TRIM_PERIOD_MS 60000      /* and every minute */
#define TRIM_BURST_MS 5000        /* after rows went out and were all acknowledged, at most this often */

enum { EXIT_OK_ = 0, EXIT_FAIL_ = 1, EXIT_USAGE_ = 2 };
enum { E_NEW = 0, E_INFLIGHT, E_ACKED };

struct entry {
	int64_t seq;
	zp_export_key key;
	uint64_t fp;
	char *json;                   /* until published */
	int mid;
	int state;
};

struct exporter {
	const zp_export_opts *o;
	const zp_export_params *p;
	char password[256];
	char topic_counts[128], topic_status[128];
	char will[160];
	struct mosquitto *mosq;
	bool connected;               /* CONNACK accepted */
	int connack;                  /* the last CONNACK's code, -1 none */
	int64_t next_connect, backoff;
	zp_export_source *src;
	int64_t next_src_open;
	zp_export_cursor cur;
	bool cursor_dirty;
	int64_t cursor_saved_ms;
	struct entry win[WINDOW];
	int nwin;
	bool window_full;             /* the last read returned WINDOW rows: more wait */
	int inflight;
	double tokens;
	int64_t tokens_ms;
	int64_t next_poll, next_prom, next_status, next_trim, last_trim;
	uint64_t acked_at_trim;       /* rows_acked at the last trim */
	int64_t refused_until, refused_backoff; /* a refused row: publish nothing until then */
	char last_status_key[64];
	int sfd;
	bool stop;
	long published_total;
	/* figures */
	uint64_t reconnects, connect_failures, rows_acked, rows_published, rows_republished, cursor_saves;
	uint64_t rows_refused;
	int64_t backlog;
	double lag_s;
	int64_t last_ack_s;
	zp_ratelimit rl_conn, rl_src, rl_refused;
};

static int64_t mono_ms(void)
{
	return zp_now_ms();
}

static int64_t wall_s(void)
{
	return (int64_t)time(NULL);
}

/* ---- the window ---- */

static void entry_free(struct entry *e)
{
	free(e->json);
	e->json = NULL;
}

/* A cursor saved by key (format 1): the seq to resume from, found in the store once. */
static int cursor_from_key(struct exporter *x)
{
	int64_t seq = zp_export_source_seq_after_key(x->src, &x->cur.key);
	uint64_t skipped;

	if (seq < 0) {
		if (zp_ratelimit_ok(&x->rl_src, mono_ms(), 60000, &skipped))
			zp_log(ZP_LOG_WARNING, "export: %s: the change sequence cannot be read yet (a store of schema 3 "
			       "or older, or busy): the cursor saved by key waits (retried)", x->o->store_path);
		return (int)seq;
	}
	zp_log(ZP_LOG_INFO, "export: the cursor saved by key (interval_start %" PRId64 ", zone %s) resumes after "
	       "change %" PRId64, x->cur.key.interval_start, x->cur.key.zone, seq);
	x->cur.seq = seq;
	x->cur.by_key = false;
	x->cursor_dirty = true;
	return 0;
}

/* Was a row of this key published before (it is in the window under an older seq)? */
static bool published_before(const struct entry *old, int nold, const zp_export_key *k)
{
	for (int i = 0; i < nold; i++)
		if (old[i].state != E_NEW && !zp_export_key_cmp(&old[i].key, k))
			return true;
	return false;
}

/* Read the rows after the cursor again; keep what is known of each (same seq and message). */
static int refresh(struct exporter *x)
{
	zp_export_row *rows;
	struct entry *old;
	char err[400];
	int n, j = 0, nold = x->nwin;

	if (x->cur.by_key && cursor_from_key(x) != 0)
		return ZP_EBUSY;

	rows = malloc(sizeof(*rows) * WINDOW);   /* not zeroed: only the rows read are touched */
	old = malloc(sizeof(x->win[0]) * (size_t)(nold ? nold : 1));
	if (!rows || !old) {
		free(rows);
		free(old);
		return ZP_ENOMEM;
	}
	n = zp_export_source_next(x->src, x->cur.set ? x->cur.seq : 0, x->p->site, rows, WINDOW, err, sizeof(err));
	if (n < 0) {
		uint64_t skipped;

		if (zp_ratelimit_ok(&x->rl_src, mono_ms(), 60000, &skipped))
			zp_log(ZP_LOG_WARNING, "export: %s (retried)", err);
		free(rows);
		free(old);
		return n;
	}
	memcpy(old, x->win, sizeof(x->win[0]) * (size_t)nold);
	x->nwin = 0;
	x->inflight = 0;
	for (int i = 0; i < n; i++) {
		struct entry *e = &x->win[x->nwin++];

		/* both lists are in seq order: walk the old one along (a seq gone: its row was written again) */
		while (j < nold && old[j].seq < rows[i].seq)
			j++;
		memset(e, 0, sizeof(*e));
		e->seq = rows[i].seq;
		e->key = rows[i].key;
		e->fp = rows[i].fp;
		if (j < nold && old[j].seq == rows[i].seq && old[j].fp == rows[i].fp && old[j].state != E_NEW) {
			e->state = old[j].state;
			e->mid = old[j].mid;
			free(rows[i].json);
		} else {
			if (published_before(old, nold, &rows[i].key))
				x->rows_republished++;   /* the row changed after it was published */
			e->state = E_NEW;
			e->json = rows[i].json;
		}
		if (e->state == E_INFLIGHT)
			x->inflight++;
	}
	for (j = 0; j < nold; j++)
		entry_free(&old[j]);
	x->window_full = n == WINDOW;
	free(rows);
	free(old);
	return 0;
}

/* Move the cursor over the acknowledged rows at the head of the window. */
static void advance(struct exporter *x)
{
	int k = 0;

	while (k < x->nwin && x->win[k].state == E_ACKED) {
		x->cur.seq = x->win[k].seq;
		x->cur.set = true;
		entry_free(&x->win[k]);
		k++;
	}
	if (!k)
		return;
	memmove(x->win, x->win + k, sizeof(x->win[0]) * (size_t)(x->nwin - k));
	x->nwin -= k;
	x->cursor_dirty = true;
}

static void save_cursor(struct exporter *x, bool now)
{
	char err[400];

	if (!x->cursor_dirty || x->cur.by_key || (!now && mono_ms() - x->cursor_saved_ms < 500))
		return;
	zp_strlcpy(x->cur.site, x->p->site, sizeof(x->cur.site));
	if (zp_export_cursor_save(x->p->cursor_file, &x->cur, err, sizeof(err)) != 0) {
		zp_log(ZP_LOG_ERR, "export: %s (rows after the last saved cursor will be sent again)", err);
		return;
	}
	x->cursor_dirty = false;
	x->cursor_saved_ms = mono_ms();
	x->cursor_saves++;
}

/* ---- MQTT ---- */

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *props)
{
	struct exporter *x = obj;

	(void)m;
	(void)flags;
	(void)props;
	x->connack = rc;
	if (rc == 0) {
		x->connected = true;
		x->backoff = BACKOFF_MIN_MS;
		x->next_status = 0;   /* the status first, retained, then the rows */
		x->next_poll = 0;
		x->next_trim = mono_ms() + TRIM_FIRST_MS;
		zp_log(ZP_LOG_NOTICE, "export: connected to %s:%d as site %s", x->p->broker, zp_export_port(x->p),
		       x->p->site);
	}
}

/*
 * A PUBACK. Reason 0 (or another below 0x80): the broker took the row.
 * 0x10, no matching subscribers: it took it and dropped it, nobody would
 * receive it (a collector's persistent session is a subscriber even while
 * the collector is away, but Mosquitto forgets shared subscriptions when it
 * restarts). 0x80 and above: it refused it. In the last two cases the row
 * goes back to new and publishing backs off.
 */
static void on_publish(struct mosquitto *m, void *obj, int mid, int reason, const mosquitto_property *props)
{
	struct exporter *x = obj;

	(void)m;
	(void)props;
	for (int i = 0; i < x->nwin; i++)
		if (x->win[i].state == E_INFLIGHT && x->win[i].mid == mid) {
			x->inflight--;
			if (reason >= 0x80 || reason == MQTT_RC_NO_MATCHING_SUBSCRIBERS) {
				uint64_t skipped;
				int64_t now = mono_ms();

				x->win[i].state = E_NEW;   /* its text comes back with the next read (refresh) */
				x->next_poll = 0;
				x->rows_refused++;
				if (now < x->refused_until)
					return;   /* one of the rows in flight when the back-off began */
				x->refused_backoff = x->refused_backoff ? x->refused_backoff * 2 : BACKOFF_MIN_MS;
				if (x->refused_backoff > BACKOFF_MAX_MS)
					x->refused_backoff = BACKOFF_MAX_MS;
				x->refused_until = now + x->refused_backoff;
				if (zp_ratelimit_ok(&x->rl_refused, now, 60000, &skipped))
					zp_log(ZP_LOG_WARNING, "export: broker %s:%d %s a row (%s, reason 0x%02x): "
					       "kept, sent again in %" PRId64 " s%s", x->p->broker, zp_export_port(x->p),
					       reason >= 0x80 ? "refused" : "has no subscriber for",
					       mosquitto_reason_string(reason), reason, x->refused_backoff / 1000,
					       skipped ? " (more since the last message, not logged)" : "");
				return;
			}
			x->win[i].state = E_ACKED;
			x->refused_backoff = 0;
			x->rows_acked++;
			x->last_ack_s = wall_s();
			return;
		}
}

static void on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
	(void)m;
	(void)obj;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		zp_log(ZP_LOG_DEBUG, "export: mosquitto: %s", str);
}

static void drop_connection(struct exporter *x, const char *why)
{
	uint64_t skipped;

	if (x->mosq) {
		mosquitto_destroy(x->mosq);
		x->mosq = NULL;
	}
	if (x->connected) {
		x->reconnects++;
		zp_log(ZP_LOG_WARNING, "export: connection to %s:%d lost (%s); reconnecting", x->p->broker,
		       zp_export_port(x->p), why);
	} else {
		x->connect_failures++;
		if (zp_ratelimit_ok(&x->rl_conn, mono_ms(), 60000, &skipped))
			zp_log(ZP_LOG_WARNING, "export: cannot connect to %s:%d: %s (retried, backing off up to %d s; "
			       "%" PRIu64 " more failures not logged)", x->p->broker, zp_export_port(x->p), why,
			       BACKOFF_MAX_MS / 1000, skipped);
	}
	x->connected = false;
	/* what was in flight goes again after the reconnect */
	for (int i = 0; i < x->nwin; i++)
		if (x->win[i].state == E_INFLIGHT)
			x->win[i].state = E_NEW;
	x->inflight = 0;   /* their text comes back with the next read of the store (refresh) */
	x->next_poll = 0;
	x->next_connect = mono_ms() + x->backoff;
	x->backoff = x->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : x->backoff * 2;
}

static int start_connect(struct exporter *x)
{
	const zp_export_params *p = x->p;
	char id[96];
	int rc;

	snprintf(id, sizeof(id), "zebrapad-export-%s", p->site);
	x->mosq = mosquitto_new(id, true, x);
	if (!x->mosq)
		return MOSQ_ERR_NOMEM;
	mosquitto_int_option(x->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_connect_v5_callback_set(x->mosq, on_connect);
	mosquitto_publish_v5_callback_set(x->mosq, on_publish);
	mosquitto_log_callback_set(x->mosq, on_log);
	mosquitto_max_inflight_messages_set(x->mosq, (unsigned)p->max_inflight);
	rc = mosquitto_will_set(x->mosq, x->topic_status, (int)strlen(x->will), x->will, 1, true);
	if (!rc && p->ca_file[0]) {
		rc = mosquitto_tls_set(x->mosq, p->ca_file, NULL, p->cert_file[0] ? p->cert_file : NULL,
				       p->key_file[0] ? p->key_file : NULL, NULL);
		if (!rc)
			rc = mosquitto_tls_opts_set(x->mosq, 1, "tlsv1.2", NULL);
	}
	if (!rc && p->username[0])
		rc = mosquitto_username_pw_set(x->mosq, p->username, x->password);
	if (!rc) {
		x->connack = -1;
		rc = mosquitto_connect(x->mosq, p->broker, zp_export_port(p), p->keepalive_s);
	}
	return rc;
}

/* The status (retained): at each connection (next_status 0), every status_s, when the lights or health change. */
static void publish_status(struct exporter *x)
{
	zp_export_health h;
	char err[300], key[64];
	char *text;
	int64_t now = wall_s();
	int schema = x->src ? zp_export_source_schema(x->src) : 0;

	zp_export_health_read(x->o->health_path, now, x->o->health_stale_s, &h, err, sizeof(err));
	snprintf(key, sizeof(key), "%s/%s", h.lights, h.health);
	if (x->next_status && mono_ms() < x->next_status && !strcmp(key, x->last_status_key))
		return;
	text = zp_export_status_json(x->p->site, true, &h, schema, x->o->version, x->lag_s, now);
	if (!text)
		return;
	if (mosquitto_publish(x->mosq, NULL, x->topic_status, (int)strlen(text), text, 1, true) == MOSQ_ERR_SUCCESS) {
		zp_strlcpy(x->last_status_key, key, sizeof(x->last_status_key));
		x->next_status = mono_ms() + (int64_t)x->p->status_s * 1000;
	}
	free(text);
}

/* Publish new rows in order, within the in-flight bound and the rate. */
static void publish_rows(struct exporter *x)
{
	int64_t now = mono_ms();
	double cap = x->p->rate < 1 ? 1 : x->p->rate;

	if (now < x->refused_until)
		return;   /* the broker refused a row: back off */

	x->tokens += (double)(now - x->tokens_ms) * x->p->rate / 1000.0;
	if (x->tokens > cap)
		x->tokens = cap;
	x->tokens_ms = now;
	for (int i = 0; i < x->nwin && x->inflight < x->p->max_inflight && x->tokens >= 1; i++) {
		struct entry *e = &x->win[i];
		int rc;

		if (e->state != E_NEW || !e->json)
			continue;
		if (x->o->max_rows >= 0 && x->published_total >= x->o->max_rows)
			return;
		rc = mosquitto_publish(x->mosq, &e->mid, x->topic_counts, (int)strlen(e->json), e->json, 1, false);
		if (rc != MOSQ_ERR_SUCCESS)
			return;   /* the loop finds out what is wrong with the connection */
		e->state = E_INFLIGHT;
		entry_free(e);
		x->inflight++;
		x->tokens -= 1;
		x->rows_published++;
		x->published_total++;
	}
}

/* ---- figures ---- */

static void figures(struct exporter *x)
{
	int64_t now = wall_s(), n;
	int acked = 0;

	x->lag_s = 0;
	for (int i = 0; i < x->nwin; i++) {
		if (x->win[i].state == E_ACKED) {
			acked++;
		} else {
			/* the oldest row not yet delivered: how long since its interval ended */
			double lag = (double)(now - (x->win[i].key.interval_start + x->win[i].key.interval_s));

			lag = lag > 0 ? lag : 0.001;
			x->lag_s = lag > x->lag_s ? lag : x->lag_s;
		}
	}
	n = x->src && !x->cur.by_key ? zp_export_source_count(x->src, x->cur.set ? x->cur.seq : 0) : -1;
	if (n >= 0)
		x->backlog = n - acked > 0 ? n - acked : 0;
}

static void write_prom(struct exporter *x)
{
	char text[8192], err[400];
	int n;
	const char *s = x->p->site;

	if (!x->p->prom_file[0] || !strcmp(x->p->prom_file, "none"))
		return;
	figures(x);
	n = snprintf(text, sizeof(text),
		"# HELP zebrapad_export_connected 1 while connected to the broker.\n"
		"# TYPE zebrapad_export_connected gauge\nzebrapad_export_connected{site=\"%s\"} %d\n"
		"# HELP zebrapad_export_lag_seconds Age of the oldest counts row not yet acknowledged (0: none waits).\n"
		"# TYPE zebrapad_export_lag_seconds gauge\nzebrapad_export_lag_seconds{site=\"%s\"} %.3f\n"
		"# HELP zebrapad_export_backlog_rows Counts rows in the store not yet acknowledged by the broker.\n"
		"# TYPE zebrapad_export_backlog_rows gauge\nzebrapad_export_backlog_rows{site=\"%s\"} %" PRId64 "\n"
		"# HELP zebrapad_export_rows_sent_total Counts rows acknowledged by the broker.\n"
		"# TYPE zebrapad_export_rows_sent_total counter\nzebrapad_export_rows_sent_total{site=\"%s\"} %" PRIu64 "\n"
		"# HELP zebrapad_export_rows_published_total Counts rows published (with repeats after a reconnect).\n"
		"# TYPE zebrapad_export_rows_published_total counter\n"
		"zebrapad_export_rows_published_total{site=\"%s\"} %" PRIu64 "\n"
		"# HELP zebrapad_export_rows_changed_total Rows published again because the store changed them.\n"
		"# TYPE zebrapad_export_rows_changed_total counter\n"
		"zebrapad_export_rows_changed_total{site=\"%s\"} %" PRIu64 "\n"
		"# HELP zebrapad_export_rows_refused_total Rows the broker refused or had no subscriber for (PUBACK reason >= 0x80 or 0x10): kept, sent again.\n"
		"# TYPE zebrapad_export_rows_refused_total counter\n"
		"zebrapad_export_rows_refused_total{site=\"%s\"} %" PRIu64 "\n"
		"# HELP zebrapad_export_reconnects_total Connections lost and made again.\n"
		"# TYPE zebrapad_export_reconnects_total counter\nzebrapad_export_reconnects_total{site=\"%s\"} %" PRIu64 "\n"
		"# HELP zebrapad_export_connect_failures_total Connection attempts that failed (refused, TLS, unreachable).\n"
		"# TYPE zebrapad_export_connect_failures_total counter\n"
		"zebrapad_export_connect_failures_total{site=\"%s\"} %" PRIu64 "\n"
		"# HELP zebrapad_export_last_ack_timestamp_seconds Unix time of the last acknowledged row (0: none).\n"
		"# TYPE zebrapad_export_last_ack_timestamp_seconds gauge\n"
		"zebrapad_export_last_ack_timestamp_seconds{site=\"%s\"} %" PRId64 "\n"
		"# HELP zebrapad_export_timestamp_seconds Unix time this file was written.\n"
		"# TYPE zebrapad_export_timestamp_seconds gauge\nzebrapad_export_timestamp_seconds{site=\"%s\"} %" PRId64 "\n",
		s, x->connected, s, x->lag_s, s, x->backlog, s, x->rows_acked, s, x->rows_published, s,
		x->rows_republished, s, x->rows_refused, s, x->reconnects, s, x->connect_failures, s, x->last_ack_s, s, wall_s());
	if (n < 0 || (size_t)n >= sizeof(text))
		return;
	if (zp_file_write_atomic(x->p->prom_file, text, (size_t)n, 0644, false, err, sizeof(err)) != 0)
		zp_log(ZP_LOG_WARNING, "export: %s", err);
}

/* ---- start, loop, stop ---- */

static int read_password(struct exporter *x, char *err, size_t errlen)
{
	FILE *f;
	size_t n;

	if (!x->p->password_file[0])
		return 0;
	f = fopen(x->p->password_file, "re");
	if (!f)
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] password_file %s: %s", x->p->password_file,
				 strerror(errno));
	if (!fgets(x->password, sizeof(x->password), f))
		x->password[0] = '\0';
	fclose(f);
	n = strcspn(x->password, "\r\n");
	x->password[n] = '\0';
	if (!n)
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] password_file %s: empty first line",
				 x->p->password_file);
	return 0;
}

static int check_readable(const char *key, const char *path, char *err, size_t errlen)
{
	if (path[0] && access(path, R_OK) != 0)
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] %s %s: %s", key, path, strerror(errno));
	return 0;
}

static void sandbox_line(void *ctx, const char *line)
{
	(void)ctx;
	zp_log(ZP_LOG_INFO, "export: sandbox: %s", line);
}

static int apply_sandbox(struct exporter *x, char *err, size_t errlen)
{
	zp_sandbox_opts so;
	zp_sandbox_status st;
	char cdir[ZP_EXPORT_PATH_MAX], pdir[ZP_EXPORT_PATH_MAX];
	int rc;

	zp_sandbox_opts_default(&so);
	zp_dirname(cdir, sizeof(cdir), x->p->cursor_file);
	so.data_dir = cdir;
	if (x->p->prom_file[0] && strcmp(x->p->prom_file, "none")) {
		zp_dirname(pdir, sizeof(pdir), x->p->prom_file);
		if (strcmp(pdir, cdir))
			so.extra_dir = pdir;
	}
	so.allow_network = true;
	so.connect_port = zp_export_port(x->p);
	so.close_fds = true;
	so.keep_fds[so.nkeep_fds++] = x->sfd;
	rc = zp_sandbox_apply(&so, &st, err, errlen);
	if (rc)
		return rc;
	zp_sandbox_describe(&st, sandbox_line, x);
	if (st.note[0])
		zp_log(ZP_LOG_WARNING, "export: sandbox: %s", st.note);
	return 0;
}

static void check_signals(struct exporter *x)
{
	struct signalfd_siginfo si;

	while (read(x->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			if (!x->stop)
				zp_log(ZP_LOG_INFO, "export: %s: stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			x->stop = true;
		}
}

static bool all_done(const struct exporter *x)
{
	if (x->window_full)
		return false;
	for (int i = 0; i < x->nwin; i++)
		if (x->win[i].state != E_ACKED)
			return false;
	return true;
}

static void step(struct exporter *x)
{
	int64_t now = mono_ms();
	int rc;
	char err[400];

	if (!x->src && now >= x->next_src_open) {
		int code;
		uint64_t skipped;

		x->src = zp_export_source_open(x->o->store_path, &code, err, sizeof(err));
		if (!x->src) {
			x->next_src_open = now + 5000;
			if (zp_ratelimit_ok(&x->rl_src, now, 60000, &skipped))
				zp_log(ZP_LOG_WARNING, "export: %s (retried every 5 s)", err);
		}
	}
	if (!x->mosq && now >= x->next_connect) {
		rc = start_connect(x);
		if (rc != MOSQ_ERR_SUCCESS) {
			drop_connection(x, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
			return;
		}
	}
	if (!x->mosq) {
		struct timespec ts = { 0, LOOP_MS * 1000000L };

		nanosleep(&ts, NULL);
		return;
	}
	rc = mosquitto_loop(x->mosq, LOOP_MS, 1);
	if (x->connack > 0) {
		drop_connection(x, mosquitto_reason_string(x->connack));
		return;
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		drop_connection(x, rc == MOSQ_ERR_ERRNO ? strerror(errno) :
				rc == MOSQ_ERR_TLS ? "TLS handshake failed (certificate refused or not trusted)" :
				mosquitto_strerror(rc));
		return;
	}
	if (!x->connected)
		return;
	advance(x);
	save_cursor(x, false);
	if (x->src && (now >= x->next_poll || (x->window_full && x->inflight == 0))) {
		if (refresh(x) == 0)
			advance(x);
		x->next_poll = now + x->p->poll_ms;
	}
	publish_status(x);
	publish_rows(x);
	/*
	 * What start-up, the handshake and the last burst of rows touched goes back (docs/export.md,
	 * "Memory"): after a connection, every minute, and once the rows sent are all acknowledged.
	 */
	if (now >= x->next_trim || (x->rows_acked != x->acked_at_trim && x->inflight == 0 &&
				    now - x->last_trim >= TRIM_BURST_MS)) {
		long kib = zp_export_trim();

		zp_log(ZP_LOG_DEBUG, "export: trimmed %ld KiB of program pages not in use", kib);
		x->next_trim = now + TRIM_PERIOD_MS;
		x->last_trim = now;
		x->acked_at_trim = x->rows_acked;
	}
}

static void finish(struct exporter *x)
{
	advance(x);
	save_cursor(x, true);
	if (x->mosq && x->connected) {
		char *off = strdup(x->will);
		int mid = -1;

		/* a clean stop says offline itself (the will goes only on a lost connection) */
		if (off && mosquitto_publish(x->mosq, &mid, x->topic_status, (int)strlen(off), off, 1, true) == 0) {
			int64_t end = mono_ms() + STOP_FLUSH_MS;

			while (mono_ms() < end && mosquitto_loop(x->mosq, 50, 1) == MOSQ_ERR_SUCCESS &&
			       mosquitto_want_write(x->mosq))
				;
			mosquitto_loop(x->mosq, 100, 1);
		}
		free(off);
		mosquitto_disconnect(x->mosq);
		mosquitto_loop(x->mosq, 50, 1);
		advance(x);
		save_cursor(x, true);
	}
	x->connected = false;
	write_prom(x);
	if (x->mosq)
		mosquitto_destroy(x->mosq);
	x->mosq = NULL;
	for (int i = 0; i < x->nwin; i++)
		entry_free(&x->win[i]);
	zp_export_source_close(x->src);
}

int zp_export_run(const zp_export_opts *o)
{
	struct exporter *x;
	sigset_t set;
	char err[512];
	int rc = EXIT_OK_;

	if (zp_export_params_check(o->p, err, sizeof(err)) != 0 || !o->p->broker[0]) {
		zp_log(ZP_LOG_ERR, "%s: %s", o->config_path, o->p->broker[0] ? err :
		       "no [export] broker: nothing to export (`zebrapad audit` says: nothing leaves the device)");
		return EXIT_USAGE_;
	}
	if (!o->store_path || !o->store_path[0]) {
		zp_log(ZP_LOG_ERR, "%s: no [store] path: there are no counts to export", o->config_path);
		return EXIT_USAGE_;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return EXIT_FAIL_;
	x->o = o;
	x->p = o->p;
	x->sfd = -1;
	x->backoff = BACKOFF_MIN_MS;
	x->connack = -1;
	zp_export_topic(x->topic_counts, sizeof(x->topic_counts), o->p->site, "counts");
	zp_export_topic(x->topic_status, sizeof(x->topic_status), o->p->site, "status");
	{
		char *w = zp_export_status_json(o->p->site, false, NULL, 0, o->version, 0, 0);

		zp_strlcpy(x->will, w ? w : "", sizeof(x->will));
		free(w);
	}
	if (check_readable("ca_file", o->p->ca_file, err, sizeof(err)) ||
	    check_readable("cert_file", o->p->cert_file, err, sizeof(err)) ||
	    check_readable("key_file", o->p->key_file, err, sizeof(err)) || read_password(x, err, sizeof(err)) ||
	    zp_export_cursor_load(o->p->cursor_file, o->p->site, &x->cur, err, sizeof(err))) {
		zp_log(ZP_LOG_ERR, "%s: %s", o->config_path, err);
		rc = EXIT_USAGE_;
		goto out;
	}
	if (access(o->p->cursor_file, F_OK) != 0) {
		char d[ZP_EXPORT_PATH_MAX];

		zp_dirname(d, sizeof(d), o->p->cursor_file);
		if (access(d, W_OK) != 0) {
			zp_log(ZP_LOG_ERR, "%s: [export] cursor_file %s: its directory %s is not writable: %s",
			       o->config_path, o->p->cursor_file, d, strerror(errno));
			rc = EXIT_USAGE_;
			goto out;
		}
	}
	zp_block_stop_signals(&set);
	signal(SIGPIPE, SIG_IGN);
	x->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (x->sfd < 0) {
		zp_log(ZP_LOG_ERR, "export: signalfd: %s", strerror(errno));
		rc = EXIT_FAIL_;
		goto out;
	}
	mosquitto_lib_init();
	if (o->sandbox && apply_sandbox(x, err, sizeof(err)) != 0) {
		zp_log(ZP_LOG_ERR, "export: %s", err);
		rc = EXIT_FAIL_;
		goto out_lib;
	}
	zp_log(ZP_LOG_INFO, "export: %s -> %s:%d (%s), topics %s and %s, from after %s", o->store_path, o->p->broker,
	       zp_export_port(o->p), o->p->ca_file[0] ? "TLS" : "plain TCP", x->topic_counts, x->topic_status,
	       x->cur.set ? "the saved cursor" : "the first row");
	if (x->cur.set && x->cur.by_key)
		zp_log(ZP_LOG_INFO, "export: cursor saved by key: interval_start %" PRId64 ", zone %s",
		       x->cur.key.interval_start, x->cur.key.zone);
	else if (x->cur.set)
		zp_log(ZP_LOG_INFO, "export: cursor after change %" PRId64, x->cur.seq);
	x->tokens_ms = mono_ms();
	x->tokens = 1;
	while (!x->stop) {
		int64_t now;
		step(x);
		now = mono_ms();
		if (now >= x->next_prom) {
			write_prom(x);
			x->next_prom = now + PROM_PERIOD_MS;
		}
		check_signals(x);
		if (o->once && x->connected && x->src && x->next_poll > 0 && all_done(x) && x->inflight == 0) {
			zp_log(ZP_LOG_INFO, "export: --once: every row acknowledged");
			x->stop = true;
		}
		if (o->max_rows >= 0 && x->published_total >= o->max_rows && x->inflight == 0)
			x->stop = true;
	}
	finish(x);
	zp_log(ZP_LOG_INFO, "export: stopped: %" PRIu64 " rows acknowledged, %" PRIu64 " published (%" PRIu64
	       " changed rows again, %" PRIu64 " refused by the broker), %" PRIu64 " reconnects, %" PRIu64
	       " failed connection attempts", x->rows_acked, x->rows_published, x->rows_republished, x->rows_refused,
	       x->reconnects, x->connect_failures);
out_lib:
	if (x->mosq)
		mosquitto_destroy(x->mosq);
	mosquitto_lib_cleanup();
out:
	if (x->sfd >= 0)
		close(x->sfd);
	explicit_bzero(x->password, sizeof(x->password));
	free(x);
	return rc;
}
