// SPDX-License-Identifier: MIT
/*
 * echo's ping client, for tests of traffic the image starts itself (ICMP out, replies in): an
 * ICMP socket (CONFIG_LWIP_RAW), echo requests with our own id and a sequence number, replies
 * matched on both. The socket receives every ICMP packet with its IPv4 header, so anything else
 * (the requests of a host that pings us meanwhile, which lwIP answers itself) is skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "ping.h"

#define ECHO_REQUEST 8
#define ECHO_REPLY 0
#define ID 0x534b /* "SK" */
#define WAIT_MS 1000

static uint16_t checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Whether the IPv4 packet b (n bytes) is the reply to our request seq. */
static bool is_reply(const uint8_t *b, ssize_t n, uint16_t seq)
{
	size_t ihl = n > 0 ? (size_t)(b[0] & 15) * 4 : 0;

	if (n < 28 || b[0] >> 4 != 4 || ihl < 20 || (size_t)n < ihl + 8)
		return false;
	b += ihl;
	return b[0] == ECHO_REPLY && b[1] == 0 && (b[4] << 8 | b[5]) == ID && (b[6] << 8 | b[7]) == seq;
}

/* One request and its reply: true with the round trip in *rtt, false after WAIT_MS without one. */
static bool one(int fd, const struct sockaddr_in *to, uint16_t seq, double *rtt)
{
	static const char payload[] = "ping from a Skiff image";
	uint8_t req[8 + sizeof(payload)] = { ECHO_REQUEST, 0, 0, 0, ID >> 8, ID & 255, (uint8_t)(seq >> 8),
					     (uint8_t)seq };
	uint8_t buf[1600];
	uint16_t c;
	double t0 = now_ms();

	memcpy(req + 8, payload, sizeof(payload));
	c = checksum(req, sizeof(req));
	req[2] = (uint8_t)(c >> 8);
	req[3] = (uint8_t)c;
	if (sendto(fd, req, sizeof(req), 0, (const struct sockaddr *)to, sizeof(*to)) != (ssize_t)sizeof(req))
		return false;
	for (;;) {
		double left = WAIT_MS - (now_ms() - t0);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), 0);
		if (is_reply(buf, n, seq)) {
			*rtt = now_ms() - t0;
			return true;
		}
	}
}

int echo_ping(const char *host, const char *count_s)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int count = atoi(count_s), got = 0, fd;

	if (inet_pton(AF_INET, host, &to.sin_addr) != 1 || count < 1 || count > 1000) {
		fprintf(stderr, "echo: ping needs an IPv4 address and a count from 1 to 1000\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)) < 0) {
		fprintf(stderr, "echo: ICMP socket: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 1; i <= count; i++) {
		double rtt;

		if (one(fd, &to, (uint16_t)i, &rtt)) {
			printf("echo: reply from %s: seq %d, %.2f ms\n", host, i, rtt);
			got++;
		} else {
			printf("echo: no reply from %s to seq %d within %d ms\n", host, i, WAIT_MS);
		}
	}
	printf("echo: ping %s: %d sent, %d answered\n", host, count, got);
	close(fd);
	return got == count ? 0 : 1;
}
