// SPDX-License-Identifier: MIT
/*
 * poll() over any file: it asks each file's ops whether it is ready, and sleeps until the timeout
 * when none is. Files, directories and the console are always ready; sockets will wake pollers
 * through posix_poll_wake().
 */
#include <poll.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include "posix.h"

static struct sk_waitq pollers = SK_WAITQ_INIT(pollers);

void posix_poll_wake(void);

void posix_poll_wake(void)
{
	sk_waitq_wake_all(&pollers);
}

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

	while (!(ready = scan(fds, n)) && timeout_ms != 0) {
		if (sk_waitq_wait_until(&pollers, deadline) == -ETIMEDOUT)
			return scan(fds, n);
	}
	return ready;
}
