/* SPDX-License-Identifier: MIT */
/* Physical page allocator: a buddy allocator over the RAM regions the platform reports. */
#ifndef SKIFF_PAGE_H
#define SKIFF_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/list.h>

#define SK_PAGE_SHIFT 12
#define SK_PAGE_SIZE (1UL << SK_PAGE_SHIFT)
/* Largest block: 2^SK_PAGE_MAX_ORDER pages (4 MiB with order 10). */
#define SK_PAGE_MAX_ORDER 10
#define SK_PMEM_MAX_REGIONS 16

/*
 * One contiguous run of managed pages. Its metadata (a bitmap with one bit per page, set when the
 * page heads a free block) lives in the first pages of the region itself, so the allocator needs
 * no memory of its own before it starts. Pages from carved on have never been handed out: they
 * become free blocks only when the free lists run dry, a block of the size wanted at a time, so
 * that the allocator touches no page of free memory it does not hand out (a first touch is what
 * costs most in a fresh VM).
 */
struct sk_pmem_region {
	uintptr_t base;	     /* first managed page (after the bitmap) */
	size_t npages;	     /* managed pages */
	uintptr_t carved;    /* [base, carved) is on the free lists or handed out */
	uint64_t *free_head; /* bitmap: bit i set = page i heads a free block */
};

struct sk_pmem {
	struct sk_list free[SK_PAGE_MAX_ORDER + 1]; /* free blocks per order */
	struct sk_pmem_region region[SK_PMEM_MAX_REGIONS];
	unsigned nr_regions;
	size_t total_pages; /* managed pages in all regions */
	size_t free_pages;
	size_t peak_used;   /* the most pages allocated at once */
};

/* The most pages that were allocated at one time. */
size_t sk_pmem_peak_pages(const struct sk_pmem *pm);

/* Prepare an empty allocator. */
void sk_pmem_init(struct sk_pmem *pm);

/*
 * Hand [base, base+len) to the allocator. The range is rounded inward to whole pages; a range too
 * small to hold its own bitmap and one page is ignored. The caller guarantees the memory is RAM,
 * addressable at its physical address, and used by nothing else.
 * Returns 0, -ENOSPC when SK_PMEM_MAX_REGIONS regions are already in use, or -EINVAL for an empty
 * or wrapping range.
 */
int sk_pmem_add_region(struct sk_pmem *pm, uintptr_t base, size_t len);

/* A block of 2^order pages aligned to its own size, or NULL. Contents are not zeroed. */
void *sk_pmem_alloc(struct sk_pmem *pm, unsigned order);

/*
 * Return a block from sk_pmem_alloc with the same order. Freeing a pointer the allocator did not
 * hand out, or freeing twice, is a bug caught with SK_BUG_ON where it can be detected.
 */
void sk_pmem_free(struct sk_pmem *pm, void *p, unsigned order);

/*
 * A run of npages contiguous pages, page aligned (not aligned to its size), or NULL; npages 0
 * gives NULL. Placed by best fit among the stretches of free blocks in a row, fresh pages last.
 * Only the pages asked for are taken: what a free block holds beyond them goes back, and a run
 * from fresh memory carves nothing beyond itself. A run may be longer than the largest block.
 */
void *sk_pmem_alloc_pages(struct sk_pmem *pm, size_t npages);

/*
 * Return npages pages at p: a run from sk_pmem_alloc_pages, or any part of one (its tail, when
 * a run shrinks), or a block from sk_pmem_alloc. Pages that are free already or were never handed
 * out are a bug (SK_BUG_ON), caught before anything changes.
 */
void sk_pmem_free_pages(struct sk_pmem *pm, void *p, size_t npages);

/*
 * Take the npages pages at p if every one of them is free: how a run grows in place. Returns
 * false, changing nothing, when any is in use or they are not all inside one region.
 */
bool sk_pmem_claim(struct sk_pmem *pm, void *p, size_t npages);

/* The smallest order whose block holds size bytes (size 0 gives order 0). */
unsigned sk_page_order(size_t size);

/* The kernel's instance, set up by the boot sequence. */
extern struct sk_pmem sk_pmem_kernel;

static inline void *sk_page_alloc(unsigned order)
{
	return sk_pmem_alloc(&sk_pmem_kernel, order);
}

static inline void sk_page_free(void *p, unsigned order)
{
	sk_pmem_free(&sk_pmem_kernel, p, order);
}

#endif
