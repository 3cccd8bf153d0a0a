// SPDX-License-Identifier: MIT
/*
 * poll() over any file: it asks each file's ops whether it is ready, and sleeps until the timeout
 * when none is. Files, directories and the console are always ready; sockets wake the waiters
 * (sk_file_poll_wake) when something happens to them.
 */
#include <poll.h>
#include <skiff/time.h>
#include "posix.h"

static int scan(struct pollfd *fds, nfds_t n)
{
	int ready = 0;

	for (nfds_t i = 0; i < n; i++) {
		struct sk_file *f = fds[i].fd >= 0 ? sk_fd_get(fds[i].fd) : NULL;
		unsigned m;

		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (!f) {
			fds[i].revents = POLLNVAL;
		} else {
			m = sk_file_poll(f);
			fds[i].revents = (short)(((m & SK_POLL_IN) ? POLLIN : 0) |
						 ((m & SK_POLL_OUT) ? POLLOUT : 0) |
						 ((m & SK_POLL_ERR) ? POLLERR : 0) |
						 ((m & SK_POLL_HUP) ? POLLHUP : 0));
			fds[i].revents &= (short)(fds[i].events | POLLERR | POLLHUP);
		}
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : sk_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int ready;

	while (!(ready = scan(fds, n))) {
		if (sk_file_poll_wait(deadline) == -ETIMEDOUT)
			return scan(fds, n);
	}
	return ready;
}
