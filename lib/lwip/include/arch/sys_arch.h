/* SPDX-License-Identifier: MIT */
/* lwIP's operating-system types on Skiff: kernel semaphores, mutexes and threads. */
#ifndef SKIFF_LWIP_ARCH_SYS_ARCH_H
#define SKIFF_LWIP_ARCH_SYS_ARCH_H

#include <stdbool.h>
#include <skiff/mutex.h>

struct sys_sem_s {
	struct sk_sem sem;
	bool valid;
};
typedef struct sys_sem_s sys_sem_t;

struct sys_mutex_s {
	struct sk_mutex mutex;
	bool valid;
};
typedef struct sys_mutex_s sys_mutex_t;

/* A mailbox: a ring of pointers with counting semaphores for the free slots and the messages. */
struct sys_mbox_s {
	void **slot;
	unsigned size, head, count;
	struct sk_sem items, space;
	bool valid;
};
typedef struct sys_mbox_s sys_mbox_t;

typedef struct sk_thread *sys_thread_t;

#define sys_sem_valid(s) ((s) != NULL && (s)->valid)
#define sys_sem_set_invalid(s) do { if ((s) != NULL) (s)->valid = false; } while (0)
#define sys_mutex_valid(m) ((m) != NULL && (m)->valid)
#define sys_mutex_set_invalid(m) do { if ((m) != NULL) (m)->valid = false; } while (0)
#define sys_mbox_valid(b) ((b) != NULL && (b)->valid)
#define sys_mbox_set_invalid(b) do { if ((b) != NULL) (b)->valid = false; } while (0)

#endif
