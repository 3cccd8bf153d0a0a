// SPDX-License-Identifier: MIT
/*
 * select() and pselect() over any file, like poll(): ask each file for its readiness, sleep until
 * a file's readiness may have changed or the timeout. FD_SETSIZE is 1024, as on Linux (the build
 * defines it for every file, newlib's default of 64 being too small for a server).
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <skiff/time.h>
#include "posix.h"

/* One pass: the sets as they come out, and how many bits are set; -EBADF for a closed fd. */
static int scan(int n, const fd_set *in_r, const fd_set *in_w, const fd_set *in_e, fd_set *r, fd_set *w, fd_set *e)
{
	int ready = 0;

	FD_ZERO(r);
	FD_ZERO(w);
	FD_ZERO(e);
	for (int fd = 0; fd < n; fd++) {
		bool want_r = in_r && FD_ISSET(fd, in_r), want_w = in_w && FD_ISSET(fd, in_w),
		     want_e = in_e && FD_ISSET(fd, in_e);
		struct sk_file *f;
		unsigned m;

		if (!want_r && !want_w && !want_e)
			continue;
		if (!(f = sk_fd_get(fd)))
			return -EBADF;
		m = sk_file_poll(f);
		if (want_r && (m & (SK_POLL_IN | SK_POLL_HUP | SK_POLL_ERR)))
			FD_SET(fd, r), ready++;
		if (want_w && (m & (SK_POLL_OUT | SK_POLL_ERR)))
			FD_SET(fd, w), ready++;
		if (want_e && (m & SK_POLL_ERR))
			FD_SET(fd, e), ready++;
	}
	return ready;
}

static int do_select(int n, fd_set *rs, fd_set *ws, fd_set *es, int64_t timeout_ns)
{
	uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : sk_now_ns() + (uint64_t)timeout_ns;
	fd_set r, w, e;
	int ready;

	if (n < 0 || n > FD_SETSIZE)
		return (int)posix_ret(-EINVAL);
	while (!(ready = scan(n, rs, ws, es, &r, &w, &e)))
		if (sk_file_poll_wait(deadline) == -ETIMEDOUT) {
			ready = scan(n, rs, ws, es, &r, &w, &e);
			break;
		}
	if (ready < 0)
		return (int)posix_ret(ready);
	if (rs)
		*rs = r;
	if (ws)
		*ws = w;
	if (es)
		*es = e;
	return ready;
}

int select(int n, fd_set *rs, fd_set *ws, fd_set *es, struct timeval *tv)
{
	if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000))
		return (int)posix_ret(-EINVAL);
	return do_select(n, rs, ws, es, tv ? (int64_t)tv->tv_sec * 1000000000 + tv->tv_usec * 1000 : -1);
}

/* No signals: the mask changes nothing. */
int pselect(int n, fd_set *rs, fd_set *ws, fd_set *es, const struct timespec *ts, const sigset_t *mask)
{
	(void)mask;
	if (ts && (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000))
		return (int)posix_ret(-EINVAL);
	return do_select(n, rs, ws, es, ts ? (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec : -1);
}
