/* SPDX-License-Identifier: MIT */
/* Kernel heap: size classes carved from pages for small objects, page blocks for large ones. */
#ifndef SKIFF_HEAP_H
#define SKIFF_HEAP_H

#include <stddef.h>
#include <skiff/page.h>

/* Small objects are served from per-class free lists; the classes are powers of two. */
#define SK_HEAP_MIN_SHIFT 4  /* 16 bytes */
#define SK_HEAP_MAX_SHIFT 11 /* 2048 bytes; larger requests get their own page block */
#define SK_HEAP_NR_CLASSES (SK_HEAP_MAX_SHIFT - SK_HEAP_MIN_SHIFT + 1)

struct sk_heap {
	struct sk_pmem *pm;			     /* where pages come from */
	void *free[SK_HEAP_NR_CLASSES];		     /* singly linked free objects per class */
	char *next[SK_HEAP_NR_CLASSES];		     /* the current block's first unused slot */
	char *end[SK_HEAP_NR_CLASSES];		     /* and its end */
	size_t bytes_in_use;			     /* payload bytes handed out */
	size_t pages_in_use;			     /* pages taken from pm */
};

void sk_heap_init(struct sk_heap *h, struct sk_pmem *pm);

/*
 * Every allocation is 16-byte aligned and preceded by a header that records its class or page
 * order, so sk_heap_free needs no size. NULL on exhaustion or a size that would overflow.
 */
void *sk_heap_alloc(struct sk_heap *h, size_t size);
void *sk_heap_calloc(struct sk_heap *h, size_t n, size_t size);
/* Standard realloc semantics: NULL p allocates, size 0 frees and returns NULL. */
void *sk_heap_realloc(struct sk_heap *h, void *p, size_t size);
/* align: a power of two up to SK_PAGE_SIZE. */
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
