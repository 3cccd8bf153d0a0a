/* SPDX-License-Identifier: MIT */
/* Scheduler internals shared by kernel/ files only (threads, wait queues, the boot sequence). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdnoreturn.h>
#include <skiff/thread.h>

extern struct sk_thread *sk_current;

/* The boot context becomes the idle thread. */
void sched_init(void);
/* Put t at the tail of the run queue. */
void sched_make_runnable(struct sk_thread *t);
/* Give up the CPU; the caller has set its state (BLOCKED or EXITED) or queued itself. */
void sched_switch(void);
/* The idle thread's loop: timers, reaping, plat_idle. */
noreturn void sched_idle_loop(void);
/* One round of it (host tests step the scheduler with this). */
void sched_idle_once(void);
/* Hand an exited, detached thread to the idle thread, which frees its stack. */
void sched_add_zombie(struct sk_thread *t);
void thread_free(struct sk_thread *t);
/* Write the overflow canary at the bottom of t->stack, if it has no guard page. */
void sched_set_canary(struct sk_thread *t);
/* The thread whose stack guard page holds addr, or NULL. */
struct sk_thread *thread_by_guard(uintptr_t addr);
/* Usable bytes of t's stack (without the guard page). */
unsigned thread_stack_bytes(const struct sk_thread *t);
/* The C library's switch hook (thread.c holds the hooks). */
void sched_switch_hook(struct sk_thread *next);
/* Threads currently alive (not counting idle), for the deadlock check. */
unsigned sched_nr_threads(void);

/* Arch: switch stacks (kernel/arch/x86_64/switch.S). */
void sk_arch_switch(uint64_t *save_rsp, uint64_t load_rsp);
/* Build the initial stack of a new thread so that the first switch to it calls entry(). */
uint64_t sk_arch_init_stack(void *stack_top, void (*entry)(void));

#endif
