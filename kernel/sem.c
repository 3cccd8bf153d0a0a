// SPDX-License-Identifier: MIT
/* Counting semaphores. */
#include <errno.h>
#include <skiff/mutex.h>

void sk_sem_init(struct sk_sem *s, unsigned long count)
{
	s->count = count;
	sk_waitq_init(&s->wq);
}

void sk_sem_down(struct sk_sem *s)
{
	while (s->count == 0)
		sk_waitq_wait(&s->wq);
	s->count--;
}

int sk_sem_trydown(struct sk_sem *s)
{
	if (s->count == 0)
		return -EAGAIN;
	s->count--;
	return 0;
}

int sk_sem_down_until(struct sk_sem *s, uint64_t deadline_ns)
{
	while (s->count == 0)
		if (sk_waitq_wait_until(&s->wq, deadline_ns) == -ETIMEDOUT && s->count == 0)
			return -ETIMEDOUT;
	s->count--;
	return 0;
}

void sk_sem_up(struct sk_sem *s)
{
	s->count++;
	sk_waitq_wake_one(&s->wq);
}
