/* zebrapad — free TCP ports on 127.0.0.1 for the servers a test starts (mosquitto, PostgreSQL).
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

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
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

#endif
