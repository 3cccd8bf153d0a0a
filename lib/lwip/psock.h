/* SPDX-License-Identifier: MIT */
/* The POSIX side of lib/lwip's sockets (socket.c, sockopt.c, netdb.c): what they share. */
#ifndef SKIFF_LIB_LWIP_PSOCK_H
#define SKIFF_LIB_LWIP_PSOCK_H

/* A socket file's private data. */
struct sock {
	int s;			/* lwIP's socket */
	int family, type;	/* AF_*, SOCK_* */
	int reuseport;		/* accepted and remembered: one stack, one socket per port */
};

/* The socket behind fd: NULL with errno EBADF or ENOTSOCK. */
struct sock *sock_of(int fd);
/* A kernel-style result to a POSIX one: r, or -1 with errno = -r. */
long sock_ret(long r);

#endif
