// SPDX-License-Identifier: MIT
/*
 * Memory of a PV domain. Xen maps only the image and its boot structures; this maps every other
 * page of the domain (va == pfn << 12), building the page tables through mmu_update: a table page
 * is zeroed, made read-only in our own mapping (Xen refuses writable views of page tables), then
 * hooked into its parent. Text and rodata become read-only, the rest no-execute, page 0 stays
 * unmapped. Leaf updates go to Xen in batches of up to 512.
 */
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

#define P 0x1ULL
#define RW 0x2ULL
#define USER 0x4ULL
#define ACCESSED 0x20ULL
#define DIRTY 0x40ULL
#define LARGE 0x80ULL
#define NX (1ULL << 63)
#define ADDR_MASK 0x000ffffffffff000ULL
#define TABLE (P | RW | USER | ACCESSED | DIRTY)
#define DATA (P | RW | USER | ACCESSED | DIRTY | NX)

extern char _image_start[], _etext[], _rodata_start[], _rodata_end[];

static unsigned long next_pt_pfn; /* page-table pages come from here, inside the boot mapping */
static mmu_update_t batch[512];
static unsigned batched;

static void flush_batch(void)
{
	if (batched && hyp_mmu_update(batch, batched) < 0)
		sk_panic("xen: mmu_update of %u entries failed", batched);
	batched = 0;
}

static void queue(const uint64_t *entry, uint64_t val)
{
	uintptr_t va = (uintptr_t)entry;

	batch[batched].ptr = (((uint64_t)pfn_to_mfn(va >> 12) << 12) | (va & 0xfff)) |
			     MMU_NORMAL_PT_UPDATE;
	batch[batched].val = val;
	if (++batched == SK_ARRAY_SIZE(batch))
		flush_batch();
}

static uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(mfn_to_pfn((entry & ADDR_MASK) >> 12) << 12);
}

/* The L1 entry for va, or NULL when a table above it is missing. */
static uint64_t *l1_entry(uintptr_t va)
{
	uint64_t *t = (uint64_t *)xen_si->pt_base;

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & P) || (e & LARGE))
			return NULL;
		t = table_of(e);
	}
	return &t[(va >> 12) & 511];
}

/* The table parent[i] points to, made when absent from the next free boot-mapped page. */
static uint64_t *child(uint64_t *parent, unsigned i)
{
	unsigned long pfn = next_pt_pfn;
	uint64_t *t = (uint64_t *)(pfn << 12), *self;

	if (parent[i] & P)
		return table_of(parent[i]);
	self = l1_entry((uintptr_t)t);
	if (!self || !(*self & P))
		sk_panic("xen: no mapped page left for page tables (pfn 0x%lx)", pfn);
	memset(t, 0, XEN_PAGE);
	queue(self, ((uint64_t)pfn_to_mfn(pfn) << 12) | (P | USER | ACCESSED | NX));
	queue(&parent[i], ((uint64_t)pfn_to_mfn(pfn) << 12) | TABLE);
	flush_batch(); /* the new table must be in place before we look into it */
	next_pt_pfn++;
	return t;
}

static void map_page(unsigned long pfn, uint64_t flags)
{
	uintptr_t va = pfn << 12;
	uint64_t *t = (uint64_t *)xen_si->pt_base;

	t = child(t, (va >> 39) & 511);
	t = child(t, (va >> 30) & 511);
	t = child(t, (va >> 21) & 511);
	if (!(t[(va >> 12) & 511] & P)) /* the boot mapping stays as Xen made it */
		queue(&t[(va >> 12) & 511], ((uint64_t)pfn_to_mfn(pfn) << 12) | flags);
}

/* Change the flags of the image's existing mappings: text read-only, rodata read-only + NX. */
static void protect(uintptr_t start, uintptr_t end, uint64_t clear, uint64_t set)
{
	for (uintptr_t va = start; va < end; va += XEN_PAGE) {
		uint64_t *e = l1_entry(va);

		if (e && (*e & P))
			queue(e, (*e & ~clear) | set);
	}
}

unsigned long xen_mm_init(void)
{
	struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	unsigned long first = ((uintptr_t)_image_start) >> 12;

	next_pt_pfn = ((xen_si->pt_base + XEN_PAGE - 1) >> 12) + xen_si->nr_pt_frames;
	for (unsigned long pfn = first; pfn < xen_si->nr_pages; pfn++)
		map_page(pfn, DATA);
	protect((uintptr_t)_image_start, (uintptr_t)_etext, RW, 0);
	protect((uintptr_t)_rodata_start, SK_ALIGN_UP((uintptr_t)_rodata_end, XEN_PAGE), RW, NX);
	flush_batch();
	hyp_mmuext_op(&flush, 1);
	/* Xen's boot mapping starts at virtual address 0: take page 0 away so NULL faults. */
	if (hyp_update_va_mapping(0, 0, UVMF_INVLPG | UVMF_LOCAL) < 0)
		sk_panic("xen: cannot unmap page 0");
	return next_pt_pfn;
}

bool xen_mm_mapped(uintptr_t va)
{
	uint64_t *e;

	if (xen_pvh) /* PVH runs on the 4 GiB boot map, less page 0 */
		return va >= XEN_PAGE && va < (4ULL << 30);
	if (va >= (1ULL << 47) || va < XEN_PAGE)
		return false;
	e = l1_entry(va);
	return e && (*e & P);
}

bool plat_addr_readable(uintptr_t addr, size_t len)
{
	if (addr + len < addr)
		return false;
	for (uintptr_t p = SK_ALIGN_DOWN(addr, XEN_PAGE); p < addr + len; p += XEN_PAGE)
		if (!xen_mm_mapped(p))
			return false;
	return true;
}

/* update_va_mapping changes one PTE and flushes it in one hypercall. */
int xen_page_guard(void *addr, bool guard)
{
	uintptr_t va = (uintptr_t)addr;
	uint64_t *e;

	if (xen_pvh) /* 2 MiB boot pages only: the stack canary is all PVH has */
		return PLAT_EUNSPEC;
	e = l1_entry(va);
	if (!e || !SK_IS_ALIGNED(va, XEN_PAGE))
		return PLAT_EUNSPEC;
	if (hyp_update_va_mapping(va, guard ? 0 : (((uint64_t)pfn_to_mfn(va >> 12) << 12) | DATA),
				  UVMF_INVLPG | UVMF_LOCAL) < 0)
		return PLAT_EUNSPEC;
	return PLAT_OK;
}

int xen_map_mfn(void *va, unsigned long mfn)
{
	return hyp_update_va_mapping((uintptr_t)va, ((uint64_t)mfn << 12) | DATA,
				     UVMF_INVLPG | UVMF_LOCAL) < 0 ? -EFAULT : 0;
}
