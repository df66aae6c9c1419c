/* SPDX-License-Identifier: MIT */
/*
 * fake_gpiod2.c - link-time fake of the libgpiod 2.x calls gpio/line_gpiod2.c
 * makes, over the simulated chip of fake_gpio_kernel.c. Compiled against
 * tests/fakes/gpiod2/gpiod.h (the v2 declarations). Like the real library, a
 * request lives on after its chip is closed.
 */
#include "fake_gpio_kernel.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX_CFG 8

struct gpiod_chip {
	char path[256];
};

struct gpiod_chip_info {
	size_t num_lines;
};

struct gpiod_line_info {
	char consumer[32];
};

struct gpiod_line_settings {
	enum gpiod_line_direction direction;
	bool active_low;
	enum gpiod_line_value output_value;
};

struct gpiod_line_config {
	size_t count;
	unsigned int offsets[FAKE_MAX_CFG];
	struct gpiod_line_settings settings[FAKE_MAX_CFG];
};

struct gpiod_request_config {
	char consumer[32];
};

struct gpiod_line_request {
	size_t count;
	unsigned int offsets[FAKE_MAX_CFG];
};

static void *zalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		errno = ENOMEM;
	return p;
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	struct gpiod_chip *chip;
	int e = fake_kernel_open(path);

	if (e) {
		errno = e;
		return NULL;
	}
	chip = zalloc(sizeof(*chip));
	if (!chip) {
		fake_kernel_close();
		return NULL;
	}
	snprintf(chip->path, sizeof(chip->path), "%s", path);
	return chip;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	if (!chip)
		return;
	free(chip);
	fake_kernel_close();
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *info = zalloc(sizeof(*info));

	(void)chip;
	if (info)
		info->num_lines = fake_kernel_num_lines();
	return info;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	free(info);
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	return info->num_lines;
}

struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset)
{
	struct gpiod_line_info *info;
	const char *c;

	(void)chip;
	if (offset >= fake_kernel_num_lines()) {
		errno = EINVAL;
		return NULL;
	}
	info = zalloc(sizeof(*info));
	if (!info)
		return NULL;
	c = fake_gpio_consumer(offset);
	snprintf(info->consumer, sizeof(info->consumer), "%s", c ? c : "");
	return info;
}

void gpiod_line_info_free(struct gpiod_line_info *info)
{
	free(info);
}

const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
	return info->consumer[0] ? info->consumer : NULL;
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s = zalloc(sizeof(*s));

	if (s) {
		s->direction = GPIOD_LINE_DIRECTION_AS_IS;
		s->output_value = GPIOD_LINE_VALUE_INACTIVE;
	}
	return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
	free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings, enum gpiod_line_direction direction)
{
	if (direction < GPIOD_LINE_DIRECTION_AS_IS || direction > GPIOD_LINE_DIRECTION_OUTPUT) {
		errno = EINVAL;
		return -1;
	}
	settings->direction = direction;
	return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
{
	settings->active_low = active_low;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings, enum gpiod_line_value value)
{
	if (value != GPIOD_LINE_VALUE_ACTIVE && value != GPIOD_LINE_VALUE_INACTIVE) {
		errno = EINVAL;
		return -1;
	}
	settings->output_value = value;
	return 0;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
	return zalloc(sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
	free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config, const unsigned int *offsets,
					size_t num_offsets, struct gpiod_line_settings *settings)
{
	size_t i;

	if (!num_offsets || config->count + num_offsets > FAKE_MAX_CFG) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < num_offsets; i++) {
		config->offsets[config->count] = offsets[i];
		config->settings[config->count] = *settings;
		config->count++;
	}
	return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
	return zalloc(sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
	free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
{
	snprintf(config->consumer, sizeof(config->consumer), "%s", consumer ? consumer : "");
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
	size_t i;

	if (!request)
		return;
	for (i = 0; i < request->count; i++)
		fake_kernel_release(request->offsets[i]);
	free(request);
	fake_kernel_close();
}

/* all or nothing, as the kernel does for one request */
struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip, struct gpiod_request_config *req_cfg,
						    struct gpiod_line_config *line_cfg)
{
	struct gpiod_line_request *req;
	size_t i;
	int e = 0;

	(void)chip;
	if (!line_cfg || !line_cfg->count) {
		errno = EINVAL;
		return NULL;
	}
	req = zalloc(sizeof(*req));
	if (!req)
		return NULL;
	fake_kernel_hold();
	for (i = 0; i < line_cfg->count && !e; i++) {
		const struct gpiod_line_settings *s = &line_cfg->settings[i];

		e = fake_kernel_request(line_cfg->offsets[i], req_cfg ? req_cfg->consumer : "",
					s->direction == GPIOD_LINE_DIRECTION_OUTPUT, s->active_low,
					s->output_value == GPIOD_LINE_VALUE_ACTIVE);
		if (!e)
			req->offsets[req->count++] = line_cfg->offsets[i];
	}
	if (e) {
		gpiod_line_request_release(req);
		errno = e;
		return NULL;
	}
	return req;
}

static bool in_request(const struct gpiod_line_request *request, unsigned int offset)
{
	size_t i;

	for (i = 0; i < request->count; i++)
		if (request->offsets[i] == offset)
			return true;
	return false;
}

enum gpiod_line_value gpiod_line_request_get_value(struct gpiod_line_request *request, unsigned int offset)
{
	int v = 0, e = in_request(request, offset) ? fake_kernel_get(offset, &v) : EINVAL;

	if (e) {
		errno = e;
		return GPIOD_LINE_VALUE_ERROR;
	}
	return v ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
				 enum gpiod_line_value value)
{
	int e;

	if (value != GPIOD_LINE_VALUE_ACTIVE && value != GPIOD_LINE_VALUE_INACTIVE)
		e = EINVAL;
	else
		e = in_request(request, offset) ? fake_kernel_set(offset, value == GPIOD_LINE_VALUE_ACTIVE) : EINVAL;
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}
