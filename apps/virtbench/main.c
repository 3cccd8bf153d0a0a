// SPDX-License-Identifier: MIT
/*
 * virtbench: benchmarks inside the image, each result printed as one line on stderr,
 * "virtbench: NAME VALUE UNIT key=value...", so a driver (support/virtbench.sh) can read them.
 * The modes the Linux build shares (micro.c, blkbench.c; see virtbench.h):
 *   micro [NAME[=N],...]  the microbenchmarks: null-call, clock, sleep, touch, bandwidth, switch,
 *                   mutex (all of them when no list is given)
 *   null-call [N]   N one-byte console writes (the platform's cheapest exit), ns per round trip
 *   blk [MIB] [N]   the block device: sequential MB/s over MIB MiB, then N random 4 KiB requests
 *   nop             nothing (start-up time); crash: a NULL write (tests of the driver)
 * And the image's own, about its C library and heap:
 *   copy [MIB]      memcpy, memmove, memset, memcmp and strlen over the sizes programs use, and
 *                   memcpy/memset over MIB MiB (default 64; needs about 2 * MIB + 8 MiB of memory)
 *   alloc [N]       malloc/free: ns per pair, same size, mixed sizes in batches, random churn
 *   fit [MIB]       a mixed allocation workload up to MIB MiB live (default 16); prints its peak
 *                   of live requested bytes and the heap's peak of pages, exits 1 when an
 *                   allocation fails: run it with a small --mem to find what it needs
 * The console writes that null-call measures are NUL bytes on stdout, which shares the console
 * with stderr in the image: drop them (tr -d '\0') before reading the results.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skiff/heap.h>
#include "virtbench.h"

static uint64_t rng = VB_XORSHIFT_SEED;

static uint64_t rnd(void)
{
	return vb_xorshift(&rng);
}

/*
 * The routines are called through volatile pointers, so that the compiler neither inlines a
 * copy of a size it can see nor drops one whose result it can prove unused.
 */
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;
static void *(*volatile memmove_fn)(void *, const void *, size_t) = memmove;
static void *(*volatile memset_fn)(void *, int, size_t) = memset;
static int (*volatile memcmp_fn)(const void *, const void *, size_t) = memcmp;
static size_t (*volatile strlen_fn)(const char *) = strlen;
static volatile size_t sink;

static void report(const char *name, double t0, long calls, const char *what)
{
	fprintf(stderr, "virtbench: %s %.1f ns/call %s\n", name, (vb_now_ns() - t0) / (double)calls, what);
}

static void report_rate(const char *name, double t0, double bytes)
{
	fprintf(stderr, "virtbench: %s %.2f GB/s bytes=%.0f\n", name, bytes / (vb_now_ns() - t0), bytes);
}

/* Small and medium copies, at every alignment, the kind a database or an interpreter makes. */
static void copy_small(char *a, char *b)
{
	const long n = 2000000;
	double t0;

	t0 = vb_now_ns();
	for (long i = 0; i < n; i++)
		memcpy_fn(a + (i * 7 & 15), b + (i * 3 & 15), (size_t)(i & 63) + 1);
	report("memcpy-1-64", t0, n, "sizes=1..64 unaligned");
	t0 = vb_now_ns();
	for (long i = 0; i < n / 4; i++)
		memcpy_fn(a + (i * 7 & 15), b + (i * 3 & 15), 64 + (size_t)(i * 61 & 1023));
	report("memcpy-64-1088", t0, n / 4, "sizes=64..1087 unaligned");
	t0 = vb_now_ns();
	for (long i = 0; i < n / 8; i++)
		memcpy_fn(a + 4096 * (i & 7), b + 4096 * (i * 3 & 7), 4096);
	report("memcpy-4k", t0, n / 8, "size=4096 page-aligned");
	/* memmove as a B-tree page makes it: shift a cell array by a few bytes either way. */
	t0 = vb_now_ns();
	for (long i = 0; i < n / 4; i++) {
		size_t len = 16 + (size_t)(i * 37 & 2047), k = 1 + (size_t)(i & 15);

		if (i & 1)
			memmove_fn(a + 64 + k, a + 64, len);
		else
			memmove_fn(a + 64, a + 64 + k, len);
	}
	report("memmove-overlap", t0, n / 4, "sizes=16..2063 shift=1..16 both ways");
	t0 = vb_now_ns();
	for (long i = 0; i < n; i++)
		memset_fn(a + (i * 5 & 15), (int)i, (size_t)(i & 127) + 1);
	report("memset-1-128", t0, n, "sizes=1..128 unaligned");
	memset(a, 'x', 8192);
	memset(b, 'x', 8192);
	t0 = vb_now_ns();
	for (long i = 0; i < n; i++)
		sink += (size_t)memcmp_fn(a + (i & 7), b + (i * 3 & 7), (size_t)(i & 255) + 1);
	report("memcmp-equal-1-256", t0, n, "sizes=1..256 unaligned");
	a[8191] = 0;
	t0 = vb_now_ns();
	for (long i = 0; i < n; i++)
		sink += strlen_fn(a + 8191 - (i & 255));
	report("strlen-0-255", t0, n, "lengths=0..255");
}

static void copy(long mib)
{
	size_t big = (size_t)mib << 20;
	char *a = malloc(big + 64), *b = malloc(big + 64);
	double t0;

	if (!a || !b) {
		fprintf(stderr, "virtbench: copy: no memory for 2 x %ld MiB\n", mib);
		exit(1);
	}
	memset(a, 1, big);
	memset(b, 2, big);
	copy_small(a, b);
	t0 = vb_now_ns();
	for (int r = 0; r < 4; r++)
		memcpy_fn(a, b, big);
	report_rate("memcpy-big", t0, 4.0 * (double)big);
	t0 = vb_now_ns();
	for (int r = 0; r < 4; r++)
		memmove_fn(a + 8, a, big - 8);
	report_rate("memmove-big-backward", t0, 4.0 * (double)(big - 8));
	t0 = vb_now_ns();
	for (int r = 0; r < 4; r++)
		memset_fn(a, r, big);
	report_rate("memset-big", t0, 4.0 * (double)big);
	free(a);
	free(b);
}

/* Sizes like a program's: most small, some of a page or so, a few large. */
static size_t mixed_size(void)
{
	uint64_t r = rnd();

	return r % 10 < 8 ? 16 + r / 16 % 500 : 500 + r / 16 % 3000;
}

static void alloc(long n)
{
	static void *objs[4096];
	static size_t sizes[4096];
	double t0;

	for (int i = 0; i < 4096; i++)
		sizes[i] = mixed_size();
	t0 = vb_now_ns();
	for (long i = 0; i < n; i++) {
		char *p = malloc(64);

		*(volatile char *)p = 1;
		free(p);
	}
	report("malloc-free-64", t0, n, "one size, LIFO");
	t0 = vb_now_ns();
	for (long r = 0; r < n / 4096; r++) {
		for (int i = 0; i < 4096; i++)
			objs[i] = malloc(sizes[i]);
		for (int i = 0; i < 4096; i++)
			free(objs[(i * 2053) % 4096]);
	}
	report("malloc-free-batch", t0, n / 4096 * 4096, "4096 mixed 16..3500, freed scrambled");
	memset(objs, 0, sizeof(objs));
	t0 = vb_now_ns();
	for (long r = 0; r < n; r++) {
		int i = (int)(rnd() % 4096);

		if (objs[i]) {
			free(objs[i]);
			objs[i] = NULL;
		} else {
			objs[i] = malloc(sizes[i]);
		}
	}
	report("malloc-free-churn", t0, n, "random malloc or free over 4096 slots");
	for (int i = 0; i < 4096; i++)
		free(objs[i]);
}

/* The fit workload's sizes: small objects, page-cache entries, medium and large buffers. */
static size_t fit_size(void)
{
	uint64_t r = rnd();

	switch (r % 20) {
	case 0:
		return 128 * 1024 + r / 32 % (2 << 20);
	case 1:
	case 2:
		return 16384 + r / 32 % (112 * 1024);
	case 3:
	case 4:
	case 5:
		return 4300 + r / 32 % 200;
	case 6:
	case 7:
	case 8:
		return 2048 + r / 32 % 14336;
	case 9:
	case 10:
	case 11:
	case 12:
		return 256 + r / 32 % 1792;
	default:
		return 16 + r / 32 % 240;
	}
}

static void *fit_alloc(void *old, size_t size)
{
	void *p = old ? realloc(old, size) : malloc(size);

	if (!p) {
		fprintf(stderr, "virtbench: fit: out of memory (%zu bytes; %zu pages free of %zu)\n",
			size, sk_pmem_kernel.free_pages, sk_pmem_kernel.total_pages);
		exit(1);
	}
	memset(p, 0x5a, size < 64 ? size : 64);
	return p;
}

/*
 * Live requested bytes stay under the limit; every object is freed, reallocated or left alone
 * at random, and one buffer doubles now and then, as a growing file in memory does.
 */
static void fit(long mib)
{
	static struct { void *p; size_t size; } objs[8000];
	size_t limit = (size_t)mib << 20, live = 0, peak = 0, grow = 48 * 1024;
	void *buf = fit_alloc(NULL, grow);

	live = grow;
	for (long it = 0; it < 200000; it++) {
		size_t i = rnd() % 8000;

		if (objs[i].p) {
			live -= objs[i].size;
			if (rnd() % 4 == 0) {
				objs[i].size = fit_size();
				objs[i].p = fit_alloc(objs[i].p, objs[i].size);
				live += objs[i].size;
			} else {
				free(objs[i].p);
				objs[i].p = NULL;
			}
		} else if (live < limit) {
			objs[i].size = fit_size();
			objs[i].p = fit_alloc(NULL, objs[i].size);
			live += objs[i].size;
		}
		if (it % 20000 == 19999 && grow < limit / 8) {
			buf = fit_alloc(buf, 2 * grow);
			live += grow;
			grow *= 2;
		}
		peak = live > peak ? live : peak;
	}
	fprintf(stderr, "virtbench: fit %.2f MiB peak-requested heap-peak=%.2f MiB\n",
		(double)peak / (1 << 20), (double)(sk_heap_kernel.pages_peak * SK_PAGE_SIZE) / (1 << 20));
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "null-call";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	int r = vb_common_main(argc, argv);

	if (r >= 0)
		return r;
	if (argc > 2 && n < 1) {
		fprintf(stderr, "virtbench: N must be at least 1\n");
		return 2;
	}
	if (!strcmp(what, "copy")) {
		copy(n ? n : 64);
		return 0;
	}
	if (!strcmp(what, "alloc")) {
		alloc(n ? n : 4000000);
		return 0;
	}
	if (!strcmp(what, "fit")) {
		fit(n ? n : 16);
		return 0;
	}
	fprintf(stderr, "virtbench: unknown benchmark '%s' (micro, null-call, blk, nop, crash, copy, alloc, fit)\n",
		what);
	return 2;
}
