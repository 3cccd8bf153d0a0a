// SPDX-License-Identifier: MIT
/*
 * The lwIP side of sockets (see lwip.h): lwIP's own socket calls, with lwIP's types and numbers,
 * behind the neutral lsock_* interface. lwIP's select and poll are compiled out; instead each
 * socket's netconn reports its events (data in, send space, error) to on_event, which keeps the
 * counts lsock_poll reads and wakes every thread waiting in poll, select or epoll.
 */
#define pr_tag "net"
#include <string.h>
#include <skiff/thread.h>
#include <skiff/vfs.h>
#include "lwip/api.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "lwip/netdb.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"
#include "lwip.h"

#define NSOCK MEMP_NUM_NETCONN

/* Per lwIP socket index: what lwIP's event_callback would count, and a change counter. */
static struct {
	int16_t rcv;		/* data (or connections) waiting, as RCVPLUS/RCVMINUS count them */
	bool snd, err;
	bool nonblock;		/* what lwIP's own socket is set to */
	bool connected;		/* a connect() got through (a send-space event followed) */
	uint32_t seq;
} ev[NSOCK];

/*
 * A call that would block: with cooperative threads, a program that spins on EAGAIN would keep
 * the tcpip thread (and with it the loopback interface and the timers) from ever running, so
 * such a call gives the others a turn before it returns.
 */
static int neg_errno(void)
{
	int e = errno ? errno : EIO;

	if (e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS)
		sk_thread_yield();
	return -e;
}

/*
 * Runs inside lwIP, holding its core lock. An accepted connection can get data before
 * lwip_accept has given it a socket: then, as lwIP's own callback does, count the events down in
 * conn->socket, and lwip_accept replays them once the socket exists.
 */
static void on_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
	int s = conn->socket;

	(void)len;
	if (s < 0) {
		if (evt == NETCONN_EVT_RCVPLUS)
			conn->socket--;
		return;
	}
	if (s >= NSOCK)
		return;
	switch (evt) {
	case NETCONN_EVT_RCVPLUS: ev[s].rcv++; break;
	case NETCONN_EVT_RCVMINUS: ev[s].rcv--; break;
	case NETCONN_EVT_SENDPLUS: ev[s].snd = ev[s].connected = true; break;
	case NETCONN_EVT_SENDMINUS: ev[s].snd = false; break;
	case NETCONN_EVT_ERROR: ev[s].err = true; break;
	default: break;
	}
	ev[s].seq++;
	sk_file_poll_wake();
}

static struct lwip_sock *sock_of(int s)
{
	return s >= 0 && s < NSOCK ? lwip_socket_dbg_get_socket(s) : NULL;
}

unsigned lsock_poll(int s)
{
	struct lwip_sock *ls = sock_of(s);
	unsigned m = 0;

	if (!ls || !ls->conn)
		return SK_POLL_ERR;
	if (ev[s].rcv > 0 || ls->lastdata.pbuf)
		m |= SK_POLL_IN;
	if (ev[s].snd)
		m |= SK_POLL_OUT;
	if (ev[s].err)
		m |= SK_POLL_ERR | (NETCONNTYPE_GROUP(netconn_type(ls->conn)) == NETCONN_TCP ? SK_POLL_HUP : 0);
	return m;
}

uint32_t lsock_events(int s)
{
	return s >= 0 && s < NSOCK ? ev[s].seq : 0;
}

/* Take over a new lwIP socket's events (its netconn was made without a callback). */
static void attach(int s, bool writable)
{
	struct lwip_sock *ls = sock_of(s);

	if (ls && ls->conn)
		ls->conn->callback = on_event;
	ev[s].snd = writable;
	ev[s].seq++;
}

/* Blocking or not is decided per call (the file's O_NONBLOCK); lwIP's socket follows. */
static void set_nonblock(int s, bool nb)
{
	if (s >= 0 && s < NSOCK && ev[s].nonblock != nb) {
		lwip_fcntl(s, F_SETFL, nb ? O_NONBLOCK : 0);
		ev[s].nonblock = nb;
	}
}

/* Neutral address to lwIP's sockaddr: its length, 0 for an unknown family. */
static socklen_t to_sockaddr(const struct lsock_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
#if LWIP_IPV4
	if (a->family == LSOCK_AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_len = sizeof(*in);
		in->sin_family = AF_INET;
		in->sin_port = lwip_htons(a->port);
		memcpy(&in->sin_addr, a->addr, 4);
		return sizeof(*in);
	}
#endif
#if LWIP_IPV6
	if (a->family == LSOCK_AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_len = sizeof(*in6);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = lwip_htons(a->port);
		in6->sin6_flowinfo = a->flowinfo;
		in6->sin6_scope_id = a->scope_id;
		memcpy(&in6->sin6_addr, a->addr, 16);
		return sizeof(*in6);
	}
#endif
	return 0;
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct lsock_addr *a)
{
	memset(a, 0, sizeof(*a));
#if LWIP_IPV4
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		a->family = LSOCK_AF_INET;
		a->port = lwip_ntohs(in->sin_port);
		memcpy(a->addr, &in->sin_addr, 4);
	}
#endif
#if LWIP_IPV6
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		a->family = LSOCK_AF_INET6;
		a->port = lwip_ntohs(in6->sin6_port);
		a->flowinfo = in6->sin6_flowinfo;
		a->scope_id = in6->sin6_scope_id;
		memcpy(a->addr, &in6->sin6_addr, 16);
	}
#endif
}

int lsock_socket(int family, int type)
{
	int s = lwip_socket(family == LSOCK_AF_INET6 ? AF_INET6 : AF_INET,
			    type == LSOCK_DGRAM ? SOCK_DGRAM : type == LSOCK_RAW_ICMP ? SOCK_RAW : SOCK_STREAM,
			    type == LSOCK_RAW_ICMP ? IPPROTO_ICMP : 0);

	if (s < 0)
		return neg_errno();
	if (s >= NSOCK) {
		lwip_close(s);
		return -ENFILE;
	}
	attach(s, type != LSOCK_STREAM); /* a raw socket takes datagrams too */
	return s;
}

int lsock_close(int s)
{
	int r = lwip_close(s);

	if (s >= 0 && s < NSOCK) /* a later socket with this index starts from nothing */
		ev[s].rcv = 0, ev[s].snd = ev[s].err = ev[s].nonblock = ev[s].connected = false, ev[s].seq++;
	return r < 0 ? neg_errno() : 0;
}

int lsock_bind(int s, const struct lsock_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);

	if (!len)
		return -EAFNOSUPPORT;
	return lwip_bind(s, (struct sockaddr *)&ss, len) < 0 ? neg_errno() : 0;
}

int lsock_listen(int s, int backlog)
{
	if (backlog > 255)
		backlog = 255; /* lwIP keeps the backlog in a byte */
	return lwip_listen(s, backlog) < 0 ? neg_errno() : 0;
}

int lsock_accept(int s, struct lsock_addr *peer, bool nonblock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int n;

	set_nonblock(s, nonblock);
	n = lwip_accept(s, (struct sockaddr *)&ss, &len);
	if (n < 0)
		return neg_errno();
	if (n >= NSOCK) {
		lwip_close(n);
		return -ENFILE;
	}
	ev[n].snd = true; /* its callback is the listener's, ours; replayed data already counted */
	ev[n].seq++;
	if (peer)
		from_sockaddr(&ss, peer);
	return n;
}

int lsock_connect(int s, const struct lsock_addr *a, bool nonblock)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);
	int r;

	if (!len)
		return -EAFNOSUPPORT;
	set_nonblock(s, nonblock);
	if (lwip_connect(s, (struct sockaddr *)&ss, len) == 0)
		return 0;
	r = neg_errno();
	return r == -ECONNRESET ? -ECONNREFUSED : r; /* a reset answering the SYN: refused, as Linux says */
}

static int msg_flags(int f)
{
	return ((f & LSOCK_MSG_PEEK) ? MSG_PEEK : 0) | ((f & LSOCK_MSG_DONTWAIT) ? MSG_DONTWAIT : 0) |
	       ((f & LSOCK_MSG_WAITALL) ? MSG_WAITALL : 0) | ((f & LSOCK_MSG_MORE) ? MSG_MORE : 0);
}

long lsock_send(int s, const void *buf, size_t len, int flags, const struct lsock_addr *to)
{
	struct sockaddr_storage ss;
	socklen_t sslen = to ? to_sockaddr(to, &ss) : 0;
	ssize_t n;

	if (to && !sslen)
		return -EAFNOSUPPORT;
	set_nonblock(s, false);
	n = to ? lwip_sendto(s, buf, len, msg_flags(flags), (struct sockaddr *)&ss, sslen) :
		 lwip_send(s, buf, len, msg_flags(flags));
	return n < 0 ? neg_errno() : (long)n;
}

long lsock_recv(int s, void *buf, size_t len, int *flags, struct lsock_addr *from)
{
	struct sockaddr_storage ss;
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	set_nonblock(s, false);
	n = lwip_recvmsg(s, &m, msg_flags(*flags));
	if (n < 0)
		return neg_errno();
	*flags = (m.msg_flags & MSG_TRUNC) ? LSOCK_MSG_TRUNC : 0;
	if (from)
		from_sockaddr(&ss, from);
	return (size_t)n > len ? (long)len : (long)n; /* lwIP gives a cut datagram's full length */
}

int lsock_shutdown(int s, bool rd, bool wr)
{
	int how = rd && wr ? SHUT_RDWR : rd ? SHUT_RD : SHUT_WR;

	return lwip_shutdown(s, how) < 0 ? neg_errno() : 0;
}

int lsock_name(int s, bool peer, struct lsock_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = peer ? lwip_getpeername(s, (struct sockaddr *)&ss, &len) :
		       lwip_getsockname(s, (struct sockaddr *)&ss, &len);

	if (r < 0)
		return neg_errno();
	from_sockaddr(&ss, a);
	return 0;
}

/* lwIP's level and name for an option; false when it has none. */
static bool opt_name(enum lsock_opt opt, int *level, int *name)
{
	static const int map[][2] = {
		[LSOCK_SO_REUSEADDR] = { SOL_SOCKET, SO_REUSEADDR },
		[LSOCK_SO_KEEPALIVE] = { SOL_SOCKET, SO_KEEPALIVE },
		[LSOCK_SO_BROADCAST] = { SOL_SOCKET, SO_BROADCAST },
		[LSOCK_SO_RCVBUF] = { SOL_SOCKET, SO_RCVBUF },
		[LSOCK_SO_SNDBUF] = { -1, -1 },
		[LSOCK_SO_RCVTIMEO] = { SOL_SOCKET, SO_RCVTIMEO },
		[LSOCK_SO_SNDTIMEO] = { SOL_SOCKET, SO_SNDTIMEO },
		[LSOCK_SO_ERROR] = { SOL_SOCKET, SO_ERROR },
		[LSOCK_SO_LINGER] = { SOL_SOCKET, SO_LINGER },
		[LSOCK_SO_TYPE] = { SOL_SOCKET, SO_TYPE },
		[LSOCK_SO_ACCEPTCONN] = { SOL_SOCKET, SO_ACCEPTCONN },
		[LSOCK_TCP_NODELAY] = { IPPROTO_TCP, TCP_NODELAY },
		[LSOCK_TCP_KEEPIDLE] = { IPPROTO_TCP, TCP_KEEPIDLE },
		[LSOCK_TCP_KEEPINTVL] = { IPPROTO_TCP, TCP_KEEPINTVL },
		[LSOCK_TCP_KEEPCNT] = { IPPROTO_TCP, TCP_KEEPCNT },
		[LSOCK_IP_TOS] = { IPPROTO_IP, IP_TOS },
		[LSOCK_IP_TTL] = { IPPROTO_IP, IP_TTL },
		[LSOCK_IPV6_V6ONLY] = { IPPROTO_IPV6, IPV6_V6ONLY },
	};

	if ((unsigned)opt >= sizeof(map) / sizeof(map[0]) || map[opt][0] < 0)
		return false;
	*level = map[opt][0];
	*name = map[opt][1];
	return true;
}

int lsock_getopt(int s, enum lsock_opt opt, struct lsock_optval *v)
{
	int level, name, r;
	socklen_t len;

	if (!opt_name(opt, &level, &name))
		return -ENOPROTOOPT;
	memset(v, 0, sizeof(*v));
	if (opt == LSOCK_SO_RCVTIMEO || opt == LSOCK_SO_SNDTIMEO) {
		struct timeval tv;

		len = sizeof(tv);
		r = lwip_getsockopt(s, level, name, &tv, &len);
		v->us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	} else if (opt == LSOCK_SO_LINGER) {
		struct linger l;

		len = sizeof(l);
		r = lwip_getsockopt(s, level, name, &l, &len);
		v->linger_on = l.l_onoff;
		v->linger_s = l.l_linger;
	} else {
		len = sizeof(v->i);
		r = lwip_getsockopt(s, level, name, &v->i, &len);
		if (opt == LSOCK_SO_TYPE)
			v->i = v->i == SOCK_DGRAM ? LSOCK_DGRAM : v->i == SOCK_RAW ? LSOCK_RAW_ICMP : LSOCK_STREAM;
		if (opt == LSOCK_SO_ERROR && v->i == ECONNRESET && s < NSOCK && !ev[s].connected)
			v->i = ECONNREFUSED; /* the connect() never got through */
	}
	return r < 0 ? neg_errno() : 0;
}

int lsock_setopt(int s, enum lsock_opt opt, const struct lsock_optval *v)
{
	int level, name, r;

	if (!opt_name(opt, &level, &name))
		return -ENOPROTOOPT;
	if (opt == LSOCK_SO_RCVTIMEO || opt == LSOCK_SO_SNDTIMEO) {
		struct timeval tv = { (long)(v->us / 1000000), (long)(v->us % 1000000) };

		r = lwip_setsockopt(s, level, name, &tv, sizeof(tv));
	} else if (opt == LSOCK_SO_LINGER) {
		struct linger l = { v->linger_on, v->linger_s };

		r = lwip_setsockopt(s, level, name, &l, sizeof(l));
	} else {
		r = lwip_setsockopt(s, level, name, &v->i, sizeof(v->i));
	}
	return r < 0 ? neg_errno() : 0;
}

int lsock_nread(int s)
{
	int n = 0;

	return lwip_ioctl(s, FIONREAD, &n) < 0 ? neg_errno() : n;
}

int lsock_resolve(const char *name, int family, struct lsock_addr *a)
{
	struct addrinfo hints = { .ai_family = family == LSOCK_AF_INET6 ? AF_INET6 :
					       family == LSOCK_AF_INET ? AF_INET : AF_UNSPEC };
	struct addrinfo *res = NULL;
	struct sockaddr_storage ss;
	int r = lwip_getaddrinfo(name, NULL, &hints, &res);

	if (r != 0 || !res)
		return r == EAI_FAIL ? -EIO : -ENOENT;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, res->ai_addr, res->ai_addrlen < sizeof(ss) ? res->ai_addrlen : sizeof(ss));
	lwip_freeaddrinfo(res);
	from_sockaddr(&ss, a);
	return 0;
}

unsigned lsock_if_index(const char *name)
{
	unsigned i;

	LOCK_TCPIP_CORE();
	i = netif_name_to_index(name);
	UNLOCK_TCPIP_CORE();
	return i;
}

char *lsock_if_name(unsigned index, char *name)
{
	char *r;

	if (index == 0 || index > 255)
		return NULL;
	LOCK_TCPIP_CORE();
	r = netif_index_to_name((u8_t)index, name);
	UNLOCK_TCPIP_CORE();
	return r;
}
