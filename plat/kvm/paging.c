// SPDX-License-Identifier: MIT
/*
 * The image's own page tables, replacing the 1 GiB boot map: identity mapped, text read-only and
 * executable, rodata read-only, everything else non-executable, page 0 unmapped so that a NULL
 * dereference faults. The first mapping of an address wins, so the image is mapped first with
 * its exact permissions and the memory map fills in around it with 2 MiB pages where it can.
 */
#define pr_tag "kvm"
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/world.h>
#include <kvm/x86.h>

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define PAGE 4096ULL
#define LARGE (2ULL << 20)

/* Accessed and dirty preset: nothing reads them, and the CPU or a shadow MMU need not set them. */
#define MAP_TEXT (PTE_P | PTE_A)
#define MAP_RO (PTE_P | PTE_NX | PTE_A)
#define MAP_RW (PTE_P | PTE_W | PTE_NX | PTE_A | PTE_D)
#define MAP_MMIO (PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT | PTE_A | PTE_D)

#define LAPIC_DEFAULT_BASE 0xfee00000ULL

static uint64_t *pml4;
static uintptr_t pt_next; /* bump allocator for table pages, right after the image */
static uintptr_t stack_alias; /* see paging_stack_map; 0 until the mapped top is known */
static uint64_t leaf_user; /* PTE_U under skiff-hv, where the image runs at CPL 3; else 0 */

/*
 * The stack alias starts at the first 2 MiB boundary at or above everything mapped (top), so it
 * never overlaps the identity map and, in a small machine, shares its tables down to the page
 * directory: a stack then needs at most one new table page.
 */
static void set_stack_alias(uint64_t top)
{
	stack_alias = SK_ALIGN_UP(top ? top : 1, LARGE);
}

static uint64_t *table_alloc(void)
{
	uint64_t *t = (uint64_t *)pt_next;

	pt_next += PAGE;
	memset(t, 0, PAGE);
	return t;
}

/*
 * Entries that point to tables always allow user access: only leaf entries decide it, which
 * matters under skiff-hv, where the image runs at CPL 3 on tables that it changes itself.
 */
#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U | PTE_A)

/* The table that entry *e points to, creating it when absent. NULL if *e maps a large page. */
static uint64_t *next_table(uint64_t *e)
{
	if (!(*e & PTE_P))
		*e = (uintptr_t)table_alloc() | TABLE_FLAGS;
	if (*e & PTE_PS)
		return NULL;
	return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
}

static uint64_t *pd_for(uint64_t va)
{
	uint64_t *pdpt = next_table(&pml4[(va >> 39) & 511]);

	return next_table(&pdpt[(va >> 30) & 511]);
}

/* Map one 2 MiB page or, when that cannot be done, the 4 KiB page at va. Returns bytes covered. */
static uint64_t map_one(uint64_t va, uint64_t end, uint64_t flags)
{
	uint64_t *pd = pd_for(va), *pde = &pd[(va >> 21) & 511], *pt;

	if (*pde & PTE_PS) /* already mapped large: skip to its end */
		return SK_ALIGN_UP(va + 1, LARGE) - va;
	if (!(*pde & PTE_P) && SK_IS_ALIGNED(va, LARGE) && end - va >= LARGE) {
		*pde = va | flags | PTE_PS;
		return LARGE;
	}
	pt = next_table(pde);
	if (!(pt[(va >> 12) & 511] & PTE_P))
		pt[(va >> 12) & 511] = va | flags;
	return PAGE;
}

static void map_range(uint64_t start, uint64_t end, uint64_t flags)
{
	start = SK_ALIGN_DOWN(start, PAGE);
	end = SK_ALIGN_UP(end, PAGE);
	if (start < PAGE)
		start = PAGE; /* page 0 stays unmapped: NULL pointers fault */
	while (start < end)
		start += map_one(start, end, flags);
}

/* map_range, but the main stack's guard page (link.lds) stays unmapped whatever covers it. */
static void map_except_guard(uint64_t start, uint64_t end, uint64_t flags)
{
	uint64_t guard = (uintptr_t)_main_stack_guard;

	if (end <= guard || start >= guard + PAGE) {
		map_range(start, end, flags);
		return;
	}
	if (start < guard)
		map_range(start, guard, flags);
	if (end > guard + PAGE)
		map_range(guard + PAGE, end, flags);
}

uintptr_t paging_init(const struct kvm_boot *kb)
{
	uint64_t top;

	pt_next = (uintptr_t)_image_end;
	pml4 = table_alloc();

	map_range((uintptr_t)_image_start, (uintptr_t)_etext, MAP_TEXT);
	map_range((uintptr_t)_rodata_start, (uintptr_t)_rodata_end, MAP_RO);
	map_except_guard((uintptr_t)_data_start, (uintptr_t)_image_end, MAP_RW);
	/* BIOS area, PVH start info, ACPI RSDP: read only. */
	map_range(0, 0x100000, MAP_RO);
	map_range(LAPIC_DEFAULT_BASE, LAPIC_DEFAULT_BASE + PAGE, MAP_MMIO);
	top = LAPIC_DEFAULT_BASE + PAGE;
	for (unsigned i = 0; i < kb->nr_map; i++) {
		const struct kvm_memmap_entry *e = &kb->map[i];

		map_except_guard(e->base, e->base + e->len, e->type == KVM_MEMMAP_RAM ? MAP_RW : MAP_RO);
		top = SK_MAX(top, e->base + e->len);
	}
	set_stack_alias(top);
	/*
	 * The tables grew while mapping RAM; every table page lies in RAM the last loop mapped
	 * read-write, and the boot map still covers them until the CR3 switch below.
	 */
	write_cr3((uintptr_t)pml4);
	write_cr0(read_cr0() | X86_CR0_WP);
	return pt_next;
}

/*
 * Thread stacks run in an alias of RAM: the stack whose pages sit at physical address pa runs at
 * stack_alias + pa, and there the stack's lowest page is never mapped. So the guard costs no
 * change to a live mapping: entries only ever go from absent to present, which needs no TLB
 * flush, and a stack's pages stay mapped in the alias after it is freed (nothing uses an alias
 * address but a live stack), so a block that becomes a stack again finds its entries in place.
 * Under skiff-hv on a software nested hypervisor, the flush (a round trip through CPL 0) and
 * splitting a 2 MiB page cost a thread about 60 us; this costs a few PTE writes, or none.
 *
 * runtime_table: a zeroed table page from the kernel's allocator (this runs only after boot).
 */
static uint64_t *runtime_table(void)
{
	uint64_t *t = sk_page_alloc(0);

	if (t)
		memset(t, 0, PAGE);
	return t;
}

/* The table *e points to, linked in when absent; NULL when out of memory. */
static uint64_t *runtime_next_table(uint64_t *e)
{
	uint64_t *t;

	if (*e & PTE_P)
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	t = runtime_table();
	if (t)
		*e = (uintptr_t)t | TABLE_FLAGS;
	return t;
}

/* The leaf entry mapping va (4 KiB or 2 MiB), or 0 when none does. */
static uint64_t leaf_entry(uintptr_t va)
{
	const uint64_t *t = pml4;
	uint64_t e;

	if (!pml4 || va >= (1ULL << 47))
		return 0;
	for (int shift = 39; shift >= 12; shift -= 9) {
		e = t[(va >> shift) & 511];
		if (!(e & PTE_P))
			return 0;
		if (shift == 12 || (e & PTE_PS))
			return e;
		t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR);
	}
	return 0;
}

/*
 * Map the n pages from pa at va, all inside one 2 MiB table, leaving a guard at va when guard.
 * A new table is filled before it is linked: under shadow paging every write to a live table
 * page may trap, a write to a page that is not a table yet never does.
 */
static int alias_map_chunk(uintptr_t va, uintptr_t pa, size_t n, bool guard, uint64_t flags)
{
	uint64_t *pdpt = runtime_next_table(&pml4[(va >> 39) & 511]);
	uint64_t *pd = pdpt ? runtime_next_table(&pdpt[(va >> 30) & 511]) : NULL;
	uint64_t *pde = pd ? &pd[(va >> 21) & 511] : NULL, *pt, *e;
	bool fresh;

	if (!pde)
		return PLAT_EUNSPEC;
	fresh = !(*pde & PTE_P);
	pt = fresh ? runtime_table() : (uint64_t *)(uintptr_t)(*pde & PTE_ADDR);
	if (!pt)
		return PLAT_EUNSPEC;
	e = &pt[(va >> 12) & 511];
	if (guard && (*e & PTE_P)) { /* a page of an earlier stack of another size was here */
		*e = 0;
		kvm_world->tlb_flush_page(va);
	}
	for (size_t i = guard; i < n; i++)
		if (!(e[i] & PTE_P))
			e[i] = (pa + i * PAGE) | flags;
	if (fresh)
		*pde = (uintptr_t)pt | TABLE_FLAGS;
	return PLAT_OK;
}

uintptr_t paging_phys(const void *addr)
{
	uintptr_t va = (uintptr_t)addr;

	return stack_alias && va >= stack_alias && va < 2 * stack_alias ? va - stack_alias : va;
}

void *paging_stack_map(void *addr, unsigned order)
{
	uintptr_t pa = (uintptr_t)addr, va = stack_alias + pa;
	size_t bytes = (size_t)PAGE << order;
	uint64_t flags = PTE_P | PTE_W | PTE_NX | PTE_A | PTE_D | leaf_user; /* A/D: hv/layout.c */

	if (!stack_alias || !SK_IS_ALIGNED(pa, bytes) || pa + bytes > stack_alias)
		return NULL;
	for (uintptr_t off = 0; off < bytes; off += LARGE) {
		size_t chunk = SK_MIN(bytes - off, (size_t)LARGE);

		if (alias_map_chunk(va + off, pa + off, chunk / PAGE, off == 0, flags))
			return NULL; /* the pages mapped so far stay: harmless, as after a free */
	}
	return (void *)va;
}

/*
 * Device registers (a PCI BAR, a virtio-mmio window) at their physical address, uncached, 4 KiB
 * at a time, after boot. Entries only go from absent to present: no flush. Pages something maps
 * already stay as they are.
 */
int paging_map_mmio(uintptr_t pa, size_t len)
{
	for (uintptr_t va = SK_ALIGN_DOWN(pa, PAGE); va < pa + len; va += PAGE) {
		uint64_t *pdpt = runtime_next_table(&pml4[(va >> 39) & 511]);
		uint64_t *pd = pdpt ? runtime_next_table(&pdpt[(va >> 30) & 511]) : NULL;
		uint64_t *pde = pd ? &pd[(va >> 21) & 511] : NULL, *pt;

		if (!pde)
			return PLAT_EUNSPEC;
		if (*pde & PTE_PS)
			continue;
		if (!(pt = runtime_next_table(pde)))
			return PLAT_EUNSPEC;
		if (!(pt[(va >> 12) & 511] & PTE_P))
			pt[(va >> 12) & 511] = va | MAP_MMIO;
	}
	return PLAT_OK;
}

void paging_flush_page(uintptr_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

void paging_use_tables(uintptr_t root, uint64_t top)
{
	pml4 = (uint64_t *)root;
	leaf_user = PTE_U; /* only skiff-hv hands over its tables, and runs the image at CPL 3 */
	set_stack_alias(top);
}

/* Walks the live tables: the crash path uses it to follow frame pointers without faulting. */
bool paging_addr_mapped(uintptr_t va)
{
	return leaf_entry(va) != 0;
}

bool plat_addr_readable(uintptr_t addr, size_t len)
{
	if (addr + len < addr)
		return false;
	if (!pml4) /* before paging_init: the boot map covers the first 1 GiB */
		return addr >= PAGE && addr + len <= (1ULL << 30);
	for (uintptr_t p = SK_ALIGN_DOWN(addr, PAGE); p < addr + len; p += PAGE)
		if (!paging_addr_mapped(p))
			return false;
	return true;
}
