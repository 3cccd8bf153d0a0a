// SPDX-License-Identifier: MIT
/* Buddy allocator for physical pages; each region keeps its free-head bitmap in its own first pages. */
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/page.h>
#include <skiff/panic.h>

struct sk_pmem sk_pmem_kernel;

#define BLOCK_BYTES(order) (SK_PAGE_SIZE << (order))
#define BITS_PER_WORD 64

/*
 * Written into the first bytes of every free block. It is only trusted when the region bitmap
 * says the page heads a free block, so data in allocated memory is never mistaken for it.
 */
struct free_block {
	struct sk_list link;
	unsigned order;
	unsigned region;
};

static uintptr_t region_end(const struct sk_pmem_region *r)
{
	return r->base + r->npages * SK_PAGE_SIZE;
}

/* Whether [addr, addr + len) lies wholly inside r; written so that nothing can overflow. */
static bool in_region(const struct sk_pmem_region *r, uintptr_t addr, size_t len)
{
	uintptr_t end = region_end(r);

	return addr >= r->base && addr <= end && end - addr >= len;
}

static int find_region(const struct sk_pmem *pm, uintptr_t addr)
{
	for (unsigned i = 0; i < pm->nr_regions; i++)
		if (in_region(&pm->region[i], addr, 1))
			return (int)i;
	return -1;
}

static bool test_bit(const struct sk_pmem_region *r, size_t i)
{
	return (r->free_head[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}

static size_t page_index(const struct sk_pmem_region *r, uintptr_t addr)
{
	return (addr - r->base) >> SK_PAGE_SHIFT;
}

static bool is_head(const struct sk_pmem_region *r, uintptr_t addr)
{
	return test_bit(r, page_index(r, addr));
}

static void set_head(struct sk_pmem_region *r, uintptr_t addr, bool on)
{
	size_t i = page_index(r, addr);
	uint64_t mask = (uint64_t)1 << (i % BITS_PER_WORD);

	if (on)
		r->free_head[i / BITS_PER_WORD] |= mask;
	else
		r->free_head[i / BITS_PER_WORD] &= ~mask;
}

static void push(struct sk_pmem *pm, unsigned ri, uintptr_t addr, unsigned order)
{
	struct free_block *fb = (struct free_block *)addr;

	fb->order = order;
	fb->region = ri;
	set_head(&pm->region[ri], addr, true);
	sk_list_add_head(&pm->free[order], &fb->link);
}

static void pull(struct sk_pmem *pm, struct free_block *fb)
{
	sk_list_del(&fb->link);
	set_head(&pm->region[fb->region], (uintptr_t)fb, false);
}

/* Put a block on the free lists, merging it with free buddies as far up as they go. */
static void release(struct sk_pmem *pm, unsigned ri, uintptr_t addr, unsigned order)
{
	const struct sk_pmem_region *r = &pm->region[ri];

	while (order < SK_PAGE_MAX_ORDER) {
		uintptr_t buddy = addr ^ BLOCK_BYTES(order);
		struct free_block *fb = (struct free_block *)buddy;

		/* A buddy cut off by the region edge can never be merged: the pair would stick out. */
		if (!in_region(r, buddy, BLOCK_BYTES(order)) || !is_head(r, buddy) ||
		    fb->order != order)
			break;
		pull(pm, fb);
		addr &= ~BLOCK_BYTES(order);
		order++;
	}
	push(pm, ri, addr, order);
}

/* Whether any page of the block at addr is already free: a double or overlapping free. */
static bool overlaps_free(const struct sk_pmem_region *r, uintptr_t addr, unsigned order)
{
	size_t first = page_index(r, addr);

	for (size_t i = first; i < first + ((size_t)1 << order); i++)
		if (test_bit(r, i))
			return true;
	/* A larger free block holding addr would start at addr rounded down to its own size. */
	for (unsigned o = order + 1; o <= SK_PAGE_MAX_ORDER; o++) {
		uintptr_t head = SK_ALIGN_DOWN(addr, BLOCK_BYTES(o));

		if (head >= r->base && is_head(r, head) && ((struct free_block *)head)->order >= o)
			return true;
	}
	return false;
}

/*
 * Carve the next block of some region at its carved mark: the largest naturally aligned block
 * that fits there, whatever the region's base, but no larger than want, the order the caller
 * needs. A block of exactly that order is the caller's (*out); a smaller one, which only brings
 * the mark to want's alignment, is freed, merging with free buddies below it as any freed block
 * does, so the blocks are the buddy system's whatever the carving steps. Carving no more than
 * needed matters: splitting a big block writes a free-list header into the first page of every
 * half it hands back (2 MiB, 1 MiB, ... away), and each such page is a first touch, the dearest
 * thing in a fresh VM. Returns false when every region is carved.
 */
static bool carve_next(struct sk_pmem *pm, unsigned want, void **out)
{
	for (unsigned ri = 0; ri < pm->nr_regions; ri++) {
		struct sk_pmem_region *r = &pm->region[ri];
		uintptr_t addr = r->carved, end = region_end(r);
		unsigned order = want;

		if (addr >= end)
			continue;
		while (!SK_IS_ALIGNED(addr, BLOCK_BYTES(order)) || end - addr < BLOCK_BYTES(order))
			order--;
		r->carved += BLOCK_BYTES(order);
		if (order == want)
			*out = (void *)addr;
		else
			release(pm, ri, addr, order);
		return true;
	}
	return false;
}

void sk_pmem_init(struct sk_pmem *pm)
{
	memset(pm, 0, sizeof(*pm));
	for (unsigned o = 0; o <= SK_PAGE_MAX_ORDER; o++)
		sk_list_init(&pm->free[o]);
}

int sk_pmem_add_region(struct sk_pmem *pm, uintptr_t base, size_t len)
{
	struct sk_pmem_region *r;
	uintptr_t start, end;
	size_t pages, meta, words;

	/* A range reaching the very top of the address space wraps too: its end is unrepresentable. */
	if (len == 0 || base + len < base)
		return -EINVAL;
	if (pm->nr_regions == SK_PMEM_MAX_REGIONS)
		return -ENOSPC;
	/* Round the end first: rounding a base near the top upward could wrap to 0. */
	end = SK_ALIGN_DOWN(base + len, SK_PAGE_SIZE);
	if (end <= base)
		return 0;
	start = SK_ALIGN_UP(base, SK_PAGE_SIZE);
	pages = (end - start) >> SK_PAGE_SHIFT;
	/* Sized for all pages, so it is never short for the pages that remain after it. */
	words = (pages + BITS_PER_WORD - 1) / BITS_PER_WORD;
	meta = (words * sizeof(uint64_t) + SK_PAGE_SIZE - 1) >> SK_PAGE_SHIFT;
	if (pages <= meta)
		return 0;

	r = &pm->region[pm->nr_regions];
	r->free_head = (uint64_t *)start;
	r->base = start + meta * SK_PAGE_SIZE;
	r->npages = pages - meta;
	r->carved = r->base;
	memset(r->free_head, 0, words * sizeof(uint64_t));
	pm->total_pages += r->npages;
	pm->free_pages += r->npages;
	pm->nr_regions++;
	return 0;
}

/* The most pages ever handed out at once (getrusage's ru_maxrss). */
static void note_peak(struct sk_pmem *pm)
{
	size_t used = pm->total_pages - pm->free_pages;

	if (used > pm->peak_used)
		pm->peak_used = used;
}

void *sk_pmem_alloc(struct sk_pmem *pm, unsigned order)
{
	struct free_block *fb;
	unsigned o = order, ri;
	void *carved = NULL;

	if (order > SK_PAGE_MAX_ORDER)
		return NULL;
	for (;;) {
		for (o = order; o <= SK_PAGE_MAX_ORDER && sk_list_empty(&pm->free[o]); o++)
			;
		if (o <= SK_PAGE_MAX_ORDER)
			break;
		if (!carve_next(pm, order, &carved))
			return NULL;
		if (carved) { /* straight to the caller: no header written into it */
			pm->free_pages -= (size_t)1 << order;
			note_peak(pm);
			return carved;
		}
	}
	fb = sk_list_entry(pm->free[o].next, struct free_block, link);
	ri = fb->region;
	pull(pm, fb);
	/* Keep the lower half each time and hand the upper halves back. */
	while (o > order) {
		o--;
		push(pm, ri, (uintptr_t)fb + BLOCK_BYTES(o), o);
	}
	pm->free_pages -= (size_t)1 << order;
	note_peak(pm);
	return fb;
}

size_t sk_pmem_peak_pages(const struct sk_pmem *pm)
{
	return pm->peak_used;
}

void sk_pmem_free(struct sk_pmem *pm, void *p, unsigned order)
{
	uintptr_t addr = (uintptr_t)p;
	int ri = find_region(pm, addr);

	/* Check everything before touching any state, so a caught bug leaves the allocator intact. */
	SK_BUG_ON(order > SK_PAGE_MAX_ORDER);
	SK_BUG_ON(ri < 0);
	SK_BUG_ON(!SK_IS_ALIGNED(addr, BLOCK_BYTES(order)));
	SK_BUG_ON(!in_region(&pm->region[ri], addr, BLOCK_BYTES(order)));
	SK_BUG_ON(pm->region[ri].carved - addr < BLOCK_BYTES(order)); /* never handed out */
	SK_BUG_ON(overlaps_free(&pm->region[ri], addr, order));
	release(pm, (unsigned)ri, addr, order);
	pm->free_pages += (size_t)1 << order;
}

unsigned sk_page_order(size_t size)
{
	size_t pages = size ? ((size - 1) >> SK_PAGE_SHIFT) + 1 : 1;
	unsigned order = 0;

	while (((size_t)1 << order) < pages)
		order++;
	return order;
}
