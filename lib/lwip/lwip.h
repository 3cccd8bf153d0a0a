/* SPDX-License-Identifier: MIT */
/*
 * lib/lwip's own interface between its two halves. lwIP's headers define their own struct
 * sockaddr, option numbers and fd_set, which clash with the POSIX ones (Linux's layouts) that
 * apps compile against; so no file includes both. socket.c, netdb.c and sockopt.c speak POSIX to
 * the app; lsock.c and init.c speak lwIP; between them only the neutral types below pass.
 * Every lsock_* call returns 0 or a count on success and a negative errno on failure.
 */
#ifndef SKIFF_LIB_LWIP_H
#define SKIFF_LIB_LWIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 socket address, host byte order for the port. */
struct lsock_addr {
	int family;		/* LSOCK_AF_INET or LSOCK_AF_INET6 */
	uint16_t port;
	uint8_t addr[16];	/* IPv4: the first 4 bytes, network order */
	uint32_t flowinfo, scope_id;
};
#define LSOCK_AF_INET 2
#define LSOCK_AF_INET6 10

#define LSOCK_STREAM 1
#define LSOCK_DGRAM 2
#define LSOCK_RAW_ICMP 3	/* IPv4 ICMP, IP header included on receive (CONFIG_LWIP_RAW) */

/* Message flags. */
#define LSOCK_MSG_PEEK 0x1
#define LSOCK_MSG_DONTWAIT 0x2
#define LSOCK_MSG_WAITALL 0x4
#define LSOCK_MSG_MORE 0x8
#define LSOCK_MSG_TRUNC 0x10	/* out: a datagram was cut to fit */

/* Socket options the stack implements; socket.c maps POSIX (level, name) pairs onto these. */
enum lsock_opt {
	LSOCK_SO_REUSEADDR, LSOCK_SO_KEEPALIVE, LSOCK_SO_BROADCAST, LSOCK_SO_RCVBUF, LSOCK_SO_SNDBUF,
	LSOCK_SO_RCVTIMEO, LSOCK_SO_SNDTIMEO, LSOCK_SO_ERROR, LSOCK_SO_LINGER, LSOCK_SO_TYPE,
	LSOCK_SO_ACCEPTCONN, LSOCK_TCP_NODELAY, LSOCK_TCP_KEEPIDLE, LSOCK_TCP_KEEPINTVL,
	LSOCK_TCP_KEEPCNT, LSOCK_IP_TOS, LSOCK_IP_TTL, LSOCK_IPV6_V6ONLY,
};
/* An option's value: an int, a timeout, or a linger setting. */
struct lsock_optval {
	int i;
	int64_t us;		/* timeouts: microseconds, 0 = none */
	int linger_on, linger_s;
};

/* Readiness of lwIP socket s, kept from lwIP's events (LSOCK_POLL_* = SK_POLL_*). */
unsigned lsock_poll(int s);
/* Counts every event on s: epoll's edge-triggered mode reports a change of this. */
uint32_t lsock_events(int s);

int lsock_socket(int family, int type);
int lsock_close(int s);
int lsock_bind(int s, const struct lsock_addr *a);
int lsock_listen(int s, int backlog);
int lsock_accept(int s, struct lsock_addr *peer, bool nonblock);
int lsock_connect(int s, const struct lsock_addr *a, bool nonblock);
long lsock_send(int s, const void *buf, size_t len, int flags, const struct lsock_addr *to);
/* from may be NULL; *flags (LSOCK_MSG_*) in and out (LSOCK_MSG_TRUNC). */
long lsock_recv(int s, void *buf, size_t len, int *flags, struct lsock_addr *from);
int lsock_shutdown(int s, bool rd, bool wr);
int lsock_name(int s, bool peer, struct lsock_addr *a);
int lsock_getopt(int s, enum lsock_opt opt, struct lsock_optval *v);
int lsock_setopt(int s, enum lsock_opt opt, const struct lsock_optval *v);
/* Bytes waiting to be read. */
int lsock_nread(int s);

/* Interface names ("lo", "en0") and indexes (from 1); 0 / NULL when there is none. */
unsigned lsock_if_index(const char *name);
char *lsock_if_name(unsigned index, char *name);

/* DNS: the first address of name (AF_INET or AF_INET6 wanted, or 0 for either). */
int lsock_resolve(const char *name, int family, struct lsock_addr *a);

/* socket.c: sockets as files, once lwIP is up. */
void sk_lwip_sockets_init(void);
/* netif.c: the platform's NICs as lwIP interfaces, configured (DHCP waited for, bounded). */
void sk_lwip_netifs_init(void);

#endif
