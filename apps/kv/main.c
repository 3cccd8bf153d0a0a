// SPDX-License-Identifier: MIT
/*
 * kv: a key-value server that speaks the Redis protocol (RESP2), durable on the block device.
 *
 *   kv [-p PORT] [-m MAXMEMORY_MIB] [-f always|everysec|no] [-c MAX_CLIENTS]
 *
 * One thread and an epoll loop, as httpd (Skiff's threads are cooperative). Requests are answered
 * in order (pipelining) into each client's output buffer; the log records of a batch of events
 * are committed (aof_commit: with appendfsync always, written and flushed) before any of the
 * batch's replies leaves, so an acknowledged write is on the disk.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "aof.h"
#include "kv.h"
#include "store.h"

#define READ_CHUNK 16384
#define MAX_IN (RESP_MAX_BULK + RESP_MAX_INLINE + 4096)
#define MAX_OUT (256u << 20)	/* a client that reads nothing back is cut off here */

static int ep;
static unsigned max_clients = 1024;
static struct client *graveyard, *touched;

static uint64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void close_client(struct client *c)
{
	if (c->dead)
		return;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->dead = true;
	kv_stats.clients--;
}

static void want(struct client *c, uint32_t events)
{
	struct epoll_event ev = { events, { .ptr = c } };

	if (!c->dead && c->events != events) {
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = events;
	}
}

/* Send what is queued; on EAGAIN wait for EPOLLOUT. */
static void flush_out(struct client *c)
{
	struct resp_out *o = &c->out;

	if (o->failed) {
		close_client(c);
		return;
	}
	while (o->off < o->len) {
		ssize_t n = write(c->fd, o->buf + o->off, o->len - o->off);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want(c, EPOLLOUT);
			return;
		}
		if (n <= 0) {
			close_client(c);
			return;
		}
		o->off += (size_t)n;
	}
	o->len = o->off = 0;
	if (o->cap > 1 << 20) { /* a big reply's buffer goes back */
		free(o->buf);
		*o = (struct resp_out){ 0 };
	}
	if (c->closing) {
		close_client(c);
		return;
	}
	want(c, EPOLLIN);
}

static void touch(struct client *c)
{
	if (c->next == NULL && touched != c) {
		c->next = touched ? touched : c; /* a self-link marks the list's end */
		touched = c;
	}
}

/* Answer every complete request in the input, in order. */
static void handle(struct client *c)
{
	size_t pos = 0;

	while (!c->closing && !c->dead && pos < c->inlen && c->out.len < MAX_OUT) {
		size_t used = 0, need = 0;
		const char *err = NULL;
		enum resp_result r = resp_parse(c->in + pos, c->inlen - pos, &c->req, &used, &need, &err);

		if (r == RESP_NEED_MORE) {
			if (need > c->incap && need <= MAX_IN) { /* room for the whole request at once */
				char *in = realloc(c->in, need);

				if (in) {
					c->in = in;
					c->incap = need;
				}
			}
			break;
		}
		if (r == RESP_ERROR) {
			resp_error(&c->out, "ERR %s", err);
			kv_stats.errors++;
			c->closing = true;
			break;
		}
		pos += used;
		if (r == RESP_OK)
			kv_exec(c, c->req.argc, c->req.argv, c->req.lens);
	}
	memmove(c->in, c->in + pos, c->inlen - pos);
	c->inlen -= pos;
	if (c->out.len >= MAX_OUT)
		c->out.failed = true;
	touch(c);
}

static void readable(struct client *c)
{
	for (;;) {
		ssize_t n;

		if (c->incap - c->inlen < READ_CHUNK) {
			size_t cap = c->incap ? c->incap * 2 : READ_CHUNK * 2;
			char *in;

			if (c->incap >= MAX_IN || !(in = realloc(c->in, cap > MAX_IN ? MAX_IN : cap))) {
				resp_error(&c->out, "ERR Protocol error: request too large");
				c->closing = true;
				touch(c);
				return;
			}
			c->in = in;
			c->incap = cap > MAX_IN ? MAX_IN : cap;
		}
		n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			close_client(c);
			touch(c);
			return;
		}
		c->inlen += (size_t)n;
		if ((size_t)n < READ_CHUNK)
			break;
	}
	handle(c);
}

static void accept_all(int l)
{
	for (;;) {
		int fd = accept4(l, NULL, NULL, SOCK_NONBLOCK), one = 1;
		struct epoll_event ev;
		struct client *c;

		if (fd < 0)
			return;
		kv_stats.connections++;
		if (kv_stats.clients >= max_clients || !(c = calloc(1, sizeof(*c)))) {
			static const char msg[] = "-ERR max number of clients reached\r\n";

			if (write(fd, msg, sizeof(msg) - 1) < 0) { /* best effort */
			}
			close(fd);
			kv_stats.rejected_conns++;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->events = EPOLLIN;
		ev = (struct epoll_event){ EPOLLIN, { .ptr = c } };
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		kv_stats.clients++;
	}
}

/* The batch's log records go to the disk, then its replies go out. */
static void commit_and_reply(void)
{
	bool ok = aof_commit() == 0;

	while (touched) {
		struct client *c = touched, *next = c->next == c ? NULL : c->next;

		touched = next;
		c->next = NULL;
		if (c->pending_commit && !ok) {
			/* Not on the disk: no reply may say it is. The client sees the connection end. */
			close_client(c);
		}
		c->pending_commit = false;
		if (!c->dead)
			flush_out(c);
		if (c->dead) {
			c->next = graveyard;
			graveyard = c;
		}
	}
	while (graveyard) {
		struct client *c = graveyard;

		graveyard = c->next;
		resp_req_free(&c->req);
		free(c->in);
		free(c->out.buf);
		free(c);
	}
}

static int listener(unsigned port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1, off = 0;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, SOMAXCONN)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int usage(void)
{
	fprintf(stderr, "usage: kv [-p PORT] [-m MAXMEMORY_MIB] [-f always|everysec|no] [-c MAX_CLIENTS]\n");
	return 2;
}

static int parse_options(int argc, char **argv, unsigned *port, unsigned long *mib, enum aof_fsync *fs)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		unsigned long n = v ? strtoul(v, &end, 10) : 0;
		bool num = v && *v && end && !*end;

		if (!strcmp(argv[i], "-p") && num && n >= 1 && n <= 65535)
			*port = (unsigned)n;
		else if (!strcmp(argv[i], "-m") && num && n >= 1 && n <= 1 << 20)
			*mib = n;
		else if (!strcmp(argv[i], "-c") && num && n >= 1 && n <= 100000)
			max_clients = (unsigned)n;
		else if (!strcmp(argv[i], "-f") && v && !strcmp(v, "always"))
			*fs = AOF_FSYNC_ALWAYS;
		else if (!strcmp(argv[i], "-f") && v && !strcmp(v, "everysec"))
			*fs = AOF_FSYNC_EVERYSEC;
		else if (!strcmp(argv[i], "-f") && v && !strcmp(v, "no"))
			*fs = AOF_FSYNC_NO;
		else {
			fprintf(stderr, "kv: bad option '%s%s%s'\n", argv[i], v ? " " : "", v ? v : "");
			return usage();
		}
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static int listen_tag;
	unsigned port = 6379;
	unsigned long mib = 32;
	enum aof_fsync fs = AOF_FSYNC_EVERYSEC;
	struct epoll_event ev, evs[64];
	uint64_t last_tick = 0;
	int l, r;

	if (parse_options(argc, argv, &port, &mib, &fs))
		return 2;
	store_init((uint64_t)mib << 20);
	kv_stats.start_ms = store_now_ms();
	kv_stats.port = port;
	aof_set_fsync(fs);
	if ((r = aof_open(kv_replay, NULL)) < 0)
		return 1;
	if (r == 1)
		printf("kv: no disk: the data is kept in memory only and lost when the image stops\n");
	if ((l = listener(port)) < 0 || (ep = epoll_create1(0)) < 0) {
		fprintf(stderr, "kv: cannot listen on port %u: %s\n", port, strerror(errno));
		return 1;
	}
	ev = (struct epoll_event){ EPOLLIN, { .ptr = &listen_tag } };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	printf("kv: %llu keys, maxmemory %lu MiB, appendfsync %s; ready on port %u\n",
	       (unsigned long long)store_size(), mib,
	       aof_enabled() ? (fs == AOF_FSYNC_ALWAYS ? "always" : fs == AOF_FSYNC_EVERYSEC ? "everysec" : "no") : "off",
	       port);
	fflush(stdout);
	for (;;) {
		struct store_stats st;
		int n, timeout;

		store_get_stats(&st);
		timeout = st.expires ? 100 : aof_enabled() ? 1000 : -1; /* an idle server without either sleeps */
		n = epoll_wait(ep, evs, 64, timeout);
		for (int i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;

			if (evs[i].data.ptr == &listen_tag) {
				accept_all(l);
			} else if (c->dead) {
				continue;
			} else if (evs[i].events & EPOLLOUT) {
				touch(c);
				if (!c->closing)
					handle(c); /* requests held back while the output was full */
			} else {
				readable(c);
			}
		}
		commit_and_reply();
		if (mono_ms() - last_tick >= 100) {
			last_tick = mono_ms();
			store_expire_some();
			aof_tick(last_tick, kv_walk, NULL);
		}
	}
}
