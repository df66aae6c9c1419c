/* SPDX-License-Identifier: MIT */
/*
 * fleet.c - see fleet.h. The broker and PostgreSQL run as nobody when this
 * process is root (CI), as this user otherwise.
 */
#include "fleet.h"
#include "ports.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void fleet_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void fleet_path(const fleet *f, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", f->dir, name);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fleet: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

/* Write a configuration file from a printf format; 0, or -1 (said on stderr). */
static int write_config(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int write_config(const char *path, const char *fmt, ...)
{
	FILE *fp = fopen(path, "w");
	va_list ap;

	if (!fp)
		return fail("%s: %s", path, strerror(errno));
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
	return 0;
}

/* fork + (setgid/setuid to f->uid when drop) + exec; stdout/stderr to log (appended). */
static pid_t spawn(const fleet *f, bool drop, const char *log, char *const argv[])
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (drop && geteuid() == 0 && (setgid(f->gid) != 0 || setuid(f->uid) != 0)) {
		fprintf(stderr, "fleet: cannot become uid %d: %s\n", (int)f->uid, strerror(errno));
		_exit(126);
	}
	if (log) { /* opened as the user the program runs as, so that it can reopen it */
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	execv(argv[0], argv);
	fprintf(stderr, "fleet: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int run_wait(const fleet *f, bool drop, const char *log, char *const argv[])
{
	int st;
	pid_t pid = spawn(f, drop, log, argv);

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return fail("%s: cannot run", argv[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("%s failed (status %d), see %s", argv[0], st, log ? log : "stderr");
	return 0;
}

static int sh(const fleet *f, const char *cmd)
{
	char log[300];
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

	fleet_path(f, "setup.log", log, sizeof(log));
	return run_wait(f, false, log, argv);
}

/* The certificates: EC P-256, valid a day, made by openssl. */
static int make_certs(fleet *f)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "set -e; cd '%s'; "
		 "k() { openssl ecparam -name prime256v1 -genkey -noout -out $1.key; }; "
		 "ca() { k $1; openssl req -x509 -new -key $1.key -days 2 -subj \"/CN=$2\" -out $1.crt "
		 "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; }; "
		 "leaf() { k $1; openssl req -new -key $1.key -subj \"/CN=$2\" -out $1.csr; "
		 "printf '%%s\\n' \"$4\" > $1.ext; "
		 "openssl x509 -req -in $1.csr -CA $3.crt -CAkey $3.key -CAcreateserial -days 2 -extfile $1.ext "
		 "-out $1.crt; rm $1.csr $1.ext; }; "
		 "ca ca 'zebrapad test CA'; ca rogue-ca 'someone else'; "
		 "leaf server 127.0.0.1 ca 'subjectAltName=IP:127.0.0.1,DNS:localhost'; "
		 "leaf device site-a ca 'extendedKeyUsage=clientAuth'; "
		 "leaf collector town-hall ca 'extendedKeyUsage=clientAuth'; "
		 "leaf rogue site-a rogue-ca 'extendedKeyUsage=clientAuth'; "
		 "chmod 0644 *.key",
		 f->dir);
	return sh(f, cmd);
}

int fleet_init(fleet *f)
{
	const char *tmp = getenv("TMPDIR"), *tmpl;
	struct passwd *pw;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/zp-fleet.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return fail("mkdtemp %s: %s", f->dir, strerror(errno));
	f->uid = getuid();
	f->gid = getgid();
	if (geteuid() == 0) {
		pw = getpwnam("nobody");
		if (!pw)
			return fail("running as root and there is no user nobody to run PostgreSQL as");
		f->uid = pw->pw_uid;
		f->gid = pw->pw_gid;
		if (chown(f->dir, f->uid, f->gid) != 0)
			return fail("chown %s: %s", f->dir, strerror(errno));
	}
	chmod(f->dir, 0755);
	{
		int ports[3];

		if (zp_test_free_ports(ports, 3) != 0)
			return fail("no free port on 127.0.0.1");
		f->tls_port = ports[0];
		f->plain_port = ports[1];
		f->pg_port = ports[2];
	}
	snprintf(f->dbname, sizeof(f->dbname), "zebrapad");
	snprintf(f->conninfo, sizeof(f->conninfo), "host=127.0.0.1 port=%d user=postgres dbname=%s connect_timeout=5",
		 f->pg_port, f->dbname);
	tmpl = getenv("ZP_FLEET_TEMPLATE");
	if (tmpl && *tmpl) {
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "cp -a '%s'/. '%s'/", tmpl, f->dir);
		return sh(f, cmd);
	}
	return make_certs(f);
}

static int fleet_broker_start_try(fleet *f, int attempt)
{
	char conf[300], log[300], text[3000];
	int64_t until;

	fleet_path(f, "mosquitto.conf", conf, sizeof(conf));
	fleet_path(f, "mosquitto.log", log, sizeof(log));
	snprintf(text, sizeof(text),
		 "per_listener_settings false\n"
		 "allow_anonymous true\n"
		 "persistence true\n"
		 "persistence_location %s/\n"
		 "autosave_interval 1\n"
		 "log_dest stderr\n"
		 "log_type error\nlog_type warning\nlog_type notice\nlog_type information\nlog_type subscribe\n"
		 "connection_messages true\n"
		 "max_queued_messages 0\n"
		 "%s\n"
		 "listener %d 127.0.0.1\n"
		 "listener %d 127.0.0.1\n"
		 "cafile %s/ca.crt\ncertfile %s/server.crt\nkeyfile %s/server.key\n"
		 "require_certificate true\nuse_identity_as_username true\n",
		 f->dir, f->broker_extra, f->plain_port, f->tls_port, f->dir, f->dir, f->dir);
	if (write_config(conf, "%s", text))
		return -1;
	{
		char *argv[] = { "/usr/sbin/mosquitto", "-c", conf, NULL };

		f->broker = spawn(f, true, log, argv);
	}
	if (f->broker < 0)
		return fail("cannot start mosquitto");
	until = zp_now_ms() + 10000;
	while (zp_now_ms() < until) {
		int st;

		if (waitpid(f->broker, &st, WNOHANG) == f->broker) {
			int ports[2];

			f->broker = 0;
			/* A port taken since it was chosen: before any client knows the ports, take others. */
			if (!f->broker_listened && attempt < 3 && zp_test_free_ports(ports, 2) == 0) {
				fprintf(stderr, "fleet: mosquitto exited at start (port %d or %d taken?), trying %d and %d\n",
					f->tls_port, f->plain_port, ports[0], ports[1]);
				f->tls_port = ports[0];
				f->plain_port = ports[1];
				return fleet_broker_start_try(f, attempt + 1);
			}
			return fail("mosquitto exited at start, see %s", log);
		}
		if (zp_test_port_open(f->tls_port) && zp_test_port_open(f->plain_port)) {
			f->broker_listened = true;
			return 0;
		}
		fleet_sleep_ms(20);
	}
	return fail("mosquitto does not listen after 10 s, see %s", log);
}

int fleet_broker_start(fleet *f, const char *extra)
{
	if (extra)
		snprintf(f->broker_extra, sizeof(f->broker_extra), "%s", extra);
	return fleet_broker_start_try(f, 0);
}

/* A child's wait status as one number: its exit code, or 128 + the signal that ended it. */
static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Stop the child *pid (SIGTERM, or SIGKILL with kill9; see zp_test_stop_child), reap it and forget it: its exit_code(); 0 when none ran. */
static int stop_child(pid_t *pid, bool kill9)
{
	int st;

	if (*pid <= 0)
		return 0;
	st = zp_test_stop_child(*pid, kill9);
	*pid = 0;
	return exit_code(st);
}

int fleet_broker_stop(fleet *f, bool kill9)
{
	stop_child(&f->broker, kill9);
	return 0;
}

static int pg_bindir(fleet *f)
{
	glob_t g;

	if (f->pg_bin[0])
		return 0;
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0 || g.gl_pathc == 0)
		return fail("no PostgreSQL server (apt install postgresql: /usr/lib/postgresql/*/bin/initdb)");
	snprintf(f->pg_bin, sizeof(f->pg_bin), "%s", g.gl_pathv[g.gl_pathc - 1]);
	*strrchr(f->pg_bin, '/') = '\0';
	globfree(&g);
	return 0;
}

int fleet_pg_initdb(fleet *f)
{
	char data[300], prog[320], st[320];
	struct stat sb;

	if (pg_bindir(f))
		return -1;
	fleet_path(f, "pgdata", data, sizeof(data));
	snprintf(st, sizeof(st), "%s/PG_VERSION", data);
	if (stat(st, &sb) != 0) {
		char *argv[] = { prog, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
				 "--no-sync", NULL };

		char ilog[300];

		fleet_path(f, "initdb.log", ilog, sizeof(ilog));
		snprintf(prog, sizeof(prog), "%s/initdb", f->pg_bin);
		if (run_wait(f, true, ilog, argv))
			return -1;
	}
	return 0;
}

int fleet_pg_start(fleet *f)
{
	char data[300], log[300], prog[320], opts[600];

	if (fleet_pg_initdb(f))
		return -1;
	fleet_path(f, "pgdata", data, sizeof(data));
	fleet_path(f, "postgres.log", log, sizeof(log));
	/* fsync off for the tests: they kill collectors and brokers, never PostgreSQL */
	snprintf(opts, sizeof(opts),
		 "-p %d -k %s -c listen_addresses=127.0.0.1 %s -c max_connections=40 -c shared_buffers=32MB",
		 f->pg_port, f->dir, f->pg_durable ? "" : "-c fsync=off -c full_page_writes=off");
	{
		char *argv[] = { prog, "-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start", NULL };

		snprintf(prog, sizeof(prog), "%s/pg_ctl", f->pg_bin);
		if (run_wait(f, true, NULL, argv))
			return fail("PostgreSQL did not start, see %s", log);
	}
	f->pg_up = true;
	return fleet_pg_createdb(f, f->dbname);
}

int fleet_pg_createdb(fleet *f, const char *name)
{
	char prog[320], port[16];
	char *argv[] = { prog, "-h", "127.0.0.1", "-p", port, "-U", "postgres", (char *)name, NULL };

	snprintf(prog, sizeof(prog), "%s/createdb", f->pg_bin);
	snprintf(port, sizeof(port), "%d", f->pg_port);
	return run_wait(f, false, NULL, argv);
}

int fleet_pg_stop(fleet *f)
{
	char data[300], prog[320];
	char *argv[] = { prog, "-D", data, "-m", "immediate", "-w", "stop", NULL };

	if (!f->pg_up)
		return 0;
	fleet_path(f, "pgdata", data, sizeof(data));
	snprintf(prog, sizeof(prog), "%s/pg_ctl", f->pg_bin);
	f->pg_up = false;
	return run_wait(f, true, NULL, argv);
}

int fleet_collector_start(fleet *f, int i, const char *zebrapad, const char *cert, const char *extra)
{
	char ini[300], log[300];

	if (i < 0 || i >= FLEET_MAX_COLLECTORS)
		return fail("collector %d: at most %d", i, FLEET_MAX_COLLECTORS);
	snprintf(ini, sizeof(ini), "%s/collect-%d.ini", f->dir, i);
	snprintf(log, sizeof(log), "%s/collect-%d.log", f->dir, i);
	if (write_config(ini,
			"[collect]\nbroker_host = 127.0.0.1\nbroker_port = %d\ncafile = %s/ca.crt\n"
			"certfile = %s/%s.crt\nkeyfile = %s/%s.key\nclient_id = collector-%d\ngroup = townhall\n"
			"keepalive_s = 5\n%s%s%s\n%s\n",
			f->tls_port, f->dir, f->dir, cert ? cert : "collector", f->dir, cert ? cert : "collector", i,
			extra && strstr(extra, "database") ? "" : "database = ",
			extra && strstr(extra, "database") ? "" : f->conninfo, "", extra ? extra : ""))
		return -1;
	{
		char *argv[] = { (char *)zebrapad, "collect", "--config", ini, NULL };

		f->collector[i] = spawn(f, false, log, argv);
	}
	return f->collector[i] > 0 ? 0 : fail("cannot start %s", zebrapad);
}

int fleet_collector_stop(fleet *f, int i, bool kill9)
{
	int code = stop_child(&f->collector[i], kill9);

	if (kill9)
		return 0;
	return code == 0 ? 0 : fail("collector %d exited with %d", i, code);
}

int fleet_store_make(fleet *f, const char *site, int64_t t0, int n, uint32_t seed)
{
	static const char *const zones[3] = { "kerb-north", "crossing", "kerb-south" };
	char dir[300], err[300];
	zp_store_params p;
	zp_store_row *rows;
	zp_store *s;
	int rc, k = 0;

	snprintf(dir, sizeof(dir), "%s/%s", f->dir, site);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/%s/state", f->dir, site);
	mkdir(dir, 0755);
	zp_store_params_default(&p);
	if ((size_t)snprintf(p.path, sizeof(p.path), "%.200s/%.40s/counts.db", f->dir, site) >= sizeof(p.path))
		return fail("store path too long");
	s = zp_store_open(&p, zones, 3, 0, NULL, err, sizeof(err));
	if (!s)
		return fail("store %s: %s", p.path, err);
	rows = calloc((size_t)n * 4, sizeof(*rows));
	if (!rows) {
		zp_store_close(s);
		return fail("out of memory");
	}
	for (int i = 0; i < n; i++)
		for (int z = 0; z < 4; z++) {
			zp_store_row *r = &rows[k++];
			uint32_t h = (uint32_t)i * 2654435761u ^ seed * 40503u ^ (uint32_t)z * 97u;

			h ^= h >> 13;
			h *= 0x5bd1e995u;
			h ^= h >> 15;
			r->interval_start = t0 + 60 * (int64_t)i;
			r->interval_s = 60;
			snprintf(r->zone, sizeof(r->zone), "%s", z == 3 ? ZP_STORE_CROSSING : zones[z]);
			r->entered = z == 3 ? -1 : (int64_t)(h % 9);
			r->occupied_s = z == 3 ? -1 : (double)(h % 6000) / 100.0;
			r->light_activations = z == 3 ? (int64_t)(h % 5) : -1;
			r->light_on_s = z == 3 ? (double)(h % 5900) / 100.0 : -1;
			r->fault_s = z == 3 ? (double)((h >> 7) % 100) / 100.0 : -1;
			/* the crossing zone (sides: the two kerbs) has its crossings by direction; the others none */
			r->crossed_a_to_b = z == 1 ? (int64_t)((h >> 3) % 4) : -1;
			r->crossed_b_to_a = z == 1 ? (int64_t)((h >> 5) % 4) : -1;
		}
	rc = zp_store_write(s, rows, (size_t)k);
	zp_store_close(s);
	free(rows);
	return rc == 0 ? 0 : fail("store %s: write failed (%d)", p.path, rc);
}

int fleet_exporter_start(fleet *f, int k, const char *zebrapad, const char *site, const char *cert,
			 const char *extra, const char *opt)
{
	char ini[300], log[300];
	int rc;

	if (k < 0 || k >= FLEET_MAX_EXPORTERS)
		return fail("exporter %d: at most %d", k, FLEET_MAX_EXPORTERS);
	snprintf(ini, sizeof(ini), "%s/%s/site.ini", f->dir, site);
	snprintf(log, sizeof(log), "%s/%s/export.log", f->dir, site);
	if (cert && !strcmp(cert, "plain"))
		rc = write_config(ini,
			"[store]\npath = %s/%s/counts.db\n[health]\nprom_file = %s/%s/zebrapad.prom\n"
			"[export]\nbroker = 127.0.0.1\nport = %d\nsite = %s\n"
			"cursor_file = %s/%s/state/cursor.json\nprom_file = %s/%s/state/export.prom\n%s\n",
			f->dir, site, f->dir, site, f->plain_port, site, f->dir, site, f->dir, site, extra ? extra : "");
	else
		rc = write_config(ini,
			"[store]\npath = %s/%s/counts.db\n[health]\nprom_file = %s/%s/zebrapad.prom\n"
			"[export]\nbroker = 127.0.0.1\nport = %d\nsite = %s\nca_file = %s/ca.crt\ncert_file = %s/%s.crt\n"
			"key_file = %s/%s.key\ncursor_file = %s/%s/state/cursor.json\nprom_file = %s/%s/state/export.prom\n"
			"%s\n",
			f->dir, site, f->dir, site, f->tls_port, site, f->dir, f->dir, cert ? cert : "device", f->dir,
			cert ? cert : "device", f->dir, site, f->dir, site, extra ? extra : "");
	if (rc)
		return -1;
	f->exporter[k] = fork();
	if (f->exporter[k] == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		/* LeakSanitizer cannot stop the world under the exporter's seccomp filter */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execl(zebrapad, "zebrapad", "export", "--config", ini, opt, (char *)NULL);
		_exit(127);
	}
	return f->exporter[k] > 0 ? 0 : fail("cannot start %s export", zebrapad);
}

int fleet_exporter_stop(fleet *f, int k, bool kill9)
{
	return stop_child(&f->exporter[k], kill9);
}

int fleet_exporter_wait(fleet *f, int k, int timeout_ms)
{
	int64_t until = zp_now_ms() + timeout_ms;
	int st;

	while (zp_now_ms() < until) {
		if (waitpid(f->exporter[k], &st, WNOHANG) == f->exporter[k]) {
			f->exporter[k] = 0;
			return exit_code(st);
		}
		fleet_sleep_ms(20);
	}
	fleet_exporter_stop(f, k, true);
	return -1;
}

void fleet_destroy(fleet *f)
{
	char cmd[400];

	for (int k = 0; k < FLEET_MAX_EXPORTERS; k++)
		if (f->exporter[k] > 0)
			fleet_exporter_stop(f, k, true);
	for (int i = 0; i < FLEET_MAX_COLLECTORS; i++)
		if (f->collector[i] > 0)
			fleet_collector_stop(f, i, true);
	fleet_broker_stop(f, true);
	fleet_pg_stop(f);
	if (f->dir[0] && !getenv("ZP_FLEET_KEEP")) {
		char *argv[] = { "/bin/rm", "-rf", f->dir, NULL };

		run_wait(f, false, NULL, argv);
	} else if (f->dir[0]) {
		snprintf(cmd, sizeof(cmd), "fleet: kept %s (ZP_FLEET_KEEP)", f->dir);
		fprintf(stderr, "%s\n", cmd);
	}
}

/* ---- the publisher ---- */

struct fleet_pub {
	struct mosquitto *m;
	pthread_mutex_t lock;
	uint64_t sent, acked;
	bool connected;
};

static void pub_on_publish(struct mosquitto *m, void *obj, int mid)
{
	fleet_pub *p = obj;

	(void)m;
	(void)mid;
	pthread_mutex_lock(&p->lock);
	p->acked++;
	pthread_mutex_unlock(&p->lock);
}

static void pub_on_connect(struct mosquitto *m, void *obj, int rc)
{
	fleet_pub *p = obj;

	(void)m;
	pthread_mutex_lock(&p->lock);
	p->connected = rc == 0;
	pthread_mutex_unlock(&p->lock);
}

fleet_pub *fleet_pub_open(fleet *f, const char *client_id, const char *cert, bool tls)
{
	fleet_pub *p = calloc(1, sizeof(*p));
	char ca[300], crt[300], key[300];
	int64_t until;

	if (!p)
		return NULL;
	mosquitto_lib_init();
	pthread_mutex_init(&p->lock, NULL);
	/* a persistent session: what the broker has not acknowledged is sent again after a reconnect */
	p->m = mosquitto_new(client_id, false, p);
	if (!p->m)
		goto fail;
	mosquitto_int_option(p->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_max_inflight_messages_set(p->m, 100);
	mosquitto_publish_callback_set(p->m, pub_on_publish);
	mosquitto_connect_callback_set(p->m, pub_on_connect);
	if (tls) {
		fleet_path(f, "ca.crt", ca, sizeof(ca));
		snprintf(crt, sizeof(crt), "%s/%s.crt", f->dir, cert ? cert : "device");
		snprintf(key, sizeof(key), "%s/%s.key", f->dir, cert ? cert : "device");
		if (mosquitto_tls_set(p->m, ca, NULL, crt, key, NULL) != MOSQ_ERR_SUCCESS)
			goto fail;
	}
	if (mosquitto_connect_async(p->m, "127.0.0.1", tls ? f->tls_port : f->plain_port, 10) != MOSQ_ERR_SUCCESS ||
	    mosquitto_loop_start(p->m) != MOSQ_ERR_SUCCESS)
		goto fail;
	until = zp_now_ms() + 10000;
	while (zp_now_ms() < until) {
		bool c;

		pthread_mutex_lock(&p->lock);
		c = p->connected;
		pthread_mutex_unlock(&p->lock);
		if (c)
			return p;
		fleet_sleep_ms(10);
	}
	fail("publisher %s: not connected after 10 s", client_id);
fail:
	fleet_pub_close(p);
	return NULL;
}

int fleet_pub_send(fleet_pub *p, const char *topic, const char *json, bool retain)
{
	int rc;

	for (;;) {
		rc = mosquitto_publish(p->m, NULL, topic, (int)strlen(json), json, 1, retain);
		if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN) /* queued; sent when connected */
			break;
		if (rc != MOSQ_ERR_OVERSIZE_PACKET && rc != MOSQ_ERR_NOMEM)
			fleet_sleep_ms(1);
		else
			return fail("publish %s: %s", topic, mosquitto_strerror(rc));
	}
	pthread_mutex_lock(&p->lock);
	p->sent++;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int fleet_pub_wait(fleet_pub *p, int timeout_ms)
{
	int64_t until = zp_now_ms() + timeout_ms;

	while (zp_now_ms() < until) {
		bool done;

		pthread_mutex_lock(&p->lock);
		done = p->acked >= p->sent;
		pthread_mutex_unlock(&p->lock);
		if (done)
			return 0;
		fleet_sleep_ms(10);
	}
	return fail("publisher: %llu of %llu acknowledged after %d ms", (unsigned long long)p->acked,
		    (unsigned long long)p->sent, timeout_ms);
}

void fleet_pub_close(fleet_pub *p)
{
	if (!p)
		return;
	if (p->m) {
		mosquitto_disconnect(p->m);
		mosquitto_loop_stop(p->m, true);
		mosquitto_destroy(p->m);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
	mosquitto_lib_cleanup();
}
