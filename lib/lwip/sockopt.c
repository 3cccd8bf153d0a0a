// SPDX-License-Identifier: MIT
/*
 * getsockopt and setsockopt: POSIX (level, name) pairs, with Linux's numbers and value types,
 * onto the options lwIP implements (lwip.h's enum lsock_opt). A few are answered here: the send
 * buffer size (lwIP's is fixed at build time: set is accepted, get says what it is),
 * SO_REUSEPORT (one stack, so accepted and remembered), the socket's domain and protocol,
 * TCP_MAXSEG. Anything else is ENOPROTOOPT, as Linux says for an option it does not know.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <skiff/config.h>
#include <skiff/vfs.h>
#include "lwip.h"
#include "psock.h"

static const struct {
	int level, name;
	enum lsock_opt opt;
} opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, LSOCK_SO_REUSEADDR }, { SOL_SOCKET, SO_KEEPALIVE, LSOCK_SO_KEEPALIVE },
	{ SOL_SOCKET, SO_BROADCAST, LSOCK_SO_BROADCAST }, { SOL_SOCKET, SO_RCVBUF, LSOCK_SO_RCVBUF },
	{ SOL_SOCKET, SO_RCVTIMEO, LSOCK_SO_RCVTIMEO }, { SOL_SOCKET, SO_SNDTIMEO, LSOCK_SO_SNDTIMEO },
	{ SOL_SOCKET, SO_ERROR, LSOCK_SO_ERROR }, { SOL_SOCKET, SO_LINGER, LSOCK_SO_LINGER },
	{ SOL_SOCKET, SO_TYPE, LSOCK_SO_TYPE }, { SOL_SOCKET, SO_ACCEPTCONN, LSOCK_SO_ACCEPTCONN },
	{ IPPROTO_TCP, TCP_NODELAY, LSOCK_TCP_NODELAY }, { IPPROTO_TCP, TCP_KEEPIDLE, LSOCK_TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL, LSOCK_TCP_KEEPINTVL }, { IPPROTO_TCP, TCP_KEEPCNT, LSOCK_TCP_KEEPCNT },
	{ IPPROTO_IP, IP_TOS, LSOCK_IP_TOS }, { IPPROTO_IP, IP_TTL, LSOCK_IP_TTL },
	{ IPPROTO_IPV6, IPV6_V6ONLY, LSOCK_IPV6_V6ONLY },
};

static int find(int level, int name, enum lsock_opt *opt)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].level == level && opts[i].name == name) {
			*opt = opts[i].opt;
			return 0;
		}
	return -ENOPROTOOPT;
}

static int put(void *val, socklen_t *len, const void *v, socklen_t n)
{
	if (!val || !len)
		return -EFAULT;
	memcpy(val, v, *len < n ? *len : n);
	*len = n;
	return 0;
}

/* Options answered without the stack; 1 when name is not one of them. */
static int get_local(const struct sock *k, int level, int name, void *val, socklen_t *len)
{
	int v;

	if (level == SOL_SOCKET && name == SO_SNDBUF)
		v = CONFIG_LWIP_TCP_SND_BUF_KIB * 1024;
	else if (level == SOL_SOCKET && name == SO_REUSEPORT)
		v = k->reuseport;
	else if (level == SOL_SOCKET && name == SO_DOMAIN)
		v = k->family;
	else if (level == SOL_SOCKET && name == SO_PROTOCOL)
		v = k->type == SOCK_STREAM ? IPPROTO_TCP : k->type == SOCK_RAW ? IPPROTO_ICMP : IPPROTO_UDP;
	else if (level == IPPROTO_TCP && name == TCP_MAXSEG)
		v = 1460;
	else
		return 1;
	return put(val, len, &v, sizeof(v));
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct sock *k = sock_of(fd);
	struct lsock_optval v;
	enum lsock_opt opt;
	int r;

	if (!k)
		return -1;
	if ((r = get_local(k, level, name, val, len)) <= 0)
		return (int)sock_ret(r);
	if ((r = find(level, name, &opt)) < 0 || (r = lsock_getopt(k->s, opt, &v)) < 0)
		return (int)sock_ret(r);
	if (opt == LSOCK_SO_RCVTIMEO || opt == LSOCK_SO_SNDTIMEO) {
		struct timeval tv = { (time_t)(v.us / 1000000), (suseconds_t)(v.us % 1000000) };

		return (int)sock_ret(put(val, len, &tv, sizeof(tv)));
	}
	if (opt == LSOCK_SO_LINGER) {
		struct linger l = { v.linger_on, v.linger_s };

		return (int)sock_ret(put(val, len, &l, sizeof(l)));
	}
	if (opt == LSOCK_SO_TYPE)
		v.i = v.i == LSOCK_DGRAM ? SOCK_DGRAM : v.i == LSOCK_RAW_ICMP ? SOCK_RAW : SOCK_STREAM;
	return (int)sock_ret(put(val, len, &v.i, sizeof(v.i)));
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct sock *k = sock_of(fd);
	struct lsock_optval v = { 0 };
	enum lsock_opt opt;
	int r;

	if (!k)
		return -1;
	if (!val)
		return (int)sock_ret(-EFAULT);
	if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_REUSEPORT)) {
		if (len < sizeof(int))
			return (int)sock_ret(-EINVAL);
		if (name == SO_REUSEPORT)
			memcpy(&k->reuseport, val, sizeof(int));
		return 0;
	}
	if (level == IPPROTO_TCP && name == TCP_MAXSEG)
		return len < sizeof(int) ? (int)sock_ret(-EINVAL) : 0;
	if ((r = find(level, name, &opt)) < 0)
		return (int)sock_ret(r);
	if (opt == LSOCK_SO_RCVTIMEO || opt == LSOCK_SO_SNDTIMEO) {
		struct timeval tv;

		if (len < sizeof(tv))
			return (int)sock_ret(-EINVAL);
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return (int)sock_ret(-EDOM);
		v.us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	} else if (opt == LSOCK_SO_LINGER) {
		struct linger l;

		if (len < sizeof(l))
			return (int)sock_ret(-EINVAL);
		memcpy(&l, val, sizeof(l));
		v.linger_on = l.l_onoff;
		v.linger_s = l.l_linger;
	} else {
		if (len < sizeof(int))
			return (int)sock_ret(-EINVAL);
		memcpy(&v.i, val, sizeof(int));
	}
	return (int)sock_ret(lsock_setopt(k->s, opt, &v));
}
