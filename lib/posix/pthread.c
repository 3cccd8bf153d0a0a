// SPDX-License-Identifier: MIT
/* POSIX threads on kernel threads: create, join, detach, exit, attributes, keys, cleanup. */
#define pr_tag "pthread"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/config.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include "posix.h"

#define KERNEL_STACK_BYTES ((size_t)CONFIG_SK_THREAD_STACK_KIB * 1024)

struct key_value {
	void *value;
	unsigned seq;		/* the key's seq when value was set */
};

/*
 * A thread as lib/posix sees it, in its kernel thread's posix_data. Threads from pthread_create
 * ("own") get one there; any other thread (main, or a kernel thread calling in) is adopted on its
 * first pthread call. The object outlives the kernel thread until it is joined or detached.
 */
struct __skiff_pthread {
	struct sk_thread *kt;
	void *(*fn)(void *);
	void *arg;
	void *retval;
	bool own;		/* from pthread_create: its kernel thread is ours to join */
	bool detached;
	bool exited;		/* retval is set and the thread runs no more app code */
	bool joined;		/* someone is in pthread_join for it */
	struct __skiff_pthread *joining;	/* the thread this one waits for in pthread_join */
	struct sk_waitq joiners;
	struct __pthread_cleanup *cleanup;
	struct key_value *keys;	/* PTHREAD_KEYS_MAX of them, allocated by the first setspecific */
	void *sync;		/* pthread_sync.c's per-thread state (read locks held) */
	int cancel_state, cancel_type;
};

/* The main thread's object is static: pthread_self() there cannot fail for want of memory. */
static struct __skiff_pthread initial;
/* Threads from pthread_create that have not ended yet; all_done is woken when it drops to 0. */
static unsigned live;
static struct sk_waitq all_done = SK_WAITQ_INIT(all_done);

static struct {
	bool used;
	unsigned seq;		/* bumped by each create: older values read as NULL */
	void (*destructor)(void *);
} keys[PTHREAD_KEYS_MAX];

/* The kernel names the thread that runs main() "main" (<skiff/app.h>). */
static struct __skiff_pthread *adopt(struct sk_thread *kt)
{
	struct __skiff_pthread *p;

	if (!initial.kt && !strcmp(kt->name, "main"))
		p = &initial;
	else if (!(p = calloc(1, sizeof(*p))))
		sk_panic("out of memory for the pthread of thread \"%s\"", kt->name);
	p->kt = kt;
	sk_waitq_init(&p->joiners);
	kt->posix_data = p;
	return p;
}

static struct __skiff_pthread *self(void)
{
	struct sk_thread *kt = sk_thread_self();

	return kt->posix_data ? kt->posix_data : adopt(kt);
}

/* For pthread_sync.c: a per-thread pointer it owns, freed (free()) when the thread exits. */

void **posix_pthread_sync_data(void)
{
	return &self()->sync;
}

/* Attributes */

int pthread_attr_init(pthread_attr_t *a)
{
	*a = (pthread_attr_t){ 1, PTHREAD_CREATE_JOINABLE, KERNEL_STACK_BYTES };
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (!a->is_initialized ||
	    (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED))
		return EINVAL;
	a->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	if (!a->is_initialized)
		return EINVAL;
	*state = a->detachstate;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (!a->is_initialized || size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *restrict a, size_t *restrict size)
{
	if (!a->is_initialized)
		return EINVAL;
	*size = a->stacksize;
	return 0;
}

/* Creation */

/*
 * Stacks are one size for all kernel threads. Refusing bigger requests would break the many
 * programs that ask for a few MiB out of habit, so they get the kernel's size and a log line
 * that names the cause should the stack overflow (which the kernel reports too).
 */
static void check_stacksize(size_t size)
{
	static bool warned;

	if (size <= KERNEL_STACK_BYTES || warned)
		return;
	warned = true;
	pr_warn("stack size %zu requested; threads get the kernel's %zu "
		"(CONFIG_SK_THREAD_STACK_KIB)\n", size, KERNEL_STACK_BYTES);
}

static void *thread_start(void *arg)
{
	struct __skiff_pthread *p = arg;
	void *retval = p->fn(p->arg);

	/* Handlers a return left pushed lived in frames that are gone: do not run them. */
	p->cleanup = NULL;
	pthread_exit(retval);
}

int pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
		   void *(*fn)(void *), void *restrict arg)
{
	struct __skiff_pthread *p;

	if (attr && !attr->is_initialized)
		return EINVAL;
	if (attr)
		check_stacksize(attr->stacksize);
	p = calloc(1, sizeof(*p));
	if (!p)
		return EAGAIN;
	p->fn = fn;
	p->arg = arg;
	p->own = true;
	sk_waitq_init(&p->joiners);
	p->kt = sk_thread_create("pthread", thread_start, p);
	if (!p->kt) {
		free(p);
		return EAGAIN;
	}
	/* The new thread first runs when this one blocks: everything below is in place by then. */
	p->kt->posix_data = p;
	live++;
	if (attr && attr->detachstate == PTHREAD_CREATE_DETACHED) {
		p->detached = true;
		sk_thread_detach(p->kt);
	}
	*thread = p;
	return 0;
}

/* Exit */

static void run_cleanup(struct __skiff_pthread *p)
{
	struct __pthread_cleanup *c;

	while ((c = p->cleanup)) {
		p->cleanup = c->__prev;
		c->__routine(c->__arg);
	}
}

/* A destructor may set values again: up to PTHREAD_DESTRUCTOR_ITERATIONS rounds. */
static void run_key_destructors(struct __skiff_pthread *p)
{
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS && p->keys; round++) {
		bool ran = false;

		for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
			struct key_value *v = &p->keys[k];
			void *value = v->value;

			if (!value || !keys[k].used || v->seq != keys[k].seq || !keys[k].destructor)
				continue;
			v->value = NULL;
			keys[k].destructor(value);
			ran = true;
		}
		if (!ran)
			break;
	}
}

/*
 * POSIX: the process lives on until its last thread ends, then exits with status 0. So main
 * stays blocked here (its joiners already have its value) until every thread from
 * pthread_create has ended; if those never end, the kernel reports the deadlock.
 */
static noreturn void main_thread_exit(struct __skiff_pthread *p)
{
	sk_waitq_wake_all(&p->joiners);
	while (live)
		sk_waitq_wait(&all_done);
	exit(0);
}

void pthread_exit(void *retval)
{
	struct __skiff_pthread *p = self();

	run_cleanup(p);
	run_key_destructors(p);
	free(p->keys);
	p->keys = NULL;
	free(p->sync);
	p->sync = NULL;
	/*
	 * No blocking from here on (but in freeing a detached p, which nothing refers to): a
	 * joiner that sees exited must find the kernel thread ended.
	 */
	p->retval = retval;
	p->exited = true;
	if (p == &initial)
		main_thread_exit(p);
	if (p->own && --live == 0)
		sk_waitq_wake_all(&all_done);
	p->kt->posix_data = NULL;
	if (p->detached)
		free(p); /* nobody may use a detached thread's id: nothing refers to p any more */
	else
		sk_waitq_wake_all(&p->joiners);
	sk_thread_exit(retval);
}

/* Join, detach, identity */

/* Is t me, or waiting (maybe through others) for me? Circles are refused, so chains end. */
static bool joins_back(struct __skiff_pthread *t, struct __skiff_pthread *me)
{
	for (; t; t = t->joining)
		if (t == me)
			return true;
	return false;
}

int pthread_join(pthread_t t, void **retval)
{
	struct __skiff_pthread *me = self();

	if (joins_back(t, me))
		return EDEADLK;
	if (t->detached || t->joined)
		return EINVAL;
	t->joined = true;
	me->joining = t;
	while (!t->exited)
		sk_waitq_wait(&t->joiners);
	me->joining = NULL;
	if (retval)
		*retval = t->retval;
	if (t->own)
		sk_thread_join(t->kt, NULL); /* it exited without blocking after setting exited */
	if (t != &initial)
		free(t);
	return 0;
}

int pthread_detach(pthread_t t)
{
	if (t->detached || t->joined)
		return EINVAL;
	t->detached = true;
	if (t->own)
		sk_thread_detach(t->kt); /* the kernel frees it now or when it ends */
	if (t->exited && t != &initial)
		free(t);
	return 0;
}

pthread_t pthread_self(void)
{
	return self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_yield(void)
{
	return sched_yield();
}

/* Keys */

static bool key_valid(pthread_key_t key)
{
	return key < PTHREAD_KEYS_MAX && keys[key].used;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
		if (keys[k].used)
			continue;
		keys[k].used = true;
		keys[k].seq++;
		keys[k].destructor = destructor;
		*key = k;
		return 0;
	}
	return EAGAIN;
}

/* Values still set under the key are dropped without their destructor, as POSIX says. */
int pthread_key_delete(pthread_key_t key)
{
	if (!key_valid(key))
		return EINVAL;
	keys[key].used = false;
	keys[key].destructor = NULL;
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct __skiff_pthread *p = self();

	if (!key_valid(key) || !p->keys || p->keys[key].seq != keys[key].seq)
		return NULL;
	return p->keys[key].value;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	struct __skiff_pthread *p = self();

	if (!key_valid(key))
		return EINVAL;
	if (!p->keys && !(p->keys = calloc(PTHREAD_KEYS_MAX, sizeof(*p->keys))))
		return ENOMEM;
	p->keys[key] = (struct key_value){ (void *)value, keys[key].seq };
	return 0;
}

/* Cleanup handlers */

void __pthread_cleanup_push(struct __pthread_cleanup *c, void (*routine)(void *), void *arg)
{
	struct __skiff_pthread *p = self();

	c->__routine = routine;
	c->__arg = arg;
	c->__prev = p->cleanup;
	p->cleanup = c;
}

void __pthread_cleanup_pop(struct __pthread_cleanup *c, int execute)
{
	self()->cleanup = c->__prev;
	if (execute)
		c->__routine(c->__arg);
}

/* Cancellation: a thread can only end itself, so there is nothing to cancel with. */

int pthread_cancel(pthread_t t)
{
	int saved = errno;

	(void)t;
	posix_enosys("pthread_cancel"); /* for its one log line; pthread calls leave errno alone */
	errno = saved;
	return ENOSYS;
}

int pthread_setcancelstate(int state, int *old)
{
	struct __skiff_pthread *p = self();

	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	if (old)
		*old = p->cancel_state;
	p->cancel_state = state;
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	struct __skiff_pthread *p = self();

	if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	if (old)
		*old = p->cancel_type;
	p->cancel_type = type;
	return 0;
}

void pthread_testcancel(void)
{
}
