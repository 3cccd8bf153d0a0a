/* SPDX-License-Identifier: MIT */
/*
 * pthread types for Skiff, in place of newlib's (integer handles meant for RTEMS). Mutexes,
 * condition variables and rwlocks are plain structs holding their kernel object, as on glibc: all
 * zeroes (the static initialisers) is a valid, not yet used object that is set up on first use,
 * so no call can fail for want of memory. lib/posix checks the storage sizes at compile time.
 */
#ifndef SKIFF_POSIX_SYS_PTHREADTYPES_H
#define SKIFF_POSIX_SYS_PTHREADTYPES_H

#include <sys/_types.h>

struct __skiff_pthread;
typedef struct __skiff_pthread *pthread_t;

typedef struct {
	int is_initialized;
	int detachstate;	/* PTHREAD_CREATE_JOINABLE or _DETACHED */
	__size_t stacksize;
} pthread_attr_t;

typedef struct {
	int is_initialized;
	int type;		/* PTHREAD_MUTEX_NORMAL, _RECURSIVE, _ERRORCHECK */
} pthread_mutexattr_t;

typedef struct {
	_Alignas(8) unsigned char __kernel[40];	/* struct sk_mutex */
	int __type;
	int __ready;
} pthread_mutex_t;

typedef struct {
	int is_initialized;
	int clock;		/* CLOCK_REALTIME (default) or CLOCK_MONOTONIC */
} pthread_condattr_t;

typedef struct {
	_Alignas(8) unsigned char __kernel[16];	/* struct sk_waitq */
	int __clock;
	int __ready;
} pthread_cond_t;

typedef struct {
	int is_initialized;
} pthread_rwlockattr_t;

typedef struct {
	_Alignas(8) unsigned char __kernel[16];	/* struct sk_waitq */
	int __readers;		/* > 0: readers hold it; -1: a writer does */
	unsigned int __writers_waiting;
	pthread_t __writer;
	int __ready;
} pthread_rwlock_t;

typedef unsigned int pthread_key_t;

typedef struct {
	int is_initialized;
	int init_executed;
} pthread_once_t;

#define _PTHREAD_MUTEX_INITIALIZER { { 0 }, 0, 0 }
#define _PTHREAD_COND_INITIALIZER { { 0 }, 0, 0 }
#define _PTHREAD_RWLOCK_INITIALIZER { { 0 }, 0, 0, 0, 0 }
#define _PTHREAD_ONCE_INIT { 1, 0 }

#endif
