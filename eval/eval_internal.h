/* SPDX-License-Identifier: MIT */
/* eval_internal.h - helpers shared by the files of eval/. */
#ifndef ZP_EVAL_INTERNAL_H
#define ZP_EVAL_INTERNAL_H

#include "eval.h"

/* num / den, NaN when den is 0. */
double zp_eval_ratio(uint64_t num, uint64_t den);

/* 2PR / (P + R); 0 when both are 0; NaN when either is NaN. */
double zp_eval_fmeasure(double p, double r);

/*
 * The element with this id in an array of *n elements, each bytes apart,
 * sorted by an int id at their start (an int array, or structs whose first
 * member is the id). When absent it is inserted in its place, zero-filled
 * but for the id (the array grows: *base, *cap). NULL when out of memory.
 */
void *zp_eval_id_slot(void **base, size_t *n, size_t *cap, size_t each, int id);

/* Read a whole file into a NUL-terminated malloc'd buffer (*len excludes the NUL). */
int zp_eval_read_text(const char *path, char **text, size_t *len, char *err, size_t errlen);

#endif
