// SPDX-License-Identifier: MIT
/*
 * The guest's world before its first instruction: GDT, IDT and TSS for a CPL-3 guest, identity
 * page tables with the image's permissions, the boot info and command line, the initrd; then the
 * backend sets the vCPU's registers. Everything below HV_IMAGE_MIN is ours. Both backends run
 * on this one layout: the process backend reads the same tables, IDT and TSS bitmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <hv/hv.h>

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_U 0x4ULL
#define PTE_A 0x20ULL
#define PTE_D 0x40ULL
#define PTE_PS 0x80ULL
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL
#define PAGE 4096ULL
#define LARGE (2ULL << 20)


struct pt_builder {
	struct hv *hv;
	uint64_t next;	/* next free table page (guest-physical) */
	uint64_t pml4;
};

static uint64_t *gpa_u64(struct hv *hv, uint64_t gpa)
{
	return guest_ptr(&hv->guest, gpa, PAGE, PAGE); /* our own tables: always inside memory */
}

static int table_alloc(struct pt_builder *b, uint64_t *gpa)
{
	if (b->next >= HV_PT_END) {
		hv_err("the image needs more page tables than fit below 1 MiB");
		return -1;
	}
	*gpa = b->next;
	memset(gpa_u64(b->hv, b->next), 0, PAGE);
	b->next += PAGE;
	return 0;
}

/* The table an entry points to, created when absent; 0 when the entry maps a large page. */
static int next_table(struct pt_builder *b, uint64_t *entry, uint64_t *table)
{
	if (!(*entry & PTE_P)) {
		if (table_alloc(b, table))
			return -1;
		*entry = *table | PTE_P | PTE_W | PTE_U | PTE_A;
	}
	*table = (*entry & PTE_PS) ? 0 : (*entry & PTE_ADDR);
	return 0;
}

/* Map the page at va (or the 2 MiB page, when aligned and room): the first mapping wins. */
static int map_one(struct pt_builder *b, uint64_t va, uint64_t end, uint64_t flags, uint64_t *step)
{
	uint64_t pdpt, pd, pt, *pde, *pte;

	if (next_table(b, &gpa_u64(b->hv, b->pml4)[(va >> 39) & 511], &pdpt) ||
	    next_table(b, &gpa_u64(b->hv, pdpt)[(va >> 30) & 511], &pd))
		return -1;
	pde = &gpa_u64(b->hv, pd)[(va >> 21) & 511];
	if (*pde & PTE_PS) {
		*step = ((va + LARGE) & ~(LARGE - 1)) - va;
		return 0;
	}
	if (!(*pde & PTE_P) && !(va & (LARGE - 1)) && end - va >= LARGE) {
		*pde = va | flags | PTE_PS;
		*step = LARGE;
		return 0;
	}
	if (next_table(b, pde, &pt))
		return -1;
	pte = &gpa_u64(b->hv, pt)[(va >> 12) & 511];
	if (!(*pte & PTE_P))
		*pte = va | flags;
	*step = PAGE;
	return 0;
}

static int map_range(struct pt_builder *b, uint64_t start, uint64_t end, uint64_t flags)
{
	uint64_t step;

	start &= ~(PAGE - 1);
	end = (end + PAGE - 1) & ~(PAGE - 1);
	/*
	 * Accessed (and, if writable, dirty) from the start: the guest never looks at them, and a
	 * shadow MMU (a software nested KVM) only prefetches its neighbours for entries that have
	 * them, so a fault maps up to 8 pages instead of one: 25 us less to main() on PVM.
	 */
	flags |= PTE_P | PTE_U | PTE_A | ((flags & PTE_W) ? PTE_D : 0);
	for (; start < end; start += step)
		if (map_one(b, start, end, flags, &step))
			return -1;
	return 0;
}

static uint64_t seg_flags(uint32_t pf)
{
	return ((pf & PF_W) ? PTE_W : 0) | ((pf & PF_X) ? 0 : PTE_NX);
}

/*
 * Pages inside the image's span that no segment covers stay unmapped, as in any ELF loader: an
 * image leaves such a page below a stack as its guard (Skiff's main-thread stack).
 */
static int build_page_tables(struct hv *hv, uint64_t *root)
{
	struct pt_builder b = { hv, HV_PT_START, 0 };
	const struct hv_image *img = &hv->image;
	uint64_t low = img->end;

	if (table_alloc(&b, &b.pml4))
		return -1;
	for (unsigned i = 0; i < img->nseg; i++) {
		if (map_range(&b, img->seg[i].paddr, img->seg[i].paddr + img->seg[i].memsz,
			      seg_flags(img->seg[i].flags)))
			return -1;
		if (img->seg[i].paddr < low)
			low = img->seg[i].paddr;
	}
	if (map_range(&b, HV_GDT, HV_TSS + HV_TSS_LIMIT + 1, PTE_NX) ||	/* GDT, IDT, TSS */
	    map_range(&b, HV_TRAP_STACK, HV_TRAP_STACK_TOP, PTE_W | PTE_NX) ||	/* trap stack */
	    map_range(&b, HV_BOOT_INFO, HV_PT_START, PTE_NX))		/* boot info, command line */
		return -1;
	/* The tables are mapped last, after they stopped growing: the guest's to change. */
	if (map_range(&b, HV_IMAGE_MIN, low & ~(PAGE - 1), PTE_W | PTE_NX) ||
	    map_range(&b, (img->end + PAGE - 1) & ~(PAGE - 1), hv->guest.size, PTE_W | PTE_NX) ||
	    map_range(&b, HV_PT_START, b.next, PTE_W | PTE_NX))
		return -1;
	*root = b.pml4;
	return 0;
}

/*
 * The TSS carries an I/O permission bitmap that opens exactly the hypercall ports to the CPL-3
 * guest, which runs with IOPL 0. Any other port faults (#GP) inside the guest. IOPL 3 would open
 * every port, and a software nested hypervisor (PVM) does not grant it anyway; the bitmap works
 * the same on hardware and on PVM.
 */
static void build_io_bitmap(uint8_t *bitmap)
{
	memset(bitmap, 0xff, 8192 + 1); /* every port denied; the extra byte ends the map */
	/* A 32-bit OUT to port p needs the bits of p to p + 3. */
	for (unsigned p = SKIFF_HV_PORT_BASE; p < SKIFF_HV_PORT_BASE + HV_CALL_MAX + 3; p++)
		bitmap[p / 8] &= (uint8_t)~(1u << (p % 8));
}

static void build_gdt_tss(struct hv *hv)
{
	uint64_t *gdt = guest_ptr(&hv->guest, HV_GDT, PAGE, 8);
	uint8_t *tss = guest_ptr(&hv->guest, HV_TSS, HV_TSS_LIMIT + 1, 8);
	uint64_t ist1 = HV_TRAP_STACK_TOP, limit = HV_TSS_LIMIT;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL; /* kernel code, 64-bit, accessed (the CPU need not write) */
	gdt[2] = 0x00cf93000000ffffULL; /* kernel data */
	gdt[3] = 0x00cff3000000ffffULL; /* user data, DPL 3 */
	gdt[4] = 0x00affb000000ffffULL; /* user code, 64-bit, DPL 3 */
	gdt[5] = (limit & 0xffff) | ((uint64_t)(HV_TSS & 0xffffff) << 16) | (0x8bULL << 40) |
		 ((uint64_t)(HV_TSS >> 24 & 0xff) << 56); /* busy 64-bit TSS */
	gdt[6] = HV_TSS >> 32;
	memset(tss, 0, 104);
	memcpy(tss + 4, &ist1, 8);	/* rsp0 */
	memcpy(tss + 36, &ist1, 8);	/* ist1 */
	tss[102] = 104;			/* the I/O bitmap follows the TSS */
	build_io_bitmap(tss + 104);
}

static void build_idt(struct hv *hv)
{
	uint8_t *idt = guest_ptr(&hv->guest, HV_IDT, PAGE, 8);

	for (unsigned v = 0; v < 256; v++) {
		uint64_t h = hv->image.manifest.trap_entry + 16 * v;
		uint8_t *g = idt + 16 * v;

		memset(g, 0, 16);
		g[0] = h & 0xff;
		g[1] = h >> 8 & 0xff;
		g[2] = HV_SEL_KCODE;
		g[4] = 1;	/* IST1 */
		g[5] = 0x8e;	/* present, DPL 0, interrupt gate */
		g[6] = h >> 16 & 0xff;
		g[7] = h >> 24 & 0xff;
		memcpy(g + 8, (uint32_t[]){ (uint32_t)(h >> 32) }, 4);
	}
}

static int load_initrd(struct hv *hv, struct hv_boot_info *bi)
{
	int fd = open(hv->opt.initrd, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint64_t gpa;

	if (fd < 0 || fstat(fd, &st) < 0) {
		hv_err("--initrd %s: %s", hv->opt.initrd, strerror(errno));
		return -1;
	}
	gpa = ((uint64_t)st.st_size <= hv->guest.size) ? (hv->guest.size - st.st_size) & ~(PAGE - 1) : 0;
	if (gpa < bi->free_start) {
		hv_err("--initrd %s (%lld bytes) does not fit in guest memory above the image; give more --mem",
		       hv->opt.initrd, (long long)st.st_size);
		close(fd);
		return -1;
	}
	if (pread(fd, guest_ptr(&hv->guest, gpa, st.st_size, 1), st.st_size, 0) != st.st_size) {
		hv_err("--initrd %s: short read", hv->opt.initrd);
		close(fd);
		return -1;
	}
	close(fd);
	bi->initrd = gpa;
	bi->initrd_len = (uint64_t)st.st_size;
	return 0;
}

static int fill_boot_info(struct hv *hv, uint64_t root)
{
	struct hv_boot_info *bi = GUEST_STRUCT(&hv->guest, HV_BOOT_INFO, struct hv_boot_info);
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(bi, 0, sizeof(*bi));
	bi->magic = HV_BOOT_MAGIC;
	bi->abi_version = SKIFF_HV_ABI_VERSION;
	bi->mem_size = hv->guest.size;
	bi->free_start = (hv->image.end + PAGE - 1) & ~(PAGE - 1);
	bi->cmdline = HV_CMDLINE;
	bi->tsc_hz = hv->tsc_hz;
	bi->wall_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	bi->page_table = root;
	bi->trap_stack = HV_TRAP_STACK_TOP;
	/* --quiet discards the output: not a terminal either. */
	if (!hv->opt.quiet && isatty(STDOUT_FILENO))
		bi->console_flags = HV_CONSOLE_TERMINAL;
	if (hv->disk_fd >= 0) {
		bi->blk_flags = HV_BLK_PRESENT | (hv->opt.disk_ro ? HV_BLK_READONLY : 0);
		bi->blk_sectors = hv->disk_sectors;
	}
	bi->net_count = hv->net.count;
	for (unsigned i = 0; i < hv->net.count; i++)
		memcpy(bi->net_mac[i], hv->net.nic[i].mac, 6);
	memcpy(guest_ptr(&hv->guest, HV_CMDLINE, HV_CMDLINE_MAX, 1), hv->opt.cmdline, HV_CMDLINE_MAX);
	if (bi->free_start >= hv->guest.size) {
		hv_err("--mem %llu KiB leaves no memory after the image; give more --mem",
		       (unsigned long long)(hv->guest.size >> 10));
		return -1;
	}
	return hv->opt.initrd ? load_initrd(hv, bi) : 0;
}

/*
 * Fault in, in one call, the memory every image touches first and the loader did not write: the
 * bss (and, in a Skiff image, the main thread's stack after it) and the start of free memory
 * (the kernel's page-allocator bitmap, its first heap pages). A shadow MMU (a software nested
 * KVM) maps up to eight host-resident pages per guest fault, so this takes about 40 us off the
 * guest's boot on PVM and costs the monitor no more than the page faults it saves later. Only
 * an optimisation: errors are ignored.
 */
#define PREFAULT_FREE (64 * 1024)

void hv_boot_memory(const struct hv *hv, uint64_t *start, uint64_t *end)
{
	uint64_t lo = hv->image.end, hi = ((hv->image.end + PAGE - 1) & ~(PAGE - 1)) + PREFAULT_FREE;

	for (unsigned i = 0; i < hv->image.nseg; i++) { /* from the lowest bss on */
		const struct hv_segment *s = &hv->image.seg[i];

		if (s->memsz > s->filesz && s->paddr + s->filesz < lo)
			lo = (s->paddr + s->filesz) & ~(PAGE - 1);
	}
	if (hi > hv->guest.size)
		hi = hv->guest.size;
	*start = lo;
	*end = lo < hi ? hi : lo;
}

static void prefault_boot_memory(struct hv *hv)
{
	uint64_t lo, hi;

	hv_boot_memory(hv, &lo, &hi);
	if (lo < hi)
		madvise(hv->guest.mem + lo, hi - lo, MADV_POPULATE_WRITE);
}

int hv_layout_build(struct hv *hv)
{
	uint64_t root;

	hv_elf_load(hv->image_buf, &hv->image, hv->guest.mem);
	prefault_boot_memory(hv);
	build_gdt_tss(hv);
	build_idt(hv);
	if (build_page_tables(hv, &root) || fill_boot_info(hv, root))
		return -1;
	return hv->be->start(hv, hv->image.entry, root);
}
