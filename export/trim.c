/* SPDX-License-Identifier: MIT */
/*
 * trim.c - give back the program's pages the exporter no longer uses.
 *
 * Most of a small process's resident set is pages of its shared libraries:
 * what their start-up (relocation, OpenSSL's providers, the TLS handshake,
 * loading the certificates) touched stays mapped although the loop never
 * runs that code again. Those pages were never written: they are the page
 * cache's own pages, mapped read-only. madvise(MADV_DONTNEED) on such a
 * mapping takes them out of this process's page tables (the page cache
 * keeps them); code that runs again maps them back at its next touch (a
 * minor fault, no I/O). A mapping with a page of its own (a copy made by a
 * write: relocated data, Anonymous > 0 in smaps) or one that may be written
 * is left alone, so no data is ever dropped. The free memory of the heap
 * goes back too (malloc_trim).
 */
#include "export.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TRIM_MAPS_START 256

struct range {
	unsigned long a, b;
	long rss;
	bool ok;
};

long zp_export_trim(void)
{
	struct range *r = malloc(sizeof(*r) * TRIM_MAPS_START), *more;
	int cap = TRIM_MAPS_START;
	char line[512];
	long dropped = 0;
	int n = 0;
	FILE *f;

	f = r ? fopen("/proc/self/smaps", "re") : NULL;
	if (!f) {
		free(r);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char perms[8];
		long v;
		int off = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms, &off) == 3 && off > 0) {
			if (n == cap) {
				more = realloc(r, sizeof(*r) * (size_t)cap * 2);
				if (!more)
					break;   /* the mappings so far are trimmed */
				r = more;
				cap *= 2;
			}
			/* a file (a path), private, never writable */
			r[n].a = a;
			r[n].b = b;
			r[n].rss = 0;
			r[n].ok = line[off] == '/' && perms[1] == '-' && perms[3] == 'p';
			n++;
		} else if (n > 0 && sscanf(line, "Rss: %ld", &v) == 1) {
			r[n - 1].rss = v;
		} else if (n > 0 && (sscanf(line, "Anonymous: %ld", &v) == 1 || sscanf(line, "Swap: %ld", &v) == 1 ||
				     sscanf(line, "Locked: %ld", &v) == 1) && v != 0) {
			r[n - 1].ok = false;   /* a page of its own: left alone */
		}
	}
	fclose(f);
	for (int i = 0; i < n; i++)
		if (r[i].ok && r[i].rss > 0 && madvise((void *)r[i].a, r[i].b - r[i].a, MADV_DONTNEED) == 0)
			dropped += r[i].rss;
	free(r);
	malloc_trim(0);
	return dropped;
}
