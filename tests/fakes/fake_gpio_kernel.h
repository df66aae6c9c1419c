/* SPDX-License-Identifier: MIT */
/*
 * fake_gpio_kernel.h - the simulated GPIO character device shared by the
 * libgpiod v1 and v2 fakes. Functions return 0 or an errno value.
 */
#ifndef ZP_FAKE_GPIO_KERNEL_H
#define ZP_FAKE_GPIO_KERNEL_H

#include "fake_gpio.h"

/* Open the chip at a path ("/dev/gpiochip0"): 0, ENOENT, or the injected open fault. */
int fake_kernel_open(const char *path);
/* A handle that is not a chip (a v2 line request) was opened. */
void fake_kernel_hold(void);
/* A chip handle or request was closed. */
void fake_kernel_close(void);
unsigned int fake_kernel_num_lines(void);
/* Request a line: 0, EINVAL (offset), EBUSY (held by someone). initial is logical. */
int fake_kernel_request(unsigned int offset, const char *consumer, bool output, bool active_low, int initial);
/* Set a logical value: 0, EPERM (not requested as output), or the injected set fault. */
int fake_kernel_set(unsigned int offset, int value);
/* Logical value of a requested line into *value: 0 or EPERM. */
int fake_kernel_get(unsigned int offset, int *value);
void fake_kernel_release(unsigned int offset);

#endif
