// SPDX-License-Identifier: MIT
/* Kernel heap: power-of-two size classes carved from pmem pages, whole page blocks for the rest. */
#include <stdint.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include <skiff/panic.h>

struct sk_heap sk_heap_kernel;

#define HDR_SIZE 16
#define SMALL_MAX ((size_t)1 << SK_HEAP_MAX_SHIFT)
#define MAGIC_LIVE 0x5c1ffa11u
#define MAGIC_FREE 0x5c1fff4eu
#define KIND_SMALL 1
#define KIND_PAGES 2
/* A class refill aims for at least this many objects, so big classes do not waste most of a page. */
#define MIN_OBJS 4

/* In front of every payload, live or (for small classes) free. */
struct hdr {
	uint32_t magic;
	uint8_t kind;
	uint8_t order;	 /* size class (small) or page order (pages) */
	uint16_t offset; /* payload offset from the start of its slot or page block */
	uint64_t check;	 /* covers the fields above and the header's own address */
};

_Static_assert(sizeof(struct hdr) == HDR_SIZE, "the header keeps payloads 16-byte aligned");

static struct hdr *hdr_of(const void *p)
{
	return (struct hdr *)((uintptr_t)p - HDR_SIZE);
}

/* The multiply by an odd constant is a bijection, so any changed field changes the sum. */
static uint64_t hdr_sum(const struct hdr *hd)
{
	uint64_t v = hd->magic | (uint64_t)hd->kind << 32 | (uint64_t)hd->order << 40 |
		     (uint64_t)hd->offset << 48;

	return (v ^ (uintptr_t)hd) * 0x9e3779b97f4a7c15ull;
}

static void set_hdr(struct hdr *hd, uint32_t magic, unsigned kind, unsigned order, size_t offset)
{
	hd->magic = magic;
	hd->kind = (uint8_t)kind;
	hd->order = (uint8_t)order;
	hd->offset = (uint16_t)offset;
	hd->check = hdr_sum(hd);
}

static bool hdr_sane(const struct hdr *hd, uint32_t magic)
{
	uintptr_t payload = (uintptr_t)hd + HDR_SIZE;

	if (hd->magic != magic || hd->check != hdr_sum(hd))
		return false;
	if (hd->kind == KIND_SMALL)
		return hd->order < SK_HEAP_NR_CLASSES && hd->offset == HDR_SIZE;
	return hd->kind == KIND_PAGES && hd->order <= SK_PAGE_MAX_ORDER &&
	       hd->offset >= HDR_SIZE && hd->offset <= SK_PAGE_SIZE &&
	       SK_IS_ALIGNED(payload - hd->offset, SK_PAGE_SIZE);
}

/* The header of a live allocation; anything else (double free, overwritten header) is a bug. */
static struct hdr *live_hdr(const void *p)
{
	struct hdr *hd = hdr_of(p);

	SK_BUG_ON(!hdr_sane(hd, MAGIC_LIVE));
	return hd;
}

static size_t usable(const struct hdr *hd)
{
	if (hd->kind == KIND_SMALL)
		return (size_t)1 << (hd->order + SK_HEAP_MIN_SHIFT);
	return (SK_PAGE_SIZE << hd->order) - hd->offset;
}

static unsigned size_class(size_t size)
{
	unsigned c = 0;

	while (((size_t)1 << (c + SK_HEAP_MIN_SHIFT)) < size)
		c++;
	return c;
}

static void push_free(struct sk_heap *h, unsigned c, void *p)
{
	set_hdr(hdr_of(p), MAGIC_FREE, KIND_SMALL, c, HDR_SIZE);
	*(void **)p = h->free[c];
	h->free[c] = p;
}

static size_t slot_bytes(unsigned c)
{
	return HDR_SIZE + ((size_t)1 << (c + SK_HEAP_MIN_SHIFT));
}

/*
 * A fresh page block for class c, handed out slot by slot in address order (next/end): slots are
 * written only when used, so a block's pages are touched no sooner than its objects are (a first
 * touch is what a fresh VM pays most for). Under memory pressure smaller blocks are tried, down
 * to one object. These pages stay with the heap for good: nothing tracks how many objects of a
 * block are free, so a block is never handed back to the pmem.
 */
static bool refill(struct sk_heap *h, unsigned c)
{
	size_t slot = slot_bytes(c);
	unsigned min = sk_page_order(slot), order = min;
	char *blk;

	while ((SK_PAGE_SIZE << order) / slot < MIN_OBJS)
		order++;
	while (!(blk = sk_pmem_alloc(h->pm, order)) && order > min)
		order--;
	if (!blk)
		return false;
	h->pages_in_use += (size_t)1 << order;
	h->next[c] = blk;
	h->end[c] = blk + (SK_PAGE_SIZE << order) / slot * slot;
	return true;
}

/* The next never-used slot of class c's current block, refilling when it is used up. */
static void *bump(struct sk_heap *h, unsigned c)
{
	void *p;

	if (h->next[c] == h->end[c] && !refill(h, c))
		return NULL;
	p = h->next[c] + HDR_SIZE;
	h->next[c] += slot_bytes(c);
	return p;
}

static void *alloc_small(struct sk_heap *h, unsigned c)
{
	struct hdr *hd;
	void *p;

	if (h->free[c]) {
		p = h->free[c];
		hd = hdr_of(p);
		/* A free object whose header changed was written after it was freed. */
		SK_BUG_ON(!hdr_sane(hd, MAGIC_FREE));
		h->free[c] = *(void **)p;
	} else if (!(p = bump(h, c))) {
		return NULL;
	}
	hd = hdr_of(p);
	set_hdr(hd, MAGIC_LIVE, KIND_SMALL, c, HDR_SIZE);
	h->bytes_in_use += usable(hd);
	return p;
}

/* A page block with the payload offset bytes in; offset is a multiple of 16 up to a page. */
static void *alloc_pages(struct sk_heap *h, size_t size, size_t offset)
{
	unsigned order;
	char *blk;
	struct hdr *hd;

	if (size > SIZE_MAX - offset)
		return NULL;
	order = sk_page_order(size + offset);
	if (order > SK_PAGE_MAX_ORDER || !(blk = sk_pmem_alloc(h->pm, order)))
		return NULL;
	hd = hdr_of(blk + offset);
	set_hdr(hd, MAGIC_LIVE, KIND_PAGES, order, offset);
	h->pages_in_use += (size_t)1 << order;
	h->bytes_in_use += usable(hd);
	return blk + offset;
}

void sk_heap_init(struct sk_heap *h, struct sk_pmem *pm)
{
	memset(h, 0, sizeof(*h));
	h->pm = pm;
}

void *sk_heap_alloc(struct sk_heap *h, size_t size)
{
	if (size <= SMALL_MAX)
		return alloc_small(h, size_class(size));
	return alloc_pages(h, size, HDR_SIZE);
}

void *sk_heap_calloc(struct sk_heap *h, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = sk_heap_alloc(h, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

/* Whether a fresh allocation of size would get this very class or order anyway. */
static bool same_fit(const struct hdr *hd, size_t size)
{
	if (size <= SMALL_MAX)
		return hd->kind == KIND_SMALL && size_class(size) == hd->order;
	return hd->kind == KIND_PAGES && size <= usable(hd) &&
	       sk_page_order(size + hd->offset) == hd->order;
}

void *sk_heap_realloc(struct sk_heap *h, void *p, size_t size)
{
	const struct hdr *hd;
	void *q;

	if (!p)
		return sk_heap_alloc(h, size);
	if (!size) {
		sk_heap_free(h, p);
		return NULL;
	}
	hd = live_hdr(p);
	if (same_fit(hd, size))
		return p;
	q = sk_heap_alloc(h, size);
	if (!q)
		return NULL;
	memcpy(q, p, SK_MIN(usable(hd), size));
	sk_heap_free(h, p);
	return q;
}

/* Slots sit at 16-byte steps only, so larger alignments take a page block (page aligned). */
void *sk_heap_memalign(struct sk_heap *h, size_t align, size_t size)
{
	if (!align || (align & (align - 1)) || align > SK_PAGE_SIZE)
		return NULL;
	if (align <= HDR_SIZE)
		return sk_heap_alloc(h, size);
	return alloc_pages(h, size, align);
}

void sk_heap_free(struct sk_heap *h, void *p)
{
	struct hdr *hd;
	unsigned order;

	if (!p)
		return;
	hd = live_hdr(p);
	h->bytes_in_use -= usable(hd);
	if (hd->kind == KIND_SMALL) {
		push_free(h, hd->order, p);
		return;
	}
	order = hd->order;
	/* The pmem may leave this header untouched (memalign), so kill it to catch a second free. */
	hd->magic = 0;
	h->pages_in_use -= (size_t)1 << order;
	sk_pmem_free(h->pm, (char *)p - hd->offset, order);
}

size_t sk_heap_usable_size(const void *p)
{
	return p ? usable(live_hdr(p)) : 0;
}
