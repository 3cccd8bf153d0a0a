// SPDX-License-Identifier: MIT
/*
 * The PVH boot path of the same .xen image (xl type="pvh"): an HVM container with no emulated
 * devices, entered at CPL 0 through the PVH note. What PV gets in start_info comes from elsewhere:
 * the hypercall page through an MSR that CPUID names, shared_info and the grant table by
 * XENMEM_add_to_physmap onto pages of the image, the console and xenstore from HVM parameters,
 * memory and the command line from struct hvm_start_info. Everything above that is PV's code.
 */
#include <string.h>
#include <skiff/cmdline.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>
#include <plat-common/bootmem.h>
#include <plat-common/x86_trap.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

extern char xen_shared_page[XEN_PAGE];
extern char xen_hvm_trap_stubs[];
extern unsigned long xen_store_mfn;
extern evtchn_port_t xen_store_port;
extern char _image_start[], _image_end[], _etext[], _rodata_start[], _rodata_end[];
extern uint64_t pvh_pd[];
void xen_events_init(void);
noreturn void xen_pvh_main(uint32_t start_info, uint64_t boot_tsc);

static char cmdline[SK_CMDLINE_MAX];
static struct plat_boot_info bi;

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* Xen's CPUID leaves start at 0x40000000 or a multiple of 0x100 above it (after Viridian's). */
static void hypercall_page_init(void)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		uint32_t r[4];

		cpuid(base, r);
		if (r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e) { /* XenVMMXenVMM */
			uint64_t page = (uintptr_t)hypercall_page;

			cpuid(base + 2, r);
			__asm__ __volatile__("wrmsr" : : "c"(r[1]), "a"((uint32_t)page), "d"((uint32_t)(page >> 32)));
			return;
		}
	}
	for (;;) /* not on Xen: nothing to report with */
		__asm__ __volatile__("hlt");
}

/*
 * The first 2 MiB in 4 KiB pages: page 0 absent so NULL faults, the image's text read-only and
 * executable, its rodata read-only, the rest no-execute. Above 2 MiB the boot map stays.
 */
static void protect_low_memory(void)
{
	static uint64_t pt[512] __sk_aligned(4096);
	uint64_t cr0;

	for (uintptr_t i = 1; i < 512; i++) {
		uintptr_t va = i << 12;
		uint64_t flags = 0x3 | (1ULL << 63); /* present, writable, no-execute */

		if (va >= (uintptr_t)_image_start && va < (uintptr_t)_etext)
			flags = 0x1;
		else if (va >= (uintptr_t)_rodata_start && va < SK_ALIGN_UP((uintptr_t)_rodata_end, XEN_PAGE))
			flags = 0x1 | (1ULL << 63);
		pt[i] = va | flags;
	}
	pvh_pd[0] = (uintptr_t)pt | 0x3;
	__asm__ __volatile__("mov %%cr3, %%rax; mov %%rax, %%cr3; mov %%cr0, %0" : "=r"(cr0) : : "rax", "memory");
	__asm__ __volatile__("mov %0, %%cr0" : : "r"(cr0 | (1UL << 16)) : "memory"); /* WP */
}

static void add_to_physmap(unsigned space, unsigned long idx, void *page)
{
	struct xen_add_to_physmap a = { .domid = DOMID_SELF, .space = space, .idx = idx,
					.gpfn = (uintptr_t)page >> 12 };

	if (hcall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&a) < 0)
		xen_shutdown(SHUTDOWN_crash);
}

static uint64_t hvm_param(uint32_t index)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	hcall2(__HYPERVISOR_hvm_op, HVMOP_get_param, (unsigned long)&p);
	return p.value;
}

static void idt_init(void)
{
	static struct x86_idt_gate idt[20] __sk_aligned(16); /* the exceptions; PVH takes no interrupt */

	x86_idt_init(idt, 20, xen_hvm_trap_stubs, 0x08, NULL);
}

static void build_boot_info(const struct hvm_start_info *si, uint64_t boot_tsc)
{
	const struct hvm_memmap_table_entry *map = (const void *)(uintptr_t)si->memmap_paddr;

	bi.plat_name = "xen-pvh";
	bi.boot_tsc = boot_tsc;
	bi.cmdline = cmdline;
	if (si->cmdline_paddr)
		strncpy(cmdline, (const char *)(uintptr_t)si->cmdline_paddr, sizeof(cmdline) - 1);
	for (uint32_t i = 0; si->version >= 1 && i < si->memmap_entries; i++) {
		if (map[i].type != XEN_HVM_MEMMAP_TYPE_RAM || map[i].addr >= (4ULL << 30))
			continue; /* the boot map covers 4 GiB */
		bi.ram_bytes += map[i].size;
		bootmem_add(&bi, map[i].addr, SK_MIN(map[i].size, (4ULL << 30) - map[i].addr));
	}
	bootmem_reserve(&bi, 0, 0x100000);
	bootmem_reserve(&bi, (uintptr_t)_image_start, (uintptr_t)_image_end);
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;

		bi.initrd = (const void *)(uintptr_t)m[0].paddr;
		bi.initrd_len = m[0].size;
		bootmem_reserve(&bi, SK_ALIGN_DOWN(m[0].paddr, XEN_PAGE),
				SK_ALIGN_UP(m[0].paddr + m[0].size, XEN_PAGE));
	}
}

noreturn void xen_pvh_main(uint32_t start_info, uint64_t boot_tsc)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;

	xen_pvh = true;
	protect_low_memory();
	hypercall_page_init();
	add_to_physmap(XENMAPSPACE_shared_info, 0, xen_shared_page);
	xen_shared = (struct shared_info *)xen_shared_page;
	xen_console_init(hvm_param(HVM_PARAM_CONSOLE_PFN), (evtchn_port_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN));
	idt_init();
	xen_time_init();
	xen_events_init();
	xen_store_mfn = hvm_param(HVM_PARAM_STORE_PFN);
	xen_store_port = (evtchn_port_t)hvm_param(HVM_PARAM_STORE_EVTCHN);
	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		sk_panic("xen: PVH start info has a bad magic 0x%x", si->magic);
	build_boot_info(si, boot_tsc);
	kernel_main(&bi);
}

/* The grant table, for gnttab.c: PV gets its frames from setup_table, PVH maps them here. */
int xen_pvh_map_grant_table(void *table, unsigned nr_frames);

int xen_pvh_map_grant_table(void *table, unsigned nr_frames)
{
	for (unsigned i = 0; i < nr_frames; i++)
		add_to_physmap(XENMAPSPACE_grant_table, i, (char *)table + i * XEN_PAGE);
	return 0;
}
