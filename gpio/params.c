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

static const zp_field lights_fields[] = {
	ZP_INT_FIELD(zp_lights_params, min_on_ms, 0, 600000, 6000),
	ZP_INT_FIELD(zp_lights_params, hold_ms, 0, 600000, 3000),
	ZP_INT_FIELD(zp_lights_params, stall_ms, 100, 60000, 1000),
	ZP_INT_FIELD(zp_lights_params, bad_health_ms, 0, 600000, 2000),
	ZP_INT_FIELD(zp_lights_params, recover_ms, 0, 600000, 5000),
	ZP_INT_FIELD(zp_lights_params, blink_ms, 100, 10000, 500),
};

void zp_lights_params_default(zp_lights_params *p)
{
	zp_fields_default(lights_fields, ZP_FIELDS_N(lights_fields), p, sizeof(*p));
	p->failsafe = ZP_FAILSAFE_ON;
	p->shutdown = ZP_FAILSAFE_ON;
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
	if (!strcmp(key, "failsafe"))
		return parse_mode(value, &p->failsafe, err, errlen);
	if (!strcmp(key, "shutdown"))
		return parse_mode(value, &p->shutdown, err, errlen);
	return zp_fields_set(lights_fields, ZP_FIELDS_N(lights_fields), p, key, value, err, errlen);
}

int zp_lights_params_check(const zp_lights_params *p, char *err, size_t errlen)
{
	if (zp_fields_check(lights_fields, ZP_FIELDS_N(lights_fields), p, err, errlen))
		return ZP_EINVAL;
	if ((unsigned)p->failsafe > ZP_FAILSAFE_OFF)
		return zp_seterr(err, errlen, ZP_EINVAL, "failsafe: expected on, blink or off, got %d", (int)p->failsafe);
	if ((unsigned)p->shutdown > ZP_FAILSAFE_OFF)
		return zp_seterr(err, errlen, ZP_EINVAL, "shutdown: expected on, blink or off, got %d", (int)p->shutdown);
	return ZP_OK;
}

static int chip_check(const char *value, char *err, size_t errlen)
{
	for (const char *c = value; *c; c++)
		if (!isgraph((unsigned char)*c))
			return zp_seterr(err, errlen, ZP_EINVAL, "expected a gpiochip name or path without blanks, got '%s'",
					 value);
	return ZP_OK;
}

/* libgpiod line offsets are small; 4095 is far beyond any Raspberry Pi header. -1: no line. */
static const zp_field gpio_fields[] = {
	ZP_TEXT_FIELD(zp_gpio_params, chip, false, chip_check, ""),
	ZP_BOOL_FIELD(zp_gpio_params, active_low, false),
	ZP_BOOL_FIELD(zp_gpio_params, simulate, false),
	ZP_BOOL_FIELD(zp_gpio_params, button_active_low, true),
	ZP_INT_FIELD(zp_gpio_params, line, -1, 4095, -1),
	ZP_INT_FIELD(zp_gpio_params, heartbeat_line, -1, 4095, -1),
	ZP_INT_FIELD(zp_gpio_params, button_line, -1, 4095, -1),
	ZP_INT_FIELD(zp_gpio_params, button_hold_ms, 0, 600000, 10000),
};

void zp_gpio_params_default(zp_gpio_params *p)
{
	zp_fields_default(gpio_fields, ZP_FIELDS_N(gpio_fields), p, sizeof(*p));
}

int zp_gpio_params_set(zp_gpio_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	return zp_fields_set(gpio_fields, ZP_FIELDS_N(gpio_fields), p, key, value, err, errlen);
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
