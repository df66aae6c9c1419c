/* SPDX-License-Identifier: MIT */
/* fake_gpio_kernel.c - the simulated GPIO chip behind the libgpiod fakes (see fake_gpio.h). */
#include "fake_gpio_kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_line {
	char consumer[32];      /* "" when free */
	int direction;          /* -1 free, 0 input, 1 output */
	bool active_low;
	int physical;           /* -1 undriven */
	int set_errno;
	unsigned int writes;
};

struct fake_chip {
	unsigned int num_lines;
	int64_t now_ms;
	int open_errno;
	int handles;
	struct fake_line lines[FAKE_GPIO_MAX_LINES];
	fake_gpio_change *log;
	size_t log_count, log_cap;
};

/* the one simulated machine of this test process */
static struct fake_chip fk;

static void log_change(unsigned int offset, int physical)
{
	if (fk.lines[offset].physical == physical)
		return;
	fk.lines[offset].physical = physical;
	if (fk.log_count == fk.log_cap) {
		fk.log_cap = fk.log_cap ? fk.log_cap * 2 : 64;
		fk.log = realloc(fk.log, fk.log_cap * sizeof(*fk.log));
		if (!fk.log) {
			fprintf(stderr, "fake_gpio: out of memory\n");
			abort();
		}
	}
	fk.log[fk.log_count].t_ms = fk.now_ms;
	fk.log[fk.log_count].offset = offset;
	fk.log[fk.log_count].physical = physical;
	fk.log_count++;
}

void fake_gpio_reset(unsigned int num_lines)
{
	unsigned int i;

	free(fk.log);
	memset(&fk, 0, sizeof(fk));
	fk.num_lines = num_lines > FAKE_GPIO_MAX_LINES ? FAKE_GPIO_MAX_LINES : num_lines;
	for (i = 0; i < FAKE_GPIO_MAX_LINES; i++) {
		fk.lines[i].direction = -1;
		fk.lines[i].physical = -1;
	}
}

void fake_gpio_set_time(int64_t t_ms)
{
	fk.now_ms = t_ms;
}

void fake_gpio_fail_open(int errnum)
{
	fk.open_errno = errnum;
}

void fake_gpio_set_busy(unsigned int offset, const char *consumer)
{
	if (offset >= FAKE_GPIO_MAX_LINES)
		return;
	snprintf(fk.lines[offset].consumer, sizeof(fk.lines[offset].consumer), "%s", consumer ? consumer : "");
	fk.lines[offset].direction = consumer ? 1 : -1;
}

void fake_gpio_fail_set(unsigned int offset, int errnum)
{
	if (offset < FAKE_GPIO_MAX_LINES)
		fk.lines[offset].set_errno = errnum;
}

void fake_gpio_drive_input(unsigned int offset, int physical)
{
	if (offset < FAKE_GPIO_MAX_LINES)
		log_change(offset, physical ? 1 : 0);
}

const fake_gpio_change *fake_gpio_changes(size_t *count)
{
	*count = fk.log_count;
	return fk.log;
}

unsigned int fake_gpio_writes(unsigned int offset)
{
	return offset < FAKE_GPIO_MAX_LINES ? fk.lines[offset].writes : 0;
}

const char *fake_gpio_consumer(unsigned int offset)
{
	if (offset >= FAKE_GPIO_MAX_LINES || !fk.lines[offset].consumer[0])
		return NULL;
	return fk.lines[offset].consumer;
}

int fake_gpio_direction(unsigned int offset)
{
	return offset < FAKE_GPIO_MAX_LINES ? fk.lines[offset].direction : -1;
}

bool fake_gpio_active_low(unsigned int offset)
{
	return offset < FAKE_GPIO_MAX_LINES && fk.lines[offset].active_low;
}

int fake_gpio_physical(unsigned int offset)
{
	return offset < FAKE_GPIO_MAX_LINES ? fk.lines[offset].physical : -1;
}

int fake_gpio_open_handles(void)
{
	return fk.handles;
}

int fake_kernel_open(const char *path)
{
	if (strcmp(path, "/dev/" FAKE_GPIO_CHIP) != 0)
		return ENOENT;
	if (fk.open_errno)
		return fk.open_errno;
	fk.handles++;
	return 0;
}

void fake_kernel_hold(void)
{
	fk.handles++;
}

void fake_kernel_close(void)
{
	fk.handles--;
}

unsigned int fake_kernel_num_lines(void)
{
	return fk.num_lines;
}

int fake_kernel_request(unsigned int offset, const char *consumer, bool output, bool active_low, int initial)
{
	struct fake_line *l;

	if (offset >= fk.num_lines)
		return EINVAL;
	l = &fk.lines[offset];
	if (l->consumer[0] || l->direction >= 0)
		return EBUSY;
	snprintf(l->consumer, sizeof(l->consumer), "%s", consumer ? consumer : "?");
	l->direction = output ? 1 : 0;
	l->active_low = active_low;
	if (output) {
		l->writes++;
		log_change(offset, (initial ? 1 : 0) ^ (active_low ? 1 : 0));
	}
	return 0;
}

int fake_kernel_set(unsigned int offset, int value)
{
	struct fake_line *l;

	if (offset >= fk.num_lines || fk.lines[offset].direction != 1)
		return EPERM;
	l = &fk.lines[offset];
	if (l->set_errno)
		return l->set_errno;
	l->writes++;
	log_change(offset, (value ? 1 : 0) ^ (l->active_low ? 1 : 0));
	return 0;
}

int fake_kernel_get(unsigned int offset, int *value)
{
	const struct fake_line *l;

	if (offset >= fk.num_lines || fk.lines[offset].direction < 0)
		return EPERM;
	l = &fk.lines[offset];
	*value = (l->physical > 0 ? 1 : 0) ^ (l->active_low ? 1 : 0);
	return 0;
}

void fake_kernel_release(unsigned int offset)
{
	if (offset >= fk.num_lines)
		return;
	fk.lines[offset].consumer[0] = '\0';
	fk.lines[offset].direction = -1;
	fk.lines[offset].active_low = false;
}
