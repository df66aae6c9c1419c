/* SPDX-License-Identifier: MIT */
/*
 * fake_gpio.h - control of the link-time fakes of libgpiod (fake_gpiod1.c for
 * the 1.x API, fake_gpiod2.c for 2.x). Both simulate one chip, "gpiochip0"
 * (/dev/gpiochip0, label "pinctrl-fake", number 0), with a number of lines;
 * the real driver (gpio/line_gpiod1.c or line_gpiod2.c) is linked against
 * the fake instead of -lgpiod.
 *
 * The fake plays the kernel: it keeps every line's owner, direction,
 * active-low flag and physical level, and logs every change of a physical
 * level with the fake time. State is static (a test process simulates one
 * machine); fake_gpio_reset() starts over.
 */
#ifndef ZP_FAKE_GPIO_H
#define ZP_FAKE_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_GPIO_CHIP "gpiochip0"
#define FAKE_GPIO_LABEL "pinctrl-fake"
#define FAKE_GPIO_MAX_LINES 64

typedef struct fake_gpio_change {
	int64_t t_ms;
	unsigned int offset;
	int physical;   /* level on the pin: 0 or 1 */
} fake_gpio_change;

/* A fresh machine: one chip with num_lines (<= FAKE_GPIO_MAX_LINES) free lines, undriven (-1), time 0, empty log, no faults. */
void fake_gpio_reset(unsigned int num_lines);
/* The time stamped on later changes. */
void fake_gpio_set_time(int64_t t_ms);
/* Opening the chip fails with this errno from now on (0: opens again), e.g. EACCES. */
void fake_gpio_fail_open(int errnum);
/* The line is held by another consumer (NULL: free it). */
void fake_gpio_set_busy(unsigned int offset, const char *consumer);
/* Setting the line's value fails with errnum from now on (0: works again). */
void fake_gpio_fail_set(unsigned int offset, int errnum);
/* An external circuit drives an input line to this physical level. */
void fake_gpio_drive_input(unsigned int offset, int physical);

/* The log of physical changes; *count gets its length. */
const fake_gpio_change *fake_gpio_changes(size_t *count);
/* Calls that wrote a value (output requests and set_value), changed or not. */
unsigned int fake_gpio_writes(unsigned int offset);
/* The consumer holding the line, NULL when free. */
const char *fake_gpio_consumer(unsigned int offset);
/* 1 output, 0 input, -1 not requested. */
int fake_gpio_direction(unsigned int offset);
bool fake_gpio_active_low(unsigned int offset);
/* Physical level, -1 never driven. */
int fake_gpio_physical(unsigned int offset);
/* Chip handles and line requests open now (leak checks). */
int fake_gpio_open_handles(void);

#endif
