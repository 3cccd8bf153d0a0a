/* SPDX-License-Identifier: MIT */
/* Sleeping mutexes (optionally recursive) and counting semaphores on wait queues. */
#ifndef SKIFF_MUTEX_H
#define SKIFF_MUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/thread.h>

struct sk_mutex {
	struct sk_thread *owner;
	unsigned depth;		/* > 1 only for recursive mutexes */
	bool recursive;
	struct sk_waitq wq;
};

/* A statically initialised mutex: struct sk_mutex name = SK_MUTEX_INIT(name, false); */
#define SK_MUTEX_INIT(name, rec) { NULL, 0, (rec), SK_WAITQ_INIT((name).wq) }

void sk_mutex_init(struct sk_mutex *m, bool recursive);
void sk_mutex_lock(struct sk_mutex *m);
/* 0, or -EBUSY when another thread (or, non-recursive, this one) holds it. */
int sk_mutex_trylock(struct sk_mutex *m);
/* 0, or -ETIMEDOUT at monotonic time deadline_ns. */
int sk_mutex_lock_until(struct sk_mutex *m, uint64_t deadline_ns);
/* Unlocking a mutex the caller does not hold is a bug (panic). */
void sk_mutex_unlock(struct sk_mutex *m);

struct sk_sem {
	unsigned long count;
	struct sk_waitq wq;
};

void sk_sem_init(struct sk_sem *s, unsigned long count);
void sk_sem_down(struct sk_sem *s);
/* 0, or -EAGAIN when the count is zero. */
int sk_sem_trydown(struct sk_sem *s);
/* 0, or -ETIMEDOUT at monotonic time deadline_ns. */
int sk_sem_down_until(struct sk_sem *s, uint64_t deadline_ns);
void sk_sem_up(struct sk_sem *s);

#endif
