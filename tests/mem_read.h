/* SPDX-License-Identifier: MIT */
/*
 * mem_read.h - a file held in memory, read through zp_header_size()'s
 * read_at callback (capture_internal.h): for the header tests and the fuzzer.
 */
#ifndef ZP_TEST_MEM_READ_H
#define ZP_TEST_MEM_READ_H

#include <stdint.h>
#include <string.h>

struct zp_mem_file {
	const uint8_t *p;
	size_t n;
};

/* Up to n bytes at off into buf: how many (0 past the end). */
static inline long zp_mem_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct zp_mem_file *m = ctx;

	if (off >= m->n)
		return 0;
	if (n > m->n - off)
		n = m->n - off;
	memcpy(buf, m->p + off, n);
	return (long)n;
}

#endif
