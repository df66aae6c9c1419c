/* SPDX-License-Identifier: MIT */
/*
 * collect.c - the collector's loop: libmosquitto driven by hand so that a
 * message is acknowledged to the broker only after its row is committed
 * (collect.h says how), libpq for the rows.
 *
 * One turn of the loop: poll the broker's socket; read what it holds (every
 * message is parsed and kept in the batch, its PUBACK queued inside the
 * library, unsent); commit the batch in one transaction; only then let the
 * library write (the PUBACKs, pings, the subscription). A failed commit
 * throws the connection away with its queued PUBACKs (mosquitto_destroy
 * closes the socket without writing) and waits for the database; the broker
 * sends the unacknowledged messages again to the same session.
 *
 * Subscriptions, QoS 1: zebrapad/+/counts, or with [collect] shared =
 * yes $share/<group>/zebrapad/+/counts, so that the rows are split between
 * the collectors of a group; and zebrapad/+/status without $share, because
 * an MQTT 5 broker sends no retained message to a shared subscription and a
 * new collector should learn every site's last status. Without shared,
 * every collector writes every row (the upsert makes the second write
 * change nothing): redundancy rather than a split. Shared is not the
 * default because Mosquitto 2.0 restores a persistent session's queued
 * messages after a restart but not its shared subscriptions: rows published
 * between the broker's return and the collectors' next SUBSCRIBE have no
 * subscriber and are dropped, though the exporter was told they arrived
 * (tests/test_collect.c, broker_restart_forgets_shared_subscriptions).
 */
#include "collect.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 5000

struct collector {
	const zp_collect_params *p;
	int stop_fd;
	zp_collect_stats *stats;
	struct mosquitto *mosq;
	zp_collect_db *db;
	bool connected;     /* CONNACK success seen */
	bool refused;       /* the broker refused the connection (logged) */
	zp_collect_msg *batch;
	int nbatch, capbatch;
	bool oom;           /* a message could not be kept: do not acknowledge this turn */
	char password[256];
	zp_ratelimit rl_invalid, rl_broker, rl_db, rl_lib;
};

/* "collect: WHAT: DETAIL", the first at once, then at most one a minute with the count skipped. */
static void log_limited(zp_ratelimit *rl, int level, const char *what, const char *detail)
{
	uint64_t skipped = 0;

	if (!zp_ratelimit_ok(rl, zp_now_ms(), 60000, &skipped))
		return;
	if (skipped)
		zp_log(level, "collect: %s: %s (and %llu more like it since the last)", what, detail,
		       (unsigned long long)skipped);
	else
		zp_log(level, "collect: %s: %s", what, detail);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags, const mosquitto_property *props)
{
	struct collector *c = obj;
	char topic[160];
	const zp_collect_params *p = c->p;

	(void)props;
	if (rc != 0) {
		c->refused = true;
		zp_log(ZP_LOG_ERR, "collect: broker %s:%d refused the connection: %s", p->broker_host, p->broker_port,
		       mosquitto_reason_string(rc));
		return;
	}
	c->connected = true;
	c->refused = false;
	if (c->stats)
		c->stats->connects++;
	zp_log(ZP_LOG_INFO, "collect: connected to %s:%d as %s (session %s)", p->broker_host, p->broker_port,
	       p->client_id, (flags & 1) ? "resumed" : "new");
	if (p->shared)
		snprintf(topic, sizeof(topic), "$share/%s/zebrapad/+/counts", p->group);
	else
		snprintf(topic, sizeof(topic), "zebrapad/+/counts");
	if (mosquitto_subscribe_v5(mosq, NULL, topic, 1, 0, NULL) != MOSQ_ERR_SUCCESS)
		zp_log(ZP_LOG_ERR, "collect: cannot subscribe to %s", topic);
	if (mosquitto_subscribe_v5(mosq, NULL, "zebrapad/+/status", 1, 0, NULL) != MOSQ_ERR_SUCCESS)
		zp_log(ZP_LOG_ERR, "collect: cannot subscribe to zebrapad/+/status");
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc, const mosquitto_property *props)
{
	struct collector *c = obj;

	(void)mosq;
	(void)props;
	if (c->connected && rc != 0)
		zp_log(ZP_LOG_WARNING, "collect: lost the broker %s:%d (%s)", c->p->broker_host, c->p->broker_port,
		       mosquitto_reason_string(rc));
	c->connected = false;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m,
		       const mosquitto_property *props)
{
	struct collector *c = obj;
	char err[300];

	(void)mosq;
	(void)props;
	if (c->stats)
		c->stats->messages++;
	if (c->nbatch == c->capbatch) {
		int cap = c->capbatch ? c->capbatch * 2 : 64;
		zp_collect_msg *b = realloc(c->batch, (size_t)cap * sizeof(*b));

		if (!b) {
			c->oom = true;
			return;
		}
		c->batch = b;
		c->capbatch = cap;
	}
	if (zp_collect_parse(m->topic, m->payload, m->payloadlen > 0 ? (size_t)m->payloadlen : 0,
			     &c->batch[c->nbatch], err, sizeof(err)) == 0) {
		c->nbatch++;
		return;
	}
	if (c->stats)
		c->stats->invalid++;
	log_limited(&c->rl_invalid, ZP_LOG_WARNING, "message dropped", err);
}

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *text)
{
	struct collector *c = obj;

	(void)mosq;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		log_limited(&c->rl_lib, ZP_LOG_WARNING, "mqtt", text);
}

static void batch_clear(struct collector *c)
{
	for (int i = 0; i < c->nbatch; i++)
		zp_collect_msg_free(&c->batch[i]);
	c->nbatch = 0;
}

/* Close the broker connection without writing anything queued (unsent PUBACKs stay unsent). */
static void broker_drop(struct collector *c)
{
	if (c->mosq)
		mosquitto_destroy(c->mosq);
	c->mosq = NULL;
	c->connected = false;
}

static int read_password(const char *path, char *out, size_t size, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return zp_seterr(err, errlen, ZP_EINVAL, "password_file: %s: cannot open (%s)", path, strerror(errno));
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	fclose(f);
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	if (!n)
		return zp_seterr(err, errlen, ZP_EINVAL, "password_file: %s: expected the password on its first line",
				 path);
	return 0;
}

/* A new client, connecting; 0, ZP_EIO (retry) or ZP_EINVAL (the library refuses the config). */
static int broker_connect(struct collector *c)
{
	const zp_collect_params *p = c->p;
	mosquitto_property *props = NULL;
	int rc;

	c->mosq = mosquitto_new(p->client_id, false, c);
	if (!c->mosq)
		return ZP_ENOMEM;
	mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_threaded_set(c->mosq, true); /* packets queued, written only by us, after the commit */
	mosquitto_connect_v5_callback_set(c->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(c->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(c->mosq, on_message);
	mosquitto_log_callback_set(c->mosq, on_log);
	if (p->cafile[0]) {
		rc = mosquitto_tls_set(c->mosq, p->cafile, NULL, p->certfile[0] ? p->certfile : NULL,
				       p->keyfile[0] ? p->keyfile : NULL, NULL);
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mosquitto_tls_opts_set(c->mosq, 1, "tlsv1.2", NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			zp_log(ZP_LOG_ERR, "collect: TLS files (cafile %s, certfile %s, keyfile %s): %s", p->cafile,
			       p->certfile, p->keyfile, mosquitto_strerror(rc));
			broker_drop(c);
			return ZP_EINVAL;
		}
	}
	if (p->username[0])
		mosquitto_username_pw_set(c->mosq, p->username, c->password[0] ? c->password : NULL);
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, (uint32_t)p->session_expiry_s);
	mosquitto_property_add_int16(&props, MQTT_PROP_RECEIVE_MAXIMUM, (uint16_t)p->inflight);
	c->refused = false;
	rc = mosquitto_connect_bind_v5(c->mosq, p->broker_host, p->broker_port, p->keepalive_s, NULL, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		char where[320];

		snprintf(where, sizeof(where), "cannot connect to the broker %s:%d", p->broker_host, p->broker_port);
		log_limited(&c->rl_broker, ZP_LOG_ERR, where,
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		broker_drop(c);
		return ZP_EIO;
	}
	return 0;
}

/* Wait ms, or less when stop_fd becomes readable. true: stop. */
static bool wait_stop(int stop_fd, int ms)
{
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	int64_t until = zp_now_ms() + ms;

	for (;;) {
		int64_t left = until - zp_now_ms();
		int n;

		if (left < 0)
			left = 0;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

/* Commit the batch; on success the queued acknowledgements may go. false: the batch was not committed. */
static bool commit_batch(struct collector *c)
{
	char err[600];

	if (c->oom) {
		zp_log(ZP_LOG_ERR, "collect: out of memory keeping a message: not acknowledged, reconnecting");
		c->oom = false;
		batch_clear(c);
		return false;
	}
	if (!c->nbatch)
		return true;
	if (zp_collect_db_apply(c->db, c->batch, c->nbatch, c->stats ? &c->stats->db : NULL, err, sizeof(err))) {
		log_limited(&c->rl_db, ZP_LOG_ERR, err, "not acknowledged: the broker sends them again");
		batch_clear(c);
		zp_collect_db_close(c->db);
		c->db = NULL;
		return false;
	}
	if (c->stats)
		c->stats->batches++;
	batch_clear(c);
	return true;
}

/* Flush queued packets on stop (everything received is committed), then DISCONNECT. */
static void broker_close(struct collector *c)
{
	int64_t until = zp_now_ms() + 2000;

	if (!c->mosq)
		return;
	if (c->connected) {
		mosquitto_disconnect_v5(c->mosq, 0, NULL);
		while (mosquitto_want_write(c->mosq) && zp_now_ms() < until) {
			struct pollfd pfd = { .fd = mosquitto_socket(c->mosq), .events = POLLOUT };

			if (pfd.fd < 0 || poll(&pfd, 1, 100) < 0)
				break;
			if (mosquitto_loop_write(c->mosq, 1) != MOSQ_ERR_SUCCESS)
				break;
		}
	}
	broker_drop(c);
}

int zp_collect_run(const zp_collect_params *p, int stop_fd, zp_collect_stats *stats)
{
	struct collector c = { .p = p, .stop_fd = stop_fd, .stats = stats };
	zp_collect_params pp = *p;
	int backoff = BACKOFF_MIN_MS, rc = 0;
	char err[600];

	if (!pp.broker_port)
		pp.broker_port = pp.cafile[0] ? 8883 : 1883;
	c.p = &pp;
	if (pp.password_file[0] && read_password(pp.password_file, c.password, sizeof(c.password), err,
						 sizeof(err)) != 0) {
		zp_log(ZP_LOG_ERR, "collect: %s", err);
		return ZP_EINVAL;
	}
	mosquitto_lib_init();
	while (!wait_stop(stop_fd, 0)) {
		struct pollfd pfd[2];
		int code;

		if (!c.db) {
			c.db = zp_collect_db_open(pp.database, &code, err, sizeof(err));
			if (!c.db) {
				if (code == ZP_EINVAL) {
					zp_log(ZP_LOG_ERR, "collect: %s", err);
					rc = ZP_EINVAL;
					break;
				}
				log_limited(&c.rl_db, ZP_LOG_ERR, err, "retrying");
				broker_drop(&c); /* nothing is received while the rows cannot be kept */
				wait_stop(stop_fd, backoff);
				backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
				continue;
			}
		}
		if (!c.mosq) {
			code = broker_connect(&c);
			if (code == ZP_EINVAL || code == ZP_ENOMEM) {
				rc = code;
				break;
			}
			if (code) {
				wait_stop(stop_fd, backoff);
				backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
				continue;
			}
		}
		pfd[0].fd = mosquitto_socket(c.mosq);
		pfd[0].events = POLLIN | (mosquitto_want_write(c.mosq) ? POLLOUT : 0);
		pfd[0].revents = 0;
		pfd[1].fd = stop_fd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		if (pfd[0].fd < 0 || poll(pfd, 2, 500) < 0) {
			if (pfd[0].fd < 0 || errno != EINTR) {
				broker_drop(&c);
				wait_stop(stop_fd, backoff);
			}
			continue;
		}
		code = MOSQ_ERR_SUCCESS;
		/* libmosquitto reads about one packet a call: read on while the socket holds more, up to the
		 * receive maximum, so that one transaction commits many rows */
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			code = mosquitto_loop_read(c.mosq, 1);
			while (code == MOSQ_ERR_SUCCESS && c.nbatch < pp.inflight) {
				struct pollfd more = { .fd = mosquitto_socket(c.mosq), .events = POLLIN };

				if (more.fd < 0 || poll(&more, 1, 0) <= 0)
					break;
				code = mosquitto_loop_read(c.mosq, 1);
			}
		}
		/* what was read is committed before anything is written */
		if (!commit_batch(&c)) {
			broker_drop(&c);
			continue;
		}
		if (code == MOSQ_ERR_SUCCESS && mosquitto_want_write(c.mosq))
			code = mosquitto_loop_write(c.mosq, 1);
		if (code == MOSQ_ERR_SUCCESS)
			code = mosquitto_loop_misc(c.mosq);
		if (code != MOSQ_ERR_SUCCESS || c.refused) {
			if (!c.refused)
				log_limited(&c.rl_broker, ZP_LOG_WARNING, "broker connection lost, reconnecting",
					    code == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(code));
			broker_drop(&c);
			wait_stop(stop_fd, backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		if (c.connected)
			backoff = BACKOFF_MIN_MS;
	}
	broker_close(&c);
	batch_clear(&c);
	free(c.batch);
	zp_collect_db_close(c.db);
	mosquitto_lib_cleanup();
	if (stats)
		zp_log(ZP_LOG_INFO,
		       "collect: %llu messages: %llu rows new, %llu replaced, %llu duplicates, %llu refused, "
		       "%llu statuses, %llu invalid; %llu commits, %llu connections",
		       (unsigned long long)stats->messages, (unsigned long long)stats->db.inserted,
		       (unsigned long long)stats->db.replaced, (unsigned long long)stats->db.unchanged,
		       (unsigned long long)stats->db.rejected, (unsigned long long)stats->db.statuses,
		       (unsigned long long)stats->invalid, (unsigned long long)stats->batches,
		       (unsigned long long)stats->connects);
	return rc;
}
