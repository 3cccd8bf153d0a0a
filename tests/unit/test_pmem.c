// SPDX-License-Identifier: MIT
/* Host tests of the buddy page allocator over host memory standing in for physical RAM. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/page.h>
#include "unit.h"

#define MAX_BLOCK (SK_PAGE_SIZE << SK_PAGE_MAX_ORDER)

static struct sk_pmem pm;

/* Host memory aligned like a max-order block, so tests control the absolute alignment. */
static char *host_mem(size_t len)
{
	char *p = aligned_alloc(MAX_BLOCK, SK_ALIGN_UP(len, MAX_BLOCK));

	if (!p)
		abort();
	return p;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t count_free(unsigned order)
{
	struct sk_list *pos;
	size_t n = 0;

	sk_list_for_each(pos, &pm.free[order])
		n++;
	return n;
}

static void snapshot(size_t out[SK_PAGE_MAX_ORDER + 1])
{
	for (unsigned o = 0; o <= SK_PAGE_MAX_ORDER; o++)
		out[o] = count_free(o);
}

static bool block_ok(const void *p, unsigned order)
{
	uintptr_t a = (uintptr_t)p;

	if (!SK_IS_ALIGNED(a, SK_PAGE_SIZE << order))
		return false;
	for (unsigned i = 0; i < pm.nr_regions; i++) {
		const struct sk_pmem_region *r = &pm.region[i];

		if (a >= r->base && a + (SK_PAGE_SIZE << order) <= r->base + r->npages * SK_PAGE_SIZE)
			return true;
	}
	return false;
}

static void test_page_order(void)
{
	CHECK_EQ(sk_page_order(0), 0);
	CHECK_EQ(sk_page_order(1), 0);
	CHECK_EQ(sk_page_order(SK_PAGE_SIZE), 0);
	CHECK_EQ(sk_page_order(SK_PAGE_SIZE + 1), 1);
	CHECK_EQ(sk_page_order(2 * SK_PAGE_SIZE), 1);
	CHECK_EQ(sk_page_order(2 * SK_PAGE_SIZE + 1), 2);
	CHECK_EQ(sk_page_order(MAX_BLOCK), SK_PAGE_MAX_ORDER);
	CHECK_EQ(sk_page_order(MAX_BLOCK + 1), SK_PAGE_MAX_ORDER + 1);
	CHECK(sk_page_order(SIZE_MAX) > SK_PAGE_MAX_ORDER);
}

static void test_add_region_errors(void)
{
	char *mem = host_mem(40 * SK_PAGE_SIZE);

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, 0), -EINVAL);
	CHECK_EQ(sk_pmem_add_region(&pm, UINTPTR_MAX - SK_PAGE_SIZE, 2 * SK_PAGE_SIZE), -EINVAL);
	CHECK_EQ(sk_pmem_add_region(&pm, SIZE_MAX - 99, 100), -EINVAL);
	/* Near the top but not wrapping: nothing whole fits, and nothing may be written. */
	CHECK_EQ(sk_pmem_add_region(&pm, UINTPTR_MAX - 200, 100), 0);
	/* Too small for a bitmap page plus one page, or for any whole page. */
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, SK_PAGE_SIZE + 100), 0);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem + 10, 2 * SK_PAGE_SIZE), 0);
	CHECK_EQ(pm.nr_regions, 0);
	CHECK_EQ(pm.total_pages, 0);
	CHECK(sk_pmem_alloc(&pm, 0) == NULL);

	for (int i = 0; i < SK_PMEM_MAX_REGIONS; i++)
		CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem + 2 * i * SK_PAGE_SIZE,
					    2 * SK_PAGE_SIZE), 0);
	CHECK_EQ(pm.nr_regions, SK_PMEM_MAX_REGIONS);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem + 32 * SK_PAGE_SIZE, 8 * SK_PAGE_SIZE),
		 -ENOSPC);
	CHECK_EQ(pm.total_pages, SK_PMEM_MAX_REGIONS);
	CHECK_EQ(pm.free_pages, SK_PMEM_MAX_REGIONS);
	for (int i = 0; i < SK_PMEM_MAX_REGIONS; i++)
		CHECK(block_ok(sk_pmem_alloc(&pm, 0), 0));
	CHECK(sk_pmem_alloc(&pm, 0) == NULL);
	CHECK_EQ(pm.free_pages, 0);
	free(mem);
}

/*
 * Carving is lazy: regions reach the free lists as allocations need them. Allocate every page and
 * free it all again, so the free lists hold the fully carved, fully merged blocks.
 */
static void settle(void)
{
	size_t n = 0, cap = pm.free_pages;
	void **p = calloc(cap + 1, sizeof(*p));

	while (n < cap && (p[n] = sk_pmem_alloc(&pm, 0)))
		n++;
	while (n)
		sk_pmem_free(&pm, p[--n], 0);
	free(p);
}

/* Adding a region writes its bitmap and nothing else: free memory stays untouched. */
static void test_lazy_carving(void)
{
	size_t len = 4 * MAX_BLOCK;
	unsigned char *mem = (unsigned char *)host_mem(len);
	size_t counts[SK_PAGE_MAX_ORDER + 1];
	bool untouched = true;

	memset(mem, 0xa5, len);
	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, len), 0);
	snapshot(counts);
	for (unsigned o = 0; o <= SK_PAGE_MAX_ORDER; o++)
		CHECK_EQ(counts[o], 0);
	for (size_t i = SK_PAGE_SIZE; i < len; i++)
		untouched &= mem[i] == 0xa5;
	CHECK(untouched);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	CHECK(block_ok(sk_pmem_alloc(&pm, 0), 0));
	CHECK_EQ(pm.free_pages, pm.total_pages - 1);
	free(mem);
}

/*
 * Allocations carve no more than they need: nothing past the block handed out is written (no
 * free-list header 2 MiB, 1 MiB, ... away), and the pages below it only with the pieces that
 * brought the carved mark to the block's alignment.
 */
static void test_carving_touches_little(void)
{
	size_t len = 4 * MAX_BLOCK;
	unsigned char *mem = (unsigned char *)host_mem(len), *a, *b;
	bool untouched = true;

	memset(mem, 0xa5, len);
	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, len), 0);
	a = sk_pmem_alloc(&pm, 0);		/* the page after the bitmap */
	CHECK(a == mem + SK_PAGE_SIZE);
	for (size_t i = 2 * SK_PAGE_SIZE; i < len; i++)
		untouched &= mem[i] == 0xa5;
	CHECK(untouched);
	b = sk_pmem_alloc(&pm, 4);		/* 64 KiB: pieces of 8, 16 and 32 KiB carved first */
	CHECK(b == mem + 16 * SK_PAGE_SIZE);
	for (size_t i = 32 * SK_PAGE_SIZE; i < len; i++)
		untouched &= mem[i] == 0xa5;
	CHECK(untouched);
	CHECK(sk_pmem_alloc(&pm, 0) == mem + 2 * SK_PAGE_SIZE); /* the pieces serve what comes next */
	CHECK_EQ(pm.free_pages, pm.total_pages - 18);
	free(mem);
}

/* Exhaust a region page by page, then free it all and expect the same max-order blocks back. */
static void test_all_pages(void)
{
	size_t len = 4 * MAX_BLOCK, before[SK_PAGE_MAX_ORDER + 1], after[SK_PAGE_MAX_ORDER + 1];
	char *mem = host_mem(len), **pages;
	bool *seen;
	size_t n = 0;
	void *p;

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, len), 0);
	CHECK_EQ(pm.total_pages, len / SK_PAGE_SIZE - 1);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	CHECK_EQ(pm.region[0].base, (uintptr_t)mem + SK_PAGE_SIZE);
	settle();
	snapshot(before);
	CHECK_EQ(before[SK_PAGE_MAX_ORDER], 3);

	pages = calloc(pm.total_pages, sizeof(*pages));
	seen = calloc(pm.total_pages, sizeof(*seen));
	while ((p = sk_pmem_alloc(&pm, 0))) {
		size_t i = ((uintptr_t)p - pm.region[0].base) / SK_PAGE_SIZE;

		CHECK(block_ok(p, 0));
		if (i < pm.total_pages) {
			CHECK(!seen[i]);
			seen[i] = true;
		}
		CHECK(n < pm.total_pages);
		if (n < pm.total_pages)
			pages[n++] = p;
		CHECK_EQ(pm.free_pages, pm.total_pages - n);
	}
	CHECK_EQ(n, pm.total_pages);
	CHECK_EQ(pm.free_pages, 0);
	CHECK(sk_pmem_alloc(&pm, 0) == NULL);
	CHECK(sk_pmem_alloc(&pm, SK_PAGE_MAX_ORDER) == NULL);

	for (size_t i = 0; i < n; i++)
		sk_pmem_free(&pm, pages[(i * 7919) % n], 0); /* 7919 is prime: a scrambled order */
	CHECK_EQ(pm.free_pages, pm.total_pages);
	snapshot(after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(block_ok(sk_pmem_alloc(&pm, SK_PAGE_MAX_ORDER), SK_PAGE_MAX_ORDER));
	CHECK(sk_pmem_alloc(&pm, SK_PAGE_MAX_ORDER) == NULL);
	CHECK(sk_pmem_alloc(&pm, SK_PAGE_MAX_ORDER + 1) == NULL);
	free(pages);
	free(seen);
	free(mem);
}

/* A region at an odd address still yields only naturally aligned blocks inside it. */
static void test_unaligned_region(void)
{
	char *mem = host_mem(2 * MAX_BLOCK);
	uintptr_t base = (uintptr_t)mem + 5 * SK_PAGE_SIZE + 123;
	size_t len = MAX_BLOCK + 37 * SK_PAGE_SIZE - 500, got = 0;

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, base, len), 0);
	CHECK_EQ(pm.region[0].base, (uintptr_t)mem + 7 * SK_PAGE_SIZE);
	/* The end rounds down to mem + MAX_BLOCK + 41 pages. */
	CHECK_EQ(pm.total_pages, MAX_BLOCK / SK_PAGE_SIZE + 34);
	for (int order = SK_PAGE_MAX_ORDER; order >= 0; order--) {
		void *p;

		while ((p = sk_pmem_alloc(&pm, (unsigned)order))) {
			CHECK(block_ok(p, (unsigned)order));
			got += (size_t)1 << order;
		}
	}
	CHECK_EQ(got, pm.total_pages);
	CHECK_EQ(pm.free_pages, 0);
	free(mem);
}

struct slot {
	uint64_t *p;
	unsigned order;
	uint64_t tag;
};

/* Every page of a live block starts with its owner's tag, so any overlap shows up. */
static void tag_block(struct slot *s)
{
	for (size_t i = 0; i < ((size_t)1 << s->order); i++) {
		s->p[i * SK_PAGE_SIZE / 8] = s->tag + i;
		s->p[(i + 1) * SK_PAGE_SIZE / 8 - 1] = ~(s->tag + i);
	}
}

static bool tag_intact(const struct slot *s)
{
	for (size_t i = 0; i < ((size_t)1 << s->order); i++)
		if (s->p[i * SK_PAGE_SIZE / 8] != s->tag + i ||
		    s->p[(i + 1) * SK_PAGE_SIZE / 8 - 1] != ~(s->tag + i))
			return false;
	return true;
}

static void test_stress(void)
{
	static struct slot slots[200];
	size_t before[SK_PAGE_MAX_ORDER + 1], after[SK_PAGE_MAX_ORDER + 1], used = 0, fails = 0;
	char *a = host_mem(4 * MAX_BLOCK), *b = host_mem(3 * MAX_BLOCK);

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)a, 4 * MAX_BLOCK), 0);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)b + 3 * SK_PAGE_SIZE + 1,
				    2 * MAX_BLOCK + 77 * SK_PAGE_SIZE), 0);
	settle();
	snapshot(before);
	memset(slots, 0, sizeof(slots));
	for (uint64_t it = 1; it <= 30000; it++) {
		struct slot *s = &slots[rnd() % SK_ARRAY_SIZE(slots)];

		if (s->p) {
			CHECK(tag_intact(s));
			sk_pmem_free(&pm, s->p, s->order);
			used -= (size_t)1 << s->order;
			s->p = NULL;
		} else {
			uint64_t r = rnd();

			s->order = (unsigned)(r % 8 == 0 ? r / 8 % (SK_PAGE_MAX_ORDER + 1) : r / 8 % 4);
			s->p = sk_pmem_alloc(&pm, s->order);
			if (!s->p) {
				fails++;
				continue;
			}
			CHECK(block_ok(s->p, s->order));
			s->tag = it << 20;
			tag_block(s);
			used += (size_t)1 << s->order;
		}
		CHECK_EQ(pm.free_pages, pm.total_pages - used);
	}
	CHECK(fails > 0); /* the big orders must have run the allocator dry now and then */
	for (size_t i = 0; i < SK_ARRAY_SIZE(slots); i++) {
		if (slots[i].p) {
			CHECK(tag_intact(&slots[i]));
			sk_pmem_free(&pm, slots[i].p, slots[i].order);
		}
	}
	CHECK_EQ(pm.free_pages, pm.total_pages);
	snapshot(after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	free(a);
	free(b);
}

static void test_bad_free(void)
{
	char *mem = host_mem(MAX_BLOCK);
	char *p, *q, *r, *big;
	size_t free_pages;
	int local;

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, MAX_BLOCK), 0);
	/* The region starts at mem + 1 page, so these are pages 1, 2 and 3 and q, r are buddies. */
	p = sk_pmem_alloc(&pm, 0);
	q = sk_pmem_alloc(&pm, 0);
	r = sk_pmem_alloc(&pm, 0);
	CHECK(p == mem + SK_PAGE_SIZE && q == mem + 2 * SK_PAGE_SIZE && r == mem + 3 * SK_PAGE_SIZE);
	big = sk_pmem_alloc(&pm, 2);
	free_pages = pm.free_pages;

	sk_pmem_free(&pm, p, 0);
	EXPECT_PANIC(sk_pmem_free(&pm, p, 0));
	sk_pmem_free(&pm, r, 0);
	/* An order-1 free over a range that is partly free already. */
	EXPECT_PANIC(sk_pmem_free(&pm, q, 1));
	/* Now r merges into q's block: a second free of r must be caught inside that block. */
	sk_pmem_free(&pm, q, 0);
	EXPECT_PANIC(sk_pmem_free(&pm, r, 0));
	EXPECT_PANIC(sk_pmem_free(&pm, q, 0));
	EXPECT_PANIC(sk_pmem_free(&pm, &local, 0));
	EXPECT_PANIC(sk_pmem_free(&pm, NULL, 0));
	EXPECT_PANIC(sk_pmem_free(&pm, mem, 0)); /* the bitmap page is not managed */
	EXPECT_PANIC(sk_pmem_free(&pm, big + SK_PAGE_SIZE, 2));
	EXPECT_PANIC(sk_pmem_free(&pm, big + 8, 0));
	EXPECT_PANIC(sk_pmem_free(&pm, big, SK_PAGE_MAX_ORDER + 1));
	/* Nothing the caught bugs did changed any state. */
	CHECK_EQ(pm.free_pages, free_pages + 3);
	sk_pmem_free(&pm, big, 2);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	CHECK(block_ok(sk_pmem_alloc(&pm, SK_PAGE_MAX_ORDER - 1), SK_PAGE_MAX_ORDER - 1));
	free(mem);
}

UNIT_MAIN("pmem",
	  UNIT_TEST(test_page_order),
	  UNIT_TEST(test_add_region_errors),
	  UNIT_TEST(test_lazy_carving), UNIT_TEST(test_carving_touches_little), UNIT_TEST(test_all_pages),
	  UNIT_TEST(test_unaligned_region),
	  UNIT_TEST(test_stress),
	  UNIT_TEST(test_bad_free))
