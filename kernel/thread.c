// SPDX-License-Identifier: MIT
/* Thread lifetime: create, exit, join, detach; and the blocking helpers built on the scheduler. */
#define pr_tag "thread"
#include <errno.h>
#include <string.h>
#include <skiff/config.h>
#include <skiff/heap.h>
#include <skiff/panic.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include "sched.h"

static struct sk_list all_threads = SK_LIST_INIT(all_threads);
static const struct sk_thread_hooks *hooks;

void sk_thread_set_hooks(const struct sk_thread_hooks *h)
{
	hooks = h;
}
static unsigned nr_threads, next_id = 1;

void sched_switch_hook(struct sk_thread *next)
{
	if (hooks && hooks->switch_to)
		hooks->switch_to(next);
}

unsigned sched_nr_threads(void)
{
	return nr_threads;
}

struct sk_thread *sk_thread_self(void)
{
	return sk_current;
}

static void thread_entry(void)
{
	struct sk_thread *self = sk_current;

	sk_thread_exit(self->fn(self->arg));
}

static void sleep_timer_fired(struct sk_timer *tm)
{
	struct sk_thread *t = sk_container_of(tm, struct sk_thread, timer);

	if (t->waiting_on) { /* a timed wait ran out: leave the queue */
		sk_list_del(&t->link);
		t->waiting_on = NULL;
		t->timed_out = true;
	}
	if (t->state == SK_THREAD_BLOCKED)
		sched_make_runnable(t);
}

/* A given stack (sk_thread_create_on) is not ours to free. */
static void stack_free(struct sk_thread *t)
{
	if (!t->stack_mem)
		return;
	if (t->guarded)
		plat_stack_release(t->stack, t->stack_mem, t->stack_order);
	sk_page_free(t->stack_mem, t->stack_order);
}

/*
 * A stack of the configured size from the page allocator; its lowest page becomes a guard where
 * the platform can make it fault.
 */
static bool stack_alloc(struct sk_thread *t)
{
	unsigned order = sk_page_order((size_t)CONFIG_SK_THREAD_STACK_KIB * 1024);

	t->stack_mem = sk_page_alloc(order);
	if (!t->stack_mem)
		return false;
	t->stack_order = order;
	t->stack_size = SK_PAGE_SIZE << order;
	t->stack = plat_stack_map(t->stack_mem, order);
	t->guarded = t->stack != NULL;
	if (!t->guarded)
		t->stack = t->stack_mem;
	return true;
}

static struct sk_thread *create(const char *name, void *(*fn)(void *), void *arg, void *stack,
				size_t size)
{
	struct sk_thread *t = sk_calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (stack) {
		t->stack = stack;
		t->stack_size = size;
		t->guarded = true;
	} else if (!stack_alloc(t)) {
		sk_free(t);
		return NULL;
	}
	t->stack_low = (char *)t->stack + (t->guarded ? SK_PAGE_SIZE : 0);
	t->id = next_id++;
	sk_snprintf(t->name, sizeof(t->name), "%s", name ? name : "thread");
	t->fn = fn;
	t->arg = arg;
	sk_waitq_init(&t->joiners);
	sk_timer_init(&t->timer, sleep_timer_fired);
	if (hooks && hooks->create && hooks->create(t)) {
		stack_free(t);
		sk_free(t);
		return NULL;
	}
	sched_set_canary(t);
	t->saved_rsp = sk_arch_init_stack((char *)t->stack + t->stack_size, thread_entry);
	sk_list_add_tail(&all_threads, &t->all);
	nr_threads++;
	sched_make_runnable(t);
	pr_debug("created thread %u \"%s\"\n", t->id, t->name);
	return t;
}

struct sk_thread *sk_thread_create(const char *name, void *(*fn)(void *), void *arg)
{
	return create(name, fn, arg, NULL, 0);
}

struct sk_thread *sk_thread_create_on(const char *name, void *(*fn)(void *), void *arg, void *stack,
				      size_t size)
{
	return create(name, fn, arg, stack, size);
}

unsigned thread_stack_bytes(const struct sk_thread *t)
{
	return (unsigned)(t->stack_size - (t->guarded ? SK_PAGE_SIZE : 0));
}

struct sk_thread *thread_by_guard(uintptr_t addr)
{
	struct sk_list *pos;

	sk_list_for_each(pos, &all_threads) {
		struct sk_thread *t = sk_list_entry(pos, struct sk_thread, all);

		if (t->guarded && addr - (uintptr_t)t->stack < SK_PAGE_SIZE)
			return t;
	}
	return NULL;
}

void thread_free(struct sk_thread *t)
{
	if (hooks && hooks->free)
		hooks->free(t);
	stack_free(t);
	sk_free(t);
}

noreturn void sk_thread_exit(void *retval)
{
	struct sk_thread *self = sk_current;

	SK_BUG_ON(self->stack == NULL); /* the idle thread never exits */
	self->retval = retval;
	self->state = SK_THREAD_EXITED;
	sk_list_del(&self->all);
	nr_threads--;
	sk_timer_cancel(&self->timer);
	if (self->detached)
		sched_add_zombie(self); /* idle frees the stack we are still standing on */
	else
		sk_waitq_wake_all(&self->joiners);
	sched_switch();
	sk_panic("exited thread %u ran again", self->id);
}

int sk_thread_join(struct sk_thread *t, void **retval)
{
	if (!t->stack)
		return -EDEADLK;
	if (t == sk_current || t->detached)
		return -EINVAL;
	while (t->state != SK_THREAD_EXITED)
		sk_waitq_wait(&t->joiners);
	if (retval)
		*retval = t->retval;
	thread_free(t);
	return 0;
}

int sk_thread_detach(struct sk_thread *t)
{
	if (t->detached || !t->stack)
		return -EINVAL;
	t->detached = true;
	if (t->state == SK_THREAD_EXITED) /* already gone: nobody else will free it */
		sched_add_zombie(t);
	return 0;
}

void sk_thread_yield(void)
{
	sched_switch();
}

void sk_sleep_until(uint64_t deadline_ns)
{
	struct sk_thread *self = sk_current;

	if (deadline_ns <= plat_time_monotonic_ns())
		return;
	sk_timer_arm(&self->timer, deadline_ns);
	while (self->timer.armed) {
		self->state = SK_THREAD_BLOCKED;
		sched_switch();
	}
}

void sk_sleep_ns(uint64_t ns)
{
	uint64_t now = plat_time_monotonic_ns();

	sk_sleep_until(ns > UINT64_MAX - now ? UINT64_MAX - 1 : now + ns);
}
