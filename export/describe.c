/* SPDX-License-Identifier: MIT */
/*
 * describe.c - what `zebrapad audit` says leaves the device when [export] is
 * configured: the broker, the topics, every field of each message, and a
 * sample built from the store's newest row exactly as it would be sent.
 */
#include "export.h"

#include "json.h"

#include <stdlib.h>
#include <string.h>

/* The export as one JSON object (the audit's "export"); NULL when out of memory. */
static cJSON *describe_json(const zp_export_params *p, const char *counts, const char *status, const char *cols,
			    const char *sample, const char *st)
{
	cJSON *o = cJSON_CreateObject(), *topics;

	zp_json_add_str(o, "broker", p->broker);
	zp_json_add_int(o, "port", zp_export_port(p));
	zp_json_add_bool(o, "tls", p->ca_file[0] != '\0');
	zp_json_add_bool(o, "client_certificate", p->cert_file[0] != '\0');
	zp_json_add_str(o, "username", p->username);
	topics = zp_json_add_array(o, "topics");
	zp_json_add_str(topics, NULL, counts);
	zp_json_add_str(topics, NULL, status);
	zp_json_add_str(o, "count_fields", cols[0] ? cols : "(the store's columns)");
	zp_json_add_str(o, "status_fields", "site, state, lights, health, faults, fail_safe_s, frames, last_frame, "
			"version, schema, export_lag_s, time");
	/* both made by zp_json (message.c, source.c): parsed back to sit inside this object */
	zp_json_add(o, "sample_counts", sample ? cJSON_Parse(sample) : NULL);
	zp_json_add(o, "sample_status", st ? cJSON_Parse(st) : NULL);
	return o;
}

void zp_export_describe(const zp_export_params *p, const char *store_path, FILE *out, bool json)
{
	char counts[128], status[128], cols[512] = "";
	char *sample = NULL, *st = NULL;
	zp_export_source *src = NULL;
	char err[300];
	int code;

	zp_export_topic(counts, sizeof(counts), p->site, "counts");
	zp_export_topic(status, sizeof(status), p->site, "status");
	if (store_path && store_path[0]) {
		src = zp_export_source_open(store_path, &code, err, sizeof(err));
		if (src) {
			zp_export_source_columns(src, cols, sizeof(cols));
			sample = zp_export_source_newest(src, p->site);
		}
	}
	{
		zp_export_health h;

		memset(&h, 0, sizeof(h));
		h.known = true;
		zp_strlcpy(h.lights, "off", sizeof(h.lights));
		zp_strlcpy(h.health, "ok", sizeof(h.health));
		h.nfaults = 1;
		zp_strlcpy(h.fault_kind[0], "stall", sizeof(h.fault_kind[0]));
		h.last_frame_s = 1767225600;
		st = zp_export_status_json(p->site, true, &h, src ? zp_export_source_schema(src) : 0, "VERSION", 0,
					   1767225600);
	}
	if (json) {
		cJSON *o = describe_json(p, counts, status, cols, sample, st);

		if (zp_json_write(out, o, false))
			fputs("null\n", out);
		cJSON_Delete(o);
	} else {
		fprintf(out, "  zebrapad-export (a separate process and user; the daemon itself has no network) sends\n"
			"  to the MQTT broker %s port %d, %s%s%s.\n", p->broker, zp_export_port(p),
			p->ca_file[0] ? "over TLS (the broker's certificate is checked against " : "over plain TCP (",
			p->ca_file[0] ? p->ca_file : p->allow_plain ? "allowed by allow_plain = yes" : "loopback only",
			p->cert_file[0] ? "; this device shows its certificate)" :
			p->username[0] ? "; login with a username and password)" : ")");
		fprintf(out, "  Topic %s: one message per row of the counts store (QoS 1), with\n"
			"    every column of the row: %s,\n"
			"    and site (\"%s\") and schema (the store's schema version). Nothing else: no image, no\n"
			"    track, no time finer than the interval.\n", counts,
			cols[0] ? cols : "(the store cannot be read now)", p->site);
		if (sample)
			fprintf(out, "    The newest row, as it would be sent:\n    %s\n", sample);
		else
			fprintf(out, "    (no row in the store yet to show as a sample)\n");
		fprintf(out, "  Topic %s (retained): the site's state: site, state (online/offline),\n"
			"    lights, health, faults (counts by kind), fail_safe_s, frames, last_frame, version, schema,\n"
			"    export_lag_s, time. For example:\n    %s\n"
			"  When the exporter's connection is lost the broker publishes {\"site\": \"%s\", \"state\": "
			"\"offline\"}.\n", status, st ? st : "", p->site);
	}
	free(sample);
	free(st);
	zp_export_source_close(src);
}
