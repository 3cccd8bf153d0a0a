// SPDX-License-Identifier: MIT
/* pthread mutexes, condition variables, rwlocks and once, on kernel mutexes and wait queues. */
#include <limits.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <skiff/mutex.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include "posix.h"

#define NS 1000000000ULL
/* Far enough to be never, yet a real timer (sk_sleep_ns caps the same way). */
#define FOREVER (UINT64_MAX - 1)

/* The kernel objects live inside the pthread types (sys/_pthreadtypes.h): they must fit. */
#define FITS(type, field, kernel)                                                       \
	(sizeof(kernel) <= sizeof(((type *)0)->field) &&                                \
	 offsetof(type, field) % alignof(kernel) == 0 && alignof(type) >= alignof(kernel))
_Static_assert(FITS(pthread_mutex_t, __kernel, struct sk_mutex), "pthread_mutex_t too small");
_Static_assert(FITS(pthread_cond_t, __kernel, struct sk_waitq), "pthread_cond_t too small");
_Static_assert(FITS(pthread_rwlock_t, __kernel, struct sk_waitq), "pthread_rwlock_t too small");

/* pthread.c: a per-thread pointer for this file, freed when the thread exits. */

/* Absolute times */

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_nsec >= 0 && ts->tv_nsec < (long)NS;
}

/* abstime on clock clk as a deadline on the kernel's monotonic clock; the past means now. */
static uint64_t deadline_ns(clockid_t clk, const struct timespec *abstime)
{
	uint64_t now = sk_now_ns(), base = clk == CLOCK_MONOTONIC ? now : sk_wall_ns(), t;

	if (abstime->tv_sec < 0)
		return now;
	if ((uint64_t)abstime->tv_sec >= FOREVER / NS - 1)
		return FOREVER;
	t = (uint64_t)abstime->tv_sec * NS + (uint64_t)abstime->tv_nsec;
	if (t <= base)
		return now;
	t -= base;
	return t > FOREVER - now ? FOREVER : now + t;
}

/* Mutexes */

/* All zeroes is "not set up yet" (the static initialiser): set up on first use. */
static struct sk_mutex *kmutex(pthread_mutex_t *m)
{
	struct sk_mutex *k = (struct sk_mutex *)(void *)m->__kernel;

	if (!m->__ready) {
		sk_mutex_init(k, m->__type == PTHREAD_MUTEX_RECURSIVE);
		m->__ready = 1;
	}
	return k;
}

static bool valid_type(int type)
{
	return type == PTHREAD_MUTEX_NORMAL || type == PTHREAD_MUTEX_RECURSIVE ||
	       type == PTHREAD_MUTEX_ERRORCHECK;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	*a = (pthread_mutexattr_t){ 1, PTHREAD_MUTEX_DEFAULT };
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (!a->is_initialized || !valid_type(type))
		return EINVAL;
	a->type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *restrict a, int *restrict type)
{
	if (!a->is_initialized)
		return EINVAL;
	*type = a->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *restrict m, const pthread_mutexattr_t *restrict a)
{
	if (a && !a->is_initialized)
		return EINVAL;
	*m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	m->__type = a ? a->type : PTHREAD_MUTEX_DEFAULT;
	kmutex(m);
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	if (m->__ready && (kmutex(m)->owner || !sk_list_empty(&kmutex(m)->wq.waiters)))
		return EBUSY;
	m->__ready = 0;
	return 0;
}

/*
 * The kernel panics when a thread relocks a plain mutex it holds. POSIX lets a NORMAL mutex
 * hang there; a hang in a unikernel is no better than an error, so every non-recursive type
 * returns EDEADLK. EAGAIN when a recursive count would overflow.
 */
static int lock_check(struct sk_mutex *k)
{
	if (k->owner != sk_thread_self())
		return 0;
	if (!k->recursive)
		return EDEADLK;
	return k->depth == UINT_MAX ? EAGAIN : 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	struct sk_mutex *k = kmutex(m);
	int r = lock_check(k);

	if (!r)
		sk_mutex_lock(k);
	return r;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	struct sk_mutex *k = kmutex(m);
	int r = lock_check(k);

	if (r)
		return r == EDEADLK ? EBUSY : r;
	return sk_mutex_trylock(k) ? EBUSY : 0;
}

int pthread_mutex_timedlock(pthread_mutex_t *restrict m, const struct timespec *restrict abstime)
{
	struct sk_mutex *k = kmutex(m);
	int r = lock_check(k);

	if (r)
		return r;
	if (!sk_mutex_trylock(k)) /* POSIX: never a timeout or EINVAL when it is free */
		return 0;
	if (!timespec_valid(abstime))
		return EINVAL;
	return sk_mutex_lock_until(k, deadline_ns(CLOCK_REALTIME, abstime)) ? ETIMEDOUT : 0;
}

/* Not the owner (any type, unlocked included): EPERM rather than the kernel's panic. */
int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (!m->__ready || kmutex(m)->owner != sk_thread_self())
		return EPERM;
	sk_mutex_unlock(kmutex(m));
	return 0;
}

/* Condition variables */

static struct sk_waitq *kcond(pthread_cond_t *c)
{
	struct sk_waitq *wq = (struct sk_waitq *)(void *)c->__kernel;

	if (!c->__ready) {
		sk_waitq_init(wq);
		c->__ready = 1;
	}
	return wq;
}

/* __clock 0 is the static initialiser's: CLOCK_REALTIME. */
static clockid_t cond_clock(const pthread_cond_t *c)
{
	return c->__clock == (int)CLOCK_MONOTONIC ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

int pthread_condattr_init(pthread_condattr_t *a)
{
	*a = (pthread_condattr_t){ 1, (int)CLOCK_REALTIME };
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (!a->is_initialized || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
		return EINVAL;
	a->clock = (int)clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *restrict a, clockid_t *restrict clock)
{
	if (!a->is_initialized)
		return EINVAL;
	*clock = a->clock;
	return 0;
}

int pthread_cond_init(pthread_cond_t *restrict c, const pthread_condattr_t *restrict a)
{
	if (a && !a->is_initialized)
		return EINVAL;
	*c = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	c->__clock = a ? a->clock : (int)CLOCK_REALTIME;
	kcond(c);
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	if (c->__ready && !sk_list_empty(&kcond(c)->waiters))
		return EBUSY;
	c->__ready = 0;
	return 0;
}

/*
 * Release m, wait, take m again. Nothing between the unlock and the wait blocks, so on one
 * CPU without preemption no signal can come in between. A recursive mutex is released fully
 * and its count restored, or the signaller could never take it.
 */
static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	struct sk_waitq *wq = kcond(c);
	struct sk_mutex *k;
	unsigned depth;
	int r = 0;

	if (!m->__ready || (k = kmutex(m))->owner != sk_thread_self())
		return EPERM;
	if (abstime && !timespec_valid(abstime))
		return EINVAL;
	depth = k->depth;
	k->depth = 1;
	sk_mutex_unlock(k);
	if (abstime)
		r = sk_waitq_wait_until(wq, deadline_ns(cond_clock(c), abstime));
	else
		sk_waitq_wait(wq);
	sk_mutex_lock(k);
	k->depth = depth;
	return r == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *restrict c, pthread_mutex_t *restrict m)
{
	return cond_wait(c, m, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *restrict c, pthread_mutex_t *restrict m,
			   const struct timespec *restrict abstime)
{
	return cond_wait(c, m, abstime);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	sk_waitq_wake_one(kcond(c));
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	sk_waitq_wake_all(kcond(c));
	return 0;
}

/*
 * Rwlocks. __readers counts read holds (-1: a writer holds it). Writers are preferred: while
 * one waits, new readers wait too, except a thread that already holds a read lock (POSIX lets
 * it take another, and making it wait for a writer that waits for it would deadlock). Each
 * thread keeps a small table of its read holds for that, and for EDEADLK and EPERM.
 */

#define READ_HOLDS 16

struct read_hold {
	pthread_rwlock_t *rw;
	unsigned count;
};

static struct read_hold *find_hold(pthread_rwlock_t *rw)
{
	struct read_hold *tab = *posix_pthread_sync_data();

	for (int i = 0; tab && i < READ_HOLDS; i++)
		if (tab[i].rw == rw)
			return &tab[i];
	return NULL;
}

/* The caller's entry for rw, or a free one; NULL when the table is full or memory is out. */
static struct read_hold *get_hold(pthread_rwlock_t *rw)
{
	void **slot = posix_pthread_sync_data();
	struct read_hold *h = find_hold(rw), *tab;

	if (h)
		return h;
	if (!*slot && !(*slot = calloc(READ_HOLDS, sizeof(struct read_hold))))
		return NULL;
	tab = *slot;
	for (int i = 0; i < READ_HOLDS; i++)
		if (!tab[i].rw)
			return &tab[i];
	return NULL;
}

static struct sk_waitq *krw(pthread_rwlock_t *rw)
{
	struct sk_waitq *wq = (struct sk_waitq *)(void *)rw->__kernel;

	if (!rw->__ready) {
		sk_waitq_init(wq);
		rw->__ready = 1;
	}
	return wq;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
	a->is_initialized = 1;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *restrict rw, const pthread_rwlockattr_t *restrict a)
{
	if (a && !a->is_initialized)
		return EINVAL;
	*rw = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
	krw(rw);
	return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	if (rw->__ready &&
	    (rw->__readers || rw->__writers_waiting || !sk_list_empty(&krw(rw)->waiters)))
		return EBUSY;
	rw->__ready = 0;
	return 0;
}

/* Wait once on wq (until abstime if given): ETIMEDOUT when that passed, else 0. */
static int rw_wait(struct sk_waitq *wq, const struct timespec *abstime)
{
	if (!abstime) {
		sk_waitq_wait(wq);
		return 0;
	}
	return sk_waitq_wait_until(wq, deadline_ns(CLOCK_REALTIME, abstime)) ? ETIMEDOUT : 0;
}

static bool can_read(const pthread_rwlock_t *rw, const struct read_hold *h)
{
	return rw->__readers >= 0 && (!rw->__writers_waiting || h->count);
}

/* abstime NULL and try false: wait as long as it takes. */
static int rdlock(pthread_rwlock_t *rw, const struct timespec *abstime, bool try)
{
	struct sk_waitq *wq = krw(rw);
	struct read_hold *h;

	if (rw->__readers < 0 && rw->__writer == pthread_self())
		return EDEADLK;
	if (abstime && !timespec_valid(abstime))
		return EINVAL;
	if (!(h = get_hold(rw)) || rw->__readers == INT_MAX || h->count == UINT_MAX)
		return EAGAIN; /* the maximum number of read locks is exceeded */
	h->rw = rw; /* reserves the entry should the waits below let this thread's others in */
	while (!can_read(rw, h)) {
		int r = try ? EBUSY : rw_wait(wq, abstime);

		if (r && !can_read(rw, h)) {
			if (!h->count)
				h->rw = NULL;
			return r;
		}
	}
	rw->__readers++;
	h->count++;
	return 0;
}

/* When the last waiting writer gives up, the readers it held back may go. */
static int wrlock(pthread_rwlock_t *rw, const struct timespec *abstime, bool try)
{
	struct sk_waitq *wq = krw(rw);
	pthread_t me = pthread_self();
	int r = 0;

	if ((rw->__readers < 0 && rw->__writer == me) || find_hold(rw))
		return EDEADLK;
	if (rw->__readers && try)
		return EBUSY;
	if (rw->__readers && abstime && !timespec_valid(abstime))
		return EINVAL;
	rw->__writers_waiting++;
	while (rw->__readers && !r)
		if (rw_wait(wq, abstime) && rw->__readers)
			r = ETIMEDOUT;
	rw->__writers_waiting--;
	if (r) {
		if (!rw->__writers_waiting)
			sk_waitq_wake_all(wq);
		return r;
	}
	rw->__readers = -1;
	rw->__writer = me;
	return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
	return rdlock(rw, NULL, false);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
	return rdlock(rw, NULL, true);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *restrict rw,
			       const struct timespec *restrict abstime)
{
	return rdlock(rw, abstime, false);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
	return wrlock(rw, NULL, false);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
	return wrlock(rw, NULL, true);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *restrict rw,
			       const struct timespec *restrict abstime)
{
	return wrlock(rw, abstime, false);
}

/* Waking all is simplest: whoever can go goes, the rest wait again. */
int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	struct read_hold *h;

	if (!rw->__ready)
		return EPERM;
	if (rw->__readers < 0) {
		if (rw->__writer != pthread_self())
			return EPERM;
		rw->__readers = 0;
		rw->__writer = NULL;
		sk_waitq_wake_all(krw(rw));
		return 0;
	}
	if (!(h = find_hold(rw)) || !h->count)
		return EPERM;
	if (!--h->count)
		h->rw = NULL;
	if (!--rw->__readers)
		sk_waitq_wake_all(krw(rw));
	return 0;
}

/* Once */

enum { ONCE_NOT_RUN, ONCE_RUNNING, ONCE_DONE };
static struct sk_waitq once_wq = SK_WAITQ_INIT(once_wq);

/* The routine ended its thread (pthread_exit): the next caller runs it, as after cancellation. */
static void once_abandoned(void *arg)
{
	pthread_once_t *once = arg;

	once->init_executed = ONCE_NOT_RUN;
	sk_waitq_wake_all(&once_wq);
}

/* An all-zero pthread_once_t works too, as PTHREAD_ONCE_INIT does on glibc and musl. */
int pthread_once(pthread_once_t *once, void (*routine)(void))
{
	while (once->init_executed == ONCE_RUNNING)
		sk_waitq_wait(&once_wq);
	if (once->init_executed == ONCE_DONE)
		return 0;
	once->init_executed = ONCE_RUNNING;
	pthread_cleanup_push(once_abandoned, once);
	routine();
	pthread_cleanup_pop(0);
	once->init_executed = ONCE_DONE;
	sk_waitq_wake_all(&once_wq);
	return 0;
}
