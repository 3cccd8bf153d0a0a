// SPDX-License-Identifier: MIT
/*
 * lwIP's operating-system layer on Skiff's kernel: semaphores and mutexes are the kernel's,
 * mailboxes a ring between two semaphores, threads kernel threads, time the monotonic clock.
 * Threads are cooperative and lwIP never runs in an interrupt handler, so there is no
 * lightweight protection to provide (SYS_LIGHTWEIGHT_PROT 0).
 */
#define pr_tag "lwip"
#include <stdarg.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <skiff/time.h>
#include "lwip/sys.h"

#define MS 1000000ULL

/* lwIP's timeouts are milliseconds, 0 meaning forever. */
static uint64_t deadline(u32_t timeout_ms)
{
	return timeout_ms ? sk_now_ns() + timeout_ms * MS : UINT64_MAX;
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
	return (u32_t)(sk_now_ns() / MS);
}

err_t sys_sem_new(sys_sem_t *s, u8_t count)
{
	sk_sem_init(&s->sem, count);
	s->valid = true;
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *s)
{
	s->valid = false;
}

void sys_sem_signal(sys_sem_t *s)
{
	sk_sem_up(&s->sem);
}

u32_t sys_arch_sem_wait(sys_sem_t *s, u32_t timeout_ms)
{
	uint64_t start = sk_now_ns();

	if (sk_sem_down_until(&s->sem, deadline(timeout_ms)) == -ETIMEDOUT)
		return SYS_ARCH_TIMEOUT;
	return (u32_t)((sk_now_ns() - start) / MS);
}

err_t sys_mutex_new(sys_mutex_t *m)
{
	sk_mutex_init(&m->mutex, false);
	m->valid = true;
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m)
{
	m->valid = false;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	sk_mutex_lock(&m->mutex);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	sk_mutex_unlock(&m->mutex);
}

err_t sys_mbox_new(sys_mbox_t *b, int size)
{
	b->slot = calloc((size_t)size, sizeof(void *));
	if (!b->slot)
		return ERR_MEM;
	b->size = (unsigned)size;
	b->head = b->count = 0;
	sk_sem_init(&b->items, 0);
	sk_sem_init(&b->space, (unsigned long)size);
	b->valid = true;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *b)
{
	free(b->slot);
	b->slot = NULL;
	b->valid = false;
}

static void mbox_put(sys_mbox_t *b, void *msg)
{
	b->slot[(b->head + b->count) % b->size] = msg;
	b->count++;
	sk_sem_up(&b->items);
}

void sys_mbox_post(sys_mbox_t *b, void *msg)
{
	sk_sem_down(&b->space);
	mbox_put(b, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *b, void *msg)
{
	if (sk_sem_trydown(&b->space))
		return ERR_MEM;
	mbox_put(b, msg);
	return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *b, void *msg)
{
	return sys_mbox_trypost(b, msg);
}

static void *mbox_take(sys_mbox_t *b)
{
	void *msg = b->slot[b->head];

	b->head = (b->head + 1) % b->size;
	b->count--;
	sk_sem_up(&b->space);
	return msg;
}

/*
 * lwIP's tcpip thread waits here for its next timer. Its cyclic timers (500 ms, 1 s, 250 ms
 * while TCP is busy) run at phases a few milliseconds apart, and each wake-up of an idle image
 * costs the host an exit: the deadline goes up to the next TIMER_GRID boundary, so timers due
 * within one grid step share a wake-up. None of lwIP's timers needs finer timing.
 */
#define TIMER_GRID (10 * MS)

u32_t sys_arch_mbox_fetch(sys_mbox_t *b, void **msg, u32_t timeout_ms)
{
	uint64_t start = sk_now_ns(), until = deadline(timeout_ms);
	void *m;

	if (until != UINT64_MAX)
		until = SK_ALIGN_UP(until, TIMER_GRID);
	if (sk_sem_down_until(&b->items, until) == -ETIMEDOUT)
		return SYS_ARCH_TIMEOUT;
	m = mbox_take(b);
	if (msg)
		*msg = m;
	return (u32_t)((sk_now_ns() - start) / MS);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *b, void **msg)
{
	void *m;

	if (sk_sem_trydown(&b->items))
		return SYS_MBOX_EMPTY;
	m = mbox_take(b);
	if (msg)
		*msg = m;
	return 0;
}

struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

static void *thread_main(void *p)
{
	struct thread_start s = *(struct thread_start *)p;

	free(p);
	s.fn(s.arg);
	return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
	struct thread_start *s = malloc(sizeof(*s));
	struct sk_thread *t;

	(void)stacksize, (void)prio; /* the kernel's stack size; no priorities */
	if (!s)
		sk_panic("lwip: out of memory starting thread %s", name);
	*s = (struct thread_start){ fn, arg };
	t = sk_thread_create(name, thread_main, s);
	if (!t)
		sk_panic("lwip: cannot start thread %s", name);
	sk_thread_detach(t);
	return t;
}

/* xorshift64*, seeded from the clock at first use: not for cryptography, only to vary. */
uint32_t sk_lwip_rand(void)
{
	static uint64_t x;

	if (!x)
		x = sk_now_ns() ^ 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

void sk_lwip_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sk_vprintf(fmt, ap);
	va_end(ap);
}

void sk_lwip_assert(const char *msg, const char *file, int line)
{
	sk_panic("lwip assertion \"%s\" failed at %s:%d", msg, file, line);
}
