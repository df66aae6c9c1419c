/* SPDX-License-Identifier: MIT */
/*
 * params.c - the [export] config keys: defaults, one setter per key (the key
 * is the field name), and the checks across keys. No dependency but
 * zp_common: the config reader links it, the daemon does not get a network
 * library through it.
 */
#include "export.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool zp_export_site_ok(const char *site)
{
	size_t n = strlen(site);

	if (n == 0 || n >= ZP_EXPORT_SITE_MAX)
		return false;
	for (const char *c = site; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '_' || *c == '.'))
			return false;
	return true;
}

bool zp_export_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcmp(host, "localhost") || !strcmp(host, "localhost."))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int zp_export_port(const zp_export_params *p)
{
	return p->port ? p->port : p->ca_file[0] ? 8883 : 1883;
}

void zp_export_topic(char *buf, size_t len, const char *site, const char *leaf)
{
	snprintf(buf, len, "zebrapad/%s/%s", site, leaf);
}

/* Empty (not set), or an absolute path that names a file, not a directory. */
static bool file_path_ok(const char *value)
{
	return !value[0] || (value[0] == '/' && value[strlen(value) - 1] != '/');
}

/* The messages name the form each key takes. */
static int path_check(const char *value, char *err, size_t errlen)
{
	if (!file_path_ok(value))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute file path, got '%s'", value);
	return ZP_OK;
}

static int path_or_none_check(const char *value, char *err, size_t errlen)
{
	if (strcmp(value, "none") && !file_path_ok(value))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute file path (or none), got '%s'", value);
	return ZP_OK;
}

static int host_check(const char *value, char *err, size_t errlen)
{
	for (const char *c = value; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '.' || *c == ':' || *c == '_'))
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "expected a host name or address (letters, digits, '.', '-', ':'), got '%s'", value);
	return ZP_OK;
}

static int site_check(const char *value, char *err, size_t errlen)
{
	if (!zp_export_site_ok(value))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected 1 to %d letters, digits, '-', '_' or '.' (it is part "
				 "of the MQTT topics), got '%s'", ZP_EXPORT_SITE_MAX - 1, value);
	return ZP_OK;
}

#define TEXT(name, nonempty, check, def) ZP_TEXT_FIELD(zp_export_params, name, nonempty, check, def)
#define INT(name, lo, hi, def) ZP_INT_FIELD(zp_export_params, name, lo, hi, def)

/* port 0 (the default, not a value to set): 8883 with TLS, else 1883 (zp_export_port()) */
static const zp_field fields[] = {
	TEXT(broker, false, host_check, ""),
	INT(port, 1, 65535, 0),
	TEXT(site, false, site_check, ""),
	TEXT(ca_file, false, path_check, ""),
	TEXT(cert_file, false, path_check, ""),
	TEXT(key_file, false, path_check, ""),
	TEXT(password_file, false, path_check, ""),
	TEXT(cursor_file, true, path_check, "/var/lib/zebrapad-export/cursor.json"),
	TEXT(prom_file, false, path_or_none_check, "/var/lib/zebrapad-export/zebrapad-export.prom"),
	TEXT(username, false, NULL, ""),
	ZP_BOOL_FIELD(zp_export_params, allow_plain, false),
	ZP_DOUBLE_FIELD(zp_export_params, rate, 0.1, 100000, 50),
	INT(max_inflight, 1, 1000, 20),
	INT(settle_s, 0, 86400, 300),
	INT(keepalive_s, 5, 3600, 60),
	INT(status_s, 1, 3600, 60),
	INT(poll_ms, 10, 60000, 1000),
};

void zp_export_params_default(zp_export_params *p)
{
	zp_fields_default(fields, ZP_FIELDS_N(fields), p, sizeof(*p));
}

int zp_export_params_set(zp_export_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	return zp_fields_set(fields, ZP_FIELDS_N(fields), p, key, value, err, errlen);
}

int zp_export_params_check(const zp_export_params *p, char *err, size_t errlen)
{
	if (!p->broker[0]) {
		if (p->site[0] || p->ca_file[0] || p->cert_file[0] || p->username[0])
			return zp_seterr(err, errlen, ZP_EINVAL, "[export] has settings but no broker (set broker = HOST, "
					 "or remove the section: no export)");
		return 0;
	}
	if (!p->site[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] expected site = ID (the site's name in the topics "
				 "zebrapad/ID/counts and zebrapad/ID/status)");
	if (!p->ca_file[0] && (p->cert_file[0] || p->key_file[0]))
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] cert_file and key_file need ca_file (TLS)");
	if (!p->cert_file[0] != !p->key_file[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] expected cert_file and key_file together (the "
				 "device's certificate and its key)");
	if (!p->username[0] != !p->password_file[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] expected username and password_file together");
	if (!p->ca_file[0] && !p->allow_plain && !zp_export_host_is_loopback(p->broker))
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] broker %s is not on this machine and there is no "
				 "ca_file: plain TCP would send the counts (and any password) unencrypted; set ca_file "
				 "(TLS), or allow_plain = yes on a network you trust", p->broker);
	if (p->prom_file[0] && strcmp(p->prom_file, "none") && !strcmp(p->prom_file, p->cursor_file))
		return zp_seterr(err, errlen, ZP_EINVAL, "[export] prom_file and cursor_file must differ");
	return 0;
}
