/* SPDX-License-Identifier: MIT */
/* The UEFI memory map as the E820-style list a plat/kvm image reads from struct hvm_start_info. */
#ifndef EFISTUB_MEMMAP_H
#define EFISTUB_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include <plat-common/hvm_start_info.h>

/* The fields of EFI_MEMORY_DESCRIPTOR this needs, at the offsets the UEFI spec gives them. */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys;
	uint64_t virt;
	uint64_t pages;
	uint64_t attr;
};

#define EFI_MEM_ATTR_SP 0x40000ULL /* EFI_MEMORY_SP: specific-purpose memory, not for general use */

/*
 * Convert the firmware's map (n descriptors, desc_size bytes apart, as GetMemoryMap returns it)
 * into out (room for max entries, at least n): sorted by address, neighbours of one type merged.
 * Memory the loader and boot services used is RAM once boot services have exited; runtime
 * services, MMIO and anything unknown are reserved. Returns the number of entries written;
 * descriptors beyond max (never, when max >= n) are dropped.
 */
size_t efi_memmap_to_e820(const void *map, size_t n, size_t desc_size,
			  struct hvm_memmap_entry *out, size_t max);

/* The E820 type of one UEFI memory type and attributes. */
uint32_t efi_memmap_type(uint32_t efi_type, uint64_t attr);

/* The end of the highest entry of list (n entries). */
uint64_t efi_memmap_top(const struct hvm_memmap_entry *list, size_t n);

#endif
