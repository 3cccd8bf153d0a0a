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
 * A run's best fit is looked for among this many stretches at most, fewer for short runs (the
 * heap's spans, asked for far more often). Measured on a fragmenting workload (test_fit's, as a
 * program, needing 43 MiB with no limit): 45 MiB with these limits; 4 looks for every run, 50.
 */
#define BEST_FIT_LOOKS 64
#define BEST_FIT_LOOKS_SHORT 4
#define SHORT_RUN 16

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

/*
 * The free block with the highest head at or below page i of r, if one lies within a top-order
 * block's distance (no free block can reach further): the bitmap is read a word at a time.
 */
static const struct free_block *head_at_or_below(const struct sk_pmem_region *r, size_t i)
{
	size_t w = i / BITS_PER_WORD, reach = (size_t)1 << SK_PAGE_MAX_ORDER;
	size_t lowest = i >= reach ? (i - reach) / BITS_PER_WORD : 0;
	unsigned b = i % BITS_PER_WORD;
	uint64_t bits = r->free_head[w] & (b == 63 ? ~(uint64_t)0 : ((uint64_t)2 << b) - 1);

	while (!bits) {
		if (w == lowest)
			return NULL;
		bits = r->free_head[--w];
	}
	return (const struct free_block *)(r->base +
					   ((w * BITS_PER_WORD + 63 - (unsigned)__builtin_clzll(bits))
					    << SK_PAGE_SHIFT));
}

/* The free block that holds the page at addr (below the carved mark), or NULL. */
static struct free_block *free_block_at(const struct sk_pmem_region *r, uintptr_t addr)
{
	const struct free_block *fb = head_at_or_below(r, page_index(r, addr));

	if (fb && (uintptr_t)fb + BLOCK_BYTES(fb->order) > addr)
		return (struct free_block *)fb;
	return NULL;
}

/* Whether any of the npages pages at addr is free already: a double or overlapping free. */
static bool range_has_free(const struct sk_pmem_region *r, uintptr_t addr, size_t npages)
{
	size_t first = page_index(r, addr);

	/* A free block holding a page either starts inside the range or holds its first page. */
	for (size_t i = first + 1; i < first + npages; i++)
		if (test_bit(r, i))
			return true;
	return free_block_at(r, addr) != NULL;
}

/* The largest order whose block starts at addr and holds no more than npages pages. */
static unsigned largest_fit(uintptr_t addr, size_t npages)
{
	unsigned o = 0;

	while (o < SK_PAGE_MAX_ORDER && SK_IS_ALIGNED(addr, BLOCK_BYTES(o + 1)) &&
	       ((size_t)2 << o) <= npages)
		o++;
	return o;
}

/*
 * Put any run of pages on the free lists as the naturally aligned blocks it is made of, largest
 * first; each merges with its free buddies as any freed block does.
 */
static void free_range(struct sk_pmem *pm, unsigned ri, uintptr_t addr, size_t npages)
{
	while (npages) {
		unsigned o = largest_fit(addr, npages);

		release(pm, ri, addr, o);
		addr += BLOCK_BYTES(o);
		npages -= (size_t)1 << o;
	}
}

/* Whether every page of [addr, end) is free: on the free lists, or past the carved mark. */
static bool range_free(const struct sk_pmem_region *r, uintptr_t addr, uintptr_t end)
{
	while (addr < end && addr < r->carved) {
		const struct free_block *fb = free_block_at(r, addr);

		if (!fb)
			return false;
		addr = (uintptr_t)fb + BLOCK_BYTES(fb->order);
	}
	return true;
}

/* The most pages ever handed out at once (getrusage's ru_maxrss). */
static void note_peak(struct sk_pmem *pm)
{
	size_t used = pm->total_pages - pm->free_pages;

	if (used > pm->peak_used)
		pm->peak_used = used;
}

/*
 * Take [addr, end) of region ri, which range_free vouched for: the free blocks it overlaps come
 * off the lists and their parts outside the range go back; never-carved pages become carved
 * without being written (a free-list header would be a first touch).
 */
static void take_range(struct sk_pmem *pm, unsigned ri, uintptr_t addr, uintptr_t end)
{
	struct sk_pmem_region *r = &pm->region[ri];
	uintptr_t x = addr;

	while (x < end && x < r->carved) {
		struct free_block *fb = free_block_at(r, x);
		uintptr_t head = (uintptr_t)fb, tail = head + BLOCK_BYTES(fb->order);

		pull(pm, fb);
		if (head < addr)
			free_range(pm, ri, head, (addr - head) >> SK_PAGE_SHIFT);
		if (tail > end)
			free_range(pm, ri, end, (tail - end) >> SK_PAGE_SHIFT);
		x = tail;
	}
	if (end > r->carved) {
		/* Pages skipped between the mark and the range stay free, now carved. */
		if (addr > r->carved)
			free_range(pm, ri, r->carved, (addr - r->carved) >> SK_PAGE_SHIFT);
		r->carved = end;
	}
	pm->free_pages -= (end - addr) >> SK_PAGE_SHIFT;
	note_peak(pm);
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
	SK_BUG_ON(range_has_free(&pm->region[ri], addr, (size_t)1 << order));
	release(pm, (unsigned)ri, addr, order);
	pm->free_pages += (size_t)1 << order;
}

/* npages pages at addr of region ri, if they are all free there: taken, and true. */
static bool take_if_free(struct sk_pmem *pm, unsigned ri, uintptr_t addr, size_t npages)
{
	const struct sk_pmem_region *r = &pm->region[ri];

	if (npages > SIZE_MAX >> SK_PAGE_SHIFT || !in_region(r, addr, npages << SK_PAGE_SHIFT) ||
	    !range_free(r, addr, addr + (npages << SK_PAGE_SHIFT)))
		return false;
	take_range(pm, ri, addr, addr + (npages << SK_PAGE_SHIFT));
	return true;
}

/* The free block that ends where addr (a free block's head, or the carved mark) starts, or NULL. */
static const struct free_block *free_block_before(const struct sk_pmem_region *r, uintptr_t addr)
{
	const struct free_block *fb;

	if (addr <= r->base)
		return NULL;
	fb = head_at_or_below(r, page_index(r, addr) - 1);
	return fb && (uintptr_t)fb + BLOCK_BYTES(fb->order) == addr ? fb : NULL;
}

/* The first page of the stretch of free blocks in a row that starts at or runs up to addr. */
static uintptr_t stretch_start(const struct sk_pmem_region *r, uintptr_t addr)
{
	const struct free_block *fb;

	while ((fb = free_block_before(r, addr)))
		addr = (uintptr_t)fb;
	return addr;
}

/*
 * Where a run of npages could start at the top of region ri's carved part: the first page of the
 * free blocks just below the carved mark, so that a run there uses them before fresh pages.
 */
static uintptr_t free_top(const struct sk_pmem_region *r)
{
	return stretch_start(r, r->carved);
}

/*
 * The length in pages of the free stretch from start on, counted no further than limit; at a
 * carved mark it runs on through the fresh pages to the region's end. A free block's successor,
 * if free, is a free block's head: free blocks never overlap.
 */
static size_t stretch_len(const struct sk_pmem_region *r, uintptr_t start, size_t limit)
{
	uintptr_t x = start;

	while (x < r->carved && (x - start) >> SK_PAGE_SHIFT < limit && is_head(r, x))
		x += BLOCK_BYTES(((const struct free_block *)x)->order);
	if (x >= r->carved)
		x = region_end(r);
	return (x - start) >> SK_PAGE_SHIFT;
}

/*
 * A run of npages from the shortest stretch of free memory that holds it (best fit), from the
 * stretch's start. Runs and spans of odd lengths leave free memory in stretches of blocks in a
 * row that no single block covers; taking the smallest block of the run's order instead (the
 * buddy way) splits large blocks for short runs and leaves the long runs nowhere to go: on a
 * fragmenting workload (tests/unit/test_heap.c test_fit's, as a program) best fit needed 45 MiB
 * where that needed 86. A stretch of npages, 2^k <= npages < 2^(k+1), holds an aligned block of
 * 2^(k-1) pages, which a free block of at least that order covers (free buddies merge), so only
 * those are looked at, from the smallest order up; the fresh pages after each carved mark are a
 * stretch too, the last resort. Freshly carved pages are handed out without a header written.
 */
static void *take_best_fit(struct sk_pmem *pm, size_t npages)
{
	size_t best = SIZE_MAX, len;
	uintptr_t best_start = 0, start;
	unsigned best_ri = 0, k = 0, looks = 0;
	unsigned max_looks = npages < SHORT_RUN ? BEST_FIT_LOOKS_SHORT : BEST_FIT_LOOKS;
	struct sk_list *pos;

	while (k < SK_PAGE_MAX_ORDER && ((size_t)2 << k) <= npages)
		k++;
	for (unsigned o = k ? k - 1 : 0; o <= SK_PAGE_MAX_ORDER && best != npages; o++) {
		sk_list_for_each(pos, &pm->free[o]) {
			struct free_block *fb = sk_list_entry(pos, struct free_block, link);
			const struct sk_pmem_region *r = &pm->region[fb->region];
			const struct free_block *prev;

			/* Walk back only when the stretch might still be the shortest yet. */
			len = stretch_len(r, (uintptr_t)fb, best);
			start = (uintptr_t)fb;
			while (len < best && (prev = free_block_before(r, start))) {
				start = (uintptr_t)prev;
				len += (size_t)1 << prev->order;
			}
			if (len >= npages && len < best) {
				best = len;
				best_start = start;
				best_ri = fb->region;
			}
			if (best == npages || ++looks == max_looks)
				break;
		}
		if (looks == max_looks)
			break;
	}
	for (unsigned ri = 0; ri < pm->nr_regions && best == SIZE_MAX; ri++) {
		const struct sk_pmem_region *r = &pm->region[ri];

		start = free_top(r);
		len = (region_end(r) - start) >> SK_PAGE_SHIFT;
		if (len >= npages && len < best) {
			best = len;
			best_start = start;
			best_ri = ri;
		}
	}
	if (best == SIZE_MAX)
		return NULL;
	take_range(pm, best_ri, best_start, best_start + (npages << SK_PAGE_SHIFT));
	return (void *)best_start;
}

void *sk_pmem_alloc_pages(struct sk_pmem *pm, size_t npages)
{
	return npages ? take_best_fit(pm, npages) : NULL;
}

void sk_pmem_free_pages(struct sk_pmem *pm, void *p, size_t npages)
{
	uintptr_t addr = (uintptr_t)p;
	int ri = find_region(pm, addr);
	const struct sk_pmem_region *r;

	/* As sk_pmem_free: every check before any change. */
	SK_BUG_ON(ri < 0);
	r = &pm->region[ri];
	SK_BUG_ON(!npages || !SK_IS_ALIGNED(addr, SK_PAGE_SIZE));
	SK_BUG_ON(addr >= r->carved || npages > (r->carved - addr) >> SK_PAGE_SHIFT);
	SK_BUG_ON(range_has_free(r, addr, npages));
	free_range(pm, (unsigned)ri, addr, npages);
	pm->free_pages += npages;
}

bool sk_pmem_claim(struct sk_pmem *pm, void *p, size_t npages)
{
	uintptr_t addr = (uintptr_t)p;
	int ri = find_region(pm, addr);

	if (ri < 0 || !npages || !SK_IS_ALIGNED(addr, SK_PAGE_SIZE))
		return false;
	return take_if_free(pm, (unsigned)ri, addr, npages);
}

unsigned sk_page_order(size_t size)
{
	size_t pages = size ? ((size - 1) >> SK_PAGE_SHIFT) + 1 : 1;
	unsigned order = 0;

	while (((size_t)1 << order) < pages)
		order++;
	return order;
}
