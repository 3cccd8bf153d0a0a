// SPDX-License-Identifier: MIT
/*
 * POSIX sockets over lwIP: each socket is an open file in the kernel's fd table (read, write,
 * close, fcntl, poll, select and epoll treat it like any file), whose private data names lwIP's
 * socket. This file speaks only POSIX (Linux's structures and numbers); lsock.c speaks lwIP.
 * Whether a call blocks follows the file's O_NONBLOCK at each call.
 */
#define pr_tag "net"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <skiff/config.h>
#include <skiff/vfs.h>
#include "lwip.h"
#include "psock.h"

#ifndef SSIZE_MAX /* newlib has ssize_t (long) but not its limit */
#define SSIZE_MAX LONG_MAX
#endif

long sock_ret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static bool nonblocking(const struct sk_file *f)
{
	return (f->flags & SK_O_NONBLOCK) != 0;
}

static long sock_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	struct sock *k = f->priv;
	int flags = nonblocking(f) ? LSOCK_MSG_DONTWAIT : 0;

	(void)off;
	return lsock_recv(k->s, buf, len, &flags, NULL);
}

static long sock_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	struct sock *k = f->priv;

	(void)off;
	return lsock_send(k->s, buf, len, nonblocking(f) ? LSOCK_MSG_DONTWAIT : 0, NULL);
}

static int sock_stat(struct sk_file *f, struct sk_stat *st)
{
	(void)f;
	*st = (struct sk_stat){ .type = SK_FT_SOCK, .perm = 0777, .nlink = 1, .blksize = 4096 };
	return 0;
}

static unsigned sock_poll(struct sk_file *f)
{
	return lsock_poll(((struct sock *)f->priv)->s);
}

static uint32_t sock_events(struct sk_file *f)
{
	return lsock_events(((struct sock *)f->priv)->s);
}

static long sock_nread(struct sk_file *f)
{
	return lsock_nread(((struct sock *)f->priv)->s);
}

static void sock_release(struct sk_file *f)
{
	struct sock *k = f->priv;

	lsock_close(k->s);
	free(k);
}

static const struct sk_file_ops sock_ops = {
	.read = sock_read,
	.write = sock_write,
	.stat = sock_stat,
	.poll = sock_poll,
	.events = sock_events,
	.nread = sock_nread,
	.release = sock_release,
	.seekable = false,
};

/* The socket file behind fd: NULL with errno EBADF or ENOTSOCK. */
static struct sk_file *sock_file(int fd)
{
	struct sk_file *f = sk_fd_get(fd);

	if (!f)
		errno = EBADF;
	else if (f->ops != &sock_ops)
		errno = ENOTSOCK, f = NULL;
	return f;
}

struct sock *sock_of(int fd)
{
	struct sk_file *f = sock_file(fd);

	return f ? f->priv : NULL;
}

/* An fd for lwIP socket s (closed again if that fails). */
static int install(int s, int family, int type, int flags)
{
	struct sock *k = malloc(sizeof(*k));
	struct sk_file *f = k ? sk_file_new(&sock_ops, k, SK_O_RDWR | ((flags & SOCK_NONBLOCK) ? SK_O_NONBLOCK : 0)) : NULL;
	int fd;

	if (!f) {
		free(k);
		lsock_close(s);
		return (int)sock_ret(-ENOMEM);
	}
	*k = (struct sock){ .s = s, .family = family, .type = type };
	fd = sk_fd_install(f, 0);
	if (fd < 0)
		sk_file_close(f); /* releases the lwIP socket */
	return (int)sock_ret(fd);
}

/* POSIX address (with its length) to the neutral one; a negative errno when it is not valid. */
static int addr_in(const struct sockaddr *sa, socklen_t len, int family, struct lsock_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!sa)
		return -EFAULT;
	if (len < sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family == AF_INET && family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		if (len < sizeof(*in))
			return -EINVAL;
		a->family = LSOCK_AF_INET;
		a->port = ntohs(in->sin_port);
		memcpy(a->addr, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		if (len < sizeof(*in6))
			return -EINVAL;
		a->family = LSOCK_AF_INET6;
		a->port = ntohs(in6->sin6_port);
		a->flowinfo = in6->sin6_flowinfo;
		a->scope_id = in6->sin6_scope_id;
		memcpy(a->addr, &in6->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* The neutral address to the caller's buffer, cut to *len; *len becomes the full size. */
static void addr_out(const struct lsock_addr *a, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t n;

	memset(&ss, 0, sizeof(ss));
	if (a->family == LSOCK_AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		in6->sin6_flowinfo = a->flowinfo;
		in6->sin6_scope_id = a->scope_id;
		memcpy(&in6->sin6_addr, a->addr, 16);
		n = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->addr, 4);
		n = sizeof(*in);
	}
	if (sa && len)
		memcpy(sa, &ss, *len < n ? *len : n);
	if (len)
		*len = n;
}

int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), s;

	if (domain != AF_INET && domain != AF_INET6)
		return (int)sock_ret(-EAFNOSUPPORT);
	/* Raw sockets: IPv4 ICMP only, for ping clients (CONFIG_LWIP_RAW). */
	if (base == SOCK_RAW && (!SK_ENABLED(CONFIG_LWIP_RAW) || domain != AF_INET || protocol != IPPROTO_ICMP))
		return (int)sock_ret(-EPROTONOSUPPORT);
	if (base != SOCK_STREAM && base != SOCK_DGRAM && base != SOCK_RAW)
		return (int)sock_ret(-EPROTONOSUPPORT); /* newlib has no ESOCKTNOSUPPORT */
	if (base != SOCK_RAW && protocol && protocol != (base == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return (int)sock_ret(-EPROTONOSUPPORT);
	s = lsock_socket(domain == AF_INET6 ? LSOCK_AF_INET6 : LSOCK_AF_INET,
			 base == SOCK_DGRAM ? LSOCK_DGRAM : base == SOCK_RAW ? LSOCK_RAW_ICMP : LSOCK_STREAM);
	if (s < 0)
		return (int)sock_ret(s);
	return install(s, domain, base, type);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sock *k = sock_of(fd);
	struct lsock_addr a;
	int r;

	if (!k)
		return -1;
	if ((r = addr_in(addr, len, k->family, &a)) < 0)
		return (int)sock_ret(r);
	return (int)sock_ret(lsock_bind(k->s, &a));
}

int listen(int fd, int backlog)
{
	struct sock *k = sock_of(fd);

	if (!k)
		return -1;
	if (k->type != SOCK_STREAM)
		return (int)sock_ret(-EOPNOTSUPP);
	return (int)sock_ret(lsock_listen(k->s, backlog < 1 ? 1 : backlog));
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct sk_file *f = sock_file(fd);
	struct sock *k = f ? f->priv : NULL;
	struct lsock_addr peer;
	int s, nfd;

	if (!k)
		return -1;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return (int)sock_ret(-EINVAL);
	if (k->type != SOCK_STREAM)
		return (int)sock_ret(-EOPNOTSUPP);
	s = lsock_accept(k->s, &peer, nonblocking(f));
	if (s < 0)
		return (int)sock_ret(s);
	nfd = install(s, k->family, k->type, flags);
	if (nfd >= 0)
		addr_out(&peer, addr, len);
	return nfd;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sk_file *f = sock_file(fd);
	struct sock *k = f ? f->priv : NULL;
	struct lsock_addr a;
	int r;

	if (!k)
		return -1;
	if ((r = addr_in(addr, len, k->family, &a)) < 0)
		return (int)sock_ret(r);
	return (int)sock_ret(lsock_connect(k->s, &a, nonblocking(f)));
}

/* POSIX message flags to the stack's; -EOPNOTSUPP for what it cannot do (out-of-band data). */
static int msg_flags(const struct sk_file *f, int flags)
{
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* MSG_NOSIGNAL: there are no signals; a write to a closed connection is just EPIPE. */
	return ((flags & MSG_PEEK) ? LSOCK_MSG_PEEK : 0) | ((flags & MSG_WAITALL) ? LSOCK_MSG_WAITALL : 0) |
	       ((flags & MSG_MORE) ? LSOCK_MSG_MORE : 0) |
	       ((flags & MSG_DONTWAIT) || nonblocking(f) ? LSOCK_MSG_DONTWAIT : 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	struct sk_file *f = sock_file(fd);
	struct sock *k = f ? f->priv : NULL;
	struct lsock_addr a;
	int fl, r;

	if (!k)
		return -1;
	if ((fl = msg_flags(f, flags)) < 0)
		return sock_ret(fl);
	if (to && k->type != SOCK_STREAM) {
		if ((r = addr_in(to, tolen, k->family, &a)) < 0)
			return sock_ret(r);
		return sock_ret(lsock_send(k->s, buf, len, fl, &a));
	}
	return sock_ret(lsock_send(k->s, buf, len, fl, NULL)); /* a stream ignores the address */
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

/* MSG_WAITALL on a stream: until len bytes, the end of the stream, or an error after none. */
static long recv_all(int s, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		int fl = 0;
		long n = lsock_recv(s, buf + got, len - got, &fl, NULL);

		if (n <= 0)
			return got ? (long)got : n;
		got += (size_t)n;
	}
	return (long)got;
}

static ssize_t recv_flags(int fd, void *buf, size_t len, int *flags, struct sockaddr *from, socklen_t *fromlen)
{
	struct sk_file *f = sock_file(fd);
	struct sock *k = f ? f->priv : NULL;
	struct lsock_addr a;
	int fl;
	long n;

	if (!k)
		return -1;
	if ((fl = msg_flags(f, *flags)) < 0)
		return sock_ret(fl);
	if ((fl & LSOCK_MSG_WAITALL) && k->type == SOCK_STREAM && !(fl & (LSOCK_MSG_DONTWAIT | LSOCK_MSG_PEEK)))
		return sock_ret(recv_all(k->s, buf, len)); /* lwIP leaves MSG_WAITALL to us */
	n = lsock_recv(k->s, buf, len, &fl, from ? &a : NULL);
	if (n < 0)
		return sock_ret(n);
	*flags = (fl & LSOCK_MSG_TRUNC) ? MSG_TRUNC : 0;
	if (from)
		addr_out(&a, from, fromlen);
	return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	return recv_flags(fd, buf, len, &flags, from, fromlen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recv_flags(fd, buf, len, &flags, NULL, NULL);
}

/* The iovecs' total, or -EINVAL when it does not fit in a ssize_t. */
static long iov_total(const struct iovec *iov, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	return (long)total;
}

/*
 * sendmsg and recvmsg gather into (and scatter from) one buffer, so that a datagram stays one
 * datagram; a stream send of more than the buffer's 64 KiB sends part, as a stream may.
 */
#define MSG_BUF_MAX (64 * 1024)

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	long total = msg ? iov_total(msg->msg_iov, msg->msg_iovlen) : -EFAULT;
	size_t n, off = 0;
	ssize_t r;
	char *buf;

	if (total < 0)
		return sock_ret(total);
	n = (size_t)total > MSG_BUF_MAX ? MSG_BUF_MAX : (size_t)total;
	if (!(buf = malloc(n ? n : 1)))
		return sock_ret(-ENOMEM);
	for (size_t i = 0; i < msg->msg_iovlen && off < n; i++) {
		size_t c = msg->msg_iov[i].iov_len < n - off ? msg->msg_iov[i].iov_len : n - off;

		memcpy(buf + off, msg->msg_iov[i].iov_base, c);
		off += c;
	}
	r = sendto(fd, buf, n, flags, msg->msg_name, msg->msg_namelen);
	free(buf);
	return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	long total = msg ? iov_total(msg->msg_iov, msg->msg_iovlen) : -EFAULT;
	size_t n, off = 0;
	ssize_t r;
	char *buf;

	if (total < 0)
		return sock_ret(total);
	n = (size_t)total > MSG_BUF_MAX ? MSG_BUF_MAX : (size_t)total;
	if (!(buf = malloc(n ? n : 1)))
		return sock_ret(-ENOMEM);
	r = recv_flags(fd, buf, n, &flags, msg->msg_name, msg->msg_name ? &msg->msg_namelen : NULL);
	for (size_t i = 0; r > 0 && i < msg->msg_iovlen && off < (size_t)r; i++) {
		size_t c = msg->msg_iov[i].iov_len < (size_t)r - off ? msg->msg_iov[i].iov_len : (size_t)r - off;

		memcpy(msg->msg_iov[i].iov_base, buf + off, c);
		off += c;
	}
	free(buf);
	if (r >= 0) {
		msg->msg_flags = flags;
		msg->msg_controllen = 0; /* no ancillary data */
	}
	return r;
}

int shutdown(int fd, int how)
{
	struct sock *k = sock_of(fd);

	if (!k)
		return -1;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return (int)sock_ret(-EINVAL);
	return (int)sock_ret(lsock_shutdown(k->s, how != SHUT_WR, how != SHUT_RD));
}

static int name(int fd, struct sockaddr *addr, socklen_t *len, bool peer)
{
	struct sock *k = sock_of(fd);
	struct lsock_addr a;
	int r;

	if (!k)
		return -1;
	if (!len)
		return (int)sock_ret(-EFAULT);
	if ((r = lsock_name(k->s, peer, &a)) < 0)
		return (int)sock_ret(r);
	addr_out(&a, addr, len);
	return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name(fd, addr, len, false);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name(fd, addr, len, true);
}

/*
 * socketpair(AF_UNIX, SOCK_STREAM): two connected stream sockets, made over loopback TCP (a
 * listener on 127.0.0.1 port 0, connected and accepted, then closed). They behave as a stream
 * pair should; their addresses are loopback ones rather than AF_UNIX.
 */
int socketpair(int domain, int type, int protocol, int sv[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), l, c = -1, s = -1, saved;

	if (domain != AF_UNIX)
		return (int)sock_ret(-EAFNOSUPPORT);
	if (base != SOCK_STREAM || protocol)
		return (int)sock_ret(-EOPNOTSUPP);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) || (c = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) || (s = accept4(l, NULL, NULL, 0)) < 0) {
		saved = errno;
		close(l);
		if (c >= 0)
			close(c);
		errno = saved;
		return -1;
	}
	close(l);
	if (type & SOCK_NONBLOCK) {
		fcntl(c, F_SETFL, O_NONBLOCK);
		fcntl(s, F_SETFL, O_NONBLOCK);
	}
	sv[0] = c;
	sv[1] = s;
	return 0;
}

void sk_lwip_sockets_init(void)
{
}
