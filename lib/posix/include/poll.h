/* SPDX-License-Identifier: MIT */
/* poll() over file descriptors. */
#ifndef SKIFF_POSIX_POLL_H
#define SKIFF_POSIX_POLL_H

#define POLLIN 0x1
#define POLLPRI 0x2
#define POLLOUT 0x4
#define POLLERR 0x8
#define POLLHUP 0x10
#define POLLNVAL 0x20
#define POLLRDNORM POLLIN
#define POLLWRNORM POLLOUT

typedef unsigned int nfds_t;

struct pollfd {
	int fd;
	short events;
	short revents;
};

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);

#endif
