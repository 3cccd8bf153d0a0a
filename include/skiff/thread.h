/* SPDX-License-Identifier: MIT */
/*
 * Cooperative kernel threads on one CPU: a thread runs until it blocks, yields or exits. Nothing
 * preempts it, so code between two blocking calls needs no lock against other threads.
 */
#ifndef SKIFF_THREAD_H
#define SKIFF_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <skiff/list.h>
#include <skiff/timer.h>

struct sk_waitq {
	struct sk_list waiters;
};

#define SK_WAITQ_INIT(name) { SK_LIST_INIT((name).waiters) }

enum sk_thread_state {
	SK_THREAD_RUNNABLE,
	SK_THREAD_RUNNING,
	SK_THREAD_BLOCKED,
	SK_THREAD_EXITED,
};

struct sk_thread {
	uint64_t saved_rsp;		/* arch context: everything else is on the stack */
	struct sk_list link;		/* run queue, a wait queue, or the zombie list */
	struct sk_list all;		/* every live thread, for the crash report */
	enum sk_thread_state state;
	unsigned id;
	char name[24];
	void *stack;			/* where the stack runs (NULL for idle); guard page first */
	size_t stack_size;		/* bytes from stack, the guard included */
	void *stack_mem;		/* its page block (NULL for a given stack) */
	unsigned stack_order;
	bool guarded;			/* the stack's first page faults (plat_stack_map) */
	void *stack_low;		/* lowest usable address; the overflow canary when unguarded */
	void *(*fn)(void *);
	void *arg;
	void *retval;
	bool detached;
	bool timed_out;			/* the last timed wait ended by timeout */
	struct sk_waitq joiners;
	struct sk_timer timer;		/* sleeps and timed waits */
	struct sk_waitq *waiting_on;	/* the queue this thread is blocked on, if any */
	void *libc_data;		/* per-thread state of the C library (newlib's reent) */
	void *posix_data;		/* lib/posix's (pthread keys, the pthread object) */
};

/*
 * Start fn(arg) in a new thread, runnable at once (it first runs when the caller blocks or
 * yields). name is copied. NULL when memory for the stack runs out.
 */
struct sk_thread *sk_thread_create(const char *name, void *(*fn)(void *), void *arg);
/*
 * sk_thread_create on a stack the caller provides: [stack, stack + size), whose first page is a
 * guard that faults. It is never freed (the platform's stack for the main thread). A NULL stack
 * gets one allocated, as sk_thread_create does.
 */
struct sk_thread *sk_thread_create_on(const char *name, void *(*fn)(void *), void *arg, void *stack,
				      size_t size);
/* End the calling thread with retval, as returning from fn does. */
noreturn void sk_thread_exit(void *retval);
/*
 * Wait for t to end and free it; *retval (if not NULL) gets its return value. -EINVAL when t is
 * detached or the caller itself, -EDEADLK when t is the idle thread.
 */
int sk_thread_join(struct sk_thread *t, void **retval);
/* t frees itself when it ends. -EINVAL if already detached. */
int sk_thread_detach(struct sk_thread *t);
struct sk_thread *sk_thread_self(void);
/* Let every other runnable thread run once. */
void sk_thread_yield(void);
/* Block for at least ns nanoseconds / until monotonic time deadline_ns. */
void sk_sleep_ns(uint64_t ns);
void sk_sleep_until(uint64_t deadline_ns);

/*
 * Hooks for the C library's per-thread state: create runs in the creating thread once t exists,
 * free when t's memory goes (after it exited), switch_to just before t runs. One set per image.
 */
struct sk_thread_hooks {
	int (*create)(struct sk_thread *t);	/* nonzero: creation fails (out of memory) */
	void (*free)(struct sk_thread *t);
	void (*switch_to)(struct sk_thread *t);
};
void sk_thread_set_hooks(const struct sk_thread_hooks *h);

/*
 * A thread about to wait for something from outside the image (a device, the host) brackets the
 * wait with these, so that every thread blocked with no timer pending is not taken for a deadlock
 * while such a wait is in progress: the outside world may still wake it.
 */
void sk_sched_external_wait_begin(void);
/*
 * Sleep until a device may have something: until the CPU next goes idle and plat_idle returns
 * (a device event, a timer, or nothing). For threads that poll a device (plat_net_recv) and
 * must not spin: they look again after each return. An external wait, as below.
 */
void sk_wait_device_event(void);
void sk_sched_external_wait_end(void);

/* Wait queues: the one way a thread blocks on a condition. */
void sk_waitq_init(struct sk_waitq *wq);
/* Block until woken. Callers re-check their condition in a loop. */
void sk_waitq_wait(struct sk_waitq *wq);
/* Block until woken or until deadline_ns: 0 when woken, -ETIMEDOUT on timeout. */
int sk_waitq_wait_until(struct sk_waitq *wq, uint64_t deadline_ns);
/* Make the first / every waiter runnable. Return how many were woken. */
unsigned sk_waitq_wake_one(struct sk_waitq *wq);
unsigned sk_waitq_wake_all(struct sk_waitq *wq);

#endif
