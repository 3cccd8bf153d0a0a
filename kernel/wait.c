// SPDX-License-Identifier: MIT
/*
 * Wait queues. With one CPU and no preemption, a thread that checks its condition and then waits
 * cannot miss a wake-up in between: nothing else runs until it blocks.
 */
#include <errno.h>
#include <skiff/panic.h>
#include "sched.h"

void sk_waitq_init(struct sk_waitq *wq)
{
	sk_list_init(&wq->waiters);
}

static void enqueue_self(struct sk_waitq *wq)
{
	struct sk_thread *self = sk_current;

	SK_BUG_ON(self->stack == NULL); /* the idle thread must never block */
	self->waiting_on = wq;
	self->state = SK_THREAD_BLOCKED;
	sk_list_add_tail(&wq->waiters, &self->link);
}

void sk_waitq_wait(struct sk_waitq *wq)
{
	enqueue_self(wq);
	sched_switch();
}

int sk_waitq_wait_until(struct sk_waitq *wq, uint64_t deadline_ns)
{
	struct sk_thread *self = sk_current;

	self->timed_out = false;
	if (deadline_ns != UINT64_MAX)
		sk_timer_arm(&self->timer, deadline_ns);
	enqueue_self(wq);
	sched_switch();
	sk_timer_cancel(&self->timer);
	return self->timed_out ? -ETIMEDOUT : 0;
}

static struct sk_thread *wake_first(struct sk_waitq *wq)
{
	struct sk_list *n = sk_list_pop_front(&wq->waiters);
	struct sk_thread *t;

	if (!n)
		return NULL;
	t = sk_list_entry(n, struct sk_thread, link);
	t->waiting_on = NULL;
	sched_make_runnable(t);
	return t;
}

unsigned sk_waitq_wake_one(struct sk_waitq *wq)
{
	return wake_first(wq) ? 1 : 0;
}

unsigned sk_waitq_wake_all(struct sk_waitq *wq)
{
	unsigned n = 0;

	while (wake_first(wq))
		n++;
	return n;
}
