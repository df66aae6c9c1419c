/* zebrapad — free TCP ports on 127.0.0.1 for the servers a test starts (mosquitto, PostgreSQL), and
 * stopping such a server (or any child) so that it cannot hang the test.
 *
 * Binding port 0 hands out a port from the kernel's ephemeral range, the same range every outgoing
 * connection takes its local port from: between the probe and the server's own bind, a client (a
 * collector connecting to PostgreSQL, a readiness probe) can take it, and two probes in a row can
 * return the same port. So the ports come from below the ephemeral range, every socket stays bound
 * until all n are chosen (they are distinct), and the start is drawn from the pid and the clock so
 * that two suites running side by side do not walk the same sequence.
 */
#ifndef ZP_TEST_PORTS_H
#define ZP_TEST_PORTS_H

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ZP_TEST_PORT_LO 20000
#define ZP_TEST_PORT_HI 32000 /* Linux's ephemeral range starts at 32768 */

/* Fill ports[0..n-1] with distinct free ports; 0 on success, -1 when none are left (n <= 8). */
static inline int zp_test_free_ports(int *ports, int n)
{
	int fds[8], got = 0;
	struct timespec ts;
	uint32_t x;

	if (n < 1 || n > 8)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint32_t)getpid() * 2654435761u ^ (uint32_t)ts.tv_nsec;
	for (int tries = 0; got < n && tries < ZP_TEST_PORT_HI - ZP_TEST_PORT_LO; tries++) {
		int port = ZP_TEST_PORT_LO + (int)((x + (uint32_t)tries * 7919u) % (ZP_TEST_PORT_HI - ZP_TEST_PORT_LO));
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			break;
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			fds[got] = fd;
			ports[got++] = port;
		} else {
			close(fd);
		}
	}
	for (int i = 0; i < got; i++)
		close(fds[i]);
	return got == n ? 0 : -1;
}

/* true when a server accepts connections on 127.0.0.1:port (a broker or database a test started is up). */
static inline bool zp_test_port_open(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/*
 * Stop the child pid with SIGTERM (SIGKILL with kill9) and reap it; its wait
 * status. SIGTERM is sent again every 200 ms: Mosquitto's handler clears a
 * flag that main() sets to 1 only after installing the handler, after the
 * listeners are up, so a SIGTERM that lands between the two is lost and the
 * broker runs on (seen under load: 2 of 300 starts). After 20 s the child is
 * killed, and that is said on stderr.
 */
static inline int zp_test_stop_child(pid_t pid, bool kill9)
{
	struct timespec tick = { 0, 200 * 1000000L };
	int st = 0;
	pid_t got = 0;

	kill(pid, kill9 ? SIGKILL : SIGTERM);
	for (int i = 0; !kill9 && i < 100; i++) {
		got = waitpid(pid, &st, WNOHANG);
		if (got < 0 && errno == EINTR)
			got = 0;
		if (got != 0)
			return st;
		nanosleep(&tick, NULL);
		kill(pid, SIGTERM);
	}
	if (!kill9)
		fprintf(stderr, "pid %d still runs 20 s after SIGTERM: SIGKILL\n", (int)pid);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

#endif
