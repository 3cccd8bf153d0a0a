/* SPDX-License-Identifier: MIT */
/*
 * The 64-bit loader entry of a plat/kvm image: for loaders that already run in long mode (the
 * UEFI stub in plat/efi), which would otherwise have to drop to 32-bit protected mode with
 * paging off just to enter the PVH entry and have the image turn long mode back on.
 *
 * Finding it: an ELF note named "Skiff" of type SKIFF_NOTE_ENTRY64 whose descriptor is the entry's
 * 64-bit address (little endian). Images without the note have only the PVH entry.
 *
 * What the loader hands over:
 * - CPU: long mode at CPL 0, interrupts disabled, paging on with an identity map that covers the
 *   image, the page-table reserve after it, and the start info; any GDT, IDT and stack (the image
 *   loads its own before it uses them).
 * - %rdi: the physical address of a struct hvm_start_info (version 1, with a memory map; see
 *   plat-common/hvm_start_info.h), and everything it points to (command line, memory map,
 *   modules), all below SKIFF_ENTRY64_LIMIT: the image's boot tables map only that much.
 * - %rsi: the TSC at the loader's own first instruction, or 0: where the image's boot timing
 *   starts (plat_boot_info.boot_tsc).
 * - %rdx: the physical address of a struct skiff_entry64_info (below SKIFF_ENTRY64_LIMIT), what
 *   only a firmware loader knows, or 0.
 * - Memory: the image's PT_LOAD segments at their physical addresses (bss zeroed), and after
 *   its last segment SKIFF_ENTRY64_PT_PAGES free pages that the memory map calls RAM: the image
 *   builds its page tables there before it knows the memory map well enough to allocate.
 * The entry never returns.
 */
#ifndef SKIFF_ENTRY64_H
#define SKIFF_ENTRY64_H

#define SKIFF_NOTE_ENTRY64 0x534b0002

#define SKIFF_ENTRY64_LIMIT 0x40000000 /* 1 GiB */

#ifndef __ASSEMBLY__
#include <stdint.h>

#define SKIFF_ENTRY64_MAGIC 0x34364b53 /* "SK64" */
#define SKIFF_ENTRY64_PCI_VALID 0x80000000u

struct skiff_entry64_info {
	uint32_t magic;
	/*
	 * The PCI function of the disk the firmware loaded the image from, SKIFF_ENTRY64_PCI_VALID |
	 * bus << 8 | device << 3 | function (segment 0), or 0 when unknown or not on PCI. When it is
	 * a virtio-blk device, it is the boot disk (the ESP), not a disk for the app: the image
	 * leaves it alone, so an app that writes its block device cannot overwrite the ESP.
	 */
	uint32_t boot_disk_pci;
};
_Static_assert(sizeof(struct skiff_entry64_info) == 8, "skiff_entry64_info layout");
#endif

/*
 * Page-table pages after the image, an upper bound for plat/kvm/paging.c given the memory map
 * (entries, and the end of the highest one): one PML4; a PDPT per 512 GiB and a page directory
 * per GiB of address space below top; and at most two page tables (for ends not 2 MiB aligned)
 * for each range mapped: the map's entries plus the image's segments, low memory and the LAPIC.
 */
#define SKIFF_ENTRY64_PT_PAGES(nr_map, top) \
	(1 + ((unsigned long long)(top) >> 39) + 1 + ((unsigned long long)(top) >> 30) + 1 + \
	 2 * ((unsigned long long)(nr_map) + 8))

#endif
