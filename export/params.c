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

void zp_export_params_default(zp_export_params *p)
{
	memset(p, 0, sizeof(*p));
	p->rate = 50;
	p->max_inflight = 20;
	p->settle_s = 300;
	p->keepalive_s = 60;
	p->status_s = 60;
	p->poll_ms = 1000;
	zp_strlcpy(p->cursor_file, "/var/lib/zebrapad-export/cursor.json", sizeof(p->cursor_file));
	zp_strlcpy(p->prom_file, "/var/lib/zebrapad-export/zebrapad-export.prom", sizeof(p->prom_file));
}

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

static int set_path(char *dst, size_t size, const char *value, bool allow_none, char *err, size_t errlen)
{
	if (strlen(value) >= size)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected a file path of at most %zu characters", size - 1);
	if (value[0] && value[0] != '/' && !(allow_none && !strcmp(value, "none")))
		return zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute file path%s, got '%s'",
				 allow_none ? " (or none)" : "", value);
	if (value[0] == '/' && value[strlen(value) - 1] == '/')
		return zp_seterr(err, errlen, ZP_EINVAL, "expected a file, got the directory '%s'", value);
	zp_strlcpy(dst, value, size);
	return ZP_OK;
}

static bool host_ok(const char *h)
{
	if (!h[0])
		return true;
	for (const char *c = h; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '.' || *c == ':' || *c == '_'))
			return false;
	return true;
}

int zp_export_params_set(zp_export_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "broker")) {
		if (strlen(value) >= sizeof(p->broker) || !host_ok(value))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a host name or address (letters, digits, "
					 "'.', '-', ':'), got '%s'", value);
		zp_strlcpy(p->broker, value, sizeof(p->broker));
		return ZP_OK;
	}
	if (!strcmp(key, "port"))
		return zp_parse_int(value, 1, 65535, &p->port, err, errlen);
	if (!strcmp(key, "site")) {
		if (!zp_export_site_ok(value))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected 1 to %d letters, digits, '-', '_' or '.' (it "
					 "is part of the MQTT topics), got '%s'", ZP_EXPORT_SITE_MAX - 1, value);
		zp_strlcpy(p->site, value, sizeof(p->site));
		return ZP_OK;
	}
	if (!strcmp(key, "ca_file"))
		return set_path(p->ca_file, sizeof(p->ca_file), value, false, err, errlen);
	if (!strcmp(key, "cert_file"))
		return set_path(p->cert_file, sizeof(p->cert_file), value, false, err, errlen);
	if (!strcmp(key, "key_file"))
		return set_path(p->key_file, sizeof(p->key_file), value, false, err, errlen);
	if (!strcmp(key, "password_file"))
		return set_path(p->password_file, sizeof(p->password_file), value, false, err, errlen);
	if (!strcmp(key, "cursor_file")) {
		if (!value[0])
			return zp_seterr(err, errlen, ZP_EINVAL, "expected an absolute file path, got ''");
		return set_path(p->cursor_file, sizeof(p->cursor_file), value, false, err, errlen);
	}
	if (!strcmp(key, "prom_file"))
		return set_path(p->prom_file, sizeof(p->prom_file), value, true, err, errlen);
	if (!strcmp(key, "username")) {
		if (strlen(value) >= sizeof(p->username))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected at most %zu characters",
					 sizeof(p->username) - 1);
		zp_strlcpy(p->username, value, sizeof(p->username));
		return ZP_OK;
	}
	if (!strcmp(key, "allow_plain"))
		return zp_parse_bool(value, &p->allow_plain, err, errlen);
	if (!strcmp(key, "rate"))
		return zp_parse_double(value, 0.1, 100000, &p->rate, err, errlen);
	if (!strcmp(key, "max_inflight"))
		return zp_parse_int(value, 1, 1000, &p->max_inflight, err, errlen);
	if (!strcmp(key, "settle_s"))
		return zp_parse_int(value, 0, 86400, &p->settle_s, err, errlen);
	if (!strcmp(key, "keepalive_s"))
		return zp_parse_int(value, 5, 3600, &p->keepalive_s, err, errlen);
	if (!strcmp(key, "status_s"))
		return zp_parse_int(value, 1, 3600, &p->status_s, err, errlen);
	if (!strcmp(key, "poll_ms"))
		return zp_parse_int(value, 10, 60000, &p->poll_ms, err, errlen);
	return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
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
