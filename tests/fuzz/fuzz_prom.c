/* SPDX-License-Identifier: MIT */
/* libFuzzer: zp_prom_parse() and zp_prom_label() on arbitrary bytes (health/promfile.c). */
#include "health.h"

#include <stdint.h>
#include <string.h>

static void sample(void *ctx, const zp_prom_sample *s)
{
	char v[32];
	size_t *n = ctx;

	(*n)++;
	if (zp_prom_label(s, "kind", v, sizeof(v)))
		*n += strlen(v);
	zp_prom_label(s, "state", v, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[200];
	size_t n = 0;

	zp_prom_parse((const char *)data, size, sample, &n, err, sizeof(err));
	return 0;
}
