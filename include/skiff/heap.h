/* SPDX-License-Identifier: MIT */
/* Kernel heap: size classes packed in runs of pages for small objects, exact runs for large. */
#ifndef SKIFF_HEAP_H
#define SKIFF_HEAP_H

#include <stddef.h>
#include <skiff/page.h>

/*
 * Small objects are served from size classes: 16 to 128 bytes in 16-byte steps, then eight
 * classes per doubling up to SK_HEAP_SMALL_MAX, so rounding up wastes at most an eighth. Each
 * class packs its objects into spans (runs of pages); larger requests get a run of their own of
 * exactly the pages they need.
 */
#define SK_HEAP_SMALL_MAX 32768
#define SK_HEAP_NR_CLASSES 72

struct sk_heap_span;

struct sk_heap {
	struct sk_pmem *pm;				 /* where pages come from */
	struct sk_heap_span *avail[SK_HEAP_NR_CLASSES]; /* per class: spans with a free slot */
	unsigned spans[SK_HEAP_NR_CLASSES];		 /* per class: spans held */
	size_t bytes_in_use;				 /* payload bytes handed out */
	size_t pages_in_use;				 /* pages taken from pm */
	size_t pages_peak;				 /* the most pages_in_use has been */
};

void sk_heap_init(struct sk_heap *h, struct sk_pmem *pm);

/*
 * Every allocation is 16-byte aligned and preceded by a header that records its class or its
 * run's length, so sk_heap_free needs no size. NULL on exhaustion or a size that would overflow.
 */
void *sk_heap_alloc(struct sk_heap *h, size_t size);
void *sk_heap_calloc(struct sk_heap *h, size_t n, size_t size);
/*
 * Standard realloc semantics: NULL p allocates, size 0 frees and returns NULL. A run grows into
 * the free pages after it and shrinks by giving its tail back, in place; anything else moves.
 */
void *sk_heap_realloc(struct sk_heap *h, void *p, size_t size);
/* align: a power of two up to SK_PAGE_SIZE; above 16 the allocation is a run of pages. */
void *sk_heap_memalign(struct sk_heap *h, size_t align, size_t size);
/* NULL is ignored. A pointer with a corrupt header is a bug (SK_BUG_ON). */
void sk_heap_free(struct sk_heap *h, void *p);
/* Usable bytes in the allocation p (at least what was asked for). */
size_t sk_heap_usable_size(const void *p);

extern struct sk_heap sk_heap_kernel;

static inline void *sk_malloc(size_t size) { return sk_heap_alloc(&sk_heap_kernel, size); }
static inline void *sk_calloc(size_t n, size_t size) { return sk_heap_calloc(&sk_heap_kernel, n, size); }
static inline void *sk_realloc(void *p, size_t size) { return sk_heap_realloc(&sk_heap_kernel, p, size); }
static inline void sk_free(void *p) { sk_heap_free(&sk_heap_kernel, p); }

#endif
