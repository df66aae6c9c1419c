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

/* An MQTT topic level: no '/', '+', '#'. */
static int group_check(const char *value, char *err, size_t errlen)
{
	if (strpbrk(value, "/+#"))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected a name without '/', '+' or '#', got '%s'", value);
	return ZP_OK;
}

static int client_id_check(const char *value, char *err, size_t errlen)
{
	if (strlen(value) > 64)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected 1 to 64 characters (fixed per collector), got '%s'",
				 value);
	return ZP_OK;
}

#define TEXT(name, nonempty, check, def) ZP_TEXT_FIELD(zp_collect_params, name, nonempty, check, def)
#define INT(name, lo, hi, def) ZP_INT_FIELD(zp_collect_params, name, lo, hi, def)

/* broker_port 0 (the default, not a value to set): 8883 with TLS, else 1883; client_id's default names this host */
static const zp_field fields[] = {
	TEXT(broker_host, true, NULL, "127.0.0.1"),
	INT(broker_port, 1, 65535, 0),
	TEXT(cafile, false, NULL, ""),
	TEXT(certfile, false, NULL, ""),
	TEXT(keyfile, false, NULL, ""),
	TEXT(username, false, NULL, ""),
	TEXT(password_file, false, NULL, ""),
	ZP_BOOL_FIELD(zp_collect_params, allow_plain, false),
	TEXT(client_id, true, client_id_check, ""),
	ZP_BOOL_FIELD(zp_collect_params, shared, false),
	TEXT(group, true, group_check, "zebrapad"),
	INT(session_expiry_s, 60, 2147483647, 604800),
	INT(inflight, 1, 65535, 100),
	INT(keepalive_s, 5, 65535, 30),
	TEXT(database, true, NULL, "dbname=zebrapad"),
};

void zp_collect_params_default(zp_collect_params *p)
{
	char host[64];

	zp_fields_default(fields, ZP_FIELDS_N(fields), p, sizeof(*p));
	if (gethostname(host, sizeof(host)) != 0)
		zp_strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(p->client_id, sizeof(p->client_id), "zebrapad-collect-%s", host);
}

/* The messages name the key first ("inflight: expected ..."); an unknown key lists the known ones. */
int zp_collect_params_set(zp_collect_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	const zp_field *f = zp_field_find(fields, ZP_FIELDS_N(fields), key);
	char msg[200], keys[400];

	if (!f)
		return zp_seterr(err, errlen, ZP_EINVAL, "unknown key '%s' (expected %s)", key,
				 zp_fields_list(fields, ZP_FIELDS_N(fields), keys, sizeof(keys)));
	if (zp_field_set(f, p, value, msg, sizeof(msg)))
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: %s", key, msg);
	return ZP_OK;
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
