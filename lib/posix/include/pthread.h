/* SPDX-License-Identifier: MIT */
/*
 * POSIX threads on Skiff's cooperative kernel threads (lib/posix/pthread.c, pthread_sync.c), in
 * place of newlib's <pthread.h>. What a unikernel on one CPU does differently:
 *   - Every thread gets the kernel's stack size (CONFIG_SK_THREAD_STACK_KIB); a larger
 *     stacksize attribute is accepted, logged once, and not honoured.
 *   - Relocking a NORMAL/DEFAULT mutex returns EDEADLK (POSIX would hang), and unlocking a
 *     mutex the caller does not hold returns EPERM whatever the type.
 *   - pthread_exit in the main thread waits for every thread made by pthread_create to end,
 *     then calls exit(0), as the last thread ending a process would.
 *   - There is no cancellation: pthread_cancel returns ENOSYS. Cleanup handlers still run on
 *     pthread_exit.
 *   - Rwlocks prefer writers; a thread holding a read lock may take it again all the same.
 *   - A thread pthread_create did not make (main, or a kernel thread) gets its pthread_t on its
 *     first call. Its key destructors run, and pthread_join sees it end, only if it ends
 *     through pthread_exit.
 */
#ifndef SKIFF_POSIX_PTHREAD_H
#define SKIFF_POSIX_PTHREAD_H

#include <sched.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits (POSIX keeps them in <limits.h>, which is newlib's). */
#define PTHREAD_KEYS_MAX 128		/* the POSIX minimum, _POSIX_THREAD_KEYS_MAX */
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#define PTHREAD_STACK_MIN 16384

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

/* DEFAULT is NORMAL, so the all-zero PTHREAD_MUTEX_INITIALIZER is a default mutex. */
#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL

#define PTHREAD_MUTEX_INITIALIZER _PTHREAD_MUTEX_INITIALIZER
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP { { 0 }, PTHREAD_MUTEX_RECURSIVE, 0 }
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP { { 0 }, PTHREAD_MUTEX_ERRORCHECK, 0 }
#define PTHREAD_COND_INITIALIZER _PTHREAD_COND_INITIALIZER
#define PTHREAD_RWLOCK_INITIALIZER _PTHREAD_RWLOCK_INITIALIZER
#define PTHREAD_ONCE_INIT _PTHREAD_ONCE_INIT

#define PTHREAD_CANCEL_ENABLE 0
#define PTHREAD_CANCEL_DISABLE 1
#define PTHREAD_CANCEL_DEFERRED 0
#define PTHREAD_CANCEL_ASYNCHRONOUS 1
#define PTHREAD_CANCELED ((void *)-1)

/* Threads */
int pthread_attr_init(pthread_attr_t *__attr);
int pthread_attr_destroy(pthread_attr_t *__attr);
int pthread_attr_setdetachstate(pthread_attr_t *__attr, int __state);
int pthread_attr_getdetachstate(const pthread_attr_t *__attr, int *__state);
/* Stored and reported back; threads still get the kernel's fixed stack size (see above). */
int pthread_attr_setstacksize(pthread_attr_t *__attr, size_t __size);
int pthread_attr_getstacksize(const pthread_attr_t *__restrict __attr, size_t *__restrict __size);

int pthread_create(pthread_t *__restrict __t, const pthread_attr_t *__restrict __attr,
		   void *(*__start)(void *), void *__restrict __arg);
int pthread_join(pthread_t __t, void **__retval);
int pthread_detach(pthread_t __t);
pthread_t pthread_self(void);
int pthread_equal(pthread_t __a, pthread_t __b);
void pthread_exit(void *__retval) __attribute__((__noreturn__));
int pthread_yield(void);

int pthread_once(pthread_once_t *__once, void (*__routine)(void));

/* Thread-specific data */
int pthread_key_create(pthread_key_t *__key, void (*__destructor)(void *));
int pthread_key_delete(pthread_key_t __key);
void *pthread_getspecific(pthread_key_t __key);
int pthread_setspecific(pthread_key_t __key, const void *__value);

/* Cancellation: not supported. pthread_cancel returns ENOSYS; the rest only keep the state. */
int pthread_cancel(pthread_t __t);
int pthread_setcancelstate(int __state, int *__old);
int pthread_setcanceltype(int __type, int *__old);
void pthread_testcancel(void);

/* Cleanup handlers: a block-scoped pair, run (latest first) by pthread_exit. */
struct __pthread_cleanup {
	void (*__routine)(void *);
	void *__arg;
	struct __pthread_cleanup *__prev;
};
void __pthread_cleanup_push(struct __pthread_cleanup *__c, void (*__routine)(void *), void *__arg);
void __pthread_cleanup_pop(struct __pthread_cleanup *__c, int __execute);
#define pthread_cleanup_push(routine, arg)                     \
	do {                                                   \
		struct __pthread_cleanup __pthread_cl;         \
		__pthread_cleanup_push(&__pthread_cl, (routine), (arg))
#define pthread_cleanup_pop(execute)                           \
		__pthread_cleanup_pop(&__pthread_cl, (execute)); \
	} while (0)

/* Mutexes */
int pthread_mutexattr_init(pthread_mutexattr_t *__attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *__attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *__attr, int __type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *__restrict __attr, int *__restrict __type);

int pthread_mutex_init(pthread_mutex_t *__restrict __m,
		       const pthread_mutexattr_t *__restrict __attr);
int pthread_mutex_destroy(pthread_mutex_t *__m);
int pthread_mutex_lock(pthread_mutex_t *__m);
int pthread_mutex_trylock(pthread_mutex_t *__m);
/* abstime is on CLOCK_REALTIME. */
int pthread_mutex_timedlock(pthread_mutex_t *__restrict __m,
			    const struct timespec *__restrict __abstime);
int pthread_mutex_unlock(pthread_mutex_t *__m);

/* Condition variables */
int pthread_condattr_init(pthread_condattr_t *__attr);
int pthread_condattr_destroy(pthread_condattr_t *__attr);
/* CLOCK_REALTIME (the default) or CLOCK_MONOTONIC: the clock of timedwait's abstime. */
int pthread_condattr_setclock(pthread_condattr_t *__attr, clockid_t __clock);
int pthread_condattr_getclock(const pthread_condattr_t *__restrict __attr,
			      clockid_t *__restrict __clock);

int pthread_cond_init(pthread_cond_t *__restrict __c, const pthread_condattr_t *__restrict __attr);
int pthread_cond_destroy(pthread_cond_t *__c);
int pthread_cond_wait(pthread_cond_t *__restrict __c, pthread_mutex_t *__restrict __m);
int pthread_cond_timedwait(pthread_cond_t *__restrict __c, pthread_mutex_t *__restrict __m,
			   const struct timespec *__restrict __abstime);
int pthread_cond_signal(pthread_cond_t *__c);
int pthread_cond_broadcast(pthread_cond_t *__c);

/*
 * Read-write locks: writers preferred; timed calls take CLOCK_REALTIME times. A thread may hold
 * read locks on up to 16 rwlocks at once (rdlock returns EAGAIN beyond).
 */
int pthread_rwlockattr_init(pthread_rwlockattr_t *__attr);
int pthread_rwlockattr_destroy(pthread_rwlockattr_t *__attr);

int pthread_rwlock_init(pthread_rwlock_t *__restrict __rw,
			const pthread_rwlockattr_t *__restrict __attr);
int pthread_rwlock_destroy(pthread_rwlock_t *__rw);
int pthread_rwlock_rdlock(pthread_rwlock_t *__rw);
int pthread_rwlock_tryrdlock(pthread_rwlock_t *__rw);
int pthread_rwlock_timedrdlock(pthread_rwlock_t *__restrict __rw,
			       const struct timespec *__restrict __abstime);
int pthread_rwlock_wrlock(pthread_rwlock_t *__rw);
int pthread_rwlock_trywrlock(pthread_rwlock_t *__rw);
int pthread_rwlock_timedwrlock(pthread_rwlock_t *__restrict __rw,
			       const struct timespec *__restrict __abstime);
int pthread_rwlock_unlock(pthread_rwlock_t *__rw);

#ifdef __cplusplus
}
#endif

#endif
