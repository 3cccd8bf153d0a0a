// SPDX-License-Identifier: MIT
/* Sleeping mutexes, plain or recursive (newlib's recursive locks use the latter). */
#include <errno.h>
#include <skiff/mutex.h>
#include <skiff/panic.h>
#include "sched.h"

void sk_mutex_init(struct sk_mutex *m, bool recursive)
{
	m->owner = NULL;
	m->depth = 0;
	m->recursive = recursive;
	sk_waitq_init(&m->wq);
}

/* Take m if that is possible without waiting. Relocking a plain mutex is a bug. */
static bool try_take(struct sk_mutex *m)
{
	if (!m->owner) {
		m->owner = sk_current;
		m->depth = 1;
		return true;
	}
	if (m->owner == sk_current) {
		if (!m->recursive)
			sk_panic("thread \"%s\" locks a mutex it already holds", sk_current->name);
		m->depth++;
		return true;
	}
	return false;
}

void sk_mutex_lock(struct sk_mutex *m)
{
	while (!try_take(m))
		sk_waitq_wait(&m->wq);
}

int sk_mutex_trylock(struct sk_mutex *m)
{
	if (m->owner == sk_current && !m->recursive)
		return -EBUSY;
	return try_take(m) ? 0 : -EBUSY;
}

int sk_mutex_lock_until(struct sk_mutex *m, uint64_t deadline_ns)
{
	/* Timed out, the mutex may still have come free meanwhile: one last try, not two. */
	while (!try_take(m))
		if (sk_waitq_wait_until(&m->wq, deadline_ns) == -ETIMEDOUT)
			return try_take(m) ? 0 : -ETIMEDOUT;
	return 0;
}

void sk_mutex_unlock(struct sk_mutex *m)
{
	if (m->owner != sk_current)
		sk_panic("thread \"%s\" unlocks a mutex it does not hold", sk_current->name);
	if (--m->depth)
		return;
	m->owner = NULL;
	sk_waitq_wake_one(&m->wq);
}
