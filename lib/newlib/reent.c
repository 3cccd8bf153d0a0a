// SPDX-License-Identifier: MIT
/*
 * Per-thread C library state: each kernel thread owns a struct _reent (errno, strtok's state,
 * rand's seed, ...), and _impure_ptr points at the running thread's one. stdin/stdout/stderr are
 * shared by all threads (newlib's global stdio streams), with newlib's own locks around them.
 */
#include <reent.h>
#include <string.h>
#include <skiff/heap.h>
#include <skiff/thread.h>

/* The boot context (idle thread) keeps newlib's own static _reent, whatever _impure_ptr was. */
static struct _reent *boot_reent;

void __sinit(struct _reent *s); /* newlib's, declared only in its private stdio/local.h */

static int reent_create(struct sk_thread *t)
{
	struct _reent *r = sk_malloc(sizeof(*r));

	if (!r)
		return -1;
	_REENT_INIT_PTR(r);
	t->libc_data = r;
	return 0;
}

static void reent_free(struct sk_thread *t)
{
	struct _reent *r = t->libc_data;

	if (!r)
		return;
	_reclaim_reent(r);
	sk_free(r);
	t->libc_data = NULL;
}

static void reent_switch(struct sk_thread *t)
{
	_impure_ptr = t->libc_data ? t->libc_data : boot_reent;
}

static const struct sk_thread_hooks hooks = {
	.create = reent_create,
	.free = reent_free,
	.switch_to = reent_switch,
};

void newlib_reent_init(void);

void newlib_reent_init(void)
{
	boot_reent = _impure_ptr;
	/*
	 * exit() flushes the streams through _GLOBAL_REENT's cleanup hook, which only __sinit() of
	 * _GLOBAL_REENT itself sets; the app's threads each init their own _reent. Without this, a
	 * fully buffered stdout (not a terminal) would lose its last buffer at exit.
	 */
	__sinit(_GLOBAL_REENT);
	sk_thread_set_hooks(&hooks);
}
