// SPDX-License-Identifier: MIT
/* Host tests of the kernel heap on top of a pmem built from host memory. */
#include <stdint.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include "unit.h"

#define MAX_BLOCK (SK_PAGE_SIZE << SK_PAGE_MAX_ORDER)

static struct sk_pmem pm;
static struct sk_heap h;
static char *ram;

/* A fresh pmem of len bytes (one bitmap page included) under a fresh heap. */
static void setup(size_t len)
{
	ram = aligned_alloc(MAX_BLOCK, SK_ALIGN_UP(len, MAX_BLOCK));
	if (!ram)
		abort();
	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)ram, len), 0);
	sk_heap_init(&h, &pm);
}

/* The heap must hold exactly the pages the pmem is missing. */
static void teardown(void)
{
	CHECK_EQ(h.pages_in_use, pm.total_pages - pm.free_pages);
	free(ram);
	ram = NULL;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool aligned(const void *p, size_t a)
{
	return p && ((uintptr_t)p & (a - 1)) == 0;
}

static bool filled(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

static void test_classes(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 32, 33, 100, 128, 129, 500, 512, 1000,
					1024, 1025, 2000, 2047, 2048 };
	void *p[SK_ARRAY_SIZE(sizes)];
	size_t bytes = 0;

	setup(MAX_BLOCK);
	for (size_t i = 0; i < SK_ARRAY_SIZE(sizes); i++) {
		size_t want = 16;

		while (want < sizes[i])
			want *= 2;
		p[i] = sk_heap_alloc(&h, sizes[i]);
		CHECK(aligned(p[i], 16));
		CHECK_EQ(sk_heap_usable_size(p[i]), want);
		memset(p[i], (int)i, want);
		bytes += want;
		CHECK_EQ(h.bytes_in_use, bytes);
	}
	for (size_t i = 0; i < SK_ARRAY_SIZE(sizes); i++) {
		CHECK(filled(p[i], (int)i, sk_heap_usable_size(p[i])));
		sk_heap_free(&h, p[i]);
	}
	CHECK_EQ(h.bytes_in_use, 0);
	/* Class pages stay with the heap; a freed object is handed out again. */
	CHECK(h.pages_in_use > 0);
	CHECK(sk_heap_alloc(&h, 2048) == p[SK_ARRAY_SIZE(sizes) - 1]);
	CHECK_EQ(sk_heap_usable_size(NULL), 0);
	sk_heap_free(&h, NULL);
	teardown();
}

/*
 * A class's block is handed out slot by slot: its pages are written only as objects are used
 * (the first 2 KiB objects of a 16 KiB block touch its first page only), in address order. The
 * block is the 16 KiB at page 4: pages 1-3 went to the free lists as the carving's pieces.
 */
static void test_touch_on_use(void)
{
	size_t len = 4 * MAX_BLOCK;
	char *a, *b;

	setup(len);
	memset(ram + SK_PAGE_SIZE, 0xa5, len - SK_PAGE_SIZE);
	a = sk_heap_alloc(&h, 2000);
	CHECK(a == ram + 4 * SK_PAGE_SIZE + 16);
	CHECK(filled(ram + 5 * SK_PAGE_SIZE, 0xa5, len - 5 * SK_PAGE_SIZE));
	b = sk_heap_alloc(&h, 2000);
	CHECK(b == a + 2048 + 16);
	sk_heap_free(&h, a);
	CHECK(sk_heap_alloc(&h, 1500) == a); /* freed objects come back before new slots */
	CHECK(filled(ram + 5 * SK_PAGE_SIZE, 0xa5, len - 5 * SK_PAGE_SIZE));
	teardown();
}

static void test_large(void)
{
	size_t pages;
	char *a, *b;

	setup(2 * MAX_BLOCK);
	pages = h.pages_in_use;
	a = sk_heap_alloc(&h, 2049);
	CHECK(aligned(a, 16));
	CHECK_EQ(sk_heap_usable_size(a), SK_PAGE_SIZE - 16);
	CHECK_EQ(h.pages_in_use, pages + 1);
	b = sk_heap_alloc(&h, 100000);
	CHECK_EQ(sk_heap_usable_size(b), (32 * SK_PAGE_SIZE) - 16);
	CHECK_EQ(h.pages_in_use, pages + 33);
	CHECK_EQ(h.bytes_in_use, sk_heap_usable_size(a) + sk_heap_usable_size(b));
	memset(a, 1, 2049);
	memset(b, 2, 100000);
	CHECK(sk_heap_alloc(&h, MAX_BLOCK) == NULL); /* the header pushes it past the top order */
	CHECK(sk_heap_alloc(&h, SIZE_MAX) == NULL);
	CHECK(sk_heap_alloc(&h, SIZE_MAX - 8) == NULL);
	CHECK(filled(a, 1, 2049) && filled(b, 2, 100000));
	sk_heap_free(&h, a);
	sk_heap_free(&h, b);
	CHECK_EQ(h.pages_in_use, pages);
	CHECK_EQ(h.bytes_in_use, 0);
	a = sk_heap_alloc(&h, MAX_BLOCK - 16);
	CHECK(a != NULL);
	sk_heap_free(&h, a);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	teardown();
}

static void test_memalign(void)
{
	static const size_t aligns[] = { 1, 8, 16, 32, 64, 256, 1024, 4096 };
	void *p[SK_ARRAY_SIZE(aligns)];

	setup(MAX_BLOCK);
	for (size_t i = 0; i < SK_ARRAY_SIZE(aligns); i++) {
		size_t size = 100 + i * 1000;

		p[i] = sk_heap_memalign(&h, aligns[i], size);
		CHECK(aligned(p[i], SK_MAX(aligns[i], 16)));
		CHECK(sk_heap_usable_size(p[i]) >= size);
		memset(p[i], (int)i, size);
	}
	for (size_t i = 0; i < SK_ARRAY_SIZE(aligns); i++) {
		CHECK(filled(p[i], (int)i, 100 + i * 1000));
		sk_heap_free(&h, p[i]);
	}
	p[0] = sk_heap_memalign(&h, 4096, 5000);
	CHECK(aligned(p[0], 4096));
	CHECK(sk_heap_usable_size(p[0]) >= 5000);
	sk_heap_free(&h, p[0]);
	CHECK(sk_heap_memalign(&h, 0, 10) == NULL);
	CHECK(sk_heap_memalign(&h, 48, 10) == NULL);
	CHECK(sk_heap_memalign(&h, 2 * SK_PAGE_SIZE, 10) == NULL);
	CHECK(sk_heap_memalign(&h, 64, SIZE_MAX - 32) == NULL);
	CHECK_EQ(h.bytes_in_use, 0);
	teardown();
}

static void test_calloc(void)
{
	char *p;

	setup(MAX_BLOCK);
	p = sk_heap_alloc(&h, 300);
	memset(p, 0xab, 300);
	sk_heap_free(&h, p);
	p = sk_heap_calloc(&h, 30, 10); /* gets the dirty object back */
	CHECK(p && filled(p, 0, 300));
	sk_heap_free(&h, p);
	p = sk_heap_alloc(&h, 9000);
	memset(p, 0xcd, 9000);
	sk_heap_free(&h, p);
	p = sk_heap_calloc(&h, 9, 1000);
	CHECK(p && filled(p, 0, 9000));
	sk_heap_free(&h, p);
	CHECK(sk_heap_calloc(&h, SIZE_MAX / 2, 3) == NULL);
	CHECK(sk_heap_calloc(&h, 3, SIZE_MAX / 2) == NULL);
	CHECK(sk_heap_calloc(&h, (size_t)1 << 33, (size_t)1 << 33) == NULL);
	p = sk_heap_calloc(&h, 0, 5);
	CHECK(p != NULL);
	sk_heap_free(&h, p);
	CHECK_EQ(h.bytes_in_use, 0);
	teardown();
}

static void test_realloc(void)
{
	char *p, *q;

	setup(MAX_BLOCK);
	p = sk_heap_realloc(&h, NULL, 10);
	CHECK_EQ(sk_heap_usable_size(p), 16);
	memcpy(p, "0123456789", 10);
	CHECK(sk_heap_realloc(&h, p, 16) == p); /* same class: stays put */
	q = sk_heap_realloc(&h, p, 100);
	CHECK(q && memcmp(q, "0123456789", 10) == 0);
	CHECK_EQ(sk_heap_usable_size(q), 128);
	memset(q + 10, 'x', 90);
	p = sk_heap_realloc(&h, q, 10000);
	CHECK(p && memcmp(p, "0123456789", 10) == 0 && filled(p + 10, 'x', 90));
	memset(p + 100, 'y', 9900);
	CHECK(sk_heap_realloc(&h, p, 12000) == p); /* same order */
	q = sk_heap_realloc(&h, p, 20);
	CHECK(q && memcmp(q, "0123456789", 10) == 0 && filled(q + 10, 'x', 10));
	CHECK_EQ(sk_heap_usable_size(q), 32);
	CHECK_EQ(h.bytes_in_use, 32);
	CHECK(sk_heap_realloc(&h, q, 0) == NULL);
	CHECK_EQ(h.bytes_in_use, 0);
	/* A memaligned block may be resized like any other. */
	p = sk_heap_memalign(&h, 256, 40);
	memset(p, 'z', 40);
	q = sk_heap_realloc(&h, p, 5000);
	CHECK(q && filled(q, 'z', 40));
	sk_heap_free(&h, q);
	CHECK_EQ(h.bytes_in_use, 0);
	teardown();
}

/* 16 pages of RAM: one bitmap page and 15 for the heap. */
static void test_exhaustion(void)
{
	void *objs[64], *big;
	size_t n = 0;

	setup(16 * SK_PAGE_SIZE);
	CHECK_EQ(pm.total_pages, 15);
	while (n < SK_ARRAY_SIZE(objs) && (objs[n] = sk_heap_alloc(&h, 1024)))
		n++;
	CHECK(n > 0 && n < SK_ARRAY_SIZE(objs));
	CHECK_EQ(pm.free_pages, 0);
	CHECK_EQ(h.pages_in_use, 15);
	CHECK(sk_heap_alloc(&h, 5000) == NULL);
	CHECK(sk_heap_alloc(&h, 16) == NULL);
	CHECK(sk_heap_memalign(&h, 64, 16) == NULL);
	CHECK(sk_heap_calloc(&h, 4, 4) == NULL);
	memset(objs[0], 'k', 1024);
	CHECK(sk_heap_realloc(&h, objs[0], 1025) == NULL);
	CHECK(filled(objs[0], 'k', 1024)); /* a failed realloc leaves the old block alone */
	for (size_t i = 0; i < n; i++)
		sk_heap_free(&h, objs[i]);
	CHECK_EQ(h.bytes_in_use, 0);
	/* The 1024-class pages are kept, so freed objects come back but a big block cannot. */
	for (size_t i = 0; i < n; i++)
		CHECK(sk_heap_alloc(&h, 1000) != NULL);
	CHECK(sk_heap_alloc(&h, 1000) == NULL);
	big = sk_heap_alloc(&h, 3000);
	CHECK(big == NULL);
	teardown();
}

struct obj {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static size_t random_size(void)
{
	uint64_t r = rnd();

	switch (r % 10) {
	case 0:
		return r / 16 % 40000;
	case 1:
	case 2:
		return r / 16 % 4096;
	default:
		return r / 16 % 300;
	}
}

static void test_stress(void)
{
	static struct obj objs[500];
	size_t bytes = 0;

	setup(4 * MAX_BLOCK);
	memset(objs, 0, sizeof(objs));
	for (unsigned it = 0; it < 40000; it++) {
		struct obj *o = &objs[rnd() % SK_ARRAY_SIZE(objs)];
		uint64_t op = rnd() % 4;

		if (o->p) {
			CHECK(filled(o->p, o->fill, o->size));
			bytes -= sk_heap_usable_size(o->p);
		}
		if (o->p && op == 0) {
			size_t size = random_size() + 1;
			unsigned char *q = sk_heap_realloc(&h, o->p, size);

			CHECK(q != NULL);
			if (q) {
				CHECK(filled(q, o->fill, SK_MIN(size, o->size)));
				o->p = q;
				o->size = size;
			}
		} else if (o->p) {
			sk_heap_free(&h, o->p);
			o->p = NULL;
			continue;
		} else {
			o->size = random_size();
			o->p = op == 1 ? sk_heap_memalign(&h, (size_t)16 << rnd() % 9, o->size)
				       : sk_heap_alloc(&h, o->size);
			CHECK(aligned(o->p, 16));
			if (!o->p)
				continue;
		}
		CHECK(sk_heap_usable_size(o->p) >= o->size);
		o->fill = (unsigned char)it;
		memset(o->p, o->fill, o->size);
		bytes += sk_heap_usable_size(o->p);
		CHECK_EQ(h.bytes_in_use, bytes);
	}
	for (size_t i = 0; i < SK_ARRAY_SIZE(objs); i++) {
		if (objs[i].p) {
			CHECK(filled(objs[i].p, objs[i].fill, objs[i].size));
			sk_heap_free(&h, objs[i].p);
		}
	}
	CHECK_EQ(h.bytes_in_use, 0);
	teardown();
}

static void test_double_free(void)
{
	void *small, *large, *al;

	setup(MAX_BLOCK);
	small = sk_heap_alloc(&h, 40);
	large = sk_heap_alloc(&h, 9000);
	al = sk_heap_memalign(&h, 4096, 100);
	sk_heap_free(&h, small);
	sk_heap_free(&h, large);
	sk_heap_free(&h, al);
	EXPECT_PANIC(sk_heap_free(&h, small));
	EXPECT_PANIC(sk_heap_free(&h, large));
	EXPECT_PANIC(sk_heap_free(&h, al));
	EXPECT_PANIC(sk_heap_usable_size(small));
	EXPECT_PANIC(sk_heap_realloc(&h, small, 100));
	CHECK_EQ(h.bytes_in_use, 0);
	teardown();
}

static void test_corrupt_header(void)
{
	unsigned char *p, *q, *r;

	setup(MAX_BLOCK);
	p = sk_heap_alloc(&h, 64);
	q = sk_heap_alloc(&h, 64);
	r = sk_heap_alloc(&h, 64);
	p[-16] ^= 1; /* magic */
	EXPECT_PANIC(sk_heap_free(&h, p));
	q[-11] ^= 1; /* the class */
	EXPECT_PANIC(sk_heap_free(&h, q));
	EXPECT_PANIC(sk_heap_usable_size(q));
	memset(r - 16, 0, 16);
	EXPECT_PANIC(sk_heap_free(&h, r));
	EXPECT_PANIC(sk_heap_free(&h, p + 16)); /* not the start of an allocation */
	/* Writing a freed object's header is caught when the object is handed out again. */
	p = sk_heap_alloc(&h, 200);
	sk_heap_free(&h, p);
	p[-16] ^= 0x80;
	EXPECT_PANIC(sk_heap_alloc(&h, 200));
	teardown();
}

UNIT_MAIN("heap",
	  UNIT_TEST(test_classes),
	  UNIT_TEST(test_touch_on_use),
	  UNIT_TEST(test_large),
	  UNIT_TEST(test_memalign),
	  UNIT_TEST(test_calloc),
	  UNIT_TEST(test_realloc),
	  UNIT_TEST(test_exhaustion),
	  UNIT_TEST(test_stress),
	  UNIT_TEST(test_double_free),
	  UNIT_TEST(test_corrupt_header))
