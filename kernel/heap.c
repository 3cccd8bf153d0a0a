// SPDX-License-Identifier: MIT
/* Kernel heap: size classes packed into spans of pages, and runs of exactly the pages needed. */
#include <stdint.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include <skiff/panic.h>

struct sk_heap sk_heap_kernel;

#define HDR_SIZE 16
#define SPAN_HDR 64
#define MAGIC_LIVE 0x5c1ffa11u
#define MAGIC_FREE 0x5c1fff4eu
#define MAGIC_SPAN 0x5c1f5a4eu
#define KIND_SMALL 1
#define KIND_PAGES 2
/* Mixed into every header's check, so that a header of zeros does not check out. */
#define CHECK_KEY 0x9e3779b97f4a7c15ull
/*
 * A span holds room for 1, 2, 4, ... up to 2^SPAN_MAX_SHIFT objects as its class grows, and no
 * more than SPAN_MAX_BYTES of them (but one): the room a class has but does not use stays small.
 */
#define SPAN_MAX_SHIFT 5
#define SPAN_MAX_BYTES (128 * 1024)

/* In front of every payload, live or (for small classes) free. */
struct hdr {
	uint32_t magic;
	uint8_t kind;
	uint8_t cls;	 /* small: size class */
	uint16_t offset; /* pages: payload offset from the run's first page (16 for small ones) */
	uint32_t extent; /* small: bytes from its span's start to this header; pages: run length */
	uint32_t check;	 /* covers the fields above and the header's own address */
};

_Static_assert(sizeof(struct hdr) == HDR_SIZE, "the header keeps payloads 16-byte aligned");

/*
 * At the start of a span's first page. Its slots (header and payload) follow in address order
 * and are written only when first handed out (next), so a span's pages are touched no sooner
 * than its objects are: a first touch is what a fresh VM pays most for. Freed slots go on the
 * span's own list, and a span whose last object is freed goes back to the pmem, unless it is the
 * only span of its class with room and of a first span's size (so that one object allocated and
 * freed in a loop does not take and return pages each time, and little memory stays idle).
 */
struct sk_heap_span {
	uint32_t magic;
	uint16_t cls;
	uint16_t first; /* sized as a class's first span: may stay when empty */
	uint32_t npages;
	uint32_t cap;  /* slots */
	uint32_t live; /* slots handed out; the span is on its class's avail list while below cap */
	uint32_t pad;
	void *free;			    /* freed payloads, linked through their first word */
	char *next;			    /* the first never-used slot (there is one if live < cap
					     * and free is empty) */
	struct sk_heap_span *prev, *after; /* the class's avail list */
};

_Static_assert(sizeof(struct sk_heap_span) <= SPAN_HDR, "slots start SPAN_HDR bytes in");

static struct hdr *hdr_of(const void *p)
{
	return (struct hdr *)((uintptr_t)p - HDR_SIZE);
}

/*
 * XOR-folding: each field lands on different check bits than the others' (the extent and the
 * address are shifted), so a change to any one field shows. Cheaper than a multiply, and the
 * header's address makes a header copied elsewhere fail.
 */
static inline uint32_t hdr_sum(const struct hdr *hd)
{
	uint64_t w0 = hd->magic | (uint64_t)hd->kind << 32 | (uint64_t)hd->cls << 40 |
		      (uint64_t)hd->offset << 48;
	uint64_t x = w0 ^ (uint64_t)hd->extent << 20 ^ (uintptr_t)hd >> 4 ^ CHECK_KEY;

	return (uint32_t)x ^ (uint32_t)(x >> 32);
}

static inline void set_hdr(struct hdr *hd, uint32_t magic, unsigned kind, unsigned cls,
			   size_t offset, uint32_t extent)
{
	hd->magic = magic;
	hd->kind = (uint8_t)kind;
	hd->cls = (uint8_t)cls;
	hd->offset = (uint16_t)offset;
	hd->extent = extent;
	hd->check = hdr_sum(hd);
}

/*
 * Turn a checked header from live to free or back. The magic folds into the check by XOR
 * alone, so the check changes by the two magics' difference: no sum to recompute on the paths
 * every malloc and free take.
 */
static inline void flip_hdr(struct hdr *hd, uint32_t magic)
{
	hd->check ^= hd->magic ^ magic;
	hd->magic = magic;
}

/* Class c's payload size: 16..128 in 16-byte steps, then eight steps per doubling. */
static inline size_t class_size(unsigned c)
{
	if (c < 8)
		return (size_t)(c + 1) << 4;
	return (size_t)((c & 7) + 9) << ((c >> 3) + 3);
}

/* The smallest class that holds size bytes (size <= SK_HEAP_SMALL_MAX). */
static inline unsigned size_class(size_t size)
{
	unsigned k;

	if (size <= 128)
		return size ? (unsigned)(size - 1) >> 4 : 0;
	/* size - 1 is in [2^k, 2^(k+1)): its top four bits pick one of the eight steps. */
	k = 63 - (unsigned)__builtin_clzll(size - 1);
	return (k - 7) * 8 + (unsigned)((size - 1) >> (k - 3));
}

_Static_assert(SK_HEAP_SMALL_MAX == 32768 && SK_HEAP_NR_CLASSES == 72,
	       "class 71 is 32768 bytes: (7 + 9) << (71 / 8 + 3)");

static inline size_t slot_size(unsigned c)
{
	return HDR_SIZE + class_size(c);
}

static struct sk_heap_span *span_of(const struct hdr *hd)
{
	return (struct sk_heap_span *)((uintptr_t)hd - hd->extent);
}

static size_t pages_for(size_t bytes)
{
	return (bytes >> SK_PAGE_SHIFT) + !SK_IS_ALIGNED(bytes, SK_PAGE_SIZE);
}

/* The fields a header of each kind must hold; the checksum has been checked already. */
static inline bool small_fields_ok(const struct hdr *hd)
{
	return hd->cls < SK_HEAP_NR_CLASSES && hd->offset == HDR_SIZE && hd->extent >= SPAN_HDR &&
	       SK_IS_ALIGNED(hd->extent, 16);
}

static inline bool run_fields_ok(const struct hdr *hd)
{
	uintptr_t payload = (uintptr_t)hd + HDR_SIZE;

	return hd->offset >= HDR_SIZE && hd->offset <= SK_PAGE_SIZE &&
	       SK_IS_ALIGNED(hd->offset, 16) && hd->extent &&
	       SK_IS_ALIGNED(payload - hd->offset, SK_PAGE_SIZE);
}

static inline bool hdr_sane(const struct hdr *hd, uint32_t magic)
{
	if (hd->magic != magic || hd->check != hdr_sum(hd))
		return false;
	if (hd->kind == KIND_SMALL)
		return small_fields_ok(hd);
	return hd->kind == KIND_PAGES && run_fields_ok(hd);
}

/* The header of a live allocation; anything else (double free, overwritten header) is a bug. */
static inline struct hdr *live_hdr(const void *p)
{
	struct hdr *hd = hdr_of(p);

	SK_BUG_ON(!hdr_sane(hd, MAGIC_LIVE));
	return hd;
}

/* The span of a small object, whose own header may have been overwritten by a stray write. */
static inline struct sk_heap_span *checked_span(const struct hdr *hd)
{
	struct sk_heap_span *s = span_of(hd);

	SK_BUG_ON(s->magic != MAGIC_SPAN || s->cls != hd->cls || (char *)hd >= s->next);
	return s;
}

static size_t usable(const struct hdr *hd)
{
	if (hd->kind == KIND_SMALL)
		return class_size(hd->cls);
	return ((size_t)hd->extent << SK_PAGE_SHIFT) - hd->offset;
}

static void add_pages(struct sk_heap *h, size_t n)
{
	h->pages_in_use += n;
	if (h->pages_in_use > h->pages_peak)
		h->pages_peak = h->pages_in_use;
}

static void avail_add(struct sk_heap *h, struct sk_heap_span *s)
{
	s->prev = NULL;
	s->after = h->avail[s->cls];
	if (s->after)
		s->after->prev = s;
	h->avail[s->cls] = s;
}

static void avail_del(struct sk_heap *h, struct sk_heap_span *s)
{
	if (s->prev)
		s->prev->after = s->after;
	else
		h->avail[s->cls] = s->after;
	if (s->after)
		s->after->prev = s->prev;
}

/*
 * Pages for a new span of class c when the class holds nspans already: room for 1, 2, 4, ...
 * objects as the class grows (a class used once keeps little idle), in the page count, up to
 * twice the least, that leaves the smallest share over: at most a sixteenth where one does.
 */
static size_t span_pages(unsigned c, unsigned nspans)
{
	size_t slot = slot_size(c);
	size_t objs = SK_MIN((size_t)1 << SK_MIN(nspans, SPAN_MAX_SHIFT),
			     SK_MAX(1, SPAN_MAX_BYTES / slot));
	size_t lo = pages_for(SPAN_HDR + objs * slot), best = lo, best_waste = SIZE_MAX;

	for (size_t n = lo; n <= 2 * lo; n++) {
		size_t bytes = n << SK_PAGE_SHIFT, waste = (bytes - SPAN_HDR) % slot;

		if (waste * 16 <= bytes)
			return n;
		/* waste / bytes < best_waste / best_bytes, without dividing */
		if (best_waste == SIZE_MAX || waste * best < best_waste * n) {
			best = n;
			best_waste = waste;
		}
	}
	return best;
}

/* A new span for class c, on its avail list; under memory pressure one for a single object. */
static struct sk_heap_span *new_span(struct sk_heap *h, unsigned c)
{
	size_t slot = slot_size(c), n = span_pages(c, h->spans[c]);
	struct sk_heap_span *s = sk_pmem_alloc_pages(h->pm, n);
	bool first = !h->spans[c];

	if (!s) {
		n = pages_for(SPAN_HDR + slot);
		if (!(s = sk_pmem_alloc_pages(h->pm, n)))
			return NULL;
		first = true;
	}
	s->magic = MAGIC_SPAN;
	s->cls = (uint16_t)c;
	s->first = first;
	s->npages = (uint32_t)n;
	s->cap = (uint32_t)(((n << SK_PAGE_SHIFT) - SPAN_HDR) / slot);
	s->live = 0;
	s->free = NULL;
	s->next = (char *)s + SPAN_HDR;
	avail_add(h, s);
	h->spans[c]++;
	add_pages(h, n);
	return s;
}

static void *alloc_small(struct sk_heap *h, unsigned c)
{
	struct sk_heap_span *s = h->avail[c];
	struct hdr *hd;
	void *p;

	if (!s && !(s = new_span(h, c)))
		return NULL;
	if ((p = s->free)) {
		hd = hdr_of(p);
		/* A free object whose header changed was written after it was freed. */
		SK_BUG_ON(!hdr_sane(hd, MAGIC_FREE) || span_of(hd) != s);
		s->free = *(void **)p;
		flip_hdr(hd, MAGIC_LIVE);
	} else {
		hd = (struct hdr *)s->next;
		s->next += slot_size(c);
		set_hdr(hd, MAGIC_LIVE, KIND_SMALL, c, HDR_SIZE, (uint32_t)((char *)hd - (char *)s));
		p = (char *)hd + HDR_SIZE;
	}
	if (++s->live == s->cap)
		avail_del(h, s);
	h->bytes_in_use += class_size(c);
	return p;
}

static void free_small(struct sk_heap *h, struct hdr *hd)
{
	struct sk_heap_span *s = checked_span(hd);
	void *p = (char *)hd + HDR_SIZE;

	flip_hdr(hd, MAGIC_FREE);
	*(void **)p = s->free;
	s->free = p;
	h->bytes_in_use -= class_size(s->cls);
	if (s->live-- == s->cap)
		avail_add(h, s);
	/* Keep one empty span per class, the smallest kind: enough against taking and returning
	 * pages for each object of a class used one at a time, and little memory idle. */
	if (s->live == 0 && (s->prev || s->after || !s->first)) {
		avail_del(h, s);
		s->magic = 0;
		h->spans[s->cls]--;
		h->pages_in_use -= s->npages;
		sk_pmem_free_pages(h->pm, s, s->npages);
	}
}

/* A run with the payload offset bytes in; offset is a multiple of 16 up to a page. */
static void *alloc_run(struct sk_heap *h, size_t size, size_t offset)
{
	size_t n;
	char *run;
	struct hdr *hd;

	if (size > SIZE_MAX - offset - SK_PAGE_SIZE)
		return NULL;
	n = pages_for(size + offset);
	if (n > UINT32_MAX || !(run = sk_pmem_alloc_pages(h->pm, n)))
		return NULL;
	hd = hdr_of(run + offset);
	set_hdr(hd, MAGIC_LIVE, KIND_PAGES, 0, offset, (uint32_t)n);
	add_pages(h, n);
	h->bytes_in_use += usable(hd);
	return run + offset;
}

static void free_run(struct sk_heap *h, struct hdr *hd)
{
	size_t n = hd->extent;

	h->bytes_in_use -= usable(hd);
	h->pages_in_use -= n;
	/* The pmem may leave this header untouched (memalign), so kill it to catch a second free. */
	hd->magic = 0;
	sk_pmem_free_pages(h->pm, (char *)hd + HDR_SIZE - hd->offset, n);
}

void sk_heap_init(struct sk_heap *h, struct sk_pmem *pm)
{
	memset(h, 0, sizeof(*h));
	h->pm = pm;
}

void *sk_heap_alloc(struct sk_heap *h, size_t size)
{
	if (size <= SK_HEAP_SMALL_MAX)
		return alloc_small(h, size_class(size));
	return alloc_run(h, size, HDR_SIZE);
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

/*
 * Resize a run in place to n pages: the tail goes back, or the pages after it are claimed if
 * they are free. False when they are not (nothing changed).
 */
static bool resize_run(struct sk_heap *h, struct hdr *hd, size_t n)
{
	char *run = (char *)hd + HDR_SIZE - hd->offset;
	size_t old = hd->extent;

	if (n < old) {
		sk_pmem_free_pages(h->pm, run + (n << SK_PAGE_SHIFT), old - n);
		h->pages_in_use -= old - n;
	} else if (n > old) {
		if (!sk_pmem_claim(h->pm, run + (old << SK_PAGE_SHIFT), n - old))
			return false;
		add_pages(h, n - old);
	}
	h->bytes_in_use -= usable(hd);
	set_hdr(hd, MAGIC_LIVE, KIND_PAGES, 0, hd->offset, (uint32_t)n);
	h->bytes_in_use += usable(hd);
	return true;
}

/*
 * realloc without moving, where that is what a fresh allocation would not beat: the same small
 * class, or a run (that stays a run) resized in place.
 */
static bool resize_in_place(struct sk_heap *h, struct hdr *hd, size_t size)
{
	size_t n;

	if (hd->kind == KIND_SMALL)
		return size <= SK_HEAP_SMALL_MAX && size_class(size) == hd->cls;
	if (size <= SK_HEAP_SMALL_MAX || size > SIZE_MAX - SK_PAGE_SIZE - hd->offset)
		return false;
	n = pages_for(size + hd->offset);
	return n <= UINT32_MAX && resize_run(h, hd, n);
}

void *sk_heap_realloc(struct sk_heap *h, void *p, size_t size)
{
	struct hdr *hd;
	void *q;

	if (!p)
		return sk_heap_alloc(h, size);
	if (!size) {
		sk_heap_free(h, p);
		return NULL;
	}
	hd = live_hdr(p);
	if (resize_in_place(h, hd, size))
		return p;
	q = sk_heap_alloc(h, size);
	if (!q) {
		/* A run that shrinks into a class may as well shrink in place when memory is short. */
		if (hd->kind == KIND_PAGES && size < usable(hd) &&
		    resize_run(h, hd, pages_for(size + hd->offset)))
			return p;
		return NULL;
	}
	memcpy(q, p, SK_MIN(usable(hd), size));
	sk_heap_free(h, p);
	return q;
}

/* Slots sit at 16-byte steps only, so larger alignments take a run (page aligned). */
void *sk_heap_memalign(struct sk_heap *h, size_t align, size_t size)
{
	if (!align || (align & (align - 1)) || align > SK_PAGE_SIZE)
		return NULL;
	if (align <= HDR_SIZE)
		return sk_heap_alloc(h, size);
	return alloc_run(h, size, align);
}

void sk_heap_free(struct sk_heap *h, void *p)
{
	struct hdr *hd;

	if (!p)
		return;
	hd = live_hdr(p);
	if (hd->kind == KIND_SMALL)
		free_small(h, hd);
	else
		free_run(h, hd);
}

size_t sk_heap_usable_size(const void *p)
{
	return p ? usable(live_hdr(p)) : 0;
}
