/* SPDX-License-Identifier: MIT */
/*
 * describe.c - what `zebrapad audit` says leaves the device when [export] is
 * configured: the broker, the topics, every field of each message, and a
 * sample built from the store's newest row exactly as it would be sent.
 */
#include "export.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void json_str(FILE *out, const char *s)
{
	cJSON *v = cJSON_CreateString(s ? s : "");
	char *t = v ? cJSON_PrintUnformatted(v) : NULL;

	if (t)
		zp_utf8_sanitize(t);
	fputs(t ? t : "\"\"", out);
	free(t);
	cJSON_Delete(v);
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
		fprintf(out, "{\"broker\": ");
		json_str(out, p->broker);
		fprintf(out, ", \"port\": %d, \"tls\": %s, \"client_certificate\": %s, \"username\": ", zp_export_port(p),
			p->ca_file[0] ? "true" : "false", p->cert_file[0] ? "true" : "false");
		json_str(out, p->username);
		fprintf(out, ", \"topics\": [");
		json_str(out, counts);
		fputs(", ", out);
		json_str(out, status);
		fprintf(out, "], \"count_fields\": ");
		json_str(out, cols[0] ? cols : "(the store's columns)");
		fprintf(out, ", \"status_fields\": \"site, state, lights, health, faults, fail_safe_s, frames, "
			"last_frame, version, schema, export_lag_s, time\", \"sample_counts\": %s, \"sample_status\": %s}",
			sample ? sample : "null", st ? st : "null");
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
