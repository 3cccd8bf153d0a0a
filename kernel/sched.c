// SPDX-License-Identifier: MIT
/*
 * The scheduler: a FIFO run queue on one CPU, and the idle thread (the boot context) that fires
 * timers, frees exited detached threads and otherwise waits in plat_idle until a deadline or an
 * event. Switching is cooperative: only sched_switch changes the running thread.
 */
#define pr_tag "sched"
#include <skiff/page.h>
#include <skiff/panic.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include "sched.h"

#define STACK_CANARY 0x5ca1ab1e0ddba11ULL

struct sk_thread *sk_current;
static struct sk_thread idle_thread;
static struct sk_list runq = SK_LIST_INIT(runq);
static struct sk_list zombies = SK_LIST_INIT(zombies);
static unsigned external_waiters;

void sk_sched_external_wait_begin(void)
{
	external_waiters++;
}

/* Threads that poll a device sleep here until plat_idle next returns (a device event, or any). */
static struct sk_waitq device_waiters = SK_WAITQ_INIT(device_waiters);

void sk_wait_device_event(void)
{
	sk_sched_external_wait_begin();
	sk_waitq_wait(&device_waiters);
	sk_sched_external_wait_end();
}

void sk_sched_external_wait_end(void)
{
	external_waiters--;
}

void sched_init(void)
{
	idle_thread.state = SK_THREAD_RUNNING;
	sk_list_init(&idle_thread.link);
	sk_list_init(&idle_thread.all);
	sk_waitq_init(&idle_thread.joiners);
	sk_snprintf(idle_thread.name, sizeof(idle_thread.name), "idle");
	sk_current = &idle_thread;
}

void sched_make_runnable(struct sk_thread *t)
{
	t->state = SK_THREAD_RUNNABLE;
	sk_list_add_tail(&runq, &t->link);
}

void sched_add_zombie(struct sk_thread *t)
{
	sk_list_add_tail(&zombies, &t->link);
}

/*
 * The canary at the bottom of a stack without a guard page: the cheapest overflow check there is.
 * A guarded stack needs none (an overflow faults in the guard, and stack-clash probes stop frames
 * from jumping over it), and writing one would fault in the stack's lowest page for nothing.
 */
void sched_set_canary(struct sk_thread *t)
{
	if (!t->guarded)
		*(uint64_t *)t->stack_low = STACK_CANARY;
}

static void check_canary(const struct sk_thread *t)
{
	if (t->stack && !t->guarded && *(const uint64_t *)t->stack_low != STACK_CANARY)
		sk_panic("stack overflow in thread %u \"%s\" (stack %u KiB)", t->id, t->name,
			 thread_stack_bytes(t) / 1024);
}

void sched_switch(void)
{
	struct sk_thread *prev = sk_current, *next;
	struct sk_list *n;

	check_canary(prev);
	/* Timers must fire even while threads keep yielding to each other. */
	if (sk_timers_next() <= plat_time_monotonic_ns())
		sk_timers_run(plat_time_monotonic_ns());
	n = sk_list_pop_front(&runq);
	next = n ? sk_list_entry(n, struct sk_thread, link) : &idle_thread;
	if (next == prev) {
		prev->state = SK_THREAD_RUNNING;
		return;
	}
	if (prev->state == SK_THREAD_RUNNING)
		sched_make_runnable(prev);
	next->state = SK_THREAD_RUNNING;
	sk_current = next;
	sched_switch_hook(next);
	sk_arch_switch(&prev->saved_rsp, next->saved_rsp);
}

static void reap_zombies(void)
{
	struct sk_list *n;

	while ((n = sk_list_pop_front(&zombies)))
		thread_free(sk_list_entry(n, struct sk_thread, link));
}

void sched_idle_once(void)
{
	uint64_t next;

	reap_zombies();
	sk_timers_run(plat_time_monotonic_ns());
	if (!sk_list_empty(&runq)) {
		idle_thread.state = SK_THREAD_BLOCKED; /* idle is never queued */
		sched_switch();
		return;
	}
	next = sk_timers_next();
	if (next == UINT64_MAX && sched_nr_threads() > 0 && !external_waiters)
		sk_panic("deadlock: all %u threads are blocked and no timer is pending",
			 sched_nr_threads());
	sk_console_flush(); /* never wait with output held */
	plat_idle(next);
	sk_waitq_wake_all(&device_waiters);
}

noreturn void sched_idle_loop(void)
{
	for (;;)
		sched_idle_once();
}
