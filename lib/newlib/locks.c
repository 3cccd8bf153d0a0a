// SPDX-License-Identifier: MIT
/*
 * newlib's retargetable locks on kernel mutexes. newlib needs all ten functions and its nine
 * static locks from us or none (misc/lock.c would clash), and takes the static ones without any
 * init call, so they are initialised here at compile time.
 */
#include <errno.h>
#include <sys/lock.h>
#include <skiff/heap.h>
#include <skiff/mutex.h>
#include <skiff/panic.h>

struct __lock {
	struct sk_mutex m;
};

#define STATIC_LOCK(name, rec) struct __lock name = { SK_MUTEX_INIT(name.m, rec) }

STATIC_LOCK(__lock___sinit_recursive_mutex, true);
STATIC_LOCK(__lock___sfp_recursive_mutex, true);
STATIC_LOCK(__lock___atexit_recursive_mutex, true);
STATIC_LOCK(__lock___malloc_recursive_mutex, true);
STATIC_LOCK(__lock___env_recursive_mutex, true);
STATIC_LOCK(__lock___at_quick_exit_mutex, false);
STATIC_LOCK(__lock___tz_mutex, false);
STATIC_LOCK(__lock___dd_hash_mutex, false);
STATIC_LOCK(__lock___arc4random_mutex, false);

static void lock_new(_LOCK_T *lock, bool recursive)
{
	*lock = sk_malloc(sizeof(**lock));
	if (!*lock) /* newlib has no way to report this: every later use would crash */
		sk_panic("out of memory for a C library lock");
	sk_mutex_init(&(*lock)->m, recursive);
}

void __retarget_lock_init(_LOCK_T *lock)
{
	lock_new(lock, false);
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	lock_new(lock, true);
}

void __retarget_lock_close(_LOCK_T lock)
{
	sk_free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	sk_free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	sk_mutex_lock(&lock->m);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	sk_mutex_lock(&lock->m);
}

/* 0 when taken, as ftrylockfile() returns it to the app. */
int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return sk_mutex_trylock(&lock->m) ? EBUSY : 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return sk_mutex_trylock(&lock->m) ? EBUSY : 0;
}

void __retarget_lock_release(_LOCK_T lock)
{
	sk_mutex_unlock(&lock->m);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	sk_mutex_unlock(&lock->m);
}
