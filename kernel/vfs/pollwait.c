// SPDX-License-Identifier: MIT
/*
 * Waiting for file readiness (poll, select, epoll): one wait queue for all of them. A file whose
 * readiness may have changed wakes everybody, who look again; simple, and cheap while a handful
 * of threads wait, as in an appliance.
 */
#include <errno.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

static struct sk_waitq pollers = SK_WAITQ_INIT(pollers);

void sk_file_poll_wake(void)
{
	sk_waitq_wake_all(&pollers);
}

/*
 * A deadline already past (a poll with a zero timeout) still yields: threads are cooperative,
 * and a program polling in a loop must let the ones it waits for (the network stack) run.
 */
int sk_file_poll_wait(uint64_t deadline_ns)
{
	if (deadline_ns <= sk_now_ns()) {
		sk_thread_yield();
		return -ETIMEDOUT;
	}
	return sk_waitq_wait_until(&pollers, deadline_ns);
}
