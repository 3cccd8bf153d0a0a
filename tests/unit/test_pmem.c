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

/* Pages [first, first + n) of mem all still hold the fill byte. */
static bool untouched(const unsigned char *mem, size_t first, size_t n)
{
	for (size_t i = first * SK_PAGE_SIZE; i < (first + n) * SK_PAGE_SIZE; i++)
		if (mem[i] != 0xa5)
			return false;
	return true;
}

/*
 * A run from fresh memory takes exactly its pages, unaligned, and carves and writes nothing past
 * them; the next run follows it directly.
 */
static void test_run_fresh(void)
{
	size_t len = 4 * MAX_BLOCK;
	unsigned char *mem = (unsigned char *)host_mem(len), *a, *b;

	memset(mem, 0xa5, len);
	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, len), 0);
	CHECK(sk_pmem_alloc_pages(&pm, 0) == NULL);
	a = sk_pmem_alloc_pages(&pm, 5);
	CHECK(a == mem + SK_PAGE_SIZE);
	CHECK_EQ(pm.free_pages, pm.total_pages - 5);
	CHECK_EQ(pm.region[0].carved, (uintptr_t)mem + 6 * SK_PAGE_SIZE);
	CHECK(untouched(mem, 1, len / SK_PAGE_SIZE - 1));
	b = sk_pmem_alloc_pages(&pm, 3);
	CHECK(b == a + 5 * SK_PAGE_SIZE);
	CHECK_EQ(pm.free_pages, pm.total_pages - 8);
	for (unsigned o = 0; o <= SK_PAGE_MAX_ORDER; o++)
		CHECK_EQ(count_free(o), 0);
	/* Freed, a run's pages become the aligned blocks they are made of, merged with their buddies. */
	sk_pmem_free_pages(&pm, a, 5);
	CHECK_EQ(pm.free_pages, pm.total_pages - 3);
	CHECK_EQ(count_free(0), 1); /* page 1 */
	CHECK_EQ(count_free(1), 2); /* pages 2-3 and 4-5 (6-7 are b's) */
	sk_pmem_free_pages(&pm, b, 3);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	/* 4-5 merged with 6-7; page 8's buddy was never carved. Pages 1-8 are all there is. */
	CHECK_EQ(count_free(0), 2);
	CHECK_EQ(count_free(1), 1);
	CHECK_EQ(count_free(2), 1);
	CHECK_EQ(count_free(3), 0);
	free(mem);
}

/* A run from a larger free block gives the block's tail back: the pmem's count is exact. */
static void test_run_tail_returned(void)
{
	char *mem = host_mem(MAX_BLOCK), *blk, *run, *below, *above;
	size_t before[SK_PAGE_MAX_ORDER + 1], after[SK_PAGE_MAX_ORDER + 1];

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, MAX_BLOCK), 0);
	/* Pages 8-15 as an order-3 block, with used pages on both sides: a stretch of its own. */
	below = sk_pmem_alloc_pages(&pm, 7);
	blk = sk_pmem_alloc(&pm, 3);
	above = sk_pmem_alloc_pages(&pm, 1);
	CHECK(below == mem + SK_PAGE_SIZE && blk == mem + 8 * SK_PAGE_SIZE);
	CHECK(above == mem + 16 * SK_PAGE_SIZE);
	sk_pmem_free(&pm, blk, 3);
	snapshot(before);
	CHECK_EQ(before[3], 1);
	run = sk_pmem_alloc_pages(&pm, 5);
	CHECK(run == blk);
	CHECK_EQ(pm.free_pages, pm.total_pages - 13);
	CHECK_EQ(count_free(3), 0);
	CHECK_EQ(count_free(0), 1); /* page 13 */
	CHECK_EQ(count_free(1), 1); /* pages 14-15 */
	/* Freeing exactly what was taken restores every list. */
	sk_pmem_free_pages(&pm, run, 5);
	CHECK_EQ(pm.free_pages, pm.total_pages - 8);
	snapshot(after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	/* A run's tail alone may go back (a shrinking run), then the rest. */
	run = sk_pmem_alloc_pages(&pm, 7);
	CHECK(run == blk);
	sk_pmem_free_pages(&pm, run + 4 * SK_PAGE_SIZE, 3);
	CHECK_EQ(pm.free_pages, pm.total_pages - 12);
	sk_pmem_free_pages(&pm, run, 4);
	snapshot(after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	/* A short run takes the shortest stretch that holds it, not a piece of a longer one. */
	sk_pmem_free_pages(&pm, below + 2 * SK_PAGE_SIZE, 2); /* pages 3-4 */
	CHECK(sk_pmem_alloc_pages(&pm, 2) == below + 2 * SK_PAGE_SIZE);
	CHECK(sk_pmem_alloc_pages(&pm, 8) == blk);
	free(mem);
}

/* Runs longer than the largest block: from fresh memory, and again from freed top-order blocks. */
static void test_run_long(void)
{
	size_t len = 4 * MAX_BLOCK, n = 2 * (MAX_BLOCK / SK_PAGE_SIZE) + 3;
	char *mem = host_mem(len), *a, *b;

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, len), 0);
	a = sk_pmem_alloc_pages(&pm, n);
	CHECK(a == mem + SK_PAGE_SIZE);
	CHECK_EQ(pm.free_pages, pm.total_pages - n);
	memset(a, 1, n * SK_PAGE_SIZE);
	CHECK(sk_pmem_alloc_pages(&pm, pm.free_pages + 1) == NULL);
	sk_pmem_free_pages(&pm, a, n);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	settle();
	/*
	 * Now the region is on the free lists, all one stretch: the pieces up to the first 4 MiB
	 * boundary, three top-order blocks. The run starts where the stretch does, and what is
	 * left is one run too.
	 */
	b = sk_pmem_alloc_pages(&pm, n);
	CHECK(b == (char *)pm.region[0].base);
	CHECK_EQ(pm.free_pages, pm.total_pages - n);
	memset(b, 2, n * SK_PAGE_SIZE);
	a = sk_pmem_alloc_pages(&pm, pm.free_pages);
	CHECK(a == b + n * SK_PAGE_SIZE);
	CHECK_EQ(pm.free_pages, 0);
	sk_pmem_free_pages(&pm, a, pm.total_pages - n);
	sk_pmem_free_pages(&pm, b, n);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	/* All of it, in one run. */
	a = sk_pmem_alloc_pages(&pm, pm.total_pages);
	CHECK(a == (char *)pm.region[0].base);
	CHECK_EQ(pm.free_pages, 0);
	sk_pmem_free_pages(&pm, a, pm.total_pages);
	free(mem);
}

/* Claiming the pages after a run: fresh ones, free-list ones, never used ones. */
static void test_claim(void)
{
	size_t len = 4 * MAX_BLOCK;
	char *mem = host_mem(len), *a, *b;
	size_t free_pages;
	int local;

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, len), 0);
	a = sk_pmem_alloc_pages(&pm, 5);
	CHECK(sk_pmem_claim(&pm, a + 5 * SK_PAGE_SIZE, 3)); /* never carved */
	CHECK_EQ(pm.free_pages, pm.total_pages - 8);
	b = sk_pmem_alloc_pages(&pm, 4);
	CHECK(b == a + 8 * SK_PAGE_SIZE);
	free_pages = pm.free_pages;
	CHECK(!sk_pmem_claim(&pm, a + 7 * SK_PAGE_SIZE, 1)); /* a's own page */
	CHECK(!sk_pmem_claim(&pm, b, 2));
	CHECK(!sk_pmem_claim(&pm, a + 8 * SK_PAGE_SIZE + 100, 1));
	CHECK(!sk_pmem_claim(&pm, &local, 1));
	CHECK(!sk_pmem_claim(&pm, b + 4 * SK_PAGE_SIZE, 0));
	CHECK(!sk_pmem_claim(&pm, b + 4 * SK_PAGE_SIZE, len)); /* past the region's end */
	CHECK(!sk_pmem_claim(&pm, b + 4 * SK_PAGE_SIZE, SIZE_MAX / 2));
	CHECK_EQ(pm.free_pages, free_pages);
	/* b freed, its pages are free-list blocks: a grows over them and on into fresh pages. */
	sk_pmem_free_pages(&pm, b, 4);
	CHECK(sk_pmem_claim(&pm, a + 8 * SK_PAGE_SIZE, 10));
	CHECK_EQ(pm.free_pages, pm.total_pages - 18);
	for (unsigned o = 0; o <= SK_PAGE_MAX_ORDER; o++)
		CHECK_EQ(count_free(o), 0);
	sk_pmem_free_pages(&pm, a, 18);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	/* A claim in the middle of a free block splits it: the parts around stay free. */
	settle();
	a = (char *)pm.region[0].base + MAX_BLOCK + 7 * SK_PAGE_SIZE;
	CHECK(sk_pmem_claim(&pm, a, 9));
	CHECK_EQ(pm.free_pages, pm.total_pages - 9);
	CHECK(!sk_pmem_claim(&pm, a + 8 * SK_PAGE_SIZE, 2));
	sk_pmem_free_pages(&pm, a, 9);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	CHECK(block_ok(sk_pmem_alloc(&pm, SK_PAGE_MAX_ORDER), SK_PAGE_MAX_ORDER));
	free(mem);
}

static void test_run_bad_free(void)
{
	char *mem = host_mem(MAX_BLOCK), *a, *b;
	size_t free_pages;

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem, MAX_BLOCK), 0);
	a = sk_pmem_alloc_pages(&pm, 5);
	b = sk_pmem_alloc_pages(&pm, 3);
	sk_pmem_free_pages(&pm, a + 2 * SK_PAGE_SIZE, 2);
	free_pages = pm.free_pages;
	EXPECT_PANIC(sk_pmem_free_pages(&pm, a + 2 * SK_PAGE_SIZE, 2));
	EXPECT_PANIC(sk_pmem_free_pages(&pm, a + 3 * SK_PAGE_SIZE, 1));
	EXPECT_PANIC(sk_pmem_free_pages(&pm, a, 5));     /* partly free already */
	EXPECT_PANIC(sk_pmem_free_pages(&pm, b, 4));     /* past the carved mark */
	EXPECT_PANIC(sk_pmem_free_pages(&pm, b + 3 * SK_PAGE_SIZE, 1));
	EXPECT_PANIC(sk_pmem_free_pages(&pm, b + 8, 1)); /* not page aligned */
	EXPECT_PANIC(sk_pmem_free_pages(&pm, b, 0));
	EXPECT_PANIC(sk_pmem_free_pages(&pm, mem, 1));   /* the bitmap page */
	EXPECT_PANIC(sk_pmem_free_pages(&pm, NULL, 1));
	CHECK_EQ(pm.free_pages, free_pages);
	sk_pmem_free_pages(&pm, a, 2);
	sk_pmem_free_pages(&pm, a + 4 * SK_PAGE_SIZE, 1);
	sk_pmem_free_pages(&pm, b, 3);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	free(mem);
}

/* Runs of any length, allocated, grown in place, shrunk and freed at random: nothing overlaps. */
static void test_run_stress(void)
{
	static struct { char *p; size_t n; uint64_t tag; } runs[100];
	size_t before[SK_PAGE_MAX_ORDER + 1], after[SK_PAGE_MAX_ORDER + 1], used = 0, claims = 0;
	size_t fails = 0;
	char *mem = host_mem(8 * MAX_BLOCK);

	sk_pmem_init(&pm);
	CHECK_EQ(sk_pmem_add_region(&pm, (uintptr_t)mem + 5 * SK_PAGE_SIZE,
				    8 * MAX_BLOCK - 9 * SK_PAGE_SIZE), 0);
	settle();
	snapshot(before);
	memset(runs, 0, sizeof(runs));
	for (uint64_t it = 1; it <= 20000; it++) {
		size_t i = rnd() % SK_ARRAY_SIZE(runs), k;
		uint64_t r = rnd();

		for (k = 0; runs[i].p && k < runs[i].n; k++)
			CHECK(*(uint64_t *)(runs[i].p + k * SK_PAGE_SIZE) == runs[i].tag + k);
		if (!runs[i].p) {
			runs[i].n = r % 16 == 0 ? 1 + r / 16 % 3000 : 1 + r / 16 % 40;
			if (!(runs[i].p = sk_pmem_alloc_pages(&pm, runs[i].n))) {
				fails++;
				continue;
			}
			used += runs[i].n;
			k = 0;
		} else if (r % 3 == 0) {
			size_t more = 1 + r / 3 % 20;

			if (!sk_pmem_claim(&pm, runs[i].p + runs[i].n * SK_PAGE_SIZE, more))
				continue;
			claims++;
			k = runs[i].n;
			runs[i].n += more;
			used += more;
		} else if (r % 3 == 1 && runs[i].n > 1) {
			size_t less = 1 + r / 3 % (runs[i].n - 1);

			runs[i].n -= less;
			sk_pmem_free_pages(&pm, runs[i].p + runs[i].n * SK_PAGE_SIZE, less);
			used -= less;
			continue;
		} else {
			sk_pmem_free_pages(&pm, runs[i].p, runs[i].n);
			used -= runs[i].n;
			runs[i].p = NULL;
			continue;
		}
		/* A claim must not have moved what the run held; then all of it gets a new tag. */
		for (size_t j = 0; j < k; j++)
			CHECK(*(uint64_t *)(runs[i].p + j * SK_PAGE_SIZE) == runs[i].tag + j);
		runs[i].tag = it << 24;
		for (k = 0; k < runs[i].n; k++)
			*(uint64_t *)(runs[i].p + k * SK_PAGE_SIZE) = runs[i].tag + k;
		CHECK_EQ(pm.free_pages, pm.total_pages - used);
	}
	CHECK(claims > 1000 && fails > 0); /* grew in place often; long runs ran it dry now and then */
	for (size_t i = 0; i < SK_ARRAY_SIZE(runs); i++)
		if (runs[i].p)
			sk_pmem_free_pages(&pm, runs[i].p, runs[i].n);
	CHECK_EQ(pm.free_pages, pm.total_pages);
	snapshot(after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	free(mem);
}

UNIT_MAIN("pmem",
	  UNIT_TEST(test_page_order),
	  UNIT_TEST(test_add_region_errors),
	  UNIT_TEST(test_lazy_carving), UNIT_TEST(test_carving_touches_little), UNIT_TEST(test_all_pages),
	  UNIT_TEST(test_unaligned_region),
	  UNIT_TEST(test_stress),
	  UNIT_TEST(test_bad_free),
	  UNIT_TEST(test_run_fresh), UNIT_TEST(test_run_tail_returned), UNIT_TEST(test_run_long),
	  UNIT_TEST(test_claim), UNIT_TEST(test_run_bad_free), UNIT_TEST(test_run_stress))
