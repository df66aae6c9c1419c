/* SPDX-License-Identifier: MIT */
/*
 * params.c - the [collect] config keys: defaults, one setter per key (the
 * key is the field name), the checks across keys, and the file (libinih).
 */
#include "collect.h"

#include <errno.h>
#include <ini.h>
#include <string.h>
#include <unistd.h>

void zp_collect_params_default(zp_collect_params *p)
{
	char host[64];

	memset(p, 0, sizeof(*p));
	zp_strlcpy(p->broker_host, "127.0.0.1", sizeof(p->broker_host));
	if (gethostname(host, sizeof(host)) != 0)
		zp_strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(p->client_id, sizeof(p->client_id), "zebrapad-collect-%s", host);
	zp_strlcpy(p->group, "zebrapad", sizeof(p->group));
	p->session_expiry_s = 604800;
	p->inflight = 100;
	p->keepalive_s = 30;
	zp_strlcpy(p->database, "dbname=zebrapad", sizeof(p->database));
}

static int set_str(char *dst, size_t size, const char *key, const char *value, bool allow_empty, char *err,
		   size_t errlen)
{
	if (strlen(value) >= size)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected at most %zu characters, got %zu", key, size - 1,
				 strlen(value));
	if (!allow_empty && !value[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected a value, got ''", key);
	zp_strlcpy(dst, value, size);
	return 0;
}

static int set_int(int *dst, const char *key, const char *value, long min, long max, char *err, size_t errlen)
{
	char msg[160];

	if (zp_parse_int(value, min, max, dst, msg, sizeof(msg)) != 0)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s", key, msg);
	return 0;
}

/* An MQTT topic level: no '/', '+', '#'. */
static bool topic_level_ok(const char *s)
{
	return s[0] && !strpbrk(s, "/+#");
}

int zp_collect_params_set(zp_collect_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	char msg[160];

	if (!strcmp(key, "broker_host"))
		return set_str(p->broker_host, sizeof(p->broker_host), key, value, false, err, errlen);
	if (!strcmp(key, "broker_port"))
		return set_int(&p->broker_port, key, value, 1, 65535, err, errlen);
	if (!strcmp(key, "cafile"))
		return set_str(p->cafile, sizeof(p->cafile), key, value, true, err, errlen);
	if (!strcmp(key, "certfile"))
		return set_str(p->certfile, sizeof(p->certfile), key, value, true, err, errlen);
	if (!strcmp(key, "keyfile"))
		return set_str(p->keyfile, sizeof(p->keyfile), key, value, true, err, errlen);
	if (!strcmp(key, "username"))
		return set_str(p->username, sizeof(p->username), key, value, true, err, errlen);
	if (!strcmp(key, "password_file"))
		return set_str(p->password_file, sizeof(p->password_file), key, value, true, err, errlen);
	if (!strcmp(key, "allow_plain")) {
		if (zp_parse_bool(value, &p->allow_plain, msg, sizeof(msg)) != 0)
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s", key, msg);
		return 0;
	}
	if (!strcmp(key, "shared")) {
		if (zp_parse_bool(value, &p->shared, msg, sizeof(msg)) != 0)
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s", key, msg);
		return 0;
	}
	if (!strcmp(key, "client_id")) {
		if (!value[0] || strlen(value) > 64)
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "client_id: expected 1 to 64 characters (fixed per collector), got '%s'", value);
		return set_str(p->client_id, sizeof(p->client_id), key, value, false, err, errlen);
	}
	if (!strcmp(key, "group")) {
		if (!topic_level_ok(value))
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "group: expected a name without '/', '+' or '#', got '%s'", value);
		return set_str(p->group, sizeof(p->group), key, value, false, err, errlen);
	}
	if (!strcmp(key, "session_expiry_s"))
		return set_int(&p->session_expiry_s, key, value, 60, 2147483647, err, errlen);
	if (!strcmp(key, "inflight"))
		return set_int(&p->inflight, key, value, 1, 65535, err, errlen);
	if (!strcmp(key, "keepalive_s"))
		return set_int(&p->keepalive_s, key, value, 5, 65535, err, errlen);
	if (!strcmp(key, "database"))
		return set_str(p->database, sizeof(p->database), key, value, false, err, errlen);
	return zp_seterr(err, errlen, ZP_EINVAL,
			 "unknown key '%s' (expected broker_host, broker_port, cafile, certfile, keyfile, username, "
			 "password_file, allow_plain, client_id, shared, group, session_expiry_s, inflight, keepalive_s, "
			 "database)", key);
}

static bool is_loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

int zp_collect_params_check(const zp_collect_params *p, char *err, size_t errlen)
{
	const bool tls = p->cafile[0] != '\0';

	if ((p->certfile[0] != '\0') != (p->keyfile[0] != '\0'))
		return zp_seterr(err, errlen, ZP_EINVAL, "certfile and keyfile: expected both or neither");
	if (!tls && p->certfile[0])
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "certfile: a client certificate needs TLS (expected cafile, the broker's CA, too)");
	if (!tls && !p->allow_plain && !is_loopback(p->broker_host))
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "broker_host: '%s' is not on loopback: expected cafile (TLS), or allow_plain = yes",
				 p->broker_host);
	if (p->password_file[0] && !p->username[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "password_file: expected username too");
	return 0;
}

struct load_ctx {
	zp_collect_params *p;
	const char *path;
	char *err;
	size_t errlen;
	int rc;
	unsigned seen; /* keys set, one bit each (duplicates refused) */
	char key_names[24][32];
	int nkeys;
	FILE *f;
	int lineno; /* line the reader last handed out */
};

/* libinih's line reader, counting lines for the messages. */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *x = stream;
	char *r = fgets(str, num, x->f);

	if (r)
		x->lineno++;
	return r;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *x = user;
	const int lineno = x->lineno;
	char msg[400];

	if (x->rc)
		return 0;
	if (strcmp(section, "collect") != 0) {
		x->rc = zp_seterr(x->err, x->errlen, ZP_EINVAL, "%s:%d: section [%s]: expected only [collect]",
				  x->path, lineno, section);
		return 0;
	}
	for (int i = 0; i < x->nkeys; i++)
		if (!strcmp(x->key_names[i], name)) {
			x->rc = zp_seterr(x->err, x->errlen, ZP_EINVAL, "%s:%d: [collect] duplicate key '%s'",
					  x->path, lineno, name);
			return 0;
		}
	if (zp_collect_params_set(x->p, name, value, msg, sizeof(msg)) != 0) {
		x->rc = zp_seterr(x->err, x->errlen, ZP_EINVAL, "%s:%d: [collect] %s", x->path, lineno, msg);
		return 0;
	}
	if (x->nkeys < (int)(sizeof(x->key_names) / sizeof(x->key_names[0])))
		zp_strlcpy(x->key_names[x->nkeys++], name, sizeof(x->key_names[0]));
	return 1;
}

int zp_collect_params_load(const char *path, zp_collect_params *p, char *err, size_t errlen)
{
	struct load_ctx x = { .p = p, .path = path, .err = err, .errlen = errlen };
	char msg[400];
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (!f)
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: cannot open (%s)", path,
				 strerror(errno));
	x.f = f;
	rc = ini_parse_stream(read_line, &x, on_key, &x);
	if (ferror(f))
		rc = -1;
	fclose(f);
	if (x.rc)
		return x.rc;
	if (rc < 0)
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot read", path);
	if (rc > 0)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s:%d: expected [collect], key = value or a comment", path,
				 rc);
	if (zp_collect_params_check(p, msg, sizeof(msg)) != 0)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: [collect] %s", path, msg);
	return 0;
}
