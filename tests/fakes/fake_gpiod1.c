/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod1.c - link-time fake of the libgpiod 1.x calls gpio/line_gpiod1.c
 * makes, over the simulated chip of fake_gpio_kernel.c. Compiled against the
 * real <gpiod.h> (1.6), so the signatures are checked by the compiler; any
 * call the driver makes that is not faked here fails to link.
 */
#include "fake_gpio_kernel.h"

#include <ctype.h>
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gpiod_line {
	struct gpiod_chip *chip;
	unsigned int offset;
	bool requested;
	char consumer[32];
};

struct gpiod_chip {
	unsigned int num_lines;
	struct gpiod_line lines[FAKE_GPIO_MAX_LINES];
};

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	struct gpiod_chip *chip;
	unsigned int i;
	int e = fake_kernel_open(path);

	if (e) {
		errno = e;
		return NULL;
	}
	chip = calloc(1, sizeof(*chip));
	if (!chip) {
		fake_kernel_close();
		errno = ENOMEM;
		return NULL;
	}
	chip->num_lines = fake_kernel_num_lines();
	for (i = 0; i < FAKE_GPIO_MAX_LINES; i++) {
		chip->lines[i].chip = chip;
		chip->lines[i].offset = i;
	}
	return chip;
}

struct gpiod_chip *gpiod_chip_open_by_name(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/%s", name);
	return gpiod_chip_open(path);
}

/* as 1.6: a number, else a label, else a name or a path */
struct gpiod_chip *gpiod_chip_open_lookup(const char *descr)
{
	char path[256];
	const char *p;

	for (p = descr; *p && isdigit((unsigned char)*p); p++)
		;
	if (*descr && !*p) {
		snprintf(path, sizeof(path), "/dev/gpiochip%s", descr);
		return gpiod_chip_open(path);
	}
	if (strcmp(descr, FAKE_GPIO_LABEL) == 0)
		return gpiod_chip_open("/dev/" FAKE_GPIO_CHIP);
	if (strncmp(descr, "/dev/", 5) == 0)
		return gpiod_chip_open(descr);
	return gpiod_chip_open_by_name(descr);
}

void gpiod_line_release(struct gpiod_line *line)
{
	if (!line->requested)
		return;
	fake_kernel_release(line->offset);
	line->requested = false;
}

/* closing the chip releases every line requested through it, as in 1.6 */
void gpiod_chip_close(struct gpiod_chip *chip)
{
	unsigned int i;

	for (i = 0; i < FAKE_GPIO_MAX_LINES; i++)
		gpiod_line_release(&chip->lines[i]);
	free(chip);
	fake_kernel_close();
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	return chip->num_lines;
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	const char *c;

	if (offset >= chip->num_lines) {
		errno = EINVAL;
		return NULL;
	}
	/* like 1.6, refresh the line info (consumer) on every get */
	c = fake_gpio_consumer(offset);
	snprintf(chip->lines[offset].consumer, sizeof(chip->lines[offset].consumer), "%s", c ? c : "");
	return &chip->lines[offset];
}

const char *gpiod_line_consumer(struct gpiod_line *line)
{
	return line->consumer[0] ? line->consumer : NULL;
}

static int request(struct gpiod_line *line, const char *consumer, int flags, bool output, int value)
{
	int e;

	if (flags & ~GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) {
		errno = EINVAL;
		return -1;
	}
	e = fake_kernel_request(line->offset, consumer, output, (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0,
				value);
	if (e) {
		errno = e;
		return -1;
	}
	line->requested = true;
	snprintf(line->consumer, sizeof(line->consumer), "%s", consumer);
	return 0;
}

int gpiod_line_request_output_flags(struct gpiod_line *line, const char *consumer, int flags, int default_val)
{
	return request(line, consumer, flags, true, default_val);
}

int gpiod_line_request_input_flags(struct gpiod_line *line, const char *consumer, int flags)
{
	return request(line, consumer, flags, false, 0);
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
	int e = line->requested ? fake_kernel_set(line->offset, value) : EPERM;

	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int gpiod_line_get_value(struct gpiod_line *line)
{
	int v = 0;
	int e = line->requested ? fake_kernel_get(line->offset, &v) : EPERM;

	if (e) {
		errno = e;
		return -1;
	}
	return v;
}
