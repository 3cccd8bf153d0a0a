// SPDX-License-Identifier: MIT
/* Host tests of the cooperative scheduler: threads, wait queues, sleeps, mutexes, semaphores. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <skiff/compiler.h>
#include <skiff/config.h>
#include <skiff/heap.h>
#include <skiff/mutex.h>
#include <skiff/page.h>
#include <skiff/thread.h>
#include <skiff/timer.h>
#include "../../kernel/sched.h"
#include "stub.h"
#include "unit.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

#define MS 1000000ULL

/*
 * Threads run on stacks the kernel carves from host memory and switch with switch.S, which
 * ASan's fake stacks for use-after-return detection cannot follow: turn that detection off.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_stack_use_after_return=0";
}

static void run_all(void);

/*
 * The first thread to end makes ASan print, once per process, that it ignores
 * __asan_handle_no_return on a stack it does not know (thread_entry calls the noreturn
 * sk_thread_exit on a kernel-made stack; nothing there is left poisoned). Expected with custom
 * stacks: a warm-up thread triggers it while stderr goes to a file. Anything else written there
 * is copied back to stderr, also when ASan kills the process during the warm-up.
 */
#ifdef __SANITIZE_ADDRESS__
static FILE *warmup_log;
static int warmup_saved_fd = -1;

static void warmup_restore(bool all)
{
	char line[512];

	if (warmup_saved_fd < 0)
		return;
	fflush(stderr);
	dup2(warmup_saved_fd, 2);
	close(warmup_saved_fd);
	warmup_saved_fd = -1;
	rewind(warmup_log);
	while (fgets(line, sizeof(line), warmup_log)) {
		if (!all && (strstr(line, "ASan is ignoring requested __asan_handle_no_return") ||
			     strstr(line, "False positive error reports may follow") ||
			     strstr(line, "google/sanitizers/issues/189")))
			continue;
		fputs(line, stderr);
	}
	fclose(warmup_log);
}

static void warmup_death(void)
{
	warmup_restore(true);
}

static void *nothing(void *arg)
{
	return arg;
}

static void absorb_asan_stack_warning(void)
{
	struct sk_thread *t;

	warmup_log = tmpfile();
	if (!warmup_log)
		return;
	fflush(stderr);
	warmup_saved_fd = dup(2);
	if (warmup_saved_fd < 0) {
		fclose(warmup_log);
		return;
	}
	__sanitizer_set_death_callback(warmup_death);
	dup2(fileno(warmup_log), 2);
	t = sk_thread_create("warm-up", nothing, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	warmup_restore(false);
	__sanitizer_set_death_callback(NULL);
}
#else
static void absorb_asan_stack_warning(void)
{
}
#endif

/* The kernel allocators on host memory, and main() as the idle thread. Once per process. */
static void setup(void)
{
	if (unit_kernel_ram()) {
		sched_init();
		absorb_asan_stack_warning();
	}
	CHECK(sk_thread_self()->stack == NULL); /* we are the idle thread */
	CHECK_EQ(sched_nr_threads(), 0);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
}

static void nop_timer(struct sk_timer *t)
{
	(void)t;
}

/*
 * One idle round with nothing to run, so exited detached threads get freed. A timer keeps
 * plat_idle from waiting for ever (the stub would abort); it moves the clock by 1 ns.
 */
static void reap(void)
{
	struct sk_timer t;

	sk_timer_init(&t, nop_timer);
	sk_timer_arm(&t, stub_now_ns + 1);
	sched_idle_once();
	sk_timer_cancel(&t);
}

/* Step the scheduler until every thread has ended, then free the detached ones. */
static void run_all(void)
{
	unsigned long rounds = 0;

	while (sched_nr_threads() > 0) {
		if (++rounds > 10000000) {
			fprintf(stderr, "  run_all: threads never finish\n");
			unit_failed_checks++;
			return;
		}
		sched_idle_once();
	}
	reap();
}

/* A log threads append to, to check the exact order in which they ran. */
static char run_log[256];
static unsigned log_len;

static void log_reset(void)
{
	memset(run_log, 0, sizeof(run_log));
	log_len = 0;
}

static void log_put(char c)
{
	if (log_len < sizeof(run_log) - 1)
		run_log[log_len++] = c;
}

/* ---- create, join, exit ---- */

static void *ret_double(void *arg)
{
	return (void *)((uintptr_t)arg * 2);
}

static void *exit_deep(void *arg)
{
	if (arg)
		sk_thread_exit((void *)(uintptr_t)42); /* from a nested call, not by returning */
	return NULL;
}

static void *self_checks(void *arg)
{
	(void)arg;
	CHECK_EQ(sk_thread_join(sk_thread_self(), NULL), -EINVAL);
	return (void *)(uintptr_t)7;
}

/* Joins workers that are still running, so it really waits. */
static void *joiner(void *arg)
{
	struct sk_thread *w[3];
	uintptr_t sum = 0;

	(void)arg;
	for (uintptr_t i = 0; i < 3; i++) {
		w[i] = sk_thread_create("worker", ret_double, (void *)(i + 1));
		CHECK(w[i] != NULL);
	}
	CHECK_EQ(sched_nr_threads(), 4);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(w[i]->state, SK_THREAD_RUNNABLE); /* none has run yet: join must wait */
	for (unsigned i = 0; i < 3; i++) {
		void *rv = NULL;

		CHECK_EQ(sk_thread_join(w[i], &rv), 0);
		sum += (uintptr_t)rv;
	}
	return (void *)sum;
}

static void test_create_join(void)
{
	struct sk_thread *t[3], *j;
	void *rv;

	setup();
	CHECK_EQ(sk_thread_join(sk_thread_self(), NULL), -EDEADLK); /* idle */
	CHECK_EQ(sk_thread_detach(sk_thread_self()), -EINVAL);

	t[0] = sk_thread_create("double", ret_double, (void *)(uintptr_t)21);
	t[1] = sk_thread_create(NULL, exit_deep, (void *)1);
	t[2] = sk_thread_create("a-name-longer-than-the-name-field", self_checks, NULL);
	CHECK(t[0] && t[1] && t[2]);
	if (!t[0] || !t[1] || !t[2])
		return;
	CHECK_EQ(sched_nr_threads(), 3);
	CHECK(t[0]->id != t[1]->id && t[1]->id != t[2]->id);
	CHECK_STR(t[0]->name, "double");
	CHECK_STR(t[1]->name, "thread");
	CHECK_EQ(strlen(t[2]->name), sizeof(t[2]->name) - 1);
	CHECK_EQ(t[0]->state, SK_THREAD_RUNNABLE); /* runnable, but not run yet */
	run_all();
	CHECK_EQ(sched_nr_threads(), 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(t[i]->state, SK_THREAD_EXITED);
	/* Joining an ended thread does not wait: fine even from the idle thread. */
	rv = NULL;
	CHECK_EQ(sk_thread_join(t[0], &rv), 0);
	CHECK_EQ((uintptr_t)rv, 42);
	CHECK_EQ(sk_thread_join(t[1], &rv), 0);
	CHECK_EQ((uintptr_t)rv, 42);
	CHECK_EQ(sk_thread_join(t[2], NULL), 0);

	j = sk_thread_create("joiner", joiner, NULL);
	CHECK(j != NULL);
	if (!j)
		return;
	run_all();
	CHECK_EQ(sk_thread_join(j, &rv), 0);
	CHECK_EQ((uintptr_t)rv, 2 + 4 + 6);
	CHECK_EQ(sched_nr_threads(), 0);
}

/* ---- the initial stack ---- */

static uintptr_t entry_frame;
static char formatted[32];

/*
 * With frame pointers, a function's frame address is its entry %rsp - 8: 16-byte aligned. And
 * a variadic call with a double saves the SSE registers with aligned stores (movaps), which
 * fault on a misaligned stack.
 */
static __attribute__((noinline)) void *record_frames(void *arg)
{
	entry_frame = (uintptr_t)__builtin_frame_address(0);
	snprintf(formatted, sizeof(formatted), "%.2f", 2.5);
	return arg;
}

static void test_stack_alignment(void)
{
	struct sk_thread *t;
	char *top;

	setup();
	entry_frame = 1;
	formatted[0] = '\0';
	t = sk_thread_create("align", record_frames, NULL);
	CHECK(t != NULL);
	if (!t)
		return;
	top = (char *)t->stack + t->stack_size;
	run_all();
	CHECK_EQ(entry_frame % 16, 0);
	CHECK_STR(formatted, "2.50");
	/* The thread ran on its own stack, near its top. */
	CHECK(entry_frame < (uintptr_t)top && entry_frame > (uintptr_t)top - 1024);
	CHECK_EQ(sk_thread_join(t, NULL), 0);
}

/*
 * A thread on a stack the caller gives runs near its top, counts it as guarded, and leaves it
 * alone when freed.
 */
static void test_given_stack(void)
{
	static char stack[64 * 1024] __attribute__((aligned(4096)));
	struct sk_thread *t;

	setup();
	entry_frame = 1;
	t = sk_thread_create_on("given", record_frames, NULL, stack, sizeof(stack));
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(t->guarded && t->stack == stack && t->stack_mem == NULL);
	CHECK(t->stack_low == stack + 4096);
	run_all();
	CHECK(entry_frame < (uintptr_t)stack + sizeof(stack) &&
	      entry_frame > (uintptr_t)stack + sizeof(stack) - 1024);
	CHECK_EQ(sk_thread_join(t, NULL), 0); /* frees the thread, not the stack (ASan would say) */
}

/* ---- run order ---- */

struct yielder {
	char name;
	unsigned rounds;
};

static void *yield_loop(void *arg)
{
	const struct yielder *y = arg;

	for (unsigned i = 0; i < y->rounds; i++) {
		log_put(y->name);
		sk_thread_yield();
	}
	log_put((char)(y->name - 'a' + 'A')); /* capital: its last step */
	return NULL;
}

static struct yielder late = { 'd', 2 };

/* Creates a thread mid-run: it queues behind everything already runnable. */
static void *spawner(void *arg)
{
	struct sk_thread *t;

	(void)arg;
	log_put('s');
	t = sk_thread_create("late", yield_loop, &late);
	CHECK(t != NULL);
	sk_thread_yield();
	log_put('S');
	if (t)
		CHECK_EQ(sk_thread_detach(t), 0);
	return NULL;
}

static void test_fifo_yield(void)
{
	static struct yielder y[3] = { { 'a', 3 }, { 'b', 1 }, { 'c', 2 } };
	struct sk_thread *t;

	setup();
	log_reset();
	for (unsigned i = 0; i < 3; i++) {
		t = sk_thread_create("yielder", yield_loop, &y[i]);
		CHECK(t != NULL);
		if (t)
			sk_thread_detach(t);
	}
	run_all();
	CHECK_STR(run_log, "abcaBcaCA");

	/* One thread alone: each yield goes through idle and comes straight back. */
	log_reset();
	t = sk_thread_create("alone", yield_loop, &y[0]);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_STR(run_log, "aaaA");

	log_reset();
	t = sk_thread_create("spawner", spawner, NULL);
	if (t)
		sk_thread_detach(t);
	t = sk_thread_create("b", yield_loop, &y[1]);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_STR(run_log, "sbdSBdD");
	CHECK_EQ(sched_nr_threads(), 0);
}

/* ---- ping-pong with two semaphores ---- */

#define PASSES 1000

static struct {
	struct sk_sem turn[2];
	unsigned passes;
	int last;
	bool alternated;
} tok;

static void *player(void *arg)
{
	int me = (int)(uintptr_t)arg;

	for (unsigned i = 0; i < PASSES / 2; i++) {
		sk_sem_down(&tok.turn[me]);
		if (tok.last == me)
			tok.alternated = false;
		tok.last = me;
		tok.passes++;
		sk_sem_up(&tok.turn[!me]);
	}
	return NULL;
}

static void test_ping_pong(void)
{
	struct sk_thread *t[2];

	setup();
	sk_sem_init(&tok.turn[0], 1);
	sk_sem_init(&tok.turn[1], 0);
	tok.passes = 0;
	tok.last = 1;
	tok.alternated = true;
	/* Pong first, so it blocks before ping ever runs. */
	t[1] = sk_thread_create("pong", player, (void *)1);
	t[0] = sk_thread_create("ping", player, (void *)0);
	CHECK(t[0] && t[1]);
	if (!t[0] || !t[1])
		return;
	run_all();
	CHECK_EQ(sk_thread_join(t[0], NULL), 0);
	CHECK_EQ(sk_thread_join(t[1], NULL), 0);
	CHECK_EQ(tok.passes, PASSES);
	CHECK(tok.alternated);
	CHECK_EQ(tok.turn[0].count, 1); /* the token is back with ping */
	CHECK_EQ(tok.turn[1].count, 0);
	CHECK(sk_list_empty(&tok.turn[0].wq.waiters));
	CHECK(sk_list_empty(&tok.turn[1].wq.waiters));
}

/* ---- sleeping ---- */

static uint64_t t0;

struct sleeper {
	char name;
	uint64_t ns;
	uint64_t woke_at;
};

static void *sleep_for(void *arg)
{
	struct sleeper *s = arg;
	uint64_t start = stub_now_ns;

	sk_sleep_ns(s->ns);
	s->woke_at = stub_now_ns;
	CHECK(s->woke_at - start >= s->ns);
	log_put(s->name);
	return NULL;
}

static void test_sleep_order(void)
{
	static struct sleeper s[] = { { 'c', 30 * MS, 0 }, { 'a', 10 * MS, 0 }, { 'b', 20 * MS, 0 },
				      { 'z', 0, 0 }, { 'd', 30 * MS, 0 } };
	struct sk_thread *t;

	setup();
	log_reset();
	stub_now_ns += 1000 * MS;
	t0 = stub_now_ns;
	for (unsigned i = 0; i < SK_ARRAY_SIZE(s); i++) {
		t = sk_thread_create("sleeper", sleep_for, &s[i]);
		CHECK(t != NULL);
		if (t)
			sk_thread_detach(t);
	}
	run_all();
	/* A zero sleep does not block; equal deadlines wake in the order they slept. */
	CHECK_STR(run_log, "zabcd");
	for (unsigned i = 0; i < SK_ARRAY_SIZE(s); i++) {
		CHECK(s[i].woke_at >= t0 + s[i].ns);
		CHECK(s[i].woke_at <= t0 + s[i].ns + 1); /* the fake clock jumps straight there */
	}
	CHECK_EQ(sched_nr_threads(), 0);
}

static void *sleep_until_past(void *arg)
{
	(void)arg;
	sk_sleep_until(stub_now_ns - 1);
	sk_sleep_until(stub_now_ns);
	log_put('p');
	return NULL;
}

/* Keeps yielding while the time moves on by itself: timers must still fire. */
static volatile bool sleeper_done;

static void *busy_yielder(void *arg)
{
	(void)arg;
	while (!sleeper_done) {
		stub_now_ns += MS / 10; /* work that takes time */
		sk_thread_yield();
	}
	log_put('y');
	return NULL;
}

static void *short_sleeper(void *arg)
{
	(void)arg;
	sk_sleep_ns(5 * MS);
	sleeper_done = true;
	log_put('s');
	return NULL;
}

static void test_sleep_misc(void)
{
	struct sk_thread *t;
	unsigned idles;

	setup();
	log_reset();
	t0 = stub_now_ns;
	t = sk_thread_create("past", sleep_until_past, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_STR(run_log, "p");
	CHECK(stub_now_ns <= t0 + 1); /* no time went by */

	log_reset();
	sleeper_done = false;
	t0 = stub_now_ns;
	idles = stub_idle_calls;
	t = sk_thread_create("sleeper", short_sleeper, NULL);
	if (t)
		sk_thread_detach(t);
	t = sk_thread_create("busy", busy_yielder, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_STR(run_log, "sy");
	CHECK(stub_now_ns >= t0 + 5 * MS);
	CHECK(stub_now_ns <= t0 + 6 * MS);
	CHECK_EQ(stub_idle_calls - idles, 1); /* only reap() idled: the CPU was never free */
}

/* ---- wait queues with a deadline ---- */

static struct sk_waitq wq;

struct timed_wait {
	uint64_t deadline;
	int ret;
	uint64_t ret_at;
	bool timer_armed_after;
};

static void *wait_until(void *arg)
{
	struct timed_wait *w = arg;

	w->ret = sk_waitq_wait_until(&wq, w->deadline);
	w->ret_at = stub_now_ns;
	w->timer_armed_after = sk_thread_self()->timer.armed;
	return NULL;
}

static void *wake_later(void *arg)
{
	sk_sleep_ns((uint64_t)(uintptr_t)arg);
	CHECK_EQ(sk_waitq_wake_one(&wq), 1);
	return NULL;
}

static void test_waitq_timeout(void)
{
	struct timed_wait w = { 0 };
	struct sk_thread *t;

	setup();
	sk_waitq_init(&wq);
	t0 = stub_now_ns;
	w.deadline = t0 + 5 * MS;
	t = sk_thread_create("waiter", wait_until, &w);
	if (!t)
		return;
	run_all();
	CHECK_EQ(w.ret, -ETIMEDOUT);
	CHECK_EQ(w.ret_at, t0 + 5 * MS);
	CHECK(!w.timer_armed_after);
	CHECK(sk_list_empty(&wq.waiters)); /* it left the queue */
	CHECK_EQ(sk_waitq_wake_one(&wq), 0);
	CHECK_EQ(sk_thread_join(t, NULL), 0);

	/* A deadline already passed times out without any time going by. */
	t0 = stub_now_ns;
	w.deadline = t0;
	t = sk_thread_create("waiter", wait_until, &w);
	if (!t)
		return;
	run_all();
	CHECK_EQ(w.ret, -ETIMEDOUT);
	CHECK(stub_now_ns <= t0 + 1);
	CHECK(sk_list_empty(&wq.waiters));
	CHECK_EQ(sk_thread_join(t, NULL), 0);
}

static void test_waitq_woken_early(void)
{
	struct timed_wait w = { 0 };
	struct sk_thread *t, *waker;

	setup();
	sk_waitq_init(&wq);
	t0 = stub_now_ns;
	w.deadline = t0 + 50 * MS;
	t = sk_thread_create("waiter", wait_until, &w);
	waker = sk_thread_create("waker", wake_later, (void *)(uintptr_t)(10 * MS));
	if (!t || !waker)
		return;
	sk_thread_detach(waker);
	run_all();
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(w.ret_at, t0 + 10 * MS);
	CHECK(!w.timer_armed_after); /* the timeout was cancelled ... */
	CHECK(stub_now_ns < t0 + 50 * MS); /* ... so idle never waited for it */
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	CHECK_EQ(sk_thread_join(t, NULL), 0);

	/* Woken from the idle thread while it waits; a wait without deadline arms no timer. */
	t0 = stub_now_ns;
	w.deadline = UINT64_MAX;
	t = sk_thread_create("waiter", wait_until, &w);
	if (!t)
		return;
	sched_idle_once(); /* runs it until it blocks */
	CHECK_EQ(t->state, SK_THREAD_BLOCKED);
	CHECK(t->waiting_on == &wq);
	CHECK(!t->timer.armed);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	CHECK_EQ(sk_waitq_wake_all(&wq), 1);
	CHECK(t->waiting_on == NULL);
	CHECK_EQ(sk_waitq_wake_all(&wq), 0);
	run_all();
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(stub_now_ns, t0 + 1); /* only reap()'s nanosecond */
	CHECK_EQ(sk_thread_join(t, NULL), 0);
}

/* wake_all wakes in FIFO order; wake_one wakes the first waiter. */
static void *wait_and_log(void *arg)
{
	sk_waitq_wait(&wq);
	log_put((char)(uintptr_t)arg);
	return NULL;
}

static void test_waitq_wake_order(void)
{
	static const char names[] = "abcd";
	struct sk_thread *t;

	setup();
	sk_waitq_init(&wq);
	log_reset();
	for (unsigned i = 0; i < 4; i++) {
		t = sk_thread_create("w", wait_and_log, (void *)(uintptr_t)names[i]);
		if (t)
			sk_thread_detach(t);
	}
	sched_idle_once(); /* one idle round: each runs in turn until it blocks */
	CHECK_EQ(t->state, SK_THREAD_BLOCKED);
	CHECK_EQ(run_log[0], 0);
	CHECK_EQ(sk_waitq_wake_one(&wq), 1);
	sched_idle_once();
	CHECK_STR(run_log, "a");
	CHECK_EQ(sk_waitq_wake_all(&wq), 3);
	run_all();
	CHECK_STR(run_log, "abcd");
}

/* ---- mutexes ---- */

#define LOCKERS 5
#define LOCK_ROUNDS 200

static struct sk_mutex mtx;
static unsigned counter, inside, max_inside;

static void *locker(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < LOCK_ROUNDS; i++) {
		unsigned v;

		sk_mutex_lock(&mtx);
		CHECK(mtx.owner == sk_thread_self());
		if (++inside > max_inside)
			max_inside = inside;
		v = counter;
		sk_thread_yield(); /* every other thread gets a go at the lock now */
		counter = v + 1;
		inside--;
		sk_mutex_unlock(&mtx);
		if (i % 3 == 0)
			sk_thread_yield();
	}
	return NULL;
}

static void test_mutex_contention(void)
{
	struct sk_thread *t;

	setup();
	sk_mutex_init(&mtx, false);
	counter = inside = max_inside = 0;
	for (unsigned i = 0; i < LOCKERS; i++) {
		t = sk_thread_create("locker", locker, NULL);
		CHECK(t != NULL);
		if (t)
			sk_thread_detach(t);
	}
	run_all();
	CHECK_EQ(counter, LOCKERS * LOCK_ROUNDS);
	CHECK_EQ(max_inside, 1);
	CHECK(mtx.owner == NULL);
	CHECK(sk_list_empty(&mtx.wq.waiters));
}

static void *recursive_holder(void *arg)
{
	(void)arg;
	sk_mutex_lock(&mtx);
	sk_mutex_lock(&mtx);
	CHECK_EQ(sk_mutex_trylock(&mtx), 0);
	CHECK_EQ(mtx.depth, 3);
	log_put('1');
	sk_thread_yield(); /* the other thread blocks on it */
	sk_mutex_unlock(&mtx);
	sk_mutex_unlock(&mtx);
	CHECK(mtx.owner == sk_thread_self());
	CHECK_EQ(mtx.depth, 1);
	sk_thread_yield(); /* still held: the other thread must not get it */
	log_put('2');
	sk_mutex_unlock(&mtx);
	CHECK(mtx.owner == NULL);
	sk_thread_yield();
	log_put('3');
	return NULL;
}

static void *recursive_waiter(void *arg)
{
	(void)arg;
	CHECK_EQ(sk_mutex_trylock(&mtx), -EBUSY);
	sk_mutex_lock(&mtx);
	log_put('w');
	CHECK_EQ(mtx.depth, 1);
	sk_mutex_unlock(&mtx);
	return NULL;
}

static void test_mutex_recursive(void)
{
	struct sk_thread *t;

	setup();
	log_reset();
	sk_mutex_init(&mtx, true);
	t = sk_thread_create("holder", recursive_holder, NULL);
	if (t)
		sk_thread_detach(t);
	t = sk_thread_create("waiter", recursive_waiter, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_STR(run_log, "12w3");
	CHECK(mtx.owner == NULL);
	CHECK_EQ(mtx.depth, 0);

	/* The idle thread may take a free mutex (it never waits): recursion works there too. */
	sk_mutex_lock(&mtx);
	sk_mutex_lock(&mtx);
	CHECK_EQ(mtx.depth, 2);
	sk_mutex_unlock(&mtx);
	sk_mutex_unlock(&mtx);
	CHECK(mtx.owner == NULL);
}

static int try_ret;

static void *try_once(void *arg)
{
	(void)arg;
	try_ret = sk_mutex_trylock(&mtx);
	if (try_ret == 0)
		sk_mutex_unlock(&mtx);
	return NULL;
}

static void test_mutex_trylock(void)
{
	struct sk_thread *t;

	setup();
	sk_mutex_init(&mtx, false);
	CHECK_EQ(sk_mutex_trylock(&mtx), 0);
	CHECK(mtx.owner == sk_thread_self());
	CHECK_EQ(sk_mutex_trylock(&mtx), -EBUSY); /* a plain mutex, held by the caller */
	CHECK_EQ(mtx.depth, 1);
	try_ret = 1;
	t = sk_thread_create("try", try_once, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(try_ret, -EBUSY);
	sk_mutex_unlock(&mtx);
	CHECK(mtx.owner == NULL);
	t = sk_thread_create("try", try_once, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(try_ret, 0);
	CHECK(mtx.owner == NULL);
}

static struct timed_wait lw;

static void *lock_until(void *arg)
{
	(void)arg;
	lw.ret = sk_mutex_lock_until(&mtx, lw.deadline);
	lw.ret_at = stub_now_ns;
	if (lw.ret == 0) {
		CHECK(mtx.owner == sk_thread_self());
		CHECK_EQ(mtx.depth, 1);
		sk_mutex_unlock(&mtx);
	} else {
		CHECK(mtx.owner != sk_thread_self());
	}
	return NULL;
}

/* Holds the mutex until lw.deadline, sleeping; arms its timer before the waiter does. */
static void *hold_until_deadline(void *arg)
{
	(void)arg;
	sk_mutex_lock(&mtx);
	sk_sleep_until(lw.deadline);
	sk_mutex_unlock(&mtx);
	return NULL;
}

static void test_mutex_lock_until(void)
{
	struct sk_thread *t;

	setup();
	sk_mutex_init(&mtx, false);

	/* Held by idle the whole time: times out at the deadline. */
	sk_mutex_lock(&mtx);
	t0 = stub_now_ns;
	lw = (struct timed_wait){ .deadline = t0 + 7 * MS, .ret = 1 };
	t = sk_thread_create("lock-until", lock_until, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(lw.ret, -ETIMEDOUT);
	CHECK_EQ(lw.ret_at, t0 + 7 * MS);
	CHECK(sk_list_empty(&mtx.wq.waiters));
	sk_mutex_unlock(&mtx);

	/* Released before the deadline: taken then. */
	t0 = stub_now_ns;
	lw = (struct timed_wait){ .deadline = t0 + 3 * MS, .ret = 1 }; /* the holder sleeps 3 ms */
	t = sk_thread_create("holder", hold_until_deadline, NULL);
	if (t)
		sk_thread_detach(t);
	sched_idle_once(); /* it runs now and takes the mutex */
	CHECK(mtx.owner == t);
	lw.deadline = t0 + 50 * MS; /* the waiter waits up to 50 ms */
	t = sk_thread_create("lock-until", lock_until, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(lw.ret, 0);
	CHECK_EQ(lw.ret_at, t0 + 3 * MS);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);

	/*
	 * Released at the deadline, just after the waiter's timeout fired but before the waiter
	 * ran: the timed-out waiter finds the mutex free and takes it.
	 */
	t0 = stub_now_ns;
	lw = (struct timed_wait){ .deadline = t0 + 4 * MS, .ret = 1 };
	t = sk_thread_create("holder", hold_until_deadline, NULL);
	if (t)
		sk_thread_detach(t);
	t = sk_thread_create("lock-until", lock_until, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(lw.ret, 0);
	CHECK_EQ(lw.ret_at, t0 + 4 * MS);
	CHECK(mtx.owner == NULL);
	CHECK_EQ(mtx.depth, 0);
}

static void *lock_and_exit(void *arg)
{
	(void)arg;
	sk_mutex_lock(&mtx);
	return NULL;
}

static void test_mutex_misuse_panics(void)
{
	struct sk_thread *t;

	setup();
	sk_mutex_init(&mtx, false);
	unit_panic_msg[0] = '\0';
	EXPECT_PANIC(sk_mutex_unlock(&mtx)); /* nobody holds it */
	CHECK(strstr(unit_panic_msg, "does not hold") != NULL);

	t = sk_thread_create("owner", lock_and_exit, NULL);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK(mtx.owner != NULL);
	unit_panic_msg[0] = '\0';
	EXPECT_PANIC(sk_mutex_unlock(&mtx)); /* another thread holds it */
	CHECK(strstr(unit_panic_msg, "does not hold") != NULL);

	sk_mutex_init(&mtx, false);
	sk_mutex_lock(&mtx);
	unit_panic_msg[0] = '\0';
	EXPECT_PANIC(sk_mutex_lock(&mtx)); /* relocking a plain mutex */
	CHECK(strstr(unit_panic_msg, "already holds") != NULL);
	CHECK_EQ(mtx.depth, 1);
	sk_mutex_unlock(&mtx);
	CHECK(mtx.owner == NULL);
}

/* ---- semaphores ---- */

static struct sk_sem sem;

static void *sem_down_until(void *arg)
{
	struct timed_wait *w = arg;

	w->ret = sk_sem_down_until(&sem, w->deadline);
	w->ret_at = stub_now_ns;
	return NULL;
}

static void *sem_up_later(void *arg)
{
	sk_sleep_ns((uint64_t)(uintptr_t)arg);
	sk_sem_up(&sem);
	return NULL;
}

static void test_sem(void)
{
	struct timed_wait w;
	struct sk_thread *t;

	setup();
	sk_sem_init(&sem, 2);
	CHECK_EQ(sk_sem_trydown(&sem), 0);
	CHECK_EQ(sk_sem_trydown(&sem), 0);
	CHECK_EQ(sk_sem_trydown(&sem), -EAGAIN);
	CHECK_EQ(sem.count, 0);

	/* Times out. */
	t0 = stub_now_ns;
	w = (struct timed_wait){ .deadline = t0 + 8 * MS, .ret = 1 };
	t = sk_thread_create("down", sem_down_until, &w);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(w.ret, -ETIMEDOUT);
	CHECK_EQ(w.ret_at, t0 + 8 * MS);
	CHECK_EQ(sem.count, 0);
	CHECK(sk_list_empty(&sem.wq.waiters));

	/* Available: no wait at all. */
	sk_sem_up(&sem);
	t0 = stub_now_ns;
	w = (struct timed_wait){ .deadline = t0 + 8 * MS, .ret = 1 };
	t = sk_thread_create("down", sem_down_until, &w);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(w.ret_at, t0);
	CHECK_EQ(sem.count, 0);

	/* Upped before the deadline. */
	t0 = stub_now_ns;
	w = (struct timed_wait){ .deadline = t0 + 8 * MS, .ret = 1 };
	t = sk_thread_create("down", sem_down_until, &w);
	if (t)
		sk_thread_detach(t);
	t = sk_thread_create("up", sem_up_later, (void *)(uintptr_t)(2 * MS));
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(w.ret_at, t0 + 2 * MS);
	CHECK_EQ(sem.count, 0);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);

	/* Upped exactly at the deadline, after the timeout fired: the count is still taken. */
	t0 = stub_now_ns;
	w = (struct timed_wait){ .deadline = t0 + 8 * MS, .ret = 1 };
	t = sk_thread_create("up", sem_up_later, (void *)(uintptr_t)(8 * MS));
	if (t)
		sk_thread_detach(t);
	t = sk_thread_create("down", sem_down_until, &w);
	if (t)
		sk_thread_detach(t);
	run_all();
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(w.ret_at, t0 + 8 * MS);
	CHECK_EQ(sem.count, 0);
}

/* ---- detaching and memory ---- */

static void *quick(void *arg)
{
	return arg;
}

static void test_detach_reap(void)
{
	struct sk_thread *t[8];
	size_t free_after_first = 0;

	setup();
	for (unsigned cycle = 0; cycle < 40; cycle++) {
		for (unsigned i = 0; i < SK_ARRAY_SIZE(t); i++) {
			t[i] = sk_thread_create("quick", quick, NULL);
			CHECK(t[i] != NULL);
			if (!t[i])
				return;
		}
		/* Half detached before they run. */
		for (unsigned i = 0; i < SK_ARRAY_SIZE(t); i += 2) {
			CHECK_EQ(sk_thread_detach(t[i]), 0);
			CHECK_EQ(sk_thread_detach(t[i]), -EINVAL); /* twice */
			CHECK_EQ(sk_thread_join(t[i], NULL), -EINVAL);
		}
		run_all();
		CHECK_EQ(sched_nr_threads(), 0);
		/* The other half detached after they ended: freed at the next idle round. */
		for (unsigned i = 1; i < SK_ARRAY_SIZE(t); i += 2) {
			CHECK_EQ(t[i]->state, SK_THREAD_EXITED);
			CHECK_EQ(sk_thread_detach(t[i]), 0);
		}
		reap();
		/*
		 * The heap keeps pages of its small classes once it has them, so the first
		 * cycle may take some for good; after that every cycle must give back all it
		 * took.
		 */
		if (cycle == 0)
			free_after_first = sk_pmem_kernel.free_pages;
		else
			CHECK_EQ(sk_pmem_kernel.free_pages, free_after_first);
	}
	/* The stacks themselves went back to pmem: 8 at once fit into what is free again. */
	CHECK(free_after_first >=
	      SK_ARRAY_SIZE(t) * (CONFIG_SK_THREAD_STACK_KIB * 1024 / SK_PAGE_SIZE));
}

/* Threads that exit while others join them, with some joined from the idle thread. */
static void *join_chain(void *arg)
{
	struct sk_thread *prev = arg;
	void *rv = NULL;

	if (!prev)
		return (void *)(uintptr_t)1;
	CHECK_EQ(sk_thread_join(prev, &rv), 0);
	return (void *)((uintptr_t)rv + 1);
}

static void test_join_chain(void)
{
	size_t free_after_first = 0;

	setup();
	for (unsigned round = 0; round < 3; round++) {
		struct sk_thread *t = NULL;
		void *rv = NULL;

		/* Each thread joins the one created before it; the last one is joined from idle. */
		for (unsigned i = 0; i < 20; i++) {
			t = sk_thread_create("chain", join_chain, t);
			CHECK(t != NULL);
			if (!t)
				return;
		}
		run_all();
		CHECK_EQ(sk_thread_join(t, &rv), 0);
		CHECK_EQ((uintptr_t)rv, 20);
		if (round == 0) /* the heap may keep pages for 20 thread structs */
			free_after_first = sk_pmem_kernel.free_pages;
		else
			CHECK_EQ(sk_pmem_kernel.free_pages, free_after_first);
	}
}

/* ---- panics in the idle thread ---- */

static struct sk_sem never;

static void *block_forever(void *arg)
{
	(void)arg;
	sk_sem_down(&never);
	log_put('u');
	return NULL;
}

static void test_deadlock_panics(void)
{
	struct sk_thread *t;

	setup();
	log_reset();
	sk_sem_init(&never, 0);
	t = sk_thread_create("stuck", block_forever, NULL);
	if (!t)
		return;
	sk_thread_detach(t);
	unit_panic_msg[0] = '\0';
	EXPECT_PANIC(run_all());
	CHECK(strstr(unit_panic_msg, "deadlock") != NULL);
	CHECK_EQ(t->state, SK_THREAD_BLOCKED);
	/* The panic came from the idle thread's own context: the scheduler is intact. */
	sk_sem_up(&never);
	run_all();
	CHECK_STR(run_log, "u");

	/* The idle thread itself must never block. */
	unit_panic_msg[0] = '\0';
	EXPECT_PANIC(sk_sem_down(&never));
	CHECK(strstr(unit_panic_msg, "BUG") != NULL);
	CHECK(sk_list_empty(&never.wq.waiters));
}

/* ---- stack canary ---- */

static void *smash_canary(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)sk_thread_self()->stack_low = 0;
	log_put('x');
	sk_thread_yield(); /* the switch checks the canary: panics */
	log_put('!');
	return NULL;
}

/*
 * The canary panic happens on the thread's stack and longjmps back to the idle thread's,
 * leaving that thread half switched: run it in a child process so the scheduler of this one
 * stays clean.
 */
static void test_stack_canary(void)
{
	pid_t pid;
	int status;

	setup();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct sk_thread *t;

		unit_failed_checks = 0; /* count this process's checks only */
		log_reset();
		t = sk_thread_create("smasher", smash_canary, NULL);
		if (!t)
			_exit(2);
		unit_panic_msg[0] = '\0';
		EXPECT_PANIC(run_all());
		CHECK(strstr(unit_panic_msg, "stack overflow") != NULL);
		CHECK(strstr(unit_panic_msg, "smasher") != NULL);
		CHECK_STR(run_log, "x");
		fflush(stderr);
		_exit(unit_failed_checks ? 1 : 0);
	}
	if (pid > 0) {
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), 0);
	}
}

UNIT_MAIN("sched",
	  UNIT_TEST(test_create_join),
	  UNIT_TEST(test_stack_alignment),
	  UNIT_TEST(test_given_stack),
	  UNIT_TEST(test_fifo_yield),
	  UNIT_TEST(test_ping_pong),
	  UNIT_TEST(test_sleep_order),
	  UNIT_TEST(test_sleep_misc),
	  UNIT_TEST(test_waitq_timeout),
	  UNIT_TEST(test_waitq_woken_early),
	  UNIT_TEST(test_waitq_wake_order),
	  UNIT_TEST(test_mutex_contention),
	  UNIT_TEST(test_mutex_recursive),
	  UNIT_TEST(test_mutex_trylock),
	  UNIT_TEST(test_mutex_lock_until),
	  UNIT_TEST(test_mutex_misuse_panics),
	  UNIT_TEST(test_sem),
	  UNIT_TEST(test_detach_reap),
	  UNIT_TEST(test_join_chain),
	  UNIT_TEST(test_deadlock_panics),
	  UNIT_TEST(test_stack_canary))
