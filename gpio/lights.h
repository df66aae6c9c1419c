/* SPDX-License-Identifier: MIT */
/*
 * lights.h - the crossing-light controller and the line drivers.
 *
 * The controller is a pure state machine: occupancy, health and now_ms in,
 * the desired light state out. No clock, no I/O.
 *
 * The drivers set a physical output line: libgpiod v1 (bookworm), libgpiod v2
 * (trixie; chosen at build time by file) or a simulated line that records
 * every change with its time (replay and tests).
 */
#ifndef ZP_LIGHTS_H
#define ZP_LIGHTS_H

#include "zp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zp_light_state {
	ZP_LIGHT_OFF = 0,
	ZP_LIGHT_ON = 1,
	ZP_LIGHT_FAILSAFE = 2,  /* the system cannot see: lights in the configured fail-safe mode */
} zp_light_state;

const char *zp_light_state_name(zp_light_state s); /* "off", "on", "failsafe" */

typedef enum zp_failsafe_mode {
	ZP_FAILSAFE_ON = 0,     /* steady on (default: a detector that fails means "pedestrian present") */
	ZP_FAILSAFE_BLINK = 1,  /* blink with blink_ms half-period */
	ZP_FAILSAFE_OFF = 2,
} zp_failsafe_mode;

/* Every field has a [lights] config key of the same name (see README). */
typedef struct zp_lights_params {
	int min_on_ms;          /* once on, stay on at least this long */
	int hold_ms;            /* stay on this long after the last person left */
	int stall_ms;           /* no frame for this long: fail-safe */
	int bad_health_ms;      /* health bad for this long: fail-safe */
	int recover_ms;         /* health good for this long before leaving fail-safe */
	int blink_ms;           /* half-period of the blink fail-safe mode */
	zp_failsafe_mode failsafe;
	zp_failsafe_mode shutdown;  /* line level on a clean exit: on, blink (treated as on), off */
} zp_lights_params;

void zp_lights_params_default(zp_lights_params *p);
/* Set one [lights] key; 0, ZP_EINVAL ("expected ...") or ZP_ENODEV (unknown key). */
int zp_lights_params_set(zp_lights_params *p, const char *key, const char *value, char *err, size_t errlen);
int zp_lights_params_check(const zp_lights_params *p, char *err, size_t errlen);

/* Why the controller is in fail-safe; a bit set. */
enum {
	ZP_FAULT_STARTUP = 1u << 0,   /* model not ready yet */
	ZP_FAULT_STALL = 1u << 1,     /* no frame for stall_ms */
	ZP_FAULT_HEALTH = 1u << 2,    /* detector health bad for bad_health_ms */
};

/* last_present_ms before anyone was seen */
#define ZP_LIGHTS_NEVER INT64_MIN

/*
 * The controller's state; read it freely, change it only through the
 * functions below. Times are now_ms values (>= 0, monotonic; an earlier
 * now_ms than the last call is taken as the last one).
 *
 * Rules (gpio/controller.c has the full list):
 *  - ON while a zone is occupied, and at least min_on_ms and hold_ms after
 *    the last presence; presence persists from one frame to the next.
 *  - FAILSAFE at once while any fault is active (no frame for more than
 *    stall_ms, health bad for more than bad_health_ms, model not ready);
 *    left only after recover_ms of frames arriving with good health and a
 *    ready model, to ON (on_since = now) if someone was seen less than
 *    hold_ms ago, else OFF. `faults` may be 0 while still in FAILSAFE:
 *    that is the recovery period.
 *  - Health bad for less than bad_health_ms counts as presence: the light is
 *    never OFF while health is bad.
 */
typedef struct zp_lights {
	zp_lights_params p;
	zp_light_state state;
	unsigned faults;          /* ZP_FAULT_* currently active */
	int64_t on_since_ms;      /* when the light last went on (state ON) */
	int64_t last_present_ms;  /* last time a zone was occupied or health was bad; ZP_LIGHTS_NEVER */
	int64_t last_frame_ms;
	int64_t bad_since_ms;     /* -1 when health is good */
	int64_t good_since_ms;    /* start of frames arriving + health ok + ready; -1 when not */
	int64_t state_since_ms;
	bool present;             /* the last frame saw a zone occupied */
	/* counters, from now_ms deltas (each interval counts for the state held during it) */
	uint64_t activations;     /* entries into ON (from OFF, or leaving FAILSAFE with someone present) */
	int64_t on_ms;            /* total time in ON */
	int64_t failsafe_ms;      /* total time in FAILSAFE */
	uint64_t failsafe_entries; /* entries into FAILSAFE after start-up (the start itself not counted) */
	int64_t last_update_ms;
} zp_lights;

/*
 * Start in fail-safe (ZP_FAULT_STARTUP) at now_ms; the stall timer starts
 * here too. p is copied (NULL: the defaults).
 */
void zp_lights_init(zp_lights *l, const zp_lights_params *p, int64_t now_ms);

/*
 * A processed frame at now_ms: occupied = any zone holds a person (or the
 * push button was pressed); health_ok = detector health is OK; ready = the
 * background model is ready. Returns the new state.
 */
zp_light_state zp_lights_frame(zp_lights *l, int64_t now_ms, bool occupied, bool health_ok, bool ready);

/* Time passes without a frame (call at least every stall_ms/4). Returns the new state. */
zp_light_state zp_lights_tick(zp_lights *l, int64_t now_ms);

/* The physical level the line should have at now_ms (blink is resolved here): 0 or 1. */
int zp_lights_level(const zp_lights *l, int64_t now_ms);

/* The level for a clean shutdown (the `shutdown` key): 0 for off, 1 for on and blink. */
int zp_lights_shutdown_level(const zp_lights *l);

/* ---- line drivers ---- */

/* Every field has a [gpio] config key of the same name (see README). */
typedef struct zp_gpio_params {
	char chip[64];          /* "gpiochip0" or "/dev/gpiochip0"; empty: simulated line */
	int line;               /* light output line offset, -1: none */
	bool active_low;
	int heartbeat_line;     /* toggled on every processed frame, -1: none */
	int button_line;        /* push-button input (pedestrian request), -1: none */
	bool button_active_low;
	int button_hold_ms;     /* a press counts as presence this long */
	bool simulate;          /* an empty chip is meant: a test installation (see zp_gpio_check_service) */
} zp_gpio_params;

void zp_gpio_params_default(zp_gpio_params *p);
int zp_gpio_params_set(zp_gpio_params *p, const char *key, const char *value, char *err, size_t errlen);

/*
 * A daemon started as a service must drive a light: an empty chip (the
 * simulated line) is refused there unless the config says simulate = yes.
 * 0, or ZP_EINVAL with one line naming the keys. service: started by systemd
 * and reading the camera (a dry run on a recording is never refused).
 */
int zp_gpio_check_service(const zp_gpio_params *p, bool service, char *err, size_t errlen);

typedef struct zp_line zp_line;

/* One recorded change of a simulated line. */
typedef struct zp_line_change {
	int64_t t_ms;
	int value;
} zp_line_change;

/*
 * A simulated output line that records every change (value differs from the
 * last; the first set is always recorded). zp_line_get() returns the last
 * value set, so it can stand in for the button in replay. NULL: no memory.
 */
zp_line *zp_line_sim_new(const char *name);

/*
 * A real output line through libgpiod, consumer "zebrapad", initial value
 * `initial` (logical, active_low applied by the driver). NULL + message
 * naming chip and line when the chip is missing (ZP_ENODEV), no permission
 * (ZP_EACCES), the line is busy (ZP_EBUSY), the offset is out of range
 * (ZP_EINVAL), or no libgpiod in this build (ZP_EUNSUPPORTED). *errcode
 * (may be NULL) gets the code, 0 on success. chip: "gpiochip0", "0" or
 * "/dev/gpiochip0" (v1 also accepts a chip label). Free with zp_line_free().
 */
zp_line *zp_line_gpiod_new(const char *chip, int offset, bool active_low, int initial, int *errcode,
			   char *err, size_t errlen);

/* Input line (push button) through libgpiod; same errors. */
zp_line *zp_line_gpiod_input_new(const char *chip, int offset, bool active_low, int *errcode, char *err,
				 size_t errlen);

/*
 * Set the logical value 0/1 at now_ms (any non-zero is 1; recorded on a sim
 * line). 0 or a negative zp_err (ZP_EIO from the device, ZP_EINVAL on an input line).
 */
int zp_line_set(zp_line *line, int value, int64_t now_ms);
/* Read the logical value of an input line: 0, 1, or a negative zp_err. */
int zp_line_get(zp_line *line);
/* Release the line (the value stays as last set on real hardware). NULL is a no-op. */
void zp_line_free(zp_line *line);

/* Simulated line only: the recorded changes (owned by the line) and their count; NULL and 0 for other lines. */
const zp_line_change *zp_line_sim_changes(const zp_line *line, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
