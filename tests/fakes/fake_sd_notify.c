/* SPDX-License-Identifier: MIT */
/*
 * fake_sd_notify.c - sd_notify(), sd_notifyf() and sd_watchdog_enabled() as
 * libsystemd does them (a datagram to $NOTIFY_SOCKET; $WATCHDOG_USEC and
 * $WATCHDOG_PID), for the static test binaries of cross builds: Debian ships
 * no libsystemd.a, and Check's fork needs a static binary under qemu-user.
 * The daemon itself links the real libsystemd.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

int sd_notify(int unset_environment, const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	ssize_t n;
	int fd;

	if (!path || !*path)
		return 0;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
	if (unset_environment)
		unsetenv("NOTIFY_SOCKET");
	return n < 0 ? -errno : 1;
}

int sd_notifyf(int unset_environment, const char *format, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	return sd_notify(unset_environment, buf);
}

int sd_watchdog_enabled(int unset_environment, uint64_t *usec)
{
	const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (!u)
		return 0;
	v = strtoull(u, &end, 10);
	if (*end || v == 0)
		return -EINVAL;
	if (p && strtol(p, NULL, 10) != (long)getpid())
		return 0;
	if (usec)
		*usec = v;
	if (unset_environment) {
		unsetenv("WATCHDOG_USEC");
		unsetenv("WATCHDOG_PID");
	}
	return 1;
}
