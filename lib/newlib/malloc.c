// SPDX-License-Identifier: MIT
/*
 * malloc and friends on the kernel heap: one allocator for kernel and app, already safe between
 * cooperative threads, so newlib's own malloc (and its sbrk and lock) stay out of the image.
 * newlib's internals call the reentrant _r forms, apps the plain ones; both are here.
 */
#include <errno.h>
#include <malloc.h>
#include <reent.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/heap.h>

static void *nomem(void *p)
{
	if (!p)
		errno = ENOMEM;
	return p;
}

void *malloc(size_t n)
{
	return nomem(sk_heap_alloc(&sk_heap_kernel, n));
}

void free(void *p)
{
	sk_heap_free(&sk_heap_kernel, p);
}

void *calloc(size_t n, size_t size)
{
	return nomem(sk_heap_calloc(&sk_heap_kernel, n, size));
}

void *realloc(void *p, size_t n)
{
	void *q = sk_heap_realloc(&sk_heap_kernel, p, n);

	return n ? nomem(q) : q;
}

/* Alignments above a page are not supported: NULL with EINVAL. */
void *memalign(size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *))
		align = sizeof(void *);
	p = sk_heap_memalign(&sk_heap_kernel, align, n);
	if (!p)
		errno = (align & (align - 1)) || align > SK_PAGE_SIZE ? EINVAL : ENOMEM;
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = sk_heap_memalign(&sk_heap_kernel, align, n);
	if (!p)
		return align > SK_PAGE_SIZE ? EINVAL : ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	return memalign(SK_PAGE_SIZE, n);
}

void *pvalloc(size_t n)
{
	return memalign(SK_PAGE_SIZE, (n + SK_PAGE_SIZE - 1) & ~(SK_PAGE_SIZE - 1));
}

size_t malloc_usable_size(void *p)
{
	return p ? sk_heap_usable_size(p) : 0;
}

void *_malloc_r(struct _reent *r, size_t n) { (void)r; return malloc(n); }
void _free_r(struct _reent *r, void *p) { (void)r; free(p); }
void *_calloc_r(struct _reent *r, size_t n, size_t s) { (void)r; return calloc(n, s); }
void *_realloc_r(struct _reent *r, void *p, size_t n) { (void)r; return realloc(p, n); }
void *_memalign_r(struct _reent *r, size_t a, size_t n) { (void)r; return memalign(a, n); }
void *_valloc_r(struct _reent *r, size_t n) { (void)r; return valloc(n); }
void *_pvalloc_r(struct _reent *r, size_t n) { (void)r; return pvalloc(n); }
size_t _malloc_usable_size_r(struct _reent *r, void *p) { (void)r; return malloc_usable_size(p); }
