// SPDX-License-Identifier: MIT
/*
 * The microbenchmarks (virtbench.h), in plain C and POSIX so the image and the Linux program run
 * the same code. Each measures one thing a platform does for a program:
 *   null-call     a one-byte write(2) to stdout: in the image the console call, the cheapest way
 *                 out of the guest (a skiff-hv hypercall, a UART port write under QEMU, an event
 *                 channel notify under Xen); on Linux a system call
 *   clock         clock_gettime(CLOCK_MONOTONIC)
 *   sleep         how late a 1 ms nanosleep wakes (timer set-up, the idle path, the wake-up)
 *   touch         writing one byte per 4 KiB page of freshly allocated memory (each page's first
 *                 touch: a fault in the host, the hypervisor or the guest, whichever maps it), then
 *                 of the same pages again (mapped: what a TLB miss costs)
 *   bandwidth     memcpy of 64 MiB between buffers already touched
 *   switch        sched_yield between two threads
 *   mutex         a mutex and condition variable handed back and forth between two threads
 * They always run in that order, so that touch sees memory nothing has used before.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "virtbench.h"

#define PAGE 4096

uint64_t vb_xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

double vb_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

void vb_result(const char *name, double value, const char *unit, const char *extra, ...)
{
	char keys[192] = "";
	int prec = value >= 100 ? 0 : value >= 10 ? 1 : 3;
	va_list ap;

	if (extra) {
		va_start(ap, extra);
		vsnprintf(keys, sizeof(keys), extra, ap);
		va_end(ap);
	}
	fprintf(stderr, "virtbench: %s %.*f %s%s%s\n", name, prec, value, unit, *keys ? " " : "", keys);
}

static volatile uint64_t sink;

/* write(2) goes to the console unbuffered: one platform console call each. */
static void null_call(long n)
{
	double t0 = vb_now_ns();

	for (long i = 0; i < n; i++)
		if (write(STDOUT_FILENO, "", 1) != 1)
			break;
	vb_result("null-call", (vb_now_ns() - t0) / (double)n, "ns", "n=%ld", n);
}

static void clock_read(long n)
{
	struct timespec t;
	double t0 = vb_now_ns();

	for (long i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		sink += (uint64_t)t.tv_nsec;
	}
	vb_result("clock", (vb_now_ns() - t0) / (double)n, "ns", "n=%ld", n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median, the 90th percentile and the worst of n 1 ms sleeps, in microseconds late. */
static void sleep_overshoot(long n)
{
	const struct timespec ms = { 0, 1000000 };
	double *late = malloc((size_t)n * sizeof(*late));

	if (!late)
		return;
	for (long i = 0; i < n; i++) {
		double t0 = vb_now_ns();

		nanosleep(&ms, NULL);
		late[i] = (vb_now_ns() - t0 - 1e6) / 1e3;
	}
	qsort(late, (size_t)n, sizeof(*late), cmp_double);
	vb_result("sleep", late[n / 2], "us", "n=%ld sleep=1ms p90=%.1f max=%.1f", n, late[n * 9 / 10],
		  late[n - 1]);
	free(late);
}

/* Pages never touched since boot (the image) or since mmap (Linux): each write is a first touch. */
static void touch(long mib)
{
	size_t pages = ((size_t)mib << 20) / PAGE;
	volatile char *p = malloc(pages * PAGE);
	double t0;

	if (!p) {
		fprintf(stderr, "virtbench: touch: no memory for %ld MiB\n", mib);
		return;
	}
	t0 = vb_now_ns();
	for (size_t i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	vb_result("touch-fresh", (vb_now_ns() - t0) / (double)pages, "ns", "per=4KiB-page mib=%ld", mib);
	t0 = vb_now_ns();
	for (int r = 0; r < 4; r++)
		for (size_t i = 0; i < pages; i++)
			p[i * PAGE] = (char)r;
	vb_result("touch-mapped", (vb_now_ns() - t0) / (4.0 * (double)pages), "ns", "per=4KiB-page mib=%ld", mib);
	free((void *)p);
}

/* Through a volatile pointer, so the compiler cannot drop a copy whose result nobody reads. */
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

static void bandwidth(long rounds)
{
	const size_t len = 64u << 20;
	char *a = malloc(len), *b = malloc(len);
	double t0;

	if (!a || !b) {
		fprintf(stderr, "virtbench: bandwidth: no memory for 2 x 64 MiB\n");
		free(a);
		return;
	}
	memset(a, 1, len);
	memset(b, 2, len);
	memcpy_fn(a, b, len); /* warm: caches, TLB */
	t0 = vb_now_ns();
	for (long r = 0; r < rounds; r++)
		memcpy_fn(r & 1 ? b : a, r & 1 ? a : b, len);
	vb_result("bandwidth", (double)len * (double)rounds / (vb_now_ns() - t0), "GB/s", "copy=64MiB rounds=%ld",
		  rounds);
	free(a);
	free(b);
}

/*
 * Two threads, measured from the moment both run: thread creation is not what is measured, and
 * with a few thousand rounds it would weigh.
 */
struct pair {
	long n;
	int ready, turn;
	double t0, t1;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/* Waits until both threads run; returns which of the two this one is (0 or 1). */
static int pair_start(struct pair *p)
{
	int me = __atomic_fetch_add(&p->ready, 1, __ATOMIC_SEQ_CST);

	while (__atomic_load_n(&p->ready, __ATOMIC_SEQ_CST) < 2)
		sched_yield();
	if (me == 0)
		p->t0 = vb_now_ns();
	return me;
}

static void pair_end(struct pair *p)
{
	double t = vb_now_ns();

	pthread_mutex_lock(&p->lock);
	p->t1 = t > p->t1 ? t : p->t1;
	pthread_mutex_unlock(&p->lock);
}

static void *yielder(void *arg)
{
	struct pair *p = arg;

	pair_start(p);
	for (long i = 0; i < p->n; i++)
		sched_yield();
	pair_end(p);
	return NULL;
}

static void *handoff(void *arg)
{
	struct pair *p = arg;
	int me = pair_start(p);

	for (long i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->lock);
		while (p->turn != me)
			pthread_cond_wait(&p->changed, &p->lock);
		p->turn = !me;
		pthread_cond_signal(&p->changed);
		pthread_mutex_unlock(&p->lock);
	}
	pair_end(p);
	return NULL;
}

/* Runs fn in two threads; returns nanoseconds per switch or hand-off (2n of them), or -1. */
static double two_threads(void *(*fn)(void *), long n)
{
	struct pair p = { .n = n };
	pthread_t t[2];

	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.changed, NULL);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, fn, &p)) {
			fprintf(stderr, "virtbench: cannot create a thread\n");
			if (i) { /* the first one waits for a partner: stand in for it */
				p.n = 0;
				__atomic_add_fetch(&p.ready, 1, __ATOMIC_SEQ_CST);
				pthread_join(t[0], NULL);
			}
			return -1;
		}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_cond_destroy(&p.changed);
	pthread_mutex_destroy(&p.lock);
	return (p.t1 - p.t0) / (2.0 * (double)n);
}

static void thread_switch(long n)
{
	double ns = two_threads(yielder, n);

	if (ns >= 0)
		vb_result("switch", ns, "ns", "n=%ld threads=2 how=sched_yield", n);
}

static void mutex_handoff(long n)
{
	double ns = two_threads(handoff, n);

	if (ns >= 0)
		vb_result("mutex", ns, "ns", "n=%ld threads=2 how=mutex+condvar", n);
}

struct micro {
	const char *name;
	void (*run)(long n);
	long n; /* the default: iterations, MiB (touch) or rounds (bandwidth) */
};

/* In the order they run. */
static const struct micro micros[] = {
	{ "null-call", null_call, 100000 },
	{ "clock", clock_read, 1000000 },
	{ "touch", touch, 64 },
	{ "bandwidth", bandwidth, 4 },
	{ "sleep", sleep_overshoot, 100 },
	{ "switch", thread_switch, 100000 },
	{ "mutex", mutex_handoff, 100000 },
};
#define NMICROS (sizeof(micros) / sizeof(micros[0]))

/* "name[=N],name..." into ns[] (0: not chosen); "" or "all" chooses every one at its default. */
static int parse_list(const char *list, long ns[NMICROS])
{
	char buf[256], *save = NULL;

	memset(ns, 0, NMICROS * sizeof(ns[0]));
	if (!*list || !strcmp(list, "all")) {
		for (size_t i = 0; i < NMICROS; i++)
			ns[i] = micros[i].n;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '=');
		size_t i;

		if (eq)
			*eq++ = '\0';
		for (i = 0; i < NMICROS && strcmp(w, micros[i].name); i++)
			;
		if (i == NMICROS) {
			fprintf(stderr, "virtbench: unknown microbenchmark '%s'\n", w);
			return -1;
		}
		ns[i] = eq ? strtol(eq, NULL, 10) : micros[i].n;
		if (ns[i] < 1) {
			fprintf(stderr, "virtbench: %s: N must be at least 1\n", w);
			return -1;
		}
	}
	return 0;
}

static int micro(const char *list)
{
	long ns[NMICROS];

	if (parse_list(list, ns))
		return 2;
	for (size_t i = 0; i < NMICROS; i++)
		if (ns[i])
			micros[i].run(ns[i]);
	fprintf(stderr, "virtbench: done\n");
	return 0;
}

/* Fails on purpose, for the driver's own tests: a workload that crashes. */
static int *volatile nowhere;

static int crash(void)
{
	fprintf(stderr, "virtbench: crashing on purpose\n");
	*nowhere = 42;
	return 0;
}

int vb_common_main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "null-call";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;

	if (!strcmp(what, "micro"))
		return micro(argc > 2 ? argv[2] : "");
	if (!strcmp(what, "nop"))
		return 0;
	if (!strcmp(what, "crash"))
		return crash();
	if (strcmp(what, "null-call") && strcmp(what, "blk"))
		return -1;
	if (argc > 2 && n < 1) {
		fprintf(stderr, "virtbench: N must be at least 1\n");
		return 2;
	}
	if (!strcmp(what, "blk"))
		return vb_blk_bench(n ? n : 64, argc > 3 ? strtol(argv[3], NULL, 10) : 2000);
	null_call(n ? n : micros[0].n);
	return 0;
}
