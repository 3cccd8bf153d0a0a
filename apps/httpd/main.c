// SPDX-License-Identifier: MIT
/*
 * httpd: a static HTTP/1.1 server for files (from the initrd by default).
 *
 *   httpd [-p PORT] [-r ROOT] [-t IDLE_SECONDS] [-c MAX_CONNECTIONS]
 *
 * GET and HEAD; HTTP/1.1 with keep-alive and pipelining, and HTTP/1.0; Content-Type from the
 * extension, Content-Length, Date, Last-Modified; a directory serves its index.html. Errors:
 * 400 malformed, 403 a path that climbs out of the root, 404, 405 another method, 408 a
 * connection idle mid-request past the limit, 413 a request body, 414 a request line over 8 KiB,
 * 431 headers over 16 KiB, 505 a version other than 1.0 or 1.1; after any of them the connection
 * closes. Idle connections close after the limit.
 *
 * One thread and an epoll loop over non-blocking sockets: many connections cost a buffer each,
 * not a thread (Skiff's threads are cooperative, and an event loop never waits on one client).
 * Files are read once and kept: the initrd does not change.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "http.h"

#define LINGER_MS 2000

static struct options opt = { .port = 80, .root = "/initrd", .idle_s = 10, .max_conns = 1024 };
static int ep;
static unsigned nconns;

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Closed now, freed after the current batch of events (which may still name it). */
static struct conn *graveyard;

static void close_conn(struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conn_unlink(c);
	c->dead = true;
	c->next = graveyard;
	graveyard = c;
	nconns--;
}

static void bury(void)
{
	while (graveyard) {
		struct conn *c = graveyard;

		graveyard = c->next;
		free(c);
	}
}

static void want(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { events, { .ptr = c } };

	if (c->events != events) {
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = events;
	}
}

/* Send what is queued; false when the connection is gone. */
static bool flush(struct conn *c)
{
	while (c->hlen > c->hoff || c->blen > c->boff) {
		struct iovec v[2] = { { c->head + c->hoff, c->hlen - c->hoff },
				      { (char *)c->body + c->boff, c->blen - c->boff } };
		ssize_t n = writev(c->fd, v, 2);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want(c, EPOLLOUT);
			return true;
		}
		if (n <= 0) {
			close_conn(c);
			return false;
		}
		if ((size_t)n <= c->hlen - c->hoff) {
			c->hoff += (size_t)n;
		} else {
			c->boff += (size_t)n - (c->hlen - c->hoff);
			c->hoff = c->hlen;
		}
	}
	c->hlen = c->hoff = c->blen = c->boff = 0;
	if (c->closing && c->linger) {
		/*
		 * Closing a socket with unread data sends a reset, which can destroy the error answer
		 * before the client reads it: shut the write side, then drop what the client still
		 * sends until it closes or the linger time runs out (as nginx's lingering close).
		 */
		shutdown(c->fd, SHUT_WR);
		c->lingering = true;
		c->last_ms = now_ms();
		want(c, EPOLLIN);
		return false;
	}
	if (c->closing) {
		close_conn(c);
		return false;
	}
	want(c, EPOLLIN);
	return true;
}

/* Answer every complete request in the buffer, in order (pipelining), while output drains. */
static void handle(struct conn *c)
{
	while (c->hlen == 0 && !c->closing) {
		size_t used = 0;
		int r = http_respond(c, &opt, &used);

		if (r == HTTP_NEED_MORE)
			return;
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
		if (!flush(c))
			return;
	}
}

/* Drop what a client sends after its error answer, until it closes. */
static void drain(struct conn *c)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		close_conn(c);
}

static void readable(struct conn *c)
{
	if (c->lingering) {
		drain(c);
		return;
	}
	for (;;) {
		ssize_t n;

		if (c->inlen == sizeof(c->in)) {
			/* Full, and no complete request in it: too long a line or too many headers. */
			http_error(c, c->has_line ? 431 : 414);
			flush(c);
			return;
		}
		n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			close_conn(c);
			return;
		}
		c->inlen += (size_t)n;
		c->last_ms = now_ms();
		if (c->hlen == 0) {
			handle(c);
			if (!conn_alive(c) || c->hlen)
				return;
		}
	}
}

static void accept_all(int l)
{
	int fd, one = 1;

	while ((fd = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		struct conn *c = nconns < opt.max_conns ? calloc(1, sizeof(*c)) : NULL;
		struct epoll_event ev = { EPOLLIN, { .ptr = c } };

		if (!c || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			free(c);
			close(fd); /* over the limit, or out of memory: the client sees a close */
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->events = EPOLLIN;
		c->last_ms = now_ms();
		conn_link(c);
		nconns++;
	}
}

/* Connections idle past the limit: a 408 if they were mid-request, then closed. */
static int expire(void)
{
	uint64_t t = now_ms(), limit = (uint64_t)opt.idle_s * 1000, next = limit;

	for (struct conn *c = conn_first(), *n; c; c = n) {
		n = c->next; /* read first: closing c puts it on the graveyard list */
		if (c->lingering && t - c->last_ms >= LINGER_MS) {
			close_conn(c);
		} else if (c->lingering) {
			if (LINGER_MS - (t - c->last_ms) < next)
				next = LINGER_MS - (t - c->last_ms);
		} else if (t - c->last_ms >= limit) {
			if (c->inlen && c->hlen == 0) {
				http_error(c, 408);
				c->closing = true;
				if (!flush(c))
					continue;
			}
			if (conn_alive(c))
				close_conn(c);
		} else if (limit - (t - c->last_ms) < next) {
			next = limit - (t - c->last_ms);
		}
	}
	bury();
	return (int)next + 1;
}

static int listener(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1, off = 0;

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) && !listen(fd, SOMAXCONN))
			return fd;
		close(fd);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) || listen(fd, SOMAXCONN)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct epoll_event ev, evs[64];
	static int listen_tag;
	int l;

	if (parse_options(argc, argv, &opt))
		return 2;
	if ((l = listener(opt.port)) < 0 || (ep = epoll_create1(0)) < 0) {
		fprintf(stderr, "httpd: cannot listen on port %d: %s\n", opt.port, strerror(errno));
		return 1;
	}
	ev = (struct epoll_event){ EPOLLIN, { .ptr = &listen_tag } };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	printf("httpd: serving %s on port %d\n", opt.root, opt.port);
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, expire());

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (evs[i].data.ptr == &listen_tag)
				accept_all(l);
			else if (!conn_alive(c))
				continue; /* closed earlier in this batch */
			else if (evs[i].events & EPOLLOUT)
				flush(c) && (handle(c), true);
			else
				readable(c);
		}
		bury();
	}
}
