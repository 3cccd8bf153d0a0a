// SPDX-License-Identifier: MIT
/*
 * Sockets, from inside the image over loopback (127.0.0.1, ::1), so they run on every platform:
 * TCP and UDP, blocking and not, the errors Linux gives, options, poll, select and epoll over
 * sockets, names and addresses as text.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

/* A listening TCP socket on 127.0.0.1 (or ::1) at a port the stack picks; its address in *a. */
static int listener(int family, struct sockaddr_storage *a, socklen_t *len)
{
	int fd = socket(family, SOCK_STREAM, 0);

	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)a;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		*len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)a;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
	}
	CHECK(fd >= 0);
	CHECK(bind(fd, (struct sockaddr *)a, *len) == 0);
	CHECK(listen(fd, 16) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)a, len) == 0);
	return fd;
}

/* A connected pair over loopback TCP: *c the client end, *s the accepted one. */
static void tcp_pair(int family, int *c, int *s)
{
	struct sockaddr_storage a, peer;
	socklen_t len, plen = sizeof(peer);
	int l = listener(family, &a, &len);

	*c = socket(family, SOCK_STREAM, 0);
	CHECK(*c >= 0 && connect(*c, (struct sockaddr *)&a, len) == 0);
	*s = accept(l, (struct sockaddr *)&peer, &plen);
	CHECK(*s >= 0 && peer.ss_family == family);
	close(l);
}

static void tcp_echo(void)
{
	char buf[64];
	int c, s;

	tcp_pair(AF_INET, &c, &s);
	CHECK(write(c, "hello", 5) == 5);
	CHECK(read(s, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	CHECK(send(s, "world!", 6, MSG_NOSIGNAL) == 6);
	CHECK(recv(c, buf, sizeof(buf), 0) == 6 && !memcmp(buf, "world!", 6));
	close(s);
	CHECK(recv(c, buf, sizeof(buf), 0) == 0); /* the peer closed: end of stream */
	close(c);
}

static void tcp_ipv6(void)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);
	char buf[8];
	int c, s;

	tcp_pair(AF_INET6, &c, &s);
	CHECK(getpeername(s, (struct sockaddr *)&a, &len) == 0 && a.sin6_family == AF_INET6 &&
	      IN6_IS_ADDR_LOOPBACK(&a.sin6_addr));
	CHECK(send(c, "v6", 2, 0) == 2 && recv(s, buf, sizeof(buf), 0) == 2 && !memcmp(buf, "v6", 2));
	close(c);
	close(s);
}

/* Lots of data one way: the window and the send buffer fill up and drain, in order. */
static void tcp_bulk(void)
{
	static unsigned char out[256 * 1024], in[sizeof(out)];
	size_t sent = 0, got = 0;
	int c, s;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	tcp_pair(AF_INET, &c, &s);
	fcntl(c, F_SETFL, O_NONBLOCK);
	while (got < sizeof(in)) {
		ssize_t n;

		if (sent < sizeof(out) && (n = send(c, out + sent, sizeof(out) - sent, 0)) > 0)
			sent += (size_t)n;
		if ((n = recv(s, in + got, sizeof(in) - got, MSG_DONTWAIT)) > 0)
			got += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			break;
	}
	CHECK(got == sizeof(in) && !memcmp(in, out, sizeof(in)));
	close(c);
	close(s);
}

static void tcp_errors(void)
{
	struct sockaddr_storage a;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len;
	int l = listener(AF_INET, &a, &len), fd = socket(AF_INET, SOCK_STREAM, 0), fd2;
	char buf[4];

	in.sin_port = ((struct sockaddr_in *)&a)->sin_port;
	CHECK_ERRNO(bind(fd, (struct sockaddr *)&in, sizeof(in)), EADDRINUSE);
	close(l); /* nobody listens there now */
	CHECK_ERRNO(connect(fd, (struct sockaddr *)&in, sizeof(in)), ECONNREFUSED);
	close(fd);
	CHECK_ERRNO(socket(AF_UNIX, SOCK_DGRAM, 0), EAFNOSUPPORT);
	CHECK_ERRNO(socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT);
	CHECK_ERRNO(recv(0, buf, sizeof(buf), 0), ENOTSOCK);
	CHECK_ERRNO(recv(99, buf, sizeof(buf), 0), EBADF);
	fd2 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERRNO(connect(fd2, (struct sockaddr *)&in, 3), EINVAL);
	CHECK_ERRNO(send(fd2, "x", 1, MSG_OOB), EOPNOTSUPP);
	close(fd2);
}

static void nonblocking(void)
{
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(AF_INET, &a, &len), fd, err = -1, s;
	socklen_t elen = sizeof(err);
	struct pollfd p;
	char buf[4];

	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO(accept(l, NULL, NULL), EAGAIN);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_ERRNO(connect(fd, (struct sockaddr *)&a, len), EINPROGRESS);
	p = (struct pollfd){ fd, POLLOUT, 0 };
	CHECK(poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT));
	CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0);
	p = (struct pollfd){ l, POLLIN, 0 };
	CHECK(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN)); /* a connection to accept */
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	CHECK(s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK));
	CHECK_ERRNO(recv(s, buf, sizeof(buf), 0), EAGAIN);
	CHECK_ERRNO(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(fd);
	close(s);
	close(l);
}

static void udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, from;
	socklen_t len = sizeof(a), flen = sizeof(from);
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0), n = 0;
	char buf[16];
	struct msghdr m;
	struct iovec iov = { buf, 4 };

	CHECK(bind(r, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(r, (struct sockaddr *)&a, &len) == 0);
	CHECK(sendto(s, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) == 8);
	CHECK(sendto(s, "two", 3, 0, (struct sockaddr *)&a, sizeof(a)) == 3);
	CHECK(poll(&(struct pollfd){ r, POLLIN, 0 }, 1, 1000) == 1);
	CHECK(ioctl(r, FIONREAD, &n) == 0 && n == 8); /* the first datagram's size, as on Linux */
	CHECK(recv(r, buf, sizeof(buf), MSG_PEEK) == 8);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	CHECK(recvmsg(r, &m, 0) == 4 && (m.msg_flags & MSG_TRUNC) && !memcmp(buf, "data", 4));
	CHECK(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 3 && !memcmp(buf, "two", 3));
	CHECK(from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK_ERRNO(recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(r);
	close(s);
}

static void options(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), v = 1, got = 0;
	socklen_t len = sizeof(got);
	struct timeval tv = { 0, 100000 };
	struct linger lg = { 1, 3 };
	struct timespec t0, t1;
	char buf[4];
	int c, s;

	CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &got, &len) == 0 && got);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)) == 0);
	CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0);
	len = sizeof(got);
	CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &got, &len) == 0 && got);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	v = 65536;
	CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	len = sizeof(got);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &got, &len) == 0 && got == SOCK_STREAM);
	CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, 12345, &v, sizeof(v)), ENOPROTOOPT);
	close(fd);
	/* SO_RCVTIMEO: a blocking recv gives up after the timeout with EAGAIN. */
	tcp_pair(AF_INET, &c, &s);
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERRNO(recv(s, buf, sizeof(buf), 0), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 90);
	close(c);
	close(s);
}

/* poll, select and epoll on sockets: readiness comes with data and goes once it is read. */
static void readiness(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	struct timeval zero = { 0, 0 };
	fd_set rs;
	char buf[16];
	int c, s, ep = epoll_create1(0);

	tcp_pair(AF_INET, &c, &s);
	ev.data.fd = s;
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0);
	CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), EEXIST);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	FD_ZERO(&rs);
	FD_SET(s, &rs);
	CHECK(select(s + 1, &rs, NULL, NULL, &zero) == 0);
	CHECK(send(c, "ping", 4, 0) == 4);
	CHECK(epoll_wait(ep, out, 4, 1000) == 1 && out[0].data.fd == s && (out[0].events & EPOLLIN));
	CHECK(epoll_wait(ep, out, 4, 0) == 1); /* level-triggered: still there */
	FD_SET(s, &rs);
	CHECK(select(s + 1, &rs, NULL, NULL, NULL) == 1 && FD_ISSET(s, &rs));
	/* edge-triggered: once per arrival */
	ev.events = EPOLLIN | EPOLLET;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev) == 0);
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && epoll_wait(ep, out, 4, 0) == 0);
	CHECK(send(c, "pong", 4, 0) == 4);
	CHECK(epoll_wait(ep, out, 4, 1000) == 1);
	CHECK(recv(s, buf, sizeof(buf), 0) == 8);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	/* closing the fd takes it out of the set */
	close(s);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, s, &ev), EBADF);
	close(c);
	close(ep);
}

/* A thread blocked in accept and recv sleeps and wakes when the main thread connects. */
static void *server(void *arg)
{
	int l = *(int *)arg, s = accept(l, NULL, NULL);
	char buf[8];
	ssize_t n = s >= 0 ? recv(s, buf, sizeof(buf), MSG_WAITALL) : -1;

	if (n == 8)
		send(s, buf, 8, 0);
	if (s >= 0)
		close(s);
	return (void *)(intptr_t)n;
}

static void blocking_threads(void)
{
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(AF_INET, &a, &len), c = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;
	void *ret;
	char buf[8];

	CHECK(pthread_create(&t, NULL, server, &l) == 0);
	sched_yield();
	CHECK(connect(c, (struct sockaddr *)&a, len) == 0);
	CHECK(send(c, "four", 4, 0) == 4);
	sched_yield();
	CHECK(send(c, "more", 4, 0) == 4);
	CHECK(recv(c, buf, sizeof(buf), MSG_WAITALL) == 8 && !memcmp(buf, "fourmore", 8));
	CHECK(pthread_join(t, &ret) == 0 && (intptr_t)ret == 8);
	close(c);
	close(l);
}

static void stream_calls(void)
{
	struct iovec out[2] = { { "scatter ", 8 }, { "gather", 6 } }, in[2];
	char a[8], b[16];
	struct stat st;
	int sv[2], n = 0;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK(writev(sv[0], out, 2) == 14);
	for (int i = 0; i < 100 && n < 14; i++)
		ioctl(sv[1], FIONREAD, &n), sched_yield();
	CHECK(n == 14);
	in[0] = (struct iovec){ a, sizeof(a) };
	in[1] = (struct iovec){ b, sizeof(b) };
	CHECK(readv(sv[1], in, 2) == 14 && !memcmp(a, "scatter ", 8) && !memcmp(b, "gather", 6));
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	CHECK(read(sv[1], b, sizeof(b)) == 0);
	CHECK_ERRNO(lseek(sv[1], 0, SEEK_SET), ESPIPE);
	close(sv[0]);
	close(sv[1]);
}

static void addresses(void)
{
	unsigned char v6[16];
	struct in_addr v4;
	char text[INET6_ADDRSTRLEN];

	CHECK(inet_pton(AF_INET, "192.0.2.33", &v4) == 1 && v4.s_addr == htonl(0xc0000221));
	CHECK(inet_pton(AF_INET, "192.0.2", &v4) == 0 && inet_pton(AF_INET, "1.2.3.256", &v4) == 0);
	CHECK(inet_pton(AF_INET, "01.2.3.4", &v4) == 0);
	CHECK(inet_pton(AF_INET6, "2001:db8::1", v6) == 1 && v6[0] == 0x20 && v6[15] == 1);
	CHECK(!strcmp(inet_ntop(AF_INET6, v6, text, sizeof(text)), "2001:db8::1"));
	CHECK(inet_pton(AF_INET6, "::ffff:10.1.2.3", v6) == 1 && v6[10] == 0xff && v6[15] == 3);
	CHECK(!strcmp(inet_ntop(AF_INET6, v6, text, sizeof(text)), "::ffff:10.1.2.3"));
	CHECK(inet_pton(AF_INET6, "::", v6) == 1 && !strcmp(inet_ntop(AF_INET6, v6, text, sizeof(text)), "::"));
	CHECK(inet_pton(AF_INET6, "1:2:3:4:5:6:7:8", v6) == 1 &&
	      !strcmp(inet_ntop(AF_INET6, v6, text, sizeof(text)), "1:2:3:4:5:6:7:8"));
	CHECK(inet_pton(AF_INET6, "1:0:0:2:0:0:0:3", v6) == 1 &&
	      !strcmp(inet_ntop(AF_INET6, v6, text, sizeof(text)), "1:0:0:2::3"));
	CHECK(inet_pton(AF_INET6, "1::2::3", v6) == 0 && inet_pton(AF_INET6, "1:2:3:4:5:6:7:8:9", v6) == 0);
	CHECK(inet_pton(AF_INET6, "12345::", v6) == 0 && inet_pton(AF_INET6, ":1::", v6) == 0);
	CHECK(inet_ntop(AF_INET, &v4, text, 4) == NULL && errno == ENOSPC);
	CHECK(inet_addr("10.0.0.1") == htonl(0x0a000001) && !strcmp(inet_ntoa(v4), "1.2.3.4") == 0);
}

static void names(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	CHECK(getaddrinfo("localhost", "http", &hints, &res) == 0 && res);
	if (res) {
		CHECK(res->ai_family == AF_INET || res->ai_family == AF_INET6);
		CHECK(getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host), serv, sizeof(serv),
				  NI_NUMERICHOST | NI_NUMERICSERV) == 0);
		CHECK(!strcmp(serv, "80") && (!strcmp(host, "127.0.0.1") || !strcmp(host, "::1")));
		freeaddrinfo(res);
	}
	hints = (struct addrinfo){ .ai_family = AF_INET, .ai_flags = AI_PASSIVE };
	CHECK(getaddrinfo(NULL, "8080", &hints, &res) == 0 && res && res->ai_next); /* stream and datagram */
	if (res) {
		CHECK(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr == INADDR_ANY &&
		      ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port) == 8080);
		freeaddrinfo(res);
	}
	hints = (struct addrinfo){ .ai_flags = AI_NUMERICHOST };
	CHECK(getaddrinfo("example.invalid", NULL, &hints, &res) == EAI_NONAME);
	CHECK(getaddrinfo("::1", "nosuchservice", NULL, &res) == EAI_SERVICE);
	CHECK(getaddrinfo("::1", "22", &(struct addrinfo){ .ai_family = AF_INET }, &res) == EAI_FAMILY);
	CHECK(strlen(gai_strerror(EAI_NONAME)) > 0);
	CHECK(gethostbyname("localhost") && gethostbyname("127.0.0.1")->h_length == 4);
	CHECK(if_nametoindex("lo0") >= 1 && !strcmp(if_indextoname(if_nametoindex("lo0"), host), "lo0"));
	CHECK(if_nametoindex("nosuch") == 0);
}

const struct test net_tests[] = {
	TEST(tcp_echo), TEST(tcp_ipv6), TEST(tcp_bulk), TEST(tcp_errors), TEST(nonblocking), TEST(udp),
	TEST(options), TEST(readiness), TEST(blocking_threads), TEST(stream_calls), TEST(addresses),
	TEST(names),
	{ NULL, NULL },
};
