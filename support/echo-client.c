// SPDX-License-Identifier: MIT
/*
 * The TCP client of support/virtbench.sh's echo workload, against apps/echo (or the same program
 * built for Linux). Results as virtbench lines ("virtbench: NAME VALUE UNIT key=value...").
 *
 *   echo-client HOST PORT throughput SECONDS   one connection, 64 KiB writes for SECONDS while
 *                                              reading everything back: MB/s echoed
 *   echo-client HOST PORT latency N            N round trips of 64 bytes, one at a time: the
 *                                              median and 99th percentile in microseconds
 *   echo-client HOST PORT probe                exit 0 once a connection opens
 * Exit status: 0, 1 when the connection fails or the data comes back wrong, 2 bad usage.
 *   gcc -O2 -o echo-client support/echo-client.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536
/*
 * Unread bytes the client lets the server owe it: the server stops reading while it cannot
 * send, so writing without reading would deadlock both.
 */
#define WINDOW (4 * CHUNK)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "echo-client: '%s' is not an IPv4 address\n", host);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "echo-client: connect to %s:%d: %s\n", host, port, strerror(errno));
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Every byte sent is its offset's low byte, so the echo can be checked as it comes back. */
static int throughput(int fd, double seconds)
{
	static unsigned char out[CHUNK], in[CHUNK];
	uint64_t sent = 0, got = 0;
	double t0 = now_s(), end = t0 + seconds;

	while (now_s() < end || got < sent) {
		int sending = now_s() < end && sent - got < WINDOW;
		struct pollfd p = { fd, (short)(POLLIN | (sending ? POLLOUT : 0)), 0 };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0) {
			fprintf(stderr, "echo-client: no progress for 5 s (%llu of %llu bytes back)\n",
				(unsigned long long)got, (unsigned long long)sent);
			return 1;
		}
		if (p.revents & POLLIN) {
			n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			if (n <= 0) {
				fprintf(stderr, "echo-client: the connection ended\n");
				return 1;
			}
			for (ssize_t i = 0; i < n; i++)
				if (in[i] != (unsigned char)(got + (uint64_t)i)) {
					fprintf(stderr, "echo-client: byte %llu came back wrong\n",
						(unsigned long long)(got + (uint64_t)i));
					return 1;
				}
			got += (uint64_t)n;
		}
		if (sending && (p.revents & POLLOUT)) {
			size_t len = sizeof(out);

			if (len > WINDOW - (sent - got))
				len = WINDOW - (sent - got);
			for (size_t i = 0; i < len; i++)
				out[i] = (unsigned char)(sent + i);
			n = send(fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN) {
				fprintf(stderr, "echo-client: send: %s\n", strerror(errno));
				return 1;
			}
			sent += n > 0 ? (uint64_t)n : 0;
		}
	}
	printf("virtbench: echo-throughput %.1f MB/s seconds=%.0f write=64KiB bytes=%llu\n",
	       (double)got / (now_s() - t0) / 1e6, seconds, (unsigned long long)got);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int latency(int fd, long n)
{
	char msg[64], back[64];
	double *rtt = malloc((size_t)n * sizeof(*rtt));

	if (!rtt)
		return 1;
	memset(msg, 'x', sizeof(msg));
	for (long i = 0; i < n; i++) {
		double t0 = now_s();
		size_t got = 0;

		if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg)) {
			fprintf(stderr, "echo-client: send: %s\n", strerror(errno));
			return 1;
		}
		while (got < sizeof(back)) {
			ssize_t r = recv(fd, back + got, sizeof(back) - got, 0);

			if (r <= 0) {
				fprintf(stderr, "echo-client: the connection ended after %ld round trips\n", i);
				return 1;
			}
			got += (size_t)r;
		}
		rtt[i] = (now_s() - t0) * 1e6;
	}
	qsort(rtt, (size_t)n, sizeof(*rtt), cmp_double);
	printf("virtbench: echo-latency %.1f us n=%ld size=64 p99=%.1f\n", rtt[n / 2], n, rtt[n * 99 / 100]);
	free(rtt);
	return 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 4 || (strcmp(argv[3], "probe") && argc < 5)) {
		fprintf(stderr, "usage: echo-client HOST PORT throughput SECONDS | latency N | probe\n");
		return 2;
	}
	fd = dial(argv[1], atoi(argv[2]));
	if (!strcmp(argv[3], "probe"))
		return 0;
	if (!strcmp(argv[3], "throughput") && atof(argv[4]) > 0)
		return throughput(fd, atof(argv[4]));
	if (!strcmp(argv[3], "latency") && atol(argv[4]) > 0)
		return latency(fd, atol(argv[4]));
	fprintf(stderr, "echo-client: unknown test '%s %s' (throughput SECONDS, latency N)\n", argv[3], argv[4]);
	return 2;
}
