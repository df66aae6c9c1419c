/* SPDX-License-Identifier: MIT */
/*
 * line_sim.c - a simulated line for replay and tests: it records every
 * change of value with its time in a growable array.
 *
 * The value starts unknown, so the first zp_line_set() is always recorded;
 * after that only sets that change the value are. zp_line_get() returns the
 * last value set (0 before any), so a sim line can also stand in for the
 * push-button input in replay.
 */
#include "line_internal.h"

#include <stdlib.h>
#include <string.h>

struct zp_line_sim {
	struct zp_line base;
	int value;              /* -1: never set */
	zp_line_change *changes;
	size_t count;
	size_t cap;
	char name[ZP_NAME_MAX];
};

static int sim_set(zp_line *line, int value, int64_t now_ms)
{
	struct zp_line_sim *s = (struct zp_line_sim *)line;
	zp_line_change *c;

	if (value == s->value)
		return 0;
	c = zp_grow(s->changes, &s->cap, s->count + 1, sizeof(*c), 64);
	if (!c)
		return ZP_ENOMEM;
	s->changes = c;
	s->changes[s->count].t_ms = now_ms;
	s->changes[s->count].value = value;
	s->count++;
	s->value = value;
	return 0;
}

static int sim_get(zp_line *line)
{
	const struct zp_line_sim *s = (const struct zp_line_sim *)line;

	return s->value < 0 ? 0 : s->value;
}

static void sim_free(zp_line *line)
{
	struct zp_line_sim *s = (struct zp_line_sim *)line;

	free(s->changes);
	free(s);
}

const struct zp_line_ops zp_line_sim_ops = {
	.kind = "sim",
	.set = sim_set,
	.get = sim_get,
	.free = sim_free,
};

zp_line *zp_line_sim_new(const char *name)
{
	struct zp_line_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base.ops = &zp_line_sim_ops;
	s->value = -1;
	zp_strlcpy(s->name, name ? name : "sim", sizeof(s->name));
	return &s->base;
}

const zp_line_change *zp_line_sim_changes(const zp_line *line, size_t *count)
{
	const struct zp_line_sim *s = (const struct zp_line_sim *)line;

	if (!line || line->ops != &zp_line_sim_ops) {
		if (count)
			*count = 0;
		return NULL;
	}
	if (count)
		*count = s->count;
	return s->changes;
}
