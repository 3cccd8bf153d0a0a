// SPDX-License-Identifier: MIT
/*
 * echo: TCP and UDP echo on one port (default 7; "echo PORT"), IPv4 and IPv6. One thread, one
 * epoll loop: every connection is non-blocking; what a client sends comes back. Data that cannot
 * be sent back at once waits in the connection's buffer, and the connection is not read from
 * until it has gone (back-pressure). Prints one line when it listens, then nothing per client.
 *
 * "echo connect HOST PORT MESSAGE" is the client side, for tests of outgoing connections and
 * names: resolve HOST (DNS for a name), connect, send MESSAGE, print what comes back, exit 0.
 * "echo ping HOST COUNT" pings an IPv4 address (ping.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ping.h"

#define MAX_EVENTS 64
#define BUF 16384

struct conn {
	int fd;
	size_t len, off;	/* pending output: buf[off, len) */
	char buf[BUF];
};

static int listen_on(int type, int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, type | SOCK_NONBLOCK, 0), one = 1, off = 0;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)); /* IPv4 too */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || (type == SOCK_STREAM && listen(fd, 128))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int listen4(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || (type == SOCK_STREAM && listen(fd, 128))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void drop(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Send what is pending; then read and send back until the socket would block. */
static void serve(int ep, struct conn *c)
{
	for (;;) {
		ssize_t n;

		while (c->off < c->len) {
			n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				struct epoll_event ev = { EPOLLOUT, { .ptr = c } };

				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				return;
			}
			if (n <= 0) {
				drop(ep, c);
				return;
			}
			c->off += (size_t)n;
		}
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct epoll_event ev = { EPOLLIN, { .ptr = c } };

			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		if (n <= 0) {
			drop(ep, c);
			return;
		}
		c->len = (size_t)n;
		c->off = 0;
	}
}

static void accept_all(int ep, int l)
{
	int fd;

	while ((fd = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		struct conn *c = malloc(sizeof(*c));
		struct epoll_event ev = { EPOLLIN, { .ptr = c } };

		if (!c || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->len = c->off = 0;
	}
}

static void udp_echo(int u)
{
	static char buf[65536];
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len)) >= 0) {
		sendto(u, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
		len = sizeof(from);
	}
}

/* The client: 0 when the reply came, 1 with a message otherwise. */
static int client(const char *host, const char *port, const char *msg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char buf[512];
	size_t got = 0, len = strlen(msg);
	int r = getaddrinfo(host, port, &hints, &res), fd;

	if (r) {
		fprintf(stderr, "echo: %s: %s\n", host, gai_strerror(r));
		return 1;
	}
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen)) {
		fprintf(stderr, "echo: connect to %s port %s: %s\n", host, port, strerror(errno));
		return 1;
	}
	freeaddrinfo(res);
	if (send(fd, msg, len, 0) != (ssize_t)len) {
		fprintf(stderr, "echo: send: %s\n", strerror(errno));
		return 1;
	}
	while (got < len && got < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	printf("echo: %s answered \"%s\"\n", host, buf);
	close(fd);
	return got ? 0 : 1;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7, ep = epoll_create1(0), t, u;
	struct epoll_event ev, evs[MAX_EVENTS];
	static int tcp_tag, udp_tag;

	if (argc == 5 && !strcmp(argv[1], "connect"))
		return client(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "ping"))
		return echo_ping(argv[2], argv[3]);
	if (port < 1 || port > 65535) {
		fprintf(stderr, "echo: '%s' is not a port\n", argv[1]);
		return 2;
	}
	/* Dual-stack sockets where IPv6 is built in, IPv4 ones otherwise. */
	if ((t = listen_on(SOCK_STREAM, port)) < 0)
		t = listen4(SOCK_STREAM, port);
	if ((u = listen_on(SOCK_DGRAM, port)) < 0)
		u = listen4(SOCK_DGRAM, port);
	if (t < 0 || u < 0 || ep < 0) {
		fprintf(stderr, "echo: cannot listen on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	ev = (struct epoll_event){ EPOLLIN, { .ptr = &tcp_tag } };
	epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
	ev = (struct epoll_event){ EPOLLIN, { .ptr = &udp_tag } };
	epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev);
	printf("echo: listening on TCP and UDP port %d\n", port);
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, MAX_EVENTS, -1);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &tcp_tag)
				accept_all(ep, t);
			else if (evs[i].data.ptr == &udp_tag)
				udp_echo(u);
			else
				serve(ep, evs[i].data.ptr);
		}
	}
}
