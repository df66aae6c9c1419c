/* SPDX-License-Identifier: MIT */
/*
 * params.c - the [lights] and [gpio] config keys: defaults, one setter per
 * key (the key is the field name) and the check of the [lights] set.
 *
 * Defaults lean to safety: when the detector cannot see, the lights go on
 * (failsafe = on), and they are left on when zebrapad stops (shutdown = on).
 */
#include "lights.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

const char *zp_light_state_name(zp_light_state s)
{
	switch (s) {
	case ZP_LIGHT_OFF: return "off";
	case ZP_LIGHT_ON: return "on";
	case ZP_LIGHT_FAILSAFE: return "failsafe";
	default: return "unknown";
	}
}

void zp_lights_params_default(zp_lights_params *p)
{
	memset(p, 0, sizeof(*p));
	p->min_on_ms = 6000;
	p->hold_ms = 3000;
	p->stall_ms = 1000;
	p->bad_health_ms = 2000;
	p->recover_ms = 5000;
	p->blink_ms = 500;
	p->failsafe = ZP_FAILSAFE_ON;
	p->shutdown = ZP_FAILSAFE_ON;
}

struct int_field {
	const char *key;
	size_t off;
	int min, max;
};

#define LIGHTS_FIELD(name, lo, hi) { #name, offsetof(zp_lights_params, name), lo, hi }

static const struct int_field lights_fields[] = {
	LIGHTS_FIELD(min_on_ms, 0, 600000),
	LIGHTS_FIELD(hold_ms, 0, 600000),
	LIGHTS_FIELD(stall_ms, 100, 60000),
	LIGHTS_FIELD(bad_health_ms, 0, 600000),
	LIGHTS_FIELD(recover_ms, 0, 600000),
	LIGHTS_FIELD(blink_ms, 100, 10000),
};

static const struct int_field *find_int(const struct int_field *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].key, key))
			return &t[i];
	return NULL;
}

static int parse_mode(const char *value, zp_failsafe_mode *out, char *err, size_t errlen)
{
	if (!strcmp(value, "on"))
		*out = ZP_FAILSAFE_ON;
	else if (!strcmp(value, "blink"))
		*out = ZP_FAILSAFE_BLINK;
	else if (!strcmp(value, "off"))
		*out = ZP_FAILSAFE_OFF;
	else
		return zp_seterr(err, errlen, ZP_EINVAL, "expected on, blink or off, got '%s'", value);
	return ZP_OK;
}

int zp_lights_params_set(zp_lights_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	const struct int_field *f;

	if (!strcmp(key, "failsafe"))
		return parse_mode(value, &p->failsafe, err, errlen);
	if (!strcmp(key, "shutdown"))
		return parse_mode(value, &p->shutdown, err, errlen);
	f = find_int(lights_fields, sizeof(lights_fields) / sizeof(lights_fields[0]), key);
	if (!f)
		return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
	return zp_parse_int(value, f->min, f->max, (int *)(void *)((char *)p + f->off), err, errlen);
}

int zp_lights_params_check(const zp_lights_params *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(lights_fields) / sizeof(lights_fields[0]); i++) {
		const struct int_field *f = &lights_fields[i];
		int v = *(const int *)(const void *)((const char *)p + f->off);

		if (v < f->min || v > f->max)
			return zp_seterr(err, errlen, ZP_EINVAL, "%s: expected an integer from %d to %d, got %d", f->key,
					 f->min, f->max, v);
	}
	if ((unsigned)p->failsafe > ZP_FAILSAFE_OFF)
		return zp_seterr(err, errlen, ZP_EINVAL, "failsafe: expected on, blink or off, got %d", (int)p->failsafe);
	if ((unsigned)p->shutdown > ZP_FAILSAFE_OFF)
		return zp_seterr(err, errlen, ZP_EINVAL, "shutdown: expected on, blink or off, got %d", (int)p->shutdown);
	return ZP_OK;
}

void zp_gpio_params_default(zp_gpio_params *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0] = '\0';
	p->line = -1;
	p->active_low = false;
	p->heartbeat_line = -1;
	p->button_line = -1;
	p->button_active_low = true;
	p->button_hold_ms = 10000;
}

#define GPIO_FIELD(name, lo, hi) { #name, offsetof(zp_gpio_params, name), lo, hi }

/* libgpiod line offsets are small; 4095 is far beyond any Raspberry Pi header */
static const struct int_field gpio_fields[] = {
	GPIO_FIELD(line, -1, 4095),
	GPIO_FIELD(heartbeat_line, -1, 4095),
	GPIO_FIELD(button_line, -1, 4095),
	GPIO_FIELD(button_hold_ms, 0, 600000),
};

int zp_gpio_params_set(zp_gpio_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	const struct int_field *f;

	if (!strcmp(key, "chip")) {
		size_t n = strlen(value);
		bool ok = n < sizeof(p->chip);

		for (size_t i = 0; ok && i < n; i++)
			ok = isgraph((unsigned char)value[i]);
		if (!ok)
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "expected a gpiochip name or path without blanks (at most %zu characters), got '%s'",
					 sizeof(p->chip) - 1, value);
		zp_strlcpy(p->chip, value, sizeof(p->chip));
		return ZP_OK;
	}
	if (!strcmp(key, "active_low"))
		return zp_parse_bool(value, &p->active_low, err, errlen);
	if (!strcmp(key, "simulate"))
		return zp_parse_bool(value, &p->simulate, err, errlen);
	if (!strcmp(key, "button_active_low"))
		return zp_parse_bool(value, &p->button_active_low, err, errlen);
	f = find_int(gpio_fields, sizeof(gpio_fields) / sizeof(gpio_fields[0]), key);
	if (!f)
		return zp_seterr(err, errlen, ZP_ENODEV, "unknown key '%s'", key);
	return zp_parse_int(value, f->min, f->max, (int *)(void *)((char *)p + f->off), err, errlen);
}

int zp_gpio_check_service(const zp_gpio_params *p, bool service, char *err, size_t errlen)
{
	if (service && !p->chip[0] && !p->simulate)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "[gpio] chip is empty, so the light line would only be simulated under systemd: set chip "
				 "(e.g. gpiochip0) and line, or simulate = yes for a test installation");
	if (p->chip[0] && p->simulate)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "[gpio] simulate = yes with chip = %s: leave chip empty to simulate, or drop simulate",
				 p->chip);
	return ZP_OK;
}
